/* SPDX-License-Identifier: MIT */
/*
 * scenarios_verify.c - a provider's verification of the server: chains
 * trusted, untrusted, incomplete or anchored at an intermediate, validity
 * periods, purposes, host names and IP addresses by the shared rules of
 * backends/identity.h, verification off, the subject and issuer as RFC
 * 2253 prints them, what set_report records (the path, the shared
 * checks, who decided), CRLs by the one rule of provider.h, and what the
 * core's public key pin asks of a provider (the leaf's DER, SHA-256).
 * Messages and hints are the shared wording; the library's detail and
 * alert come from the provider's expectations.
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

/* ---- CRLs ----------------------------------------------------------------- */

/* cs with the PKI's CRL file crls. */
static struct hr_tls_settings with_crls(const char *crls) {
  struct hr_tls_settings cs = client_settings("root-ca.pem");
  cs.crl_file = file_of(crls);
  return cs;
}

static void crl_verdict(const char *crls, const char *cert, const char *key,
                        const char *message) {
  struct hr_tls_settings cs = with_crls(crls);
  struct server_opts so = opts_with(cert, key);
  struct session s;
  httpr_error err = {0};
  session_begin(&s, &cs, &so, "localhost");
  if (message) {
    expect_handshake_error(&s.l, HTTPR_E_CERT_OTHER, message, &err);
    expect_detail(err.detail, (struct detail)ANY_DETAIL);
  } else {
    expect_handshake_ok(&s.l);
  }
  close_session(&s);
}

/* The rule of provider.h's crl_file: revoked leaves and intermediates,
 * CRLs past their nextUpdate first, issuers without a CRL passing. */
static void crls_by_the_one_rule(void **state) {
  (void)state;
  static const char revoked[] =
      "certificate verify failed: certificate revoked";
  static const char expired[] = "certificate verify failed: CRL has expired";
  crl_verdict("crl.pem", "revoked.crt", "revoked.key", revoked);
  crl_verdict("crl.pem", "revoked-inter.crt", "revoked-inter.key", revoked);
  crl_verdict("crl.pem", "good-ecdsa.crt", "good-ecdsa.key", NULL);
  crl_verdict("crl-other.pem", "good-ecdsa.crt", "good-ecdsa.key", NULL);
  crl_verdict("crl-expired.pem", "good-ecdsa.crt", "good-ecdsa.key", expired);
  crl_verdict("crl-expired.pem", "revoked.crt", "revoked.key", expired);
  crl_verdict("crl-future.pem", "good-ecdsa.crt", "good-ecdsa.key",
              "certificate verify failed: CRL is not yet valid");
  crl_verdict("crl-expired.pem", "revoked-inter.crt", "revoked-inter.key",
              NULL);
}

/* The wording is hr_crl_load's; the library parses each CRL. Read with
 * verification off too. */
static void crl_files_refused(void **state) {
  (void)state;
  struct hr_tls_settings cs = with_crls("crl-bad.pem");
  context_fails(&cs, HTTPR_E_CRL_FILE,
                msg("CRL 1 of CRL file '%s' cannot be parsed",
                    file_of("crl-bad.pem")),
                NULL);
  cs.verify = 0;
  context_fails(&cs, HTTPR_E_CRL_FILE,
                msg("CRL 1 of CRL file '%s' cannot be parsed",
                    file_of("crl-bad.pem")),
                NULL);
  cs = with_crls("not-a-cert.pem");
  context_fails(&cs, HTTPR_E_CRL_FILE,
                msg("CRL file '%s' holds no PEM CRL", file_of("not-a-cert.pem")),
                "a CRL file must hold PEM CRLs (\"-----BEGIN X509 CRL-----\")");
}

/* ---- what the public key pin reads ------------------------------------- */

/* The leaf, whether verification is on or off; nothing before the
 * handshake. */
static void peer_certificate_is_the_leaf(void **state) {
  (void)state;
  struct session s;
  open_session(&s, 0);
  expect_peer_leaf(&s.l, "good-ecdsa.crt");
  close_session(&s);
  struct hr_tls_settings cs = client_settings(NULL);
  cs.verify = 0;
  struct server_opts rsa = opts_with("good-rsa.crt", "good-rsa.key");
  session_begin(&s, &cs, &rsa, "localhost");
  const unsigned char *der = NULL;
  size_t len = 0;
  assert_int_equal(P->peer_certificate(s.l.conn, &der, &len), -1);
  expect_handshake_ok(&s.l);
  expect_peer_leaf(&s.l, "good-rsa.crt");
  close_session(&s);
}

/* FIPS 180-2's examples, and the empty message. */
static void sha256_known_answers(void **state) {
  (void)state;
  static const unsigned char abc[32] = {
      0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
      0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
      0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
  static const unsigned char two_blocks[32] = {
      0x24, 0x8d, 0x6a, 0x61, 0xd2, 0x06, 0x38, 0xb8, 0xe5, 0xc0, 0x26,
      0x93, 0x0c, 0x3e, 0x60, 0x39, 0xa3, 0x3c, 0xe4, 0x59, 0x64, 0xff,
      0x21, 0x67, 0xf6, 0xec, 0xed, 0xd4, 0x19, 0xdb, 0x06, 0xc1};
  static const unsigned char empty[32] = {
      0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4,
      0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b,
      0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55};
  static const char msg2[] =
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  unsigned char out[32];
  assert_non_null(P->sha256);
  assert_int_equal(P->sha256("abc", 3, out), 0);
  assert_memory_equal(out, abc, 32);
  assert_int_equal(P->sha256(msg2, sizeof(msg2) - 1, out), 0);
  assert_memory_equal(out, two_blocks, 32);
  assert_int_equal(P->sha256("", 0, out), 0);
  assert_memory_equal(out, empty, 32);
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
    cmocka_unit_test(crls_by_the_one_rule),
    cmocka_unit_test(crl_files_refused),
    cmocka_unit_test(peer_certificate_is_the_leaf),
    cmocka_unit_test(sha256_known_answers),
};
const struct scenario_table verify_scenarios = TABLE(tests);
