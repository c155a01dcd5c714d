/* SPDX-License-Identifier: MIT */
/*
 * gnutls_only.c - what only the GnuTLS provider has: its expectations
 * (GnuTLS's verification status words and error names in the details, the
 * alerts its client sends) and its own test, the provider's identity.
 */
#include <stdio.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "tests/provider/scenarios.h"

extern const struct hr_tls_provider hr_provider_gnutls;

static void provider_identity(void **state) {
  (void)state;
  char version[64];
  assert_string_equal(P->name, "gnutls");
  assert_int_equal(P->features,
                   HTTPR_FEATURE_TLS13 | HTTPR_FEATURE_TLS12 |
                       HTTPR_FEATURE_CA_DIR | HTTPR_FEATURE_PKCS12 |
                       HTTPR_FEATURE_ENCRYPTED_KEY | HTTPR_FEATURE_KEYLOG |
                       HTTPR_FEATURE_ALPN | HTTPR_FEATURE_SYSTEM_STORE |
                       HTTPR_FEATURE_SESSION_RESUME |
                       HTTPR_FEATURE_PEER_CRITICAL_NC |
                       HTTPR_FEATURE_POST_HANDSHAKE_AUTH |
                       HTTPR_FEATURE_RENEGOTIATION | HTTPR_FEATURE_TLS_GROUP |
                       HTTPR_FEATURE_CERT_STATUS);
  snprintf(version, sizeof(version), "GnuTLS %s", gnutls_check_version(NULL));
  assert_string_equal(P->library_version(), version);
  /* Init and cleanup are balanced inside GnuTLS's own count: ours leave
   * the library as they found it. */
  httpr_error err = {0};
  assert_int_equal(P->global_init(&err), HTTPR_OK);
  P->global_cleanup();
  unsigned char md[32];
  assert_int_equal(gnutls_hash_fast(GNUTLS_DIG_SHA256, "abc", 3, md), 0);
  assert_int_equal(md[0], 0xba);
}

static const struct CMUnitTest only[] = {
    cmocka_unit_test(provider_identity),
};

#define NOT_TRUSTED "gnutls: The certificate is NOT trusted. "
#define UNTRUSTED                                                              \
  {                                                                            \
    EXACT(NOT_TRUSTED "The certificate issuer is unknown. (status 0x42)"),     \
        GNUTLS_A_UNKNOWN_CA                                                    \
  }
#define EXPIRED                                                                \
  {                                                                            \
    EXACT(NOT_TRUSTED "The certificate chain uses expired certificate. "       \
                      "(status 0x402)"),                                       \
        GNUTLS_A_CERTIFICATE_EXPIRED                                           \
  }
#define HOSTNAME                                                               \
  {                                                                            \
    EXACT(NOT_TRUSTED "The name in the certificate does not match the "        \
                      "expected. (status 0x4002)"),                            \
        GNUTLS_A_BAD_CERTIFICATE                                               \
  }

const struct provider_expect gnutls_expect = {
    .provider = &hr_provider_gnutls,
    .tls12_cipher = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    /* The two values of the multi-valued RDN in the other order than
     * OpenSSL prints them (RFC 2253 leaves the order open). */
    .named_subject = "CN=localhost,OU=a+OU=b,O=httpr\\, tests,C=DE",
    .eof = CONTAINS("GNUTLS_E_PREMATURE_TERMINATION"),
    .server_closed = CONTAINS("gnutls: GNUTLS_E_"),
    .self_signed = UNTRUSTED,
    .wrong_anchor = UNTRUSTED,
    .root_sent = UNTRUSTED,
    .unrelated_root = UNTRUSTED,
    .missing_inter = UNTRUSTED,
    .expired = EXPIRED,
    .not_yet_valid = {EXACT(NOT_TRUSTED "The certificate chain uses not yet "
                                        "valid certificate. (status 0x202)"),
                      GNUTLS_A_BAD_CERTIFICATE},
    .expired_untrusted = UNTRUSTED,
    .purpose = {EXACT(NOT_TRUSTED "The certificate chain does not match the "
                                  "intended purpose. (status 0x40002); httpr "
                                  "policy: depth 0: extendedKeyUsage lacks "
                                  "serverAuth"),
                GNUTLS_A_BAD_CERTIFICATE},
    .hostname = HOSTNAME,
    .ip_address = HOSTNAME,
    .protocol_version = CONTAINS("alert 70 (Error in protocol version)"),
    .internal_error = CONTAINS("alert 80 (Internal error)"),
    .old_hello = CONTAINS("GNUTLS_E_UNSUPPORTED_VERSION_PACKET"),
    .tls12_hello = CONTAINS("GNUTLS_E_UNSUPPORTED_VERSION_PACKET"),
    .version_refused = CONTAINS("alert 70 (Error in protocol version)"),
    .bad_key = PREFIX("gnutls: GNUTLS_E_"),
    .wrong_password = {ANY_DETAIL,
                       EXACT("gnutls: GNUTLS_E_DECRYPTION_FAILED (-24): "
                             "Decryption has failed."),
                       ANY_DETAIL, PREFIX("gnutls: GNUTLS_E_MAC_VERIFY_FAILED"),
                       ANY_DETAIL},
    .unknown_ca = CONTAINS("alert 48 (CA is unknown)"),
    .handshake_failure = EXACT("gnutls: GNUTLS_E_FATAL_ALERT_RECEIVED (-12): "
                               "A TLS fatal alert has been received.; alert "
                               "40 (Handshake failed)"),
    .certificate_required = CONTAINS("alert 116 (Certificate is required)"),
    .only = only,
    .only_count = sizeof(only) / sizeof(only[0]),
};
