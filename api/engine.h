/* SPDX-License-Identifier: MIT */
/*
 * engine.h - the loop that drives jobs (job.h) on one thread: it polls
 * every descriptor its jobs wait on, until the earliest of their wake-up
 * times, and steps the jobs whose descriptors are ready or whose time
 * came. A job waiting for a pool's limits is woken when that pool
 * changes (hr_pool_watch on the engine's eventfd, made on first need).
 * httpr_client_send runs one job on an engine of its own, send_all many.
 */
#ifndef HTTPR_ENGINE_H
#define HTTPR_ENGINE_H

#include "api/job.h"

/* The pools an engine watches (one per client its jobs wait on). */
struct hr_engine_watch {
  struct hr_pool_watch w;
  struct hr_pool *pool;
};

struct hr_engine {
  struct hr_job **jobs; /* running: one_job until more are added */
  size_t n, cap;
  struct hr_job *one_job[1];
  struct pollfd *fds; /* this turn's, for all jobs, then the eventfd */
  size_t *first;      /* per job: its first pollfd */
  int64_t *wake;      /* per job: its wake-up time */
  size_t fds_cap;
  int wake_fd; /* eventfd for the pools' news, -1 until needed */
  struct hr_engine_watch **watches;
  size_t n_watches;
  /* Storage for a single job's turn, without an allocation. */
  struct pollfd one_fds[HR_JOB_MAX_FDS + 1];
  size_t one_first;
  int64_t one_wake;
};

void hr_engine_init(struct hr_engine *e);

/* Runs j (started with hr_job_start, which it must outlive) from now on.
 * 0, or -1 when out of memory. */
int hr_engine_add(struct hr_engine *e, struct hr_job *j);

/* One turn: waits (60 s at most) for a descriptor or the earliest wake-up
 * time, steps the jobs that can move, and hands each job that ended to
 * done (which may add jobs) after taking it off the engine. */
void hr_engine_turn(struct hr_engine *e,
                    void (*done)(struct hr_job *j, void *ud), void *ud);

/* Jobs running. */
static inline size_t hr_engine_running(const struct hr_engine *e) {
  return e->n;
}

/* Frees the engine's own memory and descriptor (no job may be running). */
void hr_engine_clear(struct hr_engine *e);

#endif
