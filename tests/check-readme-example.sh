#!/bin/sh
# SPDX-License-Identifier: MIT
# check-readme-example.sh - the C example in README.md ("Using the
# library") is examples/get.c byte for byte, so the code a reader copies
# is the code make check compiles and runs (tests/run-examples.sh).
# Regenerate the README's copy with `make readme-example`.
set -eu
src=${top_srcdir:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

grep -qx '<!-- example-get:begin -->' "$src/README.md" || {
  echo "README.md has no '<!-- example-get:begin -->' section" >&2
  exit 1
}
# Between the markers: a ```c fence, the file, the closing fence.
sed -n '/^<!-- example-get:begin -->$/,/^<!-- example-get:end -->$/p' \
  "$src/README.md" | sed '1d;$d' >"$tmp/block"
head -n 1 "$tmp/block" | grep -qx '```c' &&
  tail -n 1 "$tmp/block" | grep -qx '```' || {
  echo "README.md's example-get section is not one \`\`\`c block" >&2
  exit 1
}
sed '1d;$d' "$tmp/block" >"$tmp/readme"
if ! cmp -s "$tmp/readme" "$src/examples/get.c"; then
  echo "README.md's C example differs from examples/get.c:" >&2
  diff -u "$tmp/readme" "$src/examples/get.c" >&2 || true
  echo "run 'make readme-example' in the build directory" >&2
  exit 1
fi
echo "README's C example is examples/get.c ($(wc -l <"$src/examples/get.c") lines)"
