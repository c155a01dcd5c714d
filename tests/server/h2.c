/* SPDX-License-Identifier: MIT */
/* h2.c: one HTTP/2 connection (ALPN "h2"): an nghttp2 server session
 * driven by a poll loop on the non-blocking socket, so the streams of a
 * connection are served concurrently (a /delay/MS stream is a timer, never
 * a sleep). Also the connection-level misbehaviours the options ask for:
 * GOAWAY after N streams, a tiny initial window, windows opened wide at
 * once and never updated, a low stream limit, and the malformed frames
 * h2_routes.c asks for. What each path answers is in h2_routes.c;
 * HTTP/1.1 (http.c, routes.c) never comes here. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "h2.h"

#define OUT_HIGH (64 * 1024)  /* serialize no further ahead */
#define READ_CAP (256 * 1024) /* bytes read per loop turn */
#define POLL_MS 200           /* how often a stop is checked */
/* The waits below are stretched by HTTPR_TEST_TIMEOUT_MULTIPLIER. */
#define IDLE_MS TS_IO_TIMEOUT_MS           /* as the HTTP/1.1 read timeout */
#define STALL_MS TS_IO_TIMEOUT_MS          /* a peer that reads nothing */
#define MAX_HEADER_BLOCK (4 * 1024 * 1024) /* for /h2/big-headers/N */
#define BAD_FRAME_WAIT_MS test_timeout_ms(5000)

static long long now_ms(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

nghttp2_nv ts_h2_nv(const char *name, const char *value) {
  nghttp2_nv nv = {(uint8_t *)(uintptr_t)name, (uint8_t *)(uintptr_t)value,
                   strlen(name), strlen(value), NGHTTP2_NV_FLAG_NONE};
  return nv;
}

/* ---- streams ------------------------------------------------------------ */

static void stream_free(struct ts_h2_stream *st) {
  free(st->path);
  ts_buf_free(&st->body);
  ts_buf_free(&st->resp);
  free(st);
}

static void unlink_stream(struct ts_h2 *h, struct ts_h2_stream *st) {
  struct ts_h2_stream **p = &h->streams;

  while (*p && *p != st)
    p = &(*p)->next;
  if (*p)
    *p = st->next;
}

/* --h2-goaway-after N: when stream N+1 arrives, GOAWAY naming the N-th as
 * the last one processed; it and every later stream stay unanswered. */
static void goaway_after(struct ts_h2 *h, struct ts_h2_stream *st) {
  long n = h->o->h2_goaway_after;

  if (n < 0)
    return;
  if (h->accepted == (unsigned long)n)
    h->nth_id = st->id;
  if (!h->goaway && h->accepted > (unsigned long)n) {
    static const char why[] = "--h2-goaway-after";
    h->goaway = 1;
    h->goaway_last = n > 0 ? h->nth_id : 0;
    if (nghttp2_submit_goaway(h->s, NGHTTP2_FLAG_NONE, h->goaway_last,
                              NGHTTP2_NO_ERROR, (const uint8_t *)why,
                              sizeof why - 1) != 0)
      ts_log("conn %lu: cannot submit GOAWAY", h->c->id);
    else
      ts_log("conn %lu: GOAWAY last-stream-id %d (stream %d unanswered)",
             h->c->id, (int)h->goaway_last, (int)st->id);
  }
  if (h->goaway && st->id > h->goaway_last)
    st->ignored = 1;
}

static int on_begin_headers(nghttp2_session *s, const nghttp2_frame *frame,
                            void *ud) {
  struct ts_h2 *h = ud;
  struct ts_h2_stream *st;

  if (frame->hd.type != NGHTTP2_HEADERS ||
      frame->headers.cat != NGHTTP2_HCAT_REQUEST)
    return 0;
  st = calloc(1, sizeof *st);
  if (!st)
    return NGHTTP2_ERR_CALLBACK_FAILURE;
  st->id = frame->hd.stream_id;
  st->next = h->streams;
  h->streams = st;
  nghttp2_session_set_stream_user_data(s, st->id, st);
  h->open++;
  h->accepted++;
  ts_stats_stream_opened(h->c->id, h->open);
  goaway_after(h, st);
  return 0;
}

static int on_header(nghttp2_session *s, const nghttp2_frame *frame,
                     const uint8_t *name, size_t namelen, const uint8_t *value,
                     size_t valuelen, uint8_t flags, void *ud) {
  struct ts_h2_stream *st =
      nghttp2_session_get_stream_user_data(s, frame->hd.stream_id);

  (void)flags;
  (void)ud;
  if (!st || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
    return 0; /* trailers from the client are ignored */
  if (namelen == 7 && memcmp(name, ":method", 7) == 0) {
    size_t k =
        valuelen < sizeof st->method - 1 ? valuelen : sizeof st->method - 1;
    memcpy(st->method, value, k);
    st->method[k] = '\0';
    st->is_head = strcmp(st->method, "HEAD") == 0;
  } else if (namelen == 5 && memcmp(name, ":path", 5) == 0 && !st->path) {
    st->path = malloc(valuelen + 1);
    if (!st->path)
      return NGHTTP2_ERR_CALLBACK_FAILURE;
    memcpy(st->path, value, valuelen);
    st->path[valuelen] = '\0';
  }
  return 0;
}

static int on_data_chunk(nghttp2_session *s, uint8_t flags, int32_t id,
                         const uint8_t *data, size_t len, void *ud) {
  struct ts_h2_stream *st = nghttp2_session_get_stream_user_data(s, id);

  (void)flags;
  (void)ud;
  if (!st || st->ignored || st->body_too_large)
    return 0;
  if (len > TS_MAX_BODY - st->body.len) {
    st->body_too_large = 1;
    ts_buf_free(&st->body);
    return 0;
  }
  ts_buf_add(&st->body, data, len);
  return st->body.failed ? NGHTTP2_ERR_CALLBACK_FAILURE : 0;
}

static int on_frame_recv(nghttp2_session *s, const nghttp2_frame *frame,
                         void *ud) {
  struct ts_h2 *h = ud;
  struct ts_h2_stream *st;

  if (frame->hd.type == NGHTTP2_DATA)
    ts_stats_data_frame(h->c->id);
  if (frame->hd.type == NGHTTP2_GOAWAY)
    ts_log("conn %lu: client sent GOAWAY %s", h->c->id,
           nghttp2_http2_strerror(frame->goaway.error_code));
  else if (frame->hd.type == NGHTTP2_RST_STREAM)
    ts_log("conn %lu: client reset stream %d: %s", h->c->id,
           (int)frame->hd.stream_id,
           nghttp2_http2_strerror(frame->rst_stream.error_code));
  if ((frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) ||
      !(frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
    return 0;
  st = nghttp2_session_get_stream_user_data(s, frame->hd.stream_id);
  if (!st || st->ignored || st->responded)
    return 0;
  if (!st->path || !st->method[0]) {
    ts_h2_reset(h, st, NGHTTP2_PROTOCOL_ERROR);
    return 0;
  }
  ts_h2_route(h, st);
  return 0;
}

static int on_stream_close(nghttp2_session *s, int32_t id, uint32_t code,
                           void *ud) {
  struct ts_h2 *h = ud;
  struct ts_h2_stream *st = nghttp2_session_get_stream_user_data(s, id);

  (void)code;
  if (!st)
    return 0;
  nghttp2_session_set_stream_user_data(s, id, NULL);
  unlink_stream(h, st);
  stream_free(st);
  h->open--;
  return 0;
}

/* Counts what /stats reports about the peer breaking the rules. */
static int on_frame_send(nghttp2_session *s, const nghttp2_frame *frame,
                         void *ud) {
  struct ts_h2 *h = ud;

  (void)s;
  if (frame->hd.type == NGHTTP2_RST_STREAM &&
      frame->rst_stream.error_code == NGHTTP2_REFUSED_STREAM) {
    ts_stats_refused(h->c->id);
    ts_log("conn %lu: stream %d refused (over the stream limit)", h->c->id,
           (int)frame->hd.stream_id);
  } else if (frame->hd.type == NGHTTP2_GOAWAY &&
             frame->goaway.error_code != NGHTTP2_NO_ERROR) {
    ts_stats_conn_error(h->c->id);
    ts_log("conn %lu: sent GOAWAY %s: %.*s", h->c->id,
           nghttp2_http2_strerror(frame->goaway.error_code),
           (int)frame->goaway.opaque_data_len,
           frame->goaway.opaque_data ? (const char *)frame->goaway.opaque_data
                                     : "");
  }
  return 0;
}

static int on_error(nghttp2_session *s, int code, const char *msg, size_t len,
                    void *ud) {
  struct ts_h2 *h = ud;

  (void)s;
  ts_log("conn %lu: nghttp2: %.*s (%d)", h->c->id, (int)len, msg, code);
  return 0;
}

/* ---- answering ---------------------------------------------------------- */

/* Copies the next body bytes into nghttp2's frame buffer; at the end sends
 * the trailers, if any, as a HEADERS frame that ends the stream. */
static ssize_t read_body(nghttp2_session *s, int32_t id, uint8_t *buf,
                         size_t cap, uint32_t *flags, nghttp2_data_source *src,
                         void *ud) {
  struct ts_h2_stream *st = src->ptr;
  unsigned long long left = st->len - st->off;
  size_t k = left < cap ? (size_t)left : cap;

  (void)ud;
  if (st->paced) {
    if (st->allow == 0)
      return NGHTTP2_ERR_DEFERRED; /* ts_h2_release resumes it */
    if (k > st->allow)
      k = (size_t)st->allow;
    st->allow -= k;
  }
  if (st->pattern) {
    unsigned r = (unsigned)(st->off % 26);
    for (size_t i = 0; i < k; i++) {
      buf[i] = (uint8_t)('a' + r);
      if (++r == 26)
        r = 0;
    }
  } else if (k > 0) {
    memcpy(buf, st->resp.p + st->off, k);
  }
  st->off += k;
  if (st->off == st->len) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    if (st->ntrailers > 0) {
      *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
      if (nghttp2_submit_trailer(s, id, st->trailers, st->ntrailers) != 0)
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    }
  }
  return (ssize_t)k;
}

/* Submits :status, content-length (not for 204/304), the route's headers
 * and, unless HEAD or empty without trailers, the body set up in st. */
static int submit(struct ts_h2 *h, struct ts_h2_stream *st, int status,
                  const nghttp2_nv *headers, size_t nheaders) {
  int bodyless = status == 204 || status == 304;
  nghttp2_data_provider prd;
  char status_s[8], len_s[24];
  nghttp2_nv *nva = malloc((nheaders + 2) * sizeof *nva);
  size_t n = 0;
  int rv;

  if (!nva)
    goto fail;
  snprintf(status_s, sizeof status_s, "%d", status);
  snprintf(len_s, sizeof len_s, "%llu", st->len);
  nva[n++] = ts_h2_nv(":status", status_s);
  if (!bodyless)
    nva[n++] = ts_h2_nv("content-length", len_s);
  if (nheaders > 0)
    memcpy(nva + n, headers, nheaders * sizeof *nva);
  n += nheaders;
  if (bodyless || st->is_head) {
    st->len = 0;
    st->ntrailers = 0;
  }
  prd.source.ptr = st;
  prd.read_callback = read_body;
  rv = nghttp2_submit_response(h->s, st->id, nva, n,
                               st->len > 0 || st->ntrailers > 0 ? &prd : NULL);
  free(nva);
  if (rv != 0) {
    ts_log("conn %lu: stream %d: cannot submit response: %s", h->c->id,
           (int)st->id, nghttp2_strerror(rv));
    goto fail;
  }
  st->responded = 1;
  return 0;
fail:
  ts_h2_reset(h, st, NGHTTP2_INTERNAL_ERROR);
  return -1;
}

int ts_h2_respond(struct ts_h2 *h, struct ts_h2_stream *st, int status,
                  const nghttp2_nv *headers, size_t nheaders, const void *body,
                  size_t len) {
  ts_buf_free(&st->resp);
  ts_buf_add(&st->resp, body, len);
  if (st->resp.failed) {
    ts_h2_reset(h, st, NGHTTP2_INTERNAL_ERROR);
    return -1;
  }
  st->pattern = 0;
  st->off = 0;
  st->len = len;
  return submit(h, st, status, headers, nheaders);
}

int ts_h2_respond_pattern(struct ts_h2 *h, struct ts_h2_stream *st,
                          unsigned long long n) {
  static const nghttp2_nv type = {(uint8_t *)"content-type",
                                  (uint8_t *)"application/octet-stream", 12, 24,
                                  NGHTTP2_NV_FLAG_NONE};

  st->pattern = 1;
  st->off = 0;
  st->len = n;
  return submit(h, st, 200, &type, 1);
}

int ts_h2_respond_paced(struct ts_h2 *h, struct ts_h2_stream *st,
                        unsigned long long n) {
  st->paced = 1;
  st->allow = 0;
  return ts_h2_respond_pattern(h, st, n);
}

void ts_h2_release(struct ts_h2 *h, struct ts_h2_stream *st,
                   unsigned long long n) {
  st->allow += n;
  nghttp2_session_resume_data(h->s, st->id);
}

int ts_h2_interim(struct ts_h2 *h, struct ts_h2_stream *st,
                  const nghttp2_nv *headers, size_t nheaders) {
  return nghttp2_submit_headers(h->s, NGHTTP2_FLAG_NONE, st->id, NULL, headers,
                                nheaders, NULL) < 0
             ? -1
             : 0;
}

int ts_h2_reset(struct ts_h2 *h, struct ts_h2_stream *st, uint32_t code) {
  st->responded = 1;
  st->due_ms = 0;
  return nghttp2_submit_rst_stream(h->s, NGHTTP2_FLAG_NONE, st->id, code) == 0
             ? 0
             : -1;
}

void ts_h2_after(struct ts_h2 *h, struct ts_h2_stream *st, long long ms,
                 ts_h2_timer_fn fn) {
  (void)h;
  st->due_ms = now_ms() + (ms > 0 ? ms : 0);
  st->on_due = fn;
}

void ts_h2_when_drained(struct ts_h2 *h, struct ts_h2_stream *st,
                        ts_h2_timer_fn fn) {
  h->on_drained = fn;
  h->drained_id = st->id;
}

void ts_h2_close_after(struct ts_h2 *h, long long ms) {
  h->close_at_ms = now_ms() + (ms > 0 ? ms : 0);
}

void ts_h2_write_bad_frame(struct ts_h2 *h, enum ts_h2_bad_frame which) {
  if (h->bad_frame == TS_H2_NO_BAD_FRAME)
    h->bad_frame = which;
}

/* ---- the connection loop ------------------------------------------------ */

static int out_add(struct ts_h2 *h, const void *p, size_t n) {
  if (h->out_len + n > h->out_cap) {
    size_t cap = h->out_cap ? h->out_cap : 16384;
    unsigned char *q;

    if (h->out_off > 0) { /* compact first */
      memmove(h->out, h->out + h->out_off, h->out_len - h->out_off);
      h->out_len -= h->out_off;
      h->out_off = 0;
    }
    while (cap < h->out_len + n)
      cap *= 2;
    if (cap != h->out_cap) {
      q = realloc(h->out, cap);
      if (!q)
        return -1;
      h->out = q;
      h->out_cap = cap;
    }
  }
  memcpy(h->out + h->out_len, p, n);
  h->out_len += n;
  return 0;
}

/* Serializes nghttp2's frames into the output buffer, up to OUT_HIGH
 * ahead of the socket; once nghttp2 has nothing more (so the buffer ends
 * on a frame boundary), appends the malformed frame a route asked for. */
static int fill_output(struct ts_h2 *h) {
  static const unsigned char data_on_0[] = {0, 0, 4,   NGHTTP2_DATA, 0,   0,  0,
                                            0, 0, 'o', 'o',          'p', 's'};
  static const unsigned char bad_ping[] = {
      0, 0, 7, NGHTTP2_PING, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7};
  int drained = 0;

  if (h->bad_frame_written)
    return 0; /* the connection is broken on purpose: nothing follows */
  while (h->out_len - h->out_off < OUT_HIGH) {
    const uint8_t *p;
    ssize_t n = nghttp2_session_mem_send(h->s, &p);

    if (n < 0) {
      ts_log("conn %lu: nghttp2_session_mem_send: %s", h->c->id,
             nghttp2_strerror((int)n));
      return -1;
    }
    if (n == 0) {
      drained = 1;
      break;
    }
    if (out_add(h, p, (size_t)n) < 0)
      return -1;
  }
  if (drained && h->bad_frame != TS_H2_NO_BAD_FRAME) {
    int rc = h->bad_frame == TS_H2_DATA_ON_STREAM_0
                 ? out_add(h, data_on_0, sizeof data_on_0)
                 : out_add(h, bad_ping, sizeof bad_ping);
    ts_log("conn %lu: wrote a malformed frame on purpose", h->c->id);
    h->bad_frame_written = 1;
    return rc;
  }
  return 0;
}

/* Writes buffered output until done or the socket is full. Returns 1 when
 * something was written, 0 when nothing could be, -1 on a TLS error. */
static int write_output(struct ts_h2 *h) {
  int progress = 0;

  while (h->out_off < h->out_len) {
    size_t left = h->out_len - h->out_off;
    int len = h->wlen ? h->wlen : (int)(left < INT_MAX ? left : INT_MAX);
    int rc, err;

    ERR_clear_error();
    errno = 0;
    rc = SSL_write(h->c->ssl, h->out + h->out_off, len);
    if (rc > 0) {
      h->out_off += (size_t)rc;
      h->wlen = 0;
      h->write_on_read = 0;
      progress = 1;
      continue;
    }
    err = SSL_get_error(h->c->ssl, rc);
    if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ) {
      h->wlen = len; /* OpenSSL wants the same call again */
      h->write_on_read = err == SSL_ERROR_WANT_READ;
      return progress;
    }
    ts_log_tls_error(h->c, "write", err);
    h->c->tls_broken = 1;
    return -1;
  }
  h->out_off = h->out_len = 0;
  return progress;
}

/* Reads what the socket has (up to READ_CAP) and feeds it to nghttp2.
 * Returns 1 when bytes came, 0 when none, -1 at the peer's close or on an
 * error. */
static int read_input(struct ts_h2 *h) {
  unsigned char buf[16384];
  size_t total = 0;

  h->more_input = 0;
  while (total < READ_CAP) {
    int rc, err;

    ERR_clear_error();
    errno = 0;
    rc = SSL_read(h->c->ssl, buf, sizeof buf);
    if (rc > 0) {
      ssize_t used = nghttp2_session_mem_recv(h->s, buf, (size_t)rc);
      if (used < 0) {
        ts_log("conn %lu: nghttp2_session_mem_recv: %s", h->c->id,
               nghttp2_strerror((int)used));
        return -1;
      }
      total += (size_t)rc;
      continue;
    }
    err = SSL_get_error(h->c->ssl, rc);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
      return total > 0;
    if (err != SSL_ERROR_ZERO_RETURN &&
        !(err == SSL_ERROR_SYSCALL && errno == 0))
      ts_log_tls_error(h->c, "read", err);
    if (err != SSL_ERROR_ZERO_RETURN)
      h->c->tls_broken = 1;
    return -1;
  }
  h->more_input = 1; /* SSL may hold more than poll() can see */
  return 1;
}

/* Runs due timers; returns the poll timeout until the next one. */
static int run_timers(struct ts_h2 *h) {
  long long now = now_ms(), next = now + POLL_MS;
  struct ts_h2_stream *st, *following;

  for (st = h->streams; st; st = following) {
    following = st->next; /* the callback never frees a stream itself */
    if (st->due_ms == 0)
      continue;
    if (st->due_ms <= now) {
      ts_h2_timer_fn fn = st->on_due;
      st->due_ms = 0;
      fn(h, st);
    }
    /* Also a timer the callback just armed again. */
    if (st->due_ms != 0 && st->due_ms < next)
      next = st->due_ms > now ? st->due_ms : now;
  }
  return (int)(next - now);
}

/* Is the connection done? After our GOAWAY: once every stream up to its
 * last-stream-id is answered and closed. */
static int finished(struct ts_h2 *h) {
  const struct ts_h2_stream *st;

  if (h->out_off < h->out_len)
    return 0;
  if (h->bad_frame_written)
    return 1;
  if (nghttp2_session_want_write(h->s))
    return 0;
  if (!nghttp2_session_want_read(h->s))
    return 1;
  if (!h->goaway)
    return 0;
  for (st = h->streams; st; st = st->next)
    if (st->id <= h->goaway_last)
      return 0;
  return 1;
}

/* After a malformed frame: the client must notice it by itself, so the
 * connection stays open (input read and dropped, nghttp2 sees no more)
 * until the client closes it or BAD_FRAME_WAIT_MS pass. */
static void await_peer_close(struct ts_h2 *h) {
  long long end = now_ms() + BAD_FRAME_WAIT_MS;
  unsigned char junk[16384];

  while (!ts_stopping() && now_ms() < end) {
    struct pollfd p = {h->c->fd, POLLIN, 0};
    int rc, err;

    if (SSL_pending(h->c->ssl) == 0 && poll(&p, 1, POLL_MS) <= 0)
      continue;
    ERR_clear_error();
    rc = SSL_read(h->c->ssl, junk, sizeof junk);
    if (rc > 0)
      continue;
    err = SSL_get_error(h->c->ssl, rc);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
      continue;
    if (err != SSL_ERROR_ZERO_RETURN)
      h->c->tls_broken = 1;
    return;
  }
  ts_log("conn %lu: the client kept the connection open after a malformed "
         "frame",
         h->c->id);
}

static void run(struct ts_h2 *h) {
  long long last_input = now_ms(), last_output = now_ms();
  int idle_goaway = 0;

  while (!ts_stopping()) {
    struct pollfd p = {h->c->fd, POLLIN, 0};
    int timeout = run_timers(h), w, r;

    if (fill_output(h) < 0)
      return;
    w = write_output(h);
    if (w < 0)
      return;
    if (w > 0 || h->out_off == h->out_len)
      last_output = now_ms();
    if (h->on_drained && h->out_off == h->out_len && !h->wlen) {
      ts_h2_timer_fn fn = h->on_drained;

      h->on_drained = NULL;
      fn(h, nghttp2_session_get_stream_user_data(h->s, h->drained_id));
      continue; /* serialize what fn submitted */
    }
    if (h->close_at_ms) {
      long long left = h->close_at_ms - now_ms();
      if (left <= 0) {
        ts_log("conn %lu: closing the connection as a route asked", h->c->id);
        return;
      }
      if (left < timeout)
        timeout = (int)left;
    }
    if (finished(h)) {
      if (h->bad_frame_written)
        await_peer_close(h);
      return;
    }
    if (h->out_off < h->out_len && !h->write_on_read)
      p.events |= POLLOUT;
    if (h->more_input || SSL_pending(h->c->ssl) > 0)
      timeout = 0;
    /* fill_output stopped at OUT_HIGH and all of it went out: go on
     * serializing rather than sleep in poll(). */
    if (h->out_off == h->out_len && !h->bad_frame_written &&
        nghttp2_session_want_write(h->s))
      timeout = 0;
    r = poll(&p, 1, timeout);
    if (r < 0 && errno != EINTR)
      return;
    if ((r > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR))) || timeout == 0) {
      int got = read_input(h);
      if (got < 0)
        return;
      if (got > 0)
        last_input = now_ms();
    }
    if (h->out_off < h->out_len && now_ms() - last_output > STALL_MS) {
      ts_log("conn %lu: peer reads nothing, giving up", h->c->id);
      h->c->tls_broken = 1; /* a close_notify would block as well */
      return;
    }
    if (!idle_goaway && !h->streams && now_ms() - last_input > IDLE_MS) {
      idle_goaway = 1; /* as an idle HTTP/1.1 connection times out */
      nghttp2_session_terminate_session(h->s, NGHTTP2_NO_ERROR);
    }
  }
}

static int session_new(struct ts_h2 *h) {
  nghttp2_session_callbacks *cb = NULL;
  nghttp2_option *opt = NULL;
  nghttp2_settings_entry iv[2];
  size_t niv = 0;
  long window =
      h->o->h2_open_window >= 0 ? h->o->h2_open_window : h->o->h2_window;
  int rv = -1;

  if (nghttp2_session_callbacks_new(&cb) != 0 || nghttp2_option_new(&opt) != 0)
    goto out;
  nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data_chunk);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame_recv);
  nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_stream_close);
  nghttp2_session_callbacks_set_on_frame_send_callback(cb, on_frame_send);
  nghttp2_session_callbacks_set_error_callback2(cb, on_error);
  nghttp2_option_set_max_send_header_block_length(opt, MAX_HEADER_BLOCK);
  /* --h2-open-window: the windows are never given back (nghttp2 would
   * send a WINDOW_UPDATE each time half of one is used). */
  if (h->o->h2_open_window >= 0)
    nghttp2_option_set_no_auto_window_update(opt, 1);
  if (nghttp2_session_server_new2(&h->s, cb, h, opt) != 0)
    goto out;
  iv[niv].settings_id = NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS;
  iv[niv++].value = (uint32_t)h->o->h2_max_streams;
  if (window >= 0) {
    iv[niv].settings_id = NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE;
    iv[niv++].value = (uint32_t)window;
  }
  if (nghttp2_submit_settings(h->s, NGHTTP2_FLAG_NONE, iv, niv) != 0)
    goto out;
  /* The connection's window too, by a WINDOW_UPDATE after the SETTINGS. */
  if (h->o->h2_open_window >= 0 &&
      nghttp2_session_set_local_window_size(h->s, NGHTTP2_FLAG_NONE, 0,
                                            (int32_t)window) != 0)
    goto out;
  rv = 0;
out:
  nghttp2_option_del(opt);
  nghttp2_session_callbacks_del(cb);
  return rv;
}

static int set_nonblocking(int fd, int on) {
  int fl = fcntl(fd, F_GETFL);

  if (fl < 0)
    return -1;
  return fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

void ts_h2_serve(struct ts_conn *c, const struct ts_options *o) {
  struct ts_h2 h;
  struct ts_h2_stream *st;

  memset(&h, 0, sizeof h);
  h.c = c;
  h.o = o;
  ts_stats_h2_connection(c->id);
  if (session_new(&h) == 0 && set_nonblocking(c->fd, 1) == 0) {
    SSL_set_mode(c->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE |
                             SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    run(&h);
    /* A write OpenSSL wanted repeated never was: no close_notify after
     * half a record. */
    if (h.wlen)
      c->tls_broken = 1;
    set_nonblocking(c->fd, 0); /* ts_conn_close uses blocking calls */
  }
  nghttp2_session_del(h.s);
  while ((st = h.streams) != NULL) {
    h.streams = st->next;
    stream_free(st);
  }
  free(h.out);
  ts_conn_close(c, 1);
}
