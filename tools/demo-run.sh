#!/bin/sh
# demo-run.sh - run by `make demo`: starts the test server on loopback and
# runs `httpr --compare`, the same request with every provider built in,
# against a good certificate and then an expired one, to show that every
# provider negotiates and fails the same way. Needs HTTPR_CLI, TEST_SERVER
# and PKI_DIR.
set -eu
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null || true; done' EXIT

# Starts the test server with a certificate; sets PORT. Not in a
# subshell, so the EXIT trap knows every pid to stop.
start() {
  fifo=$(mktemp -u)
  mkfifo "$fifo"
  "$TEST_SERVER" --cert "$PKI_DIR/$1.crt" --key "$PKI_DIR/$1.key" \
    --max-seconds 60 >"$fifo" 2>/dev/null &
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
