/* SPDX-License-Identifier: MIT */
/*
 * cli_writeout_fill.h - the thin adapter from the library's response (or
 * its absence after a failure) to the plain values -w renders.
 */
#ifndef HTTPR_TOOLS_CLI_WRITEOUT_FILL_H
#define HTTPR_TOOLS_CLI_WRITEOUT_FILL_H

#include "api/httpr.h"
#include "cli_writeout.h"

/* Fills *v for one transfer of `url`. resp may be NULL (the transfer
 * failed before a response): then numbers are zero, url_effective is
 * `url`, scheme that of `url`, and the other strings are empty. `code` is the library's result
 * (for ssl_verify_result), exitcode and errormsg what the program reports.
 * Strings point into resp, url and errormsg: valid while they are. */
void cli_writeout_fill(struct cli_wo_values *v, const char *url,
                       const httpr_response *resp, httpr_code code,
                       int exitcode, const char *errormsg);

#endif /* HTTPR_TOOLS_CLI_WRITEOUT_FILL_H */
