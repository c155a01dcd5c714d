#!/bin/sh
# SPDX-License-Identifier: MIT
# test-packages.sh BUILD - the Debian packages, built and used as a
# distribution would (tools/test-all.sh's "packages" step):
#   1. dpkg-buildpackage -b -us -uc from `make dist`'s tarball of the
#      configured tree BUILD, in build-deb/; the build runs make check;
#   2. lintian on the packages: any error fails, every tag is printed;
#   3. apt-get install ./*.deb, then the installed system: libhttpr.so.0
#      links no TLS library and each module only its own, --list-providers
#      lists the three, the man pages open, pkg-config gives -lhttpr and
#      examples/get.c builds against the installed header, and httpr
#      fetches from nginx on loopback with each provider;
#      The system file /etc/httpr/providers.conf, which no package owns,
#      picks the default, and one it must ignore says why in
#      --list-providers (the file is put back as it was on exit);
#   4. apt-get remove libhttpr-provider-openssl: openssl is no longer
#      listed, asking for it fails with exit 4 naming the module's path,
#      gnutls and mbedtls still fetch;
#   5. apt-get purge of every package, leaving none of their files.
# Installs into the system, so it needs root (or sudo), and purges the
# packages again on any exit. Needs what tools/install-deps.sh installs.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: tools/test-packages.sh BUILD (a configured build tree)}
build=$(cd "$build" && pwd)
if [ "$(id -u)" -eq 0 ]; then
  run=""
elif command -v sudo >/dev/null 2>&1; then
  run="sudo"
else
  echo "test-packages.sh: installs packages: run me as root" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
packages="libhttpr0 libhttpr-provider-gnutls libhttpr-provider-openssl
  libhttpr-provider-mbedtls libhttpr-dev httpr"
triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
moddir=/usr/lib/$triplet/httpr/providers
deb=$top/build-deb
work=$(mktemp -d /tmp/httpr-packages-XXXXXX)
conf=/etc/httpr/providers.conf

fail() {
  echo "test-packages.sh: FAILED: $*" >&2
  exit 1
}

# installed: the packages of ours dpkg knows, in any state but purged.
installed() {
  for p in $packages; do
    dpkg-query -W -f '${db:Status-Status} ${Package}\n' "$p" 2>/dev/null |
      awk '$1 != "not-installed" { print $2 }'
  done
}

# apt ARGS...: apt-get, its output shown only when it fails.
apt() {
  $run apt-get -y -qq "$@" >"$work/apt.log" 2>&1 ||
    { cat "$work/apt.log" >&2; fail "apt-get $*"; }
}

purge() {
  left=$(installed)
  # shellcheck disable=SC2086
  [ -z "$left" ] || apt purge $left
}

# The administrator's file, if any, is kept aside while the test writes
# its own, and put back.
conf_saved=0
conf_dir_made=0
restore_conf() {
  [ "$conf_saved$conf_dir_made" != 00 ] || return 0
  $run rm -f "$conf"
  if [ "$conf_saved" = 1 ]; then
    $run mv "$work/providers.conf.saved" "$conf"
  else
    $run rmdir "${conf%/*}" 2>/dev/null || true
  fi
  conf_saved=0
  conf_dir_made=0
}

# set_conf TEXT: the system file holds TEXT.
set_conf() {
  if [ "$conf_saved$conf_dir_made" = 00 ]; then
    if [ -e "$conf" ]; then
      $run cp -p "$conf" "$work/providers.conf.saved" && conf_saved=1
    elif [ ! -d "${conf%/*}" ]; then
      $run mkdir -p "${conf%/*}" && conf_dir_made=1
    fi
  fi
  printf '%s\n' "$1" | $run tee "$conf" >/dev/null
}

cleanup() {
  [ ! -f "$work/nginx.pid" ] || kill "$(cat "$work/nginx.pid")" 2>/dev/null ||
    true
  restore_conf || true
  purge || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# 1. Build from the release tarball. Any earlier install would hide what
# this build's packages hold.
purge
make -C "$build" --no-print-directory dist >/dev/null
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$build/config.h")
rm -rf "$deb"
mkdir -p "$deb"
tar -xzf "$build/httpr-$version.tar.gz" -C "$deb"
echo "packages: dpkg-buildpackage -b -us -uc in build-deb/httpr-$version" \
  "(log: build-deb/build.log)"
(cd "$deb/httpr-$version" && dpkg-buildpackage -b -us -uc -j"$(nproc)") \
  >"$deb/build.log" 2>&1 || { tail -n 80 "$deb/build.log"; fail "package build"; }
grep -E '^# (TOTAL|PASS|FAIL):' "$deb/build.log" | sed 's/^/packages: make check at build time: /'
ls "$deb"/*.deb | sed 's|.*/|packages: built |'

# 2. lintian: errors fail; warnings and the rest are printed for review.
lintian --fail-on error --info --display-info --pedantic \
  "$deb/httpr_${version}_$(dpkg --print-architecture).changes" \
  >"$deb/lintian.log" 2>&1 || { cat "$deb/lintian.log"; fail "lintian"; }
tags=$(grep -v 'running with root privileges' "$deb/lintian.log" || true)
echo "${tags:-no tags}" | sed 's/^/packages: lintian: /'

# 3. Install and use.
debs=""
for p in $packages; do debs="$debs $deb/${p}_${version}_$(dpkg --print-architecture).deb"; done
# shellcheck disable=SC2086
apt install $debs
echo "packages: installed:" $(installed)

if ldd "/usr/lib/$triplet/libhttpr.so.0" | grep -E 'libssl|libcrypto|gnutls|mbed'; then
  fail "libhttpr.so.0 links a TLS library"
fi
for p in openssl:libssl gnutls:libgnutls mbedtls:libmbedtls; do
  name=${p%%:*}
  own=${p#*:}
  libs=$(ldd "$moddir/httpr-$name.so")
  echo "$libs" | grep -q "$own" || fail "httpr-$name.so does not link $own"
  others=$(echo "$libs" | grep -E 'libssl|libcrypto|gnutls|mbed' |
    grep -vE "$(case $name in openssl) echo 'libssl|libcrypto' ;;
      gnutls) echo gnutls ;; mbedtls) echo mbed ;; esac)") || true
  [ -z "$others" ] || fail "httpr-$name.so links another TLS library: $others"
done
echo "packages: libhttpr.so.0 links no TLS library; each module links its own"

httpr --list-providers >"$work/list"
sed 's/^/packages: --list-providers: /' "$work/list"
for name in openssl gnutls mbedtls; do
  grep -q "^$name " "$work/list" || fail "--list-providers does not list $name"
done

for page in httpr.1 libhttpr.3 httpr_client_new.3; do
  man -P cat "${page%.*}" "${page#*.}" >/dev/null 2>&1 ||
    man -P cat "${page#*.}" "${page%.*}" >/dev/null 2>&1 ||
    fail "man ${page#*.} ${page%.*} does not open"
done
echo "packages: man httpr, man libhttpr and man httpr_client_new open"

libs=$(pkg-config --libs httpr)
# shellcheck disable=SC2086
[ "$(echo $libs)" = "-lhttpr" ] || fail "pkg-config --libs httpr gives '$libs'"
# shellcheck disable=SC2046
cc -o "$work/get" "$top/examples/get.c" $(pkg-config --cflags --libs httpr) ||
  fail "examples/get.c does not build against the installed library"
echo "packages: pkg-config --libs httpr: -lhttpr; examples/get.c builds"

# nginx on loopback, with a PKI made now. Its workers run as www-data.
sh "$top/tests/pki/make-pki.sh" "$work/pki"
mkdir -p "$work/www" "$work/tmp"
echo "hello from the packages" >"$work/www/index.html"
chmod 755 "$work" "$work/www"
chmod 644 "$work/www/index.html"
port=""
for _ in 1 2 3 4 5; do
  try=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 9000))
  cat >"$work/nginx.conf" <<EOF
worker_processes 1; pid $work/nginx.pid; error_log $work/nginx-error.log;
daemon on; events { worker_connections 64; }
http { access_log off; client_body_temp_path $work/tmp;
  proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp;
  uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
  server { listen 127.0.0.1:$try ssl; server_name localhost;
    ssl_certificate $work/pki/good-ecdsa.crt;
    ssl_certificate_key $work/pki/good-ecdsa.key;
    ssl_protocols TLSv1.2 TLSv1.3; root $work/www; } }
EOF
  if nginx -p "$work" -c "$work/nginx.conf" -e "$work/nginx-error.log" \
    2>>"$work/nginx-start.log"; then
    port=$try
    break
  fi
done
[ -n "$port" ] || { cat "$work/nginx-start.log" >&2; fail "nginx did not start"; }
url=https://localhost:$port/

# fetch PROVIDER: the page, through the installed httpr and that provider.
fetch() {
  got=$(httpr --max-time 10 --tls-provider "$1" --cacert "$work/pki/ca-bundle.pem" \
    -w ' %{http_code} %{tls_provider}' "$url") || fail "httpr with $1: exit $?"
  [ "$got" = "hello from the packages
 200 $1" ] || fail "httpr with $1 printed: $got"
  echo "packages: the installed httpr fetched $url with $1"
}
for name in gnutls openssl mbedtls; do fetch "$name"; done

# The default: the build's (gnutls), then the system file's order, then
# the build's again when the file must be ignored, saying why.
# default_is NAME ORIGIN: --list-providers's last line, and the provider a
# fetch naming none uses.
default_is() {
  last=$(httpr --list-providers | tail -n 1)
  echo "packages: $last"
  [ "$last" = "default: $1 ($2)" ] || fail "expected default: $1 ($2)"
  got=$(httpr --max-time 10 --cacert "$work/pki/ca-bundle.pem" -o /dev/null \
    -w '%{tls_provider}' "$url") || fail "httpr with the default: exit $?"
  [ "$got" = "$1" ] || fail "the default fetch used $got, not $1"
}
[ -f /usr/share/doc/libhttpr0/examples/providers.conf ] ||
  fail "libhttpr0 ships no example providers.conf"
[ ! -e "$conf" ] || set_conf "# the test's empty file"
default_is gnutls "build default"
set_conf "order = nosuch, mbedtls openssl"
default_is mbedtls "$conf"
set_conf "prefer = openssl"
default_is gnutls "build default; $conf ignored: line 1: unknown setting \"prefer\""
restore_conf
HTTPR_CA_BUNDLE=$work/pki/ca-bundle.pem "$work/get" "$url" |
  sed 's/^/packages: examples\/get (installed libhttpr): /'

# 4. One provider removed: the others still work.
apt remove libhttpr-provider-openssl
httpr --list-providers >"$work/list"
sed 's/^/packages: after removing openssl: --list-providers: /' "$work/list"
! grep -q '^openssl ' "$work/list" || fail "openssl is still listed"
rc=0
httpr -v --max-time 10 --tls-provider openssl --cacert "$work/pki/ca-bundle.pem" \
  "$url" >/dev/null 2>"$work/err" || rc=$?
sed 's/^/packages: after removing openssl: /' "$work/err" | grep -E 'httpr: \(|detail'
[ "$rc" = 4 ] || fail "asking for the removed openssl exited $rc, not 4"
grep -q "$moddir/httpr-openssl.so" "$work/err" ||
  fail "the error for the removed openssl does not name its module"
for name in gnutls mbedtls; do fetch "$name"; done

# 5. Purge: none of the packages' files is left.
purge
[ -z "$(installed)" ] || fail "still installed after purge: $(installed)"
for path in "/usr/lib/$triplet/httpr" "/usr/lib/$triplet/libhttpr.so.0" \
  /usr/include/httpr /usr/include/httpr.h /usr/bin/httpr \
  /usr/share/doc/libhttpr0 /usr/share/man/man3/libhttpr.3.gz \
  /etc/httpr; do
  [ ! -e "$path" ] || fail "$path is left after purge"
done
echo "packages: purged; none of their files is left"
