/* SPDX-License-Identifier: MIT */
/*
 * checkout.h - getting a connection for an exchange: one from the pool,
 * or a new one opened (resolve, connect, TLS with the saved session,
 * HTTP/2 when ALPN chose it) and reported to the pool.
 */
#ifndef HTTPR_CHECKOUT_H
#define HTTPR_CHECKOUT_H

#include "api/exchange.h"

/* Sets x->pc (and x->conn, its transport) to a pooled connection of key
 * or a new one (HR_POOL_FRESH
 * in flags: no idle HTTP/1.1 one; HR_POOL_SHARE: an HTTP/2 one may be
 * shared). Waiting for a free slot, or for a connection being opened that
 * may be shared, counts against the connect timeout. *reused tells which.
 * Errors: the pool's, the transport's, the TLS context's, and
 * HTTPR_E_PROTOCOL when HTTP/2 is required and not chosen. */
httpr_code hr_checkout(struct hr_exchange *x, const char *key, unsigned flags,
                       int *reused, httpr_error *err);

/* Keeps pc's session for the next new connection to its origin when the
 * client resumes sessions (see hr_pool_keep_session). */
void hr_checkout_keep_session(httpr_client *client, struct hr_pool_conn *pc);

#endif
