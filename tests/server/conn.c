/* SPDX-License-Identifier: MIT */
/* conn.c: byte I/O on one accepted connection, plain or TLS, and the ways
 * of closing it. Blocking sockets with SO_RCVTIMEO/SO_SNDTIMEO, so every
 * call here returns within TS_IO_TIMEOUT_MS. Knows nothing of HTTP. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "server.h"

int ts_conn_handshake(struct ts_conn *c, SSL_CTX *ctx) {
  int rc;

  c->ssl = SSL_new(ctx);
  if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1) {
    ts_log_tls_error(c, "SSL_new", SSL_ERROR_SSL);
    c->tls_broken = 1;
    return -1;
  }
  ERR_clear_error();
  errno = 0;
  rc = SSL_accept(c->ssl);
  if (rc == 1)
    return 0;
  ts_log_tls_error(c, "handshake", SSL_get_error(c->ssl, rc));
  c->tls_broken = 1;
  return -1;
}

/* Reads from the socket or TLS, bypassing the buffer. Returns >0 bytes,
 * 0 at the peer's close (with or without close_notify), -1 on error or
 * timeout. */
static ssize_t raw_read(struct ts_conn *c, void *buf, size_t n) {
  int rc, err;

  if (n > INT_MAX)
    n = INT_MAX;
  if (!c->ssl) {
    ssize_t r;
    do
      r = recv(c->fd, buf, n, 0);
    while (r < 0 && errno == EINTR);
    return r;
  }
  ERR_clear_error();
  errno = 0;
  rc = SSL_read(c->ssl, buf, (int)n);
  if (rc > 0)
    return rc;
  err = SSL_get_error(c->ssl, rc);
  if (err == SSL_ERROR_ZERO_RETURN)
    return 0;
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
    return -1; /* SO_RCVTIMEO expired; the TLS state is still sound */
  c->tls_broken = 1;
  if (err == SSL_ERROR_SYSCALL && errno == 0)
    return 0; /* bare EOF */
  ts_log_tls_error(c, "read", err);
  return -1;
}

static ssize_t fill(struct ts_conn *c) {
  ssize_t r;

  c->rpos = c->rlen = 0;
  r = raw_read(c, c->rbuf, sizeof c->rbuf);
  if (r > 0)
    c->rlen = (size_t)r;
  return r;
}

ssize_t ts_conn_read(struct ts_conn *c, void *buf, size_t n) {
  size_t k;

  if (c->rpos == c->rlen)
    return raw_read(c, buf, n);
  k = c->rlen - c->rpos;
  if (k > n)
    k = n;
  memcpy(buf, c->rbuf + c->rpos, k);
  c->rpos += k;
  return (ssize_t)k;
}

/* Reads one line into dst (cap includes the NUL) and strips LF or CRLF.
 * Returns 1 for a line, 0 for EOF before its first byte, -1 for an error or
 * EOF inside the line, -2 if the line does not fit. */
int ts_conn_read_line(struct ts_conn *c, char *dst, size_t cap, size_t *len) {
  size_t n = 0;

  for (;;) {
    const unsigned char *s, *nl;
    size_t avail, take;

    if (c->rpos == c->rlen) {
      ssize_t r = fill(c);
      if (r <= 0)
        return (r == 0 && n == 0) ? 0 : -1;
    }
    s = c->rbuf + c->rpos;
    avail = c->rlen - c->rpos;
    nl = memchr(s, '\n', avail);
    take = nl ? (size_t)(nl - s) + 1 : avail;
    if (n + take >= cap)
      return -2;
    memcpy(dst + n, s, take);
    n += take;
    c->rpos += take;
    if (nl)
      break;
  }
  n--; /* the LF */
  if (n > 0 && dst[n - 1] == '\r')
    n--;
  dst[n] = '\0';
  *len = n;
  return 1;
}

int ts_conn_read_exact(struct ts_conn *c, void *buf, size_t n) {
  unsigned char *p = buf;

  while (n > 0) {
    ssize_t r = ts_conn_read(c, p, n);
    if (r <= 0)
      return -1;
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

static int plain_write(struct ts_conn *c, const unsigned char *p, size_t n) {
  while (n > 0) {
    ssize_t r = send(c->fd, p, n, MSG_NOSIGNAL);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0) {
      ts_log("conn %lu from %s: send failed: %s", c->id, c->peer,
             strerror(errno));
      return -1;
    }
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

/* Writes all n bytes. A TLS write that fails or times out leaves a partial
 * record behind, so the connection is marked broken: no close_notify. */
int ts_conn_write(struct ts_conn *c, const void *buf, size_t n) {
  const unsigned char *p = buf;

  if (!c->ssl)
    return plain_write(c, p, n);
  while (n > 0) {
    int k = n > (size_t)INT_MAX ? INT_MAX : (int)n;
    int rc;

    ERR_clear_error();
    errno = 0;
    rc = SSL_write(c->ssl, p, k);
    if (rc <= 0) {
      ts_log_tls_error(c, "write", SSL_get_error(c->ssl, rc));
      c->tls_broken = 1;
      return -1;
    }
    p += rc;
    n -= (size_t)rc;
  }
  return 0;
}

/* 1 if a read would return at once, 0 after ms without data, -1 on error. */
int ts_conn_wait_readable(struct ts_conn *c, int ms) {
  struct pollfd p = {c->fd, POLLIN, 0};
  int r;

  if (c->rpos < c->rlen || (c->ssl && SSL_pending(c->ssl) > 0))
    return 1;
  r = poll(&p, 1, ms);
  if (r < 0)
    return errno == EINTR ? 0 : -1;
  return r > 0;
}

static long long now_ms(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* After our FIN, reads and discards until the peer's EOF or TS_DRAIN_MS.
 * Closing with unread input makes the kernel send RST, and an RST can make
 * the peer discard data it has not read yet: our last response or the
 * alert that explains a failed handshake. */
static void drain(int fd) {
  long long deadline = now_ms() + TS_DRAIN_MS;
  char junk[4096];

  for (;;) {
    struct pollfd p = {fd, POLLIN, 0};
    long long left = deadline - now_ms();
    ssize_t r;

    if (left <= 0 || poll(&p, 1, (int)left) <= 0)
      return;
    r = recv(fd, junk, sizeof junk, MSG_DONTWAIT);
    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
      return;
  }
}

/* Ends the connection gracefully: close_notify when notify is set and TLS
 * is still sound, then FIN and drain. The caller closes the fd. */
void ts_conn_close(struct ts_conn *c, int notify) {
  if (c->ssl && !c->tls_broken) {
    if (notify) {
      ERR_clear_error();
      SSL_shutdown(c->ssl); /* sends close_notify; we don't wait for the
                               peer's, the drain below reads past it */
      ERR_clear_error();
    } else {
      /* Mark it shut down without sending anything, so OpenSSL keeps the
       * session resumable as after a clean close. */
      SSL_set_shutdown(c->ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    }
  }
  shutdown(c->fd, SHUT_WR);
  drain(c->fd);
}

/* OpenSSL already sent its alert; make sure the peer can read it. */
void ts_conn_close_failed_handshake(struct ts_conn *c) {
  shutdown(c->fd, SHUT_WR);
  drain(c->fd);
}
