#!/bin/sh
# SPDX-License-Identifier: MIT
# demo.sh - builds httpr in build/ and runs the demo: the httpr CLI fetching
# from a local HTTPS server with every TLS provider built in, one row each.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Build output is kept out of the way, and shown only when something fails.
quietly() {
  "$@" >"$log" 2>&1 || { cat "$log" >&2; echo "demo.sh: '$*' failed" >&2; exit 1; }
}
[ -x configure ] || quietly ./autogen.sh
mkdir -p build
cd build
[ -f Makefile ] || quietly ../configure
quietly make -j"$(nproc)" all tests/server/test-server tests/pki-out/.complete
make --no-print-directory demo
