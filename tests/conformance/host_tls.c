/* SPDX-License-Identifier: MIT */
/*
 * host_tls.c - httpr inside a program that uses the same TLS libraries
 * itself (provider rule 5): the host initialises each library and holds its
 * own objects; httpr clients on every provider come and go (so httpr's
 * reference-counted init and cleanup run, twice); afterwards the host's
 * objects and the libraries still work. This test talks to the TLS
 * libraries directly on purpose, so it names them.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/httpr.h"
#include "tests/conformance/server.h"
#include "tests/test_timeout.h"

#ifdef HTTPR_HAVE_OPENSSL
#include <openssl/evp.h>
#include <openssl/ssl.h>
#endif
#ifdef HTTPR_HAVE_GNUTLS
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#endif

static int g_port;
static char g_ca[512];

/* Builds a client on `provider`, makes two requests, frees everything. */
static void use_httpr(const char *provider) {
  char url[128];
  snprintf(url, sizeof(url), "https://localhost:%d/", g_port);
  httpr_config *cfg = httpr_config_new();
  httpr_config_set_tls_backend(cfg, provider);
  httpr_config_set_ca_file(cfg, g_ca);
  httpr_config_set_total_timeout_ms(cfg, test_timeout_ms(15000));
  httpr_client *client = NULL;
  httpr_request *req = NULL;
  assert_int_equal(httpr_client_new(&client, cfg, NULL), HTTPR_OK);
  assert_int_equal(httpr_request_new(&req, "GET", url, NULL), HTTPR_OK);
  for (int i = 0; i < 2; i++) {
    httpr_response *resp = NULL;
    assert_int_equal(httpr_client_send(client, req, &resp, NULL), HTTPR_OK);
    assert_string_equal(httpr_response_tls_provider(resp), provider);
    httpr_response_free(resp);
  }
  httpr_request_free(req);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

static void use_every_provider_twice(void) {
  for (int round = 0; round < 2; round++) {
    for (size_t i = 0; i < httpr_provider_count(); i++)
      use_httpr(httpr_provider_name(i));
  }
}

#ifdef HTTPR_HAVE_OPENSSL
static void openssl_host_keeps_working(void **state) {
  (void)state;
  assert_int_equal(OPENSSL_init_ssl(0, NULL), 1);
  SSL_CTX *host_ctx = SSL_CTX_new(TLS_client_method());
  assert_non_null(host_ctx);
  use_every_provider_twice();
  /* The host's context still makes connections; the library still
   * hashes and builds new contexts. */
  SSL *ssl = SSL_new(host_ctx);
  assert_non_null(ssl);
  SSL_free(ssl);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  assert_int_equal(EVP_Digest("abc", 3, md, &md_len, EVP_sha256(), NULL), 1);
  assert_int_equal(md_len, 32);
  assert_int_equal(md[0], 0xba); /* SHA-256("abc") starts with ba 78 */
  assert_int_equal(md[1], 0x78);
  SSL_CTX *again = SSL_CTX_new(TLS_client_method());
  assert_non_null(again);
  SSL_CTX_free(again);
  SSL_CTX_free(host_ctx);
}
#endif

#ifdef HTTPR_HAVE_GNUTLS
static void gnutls_host_keeps_working(void **state) {
  (void)state;
  assert_int_equal(gnutls_global_init(), GNUTLS_E_SUCCESS);
  gnutls_certificate_credentials_t host_cred;
  assert_int_equal(gnutls_certificate_allocate_credentials(&host_cred), 0);
  use_every_provider_twice();
  /* httpr's init and deinit were balanced: the host's own init holds. */
  gnutls_session_t session;
  assert_int_equal(gnutls_init(&session, GNUTLS_CLIENT), 0);
  assert_int_equal(
      gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, host_cred), 0);
  gnutls_deinit(session);
  unsigned char md[32];
  assert_int_equal(gnutls_hash_fast(GNUTLS_DIG_SHA256, "abc", 3, md), 0);
  assert_int_equal(md[0], 0xba);
  assert_int_equal(md[1], 0x78);
  gnutls_certificate_free_credentials(host_cred);
  gnutls_global_deinit();
}
#endif

int main(void) {
  const char *pki = getenv("PKI_DIR"), *bin = getenv("TEST_SERVER");
  if (!pki || !bin) {
    fprintf(stderr, "host-tls: PKI_DIR and TEST_SERVER must be set\n");
    return 2;
  }
  char cert[512], key[512];
  snprintf(cert, sizeof(cert), "%s/good-ecdsa.crt", pki);
  snprintf(key, sizeof(key), "%s/good-ecdsa.key", pki);
  snprintf(g_ca, sizeof(g_ca), "%s/ca-bundle.pem", pki);
  char max_seconds[32];
  snprintf(max_seconds, sizeof(max_seconds), "%ld",
           test_timeout_ms(120 * 1000) / 1000);
  char *argv[] = {(char *)bin, "--cert",        cert,        "--key",
                  key,         "--max-seconds", max_seconds, NULL};
  pid_t pid;
  g_port = spawn_server(bin, argv, &pid);
  if (g_port <= 0) {
    fprintf(stderr, "host-tls: the test server did not start\n");
    return 1;
  }
  const struct CMUnitTest tests[] = {
#ifdef HTTPR_HAVE_OPENSSL
      cmocka_unit_test(openssl_host_keeps_working),
#endif
#ifdef HTTPR_HAVE_GNUTLS
      cmocka_unit_test(gnutls_host_keeps_working),
#endif
  };
  int failed = cmocka_run_group_tests_name("host-tls", tests, NULL, NULL);
  stop_server(pid);
  return failed ? 1 : 0;
}
