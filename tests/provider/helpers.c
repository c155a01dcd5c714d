/* SPDX-License-Identifier: MIT */
/*
 * helpers.c - the small pieces the scenarios share: how a detail is
 * matched, the version the test server negotiates, and server options
 * from a certificate and key.
 */
#include <stdio.h>
#include <string.h>

#include "tests/provider/scenarios.h"

void expect_detail(const char *got, struct detail want) {
  assert_true(strlen(got) > 0);
  switch (want.how) {
  case MATCH_ANY:
    break;
  case MATCH_EXACT:
    assert_string_equal(got, want.text);
    break;
  case MATCH_CONTAINS:
    if (!strstr(got, want.text))
      print_error("detail '%s' lacks '%s'\n", got, want.text);
    assert_non_null(strstr(got, want.text));
    break;
  case MATCH_PREFIX:
    if (strncmp(got, want.text, strlen(want.text)) != 0)
      print_error("detail '%s' does not start '%s'\n", got, want.text);
    assert_memory_equal(got, want.text, strlen(want.text));
    break;
  }
}

int has_tls13(void) { return (P->features & HTTPR_FEATURE_TLS13) != 0; }

const char *newest_version(int max_version) {
  return has_tls13() && max_version != 12 ? "TLSv1.3" : "TLSv1.2";
}

struct server_opts opts_with(const char *cert, const char *key) {
  struct server_opts o = good_opts();
  o.cert = cert;
  o.key = key;
  return o;
}
