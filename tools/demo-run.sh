#!/bin/sh
# SPDX-License-Identifier: MIT
# demo-run.sh - run by `make demo`: starts the test server on loopback and
# runs `httpr --compare`, the same request with every provider built in,
# against a good certificate and then an expired one, to show that every
# provider negotiates and fails the same way; then, per provider, 100
# requests at once over one HTTP/2 connection and a TLS session resumed on
# a second connection. Needs HTTPR_CLI, TEST_SERVER and PKI_DIR.
set -eu
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null || true; done' EXIT

# Starts the test server with a certificate; sets PORT. Not in a
# subshell, so the EXIT trap knows every pid to stop.
start() {
  fifo=$(mktemp -u)
  mkfifo "$fifo"
  "$TEST_SERVER" --cert "$PKI_DIR/$1.crt" --key "$PKI_DIR/$1.key" \
    --alpn h2,http/1.1 --max-seconds 60 >"$fifo" 2>/dev/null &
  pids="$pids $!"
  read -r line <"$fifo"
  rm -f "$fifo"
  PORT=${line#PORT=}
}

start good-ecdsa
good=$PORT
start expired
expired=$PORT
echo "httpr $("$HTTPR_CLI" --version | head -n 1 | cut -d' ' -f2):" \
  "httpr --compare --cacert ca.pem URL"
echo
"$HTTPR_CLI" --compare --cacert "$PKI_DIR/ca-bundle.pem" \
  "https://localhost:$good/"
echo
echo "A server whose certificate has expired:"
"$HTTPR_CLI" --compare --cacert "$PKI_DIR/ca-bundle.pem" \
  "https://localhost:$expired/" 2>&1 || true

# 100 requests at once (-Z) and the connections they took; then two
# requests on two connections (HTTP/1.1, Connection: close) and whether the
# second resumed the first's TLS session.
url="https://localhost:$good/"
echo
echo "Per provider: 100 requests at once with -Z (HTTP/2), and TLS session"
echo "resumption on a second connection:"
for p in $("$HTTPR_CLI" --list-providers | awk 'NR > 1 && $1 != "default:" { print $1 }'); do
  set -- -Z --tls-provider "$p" --cacert "$PKI_DIR/ca-bundle.pem" -s
  for i in $(seq 100); do set -- "$@" -o /dev/null "$url"; done
  conns=$("$HTTPR_CLI" "$@" -w '%{num_connects} %{http_version}\n' |
    awk '{ c += $1; v = $2 } END { printf "%d connection(s), HTTP/%s", c, v }')
  resumed=$("$HTTPR_CLI" --tls-provider "$p" --cacert "$PKI_DIR/ca-bundle.pem" \
    --http1.1 -s -H 'Connection: close' -o /dev/null -o /dev/null \
    -w '%{ssl_session_resumed} ' "$url" "$url" | sed 's/ $//')
  printf '%-8s 100 requests on %s; resumed (1st, 2nd connection): %s\n' \
    "$p" "$conns" "$resumed"
done
