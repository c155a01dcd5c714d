/* SPDX-License-Identifier: MIT */
/*
 * openssl_only.c - what only the OpenSSL provider has: its expectations
 * (OpenSSL's verify error names and texts in the details, its thread's
 * error queue left empty after every failure it reports) and its own
 * tests: the provider's identity, OpenSSL's host name rules with the
 * provider's flags equal to the shared ones, and a wrong PKCS#12 password
 * that gets past the padding check.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "backends/identity.h"
#include "backends/tls_errors.h"
#include "tests/provider/scenarios.h"
#include "tests/unit/pki_files.h"

extern const struct hr_tls_provider hr_provider_openssl;

static void provider_identity(void **state) {
  (void)state;
  assert_string_equal(P->name, "openssl");
  assert_int_equal(
      P->features,
      HTTPR_FEATURE_TLS13 | HTTPR_FEATURE_TLS12 | HTTPR_FEATURE_CA_DIR |
          HTTPR_FEATURE_PKCS12 | HTTPR_FEATURE_ENCRYPTED_KEY |
          HTTPR_FEATURE_KEYLOG | HTTPR_FEATURE_ALPN |
          HTTPR_FEATURE_SYSTEM_STORE | HTTPR_FEATURE_SESSION_RESUME |
          HTTPR_FEATURE_PEER_CRITICAL_NC | HTTPR_FEATURE_POST_HANDSHAKE_AUTH |
          HTTPR_FEATURE_RENEGOTIATION | HTTPR_FEATURE_TLS_GROUP |
          HTTPR_FEATURE_CERT_STATUS | HTTPR_FEATURE_EXACT_CIPHERS);
  assert_string_equal(P->library_version(), OpenSSL_version(OPENSSL_VERSION));
  httpr_error err = {0};
  assert_int_equal(P->global_init(&err), HTTPR_OK); /* idempotent */
  P->global_cleanup(); /* does nothing: OpenSSL stays usable */
  SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
  assert_non_null(ctx);
  SSL_CTX_free(ctx);
}

/* A certificate with one DNS name for the good-ecdsa key, self-signed:
 * only its SAN matters to X509_check_host. */
static X509 *with_dns_name(EVP_PKEY *key, const char *pattern) {
  char san[96];
  X509V3_CTX v3;
  snprintf(san, sizeof(san), "DNS:%s", pattern);
  X509 *x = X509_new();
  assert_non_null(x);
  assert_true(X509_set_pubkey(x, key));
  X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
  X509_EXTENSION *ext =
      X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san);
  assert_non_null(ext);
  assert_true(X509_add_ext(x, ext, -1));
  X509_EXTENSION_free(ext);
  return x;
}

/* The rules OpenSSL applies with the provider's flags are those of
 * backends/identity.h, pattern by pattern. */
static void openssl_names_equal_shared_rules(void **state) {
  (void)state;
  static const char *const patterns[] = {
      "www.example.com", "*.example.com", "*.com",           "f*.example.com",
      "*o.example.com",  "www.*.com",     "WWW.EXAMPLE.COM", "*.exa_mple.com",
      "*..com",          "example.com.",
  };
  static const char *const hosts[] = {
      "www.example.com", "WWW.example.com",  "example.com",
      "a.b.example.com", "foo.example.com",  "www.com",
      "a_b.example.com", "www.exa_mple.com", "xn--bcher-kva.example.com",
  };
  BIO *b = BIO_new_file(file_of("good-ecdsa.key"), "r");
  EVP_PKEY *key = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
  BIO_free(b);
  assert_non_null(key);
  for (size_t p = 0; p < sizeof(patterns) / sizeof(patterns[0]); p++) {
    X509 *x = with_dns_name(key, patterns[p]);
    for (size_t h = 0; h < sizeof(hosts) / sizeof(hosts[0]); h++) {
      int ossl = X509_check_host(x, hosts[h], 0,
                                 X509_CHECK_FLAG_NEVER_CHECK_SUBJECT |
                                     X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS,
                                 NULL) == 1;
      int shared =
          hr_identity_match_dns(hosts[h], patterns[p], strlen(patterns[p]));
      if (ossl != shared)
        print_error("host %s pattern %s: openssl %d shared %d\n", hosts[h],
                    patterns[p], ossl, shared);
      assert_int_equal(ossl, shared);
    }
    X509_free(x);
  }
  EVP_PKEY_free(key);
}

/* A wrong password under which the encrypted certificates of
 * client-nomac.p12 pass the padding check (about one in 256 does) and
 * decrypt to garbage that is no SafeContents; found with OpenSSL's
 * primitives, not the provider. 1, or 0 when none was found. */
static int password_past_the_padding(char *out, size_t size) {
  BIO *b = BIO_new_file(file_of("client-nomac.p12"), "rb");
  PKCS12 *p12 = b ? d2i_PKCS12_bio(b, NULL) : NULL;
  STACK_OF(PKCS7) *safes = p12 ? PKCS12_unpack_authsafes(p12) : NULL;
  PKCS7_ENC_CONTENT *enc = NULL;
  for (int i = 0; safes && i < sk_PKCS7_num(safes); i++) {
    PKCS7 *p7 = sk_PKCS7_value(safes, i);
    if (PKCS7_type_is_encrypted(p7))
      enc = p7->d.encrypted->enc_data;
  }
  int found = 0;
  for (int i = 0; enc && !found && i < 20000; i++) {
    unsigned char *plain = NULL;
    int plain_len = 0;
    snprintf(out, size, "wrong%d", i);
    if (PKCS12_pbe_crypt_ex(enc->algorithm, out, (int)strlen(out),
                            enc->enc_data->data, enc->enc_data->length, &plain,
                            &plain_len, 0, NULL, NULL)) {
      const unsigned char *q = plain;
      ASN1_VALUE *bags =
          ASN1_item_d2i(NULL, &q, plain_len, ASN1_ITEM_rptr(PKCS12_SAFEBAGS));
      found = bags == NULL;
      ASN1_item_free(bags, ASN1_ITEM_rptr(PKCS12_SAFEBAGS));
      OPENSSL_free(plain);
    }
  }
  ERR_clear_error();
  sk_PKCS7_pop_free(safes, PKCS7_free);
  PKCS12_free(p12);
  BIO_free(b);
  return found;
}

/* Without a MAC nothing but the decryption tells a wrong password, and
 * garbage that got past the padding check must say so too. */
static void nomac_wrong_password_past_the_padding(void **state) {
  (void)state;
  char password[32];
  assert_true(password_past_the_padding(password, sizeof(password)));
  struct hr_tls_settings s =
      cred(HR_CRED_PKCS12, "client-nomac.p12", NULL, password);
  context_fails(&s, HTTPR_E_CLIENT_CERT, "wrong key password",
                "check the password given with --pass or after --cert FILE:");
}

/* The provider's errors stay off the thread's queue. */
static void no_openssl_errors(void) { assert_int_equal(ERR_peek_error(), 0); }

static const struct CMUnitTest only[] = {
    cmocka_unit_test(provider_identity),
    cmocka_unit_test(openssl_names_equal_shared_rules),
    cmocka_unit_test(nomac_wrong_password_past_the_padding),
};

#define OSSL(name, n, text) EXACT("openssl: " #name " (" #n "): " text)

const struct provider_expect openssl_expect = {
    .provider = &hr_provider_openssl,
    .expect_clean = no_openssl_errors,
    .x25519 = 1,
    /* OpenSSL names the host before the date. */
    /* OpenSSL completes the client's chain from the trust store. */
    .client_chain = 1,
    .eof = CONTAINS("unexpected eof while reading"),
    .self_signed = {OSSL(X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, 18,
                         "self-signed certificate"),
                    HR_ALERT_UNKNOWN_CA},
    .wrong_anchor = {OSSL(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 20,
                          "unable to get local issuer certificate"),
                     HR_ALERT_UNKNOWN_CA},
    .root_sent = {OSSL(X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, 19,
                       "self-signed certificate in certificate chain"),
                  HR_ALERT_UNKNOWN_CA},
    .unrelated_root = {OSSL(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 20,
                            "unable to get local issuer certificate"),
                       HR_ALERT_UNKNOWN_CA},
    .missing_inter = {OSSL(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 20,
                           "unable to get local issuer certificate"),
                      HR_ALERT_UNKNOWN_CA},
    .expired = {OSSL(X509_V_ERR_CERT_HAS_EXPIRED, 10,
                     "certificate has expired"),
                HR_ALERT_CERTIFICATE_EXPIRED},
    .not_yet_valid = {OSSL(X509_V_ERR_CERT_NOT_YET_VALID, 9,
                           "certificate is not yet valid"),
                      HR_ALERT_BAD_CERTIFICATE},
    .expired_untrusted = {OSSL(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 20,
                               "unable to get local issuer certificate"),
                          HR_ALERT_UNKNOWN_CA},
    .purpose = {OSSL(X509_V_ERR_INVALID_PURPOSE, 26,
                     "unsuitable certificate purpose"),
                43 /* unsupported_certificate */},
    .hostname = {OSSL(X509_V_ERR_HOSTNAME_MISMATCH, 62, "hostname mismatch"),
                 HR_ALERT_BAD_CERTIFICATE},
    .ip_address = {OSSL(X509_V_ERR_IP_ADDRESS_MISMATCH, 64,
                        "IP address mismatch"),
                   HR_ALERT_BAD_CERTIFICATE},
    .server_closed = CONTAINS("unexpected eof while reading"),
    .protocol_version = CONTAINS("tlsv1 alert protocol version"),
    .internal_error = CONTAINS("tlsv1 alert internal error"),
    .old_hello = CONTAINS("unsupported protocol"),
    .tls12_hello = CONTAINS("unsupported protocol"),
    .version_refused = CONTAINS("tlsv1 alert protocol version"),
    .bad_key = PREFIX("openssl: "),
    /* OpenSSL's own words for a wrong password are usually "bad decrypt",
     * but about one wrong password in 200 gets past the padding check and
     * then fails decoding ("wrong tag"), so only what a MAC decides is
     * certain. */
    .wrong_password = {ANY_DETAIL, PREFIX("openssl: error:"), ANY_DETAIL,
                       CONTAINS("mac verify failure"), ANY_DETAIL},
    .unknown_ca = CONTAINS("tlsv1 alert unknown ca"),
    .handshake_failure = CONTAINS("alert handshake failure"),
    .certificate_required = CONTAINS("certificate required"),
    .only = only,
    .only_count = sizeof(only) / sizeof(only[0]),
};
