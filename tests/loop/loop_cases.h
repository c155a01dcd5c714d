/* SPDX-License-Identifier: MIT */
/*
 * loop_cases.h - what the event-loop tests share (loop_cases.c): the
 * transfers they run through the public event-loop API, how every outcome
 * is checked, and the small interface an event loop implements to drive
 * them (struct lc_driver). Each test program (loop_poll.c, loop_uv.c,
 * loop_event.c) is only that driver: the harness starts the test servers,
 * runs 1,000 mixed transfers (100 under valgrind) with at most 100 in
 * flight, checks each, and fails rather than hangs past its deadline.
 */
#ifndef HTTPR_TEST_LOOP_CASES_H
#define HTTPR_TEST_LOOP_CASES_H

#include "api/httpr.h"

struct lc_run;

/* An event loop driving an httpr_loop. The harness owns the httpr_loop
 * and the socket and timer callbacks: it checks each call against the
 * header's contract, then hands it on to watch and timer. */
struct lc_driver {
  const char *name; /* "perform", "poll", "libuv", "libevent" */
  /* Makes the loop's state (NULL: failed). run is kept for lc_act. */
  void *(*open)(struct lc_run *run);
  /* fd now waits for events (HTTPR_POLL_IN | HTTPR_POLL_OUT), or is no
   * longer watched (HTTPR_POLL_REMOVE: free what *slot holds). *slot is
   * the driver's per-descriptor pointer, NULL until it sets it. NULL
   * watch: the simple mode, no callbacks (turn calls lc_perform). */
  void (*watch)(void *state, int fd, int events, void **slot);
  /* Act on the timer in ms milliseconds (0: at once), -1: no timer. */
  void (*timer)(void *state, long ms);
  /* One turn of the loop: waits at most max_wait_ms, then acts (through
   * lc_act or lc_perform) on what became ready. */
  void (*turn)(void *state, long max_wait_ms);
  /* Frees the state, after the httpr_loop was freed. */
  void (*close)(void *state);
};

/* For the drivers: httpr_loop_act / httpr_loop_perform on the run's loop,
 * the return code checked. */
void lc_act(struct lc_run *run, int fd, int events);
void lc_perform(struct lc_run *run, long max_wait_ms);
/* Records a failure of the run (printf format); the program then fails. */
void lc_fail(struct lc_run *run, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The whole test: `PROG --provider NAME` (PKI_DIR and TEST_SERVER from the
 * environment, as make check sets them), every driver in turn, each with
 * its own httpr_loop over the same clients. Returns the exit status. */
int lc_main(int argc, char **argv, const char *prog,
            const struct lc_driver *const *drivers, int n_drivers);

#endif
