/* SPDX-License-Identifier: MIT */
/*
 * engine.h - the one engine that drives jobs (job.h) on one thread, in
 * either of two modes over the same jobs:
 *
 *  - poll mode (hr_engine_turn): each turn lists what every job waits
 *    for, polls once until the earliest wake-up time, and steps the jobs
 *    that can move. httpr_client_send runs one job this way, send_all
 *    many, httpr_loop_perform the loop's;
 *  - socket mode (hr_engine_act, for the caller's event loop): the
 *    engine says through callbacks which descriptor wants which events
 *    and when its timer is due, only when that changes, and steps only the
 *    job whose descriptor fired or whose time came (a timer heap; a table
 *    from descriptor to job).
 *
 * The jobs that are HTTP/2 streams of one connection share an entry
 * (struct hr_engine_conn): the engine lists and watches that connection
 * once, turns it once when it is ready (hr_h2_turn, which runs every
 * such job's callbacks), then steps those jobs.
 *
 * A job waiting for a pool's limits is woken when that pool changes
 * (hr_pool_watch on the engine's eventfd, made on first need). A job
 * ended is taken off the engine and handed to the engine's done
 * callback, which may add jobs and cancel others.
 */
#ifndef HTTPR_ENGINE_H
#define HTTPR_ENGINE_H

#include "api/job.h"

/* The caller's event loop, for the socket mode. */
struct hr_engine_events {
  /* fd now wants events (POLLIN | POLLOUT), or 0: no longer watched. */
  void (*socket)(int fd, short events, void *ud);
  /* Act on the timer at `at` (hr_now_ms clock); HR_NO_DEADLINE: none. */
  void (*timer)(int64_t at, void *ud);
  void *ud;
};

/* The pools an engine watches (one per client its jobs wait on). */
struct hr_engine_watch {
  struct hr_pool_watch w;
  struct hr_pool *pool;
};

/* An HTTP/2 connection some of the engine's jobs are streams of. */
struct hr_engine_conn {
  struct hr_engine_item item; /* its descriptors and wake-up time */
  struct hr_h2 *h2;
  struct hr_job *jobs; /* linked by slot.conn_next */
  size_t n_jobs;
  size_t holders; /* jobs that have not released the descriptor yet */
  size_t first; /* poll mode: its first pollfd this turn */
  size_t n_fds;
  int turned; /* poll mode: turned this turn */
  int dirty;  /* socket mode: what it waits for may have changed */
};

/* Who owns a descriptor the caller's loop watches (socket mode). */
struct hr_fd_use {
  struct hr_engine_item *item; /* NULL: free, or the engine's eventfd */
};

struct hr_engine {
  struct hr_job **jobs; /* running: one_job until more are added */
  size_t n, cap;
  struct hr_job *one_job[1];
  void (*done)(struct hr_job *j, void *ud);
  void *done_ud;
  int stepping;        /* inside a step: cancels wait for its end */
  struct hr_h2_owner h2_owner; /* of its jobs' HTTP/2 streams */
  struct hr_job *current;      /* the job being stepped */
  struct hr_engine_conn **conns;
  size_t n_conns, cap_conns;
  size_t cancels_asked; /* jobs whose cancel waits */
  /* pools */
  int wake_fd; /* eventfd for the pools' news, -1 until needed */
  struct hr_engine_watch **watches;
  size_t n_watches;
  /* poll mode: this turn's pollfds (every job's, then the eventfd) */
  struct pollfd *fds;
  size_t *first; /* per job: its first pollfd */
  int64_t *wake; /* per job: its wake-up time */
  size_t fds_cap;
  struct pollfd one_fds[HR_JOB_MAX_FDS + 1]; /* a single job's, no malloc */
  size_t one_first;
  int64_t one_wake;
  /* socket mode */
  const struct hr_engine_events *events; /* NULL in poll mode */
  struct hr_fd_use *fd_uses;             /* indexed by descriptor */
  size_t fd_cap;
  struct hr_engine_item **heap; /* by wake_at, earliest first */
  size_t n_heap, heap_cap;
  int64_t timer_at; /* as last told to the caller */
  int wake_watched; /* the eventfd is the caller's to watch */
};

/* done receives every job that ended (never NULL). */
void hr_engine_init(struct hr_engine *e,
                    void (*done)(struct hr_job *j, void *ud), void *ud);

/* Switches to the socket mode (before the first job). */
void hr_engine_use_events(struct hr_engine *e,
                          const struct hr_engine_events *events);

/* Runs j (started with hr_job_start, which it must outlive) from now on;
 * a job already done ends at the next turn or act. 0, or -1 when out of
 * memory (j is then not the engine's). */
int hr_engine_add(struct hr_engine *e, struct hr_job *j);

/* Poll mode: one turn, waiting at most max_wait_ms (-1: 60 s) for a
 * descriptor or the earliest wake-up time. */
void hr_engine_turn(struct hr_engine *e, long max_wait_ms);

/* Socket mode: fd became ready for revents (POLLIN | POLLOUT; 0 when
 * unknown), or fd is -1 and the timer is due. */
void hr_engine_act(struct hr_engine *e, int fd, short revents);

/* Ends j with rc and message: at once, or inside a step at its end. */
void hr_engine_cancel(struct hr_engine *e, struct hr_job *j, httpr_code rc,
                      const char *message);

/* Jobs running. */
static inline size_t hr_engine_running(const struct hr_engine *e) {
  return e->n;
}

/* Ends every job (rc, message) and frees the engine's own memory and
 * descriptor. */
void hr_engine_clear(struct hr_engine *e, httpr_code rc, const char *message);

#endif
