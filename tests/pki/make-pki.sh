#!/bin/sh
# SPDX-License-Identifier: MIT
# make-pki.sh OUTDIR -- build the throw-away PKI the conformance suite and the
# test server use. Only the openssl CLI is needed, and /usr/bin/python3 for
# tests/pki/kdf-files.py and tests/pki/ocsp-files.py. Idempotent:
# OUTDIR/.complete is written last, and when it exists the script exits at
# once. Quiet on success; on failure it prints the failing openssl
# command's output.
# The password of every encrypted file is "secret". Keys are EC P-256 except
# where RSA is the point (good-rsa, rsa1024*, ku-rsa-*), because EC keys are
# generated instantly.
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
#   proxy-leaf    P-256 leaf, same SANs, signed by the root itself: squid's
#                 https_port (a GnuTLS build) sends the leaf alone
#   expired       like good-ecdsa, valid 2020-01-01..2021-01-01
#   notyet        like good-ecdsa, valid 2099-01-01..2100-01-01
#   wronghost     SAN DNS:wrong.example only; chain leaf+inter
#   noip          SAN DNS:localhost only (an IP URL must fail); leaf+inter
#   selfsigned    self-signed leaf, SAN localhost 127.0.0.1; chain = itself
#   untrusted     leaf signed by other-root; chain leaf+other-root-ca
#   missing-inter the good-ecdsa leaf and key; chain = leaf only
#   badpurpose    like good-ecdsa but extendedKeyUsage clientAuth only (not
#                 usable by a server)
#   Verification-policy cases (tests/conformance/test_policy.c), each a
#   server profile P.crt (leaf first) + P.key; leaves have the good SANs and
#   CN localhost unless said otherwise; "inter" is one intermediate of the
#   case's own, below the test root, and the chain is leaf + inter:
#   nc-permit-violation   inter: nameConstraints permitted DNS:example.org
#   nc-critical-ok        inter: critical, permitted DNS:localhost,
#                         IP:127.0.0.0/8, IP:::1/128 (satisfied)
#   nc-critical-violation inter: critical, permitted DNS:example.org
#   nc-exclude-dns        inter: excluded DNS:localhost
#   nc-permit-ip-violation inter: permitted IP:10.0.0.0/8; leaf SAN
#                         DNS:localhost, IP:127.0.0.1
#   nc-exclude-ip         inter: excluded IP:127.0.0.0/8
#   nc-permit-dirname-ok  inter: permitted dirName O=httpr test; leaf
#                         subject O=httpr test, CN=localhost
#   nc-permit-dirname-violation  the same inter; leaf subject CN=localhost
#   nc-exclude-dirname    inter: excluded dirName O=httpr test; leaf
#                         subject O=httpr test, CN=localhost
#   nc-unsupported-rfc822 inter: permitted email:example.org (no email name
#                         in the leaf)
#   nc-unsupported-uri    inter: permitted URI:.example.org (no URI in the
#                         leaf)
#   nc-root-ok, nc-root-violation  under a root of their own, P-ca.pem, that
#                         carries a critical nameConstraints (permitted
#                         DNS:localhost + the loopback IPs / permitted
#                         DNS:example.org); chain leaf + inter of that root
#   sha1-root-ok          under a root of its own, sha1-root-ok-ca.pem,
#                         self-signed with SHA-1; inter and leaf SHA-256
#   rsa1024               RSA 1024 leaf below inter-ca
#   rsa1024-inter         inter with an RSA 1024 key
#   sha1-leaf             leaf signed by inter-ca with SHA-1
#   sha1-inter            inter signed by the root with SHA-1
#   ku-ecdsa-nodigsig     P-256 leaf, keyUsage critical keyAgreement only
#   ku-rsa-keyenc         RSA 2048 leaf, keyUsage critical keyEncipherment
#   ku-rsa-digsig         RSA 2048 leaf, keyUsage critical digitalSignature
#   crit-ext-leaf         leaf with the unknown critical extension
#                         1.3.6.1.4.1.55555.1 (NULL)
#   crit-ext-inter        inter with that extension
#   chain-8, chain-9, chain-12  N intermediates without a path length
#                         limit between the root and the leaf; chain leaf +
#                         the N, nearest first
#   inter-not-ca          inter with basicConstraints CA:FALSE
#   inter-no-bc           inter without basicConstraints
#   inter-no-certsign     inter whose keyUsage lacks keyCertSign
#   inter-eku-client      inter with extendedKeyUsage clientAuth only
#   pathlen-exceeded      root -> inter (pathlen:0) -> inter -> leaf
#   bad-leaf-sig          the good-ecdsa leaf with the last byte of its
#                         signature changed; chain leaf + inter-ca
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
#   OCSP stapling (tests/pki/ocsp.sh, the last block; test_ocsp.c), each
#   response DER, valid for ten years and signed by inter-ca unless said
#   otherwise:
#   ocsp-good.crt, .key          a leaf below inter-ca (good SANs), chain
#                                leaf+inter; the OCSP index says good
#   ocsp-revoked.crt, .key       the same, revoked (keyCompromise)
#   ocsp-good.der                good, for ocsp-good
#   ocsp-good-delegated.der      the same, signed by a responder inter-ca
#                                delegated to (id-kp-OCSPSigning), its
#                                certificate in the response
#   ocsp-revoked.der             revoked, for ocsp-revoked
#   ocsp-unknown.der             unknown, for ocsp-good
#   ocsp-expired.der             ocsp-good.der dated two days back, its
#                                nextUpdate a day ago (ocsp-files.py)
#   ocsp-future.der              ocsp-good.der dated a day ahead
#   ocsp-bad-signature.der       good, for ocsp-good, the signature's last
#                                byte changed (openssl ocsp -badsig)
#   ocsp-untrusted-signer.der    good, for ocsp-good, signed by a responder
#                                of other-root-ca with id-kp-OCSPSigning
#   ocsp-try-later.der           responseStatus tryLater, no response bytes
#   ocsp-malformed.der           successful, its BasicOCSPResponse an
#                                empty SEQUENCE
#   Revocation (tests/conformance/test_revocation.c); CRLs in PEM, each
#   signed by its issuer, valid for ten years unless said otherwise:
#   revoked               leaf below inter-ca whose serial inter-ca's CRL
#                         lists; chain leaf + inter-ca
#   revoked-inter         leaf below an intermediate of its own that the
#                         root's CRL lists; chain leaf + that intermediate
#   crl.pem               inter-ca's CRL (revoked) then the root's CRL
#                         (revoked-inter's intermediate)
#   crl-other.pem         other-root's CRL listing good-ecdsa's serial: a
#                         CRL of another issuer, which must not apply
#   crl-expired.pem       inter-ca's CRL listing revoked, valid
#                         2020-01-01..2021-01-01 (its nextUpdate is past)
#   crl-future.pem        inter-ca's CRL listing nothing, valid
#                         2099-01-01..2100-01-01 (its thisUpdate is ahead)
#   crl-bad.pem           an "X509 CRL" PEM block whose content is no CRL
#   Public key pinning (tests/conformance/test_pinning.c):
#   good-ecdsa-pubkey.pem, .der  good-ecdsa's SubjectPublicKeyInfo
#   good-ecdsa.pin, good-rsa.pin, untrusted.pin  "sha256//" and the
#                         base64 SHA-256 of that leaf's SubjectPublicKeyInfo
#                         (no newline)
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
# section; only the SAN and the name constraints change, so they come from
# the environment (SAN, NC).
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
default_days = 3650
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ policy_any ]
organizationName = optional
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
[ ext_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ ext_root_nc ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
nameConstraints = \$ENV::NC
subjectKeyIdentifier = hash
[ ext_inter_nc ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
nameConstraints = \$ENV::NC
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ nc_dir ]
O = httpr test
[ ext_inter_not_ca ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ ext_inter_no_bc ]
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ ext_inter_no_certsign ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, digitalSignature, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ ext_inter_eku_client ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ ext_inter_crit ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
1.3.6.1.4.1.55555.1 = critical, ASN1:NULL
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ ext_server_crit ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = \$ENV::SAN
1.3.6.1.4.1.55555.1 = critical, ASN1:NULL
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ ext_server_ku_agree ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, keyAgreement
extendedKeyUsage = serverAuth
subjectAltName = \$ENV::SAN
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ ext_server_ku_keyenc ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = \$ENV::SAN
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
GOOD_SAN="DNS:localhost, IP:127.0.0.1, IP:::1"
SAN=$GOOD_SAN
NC="permitted;DNS:unused.invalid" # every config load needs a value
export SAN NC

eckey() { run openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
  -out "$1"; }
# rsakey OUT [BITS]: an RSA key, 2048 bits unless BITS says otherwise.
rsakey() { run openssl genpkey -algorithm RSA \
  -pkeyopt "rsa_keygen_bits:${2:-2048}" -out "$1"; }

# selfsign KEY CN EXT OUT [DIGEST]: a self-signed certificate valid for ten
# years, signed with DIGEST (default sha256).
selfsign() {
  run openssl req -config "$CFG" -new -x509 -key "$1" -subj "/CN=$2" \
    -extensions "$3" -days 3650 "-${5:-sha256}" -out "$4"
}

# sign CA KEY CN EXT OUT [OPTS...]: a certificate for KEY issued by CA
# (CA.pem/CA.key; a name relative to OUTDIR, or an absolute path). CN is the
# common name, or a whole subject when it starts with "/". OPTS go to
# `openssl ca`: -startdate/-enddate for fixed past or future validity
# (without them it is valid from now for ten years), -md to choose the
# digest.
sign() {
  ca=$1 key=$2 cn=$3 ext=$4 out=$5
  shift 5
  case $ca in /*) ;; *) ca=$OUT/$ca ;; esac
  case $cn in /*) subj=$cn ;; *) subj=/CN=$cn ;; esac
  run openssl req -config "$CFG" -new -key "$key" -subj "$subj" \
    -out "$W/req.csr"
  run openssl ca -config "$CFG" -batch -notext -rand_serial \
    -cert "$ca.pem" -keyfile "$ca.key" -extensions "$ext" \
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

# server PROFILE CA CN EXT CHAIN_EXTRA [OPTS...]: leaf PROFILE.crt/.key
# issued by CA (as sign takes them); CHAIN_EXTRA is the file appended after
# the leaf ("" = none).
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
server proxy-leaf root-ca localhost ext_server_ec ""
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

# Verification-policy cases.

# ca_cert NAME ISSUER EXT [OPTS...]: the CA certificate $W/NAME.pem, CN
# "httpr NAME", issued by ISSUER (as sign takes it), for the key $W/NAME.key
# (made as P-256 unless it exists).
ca_cert() {
  cc_name=$1 cc_issuer=$2 cc_ext=$3
  shift 3
  if [ ! -f "$W/$cc_name.key" ]; then eckey "$W/$cc_name.key"; fi
  sign "$cc_issuer" "$W/$cc_name.key" "httpr $cc_name" "$cc_ext" \
    "$W/$cc_name.pem" "$@"
}

# below_inter PROFILE INTER_EXT LEAF_EXT [LEAF_CN]: an intermediate
# $W/PROFILE-ca made with INTER_EXT below the test root, and below it the
# leaf (LEAF_EXT, LEAF_CN as sign takes it, default localhost); the chain is
# leaf + intermediate.
below_inter() {
  bi_p=$1 bi_ext=$2 bi_leaf_ext=$3 bi_cn=${4:-localhost}
  ca_cert "$bi_p-ca" root-ca "$bi_ext"
  server "$bi_p" "$W/$bi_p-ca" "$bi_cn" "$bi_leaf_ext" "$W/$bi_p-ca.pem"
}

# own_root PROFILE ROOT_EXT [DIGEST]: a root of its own, PROFILE-ca.pem
# (ROOT_EXT, self-signed with DIGEST), an intermediate below it and a leaf
# below that; the chain is leaf + intermediate.
own_root() {
  or_p=$1 or_ext=$2 or_md=${3:-sha256}
  eckey "$W/$or_p-root.key"
  selfsign "$W/$or_p-root.key" "httpr $or_p root" "$or_ext" \
    "$W/$or_p-root.pem" "$or_md"
  cp "$W/$or_p-root.pem" "$OUT/$or_p-ca.pem"
  ca_cert "$or_p-inter" "$W/$or_p-root" ext_inter
  server "$or_p" "$W/$or_p-inter" localhost ext_server_ec "$W/$or_p-inter.pem"
}

# Name constraints. Only the nc-critical-* and nc-root-* ones are critical
# (as RFC 5280 wants): mbedTLS 2.28 cannot parse a critical one in a
# certificate the server sends, and the others test the check itself.
LOOPBACK_NC="permitted;IP:127.0.0.0/255.0.0.0,\
 permitted;IP:::1/ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
NC="permitted;DNS:example.org"
below_inter nc-permit-violation ext_inter_nc ext_server_ec
NC="critical, permitted;DNS:localhost, $LOOPBACK_NC"
below_inter nc-critical-ok ext_inter_nc ext_server_ec
NC="critical, permitted;DNS:example.org"
below_inter nc-critical-violation ext_inter_nc ext_server_ec
NC="excluded;DNS:localhost"
below_inter nc-exclude-dns ext_inter_nc ext_server_ec
NC="permitted;IP:10.0.0.0/255.0.0.0"
SAN="DNS:localhost, IP:127.0.0.1"
below_inter nc-permit-ip-violation ext_inter_nc ext_server_ec
SAN=$GOOD_SAN
NC="excluded;IP:127.0.0.0/255.0.0.0"
below_inter nc-exclude-ip ext_inter_nc ext_server_ec
NC="permitted;dirName:nc_dir"
below_inter nc-permit-dirname-ok ext_inter_nc ext_server_ec \
  "/O=httpr test/CN=localhost"
server nc-permit-dirname-violation "$W/nc-permit-dirname-ok-ca" localhost \
  ext_server_ec "$W/nc-permit-dirname-ok-ca.pem"
NC="excluded;dirName:nc_dir"
below_inter nc-exclude-dirname ext_inter_nc ext_server_ec \
  "/O=httpr test/CN=localhost"
NC="permitted;email:example.org"
below_inter nc-unsupported-rfc822 ext_inter_nc ext_server_ec
NC="permitted;URI:.example.org"
below_inter nc-unsupported-uri ext_inter_nc ext_server_ec
NC="critical, permitted;DNS:localhost, $LOOPBACK_NC"
own_root nc-root-ok ext_root_nc
NC="critical, permitted;DNS:example.org"
own_root nc-root-violation ext_root_nc

# Weak keys and digests: a trust anchor's own signature does not count.
rsakey "$OUT/rsa1024.key" 1024
server rsa1024 inter-ca localhost ext_server_rsa "$INTER"
rsakey "$W/rsa1024-inter-ca.key" 1024
below_inter rsa1024-inter ext_inter ext_server_ec
server sha1-leaf inter-ca localhost ext_server_ec "$INTER" -md sha1
ca_cert sha1-inter-ca root-ca ext_inter -md sha1
server sha1-inter "$W/sha1-inter-ca" localhost ext_server_ec \
  "$W/sha1-inter-ca.pem"
own_root sha1-root-ok ext_root sha1

# Key usage against the key exchange (the RSA leaves share good-rsa's key).
server ku-ecdsa-nodigsig inter-ca localhost ext_server_ku_agree "$INTER"
cp "$OUT/good-rsa.key" "$OUT/ku-rsa-keyenc.key"
server ku-rsa-keyenc inter-ca localhost ext_server_ku_keyenc "$INTER"
cp "$OUT/good-rsa.key" "$OUT/ku-rsa-digsig.key"
server ku-rsa-digsig inter-ca localhost ext_server_ec "$INTER"

# Unknown critical extensions.
server crit-ext-leaf inter-ca localhost ext_server_crit "$INTER"
below_inter crit-ext-inter ext_inter_crit ext_server_ec

# Chain length: chain-N has the intermediates 1..N, each signing the next.
: >"$W/chain"
issuer=root-ca
i=1
while [ $i -le 12 ]; do
  ca_cert "chain-ca-$i" "$issuer" ext_ca
  cat "$W/chain-ca-$i.pem" "$W/chain" >"$W/chain.new"
  mv "$W/chain.new" "$W/chain"
  issuer=$W/chain-ca-$i
  case $i in
  8 | 9 | 12) server "chain-$i" "$issuer" localhost ext_server_ec "$W/chain" ;;
  esac
  i=$((i + 1))
done

# Broken CA certificates.
below_inter inter-not-ca ext_inter_not_ca ext_server_ec
below_inter inter-no-bc ext_inter_no_bc ext_server_ec
below_inter inter-no-certsign ext_inter_no_certsign ext_server_ec
below_inter inter-eku-client ext_inter_eku_client ext_server_ec
ca_cert pathlen-ca-1 root-ca ext_inter
ca_cert pathlen-ca-2 "$W/pathlen-ca-1" ext_inter
cat "$W/pathlen-ca-2.pem" "$W/pathlen-ca-1.pem" >"$W/pathlen-chain"
server pathlen-exceeded "$W/pathlen-ca-2" localhost ext_server_ec \
  "$W/pathlen-chain"

# A leaf whose signature fails: the last byte of the DER, the end of the
# signature value, changed (never to 0, which printf cannot pass through
# every shell).
run openssl x509 -in "$W/good-ecdsa.leaf" -outform DER -out "$W/bad-sig.der"
size=$(wc -c <"$W/bad-sig.der")
last=$(tail -c 1 "$W/bad-sig.der" | od -An -tu1 | tr -d ' ')
new=$((last ^ 1))
if [ $new -eq 0 ]; then new=2; fi
# shellcheck disable=SC2059
printf "\\$(printf %03o $new)" |
  dd of="$W/bad-sig.der" bs=1 seek=$((size - 1)) conv=notrunc 2>/dev/null
run openssl x509 -inform DER -in "$W/bad-sig.der" -out "$W/bad-sig.pem"
cat "$W/bad-sig.pem" "$INTER" >"$OUT/bad-leaf-sig.crt"
cp "$OUT/good-ecdsa.key" "$OUT/bad-leaf-sig.key"

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

# OCSP stapling: responses for leaves of their own.
. "$(dirname "$0")/ocsp.sh"
# Revocation: each CRL from a database of its own, so that it lists only
# what was revoked for it (every certificate above shares index.txt).
printf '[ crl_ext ]\nauthorityKeyIdentifier = keyid:always\n' >>"$CFG"
# crl_db NAME: an empty database and a config using it, for one CRL.
crl_db() {
  : >"$W/$1.db"
  sed "s|^database = .*|database = $W/$1.db|" "$CFG" >"$W/$1.cnf"
}
# revoke NAME CA CERT: CERT (issued by CA, PEM and key as CA.pem, CA.key)
# is revoked in CRL NAME's database.
revoke() {
  run openssl ca -config "$W/$1.cnf" -revoke "$3" -cert "$2.pem" \
    -keyfile "$2.key"
}
# crl NAME CA OUT [OPTS...]: CA's CRL of NAME's database (CA as sign takes
# it), valid for ten years unless OPTS say otherwise (-crl_lastupdate,
# -crl_nextupdate).
crl() {
  cr_name=$1 cr_ca=$2 cr_out=$3
  shift 3
  case $cr_ca in /*) ;; *) cr_ca=$OUT/$cr_ca ;; esac
  run openssl ca -config "$W/$cr_name.cnf" -gencrl -crlexts crl_ext \
    -crldays 3650 -cert "$cr_ca.pem" -keyfile "$cr_ca.key" -out "$cr_out" "$@"
}
server revoked inter-ca localhost ext_server_ec "$INTER"
below_inter revoked-inter ext_inter ext_server_ec
crl_db inter
revoke inter "$OUT/inter-ca" "$W/revoked.leaf"
crl inter inter-ca "$W/inter.crl"
crl_db root
revoke root "$OUT/root-ca" "$W/revoked-inter-ca.pem"
crl root root-ca "$W/root.crl"
cat "$W/inter.crl" "$W/root.crl" >"$OUT/crl.pem"
crl_db other
revoke other "$OUT/other-root-ca" "$W/good-ecdsa.leaf"
crl other other-root-ca "$OUT/crl-other.pem"
crl_db stale
revoke stale "$OUT/inter-ca" "$W/revoked.leaf"
crl stale inter-ca "$OUT/crl-expired.pem" -crl_lastupdate 20200101000000Z \
  -crl_nextupdate 20210101000000Z
crl_db future
crl future inter-ca "$OUT/crl-future.pem" -crl_lastupdate 20990101000000Z \
  -crl_nextupdate 21000101000000Z
printf -- '-----BEGIN X509 CRL-----\n%s\n-----END X509 CRL-----\n' \
  aHR0cHIgdGVzdDogdGhpcyBpcyBub3QgYSBDUkwK >"$OUT/crl-bad.pem"

# Public key pinning: the key as files, and curl's sha256// form.
run openssl pkey -in "$OUT/good-ecdsa.key" -pubout \
  -out "$OUT/good-ecdsa-pubkey.pem"
run openssl pkey -in "$OUT/good-ecdsa.key" -pubout -outform DER \
  -out "$OUT/good-ecdsa-pubkey.der"
for p in good-ecdsa good-rsa untrusted; do
  run openssl pkey -in "$OUT/$p.key" -pubout -outform DER -out "$W/$p.spki"
  run openssl dgst -sha256 -binary -out "$W/$p.sha256" "$W/$p.spki"
  printf 'sha256//%s' "$(openssl base64 -A -in "$W/$p.sha256")" >"$OUT/$p.pin"
done

rm -rf "$W"
: >"$OUT/.complete"
