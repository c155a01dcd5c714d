#!/bin/sh
# SPDX-License-Identifier: MIT
#
# check-abi.sh - the built libhttpr.so keeps the ABI of the committed
# baseline (api/libhttpr.abi): abidiff may find functions added and nothing
# else. A function removed, or a public function or type changed, fails
# with abidiff's report. `make abi-baseline` remakes the baseline at a
# release (README.md, "ABI and versions").
#
# What is public: every type an exported function reaches, except the
# insides of the handles api/httpr.h declares but does not define (struct
# httpr_config and the others, defined in api/internal.h): programs only
# hold pointers to them, so their layout may change freely. A suppression
# made from api/httpr.h says so to abidiff. abidiff's --headers-dir filter
# cannot: given api/ it takes internal.h for public and fails on a new
# field of an opaque struct, and given api/httpr.h alone it drops changes
# of the system types the header uses, so a return type changed from
# uint32_t to uint64_t passed.
#
# Two limits, both abidiff's: a parameter changed from one handle to
# another (httpr_request * for httpr_response *) passes, because the
# suppression looks through the typedef; the compiler of every caller
# catches that one. And a function whose code gcc folded into an
# identical one (the old names httpr_config_set_tls_backend and
# httpr_request_set_body_sink) has no debug information of its own, so
# for it abidiff sees removal only, not a changed signature.
#
# abidiff needs the library's debug information (a build with -g, as the
# default CFLAGS are): without it the check fails rather than pass on
# nothing. Then it proves that it can fail: from the same objects it
# links copies of the library with the real version script (must pass),
# with one function left out of it (must be refused as incompatible) and
# with one function added in a new version node (must pass).
set -eu
src=${top_srcdir:-.}
build=${top_builddir:-.}
lib=$build/.libs/libhttpr.so.0
core=$build/.libs/libhttpr_core.a
baseline=${ABI_BASELINE:-$src/api/libhttpr.abi}
map=$src/api/libhttpr.map
cc=${CC:-cc}

for tool in abidiff abidw readelf; do
  command -v $tool >/dev/null 2>&1 || {
    echo "check-abi: $tool not found: apt-get install abigail-tools" \
      "binutils (tools/install-deps.sh)" >&2
    exit 1
  }
done
for f in "$lib" "$core" "$baseline" "$map"; do
  [ -f "$f" ] || { echo "check-abi: $f is missing" >&2; exit 1; }
done
if ! readelf -S "$lib" | grep -q '\.debug_info'; then
  echo "check-abi: $lib has no debug information, so abidiff cannot" \
    "compare its types: build with -g (CFLAGS=\"-g -O2\", the default)" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The baseline describes one architecture; another one's sizes and
# layouts are not comparable with it, so there is nothing to check.
arch_of() {
  sed -n "1s/.* architecture='\([^']*\)'.*/\1/p" "$1"
}
abidw --no-corpus-path "$lib" >"$tmp/current.abi"
if [ "$(arch_of "$baseline")" != "$(arch_of "$tmp/current.abi")" ]; then
  echo "check-abi: the baseline is for $(arch_of "$baseline"), this build" \
    "is $(arch_of "$tmp/current.abi"): skipped"
  exit 77
fi

# Changes inside the opaque handles are not ABI changes.
handles=$(sed -n 's/^typedef struct \(httpr_[a-z0-9_]*\) \1;$/\1/p' \
  "$src/api/httpr.h")
for h in $handles; do
  if grep -q "^struct $h *{" "$src/api/httpr.h"; then
    handles=$(echo "$handles" | grep -vx "$h")
  fi
done
[ -n "$handles" ] || { echo "check-abi: no opaque handle found in" \
  "api/httpr.h" >&2; exit 1; }
# The structs only, nothing else of the same name.
printf '[suppress_type]\n  type_kind = struct\n  name_regexp = ^(%s)$\n' \
  "$(echo $handles | tr ' ' '|')" >"$tmp/opaque.suppr"

# abidiff_status LIBRARY REPORT: abidiff's exit status against the
# baseline, its report in REPORT.
abidiff_status() {
  if abidiff --no-added-syms --suppressions "$tmp/opaque.suppr" \
      "$baseline" "$1" >"$2" 2>&1; then
    echo 0
  else
    echo $?
  fi
}

# The library itself, first: a failure here is the one to report.
rc=$(abidiff_status "$lib" "$tmp/report.txt")
if [ "$rc" -ne 0 ]; then
  cat "$tmp/report.txt"
  echo "check-abi: libhttpr.so differs from $baseline (abidiff exit $rc):" \
    "removed or changed public functions or types break programs built" \
    "against the baseline (README.md, \"ABI and versions\")" >&2
  exit 1
fi

# relink NAME MAP [OBJECT]: a copy of the library in $tmp/NAME from the
# objects libtool linked it from, with version script MAP.
relink() {
  mkdir -p "$tmp/$1"
  "$cc" -shared -o "$tmp/$1/libhttpr.so.0" -Wl,-soname,libhttpr.so.0 \
    -Wl,--whole-archive "$core" -Wl,--no-whole-archive ${3:+"$3"} \
    -Wl,--version-script="$2"
}

# The copy with the real script: the same ABI as the library.
relink same "$map"
rc=$(abidiff_status "$tmp/same/libhttpr.so.0" "$tmp/same.txt")
if [ "$rc" -ne 0 ]; then
  cat "$tmp/same.txt"
  echo "check-abi: self-test: a copy linked from the same objects and" \
    "version script differs from the baseline (abidiff exit $rc)" >&2
  exit 1
fi

# One function fewer: the first the script lists.
gone=$(sed -n 's/^ *\(httpr_[a-z0-9_]*\);$/\1/p' "$map" | head -n 1)
grep -v "^ *$gone;\$" "$map" >"$tmp/removed.map"
relink removed "$tmp/removed.map"
rc=$(abidiff_status "$tmp/removed/libhttpr.so.0" "$tmp/removed.txt")
if [ $((rc & 8)) -eq 0 ] || ! grep -q "$gone" "$tmp/removed.txt"; then
  cat "$tmp/removed.txt"
  echo "check-abi: self-test: without $gone in the version script" \
    "abidiff exits $rc, not an incompatible change (8) naming it" >&2
  exit 1
fi

# One function more, in a node of its own.
printf '%s\n%s\n' 'int httpr_abi_selftest_added(int n);' \
  'int httpr_abi_selftest_added(int n) { return n + 1; }' >"$tmp/added.c"
"$cc" -g -O2 -fPIC -c -o "$tmp/added.o" "$tmp/added.c"
{ cat "$map"; echo 'HTTPR_SELFTEST { global: httpr_abi_selftest_added; }' \
  'HTTPR_0.1;'; } >"$tmp/added.map"
relink added "$tmp/added.map" "$tmp/added.o"
rc=$(abidiff_status "$tmp/added/libhttpr.so.0" "$tmp/added.txt")
if [ "$rc" -ne 0 ]; then
  cat "$tmp/added.txt"
  echo "check-abi: self-test: a function added in a new version node" \
    "fails the check (abidiff exit $rc)" >&2
  exit 1
fi

echo "check-abi: libhttpr.so keeps the ABI of $(basename "$baseline")" \
  "(self-test: a removed function is refused, an added one passes)"
