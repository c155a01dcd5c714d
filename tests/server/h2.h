/* SPDX-License-Identifier: MIT */
/* h2.h: what h2.c (one HTTP/2 connection: the poll loop and the nghttp2
 * server session) and h2_routes.c (what each path answers over HTTP/2)
 * share. Nothing of HTTP/1.1 is here. */
#ifndef HTTPR_TESTS_SERVER_H2_H
#define HTTPR_TESTS_SERVER_H2_H

#include <stdint.h>

#include <nghttp2/nghttp2.h>

#include "server.h"

struct ts_h2;
struct ts_h2_stream;

/* Called when a stream's timer (ts_h2_after) is due, or once output is
 * drained (ts_h2_when_drained; st is then NULL if the stream closed). */
typedef void (*ts_h2_timer_fn)(struct ts_h2 *h, struct ts_h2_stream *st);

/* Malformed frames a route can have written to the connection. */
enum ts_h2_bad_frame {
  TS_H2_NO_BAD_FRAME,
  TS_H2_DATA_ON_STREAM_0, /* DATA on stream 0: PROTOCOL_ERROR */
  TS_H2_BAD_PING_LENGTH   /* PING with 7 payload bytes: FRAME_SIZE_ERROR */
};

/* One request stream, from its HEADERS to its close. */
struct ts_h2_stream {
  int32_t id;
  struct ts_h2_stream *next;
  char method[16];
  char *path;         /* :path as received, NUL-terminated */
  int is_head;        /* answer without a body */
  struct ts_buf body; /* the request body, up to TS_MAX_BODY */
  int body_too_large;
  int ignored;      /* above the last-stream-id of our GOAWAY: no answer */
  int responded;    /* a response or RST_STREAM was submitted */
  long long due_ms; /* when on_due runs; 0: no timer */
  ts_h2_timer_fn on_due;
  unsigned long long arg; /* a number for on_due */
  long long every_ms;     /* the period of a timer that re-arms itself */
  /* The response body: `pattern` bytes ('a' + offset % 26) or `resp`. */
  int pattern;
  struct ts_buf resp;
  unsigned long long off, len;
  const nghttp2_nv *trailers; /* static storage; sent after the body */
  size_t ntrailers;
  /* A paced body (ts_h2_respond_paced): only `allow` more bytes may go
   * out now; the body waits (deferred) until ts_h2_release adds more. */
  int paced;
  unsigned long long allow;
};

/* One HTTP/2 connection. */
struct ts_h2 {
  struct ts_conn *c;
  const struct ts_options *o;
  nghttp2_session *s;
  struct ts_h2_stream *streams;   /* open streams we answer or ignore */
  size_t open;                    /* streams open now */
  unsigned long accepted;         /* streams opened so far */
  int32_t nth_id;                 /* --h2-goaway-after N: the N-th stream */
  int goaway;                     /* our GOAWAY (--h2-goaway-after) is out */
  int32_t goaway_last;            /* its last-stream-id */
  enum ts_h2_bad_frame bad_frame; /* to write once output is drained */
  int bad_frame_written;
  /* Output: frames serialized by nghttp2, not yet written to TLS. */
  unsigned char *out;
  size_t out_off, out_len, out_cap;
  int wlen;                  /* length of an SSL_write to retry, 0 = none */
  int write_on_read;         /* that SSL_write wants the socket readable */
  int more_input;            /* input left unread after a capped read */
  ts_h2_timer_fn on_drained; /* ts_h2_when_drained, run once */
  int32_t drained_id;        /* ... for this stream */
  long long close_at_ms;     /* ts_h2_close_after; 0: none */
};

/* h2.c: answering a stream. Each returns 0 or -1 (out of memory or an
 * nghttp2 failure; the stream is then reset). `headers` are copied. */
int ts_h2_respond(struct ts_h2 *h, struct ts_h2_stream *st, int status,
                  const nghttp2_nv *headers, size_t nheaders, const void *body,
                  size_t len);
/* A body of n pattern bytes, generated as it is sent (never buffered). */
int ts_h2_respond_pattern(struct ts_h2 *h, struct ts_h2_stream *st,
                          unsigned long long n);
/* The same, but no body byte goes out until ts_h2_release lets it. */
int ts_h2_respond_paced(struct ts_h2 *h, struct ts_h2_stream *st,
                        unsigned long long n);
/* Lets n more bytes of a paced body go out. */
void ts_h2_release(struct ts_h2 *h, struct ts_h2_stream *st,
                   unsigned long long n);
/* An interim (1xx) head; the final response may follow. 0 or -1. */
int ts_h2_interim(struct ts_h2 *h, struct ts_h2_stream *st,
                  const nghttp2_nv *headers, size_t nheaders);
/* RST_STREAM with the given error code instead of a response. */
int ts_h2_reset(struct ts_h2 *h, struct ts_h2_stream *st, uint32_t code);
/* Runs fn for the stream after ms milliseconds, without blocking others. */
void ts_h2_after(struct ts_h2 *h, struct ts_h2_stream *st, long long ms,
                 ts_h2_timer_fn fn);
/* Runs fn for the stream once every frame serialized so far is written to
 * TLS and no TLS write is half done, so that fn may use the TLS connection
 * itself (a late certificate request). One at a time. */
void ts_h2_when_drained(struct ts_h2 *h, struct ts_h2_stream *st,
                        ts_h2_timer_fn fn);
/* Ends the connection ms from now (close_notify, FIN) whatever its streams
 * are doing; input is read meanwhile, and the client may close first. */
void ts_h2_close_after(struct ts_h2 *h, long long ms);
/* Writes a malformed frame once pending output is out, then closes. */
void ts_h2_write_bad_frame(struct ts_h2 *h, enum ts_h2_bad_frame which);
/* A header field from NUL-terminated strings (not copied: nghttp2 copies
 * them when a response is submitted). */
nghttp2_nv ts_h2_nv(const char *name, const char *value);

/* h2_routes.c: answers a complete request (headers and body in). */
void ts_h2_route(struct ts_h2 *h, struct ts_h2_stream *st);

/* h2_slow_routes.c: /endless, /silent-after-head, /drip/MS, /1xx-flood,
 * as over HTTP/1.1 (for the client's time and size bounds). */
void ts_h2_r_endless(struct ts_h2 *h, struct ts_h2_stream *st, const char *arg);
void ts_h2_r_silent_after_head(struct ts_h2 *h, struct ts_h2_stream *st,
                               const char *arg);
void ts_h2_r_drip(struct ts_h2 *h, struct ts_h2_stream *st, const char *arg);
void ts_h2_r_1xx_flood(struct ts_h2 *h, struct ts_h2_stream *st,
                       const char *arg);

#endif
