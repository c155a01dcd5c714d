/* SPDX-License-Identifier: MIT */
/*
 * h2_exchange.h - requests as streams of a shared HTTP/2 connection: one
 * on the calling thread (beside other threads' streams), or a batch of
 * them run from the calling thread alone.
 */
#ifndef HTTPR_H2_EXCHANGE_H
#define HTTPR_H2_EXCHANGE_H

#include "api/exchange.h"
#include "api/redirect.h"
#include "protocol/h2.h"

/* One request as a stream of owner on x->pc's HTTP/2 session, never
 * waiting: hr_h2_exchange_begin starts it (rq is kept by the stream and
 * must live as long), the owner's turns on the connection move it
 * (protocol/h2.h), and hr_h2_exchange_end gives its outcome once done.
 * err must stay valid while the stream lives. HTTPR_OK, or why it could
 * not start (the connection is then given back; call nothing else). */
httpr_code hr_h2_exchange_begin(struct hr_exchange *x,
                                struct hr_h2_owner *owner,
                                struct hr_h2_request *rq,
                                struct hr_h2_stream **out, httpr_error *err);

/* Once the stream s is done (1; 0 while it runs): *rc, the connection
 * released to the pool, still shared, and s freed. *retry: the server
 * never processed it (refused, or above a GOAWAY's last stream), or a
 * reused connection died before any response byte. Errors: those of
 * hr_h2_exchange, with err->http2 set. */
int hr_h2_exchange_end(struct hr_exchange *x, struct hr_h2_stream *s,
                       int reused, httpr_code *rc, int *retry,
                       httpr_error *err);

/* Gives up a stream that is not done: cancelled, freed, and the
 * connection released. */
void hr_h2_exchange_abort(struct hr_exchange *x, struct hr_h2_stream *s);

/* One request of a batch (httpr_client_send_all's HTTP/2 path) and its
 * outcome, in one place rather than in arrays side by side. */
struct hr_batch_item {
  size_t index;         /* the request's place in the caller's arrays */
  struct hr_hop hop;    /* its method, URL and headers */
  struct hr_transfer t; /* set for hr_h2_exchange_batch; t.resp NULL: skip */
  struct hr_exchange x; /* hr_h2_exchange_batch's */
  httpr_code rc;
  httpr_error err;
  int retry; /* never answered: may go again on another connection */
  int again; /* to send the ordinary way (batch.c) */
};

/* Runs the items whose t.resp is set (one hop each, no retry) as streams
 * of pc, an HTTP/2 connection borrowed from the pool, from the calling
 * thread alone with up to `window` in flight; sets their rc, err and
 * retry, and gives pc back. */
void hr_h2_exchange_batch(httpr_client *client, struct hr_pool_conn *pc,
                          struct hr_batch_item *items, size_t n, size_t window);

#endif
