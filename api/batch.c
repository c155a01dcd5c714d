/* SPDX-License-Identifier: MIT */
/*
 * batch.c - httpr_client_send_all: many requests at once, as jobs of one
 * engine on the calling thread, up to `parallel` at once, a finished one
 * replaced at once. To an HTTP/1.1 origin they spread over its
 * connections up to the per-origin limit (the others wait for the pool);
 * to an HTTP/2 origin they become streams of its one connection (while
 * the first opens it, the others wait to see whether it speaks HTTP/2).
 * Each request keeps its own response, code and error.
 */
#include <stdlib.h>

#include "api/engine.h"

#define DEFAULT_PARALLEL 50 /* curl's --parallel-max default */

/* One call: the caller's arrays, and the next request to start. */
struct batch {
  httpr_client *client;
  const httpr_request *const *reqs;
  size_t n;
  httpr_response **out;
  httpr_code *codes;
  httpr_error *const *errs;
  size_t next;
  struct hr_engine engine;
};

static void finish(struct batch *b, struct hr_job *j) {
  size_t i = (size_t)j->owner_ud;
  b->codes[i] = hr_job_finish(j, &b->out[i], b->errs ? b->errs[i] : NULL);
}

/* Starts the next request as job j; 0 when none is left. */
static int start_next(struct batch *b, struct hr_job *j) {
  for (; b->next < b->n; b->next++) {
    size_t i = b->next;
    hr_job_start(j, b->client, b->reqs[i], &b->engine.h2_owner);
    j->owner_ud = (void *)i;
    if (hr_engine_add(&b->engine, j) == 0) {
      b->next++;
      return 1;
    }
    hr_job_cancel(j, HTTPR_E_NOMEM, "out of memory");
    finish(b, j);
  }
  return 0;
}

/* A job ended: its result to the caller, its place to the next. */
static void job_done(struct hr_job *j, void *ud) {
  struct batch *b = ud;
  finish(b, j);
  start_next(b, j);
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
  struct batch b = {.client = client,
                    .reqs = reqs,
                    .n = n,
                    .out = out,
                    .codes = codes,
                    .errs = errs};
  size_t window = parallel ? parallel : DEFAULT_PARALLEL;
  if (window > n)
    window = n;
  struct hr_job *jobs = calloc(window ? window : 1, sizeof(*jobs));
  if (!jobs)
    return n ? HTTPR_E_NOMEM : HTTPR_OK;
  hr_engine_init(&b.engine, job_done, &b);
  for (size_t k = 0; k < window; k++)
    start_next(&b, &jobs[k]);
  while (hr_engine_running(&b.engine))
    hr_engine_turn(&b.engine, -1);
  hr_engine_clear(&b.engine, HTTPR_E_NOMEM, "out of memory");
  free(jobs);
  for (size_t i = 0; i < n; i++) {
    if (codes[i] != HTTPR_OK)
      return codes[i];
  }
  return HTTPR_OK;
}
