#!/bin/sh
# make-pki.sh OUTDIR -- build the throw-away PKI the conformance suite and the
# test server use. Only the openssl CLI is needed, and /usr/bin/python3 for
# tests/pki/kdf-files.py. Idempotent: OUTDIR/.complete
# is written last, and when it exists the script exits at once. Quiet on
# success; on failure it prints the failing openssl command's output.
# The password of every encrypted file is "secret". Keys are EC P-256 except
# where RSA is the point (good-rsa), because EC keys are generated instantly.
#
# Files created in OUTDIR:
#   root-ca.pem, root-ca.key     trusted root, CN "httpr test root"
#   inter-ca.pem, inter-ca.key   intermediate signed by the root, CN "httpr test
#                                intermediate"; it signs the server leaves
#   ca-bundle.pem                what clients trust (= root-ca.pem)
#   inter-only.pem               the intermediate alone, to prove an
#                                intermediate works as a trust anchor
#                                (partial chain)
#   other-root-ca.pem, .key      an untrusted root, CN "httpr other root"
#   Server profiles P.crt (chain the server sends, leaf first) and P.key:
#   good-rsa      RSA 2048 leaf, SAN localhost 127.0.0.1 ::1; chain leaf+inter
#   good-ecdsa    P-256 leaf, same SANs and chain
#   expired       like good-ecdsa, valid 2020-01-01..2021-01-01
#   notyet        like good-ecdsa, valid 2099-01-01..2100-01-01
#   wronghost     SAN DNS:wrong.example only; chain leaf+inter
#   noip          SAN DNS:localhost only (an IP URL must fail); leaf+inter
#   selfsigned    self-signed leaf, SAN localhost 127.0.0.1; chain = itself
#   untrusted     leaf signed by other-root; chain leaf+other-root-ca
#   missing-inter the good-ecdsa leaf and key; chain = leaf only
#   badpurpose    like good-ecdsa but extendedKeyUsage clientAuth only (not
#                 usable by a server)
#   Client credentials (signed by the root, CN "httpr test client",
#   extendedKeyUsage clientAuth):
#   client.crt                   the client certificate
#   client.key                   its key, unencrypted PKCS#8
#   client.pem                   certificate then unencrypted key, one file
#   client-key-pkcs8-enc.pem     the key as encrypted PKCS#8 (PBES2/AES-256-CBC)
#   client-key-legacy-enc.pem    the key as traditional "EC PRIVATE KEY" with
#                                Proc-Type: 4,ENCRYPTED and DEK-Info AES-256-CBC
#   client-enc.pem               certificate + the encrypted PKCS#8 key
#   client.p12                   PKCS#12 with certificate and key (openssl 3
#                                default algorithms)
#   client-nomac.p12             the same without a MAC, certificate and key
#                                encrypted with AES-256-CBC (the password is
#                                checked by decryption alone)
#   client-nested.p12            client.p12 without a MAC and with its key bag
#                                inside a second encrypted part (2048
#                                iterations everywhere: a file that works)
#   Key derivations above httpr's cap of 10,000,000 iterations per file, the
#   count 10,000,001 written into copies of the files above (kdf-files.py),
#   so that none takes long to make; none decrypts any more:
#   client-key-pkcs8-costly.pem  the encrypted PKCS#8 key's PBKDF2 count
#   client-costly-mac.p12        client.p12's MAC count
#   client-costly-key.p12        client.p12's shrouded key bag's count
#   client-costly-safe.p12       client.p12's encrypted certificate part's
#   client-costly-nested.p12     client-nested.p12's key, inside an
#                                encrypted part (seen once it is decrypted)
#   client-ber.p12               client.p12 with its outer SEQUENCE in BER's
#                                indefinite-length form (refused: not DER)
#   client-other.key             a different unencrypted key (mismatch tests)
#   unknown-client.pem           cert+key of a client signed by other-root
#   client-ca.pem                what the server trusts for client
#                                certificates (= root-ca.pem)
#   ca-dir-hashed/               root-ca.pem plus `openssl rehash` hash links
#   ca-dir-plain/                the root as my-root.pem (no hash name) and a
#                                README.txt that is not a certificate
#   not-a-cert.pem               text without any PEM block
#   .complete                    marker written last
set -eu

if [ $# -ne 1 ]; then
  echo "usage: make-pki.sh OUTDIR" >&2
  exit 2
fi
OUT=$1
[ -f "$OUT/.complete" ] && exit 0

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
W=$OUT/.work
rm -rf "$W"
mkdir -p "$W/newcerts"
: >"$W/index.txt"
echo 01 >"$W/serial"
PASS=secret
umask 022

# run CMD...: run an openssl command silently; on failure show its output.
run() {
  if ! "$@" >"$W/log" 2>&1; then
    echo "make-pki.sh: failed: $*" >&2
    cat "$W/log" >&2
    exit 1
  fi
}

# One config serves `openssl req` and `openssl ca`. Extensions are fixed per
# section; only the SAN changes, so it comes from the environment.
CFG=$W/openssl.cnf
cat >"$CFG" <<EOF
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused
[ ca ]
default_ca = ca_default
[ ca_default ]
database = $W/index.txt
new_certs_dir = $W/newcerts
serial = $W/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ policy_any ]
commonName = supplied
[ ext_root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ ext_inter ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ ext_server_ec ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = \$ENV::SAN
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ ext_server_rsa ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = \$ENV::SAN
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ ext_server_wrong_purpose ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = \$ENV::SAN
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ ext_selfsigned ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = \$ENV::SAN
subjectKeyIdentifier = hash
[ ext_client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
GOOD_SAN="DNS:localhost, IP:127.0.0.1, IP:::1"
SAN=$GOOD_SAN
export SAN

eckey() { run openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
  -out "$1"; }
rsakey() { run openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
  -out "$1"; }

# selfsign KEY CN EXT OUT: a self-signed certificate valid for ten years.
selfsign() {
  run openssl req -config "$CFG" -new -x509 -key "$1" -subj "/CN=$2" \
    -extensions "$3" -days 3650 -sha256 -out "$4"
}

# sign CA KEY CN EXT OUT [DATES...]: a certificate for KEY issued by CA
# (CA.pem/CA.key). DATES are -startdate/-enddate for fixed past or future
# validity; without them it is valid from now for ten years.
sign() {
  ca=$1 key=$2 cn=$3 ext=$4 out=$5
  shift 5
  run openssl req -config "$CFG" -new -key "$key" -subj "/CN=$cn" \
    -out "$W/req.csr"
  if [ $# -eq 0 ]; then
    set -- -days 3650
  fi
  run openssl ca -config "$CFG" -batch -notext -rand_serial \
    -cert "$OUT/$ca.pem" -keyfile "$OUT/$ca.key" -extensions "$ext" \
    -in "$W/req.csr" -out "$out" "$@"
}

# Authorities.
eckey "$OUT/root-ca.key"
selfsign "$OUT/root-ca.key" "httpr test root" ext_root "$OUT/root-ca.pem"
eckey "$OUT/inter-ca.key"
sign root-ca "$OUT/inter-ca.key" "httpr test intermediate" ext_inter \
  "$OUT/inter-ca.pem"
eckey "$OUT/other-root-ca.key"
selfsign "$OUT/other-root-ca.key" "httpr other root" ext_root \
  "$OUT/other-root-ca.pem"
cp "$OUT/root-ca.pem" "$OUT/ca-bundle.pem"
cp "$OUT/inter-ca.pem" "$OUT/inter-only.pem"
cp "$OUT/root-ca.pem" "$OUT/client-ca.pem"

# server PROFILE CA CN EXT CHAIN_EXTRA [DATES...]: leaf PROFILE.crt/.key
# issued by CA; CHAIN_EXTRA is the file appended after the leaf ("" = none).
server() {
  p=$1 ca=$2 cn=$3 ext=$4 extra=$5
  shift 5
  if [ ! -f "$OUT/$p.key" ]; then eckey "$OUT/$p.key"; fi
  sign "$ca" "$OUT/$p.key" "$cn" "$ext" "$W/$p.leaf" "$@"
  if [ -n "$extra" ]; then
    cat "$W/$p.leaf" "$extra" >"$OUT/$p.crt"
  else
    cp "$W/$p.leaf" "$OUT/$p.crt"
  fi
}

INTER=$OUT/inter-ca.pem
rsakey "$OUT/good-rsa.key"
server good-rsa inter-ca localhost ext_server_rsa "$INTER"
server good-ecdsa inter-ca localhost ext_server_ec "$INTER"
server expired inter-ca localhost ext_server_ec "$INTER" \
  -startdate 20200101000000Z -enddate 20210101000000Z
server notyet inter-ca localhost ext_server_ec "$INTER" \
  -startdate 20990101000000Z -enddate 21000101000000Z
server untrusted other-root-ca localhost ext_server_ec "$OUT/other-root-ca.pem"
server badpurpose inter-ca localhost ext_server_wrong_purpose "$INTER"
SAN="DNS:wrong.example"
server wronghost inter-ca wrong.example ext_server_ec "$INTER"
SAN="DNS:localhost"
server noip inter-ca localhost ext_server_ec "$INTER"
SAN="DNS:localhost, IP:127.0.0.1"
eckey "$OUT/selfsigned.key"
selfsign "$OUT/selfsigned.key" localhost ext_selfsigned "$OUT/selfsigned.crt"
SAN=$GOOD_SAN
cp "$W/good-ecdsa.leaf" "$OUT/missing-inter.crt"
cp "$OUT/good-ecdsa.key" "$OUT/missing-inter.key"

# Client credentials.
eckey "$OUT/client.key"
sign root-ca "$OUT/client.key" "httpr test client" ext_client "$OUT/client.crt"
cat "$OUT/client.crt" "$OUT/client.key" >"$OUT/client.pem"
run openssl pkcs8 -topk8 -v2 aes-256-cbc -in "$OUT/client.key" \
  -passout "pass:$PASS" -out "$OUT/client-key-pkcs8-enc.pem"
run openssl pkey -in "$OUT/client.key" -traditional -aes-256-cbc \
  -passout "pass:$PASS" -out "$OUT/client-key-legacy-enc.pem"
if ! grep -q '^Proc-Type: 4,ENCRYPTED' "$OUT/client-key-legacy-enc.pem"; then
  echo "make-pki.sh: client-key-legacy-enc.pem is not legacy-encrypted" >&2
  exit 1
fi
cat "$OUT/client.crt" "$OUT/client-key-pkcs8-enc.pem" >"$OUT/client-enc.pem"
run openssl pkcs12 -export -in "$OUT/client.crt" -inkey "$OUT/client.key" \
  -name "httpr test client" -passout "pass:$PASS" -out "$OUT/client.p12"
# -certpbe: with -nomac alone OpenSSL 3.0 leaves the certificates in clear.
run openssl pkcs12 -export -in "$OUT/client.crt" -inkey "$OUT/client.key" \
  -name "httpr test client" -nomac -certpbe AES-256-CBC -keypbe AES-256-CBC \
  -passout "pass:$PASS" -out "$OUT/client-nomac.p12"
KDF_FILES="$(dirname "$0")/kdf-files.py"
COSTLY=10000001
kdf() { run /usr/bin/python3 "$KDF_FILES" "$@"; }
kdf pkcs8 "$OUT/client-key-pkcs8-enc.pem" "$OUT/client-key-pkcs8-costly.pem" \
  $COSTLY
for part in mac key safe; do
  kdf p12 "$OUT/client.p12" "$OUT/client-costly-$part.p12" $part $COSTLY
done
kdf nested "$OUT/client.p12" "$OUT/client-nested.p12" "$PASS" 0
kdf nested "$OUT/client.p12" "$OUT/client-costly-nested.p12" "$PASS" $COSTLY
kdf ber "$OUT/client.p12" "$OUT/client-ber.p12"
eckey "$OUT/client-other.key"
eckey "$W/unknown-client.key"
sign other-root-ca "$W/unknown-client.key" "httpr unknown client" ext_client \
  "$W/unknown-client.crt"
cat "$W/unknown-client.crt" "$W/unknown-client.key" >"$OUT/unknown-client.pem"

# CA directories and a decoy.
rm -rf "$OUT/ca-dir-hashed" "$OUT/ca-dir-plain"
mkdir "$OUT/ca-dir-hashed" "$OUT/ca-dir-plain"
cp "$OUT/root-ca.pem" "$OUT/ca-dir-hashed/root-ca.pem"
run openssl rehash "$OUT/ca-dir-hashed"
cp "$OUT/root-ca.pem" "$OUT/ca-dir-plain/my-root.pem"
cat >"$OUT/ca-dir-plain/README.txt" <<EOF
This directory holds the httpr test root as my-root.pem, under a name that is
not an OpenSSL hash. This file is not a certificate: loaders must skip it.
EOF
cat >"$OUT/not-a-cert.pem" <<EOF
This file has a .pem name but holds no PEM block at all.
Loading it as a CA file or certificate must fail cleanly.
EOF

rm -rf "$W"
: >"$OUT/.complete"
