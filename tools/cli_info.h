/* SPDX-License-Identifier: MIT */
/*
 * cli_info.h - the informational actions that replace fetching:
 * -V/--version and --list-providers (old name --list-backends).
 */
#ifndef HTTPR_TOOLS_CLI_INFO_H
#define HTTPR_TOOLS_CLI_INFO_H

#include <stdio.h>

/* "httpr VERSION", one line "  NAME: LIBRARY VERSION" per provider built
 * in, then "  default: NAME". Returns 0, or CLI_EXIT_WRITE. */
int cli_print_version(FILE *out);

/* A table of the providers built in: name, whether it is the default,
 * the TLS library's version and the feature names. Returns 0, or
 * CLI_EXIT_WRITE. */
int cli_print_providers(FILE *out);

/* The capability query as a Markdown table, one column per provider built
 * in and one row per feature the library names (README's feature table is
 * generated from it). Returns CLI_EXIT_OK or CLI_EXIT_WRITE. */
int cli_print_feature_table(FILE *out);

#endif /* HTTPR_TOOLS_CLI_INFO_H */
