/* SPDX-License-Identifier: MIT */
/* tls.c: the test server's OpenSSL context: certificate chain and key,
 * client-certificate requirement (in the handshake, or only after it with
 * --late-client-ca), protocol version limits, security level and TLS 1.2
 * cipher list, ALPN selection, session resumption (on, or off with
 * --no-session-cache), and error logging. Also the TLS side of asking for
 * a client certificate after the handshake (TLS 1.3 post-handshake
 * authentication, TLS 1.2 renegotiation), which the /late-cert routes
 * use. Nothing here reads or writes HTTP. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
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

/* Trusts the client CA in file and names it in CertificateRequests. */
static int load_client_ca(SSL_CTX *ctx, const char *file) {
  STACK_OF(X509_NAME) * names;

  if (SSL_CTX_load_verify_locations(ctx, file, NULL) != 1)
    return -1;
  names = SSL_load_client_CA_file(file);
  if (!names)
    return -1;
  SSL_CTX_set_client_CA_list(ctx, names); /* ctx takes ownership */
  return 0;
}

static int require_client_cert(SSL_CTX *ctx, const char *file) {
  if (load_client_ca(ctx, file) < 0)
    return -1;
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                     NULL);
  return 0;
}

/* --late-client-ca: nothing is asked for in the handshake (verify mode
 * NONE; SSL_VERIFY_POST_HANDSHAKE alone requests nothing), the request
 * comes from ts_late_auth_start. A renegotiation must be a full handshake,
 * or a client resuming its session would never be asked. No TLS 1.2
 * session tickets (resumption by session ID instead; TLS 1.3 tickets
 * become stateful): a GnuTLS 3.7.9 client whose first handshake got one
 * waits for a NewSessionTicket in the renegotiation too, which OpenSSL
 * does not send, and fails it with unexpected_message. */
static int late_client_cert(SSL_CTX *ctx, const char *file) {
  if (load_client_ca(ctx, file) < 0)
    return -1;
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE | SSL_VERIFY_POST_HANDSHAKE, NULL);
  SSL_CTX_set_options(ctx, SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION |
                               SSL_OP_NO_TICKET);
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
  if (o->groups && SSL_CTX_set1_groups_list(ctx, o->groups) != 1)
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
  if (o->late_client_ca && late_client_cert(ctx, o->late_client_ca) < 0)
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

/* ---- a client certificate asked for after the handshake ---------------- */

static long long now_ms(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *ts_late_outcome_text(enum ts_late_outcome o) {
  switch (o) {
  case TS_LATE_ASKED:
    return "client certificate asked for";
  case TS_LATE_VERIFIED:
    return "client certificate verified";
  case TS_LATE_UNVERIFIED:
    return "client certificate not verified";
  case TS_LATE_NO_CERT:
    return "no client certificate: the client answered with an empty "
           "Certificate";
  case TS_LATE_NO_PHA:
    return "the client did not offer post-handshake authentication "
           "(post_handshake_auth), so no certificate can be asked for";
  case TS_LATE_NO_SECURE_RENEG:
    return "the client does not support secure renegotiation (RFC 5746)";
  case TS_LATE_TIMEOUT:
    return "no answer to the certificate request in time";
  case TS_LATE_NOT_TLS:
    return "no TLS on this connection";
  case TS_LATE_NOT_SET_UP:
    return "the server was started without --late-client-ca";
  case TS_LATE_BROKEN:
    break;
  }
  return "the connection failed during the certificate request";
}

X509 *ts_verified_peer_cert(const struct ts_conn *c) {
  X509 *cert = c->ssl ? SSL_get0_peer_certificate(c->ssl) : NULL;

  return cert && SSL_get_verify_result(c->ssl) == X509_V_OK ? cert : NULL;
}

int ts_subject_rfc2253(X509 *cert, struct ts_buf *b) {
  BIO *bio = BIO_new(BIO_s_mem());
  int rc = -1;
  char *p;
  long len;

  if (bio && X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0,
                                XN_FLAG_RFC2253) >= 0) {
    len = BIO_get_mem_data(bio, &p);
    ts_buf_add(b, p, (size_t)len);
    rc = b->failed ? -1 : 0;
  }
  BIO_free(bio);
  return rc;
}

static const char *handshake_name(int type) {
  switch (type) {
  case SSL3_MT_CLIENT_HELLO:
    return "ClientHello";
  case SSL3_MT_CERTIFICATE:
    return "Certificate";
  case SSL3_MT_CLIENT_KEY_EXCHANGE:
    return "ClientKeyExchange";
  case SSL3_MT_CERTIFICATE_VERIFY:
    return "CertificateVerify";
  case SSL3_MT_FINISHED:
    return "Finished";
  case SSL3_MT_KEY_UPDATE:
    return "KeyUpdate";
  default:
    return "handshake message";
  }
}

/* Is this Certificate message's certificate_list empty? TLS 1.3 puts a
 * request context (1-byte length) before the 3-byte list length. */
static int certificate_empty(const unsigned char *m, size_t len, int tls13) {
  size_t off = 4; /* type and 24-bit length */

  if (tls13) {
    if (len < off + 1)
      return 0;
    off += 1 + m[off];
  }
  if (len < off + 3)
    return 0;
  return m[off] == 0 && m[off + 1] == 0 && m[off + 2] == 0;
}

/* Records and logs what the client sends once a request is out. OpenSSL
 * calls it with each handshake message (decrypted) and alert. */
static void late_msg(int write_p, int version, int content_type,
                     const void *buf, size_t len, SSL *ssl, void *arg) {
  struct ts_conn *c = arg;
  struct ts_late_seen *seen = &c->late;
  const unsigned char *m = buf;

  (void)version;
  (void)ssl;
  if (write_p || !seen->requested || len < 1)
    return;
  if (content_type == SSL3_RT_ALERT && len >= 2) {
    seen->alert = m[1];
    ts_log("conn %lu: late auth: client sent %s alert %s (%d)", c->id,
           m[0] == SSL3_AL_FATAL ? "fatal" : "warning",
           SSL_alert_desc_string_long(m[1]), m[1]);
  } else if (content_type == SSL3_RT_HANDSHAKE) {
    if (m[0] == SSL3_MT_CERTIFICATE)
      seen->cert_empty = certificate_empty(m, len, seen->tls13);
    else if (m[0] == SSL3_MT_FINISHED)
      seen->finished = 1;
    ts_log("conn %lu: late auth: client sent %s%s", c->id, handshake_name(m[0]),
           m[0] == SSL3_MT_CERTIFICATE && seen->cert_empty ? " (empty)" : "");
  }
}

/* Accepts any chain: the outcome comes from SSL_get_verify_result, so an
 * unverified certificate gets a 403 instead of a fatal alert. */
static int accept_any(int ok, X509_STORE_CTX *store) {
  (void)ok;
  (void)store;
  return 1;
}

/* Makes the socket non-blocking; returns its old flags, or -1. */
static int nonblocking(int fd) {
  int fl = fcntl(fd, F_GETFL);

  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
    return -1;
  return fl;
}

/* Waits for what an SSL call wanted until the deadline: 1 ready, 0 timed
 * out, -1 another error (the caller treats it as a broken connection). */
static int wait_for(struct ts_conn *c, int ssl_err, long long deadline) {
  struct pollfd p = {c->fd, ssl_err == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN,
                     0};
  long long left = deadline - now_ms();
  int r;

  if (ssl_err != SSL_ERROR_WANT_READ && ssl_err != SSL_ERROR_WANT_WRITE)
    return -1;
  if (left <= 0)
    return 0;
  /* In short steps, so a server stop is noticed. */
  r = poll(&p, 1, left < 200 ? (int)left : 200);
  if (r < 0 && errno != EINTR)
    return -1;
  return ts_stopping() ? -1 : 1;
}

/* Sends what SSL_verify_client_post_handshake or SSL_renegotiate queued
 * (a CertificateRequest, a HelloRequest): TS_LATE_ASKED, or why not. */
static enum ts_late_outcome send_request(struct ts_conn *c,
                                         long long deadline) {
  for (;;) {
    int rc, err, w;

    ERR_clear_error();
    errno = 0;
    rc = SSL_do_handshake(c->ssl);
    if (rc == 1)
      return TS_LATE_ASKED;
    err = SSL_get_error(c->ssl, rc);
    w = wait_for(c, err, deadline);
    if (w == 0)
      return TS_LATE_TIMEOUT;
    if (w < 0) {
      ts_log_tls_error(c, "late auth: sending the request", err);
      c->tls_broken = 1;
      return TS_LATE_BROKEN;
    }
  }
}

enum ts_late_outcome ts_late_auth_start(struct ts_conn *c) {
  long long deadline = now_ms() + TS_LATE_AUTH_MS;
  enum ts_late_outcome o;
  int flags;

  if (!c->ssl)
    return TS_LATE_NOT_TLS;
  /* late_client_cert() marked the context. */
  if (!(SSL_CTX_get_verify_mode(SSL_get_SSL_CTX(c->ssl)) &
        SSL_VERIFY_POST_HANDSHAKE))
    return TS_LATE_NOT_SET_UP;
  memset(&c->late, 0, sizeof c->late);
  c->late.alert = -1;
  c->late.tls13 = SSL_version(c->ssl) == TLS1_3_VERSION;
  SSL_set_msg_callback(c->ssl, late_msg);
  SSL_set_msg_callback_arg(c->ssl, c);
  ERR_clear_error();
  if (c->late.tls13) {
    SSL_set_verify(c->ssl, SSL_VERIFY_PEER | SSL_VERIFY_POST_HANDSHAKE,
                   accept_any);
    if (SSL_verify_client_post_handshake(c->ssl) != 1) {
      unsigned long e = ERR_peek_error();
      if (ERR_GET_REASON(e) == SSL_R_EXTENSION_NOT_RECEIVED) {
        ERR_clear_error();
        ts_log("conn %lu: late auth: %s", c->id,
               ts_late_outcome_text(TS_LATE_NO_PHA));
        return TS_LATE_NO_PHA;
      }
      ts_log_tls_error(c, "SSL_verify_client_post_handshake", SSL_ERROR_SSL);
      return TS_LATE_BROKEN;
    }
  } else {
    if (!SSL_get_secure_renegotiation_support(c->ssl)) {
      ts_log("conn %lu: late auth: %s", c->id,
             ts_late_outcome_text(TS_LATE_NO_SECURE_RENEG));
      return TS_LATE_NO_SECURE_RENEG;
    }
    SSL_set_verify(c->ssl, SSL_VERIFY_PEER, accept_any);
    if (SSL_renegotiate(c->ssl) != 1) {
      ts_log_tls_error(c, "SSL_renegotiate", SSL_ERROR_SSL);
      return TS_LATE_BROKEN;
    }
  }
  c->late.requested = 1;
  flags = nonblocking(c->fd);
  if (flags < 0)
    return TS_LATE_BROKEN;
  o = send_request(c, deadline);
  fcntl(c->fd, F_SETFL, flags);
  if (o == TS_LATE_ASKED)
    ts_log("conn %lu: late auth: sent %s", c->id,
           c->late.tls13 ? "a post-handshake CertificateRequest (TLS 1.3)"
                         : "a HelloRequest (TLS 1.2 renegotiation)");
  return o;
}

/* Has the client's answer been processed whole? TLS 1.3: its Finished
 * came after our CertificateRequest. TLS 1.2: the renegotiation is over
 * (our own Finished went out too). */
static int answered(const struct ts_conn *c) {
  if (!c->late.finished)
    return 0;
  return c->late.tls13 ||
         (SSL_is_init_finished(c->ssl) && !SSL_renegotiate_pending(c->ssl));
}

/* The outcome once the client has answered. */
static enum ts_late_outcome judge(struct ts_conn *c) {
  X509 *cert = SSL_get0_peer_certificate(c->ssl);
  long v;

  if (!cert) {
    ts_log("conn %lu: late auth: %s", c->id,
           ts_late_outcome_text(TS_LATE_NO_CERT));
    return TS_LATE_NO_CERT;
  }
  v = SSL_get_verify_result(c->ssl);
  if (v != X509_V_OK) {
    ts_log("conn %lu: late auth: %s: %s", c->id,
           ts_late_outcome_text(TS_LATE_UNVERIFIED),
           X509_verify_cert_error_string(v));
    return TS_LATE_UNVERIFIED;
  }
  ts_log("conn %lu: late auth: %s", c->id,
         ts_late_outcome_text(TS_LATE_VERIFIED));
  return TS_LATE_VERIFIED;
}

/* Reads until the answer is in, keeping application data in c->rbuf. */
static enum ts_late_outcome read_answer(struct ts_conn *c, long long deadline) {
  for (;;) {
    int rc, err, w;

    if (answered(c))
      return judge(c);
    if (c->rpos > 0) { /* room for what may come: compact the buffer */
      memmove(c->rbuf, c->rbuf + c->rpos, c->rlen - c->rpos);
      c->rlen -= c->rpos;
      c->rpos = 0;
    }
    if (c->rlen == sizeof c->rbuf) {
      ts_log("conn %lu: late auth: the client sent %zu bytes of data, not "
             "its answer",
             c->id, c->rlen);
      return TS_LATE_TIMEOUT;
    }
    ERR_clear_error();
    errno = 0;
    rc = SSL_read(c->ssl, c->rbuf + c->rlen, (int)(sizeof c->rbuf - c->rlen));
    if (rc > 0) {
      c->rlen += (size_t)rc;
      continue;
    }
    err = SSL_get_error(c->ssl, rc);
    w = wait_for(c, err, deadline);
    if (w == 0) {
      ts_log("conn %lu: late auth: %s (%ld ms)", c->id,
             ts_late_outcome_text(TS_LATE_TIMEOUT), (long)TS_LATE_AUTH_MS);
      return TS_LATE_TIMEOUT;
    }
    if (w < 0) {
      if (c->late.alert == SSL_AD_NO_RENEGOTIATION)
        ts_log("conn %lu: late auth: the client refused to renegotiate; "
               "OpenSSL ends the connection (handshake_failure)",
               c->id);
      if (err == SSL_ERROR_ZERO_RETURN ||
          (err == SSL_ERROR_SYSCALL && errno == 0))
        ts_log("conn %lu: late auth: the client closed the connection", c->id);
      else
        ts_log_tls_error(c, "late auth: reading the answer", err);
      c->tls_broken = 1;
      return TS_LATE_BROKEN;
    }
  }
}

enum ts_late_outcome ts_late_auth_wait(struct ts_conn *c) {
  long long deadline = now_ms() + TS_LATE_AUTH_MS;
  enum ts_late_outcome o;
  int flags;

  if (!c->ssl)
    return TS_LATE_NOT_TLS;
  flags = nonblocking(c->fd);
  if (flags < 0)
    return TS_LATE_BROKEN;
  o = read_answer(c, deadline);
  fcntl(c->fd, F_SETFL, flags);
  return o;
}
