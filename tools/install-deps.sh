#!/bin/sh
# SPDX-License-Identifier: MIT
# install-deps.sh - installs, with apt-get, everything httpr needs to build,
# test and benchmark on Debian 12. Run as root (or with sudo available).
# nghttp2-server gives nghttpd (the HTTP/2 interop tests), nghttp2-client
# gives nghttp and h2load (HTTP/2 by hand, the h2 benchmark anchor); curl
# runs beside httpr in make check-interop. h2o (2.2.5, with mruby) is the
# interop tests' HTTP/2 upload target: it opens 16 MiB windows at once and
# then waits silently for the body (the stall of issue 14), and its mruby
# handler answers an uploaded body's length and SHA-1, also for the
# uploads nginx passes on to it; the tests start an h2o of their own and
# never use the package's service. apache2 (httpd with mod_ssl and
# mod_http2), caddy, lighttpd with lighttpd-mod-mbedtls and
# lighttpd-mod-gnutls (one server, two TLS stacks) are the servers of
# make check-interop's servers section (tests/interop/servers.sh), which
# starts its own on loopback with configs of its own, never the system
# services. clang (the "clang" command)
# and libclang-rt-14-dev (libFuzzer and clang's sanitizer runtimes) build
# the fuzz targets, llvm gives llvm-symbolizer for readable sanitizer
# reports; gcc's ThreadSanitizer runtime comes with build-essential.
# python3 runs tests/pki/kdf-files.py (as /usr/bin/python3).
# libuv1-dev and libevent-dev are the event loops make check drives the
# library from (tests/loop/).
# groff-base (groff -ww, which tests/check-man.sh runs on every man page)
# and man-db (man -l) check the man pages; python3 also generates them.
# abigail-tools gives abidw and abidiff, which make check uses against the
# ABI baseline (tests/check-abi.sh). dpkg-dev, debhelper and lintian build
# and check the Debian packages (tools/test-packages.sh). libunistring-dev
# is what gnutls.pc's Libs.private names beyond libgnutls28-dev's own
# dependencies, needed by a static link (tests/check-static-link.sh).
# dante-server gives danted, the real SOCKS5 proxy of make check
# (tests/socks5-probe, tests/conformance/dante.c), started on loopback with
# a config of its own, never the system service.
# squid is the HTTP proxy of the conformance group proxy, which starts its
# own on loopback (tests/conformance/squid.c) with basic_ncsa_auth from
# /usr/lib/squid, never the package's service.
set -eu
packages="build-essential autoconf automake libtool pkg-config
  libssl-dev openssl ca-certificates libgnutls28-dev libmbedtls-dev
  libnghttp2-dev libcmocka-dev libuv1-dev libevent-dev
  nginx gnutls-bin curl valgrind
  nghttp2-server nghttp2-client h2o
  apache2 caddy lighttpd lighttpd-mod-mbedtls lighttpd-mod-gnutls
  clang libclang-rt-14-dev llvm python3
  groff-base man-db
  abigail-tools dpkg-dev debhelper lintian libunistring-dev
  dante-server squid"
if [ "$(id -u)" -eq 0 ]; then
  run=""
elif command -v sudo >/dev/null 2>&1; then
  run="sudo"
else
  echo "install-deps.sh: run me as root" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# The postinst scripts of nginx, h2o, apache2, caddy, lighttpd, squid and
# dante-server start their system services (on port 80, squid's on 3128,
# danted on 1080) unless /usr/sbin/policy-rc.d exits 101. The tests never
# use those services, so where no policy exists one
# that refuses every start is written, and left in place: a later
# upgrade would start them otherwise. An existing policy is kept as it
# is.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\n# Written by httpr tools/install-deps.sh: no service starts on install.\nexit 101\n' |
    $run tee /usr/sbin/policy-rc.d >/dev/null
  $run chmod 755 /usr/sbin/policy-rc.d
fi
$run apt-get update -qq
# shellcheck disable=SC2086
$run apt-get install -y -qq --no-install-recommends $packages >/dev/null
echo "install-deps.sh: installed $(echo $packages | wc -w) packages"
