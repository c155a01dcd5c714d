#!/bin/sh
# SPDX-License-Identifier: MIT
# check-man.sh - the man pages are clean and complete: groff reports no
# warning on any of them (-ww: every warning), every function the library
# exports (api/libhttpr.map) is named in the NAME section of a page, and has
# the one-line page `man FUNCTION` finds; httpr(1) names every option
# `httpr --help` lists; libhttpr(3) names every environment variable the
# library reads (common/env.h's table); man(1) renders each. The export
# check is run once more on a list with a function no page names, and
# must fail naming it.
set -eu
src=${top_srcdir:-.}
build=${top_builddir:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

pages="$build/man/httpr.1 $src/man/libhttpr.3"
for p in httpr_config httpr_client httpr_request httpr_response httpr_loop \
  httpr_verify_report httpr_error httpr_providers; do
  pages="$pages $build/man/$p.3"
done

for p in $pages; do
  if [ ! -s "$p" ]; then
    echo "check-man: $p is missing (make builds it)" >&2
    fail=1
    continue
  fi
  groff -man -ww -z "$p" >"$tmp/groff" 2>&1 || true
  if [ -s "$tmp/groff" ]; then
    echo "check-man: groff warns on $p:" >&2
    sed 's/^/  /' "$tmp/groff" >&2
    fail=1
  fi
done
[ "$fail" -eq 0 ] || exit 1

# The names each page's NAME section gives, one a line.
for p in $pages; do
  sed -n '/^\.SH NAME/,/^\.SH/p' "$p" | sed '1d;$d' | grep -v '^\.' |
    sed 's/\\-.*//; s/\\%//g' | tr ',' '\n' | tr -d ' '
done | grep . | sort -u >"$tmp/named"

# Prints each name of the list $1 that no page names; fails if any.
undocumented() {
  sort -u "$1" | comm -23 - "$tmp/named" >"$tmp/missing"
  [ ! -s "$tmp/missing" ] && return 0
  sed 's/^/  /' "$tmp/missing"
  return 1
}

# The exported functions: the global names of the version script.
sed -n 's/^[[:space:]]*\(httpr_[a-z0-9_]*\);.*/\1/p' "$src/api/libhttpr.map" \
  >"$tmp/exported"
if ! undocumented "$tmp/exported" >"$tmp/out"; then
  echo "check-man: exported functions without a man page entry" \
    "(declare each with HTTPR_EXPORT in api/httpr.h, its comment above it;" \
    "a new prefix needs a group in tools/gen-man-api.py):" >&2
  cat "$tmp/out" >&2
  fail=1
fi
for f in $(cat "$tmp/exported"); do
  if ! grep -qx "\.so man3/httpr_[a-z_]*\.3" "$build/man/links/$f.3" \
    2>/dev/null; then
    echo "check-man: no page man/links/$f.3 pointing to its group's page" >&2
    fail=1
  fi
done

# The self-test: a function no page names is found, and by its name.
{ cat "$tmp/exported"; echo httpr_not_in_any_page; } >"$tmp/sym"
if undocumented "$tmp/sym" >"$tmp/out" ||
  ! grep -qx '  httpr_not_in_any_page' "$tmp/out"; then
  echo "check-man: self-test: an undocumented function went unnoticed" >&2
  fail=1
fi

# Every option of --help is in httpr(1), as the roff of its name.
cli=${HTTPR_CLI:-$build/tools/httpr}
if [ -x "$cli" ]; then
  "$cli" --help | grep -o -- '--[a-z0-9][a-z0-9.-]*' | sort -u |
    while read -r opt; do
      roff=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
      grep -q -- "\\\\fB$roff\\\\fR" "$build/man/httpr.1" || echo "  $opt"
    done >"$tmp/opts"
  if [ -s "$tmp/opts" ]; then
    echo "check-man: options of --help missing from httpr(1):" >&2
    cat "$tmp/opts" >&2
    fail=1
  fi
else
  echo "check-man: no $cli to compare httpr(1) with" >&2
  fail=1
fi

# libhttpr(3) is written by hand: it must name every variable of the table.
if [ -x "$build/tests/env/env-table" ]; then
  "$build/tests/env/env-table" | sed -n 's/^| `\([A-Z_]*\)`.*/\1/p' |
    while read -r var; do
      grep -q "$var" "$src/man/libhttpr.3" || echo "  $var"
    done >"$tmp/vars"
  if [ -s "$tmp/vars" ]; then
    echo "check-man: variables of common/env.h missing from libhttpr(3):" >&2
    cat "$tmp/vars" >&2
    fail=1
  fi
else
  echo "check-man: no tests/env/env-table to compare libhttpr(3) with" >&2
  fail=1
fi

# man(1) renders every page without a complaint.
if command -v man >/dev/null 2>&1; then
  for p in $pages; do
    MANWIDTH=80 man -l "$p" >"$tmp/rendered" 2>"$tmp/man.err" || true
    if [ -s "$tmp/man.err" ] || ! grep -q '^DESCRIPTION' "$tmp/rendered"; then
      echo "check-man: man -l $p fails:" >&2
      cat "$tmp/man.err" >&2
      fail=1
    fi
  done
fi

[ "$fail" -eq 0 ] || exit 1
echo "man pages: $(echo $pages | wc -w) pages without a groff warning;" \
  "$(wc -l <"$tmp/exported") exported functions all documented"
