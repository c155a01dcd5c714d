/* SPDX-License-Identifier: MIT */
/*
 * keylog.h - the NSS key log file with httpr's one opt-in meaning: lines are
 * written only when the config names a file or SSLKEYLOGFILE is set, and
 * the config's file wins over the variable. Shared by every provider: a
 * provider hands over complete lines or the parts of one.
 */
#ifndef HTTPR_KEYLOG_H
#define HTTPR_KEYLOG_H

#include <stddef.h>

#include "common/error.h"

struct hr_keylog;

/* Opens the key log named by cfg_path, else by SSLKEYLOGFILE, for
 * appending (created 0600 when absent). *out is NULL when neither is set.
 * The file must be a regular file with one link, owned by the effective
 * user, that group and others cannot write; a symbolic link is never
 * followed. A config file that cannot be opened or is refused for any of
 * these is HTTPR_E_INVALID in err, with a message saying which rule.
 * An SSLKEYLOGFILE in the same case is no failure: *out stays NULL, the
 * result is HTTPR_OK, and warning (when not NULL) gets the message, so
 * the caller can pass it on (the client's debug callback). */
httpr_code hr_keylog_open(const char *cfg_path, struct hr_keylog **out,
                          httpr_error *err, httpr_error *warning);
void hr_keylog_close(struct hr_keylog *log);

/* Appends one line (without newline; one is added). Thread-safe. */
void hr_keylog_write_line(struct hr_keylog *log, const char *line);

/* Formats "LABEL <client_random hex> <secret hex>" into out. Returns the
 * length, or 0 when it does not fit in cap (NUL included). */
size_t hr_keylog_format(char *out, size_t cap, const char *label,
                        const unsigned char *client_random, size_t random_len,
                        const unsigned char *secret, size_t secret_len);

#endif
