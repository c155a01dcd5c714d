#!/bin/sh
# test-all.sh - every test: `make check` in build/ (unit tests, the
# conformance suite for every provider, interop against nginx and openssl
# s_server), the unit tests and the suite again under valgrind, the same
# under AddressSanitizer and UBSan in build-sanitizers/, and
# `make distcheck`. Run tools/install-deps.sh first on a fresh machine.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ -f config.status ]; then
  echo "test-all.sh: the source tree is configured in place; run" \
    "'make distclean' there first (builds go to build/)" >&2
  exit 1
fi
jobs=$(nproc)
[ -x configure ] || ./autogen.sh >/dev/null 2>&1 || { ./autogen.sh; exit 1; }

step() { printf '\n=== %s\n' "$*"; }

step "build and make check (build/)"
mkdir -p build
(cd build && { [ -f Makefile ] || ../configure --quiet --enable-werror; } &&
  make -j"$jobs" --no-print-directory >/dev/null &&
  make -j"$jobs" --no-print-directory check)

step "unit tests and conformance under valgrind (build/)"
(cd build && make -j"$jobs" --no-print-directory check-valgrind)

step "sanitizer build and make check (build-sanitizers/)"
mkdir -p build-sanitizers
(cd build-sanitizers &&
  { [ -f Makefile ] ||
    ../configure --quiet --enable-werror --enable-sanitizers; } &&
  make -j"$jobs" --no-print-directory >/dev/null &&
  make -j"$jobs" --no-print-directory check)

step "make distcheck (build/)"
(cd build && make -j"$jobs" --no-print-directory distcheck >distcheck.log 2>&1 ||
  { tail -n 60 distcheck.log; exit 1; })
grep -E 'archives ready for distribution|^httpr-' build/distcheck.log | head -n 3

step "all tests passed"
