/* SPDX-License-Identifier: MIT */
/*
 * cli_options.h - the one table of httpr's command-line options. A row
 * says everything about one option: its long and short name, whether it
 * takes a value (and what of it is a secret), which setter stores it in
 * struct cli_options and where, and its --help text. The parser
 * (cli_args.c) and the help printer (cli_options.c) both walk this table,
 * so an option is added, renamed or documented in one place.
 */
#ifndef HTTPR_TOOLS_CLI_OPTIONS_H
#define HTTPR_TOOLS_CLI_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

/* Whether an option takes a value, and what of the value is a secret, to
 * blank in argv once parsed. */
enum cli_value_kind {
  CLI_NO_VALUE = 0,
  CLI_VALUE = 1,
  CLI_SECRET_VALUE = 2,      /* the whole value is one (--pass) */
  CLI_SECRET_AFTER_COLON = 3 /* the PASSWORD of FILE:PASSWORD is (--cert) */
};

/* The --help sections, in the order they are printed. */
enum cli_help_section {
  CLI_HELP_OUTPUT,
  CLI_HELP_REQUEST,
  CLI_HELP_TLS,
  CLI_HELP_INFO,
  CLI_HELP_SECTIONS
};

struct cli_parser; /* cli_parser.h: the walk's state */
struct cli_option;

/* Stores one option (value NULL for one without a value) and returns
 * CLI_EXIT_OK or the exit code of a usage, read or memory error, already
 * printed. The setters are in cli_setters.c. */
typedef int cli_setter(struct cli_parser *p, const struct cli_option *opt,
                       const char *value);

struct cli_option {
  const char *long_name; /* without "--" */
  char short_name;       /* 0: none */
  enum cli_value_kind kind;
  cli_setter *set;
  size_t field;        /* offsetof(struct cli_options, ...) the setter fills */
  long set_to;         /* what a flag stores there; -d's mode */
  long min, max;       /* the range of a number */
  const char *expects; /* the message for a bad value: "expects seconds" */
  enum cli_help_section section;
  const char *value_name; /* in --help: "FILE"; NULL for no value */
  const char *help;       /* one paragraph, wrapped when printed */
};

extern const struct cli_option cli_option_table[];
extern const size_t cli_option_count;

/* The row of "--name" (given without "--") or "-c", NULL when unknown. */
const struct cli_option *cli_option_long(const char *name);
const struct cli_option *cli_option_short(char c);

/* The setters the rows name (cli_setters.c). */
cli_setter cli_set_flag;         /* int field = set_to */
cli_setter cli_set_string;       /* char * field, a copy (later ones win) */
cli_setter cli_set_secret;       /* the same, wiped when replaced or freed */
cli_setter cli_set_seconds;      /* long field, milliseconds */
cli_setter cli_set_long;         /* long field in [min, max] */
cli_setter cli_set_int;          /* int field in [min, max] */
cli_setter cli_set_tls_provider; /* a string, and which name was used */
cli_setter cli_set_proxy;        /* the proxy URL; set_to: its SOCKS kind */
cli_setter cli_set_http_version;
cli_setter cli_set_cert;
cli_setter cli_set_cert_type;
cli_setter cli_set_output;
cli_setter cli_set_header;
cli_setter cli_set_data; /* set_to: a CLI_DATA_* mode */
cli_setter cli_set_write_out;
cli_setter cli_set_resolve;
cli_setter cli_set_parallel_max;
cli_setter cli_set_proto;
cli_setter cli_set_tls_max;
cli_setter cli_set_max_filesize;

/* -d's modes: strip CR/LF from @FILE data, take @FILE as it is, or take
 * the value itself with no @ meaning. */
enum { CLI_DATA_ASCII, CLI_DATA_BINARY, CLI_DATA_RAW };

/* The --help text: a usage paragraph, then every row of the table by
 * section, its text wrapped to 79 columns. */
void cli_print_help(FILE *out);

#endif /* HTTPR_TOOLS_CLI_OPTIONS_H */
