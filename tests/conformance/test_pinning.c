/* SPDX-License-Identifier: MIT */
/*
 * test_pinning.c - public key pinning (httpr_config_set_pinned_public_key,
 * --pinnedpubkey) as curl does it, the same on every provider: sha256//
 * hashes (one or several) and PEM or DER key files matched on the leaf's
 * SubjectPublicKeyInfo, after verification and with it off; any other key
 * is HTTPR_E_PINNED_KEY with the server's key in the detail, on resumed
 * connections and HTTP/2 too; a pin that cannot be used says why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/conformance/suite.h"

static const char mismatch[] =
    "the server's public key does not match the pinned public key";

/* The PKI's file `name` as a string (the .pin files: no newline). */
static char *pki_text(const char *name) {
  FILE *f = fopen(pki(name), "r");
  assert_non_null(f);
  char *text = calloc(1, 256);
  assert_non_null(text);
  size_t n = fread(text, 1, 255, f);
  fclose(f);
  assert_true(n > 0);
  return text;
}

/* A config for the provider under test (trusting the test root unless
 * insecure, which turns verification off) pinning `pin`. */
static httpr_config *cfg_pinned(const char *pin, int insecure) {
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_pinned_public_key(cfg, pin), HTTPR_OK);
  if (insecure)
    assert_code(httpr_config_set_verify(cfg, 0), HTTPR_OK);
  return cfg;
}

static void expect_pin_passes(enum profile p, const char *pin, int insecure) {
  httpr_config *cfg = cfg_pinned(pin, insecure);
  httpr_response *resp = expect_get(cfg, url_of(p, NULL, "/"), HTTPR_OK, NULL);
  assert_int_equal(httpr_response_status(resp), 200);
  httpr_response_free(resp);
  httpr_config_free(cfg);
}

/* The pin refuses profile p's server, whose key has the hash in the PKI's
 * file server_pin: the detail names it. */
static void expect_pin_refused(enum profile p, const char *pin, int insecure,
                               const char *server_pin) {
  httpr_config *cfg = cfg_pinned(pin, insecure);
  httpr_error *err = httpr_error_new();
  char *key = pki_text(server_pin);
  char detail[400];
  assert_null(expect_get(cfg, url_of(p, NULL, "/"), HTTPR_E_PINNED_KEY, err));
  assert_string_equal(httpr_error_message(err), mismatch);
  snprintf(detail, sizeof(detail), "the server's public key is %s", key);
  assert_string_equal(httpr_error_detail(err), detail);
  free(key);
  httpr_error_free(err);
  httpr_config_free(cfg);
}

/* ---- hashes -------------------------------------------------------------- */

static void hash_matches(void **state) {
  (void)state;
  char *ecdsa = pki_text("good-ecdsa.pin");
  expect_pin_passes(SRV_GOOD_ECDSA, ecdsa, 0);
  free(ecdsa);
}

static void hash_of_another_key(void **state) {
  (void)state;
  char *rsa = pki_text("good-rsa.pin");
  expect_pin_refused(SRV_GOOD_ECDSA, rsa, 0, "good-ecdsa.pin");
  free(rsa);
}

/* Any one of the list will do, wherever it stands in it. */
static void several_hashes_one_matching(void **state) {
  (void)state;
  char *ecdsa = pki_text("good-ecdsa.pin");
  char *rsa = pki_text("good-rsa.pin");
  char list[512];
  snprintf(list, sizeof(list), "%s;%s", rsa, ecdsa);
  expect_pin_passes(SRV_GOOD_ECDSA, list, 0);
  snprintf(list, sizeof(list), "%s;%s", ecdsa, rsa);
  expect_pin_passes(SRV_GOOD_ECDSA, list, 0);
  expect_pin_passes(SRV_GOOD_RSA, list, 0);
  snprintf(list, sizeof(list), "%s;%s", rsa, rsa);
  expect_pin_refused(SRV_GOOD_ECDSA, list, 0, "good-ecdsa.pin");
  free(ecdsa);
  free(rsa);
}

/* ---- key files ----------------------------------------------------------- */

static void pem_key_file(void **state) {
  (void)state;
  expect_pin_passes(SRV_GOOD_ECDSA, pki("good-ecdsa-pubkey.pem"), 0);
  expect_pin_refused(SRV_GOOD_RSA, pki("good-ecdsa-pubkey.pem"), 0,
                     "good-rsa.pin");
}

static void der_key_file(void **state) {
  (void)state;
  expect_pin_passes(SRV_GOOD_ECDSA, pki("good-ecdsa-pubkey.der"), 0);
  expect_pin_refused(SRV_GOOD_RSA, pki("good-ecdsa-pubkey.der"), 0,
                     "good-rsa.pin");
}

/* ---- with verification, and without it ---------------------------------- */

/* With -k the pin is still checked, as in curl: the only check left. */
static void pin_applies_when_insecure(void **state) {
  (void)state;
  char *ecdsa = pki_text("good-ecdsa.pin");
  char *rsa = pki_text("good-rsa.pin");
  expect_pin_passes(SRV_GOOD_ECDSA, ecdsa, 1);
  expect_pin_refused(SRV_GOOD_ECDSA, rsa, 1, "good-ecdsa.pin");
  /* A chain that verification would refuse: the pin alone decides. */
  char *untrusted = pki_text("untrusted.pin");
  expect_pin_passes(SRV_UNTRUSTED, untrusted, 1);
  expect_pin_refused(SRV_UNTRUSTED, ecdsa, 1, "untrusted.pin");
  free(untrusted);
  free(ecdsa);
  free(rsa);
}

/* Verification comes first: a refused chain is refused as such, whatever
 * the pin says. */
static void verification_before_pin(void **state) {
  (void)state;
  char *rsa = pki_text("good-rsa.pin");
  httpr_config *cfg = cfg_pinned(rsa, 0);
  expect_failure(cfg, url_of(SRV_EXPIRED, NULL, "/"), HTTPR_E_CERT_EXPIRED,
                 "certificate verify failed: certificate has expired");
  httpr_config_free(cfg);
  free(rsa);
}

/* ---- on every connection ------------------------------------------------- */

/* A client that keeps no idle connection opens a new one per request; a
 * resumed handshake is pinned as a full one. */
static void resumed_connections_pinned(void **state) {
  (void)state;
  char *ecdsa = pki_text("good-ecdsa.pin");
  httpr_config *cfg = cfg_pinned(ecdsa, 0);
  assert_code(httpr_config_set_max_idle_connections(cfg, 0), HTTPR_OK);
  httpr_client *client = client_of(cfg);
  int can_resume = (g_suite.features & HTTPR_FEATURE_SESSION_RESUME) != 0;
  for (int i = 0; i < 3; i++) {
    struct kept k;
    httpr_error *err = httpr_error_new();
    assert_code_err(send_kept(client, "GET",
                              url_of(SRV_GOOD_ECDSA, NULL, "/resumed"), NULL,
                              &k, err),
                    HTTPR_OK, err);
    httpr_error_free(err);
    assert_int_equal(k.status, 200);
    assert_int_equal(k.resumed, i > 0 && can_resume);
  }
  httpr_client_free(client);
  httpr_config_free(cfg);
  free(ecdsa);
}

/* The refusal holds for every request of one client: no connection of a
 * refused server is kept. */
static void refused_every_time(void **state) {
  (void)state;
  char *rsa = pki_text("good-rsa.pin");
  httpr_config *cfg = cfg_pinned(rsa, 0);
  httpr_client *client = client_of(cfg);
  httpr_request *req = NULL;
  assert_code(
      httpr_request_new(&req, "GET", url_of(SRV_GOOD_ECDSA, NULL, "/"), NULL),
      HTTPR_OK);
  expect_every_run(client, req, 3, HTTPR_E_PINNED_KEY, mismatch);
  httpr_request_free(req);
  httpr_client_free(client);
  httpr_config_free(cfg);
  free(rsa);
}

static void pin_over_http2(void **state) {
  (void)state;
  char *ecdsa = pki_text("good-ecdsa.pin");
  char *rsa = pki_text("good-rsa.pin");
  httpr_config *cfg = cfg_pinned(ecdsa, 0);
  httpr_response *resp =
      expect_get(cfg, url_of(SRV_H2, NULL, "/"), HTTPR_OK, NULL);
  assert_int_equal(httpr_response_http_version(resp), HTTPR_HTTP_2);
  httpr_response_free(resp);
  httpr_config_free(cfg);
  expect_pin_refused(SRV_H2, rsa, 0, "good-ecdsa.pin");
  free(ecdsa);
  free(rsa);
}

/* ---- a pin that cannot be used ------------------------------------------- */

/* A GET with the pin fails with HTTPR_E_PINNED_KEY and exactly message. */
static void expect_unusable(const char *pin, const char *message) {
  httpr_config *cfg = cfg_pinned(pin, 0);
  httpr_error *err = httpr_error_new();
  expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_E_PINNED_KEY, err);
  assert_string_equal(httpr_error_message(err), message);
  assert_true(strlen(httpr_error_hint(err)) > 0);
  httpr_error_free(err);
  httpr_config_free(cfg);
}

static void malformed_hashes(void **state) {
  (void)state;
  char *ecdsa = pki_text("good-ecdsa.pin");
  char pin[512], want[700];
  expect_unusable("sha256//abc",
                  "pinned public key 'sha256//abc' is not the base64 of a "
                  "SHA-256 hash");
  /* 32 bytes, but not in base64. */
  expect_unusable("sha256//!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!=",
                  "pinned public key "
                  "'sha256//!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!=' "
                  "is not the base64 of a SHA-256 hash");
  /* The base64 of 33 bytes. */
  expect_unusable("sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                  "pinned public key "
                  "'sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' "
                  "is not the base64 of a SHA-256 hash");
  /* A good hash does not excuse a bad one beside it. */
  snprintf(pin, sizeof(pin), "%s;sha1//abc", ecdsa);
  expect_unusable(pin, "pinned public key 'sha1//abc' does not start with "
                       "sha256//");
  snprintf(pin, sizeof(pin), "%s;", ecdsa);
  snprintf(want, sizeof(want),
           "pinned public key '' does not start with sha256//");
  expect_unusable(pin, want);
  free(ecdsa);
}

static void unusable_key_files(void **state) {
  (void)state;
  char want[700];
  snprintf(want, sizeof(want),
           "pinned public key file '%s' cannot be read: No such file or "
           "directory",
           pki("no-such-key.pem"));
  expect_unusable(pki("no-such-key.pem"), want);
  /* A certificate is not a public key, nor is text without PEM. */
  const char *not_keys[] = {"good-ecdsa.crt", "not-a-cert.pem",
                            "good-ecdsa.key"};
  for (size_t i = 0; i < COUNT_OF(not_keys); i++) {
    snprintf(want, sizeof(want),
             "pinned public key file '%s' holds no public key",
             pki(not_keys[i]));
    expect_unusable(pki(not_keys[i]), want);
  }
}

static void pin_setter_refuses_bad_text(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_pinned_public_key(cfg, ""), HTTPR_E_INVALID);
  assert_code(httpr_config_set_pinned_public_key(cfg, "sha256//a\r\n"),
              HTTPR_E_INVALID);
  assert_code(httpr_config_set_pinned_public_key(NULL, "x"), HTTPR_E_INVALID);
  /* Unset again: any key will do. */
  assert_code(httpr_config_set_pinned_public_key(cfg, "sha256//abc"), HTTPR_OK);
  assert_code(httpr_config_set_pinned_public_key(cfg, NULL), HTTPR_OK);
  httpr_response_free(
      expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_OK, NULL));
  httpr_config_free(cfg);
}

/* ---- the command line ---------------------------------------------------- */

/* curl's exit 90, with and without -k. */
static void cli_pinnedpubkey(void **state) {
  (void)state;
  char *rsa = pki_text("good-rsa.pin");
  char *ecdsa = pki_text("good-ecdsa.pin");
  const struct {
    const char *pin;
    int insecure;
    int exit_code;
    const char *line;
  } cases[] = {
      {ecdsa, 0, 0, ""},
      {rsa, 0, 90,
       "httpr: (90) the server's public key does not match the pinned "
       "public key"},
      {rsa, 1, 90,
       "httpr: (90) the server's public key does not match the pinned "
       "public key"},
      {"sha256//abc", 0, 90,
       "httpr: (90) pinned public key 'sha256//abc' is not the base64 of a "
       "SHA-256 hash"},
  };
  for (size_t i = 0; i < COUNT_OF(cases); i++) {
    /* -k after --cacert: nothing is verified. */
    const char *const extra[] = {"--pinnedpubkey", cases[i].pin,
                                 cases[i].insecure ? "-k" : NULL, NULL};
    expect_fetch_cli(SRV_GOOD_ECDSA, extra, NULL, NULL, cases[i].exit_code,
                     cases[i].line);
  }
  free(rsa);
  free(ecdsa);
}

const struct CMUnitTest pinning_tests[] = {
    cmocka_unit_test(hash_matches),
    cmocka_unit_test(hash_of_another_key),
    cmocka_unit_test(several_hashes_one_matching),
    cmocka_unit_test(pem_key_file),
    cmocka_unit_test(der_key_file),
    cmocka_unit_test(pin_applies_when_insecure),
    cmocka_unit_test(verification_before_pin),
    cmocka_unit_test(resumed_connections_pinned),
    cmocka_unit_test(refused_every_time),
    cmocka_unit_test(pin_over_http2),
    cmocka_unit_test(malformed_hashes),
    cmocka_unit_test(unusable_key_files),
    cmocka_unit_test(pin_setter_refuses_bad_text),
    cmocka_unit_test(cli_pinnedpubkey),
};
const size_t pinning_tests_count = COUNT_OF(pinning_tests);
