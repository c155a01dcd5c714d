/* SPDX-License-Identifier: MIT */
/*
 * test_cert_policy.c - the shared verification policy without any TLS
 * library: the DER reader's strictness, the certificate fields it reads,
 * and every rule of cert_policy.h on paths of certificates made here with
 * the openssl command (one key for all but the RSA cases: the policy does
 * no cryptography, so one key signs everything), plus paths linked by
 * names. The conformance suite checks the same rules through each
 * provider against a server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backends/cert_path.h"
#include "backends/cert_policy.h"
#include "backends/der.h"
#include "backends/x509_cert.h"
#include "tests/unit/pki_files.h"

/* ---- making certificates -------------------------------------------------- */

#define CA_EXT "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n"
#define LEAF_EXT                                                               \
  "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"   \
  "extendedKeyUsage=serverAuth\n"                                              \
  "subjectAltName=DNS:localhost,IP:127.0.0.1\n"

/* Makes NAME.der and NAME.pem: a certificate for key KEY.key with subject
 * SUBJ and extensions EXT ("" for a version 1 certificate), signed by
 * ISSUER (its .pem and .key) or self-signed when ISSUER is NULL, with the
 * digest MD. */
static void make_cert(const char *name, const char *issuer, const char *key,
                      const char *subj, const char *ext, const char *md) {
  char cnf[64];
  snprintf(cnf, sizeof(cnf), "%s.cnf", name);
  char text[2048];
  snprintf(text, sizeof(text),
           "[req]\ndistinguished_name=dn\n[dn]\n[e]\n%s\n[nc]\nO=httpr "
           "test\n",
           ext);
  assert_true(write_text(cnf, text));
  const char *exts = ext[0] ? "-extensions e" : "";
  if (!issuer) {
    assert_true(openssl_cli("req -new -x509 -key %s.key -subj '%s' -config %s "
                            "%s -%s -days 30 -out %s.pem",
                            key, subj, cnf, exts, md, name));
  } else {
    assert_true(openssl_cli("req -new -key %s.key -subj '%s' -config %s "
                            "-out %s.csr",
                            key, subj, cnf, name));
    assert_true(openssl_cli("x509 -req -in %s.csr -CA %s.pem -CAkey %s.key "
                            "-set_serial 7 %s%s%s -%s -days 30 -out %s.pem",
                            name, issuer, issuer, ext[0] ? "-extfile " : "",
                            ext[0] ? cnf : "", ext[0] ? " -extensions e" : "",
                            md, name));
  }
  assert_true(
      openssl_cli("x509 -in %s.pem -outform DER -out %s.der", name, name));
}

/* Keys: ec (P-256, signs everything), rsa2048, rsa1024, p224. The
 * issuers' .key files are copies of the key that signs as them. */
static void make_key(const char *name, const char *args) {
  assert_true(openssl_cli("genpkey %s -out %s.key", args, name));
}

static void alias_key(const char *alias, const char *key) {
  size_t len;
  char src[64], dst[64];
  snprintf(src, sizeof(src), "%s.key", key);
  snprintf(dst, sizeof(dst), "%s.key", alias);
  unsigned char *k = read_all(src, &len, 0);
  assert_true(write_data(dst, k, len, "wb"));
  free(k);
}

/* A CA NAME under ISSUER (NULL: a root) with extra extension lines. */
static void make_ca(const char *name, const char *issuer, const char *extra) {
  char ext[1024], subj[96];
  snprintf(ext, sizeof(ext), "%s%s", CA_EXT, extra);
  snprintf(subj, sizeof(subj), "/CN=%s", name);
  alias_key(name, "ec");
  make_cert(name, issuer, "ec", subj, ext, "sha256");
}

static int group_setup(void **state) {
  (void)state;
  if (!pki_dir_create("httpr-policy"))
    return -1;
  make_key("ec", "-algorithm EC -pkeyopt ec_paramgen_curve:P-256");
  make_key("p224", "-algorithm EC -pkeyopt ec_paramgen_curve:P-224");
  make_key("rsa1024", "-algorithm RSA -pkeyopt rsa_keygen_bits:1024");
  make_key("rsa2048", "-algorithm RSA -pkeyopt rsa_keygen_bits:2048");
  make_ca("root", NULL, "");
  make_ca("inter", "root", "");
  make_cert("leaf", "inter", "ec", "/CN=localhost", LEAF_EXT, "sha256");
  return 0;
}

static int group_teardown(void **state) {
  (void)state;
  return pki_dir_remove();
}

/* ---- paths ---------------------------------------------------------------- */

#define MAX_FILES 16

struct loaded {
  unsigned char *der[MAX_FILES];
  size_t n;
  struct hr_cert_path path;
};

/* Loads NAME.der for each name, leaf first, into a path. */
static void load(struct loaded *l, const char *const *names) {
  memset(l, 0, sizeof(*l));
  for (; *names; names++) {
    char file[64];
    size_t len;
    snprintf(file, sizeof(file), "%s.der", *names);
    assert_true(l->n < MAX_FILES);
    l->der[l->n] = read_all(file, &len, 0);
    hr_path_add(&l->path, l->der[l->n], len);
    l->n++;
  }
}

static void unload(struct loaded *l) {
  for (size_t i = 0; i < l->n; i++)
    free(l->der[i]);
}

/* The rule of the last refusal judge() saw. */
static enum hr_check refused_by = HR_CHECK_COUNT;

/* Judges the path of names with kx: the reason, or -1 when it passes. */
static int judge(enum hr_kx kx, const char *const *names) {
  struct loaded l;
  struct hr_policy_verdict v;
  load(&l, names);
  int r = hr_policy_check(&l.path, kx, &v);
  if (r != 0)
    print_message("policy: %s\n", v.why);
  refused_by = r != 0 ? v.rule : HR_CHECK_COUNT;
  unload(&l);
  return r == 0 ? -1 : (int)v.reason;
}

#define PATH(...) ((const char *const[]){__VA_ARGS__, NULL})
#define PASSES -1

/* A leaf with LEAF_EXT plus `ext` under inter, judged with root. */
static int leaf_with(const char *name, const char *key, const char *ext,
                     const char *md, enum hr_kx kx) {
  make_cert(name, "inter", key, "/CN=localhost", ext, md);
  return judge(kx, PATH(name, "inter", "root"));
}

/* An intermediate with `ext` (the whole CA extension text) between a
 * fresh leaf and the root. */
static int inter_with(const char *name, const char *ext) {
  char leaf[64], subj[96];
  snprintf(subj, sizeof(subj), "/CN=%s", name);
  alias_key(name, "ec");
  make_cert(name, "root", "ec", subj, ext, "sha256");
  snprintf(leaf, sizeof(leaf), "%s-leaf", name);
  make_cert(leaf, name, "ec", "/CN=localhost", LEAF_EXT, "sha256");
  return judge(HR_KX_SIGN, PATH(leaf, name, "root"));
}

/* ---- the DER reader -------------------------------------------------------- */

static int next_of(const char *bytes, size_t len, struct hr_der_elem *e) {
  struct hr_der in = {(const unsigned char *)bytes, len};
  return hr_der_next(&in, e);
}

static void der_lengths(void **state) {
  (void)state;
  struct hr_der_elem e;
  assert_int_equal(next_of("\x04\x02" "ab", 4, &e), 0);
  assert_int_equal(e.tag, 0x04);
  assert_int_equal(e.value.len, 2);
  assert_int_equal(e.whole.len, 4);
  /* BER that is not DER: a long form where the short one would do, a
   * leading zero octet, the indefinite length, a multi-octet tag. */
  assert_int_equal(next_of("\x04\x81\x02" "ab", 5, &e), HR_DER_NOT_DER);
  assert_int_equal(next_of("\x04\x82\x00\x80", 4, &e), HR_DER_NOT_DER);
  assert_int_equal(next_of("\x30\x80\x00\x00", 4, &e), HR_DER_NOT_DER);
  assert_int_equal(next_of("\x1f\x01\x01\x00", 4, &e), HR_DER_NOT_DER);
  /* Malformed: more than four length octets, a value past the end, no
   * length at all. */
  assert_int_equal(next_of("\x04\x85\x01\x00\x00\x00\x00", 7, &e), -1);
  assert_int_equal(next_of("\x04\x03" "ab", 4, &e), -1);
  assert_int_equal(next_of("\x04", 1, &e), -1);
  char big[3 + 200] = "\x04\x81\xc8";
  assert_int_equal(next_of(big, sizeof(big), &e), 0);
  assert_int_equal(e.value.len, 200);
}

static void der_values(void **state) {
  (void)state;
  uint64_t v;
  struct hr_der d = {(const unsigned char *)"\x00\x80", 2};
  assert_int_equal(hr_der_uint(&d, &v), 0);
  assert_int_equal(v, 128);
  d = (struct hr_der){(const unsigned char *)"\x00\x7f", 2};
  assert_int_equal(hr_der_uint(&d, &v), -1); /* needless zero */
  d = (struct hr_der){(const unsigned char *)"\xff", 1};
  assert_int_equal(hr_der_uint(&d, &v), -1); /* negative */
  d = (struct hr_der){(const unsigned char *)"\x01\x00\x00\x00\x00\x00\x00\x00"
                                             "\x00",
                      9};
  assert_int_equal(hr_der_uint(&d, &v), -1); /* too large */
  d = (struct hr_der){(const unsigned char *)"\xff", 1};
  assert_int_equal(hr_der_bool(&d), 1);
  d = (struct hr_der){(const unsigned char *)"\x01", 1};
  assert_int_equal(hr_der_bool(&d), -1);
  d = (struct hr_der){(const unsigned char *)"\x00\x01\x00", 3};
  assert_int_equal(hr_der_uint_bits(&d), 9);
  struct hr_der bits;
  unsigned unused;
  d = (struct hr_der){(const unsigned char *)"\x08\x01", 2};
  assert_int_equal(hr_der_bits(&d, &bits, &unused), -1);
  d = (struct hr_der){(const unsigned char *)"\x07\x80", 2};
  assert_int_equal(hr_der_bits(&d, &bits, &unused), 0);
  assert_int_equal(unused, 7);
  assert_int_equal(bits.len, 1);
}

/* Every prefix of a certificate, and every single-byte change to it, is
 * read without harm: refused, or read as a certificate. */
static void truncated_and_flipped(void **state) {
  (void)state;
  size_t len;
  unsigned char *der = read_all("leaf.der", &len, 0);
  struct hr_cert c;
  assert_int_equal(hr_cert_parse(der, len, &c), 0);
  for (size_t n = 0; n < len; n++)
    assert_int_equal(hr_cert_parse(der, n, &c), -1);
  unsigned char *copy = malloc(len);
  assert_non_null(copy);
  for (size_t i = 0; i < len; i++) {
    memcpy(copy, der, len);
    copy[i] ^= 0x5a;
    (void)hr_cert_parse(copy, len, &c);
  }
  free(copy);
  /* The policy refuses a path it cannot read, by its DER rule. */
  struct hr_cert_path path = {0};
  struct hr_policy_verdict v;
  assert_int_equal(hr_policy_check(&path, HR_KX_SIGN, &v), -1);
  assert_int_equal(v.reason, HR_VERIFY_MALFORMED);
  assert_int_equal(v.rule, HR_CHECK_DER);
  assert_string_equal(v.why, "no certificate");
  hr_path_add(&path, der, len - 1);
  assert_int_equal(hr_policy_check(&path, HR_KX_SIGN, &v), -1);
  assert_int_equal(v.rule, HR_CHECK_DER);
  assert_string_equal(v.why, "depth 0: not valid DER");
  free(der);
}

static void fields_of_a_leaf(void **state) {
  (void)state;
  size_t len;
  unsigned char *der = read_all("leaf.der", &len, 0);
  struct hr_cert c;
  assert_int_equal(hr_cert_parse(der, len, &c), 0);
  assert_int_equal(c.version, 3);
  assert_int_equal(c.key_type, HR_KEY_EC);
  assert_int_equal(c.curve, HR_CURVE_P256);
  assert_int_equal(c.sig, HR_SIG_STRONG);
  assert_true(c.has_basic_constraints);
  assert_false(c.is_ca);
  assert_true(c.has_key_usage);
  assert_int_equal(c.key_usage, HR_KU_DIGITAL_SIGNATURE);
  assert_true(c.has_eku && c.eku_server_auth && !c.eku_any);
  assert_non_null(c.san.p);
  assert_null(c.name_constraints.p);
  assert_null(c.unknown_critical.p);
  assert_false(hr_cert_self_issued(&c));
  free(der);
  der = read_all("root.der", &len, 0);
  assert_int_equal(hr_cert_parse(der, len, &c), 0);
  assert_true(c.is_ca);
  assert_int_equal(c.path_len, -1);
  assert_true(hr_cert_self_issued(&c));
  free(der);
}

/* ---- the rules ------------------------------------------------------------ */

static void good_paths(void **state) {
  (void)state;
  assert_int_equal(judge(HR_KX_SIGN, PATH("leaf", "inter", "root")), PASSES);
  assert_int_equal(judge(HR_KX_UNKNOWN, PATH("leaf", "inter", "root")),
                   PASSES);
  /* An intermediate as the trust anchor, and a leaf trusted itself. */
  assert_int_equal(judge(HR_KX_SIGN, PATH("leaf", "inter")), PASSES);
  assert_int_equal(judge(HR_KX_SIGN, PATH("leaf")), PASSES);
}

static void chain_length(void **state) {
  (void)state;
  /* The length is judged before anything else: the same intermediate
   * many times is enough. */
  assert_int_equal(judge(HR_KX_SIGN, PATH("leaf", "inter", "inter", "inter",
                                          "inter", "inter", "inter", "inter",
                                          "inter", "root")),
                   PASSES);
  assert_int_equal(judge(HR_KX_SIGN, PATH("leaf", "inter", "inter", "inter",
                                          "inter", "inter", "inter", "inter",
                                          "inter", "inter", "root")),
                   HR_VERIFY_CHAIN_TOO_LONG);
  assert_int_equal(refused_by, HR_CHECK_CHAIN_LENGTH);
  assert_int_equal(judge(HR_KX_SIGN, PATH("leaf", "inter", "inter", "inter",
                                          "inter", "inter", "inter", "inter",
                                          "inter", "inter", "inter", "inter",
                                          "inter", "root")),
                   HR_VERIFY_CHAIN_TOO_LONG);
}

static void critical_extensions(void **state) {
  (void)state;
  assert_int_equal(leaf_with("crit", "ec",
                             LEAF_EXT "1.3.6.1.4.1.55555.1=critical,ASN1:NULL",
                             "sha256", HR_KX_SIGN),
                   HR_VERIFY_CRITICAL_EXTENSION);
  assert_int_equal(refused_by, HR_CHECK_CRITICAL_EXTENSIONS);
  /* Unknown but not critical: ignored. */
  assert_int_equal(leaf_with("noncrit", "ec",
                             LEAF_EXT "1.3.6.1.4.1.55555.1=ASN1:NULL",
                             "sha256", HR_KX_SIGN),
                   PASSES);
  /* Known and critical: fine. */
  assert_int_equal(
      leaf_with("critpol", "ec",
                LEAF_EXT "certificatePolicies=critical,2.23.140.1.2.1",
                "sha256", HR_KX_SIGN),
      PASSES);
}

static void issuers_must_be_cas(void **state) {
  (void)state;
  assert_int_equal(inter_with("notca", "basicConstraints=critical,CA:FALSE\n"
                                       "keyUsage=critical,keyCertSign\n"),
                   HR_VERIFY_INVALID_CA);
  assert_int_equal(inter_with("nobc", "keyUsage=critical,keyCertSign\n"),
                   HR_VERIFY_INVALID_CA);
  assert_int_equal(refused_by, HR_CHECK_CA);
  assert_int_equal(inter_with("nocertsign", "basicConstraints=critical,CA:TRUE\n"
                                            "keyUsage=critical,cRLSign\n"),
                   HR_VERIFY_INVALID_CA);
  assert_int_equal(inter_with("noku", "basicConstraints=critical,CA:TRUE\n"),
                   PASSES);
  /* A version 1 root is a CA, as OpenSSL takes it. */
  make_cert("v1root", NULL, "ec", "/CN=v1root", "", "sha256");
  alias_key("v1root", "ec");
  make_cert("v1leaf", "v1root", "ec", "/CN=localhost", LEAF_EXT, "sha256");
  assert_int_equal(judge(HR_KX_SIGN, PATH("v1leaf", "v1root")), PASSES);
}

static void path_length(void **state) {
  (void)state;
  make_ca("plen0", "root", "basicConstraints=critical,CA:TRUE,pathlen:0\n");
  make_ca("below0", "plen0", "");
  make_cert("deep", "below0", "ec", "/CN=localhost", LEAF_EXT, "sha256");
  assert_int_equal(judge(HR_KX_SIGN, PATH("deep", "below0", "plen0", "root")),
                   HR_VERIFY_PATH_LENGTH);
  assert_int_equal(refused_by, HR_CHECK_CA);
  make_cert("shallow", "plen0", "ec", "/CN=localhost", LEAF_EXT, "sha256");
  assert_int_equal(judge(HR_KX_SIGN, PATH("shallow", "plen0", "root")),
                   PASSES);
}

static void purposes(void **state) {
  (void)state;
  assert_int_equal(
      leaf_with("clientonly", "ec",
                "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n",
                "sha256", HR_KX_SIGN),
      HR_VERIFY_BAD_PURPOSE);
  assert_int_equal(refused_by, HR_CHECK_PURPOSE);
  assert_int_equal(leaf_with("anyeku", "ec",
                             "extendedKeyUsage=anyExtendedKeyUsage\n", "sha256",
                             HR_KX_SIGN),
                   HR_VERIFY_BAD_PURPOSE);
  assert_int_equal(leaf_with("noeku", "ec", "basicConstraints=CA:FALSE\n",
                             "sha256", HR_KX_SIGN),
                   PASSES);
  assert_int_equal(inter_with("ekuinter", CA_EXT "extendedKeyUsage=clientAuth\n"),
                   HR_VERIFY_BAD_PURPOSE);
  assert_int_equal(
      inter_with("ekuinterok", CA_EXT "extendedKeyUsage=serverAuth,clientAuth\n"),
      PASSES);
}

static void key_usage_follows_the_key_exchange(void **state) {
  (void)state;
  const char *keyenc = "keyUsage=critical,keyEncipherment\n";
  const char *digsig = "keyUsage=critical,digitalSignature\n";
  const char *agree = "keyUsage=critical,keyAgreement\n";
  assert_int_equal(leaf_with("ku-agree", "ec", agree, "sha256", HR_KX_SIGN),
                   HR_VERIFY_BAD_PURPOSE);
  assert_int_equal(refused_by, HR_CHECK_KEY_USAGE);
  assert_int_equal(leaf_with("ku-enc", "rsa2048", keyenc, "sha256", HR_KX_SIGN),
                   HR_VERIFY_BAD_PURPOSE);
  assert_int_equal(leaf_with("ku-enc2", "rsa2048", keyenc, "sha256", HR_KX_RSA),
                   PASSES);
  assert_int_equal(leaf_with("ku-sig", "rsa2048", digsig, "sha256", HR_KX_RSA),
                   HR_VERIFY_BAD_PURPOSE);
  assert_int_equal(leaf_with("ku-sig2", "rsa2048", digsig, "sha256", HR_KX_SIGN),
                   PASSES);
  /* Without a keyUsage, or an unknown key exchange, nothing is judged. */
  assert_int_equal(leaf_with("ku-none", "rsa2048", "basicConstraints=CA:FALSE\n",
                             "sha256", HR_KX_RSA),
                   PASSES);
  assert_int_equal(leaf_with("ku-unk", "ec", agree, "sha256", HR_KX_UNKNOWN),
                   PASSES);
}

static void keys_and_signatures(void **state) {
  (void)state;
  assert_int_equal(leaf_with("rsa1024", "rsa1024", LEAF_EXT, "sha256",
                             HR_KX_SIGN),
                   HR_VERIFY_INSECURE);
  assert_int_equal(refused_by, HR_CHECK_KEY_STRENGTH);
  assert_int_equal(leaf_with("rsa2048", "rsa2048", LEAF_EXT, "sha256",
                             HR_KX_SIGN),
                   PASSES);
  assert_int_equal(leaf_with("p224", "p224", LEAF_EXT, "sha256", HR_KX_SIGN),
                   HR_VERIFY_INSECURE);
  assert_int_equal(leaf_with("sha1", "ec", LEAF_EXT, "sha1", HR_KX_SIGN),
                   HR_VERIFY_INSECURE);
  assert_int_equal(refused_by, HR_CHECK_SIGNATURE_ALGORITHM);
  assert_int_equal(leaf_with("sha224", "ec", LEAF_EXT, "sha224", HR_KX_SIGN),
                   PASSES);
  /* A trust anchor's own signature does not count; its key does. */
  make_cert("sha1root", NULL, "ec", "/CN=sha1root", CA_EXT, "sha1");
  alias_key("sha1root", "ec");
  make_cert("sha1rootleaf", "sha1root", "ec", "/CN=localhost", LEAF_EXT,
            "sha256");
  assert_int_equal(judge(HR_KX_SIGN, PATH("sha1rootleaf", "sha1root")),
                   PASSES);
  make_cert("weakroot", NULL, "rsa1024", "/CN=weakroot", CA_EXT, "sha256");
  alias_key("weakroot", "rsa1024");
  make_cert("weakrootleaf", "weakroot", "ec", "/CN=localhost", LEAF_EXT,
            "sha256");
  assert_int_equal(judge(HR_KX_SIGN, PATH("weakrootleaf", "weakroot")),
                   HR_VERIFY_INSECURE);
}

/* A CA with nameConstraints `nc` under root, a leaf with SANs `san` and
 * subject `subj` under it. */
static int constrained(const char *name, const char *nc, const char *subj,
                       const char *san) {
  char ext[1024], leaf[64], leaf_ext[512];
  snprintf(ext, sizeof(ext), CA_EXT "nameConstraints=%s\n", nc);
  make_ca(name, "root", ext);
  snprintf(leaf, sizeof(leaf), "%s-leaf", name);
  snprintf(leaf_ext, sizeof(leaf_ext),
           "basicConstraints=CA:FALSE\nsubjectAltName=%s\n", san);
  make_cert(leaf, name, "ec", subj, leaf_ext, "sha256");
  return judge(HR_KX_SIGN, PATH(leaf, name, "root"));
}

static void name_constraints_dns(void **state) {
  (void)state;
  const char *cn = "/CN=localhost";
  assert_int_equal(constrained("nc1", "permitted;DNS:example.org", cn,
                               "DNS:localhost"),
                   HR_VERIFY_NC_PERMITTED);
  assert_int_equal(refused_by, HR_CHECK_NAME_CONSTRAINTS);
  assert_int_equal(constrained("nc2", "critical,permitted;DNS:example.org", cn,
                               "DNS:www.EXAMPLE.org,DNS:example.org"),
                   PASSES);
  assert_int_equal(constrained("nc3", "permitted;DNS:example.org", cn,
                               "DNS:wwwexample.org"),
                   HR_VERIFY_NC_PERMITTED);
  assert_int_equal(constrained("nc4", "permitted;DNS:.example.org", cn,
                               "DNS:example.org"),
                   HR_VERIFY_NC_PERMITTED);
  assert_int_equal(constrained("nc5", "excluded;DNS:localhost", cn,
                               "DNS:localhost"),
                   HR_VERIFY_NC_EXCLUDED);
  assert_int_equal(constrained("nc6", "excluded;DNS:secret.example.org", cn,
                               "DNS:*.example.org"),
                   HR_VERIFY_NC_EXCLUDED);
  assert_int_equal(constrained("nc7", "excluded;DNS:a.secret.example.org", cn,
                               "DNS:*.example.org"),
                   PASSES);
  /* A constraint on IP addresses leaves DNS names alone. */
  assert_int_equal(constrained("nc8", "permitted;IP:10.0.0.0/255.0.0.0", cn,
                               "DNS:localhost"),
                   PASSES);
}

static void name_constraints_ip(void **state) {
  (void)state;
  const char *cn = "/CN=localhost";
  assert_int_equal(constrained("ip1", "permitted;IP:10.0.0.0/255.0.0.0", cn,
                               "DNS:localhost,IP:127.0.0.1"),
                   HR_VERIFY_NC_PERMITTED);
  assert_int_equal(constrained("ip2", "permitted;IP:127.0.0.0/255.0.0.0", cn,
                               "IP:127.0.0.1"),
                   PASSES);
  assert_int_equal(constrained("ip3", "excluded;IP:127.0.0.0/255.0.0.0", cn,
                               "IP:127.0.0.1"),
                   HR_VERIFY_NC_EXCLUDED);
  /* An IPv6 address is outside IPv4 subtrees. */
  assert_int_equal(constrained("ip4", "permitted;IP:127.0.0.0/255.0.0.0", cn,
                               "IP:::1"),
                   HR_VERIFY_NC_PERMITTED);
}

static void name_constraints_directory(void **state) {
  (void)state;
  /* The [nc] section of every config is O=httpr test. */
  assert_int_equal(constrained("dir1", "permitted;dirName:nc",
                               "/O=HTTPR  Test/CN=localhost", "DNS:localhost"),
                   PASSES);
  assert_int_equal(constrained("dir2", "permitted;dirName:nc", "/CN=localhost",
                               "DNS:localhost"),
                   HR_VERIFY_NC_PERMITTED);
  assert_int_equal(constrained("dir3", "excluded;dirName:nc",
                               "/O=httpr test/CN=localhost", "DNS:localhost"),
                   HR_VERIFY_NC_EXCLUDED);
}

static void name_constraints_fail_closed(void **state) {
  (void)state;
  const char *cn = "/CN=localhost";
  assert_int_equal(constrained("un1", "permitted;email:.example.org", cn,
                               "DNS:localhost"),
                   HR_VERIFY_NC_UNSUPPORTED);
  assert_int_equal(constrained("un2", "excluded;URI:.example.org", cn,
                               "DNS:localhost"),
                   HR_VERIFY_NC_UNSUPPORTED);
}

/* The trust anchor's own constraints bind the path too. */
static void name_constraints_of_the_anchor(void **state) {
  (void)state;
  alias_key("ncroot", "ec");
  make_cert("ncroot", NULL, "ec", "/CN=ncroot",
            CA_EXT "nameConstraints=critical,permitted;DNS:example.org\n",
            "sha256");
  make_cert("ncroot-leaf", "ncroot", "ec", "/CN=localhost", LEAF_EXT,
            "sha256");
  assert_int_equal(judge(HR_KX_SIGN, PATH("ncroot-leaf", "ncroot")),
                   HR_VERIFY_NC_PERMITTED);
}

/* ---- paths by names -------------------------------------------------------- */

struct anchor_list {
  struct loaded *l;
  size_t first; /* l->der[first..] are the trust anchors */
};

static int find_in(void *ud, const struct hr_der *name, struct hr_der *anchor) {
  struct anchor_list *a = ud;
  for (size_t i = a->first; i < a->l->n; i++) {
    struct hr_cert c;
    if (hr_cert_parse(a->l->path.certs[i].p, a->l->path.certs[i].len, &c) ==
            0 &&
        c.subject.len == name->len &&
        memcmp(c.subject.p, name->p, name->len) == 0) {
      *anchor = a->l->path.certs[i];
      return 1;
    }
  }
  return 0;
}

static void linked_by_names(void **state) {
  (void)state;
  struct loaded l;
  struct hr_cert_path path;
  /* Sent: leaf, an unrelated certificate, inter; trusted: root. */
  load(&l, PATH("leaf", "crit", "inter", "root"));
  struct anchor_list a = {&l, 3};
  assert_int_equal(hr_path_link(l.path.certs, 3, find_in, &a, &path), 1);
  assert_int_equal(path.count, 3);
  assert_ptr_equal(path.certs[1].p, l.path.certs[2].p);
  assert_ptr_equal(path.certs[2].p, l.path.certs[3].p);
  /* Without the root among the anchors the path ends at inter. */
  a.first = 4;
  assert_int_equal(hr_path_link(l.path.certs, 3, find_in, &a, &path), 0);
  assert_int_equal(path.count, 2);
  /* The intermediate trusted itself. */
  a.first = 2;
  assert_int_equal(hr_path_link(l.path.certs, 1, find_in, &a, &path), 1);
  assert_int_equal(path.count, 2);
  unload(&l);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(der_lengths),
      cmocka_unit_test(der_values),
      cmocka_unit_test(truncated_and_flipped),
      cmocka_unit_test(fields_of_a_leaf),
      cmocka_unit_test(good_paths),
      cmocka_unit_test(chain_length),
      cmocka_unit_test(critical_extensions),
      cmocka_unit_test(issuers_must_be_cas),
      cmocka_unit_test(path_length),
      cmocka_unit_test(purposes),
      cmocka_unit_test(key_usage_follows_the_key_exchange),
      cmocka_unit_test(keys_and_signatures),
      cmocka_unit_test(name_constraints_dns),
      cmocka_unit_test(name_constraints_ip),
      cmocka_unit_test(name_constraints_directory),
      cmocka_unit_test(name_constraints_fail_closed),
      cmocka_unit_test(name_constraints_of_the_anchor),
      cmocka_unit_test(linked_by_names),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
