/* SPDX-License-Identifier: MIT */
/*
 * test_connect_race.c - the RFC 8305 race (protocol/connect_race.c) on
 * its own: the order the addresses are tried in (families alternating
 * from the first one's, each keeping its order), the list's limit, the
 * timing of attempts (the next one due HR_RACE_DELAY_MS after the last
 * start, or at once after a failure), a win over loopback, a race in
 * which every address is refused, a Unix socket's address, and a local
 * end that cannot be bound.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "protocol/connect_race.h"

static void add(struct hr_race *r, const char *ip, int port) {
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof(ss));
  socklen_t len;
  if (strchr(ip, ':')) {
    struct sockaddr_in6 *s6 = (void *)&ss;
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons((uint16_t)port);
    assert_int_equal(inet_pton(AF_INET6, ip, &s6->sin6_addr), 1);
    len = sizeof(*s6);
  } else {
    struct sockaddr_in *s4 = (void *)&ss;
    s4->sin_family = AF_INET;
    s4->sin_port = htons((uint16_t)port);
    assert_int_equal(inet_pton(AF_INET, ip, &s4->sin_addr), 1);
    len = sizeof(*s4);
  }
  assert_int_equal(hr_race_add(r, (struct sockaddr *)&ss, len), 1);
}

/* The addresses in the order they will be tried, "a b c". */
static const char *order(const struct hr_race *r) {
  static char text[512];
  text[0] = '\0';
  for (size_t i = 0; i < r->count; i++) {
    char ip[64];
    int port;
    hr_race_addr_text(&r->addr[i], ip, sizeof(ip), &port);
    snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%s",
             i ? " " : "", ip);
  }
  return text;
}

static const char *interleaved(const char *const *ips, size_t n) {
  struct hr_race r;
  hr_race_init(&r);
  for (size_t i = 0; i < n; i++)
    add(&r, ips[i], 443);
  hr_race_interleave(&r);
  return order(&r);
}

#define INTERLEAVED(...)                                                       \
  interleaved((const char *const[]){__VA_ARGS__},                              \
              sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *))

static void families_alternate(void **state) {
  (void)state;
  assert_string_equal(INTERLEAVED("::1", "::2", "10.0.0.1", "10.0.0.2"),
                      "::1 10.0.0.1 ::2 10.0.0.2");
  /* The first family leads, whichever it is. */
  assert_string_equal(INTERLEAVED("10.0.0.1", "10.0.0.2", "::1"),
                      "10.0.0.1 ::1 10.0.0.2");
  /* The longer family's rest comes last, in its order. */
  assert_string_equal(INTERLEAVED("::1", "10.0.0.1", "10.0.0.2", "10.0.0.3"),
                      "::1 10.0.0.1 10.0.0.2 10.0.0.3");
  assert_string_equal(INTERLEAVED("::1", "::2", "::3"), "::1 ::2 ::3");
  assert_string_equal(INTERLEAVED("::1", "::2"), "::1 ::2");
  assert_string_equal(INTERLEAVED("10.0.0.1"), "10.0.0.1");
}

static void list_limit(void **state) {
  (void)state;
  struct hr_race r;
  hr_race_init(&r);
  for (int i = 0; i < HR_RACE_MAX; i++)
    add(&r, "10.0.0.1", 443);
  struct sockaddr_in s4 = {.sin_family = AF_INET};
  assert_int_equal(hr_race_add(&r, (struct sockaddr *)&s4, sizeof(s4)), 0);
  struct sockaddr other = {.sa_family = AF_APPLETALK};
  hr_race_init(&r);
  assert_int_equal(hr_race_add(&r, &other, sizeof(other)), 0);
  assert_int_equal(r.count, 0);
}


/* A loopback port nothing listens on, and one a listener holds (*fd). */
static int closed_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof(a);
  assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
  assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
  close(fd);
  return ntohs(a.sin_port);
}

static int listening_port(int *fd) {
  *fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof(a);
  assert_int_equal(bind(*fd, (struct sockaddr *)&a, sizeof(a)), 0);
  assert_int_equal(listen(*fd, 8), 0);
  assert_int_equal(getsockname(*fd, (struct sockaddr *)&a, &len), 0);
  return ntohs(a.sin_port);
}

/* Steps the race with poll() (at most 2 s) until it ends. */
static enum hr_race_state run(struct hr_race *r, int64_t now) {
  struct pollfd fds[HR_RACE_MAX];
  size_t n = 0;
  enum hr_race_state st = HR_RACE_PENDING;
  for (int i = 0; i < 200 && st == HR_RACE_PENDING; i++) {
    st = hr_race_step(r, fds, n, now);
    n = hr_race_pollfds(r, fds);
    if (st == HR_RACE_PENDING && poll(fds, n, 10) <= 0)
      n = 0;
  }
  return st;
}

/* A refused first address: the second starts at once and wins. */
static void refused_then_connected(void **state) {
  (void)state;
  int lfd;
  int good = listening_port(&lfd);
  struct hr_race r;
  hr_race_init(&r);
  add(&r, "127.0.0.1", closed_port());
  add(&r, "127.0.0.1", good);
  /* The clock stands still: only the failure can start the second. */
  assert_int_equal(run(&r, 1000), HR_RACE_CONNECTED);
  assert_int_equal(r.started, 2);
  const struct hr_race_addr *won;
  int fd = hr_race_take(&r, &won);
  assert_true(fd >= 0);
  char ip[64];
  int port;
  hr_race_addr_text(won, ip, sizeof(ip), &port);
  assert_int_equal(port, good);
  assert_int_equal(hr_race_take(&r, NULL), -1); /* taken once */
  hr_race_close(&r);
  close(fd);
  close(lfd);
}

/* An attempt in flight holds the next one back for the delay. */
static void next_attempt_waits_for_the_delay(void **state) {
  (void)state;
  struct hr_race r;
  hr_race_init(&r);
  add(&r, "192.0.2.1", 443); /* TEST-NET-1: never answers (or unreachable) */
  add(&r, "127.0.0.1", 443);
  enum hr_race_state st = hr_race_step(&r, NULL, 0, 5000);
  if (st == HR_RACE_PENDING && r.started == 1) {
    assert_int_equal(hr_race_wake_at(&r), 5000 + HR_RACE_DELAY_MS);
    assert_int_equal(hr_race_step(&r, NULL, 0, 5000 + HR_RACE_DELAY_MS - 1),
                     HR_RACE_PENDING);
    assert_int_equal(r.started, 1);
    hr_race_step(&r, NULL, 0, 5000 + HR_RACE_DELAY_MS);
  }
  /* Due (or the first failed at once, without a route): both started. */
  assert_int_equal(r.started, 2);
  assert_int_equal(hr_race_wake_at(&r), INT64_MAX);
  hr_race_close(&r);
}

static void every_address_refused(void **state) {
  (void)state;
  struct hr_race r;
  hr_race_init(&r);
  add(&r, "127.0.0.1", closed_port());
  add(&r, "127.0.0.1", closed_port());
  assert_int_equal(run(&r, 0), HR_RACE_FAILED);
  assert_int_equal(r.last_errno, ECONNREFUSED);
  assert_int_equal(r.last_failed, 1);
  assert_int_equal(hr_race_take(&r, NULL), -1);
  hr_race_close(&r);
}

/* A Unix socket is a race of one: its text is its path, and a path with
 * nothing there fails with ENOENT, as a connect() to it does. */
static void unix_socket_address(void **state) {
  (void)state;
  struct hr_race r;
  hr_race_init(&r);
  struct sockaddr_un su = {.sun_family = AF_UNIX,
                           .sun_path = "/nonexistent/httpr.sock"};
  assert_int_equal(hr_race_add(&r, (struct sockaddr *)&su, sizeof(su)), 1);
  char text[64];
  int port = -1;
  hr_race_addr_text(&r.addr[0], text, sizeof(text), &port);
  assert_string_equal(text, "/nonexistent/httpr.sock");
  assert_int_equal(port, 0);
  assert_int_equal(run(&r, 0), HR_RACE_FAILED);
  assert_int_equal(r.last_errno, ENOENT);
  assert_int_equal(r.last_bind_failed, 0);
  hr_race_close(&r);
}

/* A local end that cannot be bound (an address not of this host) fails
 * the attempt before it connects, saying so. */
static void local_end_bind_fails(void **state) {
  (void)state;
  struct hr_race r;
  hr_race_init(&r);
  struct hr_local_addr l = {.has_v4 = 1, .v4 = {.sin_family = AF_INET}};
  assert_int_equal(inet_pton(AF_INET, "192.0.2.77", &l.v4.sin_addr), 1);
  hr_race_bind_local(&r, &l);
  add(&r, "127.0.0.1", closed_port());
  assert_int_equal(run(&r, 0), HR_RACE_FAILED);
  assert_int_equal(r.last_errno, EADDRNOTAVAIL);
  assert_int_equal(r.last_bind_failed, 1);
  hr_race_close(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(families_alternate),
      cmocka_unit_test(list_limit),
      cmocka_unit_test(refused_then_connected),
      cmocka_unit_test(next_attempt_waits_for_the_delay),
      cmocka_unit_test(every_address_refused),
      cmocka_unit_test(unix_socket_address),
      cmocka_unit_test(local_end_bind_fails),
  };
  return cmocka_run_group_tests_name("connect_race", tests, NULL, NULL);
}
