/* SPDX-License-Identifier: MIT */
/*
 * cli_info.h - the informational actions that replace fetching:
 * -V/--version, --list-providers (old name --list-backends),
 * --feature-table and --list-ciphers.
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

/* --list-ciphers: the cipher suites provider (NULL: every provider built
 * in, each line "NAME SUITE") can offer, one IANA name per line, in its
 * library's order. Returns CLI_EXIT_OK, CLI_EXIT_WRITE, or the exit code
 * of HTTPR_E_PROVIDER with a message on err_out for a provider not built
 * in. */
int cli_print_ciphers(FILE *out, FILE *err_out, const char *provider);

#endif /* HTTPR_TOOLS_CLI_INFO_H */
