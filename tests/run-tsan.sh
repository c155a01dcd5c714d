#!/bin/bash
# SPDX-License-Identifier: MIT
# run-tsan.sh PROVIDER... - make check-tsan, in a build configured with
# --enable-tsan: the conformance suite's pool and HTTP/2 scenarios (where
# threads share clients, connections and sessions) once per provider
# under ThreadSanitizer, waits stretched 5 times. Fails on any failed test
# and on any ThreadSanitizer report, from the suite or from a test server
# it started (both write to the log): tests/conformance-PROVIDER.tsan.log.
# Reports from inside the TLS libraries, which are not instrumented, are
# suppressed by tests/tsan.supp, each with its reason.
# Needs top_srcdir, top_builddir, PKI_DIR and TEST_SERVER (make sets them).
set -u
src=${top_srcdir:?top_srcdir not set}
build=${top_builddir:-.}
groups=${TSAN_GROUPS:-pool,h2}
export HTTPR_TEST_GROUPS=$groups
export HTTPR_TEST_TIMEOUT_MULTIPLIER=${HTTPR_TEST_TIMEOUT_MULTIPLIER:-5}
# exitcode: a run with a report fails even when every test passed;
# halt_on_error=0 so that one run shows every report, not the first.
export TSAN_OPTIONS="halt_on_error=0 exitcode=66 second_deadlock_stack=1 suppressions=$(cd "$src" && pwd)/tests/tsan.supp"
failed=0
for p in "$@"; do
  log=tests/conformance-$p.tsan.log
  "$build/tests/conformance/conformance" --provider "$p" >"$log" 2>&1
  rc=$?
  reports=$(grep -c '^WARNING: ThreadSanitizer' "$log")
  summary=$(grep -E '^\[  (PASSED|FAILED)  \] [0-9]+ test' "$log" | paste -sd ' ')
  if [ "$rc" -eq 0 ] && [ "$reports" -eq 0 ]; then
    echo "tsan: conformance[$p] ($groups) clean: $summary"
  else
    failed=$((failed + 1))
    echo "tsan: conformance[$p] ($groups) FAILED: exit $rc, $reports report(s); $summary"
    grep -E -A24 '^WARNING: ThreadSanitizer' "$log" | head -120
    grep -E '^\[  FAILED  \] ' "$log"
    echo "    whole log: $log"
  fi
done
[ "$failed" -eq 0 ]
