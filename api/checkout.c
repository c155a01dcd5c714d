/* SPDX-License-Identifier: MIT */
/*
 * checkout.c - a connection for an exchange (see checkout.h): the
 * parameters of a new one (the client's TLS context, the session the pool
 * kept for the origin), then the new connection started in the protocol
 * ALPN chose and given to the pool.
 * What the connection then carries is h1_exchange.c's or h2_exchange.c's.
 */
#include "api/checkout.h"

#include <string.h>

#include "api/tls_context.h"
#include "protocol/h2.h"

/* The session kept for key when resumption is on, else NULL (released by
 * the caller). */
static struct hr_pool_session *saved_session(struct hr_exchange *x,
                                             const char *key) {
  if (!x->client->cfg.session_resumption ||
      !x->client->provider->session_import)
    return NULL;
  return hr_pool_session_get(x->client->pool, key);
}

httpr_code hr_checkout_params(struct hr_exchange *x, const char *key,
                              int64_t connect_deadline,
                              struct hr_connect_params *p,
                              struct hr_pool_session **session,
                              httpr_error *err) {
  httpr_client *client = x->client;
  struct hr_transfer *t = x->t;
  void *tls_ctx = NULL;
  *session = NULL;
  if (t->url->https) {
    httpr_code rc = hr_client_tls_context(client, x->http1_only, &tls_ctx,
                                          err);
    if (rc != HTTPR_OK)
      return rc;
    *session = saved_session(x, key);
  }
  const struct hr_proxy *proxy = x->proxy;
  void *proxy_tls_ctx = NULL;
  if (proxy && proxy->kind == HR_PROXY_HTTPS) {
    httpr_code rc = hr_client_proxy_tls_context(client, &proxy_tls_ctx, err);
    if (rc != HTTPR_OK) {
      hr_pool_session_release(client->pool, *session);
      *session = NULL;
      return rc;
    }
  }
  *p = (struct hr_connect_params){
      .host = t->url->host,
      .port = t->url->port,
      .pin_address =
          proxy ? hr_config_pin(&client->cfg, proxy->host, proxy->port)
                : hr_config_pin(&client->cfg, t->url->host, t->url->port),
      .family = client->cfg.address_family,
      .local_end = client->cfg.local_end,
      .unix_path = client->cfg.unix_socket,
      .provider = t->url->https ? client->provider : NULL,
      .tls_ctx = tls_ctx,
      .session = *session ? (*session)->object : NULL,
      .pubkey_pins = t->url->https ? client->pubkey_pins : NULL,
      .connect_deadline = connect_deadline,
      .total_deadline = t->deadline,
      .connect_timeout_ms = client->cfg.connect_timeout_ms,
      .total_timeout_ms = client->cfg.total_timeout_ms,
      .debug = &x->debug,
      .verify =
          client->cfg.verify_report.fn ? &client->cfg.verify_report : NULL,
      .proxy = proxy,
      .tunnel = proxy && t->url->https,
      .tunnel_head_max = client->cfg.max_header_bytes,
      .origin_pin =
          proxy && proxy->kind == HR_PROXY_SOCKS5
              ? hr_config_pin(&client->cfg, t->url->host, t->url->port)
              : NULL,
      .proxy_provider = proxy_tls_ctx ? client->provider : NULL,
      .proxy_tls_ctx = proxy_tls_ctx,
  };
  return HTTPR_OK;
}

void hr_checkout_open_ended(struct hr_exchange *x, const char *key,
                            struct hr_pool_session *session, httpr_code rc,
                            const struct hr_conn_times *times) {
  httpr_client *client = x->client;
  if (rc != HTTPR_OK && session)
    hr_pool_session_put(client->pool, key, NULL);
  if (session)
    hr_pool_session_release(client->pool, session);
  const struct hr_transfer *t = x->t;
  double *at = t->resp->times;
  at[HTTPR_TIME_NAMELOOKUP] = times->resolved ? times->resolved - t->t0 : 0;
  at[HTTPR_TIME_CONNECT] = times->connected ? times->connected - t->t0 : 0;
  at[HTTPR_TIME_APPCONNECT] = times->handshaken ? times->handshaken - t->t0 : 0;
}

void hr_checkout_keep_session(httpr_client *client, struct hr_pool_conn *pc) {
  if (client->cfg.session_resumption)
    hr_pool_keep_session(pc);
}

/* An HTTP/2 connection's hook, set when the client resumes sessions: runs
 * on the thread doing its I/O, the only one touching the TLS connection
 * then. */
static void h2_input(struct hr_conn *c, void *pc) {
  (void)c;
  hr_pool_keep_session(pc);
}

/* A new connection speaks what ALPN chose: HTTP/2 starts here, and a
 * client that requires it refuses anything else. */
static httpr_code start_protocol(struct hr_exchange *x, httpr_error *err) {
  httpr_client *client = x->client;
  int h2 = x->conn->tls && strcmp(x->conn->info.alpn, "h2") == 0;
  if (client->cfg.http_policy == HTTPR_HTTP2_ONLY && !h2) {
    hr_fail(err, HTTPR_E_PROTOCOL,
            "HTTP/2 is required but the server did not select it (ALPN: %s)",
            x->conn->info.alpn[0] ? x->conn->info.alpn : "none");
    err->http2 = 1;
    return HTTPR_E_PROTOCOL;
  }
  if (!h2)
    return HTTPR_OK;
  return hr_h2_attach(x->conn, client->cfg.max_header_bytes,
                      client->cfg.session_resumption ? h2_input : NULL, x->pc,
                      &x->pc->h2, err);
}

httpr_code hr_checkout_adopt(struct hr_exchange *x, const char *key,
                             struct hr_conn *c, httpr_error *err) {
  httpr_client *client = x->client;
  if (!(x->pc = hr_pool_conn_new(client->pool, key, c))) {
    hr_conn_close(c, 1);
    hr_pool_cancel(client->pool, key);
    return hr_nomem(err);
  }
  x->conn = c;
  httpr_code rc = start_protocol(x, err);
  if (rc != HTTPR_OK) {
    hr_pool_discard(client->pool, x->pc, 1); /* closes, gives the slot back */
    x->pc = NULL;
    x->conn = NULL;
    return rc;
  }
  hr_pool_opened(client->pool, x->pc);
  return HTTPR_OK;
}
