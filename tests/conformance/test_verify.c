/* SPDX-License-Identifier: MIT */
/*
 * test_verify.c - certificate verification: good chains by name and by IP
 * address, every bad chain with its exact code and message, and the same
 * chains again with verification (or only the identity check) turned off.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/conformance/suite.h"

static void expect_hello(httpr_response *resp) {
  assert_non_null(resp);
  assert_int_equal(httpr_response_status(resp), 200);
  char *body = body_string(resp);
  assert_string_equal(body, "hello\n");
  free(body);
  assert_string_equal(httpr_response_tls_provider(resp), g_suite.provider);
  assert_string_equal(httpr_response_tls_alpn(resp), "http/1.1");
  assert_non_null(strstr(httpr_response_peer_subject(resp), "CN=localhost"));
  assert_non_null(
      strstr(httpr_response_peer_issuer(resp), "httpr test intermediate"));
  httpr_response_free(resp);
}

static void good_chain(enum profile p, const char *host) {
  httpr_config *cfg = cfg_new();
  expect_hello(expect_get(cfg, url_of(p, host, "/"), HTTPR_OK, NULL));
  httpr_config_free(cfg);
}

static void good_rsa_by_name(void **state) {
  (void)state;
  good_chain(SRV_GOOD_RSA, "localhost");
}

static void good_rsa_by_ip(void **state) {
  (void)state;
  good_chain(SRV_GOOD_RSA, "127.0.0.1");
}

static void good_ecdsa_by_name(void **state) {
  (void)state;
  good_chain(SRV_GOOD_ECDSA, "localhost");
}

static void good_ecdsa_by_ip(void **state) {
  (void)state;
  good_chain(SRV_GOOD_ECDSA, "127.0.0.1");
}

static void good_ecdsa_by_ipv6_literal(void **state) {
  (void)state;
  good_chain(SRV_IPV6, "[::1]");
}

/* A bad chain: the exact code and the exact message, whatever the
 * provider. */
static void bad_chain(enum profile p, const char *host, httpr_code want,
                      const char *message) {
  httpr_config *cfg = cfg_new();
  expect_failure(cfg, url_of(p, host, "/"), want, message);
  httpr_config_free(cfg);
}

static void expired(void **state) {
  (void)state;
  bad_chain(SRV_EXPIRED, NULL, HTTPR_E_CERT_EXPIRED,
            "certificate verify failed: certificate has expired");
}

static void not_yet_valid(void **state) {
  (void)state;
  bad_chain(SRV_NOTYET, NULL, HTTPR_E_CERT_NOT_YET_VALID,
            "certificate verify failed: certificate is not yet valid");
}

static void wrong_host(void **state) {
  (void)state;
  bad_chain(SRV_WRONGHOST, NULL, HTTPR_E_CERT_HOSTNAME,
            "certificate verify failed: certificate does not match host "
            "name 'localhost'");
}

static void ip_not_in_certificate(void **state) {
  (void)state;
  bad_chain(SRV_NOIP, "127.0.0.1", HTTPR_E_CERT_HOSTNAME,
            "certificate verify failed: certificate does not match host "
            "name '127.0.0.1'");
}

static void name_in_certificate_without_ip(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_response_free(
      expect_get(cfg, url_of(SRV_NOIP, NULL, "/"), HTTPR_OK, NULL));
  httpr_config_free(cfg);
}

static void self_signed(void **state) {
  (void)state;
  bad_chain(SRV_SELFSIGNED, NULL, HTTPR_E_CERT_UNTRUSTED,
            "certificate verify failed: self-signed certificate");
}

static void untrusted_root(void **state) {
  (void)state;
  bad_chain(SRV_UNTRUSTED, NULL, HTTPR_E_CERT_UNTRUSTED,
            "certificate verify failed: self-signed certificate in "
            "certificate chain");
}

static void missing_intermediate(void **state) {
  (void)state;
  bad_chain(SRV_MISSING_INTER, NULL, HTTPR_E_CERT_UNTRUSTED,
            "certificate verify failed: unable to get local issuer "
            "certificate");
}

/* A leaf whose extended key usage does not allow a server: a failure
 * outside the named ones, still worded the same by every provider. */
static void wrong_key_purpose(void **state) {
  (void)state;
  bad_chain(SRV_BAD_PURPOSE, NULL, HTTPR_E_CERT_OTHER,
            "certificate verify failed: unsuitable certificate purpose");
}

static const enum profile bad_profiles[] = {
    SRV_EXPIRED,   SRV_NOTYET,        SRV_WRONGHOST,  SRV_SELFSIGNED,
    SRV_UNTRUSTED, SRV_MISSING_INTER, SRV_BAD_PURPOSE};

static void bad_chains_with_verify_off(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  assert_int_equal(httpr_config_set_verify(cfg, 0), HTTPR_OK);
  for (size_t i = 0; i < COUNT_OF(bad_profiles); i++) {
    httpr_response *resp =
        expect_get(cfg, url_of(bad_profiles[i], NULL, "/"), HTTPR_OK, NULL);
    assert_int_equal(httpr_response_status(resp), 200);
    httpr_response_free(resp);
  }
  httpr_config_free(cfg);
}

static void verify_off_needs_no_trust_store(void **state) {
  (void)state;
  httpr_config *cfg = cfg_bare();
  assert_int_equal(httpr_config_set_ca_file(cfg, pki("does-not-exist.pem")),
                   HTTPR_OK);
  assert_int_equal(httpr_config_set_verify(cfg, 0), HTTPR_OK);
  httpr_response_free(
      expect_get(cfg, url_of(SRV_SELFSIGNED, NULL, "/"), HTTPR_OK, NULL));
  httpr_config_free(cfg);
}

/* With the identity check off only a name mismatch is forgiven: the chain
 * is still verified. */
static void hostname_check_off(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  assert_int_equal(httpr_config_set_verify_hostname(cfg, 0), HTTPR_OK);
  httpr_response_free(
      expect_get(cfg, url_of(SRV_WRONGHOST, NULL, "/"), HTTPR_OK, NULL));
  httpr_response_free(
      expect_get(cfg, url_of(SRV_NOIP, "127.0.0.1", "/"), HTTPR_OK, NULL));
  expect_get(cfg, url_of(SRV_EXPIRED, NULL, "/"), HTTPR_E_CERT_EXPIRED, NULL);
  expect_get(cfg, url_of(SRV_NOTYET, NULL, "/"), HTTPR_E_CERT_NOT_YET_VALID,
             NULL);
  expect_get(cfg, url_of(SRV_SELFSIGNED, NULL, "/"), HTTPR_E_CERT_UNTRUSTED,
             NULL);
  expect_get(cfg, url_of(SRV_UNTRUSTED, NULL, "/"), HTTPR_E_CERT_UNTRUSTED,
             NULL);
  expect_get(cfg, url_of(SRV_MISSING_INTER, NULL, "/"), HTTPR_E_CERT_UNTRUSTED,
             NULL);
  httpr_config_free(cfg);
}

static void intermediate_as_trust_anchor(void **state) {
  (void)state;
  httpr_config *cfg = cfg_bare();
  assert_int_equal(httpr_config_set_ca_file(cfg, pki("inter-only.pem")),
                   HTTPR_OK);
  httpr_response_free(
      expect_get(cfg, url_of(SRV_GOOD_RSA, NULL, "/"), HTTPR_OK, NULL));
  httpr_config_free(cfg);
}

/* --resolve: connect to a pinned address while SNI and the identity check
 * keep the URL's name (wrong.example, which no resolver knows). */
static void pinned_address_keeps_name(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  int port = server_port(SRV_WRONGHOST);
  assert_int_equal(
      httpr_config_add_resolve(cfg, "wrong.example", port, "127.0.0.1"),
      HTTPR_OK);
  httpr_response *resp = expect_get(
      cfg, url_of(SRV_WRONGHOST, "wrong.example", "/"), HTTPR_OK, NULL);
  assert_string_equal(httpr_response_remote_ip(resp), "127.0.0.1");
  httpr_response_free(resp);
  httpr_config_free(cfg);
}

const struct CMUnitTest verify_tests[] = {
    cmocka_unit_test(good_rsa_by_name),
    cmocka_unit_test(good_rsa_by_ip),
    cmocka_unit_test(good_ecdsa_by_name),
    cmocka_unit_test(good_ecdsa_by_ip),
    cmocka_unit_test(good_ecdsa_by_ipv6_literal),
    cmocka_unit_test(expired),
    cmocka_unit_test(not_yet_valid),
    cmocka_unit_test(wrong_host),
    cmocka_unit_test(ip_not_in_certificate),
    cmocka_unit_test(name_in_certificate_without_ip),
    cmocka_unit_test(self_signed),
    cmocka_unit_test(untrusted_root),
    cmocka_unit_test(missing_intermediate),
    cmocka_unit_test(wrong_key_purpose),
    cmocka_unit_test(bad_chains_with_verify_off),
    cmocka_unit_test(verify_off_needs_no_trust_store),
    cmocka_unit_test(hostname_check_off),
    cmocka_unit_test(intermediate_as_trust_anchor),
    cmocka_unit_test(pinned_address_keeps_name),
};
const size_t verify_tests_count = COUNT_OF(verify_tests);
