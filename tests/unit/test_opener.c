/* SPDX-License-Identifier: MIT */
/*
 * test_opener.c - many connections opened at once from one thread, as the
 * event-loop engine will: 32 openers (protocol/opener.c) to one local
 * listener, all driven by a single poll loop over the descriptors they
 * list, every one open in the end and each accepted by the listener; and
 * one whose deadline has passed fails with the connect timeout's message
 * while the others go on. Plain TCP (no provider): the TLS handshake
 * phase is the one every conformance test runs through hr_conn_open.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/clock.h"
#include "protocol/opener.h"

#define OPENERS 32

static int listener(int *port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof(a);
  assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
  assert_int_equal(listen(fd, OPENERS * 2), 0);
  assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
  *port = ntohs(a.sin_port);
  return fd;
}

static void many_at_once_on_one_thread(void **state) {
  (void)state;
  int port;
  int lfd = listener(&port);
  struct hr_connect_params p = {.host = "127.0.0.1",
                                .port = port,
                                .connect_deadline = hr_deadline_in(10000),
                                .total_deadline = HR_NO_DEADLINE,
                                .connect_timeout_ms = 10000};
  static struct hr_opener o[OPENERS];
  httpr_error err;
  for (int i = 0; i < OPENERS; i++)
    assert_int_equal(hr_opener_start(&o[i], &p, &err), HTTPR_OK);
  /* The one loop: every opener's descriptors in one poll. */
  int open = 0;
  for (int round = 0; round < 1000 && open < OPENERS; round++) {
    struct pollfd fds[OPENERS * HR_OPEN_MAX_FDS];
    size_t first[OPENERS + 1], n = 0;
    for (int i = 0; i < OPENERS; i++) {
      first[i] = n;
      int64_t wake; /* 10 s away: the 100 ms poll below comes first */
      if (o[i].phase != HR_OPEN_DONE)
        n += hr_opener_pollfds(&o[i], fds + n, &wake);
    }
    first[OPENERS] = n;
    assert_true(poll(fds, n, 100) >= 0);
    open = 0;
    for (int i = 0; i < OPENERS; i++) {
      if (o[i].phase != HR_OPEN_DONE)
        assert_int_equal(hr_opener_step(&o[i], fds + first[i],
                                        first[i + 1] - first[i], hr_now_ms(),
                                        &err),
                         HTTPR_OK);
      open += o[i].phase == HR_OPEN_DONE;
    }
  }
  assert_int_equal(open, OPENERS);
  for (int i = 0; i < OPENERS; i++) {
    struct hr_conn *c = hr_opener_take(&o[i]);
    assert_non_null(c);
    assert_string_equal(c->remote_ip, "127.0.0.1");
    assert_int_equal(c->remote_port, port);
    int peer = accept(lfd, NULL, NULL);
    assert_true(peer >= 0);
    close(peer);
    hr_conn_close(c, 0);
  }
  close(lfd);
}

static void past_deadline_fails_alone(void **state) {
  (void)state;
  int port;
  int lfd = listener(&port);
  /* A black hole first (TEST-NET-1: no answer), then the listener: with
   * its deadline already gone the opener fails at its first step. */
  struct hr_connect_params p = {.host = "example.test",
                                .port = port,
                                .pin_address = "192.0.2.1,127.0.0.1",
                                .connect_deadline = hr_now_ms() - 1,
                                .total_deadline = HR_NO_DEADLINE,
                                .connect_timeout_ms = 1};
  struct hr_opener o;
  httpr_error err;
  memset(&err, 0, sizeof(err));
  httpr_code rc = hr_opener_start(&o, &p, &err);
  if (rc == HTTPR_OK && o.phase != HR_OPEN_DONE)
    rc = hr_opener_step(&o, NULL, 0, hr_now_ms(), &err);
  /* 192.0.2.1 may fail at once without a route: then 127.0.0.1 wins. */
  if (o.phase == HR_OPEN_DONE) {
    hr_conn_close(hr_opener_take(&o), 0);
  } else {
    assert_int_equal(rc, HTTPR_E_TIMEOUT);
    assert_int_equal(o.phase, HR_OPEN_FAILED);
    assert_string_equal(err.message,
                        "connection timed out after 1 milliseconds");
  }
  close(lfd);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(many_at_once_on_one_thread),
      cmocka_unit_test(past_deadline_fails_alone),
  };
  return cmocka_run_group_tests_name("opener", tests, NULL, NULL);
}
