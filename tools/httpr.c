/* SPDX-License-Identifier: MIT */
/*
 * httpr.c - main() of the `httpr` command-line program: a curl-compatible
 * HTTP(S) client on libhttpr. It parses the command line, builds one
 * client for the whole run (so several URLs reuse connections and TLS
 * sessions), fetches the URLs in order (with -Z several at once) and exits
 * with the last failure's curl exit code.
 *
 * Only the public header api/httpr.h is used: this program is also the
 * proof that the public API is enough.
 */
#include <signal.h>
#include <stdio.h>

#include "api/httpr.h"
#include "cli_args.h"
#include "cli_compare.h"
#include "cli_config.h"
#include "cli_exit.h"
#include "cli_info.h"
#include "cli_options.h"
#include "cli_transfer.h"
#include "cli_verify_report.h"

static int fetch_all(const struct cli_options *opts) {
  struct cli_run run = {opts, NULL, {0}};
  const struct cli_noise noise = {opts->silent, opts->show_error,
                                  opts->verbose};
  httpr_config *cfg = NULL;
  httpr_error *err = NULL;
  int rc;

  if (opts->insecure && !opts->silent)
    fputs("httpr: warning: certificate verification is off (-k)\n", stderr);
  rc = cli_make_config(opts, &cfg, stderr);
  if (rc != CLI_EXIT_OK)
    goto out;
  if (!(err = httpr_error_new())) {
    rc = CLI_EXIT_NOMEM;
    cli_print_failure(stderr, &noise, rc, "out of memory", "", "");
    goto out;
  }
  if (httpr_client_new(&run.client, cfg, err) != HTTPR_OK) {
    rc = cli_exit_code(httpr_error_code(err));
    cli_print_failure(stderr, &noise, rc, httpr_error_message(err),
                      httpr_error_hint(err), httpr_error_detail(err));
    goto out;
  }
  rc = opts->parallel ? cli_run_parallel(&run) : cli_run_serial(&run);
out:
  httpr_client_free(run.client);
  httpr_error_free(err);
  httpr_config_free(cfg);
  return rc;
}

/* Runs what the command line asks for; returns the exit code. */
static int run(const struct cli_options *opts) {
  if (opts->show_help) {
    cli_print_help(stdout);
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_WRITE;
  }
  if (opts->show_version)
    return cli_print_version(stdout);
  if (opts->list_providers)
    return cli_print_providers(stdout);
  if (opts->list_ciphers)
    return cli_print_ciphers(stdout, stderr, opts->tls_provider);
  if (opts->feature_table)
    return cli_print_feature_table(stdout);
  if (opts->compare)
    return cli_compare(opts);
  if (opts->verify_report)
    return cli_verify_report(opts);
  return fetch_all(opts);
}

int main(int argc, char **argv) {
  struct cli_options opts;
  int rc;
  /* A closed stdout pipe must end in exit 23, not death by SIGPIPE. */
  signal(SIGPIPE, SIG_IGN);
  rc = cli_parse_args(&opts, argc, argv, stdin, stderr);
  if (rc == CLI_EXIT_OK)
    rc = run(&opts);
  cli_options_free(&opts);
  return rc;
}
