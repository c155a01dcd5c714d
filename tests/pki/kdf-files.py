# SPDX-License-Identifier: MIT
"""kdf-files.py - credential files whose key derivations ask for more
iterations than httpr's cap, made from the ordinary ones make-pki.sh wrote
(2048 iterations, OpenSSL 3's defaults: PBES2, PBKDF2 with HMAC-SHA256,
AES-256-CBC, a SHA-256 MAC).

Running 10 million iterations to make such a file would take as long as
reading it; instead the count is written into the DER afterwards. Only
the count changes, so a patched file no longer decrypts (and a patched
PKCS#12 no longer verifies): a client must refuse it on the count alone,
before deriving anything.

  kdf-files.py pkcs8 IN.pem OUT.pem COUNT    the key's PBKDF2 count
  kdf-files.py p12 IN.p12 OUT.p12 WHAT COUNT WHAT: mac, key (the shrouded
                                             key bag) or safe (the
                                             encrypted certificate part)
  kdf-files.py nested IN.p12 OUT.p12 PASSWORD COUNT
      a MAC-less PKCS#12 whose key bag sits inside a second encrypted
      part (only a client that decrypts the part can see its count);
      COUNT 0 keeps the key's own count, making a file that works.
      Encrypts with `openssl enc` (AES-256-CBC).
  kdf-files.py ber IN.p12 OUT.p12
      the same file with its outermost SEQUENCE in BER's indefinite-length
      form, which OpenSSL and GnuTLS read but httpr refuses (it reads the
      counts of DER only)

Run with /usr/bin/python3; standard library only.
"""
import base64
import hashlib
import subprocess
import sys

OID_DATA = bytes.fromhex("2a864886f70d010701")
OID_ENCRYPTED_DATA = bytes.fromhex("2a864886f70d010706")
OID_SHROUDED_KEY_BAG = bytes.fromhex("2a864886f70d010c0a0102")
OID_PBES2 = bytes.fromhex("2a864886f70d01050d")
OID_PBKDF2 = bytes.fromhex("2a864886f70d01050c")
OID_HMAC_SHA256 = bytes.fromhex("2a864886f70d0209")
OID_AES256_CBC = bytes.fromhex("60864801650304012a")


def fail(msg):
    sys.stderr.write("kdf-files.py: %s\n" % msg)
    sys.exit(1)


# A DER element is [tag, payload]: payload is bytes, or a list of elements
# once the element has been opened (constructed ones always are; an OCTET
# STRING holding DER is opened by hand where the structure says so).
def parse(data):
    out, i = [], 0
    while i < len(data):
        if i + 2 > len(data):
            fail("truncated DER")
        tag, n = data[i], data[i + 1]
        i += 2
        if n & 0x80:
            k = n & 0x7F
            if k == 0 or i + k > len(data):
                fail("not DER (length form)")
            n = int.from_bytes(data[i:i + k], "big")
            i += k
        if i + n > len(data):
            fail("truncated DER")
        value = data[i:i + n]
        i += n
        out.append([tag, parse(value) if tag & 0x20 else value])
    return out


def encode(elem):
    tag, payload = elem
    body = (b"".join(encode(e) for e in payload)
            if isinstance(payload, list) else payload)
    n = len(body)
    if n < 0x80:
        head = bytes([n])
    else:
        size = n.to_bytes((n.bit_length() + 7) // 8, "big")
        head = bytes([0x80 | len(size)]) + size
    return bytes([tag]) + head + body


def one(data):
    elems = parse(data)
    if len(elems) != 1:
        fail("expected one DER element")
    return elems[0]


def integer(n):
    return [0x02, n.to_bytes(n.bit_length() // 8 + 1, "big")]


def expect(elem, tag, what):
    if elem[0] != tag:
        fail("%s: tag 0x%02x, expected 0x%02x" % (what, elem[0], tag))
    return elem[1]


def pbkdf2_params(alg):
    """The PBKDF2-params SEQUENCE of a PBES2 AlgorithmIdentifier."""
    oid, params = expect(alg, 0x30, "algorithm")[:2]
    if oid[1] != OID_PBES2:
        fail("not PBES2 (OpenSSL 3's default was expected)")
    kdf = expect(params, 0x30, "PBES2-params")[0]
    kdf_oid, kdf_params = expect(kdf, 0x30, "keyDerivationFunc")[:2]
    if kdf_oid[1] != OID_PBKDF2:
        fail("not PBKDF2")
    return kdf_params


def set_pbkdf2_count(alg, count):
    expect(pbkdf2_params(alg), 0x30, "PBKDF2-params")[1] = integer(count)


# ---- PKCS#8 -----------------------------------------------------------------

def pem_der(text, label):
    begin, end = "-----BEGIN %s-----" % label, "-----END %s-----" % label
    if begin not in text or end not in text:
        fail("no %s block" % label)
    body = text.split(begin, 1)[1].split(end, 1)[0]
    return base64.b64decode("".join(body.split()))


def der_pem(der, label):
    b64 = base64.b64encode(der).decode()
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    return "-----BEGIN %s-----\n%s\n-----END %s-----\n" % (
        label, "\n".join(lines), label)


def pkcs8(src, dst, count):
    label = "ENCRYPTED PRIVATE KEY"
    epki = one(pem_der(open(src).read(), label))
    set_pbkdf2_count(expect(epki, 0x30, "EncryptedPrivateKeyInfo")[0], count)
    open(dst, "w").write(der_pem(encode(epki), label))


# ---- PKCS#12 ----------------------------------------------------------------

class Pfx:
    """A PFX opened down to its content infos and its data part's bags."""

    def __init__(self, data):
        self.pfx = one(data)
        fields = expect(self.pfx, 0x30, "PFX")
        self.auth_safe = fields[1]
        self.mac = fields[2] if len(fields) > 2 else None
        ci = expect(self.auth_safe, 0x30, "authSafe")
        octets = expect(ci[1], 0xA0, "authSafe content")[0]
        self.octets = octets
        octets[1] = [one(expect(octets, 0x04, "authSafe data"))]
        self.infos = expect(octets[1][0], 0x30, "AuthenticatedSafe")

    def info(self, oid):
        for ci in self.infos:
            if expect(ci, 0x30, "ContentInfo")[0][1] == oid:
                return ci
        fail("no content of the type wanted")

    def data_bags(self):
        """The SafeContents of the data part, opened."""
        content = expect(self.info(OID_DATA)[1][1], 0xA0, "content")[0]
        content[1] = [one(expect(content, 0x04, "data"))]
        return content[1][0]

    def shrouded_key_bag(self):
        for bag in expect(self.data_bags(), 0x30, "SafeContents"):
            fields = expect(bag, 0x30, "SafeBag")
            if fields[0][1] == OID_SHROUDED_KEY_BAG:
                return bag
        fail("no shrouded key bag")

    def encrypted_alg(self):
        """The AlgorithmIdentifier of the encrypted (certificate) part."""
        content = expect(self.info(OID_ENCRYPTED_DATA)[1][1], 0xA0, "content")
        eci = expect(content[0], 0x30, "EncryptedData")[1]
        return expect(eci, 0x30, "EncryptedContentInfo")[1]

    def encode(self):
        return encode(self.pfx)


def bag_key_alg(bag):
    epki = expect(bag[1][1], 0xA0, "bagValue")[0]
    return expect(epki, 0x30, "EncryptedPrivateKeyInfo")[0]


def p12(src, dst, what, count):
    pfx = Pfx(open(src, "rb").read())
    if what == "mac":
        if not pfx.mac:
            fail("the file has no MAC")
        expect(pfx.mac, 0x30, "MacData")[2] = integer(count)
    elif what == "key":
        set_pbkdf2_count(bag_key_alg(pfx.shrouded_key_bag()), count)
    elif what == "safe":
        set_pbkdf2_count(pfx.encrypted_alg(), count)
    else:
        fail("p12: WHAT is mac, key or safe")
    open(dst, "wb").write(pfx.encode())


def aes256_cbc(key, iv, plain):
    out = subprocess.run(
        ["openssl", "enc", "-aes-256-cbc", "-K", key.hex(), "-iv", iv.hex()],
        input=plain, stdout=subprocess.PIPE, check=True)
    return out.stdout


def nested(src, dst, password, count):
    pfx = Pfx(open(src, "rb").read())
    bag = pfx.shrouded_key_bag()
    if count:
        set_pbkdf2_count(bag_key_alg(bag), count)
    plain = encode([0x30, [bag]])
    # The new part is encrypted as the certificate part is, with its
    # salt, count and IV (OpenSSL 3's PBES2, PBKDF2-HMAC-SHA256, AES-256).
    alg = pfx.encrypted_alg()
    params = expect(pbkdf2_params(alg), 0x30, "PBKDF2-params")
    salt = expect(params[0], 0x04, "salt")
    iterations = int.from_bytes(expect(params[1], 0x02, "count"), "big")
    if params[-1][0] != 0x30 or params[-1][1][0][1] != OID_HMAC_SHA256:
        fail("the PRF is not HMAC-SHA256")
    scheme = alg[1][1][1][1]
    if scheme[1][0][1] != OID_AES256_CBC:
        fail("the cipher is not AES-256-CBC")
    iv = expect(scheme[1][1], 0x04, "IV")
    key = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations,
                              32)
    sealed = [0x30, [
        [0x06, OID_ENCRYPTED_DATA],
        [0xA0, [[0x30, [
            integer(0),
            [0x30, [[0x06, OID_DATA], alg,
                    [0x80, aes256_cbc(key, iv, plain)]]]]]]]]]
    certs = pfx.info(OID_ENCRYPTED_DATA)
    pfx.octets[1] = [[0x30, [certs, sealed]]]
    pfx.pfx[1] = pfx.pfx[1][:2]  # no MAC: the decryption tells
    open(dst, "wb").write(pfx.encode())


def ber(src, dst):
    tag, payload = one(open(src, "rb").read())
    body = b"".join(encode(e) for e in payload)
    open(dst, "wb").write(bytes([tag, 0x80]) + body + b"\0\0")


def main(argv):
    if len(argv) == 5 and argv[1] == "pkcs8":
        pkcs8(argv[2], argv[3], int(argv[4]))
    elif len(argv) == 6 and argv[1] == "p12":
        p12(argv[2], argv[3], argv[4], int(argv[5]))
    elif len(argv) == 4 and argv[1] == "ber":
        ber(argv[2], argv[3])
    elif len(argv) == 6 and argv[1] == "nested":
        nested(argv[2], argv[3], argv[4], int(argv[5]))
    else:
        fail("usage: see the comment at the top")


if __name__ == "__main__":
    main(sys.argv)
