/* SPDX-License-Identifier: MIT */
/*
 * checkout.h - getting a connection for an exchange, in the steps a job
 * takes without waiting (job.c): one borrowed from the pool, or the
 * parameters of a new one (the client's TLS context, the session the pool
 * kept for the origin), then the new connection adopted by the pool and
 * started in the protocol ALPN chose.
 */
#ifndef HTTPR_CHECKOUT_H
#define HTTPR_CHECKOUT_H

#include "api/exchange.h"

/* How to open a new connection to x's origin (key) in the slot the pool
 * gave: *p for hr_opener_start (its strings are x's and the client's),
 * and *session, the saved session it offers (give it to
 * hr_checkout_open_ended). Errors: the TLS context's. */
httpr_code hr_checkout_params(struct hr_exchange *x, const char *key,
                              int64_t connect_deadline,
                              struct hr_connect_params *p,
                              struct hr_pool_session **session,
                              httpr_error *err);

/* The opener ended with rc (times: its phases' ends): a session that went
 * with a failed handshake is not offered again; the response gets the
 * connect times. Releases session. */
void hr_checkout_open_ended(struct hr_exchange *x, const char *key,
                            struct hr_pool_session *session, httpr_code rc,
                            const struct hr_conn_times *times);

/* Gives the new connection c (opened in key's slot) to the pool as x->pc
 * and starts the protocol ALPN chose. On failure c is closed and the slot
 * given back. Errors: HTTPR_E_NOMEM, and HTTPR_E_PROTOCOL when HTTP/2 is
 * required and not chosen. */
httpr_code hr_checkout_adopt(struct hr_exchange *x, const char *key,
                             struct hr_conn *c, httpr_error *err);

/* Keeps pc's session for the next new connection to its origin when the
 * client resumes sessions (see hr_pool_keep_session). */
void hr_checkout_keep_session(httpr_client *client, struct hr_pool_conn *pc);

#endif
