/* SPDX-License-Identifier: MIT */
/*
 * test_verify_report.c - what a verification report records, without any
 * TLS library: names printed from the DER exactly as OpenSSL's RFC 2253
 * printing gives them (the openssl command prints the reference for
 * certificates it makes), the path, the shared checks that ran and the
 * one that decided, the library as the decider when no shared check
 * refused, hr_tls_decide recording a refusal whatever else failed, and
 * the public accessors. The conformance suite checks the reports every
 * provider makes against a server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backends/tls_conn.h"
#include "backends/verify_report.h"
#include "backends/x509_cert.h"
#include "backends/x509_name.h"
#include "tests/unit/pki_files.h"

/* ---- certificates made by the openssl command ---------------------------- */

/* Makes NAME.der, self-signed or issued by ISSUER (its .pem, and the one
 * key), with the subject SUBJ; cnf_extra goes into the config's [req]
 * section (a string_mask); utf8 reads SUBJ as UTF-8. */
static void make_cert(const char *name, const char *issuer, const char *subj,
                      const char *cnf_extra, int utf8) {
  char cnf[64], text[1024];
  snprintf(cnf, sizeof(cnf), "%s.cnf", name);
  snprintf(text, sizeof(text),
           "[req]\ndistinguished_name=dn\n%s\n[dn]\n[ca]\n"
           "basicConstraints=critical,CA:TRUE\n",
           cnf_extra);
  assert_true(write_text(cnf, text));
  const char *u = utf8 ? "-utf8" : "";
  if (!issuer) {
    assert_true(openssl_cli("req -new -x509 -key k.pem -config %s %s "
                            "-extensions ca -subj '%s' -days 1 -out %s.pem",
                            cnf, u, subj, name));
  } else {
    assert_true(openssl_cli("req -new -key k.pem -config %s %s -subj '%s' "
                            "-out %s.csr",
                            cnf, u, subj, name));
    /* Every certificate issued here is a CA (the policy takes one as a
     * leaf too), so the chain passes it. */
    assert_true(openssl_cli("x509 -req -in %s.csr -CA %s.pem -CAkey k.pem "
                            "-set_serial 5 -days 1 -extfile %s "
                            "-extensions ca -out %s.pem",
                            name, issuer, cnf, name));
  }
  assert_true(
      openssl_cli("x509 -in %s.pem -outform DER -out %s.der", name, name));
}

/* NAME.der's subject as OpenSSL prints it with -nameopt RFC2253. */
static void openssl_subject(const char *name, char *out, size_t cap) {
  char file[64];
  snprintf(file, sizeof(file), "%s.subject", name);
  assert_true(openssl_cli("x509 -in %s.der -inform DER -noout -subject "
                          "-nameopt RFC2253 -out %s",
                          name, file));
  size_t len;
  char *text = (char *)read_all(file, &len, 1);
  assert_true(strncmp(text, "subject=", 8) == 0);
  snprintf(out, cap, "%.*s", (int)strcspn(text + 8, "\n"), text + 8);
  free(text);
}

/* NAME.der's subject as hr_name_text prints it. */
static void our_subject(const char *name, char *out, size_t cap) {
  char file[64];
  size_t len;
  snprintf(file, sizeof(file), "%s.der", name);
  unsigned char *der = read_all(file, &len, 0);
  struct hr_cert c;
  assert_int_equal(hr_cert_parse(der, len, &c), 0);
  assert_int_equal(hr_name_text(&c.subject, out, cap), 0);
  free(der);
}

static int group_setup(void **state) {
  (void)state;
  if (!pki_dir_create("httpr-report"))
    return -1;
  if (!openssl_cli("genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 "
                   "-out k.pem"))
    return -1;
  make_cert("root", NULL, "/O=httpr test/CN=report root", "", 0);
  make_cert("inter", "root", "/CN=report inter", "", 0);
  make_cert("leaf", "inter", "/CN=localhost", "", 0);
  return 0;
}

static int group_teardown(void **state) {
  (void)state;
  return pki_dir_remove();
}

/* ---- names --------------------------------------------------------------- */

static void names_as_openssl_prints_them(void **state) {
  (void)state;
  static const struct {
    const char *cnf_extra;
    const char *subj;
    int utf8;
  } cases[] = {
      {"", "/CN=localhost", 0},
      /* RDNs last first, a multi-valued one reversed, PrintableString. */
      {"", "/C=DE/ST=Bay ern/O=Org\\, Inc./CN=a+OU=b", 0},
      /* A leading '#' or space and a trailing space are escaped. */
      {"", "/O=#hash/OU= lead/L=trail ", 0},
      {"", "/O=a\\,b;c<d>e\"f\\\\g=h", 0},
      /* IA5String, and OpenSSL's short names. */
      {"", "/DC=org/DC=example/emailAddress=x@example.org/serialNumber=7", 0},
      {"", "/street=1 Road/postalCode=123/title=t/GN=g/SN=s/UID=u", 0},
      /* UTF-8: every byte of a non-ASCII character as \XX. */
      {"", "/CN=M\xc3\xbcller \xe2\x82\xac", 1},
      /* BMPString and TeletexString, converted to UTF-8 first. */
      {"string_mask=MASK:0x800", "/CN=M\xc3\xbcller \xe2\x82\xac", 1},
      {"string_mask=MASK:0x4", "/CN=M\xc3\xbcller", 1},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char name[32], want[512], got[512];
    snprintf(name, sizeof(name), "name%zu", i);
    make_cert(name, NULL, cases[i].subj, cases[i].cnf_extra, cases[i].utf8);
    openssl_subject(name, want, sizeof(want));
    our_subject(name, got, sizeof(got));
    assert_string_equal(got, want);
  }
}

/* A type OpenSSL has no short name for: the dotted OID and the DER. */
static void unknown_attribute_type(void **state) {
  (void)state;
  char want[256], got[256];
  assert_true(write_text("oid.cnf", "oid_section=oids\n[oids]\n"
                                    "myattr=1.2.3.4\n[req]\n"
                                    "distinguished_name=dn\nprompt=no\n"
                                    "[dn]\nmyattr=abc\nCN=x\n"));
  assert_true(openssl_cli("req -new -x509 -key k.pem -config oid.cnf -days 1 "
                          "-outform DER -out oid.der"));
  openssl_subject("oid", want, sizeof(want));
  our_subject("oid", got, sizeof(got));
  assert_string_equal(got, "CN=x,1.2.3.4=#0C03616263");
  assert_string_equal(got, want);
}

/* Names written out byte by byte, for what the openssl command does not
 * make: an AttributeValue of a type that is no string, control
 * characters, a malformed Name, a cut. */
static void names_made_by_hand(void **state) {
  (void)state;
  char out[64];
#define NAME(lit)                                                              \
  (&(struct hr_der){(const unsigned char *)(lit), sizeof(lit) - 1})
  /* CN as an OCTET STRING: the DER in hex. */
  assert_int_equal(
      hr_name_text(NAME("\x30\x0e\x31\x0c\x30\x0a\x06\x03\x55\x04\x03"
                        "\x04\x03\x61\x62\x63"),
                   out, sizeof(out)),
      0);
  assert_string_equal(out, "CN=#0403616263");
  /* Control characters and DEL in a UTF8String. */
  assert_int_equal(hr_name_text(NAME("\x30\x0e\x31\x0c\x30\x0a\x06\x03\x55"
                                     "\x04\x03\x0c\x03\x61\x01\x7f"),
                                out, sizeof(out)),
                   0);
  assert_string_equal(out, "CN=a\\01\\7F");
  /* An empty Name. */
  assert_int_equal(hr_name_text(NAME("\x30\x00"), out, sizeof(out)), 0);
  assert_string_equal(out, "");
  /* A BMPString of an odd length is no string: its DER. */
  assert_int_equal(hr_name_text(NAME("\x30\x0e\x31\x0c\x30\x0a\x06\x03\x55"
                                     "\x04\x03\x1e\x03\x00\x61\x00"),
                                out, sizeof(out)),
                   0);
  assert_string_equal(out, "CN=#1E03006100");
  /* Malformed: what was read, then the mark. */
  assert_int_equal(hr_name_text(NAME("\x30\x0e\x31\x0c\x30\x0a\x06\x03\x55"
                                     "\x04\x03\x0c\x03\x61"),
                                out, sizeof(out)),
                   -1);
  assert_string_equal(out, "#malformed");
  assert_int_equal(hr_name_text(NAME("\x31\x00"), out, sizeof(out)), -1);
  assert_int_equal(hr_name_text(NAME("\x30\x02\x31\x00"), out, sizeof(out)),
                   -1);
  /* Cut to the buffer, always terminated. */
  char small[6];
  assert_int_equal(hr_name_text(NAME("\x30\x10\x31\x0e\x30\x0c\x06\x03\x55"
                                     "\x04\x03\x0c\x05\x61\x62\x63\x64\x65"),
                                small, sizeof(small)),
                   0);
  assert_string_equal(small, "CN=ab");
#undef NAME
}

/* ---- the report ---------------------------------------------------------- */

struct loaded {
  unsigned char *der[3];
  struct hr_cert_path path;
};

static void load_chain(struct loaded *l) {
  static const char *const files[] = {"leaf.der", "inter.der", "root.der"};
  memset(l, 0, sizeof(*l));
  for (size_t i = 0; i < 3; i++) {
    size_t len;
    l->der[i] = read_all(files[i], &len, 0);
    hr_path_add(&l->path, l->der[i], len);
  }
}

static void unload_chain(struct loaded *l) {
  for (size_t i = 0; i < 3; i++)
    free(l->der[i]);
}

/* The checks the report lists, as "name ok, name failed, ...". */
static void checks_text(const httpr_verify_report *r, char *out, size_t cap) {
  size_t used = 0;
  int passed = -1;
  out[0] = '\0';
  const char *name;
  for (size_t k = 0; (name = httpr_verify_report_check(r, k, &passed)); k++) {
    assert_true(passed == 0 || passed == 1);
    used += (size_t)snprintf(out + used, cap - used, "%s%s %s", k ? ", " : "",
                             name, passed ? "ok" : "failed");
    assert_true(used < cap);
  }
}

static const char all_policy_checks[] =
    "chain-length ok, der ok, critical-extensions ok, ca ok, purpose ok, "
    "name-constraints ok, key-strength ok, signature-algorithm ok, "
    "key-usage ok";

static void path_as_subjects_and_issuers(void **state) {
  (void)state;
  struct httpr_verify_report r = {0};
  struct loaded l;
  load_chain(&l);
  hr_report_path(&r, &l.path);
  assert_true(r.recorded);
  assert_int_equal(httpr_verify_report_cert_count(&r), 3);
  assert_string_equal(httpr_verify_report_cert_subject(&r, 0), "CN=localhost");
  assert_string_equal(httpr_verify_report_cert_issuer(&r, 0),
                      "CN=report inter");
  assert_string_equal(httpr_verify_report_cert_subject(&r, 1),
                      "CN=report inter");
  assert_string_equal(httpr_verify_report_cert_issuer(&r, 1),
                      "CN=report root,O=httpr test");
  assert_string_equal(httpr_verify_report_cert_subject(&r, 2),
                      "CN=report root,O=httpr test");
  assert_string_equal(httpr_verify_report_cert_issuer(&r, 2),
                      "CN=report root,O=httpr test");
  assert_null(httpr_verify_report_cert_subject(&r, 3));
  assert_null(httpr_verify_report_cert_issuer(&r, 3));
  /* Nothing refused yet. */
  assert_string_equal(httpr_verify_report_result(&r), "ok");
  assert_string_equal(httpr_verify_report_decided_by(&r), "");
  assert_string_equal(httpr_verify_report_detail(&r), "");
  assert_null(httpr_verify_report_check(&r, 0, NULL));

  /* A later path replaces it; a certificate that cannot be read says so;
   * a path longer than the report holds is cut. */
  struct hr_cert_path other = {0};
  hr_path_add(&other, "\x30\x00", 2);
  hr_report_path(&r, &other);
  assert_int_equal(httpr_verify_report_cert_count(&r), 1);
  assert_string_equal(httpr_verify_report_cert_subject(&r, 0),
                      "(not a readable certificate)");
  struct hr_cert_path long_path = {0};
  for (size_t i = 0; i < HR_POLICY_MAX_PATH + 2; i++)
    hr_path_add(&long_path, l.path.certs[1].p, l.path.certs[1].len);
  hr_report_path(&r, &long_path);
  assert_int_equal(httpr_verify_report_cert_count(&r), HR_POLICY_MAX_PATH);
  unload_chain(&l);
}

static void checks_that_passed(void **state) {
  (void)state;
  struct httpr_verify_report r = {0};
  struct hr_policy_verdict v = {0};
  struct loaded l;
  char text[512];
  load_chain(&l);
  assert_int_equal(hr_policy_check(&l.path, HR_KX_SIGN, &v), 0);
  hr_report_policy(&r, 0, &v);
  checks_text(&r, text, sizeof(text));
  assert_string_equal(text, all_policy_checks);
  hr_report_identity(&r, 1);
  checks_text(&r, text, sizeof(text));
  assert_string_equal(text, "chain-length ok, der ok, critical-extensions ok, "
                            "ca ok, purpose ok, name-constraints ok, "
                            "key-strength ok, signature-algorithm ok, "
                            "key-usage ok, identity ok");
  assert_string_equal(httpr_verify_report_result(&r), "ok");
  assert_string_equal(httpr_verify_report_decided_by(&r), "");
  unload_chain(&l);
}

static void the_rule_that_decided(void **state) {
  (void)state;
  struct httpr_verify_report r = {0};
  struct hr_policy_verdict v = {
      .reason = HR_VERIFY_NC_PERMITTED,
      .rule = HR_CHECK_NAME_CONSTRAINTS,
      .why = "depth 0: a name outside the permitted subtrees of depth 1"};
  char text[512];
  hr_report_policy(&r, 1, &v);
  checks_text(&r, text, sizeof(text));
  assert_string_equal(text, "chain-length ok, der ok, critical-extensions ok, "
                            "ca ok, purpose ok, name-constraints failed");
  assert_string_equal(httpr_verify_report_decided_by(&r), "name-constraints");
  assert_string_equal(httpr_verify_report_detail(&r), v.why);
  /* The refusal as the error words it; the rule still decided. */
  httpr_error err = {0};
  hr_policy_failed(&err, &v, "localhost");
  hr_report_refused(&r, &err);
  assert_string_equal(httpr_verify_report_result(&r),
                      "certificate verify failed: permitted subtree violation");
  assert_string_equal(httpr_verify_report_decided_by(&r), "name-constraints");
  assert_string_equal(httpr_verify_report_detail(&r), v.why);
  /* A second refusal does not take the decision either. */
  hr_report_identity(&r, 0);
  assert_string_equal(httpr_verify_report_decided_by(&r), "name-constraints");
  int passed = 1;
  assert_string_equal(httpr_verify_report_check(&r, 6, &passed), "identity");
  assert_int_equal(passed, 0);
}

static void identity_decides_after_the_policy(void **state) {
  (void)state;
  struct httpr_verify_report r = {0};
  struct hr_policy_verdict v = {0};
  char text[512];
  hr_report_policy(&r, 0, &v);
  hr_report_identity(&r, 0);
  checks_text(&r, text, sizeof(text));
  assert_non_null(strstr(text, "key-usage ok, identity failed"));
  assert_string_equal(httpr_verify_report_decided_by(&r), "identity");
  assert_string_equal(
      httpr_verify_report_detail(&r),
      "no subject alternative name of the leaf matches the host");
}

static void the_library_decided(void **state) {
  (void)state;
  struct httpr_verify_report r = {0};
  httpr_error err = {0};
  hr_verify_failed(&err, HR_VERIFY_EXPIRED, "localhost", NULL);
  hr_detail(&err, "openssl: X509_V_ERR_CERT_HAS_EXPIRED (10): certificate "
                  "has expired");
  hr_report_refused(&r, &err);
  assert_true(r.recorded);
  assert_string_equal(httpr_verify_report_result(&r),
                      "certificate verify failed: certificate has expired");
  assert_string_equal(httpr_verify_report_decided_by(&r), "library");
  assert_string_equal(httpr_verify_report_detail(&r), err.detail);
  assert_null(httpr_verify_report_check(&r, 0, NULL));
  assert_int_equal(httpr_verify_report_cert_count(&r), 0);
}

/* hr_tls_decide records the refusal even when a broken connection is the
 * error, and words it as the error would have. */
static void decide_records_the_refusal(void **state) {
  (void)state;
  struct httpr_verify_report r = {0};
  struct hr_tls_facts f = {.op = HR_TLS_OP_HANDSHAKE,
                           .host = "example.test",
                           .alert = -1,
                           .io_failed = HR_IO_SEND_FAILED,
                           .io_errno = 5,
                           .report = &r};
  hr_tls_refused(&f, HR_VERIFY_EXPIRED);
  f.verify_detail = "lib: expired";
  httpr_error err = {0};
  assert_int_equal(hr_tls_decide(&f, &err), HR_TLS_OUT_IO);
  assert_int_equal(err.code, HTTPR_E_TLS_HANDSHAKE);
  assert_string_equal(httpr_verify_report_result(&r),
                      "certificate verify failed: certificate has expired");
  assert_string_equal(httpr_verify_report_decided_by(&r), "library");
  assert_string_equal(httpr_verify_report_detail(&r), "lib: expired");
  /* A name that does not match: the host in the message. */
  struct httpr_verify_report r2 = {0};
  struct hr_tls_facts g = {.op = HR_TLS_OP_HANDSHAKE,
                           .host = "example.test",
                           .alert = -1,
                           .identity_mismatch = 1,
                           .report = &r2};
  assert_int_equal(hr_tls_decide(&g, &err), HR_TLS_OUT_VERIFY);
  assert_string_equal(httpr_verify_report_result(&r2), err.message);
  assert_non_null(strstr(err.message, "'example.test'"));
  /* Nothing refused: nothing recorded. */
  struct httpr_verify_report r3 = {0};
  struct hr_tls_facts h = {
      .op = HR_TLS_OP_HANDSHAKE, .alert = 40, .report = &r3};
  assert_int_equal(hr_tls_decide(&h, &err), HR_TLS_OUT_ALERT);
  assert_false(r3.recorded);
  /* A read's facts are no verification. */
  struct hr_tls_facts rd = {.op = HR_TLS_OP_READ, .alert = -1, .report = &r3};
  hr_tls_refused(&rd, HR_VERIFY_EXPIRED);
  hr_tls_decide(&rd, &err);
  assert_false(r3.recorded);
}

static void null_reports(void **state) {
  (void)state;
  struct hr_cert_path path = {0};
  struct hr_policy_verdict v = {0};
  httpr_error err = {0};
  hr_report_path(NULL, &path);
  hr_report_policy(NULL, 1, &v);
  hr_report_identity(NULL, 0);
  hr_report_refused(NULL, &err);
  assert_int_equal(httpr_verify_report_cert_count(NULL), 0);
  assert_null(httpr_verify_report_cert_subject(NULL, 0));
  assert_null(httpr_verify_report_cert_issuer(NULL, 0));
  assert_string_equal(httpr_verify_report_result(NULL), "");
  assert_string_equal(httpr_verify_report_decided_by(NULL), "");
  assert_string_equal(httpr_verify_report_detail(NULL), "");
  assert_null(httpr_verify_report_check(NULL, 0, NULL));
  assert_string_equal(hr_check_name(HR_CHECK_COUNT), "");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(names_as_openssl_prints_them),
      cmocka_unit_test(unknown_attribute_type),
      cmocka_unit_test(names_made_by_hand),
      cmocka_unit_test(path_as_subjects_and_issuers),
      cmocka_unit_test(checks_that_passed),
      cmocka_unit_test(the_rule_that_decided),
      cmocka_unit_test(identity_decides_after_the_policy),
      cmocka_unit_test(the_library_decided),
      cmocka_unit_test(decide_records_the_refusal),
      cmocka_unit_test(null_reports),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
