#!/bin/sh
# SPDX-License-Identifier: MIT
# run-conformance.sh PROVIDER - runs the conformance suite against one
# provider and shows its cmocka summary on fd 9 (make check's terminal).
set -u
provider=$1
bin=${top_builddir:-.}/tests/conformance/conformance
out=${TMPDIR:-/tmp}/httpr-conformance-$provider-$$.log
"$bin" --provider "$provider" >"$out" 2>&1 9>&-
rc=$?
cat "$out"
if { true >&9; } 2>/dev/null; then
  grep -E '^\[(==========|  PASSED  |  FAILED  )\]' "$out" |
    sed "s/^/conformance[$provider] /" >&9
  grep -E '^\[  FAILED  \] ' "$out" | sed "s/^/conformance[$provider] /" >&9
fi
rm -f "$out"
exit $rc
