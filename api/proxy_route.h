/* SPDX-License-Identifier: MIT */
/*
 * proxy_route.h - which proxy, if any, a client's request goes through:
 * the config's proxy and no-proxy list, else (when the config asks) the
 * proxy variables as curl reads them, gathered once when the client is
 * made; then per request the URL's scheme and the no-proxy list decide,
 * and the debug callback hears why a set proxy is not used.
 */
#ifndef HTTPR_PROXY_ROUTE_H
#define HTTPR_PROXY_ROUTE_H

#include "api/internal.h"
#include "protocol/proxy_url.h"

struct hr_proxy_route {
  /* for http:// and https:// URLs; host NULL: none */
  struct hr_proxy http, https;
  const char *http_from, *https_from; /* where each came from, for -v */
  char *no_proxy;                     /* NULL: none */
  const char *no_proxy_from;
  int http_proxy_upper;   /* HTTP_PROXY is set, and ignored */
  const char *overridden; /* a set variable the configured proxy beats */
};

/* The route of a client with cfg: *out NULL when no proxy is configured
 * or set (and no note to give). HTTPR_OK; HTTPR_E_URL naming the
 * variable or setting whose proxy is malformed; HTTPR_E_NOMEM. */
httpr_code hr_proxy_route_new(const struct httpr_config *cfg,
                              struct hr_proxy_route **out, httpr_error *err);
void hr_proxy_route_free(struct hr_proxy_route *r);

/* The proxy for url into *out (NULL: direct), telling debug why a set
 * proxy is not used. r may be NULL. */
void hr_proxy_route_for(const struct hr_proxy_route *r,
                        const struct hr_url *url, const struct hr_debug *debug,
                        const struct hr_proxy **out);

#endif
