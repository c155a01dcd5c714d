/* SPDX-License-Identifier: MIT */
/*
 * x509_cert.c - reads the fields of x509_cert.h out of a certificate's
 * DER: the TBSCertificate's names and key, the outer signature algorithm,
 * and the extensions the policy knows. OIDs are compared as their encoded
 * content octets (the dotted form is in the comment beside each).
 */
#include <string.h>

#include "backends/x509_cert.h"

/* ---- object identifiers -------------------------------------------------- */

#define OID_RSA "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01"      /* 1.2.840.113549.1.1.1 */
#define OID_RSA_PSS "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0a"  /* ...1.1.10 */
#define OID_EC_KEY "\x2a\x86\x48\xce\x3d\x02\x01"            /* 1.2.840.10045.2.1 */
#define OID_P256 "\x2a\x86\x48\xce\x3d\x03\x01\x07"          /* 1.2.840.10045.3.1.7 */
#define OID_P384 "\x2b\x81\x04\x00\x22"                      /* 1.3.132.0.34 */
#define OID_P521 "\x2b\x81\x04\x00\x23"                      /* 1.3.132.0.35 */
#define OID_ED25519 "\x2b\x65\x70"                           /* 1.3.101.112 */
#define OID_ED448 "\x2b\x65\x71"                             /* 1.3.101.113 */

/* sha{1,224,256,384,512}WithRSAEncryption and the MD ones share a prefix:
 * 1.2.840.113549.1.1.N. */
#define OID_PKCS1_PREFIX "\x2a\x86\x48\x86\xf7\x0d\x01\x01"
/* ecdsa-with-SHA224..512: 1.2.840.10045.4.3.N; ecdsa-with-SHA1:
 * 1.2.840.10045.4.1. */
#define OID_ECDSA_SHA2_PREFIX "\x2a\x86\x48\xce\x3d\x04\x03"
#define OID_ECDSA_SHA1 "\x2a\x86\x48\xce\x3d\x04\x01"
/* The hashes RSASSA-PSS names: 2.16.840.1.101.3.4.2.N (SHA-2), and
 * 1.3.14.3.2.26 (SHA-1, PSS's default). */
#define OID_SHA2_PREFIX "\x60\x86\x48\x01\x65\x03\x04\x02"

#define OID_BASIC_CONSTRAINTS "\x55\x1d\x13" /* 2.5.29.19 */
#define OID_KEY_USAGE "\x55\x1d\x0f"         /* 2.5.29.15 */
#define OID_EXT_KEY_USAGE "\x55\x1d\x25"     /* 2.5.29.37 */
#define OID_SAN "\x55\x1d\x11"               /* 2.5.29.17 */
#define OID_NAME_CONSTRAINTS "\x55\x1d\x1e"  /* 2.5.29.30 */
/* Policy extensions: no policy is required by httpr, so a critical one
 * asks nothing of it, as with OpenSSL and GnuTLS without policy checks. */
#define OID_CERT_POLICIES "\x55\x1d\x20"  /* 2.5.29.32 */
#define OID_POLICY_MAPPINGS "\x55\x1d\x21" /* 2.5.29.33 */
#define OID_POLICY_CONSTRAINTS "\x55\x1d\x24" /* 2.5.29.36 */
#define OID_INHIBIT_ANY "\x55\x1d\x36"     /* 2.5.29.54 */

#define OID_KP_SERVER_AUTH "\x2b\x06\x01\x05\x05\x07\x03\x01" /* 1.3.6.1.5.5.7.3.1 */
#define OID_ANY_EKU "\x55\x1d\x25\x00"                         /* 2.5.29.37.0 */

/* ---- the public key ------------------------------------------------------ */

static int read_rsa_key(const struct hr_der *key, struct hr_cert *c) {
  struct hr_der in = *key, seq, modulus;
  if (hr_der_take(&in, HR_DER_SEQUENCE, &seq) != 0 ||
      hr_der_take(&seq, HR_DER_INTEGER, &modulus) != 0 ||
      hr_der_take(&seq, HR_DER_INTEGER, NULL) != 0)
    return -1;
  c->key_type = HR_KEY_RSA;
  c->key_bits = hr_der_uint_bits(&modulus);
  return 0;
}

static void read_curve(struct hr_der params, struct hr_cert *c) {
  struct hr_der oid;
  c->key_type = HR_KEY_EC;
  c->curve = HR_CURVE_OTHER; /* explicit parameters are not accepted */
  if (hr_der_take(&params, HR_DER_OID, &oid) != 0)
    return;
  if (HR_DER_OID_IS(&oid, OID_P256))
    c->curve = HR_CURVE_P256;
  else if (HR_DER_OID_IS(&oid, OID_P384))
    c->curve = HR_CURVE_P384;
  else if (HR_DER_OID_IS(&oid, OID_P521))
    c->curve = HR_CURVE_P521;
}

static int read_spki(struct hr_der spki, struct hr_cert *c) {
  struct hr_der alg, oid, key_bits, key;
  unsigned unused;
  if (hr_der_take(&spki, HR_DER_SEQUENCE, &alg) != 0 ||
      hr_der_take(&alg, HR_DER_OID, &oid) != 0 ||
      hr_der_take(&spki, HR_DER_BIT_STRING, &key_bits) != 0 ||
      hr_der_bits(&key_bits, &key, &unused) != 0)
    return -1;
  if (HR_DER_OID_IS(&oid, OID_RSA) || HR_DER_OID_IS(&oid, OID_RSA_PSS))
    return read_rsa_key(&key, c);
  if (HR_DER_OID_IS(&oid, OID_EC_KEY))
    read_curve(alg, c);
  else if (HR_DER_OID_IS(&oid, OID_ED25519) || HR_DER_OID_IS(&oid, OID_ED448))
    c->key_type = HR_KEY_EDDSA;
  else
    c->key_type = HR_KEY_OTHER; /* DSA, and what nothing here knows */
  return 0;
}

/* ---- the signature algorithm --------------------------------------------- */

/* N of sha*WithRSAEncryption (1.1.N) and of the SHA-2 hashes (2.N). */
static enum hr_sig_strength pkcs1_strength(unsigned n) {
  if (n >= 11 && n <= 14) /* SHA-256, 384, 512, 224 */
    return HR_SIG_STRONG;
  if (n >= 2 && n <= 5) /* MD2, MD4, MD5, SHA-1 */
    return HR_SIG_WEAK;
  return HR_SIG_UNKNOWN;
}

/* RSASSA-PSS-params: hashAlgorithm [0] DEFAULT sha1, and the rest, which
 * the hash decides nothing about. */
static enum hr_sig_strength pss_strength(struct hr_der params) {
  struct hr_der seq, hash, alg, oid;
  if (params.len == 0 || hr_der_take(&params, HR_DER_SEQUENCE, &seq) != 0)
    return HR_SIG_UNKNOWN;
  int has_hash = hr_der_take_optional(&seq, HR_DER_CONTEXT_CONS | 0, &hash);
  if (has_hash < 0)
    return HR_SIG_UNKNOWN;
  if (has_hash == 0)
    return HR_SIG_WEAK; /* SHA-1 by default */
  if (hr_der_take(&hash, HR_DER_SEQUENCE, &alg) != 0 ||
      hr_der_take(&alg, HR_DER_OID, &oid) != 0)
    return HR_SIG_UNKNOWN;
  if (oid.len == sizeof(OID_SHA2_PREFIX) &&
      memcmp(oid.p, OID_SHA2_PREFIX, oid.len - 1) == 0) {
    unsigned n = oid.p[oid.len - 1];
    return n >= 1 && n <= 4 ? HR_SIG_STRONG : HR_SIG_UNKNOWN;
  }
  if (HR_DER_OID_IS(&oid, "\x2b\x0e\x03\x02\x1a"))
    return HR_SIG_WEAK;
  return HR_SIG_UNKNOWN;
}

static enum hr_sig_strength sig_strength(struct hr_der alg) {
  struct hr_der oid;
  if (hr_der_take(&alg, HR_DER_OID, &oid) != 0)
    return HR_SIG_UNKNOWN;
  size_t plen = sizeof(OID_PKCS1_PREFIX) - 1;
  if (oid.len == plen + 1 && memcmp(oid.p, OID_PKCS1_PREFIX, plen) == 0) {
    unsigned n = oid.p[plen];
    return n == 10 ? pss_strength(alg) : pkcs1_strength(n);
  }
  size_t elen = sizeof(OID_ECDSA_SHA2_PREFIX) - 1;
  if (oid.len == elen + 1 && memcmp(oid.p, OID_ECDSA_SHA2_PREFIX, elen) == 0)
    return oid.p[elen] >= 1 && oid.p[elen] <= 4 ? HR_SIG_STRONG
                                                : HR_SIG_UNKNOWN;
  if (HR_DER_OID_IS(&oid, OID_ECDSA_SHA1))
    return HR_SIG_WEAK;
  if (HR_DER_OID_IS(&oid, OID_ED25519) || HR_DER_OID_IS(&oid, OID_ED448))
    return HR_SIG_STRONG;
  /* DSA (1.2.840.10040.4.3 with SHA-1, 2.16.840.1.101.3.4.3.N with SHA-2)
   * and anything else: not accepted. */
  return HR_SIG_UNKNOWN;
}

/* ---- extensions ---------------------------------------------------------- */

static int read_basic_constraints(struct hr_der v, struct hr_cert *c) {
  struct hr_der seq, b, n;
  uint64_t len;
  if (hr_der_take(&v, HR_DER_SEQUENCE, &seq) != 0 || v.len != 0)
    return -1;
  int r = hr_der_take_optional(&seq, HR_DER_BOOLEAN, &b);
  if (r < 0 || (r == 1 && hr_der_bool(&b) < 0))
    return -1;
  c->is_ca = r == 1 && hr_der_bool(&b) == 1;
  r = hr_der_take_optional(&seq, HR_DER_INTEGER, &n);
  if (r < 0 || (r == 1 && hr_der_uint(&n, &len) != 0) || seq.len != 0)
    return -1;
  c->path_len = r == 1 ? (int64_t)len : -1;
  c->has_basic_constraints = 1;
  return 0;
}

static int read_key_usage(struct hr_der v, struct hr_cert *c) {
  struct hr_der value, bits;
  unsigned unused;
  if (hr_der_take(&v, HR_DER_BIT_STRING, &value) != 0 || v.len != 0 ||
      hr_der_bits(&value, &bits, &unused) != 0)
    return -1;
  c->key_usage = 0;
  for (size_t i = 0; i < bits.len && i < 2; i++) {
    for (unsigned b = 0; b < 8; b++) {
      if (bits.p[i] & (0x80u >> b))
        c->key_usage |= 1u << (i * 8 + b);
    }
  }
  c->has_key_usage = 1;
  return 0;
}

static int read_eku(struct hr_der v, struct hr_cert *c) {
  struct hr_der seq, oid;
  if (hr_der_take(&v, HR_DER_SEQUENCE, &seq) != 0 || v.len != 0 ||
      seq.len == 0)
    return -1;
  while (seq.len > 0) {
    if (hr_der_take(&seq, HR_DER_OID, &oid) != 0)
      return -1;
    if (HR_DER_OID_IS(&oid, OID_KP_SERVER_AUTH))
      c->eku_server_auth = 1;
    else if (HR_DER_OID_IS(&oid, OID_ANY_EKU))
      c->eku_any = 1;
  }
  c->has_eku = 1;
  return 0;
}

/* A SEQUENCE whose content the name checks read later. */
static int read_sequence(struct hr_der v, struct hr_der *out) {
  return hr_der_take(&v, HR_DER_SEQUENCE, out) == 0 && v.len == 0 ? 0 : -1;
}

enum ext_kind {
  EXT_UNKNOWN,
  EXT_BASIC_CONSTRAINTS,
  EXT_KEY_USAGE,
  EXT_EKU,
  EXT_SAN,
  EXT_NAME_CONSTRAINTS,
  EXT_IGNORED /* known, nothing to read */
};

static enum ext_kind ext_kind(const struct hr_der *oid) {
  static const struct {
    const char *oid;
    enum ext_kind kind;
  } known[] = {
      {OID_BASIC_CONSTRAINTS, EXT_BASIC_CONSTRAINTS},
      {OID_KEY_USAGE, EXT_KEY_USAGE},
      {OID_EXT_KEY_USAGE, EXT_EKU},
      {OID_SAN, EXT_SAN},
      {OID_NAME_CONSTRAINTS, EXT_NAME_CONSTRAINTS},
      {OID_CERT_POLICIES, EXT_IGNORED},
      {OID_POLICY_MAPPINGS, EXT_IGNORED},
      {OID_POLICY_CONSTRAINTS, EXT_IGNORED},
      {OID_INHIBIT_ANY, EXT_IGNORED},
  };
  for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
    if (hr_der_oid_is(oid, known[i].oid, strlen(known[i].oid)))
      return known[i].kind;
  }
  return EXT_UNKNOWN;
}

static int read_extension(struct hr_der ext, unsigned *seen,
                          struct hr_cert *c) {
  struct hr_der oid, crit, value;
  int critical = 0;
  if (hr_der_take(&ext, HR_DER_OID, &oid) != 0)
    return -1;
  int r = hr_der_take_optional(&ext, HR_DER_BOOLEAN, &crit);
  if (r < 0 || (r == 1 && (critical = hr_der_bool(&crit)) < 0))
    return -1;
  if (hr_der_take(&ext, HR_DER_OCTET_STRING, &value) != 0 || ext.len != 0)
    return -1;
  enum ext_kind kind = ext_kind(&oid);
  if (kind != EXT_UNKNOWN && kind != EXT_IGNORED) {
    if (*seen & (1u << kind))
      return -1; /* RFC 5280 4.2: at most one instance of each */
    *seen |= 1u << kind;
  }
  switch (kind) {
  case EXT_BASIC_CONSTRAINTS:
    return read_basic_constraints(value, c);
  case EXT_KEY_USAGE:
    return read_key_usage(value, c);
  case EXT_EKU:
    return read_eku(value, c);
  case EXT_SAN:
    return read_sequence(value, &c->san);
  case EXT_NAME_CONSTRAINTS:
    return read_sequence(value, &c->name_constraints);
  case EXT_IGNORED:
    return 0;
  case EXT_UNKNOWN:
    if (critical && !c->unknown_critical.p)
      c->unknown_critical = oid;
    return 0;
  }
  return 0;
}

static int read_extensions(struct hr_der wrapped, struct hr_cert *c) {
  struct hr_der list, ext;
  unsigned seen = 0;
  if (hr_der_take(&wrapped, HR_DER_SEQUENCE, &list) != 0 ||
      wrapped.len != 0 || list.len == 0)
    return -1;
  while (list.len > 0) {
    if (hr_der_take(&list, HR_DER_SEQUENCE, &ext) != 0 ||
        read_extension(ext, &seen, c) != 0)
      return -1;
  }
  return 0;
}

/* ---- the certificate ----------------------------------------------------- */

/* Takes a Name (a SEQUENCE), keeping its whole encoding. */
static int take_name(struct hr_der *in, struct hr_der *whole) {
  struct hr_der_elem e;
  if (hr_der_next(in, &e) != 0 || e.tag != HR_DER_SEQUENCE)
    return -1;
  *whole = e.whole;
  return 0;
}

/* The TBSCertificate from its start through subjectPublicKeyInfo, which
 * *spki gets whole; tbs moves past it. */
static int read_tbs_head(struct hr_der *tbs, struct hr_cert *c,
                         struct hr_der_elem *spki) {
  struct hr_der version;
  uint64_t v = 0;
  int r = hr_der_take_optional(tbs, HR_DER_CONTEXT_CONS | 0, &version);
  if (r < 0 || (r == 1 && (hr_der_take(&version, HR_DER_INTEGER, &version) != 0 ||
                           hr_der_uint(&version, &v) != 0 || v > 2)))
    return -1;
  c->version = (int)v + 1;
  if (hr_der_take(tbs, HR_DER_INTEGER, NULL) != 0 ||  /* serialNumber */
      hr_der_take(tbs, HR_DER_SEQUENCE, NULL) != 0 || /* signature */
      take_name(tbs, &c->issuer) != 0 ||
      hr_der_take(tbs, HR_DER_SEQUENCE, NULL) != 0 || /* validity */
      take_name(tbs, &c->subject) != 0 || hr_der_next(tbs, spki) != 0 ||
      spki->tag != HR_DER_SEQUENCE)
    return -1;
  return 0;
}

static int read_tbs(struct hr_der tbs, struct hr_cert *c) {
  struct hr_der ext;
  struct hr_der_elem spki;
  if (read_tbs_head(&tbs, c, &spki) != 0 || read_spki(spki.value, c) != 0)
    return -1;
  /* issuerUniqueID [1], subjectUniqueID [2]: obsolete, skipped. */
  if (hr_der_take_optional(&tbs, HR_DER_CONTEXT | 1, NULL) < 0 ||
      hr_der_take_optional(&tbs, HR_DER_CONTEXT | 2, NULL) < 0)
    return -1;
  int r = hr_der_take_optional(&tbs, HR_DER_CONTEXT_CONS | 3, &ext);
  if (r < 0 || (r == 1 && (c->version != 3 || read_extensions(ext, c) != 0)))
    return -1;
  return tbs.len == 0 ? 0 : -1;
}

/* A Certificate's outer SEQUENCE: the TBSCertificate and the signature
 * algorithm (the signature value is only checked to be there). */
static int read_outer(const unsigned char *der, size_t len, struct hr_der *tbs,
                      struct hr_der *alg) {
  struct hr_der in = {der, len}, cert;
  if (!der || hr_der_take(&in, HR_DER_SEQUENCE, &cert) != 0 || in.len != 0 ||
      hr_der_take(&cert, HR_DER_SEQUENCE, tbs) != 0 ||
      hr_der_take(&cert, HR_DER_SEQUENCE, alg) != 0 ||
      hr_der_take(&cert, HR_DER_BIT_STRING, NULL) != 0 || cert.len != 0)
    return -1;
  return 0;
}

int hr_cert_parse(const unsigned char *der, size_t len, struct hr_cert *out) {
  struct hr_der tbs, alg;
  memset(out, 0, sizeof(*out));
  out->path_len = -1;
  if (read_outer(der, len, &tbs, &alg) != 0 || read_tbs(tbs, out) != 0)
    return -1;
  out->sig = sig_strength(alg);
  return 0;
}

int hr_cert_spki(const unsigned char *der, size_t len, struct hr_der *spki) {
  struct hr_der tbs, alg;
  struct hr_der_elem e;
  struct hr_cert scratch;
  if (read_outer(der, len, &tbs, &alg) != 0 ||
      read_tbs_head(&tbs, &scratch, &e) != 0)
    return -1;
  *spki = e.whole;
  return 0;
}

int hr_spki_check(const unsigned char *der, size_t len) {
  struct hr_der in = {der, len}, spki;
  struct hr_cert scratch;
  memset(&scratch, 0, sizeof(scratch));
  if (!der || hr_der_take(&in, HR_DER_SEQUENCE, &spki) != 0 || in.len != 0)
    return -1;
  return read_spki(spki, &scratch);
}

int hr_cert_self_issued(const struct hr_cert *c) {
  return c->issuer.len == c->subject.len &&
         memcmp(c->issuer.p, c->subject.p, c->issuer.len) == 0;
}
