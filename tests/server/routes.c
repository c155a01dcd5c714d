/* SPDX-License-Identifier: MIT */
/* routes.c: what the test server answers on each path, including the
 * deliberately broken responses the conformance suite needs (bad status
 * line, bad chunk size, truncated bodies, abrupt closes). Requests arrive
 * parsed and complete from http.c; each handler says how the connection
 * goes on afterwards. The routes that test a client's time and size
 * bounds (endless, silent, dripping, 1xx floods) are in slow_routes.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "server.h"

#define PAT_BLOCK (26 * 2520) /* 65520: whole pattern periods in 64 KiB */
#define MAX_BYTES (1ULL << 30)
#define MAX_HEADER_LINES 1000000ULL
#define NEVER_SECONDS 30
/* The longest delay a test asks for (4 s), stretched by any
 * HTTPR_TEST_TIMEOUT_MULTIPLIER up to 15. */
#define MAX_DELAY_MS 60000

/* Body bytes follow one pattern: byte i is 'a' + i % 26. g_pattern holds a
 * block plus one period, so any offset has PAT_BLOCK bytes after it. */
static unsigned char g_pattern[PAT_BLOCK + 26];

void ts_routes_init(void) {
  size_t i;

  for (i = 0; i < sizeof g_pattern; i++)
    g_pattern[i] = (unsigned char)('a' + i % 26);
}

/* Pattern bytes starting at body offset off; valid for PAT_BLOCK bytes. */
static const unsigned char *pattern_at(unsigned long long off) {
  return g_pattern + off % 26;
}

static int send_pattern(struct ts_conn *c, unsigned long long n) {
  unsigned long long off = 0;

  while (off < n) {
    size_t k = n - off < PAT_BLOCK ? (size_t)(n - off) : PAT_BLOCK;
    if (ts_conn_write(c, pattern_at(off), k) < 0)
      return -1;
    off += k;
  }
  return 0;
}

/* Keep-alive after a response that went out; close if it did not. */
static enum ts_after sent(int rc) { return rc < 0 ? TS_CLOSE : TS_KEEP; }

static enum ts_after text(struct ts_conn *c, struct ts_request *rq, int status,
                          const char *body) {
  return sent(ts_respond(c, rq, status, "Content-Type: text/plain\r\n", body,
                         strlen(body)));
}

/* Sends fixed bytes as a response (the body part is skipped for HEAD), for
 * the routes that misbehave on purpose, then goes on as `after` says. */
static enum ts_after raw(struct ts_conn *c, const struct ts_request *rq,
                         const char *head, const void *body, size_t len,
                         enum ts_after after) {
  struct ts_buf b = {0};
  int rc = -1;

  ts_buf_adds(&b, head);
  if (!rq->is_head)
    ts_buf_add(&b, body, len);
  if (!b.failed)
    rc = ts_conn_write(c, b.p, b.len);
  ts_buf_free(&b);
  return rc < 0 ? TS_CLOSE : after;
}

/* Parses the numeric path argument; answers 400 itself when it is bad. */
static int number_arg(struct ts_conn *c, struct ts_request *rq, const char *arg,
                      unsigned long long max, unsigned long long *out) {
  char *end;

  if (*arg >= '0' && *arg <= '9') {
    *out = strtoull(arg, &end, 10);
    if (!*end && *out <= max)
      return 0;
  }
  text(c, rq, 400, "bad number in path\n");
  return -1;
}

static enum ts_after r_root(struct ts_conn *c, struct ts_request *rq,
                            const char *arg) {
  (void)arg;
  return text(c, rq, 200, "hello\n");
}

static enum ts_after r_bytes(struct ts_conn *c, struct ts_request *rq,
                             const char *arg) {
  unsigned long long n;
  struct ts_buf b = {0};
  int rc = -1;

  if (number_arg(c, rq, arg, MAX_BYTES, &n) < 0)
    return TS_KEEP;
  ts_head_start(&b, rq, 200);
  ts_buf_addf(&b,
              "Content-Type: application/octet-stream\r\n"
              "Content-Length: %llu\r\n\r\n",
              n);
  if (!b.failed)
    rc = ts_conn_write(c, b.p, b.len);
  ts_buf_free(&b);
  if (rc == 0 && !rq->is_head)
    rc = send_pattern(c, n);
  return sent(rc);
}

/* The chunked body of /chunked/N: pieces of at most 1000 bytes, batched
 * into writes of about 64 KiB. The first size line carries ";ext=1". */
static int send_chunks(struct ts_conn *c, unsigned long long n) {
  enum { BATCH = 65536, SLACK = 64 }; /* SLACK: size line, CRLF, trailer */
  unsigned char *buf = malloc(BATCH + SLACK);
  unsigned long long off = 0;
  size_t len = 0;
  int rc = -1;

  if (!buf)
    return -1;
  while (off < n) {
    size_t k = n - off < 1000 ? (size_t)(n - off) : 1000;
    if (len + k + SLACK > BATCH) {
      if (ts_conn_write(c, buf, len) < 0)
        goto out;
      len = 0;
    }
    len += (size_t)snprintf((char *)buf + len, SLACK, "%zx%s\r\n", k,
                            off == 0 ? ";ext=1" : "");
    memcpy(buf + len, pattern_at(off), k);
    len += k;
    buf[len++] = '\r';
    buf[len++] = '\n';
    off += k;
  }
  len += (size_t)snprintf((char *)buf + len, SLACK,
                          "0%s\r\nX-Trailer: done\r\n\r\n",
                          n == 0 ? ";ext=1" : "");
  rc = ts_conn_write(c, buf, len);
out:
  free(buf);
  return rc;
}

static enum ts_after r_chunked(struct ts_conn *c, struct ts_request *rq,
                               const char *arg) {
  unsigned long long n;
  struct ts_buf b = {0};
  int rc = -1;

  if (number_arg(c, rq, arg, MAX_BYTES, &n) < 0)
    return TS_KEEP;
  ts_head_start(&b, rq, 200);
  ts_buf_adds(&b, "Content-Type: application/octet-stream\r\n"
                  "Transfer-Encoding: chunked\r\nTrailer: X-Trailer\r\n\r\n");
  if (!b.failed)
    rc = ts_conn_write(c, b.p, b.len);
  ts_buf_free(&b);
  if (rc == 0 && !rq->is_head)
    rc = send_chunks(c, n);
  return sent(rc);
}

/* A body delimited by the close of the connection, ended with or without
 * close_notify (without it, a client must not take the body as complete). */
static enum ts_after close_delimited(struct ts_conn *c, struct ts_request *rq,
                                     const char *arg, enum ts_after how) {
  static const char head[] = "HTTP/1.1 200 OK\r\n"
                             "Content-Type: application/octet-stream\r\n"
                             "Connection: close\r\n\r\n";
  unsigned long long n;

  if (number_arg(c, rq, arg, MAX_BYTES, &n) < 0)
    return TS_KEEP;
  if (ts_conn_write(c, head, sizeof head - 1) < 0 ||
      (!rq->is_head && send_pattern(c, n) < 0))
    return TS_CLOSE;
  return how;
}

static enum ts_after r_close_delimited(struct ts_conn *c, struct ts_request *rq,
                                       const char *arg) {
  return close_delimited(c, rq, arg, TS_CLOSE);
}

static enum ts_after r_close_no_notify(struct ts_conn *c, struct ts_request *rq,
                                       const char *arg) {
  return close_delimited(c, rq, arg, TS_CLOSE_NO_NOTIFY);
}

static enum ts_after r_truncated(struct ts_conn *c, struct ts_request *rq,
                                 const char *arg) {
  (void)arg;
  return raw(c, rq,
             "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
             "Content-Length: 1000\r\n\r\n",
             pattern_at(0), 100, TS_CLOSE);
}

static enum ts_after
r_truncated_chunked(struct ts_conn *c, struct ts_request *rq, const char *arg) {
  static const char body[] = "a\r\nabcdefghij\r\n"; /* no last chunk */

  (void)arg;
  return raw(c, rq, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
             body, sizeof body - 1, TS_CLOSE);
}

static enum ts_after r_bad_status(struct ts_conn *c, struct ts_request *rq,
                                  const char *arg) {
  (void)arg;
  return raw(c, rq, "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n", "", 0,
             TS_CLOSE);
}

static enum ts_after r_bad_header(struct ts_conn *c, struct ts_request *rq,
                                  const char *arg) {
  (void)arg;
  return raw(c, rq,
             "HTTP/1.1 200 OK\r\nThis line has no colon\r\n"
             "Content-Length: 0\r\n\r\n",
             "", 0, TS_CLOSE);
}

static enum ts_after r_bad_chunk(struct ts_conn *c, struct ts_request *rq,
                                 const char *arg) {
  static const char body[] = "zz\r\nhello\r\n0\r\n\r\n";

  (void)arg;
  return raw(c, rq, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
             body, sizeof body - 1, TS_CLOSE);
}

static enum ts_after
r_close_mid_headers(struct ts_conn *c, struct ts_request *rq, const char *arg) {
  (void)arg;
  return raw(c, rq, "HTTP/1.1 200 OK\r\nContent-Ty", "", 0, TS_CLOSE);
}

static enum ts_after r_cl_conflict(struct ts_conn *c, struct ts_request *rq,
                                   const char *arg) {
  (void)arg;
  return raw(c, rq,
             "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n"
             "\r\n",
             "hello", 5, TS_CLOSE);
}

static enum ts_after r_cl_and_chunked(struct ts_conn *c, struct ts_request *rq,
                                      const char *arg) {
  static const char body[] = "5\r\nhello\r\n0\r\n\r\n";

  (void)arg;
  return raw(c, rq,
             "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
             "Transfer-Encoding: chunked\r\n\r\n",
             body, sizeof body - 1, TS_CLOSE);
}

static enum ts_after r_http10(struct ts_conn *c, struct ts_request *rq,
                              const char *arg) {
  (void)arg;
  return raw(c, rq,
             "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
             "Content-Length: 9\r\n\r\n",
             "http/1.0\n", 9, TS_CLOSE);
}

/* A response that announces nothing about the connection (so the client
 * keeps it) after which the server closes it anyway, as an idle timeout
 * would: the client must not send its next request on it. */
static enum ts_after r_close_after_response(struct ts_conn *c,
                                            struct ts_request *rq,
                                            const char *arg) {
  (void)arg;
  return raw(c, rq, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n", "bye\n", 4,
             TS_CLOSE);
}

/* The same header twice, with different case: a client must keep both. */
static enum ts_after r_repeat_headers(struct ts_conn *c, struct ts_request *rq,
                                      const char *arg) {
  (void)arg;
  return raw(c, rq,
             "HTTP/1.1 200 OK\r\nX-Repeat: one\r\nContent-Length: 0\r\n"
             "x-repeat: two\r\n\r\n",
             "", 0, TS_KEEP);
}

static enum ts_after r_big_headers(struct ts_conn *c, struct ts_request *rq,
                                   const char *arg) {
  unsigned long long n, i;
  struct ts_buf b = {0};
  char filler[91];
  int rc = 0;

  memset(filler, 'x', 90);
  filler[90] = '\0';
  if (number_arg(c, rq, arg, MAX_HEADER_LINES, &n) < 0)
    return TS_KEEP;
  ts_head_start(&b, rq, 200);
  for (i = 1; i <= n && rc == 0 && !b.failed; i++) {
    ts_buf_addf(&b, "X-Filler-%llu: %s\r\n", i, filler);
    if (b.len >= 60000) { /* flush in ~64 KiB writes */
      rc = ts_conn_write(c, b.p, b.len);
      b.len = 0;
    }
  }
  ts_buf_adds(&b, "Content-Length: 0\r\n\r\n");
  if (rc == 0)
    rc = b.failed ? -1 : ts_conn_write(c, b.p, b.len);
  ts_buf_free(&b);
  return sent(rc);
}

/* Never answers: waits for the client to give up (EOF) or NEVER_SECONDS,
 * polling so a server stop is noticed. */
static enum ts_after r_never(struct ts_conn *c, struct ts_request *rq,
                             const char *arg) {
  time_t end = time(NULL) + NEVER_SECONDS;
  char junk[4096];

  (void)rq;
  (void)arg;
  while (!ts_stopping() && time(NULL) < end) {
    int r = ts_conn_wait_readable(c, 200);
    if (r < 0 || (r > 0 && ts_conn_read(c, junk, sizeof junk) <= 0))
      break;
  }
  return TS_CLOSE;
}

static enum ts_after r_conn_id(struct ts_conn *c, struct ts_request *rq,
                               const char *arg) {
  char id[32];

  (void)arg;
  snprintf(id, sizeof id, "%lu", c->id);
  return text(c, rq, 200, id);
}

/* Answers with the client's end as the server saw it, "ADDR port N" (or
 * "unix port ?" on a Unix socket): the local end a client bound. */
static enum ts_after r_peer(struct ts_conn *c, struct ts_request *rq,
                            const char *arg) {
  (void)arg;
  return text(c, rq, 200, c->peer);
}

/* Answers with the connection id (as /conn-id) after sleeping the given
 * milliseconds, at most MAX_DELAY_MS, in short naps so a server stop is
 * noticed. Keeps a connection busy for pool tests. */
static enum ts_after r_delay(struct ts_conn *c, struct ts_request *rq,
                             const char *arg) {
  unsigned long long ms, slept = 0;

  if (number_arg(c, rq, arg, MAX_DELAY_MS, &ms) < 0)
    return TS_KEEP;
  while (slept < ms && !ts_stopping()) {
    unsigned long long nap = ms - slept < 20 ? ms - slept : 20;
    struct timespec ts = {0, (long)nap * 1000 * 1000};

    nanosleep(&ts, NULL);
    slept += nap;
  }
  if (ts_stopping())
    return TS_CLOSE;
  return r_conn_id(c, rq, "");
}

/* Answers normally (the connection id, keep-alive), and arms the
 * connection so that the next request on it is read and then dropped
 * without an answer (http.c): to the client the idle connection looks
 * alive when taken and dies once used. */
static enum ts_after r_drop_next(struct ts_conn *c, struct ts_request *rq,
                                 const char *arg) {
  c->drop_next = 1;
  return r_conn_id(c, rq, arg);
}

/* What the server saw of the handshake: "1" when it resumed a session,
 * "0" for a full handshake (or no TLS). */
static enum ts_after r_resumed(struct ts_conn *c, struct ts_request *rq,
                               const char *arg) {
  (void)arg;
  return text(c, rq, 200, c->ssl && SSL_session_reused(c->ssl) ? "1" : "0");
}

/* Echoes the request line, the header lines as received, a blank line and
 * the body, so tests can see exactly what a client sent. */
static enum ts_after r_echo(struct ts_conn *c, struct ts_request *rq,
                            const char *arg) {
  struct ts_buf b = {0};
  const char *line = rq->lines;
  enum ts_after after = TS_CLOSE;
  size_t i;

  (void)arg;
  ts_buf_addf(&b, "%s %s\n", rq->method, rq->target);
  for (i = 0; i < rq->nlines; i++) {
    ts_buf_adds(&b, line);
    ts_buf_adds(&b, "\n");
    line += strlen(line) + 1;
  }
  ts_buf_adds(&b, "\n");
  ts_buf_add(&b, rq->body, rq->body_len);
  if (!b.failed)
    after = sent(
        ts_respond(c, rq, 200, "Content-Type: text/plain\r\n", b.p, b.len));
  ts_buf_free(&b);
  return after;
}

static int hexval(char ch) {
  if (ch >= '0' && ch <= '9')
    return ch - '0';
  if (ch >= 'a' && ch <= 'f')
    return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F')
    return ch - 'A' + 10;
  return -1;
}

/* Percent-decodes s into b; a '%' without two hex digits stays as it is.
 * Returns -1 if the result holds a control character, which would let a
 * test inject header lines. */
static int percent_decode(struct ts_buf *b, const char *s) {
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
      ch = (unsigned char)(hexval(s[1]) * 16 + hexval(s[2]));
      s += 2;
    }
    if (ch < 0x20 || ch == 0x7f)
      return -1;
    ts_buf_add(b, &ch, 1);
  }
  return 0;
}

/* The URL after "to=" in the query: the whole rest of the query, so a
 * Location may itself carry a query with '&'. */
static const char *redirect_to(const char *target) {
  const char *q = strchr(target, '?');

  if (!q)
    return NULL;
  if (strncmp(q + 1, "to=", 3) == 0)
    return q + 4;
  q = strstr(q, "&to=");
  return q ? q + 4 : NULL;
}

static enum ts_after r_redirect(struct ts_conn *c, struct ts_request *rq,
                                const char *arg) {
  const char *to = redirect_to(rq->target);
  unsigned long long code;
  struct ts_buf h = {0};
  enum ts_after after = TS_CLOSE;

  if (number_arg(c, rq, arg, 399, &code) < 0)
    return TS_KEEP;
  if (code < 300 || !to)
    return text(c, rq, 400, "want /redirect/3xx?to=URL\n");
  ts_buf_adds(&h, "Location: ");
  if (percent_decode(&h, to) < 0) {
    ts_buf_free(&h);
    return text(c, rq, 400, "control character in Location\n");
  }
  ts_buf_adds(&h, "\r\nContent-Type: text/plain\r\n");
  ts_buf_add(&h, "", 1); /* NUL: ts_respond takes a C string */
  if (!h.failed)
    after = sent(ts_respond(c, rq, (int)code, h.p, "redirect\n", 9));
  ts_buf_free(&h);
  return after;
}

static enum ts_after r_status(struct ts_conn *c, struct ts_request *rq,
                              const char *arg) {
  unsigned long long code;

  if (number_arg(c, rq, arg, 599, &code) < 0)
    return TS_KEEP;
  if (code < 200) /* a 1xx is interim: it cannot end a request */
    return text(c, rq, 400, "status must be 200..599\n");
  return text(c, rq, (int)code, "status\n");
}

static enum ts_after r_continue(struct ts_conn *c, struct ts_request *rq,
                                const char *arg) {
  (void)arg;
  if (ts_send_continue(c, rq) < 0)
    return TS_CLOSE;
  return text(c, rq, 200, "after continue\n");
}

/* The certificate's subject (RFC 2253) as a 200 text answer. */
static enum ts_after subject(struct ts_conn *c, struct ts_request *rq,
                             X509 *cert) {
  struct ts_buf b = {0};
  enum ts_after after = TS_CLOSE;

  if (ts_subject_rfc2253(cert, &b) == 0)
    after = sent(
        ts_respond(c, rq, 200, "Content-Type: text/plain\r\n", b.p, b.len));
  ts_buf_free(&b);
  return after;
}

/* The verified client certificate's subject (RFC 2253), or "none". */
static enum ts_after r_client_cert(struct ts_conn *c, struct ts_request *rq,
                                   const char *arg) {
  X509 *cert = ts_verified_peer_cert(c);

  (void)arg;
  return cert ? subject(c, rq, cert) : text(c, rq, 200, "none");
}

/* As /client-cert, but the certificate is asked for now, after the
 * handshake (--late-client-ca; tls.c does the TLS part): 200 and the
 * subject once one is verified, else 403 naming why, and the connection
 * closes. A TLS failure meanwhile leaves nothing to answer on. */
static enum ts_after r_late_cert(struct ts_conn *c, struct ts_request *rq,
                                 const char *arg) {
  X509 *cert = ts_verified_peer_cert(c);
  enum ts_late_outcome o;
  char body[256];

  (void)arg;
  if (cert) {
    ts_log("conn %lu: late auth: a verified certificate is already there",
           c->id);
    return subject(c, rq, cert);
  }
  o = ts_late_auth_start(c);
  if (o == TS_LATE_ASKED)
    o = ts_late_auth_wait(c);
  if (o == TS_LATE_VERIFIED)
    return subject(c, rq, SSL_get0_peer_certificate(c->ssl));
  if (o == TS_LATE_BROKEN)
    return TS_CLOSE;
  if (o == TS_LATE_UNVERIFIED)
    snprintf(body, sizeof body, "%s: %s\n", ts_late_outcome_text(o),
             X509_verify_cert_error_string(SSL_get_verify_result(c->ssl)));
  else
    snprintf(body, sizeof body, "%s\n", ts_late_outcome_text(o));
  rq->close = 1;
  text(c, rq, 403, body);
  return TS_CLOSE;
}

static enum ts_after r_tls(struct ts_conn *c, struct ts_request *rq,
                           const char *arg) {
  char body[128];

  (void)arg;
  if (c->ssl)
    snprintf(body, sizeof body, "%s %s\n", SSL_get_version(c->ssl),
             SSL_get_cipher_name(c->ssl));
  else
    snprintf(body, sizeof body, "none none\n");
  return text(c, rq, 200, body);
}

typedef enum ts_after (*route_fn)(struct ts_conn *, struct ts_request *,
                                  const char *);

struct route {
  const char *path; /* exact path, or a prefix when it ends in '/' */
  int any_method;   /* otherwise GET and HEAD only; redirects, statuses and
                       100 Continue are tested with POST and PUT too */
  route_fn fn;
};

static const struct route g_routes[] = {
    {"/", 0, r_root},
    {"/bytes/", 0, r_bytes},
    {"/chunked/", 0, r_chunked},
    {"/close-delimited/", 0, r_close_delimited},
    {"/close-no-notify/", 0, r_close_no_notify},
    {"/truncated", 0, r_truncated},
    {"/truncated-chunked", 0, r_truncated_chunked},
    {"/bad-status", 0, r_bad_status},
    {"/bad-header", 0, r_bad_header},
    {"/big-headers/", 0, r_big_headers},
    {"/bad-chunk", 0, r_bad_chunk},
    {"/close-mid-headers", 0, r_close_mid_headers},
    {"/never", 0, r_never},
    {"/conn-id", 0, r_conn_id},
    {"/peer", 0, r_peer},
    {"/echo", 1, r_echo},
    {"/redirect/", 1, r_redirect},
    {"/status/", 1, r_status},
    {"/continue", 1, r_continue},
    {"/cl-conflict", 0, r_cl_conflict},
    {"/cl-and-chunked", 0, r_cl_and_chunked},
    {"/client-cert", 0, r_client_cert},
    {"/late-cert", 0, r_late_cert},
    {"/tls", 0, r_tls},
    {"/http10", 0, r_http10},
    {"/repeat-headers", 0, r_repeat_headers},
    {"/close-after-response", 0, r_close_after_response},
    {"/delay/", 0, r_delay},
    {"/drop-next", 0, r_drop_next},
    {"/resumed", 0, r_resumed},
    {"/endless", 0, ts_r_endless},
    {"/silent-after-head", 0, ts_r_silent_after_head},
    {"/drip/", 0, ts_r_drip},
    {"/1xx-flood", 0, ts_r_1xx_flood},
    {"/upload-stall", 1, ts_r_upload_stall},
    {"/upload-sink", 1, ts_r_upload_sink},
};

/* Finds the route for path; *arg gets the rest after a prefix route. */
static const struct route *find_route(const char *path, const char **arg) {
  size_t i;

  for (i = 0; i < sizeof g_routes / sizeof g_routes[0]; i++) {
    const char *p = g_routes[i].path;
    size_t n = strlen(p);
    int prefix = n > 1 && p[n - 1] == '/';

    if (prefix ? strncmp(path, p, n) == 0 : strcmp(path, p) == 0) {
      *arg = path + (prefix ? n : strlen(path));
      return &g_routes[i];
    }
  }
  return NULL;
}

enum ts_after ts_route(struct ts_conn *c, struct ts_request *rq) {
  size_t plen = strcspn(rq->target, "?");
  char *path = malloc(plen + 1);
  const struct route *r;
  const char *arg = "";
  enum ts_after after;

  if (!path)
    return TS_CLOSE;
  memcpy(path, rq->target, plen);
  path[plen] = '\0';
  r = find_route(path, &arg);
  if (!r)
    after = text(c, rq, 404, "not found\n");
  else if (!r->any_method && strcmp(rq->method, "GET") != 0 && !rq->is_head)
    after = sent(ts_respond(c, rq, 405,
                            "Allow: GET, HEAD\r\nContent-Type: text/plain\r\n",
                            "method not allowed\n", 19));
  else
    after = r->fn(c, rq, arg);
  free(path);
  return after;
}
