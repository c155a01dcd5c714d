/* SPDX-License-Identifier: MIT */
/*
 * batch.c - httpr_client_send_all: many requests at once.
 *
 * When the first request finds an HTTP/2 origin, the requests to that
 * origin that can go as plain streams (idempotent, no body callback) are
 * run by the calling thread alone as streams of its one connection, up to
 * `parallel` in flight: no thread per request, no handing the connection
 * between threads (hr_h2_exchange_batch).
 *
 * Everything else (other origins, HTTP/1.1, redirects to follow, requests
 * to send again) runs as jobs of one engine on the calling thread, up to
 * `parallel` at once, a finished one replaced at once: to an HTTP/1.1
 * origin they spread over its connections up to the per-origin limit
 * (the others wait for the pool), to an HTTP/2 origin they share its
 * connection. Each request keeps its own response, code and error.
 */
#include <stdlib.h>
#include <string.h>

#include "api/engine.h"
#include "api/h2_exchange.h"

#define DEFAULT_PARALLEL 50 /* curl's --parallel-max default */

/* One call: the caller's arrays, and the requests left for the engine. */
struct batch {
  httpr_client *client;
  const httpr_request *const *reqs;
  size_t n;
  httpr_response **out;
  httpr_code *codes;
  httpr_error *const *errs;
  size_t *todo; /* indexes of the requests the engine sends */
  size_t n_todo;
  size_t next; /* in todo */
  struct hr_engine engine;
};

/* Starts the next request of todo as job j; 0 when none is left. */
static int start_next(struct batch *b, struct hr_job *j) {
  if (b->next >= b->n_todo)
    return 0;
  size_t i = b->todo[b->next++];
  hr_job_start(j, b->client, b->reqs[i], &b->engine.h2_owner);
  j->owner_ud = (void *)i;
  if (hr_engine_add(&b->engine, j) != 0) {
    hr_job_cancel(j, HTTPR_E_NOMEM, "out of memory");
    b->codes[i] = hr_job_finish(j, &b->out[i], b->errs ? b->errs[i] : NULL);
    return start_next(b, j);
  }
  return 1;
}

/* A job ended: its result to the caller, its place to the next. */
static void job_done(struct hr_job *j, void *ud) {
  struct batch *b = ud;
  size_t i = (size_t)j->owner_ud;
  b->codes[i] = hr_job_finish(j, &b->out[i], b->errs ? b->errs[i] : NULL);
  start_next(b, j);
}

/* Sends todo[0..n_todo) as jobs, up to `window` at once. */
static void send_jobs(struct batch *b, size_t window) {
  if (window > b->n_todo)
    window = b->n_todo;
  struct hr_job *jobs = calloc(window ? window : 1, sizeof(*jobs));
  if (!jobs)
    return; /* the codes say out of memory */
  hr_engine_init(&b->engine, job_done, b);
  for (size_t k = 0; k < window; k++)
    start_next(b, &jobs[k]);
  while (hr_engine_running(&b->engine))
    hr_engine_turn(&b->engine, -1);
  hr_engine_clear(&b->engine, HTTPR_E_NOMEM, "out of memory");
  free(jobs);
}

/* A request that can go as a plain stream of a shared connection. */
static int streamable(const httpr_client *client, const httpr_request *req) {
  return req->url.https && client->cfg.http_policy != HTTPR_HTTP1_ONLY &&
         hr_method_idempotent(req->method) &&
         !(req->has_body && req->read_cb) && !req->fresh_connection;
}

/* Puts err where the caller asked for it (errs may be NULL). */
static void give_error(const struct batch *b, size_t i,
                       const httpr_error *err) {
  if (b->errs && b->errs[i])
    *b->errs[i] = *err;
}

/* Readies item it for a stream: its hop and an empty response. 0, or -1
 * (out of memory: it goes the ordinary way). */
static int item_start(struct batch *b, struct hr_batch_item *it,
                      httpr_error *err) {
  const struct httpr_config *cfg = &b->client->cfg;
  const httpr_request *req = b->reqs[it->index];
  httpr_response *resp = calloc(1, sizeof(*resp));
  if (!resp || hr_hop_init(&it->hop, req, err) != HTTPR_OK) {
    free(resp);
    return -1;
  }
  it->t = (struct hr_transfer){
      .method = it->hop.method,
      .url = &it->hop.url,
      .headers = &it->hop.headers,
      .req = req,
      .send_body = it->hop.send_body,
      .follow = cfg->max_redirects > 0,
      .deadline = hr_deadline_in(cfg->total_timeout_ms),
      .t0 = hr_now_s(),
      .resp = resp,
  };
  return 0;
}

/* Gives a streamed item's result to the caller, or marks it to go again
 * the ordinary way. */
static void item_finish(struct batch *b, struct hr_batch_item *it) {
  size_t i = it->index;
  httpr_response *resp = it->t.resp;
  httpr_code rc = it->rc;
  /* A redirect to follow and a request never answered go the ordinary
   * way, which follows and retries (they are idempotent). */
  if ((rc == HTTPR_OK && it->t.redirect) || (rc != HTTPR_OK && it->retry)) {
    it->again = 1;
    httpr_response_free(resp);
  } else if (rc == HTTPR_OK &&
             (rc = hr_hop_finish(resp, &it->hop, &it->err)) == HTTPR_OK) {
    b->out[i] = resp;
    b->codes[i] = HTTPR_OK;
  } else {
    b->codes[i] = rc;
    give_error(b, i, &it->err);
    httpr_response_free(resp);
  }
  hr_hop_free(&it->hop);
}

/* Sends items[0..m) (idempotent https requests without a body callback,
 * all to the origin key) as streams of the client's shared HTTP/2
 * connection to key, from the calling thread, window at a time. Sets
 * `again` on the items still to send the ordinary way: no HTTP/2
 * connection to key now, a redirect to follow, not answered. */
static void send_items(struct batch *b, const char *key,
                       struct hr_batch_item *items, size_t m, size_t window) {
  httpr_client *client = b->client;
  const struct httpr_config *cfg = &client->cfg;
  struct hr_pool_conn *pc = NULL;
  httpr_error err = {0};
  int64_t deadline = hr_deadline_in(cfg->connect_timeout_ms);
  if (hr_pool_acquire(client->pool, key, HR_POOL_SHARE, deadline,
                      cfg->connect_timeout_ms, &pc, &err) != HTTPR_OK ||
      !pc || !pc->h2) {
    /* No shared HTTP/2 connection now: the ordinary way for all. */
    if (pc)
      hr_pool_put(client->pool, pc);
    else if (err.code == HTTPR_OK)
      hr_pool_cancel(client->pool, key);
    for (size_t k = 0; k < m; k++)
      items[k].again = 1;
    return;
  }
  size_t ready = 0;
  for (size_t k = 0; k < m; k++) {
    if (item_start(b, &items[k], &err) != 0)
      items[k].again = 1;
    else
      ready++;
  }
  if (ready)
    hr_h2_exchange_batch(client, pc, items, m, window);
  else
    hr_pool_release(client->pool, pc, 1);
  for (size_t k = 0; k < m; k++) {
    if (items[k].t.resp)
      item_finish(b, &items[k]);
  }
}

/* After reqs[0] went over HTTP/2: the rest to its origin as streams from
 * this thread. Appends to b->todo what the engine must still send. */
static void send_streams(struct batch *b, size_t parallel) {
  const httpr_request *const *reqs = b->reqs;
  char key[512];
  struct hr_batch_item *items = calloc(b->n, sizeof(*items));
  size_t m = 0;
  int keyed = hr_pool_key(key, sizeof(key), 1, reqs[0]->url.host,
                          reqs[0]->url.port) == 0;
  for (size_t i = 1; i < b->n; i++) {
    if (items && keyed && streamable(b->client, reqs[i]) &&
        hr_url_same_origin(&reqs[i]->url, &reqs[0]->url))
      items[m++].index = i;
    else
      b->todo[b->n_todo++] = i;
  }
  if (m)
    send_items(b, key, items, m, parallel);
  for (size_t k = 0; k < m; k++) {
    if (items[k].again)
      b->todo[b->n_todo++] = items[k].index;
  }
  free(items);
}

httpr_code httpr_client_send_all(httpr_client *client,
                                 const httpr_request *const *reqs, size_t n,
                                 size_t parallel, httpr_response **out,
                                 httpr_code *codes, httpr_error *const *errs) {
  if (!client || (n && (!reqs || !out || !codes)))
    return HTTPR_E_INVALID;
  for (size_t i = 0; i < n; i++) {
    if (!reqs[i])
      return HTTPR_E_INVALID;
    out[i] = NULL;
    codes[i] = HTTPR_E_NOMEM; /* until it has been sent */
  }
  struct batch b = {
      .client = client,
      .reqs = reqs,
      .n = n,
      .out = out,
      .codes = codes,
      .errs = errs,
      .todo = calloc(n ? n : 1, sizeof(*b.todo)),
  };
  if (!b.todo)
    return HTTPR_E_NOMEM;
  size_t window = parallel ? parallel : DEFAULT_PARALLEL;
  if (n > 1 && window > 1 && streamable(client, reqs[0])) {
    /* The first request opens the connection and shows its version. */
    codes[0] =
        httpr_client_send(client, reqs[0], &out[0], errs ? errs[0] : NULL);
    if (codes[0] == HTTPR_OK &&
        httpr_response_http_version(out[0]) == HTTPR_HTTP_2) {
      send_streams(&b, window);
    } else {
      for (size_t i = 1; i < n; i++)
        b.todo[b.n_todo++] = i;
    }
  } else {
    for (size_t i = 0; i < n; i++)
      b.todo[b.n_todo++] = i;
  }
  send_jobs(&b, window);
  free(b.todo);
  for (size_t i = 0; i < n; i++) {
    if (codes[i] != HTTPR_OK)
      return codes[i];
  }
  return HTTPR_OK;
}
