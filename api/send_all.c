/*
 * send_all.c - many requests at once.
 *
 * When the first request finds an HTTP/2 origin, the requests to that
 * origin that can go as plain streams (idempotent, no body callback) are
 * run by the calling thread alone as streams of its one connection, up to
 * `parallel` in flight: no thread per request, no handing the connection
 * between threads (hr_client_send_batch).
 *
 * Everything else (other origins, HTTP/1.1, redirects to follow, requests
 * to send again) goes to a few worker threads that take the next request
 * in turn and send it with httpr_client_send: to an HTTP/1.1 origin they
 * spread over its connections up to the per-origin limit, to an HTTP/2
 * origin they share its connection. Each request keeps its own response,
 * code and error.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "api/transfer.h"

#define DEFAULT_PARALLEL 50 /* curl's --parallel-max default */

struct batch {
  httpr_client *client;
  const httpr_request *const *reqs;
  httpr_response **out;
  httpr_code *codes;
  httpr_error *const *errs;
  const size_t *todo; /* indexes of the requests the workers send */
  size_t n_todo;
  pthread_mutex_t lock;
  size_t next; /* in todo */
};

static int take_next(struct batch *b, size_t *i) {
  pthread_mutex_lock(&b->lock);
  int more = b->next < b->n_todo;
  if (more)
    *i = b->todo[b->next++];
  pthread_mutex_unlock(&b->lock);
  return more;
}

static void *worker(void *arg) {
  struct batch *b = arg;
  size_t i;
  while (take_next(b, &i)) {
    httpr_error *err = b->errs ? b->errs[i] : NULL;
    b->codes[i] = httpr_client_send(b->client, b->reqs[i], &b->out[i], err);
  }
  return NULL;
}

/* Sends todo[0..n_todo) with up to `workers` threads, the caller's one. */
static void send_by_workers(struct batch *b, size_t workers) {
  if (workers > b->n_todo)
    workers = b->n_todo;
  pthread_t *tids = workers > 1 ? calloc(workers - 1, sizeof(*tids)) : NULL;
  size_t started = 0;
  for (size_t w = 1; tids && w < workers; w++) {
    if (pthread_create(&tids[started], NULL, worker, b) != 0)
      break; /* fewer threads: the requests still all go */
    started++;
  }
  worker(b);
  for (size_t w = 0; w < started; w++)
    pthread_join(tids[w], NULL);
  free(tids);
}

/* A request that can go as a plain stream of a shared connection. */
static int streamable(const httpr_client *client, const httpr_request *req) {
  return req->url.https && client->cfg.http_policy != HTTPR_HTTP1_ONLY &&
         hr_method_idempotent(req->method) && !(req->has_body && req->read_cb);
}

/* After reqs[0] went over HTTP/2: the rest to its origin as streams from
 * this thread. Appends to todo what the workers must still send. */
static void send_streams(httpr_client *client,
                         const httpr_request *const *reqs, size_t n,
                         size_t parallel, httpr_response **out,
                         httpr_code *codes, httpr_error *const *errs,
                         size_t *todo, size_t *n_todo) {
  char key[512];
  size_t *idx = calloc(n, sizeof(*idx));
  unsigned char *again = calloc(n, 1);
  size_t m = 0;
  int keyed = hr_pool_key(key, sizeof(key), 1, reqs[0]->url.host,
                          reqs[0]->url.port) == 0;
  for (size_t i = 1; i < n; i++) {
    if (idx && again && keyed && streamable(client, reqs[i]) &&
        hr_url_same_origin(&reqs[i]->url, &reqs[0]->url))
      idx[m++] = i;
    else
      todo[(*n_todo)++] = i;
  }
  if (m)
    hr_client_send_batch(client, key, reqs, idx, m, parallel, out, codes, errs,
                         again);
  for (size_t k = 0; k < m; k++) {
    if (again[k])
      todo[(*n_todo)++] = idx[k];
  }
  free(idx);
  free(again);
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
  size_t *todo = calloc(n ? n : 1, sizeof(*todo));
  if (!todo)
    return HTTPR_E_NOMEM;
  size_t workers = parallel ? parallel : DEFAULT_PARALLEL, n_todo = 0;
  if (n > 1 && workers > 1 && streamable(client, reqs[0])) {
    /* The first request opens the connection and shows its version. */
    codes[0] = httpr_client_send(client, reqs[0], &out[0],
                                 errs ? errs[0] : NULL);
    if (codes[0] == HTTPR_OK &&
        httpr_response_http_version(out[0]) == HTTPR_HTTP_2) {
      send_streams(client, reqs, n, workers, out, codes, errs, todo, &n_todo);
    } else {
      for (size_t i = 1; i < n; i++)
        todo[n_todo++] = i;
    }
  } else {
    for (size_t i = 0; i < n; i++)
      todo[n_todo++] = i;
  }
  struct batch b = {client, reqs, out, codes, errs, todo, n_todo, .next = 0};
  pthread_mutex_init(&b.lock, NULL);
  send_by_workers(&b, workers);
  pthread_mutex_destroy(&b.lock);
  free(todo);
  for (size_t i = 0; i < n; i++) {
    if (codes[i] != HTTPR_OK)
      return codes[i];
  }
  return HTTPR_OK;
}
