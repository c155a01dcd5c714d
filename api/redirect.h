/* SPDX-License-Identifier: MIT */
/*
 * redirect.h - the rules a request follows from one hop to the next
 * (RFC 9110 15.4, as browsers and curl apply them): which responses are
 * redirects, which of them are followed, and how the method, body and
 * headers change for the next hop. Sends nothing itself.
 */
#ifndef HTTPR_REDIRECT_H
#define HTTPR_REDIRECT_H

#include "api/transfer.h"

/* The state of a request across its redirects. */
struct hr_hop {
  struct hr_url url;
  char *method;
  struct hr_headers headers;
  int send_body;
};

/* The first hop: copies of req's URL, method and headers. HTTPR_OK or
 * HTTPR_E_NOMEM (h is then empty). */
httpr_code hr_hop_init(struct hr_hop *h, const httpr_request *req,
                       httpr_error *err);
void hr_hop_free(struct hr_hop *h);

/* Moves h to the target of the redirect resp: https never to http, the
 * method and body rules, credentials kept only within one origin. Errors:
 * those of hr_url_resolve, HTTPR_E_UNSUPPORTED_PROTOCOL, HTTPR_E_NOMEM. */
httpr_code hr_hop_follow(struct hr_hop *h, const httpr_response *resp,
                         httpr_error *err);

/* The last hop answered: the response's URL is h's. HTTPR_E_NOMEM. */
httpr_code hr_hop_finish(httpr_response *resp, const struct hr_hop *h,
                         httpr_error *err);

/* 1 for the status codes a redirect is followed for. */
int hr_is_redirect_status(int status);

/* 1 when t's response, whose head (status, headers) is in, is a redirect
 * that will be followed. */
int hr_redirect_will_follow(const struct hr_transfer *t, int status);

#endif
