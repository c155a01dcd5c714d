/* SPDX-License-Identifier: MIT */
/*
 * bounds.h - the time limits of one transfer once its connection is
 * ready: the total deadline, the inactivity timeout (no byte moved in
 * either direction) and the low-speed limit (curl's --speed-limit /
 * --speed-time), each with one wording. The transport and the HTTP/2
 * streams check them in every loop, count the bytes they move, and wait
 * no later than hr_bounds_wake. Nothing here waits or does I/O.
 *
 * Only waiting counts as inactivity: time the library spends in its own
 * work or in the caller's callbacks does not (the code that ran them says
 * so with hr_bounds_resume). Counting bytes reads no clock: the next
 * check dates them (a read that finds data waiting costs one clock read
 * in all), or hr_bounds_date does when bytes are counted for a transfer
 * whose owner may not check soon (HTTP/2: the thread driving the
 * connection counts every stream's). The low-speed limit is judged over
 * spans of low_speed_secs that follow each other from the start, so a
 * transfer that turns slow fails within two spans, and every failure is
 * true to its words: less than the limit moved in the span just ended.
 */
#ifndef HTTPR_BOUNDS_H
#define HTTPR_BOUNDS_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* What a client allows each transfer (from its config). 0 turns a limit
 * off. */
struct hr_limits {
  long total_ms;        /* the total timeout, named in its message */
  long inactivity_ms;   /* no byte moved for this long */
  long low_speed_bytes; /* bytes per second ... */
  long low_speed_secs;  /* ... over spans of this many seconds */
};

/* One transfer's state against its limits. Not thread-safe: whoever
 * owns the transfer (or holds its lock) updates it. */
struct hr_bounds {
  struct hr_limits lim;
  int64_t deadline;   /* total; HR_NO_DEADLINE for none */
  int64_t idle_from;  /* when the current stretch without a byte began */
  int64_t span_start; /* the low-speed span under way */
  uint64_t span_bytes;
  int fresh; /* bytes moved or work done since the last check */
};

/* Starts the clocks now; deadline is the total one (the request's, kept
 * across redirects and retries). */
void hr_bounds_start(struct hr_bounds *b, const struct hr_limits *lim,
                     int64_t deadline);

/* n bytes moved (either direction) just now; the next check or
 * hr_bounds_date dates them. */
static inline void hr_bounds_count(struct hr_bounds *b, size_t n) {
  b->span_bytes += n;
  b->fresh |= n > 0;
}

/* Dates what was counted (or resumed) since the last check: now. */
void hr_bounds_date(struct hr_bounds *b);

/* The transfer waits again after work of its own: the inactivity clock
 * starts again at the next check. Only call it after work that bytes made
 * possible, so a peer that sends nothing cannot keep restarting it. */
static inline void hr_bounds_resume(struct hr_bounds *b) { b->fresh = 1; }

/* The transfer waits for its turn behind others on a shared connection
 * whose last byte moved at conn_last: that byte counts as its own, and
 * its low-speed span starts only once its turn comes. */
void hr_bounds_wait_turn(struct hr_bounds *b, int64_t conn_last);

/* The earliest time (hr_now_ms clock) at which a limit may run out:
 * how long a wait may last. Call it after hr_bounds_check. */
int64_t hr_bounds_wake(const struct hr_bounds *b);

/* HTTPR_OK while every limit holds (a low-speed span that was fast
 * enough is closed and the next begins); otherwise HTTPR_E_TIMEOUT with
 * the limit's message. */
httpr_code hr_bounds_check(struct hr_bounds *b, httpr_error *err);

#endif
