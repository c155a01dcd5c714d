/* SPDX-License-Identifier: MIT */
/*
 * test_ciphers.c - cipher suites by their standard names
 * (httpr_config_set_ciphers, ..._tls13_ciphers, --ciphers), against
 * openssl s_server offering every suite OpenSSL has: each suite the
 * capability query lists is the one negotiated when it is configured
 * alone; a name that is unknown, of the other TLS version or not offered
 * is refused; a list the provider cannot offer exactly (GnuTLS's cross
 * product) is refused naming what it would add; a server with nothing in
 * common fails the same way on every provider.
 */
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "tests/conformance/server.h"
#include "tests/conformance/suite.h"

#define ALL_TLS13                                                              \
  "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"                             \
  "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_CCM_SHA256:"                       \
  "TLS_AES_128_CCM_8_SHA256"

/* The s_server a test started, stopped by its teardown even when the
 * test fails. */
static pid_t s_server_pid;

static int stop_s_server(void **state) {
  (void)state;
  if (s_server_pid > 0)
    stop_server(s_server_pid);
  s_server_pid = 0;
  return 0;
}

/* s_server with the RSA and the ECDSA leaf (an RSA, a DHE and an ECDSA
 * suite each need theirs), both chains, the TLS 1.2 suites `cipher` and
 * the TLS 1.3 suites `suites13`; answers every request with its status
 * page. Returns the port. */
static int start_s_server(const char *cipher, const char *suites13) {
  char rsa[512], rsa_key[512], ecdsa[512], ecdsa_key[512], inter[512];
  snprintf(rsa, sizeof(rsa), "%s", pki("good-rsa.crt"));
  snprintf(rsa_key, sizeof(rsa_key), "%s", pki("good-rsa.key"));
  snprintf(ecdsa, sizeof(ecdsa), "%s", pki("good-ecdsa.crt"));
  snprintf(ecdsa_key, sizeof(ecdsa_key), "%s", pki("good-ecdsa.key"));
  snprintf(inter, sizeof(inter), "%s", pki("inter-ca.pem"));
  char *const options[] = {"-cert",
                           rsa,
                           "-key",
                           rsa_key,
                           "-cert_chain",
                           inter,
                           "-dcert",
                           ecdsa,
                           "-dkey",
                           ecdsa_key,
                           "-dcert_chain",
                           inter,
                           "-cipher",
                           (char *)cipher,
                           "-ciphersuites",
                           (char *)suites13,
                           NULL};
  int port = spawn_s_server(options, &s_server_pid);
  assert_true(port > 0);
  return port;
}

static const char *url_on(int port) {
  static char url[64];
  snprintf(url, sizeof(url), "https://localhost:%d/", port);
  return url;
}

/* TLS 1.3 suites are the IANA names without a key exchange in them
 * (OpenSSL's names are TLS 1.2 ones). */
static int tls13_suite(const char *name) {
  return strncmp(name, "TLS_", 4) == 0 && strstr(name, "_WITH_") == NULL;
}

static int offers(const char *suite) {
  size_t me = provider_index();
  for (size_t k = 0; httpr_provider_cipher(me, k); k++)
    if (strcmp(httpr_provider_cipher(me, k), suite) == 0)
      return 1;
  return 0;
}

/* A config offering only `suite`, at its TLS version only. */
static httpr_config *cfg_suite(const char *suite) {
  httpr_config *cfg = cfg_new();
  int v13 = tls13_suite(suite);
  assert_code(httpr_config_set_min_tls_version(cfg, v13 ? HTTPR_TLS_1_3
                                                        : HTTPR_TLS_1_2),
              HTTPR_OK);
  assert_code(httpr_config_set_max_tls_version(cfg, v13 ? HTTPR_TLS_1_3
                                                        : HTTPR_TLS_1_2),
              HTTPR_OK);
  assert_code(v13 ? httpr_config_set_tls13_ciphers(cfg, suite)
                  : httpr_config_set_ciphers(cfg, suite),
              HTTPR_OK);
  return cfg;
}

/* The suite a request negotiates; NULL on failure (err says why). */
static void expect_cipher(const httpr_config *cfg, int port, const char *want) {
  httpr_response *resp = expect_get(cfg, url_on(port), HTTPR_OK, NULL);
  assert_string_equal(httpr_response_tls_cipher(resp), want);
  httpr_response_free(resp);
}

static void expect_refused(const httpr_config *cfg, int port, httpr_code code,
                           const char *message) {
  httpr_error *err = httpr_error_new();
  assert_null(expect_get(cfg, url_on(port), code, err));
  assert_string_equal(httpr_error_message(err), message);
  httpr_error_free(err);
}

/* Refused because the provider would add suites a and b, in its own
 * order: the names are what matters. */
static void expect_would_add(const httpr_config *cfg, int port, const char *a,
                             const char *b) {
  char want[256];
  snprintf(want, sizeof(want),
           "the %s provider cannot offer exactly the configured cipher "
           "suites: it would add %s, %s",
           g_suite.provider, a, b);
  httpr_error *err = httpr_error_new();
  assert_null(expect_get(cfg, url_on(port), HTTPR_E_UNSUPPORTED, err));
  const char *msg = httpr_error_message(err);
  assert_non_null(strstr(msg, "cannot offer exactly the configured"));
  assert_non_null(strstr(msg, a));
  assert_non_null(strstr(msg, b));
  assert_int_equal(strlen(msg), strlen(want));
  httpr_error_free(err);
}

static void every_listed_suite_negotiated(void **state) {
  (void)state;
  int port = start_s_server("ALL:@SECLEVEL=0", ALL_TLS13);
  size_t me = provider_index(), k = 0;
  for (; httpr_provider_cipher(me, k); k++) {
    const char *suite = httpr_provider_cipher(me, k);
    if (tls13_suite(suite) && !(g_suite.features & HTTPR_FEATURE_TLS13))
      fail_msg("%s lists the TLS 1.3 suite %s without TLS 1.3",
               g_suite.provider, suite);
    httpr_config *cfg = cfg_suite(suite);
    expect_cipher(cfg, port, suite);
    httpr_config_free(cfg);
  }
  /* Every provider has at least the suites every server takes. */
  assert_true(k >= 8);
  assert_null(httpr_provider_cipher(httpr_provider_count(), 0));
}

/* OpenSSL's name for a TLS 1.2 suite means the same suite. */
static void openssl_names_taken(void **state) {
  (void)state;
  int port = start_s_server("ALL:@SECLEVEL=0", ALL_TLS13);
  httpr_config *cfg = cfg_suite("ECDHE-ECDSA-AES128-GCM-SHA256");
  expect_cipher(cfg, port, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
  httpr_config_free(cfg);
  /* Case does not matter, and ',' or ' ' may separate. */
  cfg = cfg_suite("tls_ecdhe_rsa_with_aes_256_gcm_sha384, "
                  "ECDHE-RSA-AES256-GCM-SHA384x");
  expect_refused(cfg, port, HTTPR_E_UNSUPPORTED,
                 "unknown cipher suite 'ECDHE-RSA-AES256-GCM-SHA384x'");
  httpr_config_free(cfg);
  cfg = cfg_suite("tls_ecdhe_rsa_with_aes_256_gcm_sha384");
  expect_cipher(cfg, port, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
  httpr_config_free(cfg);
}

static void bad_lists_refused(void **state) {
  (void)state;
  int port = start_s_server("ALL:@SECLEVEL=0", ALL_TLS13);
  static const struct {
    const char *list;
    int tls13;
    httpr_code code;
    const char *message;
  } cases[] = {
      {"TLS_FOO", 0, HTTPR_E_UNSUPPORTED, "unknown cipher suite 'TLS_FOO'"},
      {"HIGH:!aNULL", 0, HTTPR_E_UNSUPPORTED, "unknown cipher suite 'HIGH'"},
      {"TLS_AES_128_GCM_SHA256", 0, HTTPR_E_INVALID,
       "the cipher suite TLS_AES_128_GCM_SHA256 is for TLS 1.3, not TLS 1.2"},
      {"ECDHE-RSA-AES128-GCM-SHA256", 1, HTTPR_E_INVALID,
       "the cipher suite TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 is for TLS "
       "1.2, not TLS 1.3"},
      {"ECDHE-RSA-AES128-GCM-SHA256:TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0,
       HTTPR_E_INVALID,
       "the cipher suite TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 is listed "
       "twice"},
      {" : ", 0, HTTPR_E_INVALID, "the cipher suite list is empty"},
  };
  for (size_t i = 0; i < COUNT_OF(cases); i++) {
    httpr_config *cfg = cfg_new();
    assert_code(cases[i].tls13
                    ? httpr_config_set_tls13_ciphers(cfg, cases[i].list)
                    : httpr_config_set_ciphers(cfg, cases[i].list),
                HTTPR_OK);
    expect_refused(cfg, port, cases[i].code, cases[i].message);
    httpr_config_free(cfg);
  }
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_ciphers(cfg, ""), HTTPR_E_INVALID);
  assert_code(httpr_config_set_ciphers(cfg, "AES128-SHA\r\nX: y"),
              HTTPR_E_INVALID);
  assert_code(httpr_config_set_tls13_ciphers(cfg, "\n"), HTTPR_E_INVALID);
  httpr_config_free(cfg);
}

/* A suite httpr knows that the provider does not offer is refused by
 * name, never replaced: each provider lacks some of these. */
static void unoffered_suite_refused(void **state) {
  (void)state;
  static const char *const known[] = {"TLS_AES_128_CCM_SHA256",
                                      "TLS_AES_128_CCM_8_SHA256",
                                      "TLS_DHE_RSA_WITH_AES_128_CCM",
                                      "TLS_RSA_WITH_AES_256_CCM_8",
                                      "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
                                      "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
                                      "TLS_ECDHE_ECDSA_WITH_AES_128_CCM",
                                      "TLS_AES_256_GCM_SHA384"};
  int port = start_s_server("ALL:@SECLEVEL=0", ALL_TLS13);
  size_t refused = 0;
  for (size_t i = 0; i < COUNT_OF(known); i++) {
    if (offers(known[i]))
      continue;
    char want[160];
    snprintf(want, sizeof(want),
             "the %s provider does not support the cipher suite %s",
             g_suite.provider, known[i]);
    httpr_config *cfg = cfg_suite(known[i]);
    /* Without TLS 1.3, asking for it alone fails first. */
    if (!tls13_suite(known[i]) || (g_suite.features & HTTPR_FEATURE_TLS13)) {
      expect_refused(cfg, port, HTTPR_E_UNSUPPORTED, want);
    } else {
      httpr_config_free(cfg);
      cfg = cfg_new();
      assert_code(httpr_config_set_tls13_ciphers(cfg, known[i]), HTTPR_OK);
      expect_refused(cfg, port, HTTPR_E_UNSUPPORTED, want);
    }
    httpr_config_free(cfg);
    refused++;
  }
  assert_true(refused > 0);
}

/* Two suites whose key exchanges and ciphers differ: GnuTLS would enable
 * the other two combinations as well. */
static void cross_product_refused_or_exact(void **state) {
  (void)state;
  int port = start_s_server("ALL:@SECLEVEL=0", ALL_TLS13);
  httpr_config *cfg = cfg_suite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:"
                                "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
  if (g_suite.features & HTTPR_FEATURE_EXACT_CIPHERS) {
    /* The server's choice among the two; it follows the client's order. */
    httpr_response *resp = expect_get(cfg, url_on(port), HTTPR_OK, NULL);
    const char *got = httpr_response_tls_cipher(resp);
    assert_true(strcmp(got, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256") == 0 ||
                strcmp(got, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256") ==
                    0);
    httpr_response_free(resp);
  } else {
    expect_would_add(cfg, port, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
                     "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
  }
  httpr_config_free(cfg);
}

/* TLS 1.2 on AES-128-GCM, TLS 1.3 on AES-256-GCM: one list per version
 * where the library has them, else refused naming the additions (GnuTLS:
 * one cipher choice for both), or the TLS 1.3 suite (no TLS 1.3). */
static void tls12_and_tls13_lists_apart(void **state) {
  (void)state;
  int port = start_s_server("ALL:@SECLEVEL=0", ALL_TLS13);
  httpr_config *cfg = cfg_new();
  assert_code(
      httpr_config_set_ciphers(cfg, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
      HTTPR_OK);
  assert_code(httpr_config_set_tls13_ciphers(cfg, "TLS_AES_256_GCM_SHA384"),
              HTTPR_OK);
  char want[256];
  if (!(g_suite.features & HTTPR_FEATURE_TLS13)) {
    snprintf(want, sizeof(want),
             "the %s provider does not support the cipher suite "
             "TLS_AES_256_GCM_SHA384",
             g_suite.provider);
    expect_refused(cfg, port, HTTPR_E_UNSUPPORTED, want);
  } else if (!(g_suite.features & HTTPR_FEATURE_EXACT_CIPHERS)) {
    expect_would_add(cfg, port, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
                     "TLS_AES_128_GCM_SHA256");
  } else {
    expect_cipher(cfg, port, "TLS_AES_256_GCM_SHA384");
    assert_code(httpr_config_set_max_tls_version(cfg, HTTPR_TLS_1_2), HTTPR_OK);
    expect_cipher(cfg, port, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
  }
  httpr_config_free(cfg);
}

/* A TLS 1.2 list alone leaves TLS 1.3's as it was where the library
 * keeps them apart; GnuTLS limits TLS 1.3 to the same ciphers. */
static void tls12_list_alone_and_tls13(void **state) {
  (void)state;
  if (!(g_suite.features & HTTPR_FEATURE_TLS13))
    return; /* nothing at TLS 1.3 to compare: tls12_and_tls13_lists_apart */
  int port = start_s_server("ALL:@SECLEVEL=0", "TLS_AES_256_GCM_SHA384:"
                                               "TLS_AES_128_GCM_SHA256");
  httpr_config *cfg = cfg_new();
  assert_code(
      httpr_config_set_ciphers(cfg, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
      HTTPR_OK);
  expect_cipher(cfg, port,
                (g_suite.features & HTTPR_FEATURE_EXACT_CIPHERS)
                    ? "TLS_AES_256_GCM_SHA384"
                    : "TLS_AES_128_GCM_SHA256");
  httpr_config_free(cfg);
}

/* Nothing in common: the server's handshake_failure alert, the same on
 * every provider. */
static void nothing_in_common(void **state) {
  (void)state;
  int port =
      start_s_server("ECDHE-RSA-AES256-GCM-SHA384", "TLS_AES_256_GCM_SHA384");
  httpr_config *cfg = cfg_suite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
  httpr_error *err = httpr_error_new();
  assert_null(expect_get(cfg, url_on(port), HTTPR_E_TLS_HANDSHAKE, err));
  assert_string_equal(httpr_error_message(err),
                      "TLS handshake failed: server sent alert "
                      "handshake_failure");
  httpr_error_free(err);
  httpr_config_free(cfg);
}

/* The CLI takes the lists and names a refusal as the library does. */
static void cli_ciphers(void **state) {
  (void)state;
  char err_out[1024];
  const char *const list[] = {"--list-ciphers", "--tls-provider",
                              g_suite.provider, NULL};
  assert_int_equal(run_cli(list, NULL, NULL, err_out, sizeof(err_out)), 0);
  const char *const unknown[] = {"--list-ciphers", "--tls-provider", "nope",
                                 NULL};
  assert_int_equal(run_cli(unknown, NULL, NULL, err_out, sizeof(err_out)), 4);
  assert_non_null(strstr(err_out, "no TLS provider named 'nope'"));
  const char *const bogus[] = {"--tls-provider",
                               g_suite.provider,
                               "--ciphers",
                               "BOGUS",
                               url_of(SRV_GOOD_ECDSA, NULL, "/"),
                               NULL};
  assert_int_equal(run_cli(bogus, NULL, NULL, err_out, sizeof(err_out)), 4);
  assert_non_null(strstr(err_out, "unknown cipher suite 'BOGUS'"));
}

const struct CMUnitTest ciphers_tests[] = {
    cmocka_unit_test_teardown(every_listed_suite_negotiated, stop_s_server),
    cmocka_unit_test_teardown(openssl_names_taken, stop_s_server),
    cmocka_unit_test_teardown(bad_lists_refused, stop_s_server),
    cmocka_unit_test_teardown(unoffered_suite_refused, stop_s_server),
    cmocka_unit_test_teardown(cross_product_refused_or_exact, stop_s_server),
    cmocka_unit_test_teardown(tls12_and_tls13_lists_apart, stop_s_server),
    cmocka_unit_test_teardown(tls12_list_alone_and_tls13, stop_s_server),
    cmocka_unit_test_teardown(nothing_in_common, stop_s_server),
    cmocka_unit_test_teardown(cli_ciphers, stop_s_server),
};
const size_t ciphers_tests_count = COUNT_OF(ciphers_tests);
