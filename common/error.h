/* SPDX-License-Identifier: MIT */
/*
 * error.h - the error object's layout and the helpers every layer
 * uses to fill it. Lower layers (protocol, pool, backends) report failures
 * through these; they never see the config, client, request or response.
 */
#ifndef HTTPR_COMMON_ERROR_H
#define HTTPR_COMMON_ERROR_H

#include "api/httpr.h"

struct httpr_error {
  httpr_code code;
  char message[256]; /* one line, the same for every provider */
  char detail[512];  /* the provider's or system's own text */
  char hint[192];    /* a known cure, or empty */
  int http2;         /* 1: the failure belongs to HTTP/2 (curl's exit 16) */
};

/* Records a failure: sets the code and message (printf-style) and clears
 * detail and hint. Returns `code` so callers can `return hr_fail(...)`.
 * err must not be NULL. */
httpr_code hr_fail(httpr_error *err, httpr_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets the detail text (the provider's own words). */
void hr_detail(httpr_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Sets the hint text. */
void hr_hint(httpr_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Puts prefix before err's message, keeping the rest (code, detail,
 * hint): who failed, when the layer that failed cannot tell ("proxy ").
 * Returns err's code. */
httpr_code hr_prefix_message(httpr_error *err, const char *prefix);

/* Out of memory: fills err with HTTPR_E_NOMEM and returns it. */
httpr_code hr_nomem(httpr_error *err);

#endif
