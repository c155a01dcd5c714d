/* SPDX-License-Identifier: MIT */
/*
 * mbedtls_pkcs.c - PKCS#8 keys encrypted with PBES2 and AES, and PKCS#12
 * files, for the mbedTLS provider, with mbedTLS's own primitives only (see
 * mbedtls_pkcs.h). The parsers take bytes and lengths; the only I/O is
 * reading the PKCS#12 file. Every secret (derived keys, passwords in
 * BMPString form, decrypted keys) is wiped before it is freed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/cipher.h>
#include <mbedtls/error.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/pkcs12.h>
#include <mbedtls/platform_util.h>

#include "backends/provider_services.h"
#include "backends/mbedtls_compat.h"
#include "backends/mbedtls_pkcs.h"
#include "backends/pem.h"

/* How a step ended, beyond success. */
enum outcome {
  DONE = 0,
  WRONG_PASSWORD, /* bad padding, a MAC mismatch, or garbage decrypted */
  UNSUPPORTED,    /* an algorithm neither mbedTLS nor this file has */
  USES_RC2,       /* RC2, which OpenSSL's -legacy files use */
  MALFORMED,      /* not the ASN.1 the RFC describes */
  NO_MEMORY,
  REFUSED /* err already says why (the shared KDF cap) */
};

/* The object identifiers mbedTLS 2.28 has no name for. */
#define OID_AES128_CBC MBEDTLS_OID_AES "\x02"
#define OID_AES192_CBC MBEDTLS_OID_AES "\x16"
#define OID_AES256_CBC MBEDTLS_OID_AES "\x2a"
#define OID_RC2_CBC MBEDTLS_OID_RSA_COMPANY "\x03\x02"
#define OID_DATA MBEDTLS_OID_PKCS "\x07\x01"
#define OID_ENCRYPTED_DATA MBEDTLS_OID_PKCS "\x07\x06"
#define OID_BAG MBEDTLS_OID_PKCS12 "\x0a\x01"
#define OID_KEY_BAG OID_BAG "\x01"
#define OID_SHROUDED_KEY_BAG OID_BAG "\x02"
#define OID_CERT_BAG OID_BAG "\x03"
#define OID_SAFE_CONTENTS_BAG OID_BAG "\x06"
#define OID_X509_CERTIFICATE MBEDTLS_OID_PKCS9 "\x16\x01"

#define SEQUENCE (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)
#define SET (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SET)
#define EXPLICIT_0 (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED)
#define IMPLICIT_0 MBEDTLS_ASN1_CONTEXT_SPECIFIC

/* A span of DER inside a buffer that outlives it. */
struct span {
  unsigned char *p;
  size_t len;
};

/* Takes the element with this tag at *p (up to end): its content in out,
 * *p past it. 0 when there is none or it is malformed. */
static int take(unsigned char **p, const unsigned char *end, int tag,
                struct span *out) {
  size_t len = 0;
  if (mbedtls_asn1_get_tag(p, end, &len, tag) != 0)
    return 0;
  out->p = *p;
  out->len = len;
  *p += len;
  return 1;
}

static int oid_is(const char *oid, size_t oid_len,
                  const mbedtls_asn1_buf *buf) {
  return buf->len == oid_len && memcmp(buf->p, oid, oid_len) == 0;
}

#define OID_IS(name, buf) oid_is(name, sizeof(name) - 1, buf)

/* ---- passwords ----------------------------------------------------------- */

/* The password as the PKCS#12 key derivation takes it (RFC 7292 appendix
 * B.1): a BMPString, UTF-16 big-endian ending in two zero bytes, converted
 * from UTF-8 as OpenSSL converts it (bytes that are not UTF-8 one by one).
 * NULL gives no bytes at all, "" only the two zeros: both are what OpenSSL
 * tries for a file without a password. */
struct bmp {
  unsigned char *p;
  size_t len;
};

/* The next code point of UTF-8 text, or -1 (and *s unchanged) when the
 * bytes at *s are not valid UTF-8. */
static long utf8_next(const unsigned char **s) {
  const unsigned char *c = *s;
  long cp;
  int extra;
  if (c[0] < 0x80) {
    *s = c + 1;
    return c[0];
  }
  if ((c[0] & 0xe0) == 0xc0) {
    cp = c[0] & 0x1f;
    extra = 1;
  } else if ((c[0] & 0xf0) == 0xe0) {
    cp = c[0] & 0x0f;
    extra = 2;
  } else if ((c[0] & 0xf8) == 0xf0) {
    cp = c[0] & 0x07;
    extra = 3;
  } else {
    return -1;
  }
  for (int i = 1; i <= extra; i++) {
    if ((c[i] & 0xc0) != 0x80)
      return -1;
    cp = (cp << 6) | (c[i] & 0x3f);
  }
  static const long least[] = {0, 0x80, 0x800, 0x10000};
  if (cp < least[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return -1;
  *s = c + extra + 1;
  return cp;
}

static int is_utf8(const char *text) {
  const unsigned char *s = (const unsigned char *)text;
  while (*s) {
    if (utf8_next(&s) < 0)
      return 0;
  }
  return 1;
}

static void put16(unsigned char **o, long v) {
  *(*o)++ = (unsigned char)(v >> 8);
  *(*o)++ = (unsigned char)v;
}

static enum outcome bmp_password(const char *password, struct bmp *out) {
  out->p = NULL;
  out->len = 0;
  if (!password)
    return DONE;
  size_t n = strlen(password);
  /* At most one UTF-16 unit per byte, and the two zeros. */
  if (!(out->p = malloc(2 * n + 2)))
    return NO_MEMORY;
  const unsigned char *s = (const unsigned char *)password;
  unsigned char *o = out->p;
  int utf8 = is_utf8(password);
  while (*s) {
    long cp = utf8 ? utf8_next(&s) : *s++;
    if (cp >= 0x10000) { /* a surrogate pair */
      put16(&o, 0xd800 + ((cp - 0x10000) >> 10));
      put16(&o, 0xdc00 + ((cp - 0x10000) & 0x3ff));
    } else {
      put16(&o, cp);
    }
  }
  put16(&o, 0);
  out->len = (size_t)(o - out->p);
  return DONE;
}

static void bmp_free(struct bmp *b) {
  if (b->p)
    mbedtls_platform_zeroize(b->p, b->len);
  free(b->p);
  b->p = NULL;
  b->len = 0;
}

static int is_ascii(const char *s) {
  for (; *s; s++) {
    if ((unsigned char)*s >= 0x80)
      return 0;
  }
  return 1;
}

/* ---- password-based encryption ------------------------------------------- */

/* An encryption as its AlgorithmIdentifier describes it: PBES2 (RFC 8018,
 * PBKDF2 and a CBC cipher) or one of PKCS#12's own (RFC 7292 appendix C). */
struct pbe {
  int pkcs12;                   /* PKCS#12 PBE; else PBES2 */
  mbedtls_md_type_t md;         /* PBKDF2's PRF, or the PKCS#12 KDF's hash */
  mbedtls_cipher_type_t cipher; /* CBC with PKCS#7 padding */
  const unsigned char *salt;
  size_t salt_len;
  int iterations;
  int key_len;             /* PBES2: as given, 0 when absent */
  const unsigned char *iv; /* PBES2; PKCS#12 derives its IV */
  size_t iv_len;
};

/* PBKDF2-params (RFC 8018 appendix A.2); the salt must be given, not a
 * choice of algorithm. */
static enum outcome parse_pbkdf2(const mbedtls_asn1_buf *params,
                                 struct pbe *pbe) {
  unsigned char *p = params->p;
  const unsigned char *end = p + params->len;
  struct span salt;
  if (params->tag != SEQUENCE ||
      !take(&p, end, MBEDTLS_ASN1_OCTET_STRING, &salt))
    return MALFORMED;
  pbe->salt = salt.p;
  pbe->salt_len = salt.len;
  if (mbedtls_asn1_get_int(&p, end, &pbe->iterations) != 0 ||
      pbe->iterations < 1)
    return MALFORMED;
  if (p < end && *p == MBEDTLS_ASN1_INTEGER &&
      (mbedtls_asn1_get_int(&p, end, &pbe->key_len) != 0 || pbe->key_len < 1))
    return MALFORMED;
  pbe->md = MBEDTLS_MD_SHA1; /* the default PRF, hmacWithSHA1 */
  if (p < end) {
    mbedtls_asn1_buf prf, prf_params;
    if (mbedtls_asn1_get_alg(&p, end, &prf, &prf_params) != 0)
      return MALFORMED;
    if (mbedtls_oid_get_md_hmac(&prf, &pbe->md) != 0)
      return UNSUPPORTED;
  }
  return p == end ? DONE : MALFORMED;
}

/* The CBC ciphers PBES2 names that this file can run. */
static enum outcome pbes2_cipher(const mbedtls_asn1_buf *oid,
                                 mbedtls_cipher_type_t *cipher) {
  if (OID_IS(OID_AES128_CBC, oid))
    *cipher = MBEDTLS_CIPHER_AES_128_CBC;
  else if (OID_IS(OID_AES192_CBC, oid))
    *cipher = MBEDTLS_CIPHER_AES_192_CBC;
  else if (OID_IS(OID_AES256_CBC, oid))
    *cipher = MBEDTLS_CIPHER_AES_256_CBC;
  else if (OID_IS(OID_RC2_CBC, oid))
    return USES_RC2;
  else if (mbedtls_oid_get_cipher_alg(oid, cipher) != 0) /* DES, 3DES */
    return UNSUPPORTED;
  return DONE;
}

/* PBES2-params: PBKDF2 and a CBC cipher with its IV. */
static enum outcome parse_pbes2(const mbedtls_asn1_buf *params,
                                struct pbe *pbe) {
  unsigned char *p = params->p;
  const unsigned char *end = p + params->len;
  mbedtls_asn1_buf kdf, kdf_params, enc, enc_params;
  if (params->tag != SEQUENCE ||
      mbedtls_asn1_get_alg(&p, end, &kdf, &kdf_params) != 0 ||
      mbedtls_asn1_get_alg(&p, end, &enc, &enc_params) != 0 || p != end)
    return MALFORMED;
  if (!OID_IS(MBEDTLS_OID_PKCS5_PBKDF2, &kdf))
    return UNSUPPORTED;
  enum outcome o = parse_pbkdf2(&kdf_params, pbe);
  if (o == DONE)
    o = pbes2_cipher(&enc, &pbe->cipher);
  if (o != DONE)
    return o;
  if (enc_params.tag != MBEDTLS_ASN1_OCTET_STRING)
    return MALFORMED;
  pbe->iv = enc_params.p;
  pbe->iv_len = enc_params.len;
  return DONE;
}

/* pkcs-12PbeParams: a salt and an iteration count. */
static enum outcome parse_pkcs12_pbe(const mbedtls_asn1_buf *oid,
                                     const mbedtls_asn1_buf *params,
                                     struct pbe *pbe) {
  static const char rc2_128[] = MBEDTLS_OID_PKCS12_PBE_SHA1_RC2_128_CBC;
  static const char rc2_40[] = MBEDTLS_OID_PKCS12_PBE_SHA1_RC2_40_CBC;
  if (oid_is(rc2_128, sizeof(rc2_128) - 1, oid) ||
      oid_is(rc2_40, sizeof(rc2_40) - 1, oid))
    return USES_RC2;
  /* 3-key and 2-key triple DES with SHA-1 */
  if (mbedtls_oid_get_pkcs12_pbe_alg(oid, &pbe->md, &pbe->cipher) != 0)
    return UNSUPPORTED;
  unsigned char *p = params->p;
  const unsigned char *end = p + params->len;
  struct span salt;
  if (params->tag != SEQUENCE ||
      !take(&p, end, MBEDTLS_ASN1_OCTET_STRING, &salt) ||
      mbedtls_asn1_get_int(&p, end, &pbe->iterations) != 0 ||
      pbe->iterations < 1 || p != end)
    return MALFORMED;
  pbe->pkcs12 = 1;
  pbe->salt = salt.p;
  pbe->salt_len = salt.len;
  return DONE;
}

static enum outcome parse_pbe(const mbedtls_asn1_buf *oid,
                              const mbedtls_asn1_buf *params, struct pbe *pbe) {
  static const char pkcs12_pbe[] = MBEDTLS_OID_PKCS12_PBE;
  memset(pbe, 0, sizeof(*pbe));
  if (OID_IS(MBEDTLS_OID_PKCS5_PBES2, oid))
    return parse_pbes2(params, pbe);
  /* pkcs-12PbeIds and one more arc (sizeof counts the NUL). */
  if (oid->len == sizeof(pkcs12_pbe) &&
      memcmp(oid->p, pkcs12_pbe, sizeof(pkcs12_pbe) - 1) == 0)
    return parse_pkcs12_pbe(oid, params, pbe);
  return UNSUPPORTED;
}

/* The key (and for PKCS#12 the IV) from the password. */
static enum outcome derive(const struct pbe *pbe, const char *password,
                           unsigned char *key, size_t key_len,
                           unsigned char *iv, size_t iv_len) {
  if (!pbe->pkcs12) {
    /* PBES2 takes the password's bytes as they are, as OpenSSL does. */
    const char *pw = password ? password : "";
    if (pbe->iv_len != iv_len)
      return MALFORMED;
    memcpy(iv, pbe->iv, iv_len);
    return hr_mbed_pbkdf2(pbe->md, (const unsigned char *)pw, strlen(pw),
                          pbe->salt, pbe->salt_len, (unsigned)pbe->iterations,
                          key, key_len) == 0
               ? DONE
               : UNSUPPORTED;
  }
  struct bmp pw;
  if (bmp_password(password, &pw) != DONE)
    return NO_MEMORY;
  int ret = mbedtls_pkcs12_derivation(
      key, key_len, pw.p, pw.len, pbe->salt, pbe->salt_len, pbe->md,
      MBEDTLS_PKCS12_DERIVE_KEY, pbe->iterations);
  if (ret == 0)
    ret = mbedtls_pkcs12_derivation(iv, iv_len, pw.p, pw.len, pbe->salt,
                                    pbe->salt_len, pbe->md,
                                    MBEDTLS_PKCS12_DERIVE_IV, pbe->iterations);
  bmp_free(&pw);
  return ret == 0 ? DONE : UNSUPPORTED;
}

/* Runs the cipher backwards; a wrong key shows as bad PKCS#7 padding. */
static enum outcome cbc_decrypt(mbedtls_cipher_type_t type,
                                const unsigned char *key, size_t key_len,
                                const unsigned char *iv, size_t iv_len,
                                const struct span *in, unsigned char *out,
                                size_t *out_len) {
  const mbedtls_cipher_info_t *info = mbedtls_cipher_info_from_type(type);
  mbedtls_cipher_context_t ctx;
  if (!info)
    return UNSUPPORTED;
  mbedtls_cipher_init(&ctx);
  int ret = mbedtls_cipher_setup(&ctx, info);
  if (ret == 0)
    ret = mbedtls_cipher_setkey(&ctx, key, (int)(key_len * 8), MBEDTLS_DECRYPT);
  if (ret == 0)
    ret = mbedtls_cipher_crypt(&ctx, iv, iv_len, in->p, in->len, out, out_len);
  mbedtls_cipher_free(&ctx);
  if (ret == MBEDTLS_ERR_CIPHER_INVALID_PADDING)
    return WRONG_PASSWORD;
  if (ret == MBEDTLS_ERR_CIPHER_FULL_BLOCK_EXPECTED)
    return MALFORMED;
  return ret == 0 ? DONE : UNSUPPORTED;
}

/* Decrypts in under the encryption alg/params names; *out (malloc'd, to
 * wipe and free) holds the plaintext without its padding. */
static enum outcome pbe_decrypt(const mbedtls_asn1_buf *alg,
                                const mbedtls_asn1_buf *params,
                                const char *password, const struct span *in,
                                unsigned char **out, size_t *out_len) {
  struct pbe pbe;
  unsigned char key[32], iv[16];
  *out = NULL;
  *out_len = 0;
  enum outcome o = parse_pbe(alg, params, &pbe);
  if (o != DONE)
    return o;
  const mbedtls_cipher_info_t *info = mbedtls_cipher_info_from_type(pbe.cipher);
  if (!info)
    return UNSUPPORTED;
  size_t key_len = hr_mbed_cipher_key_len(info);
  size_t iv_len = hr_mbed_cipher_iv_len(info);
  if (key_len > sizeof(key) || iv_len > sizeof(iv) ||
      (pbe.key_len && (size_t)pbe.key_len != key_len))
    return UNSUPPORTED;
  size_t cap = in->len + hr_mbed_cipher_block_len(info);
  if (!(*out = malloc(cap)))
    return NO_MEMORY;
  o = derive(&pbe, password, key, key_len, iv, iv_len);
  if (o == DONE)
    o = cbc_decrypt(pbe.cipher, key, key_len, iv, iv_len, in, *out, out_len);
  mbedtls_platform_zeroize(key, sizeof(key));
  if (o != DONE) {
    mbedtls_platform_zeroize(*out, cap);
    free(*out);
    *out = NULL;
    *out_len = 0;
  }
  return o;
}

/* Decrypts an EncryptedPrivateKeyInfo (RFC 5958) into the PrivateKeyInfo
 * DER it holds. */
static enum outcome decrypt_pkcs8(unsigned char *der, size_t len,
                                  const char *password, unsigned char **plain,
                                  size_t *plain_len) {
  unsigned char *p = der;
  const unsigned char *end = der + len;
  struct span info, data;
  mbedtls_asn1_buf alg, params;
  if (!take(&p, end, SEQUENCE, &info))
    return MALFORMED;
  p = info.p;
  end = info.p + info.len;
  if (mbedtls_asn1_get_alg(&p, end, &alg, &params) != 0 ||
      !take(&p, end, MBEDTLS_ASN1_OCTET_STRING, &data) || p != end)
    return MALFORMED;
  return pbe_decrypt(&alg, &params, password, &data, plain, plain_len);
}

static void wipe_free(unsigned char *p, size_t len) {
  if (p)
    mbedtls_platform_zeroize(p, len);
  free(p);
}

/* ---- private keys -------------------------------------------------------- */

static const char pkcs8_header[] = "-----BEGIN ENCRYPTED PRIVATE KEY-----";
static const char pkcs8_footer[] = "-----END ENCRYPTED PRIVATE KEY-----";

/* Decrypts an encrypted PKCS#8 key (PEM or DER) here and parses what
 * comes out; the mbedTLS code of the outcome. */
static int parse_key_here(mbedtls_pk_context *pk, const unsigned char *key,
                          size_t len, const char *password) {
  mbedtls_pem_context pem;
  unsigned char *der = NULL, *plain = NULL;
  size_t der_len = 0, plain_len = 0, used = 0;
  enum outcome o = MALFORMED;
  mbedtls_pem_init(&pem);
  if (len > 0 && key[len - 1] == '\0' &&
      strstr((const char *)key, pkcs8_header)) {
    if (mbedtls_pem_read_buffer(&pem, pkcs8_header, pkcs8_footer, key, NULL, 0,
                                &used) == 0) {
      der = pem.buf;
      der_len = pem.buflen;
    }
  } else {
    der = (unsigned char *)key; /* only read */
    der_len = len;
  }
  if (der)
    o = decrypt_pkcs8(der, der_len, password, &plain, &plain_len);
  mbedtls_pem_free(&pem);
  int ret = 0;
  if (o == DONE) {
    mbedtls_pk_free(pk);
    mbedtls_pk_init(pk);
    /* Garbage that happened to end in valid padding: a wrong password. */
    if (hr_mbed_pk_parse_key(pk, plain, plain_len, NULL, 0) != 0)
      ret = MBEDTLS_ERR_PK_PASSWORD_MISMATCH;
  } else if (o == WRONG_PASSWORD) {
    ret = MBEDTLS_ERR_PK_PASSWORD_MISMATCH;
  } else if (o == NO_MEMORY) {
    ret = MBEDTLS_ERR_PK_ALLOC_FAILED;
  } else if (o == MALFORMED) {
    ret = MBEDTLS_ERR_PK_KEY_INVALID_FORMAT;
  } else {
    ret = MBEDTLS_ERR_PK_FEATURE_UNAVAILABLE;
  }
  wipe_free(plain, plain_len);
  return ret;
}

int hr_mbed_parse_key(mbedtls_pk_context *pk, const unsigned char *key,
                      size_t len, const char *password) {
  const unsigned char *pwd = (const unsigned char *)password;
  size_t pwd_len = password ? strlen(password) : 0;
  int ret = hr_mbed_pk_parse_key(pk, key, len, pwd, pwd_len);
  if (ret == 0 || !password)
    return ret;
  /* mbedTLS decrypted it and found the password wrong. Its PKCS#12 PBE
   * takes the password byte by byte, which is what OpenSSL does only for
   * ASCII: other text is tried again here, converted from UTF-8. */
  if (ret == MBEDTLS_ERR_PK_PASSWORD_MISMATCH && is_ascii(password))
    return ret;
  mbedtls_pk_free(pk);
  mbedtls_pk_init(pk);
  int here = parse_key_here(pk, key, len, password);
  /* Not an encrypted PKCS#8 key at all: mbedTLS's own answer stands. */
  if (here == MBEDTLS_ERR_PK_KEY_INVALID_FORMAT)
    return ret;
  return here;
}

/* ---- PKCS#12 ------------------------------------------------------------- */

/* What the walk through a PKCS#12 file found. */
struct p12_walk {
  const char *password;
  mbedtls_pk_context *key;
  int have_key;
  mbedtls_x509_crt all; /* every certificate, in file order */
  size_t certs;
  int key_error;   /* mbedTLS's code when a key bag did not parse */
  const char *why; /* what was malformed, for the message */
  /* Key derivations, counted before they run: hr_creds_read_pkcs12 saw
   * those in clear, the walk adds keys inside decrypted parts. */
  const char *path;
  struct hr_kdf_scan scan;
  int decrypted; /* the bags being walked came out of an encryptedData */
  httpr_error *err;
};

static enum outcome walk_safe_contents(struct p12_walk *w, unsigned char *p,
                                       const unsigned char *end, int depth);

/* certBag: only X.509 certificates; others are passed over. */
static enum outcome cert_bag(struct p12_walk *w, const struct span *value) {
  unsigned char *p = value->p;
  const unsigned char *end = p + value->len;
  struct span bag, oid, wrapped, der;
  if (!take(&p, end, SEQUENCE, &bag))
    return MALFORMED;
  p = bag.p;
  end = bag.p + bag.len;
  if (!take(&p, end, MBEDTLS_ASN1_OID, &oid) ||
      !take(&p, end, EXPLICIT_0, &wrapped))
    return MALFORMED;
  mbedtls_asn1_buf id = {MBEDTLS_ASN1_OID, oid.len, oid.p};
  if (!OID_IS(OID_X509_CERTIFICATE, &id))
    return DONE;
  p = wrapped.p;
  if (!take(&p, wrapped.p + wrapped.len, MBEDTLS_ASN1_OCTET_STRING, &der))
    return MALFORMED;
  int ret = mbedtls_x509_crt_parse_der(&w->all, der.p, der.len);
  if (ret == MBEDTLS_ERR_X509_ALLOC_FAILED)
    return NO_MEMORY;
  if (ret != 0) {
    w->why = "a certificate in it cannot be parsed";
    return MALFORMED;
  }
  w->certs++;
  return DONE;
}

/* keyBag or pkcs8ShroudedKeyBag: the first key is the one, as in
 * OpenSSL. */
static enum outcome key_bag(struct p12_walk *w, const struct span *value,
                            int shrouded) {
  if (w->have_key)
    return DONE;
  /* The element with its header, as mbedtls_pk_parse_key wants DER. */
  unsigned char *p = value->p;
  struct span inner;
  if (!take(&p, value->p + value->len, SEQUENCE, &inner))
    return MALFORMED;
  size_t der_len = (size_t)(inner.p + inner.len - value->p);
  if (shrouded && w->decrypted &&
      hr_creds_kdf_inner_key(w->path, value->p, der_len, &w->scan, w->err) !=
          HTTPR_OK)
    return REFUSED;
  int ret = shrouded ? hr_mbed_parse_key(w->key, value->p, der_len,
                                         w->password ? w->password : "")
                     : hr_mbed_pk_parse_key(w->key, value->p, der_len, NULL, 0);
  if (ret == 0) {
    w->have_key = 1;
    return DONE;
  }
  w->key_error = ret;
  mbedtls_pk_free(w->key);
  mbedtls_pk_init(w->key);
  if (ret == MBEDTLS_ERR_PK_ALLOC_FAILED)
    return NO_MEMORY;
  if (ret == MBEDTLS_ERR_PK_FEATURE_UNAVAILABLE)
    return UNSUPPORTED;
  if (shrouded)
    return WRONG_PASSWORD;
  w->why = "its key cannot be parsed";
  return MALFORMED;
}

/* One SafeBag: bagId, [0] bagValue, optional attributes (not needed). */
static enum outcome safe_bag(struct p12_walk *w, const struct span *bag,
                             int depth) {
  unsigned char *p = bag->p;
  const unsigned char *end = bag->p + bag->len;
  struct span oid, value;
  if (!take(&p, end, MBEDTLS_ASN1_OID, &oid) ||
      !take(&p, end, EXPLICIT_0, &value))
    return MALFORMED;
  mbedtls_asn1_buf id = {MBEDTLS_ASN1_OID, oid.len, oid.p};
  if (OID_IS(OID_KEY_BAG, &id))
    return key_bag(w, &value, 0);
  if (OID_IS(OID_SHROUDED_KEY_BAG, &id))
    return key_bag(w, &value, 1);
  if (OID_IS(OID_CERT_BAG, &id))
    return cert_bag(w, &value);
  if (OID_IS(OID_SAFE_CONTENTS_BAG, &id)) {
    p = value.p;
    struct span nested;
    if (!take(&p, value.p + value.len, SEQUENCE, &nested))
      return MALFORMED;
    return walk_safe_contents(w, nested.p, nested.p + nested.len, depth + 1);
  }
  return DONE; /* CRLs and secrets are not credentials */
}

/* SafeContents: a SEQUENCE OF SafeBag, given as its content. */
static enum outcome walk_safe_contents(struct p12_walk *w, unsigned char *p,
                                       const unsigned char *end, int depth) {
  if (depth > 4)
    return MALFORMED;
  while (p < end) {
    struct span bag;
    if (!take(&p, end, SEQUENCE, &bag))
      return MALFORMED;
    enum outcome o = safe_bag(w, &bag, depth);
    if (o != DONE)
      return o;
  }
  return DONE;
}

/* A SafeContents DER (SEQUENCE and all) from a data content or a
 * decrypted one. */
static enum outcome safe_contents_der(struct p12_walk *w, unsigned char *der,
                                      size_t len) {
  unsigned char *p = der;
  struct span seq;
  if (!take(&p, der + len, SEQUENCE, &seq))
    return MALFORMED;
  return walk_safe_contents(w, seq.p, seq.p + seq.len, 0);
}

/* EncryptedData (RFC 5652 section 8): decrypted under the password, then
 * walked. */
static enum outcome encrypted_data(struct p12_walk *w, const struct span *c) {
  unsigned char *p = c->p;
  const unsigned char *end = c->p + c->len;
  struct span ed, eci, type, data;
  int version = 0;
  mbedtls_asn1_buf alg, params;
  if (!take(&p, end, SEQUENCE, &ed))
    return MALFORMED;
  p = ed.p;
  end = ed.p + ed.len;
  if (mbedtls_asn1_get_int(&p, end, &version) != 0 ||
      !take(&p, end, SEQUENCE, &eci))
    return MALFORMED;
  p = eci.p;
  end = eci.p + eci.len;
  if (!take(&p, end, MBEDTLS_ASN1_OID, &type) ||
      mbedtls_asn1_get_alg(&p, end, &alg, &params) != 0 ||
      !take(&p, end, IMPLICIT_0, &data))
    return MALFORMED;
  unsigned char *plain = NULL;
  size_t plain_len = 0;
  enum outcome o =
      pbe_decrypt(&alg, &params, w->password, &data, &plain, &plain_len);
  /* The padding check lets about one wrong password in 256 through, and
   * what it lets by may even start as a SEQUENCE should. A right password
   * always decrypts to contents that parse: any that do not, however deep
   * the walk got, mean a wrong password. */
  if (o == DONE) {
    w->decrypted++;
    o = safe_contents_der(w, plain, plain_len);
    w->decrypted--;
    if (o == MALFORMED)
      o = WRONG_PASSWORD;
  }
  wipe_free(plain, plain_len);
  return o;
}

/* One ContentInfo of the AuthenticatedSafe: data or encryptedData. */
static enum outcome content_info(struct p12_walk *w, const struct span *ci) {
  unsigned char *p = ci->p;
  const unsigned char *end = ci->p + ci->len;
  struct span type, content, octets;
  if (!take(&p, end, MBEDTLS_ASN1_OID, &type) ||
      !take(&p, end, EXPLICIT_0, &content))
    return MALFORMED;
  mbedtls_asn1_buf id = {MBEDTLS_ASN1_OID, type.len, type.p};
  if (OID_IS(OID_ENCRYPTED_DATA, &id))
    return encrypted_data(w, &content);
  if (!OID_IS(OID_DATA, &id)) {
    w->why = "it uses public-key privacy mode";
    return UNSUPPORTED;
  }
  p = content.p;
  if (!take(&p, content.p + content.len, MBEDTLS_ASN1_OCTET_STRING, &octets))
    return MALFORMED;
  return safe_contents_der(w, octets.p, octets.len);
}

/* The parts of a PFX (RFC 7292 section 4). */
struct pfx {
  struct span auth_safe; /* the data content: what the MAC covers */
  int has_mac;
  mbedtls_md_type_t mac_md;
  struct span mac, salt;
  int iterations;
};

/* Version 3, an authSafe of type data, and optional MacData. */
static int parse_pfx(unsigned char *der, size_t len, struct pfx *out) {
  unsigned char *p = der;
  const unsigned char *end = der + len;
  struct span pfx, ci, type, content;
  int version = 0;
  memset(out, 0, sizeof(*out));
  if (!take(&p, end, SEQUENCE, &pfx))
    return 0;
  p = pfx.p;
  end = pfx.p + pfx.len;
  if (mbedtls_asn1_get_int(&p, end, &version) != 0 || version != 3 ||
      !take(&p, end, SEQUENCE, &ci))
    return 0;
  unsigned char *q = ci.p;
  const unsigned char *ci_end = ci.p + ci.len;
  if (!take(&q, ci_end, MBEDTLS_ASN1_OID, &type) ||
      !take(&q, ci_end, EXPLICIT_0, &content))
    return 0;
  mbedtls_asn1_buf id = {MBEDTLS_ASN1_OID, type.len, type.p};
  q = content.p;
  if (!OID_IS(OID_DATA, &id) ||
      !take(&q, content.p + content.len, MBEDTLS_ASN1_OCTET_STRING,
            &out->auth_safe))
    return 0;
  if (p == end)
    return 1;
  /* MacData: DigestInfo (algorithm, digest), salt, iterations (default
   * 1). */
  struct span mac_data, digest_info;
  mbedtls_asn1_buf alg, params;
  if (!take(&p, end, SEQUENCE, &mac_data))
    return 0;
  q = mac_data.p;
  ci_end = mac_data.p + mac_data.len;
  out->iterations = 1;
  if (!take(&q, ci_end, SEQUENCE, &digest_info) ||
      !take(&q, ci_end, MBEDTLS_ASN1_OCTET_STRING, &out->salt) ||
      (q < ci_end && mbedtls_asn1_get_int(&q, ci_end, &out->iterations) != 0) ||
      out->iterations < 1)
    return 0;
  unsigned char *d = digest_info.p;
  const unsigned char *d_end = digest_info.p + digest_info.len;
  if (mbedtls_asn1_get_alg(&d, d_end, &alg, &params) != 0 ||
      !take(&d, d_end, MBEDTLS_ASN1_OCTET_STRING, &out->mac))
    return 0;
  if (mbedtls_oid_get_md_alg(&alg, &out->mac_md) != 0)
    out->mac_md = MBEDTLS_MD_NONE;
  out->has_mac = 1;
  return 1;
}

/* 1 when the MAC matches under password (as a BMPString). */
static int mac_matches(const struct pfx *pfx, const struct bmp *pw) {
  const mbedtls_md_info_t *md = mbedtls_md_info_from_type(pfx->mac_md);
  unsigned char key[MBEDTLS_MD_MAX_SIZE], mac[MBEDTLS_MD_MAX_SIZE];
  if (!md)
    return 0;
  size_t n = mbedtls_md_get_size(md);
  int ok = n == pfx->mac.len &&
           mbedtls_pkcs12_derivation(
               key, n, pw->p, pw->len, pfx->salt.p, pfx->salt.len, pfx->mac_md,
               MBEDTLS_PKCS12_DERIVE_MAC_KEY, pfx->iterations) == 0 &&
           mbedtls_md_hmac(md, key, n, pfx->auth_safe.p, pfx->auth_safe.len,
                           mac) == 0;
  unsigned char diff = 0;
  for (size_t i = 0; ok && i < n; i++)
    diff |= (unsigned char)(mac[i] ^ pfx->mac.p[i]);
  mbedtls_platform_zeroize(key, sizeof(key));
  return ok && diff == 0;
}

/* A wrong password, or none where one is needed. */
static httpr_code password_failed(const char *path, const char *password,
                                  httpr_error *err) {
  if (!password || !password[0])
    return hr_creds_no_password(err, path);
  return hr_creds_wrong_password(err);
}

/* The MAC, checked first: it tells a wrong password before anything is
 * decrypted. Without a password OpenSSL tries none at all, then the
 * empty one; *use is what matched. */
static httpr_code check_mac(const struct pfx *pfx, const char *path,
                            const char *password, const char **use,
                            httpr_error *err) {
  struct bmp pw = {0};
  const char *tries[2] = {password, NULL};
  size_t n = 1;
  if (!password || !password[0]) {
    tries[0] = NULL;
    tries[1] = "";
    n = 2;
  }
  *use = password;
  if (!pfx->has_mac)
    return HTTPR_OK;
  if (pfx->mac_md == MBEDTLS_MD_NONE)
    return hr_creds_pkcs12_unparsable(err, path,
                                      "its MAC uses an unknown digest");
  for (size_t i = 0; i < n; i++) {
    if (bmp_password(tries[i], &pw) != DONE)
      return hr_nomem(err);
    int ok = mac_matches(pfx, &pw);
    bmp_free(&pw);
    if (ok) {
      *use = tries[i];
      return HTTPR_OK;
    }
  }
  password_failed(path, password, err);
  hr_detail(err, "mbedtls: the PKCS#12 MAC (%s, %d iterations) does not match",
            mbedtls_md_get_name(mbedtls_md_info_from_type(pfx->mac_md)),
            pfx->iterations);
  return err->code;
}

/* Walks the AuthenticatedSafe: a SEQUENCE OF ContentInfo. */
static enum outcome walk_auth_safe(struct p12_walk *w, const struct pfx *pfx) {
  unsigned char *p = pfx->auth_safe.p;
  const unsigned char *end = p + pfx->auth_safe.len;
  struct span seq;
  if (!take(&p, end, SEQUENCE, &seq) || p != end)
    return MALFORMED;
  p = seq.p;
  end = seq.p + seq.len;
  while (p < end) {
    struct span ci;
    if (!take(&p, end, SEQUENCE, &ci))
      return MALFORMED;
    enum outcome o = content_info(w, &ci);
    if (o != DONE)
      return o;
  }
  return DONE;
}

static httpr_code walk_failed(const struct p12_walk *w, enum outcome o,
                              const char *path, const char *password,
                              httpr_error *err) {
  switch (o) {
  case WRONG_PASSWORD:
    password_failed(path, password, err);
    if (w->key_error)
      break;
    hr_detail(err, "mbedtls: the PKCS#12 contents do not decrypt");
    return err->code;
  case USES_RC2:
    return hr_fail(err, HTTPR_E_CLIENT_CERT,
                   "PKCS#12 file '%s' uses RC2 encryption, which the mbedtls "
                   "provider cannot decrypt",
                   path);
  case NO_MEMORY:
    return hr_nomem(err);
  case REFUSED:
    return err->code;
  case UNSUPPORTED:
    hr_creds_pkcs12_unparsable(
        err, path, w->why ? w->why : "it uses an unsupported encryption");
    break;
  default:
    hr_creds_pkcs12_unparsable(err, path,
                               w->why ? w->why : "malformed contents");
    break;
  }
  if (w->key_error) {
    char text[160];
    mbedtls_strerror(w->key_error, text, sizeof(text));
    hr_detail(err, "mbedtls: -0x%04X: %s", (unsigned)-w->key_error, text);
  }
  return err->code;
}

/* The certificate of the key first, then the others in file order. */
static httpr_code order_certs(struct p12_walk *w, const char *path,
                              struct hr_mbed_pkcs12 *out, httpr_error *err) {
  const mbedtls_x509_crt *leaf = NULL;
  for (const mbedtls_x509_crt *c = &w->all; w->have_key && c && c->raw.p;
       c = c->next) {
    if (hr_mbed_pk_check_pair(&c->pk, w->key) == 0) {
      leaf = c;
      break;
    }
  }
  /* OpenSSL finds the certificate through the key: without the key's
   * certificate (or without a key) the file holds none that can be used. */
  if (!leaf)
    return hr_fail(err, HTTPR_E_CLIENT_CERT,
                   "client certificate file '%s' holds no certificate", path);
  int ret = mbedtls_x509_crt_parse_der(&out->certs, leaf->raw.p, leaf->raw.len);
  for (const mbedtls_x509_crt *c = &w->all; ret == 0 && c && c->raw.p;
       c = c->next) {
    if (c != leaf)
      ret = mbedtls_x509_crt_parse_der(&out->certs, c->raw.p, c->raw.len);
  }
  if (ret != 0)
    return hr_nomem(err);
  return HTTPR_OK;
}

void hr_mbed_pkcs12_init(struct hr_mbed_pkcs12 *p) {
  mbedtls_pk_init(&p->key);
  mbedtls_x509_crt_init(&p->certs);
}

void hr_mbed_pkcs12_free(struct hr_mbed_pkcs12 *p) {
  mbedtls_pk_free(&p->key);
  mbedtls_x509_crt_free(&p->certs);
}

httpr_code hr_mbed_pkcs12_parse(unsigned char *data, size_t len,
                                const char *path, const char *password,
                                int verify_mac, const struct hr_kdf_scan *scan,
                                struct hr_mbed_pkcs12 *out, httpr_error *err) {
  struct pfx pfx;
  struct p12_walk w = {.key = &out->key, .password = password,
                       .path = path, .err = err, .scan = *scan};
  httpr_code rc = HTTPR_OK;
  mbedtls_x509_crt_init(&w.all);
  if (!parse_pfx(data, len, &pfx)) {
    rc = hr_fail(err, HTTPR_E_CLIENT_CERT,
                 "client certificate file '%s' is not a PKCS#12 file", path);
    hr_detail(err, "mbedtls: no PFX structure (RFC 7292) in %zu bytes", len);
    goto done;
  }
  if (verify_mac &&
      (rc = check_mac(&pfx, path, password, &w.password, err)) != HTTPR_OK)
    goto done;
  enum outcome o = walk_auth_safe(&w, &pfx);
  if (o != DONE)
    rc = walk_failed(&w, o, path, password, err);
  else
    rc = order_certs(&w, path, out, err);
done:
  mbedtls_x509_crt_free(&w.all);
  return rc;
}

httpr_code hr_mbed_pkcs12_load(const char *path, const char *password,
                               struct hr_mbed_pkcs12 *out, httpr_error *err) {
  char *data = NULL;
  size_t len = 0;
  struct hr_kdf_scan scan = {0};
  /* Reads the file and its key derivation counts, refused past the cap. */
  httpr_code rc = hr_creds_read_pkcs12(path, &data, &len, &scan, err);
  if (rc != HTTPR_OK)
    return rc;
  rc = hr_mbed_pkcs12_parse((unsigned char *)data, len, path, password, 1,
                            &scan, out, err);
  wipe_free((unsigned char *)data, len);
  return rc;
}
