/* SPDX-License-Identifier: MIT */
/*
 * cli_compare.c - `httpr --compare`: one fresh client per provider (so no
 * provider profits from another's connection), the command line's request
 * sent once with each, the body counted and dropped, and a row per
 * provider: outcome, TLS version, cipher, ALPN, handshake and total time.
 */
#include "cli_compare.h"

#include <stdio.h>

#include "api/httpr.h"
#include "cli_config.h"
#include "cli_exit.h"
#include "cli_transfer.h"

struct row {
  const char *provider;
  int exit_code;
  httpr_code code;
  httpr_response *resp;
  httpr_error *err;
};

static int discard(const void *data, size_t len, void *ud) {
  (void)data;
  (void)len;
  (void)ud;
  return 0;
}

/* Runs the request with one provider; fills the row. */
static void run_one(const struct cli_options *opts, const char *url,
                    struct row *r) {
  httpr_config *cfg = NULL;
  httpr_client *client = NULL;
  httpr_request *req = NULL;
  r->exit_code = cli_make_config(opts, &cfg, stderr);
  if (r->exit_code != CLI_EXIT_OK)
    goto done;
  r->code = httpr_config_set_tls_provider(cfg, r->provider);
  if (r->code == HTTPR_OK)
    r->code = httpr_client_new(&client, cfg, r->err);
  if (r->code == HTTPR_OK)
    r->code = cli_build_request(opts, url, &req, r->err);
  if (r->code == HTTPR_OK)
    r->code = httpr_request_set_body_sink(req, discard, NULL);
  if (r->code == HTTPR_OK)
    r->code = httpr_client_send(client, req, &r->resp, r->err);
  r->exit_code =
      cli_exit_code_http(r->code, opts->http_version == CLI_HTTP2_ONLY);
done:
  httpr_request_free(req);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

static const char *or_dash(const char *s) { return s && *s ? s : "-"; }

static void print_row(const struct row *r) {
  const httpr_response *resp = r->resp;
  char outcome[64];
  if (resp)
    snprintf(outcome, sizeof(outcome), "%d", httpr_response_status(resp));
  else
    snprintf(outcome, sizeof(outcome), "error %d", r->exit_code);
  double connect = httpr_response_time(resp, HTTPR_TIME_CONNECT);
  double tls = httpr_response_time(resp, HTTPR_TIME_APPCONNECT);
  double total = httpr_response_time(resp, HTTPR_TIME_TOTAL);
  if (!resp) {
    printf("%-9s %-9s %-8s %-45s %-10s %-9s %12s %10s\n", r->provider,
           outcome, "-", "-", "-", "-", "-", "-");
    return;
  }
  printf("%-9s %-9s %-8s %-45s %-10s %-9s %9.2f ms %7.2f ms\n", r->provider,
         outcome, or_dash(httpr_response_tls_version(resp)),
         or_dash(httpr_response_tls_cipher(resp)),
         or_dash(httpr_response_tls_group(resp)),
         or_dash(httpr_response_tls_alpn(resp)), (tls - connect) * 1e3,
         total * 1e3);
}

/* Compares one URL; returns the first failure's exit code, or 0. */
static int compare_url(const struct cli_options *opts, const char *url) {
  size_t n = httpr_provider_count();
  int first_failure = CLI_EXIT_OK;
  printf("%s\n%-9s %-9s %-8s %-45s %-10s %-9s %12s %10s\n", url, "provider",
         "outcome", "TLS", "cipher", "group", "ALPN", "handshake", "total");
  for (size_t i = 0; i < n; i++) {
    struct row r = {.provider = httpr_provider_name(i),
                    .err = httpr_error_new()};
    if (!r.err)
      return CLI_EXIT_NOMEM;
    run_one(opts, url, &r);
    print_row(&r);
    fflush(stdout);
    if (r.exit_code != CLI_EXIT_OK) {
      fprintf(stderr, "httpr: %s: (%d) %s\n", r.provider, r.exit_code,
              httpr_error_message(r.err));
      if (opts->verbose && *httpr_error_detail(r.err))
        fprintf(stderr, "httpr: %s: detail: %s\n", r.provider,
                httpr_error_detail(r.err));
      if (first_failure == CLI_EXIT_OK)
        first_failure = r.exit_code;
    }
    httpr_response_free(r.resp);
    httpr_error_free(r.err);
  }
  return first_failure;
}

int cli_compare(const struct cli_options *opts) {
  int first_failure = CLI_EXIT_OK;
  for (size_t i = 0; i < opts->url_count; i++) {
    int rc = compare_url(opts, opts->urls[i]);
    if (first_failure == CLI_EXIT_OK)
      first_failure = rc;
  }
  return first_failure;
}
