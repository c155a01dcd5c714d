/* SPDX-License-Identifier: MIT */
/*
 * h2_exchange.c - requests as streams of the connection's HTTP/2 session
 * (protocol/h2.c runs the session): the debug lines of the request, the
 * stream's inputs from the hop, the outcome (whether a retry elsewhere is
 * safe) and the connection back to the pool, still shared: one request as
 * a stream of an engine's owner, stepped by the engine, or a batch run
 * from the calling thread.
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
 * before any answer, may go again elsewhere. */
static int may_retry(const struct hr_h2_outcome *oc, int reused,
                     httpr_code rc) {
  return oc->refused || (reused && oc->bytes_in == 0 &&
                         (rc == HTTPR_E_SEND || rc == HTTPR_E_RECV));
}

httpr_code hr_h2_exchange_begin(struct hr_exchange *x,
                                struct hr_h2_owner *owner,
                                struct hr_h2_request *rq,
                                struct hr_h2_stream **out, httpr_error *err) {
  const struct hr_transfer *t = x->t;
  *rq = h2_request_of(t);
  debug_h2_request(x);
  t->resp->times[HTTPR_TIME_PRETRANSFER] = hr_transfer_since(t);
  *out = hr_h2_stream_start(x->pc->h2, owner, rq, &hr_exchange_callbacks, x,
                            &x->bounds, err);
  if (*out)
    return HTTPR_OK;
  err->http2 = 1;
  release(x);
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
  return 1;
}

void hr_h2_exchange_abort(struct hr_exchange *x, struct hr_h2_stream *s) {
  hr_h2_stream_free(x->pc->h2, s);
  release(x);
}

void hr_h2_exchange_batch(httpr_client *client, struct hr_pool_conn *pc,
                          struct hr_batch_item *items, size_t n,
                          size_t window) {
  struct hr_h2_job *jobs = calloc(n, sizeof(*jobs));
  size_t m = 0; /* jobs, one per item that runs, in order */
  for (size_t i = 0; jobs && i < n; i++) {
    struct hr_batch_item *it = &items[i];
    struct hr_transfer *t = &it->t;
    if (!t->resp)
      continue;
    struct hr_exchange *x = &it->x;
    hr_exchange_init(x, client, t);
    x->pc = pc;
    x->conn = pc->conn;
    hr_exchange_record_connection(x, 1);
    debug_h2_request(x);
    t->resp->times[HTTPR_TIME_PRETRANSFER] = hr_transfer_since(t);
    struct hr_h2_job *job = &jobs[m++];
    job->rq = h2_request_of(t);
    job->cb = &hr_exchange_callbacks;
    job->ud = x;
    hr_exchange_start_bounds(&job->bounds, client, t);
  }
  if (jobs)
    hr_h2_run_jobs(pc->h2, jobs, m, window);
  m = 0;
  for (size_t i = 0; i < n; i++) {
    struct hr_batch_item *it = &items[i];
    if (!it->t.resp)
      continue;
    if (!jobs) {
      it->rc = hr_nomem(&it->err);
      it->retry = 1; /* the ordinary way may still have the memory */
      continue;
    }
    struct hr_h2_job *job = &jobs[m++];
    it->rc = job->rc;
    it->err = job->err;
    if (it->rc == HTTPR_OK) {
      it->t.resp->times[HTTPR_TIME_TOTAL] = hr_transfer_since(&it->t);
      continue;
    }
    it->err.http2 = 1;
    it->retry = may_retry(&job->out, 1, it->rc);
  }
  hr_pool_release(client->pool, pc, hr_h2_accepting(pc->h2));
  free(jobs);
}
