/* SPDX-License-Identifier: MIT */
/*
 * cli_transfer.h - the URLs of the command line, each from start to end:
 * build the request, send it on the run's one client, write head and
 * body, -v summary, -w output and the error line.
 *
 * A transfer is three steps so that a scheduler other than the serial one
 * (a later --parallel) reuses them as they are:
 *   cli_xfer_start    request and output sink; no I/O
 *   cli_xfer_perform  send and receive: the one step that blocks (-Z
 *                     sends on the library's event loop instead)
 *   cli_xfer_finish   everything printed after the response; returns the
 *                     transfer's exit code and frees what it holds
 * cli_run_serial runs one transfer after the other; cli_run_parallel
 * (-Z, cli_parallel.c) runs up to --parallel-max at once.
 */
#ifndef HTTPR_TOOLS_CLI_TRANSFER_H
#define HTTPR_TOOLS_CLI_TRANSFER_H

#include <stddef.h>

#include "api/httpr.h"
#include "cli_args.h"
#include "cli_output.h"
#include "cli_writeout.h"

/* What every transfer of one run shares. */
struct cli_run {
  const struct cli_options *opts;
  httpr_client *client; /* one for the run: connections and TLS sessions
                           are reused from one URL to the next */
  struct cli_wo_state writeout;
};

struct sched;

/* One URL of the command line. Zeroed by cli_xfer_start; must stay where
 * it is until cli_xfer_finish (the request points at its sink). */
struct cli_xfer {
  size_t index;    /* in opts->urls, which pairs it with its -o */
  const char *url; /* opts->urls[index] */
  httpr_request *req;
  httpr_response *resp;
  httpr_error *err; /* its own, so transfers may run at once */
  httpr_code code;  /* the result so far; perform is skipped unless OK */
  int buffered;     /* the body waits in the response: for the head (-i),
                       or with -Z for its turn on stdout */
  struct cli_sink sink;
  struct sched *sched; /* -Z: the scheduler running it */
};

/* The request the command line describes for url: method, -H headers and
 * -d data. On success *out owns it. */
httpr_code cli_build_request(const struct cli_options *opts, const char *url,
                             httpr_request **out, httpr_error *err);

/* Prepares the transfer of opts->urls[index]. A failure is kept in
 * x->code for cli_xfer_finish to report. With -Z a body bound for stdout
 * is buffered, so that transfers running at once never mix their bodies
 * there; -o files are written as the body arrives. */
void cli_xfer_start(struct cli_xfer *x, const struct cli_options *opts,
                    size_t index);

/* Sends the request on client and receives the response, streaming the
 * body to the transfer's sink (not with -i). Nothing is printed here but
 * the body and the -v debug lines. */
void cli_xfer_perform(struct cli_xfer *x, httpr_client *client);

/* Writes the -i head and a buffered body, the -v summary, the -w output
 * and the error line; frees the transfer's request, response and error.
 * Returns its exit code: 0 on success, also for an HTTP error status (as
 * curl without -f). */
int cli_xfer_finish(struct cli_xfer *x, struct cli_run *run);

/* Fetches every URL in order, each after the one before has ended, and
 * returns the run's exit code (cli_exit_combine: the last failure's).
 * A failed URL does not stop the ones after it, unless it is fatal
 * (cli_exit_is_fatal). */
int cli_run_serial(struct cli_run *run);

/* -Z: runs up to opts->parallel_max transfers at once (as far as the
 * descriptor limit allows) on the library's event loop from the calling
 * thread, and finishes them in command-line order, each as soon as it and the ones before it are done:
 * the output of one transfer (head, stdout body, -v summary, -w, error
 * line) is never mixed with another's, only the -v debug lines of running
 * transfers interleave (each line whole). Exit code as cli_run_serial,
 * the transfers taken in command-line order; after a fatal failure no
 * new transfer starts, those already running are finished. Falls back to
 * cli_run_serial when out of memory. */
int cli_run_parallel(struct cli_run *run);

#endif /* HTTPR_TOOLS_CLI_TRANSFER_H */
