#!/bin/sh
# SPDX-License-Identifier: MIT
# run-examples.sh - the examples/ programs, built by make check, run
# against the test server on loopback: get fetches an https URL with every
# provider built in, chosen by HTTPR_TLS_PROVIDER, by its old name
# HTTPR_TLS_BACKEND, and by both (the new name wins); fails as documented
# on a bad URL and an untrusted server; version agrees with configure.
set -eu
build=${top_builddir:-.}
cli=${HTTPR_CLI:?HTTPR_CLI must name the httpr program}
server=${TEST_SERVER:?TEST_SERVER must name the test server}
pki=${PKI_DIR:?PKI_DIR must name the test PKI}
get=$build/examples/get
tmp=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
failed=0 passed=0
ok() { passed=$((passed + 1)); }
bad() {
  echo "run-examples: FAIL: $*" >&2
  failed=$((failed + 1))
}

"$server" --cert "$pki/good-ecdsa.crt" --key "$pki/good-ecdsa.key" \
  --port 0 --max-seconds 120 >"$tmp/server.out" 2>"$tmp/server.err" &
server_pid=$!
n=0
while [ $n -lt 100 ] && ! grep -q '^PORT=' "$tmp/server.out"; do
  sleep 0.1
  n=$((n + 1))
done
port=$(sed -n 's/^PORT=//p' "$tmp/server.out")
[ -n "$port" ] || { echo "run-examples: the test server did not start" >&2; exit 1; }
url="https://localhost:$port/"

# run NAME [VAR=VALUE...]: get URL in a clean environment but for the CA
# and the given variables; stdout in NAME.out, stderr in NAME.err, exit
# code in $rc.
run() {
  name=$1
  shift
  rc=0
  env -u HTTPR_TLS_PROVIDER -u HTTPR_TLS_BACKEND -u SSL_CERT_FILE \
    -u SSL_CERT_DIR HTTPR_CA_BUNDLE="$pki/ca-bundle.pem" "$@" \
    "$get" "${target:-$url}" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
}
# expect NAME RC PATTERN: exit code RC and one line of output (stdout for
# 0, stderr else) matching the extended regular expression PATTERN.
expect() {
  f=$tmp/$1.out
  [ "$2" = 0 ] || f=$tmp/$1.err
  if [ "$rc" != "$2" ] || ! grep -qxE "$3" "$f" || [ "$(wc -l <"$f")" != 1 ]; then
    bad "$1: exit $rc (want $2), output: $(cat "$tmp/$1.out" "$tmp/$1.err")"
  else
    ok
  fi
}

providers=$("$cli" --list-providers | awk 'NR > 1 && $1 != "" && $1 != "default:" { print $1 }')
[ -n "$providers" ] || { echo "run-examples: no provider listed" >&2; exit 1; }
last=
for p in $providers; do
  run "new-$p" HTTPR_TLS_PROVIDER="$p"
  expect "new-$p" 0 "200 TLSv1\.[23], [0-9]+ bytes over $p"
  run "old-$p" HTTPR_TLS_BACKEND="$p"
  expect "old-$p" 0 "200 TLSv1\.[23], [0-9]+ bytes over $p"
  # Both set: the new name wins over the old.
  run "both-$p" HTTPR_TLS_PROVIDER="$p" HTTPR_TLS_BACKEND="${last:-no-such}"
  expect "both-$p" 0 "200 TLSv1\.[23], [0-9]+ bytes over $p"
  last=$p
done

target="https://localhost:$port/ x"
run bad-url
target=
expect bad-url 1 'HTTPR_E_URL: .+'
# Without the test CA the server's chain is not trusted.
rc=0
env -u HTTPR_TLS_PROVIDER -u HTTPR_TLS_BACKEND -u HTTPR_CA_BUNDLE \
  SSL_CERT_FILE="$pki/other-root-ca.pem" "$get" "$url" \
  >"$tmp/untrusted.out" 2>"$tmp/untrusted.err" || rc=$?
expect untrusted 1 'HTTPR_E_CERT_UNTRUSTED: certificate verify failed: .+'
rc=0
"$get" >"$tmp/usage.out" 2>"$tmp/usage.err" || rc=$?
expect usage 2 'usage: .+ URL'

# version: the header's and the library's numbers agree, and with
# configure's version (the library's string).
rc=0
"$build/examples/version" >"$tmp/version.out" 2>"$tmp/version.err" || rc=$?
v=$(sed -n 's/^compiled \([0-9.]*\) .*/\1/p' "$tmp/version.out")
num=$(echo "$v" | awk -F. '{ printf "0x%06x", $1 * 65536 + $2 * 256 + $3 }')
expect version 0 "compiled $v \\($num\\), running $v \\($num\\)"

[ "$failed" = 0 ] || { echo "--- server log"; cat "$tmp/server.err"; exit 1; }
echo "run-examples: $passed checks passed (providers: $(echo $providers))"
