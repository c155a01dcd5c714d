/* SPDX-License-Identifier: MIT */
/*
 * engine_events.c - the engine's socket mode (see engine.h): the caller's
 * event loop watches the descriptors, and the engine tells it, through
 * its callbacks, only what changed; when a descriptor fires, only its
 * item is moved (a job, or an HTTP/2 connection with its jobs), and a
 * heap of wake-up times gives the one timer. So the cost of an event does
 * not grow with the number of jobs.
 *
 * A descriptor the caller watches belongs to exactly one item (the table
 * fd_uses), or is the engine's eventfd for the pools' news. Before a
 * socket is closed or handed to the pool, its owner calls hr_fd_release
 * (common/fd_release.h), and the engine, listening while it steps, tells
 * the caller to stop watching it first: the number may come back at once
 * for another socket. A connection shared by several jobs is let go when
 * the last of them releases it.
 */
#include <stdlib.h>
#include <string.h>

#include "api/engine_internal.h"

/* ---- the timer heap, by wake_at ------------------------------------------ */

static void heap_set(struct hr_engine *e, size_t i, struct hr_engine_item *it) {
  e->heap[i] = it;
  it->heap_i = i;
}

static void heap_up(struct hr_engine *e, size_t i) {
  struct hr_engine_item *it = e->heap[i];
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (e->heap[parent]->wake_at <= it->wake_at)
      break;
    heap_set(e, i, e->heap[parent]);
    i = parent;
  }
  heap_set(e, i, it);
}

static void heap_down(struct hr_engine *e, size_t i) {
  struct hr_engine_item *it = e->heap[i];
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= e->n_heap)
      break;
    if (child + 1 < e->n_heap &&
        e->heap[child + 1]->wake_at < e->heap[child]->wake_at)
      child++;
    if (e->heap[child]->wake_at >= it->wake_at)
      break;
    heap_set(e, i, e->heap[child]);
    i = child;
  }
  heap_set(e, i, it);
}

static void heap_remove(struct hr_engine *e, struct hr_engine_item *it) {
  size_t i = it->heap_i;
  if (i == SIZE_MAX)
    return;
  it->heap_i = SIZE_MAX;
  struct hr_engine_item *last = e->heap[--e->n_heap];
  if (last == it)
    return;
  heap_set(e, i, last);
  heap_up(e, i);
  heap_down(e, last->heap_i);
}

/* it is due at `at` (HR_NO_DEADLINE: never). 0, or -1 when out of
 * memory. */
static int heap_update(struct hr_engine *e, struct hr_engine_item *it,
                       int64_t at) {
  if (at == HR_NO_DEADLINE) {
    heap_remove(e, it);
    return 0;
  }
  it->wake_at = at;
  if (it->heap_i != SIZE_MAX) {
    heap_up(e, it->heap_i);
    heap_down(e, it->heap_i);
    return 0;
  }
  if (e->n_heap == e->heap_cap) {
    size_t cap = e->heap_cap ? e->heap_cap * 2 : 16;
    struct hr_engine_item **grown = realloc(e->heap, cap * sizeof(*grown));
    if (!grown)
      return -1;
    e->heap = grown;
    e->heap_cap = cap;
  }
  e->heap[e->n_heap] = it;
  it->heap_i = e->n_heap++;
  heap_up(e, it->heap_i);
  return 0;
}

void hr_engine_tell_timer(struct hr_engine *e) {
  int64_t at = e->n_heap ? e->heap[0]->wake_at : HR_NO_DEADLINE;
  if (at == e->timer_at)
    return;
  e->timer_at = at;
  e->events->timer(at, e->events->ud);
}

/* ---- descriptors --------------------------------------------------------- */

static int fd_room(struct hr_engine *e, int fd) {
  if ((size_t)fd < e->fd_cap)
    return 0;
  size_t cap = e->fd_cap ? e->fd_cap : 64;
  while (cap <= (size_t)fd)
    cap *= 2;
  struct hr_fd_use *grown = realloc(e->fd_uses, cap * sizeof(*grown));
  if (!grown)
    return -1;
  memset(grown + e->fd_cap, 0, (cap - e->fd_cap) * sizeof(*grown));
  e->fd_uses = grown;
  e->fd_cap = cap;
  return 0;
}

static struct hr_engine_item *owner_of(const struct hr_engine *e, int fd) {
  return fd >= 0 && (size_t)fd < e->fd_cap ? e->fd_uses[fd].item : NULL;
}

/* Stops watching it's entry k (the caller is told). */
static void unwatch_at(struct hr_engine *e, struct hr_engine_item *it,
                       size_t k) {
  int fd = it->reg[k].fd;
  if (owner_of(e, fd) == it)
    e->fd_uses[fd].item = NULL;
  it->reg[k] = it->reg[--it->n_reg];
  e->events->socket(fd, 0, e->events->ud);
}

static long find_reg(const struct hr_engine_item *it, int fd) {
  for (size_t k = 0; k < it->n_reg; k++) {
    if (it->reg[k].fd == fd)
      return (long)k;
  }
  return -1;
}

/* A connection shared by jobs: let go when the current job was the last
 * holding it. */
static int conn_let_go(struct hr_engine *e, struct hr_engine_conn *c) {
  struct hr_job *j = e->current;
  if (j && j->slot.conn == c && !j->slot.released) {
    j->slot.released = 1;
    if (c->holders)
      c->holders--;
  }
  return c->holders == 0;
}

/* The listener of hr_fd_release, while the engine steps. */
static void fd_released(int fd, void *ud) {
  struct hr_engine *e = ud;
  struct hr_engine_item *it = owner_of(e, fd);
  long k = it ? find_reg(it, fd) : -1;
  if (k < 0 || (it->conn && !conn_let_go(e, it->conn)))
    return;
  unwatch_at(e, it, (size_t)k);
}

struct hr_fd_listener *hr_engine_listen(struct hr_engine *e,
                                        struct hr_fd_listener *l) {
  *l = (struct hr_fd_listener){.released = fd_released, .ud = e};
  return hr_fd_listen(e->events ? l : NULL);
}

void hr_engine_forget(struct hr_engine *e, struct hr_engine_item *it) {
  while (it->n_reg)
    unwatch_at(e, it, it->n_reg - 1);
  heap_remove(e, it);
}

/* The engine's eventfd is watched while it watches pools. */
static void sync_wake_fd(struct hr_engine *e) {
  int want = e->n_watches > 0;
  if (want == e->wake_watched)
    return;
  e->wake_watched = want;
  e->events->socket(e->wake_fd, want ? POLLIN : 0, e->events->ud);
}

/* What it waits for now (now[0..n)), against what the caller watches for
 * it. A descriptor listed without events (it stopped only to let others
 * move) keeps what it had. Returns 0, or -1 when out of memory. */
static int sync_fds(struct hr_engine *e, struct hr_engine_item *it,
                    const struct pollfd *now, size_t n) {
  int rc = 0;
  for (size_t k = it->n_reg; k-- > 0;) {
    int still = 0;
    for (size_t i = 0; i < n; i++)
      still |= now[i].fd == it->reg[k].fd;
    if (!still)
      unwatch_at(e, it, k);
  }
  for (size_t i = 0; i < n; i++) {
    long k = find_reg(it, now[i].fd);
    if (!now[i].events || (k >= 0 && it->reg[k].events == now[i].events))
      continue;
    if (fd_room(e, now[i].fd) != 0) {
      rc = -1;
      continue;
    }
    if (k < 0)
      k = (long)it->n_reg++;
    it->reg[k] = now[i];
    e->fd_uses[now[i].fd].item = it;
    e->events->socket(now[i].fd, now[i].events, e->events->ud);
  }
  return rc;
}

void hr_engine_sync(struct hr_engine *e, struct hr_job *j) {
  struct hr_engine_item *it = &j->slot.item;
  int64_t at = HR_NO_DEADLINE;
  int rc = 0;
  if (j->phase == HR_JOB_DONE) {
    at = 0; /* ends at the next act on the timer */
  } else {
    struct pollfd now[HR_JOB_MAX_FDS];
    size_t n = hr_job_pollfds(j, now, &at);
    rc = sync_fds(e, it, now, n);
  }
  if (j->phase == HR_JOB_WAITING &&
      !hr_engine_watching(e, j->client->pool)) {
    /* Watched from now on; the pool may have changed before: look again
     * at once. Not watchable (no eventfd): look again soon. */
    at = hr_engine_update_watches(e) ? 0 : hr_now_ms() + 10;
  } else if (e->n_watches) {
    hr_engine_update_watches(e);
  }
  if (e->wake_fd >= 0)
    sync_wake_fd(e);
  if (rc != 0 || heap_update(e, it, at) != 0)
    hr_job_cancel(j, HTTPR_E_NOMEM, "out of memory"); /* ends at next act */
  if (j->slot.conn)
    j->slot.conn->dirty = 1;
}

void hr_engine_sync_conn(struct hr_engine *e, struct hr_engine_conn *c) {
  struct pollfd now[HR_H2_MAX_FDS];
  int64_t at = HR_NO_DEADLINE;
  c->dirty = 0;
  size_t n = hr_h2_want(c->h2, &e->h2_owner, now, &at);
  if (sync_fds(e, &c->item, now, n) != 0 || heap_update(e, &c->item, at) != 0)
    heap_update(e, &c->item, 0); /* out of memory: turned by the timer */
}

/* ---- acting -------------------------------------------------------------- */

/* Moves one item on: a job is stepped, a connection turned with its
 * jobs. */
static void move_item(struct hr_engine *e, struct hr_engine_item *it,
                      const struct pollfd *ready, size_t n, int64_t now) {
  if (it->conn) {
    if (it->conn->n_jobs) /* an empty one waits to be swept */
      hr_engine_turn_conn(e, it->conn, ready, n, now);
    return;
  }
  struct hr_job *j = (struct hr_job *)((char *)it - offsetof(struct hr_job,
                                                             slot.item));
  hr_engine_step_job(e, j, ready, n, now);
}

/* Up to cap items due at now, taken off the heap (they go back when
 * synced). */
static size_t take_due(struct hr_engine *e, int64_t now,
                       struct hr_engine_item **out, size_t cap) {
  size_t n = 0;
  while (n < cap && e->n_heap && e->heap[0]->wake_at <= now) {
    out[n] = e->heap[0];
    heap_remove(e, out[n]);
    n++;
  }
  return n;
}

static struct hr_job *take_waiting(struct hr_engine *e) {
  struct hr_job *list = NULL;
  for (size_t i = 0; i < e->n; i++) {
    if (e->jobs[i]->phase == HR_JOB_WAITING) {
      e->jobs[i]->slot.next = list;
      list = e->jobs[i];
    }
  }
  return list;
}

/* The items due now, a batch at a time (bounded: each batch is taken
 * off the heap before any is moved, so an item due again at once waits
 * for the next act). */
#define DUE_BATCH 64

static void act_on_timer(struct hr_engine *e, int64_t now) {
  struct hr_engine_item *due[DUE_BATCH];
  size_t n = take_due(e, now, due, DUE_BATCH);
  /* Moving one never frees another of the batch: a job ends only in its
   * own move (others' cancels wait for the act's end), the jobs stepped
   * with a connection are streams, never in the heap themselves, and
   * entries without jobs are swept only at the act's end. */
  for (size_t i = 0; i < n; i++)
    move_item(e, due[i], NULL, 0, now);

}

void hr_engine_act(struct hr_engine *e, int fd, short revents) {
  struct hr_fd_listener l;
  struct hr_fd_listener *before = hr_engine_listen(e, &l);
  int64_t now = hr_now_ms();
  struct hr_engine_item *it = owner_of(e, fd);
  e->stepping++;
  if (fd < 0) {
    /* The caller's timer fired and is spent: it is told again. */
    e->timer_at = -1;
    act_on_timer(e, now);
  } else if (fd == e->wake_fd) {
    hr_engine_drain(e);
    for (struct hr_job *list = take_waiting(e); list;) {
      struct hr_job *next = list->slot.next;
      hr_engine_step_job(e, list, NULL, 0, now);
      list = next;
    }
  } else if (it) {
    struct pollfd ready[HR_JOB_MAX_FDS];
    size_t n = it->n_reg;
    memcpy(ready, it->reg, n * sizeof(*ready));
    for (size_t k = 0; k < n; k++)
      ready[k].revents =
          ready[k].fd != fd ? 0 : revents ? revents : ready[k].events;
    move_item(e, it, ready, n, now);
  }
  e->stepping--;
  hr_engine_run_cancels(e);
  for (size_t k = 0; k < e->n_conns; k++) {
    if (e->conns[k]->n_jobs && e->conns[k]->dirty)
      hr_engine_sync_conn(e, e->conns[k]);
  }
  hr_engine_sweep_conns(e);
  hr_engine_tell_timer(e);
  hr_fd_listen(before);
}
