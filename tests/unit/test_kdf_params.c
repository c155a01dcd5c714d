/* SPDX-License-Identifier: MIT */
/*
 * test_kdf_params.c - the key-derivation counts read out of credential
 * files before any library runs them: exact sums and counts for the test
 * PKI's files (OpenSSL 3's defaults, and the copies with a count above the
 * cap), every scheme the reader knows (PBES2 with PBKDF2 or scrypt, PBMAC1,
 * PKCS#12 PBE, PBES1), the cap's boundary and its one message, and what
 * is refused as unreadable (BER, a negative count, nesting too deep) or
 * left to the library (not the structure at all). Also the PEM block
 * decoder the PKCS#8 check uses.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/wipe.h"
#include "backends/credentials.h"
#include "backends/kdf_params.h"
#include "backends/pem.h"

/* ---- a DER builder ------------------------------------------------------- */

struct der {
  size_t n;
  unsigned char b[1024];
};

static struct der wrap(unsigned tag, const struct der *parts, size_t count) {
  struct der out = {0};
  size_t body = 0;
  for (size_t i = 0; i < count; i++)
    body += parts[i].n;
  assert_true(body + 4 <= sizeof(out.b));
  out.b[out.n++] = (unsigned char)tag;
  if (body < 0x80) {
    out.b[out.n++] = (unsigned char)body;
  } else if (body < 0x100) {
    out.b[out.n++] = 0x81;
    out.b[out.n++] = (unsigned char)body;
  } else {
    out.b[out.n++] = 0x82;
    out.b[out.n++] = (unsigned char)(body >> 8);
    out.b[out.n++] = (unsigned char)body;
  }
  for (size_t i = 0; i < count; i++) {
    memcpy(out.b + out.n, parts[i].b, parts[i].n);
    out.n += parts[i].n;
  }
  return out;
}

static struct der prim(unsigned tag, const void *value, size_t len) {
  struct der v = {.n = len};
  memcpy(v.b, value, len);
  return wrap(tag, &v, 1);
}

#define PARTS(...) ((const struct der[]){__VA_ARGS__})
#define NPARTS(...) (sizeof(PARTS(__VA_ARGS__)) / sizeof(struct der))
#define SEQ(...) wrap(0x30, PARTS(__VA_ARGS__), NPARTS(__VA_ARGS__))
#define EXPLICIT0(...) wrap(0xa0, PARTS(__VA_ARGS__), NPARTS(__VA_ARGS__))
#define OID(...)                                                               \
  prim(0x06, (const unsigned char[]){__VA_ARGS__},                             \
       sizeof((const unsigned char[]){__VA_ARGS__}))
#define OCTETS(...)                                                            \
  prim(0x04, (const unsigned char[]){__VA_ARGS__},                             \
       sizeof((const unsigned char[]){__VA_ARGS__}))

/* An INTEGER in its shortest form (a 0x00 first when the top bit is set). */
static struct der integer(uint64_t v) {
  unsigned char b[9];
  size_t n = 0;
  for (int shift = 56; shift >= 0; shift -= 8) {
    unsigned char byte = (unsigned char)(v >> shift);
    if (n == 0 && byte == 0 && shift > 0)
      continue;
    if (n == 0 && (byte & 0x80))
      b[n++] = 0;
    b[n++] = byte;
  }
  return prim(0x02, b, n);
}

#define RSADSI 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d
#define OID_PBES2 OID(RSADSI, 0x01, 0x05, 0x0d)
#define OID_PBKDF2 OID(RSADSI, 0x01, 0x05, 0x0c)
#define OID_PBMAC1 OID(RSADSI, 0x01, 0x05, 0x0e)
#define OID_PBES1_SHA1_DES OID(RSADSI, 0x01, 0x05, 0x0a)
#define OID_P12_PBE_3DES OID(RSADSI, 0x01, 0x0c, 0x01, 0x03)
#define OID_SCRYPT OID(0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x04, 0x0b)
#define OID_AES256 OID(0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a)
#define OID_SHA256 OID(0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01)
#define OID_DATA OID(RSADSI, 0x01, 0x07, 0x01)
#define OID_SIGNED_DATA OID(RSADSI, 0x01, 0x07, 0x02)
#define OID_ENCRYPTED_DATA OID(RSADSI, 0x01, 0x07, 0x06)
#define OID_SHROUDED_KEY_BAG OID(RSADSI, 0x01, 0x0c, 0x0a, 0x01, 0x02)
#define OID_CERT_BAG OID(RSADSI, 0x01, 0x0c, 0x0a, 0x01, 0x03)
#define OID_SAFE_CONTENTS_BAG OID(RSADSI, 0x01, 0x0c, 0x0a, 0x01, 0x06)
#define SALT OCTETS(1, 2, 3, 4, 5, 6, 7, 8)

static struct der pbes2_alg(uint64_t count) {
  return SEQ(OID_PBES2, SEQ(SEQ(OID_PBKDF2, SEQ(SALT, integer(count))),
                            SEQ(OID_AES256, OCTETS(0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
                                                   10, 11, 12, 13, 14, 15))));
}

static struct der epki(struct der alg) { return SEQ(alg, OCTETS(0xee, 0xee)); }

/* A PFX whose only part is data holding bags, with a MAC of mac_count
 * iterations (0: MacData without its iterations field). */
static struct der pfx(struct der bags, uint64_t mac_count) {
  struct der safe = prim(0x04, bags.b, bags.n);
  struct der auth = SEQ(SEQ(OID_DATA, EXPLICIT0(safe)));
  struct der digest = SEQ(SEQ(OID_SHA256), OCTETS(0xab));
  struct der mac =
      mac_count ? SEQ(digest, SALT, integer(mac_count)) : SEQ(digest, SALT);
  return SEQ(integer(3), SEQ(OID_DATA, EXPLICIT0(prim(0x04, auth.b, auth.n))),
             mac);
}

static struct der key_bag(uint64_t count) {
  return SEQ(OID_SHROUDED_KEY_BAG, EXPLICIT0(epki(pbes2_alg(count))));
}

static struct hr_kdf_scan scan8(const struct der *d, enum hr_kdf_result want) {
  struct hr_kdf_scan s = {0};
  assert_int_equal(hr_kdf_scan_pkcs8(d->b, d->n, &s), want);
  return s;
}

static struct hr_kdf_scan scan12(const struct der *d, enum hr_kdf_result want) {
  struct hr_kdf_scan s = {0};
  assert_int_equal(hr_kdf_scan_pkcs12(d->b, d->n, &s), want);
  return s;
}

/* ---- the schemes --------------------------------------------------------- */

static void pbes2_pbkdf2(void **state) {
  (void)state;
  struct der d = epki(pbes2_alg(2048));
  struct hr_kdf_scan s = scan8(&d, HR_KDF_READ);
  assert_int_equal(s.iterations, 2048);
  assert_int_equal(s.derivations, 1);
}

static void pbkdf2_with_prf_and_key_length(void **state) {
  (void)state;
  struct der hmac = SEQ(OID(RSADSI, 0x02, 0x09), prim(0x05, "", 0));
  struct der d = epki(
      SEQ(OID_PBES2,
          SEQ(SEQ(OID_PBKDF2, SEQ(SALT, integer(600000), integer(32), hmac)),
              SEQ(OID_AES256, OCTETS(0)))));
  assert_int_equal(scan8(&d, HR_KDF_READ).iterations, 600000);
}

static void pkcs12_pbe_and_pbes1(void **state) {
  (void)state;
  struct der p12 = epki(SEQ(OID_P12_PBE_3DES, SEQ(SALT, integer(5))));
  struct der p5 = epki(SEQ(OID_PBES1_SHA1_DES, SEQ(SALT, integer(7))));
  assert_int_equal(scan8(&p12, HR_KDF_READ).iterations, 5);
  assert_int_equal(scan8(&p5, HR_KDF_READ).iterations, 7);
}

/* scrypt's work is N * r * p: OpenSSL's defaults (16384, 8, 1). */
static void scrypt_counts_n_r_p(void **state) {
  (void)state;
  struct der d = epki(SEQ(
      OID_PBES2,
      SEQ(SEQ(OID_SCRYPT, SEQ(SALT, integer(16384), integer(8), integer(1))),
          SEQ(OID_AES256, OCTETS(0)))));
  struct hr_kdf_scan s = scan8(&d, HR_KDF_READ);
  assert_int_equal(s.iterations, 131072);
  assert_int_equal(s.derivations, 1);
}

/* A scheme no provider derives a key with adds nothing. */
static void other_algorithms_add_nothing(void **state) {
  (void)state;
  struct der d = epki(SEQ(OID_AES256, OCTETS(0)));
  struct hr_kdf_scan s = scan8(&d, HR_KDF_READ);
  assert_int_equal(s.iterations, 0);
  assert_int_equal(s.derivations, 0);
}

/* Counts too big for 64 bits, and sums past 2^64, saturate. */
static void huge_counts_saturate(void **state) {
  (void)state;
  struct der nine =
      prim(0x02, (const unsigned char[]){0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 10);
  struct der d = epki(SEQ(OID_P12_PBE_3DES, SEQ(SALT, nine)));
  assert_true(scan8(&d, HR_KDF_READ).iterations == UINT64_MAX);
  struct der big = epki(pbes2_alg(UINT64_C(1) << 63));
  struct hr_kdf_scan s = scan8(&big, HR_KDF_READ);
  assert_int_equal(hr_kdf_scan_pkcs8(big.b, big.n, &s), HR_KDF_READ);
  assert_true(s.iterations == UINT64_MAX);
  assert_int_equal(s.derivations, 2);
}

/* ---- what is refused, what is left to the library ------------------------ */

static void negative_count_is_unreadable(void **state) {
  (void)state;
  struct der d =
      epki(SEQ(OID_P12_PBE_3DES,
               SEQ(SALT, prim(0x02, (const unsigned char[]){0xff}, 1))));
  struct hr_kdf_scan s = scan8(&d, HR_KDF_UNREADABLE);
  assert_string_equal(s.why, "a negative iteration count");
}

static void ber_is_unreadable(void **state) {
  (void)state;
  struct der d = epki(pbes2_alg(2048));
  /* The same, outer SEQUENCE with an indefinite length. */
  unsigned char indefinite[1100];
  size_t body = d.n - 2;
  indefinite[0] = 0x30;
  indefinite[1] = 0x80;
  memcpy(indefinite + 2, d.b + 2, body);
  indefinite[2 + body] = indefinite[3 + body] = 0;
  struct hr_kdf_scan s = {0};
  assert_int_equal(hr_kdf_scan_pkcs8(indefinite, body + 4, &s),
                   HR_KDF_UNREADABLE);
  assert_string_equal(s.why, "not DER-encoded");
  /* A long-form length where the short form was due. */
  unsigned char long_form[1100] = {0x30, 0x81, (unsigned char)body};
  memcpy(long_form + 3, d.b + 2, body);
  memset(&s, 0, sizeof(s));
  assert_int_equal(hr_kdf_scan_pkcs8(long_form, body + 3, &s),
                   HR_KDF_UNREADABLE);
  assert_string_equal(s.why, "not DER-encoded");
}

static void truncated_is_unreadable(void **state) {
  (void)state;
  struct der d = epki(pbes2_alg(2048));
  struct hr_kdf_scan s = {0};
  d.b[1]--; /* the outer SEQUENCE ends inside its last element */
  assert_int_equal(hr_kdf_scan_pkcs8(d.b, d.n - 1, &s), HR_KDF_UNREADABLE);
  assert_string_equal(s.why, "malformed contents");
}

static void not_the_structure_is_not_found(void **state) {
  (void)state;
  static const char pem[] = "-----BEGIN ENCRYPTED PRIVATE KEY-----\n";
  struct hr_kdf_scan s = {0};
  assert_int_equal(
      hr_kdf_scan_pkcs8((const unsigned char *)pem, sizeof(pem) - 1, &s),
      HR_KDF_NOT_FOUND);
  assert_int_equal(
      hr_kdf_scan_pkcs12((const unsigned char *)pem, sizeof(pem) - 1, &s),
      HR_KDF_NOT_FOUND);
  struct der not_pfx = SEQ(OCTETS(1), OCTETS(2));
  assert_int_equal(hr_kdf_scan_pkcs12(not_pfx.b, not_pfx.n, &s),
                   HR_KDF_NOT_FOUND);
  assert_int_equal(hr_kdf_scan_pkcs12(NULL, 0, &s), HR_KDF_NOT_FOUND);
  assert_int_equal(s.derivations, 0);
}

/* ---- PKCS#12 ------------------------------------------------------------- */

static void pfx_mac_and_key(void **state) {
  (void)state;
  struct der bags = SEQ(key_bag(1000), SEQ(OID_CERT_BAG, EXPLICIT0(SALT)));
  struct der d = pfx(bags, 2048);
  struct hr_kdf_scan s = scan12(&d, HR_KDF_READ);
  assert_int_equal(s.iterations, 3048);
  assert_int_equal(s.derivations, 2);
}

/* MacData's iterations default to 1 (RFC 7292). */
static void mac_iterations_default_to_one(void **state) {
  (void)state;
  struct der d = pfx(SEQ(key_bag(10)), 0);
  struct hr_kdf_scan s = scan12(&d, HR_KDF_READ);
  assert_int_equal(s.iterations, 11);
  assert_int_equal(s.derivations, 2);
}

/* An encrypted part adds its own scheme; its contents are not seen. */
static void encrypted_part(void **state) {
  (void)state;
  struct der ed =
      SEQ(integer(0), SEQ(OID_DATA, pbes2_alg(4096), prim(0x80, "sealed", 6)));
  struct der auth = SEQ(SEQ(OID_ENCRYPTED_DATA, EXPLICIT0(ed)));
  struct der d =
      SEQ(integer(3), SEQ(OID_DATA, EXPLICIT0(prim(0x04, auth.b, auth.n))));
  struct hr_kdf_scan s = scan12(&d, HR_KDF_READ);
  assert_int_equal(s.iterations, 4096);
  assert_int_equal(s.derivations, 1);
}

/* PBMAC1 (RFC 9579): the MAC's PBKDF2 count adds to its iterations. */
static void pbmac1(void **state) {
  (void)state;
  struct der alg = SEQ(OID_PBMAC1, SEQ(SEQ(OID_PBKDF2, SEQ(SALT, integer(50))),
                                       SEQ(OID(RSADSI, 0x02, 0x09))));
  struct der safe = SEQ(SEQ(OID_DATA, EXPLICIT0(OCTETS(0x30, 0))));
  struct der d =
      SEQ(integer(3), SEQ(OID_DATA, EXPLICIT0(prim(0x04, safe.b, safe.n))),
          SEQ(SEQ(alg, OCTETS(0xab)), SALT, integer(1)));
  assert_int_equal(scan12(&d, HR_KDF_READ).iterations, 51);
}

static struct der nest(struct der inner, int levels) {
  for (int i = 0; i < levels; i++)
    inner = SEQ(SEQ(OID_SAFE_CONTENTS_BAG, EXPLICIT0(inner)));
  return inner;
}

static void nested_bags(void **state) {
  (void)state;
  struct der two = pfx(nest(SEQ(key_bag(7)), 2), 1);
  assert_int_equal(scan12(&two, HR_KDF_READ).iterations, 8);
  struct der eight = pfx(nest(SEQ(key_bag(7)), 8), 1);
  assert_int_equal(scan12(&eight, HR_KDF_READ).iterations, 8);
  struct der nine = pfx(nest(SEQ(key_bag(7)), 9), 1);
  assert_string_equal(scan12(&nine, HR_KDF_UNREADABLE).why, "nested too deep");
}

/* Public-key integrity mode is read by no provider; its MAC still counts. */
static void other_auth_safe_type(void **state) {
  (void)state;
  struct der d = SEQ(integer(3), SEQ(OID_SIGNED_DATA, EXPLICIT0(SEQ())),
                     SEQ(SEQ(SEQ(OID_SHA256), OCTETS(1)), SALT, integer(9)));
  assert_int_equal(scan12(&d, HR_KDF_READ).iterations, 9);
}

/* A constructed OCTET STRING (BER) where the authSafe's data is. */
static void constructed_octets_are_unreadable(void **state) {
  (void)state;
  struct der auth = SEQ(SEQ(OID_DATA, EXPLICIT0(OCTETS(0x30, 0))));
  struct der chunk = prim(0x04, auth.b, auth.n);
  struct der d =
      SEQ(integer(3), SEQ(OID_DATA, EXPLICIT0(wrap(0x24, &chunk, 1))));
  assert_string_equal(scan12(&d, HR_KDF_UNREADABLE).why, "not DER-encoded");
}

/* ---- the cap and its message --------------------------------------------- */

static void cap_boundary(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_kdf_scan s = {0};
  struct der at = epki(pbes2_alg(HR_KDF_MAX_ITERATIONS));
  assert_int_equal(hr_creds_kdf_inner_key("f.p12", at.b, at.n, &s, &err),
                   HTTPR_OK);
  assert_int_equal(s.iterations, 10000000);
  struct der one = epki(pbes2_alg(1));
  assert_int_equal(hr_creds_kdf_inner_key("f.p12", one.b, one.n, &s, &err),
                   HTTPR_E_CLIENT_CERT);
  assert_string_equal(err.message,
                      "client credential file 'f.p12' asks for 10000001 key "
                      "derivation iterations, above the cap of 10000000");
  assert_string_equal(err.hint, "re-encrypt the file with fewer iterations "
                                "(OpenSSL's default is 2048)");
}

static void unreadable_inner_key_is_refused(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_kdf_scan s = {0};
  struct der d =
      epki(SEQ(OID_P12_PBE_3DES,
               SEQ(SALT, prim(0x02, (const unsigned char[]){0x80}, 1))));
  assert_int_equal(hr_creds_kdf_inner_key("f.p12", d.b, d.n, &s, &err),
                   HTTPR_E_CLIENT_CERT);
  assert_string_equal(err.message, "client certificate file 'f.p12' cannot be "
                                   "parsed as PKCS#12: a negative iteration "
                                   "count");
}

/* ---- the test PKI's files (make-pki.sh) ---------------------------------- */

static const char *pki(const char *name) {
  static char path[512];
  const char *dir = getenv("PKI_DIR");
  assert_non_null(dir);
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  return path;
}

static struct hr_kdf_scan scan_p12_file(const char *name,
                                        enum hr_kdf_result want) {
  char *data = NULL;
  size_t len = 0;
  struct hr_kdf_scan s = {0};
  assert_int_equal(hr_file_read(pki(name), &data, &len), 0);
  assert_int_equal(hr_kdf_scan_pkcs12((unsigned char *)data, len, &s), want);
  free(data);
  return s;
}

static int first_key(const struct hr_pem_block *b, void *ud) {
  if (b->kind != HR_PEM_KEY_PKCS8_ENCRYPTED)
    return 0;
  *(struct hr_pem_block *)ud = *b;
  return 1;
}

static struct hr_kdf_scan scan_key_file(const char *name) {
  char *text = NULL;
  size_t len = 0;
  unsigned char *der = NULL;
  size_t der_len = 0;
  struct hr_pem_block key = {0};
  struct hr_kdf_scan s = {0};
  assert_int_equal(hr_file_read(pki(name), &text, &len), 0);
  hr_pem_each(text, len, first_key, &key);
  assert_non_null(key.begin);
  assert_int_equal(hr_pem_block_der(&key, &der, &der_len), 0);
  assert_int_equal(hr_kdf_scan_pkcs8(der, der_len, &s), HR_KDF_READ);
  hr_wipe_free(der, der_len);
  free(text);
  return s;
}

/* OpenSSL 3's defaults: a MAC, the certificates' part and the key, 2048
 * iterations each. */
static void openssl_default_files(void **state) {
  (void)state;
  struct hr_kdf_scan s = scan_p12_file("client.p12", HR_KDF_READ);
  assert_int_equal(s.iterations, 3 * 2048);
  assert_int_equal(s.derivations, 3);
  s = scan_p12_file("client-nomac.p12", HR_KDF_READ);
  assert_int_equal(s.iterations, 2 * 2048);
  assert_int_equal(s.derivations, 2);
  s = scan_key_file("client-key-pkcs8-enc.pem");
  assert_int_equal(s.iterations, 2048);
  assert_int_equal(s.derivations, 1);
}

static void costly_files(void **state) {
  (void)state;
  static const char *const p12s[] = {"client-costly-mac.p12",
                                     "client-costly-key.p12",
                                     "client-costly-safe.p12"};
  for (size_t i = 0; i < sizeof(p12s) / sizeof(p12s[0]); i++) {
    struct hr_kdf_scan s = scan_p12_file(p12s[i], HR_KDF_READ);
    assert_int_equal(s.iterations, 10000001 + 2 * 2048);
    assert_int_equal(s.derivations, 3);
  }
  assert_int_equal(scan_key_file("client-key-pkcs8-costly.pem").iterations,
                   10000001);
}

/* A key inside an encrypted part is hidden until a provider decrypts it:
 * only the two parts' own schemes are seen here. */
static void nested_files_hide_their_key(void **state) {
  (void)state;
  struct hr_kdf_scan s = scan_p12_file("client-nested.p12", HR_KDF_READ);
  assert_int_equal(s.iterations, 2 * 2048);
  assert_int_equal(s.derivations, 2);
  s = scan_p12_file("client-costly-nested.p12", HR_KDF_READ);
  assert_int_equal(s.iterations, 2 * 2048);
}

static void ber_file_is_unreadable(void **state) {
  (void)state;
  struct hr_kdf_scan s = scan_p12_file("client-ber.p12", HR_KDF_UNREADABLE);
  assert_string_equal(s.why, "not DER-encoded");
}

/* ---- hr_pem_block_der ---------------------------------------------------- */

static int decode(const char *text, unsigned char *out, size_t *len) {
  struct hr_pem_block b = {0};
  hr_pem_each(text, strlen(text), first_key, &b);
  assert_non_null(b.begin);
  unsigned char *der = NULL;
  int rc = hr_pem_block_der(&b, &der, len);
  if (rc == 0) {
    memcpy(out, der, *len);
    hr_wipe_free(der, *len);
  } else {
    assert_null(der);
  }
  return rc;
}

#define BLOCK(body)                                                            \
  "-----BEGIN ENCRYPTED PRIVATE KEY-----\n" body                               \
  "-----END ENCRYPTED PRIVATE KEY-----\n"

static void pem_block_decoding(void **state) {
  (void)state;
  unsigned char out[64];
  size_t len = 0;
  assert_int_equal(decode(BLOCK("TWE=\r\nTWFu\n"), out, &len), -1);
  assert_int_equal(errno, EINVAL); /* data after padding */
  assert_int_equal(decode(BLOCK("TWFuTWE=\n"), out, &len), 0);
  assert_int_equal(len, 5);
  assert_memory_equal(out, "ManMa", 5);
  assert_int_equal(decode(BLOCK("TW Fu\r\n TQ==\n"), out, &len), 0);
  assert_int_equal(len, 4);
  assert_memory_equal(out, "ManM", 4);
  assert_int_equal(
      decode(BLOCK("Proc-Type: 4,ENCRYPTED\nX: y\n\nTWFu\n"), out, &len), 0);
  assert_int_equal(len, 3);
  assert_int_equal(decode(BLOCK(""), out, &len), 0);
  assert_int_equal(len, 0);
  assert_int_equal(decode(BLOCK("TWF!\n"), out, &len), -1);
  assert_int_equal(decode(BLOCK("TQ=\n"), out, &len), -1);
  assert_int_equal(decode(BLOCK("T\n"), out, &len), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(pbes2_pbkdf2),
      cmocka_unit_test(pbkdf2_with_prf_and_key_length),
      cmocka_unit_test(pkcs12_pbe_and_pbes1),
      cmocka_unit_test(scrypt_counts_n_r_p),
      cmocka_unit_test(other_algorithms_add_nothing),
      cmocka_unit_test(huge_counts_saturate),
      cmocka_unit_test(negative_count_is_unreadable),
      cmocka_unit_test(ber_is_unreadable),
      cmocka_unit_test(truncated_is_unreadable),
      cmocka_unit_test(not_the_structure_is_not_found),
      cmocka_unit_test(pfx_mac_and_key),
      cmocka_unit_test(mac_iterations_default_to_one),
      cmocka_unit_test(encrypted_part),
      cmocka_unit_test(pbmac1),
      cmocka_unit_test(nested_bags),
      cmocka_unit_test(other_auth_safe_type),
      cmocka_unit_test(constructed_octets_are_unreadable),
      cmocka_unit_test(cap_boundary),
      cmocka_unit_test(unreadable_inner_key_is_refused),
      cmocka_unit_test(openssl_default_files),
      cmocka_unit_test(costly_files),
      cmocka_unit_test(nested_files_hide_their_key),
      cmocka_unit_test(ber_file_is_unreadable),
      cmocka_unit_test(pem_block_decoding),
  };
  return cmocka_run_group_tests_name("kdf_params", tests, NULL, NULL);
}
