/* SPDX-License-Identifier: MIT */
/*
 * test_proxy.c - HTTP proxies, the same on every provider, through a
 * squid from Debian on loopback (squid.c): https:// through CONNECT
 * (HTTP/1.1 and h2 with the origin), http:// in absolute form, one
 * proxy connection for two requests, the proxy variables alone and
 * against a configured proxy, NO_PROXY and its -v explanation, Basic
 * credentials (in the URL, -U, none: 407), a refused CONNECT (403);
 * and, against a fake proxy of this file, one that closes the tunnel,
 * answers garbage or too much; an unreachable or unresolvable proxy;
 * and Debian's curl beside httpr with the same -x.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/conformance/squid.h"
#include "tests/conformance/suite.h"

/* CONNECT to this port is refused by squid's acl (403); nothing needs to
 * listen there. */
#define REFUSED_PORT SQUID_REFUSED_PORT

static const struct squid_proxy *squid(void) {
  const struct squid_proxy *s = squid_shared();
  if (!s)
    fail_msg("squid did not start (is the squid package installed?)");
  return s;
}

void proxy_servers_stop(void) { squid_shared_stop(); }

/* "http://[CREDENTIALS@]127.0.0.1:PORT" of squid's open or auth port.
 * Rotating static storage. */
static const char *proxy_url(int auth, const char *credentials) {
  static char bufs[4][128];
  static int next;
  char *b = bufs[next++ % 4];
  const struct squid_proxy *s = squid();
  snprintf(b, 128, "http://%s%s127.0.0.1:%d", credentials ? credentials : "",
           credentials ? "@" : "", auth ? s->auth_port : s->open_port);
  return b;
}

/* The needle of squid's log lines for CONNECTs to profile p's server. */
static const char *connect_line(enum profile p) {
  static char needle[64];
  snprintf(needle, sizeof(needle), "CONNECT localhost:%d ", server_port(p));
  return needle;
}

/* squid's CONNECTs to p's server so far, once earlier ones are logged. */
static int connects_before(enum profile p) {
  return squid_log_settled(squid(), connect_line(p));
}

/* squid's CONNECTs to p's server once want of them are logged (or the
 * wait ended). */
static int connects_now(enum profile p, int want) {
  return squid_log_await(squid(), connect_line(p), want);
}

static httpr_config *cfg_proxy(const char *url) {
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_proxy(cfg, url), HTTPR_OK);
  return cfg;
}

/* ---- through squid ------------------------------------------------------- */

static void https_through_connect(void **state) {
  (void)state;
  httpr_config *cfg = cfg_proxy(proxy_url(0, NULL));
  int before = connects_before(SRV_GOOD_ECDSA);
  httpr_response *resp =
      expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_OK, NULL);
  assert_int_equal(httpr_response_status(resp), 200);
  assert_int_equal(httpr_response_http_version(resp), HTTPR_HTTP_1_1);
  assert_int_equal(httpr_response_remote_port(resp), squid()->open_port);
  httpr_response_free(resp);
  assert_int_equal(connects_now(SRV_GOOD_ECDSA, before + 1), before + 1);
  httpr_config_free(cfg);
}

static void h2_through_connect(void **state) {
  (void)state;
  httpr_config *cfg = cfg_proxy(proxy_url(0, NULL));
  int before = connects_before(SRV_H2);
  httpr_response *resp =
      expect_get(cfg, url_of(SRV_H2, NULL, "/"), HTTPR_OK, NULL);
  assert_int_equal(httpr_response_status(resp), 200);
  assert_int_equal(httpr_response_http_version(resp), HTTPR_HTTP_2);
  httpr_response_free(resp);
  assert_int_equal(connects_now(SRV_H2, before + 1), before + 1);
  httpr_config_free(cfg);
}

static void http_absolute_form(void **state) {
  (void)state;
  httpr_config *cfg = cfg_proxy(proxy_url(0, NULL));
  char needle[80];
  snprintf(needle, sizeof(needle), "GET http://localhost:%d/echo ",
           server_port(SRV_PLAIN));
  int before = squid_log_settled(squid(), needle);
  httpr_response *resp =
      expect_get(cfg, url_of(SRV_PLAIN, NULL, "/echo"), HTTPR_OK, NULL);
  assert_int_equal(httpr_response_status(resp), 200);
  char *body = body_string(resp);
  /* squid forwards it in origin form, as a proxy must. */
  assert_true(strncmp(body, "GET /echo\n", 10) == 0);
  free(body);
  httpr_response_free(resp);
  assert_int_equal(squid_log_await(squid(), needle, before + 1), before + 1);
  httpr_config_free(cfg);
}

/* Two requests, one proxy connection (one CONNECT); the same origin
 * reached directly (NO_PROXY for its address) gets a connection of its
 * own, and the proxied one is still there after. */
static void pooled_by_proxy_and_origin(void **state) {
  (void)state;
  httpr_config *cfg = cfg_proxy(proxy_url(0, NULL));
  int before = connects_before(SRV_GOOD_ECDSA);
  expect_pooled_by_proxy(cfg, SRV_GOOD_ECDSA);
  assert_int_equal(connects_now(SRV_GOOD_ECDSA, before + 1), before + 1);
  httpr_config_free(cfg);
}

/* The variable alone, for a client that reads them; a configured proxy
 * wins over it. */
static void https_proxy_variable(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_proxy_from_environment(cfg, 1), HTTPR_OK);
  setenv("HTTPS_PROXY", proxy_url(0, NULL), 1);
  int before = connects_before(SRV_GOOD_ECDSA);
  httpr_response *resp =
      expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_OK, NULL);
  assert_int_equal(httpr_response_remote_port(resp), squid()->open_port);
  httpr_response_free(resp);
  assert_int_equal(connects_now(SRV_GOOD_ECDSA, before + 1), before + 1);
  /* Not read unless asked. */
  httpr_config *plain = cfg_new();
  resp = expect_get(plain, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_OK, NULL);
  assert_int_equal(httpr_response_remote_port(resp),
                   server_port(SRV_GOOD_ECDSA));
  httpr_response_free(resp);
  httpr_config_free(plain);
  /* A configured proxy wins: here, one nobody listens on. */
  setenv("HTTPS_PROXY", "http://127.0.0.1:1", 1);
  assert_code(httpr_config_set_proxy(cfg, proxy_url(0, NULL)), HTTPR_OK);
  resp = expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_OK, NULL);
  httpr_response_free(resp);
  env_reset();
  httpr_config_free(cfg);
}

/* curl's order among the variables, and -x "" over all of them. */
static void variables_precedence(void **state) {
  (void)state;
  char err[8192];
  const char *args[] = {"-v",
                        "--cacert",
                        pki("root-ca.pem"),
                        "--tls-provider",
                        g_suite.provider,
                        url_of(SRV_GOOD_ECDSA, NULL, "/"),
                        NULL};
  char want[128];
  snprintf(want, sizeof(want), "* Connected to 127.0.0.1 (127.0.0.1) port %d\n",
           squid()->open_port);
  /* https_proxy wins over HTTPS_PROXY (here one nobody listens on). */
  setenv("HTTPS_PROXY", "http://127.0.0.1:1", 1);
  assert_int_equal(
      run_cli(args, "https_proxy", proxy_url(0, NULL), err, sizeof(err)), 0);
  assert_non_null(strstr(err, want));
  env_reset();
  /* all_proxy, for a scheme whose own is unset; it wins over ALL_PROXY. */
  setenv("ALL_PROXY", "http://127.0.0.1:1", 1);
  assert_int_equal(
      run_cli(args, "all_proxy", proxy_url(0, NULL), err, sizeof(err)), 0);
  assert_non_null(strstr(err, want));
  env_reset();
  /* -x "": no proxy, whatever the variables say. */
  const char *none[] = {"-v",
                        "--cacert",
                        pki("root-ca.pem"),
                        "--tls-provider",
                        g_suite.provider,
                        "-x",
                        "",
                        url_of(SRV_GOOD_ECDSA, NULL, "/"),
                        NULL};
  assert_int_equal(
      run_cli(none, "HTTPS_PROXY", "http://127.0.0.1:1", err, sizeof(err)), 0);
  assert_null(strstr(err, "CONNECT"));
  assert_non_null(strstr(err, "* HTTPS_PROXY is set but not used: the "
                              "configured proxy wins\n"));
  /* HTTP_PROXY is never used, as curl, and -v says so. */
  const char *plain[] = {"-v", url_of(SRV_PLAIN, NULL, "/"), NULL};
  assert_int_equal(
      run_cli(plain, "HTTP_PROXY", "http://127.0.0.1:1", err, sizeof(err)), 0);
  assert_non_null(strstr(err, "* HTTP_PROXY is set but not used: only the "
                              "lower case http_proxy is read, as curl\n"));
}

/* The CLI reads the variables by default; -v says where it connected. */
static void cli_uses_the_variable(void **state) {
  (void)state;
  char err[8192], want[128];
  const char *args[] = {"-v",
                        "--cacert",
                        pki("root-ca.pem"),
                        "--tls-provider",
                        g_suite.provider,
                        url_of(SRV_GOOD_ECDSA, NULL, "/"),
                        NULL};
  assert_int_equal(
      run_cli(args, "HTTPS_PROXY", proxy_url(0, NULL), err, sizeof(err)), 0);
  snprintf(want, sizeof(want), "* Connected to 127.0.0.1 (127.0.0.1) port %d\n",
           squid()->open_port);
  assert_non_null(strstr(err, want));
  assert_non_null(strstr(err, "* CONNECT tunnel established, response 200\n"));
  /* http_proxy does not apply to https:// URLs, and -v says so. */
  assert_int_equal(
      run_cli(args, "http_proxy", proxy_url(0, NULL), err, sizeof(err)), 0);
  assert_non_null(strstr(err, "* http_proxy is set but not used: it is for "
                              "http:// URLs\n"));
  assert_null(strstr(err, "CONNECT"));
}

static void no_proxy_explained(void **state) {
  (void)state;
  char err[8192];
  const char *args[] = {"-v",
                        "--cacert",
                        pki("root-ca.pem"),
                        "--tls-provider",
                        g_suite.provider,
                        url_of(SRV_GOOD_ECDSA, NULL, "/"),
                        NULL};
  setenv("HTTPS_PROXY", "http://127.0.0.1:1", 1); /* would fail if used */
  int rc =
      run_cli(args, "NO_PROXY", "example.com, .localhost", err, sizeof(err));
  env_reset();
  assert_int_equal(rc, 0);
  assert_non_null(strstr(err, "* NO_PROXY entry '.localhost' matched: not "
                              "using the proxy (HTTPS_PROXY)\n"));
  /* --noproxy wins over NO_PROXY. */
  const char *listed[] = {"-v",
                          "--cacert",
                          pki("root-ca.pem"),
                          "--tls-provider",
                          g_suite.provider,
                          "-x",
                          proxy_url(0, NULL),
                          "--noproxy",
                          "127.0.0.0/8,localhost",
                          url_of(SRV_GOOD_ECDSA, NULL, "/"),
                          NULL};
  assert_int_equal(
      run_cli(listed, "NO_PROXY", "nothing.example", err, sizeof(err)), 0);
  assert_non_null(strstr(err, "* noproxy entry 'localhost' matched: not using "
                              "the proxy (the configured proxy)\n"));
}

/* ---- credentials --------------------------------------------------------- */

static void basic_credentials(void **state) {
  (void)state;
  /* In the URL, percent-encoded as URLs are. */
  httpr_config *cfg = cfg_proxy(proxy_url(1, SQUID_USER ":pw-s3cre%74"));
  httpr_response *resp =
      expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/echo"), HTTPR_OK, NULL);
  char *body = body_string(resp);
  assert_null(strstr(body, "Proxy-Authorization")); /* the proxy's alone */
  free(body);
  httpr_response_free(resp);
  /* Absolute form carries them too. */
  resp = expect_get(cfg, url_of(SRV_PLAIN, NULL, "/"), HTTPR_OK, NULL);
  assert_int_equal(httpr_response_status(resp), 200);
  httpr_response_free(resp);
  httpr_config_free(cfg);
  /* A separate setting replaces the URL's. */
  cfg = cfg_proxy(proxy_url(1, "mallory:nope"));
  assert_code(
      httpr_config_set_proxy_credentials(cfg, SQUID_USER ":" SQUID_PASSWORD),
      HTTPR_OK);
  resp = expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_OK, NULL);
  httpr_response_free(resp);
  httpr_config_free(cfg);
}

static void expect_refused(const char *proxy, enum profile p, const char *path,
                           const char *message) {
  httpr_config *cfg = cfg_proxy(proxy);
  httpr_error *err = httpr_error_new();
  assert_null(
      expect_get(cfg, url_of(p, NULL, path), HTTPR_E_PROXY_CONNECT, err));
  assert_string_equal(httpr_error_message(err), message);
  httpr_error_free(err);
  httpr_config_free(cfg);
}

static void refused_tunnels(void **state) {
  (void)state;
  expect_refused(proxy_url(1, NULL), SRV_GOOD_ECDSA, "/",
                 "CONNECT tunnel failed, response 407");
  expect_refused(proxy_url(1, SQUID_USER ":wrong"), SRV_GOOD_ECDSA, "/",
                 "CONNECT tunnel failed, response 407");
  /* squid's acl refuses CONNECT to REFUSED_PORT. */
  httpr_config *cfg = cfg_proxy(proxy_url(0, NULL));
  httpr_error *err = httpr_error_new();
  char url[64];
  snprintf(url, sizeof(url), "https://localhost:%d/", REFUSED_PORT);
  assert_null(expect_get(cfg, url, HTTPR_E_PROXY_CONNECT, err));
  assert_string_equal(httpr_error_message(err),
                      "CONNECT tunnel failed, response 403");
  assert_string_equal(httpr_error_detail(err),
                      "the proxy answered 'HTTP/1.1 403 Forbidden'");
  httpr_error_free(err);
  httpr_config_free(cfg);
  /* Over http://, the proxy's answer is the response, as curl. */
  cfg = cfg_proxy(proxy_url(1, NULL));
  httpr_response *resp =
      expect_get(cfg, url_of(SRV_PLAIN, NULL, "/"), HTTPR_OK, NULL);
  assert_int_equal(httpr_response_status(resp), 407);
  httpr_response_free(resp);
  httpr_config_free(cfg);
}

static void cli_credentials_and_refusals(void **state) {
  (void)state;
  const char *with_user[] = {"--cacert",
                             pki("root-ca.pem"),
                             "--tls-provider",
                             g_suite.provider,
                             "-x",
                             proxy_url(1, NULL),
                             "-U",
                             SQUID_USER ":" SQUID_PASSWORD,
                             url_of(SRV_GOOD_ECDSA, NULL, "/"),
                             NULL};
  expect_cli(with_user, NULL, NULL, 0, "");
  const char *without[] = {"--cacert",
                           pki("root-ca.pem"),
                           "--tls-provider",
                           g_suite.provider,
                           "-x",
                           proxy_url(1, NULL),
                           url_of(SRV_GOOD_ECDSA, NULL, "/"),
                           NULL};
  expect_cli(without, NULL, NULL, 56,
             "httpr: (56) CONNECT tunnel failed, response 407");
}

/* ---- beside curl -------------------------------------------------------- */

/* curl and httpr with the same -x options and URL: the same exit code and
 * the same body. */
static void as_curl(const char *proxy, const char *url, int want_exit) {
  const char *args[] = {"-x", proxy, url, NULL};
  expect_as_curl(args, NULL, NULL, want_exit);
}

static void beside_curl(void **state) {
  (void)state;
  as_curl(proxy_url(0, NULL), url_of(SRV_GOOD_ECDSA, NULL, "/"), 0);
  as_curl(proxy_url(0, NULL), url_of(SRV_PLAIN, NULL, "/"), 0);
  as_curl(proxy_url(1, NULL), url_of(SRV_GOOD_ECDSA, NULL, "/"), 56);
  as_curl(proxy_url(1, SQUID_USER ":" SQUID_PASSWORD),
          url_of(SRV_GOOD_ECDSA, NULL, "/"), 0);
  as_curl("http://127.0.0.1:1", url_of(SRV_GOOD_ECDSA, NULL, "/"), 7);
}

/* ---- broken proxies ------------------------------------------------------ */

/* A proxy of one connection: reads the request head, answers reply
 * (reply_len bytes) and closes. */
struct fake_proxy {
  int listener;
  int port;
  const char *reply;
  size_t reply_len;
  pthread_t thread;
};

static void *fake_proxy_run(void *arg) {
  struct fake_proxy *f = arg;
  int fd = accept(f->listener, NULL, NULL);
  if (fd < 0)
    return NULL;
  char head[4096];
  size_t used = 0;
  while (used < sizeof(head) - 1) {
    ssize_t n = read(fd, head + used, sizeof(head) - 1 - used);
    if (n <= 0)
      break;
    used += (size_t)n;
    head[used] = '\0';
    if (strstr(head, "\r\n\r\n"))
      break;
  }
  for (size_t sent = 0; sent < f->reply_len;) {
    ssize_t n = write(fd, f->reply + sent, f->reply_len - sent);
    if (n <= 0)
      break;
    sent += (size_t)n;
  }
  close(fd);
  return NULL;
}

static void fake_proxy_start(struct fake_proxy *f, const char *reply,
                             size_t len) {
  f->reply = reply;
  f->reply_len = len;
  f->listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t alen = sizeof(a);
  assert_true(f->listener >= 0);
  assert_int_equal(bind(f->listener, (struct sockaddr *)&a, sizeof(a)), 0);
  assert_int_equal(listen(f->listener, 1), 0);
  assert_int_equal(getsockname(f->listener, (struct sockaddr *)&a, &alen), 0);
  f->port = ntohs(a.sin_port);
  assert_int_equal(pthread_create(&f->thread, NULL, fake_proxy_run, f), 0);
}

static void fake_proxy_stop(struct fake_proxy *f) {
  pthread_join(f->thread, NULL);
  close(f->listener);
}

/* An https:// request through a fake proxy answering reply fails with
 * want and message. */
static void expect_broken(const char *reply, size_t len, httpr_code want,
                          const char *message) {
  struct fake_proxy f;
  fake_proxy_start(&f, reply, len);
  char proxy[64];
  snprintf(proxy, sizeof(proxy), "127.0.0.1:%d", f.port);
  httpr_config *cfg = cfg_proxy(proxy);
  httpr_error *err = httpr_error_new();
  assert_null(expect_get(cfg, "https://localhost:443/", want, err));
  assert_string_equal(httpr_error_message(err), message);
  httpr_error_free(err);
  httpr_config_free(cfg);
  fake_proxy_stop(&f);
}

static void broken_proxies(void **state) {
  (void)state;
  expect_broken("", 0, HTTPR_E_PROXY_CONNECT,
                "the proxy closed the connection before its CONNECT response "
                "ended");
  static const char partial[] = "HTTP/1.1 200 Connection established\r\n";
  expect_broken(partial, sizeof(partial) - 1, HTTPR_E_PROXY_CONNECT,
                "the proxy closed the connection before its CONNECT response "
                "ended");
  static const char garbage[] = "SSH-2.0-OpenSSH_9.2\r\n\r\n";
  expect_broken(garbage, sizeof(garbage) - 1, HTTPR_E_PROTOCOL,
                "malformed CONNECT response status line: "
                "'SSH-2.0-OpenSSH_9.2'");
  /* The tunnel opens, then closes before the origin's TLS said a word:
   * the handshake's one message, on every provider. */
  static const char opened[] = "HTTP/1.1 200 Connection established\r\n\r\n";
  expect_broken(opened, sizeof(opened) - 1, HTTPR_E_TLS_HANDSHAKE,
                "TLS handshake failed: the server closed the connection");
  static const char extra[] = "HTTP/1.1 200 OK\r\n\r\nhello";
  expect_broken(extra, sizeof(extra) - 1, HTTPR_E_PROXY_CONNECT,
                "the proxy sent 5 bytes after its CONNECT response");
  /* A head over the limit (max header bytes, here 1 KiB). */
  static char big[2048];
  memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
  memset(big + 20, 'a', sizeof(big) - 20);
  struct fake_proxy f;
  fake_proxy_start(&f, big, sizeof(big));
  char proxy[64];
  snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d", f.port);
  httpr_config *cfg = cfg_proxy(proxy);
  assert_code(httpr_config_set_max_header_bytes(cfg, 1024), HTTPR_OK);
  httpr_error *err = httpr_error_new();
  assert_null(
      expect_get(cfg, "https://localhost:443/", HTTPR_E_TOO_LARGE, err));
  assert_string_equal(httpr_error_message(err),
                      "CONNECT response head larger than 1024 bytes");
  httpr_error_free(err);
  httpr_config_free(cfg);
  fake_proxy_stop(&f);
}

static void unreachable_proxy(void **state) {
  (void)state;
  httpr_config *cfg = cfg_proxy("http://127.0.0.1:1");
  httpr_error *err = httpr_error_new();
  assert_null(
      expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_E_CONNECT, err));
  assert_string_equal(httpr_error_message(err),
                      "failed to connect to proxy 127.0.0.1 port 1: "
                      "Connection refused");
  httpr_error_free(err);
  httpr_config_free(cfg);
  const char *args[] = {"-x", "127.0.0.1:1", url_of(SRV_PLAIN, NULL, "/"),
                        NULL};
  expect_cli(args, NULL, NULL, 7,
             "httpr: (7) failed to connect to proxy 127.0.0.1 port 1: "
             "Connection refused");
  /* .invalid never resolves (RFC 6761); the connect timeout bounds a
   * slow resolver. */
  cfg = cfg_proxy("http://proxy.invalid:3128");
  assert_code(httpr_config_set_connect_timeout_ms(cfg, test_timeout_ms(5000)),
              HTTPR_OK);
  err = httpr_error_new();
  assert_null(expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"),
                         HTTPR_E_RESOLVE_PROXY, err));
  assert_string_equal(httpr_error_message(err),
                      "could not resolve proxy: proxy.invalid");
  httpr_error_free(err);
  httpr_config_free(cfg);
  const char *named[] = {"-x", "proxy.invalid:3128",
                         url_of(SRV_PLAIN, NULL, "/"), NULL};
  expect_cli(named, NULL, NULL, 5,
             "httpr: (5) could not resolve proxy: proxy.invalid");
}

/* ---- settings ------------------------------------------------------------ */

static void proxy_settings(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_proxy(cfg, "https://127.0.0.1:3128"), HTTPR_OK);
  assert_code(httpr_config_set_proxy(cfg, "socks5h://127.0.0.1:1080"),
              HTTPR_OK);
  assert_code(httpr_config_set_proxy(cfg, NULL), HTTPR_OK); /* unset */
  assert_code(httpr_config_set_proxy(cfg, "socks4://127.0.0.1:1080"),
              HTTPR_E_UNSUPPORTED_PROTOCOL);
  assert_code(httpr_config_set_proxy(cfg, "ftp://127.0.0.1:21"),
              HTTPR_E_UNSUPPORTED_PROTOCOL);
  assert_code(httpr_config_set_proxy(cfg, "http://127.0.0.1:3128/path"),
              HTTPR_E_URL);
  assert_code(httpr_config_set_proxy(cfg, "http://127.0.0.1:3128\r\nX: y"),
              HTTPR_E_URL);
  assert_code(httpr_config_set_proxy(cfg, "http://:3128"), HTTPR_E_URL);
  assert_code(httpr_config_set_proxy(cfg, "http://a:b%zz@host:3128"),
              HTTPR_E_URL);
  assert_code(httpr_config_set_proxy_credentials(cfg, "a:b\r\n"),
              HTTPR_E_INVALID);
  assert_code(httpr_config_set_noproxy(cfg, "a\nb"), HTTPR_E_INVALID);
  assert_code(httpr_config_set_proxy(NULL, "http://h:1"), HTTPR_E_INVALID);
  assert_code(httpr_config_set_proxy_from_environment(NULL, 1),
              HTTPR_E_INVALID);
  assert_code(httpr_config_set_proxy_from_environment(cfg, 1), HTTPR_OK);
  httpr_error *err = httpr_error_new();
  httpr_client *client = NULL;
  /* A variable naming a kind httpr has not, or a malformed one, fails
   * naming the variable. */
  setenv("https_proxy", "socks4://127.0.0.1:1080", 1);
  assert_code(httpr_client_new(&client, cfg, err), HTTPR_E_URL);
  assert_non_null(strstr(httpr_error_message(err), "https_proxy: "));
  setenv("https_proxy", "http://[::1", 1);
  assert_code(httpr_client_new(&client, cfg, err), HTTPR_E_URL);
  assert_non_null(strstr(httpr_error_message(err), "https_proxy: "));
  env_reset();
  httpr_error_free(err);
  httpr_config_free(cfg);
}

const struct CMUnitTest proxy_tests[] = {
    cmocka_unit_test_setup(https_through_connect, env_clean),
    cmocka_unit_test_setup(h2_through_connect, env_clean),
    cmocka_unit_test_setup(http_absolute_form, env_clean),
    cmocka_unit_test_setup(pooled_by_proxy_and_origin, env_clean),
    cmocka_unit_test_setup(https_proxy_variable, env_clean),
    cmocka_unit_test_setup(cli_uses_the_variable, env_clean),
    cmocka_unit_test_setup(variables_precedence, env_clean),
    cmocka_unit_test_setup(no_proxy_explained, env_clean),
    cmocka_unit_test_setup(basic_credentials, env_clean),
    cmocka_unit_test_setup(refused_tunnels, env_clean),
    cmocka_unit_test_setup(cli_credentials_and_refusals, env_clean),
    cmocka_unit_test_setup(beside_curl, env_clean),
    cmocka_unit_test_setup(broken_proxies, env_clean),
    cmocka_unit_test_setup(unreachable_proxy, env_clean),
    cmocka_unit_test_setup(proxy_settings, env_clean),
};
const size_t proxy_tests_count = sizeof(proxy_tests) / sizeof(proxy_tests[0]);
