#!/bin/sh
# SPDX-License-Identifier: MIT
# run-seeds.sh - part of make check in a build without libFuzzer: each
# fuzz target of FUZZ_TARGETS, linked with tests/fuzz/seed_main.c, runs
# once on every seed (tests/fuzz/corpus/NAME/ and what make-seeds.sh
# makes from the test PKI), so the targets build with the project's
# compiler and warnings and their checks hold on the seeds. Prints a
# summary on fd 9 (make check's terminal) when it is open.
# Needs top_srcdir, PKI_DIR and FUZZ_TARGETS (make check sets them).
set -u
src=${top_srcdir:?top_srcdir not set}
work=$(mktemp -d /tmp/httpr-seeds-XXXXXX)
trap 'rm -rf "$work"' EXIT
failed=0
count=0
for bin in ${FUZZ_TARGETS:?FUZZ_TARGETS not set}; do
  name=${bin##*/}
  dir=$work/$name
  mkdir -p "$dir"
  if [ -d "$src/tests/fuzz/corpus/$name" ]; then
    cp "$src/tests/fuzz/corpus/$name/"* "$dir/"
  fi
  if ! sh "$src/tests/fuzz/make-seeds.sh" "$name" "$dir" ||
     ! out=$("./$bin" "$dir" 2>&1); then
    failed=$((failed + 1))
    echo "FAIL $name"
    printf '%s\n' "${out:-}" | tail -20
  else
    echo "ok   $out"
  fi
  count=$((count + 1))
done
if { true >&9; } 2>/dev/null; then
  echo "fuzz seeds: $count targets, $failed failed" >&9
fi
[ "$failed" -eq 0 ]
