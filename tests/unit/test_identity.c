/* SPDX-License-Identifier: MIT */
/*
 * test_identity.c - the shared host-name and IP-address rules: IP literal
 * parsing, DNS SAN matching (case, trailing dot, whole-label wildcards
 * only, no "*.com", no IP via a DNS name, no embedded NUL) and the check of
 * a host against a certificate's SAN lists.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "backends/identity.h"

static int dns(const char *host, const char *pattern) {
  return hr_identity_match_dns(host, pattern, strlen(pattern));
}

static void ipv4_literals(void **state) {
  (void)state;
  unsigned char addr[16];
  memset(addr, 0xee, sizeof(addr));
  assert_int_equal(hr_ip_literal("127.0.0.1", addr), 4);
  assert_memory_equal(addr, "\x7f\x00\x00\x01", 4);
  assert_int_equal(hr_ip_literal("192.168.10.254", addr), 4);
  assert_memory_equal(addr, "\xc0\xa8\x0a\xfe", 4);
  assert_int_equal(hr_ip_literal("10.0.0.1", NULL), 4);
}

static void ipv6_literals(void **state) {
  (void)state;
  unsigned char addr[16];
  assert_int_equal(hr_ip_literal("::1", addr), 16);
  assert_memory_equal(addr, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
  assert_int_equal(hr_ip_literal("2001:db8::ff", addr), 16);
  assert_memory_equal(addr, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\xff", 16);
  assert_int_equal(hr_ip_literal("::ffff:1.2.3.4", addr), 16);
  assert_memory_equal(addr + 10, "\xff\xff\x01\x02\x03\x04", 6);
}

static void not_ip_literals(void **state) {
  (void)state;
  static const char *const names[] = {
      "localhost",  "example.com", "127.1",    "1.2.3.256",
      "1.2.3.4.",   "[::1]",       "::1%lo",   "",
      "0x7f.0.0.1", "1.2.3",       " 1.2.3.4", "fe80::1::2",
  };
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    assert_int_equal(hr_ip_literal(names[i], NULL), 0);
  assert_int_equal(hr_ip_literal(NULL, NULL), 0);
}

static void exact_names(void **state) {
  (void)state;
  assert_int_equal(dns("localhost", "localhost"), 1);
  assert_int_equal(dns("www.example.com", "www.example.com"), 1);
  assert_int_equal(dns("WWW.Example.COM", "www.example.com"), 1);
  assert_int_equal(dns("www.example.com", "WWW.EXAMPLE.COM"), 1);
  assert_int_equal(dns("www.example.com", "example.com"), 0);
  assert_int_equal(dns("example.com", "www.example.com"), 0);
  assert_int_equal(dns("www.example.co", "www.example.com"), 0);
  assert_int_equal(dns("www.example.com", "www.example.co"), 0);
  assert_int_equal(dns("", "localhost"), 0);
  assert_int_equal(dns("localhost", ""), 0);
  assert_int_equal(hr_identity_match_dns(NULL, "localhost", 9), 0);
  assert_int_equal(hr_identity_match_dns("localhost", NULL, 0), 0);
}

static void trailing_dot_on_host(void **state) {
  (void)state;
  assert_int_equal(dns("example.com.", "example.com"), 1);
  assert_int_equal(dns("www.example.com.", "*.example.com"), 1);
  /* Only one dot is dropped, and only from the host. */
  assert_int_equal(dns("example.com..", "example.com"), 0);
  assert_int_equal(dns("example.com", "example.com."), 0);
}

static void pattern_is_length_delimited(void **state) {
  (void)state;
  const char buf[] = "localhostXYZ";
  assert_int_equal(hr_identity_match_dns("localhost", buf, 9), 1);
  assert_int_equal(hr_identity_match_dns("localhost", buf, 8), 0);
  assert_int_equal(hr_identity_match_dns("localhost", buf, 10), 0);
}

static void embedded_nul_never_matches(void **state) {
  (void)state;
  const char evil[] = "localhost\0.evil.example";
  assert_int_equal(hr_identity_match_dns("localhost", evil, sizeof(evil) - 1),
                   0);
  const char evil2[] = "*.example.com\0";
  assert_int_equal(
      hr_identity_match_dns("www.example.com", evil2, sizeof(evil2) - 1), 0);
}

static void whole_label_wildcards(void **state) {
  (void)state;
  assert_int_equal(dns("www.example.com", "*.example.com"), 1);
  assert_int_equal(dns("WWW.EXAMPLE.COM", "*.example.com"), 1);
  assert_int_equal(dns("a-b.example.com", "*.Example.Com"), 1);
  assert_int_equal(dns("xn--bcher-kva.example.com", "*.example.com"), 1);
  assert_int_equal(dns("a.b.example.net", "*.b.example.net"), 1);
  /* Exactly one label, never zero or two. */
  assert_int_equal(dns("example.com", "*.example.com"), 0);
  assert_int_equal(dns(".example.com", "*.example.com"), 0);
  assert_int_equal(dns("a.b.example.com", "*.example.com"), 0);
  assert_int_equal(dns("www.example.org", "*.example.com"), 0);
  /* The label the wildcard takes holds letters, digits and hyphens. */
  assert_int_equal(dns("a_b.example.com", "*.example.com"), 0);
}

static void wildcards_refused(void **state) {
  (void)state;
  /* Public-suffix-like two-label patterns. */
  assert_int_equal(dns("example.com", "*.com"), 0);
  assert_int_equal(dns("www.com", "*.com"), 0);
  assert_int_equal(dns("localhost", "*"), 0);
  /* Partial and misplaced wildcards. */
  assert_int_equal(dns("foo.example.com", "f*.example.com"), 0);
  assert_int_equal(dns("foo.example.com", "*o.example.com"), 0);
  assert_int_equal(dns("foo.example.com", "f*o.example.com"), 0);
  assert_int_equal(dns("www.example.com", "www.*.com"), 0);
  assert_int_equal(dns("www.example.com", "*.*.com"), 0);
  assert_int_equal(dns("www.example.com", "**.example.com"), 0);
  /* A malformed suffix is no wildcard. */
  assert_int_equal(dns("www.example.com", "*..com"), 0);
  assert_int_equal(dns("www.example.com.", "*.example.com."), 0);
  assert_int_equal(dns("www.exa_mple.com", "*.exa_mple.com"), 0);
  assert_int_equal(dns("www.-example.com", "*.-example.com"), 0);
  /* A host holding '*' is no host name. */
  assert_int_equal(dns("*.example.com", "*.example.com"), 0);
}

static void ip_hosts_never_match_dns_names(void **state) {
  (void)state;
  assert_int_equal(dns("127.0.0.1", "127.0.0.1"), 0);
  assert_int_equal(dns("127.0.0.1", "*.0.0.1"), 0);
  assert_int_equal(dns("10.1.2.3", "*.1.2.3"), 0);
  assert_int_equal(dns("::1", "::1"), 0);
  assert_int_equal(dns("127.0.0.1.", "127.0.0.1"), 0);
}

static const char *const dns_sans[] = {"www.example.com", "*.api.example.com",
                                       "localhost"};
static const size_t dns_lens[] = {15, 17, 9};
static const unsigned char ip4[] = {127, 0, 0, 1};
static const unsigned char ip6[] = {0, 0, 0, 0, 0, 0, 0, 0,
                                    0, 0, 0, 0, 0, 0, 0, 1};
static const unsigned char *const ip_sans[] = {ip4, ip6};
static const size_t ip_lens[] = {4, 16};

static const struct hr_peer_names names = {
    .dns = dns_sans,
    .dns_len = dns_lens,
    .dns_count = 3,
    .ip = ip_sans,
    .ip_len = ip_lens,
    .ip_count = 2,
};

static void check_against_names(void **state) {
  (void)state;
  assert_int_equal(hr_identity_check("www.example.com", &names), 1);
  assert_int_equal(hr_identity_check("v2.api.example.com", &names), 1);
  assert_int_equal(hr_identity_check("LOCALHOST.", &names), 1);
  assert_int_equal(hr_identity_check("api.example.com", &names), 0);
  assert_int_equal(hr_identity_check("example.com", &names), 0);
  assert_int_equal(hr_identity_check("127.0.0.1", &names), 1);
  assert_int_equal(hr_identity_check("::1", &names), 1);
  assert_int_equal(hr_identity_check("0:0::1", &names), 1);
  assert_int_equal(hr_identity_check("127.0.0.2", &names), 0);
  /* An IPv4 address does not match its IPv4-mapped IPv6 form. */
  assert_int_equal(hr_identity_check("::ffff:127.0.0.1", &names), 0);
  assert_int_equal(hr_identity_check(NULL, &names), 0);
  assert_int_equal(hr_identity_check("localhost", NULL), 0);
}

static void ip_only_matches_ip_sans(void **state) {
  (void)state;
  /* A certificate with the address only as a DNS SAN does not match. */
  static const char *const d[] = {"127.0.0.1"};
  static const size_t dl[] = {9};
  struct hr_peer_names only_dns = {.dns = d, .dns_len = dl, .dns_count = 1};
  assert_int_equal(hr_identity_check("127.0.0.1", &only_dns), 0);
  /* A 4-byte SAN never matches a 16-byte address that starts the same. */
  static const unsigned char v6[] = {127, 0, 0, 1, 0, 0, 0, 0,
                                     0,   0, 0, 0, 0, 0, 0, 0};
  static const unsigned char *const i[] = {v6};
  static const size_t il[] = {16};
  struct hr_peer_names only_v6 = {.ip = i, .ip_len = il, .ip_count = 1};
  assert_int_equal(hr_identity_check("127.0.0.1", &only_v6), 0);
  assert_int_equal(hr_identity_check("7f00:1::", &only_v6), 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(ipv4_literals),
      cmocka_unit_test(ipv6_literals),
      cmocka_unit_test(not_ip_literals),
      cmocka_unit_test(exact_names),
      cmocka_unit_test(trailing_dot_on_host),
      cmocka_unit_test(pattern_is_length_delimited),
      cmocka_unit_test(embedded_nul_never_matches),
      cmocka_unit_test(whole_label_wildcards),
      cmocka_unit_test(wildcards_refused),
      cmocka_unit_test(ip_hosts_never_match_dns_names),
      cmocka_unit_test(check_against_names),
      cmocka_unit_test(ip_only_matches_ip_sans),
  };
  return cmocka_run_group_tests_name("identity", tests, NULL, NULL);
}
