/* SPDX-License-Identifier: MIT */
/*
 * h2_exchange.c - requests as streams of the connection's HTTP/2 session
 * (protocol/h2.c runs the session): the debug lines of the request, the
 * stream's inputs from the hop, the outcome (whether a retry elsewhere is
 * safe) and the connection back to the pool, still shared. Each request
 * is a stream of its engine's owner, moved by the engine's turns.
 */
#include "api/h2_exchange.h"

#include <stdlib.h>

#include "common/fd_release.h"

static void debug_h2_request(struct hr_exchange *x) {
  if (!x->debug.fn)
    return;
  const struct hr_transfer *t = x->t;
  struct hr_buf text = {0};
  int bad =
      hr_buf_appendf(&text, "%s %s HTTP/2\r\n", t->method, t->url->target);
  for (size_t i = 0; !bad && t->headers && i < t->headers->count; i++)
    bad = hr_buf_appendf(&text, "%s: %s\r\n", t->headers->v[i].name,
                         t->headers->v[i].value);
  if (!bad && !hr_buf_append(&text, "\r\n", 2))
    hr_exchange_debug(x, HTTPR_DEBUG_HEADER_OUT, text.data, text.len);
  hr_buf_free(&text);
}

static struct hr_h2_request h2_request_of(const struct hr_transfer *t) {
  const httpr_request *req = t->req;
  int has_body = t->send_body && req->has_body;
  struct hr_h2_request rq = {
      .method = t->method,
      .url = t->url,
      .headers = t->headers,
      .has_body = has_body,
      .body = req->body,
      .body_len = req->body_len,
      .read_cb = has_body ? req->read_cb : NULL,
      .read_ud = req->read_ud,
      .read_len = req->read_len,
  };
  return rq;
}

/* The exchange is done with its stream: its owner's loop stops watching
 * the connection for it (common/fd_release.h), then the pool gets it
 * back, still shared unless it broke or had a GOAWAY. */
static void release(struct hr_exchange *x) {
  hr_fd_release(x->conn->fd);
  hr_pool_release(x->client->pool, x->pc, hr_h2_accepting(x->pc->h2));
  x->pc = NULL;
  x->conn = NULL;
}

/* A stream the server never processed, or one lost with its connection
 * before any answer, may go again elsewhere; but not one that a new
 * connection's own failure kept from being sent (a refused client
 * certificate, say): a second connection would fail alike. */
static int may_retry(const struct hr_h2_outcome *oc, int reused,
                     httpr_code rc) {
  if (oc->refused)
    return reused || rc == HTTPR_E_PROTOCOL;
  return reused && oc->bytes_in == 0 &&
         (rc == HTTPR_E_SEND || rc == HTTPR_E_RECV);
}

httpr_code hr_h2_exchange_begin(struct hr_exchange *x,
                                struct hr_h2_owner *owner,
                                struct hr_h2_request *rq,
                                struct hr_h2_stream **out, int *retry,
                                httpr_error *err) {
  const struct hr_transfer *t = x->t;
  *rq = h2_request_of(t);
  debug_h2_request(x);
  t->resp->times[HTTPR_TIME_PRETRANSFER] = hr_transfer_since(t);
  int refused = 0;
  *out = hr_h2_stream_start(x->pc->h2, owner, rq, &hr_exchange_callbacks, x,
                            &x->bounds, err, &refused);
  if (*out)
    return HTTPR_OK;
  err->http2 = 1;
  release(x);
  *retry = refused;
  return err->code;
}

int hr_h2_exchange_end(struct hr_exchange *x, struct hr_h2_stream *s,
                       int reused, httpr_code *rc, int *retry,
                       httpr_error *err) {
  struct hr_h2_outcome oc = {0};
  if (!hr_h2_stream_done(s, rc, &oc, err))
    return 0;
  x->bytes_in = oc.bytes_in;
  if (*rc == HTTPR_OK)
    x->t->resp->times[HTTPR_TIME_TOTAL] = hr_transfer_since(x->t);
  else
    err->http2 = 1;
  hr_h2_stream_free(x->pc->h2, s);
  release(x);
  *retry = may_retry(&oc, reused, *rc);
  x->http1_required = oc.http1_required;
  return 1;
}

void hr_h2_exchange_abort(struct hr_exchange *x, struct hr_h2_stream *s) {
  hr_h2_stream_free(x->pc->h2, s);
  release(x);
}
