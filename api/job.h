/* SPDX-License-Identifier: MIT */
/*
 * job.h - one request from its first hop to its response, as a state
 * machine that never waits: a connection from the pool (or waiting for
 * one the pool's limits hold back), a new one opened (protocol/opener.h),
 * the exchange in the protocol it speaks, then the next hop of a redirect
 * or a second attempt on a new connection, until it ends. Its owner (an
 * engine, engine.h) polls what hr_job_pollfds lists and steps it.
 */
#ifndef HTTPR_JOB_H
#define HTTPR_JOB_H

#include <poll.h>

#include "api/h1_exchange.h"
#include "api/h2_exchange.h"
#include "api/redirect.h"
#include "protocol/opener.h"

enum hr_job_phase {
  HR_JOB_NEW, /* made by hr_job_init: starts at its first step */
  HR_JOB_WAITING, /* for the pool (a limit, or a connection being opened
                     that may be shared): woken by hr_pool_watch */
  HR_JOB_OPENING,
  HR_JOB_H1,
  HR_JOB_H2, /* a stream of the owner's on a shared connection: the owner
                turns the connection (protocol/h2.h), the job only looks
                whether its stream ended */
  HR_JOB_DONE
};

/* Most descriptors a job waits on at once. */
#define HR_JOB_MAX_FDS HR_OPEN_MAX_FDS

/* Something the owner's loop watches and times: a job, or an HTTP/2
 * connection the owner's jobs share (engine.c). */
struct hr_engine_item {
  size_t heap_i; /* in the timer heap (socket mode) */
  int64_t wake_at;
  struct pollfd reg[HR_JOB_MAX_FDS]; /* what the caller's loop watches */
  size_t n_reg;
  struct hr_engine_conn *conn; /* the item is this connection's, not a job */
};

struct hr_job {
  httpr_client *client;
  const httpr_request *req;
  enum hr_job_phase phase;
  struct hr_hop hop;
  struct hr_transfer t;
  struct hr_exchange x;
  struct hr_pool_session *session; /* offered by the opener */
  char key[512];                   /* the hop's origin, for the pool */
  int hops;
  int attempt;  /* 1 on the second connection */
  int reused;   /* the connection came from the pool */
  int may_retry;
  int64_t connect_deadline;
  httpr_code rc;  /* once done */
  void *owner_ud; /* the owner's, untouched */
  struct hr_h2_owner *h2_owner; /* its owner's, for HTTP/2 streams */
  struct hr_h2_stream *stream;  /* while HR_JOB_H2 */
  struct hr_h2_request h2rq;    /* the stream's request */
  /* The engine's bookkeeping (engine.c); the job never looks at it. */
  struct hr_job_slot {
    size_t index; /* in the engine's jobs */
    struct hr_engine_item item;
    struct hr_engine_conn *conn; /* while HR_JOB_H2: its connection's */
    struct hr_h2_stream *conn_stream;     /* the stream it was attached for */
    struct hr_job *conn_prev, *conn_next; /* that connection's jobs */
    int released; /* it let go of the connection's descriptor */
    int cancel_asked;    /* while it was being stepped */
    struct hr_job *next; /* in a list of one act or turn */
  } slot;
  /* Not zeroed at the start (most of the job's size, and most requests
   * need neither): each is set up where it begins. */
  struct hr_opener opener;  /* by hr_opener_start */
  struct hr_h1_exchange h1; /* by hr_h1_begin */
  httpr_error err;          /* by hr_fail; empty at the start */
};

/* Starts req on client at once: the job may already be waiting, opening,
 * a stream or even done when this returns. owner: whose HTTP/2 streams it
 * makes (its engine's). */
void hr_job_start(struct hr_job *j, httpr_client *client,
                  const httpr_request *req, struct hr_h2_owner *owner);

/* Makes j for req on client without starting it: it starts at its first
 * step (an event loop's transfer does nothing inside the call that adds
 * it). */
void hr_job_init(struct hr_job *j, httpr_client *client,
                 const httpr_request *req, struct hr_h2_owner *owner);

/* The HTTP/2 connection whose stream j is (HR_JOB_H2), else NULL: its
 * owner turns it, then steps j. */
static inline struct hr_h2 *hr_job_h2(const struct hr_job *j) {
  return j->phase == HR_JOB_H2 ? j->x.pc->h2 : NULL;
}

/* What j waits for: up to HR_JOB_MAX_FDS pollfds (none while it waits
 * for the pool or is an HTTP/2 stream), and in *wake_at (hr_now_ms clock) when it must be
 * stepped even if none is ready. Returns how many pollfds. */
size_t hr_job_pollfds(const struct hr_job *j, struct pollfd *out,
                      int64_t *wake_at);

/* Moves j on with what poll reported in ready[0..n-1] (empty when poll
 * saw nothing, or for a job waiting for the pool) at time now. */
void hr_job_step(struct hr_job *j, const struct pollfd *ready, size_t n,
                 int64_t now);

/* Once j->phase is HR_JOB_DONE: its code, the response (HTTPR_OK) into
 * *out, the error into err (may be NULL). Frees what the job holds. */
httpr_code hr_job_finish(struct hr_job *j, httpr_response **out,
                         httpr_error *err);

/* Ends a job that is not done: whatever it holds is given back (the
 * connection closed), and it is done with rc and message. */
void hr_job_cancel(struct hr_job *j, httpr_code rc, const char *message);

#endif
