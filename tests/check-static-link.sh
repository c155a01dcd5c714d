#!/bin/sh
# SPDX-License-Identifier: MIT
# check-static-link.sh BUILD - in a build configured with --disable-modules
# --enable-static, a program links libhttpr.a with only what
# `pkg-config --static --libs httpr` adds (httpr.pc's Libs.private and
# Requires.private: nghttp2 and the TLS libraries), and every provider
# built in is present in it: examples/get.c, linked so, asked for each
# provider in turn, fails to connect to a closed port (exit 1, the connect
# error), never with the provider-unknown error.
set -eu
build=${1:?usage: tests/check-static-link.sh BUILD}
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -f "$build/.libs/libhttpr.a" ] ||
  { echo "check-static-link: $build/.libs/libhttpr.a is missing (configure --disable-modules --enable-static)" >&2; exit 1; }
providers=$(sed -n 's/^providers = //p' "$build/Makefile")
# What the .pc file says beyond -L and -lhttpr itself.
extra=$(PKG_CONFIG_PATH=$build pkg-config --static --libs httpr |
  sed 's/-L[^ ]*//g; s/-lhttpr\( \|$\)/ /')
# shellcheck disable=SC2086
cc -I"$src/api" -o "$tmp/get" "$src/examples/get.c" "$build/.libs/libhttpr.a" \
  $extra
if ldd "$tmp/get" | grep -q libhttpr; then
  echo "check-static-link: get links libhttpr.so, not libhttpr.a" >&2
  exit 1
fi
for p in $providers; do
  rc=0
  HTTPR_TLS_PROVIDER=$p "$tmp/get" https://127.0.0.1:1/ >"$tmp/out" 2>&1 || rc=$?
  if [ "$rc" != 1 ] || ! grep -q '^HTTPR_E_CONNECT' "$tmp/out"; then
    echo "check-static-link: provider $p: exit $rc, $(cat "$tmp/out")" >&2
    exit 1
  fi
done
echo "check-static-link: libhttpr.a links with pkg-config --static alone;" \
  "providers in it: $providers"
