/* SPDX-License-Identifier: MIT */
/*
 * test_pool.c - the pool's bookkeeping over real sockets (socketpairs, no
 * TLS): reuse of the most recent idle connection, liveness (a peer that
 * closed is not handed out), the per-origin and total limits (room made
 * by closing an idle connection in the way, else a bounded wait that a
 * returning connection ends), fresh borrows, idle expiry and the idle
 * cap, the session cache, and HTTP/2 connections shared by many users
 * (over cleartext socketpairs: the pool only needs the session to exist).
 * The conformance suite proves the same behaviour end to end on every
 * provider.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "pool/pool.h"
#include "protocol/h2.h"
#include "common/clock.h"
#include "tests/test_timeout.h"

#define KEY_A "https://a.test:443"
#define KEY_B "https://b.test:443"

/* A connection to key over one end of a socketpair, as the pool keeps
 * it; *peer gets the other end. */
static struct hr_pool_conn *conn_new(struct hr_pool *pool, const char *key,
                                     int *peer) {
  int sv[2];
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  struct hr_conn *c = calloc(1, sizeof(*c));
  assert_non_null(c);
  c->fd = sv[0];
  *peer = sv[1];
  struct hr_pool_conn *pc = hr_pool_conn_new(pool, key, c);
  assert_non_null(pc);
  assert_ptr_equal(pc->conn, c);
  assert_string_equal(pc->key, key);
  return pc;
}

static struct hr_pool *pool_with(size_t max_idle, long idle_ms,
                                 size_t per_origin, size_t total) {
  struct hr_pool_limits l = {max_idle, idle_ms, per_origin, total};
  struct hr_pool *pool = hr_pool_new(&l, free);
  assert_non_null(pool);
  return pool;
}

/* Borrows a slot for key that must be new (no idle connection given).
 * Waits that are not what a test measures are stretched by
 * HTTPR_TEST_TIMEOUT_MULTIPLIER. */
static void take_new_slot(struct hr_pool *pool, const char *key) {
  struct hr_pool_conn *c = NULL;
  httpr_error err = {0};
  long wait_ms = test_timeout_ms(1000);
  assert_int_equal(
      hr_pool_acquire(pool, key, 0, hr_now_ms() + wait_ms, wait_ms, &c, &err),
      HTTPR_OK);
  assert_null(c);
}

static httpr_code borrow(struct hr_pool *pool, const char *key, int fresh,
                         long wait_ms, struct hr_pool_conn **c) {
  httpr_error err = {0};
  wait_ms = test_timeout_ms(wait_ms);
  return hr_pool_acquire(pool, key, fresh, hr_now_ms() + wait_ms, wait_ms, c,
                         &err);
}

static httpr_code borrow_shared(struct hr_pool *pool, const char *key,
                                struct hr_pool_conn **c) {
  httpr_error err = {0};
  long wait_ms = test_timeout_ms(2000);
  return hr_pool_acquire(pool, key, HR_POOL_SHARE, hr_now_ms() + wait_ms,
                         wait_ms, c, &err);
}

static void reuses_most_recent_live(void **state) {
  (void)state;
  struct hr_pool *pool = pool_with(4, 0, 0, 0);
  int peer1, peer2;
  take_new_slot(pool, KEY_A);
  struct hr_pool_conn *c1 = conn_new(pool, KEY_A, &peer1);
  take_new_slot(pool, KEY_A);
  struct hr_pool_conn *c2 = conn_new(pool, KEY_A, &peer2);
  hr_pool_put(pool, c1);
  hr_pool_put(pool, c2);
  struct hr_pool_conn *got = NULL;
  assert_int_equal(borrow(pool, KEY_A, 0, 100, &got), HTTPR_OK);
  assert_ptr_equal(got, c2);
  hr_pool_put(pool, got);
  /* The peer of c2 goes away: c2 is closed, c1 handed out instead. */
  close(peer2);
  assert_int_equal(borrow(pool, KEY_A, 0, 100, &got), HTTPR_OK);
  assert_ptr_equal(got, c1);
  hr_pool_discard(pool, got, 0);
  /* Nothing idle of another origin is ever handed out. */
  assert_int_equal(borrow(pool, KEY_B, 0, 100, &got), HTTPR_OK);
  assert_null(got);
  hr_pool_cancel(pool, KEY_B);
  close(peer1);
  hr_pool_free(pool);
}

static void per_origin_limit_waits_then_times_out(void **state) {
  (void)state;
  struct hr_pool *pool = pool_with(4, 0, 1, 0);
  take_new_slot(pool, KEY_A);
  struct hr_pool_conn *got = NULL;
  int64_t t0 = hr_now_ms();
  httpr_error err = {0};
  assert_int_equal(
      hr_pool_acquire(pool, KEY_A, 0, hr_now_ms() + 150, 150, &got, &err),
      HTTPR_E_TIMEOUT);
  assert_true(hr_now_ms() - t0 >= 140);
  assert_non_null(strstr(err.message, "150 ms"));
  /* Another origin is not held back by this one's limit. */
  take_new_slot(pool, KEY_B);
  hr_pool_cancel(pool, KEY_B);
  hr_pool_cancel(pool, KEY_A);
  take_new_slot(pool, KEY_A); /* the slot came back */
  hr_pool_cancel(pool, KEY_A);
  hr_pool_free(pool);
}

struct giver {
  struct hr_pool *pool;
  struct hr_pool_conn *conn;
};

static void *give_back_later(void *arg) {
  struct giver *g = arg;
  usleep(100 * 1000);
  hr_pool_put(g->pool, g->conn);
  return NULL;
}

static void waiter_gets_returned_connection(void **state) {
  (void)state;
  struct hr_pool *pool = pool_with(4, 0, 1, 0);
  int peer;
  take_new_slot(pool, KEY_A);
  struct giver g = {pool, conn_new(pool, KEY_A, &peer)};
  pthread_t tid;
  assert_int_equal(pthread_create(&tid, NULL, give_back_later, &g), 0);
  struct hr_pool_conn *got = NULL;
  assert_int_equal(borrow(pool, KEY_A, 0, 5000, &got), HTTPR_OK);
  assert_ptr_equal(got, g.conn);
  pthread_join(tid, NULL);
  hr_pool_discard(pool, got, 0);
  close(peer);
  hr_pool_free(pool);
}

static void fresh_borrow_evicts_idle_in_the_way(void **state) {
  (void)state;
  struct hr_pool *pool = pool_with(4, 0, 1, 0);
  int peer;
  take_new_slot(pool, KEY_A);
  hr_pool_put(pool, conn_new(pool, KEY_A, &peer));
  struct hr_pool_conn *got = NULL;
  assert_int_equal(borrow(pool, KEY_A, 1, 100, &got), HTTPR_OK);
  assert_null(got); /* a new slot: the idle one was closed for it */
  char byte;
  assert_int_equal(read(peer, &byte, 1), 0); /* its socket is closed */
  hr_pool_cancel(pool, KEY_A);
  close(peer);
  hr_pool_free(pool);
}

static void total_limit_closes_idle_of_other_origin(void **state) {
  (void)state;
  struct hr_pool *pool = pool_with(4, 0, 0, 1);
  int peer;
  take_new_slot(pool, KEY_A);
  hr_pool_put(pool, conn_new(pool, KEY_A, &peer));
  take_new_slot(pool, KEY_B); /* room made by closing A's idle one */
  char byte;
  assert_int_equal(read(peer, &byte, 1), 0);
  struct hr_pool_conn *got = NULL;
  assert_int_equal(borrow(pool, KEY_A, 0, 50, &got), HTTPR_E_TIMEOUT);
  hr_pool_cancel(pool, KEY_B);
  close(peer);
  hr_pool_free(pool);
}

static void idle_expiry_and_cap(void **state) {
  (void)state;
  struct hr_pool *pool = pool_with(1, 100, 0, 0);
  int peer1, peer2;
  take_new_slot(pool, KEY_A);
  take_new_slot(pool, KEY_A);
  struct hr_pool_conn *c2 = conn_new(pool, KEY_A, &peer2);
  hr_pool_put(pool, conn_new(pool, KEY_A, &peer1));
  hr_pool_put(pool, c2); /* over the cap: the first is closed */
  char byte;
  assert_int_equal(read(peer1, &byte, 1), 0);
  usleep(200 * 1000);
  struct hr_pool_conn *got = NULL;
  assert_int_equal(borrow(pool, KEY_A, 0, 100, &got), HTTPR_OK);
  assert_null(got); /* c2 expired */
  assert_int_equal(read(peer2, &byte, 1), 0);
  hr_pool_cancel(pool, KEY_A);
  close(peer1);
  close(peer2);
  hr_pool_free(pool);
}

static void no_idle_kept_at_zero(void **state) {
  (void)state;
  struct hr_pool *pool = pool_with(0, 0, 0, 0);
  int peer;
  take_new_slot(pool, KEY_A);
  hr_pool_put(pool, conn_new(pool, KEY_A, &peer));
  char byte;
  assert_int_equal(read(peer, &byte, 1), 0);
  close(peer);
  hr_pool_free(pool);
}

static char *object(const char *text) {
  char *o = strdup(text);
  assert_non_null(o);
  return o;
}

static void sessions_per_key(void **state) {
  (void)state;
  struct hr_pool *pool = pool_with(4, 0, 0, 0);
  assert_null(hr_pool_session_get(pool, KEY_A));
  hr_pool_session_put(pool, KEY_A, object("one"));
  assert_null(hr_pool_session_get(pool, KEY_B));
  struct hr_pool_session *one = hr_pool_session_get(pool, KEY_A);
  assert_non_null(one);
  assert_string_equal(one->object, "one");
  /* Replaced while in use: the user's reference keeps it alive. */
  hr_pool_session_put(pool, KEY_A, object("two"));
  assert_string_equal(one->object, "one");
  hr_pool_session_release(pool, one); /* freed now (valgrind checks) */
  struct hr_pool_session *two = hr_pool_session_get(pool, KEY_A);
  assert_string_equal(two->object, "two");
  hr_pool_session_release(pool, two);
  hr_pool_session_put(pool, KEY_A, NULL); /* drops */
  assert_null(hr_pool_session_get(pool, KEY_A));
  hr_pool_session_put(pool, KEY_B, object("kept")); /* freed with the pool */
  hr_pool_free(pool);
}

/* A connection carrying an HTTP/2 session, as one opened to key. */
static struct hr_pool_conn *h2_conn_new(struct hr_pool *pool, const char *key,
                                        int *peer) {
  struct hr_pool_conn *c = conn_new(pool, key, peer);
  httpr_error err = {0};
  assert_int_equal(hr_h2_attach(c->conn, 1 << 16, NULL, NULL, &c->h2, &err),
                   HTTPR_OK);
  assert_non_null(c->h2);
  return c;
}

static void h2_connection_shared_until_retired(void **state) {
  (void)state;
  struct hr_pool *pool = pool_with(4, 0, 1, 0);
  int peer;
  take_new_slot(pool, KEY_A);
  struct hr_pool_conn *c = h2_conn_new(pool, KEY_A, &peer);
  hr_pool_opened(pool, c);
  /* Shared: a second and third user get it, the origin limit of 1
   * notwithstanding. */
  struct hr_pool_conn *got = NULL;
  assert_int_equal(borrow_shared(pool, KEY_A, &got), HTTPR_OK);
  assert_ptr_equal(got, c);
  assert_int_equal(borrow_shared(pool, KEY_A, &got), HTTPR_OK);
  assert_ptr_equal(got, c);
  assert_int_equal(c->users, 3);
  hr_pool_release(pool, c, 1);
  hr_pool_release(pool, c, 1);
  hr_pool_release(pool, c, 1);
  /* Idle, still shared. */
  assert_int_equal(borrow_shared(pool, KEY_A, &got), HTTPR_OK);
  assert_ptr_equal(got, c);
  /* Retired (a GOAWAY): nobody new gets it; closed with its last user. */
  hr_pool_release(pool, c, 0);
  char byte;
  assert_int_equal(read(peer, &byte, 1), 0);
  take_new_slot(pool, KEY_A);
  hr_pool_cancel(pool, KEY_A);
  close(peer);
  hr_pool_free(pool);
}

struct opener {
  struct hr_pool *pool;
  struct hr_pool_conn *conn;
  int peer;
};

static void *open_h2_later(void *arg) {
  struct opener *o = arg;
  usleep(100 * 1000);
  o->conn = h2_conn_new(o->pool, KEY_A, &o->peer);
  hr_pool_opened(o->pool, o->conn);
  return NULL;
}

/* While a connection that may turn out HTTP/2 is being opened, another
 * request waits for it rather than opening one of its own. */
static void waits_for_probing_connection(void **state) {
  (void)state;
  struct hr_pool *pool = pool_with(4, 0, 0, 0);
  struct hr_pool_conn *got = NULL;
  httpr_error err = {0};
  long wait_ms = test_timeout_ms(1000);
  assert_int_equal(hr_pool_acquire(pool, KEY_A, HR_POOL_SHARE,
                                   hr_now_ms() + wait_ms, wait_ms, &got, &err),
                   HTTPR_OK);
  assert_null(got); /* the slot of the one opening */
  struct opener o = {pool, NULL, -1};
  pthread_t tid;
  assert_int_equal(pthread_create(&tid, NULL, open_h2_later, &o), 0);
  assert_int_equal(borrow_shared(pool, KEY_A, &got), HTTPR_OK);
  pthread_join(tid, NULL);
  assert_ptr_equal(got, o.conn);
  hr_pool_release(pool, got, 1);
  hr_pool_release(pool, got, 1);
  close(o.peer);
  hr_pool_free(pool); /* closes the idle shared connection */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(reuses_most_recent_live),
      cmocka_unit_test(per_origin_limit_waits_then_times_out),
      cmocka_unit_test(waiter_gets_returned_connection),
      cmocka_unit_test(fresh_borrow_evicts_idle_in_the_way),
      cmocka_unit_test(total_limit_closes_idle_of_other_origin),
      cmocka_unit_test(idle_expiry_and_cap),
      cmocka_unit_test(no_idle_kept_at_zero),
      cmocka_unit_test(sessions_per_key),
      cmocka_unit_test(h2_connection_shared_until_retired),
      cmocka_unit_test(waits_for_probing_connection),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
