/* SPDX-License-Identifier: MIT */
/*
 * cli_verify_report.h - `httpr --verify-report URL...`: the handshake with
 * every provider, as --compare makes it, and for each one block saying
 * how its verification of the server's certificate went: the result, who
 * decided a refusal, the path (subject and issuer per certificate) and
 * the shared checks that ran.
 */
#ifndef HTTPR_TOOLS_CLI_VERIFY_REPORT_H
#define HTTPR_TOOLS_CLI_VERIFY_REPORT_H

#include "cli_args.h"

/* Prints the blocks of every URL on stdout, failure lines on stderr.
 * Returns 0 when every provider succeeded for every URL, else the exit
 * code of the first failure, as --compare does. */
int cli_verify_report(const struct cli_options *opts);

#endif /* HTTPR_TOOLS_CLI_VERIFY_REPORT_H */
