/* SPDX-License-Identifier: MIT */
/*
 * cli_parser.h - the state of one walk over argv and the messages a
 * usage error prints, shared by the walk (cli_args.c) and the setters
 * (cli_setters.c). Not for the rest of the program.
 */
#ifndef HTTPR_TOOLS_CLI_PARSER_H
#define HTTPR_TOOLS_CLI_PARSER_H

#include <stdio.h>

#include "cli_args.h"

struct cli_parser {
  struct cli_options *opts;
  FILE *in;          /* read for "@-" values */
  FILE *err;         /* messages */
  const char *shown; /* the option as typed, for messages: "-o", "--cert" */
  int data_parts;    /* -d/--data-binary seen so far, for '&' joining */
};

/* "httpr: MESSAGE" and the try-help line; returns CLI_EXIT_USAGE. */
__attribute__((format(printf, 2, 3))) int cli_usage_error(struct cli_parser *p,
                                                          const char *fmt, ...);

/* "option -x: WHAT, got 'VALUE'"; returns CLI_EXIT_USAGE. */
int cli_bad_value(struct cli_parser *p, const char *what, const char *value);

/* "httpr: out of memory"; returns CLI_EXIT_NOMEM. */
int cli_nomem(struct cli_parser *p);

/* Appends a copy of value to a growing list of strings. */
int cli_push_string(struct cli_parser *p, char ***list, size_t *count,
                    const char *value);

/* Frees a copy of a secret, wiped first. */
void cli_free_secret(char *s);

#endif /* HTTPR_TOOLS_CLI_PARSER_H */
