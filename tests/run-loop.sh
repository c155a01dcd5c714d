#!/bin/sh
# SPDX-License-Identifier: MIT
# run-loop.sh PROVIDER - the event-loop tests (LOOP_BINS, set by make
# check: tests/loop/loop-poll for poll and httpr_loop_perform, loop-uv for
# libuv, loop-event for libevent) against one provider, each program's
# result line shown on fd 9 (make check's terminal). Fails when any fails.
set -u
provider=$1
rc=0
[ -n "${LOOP_BINS:-}" ] || { echo "run-loop.sh: LOOP_BINS unset" >&2; exit 1; }
for bin in $LOOP_BINS; do
  prog=${bin##*/}
  bin=${top_builddir:-.}/$bin
  out=${TMPDIR:-/tmp}/httpr-$prog-$provider-$$.log
  "$bin" --provider "$provider" >"$out" 2>&1 9>&-
  prc=$?
  cat "$out"
  if { true >&9; } 2>/dev/null; then
    grep -E '(passed, [0-9]+ failed|: FAIL: )' "$out" | head -20 >&9
    [ "$prc" -eq 0 ] || grep -q 'passed, [0-9]* failed' "$out" ||
      echo "$prog[$provider]: exited with status $prc" >&9
  fi
  rm -f "$out"
  [ "$prc" -eq 0 ] || rc=1
done
exit $rc
