# SPDX-License-Identifier: MIT
# ocsp.sh -- the OCSP stapling part of the test PKI: sourced by make-pki.sh
# (its last block), whose helpers (run, eckey, sign, server) and variables
# (OUT, W, CFG, INTER) it uses; the files it makes are listed in
# make-pki.sh's header. The responses are made by `openssl ocsp` from an
# index of its own (the other certificates' index is left alone), and by
# ocsp-files.py where openssl cannot make them; openssl s_server staples
# them (-status_file) in tests/conformance/test_ocsp.c.

cat >>"$CFG" <<EOF
[ ca_ocsp ]
database = $W/ocsp-index.txt
new_certs_dir = $W/newcerts
serial = $W/serial
default_md = sha256
default_days = 3650
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ ext_ocsp_responder ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
: >"$W/ocsp-index.txt"
: >"$W/ocsp-empty-index.txt"

# Two leaves below the intermediate, one of them revoked, and two
# responders allowed to sign for an issuer (id-kp-OCSPSigning): one the
# intermediate delegated to, one of the untrusted root's.
server ocsp-good inter-ca localhost ext_server_ec "$INTER" -name ca_ocsp
server ocsp-revoked inter-ca localhost ext_server_ec "$INTER" -name ca_ocsp
run openssl ca -config "$CFG" -name ca_ocsp -revoke "$W/ocsp-revoked.leaf" \
  -cert "$INTER" -keyfile "$OUT/inter-ca.key" -crl_reason keyCompromise
eckey "$W/ocsp-responder.key"
sign inter-ca "$W/ocsp-responder.key" "httpr test OCSP responder" \
  ext_ocsp_responder "$W/ocsp-responder.pem" -name ca_ocsp
eckey "$W/ocsp-stranger.key"
sign other-root-ca "$W/ocsp-stranger.key" "httpr other OCSP responder" \
  ext_ocsp_responder "$W/ocsp-stranger.pem" -name ca_ocsp

# respond LEAF SIGNER OUT [OPTS...]: the response for LEAF (a certificate
# of the intermediate) signed by SIGNER (SIGNER.pem/SIGNER.key, its
# certificate included), valid for ten years from now, as the index says;
# OPTS go to `openssl ocsp` (-index to use another).
respond() {
  leaf=$1 signer=$2 out=$3
  shift 3
  run openssl ocsp -index "$W/ocsp-index.txt" -CA "$INTER" \
    -rsigner "$signer.pem" -rkey "$signer.key" -ndays 3650 -no_nonce \
    -issuer "$INTER" -cert "$leaf" -respout "$out" "$@"
}
OCSP_FILES="$(dirname "$0")/ocsp-files.py"
respond "$W/ocsp-good.leaf" "$OUT/inter-ca" "$OUT/ocsp-good.der"
respond "$W/ocsp-good.leaf" "$W/ocsp-responder" \
  "$OUT/ocsp-good-delegated.der"
respond "$W/ocsp-revoked.leaf" "$OUT/inter-ca" "$OUT/ocsp-revoked.der"
respond "$W/ocsp-good.leaf" "$OUT/inter-ca" "$OUT/ocsp-unknown.der" \
  -index "$W/ocsp-empty-index.txt"
respond "$W/ocsp-good.leaf" "$OUT/inter-ca" "$OUT/ocsp-bad-signature.der" \
  -badsig
respond "$W/ocsp-good.leaf" "$W/ocsp-stranger" \
  "$OUT/ocsp-untrusted-signer.der"
run /usr/bin/python3 "$OCSP_FILES" redate "$OUT/ocsp-good.der" \
  "$OUT/ocsp-expired.der" "$OUT/inter-ca.key" -2 -1
run /usr/bin/python3 "$OCSP_FILES" redate "$OUT/ocsp-good.der" \
  "$OUT/ocsp-future.der" "$OUT/inter-ca.key" 1 3650
run /usr/bin/python3 "$OCSP_FILES" unsuccessful "$OUT/ocsp-try-later.der" 3
run /usr/bin/python3 "$OCSP_FILES" malformed "$OUT/ocsp-malformed.der"
