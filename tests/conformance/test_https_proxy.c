/* SPDX-License-Identifier: MIT */
/*
 * test_https_proxy.c - HTTPS proxies, the same on every provider, through
 * squid's https_port on loopback (squid.c): TLS to the proxy, verified
 * with the proxy's own trust settings, then CONNECT over it and the
 * origin's TLS inside (TLS in TLS) over HTTP/1.1 and h2, http:// in
 * absolute form over the proxy's TLS, one proxy connection for two
 * requests, an untrusted proxy certificate (60, naming the proxy) and
 * --proxy-insecure, the origin still verified by its own settings alone,
 * the CLI's options and -v lines, and Debian's curl beside httpr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/conformance/squid.h"
#include "tests/conformance/suite.h"

static const struct squid_proxy *squid(void) {
  const struct squid_proxy *s = squid_shared();
  if (!s)
    fail_msg("squid did not start (is the squid package installed?)");
  return s;
}

/* "https://HOST:PORT" of squid's https_port. Static storage. */
static const char *tls_proxy_url(const char *host) {
  static char url[96];
  snprintf(url, sizeof(url), "https://%s:%d", host, squid()->tls_port);
  return url;
}

/* A config through the HTTPS proxy, trusting the test root for it. */
static httpr_config *cfg_tls_proxy(void) {
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_proxy(cfg, tls_proxy_url("localhost")),
              HTTPR_OK);
  assert_code(httpr_config_set_proxy_ca_file(cfg, pki("root-ca.pem")),
              HTTPR_OK);
  return cfg;
}

/* squid's CONNECTs to p's server once earlier ones are logged, and once
 * want of them are. */
static const char *connect_line(enum profile p) {
  static char needle[64];
  snprintf(needle, sizeof(needle), "CONNECT localhost:%d ", server_port(p));
  return needle;
}

/* ---- TLS in TLS ---------------------------------------------------------- */

static void https_in_tls_http11(void **state) {
  (void)state;
  httpr_config *cfg = cfg_tls_proxy();
  int before = squid_log_settled(squid(), connect_line(SRV_GOOD_ECDSA));
  httpr_response *resp =
      expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_OK, NULL);
  assert_int_equal(httpr_response_status(resp), 200);
  assert_int_equal(httpr_response_http_version(resp), HTTPR_HTTP_1_1);
  assert_int_equal(httpr_response_remote_port(resp), squid()->tls_port);
  httpr_response_free(resp);
  assert_int_equal(
      squid_log_await(squid(), connect_line(SRV_GOOD_ECDSA), before + 1),
      before + 1);
  httpr_config_free(cfg);
}

static void https_in_tls_h2(void **state) {
  (void)state;
  httpr_config *cfg = cfg_tls_proxy();
  int before = squid_log_settled(squid(), connect_line(SRV_H2));
  httpr_response *resp =
      expect_get(cfg, url_of(SRV_H2, NULL, "/"), HTTPR_OK, NULL);
  assert_int_equal(httpr_response_status(resp), 200);
  assert_int_equal(httpr_response_http_version(resp), HTTPR_HTTP_2);
  httpr_response_free(resp);
  assert_int_equal(squid_log_await(squid(), connect_line(SRV_H2), before + 1),
                   before + 1);
  httpr_config_free(cfg);
}

/* A body larger than many records of both layers, byte for byte. */
static void large_body_in_tls(void **state) {
  (void)state;
  httpr_config *cfg = cfg_tls_proxy();
  httpr_response *resp = expect_get(
      cfg, url_of(SRV_GOOD_ECDSA, NULL, "/bytes/300000"), HTTPR_OK, NULL);
  size_t len = 0;
  const unsigned char *body = httpr_response_body(resp, &len);
  assert_int_equal(len, 300000);
  for (size_t i = 0; i < len; i++) {
    if (body[i] != (unsigned char)('a' + i % 26))
      fail_msg("byte %zu is %u, not %u", i, body[i], 'a' + (unsigned)(i % 26));
  }
  httpr_response_free(resp);
  httpr_config_free(cfg);
}

static void http_over_proxy_tls(void **state) {
  (void)state;
  httpr_config *cfg = cfg_tls_proxy();
  char needle[80];
  snprintf(needle, sizeof(needle), "GET http://localhost:%d/echo ",
           server_port(SRV_PLAIN));
  int before = squid_log_settled(squid(), needle);
  httpr_response *resp =
      expect_get(cfg, url_of(SRV_PLAIN, NULL, "/echo"), HTTPR_OK, NULL);
  assert_int_equal(httpr_response_status(resp), 200);
  char *body = body_string(resp);
  assert_true(strncmp(body, "GET /echo\n", 10) == 0);
  free(body);
  httpr_response_free(resp);
  assert_int_equal(squid_log_await(squid(), needle, before + 1), before + 1);
  httpr_config_free(cfg);
}

/* Two requests, one TLS connection to the proxy and one CONNECT; the
 * HTTP proxy on the same squid is another proxy, so another connection. */
static void pooled_through_tls_proxy(void **state) {
  (void)state;
  httpr_config *cfg = cfg_tls_proxy();
  httpr_client *client = client_of(cfg);
  int before = squid_log_settled(squid(), connect_line(SRV_GOOD_ECDSA));
  struct kept k[3];
  const char *url = url_of(SRV_GOOD_ECDSA, NULL, "/conn-id");
  assert_code(send_kept(client, "GET", url, NULL, &k[0], NULL), HTTPR_OK);
  assert_code(send_kept(client, "GET", url, NULL, &k[1], NULL), HTTPR_OK);
  assert_int_equal(k[0].reused, 0);
  assert_int_equal(k[1].reused, 1);
  assert_int_equal(k[1].id, k[0].id);
  httpr_client_free(client);
  assert_int_equal(
      squid_log_await(squid(), connect_line(SRV_GOOD_ECDSA), before + 1),
      before + 1);
  httpr_config_free(cfg);
}

/* ---- whose trust --------------------------------------------------------- */

/* The proxy's certificate against another root, or the system's store
 * (which has not the test root): 60's code, the message naming the
 * proxy; the origin's CA file trusts the test root and changes nothing. */
static void untrusted_proxy(void **state) {
  (void)state;
  httpr_config *cfg = cfg_tls_proxy();
  assert_code(httpr_config_set_proxy_ca_file(cfg, pki("other-root-ca.pem")),
              HTTPR_OK);
  const char *want =
      "proxy certificate verify failed: unable to get local issuer "
      "certificate";
  expect_failure(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_E_CERT_UNTRUSTED,
                 want);
  expect_failure(cfg, url_of(SRV_PLAIN, NULL, "/"), HTTPR_E_CERT_UNTRUSTED,
                 want);
  assert_code(httpr_config_set_proxy_ca_file(cfg, NULL), HTTPR_OK);
  expect_failure(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_E_CERT_UNTRUSTED,
                 want);
  /* Verified for the proxy's name: a name its certificate lacks. */
  assert_code(httpr_config_set_proxy_ca_file(cfg, pki("root-ca.pem")),
              HTTPR_OK);
  assert_code(httpr_config_set_proxy(cfg, tls_proxy_url("proxy.test")),
              HTTPR_OK);
  assert_code(httpr_config_add_resolve(cfg, "proxy.test", squid()->tls_port,
                                       "127.0.0.1"),
              HTTPR_OK);
  httpr_error *err = httpr_error_new();
  assert_null(expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"),
                         HTTPR_E_CERT_HOSTNAME, err));
  assert_true(strncmp(httpr_error_message(err), "proxy ", 6) == 0);
  httpr_error_free(err);
  httpr_config_free(cfg);
}

/* Proxy verification off leaves the origin's on: a bad origin
 * certificate still fails, as an origin's (no "proxy "). */
static void proxy_insecure_origin_verified(void **state) {
  (void)state;
  httpr_config *cfg = cfg_tls_proxy();
  assert_code(httpr_config_set_proxy_ca_file(cfg, pki("other-root-ca.pem")),
              HTTPR_OK);
  assert_code(httpr_config_set_proxy_verify(cfg, 0), HTTPR_OK);
  httpr_response *resp =
      expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_OK, NULL);
  assert_int_equal(httpr_response_status(resp), 200);
  httpr_response_free(resp);
  expect_failure(cfg, url_of(SRV_UNTRUSTED, NULL, "/"), HTTPR_E_CERT_UNTRUSTED,
                 "certificate verify failed: self-signed certificate in "
                 "certificate chain");
  httpr_config_free(cfg);
  /* The proxy's CA file is not the origin's: an origin trusted by it
   * alone fails. */
  cfg = cfg_tls_proxy();
  assert_code(httpr_config_set_ca_file(cfg, pki("other-root-ca.pem")),
              HTTPR_OK);
  expect_failure(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_E_CERT_UNTRUSTED,
                 "certificate verify failed: unable to get local issuer "
                 "certificate");
  httpr_config_free(cfg);
}

/* ---- the CLI ------------------------------------------------------------- */

static void cli_https_proxy(void **state) {
  (void)state;
  char err[16384];
  const char *args[] = {"-v",
                        "-sS",
                        "-o",
                        "/dev/null",
                        "--cacert",
                        pki("root-ca.pem"),
                        "--proxy-cacert",
                        pki("root-ca.pem"),
                        "-x",
                        tls_proxy_url("localhost"),
                        "--tls-provider",
                        g_suite.provider,
                        url_of(SRV_GOOD_ECDSA, NULL, "/"),
                        NULL};
  int rc = run_cli(args, NULL, NULL, err, sizeof(err));
  if (rc != 0)
    fail_msg("exit %d: %s", rc, err);
  assert_non_null(strstr(err, "* TLS connection to the proxy using TLSv1."));
  assert_non_null(strstr(err, "* Proxy certificate subject: CN=localhost; "
                              "issuer: CN=httpr test root\n"));
  assert_non_null(strstr(err, "* Server certificate subject: CN=localhost; "
                              "issuer: CN=httpr test intermediate\n"));
  /* No --proxy-cacert: the system's store, which has not the test root. */
  const char *plain[] = {"-x", tls_proxy_url("localhost"), NULL};
  expect_fetch_cli(SRV_GOOD_ECDSA, plain, NULL, NULL, 60,
                   "httpr: (60) proxy certificate verify failed: unable to "
                   "get local issuer certificate");
  const char *insecure[] = {"-x", tls_proxy_url("localhost"),
                            "--proxy-insecure", NULL};
  expect_fetch_cli(SRV_GOOD_ECDSA, insecure, NULL, NULL, 0, "");
  /* --proxy-insecure is not -k: the origin is still verified. */
  expect_fetch_cli(SRV_UNTRUSTED, insecure, NULL, NULL, 60,
                   "httpr: (60) certificate verify failed: self-signed "
                   "certificate in certificate chain");
  const char *missing[] = {"-x", tls_proxy_url("localhost"), "--proxy-cacert",
                           "/nonexistent/ca.pem", NULL};
  expect_fetch_cli(SRV_GOOD_ECDSA, missing, NULL, NULL, 77,
                   "httpr: (77) proxy CA file '/nonexistent/ca.pem' (from "
                   "config) cannot be read: No such file or directory");
  /* The variable alone. */
  expect_fetch_cli(SRV_GOOD_ECDSA, insecure + 2, "HTTPS_PROXY",
                   tls_proxy_url("localhost"), 0, "");
}

/* Whole contents of path (at most cap - 1 bytes) into out. */
static void read_text(const char *path, char *out, size_t cap) {
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  size_t n = fread(out, 1, cap - 1, f);
  out[n] = '\0';
  fclose(f);
}

/* curl and httpr with the same options: the same exit code and body. */
static void as_curl(const char *const opts[], const char *url, int want_exit) {
  const char *curl = "/usr/bin/curl";
  if (access(curl, X_OK) != 0)
    fail_msg("%s is missing (tools/install-deps.sh installs curl)", curl);
  const char *curl_args[12] = {"-sS", "--cacert", pki("root-ca.pem")};
  const char *httpr_args[14] = {"-sS", "--cacert", pki("root-ca.pem"),
                                "--tls-provider", g_suite.provider};
  size_t nc = 3, nh = 5;
  for (size_t i = 0; opts[i]; i++) {
    curl_args[nc++] = opts[i];
    httpr_args[nh++] = opts[i];
  }
  curl_args[nc] = httpr_args[nh] = url;
  char err[4096], body_curl[1024], body_httpr[1024];
  int rc_curl = run_program_to(curl, curl_args, NULL, NULL,
                               tmp_path("curl.out"), err, sizeof(err));
  if (rc_curl != want_exit)
    fail_msg("curl exit %d, not %d: %s", rc_curl, want_exit, err);
  int rc_httpr = run_cli_to(httpr_args, NULL, NULL, tmp_path("httpr.out"), err,
                            sizeof(err));
  if (rc_httpr != rc_curl)
    fail_msg("httpr exit %d, curl's %d: %s", rc_httpr, rc_curl, err);
  read_text(tmp_path("curl.out"), body_curl, sizeof(body_curl));
  read_text(tmp_path("httpr.out"), body_httpr, sizeof(body_httpr));
  assert_string_equal(body_httpr, body_curl);
}

static void beside_curl(void **state) {
  (void)state;
  char proxy[96], root[512], other[512]; /* pki()'s storage rotates */
  snprintf(proxy, sizeof(proxy), "%s", tls_proxy_url("localhost"));
  snprintf(root, sizeof(root), "%s", pki("root-ca.pem"));
  snprintf(other, sizeof(other), "%s", pki("other-root-ca.pem"));
  const char *trusted[] = {"-x", proxy, "--proxy-cacert", root, NULL};
  as_curl(trusted, url_of(SRV_GOOD_ECDSA, NULL, "/"), 0);
  as_curl(trusted, url_of(SRV_PLAIN, NULL, "/"), 0);
  const char *untrusted[] = {"-x", proxy, "--proxy-cacert", other, NULL};
  as_curl(untrusted, url_of(SRV_GOOD_ECDSA, NULL, "/"), 60);
  const char *insecure[] = {"-x", proxy, "--proxy-insecure", NULL};
  as_curl(insecure, url_of(SRV_GOOD_ECDSA, NULL, "/"), 0);
}

/* ---- settings ------------------------------------------------------------ */

static void https_proxy_settings(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_proxy_ca_file(cfg, "a\r\nb"), HTTPR_E_INVALID);
  assert_code(httpr_config_set_proxy_ca_file(NULL, "a"), HTTPR_E_INVALID);
  assert_code(httpr_config_set_proxy_verify(NULL, 0), HTTPR_E_INVALID);
  assert_code(httpr_config_set_proxy(cfg, tls_proxy_url("localhost")),
              HTTPR_OK);
  assert_code(httpr_config_set_proxy_ca_file(cfg, "/nonexistent/ca.pem"),
              HTTPR_OK);
  httpr_error *err = httpr_error_new();
  assert_null(
      expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_E_CA_FILE, err));
  assert_string_equal(httpr_error_message(err),
                      "proxy CA file '/nonexistent/ca.pem' (from config) "
                      "cannot be read: No such file or directory");
  /* A CA file of no certificate. */
  assert_code(httpr_config_set_proxy_ca_file(cfg, pki("not-a-cert.pem")),
              HTTPR_OK);
  assert_null(
      expect_get(cfg, url_of(SRV_PLAIN, NULL, "/"), HTTPR_E_CA_FILE, err));
  httpr_error_free(err);
  httpr_config_free(cfg);
}

const struct CMUnitTest https_proxy_tests[] = {
    cmocka_unit_test_setup(https_in_tls_http11, env_clean),
    cmocka_unit_test_setup(https_in_tls_h2, env_clean),
    cmocka_unit_test_setup(large_body_in_tls, env_clean),
    cmocka_unit_test_setup(http_over_proxy_tls, env_clean),
    cmocka_unit_test_setup(pooled_through_tls_proxy, env_clean),
    cmocka_unit_test_setup(untrusted_proxy, env_clean),
    cmocka_unit_test_setup(proxy_insecure_origin_verified, env_clean),
    cmocka_unit_test_setup(cli_https_proxy, env_clean),
    cmocka_unit_test_setup(beside_curl, env_clean),
    cmocka_unit_test_setup(https_proxy_settings, env_clean),
};
const size_t https_proxy_tests_count =
    sizeof(https_proxy_tests) / sizeof(https_proxy_tests[0]);
