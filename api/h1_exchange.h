/* SPDX-License-Identifier: MIT */
/*
 * h1_exchange.h - one HTTP/1.1 request and its response on a connection
 * the exchange holds alone.
 */
#ifndef HTTPR_H1_EXCHANGE_H
#define HTTPR_H1_EXCHANGE_H

#include "api/exchange.h"

/* Writes the request and reads its response on x->conn, which then goes
 * back to the pool (reusable) or is closed. *retry: it died
 * before any response byte, on a reused connection (the server may have
 * closed it while idle). Errors: the transport's, the parser's, the
 * callbacks', HTTPR_E_READ (the body callback), HTTPR_E_NOMEM. */
httpr_code hr_h1_exchange_run(struct hr_exchange *x, int reused, int *retry,
                              httpr_error *err);

#endif
