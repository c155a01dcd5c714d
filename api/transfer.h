/* SPDX-License-Identifier: MIT */
/*
 * transfer.h - one hop of a request (no redirects): what a job (job.c),
 * and the HTTP/2 streams of a batch (batch.c), hand to an exchange and
 * get back.
 */
#ifndef HTTPR_TRANSFER_H
#define HTTPR_TRANSFER_H

#include <stdint.h>

#include "api/internal.h"
#include "common/clock.h"

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

/* Seconds since the start of the whole request. */
static inline double hr_transfer_since(const struct hr_transfer *t) {
  return hr_now_s() - t->t0;
}

/* 1 for methods that may be sent twice (RFC 9110 9.2.2). */
int hr_method_idempotent(const char *method);

#endif
