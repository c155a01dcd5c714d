# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# servers.sh - the "servers" section of run-interop.sh, which sources it
# and lends it WORK, PKI, CLI, PIDS, CA, the PASS and FAIL counts,
# scaled, pass_if and has_tls13. Five servers from Debian packages, each
# started here with a config of its own under $WORK, on loopback ports
# of its own (no system service, nothing on port 80 or 443), so that the
# server side has four TLS stacks too:
#
#   apache            Apache httpd 2.4, mod_ssl (OpenSSL) and mod_http2
#   caddy             Caddy 2.6 (Go's crypto/tls), admin endpoint off, no
#                     automatic HTTPS, the PKI's certificates
#   lighttpd-mbedtls  lighttpd 1.4 with its mbedTLS module (TLS 1.2 only:
#                     Debian's mbedTLS 2.28 has no TLS 1.3 server)
#   lighttpd-gnutls   lighttpd 1.4 with its GnuTLS module
#   h2o               h2o 2.2 (OpenSSL)
#
# Each listens on four ports from a base: the good chain (good-ecdsa),
# the expired one, the wrong-host one, and (h2o aside) one that requires
# a client certificate for the whole server. For every provider, at
# every server: a GET over HTTP/2 (the default) and over --http1.1, the
# body and -w's HTTP and TLS versions exactly (TLS 1.3 where both sides
# have it, else 1.2); a 10 MiB file of random bytes over each, its
# sha1sum that of the file served; the expired and the wrong-host chain,
# exit 60 and one error line, the same for every provider; two URLs on
# one command line over each version, which must travel on one
# connection: both requests carry a tag of their own in the query, and
# the server's access log must show them with one client port (h2o: one
# connection id) and the expected protocol; with a client certificate
# required, the PKI's client certificate (--cert/--key) gets the body
# over HTTP/2, and without one the failure the server chooses, exit
# code and error line, with the provider's highest TLS version and with
# --tls-max 1.2 (offering h2 too at Apache and Caddy: servers_cases says
# why not at lighttpd). Apache's /secure asks for the certificate only
# after the handshake: TLS 1.3 post-handshake authentication, a TLS 1.2
# renegotiation, HTTP_1_1_REQUIRED over HTTP/2 (then HTTP/1.1 on a new
# connection); every provider gets the page with the certificate and the
# server's alert without one. A gnutls-serv without RFC 5746 support
# (%DISABLE_SAFE_RENEGOTIATION, TLS 1.2) fails every provider's first
# handshake with one message.

APACHE=$(command -v apache2 || echo /usr/sbin/apache2)
APACHE_MODS=/usr/lib/apache2/modules
CADDY=$(command -v caddy || echo /usr/bin/caddy)
LIGHTTPD=$(command -v lighttpd || echo /usr/sbin/lighttpd)
LIGHTTPD_MODS=/usr/lib/lighttpd
SRV_H2O=$(command -v h2o || echo /usr/sbin/h2o)
SRV_BIG=$((10 * 1024 * 1024))

# The packages whose files the section needs and does not find, by name.
servers_missing() {
  local pair missing=""
  for pair in "apache2=$APACHE" "apache2=$APACHE_MODS/mod_ssl.so" \
    "apache2=$APACHE_MODS/mod_http2.so" "caddy=$CADDY" \
    "lighttpd=$LIGHTTPD" "lighttpd-mod-mbedtls=$LIGHTTPD_MODS/mod_mbedtls.so" \
    "lighttpd-mod-gnutls=$LIGHTTPD_MODS/mod_gnutls.so" "h2o=$SRV_H2O" \
    "gnutls-bin=$(command -v gnutls-serv || echo /usr/bin/gnutls-serv)"; do
    if [ ! -e "${pair#*=}" ] && [[ " $missing " != *" ${pair%%=*} "* ]]; then
      missing="$missing ${pair%%=*}"
    fi
  done
  echo "${missing# }"
}

# Per server: the base port, the access log, how its lines read
# (srv_log_lines), its highest TLS version, and the failure it chooses
# for a client without a certificate, as "EXIT|STDERR" at TLS 1.3 and at
# TLS 1.2.
declare -gA SRV_BASE SRV_LOG SRV_KIND SRV_PID SRV_TLS13 SRV_NOCERT13 SRV_NOCERT12
SERVERS="apache caddy lighttpd-mbedtls lighttpd-gnutls h2o"

# 0 when nothing listens on 127.0.0.1:$1 ... $1+$2-1.
ports_free() {
  local i
  for ((i = 0; i < $2; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$(($1 + i))") 2>/dev/null; then
      return 1
    fi
  done
  return 0
}

# Waits (at most 10 s, stretched) until process $1 listens on 127.0.0.1:$2
# ... $2+$3-1; fails at once when the process has gone.
srv_listening() {
  local pid=$1 base=$2 count=$3 i
  for _ in $(seq 1 $(($(scaled 10) * 10))); do
    kill -0 "$pid" 2>/dev/null || return 1
    for ((i = 0; i < count; i++)); do
      (exec 3<>"/dev/tcp/127.0.0.1/$((base + i))") 2>/dev/null || break
    done
    [ "$i" = "$count" ] && return 0
    sleep 0.1
  done
  return 1
}

# srv_start NAME COUNT: up to five bases whose COUNT ports are free, and
# NAME_start BASE (which starts the server in the background and sets
# LAST_PID) on each until the server listens on all of them.
srv_start() {
  local name=$1 count=$2 base
  mkdir -p "$WORK/$name"
  for _ in 1 2 3 4 5; do
    base=$((20000 + RANDOM % 9000))
    ports_free "$base" "$count" || continue
    "${name//-/_}_start" "$base"
    PIDS+=("$LAST_PID")
    if srv_listening "$LAST_PID" "$base" "$count"; then
      SRV_BASE[$name]=$base
      SRV_PID[$name]=$LAST_PID
      return 0
    fi
    kill "$LAST_PID" 2>/dev/null
  done
  echo "interop: $name did not start" >&2
  tail -n 5 "$WORK/$name/"*.log >&2 2>/dev/null
  return 1
}

# Servers started as root give up root for nobody, having read the keys.
as_root() { [ "$(id -u)" = 0 ]; }

# ---- Apache httpd: mod_ssl and mod_http2, in the foreground -------------------
apache_vhost() { # port cert [directives]
  cat <<EOF
Listen 127.0.0.1:$1
<VirtualHost 127.0.0.1:$1>
  SSLEngine on
  SSLCertificateFile $PKI/$2.crt
  SSLCertificateKeyFile $PKI/$2.key
  ${3:-}
</VirtualHost>
EOF
}

apache_start() { # base
  local d=$WORK/apache m=$APACHE_MODS mod
  {
    echo "ServerRoot $d"
    echo "ServerName localhost"
    echo "PidFile $d/httpd.pid"
    echo "DefaultRuntimeDir $d"
    echo "Mutex file:$d default"
    echo "ErrorLog $d/error.log"
    for mod in mpm_event authz_core ssl http2; do
      echo "LoadModule ${mod}_module $m/mod_$mod.so"
    done
    if as_root; then echo "User nobody"; echo "Group #$(id -g nobody)"; fi
    cat <<EOF
StartServers 1
ServerLimit 1
ThreadsPerChild 16
MaxRequestWorkers 16
MinSpareThreads 1
MaxSpareThreads 16
Protocols h2 http/1.1
DocumentRoot $SRV_WWW
LogFormat "%{remote}p %H %>s %U%q" conn
CustomLog $d/access.log conn
EOF
    # /secure asks for the client certificate after the handshake: TLS
    # 1.3 post-handshake authentication, a TLS 1.2 renegotiation, and
    # over HTTP/2 a stream reset with HTTP_1_1_REQUIRED.
    apache_vhost "$1" good-ecdsa "SSLCACertificateFile $PKI/client-ca.pem
  <Location /secure>
    SSLVerifyClient require
  </Location>"
    apache_vhost $(($1 + 1)) expired
    apache_vhost $(($1 + 2)) wronghost
    apache_vhost $(($1 + 3)) good-ecdsa "SSLVerifyClient require
  SSLCACertificateFile $PKI/client-ca.pem"
  } >"$d/httpd.conf"
  "$APACHE" -f "$d/httpd.conf" -DFOREGROUND </dev/null >>"$d/stderr.log" \
    2>&1 9>&- &
  LAST_PID=$!
}

# ---- gnutls-serv without RFC 5746 (secure renegotiation), TLS 1.2 ---------
gnutls_legacy_start() { # base
  gnutls-serv --http --port "$1" --x509certfile "$PKI/good-ecdsa.crt" \
    --x509keyfile "$PKI/good-ecdsa.key" \
    --priority "NORMAL:-VERS-TLS1.3:%DISABLE_SAFE_RENEGOTIATION" \
    </dev/null >"$WORK/gnutls-legacy/stderr.log" 2>&1 9>&- &
  LAST_PID=$!
}

# ---- Caddy: a Caddyfile, no admin endpoint, its state under $WORK ---------------
caddy_site() { # port cert [tls options [directives]]
  cat <<EOF
https://localhost:$1 {
	bind 127.0.0.1
	root * $SRV_WWW
	file_server
	tls $PKI/$2.crt $PKI/$2.key ${3:-}
	${4:-}
}
EOF
}

caddy_start() { # base
  local d=$WORK/caddy
  {
    cat <<EOF
{
	admin off
	auto_https off
	ocsp_stapling off
	skip_install_trust
	grace_period 1s
	storage file_system $d/storage
	servers {
		protocols h1 h2
	}
}
EOF
    caddy_site "$1" good-ecdsa "" "log {
		output file $d/access.log
		format json
	}"
    caddy_site $(($1 + 1)) expired
    caddy_site $(($1 + 2)) wronghost
    caddy_site $(($1 + 3)) good-ecdsa "{
		client_auth {
			mode require_and_verify
			trusted_ca_cert_file $PKI/client-ca.pem
		}
	}"
  } >"$d/Caddyfile"
  HOME=$d XDG_CONFIG_HOME=$d/config XDG_DATA_HOME=$d/data \
    "$CADDY" run --config "$d/Caddyfile" --adapter caddyfile \
    </dev/null >>"$d/stderr.log" 2>&1 9>&- &
  LAST_PID=$!
}

# ---- lighttpd: one instance per TLS module, in the foreground -----------------
# It opens its logs after giving up root, so their directory is nobody's.
lighttpd_socket() { # port cert [directives]
  cat <<EOF
\$SERVER["socket"] == "127.0.0.1:$1" {
  ssl.engine = "enable"
  ssl.pemfile = "$PKI/$2.crt"
  ssl.privkey = "$PKI/$2.key"
  ${3:-}
}
EOF
}

lighttpd_start() { # module base
  local d=$WORK/lighttpd-$1
  {
    cat <<EOF
server.modules = ( "mod_$1", "mod_accesslog" )
server.bind = "127.0.0.1"
server.port = $2
server.document-root = "$SRV_WWW"
mimetype.assign = ( ".html" => "text/html", "" => "application/octet-stream" )
accesslog.filename = "$d/access.log"
accesslog.format = "%{remote}p %H %>s %U?%q"
EOF
    if as_root; then
      echo "server.username = \"nobody\""
      echo "server.groupname = \"$(id -gn nobody)\""
      chown nobody "$d"
    fi
    # The base port is server.port: its socket block gives it TLS.
    lighttpd_socket "$2" good-ecdsa
    lighttpd_socket $(($2 + 1)) expired
    lighttpd_socket $(($2 + 2)) wronghost
    lighttpd_socket $(($2 + 3)) good-ecdsa "ssl.ca-file = \"$PKI/client-ca.pem\"
  ssl.verifyclient.activate = \"enable\"
  ssl.verifyclient.enforce = \"enable\""
  } >"$d/lighttpd.conf"
  "$LIGHTTPD" -D -f "$d/lighttpd.conf" </dev/null >>"$d/stderr.log" 2>&1 9>&- &
  LAST_PID=$!
}
lighttpd_mbedtls_start() { lighttpd_start mbedtls "$1"; }
lighttpd_gnutls_start() { lighttpd_start gnutls "$1"; }

# ---- h2o: three listeners, each connection numbered in the access log ----------
h2o_listen() { # port cert
  echo "listen: {host: 127.0.0.1, port: $1, ssl: {certificate-file: $PKI/$2.crt, key-file: $PKI/$2.key, ocsp-update-interval: 0}}"
}

h2o_start() { # base
  local d=$WORK/h2o
  {
    h2o_listen "$1" good-ecdsa
    h2o_listen $(($1 + 1)) expired
    h2o_listen $(($1 + 2)) wronghost
    as_root && echo "user: nobody"
    cat <<EOF
access-log:
  path: $d/access.log
  format: "%{connection-id}x %H %s %U%q"
hosts:
  default:
    paths:
      /:
        file.dir: $SRV_WWW
EOF
  } >"$d/h2o.conf"
  "$SRV_H2O" -c "$d/h2o.conf" </dev/null >>"$d/stderr.log" 2>&1 9>&- &
  LAST_PID=$!
}

# Starts the five servers and fills in what is known of each.
servers_start() {
  SRV_WWW=$WORK/srv-www
  mkdir -p "$SRV_WWW"
  echo hello >"$SRV_WWW/index.html"
  mkdir -p "$SRV_WWW/secure"
  echo secret >"$SRV_WWW/secure/index.html"
  chmod 755 "$SRV_WWW/secure"
  chmod 644 "$SRV_WWW/secure/index.html"
  head -c "$SRV_BIG" /dev/urandom >"$SRV_WWW/big.bin"
  chmod 755 "$SRV_WWW"
  chmod 644 "$SRV_WWW/index.html" "$SRV_WWW/big.bin"
  SRV_BIG_SHA1=$(sha1sum <"$SRV_WWW/big.bin" | cut -d' ' -f1)
  srv_start apache 4 && srv_start caddy 4 &&
    srv_start lighttpd-mbedtls 4 && srv_start lighttpd-gnutls 4 &&
    srv_start h2o 3 && srv_start gnutls-legacy 1 || return 1
  local s
  for s in $SERVERS; do
    SRV_LOG[$s]=$WORK/$s/access.log
    SRV_KIND[$s]=${s%%-*}
    SRV_TLS13[$s]=1
  done
  SRV_TLS13[lighttpd-mbedtls]=0
  # Without a client certificate: mod_ssl refuses with
  # certificate_required at TLS 1.3 (after the handshake, as the client
  # sees it) and handshake_failure at TLS 1.2; Go's crypto/tls with
  # bad_certificate at both; lighttpd with both modules closes the
  # connection without an alert: in the handshake at TLS 1.2, after it
  # (so the request gets no answer) at TLS 1.3.
  SRV_NOCERT13[apache]="35|httpr: (35) no client certificate presented (server sent alert certificate_required)"
  SRV_NOCERT12[apache]="35|httpr: (35) TLS handshake failed: server sent alert handshake_failure"
  SRV_NOCERT13[caddy]="35|httpr: (35) server rejected the client certificate (alert bad_certificate)"
  SRV_NOCERT12[caddy]=${SRV_NOCERT13[caddy]}
  SRV_NOCERT12[lighttpd-mbedtls]="35|httpr: (35) TLS handshake failed: the server closed the connection"
  SRV_NOCERT13[lighttpd-mbedtls]=${SRV_NOCERT12[lighttpd-mbedtls]}
  SRV_NOCERT13[lighttpd-gnutls]="56|httpr: (56) connection closed without TLS close_notify"
  SRV_NOCERT12[lighttpd-gnutls]=${SRV_NOCERT12[lighttpd-mbedtls]}
}

# ---- checks ------------------------------------------------------------------------
# srv_check NAME WANT_EXIT WANT_STDOUT WANT_STDERR -- httpr args...: the
# exit code, stdout and stderr all exactly as wanted (trailing newlines
# aside).
srv_check() {
  local name=$1 want=$2 want_out=$3 want_err=$4
  shift 5
  local out err rc
  out=$(timeout "$(scaled 60)" "$CLI" -sS "$@" 2>"$WORK/stderr")
  rc=$?
  err=$(cat "$WORK/stderr")
  [ "$rc" = "$want" ] && [ "$out" = "$want_out" ] && [ "$err" = "$want_err" ]
  pass_if $? "$name (exit $rc)" "exit $rc, want $want;" \
    "stdout '${out:0:200}', want '$want_out';" \
    "stderr '${err:0:300}', want '$want_err'"
}

# srv_download NAME VERSION -- httpr args and URL of big.bin: exit 0, -w's
# HTTP version VERSION and size, and the file written has the served
# file's SHA-1.
srv_download() {
  local name=$1 version=$2 out rc sum
  shift 3
  rm -f "$WORK/download.bin"
  out=$(timeout "$(scaled 60)" "$CLI" -sS -o "$WORK/download.bin" \
    -w '%{http_version} %{size_download}' "$@" 2>"$WORK/stderr")
  rc=$?
  sum=$(sha1sum <"$WORK/download.bin" 2>/dev/null | cut -d' ' -f1)
  [ "$rc" = 0 ] && [ "$out" = "$version $SRV_BIG" ] && [ "$sum" = "$SRV_BIG_SHA1" ]
  pass_if $? "$name (HTTP/$version, SHA-1 ${sum:0:12}...)" "exit $rc," \
    "-w '$out' (want '$version $SRV_BIG'), SHA-1 '$sum' (want $SRV_BIG_SHA1);" \
    "stderr: $(head -3 "$WORK/stderr" | paste -sd ' ')"
}

# srv_log_lines SERVER TAG: "CONNECTION PROTOCOL" for each request of the
# server's access log whose query is c=TAG; waits (at most 3 s,
# stretched) for two of them. CONNECTION is the client's port, or h2o's
# connection number; PROTOCOL is HTTP/1.1 or HTTP/2. lighttpd writes its
# log out about once every few seconds, and at once on SIGHUP (which
# also reopens the file).
srv_log_lines() {
  local server=$1 tag=$2 log=${SRV_LOG[$1]}
  [ "${SRV_KIND[$server]}" = lighttpd ] && kill -HUP "${SRV_PID[$server]}"
  for _ in $(seq 1 $(($(scaled 3) * 20))); do
    [ "$(grep -cwF "c=$tag" "$log")" -ge 2 ] && break
    sleep 0.05
  done
  case ${SRV_KIND[$server]} in
    caddy)
      grep -wF "c=$tag" "$log" |
        sed -n 's/.*"remote_port":"\([0-9]*\)","proto":"\([^"]*\)".*/\1 \2/p' ;;
    *) grep -wF "c=$tag" "$log" | awk '{ print $1, $2 }' ;;
  esac | sed 's|HTTP/2\.0$|HTTP/2|'
}

# srv_one_connection NAME SERVER VERSION -- httpr args: two GETs of the
# same tagged URL on one command line; exit 0, both bodies with -w's
# HTTP version VERSION, and in SERVER's log two requests of protocol
# HTTP/VERSION on one connection.
SRV_TAGS=0
srv_one_connection() {
  local name=$1 server=$2 version=$3 tag url out rc lines conns protos
  shift 4
  SRV_TAGS=$((SRV_TAGS + 1))
  tag=t$SRV_TAGS
  url="https://localhost:${SRV_BASE[$server]}/index.html?c=$tag"
  out=$(timeout "$(scaled 60)" "$CLI" -sS -w '%{http_version}\n' "$@" \
    "$url" "$url" 2>"$WORK/stderr")
  rc=$?
  lines=$(srv_log_lines "$server" "$tag")
  conns=$(echo "$lines" | awk 'NF { print $1 }' | sort -u | wc -l)
  protos=$(echo "$lines" | awk 'NF { print $2 }' | sort -u | paste -sd ,)
  [ "$rc" = 0 ] && [ "$out" = "$(printf 'hello\n%s\nhello\n%s' "$version" "$version")" ] &&
    [ "$(echo "$lines" | grep -c .)" = 2 ] && [ "$conns" = 1 ] &&
    [ "$protos" = "HTTP/$version" ]
  pass_if $? "$name (2 requests, $conns connection, $protos)" "exit $rc," \
    "stdout '$(echo "$out" | paste -sd ' ')', log '$(echo "$lines" | paste -sd ,)'" \
    "(want 2 requests of HTTP/$version on 1 connection);" \
    "stderr: $(head -3 "$WORK/stderr" | paste -sd ' ')"
}

# servers_cases PROVIDER: every case at every server.
servers_cases() {
  local p=$1 s n base B TLSV want
  B=(--tls-provider "$p" "${CA[@]}")
  for s in $SERVERS; do
    n="$p $s"
    base=${SRV_BASE[$s]}
    TLSV=TLSv1.2
    [ "$(has_tls13 "$p")" = 1 ] && [ "${SRV_TLS13[$s]}" = 1 ] && TLSV=TLSv1.3
    srv_check "$n GET over HTTP/2, $TLSV" 0 $'hello\n'"2 $TLSV" "" -- \
      "${B[@]}" -w '%{http_version} %{tls_version}' "https://localhost:$base/index.html"
    srv_check "$n GET over HTTP/1.1, $TLSV" 0 $'hello\n'"1.1 $TLSV" "" -- \
      "${B[@]}" --http1.1 -w '%{http_version} %{tls_version}' \
      "https://localhost:$base/index.html"
    srv_download "$n 10 MiB download" 2 -- "${B[@]}" \
      "https://localhost:$base/big.bin"
    srv_download "$n 10 MiB download" 1.1 -- "${B[@]}" --http1.1 \
      "https://localhost:$base/big.bin"
    srv_check "$n expired certificate" 60 "" \
      "httpr: (60) certificate verify failed: certificate has expired" -- \
      "${B[@]}" "https://localhost:$((base + 1))/index.html"
    srv_check "$n wrong-host certificate" 60 "" \
      "httpr: (60) certificate verify failed: certificate does not match host name 'localhost'" -- \
      "${B[@]}" "https://localhost:$((base + 2))/index.html"
    srv_one_connection "$n two URLs, one connection" "$s" 1.1 -- "${B[@]}" --http1.1
    srv_one_connection "$n two URLs, one connection" "$s" 2 -- "${B[@]}"
    [ -n "${SRV_NOCERT12[$s]:-}" ] || continue
    srv_check "$n client certificate required: given" 0 $'hello\n'"2 $TLSV" "" -- \
      "${B[@]}" --cert "$PKI/client.crt" --key "$PKI/client.key" \
      -w '%{http_version} %{tls_version}' "https://localhost:$((base + 3))/index.html"
    # Offering http/1.1 alone here, and h2 too below at Apache and Caddy
    # only: lighttpd with mbedTLS, having selected h2, answers a missing
    # certificate at TLS 1.2 now with a decode_error alert, now with a
    # silent close.
    want=${SRV_NOCERT12[$s]}
    [ "$TLSV" = TLSv1.3 ] && want=${SRV_NOCERT13[$s]}
    srv_check "$n client certificate required: none, $TLSV" "${want%%|*}" "" \
      "${want#*|}" -- "${B[@]}" --http1.1 "https://localhost:$((base + 3))/index.html"
    want=${SRV_NOCERT12[$s]}
    srv_check "$n client certificate required: none, TLS 1.2" "${want%%|*}" "" \
      "${want#*|}" -- "${B[@]}" --http1.1 --tls-max 1.2 "https://localhost:$((base + 3))/index.html"
    # Offering h2 too, where the server answers alike every time.
    case $s in apache | caddy) ;; *) continue ;; esac
    want=${SRV_NOCERT12[$s]}
    [ "$TLSV" = TLSv1.3 ] && want=${SRV_NOCERT13[$s]}
    srv_check "$n client certificate required: none, h2 offered, $TLSV" \
      "${want%%|*}" "" "${want#*|}" -- "${B[@]}" \
      "https://localhost:$((base + 3))/index.html"
  done
  servers_late_cert_cases "$p"
}

# servers_late_cert_cases PROVIDER: Apache's /secure asks for the client
# certificate after the handshake; a server without RFC 5746 fails the
# first handshake.
servers_late_cert_cases() {
  local p=$1 base=${SRV_BASE[apache]} B TLSV=TLSv1.2 C
  B=(--tls-provider "$p" "${CA[@]}")
  C=(--cert "$PKI/client.crt" --key "$PKI/client.key")
  [ "$(has_tls13 "$p")" = 1 ] && TLSV=TLSv1.3
  local url="https://localhost:$base/secure/index.html" w='%{http_version} %{tls_version}'
  srv_check "$p apache per-path certificate, h2 offered (HTTP_1_1_REQUIRED, then $TLSV)" \
    0 $'secret\n'"1.1 $TLSV" "" -- "${B[@]}" "${C[@]}" -w "$w" "$url"
  srv_check "$p apache per-path certificate, HTTP/1.1, $TLSV" \
    0 $'secret\n'"1.1 $TLSV" "" -- "${B[@]}" "${C[@]}" --http1.1 -w "$w" "$url"
  srv_check "$p apache per-path certificate, HTTP/1.1, TLS 1.2 renegotiation" \
    0 $'secret\n1.1 TLSv1.2' "" -- "${B[@]}" "${C[@]}" --http1.1 --tls-max 1.2 \
    -w "$w" "$url"
  local want=${SRV_NOCERT12[apache]}
  [ "$TLSV" = TLSv1.3 ] && want=${SRV_NOCERT13[apache]}
  srv_check "$p apache per-path certificate: none, $TLSV" "${want%%|*}" "" \
    "${want#*|}" -- "${B[@]}" --http1.1 "$url"
  want=${SRV_NOCERT12[apache]}
  srv_check "$p apache per-path certificate: none, TLS 1.2" "${want%%|*}" "" \
    "${want#*|}" -- "${B[@]}" --http1.1 --tls-max 1.2 "$url"
  srv_check "$p server without secure renegotiation (RFC 5746)" 35 "" \
    "httpr: (35) TLS handshake failed: the server does not support secure renegotiation (RFC 5746)" \
    -- "${B[@]}" "https://localhost:${SRV_BASE[gnutls-legacy]}/"
}
