#!/bin/sh
# SPDX-License-Identifier: MIT
# check-cli-argv.sh - a running httpr shows no password in the process
# list. The CLI is started with -E FILE:PASSWORD, --pass and -U against a test
# server that never answers (/never), and while it waits, its
# /proc/PID/cmdline (what ps and every other user see) must hold '*'
# where the passwords were, and every other argument unchanged.
set -eu
cli=${HTTPR_CLI:?HTTPR_CLI must name the httpr program}
server=${TEST_SERVER:?TEST_SERVER must name the test server}
pki=${PKI_DIR:?PKI_DIR must name the test PKI}
tmp=$(mktemp -d)
server_pid=
cli_pid=
cleanup() {
  [ -n "$cli_pid" ] && kill "$cli_pid" 2>/dev/null
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "check-cli-argv: FAIL: $*" >&2
  exit 1
}

# wait_for FILE PATTERN: up to 10 s (100 looks) for PATTERN in FILE.
wait_for() {
  n=0
  while [ $n -lt 100 ]; do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
    n=$((n + 1))
  done
  return 1
}

"$server" --plain --port 0 --max-seconds 60 >"$tmp/server.out" \
  2>"$tmp/server.err" &
server_pid=$!
wait_for "$tmp/server.out" '^PORT=' || fail "the test server did not start"
port=$(sed -n 's/^PORT=//p' "$tmp/server.out")

cert_password='hunter2-cert-secret'
key_password='pass-phrase-9'
proxy_password='proxy-secret-7'
"$cli" -v --max-time 30 -o /dev/null -E "$pki/client.pem:$cert_password" \
  --pass "$key_password" -U "proxy-user:$proxy_password" \
  "http://127.0.0.1:$port/never" 2>"$tmp/cli.err" &
cli_pid=$!
# Connected: the command line was parsed long before.
wait_for "$tmp/cli.err" 'Connected to' ||
  fail "httpr did not connect: $(cat "$tmp/cli.err")"
tr '\0' '\n' <"/proc/$cli_pid/cmdline" >"$tmp/cmdline" ||
  fail "cannot read /proc/$cli_pid/cmdline"

if grep -q -e "$cert_password" -e "$key_password" -e "$proxy_password" \
  "$tmp/cmdline"; then
  fail "a password is in the process list:$(printf '\n'; cat "$tmp/cmdline")"
fi
# argv[0] is whatever ran (the libtool wrapper execs the real program);
# the rest must be exactly this.
stars() { printf '%s' "$1" | sed 's/./*/g'; }
cat >"$tmp/want" <<EOF
-v
--max-time
30
-o
/dev/null
-E
$pki/client.pem:$(stars "$cert_password")
--pass
$(stars "$key_password")
-U
$(stars "proxy-user:$proxy_password")
http://127.0.0.1:$port/never
EOF
sed 1d "$tmp/cmdline" >"$tmp/args"
if ! cmp -s "$tmp/want" "$tmp/args"; then
  diff -u "$tmp/want" "$tmp/args" >&2 || true
  fail "the arguments in the process list are not the expected ones"
fi
echo "check-cli-argv: the process list shows '*' for the passwords" \
  "(-E FILE:PASSWORD, --pass, -U), every other argument as given"
