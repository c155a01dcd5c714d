/* SPDX-License-Identifier: MIT */
/* bounds.c - a transfer's time limits (see bounds.h): the clocks, the
 * bytes counted, and the one message each limit fails with. */
#include "protocol/bounds.h"

#include "common/clock.h"

void hr_bounds_start(struct hr_bounds *b, const struct hr_limits *lim,
                     int64_t deadline) {
  int64_t now = hr_now_ms();
  b->lim = *lim;
  b->deadline = deadline;
  b->idle_from = now;
  b->span_start = now;
  b->span_bytes = 0;
  b->fresh = 0;
}

void hr_bounds_date(struct hr_bounds *b) {
  if (b->fresh) {
    b->idle_from = hr_now_ms();
    b->fresh = 0;
  }
}

void hr_bounds_wait_turn(struct hr_bounds *b, int64_t conn_last) {
  if (!b->fresh && conn_last > b->idle_from)
    b->idle_from = conn_last;
  b->span_start = hr_now_ms();
  b->span_bytes = 0;
}

static int64_t span_ms(const struct hr_bounds *b) {
  return b->lim.low_speed_bytes ? (int64_t)b->lim.low_speed_secs * 1000 : 0;
}

int64_t hr_bounds_wake(const struct hr_bounds *b) {
  int64_t at = b->deadline;
  if (b->lim.inactivity_ms > 0)
    at = hr_deadline_min(at, b->idle_from + b->lim.inactivity_ms);
  if (span_ms(b) > 0)
    at = hr_deadline_min(at, b->span_start + span_ms(b));
  return at;
}

httpr_code hr_bounds_check(struct hr_bounds *b, httpr_error *err) {
  int64_t now = hr_now_ms();
  if (b->fresh) {
    b->idle_from = now;
    b->fresh = 0;
  }
  if (now >= b->deadline)
    return hr_fail(err, HTTPR_E_TIMEOUT,
                   "operation timed out after %ld milliseconds",
                   b->lim.total_ms);
  if (b->lim.inactivity_ms > 0 && now - b->idle_from >= b->lim.inactivity_ms)
    return hr_fail(err, HTTPR_E_TIMEOUT,
                   "inactivity timeout: nothing sent or received for %ld "
                   "milliseconds",
                   b->lim.inactivity_ms);
  int64_t span = span_ms(b);
  if (span > 0 && now - b->span_start >= span) {
    uint64_t need =
        (uint64_t)b->lim.low_speed_bytes * (uint64_t)b->lim.low_speed_secs;
    if (b->span_bytes < need)
      return hr_fail(err, HTTPR_E_TIMEOUT,
                     "operation too slow: less than %ld bytes/sec "
                     "transferred the last %ld seconds",
                     b->lim.low_speed_bytes, b->lim.low_speed_secs);
    b->span_start = now;
    b->span_bytes = 0;
  }
  return HTTPR_OK;
}
