/* SPDX-License-Identifier: MIT */
/*
 * server.c - the server profiles the conformance suite talks to: one
 * process per profile (certificate and options), the test server
 * (spawn.c) or, for OCSP stapling, openssl s_server (s_server.c), started
 * on first use and stopped at the end.
 */
#include "tests/conformance/server.h"

#include <stdio.h>
#include <stdlib.h>

#include "tests/conformance/suite.h"

/* ---- profiles ------------------------------------------------------------ */

/* TLS 1.2 suites (OpenSSL names) for the key-usage cases: the server's key
 * signs an ECDHE exchange, or the client encrypts to it (RSA key
 * transport). Every provider offers some of each by default. */
#define ECDHE_RSA_SUITES                                                       \
  "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:"                   \
  "ECDHE-RSA-CHACHA20-POLY1305"
#define RSA_KX_SUITES "AES128-GCM-SHA256:AES256-GCM-SHA384"

struct profile_def {
  const char *cert; /* PKI base name: <name>.crt and <name>.key */
  const char *extra[6];
  int s_server; /* openssl s_server, extra its options, the chain
                   inter-ca (s_server reads the leaf alone of .crt) */
};

/* openssl s_server stapling the response ocsp-NAME.der for cert. */
#define OCSP_PROFILE(cert, name)                                               \
  { cert, {"-status_file", "@ocsp-" name ".der"}, 1 }

static const struct profile_def profiles[SRV_COUNT] = {
    [SRV_GOOD_RSA] = {"good-rsa", {NULL}},
    [SRV_GOOD_ECDSA] = {"good-ecdsa", {NULL}},
    [SRV_EXPIRED] = {"expired", {NULL}},
    [SRV_NOTYET] = {"notyet", {NULL}},
    [SRV_WRONGHOST] = {"wronghost", {NULL}},
    [SRV_NOIP] = {"noip", {NULL}},
    [SRV_SELFSIGNED] = {"selfsigned", {NULL}},
    [SRV_UNTRUSTED] = {"untrusted", {NULL}},
    [SRV_MISSING_INTER] = {"missing-inter", {NULL}},
    [SRV_BAD_PURPOSE] = {"badpurpose", {NULL}},
    [SRV_CLIENT_AUTH] = {"good-ecdsa", {"--client-ca", "@client-ca.pem"}},
    [SRV_CLIENT_AUTH_TLS12] = {"good-ecdsa",
                               {"--client-ca", "@client-ca.pem", "--tls-max",
                                "1.2"}},
    [SRV_TLS12_ONLY] = {"good-ecdsa", {"--tls-max", "1.2"}},
    [SRV_TLS13_ONLY] = {"good-ecdsa", {"--tls-min", "1.3"}},
    [SRV_NO_ALPN] = {"good-ecdsa", {"--no-alpn"}},
    [SRV_PLAIN] = {NULL, {"--plain"}},
    [SRV_IPV6] = {"good-ecdsa", {"--host", "::1"}},
    [SRV_NO_RESUME] = {"good-ecdsa", {"--no-session-cache"}},
    [SRV_H2] = {"good-ecdsa", {"--alpn", "h2,http/1.1"}},
    [SRV_H2_CLIENT_AUTH] = {"good-ecdsa",
                            {"--alpn", "h2,http/1.1", "--client-ca",
                             "@client-ca.pem"}},
    [SRV_H2_GOAWAY] = {"good-ecdsa",
                       {"--alpn", "h2,http/1.1", "--h2-goaway-after", "2"}},
    [SRV_H2_TINY_WINDOW] = {"good-ecdsa",
                            {"--alpn", "h2,http/1.1", "--h2-window", "16"}},
    [SRV_H2_MAX_STREAMS_2] = {"good-ecdsa",
                              {"--alpn", "h2,http/1.1", "--h2-max-streams",
                               "2"}},
    [SRV_NC_PERMIT_VIOLATION] = {"nc-permit-violation", {NULL}},
    [SRV_NC_CRITICAL_OK] = {"nc-critical-ok", {NULL}},
    [SRV_NC_CRITICAL_VIOLATION] = {"nc-critical-violation", {NULL}},
    [SRV_NC_EXCLUDE_DNS] = {"nc-exclude-dns", {NULL}},
    [SRV_NC_PERMIT_IP_VIOLATION] = {"nc-permit-ip-violation", {NULL}},
    [SRV_NC_EXCLUDE_IP] = {"nc-exclude-ip", {NULL}},
    [SRV_NC_PERMIT_DIRNAME_OK] = {"nc-permit-dirname-ok", {NULL}},
    [SRV_NC_PERMIT_DIRNAME_VIOLATION] = {"nc-permit-dirname-violation", {NULL}},
    [SRV_NC_EXCLUDE_DIRNAME] = {"nc-exclude-dirname", {NULL}},
    [SRV_NC_UNSUPPORTED_RFC822] = {"nc-unsupported-rfc822", {NULL}},
    [SRV_NC_UNSUPPORTED_URI] = {"nc-unsupported-uri", {NULL}},
    [SRV_NC_ROOT_OK] = {"nc-root-ok", {NULL}},
    [SRV_NC_ROOT_VIOLATION] = {"nc-root-violation", {NULL}},
    /* OpenSSL's default security level refuses to load these. */
    [SRV_RSA1024] = {"rsa1024", {"--seclevel", "0"}},
    [SRV_RSA1024_INTER] = {"rsa1024-inter", {"--seclevel", "0"}},
    [SRV_SHA1_LEAF] = {"sha1-leaf", {"--seclevel", "0"}},
    [SRV_SHA1_INTER] = {"sha1-inter", {"--seclevel", "0"}},
    [SRV_SHA1_ROOT_OK] = {"sha1-root-ok", {NULL}},
    [SRV_KU_ECDSA_NODIGSIG] = {"ku-ecdsa-nodigsig", {NULL}},
    [SRV_KU_RSA_KEYENC_ECDHE] = {"ku-rsa-keyenc",
                                 {"--tls-max", "1.2", "--ciphers",
                                  ECDHE_RSA_SUITES}},
    [SRV_KU_RSA_KEYENC_RSAKX] = {"ku-rsa-keyenc",
                                 {"--tls-max", "1.2", "--ciphers",
                                  RSA_KX_SUITES}},
    [SRV_KU_RSA_DIGSIG_ECDHE] = {"ku-rsa-digsig",
                                 {"--tls-max", "1.2", "--ciphers",
                                  ECDHE_RSA_SUITES}},
    [SRV_KU_RSA_DIGSIG_RSAKX] = {"ku-rsa-digsig",
                                 {"--tls-max", "1.2", "--ciphers",
                                  RSA_KX_SUITES}},
    [SRV_CRIT_EXT_LEAF] = {"crit-ext-leaf", {NULL}},
    [SRV_CRIT_EXT_INTER] = {"crit-ext-inter", {NULL}},
    [SRV_CHAIN_8] = {"chain-8", {NULL}},
    [SRV_CHAIN_9] = {"chain-9", {NULL}},
    [SRV_CHAIN_12] = {"chain-12", {NULL}},
    [SRV_INTER_NOT_CA] = {"inter-not-ca", {NULL}},
    [SRV_INTER_NO_BC] = {"inter-no-bc", {NULL}},
    [SRV_INTER_NO_CERTSIGN] = {"inter-no-certsign", {NULL}},
    [SRV_INTER_EKU_CLIENT] = {"inter-eku-client", {NULL}},
    [SRV_PATHLEN_EXCEEDED] = {"pathlen-exceeded", {NULL}},
    [SRV_BAD_LEAF_SIG] = {"bad-leaf-sig", {NULL}},
    [SRV_H2_ZERO_WINDOW] = {"good-ecdsa",
                            {"--alpn", "h2,http/1.1", "--h2-window", "0"}},
    /* As h2o 2.2.5 (Debian): the server says nothing while the body comes. */
    [SRV_H2_OPEN_WINDOW] = {"good-ecdsa",
                            {"--alpn", "h2,http/1.1", "--h2-open-window",
                             "16777216"}},
    [SRV_HANG_UP] = {"good-ecdsa", {"--hang-up"}},
    [SRV_GROUP_P384] = {"good-ecdsa", {"--groups", "secp384r1"}},
    [SRV_GROUP_P384_TLS12] = {"good-ecdsa",
                              {"--groups", "secp384r1", "--tls-max", "1.2"}},
    /* A client certificate asked for after the handshake only. */
    [SRV_LATE_CERT] = {"good-ecdsa", {"--late-client-ca", "@client-ca.pem"}},
    [SRV_LATE_CERT_TLS12] = {"good-ecdsa",
                             {"--late-client-ca", "@client-ca.pem", "--tls-max",
                              "1.2"}},
    [SRV_LATE_CERT_H2] = {"good-ecdsa",
                          {"--alpn", "h2,http/1.1", "--late-client-ca",
                           "@client-ca.pem"}},
    [SRV_LATE_CERT_H2_TLS12] = {"good-ecdsa",
                                {"--alpn", "h2,http/1.1", "--late-client-ca",
                                 "@client-ca.pem", "--tls-max", "1.2"}},
    [SRV_OCSP_GOOD] = OCSP_PROFILE("ocsp-good", "good"),
    [SRV_OCSP_GOOD_DELEGATED] = OCSP_PROFILE("ocsp-good", "good-delegated"),
    [SRV_OCSP_REVOKED] = OCSP_PROFILE("ocsp-revoked", "revoked"),
    [SRV_OCSP_UNKNOWN] = OCSP_PROFILE("ocsp-good", "unknown"),
    [SRV_OCSP_EXPIRED] = OCSP_PROFILE("ocsp-good", "expired"),
    [SRV_OCSP_FUTURE] = OCSP_PROFILE("ocsp-good", "future"),
    [SRV_OCSP_BAD_SIGNATURE] = OCSP_PROFILE("ocsp-good", "bad-signature"),
    [SRV_OCSP_UNTRUSTED_SIGNER] = OCSP_PROFILE("ocsp-good", "untrusted-signer"),
    [SRV_OCSP_OTHER_CERT] = OCSP_PROFILE("ocsp-revoked", "good"),
    [SRV_OCSP_TRY_LATER] = OCSP_PROFILE("ocsp-good", "try-later"),
    [SRV_OCSP_MALFORMED] = OCSP_PROFILE("ocsp-good", "malformed"),
    [SRV_REVOKED] = {"revoked", {NULL}},
    [SRV_REVOKED_INTER] = {"revoked-inter", {NULL}},
};

static struct {
  pid_t pid;
  int port;
} running[SRV_COUNT];

static char *pki_arg(const char *name, const char *suffix) {
  char *s = NULL;
  if (asprintf(&s, "%s/%s%s", g_suite.pki_dir, name, suffix) < 0)
    return NULL;
  return s;
}

static int start_profile(enum profile p) {
  const struct profile_def *def = &profiles[p];
  char *argv[20] = {(char *)g_suite.server_bin};
  char *owned[20] = {0};
  size_t n = 1, n_owned = 0;
  /* s_server's options take one dash, and spawn_s_server names it. */
  if (def->s_server)
    n = 0;
  if (def->cert) {
    argv[n++] = def->s_server ? "-cert" : "--cert";
    argv[n++] = owned[n_owned++] = pki_arg(def->cert, ".crt");
    argv[n++] = def->s_server ? "-key" : "--key";
    argv[n++] = owned[n_owned++] = pki_arg(def->cert, ".key");
  }
  if (def->s_server) {
    argv[n++] = "-cert_chain";
    argv[n++] = owned[n_owned++] = pki_arg("inter-ca.pem", "");
  }
  for (size_t i = 0; i < 6 && def->extra[i]; i++) {
    const char *a = def->extra[i];
    argv[n++] =
        a[0] == '@' ? (owned[n_owned++] = pki_arg(a + 1, "")) : (char *)a;
  }
  int port;
  if (def->s_server) {
    argv[n] = NULL;
    port = spawn_s_server(argv, &running[p].pid);
  } else {
    char max_seconds[32];
    snprintf(max_seconds, sizeof(max_seconds), "%ld",
             test_timeout_ms(300 * 1000) / 1000);
    argv[n++] = "--max-seconds";
    argv[n++] = max_seconds;
    argv[n] = NULL;
    port = spawn_server(g_suite.server_bin, argv, &running[p].pid);
  }
  for (size_t i = 0; i < n_owned; i++)
    free(owned[i]);
  return port;
}

int server_port(enum profile p) {
  if (running[p].port <= 0) {
    running[p].port = start_profile(p);
    if (running[p].port <= 0)
      fail_msg("could not start test server profile %d", (int)p);
  }
  return running[p].port;
}

void servers_stop_all(void) {
  for (int p = 0; p < SRV_COUNT; p++) {
    if (running[p].port > 0)
      stop_server(running[p].pid);
    running[p].port = 0;
  }
}
