/* SPDX-License-Identifier: MIT */
/*
 * cli_config.h - turns the parsed command line into an httpr_config: the
 * one place where options meet the library's setters.
 */
#ifndef HTTPR_TOOLS_CLI_CONFIG_H
#define HTTPR_TOOLS_CLI_CONFIG_H

#include <stdio.h>

#include "api/httpr.h"
#include "cli_args.h"

/* Builds a new config into *out (freed by the caller with
 * httpr_config_free, also after a failure). -v routes the library's debug
 * events to `err`. A value a setter rejects is a usage error: printed on
 * `err`, CLI_EXIT_USAGE returned. Returns CLI_EXIT_OK or an exit code. */
int cli_make_config(const struct cli_options *opts, httpr_config **out,
                    FILE *err);

#endif /* HTTPR_TOOLS_CLI_CONFIG_H */
