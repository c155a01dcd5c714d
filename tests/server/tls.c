/* SPDX-License-Identifier: MIT */
/* tls.c: the test server's OpenSSL context: certificate chain and key,
 * client-certificate requirement, protocol version limits, security level
 * and TLS 1.2 cipher list, ALPN selection, session resumption (on, or off
 * with --no-session-cache), and error logging. Nothing here reads or
 * writes HTTP. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "server.h"

/* Turns "h2,http/1.1" into ALPN wire format (length-prefixed names).
 * Returns 0, or -1 for an empty name, a name over 255 bytes or overflow. */
int ts_alpn_parse(const char *list, unsigned char *out, size_t cap,
                  size_t *len) {
  size_t n = 0;

  while (*list) {
    const char *end = strchr(list, ',');
    size_t k = end ? (size_t)(end - list) : strlen(list);

    if (k == 0 || k > 255 || n + 1 + k > cap)
      return -1;
    out[n++] = (unsigned char)k;
    memcpy(out + n, list, k);
    n += k;
    list += k + (end ? 1 : 0);
    if (end && !*list)
      return -1; /* trailing comma */
  }
  *len = n;
  return 0;
}

/* Is the protocol (p, plen) in the wire-format list? */
static int alpn_contains(const unsigned char *list, size_t list_len,
                         const unsigned char *p, unsigned plen) {
  size_t i = 0;

  while (i < list_len) {
    unsigned k = list[i];
    if (k == plen && i + 1 + k <= list_len && memcmp(list + i + 1, p, k) == 0)
      return 1;
    i += 1 + k;
  }
  return 0;
}

/* Selects the first protocol the CLIENT offers that we accept (client
 * preference, unlike SSL_select_next_proto). No overlap: go on without
 * ALPN rather than failing the handshake. */
static int alpn_select(SSL *ssl, const unsigned char **out,
                       unsigned char *outlen, const unsigned char *in,
                       unsigned int inlen, void *arg) {
  const struct ts_options *o = arg;
  unsigned i = 0;

  (void)ssl;
  while (i < inlen) {
    unsigned k = in[i];
    if (i + 1 + k > inlen)
      break;
    if (k > 0 && alpn_contains(o->alpn, o->alpn_len, in + i + 1, k)) {
      *out = in + i + 1;
      *outlen = (unsigned char)k;
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + k;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

/* Encrypted keys are not supported: fail instead of prompting on a tty. */
static int no_password(char *buf, int size, int rwflag, void *u) {
  (void)buf;
  (void)size;
  (void)rwflag;
  (void)u;
  return -1;
}

static void log_errors(const char *what) {
  unsigned long e;
  char msg[256];

  ts_log("%s failed", what);
  while ((e = ERR_get_error()) != 0) {
    ERR_error_string_n(e, msg, sizeof msg);
    ts_log("  %s", msg);
  }
}

static int require_client_cert(SSL_CTX *ctx, const char *file) {
  STACK_OF(X509_NAME) * names;

  if (SSL_CTX_load_verify_locations(ctx, file, NULL) != 1)
    return -1;
  names = SSL_load_client_CA_file(file);
  if (!names)
    return -1;
  SSL_CTX_set_client_CA_list(ctx, names); /* ctx takes ownership */
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                     NULL);
  return 0;
}

SSL_CTX *ts_tls_ctx_new(const struct ts_options *o) {
  /* Required for session resumption once client certificates are
   * verified; harmless otherwise. */
  static const unsigned char sid_ctx[] = "httpr-test-server";
  SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

  if (!ctx)
    goto fail;
  /* A client that closes without close_notify ends its keep-alive
   * connection normally; it is not an error worth a log line. */
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_default_passwd_cb(ctx, no_password);
  /* Before the certificates load: at OpenSSL's default level a weak
   * certificate (RSA 1024, a SHA-1 signature) is refused, and the
   * verification-policy tests need a server that serves one. */
  if (o->seclevel >= 0)
    SSL_CTX_set_security_level(ctx, o->seclevel);
  if (o->ciphers && SSL_CTX_set_cipher_list(ctx, o->ciphers) != 1)
    goto fail;
  if (o->tls_min && SSL_CTX_set_min_proto_version(ctx, o->tls_min) != 1)
    goto fail;
  if (o->tls_max && SSL_CTX_set_max_proto_version(ctx, o->tls_max) != 1)
    goto fail;
  if (SSL_CTX_use_certificate_chain_file(ctx, o->cert) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, o->key, SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1)
    goto fail;
  if (SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof sid_ctx - 1) != 1)
    goto fail;
  if (o->client_ca && require_client_cert(ctx, o->client_ca) < 0)
    goto fail;
  if (o->no_session_cache) {
    /* Nothing to resume from: no server-side cache (TLS 1.2 session IDs,
     * TLS 1.3 stateful tickets), no stateless tickets, and no TLS 1.3
     * tickets sent at all. A client offering a session gets a full
     * handshake. */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    if (SSL_CTX_set_num_tickets(ctx, 0) != 1)
      goto fail;
  }
  if (!o->no_alpn)
    SSL_CTX_set_alpn_select_cb(ctx, alpn_select, (void *)o);
  return ctx;
fail:
  log_errors("TLS setup");
  SSL_CTX_free(ctx);
  return NULL;
}

/* One line per TLS failure: the SSL_get_error code, the first queued
 * OpenSSL error, and errno for syscall failures. */
void ts_log_tls_error(const struct ts_conn *c, const char *what, int ssl_err) {
  int saved_errno = errno; /* before any call that may change it */
  unsigned long e = ERR_peek_error();
  char msg[256] = "";

  if (e)
    ERR_error_string_n(e, msg, sizeof msg);
  else if (ssl_err == SSL_ERROR_ZERO_RETURN ||
           (ssl_err == SSL_ERROR_SYSCALL && saved_errno == 0))
    snprintf(msg, sizeof msg, "peer closed the connection");
  else if (ssl_err == SSL_ERROR_SYSCALL)
    snprintf(msg, sizeof msg, "syscall: %s", strerror(saved_errno));
  else if (ssl_err == SSL_ERROR_WANT_READ || ssl_err == SSL_ERROR_WANT_WRITE)
    snprintf(msg, sizeof msg, "timed out");
  ts_log("conn %lu from %s: %s failed (ssl error %d) %s", c->id, c->peer, what,
         ssl_err, msg);
  ERR_clear_error();
}
