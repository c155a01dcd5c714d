/* SPDX-License-Identifier: MIT */
/*
 * shared.c - the shared wording the providers' mappings rely on
 * (backends/tls_errors.h), checked once, not per provider: the message of
 * each alert received, a version mismatch, a verification failure, and how
 * an untrusted chain is named case by case.
 */
#include <string.h>

#include "backends/tls_errors.h"
#include "tests/provider/scenarios.h"

static void shared_wording(void **state) {
  (void)state;
  httpr_error err = {0};
  static const struct {
    int alert;
    const char *message;
  } alerts[] = {
      {116, "no client certificate presented (server sent alert "
            "certificate_required)"},
      {40, "TLS handshake failed: server sent alert handshake_failure"},
      {42, "server rejected the client certificate (alert "
           "bad_certificate)"},
      {48, "server rejected the client certificate (alert unknown_ca)"},
      {46, "server rejected the client certificate (alert "
           "certificate_unknown)"},
      {49, "server rejected the client certificate (alert access_denied)"},
      {70, "no TLS version in common with the server (server sent alert "
           "protocol_version)"},
      {80, "TLS handshake failed: server sent alert internal_error"},
      {250, "TLS handshake failed: server sent alert unknown"},
  };
  for (size_t i = 0; i < sizeof(alerts) / sizeof(alerts[0]); i++) {
    assert_int_equal(hr_alert_received(&err, alerts[i].alert),
                     HTTPR_E_TLS_HANDSHAKE);
    assert_int_equal(err.code, HTTPR_E_TLS_HANDSHAKE);
    assert_string_equal(err.message, alerts[i].message);
  }
  /* Only a client offering h2 alone meets it: HTTP/2 not negotiated. */
  assert_int_equal(hr_alert_received(&err, 120), HTTPR_E_PROTOCOL);
  assert_string_equal(err.message, "the server speaks none of the HTTP "
                                   "versions offered (server sent alert "
                                   "no_application_protocol)");
  assert_int_equal(err.http2, 1);
  assert_string_equal(hr_alert_name(0), "close_notify");
  assert_string_equal(hr_alert_name(116), "certificate_required");
  assert_string_equal(hr_alert_name(-1), "unknown");
  assert_int_equal(hr_version_mismatch(&err, 12, 0), HTTPR_E_TLS_HANDSHAKE);
  assert_string_equal(err.message, "no TLS version in common with the server "
                                   "(offered TLSv1.2 to TLSv1.3)");
  assert_int_equal(hr_verify_failed(&err, HR_VERIFY_NOT_YET_VALID, NULL, NULL),
                   HTTPR_E_CERT_NOT_YET_VALID);
  assert_string_equal(err.message,
                      "certificate verify failed: certificate is not yet "
                      "valid");
  assert_int_equal(
      hr_verify_failed(&err, HR_VERIFY_OTHER, NULL, "invalid CA certificate"),
      HTTPR_E_CERT_OTHER);
  assert_string_equal(err.message,
                      "certificate verify failed: invalid CA certificate");
  assert_string_equal(err.hint, "");
}

static void untrusted_chain_reasons(void **state) {
  (void)state;
  assert_int_equal(hr_untrusted_chain_reason(1, 1), HR_VERIFY_SELF_SIGNED);
  assert_int_equal(hr_untrusted_chain_reason(2, 1),
                   HR_VERIFY_SELF_SIGNED_IN_CHAIN);
  assert_int_equal(hr_untrusted_chain_reason(3, 1),
                   HR_VERIFY_SELF_SIGNED_IN_CHAIN);
  assert_int_equal(hr_untrusted_chain_reason(1, 0), HR_VERIFY_UNKNOWN_ISSUER);
  assert_int_equal(hr_untrusted_chain_reason(2, 0), HR_VERIFY_UNKNOWN_ISSUER);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(shared_wording),
    cmocka_unit_test(untrusted_chain_reasons),
};
const struct scenario_table shared_checks = TABLE(tests);
