/* SPDX-License-Identifier: MIT */
/*
 * server.c - the provider suite's in-memory OpenSSL server; see server.h.
 * An SSL reads c2s and writes s2c through a BIO of its own, where an empty
 * queue means "would block", not EOF. The only file of the suite that
 * includes OpenSSL's server side.
 */
#include "tests/provider/server.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tests/unit/pki_files.h"

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

int server_global_init(void) {
  queue_bio = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
                           "httpr test queues");
  return queue_bio && BIO_meth_set_write(queue_bio, queue_bio_write) &&
         BIO_meth_set_read(queue_bio, queue_bio_read) &&
         BIO_meth_set_ctrl(queue_bio, queue_bio_ctrl);
}

void server_global_cleanup(void) { BIO_meth_free(queue_bio); }

struct server_opts good_opts(void) {
  struct server_opts o = {.cert = "good-ecdsa.crt", .key = "good-ecdsa.key"};
  return o;
}

static X509 *read_cert(const char *name) {
  BIO *b = BIO_new_file(file_of(name), "r");
  X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
  BIO_free(b);
  assert_non_null(x);
  return x;
}

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

/* Notes on the SSL that the client sent a certificate, trusted or not:
 * OpenSSL keeps no peer certificate after a failed verification. */
static int note_peer_cert(int ok, X509_STORE_CTX *store) {
  SSL *ssl =
      X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
  if (ssl && X509_STORE_CTX_get_error_depth(store) == 0)
    SSL_set_app_data(ssl, (void *)"peer certificate seen");
  return ok;
}

static int version_of(int v) {
  return v == 12 ? TLS1_2_VERSION : v == 13 ? TLS1_3_VERSION : 0;
}

static void *server_new(const void *opts) {
  const struct server_opts *o = opts;
  SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
  assert_non_null(ctx);
  assert_int_equal(SSL_CTX_use_certificate_chain_file(ctx, file_of(o->cert)),
                   1);
  assert_int_equal(
      SSL_CTX_use_PrivateKey_file(ctx, file_of(o->key), SSL_FILETYPE_PEM), 1);
  if (o->extra)
    assert_int_equal(SSL_CTX_add0_chain_cert(ctx, read_cert(o->extra)), 1);
  assert_int_equal(SSL_CTX_set_min_proto_version(ctx, version_of(o->min)), 1);
  assert_int_equal(SSL_CTX_set_max_proto_version(ctx, version_of(o->max)), 1);
  if (!o->no_alpn)
    SSL_CTX_set_alpn_select_cb(ctx, select_alpn, NULL);
  if (o->require_client_cert) {
    assert_int_equal(
        SSL_CTX_load_verify_locations(ctx, file_of("client-ca.pem"), NULL), 1);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                       note_peer_cert);
  }
  if (o->no_tickets)
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  if (o->no_cache) {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    assert_int_equal(SSL_CTX_set_num_tickets(ctx, 0), 1);
  }
  return ctx;
}

static void *good_server(void) {
  struct server_opts o = good_opts();
  return server_new(&o);
}

static void server_free(void *sctx) { SSL_CTX_free(sctx); }

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

const struct memory_test server_hooks = {
    .server_new = server_new,
    .good_server = good_server,
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
/* What the server saw.                                                     */

const char *server_sni(const struct link *l) {
  return SSL_get_servername(l->server, TLSEXT_NAMETYPE_host_name);
}

const char *server_cipher(const struct link *l) {
  return SSL_CIPHER_standard_name(SSL_get_current_cipher(l->server));
}

int server_group_is_x25519(const struct link *l) {
  return SSL_get_shared_group(l->server, 0) == NID_X25519;
}

void server_shutdown(struct link *l) {
  assert_true(SSL_shutdown(l->server) >= 0);
}

void server_expect_close_notify(struct link *l) {
  unsigned char buf[16];
  size_t got = 0;
  assert_int_equal(SSL_read_ex(l->server, buf, sizeof(buf), &got), 0);
  assert_int_equal(SSL_get_error(l->server, 0), SSL_ERROR_ZERO_RETURN);
  ERR_clear_error();
}

void server_client_random(const struct link *l, unsigned char out[32]) {
  assert_int_equal(SSL_get_client_random(l->server, out, 32), 32);
}

size_t server_secret_len(const struct link *l) {
  const EVP_MD *md =
      SSL_CIPHER_get_handshake_digest(SSL_get_current_cipher(l->server));
  assert_non_null(md);
  return (size_t)EVP_MD_get_size(md);
}

void server_master_secret(const struct link *l, unsigned char out[48]) {
  assert_int_equal(
      SSL_SESSION_get_master_key(SSL_get_session(l->server), out, 48), 48);
}

int server_peer_is(const struct link *l, const char *name) {
  X509 *mine = read_cert(name);
  X509 *peer = SSL_get0_peer_certificate(l->server);
  int same = peer && X509_cmp(peer, mine) == 0 &&
             SSL_get_verify_result(l->server) == X509_V_OK;
  X509_free(mine);
  return same;
}

int server_got_peer_cert(const struct link *l) {
  return SSL_get0_peer_certificate(l->server) != NULL ||
         SSL_get_app_data(l->server) != NULL;
}

int server_peer_chain_len(const struct link *l) {
  STACK_OF(X509) *chain = SSL_get_peer_cert_chain(l->server);
  return chain ? sk_X509_num(chain) : 0;
}

const char *cert_subject(const char *name) {
  static char text[256];
  X509 *x = read_cert(name);
  BIO *b = BIO_new(BIO_s_mem());
  assert_non_null(b);
  memset(text, 0, sizeof(text));
  X509_NAME_print_ex(b, X509_get_subject_name(x), 0, XN_FLAG_RFC2253);
  assert_true(BIO_read(b, text, sizeof(text) - 1) > 0);
  BIO_free(b);
  X509_free(x);
  return text;
}
