#!/bin/bash
# SPDX-License-Identifier: MIT
# run-interop.sh - the httpr CLI, with every provider built in, against
# third-party servers from Debian packages on loopback, and side by side
# with curl. Four sections, all run by default (make check-interop);
# INTEROP_SECTIONS="h2" (or "tls", "curl", "servers", or several) runs
# only those named:
#
# tls: nginx (good and bad chains, TLS 1.2-only and 1.3-only, client
#   certificate required), openssl s_server (TLS 1.2-only, 1.3-only, client
#   certificate required: absent, good, untrusted) and gnutls-serv (good and
#   expired chains, client certificate required). Checks curl's exit codes
#   and the error lines, and the key log. A provider without TLS 1.3 (its
#   feature bits say so) must fail a TLS 1.3-only server with exit 35. TLS
#   session resumption: two URLs in one process against nginx with a session
#   cache and tickets, where the second connection must resume the first
#   one's session (when the provider declares session-resume), never with
#   --no-sessionid.
# h2: HTTP/2 by ALPN against nghttpd (h2 only) and nginx with http2 on:
#   -w '%{http_version}' is 2 by default and with --http2-only, 1.1 with
#   --http1.1 at nginx; nghttpd closes a connection that does not select h2,
#   so --http1.1 there fails with exit 56; --http2-only against a server
#   without h2 (s_server selecting no protocol, nginx refusing with the
#   no_application_protocol alert, or an http:// URL) fails with exit 16.
#   -Z: 1000 URLs to
#   nginx-h2 travel on ONE connection (counted by $connection in nginx's
#   access log) with every body whole and in command-line order; 100 to
#   nghttpd on one connection (its handshakes counted in its -v log); with
#   --http1.1 -Z at most the per-origin limit of 8 connections; a mix of
#   failures gives the last failure's exit code in command-line order.
#   Uploads (issue 14): a 16 MiB POST (random bytes) over HTTP/2 to h2o,
#   whose mruby handler answers the body's length and SHA-1, and to
#   nginx-h2, which passes it on to that handler over HTTP/1.1 (nginx
#   cannot digest a body itself); both answers must be exactly the length
#   and sha1sum's digest of the file. h2o 2.2 opens 16 MiB windows at once
#   and then says nothing while the body comes, which a client that waits
#   for the server before sending more gets stuck on.
# curl: Debian's curl and httpr (each provider) on the same URL with the
#   same options against nginx: -sS -o FILE (the same bytes), -w with
#   curl's variables (the same text), -I (the same head, Date aside), a
#   404, and the exit codes of an expired, a wrong-host and a self-signed
#   certificate (60), an unknown CA file (77), --max-time against a
#   server sending one byte a second (28), --crlfile (a good chain with its
#   CRLs, a revoked leaf, an expired CRL, a malformed file: 0, 60, 60, 82)
#   and --pinnedpubkey (the key by hash and by DER file, another key with
#   and without -k: 0, 0, 90, 90); how to connect: --unix-socket through
#   nginx's Unix socket (https://, the same body, code and port) and to a
#   missing path (7), -4 with an IPv6 literal (7), --interface with no
#   such interface (45).
# servers (servers.sh): Apache httpd with mod_ssl and mod_http2, Caddy,
#   lighttpd with its mbedTLS and with its GnuTLS module, and h2o, each
#   with a config of its own: a GET over HTTP/2 and over HTTP/1.1 (the
#   negotiated HTTP and TLS versions exactly), a 10 MiB download whose
#   SHA-1 must be the served file's, expired and wrong-host chains (exit
#   60 and one error line for every provider), two URLs of one command
#   line on one connection (the client port, or h2o's connection id, in
#   the server's access log), and, at all but h2o, a client certificate
#   required: given, the body; missing, the failure that server chooses
#   (its exit code and error line), at the highest TLS version both
#   sides have and at TLS 1.2.
#
# Needs PKI_DIR and HTTPR_CLI (make check-interop sets them); nginx (tls,
# h2, curl), openssl, gnutls-bin (tls), nghttp2-server and h2o (h2), curl
# (curl), and apache2, caddy, lighttpd, lighttpd-mod-mbedtls,
# lighttpd-mod-gnutls and h2o (servers) must be installed, as well as
# coreutils' timeout, stdbuf and sha1sum. Without them the run is
# skipped (exit 77); without a server of its own the servers section
# alone is, unless HTTPR_INTEROP_REQUIRED=1, which makes either a failure.
# Every wait is stretched by HTTPR_TEST_TIMEOUT_MULTIPLIER (default 1).
set -u

PKI=${PKI_DIR:?PKI_DIR not set}
CLI=${HTTPR_CLI:?HTTPR_CLI not set}
SECTIONS=${INTEROP_SECTIONS:-tls h2 curl servers}
for section in $SECTIONS; do
  case $section in
    tls | h2 | curl | servers) ;;
    *) echo "interop: unknown section '$section' in INTEROP_SECTIONS (tls, h2, curl, servers)" >&2
       exit 1 ;;
  esac
done
# Whole seconds $1 stretched by HTTPR_TEST_TIMEOUT_MULTIPLIER.
MULT=${HTTPR_TEST_TIMEOUT_MULTIPLIER:-1}
scaled() { awk -v s="$1" -v m="$MULT" 'BEGIN { printf "%d", s * m + 0.5 }'; }

# 0 when section $1 is to run.
section_on() { [[ " $SECTIONS " == *" $1 "* ]]; }
# 0 when a section that needs nginx is to run.
nginx_on() { section_on tls || section_on h2 || section_on curl; }

# The servers section (servers.sh) needs its own five servers; without
# them it alone is skipped, or the whole run when it was the only one.
# shellcheck source=tests/interop/servers.sh
. "$(dirname "$0")/servers.sh"
SKIPPED=""
if section_on servers && [ -n "$(servers_missing)" ]; then
  what=skipped
  [ "${HTTPR_INTEROP_REQUIRED:-0}" = 1 ] && what="required, failed"
  echo "interop: section servers $what: $(servers_missing) not installed (apt-get install apache2 caddy lighttpd lighttpd-mod-mbedtls lighttpd-mod-gnutls h2o)" >&2
  [ "${HTTPR_INTEROP_REQUIRED:-0}" = 1 ] && exit 1
  SECTIONS=$(echo " $SECTIONS " | sed 's/ servers / /g')
  SKIPPED=servers
  [ -n "${SECTIONS// /}" ] || exit 77
fi

tools=()
if nginx_on; then tools+=(nginx); fi
if section_on tls; then tools+=(openssl gnutls-serv); fi
if section_on h2; then tools+=(nghttpd h2o openssl); fi
if section_on curl; then tools+=(curl); fi
# A machine with only the build dependencies skips (automake's 77), saying
# what is missing. Where the run must happen (tools/test-all.sh, and so CI,
# which installs the servers), HTTPR_INTEROP_REQUIRED=1 makes it a failure.
missing=()
for tool in "${tools[@]}"; do
  if ! command -v "$tool" >/dev/null 2>&1 &&
     ! [ -x "/usr/sbin/$tool" ]; then
    missing+=("$tool")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "interop: skipped: ${missing[*]} not installed (apt-get install nginx openssl gnutls-bin nghttp2-server h2o curl)" >&2
  [ "${HTTPR_INTEROP_REQUIRED:-0}" = 1 ] && exit 1
  exit 77
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
NGHTTPD=$(command -v nghttpd || echo /usr/sbin/nghttpd)
H2O=$(command -v h2o || echo /usr/sbin/h2o)

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

# Waits (at most 10 s, stretched) until something listens on 127.0.0.1:$1.
wait_port() {
  for _ in $(seq 1 $(($(scaled 10) * 10))); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

mkdir -p "$WORK/www/n"
# nginx workers run as an unprivileged user: the docroot must be readable.
chmod 755 "$WORK" "$WORK/www" "$WORK/www/n"

# ---- h2o: the body's length and SHA-1, over HTTP/2 (TLS) and HTTP/1.1 ------
# Started before nginx, whose upload block passes bodies on to h2o's plain
# port. Started as root it runs as nobody (its config says so), having
# read the certificate and key first; its master, killed, ends its workers.
start_h2o() { # tls-port plain-port
  {
    echo "listen: {host: 127.0.0.1, port: $1, ssl: {certificate-file: $PKI/good-ecdsa.crt, key-file: $PKI/good-ecdsa.key, ocsp-update-interval: 0}}"
    echo "listen: {host: 127.0.0.1, port: $2}"
    [ "$(id -u)" = 0 ] && echo "user: nobody"
    cat <<'EOF'
hosts:
  default:
    paths:
      /digest:
        mruby.handler: |
          Proc.new do |env|
            body = env["rack.input"] ? env["rack.input"].read : ""
            [200, {"content-type" => "text/plain"},
             ["#{body.bytesize} #{Digest::SHA1.hexdigest(body)}\n"]]
          end
EOF
  } >"$WORK/h2o.conf"
  "$H2O" -c "$WORK/h2o.conf" </dev/null >>"$WORK/h2o.log" 2>&1 9>&- &
  H2O_PID=$!
  PIDS+=("$H2O_PID")
  wait_port "$1" && wait_port "$2" && return 0
  kill "$H2O_PID" 2>/dev/null
  return 1
}
if section_on h2; then
  for _ in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 9000))
    if start_h2o "$port" $((port + 1)); then
      H2O_TLS=$port H2O_PLAIN=$((port + 1))
      break
    fi
  done
  if [ -z "${H2O_TLS:-}" ]; then
    echo "interop: h2o did not start" >&2
    tail -5 "$WORK/h2o.log" >&2 2>/dev/null
    exit 1
  fi
  # 16 MiB of random bytes to upload, and what h2o must answer for them.
  head -c 16777216 /dev/urandom >"$WORK/upload.bin"
  UPLOAD_WANT="16777216 $(sha1sum <"$WORK/upload.bin" | cut -d' ' -f1)"
fi

# ---- nginx: one server block per case, ports BASE..BASE+14 ---------------
echo "hello from nginx" >"$WORK/www/index.html"
# /n/0 ... /n/999 hold their own number: -Z output order is checkable.
for i in $(seq 0 999); do echo "$i" >"$WORK/www/n/$i"; done
# 64 KiB that nginx's port BASE+12 sends at one byte a second (--max-time).
head -c 65536 /dev/zero >"$WORK/www/slow"
chmod 644 "$WORK/www/index.html" "$WORK/www/n/"* "$WORK/www/slow"

nginx_block() { # port cert [extra directives [listen flags]]
  cat <<EOF
  server {
    listen 127.0.0.1:$1 ssl ${4:-};
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
    # HTTP/2 by ALPN (h2, http/1.1). Each request is logged with the
    # number of the connection it came on. keepalive_requests also bounds
    # the requests of an h2 connection (1000 by default): raised so that
    # 1000 requests never need a second one.
    echo "  log_format conn '\$connection \$server_protocol \$status \$uri';"
    nginx_block $((base + 9)) good-ecdsa "keepalive_requests 100000;
    access_log $WORK/h2.log conn;" http2
    nginx_block $((base + 10)) good-ecdsa "keepalive_requests 100000;
    access_log $WORK/h2-parallel.log conn;" http2
    echo "  server { listen 127.0.0.1:$((base + 11)); root $WORK/www; }"
    nginx_block $((base + 12)) good-ecdsa "limit_rate 1;"
    # The good chain on a Unix socket too (curl's --unix-socket beside
    # httpr's).
    echo "  server { listen unix:$WORK/nginx-tls.sock ssl;"
    echo "    server_name localhost; root $WORK/www;"
    echo "    ssl_certificate $PKI/good-ecdsa.crt;"
    echo "    ssl_certificate_key $PKI/good-ecdsa.key; }"
    # HTTP/2 uploads, passed on to h2o's digest over HTTP/1.1.
    # A leaf its issuer's CRL lists (curl's --crlfile beside httpr's).
    nginx_block $((base + 14)) revoked ""
    if [ -n "${H2O_PLAIN:-}" ]; then
      nginx_block $((base + 13)) good-ecdsa "client_max_body_size 32m;
    location /digest { proxy_pass http://127.0.0.1:$H2O_PLAIN; }" http2
    fi
    echo "}"
  } >"$WORK/nginx.conf"
  mkdir -p "$WORK/tmp"
  "$NGINX" -p "$WORK" -c "$WORK/nginx.conf" -e "$WORK/nginx-error.log" \
    2>>"$WORK/nginx-start.log" 9>&- && wait_port "$base" &&
    wait_port $((base + 12))
}

NGX=""
for _ in 1 2 3 4 5; do
  nginx_on || break
  base=$((20000 + RANDOM % 9000))
  if start_nginx "$base"; then NGX=$base; break; fi
done
if nginx_on && [ -z "$NGX" ]; then
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
if section_on tls; then
  start_s_server || { echo "interop: s_server did not start" >&2; exit 1; }
  SSRV=$S_PORT
  start_s_server -Verify 1 -verify_return_error -CAfile "$PKI/client-ca.pem" ||
    { echo "interop: s_server did not start" >&2; exit 1; }
  SSRV_AUTH=$S_PORT
  start_s_server -tls1_2 || { echo "interop: s_server did not start" >&2; exit 1; }
  SSRV_12=$S_PORT
  start_s_server -tls1_3 || { echo "interop: s_server did not start" >&2; exit 1; }
  SSRV_13=$S_PORT
fi

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
if section_on tls; then
  start_gnutls_serv good-ecdsa -a ||
    { echo "interop: gnutls-serv did not start" >&2; exit 1; }
  GSRV=$G_PORT
  start_gnutls_serv expired -a ||
    { echo "interop: gnutls-serv did not start" >&2; exit 1; }
  GSRV_EXPIRED=$G_PORT
  start_gnutls_serv good-ecdsa -r --x509cafile "$PKI/client-ca.pem" ||
    { echo "interop: gnutls-serv did not start" >&2; exit 1; }
  GSRV_AUTH=$G_PORT
fi

# ---- nghttpd: HTTP/2 only, every frame logged (-v) --------------------------
# nghttpd selects only h2 by ALPN and closes a connection that did not
# select it. Its -v log has one "SSL/TLS handshake completed" line per
# connection, which is how connections are counted.
if section_on h2; then
  for _ in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 9000))
    stdbuf -oL "$NGHTTPD" -v -a 127.0.0.1 -d "$WORK/www" "$port" \
      "$PKI/good-ecdsa.key" "$PKI/good-ecdsa.crt" \
      </dev/null >>"$WORK/nghttpd.log" 2>&1 9>&- &
    pid=$!
    PIDS+=("$pid")
    if wait_port "$port"; then
      H2D=$port
      break
    fi
    kill "$pid" 2>/dev/null
  done
  if [ -z "${H2D:-}" ]; then
    echo "interop: nghttpd did not start" >&2
    tail -5 "$WORK/nghttpd.log" >&2 2>/dev/null
    exit 1
  fi
  # s_server without -alpn completes the handshake selecting no protocol.
  start_s_server || { echo "interop: s_server did not start" >&2; exit 1; }
  SSRV_NOALPN=$S_PORT
fi

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
providers=$("$CLI" --list-backends | awk 'NR > 1 && $1 != "" && $1 != "default:" { print $1 }')
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

# ---- section tls --------------------------------------------------------------
tls_cases() { # provider
  local p=$1 B N T13_EXIT T13_TEXT NOCERT_TEXT RES CLOSE W2 V2 WHAT out keys
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
  # 400 (provider rule 8 is about alerts): a response, so exit 0.
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
}

# --compare: one row per provider, each reaching nginx.
compare_cases() {
  local out rc rows want
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
}

# ---- section h2 ---------------------------------------------------------------
# exact_check NAME WANT_EXIT WANT_STDOUT WANT_STDERR -- httpr args...
# stdout must be exactly WANT_STDOUT (trailing newlines aside) and stderr
# must hold WANT_STDERR when it is not empty.
exact_check() {
  local name=$1 want=$2 want_out=$3 substr=$4
  shift 5
  local out rc
  out=$(timeout "$(scaled 60)" "$CLI" -sS "$@" 2>"$WORK/stderr")
  rc=$?
  if [ "$rc" = "$want" ] && [ "$out" = "$want_out" ] &&
     { [ -z "$substr" ] || grep -qF -- "$substr" "$WORK/stderr"; }; then
    PASS=$((PASS + 1))
    echo "ok   $name (exit $rc)"
  else
    FAIL=$((FAIL + 1))
    echo "FAIL $name: exit $rc, want $want; stdout '${out:0:200}', want '$want_out'"
    [ -z "$substr" ] || echo "     want on stderr: $substr"
    grep -v '^[<>]' "$WORK/stderr" | head -20 | sed 's/^/     stderr: /'
  fi
}

# pass_if STATUS NAME WHY...: counts a check whose status ($?, taken as
# the first argument, before any other expansion can change it) is
# STATUS; WHY is printed when it failed.
pass_if() {
  local rc=$1 name=$2
  shift 2
  if [ "$rc" = 0 ]; then
    PASS=$((PASS + 1))
    echo "ok   $name"
  else
    FAIL=$((FAIL + 1))
    echo "FAIL $name: $*"
  fi
}

# Waits (at most 3 s, stretched) until file $1 has at least $2 lines;
# prints the count.
lines_at_least() {
  local n
  for _ in $(seq 1 $(($(scaled 3) * 10))); do
    n=$(wc -l <"$1")
    [ "$n" -ge "$2" ] && break
    sleep 0.1
  done
  wc -l <"$1"
}

# parallel_check NAME VERSION COUNT MAX_CONNS LOG -- httpr args (no URL):
# -Z with COUNT URLs /n/0../n/COUNT-1 on nginx's port behind LOG; exit 0,
# stdout exactly each body followed by -w's VERSION, in command-line
# order; LOG gains COUNT lines, on at most MAX_CONNS connections (exactly
# one when MAX_CONNS is 1), all of protocol HTTP/VERSION.
parallel_check() {
  local name=$1 version=$2 count=$3 max_conns=$4 log=$5 port=$6
  shift 7
  local urls=() before rc lines conns protos i want_proto
  for ((i = 0; i < count; i++)); do urls+=("https://localhost:$port/n/$i"); done
  for ((i = 0; i < count; i++)); do printf '%d\n%s\n' "$i" "$version"; done \
    >"$WORK/parallel.want"
  before=$(wc -l <"$log")
  timeout "$(scaled 120)" "$CLI" -sS -Z -w '%{http_version}\n' "$@" "${urls[@]}" \
    >"$WORK/parallel.out" 2>"$WORK/stderr"
  rc=$?
  lines=$(lines_at_least "$log" $((before + count)))
  tail -n +$((before + 1)) "$log" >"$WORK/parallel.log"
  lines=$((lines - before))
  conns=$(awk '{ print $1 }' "$WORK/parallel.log" | sort -u | wc -l)
  protos=$(awk '{ print $2 }' "$WORK/parallel.log" | sort -u | paste -sd ,)
  want_proto="HTTP/$([ "$version" = 2 ] && echo 2.0 || echo "$version")"
  [ "$rc" = 0 ] && cmp -s "$WORK/parallel.out" "$WORK/parallel.want" &&
    [ "$lines" = "$count" ] && [ "$protos" = "$want_proto" ] &&
    [ "$conns" -ge 1 ] && [ "$conns" -le "$max_conns" ]
  pass_if $? "$name ($lines requests, $conns connection(s), $protos)" \
    "exit $rc, $lines requests logged (want $count), $conns connections" \
    "(want at most $max_conns), protocols '$protos' (want $want_proto)," \
    "output $(cmp -s "$WORK/parallel.out" "$WORK/parallel.want" &&
      echo as expected || echo "differs: $(diff "$WORK/parallel.want" \
      "$WORK/parallel.out" | head -3 | paste -sd ' ')");" \
    "stderr: $(head -3 "$WORK/stderr" | paste -sd ' ')"
}

h2_cases() { # provider
  local p=$1 B N H2 HP PLAIN UP W urls before after rc out i
  B=(--tls-backend "$p")
  N="https://localhost"
  H2=$((NGX + 9))
  HP=$((NGX + 10))
  PLAIN=$((NGX + 11))
  UP=$((NGX + 13))
  W=(-o /dev/null -w '%{http_version}')

  # nghttpd speaks h2 only.
  exact_check "$p nghttpd --http2-only: HTTP/2" 0 2 "" -- "${B[@]}" "${CA[@]}" \
    --http2-only "${W[@]}" "$N:$H2D/"
  exact_check "$p nghttpd default: HTTP/2" 0 2 "" -- "${B[@]}" "${CA[@]}" \
    "${W[@]}" "$N:$H2D/"
  exact_check "$p nghttpd body over HTTP/2" 0 "hello from nginx" "" -- \
    "${B[@]}" "${CA[@]}" "$N:$H2D/"
  # Offered http/1.1 only, nghttpd completes the handshake without ALPN
  # and closes the connection ("Client did not advertise HTTP/2
  # protocol"): no response, as curl's "Empty reply from server".
  exact_check "$p nghttpd --http1.1: closed without a response" 56 "" \
    "httpr: (56) connection closed before the response was complete" -- \
    "${B[@]}" "${CA[@]}" --http1.1 "$N:$H2D/"
  exact_check "$p nghttpd -v: ALPN h2, HTTP/2" 0 "" "* ALPN: h2" -- \
    "${B[@]}" "${CA[@]}" -v -o /dev/null "$N:$H2D/"
  grep -qxF "* HTTP version: HTTP/2" "$WORK/stderr"
  pass_if $? "$p nghttpd -v: HTTP version line" "no '* HTTP version: HTTP/2' line"
  exact_check "$p nghttpd -i: HTTP/2 status line" 0 "" "" -- \
    "${B[@]}" "${CA[@]}" -i -o "$WORK/head.out" "$N:$H2D/"
  head -1 "$WORK/head.out" | grep -q $'^HTTP/2 200 \r$'
  pass_if $? "$p nghttpd -i: 'HTTP/2 200'" "first line: $(head -1 "$WORK/head.out" | cat -v)"

  # nginx with http2: the server picks h2 when it is offered.
  exact_check "$p nginx-h2 default: HTTP/2" 0 2 "" -- "${B[@]}" "${CA[@]}" \
    "${W[@]}" "$N:$H2/"
  exact_check "$p nginx-h2 --http2: HTTP/2" 0 2 "" -- "${B[@]}" "${CA[@]}" \
    --http2 "${W[@]}" "$N:$H2/"
  exact_check "$p nginx-h2 --http2-only: HTTP/2" 0 2 "" -- "${B[@]}" \
    "${CA[@]}" --http2-only "${W[@]}" "$N:$H2/"
  exact_check "$p nginx-h2 --http1.1: HTTP/1.1" 0 1.1 "" -- "${B[@]}" \
    "${CA[@]}" --http1.1 "${W[@]}" "$N:$H2/"
  exact_check "$p nginx-h2 body over HTTP/2" 0 "hello from nginx" "" -- \
    "${B[@]}" "${CA[@]}" "$N:$H2/"
  # h2 required where it is not to be had: curl's exit 16. s_server
  # completes the handshake selecting no protocol; nginx without http2
  # refuses it with the no_application_protocol alert (RFC 7301), which
  # with --http2-only also means "h2 not negotiated".
  exact_check "$p s_server without ALPN, --http2-only: exit 16" 16 0 \
    "httpr: (16) HTTP/2 is required but the server did not select it" -- \
    "${B[@]}" "${CA[@]}" --http2-only "${W[@]}" "$N:$SSRV_NOALPN/"
  exact_check "$p s_server without ALPN, default: HTTP/1.0" 0 1 "" -- \
    "${B[@]}" "${CA[@]}" "${W[@]}" "$N:$SSRV_NOALPN/"
  exact_check "$p nginx without h2, --http2-only: exit 16" 16 0 "httpr: (16)" \
    -- "${B[@]}" "${CA[@]}" --http2-only "${W[@]}" "$N:$NGX/"
  exact_check "$p nginx without h2, default: HTTP/1.1" 0 1.1 "" -- \
    "${B[@]}" "${CA[@]}" "${W[@]}" "$N:$NGX/"
  exact_check "$p http:// with --http2-only: exit 16" 16 0 "httpr: (16)" -- \
    "${B[@]}" --http2-only "${W[@]}" "http://localhost:$PLAIN/"

  # -Z: 1000 transfers on one HTTP/2 connection, output in order.
  parallel_check "$p -Z 1000 URLs to nginx-h2 on one connection" 2 1000 1 \
    "$WORK/h2-parallel.log" "$HP" -- "${B[@]}" "${CA[@]}"
  # --parallel-max 300 (curl's ceiling) streams at once; nginx allows 128
  # per connection, so the rest must wait for a stream, not a connection.
  parallel_check "$p -Z --parallel-max 300, 1000 URLs to nginx-h2" 2 1000 1 \
    "$WORK/h2-parallel.log" "$HP" -- "${B[@]}" "${CA[@]}" --parallel-max 300
  # HTTP/1.1: the transfers spread over at most the per-origin limit (8).
  parallel_check "$p --http1.1 -Z 1000 URLs to nginx" 1.1 1000 8 \
    "$WORK/h2-parallel.log" "$HP" -- "${B[@]}" "${CA[@]}" --http1.1
  # nghttpd: 100 transfers, one handshake in its log.
  urls=()
  for ((i = 0; i < 100; i++)); do urls+=("$N:$H2D/n/$i"); done
  before=$(grep -c 'SSL/TLS handshake completed' "$WORK/nghttpd.log")
  timeout "$(scaled 60)" "$CLI" -sS -Z "${B[@]}" "${CA[@]}" "${urls[@]}" \
    >"$WORK/parallel.out" 2>"$WORK/stderr"
  rc=$?
  out=$(paste -sd ' ' "$WORK/parallel.out")
  after=$(grep -c 'SSL/TLS handshake completed' "$WORK/nghttpd.log")
  [ "$rc" = 0 ] && [ "$out" = "$(seq 0 99 | paste -sd ' ')" ] &&
    [ $((after - before)) = 1 ]
  pass_if $? "$p -Z 100 URLs to nghttpd on one connection" \
    "exit $rc, $((after - before)) handshakes, output '${out:0:80}...'," \
    "stderr: $(head -3 "$WORK/stderr" | paste -sd ' ')"
  # Failures among parallel transfers: each reported, in command-line
  # order, and the exit code is the last one's (60, then 7).
  out=$(timeout "$(scaled 60)" "$CLI" -sS -Z "${B[@]}" "${CA[@]}" "$N:$H2/" \
    "$N:$((NGX + 1))/" "$N:$H2/" "https://127.0.0.1:1/" 2>"$WORK/stderr")
  rc=$?
  [ "$rc" = 7 ] &&
    [ "$out" = "$(printf 'hello from nginx\nhello from nginx')" ] &&
    [ "$(grep -o '^httpr: ([0-9]*)' "$WORK/stderr" | paste -sd ' ')" = \
      "httpr: (60) httpr: (7)" ]
  pass_if $? "$p -Z with failures: exit of the last, errors in order" \
    "exit $rc (want 7), stdout '${out:0:100}'," \
    "stderr: $(head -4 "$WORK/stderr" | paste -sd ' ')"

  # 16 MiB POSTs over HTTP/2: what arrived is exactly the file (its length
  # and SHA-1, as h2o computed them), then -w's HTTP version.
  exact_check "$p h2o: 16 MiB POST over HTTP/2, byte-exact" 0 \
    "$UPLOAD_WANT"$'\n'2 "" -- "${B[@]}" "${CA[@]}" --http2-only \
    --max-time "$(scaled 30)" --data-binary "@$WORK/upload.bin" \
    -w '%{http_version}' "$N:$H2O_TLS/digest"
  exact_check "$p nginx-h2: 16 MiB POST over HTTP/2, byte-exact" 0 \
    "$UPLOAD_WANT"$'\n'2 "" -- "${B[@]}" "${CA[@]}" --http2-only \
    --max-time "$(scaled 30)" --data-binary "@$WORK/upload.bin" \
    -w '%{http_version}' "$N:$UP/digest"
}

# ---- section curl ---------------------------------------------------------------
# side_by_side NAME HOW -- options and URL: curl and httpr (provider $P) run
# with the same options, each in a directory of its own (for -o), stdout
# to a file; both must exit alike and, by HOW: "exit" nothing more, "out"
# the same stdout, "head" the same stdout but for the Date line, "file"
# the same bytes in the file "body" (-o body).
side_by_side() {
  local name=$1 how=$2 rc_c rc_h same=1 why=""
  shift 3
  rm -rf "$WORK/sbs-curl" "$WORK/sbs-httpr"
  mkdir -p "$WORK/sbs-curl" "$WORK/sbs-httpr"
  (cd "$WORK/sbs-curl" && timeout "$(scaled 30)" curl "$@" >out 2>err)
  rc_c=$?
  (cd "$WORK/sbs-httpr" &&
    timeout "$(scaled 30)" "$CLI" --tls-backend "$P" "$@" >out 2>err)
  rc_h=$?
  case $how in
    out) cmp -s "$WORK/sbs-curl/out" "$WORK/sbs-httpr/out" || same=0 ;;
    head)
      for d in curl httpr; do
        grep -v '^Date: ' "$WORK/sbs-$d/out" >"$WORK/sbs-$d/head"
      done
      cmp -s "$WORK/sbs-curl/head" "$WORK/sbs-httpr/head" || same=0 ;;
    file)
      cmp -s "$WORK/sbs-curl/body" "$WORK/sbs-httpr/body" || same=0 ;;
  esac
  [ "$same" = 1 ] || why="$how differs"
  if [ "$rc_c" = "$rc_h" ] && [ "$same" = 1 ]; then
    PASS=$((PASS + 1))
    echo "ok   $P $name: as curl (exit $rc_h)"
  else
    FAIL=$((FAIL + 1))
    echo "FAIL $P $name: curl exit $rc_c, httpr exit $rc_h${why:+; $why}"
    for d in curl httpr; do
      head -c 400 "$WORK/sbs-$d/out" | sed "s/^/     $d stdout: /"
      head -5 "$WORK/sbs-$d/err" | sed "s/^/     $d stderr: /"
    done
  fi
}

curl_cases() { # provider
  P=$1
  local N="https://localhost" W='%{http_code} %{http_version} %{size_download} %{num_redirects} %{scheme} %{exitcode}\n'
  side_by_side "-sS -o: the same body" file -- -sS "${CA[@]}" -o body "$N:$NGX/"
  side_by_side "-w with curl's variables" out -- -sS "${CA[@]}" -o /dev/null \
    -w "$W" "$N:$NGX/"
  side_by_side "-w '%{http_code}' of a 404" out -- -sS "${CA[@]}" -o /dev/null \
    -w '%{http_code}' "$N:$NGX/none"
  side_by_side "-I: the same head" head -- -sS "${CA[@]}" -I "$N:$NGX/"
  side_by_side "-w after a failure" out -- -s "${CA[@]}" -o /dev/null \
    -w "$W" "$N:$((NGX + 1))/"
  # OpenSSL's suite names, as curl users type them: two of one cipher, so
  # GnuTLS's cross product adds nothing.
  side_by_side "--ciphers with OpenSSL's names" out -- -sS "${CA[@]}" \
    -o /dev/null -w '%{http_code} %{http_version}' --tls-max 1.2 \
    --ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256 \
    "$N:$NGX/"
  side_by_side "expired certificate" exit -- -sS "${CA[@]}" "$N:$((NGX + 1))/"
  side_by_side "wrong host" exit -- -sS "${CA[@]}" "$N:$((NGX + 2))/"
  side_by_side "self-signed certificate" exit -- -sS "${CA[@]}" \
    "$N:$((NGX + 3))/"
  side_by_side "unknown CA file" exit -- -sS --cacert "$WORK/none.pem" \
    "$N:$NGX/"
  side_by_side "--max-time against a slow server" exit -- -sS "${CA[@]}" \
    -o /dev/null --max-time 1 "$N:$((NGX + 12))/slow"
  # CRLs and pinned keys: where curl and httpr's rules agree (a CRL for
  # every issuer of the chain, as curl's OpenSSL wants one).
  side_by_side "--crlfile: the good chain" out -- -sS "${CA[@]}" -o /dev/null \
    -w '%{http_code}' --crlfile "$PKI/crl.pem" "$N:$NGX/"
  side_by_side "--crlfile: a revoked leaf" exit -- -sS "${CA[@]}" \
    --crlfile "$PKI/crl.pem" "$N:$((NGX + 14))/"
  side_by_side "--crlfile: an expired CRL" exit -- -sS "${CA[@]}" \
    --crlfile "$PKI/crl-expired.pem" "$N:$NGX/"
  side_by_side "--crlfile: a malformed file" exit -- -sS "${CA[@]}" \
    --crlfile "$PKI/crl-bad.pem" "$N:$NGX/"
  side_by_side "--pinnedpubkey: the server's key" out -- -sS "${CA[@]}" \
    -o /dev/null -w '%{http_code}' --pinnedpubkey "$(cat "$PKI/good-ecdsa.pin")" \
    "$N:$NGX/"
  side_by_side "--pinnedpubkey: a DER key file" out -- -sS "${CA[@]}" \
    -o /dev/null -w '%{http_code}' --pinnedpubkey "$PKI/good-ecdsa-pubkey.der" \
    "$N:$NGX/"
  side_by_side "--pinnedpubkey: another key" exit -- -sS "${CA[@]}" \
    --pinnedpubkey "$(cat "$PKI/good-rsa.pin")" "$N:$NGX/"
  side_by_side "--pinnedpubkey -k: another key" exit -- -sS -k \
    --pinnedpubkey "$(cat "$PKI/good-rsa.pin")" "$N:$NGX/"
  # A list of addresses: ::1 refuses (nginx listens on 127.0.0.1 alone),
  # the next one is tried and wins.
  side_by_side "--resolve with two addresses, the first refusing" out -- \
    -sS "${CA[@]}" -o /dev/null -w '%{http_code} %{remote_ip}' \
    --resolve "localhost:$NGX:[::1],127.0.0.1" "$N:$NGX/"
  # HTTPS over nginx's Unix socket, the URL's host verified; and a path
  # nothing listens on.
  side_by_side "--unix-socket: https:// through nginx's socket" out -- \
    -sS "${CA[@]}" -w '%{http_code} %{remote_port}' \
    --unix-socket "$WORK/nginx-tls.sock" "https://localhost/"
  side_by_side "--unix-socket: no socket at the path" exit -- -sS \
    --unix-socket "$WORK/none.sock" "http://localhost/"
  side_by_side "-4 with an IPv6 literal" exit -- -sS -4 "https://[::1]:$NGX/"
  side_by_side "--interface: no such interface" exit -- -sS "${CA[@]}" \
    --interface nonexistent0 "$N:$NGX/"
}

# ---- run ------------------------------------------------------------------------
servers=""
nginx_on && servers="nginx"
if section_on tls; then
  for p in $providers; do tls_cases "$p"; done
  compare_cases
  servers="$servers, openssl s_server, gnutls-serv"
fi
if section_on h2; then
  for p in $providers; do h2_cases "$p"; done
  servers="$servers, nghttpd, h2o"
fi
if section_on curl; then
  for p in $providers; do curl_cases "$p"; done
  servers="$servers, curl side by side"
fi
if section_on servers; then
  servers_start || exit 1
  for p in $providers; do servers_cases "$p"; done
  servers="${servers:+$servers; }servers: Apache httpd, Caddy, lighttpd (mbedTLS, GnuTLS), h2o"
fi
[ -z "$SKIPPED" ] || servers="$servers; section $SKIPPED skipped"

echo "interop: $PASS passed, $FAIL failed"
if { true >&9; } 2>/dev/null; then
  echo "interop ($servers; providers: $(echo $providers)): $PASS passed, $FAIL failed" >&9
fi
[ "$FAIL" -eq 0 ] && [ "$PASS" -gt 0 ]
