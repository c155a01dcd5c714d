/* SPDX-License-Identifier: MIT */
/*
 * engine_conns.c - what an engine's jobs share and wait for together
 * (see engine.h): the HTTP/2 connections whose streams they are, each
 * listed and turned once for all its jobs, and the pools whose limits
 * hold jobs back, watched through the engine's eventfd.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "api/engine_internal.h"

/* ---- HTTP/2 connections -------------------------------------------------- */

static struct hr_engine_conn *conn_get(struct hr_engine *e, struct hr_h2 *h2) {
  for (size_t i = 0; i < e->n_conns; i++) {
    if (e->conns[i]->h2 == h2) /* an empty one is reused too */
      return e->conns[i];
  }
  if (e->n_conns == e->cap_conns) {
    size_t cap = e->cap_conns ? e->cap_conns * 2 : 4;
    struct hr_engine_conn **grown = realloc(e->conns, cap * sizeof(*grown));
    if (!grown)
      return NULL;
    e->conns = grown;
    e->cap_conns = cap;
  }
  struct hr_engine_conn *c = calloc(1, sizeof(*c));
  if (!c)
    return NULL;
  c->h2 = h2;
  c->item.heap_i = SIZE_MAX;
  c->item.wake_at = HR_NO_DEADLINE;
  c->item.conn = c;
  e->conns[e->n_conns++] = c;
  return c;
}

static void detach(struct hr_job *j) {
  struct hr_engine_conn *c = j->slot.conn;
  if (j->slot.conn_prev)
    j->slot.conn_prev->slot.conn_next = j->slot.conn_next;
  else
    c->jobs = j->slot.conn_next;
  if (j->slot.conn_next)
    j->slot.conn_next->slot.conn_prev = j->slot.conn_prev;
  c->n_jobs--;
  if (!j->slot.released && c->holders)
    c->holders--;
  c->dirty = 1;
  j->slot.conn = NULL;
  j->slot.conn_stream = NULL;
}

void hr_engine_track(struct hr_engine *e, struct hr_job *j) {
  struct hr_h2 *h2 = hr_job_h2(j);
  if (j->slot.conn && (!h2 || j->slot.conn_stream != j->stream))
    detach(j);
  if (!h2 || j->slot.conn)
    return;
  struct hr_engine_conn *c = conn_get(e, h2);
  if (!c) {
    hr_job_cancel(j, HTTPR_E_NOMEM, "out of memory");
    return;
  }
  j->slot.conn = c;
  j->slot.conn_stream = j->stream;
  j->slot.released = 0;
  j->slot.conn_prev = NULL;
  j->slot.conn_next = c->jobs;
  if (c->jobs)
    c->jobs->slot.conn_prev = j;
  c->jobs = j;
  c->n_jobs++;
  c->holders++;
  c->dirty = 1;
}

void hr_engine_sweep_conns(struct hr_engine *e) {
  for (size_t i = e->n_conns; i-- > 0;) {
    struct hr_engine_conn *c = e->conns[i];
    if (c->n_jobs)
      continue;
    if (e->events)
      hr_engine_forget(e, &c->item);
    e->conns[i] = e->conns[--e->n_conns];
    free(c);
  }
}

void hr_engine_turn_conn(struct hr_engine *e, struct hr_engine_conn *c,
                         const struct pollfd *ready, size_t n, int64_t now) {
  hr_h2_turn(c->h2, &e->h2_owner, ready, n, now);
  c->dirty = 1;
  /* Each job looks whether its stream ended; one that did leaves c. */
  struct hr_job *list = NULL;
  for (struct hr_job *j = c->jobs; j; j = j->slot.conn_next) {
    j->slot.next = list;
    list = j;
  }
  while (list) {
    struct hr_job *j = list;
    list = j->slot.next;
    hr_engine_step_job(e, j, NULL, 0, now);
  }
}

/* ---- watching pools ------------------------------------------------------ */

int hr_engine_watching(const struct hr_engine *e, const struct hr_pool *pool) {
  for (size_t i = 0; i < e->n_watches; i++) {
    if (e->watches[i]->pool == pool)
      return 1;
  }
  return 0;
}

static int job_waits_on(const struct hr_engine *e, const struct hr_pool *pool) {
  for (size_t i = 0; i < e->n; i++) {
    if (e->jobs[i]->phase == HR_JOB_WAITING &&
        e->jobs[i]->client->pool == pool)
      return 1;
  }
  return 0;
}

static int watch_begin(struct hr_engine *e, struct hr_pool *pool) {
  if (e->wake_fd < 0 &&
      (e->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0)
    return 0;
  struct hr_engine_watch **grown =
      realloc(e->watches, (e->n_watches + 1) * sizeof(*grown));
  if (!grown)
    return 0;
  e->watches = grown;
  struct hr_engine_watch *w = malloc(sizeof(*w));
  if (!w)
    return 0;
  w->pool = pool;
  w->w.fd = e->wake_fd;
  hr_pool_watch(pool, &w->w);
  e->watches[e->n_watches++] = w;
  return 1;
}

int hr_engine_update_watches(struct hr_engine *e) {
  for (size_t i = e->n_watches; i-- > 0;) {
    struct hr_engine_watch *w = e->watches[i];
    if (!job_waits_on(e, w->pool)) {
      hr_pool_unwatch(w->pool, &w->w);
      free(w);
      e->watches[i] = e->watches[--e->n_watches];
    }
  }
  int began = 0;
  for (size_t i = 0; i < e->n; i++) {
    struct hr_job *j = e->jobs[i];
    if (j->phase == HR_JOB_WAITING && !hr_engine_watching(e, j->client->pool))
      began |= watch_begin(e, j->client->pool);
  }
  return began;
}

void hr_engine_drain(struct hr_engine *e) {
  uint64_t count;
  while (read(e->wake_fd, &count, sizeof(count)) > 0) {
  }
}
