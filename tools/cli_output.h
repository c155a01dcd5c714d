/* SPDX-License-Identifier: MIT */
/*
 * cli_output.h - where a response goes: stdout or an -o file. The sink is
 * the request's body callback; it opens the file on the first byte, so a
 * transfer that fails before any body leaves no file behind, and it keeps
 * the reason of a failed write for the error line (exit 23).
 */
#ifndef HTTPR_TOOLS_CLI_OUTPUT_H
#define HTTPR_TOOLS_CLI_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#include "api/httpr.h"

struct cli_sink {
  const char *path; /* NULL: stdout; not owned */
  FILE *fp;         /* NULL until the first write */
  int failed;       /* opening or writing failed; `why` says how */
  char why[320];
};

/* Prepares a sink for `path` (NULL for stdout). Opens nothing yet. */
void cli_sink_init(struct cli_sink *sink, const char *path);

/* An httpr_write_cb: writes len bytes; returns 0, or 1 after a failure
 * (which makes the library abort with HTTPR_E_WRITE). */
int cli_sink_write(const void *data, size_t len, void *sink);

/* The -i/-I head: "HTTP/1.1 200 OK\r\n", each "Name: value\r\n", then
 * "\r\n". Returns 0 or 1 as cli_sink_write. */
int cli_sink_write_head(struct cli_sink *sink, const httpr_response *resp);

/* Ends the sink: with `complete` an -o file that got no byte is created
 * empty (as curl does); the file is closed, stdout flushed. Returns 0, or
 * 1 when this or an earlier write failed. */
int cli_sink_finish(struct cli_sink *sink, int complete);

#endif /* HTTPR_TOOLS_CLI_OUTPUT_H */
