#!/bin/sh
# SPDX-License-Identifier: MIT
# check-module-symbols.sh - in a build with provider modules, libhttpr.so
# links no TLS library, and each module httpr-NAME.so exports only its
# entry point, needs no symbol of libhttpr (it reaches the core through
# the service table, backends/provider_module.h) and links its own TLS
# library and no other one. Exit 77 (skip) in a --disable-modules build.
set -eu
build=${top_builddir:-.}
dir=${HTTPR_PROVIDER_PATH:-}
[ -n "$dir" ] || { echo "check-module-symbols: SKIP: no modules"; exit 77; }
command -v nm >/dev/null 2>&1 && command -v objdump >/dev/null 2>&1 ||
  { echo "check-module-symbols: SKIP: nm or objdump missing"; exit 77; }
fail() {
  echo "check-module-symbols: FAIL: $*" >&2
  exit 1
}
needed() { objdump -p "$1" | sed -n 's/^ *NEEDED *//p'; }
tls_libs='^lib(ssl|crypto|gnutls|mbedtls|mbedx509|mbedcrypto)\.'

lib=$build/.libs/libhttpr.so
[ -f "$lib" ] || fail "$lib not built"
if needed "$lib" | grep -E "$tls_libs" >/dev/null; then
  fail "libhttpr.so links a TLS library: $(needed "$lib" | tr '\n' ' ')"
fi

count=0
for m in "$dir"/httpr-*.so; do
  [ -e "$m" ] || fail "no module in $dir"
  name=$(basename "$m" .so)
  name=${name#httpr-}
  exports=$(nm -D --defined-only "$m" | awk '{print $3}' | sort | tr '\n' ' ')
  [ "$exports" = "httpr_provider_entry " ] ||
    fail "$m exports more than its entry point: $exports"
  private=$(nm -D --undefined-only "$m" | awk '{print $2}' |
    grep -E '^(hr_|httpr_)' || true)
  [ -z "$private" ] || fail "$m needs symbols of libhttpr: $private"
  libs=$(needed "$m")
  if echo "$libs" | grep -q '^libhttpr\.'; then
    fail "$m links libhttpr"
  fi
  case $name in
  openssl) own='^lib(ssl|crypto)\.' ;;
  gnutls) own='^libgnutls\.' ;;
  mbedtls) own='^libmbed(tls|x509|crypto)\.' ;;
  *) fail "$m: a provider this check does not know" ;;
  esac
  echo "$libs" | grep -Eq "$own" || fail "$m does not link its TLS library"
  others=$(echo "$libs" | grep -E "$tls_libs" | grep -Ev "$own" || true)
  [ -z "$others" ] || fail "$m links another TLS library: $others"
  count=$((count + 1))
done
echo "check-module-symbols: libhttpr.so links no TLS library; $count" \
  "modules export only httpr_provider_entry and need nothing of libhttpr"
