/* SPDX-License-Identifier: MIT */
/*
 * test_connect.c - connecting to a name with several addresses, raced as
 * RFC 8305 says (protocol/connect_race.c), for every provider: a first
 * address that is a black hole (a listener on [::1] whose backlog is full,
 * so the kernel drops further SYNs) costs one Connection Attempt Delay,
 * not the connect timeout; a refused first address costs nothing; when
 * every address fails the error names the last one's reason. The
 * addresses come from a pin (httpr_config_add_resolve with a list), the
 * same path a resolver's answers take.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/conformance/suite.h"

/* Sockets filling a black hole's accept queue, and the listener. */
struct black_hole {
  int listener;
  int fill[4];
};

/* [::1]:port, listening with a backlog of 0 and never accepting, its queue
 * filled: a further SYN gets no answer at all, as from a host that is gone. */
static void black_hole_open(struct black_hole *h, int port) {
  h->listener = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  assert_true(h->listener >= 0);
  int one = 1;
  setsockopt(h->listener, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  struct sockaddr_in6 a = {.sin6_family = AF_INET6,
                           .sin6_port = htons((uint16_t)port),
                           .sin6_addr = in6addr_loopback};
  if (bind(h->listener, (struct sockaddr *)&a, sizeof(a)) != 0 ||
      listen(h->listener, 0) != 0)
    fail_msg("black hole: cannot listen on [::1]:%d: %s", port,
             strerror(errno));
  for (size_t i = 0; i < sizeof(h->fill) / sizeof(h->fill[0]); i++) {
    h->fill[i] = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                        0);
    assert_true(h->fill[i] >= 0);
    (void)connect(h->fill[i], (struct sockaddr *)&a, sizeof(a));
  }
  usleep(100 * 1000); /* the handshakes of the queue's sockets complete */
}

/* The one black hole, closed by the test's teardown even when it fails,
 * so that no later test meets it. */
static struct black_hole hole = {.listener = -1,
                                 .fill = {-1, -1, -1, -1}};

static int black_hole_close(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(hole.fill) / sizeof(hole.fill[0]); i++) {
    if (hole.fill[i] >= 0)
      close(hole.fill[i]);
    hole.fill[i] = -1;
  }
  if (hole.listener >= 0)
    close(hole.listener);
  hole.listener = -1;
  return 0;
}

/* The black hole first: IPv6 is tried first, gets no answer, and IPv4
 * starts one delay later and wins, long before the connect timeout (the
 * suite's 15 s, under which a one-address-at-a-time connect would fail). */
static void black_hole_first_address(void **state) {
  (void)state;
  int port = server_port(SRV_GOOD_ECDSA);
  black_hole_open(&hole, port);
  struct tries tries;
  httpr_config *cfg = cfg_addresses(SRV_GOOD_ECDSA, "::1,127.0.0.1", &tries);
  assert_code(httpr_config_set_connect_timeout_ms(cfg, test_timeout_ms(15000)),
              HTTPR_OK);
  double start = now_s();
  httpr_response *resp =
      expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_OK, NULL);
  double took = now_s() - start;
  assert_string_equal(httpr_response_remote_ip(resp), "127.0.0.1");
  char want[128];
  snprintf(want, sizeof(want), "Trying ::1:%d...;Trying 127.0.0.1:%d...;",
           port, port);
  assert_string_equal(tries.text, want);
  /* One Connection Attempt Delay and a handshake; 7.5 s is half of what a
   * sequential connect would have waited. */
  if (took > test_timeout_ms(7500) / 1000.0)
    fail_msg("took %.2f s", took);
  httpr_response_free(resp);
  httpr_config_free(cfg);
}

/* The families alternate from the first one's: of ::1, ::1, 127.0.0.1
 * (both IPv6 ones refused: nothing listens on [::1] there) the second
 * attempt is IPv4, which wins; the second ::1 is never tried. */
static void families_alternate(void **state) {
  (void)state;
  int port = server_port(SRV_GOOD_ECDSA);
  struct tries tries;
  httpr_config *cfg =
      cfg_addresses(SRV_GOOD_ECDSA, "[::1],::1,127.0.0.1", &tries);
  httpr_response *resp =
      expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_OK, NULL);
  assert_string_equal(httpr_response_remote_ip(resp), "127.0.0.1");
  char want[128];
  snprintf(want, sizeof(want), "Trying ::1:%d...;Trying 127.0.0.1:%d...;",
           port, port);
  assert_string_equal(tries.text, want);
  httpr_response_free(resp);
  httpr_config_free(cfg);
}

/* Every address refused: HTTPR_E_CONNECT, as for one address. */
static void every_address_refused(void **state) {
  (void)state;
  /* A port nothing listens on: bound, then closed. */
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof(a);
  assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
  assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
  int port = ntohs(a.sin_port);
  close(fd);
  httpr_config *cfg = cfg_new();
  assert_code(
      httpr_config_add_resolve(cfg, "localhost", port, "::1,127.0.0.1"),
      HTTPR_OK);
  char url[64], msg[128];
  snprintf(url, sizeof(url), "https://localhost:%d/", port);
  snprintf(msg, sizeof(msg),
           "failed to connect to localhost port %d: Connection refused", port);
  expect_failure(cfg, url, HTTPR_E_CONNECT, msg);
  httpr_config_free(cfg);
}

const struct CMUnitTest connect_tests[] = {
    cmocka_unit_test_teardown(black_hole_first_address, black_hole_close),
    cmocka_unit_test(families_alternate),
    cmocka_unit_test(every_address_refused),
};
const size_t connect_tests_count =
    sizeof(connect_tests) / sizeof(connect_tests[0]);
