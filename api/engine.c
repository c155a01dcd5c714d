/* SPDX-License-Identifier: MIT */
/*
 * engine.c - the engine's jobs (see engine.h): adding, stepping, ending
 * and cancelling them, and the poll mode, where each turn lists what
 * every job and shared HTTP/2 connection waits for, polls once, and moves
 * on what can move: a descriptor is ready, a wake-up time came, or a pool
 * a job waits for changed. The shared connections and pools are
 * engine_conns.c's, the socket mode engine_events.c's.
 */
#include "api/engine_internal.h"

#include <stdlib.h>
#include <string.h>
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
  hr_h2_owner_init(&e->h2_owner);
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
  memset(&j->slot, 0, sizeof(j->slot));
  j->slot.index = e->n;
  j->slot.item.heap_i = SIZE_MAX;
  j->slot.item.wake_at = HR_NO_DEADLINE;
  e->jobs[e->n++] = j;
  hr_engine_track(e, j);
  if (e->events) {
    hr_engine_sync(e, j);
    if (j->slot.conn)
      hr_engine_sync_conn(e, j->slot.conn);
    hr_engine_tell_timer(e);
  }
  return 0;
}

void hr_engine_step_job(struct hr_engine *e, struct hr_job *j,
                        const struct pollfd *ready, size_t n, int64_t now) {
  struct hr_job *before = e->current;
  e->current = j;
  hr_job_step(j, ready, n, now);
  hr_engine_track(e, j);
  e->current = before;
  if (!e->events)
    return; /* poll mode: the turn collects the ended */
  if (j->phase == HR_JOB_DONE)
    hr_engine_finish(e, j);
  else
    hr_engine_sync(e, j);
}

void hr_engine_finish(struct hr_engine *e, struct hr_job *j) {
  hr_engine_track(e, j); /* done: off its connection */
  if (e->events)
    hr_engine_forget(e, &j->slot.item);
  if (j->slot.cancel_asked)
    e->cancels_asked--;
  size_t i = j->slot.index;
  e->jobs[i] = e->jobs[--e->n];
  e->jobs[i]->slot.index = i;
  if (e->n_watches)
    hr_engine_update_watches(e);
  e->done(j, e->done_ud);
}

/* Cancels j now, as the current job, with the descriptors it closes
 * released to the caller's loop first. */
static void cancel_now(struct hr_engine *e, struct hr_job *j, httpr_code rc,
                       const char *message) {
  struct hr_fd_listener l;
  struct hr_fd_listener *before = hr_engine_listen(e, &l);
  struct hr_job *was = e->current;
  e->current = j;
  hr_job_cancel(j, rc, message);
  e->current = was;
  hr_fd_listen(before);
  hr_engine_finish(e, j);
}

void hr_engine_cancel(struct hr_engine *e, struct hr_job *j, httpr_code rc,
                      const char *message) {
  if (e->stepping) {
    /* The job may be the one being stepped (its own callback cancels
     * it): it stops at its next look at the flag, or at the step's end. */
    if (!j->slot.cancel_asked) {
      j->slot.cancel_asked = 1;
      e->cancels_asked++;
    }
    return;
  }
  cancel_now(e, j, rc, message);
  hr_engine_sweep_conns(e);
  if (e->events)
    hr_engine_tell_timer(e);
}

void hr_engine_run_cancels(struct hr_engine *e) {
  for (size_t i = e->n; e->cancels_asked && !e->stepping && i-- > 0;) {
    if (i >= e->n)
      continue; /* a done callback ended others */
    struct hr_job *j = e->jobs[i];
    if (j->slot.cancel_asked)
      cancel_now(e, j, HTTPR_E_CANCELLED, "the transfer was cancelled");
  }
}

/* ---- the poll mode ------------------------------------------------------- */

/* Room for this turn's pollfds and per-job facts: the engine's own
 * storage for a single job, else the heap. 0, or -1 when out of memory. */
static int single_turn(const struct hr_engine *e) {
  return e->n <= 1 && e->n_conns <= 1;
}

static int turn_room(struct hr_engine *e) {
  size_t need = (e->n + e->n_conns) * HR_JOB_MAX_FDS + 1;
  if (single_turn(e) || need <= e->fds_cap)
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
  hr_engine_sweep_conns(e);
}

void hr_engine_turn(struct hr_engine *e, long max_wait_ms) {
  if (turn_room(e) != 0) {
    for (size_t i = 0; i < e->n; i++)
      hr_job_cancel(e->jobs[i], HTTPR_E_NOMEM, "out of memory");
    collect(e);
    return;
  }
  int single = single_turn(e);
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
  for (size_t k = 0; k < e->n_conns; k++) {
    struct hr_engine_conn *c = e->conns[k];
    c->first = nfds;
    c->item.wake_at = HR_NO_DEADLINE;
    c->n_fds = hr_h2_want(c->h2, &e->h2_owner, fds + nfds, &c->item.wake_at);
    c->turned = 0;
    nfds += c->n_fds;
    wake_min = hr_deadline_min(wake_min, c->item.wake_at);
  }
  size_t wake_fd_at = nfds;
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
  if (got > 0 && nfds > wake_fd_at && fds[wake_fd_at].revents) {
    hr_engine_drain(e);
    pool_news = 1;
  }
  e->stepping++;
  for (size_t k = 0; k < e->n_conns; k++) {
    struct hr_engine_conn *c = e->conns[k];
    int ready = got > 0 && any_ready(fds + c->first, c->n_fds);
    if (ready || c->item.wake_at <= now) {
      hr_h2_turn(c->h2, &e->h2_owner, fds + c->first, ready ? c->n_fds : 0,
                 now);
      c->turned = 1;
    }
  }
  for (size_t i = 0; i < e->n; i++) {
    struct hr_job *j = e->jobs[i];
    size_t count = (i + 1 < e->n ? first[i + 1] : job_fds) - first[i];
    int ready = got > 0 && any_ready(fds + first[i], count);
    int waiting = j->phase == HR_JOB_WAITING;
    int turned = j->slot.conn && j->slot.conn->turned;
    if (ready || wake[i] <= now || turned ||
        (waiting && (pool_news || !hr_engine_watching(e, j->client->pool))))
      hr_engine_step_job(e, j, fds + first[i], ready ? count : 0, now);
  }
  e->stepping--;
  collect(e);
  hr_engine_run_cancels(e);
}

void hr_engine_clear(struct hr_engine *e, httpr_code rc, const char *message) {
  /* Bounded: each pass ends one job (done callbacks see the engine
   * clearing and add nothing that outlives it). */
  for (size_t rounds = 0; e->n && rounds < 1000000; rounds++) {
    struct hr_job *j = e->jobs[e->n - 1];
    if (j->phase == HR_JOB_DONE)
      hr_engine_finish(e, j); /* it ended: its own result */
    else
      cancel_now(e, j, rc, message);
  }
  hr_engine_sweep_conns(e);
  free(e->conns);
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
  hr_h2_owner_clear(&e->h2_owner);
  const struct hr_engine_events *events = e->events;
  hr_engine_init(e, e->done, e->done_ud);
  e->events = events;
}
