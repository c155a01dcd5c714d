/* SPDX-License-Identifier: MIT */
/*
 * job.c - one request as a state machine (see job.h): the hops of its
 * redirects (redirect.c), each on a connection from the pool or a new
 * one, the exchange in the protocol the connection speaks, and once more
 * on a new connection when a reused one was lost before any answer and
 * the request may be sent twice.
 */
#include "api/job.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "api/checkout.h"
#include "api/h2_exchange.h"
#include "api/proxy_route.h"

/* ---- ending -------------------------------------------------------------- */

/* The job ends with rc (err already filled when rc is a failure). */
static void job_end(struct hr_job *j, httpr_code rc) {
  j->rc = rc;
  j->err.code = rc;
  j->phase = HR_JOB_DONE;
}

static void reset_response(httpr_response *resp) {
  hr_headers_free(&resp->headers);
  hr_buf_reset(&resp->body);
  resp->body_bytes = 0;
  resp->status = 0;
}

static void begin_hop(struct hr_job *j);
static void checkout(struct hr_job *j);

/* An HTTP/2 server reset the stream with HTTP_1_1_REQUIRED: the request
 * goes again, once, on a new connection offering HTTP/1.1 alone, as curl
 * does. Its pool key is the origin's with a suffix, so HTTP/2 requests
 * never share that connection and its TLS session stays with the
 * context that made it. */
static void again_over_http1(struct hr_job *j) {
  size_t len = strlen(j->key);
  static const char suffix[] = "|http/1.1";
  if (len + sizeof(suffix) > sizeof(j->key)) {
    job_end(j, hr_fail(&j->err, HTTPR_E_URL, "host name too long"));
    return;
  }
  memcpy(j->key + len, suffix, sizeof(suffix));
  hr_debugf(&j->x.debug, "The server asked for HTTP/1.1 (HTTP_1_1_REQUIRED); "
                         "retrying on a new HTTP/1.1 connection");
  reset_response(j->t.resp);
  j->x.http1_only = 1;
  j->x.http1_required = 0;
  j->attempt = 1;
  checkout(j);
}

/* The exchange on the hop's connection ended with rc: the next hop, a
 * second attempt, or the end. */
static void exchange_ended(struct hr_job *j, httpr_code rc, int retry) {
  struct hr_transfer *t = &j->t;
  j->x.pc = NULL;
  j->x.conn = NULL;
  if (rc != HTTPR_OK && j->x.http1_required && j->may_retry &&
      !j->x.http1_only && j->attempt == 0 &&
      j->client->cfg.http_policy != HTTPR_HTTP2_ONLY) {
    again_over_http1(j);
    return;
  }
  if (rc != HTTPR_OK) {
    if (!retry || !j->may_retry || j->attempt > 0) {
      job_end(j, rc);
      return;
    }
    hr_debugf(&j->x.debug, "The request was not answered on that connection; "
                           "retrying on a new connection");
    reset_response(t->resp);
    j->attempt = 1;
    checkout(j);
    return;
  }
  if (!t->redirect) {
    job_end(j, hr_hop_finish(t->resp, &j->hop, &j->err));
    return;
  }
  if (j->hops == j->client->cfg.max_redirects) {
    job_end(j, hr_fail(&j->err, HTTPR_E_REDIRECT_LIMIT,
                       "maximum (%d) redirects followed",
                       j->client->cfg.max_redirects));
    return;
  }
  if ((rc = hr_hop_follow(&j->hop, t->resp, &j->err)) != HTTPR_OK) {
    job_end(j, rc);
    return;
  }
  t->resp->redirects++;
  j->hops++;
  begin_hop(j);
}

/* ---- the exchange -------------------------------------------------------- */

static void h2_step(struct hr_job *j) {
  httpr_code rc;
  int retry = 0;
  if (!hr_h2_exchange_end(&j->x, j->stream, j->reused, &rc, &retry, &j->err))
    return;
  j->stream = NULL;
  exchange_ended(j, rc, retry);
}

static void h1_step(struct hr_job *j) {
  httpr_code rc = hr_h1_step(&j->x, &j->h1, &j->err);
  if (rc == HTTPR_OK && j->h1.phase != HR_H1_DONE)
    return;
  int retry = hr_h1_end(&j->x, &j->h1, j->reused, rc);
  exchange_ended(j, rc, retry);
}

/* The connection is the hop's: run the exchange in its protocol. */
static void start_exchange(struct hr_job *j) {
  struct hr_exchange *x = &j->x;
  hr_exchange_record_connection(x, j->reused);
  hr_exchange_start_bounds(&x->bounds, j->client, &j->t);
  x->bytes_in = 0;
  if (x->pc->h2) {
    int retry = 0;
    httpr_code rc = hr_h2_exchange_begin(x, j->h2_owner, &j->h2rq, &j->stream,
                                         &retry, &j->err);
    if (rc != HTTPR_OK) {
      j->stream = NULL;
      exchange_ended(j, rc, retry);
      return;
    }
    j->phase = HR_JOB_H2;
    return;
  }
  httpr_code rc = hr_h1_begin(x, &j->h1, &j->err);
  if (rc != HTTPR_OK) {
    exchange_ended(j, rc, hr_h1_end(x, &j->h1, j->reused, rc));
    return;
  }
  j->phase = HR_JOB_H1;
  h1_step(j); /* the request goes out now */
}

/* ---- the connection ------------------------------------------------------ */

static void opener_ended(struct hr_job *j, httpr_code rc) {
  hr_checkout_open_ended(&j->x, j->key, j->session, rc, &j->opener.times);
  j->session = NULL;
  if (rc != HTTPR_OK) {
    hr_pool_cancel(j->client->pool, j->key);
    job_end(j, rc);
    return;
  }
  rc = hr_checkout_adopt(&j->x, j->key, hr_opener_take(&j->opener), &j->err);
  if (rc != HTTPR_OK) {
    job_end(j, rc);
    return;
  }
  start_exchange(j);
}

static void open_connection(struct hr_job *j) {
  struct hr_connect_params p;
  httpr_code rc = hr_checkout_params(&j->x, j->key, j->connect_deadline, &p,
                                     &j->session, &j->err);
  if (rc != HTTPR_OK) {
    hr_pool_cancel(j->client->pool, j->key);
    job_end(j, rc);
    return;
  }
  j->phase = HR_JOB_OPENING;
  rc = hr_opener_start(&j->opener, &p, &j->err);
  if (rc != HTTPR_OK || j->opener.phase == HR_OPEN_DONE)
    opener_ended(j, rc);
}

/* One try at the pool: a connection, a slot for a new one, or wait. */
static void try_pool(struct hr_job *j) {
  struct hr_exchange *x = &j->x;
  unsigned flags = j->t.url->https && !j->x.http1_only &&
                           j->client->cfg.http_policy != HTTPR_HTTP1_ONLY
                       ? HR_POOL_SHARE
                       : 0;
  if (j->attempt)
    flags |= HR_POOL_FRESH;
  if (j->req->fresh_connection)
    flags = HR_POOL_FRESH; /* nothing the pool has, shared or idle */
  int busy = 0;
  httpr_code rc = hr_pool_try_acquire(j->client->pool, j->key, flags, &x->pc,
                                      &busy, &j->err);
  if (rc != HTTPR_OK) {
    job_end(j, rc);
    return;
  }
  if (busy) {
    j->phase = HR_JOB_WAITING;
    return;
  }
  j->reused = x->pc != NULL;
  if (!j->reused) {
    open_connection(j);
    return;
  }
  x->conn = x->pc->conn;
  hr_debugf(&x->debug, "Re-using existing connection to %s port %d",
            j->t.url->host, j->t.url->port);
  start_exchange(j);
}

/* Waiting for the pool, like connecting, counts against the connect
 * timeout (or the total one when it ends first). */
static int64_t connect_wait_end(const struct hr_job *j) {
  return hr_deadline_min(j->connect_deadline, j->t.deadline);
}

static void checkout(struct hr_job *j) {
  j->connect_deadline = hr_deadline_in(j->client->cfg.connect_timeout_ms);
  try_pool(j);
}

static void waiting_step(struct hr_job *j, int64_t now) {
  if (now >= connect_wait_end(j)) {
    const struct httpr_config *cfg = &j->client->cfg;
    long wait_ms = connect_wait_end(j) == j->connect_deadline
                       ? cfg->connect_timeout_ms
                       : cfg->total_timeout_ms;
    job_end(j, hr_pool_no_slot(j->client->pool, j->key, wait_ms, &j->err));
    return;
  }
  try_pool(j);
}

/* ---- hops ---------------------------------------------------------------- */

/* The hop's pool key: its origin's, after the proxy's name when it goes
 * through one, so that proxied and direct connections are never shared
 * and each proxy has its own. 0, or -1 when too long. */
static int pool_key(struct hr_job *j, const struct hr_proxy *proxy) {
  const struct hr_url *u = &j->hop.url;
  char *at = j->key;
  size_t cap = sizeof(j->key);
  if (proxy) {
    if (hr_proxy_name(proxy, at, cap - 1) != 0)
      return -1;
    size_t len = strlen(at);
    at[len] = ' ';
    at += len + 1;
    cap -= len + 1;
  }
  return hr_pool_key(at, cap, u->https, u->host, u->port);
}

static void begin_hop(struct hr_job *j) {
  const struct httpr_config *cfg = &j->client->cfg;
  struct hr_transfer *t = &j->t;
  struct hr_hop *hop = &j->hop;
  if (!hop->url.https && cfg->https_only) {
    job_end(j, hr_fail(&j->err, HTTPR_E_UNSUPPORTED_PROTOCOL,
                       "http:// refused: only https is allowed"));
    return;
  }
  t->method = hop->method;
  t->url = &hop->url;
  t->headers = &hop->headers;
  t->send_body = hop->send_body;
  t->redirect = 0;
  reset_response(t->resp);
  const struct hr_proxy *proxy = NULL;
  const struct hr_debug debug = {cfg->debug_cb, cfg->debug_ud};
  hr_proxy_route_for(j->client->proxies, &hop->url, &debug, &proxy);
  if (pool_key(j, proxy) != 0) {
    job_end(j, hr_fail(&j->err, HTTPR_E_URL, "host name too long"));
    return;
  }
  if (!hop->url.https && cfg->http_policy == HTTPR_HTTP2_ONLY) {
    hr_fail(&j->err, HTTPR_E_PROTOCOL,
            "HTTP/2 is required but http:// URLs use HTTP/1.1 (h2c is not "
            "supported)");
    j->err.http2 = 1;
    job_end(j, HTTPR_E_PROTOCOL);
    return;
  }
  int replayable = !(t->send_body && t->req->read_cb);
  j->may_retry = replayable && hr_method_idempotent(t->method);
  j->attempt = 0;
  hr_exchange_init(&j->x, j->client, t);
  j->x.proxy = proxy;
  j->x.cancelled = &j->slot.cancel_asked;
  checkout(j);
}

/* The first hop of a job made by hr_job_init. */
static void begin(struct hr_job *j) {
  const struct httpr_config *cfg = &j->client->cfg;
  httpr_code rc = hr_hop_init(&j->hop, j->req, &j->err);
  if (rc != HTTPR_OK) {
    job_end(j, rc);
    return;
  }
  httpr_response *resp = calloc(1, sizeof(*resp));
  if (!resp) {
    job_end(j, hr_nomem(&j->err));
    return;
  }
  j->t = (struct hr_transfer){
      .req = j->req,
      .follow = cfg->max_redirects > 0,
      .deadline = hr_deadline_in(cfg->total_timeout_ms),
      .t0 = hr_now_s(),
      .resp = resp,
  };
  begin_hop(j);
}

void hr_job_start(struct hr_job *j, httpr_client *client,
                  const httpr_request *req, struct hr_h2_owner *owner) {
  hr_job_init(j, client, req, owner);
  begin(j);
}

void hr_job_init(struct hr_job *j, httpr_client *client,
                 const httpr_request *req, struct hr_h2_owner *owner) {
  memset(j, 0, offsetof(struct hr_job, opener));
  j->err.code = HTTPR_OK;
  j->err.message[0] = j->err.detail[0] = j->err.hint[0] = '\0';
  j->err.http2 = 0;
  j->client = client;
  j->req = req;
  j->h2_owner = owner;
  j->phase = HR_JOB_NEW;
}

/* ---- the owner's side ---------------------------------------------------- */

size_t hr_job_pollfds(const struct hr_job *j, struct pollfd *out,
                      int64_t *wake_at) {
  switch (j->phase) {
  case HR_JOB_NEW:
    *wake_at = 0; /* starts at once */
    return 0;
  case HR_JOB_WAITING:
    *wake_at = hr_deadline_min(*wake_at, connect_wait_end(j));
    return 0;
  case HR_JOB_OPENING: {
    int64_t at = HR_NO_DEADLINE;
    size_t n = hr_opener_pollfds(&j->opener, out, &at);
    *wake_at = hr_deadline_min(*wake_at, at);
    return n;
  }
  case HR_JOB_H1:
    out->fd = j->x.conn->fd;
    out->events = hr_h1_want(&j->x, &j->h1, wake_at);
    out->revents = 0;
    return 1;
  case HR_JOB_H2:
    return 0; /* its connection's, listed by the owner (hr_h2_want) */
  case HR_JOB_DONE:
    break;
  }
  *wake_at = 0; /* done: its owner should look now */
  return 0;
}

void hr_job_step(struct hr_job *j, const struct pollfd *ready, size_t n,
                 int64_t now) {
  switch (j->phase) {
  case HR_JOB_NEW:
    begin(j);
    break;
  case HR_JOB_WAITING:
    waiting_step(j, now);
    break;
  case HR_JOB_OPENING: {
    httpr_code rc = hr_opener_step(&j->opener, ready, n, now, &j->err);
    if (rc != HTTPR_OK || j->opener.phase == HR_OPEN_DONE)
      opener_ended(j, rc);
    break;
  }
  case HR_JOB_H1:
    h1_step(j);
    break;
  case HR_JOB_H2:
    h2_step(j);
    break;
  case HR_JOB_DONE:
    break;
  }
}

httpr_code hr_job_finish(struct hr_job *j, httpr_response **out,
                         httpr_error *err) {
  httpr_code rc = j->rc;
  httpr_response *resp = j->t.resp;
  j->t.resp = NULL;
  hr_hop_free(&j->hop);
  if (rc == HTTPR_OK) {
    *out = resp;
  } else {
    httpr_response_free(resp);
    if (err)
      *err = j->err;
  }
  return rc;
}

void hr_job_cancel(struct hr_job *j, httpr_code rc, const char *message) {
  switch (j->phase) {
  case HR_JOB_OPENING:
    hr_opener_abort(&j->opener);
    /* Given up, not failed: the saved session stays offered. */
    hr_checkout_open_ended(&j->x, j->key, j->session, HTTPR_OK,
                           &j->opener.times);
    j->session = NULL;
    hr_pool_cancel(j->client->pool, j->key);
    break;
  case HR_JOB_H1:
    hr_h1_end(&j->x, &j->h1, j->reused, rc);
    break;
  case HR_JOB_H2:
    hr_h2_exchange_abort(&j->x, j->stream);
    j->stream = NULL;
    break;
  case HR_JOB_NEW:
  case HR_JOB_WAITING:
  case HR_JOB_DONE: /* ended, its result not handed over: dropped */
    break;
  }
  job_end(j, hr_fail(&j->err, rc, "%s", message));
}
