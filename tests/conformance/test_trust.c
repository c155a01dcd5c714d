/* SPDX-License-Identifier: MIT */
/*
 * test_trust.c - where trust anchors come from: CA files and directories
 * (hashed or not), the environment variables and their precedence over
 * each other and over the system store, and every way a CA source can be
 * unusable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/conformance/suite.h"

/* A request to the good server with cfg must give `want`. */
static void expect_trust(httpr_config *cfg, httpr_code want) {
  httpr_response_free(
      expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), want, NULL));
}

static void ca_file_missing(void **state) {
  (void)state;
  httpr_config *cfg = cfg_bare();
  httpr_config_set_ca_file(cfg, pki("no-such-file.pem"));
  httpr_error *err = httpr_error_new();
  expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_E_CA_FILE, err);
  assert_non_null(strstr(httpr_error_message(err), "no-such-file.pem"));
  httpr_error_free(err);
  httpr_config_free(cfg);
}

static void ca_file_without_certificate(void **state) {
  (void)state;
  httpr_config *cfg = cfg_bare();
  httpr_config_set_ca_file(cfg, pki("not-a-cert.pem"));
  expect_trust(cfg, HTTPR_E_CA_FILE);
  httpr_config_free(cfg);
}

static void ca_file_is_a_directory(void **state) {
  (void)state;
  httpr_config *cfg = cfg_bare();
  httpr_config_set_ca_file(cfg, pki("ca-dir-plain"));
  expect_trust(cfg, HTTPR_E_CA_FILE);
  httpr_config_free(cfg);
}

/* A CA directory needs the CA_DIR feature; without it the provider says
 * so instead of ignoring the setting. */
static void ca_dir_case(const char *dir, httpr_code when_supported) {
  httpr_config *cfg = cfg_bare();
  httpr_config_set_ca_dir(cfg, dir);
  expect_trust(cfg, (g_suite.features & HTTPR_FEATURE_CA_DIR)
                        ? when_supported
                        : HTTPR_E_UNSUPPORTED);
  httpr_config_free(cfg);
}

static void ca_dir_hashed(void **state) {
  (void)state;
  ca_dir_case(pki("ca-dir-hashed"), HTTPR_OK);
}

static void ca_dir_not_hashed(void **state) {
  (void)state;
  ca_dir_case(pki("ca-dir-plain"), HTTPR_OK);
}

static void ca_dir_missing(void **state) {
  (void)state;
  ca_dir_case(pki("no-such-dir"), HTTPR_E_CA_FILE);
}

static void ca_dir_without_certificate(void **state) {
  (void)state;
  const char *dir = tmp_path("empty-ca-dir");
  mkdir(dir, 0700);
  char file[600];
  snprintf(file, sizeof(file), "%s/readme.txt", dir);
  FILE *f = fopen(file, "w");
  assert_non_null(f);
  fputs("not a certificate\n", f);
  fclose(f);
  ca_dir_case(dir, HTTPR_E_CA_FILE);
}

static void ssl_cert_file_honoured(void **state) {
  (void)state;
  setenv("SSL_CERT_FILE", pki("ca-bundle.pem"), 1);
  httpr_config *cfg = cfg_bare();
  expect_trust(cfg, HTTPR_OK);
  httpr_config_free(cfg);
}

static void ssl_cert_dir_honoured(void **state) {
  (void)state;
  setenv("SSL_CERT_DIR", pki("ca-dir-plain"), 1);
  httpr_config *cfg = cfg_bare();
  expect_trust(cfg, HTTPR_OK);
  httpr_config_free(cfg);
}

static void httpr_ca_bundle_honoured(void **state) {
  (void)state;
  setenv("HTTPR_CA_BUNDLE", pki("ca-bundle.pem"), 1);
  httpr_config *cfg = cfg_bare();
  expect_trust(cfg, HTTPR_OK);
  httpr_config_free(cfg);
}

static void ssl_cert_file_missing(void **state) {
  (void)state;
  setenv("SSL_CERT_FILE", pki("no-such-file.pem"), 1);
  httpr_config *cfg = cfg_bare();
  httpr_error *err = httpr_error_new();
  expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_E_CA_FILE, err);
  assert_non_null(strstr(httpr_error_message(err), "SSL_CERT_FILE"));
  httpr_error_free(err);
  httpr_config_free(cfg);
}

/* Each level hides the ones below it: the lower one is set to a CA that
 * would give a different outcome. */
static void httpr_ca_bundle_beats_ssl_cert_file(void **state) {
  (void)state;
  setenv("HTTPR_CA_BUNDLE", pki("other-root-ca.pem"), 1);
  setenv("SSL_CERT_FILE", pki("ca-bundle.pem"), 1);
  httpr_config *cfg = cfg_bare();
  expect_trust(cfg, HTTPR_E_CERT_UNTRUSTED);
  httpr_config_free(cfg);
}

static void config_beats_httpr_ca_bundle(void **state) {
  (void)state;
  setenv("HTTPR_CA_BUNDLE", pki("other-root-ca.pem"), 1);
  setenv("SSL_CERT_FILE", pki("other-root-ca.pem"), 1);
  httpr_config *cfg = cfg_new();
  expect_trust(cfg, HTTPR_OK);
  httpr_config_free(cfg);
}

static void ssl_cert_file_beats_system_store(void **state) {
  (void)state;
  setenv("SSL_CERT_FILE", pki("ca-bundle.pem"), 1);
  httpr_config *cfg = cfg_bare();
  expect_trust(cfg, HTTPR_OK);
  unsetenv("SSL_CERT_FILE");
  expect_trust(cfg, HTTPR_E_CERT_UNTRUSTED);
  httpr_config_free(cfg);
}

/* The system store does not hold the test root. */
static void system_store_is_the_default(void **state) {
  (void)state;
  httpr_config *cfg = cfg_bare();
  httpr_error *err = httpr_error_new();
  expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_E_CERT_UNTRUSTED,
             err);
  assert_string_equal(httpr_error_hint(err),
                      "the CA bundle lacks the issuer: give it with --cacert "
                      "or SSL_CERT_FILE");
  httpr_error_free(err);
  httpr_config_free(cfg);
}

#define ENV_TEST(f) cmocka_unit_test_setup_teardown(f, env_clean, env_clean)

const struct CMUnitTest trust_tests[] = {
    cmocka_unit_test(ca_file_missing),
    cmocka_unit_test(ca_file_without_certificate),
    cmocka_unit_test(ca_file_is_a_directory),
    cmocka_unit_test(ca_dir_hashed),
    cmocka_unit_test(ca_dir_not_hashed),
    cmocka_unit_test(ca_dir_missing),
    cmocka_unit_test(ca_dir_without_certificate),
    ENV_TEST(ssl_cert_file_honoured),
    ENV_TEST(ssl_cert_dir_honoured),
    ENV_TEST(httpr_ca_bundle_honoured),
    ENV_TEST(ssl_cert_file_missing),
    ENV_TEST(httpr_ca_bundle_beats_ssl_cert_file),
    ENV_TEST(config_beats_httpr_ca_bundle),
    ENV_TEST(ssl_cert_file_beats_system_store),
    ENV_TEST(system_store_is_the_default),
};
const size_t trust_tests_count = COUNT_OF(trust_tests);
