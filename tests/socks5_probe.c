/* SPDX-License-Identifier: MIT */
/*
 * socks5_probe.c - protocol/socks5.c against a real SOCKS5 server:
 * danted (tests/conformance/dante.c) on loopback, driven by a poll loop of
 * this program's own over a non-blocking socket, as the opener will drive
 * it. Through danted to a listener of its own: socks5 (an address) and
 * socks5h (the name "localhost", resolved by danted), each carrying bytes
 * both ways through the tunnel; a closed port ("connection refused"), a
 * port a rule blocks ("not allowed by ruleset"); and against a danted
 * that wants a user name, no credentials ("no acceptable methods") and
 * unknown ones (rejected). Danted's username method checks the system's
 * users, so a successful authentication is the unit test's
 * (tests/unit/test_socks5.c, a scripted peer), not this program's.
 *
 * Part of make check; exits 77 (skipped) with a message when danted is not
 * installed (apt-get install dante-server; CI installs it).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "protocol/socks5.h"
#include "tests/conformance/dante.h"
#include "tests/test_timeout.h"

static int passed, failed;

static void report(int ok, const char *name, const char *why) {
  if (ok) {
    passed++;
    printf("ok   %s\n", name);
  } else {
    failed++;
    printf("FAIL %s: %s\n", name, why);
  }
}

static long sock_send(void *ctx, const void *buf, size_t len) {
  return (long)send(*(int *)ctx, buf, len, MSG_NOSIGNAL);
}

static long sock_recv(void *ctx, void *buf, size_t len) {
  return (long)recv(*(int *)ctx, buf, len, 0);
}

static struct sockaddr_in loopback(int port) {
  struct sockaddr_in sin = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  return sin;
}

/* Waits for events on fd; 0 when they came, -1 on time out. */
static int wait_for(int fd, short events) {
  struct pollfd pfd = {.fd = fd, .events = events};
  int n;
  do
    n = poll(&pfd, 1, (int)test_timeout_ms(5000));
  while (n < 0 && errno == EINTR);
  return n > 0 ? 0 : -1;
}

/* A non-blocking connection to the proxy, connected. */
static int connect_proxy(int proxy_port) {
  struct sockaddr_in sin = loopback(proxy_port);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return -1;
  if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 &&
      errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  int soerr = 0;
  socklen_t len = sizeof(soerr);
  if (wait_for(fd, POLLOUT) != 0 ||
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0 || soerr) {
    close(fd);
    return -1;
  }
  return fd;
}

/* The negotiation, stepped as poll says; the socket stays open in *fd. */
static enum hr_socks5_status negotiate(int proxy_port,
                                       const struct hr_socks5_params *p,
                                       struct hr_socks5 *s, int *fd,
                                       httpr_error *err) {
  *fd = connect_proxy(proxy_port);
  if (*fd < 0) {
    hr_fail(err, HTTPR_E_CONNECT, "cannot connect to danted");
    return HR_SOCKS5_ERROR;
  }
  if (hr_socks5_init(s, p, err) != HTTPR_OK)
    return HR_SOCKS5_ERROR;
  struct hr_tls_io io = {.send = sock_send, .recv = sock_recv, .io_ctx = fd};
  /* a few turns per message; the bound is far above that */
  for (int turn = 0; turn < 100; turn++) {
    enum hr_socks5_status st = hr_socks5_step(s, &io, err);
    if (st == HR_SOCKS5_DONE || st == HR_SOCKS5_ERROR)
      return st;
    if (wait_for(*fd, st == HR_SOCKS5_WANT_READ ? POLLIN : POLLOUT) != 0)
      break;
  }
  hr_fail(err, HTTPR_E_TIMEOUT, "negotiation did not end");
  return HR_SOCKS5_ERROR;
}

/* Reads exactly len bytes from a non-blocking socket, polling. */
static int read_exact(int fd, char *buf, size_t len) {
  size_t have = 0;
  for (int turn = 0; turn < 100 && have < len; turn++) {
    ssize_t n = recv(fd, buf + have, len - have, MSG_DONTWAIT);
    if (n > 0)
      have += (size_t)n;
    else if (n == 0 || (errno != EAGAIN && errno != EINTR))
      return -1;
    else if (wait_for(fd, POLLIN) != 0)
      return -1;
  }
  return have == len ? 0 : -1;
}

/* "ping" through the tunnel to the listener's accepted side, "pong" back. */
static int tunnel_carries_bytes(int tunnel, int listener, char *why,
                                size_t why_len) {
  char buf[4];
  int ok = 0, peer = -1;
  if (send(tunnel, "ping", 4, MSG_NOSIGNAL) != 4) {
    snprintf(why, why_len, "send into the tunnel failed");
  } else if (wait_for(listener, POLLIN) != 0 ||
             (peer = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) < 0) {
    snprintf(why, why_len, "danted never connected to the listener");
  } else if (read_exact(peer, buf, 4) != 0 || memcmp(buf, "ping", 4) != 0) {
    snprintf(why, why_len, "the listener did not get \"ping\"");
  } else if (send(peer, "pong", 4, MSG_NOSIGNAL) != 4 ||
             read_exact(tunnel, buf, 4) != 0 || memcmp(buf, "pong", 4) != 0) {
    snprintf(why, why_len, "\"pong\" did not come back through the tunnel");
  } else {
    ok = 1;
  }
  if (peer >= 0)
    close(peer);
  return ok;
}

static void expect_tunnel(const char *name, int proxy_port,
                          const struct hr_socks5_params *p, int listener) {
  struct hr_socks5 s;
  httpr_error err = {0};
  char why[300] = "";
  int fd;
  enum hr_socks5_status st = negotiate(proxy_port, p, &s, &fd, &err);
  const struct hr_socks5_bound *b = hr_socks5_bound(&s);
  if (st != HR_SOCKS5_DONE)
    snprintf(why, sizeof(why), "%s: %s", httpr_code_name(err.code),
             err.message);
  else if (!b || b->family != AF_INET || b->addr[0] != 127 || !b->port)
    snprintf(why, sizeof(why), "bound address is not danted's 127.0.0.1");
  else
    tunnel_carries_bytes(fd, listener, why, sizeof(why));
  report(why[0] == '\0', name, why);
  if (fd >= 0)
    close(fd);
  hr_socks5_clear(&s);
}

static void expect_failure(const char *name, int proxy_port,
                           const struct hr_socks5_params *p,
                           const char *message) {
  struct hr_socks5 s;
  httpr_error err = {0};
  char why[600] = "";
  int fd;
  enum hr_socks5_status st = negotiate(proxy_port, p, &s, &fd, &err);
  if (st != HR_SOCKS5_ERROR || err.code != HTTPR_E_PROXY ||
      strcmp(err.message, message) != 0)
    snprintf(why, sizeof(why), "status %d, %s '%s', want HTTPR_E_PROXY '%s'",
             (int)st, httpr_code_name(err.code), err.message, message);
  report(why[0] == '\0', name, why);
  if (fd >= 0)
    close(fd);
  hr_socks5_clear(&s);
}

/* A listening socket on 127.0.0.1 (port in *port), or a closed port's
 * number when listen_too is 0. */
static int loopback_socket(int listen_too, int *port) {
  struct sockaddr_in sin = loopback(0);
  socklen_t len = sizeof(sin);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
      getsockname(fd, (struct sockaddr *)&sin, &len) != 0 ||
      (listen_too && listen(fd, 8) != 0)) {
    perror("loopback socket");
    return -1;
  }
  *port = ntohs(sin.sin_port);
  if (!listen_too) {
    close(fd);
    return 0;
  }
  return fd;
}

static void through_open_danted(int proxy_port, int blocked_port) {
  int port, closed_port;
  int listener = loopback_socket(1, &port);
  if (listener < 0 || loopback_socket(0, &closed_port) != 0) {
    report(0, "listener", "no loopback socket");
    return;
  }
  char msg[200];
  struct sockaddr_in to = loopback(port);
  struct hr_socks5_params by_addr = {.host = "127.0.0.1",
                                     .port = (uint16_t)port,
                                     .addr = (struct sockaddr *)&to};
  expect_tunnel("socks5 by address", proxy_port, &by_addr, listener);
  struct hr_socks5_params by_name = {.host = "localhost",
                                     .port = (uint16_t)port};
  expect_tunnel("socks5h by name", proxy_port, &by_name, listener);

  struct sockaddr_in closed = loopback(closed_port);
  struct hr_socks5_params refused = {.host = "127.0.0.1",
                                     .port = (uint16_t)closed_port,
                                     .addr = (struct sockaddr *)&closed};
  snprintf(msg, sizeof(msg),
           "Can't complete SOCKS5 connection to 127.0.0.1:%d: connection "
           "refused (5)",
           closed_port);
  expect_failure("closed port: connection refused", proxy_port, &refused, msg);

  struct hr_socks5_params blocked = {.host = "127.0.0.1",
                                     .port = (uint16_t)blocked_port};
  snprintf(msg, sizeof(msg),
           "Can't complete SOCKS5 connection to 127.0.0.1:%d: connection not "
           "allowed by ruleset (2)",
           blocked_port);
  expect_failure("blocked port: not allowed by ruleset", proxy_port, &blocked,
                 msg);
  close(listener);
}

static void through_danted_wanting_a_user(int proxy_port) {
  struct hr_socks5_params none = {.host = "localhost", .port = 9};
  expect_failure("username wanted, none offered", proxy_port, &none,
                 "SOCKS5 proxy accepted none of the offered authentication "
                 "methods (none; it may want a user name and password)");
  struct hr_socks5_params unknown = {.host = "localhost",
                                     .port = 9,
                                     .user = "httpr-no-such-user",
                                     .password = "wrong"};
  expect_failure("unknown user rejected", proxy_port, &unknown,
                 "SOCKS5 proxy rejected the user name and password "
                 "(status 1)");
}

int main(void) {
  if (!dante_binary()) {
    const char *bin = getenv("DANTED");
    printf("SKIP: %s not installed (apt-get install dante-server); the "
           "SOCKS5 codec is not tried against a real proxy\n",
           bin && *bin ? bin : DANTE_DEFAULT_BIN);
    return 77;
  }
  struct dante open_proxy, user_proxy;
  int blocked_port;
  if (loopback_socket(0, &blocked_port) != 0)
    return 1;
  struct dante_options open_opt = {.socksmethod = "none",
                                   .blocked_port = blocked_port};
  struct dante_options user_opt = {.socksmethod = "username"};
  if (dante_start(&open_proxy, &open_opt) != 0) {
    dante_stop(&open_proxy);
    return 1;
  }
  if (dante_start(&user_proxy, &user_opt) != 0) {
    dante_stop(&user_proxy);
    dante_stop(&open_proxy);
    return 1;
  }
  through_open_danted(open_proxy.port, blocked_port);
  through_danted_wanting_a_user(user_proxy.port);
  if (failed) {
    dante_print_log(&open_proxy, stdout);
    dante_print_log(&user_proxy, stdout);
  }
  dante_stop(&user_proxy);
  dante_stop(&open_proxy);
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
