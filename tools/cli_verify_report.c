/* SPDX-License-Identifier: MIT */
/*
 * cli_verify_report.c - `httpr --verify-report`: each provider's request
 * (cli_provider_run.h) with a verification report callback, whose reports
 * are written out at once (a report lives only during the callback) into
 * the provider's block, printed after its request ends:
 *
 *   openssl
 *     result      certificate verify failed: certificate has expired
 *     decided by  library: openssl: X509_V_ERR_CERT_HAS_EXPIRED (10): ...
 *     cert 0      CN=localhost
 *       issuer    CN=httpr test intermediate
 *     checks      none ran
 *     outcome     error 60
 *
 * The lines are stable, for tests and for diff between providers: the
 * names are printed by httpr, the result is the shared message.
 */
#include "cli_verify_report.h"

#include <stdio.h>
#include <stdlib.h>

#include "api/httpr.h"
#include "cli_exit.h"
#include "cli_provider_run.h"

/* The reports of one provider's request, as text. */
struct block {
  FILE *out; /* open_memstream over text */
  char *text;
  size_t len;
  int reports;
};

static void print_checks(FILE *out, const httpr_verify_report *r) {
  int passed = 0;
  const char *name = httpr_verify_report_check(r, 0, &passed);
  fputs("  checks      ", out);
  if (!name)
    fputs("none ran", out);
  for (size_t k = 1; name; k++) {
    fprintf(out, "%s%s %s", k > 1 ? ", " : "", name, passed ? "ok" : "failed");
    name = httpr_verify_report_check(r, k, &passed);
  }
  fputc('\n', out);
}

static void on_report(const httpr_verify_report *r, void *ud) {
  struct block *b = ud;
  FILE *out = b->out;
  /* A request may open more than one connection (a redirect, HTTP/2's
   * HTTP_1_1_REQUIRED): each handshake has its report. */
  if (++b->reports > 1)
    fprintf(out, "  handshake   %d\n", b->reports);
  fprintf(out, "  result      %s\n", httpr_verify_report_result(r));
  if (*httpr_verify_report_decided_by(r))
    fprintf(out, "  decided by  %s: %s\n", httpr_verify_report_decided_by(r),
            httpr_verify_report_detail(r));
  size_t n = httpr_verify_report_cert_count(r);
  if (n == 0)
    fputs("  path        none given by the library\n", out);
  for (size_t i = 0; i < n; i++)
    fprintf(out, "  cert %-6zu %s\n    issuer    %s\n", i,
            httpr_verify_report_cert_subject(r, i),
            httpr_verify_report_cert_issuer(r, i));
  print_checks(out, r);
}

static httpr_code ask_for_reports(httpr_config *cfg, void *ud) {
  return httpr_config_set_verify_report_callback(cfg, on_report, ud);
}

/* One provider's block; returns its exit code. */
static int report_provider(const struct cli_options *opts, const char *url,
                           const char *provider) {
  struct block b = {0};
  struct cli_provider_run r;
  if (!(b.out = open_memstream(&b.text, &b.len)))
    return CLI_EXIT_NOMEM;
  int failed = cli_provider_run(opts, url, provider, ask_for_reports, &b, &r);
  int exit_code = failed ? CLI_EXIT_NOMEM : r.exit_code;
  if (!failed && b.reports == 0)
    fputs("  result      no certificate was verified\n", b.out);
  if (!failed && r.resp)
    fprintf(b.out, "  outcome     %d\n", httpr_response_status(r.resp));
  else if (!failed)
    fprintf(b.out, "  outcome     error %d\n", r.exit_code);
  if (fclose(b.out) != 0)
    exit_code = CLI_EXIT_NOMEM;
  else
    printf("\n%s\n%s", provider, b.text);
  fflush(stdout);
  if (!failed)
    cli_provider_run_print_failure(opts, &r);
  cli_provider_run_free(&r);
  free(b.text);
  return exit_code;
}

int cli_verify_report(const struct cli_options *opts) {
  int first_failure = CLI_EXIT_OK;
  for (size_t i = 0; i < opts->url_count; i++) {
    printf("%s%s\n", i ? "\n" : "", opts->urls[i]);
    for (size_t p = 0; p < httpr_provider_count(); p++) {
      int rc = report_provider(opts, opts->urls[i], httpr_provider_name(p));
      if (first_failure == CLI_EXIT_OK)
        first_failure = rc;
      if (rc == CLI_EXIT_NOMEM)
        return rc;
    }
  }
  return first_failure;
}
