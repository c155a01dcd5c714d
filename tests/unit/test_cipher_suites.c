/* SPDX-License-Identifier: MIT */
/*
 * test_cipher_suites.c - the table of cipher suites httpr knows and the
 * one parser of a configured list (backends/cipher_suites.h): every code
 * point and name once, OpenSSL's names for TLS 1.2 only, the configured
 * order kept, and each refusal's code and words. The suites a provider
 * really negotiates are the conformance suite's (test_ciphers.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "backends/cipher_suites.h"

static void table_consistent(void **state) {
  (void)state;
  size_t n = 0;
  for (const struct hr_suite *a; (a = hr_suite_at(n)); n++) {
    assert_true(a->version == 12 || a->version == 13);
    assert_true((a->openssl != NULL) == (a->version == 12));
    assert_int_equal(strncmp(a->iana, "TLS_", 4), 0);
    assert_ptr_equal(hr_suite_by_id(a->id), a);
    for (size_t k = 0; k < n; k++) {
      const struct hr_suite *b = hr_suite_at(k);
      assert_int_not_equal(a->id, b->id);
      assert_int_not_equal(strcasecmp(a->iana, b->iana), 0);
      if (a->openssl && b->openssl)
        assert_int_not_equal(strcasecmp(a->openssl, b->openssl), 0);
    }
  }
  assert_true(n < HR_SUITES_MAX);
  assert_null(hr_suite_by_id(0x0000));
}

/* Every suite httpr knows is allowed: the parser's own checks only. */
static httpr_code parse(const char *list, int version,
                        const struct hr_suite *out[HR_SUITES_MAX], size_t *n,
                        httpr_error *err) {
  uint16_t all[HR_SUITES_MAX];
  size_t count = 0;
  for (const struct hr_suite *s; (s = hr_suite_at(count));)
    all[count++] = s->id;
  return hr_tls_suites(list, version, "test", all, count, out, n, err);
}

static void order_and_names_kept(void **state) {
  (void)state;
  const struct hr_suite *out[HR_SUITES_MAX];
  size_t n = 7;
  httpr_error err = {0};
  assert_int_equal(parse(NULL, 12, out, &n, &err), HTTPR_OK);
  assert_int_equal(n, 0);
  assert_int_equal(parse("AES128-SHA, tls_ecdhe_rsa_with_aes_128_gcm_sha256:"
                         "ECDHE-ECDSA-CHACHA20-POLY1305 ",
                         12, out, &n, &err),
                   HTTPR_OK);
  assert_int_equal(n, 3);
  assert_int_equal(out[0]->id, 0x002F);
  assert_int_equal(out[1]->id, 0xC02F);
  assert_int_equal(out[2]->id, 0xCCA9);
  assert_int_equal(parse("TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256",
                         13, out, &n, &err),
                   HTTPR_OK);
  assert_int_equal(n, 2);
  assert_int_equal(out[0]->id, 0x1303);
}

static void refusals_named(void **state) {
  (void)state;
  static const struct {
    const char *list;
    int version;
    httpr_code code;
    const char *message;
  } cases[] = {
      {"DEFAULT", 12, HTTPR_E_UNSUPPORTED, "unknown cipher suite 'DEFAULT'"},
      {"AES128-SHA:TLS_RSA_WITH_AES_128_CBC_SHA", 12, HTTPR_E_INVALID,
       "the cipher suite TLS_RSA_WITH_AES_128_CBC_SHA is listed twice"},
      {"TLS_AES_256_GCM_SHA384", 12, HTTPR_E_INVALID,
       "the cipher suite TLS_AES_256_GCM_SHA384 is for TLS 1.3, not TLS 1.2"},
      {"AES128-SHA", 13, HTTPR_E_INVALID,
       "the cipher suite TLS_RSA_WITH_AES_128_CBC_SHA is for TLS 1.2, not "
       "TLS 1.3"},
      {":,", 12, HTTPR_E_INVALID, "the cipher suite list is empty"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const struct hr_suite *out[HR_SUITES_MAX];
    size_t n = 0;
    httpr_error err = {0};
    assert_int_equal(parse(cases[i].list, cases[i].version, out, &n, &err),
                     cases[i].code);
    assert_string_equal(err.message, cases[i].message);
  }
}

static void provider_list_bounds_it(void **state) {
  (void)state;
  const uint16_t allowed[] = {0xC02B};
  const struct hr_suite *out[HR_SUITES_MAX];
  size_t n = 0;
  httpr_error err = {0};
  assert_int_equal(hr_tls_suites("ECDHE-ECDSA-AES128-GCM-SHA256", 12, "p",
                                 allowed, 1, out, &n, &err),
                   HTTPR_OK);
  assert_int_equal(hr_tls_suites("ECDHE-ECDSA-AES256-GCM-SHA384", 12, "p",
                                 allowed, 1, out, &n, &err),
                   HTTPR_E_UNSUPPORTED);
  assert_string_equal(err.message, "the p provider does not support the "
                                   "cipher suite "
                                   "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
  const char *extra[] = {"TLS_A", "TLS_B"};
  assert_int_equal(hr_tls_suites_would_add(&err, "p", extra, 2),
                   HTTPR_E_UNSUPPORTED);
  assert_string_equal(err.message, "the p provider cannot offer exactly the "
                                   "configured cipher suites: it would add "
                                   "TLS_A, TLS_B");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(table_consistent),
      cmocka_unit_test(order_and_names_kept),
      cmocka_unit_test(refusals_named),
      cmocka_unit_test(provider_list_bounds_it),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
