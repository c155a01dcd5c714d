#!/bin/sh
# SPDX-License-Identifier: MIT
# check-readme-features.sh - README.md's provider feature table is the one
# `httpr --feature-table` prints (the capability query): for every provider
# built in, each feature row must match. The library row is skipped: its
# version is the build machine's. Regenerate with `make readme-features`.
set -eu
src=${top_srcdir:-.}
cli=${HTTPR_CLI:-tools/httpr}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

sed -n '/<!-- feature-table:begin -->/,/<!-- feature-table:end -->/p' \
  "$src/README.md" | grep '^|' >"$tmp/readme"
"$cli" --feature-table >"$tmp/built"

# Prints "provider feature value" for every cell of a table, library row
# and separator row left out.
cells() {
  awk -F '|' '
    NR == 1 { for (i = 3; i < NF; i++) { gsub(/ /, "", $i); col[i] = $i } next }
    $2 ~ /---/ || $2 ~ /library/ { next }
    { f = $2; gsub(/ /, "", f)
      for (i = 3; i < NF; i++) { v = $i; gsub(/ /, "", v); print col[i], f, v } }
  ' "$1" | sort
}
cells "$tmp/readme" >"$tmp/readme.cells"
cells "$tmp/built" >"$tmp/built.cells"
if [ ! -s "$tmp/built.cells" ]; then
  echo "check-readme-features: httpr --feature-table printed nothing" >&2
  exit 1
fi
# Every cell of the providers built here must be in the README as is.
missing=$(comm -23 "$tmp/built.cells" "$tmp/readme.cells")
if [ -n "$missing" ]; then
  echo "README.md's feature table differs from the capability query:" >&2
  echo "$missing" | sed 's/^/  built, not in README: /' >&2
  echo "run 'make readme-features' in the build directory" >&2
  exit 1
fi
echo "README feature table matches the capability query" \
  "($(cut -d' ' -f1 "$tmp/built.cells" | sort -u | tr '\n' ' '))"
