/*
 * client.c - the client: picks the provider, builds the TLS context once
 * (lazily, on the first https request), and runs requests, following
 * redirects under the config's rules. Safe to use from several threads: the
 * only shared mutable state is the TLS context (built under a lock, then
 * read-only) and the pool (which locks itself).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/transfer.h"
#include "common/clock.h"

/* ALPN lists (wire format) for each version policy. */
static const unsigned char alpn_http11[] = "\x08http/1.1";
static const unsigned char alpn_h2[] = "\x02h2";
static const unsigned char alpn_any[] = "\x02h2\x08http/1.1";

static httpr_error *local_or(httpr_error *err, httpr_error *local) {
  return err ? err : local;
}

/* ---- provider and TLS context -------------------------------------------- */

static httpr_code unknown_backend(const char *name, httpr_error *err) {
  char list[128] = "";
  for (size_t i = 0; i < hr_provider_count(); i++) {
    size_t used = strlen(list);
    snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
             hr_provider_at(i)->name);
  }
  return hr_fail(err, HTTPR_E_BACKEND,
                 "TLS provider '%s' is not built in (built in: %s)", name,
                 list);
}

static const char *chosen_backend(const struct httpr_config *cfg) {
  return cfg->backend ? cfg->backend : httpr_default_provider();
}

static httpr_code unsupported(const httpr_client *client, const char *what,
                              httpr_error *err) {
  return hr_fail(err, HTTPR_E_UNSUPPORTED,
                 "the %s provider does not support %s", client->provider->name,
                 what);
}

/* Settings the provider cannot honour fail here, the same way for every
 * provider, before the provider sees them (DESIGN rule 2). */
static httpr_code check_features(const httpr_client *client, httpr_error *err) {
  const struct httpr_config *cfg = &client->cfg;
  uint32_t f = client->provider->features;
  if ((cfg->min_tls == HTTPR_TLS_1_3 || cfg->max_tls == HTTPR_TLS_1_3) &&
      !(f & HTTPR_FEATURE_TLS13))
    return unsupported(client, "TLS 1.3", err);
  if (cfg->max_tls && cfg->min_tls > cfg->max_tls)
    return hr_fail(err, HTTPR_E_INVALID,
                   "the minimum TLS version is above the maximum");
  if (cfg->verify && cfg->ca_dir && !(f & HTTPR_FEATURE_CA_DIR))
    return unsupported(client, "CA directories", err);
  if (cfg->cred_kind == HR_CRED_PKCS12 && !(f & HTTPR_FEATURE_PKCS12))
    return unsupported(client, "PKCS#12 client certificates", err);
  if (cfg->cred_kind != HR_CRED_NONE && cfg->cred_kind != HR_CRED_PKCS12 &&
      cfg->password && !(f & HTTPR_FEATURE_ENCRYPTED_KEY))
    return unsupported(client, "encrypted private keys", err);
  if (client->keylog && !(f & HTTPR_FEATURE_KEYLOG))
    return unsupported(client, "key logging", err);
  return HTTPR_OK;
}

static httpr_code build_tls_context(httpr_client *client, httpr_error *err) {
  const struct httpr_config *cfg = &client->cfg;
  struct hr_tls_settings s = {
      .verify = cfg->verify,
      .verify_hostname = cfg->verify_hostname,
      .cred_kind = cfg->cred_kind,
      .cert_path = cfg->cert_path,
      .key_path = cfg->key_path,
      .password = cfg->password,
      .min_version = cfg->min_tls,
      .max_version = cfg->max_tls,
  };
  switch (cfg->http_policy) {
  case HTTPR_HTTP1_ONLY:
    s.alpn = alpn_http11;
    s.alpn_len = sizeof(alpn_http11) - 1;
    break;
  case HTTPR_HTTP2_ONLY:
    s.alpn = alpn_h2;
    s.alpn_len = sizeof(alpn_h2) - 1;
    break;
  default:
    s.alpn = alpn_any;
    s.alpn_len = sizeof(alpn_any) - 1;
    break;
  }
  httpr_error warning = {0};
  httpr_code rc =
      hr_keylog_open(cfg->keylog_file, &client->keylog, err, &warning);
  if (rc != HTTPR_OK)
    return rc;
  if (warning.code != HTTPR_OK && cfg->debug_cb)
    cfg->debug_cb(HTTPR_DEBUG_INFO, warning.message, strlen(warning.message),
                  cfg->debug_ud);
  s.keylog = client->keylog;
  rc = check_features(client, err);
  if (rc == HTTPR_OK && cfg->verify)
    rc = hr_trust_resolve(cfg->ca_file, cfg->ca_dir, &s.trust, err);
  if (rc == HTTPR_OK)
    rc = client->provider->context_new(&s, &client->tls_ctx, err);
  hr_trust_free(&s.trust);
  if (rc != HTTPR_OK) {
    hr_keylog_close(client->keylog);
    client->keylog = NULL;
  }
  return rc;
}

httpr_code hr_client_tls_context(httpr_client *client, void **ctx,
                                 httpr_error *err) {
  httpr_code rc = HTTPR_OK;
  pthread_mutex_lock(&client->tls_lock);
  if (!client->tls_ctx)
    rc = build_tls_context(client, err);
  *ctx = client->tls_ctx;
  pthread_mutex_unlock(&client->tls_lock);
  return rc;
}

/* ---- client lifetime ----------------------------------------------------- */

httpr_code httpr_client_new(httpr_client **out, const httpr_config *cfg,
                            httpr_error *err) {
  httpr_error local;
  err = local_or(err, &local);
  if (!out)
    return hr_fail(err, HTTPR_E_INVALID, "no place for the client");
  *out = NULL;
  httpr_config *defaults = NULL;
  if (!cfg && !(cfg = defaults = httpr_config_new()))
    return hr_nomem(err);
  httpr_client *client = calloc(1, sizeof(*client));
  httpr_code rc = HTTPR_OK;
  if (!client) {
    rc = hr_nomem(err);
    goto done;
  }
  pthread_mutex_init(&client->tls_lock, NULL);
  const char *name = chosen_backend(cfg);
  client->provider = hr_provider_find(name);
  if (!client->provider) {
    rc = unknown_backend(name, err);
    goto done;
  }
  rc = hr_provider_acquire(client->provider, err);
  if (rc != HTTPR_OK)
    goto done;
  client->provider_acquired = 1;
  rc = hr_config_copy(&client->cfg, cfg, err);
  if (rc != HTTPR_OK)
    goto done;
  struct hr_pool_limits limits = {
      .max_idle = client->cfg.max_idle,
      .idle_ms = client->cfg.idle_timeout_ms,
      .max_per_origin = client->cfg.max_per_origin,
      .max_total = client->cfg.max_connections,
  };
  client->pool = hr_pool_new(&limits, client->provider->session_free);
  if (!client->pool)
    rc = hr_nomem(err);
done:
  httpr_config_free(defaults);
  if (rc != HTTPR_OK) {
    httpr_client_free(client);
    return rc;
  }
  *out = client;
  return HTTPR_OK;
}

void httpr_client_free(httpr_client *client) {
  if (!client)
    return;
  hr_pool_free(client->pool);
  if (client->tls_ctx)
    client->provider->context_free(client->tls_ctx);
  hr_keylog_close(client->keylog);
  if (client->provider_acquired)
    hr_provider_release(client->provider);
  hr_config_clear(&client->cfg);
  pthread_mutex_destroy(&client->tls_lock);
  free(client);
}

const char *httpr_client_provider(const httpr_client *client) {
  return client && client->provider ? client->provider->name : "";
}

/* ---- redirects ----------------------------------------------------------- */

/* The state of a request across its redirects. */
struct hop {
  struct hr_url url;
  char *method;
  struct hr_headers headers;
  int send_body;
};

static void hop_free(struct hop *h) {
  hr_url_free(&h->url);
  free(h->method);
  hr_headers_free(&h->headers);
}

static httpr_code hop_init(struct hop *h, const httpr_request *req,
                           httpr_error *err) {
  memset(h, 0, sizeof(*h));
  h->send_body = req->has_body;
  if (hr_url_copy(&h->url, &req->url, err) != HTTPR_OK)
    return HTTPR_E_NOMEM;
  if (!(h->method = strdup(req->method)) ||
      hr_headers_copy(&h->headers, &req->headers) != 0) {
    hop_free(h);
    return hr_nomem(err);
  }
  return HTTPR_OK;
}

/* Moves the request to the redirect target: the method rules of RFC 9110
 * 15.4 as browsers and curl apply them, https never to http, and
 * credentials kept only within one origin. */
static httpr_code hop_follow(struct hop *h, const httpr_response *resp,
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

static httpr_code finish_response(httpr_response *resp, const struct hop *h,
                                  httpr_error *err) {
  resp->url = hr_url_to_string(&h->url);
  return resp->url ? HTTPR_OK : hr_nomem(err);
}

httpr_code httpr_client_send(httpr_client *client, const httpr_request *req,
                             httpr_response **out, httpr_error *err) {
  httpr_error local;
  err = local_or(err, &local);
  if (!client || !req || !out)
    return hr_fail(err, HTTPR_E_INVALID, "missing client, request or out");
  *out = NULL;
  const struct httpr_config *cfg = &client->cfg;
  struct hop hop;
  httpr_code rc = hop_init(&hop, req, err);
  if (rc != HTTPR_OK)
    return rc;
  httpr_response *resp = calloc(1, sizeof(*resp));
  if (!resp) {
    rc = hr_nomem(err);
    goto done;
  }
  struct hr_transfer t = {
      .req = req,
      .follow = cfg->max_redirects > 0,
      .deadline = hr_deadline_in(cfg->total_timeout_ms),
      .t0 = hr_now_s(),
      .resp = resp,
  };
  for (int hops = 0;; hops++) {
    if (!hop.url.https && cfg->https_only) {
      rc = hr_fail(err, HTTPR_E_UNSUPPORTED_PROTOCOL,
                   "http:// refused: only https is allowed");
      break;
    }
    t.method = hop.method;
    t.url = &hop.url;
    t.headers = &hop.headers;
    t.send_body = hop.send_body;
    t.redirect = 0;
    hr_headers_free(&resp->headers);
    hr_buf_reset(&resp->body);
    resp->body_bytes = 0;
    rc = hr_transfer_run(client, &t, err);
    if (rc != HTTPR_OK || !t.redirect)
      break;
    if (hops == cfg->max_redirects) {
      rc = hr_fail(err, HTTPR_E_REDIRECT_LIMIT,
                   "maximum (%d) redirects followed", cfg->max_redirects);
      break;
    }
    rc = hop_follow(&hop, resp, err);
    if (rc != HTTPR_OK)
      break;
    resp->redirects++;
  }
  if (rc == HTTPR_OK)
    rc = finish_response(resp, &hop, err);
done:
  hop_free(&hop);
  if (rc != HTTPR_OK) {
    httpr_response_free(resp);
    return rc;
  }
  *out = resp;
  return HTTPR_OK;
}

/* ---- many requests on one HTTP/2 connection ------------------------------ */

/* Puts err where the caller asked for it (errs may be NULL). */
static void give_error(httpr_error *const *errs, size_t i,
                       const httpr_error *err) {
  if (errs && errs[i])
    *errs[i] = *err;
}

void hr_client_send_batch(httpr_client *client, const char *key,
                          const httpr_request *const *reqs, const size_t *idx,
                          size_t m, size_t window, httpr_response **out,
                          httpr_code *codes, httpr_error *const *errs,
                          unsigned char *again) {
  const struct httpr_config *cfg = &client->cfg;
  struct hr_conn *conn = NULL;
  httpr_error err = {0};
  int64_t deadline = hr_deadline_in(cfg->connect_timeout_ms);
  if (hr_pool_acquire(client->pool, key, HR_POOL_SHARE, deadline,
                      cfg->connect_timeout_ms, &conn, &err) != HTTPR_OK ||
      !conn || !conn->h2) {
    /* No shared HTTP/2 connection now: the ordinary way for all. */
    if (conn)
      hr_pool_put(client->pool, key, conn);
    else if (err.code == HTTPR_OK)
      hr_pool_cancel(client->pool, key);
    memset(again, 1, m);
    return;
  }
  struct hop *hops = calloc(m, sizeof(*hops));
  struct hr_batch_item *items = calloc(m, sizeof(*items));
  size_t *which = calloc(m, sizeof(*which)); /* item -> position in idx */
  size_t ready = 0;
  for (size_t k = 0; hops && items && which && k < m; k++) {
    const httpr_request *req = reqs[idx[k]];
    httpr_response *resp = calloc(1, sizeof(*resp));
    if (!resp || hop_init(&hops[ready], req, &err) != HTTPR_OK) {
      free(resp);
      again[k] = 1;
      continue;
    }
    struct hop *h = &hops[ready];
    items[ready].t = (struct hr_transfer){
        .method = h->method,
        .url = &h->url,
        .headers = &h->headers,
        .req = req,
        .send_body = h->send_body,
        .follow = cfg->max_redirects > 0,
        .deadline = hr_deadline_in(cfg->total_timeout_ms),
        .t0 = hr_now_s(),
        .resp = resp,
    };
    which[ready++] = k;
  }
  if (ready)
    hr_transfer_run_batch(client, key, conn, items, ready, window);
  else
    hr_pool_release(client->pool, key, conn, 1);
  for (size_t r = 0; r < ready; r++) {
    struct hr_batch_item *it = &items[r];
    size_t k = which[r], i = idx[k];
    httpr_response *resp = it->t.resp;
    httpr_code rc = it->rc;
    /* A redirect to follow and a request never answered go the
     * ordinary way, which follows and retries (they are idempotent). */
    if ((rc == HTTPR_OK && it->t.redirect) || (rc != HTTPR_OK && it->retry)) {
      again[k] = 1;
      httpr_response_free(resp);
    } else if (rc == HTTPR_OK &&
               (rc = finish_response(resp, &hops[r], &it->err)) == HTTPR_OK) {
      out[i] = resp;
      codes[i] = HTTPR_OK;
    } else {
      codes[i] = rc;
      give_error(errs, i, &it->err);
      httpr_response_free(resp);
    }
    hop_free(&hops[r]);
  }
  if (!hops || !items || !which)
    memset(again, 1, m);
  free(which);
  free(hops);
  free(items);
}
