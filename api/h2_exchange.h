/* SPDX-License-Identifier: MIT */
/*
 * h2_exchange.h - a request as a stream of a shared HTTP/2 connection,
 * moved by its engine (job.c), beside other engines' and threads'
 * streams.
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
 * not start (the connection is then given back; call nothing else;
 * *retry: it was never sent, the connection had broken). */
httpr_code hr_h2_exchange_begin(struct hr_exchange *x,
                                struct hr_h2_owner *owner,
                                struct hr_h2_request *rq,
                                struct hr_h2_stream **out, int *retry,
                                httpr_error *err);

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

#endif
