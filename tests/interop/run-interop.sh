#!/bin/bash
# run-interop.sh - the httpr CLI, with every provider built in, against
# third-party servers from Debian packages on loopback: nginx (good and bad
# chains, TLS 1.2-only and 1.3-only, client certificate required), openssl
# s_server (TLS 1.2-only, 1.3-only, client certificate required: absent,
# good, untrusted) and gnutls-serv (good and expired chains, client
# certificate required). Checks curl's exit codes and the error lines, and
# the key log. A provider without TLS 1.3 (its feature bits say so) must
# fail a TLS 1.3-only server with exit 35. TLS session resumption: two URLs
# in one process against nginx with a session cache and tickets, where the
# second connection must resume the first one's session (when the provider
# declares session-resume), never with --no-sessionid. Needs PKI_DIR and
# HTTPR_CLI (make check sets them); nginx, openssl and gnutls-bin must be
# installed.
set -u

PKI=${PKI_DIR:?PKI_DIR not set}
CLI=${HTTPR_CLI:?HTTPR_CLI not set}
for tool in nginx openssl gnutls-serv; do
  if ! command -v "$tool" >/dev/null 2>&1 &&
     ! [ -x "/usr/sbin/$tool" ]; then
    echo "interop: $tool is not installed (apt-get install nginx openssl gnutls-bin)" >&2
    exit 1
  fi
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

WORK=$(mktemp -d /tmp/httpr-interop-XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  if [ -f "$WORK/nginx.pid" ]; then
    kill "$(cat "$WORK/nginx.pid")" 2>/dev/null
  fi
  sleep 0.2
  rm -rf "$WORK"
}
trap cleanup EXIT

# Waits (at most 10 s) until something listens on 127.0.0.1:$1.
wait_port() {
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

# ---- nginx: one server block per case, ports BASE..BASE+8 ----------------
mkdir -p "$WORK/www"
# nginx workers run as an unprivileged user: the docroot must be readable.
chmod 755 "$WORK" "$WORK/www"
echo "hello from nginx" >"$WORK/www/index.html"
chmod 644 "$WORK/www/index.html"

nginx_block() { # port cert [extra directives]
  cat <<EOF
  server {
    listen 127.0.0.1:$1 ssl;
    server_name localhost;
    ssl_certificate $PKI/$2.crt;
    ssl_certificate_key $PKI/$2.key;
    root $WORK/www;
    $3
  }
EOF
}

start_nginx() {
  local base=$1
  {
    echo "worker_processes 1; pid $WORK/nginx.pid; error_log $WORK/nginx-error.log;"
    echo "daemon on; events { worker_connections 64; }"
    echo "http { access_log off; client_body_temp_path $WORK/tmp;"
    echo "  proxy_temp_path $WORK/tmp; fastcgi_temp_path $WORK/tmp;"
    echo "  uwsgi_temp_path $WORK/tmp; scgi_temp_path $WORK/tmp;"
    nginx_block $((base + 0)) good-ecdsa "ssl_protocols TLSv1.2 TLSv1.3;"
    nginx_block $((base + 1)) expired ""
    nginx_block $((base + 2)) wronghost ""
    nginx_block $((base + 3)) selfsigned ""
    nginx_block $((base + 4)) missing-inter ""
    nginx_block $((base + 5)) good-rsa "ssl_protocols TLSv1.2;"
    nginx_block $((base + 6)) good-ecdsa "ssl_protocols TLSv1.3;"
    nginx_block $((base + 7)) good-ecdsa \
      "ssl_client_certificate $PKI/client-ca.pem; ssl_verify_client on;"
    # Sessions resumable by session ID (TLS 1.2) and by ticket.
    nginx_block $((base + 8)) good-ecdsa "ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:HTTPRINTEROP:1m; ssl_session_tickets on;
    ssl_session_timeout 10m;"
    echo "}"
  } >"$WORK/nginx.conf"
  mkdir -p "$WORK/tmp"
  "$NGINX" -p "$WORK" -c "$WORK/nginx.conf" -e "$WORK/nginx-error.log" \
    2>>"$WORK/nginx-start.log" 9>&- && wait_port "$base" &&
    wait_port $((base + 8))
}

NGX=""
for _ in 1 2 3 4 5; do
  base=$((20000 + RANDOM % 9000))
  if start_nginx "$base"; then NGX=$base; break; fi
done
if [ -z "$NGX" ]; then
  echo "interop: nginx did not start" >&2
  cat "$WORK/nginx-start.log" "$WORK/nginx-error.log" >&2 2>/dev/null
  exit 1
fi

# ---- openssl s_server: plain and client-certificate-required ---------------
# Starts s_server with the extra args; sets S_PORT. Background servers get
# fd 9 (make check's terminal) closed, or make would wait for them.
start_s_server() {
  local port pid
  for _ in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 9000))
    openssl s_server -quiet -www -accept "127.0.0.1:$port" \
      -cert "$PKI/good-ecdsa.crt" -key "$PKI/good-ecdsa.key" \
      -cert_chain "$PKI/good-ecdsa.crt" "$@" \
      </dev/null >>"$WORK/s_server.log" 2>&1 9>&- &
    pid=$!
    PIDS+=("$pid")
    if wait_port "$port"; then
      S_PORT=$port
      return 0
    fi
    kill "$pid" 2>/dev/null
  done
  return 1
}
start_s_server || { echo "interop: s_server did not start" >&2; exit 1; }
SSRV=$S_PORT
start_s_server -Verify 1 -verify_return_error -CAfile "$PKI/client-ca.pem" ||
  { echo "interop: s_server did not start" >&2; exit 1; }
SSRV_AUTH=$S_PORT
start_s_server -tls1_2 || { echo "interop: s_server did not start" >&2; exit 1; }
SSRV_12=$S_PORT
start_s_server -tls1_3 || { echo "interop: s_server did not start" >&2; exit 1; }
SSRV_13=$S_PORT

# ---- gnutls-serv: good chain, expired chain, client certificate required ---
# Sets G_PORT. gnutls-serv has no option to bind one address; only loopback
# is ever connected to.
start_gnutls_serv() { # cert name, extra args...
  local port pid cert=$1
  shift
  for _ in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 9000))
    gnutls-serv --http -q --port "$port" \
      --x509certfile "$PKI/$cert.crt" --x509keyfile "$PKI/$cert.key" "$@" \
      </dev/null >>"$WORK/gnutls-serv.log" 2>&1 9>&- &
    pid=$!
    PIDS+=("$pid")
    if wait_port "$port"; then
      G_PORT=$port
      return 0
    fi
    kill "$pid" 2>/dev/null
  done
  return 1
}
start_gnutls_serv good-ecdsa -a ||
  { echo "interop: gnutls-serv did not start" >&2; exit 1; }
GSRV=$G_PORT
start_gnutls_serv expired -a ||
  { echo "interop: gnutls-serv did not start" >&2; exit 1; }
GSRV_EXPIRED=$G_PORT
start_gnutls_serv good-ecdsa -r --x509cafile "$PKI/client-ca.pem" ||
  { echo "interop: gnutls-serv did not start" >&2; exit 1; }
GSRV_AUTH=$G_PORT

# ---- cases ------------------------------------------------------------------
PASS=0
FAIL=0
# check NAME WANT_EXIT WANT_SUBSTRING -- httpr args...
# (the substring is looked for in stdout and stderr together)
check() {
  local name=$1 want=$2 substr=$3
  shift 4
  local out rc
  out=$("$CLI" -sS "$@" 2>"$WORK/stderr")
  rc=$?
  out="$out$(cat "$WORK/stderr")"
  if [ "$rc" = "$want" ] && { [ -z "$substr" ] || [[ "$out" == *"$substr"* ]]; }; then
    PASS=$((PASS + 1))
    echo "ok   $name (exit $rc)"
  else
    FAIL=$((FAIL + 1))
    echo "FAIL $name: exit $rc, want $want; output: ${out:0:200}"
    sed 's/^/     stderr: /' "$WORK/stderr"
  fi
}

CA=(--cacert "$PKI/ca-bundle.pem")
providers=$("$CLI" --list-backends | awk 'NR > 1 && $1 != "" { print $1 }')
# 1 when provider $1 declares TLS 1.3 (the features column of the table).
has_tls13() {
  "$CLI" --list-backends | awk -v p="$1" '$1 == p { print ($NF ~ /tls1\.3/) ? 1 : 0 }'
}
# 1 when provider $1 declares TLS session resumption.
has_resume() {
  "$CLI" --list-backends |
    awk -v p="$1" '$1 == p { print ($NF ~ /(^|,)session-resume(,|$)/) ? 1 : 0 }'
}

# session_check NAME WANT_W WANT_V -- httpr args with two URLs...
# Two transfers in one process with -v and -w '%{ssl_session_resumed}':
# exit 0, the -w values (joined by spaces) exactly WANT_W, and the -v lines
# "TLS session: ..." and "Connection reused: ..." (joined by '|') exactly
# WANT_V.
session_check() {
  local name=$1 want_w=$2 want_v=$3
  shift 4
  local out rc v
  out=$("$CLI" -sS -v -o /dev/null -o /dev/null \
    -w '%{ssl_session_resumed}\n' "$@" 2>"$WORK/stderr")
  rc=$?
  out=$(echo "$out" | paste -sd ' ')
  v=$(sed -n 's/^\* \(TLS session: .*\|Connection reused: .*\)$/\1/p' \
    "$WORK/stderr" | paste -sd '|')
  if [ "$rc" = 0 ] && [ "$out" = "$want_w" ] && [ "$v" = "$want_v" ]; then
    PASS=$((PASS + 1))
    echo "ok   $name ($out)"
  else
    FAIL=$((FAIL + 1))
    echo "FAIL $name: exit $rc, -w '$out' (want '$want_w'), -v '$v'"
    echo "     want -v '$want_v'"
    grep -v '^[<>]' "$WORK/stderr" | sed 's/^/     stderr: /'
  fi
}
FULL="TLS session: new (full handshake)"
RESUMED="TLS session: resumed"
NEW="Connection reused: no"
REUSED="Connection reused: yes"

for p in $providers; do
  B=(--tls-backend "$p")
  N="https://localhost"
  # Without TLS 1.3 a server that wants a client certificate refuses it
  # inside the handshake with its own alert, not certificate_required.
  if [ "$(has_tls13 "$p")" = 1 ]; then
    T13_EXIT=0 T13_TEXT=TLSv1.3 NOCERT_TEXT="no client certificate presented"
  else
    T13_EXIT=35 T13_TEXT="" NOCERT_TEXT="server sent alert"
  fi
  check "$p nginx good chain" 0 "hello from nginx" -- "${B[@]}" "${CA[@]}" "$N:$NGX/"
  check "$p nginx by IP" 0 "hello from nginx" -- "${B[@]}" "${CA[@]}" "https://127.0.0.1:$NGX/"
  check "$p nginx expired" 60 "httpr: (60) certificate verify failed: certificate has expired" -- "${B[@]}" "${CA[@]}" "$N:$((NGX + 1))/"
  check "$p nginx wrong host" 60 "does not match host name 'localhost'" -- "${B[@]}" "${CA[@]}" "$N:$((NGX + 2))/"
  check "$p nginx self-signed" 60 "self-signed certificate" -- "${B[@]}" "${CA[@]}" "$N:$((NGX + 3))/"
  check "$p nginx missing intermediate" 60 "unable to get local issuer certificate" -- "${B[@]}" "${CA[@]}" "$N:$((NGX + 4))/"
  check "$p nginx expired with -k" 0 "hello from nginx" -- "${B[@]}" -k "$N:$((NGX + 1))/"
  check "$p nginx TLS 1.2 only" 0 "TLSv1.2" -- "${B[@]}" "${CA[@]}" \
    -o /dev/null -w '%{tls_version}' "$N:$((NGX + 5))/"
  check "$p nginx TLS 1.3 only" "$T13_EXIT" "$T13_TEXT" -- "${B[@]}" "${CA[@]}" \
    -o /dev/null -w '%{tls_version}' "$N:$((NGX + 6))/"
  check "$p nginx TLS 1.3 only, max 1.2" 35 "" -- "${B[@]}" "${CA[@]}" \
    --tls-max 1.2 "$N:$((NGX + 6))/"
  # nginx completes the handshake without a client certificate and answers
  # 400 (DESIGN rule 8's note): a response, so exit 0.
  check "$p nginx client cert absent" 0 "400" -- "${B[@]}" "${CA[@]}" \
    -o /dev/null -w '%{http_code}' "$N:$((NGX + 7))/"
  check "$p nginx client cert" 0 "hello from nginx" -- "${B[@]}" "${CA[@]}" \
    --cert "$PKI/client.pem" "$N:$((NGX + 7))/"
  # An untrusted client certificate: nginx also answers 400.
  check "$p nginx client cert untrusted" 0 "400" -- "${B[@]}" "${CA[@]}" \
    --cert "$PKI/unknown-client.pem" -o /dev/null -w '%{http_code}' \
    "$N:$((NGX + 7))/"
  check "$p nginx unknown CA file" 77 "" -- "${B[@]}" --cacert "$WORK/none.pem" "$N:$NGX/"
  # TLS session resumption: the same URL twice in one process. With
  # "Connection: close" nginx closes each connection after its response,
  # so the second transfer, same origin, needs a new connection, which
  # offers the first one's session.
  RES="$N:$((NGX + 8))/"
  CLOSE=(-H "Connection: close")
  if [ "$(has_resume "$p")" = 1 ]; then
    W2="0 1" V2="$RESUMED" WHAT="resumes the session"
  else
    W2="0 0" V2="$FULL" WHAT="full handshake (no session-resume feature)"
  fi
  session_check "$p nginx new connection $WHAT" "$W2" \
    "$FULL|$NEW|$V2|$NEW" -- "${B[@]}" "${CA[@]}" "${CLOSE[@]}" "$RES" "$RES"
  session_check "$p nginx new connection $WHAT, TLS 1.2" "$W2" \
    "$FULL|$NEW|$V2|$NEW" -- "${B[@]}" "${CA[@]}" --tls-max 1.2 \
    "${CLOSE[@]}" "$RES" "$RES"
  session_check "$p nginx --no-sessionid: full handshakes" "0 0" \
    "$FULL|$NEW|$FULL|$NEW" -- "${B[@]}" "${CA[@]}" --no-sessionid \
    "${CLOSE[@]}" "$RES" "$RES"
  # Kept alive, the second transfer reuses the connection, which reports
  # what its handshake did: a full one.
  session_check "$p nginx kept alive: one handshake" "0 0" \
    "$FULL|$NEW|$FULL|$REUSED" -- "${B[@]}" "${CA[@]}" "$RES" "$RES"
  # The process default from the environment, as -v reports it.
  out=$(HTTPR_TLS_BACKEND=$p "$CLI" -sS -v "${CA[@]}" -o /dev/null "$N:$NGX/" 2>&1)
  if [[ "$out" == *"* TLS provider: $p"* ]]; then
    PASS=$((PASS + 1))
    echo "ok   $p chosen by HTTPR_TLS_BACKEND (-v)"
  else
    FAIL=$((FAIL + 1))
    echo "FAIL $p chosen by HTTPR_TLS_BACKEND: ${out:0:300}"
  fi
  check "$p s_server good chain" 0 "s_server" -- "${B[@]}" "${CA[@]}" "$N:$SSRV/"
  check "$p s_server client cert absent" 35 "$NOCERT_TEXT" -- "${B[@]}" "${CA[@]}" "$N:$SSRV_AUTH/"
  check "$p s_server client cert" 0 "s_server" -- "${B[@]}" "${CA[@]}" \
    --cert "$PKI/client.pem" "$N:$SSRV_AUTH/"
  check "$p s_server client cert untrusted" 35 "server rejected the client certificate" -- "${B[@]}" "${CA[@]}" \
    --cert "$PKI/unknown-client.pem" "$N:$SSRV_AUTH/"
  check "$p s_server TLS 1.2 only" 0 "TLSv1.2" -- "${B[@]}" "${CA[@]}" \
    -o /dev/null -w '%{tls_version}' "$N:$SSRV_12/"
  check "$p s_server TLS 1.3 only" "$T13_EXIT" "$T13_TEXT" -- "${B[@]}" \
    "${CA[@]}" -o /dev/null -w '%{tls_version}' "$N:$SSRV_13/"
  check "$p gnutls-serv good chain" 0 "GnuTLS" -- "${B[@]}" "${CA[@]}" "$N:$GSRV/"
  check "$p gnutls-serv by IP" 0 "GnuTLS" -- "${B[@]}" "${CA[@]}" \
    "https://127.0.0.1:$GSRV/"
  check "$p gnutls-serv expired" 60 "certificate verify failed: certificate has expired" -- \
    "${B[@]}" "${CA[@]}" "$N:$GSRV_EXPIRED/"
  check "$p gnutls-serv client cert absent" 35 "$NOCERT_TEXT" -- "${B[@]}" "${CA[@]}" \
    "$N:$GSRV_AUTH/"
  check "$p gnutls-serv client cert absent, TLS 1.2" 35 "server sent alert" -- \
    "${B[@]}" "${CA[@]}" --tls-max 1.2 "$N:$GSRV_AUTH/"
  check "$p s_server client cert absent, TLS 1.2" 35 "server sent alert" -- \
    "${B[@]}" "${CA[@]}" --tls-max 1.2 "$N:$SSRV_AUTH/"
  check "$p gnutls-serv client cert" 0 "GnuTLS" -- "${B[@]}" "${CA[@]}" \
    --cert "$PKI/client.pem" "$N:$GSRV_AUTH/"
  # The key log: written where asked, in the NSS format, for TLS 1.2 and
  # (where the provider has it) TLS 1.3.
  keys="$WORK/keys-$p.log"
  check "$p key log, TLS 1.2" 0 "" -- "${B[@]}" "${CA[@]}" --keylog "$keys" \
    -o /dev/null "$N:$SSRV_12/"
  if grep -qE '^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$' "$keys" 2>/dev/null; then
    PASS=$((PASS + 1))
    echo "ok   $p key log has a CLIENT_RANDOM line"
  else
    FAIL=$((FAIL + 1))
    echo "FAIL $p key log: no CLIENT_RANDOM line in $keys"
  fi
done

# --compare: one row per provider, each reaching nginx.
out=$("$CLI" --compare "${CA[@]}" "https://localhost:$NGX/" 2>&1)
rc=$?
rows=$(echo "$out" | grep -cE '^[a-z]+ +200 ')
want=$(echo $providers | wc -w)
if [ "$rc" = 0 ] && [ "$rows" = "$want" ]; then
  PASS=$((PASS + 1))
  echo "ok   --compare against nginx ($rows providers)"
else
  FAIL=$((FAIL + 1))
  echo "FAIL --compare against nginx: exit $rc, $rows rows of $want: $out"
fi
out=$("$CLI" --compare "${CA[@]}" "https://localhost:$((NGX + 1))/" 2>&1)
rc=$?
if [ "$rc" = 60 ] && [ "$(echo "$out" | grep -c 'certificate has expired')" = "$want" ]; then
  PASS=$((PASS + 1))
  echo "ok   --compare against an expired certificate (exit 60 for each)"
else
  FAIL=$((FAIL + 1))
  echo "FAIL --compare against an expired certificate: exit $rc: $out"
fi

echo "interop: $PASS passed, $FAIL failed"
if { true >&9; } 2>/dev/null; then
  echo "interop (nginx, openssl s_server, gnutls-serv; providers: $(echo $providers)): $PASS passed, $FAIL failed" >&9
fi
[ "$FAIL" -eq 0 ] && [ "$PASS" -gt 0 ]
