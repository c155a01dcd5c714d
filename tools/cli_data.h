/* SPDX-License-Identifier: MIT */
/*
 * cli_data.h - option values that may name a file: "@FILE" reads the file,
 * "@-" reads standard input, anything else is the value itself. Used by
 * -d (which drops CR and LF from file data, as curl does), --data-binary
 * (bytes as they are) and -w @FILE.
 */
#ifndef HTTPR_TOOLS_CLI_DATA_H
#define HTTPR_TOOLS_CLI_DATA_H

#include <stddef.h>
#include <stdio.h>

/* Loads the value of `arg` into a malloc'd buffer (*out, *len), always
 * NUL-terminated one byte past *len. `in` stands for "@-". With
 * strip_newlines, CR and LF bytes read from a file or stdin are removed
 * (a literal value is never changed). Returns 0, or an errno value
 * (ENOMEM, or the error opening/reading the file). */
int cli_load_value(const char *arg, FILE *in, int strip_newlines,
                   unsigned char **out, size_t *len);

/* Appends `add` to the growing body *buf / *len, with '&' in between when
 * *buf already holds a part (joining repeated -d as curl does). The result
 * stays NUL-terminated. Returns 0 or ENOMEM. `first` is 1 for the first
 * part, which gets no '&'. */
int cli_append_data(unsigned char **buf, size_t *len, int first,
                    const unsigned char *add, size_t add_len);

#endif /* HTTPR_TOOLS_CLI_DATA_H */
