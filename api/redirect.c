/* SPDX-License-Identifier: MIT */
/*
 * redirect.c - the redirect rules (see redirect.h): what is followed, and
 * what the next hop sends. The loop over hops is httpr_client_send's
 * (client.c); the batch applies the same rules (batch.c).
 */
#include "api/redirect.h"

#include <stdlib.h>
#include <string.h>

int hr_is_redirect_status(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 ||
         status == 308;
}

/* A 307/308 must repeat the body; one from a callback cannot be read
 * twice, so that redirect is returned to the caller instead. */
int hr_redirect_will_follow(const struct hr_transfer *t, int status) {
  if (!t->follow || !hr_is_redirect_status(status))
    return 0;
  if (!hr_headers_get(&t->resp->headers, "Location", 0))
    return 0;
  int keeps_body = status == 307 || status == 308;
  if (keeps_body && t->send_body && t->req->read_cb)
    return 0;
  return 1;
}

void hr_hop_free(struct hr_hop *h) {
  hr_url_free(&h->url);
  free(h->method);
  hr_headers_free(&h->headers);
}

httpr_code hr_hop_init(struct hr_hop *h, const httpr_request *req,
                       httpr_error *err) {
  memset(h, 0, sizeof(*h));
  h->send_body = req->has_body;
  if (hr_url_copy(&h->url, &req->url, err) != HTTPR_OK)
    return HTTPR_E_NOMEM;
  if (!(h->method = strdup(req->method)) ||
      hr_headers_copy(&h->headers, &req->headers) != 0) {
    hr_hop_free(h);
    return hr_nomem(err);
  }
  return HTTPR_OK;
}

/* The method rules of RFC 9110 15.4 as browsers and curl apply them,
 * https never to http, and credentials kept only within one origin. */
httpr_code hr_hop_follow(struct hr_hop *h, const httpr_response *resp,
                         httpr_error *err) {
  const char *location = hr_headers_get(&resp->headers, "Location", 0);
  struct hr_url next;
  httpr_code rc = hr_url_resolve(&h->url, location, &next, err);
  if (rc != HTTPR_OK)
    return rc;
  if (h->url.https && !next.https) {
    hr_url_free(&next);
    return hr_fail(err, HTTPR_E_UNSUPPORTED_PROTOCOL,
                   "redirect from https to http refused");
  }
  int to_get = (resp->status == 303 && strcmp(h->method, "HEAD") != 0) ||
               ((resp->status == 301 || resp->status == 302) &&
                strcmp(h->method, "POST") == 0);
  if (to_get) {
    char *get = strdup("GET");
    if (!get) {
      hr_url_free(&next);
      return hr_nomem(err);
    }
    free(h->method);
    h->method = get;
    h->send_body = 0;
    hr_headers_remove(&h->headers, "Content-Type");
  }
  if (!hr_url_same_origin(&h->url, &next)) {
    hr_headers_remove(&h->headers, "Authorization");
    hr_headers_remove(&h->headers, "Proxy-Authorization");
    hr_headers_remove(&h->headers, "Cookie");
    hr_headers_remove(&h->headers, "Host");
  }
  hr_url_free(&h->url);
  h->url = next;
  return HTTPR_OK;
}

httpr_code hr_hop_finish(httpr_response *resp, const struct hr_hop *h,
                         httpr_error *err) {
  resp->url = hr_url_to_string(&h->url);
  return resp->url ? HTTPR_OK : hr_nomem(err);
}
