/* SPDX-License-Identifier: MIT */
/*
 * h1_exchange.h - one HTTP/1.1 request and its response on a connection
 * the exchange holds alone, as phases that never wait: the owner polls
 * what hr_h1_want says and steps it with what poll reported.
 */
#ifndef HTTPR_H1_EXCHANGE_H
#define HTTPR_H1_EXCHANGE_H

#include "api/exchange.h"

enum hr_h1_phase {
  HR_H1_SENDING, /* the head (with a small body), then a memory body */
  HR_H1_STREAMING, /* a callback body, one framed piece at a time */
  HR_H1_GRACE,     /* a send failed: a TLS alert may say why */
  HR_H1_RECEIVING,
  HR_H1_DONE
};

struct hr_h1_exchange {
  enum hr_h1_phase phase;
  short want;        /* POLLIN / POLLOUT, while not done */
  struct hr_buf out; /* bytes to send */
  size_t out_off;
  const char *body; /* a memory body sent after out, not copied */
  size_t body_len, body_off;
  uint64_t streamed; /* callback body bytes read so far */
  int body_ended;    /* the callback said end (its last frame is in out) */
  struct hr_h1_parser parser;
  httpr_error send_err; /* while in grace */
  int64_t grace_until;
};

/* Starts the request on x->conn (x->bounds started): builds the head.
 * HTTPR_OK, or why the request cannot be sent (h is then done; call
 * hr_h1_end). */
httpr_code hr_h1_begin(struct hr_exchange *x, struct hr_h1_exchange *h,
                       httpr_error *err);

/* What h waits for: POLLIN or POLLOUT on x->conn->fd, until *wake_at at
 * the latest (lowered, never raised). */
short hr_h1_want(const struct hr_exchange *x, const struct hr_h1_exchange *h,
                 int64_t *wake_at);

/* Moves h on as far as it can without waiting (ready: poll saw the
 * descriptor ready, or the wake-up time came). HTTPR_OK while it goes on
 * or once h->phase is HR_H1_DONE; else the failure: the transport's, the
 * parser's, the callbacks', HTTPR_E_READ (the body callback),
 * HTTPR_E_NOMEM. */
httpr_code hr_h1_step(struct hr_exchange *x, struct hr_h1_exchange *h,
                      httpr_error *err);

/* Ends the exchange with its outcome rc: the connection goes back to the
 * pool (reusable) or is closed, and h's memory is freed. Returns 1 when
 * a failure may be retried on a new connection: it died before any
 * response byte, on a reused connection (the server may have closed it
 * while idle). */
int hr_h1_end(struct hr_exchange *x, struct hr_h1_exchange *h, int reused,
              httpr_code rc);

#endif
