#!/bin/sh
# SPDX-License-Identifier: MIT
# make-seeds.sh TARGET DIR - writes into DIR the seeds of fuzz target
# TARGET that are binary or come from the test PKI (PKI_DIR, made by
# tests/pki/make-pki.sh), so that none of them lives in the tree: HTTP/2
# server frames, PEM files, PKCS#8 keys and PKCS#12 files in several
# encryptions. The text seeds are in tests/fuzz/corpus/TARGET/. A target
# with nothing to make here is fine. Needs openssl, od and base64.
set -eu
target=$1
dir=$2
PKI=${PKI_DIR:?PKI_DIR not set}
PASS=secret

# The bytes of hex digits $1 (spaces allowed), on stdout.
hex() {
  h=$(printf '%s' "$1" | tr -d ' \n')
  while [ -n "$h" ]; do
    b=${h%"${h#??}"}
    h=${h#??}
    # shellcheck disable=SC2059
    printf "\\$(printf '%03o' "0x$b")"
  done
}

# The hex digits of text $1.
text_hex() { printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n'; }

# Hex of a number $2 in $1 bytes, big-endian.
num_hex() { printf "%0$(($1 * 2))x" "$2"; }

# One HTTP/2 frame in hex: type flags stream payload-hex.
frame() {
  p=$(printf '%s' "$4" | tr -d ' ')
  printf '%s%s%s%s%s' "$(num_hex 3 $((${#p} / 2)))" "$(num_hex 1 "$1")" \
    "$(num_hex 1 "$2")" "$(num_hex 4 "$3")" "$p"
}

# HPACK: a literal field without indexing, new name (RFC 7541 6.2.2);
# names and values under 127 bytes.
lit() {
  printf '00%s%s%s%s' "$(num_hex 1 ${#1})" "$(text_hex "$1")" \
    "$(num_hex 1 ${#2})" "$(text_hex "$2")"
}

# An HTTP/2 seed: settings byte $1 (see fuzz_h2_response.c), then the
# frames in hex ($3...), into file $2. The reads take the first frame (the
# server's SETTINGS) alone, so that the client sends its requests before
# the answers are read, then the rest in pieces.
h2_seed() {
  settings=$1
  out=$2
  shift 2
  first=$(printf '%s' "$1" | tr -d ' ')
  frames=""
  for f; do frames="$frames$f"; done
  split="$(num_hex 1 $((${#first} / 2 - 1)))807f1f807f037f"
  hex "$(num_hex 1 "$settings")$split$frames" >"$dir/$out"
}

h2_seeds() {
  SETTINGS=$(frame 4 0 0 "")
  ACK=$(frame 4 1 0 "")
  OK=88 # :status 200, static table entry 8
  TYPE=$(lit content-type text/plain)
  h2_seed 0 h2-get-200 "$SETTINGS" "$ACK" \
    "$(frame 1 4 1 "$OK$TYPE")" "$(frame 0 1 1 "$(text_hex hello)")"
  h2_seed 3 h2-headers-only "$SETTINGS" "$(frame 1 5 1 "$OK")"
  h2_seed 1 h2-trailers "$SETTINGS" "$(frame 1 4 1 "$OK")" \
    "$(frame 0 0 1 "$(text_hex body)")" \
    "$(frame 1 5 1 "$(lit x-checksum 1234)")"
  h2_seed 2 h2-continue-then-200 "$SETTINGS" \
    "$(frame 1 4 1 "$(lit :status 100)")" \
    "$(frame 1 4 1 "$OK$TYPE")" "$(frame 0 1 1 "$(text_hex done)")"
  h2_seed 2 h2-continuation "$SETTINGS" "$(frame 1 0 1 "$OK")" \
    "$(frame 9 0 1 "$TYPE")" "$(frame 9 4 1 "$(lit x-a b)")" \
    "$(frame 0 1 1 "")"
  h2_seed 0 h2-rst-stream "$SETTINGS" "$(frame 3 0 1 "$(num_hex 4 2)")"
  h2_seed 0 h2-goaway "$SETTINGS" \
    "$(frame 7 0 0 "$(num_hex 4 0)$(num_hex 4 0)$(text_hex bye)")"
  # Four streams, their answers interleaved.
  h2_seed 24 h2-four-streams "$SETTINGS" "$ACK" \
    "$(frame 1 4 3 "$OK")" "$(frame 1 4 1 "$OK")" \
    "$(frame 0 0 1 "$(text_hex one)")" "$(frame 1 5 7 "$OK")" \
    "$(frame 0 1 3 "$(text_hex three)")" "$(frame 1 4 5 "$OK")" \
    "$(frame 0 1 5 "")" "$(frame 0 1 1 "")"
  # PING, WINDOW_UPDATE, PRIORITY and a padded DATA frame.
  h2_seed 32 h2-ping-window-padded "$SETTINGS" \
    "$(frame 6 0 0 0102030405060708)" "$(frame 8 0 0 "$(num_hex 4 1000)")" \
    "$(frame 1 4 1 "$OK")" "$(frame 2 0 1 "$(num_hex 4 0)10")" \
    "$(frame 0 9 1 "03$(text_hex padded)000000")"
  # Server SETTINGS: one stream at a time, a small frame size.
  h2_seed 8 h2-max-streams-1 \
    "$(frame 4 0 0 "$(num_hex 2 3)$(num_hex 4 1)$(num_hex 2 5)$(num_hex 4 16384)")" \
    "$(frame 1 4 1 "$OK")" "$(frame 0 1 1 "$(text_hex a)")" \
    "$(frame 1 5 3 "$OK")"
  # A header block over the smallest limit (64 bytes).
  h2_seed 0 h2-header-over-limit "$SETTINGS" \
    "$(frame 1 5 1 "$OK$(lit x-long "$(printf '%070d' 0)")")"
  # A POST whose body the server answers before reading it all.
  h2_seed 96 h2-post-early-answer "$SETTINGS" "$(frame 1 5 1 "$OK")"
  # Frames on stream 0 that must not be there, and a push promise.
  h2_seed 0 h2-data-on-stream-0 "$SETTINGS" "$(frame 0 0 0 "$(text_hex x)")"
  h2_seed 0 h2-push-promise "$SETTINGS" \
    "$(frame 5 4 1 "$(num_hex 4 2)$OK")"
}

# A file's bytes after a settings byte $1 (hex), into $dir/$3.
prefixed() {
  { hex "$1"; cat "$2"; } >"$dir/$3"
}

# The DER inside a PEM file.
pem_der() { sed '/^-----/d; /:/d; /^$/d' "$1" | base64 -d; }

pem_seeds() {
  for f in client.pem client-enc.pem good-ecdsa.crt client-key-legacy-enc.pem \
    not-a-cert.pem unknown-client.pem; do
    prefixed 00 "$PKI/$f" "pem-$f"
  done
  prefixed 01 "$PKI/client-enc.pem" pem-client-enc-password
  # Two files: the certificate, a NUL, the key.
  { hex 03; cat "$PKI/client.crt"; hex 00; cat "$PKI/client-key-pkcs8-enc.pem"; } \
    >"$dir/pem-two-files"
}

pkcs8_seeds() {
  w=$(mktemp -d)
  prefixed 04 "$PKI/client.key" pkcs8-plain-pem
  prefixed 06 "$PKI/client-key-pkcs8-enc.pem" pkcs8-pbes2-aes256-pem
  prefixed 06 "$PKI/client-key-legacy-enc.pem" pkcs8-legacy-pem
  pem_der "$PKI/client-key-pkcs8-enc.pem" >"$w/aes256.der"
  prefixed 02 "$w/aes256.der" pkcs8-pbes2-aes256-der
  openssl pkcs8 -topk8 -v2 aes-128-cbc -v2prf hmacWithSHA1 -iter 2048 \
    -in "$PKI/client.key" -passout "pass:$PASS" -outform DER \
    -out "$w/aes128-sha1.der" 2>/dev/null
  prefixed 02 "$w/aes128-sha1.der" pkcs8-pbes2-aes128-sha1-der
  openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES -iter 2048 -in "$PKI/client.key" \
    -passout "pass:$PASS" -outform DER -out "$w/3des.der" 2>/dev/null
  prefixed 02 "$w/3des.der" pkcs8-pkcs12-3des-der
  # A non-ASCII password: the PKCS#12 PBE takes it converted from UTF-8.
  openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES -iter 2048 -in "$PKI/client.key" \
    -passout "pass:$(printf 's\303\251cret')" -outform DER \
    -out "$w/3des-utf8.der" 2>/dev/null
  prefixed 03 "$w/3des-utf8.der" pkcs8-pkcs12-3des-utf8-der
  pem_der "$PKI/client.key" >"$w/plain.der"
  prefixed 00 "$w/plain.der" pkcs8-plain-der
  rm -rf "$w"
}

pkcs12_seeds() {
  w=$(mktemp -d)
  prefixed 06 "$PKI/client.p12" p12-default-mac
  prefixed 02 "$PKI/client.p12" p12-default-skip-mac
  prefixed 02 "$PKI/client-nomac.p12" p12-nomac-aes
  # Contents in clear: mutations reach the bags without decryption.
  openssl pkcs12 -export -in "$PKI/client.crt" -inkey "$PKI/client.key" \
    -keypbe NONE -certpbe NONE -nomac -passout "pass:" \
    -out "$w/clear.p12" 2>/dev/null
  prefixed 00 "$w/clear.p12" p12-clear
  # Two certificates, a shrouded key in 3DES, the certificates in clear.
  openssl pkcs12 -export -in "$PKI/client.crt" -inkey "$PKI/client.key" \
    -certfile "$PKI/root-ca.pem" -keypbe PBE-SHA1-3DES -certpbe NONE \
    -iter 2048 -passout "pass:$PASS" -out "$w/3des.p12" 2>/dev/null
  prefixed 02 "$w/3des.p12" p12-3des-key-clear-certs
  prefixed 06 "$w/3des.p12" p12-3des-key-clear-certs-mac
  rm -rf "$w"
}

mkdir -p "$dir"
# Certificates, alone and as the lists servers send (leaf first): every
# profile of the test PKI, name constraints and broken CAs included.
der_seeds() {
  for crt in "$PKI"/*.crt; do
    b=$(basename "$crt" .crt)
    awk -v w="$dir/$b" '/-----BEGIN/ { n++ } { print > (w "." n ".pem") }' \
      "$crt"
    : >"$dir/$b.chain"
    for part in "$dir/$b".*.pem; do
      pem_der "$part" >"$part.der"
      cat "$part.der" >>"$dir/$b.chain"
      rm -f "$part"
    done
  done
}

case $target in
  fuzz_h2_response) h2_seeds ;;
  fuzz_pem) pem_seeds ;;
  fuzz_mbedtls_pkcs8) pkcs8_seeds ;;
  fuzz_mbedtls_pkcs12) pkcs12_seeds ;;
  fuzz_der) der_seeds ;;
  *) ;;
esac
