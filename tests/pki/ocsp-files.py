# SPDX-License-Identifier: MIT
"""ocsp-files.py - OCSP responses `openssl ocsp` cannot make, for the
certificate status tests (tests/pki/ocsp.sh runs it).

`openssl ocsp` always dates a response from now, and every response it
signs is successful. A response whose validity has passed (or not begun)
is made here from a good one: its producedAt, thisUpdate and nextUpdate
are moved, and the response is signed again with the key that signed it,
so that only the dates are wrong.

  ocsp-files.py redate IN.der OUT.der KEY.pem THIS NEXT
      IN's response with thisUpdate (and producedAt) THIS days from now
      and nextUpdate NEXT days from now (negative: in the past), signed
      again with KEY.pem (the EC key of IN's signer: ecdsa-with-SHA256)
  ocsp-files.py unsuccessful OUT.der STATUS
      an OCSPResponse with responseStatus STATUS (3: tryLater) and no
      response bytes, as RFC 6960 4.2.1 has it
  ocsp-files.py malformed OUT.der
      a successful OCSPResponse whose BasicOCSPResponse is an empty
      SEQUENCE: it decodes as an OCSPResponse, not as a basic response

Run with /usr/bin/python3; standard library only. The DER reader and
writer are kdf-files.py's.
"""
import importlib.util
import os
import subprocess
import sys
import time

_spec = importlib.util.spec_from_file_location(
    "kdf_files", os.path.join(os.path.dirname(__file__), "kdf-files.py"))
der = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(der)

OID_OCSP_BASIC = bytes.fromhex("2b0601050507300101")
OID_ECDSA_SHA256 = bytes.fromhex("2a8648ce3d040302")
TAG_GENERALIZED_TIME = 0x18


def fail(msg):
    sys.stderr.write("ocsp-files.py: %s\n" % msg)
    sys.exit(1)


def generalized_time(days):
    stamp = time.gmtime(time.time() + days * 86400)
    return [TAG_GENERALIZED_TIME,
            time.strftime("%Y%m%d%H%M%SZ", stamp).encode()]


def basic_response(resp):
    """The BasicOCSPResponse of an OCSPResponse, opened in place."""
    fields = der.expect(resp, 0x30, "OCSPResponse")
    if len(fields) < 2:
        fail("the response has no response bytes")
    rbytes = der.expect(der.expect(fields[1], 0xA0, "responseBytes")[0],
                        0x30, "ResponseBytes")
    if rbytes[0][1] != OID_OCSP_BASIC:
        fail("not a basic OCSP response")
    octets = rbytes[1]
    octets[1] = [der.one(der.expect(octets, 0x04, "response"))]
    return octets[1][0]


def redate(src, dst, key, this_days, next_days):
    resp = der.one(open(src, "rb").read())
    basic = basic_response(resp)
    tbs, alg = der.expect(basic, 0x30, "BasicOCSPResponse")[:2]
    if der.expect(alg, 0x30, "signatureAlgorithm")[0][1] != OID_ECDSA_SHA256:
        fail("the signature is not ecdsa-with-SHA256")
    data = der.expect(tbs, 0x30, "ResponseData")
    produced = [i for i, e in enumerate(data) if e[0] == TAG_GENERALIZED_TIME]
    if len(produced) != 1:
        fail("no producedAt")
    data[produced[0]] = generalized_time(this_days)
    for single in der.expect(data[produced[0] + 1], 0x30, "responses"):
        fields = der.expect(single, 0x30, "SingleResponse")
        der.expect(fields[2], TAG_GENERALIZED_TIME, "thisUpdate")
        fields[2] = generalized_time(this_days)
        if len(fields) < 4 or fields[3][0] != 0xA0:
            fail("no nextUpdate")
        fields[3][1] = [generalized_time(next_days)]
    signed = subprocess.run(
        ["openssl", "dgst", "-sha256", "-sign", key],
        input=der.encode(tbs), stdout=subprocess.PIPE, check=True).stdout
    basic[1][2] = [0x03, b"\x00" + signed]
    open(dst, "wb").write(der.encode(resp))


def unsuccessful(dst, status):
    if status == 0:
        fail("STATUS 0 is successful")
    open(dst, "wb").write(der.encode([0x30, [[0x0A, bytes([status])]]]))


def malformed(dst):
    resp = [0x30, [
        [0x0A, b"\x00"],
        [0xA0, [[0x30, [[0x06, OID_OCSP_BASIC],
                        [0x04, der.encode([0x30, []])]]]]]]]
    open(dst, "wb").write(der.encode(resp))


def main(argv):
    if len(argv) == 7 and argv[1] == "redate":
        redate(argv[2], argv[3], argv[4], int(argv[5]), int(argv[6]))
    elif len(argv) == 4 and argv[1] == "unsuccessful":
        unsuccessful(argv[2], int(argv[3]))
    elif len(argv) == 3 and argv[1] == "malformed":
        malformed(argv[2])
    else:
        fail("usage: see the comment at the top")


if __name__ == "__main__":
    main(sys.argv)
