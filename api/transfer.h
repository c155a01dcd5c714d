/*
 * transfer.h - one request and its response on one connection (no
 * redirects): what the redirect loop in client.c hands down and gets back.
 */
#ifndef HTTPR_TRANSFER_H
#define HTTPR_TRANSFER_H

#include <stdint.h>

#include "api/internal.h"

struct hr_transfer {
  /* in */
  const char *method;
  const struct hr_url *url;
  const struct hr_headers *headers;
  const httpr_request *req; /* body source and sink */
  int send_body;            /* 0 once a redirect turned the request to GET */
  int follow;               /* 1 when a redirect response will be followed */
  int64_t deadline;         /* total deadline */
  double t0;                /* start of the whole request (hr_now_s) */
  /* out */
  httpr_response *resp;
  int redirect; /* the response is a redirect that will be followed */
};

/* 1 for methods that may be sent twice (RFC 9110 9.2.2). */
int hr_method_idempotent(const char *method);

/* One request of hr_transfer_run_batch and its outcome. */
struct hr_batch_item {
  struct hr_transfer t; /* set as for hr_transfer_run */
  httpr_code rc;
  httpr_error err;
  int retry; /* never answered: may go again on another connection */
};

/* Runs the items (one hop each, no retry) as streams of conn, an HTTP/2
 * connection to key borrowed from the pool, from the calling thread alone
 * with up to `window` in flight; gives conn back. (api/transfer.c) */
void hr_transfer_run_batch(httpr_client *client, const char *key,
                           struct hr_conn *conn, struct hr_batch_item *items,
                           size_t n, size_t window);

/* 1 for the status codes a redirect is followed for. */
int hr_is_redirect_status(int status);

#endif
