/* SPDX-License-Identifier: MIT */
/*
 * transport.c - a connection: resolve (resolver.c) and race the
 * addresses (RFC 8305, connect_race.c) within the connect deadline, run
 * the TLS handshake through the provider, and read and write with poll() until a deadline.
 * Every wait in the library happens here, so every timeout is enforced in
 * one place.
 */
#include "protocol/transport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backends/tls_errors.h"
#include "common/clock.h"
#include "protocol/connect_race.h"
#include "protocol/resolver.h"

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

/* `what` names the limit that ran out: the connect phase or the whole
 * request. */
static httpr_code timed_out(httpr_error *err, long timeout_ms,
                            const char *what) {
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

/* ---- connecting ---------------------------------------------------------- */

/* Adds getaddrinfo's answers for name to the race, in its order. */
static int add_answers(struct hr_race *r, const char *name, const char *port,
                       int flags) {
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_family = AF_UNSPEC,
                           .ai_flags = flags};
  struct addrinfo *list = NULL;
  int rc = getaddrinfo(name, port, &hints, &list);
  if (rc == 0) {
    for (const struct addrinfo *ai = list; ai; ai = ai->ai_next)
      hr_race_add(r, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(list);
  }
  return rc;
}

/* The pinned addresses (a comma list of literals, checked by the config)
 * in their order. */
static void add_pins(struct hr_race *r, const char *pins, const char *port) {
  for (const char *at = pins; *at;) {
    size_t len = strcspn(at, ",");
    char one[INET6_ADDRSTRLEN + 2];
    if (len < sizeof(one)) {
      memcpy(one, at, len);
      one[len] = '\0';
      add_answers(r, one, port, AI_NUMERICHOST);
    }
    at += len + (at[len] == ',');
  }
}

static httpr_code resolve(const struct hr_connect_params *p, struct hr_race *r,
                          httpr_error *err) {
  char port[16];
  snprintf(port, sizeof(port), "%d", p->port);
  if (p->pin_address) {
    add_pins(r, p->pin_address, port);
    if (r->count > 0)
      return HTTPR_OK;
    return hr_fail(err, HTTPR_E_RESOLVE, "could not resolve host: %s",
                   p->pin_address);
  }
  /* An address literal needs no lookup. */
  if (add_answers(r, p->host, port, AI_NUMERICHOST) == 0 && r->count > 0)
    return HTTPR_OK;
  struct hr_resolve_job *job = hr_resolve_start(p->host, port);
  if (!job)
    return hr_nomem(err);
  int64_t deadline = hr_deadline_min(p->connect_deadline, p->total_deadline);
  if (wait_fd(hr_resolve_fd(job), POLLIN, deadline) <= 0 ||
      !hr_resolve_done(job)) {
    hr_resolve_abandon(job);
    if (p->connect_deadline <= p->total_deadline)
      return timed_out(err, p->connect_timeout_ms, "resolving");
    return timed_out(err, p->total_timeout_ms, "operation");
  }
  struct addrinfo *list = NULL;
  int rc = hr_resolve_finish(job, &list);
  if (rc == 0) {
    for (const struct addrinfo *ai = list; ai; ai = ai->ai_next)
      hr_race_add(r, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(list);
    if (r->count > 0)
      return HTTPR_OK;
  }
  if (rc == EAI_MEMORY)
    return hr_nomem(err);
  hr_fail(err, HTTPR_E_RESOLVE, "could not resolve host: %s", p->host);
  hr_detail(err, "getaddrinfo: %s", rc ? gai_strerror(rc) : "no address");
  return HTTPR_E_RESOLVE;
}

/* Logs each attempt the last step started, "Trying ADDR:PORT...". */
static void log_started(const struct hr_connect_params *p,
                        const struct hr_race *r, size_t from) {
  for (size_t i = from; i < r->started; i++) {
    char ip[INET6_ADDRSTRLEN];
    int port;
    hr_race_addr_text(&r->addr[i], ip, sizeof(ip), &port);
    hr_debugf(p->debug, "Trying %s:%d...", ip, port);
  }
}

/* Races the addresses (connect_race.h) with poll() until one connects,
 * every one fails, or the deadline passes. */
static httpr_code connect_any(struct hr_conn *c,
                              const struct hr_connect_params *p,
                              struct hr_race *r, httpr_error *err) {
  int64_t deadline = hr_deadline_min(p->connect_deadline, p->total_deadline);
  struct pollfd fds[HR_RACE_MAX];
  size_t nfds = 0;
  hr_race_interleave(r);
  enum hr_race_state st = HR_RACE_PENDING;
  for (int rounds = 0; rounds < 1000000; rounds++) {
    size_t before = r->started;
    int64_t now = hr_now_ms();
    st = hr_race_step(r, fds, nfds, now);
    log_started(p, r, before);
    if (st != HR_RACE_PENDING)
      break;
    if (now >= deadline)
      break;
    int64_t wake = hr_deadline_min(hr_race_wake_at(r), deadline);
    int64_t left = wake - now;
    nfds = hr_race_pollfds(r, fds);
    int n = poll(fds, nfds, left > 60000 ? 60000 : (int)(left < 0 ? 0 : left));
    if (n <= 0)
      nfds = 0; /* nothing ready: a timer, EINTR or an error; step again */
  }
  if (st == HR_RACE_CONNECTED) {
    const struct hr_race_addr *won = NULL;
    c->fd = hr_race_take(r, &won);
    hr_race_close(r);
    hr_race_addr_text(won, c->remote_ip, sizeof(c->remote_ip), &c->remote_port);
    hr_debugf(p->debug, "Connected to %s (%s) port %d", p->host, c->remote_ip,
              c->remote_port);
    return HTTPR_OK;
  }
  hr_race_close(r);
  if (st == HR_RACE_FAILED) {
    int why = r->last_errno;
    char ip[INET6_ADDRSTRLEN] = "";
    int port;
    if (r->last_failed >= 0)
      hr_race_addr_text(&r->addr[r->last_failed], ip, sizeof(ip), &port);
    hr_fail(err, HTTPR_E_CONNECT, "failed to connect to %s port %d: %s",
            p->host, p->port, strerror(why));
    hr_detail(err, "connect(%s): %s (errno %d)", ip, strerror(why), why);
    return HTTPR_E_CONNECT;
  }
  if (p->connect_deadline <= p->total_deadline)
    return timed_out(err, p->connect_timeout_ms, "connection");
  return timed_out(err, p->total_timeout_ms, "operation");
}

/* Drives a provider operation that may want read or write until done. */
static httpr_code wait_for(struct hr_conn *c, enum hr_tls_status st,
                           int64_t deadline, long timeout_ms, const char *what,
                           httpr_error *err) {
  short ev = st == HR_TLS_WANT_WRITE ? POLLOUT : POLLIN;
  int ready = wait_fd(c->fd, ev, deadline);
  if (ready > 0)
    return HTTPR_OK;
  if (ready == 0)
    return timed_out(err, timeout_ms, what);
  return hr_fail(err, HTTPR_E_RECV, "poll failed: %s", strerror(errno));
}

static httpr_code handshake(struct hr_conn *c,
                            const struct hr_connect_params *p,
                            httpr_error *err) {
  int64_t deadline = hr_deadline_min(p->connect_deadline, p->total_deadline);
  long ms = p->connect_deadline <= p->total_deadline ? p->connect_timeout_ms
                                                     : p->total_timeout_ms;
  const char *what =
      p->connect_deadline <= p->total_deadline ? "TLS handshake" : "operation";
  struct hr_tls_io io = {.send = sock_send, .recv = sock_recv, .io_ctx = c};
  httpr_code rc =
      p->provider->connection_new(p->tls_ctx, p->host, &io, &c->tls, err);
  if (rc != HTTPR_OK)
    return rc;
  /* A session that cannot be offered only costs a full handshake. */
  if (p->session && p->provider->session_import &&
      p->provider->session_import(c->tls, p->session) == 0)
    hr_debugf(p->debug, "Offering the saved TLS session");
  for (int rounds = 0; rounds < 100000; rounds++) {
    enum hr_tls_status st = p->provider->handshake(c->tls, err);
    if (st == HR_TLS_DONE) {
      p->provider->info(c->tls, &c->info);
      hr_debugf(p->debug, "TLS connection using %s / %s (%s)", c->info.version,
                c->info.cipher, p->provider->name);
      hr_debugf(p->debug, "ALPN: %s", c->info.alpn[0] ? c->info.alpn : "none");
      if (c->info.subject[0])
        hr_debugf(p->debug, "Server certificate subject: %s; issuer: %s",
                  c->info.subject, c->info.issuer);
      return HTTPR_OK;
    }
    if (st == HR_TLS_ERROR)
      return err->code
                 ? err->code
                 : hr_fail(err, HTTPR_E_TLS_HANDSHAKE, "TLS handshake failed");
    if (st == HR_TLS_CLOSED)
      return hr_closed_early(err, 1);
    rc = wait_for(c, st, deadline, ms, what, err);
    if (rc != HTTPR_OK)
      return rc;
  }
  return hr_fail(err, HTTPR_E_TLS_HANDSHAKE, "TLS handshake did not finish");
}

httpr_code hr_conn_open(const struct hr_connect_params *p, struct hr_conn **out,
                        struct hr_conn_times *times, httpr_error *err) {
  struct hr_race race;
  hr_race_init(&race);
  struct hr_conn *c = calloc(1, sizeof(*c));
  if (!c)
    return hr_nomem(err);
  c->fd = -1;
  c->provider = p->provider;
  httpr_code rc = resolve(p, &race, err);
  if (rc != HTTPR_OK)
    goto fail;
  times->resolved = hr_now_s();
  rc = connect_any(c, p, &race, err);
  if (rc != HTTPR_OK)
    goto fail;
  times->connected = hr_now_s();
  if (p->provider) {
    rc = handshake(c, p, err);
    if (rc != HTTPR_OK)
      goto fail;
  }
  times->handshaken = hr_now_s();
  *out = c;
  return HTTPR_OK;
fail:
  hr_conn_close(c, 0);
  return rc;
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
  if (c->fd >= 0)
    close(c->fd);
  free(c->read_buf);
  free(c);
}
