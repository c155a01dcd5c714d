/* SPDX-License-Identifier: MIT */
/*
 * engine.c - the engine's jobs (see engine.h): adding, ending and
 * cancelling them, watching the pools they wait for, and the poll mode,
 * where each turn lists what every job waits for, polls once, and steps
 * the jobs that can move: a descriptor of theirs is ready, their wake-up
 * time came, or the pool they wait for changed. The socket mode is
 * engine_events.c.
 */
#include "api/engine_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* When the eventfd cannot be made, jobs waiting for a pool look again
 * this often instead. */
#define POOL_RECHECK_MS 10
#define MAX_WAIT_MS 60000

void hr_engine_init(struct hr_engine *e,
                    void (*done)(struct hr_job *j, void *ud), void *ud) {
  memset(e, 0, sizeof(*e));
  e->wake_fd = -1;
  e->jobs = e->one_job; /* a single job needs no allocation */
  e->cap = 1;
  e->done = done;
  e->done_ud = ud;
  e->timer_at = HR_NO_DEADLINE;
}

void hr_engine_use_events(struct hr_engine *e,
                          const struct hr_engine_events *events) {
  e->events = events;
}

int hr_engine_add(struct hr_engine *e, struct hr_job *j) {
  if (e->n == e->cap) {
    size_t cap = e->cap * 2 < 8 ? 8 : e->cap * 2;
    struct hr_job **grown =
        realloc(e->jobs == e->one_job ? NULL : e->jobs, cap * sizeof(*grown));
    if (!grown)
      return -1;
    if (e->jobs == e->one_job)
      grown[0] = e->one_job[0];
    e->jobs = grown;
    e->cap = cap;
  }
  j->slot.index = e->n;
  j->slot.heap_i = SIZE_MAX;
  j->slot.n_reg = 0;
  j->slot.cancel_asked = 0;
  e->jobs[e->n++] = j;
  if (e->events)
    hr_engine_sync(e, j);
  return 0;
}

void hr_engine_finish(struct hr_engine *e, struct hr_job *j) {
  if (e->events)
    hr_engine_forget(e, j);
  if (j->slot.cancel_asked)
    e->cancels_asked--;
  size_t i = j->slot.index;
  e->jobs[i] = e->jobs[--e->n];
  e->jobs[i]->slot.index = i;
  if (e->n_watches)
    hr_engine_update_watches(e);
  e->done(j, e->done_ud);
}

void hr_engine_cancel(struct hr_engine *e, struct hr_job *j, httpr_code rc,
                      const char *message) {
  if (j->phase == HR_JOB_DONE)
    return; /* it ends at the next turn or act anyway */
  if (e->stepping) {
    /* The job may be the one being stepped (its own callback cancels
     * it): it stops at its next look at the flag, or at the step's end. */
    if (!j->slot.cancel_asked) {
      j->slot.cancel_asked = 1;
      e->cancels_asked++;
    }
    return;
  }
  struct hr_fd_listener l;
  struct hr_fd_listener *before = hr_engine_listen(e, &l);
  hr_job_cancel(j, rc, message);
  hr_fd_listen(before);
  hr_engine_finish(e, j);
}

void hr_engine_run_cancels(struct hr_engine *e) {
  for (size_t i = e->n; e->cancels_asked && !e->stepping && i-- > 0;) {
    if (i >= e->n)
      continue; /* a done callback ended others */
    struct hr_job *j = e->jobs[i];
    if (!j->slot.cancel_asked)
      continue;
    if (j->phase != HR_JOB_DONE)
      hr_job_cancel(j, HTTPR_E_CANCELLED, "the transfer was cancelled");
    hr_engine_finish(e, j);
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

/* ---- the poll mode ------------------------------------------------------- */

/* Room for this turn's pollfds and per-job facts: the engine's own
 * storage for a single job, else the heap. 0, or -1 when out of memory. */
static int turn_room(struct hr_engine *e) {
  size_t need = e->n * HR_JOB_MAX_FDS + 1;
  if (e->n <= 1 || need <= e->fds_cap)
    return 0;
  struct pollfd *f = realloc(e->fds, need * sizeof(*f));
  if (f)
    e->fds = f;
  size_t *fi = f ? realloc(e->first, e->n * sizeof(*fi)) : NULL;
  if (fi)
    e->first = fi;
  int64_t *w = fi ? realloc(e->wake, e->n * sizeof(*w)) : NULL;
  if (!w)
    return -1;
  e->wake = w;
  e->fds_cap = need;
  return 0;
}

static int any_ready(const struct pollfd *fds, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (fds[i].revents)
      return 1;
  }
  return 0;
}

/* Hands the jobs that ended to done. */
static void collect(struct hr_engine *e) {
  struct hr_job *ended = NULL;
  for (size_t i = 0; i < e->n; i++) {
    if (e->jobs[i]->phase == HR_JOB_DONE) {
      e->jobs[i]->slot.next = ended;
      ended = e->jobs[i];
    }
  }
  while (ended) {
    struct hr_job *j = ended;
    ended = j->slot.next;
    hr_engine_finish(e, j);
  }
}

void hr_engine_turn(struct hr_engine *e, long max_wait_ms) {
  if (turn_room(e) != 0) {
    for (size_t i = 0; i < e->n; i++)
      hr_job_cancel(e->jobs[i], HTTPR_E_NOMEM, "out of memory");
    collect(e);
    return;
  }
  int single = e->n <= 1;
  struct pollfd *fds = single ? e->one_fds : e->fds;
  size_t *first = single ? &e->one_first : e->first;
  int64_t *wake = single ? &e->one_wake : e->wake;
  int recheck = hr_engine_update_watches(e);
  size_t nfds = 0;
  int64_t now = hr_now_ms();
  int64_t wake_min = max_wait_ms >= 0 ? now + max_wait_ms : HR_NO_DEADLINE;
  for (size_t i = 0; i < e->n; i++) {
    struct hr_job *j = e->jobs[i];
    first[i] = nfds;
    wake[i] = HR_NO_DEADLINE;
    nfds += hr_job_pollfds(j, fds + nfds, &wake[i]);
    wake_min = hr_deadline_min(wake_min, wake[i]);
    if (j->phase == HR_JOB_WAITING && !hr_engine_watching(e, j->client->pool))
      wake_min = hr_deadline_min(wake_min, now + POOL_RECHECK_MS);
  }
  size_t job_fds = nfds;
  if (e->n_watches)
    fds[nfds++] = (struct pollfd){.fd = e->wake_fd, .events = POLLIN};
  int64_t left = recheck ? 0 : wake_min - now;
  int timeout = left <= 0 ? 0 : left > MAX_WAIT_MS ? MAX_WAIT_MS : (int)left;
  /* A lone job that can go on now (it stopped to let others move) has
   * nobody to let move: it goes on without a poll. */
  int got = 0;
  if (timeout > 0 || e->n != 1 || nfds > job_fds) {
    got = poll(fds, nfds, timeout);
    now = hr_now_ms();
  }
  int pool_news = recheck;
  if (got > 0 && nfds > job_fds && fds[job_fds].revents) {
    hr_engine_drain(e);
    pool_news = 1;
  }
  e->stepping++;
  for (size_t i = 0; i < e->n; i++) {
    struct hr_job *j = e->jobs[i];
    size_t count = (i + 1 < e->n ? first[i + 1] : job_fds) - first[i];
    int ready = got > 0 && any_ready(fds + first[i], count);
    int waiting = j->phase == HR_JOB_WAITING;
    if (ready || wake[i] <= now ||
        (waiting && (pool_news || !hr_engine_watching(e, j->client->pool))))
      hr_job_step(j, fds + first[i], ready ? count : 0, now);
  }
  e->stepping--;
  collect(e);
  hr_engine_run_cancels(e);
}

void hr_engine_clear(struct hr_engine *e, httpr_code rc, const char *message) {
  /* Bounded: each pass ends one job; done callbacks may not add more
   * than they are given room for (they see a clearing engine). */
  for (size_t rounds = 0; e->n && rounds < 1000000; rounds++) {
    struct hr_job *j = e->jobs[e->n - 1];
    struct hr_fd_listener l;
    struct hr_fd_listener *before = hr_engine_listen(e, &l);
    if (j->phase != HR_JOB_DONE)
      hr_job_cancel(j, rc, message);
    hr_fd_listen(before);
    hr_engine_finish(e, j);
  }
  for (size_t i = 0; i < e->n_watches; i++) {
    hr_pool_unwatch(e->watches[i]->pool, &e->watches[i]->w);
    free(e->watches[i]);
  }
  free(e->watches);
  if (e->events && e->wake_watched)
    e->events->socket(e->wake_fd, 0, e->events->ud);
  if (e->wake_fd >= 0)
    close(e->wake_fd);
  if (e->jobs != e->one_job)
    free(e->jobs);
  free(e->fds);
  free(e->first);
  free(e->wake);
  free(e->fd_uses);
  free(e->heap);
  hr_engine_init(e, e->done, e->done_ud);
}
