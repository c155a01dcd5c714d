#!/bin/sh
# SPDX-License-Identifier: MIT
# readme-section.sh NAME TEXT README - replaces what README holds between
# its "<!-- NAME:begin -->" and "<!-- NAME:end -->" lines with the file
# TEXT (the generated tables: make readme-features, make readme-env).
set -eu
name=$1 text=$2 readme=$3
grep -q "<!-- $name:begin -->" "$readme" || {
  echo "readme-section.sh: no '<!-- $name:begin -->' in $readme" >&2
  exit 1
}
awk -v begin="<!-- $name:begin -->" -v end="<!-- $name:end -->" '
  FNR == NR { table = table $0 "\n"; next }
  $0 == begin { print; printf "%s", table; skip = 1; next }
  $0 == end { skip = 0 }
  !skip { print }
' "$text" "$readme" >"$readme.tmp"
mv "$readme.tmp" "$readme"
