#!/bin/sh
# SPDX-License-Identifier: MIT
# check-default-provider.sh - the precedence of the default TLS provider,
# one step at a time: the client's config, then HTTPR_TLS_PROVIDER (or,
# when that is unset, HTTPR_TLS_BACKEND), then the system's
# providers.conf, then the build's default, then the first provider
# present. The library reads providers.conf once per process, so every
# case is a process of its own: tests/env/env-probe, run with a clean
# environment and HTTPR_PROVIDERS_CONF naming the case's file, prints the
# default, the step that chose it (httpr_default_provider_origin) and the provider of a
# client. Each case asserts the winner and the step exactly, so a step
# skipped or taken out of order fails here. A file the library must
# ignore (an unknown setting, an overlong line, a directory, a file too
# large) leaves the build's default, with the reason in the step.
#
# In a module build (make check sets HTTPR_PROVIDER_PATH) the probe loads
# the modules from a copy of that directory; a copy holding only a module
# that is not the build's default shows the last step, "first present".
set -eu
build=${top_builddir:-.}
src=${top_srcdir:-.}
probe=$build/tests/env/env-probe

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
  echo "check-default-provider: FAIL: $*" >&2
  exit 1
}

mods=
if [ -n "${HTTPR_PROVIDER_PATH:-}" ]; then
  mods=$tmp/mods
  mkdir "$mods"
  cp "$HTTPR_PROVIDER_PATH"/httpr-*.so "$mods/"
fi

# run NAME [VAR=VALUE...]: the probe in a clean environment with those
# variables, its output in NAME.out. The client it makes names the
# provider $ask in its config (none when empty); $case_mods replaces the
# module directory.
ask=
case_mods=
cases=0
run() {
  name=$1
  shift
  cases=$((cases + 1))
  # shellcheck disable=SC2086 # $ask is one word or none
  env -i "HTTPR_PROVIDER_PATH=${case_mods:-$mods}" "$@" "$probe" $ask \
    >"$tmp/$name.out" || fail "$name: the probe failed"
}
expect() { # NAME LINE
  grep -qxF "$2" "$tmp/$1.out" ||
    fail "$1: no line '$2' in:$(printf '\n'; grep '^default\|^client' \
      "$tmp/$1.out" | sed 's/^/  /')"
}
# step NAME DEFAULT FROM [VAR=VALUE...]: with those variables, the
# default and a client naming no provider are DEFAULT, chosen by FROM.
step() {
  name=$1 want=$2 from=$3
  shift 3
  run "$name" "$@"
  expect "$name" "default provider=$want"
  expect "$name" "default from=$from"
  expect "$name" "client provider=$want"
}
# conf NAME FORMAT [ARG...]: NAME.conf holding what printf makes of them.
conf() {
  out=$tmp/$1.conf
  shift
  # shellcheck disable=SC2059 # FORMAT is a format on purpose
  printf "$@" >"$out"
}

# What is built, and the build's default: no file.
run base "HTTPR_PROVIDERS_CONF=$tmp/missing.conf"
default=$(sed -n 's/^default provider=//p' "$tmp/base.out")
providers=$(sed -n 's/^providers=//p' "$tmp/base.out")
[ -n "$default" ] || fail "the probe found no provider"
expect base "default from=build default"
# A provider that is not the default (with one provider built, the
# default itself: the steps still tell the cases apart).
other=$default
for p in $providers; do
  if [ "$p" != "$default" ]; then other=$p; fi
done

# The file beats the build's default: its first name present wins.
conf order "# a comment\n\norder = nosuch %s, %s\n" "$other" "$default"
step file "$other" "$tmp/order.conf" "HTTPR_PROVIDERS_CONF=$tmp/order.conf"
# HTTPR_TLS_PROVIDER beats the file; so does the old name alone.
step env "$default" HTTPR_TLS_PROVIDER \
  "HTTPR_PROVIDERS_CONF=$tmp/order.conf" "HTTPR_TLS_PROVIDER=$default"
step old-name "$default" HTTPR_TLS_BACKEND \
  "HTTPR_PROVIDERS_CONF=$tmp/order.conf" "HTTPR_TLS_BACKEND=$default"
# Both names: the new one wins; when it names nothing present the old
# one is not read, the file is.
step both "$other" HTTPR_TLS_PROVIDER \
  "HTTPR_PROVIDERS_CONF=$tmp/missing.conf" "HTTPR_TLS_PROVIDER=$other" \
  "HTTPR_TLS_BACKEND=$default"
step env-unknown "$other" "$tmp/order.conf" \
  "HTTPR_PROVIDERS_CONF=$tmp/order.conf" HTTPR_TLS_PROVIDER=nosuch \
  "HTTPR_TLS_BACKEND=$default"
# The client's config beats the environment and the file.
ask=$other
run config "HTTPR_PROVIDERS_CONF=$tmp/order.conf" "HTTPR_TLS_PROVIDER=$default"
expect config "default provider=$default"
expect config "client provider=$other"
ask=nosuch
run config-unknown "HTTPR_PROVIDERS_CONF=$tmp/order.conf"
expect config-unknown "client provider=HTTPR_E_PROVIDER"
ask=

# Below the file: none of its names present, no file, a file that
# changes nothing (the one make install puts in place), files ignored.
conf absent "order = nosuch nosuch2\n"
step none-present "$default" \
  "build default; $tmp/absent.conf: no provider of its order is present" \
  "HTTPR_PROVIDERS_CONF=$tmp/absent.conf"
step missing "$default" "build default" \
  "HTTPR_PROVIDERS_CONF=$tmp/missing.conf"
step example "$default" "build default" \
  "HTTPR_PROVIDERS_CONF=$src/etc/providers.conf"
conf unknown "order = %s\nfoo = bar\n" "$other"
step unknown-key "$default" \
  "build default; $tmp/unknown.conf ignored: line 2: unknown setting \"foo\"" \
  "HTTPR_PROVIDERS_CONF=$tmp/unknown.conf"
conf long "order = %s%600s\n" "$other" ""
step long-line "$default" \
  "build default; $tmp/long.conf ignored: line 1: longer than 512 bytes" \
  "HTTPR_PROVIDERS_CONF=$tmp/long.conf"
mkdir "$tmp/dir.conf"
step directory "$default" \
  "build default; $tmp/dir.conf ignored: not a regular file" \
  "HTTPR_PROVIDERS_CONF=$tmp/dir.conf"
comment=$(printf '%063d' 0 | tr 0 '#')
{
  printf 'order = %s\n' "$other"
  i=0
  while [ $i -lt 1100 ]; do # 1100 lines of 64 bytes: 70,400 bytes
    printf '%s\n' "$comment"
    i=$((i + 1))
  done
} >"$tmp/big.conf"
step too-large "$default" \
  "build default; $tmp/big.conf ignored: larger than 65536 bytes" \
  "HTTPR_PROVIDERS_CONF=$tmp/big.conf"

# The last step: without the build's default, the first present. Only a
# module build can take the default away, by leaving its module out.
if [ -n "$mods" ] && [ "$other" != "$default" ]; then
  mkdir "$tmp/one"
  cp "$mods/httpr-$other.so" "$tmp/one/"
  case_mods=$tmp/one
  step first-present "$other" "first present" \
    "HTTPR_PROVIDERS_CONF=$tmp/missing.conf"
  conf only-default "order = %s\n" "$default"
  step first-present-file "$other" \
    "first present; $tmp/only-default.conf: no provider of its order is present" \
    "HTTPR_PROVIDERS_CONF=$tmp/only-default.conf"
  case_mods=
else
  echo "check-default-provider: \"first present\" needs a module build with" \
    "two providers; not shown"
fi
echo "check-default-provider: $cases processes, each winner and step exact" \
  "(build default $default, the other $other)"
