/* SPDX-License-Identifier: MIT */
/*
 * cli_argvalue.h - parsers for the values of single options (--cert,
 * --resolve, -H, --proto, numbers, sizes, seconds). Pure functions of a
 * string, so each rule is unit-tested on its own; messages are the
 * caller's job (each parser says what went wrong through its result).
 */
#ifndef HTTPR_TOOLS_CLI_ARGVALUE_H
#define HTTPR_TOOLS_CLI_ARGVALUE_H

#include <stdint.h>

#include "cli_args.h"

/* Results shared by the parsers below. */
enum { CLI_VALUE_OK = 0, CLI_VALUE_BAD = 1, CLI_VALUE_NOMEM = 2 };

/* --cert FILE[:PASSWORD]. Splits at the first ':' not escaped as "\:";
 * in FILE "\:" becomes ':' and "\\" becomes '\' (other backslashes stay),
 * so "C\:\\dir\\c.pem:pw" is file "C:\dir\c.pem". PASSWORD is everything
 * after the split, verbatim, and may itself hold ':'. *password is NULL
 * when there is no split. Both are malloc'd. OK or NOMEM. */
int cli_split_cert(const char *arg, char **file, char **password);

/* Where PASSWORD starts in a --cert argument, by cli_split_cert's rule, or
 * NULL when there is none. */
const char *cli_cert_password(const char *arg);

/* --resolve HOST:PORT:ADDR. HOST may be bracketed ("[::1]"), ADDR too
 * ("[::1]" or "::1"); PORT is 1..65535. A leading '+' (curl's "add") is
 * accepted. One address only. Fills *out (malloc'd strings). */
int cli_parse_resolve(const char *arg, struct cli_resolve *out);

/* -H "Name: value" or "Name;" (empty value). Leading blanks of the value
 * are skipped. BAD when there is no ':' (nor a final ';') or no name. */
int cli_parse_header(const char *arg, struct cli_header *out);

/* --proto: a comma list of [=+-]NAME with NAME in all, http, https,
 * applied to the starting set {http, https} as curl does. Sets
 * *https_only to 1 when only https is left, 0 when both are; BAD for any
 * other result or an unknown name. */
int cli_parse_proto(const char *arg, int *https_only);

/* A whole decimal number in [min, max]. */
int cli_parse_long(const char *arg, long min, long max, long *out);

/* Seconds, fractions allowed ("2.5"), to milliseconds rounded up, so a
 * small positive value never turns into 0 (which means "no limit"). */
int cli_parse_seconds(const char *arg, long *ms);

/* Bytes, with an optional k, m or g suffix (powers of 1024). */
int cli_parse_size(const char *arg, uint64_t *bytes);

/* --parallel-max N as curl takes it: a whole number >= 0; 0 gives
 * CLI_PARALLEL_DEFAULT and anything above CLI_PARALLEL_LIMIT gives the
 * limit (not curl's 300: see cli_args.h). */
int cli_parse_parallel_max(const char *arg, long *out);

/* --tls-max: "1.2" -> 12, "1.3" -> 13, "default" -> 0. */
int cli_parse_tls_max(const char *arg, int *version);

#endif /* HTTPR_TOOLS_CLI_ARGVALUE_H */
