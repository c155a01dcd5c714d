#!/bin/sh
# SPDX-License-Identifier: MIT
# check-secure-env.sh - in a privileged program the library ignores the
# environment. tests/env/env-probe runs twice with every variable of the
# table set (trust anchors, provider, key log): as a plain copy, where the
# library takes each of them, and as a set-group-ID copy whose group the
# user running it is not in, so the kernel marks the process AT_SECURE as
# for any setuid/setgid program; there every variable must read as unset:
# the trust store stays the system's, the provider the build's default,
# no key log is opened or created, and the providers.conf that
# HTTPR_PROVIDERS_CONF names is not read (the probe runs once more with
# only that variable set, so that the file's choice would show).
#
# In a build with provider modules (make check sets HTTPR_PROVIDER_PATH
# to the build tree's), the probes find copies of the modules through
# HTTPR_PROVIDER_PATH: the plain one lists them; the set-group-ID one must
# not load code from there, so it lists only what the installed provider
# directory ($INSTALLED_PROVIDER_DIR) holds, normally nothing.
#
# As root the probes run as nobody (setpriv), the set-group-ID copy
# belonging to root's group; as another user, the copy belongs to one of
# the user's supplementary groups (not the primary one), which sets the
# effective group apart from the real one just the same. Exit 77 (skip)
# when neither is possible or the kernel did not mark the process, say
# on a nosuid file system.
set -eu
build=${top_builddir:-.}
probe=$build/tests/env/env-probe
pki=${PKI_DIR:?PKI_DIR must name the test PKI}

skip() {
  echo "check-secure-env: SKIP: $*"
  exit 77
}
fail() {
  echo "check-secure-env: FAIL: $*" >&2
  exit 1
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
if [ "$(id -u)" -eq 0 ]; then
  command -v setpriv >/dev/null 2>&1 || skip "setpriv (util-linux) not found"
  as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }
  group=0
  chown 65534 "$tmp"
else
  as_user() { "$@"; }
  group=$(id -G | tr ' ' '\n' | grep -vx "$(id -g)" | head -n 1 || true)
  [ -n "$group" ] || skip "no supplementary group to make a set-group-ID copy"
fi
mkdir "$tmp/mods"
modules=no
if [ -n "${HTTPR_PROVIDER_PATH:-}" ]; then
  modules=yes
  cp "$HTTPR_PROVIDER_PATH"/httpr-*.so "$tmp/mods/"
  chmod 644 "$tmp/mods"/*
fi
chmod 755 "$tmp/mods"
cp "$probe" "$tmp/plain-probe"
cp "$probe" "$tmp/sgid-probe"
cp "$pki/ca-bundle.pem" "$tmp/ca.pem"
chmod 755 "$tmp/plain-probe"
chgrp "$group" "$tmp/sgid-probe"
chmod 2755 "$tmp/sgid-probe"
chmod 644 "$tmp/ca.pem"

# The build's default provider, and another built one to ask for instead
# (with one provider built, asking for it changes nothing visible).
as_user env -i HTTPR_PROVIDER_PATH="$tmp/mods" "$tmp/plain-probe" \
  >"$tmp/base.out"
default=$(sed -n 's/^default provider=//p' "$tmp/base.out")
[ -n "$default" ] || fail "the probe did not run"
other=$default
for p in $(sed -n 's/^providers=//p' "$tmp/base.out"); do
  if [ "$p" != "$default" ]; then other=$p; fi
done

# The provider is asked for by both names, the old one naming the default:
# the new name must win. A providers.conf names the other one too.
printf 'order = %s\n' "$other" >"$tmp/providers.conf"
chmod 644 "$tmp/providers.conf"
run() { # NAME PROBE: the probe with every variable set, output in NAME.out
  as_user env -i HTTPR_TLS_PROVIDER="$other" HTTPR_TLS_BACKEND="$default" \
    HTTPR_CA_BUNDLE="$tmp/ca.pem" \
    SSL_CERT_FILE="$tmp/ca.pem" SSL_CERT_DIR="$tmp" \
    SSLKEYLOGFILE="$tmp/$1-keys.log" HTTPR_PROVIDER_PATH="$tmp/mods" \
    HTTPR_PROVIDERS_CONF="$tmp/providers.conf" \
    http_proxy=http://127.0.0.1:1 HTTP_PROXY=http://127.0.0.1:2 \
    https_proxy=http://127.0.0.1:3 HTTPS_PROXY=http://127.0.0.1:4 \
    all_proxy=http://127.0.0.1:5 ALL_PROXY=http://127.0.0.1:6 \
    no_proxy=example.com NO_PROXY=example.net "$tmp/$2" >"$tmp/$1.out"
}
# The probe with only the module directory and providers.conf set: the
# file is the only thing that can choose the other provider.
run_conf() { # NAME PROBE
  as_user env -i HTTPR_PROVIDER_PATH="$tmp/mods" \
    HTTPR_PROVIDERS_CONF="$tmp/providers.conf" "$tmp/$2" >"$tmp/$1.out"
}
expect() { # NAME LINE
  grep -qxF "$2" "$tmp/$1.out" ||
    fail "$1: no line '$2' in:$(printf '\n'; sed 's/^/  /' "$tmp/$1.out")"
}

run plain plain-probe
expect plain "AT_SECURE=0"
expect plain "hr_env_get HTTPR_TLS_PROVIDER=$other"
expect plain "hr_env_get HTTPR_TLS_BACKEND=$default"
expect plain "hr_env_get HTTPR_CA_BUNDLE=$tmp/ca.pem"
expect plain "hr_env_get SSL_CERT_FILE=$tmp/ca.pem"
expect plain "hr_env_get SSL_CERT_DIR=$tmp"
expect plain "hr_env_get SSLKEYLOGFILE=$tmp/plain-keys.log"
expect plain "hr_env_get HTTPR_PROVIDER_PATH=$tmp/mods"
expect plain "hr_env_get HTTPR_PROVIDERS_CONF=$tmp/providers.conf"
n=1
for v in http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY; do
  expect plain "hr_env_get $v=http://127.0.0.1:$n"
  n=$((n + 1))
done
expect plain "hr_env_get no_proxy=example.com"
expect plain "hr_env_get NO_PROXY=example.net"
expect plain "outside the table=none"
expect plain "default provider=$other"
expect plain "trust origin=HTTPR_CA_BUNDLE"
expect plain "key log=open"
[ -f "$tmp/plain-keys.log" ] || fail "plain: the key log was not created"
# The old name alone still picks the provider.
as_user env -i HTTPR_TLS_BACKEND="$other" HTTPR_PROVIDER_PATH="$tmp/mods" \
  "$tmp/plain-probe" >"$tmp/old.out"
expect old "default provider=$other"
# The file alone picks it as well.
run_conf plain-conf plain-probe
expect plain-conf "default provider=$other"
expect plain-conf "default from=$tmp/providers.conf"

run sgid sgid-probe
grep -qx "AT_SECURE=1" "$tmp/sgid.out" ||
  skip "the set-group-ID copy did not run AT_SECURE (a nosuid file system?)"
for v in HTTPR_TLS_PROVIDER HTTPR_TLS_BACKEND HTTPR_CA_BUNDLE SSL_CERT_FILE \
  SSL_CERT_DIR \
  SSLKEYLOGFILE HTTPR_PROVIDER_PATH HTTPR_PROVIDERS_CONF http_proxy \
  HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY; do
  expect sgid "hr_env_get $v=(unset)"
done
# The variables did reach the process: only the library looked away.
expect sgid "raw HTTPR_CA_BUNDLE=$tmp/ca.pem"
expect sgid "raw SSLKEYLOGFILE=$tmp/sgid-keys.log"
expect sgid "raw HTTPR_PROVIDER_PATH=$tmp/mods"
expect sgid "raw HTTPR_PROVIDERS_CONF=$tmp/providers.conf"
# Set-group-ID, the file HTTPR_PROVIDERS_CONF names is not the one read
# (the configured one is, which does not concern this test).
run_conf sgid-conf sgid-probe
expect sgid-conf "raw HTTPR_PROVIDERS_CONF=$tmp/providers.conf"
expect sgid-conf "hr_env_get HTTPR_PROVIDERS_CONF=(unset)"
if grep '^default' "$tmp/sgid-conf.out" | grep -qF "$tmp/providers.conf"; then
  fail "sgid: the default came from HTTPR_PROVIDERS_CONF's file:" \
    "$(grep '^default' "$tmp/sgid-conf.out")"
fi
expect sgid "outside the table=none"
installed=no
for f in "${INSTALLED_PROVIDER_DIR:-/nonexistent}"/httpr-*.so; do
  [ -e "$f" ] && installed=yes
done
if [ "$modules" = no ]; then
  expect sgid "default provider=$default"
elif [ "$installed" = no ]; then
  # No module was loaded from HTTPR_PROVIDER_PATH's directory.
  expect sgid "providers="
  expect sgid "default provider="
else
  echo "check-secure-env: modules are installed in $INSTALLED_PROVIDER_DIR:" \
    "the set-group-ID probe's provider list is theirs, not checked"
fi
grep -q '^trust origin=\(system\|none\)' "$tmp/sgid.out" ||
  fail "sgid: the trust store came from the environment: $(grep '^trust' "$tmp/sgid.out")"
expect sgid "key log=none"
[ ! -e "$tmp/sgid-keys.log" ] || fail "sgid: the key log was created"
# Every variable the table lists was checked above.
listed=$(grep -c '^hr_env_get ' "$tmp/sgid.out")
# A variable added to the table must be set in run() above as well.
[ "$listed" -eq 16 ] || fail "the table has $listed variables; update this test"
echo "check-secure-env: set-group-ID (AT_SECURE): all $listed variables ignored;" \
  "plain: all taken (default provider $default, asked $other; modules:" \
  "$modules)"
