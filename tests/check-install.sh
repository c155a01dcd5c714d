#!/bin/sh
# SPDX-License-Identifier: MIT
#
# check-install.sh - what `make install` puts in a staging tree (DESTDIR)
# and what `make uninstall` leaves there. Installed: the shared library,
# the header, the pkg-config file, the httpr CLI and the system's
# providers.conf, every line of it a comment, and never the
# benchmark (httpr-bench measures its build tree and stays there). The
# installed httpr.pc gives exactly -lhttpr (plus -L of the staged libdir
# when that is not a system directory), a program compiled with it runs
# on the staged library, and the CLI runs. After uninstall no file is
# left, and no directory but the empty standard ones (bin, lib, include,
# share/man, etc...) and their parents. An administrator's providers.conf
# is neither overwritten by make install nor removed by make uninstall.
#
# Run from the build directory by `make check-install` (also
# `make installcheck`), which passes MAKE, CC, PKG_CONFIG, the install
# directories, the providers.conf path and top_srcdir. Install takes
# seconds.
set -eu
: "${MAKE:=make}" "${CC:=cc}" "${PKG_CONFIG:=pkg-config}"
: "${top_srcdir:?}" "${bindir:?}" "${libdir:?}" "${includedir:?}"
: "${pkgconfigdir:?}" "${datarootdir:?}" "${mandir:?}"
: "${sysconfdir:?}" "${providersconf:?}"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stage=$tmp/stage
mkdir "$stage"
fail() {
  echo "check-install.sh: $*" >&2
  exit 1
}

$MAKE install DESTDIR="$stage" >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log" >&2; fail "make install DESTDIR=... failed"; }

# What must be there.
for f in "$libdir/libhttpr.so" "$includedir/httpr.h" \
  "$pkgconfigdir/httpr.pc"; do
  [ -f "$stage$f" ] || fail "make install put no $f"
done
ls "$stage$libdir"/libhttpr.so.* >/dev/null 2>&1 ||
  fail "make install put no versioned $libdir/libhttpr.so.*"
[ -x "$stage$bindir/httpr" ] || fail "make install put no $bindir/httpr"
[ -f "$stage$providersconf" ] || fail "make install put no $providersconf"
# Installing the example changes nothing: no line but comments and blanks.
active=$(grep -v '^[[:space:]]*\(#.*\)\{0,1\}$' "$stage$providersconf" || true)
[ -z "$active" ] || fail "the installed $providersconf sets something: $active"
bench=$(cd "$stage" && find . -name 'httpr-bench*' | sed 's|^\.||')
[ -z "$bench" ] || fail "the benchmark was installed: $bench"

# The installed httpr.pc, read as a user of the staged tree would: its
# paths under the staging root, nothing but the library to link.
pc() {
  PKG_CONFIG_LIBDIR=$stage$pkgconfigdir PKG_CONFIG_PATH='' \
    PKG_CONFIG_SYSROOT_DIR=$stage "$@" | words
}
# words: the words of stdin on one line, one space apart (pkg-config ends
# its output with a space).
words() {
  tr -s ' \t\n' '   ' | sed 's/^ //; s/ $//'
}
libs=$(pc "$PKG_CONFIG" --libs httpr)
[ "$libs" = "-L$stage$libdir -lhttpr" ] ||
  fail "pkg-config --libs httpr gave '$libs', not '-L$stage$libdir -lhttpr'"
only=$(pc env PKG_CONFIG_SYSTEM_LIBRARY_PATH="$stage$libdir" \
  "$PKG_CONFIG" --libs httpr)
[ "$only" = "-lhttpr" ] ||
  fail "pkg-config --libs httpr gave '$only' with $libdir a system" \
    "directory, not '-lhttpr' alone"
cflags=$(pc "$PKG_CONFIG" --cflags httpr)
[ "$cflags" = "-I$stage$includedir" ] ||
  fail "pkg-config --cflags httpr gave '$cflags', not '-I$stage$includedir'"

# A program built from the installed header and library alone, and the
# installed CLI, both run on the staged library.
# shellcheck disable=SC2086 # the flags are words
$CC $cflags -o "$tmp/version" "$top_srcdir/examples/version.c" $libs \
  >"$tmp/cc.log" 2>&1 ||
  { cat "$tmp/cc.log" >&2; fail "examples/version.c did not build against" \
    "the installed httpr.pc"; }
LD_LIBRARY_PATH=$stage$libdir "$tmp/version" >"$tmp/version.out" ||
  fail "examples/version.c built against the installed tree failed"
LD_LIBRARY_PATH=$stage$libdir "$stage$bindir/httpr" --version \
  >"$tmp/cli.out" || fail "the installed httpr --version failed"
head -n 1 "$tmp/cli.out" | grep -q '^httpr ' ||
  fail "the installed httpr --version printed: $(head -n 1 "$tmp/cli.out")"
installed=$(cd "$stage" && find . ! -type d | wc -l)

$MAKE uninstall DESTDIR="$stage" >"$tmp/uninstall.log" 2>&1 ||
  { cat "$tmp/uninstall.log" >&2; fail "make uninstall DESTDIR=... failed"; }

# What may stay: the standard directories and their parents, empty.
: >"$tmp/allowed"
# (A providers.conf moved out of sysconfdir by --with-providers-conf: its
# directory must go, the ones above it may stay.)
for d in "$bindir" "$libdir" "$includedir" "$datarootdir" "$mandir" \
  "$mandir/man1" "$mandir/man3" "$mandir/man7" "$sysconfdir" \
  "$(dirname "$(dirname "$providersconf")")"; do
  while [ -n "$d" ] && [ "$d" != / ]; do
    echo "$d" >>"$tmp/allowed"
    d=$(dirname "$d")
  done
done
left=$(cd "$stage" && find . -mindepth 1 | sed 's|^\.||' | sort |
  while IFS= read -r p; do
    if [ -d "$stage$p" ] && [ ! -L "$stage$p" ] &&
      grep -qxF "$p" "$tmp/allowed"; then
      continue
    fi
    echo "$p"
  done)
[ -z "$left" ] || fail "make uninstall left behind: $(echo "$left" | words)"

# An administrator's providers.conf survives install and uninstall; the
# example, unchanged, goes.
admin=$tmp/admin
mkdir "$admin"
$MAKE install-providers-conf DESTDIR="$admin" >"$tmp/conf.log" 2>&1 ||
  { cat "$tmp/conf.log" >&2; fail "make install-providers-conf failed"; }
cp "$admin$providersconf" "$tmp/example.conf"
echo "order = mbedtls" >>"$admin$providersconf"
cp "$admin$providersconf" "$tmp/edited.conf"
$MAKE install-providers-conf DESTDIR="$admin" >>"$tmp/conf.log" 2>&1 ||
  { cat "$tmp/conf.log" >&2; fail "make install-providers-conf failed"; }
cmp -s "$admin$providersconf" "$tmp/edited.conf" ||
  fail "make install overwrote an edited $providersconf"
$MAKE uninstall-providers-conf DESTDIR="$admin" >>"$tmp/conf.log" 2>&1 ||
  { cat "$tmp/conf.log" >&2; fail "make uninstall-providers-conf failed"; }
cmp -s "$admin$providersconf" "$tmp/edited.conf" ||
  fail "make uninstall removed an edited $providersconf"
cp "$tmp/example.conf" "$admin$providersconf"
$MAKE uninstall-providers-conf DESTDIR="$admin" >>"$tmp/conf.log" 2>&1 ||
  { cat "$tmp/conf.log" >&2; fail "make uninstall-providers-conf failed"; }
[ ! -e "$admin$providersconf" ] ||
  fail "make uninstall left the unchanged example $providersconf"
echo "install: $installed files installed, the .pc gives -lhttpr," \
  "uninstall left no file; an edited providers.conf is kept"
