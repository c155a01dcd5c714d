/* SPDX-License-Identifier: MIT */
/*
 * outer_tls.c - the TLS to an https:// proxy as a layer under the
 * origin's TLS (outer_tls.h).
 *
 * The inner TLS library sees plain "would block" from its callbacks and
 * never learns which way the outer layer waits, so each callback records
 * that (c->outer_want) for the transport to poll for. An outer write
 * that would block must be repeated with the same bytes, but the inner
 * library may next send others (or only read), so those bytes are taken
 * into c->outer_pending and reported sent; every callback first pushes
 * them on, and nothing new goes out before they have.
 */
#include "protocol/outer_tls.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int is_want(enum hr_tls_status st) {
  return st == HR_TLS_WANT_READ || st == HR_TLS_WANT_WRITE;
}

/* The outer layer failed under the inner one, which reports a broken
 * stream of its own (HTTPR_E_SEND / HTTPR_E_RECV) from errno. */
static long outer_broke(void) {
  errno = ECONNRESET;
  return -1;
}

/* Pushes the pending bytes: 0 once none are left, -1 with errno EAGAIN
 * (c->outer_want set) while they wait, or a failure. */
static int flush_pending(struct hr_conn *c) {
  while (c->outer_pending_len > 0) {
    size_t put = 0;
    httpr_error scratch = {0};
    enum hr_tls_status st = c->outer_provider->write(
        c->outer, c->outer_pending, c->outer_pending_len, &put, &scratch);
    if (is_want(st)) {
      c->outer_want = st;
      errno = EAGAIN;
      return -1;
    }
    if (st != HR_TLS_DONE || put == 0)
      return (int)outer_broke();
    memmove(c->outer_pending, c->outer_pending + put,
            c->outer_pending_len - put);
    c->outer_pending_len -= put;
  }
  return 0;
}

static long outer_send(void *io_ctx, const void *buf, size_t len) {
  struct hr_conn *c = io_ctx;
  if (flush_pending(c) != 0)
    return -1;
  size_t put = 0;
  httpr_error scratch = {0};
  enum hr_tls_status st =
      c->outer_provider->write(c->outer, buf, len, &put, &scratch);
  if (st == HR_TLS_DONE)
    return (long)put;
  if (!is_want(st))
    return outer_broke();
  /* Kept, to be repeated as they are; the inner layer may move on. */
  char *keep = realloc(c->outer_pending, len);
  if (!keep) {
    errno = ENOMEM;
    return -1;
  }
  memcpy(keep, buf, len);
  c->outer_pending = keep;
  c->outer_pending_len = len;
  c->outer_want = st;
  return (long)len;
}

static long outer_recv(void *io_ctx, void *buf, size_t len) {
  struct hr_conn *c = io_ctx;
  if (flush_pending(c) != 0)
    return -1;
  size_t got = 0;
  httpr_error scratch = {0};
  enum hr_tls_status st =
      c->outer_provider->read(c->outer, buf, len, &got, &scratch);
  if (st == HR_TLS_DONE)
    return (long)got;
  if (st == HR_TLS_CLOSED)
    return 0;
  if (!is_want(st))
    return outer_broke();
  c->outer_want = st;
  errno = EAGAIN;
  return -1;
}

struct hr_tls_io hr_outer_tls_io(struct hr_conn *c) {
  return (struct hr_tls_io){
      .send = outer_send, .recv = outer_recv, .io_ctx = c};
}

enum hr_tls_status hr_outer_want(const struct hr_conn *c,
                                 enum hr_tls_status st) {
  if (c->outer && is_want(st) && c->outer_want)
    return c->outer_want;
  /* Bytes still pending need the socket writable whatever the inner
   * layer waits for, or nothing would ever push them. */
  if (c->outer && st == HR_TLS_WANT_READ && c->outer_pending_len)
    return HR_TLS_WANT_WRITE;
  return st;
}

enum hr_tls_status hr_outer_read(struct hr_conn *c, void *buf, size_t cap,
                                 size_t *got, httpr_error *err) {
  return c->outer_provider->read(c->outer, buf, cap, got, err);
}

enum hr_tls_status hr_outer_write(struct hr_conn *c, const void *buf,
                                  size_t len, size_t *put, httpr_error *err) {
  return c->outer_provider->write(c->outer, buf, len, put, err);
}

void hr_outer_close(struct hr_conn *c, int graceful) {
  if (!c->outer)
    return;
  if (graceful && flush_pending(c) == 0) {
    httpr_error scratch = {0};
    c->outer_provider->shutdown(c->outer, &scratch);
  }
  c->outer_provider->connection_free(c->outer);
  c->outer = NULL;
  free(c->outer_pending);
  c->outer_pending = NULL;
  c->outer_pending_len = 0;
}
