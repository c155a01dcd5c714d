/*
 * keylog.h - the NSS key log file with httpr's one opt-in meaning: lines are
 * written only when the config names a file or SSLKEYLOGFILE is set, and
 * the config's file wins over the variable. Shared by every provider: a
 * provider hands over complete lines or the parts of one.
 */
#ifndef HTTPR_KEYLOG_H
#define HTTPR_KEYLOG_H

#include <stddef.h>

#include "api/error_internal.h"

struct hr_keylog;

/* Opens the key log named by cfg_path, else by SSLKEYLOGFILE, for
 * appending (created 0600). *out is NULL when neither is set. A config
 * file that cannot be opened is HTTPR_E_INVALID; an SSLKEYLOGFILE that
 * cannot be opened is ignored (*out NULL), as other TLS clients do. */
httpr_code hr_keylog_open(const char *cfg_path, struct hr_keylog **out,
                          httpr_error *err);
void hr_keylog_close(struct hr_keylog *log);

/* Appends one line (without newline; one is added). Thread-safe. */
void hr_keylog_write_line(struct hr_keylog *log, const char *line);

/* Formats "LABEL <client_random hex> <secret hex>" into out. Returns the
 * length, or 0 when it does not fit in cap (NUL included). */
size_t hr_keylog_format(char *out, size_t cap, const char *label,
                        const unsigned char *client_random, size_t random_len,
                        const unsigned char *secret, size_t secret_len);

#endif
