/* SPDX-License-Identifier: MIT */
/* h2_routes.c: what the test server answers over HTTP/2, on the same paths
 * as HTTP/1.1 where they make sense (/, /bytes/N, /conn-id, /delay/MS,
 * /echo, /status/N, /client-cert, /tls, /resumed), plus /trailers, the
 * server's counters (/stats, /stats/conn/ID), the misbehaviours the
 * conformance suite needs per stream (/h2/...), a certificate asked for
 * after the handshake (/late-cert: refused as HTTP/2 requires;
 * /late-cert-anyway: asked all the same), and those of
 * h2_slow_routes.c for the client's bounds. A request arrives whole
 * (headers and body); a route answers at once or sets a timer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "h2.h"

#define MAX_BYTES (1ULL << 30)
/* The longest delay a test asks for (4 s), stretched by any
 * HTTPR_TEST_TIMEOUT_MULTIPLIER up to 15. */
#define MAX_DELAY_MS 60000
#define MAX_HEADER_BYTES (1024 * 1024)
#define FILLER_BYTES 128 /* name plus value of one /h2/big-headers field */

#define NV(name, value)                                                        \
  {                                                                            \
    (uint8_t *)(name), (uint8_t *)(value), sizeof(name) - 1,                   \
        sizeof(value) - 1, NGHTTP2_NV_FLAG_NONE                                \
  }

typedef void (*route_fn)(struct ts_h2 *h, struct ts_h2_stream *st,
                         const char *arg);

static void text(struct ts_h2 *h, struct ts_h2_stream *st, int status,
                 const char *body) {
  static const nghttp2_nv type[] = {NV("content-type", "text/plain")};

  ts_h2_respond(h, st, status, type, 1, body, strlen(body));
}

/* Parses the numeric path argument; answers 400 itself when it is bad. */
static int number_arg(struct ts_h2 *h, struct ts_h2_stream *st, const char *arg,
                      unsigned long long max, unsigned long long *out) {
  char *end;

  if (*arg >= '0' && *arg <= '9') {
    *out = strtoull(arg, &end, 10);
    if (!*end && *out <= max)
      return 0;
  }
  text(h, st, 400, "bad number in path\n");
  return -1;
}

static void r_root(struct ts_h2 *h, struct ts_h2_stream *st, const char *arg) {
  (void)arg;
  text(h, st, 200, "hello\n");
}

/* N bytes, byte i being 'a' + i % 26 (as over HTTP/1.1). */
static void r_bytes(struct ts_h2 *h, struct ts_h2_stream *st, const char *arg) {
  unsigned long long n;

  if (number_arg(h, st, arg, MAX_BYTES, &n) == 0)
    ts_h2_respond_pattern(h, st, n);
}

static void r_conn_id(struct ts_h2 *h, struct ts_h2_stream *st,
                      const char *arg) {
  char id[32];

  (void)arg;
  snprintf(id, sizeof id, "%lu", h->c->id);
  text(h, st, 200, id);
}

static void delayed_conn_id(struct ts_h2 *h, struct ts_h2_stream *st) {
  r_conn_id(h, st, "");
}

/* The connection id after MS milliseconds; other streams go on. */
static void r_delay(struct ts_h2 *h, struct ts_h2_stream *st, const char *arg) {
  unsigned long long ms;

  if (number_arg(h, st, arg, MAX_DELAY_MS, &ms) == 0)
    ts_h2_after(h, st, (long long)ms, delayed_conn_id);
}

/* FNV-1a, 64 bits: a digest a test can compute without a crypto library. */
static unsigned long long fnv1a64(const unsigned char *p, size_t n) {
  unsigned long long v = 14695981039346656037ULL;

  for (size_t i = 0; i < n; i++) {
    v ^= p[i];
    v *= 1099511628211ULL;
  }
  return v;
}

/* The request body back, with its length, digest and the method. */
static void r_echo(struct ts_h2 *h, struct ts_h2_stream *st, const char *arg) {
  char len_s[24], digest[24];
  nghttp2_nv hdrs[4];

  (void)arg;
  if (st->body_too_large) {
    text(h, st, 413, "body too large\n");
    return;
  }
  snprintf(len_s, sizeof len_s, "%zu", st->body.len);
  snprintf(digest, sizeof digest, "%016llx",
           fnv1a64((const unsigned char *)st->body.p, st->body.len));
  hdrs[0] = ts_h2_nv("content-type", "application/octet-stream");
  hdrs[1] = ts_h2_nv("x-body-length", len_s);
  hdrs[2] = ts_h2_nv("x-body-fnv1a64", digest);
  hdrs[3] = ts_h2_nv("x-method", st->method);
  ts_h2_respond(h, st, 200, hdrs, 4, st->body.p, st->body.len);
}

/* "hello\n", then two trailer fields. */
static void r_trailers(struct ts_h2 *h, struct ts_h2_stream *st,
                       const char *arg) {
  static const nghttp2_nv hdrs[] = {NV("content-type", "text/plain"),
                                    NV("trailer", "x-trailer, x-trailer-2")};
  static const nghttp2_nv trailers[] = {NV("x-trailer", "yes"),
                                        NV("x-trailer-2", "two")};

  (void)arg;
  st->trailers = trailers;
  st->ntrailers = 2;
  ts_h2_respond(h, st, 200, hdrs, 2, "hello\n", 6);
}

static void r_status(struct ts_h2 *h, struct ts_h2_stream *st,
                     const char *arg) {
  unsigned long long code;

  if (number_arg(h, st, arg, 599, &code) < 0)
    return;
  if (code < 200)
    text(h, st, 400, "status must be 200..599\n");
  else
    text(h, st, (int)code, "status\n");
}

/* The server's counters (stats.c), "name=value" lines. */
static void r_stats(struct ts_h2 *h, struct ts_h2_stream *st, const char *arg) {
  struct ts_buf b = {0};

  (void)arg;
  ts_stats_format(&b);
  ts_buf_add(&b, "", 1);
  if (b.failed)
    ts_h2_reset(h, st, NGHTTP2_INTERNAL_ERROR);
  else
    text(h, st, 200, b.p);
  ts_buf_free(&b);
}

/* One connection's counters; 404 for an id not seen or not tracked. */
static void r_stats_conn(struct ts_h2 *h, struct ts_h2_stream *st,
                         const char *arg) {
  unsigned long long id;
  struct ts_buf b = {0};

  if (number_arg(h, st, arg, ~0UL, &id) < 0)
    return;
  if (ts_stats_format_conn(&b, (unsigned long)id) < 0)
    text(h, st, 404, "no such connection\n");
  else if ((ts_buf_add(&b, "", 1), b.failed))
    ts_h2_reset(h, st, NGHTTP2_INTERNAL_ERROR);
  else
    text(h, st, 200, b.p);
  ts_buf_free(&b);
}

/* The certificate's subject (RFC 2253) as a 200 text answer. */
static void subject(struct ts_h2 *h, struct ts_h2_stream *st, X509 *cert) {
  static const nghttp2_nv type[] = {NV("content-type", "text/plain")};
  struct ts_buf b = {0};

  if (ts_subject_rfc2253(cert, &b) == 0)
    ts_h2_respond(h, st, 200, type, 1, b.p, b.len);
  else
    ts_h2_reset(h, st, NGHTTP2_INTERNAL_ERROR);
  ts_buf_free(&b);
}

/* The verified client certificate's subject (RFC 2253), or "none". */
static void r_client_cert(struct ts_h2 *h, struct ts_h2_stream *st,
                          const char *arg) {
  X509 *cert = ts_verified_peer_cert(h->c);

  (void)arg;
  if (cert)
    subject(h, st, cert);
  else
    text(h, st, 200, "none");
}

/* The 403 of a late certificate request that could not be made. */
static void late_refused(struct ts_h2 *h, struct ts_h2_stream *st,
                         enum ts_late_outcome o) {
  char body[256];

  snprintf(body, sizeof body, "%s\n", ts_late_outcome_text(o));
  text(h, st, 403, body);
}

/* A path that needs a client certificate the handshake did not give:
 * HTTP/2 forbids renegotiation (RFC 9113 9.2.1) and post-handshake
 * authentication (RFC 8740), so as Apache httpd the server resets the
 * stream with HTTP_1_1_REQUIRED and the client may retry over HTTP/1.1. */
static void r_late_cert(struct ts_h2 *h, struct ts_h2_stream *st,
                        const char *arg) {
  X509 *cert = ts_verified_peer_cert(h->c);

  (void)arg;
  if (cert) {
    subject(h, st, cert);
  } else if (!h->o->late_client_ca) {
    late_refused(h, st, TS_LATE_NOT_SET_UP);
  } else {
    ts_log("conn %lu: stream %d: a client certificate is needed: "
           "RST_STREAM HTTP_1_1_REQUIRED",
           h->c->id, (int)st->id);
    ts_h2_reset(h, st, NGHTTP2_HTTP_1_1_REQUIRED);
  }
}

/* Once output is drained: the certificate request itself, then no answer;
 * the connection ends TS_LATE_AUTH_MS later, or when the client ends it
 * (what it sent back is logged by tls.c and h2.c). */
static void late_ask_anyway(struct ts_h2 *h, struct ts_h2_stream *st) {
  enum ts_late_outcome o = ts_late_auth_start(h->c);

  if (o == TS_LATE_ASKED) {
    ts_log("conn %lu: asked for a client certificate over HTTP/2 on "
           "purpose; closing within %ld ms",
           h->c->id, (long)TS_LATE_AUTH_MS);
    ts_h2_close_after(h, TS_LATE_AUTH_MS);
  } else if (o == TS_LATE_BROKEN) {
    ts_h2_close_after(h, 0);
  } else if (st) {
    late_refused(h, st, o);
  }
}

/* A misbehaving server: asks for a client certificate after the handshake
 * on an HTTP/2 connection anyway (TLS 1.3 post-handshake authentication,
 * or a TLS 1.2 renegotiation), so that the client's refusal is tested. */
static void r_late_cert_anyway(struct ts_h2 *h, struct ts_h2_stream *st,
                               const char *arg) {
  (void)arg;
  ts_h2_when_drained(h, st, late_ask_anyway);
}

static void r_tls(struct ts_h2 *h, struct ts_h2_stream *st, const char *arg) {
  char body[128];

  (void)arg;
  snprintf(body, sizeof body, "%s %s\n", SSL_get_version(h->c->ssl),
           SSL_get_cipher_name(h->c->ssl));
  text(h, st, 200, body);
}

static void r_resumed(struct ts_h2 *h, struct ts_h2_stream *st,
                      const char *arg) {
  (void)arg;
  text(h, st, 200, SSL_session_reused(h->c->ssl) ? "1" : "0");
}

static void reset_now(struct ts_h2 *h, struct ts_h2_stream *st) {
  ts_log("conn %lu: stream %d: RST_STREAM INTERNAL_ERROR on purpose", h->c->id,
         (int)st->id);
  ts_h2_reset(h, st, NGHTTP2_INTERNAL_ERROR);
}

/* /h2/rst: RST_STREAM INTERNAL_ERROR instead of an answer; /h2/rst/MS
 * after MS milliseconds. The connection and its other streams go on. */
static void r_rst(struct ts_h2 *h, struct ts_h2_stream *st, const char *arg) {
  unsigned long long ms = 0;

  if (*arg && number_arg(h, st, arg, MAX_DELAY_MS, &ms) < 0)
    return;
  if (ms == 0)
    reset_now(h, st);
  else
    ts_h2_after(h, st, (long long)ms, reset_now);
}

/* A response whose header block holds at least N bytes of fields (name
 * plus value): x-filler-000001 ... of FILLER_BYTES each, N rounded up. */
static void r_big_headers(struct ts_h2 *h, struct ts_h2_stream *st,
                          const char *arg) {
  enum { NAME_LEN = 15 }; /* "x-filler-000001" */
  unsigned long long n;
  size_t count, i;
  nghttp2_nv *nva;
  char *names;
  char value[FILLER_BYTES - NAME_LEN + 1];

  if (number_arg(h, st, arg, MAX_HEADER_BYTES, &n) < 0)
    return;
  count = (size_t)((n + FILLER_BYTES - 1) / FILLER_BYTES);
  memset(value, 'x', sizeof value - 1);
  value[sizeof value - 1] = '\0';
  nva = calloc(count + 1, sizeof *nva);
  names = malloc(count * (NAME_LEN + 1) + 1);
  if (!nva || !names) {
    ts_h2_reset(h, st, NGHTTP2_INTERNAL_ERROR);
  } else {
    for (i = 0; i < count; i++) {
      char *name = names + i * (NAME_LEN + 1);
      /* count is below a million (MAX_HEADER_BYTES / FILLER_BYTES): the
       * modulo only tells the compiler so. */
      snprintf(name, NAME_LEN + 1, "x-filler-%06u",
               (unsigned)((i + 1) % 1000000));
      nva[i] = ts_h2_nv(name, value);
    }
    ts_h2_respond(h, st, 200, nva, count, "", 0);
  }
  free(names);
  free(nva);
}

/* No answer: a malformed frame instead, which ends the connection. */
static void r_bad_frame(struct ts_h2 *h, struct ts_h2_stream *st,
                        const char *arg) {
  (void)st;
  (void)arg;
  ts_h2_write_bad_frame(h, TS_H2_DATA_ON_STREAM_0);
}

static void r_bad_frame_length(struct ts_h2 *h, struct ts_h2_stream *st,
                               const char *arg) {
  (void)st;
  (void)arg;
  ts_h2_write_bad_frame(h, TS_H2_BAD_PING_LENGTH);
}

struct route {
  const char *path; /* exact path, or a prefix when it ends in '/' */
  int any_method;   /* otherwise GET and HEAD only */
  route_fn fn;
};

static const struct route g_routes[] = {
    {"/", 0, r_root},
    {"/bytes/", 0, r_bytes},
    {"/conn-id", 0, r_conn_id},
    {"/delay/", 0, r_delay},
    {"/echo", 1, r_echo},
    {"/trailers", 0, r_trailers},
    {"/status/", 1, r_status},
    {"/stats", 0, r_stats},
    {"/stats/conn/", 0, r_stats_conn},
    {"/client-cert", 0, r_client_cert},
    {"/late-cert", 1, r_late_cert}, /* a POST gets the reset too */
    {"/late-cert-anyway", 0, r_late_cert_anyway},
    {"/tls", 0, r_tls},
    {"/resumed", 0, r_resumed},
    {"/h2/rst", 1, r_rst},
    {"/h2/rst/", 1, r_rst},
    {"/h2/big-headers/", 0, r_big_headers},
    {"/h2/bad-frame", 1, r_bad_frame},
    {"/h2/bad-frame-length", 1, r_bad_frame_length},
    {"/endless", 0, ts_h2_r_endless},
    {"/silent-after-head", 0, ts_h2_r_silent_after_head},
    {"/drip/", 0, ts_h2_r_drip},
    {"/1xx-flood", 0, ts_h2_r_1xx_flood},
};

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

void ts_h2_route(struct ts_h2 *h, struct ts_h2_stream *st) {
  size_t plen = strcspn(st->path, "?");
  char *path = malloc(plen + 1);
  const struct route *r;
  const char *arg = "";

  if (!path) {
    ts_h2_reset(h, st, NGHTTP2_INTERNAL_ERROR);
    return;
  }
  memcpy(path, st->path, plen);
  path[plen] = '\0';
  r = find_route(path, &arg);
  if (!r) {
    text(h, st, 404, "not found\n");
  } else if (!r->any_method && strcmp(st->method, "GET") != 0 && !st->is_head) {
    static const nghttp2_nv allow[] = {NV("allow", "GET, HEAD"),
                                       NV("content-type", "text/plain")};
    ts_h2_respond(h, st, 405, allow, 2, "method not allowed\n", 19);
  } else {
    r->fn(h, st, arg);
  }
  free(path);
}
