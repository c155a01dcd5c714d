/* SPDX-License-Identifier: MIT */
/*
 * cli_transfer.c - the URLs of a run: request, response, output, -w,
 * error line, and the serial scheduler.
 *
 * The body is streamed to its sink while the request runs, except with -i:
 * the head must come before the body and the API hands out the head only
 * when the request is done, so -i buffers the body in the response.
 */
#include <string.h>

#include "cli_transfer.h"
#include "cli_exit.h"
#include "cli_output.h"
#include "cli_verbose.h"
#include "cli_writeout_fill.h"

/* How a transfer ended, for the error line and -w. */
struct outcome {
  httpr_code code; /* the library's result */
  int exit_code;
  const char *message;
  const char *hint;
  const char *detail;
};

httpr_code cli_build_request(const struct cli_options *o, const char *url,
                             httpr_request **out, httpr_error *err) {
  httpr_request *req;
  httpr_code code = httpr_request_new(out, cli_effective_method(o), url, err);
  if (code != HTTPR_OK)
    return code;
  req = *out;
  for (size_t i = 0; i < o->header_count && code == HTTPR_OK; i++)
    code = httpr_request_add_header(req, o->headers[i].name,
                                    o->headers[i].value, err);
  if (code != HTTPR_OK || !o->has_data)
    return code;
  /* curl labels -d data as a form unless the user names the type. */
  if (!cli_has_header(o, "Content-Type"))
    code = httpr_request_add_header(req, "Content-Type",
                                    "application/x-www-form-urlencoded", err);
  if (code == HTTPR_OK)
    code = httpr_request_set_body(req, o->data, o->data_len);
  return code;
}

/* curl -L --max-redirs 0 fails on a redirect with exit 47; the library
 * has no "follow zero hops" (0 means "do not follow"), so it is checked
 * here on the response. */
static int redirect_refused(const struct cli_options *o,
                            const httpr_response *resp) {
  int s = httpr_response_status(resp);
  if (!o->follow || o->max_redirs != 0)
    return 0;
  if (s != 301 && s != 302 && s != 303 && s != 307 && s != 308)
    return 0;
  return httpr_response_header(resp, "Location", 0) != NULL;
}

/* Writes what a successful send produced; returns 0 or 1 (sink failed). */
static int write_response(const struct cli_options *o, struct cli_sink *sink,
                          const httpr_response *resp, int buffered) {
  if ((o->include || o->head) && cli_sink_write_head(sink, resp))
    return 1;
  if (buffered) {
    size_t len;
    const unsigned char *body = httpr_response_body(resp, &len);
    if (cli_sink_write(body, len, sink))
      return 1;
  }
  return 0;
}

static void library_failure(struct outcome *out, const struct cli_options *o,
                            httpr_code code, const httpr_error *err) {
  out->code = code;
  /* An HTTP/2 failure is curl's 16 ("h2 required but not negotiated"
   * included; with --http2-only every protocol failure is one), an
   * HTTP/1.x one 8. */
  out->exit_code = cli_exit_code_http(
      code, o->http_version == CLI_HTTP2_ONLY || httpr_error_is_http2(err));
  /* A setter fails without filling err; its code still says what. */
  if (httpr_error_code(err) == HTTPR_OK) {
    out->message = httpr_code_description(code);
    return;
  }
  out->message = httpr_error_message(err);
  out->hint = httpr_error_hint(err);
  out->detail = httpr_error_detail(err);
}

void cli_xfer_start(struct cli_xfer *x, const struct cli_options *o,
                    size_t index) {
  memset(x, 0, sizeof(*x));
  x->index = index;
  x->url = o->urls[index];
  cli_sink_init(&x->sink, cli_output_for(o, index));
  x->buffered = !o->head && (o->include || (o->parallel && !x->sink.path));
  if (!(x->err = httpr_error_new())) {
    x->code = HTTPR_E_NOMEM;
    return;
  }
  x->code = cli_build_request(o, x->url, &x->req, x->err);
  if (x->code == HTTPR_OK && !x->buffered)
    x->code = httpr_request_set_body_sink(x->req, cli_sink_write, &x->sink);
}

void cli_xfer_perform(struct cli_xfer *x, httpr_client *client) {
  if (x->code == HTTPR_OK)
    x->code = httpr_client_send(client, x->req, &x->resp, x->err);
}

int cli_xfer_finish(struct cli_xfer *x, struct cli_run *run) {
  const struct cli_options *o = run->opts;
  const struct cli_noise noise = {o->silent, o->show_error, o->verbose};
  struct outcome out = {HTTPR_OK, CLI_EXIT_OK, "", "", ""};

  if (x->code == HTTPR_OK && redirect_refused(o, x->resp)) {
    out.exit_code = cli_exit_code(HTTPR_E_REDIRECT_LIMIT);
    out.message = "maximum (0) redirects followed";
  } else if (x->code == HTTPR_OK) {
    write_response(o, &x->sink, x->resp, x->buffered);
    if (o->verbose)
      cli_verbose_summary(stderr, x->resp);
  }
  /* A failed write outranks the library's HTTPR_E_WRITE: it says why. */
  if (cli_sink_finish(&x->sink, x->code == HTTPR_OK)) {
    out.exit_code = CLI_EXIT_WRITE;
    out.message = x->sink.why;
  } else if (x->code != HTTPR_OK) {
    library_failure(&out, o, x->code, x->err);
  }

  if (o->write_out) {
    struct cli_wo_values v;
    cli_writeout_fill(&v, x->url, x->resp, x->code, out.exit_code, out.message);
    if (cli_writeout(o->write_out, &v, stdout, stderr, &run->writeout) &&
        out.exit_code == CLI_EXIT_OK) {
      out.exit_code = CLI_EXIT_WRITE;
      out.message = "cannot write the --write-out output";
    }
  }
  if (out.exit_code != CLI_EXIT_OK)
    cli_print_failure(stderr, &noise, out.exit_code, out.message, out.hint,
                      out.detail);
  httpr_response_free(x->resp);
  httpr_request_free(x->req);
  httpr_error_free(x->err);
  x->resp = NULL;
  x->req = NULL;
  x->err = NULL;
  return out.exit_code;
}

int cli_run_serial(struct cli_run *run) {
  int rc = CLI_EXIT_OK;
  for (size_t i = 0; i < run->opts->url_count; i++) {
    struct cli_xfer x;
    int one;
    cli_xfer_start(&x, run->opts, i);
    cli_xfer_perform(&x, run->client);
    one = cli_xfer_finish(&x, run);
    rc = cli_exit_combine(rc, one);
    if (cli_exit_is_fatal(one))
      break;
  }
  return rc;
}
