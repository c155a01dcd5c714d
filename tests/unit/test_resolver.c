/* SPDX-License-Identifier: MIT */
/*
 * test_resolver.c - the resolver pool (protocol/resolver.c) with a lookup
 * the test controls: answers arrive on the job's descriptor; at most
 * HR_RESOLVER_THREADS threads run, however many jobs wait; idle threads
 * end; a job abandoned before, during or after its lookup is freed (the
 * sanitizer and valgrind builds check that nothing leaks); and a
 * connection whose lookup hangs fails with the connect timeout, not when
 * the lookup returns. Real lookups of localhost go through the pool in
 * every conformance test.
 */
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/clock.h"
#include "protocol/resolver.h"
#include "protocol/transport.h"

/* The fake lookup: blocks until released (or 5 s), then answers
 * 127.0.0.1, counting the lookups running at once. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int released, running, most_running, lookups;

static int slow_lookup(const char *name, const char *port,
                       const struct addrinfo *hints, struct addrinfo **list) {
  (void)name;
  pthread_mutex_lock(&mu);
  running++;
  lookups++;
  if (running > most_running)
    most_running = running;
  pthread_cond_broadcast(&changed);
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += 5;
  while (!released &&
         pthread_cond_timedwait(&changed, &mu, &until) == 0) {
  }
  running--;
  pthread_mutex_unlock(&mu);
  struct addrinfo h = *hints;
  h.ai_flags |= AI_NUMERICHOST;
  return getaddrinfo("127.0.0.1", port, &h, list);
}

static void release(int on) {
  pthread_mutex_lock(&mu);
  released = on;
  pthread_cond_broadcast(&changed);
  pthread_mutex_unlock(&mu);
}

/* Waits (at most 5 s) until `n` lookups run at once. */
static void wait_running(int n) {
  pthread_mutex_lock(&mu);
  for (int i = 0; i < 500 && running < n; i++) {
    pthread_mutex_unlock(&mu);
    usleep(10000);
    pthread_mutex_lock(&mu);
  }
  int now = running;
  pthread_mutex_unlock(&mu);
  assert_int_equal(now, n);
}

static int setup(void **state) {
  (void)state;
  hr_resolver_testing(slow_lookup, 200);
  release(0);
  running = most_running = lookups = 0;
  return 0;
}

static int teardown(void **state) {
  (void)state;
  release(1);
  /* The threads end after their 200 ms idle time. */
  for (int i = 0; i < 300 && hr_resolver_threads() > 0; i++)
    usleep(10000);
  assert_int_equal(hr_resolver_threads(), 0);
  hr_resolver_testing(NULL, 0);
  return 0;
}

static int wait_done(struct hr_resolve_job *job, int ms) {
  struct pollfd p = {.fd = hr_resolve_fd(job), .events = POLLIN};
  return poll(&p, 1, ms) == 1 && hr_resolve_done(job);
}

static void answer_on_the_descriptor(void **state) {
  (void)state;
  struct hr_resolve_job *job = hr_resolve_start("example.test", "443");
  assert_non_null(job);
  assert_int_equal(wait_done(job, 50), 0); /* held by the lookup */
  release(1);
  assert_int_equal(wait_done(job, 5000), 1);
  struct addrinfo *list = NULL;
  assert_int_equal(hr_resolve_finish(job, &list), 0);
  assert_non_null(list);
  assert_int_equal(list->ai_family, AF_INET);
  freeaddrinfo(list);
}

static void at_most_four_threads(void **state) {
  (void)state;
  struct hr_resolve_job *jobs[10];
  for (int i = 0; i < 10; i++)
    assert_non_null(jobs[i] = hr_resolve_start("example.test", "80"));
  wait_running(HR_RESOLVER_THREADS);
  usleep(50000);
  assert_int_equal(hr_resolver_threads(), HR_RESOLVER_THREADS);
  release(1);
  for (int i = 0; i < 10; i++) {
    assert_int_equal(wait_done(jobs[i], 5000), 1);
    struct addrinfo *list = NULL;
    assert_int_equal(hr_resolve_finish(jobs[i], &list), 0);
    freeaddrinfo(list);
  }
  assert_int_equal(most_running, HR_RESOLVER_THREADS);
  assert_int_equal(lookups, 10);
}

/* Abandoned while its lookup runs, while queued behind four others, and
 * after its answer came: each is freed, the queued one never looked up. */
static void abandoned_jobs_are_freed(void **state) {
  (void)state;
  struct hr_resolve_job *busy[HR_RESOLVER_THREADS];
  for (int i = 0; i < HR_RESOLVER_THREADS; i++)
    assert_non_null(busy[i] = hr_resolve_start("example.test", "80"));
  wait_running(HR_RESOLVER_THREADS);
  struct hr_resolve_job *queued = hr_resolve_start("example.test", "80");
  assert_non_null(queued);
  hr_resolve_abandon(queued);
  hr_resolve_abandon(busy[0]);
  release(1);
  for (int i = 1; i < HR_RESOLVER_THREADS; i++) {
    assert_int_equal(wait_done(busy[i], 5000), 1);
    hr_resolve_abandon(busy[i]); /* done: freed at once */
  }
  for (int i = 0; i < 300 && hr_resolver_threads() > 0; i++)
    usleep(10000);
  assert_int_equal(lookups, HR_RESOLVER_THREADS);
}

/* hr_conn_open gives up a hanging lookup at the connect deadline. */
static void connect_timeout_bounds_the_lookup(void **state) {
  (void)state;
  httpr_error err;
  memset(&err, 0, sizeof(err));
  struct hr_connect_params p = {
      .host = "example.test",
      .port = 443,
      .connect_deadline = hr_deadline_in(200),
      .total_deadline = HR_NO_DEADLINE,
      .connect_timeout_ms = 200,
  };
  struct hr_conn *c = NULL;
  struct hr_conn_times times;
  int64_t start = hr_now_ms();
  assert_int_equal(hr_conn_open(&p, &c, &times, &err), HTTPR_E_TIMEOUT);
  int64_t took = hr_now_ms() - start;
  assert_string_equal(err.message,
                      "resolving timed out after 200 milliseconds");
  assert_null(c);
  assert_true(took < 4000); /* the lookup holds for 5 s */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(answer_on_the_descriptor, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(at_most_four_threads, setup, teardown),
      cmocka_unit_test_setup_teardown(abandoned_jobs_are_freed, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(connect_timeout_bounds_the_lookup,
                                      setup, teardown),
  };
  return cmocka_run_group_tests_name("resolver", tests, NULL, NULL);
}
