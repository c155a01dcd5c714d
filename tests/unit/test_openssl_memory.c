/*
 * test_openssl_memory.c - the OpenSSL provider's client against an OpenSSL
 * server, entirely in memory: the client's hr_tls_io callbacks and the
 * server's BIO share two byte queues (tests/unit/tls_memory.c), so the
 * tests control every byte and every "would block". It proves the
 * non-blocking contract (want-write, want-read, byte-at-a-time progress),
 * the handshake and its info, application data, close_notify and EOF, the
 * verification and alert mappings onto the shared wording, client
 * credentials in every form, the key log, a context shared by threads, and
 * session resumption (and its refusal) in TLS 1.2 and 1.3.
 * The PKI is made in-process at start-up and removed at the end.
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

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "backends/identity.h"
#include "backends/keylog.h"
#include "backends/provider.h"
#include "backends/tls_errors.h"
#include "tests/unit/pki_files.h"
#include "tests/unit/tls_memory.h"

extern const struct hr_tls_provider hr_provider_openssl;
static const struct hr_tls_provider *const P = &hr_provider_openssl;

/* ------------------------------------------------------------------------ */
/* The PKI: made once, in memory and in a private temporary directory.      */

struct pki {
  EVP_PKEY *root_key, *inter_key, *leaf_key, *self_key, *other_key;
  EVP_PKEY *client_key, *client_other_key;
  X509 *root, *inter, *leaf, *expired, *self, *other, *client;
};
static struct pki g;

static int add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value) {
  X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, v3, nid, value);
  int ok = ext && X509_add_ext(x, ext, -1);
  X509_EXTENSION_free(ext);
  return ok;
}

enum cert_role { ROLE_CA, ROLE_SERVER, ROLE_CLIENT };

/* A certificate for key, issued by issuer (NULL: self-signed), valid from
 * now + from_s to now + to_s. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, enum cert_role role,
                       const char *san, X509 *issuer, EVP_PKEY *issuer_key,
                       long from_s, long to_s) {
  static long serial = 1000;
  X509 *x = X509_new();
  X509V3_CTX v3;
  int ok =
      x && X509_set_version(x, X509_VERSION_3) &&
      ASN1_INTEGER_set(X509_get_serialNumber(x), serial++) &&
      X509_gmtime_adj(X509_getm_notBefore(x), from_s) &&
      X509_gmtime_adj(X509_getm_notAfter(x), to_s) && X509_set_pubkey(x, key) &&
      X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                                 (const unsigned char *)cn, -1, -1, 0) &&
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

static int write_encrypted_keys(void) {
  BIO *b = BIO_new_file(path_of("client-pkcs8-enc.key"), "w");
  int ok =
      b && PEM_write_bio_PKCS8PrivateKey(b, g.client_key, EVP_aes_256_cbc(),
                                         PASSWORD, 6, NULL, NULL);
  BIO_free(b);
  b = ok ? BIO_new_file(path_of("client-legacy-enc.key"), "w") : NULL;
  ok = b && PEM_write_bio_PrivateKey_traditional(
                b, g.client_key, EVP_aes_256_cbc(), (unsigned char *)PASSWORD,
                6, NULL, NULL);
  BIO_free(b);
  b = ok ? BIO_new_file(path_of("client-enc.pem"), "w") : NULL;
  ok = b && PEM_write_bio_X509(b, g.client) &&
       PEM_write_bio_PKCS8PrivateKey(b, g.client_key, EVP_aes_256_cbc(),
                                     PASSWORD, 6, NULL, NULL);
  BIO_free(b);
  return ok;
}

/* PKCS#12 as OpenSSL 3 makes it by default: the certificates (the
 * client's and the root) in PBES2/AES-256 encrypted data, the key in a
 * shrouded key bag, and a MAC, or none (mac_iter -1, as with -nomac). */
static int write_one_pkcs12(const char *name, int mac_iter) {
  STACK_OF(X509) *ca = sk_X509_new_null();
  int ok = ca && sk_X509_push(ca, g.root);
  PKCS12 *p12 =
      ok ? PKCS12_create(PASSWORD, "httpr memory client", g.client_key,
                         g.client, ca, 0, 0, 0, mac_iter, 0)
         : NULL;
  BIO *b = p12 ? BIO_new_file(path_of(name), "wb") : NULL;
  ok = b && i2d_PKCS12_bio(b, p12);
  BIO_free(b);
  PKCS12_free(p12);
  sk_X509_free(ca);
  return ok;
}

static int write_pkcs12(void) {
  return write_one_pkcs12("client.p12", 0) &&
         write_one_pkcs12("client-nomac.p12", -1);
}

static int make_pki(void) {
  const long day = 86400;
  const char *san = "DNS:localhost,IP:127.0.0.1,IP:::1";
  g.root_key = EVP_EC_gen("P-256");
  g.inter_key = EVP_EC_gen("P-256");
  g.leaf_key = EVP_EC_gen("P-256");
  g.self_key = EVP_EC_gen("P-256");
  g.other_key = EVP_EC_gen("P-256");
  g.client_key = EVP_EC_gen("P-256");
  g.client_other_key = EVP_EC_gen("P-256");
  if (!g.root_key || !g.inter_key || !g.leaf_key || !g.self_key ||
      !g.other_key || !g.client_key || !g.client_other_key)
    return 0;
  g.root = make_cert(g.root_key, "httpr memory root", ROLE_CA, NULL, NULL, NULL,
                     -day, 30 * day);
  g.inter = make_cert(g.inter_key, "httpr memory intermediate", ROLE_CA, NULL,
                      g.root, g.root_key, -day, 30 * day);
  g.leaf = make_cert(g.leaf_key, "localhost", ROLE_SERVER, san, g.inter,
                     g.inter_key, -day, 30 * day);
  g.expired = make_cert(g.leaf_key, "localhost", ROLE_SERVER, san, g.inter,
                        g.inter_key, -30 * day, -day);
  g.self = make_cert(g.self_key, "localhost", ROLE_SERVER, san, NULL, NULL,
                     -day, 30 * day);
  g.other = make_cert(g.other_key, "httpr other root", ROLE_CA, NULL, NULL,
                      NULL, -day, 30 * day);
  g.client = make_cert(g.client_key, "httpr memory client", ROLE_CLIENT, NULL,
                       g.root, g.root_key, -day, 30 * day);
  if (!g.root || !g.inter || !g.leaf || !g.expired || !g.self || !g.other ||
      !g.client)
    return 0;
  return write_pem("root.pem", &g.root, 1, NULL) &&
         write_pem("inter.pem", &g.inter, 1, NULL) &&
         write_pem("self.pem", &g.self, 1, NULL) &&
         write_pem("other.pem", &g.other, 1, NULL) &&
         write_pem("client.pem", &g.client, 1, g.client_key) &&
         write_pem("client.crt", &g.client, 1, NULL) &&
         write_pem("client.key", NULL, 0, g.client_key) &&
         write_pem("client-other.key", NULL, 0, g.client_other_key) &&
         write_pem("cadir/my-root.pem", &g.root, 1, NULL) &&
         write_text("cadir/README.txt", "not a certificate\n") &&
         write_text("garbage.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n"
                                   "-----END CERTIFICATE-----\n") &&
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
  if (!pki_dir_create("httpr-ossl") || mkdir(path_of("cadir"), 0700) ||
      mkdir(path_of("emptydir"), 0700))
    return -1;
  if (P->global_init(&err) != HTTPR_OK || !make_pki() || !make_queue_bio()) {
    ERR_print_errors_fp(stderr);
    return -1;
  }
  ERR_clear_error();
  return 0;
}

static int group_teardown(void **state) {
  (void)state;
  EVP_PKEY *keys[] = {g.root_key,  g.inter_key,  g.leaf_key,        g.self_key,
                      g.other_key, g.client_key, g.client_other_key};
  X509 *certs[] = {g.root, g.inter, g.leaf,  g.expired,
                   g.self, g.other, g.client};
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
    EVP_PKEY_free(keys[i]);
  for (size_t i = 0; i < sizeof(certs) / sizeof(certs[0]); i++)
    X509_free(certs[i]);
  BIO_meth_free(queue_bio);
  P->global_cleanup();
  return pki_dir_remove();
}

struct server_opts {
  X509 *cert;
  EVP_PKEY *key;
  X509 *chain; /* sent after the leaf, or NULL */
  int min, max;
  int require_client_cert;
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
  if (o->chain)
    assert_int_equal(SSL_CTX_add1_chain_cert(ctx, o->chain), 1);
  assert_int_equal(SSL_CTX_set_min_proto_version(ctx, o->min), 1);
  assert_int_equal(SSL_CTX_set_max_proto_version(ctx, o->max), 1);
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
  struct server_opts o = {.cert = g.leaf, .key = g.leaf_key, .chain = g.inter};
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

static void server_step(struct link *l) {
  if (l->server_state != 0)
    return;
  int r = SSL_do_handshake(l->server);
  if (r == 1) {
    l->server_state = 1;
  } else {
    int e = SSL_get_error(l->server, r);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
      l->server_state = -1;
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
  assert_int_equal(SSL_write(l->server, buf, (int)len), (int)len);
}

static void *server_new(const void *opts) { return server_ctx(opts); }
static void *usual_server(void) { return good_server(); }
static void server_free(void *sctx) { SSL_CTX_free(sctx); }

/* The provider's errors stay off the thread's queue. */
static void no_openssl_errors(void) { assert_int_equal(ERR_peek_error(), 0); }

static int server_resumed(const struct link *l) {
  return SSL_session_reused(l->server) == 1;
}

static const struct memory_test openssl_memory = {
    .provider = &hr_provider_openssl,
    .server_new = server_new,
    .good_server = usual_server,
    .server_free = server_free,
    .server_open = server_open,
    .server_close = server_close,
    .server_step = server_step,
    .server_read = server_read,
    .server_write = server_write,
    .expect_clean = no_openssl_errors,
    .server_resumed = server_resumed,
};

/* ------------------------------------------------------------------------ */
/* The provider's identity.                                                 */

static void provider_identity(void **state) {
  (void)state;
  assert_string_equal(P->name, "openssl");
  assert_int_equal(P->features,
                   HTTPR_FEATURE_TLS13 | HTTPR_FEATURE_TLS12 |
                       HTTPR_FEATURE_CA_DIR | HTTPR_FEATURE_PKCS12 |
                       HTTPR_FEATURE_ENCRYPTED_KEY | HTTPR_FEATURE_KEYLOG |
                       HTTPR_FEATURE_ALPN | HTTPR_FEATURE_SYSTEM_STORE |
                       HTTPR_FEATURE_SESSION_RESUME |
                       HTTPR_FEATURE_PEER_CRITICAL_NC);
  assert_string_equal(P->library_version(), OpenSSL_version(OPENSSL_VERSION));
  httpr_error err = {0};
  assert_int_equal(P->global_init(&err), HTTPR_OK); /* idempotent */
  P->global_cleanup(); /* does nothing: OpenSSL stays usable */
  SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
  assert_non_null(ctx);
  SSL_CTX_free(ctx);
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
  assert_string_equal(info.cipher,
                      SSL_CIPHER_get_name(SSL_get_current_cipher(s.l.server)));
  assert_memory_equal(info.cipher, "TLS_", 4);
  assert_string_equal(info.alpn, "http/1.1");
  assert_string_equal(info.subject, "CN=localhost");
  assert_string_equal(info.issuer, "CN=httpr memory intermediate");
  assert_int_equal(info.resumed, 0);
  /* SNI carried the name. */
  assert_string_equal(SSL_get_servername(s.l.server, TLSEXT_NAMETYPE_host_name),
                      "localhost");
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
  open_session(&s, 12);
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
  assert_non_null(strstr(err.detail, "unexpected eof while reading"));
  assert_int_equal(ERR_peek_error(), 0);
  /* After a fatal error there is nothing to close. */
  assert_int_equal(P->shutdown(s.l.conn, &err), HR_TLS_DONE);
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
  assert_int_equal(ERR_peek_error(), 0);
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
  close_session(&s);
}

/* ------------------------------------------------------------------------ */
/* Verification.                                                            */

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
            "openssl: X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT (18): "
            "self-signed certificate",
            "the server's certificate is self-signed: trust it with "
            "--cacert, or use -k for testing only",
            ANY_ALERT);
}

static void chain_wrong_anchor(void **state) {
  (void)state;
  struct server_opts so = {.cert = g.leaf, .key = g.leaf_key, .chain = g.inter};
  bad_chain("other.pem", &so, "localhost", HTTPR_E_CERT_UNTRUSTED,
            "certificate verify failed: unable to get local issuer "
            "certificate",
            "openssl: X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY (20): "
            "unable to get local issuer certificate",
            "the CA bundle lacks the issuer: give it with --cacert or "
            "SSL_CERT_FILE",
            ANY_ALERT);
}

static void root_sent_but_not_trusted(void **state) {
  (void)state;
  /* The server sends its whole chain up to the root we do not trust. */
  SSL_CTX *sctx;
  struct server_opts so = {.cert = g.leaf, .key = g.leaf_key, .chain = g.inter};
  struct hr_tls_settings cs = client_settings("other.pem");
  void *cctx = client_ctx(&cs);
  sctx = server_ctx(&so);
  assert_int_equal(SSL_CTX_add1_chain_cert(sctx, g.root), 1);
  struct link l;
  httpr_error err = {0};
  link_open(&l, cctx, sctx, "localhost");
  expect_handshake_error(&l, HTTPR_E_CERT_UNTRUSTED,
                         "certificate verify failed: self-signed "
                         "certificate in certificate chain",
                         &err);
  assert_string_equal(err.detail,
                      "openssl: X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN (19): "
                      "self-signed certificate in certificate chain");
  link_close(&l);
  SSL_CTX_free(sctx);
  P->context_free(cctx);
}

static void intermediate_as_trust_anchor(void **state) {
  (void)state;
  struct server_opts so = {.cert = g.leaf, .key = g.leaf_key, .chain = g.inter};
  good_chain("inter.pem", &so, "localhost", 1, 1);
}

static void expired_leaf(void **state) {
  (void)state;
  struct server_opts so = {
      .cert = g.expired, .key = g.leaf_key, .chain = g.inter};
  bad_chain("root.pem", &so, "localhost", HTTPR_E_CERT_EXPIRED,
            "certificate verify failed: certificate has expired",
            "openssl: X509_V_ERR_CERT_HAS_EXPIRED (10): certificate has "
            "expired",
            NULL, ANY_ALERT);
}

static void host_name_mismatch(void **state) {
  (void)state;
  struct server_opts so = {.cert = g.leaf, .key = g.leaf_key, .chain = g.inter};
  bad_chain("root.pem", &so, "www.example.com", HTTPR_E_CERT_HOSTNAME,
            "certificate verify failed: certificate does not match host "
            "name 'www.example.com'",
            "openssl: X509_V_ERR_HOSTNAME_MISMATCH (62): hostname mismatch",
            "the certificate is for another name: check the URL, or use "
            "--resolve to reach this address under the certificate's name",
            ANY_ALERT);
  /* The identity check off forgives the name, not the chain. */
  good_chain("root.pem", &so, "www.example.com", 1, 0);
  /* A trailing dot names the same host. */
  good_chain("root.pem", &so, "localhost.", 1, 1);
}

static void ip_literal_identity_and_no_sni(void **state) {
  (void)state;
  struct server_opts so = {.cert = g.leaf, .key = g.leaf_key, .chain = g.inter};
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
            "openssl: X509_V_ERR_IP_ADDRESS_MISMATCH (64): IP address "
            "mismatch",
            NULL, ANY_ALERT);
}

static void verify_off_accepts_anything(void **state) {
  (void)state;
  struct server_opts self = {.cert = g.self, .key = g.self_key};
  struct server_opts expired = {.cert = g.expired, .key = g.leaf_key};
  good_chain(NULL, &self, "localhost", 0, 1);
  good_chain(NULL, &expired, "www.example.com", 0, 1);
}

/* The rules OpenSSL applies with the provider's flags are those of
 * backends/identity.h, pattern by pattern. */
static void openssl_names_equal_shared_rules(void **state) {
  (void)state;
  static const char *const patterns[] = {
      "www.example.com", "*.example.com", "*.com",           "f*.example.com",
      "*o.example.com",  "www.*.com",     "WWW.EXAMPLE.COM", "*.exa_mple.com",
      "*..com",          "example.com.",
  };
  static const char *const hosts[] = {
      "www.example.com", "WWW.example.com",  "example.com",
      "a.b.example.com", "foo.example.com",  "www.com",
      "a_b.example.com", "www.exa_mple.com", "xn--bcher-kva.example.com",
  };
  for (size_t p = 0; p < sizeof(patterns) / sizeof(patterns[0]); p++) {
    char san[96];
    snprintf(san, sizeof(san), "DNS:%s", patterns[p]);
    X509 *x = make_cert(g.leaf_key, "n", ROLE_SERVER, san, NULL, NULL, 0, 60);
    assert_non_null(x);
    for (size_t h = 0; h < sizeof(hosts) / sizeof(hosts[0]); h++) {
      int ossl = X509_check_host(x, hosts[h], 0,
                                 X509_CHECK_FLAG_NEVER_CHECK_SUBJECT |
                                     X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS,
                                 NULL) == 1;
      int shared =
          hr_identity_match_dns(hosts[h], patterns[p], strlen(patterns[p]));
      if (ossl != shared)
        print_error("host %s pattern %s: openssl %d shared %d\n", hosts[h],
                    patterns[p], ossl, shared);
      assert_int_equal(ossl, shared);
    }
    X509_free(x);
  }
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
  context_fails(&cs, HTTPR_E_CA_FILE, want, NULL);
  cs = client_settings("missing.pem");
  snprintf(want, sizeof(want),
           "CA file '%s' (from config) cannot be read: No such file or "
           "directory",
           cs.trust.ca_file);
  context_fails(&cs, HTTPR_E_CA_FILE, want, NULL);
}

/* ------------------------------------------------------------------------ */
/* Versions.                                                                */

static void version_mismatch(int client_min, int client_max, int server_min,
                             int server_max, const char *message) {
  struct hr_tls_settings cs = client_settings("root.pem");
  cs.min_version = client_min;
  cs.max_version = client_max;
  struct server_opts so = {.cert = g.leaf,
                           .key = g.leaf_key,
                           .chain = g.inter,
                           .min = server_min,
                           .max = server_max};
  struct session s;
  httpr_error err = {0};
  session_begin(&s, &cs, &so, "localhost");
  expect_handshake_error(&s.l, HTTPR_E_TLS_HANDSHAKE, message, &err);
  close_session(&s);
}

static void versions(void **state) {
  (void)state;
  version_mismatch(13, 0, TLS1_2_VERSION, TLS1_2_VERSION,
                   "no TLS version in common with the server (offered "
                   "TLSv1.3 to TLSv1.3)");
  version_mismatch(12, 12, TLS1_3_VERSION, TLS1_3_VERSION,
                   "no TLS version in common with the server (offered "
                   "TLSv1.2 to TLSv1.2)");
  /* TLS 1.2 when asked. */
  struct session s;
  open_session(&s, 12);
  struct hr_tls_info info;
  P->info(s.l.conn, &info);
  assert_string_equal(info.version, "TLSv1.2");
  assert_string_equal(info.alpn, "http/1.1");
  close_session(&s);
  /* A minimum above the maximum is the caller's mistake. */
  struct hr_tls_settings cs = client_settings("root.pem");
  cs.min_version = 13;
  cs.max_version = 12;
  context_fails(&cs, HTTPR_E_INVALID,
                "minimum TLS version is above the maximum", NULL);
}

static void no_alpn_offered(void **state) {
  (void)state;
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
}

/* ------------------------------------------------------------------------ */
/* Client credentials.                                                      */

/* Names, not settings: cred() takes paths from path_of()'s 16 rotating
 * buffers, fewer than a table of settings would need. */
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
  cred_fails(cred(HR_CRED_PKCS12, "client.pem", NULL, PASSWORD),
             msg("client certificate file '%s' is not a PKCS#12 file",
                 path_of("client.pem")));
  cred_fails(cred(HR_CRED_PKCS12, "client.p12", NULL, NULL),
             msg("the key in '%s' is encrypted and no password was given",
                 path_of("client.p12")));
  cred_fails(cred(HR_CRED_PKCS12, "client-nomac.p12", NULL, NULL),
             msg("the key in '%s' is encrypted and no password was given",
                 path_of("client-nomac.p12")));
  cred_fails(cred(HR_CRED_PKCS12, "client-nomac.p12", NULL, ""),
             msg("the key in '%s' is encrypted and no password was given",
                 path_of("client-nomac.p12")));
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
  /* OpenSSL's own words stay in the detail: usually "bad decrypt", but
   * about one wrong password in 200 gets past the padding check and then
   * fails decoding ("wrong tag"), so only the prefix is certain. */
  httpr_error err = {0};
  void *ctx = NULL;
  assert_int_equal(P->context_new(&forms[1], &ctx, &err), HTTPR_E_CLIENT_CERT);
  assert_memory_equal(err.detail, "openssl: error:", 15);
}

/* A wrong password under which the encrypted certificates of
 * client-nomac.p12 pass the padding check (about one in 256 does) and
 * decrypt to garbage that is no SafeContents; found with OpenSSL's
 * primitives, not the provider. 1, or 0 when none was found. */
static int password_past_the_padding(char *out, size_t size) {
  BIO *b = BIO_new_file(path_of("client-nomac.p12"), "rb");
  PKCS12 *p12 = b ? d2i_PKCS12_bio(b, NULL) : NULL;
  STACK_OF(PKCS7) *safes = p12 ? PKCS12_unpack_authsafes(p12) : NULL;
  PKCS7_ENC_CONTENT *enc = NULL;
  for (int i = 0; safes && i < sk_PKCS7_num(safes); i++) {
    PKCS7 *p7 = sk_PKCS7_value(safes, i);
    if (PKCS7_type_is_encrypted(p7))
      enc = p7->d.encrypted->enc_data;
  }
  int found = 0;
  for (int i = 0; enc && !found && i < 20000; i++) {
    unsigned char *plain = NULL;
    int plain_len = 0;
    snprintf(out, size, "wrong%d", i);
    if (PKCS12_pbe_crypt_ex(enc->algorithm, out, (int)strlen(out),
                            enc->enc_data->data, enc->enc_data->length, &plain,
                            &plain_len, 0, NULL, NULL)) {
      const unsigned char *q = plain;
      ASN1_VALUE *bags =
          ASN1_item_d2i(NULL, &q, plain_len, ASN1_ITEM_rptr(PKCS12_SAFEBAGS));
      found = bags == NULL;
      ASN1_item_free(bags, ASN1_ITEM_rptr(PKCS12_SAFEBAGS));
      OPENSSL_free(plain);
    }
  }
  ERR_clear_error();
  sk_PKCS7_pop_free(safes, PKCS7_free);
  PKCS12_free(p12);
  BIO_free(b);
  return found;
}

/* Without a MAC nothing but the decryption tells a wrong password, and
 * garbage that got past the padding check must say so too. */
static void nomac_wrong_password_past_the_padding(void **state) {
  (void)state;
  char password[32];
  assert_true(password_past_the_padding(password, sizeof(password)));
  struct hr_tls_settings s =
      cred(HR_CRED_PKCS12, "client-nomac.p12", NULL, password);
  context_fails(&s, HTTPR_E_CLIENT_CERT, "wrong key password",
                "check the password given with --pass or after --cert FILE:");
}

/* A server that demands a client certificate, over TLS 1.3 (the alert
 * comes after the client's Finished) or TLS 1.2 (during the handshake). */
static void client_auth(struct session *s, const struct hr_tls_settings *cs,
                        int tls) {
  struct server_opts so = {.cert = g.leaf,
                           .key = g.leaf_key,
                           .chain = g.inter,
                           .min = tls,
                           .max = tls,
                           .require_client_cert = 1};
  session_begin(s, cs, &so, "localhost");
}

static void client_certificate_presented(void **state) {
  (void)state;
  struct hr_tls_settings forms[] = {
      cred(HR_CRED_PEM, "client.pem", NULL, NULL),
      cred(HR_CRED_PKCS12, "client.p12", NULL, PASSWORD),
      cred(HR_CRED_PKCS12, "client-nomac.p12", NULL, PASSWORD),
  };
  for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
    struct session s;
    client_auth(&s, &forms[i], TLS1_3_VERSION);
    expect_handshake_ok(&s.l);
    client_write_all(&s.l, (const unsigned char *)"ping", 4, ROUNDS);
    unsigned char buf[4];
    server_read_exact(&s.l, buf, 4);
    assert_memory_equal(buf, "ping", 4);
    X509 *peer = SSL_get0_peer_certificate(s.l.server);
    assert_non_null(peer);
    assert_int_equal(X509_cmp(peer, g.client), 0);
    assert_int_equal(SSL_get_verify_result(s.l.server), X509_V_OK);
    close_session(&s);
  }
}

static void certificate_required_alert_on_first_read(void **state) {
  (void)state;
  struct hr_tls_settings cs = client_settings("root.pem");
  struct session s;
  httpr_error err = {0};
  client_auth(&s, &cs, TLS1_3_VERSION);
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
  assert_non_null(strstr(err.detail, "certificate required"));
  assert_int_equal(ERR_peek_error(), 0);
  close_session(&s);
}

static void handshake_failure_alert_in_tls12(void **state) {
  (void)state;
  struct hr_tls_settings cs = client_settings("root.pem");
  struct session s;
  httpr_error err = {0};
  client_auth(&s, &cs, TLS1_2_VERSION);
  expect_handshake_error(&s.l, HTTPR_E_TLS_HANDSHAKE,
                         "TLS handshake failed: server sent alert "
                         "handshake_failure",
                         &err);
  close_session(&s);
}

/* ------------------------------------------------------------------------ */
/* Key log.                                                                 */

static void key_log_lines(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_keylog *log = NULL;
  const char *path = path_of("keys.log");
  assert_int_equal(hr_keylog_open(path, &log, &err), HTTPR_OK);
  struct hr_tls_settings cs = client_settings("root.pem");
  cs.keylog = log;
  struct session s;
  session_begin(&s, &cs, NULL, "localhost");
  expect_handshake_ok(&s.l);
  unsigned char random[32];
  assert_int_equal(SSL_get_client_random(s.l.server, random, 32), 32);
  /* Secrets are as long as the suite's hash (48 bytes for SHA-384). */
  const EVP_MD *md =
      SSL_CIPHER_get_handshake_digest(SSL_get_current_cipher(s.l.server));
  assert_non_null(md);
  size_t secret_len = (size_t)EVP_MD_get_size(md);
  close_session(&s);
  hr_keylog_close(log);

  static const char *const labels[] = {
      "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
      "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET"};
  int found[5] = {0};
  assert_int_equal(read_key_log(path, random, secret_len, labels, found, 5), 5);
  for (int i = 0; i < 5; i++)
    assert_int_equal(found[i], 1);
  unlink(path);
}

static void no_key_log_without_opt_in(void **state) {
  (void)state;
  /* A context without a key log writes nothing anywhere we can see; the
   * callback is simply not installed. SSLKEYLOGFILE is not read here. */
  setenv("SSLKEYLOGFILE", path_of("env-keys.log"), 1);
  struct session s;
  open_session(&s, 0);
  close_session(&s);
  unsetenv("SSLKEYLOGFILE");
  assert_int_equal(access(path_of("env-keys.log"), F_OK), -1);
}

/* ------------------------------------------------------------------------ */
/* One context, many connections, several threads.                          */

static void context_shared_by_threads(void **state) {
  (void)state;
  struct hr_tls_settings cs = client_settings("root.pem");
  void *cctx = client_ctx(&cs);
  SSL_CTX *sctx = good_server();
  expect_shared_by_threads(cctx, sctx);
  SSL_CTX_free(sctx);
  P->context_free(cctx);
}

/* ------------------------------------------------------------------------ */
/* Session resumption: tickets in TLS 1.3, tickets and ids in TLS 1.2.      */

static void session_resumed(void **state) {
  (void)state;
  expect_session_resumed(12, NULL);
  expect_session_resumed(0, NULL);
}

/* A server that keeps sessions itself: TLS 1.2 resumes by session id,
 * TLS 1.3 by a ticket that only names the cached session. */
static void session_resumed_from_the_server_cache(void **state) {
  (void)state;
  struct server_opts so = {
      .cert = g.leaf, .key = g.leaf_key, .chain = g.inter, .no_tickets = 1};
  expect_session_resumed(12, &so);
  expect_session_resumed(0, &so);
}

static void session_refused_by_the_server(void **state) {
  (void)state;
  struct server_opts so = {.cert = g.leaf,
                           .key = g.leaf_key,
                           .chain = g.inter,
                           .no_tickets = 1,
                           .no_cache = 1};
  expect_session_refused(12, &so);
  expect_session_refused(0, &so);
}

static void session_from_another_server(void **state) {
  (void)state;
  /* A context of its own: other ticket keys, an empty cache. */
  struct server_opts so = {.cert = g.leaf, .key = g.leaf_key, .chain = g.inter};
  expect_session_refused(12, &so);
  expect_session_refused(0, &so);
}

static void session_offer_rules(void **state) {
  (void)state;
  expect_session_offer_rules();
}

/* ------------------------------------------------------------------------ */
/* The shared wording the mappings above rely on.                           */

static void shared_wording(void **state) {
  (void)state;
  httpr_error err = {0};
  static const struct {
    int alert;
    const char *message;
  } alerts[] = {
      {116, "no client certificate presented (server sent alert "
            "certificate_required)"},
      {40, "TLS handshake failed: server sent alert handshake_failure"},
      {42, "server rejected the client certificate (alert "
           "bad_certificate)"},
      {48, "server rejected the client certificate (alert unknown_ca)"},
      {46, "server rejected the client certificate (alert "
           "certificate_unknown)"},
      {49, "server rejected the client certificate (alert access_denied)"},
      {70, "no TLS version in common with the server (server sent alert "
           "protocol_version)"},
      {80, "TLS handshake failed: server sent alert internal_error"},
      {250, "TLS handshake failed: server sent alert unknown"},
  };
  for (size_t i = 0; i < sizeof(alerts) / sizeof(alerts[0]); i++) {
    assert_int_equal(hr_alert_received(&err, alerts[i].alert),
                     HTTPR_E_TLS_HANDSHAKE);
    assert_int_equal(err.code, HTTPR_E_TLS_HANDSHAKE);
    assert_string_equal(err.message, alerts[i].message);
  }
  /* Only a client offering h2 alone meets it: HTTP/2 not negotiated. */
  assert_int_equal(hr_alert_received(&err, 120), HTTPR_E_PROTOCOL);
  assert_string_equal(err.message, "the server speaks none of the HTTP "
                                   "versions offered (server sent alert "
                                   "no_application_protocol)");
  assert_int_equal(err.http2, 1);
  assert_string_equal(hr_alert_name(0), "close_notify");
  assert_string_equal(hr_alert_name(116), "certificate_required");
  assert_string_equal(hr_alert_name(-1), "unknown");
  assert_int_equal(hr_version_mismatch(&err, 12, 0), HTTPR_E_TLS_HANDSHAKE);
  assert_string_equal(err.message, "no TLS version in common with the server "
                                   "(offered TLSv1.2 to TLSv1.3)");
  assert_int_equal(hr_verify_failed(&err, HR_VERIFY_NOT_YET_VALID, NULL, NULL),
                   HTTPR_E_CERT_NOT_YET_VALID);
  assert_string_equal(err.message,
                      "certificate verify failed: certificate is not yet "
                      "valid");
  assert_int_equal(
      hr_verify_failed(&err, HR_VERIFY_OTHER, NULL, "invalid CA certificate"),
      HTTPR_E_CERT_OTHER);
  assert_string_equal(err.message,
                      "certificate verify failed: invalid CA certificate");
  assert_string_equal(err.hint, "");
}

int main(void) {
  memory_test_use(&openssl_memory);
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
      cmocka_unit_test(intermediate_as_trust_anchor),
      cmocka_unit_test(expired_leaf),
      cmocka_unit_test(host_name_mismatch),
      cmocka_unit_test(ip_literal_identity_and_no_sni),
      cmocka_unit_test(verify_off_accepts_anything),
      cmocka_unit_test(openssl_names_equal_shared_rules),
      cmocka_unit_test(ca_dir_without_hash_names),
      cmocka_unit_test(ca_sources_without_certificates),
      cmocka_unit_test(versions),
      cmocka_unit_test(no_alpn_offered),
      cmocka_unit_test(credentials_accepted),
      cmocka_unit_test(credentials_refused),
      cmocka_unit_test(wrong_passwords),
      cmocka_unit_test(nomac_wrong_password_past_the_padding),
      cmocka_unit_test(client_certificate_presented),
      cmocka_unit_test(certificate_required_alert_on_first_read),
      cmocka_unit_test(handshake_failure_alert_in_tls12),
      cmocka_unit_test(key_log_lines),
      cmocka_unit_test(no_key_log_without_opt_in),
      cmocka_unit_test(context_shared_by_threads),
      cmocka_unit_test(session_resumed),
      cmocka_unit_test(session_resumed_from_the_server_cache),
      cmocka_unit_test(session_refused_by_the_server),
      cmocka_unit_test(session_from_another_server),
      cmocka_unit_test(session_offer_rules),
      cmocka_unit_test(shared_wording),
  };
  return cmocka_run_group_tests_name("openssl_memory", tests, group_setup,
                                     group_teardown);
}
