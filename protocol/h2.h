/* SPDX-License-Identifier: MIT */
/*
 * h2.h - HTTP/2 on one connection, over nghttp2, shared by every thread
 * that borrows the connection from the pool.
 *
 * Each request is a stream run by its own thread (hr_h2_exchange). One
 * thread at a time does the connection's I/O for all streams (the
 * "driver"); the others wait on a condition variable and take over when it
 * leaves. What arrives for a stream is kept with the stream and handed to
 * the caller's callbacks on the caller's own thread, and flow-control
 * credit goes back to the server only once the caller has taken the bytes,
 * so a slow body sink slows its own stream down rather than filling
 * memory. A request body from a callback is read on the caller's thread
 * too.
 */
#ifndef HTTPR_H2_H
#define HTTPR_H2_H

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
};

/* Starts HTTP/2 on a connection whose ALPN chose "h2": the connection
 * preface and our SETTINGS (no push, our windows) go out with the first
 * request; response header blocks are limited to max_header_bytes (counted
 * as HTTP/1.1 would carry them). on_input (may be NULL) runs after input
 * was processed, on the thread doing the connection's I/O, which is then
 * the only one using the TLS connection (to export its session once a
 * ticket came). On success *out is the session, which its owner frees
 * with hr_h2_free before closing c. HTTPR_E_NOMEM. */
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

/* Runs one request on the connection: the callbacks get the final
 * response's status (version 20), headers, end of head, body, then any
 * trailers as more headers. The stream keeps a copy of the started
 * bounds and counts its own bytes (its HEADERS, DATA both ways, the
 * response's fields): a stream is inactive while nothing of its own
 * moves, whatever the other streams do, except while it waits for its
 * turn (the server's SETTINGS, a free stream slot), when the
 * connection's bytes count. Every wait, driving the connection or
 * waiting for the thread that does, ends by the bounds' next wake-up.
 * Returns HTTPR_OK once the stream ended cleanly. Errors:
 * HTTPR_E_PROTOCOL (stream reset by the server, GOAWAY before the
 * answer, malformed frames: the connection is then failed for every
 * stream), HTTPR_E_TOO_LARGE (header block, 1xx heads included, over the
 * limit), HTTPR_E_TIMEOUT, HTTPR_E_SEND / HTTPR_E_RECV (the connection
 * broke), HTTPR_E_READ (the body callback failed), whatever a callback
 * returned, HTTPR_E_NOMEM. out tells whether a retry elsewhere is safe. */
httpr_code hr_h2_exchange(struct hr_h2 *h2, const struct hr_h2_request *rq,
                          const struct hr_h1_callbacks *cb, void *ud,
                          const struct hr_bounds *bounds,
                          struct hr_h2_outcome *out, httpr_error *err);

/* One request of a batch run by hr_h2_run_jobs: the same inputs as
 * hr_h2_exchange, and its result. */
struct hr_h2_job {
  struct hr_h2_request rq;
  const struct hr_h1_callbacks *cb;
  void *ud;
  struct hr_bounds bounds; /* started by the caller */
  httpr_code rc;
  struct hr_h2_outcome out;
  httpr_error err;
};

/* Runs the jobs as streams of the connection from the calling thread
 * alone, keeping up to `window` in flight (a finished one is replaced at
 * once): many requests at once without a thread each, and without handing
 * the connection's I/O between threads. Other threads may use the
 * connection meanwhile. Each job's rc, out and err say how it went, as
 * hr_h2_exchange would. */
void hr_h2_run_jobs(struct hr_h2 *h2, struct hr_h2_job *jobs, size_t n,
                    size_t window);

#endif
