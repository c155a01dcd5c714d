/* SPDX-License-Identifier: MIT */
/*
 * tls_context.c - turns a client's config into its provider's TLS
 * context: the ALPN list of the version policy, the key log, the trust
 * store, the CRL file, the public key pin (read here once, checked by the
 * opener on every new connection), and the one check, the same for every
 * provider, that the provider can honour each setting before it sees them
 * (provider rule 2).
 */
#include "api/tls_context.h"

#include <string.h>

#include "backends/pubkey_pin.h"

/* ALPN lists (wire format) for each version policy. */
static const unsigned char alpn_http11[] = "\x08http/1.1";
static const unsigned char alpn_h2[] = "\x02h2";
static const unsigned char alpn_any[] = "\x02h2\x08http/1.1";

static httpr_code unsupported(const httpr_client *client, const char *what,
                              httpr_error *err) {
  return hr_fail(err, HTTPR_E_UNSUPPORTED,
                 "the %s provider does not support %s", client->provider->name,
                 what);
}

/* Settings the provider cannot honour fail here, the same way for every
 * provider, before the provider sees them (provider rule 2). */
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
  if (cfg->cert_status && !(f & HTTPR_FEATURE_CERT_STATUS))
    return unsupported(client, "certificate status requests (OCSP stapling)",
                       err);
  /* The response is judged against the verified chain and trust store. */
  if (cfg->cert_status && !cfg->verify)
    return hr_fail(err, HTTPR_E_INVALID,
                   "the certificate status check needs certificate "
                   "verification, which is off");
  /* A provider module of another origin may lack what pinning asks. */
  if (cfg->pinned_public_key &&
      (!client->provider->peer_certificate || !client->provider->sha256))
    return unsupported(client, "public key pinning", err);
  return HTTPR_OK;
}

static void choose_alpn(struct hr_tls_settings *s, httpr_http_policy policy) {
  switch (policy) {
  case HTTPR_HTTP1_ONLY:
    s->alpn = alpn_http11;
    s->alpn_len = sizeof(alpn_http11) - 1;
    break;
  case HTTPR_HTTP2_ONLY:
    s->alpn = alpn_h2;
    s->alpn_len = sizeof(alpn_h2) - 1;
    break;
  default:
    s->alpn = alpn_any;
    s->alpn_len = sizeof(alpn_any) - 1;
    break;
  }
}

static httpr_code build_tls_context(httpr_client *client,
                                    httpr_http_policy policy, void **out,
                                    httpr_error *err) {
  const struct httpr_config *cfg = &client->cfg;
  struct hr_tls_settings s = {
      .verify = cfg->verify,
      .verify_hostname = cfg->verify_hostname,
      .cert_status = cfg->cert_status,
      .cred_kind = cfg->cred_kind,
      .cert_path = cfg->cert_path,
      .key_path = cfg->key_path,
      .password = cfg->password,
      .min_version = cfg->min_tls,
      .max_version = cfg->max_tls,
      .groups = cfg->groups,
      .ciphers = cfg->ciphers,
      .tls13_ciphers = cfg->tls13_ciphers,
      .crl_file = cfg->crl_file,
  };
  choose_alpn(&s, policy);
  httpr_code rc = HTTPR_OK;
  int opened_keylog = !client->keylog;
  if (opened_keylog) {
    httpr_error warning = {0};
    rc = hr_keylog_open(cfg->keylog_file, &client->keylog, err, &warning);
    if (rc != HTTPR_OK)
      return rc;
    if (warning.code != HTTPR_OK && cfg->debug_cb)
      cfg->debug_cb(HTTPR_DEBUG_INFO, warning.message,
                    strlen(warning.message), cfg->debug_ud);
  }
  s.keylog = client->keylog;
  rc = check_features(client, err);
  /* Read once for both contexts; the opener checks it. */
  if (rc == HTTPR_OK && cfg->pinned_public_key && !client->pubkey_pins)
    rc = hr_pubkey_pins_parse(cfg->pinned_public_key, &client->pubkey_pins,
                              err);
  if (rc == HTTPR_OK && cfg->verify)
    rc = hr_trust_resolve(cfg->ca_file, cfg->ca_dir, &s.trust, err);
  if (rc == HTTPR_OK)
    rc = client->provider->context_new(&s, out, err);
  hr_trust_free(&s.trust);
  if (rc != HTTPR_OK && opened_keylog) {
    hr_keylog_close(client->keylog);
    client->keylog = NULL;
  }
  return rc;
}

httpr_code hr_client_tls_context(httpr_client *client, int http1_only,
                                 void **ctx, httpr_error *err) {
  httpr_code rc = HTTPR_OK;
  pthread_mutex_lock(&client->tls_lock);
  if (!client->tls_ctx)
    rc = build_tls_context(client, client->cfg.http_policy,
                           &client->tls_ctx, err);
  *ctx = client->tls_ctx;
  if (rc == HTTPR_OK && http1_only &&
      client->cfg.http_policy != HTTPR_HTTP1_ONLY) {
    if (!client->tls_ctx_http1)
      rc = build_tls_context(client, HTTPR_HTTP1_ONLY,
                             &client->tls_ctx_http1, err);
    *ctx = client->tls_ctx_http1;
  }
  pthread_mutex_unlock(&client->tls_lock);
  return rc;
}

/* The proxy is verified like an origin, by the same shared policy, but
 * only with the proxy's own trust settings. */
static httpr_code build_proxy_context(httpr_client *client, void **out,
                                      httpr_error *err) {
  const struct httpr_config *cfg = &client->cfg;
  struct hr_tls_settings s = {
      .verify = cfg->proxy_verify,
      .verify_hostname = 1,
      .alpn = alpn_http11,
      .alpn_len = sizeof(alpn_http11) - 1,
  };
  httpr_code rc = HTTPR_OK;
  if (cfg->proxy_verify)
    rc = hr_trust_resolve(cfg->proxy_ca_file, NULL, &s.trust, err);
  if (rc == HTTPR_OK)
    rc = client->provider->context_new(&s, out, err);
  hr_trust_free(&s.trust);
  return rc == HTTPR_OK ? rc : hr_prefix_message(err, "proxy ");
}

httpr_code hr_client_proxy_tls_context(httpr_client *client, void **ctx,
                                       httpr_error *err) {
  httpr_code rc = HTTPR_OK;
  pthread_mutex_lock(&client->tls_lock);
  if (!client->tls_ctx_proxy)
    rc = build_proxy_context(client, &client->tls_ctx_proxy, err);
  *ctx = client->tls_ctx_proxy;
  pthread_mutex_unlock(&client->tls_lock);
  return rc;
}

void hr_client_tls_free(httpr_client *client) {
  if (client->tls_ctx_proxy)
    client->provider->context_free(client->tls_ctx_proxy);
  client->tls_ctx_proxy = NULL;
  if (client->tls_ctx)
    client->provider->context_free(client->tls_ctx);
  if (client->tls_ctx_http1)
    client->provider->context_free(client->tls_ctx_http1);
  client->tls_ctx = NULL;
  client->tls_ctx_http1 = NULL;
  hr_keylog_close(client->keylog);
  client->keylog = NULL;
  hr_pubkey_pins_free(client->pubkey_pins);
  client->pubkey_pins = NULL;
}
