/* SPDX-License-Identifier: MIT */
/*
 * h2_request.h - a request's HTTP/2 header list: the pseudo-headers, the
 * caller's headers under HTTP/2's rules (names in lowercase, the
 * connection-specific ones left out, Host as :authority, values without
 * surrounding spaces and tabs) and the body length. Checked by the same
 * rules as HTTP/1.1 (no CR, LF or NUL).
 */
#ifndef HTTPR_H2_REQUEST_H
#define HTTPR_H2_REQUEST_H

#include <nghttp2/nghttp2.h>

#include "common/error.h"
#include "common/buf.h"
#include "protocol/h2.h"

struct hr_h2_fields {
  nghttp2_nv *nva;
  size_t count;
  struct hr_buf text; /* lowercased names, authority, length digits */
};

/* Builds the fields of rq. HTTPR_E_INVALID (a bad method, URL or header),
 * HTTPR_E_NOMEM. The fields point into rq's strings as well: rq must
 * outlive them. */
httpr_code hr_h2_fields_build(struct hr_h2_fields *f,
                              const struct hr_h2_request *rq,
                              httpr_error *err);
void hr_h2_fields_free(struct hr_h2_fields *f);

#endif
