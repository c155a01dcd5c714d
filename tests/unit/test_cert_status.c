/* SPDX-License-Identifier: MIT */
/*
 * test_cert_status.c - the one judgement of a stapled OCSP response
 * (hr_ocsp_judge) and its wording (hr_cert_status_failed): every reason
 * with its exact message and detail, the order in which they are looked
 * at when several apply, and the leeway of the times, to the second.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "backends/cert_status.h"

#define NOW 1800000000 /* 2027-01-15 08:00:00 UTC */
#define HOUR 3600
#define PREFIX "certificate status check failed: "
#define TIMES                                                                  \
  "thisUpdate 2027-01-15 07:00:00 UTC, nextUpdate 2027-01-15 09:00:00 UTC, "   \
  "now 2027-01-15 08:00:00 UTC"

/* A response that vouches: current for two hours around NOW, good. */
static struct hr_ocsp_verdict good(void) {
  struct hr_ocsp_verdict v = {.facts = {.stapled = 1,
                                        .parsed = 1,
                                        .covers_cert = 1,
                                        .cert_status = HR_OCSP_CERT_GOOD,
                                        .this_update = NOW - HOUR,
                                        .has_next_update = 1,
                                        .next_update = NOW + HOUR}};
  return v;
}

/* v judged at NOW must be `reason`, worded message (after the prefix)
 * with detail. */
static void expect(struct hr_ocsp_verdict v, enum hr_ocsp_reason reason,
                   const char *message, const char *detail) {
  httpr_error err = {0};
  char want[256];
  assert_int_equal(hr_ocsp_judge(&v, NOW), reason);
  assert_int_equal(v.reason, reason);
  assert_int_equal(hr_cert_status_failed(&err, &v), HTTPR_E_CERT_STATUS);
  assert_int_equal(err.code, HTTPR_E_CERT_STATUS);
  snprintf(want, sizeof(want), PREFIX "%s", message);
  assert_string_equal(err.message, want);
  assert_string_equal(err.detail, detail);
}

static void a_good_current_response_vouches(void **state) {
  (void)state;
  struct hr_ocsp_verdict v = good();
  assert_int_equal(hr_ocsp_judge(&v, NOW), HR_OCSP_GOOD);
  assert_int_equal(v.reason, HR_OCSP_GOOD);
  assert_int_equal(v.now, NOW);
  /* Without a nextUpdate newer status is always available: it never
   * expires, however old. */
  v.facts.has_next_update = 0;
  v.facts.this_update = NOW - 365L * 24 * HOUR;
  assert_int_equal(hr_ocsp_judge(&v, NOW), HR_OCSP_GOOD);
}

static void every_reason_worded(void **state) {
  (void)state;
  struct hr_ocsp_verdict v = {.facts = {0}};
  expect(v, HR_OCSP_NOT_STAPLED, "no OCSP response was stapled",
         "the server sent no OCSP response");
  v = good();
  v.facts.parsed = 0;
  snprintf(v.words, sizeof(v.words), "lib: cannot decode");
  expect(v, HR_OCSP_MALFORMED, "the OCSP response cannot be parsed",
         "lib: cannot decode; OCSP response: not DER of an OCSPResponse with "
         "a BasicOCSPResponse");
  v = good();
  v.facts.signature_bad = 1;
  expect(v, HR_OCSP_BAD_SIGNATURE, "the OCSP response's signature is invalid",
         "OCSP response: signed by a key that does not verify it");
  v = good();
  v.facts.signer_untrusted = 1;
  expect(v, HR_OCSP_UNTRUSTED_SIGNER,
         "the OCSP response is not signed by the certificate's issuer or its "
         "delegated responder",
         "OCSP response: signed by an untrusted responder");
  v = good();
  v.facts.covers_cert = 0;
  expect(v, HR_OCSP_OTHER_CERTIFICATE,
         "the OCSP response is for another certificate",
         "OCSP response: no entry for the server's certificate");
  v = good();
  v.facts.this_update = NOW + HOUR;
  v.facts.has_next_update = 0;
  expect(v, HR_OCSP_NOT_YET_VALID, "the OCSP response is not yet valid",
         "OCSP response: certStatus good, thisUpdate 2027-01-15 09:00:00 UTC, "
         "nextUpdate none, now 2027-01-15 08:00:00 UTC");
  v = good();
  v.facts.this_update = NOW - 2 * HOUR;
  v.facts.next_update = NOW - HOUR;
  expect(v, HR_OCSP_EXPIRED, "the OCSP response has expired",
         "OCSP response: certStatus good, thisUpdate 2027-01-15 06:00:00 UTC, "
         "nextUpdate 2027-01-15 07:00:00 UTC, now 2027-01-15 08:00:00 UTC");
  v = good();
  v.facts.cert_status = HR_OCSP_CERT_REVOKED;
  snprintf(v.words, sizeof(v.words), "lib: revoked (keyCompromise)");
  expect(v, HR_OCSP_REVOKED,
         "the OCSP response says the certificate is revoked",
         "lib: revoked (keyCompromise); OCSP response: certStatus "
         "revoked, " TIMES);
  v = good();
  v.facts.cert_status = HR_OCSP_CERT_UNKNOWN;
  expect(v, HR_OCSP_UNKNOWN,
         "the OCSP response says the certificate's status is unknown",
         "OCSP response: certStatus unknown, " TIMES);
}

/* RFC 6960 4.2.1's statuses by name; 4 has none. */
static void unsuccessful_statuses_named(void **state) {
  (void)state;
  static const struct {
    int status;
    const char *message, *detail;
  } cases[] = {
      {1, "the OCSP responder answered malformedRequest",
       "OCSP response: responseStatus 1 (malformedRequest)"},
      {2, "the OCSP responder answered internalError",
       "OCSP response: responseStatus 2 (internalError)"},
      {3, "the OCSP responder answered tryLater",
       "OCSP response: responseStatus 3 (tryLater)"},
      {4, "the OCSP responder answered status 4",
       "OCSP response: responseStatus 4 (unassigned)"},
      {5, "the OCSP responder answered sigRequired",
       "OCSP response: responseStatus 5 (sigRequired)"},
      {6, "the OCSP responder answered unauthorized",
       "OCSP response: responseStatus 6 (unauthorized)"},
      {99, "the OCSP responder answered status 99",
       "OCSP response: responseStatus 99 (unassigned)"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct hr_ocsp_verdict v = {.facts = {.stapled = 1,
                                          .parsed = 1,
                                          .response_status = cases[i].status}};
    expect(v, HR_OCSP_UNSUCCESSFUL, cases[i].message, cases[i].detail);
  }
}

/* When several apply, the first of the enum's order: what makes the
 * response worthless before what it says. */
static void first_reason_wins(void **state) {
  (void)state;
  struct hr_ocsp_verdict v = good();
  v.facts.cert_status = HR_OCSP_CERT_REVOKED;
  v.facts.next_update = NOW - HOUR;
  v.facts.this_update = NOW + HOUR;
  v.facts.covers_cert = 0;
  v.facts.signer_untrusted = 1;
  v.facts.signature_bad = 1;
  v.facts.response_status = 3;
  v.facts.parsed = 0;
  static const enum hr_ocsp_reason order[] = {
      HR_OCSP_MALFORMED,         HR_OCSP_UNSUCCESSFUL,
      HR_OCSP_BAD_SIGNATURE,     HR_OCSP_UNTRUSTED_SIGNER,
      HR_OCSP_OTHER_CERTIFICATE, HR_OCSP_NOT_YET_VALID,
      HR_OCSP_EXPIRED,           HR_OCSP_REVOKED};
  for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
    assert_int_equal(hr_ocsp_judge(&v, NOW), order[i]);
    switch (order[i]) { /* cure it: the next one shows */
    case HR_OCSP_MALFORMED:
      v.facts.parsed = 1;
      break;
    case HR_OCSP_UNSUCCESSFUL:
      v.facts.response_status = 0;
      break;
    case HR_OCSP_BAD_SIGNATURE:
      v.facts.signature_bad = 0;
      break;
    case HR_OCSP_UNTRUSTED_SIGNER:
      v.facts.signer_untrusted = 0;
      break;
    case HR_OCSP_OTHER_CERTIFICATE:
      v.facts.covers_cert = 1;
      break;
    case HR_OCSP_NOT_YET_VALID:
      v.facts.this_update = NOW - 2 * HOUR;
      break;
    case HR_OCSP_EXPIRED:
      v.facts.next_update = NOW + HOUR;
      break;
    default:
      v.facts.cert_status = HR_OCSP_CERT_GOOD;
      break;
    }
  }
  assert_int_equal(hr_ocsp_judge(&v, NOW), HR_OCSP_GOOD);
  /* Nothing stapled comes before all of it. */
  v.facts.stapled = 0;
  v.facts.parsed = 0;
  assert_int_equal(hr_ocsp_judge(&v, NOW), HR_OCSP_NOT_STAPLED);
}

/* Five minutes either way, and not a second more. */
static void times_have_five_minutes_leeway(void **state) {
  (void)state;
  struct hr_ocsp_verdict v = good();
  v.facts.this_update = NOW + HR_OCSP_LEEWAY_S;
  assert_int_equal(hr_ocsp_judge(&v, NOW), HR_OCSP_GOOD);
  v.facts.this_update = NOW + HR_OCSP_LEEWAY_S + 1;
  assert_int_equal(hr_ocsp_judge(&v, NOW), HR_OCSP_NOT_YET_VALID);
  v = good();
  v.facts.next_update = NOW - HR_OCSP_LEEWAY_S;
  assert_int_equal(hr_ocsp_judge(&v, NOW), HR_OCSP_GOOD);
  v.facts.next_update = NOW - HR_OCSP_LEEWAY_S - 1;
  assert_int_equal(hr_ocsp_judge(&v, NOW), HR_OCSP_EXPIRED);
  assert_int_equal(HR_OCSP_LEEWAY_S, 300);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_good_current_response_vouches),
      cmocka_unit_test(every_reason_worded),
      cmocka_unit_test(unsuccessful_statuses_named),
      cmocka_unit_test(first_reason_wins),
      cmocka_unit_test(times_have_five_minutes_leeway),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
