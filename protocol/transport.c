/* SPDX-License-Identifier: MIT */
/*
 * transport.c - a connection's reads and writes, through the provider
 * for TLS, with poll() until a deadline; opening one is opener.c's,
 * which waits with poll() too. Every wait in the library happens in these
 * two files, so every timeout is enforced there.
 */
#include "protocol/transport.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backends/tls_errors.h"
#include "common/clock.h"
#include "common/fd_release.h"
#include "protocol/outer_tls.h"

void hr_debugf(const struct hr_debug *d, const char *fmt, ...) {
  if (!d || !d->fn)
    return;
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
  d->fn(HTTPR_DEBUG_INFO, line, len, d->ud);
}

/* ---- waiting ------------------------------------------------------------- */

httpr_code hr_timed_out(httpr_error *err, long timeout_ms, const char *what) {
  return hr_fail(err, HTTPR_E_TIMEOUT, "%s timed out after %ld milliseconds",
                 what, timeout_ms);
}

/* ---- socket I/O callbacks for the provider ------------------------------- */

static long sock_send(void *io_ctx, const void *buf, size_t len) {
  struct hr_conn *c = io_ctx;
  ssize_t n;
  do {
    n = send(c->fd, buf, len, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && errno == EWOULDBLOCK)
    errno = EAGAIN;
  return (long)n;
}

static long sock_recv(void *io_ctx, void *buf, size_t len) {
  struct hr_conn *c = io_ctx;
  ssize_t n;
  do {
    n = recv(c->fd, buf, len, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && errno == EWOULDBLOCK)
    errno = EAGAIN;
  return (long)n;
}

/* ---- connecting (opener.c) ---------------------------------------------- */

struct hr_tls_io hr_conn_socket_io(struct hr_conn *c) {
  if (c->outer)
    return hr_outer_tls_io(c);
  return (struct hr_tls_io){.send = sock_send, .recv = sock_recv, .io_ctx = c};
}

/* ---- reading and writing ------------------------------------------------- */

static httpr_code plain_io_error(httpr_code code, httpr_error *err) {
  return hr_io_broke(err, code == HTTPR_E_SEND, errno);
}

httpr_code hr_conn_try_read(struct hr_conn *c, void *buf, size_t cap,
                            size_t *moved, short *want, httpr_error *err) {
  enum hr_tls_status st;
  *moved = 0;
  *want = 0;
  if (c->tls) {
    c->outer_want = 0;
    st = hr_outer_want(c, c->provider->read(c->tls, buf, cap, moved, err));
  } else if (c->outer) {
    st = hr_outer_read(c, buf, cap, moved, err);
  } else {
    long n = sock_recv(c, buf, cap);
    if (n < 0 && errno != EAGAIN)
      return plain_io_error(HTTPR_E_RECV, err);
    st = n < 0 ? HR_TLS_WANT_READ : n == 0 ? HR_TLS_CLOSED : HR_TLS_DONE;
    *moved = n > 0 ? (size_t)n : 0;
  }
  if (st == HR_TLS_ERROR)
    return err->code;
  if (st == HR_TLS_WANT_READ || st == HR_TLS_WANT_WRITE)
    *want = st == HR_TLS_WANT_READ ? POLLIN : POLLOUT;
  return HTTPR_OK;
}

httpr_code hr_conn_try_write(struct hr_conn *c, const void *buf, size_t len,
                             size_t *moved, short *want, httpr_error *err) {
  enum hr_tls_status st;
  *moved = 0;
  *want = 0;
  if (c->tls) {
    c->outer_want = 0;
    st = hr_outer_want(c, c->provider->write(c->tls, buf, len, moved, err));
  } else if (c->outer) {
    st = hr_outer_write(c, buf, len, moved, err);
  } else {
    long n = sock_send(c, buf, len);
    if (n < 0 && errno != EAGAIN)
      return plain_io_error(HTTPR_E_SEND, err);
    st = n >= 0 ? HR_TLS_DONE : HR_TLS_WANT_WRITE;
    *moved = n > 0 ? (size_t)n : 0;
  }
  if (st == HR_TLS_ERROR)
    return err->code;
  if (st == HR_TLS_CLOSED)
    return hr_fail(err, HTTPR_E_SEND,
                   "connection broke while sending: peer closed it");
  if (st == HR_TLS_WANT_READ || st == HR_TLS_WANT_WRITE)
    *want = st == HR_TLS_WANT_READ ? POLLIN : POLLOUT;
  return HTTPR_OK;
}

int hr_conn_is_alive(struct hr_conn *c) {
  struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
  if (poll(&pfd, 1, 0) == 0)
    return 1;
  if ((!c->tls && !c->outer) || (pfd.revents & (POLLERR | POLLHUP)))
    return 0;
  /* Readable TLS: it may be only a record without application data (a
   * late session ticket). Let the provider read it; any application byte,
   * close_notify or error means the connection is not reusable. */
  char byte;
  size_t got = 0;
  short want = 0;
  httpr_error scratch = {0};
  return hr_conn_try_read(c, &byte, 1, &got, &want, &scratch) == HTTPR_OK &&
         got == 0 && want != 0;
}

void hr_conn_close(struct hr_conn *c, int graceful) {
  if (!c)
    return;
  if (c->tls) {
    if (graceful) {
      httpr_error scratch = {0};
      c->provider->shutdown(c->tls, &scratch);
    }
    c->provider->connection_free(c->tls);
  }
  hr_outer_close(c, graceful);
  if (c->fd >= 0) {
    hr_fd_release(c->fd);
    close(c->fd);
  }
  free(c->read_buf);
  free(c);
}
