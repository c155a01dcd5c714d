/* SPDX-License-Identifier: MIT */
/*
 * test_socks.c - SOCKS5 proxies, the same on every provider, through a
 * danted from Debian on loopback (dante.c): https:// (HTTP/1.1 and h2)
 * and http:// (in origin form: SOCKS is a TCP tunnel) through socks5h://
 * (the name goes to the proxy) and socks5:// (resolved here: by the
 * resolver, a pin of the origin, the address family setting); one
 * SOCKS connection for two requests, apart from a direct one; ALL_PROXY
 * and HTTPS_PROXY alone; the CLI's -x, --socks5, --socks5-hostname and
 * their precedence, and what -v says; danted's refusals (a closed port,
 * a port its rules block, a user name it wants) as exit 97 with the
 * codec's message; an unreachable, an unresolvable and a silent proxy,
 * an unresolvable origin; Debian's curl beside httpr.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/conformance/dante.h"
#include "tests/conformance/suite.h"

/* danted blocks CONNECTs to this port on 127.0.0.1 by a rule; nothing
 * needs to listen there. Port 1 is closed: danted's connect is refused. */
#define BLOCKED_PORT 9
#define CLOSED_PORT 1

/* The open danted (no authentication) and one wanting a user name. */
static struct dante g_open, g_auth;

static const struct dante *dante_of(struct dante *d, const char *method) {
  struct dante_options opt = {.socksmethod = method,
                              .blocked_port = BLOCKED_PORT};
  if (!d->pid && dante_start(d, &opt) != 0)
    fail_msg("danted did not start (is the dante-server package "
             "installed?)");
  return d;
}

static int open_port(void) { return dante_of(&g_open, "none")->port; }
static int auth_port(void) { return dante_of(&g_auth, "username")->port; }

void socks_servers_stop(void) {
  dante_stop(&g_open);
  dante_stop(&g_auth);
}

/* "SCHEME://[CREDENTIALS@]127.0.0.1:PORT". Rotating static storage. */
static const char *socks_url(const char *scheme, int port,
                             const char *credentials) {
  static char bufs[4][128];
  static int next;
  char *b = bufs[next++ % 4];
  snprintf(b, 128, "%s://%s%s127.0.0.1:%d", scheme,
           credentials ? credentials : "", credentials ? "@" : "", port);
  return b;
}

static httpr_config *cfg_proxy(const char *url) {
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_proxy(cfg, url), HTTPR_OK);
  return cfg;
}

/* The debug text of a request, for its SOCKS5 lines. */
struct debug_text {
  char text[4096];
  size_t len;
};

static void keep_text(httpr_debug_kind kind, const char *data, size_t len,
                      void *userdata) {
  struct debug_text *d = userdata;
  if (kind != HTTPR_DEBUG_INFO || d->len + len + 2 > sizeof(d->text))
    return;
  memcpy(d->text + d->len, data, len);
  d->len += len;
  d->text[d->len++] = '\n';
  d->text[d->len] = '\0';
}

/* A GET of url through proxy must answer 200 with that HTTP version,
 * connected to the proxy, and say `line` among its debug lines. */
static void expect_through(httpr_config *cfg, const char *url, int version,
                           int proxy_port, const char *line) {
  struct debug_text d = {.len = 0};
  assert_code(httpr_config_set_debug_callback(cfg, keep_text, &d), HTTPR_OK);
  httpr_response *resp = expect_get(cfg, url, HTTPR_OK, NULL);
  assert_int_equal(httpr_response_status(resp), 200);
  assert_int_equal(httpr_response_http_version(resp), version);
  assert_int_equal(httpr_response_remote_port(resp), proxy_port);
  httpr_response_free(resp);
  if (!strstr(d.text, line) || !strstr(d.text, "SOCKS5 request granted\n"))
    fail_msg("no '%s' and grant in the debug lines:\n%s", line, d.text);
  assert_code(httpr_config_set_debug_callback(cfg, NULL, NULL), HTTPR_OK);
}

/* "SOCKS5 connect to localhost:PORT (remotely resolved)" of p's server. */
static const char *remote_line(enum profile p) {
  static char line[96];
  snprintf(line, sizeof(line),
           "SOCKS5 connect to localhost:%d (remotely resolved)\n",
           server_port(p));
  return line;
}

/* The same, by address: "SOCKS5 connect to IPv4 127.0.0.1:PORT ...". */
static const char *local_line(enum profile p) {
  static char line[96];
  snprintf(line, sizeof(line),
           "SOCKS5 connect to IPv4 127.0.0.1:%d (locally resolved)\n",
           server_port(p));
  return line;
}

/* ---- through danted ------------------------------------------------------ */

static void https_through_socks5h(void **state) {
  (void)state;
  httpr_config *cfg = cfg_proxy(socks_url("socks5h", open_port(), NULL));
  expect_through(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_HTTP_1_1,
                 open_port(), remote_line(SRV_GOOD_ECDSA));
  expect_through(cfg, url_of(SRV_H2, NULL, "/"), HTTPR_HTTP_2, open_port(),
                 remote_line(SRV_H2));
  httpr_config_free(cfg);
}

/* socks5://: the name is resolved here. "localhost" may have ::1 first,
 * which danted (connecting from 127.0.0.1 only) cannot reach, so the
 * IPv4 setting chooses; a pin of ::1 before 127.0.0.1 shows that the
 * setting picks from the pins too (without it, ::1 would be sent). */
static void https_through_socks5(void **state) {
  (void)state;
  httpr_config *cfg = cfg_proxy(socks_url("socks5", open_port(), NULL));
  assert_code(httpr_config_set_address_family(cfg, HTTPR_FAMILY_IPV4),
              HTTPR_OK);
  expect_through(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_HTTP_1_1,
                 open_port(), local_line(SRV_GOOD_ECDSA));
  expect_through(cfg, url_of(SRV_H2, NULL, "/"), HTTPR_HTTP_2, open_port(),
                 local_line(SRV_H2));
  assert_code(httpr_config_add_resolve(cfg, "localhost",
                                       server_port(SRV_GOOD_ECDSA),
                                       "::1,127.0.0.1"),
              HTTPR_OK);
  expect_through(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_HTTP_1_1,
                 open_port(), local_line(SRV_GOOD_ECDSA));
  httpr_config_free(cfg);
  /* Without the setting the pin's first address goes to the proxy. */
  cfg = cfg_proxy(socks_url("socks5", open_port(), NULL));
  assert_code(httpr_config_add_resolve(cfg, "localhost",
                                       server_port(SRV_GOOD_ECDSA),
                                       "127.0.0.1,::1"),
              HTTPR_OK);
  expect_through(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_HTTP_1_1,
                 open_port(), local_line(SRV_GOOD_ECDSA));
  httpr_config_free(cfg);
}

/* http:// through SOCKS goes in origin form: the server sees "GET /echo"
 * (through an HTTP proxy it would be sent the absolute URL). */
static void http_in_origin_form(void **state) {
  (void)state;
  static const char *const schemes[] = {"socks5h", "socks5"};
  for (size_t i = 0; i < 2; i++) {
    httpr_config *cfg = cfg_proxy(socks_url(schemes[i], open_port(), NULL));
    assert_code(httpr_config_set_address_family(cfg, HTTPR_FAMILY_IPV4),
                HTTPR_OK);
    httpr_response *resp =
        expect_get(cfg, url_of(SRV_PLAIN, NULL, "/echo"), HTTPR_OK, NULL);
    assert_int_equal(httpr_response_status(resp), 200);
    assert_int_equal(httpr_response_remote_port(resp), open_port());
    char *body = body_string(resp);
    if (strncmp(body, "GET /echo\n", 10) != 0)
      fail_msg("through %s the server saw: %.80s", schemes[i], body);
    free(body);
    httpr_response_free(resp);
    httpr_config_free(cfg);
  }
}

/* Two requests, one SOCKS connection; the same origin reached directly
 * (no-proxy for its address) gets its own, and the proxied one is still
 * there after. */
static void pooled_by_proxy_and_origin(void **state) {
  (void)state;
  httpr_config *cfg = cfg_proxy(socks_url("socks5h", open_port(), NULL));
  expect_pooled_by_proxy(cfg, SRV_GOOD_ECDSA);
  httpr_config_free(cfg);
}

/* ---- the variables and the CLI ------------------------------------------- */

/* ALL_PROXY alone, for a client that reads the variables; HTTPS_PROXY
 * with credentials danted does not need (it picks "none"); http_proxy. */
static void variables_alone(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_proxy_from_environment(cfg, 1), HTTPR_OK);
  setenv("ALL_PROXY", socks_url("socks5h", open_port(), NULL), 1);
  expect_through(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_HTTP_1_1,
                 open_port(), remote_line(SRV_GOOD_ECDSA));
  expect_through(cfg, url_of(SRV_PLAIN, NULL, "/"), HTTPR_HTTP_1_1, open_port(),
                 remote_line(SRV_PLAIN));
  env_reset();
  setenv("HTTPS_PROXY", socks_url("socks5h", open_port(), "u:p"), 1);
  expect_through(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_HTTP_1_1,
                 open_port(), remote_line(SRV_GOOD_ECDSA));
  env_reset();
  setenv("http_proxy", socks_url("socks5h", open_port(), NULL), 1);
  expect_through(cfg, url_of(SRV_PLAIN, NULL, "/"), HTTPR_HTTP_1_1,
                 open_port(), remote_line(SRV_PLAIN));
  env_reset();
  httpr_config_free(cfg);
}

/* The CLI's ways to name a SOCKS5 proxy; -v says what was asked. */
static void cli_options(void **state) {
  (void)state;
  char err[8192], connected[96];
  snprintf(connected, sizeof(connected),
           "* Connected to 127.0.0.1 (127.0.0.1) port %d\n", open_port());
  char proxy[64], pin[64];
  snprintf(proxy, sizeof(proxy), "127.0.0.1:%d", open_port());
  snprintf(pin, sizeof(pin), "localhost:%d:127.0.0.1",
           server_port(SRV_GOOD_ECDSA));
  const char *url = url_of(SRV_GOOD_ECDSA, NULL, "/");
  const struct {
    const char *env_name, *env_value;
    const char *args[5]; /* before the URL */
    const char *line;
  } runs[] = {
      {"ALL_PROXY",
       socks_url("socks5h", open_port(), NULL),
       {NULL},
       remote_line(SRV_GOOD_ECDSA)},
      {NULL,
       NULL,
       {"-x", socks_url("socks5h", open_port(), NULL), NULL},
       remote_line(SRV_GOOD_ECDSA)},
      {NULL,
       NULL,
       {"--socks5-hostname", proxy, NULL},
       remote_line(SRV_GOOD_ECDSA)},
      /* resolved here, through the pin */
      {NULL,
       NULL,
       {"--socks5", proxy, "--resolve", pin, NULL},
       local_line(SRV_GOOD_ECDSA)},
      /* the last of -x and the SOCKS options wins (-x: nobody listens) */
      {NULL,
       NULL,
       {"-x", "http://127.0.0.1:1", "--socks5-hostname", proxy, NULL},
       remote_line(SRV_GOOD_ECDSA)},
  };
  for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
    const char *args[16] = {"-v",
                            "-o",
                            "/dev/null",
                            "--cacert",
                            pki("root-ca.pem"),
                            "--tls-provider",
                            g_suite.provider};
    size_t n = 7;
    for (size_t a = 0; runs[i].args[a]; a++)
      args[n++] = runs[i].args[a];
    args[n++] = url;
    args[n] = NULL;
    int rc =
        run_cli(args, runs[i].env_name, runs[i].env_value, err, sizeof(err));
    if (rc != 0 || !strstr(err, connected) || !strstr(err, runs[i].line) ||
        !strstr(err, "* SOCKS5 request granted\n"))
      fail_msg("run %zu: exit %d, no '%s' or '%s':\n%s", i, rc, connected,
               runs[i].line, err);
  }
  /* --socks5-hostname before -x: -x wins, and nobody listens there. */
  const char *x_last[] = {"--socks5-hostname",  proxy, "-x",
                          "http://127.0.0.1:1", url,   NULL};
  expect_cli(x_last, NULL, NULL, 7,
             "httpr: (7) failed to connect to proxy 127.0.0.1 port 1: "
             "Connection refused");
}

/* ---- refusals ------------------------------------------------------------ */

/* A GET of url through proxy fails with want and message. */
static void expect_refused(const char *proxy, const char *url, httpr_code want,
                           const char *message) {
  httpr_config *cfg = cfg_proxy(proxy);
  httpr_error *err = httpr_error_new();
  assert_null(expect_get(cfg, url, want, err));
  assert_string_equal(httpr_error_message(err), message);
  httpr_error_free(err);
  httpr_config_free(cfg);
}

static void danted_refuses(void **state) {
  (void)state;
  char url[96], message[160];
  /* danted's connect to a closed port is refused (reply 5) */
  snprintf(url, sizeof(url), "https://127.0.0.1:%d/", CLOSED_PORT);
  snprintf(message, sizeof(message),
           "Can't complete SOCKS5 connection to 127.0.0.1:%d: connection "
           "refused (5)",
           CLOSED_PORT);
  expect_refused(socks_url("socks5", open_port(), NULL), url, HTTPR_E_PROXY,
                 message);
  /* its rules block BLOCKED_PORT (reply 2) */
  snprintf(url, sizeof(url), "http://127.0.0.1:%d/", BLOCKED_PORT);
  snprintf(message, sizeof(message),
           "Can't complete SOCKS5 connection to 127.0.0.1:%d: connection "
           "not allowed by ruleset (2)",
           BLOCKED_PORT);
  expect_refused(socks_url("socks5h", open_port(), NULL), url, HTTPR_E_PROXY,
                 message);
  const char *blocked[] = {"-x", socks_url("socks5", open_port(), NULL), url,
                           NULL};
  char line[200];
  snprintf(line, sizeof(line), "httpr: (97) %s", message);
  expect_cli(blocked, NULL, NULL, 97, line);
  /* a danted wanting a user name, asked without one */
  expect_refused(socks_url("socks5h", auth_port(), NULL),
                 url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_E_PROXY,
                 "SOCKS5 proxy accepted none of the offered authentication "
                 "methods (none; it may want a user name and password)");
  char auth[64];
  snprintf(auth, sizeof(auth), "127.0.0.1:%d", auth_port());
  const char *no_user[] = {"--socks5-hostname", auth,
                           url_of(SRV_GOOD_ECDSA, NULL, "/"), NULL};
  expect_cli(no_user, NULL, NULL, 97,
             "httpr: (97) SOCKS5 proxy accepted none of the offered "
             "authentication methods (none; it may want a user name and "
             "password)");
}

/* Credentials from the URL, the setting and -U reach danted (RFC 1929),
 * which checks them against the system's users and refuses these. */
static void credentials_sent(void **state) {
  (void)state;
  const char *rejected =
      "SOCKS5 proxy rejected the user name and password (status 1)";
  expect_refused(socks_url("socks5h", auth_port(), "nobody-here:pw%40x"),
                 url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_E_PROXY, rejected);
  httpr_config *cfg = cfg_proxy(socks_url("socks5h", auth_port(), NULL));
  assert_code(httpr_config_set_proxy_credentials(cfg, "nobody-here:pw"),
              HTTPR_OK);
  httpr_error *err = httpr_error_new();
  assert_null(
      expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_E_PROXY, err));
  assert_string_equal(httpr_error_message(err), rejected);
  httpr_error_free(err);
  httpr_config_free(cfg);
  char line[128];
  snprintf(line, sizeof(line), "httpr: (97) %s", rejected);
  const char *with_user[] = {"-x",
                             socks_url("socks5h", auth_port(), NULL),
                             "-U",
                             "nobody-here:pw",
                             url_of(SRV_PLAIN, NULL, "/"),
                             NULL};
  expect_cli(with_user, NULL, NULL, 97, line);
}

/* ---- unreachable and unresolvable ---------------------------------------- */

static void unreachable_and_unresolvable(void **state) {
  (void)state;
  expect_refused("socks5h://127.0.0.1:1", url_of(SRV_GOOD_ECDSA, NULL, "/"),
                 HTTPR_E_CONNECT,
                 "failed to connect to proxy 127.0.0.1 port 1: Connection "
                 "refused");
  const char *args[] = {"--socks5", "127.0.0.1:1", url_of(SRV_PLAIN, NULL, "/"),
                        NULL};
  expect_cli(args, NULL, NULL, 7,
             "httpr: (7) failed to connect to proxy 127.0.0.1 port 1: "
             "Connection refused");
  /* .invalid never resolves (RFC 6761) */
  expect_refused("socks5://proxy.invalid", url_of(SRV_GOOD_ECDSA, NULL, "/"),
                 HTTPR_E_RESOLVE_PROXY,
                 "could not resolve proxy: proxy.invalid");
  const char *named[] = {"--socks5-hostname", "proxy.invalid",
                         url_of(SRV_PLAIN, NULL, "/"), NULL};
  expect_cli(named, NULL, NULL, 5,
             "httpr: (5) could not resolve proxy: proxy.invalid");
  /* socks5://: the origin's name is resolved here, and fails as it would
   * without a proxy; socks5h:// hands it to danted, which fails it. */
  expect_refused(socks_url("socks5", open_port(), NULL),
                 "https://origin.invalid/", HTTPR_E_RESOLVE,
                 "could not resolve host: origin.invalid");
  const char *origin[] = {"-x", socks_url("socks5", open_port(), NULL),
                          "http://origin.invalid/", NULL};
  expect_cli(origin, NULL, NULL, 6,
             "httpr: (6) could not resolve host: origin.invalid");
  /* a pin of the other family only: nothing to send */
  httpr_config *cfg = cfg_proxy(socks_url("socks5", open_port(), NULL));
  assert_code(httpr_config_add_resolve(cfg, "localhost",
                                       server_port(SRV_GOOD_ECDSA), "::1"),
              HTTPR_OK);
  assert_code(httpr_config_set_address_family(cfg, HTTPR_FAMILY_IPV4),
              HTTPR_OK);
  httpr_error *err = httpr_error_new();
  assert_null(
      expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_E_RESOLVE, err));
  assert_string_equal(httpr_error_message(err),
                      "could not resolve host: localhost");
  assert_string_equal(httpr_error_detail(err),
                      "no IPv4 address among the 1 found");
  httpr_error_free(err);
  httpr_config_free(cfg);
}

/* A proxy that takes the connection (the kernel's backlog) and never
 * answers the greeting: the connect timeout ends the negotiation. */
static void silent_proxy(void **state) {
  (void)state;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t alen = sizeof(a);
  assert_true(fd >= 0);
  assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
  assert_int_equal(listen(fd, 1), 0);
  assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
  httpr_config *cfg = cfg_proxy(socks_url("socks5h", ntohs(a.sin_port), NULL));
  assert_code(httpr_config_set_connect_timeout_ms(cfg, 300), HTTPR_OK);
  httpr_error *err = httpr_error_new();
  assert_null(
      expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_E_TIMEOUT, err));
  assert_string_equal(httpr_error_message(err),
                      "SOCKS5 proxy negotiation timed out after 300 "
                      "milliseconds");
  httpr_error_free(err);
  httpr_config_free(cfg);
  close(fd);
}

/* ---- beside curl --------------------------------------------------------- */

static void beside_curl(void **state) {
  (void)state;
  char proxy[64];
  snprintf(proxy, sizeof(proxy), "127.0.0.1:%d", open_port());
  const char *by_name[] = {"--socks5-hostname", proxy,
                           url_of(SRV_GOOD_ECDSA, NULL, "/"), NULL};
  expect_as_curl(by_name, NULL, NULL, 0);
  const char *plain[] = {url_of(SRV_PLAIN, NULL, "/"), NULL};
  expect_as_curl(plain, "ALL_PROXY", socks_url("socks5h", open_port(), NULL),
                 0);
  char blocked[64];
  snprintf(blocked, sizeof(blocked), "http://127.0.0.1:%d/", BLOCKED_PORT);
  const char *refused[] = {"-x", socks_url("socks5", open_port(), NULL),
                           blocked, NULL};
  expect_as_curl(refused, NULL, NULL, 97);
}

/* ---- settings ------------------------------------------------------------ */

static void socks_settings(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_proxy(cfg, "socks5://127.0.0.1:1080"), HTTPR_OK);
  assert_code(httpr_config_set_proxy(cfg, "SOCKS5H://u:p@[::1]"), HTTPR_OK);
  assert_code(httpr_config_set_proxy(cfg, "socks5h://h:1080\r\n"), HTTPR_E_URL);
  assert_code(httpr_config_set_proxy(cfg, "socks5h://h:1080/x"), HTTPR_E_URL);
  assert_code(httpr_config_set_proxy(cfg, "socks4://h:1080"),
              HTTPR_E_UNSUPPORTED_PROTOCOL);
  httpr_config_free(cfg);
}

const struct CMUnitTest socks_tests[] = {
    cmocka_unit_test_setup(https_through_socks5h, env_clean),
    cmocka_unit_test_setup(https_through_socks5, env_clean),
    cmocka_unit_test_setup(http_in_origin_form, env_clean),
    cmocka_unit_test_setup(pooled_by_proxy_and_origin, env_clean),
    cmocka_unit_test_setup(variables_alone, env_clean),
    cmocka_unit_test_setup(cli_options, env_clean),
    cmocka_unit_test_setup(danted_refuses, env_clean),
    cmocka_unit_test_setup(credentials_sent, env_clean),
    cmocka_unit_test_setup(unreachable_and_unresolvable, env_clean),
    cmocka_unit_test_setup(silent_proxy, env_clean),
    cmocka_unit_test_setup(beside_curl, env_clean),
    cmocka_unit_test_setup(socks_settings, env_clean),
};
const size_t socks_tests_count = sizeof(socks_tests) / sizeof(socks_tests[0]);
