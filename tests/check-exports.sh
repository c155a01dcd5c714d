#!/bin/sh
# SPDX-License-Identifier: MIT
# check-exports.sh - the exported symbols of libhttpr.so are exactly the
# functions of the version script api/libhttpr.map, each carrying the
# version node the script gives it, and that list is exactly the functions
# the public header declares with HTTPR_EXPORT: nothing internal leaks,
# nothing public is missing, nothing is exported without a version. The
# Debian symbols file (debian/libhttpr0.symbols) lists the same functions
# under the same nodes, so a new function cannot reach a package without
# its line there.
set -eu
src=${top_srcdir:-.}
lib=${top_builddir:-.}/.libs/libhttpr.so
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# "SYMBOL NODE" for every name in a global: part of the version script.
# Comments go first: the script's own comment shows an example node.
awk '
{
  line = $0; text = ""
  while (line != "") {
    if (incomment) {
      i = index(line, "*/")
      if (i == 0) break
      line = substr(line, i + 2); incomment = 0
    } else {
      i = index(line, "/*")
      if (i == 0) { text = text line; break }
      text = text substr(line, 1, i - 1) " "
      line = substr(line, i + 2); incomment = 1
    }
  }
  gsub(/[{};:]/, " & ", text)
  n = split(text, t, " ")
  for (k = 1; k <= n; k++) {
    if (t[k] == "{") { node = t[k - 1]; part = "" }
    else if (t[k] == "}") { node = ""; part = "" }
    else if (t[k + 1] == ":") part = t[k]
    else if (node != "" && part == "global" && t[k] != ":" && t[k] != ";")
      print t[k], node
  }
}' "$src/api/libhttpr.map" | sort >"$tmp/versions"
cut -d' ' -f1 "$tmp/versions" >"$tmp/list"
cut -d' ' -f2 "$tmp/versions" | sort -u >"$tmp/nodes"

tr '\n' ' ' <"$src/api/httpr.h" | sed 's/;/;\n/g' |
  grep 'HTTPR_EXPORT' | grep -oE 'httpr_[a-z0-9_]+ *\(' |
  sed 's/ *($//' | sort -u >"$tmp/header"

# Every defined dynamic symbol: functions as "NAME NODE" (readelf writes
# NAME@@NODE for a default version, plain NAME for none), and the version
# nodes themselves, which the linker defines as absolute symbols.
readelf --dyn-syms --wide "$lib" | awk '$1 ~ /^[0-9]+:$/ && $7 != "UND" {
  if ($4 == "FUNC") {
    at = index($8, "@@")
    if (at) print substr($8, 1, at - 1), substr($8, at + 2)
    else print $8, "(none)"
  } else if ($7 == "ABS" && $3 == 0) print $8 >"/dev/fd/3"
  else print $8, "(" $4 ")"
}' 3>"$tmp/exported-nodes.raw" | sort >"$tmp/exported"
sort "$tmp/exported-nodes.raw" >"$tmp/exported-nodes"

status=0
if [ ! -s "$tmp/list" ] || [ -n "$(uniq -d "$tmp/list")" ]; then
  echo "api/libhttpr.map: no global symbols, or one listed twice:" >&2
  uniq -d "$tmp/list" >&2
  status=1
fi
if ! diff -u "$tmp/header" "$tmp/list"; then
  echo "api/libhttpr.map differs from the HTTPR_EXPORT functions in" \
    "api/httpr.h" >&2
  status=1
fi
if ! diff -u "$tmp/versions" "$tmp/exported"; then
  echo "libhttpr.so exports differ from api/libhttpr.map (a symbol or its" \
    "version node)" >&2
  status=1
fi
if ! diff -u "$tmp/nodes" "$tmp/exported-nodes"; then
  echo "libhttpr.so's version nodes differ from api/libhttpr.map's" >&2
  status=1
fi
# The symbols file's "NAME@NODE VERSION" lines, version nodes left out.
sed -n 's/^ \([a-z][a-z0-9_]*\)@\([A-Z0-9_.]*\) .*/\1 \2/p' \
  "$src/debian/libhttpr0.symbols" | sort >"$tmp/debian"
if ! diff -u "$tmp/versions" "$tmp/debian"; then
  echo "debian/libhttpr0.symbols differs from api/libhttpr.map: each" \
    "function needs a line 'NAME@NODE FIRST-VERSION' there" >&2
  status=1
fi
[ $status -eq 0 ] && echo "exports: $(wc -l <"$tmp/list") symbols, all" \
  "public, in $(wc -l <"$tmp/nodes") version node(s)"
exit $status
