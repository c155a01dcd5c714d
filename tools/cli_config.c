/* SPDX-License-Identifier: MIT */
/*
 * cli_config.c - struct cli_options -> httpr_config.
 *
 * Client credentials: --cert-type P12 takes the PKCS#12 file; a PEM --cert
 * with --key is a certificate and a key file; a PEM --cert alone holds
 * both. The password is the one after --cert's ':' when there is one,
 * else --pass (curl keeps two; the library takes one).
 */
#include <limits.h>

#include "cli_config.h"
#include "cli_exit.h"
#include "cli_verbose.h"

/* What a setter's result means for the program. */
static int check(FILE *err, httpr_code code, const char *option,
                 const char *value) {
  if (code == HTTPR_OK)
    return CLI_EXIT_OK;
  if (code == HTTPR_E_INVALID) {
    fprintf(err, "httpr: option %s: invalid value '%s'\n", option,
            value ? value : "");
    fputs("httpr: try 'httpr --help' for more information\n", err);
    return CLI_EXIT_USAGE;
  }
  fprintf(err, "httpr: (%d) option %s: %s\n", cli_exit_code(code), option,
          httpr_code_description(code));
  return cli_exit_code(code);
}

static int set_credentials(const struct cli_options *o, httpr_config *cfg,
                           FILE *err) {
  const char *password = o->cert_password ? o->cert_password : o->pass;
  if (!o->cert)
    return CLI_EXIT_OK;
  if (o->cert_type == CLI_CERT_P12)
    return check(err, httpr_config_set_client_pkcs12(cfg, o->cert, password),
                 "--cert", o->cert);
  if (o->key)
    return check(err,
                 httpr_config_set_client_cert(cfg, o->cert, o->key, password),
                 "--key", o->key);
  return check(err, httpr_config_set_client_pem(cfg, o->cert, password),
               "--cert", o->cert);
}

/* The proxy options; the variables are read as curl reads them, unless
 * -x (or --socks5, --socks5-hostname) names a proxy, which wins. */
static int set_proxy(const struct cli_options *o, httpr_config *cfg,
                     FILE *err) {
  httpr_config_set_proxy_from_environment(cfg, 1);
  if (o->proxy) {
    httpr_code code = httpr_config_set_proxy(cfg, o->proxy);
    if (code == HTTPR_E_URL || code == HTTPR_E_UNSUPPORTED_PROTOCOL) {
      fprintf(err,
              "httpr: (%d) option --%s: malformed or unsupported "
              "proxy URL '%s'\n",
              cli_exit_code(code), o->proxy_option, o->proxy);
      return cli_exit_code(code);
    }
    if (code != HTTPR_OK) {
      char option[32];
      snprintf(option, sizeof(option), "--%s", o->proxy_option);
      return check(err, code, option, o->proxy);
    }
  }
  if (o->proxy_user) {
    int rc = check(err, httpr_config_set_proxy_credentials(cfg, o->proxy_user),
                   "--proxy-user", "");
    if (rc != CLI_EXIT_OK)
      return rc;
  }
  if (o->proxy_insecure)
    httpr_config_set_proxy_verify(cfg, 0);
  if (o->proxy_cacert) {
    int rc = check(err, httpr_config_set_proxy_ca_file(cfg, o->proxy_cacert),
                   "--proxy-cacert", o->proxy_cacert);
    if (rc != CLI_EXIT_OK)
      return rc;
  }
  if (o->noproxy)
    return check(err, httpr_config_set_noproxy(cfg, o->noproxy), "--noproxy",
                 o->noproxy);
  return CLI_EXIT_OK;
}

/* --max-redirs -1 means "no limit" in curl; the API wants a number. */
static int redirect_hops(const struct cli_options *o) {
  if (!o->follow)
    return 0;
  return o->max_redirs < 0 ? INT_MAX / 2 : o->max_redirs;
}

static httpr_http_policy http_policy(enum cli_http_version v) {
  switch (v) {
  case CLI_HTTP1_ONLY:
    return HTTPR_HTTP1_ONLY;
  case CLI_HTTP2_ONLY:
    return HTTPR_HTTP2_ONLY;
  case CLI_HTTP_ANY:
  default:
    return HTTPR_HTTP_ANY;
  }
}

static const char *http_option(enum cli_http_version v) {
  return v == CLI_HTTP1_ONLY   ? "--http1.1"
         : v == CLI_HTTP2_ONLY ? "--http2-only"
                               : "--http2";
}

static int apply(const struct cli_options *o, httpr_config *cfg, FILE *err) {
  char text[64];
  int rc;
#define CHECK(call, option, value)                                             \
  do {                                                                         \
    if ((rc = check(err, (call), (option), (value))) != CLI_EXIT_OK)           \
      return rc;                                                               \
  } while (0)
  if (o->insecure)
    CHECK(httpr_config_set_verify(cfg, 0), "--insecure", "");
  if (o->cert_status)
    CHECK(httpr_config_set_cert_status(cfg, 1), "--cert-status", "");
  if (o->cacert)
    CHECK(httpr_config_set_ca_file(cfg, o->cacert), "--cacert", o->cacert);
  if (o->capath)
    CHECK(httpr_config_set_ca_dir(cfg, o->capath), "--capath", o->capath);
  if (o->crlfile)
    CHECK(httpr_config_set_crl_file(cfg, o->crlfile), "--crlfile", o->crlfile);
  if (o->pinnedpubkey)
    CHECK(httpr_config_set_pinned_public_key(cfg, o->pinnedpubkey),
          "--pinnedpubkey", o->pinnedpubkey);
  if ((rc = set_credentials(o, cfg, err)) != CLI_EXIT_OK)
    return rc;
  if ((rc = set_proxy(o, cfg, err)) != CLI_EXIT_OK)
    return rc;
  CHECK(httpr_config_set_http_policy(cfg, http_policy(o->http_version)),
        http_option(o->http_version), "");
  if (o->https_only)
    CHECK(httpr_config_set_https_only(cfg, 1), "--proto", "=https");
  if (o->tls_min)
    CHECK(httpr_config_set_min_tls_version(cfg, (httpr_tls_version)o->tls_min),
          o->tls_min == 13 ? "--tlsv1.3" : "--tlsv1.2", "");
  if (o->tls_max)
    CHECK(httpr_config_set_max_tls_version(cfg, (httpr_tls_version)o->tls_max),
          "--tls-max", o->tls_max == 13 ? "1.3" : "1.2");
  if (o->connect_timeout_ms >= 0) {
    snprintf(text, sizeof(text), "%ld ms", o->connect_timeout_ms);
    CHECK(httpr_config_set_connect_timeout_ms(cfg, o->connect_timeout_ms),
          "--connect-timeout", text);
  }
  if (o->max_time_ms >= 0) {
    snprintf(text, sizeof(text), "%ld ms", o->max_time_ms);
    CHECK(httpr_config_set_total_timeout_ms(cfg, o->max_time_ms), "--max-time",
          text);
  }
  if (o->inactivity_timeout_ms >= 0) {
    snprintf(text, sizeof(text), "%ld ms", o->inactivity_timeout_ms);
    CHECK(httpr_config_set_inactivity_timeout_ms(cfg, o->inactivity_timeout_ms),
          "--inactivity-timeout", text);
  }
  if (o->speed_limit >= 0 || o->speed_time >= 0) {
    /* As curl: a limit alone is judged over 30 s, a time alone means 1
     * byte a second. */
    long bytes = o->speed_limit >= 0 ? o->speed_limit : 1;
    long secs = o->speed_time >= 0 ? o->speed_time : 30;
    snprintf(text, sizeof(text), "%ld B/s over %ld s", bytes, secs);
    CHECK(httpr_config_set_low_speed(cfg, bytes, secs),
          o->speed_limit >= 0 ? "--speed-limit" : "--speed-time", text);
  }
  for (size_t i = 0; i < o->resolve_count; i++) {
    const struct cli_resolve *r = &o->resolves[i];
    CHECK(httpr_config_add_resolve(cfg, r->host, r->port, r->address),
          "--resolve", r->address);
  }
  if (o->ip_family)
    CHECK(httpr_config_set_address_family(
              cfg, o->ip_family == 4 ? HTTPR_FAMILY_IPV4 : HTTPR_FAMILY_IPV6),
          o->ip_family == 4 ? "-4" : "-6", "");
  if (o->interface)
    CHECK(httpr_config_set_interface(cfg, o->interface), "--interface",
          o->interface);
  if (o->unix_socket)
    CHECK(httpr_config_set_unix_socket(cfg, o->unix_socket), "--unix-socket",
          o->unix_socket);
  if (o->has_max_filesize)
    CHECK(httpr_config_set_max_body_bytes(cfg, o->max_filesize),
          "--max-filesize", "");
  CHECK(httpr_config_set_follow_redirects(cfg, redirect_hops(o)),
        "--max-redirs", "");
  if (o->tls_provider) {
    /* Named as it was typed: --tls-provider or its old name. */
    char flag[32];
    snprintf(flag, sizeof(flag), "--%s", o->tls_provider_option);
    CHECK(httpr_config_set_tls_provider(cfg, o->tls_provider), flag,
          o->tls_provider);
  }
  if (o->keylog)
    CHECK(httpr_config_set_keylog_file(cfg, o->keylog), "--keylog", o->keylog);
  if (o->curves)
    CHECK(httpr_config_set_groups(cfg, o->curves), "--curves", o->curves);
  if (o->ciphers)
    CHECK(httpr_config_set_ciphers(cfg, o->ciphers), "--ciphers", o->ciphers);
  if (o->tls13_ciphers)
    CHECK(httpr_config_set_tls13_ciphers(cfg, o->tls13_ciphers),
          "--tls13-ciphers", o->tls13_ciphers);
  if (o->no_sessionid)
    CHECK(httpr_config_set_session_resumption(cfg, 0), "--no-sessionid", "");
  if (o->verbose)
    CHECK(httpr_config_set_debug_callback(cfg, cli_verbose_debug, err), "-v",
          "");
#undef CHECK
  return CLI_EXIT_OK;
}

int cli_make_config(const struct cli_options *opts, httpr_config **out,
                    FILE *err) {
  *out = httpr_config_new();
  if (!*out) {
    fprintf(err, "httpr: (%d) out of memory\n", CLI_EXIT_NOMEM);
    return CLI_EXIT_NOMEM;
  }
  return apply(opts, *out, err);
}
