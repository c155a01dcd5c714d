/* SPDX-License-Identifier: MIT */
/*
 * proxy_route.c - choosing a request's proxy (proxy_route.h). The order
 * is curl's: a configured proxy wins over every variable; http_proxy
 * (never HTTP_PROXY) for http://, https_proxy then HTTPS_PROXY for
 * https://, all_proxy then ALL_PROXY for either; the configured
 * no-proxy list wins over no_proxy and NO_PROXY, and applies to a
 * configured proxy too.
 */
#include "api/proxy_route.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/env.h"
#include "protocol/no_proxy.h"

/* The first of two variables that is set: its value, *name its name. */
static const char *first_set(enum hr_env_id a, enum hr_env_id b,
                             const char **name) {
  const char *v = hr_env_get(a);
  *name = hr_env_name(a);
  if (!v) {
    v = hr_env_get(b);
    *name = hr_env_name(b);
  }
  return v;
}

static httpr_code parse_into(struct hr_proxy *p, const char *text,
                             const char *from, const struct httpr_config *cfg,
                             httpr_error *err) {
  httpr_code rc = hr_proxy_parse(text, cfg->proxy_credentials, p, err);
  if (rc == HTTPR_OK || rc == HTTPR_E_NOMEM)
    return rc;
  char why[sizeof(err->message)];
  snprintf(why, sizeof(why), "%s", err->message); /* hr_fail rewrites it */
  return hr_fail(err, HTTPR_E_URL, "%s: %s", from, why);
}

static httpr_code from_environment(struct hr_proxy_route *r,
                                   const struct httpr_config *cfg,
                                   httpr_error *err) {
  const char *all_name = NULL, *https_name = NULL;
  const char *all = first_set(HR_ENV_all_proxy, HR_ENV_ALL_PROXY, &all_name);
  const char *http = hr_env_get(HR_ENV_http_proxy);
  const char *https =
      first_set(HR_ENV_https_proxy, HR_ENV_HTTPS_PROXY, &https_name);
  r->http_proxy_upper = hr_env_get(HR_ENV_HTTP_PROXY) != NULL;
  httpr_code rc = HTTPR_OK;
  if (http || all) {
    r->http_from = http ? hr_env_name(HR_ENV_http_proxy) : all_name;
    rc = parse_into(&r->http, http ? http : all, r->http_from, cfg, err);
  }
  if (rc == HTTPR_OK && (https || all)) {
    r->https_from = https ? https_name : all_name;
    rc = parse_into(&r->https, https ? https : all, r->https_from, cfg, err);
  }
  return rc;
}

/* The first proxy variable that is set, or NULL: what a configured proxy
 * overrides. */
static const char *set_variable(void) {
  static const enum hr_env_id ids[] = {
      HR_ENV_http_proxy, HR_ENV_https_proxy, HR_ENV_HTTPS_PROXY,
      HR_ENV_all_proxy,  HR_ENV_ALL_PROXY,
  };
  for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
    if (hr_env_get(ids[i]))
      return hr_env_name(ids[i]);
  }
  return NULL;
}

httpr_code hr_proxy_route_new(const struct httpr_config *cfg,
                              struct hr_proxy_route **out, httpr_error *err) {
  *out = NULL;
  const char *overridden =
      cfg->proxy && cfg->proxy_from_env ? set_variable() : NULL;
  if (!cfg->proxy && !cfg->proxy_from_env)
    return HTTPR_OK;
  if (cfg->proxy && !cfg->proxy[0] && !overridden)
    return HTTPR_OK; /* "": no proxy, whatever the variables say */
  struct hr_proxy_route *r = calloc(1, sizeof(*r));
  if (!r)
    return hr_nomem(err);
  r->overridden = overridden;
  httpr_code rc = HTTPR_OK;
  if (cfg->proxy && cfg->proxy[0]) {
    r->http_from = r->https_from = "the configured proxy";
    rc = parse_into(&r->http, cfg->proxy, r->http_from, cfg, err);
    if (rc == HTTPR_OK)
      rc = parse_into(&r->https, cfg->proxy, r->https_from, cfg, err);
  } else if (!cfg->proxy) {
    rc = from_environment(r, cfg, err);
  } /* else "": no proxy; the route only says what it overrides */
  const char *list = cfg->noproxy;
  r->no_proxy_from = "noproxy";
  if (!list && cfg->proxy_from_env)
    list = first_set(HR_ENV_no_proxy, HR_ENV_NO_PROXY, &r->no_proxy_from);
  if (rc == HTTPR_OK && list && !(r->no_proxy = strdup(list)))
    rc = hr_nomem(err);
  if (rc != HTTPR_OK) {
    hr_proxy_route_free(r);
    return rc;
  }
  *out = r;
  return HTTPR_OK;
}

void hr_proxy_route_free(struct hr_proxy_route *r) {
  if (!r)
    return;
  hr_proxy_free(&r->http);
  hr_proxy_free(&r->https);
  free(r->no_proxy);
  free(r);
}

void hr_proxy_route_for(const struct hr_proxy_route *r,
                        const struct hr_url *url, const struct hr_debug *debug,
                        const struct hr_proxy **out) {
  *out = NULL;
  if (!r)
    return;
  if (r->overridden)
    hr_debugf(debug, "%s is set but not used: the configured proxy wins",
              r->overridden);
  if (r->http_proxy_upper && !url->https && !r->http.host)
    hr_debugf(debug, "HTTP_PROXY is set but not used: only the lower case "
                     "http_proxy is read, as curl");
  const struct hr_proxy *p = url->https ? &r->https : &r->http;
  const char *from = url->https ? r->https_from : r->http_from;
  if (!p->host) {
    const struct hr_proxy *other = url->https ? &r->http : &r->https;
    if (other->host)
      hr_debugf(debug, "%s is set but not used: it is for %s URLs",
                url->https ? r->http_from : r->https_from,
                url->https ? "http://" : "https://");
    return;
  }
  char entry[128];
  if (r->no_proxy &&
      hr_no_proxy_match(r->no_proxy, url->host, entry, sizeof(entry))) {
    hr_debugf(debug, "%s entry '%s' matched: not using the proxy (%s)",
              r->no_proxy_from, entry, from);
    return;
  }
  *out = p;
}
