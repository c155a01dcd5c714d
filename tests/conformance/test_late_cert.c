/* SPDX-License-Identifier: MIT */
/*
 * test_late_cert.c - a server that asks for the client certificate only
 * after the handshake, for one path (/late-cert), as Apache does for a
 * <Location> with SSLVerifyClient require (issue 15): TLS 1.3
 * post-handshake authentication where the provider has it
 * (HTTPR_FEATURE_POST_HANDSHAKE_AUTH), else, and always at TLS 1.2, a
 * renegotiation the server starts. Every credential form is sent;
 * without one the server's answer (403) comes back, never a hang. Over
 * HTTP/2 the server resets the stream with HTTP_1_1_REQUIRED and an
 * idempotent request goes again over HTTP/1.1; a server that asks anyway
 * on an HTTP/2 connection (/late-cert-anyway) is refused with
 * HTTPR_E_PROTOCOL, as RFC 9113 9.2.1 and RFC 8740 require.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/conformance/suite.h"

#define PASSWORD "secret"

enum credential { NONE, ONE_PEM, SEPARATE, ENCRYPTED_KEY, PKCS12 };

static httpr_config *cfg_with(enum credential c) {
  httpr_config *cfg = cfg_new();
  switch (c) {
  case NONE:
    break;
  case ONE_PEM:
    assert_code(httpr_config_set_client_pem(cfg, pki("client.pem"), NULL),
                HTTPR_OK);
    break;
  case SEPARATE:
    assert_code(httpr_config_set_client_cert(cfg, pki("client.crt"),
                                             pki("client.key"), NULL),
                HTTPR_OK);
    break;
  case ENCRYPTED_KEY:
    assert_code(httpr_config_set_client_cert(cfg, pki("client.crt"),
                                             pki("client-key-pkcs8-enc.pem"),
                                             PASSWORD),
                HTTPR_OK);
    break;
  case PKCS12:
    assert_code(httpr_config_set_client_pkcs12(cfg, pki("client.p12"),
                                               PASSWORD),
                HTTPR_OK);
    break;
  }
  return cfg;
}

/* GET p's path with credential c: the status, the body's first line in
 * `body` (cap bytes) and the HTTP version. */
static int late_get(enum profile p, const char *path, enum credential c,
                    char *body, size_t cap, httpr_http_version *version) {
  httpr_config *cfg = cfg_with(c);
  httpr_response *resp = expect_get(cfg, url_of(p, NULL, path), HTTPR_OK,
                                    NULL);
  int status = httpr_response_status(resp);
  char *text = body_string(resp);
  snprintf(body, cap, "%s", text);
  free(text);
  if (version)
    *version = httpr_response_http_version(resp);
  httpr_response_free(resp);
  httpr_config_free(cfg);
  return status;
}

static void expect_presented(enum profile p, enum credential c) {
  char body[512];
  assert_int_equal(late_get(p, "/late-cert", c, body, sizeof(body), NULL),
                   200);
  assert_non_null(strstr(body, "CN=httpr test client"));
}

/* TLS 1.3 post-handshake authentication, or (mbedtls) TLS 1.2
 * renegotiation: the server picks by the version negotiated. */
static void every_credential_form(void **state) {
  (void)state;
  const enum credential forms[] = {ONE_PEM, SEPARATE, ENCRYPTED_KEY, PKCS12};
  for (size_t i = 0; i < COUNT_OF(forms); i++)
    expect_presented(SRV_LATE_CERT, forms[i]);
}

static void every_credential_form_tls12_renegotiation(void **state) {
  (void)state;
  const enum credential forms[] = {ONE_PEM, SEPARATE, ENCRYPTED_KEY, PKCS12};
  for (size_t i = 0; i < COUNT_OF(forms); i++)
    expect_presented(SRV_LATE_CERT_TLS12, forms[i]);
}

/* Without a credential the server decides: here a 403 naming an empty
 * Certificate message, whichever way it asked. */
static void absent_gets_the_servers_answer(void **state) {
  (void)state;
  char body[512];
  const enum profile profiles[] = {SRV_LATE_CERT, SRV_LATE_CERT_TLS12};
  for (size_t i = 0; i < COUNT_OF(profiles); i++) {
    assert_int_equal(late_get(profiles[i], "/late-cert", NONE, body,
                              sizeof(body), NULL),
                     403);
    assert_non_null(strstr(body, "no client certificate"));
  }
}

/* The connection stays usable after the exchange: the path that does
 * not ask, on the same client. */
static void connection_reused_after_late_auth(void **state) {
  (void)state;
  httpr_config *cfg = cfg_with(ONE_PEM);
  httpr_client *client = client_of(cfg);
  httpr_error *err = httpr_error_new();
  struct kept first, second;
  assert_code_err(send_kept(client, "GET",
                            url_of(SRV_LATE_CERT, NULL, "/late-cert"), NULL,
                            &first, err),
                  HTTPR_OK, err);
  assert_int_equal(first.status, 200);
  assert_code_err(send_kept(client, "GET",
                            url_of(SRV_LATE_CERT, NULL, "/conn-id"), NULL,
                            &second, err),
                  HTTPR_OK, err);
  assert_true(second.reused);
  httpr_error_free(err);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* Over HTTP/2 the server resets the stream with HTTP_1_1_REQUIRED: a GET
 * goes again on a new connection offering HTTP/1.1 alone. */
static void h2_http1_required_get_goes_again_over_http1(void **state) {
  (void)state;
  const enum profile profiles[] = {SRV_LATE_CERT_H2, SRV_LATE_CERT_H2_TLS12};
  for (size_t i = 0; i < COUNT_OF(profiles); i++) {
    char body[512];
    httpr_http_version version = HTTPR_HTTP_2;
    assert_int_equal(late_get(profiles[i], "/late-cert", ONE_PEM, body,
                              sizeof(body), &version),
                     200);
    assert_non_null(strstr(body, "CN=httpr test client"));
    assert_int_equal(version, HTTPR_HTTP_1_1);
  }
}

/* A POST is not sent twice: the reset is its answer. */
static void h2_http1_required_post_not_resent(void **state) {
  (void)state;
  httpr_config *cfg = cfg_with(ONE_PEM);
  httpr_client *client = client_of(cfg);
  httpr_error *err = httpr_error_new();
  httpr_request *req = NULL;
  httpr_response *resp = NULL;
  assert_code(httpr_request_new(&req, "POST",
                                url_of(SRV_LATE_CERT_H2, NULL, "/late-cert"),
                                NULL),
              HTTPR_OK);
  assert_code(httpr_request_set_body(req, "x", 1), HTTPR_OK);
  assert_code_err(httpr_client_send(client, req, &resp, err), HTTPR_E_PROTOCOL,
                  err);
  assert_non_null(strstr(httpr_error_message(err), "(error 13)"));
  httpr_request_free(req);
  httpr_error_free(err);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* A server that asks anyway on an HTTP/2 connection: TLS 1.3
 * post-handshake authentication or a TLS 1.2 renegotiation. */
static void h2_late_auth_refused(void **state) {
  (void)state;
  const enum profile profiles[] = {SRV_LATE_CERT_H2, SRV_LATE_CERT_H2_TLS12};
  for (size_t i = 0; i < COUNT_OF(profiles); i++) {
    httpr_config *cfg = cfg_with(ONE_PEM);
    assert_code(httpr_config_set_http_policy(cfg, HTTPR_HTTP2_ONLY), HTTPR_OK);
    httpr_error *err = httpr_error_new();
    expect_get(cfg, url_of(profiles[i], NULL, "/late-cert-anyway"),
               HTTPR_E_PROTOCOL, err);
    assert_string_equal(httpr_error_message(err),
                        "the server asked for a renegotiation or a client "
                        "certificate after the TLS handshake on an HTTP/2 "
                        "connection, which HTTP/2 forbids");
    httpr_error_free(err);
    httpr_config_free(cfg);
  }
}

const struct CMUnitTest late_cert_tests[] = {
    cmocka_unit_test(every_credential_form),
    cmocka_unit_test(every_credential_form_tls12_renegotiation),
    cmocka_unit_test(absent_gets_the_servers_answer),
    cmocka_unit_test(connection_reused_after_late_auth),
    cmocka_unit_test(h2_http1_required_get_goes_again_over_http1),
    cmocka_unit_test(h2_http1_required_post_not_resent),
    cmocka_unit_test(h2_late_auth_refused),
};
const size_t late_cert_tests_count = COUNT_OF(late_cert_tests);
