/* SPDX-License-Identifier: MIT */
/*
 * cli_exit.h - the httpr command line's exit codes: the mapping from
 * httpr_code to curl's exit codes (so scripts written for curl keep
 * working) and the one place that prints a failure on stderr.
 *
 * Needs only the enum from the public header, never the library, so the
 * mapping is unit-tested without linking libhttpr.
 */
#ifndef HTTPR_TOOLS_CLI_EXIT_H
#define HTTPR_TOOLS_CLI_EXIT_H

#include <stdio.h>

#include "api/httpr.h"

/* Exit codes the program produces itself (curl's numbers). */
enum {
  CLI_EXIT_OK = 0,
  CLI_EXIT_USAGE = 2,  /* bad command line */
  CLI_EXIT_WRITE = 23, /* writing the body or -w output failed */
  CLI_EXIT_READ = 26,  /* reading a -d @FILE or -w @FILE failed */
  CLI_EXIT_NOMEM = 27
};

/* curl's exit code for a library result; 0 for HTTPR_OK. A value outside
 * the enum gives 1 (curl's "unsupported protocol" doubles as "unknown"). */
int cli_exit_code(httpr_code code);

/* As cli_exit_code, knowing whether the transfer was on HTTP/2 (or had to
 * be, with --http2-only): there HTTPR_E_PROTOCOL is curl's 16 (an HTTP/2
 * error, RST_STREAM, GOAWAY, or h2 not negotiated), elsewhere 8. */
int cli_exit_code_http(httpr_code code, int http2);

/* 1 when the code means the peer's certificate failed verification (what
 * curl reports as a nonzero %{ssl_verify_result}), else 0. */
int cli_is_cert_failure(httpr_code code);

/* The exit code of a run of several URLs, folded in one transfer's exit
 * code at a time in the order the transfers end: the last failure's code,
 * 0 only when every transfer succeeded. (curl's serial transfers return
 * the last transfer's code, so a later success hides an earlier failure;
 * its --parallel keeps the last failure, as this does: no failure goes
 * unseen, and a later -Z keeps the same rule.) */
int cli_exit_combine(int so_far, int transfer);

/* 1 when a transfer's exit code ends the run at once, the URLs after it
 * left untried: out of memory, as in curl. */
int cli_exit_is_fatal(int exit_code);

/* How much of a failure the user asked to see. */
struct cli_noise {
  int silent;     /* -s */
  int show_error; /* -S: the error line despite -s */
  int verbose;    /* -v: also the provider's detail */
};

/* Prints a failure on `err`:
 *   "httpr: (EXIT) MESSAGE"   unless -s without -S;
 *   "httpr: hint: HINT"       when HINT is non-empty, not with -s;
 *   "httpr: detail: DETAIL"   when DETAIL is non-empty, -v is on and the
 *                             error line was printed.
 * NULL strings count as empty. */
void cli_print_failure(FILE *err, const struct cli_noise *noise, int exit_code,
                       const char *message, const char *hint,
                       const char *detail);

#endif /* HTTPR_TOOLS_CLI_EXIT_H */
