/* SPDX-License-Identifier: MIT */
/* server.h: what the files of the httpr test server share. The test server
 * is a test tool, never linked into the library, so it may use OpenSSL
 * directly. */
#ifndef HTTPR_TESTS_SERVER_SERVER_H
#define HTTPR_TESTS_SERVER_SERVER_H

#include <stddef.h>
#include <sys/types.h>

#include <openssl/ssl.h>

#include "tests/test_timeout.h"

#define TS_MAX_HEAD (64 * 1024)        /* request line + headers */
#define TS_MAX_BODY (64 * 1024 * 1024) /* request bodies are kept in memory */
/* Socket timeouts (SO_RCVTIMEO / SO_SNDTIMEO), and how long to wait for
 * the peer's EOF: 10 s and 2 s, stretched like every wait in the tests by
 * HTTPR_TEST_TIMEOUT_MULTIPLIER (tests/test_timeout.h). */
#define TS_IO_TIMEOUT_MS test_timeout_ms(10 * 1000)
#define TS_DRAIN_MS test_timeout_ms(2000)

/* Command-line settings; read-only once the server runs. */
struct ts_options {
  int plain;
  const char *cert;
  const char *key;
  const char *client_ca;
  /* --late-client-ca: the client CA is known, but a certificate is asked
   * for only after the handshake, by the /late-cert routes (tls.c). */
  const char *late_client_ca;
  int tls_min; /* TLS1_2_VERSION etc.; 0 = OpenSSL's default */
  int tls_max;
  int no_alpn;
  int seclevel;            /* SSL_CTX_set_security_level; -1 = default */
  const char *ciphers;     /* TLS 1.2 cipher list; NULL = OpenSSL's */
  const char *groups;      /* key exchange groups; NULL = OpenSSL's */
  int no_session_cache;    /* no session cache, no tickets: never resumes */
  unsigned char alpn[256]; /* accepted protocols, ALPN wire format */
  size_t alpn_len;
  const char *host;
  const char *port;
  const char *unix_path; /* --unix: listen there instead of host/port */
  long max_seconds; /* 0 = no limit */
  int hang_up;      /* every connection: 3 bytes, then closed unread */
  /* HTTP/2 (h2.c), used when ALPN selects "h2": */
  long h2_goaway_after; /* GOAWAY when stream N+1 arrives; -1 = never */
  long h2_window;       /* SETTINGS_INITIAL_WINDOW_SIZE; -1 = default */
  long h2_open_window;  /* both receive windows, never updated; -1 = off */
  long h2_max_streams;  /* SETTINGS_MAX_CONCURRENT_STREAMS */
};

/* How long a client has to answer a certificate request sent after the
 * handshake (TLS 1.3 post-handshake authentication, or a TLS 1.2
 * renegotiation): 5 s, stretched by HTTPR_TEST_TIMEOUT_MULTIPLIER. */
#define TS_LATE_AUTH_MS test_timeout_ms(5000)

/* What the peer did after a late certificate request, as the message
 * callback of tls.c saw it (decrypted handshake messages and alerts). */
struct ts_late_seen {
  int requested;  /* a request went out on this connection */
  int tls13;      /* it was a post-handshake CertificateRequest */
  int cert_empty; /* a Certificate came with no certificate in it */
  int finished;   /* the peer's Finished came: its answer is complete */
  int alert;      /* the last alert received (description), or -1 */
};

/* One accepted connection, owned by its thread. */
struct ts_conn {
  int fd;
  int slot;                  /* index in the live-connection table */
  unsigned long id;          /* 1, 2, ... in accept order */
  SSL *ssl;                  /* NULL with --plain */
  int tls_broken;            /* a fatal TLS error happened: no SSL_shutdown */
  int drop_next;             /* /drop-next: close at the next request */
  char peer[96];             /* "ADDR port N" */
  unsigned char rbuf[16384]; /* bytes read but not yet consumed */
  size_t rpos, rlen;
  struct ts_late_seen late; /* set up by ts_late_auth_start */
};

/* The outcome of asking for a client certificate after the handshake. */
enum ts_late_outcome {
  TS_LATE_ASKED,           /* _start: the request went out; now _wait */
  TS_LATE_VERIFIED,        /* a certificate came and was verified */
  TS_LATE_UNVERIFIED,      /* a certificate came; verification failed */
  TS_LATE_NO_CERT,         /* the client answered with an empty Certificate */
  TS_LATE_NO_PHA,          /* TLS 1.3: no post_handshake_auth in its hello */
  TS_LATE_NO_SECURE_RENEG, /* TLS 1.2: the client lacks RFC 5746 */
  TS_LATE_TIMEOUT,         /* no complete answer within TS_LATE_AUTH_MS */
  TS_LATE_NOT_TLS,         /* --plain: there is no TLS to ask over */
  TS_LATE_NOT_SET_UP,      /* the server has no --late-client-ca */
  TS_LATE_BROKEN           /* a TLS error or the peer's close: no answer;
                              also a refused renegotiation (a warning
                              no_renegotiation alert), which OpenSSL 3.0
                              answers with a fatal handshake_failure */
};

/* How a route wants the connection to go on after its response. */
enum ts_after {
  TS_KEEP,           /* keep-alive: read the next request */
  TS_CLOSE,          /* close_notify, then a graceful TCP close */
  TS_CLOSE_NO_NOTIFY /* graceful TCP close without close_notify */
};

/* A growable byte buffer; `failed` is set once an allocation fails so that
 * callers check once at the end instead of after every append. */
struct ts_buf {
  char *p;
  size_t len, cap;
  int failed;
};

/* A parsed request. head holds the request line and header lines, each
 * NUL-terminated with CR/LF removed, exactly as received otherwise. */
struct ts_request {
  char head[TS_MAX_HEAD + 1];
  size_t head_len;
  const char *method, *target, *version;
  const char *lines; /* first header line inside head */
  size_t nlines;
  int is_head;       /* method HEAD: send no body */
  int close;         /* close after the response */
  int continue_sent; /* a 100 Continue already went out */
  unsigned char *body;
  size_t body_len;
};

/* test-server.c */
int ts_stopping(void);
void ts_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* tls.c */
int ts_alpn_parse(const char *list, unsigned char *out, size_t cap,
                  size_t *len);
SSL_CTX *ts_tls_ctx_new(const struct ts_options *o);
void ts_log_tls_error(const struct ts_conn *c, const char *what, int ssl_err);
/* Asking for a client certificate after the handshake (the /late-cert
 * routes): by TLS 1.3 post-handshake authentication, or over TLS 1.2 by a
 * server-requested renegotiation (secure, RFC 5746, only). _start sends
 * the CertificateRequest or HelloRequest and returns TS_LATE_ASKED when it
 * went out, or why it could not. _wait then reads the client's answer, at
 * most TS_LATE_AUTH_MS; application data that arrives meanwhile is kept
 * in c->rbuf for the next request. Both work on a blocking or a
 * non-blocking socket and leave its mode as it was. */
enum ts_late_outcome ts_late_auth_start(struct ts_conn *c);
enum ts_late_outcome ts_late_auth_wait(struct ts_conn *c);
/* A verified client certificate the connection already has (from the
 * handshake or an earlier late request), or NULL. Not a new reference. */
X509 *ts_verified_peer_cert(const struct ts_conn *c);
/* One line (no newline) saying what an outcome means, for logs and the
 * bodies of 403 answers. Static storage. */
const char *ts_late_outcome_text(enum ts_late_outcome o);
/* The certificate's subject (RFC 2253) appended to b, no newline. 0 or
 * -1. */
int ts_subject_rfc2253(X509 *cert, struct ts_buf *b);

/* conn.c */
int ts_conn_handshake(struct ts_conn *c, SSL_CTX *ctx);
ssize_t ts_conn_read(struct ts_conn *c, void *buf, size_t n);
int ts_conn_read_line(struct ts_conn *c, char *dst, size_t cap, size_t *len);
int ts_conn_read_exact(struct ts_conn *c, void *buf, size_t n);
int ts_conn_write(struct ts_conn *c, const void *buf, size_t n);
int ts_conn_wait_readable(struct ts_conn *c, int ms);
void ts_conn_close(struct ts_conn *c, int notify);
void ts_conn_close_failed_handshake(struct ts_conn *c);

/* buf.c */
void ts_buf_add(struct ts_buf *b, const void *data, size_t n);
void ts_buf_adds(struct ts_buf *b, const char *s);
void ts_buf_addf(struct ts_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void ts_buf_free(struct ts_buf *b);

/* http.c */
void ts_http_serve(struct ts_conn *c);
const char *ts_reason(int status);
void ts_head_start(struct ts_buf *b, const struct ts_request *rq, int status);
int ts_respond(struct ts_conn *c, const struct ts_request *rq, int status,
               const char *headers, const void *body, size_t len);
int ts_send_continue(struct ts_conn *c, struct ts_request *rq);

/* routes.c */
void ts_routes_init(void);
enum ts_after ts_route(struct ts_conn *c, struct ts_request *rq);

/* slow_routes.c: routes that never end, stay silent, drip, flood with
 * 1xx heads, or leave an upload unread (for the client's bounds). */
enum ts_after ts_r_endless(struct ts_conn *c, struct ts_request *rq,
                           const char *arg);
enum ts_after ts_r_silent_after_head(struct ts_conn *c, struct ts_request *rq,
                                     const char *arg);
enum ts_after ts_r_drip(struct ts_conn *c, struct ts_request *rq,
                        const char *arg);
enum ts_after ts_r_1xx_flood(struct ts_conn *c, struct ts_request *rq,
                             const char *arg);
enum ts_after ts_r_upload_stall(struct ts_conn *c, struct ts_request *rq,
                                const char *arg);
enum ts_after ts_r_upload_sink(struct ts_conn *c, struct ts_request *rq,
                               const char *arg);
/* 1 for the routes that get the request before its body is read. */
int ts_route_reads_body(const struct ts_request *rq);

/* h2.c: serves a connection whose ALPN selected "h2", then closes it. */
void ts_h2_serve(struct ts_conn *c, const struct ts_options *o);

/* stats.c: counters the HTTP/2 route /stats reports. Thread-safe. */
void ts_stats_connection(void);
void ts_stats_handshake(void);
void ts_stats_h2_connection(unsigned long conn_id);
void ts_stats_stream_opened(unsigned long conn_id, size_t open_now);
void ts_stats_refused(unsigned long conn_id);
void ts_stats_conn_error(unsigned long conn_id);
void ts_stats_data_frame(unsigned long conn_id);
void ts_stats_format(struct ts_buf *b);
int ts_stats_format_conn(struct ts_buf *b, unsigned long conn_id);

#endif
