/* SPDX-License-Identifier: MIT */
/*
 * scenarios_credentials.c - a provider's client credentials: every form
 * every provider reads (PEM with the key, certificate and key files, the
 * key encrypted as PKCS#8 or in OpenSSL's traditional form, PKCS#12 with
 * and without a MAC), the refusals with their exact wording, wrong
 * passwords, and the certificate presented to a server that demands one,
 * in TLS 1.2 and 1.3, or refused by it.
 */
#include <stdio.h>
#include <string.h>

#include "tests/provider/scenarios.h"
#include "tests/unit/pki_files.h"

/* Names, not settings: cred() takes paths from file_of()'s 16 rotating
 * buffers, fewer than a table of settings would need. */
static const struct {
  enum hr_cred_kind kind;
  const char *cert, *key, *password;
} accepted_forms[] = {
    {HR_CRED_PEM, "client.pem", NULL, NULL},
    {HR_CRED_PEM, "client-enc.pem", NULL, PASSWORD},
    {HR_CRED_FILES, "client.crt", "client.key", NULL},
    {HR_CRED_FILES, "client.crt", "client-key-pkcs8-enc.pem", PASSWORD},
    {HR_CRED_FILES, "client.crt", "client-key-legacy-enc.pem", PASSWORD},
    {HR_CRED_PKCS12, "client.p12", NULL, PASSWORD},
    {HR_CRED_PKCS12, "client-nomac.p12", NULL, PASSWORD},
};
#define ACCEPTED_FORMS (sizeof(accepted_forms) / sizeof(accepted_forms[0]))

static struct hr_tls_settings accepted(size_t i) {
  return cred(accepted_forms[i].kind, accepted_forms[i].cert,
              accepted_forms[i].key, accepted_forms[i].password);
}

static void credentials_accepted(void **state) {
  (void)state;
  for (size_t i = 0; i < ACCEPTED_FORMS; i++) {
    struct hr_tls_settings s = accepted(i);
    httpr_error err = {0};
    void *ctx = NULL;
    httpr_code rc = P->context_new(&s, &ctx, &err);
    if (rc != HTTPR_OK)
      print_error("form %zu: %s (%s)\n", i, err.message, err.detail);
    assert_int_equal(rc, HTTPR_OK);
    P->context_free(ctx);
  }
}

static const char *encrypted_no_password(const char *name) {
  return msg("the key in '%s' is encrypted and no password was given",
             file_of(name));
}

static void credentials_refused(void **state) {
  (void)state;
  cred_fails(cred(HR_CRED_PEM, "missing.pem", NULL, NULL),
             msg("client certificate file '%s' cannot be read: No such file or "
                 "directory",
                 file_of("missing.pem")));
  cred_fails(
      cred(HR_CRED_FILES, "client.crt", "missing.key", NULL),
      msg("client key file '%s' cannot be read: No such file or directory",
          file_of("missing.key")));
  cred_fails(cred(HR_CRED_PEM, "client.key", NULL, NULL),
             msg("client certificate file '%s' holds no PEM certificate",
                 file_of("client.key")));
  cred_fails(cred(HR_CRED_PEM, "client.crt", NULL, NULL),
             msg("no private key found in '%s'", file_of("client.crt")));
  cred_fails(cred(HR_CRED_FILES, "client.crt", "client.crt", NULL),
             msg("no private key found in '%s'", file_of("client.crt")));
  cred_fails(cred(HR_CRED_PEM, "client-enc.pem", NULL, NULL),
             encrypted_no_password("client-enc.pem"));
  cred_fails(
      cred(HR_CRED_FILES, "client.crt", "client-key-legacy-enc.pem", NULL),
      encrypted_no_password("client-key-legacy-enc.pem"));
  cred_fails(cred(HR_CRED_FILES, "client.crt", "client-other.key", NULL),
             "client key does not match the certificate");
  cred_fails(cred(HR_CRED_PEM, "garbage.pem", NULL, NULL),
             msg("no private key found in '%s'", file_of("garbage.pem")));
  cred_fails(cred(HR_CRED_PKCS12, "client.pem", NULL, PASSWORD),
             msg("client certificate file '%s' is not a PKCS#12 file",
                 file_of("client.pem")));
  cred_fails(cred(HR_CRED_PKCS12, "client.p12", NULL, NULL),
             encrypted_no_password("client.p12"));
  cred_fails(cred(HR_CRED_PKCS12, "client-nomac.p12", NULL, NULL),
             encrypted_no_password("client-nomac.p12"));
  cred_fails(cred(HR_CRED_PKCS12, "client-nomac.p12", NULL, ""),
             encrypted_no_password("client-nomac.p12"));
  cred_fails(cred(HR_CRED_PKCS12, "missing.p12", NULL, PASSWORD),
             msg("client certificate file '%s' cannot be read: No such file or "
                 "directory",
                 file_of("missing.p12")));
  /* A key that does not parse, with the library's reason in the detail. */
  httpr_error err = {0};
  void *ctx = NULL;
  assert_true(write_text("bad.key", "-----BEGIN PRIVATE KEY-----\nAAAA\n"
                                    "-----END PRIVATE KEY-----\n"));
  struct hr_tls_settings s = cred(HR_CRED_FILES, "client.crt", "bad.key", NULL);
  assert_int_equal(P->context_new(&s, &ctx, &err), HTTPR_E_CLIENT_CERT);
  assert_null(ctx);
  assert_string_equal(
      err.message, msg("the key in '%s' cannot be parsed", file_of("bad.key")));
  expect_detail(err.detail, X->bad_key);
}

static void wrong_passwords(void **state) {
  (void)state;
  struct hr_tls_settings forms[WRONG_FORMS] = {
      cred(HR_CRED_PEM, "client-enc.pem", NULL, "wrong"),
      cred(HR_CRED_FILES, "client.crt", "client-key-pkcs8-enc.pem", "wrong"),
      cred(HR_CRED_FILES, "client.crt", "client-key-legacy-enc.pem", "wrong"),
      cred(HR_CRED_PKCS12, "client.p12", NULL, "wrong"),
      cred(HR_CRED_PKCS12, "client-nomac.p12", NULL, "wrong"),
  };
  for (size_t i = 0; i < WRONG_FORMS; i++) {
    context_fails(&forms[i], HTTPR_E_CLIENT_CERT, "wrong key password",
                  "check the password given with --pass or after --cert "
                  "FILE:");
    /* The library's own words, or what failed, stay in the detail. */
    httpr_error err = {0};
    void *ctx = NULL;
    assert_int_equal(P->context_new(&forms[i], &ctx, &err),
                     HTTPR_E_CLIENT_CERT);
    expect_detail(err.detail, X->wrong_password[i]);
  }
}

/* A server that demands a client certificate, over TLS 1.3 (the alert
 * comes after the client's Finished) or TLS 1.2 (during the handshake). */
static void client_auth(struct session *s, const struct hr_tls_settings *cs,
                        int tls) {
  struct server_opts so = good_opts();
  so.min = tls;
  so.max = tls;
  so.require_client_cert = 1;
  session_begin(s, cs, &so, "localhost");
}

static void client_certificate_presented(void **state) {
  (void)state;
  for (size_t i = 0; i < ACCEPTED_FORMS; i++) {
    for (int tls = 12; tls <= (has_tls13() ? 13 : 12); tls++) {
      struct hr_tls_settings cs = accepted(i);
      struct session s;
      client_auth(&s, &cs, tls);
      expect_handshake_ok(&s.l);
      client_write_all(&s.l, (const unsigned char *)"ping", 4, ROUNDS);
      unsigned char buf[4];
      server_read_exact(&s.l, buf, 4);
      assert_memory_equal(buf, "ping", 4);
      /* The server holds our certificate, and trusts it. */
      assert_true(server_peer_is(&s.l, "client.crt"));
      assert_int_equal(server_peer_chain_len(&s.l), X->client_chain);
      close_session(&s);
    }
  }
}

/* The server names the CAs it trusts and ours is not among them: the
 * certificate goes anyway and the server says no, as with OpenSSL. */
static void client_certificate_of_unknown_ca(void **state) {
  (void)state;
  for (int tls = 12; tls <= (has_tls13() ? 13 : 12); tls++) {
    struct hr_tls_settings cs =
        cred(HR_CRED_PEM, "unknown-client.pem", NULL, NULL);
    struct session s;
    httpr_error err = {0};
    client_auth(&s, &cs, tls);
    enum hr_tls_status st = handshake(&s.l, &err, ROUNDS);
    assert_true(server_got_peer_cert(&s.l));
    assert_int_equal(s.l.server_state, -1);
    if (st == HR_TLS_DONE) { /* TLS 1.3: the alert comes after Finished */
      assert_int_equal(tls, 13);
      unsigned char buf[8];
      size_t got = 0;
      st = P->read(s.l.conn, buf, sizeof(buf), &got, &err);
    }
    assert_int_equal(st, HR_TLS_ERROR);
    assert_int_equal(err.code, HTTPR_E_TLS_HANDSHAKE);
    assert_string_equal(err.message, "server rejected the client certificate "
                                     "(alert unknown_ca)");
    if (tls == 12)
      expect_detail(err.detail, X->unknown_ca);
    close_session(&s);
  }
}

static void certificate_required_alert_on_first_read(void **state) {
  (void)state;
  struct hr_tls_settings cs = client_settings("root-ca.pem");
  if (!has_tls13()) {
    /* No TLS 1.3, so no such alert (TLS 1.2's is the next scenario): a
     * client asking for TLS 1.3 is refused before any handshake. */
    cs.min_version = 13;
    context_fails(&cs, HTTPR_E_UNSUPPORTED,
                  msg("the %s provider does not support TLS 1.3", P->name),
                  NULL);
    return;
  }
  struct session s;
  httpr_error err = {0};
  client_auth(&s, &cs, 13);
  /* The client is done; the server refuses it after its Finished. */
  assert_int_equal(handshake(&s.l, &err, ROUNDS), HR_TLS_DONE);
  assert_int_equal(s.l.server_state, -1);
  unsigned char buf[16];
  size_t got = 0;
  assert_int_equal(P->read(s.l.conn, buf, sizeof(buf), &got, &err),
                   HR_TLS_ERROR);
  assert_int_equal(err.code, HTTPR_E_TLS_HANDSHAKE);
  assert_string_equal(err.message, "no client certificate presented (server "
                                   "sent alert certificate_required)");
  assert_string_equal(err.hint, "the server requires a client certificate: "
                                "give one with --cert");
  expect_detail(err.detail, X->certificate_required);
  if (X->expect_clean)
    X->expect_clean();
  close_session(&s);
}

static void handshake_failure_alert_in_tls12(void **state) {
  (void)state;
  struct hr_tls_settings cs = client_settings("root-ca.pem");
  struct session s;
  httpr_error err = {0};
  client_auth(&s, &cs, 12);
  expect_handshake_error(&s.l, HTTPR_E_TLS_HANDSHAKE,
                         "TLS handshake failed: server sent alert "
                         "handshake_failure",
                         &err);
  expect_detail(err.detail, X->handshake_failure);
  close_session(&s);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(credentials_accepted),
    cmocka_unit_test(credentials_refused),
    cmocka_unit_test(wrong_passwords),
    cmocka_unit_test(client_certificate_presented),
    cmocka_unit_test(client_certificate_of_unknown_ca),
    cmocka_unit_test(certificate_required_alert_on_first_read),
    cmocka_unit_test(handshake_failure_alert_in_tls12),
};
const struct scenario_table credential_scenarios = TABLE(tests);
