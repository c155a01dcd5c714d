#!/bin/sh
# demo-run.sh - run by `make demo`: starts the test server on loopback and
# fetches from it with the httpr CLI once per provider built in, then once
# more from a server with an expired certificate, to show that every
# provider negotiates and fails the same way. Needs HTTPR_CLI, TEST_SERVER
# and PKI_DIR.
set -eu
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null || true; done' EXIT

start() { # cert name -> prints the port
  fifo=$(mktemp -u)
  mkfifo "$fifo"
  "$TEST_SERVER" --cert "$PKI_DIR/$1.crt" --key "$PKI_DIR/$1.key" \
    --max-seconds 60 >"$fifo" 2>/dev/null &
  pids="$pids $!"
  read -r line <"$fifo"
  rm -f "$fifo"
  echo "${line#PORT=}"
}

good=$(start good-ecdsa)
expired=$(start expired)
providers=$("$HTTPR_CLI" --list-backends | awk 'NR > 1 && $1 != "" { print $1 }')
fmt='%{tls_provider}\t%{http_code}\t%{tls_version}\t%{tls_cipher}\t%{alpn}\t%{time_appconnect}\t%{time_total}\n'

echo "httpr $("$HTTPR_CLI" --version | head -n 1 | cut -d' ' -f2) demo:" \
  "GET https://localhost:$good/ with every provider"
echo
{
  printf 'provider\tstatus\tTLS\tcipher\tALPN\thandshake_s\ttotal_s\n'
  for p in $providers; do
    "$HTTPR_CLI" -sS --tls-backend "$p" --cacert "$PKI_DIR/ca-bundle.pem" \
      -o /dev/null -w "$fmt" "https://localhost:$good/" || true
  done
} | awk -F '\t' '{ printf "  %-9s %-7s %-8s %-24s %-9s %-12s %s\n",
                      $1, $2, $3, $4, $5, $6, $7 }'
echo
echo "The same request to a server whose certificate has expired:"
for p in $providers; do
  printf '  %-8s ' "$p"
  "$HTTPR_CLI" -sS --tls-backend "$p" --cacert "$PKI_DIR/ca-bundle.pem" \
    "https://localhost:$expired/" 2>&1 | head -n 1 || true
done
