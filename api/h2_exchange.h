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

/* One stream on x->pc's HTTP/2 session; the connection stays shared and
 * goes back to the pool. *retry: the server never processed it
 * (refused, or above a GOAWAY's last stream), or a reused connection died
 * before any response byte. Errors: those of hr_h2_exchange, with
 * err->http2 set. */
httpr_code hr_h2_exchange_run(struct hr_exchange *x, int reused, int *retry,
                              httpr_error *err);

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
