/* SPDX-License-Identifier: MIT */
/*
 * kdf_params.c - finds every key-derivation count in a PKCS#12 file or an
 * encrypted PKCS#8 key and adds them up (see kdf_params.h). Only the
 * fields on the way to a count are looked at; everything else (salts,
 * ciphers, certificates, attributes) is stepped over unread.
 */
#include <string.h>

#include "backends/der.h"
#include "backends/kdf_params.h"

/* How deep safeContentsBags may nest (OpenSSL writes none). */
#define MAX_NESTING 8

#define TAG_INTEGER HR_DER_INTEGER
#define TAG_OCTET_STRING HR_DER_OCTET_STRING
#define TAG_OID HR_DER_OID
#define TAG_SEQUENCE HR_DER_SEQUENCE
#define TAG_EXPLICIT_0 (HR_DER_CONTEXT_CONS | 0)

static const char not_der[] = "not DER-encoded";
static const char malformed[] = "malformed contents";

/* The walk's state: the scan being filled and the first reason to stop. */
struct reader {
  struct hr_kdf_scan *scan;
  const char *why;
};

static int fail(struct reader *r, const char *why) {
  if (!r->why)
    r->why = why;
  return -1;
}

/* Takes the next element off in (backends/der.h): its tag and value. -1
 * (and the reason) when in is empty or the element is not DER. */
static int next(struct reader *r, struct hr_der *in, unsigned *tag,
                struct hr_der *value) {
  struct hr_der_elem e;
  int rc = hr_der_next(in, &e);
  if (rc != 0)
    return fail(r, rc == HR_DER_NOT_DER ? not_der : malformed);
  *tag = e.tag;
  *value = e.value;
  return 0;
}

/* The next element, which must carry tag. */
static int take(struct reader *r, struct hr_der *in, unsigned tag,
                struct hr_der *value) {
  unsigned got;
  struct hr_der saved = *in;
  if (next(r, in, &got, value) != 0)
    return -1;
  if (got != tag) {
    *in = saved;
    /* A constructed OCTET STRING is BER, not a wrong structure. */
    return fail(r, got == (tag | 0x20) ? not_der : malformed);
  }
  return 0;
}

/* ---- object identifiers (their DER value bytes) -------------------------- */

#define RSADSI 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d
static const unsigned char oid_data[] = {RSADSI, 0x01, 0x07, 0x01};
static const unsigned char oid_encrypted_data[] = {RSADSI, 0x01, 0x07, 0x06};
static const unsigned char oid_shrouded_key_bag[] = {RSADSI, 0x01, 0x0c,
                                                     0x0a,   0x01, 0x02};
static const unsigned char oid_safe_contents_bag[] = {RSADSI, 0x01, 0x0c,
                                                      0x0a,   0x01, 0x06};
static const unsigned char oid_pkcs12_pbe[] = {RSADSI, 0x01, 0x0c, 0x01};
static const unsigned char oid_pkcs5[] = {RSADSI, 0x01, 0x05};
static const unsigned char oid_scrypt[] = {0x2b, 0x06, 0x01, 0x04, 0x01,
                                           0xda, 0x47, 0x04, 0x0b};

#define OID_IS(span, oid)                                                      \
  ((span).len == sizeof(oid) && memcmp((span).p, oid, sizeof(oid)) == 0)

/* An OID under arc, one more number (1..127) below it, or 0. */
static unsigned below(const struct hr_der *oid, const unsigned char *arc,
                      size_t arc_len) {
  if (oid->len != arc_len + 1 || memcmp(oid->p, arc, arc_len) != 0 ||
      oid->p[arc_len] == 0 || oid->p[arc_len] > 0x7f)
    return 0;
  return oid->p[arc_len];
}

/* PKCS#5's PBES1 schemes (RFC 8018 A.3), by their last number. */
static int is_pbes1(unsigned n) {
  return n == 1 || n == 3 || n == 4 || n == 6 || n == 10 || n == 11;
}
#define PKCS5_PBKDF2 12
#define PKCS5_PBES2 13
#define PKCS5_PBMAC1 14

/* ---- counts -------------------------------------------------------------- */

static void add(struct reader *r, uint64_t n) {
  struct hr_kdf_scan *s = r->scan;
  s->iterations =
      n > UINT64_MAX - s->iterations ? UINT64_MAX : s->iterations + n;
  s->derivations++;
}

/* An INTEGER's value as a count; a negative one is refused, one too big
 * for 64 bits counts as the most there is. */
static int integer(struct reader *r, struct hr_der *in, uint64_t *out) {
  struct hr_der v;
  if (take(r, in, TAG_INTEGER, &v) != 0)
    return -1;
  if (v.len == 0)
    return fail(r, malformed);
  if (v.p[0] & 0x80)
    return fail(r, "a negative iteration count");
  uint64_t n = 0;
  for (size_t i = 0; i < v.len; i++) {
    if (n > (UINT64_MAX >> 8))
      n = UINT64_MAX;
    else
      n = (n << 8) | v.p[i];
  }
  *out = n;
  return 0;
}

static uint64_t times(uint64_t a, uint64_t b) {
  return a && b > UINT64_MAX / a ? UINT64_MAX : a * b;
}

/* PBKDF2-params: a salt (given, or an AlgorithmIdentifier naming how to
 * make one), then the count; the rest is not needed. */
static int pbkdf2(struct reader *r, struct hr_der params) {
  struct hr_der salt;
  unsigned tag;
  uint64_t n;
  if (next(r, &params, &tag, &salt) != 0 ||
      (tag != TAG_OCTET_STRING && tag != TAG_SEQUENCE))
    return fail(r, malformed);
  if (integer(r, &params, &n) != 0)
    return -1;
  add(r, n);
  return 0;
}

/* scrypt-params (RFC 7914): salt, N, r, p; the work is N * r * p. */
static int scrypt(struct reader *r, struct hr_der params) {
  struct hr_der salt;
  uint64_t n, block, parallel;
  if (take(r, &params, TAG_OCTET_STRING, &salt) != 0 ||
      integer(r, &params, &n) != 0 || integer(r, &params, &block) != 0 ||
      integer(r, &params, &parallel) != 0)
    return -1;
  add(r, times(times(n, block), parallel));
  return 0;
}

static int algorithm(struct reader *r, struct hr_der alg);

/* PBES2-params or PBMAC1-params: the key derivation comes first. */
static int pbes2(struct reader *r, struct hr_der params) {
  struct hr_der kdf, oid, kdf_params;
  if (take(r, &params, TAG_SEQUENCE, &kdf) != 0 ||
      take(r, &kdf, TAG_OID, &oid) != 0)
    return -1;
  if (below(&oid, oid_pkcs5, sizeof(oid_pkcs5)) == PKCS5_PBKDF2)
    return take(r, &kdf, TAG_SEQUENCE, &kdf_params) == 0 ? pbkdf2(r, kdf_params)
                                                         : -1;
  if (OID_IS(oid, oid_scrypt))
    return take(r, &kdf, TAG_SEQUENCE, &kdf_params) == 0 ? scrypt(r, kdf_params)
                                                         : -1;
  return 0; /* a derivation no provider runs */
}

/* PBEParameter (PBES1) and pkcs-12PbeParams: a salt and a count. */
static int salt_and_count(struct reader *r, struct hr_der params) {
  struct hr_der salt;
  uint64_t n;
  if (take(r, &params, TAG_OCTET_STRING, &salt) != 0 ||
      integer(r, &params, &n) != 0)
    return -1;
  add(r, n);
  return 0;
}

/* An AlgorithmIdentifier's value: the OID, then its parameters. Any
 * password-based scheme adds its count; other algorithms add nothing. */
static int algorithm(struct reader *r, struct hr_der alg) {
  struct hr_der oid, params;
  if (take(r, &alg, TAG_OID, &oid) != 0)
    return -1;
  unsigned pkcs5 = below(&oid, oid_pkcs5, sizeof(oid_pkcs5));
  int known = pkcs5 == PKCS5_PBES2 || pkcs5 == PKCS5_PBMAC1 ||
              is_pbes1(pkcs5) ||
              below(&oid, oid_pkcs12_pbe, sizeof(oid_pkcs12_pbe)) != 0;
  if (!known)
    return 0;
  if (take(r, &alg, TAG_SEQUENCE, &params) != 0)
    return -1;
  if (pkcs5 == PKCS5_PBES2 || pkcs5 == PKCS5_PBMAC1)
    return pbes2(r, params);
  return salt_and_count(r, params);
}

/* ---- PKCS#8 -------------------------------------------------------------- */

/* EncryptedPrivateKeyInfo's value: the encryption, then the data. */
static int encrypted_key(struct reader *r, struct hr_der epki) {
  struct hr_der alg, data;
  if (take(r, &epki, TAG_SEQUENCE, &alg) != 0 || algorithm(r, alg) != 0 ||
      take(r, &epki, TAG_OCTET_STRING, &data) != 0)
    return -1;
  return 0;
}

enum hr_kdf_result hr_kdf_scan_pkcs8(const unsigned char *der, size_t len,
                                     struct hr_kdf_scan *scan) {
  struct reader r = {.scan = scan};
  struct hr_der in = {der, len}, epki;
  unsigned tag;
  if (len < 2 || der[0] != TAG_SEQUENCE)
    return HR_KDF_NOT_FOUND;
  if (next(&r, &in, &tag, &epki) != 0 || encrypted_key(&r, epki) != 0) {
    scan->why = r.why ? r.why : malformed;
    return HR_KDF_UNREADABLE;
  }
  return HR_KDF_READ;
}

/* ---- PKCS#12 ------------------------------------------------------------- */

static int safe_contents(struct reader *r, struct hr_der bags, int depth);

/* SafeBag: bagId, [0] bagValue, optional attributes. */
static int safe_bag(struct reader *r, struct hr_der bag, int depth) {
  struct hr_der oid, wrapped, value;
  if (take(r, &bag, TAG_OID, &oid) != 0 ||
      take(r, &bag, TAG_EXPLICIT_0, &wrapped) != 0)
    return -1;
  if (OID_IS(oid, oid_shrouded_key_bag))
    return take(r, &wrapped, TAG_SEQUENCE, &value) == 0
               ? encrypted_key(r, value)
               : -1;
  if (OID_IS(oid, oid_safe_contents_bag)) {
    if (depth >= MAX_NESTING)
      return fail(r, "nested too deep");
    return take(r, &wrapped, TAG_SEQUENCE, &value) == 0
               ? safe_contents(r, value, depth + 1)
               : -1;
  }
  return 0; /* keys in clear, certificates, CRLs, secrets */
}

/* SafeContents' value: a SEQUENCE OF SafeBag. */
static int safe_contents(struct reader *r, struct hr_der bags, int depth) {
  while (bags.len > 0) {
    struct hr_der bag;
    if (take(r, &bags, TAG_SEQUENCE, &bag) != 0 || safe_bag(r, bag, depth) != 0)
      return -1;
  }
  return 0;
}

/* Content of type data: an OCTET STRING holding a DER SafeContents. */
static int data_content(struct reader *r, struct hr_der content) {
  struct hr_der octets, bags;
  if (take(r, &content, TAG_OCTET_STRING, &octets) != 0 ||
      take(r, &octets, TAG_SEQUENCE, &bags) != 0)
    return -1;
  return safe_contents(r, bags, 0);
}

/* EncryptedData: version, EncryptedContentInfo (type, encryption,
 * [0] the encrypted bytes); only the encryption is read. */
static int encrypted_content(struct reader *r, struct hr_der content) {
  struct hr_der ed, eci, type, alg;
  uint64_t version;
  if (take(r, &content, TAG_SEQUENCE, &ed) != 0 ||
      integer(r, &ed, &version) != 0 || take(r, &ed, TAG_SEQUENCE, &eci) != 0 ||
      take(r, &eci, TAG_OID, &type) != 0 ||
      take(r, &eci, TAG_SEQUENCE, &alg) != 0)
    return -1;
  return algorithm(r, alg);
}

/* AuthenticatedSafe: a SEQUENCE OF ContentInfo, data or encryptedData;
 * public-key privacy (envelopedData) derives nothing from a password. */
static int auth_safe(struct reader *r, struct hr_der octets) {
  struct hr_der infos;
  if (take(r, &octets, TAG_SEQUENCE, &infos) != 0)
    return -1;
  while (infos.len > 0) {
    struct hr_der ci, type, content;
    if (take(r, &infos, TAG_SEQUENCE, &ci) != 0 ||
        take(r, &ci, TAG_OID, &type) != 0)
      return -1;
    if (ci.len == 0)
      continue; /* no content: nothing to derive */
    if (take(r, &ci, TAG_EXPLICIT_0, &content) != 0)
      return -1;
    if (OID_IS(type, oid_data) && data_content(r, content) != 0)
      return -1;
    if (OID_IS(type, oid_encrypted_data) && encrypted_content(r, content) != 0)
      return -1;
  }
  return 0;
}

/* MacData: DigestInfo (algorithm, digest), salt, iterations DEFAULT 1.
 * A PBMAC1 algorithm (RFC 9579) adds its PBKDF2 count as well. */
static int mac_data(struct reader *r, struct hr_der mac) {
  struct hr_der digest_info, alg, digest, salt;
  uint64_t n = 1;
  if (take(r, &mac, TAG_SEQUENCE, &digest_info) != 0 ||
      take(r, &digest_info, TAG_SEQUENCE, &alg) != 0 ||
      algorithm(r, alg) != 0 ||
      take(r, &digest_info, TAG_OCTET_STRING, &digest) != 0 ||
      take(r, &mac, TAG_OCTET_STRING, &salt) != 0)
    return -1;
  if (mac.len > 0 && integer(r, &mac, &n) != 0)
    return -1;
  add(r, n);
  return 0;
}

/* PFX: version, authSafe (a ContentInfo), optional MacData. What does
 * not start as a PFX is left to the library's parser (which refuses it);
 * what does, must be read to its end. An authSafe of another type than
 * data (public-key integrity mode) is read by no provider, but its MAC
 * count still counts. */
enum hr_kdf_result hr_kdf_scan_pkcs12(const unsigned char *der, size_t len,
                                      struct hr_kdf_scan *scan) {
  struct reader r = {.scan = scan};
  struct hr_der in = {der, len}, pfx, version, ci, type;
  unsigned tag;
  if (len < 2 || der[0] != TAG_SEQUENCE)
    return HR_KDF_NOT_FOUND;
  if (next(&r, &in, &tag, &pfx) != 0)
    goto unreadable;
  if (take(&r, &pfx, TAG_INTEGER, &version) != 0 ||
      take(&r, &pfx, TAG_SEQUENCE, &ci) != 0 ||
      take(&r, &ci, TAG_OID, &type) != 0) {
    if (r.why == not_der)
      goto unreadable;
    return HR_KDF_NOT_FOUND;
  }
  if (OID_IS(type, oid_data)) {
    struct hr_der content, octets;
    if (take(&r, &ci, TAG_EXPLICIT_0, &content) != 0 ||
        take(&r, &content, TAG_OCTET_STRING, &octets) != 0 ||
        auth_safe(&r, octets) != 0)
      goto unreadable;
  }
  if (pfx.len > 0) {
    struct hr_der mac;
    if (take(&r, &pfx, TAG_SEQUENCE, &mac) != 0 || mac_data(&r, mac) != 0)
      goto unreadable;
  }
  return HR_KDF_READ;
unreadable:
  scan->why = r.why ? r.why : malformed;
  return HR_KDF_UNREADABLE;
}
