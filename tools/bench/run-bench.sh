#!/bin/bash
# SPDX-License-Identifier: MIT
# run-bench.sh - what `make bench` runs: httpr-bench against a private nginx
# on loopback, once per TLS provider built in, with the scenarios and
# arguments of the benchmark contract (keepalive -n 5000, handshake -n 500,
# handshake -n 200 with the system roots plus the test CA as trust store,
# resume -n 500 against a port that resumes sessions, bulk, h2-multiplex
# -n 20000 -m 10 against a port with HTTP/2, concurrent -c 100: 100
# connections at once on the event-loop API), and our own
# soak (100,000 keep-alive GETs from 8 threads on one client, with the
# resident set after warm-up and at the end). Prints httpr-bench's own
# lines, then a table.
#
# Self-contained: certificates come from the build's test PKI, the server
# config, content and logs live in a temporary directory removed at the
# end, and only the nginx started here is stopped (by its pid). Every loop
# is bounded in count and every command in time.
#
# Env (make bench sets the first three):
#   BENCH_PROG       absolute path of tools/httpr-bench
#   PKI_DIR          the test PKI (tests/pki-out): good-ecdsa.crt/.key, ca-bundle.pem
#   BENCH_PROVIDERS  providers to run, e.g. "openssl gnutls"
#   BENCH_BIG_MIB    size of /big in MiB [256]
#   BENCH_PIN=0      do not pin nginx to the last CPU and clients to CPU 0
#   BENCH_SYSTEM_CA  the system roots [/etc/ssl/certs/ca-certificates.crt]
set -u

PROG=${BENCH_PROG:?BENCH_PROG not set (make bench sets it)}
PKI=${PKI_DIR:?PKI_DIR not set (make bench sets it)}
PROVIDERS=${BENCH_PROVIDERS:?BENCH_PROVIDERS not set (make bench sets it)}
BIG_MIB=${BENCH_BIG_MIB:-256}
SYSTEM_CA=${BENCH_SYSTEM_CA:-/etc/ssl/certs/ca-certificates.crt}

say() { echo "bench: $*" >&2; }

NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if ! [ -x "$NGINX" ]; then
  say "nginx is not installed (apt-get install nginx)"
  exit 1
fi
for f in good-ecdsa.crt good-ecdsa.key ca-bundle.pem; do
  if ! [ -s "$PKI/$f" ]; then
    say "$PKI/$f is missing (make $PKI/.complete)"
    exit 1
  fi
done
if ! [ -x "$PROG" ]; then
  say "$PROG is not built"
  exit 1
fi
case $BIG_MIB in
  '' | *[!0-9]*) say "BENCH_BIG_MIB must be a whole number"; exit 1 ;;
esac

WORK=$(mktemp -d /tmp/httpr-bench-XXXXXX) || exit 1
DOCROOT=""
NGINX_PID=""

# Stops our nginx by the pid it wrote, gracefully first (QUIT ends the
# master and its worker), bounded to 5 s before TERM.
stop_nginx() {
  [ -n "$NGINX_PID" ] || return 0
  kill -QUIT "$NGINX_PID" 2>/dev/null
  for _ in $(seq 1 50); do
    kill -0 "$NGINX_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$NGINX_PID" 2>/dev/null; then
    kill -TERM "$NGINX_PID" 2>/dev/null
    sleep 0.5
  fi
  NGINX_PID=""
}
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  stop_nginx
  if [ -n "$DOCROOT" ]; then rm -rf "$DOCROOT"; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- content: /small 1 KiB, /big on tmpfs when it has room ----------------
need_kb=$(((BIG_MIB + 16) * 1024))
shm_kb=$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')
if [ -n "$shm_kb" ] && [ "$shm_kb" -gt "$need_kb" ] &&
   DOCROOT=$(mktemp -d /dev/shm/httpr-bench-XXXXXX 2>/dev/null); then
  :
else
  DOCROOT=$WORK/www
  mkdir "$DOCROOT" || exit 1
fi
# nginx workers run as an unprivileged user: everything must be readable.
chmod 755 "$WORK" "$DOCROOT"
if ! { head -c 1024 /dev/urandom >"$DOCROOT/small" &&
        head -c $((BIG_MIB * 1048576)) /dev/urandom >"$DOCROOT/big"; }; then
  say "cannot write the content to $DOCROOT"
  exit 1
fi
chmod 644 "$DOCROOT/small" "$DOCROOT/big"

# ---- nginx ----------------------------------------------------------------
# Clients run on CPU 0 and the nginx worker on the last CPU, so the two do
# not take turns on one core (as the shared benchmark kit does).
PIN=()
AFFINITY=""
if [ "${BENCH_PIN:-1}" = 1 ] && [ "$(nproc)" -ge 2 ] &&
   command -v taskset >/dev/null 2>&1; then
  PIN=(taskset -c 0)
  AFFINITY="worker_cpu_affinity 1$(printf '0%.0s' $(seq 1 $(($(nproc) - 1))));"
fi

# Three servers: $1 makes every new connection a full handshake
# (keepalive, handshake, bulk, soak), $1 + 1 keeps a session cache and
# issues tickets so new connections can resume (resume), $1 + 2 is $1 with
# HTTP/2 (ALPN h2, http/1.1; h2-multiplex), as the shared kit's ports
# 19443, 19445 and 19444. keepalive_requests also bounds the requests of
# an HTTP/2 connection, and http2_max_concurrent_streams is the kit's.
write_conf() { # port
  cat >"$WORK/nginx.conf" <<EOF
worker_processes 1;
$AFFINITY
pid $WORK/nginx.pid;
error_log $WORK/error.log warn;
daemon on;
events { worker_connections 512; }
http {
  access_log off;
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_requests 10000000;
  keepalive_timeout 300s;
  client_body_temp_path $WORK/tmp;
  proxy_temp_path $WORK/tmp;
  fastcgi_temp_path $WORK/tmp;
  uwsgi_temp_path $WORK/tmp;
  scgi_temp_path $WORK/tmp;
  server {
    listen 127.0.0.1:$1 ssl;
    server_name localhost;
    ssl_certificate $PKI/good-ecdsa.crt;
    ssl_certificate_key $PKI/good-ecdsa.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    # every new connection is a full handshake
    ssl_session_cache off;
    ssl_session_tickets off;
    ssl_prefer_server_ciphers off;
    root $DOCROOT;
    location / { }
  }
  server {
    listen 127.0.0.1:$(($1 + 2)) ssl http2;
    server_name localhost;
    ssl_certificate $PKI/good-ecdsa.crt;
    ssl_certificate_key $PKI/good-ecdsa.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache off;
    ssl_session_tickets off;
    ssl_prefer_server_ciphers off;
    http2_max_concurrent_streams 128;
    root $DOCROOT;
    location / { }
  }
  server {
    listen 127.0.0.1:$(($1 + 1)) ssl;
    server_name localhost;
    ssl_certificate $PKI/good-ecdsa.crt;
    ssl_certificate_key $PKI/good-ecdsa.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    # sessions resumable: by session ID (TLS 1.2) and by ticket
    ssl_session_cache shared:HTTPRBENCH:10m;
    ssl_session_tickets on;
    ssl_session_timeout 1h;
    ssl_prefer_server_ciphers off;
    root $DOCROOT;
    location / { }
  }
}
EOF
}

# Waits (at most 10 s) until something listens on 127.0.0.1:$1.
wait_port() {
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

# Starts nginx on $1, $1 + 1 and $1 + 2; fails when a port is taken. fd 9 is
# closed for the daemon, as tests/interop does, so no caller waits on it.
start_nginx() {
  write_conf "$1"
  mkdir -p "$WORK/tmp"
  "$NGINX" -p "$WORK" -c "$WORK/nginx.conf" -e "$WORK/error.log" \
    </dev/null >>"$WORK/start.log" 2>&1 9>&- || return 1
  for _ in $(seq 1 50); do
    [ -s "$WORK/nginx.pid" ] && break
    sleep 0.1
  done
  NGINX_PID=$(cat "$WORK/nginx.pid" 2>/dev/null)
  [ -n "$NGINX_PID" ] && wait_port "$1" && wait_port $(($1 + 1)) &&
    wait_port $(($1 + 2))
}

PORT=""
for _ in 1 2 3 4 5; do
  candidate=$((20000 + RANDOM % 10000))
  if start_nginx "$candidate"; then PORT=$candidate; break; fi
  stop_nginx
done
if [ -z "$PORT" ]; then
  say "nginx did not start"
  cat "$WORK/start.log" "$WORK/error.log" >&2 2>/dev/null
  exit 1
fi
RESUME_PORT=$((PORT + 1))
H2_PORT=$((PORT + 2))
say "nginx pid $NGINX_PID on 127.0.0.1:$PORT (resumable: $RESUME_PORT," \
  "HTTP/2: $H2_PORT); /big is $BIG_MIB MiB in $DOCROOT"

# ---- the runs -------------------------------------------------------------
# The trust store of a client verifying "normally": the system roots plus
# the test CA (the handshake-system-ca row of the contract).
CA_PLUS=$WORK/ca-plus-system.pem
cat "$SYSTEM_CA" "$PKI/ca-bundle.pem" >"$CA_PLUS" 2>/dev/null ||
  cp "$PKI/ca-bundle.pem" "$CA_PLUS"
COMMON=(--cacert "$PKI/ca-bundle.pem" --connect-ip 127.0.0.1
  --url "https://localhost:$PORT" --h2-url "https://localhost:$H2_PORT"
  --max-seconds 30)
RESULTS=$WORK/results
: >"$RESULTS"
FAILED=0

# run PROVIDER ROW ARGS...: one scenario in its own process (peak RSS is
# then per scenario), its line on stdout and kept for the table.
run() {
  local provider=$1 row=$2 line rc
  shift 2
  timeout 150 "${PIN[@]}" "$PROG" "${COMMON[@]}" --backend "$provider" "$@" \
    >"$WORK/stdout" 2>"$WORK/stderr"
  rc=$?
  line=$(grep -m 1 '^scenario=' "$WORK/stdout")
  if [ -s "$WORK/stderr" ]; then sed 's/^/  /' "$WORK/stderr" >&2; fi
  if [ "$rc" != 0 ] || [ -z "$line" ]; then
    say "$provider $row FAILED (exit $rc)"
    FAILED=$((FAILED + 1))
    echo "provider=$provider row=$row failed=1" >>"$RESULTS"
    return
  fi
  echo "$line"
  echo "provider=$provider row=$row $line" >>"$RESULTS"
}

for p in $PROVIDERS; do
  run "$p" keepalive keepalive -n 5000
  run "$p" handshake handshake -n 500
  run "$p" handshake-system-ca handshake -n 200 --cacert "$CA_PLUS"
  run "$p" resume resume -n 500 --url "https://localhost:$RESUME_PORT"
  run "$p" bulk bulk
  run "$p" h2-multiplex h2-multiplex -n 20000 -m 10
  run "$p" soak soak -n 100000 --threads 8
  run "$p" concurrent concurrent -c 100
done

# ---- the table --------------------------------------------------------------
# client CPU: CPU time of the client per operation (bulk: MB per CPU
# second), less sensitive to a busy machine than the rates. notes: how many
# new connections resumed (resume), streams in flight and protocol
# (h2-multiplex), the resident set after warm-up and at the end (soak).
echo
awk '
function field(k,   i, kv) {
  for (i = 1; i <= NF; i++) {
    split($i, kv, "=")
    if (kv[1] == k) return substr($i, length(k) + 2)
  }
  return ""
}
BEGIN {
  printf "%-9s %-20s %12s %-13s %16s %6s %8s  %-20s %s\n", "provider",
    "scenario", "value", "unit", "client CPU", "conns", "rss_kb", "notes", "tls"
}
{
  if (field("failed") == "1") {
    printf "%-9s %-20s %12s\n", field("provider"), field("row"), "FAILED"
    next
  }
  n = field("n"); cpu = field("cpu_s")
  if (field("unit") == "MB/s")
    c = cpu > 0 ? sprintf("%.0f MB/cpu-s", field("value") * field("secs") / cpu) : "n/a"
  else
    c = n > 0 ? sprintf("%.1f us/op", 1e6 * cpu / n) : "n/a"
  if (field("truncated") == "1") truncated = 1
  v = field("value") (field("truncated") == "1" ? "*" : "")
  notes = "-"
  if (field("resumed") != "") notes = "resumed " field("resumed")
  if (field("streams") != "") notes = field("streams") " streams, " field("proto")
  if (field("rss_warm_kb") != "")
    notes = "rss " field("rss_warm_kb") "->" field("rss_end_kb") " kB"
  if (field("rss_per_conn_kb") != "")
    notes = field("connections") " conns, " field("rss_per_conn_kb") " kB each"
  printf "%-9s %-20s %12s %-13s %16s %6s %8s  %-20s %s\n", field("provider"),
    field("row"), v, field("unit"), c, field("conns"), field("rss_kb"), notes,
    field("tls")
}
END { if (truncated) print "* cut short by --max-seconds" }' "$RESULTS"

if [ "$FAILED" -gt 0 ]; then
  say "$FAILED run(s) failed"
  exit 1
fi
exit 0
