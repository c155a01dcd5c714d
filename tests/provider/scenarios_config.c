/* SPDX-License-Identifier: MIT */
/*
 * scenarios_config.c - what a provider's context is built from: trust
 * stores (CA directories with and without hash names, broken blocks,
 * sources without certificates), TLS versions (in common or not, a
 * missing TLS 1.3 refused as unsupported, nonsense refused as invalid,
 * what a server's records and alerts come out as), ALPN lists and the
 * certificate status check.
 */
#include <stdio.h>
#include <string.h>

#include "tests/provider/scenarios.h"

static void ca_dirs_hashed_or_not(void **state) {
  (void)state;
  const char *dirs[] = {"ca-dir-plain", "ca-dir-hashed"};
  for (size_t i = 0; i < 2; i++) {
    struct hr_tls_settings cs = client_settings(NULL);
    cs.trust.ca_dir = (char *)file_of(dirs[i]);
    struct session s;
    session_begin(&s, &cs, NULL, "localhost");
    expect_handshake_ok(&s.l);
    close_session(&s);
  }
}

/* A broken block is skipped; the good one after it is used. A CA file and
 * a directory together are both used. */
static void ca_file_with_a_broken_block(void **state) {
  (void)state;
  struct server_opts so = good_opts();
  good_chain("garbage-then-root.pem", &so, "localhost", 1, 1);
  struct hr_tls_settings cs = client_settings("other-root-ca.pem");
  cs.trust.ca_dir = (char *)file_of("ca-dir-plain");
  struct session s;
  session_begin(&s, &cs, &so, "localhost");
  expect_handshake_ok(&s.l);
  close_session(&s);
}

static void ca_sources_without_certificates(void **state) {
  (void)state;
  char want[320];
  struct hr_tls_settings cs = client_settings(NULL);
  cs.trust.ca_dir = (char *)file_of("emptydir");
  snprintf(want, sizeof(want),
           "CA directory '%s' (from config) holds no PEM certificate",
           cs.trust.ca_dir);
  context_fails(&cs, HTTPR_E_CA_FILE, want,
                "a CA directory must hold PEM files");
  cs = client_settings("garbage.pem");
  snprintf(want, sizeof(want),
           "CA file '%s' (from config) holds no PEM certificate",
           cs.trust.ca_file);
  context_fails(&cs, HTTPR_E_CA_FILE, want,
                "a CA file must hold PEM certificates "
                "(\"-----BEGIN CERTIFICATE-----\")");
  cs = client_settings("not-a-cert.pem");
  snprintf(want, sizeof(want),
           "CA file '%s' (from config) holds no PEM certificate",
           cs.trust.ca_file);
  context_fails(&cs, HTTPR_E_CA_FILE, want, NULL);
  cs = client_settings("missing.pem");
  snprintf(want, sizeof(want),
           "CA file '%s' (from config) cannot be read: No such file or "
           "directory",
           cs.trust.ca_file);
  context_fails(&cs, HTTPR_E_CA_FILE, want, NULL);
  cs = client_settings(NULL);
  cs.trust.ca_dir = (char *)file_of("no-such-dir");
  snprintf(want, sizeof(want),
           "CA directory '%s' (from config) cannot be read: No such file or "
           "directory",
           cs.trust.ca_dir);
  context_fails(&cs, HTTPR_E_CA_FILE, want, NULL);
  cs = client_settings(NULL);
  context_fails(&cs, HTTPR_E_CA_FILE, "no CA certificates configured", NULL);
}

/* A client from client_min to client_max against a server from server_min
 * to server_max: message; detail as want. */
static void versions_apart(int client_min, int client_max, int server_min,
                           int server_max, const char *message,
                           struct detail want) {
  struct hr_tls_settings cs = client_settings("root-ca.pem");
  cs.min_version = client_min;
  cs.max_version = client_max;
  struct server_opts so = good_opts();
  so.min = server_min;
  so.max = server_max;
  struct session s;
  httpr_error err = {0};
  session_begin(&s, &cs, &so, "localhost");
  expect_handshake_error(&s.l, HTTPR_E_TLS_HANDSHAKE, message, &err);
  expect_detail(err.detail, want);
  close_session(&s);
}

static const char offered_12[] = "no TLS version in common with the server "
                                 "(offered TLSv1.2 to TLSv1.2)";
static const char offered_13[] = "no TLS version in common with the server "
                                 "(offered TLSv1.3 to TLSv1.3)";

static void versions(void **state) {
  (void)state;
  /* A TLS 1.3-only server: OpenSSL's says protocol_version, and the
   * message names what was offered. */
  versions_apart(12, 12, 13, 13, offered_12, X->version_refused);
  if (has_tls13()) {
    versions_apart(13, 0, 12, 12, offered_13, X->protocol_version);
  } else {
    /* TLS 1.3 cannot be asked for. */
    const char *no13 = msg("the %s provider does not support TLS 1.3", P->name);
    struct hr_tls_settings cs = client_settings("root-ca.pem");
    cs.min_version = 13;
    context_fails(&cs, HTTPR_E_UNSUPPORTED, no13, NULL);
    cs.min_version = 12;
    cs.max_version = 13;
    context_fails(&cs, HTTPR_E_UNSUPPORTED, no13, NULL);
  }
  /* TLS 1.2 when asked, named as OpenSSL names it. */
  struct session s;
  open_session(&s, 12);
  struct hr_tls_info info;
  P->info(s.l.conn, &info);
  assert_string_equal(info.version, "TLSv1.2");
  assert_string_equal(info.cipher, server_cipher(&s.l));
  if (X->tls12_cipher)
    assert_string_equal(info.cipher, X->tls12_cipher);
  assert_string_equal(info.alpn, "http/1.1");
  assert_string_equal(info.subject, "CN=localhost");
  close_session(&s);
  /* Nonsense is the caller's mistake. */
  static const struct {
    int min, max;
    const char *message;
  } invalid[] = {
      {13, 12, "minimum TLS version is above the maximum"},
      {11, 0, "unknown TLS version 11"},
      {12, 14, "unknown TLS version 14"},
  };
  for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
    struct hr_tls_settings cs = client_settings("root-ca.pem");
    cs.min_version = invalid[i].min;
    cs.max_version = invalid[i].max;
    context_fails(&cs, HTTPR_E_INVALID, invalid[i].message, NULL);
  }
  /* 12 to 12 is there everywhere. */
  struct hr_tls_settings cs = client_settings("root-ca.pem");
  cs.max_version = 12;
  P->context_free(client_ctx(&cs));
}

/* A record a server answers the ClientHello of a client from version to
 * version with, and the message the client must give for it. */
static void server_answers(const unsigned char *record, size_t len, int version,
                           const char *message, struct detail want) {
  struct hr_tls_settings cs = client_settings("root-ca.pem");
  cs.min_version = version;
  cs.max_version = version;
  struct session s;
  httpr_error err = {0};
  session_begin(&s, &cs, NULL, "localhost");
  assert_int_equal(P->handshake(s.l.conn, &err), HR_TLS_WANT_READ);
  assert_true(s.l.c2s.len > 0);
  assert_true(queue_put(&s.l.s2c, record, len));
  assert_int_equal(P->handshake(s.l.conn, &err), HR_TLS_ERROR);
  assert_int_equal(err.code, HTTPR_E_TLS_HANDSHAKE);
  assert_string_equal(err.message, message);
  expect_detail(err.detail, want);
  if (X->expect_clean)
    X->expect_clean();
  close_session(&s);
}

/* A ServerHello of version minor (3.minor) with one suite. */
static void server_hello(unsigned char hello[47], unsigned char minor) {
  static const unsigned char head[] = {0x16, 0x03, 0x03, 0x00,
                                       0x2a,                   /* record */
                                       0x02, 0x00, 0x00, 0x26, /* ServerHello */
                                       0x03};
  memset(hello, 0, 47);
  memcpy(hello, head, sizeof(head));
  hello[10] = minor;
  hello[9 + 2 + 32] = 0x00;     /* no session id */
  hello[9 + 2 + 32 + 1] = 0xc0; /* a 1.2 suite */
  hello[9 + 2 + 32 + 2] = 0x2b;
  hello[9 + 2 + 32 + 3] = 0x00; /* no compression, no extensions */
}

static void server_records(void **state) {
  (void)state;
  static const unsigned char protocol_version[] = {0x15, 0x03, 0x03, 0x00,
                                                   0x02, 0x02, 0x46};
  static const unsigned char internal_error[] = {0x15, 0x03, 0x03, 0x00,
                                                 0x02, 0x02, 0x50};
  int top = has_tls13() ? 13 : 12;
  server_answers(protocol_version, sizeof(protocol_version), top,
                 top == 13 ? offered_13 : offered_12, X->protocol_version);
  /* An alert of another kind keeps its own name. */
  server_answers(internal_error, sizeof(internal_error), 12,
                 "TLS handshake failed: server sent alert internal_error",
                 X->internal_error);
  /* A server may also pick a version that was not offered. */
  unsigned char hello[47];
  server_hello(hello, 0x02); /* TLS 1.1 */
  server_answers(hello, sizeof(hello), 12, offered_12, X->old_hello);
  if (has_tls13()) {
    server_hello(hello, 0x03); /* TLS 1.2 */
    server_answers(hello, sizeof(hello), 13, offered_13, X->tls12_hello);
  }
}

static void no_alpn(void **state) {
  (void)state;
  /* Not offered. */
  struct hr_tls_settings cs = client_settings("root-ca.pem");
  cs.alpn = NULL;
  cs.alpn_len = 0;
  struct session s;
  struct hr_tls_info info;
  session_begin(&s, &cs, NULL, "localhost");
  expect_handshake_ok(&s.l);
  P->info(s.l.conn, &info);
  assert_string_equal(info.alpn, "");
  close_session(&s);
  /* Offered, not chosen. */
  struct server_opts so = good_opts();
  so.no_alpn = 1;
  cs = client_settings("root-ca.pem");
  session_begin(&s, &cs, &so, "localhost");
  expect_handshake_ok(&s.l);
  P->info(s.l.conn, &info);
  assert_string_equal(info.alpn, "");
  close_session(&s);
  /* Several offered: the server's choice. */
  static const unsigned char two[] = "\x02h2\x08http/1.1";
  cs = client_settings("root-ca.pem");
  cs.alpn = two;
  cs.alpn_len = sizeof(two) - 1;
  session_begin(&s, &cs, NULL, "localhost");
  expect_handshake_ok(&s.l);
  P->info(s.l.conn, &info);
  assert_string_equal(info.alpn, "http/1.1");
  close_session(&s);
  /* A malformed wire list is the caller's mistake. */
  static const unsigned char bad[] = "\x09http/1.1";
  static const unsigned char empty_name[] = "\x00\x08http/1.1";
  cs = client_settings("root-ca.pem");
  cs.alpn = bad;
  cs.alpn_len = sizeof(bad) - 1;
  context_fails(&cs, HTTPR_E_INVALID, "the ALPN protocol list is invalid",
                NULL);
  cs.alpn = empty_name;
  cs.alpn_len = sizeof(empty_name) - 1;
  context_fails(&cs, HTTPR_E_INVALID, "the ALPN protocol list is invalid",
                NULL);
}

/* The certificate status check: refused by a provider that does not
 * declare it, with its reason as the detail; else asked of a server that
 * staples nothing (the memory server), which fails the handshake. */
static void cert_status_only_where_declared(void **state) {
  (void)state;
  const char *status = "certificate status check failed: no OCSP response "
                       "was stapled";
  struct hr_tls_settings cs = client_settings("root-ca.pem");
  cs.cert_status = 1;
  if (!(P->features & HTTPR_FEATURE_CERT_STATUS)) {
    httpr_error err = {0};
    void *ctx = NULL;
    assert_int_equal(P->context_new(&cs, &ctx, &err), HTTPR_E_UNSUPPORTED);
    assert_null(ctx);
    assert_string_equal(err.message,
                        msg("the %s provider does not support certificate "
                            "status requests (OCSP stapling)",
                            P->name));
    assert_true(err.detail[0] != '\0');
    return;
  }
  struct session s;
  httpr_error err = {0};
  session_begin(&s, &cs, NULL, "localhost");
  expect_handshake_error(&s.l, HTTPR_E_CERT_STATUS, status, &err);
  assert_string_equal(err.detail, "the server sent no OCSP response");
  close_session(&s);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(ca_dirs_hashed_or_not),
    cmocka_unit_test(ca_file_with_a_broken_block),
    cmocka_unit_test(ca_sources_without_certificates),
    cmocka_unit_test(versions),
    cmocka_unit_test(server_records),
    cmocka_unit_test(no_alpn),
    cmocka_unit_test(cert_status_only_where_declared),
};
const struct scenario_table config_scenarios = TABLE(tests);
