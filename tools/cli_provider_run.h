/* SPDX-License-Identifier: MIT */
/*
 * cli_provider_run.h - the command line's request sent once with one
 * named provider, on a fresh client of its own (so no provider profits
 * from another's connection), the body counted and dropped: what
 * `--compare` and `--verify-report` do for every provider.
 */
#ifndef HTTPR_TOOLS_CLI_PROVIDER_RUN_H
#define HTTPR_TOOLS_CLI_PROVIDER_RUN_H

#include "api/httpr.h"
#include "cli_args.h"

struct cli_provider_run {
  const char *provider; /* set by the caller */
  int exit_code;        /* CLI_EXIT_OK, or the failure's exit code */
  httpr_code code;
  httpr_response *resp; /* NULL on failure */
  httpr_error *err;     /* the failure's, when there was one */
};

/* Sets up r (provider as given) and sends url with it; adjust, when not
 * NULL, changes the config first (adjust_ud is passed back; its code
 * fails the run). Returns 0, or -1 when out of memory (exit code 27).
 * Free with cli_provider_run_free whatever the outcome. */
int cli_provider_run(const struct cli_options *opts, const char *url,
                     const char *provider,
                     httpr_code (*adjust)(httpr_config *cfg, void *ud),
                     void *adjust_ud, struct cli_provider_run *r);

/* A failed run on stderr, as --compare words it: "httpr: PROVIDER:
 * (EXIT) MESSAGE", and with -v the detail. Nothing for a success. */
void cli_provider_run_print_failure(const struct cli_options *opts,
                                    const struct cli_provider_run *r);

void cli_provider_run_free(struct cli_provider_run *r);

#endif /* HTTPR_TOOLS_CLI_PROVIDER_RUN_H */
