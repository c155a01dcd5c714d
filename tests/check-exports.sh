#!/bin/sh
# SPDX-License-Identifier: MIT
# check-exports.sh - the exported symbols of libhttpr.so are exactly the
# list in api/httpr.sym, and that list is exactly the functions the public
# header declares with HTTPR_EXPORT: nothing internal leaks, nothing public
# is missing.
set -eu
src=${top_srcdir:-.}
lib=${top_builddir:-.}/.libs/libhttpr.so
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

sort "$src/api/httpr.sym" >"$tmp/list"
tr '\n' ' ' <"$src/api/httpr.h" | sed 's/;/;\n/g' |
  grep 'HTTPR_EXPORT' | grep -oE 'httpr_[a-z0-9_]+ *\(' |
  sed 's/ *($//' | sort -u >"$tmp/header"
nm -D --defined-only "$lib" | awk '$2 == "T" { print $3 }' | sort >"$tmp/exported"

status=0
if ! diff -u "$tmp/header" "$tmp/list"; then
  echo "api/httpr.sym differs from the HTTPR_EXPORT functions in api/httpr.h" >&2
  status=1
fi
if ! diff -u "$tmp/list" "$tmp/exported"; then
  echo "libhttpr.so exports differ from api/httpr.sym" >&2
  status=1
fi
[ $status -eq 0 ] && echo "exports: $(wc -l <"$tmp/list") symbols, all public"
exit $status
