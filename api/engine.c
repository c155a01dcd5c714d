/* SPDX-License-Identifier: MIT */
/*
 * engine.c - a poll loop over jobs (see engine.h). Each turn lists what
 * every job waits for, polls once, and steps the jobs that can move: a
 * descriptor of theirs is ready, their wake-up time came, or the pool
 * they wait for changed.
 */
#include "api/engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* When the eventfd cannot be made, jobs waiting for a pool look again
 * this often instead. */
#define POOL_RECHECK_MS 10
#define MAX_WAIT_MS 60000

void hr_engine_init(struct hr_engine *e) {
  memset(e, 0, sizeof(*e));
  e->wake_fd = -1;
  e->jobs = e->one_job; /* a single job needs no allocation */
  e->cap = 1;
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
  e->jobs[e->n++] = j;
  return 0;
}

/* Room for this turn's pollfds and per-job facts: the engine's own
 * storage for a single job, else the heap. 0, or -1 when out of memory. */
static int turn_room(struct hr_engine *e, struct pollfd **fds, size_t **first,
                     int64_t **wake) {
  if (e->n <= 1) {
    *fds = e->one_fds;
    *first = &e->one_first;
    *wake = &e->one_wake;
    return 0;
  }
  size_t need = e->n * HR_JOB_MAX_FDS + 1;
  if (need > e->fds_cap) {
    struct pollfd *f = realloc(e->fds, need * sizeof(*f));
    if (f)
      e->fds = f;
    size_t *fi = f ? realloc(e->first, (e->n + 1) * sizeof(*fi)) : NULL;
    if (fi)
      e->first = fi;
    int64_t *w = fi ? realloc(e->wake, e->n * sizeof(*w)) : NULL;
    if (!w)
      return -1;
    e->wake = w;
    e->fds_cap = need;
  }
  *fds = e->fds;
  *first = e->first;
  *wake = e->wake;
  return 0;
}

/* ---- watching pools ------------------------------------------------------ */

static int watching(const struct hr_engine *e, const struct hr_pool *pool) {
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

/* Watches the pool of every job waiting for one, and only those (a
 * pool that cannot be watched is looked at every POOL_RECHECK_MS).
 * Returns 1 when a watch began: the pool may have changed before it did,
 * so its jobs must look again before the engine sleeps. */
static int update_watches(struct hr_engine *e) {
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
    if (j->phase == HR_JOB_WAITING && !watching(e, j->client->pool))
      began |= watch_begin(e, j->client->pool);
  }
  return began;
}

static void drain(int fd) {
  uint64_t count;
  while (read(fd, &count, sizeof(count)) > 0) {
  }
}

/* ---- a turn -------------------------------------------------------------- */

static void cancel_all(struct hr_engine *e, httpr_code rc, const char *why) {
  for (size_t i = 0; i < e->n; i++)
    hr_job_cancel(e->jobs[i], rc, why);
}

/* Takes the ended jobs off the engine, then hands them to done. */
static void collect(struct hr_engine *e,
                    void (*done)(struct hr_job *j, void *ud), void *ud) {
  struct hr_job *ended = NULL, **tail = &ended;
  size_t kept = 0;
  for (size_t i = 0; i < e->n; i++) {
    struct hr_job *j = e->jobs[i];
    if (j->phase == HR_JOB_DONE) {
      j->ended_next = NULL;
      *tail = j;
      tail = &j->ended_next;
    } else {
      e->jobs[kept++] = j;
    }
  }
  e->n = kept;
  while (ended) {
    struct hr_job *j = ended;
    ended = j->ended_next;
    done(j, ud);
  }
}

static int any_ready(const struct pollfd *fds, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (fds[i].revents)
      return 1;
  }
  return 0;
}

void hr_engine_turn(struct hr_engine *e,
                    void (*done)(struct hr_job *j, void *ud), void *ud) {
  struct pollfd *fds;
  size_t *first;
  int64_t *wake;
  if (turn_room(e, &fds, &first, &wake) != 0) {
    cancel_all(e, HTTPR_E_NOMEM, "out of memory");
    collect(e, done, ud);
    return;
  }
  int recheck = update_watches(e);
  size_t nfds = 0;
  int64_t wake_min = HR_NO_DEADLINE;
  for (size_t i = 0; i < e->n; i++) {
    first[i] = nfds;
    wake[i] = HR_NO_DEADLINE;
    nfds += hr_job_pollfds(e->jobs[i], fds + nfds, &wake[i]);
    wake_min = hr_deadline_min(wake_min, wake[i]);
    if (e->jobs[i]->phase == HR_JOB_WAITING && !watching(e, e->jobs[i]->client->pool))
      wake_min = hr_deadline_min(wake_min, hr_now_ms() + POOL_RECHECK_MS);
  }
  size_t job_fds = nfds;
  if (e->n_watches)
    fds[nfds++] = (struct pollfd){.fd = e->wake_fd, .events = POLLIN};
  int64_t now = hr_now_ms();
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
    drain(e->wake_fd);
    pool_news = 1;
  }
  for (size_t i = 0; i < e->n; i++) {
    struct hr_job *j = e->jobs[i];
    size_t count = (i + 1 < e->n ? first[i + 1] : job_fds) - first[i];
    int ready = got > 0 && any_ready(fds + first[i], count);
    int waiting = j->phase == HR_JOB_WAITING;
    if (ready || wake[i] <= now ||
        (waiting && (pool_news || !watching(e, j->client->pool))))
      hr_job_step(j, fds + first[i], ready ? count : 0, now);
  }
  collect(e, done, ud);
}

void hr_engine_clear(struct hr_engine *e) {
  for (size_t i = 0; i < e->n_watches; i++) {
    hr_pool_unwatch(e->watches[i]->pool, &e->watches[i]->w);
    free(e->watches[i]);
  }
  free(e->watches);
  if (e->wake_fd >= 0)
    close(e->wake_fd);
  if (e->jobs != e->one_job)
    free(e->jobs);
  free(e->fds);
  free(e->first);
  free(e->wake);
  hr_engine_init(e);
}
