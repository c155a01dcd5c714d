/* SPDX-License-Identifier: MIT */
/*
 * mbedtls_only.c - what only the mbedTLS provider has: its expectations
 * (mbedTLS's error codes and verification flags in the details, the
 * alerts its client sends) and its own tests: the provider's identity, and
 * backends/mbedtls_pkcs.c, which reads the encrypted keys and PKCS#12
 * files mbedTLS 2.28 cannot read by itself, in every form `openssl pkcs8`
 * and `openssl pkcs12` write (made at start-up: PBES2 with other PRFs,
 * AES sizes and triple DES, PKCS#12 PBE, RC2 which nobody here decrypts,
 * UTF-8 and empty passwords, PKCS#12 files without key or certificate).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/pk.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#include "backends/mbedtls_pkcs.h"
#include "backends/tls_errors.h"
#include "tests/provider/scenarios.h"
#include "tests/unit/pki_files.h"

extern const struct hr_tls_provider hr_provider_mbedtls;

#define UTF8_PASSWORD "s\xc3\xa9\x63ret" /* "sécret" */

/* Encrypted PKCS#8 keys as `openssl pkcs8 -topk8` writes them, OpenSSL's
 * traditional encrypted PEM, PKCS#12 files as `openssl pkcs12 -export`
 * writes them (with the root as the chain), and the client certificate
 * with that chain. 1, or 0. */
static int make_forms(void) {
  static const struct {
    const char *out, *args, *password;
  } keys[] = {
      {"k-aes256.pem", "", PASSWORD},
      {"k-aes256.der", "-outform DER", PASSWORD},
      {"k-aes128-sha1.pem", "-v2 aes-128-cbc -v2prf hmacWithSHA1", PASSWORD},
      {"k-aes192-sha512.pem", "-v2 aes-192-cbc -v2prf hmacWithSHA512",
       PASSWORD},
      {"k-pbes2-3des.pem", "-v2 des3", PASSWORD},
      {"k-pbe-3des.pem", "-v1 PBE-SHA1-3DES", PASSWORD},
      {"k-pbe-3des.der", "-v1 PBE-SHA1-3DES -outform DER", PASSWORD},
      {"k-aes256-utf8.pem", "", UTF8_PASSWORD},
      {"k-pbe-3des-utf8.pem", "-v1 PBE-SHA1-3DES", UTF8_PASSWORD},
      {"k-rc2.pem", "-v1 PBE-SHA1-RC2-40 -provider legacy -provider default",
       PASSWORD},
  };
  static const struct {
    const char *out, *args, *password;
  } p12s[] = {
      {"p12-default.p12", "", PASSWORD},
      {"p12-legacy.p12", "-legacy", PASSWORD},
      {"p12-3des.p12",
       "-certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1", PASSWORD},
      {"p12-nomac.p12", "-nomac", PASSWORD},
      {"p12-plain.p12", "-keypbe NONE -certpbe NONE", PASSWORD},
      {"p12-utf8.p12", "", UTF8_PASSWORD},
      {"p12-3des-utf8.p12",
       "-certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1",
       UTF8_PASSWORD},
      {"p12-empty.p12", "", ""},
  };
  static int made;
  if (made)
    return 1;
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
    if (!openssl_cli("pkcs8 -topk8 -in '%s' %s -passout 'pass:%s' -out %s",
                     file_of("client.key"), keys[i].args, keys[i].password,
                     keys[i].out))
      return 0;
  }
  for (size_t i = 0; i < sizeof(p12s) / sizeof(p12s[0]); i++) {
    if (!openssl_cli("pkcs12 -export -in '%s' -inkey '%s' -certfile root.pem "
                     "-name 'httpr test client' %s -passout 'pass:%s' -out %s",
                     file_of("client.crt"), file_of("client.key"), p12s[i].args,
                     p12s[i].password, p12s[i].out))
      return 0;
  }
  made = openssl_cli("pkey -in '%s' -traditional -aes-256-cbc "
                     "-passout pass:%s -out k-legacy.pem",
                     file_of("client.key"), PASSWORD) &&
         openssl_cli("pkcs12 -export -nocerts -inkey '%s' -passout pass:%s "
                     "-out p12-nocert.p12",
                     file_of("client.key"), PASSWORD) &&
         openssl_cli("pkcs12 -export -nokeys -in '%s' -passout pass:%s "
                     "-out p12-nokey.p12",
                     file_of("client.crt"), PASSWORD) &&
         openssl_cli("x509 -in '%s' -out client-chain.pem",
                     file_of("client.crt")) &&
         append_file("client-chain.pem", "root.pem") &&
         openssl_cli("pkey -in '%s' -out client-only.key",
                     file_of("client.key")) &&
         append_file("client-chain.pem", "client-only.key");
  return made;
}

static void provider_identity(void **state) {
  (void)state;
  assert_string_equal(P->name, "mbedtls");
  /* mbedTLS 2.28 has no TLS 1.3: the bits say so, and the client refuses
   * what needs it. */
  assert_int_equal(
      P->features,
      HTTPR_FEATURE_TLS12 | HTTPR_FEATURE_CA_DIR | HTTPR_FEATURE_PKCS12 |
          HTTPR_FEATURE_ENCRYPTED_KEY | HTTPR_FEATURE_KEYLOG |
          HTTPR_FEATURE_ALPN | HTTPR_FEATURE_SYSTEM_STORE |
          HTTPR_FEATURE_SESSION_RESUME | HTTPR_FEATURE_RENEGOTIATION |
          HTTPR_FEATURE_EXACT_CIPHERS);
  assert_string_equal(P->library_version(), "mbed TLS " MBEDTLS_VERSION_STRING);
  httpr_error err = {0};
  assert_int_equal(P->global_init(&err), HTTPR_OK); /* nothing to undo */
  P->global_cleanup();
  /* Nor OCSP: the status check is refused, saying why. */
  struct hr_tls_settings status = {.verify = 1, .cert_status = 1};
  void *ctx = NULL;
  assert_int_equal(P->context_new(&status, &ctx, &err), HTTPR_E_UNSUPPORTED);
  assert_null(ctx);
  assert_string_equal(err.detail, "mbedTLS 2.28 has no OCSP");
  mbedtls_x509_crt crt;
  mbedtls_x509_crt_init(&crt);
  assert_int_equal(mbedtls_x509_crt_parse_file(&crt, file_of("root-ca.pem")),
                   0);
  mbedtls_x509_crt_free(&crt);
}

static const struct {
  enum hr_cred_kind kind;
  const char *cert, *key, *password;
  int chain; /* certificates sent after the client's */
} accepted_forms[] = {
    {HR_CRED_PEM, "client.pem", NULL, NULL, 0},
    {HR_CRED_PEM, "client-chain.pem", NULL, NULL, 1},
    {HR_CRED_PEM, "client-enc.pem", NULL, PASSWORD, 0},
    {HR_CRED_FILES, "client.crt", "client.key", NULL, 0},
    {HR_CRED_FILES, "client.crt", "k-aes256.pem", PASSWORD, 0},
    {HR_CRED_FILES, "client.crt", "k-aes128-sha1.pem", PASSWORD, 0},
    {HR_CRED_FILES, "client.crt", "k-aes192-sha512.pem", PASSWORD, 0},
    {HR_CRED_FILES, "client.crt", "k-pbes2-3des.pem", PASSWORD, 0},
    {HR_CRED_FILES, "client.crt", "k-pbe-3des.pem", PASSWORD, 0},
    {HR_CRED_FILES, "client.crt", "k-legacy.pem", PASSWORD, 0},
    {HR_CRED_FILES, "client.crt", "k-aes256-utf8.pem", UTF8_PASSWORD, 0},
    {HR_CRED_FILES, "client.crt", "k-pbe-3des-utf8.pem", UTF8_PASSWORD, 0},
    {HR_CRED_PKCS12, "p12-default.p12", NULL, PASSWORD, 1},
    {HR_CRED_PKCS12, "p12-3des.p12", NULL, PASSWORD, 1},
    {HR_CRED_PKCS12, "p12-nomac.p12", NULL, PASSWORD, 1},
    {HR_CRED_PKCS12, "p12-plain.p12", NULL, PASSWORD, 1},
    {HR_CRED_PKCS12, "p12-utf8.p12", NULL, UTF8_PASSWORD, 1},
    {HR_CRED_PKCS12, "p12-3des-utf8.p12", NULL, UTF8_PASSWORD, 1},
    /* Made with an empty password: none is needed, as with OpenSSL. */
    {HR_CRED_PKCS12, "p12-empty.p12", NULL, NULL, 1},
};
#define ACCEPTED_FORMS (sizeof(accepted_forms) / sizeof(accepted_forms[0]))

static struct hr_tls_settings accepted(size_t i) {
  return cred(accepted_forms[i].kind, accepted_forms[i].cert,
              accepted_forms[i].key, accepted_forms[i].password);
}

static void pkcs_forms_accepted(void **state) {
  (void)state;
  for (size_t i = 0; i < ACCEPTED_FORMS; i++) {
    struct hr_tls_settings s = accepted(i);
    httpr_error err = {0};
    void *ctx = NULL;
    httpr_code rc = P->context_new(&s, &ctx, &err);
    if (rc != HTTPR_OK)
      print_error("form %zu (%s %s): %s (%s)\n", i, accepted_forms[i].cert,
                  accepted_forms[i].key ? accepted_forms[i].key : "",
                  err.message, err.detail);
    assert_int_equal(rc, HTTPR_OK);
    P->context_free(ctx);
  }
}

/* Each form presented to a server that demands a certificate (TLS 1.2):
 * the server holds ours and its chain, and trusts them. */
static void pkcs_forms_presented(void **state) {
  (void)state;
  for (size_t i = 0; i < ACCEPTED_FORMS; i++) {
    struct hr_tls_settings cs = accepted(i);
    struct server_opts so = good_opts();
    so.require_client_cert = 1;
    struct session s;
    session_begin(&s, &cs, &so, "localhost");
    expect_handshake_ok(&s.l);
    client_write_all(&s.l, (const unsigned char *)"ping", 4, ROUNDS);
    unsigned char buf[4];
    server_read_exact(&s.l, buf, 4);
    assert_memory_equal(buf, "ping", 4);
    assert_true(server_peer_is(&s.l, "client.crt"));
    assert_int_equal(server_peer_chain_len(&s.l), accepted_forms[i].chain);
    close_session(&s);
  }
}

static void pkcs_forms_refused(void **state) {
  (void)state;
  cred_fails(cred(HR_CRED_FILES, "client.crt", "k-legacy.pem", NULL),
             msg("the key in '%s' is encrypted and no password was given",
                 file_of("k-legacy.pem")));
  cred_fails(cred(HR_CRED_FILES, "client.crt", "k-rc2.pem", PASSWORD),
             msg("the key in '%s' uses an encryption the mbedtls provider "
                 "cannot decrypt",
                 file_of("k-rc2.pem")));
  cred_fails(cred(HR_CRED_PKCS12, "p12-default.p12", NULL, NULL),
             msg("the key in '%s' is encrypted and no password was given",
                 file_of("p12-default.p12")));
  cred_fails(cred(HR_CRED_PKCS12, "p12-nomac.p12", NULL, NULL),
             msg("the key in '%s' is encrypted and no password was given",
                 file_of("p12-nomac.p12")));
  cred_fails(cred(HR_CRED_PKCS12, "p12-legacy.p12", NULL, PASSWORD),
             msg("PKCS#12 file '%s' uses RC2 encryption, which the mbedtls "
                 "provider cannot decrypt",
                 file_of("p12-legacy.p12")));
  cred_fails(cred(HR_CRED_PKCS12, "p12-nocert.p12", NULL, PASSWORD),
             msg("client certificate file '%s' holds no certificate",
                 file_of("p12-nocert.p12")));
  cred_fails(cred(HR_CRED_PKCS12, "p12-nokey.p12", NULL, PASSWORD),
             msg("client certificate file '%s' holds no certificate",
                 file_of("p12-nokey.p12")));
}

static const struct {
  enum hr_cred_kind kind;
  const char *cert, *key, *password;
} wrong_forms[] = {
    {HR_CRED_PEM, "client-enc.pem", NULL, "wrong"},
    {HR_CRED_FILES, "client.crt", "k-aes256.pem", "wrong"},
    {HR_CRED_FILES, "client.crt", "k-aes128-sha1.pem", "wrong"},
    {HR_CRED_FILES, "client.crt", "k-aes192-sha512.pem", "wrong"},
    {HR_CRED_FILES, "client.crt", "k-pbes2-3des.pem", "wrong"},
    {HR_CRED_FILES, "client.crt", "k-pbe-3des.pem", "wrong"},
    {HR_CRED_FILES, "client.crt", "k-legacy.pem", "wrong"},
    {HR_CRED_FILES, "client.crt", "k-aes256-utf8.pem", PASSWORD},
    {HR_CRED_FILES, "client.crt", "k-pbe-3des-utf8.pem", PASSWORD},
    {HR_CRED_FILES, "client.crt", "k-pbe-3des.pem", UTF8_PASSWORD},
    {HR_CRED_PKCS12, "p12-default.p12", NULL, "wrong"},
    {HR_CRED_PKCS12, "p12-legacy.p12", NULL, "wrong"},
    {HR_CRED_PKCS12, "p12-3des.p12", NULL, "wrong"},
    {HR_CRED_PKCS12, "p12-nomac.p12", NULL, "wrong"},
    {HR_CRED_PKCS12, "p12-plain.p12", NULL, "wrong"},
    {HR_CRED_PKCS12, "p12-utf8.p12", NULL, PASSWORD},
    {HR_CRED_PKCS12, "p12-3des-utf8.p12", NULL, PASSWORD},
};

/* Tries wrong_forms[i]; err holds the failure. */
static void wrong_form(size_t i, httpr_error *err) {
  struct hr_tls_settings s = cred(wrong_forms[i].kind, wrong_forms[i].cert,
                                  wrong_forms[i].key, wrong_forms[i].password);
  void *ctx = NULL;
  assert_int_equal(P->context_new(&s, &ctx, err), HTTPR_E_CLIENT_CERT);
  assert_null(ctx);
}

static void pkcs_wrong_passwords(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(wrong_forms) / sizeof(wrong_forms[0]); i++) {
    httpr_error err = {0};
    wrong_form(i, &err);
    if (strcmp(err.message, "wrong key password") != 0)
      print_error("form %zu: %s (%s)\n", i, err.message, err.detail);
    assert_string_equal(err.message, "wrong key password");
    assert_string_equal(err.hint, "check the password given with --pass or "
                                  "after --cert FILE:");
  }
  /* mbedTLS's own words, or what failed, stay in the detail. */
  static const struct {
    size_t form;
    const char *detail;
  } details[] = {
      {1, "mbedtls: -0x3B80: PK - Given private key password does not allow "
          "for correct decryption"},
      {5, "mbedtls: -0x3B80: PK - Given private key password does not allow "
          "for correct decryption"},
      {10, "mbedtls: the PKCS#12 MAC (SHA256, 2048 iterations) does not "
           "match"},
      {11, "mbedtls: the PKCS#12 MAC (SHA1, 2048 iterations) does not match"},
      /* Without a MAC the shrouded key (the first bag) tells. */
      {13, "mbedtls: -0x3B80: PK - Given private key password does not allow "
           "for correct decryption"},
  };
  for (size_t i = 0; i < sizeof(details) / sizeof(details[0]); i++) {
    httpr_error err = {0};
    wrong_form(details[i].form, &err);
    assert_string_equal(err.detail, details[i].detail);
  }
}

/* backends/mbedtls_pkcs.c on its own: DER and PEM input, each way a key
 * can be encrypted, and what a PKCS#12 file yields. */
static void pkcs_readers(void **state) {
  (void)state;
  static const struct {
    const char *file;
    int pem;
    const char *password;
    int want;
  } keys[] = {
      {"k-aes256.der", 0, PASSWORD, 0},
      {"k-aes256.der", 0, "wrong", MBEDTLS_ERR_PK_PASSWORD_MISMATCH},
      {"k-pbe-3des.der", 0, PASSWORD, 0},
      {"k-pbe-3des.der", 0, "wrong", MBEDTLS_ERR_PK_PASSWORD_MISMATCH},
      {"k-aes256.pem", 1, PASSWORD, 0},
      {"k-aes256.pem", 1, "", MBEDTLS_ERR_PK_PASSWORD_MISMATCH},
      {"k-aes256-utf8.pem", 1, UTF8_PASSWORD, 0},
      {"k-pbe-3des-utf8.pem", 1, UTF8_PASSWORD, 0},
      {"k-rc2.pem", 1, PASSWORD, MBEDTLS_ERR_PK_FEATURE_UNAVAILABLE},
      {"client-only.key", 1, NULL, 0},
  };
  mbedtls_x509_crt crt, root;
  mbedtls_x509_crt_init(&crt);
  mbedtls_x509_crt_init(&root);
  assert_int_equal(mbedtls_x509_crt_parse_file(&crt, file_of("client.crt")), 0);
  assert_int_equal(mbedtls_x509_crt_parse_file(&root, file_of("root-ca.pem")),
                   0);
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
    size_t len = 0;
    unsigned char *data = read_all(keys[i].file, &len, keys[i].pem);
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    int ret = hr_mbed_parse_key(&pk, data, len, keys[i].password);
    if (ret != keys[i].want)
      print_error("%s: -0x%04x\n", keys[i].file, (unsigned)-ret);
    assert_int_equal(ret, keys[i].want);
    if (ret == 0)
      assert_int_equal(mbedtls_pk_check_pair(&crt.pk, &pk), 0);
    mbedtls_pk_free(&pk);
    free(data);
  }
  /* The key's certificate first, then the chain. */
  struct hr_mbed_pkcs12 p12;
  httpr_error err = {0};
  hr_mbed_pkcs12_init(&p12);
  assert_int_equal(hr_mbed_pkcs12_load(path_of("p12-3des-utf8.p12"),
                                       UTF8_PASSWORD, &p12, &err),
                   HTTPR_OK);
  assert_int_equal(p12.certs.raw.len, crt.raw.len);
  assert_memory_equal(p12.certs.raw.p, crt.raw.p, crt.raw.len);
  assert_non_null(p12.certs.next);
  assert_int_equal(p12.certs.next->raw.len, root.raw.len);
  assert_memory_equal(p12.certs.next->raw.p, root.raw.p, root.raw.len);
  assert_null(p12.certs.next->next);
  assert_int_equal(mbedtls_pk_check_pair(&crt.pk, &p12.key), 0);
  hr_mbed_pkcs12_free(&p12);
  mbedtls_x509_crt_free(&root);
  mbedtls_x509_crt_free(&crt);
}

static const struct CMUnitTest only[] = {
    cmocka_unit_test(provider_identity),
    cmocka_unit_test(pkcs_forms_accepted),
    cmocka_unit_test(pkcs_forms_presented),
    cmocka_unit_test(pkcs_forms_refused),
    cmocka_unit_test(pkcs_wrong_passwords),
    cmocka_unit_test(pkcs_readers),
};

#define UNTRUSTED                                                              \
  {                                                                            \
    EXACT("mbedtls: The certificate is not correctly signed by the trusted "   \
          "CA (flags 0x8)"),                                                   \
        HR_ALERT_UNKNOWN_CA                                                    \
  }
#define EXPIRED                                                                \
  {                                                                            \
    EXACT("mbedtls: The certificate validity has expired (flags 0x1)"),        \
        HR_ALERT_CERTIFICATE_EXPIRED                                           \
  }
#define HOSTNAME                                                               \
  {                                                                            \
    EXACT("mbedtls: The certificate Common Name (CN) does not match with the " \
          "expected CN (flags 0x4)"),                                          \
        HR_ALERT_BAD_CERTIFICATE                                               \
  }
#define ALERT_RECEIVED(n, name)                                                \
  EXACT("mbedtls: -0x7780: SSL - A fatal alert message was received from "     \
        "our peer; alert " #n " (" name ")")

static const char chacha_ecdsa[] =
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256";

const struct provider_expect mbedtls_expect = {
    .provider = &hr_provider_mbedtls,
    .setup = make_forms,
    .cipher = chacha_ecdsa,
    .tls12_cipher = chacha_ecdsa,
    .rsa_cipher = "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    .x25519 = 1,
    .eof = EXACT("mbedtls: -0x7280: SSL - The connection indicated an EOF"),
    .server_closed = PREFIX("mbedtls: -0x7280: "),
    .self_signed = UNTRUSTED,
    .wrong_anchor = UNTRUSTED,
    .root_sent = UNTRUSTED,
    .unrelated_root = UNTRUSTED,
    .missing_inter = UNTRUSTED,
    .expired = EXPIRED,
    .not_yet_valid = {EXACT("mbedtls: The certificate validity starts in the "
                            "future (flags 0x200)"),
                      HR_ALERT_CERTIFICATE_UNKNOWN},
    /* Expired and untrusted: mbedTLS's alert names the date. */
    .expired_untrusted = {EXACT("mbedtls: The certificate validity has "
                                "expired;The certificate is not correctly "
                                "signed by the trusted CA (flags 0x9)"),
                          HR_ALERT_CERTIFICATE_EXPIRED},
    .purpose = {EXACT("mbedtls: Usage does not match the extendedKeyUsage "
                      "extension (flags 0x1000); httpr policy: depth 0: "
                      "extendedKeyUsage lacks serverAuth"),
                43 /* unsupported_certificate */},
    .hostname = HOSTNAME,
    .ip_address = HOSTNAME,
    .protocol_version = ALERT_RECEIVED(70, "protocol_version"),
    .internal_error = CONTAINS("alert 80 (internal_error)"),
    .old_hello = CONTAINS("mbedtls: -0x6E80: "),
    .version_refused = ALERT_RECEIVED(70, "protocol_version"),
    .bad_key = PREFIX("mbedtls: -0x"),
    .wrong_password = {ANY_DETAIL,
                       EXACT("mbedtls: -0x3B80: PK - Given private key "
                             "password does not allow for correct "
                             "decryption"),
                       ANY_DETAIL,
                       EXACT("mbedtls: the PKCS#12 MAC (SHA256, 2048 "
                             "iterations) does not match"),
                       /* Its certificates are encrypted too, and come
                        * first (p12-nomac.p12 above has them in clear). */
                       EXACT("mbedtls: the PKCS#12 contents do not "
                             "decrypt")},
    .unknown_ca = ALERT_RECEIVED(48, "unknown_ca"),
    .handshake_failure = ALERT_RECEIVED(40, "handshake_failure"),
    .only = only,
    .only_count = sizeof(only) / sizeof(only[0]),
};
