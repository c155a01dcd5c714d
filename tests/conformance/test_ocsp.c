/* SPDX-License-Identifier: MIT */
/*
 * test_ocsp.c - the certificate status check (httpr_config_set_cert_status,
 * --cert-status; OCSP stapling) against openssl s_server stapling each
 * response of tests/pki/make-pki.sh (ocsp-*.der): a good one by the issuer
 * and by a delegated responder passes, at TLS 1.2 (CertificateStatus) and
 * TLS 1.3 (the Certificate's status_request entry); every other case, and
 * a server that staples nothing, fails with HTTPR_E_CERT_STATUS and one
 * message whatever the provider, the CLI with exit 91. Without the check
 * whatever is stapled changes nothing. A provider without
 * HTTPR_FEATURE_CERT_STATUS refuses the setting with HTTPR_E_UNSUPPORTED,
 * and every test asserts that instead.
 */
#include <stdio.h>
#include <string.h>

#include "tests/conformance/suite.h"

static int can_check(void) {
  return (g_suite.features & HTTPR_FEATURE_CERT_STATUS) != 0;
}

/* The versions a test runs at: TLS 1.2, and TLS 1.3 where the provider
 * has it. */
static size_t versions(httpr_tls_version out[2]) {
  size_t n = 0;
  out[n++] = HTTPR_TLS_1_2;
  if (g_suite.features & HTTPR_FEATURE_TLS13)
    out[n++] = HTTPR_TLS_1_3;
  return n;
}

static httpr_config *status_cfg(httpr_tls_version max) {
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_cert_status(cfg, 1), HTTPR_OK);
  assert_code(httpr_config_set_max_tls_version(cfg, max), HTTPR_OK);
  return cfg;
}

/* A GET with the check on that the provider refuses to make. */
static void expect_unsupported(const httpr_config *cfg, const char *url) {
  char want[160];
  httpr_error *err = httpr_error_new();
  assert_null(expect_get(cfg, url, HTTPR_E_UNSUPPORTED, err));
  snprintf(want, sizeof(want),
           "the %s provider does not support certificate status requests "
           "(OCSP stapling)",
           g_suite.provider);
  assert_string_equal(httpr_error_message(err), want);
  httpr_error_free(err);
}

/* At every version: with why NULL a 200 from the server, else
 * "certificate status check failed: <why>"; where the provider cannot
 * check, its refusal. */
static void expect_status(enum profile p, const char *why) {
  char want[256];
  snprintf(want, sizeof(want), "certificate status check failed: %s",
           why ? why : "");
  httpr_tls_version v[2];
  for (size_t i = 0, n = versions(v); i < n; i++) {
    httpr_config *cfg = status_cfg(v[i]);
    const char *url = url_of(p, NULL, "/");
    if (!can_check()) {
      expect_unsupported(cfg, url);
    } else if (why) {
      expect_failure(cfg, url, HTTPR_E_CERT_STATUS, want);
    } else {
      httpr_response *resp = expect_get(cfg, url, HTTPR_OK, NULL);
      assert_int_equal(httpr_response_status(resp), 200);
      assert_string_equal(httpr_response_tls_version(resp),
                          v[i] == HTTPR_TLS_1_3 ? "TLSv1.3" : "TLSv1.2");
      httpr_response_free(resp);
    }
    httpr_config_free(cfg);
  }
}

static void good_response_from_the_issuer(void **state) {
  (void)state;
  expect_status(SRV_OCSP_GOOD, NULL);
}

static void good_response_from_a_delegated_responder(void **state) {
  (void)state;
  expect_status(SRV_OCSP_GOOD_DELEGATED, NULL);
}

/* The test server staples nothing. */
static void nothing_stapled(void **state) {
  (void)state;
  expect_status(SRV_GOOD_ECDSA, "no OCSP response was stapled");
}

static void revoked(void **state) {
  (void)state;
  expect_status(SRV_OCSP_REVOKED,
                "the OCSP response says the certificate is revoked");
}

static void unknown(void **state) {
  (void)state;
  expect_status(SRV_OCSP_UNKNOWN,
                "the OCSP response says the certificate's status is unknown");
}

static void expired_response(void **state) {
  (void)state;
  expect_status(SRV_OCSP_EXPIRED, "the OCSP response has expired");
}

static void response_from_the_future(void **state) {
  (void)state;
  expect_status(SRV_OCSP_FUTURE, "the OCSP response is not yet valid");
}

static void bad_signature(void **state) {
  (void)state;
  expect_status(SRV_OCSP_BAD_SIGNATURE,
                "the OCSP response's signature is invalid");
}

/* A responder of another root, with id-kp-OCSPSigning and a signature
 * that verifies. */
static void untrusted_signer(void **state) {
  (void)state;
  expect_status(SRV_OCSP_UNTRUSTED_SIGNER,
                "the OCSP response is not signed by the certificate's issuer "
                "or its delegated responder");
}

/* A good response, signed by the same issuer, for another certificate. */
static void another_certificates_response(void **state) {
  (void)state;
  expect_status(SRV_OCSP_OTHER_CERT,
                "the OCSP response is for another certificate");
}

static void responder_said_try_later(void **state) {
  (void)state;
  expect_status(SRV_OCSP_TRY_LATER, "the OCSP responder answered tryLater");
}

static void malformed_response(void **state) {
  (void)state;
  expect_status(SRV_OCSP_MALFORMED, "the OCSP response cannot be parsed");
}

/* Without the check nothing stapled counts, on every provider (GnuTLS
 * judges stapled responses by itself unless told otherwise). */
static void stapling_ignored_without_the_check(void **state) {
  (void)state;
  static const enum profile stapling[] = {
      SRV_OCSP_REVOKED,       SRV_OCSP_UNKNOWN,    SRV_OCSP_EXPIRED,
      SRV_OCSP_BAD_SIGNATURE, SRV_OCSP_OTHER_CERT, SRV_OCSP_MALFORMED,
      SRV_GOOD_ECDSA};
  httpr_tls_version v[2];
  for (size_t i = 0, n = versions(v); i < n; i++) {
    httpr_config *cfg = cfg_new();
    assert_code(httpr_config_set_max_tls_version(cfg, v[i]), HTTPR_OK);
    for (size_t k = 0; k < COUNT_OF(stapling); k++) {
      httpr_response *resp =
          expect_get(cfg, url_of(stapling[k], NULL, "/"), HTTPR_OK, NULL);
      assert_int_equal(httpr_response_status(resp), 200);
      httpr_response_free(resp);
    }
    httpr_config_free(cfg);
  }
}

/* The response is judged against the verified chain: no check without
 * verification. */
static void needs_verification(void **state) {
  (void)state;
  httpr_config *cfg = status_cfg(HTTPR_TLS_1_2);
  assert_code(httpr_config_set_verify(cfg, 0), HTTPR_OK);
  const char *url = url_of(SRV_OCSP_GOOD, NULL, "/");
  if (!can_check()) {
    expect_unsupported(cfg, url);
  } else {
    httpr_error *err = httpr_error_new();
    assert_null(expect_get(cfg, url, HTTPR_E_INVALID, err));
    assert_string_equal(httpr_error_message(err),
                        "the certificate status check needs certificate "
                        "verification, which is off");
    httpr_error_free(err);
  }
  httpr_config_free(cfg);
  assert_code(httpr_config_set_cert_status(NULL, 1), HTTPR_E_INVALID);
}

/* Three connections to a server that resumes sessions (s_server -www
 * closes each after its response): resumed without the check where the
 * provider resumes, never with it, since a resumed handshake brings no
 * certificate to check. */
static void every_connection_checked(void **state) {
  (void)state;
  for (int check = 0; check < 2; check++) {
    httpr_config *cfg = cfg_new();
    assert_code(httpr_config_set_cert_status(cfg, check), HTTPR_OK);
    if (check && !can_check()) {
      expect_unsupported(cfg, url_of(SRV_OCSP_GOOD, NULL, "/"));
      httpr_config_free(cfg);
      continue;
    }
    httpr_client *client = client_of(cfg);
    int resumes = !check && (g_suite.features & HTTPR_FEATURE_SESSION_RESUME);
    for (int i = 0; i < 3; i++) {
      struct kept k;
      httpr_error *err = httpr_error_new();
      assert_code_err(send_kept(client, "GET", url_of(SRV_OCSP_GOOD, NULL, "/"),
                                NULL, &k, err),
                      HTTPR_OK, err);
      httpr_error_free(err);
      assert_int_equal(k.status, 200);
      assert_int_equal(k.reused, 0);
      assert_int_equal(k.resumed, i > 0 && resumes);
    }
    httpr_client_free(client);
    httpr_config_free(cfg);
  }
}

/* The CLI: --cert-status, exit 91 and the message on one line as curl's
 * CURLE_SSL_INVALIDCERTSTATUS; 0 for a good response; 4 where the
 * provider cannot check. */
static void cli_cert_status(void **state) {
  (void)state;
  static const struct {
    enum profile p;
    int exit_code;
    const char *line;
  } cases[] = {
      {SRV_OCSP_GOOD, 0, ""},
      {SRV_OCSP_REVOKED, 91,
       "httpr: (91) certificate status check failed: the OCSP response says "
       "the certificate is revoked"},
      {SRV_GOOD_ECDSA, 91,
       "httpr: (91) certificate status check failed: no OCSP response was "
       "stapled"},
  };
  for (size_t i = 0; i < COUNT_OF(cases); i++) {
    char want[256];
    static const char *const cert_status[] = {"--cert-status", NULL};
    int want_exit = cases[i].exit_code;
    const char *want_line = cases[i].line;
    if (!can_check()) {
      snprintf(want, sizeof(want),
               "httpr: (4) the %s provider does not support certificate "
               "status requests (OCSP stapling)",
               g_suite.provider);
      want_exit = 4;
      want_line = want;
    }
    expect_fetch_cli(cases[i].p, cert_status, NULL, NULL, want_exit, want_line);
  }
}

const struct CMUnitTest ocsp_tests[] = {
    cmocka_unit_test(good_response_from_the_issuer),
    cmocka_unit_test(good_response_from_a_delegated_responder),
    cmocka_unit_test(nothing_stapled),
    cmocka_unit_test(revoked),
    cmocka_unit_test(unknown),
    cmocka_unit_test(expired_response),
    cmocka_unit_test(response_from_the_future),
    cmocka_unit_test(bad_signature),
    cmocka_unit_test(untrusted_signer),
    cmocka_unit_test(another_certificates_response),
    cmocka_unit_test(responder_said_try_later),
    cmocka_unit_test(malformed_response),
    cmocka_unit_test(stapling_ignored_without_the_check),
    cmocka_unit_test(needs_verification),
    cmocka_unit_test(every_connection_checked),
    cmocka_unit_test(cli_cert_status),
};
const size_t ocsp_tests_count = COUNT_OF(ocsp_tests);
