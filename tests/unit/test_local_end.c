/* SPDX-License-Identifier: MIT */
/*
 * test_local_end.c - the local end a connection binds (protocol/
 * local_addr.c): what each form of the setting finds, and what it
 * refuses; and the address family filter on a resolver's answer
 * (protocol/opener.c), with a lookup the test controls answering ::1
 * alone, so that no host's /etc/hosts decides the outcome.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/clock.h"
#include "protocol/local_addr.h"
#include "protocol/resolver.h"
#include "protocol/transport.h"

static void find_ok(const char *spec, int v4, int v6, struct hr_local_addr *l) {
  httpr_error err;
  memset(&err, 0, sizeof(err));
  if (hr_local_addr_find(spec, l, &err) != HTTPR_OK)
    fail_msg("%s: %s", spec, err.message);
  assert_int_equal(hr_local_addr_has(l, AF_INET), v4);
  assert_int_equal(hr_local_addr_has(l, AF_INET6), v6);
}

static void find_fails(const char *spec, const char *message) {
  httpr_error err;
  memset(&err, 0, sizeof(err));
  struct hr_local_addr l;
  assert_int_equal(hr_local_addr_find(spec, &l, &err), HTTPR_E_INTERFACE);
  assert_string_equal(err.message, message);
  assert_true(err.detail[0] != '\0');
}

/* Literals give one address of their family; text comes back as given. */
static void literals(void **state) {
  (void)state;
  struct hr_local_addr l;
  char text[INET6_ADDRSTRLEN];
  find_ok("127.0.0.2", 1, 0, &l);
  hr_local_addr_text(&l, AF_INET, text, sizeof(text));
  assert_string_equal(text, "127.0.0.2");
  hr_local_addr_text(&l, AF_INET6, text, sizeof(text));
  assert_string_equal(text, "");
  find_ok("host!::1", 0, 1, &l);
  hr_local_addr_text(&l, AF_INET6, text, sizeof(text));
  assert_string_equal(text, "::1");
}

/* lo has 127.0.0.1 and ::1 (the conformance suite's servers use both). */
static void interface_lo(void **state) {
  (void)state;
  struct hr_local_addr l;
  char text[INET6_ADDRSTRLEN];
  find_ok("lo", 1, 1, &l);
  hr_local_addr_text(&l, AF_INET, text, sizeof(text));
  assert_string_equal(text, "127.0.0.1");
  hr_local_addr_text(&l, AF_INET6, text, sizeof(text));
  assert_string_equal(text, "::1");
  find_ok("if!lo", 1, 1, &l);
}

static void refused(void **state) {
  (void)state;
  find_fails("nonexistent0", "failed binding local connection end: no "
                             "interface or address 'nonexistent0'");
  find_fails("if!127.0.0.1", "failed binding local connection end: no "
                             "interface '127.0.0.1'");
  find_fails("host!lo", "failed binding local connection end: 'lo' is not "
                        "a local address literal");
  find_fails("if!", "failed binding local connection end: no interface ''");
}

/* A socket of a family the local end lacks is not bound; one of its
 * family is, to that address. */
static void bind_by_family(void **state) {
  (void)state;
  struct hr_local_addr l;
  find_ok("127.0.0.1", 1, 0, &l);
  int fd6 = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  assert_true(fd6 >= 0);
  assert_int_equal(hr_local_addr_bind(&l, fd6, AF_INET6), EAFNOSUPPORT);
  close(fd6);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  assert_true(fd >= 0);
  assert_int_equal(hr_local_addr_bind(&l, fd, AF_INET), 0);
  struct sockaddr_in a;
  socklen_t len = sizeof(a);
  assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
  assert_int_equal(ntohl(a.sin_addr.s_addr), INADDR_LOOPBACK);
  close(fd);
}

/* The fake resolver: every name is ::1 alone. */
static int ipv6_only_lookup(const char *name, const char *port,
                            const struct addrinfo *hints,
                            struct addrinfo **list) {
  (void)name;
  struct addrinfo h = *hints;
  h.ai_flags |= AI_NUMERICHOST;
  return getaddrinfo("::1", port, &h, list);
}

static int setup(void **state) {
  (void)state;
  hr_resolver_testing(ipv6_only_lookup, 0);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  hr_resolver_testing(NULL, 0);
  return 0;
}

static httpr_code open_with(int family, const char *local, httpr_error *err) {
  memset(err, 0, sizeof(*err));
  struct hr_connect_params p = {
      .host = "v6only.test",
      .port = 9, /* never reached: nothing is left to connect to */
      .family = family,
      .local_end = local,
      .connect_deadline = hr_deadline_in(5000),
      .total_deadline = HR_NO_DEADLINE,
      .connect_timeout_ms = 5000,
  };
  struct hr_conn *c = NULL;
  struct hr_conn_times times;
  httpr_code rc = hr_conn_open(&p, &c, &times, err);
  assert_null(c);
  return rc;
}

/* A name whose answer has no address of the family asked for is not
 * resolved; one whose answers the local end cannot reach fails there. */
static void resolved_addresses_filtered(void **state) {
  (void)state;
  httpr_error err;
  assert_int_equal(open_with(AF_INET, NULL, &err), HTTPR_E_RESOLVE);
  assert_string_equal(err.message, "could not resolve host: v6only.test");
  assert_string_equal(err.detail, "no IPv4 address among the 1 found");
  assert_int_equal(open_with(AF_UNSPEC, "127.0.0.1", &err), HTTPR_E_INTERFACE);
  assert_string_equal(err.message,
                      "failed binding local connection end: 127.0.0.1 has "
                      "no IPv6 address to connect to v6only.test from");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(literals),
      cmocka_unit_test(interface_lo),
      cmocka_unit_test(refused),
      cmocka_unit_test(bind_by_family),
      cmocka_unit_test_setup_teardown(resolved_addresses_filtered, setup,
                                      teardown),
  };
  return cmocka_run_group_tests_name("local_end", tests, NULL, NULL);
}
