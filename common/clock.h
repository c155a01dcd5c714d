/* SPDX-License-Identifier: MIT */
/*
 * clock.h - monotonic milliseconds and deadlines. A deadline is an absolute
 * monotonic time in ms; HR_NO_DEADLINE never expires.
 */
#ifndef HTTPR_CLOCK_H
#define HTTPR_CLOCK_H

#include <stdint.h>
#include <time.h>

#define HR_NO_DEADLINE INT64_MAX

static inline int64_t hr_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline double hr_now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The deadline `ms` from now, or HR_NO_DEADLINE when ms <= 0. */
static inline int64_t hr_deadline_in(long ms) {
  return ms > 0 ? hr_now_ms() + ms : HR_NO_DEADLINE;
}

static inline int64_t hr_deadline_min(int64_t a, int64_t b) {
  return a < b ? a : b;
}

#endif
