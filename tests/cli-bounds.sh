#!/bin/sh
# SPDX-License-Identifier: MIT
# cli-bounds.sh - the CLI's time and size bounds end to end, against the
# plain test server on loopback (which provider does TLS does not matter
# here; the conformance suite checks the library with each): -m against a
# body that never pauses, --inactivity-timeout against silence (and 0
# turning it off), --speed-limit / --speed-time as in curl against a
# drip, the head limit against a 1xx flood, --max-filesize against an
# announced length, each with its exit code, its one-line message and a
# bound on how long it took. The help says the inactivity default.
set -u
srv=${TEST_SERVER:?TEST_SERVER must name the test server}
cli=${HTTPR_CLI:?HTTPR_CLI must name the httpr program}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/httpr-cli-bounds.XXXXXX")
"$srv" --plain --host 127.0.0.1 --port 0 --max-seconds 120 \
  >"$tmp/port" 2>"$tmp/server.log" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

port=
for _ in $(seq 50); do
  port=$(sed -n 's/^PORT=//p' "$tmp/port")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "cli-bounds: the test server did not start"; exit 1; }
base=http://127.0.0.1:$port

failed=0
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# check WANT_RC WANT_MESSAGE MAX_MS ARGS...: runs httpr -sS -o /dev/null
# ARGS and compares its exit code, its stderr and how long it took.
check() {
  want_rc=$1 want_msg=$2 max_ms=$3
  shift 3
  t0=$(now_ms)
  "$cli" -sS -o /dev/null "$@" 2>"$tmp/err"
  rc=$?
  took=$(($(now_ms) - t0))
  got=$(cat "$tmp/err")
  if [ "$rc" != "$want_rc" ] || [ "$got" != "$want_msg" ] ||
    [ "$took" -gt "$max_ms" ]; then
    echo "FAIL: httpr $*"
    echo "  got  exit $rc after $took ms: $got"
    echo "  want exit $want_rc within $max_ms ms: $want_msg"
    failed=1
  else
    echo "ok: httpr $* (exit $rc, $took ms)"
  fi
}

check 28 "httpr: (28) operation timed out after 1000 milliseconds" 1500 \
  -m 1 "$base/endless"
check 28 "httpr: (28) inactivity timeout: nothing sent or received for 500 milliseconds" \
  1000 --inactivity-timeout 0.5 "$base/silent-after-head"
check 28 "httpr: (28) operation timed out after 1000 milliseconds" 1500 \
  --inactivity-timeout 0 -m 1 "$base/silent-after-head"
check 28 "httpr: (28) operation too slow: less than 1000 bytes/sec transferred the last 1 seconds" \
  1500 --speed-limit 1000 --speed-time 1 "$base/drip/100"
# A time alone means 1 byte a second, as in curl: the request's own bytes
# fill the first span, the second has none.
check 28 "httpr: (28) operation too slow: less than 1 bytes/sec transferred the last 1 seconds" \
  2500 -y 1 "$base/drip/3000"
check 63 "httpr: (63) response headers exceed the limit of 102400 bytes" 1000 \
  "$base/1xx-flood"
check 63 "httpr: (63) response body exceeds the limit of 999 bytes" 500 \
  --max-filesize 999 "$base/silent-after-head"

if ! "$cli" --help | grep -q -- '--inactivity-timeout SECONDS'; then
  echo "FAIL: --help does not list --inactivity-timeout"
  failed=1
fi
if ! "$cli" --help | tr -s ' \n' ' ' | grep -q 'default 30, the library'; then
  echo "FAIL: --help does not give the inactivity default"
  failed=1
fi
[ "$failed" = 0 ] || { echo "--- server log"; cat "$tmp/server.log"; }
exit "$failed"
