#!/bin/sh
# demo.sh - builds httpr in build/ and runs the demo: the httpr CLI fetching
# from a local HTTPS server with every TLS provider built in, one row each.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ -x configure ] || ./autogen.sh >/dev/null
mkdir -p build
cd build
[ -f Makefile ] || ../configure --quiet
make -j"$(nproc)" --no-print-directory >/dev/null
make --no-print-directory demo
