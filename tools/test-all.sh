#!/bin/sh
# SPDX-License-Identifier: MIT
# test-all.sh [--release] - every test tier, as CI runs them (.ci/run), one
# timed step each:
#   plain      build/: the build, make check-install (install into a
#              scratch DESTDIR and uninstall), make check-interop
#   packages   tools/test-packages.sh: the Debian packages built from
#              build/'s `make dist` tarball (running make check there, so
#              plain does not run it again), lintian, then installed, used
#              with each provider, one provider removed, all purged (root)
#   built-in   build-builtin/: --disable-modules --enable-static (the
#              providers built into libhttpr, for static use), the provider
#              contract suite, and a program linked with libhttpr.a and
#              pkg-config --static (tests/check-static-link.sh)
#   sanitizers build-sanitizers/: ASan and UBSan build, make check
#   valgrind   build/: make check-valgrind, the unit tests and the
#              conformance groups in VALGRIND_GROUPS (default below)
#   tsan       build-tsan/: make check-tsan
#   fuzz       build-fuzz/ (clang): make check-fuzz, FUZZ_SECONDS (30) each
# then the time of each and the total, which must stay within the CI
# budget of TEST_BUDGET_MINUTES (28): every change must fit in it.
# --release also runs, after the CI steps and outside the budget,
# valgrind on every conformance scenario and make distcheck (which CI
# leaves to the package build).
# Run tools/install-deps.sh first on a fresh machine.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
release=0
for arg; do
  case $arg in
    --release) release=1 ;;
    *) echo "usage: tools/test-all.sh [--release]" >&2; exit 2 ;;
  esac
done
if [ -f config.status ]; then
  echo "test-all.sh: the source tree is configured in place; run" \
    "'make distclean' there first (builds go to build*/)" >&2
  exit 1
fi
jobs=$(nproc)
budget=${TEST_BUDGET_MINUTES:-28}
fuzz_seconds=${FUZZ_SECONDS:-30}
valgrind_groups=${VALGRIND_GROUPS:-verify,client_cert,late_cert,http,h2,revocation,pinning}
[ -x configure ] || ./autogen.sh >/dev/null 2>&1 || { ./autogen.sh; exit 1; }

times=""
total=0
ci_total=0
mmss() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# step NAME IN_BUDGET COMMAND...: runs COMMAND, prints and keeps its time.
step() {
  name=$1
  counted=$2
  shift 2
  printf '\n=== %s\n' "$name"
  start=$(date +%s)
  if "$@"; then rc=0; else rc=$?; fi
  took=$(($(date +%s) - start))
  total=$((total + took))
  [ "$counted" = 0 ] || ci_total=$((ci_total + took))
  times="$times$(printf '  %-60s %8s' "$name" "$(mmss "$took")")
"
  printf '=== %s: %s\n' "$name" "$(mmss "$took")"
  if [ "$rc" -ne 0 ]; then
    printf '\n=== FAILED: %s (exit %d)\n%s' "$name" "$rc" "$times"
    exit 1
  fi
}

# configured DIR CONFIGURE-ARGS...: DIR configured (once) with those args.
configured() {
  dir=$1
  shift
  mkdir -p "$dir"
  [ -f "$dir/Makefile" ] || (cd "$dir" && "$@" --quiet --enable-werror)
}

make_in() {
  dir=$1
  shift
  make -C "$dir" -j"$jobs" --no-print-directory "$@"
}

plain() {
  configured build ../configure &&
    make_in build >/dev/null && make_in build check-install &&
    HTTPR_INTEROP_REQUIRED=1 make_in build check-interop
}

builtin() {
  configured build-builtin ../configure --disable-modules --enable-static &&
    make_in build-builtin >/dev/null &&
    make_in build-builtin check TESTS=tests/provider/provider-suite &&
    sh tests/check-static-link.sh build-builtin
}

sanitizers() {
  configured build-sanitizers ../configure --enable-sanitizers &&
    make_in build-sanitizers >/dev/null && make_in build-sanitizers check
}

valgrind_run() {
  make_in build check-valgrind VALGRIND_GROUPS="$1"
}

tsan() {
  configured build-tsan ../configure --enable-tsan &&
    make_in build-tsan >/dev/null && make_in build-tsan check-tsan
}

fuzz() {
  configured build-fuzz env CC=clang ../configure --enable-fuzzing &&
    make_in build-fuzz >/dev/null &&
    make_in build-fuzz check-fuzz FUZZ_SECONDS="$fuzz_seconds"
}

distcheck() {
  make_in build distcheck >build/distcheck.log 2>&1 ||
    { tail -n 60 build/distcheck.log; return 1; }
  grep -E 'archives ready for distribution|^httpr-' build/distcheck.log |
    head -n 3
}

step "plain: build, check-install, check-interop" 1 plain
step "packages: build (make check), lintian, install, use, remove, purge" 1 \
  tools/test-packages.sh build
step "built-in: --disable-modules build, contract suite, static link" 1 \
  builtin
step "sanitizers: ASan+UBSan build, make check" 1 sanitizers
step "valgrind: units, conformance ($valgrind_groups)" 1 \
  valgrind_run "$valgrind_groups"
step "tsan: make check-tsan" 1 tsan
step "fuzz: make check-fuzz, ${fuzz_seconds} s per target" 1 fuzz
if [ "$release" = 1 ]; then
  step "release: valgrind on every conformance scenario" 0 valgrind_run ""
  step "release: make distcheck" 0 distcheck
fi

printf '\n=== step times\n%s' "$times"
printf '  %-60s %8s\n' "CI steps (budget ${budget}m)" "$(mmss "$ci_total")"
[ "$release" = 0 ] || printf '  %-60s %8s\n' "all steps" "$(mmss "$total")"
if [ "$ci_total" -gt $((budget * 60)) ]; then
  echo "=== FAILED: the CI steps took $(mmss "$ci_total"), over the" \
    "budget of ${budget} minutes" >&2
  exit 1
fi
echo "=== all tests passed"
