/* SPDX-License-Identifier: MIT */
/*
 * test_connect_choice.c - choosing how to connect, for every provider:
 * one address family (httpr_config_set_address_family, curl's -4/-6), a
 * local end bound first (httpr_config_set_interface, --interface) and a
 * Unix domain socket instead of TCP (httpr_config_set_unix_socket,
 * --unix-socket), with HTTPS over it verified against the URL's host.
 * "localhost resolving to both families" is a pin ("::1,127.0.0.1"),
 * which takes the path a resolver's answers take, so the tests do not
 * depend on the host's /etc/hosts. The test server's /peer route says
 * which address a connection came from.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/conformance/server.h"
#include "tests/conformance/suite.h"

/* ---- helpers ------------------------------------------------------------- */

/* A config whose "localhost" at p's port has both loopback addresses,
 * IPv6 first as most resolvers answer, limited to family f. */
static httpr_config *dual_stack(enum profile p, httpr_address_family f,
                                struct tries *tries) {
  httpr_config *cfg = cfg_addresses(p, "::1,127.0.0.1", tries);
  assert_code(httpr_config_set_address_family(cfg, f), HTTPR_OK);
  return cfg;
}

/* GETs url with cfg, which must succeed with a body starting with
 * `peer` (the /peer route's "ADDR port "), from remote_ip. */
static void expect_peer(const httpr_config *cfg, const char *url,
                        const char *peer, const char *remote_ip) {
  httpr_response *resp = expect_get(cfg, url, HTTPR_OK, NULL);
  assert_non_null(resp);
  assert_int_equal(httpr_response_status(resp), 200);
  char *body = body_string(resp);
  if (strncmp(body, peer, strlen(peer)) != 0)
    fail_msg("the server saw '%s', want '%s...'", body, peer);
  free(body);
  assert_string_equal(httpr_response_remote_ip(resp), remote_ip);
  httpr_response_free(resp);
}

/* ---- the address family -------------------------------------------------- */

/* IPv4 only: of ::1 and 127.0.0.1, only 127.0.0.1 is tried (without the
 * setting ::1 would go first and be refused). */
static void ipv4_only_tries_ipv4(void **state) {
  (void)state;
  struct tries tries;
  httpr_config *cfg = dual_stack(SRV_GOOD_ECDSA, HTTPR_FAMILY_IPV4, &tries);
  expect_peer(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/peer"), "127.0.0.1 port ",
              "127.0.0.1");
  char want[64];
  snprintf(want, sizeof(want), "Trying 127.0.0.1:%d...;",
           server_port(SRV_GOOD_ECDSA));
  assert_string_equal(tries.text, want);
  httpr_config_free(cfg);
}

/* IPv6 only, the pin's order reversed: only ::1 is tried. */
static void ipv6_only_tries_ipv6(void **state) {
  (void)state;
  struct tries tries;
  httpr_config *cfg = cfg_addresses(SRV_IPV6, "127.0.0.1,::1", &tries);
  assert_code(httpr_config_set_address_family(cfg, HTTPR_FAMILY_IPV6),
              HTTPR_OK);
  expect_peer(cfg, url_of(SRV_IPV6, NULL, "/peer"), "::1 port ", "::1");
  char want[64];
  snprintf(want, sizeof(want), "Trying ::1:%d...;", server_port(SRV_IPV6));
  assert_string_equal(tries.text, want);
  httpr_config_free(cfg);
}

/* The server listens on 127.0.0.1 alone: IPv6 only reaches nothing there
 * (::1 refuses), and 127.0.0.1 is not tried after it. */
static void family_is_not_fallen_back_from(void **state) {
  (void)state;
  struct tries tries;
  httpr_config *cfg = dual_stack(SRV_GOOD_ECDSA, HTTPR_FAMILY_IPV6, &tries);
  char msg[128];
  snprintf(msg, sizeof(msg),
           "failed to connect to localhost port %d: Connection refused",
           server_port(SRV_GOOD_ECDSA));
  expect_failure(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_E_CONNECT, msg);
  httpr_config_free(cfg);
}

/* A name with no address of the family: unresolved, as curl's exit 6. */
static void name_without_the_family(void **state) {
  (void)state;
  httpr_config *cfg = cfg_addresses(SRV_GOOD_ECDSA, "127.0.0.1", NULL);
  assert_code(httpr_config_set_address_family(cfg, HTTPR_FAMILY_IPV6),
              HTTPR_OK);
  expect_failure(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_E_RESOLVE,
                 "could not resolve host: localhost");
  httpr_config_free(cfg);
}

/* An address literal of the other family fails at once, saying why. */
static void literal_of_the_other_family(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_address_family(cfg, HTTPR_FAMILY_IPV4),
              HTTPR_OK);
  char msg[128];
  snprintf(msg, sizeof(msg),
           "failed to connect to ::1 port %d: not an IPv4 address, and only "
           "IPv4 is allowed",
           server_port(SRV_IPV6));
  expect_failure(cfg, url_of(SRV_IPV6, "[::1]", "/"), HTTPR_E_CONNECT, msg);
  assert_code(httpr_config_set_address_family(cfg, HTTPR_FAMILY_IPV6),
              HTTPR_OK);
  snprintf(msg, sizeof(msg),
           "failed to connect to 127.0.0.1 port %d: not an IPv6 address, and "
           "only IPv6 is allowed",
           server_port(SRV_GOOD_ECDSA));
  expect_failure(cfg, url_of(SRV_GOOD_ECDSA, "127.0.0.1", "/"), HTTPR_E_CONNECT,
                 msg);
  assert_code(httpr_config_set_address_family(cfg, (httpr_address_family)5),
              HTTPR_E_INVALID);
  httpr_config_free(cfg);
}

/* The CLI: -4 reaches 127.0.0.1 through the resolver; -6 with the
 * single-family pin fails with curl's exit 6. */
static void cli_ipv4_and_ipv6(void **state) {
  (void)state;
  char port[16], pin[64];
  snprintf(port, sizeof(port), "%d", server_port(SRV_GOOD_ECDSA));
  snprintf(pin, sizeof(pin), "localhost:%s:127.0.0.1", port);
  const char *url = url_of(SRV_GOOD_ECDSA, NULL, "/peer");
  const char *ca = pki("root-ca.pem");
  const char *const v4[] = {"--tls-provider",
                            g_suite.provider,
                            "--cacert",
                            ca,
                            "-sS",
                            "-4",
                            url,
                            NULL};
  expect_cli(v4, NULL, NULL, 0, "");
  const char *const v6[] = {"--tls-provider",
                            g_suite.provider,
                            "--cacert",
                            ca,
                            "-sS",
                            "-6",
                            "--resolve",
                            pin,
                            url,
                            NULL};
  expect_cli(v6, NULL, NULL, 6, "httpr: (6) could not resolve host: localhost");
}

/* ---- the local end ------------------------------------------------------- */

/* An address of this host: the server sees the connection come from it
 * (127.0.0.2 is loopback too, but never chosen without the setting). */
static void interface_address(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_interface(cfg, "127.0.0.2"), HTTPR_OK);
  expect_peer(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/peer"), "127.0.0.2 port ",
              "127.0.0.1");
  assert_code(httpr_config_set_interface(cfg, "host!127.0.0.1"), HTTPR_OK);
  expect_peer(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/peer"), "127.0.0.1 port ",
              "127.0.0.1");
  httpr_config_free(cfg);
}

/* An interface name: lo's IPv4 address for 127.0.0.1, its IPv6 one for
 * ::1, and the same with "if!". */
static void interface_name(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  const char *names[] = {"lo", "if!lo"};
  for (size_t i = 0; i < COUNT_OF(names); i++) {
    assert_code(httpr_config_set_interface(cfg, names[i]), HTTPR_OK);
    expect_peer(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/peer"), "127.0.0.1 port ",
                "127.0.0.1");
    expect_peer(cfg, url_of(SRV_IPV6, "[::1]", "/peer"), "::1 port ", "::1");
  }
  httpr_config_free(cfg);
}

/* No such interface or address: curl's exit 45, before any connect. */
static void interface_unknown(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  const char *url = url_of(SRV_GOOD_ECDSA, NULL, "/");
  assert_code(httpr_config_set_interface(cfg, "nonexistent0"), HTTPR_OK);
  expect_failure(cfg, url, HTTPR_E_INTERFACE,
                 "failed binding local connection end: no interface or "
                 "address 'nonexistent0'");
  assert_code(httpr_config_set_interface(cfg, "if!nonexistent0"), HTTPR_OK);
  expect_failure(cfg, url, HTTPR_E_INTERFACE,
                 "failed binding local connection end: no interface "
                 "'nonexistent0'");
  assert_code(httpr_config_set_interface(cfg, "host!lo"), HTTPR_OK);
  expect_failure(cfg, url, HTTPR_E_INTERFACE,
                 "failed binding local connection end: 'lo' is not a local "
                 "address literal");
  /* 192.0.2.77 (TEST-NET-1) is an address, but none of this host's. */
  assert_code(httpr_config_set_interface(cfg, "192.0.2.77"), HTTPR_OK);
  char msg[128];
  snprintf(msg, sizeof(msg),
           "failed binding local connection end to 192.0.2.77: %s",
           strerror(EADDRNOTAVAIL));
  expect_failure(cfg, url, HTTPR_E_INTERFACE, msg);
  assert_code(httpr_config_set_interface(cfg, ""), HTTPR_E_INVALID);
  assert_code(httpr_config_set_interface(cfg, "lo\r\nX: y"), HTTPR_E_INVALID);
  httpr_config_free(cfg);
}

/* A local address of one family and a server of the other. */
static void interface_other_family(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_interface(cfg, "127.0.0.1"), HTTPR_OK);
  expect_failure(cfg, url_of(SRV_IPV6, "[::1]", "/"), HTTPR_E_INTERFACE,
                 "failed binding local connection end: 127.0.0.1 has no IPv6 "
                 "address to connect to ::1 from");
  assert_code(httpr_config_set_interface(cfg, "::1"), HTTPR_OK);
  expect_failure(cfg, url_of(SRV_GOOD_ECDSA, "127.0.0.1", "/"),
                 HTTPR_E_INTERFACE,
                 "failed binding local connection end: ::1 has no IPv4 "
                 "address to connect to 127.0.0.1 from");
  httpr_config_free(cfg);
}

static void cli_interface(void **state) {
  (void)state;
  const char *url = url_of(SRV_GOOD_ECDSA, NULL, "/peer");
  const char *ca = pki("root-ca.pem");
  const char *const lo[] = {"--tls-provider",
                            g_suite.provider,
                            "--cacert",
                            ca,
                            "-sS",
                            "--interface",
                            "lo",
                            url,
                            NULL};
  expect_cli(lo, NULL, NULL, 0, "");
  const char *const bad[] = {
      "--tls-provider", g_suite.provider, "--cacert", ca,  "-sS",
      "--interface",    "nonexistent0",   url,        NULL};
  expect_cli(bad, NULL, NULL, 45,
             "httpr: (45) failed binding local connection end: no interface "
             "or address 'nonexistent0'");
}

/* ---- the Unix socket ----------------------------------------------------- */

/* The test server on a Unix socket of the scratch directory, HTTPS (the
 * good-ecdsa chain) or plain; stopped by the teardown. */
static pid_t unix_server = -1;

static const char *unix_server_start(const char *name, int plain) {
  const char *path = tmp_path(name);
  unlink(path);
  char cert[512];
  snprintf(cert, sizeof(cert), "%s", pki("good-ecdsa.crt"));
  char key[512];
  snprintf(key, sizeof(key), "%s", pki("good-ecdsa.key"));
  char *argv[] = {(char *)g_suite.server_bin,
                  "--unix",
                  (char *)path,
                  plain ? "--plain" : "--cert",
                  plain ? NULL : cert,
                  "--key",
                  key,
                  NULL};
  assert_int_equal(spawn_server(g_suite.server_bin, argv, &unix_server), 0);
  return path;
}

static int unix_server_stop(void **state) {
  (void)state;
  if (unix_server > 0)
    stop_server(unix_server);
  unix_server = -1;
  return 0;
}

static httpr_config *over_unix(const char *path) {
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_unix_socket(cfg, path), HTTPR_OK);
  return cfg;
}

/* http:// over the socket: the server sees a Unix socket peer, and the
 * remote IP is the socket's path, the remote port the URL's (as curl's). */
static void unix_socket_http(void **state) {
  (void)state;
  const char *path = unix_server_start("plain.sock", 1);
  httpr_config *cfg = over_unix(path);
  expect_peer(cfg, "http://localhost/peer", "unix port", path);
  httpr_response *resp =
      expect_get(cfg, "http://localhost:8123/peer", HTTPR_OK, NULL);
  assert_int_equal(httpr_response_remote_port(resp), 8123);
  httpr_response_free(resp);
  httpr_config_free(cfg);
}

/* https:// over the socket: TLS with SNI and verification for the URL's
 * host, so another host name fails the identity check; two requests on
 * one client share one pooled connection. */
static void unix_socket_https(void **state) {
  (void)state;
  const char *path = unix_server_start("tls.sock", 0);
  httpr_config *cfg = over_unix(path);
  httpr_client *client = client_of(cfg);
  struct kept first, second;
  assert_code(
      send_kept(client, "GET", "https://localhost/conn-id", NULL, &first, NULL),
      HTTPR_OK);
  assert_code(send_kept(client, "GET", "https://localhost/conn-id", NULL,
                        &second, NULL),
              HTTPR_OK);
  assert_int_equal(first.status, 200);
  assert_true(first.tls_version[0] != '\0');
  assert_string_equal(first.provider, g_suite.provider);
  assert_int_equal(second.reused, 1);
  assert_int_equal(second.id, first.id);
  httpr_client_free(client);
  httpr_error *err = httpr_error_new();
  expect_get(cfg, "https://otherhost.test/", HTTPR_E_CERT_HOSTNAME, err);
  httpr_error_free(err);
  httpr_config_free(cfg);
}

/* The CLI with --unix-socket path, run by a user who may not write to the
 * socket: root may write anything, so a child that is root becomes
 * nobody before it runs the program (exec'd, so that no copy of the
 * suite's memory outlives it). Its stderr must start with want_line. */
static void expect_cli_not_root(const char *path, const char *want_line) {
  const char *cli = getenv("HTTPR_CLI");
  assert_non_null(cli);
  const char *log = tmp_path("not-root.err");
  int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  assert_true(fd >= 0);
  pid_t child = fork();
  assert_true(child >= 0);
  if (child == 0) {
    if (dup2(fd, STDERR_FILENO) < 0 ||
        (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)))
      _exit(100);
    execl(cli, cli, "-sS", "--max-time", "15", "--unix-socket", path,
          "http://localhost/", (char *)NULL);
    /* nobody may not reach the build tree: the same request through the
     * library, answering as the CLI would (a copy of the suite's memory,
     * its resolver's included, then ends with the child). */
    httpr_config *cfg = over_unix(path);
    httpr_error *err = httpr_error_new();
    httpr_response *resp = NULL;
    if (fetch(cfg, "GET", "http://localhost/", &resp, err) != HTTPR_E_CONNECT)
      _exit(101);
    fprintf(stderr, "httpr: (7) %s\n", httpr_error_message(err));
    _exit(7);
  }
  close(fd);
  int status = 0;
  assert_int_equal(waitpid(child, &status, 0), child);
  char got[768] = "";
  FILE *f = fopen(log, "r");
  assert_non_null(f);
  if (!fgets(got, sizeof(got), f))
    got[0] = '\0';
  fclose(f);
  got[strcspn(got, "\n")] = '\0';
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 7);
  assert_string_equal(got, want_line);
}

/* What cannot be connected to fails as curl does (exit 7): nothing at the
 * path, a file that is no socket, a socket the process may not write
 * (through the CLI, run as a user who is not root). */
static void unix_socket_failures(void **state) {
  (void)state;
  const char *missing = tmp_path("missing.sock");
  httpr_config *cfg = over_unix(missing);
  char msg[768];
  snprintf(msg, sizeof(msg),
           "failed to connect to localhost port 80 through the Unix socket "
           "%s: No such file or directory",
           missing);
  expect_failure(cfg, "http://localhost/", HTTPR_E_CONNECT, msg);
  httpr_config_free(cfg);

  const char *file = tmp_path("not-a-socket");
  FILE *f = fopen(file, "w");
  assert_non_null(f);
  fclose(f);
  cfg = over_unix(file);
  snprintf(msg, sizeof(msg),
           "failed to connect to localhost port 443 through the Unix socket "
           "%s: Connection refused",
           file);
  expect_failure(cfg, "https://localhost/", HTTPR_E_CONNECT, msg);
  httpr_config_free(cfg);

  char path[512];
  snprintf(path, sizeof(path), "%s", unix_server_start("closed.sock", 1));
  assert_int_equal(chmod(path, 0), 0);
  snprintf(msg, sizeof(msg),
           "httpr: (7) failed to connect to localhost port 80 through the "
           "Unix socket %s: Permission denied",
           path);
  expect_cli_not_root(path, msg);
}

/* The setter refuses what no socket path can be. */
static void unix_socket_bad_paths(void **state) {
  (void)state;
  httpr_config *cfg = httpr_config_new();
  char long_path[200];
  memset(long_path, 'a', sizeof(long_path) - 1);
  long_path[0] = '/';
  long_path[sizeof(long_path) - 1] = '\0';
  assert_code(httpr_config_set_unix_socket(cfg, long_path), HTTPR_E_INVALID);
  long_path[107] = '\0'; /* 107 bytes and the NUL fit sun_path */
  assert_code(httpr_config_set_unix_socket(cfg, long_path), HTTPR_OK);
  assert_code(httpr_config_set_unix_socket(cfg, ""), HTTPR_E_INVALID);
  assert_code(httpr_config_set_unix_socket(cfg, "/tmp/a\nb"), HTTPR_E_INVALID);
  assert_code(httpr_config_set_unix_socket(cfg, NULL), HTTPR_OK);
  httpr_config_free(cfg);
}

static void cli_unix_socket(void **state) {
  (void)state;
  const char *path = unix_server_start("cli.sock", 0);
  const char *ca = pki("root-ca.pem");
  const char *const good[] = {"--tls-provider",
                              g_suite.provider,
                              "--cacert",
                              ca,
                              "-sS",
                              "--unix-socket",
                              path,
                              "https://localhost/",
                              NULL};
  expect_cli(good, NULL, NULL, 0, "");
  const char *missing = tmp_path("none.sock");
  const char *const bad[] = {
      "--tls-provider", g_suite.provider,    "-sS", "--unix-socket",
      missing,          "http://localhost/", NULL};
  char line[768];
  snprintf(line, sizeof(line),
           "httpr: (7) failed to connect to localhost port 80 through the "
           "Unix socket %s: No such file or directory",
           missing);
  expect_cli(bad, NULL, NULL, 7, line);
}

const struct CMUnitTest connect_choice_tests[] = {
    cmocka_unit_test(ipv4_only_tries_ipv4),
    cmocka_unit_test(ipv6_only_tries_ipv6),
    cmocka_unit_test(family_is_not_fallen_back_from),
    cmocka_unit_test(name_without_the_family),
    cmocka_unit_test(literal_of_the_other_family),
    cmocka_unit_test(cli_ipv4_and_ipv6),
    cmocka_unit_test(interface_address),
    cmocka_unit_test(interface_name),
    cmocka_unit_test(interface_unknown),
    cmocka_unit_test(interface_other_family),
    cmocka_unit_test(cli_interface),
    cmocka_unit_test_teardown(unix_socket_http, unix_server_stop),
    cmocka_unit_test_teardown(unix_socket_https, unix_server_stop),
    cmocka_unit_test_teardown(unix_socket_failures, unix_server_stop),
    cmocka_unit_test(unix_socket_bad_paths),
    cmocka_unit_test_teardown(cli_unix_socket, unix_server_stop),
};
const size_t connect_choice_tests_count = COUNT_OF(connect_choice_tests);
