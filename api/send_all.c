/*
 * send_all.c - many requests at once: a few worker threads take the next
 * request in turn and send it with httpr_client_send. Concurrency comes
 * from the layers below: requests to an HTTP/2 origin become streams of
 * the one connection the pool shares among threads, requests to an
 * HTTP/1.1 origin spread over its connections up to the per-origin limit.
 * Each request keeps its own response, code and error.
 */
#include <pthread.h>
#include <stdlib.h>

#include "api/internal.h"

#define DEFAULT_PARALLEL 50 /* curl's --parallel-max default */

struct batch {
  httpr_client *client;
  const httpr_request *const *reqs;
  size_t n;
  httpr_response **out;
  httpr_code *codes;
  httpr_error *const *errs;
  pthread_mutex_t lock;
  size_t next; /* the next request to send */
};

static int take_next(struct batch *b, size_t *i) {
  pthread_mutex_lock(&b->lock);
  int more = b->next < b->n;
  if (more)
    *i = b->next++;
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
    codes[i] = HTTPR_E_NOMEM; /* until its worker has sent it */
  }
  struct batch b = {client, reqs, n, out, codes, errs, .next = 0};
  pthread_mutex_init(&b.lock, NULL);
  size_t workers = parallel ? parallel : DEFAULT_PARALLEL;
  if (workers > n)
    workers = n;
  /* The calling thread is one of the workers. */
  pthread_t *tids = workers > 1 ? calloc(workers - 1, sizeof(*tids)) : NULL;
  size_t started = 0;
  for (size_t w = 1; tids && w < workers; w++) {
    if (pthread_create(&tids[started], NULL, worker, &b) != 0)
      break; /* fewer threads: the requests still all go */
    started++;
  }
  worker(&b);
  for (size_t w = 0; w < started; w++)
    pthread_join(tids[w], NULL);
  free(tids);
  pthread_mutex_destroy(&b.lock);
  for (size_t i = 0; i < n; i++) {
    if (codes[i] != HTTPR_OK)
      return codes[i];
  }
  return HTTPR_OK;
}
