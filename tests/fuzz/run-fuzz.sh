#!/bin/bash
# SPDX-License-Identifier: MIT
# run-fuzz.sh TARGET... - make check-fuzz: runs each libFuzzer target (its
# path in the build tree, e.g. tests/fuzz/fuzz_url) for FUZZ_SECONDS
# (default 30), FUZZ_JOBS (default 2) at a time, on a scratch copy of its
# seeds (tests/fuzz/corpus/NAME/ and what tests/fuzz/make-seeds.sh makes
# from the test PKI), so the tree is never written into. Prints one line
# per target; fails when any target found a crash, a leak, an input over
# the time limit or any sanitizer report, after printing that target's
# log (tests/fuzz/NAME.log) and keeping the input that did it as
# tests/fuzz/NAME.crash-* (replay: tests/fuzz/NAME FILE).
# Needs top_srcdir and PKI_DIR (make check-fuzz sets them).
set -u
src=${top_srcdir:?top_srcdir not set}
seconds=${FUZZ_SECONDS:-30}
parallel=${FUZZ_JOBS:-2}
mult=${HTTPR_TEST_TIMEOUT_MULTIPLIER:-1}
# One input may take this long (libFuzzer's -timeout) before it counts as
# a hang: far above any input's real cost, stretched by the multiplier.
per_input=$(awk -v m="$mult" 'BEGIN { printf "%d", 25 * m + 0.5 }')
case $seconds in
  '' | *[!0-9]*) echo "run-fuzz.sh: FUZZ_SECONDS=$seconds: want whole seconds" >&2
    exit 2 ;;
esac
work=$(mktemp -d /tmp/httpr-fuzz-XXXXXX)
trap 'rm -rf "$work"' EXIT

# Everything a sanitizer may report shows up as one of these lines.
REPORT='ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer)|runtime error:|^SUMMARY: |WARNING: .*Sanitizer'

run_one() {
  local bin=$1 name=${1##*/}
  local corpus=$work/$name/corpus crash=$work/$name/crash
  local log=tests/fuzz/$name.log rc seeds runs cov
  mkdir -p "$corpus" "$crash" tests/fuzz
  rm -f tests/fuzz/"$name".crash-*
  if [ -d "$src/tests/fuzz/corpus/$name" ]; then
    cp "$src/tests/fuzz/corpus/$name/"* "$corpus/"
  fi
  if ! sh "$src/tests/fuzz/make-seeds.sh" "$name" "$corpus" >"$log" 2>&1; then
    echo "fuzz[$name] FAILED: its seeds could not be made"
    echo 1 >"$work/$name.rc"
    return
  fi
  seeds=$(find "$corpus" -type f | wc -l)
  if [ "$seeds" -eq 0 ]; then
    echo "fuzz[$name] FAILED: no seeds (tests/fuzz/corpus/$name/ or make-seeds.sh)"
    echo 1 >"$work/$name.rc"
    return
  fi
  ASAN_OPTIONS=detect_leaks=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$bin" -max_total_time="$seconds" -timeout="$per_input" \
    -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$crash/" "$corpus" >>"$log" 2>&1
  rc=$?
  if [ "$rc" -eq 0 ] && grep -qE "$REPORT" "$log"; then rc=1; fi
  for f in "$crash"/*; do
    [ -f "$f" ] && cp "$f" "tests/fuzz/$name.${f##*/}"
  done
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
  if [ "$rc" -eq 0 ]; then
    echo "fuzz[$name] ok: ${runs:-?} runs in ${seconds} s from $seeds seeds, ${cov:-cov: ?}"
  else
    echo "fuzz[$name] FAILED (exit $rc):"
    # The report and its stack, without libFuzzer's and libc's frames.
    grep -E "$REPORT|^==[0-9]+==|^ +#[0-9]+ " "$log" |
      grep -vE ' in (fuzzer::|__sanitizer_|__libc_|_start|main |raise |abort |__pthread_kill)| \(/lib/' |
      head -30 | sed 's/^/    /'
    ls tests/fuzz/"$name".crash-* 2>/dev/null | sed 's/^/    input kept: /'
    echo "    whole log: tests/fuzz/$name.log"
  fi
  echo "$rc" >"$work/$name.rc"
}

for t in "$@"; do
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n; done
  run_one "$t" &
done
wait

failed=0
for t in "$@"; do
  rc=$(cat "$work/${t##*/}.rc" 2>/dev/null || echo 1)
  [ "$rc" = 0 ] || failed=$((failed + 1))
done
echo "fuzz: $# targets for ${seconds} s each, $failed failed"
[ "$failed" -eq 0 ]
