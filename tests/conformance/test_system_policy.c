/* SPDX-License-Identifier: MIT */
/*
 * test_system_policy.c - the system's TLS policy is a floor (issue 15):
 * each provider starts from its TLS library's system configuration and
 * only makes it stricter. The CLI runs in a process of its own, whose TLS
 * libraries first start with a configuration file that allows TLS 1.3
 * only: OPENSSL_CONF (MinProtocol) for the provider linking OpenSSL,
 * GNUTLS_SYSTEM_PRIORITY_FILE (a default priority string) for the one
 * linking GnuTLS. Against a TLS 1.2-only server the provider whose library
 * reads the file fails the handshake (35), and an explicit --tlsv1.2 is
 * refused (4, HTTPR_E_UNSUPPORTED) rather than weakening the policy; the
 * other providers are unchanged. Which library a provider links comes
 * from httpr_provider_library_version, never from its name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/conformance/suite.h"

static const char openssl_min13[] = "openssl_conf = openssl_init\n"
                                    "[ openssl_init ]\n"
                                    "ssl_conf = ssl_sect\n"
                                    "[ ssl_sect ]\n"
                                    "system_default = system_default_sect\n"
                                    "[ system_default_sect ]\n"
                                    "MinProtocol = TLSv1.3\n";

static const char gnutls_tls13_only[] =
    "[overrides]\n"
    "default-priority-string = NORMAL:-VERS-ALL:+VERS-TLS1.3\n";

/* 1 when the suite's provider links the TLS library whose version string
 * starts with `library` ("OpenSSL/3.0.11"). */
static int links(const char *library) {
  for (size_t i = 0; i < httpr_provider_count(); i++) {
    if (strcmp(httpr_provider_name(i), g_suite.provider) == 0) {
      const char *v = httpr_provider_library_version(i);
      return v && strncmp(v, library, strlen(library)) == 0;
    }
  }
  return 0;
}

static const char *write_file(const char *name, const char *text) {
  const char *path = tmp_path(name);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  assert_int_equal(fclose(f), 0);
  return path;
}

static const char *const tls12_option[] = {"--tlsv1.2", NULL};

/* The CLI against profile p with env=file set, and the options extra
 * (expect_fetch_cli): its exit code and the first line it wrote on
 * stderr. */
static void cli_under(const char *env, const char *file, enum profile p,
                      const char *const *extra, int want_exit,
                      const char *want_line) {
  expect_fetch_cli(p, extra, env, file, want_exit, want_line);
}

static const char no_common_version[] =
    "httpr: (35) no TLS version in common with the server (offered "
    "TLSv1.3 to TLSv1.3)";

/* The policy of the library the file is for: a TLS 1.2-only server fails
 * the handshake, an explicit TLS 1.2 minimum is refused, a TLS 1.3 server
 * still works. Every other provider ignores the file. */
static void tls13_only_policy(const char *env, const char *file,
                              const char *library, const char *policy) {
  if (!links(library)) {
    cli_under(env, file, SRV_TLS12_ONLY, NULL, 0, "");
    cli_under(env, file, SRV_TLS12_ONLY, tls12_option, 0, "");
    return;
  }
  char refused[256];
  snprintf(refused, sizeof(refused),
           "httpr: (4) TLS 1.2 was asked for as the lowest TLS version, but "
           "%s allows TLS 1.3 at least",
           policy);
  cli_under(env, file, SRV_TLS12_ONLY, NULL, 35, no_common_version);
  cli_under(env, file, SRV_TLS12_ONLY, tls12_option, 4, refused);
  cli_under(env, file, SRV_TLS13_ONLY, NULL, 0, "");
}

static void openssl_conf_min_protocol_is_a_floor(void **state) {
  (void)state;
  const char *file = write_file("min-tls13.cnf", openssl_min13);
  tls13_only_policy("OPENSSL_CONF", file, "OpenSSL",
                    "the OpenSSL configuration");
}

static void gnutls_system_priority_is_a_floor(void **state) {
  (void)state;
  const char *file = write_file("tls13-only.cfg", gnutls_tls13_only);
  tls13_only_policy("GNUTLS_SYSTEM_PRIORITY_FILE", file, "GnuTLS",
                    "the GnuTLS system priority");
}

/* Without a policy file nothing changes: httpr's own minimum, TLS 1.2. */
static void no_policy_file_tls12_server(void **state) {
  (void)state;
  cli_under(NULL, NULL, SRV_TLS12_ONLY, NULL, 0, "");
  cli_under(NULL, NULL, SRV_TLS12_ONLY, tls12_option, 0, "");
}

/* The system's cipher suites are a floor too: a configured suite they
 * leave out is refused (4), never offered; one they keep works. */
static const char openssl_aes256_only[] =
    "openssl_conf = openssl_init\n"
    "[ openssl_init ]\n"
    "ssl_conf = ssl_sect\n"
    "[ ssl_sect ]\n"
    "system_default = system_default_sect\n"
    "[ system_default_sect ]\n"
    "CipherString = ECDHE-ECDSA-AES256-GCM-SHA384\n";

static const char gnutls_aes256_only[] =
    "[overrides]\n"
    "default-priority-string = NORMAL:-CIPHER-ALL:+AES-256-GCM\n";

static void suites_policy(const char *env, const char *file,
                          const char *library) {
  static const char *const aes128[] = {"--tls-max", "1.2", "--ciphers",
                                       "ECDHE-ECDSA-AES128-GCM-SHA256", NULL};
  static const char *const aes256[] = {"--tls-max", "1.2", "--ciphers",
                                       "ECDHE-ECDSA-AES256-GCM-SHA384", NULL};
  char refused[256];
  snprintf(refused, sizeof(refused),
           "httpr: (4) the %s provider does not support the cipher suite "
           "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
           g_suite.provider);
  if (links(library))
    cli_under(env, file, SRV_GOOD_ECDSA, aes128, 4, refused);
  else
    cli_under(env, file, SRV_GOOD_ECDSA, aes128, 0, "");
  cli_under(env, file, SRV_GOOD_ECDSA, aes256, 0, "");
}

static void openssl_conf_cipher_string_is_a_floor(void **state) {
  (void)state;
  suites_policy("OPENSSL_CONF",
                write_file("aes256-only.cnf", openssl_aes256_only), "OpenSSL");
}

static void gnutls_system_ciphers_are_a_floor(void **state) {
  (void)state;
  suites_policy("GNUTLS_SYSTEM_PRIORITY_FILE",
                write_file("aes256-only.cfg", gnutls_aes256_only), "GnuTLS");
}

#define SYSTEM_POLICY_TEST(f)                                                  \
  { "system_policy_" #f, f, NULL, NULL, NULL }

const struct CMUnitTest system_policy_tests[] = {
    SYSTEM_POLICY_TEST(openssl_conf_min_protocol_is_a_floor),
    SYSTEM_POLICY_TEST(gnutls_system_priority_is_a_floor),
    SYSTEM_POLICY_TEST(no_policy_file_tls12_server),
    SYSTEM_POLICY_TEST(openssl_conf_cipher_string_is_a_floor),
    SYSTEM_POLICY_TEST(gnutls_system_ciphers_are_a_floor),
};
const size_t system_policy_tests_count = COUNT_OF(system_policy_tests);
