/* SPDX-License-Identifier: MIT */
/*
 * h2.h - HTTP/2 on one connection, over nghttp2, shared by every owner
 * that borrows the connection from the pool.
 *
 * Each request is a stream, and each stream belongs to an owner: an
 * event loop stepping many streams on many connections, or one thread
 * running one request (hr_h2_exchange). Only the blocking calls wait;
 * everything else returns at once. An owner polls what hr_h2_want lists
 * and calls hr_h2_turn with what poll reported: under the connection's
 * lock, that turn does the
 * connection's non-blocking I/O for every stream (whoever's they are),
 * then, without the lock, hands its own streams' news to their
 * callbacks on the owner's thread. Flow-control credit goes back to the
 * server only once a callback took the bytes, so a slow body sink slows
 * its own stream down rather than filling memory; a request body from a
 * callback is read on its owner's thread too.
 *
 * Only one owner at a time (the "watcher") polls the connection for
 * input, so several threads on one connection do not all wake for each
 * frame; the others wait on their own wake_fd, written by whoever's turn
 * found news for them. An owner alone on a connection never gets a
 * wake_fd: that path costs no syscall beyond the connection's own I/O.
 * The library's engine (api/engine.c) is the owner of its jobs' streams;
 * the tests drive streams the same way (tests/h2_drive.c).
 */
#ifndef HTTPR_H2_H
#define HTTPR_H2_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "protocol/h1_parser.h"
#include "protocol/headers.h"
#include "protocol/transport.h"
#include "protocol/url.h"

struct hr_h2;

/* One request as a stream. The body is none (has_body 0), memory (body,
 * body_len) or a callback (read_cb; read_len -1 when unknown). */
struct hr_h2_request {
  const char *method;
  const struct hr_url *url;
  const struct hr_headers *headers;
  int has_body;
  const char *body;
  size_t body_len;
  httpr_read_cb read_cb;
  void *read_ud;
  int64_t read_len;
};

struct hr_h2_outcome {
  uint64_t bytes_in; /* response bytes (head and body) handed over */
  /* The server never processed the stream (it was above the last stream
   * id of a GOAWAY, refused with REFUSED_STREAM, or never sent because
   * the connection went away first): safe to send again elsewhere. */
  int refused;
  /* The server reset the stream with HTTP_1_1_REQUIRED (RFC 9113 7): it
   * wants the request over HTTP/1.1, as Apache does for a path that needs
   * a client certificate. */
  int http1_required;
};

/* Starts HTTP/2 on a connection whose ALPN chose "h2": the connection
 * preface and our SETTINGS (no push, our windows) go out with the first
 * request; response header blocks are limited to max_header_bytes (counted
 * as HTTP/1.1 would carry them). on_input (may be NULL) runs after input
 * was processed, on the thread doing the connection's I/O, which is then
 * the only one using the TLS connection (to export its session once a
 * ticket came; the lock is held). On success *out is the session, which its
 * owner frees with hr_h2_free before closing c. HTTPR_E_NOMEM. */
httpr_code hr_h2_attach(struct hr_conn *c, size_t max_header_bytes,
                        void (*on_input)(struct hr_conn *c, void *ud), void *ud,
                        struct hr_h2 **out, httpr_error *err);

/* Frees a session of hr_h2_attach (no stream may be running); NULL is
 * accepted. The connection stays open. */
void hr_h2_free(struct hr_h2 *h2);

/* 1 while new streams may start on the connection: no GOAWAY received and
 * no connection error. An idle connection (no stream running) first reads
 * what the server sent meanwhile, without blocking. */
int hr_h2_accepting(struct hr_h2 *h2);

/* Whoever steps streams: an engine, or one thread's blocking call. It is
 * used by one thread at a time; its streams' callbacks run on that
 * thread, inside hr_h2_turn. */
struct hr_h2_owner {
  int wake_fd; /* eventfd, -1 until needed (see hr_h2_want) */
};

void hr_h2_owner_init(struct hr_h2_owner *o);
/* Closes the wake_fd; the owner must have no stream left. */
void hr_h2_owner_clear(struct hr_h2_owner *o);

/* One request as a stream of one owner (opaque). */
struct hr_h2_stream;

/* Most pollfds hr_h2_want lists for one owner and connection. */
#define HR_H2_MAX_FDS 2

/* Starts rq as a stream of owner on the connection: queued until the
 * server's SETTINGS and a free stream slot; it goes out in the owner's
 * next turn. Never blocks. rq, cb and the strings and bodies they point
 * to must outlive the stream; bounds (started by the caller) is copied.
 * The callbacks (cb, ud) run only inside hr_h2_turn of this owner, on
 * its thread, without the connection's lock; a callback may free any
 * stream of the owner, its own included (freed once the turn ends).
 * err gets the stream's failure, now or later (callbacks write theirs
 * there too), so it must stay valid until the stream is freed: keeping
 * a whole error object in each stream would cost more than the rest of
 * it. Returns the stream, which the caller frees with
 * hr_h2_stream_free, or NULL with err set: HTTPR_E_NOMEM,
 * HTTPR_E_INVALID (fields HTTP/2 cannot carry), or the error that broke
 * the connection (then *refused, when not NULL, is 1: the request was
 * never sent and may go elsewhere). */
struct hr_h2_stream *
hr_h2_stream_start(struct hr_h2 *h2, struct hr_h2_owner *owner,
                   const struct hr_h2_request *rq,
                   const struct hr_h1_callbacks *cb, void *ud,
                   const struct hr_bounds *bounds, httpr_error *err,
                   int *refused);

/* What owner must wait for on this connection for its streams: at most
 * HR_H2_MAX_FDS pollfds in out (the connection's fd: POLLIN for the
 * watcher, POLLOUT while output is pending; the owner's wake_fd with
 * POLLIN, created here once another owner has streams on the connection
 * too), and *wake_at (ms, hr_now_ms clock) lowered, never raised, to
 * when it must turn even if nothing is ready: its streams' next bound,
 * or now when it has work that needs no waiting. Returns how many
 * pollfds (0 when owner has no stream here). */
size_t hr_h2_want(struct hr_h2 *h2, struct hr_h2_owner *owner,
                  struct pollfd *out, int64_t *wake_at);

/* One turn for owner at time now (hr_now_ms) with what poll reported in
 * ready[0..n-1] (may be empty; entries for other descriptors are
 * ignored): under the lock, the connection's I/O for every stream (read
 * what is there when the connection was reported readable, feed
 * nghttp2, send what nghttp2 and the upload bodies allow), owners whose
 * streams got news woken; then this owner's streams get their news
 * through their callbacks (head, body, trailers), callback bodies are
 * read, each stream's bounds are checked, and what that produced
 * (window updates, body data, resets) is sent. Never blocks. */
void hr_h2_turn(struct hr_h2 *h2, struct hr_h2_owner *owner,
                const struct pollfd *ready, size_t n, int64_t now);

/* 1 once the stream ended, well or not, with *rc and *out as
 * hr_h2_exchange returns them (out may be NULL; the failure is in the
 * err given to hr_h2_stream_start, and copied to err unless it is the
 * same or NULL); else 0. The owner's thread only. */
int hr_h2_stream_done(const struct hr_h2_stream *s, httpr_code *rc,
                      struct hr_h2_outcome *out, httpr_error *err);

/* Frees a stream of hr_h2_stream_start (NULL accepted); one not yet
 * ended is cancelled (RST_STREAM CANCEL, sent at once when the socket
 * takes it, else by a later turn). Its callbacks are not called again. */
void hr_h2_stream_free(struct hr_h2 *h2, struct hr_h2_stream *s);

#endif
