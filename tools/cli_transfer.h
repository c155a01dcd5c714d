/*
 * cli_transfer.h - one URL of the command line, start to end: build the
 * request, send it on the run's client, write head and body, -v summary,
 * -w output and the error line.
 */
#ifndef HTTPR_TOOLS_CLI_TRANSFER_H
#define HTTPR_TOOLS_CLI_TRANSFER_H

#include "api/httpr.h"
#include "cli_args.h"
#include "cli_writeout.h"

/* What every transfer of one run shares. */
struct cli_run {
  const struct cli_options *opts;
  httpr_client *client; /* one for the run, so connections are reused */
  httpr_error *err;     /* reused by each transfer */
  struct cli_wo_state writeout;
};

/* The request the command line describes for url: method, -H headers and
 * -d data. On success *out owns it. */
httpr_code cli_build_request(const struct cli_options *opts, const char *url,
                             httpr_request **out, httpr_error *err);

/* Fetches opts->urls[index]; returns its exit code (0 on success, also
 * for an HTTP error status, as curl without -f). */
int cli_transfer(struct cli_run *run, size_t index);

#endif /* HTTPR_TOOLS_CLI_TRANSFER_H */
