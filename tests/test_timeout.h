/* SPDX-License-Identifier: MIT */
/*
 * test_timeout.h - the one knob that stretches every wait in the tests:
 * HTTPR_TEST_TIMEOUT_MULTIPLIER (a number >= 1, default 1). Valgrind,
 * sanitizer and ThreadSanitizer runs set it (make check-valgrind and
 * check-tsan use 5, make check in a sanitizer build 3), so limits, sleeps
 * and server delays grow together and a scenario keeps its meaning on a
 * slow machine. The shell scripts read the same variable
 * (tests/interop/run-interop.sh, tests/fuzz/run-fuzz.sh).
 *
 * Header-only so that every test program has it without a build change.
 */
#ifndef HTTPR_TEST_TIMEOUT_H
#define HTTPR_TEST_TIMEOUT_H

#include <stdio.h>
#include <stdlib.h>

/* The multiplier; a value that is not a number >= 1 stops the program,
 * since a run that silently ignored it would flake instead. */
static inline double test_timeout_factor(void) {
  const char *s = getenv("HTTPR_TEST_TIMEOUT_MULTIPLIER");
  if (!s || !*s)
    return 1.0;
  char *end = NULL;
  double f = strtod(s, &end);
  if (*end != '\0' || !(f >= 1.0 && f <= 1000.0)) {
    fprintf(stderr,
            "HTTPR_TEST_TIMEOUT_MULTIPLIER='%s': want a number from 1 to "
            "1000\n",
            s);
    exit(2);
  }
  return f;
}

/* base_ms stretched by the multiplier. */
static inline long test_timeout_ms(long base_ms) {
  return (long)((double)base_ms * test_timeout_factor() + 0.5);
}

/* The same for seconds, as a double (for elapsed-time bounds). */
static inline double test_timeout_s(double base_s) {
  return base_s * test_timeout_factor();
}

#endif
