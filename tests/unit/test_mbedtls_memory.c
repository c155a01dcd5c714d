/*
 * test_mbedtls_memory.c - the mbedTLS provider's client against an OpenSSL
 * server, entirely in memory: the client's hr_tls_io callbacks and the
 * server's BIO share two byte queues (tests/unit/tls_memory.c), so the
 * tests control every byte and every "would block". OpenSSL serves because it
 * is what the provider meets in the field (nginx, s_server) and because it can
 * be a TLS 1.3-only server, which mbedTLS 2.28 cannot. It proves the
 * non-blocking contract (want-write, want-read, byte-at-a-time progress),
 * the handshake and its info, application data, close_notify and EOF, the
 * verification and alert mappings onto the shared wording, client
 * credentials in every form, the key log and its opt-in, a context shared
 * by threads, and TLS 1.2 session resumption (and its refusal). Encrypted
 * keys and PKCS#12 files, which mbedTLS 2.28 cannot read by itself
 * (backends/mbedtls_pkcs.c reads them), are made by the openssl command in
 * its default and legacy forms at start-up; the PKI is made in-process,
 * and everything is removed at the end.
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
#include <unistd.h>

#include <cmocka.h>

#include <mbedtls/pk.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "backends/identity.h"
#include "backends/keylog.h"
#include "backends/mbedtls_pkcs.h"
#include "backends/provider.h"
#include "backends/tls_errors.h"
#include "tests/unit/pki_files.h"
#include "tests/unit/tls_memory.h"

extern const struct hr_tls_provider hr_provider_mbedtls;
static const struct hr_tls_provider *const P = &hr_provider_mbedtls;

#define UTF8_PASSWORD "s\xc3\xa9\x63ret" /* "sécret" */

/* ------------------------------------------------------------------------ */
/* The PKI: made once, in memory and in a private temporary directory.      */

struct pki {
  EVP_PKEY *root_key, *inter_key, *leaf_key, *self_key, *other_key;
  EVP_PKEY *client_key, *client_other_key, *rsa_key;
  X509 *root, *inter, *leaf, *expired, *notyet, *self, *other, *client;
  X509 *unknown_client, *wildcard, *no_san, *named, *rsa_leaf;
};
static struct pki g;

static int add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value) {
  X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, v3, nid, value);
  int ok = ext && X509_add_ext(x, ext, -1);
  X509_EXTENSION_free(ext);
  return ok;
}

enum cert_role { ROLE_CA, ROLE_SERVER, ROLE_CLIENT };

/* A certificate for key, named cn (or subject when not NULL), issued by
 * issuer (NULL: self-signed), valid from now + from_s to now + to_s. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, const X509_NAME *subject,
                       enum cert_role role, const char *san, X509 *issuer,
                       EVP_PKEY *issuer_key, long from_s, long to_s) {
  static long serial = 1000;
  X509 *x = X509_new();
  X509V3_CTX v3;
  int ok = x && X509_set_version(x, X509_VERSION_3) &&
           ASN1_INTEGER_set(X509_get_serialNumber(x), serial++) &&
           X509_gmtime_adj(X509_getm_notBefore(x), from_s) &&
           X509_gmtime_adj(X509_getm_notAfter(x), to_s) &&
           X509_set_pubkey(x, key) &&
           (subject ? X509_set_subject_name(x, subject)
                    : X509_NAME_add_entry_by_txt(
                          X509_get_subject_name(x), "CN", MBSTRING_ASC,
                          (const unsigned char *)cn, -1, -1, 0)) &&
           X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer)
                                          : X509_get_subject_name(x));
  if (!ok)
    goto fail;
  X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
  ok = add_ext(x, &v3, NID_basic_constraints,
               role == ROLE_CA ? "critical,CA:TRUE" : "critical,CA:FALSE") &&
       add_ext(x, &v3, NID_key_usage,
               role == ROLE_CA ? "critical,keyCertSign,cRLSign"
                               : "critical,digitalSignature") &&
       add_ext(x, &v3, NID_subject_key_identifier, "hash") &&
       (role == ROLE_CA ||
        add_ext(x, &v3, NID_ext_key_usage,
                role == ROLE_CLIENT ? "clientAuth" : "serverAuth")) &&
       (!san || add_ext(x, &v3, NID_subject_alt_name, san)) &&
       (!issuer ||
        add_ext(x, &v3, NID_authority_key_identifier, "keyid:always")) &&
       X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) > 0;
  if (ok)
    return x;
fail:
  X509_free(x);
  return NULL;
}

/* "C=DE, O=httpr, tests, OU=a+OU=b, CN=localhost" in DER order: several
 * RDNs, one of them multi-valued, and a value that needs escaping. */
static X509_NAME *named_subject(void) {
  X509_NAME *n = X509_NAME_new();
  const unsigned char *v[] = {
      (const unsigned char *)"DE", (const unsigned char *)"httpr, tests",
      (const unsigned char *)"a", (const unsigned char *)"b",
      (const unsigned char *)"localhost"};
  if (n && X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC, v[0], -1, -1, 0) &&
      X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, v[1], -1, -1, 0) &&
      X509_NAME_add_entry_by_txt(n, "OU", MBSTRING_ASC, v[2], -1, -1, 0) &&
      X509_NAME_add_entry_by_txt(n, "OU", MBSTRING_ASC, v[3], -1, -1, -1) &&
      X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, v[4], -1, -1, 0))
    return n;
  X509_NAME_free(n);
  return NULL;
}

static int write_pem(const char *name, X509 *const *certs, size_t ncerts,
                     EVP_PKEY *key) {
  BIO *b = BIO_new_file(path_of(name), "w");
  int ok = b != NULL;
  for (size_t i = 0; ok && i < ncerts; i++)
    ok = PEM_write_bio_X509(b, certs[i]);
  if (ok && key)
    ok = PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL);
  BIO_free(b);
  return ok;
}

/* Encrypted PKCS#8 keys as `openssl pkcs8 -topk8` writes them: its
 * default (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC), other PRFs and AES
 * sizes, PBES2 with triple DES and PKCS#12 PBE (mbedTLS's own path), RC2
 * (which nobody here can decrypt); OpenSSL's traditional encrypted PEM. */
static int write_encrypted_keys(void) {
  static const struct {
    const char *out, *args, *password;
  } forms[] = {
      {"k-aes256.pem", "", PASSWORD},
      {"k-aes256.der", "-outform DER", PASSWORD},
      {"k-aes128-sha1.pem", "-v2 aes-128-cbc -v2prf hmacWithSHA1", PASSWORD},
      {"k-aes192-sha512.pem", "-v2 aes-192-cbc -v2prf hmacWithSHA512",
       PASSWORD},
      {"k-pbes2-3des.pem", "-v2 des3", PASSWORD},
      {"k-pbe-3des.pem", "-v1 PBE-SHA1-3DES", PASSWORD},
      {"k-pbe-3des.der", "-v1 PBE-SHA1-3DES -outform DER", PASSWORD},
      {"k-aes256-utf8.pem", "", UTF8_PASSWORD},
      {"k-pbe-3des-utf8.pem", "-v1 PBE-SHA1-3DES", UTF8_PASSWORD},
      {"k-rc2.pem", "-v1 PBE-SHA1-RC2-40 -provider legacy -provider default",
       PASSWORD},
  };
  for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
    if (!openssl_cli("pkcs8 -topk8 -in client.key %s -passout 'pass:%s' "
                     "-out %s",
                     forms[i].args, forms[i].password, forms[i].out))
      return 0;
  }
  return openssl_cli("pkey -in client.key -traditional -aes-256-cbc "
                     "-passout pass:%s -out k-legacy.pem",
                     PASSWORD) &&
         append_file("client-enc.pem", "client.crt") &&
         append_file("client-enc.pem", "k-aes256.pem");
}

/* PKCS#12 files as `openssl pkcs12 -export` writes them: its default
 * (PBES2/AES-256 everywhere, SHA-256 MAC), -legacy (RC2 certificates,
 * triple-DES key, SHA-1 MAC), triple DES throughout, without MAC, without
 * encryption (plain key bag), under a UTF-8 password, under an empty one,
 * without a key and without a certificate. The root goes along as the
 * chain. */
static int write_pkcs12(void) {
  static const struct {
    const char *out, *args, *password;
  } forms[] = {
      {"p12-default.p12", "", PASSWORD},
      {"p12-legacy.p12", "-legacy", PASSWORD},
      {"p12-3des.p12",
       "-certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1", PASSWORD},
      {"p12-nomac.p12", "-nomac", PASSWORD},
      {"p12-plain.p12", "-keypbe NONE -certpbe NONE", PASSWORD},
      {"p12-utf8.p12", "", UTF8_PASSWORD},
      {"p12-3des-utf8.p12",
       "-certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1",
       UTF8_PASSWORD},
      {"p12-empty.p12", "", ""},
  };
  for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
    if (!openssl_cli("pkcs12 -export -in client.crt -inkey client.key "
                     "-certfile root.pem -name 'httpr memory client' %s "
                     "-passout 'pass:%s' -out %s",
                     forms[i].args, forms[i].password, forms[i].out))
      return 0;
  }
  return openssl_cli("pkcs12 -export -nocerts -inkey client.key "
                     "-passout pass:%s -out p12-nocert.p12",
                     PASSWORD) &&
         openssl_cli("pkcs12 -export -nokeys -in client.crt -passout pass:%s "
                     "-out p12-nokey.p12",
                     PASSWORD);
}

static int make_keys(void) {
  EVP_PKEY **keys[] = {&g.root_key,        &g.inter_key, &g.leaf_key,
                       &g.self_key,        &g.other_key, &g.client_key,
                       &g.client_other_key};
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
    if (!(*keys[i] = EVP_EC_gen("P-256")))
      return 0;
  }
  return (g.rsa_key = EVP_RSA_gen(2048)) != NULL;
}

static int make_certs(void) {
  const long day = 86400;
  const char *san = "DNS:localhost,IP:127.0.0.1,IP:::1";
  X509_NAME *named = named_subject();
  g.root = make_cert(g.root_key, "httpr memory root", NULL, ROLE_CA, NULL, NULL,
                     NULL, -day, 30 * day);
  g.inter = make_cert(g.inter_key, "httpr memory intermediate", NULL, ROLE_CA,
                      NULL, g.root, g.root_key, -day, 30 * day);
  g.leaf = make_cert(g.leaf_key, "localhost", NULL, ROLE_SERVER, san, g.inter,
                     g.inter_key, -day, 30 * day);
  g.expired = make_cert(g.leaf_key, "localhost", NULL, ROLE_SERVER, san,
                        g.inter, g.inter_key, -30 * day, -day);
  g.notyet = make_cert(g.leaf_key, "localhost", NULL, ROLE_SERVER, san, g.inter,
                       g.inter_key, day, 30 * day);
  g.self = make_cert(g.self_key, "localhost", NULL, ROLE_SERVER, san, NULL,
                     NULL, -day, 30 * day);
  g.other = make_cert(g.other_key, "httpr other root", NULL, ROLE_CA, NULL,
                      NULL, NULL, -day, 30 * day);
  g.client = make_cert(g.client_key, "httpr memory client", NULL, ROLE_CLIENT,
                       NULL, g.root, g.root_key, -day, 30 * day);
  g.unknown_client =
      make_cert(g.client_key, "httpr unknown client", NULL, ROLE_CLIENT, NULL,
                g.other, g.other_key, -day, 30 * day);
  g.wildcard =
      make_cert(g.leaf_key, "wildcard", NULL, ROLE_SERVER, "DNS:*.example.com",
                g.inter, g.inter_key, -day, 30 * day);
  /* The name only in the CN, which no provider may look at. */
  g.no_san = make_cert(g.leaf_key, "localhost", NULL, ROLE_SERVER, NULL,
                       g.inter, g.inter_key, -day, 30 * day);
  g.named = named ? make_cert(g.leaf_key, NULL, named, ROLE_SERVER, san,
                              g.inter, g.inter_key, -day, 30 * day)
                  : NULL;
  g.rsa_leaf = make_cert(g.rsa_key, "localhost", NULL, ROLE_SERVER, san,
                         g.inter, g.inter_key, -day, 30 * day);
  X509_NAME_free(named);
  return g.root && g.inter && g.leaf && g.expired && g.notyet && g.self &&
         g.other && g.client && g.unknown_client && g.wildcard && g.no_san &&
         g.named && g.rsa_leaf;
}

static int write_files(void) {
  X509 *client_and_root[] = {g.client, g.root};
  return write_pem("root.pem", &g.root, 1, NULL) &&
         write_pem("inter.pem", &g.inter, 1, NULL) &&
         write_pem("self.pem", &g.self, 1, NULL) &&
         write_pem("other.pem", &g.other, 1, NULL) &&
         write_pem("client.pem", &g.client, 1, g.client_key) &&
         write_pem("client-chain.pem", client_and_root, 2, g.client_key) &&
         write_pem("client.crt", &g.client, 1, NULL) &&
         write_pem("client.key", NULL, 0, g.client_key) &&
         write_pem("client-other.key", NULL, 0, g.client_other_key) &&
         write_pem("unknown-client.pem", &g.unknown_client, 1, g.client_key) &&
         write_pem("cadir/my-root.pem", &g.root, 1, NULL) &&
         write_text("cadir/README.txt", "not a certificate\n") &&
         write_pem("hashdir/root.pem", &g.root, 1, NULL) &&
         symlink("root.pem", path_of("hashdir/0a1b2c3d.0")) == 0 &&
         write_text("garbage.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n"
                                   "-----END CERTIFICATE-----\n") &&
         write_text("garbage-then-root.pem",
                    "-----BEGIN CERTIFICATE-----\nAAAA\n"
                    "-----END CERTIFICATE-----\n") &&
         append_file("garbage-then-root.pem", "root.pem") &&
         write_text("not-pem.txt", "no PEM block here\n") &&
         write_encrypted_keys() && write_pkcs12();
}

/* ------------------------------------------------------------------------ */
/* The server: an SSL that reads c2s and writes s2c through a BIO of its    */
/* own, where an empty queue means "would block", not EOF.                  */

static BIO_METHOD *queue_bio;

static int queue_bio_write(BIO *b, const char *buf, int len) {
  struct link *l = BIO_get_data(b);
  BIO_clear_retry_flags(b);
  return queue_put(&l->s2c, buf, (size_t)len) ? len : -1;
}

static int queue_bio_read(BIO *b, char *buf, int len) {
  struct link *l = BIO_get_data(b);
  BIO_clear_retry_flags(b);
  if (l->c2s.len == 0) {
    BIO_set_retry_read(b);
    return -1;
  }
  return (int)queue_take(&l->c2s, buf, (size_t)len);
}

/* Nothing is buffered, so a flush always succeeds; nothing else is
 * supported. */
static long queue_bio_ctrl(BIO *b, int cmd, long num, void *ptr) {
  (void)b;
  (void)num;
  (void)ptr;
  return cmd == BIO_CTRL_FLUSH;
}

static int make_queue_bio(void) {
  queue_bio = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
                           "httpr test queues");
  return queue_bio && BIO_meth_set_write(queue_bio, queue_bio_write) &&
         BIO_meth_set_read(queue_bio, queue_bio_read) &&
         BIO_meth_set_ctrl(queue_bio, queue_bio_ctrl);
}

static int group_setup(void **state) {
  (void)state;
  httpr_error err = {0};
  if (!pki_dir_create("httpr-mbedtls") || mkdir(path_of("cadir"), 0700) ||
      mkdir(path_of("hashdir"), 0700) || mkdir(path_of("emptydir"), 0700))
    return -1;
  /* mbedTLS never reads this variable; no test may ever cause a line in
   * it (checked by the last test). */
  setenv("SSLKEYLOGFILE", path_of("env-keys.log"), 1);
  if (P->global_init(&err) != HTTPR_OK || !make_keys() || !make_certs() ||
      !write_files() || !make_queue_bio()) {
    ERR_print_errors_fp(stderr);
    fprintf(stderr, "the test PKI cannot be made\n");
    return -1;
  }
  ERR_clear_error();
  return 0;
}

static int group_teardown(void **state) {
  (void)state;
  EVP_PKEY *keys[] = {g.root_key,  g.inter_key,  g.leaf_key,         g.self_key,
                      g.other_key, g.client_key, g.client_other_key, g.rsa_key};
  X509 *certs[] = {g.root,   g.inter, g.leaf,    g.expired,        g.notyet,
                   g.self,   g.other, g.client,  g.unknown_client, g.wildcard,
                   g.no_san, g.named, g.rsa_leaf};
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
    EVP_PKEY_free(keys[i]);
  for (size_t i = 0; i < sizeof(certs) / sizeof(certs[0]); i++)
    X509_free(certs[i]);
  BIO_meth_free(queue_bio);
  P->global_cleanup();
  unsetenv("SSLKEYLOGFILE");
  return pki_dir_remove();
}

struct server_opts {
  X509 *cert;
  EVP_PKEY *key;
  X509 *chain[2]; /* sent after the leaf, NULL-ended */
  int min, max;   /* TLS1_2_VERSION, TLS1_3_VERSION; 0: both */
  int require_client_cert;
  int no_alpn;
  int no_tickets; /* TLS 1.2: session ids only; TLS 1.3: stateful tickets */
  int no_cache;   /* no session cache (and no tickets sent in TLS 1.3) */
};

static int select_alpn(SSL *ssl, const unsigned char **out,
                       unsigned char *outlen, const unsigned char *in,
                       unsigned inlen, void *arg) {
  (void)ssl;
  (void)arg;
  unsigned char *sel = NULL;
  if (SSL_select_next_proto(&sel, outlen, alpn_h11, sizeof(alpn_h11) - 1, in,
                            inlen) != OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;
  *out = sel;
  return SSL_TLSEXT_ERR_OK;
}

static SSL_CTX *server_ctx(const struct server_opts *o) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
  assert_non_null(ctx);
  assert_int_equal(SSL_CTX_use_certificate(ctx, o->cert), 1);
  assert_int_equal(SSL_CTX_use_PrivateKey(ctx, o->key), 1);
  for (int i = 0; i < 2 && o->chain[i]; i++)
    assert_int_equal(SSL_CTX_add1_chain_cert(ctx, o->chain[i]), 1);
  assert_int_equal(SSL_CTX_set_min_proto_version(ctx, o->min), 1);
  assert_int_equal(SSL_CTX_set_max_proto_version(ctx, o->max), 1);
  if (!o->no_alpn)
    SSL_CTX_set_alpn_select_cb(ctx, select_alpn, NULL);
  if (o->require_client_cert) {
    X509_STORE *store = SSL_CTX_get_cert_store(ctx);
    assert_int_equal(X509_STORE_add_cert(store, g.root), 1);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                       NULL);
  }
  if (o->no_tickets)
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  if (o->no_cache) {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    assert_int_equal(SSL_CTX_set_num_tickets(ctx, 0), 1);
  }
  return ctx;
}

static SSL_CTX *good_server(void) {
  struct server_opts o = {
      .cert = g.leaf, .key = g.leaf_key, .chain = {g.inter, NULL}};
  return server_ctx(&o);
}

/* A server SSL over l's queues. */
static int server_open(struct link *l, void *sctx) {
  BIO *b = BIO_new(queue_bio);
  l->server = b ? SSL_new(sctx) : NULL;
  if (!l->server) {
    BIO_free(b);
    return 0;
  }
  BIO_set_data(b, l);
  BIO_set_init(b, 1);
  SSL_set_bio(l->server, b, b);
  SSL_set_accept_state(l->server);
  return 1;
}

/* A server that completed its handshake sends close_notify first, as one
 * in the field does: OpenSSL drops the session of a connection freed
 * without it from its cache, and cached sessions are resumed. */
static void server_close(struct link *l) {
  if (l->server && l->server_state == 1)
    SSL_shutdown(l->server);
  SSL_free(l->server);
  ERR_clear_error();
}

/* One step of the server's handshake; a fatal alert from the client is
 * recorded as OpenSSL reports it (SSL_AD_REASON_OFFSET + its number). */
static void server_step(struct link *l) {
  if (l->server_state != 0)
    return;
  int r = SSL_do_handshake(l->server);
  if (r == 1) {
    l->server_state = 1;
  } else {
    int e = SSL_get_error(l->server, r);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
      unsigned long code = ERR_peek_error();
      int reason = ERR_GET_REASON(code);
      l->server_state = -1;
      if (ERR_GET_LIB(code) == ERR_LIB_SSL && reason >= SSL_AD_REASON_OFFSET &&
          reason < SSL_AD_REASON_OFFSET + 256)
        l->server_alert = reason - SSL_AD_REASON_OFFSET;
    }
  }
  ERR_clear_error(); /* the server's errors are not the client's */
}

static long server_read(struct link *l, void *buf, size_t len) {
  size_t got = 0;
  if (SSL_read_ex(l->server, buf, len, &got) == 1)
    return (long)got;
  return SSL_get_error(l->server, 0) == SSL_ERROR_WANT_READ ? 0 : -1;
}

static void server_write(struct link *l, const void *buf, size_t len) {
  size_t put = 0;
  assert_int_equal(SSL_write_ex(l->server, buf, len, &put), 1);
  assert_int_equal(put, len);
}

/* The client's alert ended the server's handshake. */
static void expect_alert(const struct link *l, int alert) {
  assert_int_equal(l->server_alert, alert);
}

static int server_resumed(const struct link *l) {
  return SSL_session_reused(l->server) == 1;
}

static void *server_new(const void *opts) { return server_ctx(opts); }
static void *usual_server(void) { return good_server(); }
static void server_free(void *sctx) { SSL_CTX_free(sctx); }

static const struct memory_test mbedtls_memory = {
    .provider = &hr_provider_mbedtls,
    .server_new = server_new,
    .good_server = usual_server,
    .server_free = server_free,
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
  assert_string_equal(P->name, "mbedtls");
  /* mbedTLS 2.28 has no TLS 1.3: the bits say so, and the client refuses
   * what needs it. */
  assert_int_equal(P->features, HTTPR_FEATURE_TLS12 | HTTPR_FEATURE_CA_DIR |
                                    HTTPR_FEATURE_PKCS12 |
                                    HTTPR_FEATURE_ENCRYPTED_KEY |
                                    HTTPR_FEATURE_KEYLOG | HTTPR_FEATURE_ALPN |
                                    HTTPR_FEATURE_SYSTEM_STORE |
                                    HTTPR_FEATURE_SESSION_RESUME);
  assert_string_equal(P->library_version(), "mbed TLS " MBEDTLS_VERSION_STRING);
  httpr_error err = {0};
  assert_int_equal(P->global_init(&err), HTTPR_OK); /* nothing to undo */
  P->global_cleanup();
  mbedtls_x509_crt crt;
  mbedtls_x509_crt_init(&crt);
  assert_int_equal(mbedtls_x509_crt_parse_file(&crt, path_of("root.pem")), 0);
  mbedtls_x509_crt_free(&crt);
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
  /* The server's flight comes; the client's whole answer (key exchange,
   * change cipher spec, Finished) leaves in one send. */
  server_step(&s.l);
  unsigned long sends = s.l.send_calls;
  assert_int_equal(P->handshake(s.l.conn, &err), HR_TLS_WANT_READ);
  assert_int_equal(s.l.send_calls, sends + 1);
  expect_handshake_ok(&s.l);
  /* Once done, done again. */
  assert_int_equal(P->handshake(s.l.conn, &err), HR_TLS_DONE);
  assert_int_equal(err.code, HTTPR_OK);

  struct hr_tls_info info;
  memset(&info, 0x55, sizeof(info));
  P->info(s.l.conn, &info);
  assert_string_equal(info.version, "TLSv1.2");
  assert_string_equal(info.cipher, SSL_CIPHER_standard_name(
                                       SSL_get_current_cipher(s.l.server)));
  assert_string_equal(info.cipher,
                      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
  assert_string_equal(info.alpn, "http/1.1");
  assert_string_equal(info.subject, "CN=localhost");
  assert_string_equal(info.issuer, "CN=httpr memory intermediate");
  assert_int_equal(info.resumed, 0);
  /* SNI carried the name; X25519 was the group. */
  assert_string_equal(SSL_get_servername(s.l.server, TLSEXT_NAMETYPE_host_name),
                      "localhost");
  assert_int_equal(SSL_get_shared_group(s.l.server, 0), NID_X25519);
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
  /* A TLS 1.2 session ticket comes within the handshake: nothing waits,
   * the read wants more instead of reporting zero bytes. */
  assert_int_equal(s.l.s2c.len, 0);
  assert_int_equal(P->read(s.l.conn, &byte, 1, &got, &err), HR_TLS_WANT_READ);
  assert_int_equal(got, 0);

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
  assert_true(SSL_shutdown(s.l.server) >= 0);
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
  assert_int_equal(SSL_read_ex(s.l.server, buf, sizeof(buf), &got), 0);
  assert_int_equal(SSL_get_error(s.l.server, 0), SSL_ERROR_ZERO_RETURN);
  close_session(&s);
}

static void client_shutdown_sends_close_notify(void **state) {
  (void)state;
  struct session s;
  open_session(&s, 0);
  httpr_error err = {0};
  unsigned char buf[16];
  size_t got = 0;
  s.l.send_blocked = 1;
  assert_int_equal(P->shutdown(s.l.conn, &err), HR_TLS_WANT_WRITE);
  s.l.send_blocked = 0;
  assert_int_equal(P->shutdown(s.l.conn, &err), HR_TLS_DONE);
  assert_int_equal(SSL_read_ex(s.l.server, buf, sizeof(buf), &got), 0);
  assert_int_equal(SSL_get_error(s.l.server, 0), SSL_ERROR_ZERO_RETURN);
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
  assert_string_equal(err.detail, "mbedtls: -0x7280: SSL - The connection "
                                  "indicated an EOF");
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
  assert_memory_equal(err.detail, "mbedtls: -0x7280: ", 18);
  close_session(&s);
}

/* ------------------------------------------------------------------------ */
/* Verification.                                                            */

static const char untrusted_detail[] =
    "mbedtls: The certificate is not correctly signed by the trusted CA "
    "(flags 0x8)";
static const char hint_issuer[] =
    "the CA bundle lacks the issuer: give it with --cacert or SSL_CERT_FILE";
static const char hostname_detail[] =
    "mbedtls: The certificate Common Name (CN) does not match with the "
    "expected CN (flags 0x4)";
static const char expired_detail[] =
    "mbedtls: The certificate validity has expired (flags 0x1)";

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
            HR_ALERT_UNKNOWN_CA);
}

static void chain_wrong_anchor(void **state) {
  (void)state;
  struct server_opts so = {
      .cert = g.leaf, .key = g.leaf_key, .chain = {g.inter, NULL}};
  bad_chain("other.pem", &so, "localhost", HTTPR_E_CERT_UNTRUSTED,
            "certificate verify failed: unable to get local issuer "
            "certificate",
            untrusted_detail, hint_issuer, HR_ALERT_UNKNOWN_CA);
}

static void root_sent_but_not_trusted(void **state) {
  (void)state;
  /* The server sends its whole chain up to the root we do not trust. */
  struct server_opts so = {
      .cert = g.leaf, .key = g.leaf_key, .chain = {g.inter, g.root}};
  bad_chain("other.pem", &so, "localhost", HTTPR_E_CERT_UNTRUSTED,
            "certificate verify failed: self-signed certificate in "
            "certificate chain",
            untrusted_detail, hint_issuer, HR_ALERT_UNKNOWN_CA);
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
            untrusted_detail, hint_issuer, HR_ALERT_UNKNOWN_CA);
}

static void missing_intermediate(void **state) {
  (void)state;
  struct server_opts so = {.cert = g.leaf, .key = g.leaf_key};
  bad_chain("root.pem", &so, "localhost", HTTPR_E_CERT_UNTRUSTED,
            "certificate verify failed: unable to get local issuer "
            "certificate",
            untrusted_detail, hint_issuer, HR_ALERT_UNKNOWN_CA);
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
            expired_detail, NULL, HR_ALERT_CERTIFICATE_EXPIRED);
  so.cert = g.notyet;
  bad_chain("root.pem", &so, "localhost", HTTPR_E_CERT_NOT_YET_VALID,
            "certificate verify failed: certificate is not yet valid",
            "mbedtls: The certificate validity starts in the future (flags "
            "0x200)",
            NULL, HR_ALERT_CERTIFICATE_UNKNOWN);
  /* Expired and untrusted: the trust problem is named, as OpenSSL does
   * (mbedTLS's alert names the date). */
  so.cert = g.expired;
  bad_chain("other.pem", &so, "localhost", HTTPR_E_CERT_UNTRUSTED,
            "certificate verify failed: unable to get local issuer "
            "certificate",
            "mbedtls: The certificate validity has expired;The certificate "
            "is not correctly signed by the trusted CA (flags 0x9)",
            hint_issuer, HR_ALERT_CERTIFICATE_EXPIRED);
}

/* A defect outside the named ones, in the shared words; mbedTLS's own
 * words stay in the detail. The name is not checked on a certificate
 * that is unfit anyway. */
static void other_verify_failure(void **state) {
  (void)state;
  /* A certificate for TLS clients, served by a server. */
  struct server_opts so = {.cert = g.client, .key = g.client_key};
  bad_chain("root.pem", &so, "localhost", HTTPR_E_CERT_OTHER,
            "certificate verify failed: unsuitable certificate purpose",
            "mbedtls: Usage does not match the extendedKeyUsage extension "
            "(flags 0x1000); httpr policy: depth 0: extendedKeyUsage lacks "
            "serverAuth",
            "", 43 /* unsupported_certificate */);
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
            HR_ALERT_BAD_CERTIFICATE);
  /* The identity check off forgives the name, not the chain. */
  good_chain("root.pem", &so, "www.example.com", 1, 0);
  struct server_opts expired = so;
  expired.cert = g.expired;
  bad_chain("root.pem", &expired, "www.example.com", HTTPR_E_CERT_EXPIRED,
            "certificate verify failed: certificate has expired",
            expired_detail, NULL, HR_ALERT_CERTIFICATE_EXPIRED);
  /* A trailing dot names the same host, and case does not matter. */
  good_chain("root.pem", &so, "localhost.", 1, 1);
  good_chain("root.pem", &so, "LocalHost", 1, 1);
}

/* The shared rules of backends/identity.h decide, not mbedTLS's. */
static void shared_identity_rules(void **state) {
  (void)state;
  struct server_opts wild = {
      .cert = g.wildcard, .key = g.leaf_key, .chain = {g.inter, NULL}};
  good_chain("root.pem", &wild, "www.example.com", 1, 1);
  bad_chain("root.pem", &wild, "a.b.example.com", HTTPR_E_CERT_HOSTNAME,
            "certificate verify failed: certificate does not match host "
            "name 'a.b.example.com'",
            hostname_detail, NULL, HR_ALERT_BAD_CERTIFICATE);
  bad_chain("root.pem", &wild, "example.com", HTTPR_E_CERT_HOSTNAME,
            "certificate verify failed: certificate does not match host "
            "name 'example.com'",
            hostname_detail, NULL, HR_ALERT_BAD_CERTIFICATE);
  /* No CN fallback: the name in the CN alone is not enough, though
   * mbedTLS by itself would take it. */
  struct server_opts cn_only = {
      .cert = g.no_san, .key = g.leaf_key, .chain = {g.inter, NULL}};
  bad_chain("root.pem", &cn_only, "localhost", HTTPR_E_CERT_HOSTNAME,
            "certificate verify failed: certificate does not match host "
            "name 'localhost'",
            hostname_detail, NULL, HR_ALERT_BAD_CERTIFICATE);
  /* An IP address never matches a DNS name, even one spelled alike. */
  bad_chain("root.pem", &wild, "10.0.0.1", HTTPR_E_CERT_HOSTNAME,
            "certificate verify failed: certificate does not match host "
            "name '10.0.0.1'",
            hostname_detail, NULL, HR_ALERT_BAD_CERTIFICATE);
}

/* mbedTLS 2.28 neither checks IP addresses nor keeps them out of SNI:
 * the provider does both. */
static void ip_literal_identity_and_no_sni(void **state) {
  (void)state;
  struct server_opts so = {
      .cert = g.leaf, .key = g.leaf_key, .chain = {g.inter, NULL}};
  struct hr_tls_settings cs = client_settings("root.pem");
  void *cctx = client_ctx(&cs);
  SSL_CTX *sctx = server_ctx(&so);
  const char *hosts[] = {"127.0.0.1", "::1"};
  for (size_t i = 0; i < 2; i++) {
    struct link l;
    link_open(&l, cctx, sctx, hosts[i]);
    expect_handshake_ok(&l);
    assert_null(SSL_get_servername(l.server, TLSEXT_NAMETYPE_host_name));
    link_close(&l);
  }
  SSL_CTX_free(sctx);
  P->context_free(cctx);
  bad_chain("root.pem", &so, "127.0.0.2", HTTPR_E_CERT_HOSTNAME,
            "certificate verify failed: certificate does not match host "
            "name '127.0.0.2'",
            hostname_detail, NULL, HR_ALERT_BAD_CERTIFICATE);
  bad_chain("root.pem", &so, "::2", HTTPR_E_CERT_HOSTNAME,
            "certificate verify failed: certificate does not match host "
            "name '::2'",
            hostname_detail, NULL, HR_ALERT_BAD_CERTIFICATE);
  /* A certificate with the name only, reached by address. */
  struct server_opts wild = {
      .cert = g.wildcard, .key = g.leaf_key, .chain = {g.inter, NULL}};
  bad_chain("root.pem", &wild, "127.0.0.1", HTTPR_E_CERT_HOSTNAME,
            "certificate verify failed: certificate does not match host "
            "name '127.0.0.1'",
            hostname_detail, NULL, HR_ALERT_BAD_CERTIFICATE);
}

static void verify_off_accepts_anything(void **state) {
  (void)state;
  struct server_opts self = {.cert = g.self, .key = g.self_key};
  struct server_opts expired = {.cert = g.expired, .key = g.leaf_key};
  struct server_opts client = {.cert = g.client, .key = g.client_key};
  good_chain(NULL, &self, "localhost", 0, 1);
  good_chain(NULL, &expired, "www.example.com", 0, 1);
  good_chain(NULL, &client, "localhost", 0, 1);
}

/* The helper that names an untrusted chain, case by case. */
static void untrusted_chain_reasons(void **state) {
  (void)state;
  assert_int_equal(hr_untrusted_chain_reason(1, 1), HR_VERIFY_SELF_SIGNED);
  assert_int_equal(hr_untrusted_chain_reason(2, 1),
                   HR_VERIFY_SELF_SIGNED_IN_CHAIN);
  assert_int_equal(hr_untrusted_chain_reason(1, 0), HR_VERIFY_UNKNOWN_ISSUER);
  assert_int_equal(hr_untrusted_chain_reason(2, 0), HR_VERIFY_UNKNOWN_ISSUER);
}

/* Subject and issuer as RFC 2253 (and OpenSSL) print them: the most
 * specific RDN first, a multi-valued RDN joined with '+', special
 * characters escaped. An RSA leaf takes ECDHE-RSA. */
static void names_and_suites(void **state) {
  (void)state;
  struct hr_tls_settings cs = client_settings("root.pem");
  void *cctx = client_ctx(&cs);
  struct server_opts so = {
      .cert = g.named, .key = g.leaf_key, .chain = {g.inter, NULL}};
  SSL_CTX *sctx = server_ctx(&so);
  struct link l;
  struct hr_tls_info info;
  link_open(&l, cctx, sctx, "localhost");
  expect_handshake_ok(&l);
  P->info(l.conn, &info);
  char openssl_text[256] = {0};
  BIO *b = BIO_new(BIO_s_mem());
  assert_non_null(b);
  X509_NAME_print_ex(b, X509_get_subject_name(g.named), 0, XN_FLAG_RFC2253);
  BIO_read(b, openssl_text, sizeof(openssl_text) - 1);
  BIO_free(b);
  assert_string_equal(info.subject, "CN=localhost,OU=b+OU=a,O=httpr\\, "
                                    "tests,C=DE");
  assert_string_equal(info.subject, openssl_text);
  link_close(&l);
  SSL_CTX_free(sctx);
  so.cert = g.rsa_leaf;
  so.key = g.rsa_key;
  sctx = server_ctx(&so);
  link_open(&l, cctx, sctx, "localhost");
  expect_handshake_ok(&l);
  P->info(l.conn, &info);
  assert_string_equal(info.cipher,
                      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
  assert_string_equal(
      info.cipher, SSL_CIPHER_standard_name(SSL_get_current_cipher(l.server)));
  link_close(&l);
  SSL_CTX_free(sctx);
  P->context_free(cctx);
}

/* ------------------------------------------------------------------------ */
/* Trust store loading.                                                     */

static void ca_dirs_hashed_or_not(void **state) {
  (void)state;
  const char *dirs[] = {"cadir", "hashdir"};
  for (size_t i = 0; i < 2; i++) {
    struct hr_tls_settings cs = client_settings(NULL);
    cs.trust.ca_dir = (char *)path_of(dirs[i]);
    struct session s;
    session_begin(&s, &cs, NULL, "localhost");
    expect_handshake_ok(&s.l);
    close_session(&s);
  }
}

/* A broken block is skipped; the good one after it is used. A CA file and
 * a directory together are both used. */
static void ca_file_with_a_broken_block(void **state) {
  (void)state;
  struct server_opts so = {
      .cert = g.leaf, .key = g.leaf_key, .chain = {g.inter, NULL}};
  good_chain("garbage-then-root.pem", &so, "localhost", 1, 1);
  struct hr_tls_settings cs = client_settings("other.pem");
  cs.trust.ca_dir = (char *)path_of("cadir");
  struct session s;
  session_begin(&s, &cs, &so, "localhost");
  expect_handshake_ok(&s.l);
  close_session(&s);
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
  cs.trust.ca_dir = (char *)path_of("no-such-dir");
  snprintf(want, sizeof(want),
           "CA directory '%s' (from config) cannot be read: No such file or "
           "directory",
           cs.trust.ca_dir);
  context_fails(&cs, HTTPR_E_CA_FILE, want, NULL);
  cs = client_settings(NULL);
  context_fails(&cs, HTTPR_E_CA_FILE, "no CA certificates configured", NULL);
}

/* ------------------------------------------------------------------------ */
/* Versions.                                                                */

/* A record a server answers the ClientHello with, and the message the
 * client must give for it. */
static void server_answers(const unsigned char *record, size_t len,
                           const char *message, const char *detail) {
  struct hr_tls_settings cs = client_settings("root.pem");
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
  static const char no_common[] = "no TLS version in common with the server "
                                  "(offered TLSv1.2 to TLSv1.2)";
  /* A TLS 1.3-only server: OpenSSL's says protocol_version, and the
   * message names what was offered. */
  struct hr_tls_settings cs = client_settings("root.pem");
  struct server_opts so = {.cert = g.leaf,
                           .key = g.leaf_key,
                           .chain = {g.inter, NULL},
                           .min = TLS1_3_VERSION,
                           .max = TLS1_3_VERSION};
  struct session s;
  httpr_error err = {0};
  session_begin(&s, &cs, &so, "localhost");
  expect_handshake_error(&s.l, HTTPR_E_TLS_HANDSHAKE, no_common, &err);
  assert_string_equal(err.detail, "mbedtls: -0x7780: SSL - A fatal alert "
                                  "message was received from our peer; "
                                  "alert 70 (protocol_version)");
  close_session(&s);
  /* A server that picks a version that was not offered (TLS 1.1). */
  unsigned char hello[47] = {0x16, 0x03, 0x03, 0x00, 0x2a, /* record */
                             0x02, 0x00, 0x00, 0x26,       /* ServerHello */
                             0x03, 0x02};                  /* TLS 1.1 */
  hello[9 + 2 + 32 + 1] = 0xc0; /* no session id, a suite */
  hello[9 + 2 + 32 + 2] = 0x2b;
  server_answers(hello, sizeof(hello), no_common, "mbedtls: -0x6E80: ");
  /* An alert of another kind keeps its own name. */
  static const unsigned char internal_error[] = {0x15, 0x03, 0x03, 0x00,
                                                 0x02, 0x02, 0x50};
  server_answers(internal_error, sizeof(internal_error),
                 "TLS handshake failed: server sent alert internal_error",
                 "alert 80 (internal_error)");
  /* TLS 1.3 cannot be asked for; nonsense is the caller's mistake. */
  static const struct {
    int min, max;
    httpr_code code;
    const char *message;
  } refused[] = {
      {13, 0, HTTPR_E_UNSUPPORTED,
       "the mbedtls provider does not support TLS 1.3"},
      {12, 13, HTTPR_E_UNSUPPORTED,
       "the mbedtls provider does not support TLS 1.3"},
      {13, 12, HTTPR_E_INVALID, "minimum TLS version is above the maximum"},
      {11, 0, HTTPR_E_INVALID, "unknown TLS version 11"},
      {12, 14, HTTPR_E_INVALID, "unknown TLS version 14"},
  };
  for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
    cs = client_settings("root.pem");
    cs.min_version = refused[i].min;
    cs.max_version = refused[i].max;
    context_fails(&cs, refused[i].code, refused[i].message, NULL);
  }
  /* 12 to 12 is what there is. */
  cs = client_settings("root.pem");
  cs.max_version = 12;
  P->context_free(client_ctx(&cs));
}

static void no_alpn(void **state) {
  (void)state;
  /* Not offered. */
  struct hr_tls_settings cs = client_settings("root.pem");
  cs.alpn = NULL;
  cs.alpn_len = 0;
  struct session s;
  struct hr_tls_info info;
  session_begin(&s, &cs, NULL, "localhost");
  expect_handshake_ok(&s.l);
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
  /* Several offered: the server's choice. */
  static const unsigned char two[] = "\x02h2\x08http/1.1";
  cs = client_settings("root.pem");
  cs.alpn = two;
  cs.alpn_len = sizeof(two) - 1;
  session_begin(&s, &cs, NULL, "localhost");
  expect_handshake_ok(&s.l);
  P->info(s.l.conn, &info);
  assert_string_equal(info.alpn, "http/1.1");
  close_session(&s);
  /* A malformed wire list is the caller's mistake. */
  static const unsigned char bad[] = "\x09http/1.1";
  static const unsigned char empty_name[] = "\x00\x08http/1.1";
  cs = client_settings("root.pem");
  cs.alpn = bad;
  cs.alpn_len = sizeof(bad) - 1;
  context_fails(&cs, HTTPR_E_INVALID, "the ALPN protocol list is invalid",
                NULL);
  cs.alpn = empty_name;
  cs.alpn_len = sizeof(empty_name) - 1;
  context_fails(&cs, HTTPR_E_INVALID, "the ALPN protocol list is invalid",
                NULL);
}

/* ------------------------------------------------------------------------ */
/* Client credentials.                                                      */

static const struct {
  enum hr_cred_kind kind;
  const char *cert, *key, *password;
  int chain; /* certificates sent after the client's */
} accepted_forms[] = {
    {HR_CRED_PEM, "client.pem", NULL, NULL, 0},
    {HR_CRED_PEM, "client-chain.pem", NULL, NULL, 1},
    {HR_CRED_PEM, "client-enc.pem", NULL, PASSWORD, 0},
    {HR_CRED_FILES, "client.crt", "client.key", NULL, 0},
    {HR_CRED_FILES, "client.crt", "k-aes256.pem", PASSWORD, 0},
    {HR_CRED_FILES, "client.crt", "k-aes128-sha1.pem", PASSWORD, 0},
    {HR_CRED_FILES, "client.crt", "k-aes192-sha512.pem", PASSWORD, 0},
    {HR_CRED_FILES, "client.crt", "k-pbes2-3des.pem", PASSWORD, 0},
    {HR_CRED_FILES, "client.crt", "k-pbe-3des.pem", PASSWORD, 0},
    {HR_CRED_FILES, "client.crt", "k-legacy.pem", PASSWORD, 0},
    {HR_CRED_FILES, "client.crt", "k-aes256-utf8.pem", UTF8_PASSWORD, 0},
    {HR_CRED_FILES, "client.crt", "k-pbe-3des-utf8.pem", UTF8_PASSWORD, 0},
    {HR_CRED_PKCS12, "p12-default.p12", NULL, PASSWORD, 1},
    {HR_CRED_PKCS12, "p12-3des.p12", NULL, PASSWORD, 1},
    {HR_CRED_PKCS12, "p12-nomac.p12", NULL, PASSWORD, 1},
    {HR_CRED_PKCS12, "p12-plain.p12", NULL, PASSWORD, 1},
    {HR_CRED_PKCS12, "p12-utf8.p12", NULL, UTF8_PASSWORD, 1},
    {HR_CRED_PKCS12, "p12-3des-utf8.p12", NULL, UTF8_PASSWORD, 1},
    /* Made with an empty password: none is needed, as with OpenSSL. */
    {HR_CRED_PKCS12, "p12-empty.p12", NULL, NULL, 1},
};
#define ACCEPTED_FORMS (sizeof(accepted_forms) / sizeof(accepted_forms[0]))

static struct hr_tls_settings accepted(size_t i) {
  return cred(accepted_forms[i].kind, accepted_forms[i].cert,
              accepted_forms[i].key, accepted_forms[i].password);
}

static void credentials_accepted(void **state) {
  (void)state;
  for (size_t i = 0; i < ACCEPTED_FORMS; i++) {
    struct hr_tls_settings s = accepted(i);
    httpr_error err = {0};
    void *ctx = NULL;
    httpr_code rc = P->context_new(&s, &ctx, &err);
    if (rc != HTTPR_OK)
      print_error("form %zu (%s %s): %s (%s)\n", i, accepted_forms[i].cert,
                  accepted_forms[i].key ? accepted_forms[i].key : "",
                  err.message, err.detail);
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
  cred_fails(cred(HR_CRED_FILES, "client.crt", "k-legacy.pem", NULL),
             msg("the key in '%s' is encrypted and no password was given",
                 path_of("k-legacy.pem")));
  cred_fails(cred(HR_CRED_FILES, "client.crt", "client-other.key", NULL),
             "client key does not match the certificate");
  cred_fails(cred(HR_CRED_PEM, "garbage.pem", NULL, NULL),
             msg("no private key found in '%s'", path_of("garbage.pem")));
  cred_fails(cred(HR_CRED_FILES, "client.crt", "k-rc2.pem", PASSWORD),
             msg("the key in '%s' uses an encryption the mbedtls provider "
                 "cannot decrypt",
                 path_of("k-rc2.pem")));
  cred_fails(cred(HR_CRED_PKCS12, "client.pem", NULL, PASSWORD),
             msg("client certificate file '%s' is not a PKCS#12 file",
                 path_of("client.pem")));
  cred_fails(cred(HR_CRED_PKCS12, "p12-default.p12", NULL, NULL),
             msg("the key in '%s' is encrypted and no password was given",
                 path_of("p12-default.p12")));
  cred_fails(cred(HR_CRED_PKCS12, "p12-nomac.p12", NULL, NULL),
             msg("the key in '%s' is encrypted and no password was given",
                 path_of("p12-nomac.p12")));
  cred_fails(cred(HR_CRED_PKCS12, "p12-legacy.p12", NULL, PASSWORD),
             msg("PKCS#12 file '%s' uses RC2 encryption, which the mbedtls "
                 "provider cannot decrypt",
                 path_of("p12-legacy.p12")));
  cred_fails(cred(HR_CRED_PKCS12, "p12-nocert.p12", NULL, PASSWORD),
             msg("client certificate file '%s' holds no certificate",
                 path_of("p12-nocert.p12")));
  cred_fails(cred(HR_CRED_PKCS12, "p12-nokey.p12", NULL, PASSWORD),
             msg("client certificate file '%s' holds no certificate",
                 path_of("p12-nokey.p12")));
  cred_fails(cred(HR_CRED_PKCS12, "missing.p12", NULL, PASSWORD),
             msg("client certificate file '%s' cannot be read: No such file or "
                 "directory",
                 path_of("missing.p12")));
  /* A key that does not parse, with mbedTLS's reason in the detail. */
  httpr_error err = {0};
  void *ctx = NULL;
  struct hr_tls_settings s = cred(HR_CRED_FILES, "client.crt", "bad.key", NULL);
  assert_true(write_text("bad.key", "-----BEGIN PRIVATE KEY-----\nAAAA\n"
                                    "-----END PRIVATE KEY-----\n"));
  assert_int_equal(P->context_new(&s, &ctx, &err), HTTPR_E_CLIENT_CERT);
  assert_string_equal(
      err.message, msg("the key in '%s' cannot be parsed", path_of("bad.key")));
  assert_memory_equal(err.detail, "mbedtls: -0x", 12);
}

static const struct {
  enum hr_cred_kind kind;
  const char *cert, *key, *password;
} wrong_forms[] = {
    {HR_CRED_PEM, "client-enc.pem", NULL, "wrong"},
    {HR_CRED_FILES, "client.crt", "k-aes256.pem", "wrong"},
    {HR_CRED_FILES, "client.crt", "k-aes128-sha1.pem", "wrong"},
    {HR_CRED_FILES, "client.crt", "k-aes192-sha512.pem", "wrong"},
    {HR_CRED_FILES, "client.crt", "k-pbes2-3des.pem", "wrong"},
    {HR_CRED_FILES, "client.crt", "k-pbe-3des.pem", "wrong"},
    {HR_CRED_FILES, "client.crt", "k-legacy.pem", "wrong"},
    {HR_CRED_FILES, "client.crt", "k-aes256-utf8.pem", PASSWORD},
    {HR_CRED_FILES, "client.crt", "k-pbe-3des-utf8.pem", PASSWORD},
    {HR_CRED_FILES, "client.crt", "k-pbe-3des.pem", UTF8_PASSWORD},
    {HR_CRED_PKCS12, "p12-default.p12", NULL, "wrong"},
    {HR_CRED_PKCS12, "p12-legacy.p12", NULL, "wrong"},
    {HR_CRED_PKCS12, "p12-3des.p12", NULL, "wrong"},
    {HR_CRED_PKCS12, "p12-nomac.p12", NULL, "wrong"},
    {HR_CRED_PKCS12, "p12-plain.p12", NULL, "wrong"},
    {HR_CRED_PKCS12, "p12-utf8.p12", NULL, PASSWORD},
    {HR_CRED_PKCS12, "p12-3des-utf8.p12", NULL, PASSWORD},
};

/* Tries wrong_forms[i]; err holds the failure. */
static void wrong_form(size_t i, httpr_error *err) {
  struct hr_tls_settings s = cred(wrong_forms[i].kind, wrong_forms[i].cert,
                                  wrong_forms[i].key, wrong_forms[i].password);
  void *ctx = NULL;
  assert_int_equal(P->context_new(&s, &ctx, err), HTTPR_E_CLIENT_CERT);
  assert_null(ctx);
}

static void wrong_passwords(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(wrong_forms) / sizeof(wrong_forms[0]); i++) {
    httpr_error err = {0};
    wrong_form(i, &err);
    if (strcmp(err.message, "wrong key password") != 0)
      print_error("form %zu: %s (%s)\n", i, err.message, err.detail);
    assert_string_equal(err.message, "wrong key password");
    assert_string_equal(err.hint, "check the password given with --pass or "
                                  "after --cert FILE:");
  }
  /* mbedTLS's own words, or what failed, stay in the detail. */
  static const struct {
    size_t form;
    const char *detail;
  } details[] = {
      {1, "mbedtls: -0x3B80: PK - Given private key password does not allow "
          "for correct decryption"},
      {5, "mbedtls: -0x3B80: PK - Given private key password does not allow "
          "for correct decryption"},
      {10, "mbedtls: the PKCS#12 MAC (SHA256, 2048 iterations) does not "
           "match"},
      {11, "mbedtls: the PKCS#12 MAC (SHA1, 2048 iterations) does not match"},
      /* Without a MAC the shrouded key (the first bag) tells. */
      {13, "mbedtls: -0x3B80: PK - Given private key password does not allow "
           "for correct decryption"},
  };
  for (size_t i = 0; i < sizeof(details) / sizeof(details[0]); i++) {
    httpr_error err = {0};
    wrong_form(details[i].form, &err);
    assert_string_equal(err.detail, details[i].detail);
  }
}

/* backends/mbedtls_pkcs.c on its own: DER and PEM input, each way a key
 * can be encrypted, and what a PKCS#12 file yields. */
static void pkcs_readers(void **state) {
  (void)state;
  static const struct {
    const char *file;
    int pem;
    const char *password;
    int want;
  } keys[] = {
      {"k-aes256.der", 0, PASSWORD, 0},
      {"k-aes256.der", 0, "wrong", MBEDTLS_ERR_PK_PASSWORD_MISMATCH},
      {"k-pbe-3des.der", 0, PASSWORD, 0},
      {"k-pbe-3des.der", 0, "wrong", MBEDTLS_ERR_PK_PASSWORD_MISMATCH},
      {"k-aes256.pem", 1, PASSWORD, 0},
      {"k-aes256.pem", 1, "", MBEDTLS_ERR_PK_PASSWORD_MISMATCH},
      {"k-aes256-utf8.pem", 1, UTF8_PASSWORD, 0},
      {"k-pbe-3des-utf8.pem", 1, UTF8_PASSWORD, 0},
      {"k-rc2.pem", 1, PASSWORD, MBEDTLS_ERR_PK_FEATURE_UNAVAILABLE},
      {"client.key", 1, NULL, 0},
  };
  mbedtls_x509_crt crt;
  mbedtls_x509_crt_init(&crt);
  assert_int_equal(mbedtls_x509_crt_parse_file(&crt, path_of("client.crt")), 0);
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
    size_t len = 0;
    unsigned char *data = read_all(keys[i].file, &len, keys[i].pem);
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    int ret = hr_mbed_parse_key(&pk, data, len, keys[i].password);
    if (ret != keys[i].want)
      print_error("%s: -0x%04x\n", keys[i].file, (unsigned)-ret);
    assert_int_equal(ret, keys[i].want);
    if (ret == 0)
      assert_int_equal(mbedtls_pk_check_pair(&crt.pk, &pk), 0);
    mbedtls_pk_free(&pk);
    free(data);
  }
  /* The key's certificate first, then the chain. */
  struct hr_mbed_pkcs12 p12;
  httpr_error err = {0};
  hr_mbed_pkcs12_init(&p12);
  assert_int_equal(hr_mbed_pkcs12_load(path_of("p12-3des-utf8.p12"),
                                       UTF8_PASSWORD, &p12, &err),
                   HTTPR_OK);
  assert_int_equal(p12.certs.raw.len, crt.raw.len);
  assert_memory_equal(p12.certs.raw.p, crt.raw.p, crt.raw.len);
  assert_non_null(p12.certs.next);
  unsigned char *root_der = NULL;
  int root_len = i2d_X509(g.root, &root_der);
  assert_int_equal(p12.certs.next->raw.len, (size_t)root_len);
  assert_memory_equal(p12.certs.next->raw.p, root_der, (size_t)root_len);
  assert_null(p12.certs.next->next);
  assert_int_equal(mbedtls_pk_check_pair(&crt.pk, &p12.key), 0);
  OPENSSL_free(root_der);
  hr_mbed_pkcs12_free(&p12);
  mbedtls_x509_crt_free(&crt);
}

/* A server that demands a client certificate, over TLS 1.2 (the only
 * version mbedTLS 2.28 has: the server refuses during the handshake). */
static void client_auth(struct session *s, const struct hr_tls_settings *cs) {
  struct server_opts so = {.cert = g.leaf,
                           .key = g.leaf_key,
                           .chain = {g.inter, NULL},
                           .require_client_cert = 1};
  session_begin(s, cs, &so, "localhost");
}

static void client_certificate_presented(void **state) {
  (void)state;
  for (size_t i = 0; i < ACCEPTED_FORMS; i++) {
    struct hr_tls_settings cs = accepted(i);
    struct session s;
    client_auth(&s, &cs);
    expect_handshake_ok(&s.l);
    client_write_all(&s.l, (const unsigned char *)"ping", 4, ROUNDS);
    unsigned char buf[4];
    server_read_exact(&s.l, buf, 4);
    assert_memory_equal(buf, "ping", 4);
    /* The server holds our certificate and its chain, and trusts them. */
    X509 *peer = SSL_get0_peer_certificate(s.l.server);
    assert_non_null(peer);
    assert_int_equal(X509_cmp(peer, g.client), 0);
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(s.l.server);
    assert_int_equal(chain ? sk_X509_num(chain) : 0, accepted_forms[i].chain);
    assert_int_equal(SSL_get_verify_result(s.l.server), X509_V_OK);
    close_session(&s);
  }
}

/* The server names the CAs it trusts and ours is not among them: the
 * certificate goes anyway and the server says no, as with OpenSSL. */
static void client_certificate_of_unknown_ca(void **state) {
  (void)state;
  struct hr_tls_settings cs =
      cred(HR_CRED_PEM, "unknown-client.pem", NULL, NULL);
  struct session s;
  httpr_error err = {0};
  client_auth(&s, &cs);
  expect_handshake_error(&s.l, HTTPR_E_TLS_HANDSHAKE,
                         "server rejected the client certificate (alert "
                         "unknown_ca)",
                         &err);
  assert_string_equal(err.detail, "mbedtls: -0x7780: SSL - A fatal alert "
                                  "message was received from our peer; "
                                  "alert 48 (unknown_ca)");
  assert_int_equal(s.l.server_state, -1);
  close_session(&s);
}

static void handshake_failure_alert_in_tls12(void **state) {
  (void)state;
  struct hr_tls_settings cs = client_settings("root.pem");
  struct session s;
  httpr_error err = {0};
  client_auth(&s, &cs);
  expect_handshake_error(&s.l, HTTPR_E_TLS_HANDSHAKE,
                         "TLS handshake failed: server sent alert "
                         "handshake_failure",
                         &err);
  assert_string_equal(err.detail, "mbedtls: -0x7780: SSL - A fatal alert "
                                  "message was received from our peer; "
                                  "alert 40 (handshake_failure)");
  close_session(&s);
}

/* ------------------------------------------------------------------------ */
/* Key log.                                                                 */

static void hex(char *out, const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    snprintf(out + 2 * i, 3, "%02x", p[i]);
}

/* TLS 1.2: one line, the client random and the master secret, exactly
 * what the server holds. */
static void key_log_lines(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_keylog *log = NULL;
  const char *path = path_of("keys.log");
  assert_int_equal(hr_keylog_open(path, &log, &err, NULL), HTTPR_OK);
  struct hr_tls_settings cs = client_settings("root.pem");
  cs.keylog = log;
  struct session s;
  session_begin(&s, &cs, NULL, "localhost");
  expect_handshake_ok(&s.l);
  unsigned char random[32], master[48];
  assert_int_equal(SSL_get_client_random(s.l.server, random, 32), 32);
  assert_int_equal(
      SSL_SESSION_get_master_key(SSL_get_session(s.l.server), master, 48), 48);
  char want[200] = "CLIENT_RANDOM ";
  hex(want + strlen(want), random, 32);
  strcat(want, " ");
  hex(want + strlen(want), master, 48);
  strcat(want, "\n");
  close_session(&s);
  hr_keylog_close(log);
  size_t len = 0;
  unsigned char *text = read_all("keys.log", &len, 1);
  assert_string_equal((const char *)text, want);
  free(text);
  unlink(path);
}

/* mbedTLS has no key log of its own; with the provider no line ever went
 * to SSLKEYLOGFILE (set since the start of this program). */
static void no_key_log_without_opt_in(void **state) {
  (void)state;
  struct session s;
  open_session(&s, 0);
  close_session(&s);
  assert_int_equal(access(path_of("env-keys.log"), F_OK), -1);
}

/* ------------------------------------------------------------------------ */
/* One context, many connections, several threads.                          */

/* The DRBG, the trust list and the client key (signing in every
 * handshake) shared by all. */
static void context_shared_by_threads(void **state) {
  (void)state;
  struct hr_tls_settings cs = cred(HR_CRED_PEM, "client.pem", NULL, NULL);
  struct server_opts so = {.cert = g.leaf,
                           .key = g.leaf_key,
                           .chain = {g.inter, NULL},
                           .require_client_cert = 1};
  void *cctx = client_ctx(&cs);
  SSL_CTX *sctx = server_ctx(&so);
  expect_shared_by_threads(cctx, sctx);
  SSL_CTX_free(sctx);
  P->context_free(cctx);
}

/* ------------------------------------------------------------------------ */
/* Session resumption (TLS 1.2): a ticket, with the random session id      */
/* mbedTLS offers beside it, or a session id, echoed when the server       */
/* resumes.                                                                 */

static void session_resumed(void **state) {
  (void)state;
  expect_session_resumed(0, NULL);
}

/* A server without tickets: the session id it gave is offered, and
 * echoed. */
static void session_resumed_from_the_server_cache(void **state) {
  (void)state;
  struct server_opts so = {.cert = g.leaf,
                           .key = g.leaf_key,
                           .chain = {g.inter, NULL},
                           .no_tickets = 1};
  expect_session_resumed(0, &so);
}

static void session_refused_by_the_server(void **state) {
  (void)state;
  struct server_opts so = {.cert = g.leaf,
                           .key = g.leaf_key,
                           .chain = {g.inter, NULL},
                           .no_tickets = 1,
                           .no_cache = 1};
  expect_session_refused(0, &so);
}

static void session_from_another_server(void **state) {
  (void)state;
  /* A context of its own: other ticket keys, an empty cache. */
  struct server_opts so = {
      .cert = g.leaf, .key = g.leaf_key, .chain = {g.inter, NULL}};
  expect_session_refused(0, &so);
}

static void session_offer_rules(void **state) {
  (void)state;
  expect_session_offer_rules();
}

int main(void) {
  memory_test_use(&mbedtls_memory);
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
      cmocka_unit_test(names_and_suites),
      cmocka_unit_test(ca_dirs_hashed_or_not),
      cmocka_unit_test(ca_file_with_a_broken_block),
      cmocka_unit_test(ca_sources_without_certificates),
      cmocka_unit_test(versions),
      cmocka_unit_test(no_alpn),
      cmocka_unit_test(credentials_accepted),
      cmocka_unit_test(credentials_refused),
      cmocka_unit_test(wrong_passwords),
      cmocka_unit_test(pkcs_readers),
      cmocka_unit_test(client_certificate_presented),
      cmocka_unit_test(client_certificate_of_unknown_ca),
      cmocka_unit_test(handshake_failure_alert_in_tls12),
      cmocka_unit_test(key_log_lines),
      cmocka_unit_test(context_shared_by_threads),
      cmocka_unit_test(session_resumed),
      cmocka_unit_test(session_resumed_from_the_server_cache),
      cmocka_unit_test(session_refused_by_the_server),
      cmocka_unit_test(session_from_another_server),
      cmocka_unit_test(session_offer_rules),
      cmocka_unit_test(no_key_log_without_opt_in),
  };
  return cmocka_run_group_tests_name("mbedtls_memory", tests, group_setup,
                                     group_teardown);
}
