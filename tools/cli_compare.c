/* SPDX-License-Identifier: MIT */
/*
 * cli_compare.c - `httpr --compare`: the command line's request sent once
 * with each provider (cli_provider_run.h), and a row per provider:
 * outcome, TLS version, cipher, group, ALPN, handshake and total time.
 */
#include "cli_compare.h"

#include <stdio.h>

#include "api/httpr.h"
#include "cli_exit.h"
#include "cli_provider_run.h"

static const char *or_dash(const char *s) { return s && *s ? s : "-"; }

static void print_row(const struct cli_provider_run *r) {
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
    struct cli_provider_run r;
    if (cli_provider_run(opts, url, httpr_provider_name(i), NULL, NULL, &r) !=
        0)
      return CLI_EXIT_NOMEM;
    print_row(&r);
    fflush(stdout);
    cli_provider_run_print_failure(opts, &r);
    if (first_failure == CLI_EXIT_OK)
      first_failure = r.exit_code;
    cli_provider_run_free(&r);
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
