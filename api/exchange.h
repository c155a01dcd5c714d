/* SPDX-License-Identifier: MIT */
/*
 * exchange.h - the state of one request on one connection, and the parser
 * callbacks that fill its response: status, headers, the redirect
 * decision, the body limit and the body's destination. HTTP/1.1
 * (h1_exchange.c) and HTTP/2 (h2_exchange.c) share them; neither knows
 * how the connection was found (checkout.c).
 */
#ifndef HTTPR_EXCHANGE_H
#define HTTPR_EXCHANGE_H

#include <stdint.h>

#include "api/transfer.h"
#include "pool/pool.h"
#include "protocol/h1_parser.h"
#include "protocol/transport.h"

struct hr_exchange {
  httpr_client *client;
  struct hr_transfer *t;
  struct hr_pool_conn *pc; /* the connection, as the pool keeps it */
  struct hr_conn *conn;    /* pc->conn, read and written per request */
  struct hr_debug debug;
  struct hr_bounds bounds; /* time limits, from the connection's readiness */
  uint64_t bytes_in;       /* response bytes received on this connection */
  uint64_t body_limit;
  int default_body_limit; /* body_limit is the built-in one, not the user's */
  int reusable;
  int http1_only;     /* over a connection that offers HTTP/1.1 alone */
  int http1_required; /* the HTTP/2 server asked for HTTP/1.1 instead */
  /* The proxy the hop goes through (the client's; NULL: direct): for
   * http:// the request goes to it in absolute form. */
  const struct hr_proxy *proxy;
  /* Set (not NULL) by the owner: non-zero once the caller cancelled the
   * transfer from one of its own callbacks; the exchange then stops. */
  const int *cancelled;
};

/* The exchange stops because its caller cancelled it: HTTPR_E_CANCELLED. */
httpr_code hr_exchange_cancelled(httpr_error *err);

static inline int hr_exchange_is_cancelled(const struct hr_exchange *x) {
  return x->cancelled && *x->cancelled;
}

/* The callbacks of both protocols' response parsers; ud is the
 * exchange. */
extern const struct hr_h1_callbacks hr_exchange_callbacks;

/* Starts x for t on client (no connection yet). */
void hr_exchange_init(struct hr_exchange *x, httpr_client *client,
                      struct hr_transfer *t);

/* Copies the facts of x->conn (address, TLS, reuse) into the response. */
void hr_exchange_record_connection(struct hr_exchange *x, int reused);

/* The client's time limits for a transfer whose connection is ready now:
 * the request's total deadline goes on, the other clocks start. */
void hr_exchange_start_bounds(struct hr_bounds *b, const httpr_client *client,
                              const struct hr_transfer *t);

static inline void hr_exchange_debug(const struct hr_exchange *x,
                                     httpr_debug_kind kind, const char *text,
                                     size_t len) {
  if (x->debug.fn)
    x->debug.fn(kind, text, len, x->debug.ud);
}

#endif
