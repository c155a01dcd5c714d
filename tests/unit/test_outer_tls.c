/* SPDX-License-Identifier: MIT */
/*
 * test_outer_tls.c - unit tests of the layer under TLS in TLS
 * (protocol/outer_tls.c) over a fake outer provider in memory, for what
 * loopback never shows: an outer write that blocks (its bytes kept,
 * reported sent, repeated as they were and pushed before anything new or
 * any read), which way the outer layer waits becoming the inner one's
 * want, and the outer end of stream or failure seen by the inner layer.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/outer_tls.h"

/* The fake outer connection: writes go to sink unless blocked; reads
 * come from source, else st_read says what happens. */
struct fake {
  int blocked; /* write: WANT_WRITE */
  char sink[256];
  size_t sunk;
  char last_refused[64]; /* what the write it refused was given */
  size_t last_refused_len;
  int repeat_mismatch; /* a refused write not repeated as it was */
  const char *source;
  size_t source_len;
  enum hr_tls_status st_read; /* once source is empty */
  int shutdowns;
};

static enum hr_tls_status fake_write(void *conn, const void *buf, size_t len,
                                     size_t *put, httpr_error *err) {
  (void)err;
  struct fake *f = conn;
  if (f->last_refused_len &&
      (len != f->last_refused_len || memcmp(buf, f->last_refused, len) != 0))
    f->repeat_mismatch = 1;
  if (f->blocked) {
    memcpy(f->last_refused, buf, len < 64 ? len : 64);
    f->last_refused_len = len < 64 ? len : 64;
    return HR_TLS_WANT_WRITE;
  }
  f->last_refused_len = 0;
  memcpy(f->sink + f->sunk, buf, len);
  f->sunk += len;
  *put = len;
  return HR_TLS_DONE;
}

static enum hr_tls_status fake_read(void *conn, void *buf, size_t cap,
                                    size_t *got, httpr_error *err) {
  (void)err;
  struct fake *f = conn;
  if (f->source_len == 0)
    return f->st_read;
  size_t n = cap < f->source_len ? cap : f->source_len;
  memcpy(buf, f->source, n);
  f->source += n;
  f->source_len -= n;
  *got = n;
  return HR_TLS_DONE;
}

static enum hr_tls_status fake_shutdown(void *conn, httpr_error *err) {
  (void)err;
  ((struct fake *)conn)->shutdowns++;
  return HR_TLS_DONE;
}

static void fake_free(void *conn) { (void)conn; }

static const struct hr_tls_provider fake_provider = {
    .name = "fake",
    .read = fake_read,
    .write = fake_write,
    .shutdown = fake_shutdown,
    .connection_free = fake_free,
};

static struct hr_conn conn_over(struct fake *f) {
  return (struct hr_conn){
      .fd = -1, .outer_provider = &fake_provider, .outer = f};
}

static void blocked_write_kept_and_pushed_first(void **state) {
  (void)state;
  struct fake f = {.blocked = 1, .st_read = HR_TLS_WANT_READ};
  struct hr_conn c = conn_over(&f);
  struct hr_tls_io io = hr_outer_tls_io(&c);
  /* Taken whole though the outer layer blocked. */
  assert_int_equal(io.send(io.io_ctx, "hello", 5), 5);
  assert_int_equal(c.outer_want, HR_TLS_WANT_WRITE);
  assert_int_equal(c.outer_pending_len, 5);
  /* Nothing new while they wait; a read waits for writable. */
  c.outer_want = 0;
  errno = 0;
  assert_int_equal(io.send(io.io_ctx, "world", 5), -1);
  assert_int_equal(errno, EAGAIN);
  assert_int_equal(c.outer_want, HR_TLS_WANT_WRITE);
  char buf[16];
  c.outer_want = 0;
  assert_int_equal(io.recv(io.io_ctx, buf, sizeof(buf)), -1);
  assert_int_equal(errno, EAGAIN);
  assert_int_equal(hr_outer_want(&c, HR_TLS_WANT_READ), HR_TLS_WANT_WRITE);
  /* Unblocked: the kept bytes go first, then the new ones. */
  f.blocked = 0;
  assert_int_equal(io.send(io.io_ctx, "world", 5), 5);
  assert_int_equal(f.sunk, 10);
  assert_memory_equal(f.sink, "helloworld", 10);
  assert_int_equal(f.repeat_mismatch, 0);
  assert_int_equal(c.outer_pending_len, 0);
  hr_outer_close(&c, 1);
  assert_int_equal(f.shutdowns, 1);
  assert_null(c.outer);
  assert_null(c.outer_pending);
}

static void pending_pushed_by_a_read(void **state) {
  (void)state;
  struct fake f = {.blocked = 1, .source = "reply", .source_len = 5};
  struct hr_conn c = conn_over(&f);
  struct hr_tls_io io = hr_outer_tls_io(&c);
  assert_int_equal(io.send(io.io_ctx, "ask", 3), 3);
  f.blocked = 0;
  char buf[16];
  assert_int_equal(io.recv(io.io_ctx, buf, sizeof(buf)), 5);
  assert_memory_equal(buf, "reply", 5);
  assert_int_equal(f.sunk, 3);
  assert_memory_equal(f.sink, "ask", 3);
  /* Graceful close with nothing pending: close_notify goes. */
  hr_outer_close(&c, 1);
  assert_int_equal(f.shutdowns, 1);
}

static void wants_and_ends(void **state) {
  (void)state;
  struct fake f = {.st_read = HR_TLS_WANT_WRITE};
  struct hr_conn c = conn_over(&f);
  struct hr_tls_io io = hr_outer_tls_io(&c);
  char buf[8];
  /* The outer read waits for writable (a renegotiation, a key update):
   * the inner layer's want-read becomes it. */
  assert_int_equal(io.recv(io.io_ctx, buf, sizeof(buf)), -1);
  assert_int_equal(errno, EAGAIN);
  assert_int_equal(hr_outer_want(&c, HR_TLS_WANT_READ), HR_TLS_WANT_WRITE);
  assert_int_equal(hr_outer_want(&c, HR_TLS_DONE), HR_TLS_DONE);
  f.st_read = HR_TLS_CLOSED;
  assert_int_equal(io.recv(io.io_ctx, buf, sizeof(buf)), 0);
  f.st_read = HR_TLS_ERROR;
  assert_int_equal(io.recv(io.io_ctx, buf, sizeof(buf)), -1);
  assert_int_equal(errno, ECONNRESET);
  /* Without an outer layer nothing changes. */
  struct hr_conn plain = {.fd = -1, .outer_want = HR_TLS_WANT_WRITE};
  assert_int_equal(hr_outer_want(&plain, HR_TLS_WANT_READ), HR_TLS_WANT_READ);
  hr_outer_close(&plain, 1);
  hr_outer_close(&c, 0);
  assert_int_equal(f.shutdowns, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(blocked_write_kept_and_pushed_first),
      cmocka_unit_test(pending_pushed_by_a_read),
      cmocka_unit_test(wants_and_ends),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
