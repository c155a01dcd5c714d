/* SPDX-License-Identifier: MIT */
/*
 * engine_events.c - the engine's socket mode (see engine.h): the caller's
 * event loop watches the descriptors, and the engine tells it, through
 * its callbacks, only what changed; when a descriptor fires, only its job
 * is stepped, and a heap of wake-up times gives the one timer. So the cost
 * of an event does not grow with the number of jobs.
 *
 * A descriptor the caller watches belongs to exactly one job (the table
 * fd_uses), or is the engine's eventfd for the pools' news. Before a
 * socket is closed or handed to the pool, its owner calls
 * hr_fd_release (common/fd_release.h), and the engine, listening while it
 * steps, tells the caller to stop watching it first: the number may come
 * back at once for another socket.
 */
#include <stdlib.h>
#include <string.h>

#include "api/engine_internal.h"
#include "common/fd_release.h"

/* ---- the timer heap, by slot.wake_at ------------------------------------- */

static void heap_set(struct hr_engine *e, size_t i, struct hr_job *j) {
  e->heap[i] = j;
  j->slot.heap_i = i;
}

static void heap_up(struct hr_engine *e, size_t i) {
  struct hr_job *j = e->heap[i];
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (e->heap[parent]->slot.wake_at <= j->slot.wake_at)
      break;
    heap_set(e, i, e->heap[parent]);
    i = parent;
  }
  heap_set(e, i, j);
}

static void heap_down(struct hr_engine *e, size_t i) {
  struct hr_job *j = e->heap[i];
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= e->n_heap)
      break;
    if (child + 1 < e->n_heap &&
        e->heap[child + 1]->slot.wake_at < e->heap[child]->slot.wake_at)
      child++;
    if (e->heap[child]->slot.wake_at >= j->slot.wake_at)
      break;
    heap_set(e, i, e->heap[child]);
    i = child;
  }
  heap_set(e, i, j);
}

static void heap_remove(struct hr_engine *e, struct hr_job *j) {
  size_t i = j->slot.heap_i;
  if (i == SIZE_MAX)
    return;
  j->slot.heap_i = SIZE_MAX;
  struct hr_job *last = e->heap[--e->n_heap];
  if (last == j)
    return;
  heap_set(e, i, last);
  heap_up(e, i);
  heap_down(e, last->slot.heap_i);
}

/* j's wake-up time is now at (HR_NO_DEADLINE: none). 0, or -1 when out
 * of memory. */
static int heap_update(struct hr_engine *e, struct hr_job *j, int64_t at) {
  if (at == HR_NO_DEADLINE) {
    heap_remove(e, j);
    return 0;
  }
  j->slot.wake_at = at;
  if (j->slot.heap_i != SIZE_MAX) {
    heap_up(e, j->slot.heap_i);
    heap_down(e, j->slot.heap_i);
    return 0;
  }
  if (e->n_heap == e->heap_cap) {
    size_t cap = e->heap_cap ? e->heap_cap * 2 : 16;
    struct hr_job **grown = realloc(e->heap, cap * sizeof(*grown));
    if (!grown)
      return -1;
    e->heap = grown;
    e->heap_cap = cap;
  }
  e->heap[e->n_heap] = j;
  j->slot.heap_i = e->n_heap++;
  heap_up(e, j->slot.heap_i);
  return 0;
}

/* Tells the caller when to act on the timer, if that changed. */
static void tell_timer(struct hr_engine *e) {
  int64_t at = e->n_heap ? e->heap[0]->slot.wake_at : HR_NO_DEADLINE;
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

static struct hr_job *owner_of(const struct hr_engine *e, int fd) {
  return fd >= 0 && (size_t)fd < e->fd_cap ? e->fd_uses[fd].job : NULL;
}

/* Stops watching j's entry k (the caller is told). */
static void unwatch_at(struct hr_engine *e, struct hr_job *j, size_t k) {
  int fd = j->slot.reg[k].fd;
  if (owner_of(e, fd) == j)
    e->fd_uses[fd].job = NULL;
  j->slot.reg[k] = j->slot.reg[--j->slot.n_reg];
  e->events->socket(fd, 0, e->events->ud);
}

static long find_reg(const struct hr_job *j, int fd) {
  for (size_t k = 0; k < j->slot.n_reg; k++) {
    if (j->slot.reg[k].fd == fd)
      return (long)k;
  }
  return -1;
}

/* The listener of hr_fd_release, while the engine steps. */
static void fd_released(int fd, void *ud) {
  struct hr_engine *e = ud;
  struct hr_job *j = owner_of(e, fd);
  long k = j ? find_reg(j, fd) : -1;
  if (k >= 0)
    unwatch_at(e, j, (size_t)k);
}

void hr_engine_forget(struct hr_engine *e, struct hr_job *j) {
  while (j->slot.n_reg)
    unwatch_at(e, j, j->slot.n_reg - 1);
  heap_remove(e, j);
}

/* The engine's eventfd is watched while it watches pools. */
static void sync_wake_fd(struct hr_engine *e) {
  int want = e->n_watches > 0;
  if (want == e->wake_watched)
    return;
  e->wake_watched = want;
  e->events->socket(e->wake_fd, want ? POLLIN : 0, e->events->ud);
}

/* What j waits for now, against what the caller watches for it. A
 * descriptor listed without events (the job stopped only to let others
 * move) keeps what it had. */
static void sync_fds(struct hr_engine *e, struct hr_job *j, int64_t *at) {
  struct pollfd now[HR_JOB_MAX_FDS];
  size_t n = hr_job_pollfds(j, now, at);
  for (size_t k = j->slot.n_reg; k-- > 0;) {
    int still = 0;
    for (size_t i = 0; i < n; i++)
      still |= now[i].fd == j->slot.reg[k].fd;
    if (!still)
      unwatch_at(e, j, k);
  }
  for (size_t i = 0; i < n; i++) {
    long k = find_reg(j, now[i].fd);
    if (!now[i].events || (k >= 0 && j->slot.reg[k].events == now[i].events))
      continue;
    if (fd_room(e, now[i].fd) != 0) {
      *at = 0; /* out of memory: stepped by the timer instead */
      continue;
    }
    if (k < 0)
      k = (long)j->slot.n_reg++;
    j->slot.reg[k] = now[i];
    e->fd_uses[now[i].fd].job = j;
    e->events->socket(now[i].fd, now[i].events, e->events->ud);
  }
}

void hr_engine_sync(struct hr_engine *e, struct hr_job *j) {
  int64_t at = HR_NO_DEADLINE;
  if (j->phase == HR_JOB_DONE)
    at = 0; /* ends at the next act on the timer */
  else
    sync_fds(e, j, &at);
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
  if (heap_update(e, j, at) != 0)
    hr_job_cancel(j, HTTPR_E_NOMEM, "out of memory"); /* ends at next act */
}

/* ---- acting -------------------------------------------------------------- */

static void step_one(struct hr_engine *e, struct hr_job *j,
                     const struct pollfd *ready, size_t n, int64_t now) {
  hr_job_step(j, ready, n, now);
  if (j->phase == HR_JOB_DONE)
    hr_engine_finish(e, j);
  else
    hr_engine_sync(e, j);
}

/* The jobs due at now, taken off the heap (they go back when synced). */
static struct hr_job *take_due(struct hr_engine *e, int64_t now) {
  struct hr_job *due = NULL;
  while (e->n_heap && e->heap[0]->slot.wake_at <= now) {
    struct hr_job *j = e->heap[0];
    heap_remove(e, j);
    j->slot.next = due;
    due = j;
  }
  return due;
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

struct hr_fd_listener *hr_engine_listen(struct hr_engine *e,
                                        struct hr_fd_listener *l) {
  *l = (struct hr_fd_listener){.released = fd_released, .ud = e};
  return hr_fd_listen(e->events ? l : NULL);
}

void hr_engine_act(struct hr_engine *e, int fd, short revents) {
  struct hr_fd_listener l;
  struct hr_fd_listener *before = hr_engine_listen(e, &l);
  int64_t now = hr_now_ms();
  struct hr_job *list = NULL;
  struct hr_job *j = owner_of(e, fd);
  e->stepping++;
  if (fd < 0) {
    list = take_due(e, now);
  } else if (fd == e->wake_fd) {
    hr_engine_drain(e);
    list = take_waiting(e);
  } else if (j) {
    struct pollfd ready[HR_JOB_MAX_FDS];
    size_t n = j->slot.n_reg;
    memcpy(ready, j->slot.reg, n * sizeof(*ready));
    for (size_t k = 0; k < n; k++)
      ready[k].revents =
          ready[k].fd != fd ? 0 : revents ? revents : ready[k].events;
    step_one(e, j, ready, n, now);
  }
  while (list) {
    struct hr_job *next = list->slot.next;
    step_one(e, list, NULL, 0, now);
    list = next;
  }
  e->stepping--;
  hr_engine_run_cancels(e);
  tell_timer(e);
  hr_fd_listen(before);
}
