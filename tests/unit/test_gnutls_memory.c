/*
 * test_gnutls_memory.c - the GnuTLS provider's client against a GnuTLS
 * server, entirely in memory: the client's hr_tls_io callbacks and the
 * server's transport functions share two byte queues
 * (tests/unit/tls_memory.c), so the tests control every byte and every
 * "would block". It proves the non-blocking contract
 * (want-write, want-read, byte-at-a-time progress), the handshake and its
 * info, application data, close_notify and EOF, the verification and
 * alert mappings onto the shared wording, client credentials in every
 * form, the key log and its opt-in, a context shared by threads, and
 * session resumption (and its refusal) in TLS 1.2 and 1.3. The
 * PKI is made in-process with GnuTLS at start-up, encrypted keys and
 * PKCS#12 as OpenSSL 3 writes them, and removed at the end.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "backends/identity.h"
#include "backends/keylog.h"
#include "backends/provider.h"
#include "backends/tls_errors.h"
#include "tests/unit/pki_files.h"
#include "tests/unit/tls_memory.h"

extern const struct hr_tls_provider hr_provider_gnutls;
static const struct hr_tls_provider *const P = &hr_provider_gnutls;

/* ------------------------------------------------------------------------ */
/* The PKI: made once, in memory and in a private temporary directory.      */

struct pki {
  gnutls_x509_privkey_t root_key, inter_key, leaf_key, self_key, other_key;
  gnutls_x509_privkey_t client_key, client_other_key;
  gnutls_x509_crt_t root, inter, leaf, expired, notyet, self, other, client;
  gnutls_x509_crt_t unknown_client, wildcard, no_san;
  gnutls_datum_t ticket_key;
};
static struct pki g;

static gnutls_x509_privkey_t make_key(void) {
  gnutls_x509_privkey_t k = NULL;
  if (gnutls_x509_privkey_init(&k) < 0)
    return NULL;
  if (gnutls_x509_privkey_generate(
          k, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1),
          0) < 0) {
    gnutls_x509_privkey_deinit(k);
    return NULL;
  }
  return k;
}

enum cert_role { ROLE_CA, ROLE_SERVER, ROLE_CLIENT };

/* One subject alternative name: "DNS:name" or "IP:address". */
static int add_san(gnutls_x509_crt_t x, const char *san) {
  if (strncmp(san, "DNS:", 4) == 0)
    return gnutls_x509_crt_set_subject_alt_name(x, GNUTLS_SAN_DNSNAME, san + 4,
                                                (unsigned)strlen(san + 4),
                                                GNUTLS_FSAN_APPEND) >= 0;
  unsigned char addr[16];
  size_t alen = hr_ip_literal(san + 3, addr);
  return strncmp(san, "IP:", 3) == 0 && alen &&
         gnutls_x509_crt_set_subject_alt_name(x, GNUTLS_SAN_IPADDRESS, addr,
                                              (unsigned)alen,
                                              GNUTLS_FSAN_APPEND) >= 0;
}

static int set_key_ids(gnutls_x509_crt_t x, gnutls_x509_crt_t issuer) {
  unsigned char id[64];
  size_t len = sizeof(id);
  unsigned critical = 0;
  if (gnutls_x509_crt_get_key_id(x, 0, id, &len) < 0 ||
      gnutls_x509_crt_set_subject_key_id(x, id, len) < 0)
    return 0;
  if (!issuer)
    return 1;
  len = sizeof(id);
  return gnutls_x509_crt_get_subject_key_id(issuer, id, &len, &critical) >= 0 &&
         gnutls_x509_crt_set_authority_key_id(x, id, len) >= 0;
}

/* A certificate for key, issued by issuer (NULL: self-signed), valid from
 * now + from_s to now + to_s; sans is a NULL-terminated list or NULL. */
static gnutls_x509_crt_t make_cert(gnutls_x509_privkey_t key, const char *cn,
                                   enum cert_role role, const char *const *sans,
                                   gnutls_x509_crt_t issuer,
                                   gnutls_x509_privkey_t issuer_key,
                                   long from_s, long to_s) {
  static unsigned serial = 1000;
  unsigned char sn[4] = {0x01, (unsigned char)(serial >> 16),
                         (unsigned char)(serial >> 8), (unsigned char)serial};
  time_t now = time(NULL);
  gnutls_x509_crt_t x = NULL;
  serial++;
  if (gnutls_x509_crt_init(&x) < 0)
    return NULL;
  int ok =
      gnutls_x509_crt_set_version(x, 3) >= 0 &&
      gnutls_x509_crt_set_serial(x, sn, sizeof(sn)) >= 0 &&
      gnutls_x509_crt_set_activation_time(x, now + from_s) >= 0 &&
      gnutls_x509_crt_set_expiration_time(x, now + to_s) >= 0 &&
      gnutls_x509_crt_set_key(x, key) >= 0 &&
      gnutls_x509_crt_set_dn_by_oid(x, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
                                    (unsigned)strlen(cn)) >= 0 &&
      gnutls_x509_crt_set_basic_constraints(x, role == ROLE_CA, -1) >= 0 &&
      gnutls_x509_crt_set_key_usage(
          x, role == ROLE_CA ? GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN
                             : GNUTLS_KEY_DIGITAL_SIGNATURE) >= 0 &&
      set_key_ids(x, issuer) &&
      (role == ROLE_CA || gnutls_x509_crt_set_key_purpose_oid(
                              x,
                              role == ROLE_CLIENT ? GNUTLS_KP_TLS_WWW_CLIENT
                                                  : GNUTLS_KP_TLS_WWW_SERVER,
                              0) >= 0);
  for (size_t i = 0; ok && sans && sans[i]; i++)
    ok = add_san(x, sans[i]);
  if (ok)
    ok = gnutls_x509_crt_sign2(x, issuer ? issuer : x,
                               issuer_key ? issuer_key : key, GNUTLS_DIG_SHA256,
                               0) >= 0;
  if (ok)
    return x;
  gnutls_x509_crt_deinit(x);
  return NULL;
}

/* Appends a datum to a file and frees it. */
static int append_datum(const char *name, gnutls_datum_t *d, int ret) {
  int ok = ret >= 0 && write_data(name, d->data, d->size, "a");
  gnutls_free(d->data);
  d->data = NULL;
  return ok;
}

static int append_cert(const char *name, gnutls_x509_crt_t x) {
  gnutls_datum_t d = {NULL, 0};
  return append_datum(name, &d,
                      gnutls_x509_crt_export2(x, GNUTLS_X509_FMT_PEM, &d));
}

/* ---- encrypted keys and PKCS#12, as OpenSSL 3 writes them by default ---- */
/* GnuTLS 3.7 writes its own with 600000 KDF iterations, which takes
 * minutes under valgrind: the test builds them itself, with OpenSSL's
 * 2048, in DER put together bottom-up. */

#define KDF_ITERATIONS 2048

struct blob {
  unsigned char *p;
  size_t n;
};

static struct blob raw(const void *p, size_t n) {
  struct blob b = {malloc(n ? n : 1), n};
  if (!b.p)
    abort();
  memcpy(b.p, p, n);
  return b;
}

/* An element with this tag around the count blobs that follow, which it
 * frees. */
static struct blob tlv(unsigned char tag, int count, ...) {
  va_list ap;
  size_t len = 0, h = 1;
  va_start(ap, count);
  for (int i = 0; i < count; i++)
    len += va_arg(ap, struct blob).n;
  va_end(ap);
  if (len > 0xffff)
    abort();
  unsigned char head[4] = {tag};
  if (len >= 0x100) {
    head[h++] = 0x82;
    head[h++] = (unsigned char)(len >> 8);
  } else if (len >= 0x80) {
    head[h++] = 0x81;
  }
  head[h++] = (unsigned char)len;
  struct blob out = {malloc(h + len), h + len};
  if (!out.p)
    abort();
  memcpy(out.p, head, h);
  va_start(ap, count);
  for (int i = 0; i < count; i++) {
    struct blob b = va_arg(ap, struct blob);
    memcpy(out.p + h, b.p, b.n);
    h += b.n;
    free(b.p);
  }
  va_end(ap);
  return out;
}

static struct blob octets(const void *p, size_t n) {
  return tlv(0x04, 1, raw(p, n));
}

static struct blob small_int(unsigned v) {
  unsigned char b[2] = {(unsigned char)(v >> 8), (unsigned char)v};
  return v < 0x80 ? tlv(0x02, 1, raw(b + 1, 1)) : tlv(0x02, 1, raw(b, 2));
}

#define OID(name, ...)                                                         \
  static const unsigned char name[] = {0x06, __VA_ARGS__};                     \
  static struct blob name##_der(void) { return raw(name, sizeof(name)); }
OID(oid_pbes2, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d)
OID(oid_pbkdf2, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0c)
OID(oid_hmac_sha256, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x09)
OID(oid_aes256cbc, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a)
OID(oid_sha256, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01)
OID(oid_data, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01)
OID(oid_encrypted_data, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07,
    0x06)
OID(oid_shrouded_key_bag, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c,
    0x0a, 0x01, 0x02)
OID(oid_cert_bag, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a,
    0x01, 0x03)
OID(oid_x509_cert, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x16,
    0x01)
OID(oid_local_key_id, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09,
    0x15)

static struct blob null_der(void) { return raw("\x05\x00", 2); }

/* AES-256-CBC with PKCS#7 padding. */
static int aes_cbc(const unsigned char key[32], const unsigned char iv[16],
                   const struct blob *plain, struct blob *out) {
  size_t pad = 16 - plain->n % 16;
  gnutls_cipher_hd_t h = NULL;
  gnutls_datum_t kd = {(unsigned char *)key, 32},
                 ivd = {(unsigned char *)iv, 16};
  out->n = plain->n + pad;
  if (!(out->p = malloc(out->n)))
    abort();
  memcpy(out->p, plain->p, plain->n);
  memset(out->p + plain->n, (int)pad, pad);
  int ok = gnutls_cipher_init(&h, GNUTLS_CIPHER_AES_256_CBC, &kd, &ivd) >= 0 &&
           gnutls_cipher_encrypt(h, out->p, out->n) >= 0;
  if (h)
    gnutls_cipher_deinit(h);
  return ok;
}

/* PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC): the algorithm identifier and
 * the ciphertext of plain. */
static int pbes2_encrypt(const struct blob *plain, struct blob *algid,
                         struct blob *cipher) {
  unsigned char salt[8], iv[16], key[32];
  gnutls_datum_t pw = {(unsigned char *)PASSWORD, strlen(PASSWORD)};
  gnutls_datum_t sd = {salt, sizeof(salt)};
  if (gnutls_rnd(GNUTLS_RND_NONCE, salt, sizeof(salt)) < 0 ||
      gnutls_rnd(GNUTLS_RND_NONCE, iv, sizeof(iv)) < 0 ||
      gnutls_pbkdf2(GNUTLS_MAC_SHA256, &pw, &sd, KDF_ITERATIONS, key,
                    sizeof(key)) < 0 ||
      !aes_cbc(key, iv, plain, cipher))
    return 0;
  *algid = tlv(0x30, 2, oid_pbes2_der(),
               tlv(0x30, 2,
                   tlv(0x30, 2, oid_pbkdf2_der(),
                       tlv(0x30, 3, octets(salt, sizeof(salt)),
                           small_int(KDF_ITERATIONS),
                           tlv(0x30, 2, oid_hmac_sha256_der(), null_der()))),
                   tlv(0x30, 2, oid_aes256cbc_der(), octets(iv, sizeof(iv)))));
  return 1;
}

/* EncryptedPrivateKeyInfo of the key, under PASSWORD. */
static int encrypted_pkcs8(gnutls_x509_privkey_t k, struct blob *out) {
  gnutls_datum_t d = {NULL, 0};
  struct blob algid, cipher;
  if (gnutls_x509_privkey_export2_pkcs8(k, GNUTLS_X509_FMT_DER, NULL,
                                        GNUTLS_PKCS_PLAIN, &d) < 0)
    return 0;
  struct blob plain = raw(d.data, d.size);
  gnutls_free(d.data);
  int ok = pbes2_encrypt(&plain, &algid, &cipher);
  free(plain.p);
  if (ok)
    *out = tlv(0x30, 2, algid, tlv(0x04, 1, cipher));
  return ok;
}

static int append_pem(const char *name, const char *label, struct blob der) {
  gnutls_datum_t d = {der.p, (unsigned)der.n}, pem = {NULL, 0};
  int ret = gnutls_pem_base64_encode2(label, &d, &pem);
  free(der.p);
  return append_datum(name, &pem, ret);
}

/* Unencrypted PKCS#8 ("PRIVATE KEY"), or encrypted under PASSWORD. */
static int append_key(const char *name, gnutls_x509_privkey_t k,
                      int encrypted) {
  gnutls_datum_t d = {NULL, 0};
  struct blob der;
  if (encrypted)
    return encrypted_pkcs8(k, &der) &&
           append_pem(name, "ENCRYPTED PRIVATE KEY", der);
  return append_datum(name, &d,
                      gnutls_x509_privkey_export2_pkcs8(
                          k, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &d));
}

/* OpenSSL's legacy encrypted PEM ("Proc-Type: 4,ENCRYPTED"), which GnuTLS
 * reads but does not write: the key's DER under AES-256-CBC with
 * EVP_BytesToKey(MD5, password, salt = the IV's first 8 bytes). */
static int append_legacy_encrypted_key(const char *name,
                                       gnutls_x509_privkey_t k) {
  gnutls_datum_t der = {NULL, 0}, pem = {NULL, 0};
  unsigned char iv[16], key[32], d[16];
  struct blob cipher = {NULL, 0};
  int ok = gnutls_rnd(GNUTLS_RND_NONCE, iv, sizeof(iv)) >= 0 &&
           gnutls_x509_privkey_export2(k, GNUTLS_X509_FMT_DER, &der) >= 0;
  for (size_t got = 0; ok && got < sizeof(key); got += sizeof(d)) {
    unsigned char in[16 + sizeof(PASSWORD) + 8];
    size_t n = 0;
    if (got) {
      memcpy(in, d, sizeof(d));
      n = sizeof(d);
    }
    memcpy(in + n, PASSWORD, strlen(PASSWORD));
    n += strlen(PASSWORD);
    memcpy(in + n, iv, 8);
    n += 8;
    ok = gnutls_hash_fast(GNUTLS_DIG_MD5, in, n, d) >= 0;
    memcpy(key + got, d, sizeof(d));
  }
  if (ok) {
    struct blob plain = {der.data, der.size};
    ok = aes_cbc(key, iv, &plain, &cipher);
  }
  gnutls_datum_t body = {cipher.p, (unsigned)cipher.n};
  ok = ok && gnutls_pem_base64_encode2("EC PRIVATE KEY", &body, &pem) >= 0;
  if (ok) {
    /* The headers go after the BEGIN line. */
    const char *nl = memchr(pem.data, '\n', pem.size);
    char headers[96] = "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,";
    for (int i = 0; i < 16; i++)
      snprintf(headers + strlen(headers), 3, "%02X", iv[i]);
    strcat(headers, "\n\n");
    size_t first = nl ? (size_t)(nl - (const char *)pem.data) + 1 : 0;
    ok = nl && write_data(name, pem.data, first, "w") &&
         write_data(name, headers, strlen(headers), "a") &&
         write_data(name, pem.data + first, pem.size - first, "a");
  }
  free(cipher.p);
  gnutls_free(der.data);
  gnutls_free(pem.data);
  return ok;
}

/* The PKCS#12 MAC key (RFC 7292 appendix B.2, SHA-256, one block): the
 * password as a BMPString with its two zero bytes. */
static int pkcs12_mac_key(const unsigned char salt[8], unsigned char key[32]) {
  unsigned char bmp[2 * sizeof(PASSWORD)], in[64 * 3], next[32];
  size_t plen = 0;
  for (const char *c = PASSWORD; *c; c++) {
    bmp[plen++] = 0;
    bmp[plen++] = (unsigned char)*c;
  }
  bmp[plen++] = 0;
  bmp[plen++] = 0;
  memset(in, 3, 64); /* ID 3: the MAC key */
  for (size_t i = 0; i < 64; i++) {
    in[64 + i] = salt[i % 8];
    in[128 + i] = bmp[i % plen];
  }
  if (gnutls_hash_fast(GNUTLS_DIG_SHA256, in, sizeof(in), key) < 0)
    return 0;
  for (int i = 1; i < KDF_ITERATIONS; i++) {
    if (gnutls_hash_fast(GNUTLS_DIG_SHA256, key, 32, next) < 0)
      return 0;
    memcpy(key, next, 32);
  }
  return 1;
}

static struct blob key_id_attribute(const unsigned char *id, size_t len) {
  return tlv(
      0x31, 1,
      tlv(0x30, 2, oid_local_key_id_der(), tlv(0x31, 1, octets(id, len))));
}

static struct blob cert_bag_value(gnutls_x509_crt_t x) {
  gnutls_datum_t d = {NULL, 0};
  if (gnutls_x509_crt_export2(x, GNUTLS_X509_FMT_DER, &d) < 0)
    abort();
  struct blob der = octets(d.data, d.size);
  gnutls_free(d.data);
  return tlv(0xa0, 1, tlv(0x30, 2, oid_x509_cert_der(), tlv(0xa0, 1, der)));
}

/* The certificates' SafeContents, encrypted, as an EncryptedData. */
static int encrypted_certs(const unsigned char *id, size_t id_len,
                           struct blob *out) {
  struct blob certs =
      tlv(0x30, 2,
          tlv(0x30, 3, oid_cert_bag_der(), cert_bag_value(g.client),
              key_id_attribute(id, id_len)),
          tlv(0x30, 2, oid_cert_bag_der(), cert_bag_value(g.root)));
  struct blob algid, cipher;
  int ok = pbes2_encrypt(&certs, &algid, &cipher);
  free(certs.p);
  if (ok)
    *out = tlv(
        0x30, 2, oid_encrypted_data_der(),
        tlv(0xa0, 1,
            tlv(0x30, 2, small_int(0),
                tlv(0x30, 3, oid_data_der(), algid, tlv(0x80, 1, cipher)))));
  return ok;
}

/* PKCS#12 as OpenSSL 3 makes it by default: the certificates (the client's
 * and the root) in PBES2/AES-256 encrypted data, the key in a shrouded key
 * bag, a SHA-256 MAC (or none, as with -nomac). */
static int write_pkcs12(const char *name, int with_mac) {
  unsigned char id[64], salt[8], key[32], mac[32];
  size_t id_len = sizeof(id);
  struct blob certs, shrouded;
  if (gnutls_x509_crt_get_key_id(g.client, 0, id, &id_len) < 0 ||
      !encrypted_certs(id, id_len, &certs))
    return 0;
  if (!encrypted_pkcs8(g.client_key, &shrouded)) {
    free(certs.p);
    return 0;
  }
  struct blob keys =
      tlv(0x30, 1,
          tlv(0x30, 3, oid_shrouded_key_bag_der(), tlv(0xa0, 1, shrouded),
              key_id_attribute(id, id_len)));
  struct blob auth_safe =
      tlv(0x30, 2, certs,
          tlv(0x30, 2, oid_data_der(), tlv(0xa0, 1, tlv(0x04, 1, keys))));
  int ok = gnutls_rnd(GNUTLS_RND_NONCE, salt, sizeof(salt)) >= 0 &&
           pkcs12_mac_key(salt, key) &&
           gnutls_hmac_fast(GNUTLS_MAC_SHA256, key, sizeof(key), auth_safe.p,
                            auth_safe.n, mac) >= 0;
  struct blob content =
      tlv(0x30, 2, oid_data_der(), tlv(0xa0, 1, tlv(0x04, 1, auth_safe)));
  struct blob pfx;
  if (with_mac)
    pfx = tlv(0x30, 3, small_int(3), content,
              tlv(0x30, 3,
                  tlv(0x30, 2, tlv(0x30, 2, oid_sha256_der(), null_der()),
                      octets(mac, sizeof(mac))),
                  octets(salt, sizeof(salt)), small_int(KDF_ITERATIONS)));
  else
    pfx = tlv(0x30, 2, small_int(3), content);
  ok = ok && write_data(name, pfx.p, pfx.n, "wb");
  free(pfx.p);
  return ok;
}

static int make_keys(void) {
  gnutls_x509_privkey_t *keys[] = {
      &g.root_key,  &g.inter_key,  &g.leaf_key,        &g.self_key,
      &g.other_key, &g.client_key, &g.client_other_key};
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
    if (!(*keys[i] = make_key()))
      return 0;
  }
  return 1;
}

static int make_certs(void) {
  const long day = 86400;
  static const char *const san[] = {"DNS:localhost", "IP:127.0.0.1", "IP:::1",
                                    NULL};
  static const char *const wild[] = {"DNS:*.example.com", NULL};
  g.root = make_cert(g.root_key, "httpr memory root", ROLE_CA, NULL, NULL, NULL,
                     -day, 30 * day);
  g.inter = make_cert(g.inter_key, "httpr memory intermediate", ROLE_CA, NULL,
                      g.root, g.root_key, -day, 30 * day);
  g.leaf = make_cert(g.leaf_key, "localhost", ROLE_SERVER, san, g.inter,
                     g.inter_key, -day, 30 * day);
  g.expired = make_cert(g.leaf_key, "localhost", ROLE_SERVER, san, g.inter,
                        g.inter_key, -30 * day, -day);
  g.notyet = make_cert(g.leaf_key, "localhost", ROLE_SERVER, san, g.inter,
                       g.inter_key, day, 30 * day);
  g.self = make_cert(g.self_key, "localhost", ROLE_SERVER, san, NULL, NULL,
                     -day, 30 * day);
  g.other = make_cert(g.other_key, "httpr other root", ROLE_CA, NULL, NULL,
                      NULL, -day, 30 * day);
  g.client = make_cert(g.client_key, "httpr memory client", ROLE_CLIENT, NULL,
                       g.root, g.root_key, -day, 30 * day);
  g.unknown_client =
      make_cert(g.client_key, "httpr unknown client", ROLE_CLIENT, NULL,
                g.other, g.other_key, -day, 30 * day);
  g.wildcard = make_cert(g.leaf_key, "wildcard", ROLE_SERVER, wild, g.inter,
                         g.inter_key, -day, 30 * day);
  /* The name only in the CN, which no provider may look at. */
  g.no_san = make_cert(g.leaf_key, "localhost", ROLE_SERVER, NULL, g.inter,
                       g.inter_key, -day, 30 * day);
  return g.root && g.inter && g.leaf && g.expired && g.notyet && g.self &&
         g.other && g.client && g.unknown_client && g.wildcard && g.no_san;
}

static int write_files(void) {
  return append_cert("root.pem", g.root) && append_cert("inter.pem", g.inter) &&
         append_cert("self.pem", g.self) && append_cert("other.pem", g.other) &&
         append_cert("client.pem", g.client) &&
         append_key("client.pem", g.client_key, 0) &&
         append_cert("client.crt", g.client) &&
         append_key("client.key", g.client_key, 0) &&
         append_key("client-other.key", g.client_other_key, 0) &&
         append_key("client-pkcs8-enc.key", g.client_key, 1) &&
         append_legacy_encrypted_key("client-legacy-enc.key", g.client_key) &&
         append_cert("client-enc.pem", g.client) &&
         append_key("client-enc.pem", g.client_key, 1) &&
         append_cert("unknown-client.pem", g.unknown_client) &&
         append_key("unknown-client.pem", g.client_key, 0) &&
         append_cert("cadir/my-root.pem", g.root) &&
         write_text("cadir/README.txt", "not a certificate\n") &&
         write_text("garbage.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n"
                                   "-----END CERTIFICATE-----\n") &&
         write_text("garbage-then-root.pem",
                    "-----BEGIN CERTIFICATE-----\nAAAA\n"
                    "-----END CERTIFICATE-----\n") &&
         append_cert("garbage-then-root.pem", g.root) &&
         write_text("not-pem.txt", "no PEM block here\n") &&
         write_pkcs12("client.p12", 1) && write_pkcs12("client-nomac.p12", 0);
}

static int group_setup(void **state) {
  (void)state;
  httpr_error err = {0};
  if (!pki_dir_create("httpr-gnutls") || mkdir(path_of("cadir"), 0700) ||
      mkdir(path_of("emptydir"), 0700))
    return -1;
  /* GnuTLS's own key log writer reads this variable: no test may ever
   * cause a line in it (checked by the last test). */
  setenv("SSLKEYLOGFILE", path_of("env-keys.log"), 1);
  if (P->global_init(&err) != HTTPR_OK)
    return -1;
  if (!make_keys() || !make_certs() || !write_files() ||
      gnutls_session_ticket_key_generate(&g.ticket_key) < 0) {
    fprintf(stderr, "the test PKI cannot be made\n");
    return -1;
  }
  return 0;
}

static int group_teardown(void **state) {
  (void)state;
  gnutls_x509_privkey_t keys[] = {g.root_key,        g.inter_key, g.leaf_key,
                                  g.self_key,        g.other_key, g.client_key,
                                  g.client_other_key};
  gnutls_x509_crt_t certs[] = {g.root,           g.inter,    g.leaf,  g.expired,
                               g.notyet,         g.self,     g.other, g.client,
                               g.unknown_client, g.wildcard, g.no_san};
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
    gnutls_x509_privkey_deinit(keys[i]);
  for (size_t i = 0; i < sizeof(certs) / sizeof(certs[0]); i++)
    gnutls_x509_crt_deinit(certs[i]);
  gnutls_free(g.ticket_key.data);
  P->global_cleanup();
  unsetenv("SSLKEYLOGFILE");
  return pki_dir_remove();
}

/* ------------------------------------------------------------------------ */
/* The server: a GnuTLS session over the link's queues.                    */

/* The server's side of the queues. */
static ssize_t server_push(gnutls_transport_ptr_t ptr, const void *buf,
                           size_t len) {
  struct link *l = ptr;
  if (!queue_put(&l->s2c, buf, len)) {
    gnutls_transport_set_errno(l->server, ENOMEM);
    return -1;
  }
  return (ssize_t)len;
}

static ssize_t server_pull(gnutls_transport_ptr_t ptr, void *buf, size_t len) {
  struct link *l = ptr;
  if (l->c2s.len == 0) {
    gnutls_transport_set_errno(l->server, EAGAIN);
    return -1;
  }
  return (ssize_t)queue_take(&l->c2s, buf, len);
}

static int server_pull_timeout(gnutls_transport_ptr_t ptr, unsigned ms) {
  struct link *l = ptr;
  (void)ms;
  return l->c2s.len > 0;
}

/* The test server never writes a key log of its own either. */
static int no_keylog(gnutls_session_t s, const char *label,
                     const gnutls_datum_t *secret) {
  (void)s;
  (void)label;
  (void)secret;
  return 0;
}

struct server_opts {
  gnutls_x509_crt_t cert;
  gnutls_x509_privkey_t key;
  gnutls_x509_crt_t chain[2]; /* sent after the leaf, NULL-ended */
  int min, max;               /* 12 or 13; 0: both */
  int require_client_cert;
  int no_alpn;
  int no_tickets; /* resumes nothing: no tickets and no session cache */
};

struct server {
  gnutls_certificate_credentials_t creds;
  struct server_opts o;
};

static struct server *server_new(const struct server_opts *o) {
  struct server *s = calloc(1, sizeof(*s));
  gnutls_x509_crt_t list[3] = {o->cert, o->chain[0], o->chain[1]};
  unsigned n = 1 + (o->chain[0] != NULL) + (o->chain[1] != NULL);
  assert_non_null(s);
  s->o = *o;
  assert_int_equal(gnutls_certificate_allocate_credentials(&s->creds), 0);
  assert_int_equal(gnutls_certificate_set_x509_key(s->creds, list, n, o->key),
                   0);
  if (o->require_client_cert)
    assert_int_equal(gnutls_certificate_set_x509_trust(s->creds, &g.root, 1),
                     1);
  return s;
}

static void server_free(struct server *s) {
  gnutls_certificate_free_credentials(s->creds);
  free(s);
}

static struct server *good_server(void) {
  struct server_opts o = {
      .cert = g.leaf, .key = g.leaf_key, .chain = {g.inter, NULL}};
  return server_new(&o);
}

/* A server session over l's queues; the session points back at s. */
static int server_open(struct link *l, void *server) {
  const struct server *s = server;
  const struct server_opts *o = &s->o;
  gnutls_session_t session = NULL;
  char prio[96];
  snprintf(prio, sizeof(prio), "NORMAL:-VERS-ALL%s%s",
           o->max == 12 ? "" : ":+VERS-TLS1.3",
           o->min == 13 ? "" : ":+VERS-TLS1.2");
  gnutls_datum_t proto = {(unsigned char *)"http/1.1", 8};
  if (gnutls_init(&session, GNUTLS_SERVER | GNUTLS_NONBLOCK) != 0)
    return 0;
  l->server = session;
  if (gnutls_priority_set_direct(session, prio, NULL) != 0 ||
      gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, s->creds) != 0)
    return 0;
  gnutls_session_set_ptr(session, server);
  gnutls_transport_set_ptr(session, l);
  gnutls_transport_set_push_function(session, server_push);
  gnutls_transport_set_pull_function(session, server_pull);
  gnutls_transport_set_pull_timeout_function(session, server_pull_timeout);
  gnutls_session_set_keylog_function(session, no_keylog);
  if ((!o->no_tickets &&
       gnutls_session_ticket_enable_server(session, &g.ticket_key) != 0) ||
      (!o->no_alpn && gnutls_alpn_set_protocols(session, &proto, 1, 0) != 0))
    return 0;
  if (o->require_client_cert) {
    gnutls_certificate_server_set_request(session, GNUTLS_CERT_REQUIRE);
    /* A client certificate the server does not trust ends the handshake. */
    gnutls_session_set_verify_cert(session, NULL, 0);
  }
  return 1;
}

static void server_close(struct link *l) {
  if (l->server)
    gnutls_deinit(l->server);
}

/* What OpenSSL's server sends when no certificate comes. */
static int require_alert(const struct link *l) {
  const struct server *s = gnutls_session_get_ptr(l->server);
  if (!s->o.require_client_cert)
    return 0;
  return s->o.max == 12 ? GNUTLS_A_HANDSHAKE_FAILURE
                        : GNUTLS_A_CERTIFICATE_REQUIRED;
}

static void server_step(struct link *l) {
  if (l->server_state != 0)
    return;
  int r = gnutls_handshake(l->server);
  if (r == 0) {
    l->server_state = 1;
  } else if (gnutls_error_is_fatal(r)) {
    l->server_state = -1;
    l->server_error = r;
    /* A GnuTLS server leaves the alert to its caller. */
    if (r == GNUTLS_E_NO_CERTIFICATE_FOUND ||
        r == GNUTLS_E_CERTIFICATE_REQUIRED)
      gnutls_alert_send(l->server, GNUTLS_AL_FATAL,
                        (gnutls_alert_description_t)require_alert(l));
    else if (r != GNUTLS_E_FATAL_ALERT_RECEIVED)
      gnutls_alert_send_appropriate(l->server, r);
  }
}

static long server_read(struct link *l, void *buf, size_t len) {
  ssize_t n = gnutls_record_recv(l->server, buf, len);
  return n > 0 ? (long)n : n == GNUTLS_E_AGAIN ? 0 : -1;
}

static void server_write(struct link *l, const void *buf, size_t len) {
  const unsigned char *p = buf;
  while (len > 0) {
    ssize_t n = gnutls_record_send(l->server, p, len);
    assert_true(n > 0);
    p += n;
    len -= (size_t)n;
  }
}

/* The client's alert ended the server's handshake. */
static void expect_alert(const struct link *l, int alert) {
  assert_int_equal(l->server_error, GNUTLS_E_FATAL_ALERT_RECEIVED);
  assert_int_equal(gnutls_alert_get(l->server), alert);
}

static int server_resumed(const struct link *l) {
  return gnutls_session_is_resumed(l->server) != 0;
}

static void *server_new_any(const void *opts) { return server_new(opts); }
static void *usual_server(void) { return good_server(); }
static void server_free_any(void *server) { server_free(server); }

static const struct memory_test gnutls_memory = {
    .provider = &hr_provider_gnutls,
    .server_new = server_new_any,
    .good_server = usual_server,
    .server_free = server_free_any,
    .server_open = server_open,
    .server_close = server_close,
    .server_step = server_step,
    .server_read = server_read,
    .server_write = server_write,
    .expect_alert = expect_alert,
    .server_resumed = server_resumed,
};

/* ------------------------------------------------------------------------ */
/* The provider's identity.                                                 */

static void provider_identity(void **state) {
  (void)state;
  char version[64];
  assert_string_equal(P->name, "gnutls");
  assert_int_equal(P->features,
                   HTTPR_FEATURE_TLS13 | HTTPR_FEATURE_TLS12 |
                       HTTPR_FEATURE_CA_DIR | HTTPR_FEATURE_PKCS12 |
                       HTTPR_FEATURE_ENCRYPTED_KEY | HTTPR_FEATURE_KEYLOG |
                       HTTPR_FEATURE_ALPN | HTTPR_FEATURE_SYSTEM_STORE |
                       HTTPR_FEATURE_SESSION_RESUME |
                       HTTPR_FEATURE_PEER_CRITICAL_NC);
  snprintf(version, sizeof(version), "GnuTLS %s", gnutls_check_version(NULL));
  assert_string_equal(P->library_version(), version);
  /* Init and cleanup are balanced inside GnuTLS's own count: ours leave
   * the library as they found it. */
  httpr_error err = {0};
  assert_int_equal(P->global_init(&err), HTTPR_OK);
  P->global_cleanup();
  unsigned char md[32];
  assert_int_equal(gnutls_hash_fast(GNUTLS_DIG_SHA256, "abc", 3, md), 0);
  assert_int_equal(md[0], 0xba);
}

/* ------------------------------------------------------------------------ */
/* The non-blocking contract and a full handshake.                          */

static void want_write_then_want_read_then_done(void **state) {
  (void)state;
  struct hr_tls_settings cs = client_settings("root.pem");
  struct session s;
  httpr_error err = {0};
  session_begin(&s, &cs, NULL, "localhost");
  expect_hello_then_wait(&s.l, &err);
  expect_handshake_ok(&s.l);
  /* Once done, done again. */
  assert_int_equal(P->handshake(s.l.conn, &err), HR_TLS_DONE);
  assert_int_equal(err.code, HTTPR_OK);

  struct hr_tls_info info;
  memset(&info, 0x55, sizeof(info));
  P->info(s.l.conn, &info);
  assert_string_equal(info.version, "TLSv1.3");
  assert_string_equal(info.cipher, gnutls_ciphersuite_get(s.l.server));
  assert_memory_equal(info.cipher, "TLS_", 4);
  assert_string_equal(info.alpn, "http/1.1");
  assert_string_equal(info.subject, "CN=localhost");
  assert_string_equal(info.issuer, "CN=httpr memory intermediate");
  assert_int_equal(info.resumed, 0);
  /* SNI carried the name. */
  char sni[64];
  size_t sni_len = sizeof(sni);
  unsigned type = 0;
  assert_int_equal(gnutls_server_name_get(s.l.server, sni, &sni_len, &type, 0),
                   0);
  assert_int_equal(type, GNUTLS_NAME_DNS);
  assert_string_equal(sni, "localhost");
  close_session(&s);
}

static void byte_at_a_time(void **state) {
  (void)state;
  expect_byte_at_a_time();
}

/* ------------------------------------------------------------------------ */
/* Application data, close_notify, EOF and broken transports.               */

static void application_data_both_ways(void **state) {
  (void)state;
  struct session s;
  open_session(&s, 0);
  httpr_error err = {0};
  size_t got = 7;
  unsigned char byte;
  /* Only session tickets are queued: they are taken, and the read wants
   * more instead of reporting zero bytes. */
  assert_true(s.l.s2c.len > 0);
  assert_int_equal(P->read(s.l.conn, &byte, 1, &got, &err), HR_TLS_WANT_READ);
  assert_int_equal(got, 0);
  assert_int_equal(s.l.s2c.len, 0);

  static const char request[] = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
  size_t put = 0;
  assert_int_equal(P->write(s.l.conn, request, strlen(request), &put, &err),
                   HR_TLS_DONE);
  assert_int_equal(put, strlen(request));
  char seen[64] = {0};
  server_read_exact(&s.l, (unsigned char *)seen, strlen(request));
  assert_string_equal(seen, request);

  /* 100 KB: several records, read in pieces of at most 1000 bytes. */
  size_t n = 100 * 1024;
  unsigned char *out = malloc(n), *in = calloc(1, n);
  assert_non_null(out);
  assert_non_null(in);
  for (size_t i = 0; i < n; i++)
    out[i] = (unsigned char)(i % 251);
  server_write(&s.l, out, n);
  size_t total = 0;
  for (int i = 0; i < 1000 && total < n; i++) {
    size_t cap = n - total < 1000 ? n - total : 1000;
    assert_int_equal(P->read(s.l.conn, in + total, cap, &got, &err),
                     HR_TLS_DONE);
    assert_true(got > 0 && got <= cap);
    total += got;
  }
  assert_int_equal(total, n);
  assert_memory_equal(in, out, n);
  assert_int_equal(P->read(s.l.conn, in, n, &got, &err), HR_TLS_WANT_READ);
  /* A large write goes out record by record, all of it in the end. */
  client_write_all(&s.l, out, n, ROUNDS);
  memset(in, 0, n);
  server_read_exact(&s.l, in, n);
  assert_memory_equal(in, out, n);
  /* Zero-length calls move nothing. */
  assert_int_equal(P->read(s.l.conn, in, 0, &got, &err), HR_TLS_DONE);
  assert_int_equal(got, 0);
  assert_int_equal(P->write(s.l.conn, out, 0, &put, &err), HR_TLS_DONE);
  assert_int_equal(put, 0);
  assert_int_equal(err.code, HTTPR_OK);
  free(out);
  free(in);
  close_session(&s);
}

static void write_wants_write_then_completes(void **state) {
  (void)state;
  struct session s;
  open_session(&s, 0);
  httpr_error err = {0};
  static const char msg[] = "hello over a full socket";
  size_t put = 99;
  s.l.send_blocked = 1;
  assert_int_equal(P->write(s.l.conn, msg, strlen(msg), &put, &err),
                   HR_TLS_WANT_WRITE);
  assert_int_equal(put, 0);
  assert_int_equal(P->write(s.l.conn, msg, strlen(msg), &put, &err),
                   HR_TLS_WANT_WRITE);
  s.l.send_blocked = 0;
  /* The same call again, as the contract asks: done, every byte once. */
  assert_int_equal(P->write(s.l.conn, msg, strlen(msg), &put, &err),
                   HR_TLS_DONE);
  assert_int_equal(put, strlen(msg));
  char seen[64] = {0};
  server_read_exact(&s.l, (unsigned char *)seen, strlen(msg));
  assert_string_equal(seen, msg);
  assert_int_equal(s.l.c2s.len, 0);
  /* A record half sent when the socket filled up is finished later. */
  s.l.trickle = 1;
  client_write_all(&s.l, (const unsigned char *)msg, strlen(msg), ROUNDS * 10);
  memset(seen, 0, sizeof(seen));
  server_read_exact(&s.l, (unsigned char *)seen, strlen(msg));
  assert_string_equal(seen, msg);
  close_session(&s);
}

static void close_notify_is_closed(void **state) {
  (void)state;
  struct session s;
  open_session(&s, 0);
  httpr_error err = {0};
  unsigned char buf[16];
  size_t got = 0;
  server_write(&s.l, "bye", 3);
  assert_int_equal(gnutls_bye(s.l.server, GNUTLS_SHUT_WR), 0);
  assert_int_equal(P->read(s.l.conn, buf, sizeof(buf), &got, &err),
                   HR_TLS_DONE);
  assert_int_equal(got, 3);
  assert_memory_equal(buf, "bye", 3);
  assert_int_equal(P->read(s.l.conn, buf, sizeof(buf), &got, &err),
                   HR_TLS_CLOSED);
  assert_int_equal(got, 0);
  assert_int_equal(err.code, HTTPR_OK);
  /* Our close_notify answers it. */
  assert_int_equal(P->shutdown(s.l.conn, &err), HR_TLS_DONE);
  assert_int_equal(gnutls_record_recv(s.l.server, buf, sizeof(buf)), 0);
  close_session(&s);
}

static void client_shutdown_sends_close_notify(void **state) {
  (void)state;
  struct session s;
  open_session(&s, 12);
  httpr_error err = {0};
  unsigned char buf[16];
  s.l.send_blocked = 1;
  assert_int_equal(P->shutdown(s.l.conn, &err), HR_TLS_WANT_WRITE);
  s.l.send_blocked = 0;
  assert_int_equal(P->shutdown(s.l.conn, &err), HR_TLS_DONE);
  assert_int_equal(gnutls_record_recv(s.l.server, buf, sizeof(buf)), 0);
  close_session(&s);
}

static void eof_without_close_notify(void **state) {
  (void)state;
  struct session s;
  open_session(&s, 0);
  httpr_error err = {0};
  unsigned char buf[16];
  size_t got = 9;
  s.l.s2c_eof = 1;
  assert_int_equal(P->read(s.l.conn, buf, sizeof(buf), &got, &err),
                   HR_TLS_ERROR);
  assert_int_equal(got, 0);
  assert_int_equal(err.code, HTTPR_E_RECV);
  assert_string_equal(err.message,
                      "connection closed without TLS close_notify");
  assert_non_null(strstr(err.detail, "GNUTLS_E_PREMATURE_TERMINATION"));
  /* After a fatal error there is nothing to close. */
  size_t before = s.l.c2s.len;
  assert_int_equal(P->shutdown(s.l.conn, &err), HR_TLS_DONE);
  assert_int_equal(s.l.c2s.len, before);
  close_session(&s);
}

static void transport_errors(void **state) {
  (void)state;
  struct session s;
  open_session(&s, 0);
  httpr_error err = {0};
  unsigned char buf[16];
  size_t n = 0;
  s.l.send_errno = EPIPE;
  assert_int_equal(P->write(s.l.conn, "x", 1, &n, &err), HR_TLS_ERROR);
  assert_int_equal(err.code, HTTPR_E_SEND);
  assert_string_equal(err.message, "connection broke while sending: Broken "
                                   "pipe");
  assert_string_equal(err.detail, "errno 32");
  close_session(&s);

  open_session(&s, 0);
  memset(&err, 0, sizeof(err));
  s.l.recv_errno = ECONNRESET;
  assert_int_equal(P->read(s.l.conn, buf, sizeof(buf), &n, &err), HR_TLS_ERROR);
  assert_int_equal(err.code, HTTPR_E_RECV);
  assert_string_equal(err.message, "connection broke while receiving: "
                                   "Connection reset by peer");
  assert_string_equal(err.detail, "errno 104");
  close_session(&s);

  /* And during the handshake. */
  struct hr_tls_settings cs = client_settings("root.pem");
  memset(&err, 0, sizeof(err));
  session_begin(&s, &cs, NULL, "localhost");
  s.l.send_errno = ECONNREFUSED;
  assert_int_equal(P->handshake(s.l.conn, &err), HR_TLS_ERROR);
  assert_int_equal(err.code, HTTPR_E_SEND);
  assert_string_equal(err.message, "connection broke while sending: "
                                   "Connection refused");
  close_session(&s);
}

static void handshake_ended_by_server(void **state) {
  (void)state;
  struct hr_tls_settings cs = client_settings("root.pem");
  struct session s;
  httpr_error err = {0};
  session_begin(&s, &cs, NULL, "localhost");
  s.l.s2c_eof = 1; /* the server closes without a word */
  assert_int_equal(P->handshake(s.l.conn, &err), HR_TLS_ERROR);
  assert_int_equal(err.code, HTTPR_E_TLS_HANDSHAKE);
  assert_string_equal(err.message,
                      "TLS handshake failed: the server closed the connection");
  assert_non_null(strstr(err.detail, "gnutls: GNUTLS_E_"));
  close_session(&s);
}

/* ------------------------------------------------------------------------ */
/* Verification.                                                            */

static const char untrusted_detail[] =
    "gnutls: The certificate is NOT trusted. The certificate issuer is "
    "unknown. (status 0x42)";
static const char hint_issuer[] =
    "the CA bundle lacks the issuer: give it with --cacert or SSL_CERT_FILE";
static const char hostname_detail[] =
    "gnutls: The certificate is NOT trusted. The name in the certificate "
    "does not match the expected. (status 0x4002)";

static void self_signed_trusted_directly(void **state) {
  (void)state;
  struct server_opts so = {.cert = g.self, .key = g.self_key};
  good_chain("self.pem", &so, "localhost", 1, 1);
}

static void self_signed_wrong_anchor(void **state) {
  (void)state;
  struct server_opts so = {.cert = g.self, .key = g.self_key};
  bad_chain("other.pem", &so, "localhost", HTTPR_E_CERT_UNTRUSTED,
            "certificate verify failed: self-signed certificate",
            untrusted_detail,
            "the server's certificate is self-signed: trust it with "
            "--cacert, or use -k for testing only",
            GNUTLS_A_UNKNOWN_CA);
}

static void chain_wrong_anchor(void **state) {
  (void)state;
  struct server_opts so = {
      .cert = g.leaf, .key = g.leaf_key, .chain = {g.inter, NULL}};
  bad_chain("other.pem", &so, "localhost", HTTPR_E_CERT_UNTRUSTED,
            "certificate verify failed: unable to get local issuer "
            "certificate",
            untrusted_detail, hint_issuer, GNUTLS_A_UNKNOWN_CA);
}

static void root_sent_but_not_trusted(void **state) {
  (void)state;
  /* The server sends its whole chain up to the root we do not trust. */
  struct server_opts so = {
      .cert = g.leaf, .key = g.leaf_key, .chain = {g.inter, g.root}};
  bad_chain("other.pem", &so, "localhost", HTTPR_E_CERT_UNTRUSTED,
            "certificate verify failed: self-signed certificate in "
            "certificate chain",
            untrusted_detail, hint_issuer, GNUTLS_A_UNKNOWN_CA);
}

/* A root that is not the leaf's issuer after the leaf does not make a
 * chain: OpenSSL says the issuer is missing, and so do we. */
static void unrelated_root_after_the_leaf(void **state) {
  (void)state;
  struct server_opts so = {
      .cert = g.leaf, .key = g.leaf_key, .chain = {g.other, NULL}};
  bad_chain("other.pem", &so, "localhost", HTTPR_E_CERT_UNTRUSTED,
            "certificate verify failed: unable to get local issuer "
            "certificate",
            untrusted_detail, hint_issuer, GNUTLS_A_UNKNOWN_CA);
}

static void missing_intermediate(void **state) {
  (void)state;
  struct server_opts so = {.cert = g.leaf, .key = g.leaf_key};
  bad_chain("root.pem", &so, "localhost", HTTPR_E_CERT_UNTRUSTED,
            "certificate verify failed: unable to get local issuer "
            "certificate",
            untrusted_detail, hint_issuer, GNUTLS_A_UNKNOWN_CA);
}

static void intermediate_as_trust_anchor(void **state) {
  (void)state;
  struct server_opts so = {
      .cert = g.leaf, .key = g.leaf_key, .chain = {g.inter, NULL}};
  good_chain("inter.pem", &so, "localhost", 1, 1);
  /* Also when the server does not send it. */
  struct server_opts alone = {.cert = g.leaf, .key = g.leaf_key};
  good_chain("inter.pem", &alone, "localhost", 1, 1);
}

static void validity_period(void **state) {
  (void)state;
  struct server_opts so = {
      .cert = g.expired, .key = g.leaf_key, .chain = {g.inter, NULL}};
  bad_chain("root.pem", &so, "localhost", HTTPR_E_CERT_EXPIRED,
            "certificate verify failed: certificate has expired",
            "gnutls: The certificate is NOT trusted. The certificate chain "
            "uses expired certificate. (status 0x402)",
            NULL, GNUTLS_A_CERTIFICATE_EXPIRED);
  so.cert = g.notyet;
  bad_chain("root.pem", &so, "localhost", HTTPR_E_CERT_NOT_YET_VALID,
            "certificate verify failed: certificate is not yet valid",
            "gnutls: The certificate is NOT trusted. The certificate chain "
            "uses not yet valid certificate. (status 0x202)",
            NULL, GNUTLS_A_BAD_CERTIFICATE);
  /* Expired and untrusted: the trust problem is named, as OpenSSL does. */
  so.cert = g.expired;
  bad_chain("other.pem", &so, "localhost", HTTPR_E_CERT_UNTRUSTED,
            "certificate verify failed: unable to get local issuer "
            "certificate",
            untrusted_detail, hint_issuer, GNUTLS_A_UNKNOWN_CA);
}

/* A defect outside the named ones, in the shared words; GnuTLS's own
 * words stay in the detail. */
static void other_verify_failure(void **state) {
  (void)state;
  /* A certificate for TLS clients, served by a server. */
  struct server_opts so = {.cert = g.client, .key = g.client_key};
  bad_chain("root.pem", &so, "localhost", HTTPR_E_CERT_OTHER,
            "certificate verify failed: unsuitable certificate purpose",
            "gnutls: The certificate is NOT trusted. The certificate chain "
            "does not match the intended purpose. (status 0x40002)",
            "", GNUTLS_A_BAD_CERTIFICATE);
}

static void host_name_mismatch(void **state) {
  (void)state;
  struct server_opts so = {
      .cert = g.leaf, .key = g.leaf_key, .chain = {g.inter, NULL}};
  bad_chain("root.pem", &so, "www.example.com", HTTPR_E_CERT_HOSTNAME,
            "certificate verify failed: certificate does not match host "
            "name 'www.example.com'",
            hostname_detail,
            "the certificate is for another name: check the URL, or use "
            "--resolve to reach this address under the certificate's name",
            GNUTLS_A_BAD_CERTIFICATE);
  /* The identity check off forgives the name, not the chain. */
  good_chain("root.pem", &so, "www.example.com", 1, 0);
  struct server_opts expired = so;
  expired.cert = g.expired;
  bad_chain("root.pem", &expired, "www.example.com", HTTPR_E_CERT_EXPIRED,
            "certificate verify failed: certificate has expired",
            "gnutls: The certificate is NOT trusted. The certificate chain "
            "uses expired certificate. (status 0x402)",
            NULL, GNUTLS_A_CERTIFICATE_EXPIRED);
  /* A trailing dot names the same host, and case does not matter. */
  good_chain("root.pem", &so, "localhost.", 1, 1);
  good_chain("root.pem", &so, "LocalHost", 1, 1);
}

/* The shared rules of backends/identity.h decide, not GnuTLS's. */
static void shared_identity_rules(void **state) {
  (void)state;
  struct server_opts wild = {
      .cert = g.wildcard, .key = g.leaf_key, .chain = {g.inter, NULL}};
  good_chain("root.pem", &wild, "www.example.com", 1, 1);
  bad_chain("root.pem", &wild, "a.b.example.com", HTTPR_E_CERT_HOSTNAME,
            "certificate verify failed: certificate does not match host "
            "name 'a.b.example.com'",
            hostname_detail, NULL, GNUTLS_A_BAD_CERTIFICATE);
  bad_chain("root.pem", &wild, "example.com", HTTPR_E_CERT_HOSTNAME,
            "certificate verify failed: certificate does not match host "
            "name 'example.com'",
            hostname_detail, NULL, GNUTLS_A_BAD_CERTIFICATE);
  /* No CN fallback: the name in the CN alone is not enough. */
  struct server_opts cn_only = {
      .cert = g.no_san, .key = g.leaf_key, .chain = {g.inter, NULL}};
  bad_chain("root.pem", &cn_only, "localhost", HTTPR_E_CERT_HOSTNAME,
            "certificate verify failed: certificate does not match host "
            "name 'localhost'",
            hostname_detail, NULL, GNUTLS_A_BAD_CERTIFICATE);
  /* An IP address never matches a DNS name, even one spelled alike. */
  bad_chain("root.pem", &wild, "10.0.0.1", HTTPR_E_CERT_HOSTNAME,
            "certificate verify failed: certificate does not match host "
            "name '10.0.0.1'",
            hostname_detail, NULL, GNUTLS_A_BAD_CERTIFICATE);
}

static void ip_literal_identity_and_no_sni(void **state) {
  (void)state;
  struct server_opts so = {
      .cert = g.leaf, .key = g.leaf_key, .chain = {g.inter, NULL}};
  struct hr_tls_settings cs = client_settings("root.pem");
  void *cctx = client_ctx(&cs);
  struct server *srv = server_new(&so);
  const char *hosts[] = {"127.0.0.1", "::1"};
  for (size_t i = 0; i < 2; i++) {
    struct link l;
    char sni[64];
    size_t sni_len = sizeof(sni);
    unsigned type = 0;
    link_open(&l, cctx, srv, hosts[i]);
    expect_handshake_ok(&l);
    assert_int_equal(gnutls_server_name_get(l.server, sni, &sni_len, &type, 0),
                     GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE);
    link_close(&l);
  }
  server_free(srv);
  P->context_free(cctx);
  bad_chain("root.pem", &so, "127.0.0.2", HTTPR_E_CERT_HOSTNAME,
            "certificate verify failed: certificate does not match host "
            "name '127.0.0.2'",
            hostname_detail, NULL, GNUTLS_A_BAD_CERTIFICATE);
  bad_chain("root.pem", &so, "::2", HTTPR_E_CERT_HOSTNAME,
            "certificate verify failed: certificate does not match host "
            "name '::2'",
            hostname_detail, NULL, GNUTLS_A_BAD_CERTIFICATE);
}

static void verify_off_accepts_anything(void **state) {
  (void)state;
  struct server_opts self = {.cert = g.self, .key = g.self_key};
  struct server_opts expired = {.cert = g.expired, .key = g.leaf_key};
  good_chain(NULL, &self, "localhost", 0, 1);
  good_chain(NULL, &expired, "www.example.com", 0, 1);
}

/* The helper that names an untrusted chain, case by case. */
static void untrusted_chain_reasons(void **state) {
  (void)state;
  assert_int_equal(hr_untrusted_chain_reason(1, 1), HR_VERIFY_SELF_SIGNED);
  assert_int_equal(hr_untrusted_chain_reason(2, 1),
                   HR_VERIFY_SELF_SIGNED_IN_CHAIN);
  assert_int_equal(hr_untrusted_chain_reason(3, 1),
                   HR_VERIFY_SELF_SIGNED_IN_CHAIN);
  assert_int_equal(hr_untrusted_chain_reason(1, 0), HR_VERIFY_UNKNOWN_ISSUER);
  assert_int_equal(hr_untrusted_chain_reason(2, 0), HR_VERIFY_UNKNOWN_ISSUER);
}

/* ------------------------------------------------------------------------ */
/* Trust store loading.                                                     */

static void ca_dir_without_hash_names(void **state) {
  (void)state;
  struct hr_tls_settings cs = client_settings(NULL);
  cs.trust.ca_dir = (char *)path_of("cadir");
  struct session s;
  session_begin(&s, &cs, NULL, "localhost");
  expect_handshake_ok(&s.l);
  close_session(&s);
}

/* A broken block is skipped; the good one after it is used. */
static void ca_file_with_a_broken_block(void **state) {
  (void)state;
  struct server_opts so = {
      .cert = g.leaf, .key = g.leaf_key, .chain = {g.inter, NULL}};
  good_chain("garbage-then-root.pem", &so, "localhost", 1, 1);
}

static void ca_sources_without_certificates(void **state) {
  (void)state;
  char want[320];
  struct hr_tls_settings cs = client_settings(NULL);
  cs.trust.ca_dir = (char *)path_of("emptydir");
  snprintf(want, sizeof(want),
           "CA directory '%s' (from config) holds no PEM certificate",
           cs.trust.ca_dir);
  context_fails(&cs, HTTPR_E_CA_FILE, want,
                "a CA directory must hold PEM files");
  cs = client_settings("garbage.pem");
  snprintf(want, sizeof(want),
           "CA file '%s' (from config) holds no PEM certificate",
           cs.trust.ca_file);
  context_fails(&cs, HTTPR_E_CA_FILE, want,
                "a CA file must hold PEM certificates "
                "(\"-----BEGIN CERTIFICATE-----\")");
  cs = client_settings("not-pem.txt");
  snprintf(want, sizeof(want),
           "CA file '%s' (from config) holds no PEM certificate",
           cs.trust.ca_file);
  context_fails(&cs, HTTPR_E_CA_FILE, want, NULL);
  cs = client_settings("missing.pem");
  snprintf(want, sizeof(want),
           "CA file '%s' (from config) cannot be read: No such file or "
           "directory",
           cs.trust.ca_file);
  context_fails(&cs, HTTPR_E_CA_FILE, want, NULL);
  cs = client_settings(NULL);
  context_fails(&cs, HTTPR_E_CA_FILE, "no CA certificates configured", NULL);
}

/* ------------------------------------------------------------------------ */
/* Versions.                                                                */

static void versions_apart(int client_min, int client_max, int server_min,
                           int server_max, const char *message) {
  struct hr_tls_settings cs = client_settings("root.pem");
  cs.min_version = client_min;
  cs.max_version = client_max;
  struct server_opts so = {.cert = g.leaf,
                           .key = g.leaf_key,
                           .chain = {g.inter, NULL},
                           .min = server_min,
                           .max = server_max};
  struct session s;
  httpr_error err = {0};
  session_begin(&s, &cs, &so, "localhost");
  expect_handshake_error(&s.l, HTTPR_E_TLS_HANDSHAKE, message, &err);
  close_session(&s);
}

/* Plain records a server might answer a ClientHello with, and the message
 * the client must give for each. */
static void server_answers(const unsigned char *record, size_t len,
                           int max_version, const char *message,
                           const char *detail) {
  struct hr_tls_settings cs = client_settings("root.pem");
  cs.min_version = max_version;
  cs.max_version = max_version;
  struct session s;
  httpr_error err = {0};
  session_begin(&s, &cs, NULL, "localhost");
  assert_int_equal(P->handshake(s.l.conn, &err), HR_TLS_WANT_READ);
  assert_true(s.l.c2s.len > 0);
  assert_true(queue_put(&s.l.s2c, record, len));
  assert_int_equal(P->handshake(s.l.conn, &err), HR_TLS_ERROR);
  assert_int_equal(err.code, HTTPR_E_TLS_HANDSHAKE);
  assert_string_equal(err.message, message);
  assert_non_null(strstr(err.detail, detail));
  close_session(&s);
}

static void versions(void **state) {
  (void)state;
  /* OpenSSL's server says protocol_version ... */
  static const unsigned char protocol_version[] = {0x15, 0x03, 0x03, 0x00,
                                                   0x02, 0x02, 0x46};
  server_answers(protocol_version, sizeof(protocol_version), 13,
                 "no TLS version in common with the server (offered "
                 "TLSv1.3 to TLSv1.3)",
                 "alert 70 (Error in protocol version)");
  /* ... a server may also pick a version that was not offered ... */
  unsigned char hello[47] = {0x16, 0x03, 0x03, 0x00, 0x2a, /* record */
                             0x02, 0x00, 0x00, 0x26,       /* ServerHello */
                             0x03, 0x03};                  /* TLS 1.2 */
  hello[9 + 2 + 32] = 0x00;                                /* no session id */
  hello[9 + 2 + 32 + 1] = 0xc0;                            /* a 1.2 suite */
  hello[9 + 2 + 32 + 2] = 0x2b;
  hello[9 + 2 + 32 + 3] = 0x00; /* no compression, no extensions */
  server_answers(hello, sizeof(hello), 13,
                 "no TLS version in common with the server (offered "
                 "TLSv1.3 to TLSv1.3)",
                 "GNUTLS_E_UNSUPPORTED_VERSION_PACKET");
  /* ... and GnuTLS's server finds no cipher suite in common. */
  versions_apart(13, 0, 12, 12,
                 "TLS handshake failed: server sent alert "
                 "handshake_failure");
  versions_apart(12, 12, 13, 13,
                 "TLS handshake failed: server sent alert "
                 "handshake_failure");
  /* TLS 1.2 when asked, named as OpenSSL names it. */
  struct session s;
  open_session(&s, 12);
  struct hr_tls_info info;
  P->info(s.l.conn, &info);
  assert_string_equal(info.version, "TLSv1.2");
  assert_string_equal(info.cipher, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
  assert_string_equal(info.alpn, "http/1.1");
  assert_string_equal(info.subject, "CN=localhost");
  close_session(&s);
  /* A minimum above the maximum is the caller's mistake. */
  struct hr_tls_settings cs = client_settings("root.pem");
  cs.min_version = 13;
  cs.max_version = 12;
  context_fails(&cs, HTTPR_E_INVALID,
                "minimum TLS version is above the maximum", NULL);
  cs.min_version = 11;
  cs.max_version = 0;
  context_fails(&cs, HTTPR_E_INVALID, "unknown TLS version 11", NULL);
}

static void no_alpn(void **state) {
  (void)state;
  /* Not offered. */
  struct hr_tls_settings cs = client_settings("root.pem");
  cs.alpn = NULL;
  cs.alpn_len = 0;
  struct session s;
  session_begin(&s, &cs, NULL, "localhost");
  expect_handshake_ok(&s.l);
  struct hr_tls_info info;
  P->info(s.l.conn, &info);
  assert_string_equal(info.alpn, "");
  close_session(&s);
  /* Offered, not chosen. */
  struct server_opts so = {.cert = g.leaf,
                           .key = g.leaf_key,
                           .chain = {g.inter, NULL},
                           .no_alpn = 1};
  cs = client_settings("root.pem");
  session_begin(&s, &cs, &so, "localhost");
  expect_handshake_ok(&s.l);
  P->info(s.l.conn, &info);
  assert_string_equal(info.alpn, "");
  close_session(&s);
  /* A malformed wire list is the caller's mistake. */
  static const unsigned char bad[] = "\x09http/1.1";
  cs = client_settings("root.pem");
  cs.alpn = bad;
  cs.alpn_len = sizeof(bad) - 1;
  context_fails(&cs, HTTPR_E_INVALID, "the ALPN protocol list is invalid",
                NULL);
}

/* ------------------------------------------------------------------------ */
/* Client credentials.                                                      */

static const struct {
  enum hr_cred_kind kind;
  const char *cert, *key, *password;
} accepted_forms[] = {
    {HR_CRED_PEM, "client.pem", NULL, NULL},
    {HR_CRED_PEM, "client-enc.pem", NULL, PASSWORD},
    {HR_CRED_FILES, "client.crt", "client.key", NULL},
    {HR_CRED_FILES, "client.crt", "client-pkcs8-enc.key", PASSWORD},
    {HR_CRED_FILES, "client.crt", "client-legacy-enc.key", PASSWORD},
    {HR_CRED_PKCS12, "client.p12", NULL, PASSWORD},
    {HR_CRED_PKCS12, "client-nomac.p12", NULL, PASSWORD},
};

static void credentials_accepted(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(accepted_forms) / sizeof(accepted_forms[0]);
       i++) {
    struct hr_tls_settings s =
        cred(accepted_forms[i].kind, accepted_forms[i].cert,
             accepted_forms[i].key, accepted_forms[i].password);
    httpr_error err = {0};
    void *ctx = NULL;
    httpr_code rc = P->context_new(&s, &ctx, &err);
    if (rc != HTTPR_OK)
      print_error("form %zu: %s (%s)\n", i, err.message, err.detail);
    assert_int_equal(rc, HTTPR_OK);
    P->context_free(ctx);
  }
}

static void credentials_refused(void **state) {
  (void)state;
  cred_fails(cred(HR_CRED_PEM, "missing.pem", NULL, NULL),
             msg("client certificate file '%s' cannot be read: No such file or "
                 "directory",
                 path_of("missing.pem")));
  cred_fails(
      cred(HR_CRED_FILES, "client.crt", "missing.key", NULL),
      msg("client key file '%s' cannot be read: No such file or directory",
          path_of("missing.key")));
  cred_fails(cred(HR_CRED_PEM, "client.key", NULL, NULL),
             msg("client certificate file '%s' holds no PEM certificate",
                 path_of("client.key")));
  cred_fails(cred(HR_CRED_PEM, "client.crt", NULL, NULL),
             msg("no private key found in '%s'", path_of("client.crt")));
  cred_fails(cred(HR_CRED_FILES, "client.crt", "client.crt", NULL),
             msg("no private key found in '%s'", path_of("client.crt")));
  cred_fails(cred(HR_CRED_PEM, "client-enc.pem", NULL, NULL),
             msg("the key in '%s' is encrypted and no password was given",
                 path_of("client-enc.pem")));
  cred_fails(cred(HR_CRED_FILES, "client.crt", "client-legacy-enc.key", NULL),
             msg("the key in '%s' is encrypted and no password was given",
                 path_of("client-legacy-enc.key")));
  cred_fails(cred(HR_CRED_FILES, "client.crt", "client-other.key", NULL),
             "client key does not match the certificate");
  cred_fails(cred(HR_CRED_PEM, "garbage.pem", NULL, NULL),
             msg("no private key found in '%s'", path_of("garbage.pem")));
  cred_fails(cred(HR_CRED_PKCS12, "client.pem", NULL, PASSWORD),
             msg("client certificate file '%s' is not a PKCS#12 file",
                 path_of("client.pem")));
  cred_fails(cred(HR_CRED_PKCS12, "client.p12", NULL, NULL),
             msg("the key in '%s' is encrypted and no password was given",
                 path_of("client.p12")));
  cred_fails(cred(HR_CRED_PKCS12, "client-nomac.p12", NULL, NULL),
             msg("the key in '%s' is encrypted and no password was given",
                 path_of("client-nomac.p12")));
  cred_fails(cred(HR_CRED_PKCS12, "missing.p12", NULL, PASSWORD),
             msg("client certificate file '%s' cannot be read: No such file or "
                 "directory",
                 path_of("missing.p12")));
  /* A key that does not parse, with GnuTLS's reason in the detail. */
  httpr_error err = {0};
  void *ctx = NULL;
  struct hr_tls_settings s = cred(HR_CRED_FILES, "client.crt", "bad.key", NULL);
  assert_true(write_text("bad.key", "-----BEGIN PRIVATE KEY-----\nAAAA\n"
                                    "-----END PRIVATE KEY-----\n"));
  assert_int_equal(P->context_new(&s, &ctx, &err), HTTPR_E_CLIENT_CERT);
  assert_string_equal(
      err.message, msg("the key in '%s' cannot be parsed", path_of("bad.key")));
  assert_memory_equal(err.detail, "gnutls: GNUTLS_E_", 17);
}

static void wrong_passwords(void **state) {
  (void)state;
  struct hr_tls_settings forms[] = {
      cred(HR_CRED_PEM, "client-enc.pem", NULL, "wrong"),
      cred(HR_CRED_FILES, "client.crt", "client-pkcs8-enc.key", "wrong"),
      cred(HR_CRED_FILES, "client.crt", "client-legacy-enc.key", "wrong"),
      cred(HR_CRED_PKCS12, "client.p12", NULL, "wrong"),
      cred(HR_CRED_PKCS12, "client-nomac.p12", NULL, "wrong"),
  };
  for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
    context_fails(&forms[i], HTTPR_E_CLIENT_CERT, "wrong key password",
                  "check the password given with --pass or after --cert "
                  "FILE:");
  }
  /* GnuTLS's own words stay in the detail. */
  httpr_error err = {0};
  void *ctx = NULL;
  assert_int_equal(P->context_new(&forms[1], &ctx, &err), HTTPR_E_CLIENT_CERT);
  assert_string_equal(err.detail, "gnutls: GNUTLS_E_DECRYPTION_FAILED (-24): "
                                  "Decryption has failed.");
  assert_int_equal(P->context_new(&forms[3], &ctx, &err), HTTPR_E_CLIENT_CERT);
  assert_memory_equal(err.detail, "gnutls: GNUTLS_E_MAC_VERIFY_FAILED", 34);
}

/* A server that demands a client certificate, over TLS 1.3 (the alert
 * comes after the client's Finished) or TLS 1.2 (during the handshake). */
static void client_auth(struct session *s, const struct hr_tls_settings *cs,
                        int tls) {
  struct server_opts so = {.cert = g.leaf,
                           .key = g.leaf_key,
                           .chain = {g.inter, NULL},
                           .min = tls,
                           .max = tls,
                           .require_client_cert = 1};
  session_begin(s, cs, &so, "localhost");
}

static void client_certificate_presented(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(accepted_forms) / sizeof(accepted_forms[0]);
       i++) {
    for (int tls = 12; tls <= 13; tls++) {
      struct hr_tls_settings cs =
          cred(accepted_forms[i].kind, accepted_forms[i].cert,
               accepted_forms[i].key, accepted_forms[i].password);
      struct session s;
      client_auth(&s, &cs, tls);
      expect_handshake_ok(&s.l);
      client_write_all(&s.l, (const unsigned char *)"ping", 4, ROUNDS);
      unsigned char buf[4];
      server_read_exact(&s.l, buf, 4);
      assert_memory_equal(buf, "ping", 4);
      /* The server holds our certificate, and trusts it. */
      unsigned n = 0;
      const gnutls_datum_t *peer = gnutls_certificate_get_peers(s.l.server, &n);
      gnutls_datum_t mine = {NULL, 0};
      assert_int_equal(n, 1);
      assert_int_equal(
          gnutls_x509_crt_export2(g.client, GNUTLS_X509_FMT_DER, &mine), 0);
      assert_int_equal(peer[0].size, mine.size);
      assert_memory_equal(peer[0].data, mine.data, mine.size);
      gnutls_free(mine.data);
      unsigned status = 99;
      assert_int_equal(gnutls_certificate_verify_peers2(s.l.server, &status),
                       0);
      assert_int_equal(status, 0);
      close_session(&s);
    }
  }
}

/* The server names the CAs it trusts and ours is not among them: the
 * certificate goes anyway and the server says no, as with OpenSSL. */
static void client_certificate_of_unknown_ca(void **state) {
  (void)state;
  for (int tls = 12; tls <= 13; tls++) {
    struct hr_tls_settings cs =
        cred(HR_CRED_PEM, "unknown-client.pem", NULL, NULL);
    struct session s;
    httpr_error err = {0};
    client_auth(&s, &cs, tls);
    enum hr_tls_status st = handshake(&s.l, &err, ROUNDS);
    unsigned n = 0;
    assert_non_null(gnutls_certificate_get_peers(s.l.server, &n));
    assert_int_equal(n, 1);
    assert_int_equal(s.l.server_state, -1);
    if (st == HR_TLS_DONE) { /* TLS 1.3: the alert comes after Finished */
      unsigned char buf[8];
      size_t got = 0;
      st = P->read(s.l.conn, buf, sizeof(buf), &got, &err);
    }
    assert_int_equal(st, HR_TLS_ERROR);
    assert_int_equal(err.code, HTTPR_E_TLS_HANDSHAKE);
    assert_memory_equal(err.message,
                        "server rejected the client certificate (alert ", 46);
    close_session(&s);
  }
}

static void certificate_required_alert_on_first_read(void **state) {
  (void)state;
  struct hr_tls_settings cs = client_settings("root.pem");
  struct session s;
  httpr_error err = {0};
  client_auth(&s, &cs, 13);
  /* The client is done; the server refuses it after its Finished. */
  assert_int_equal(handshake(&s.l, &err, ROUNDS), HR_TLS_DONE);
  assert_int_equal(s.l.server_state, -1);
  unsigned char buf[16];
  size_t got = 0;
  assert_int_equal(P->read(s.l.conn, buf, sizeof(buf), &got, &err),
                   HR_TLS_ERROR);
  assert_int_equal(err.code, HTTPR_E_TLS_HANDSHAKE);
  assert_string_equal(err.message, "no client certificate presented (server "
                                   "sent alert certificate_required)");
  assert_string_equal(err.hint, "the server requires a client certificate: "
                                "give one with --cert");
  assert_non_null(strstr(err.detail, "alert 116 (Certificate is required)"));
  close_session(&s);
}

static void handshake_failure_alert_in_tls12(void **state) {
  (void)state;
  struct hr_tls_settings cs = client_settings("root.pem");
  struct session s;
  httpr_error err = {0};
  client_auth(&s, &cs, 12);
  expect_handshake_error(&s.l, HTTPR_E_TLS_HANDSHAKE,
                         "TLS handshake failed: server sent alert "
                         "handshake_failure",
                         &err);
  assert_string_equal(err.detail,
                      "gnutls: GNUTLS_E_FATAL_ALERT_RECEIVED (-12): A TLS "
                      "fatal alert has been received.; alert 40 "
                      "(Handshake failed)");
  close_session(&s);
}

/* ------------------------------------------------------------------------ */
/* Key log.                                                                 */

static void key_log_session(int max_version, const char *path,
                            unsigned char random[32], size_t *secret_len) {
  httpr_error err = {0};
  struct hr_keylog *log = NULL;
  assert_int_equal(hr_keylog_open(path, &log, &err), HTTPR_OK);
  struct hr_tls_settings cs = client_settings("root.pem");
  cs.keylog = log;
  cs.max_version = max_version;
  struct session s;
  session_begin(&s, &cs, NULL, "localhost");
  expect_handshake_ok(&s.l);
  gnutls_datum_t crandom, srandom;
  gnutls_session_get_random(s.l.server, &crandom, &srandom);
  assert_int_equal(crandom.size, 32);
  memcpy(random, crandom.data, 32);
  /* Secrets are as long as the suite's hash (48 bytes for SHA-384), the
   * TLS 1.2 master secret 48 bytes. */
  *secret_len = max_version == 12
                    ? 48
                    : gnutls_hash_get_len(gnutls_prf_hash_get(s.l.server));
  close_session(&s);
  hr_keylog_close(log);
}

static void key_log_lines(void **state) {
  (void)state;
  unsigned char random[32];
  size_t secret_len = 0;
  const char *path = path_of("keys.log");
  key_log_session(0, path, random, &secret_len);
  static const char *const labels[] = {
      "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
      "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET"};
  int found[5] = {0};
  assert_int_equal(read_key_log(path, random, secret_len, labels, found, 5), 5);
  for (int i = 0; i < 5; i++)
    assert_int_equal(found[i], 1);
  unlink(path);

  /* TLS 1.2: one line, the master secret. */
  key_log_session(12, path, random, &secret_len);
  static const char *const label12[] = {"CLIENT_RANDOM"};
  int found12[1] = {0};
  assert_int_equal(read_key_log(path, random, secret_len, label12, found12, 1),
                   1);
  assert_int_equal(found12[0], 1);
  unlink(path);
}

/* GnuTLS would write SSLKEYLOGFILE (set since the start of this program)
 * on its own; with the provider no line ever went there. */
static void no_key_log_without_opt_in(void **state) {
  (void)state;
  struct session s;
  open_session(&s, 0);
  close_session(&s);
  open_session(&s, 12);
  close_session(&s);
  assert_int_equal(access(path_of("env-keys.log"), F_OK), -1);
}

/* ------------------------------------------------------------------------ */
/* One context, many connections, several threads.                          */

static void context_shared_by_threads(void **state) {
  (void)state;
  struct hr_tls_settings cs =
      cred(HR_CRED_PEM, "client.pem", NULL, NULL); /* with a credential */
  void *cctx = client_ctx(&cs);
  struct server *srv = good_server();
  expect_shared_by_threads(cctx, srv);
  server_free(srv);
  P->context_free(cctx);
}

/* ------------------------------------------------------------------------ */
/* Session resumption: tickets in TLS 1.3 and 1.2 (the server keeps no     */
/* session cache).                                                          */

static void session_resumed(void **state) {
  (void)state;
  expect_session_resumed(12, NULL);
  expect_session_resumed(0, NULL);
}

static void session_refused_by_the_server(void **state) {
  (void)state;
  struct server_opts so = {.cert = g.leaf,
                           .key = g.leaf_key,
                           .chain = {g.inter, NULL},
                           .no_tickets = 1};
  expect_session_refused(12, &so);
  expect_session_refused(0, &so);
}

static void session_offer_rules(void **state) {
  (void)state;
  expect_session_offer_rules();
}

int main(void) {
  memory_test_use(&gnutls_memory);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(provider_identity),
      cmocka_unit_test(want_write_then_want_read_then_done),
      cmocka_unit_test(byte_at_a_time),
      cmocka_unit_test(application_data_both_ways),
      cmocka_unit_test(write_wants_write_then_completes),
      cmocka_unit_test(close_notify_is_closed),
      cmocka_unit_test(client_shutdown_sends_close_notify),
      cmocka_unit_test(eof_without_close_notify),
      cmocka_unit_test(transport_errors),
      cmocka_unit_test(handshake_ended_by_server),
      cmocka_unit_test(self_signed_trusted_directly),
      cmocka_unit_test(self_signed_wrong_anchor),
      cmocka_unit_test(chain_wrong_anchor),
      cmocka_unit_test(root_sent_but_not_trusted),
      cmocka_unit_test(unrelated_root_after_the_leaf),
      cmocka_unit_test(missing_intermediate),
      cmocka_unit_test(intermediate_as_trust_anchor),
      cmocka_unit_test(validity_period),
      cmocka_unit_test(other_verify_failure),
      cmocka_unit_test(host_name_mismatch),
      cmocka_unit_test(shared_identity_rules),
      cmocka_unit_test(ip_literal_identity_and_no_sni),
      cmocka_unit_test(verify_off_accepts_anything),
      cmocka_unit_test(untrusted_chain_reasons),
      cmocka_unit_test(ca_dir_without_hash_names),
      cmocka_unit_test(ca_file_with_a_broken_block),
      cmocka_unit_test(ca_sources_without_certificates),
      cmocka_unit_test(versions),
      cmocka_unit_test(no_alpn),
      cmocka_unit_test(credentials_accepted),
      cmocka_unit_test(credentials_refused),
      cmocka_unit_test(wrong_passwords),
      cmocka_unit_test(client_certificate_presented),
      cmocka_unit_test(client_certificate_of_unknown_ca),
      cmocka_unit_test(certificate_required_alert_on_first_read),
      cmocka_unit_test(handshake_failure_alert_in_tls12),
      cmocka_unit_test(key_log_lines),
      cmocka_unit_test(context_shared_by_threads),
      cmocka_unit_test(session_resumed),
      cmocka_unit_test(session_refused_by_the_server),
      cmocka_unit_test(session_offer_rules),
      cmocka_unit_test(no_key_log_without_opt_in),
  };
  return cmocka_run_group_tests_name("gnutls_memory", tests, group_setup,
                                     group_teardown);
}
