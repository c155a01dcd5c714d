/* SPDX-License-Identifier: MIT */
/*
 * cli_verbose.h - what -v prints on stderr: the library's debug events
 * as curl shows them ("* " info, "> " request head, "< " response head)
 * and, after an https response, a summary of its TLS connection.
 */
#ifndef HTTPR_TOOLS_CLI_VERBOSE_H
#define HTTPR_TOOLS_CLI_VERBOSE_H

#include <stddef.h>
#include <stdio.h>

#include "api/httpr.h"

/* An httpr_debug_cb; userdata is the FILE * to print on (stderr). */
void cli_verbose_debug(httpr_debug_kind kind, const char *text, size_t len,
                       void *userdata);

/* "* HTTP version: HTTP/2" (or HTTP/1.1, HTTP/1.0), then for https only:
 * "* TLS provider: ...", "* TLS: VERSION / CIPHER", "* ALPN: ..." (the
 * protocol the server selected, or none), the server certificate's
 * subject and issuer, whether the handshake resumed an earlier session
 * ("* TLS session: resumed" or "new (full handshake)"; a reused
 * connection tells what its handshake did) and whether the connection was
 * reused. The lines of one summary stay together when threads print. */
void cli_verbose_summary(FILE *fp, const httpr_response *resp);

#endif /* HTTPR_TOOLS_CLI_VERBOSE_H */
