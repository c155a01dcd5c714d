/* SPDX-License-Identifier: MIT */
/*
 * test_policy.c - the verification policy every provider shares (issue
 * 11): name constraints (permitted and excluded dNSName, iPAddress and
 * directoryName, types the check does not support, a constrained trust
 * anchor), weak keys and digests (also under an OPENSSL_CONF that lowers
 * OpenSSL's security level), key usage against the key exchange, unknown
 * critical extensions, the chain length limit, and broken CA
 * certificates. Every case expects one code and one message, worded as
 * OpenSSL's X509_verify_cert_error_string() words it, on every provider.
 * The suite asks two capabilities, never a name: PEER_CRITICAL_NC (the
 * one documented exception) and TLS 1.3 (a case only TLS 1.3 reaches).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/conformance/suite.h"

/* The reasons, after "certificate verify failed: ". */
static const char permitted_violation[] = "permitted subtree violation";
static const char excluded_violation[] = "excluded subtree violation";
static const char unsupported_nc[] = "unsupported name constraint type";
static const char insecure[] = "certificate uses an insecure algorithm or key";
static const char unsuitable[] = "unsuitable certificate purpose";
static const char unhandled_critical[] = "unhandled critical extension";
static const char chain_too_long[] = "certificate chain too long";
static const char invalid_ca[] = "invalid CA certificate";
static const char path_length[] = "path length constraint exceeded";
static const char bad_signature[] = "certificate signature failure";

/* A config trusting the PKI file ca, or the test root when ca is NULL. */
static httpr_config *cfg_trusting(const char *ca) {
  if (!ca)
    return cfg_new();
  httpr_config *cfg = cfg_bare();
  assert_int_equal(httpr_config_set_ca_file(cfg, pki(ca)), HTTPR_OK);
  return cfg;
}

/* The server of profile p, reached as host (NULL: localhost), must be
 * accepted: 200, the hello body, the leaf for localhost. Returns the
 * response for further checks (the caller frees it). */
static httpr_response *accepted(enum profile p, const char *host,
                                const char *ca) {
  httpr_config *cfg = cfg_trusting(ca);
  httpr_response *resp = expect_get(cfg, url_of(p, host, "/"), HTTPR_OK, NULL);
  httpr_config_free(cfg);
  assert_non_null(resp);
  assert_int_equal(httpr_response_status(resp), 200);
  char *body = body_string(resp);
  assert_string_equal(body, "hello\n");
  free(body);
  assert_string_equal(httpr_response_tls_provider(resp), g_suite.provider);
  assert_non_null(strstr(httpr_response_peer_subject(resp), "CN=localhost"));
  return resp;
}

/* The server of profile p must be refused with HTTPR_E_CERT_OTHER and
 * "certificate verify failed: <why>". */
static void rejected(enum profile p, const char *host, const char *ca,
                     const char *why) {
  char message[256];
  snprintf(message, sizeof(message), "certificate verify failed: %s", why);
  httpr_config *cfg = cfg_trusting(ca);
  expect_failure(cfg, url_of(p, host, "/"), HTTPR_E_CERT_OTHER, message);
  httpr_config_free(cfg);
}

static int has_feature(uint32_t bit) { return (g_suite.features & bit) != 0; }

/* ---- name constraints ---------------------------------------------------- */

/* mbedTLS 2.28 ignores a non-critical nameConstraints by itself. */
static void nc_permit_violation(void **state) {
  (void)state;
  rejected(SRV_NC_PERMIT_VIOLATION, NULL, NULL, permitted_violation);
}

/* A satisfied critical constraint in a certificate the server sends: only
 * a provider that can parse it (PEER_CRITICAL_NC) gets that far. */
static void nc_critical_ok(void **state) {
  (void)state;
  if (has_feature(HTTPR_FEATURE_PEER_CRITICAL_NC)) {
    httpr_response_free(accepted(SRV_NC_CRITICAL_OK, NULL, NULL));
    httpr_response_free(accepted(SRV_NC_CRITICAL_OK, "127.0.0.1", NULL));
  } else {
    rejected(SRV_NC_CRITICAL_OK, NULL, NULL, unhandled_critical);
  }
}

static void nc_critical_violation(void **state) {
  (void)state;
  rejected(SRV_NC_CRITICAL_VIOLATION, NULL, NULL,
           has_feature(HTTPR_FEATURE_PEER_CRITICAL_NC) ? permitted_violation
                                                       : unhandled_critical);
}

static void nc_exclude_dns(void **state) {
  (void)state;
  rejected(SRV_NC_EXCLUDE_DNS, NULL, NULL, excluded_violation);
}

/* A constraint covers every name of its type in the leaf, whichever name
 * the URL uses: the leaf's 127.0.0.1 breaks it even when the URL says
 * localhost. */
static void nc_permit_ip_violation_by_ip(void **state) {
  (void)state;
  rejected(SRV_NC_PERMIT_IP_VIOLATION, "127.0.0.1", NULL, permitted_violation);
}

static void nc_permit_ip_violation_by_name(void **state) {
  (void)state;
  rejected(SRV_NC_PERMIT_IP_VIOLATION, NULL, NULL, permitted_violation);
}

static void nc_exclude_ip_by_ip(void **state) {
  (void)state;
  rejected(SRV_NC_EXCLUDE_IP, "127.0.0.1", NULL, excluded_violation);
}

static void nc_exclude_ip_by_name(void **state) {
  (void)state;
  rejected(SRV_NC_EXCLUDE_IP, NULL, NULL, excluded_violation);
}

/* directoryName constraints apply to the leaf's subject. */
static void nc_permit_dirname_ok(void **state) {
  (void)state;
  httpr_response *resp = accepted(SRV_NC_PERMIT_DIRNAME_OK, NULL, NULL);
  assert_non_null(strstr(httpr_response_peer_subject(resp), "O=httpr test"));
  httpr_response_free(resp);
}

static void nc_permit_dirname_violation(void **state) {
  (void)state;
  rejected(SRV_NC_PERMIT_DIRNAME_VIOLATION, NULL, NULL, permitted_violation);
}

static void nc_exclude_dirname(void **state) {
  (void)state;
  rejected(SRV_NC_EXCLUDE_DIRNAME, NULL, NULL, excluded_violation);
}

/* A constraint of a type the shared check does not implement fails
 * closed, even though the leaf has no name of that type. */
static void nc_unsupported_rfc822(void **state) {
  (void)state;
  rejected(SRV_NC_UNSUPPORTED_RFC822, NULL, NULL, unsupported_nc);
}

static void nc_unsupported_uri(void **state) {
  (void)state;
  rejected(SRV_NC_UNSUPPORTED_URI, NULL, NULL, unsupported_nc);
}

/* A trust anchor's constraints count, and every provider can load an
 * anchor with a critical nameConstraints. */
static void nc_root_ok(void **state) {
  (void)state;
  httpr_response_free(accepted(SRV_NC_ROOT_OK, NULL, "nc-root-ok-ca.pem"));
  httpr_response_free(
      accepted(SRV_NC_ROOT_OK, "127.0.0.1", "nc-root-ok-ca.pem"));
}

static void nc_root_violation(void **state) {
  (void)state;
  rejected(SRV_NC_ROOT_VIOLATION, NULL, "nc-root-violation-ca.pem",
           permitted_violation);
}

/* ---- keys and digests ---------------------------------------------------- */

static void rsa1024_leaf(void **state) {
  (void)state;
  rejected(SRV_RSA1024, NULL, NULL, insecure);
}

static void rsa1024_intermediate(void **state) {
  (void)state;
  rejected(SRV_RSA1024_INTER, NULL, NULL, insecure);
}

static void sha1_signed_leaf(void **state) {
  (void)state;
  rejected(SRV_SHA1_LEAF, NULL, NULL, insecure);
}

static void sha1_signed_intermediate(void **state) {
  (void)state;
  rejected(SRV_SHA1_INTER, NULL, NULL, insecure);
}

/* Nothing verifies a trust anchor's own signature. */
static void sha1_self_signed_root(void **state) {
  (void)state;
  httpr_response_free(accepted(SRV_SHA1_ROOT_OK, NULL, "sha1-root-ok-ca.pem"));
}

/* The CLI in a process of its own, whose TLS libraries first start with
 * OPENSSL_CONF naming a file that lowers OpenSSL's security level to 1
 * (RSA 1024 allowed): the policy stays as strict. Exit code and the first
 * line on stderr. */
static void cli_with_seclevel1(enum profile p, int want_exit,
                               const char *want_line) {
  const char *conf = tmp_path("seclevel1.cnf");
  FILE *f = fopen(conf, "w");
  assert_non_null(f);
  fputs("openssl_conf = openssl_init\n"
        "[ openssl_init ]\n"
        "ssl_conf = ssl_sect\n"
        "[ ssl_sect ]\n"
        "system_default = system_default_sect\n"
        "[ system_default_sect ]\n"
        "CipherString = DEFAULT@SECLEVEL=1\n",
        f);
  assert_int_equal(fclose(f), 0);
  expect_fetch_cli(p, NULL, "OPENSSL_CONF", conf, want_exit, want_line);
}

static void rsa1024_leaf_under_openssl_conf_seclevel1(void **state) {
  (void)state;
  cli_with_seclevel1(SRV_GOOD_RSA, 0, ""); /* the file itself is harmless */
  cli_with_seclevel1(SRV_RSA1024, 60,
                     "httpr: (60) certificate verify failed: certificate "
                     "uses an insecure algorithm or key");
}

static void rsa1024_intermediate_under_openssl_conf_seclevel1(void **state) {
  (void)state;
  cli_with_seclevel1(SRV_RSA1024_INTER, 60,
                     "httpr: (60) certificate verify failed: certificate "
                     "uses an insecure algorithm or key");
}

/* ---- key usage and the key exchange -------------------------------------- */

/* RFC 8446 4.4.2.2: a TLS 1.3 server signs, so a keyUsage without
 * digitalSignature rules the leaf out. The OpenSSL test server itself
 * refuses to use such an ECDSA certificate for TLS 1.2 (ECDHE-ECDSA), so
 * only TLS 1.3 brings it to the client's check. */
static void ku_ecdsa_without_digital_signature(void **state) {
  (void)state;
  if (has_feature(HTTPR_FEATURE_TLS13)) {
    rejected(SRV_KU_ECDSA_NODIGSIG, NULL, NULL, unsuitable);
    return;
  }
  /* Without TLS 1.3 the case cannot be reached (the OpenSSL test server
   * will not sign a TLS 1.2 exchange with this leaf): the provider must
   * refuse TLS 1.3 outright, as its feature bits say. */
  httpr_config *cfg = cfg_new();
  assert_int_equal(httpr_config_set_min_tls_version(cfg, HTTPR_TLS_1_3),
                   HTTPR_OK);
  expect_get(cfg, url_of(SRV_KU_ECDSA_NODIGSIG, NULL, "/"), HTTPR_E_UNSUPPORTED,
             NULL);
  httpr_config_free(cfg);
}

/* ECDHE: the server's RSA key signs the exchange. */
static void ku_rsa_key_encipherment_with_ecdhe(void **state) {
  (void)state;
  rejected(SRV_KU_RSA_KEYENC_ECDHE, NULL, NULL, unsuitable);
}

static void ku_rsa_digital_signature_with_ecdhe(void **state) {
  (void)state;
  httpr_response *resp = accepted(SRV_KU_RSA_DIGSIG_ECDHE, NULL, NULL);
  assert_string_equal(httpr_response_tls_version(resp), "TLSv1.2");
  assert_non_null(strstr(httpr_response_tls_cipher(resp), "TLS_ECDHE_RSA_"));
  httpr_response_free(resp);
}

/* RSA key transport: the client encrypts to the server's key. */
static void ku_rsa_key_encipherment_with_rsa_kx(void **state) {
  (void)state;
  httpr_response *resp = accepted(SRV_KU_RSA_KEYENC_RSAKX, NULL, NULL);
  assert_string_equal(httpr_response_tls_version(resp), "TLSv1.2");
  assert_non_null(strstr(httpr_response_tls_cipher(resp), "TLS_RSA_WITH_"));
  httpr_response_free(resp);
}

static void ku_rsa_digital_signature_with_rsa_kx(void **state) {
  (void)state;
  rejected(SRV_KU_RSA_DIGSIG_RSAKX, NULL, NULL, unsuitable);
}

/* OpenSSL checks the purpose of the CAs in the chain too. */
static void intermediate_for_clients_only(void **state) {
  (void)state;
  rejected(SRV_INTER_EKU_CLIENT, NULL, NULL, unsuitable);
}

/* ---- critical extensions ------------------------------------------------- */

static void unknown_critical_extension_in_leaf(void **state) {
  (void)state;
  rejected(SRV_CRIT_EXT_LEAF, NULL, NULL, unhandled_critical);
}

static void unknown_critical_extension_in_intermediate(void **state) {
  (void)state;
  rejected(SRV_CRIT_EXT_INTER, NULL, NULL, unhandled_critical);
}

/* ---- chain length: at most 8 intermediates (mbedTLS's built-in limit) ---- */

static void chain_of_8_intermediates(void **state) {
  (void)state;
  httpr_response *resp = accepted(SRV_CHAIN_8, NULL, NULL);
  assert_non_null(strstr(httpr_response_peer_issuer(resp), "httpr chain-ca-8"));
  httpr_response_free(resp);
}

static void chain_of_9_intermediates(void **state) {
  (void)state;
  rejected(SRV_CHAIN_9, NULL, NULL, chain_too_long);
}

static void chain_of_12_intermediates(void **state) {
  (void)state;
  rejected(SRV_CHAIN_12, NULL, NULL, chain_too_long);
}

/* ---- broken CA certificates and signatures ------------------------------- */

static void intermediate_not_a_ca(void **state) {
  (void)state;
  rejected(SRV_INTER_NOT_CA, NULL, NULL, invalid_ca);
}

static void intermediate_without_basic_constraints(void **state) {
  (void)state;
  rejected(SRV_INTER_NO_BC, NULL, NULL, invalid_ca);
}

static void intermediate_without_key_cert_sign(void **state) {
  (void)state;
  rejected(SRV_INTER_NO_CERTSIGN, NULL, NULL, invalid_ca);
}

static void path_length_exceeded(void **state) {
  (void)state;
  rejected(SRV_PATHLEN_EXCEEDED, NULL, NULL, path_length);
}

static void leaf_signature_broken(void **state) {
  (void)state;
  rejected(SRV_BAD_LEAF_SIG, NULL, NULL, bad_signature);
}

/* Every name starts with policy_, so HTTPR_TEST_FILTER='policy_*' runs
 * this file alone. */
#define POLICY_TEST(f)                                                         \
  { "policy_" #f, f, NULL, NULL, NULL }

const struct CMUnitTest policy_tests[] = {
    POLICY_TEST(nc_permit_violation),
    POLICY_TEST(nc_critical_ok),
    POLICY_TEST(nc_critical_violation),
    POLICY_TEST(nc_exclude_dns),
    POLICY_TEST(nc_permit_ip_violation_by_ip),
    POLICY_TEST(nc_permit_ip_violation_by_name),
    POLICY_TEST(nc_exclude_ip_by_ip),
    POLICY_TEST(nc_exclude_ip_by_name),
    POLICY_TEST(nc_permit_dirname_ok),
    POLICY_TEST(nc_permit_dirname_violation),
    POLICY_TEST(nc_exclude_dirname),
    POLICY_TEST(nc_unsupported_rfc822),
    POLICY_TEST(nc_unsupported_uri),
    POLICY_TEST(nc_root_ok),
    POLICY_TEST(nc_root_violation),
    POLICY_TEST(rsa1024_leaf),
    POLICY_TEST(rsa1024_intermediate),
    POLICY_TEST(sha1_signed_leaf),
    POLICY_TEST(sha1_signed_intermediate),
    POLICY_TEST(sha1_self_signed_root),
    POLICY_TEST(rsa1024_leaf_under_openssl_conf_seclevel1),
    POLICY_TEST(rsa1024_intermediate_under_openssl_conf_seclevel1),
    POLICY_TEST(ku_ecdsa_without_digital_signature),
    POLICY_TEST(ku_rsa_key_encipherment_with_ecdhe),
    POLICY_TEST(ku_rsa_digital_signature_with_ecdhe),
    POLICY_TEST(ku_rsa_key_encipherment_with_rsa_kx),
    POLICY_TEST(ku_rsa_digital_signature_with_rsa_kx),
    POLICY_TEST(intermediate_for_clients_only),
    POLICY_TEST(unknown_critical_extension_in_leaf),
    POLICY_TEST(unknown_critical_extension_in_intermediate),
    POLICY_TEST(chain_of_8_intermediates),
    POLICY_TEST(chain_of_9_intermediates),
    POLICY_TEST(chain_of_12_intermediates),
    POLICY_TEST(intermediate_not_a_ca),
    POLICY_TEST(intermediate_without_basic_constraints),
    POLICY_TEST(intermediate_without_key_cert_sign),
    POLICY_TEST(path_length_exceeded),
    POLICY_TEST(leaf_signature_broken),
};
const size_t policy_tests_count = COUNT_OF(policy_tests);
