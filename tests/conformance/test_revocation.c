/* SPDX-License-Identifier: MIT */
/*
 * test_revocation.c - CRLs (httpr_config_set_crl_file, --crlfile), one rule
 * on every provider: a leaf or an intermediate its issuer's CRL lists is
 * refused as revoked, a CRL past its nextUpdate that applies is refused as
 * expired (even when it lists the certificate too), a certificate whose
 * issuer has no CRL in the file passes (OpenSSL's CRL_CHECK_ALL alone would
 * refuse it), a CRL whose thisUpdate is ahead is refused as not yet
 * valid, and a CRL file that cannot be used is HTTPR_E_CRL_FILE
 * naming it, with verification off too. The PKI is make-pki.sh's
 * revocation block.
 */
#include <stdio.h>
#include <string.h>

#include "tests/conformance/suite.h"

static const char revoked[] = "certificate verify failed: certificate revoked";
static const char crl_expired[] = "certificate verify failed: CRL has expired";

/* A trusting config with the PKI's CRL file `crls`. */
static httpr_config *cfg_with_crls(const char *crls) {
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_crl_file(cfg, pki(crls)), HTTPR_OK);
  return cfg;
}

/* A GET of profile p's "/" with the CRL file `crls` must give 200. */
static void expect_passes(enum profile p, const char *crls) {
  httpr_config *cfg = cfg_with_crls(crls);
  httpr_response *resp = expect_get(cfg, url_of(p, NULL, "/"), HTTPR_OK, NULL);
  assert_int_equal(httpr_response_status(resp), 200);
  httpr_response_free(resp);
  httpr_config_free(cfg);
}

/* ... must fail with HTTPR_E_CERT_OTHER and message, the provider's words
 * in the detail. */
static void expect_refused(enum profile p, const char *crls,
                           const char *message) {
  httpr_config *cfg = cfg_with_crls(crls);
  expect_failure(cfg, url_of(p, NULL, "/"), HTTPR_E_CERT_OTHER, message);
  httpr_config_free(cfg);
}

/* ---- what a CRL decides -------------------------------------------------- */

static void revoked_leaf_refused(void **state) {
  (void)state;
  expect_refused(SRV_REVOKED, "crl.pem", revoked);
}

/* The intermediate is what the root's CRL lists; its leaf's issuer has no
 * CRL, which passes: only a check of the intermediate itself refuses. */
static void revoked_intermediate_refused(void **state) {
  (void)state;
  expect_refused(SRV_REVOKED_INTER, "crl.pem", revoked);
}

/* The same CRLs, the leaf and intermediate they do not list. */
static void good_chain_passes_with_its_crls(void **state) {
  (void)state;
  expect_passes(SRV_GOOD_ECDSA, "crl.pem");
}

/* Another root's CRL lists good-ecdsa's serial number: it is not the
 * issuer's, so it does not apply, and neither the leaf's issuer nor the
 * intermediate's has a CRL of its own in the file. */
static void crl_of_another_issuer_does_not_apply(void **state) {
  (void)state;
  expect_passes(SRV_GOOD_ECDSA, "crl-other.pem");
  expect_passes(SRV_REVOKED, "crl-other.pem");
}

static void expired_crl_refused(void **state) {
  (void)state;
  expect_refused(SRV_GOOD_ECDSA, "crl-expired.pem", crl_expired);
}

/* The expired CRL lists the leaf too: its dates are judged first, as
 * OpenSSL judges them. */
static void expired_crl_listing_the_leaf(void **state) {
  (void)state;
  expect_refused(SRV_REVOKED, "crl-expired.pem", crl_expired);
}

/* A CRL issued in the future (its thisUpdate ahead) does not count yet. */
static void future_crl_refused(void **state) {
  (void)state;
  expect_refused(SRV_GOOD_ECDSA, "crl-future.pem",
                 "certificate verify failed: CRL is not yet valid");
}

/* An expired CRL of an issuer the chain does not have is not looked at. */
static void expired_crl_of_another_issuer(void **state) {
  (void)state;
  expect_passes(SRV_REVOKED_INTER, "crl-expired.pem");
}

/* The same client refuses the revoked server every time, and still
 * reaches a good one. */
static void one_client_every_time(void **state) {
  (void)state;
  httpr_config *cfg = cfg_with_crls("crl.pem");
  httpr_client *client = client_of(cfg);
  httpr_request *req = NULL;
  assert_code(
      httpr_request_new(&req, "GET", url_of(SRV_REVOKED, NULL, "/"), NULL),
      HTTPR_OK);
  expect_every_run(client, req, 3, HTTPR_E_CERT_OTHER, revoked);
  httpr_request_free(req);
  struct kept k;
  assert_code(send_kept(client, "GET", url_of(SRV_GOOD_ECDSA, NULL, "/"), NULL,
                        &k, NULL),
              HTTPR_OK);
  assert_int_equal(k.status, 200);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* Verification off checks nothing, CRLs included. */
static void insecure_checks_no_crl(void **state) {
  (void)state;
  httpr_config *cfg = cfg_with_crls("crl.pem");
  assert_code(httpr_config_set_verify(cfg, 0), HTTPR_OK);
  httpr_response_free(
      expect_get(cfg, url_of(SRV_REVOKED, NULL, "/"), HTTPR_OK, NULL));
  httpr_config_free(cfg);
}

/* ---- a CRL file that cannot be used -------------------------------------- */

/* A GET with cfg fails with HTTPR_E_CRL_FILE and exactly `message`; the
 * detail, when want_detail, is not empty. */
static void expect_crl_file_error(httpr_config *cfg, const char *message,
                                  int want_detail) {
  httpr_error *err = httpr_error_new();
  expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_E_CRL_FILE, err);
  assert_string_equal(httpr_error_message(err), message);
  if (want_detail)
    assert_true(strlen(httpr_error_detail(err)) > 0);
  httpr_error_free(err);
}

static void crl_file_missing(void **state) {
  (void)state;
  char want[700];
  httpr_config *cfg = cfg_with_crls("no-such-crl.pem");
  snprintf(want, sizeof(want),
           "CRL file '%s' cannot be read: No such file or directory",
           pki("no-such-crl.pem"));
  expect_crl_file_error(cfg, want, 1);
  httpr_config_free(cfg);
}

/* Text without a PEM block, and a PEM file of certificates only. */
static void crl_file_without_crl(void **state) {
  (void)state;
  const char *files[] = {"not-a-cert.pem", "ca-bundle.pem"};
  for (size_t i = 0; i < COUNT_OF(files); i++) {
    char want[700];
    httpr_config *cfg = cfg_with_crls(files[i]);
    snprintf(want, sizeof(want), "CRL file '%s' holds no PEM CRL",
             pki(files[i]));
    expect_crl_file_error(cfg, want, 0);
    httpr_config_free(cfg);
  }
}

/* An "X509 CRL" block the provider's library cannot parse: its own words
 * in the detail. */
static void crl_file_malformed(void **state) {
  (void)state;
  char want[700];
  httpr_config *cfg = cfg_with_crls("crl-bad.pem");
  snprintf(want, sizeof(want), "CRL 1 of CRL file '%s' cannot be parsed",
           pki("crl-bad.pem"));
  expect_crl_file_error(cfg, want, 1);
  httpr_config_free(cfg);
}

/* A bad file is an error with verification off too, as in curl. */
static void crl_file_checked_when_insecure(void **state) {
  (void)state;
  char want[700];
  httpr_config *cfg = cfg_with_crls("crl-bad.pem");
  assert_code(httpr_config_set_verify(cfg, 0), HTTPR_OK);
  snprintf(want, sizeof(want), "CRL 1 of CRL file '%s' cannot be parsed",
           pki("crl-bad.pem"));
  expect_crl_file_error(cfg, want, 1);
  httpr_config_free(cfg);
}

static void crl_setter_refuses_bad_text(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_crl_file(cfg, ""), HTTPR_E_INVALID);
  assert_code(httpr_config_set_crl_file(cfg, "a\nb.pem"), HTTPR_E_INVALID);
  assert_code(httpr_config_set_crl_file(cfg, "a\rb.pem"), HTTPR_E_INVALID);
  assert_code(httpr_config_set_crl_file(NULL, "crl.pem"), HTTPR_E_INVALID);
  /* Unset again: the revoked server passes. */
  assert_code(httpr_config_set_crl_file(cfg, pki("crl.pem")), HTTPR_OK);
  assert_code(httpr_config_set_crl_file(cfg, NULL), HTTPR_OK);
  httpr_response_free(
      expect_get(cfg, url_of(SRV_REVOKED, NULL, "/"), HTTPR_OK, NULL));
  httpr_config_free(cfg);
}

/* ---- the command line ---------------------------------------------------- */

/* httpr --crlfile FILE URL: the exit code and the first line of stderr. */
static void expect_crlfile_cli(enum profile p, const char *crls, int want_exit,
                               const char *want_line) {
  char crl[512];
  snprintf(crl, sizeof(crl), "%s", pki(crls));
  const char *const extra[] = {"--crlfile", crl, NULL};
  expect_fetch_cli(p, extra, NULL, NULL, want_exit, want_line);
}

/* curl's exit codes: 60 for a refused certificate, 82 for the file. */
static void cli_crlfile(void **state) {
  (void)state;
  char line[800];
  expect_crlfile_cli(SRV_GOOD_ECDSA, "crl.pem", 0, "");
  expect_crlfile_cli(
      SRV_REVOKED, "crl.pem", 60,
      "httpr: (60) certificate verify failed: certificate revoked");
  expect_crlfile_cli(SRV_GOOD_ECDSA, "crl-expired.pem", 60,
                     "httpr: (60) certificate verify failed: CRL has expired");
  snprintf(line, sizeof(line),
           "httpr: (82) CRL 1 of CRL file '%s' cannot be parsed",
           pki("crl-bad.pem"));
  expect_crlfile_cli(SRV_GOOD_ECDSA, "crl-bad.pem", 82, line);
}

const struct CMUnitTest revocation_tests[] = {
    cmocka_unit_test(revoked_leaf_refused),
    cmocka_unit_test(revoked_intermediate_refused),
    cmocka_unit_test(good_chain_passes_with_its_crls),
    cmocka_unit_test(crl_of_another_issuer_does_not_apply),
    cmocka_unit_test(expired_crl_refused),
    cmocka_unit_test(expired_crl_listing_the_leaf),
    cmocka_unit_test(future_crl_refused),
    cmocka_unit_test(expired_crl_of_another_issuer),
    cmocka_unit_test(one_client_every_time),
    cmocka_unit_test(insecure_checks_no_crl),
    cmocka_unit_test(crl_file_missing),
    cmocka_unit_test(crl_file_without_crl),
    cmocka_unit_test(crl_file_malformed),
    cmocka_unit_test(crl_file_checked_when_insecure),
    cmocka_unit_test(crl_setter_refuses_bad_text),
    cmocka_unit_test(cli_crlfile),
};
const size_t revocation_tests_count = COUNT_OF(revocation_tests);
