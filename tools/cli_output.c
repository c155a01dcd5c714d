/* SPDX-License-Identifier: MIT */
/*
 * cli_output.c - the body sink (stdout or an -o file) and the -i/-I head.
 */
#include <errno.h>
#include <string.h>

#include "cli_output.h"

static const char *target_name(const struct cli_sink *s) {
  return s->path ? s->path : "stdout";
}

static int fail(struct cli_sink *s, const char *what, int e) {
  if (!s->failed) {
    s->failed = 1;
    snprintf(s->why, sizeof(s->why), "%s %s%s%s: %s", what, s->path ? "'" : "",
             target_name(s), s->path ? "'" : "", strerror(e ? e : EIO));
  }
  return 1;
}

static int open_target(struct cli_sink *s) {
  if (s->fp)
    return 0;
  if (!s->path) {
    s->fp = stdout;
    return 0;
  }
  s->fp = fopen(s->path, "wb");
  return s->fp ? 0 : fail(s, "cannot open", errno);
}

void cli_sink_init(struct cli_sink *sink, const char *path) {
  memset(sink, 0, sizeof(*sink));
  sink->path = path;
}

int cli_sink_write(const void *data, size_t len, void *userdata) {
  struct cli_sink *s = userdata;
  if (s->failed || open_target(s))
    return 1;
  if (len && fwrite(data, 1, len, s->fp) != len)
    return fail(s, "cannot write to", errno);
  return 0;
}

static const char *version_text(httpr_http_version v) {
  switch (v) {
  case HTTPR_HTTP_1_0:
    return "HTTP/1.0";
  case HTTPR_HTTP_2:
    return "HTTP/2";
  case HTTPR_HTTP_1_1:
  default:
    return "HTTP/1.1";
  }
}

static int write_text(struct cli_sink *s, const char *text) {
  return cli_sink_write(text, strlen(text), s);
}

int cli_sink_write_head(struct cli_sink *sink, const httpr_response *resp) {
  char status[64];
  size_t n = httpr_response_header_count(resp);
  /* curl prints "HTTP/2 200 " with the space even when there is no
   * reason phrase; doing the same keeps scripts that cut fields working. */
  snprintf(status, sizeof(status), "%s %03d ",
           version_text(httpr_response_http_version(resp)),
           httpr_response_status(resp));
  if (write_text(sink, status) ||
      write_text(sink, httpr_response_reason(resp)) || write_text(sink, "\r\n"))
    return 1;
  for (size_t i = 0; i < n; i++) {
    const char *name, *value;
    if (httpr_response_header_at(resp, i, &name, &value) != HTTPR_OK)
      continue;
    if (write_text(sink, name) || write_text(sink, ": ") ||
        write_text(sink, value) || write_text(sink, "\r\n"))
      return 1;
  }
  return write_text(sink, "\r\n");
}

int cli_sink_finish(struct cli_sink *sink, int complete) {
  if (complete && !sink->failed)
    open_target(sink);
  if (!sink->fp)
    return sink->failed;
  if (sink->fp == stdout) {
    if (fflush(stdout) != 0 || ferror(stdout))
      fail(sink, "cannot write to", errno);
    clearerr(stdout); /* the next URL's failure must be its own */
  } else {
    if (ferror(sink->fp))
      fail(sink, "cannot write to", errno);
    if (fclose(sink->fp) != 0)
      fail(sink, "cannot write to", errno);
  }
  sink->fp = NULL;
  return sink->failed;
}
