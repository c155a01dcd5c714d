/* SPDX-License-Identifier: MIT */
/*
 * scenarios_verify.c - a provider's verification of the server: chains
 * trusted, untrusted, incomplete or anchored at an intermediate, validity
 * periods, purposes, host names and IP addresses by the shared rules of
 * backends/identity.h, verification off, the subject and issuer as RFC
 * 2253 prints them, and what set_report records (the path, the shared
 * checks, who decided). Messages and hints are the shared wording; the
 * library's detail and alert come from the provider's expectations.
 */
#include <stdio.h>
#include <string.h>

#include "backends/verify_report.h"
#include "tests/provider/scenarios.h"

static const char hint_issuer[] =
    "the CA bundle lacks the issuer: give it with --cacert or SSL_CERT_FILE";
static const char hint_self_signed[] =
    "the server's certificate is self-signed: trust it with --cacert, or "
    "use -k for testing only";
static const char hint_hostname[] =
    "the certificate is for another name: check the URL, or use --resolve "
    "to reach this address under the certificate's name";
static const char unknown_issuer[] =
    "certificate verify failed: unable to get local issuer certificate";

/* bad_chain with the provider's verdict. */
static void refused(const char *ca_name, const struct server_opts *so,
                    const char *host, httpr_code code, const char *message,
                    struct verdict v, const char *hint) {
  struct hr_tls_settings cs = client_settings(ca_name);
  struct session s;
  httpr_error err = {0};
  session_begin(&s, &cs, so, host);
  expect_handshake_error(&s.l, code, message, &err);
  expect_detail(err.detail, v.detail);
  if (hint)
    assert_string_equal(err.hint, hint);
  /* The client's alert ended the server's handshake. */
  assert_int_equal(s.l.server_state, -1);
  if (v.alert != ANY_ALERT)
    server_hooks.expect_alert(&s.l, v.alert);
  close_session(&s);
}

static const char *mismatch(const char *host) {
  return msg("certificate verify failed: certificate does not match host "
             "name '%s'",
             host);
}

static void self_signed_trusted_directly(void **state) {
  (void)state;
  struct server_opts so = opts_with("selfsigned.crt", "selfsigned.key");
  good_chain("selfsigned.crt", &so, "localhost", 1, 1);
}

static void self_signed_wrong_anchor(void **state) {
  (void)state;
  struct server_opts so = opts_with("selfsigned.crt", "selfsigned.key");
  refused("other-root-ca.pem", &so, "localhost", HTTPR_E_CERT_UNTRUSTED,
          "certificate verify failed: self-signed certificate", X->self_signed,
          hint_self_signed);
}

static void chain_wrong_anchor(void **state) {
  (void)state;
  struct server_opts so = good_opts();
  refused("other-root-ca.pem", &so, "localhost", HTTPR_E_CERT_UNTRUSTED,
          unknown_issuer, X->wrong_anchor, hint_issuer);
}

static void root_sent_but_not_trusted(void **state) {
  (void)state;
  /* The server sends its whole chain up to the root we do not trust. */
  struct server_opts so = good_opts();
  so.extra = "root-ca.pem";
  refused("other-root-ca.pem", &so, "localhost", HTTPR_E_CERT_UNTRUSTED,
          "certificate verify failed: self-signed certificate in "
          "certificate chain",
          X->root_sent, hint_issuer);
}

/* A root that is not the leaf's issuer after the leaf does not make a
 * chain: OpenSSL says the issuer is missing, and so do we. */
static void unrelated_root_after_the_leaf(void **state) {
  (void)state;
  struct server_opts so = opts_with("missing-inter.crt", "missing-inter.key");
  so.extra = "other-root-ca.pem";
  refused("other-root-ca.pem", &so, "localhost", HTTPR_E_CERT_UNTRUSTED,
          unknown_issuer, X->unrelated_root, hint_issuer);
}

static void missing_intermediate(void **state) {
  (void)state;
  struct server_opts so = opts_with("missing-inter.crt", "missing-inter.key");
  refused("root-ca.pem", &so, "localhost", HTTPR_E_CERT_UNTRUSTED,
          unknown_issuer, X->missing_inter, hint_issuer);
}

static void intermediate_as_trust_anchor(void **state) {
  (void)state;
  struct server_opts so = good_opts();
  good_chain("inter-only.pem", &so, "localhost", 1, 1);
  /* Also when the server does not send it. */
  struct server_opts alone =
      opts_with("missing-inter.crt", "missing-inter.key");
  good_chain("inter-only.pem", &alone, "localhost", 1, 1);
}

static void validity_period(void **state) {
  (void)state;
  struct server_opts so = opts_with("expired.crt", "expired.key");
  refused("root-ca.pem", &so, "localhost", HTTPR_E_CERT_EXPIRED,
          "certificate verify failed: certificate has expired", X->expired,
          NULL);
  /* Expired and untrusted: the trust problem is named, as OpenSSL does. */
  refused("other-root-ca.pem", &so, "localhost", HTTPR_E_CERT_UNTRUSTED,
          unknown_issuer, X->expired_untrusted, hint_issuer);
  so = opts_with("notyet.crt", "notyet.key");
  refused("root-ca.pem", &so, "localhost", HTTPR_E_CERT_NOT_YET_VALID,
          "certificate verify failed: certificate is not yet valid",
          X->not_yet_valid, NULL);
}

/* A defect outside the named ones, in the shared words; the library's own
 * words stay in the detail. The name is not checked on a certificate that
 * is unfit anyway. */
static void other_verify_failure(void **state) {
  (void)state;
  /* A certificate for TLS clients, served by a server. */
  struct server_opts so = opts_with("client.crt", "client.key");
  refused("root-ca.pem", &so, "localhost", HTTPR_E_CERT_OTHER,
          "certificate verify failed: unsuitable certificate purpose",
          X->purpose, "");
}

static void host_name_mismatch(void **state) {
  (void)state;
  struct server_opts so = good_opts();
  refused("root-ca.pem", &so, "www.example.com", HTTPR_E_CERT_HOSTNAME,
          mismatch("www.example.com"), X->hostname, hint_hostname);
  /* The identity check off forgives the name, not the chain. */
  good_chain("root-ca.pem", &so, "www.example.com", 1, 0);
  /* Both wrong: the chain's defect is named before the name, on every
   * provider. */
  struct server_opts expired = opts_with("expired.crt", "expired.key");
  refused("root-ca.pem", &expired, "www.example.com", HTTPR_E_CERT_EXPIRED,
          "certificate verify failed: certificate has expired", X->expired,
          NULL);
  /* A trailing dot names the same host, and case does not matter. */
  good_chain("root-ca.pem", &so, "localhost.", 1, 1);
  good_chain("root-ca.pem", &so, "LocalHost", 1, 1);
}

/* The shared rules of backends/identity.h decide, not the library's. */
static void shared_identity_rules(void **state) {
  (void)state;
  struct server_opts wild = opts_with("wildcard.crt", "good-ecdsa.key");
  good_chain("root-ca.pem", &wild, "www.example.com", 1, 1);
  refused("root-ca.pem", &wild, "a.b.example.com", HTTPR_E_CERT_HOSTNAME,
          mismatch("a.b.example.com"), X->hostname, NULL);
  refused("root-ca.pem", &wild, "example.com", HTTPR_E_CERT_HOSTNAME,
          mismatch("example.com"), X->hostname, NULL);
  /* No CN fallback: the name in the CN alone is not enough. */
  struct server_opts cn_only = opts_with("cn-only.crt", "good-ecdsa.key");
  refused("root-ca.pem", &cn_only, "localhost", HTTPR_E_CERT_HOSTNAME,
          mismatch("localhost"), X->hostname, NULL);
  /* An IP address never matches a DNS name, even one spelled alike. */
  refused("root-ca.pem", &wild, "10.0.0.1", HTTPR_E_CERT_HOSTNAME,
          mismatch("10.0.0.1"), X->ip_address, NULL);
}

/* IP addresses are checked against the IP SANs and kept out of SNI. */
static void ip_literal_identity_and_no_sni(void **state) {
  (void)state;
  struct server_opts so = good_opts();
  struct hr_tls_settings cs = client_settings("root-ca.pem");
  void *cctx = client_ctx(&cs);
  void *server = server_hooks.server_new(&so);
  const char *hosts[] = {"127.0.0.1", "::1"};
  for (size_t i = 0; i < 2; i++) {
    struct link l;
    link_open(&l, cctx, server, hosts[i]);
    expect_handshake_ok(&l);
    assert_null(server_sni(&l));
    link_close(&l);
  }
  server_hooks.server_free(server);
  P->context_free(cctx);
  refused("root-ca.pem", &so, "127.0.0.2", HTTPR_E_CERT_HOSTNAME,
          mismatch("127.0.0.2"), X->ip_address, NULL);
  refused("root-ca.pem", &so, "::2", HTTPR_E_CERT_HOSTNAME, mismatch("::2"),
          X->ip_address, NULL);
  /* A certificate with the name only, reached by address. */
  struct server_opts noip = opts_with("noip.crt", "noip.key");
  refused("root-ca.pem", &noip, "127.0.0.1", HTTPR_E_CERT_HOSTNAME,
          mismatch("127.0.0.1"), X->ip_address, NULL);
}

static void verify_off_accepts_anything(void **state) {
  (void)state;
  struct server_opts self = opts_with("selfsigned.crt", "selfsigned.key");
  struct server_opts expired = opts_with("expired.crt", "expired.key");
  struct server_opts client = opts_with("client.crt", "client.key");
  good_chain(NULL, &self, "localhost", 0, 1);
  good_chain(NULL, &expired, "www.example.com", 0, 1);
  good_chain(NULL, &client, "localhost", 0, 1);
}

/* Subject and issuer as RFC 2253 (and OpenSSL) print them: the most
 * specific RDN first, a multi-valued RDN joined with '+', special
 * characters escaped. An RSA leaf's suite is the server's too. */
static void names_and_suites(void **state) {
  (void)state;
  struct hr_tls_settings cs = client_settings("root-ca.pem");
  void *cctx = client_ctx(&cs);
  struct server_opts so = opts_with("named.crt", "good-ecdsa.key");
  void *server = server_hooks.server_new(&so);
  struct link l;
  struct hr_tls_info info;
  link_open(&l, cctx, server, "localhost");
  expect_handshake_ok(&l);
  P->info(l.conn, &info);
  assert_string_equal(cert_subject("named.crt"),
                      "CN=localhost,OU=b+OU=a,O=httpr\\, tests,C=DE");
  assert_string_equal(info.subject, X->named_subject
                                        ? X->named_subject
                                        : cert_subject("named.crt"));
  assert_string_equal(info.issuer, "CN=httpr test intermediate");
  link_close(&l);
  server_hooks.server_free(server);
  so = opts_with("good-rsa.crt", "good-rsa.key");
  server = server_hooks.server_new(&so);
  link_open(&l, cctx, server, "localhost");
  expect_handshake_ok(&l);
  P->info(l.conn, &info);
  assert_string_equal(info.cipher, server_cipher(&l));
  if (X->rsa_cipher)
    assert_string_equal(info.cipher, X->rsa_cipher);
  link_close(&l);
  server_hooks.server_free(server);
  P->context_free(cctx);
}

/* ---- the verification report (set_report) -------------------------------- */

/* A handshake recording into r, trusting ca_name, against so (NULL: the
 * usual server) for host; hostname off skips the identity check. The
 * client's last status. */
static enum hr_tls_status reported(const char *ca_name,
                                   const struct server_opts *so,
                                   const char *host, int hostname,
                                   struct httpr_verify_report *r) {
  struct hr_tls_settings cs = client_settings(ca_name);
  struct session s;
  httpr_error err = {0};
  cs.verify_hostname = hostname;
  memset(r, 0, sizeof(*r));
  session_begin(&s, &cs, so, host);
  P->set_report(s.l.conn, r);
  enum hr_tls_status st = handshake(&s.l, &err, ROUNDS);
  P->set_report(s.l.conn, NULL);
  if (st == HR_TLS_ERROR)
    assert_string_equal(httpr_verify_report_result(r), err.message);
  close_session(&s);
  return st;
}

static void expect_report_path(const struct httpr_verify_report *r,
                               const char *const *names) {
  size_t n = 0;
  for (; names[n]; n += 2) {
    assert_string_equal(httpr_verify_report_cert_subject(r, n / 2), names[n]);
    assert_string_equal(httpr_verify_report_cert_issuer(r, n / 2),
                        names[n + 1]);
  }
  assert_int_equal(httpr_verify_report_cert_count(r), n / 2);
}

#define NAMES(...) ((const char *const[]){__VA_ARGS__, NULL})
#define INTER "CN=httpr test intermediate"
#define ROOT "CN=httpr test root"

/* Every provider records the path it verified and the shared checks, all
 * passed; the identity check only when it runs. The names are printed
 * by shared code: a multi-valued RDN reads the same everywhere. */
static void report_of_an_accepted_chain(void **state) {
  (void)state;
  struct httpr_verify_report r;
  assert_int_equal(reported("root-ca.pem", NULL, "localhost", 1, &r),
                   HR_TLS_DONE);
  expect_report_path(&r, NAMES("CN=localhost", INTER, INTER, ROOT, ROOT, ROOT));
  assert_string_equal(httpr_verify_report_result(&r), "ok");
  assert_string_equal(httpr_verify_report_decided_by(&r), "");
  int passed = 0;
  assert_string_equal(httpr_verify_report_check(&r, 0, &passed),
                      "chain-length");
  assert_int_equal(passed, 1);
  assert_string_equal(httpr_verify_report_check(&r, 9, &passed), "identity");
  assert_int_equal(passed, 1);
  assert_null(httpr_verify_report_check(&r, 10, NULL));
  /* Without the identity check; an intermediate as the trust anchor. */
  assert_int_equal(reported("inter-only.pem", NULL, "other.example", 0, &r),
                   HR_TLS_DONE);
  expect_report_path(&r, NAMES("CN=localhost", INTER, INTER, ROOT));
  assert_string_equal(httpr_verify_report_check(&r, 8, NULL), "key-usage");
  assert_null(httpr_verify_report_check(&r, 9, NULL));
  struct server_opts named = opts_with("named.crt", "good-ecdsa.key");
  assert_int_equal(reported("root-ca.pem", &named, "localhost", 1, &r),
                   HR_TLS_DONE);
  assert_string_equal(httpr_verify_report_cert_subject(&r, 0),
                      cert_subject("named.crt"));
}

/* Refusals: by the library (expired; untrusted, with the path as far as
 * it went), by the identity check. */
static void report_of_refused_chains(void **state) {
  (void)state;
  struct httpr_verify_report r;
  struct server_opts expired = opts_with("expired.crt", "expired.key");
  assert_int_equal(reported("root-ca.pem", &expired, "localhost", 1, &r),
                   HR_TLS_ERROR);
  expect_report_path(&r, NAMES("CN=localhost", INTER, INTER, ROOT, ROOT, ROOT));
  assert_string_equal(httpr_verify_report_decided_by(&r), "library");
  assert_true(strlen(httpr_verify_report_detail(&r)) > 0);
  struct server_opts root_sent = good_opts();
  root_sent.extra = "root-ca.pem";
  assert_int_equal(
      reported("other-root-ca.pem", &root_sent, "localhost", 1, &r),
      HR_TLS_ERROR);
  expect_report_path(&r, NAMES("CN=localhost", INTER, INTER, ROOT, ROOT, ROOT));
  assert_string_equal(httpr_verify_report_decided_by(&r), "library");
  assert_null(httpr_verify_report_check(&r, 0, NULL));
  assert_int_equal(reported("root-ca.pem", NULL, "other.example", 1, &r),
                   HR_TLS_ERROR);
  assert_string_equal(httpr_verify_report_decided_by(&r), "identity");
  int passed = 1;
  assert_string_equal(httpr_verify_report_check(&r, 9, &passed), "identity");
  assert_int_equal(passed, 0);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(self_signed_trusted_directly),
    cmocka_unit_test(self_signed_wrong_anchor),
    cmocka_unit_test(chain_wrong_anchor),
    cmocka_unit_test(root_sent_but_not_trusted),
    cmocka_unit_test(unrelated_root_after_the_leaf),
    cmocka_unit_test(missing_intermediate),
    cmocka_unit_test(intermediate_as_trust_anchor),
    cmocka_unit_test(validity_period),
    cmocka_unit_test(other_verify_failure),
    cmocka_unit_test(host_name_mismatch),
    cmocka_unit_test(shared_identity_rules),
    cmocka_unit_test(ip_literal_identity_and_no_sni),
    cmocka_unit_test(verify_off_accepts_anything),
    cmocka_unit_test(names_and_suites),
    cmocka_unit_test(report_of_an_accepted_chain),
    cmocka_unit_test(report_of_refused_chains),
};
const struct scenario_table verify_scenarios = TABLE(tests);
