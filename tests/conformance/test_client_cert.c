/* SPDX-License-Identifier: MIT */
/*
 * test_client_cert.c - client certificates against a server that requires
 * one: every accepted form (one PEM, separate files, encrypted keys in
 * PKCS#8 and legacy form, PKCS#12 with and without a MAC, a key inside an
 * encrypted part), and every way they can be wrong, down to files whose
 * key derivations ask for more iterations than the cap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/conformance/suite.h"

#define PASSWORD "secret"

/* The server saw our certificate: /client-cert echoes its subject. */
static void expect_presented(httpr_config *cfg) {
  httpr_response *resp = expect_get(
      cfg, url_of(SRV_CLIENT_AUTH, NULL, "/client-cert"), HTTPR_OK, NULL);
  char *body = body_string(resp);
  assert_non_null(strstr(body, "CN=httpr test client"));
  free(body);
  httpr_response_free(resp);
}

static httpr_code client_auth_code(httpr_config *cfg, httpr_error *err) {
  httpr_response *resp = NULL;
  httpr_code rc = fetch(
      cfg, "GET", url_of(SRV_CLIENT_AUTH, NULL, "/client-cert"), &resp, err);
  httpr_response_free(resp);
  return rc;
}

static void absent(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_error *err = httpr_error_new();
  assert_code_err(client_auth_code(cfg, err), HTTPR_E_TLS_HANDSHAKE, err);
  httpr_error_free(err);
  httpr_config_free(cfg);
}

static void absent_tls12(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  expect_get(cfg, url_of(SRV_CLIENT_AUTH_TLS12, NULL, "/"),
             HTTPR_E_TLS_HANDSHAKE, NULL);
  httpr_config_free(cfg);
}

static void absent_tls13_names_the_alert(void **state) {
  (void)state;
  if (!(g_suite.features & HTTPR_FEATURE_TLS13))
    return absent(state); /* the TLS 1.2 path is covered there */
  httpr_config *cfg = cfg_new();
  httpr_error *err = httpr_error_new();
  assert_code_err(client_auth_code(cfg, err), HTTPR_E_TLS_HANDSHAKE, err);
  assert_string_equal(httpr_error_message(err),
                      "no client certificate presented (server sent alert "
                      "certificate_required)");
  httpr_error_free(err);
  httpr_config_free(cfg);
}

/* The server's refusal races our request: a large POST written at once
 * after the handshake meets a connection the server has closed (TLS 1.3:
 * its alert comes after our Finished), or, in TLS 1.2, the rest of our
 * flight does. The alert is the reason every time, never the broken pipe
 * (provider rule 8). 200 new connections on one client (a failed
 * connection is never pooled), 20 when the waits are stretched (under
 * valgrind); the body is far larger than loopback's socket buffers. */
#define RACE_BODY (16 * 1024 * 1024)

static void absent_large_post_alert_wins(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_client *client = client_of(cfg);
  httpr_request *req = NULL;
  char *body = calloc(1, RACE_BODY);
  assert_non_null(body);
  assert_code(httpr_request_new(&req, "POST",
                                url_of(SRV_CLIENT_AUTH, NULL, "/echo"), NULL),
              HTTPR_OK);
  assert_code(httpr_request_set_body(req, body, RACE_BODY), HTTPR_OK);
  const char *want = g_suite.features & HTTPR_FEATURE_TLS13
                         ? "no client certificate presented (server sent "
                           "alert certificate_required)"
                         : NULL;
  expect_every_run(client, req, test_timeout_factor() > 1 ? 20 : 200,
                   HTTPR_E_TLS_HANDSHAKE, want);
  free(body);
  httpr_request_free(req);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

static void one_pem(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_config_set_client_pem(cfg, pki("client.pem"), NULL);
  expect_presented(cfg);
  httpr_config_free(cfg);
}

static void separate_files(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_config_set_client_cert(cfg, pki("client.crt"), pki("client.key"), NULL);
  expect_presented(cfg);
  httpr_config_free(cfg);
}

/* Encrypted keys: accepted with the right password where the provider
 * declares encrypted keys, HTTPR_E_UNSUPPORTED where it does not. */
static void encrypted_case(const char *cert, const char *key,
                           const char *password, httpr_code want,
                           const char *message) {
  httpr_config *cfg = cfg_new();
  if (key)
    httpr_config_set_client_cert(cfg, pki(cert), pki(key), password);
  else
    httpr_config_set_client_pem(cfg, pki(cert), password);
  if (password && !(g_suite.features & HTTPR_FEATURE_ENCRYPTED_KEY)) {
    want = HTTPR_E_UNSUPPORTED;
    message = NULL;
  }
  httpr_error *err = httpr_error_new();
  if (want == HTTPR_OK) {
    expect_presented(cfg);
  } else {
    assert_code_err(client_auth_code(cfg, err), want, err);
    if (message)
      assert_string_equal(httpr_error_message(err), message);
  }
  httpr_error_free(err);
  httpr_config_free(cfg);
}

static void pkcs8_encrypted_right_password(void **state) {
  (void)state;
  encrypted_case("client.crt", "client-key-pkcs8-enc.pem", PASSWORD, HTTPR_OK,
                 NULL);
}

static void legacy_encrypted_right_password(void **state) {
  (void)state;
  encrypted_case("client.crt", "client-key-legacy-enc.pem", PASSWORD, HTTPR_OK,
                 NULL);
}

static void one_pem_encrypted_right_password(void **state) {
  (void)state;
  encrypted_case("client-enc.pem", NULL, PASSWORD, HTTPR_OK, NULL);
}

static void pkcs8_wrong_password(void **state) {
  (void)state;
  encrypted_case("client.crt", "client-key-pkcs8-enc.pem", "wrong",
                 HTTPR_E_CLIENT_CERT, "wrong key password");
}

static void legacy_wrong_password(void **state) {
  (void)state;
  encrypted_case("client.crt", "client-key-legacy-enc.pem", "wrong",
                 HTTPR_E_CLIENT_CERT, "wrong key password");
}

static void encrypted_without_password(void **state) {
  (void)state;
  encrypted_case("client.crt", "client-key-pkcs8-enc.pem", NULL,
                 HTTPR_E_CLIENT_CERT, NULL);
}

static void mismatched_key(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_config_set_client_cert(cfg, pki("client.crt"), pki("client-other.key"),
                               NULL);
  httpr_error *err = httpr_error_new();
  assert_code_err(client_auth_code(cfg, err), HTTPR_E_CLIENT_CERT, err);
  assert_string_equal(httpr_error_message(err),
                      "client key does not match the certificate");
  httpr_error_free(err);
  httpr_config_free(cfg);
}

static void missing_certificate_file(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_config_set_client_pem(cfg, pki("no-such-client.pem"), NULL);
  assert_code(client_auth_code(cfg, NULL), HTTPR_E_CLIENT_CERT);
  httpr_config_free(cfg);
}

/* PKCS#12 files, with a MAC (client.p12) and without one
 * (client-nomac.p12, whose password only the decryption tells): accepted
 * with the right password and refused in the shared words otherwise where
 * the provider declares PKCS#12, HTTPR_E_UNSUPPORTED where it does not. */
static void pkcs12_case(const char *file, const char *password, httpr_code want,
                        const char *message) {
  httpr_config *cfg = cfg_new();
  httpr_config_set_client_pkcs12(cfg, pki(file), password);
  if (!(g_suite.features & HTTPR_FEATURE_PKCS12)) {
    want = HTTPR_E_UNSUPPORTED;
    message = NULL;
  }
  httpr_error *err = httpr_error_new();
  if (want == HTTPR_OK) {
    expect_presented(cfg);
  } else {
    assert_code_err(client_auth_code(cfg, err), want, err);
    if (message)
      assert_string_equal(httpr_error_message(err), message);
  }
  httpr_error_free(err);
  httpr_config_free(cfg);
}

static void pkcs12_without_password_case(const char *file) {
  char message[600];
  snprintf(message, sizeof(message),
           "the key in '%s' is encrypted and no password was given", pki(file));
  pkcs12_case(file, NULL, HTTPR_E_CLIENT_CERT, message);
}

static void pkcs12_right_password(void **state) {
  (void)state;
  pkcs12_case("client.p12", PASSWORD, HTTPR_OK, NULL);
}

static void pkcs12_wrong_password(void **state) {
  (void)state;
  pkcs12_case("client.p12", "wrong", HTTPR_E_CLIENT_CERT, "wrong key password");
}

static void pkcs12_without_password(void **state) {
  (void)state;
  pkcs12_without_password_case("client.p12");
}

static void pkcs12_nomac_right_password(void **state) {
  (void)state;
  pkcs12_case("client-nomac.p12", PASSWORD, HTTPR_OK, NULL);
}

static void pkcs12_nomac_wrong_password(void **state) {
  (void)state;
  pkcs12_case("client-nomac.p12", "wrong", HTTPR_E_CLIENT_CERT,
              "wrong key password");
}

static void pkcs12_nomac_without_password(void **state) {
  (void)state;
  pkcs12_without_password_case("client-nomac.p12");
}

/* A MAC-less file whose key bag sits inside an encrypted part: the
 * provider must open the part to find the key (and count its KDF). */
static void pkcs12_key_in_encrypted_part(void **state) {
  (void)state;
  pkcs12_case("client-nested.p12", PASSWORD, HTTPR_OK, NULL);
}

/* A PKCS#12 file that is BER, not DER, is refused on every provider:
 * httpr reads its KDF counts before any library does, and reads DER. */
static void pkcs12_ber_refused(void **state) {
  (void)state;
  char message[600];
  snprintf(message, sizeof(message),
           "client certificate file '%s' cannot be parsed as PKCS#12: not "
           "DER-encoded",
           pki("client-ber.p12"));
  pkcs12_case("client-ber.p12", PASSWORD, HTTPR_E_CLIENT_CERT, message);
}

/* ---- the key-derivation cap ---------------------------------------------- */

/* Each file asks for 10,000,001 iterations in one place (make-pki.sh);
 * the PKCS#12 files add their other two derivations of 2048. */
#define COSTLY_KEY "10000001"
#define COSTLY_P12 "10004097"

/* Refused with the one message, before any derivation runs: well under
 * a second, where 10 million iterations take seconds (and the patched
 * files would not even decrypt). */
static void costly_case(const char *cert, const char *key, const char *count) {
  httpr_config *cfg = cfg_new();
  int pkcs12 = key == NULL;
  uint32_t needs = pkcs12 ? HTTPR_FEATURE_PKCS12 : HTTPR_FEATURE_ENCRYPTED_KEY;
  if (pkcs12)
    httpr_config_set_client_pkcs12(cfg, pki(cert), PASSWORD);
  else
    httpr_config_set_client_cert(cfg, pki(cert), pki(key), PASSWORD);
  httpr_error *err = httpr_error_new();
  double start = now_s();
  httpr_code rc = client_auth_code(cfg, err);
  double took = now_s() - start;
  if (!(g_suite.features & needs)) {
    assert_code_err(rc, HTTPR_E_UNSUPPORTED, err);
  } else {
    char message[600];
    snprintf(message, sizeof(message),
             "client credential file '%s' asks for %s key derivation "
             "iterations, above the cap of 10000000",
             pki(pkcs12 ? cert : key), count);
    assert_code_err(rc, HTTPR_E_CLIENT_CERT, err);
    assert_string_equal(httpr_error_message(err), message);
    assert_true(took < 1.0);
  }
  httpr_error_free(err);
  httpr_config_free(cfg);
}

static void kdf_cap_pkcs8_key(void **state) {
  (void)state;
  costly_case("client.crt", "client-key-pkcs8-costly.pem", COSTLY_KEY);
}

static void kdf_cap_pkcs12_mac(void **state) {
  (void)state;
  costly_case("client-costly-mac.p12", NULL, COSTLY_P12);
}

static void kdf_cap_pkcs12_key(void **state) {
  (void)state;
  costly_case("client-costly-key.p12", NULL, COSTLY_P12);
}

static void kdf_cap_pkcs12_encrypted_part(void **state) {
  (void)state;
  costly_case("client-costly-safe.p12", NULL, COSTLY_P12);
}

/* The key's count is inside an encrypted part: counted once the provider
 * has opened the part (2048 iterations), before the key is decrypted. */
static void kdf_cap_pkcs12_key_in_encrypted_part(void **state) {
  (void)state;
  costly_case("client-costly-nested.p12", NULL, COSTLY_P12);
}

static void unknown_ca(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_config_set_client_pem(cfg, pki("unknown-client.pem"), NULL);
  assert_code(client_auth_code(cfg, NULL), HTTPR_E_TLS_HANDSHAKE);
  httpr_config_free(cfg);
}

/* A server that does not ask for a certificate is not bothered by one. */
static void certificate_not_requested(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_config_set_client_pem(cfg, pki("client.pem"), NULL);
  httpr_response *resp = expect_get(
      cfg, url_of(SRV_GOOD_ECDSA, NULL, "/client-cert"), HTTPR_OK, NULL);
  char *body = body_string(resp);
  assert_string_equal(body, "none");
  free(body);
  httpr_response_free(resp);
  httpr_config_free(cfg);
}

const struct CMUnitTest client_cert_tests[] = {
    cmocka_unit_test(absent),
    cmocka_unit_test(absent_tls12),
    cmocka_unit_test(absent_tls13_names_the_alert),
    cmocka_unit_test(absent_large_post_alert_wins),
    cmocka_unit_test(one_pem),
    cmocka_unit_test(separate_files),
    cmocka_unit_test(pkcs8_encrypted_right_password),
    cmocka_unit_test(legacy_encrypted_right_password),
    cmocka_unit_test(one_pem_encrypted_right_password),
    cmocka_unit_test(pkcs8_wrong_password),
    cmocka_unit_test(legacy_wrong_password),
    cmocka_unit_test(encrypted_without_password),
    cmocka_unit_test(mismatched_key),
    cmocka_unit_test(missing_certificate_file),
    cmocka_unit_test(pkcs12_right_password),
    cmocka_unit_test(pkcs12_wrong_password),
    cmocka_unit_test(pkcs12_without_password),
    cmocka_unit_test(pkcs12_nomac_right_password),
    cmocka_unit_test(pkcs12_nomac_wrong_password),
    cmocka_unit_test(pkcs12_nomac_without_password),
    cmocka_unit_test(pkcs12_key_in_encrypted_part),
    cmocka_unit_test(pkcs12_ber_refused),
    cmocka_unit_test(kdf_cap_pkcs8_key),
    cmocka_unit_test(kdf_cap_pkcs12_mac),
    cmocka_unit_test(kdf_cap_pkcs12_key),
    cmocka_unit_test(kdf_cap_pkcs12_encrypted_part),
    cmocka_unit_test(kdf_cap_pkcs12_key_in_encrypted_part),
    cmocka_unit_test(unknown_ca),
    cmocka_unit_test(certificate_not_requested),
};
const size_t client_cert_tests_count = COUNT_OF(client_cert_tests);
