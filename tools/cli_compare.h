/* SPDX-License-Identifier: MIT */
/*
 * cli_compare.h - `httpr --compare URL...`: the same request once with
 * every provider built in, one row each, so TLS stacks can be read side
 * by side.
 */
#ifndef HTTPR_TOOLS_CLI_COMPARE_H
#define HTTPR_TOOLS_CLI_COMPARE_H

#include "cli_args.h"

/* Prints one table per URL on stdout, failure lines on stderr. Returns 0
 * when every provider succeeded for every URL, else the exit code of the
 * first failure. */
int cli_compare(const struct cli_options *opts);

#endif /* HTTPR_TOOLS_CLI_COMPARE_H */
