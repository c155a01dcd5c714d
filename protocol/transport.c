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

/* Waits for `events` on fd. Returns 1 when ready, 0 at the deadline, -1 on
 * a poll error (errno set). */
static int wait_fd(int fd, short events, int64_t deadline) {
  for (int spins = 0; spins < 1000000; spins++) {
    int timeout = -1;
    if (deadline != HR_NO_DEADLINE) {
      int64_t left = deadline - hr_now_ms();
      if (left <= 0)
        return 0;
      timeout = left > 60000 ? 60000 : (int)left;
    } else {
      timeout = 60000;
    }
    struct pollfd pfd = {.fd = fd, .events = events};
    int n = poll(&pfd, 1, timeout);
    if (n > 0)
      return 1;
    if (n < 0 && errno != EINTR)
      return -1;
  }
  return 0;
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
  return (struct hr_tls_io){.send = sock_send, .recv = sock_recv, .io_ctx = c};
}

/* ---- reading and writing ------------------------------------------------- */

static httpr_code plain_io_error(httpr_code code, httpr_error *err) {
  return hr_io_broke(err, code == HTTPR_E_SEND, errno);
}

/* Waits until the connection can go on with what the provider wants, or
 * until a limit of b may run out. HTTPR_OK to try again (also once a
 * low-speed span passed), else why it may not. */
static httpr_code wait_bounded(struct hr_conn *c, enum hr_tls_status st,
                               struct hr_bounds *b, httpr_error *err) {
  short ev = st == HR_TLS_WANT_WRITE ? POLLOUT : POLLIN;
  int ready = wait_fd(c->fd, ev, hr_bounds_wake(b));
  if (ready > 0)
    return HTTPR_OK;
  if (ready == 0)
    return hr_bounds_check(b, err);
  return hr_fail(err, HTTPR_E_RECV, "poll failed: %s", strerror(errno));
}

httpr_code hr_conn_write(struct hr_conn *c, const void *buf, size_t len,
                         struct hr_bounds *b, httpr_error *err) {
  const char *p = buf;
  hr_bounds_resume(b);
  while (len > 0) {
    /* Also when every write goes through at once (a server that reads
     * as fast as we send): the limits hold in this loop too. */
    httpr_code rc = hr_bounds_check(b, err);
    if (rc != HTTPR_OK)
      return rc;
    size_t put = 0;
    enum hr_tls_status st;
    if (c->tls) {
      st = c->provider->write(c->tls, p, len, &put, err);
    } else {
      long n = sock_send(c, p, len);
      st = n >= 0 ? HR_TLS_DONE : HR_TLS_WANT_WRITE;
      if (n < 0 && errno != EAGAIN)
        return plain_io_error(HTTPR_E_SEND, err);
      put = n > 0 ? (size_t)n : 0;
    }
    if (st == HR_TLS_DONE) {
      p += put;
      len -= put;
      hr_bounds_count(b, put);
      continue;
    }
    if (st == HR_TLS_ERROR)
      return err->code;
    if (st == HR_TLS_CLOSED)
      return hr_fail(err, HTTPR_E_SEND,
                     "connection broke while sending: peer closed it");
    rc = wait_bounded(c, st, b, err);
    if (rc != HTTPR_OK)
      return rc;
  }
  return HTTPR_OK;
}

httpr_code hr_conn_read(struct hr_conn *c, void *buf, size_t cap, size_t *got,
                        struct hr_bounds *b, httpr_error *err) {
  hr_bounds_resume(b);
  for (;;) {
    /* Checked before every read, not only when one would block: a server
     * that never pauses must not outlast the limits. */
    httpr_code rc = hr_bounds_check(b, err);
    if (rc != HTTPR_OK)
      return rc;
    enum hr_tls_status st;
    *got = 0;
    if (c->tls) {
      st = c->provider->read(c->tls, buf, cap, got, err);
    } else {
      long n = sock_recv(c, buf, cap);
      if (n < 0 && errno != EAGAIN)
        return plain_io_error(HTTPR_E_RECV, err);
      st = n < 0 ? HR_TLS_WANT_READ : n == 0 ? HR_TLS_CLOSED : HR_TLS_DONE;
      *got = n > 0 ? (size_t)n : 0;
    }
    if (st == HR_TLS_DONE || st == HR_TLS_CLOSED) {
      hr_bounds_count(b, *got);
      return HTTPR_OK;
    }
    if (st == HR_TLS_ERROR)
      return err->code;
    rc = wait_bounded(c, st, b, err);
    if (rc != HTTPR_OK)
      return rc;
  }
}

httpr_code hr_conn_try_read(struct hr_conn *c, void *buf, size_t cap,
                            size_t *moved, short *want, httpr_error *err) {
  enum hr_tls_status st;
  *moved = 0;
  *want = 0;
  if (c->tls) {
    st = c->provider->read(c->tls, buf, cap, moved, err);
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
    st = c->provider->write(c->tls, buf, len, moved, err);
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

int hr_conn_poll(struct hr_conn *c, short events, int wake_fd,
                 int64_t deadline) {
  for (int spins = 0; spins < 1000000; spins++) {
    int timeout = 60000;
    if (deadline != HR_NO_DEADLINE) {
      int64_t left = deadline - hr_now_ms();
      if (left <= 0)
        return 0;
      timeout = left > 60000 ? 60000 : (int)left;
    }
    struct pollfd pfd[2] = {{.fd = c->fd, .events = events},
                            {.fd = wake_fd, .events = POLLIN}};
    int n = poll(pfd, wake_fd >= 0 ? 2 : 1, timeout);
    if (n > 0)
      return pfd[0].revents ? 1 : 2;
    if (n < 0 && errno != EINTR)
      return -1;
  }
  return 0;
}

int hr_conn_is_alive(struct hr_conn *c) {
  struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
  if (poll(&pfd, 1, 0) == 0)
    return 1;
  if (!c->tls || (pfd.revents & (POLLERR | POLLHUP)))
    return 0;
  /* Readable TLS: it may be only a record without application data (a
   * late session ticket). Let the provider read it; any application byte,
   * close_notify or error means the connection is not reusable. */
  char byte;
  size_t got = 0;
  httpr_error scratch = {0};
  enum hr_tls_status st = c->provider->read(c->tls, &byte, 1, &got, &scratch);
  return st == HR_TLS_WANT_READ;
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
  if (c->fd >= 0) {
    hr_fd_release(c->fd);
    close(c->fd);
  }
  free(c->read_buf);
  free(c);
}
