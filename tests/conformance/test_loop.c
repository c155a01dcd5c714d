/* SPDX-License-Identifier: MIT */
/*
 * test_loop.c - the promises of the event-loop API (httpr_loop) that a
 * loop of the caller's relies on, over each provider: in socket mode
 * every descriptor the socket callback names is open, when it is added
 * and when it is removed (the engine lets go of a descriptor before it
 * closes it, so a number that comes back for another socket is never
 * confused), each is removed once the transfers end, and the timer
 * callback gives the next time to act; every transfer, HTTP/1.1 and
 * HTTP/2, ending well or not, gets exactly one completion. The loops
 * here are poll() loops of the test's own; tests/loop/ drives libuv and
 * libevent.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "tests/conformance/suite.h"
#include "tests/test_timeout.h"

#define MAX_FDS 256

/* The test's loop: the descriptors the engine asked for, and its timer. */
struct my_loop {
  struct pollfd fds[MAX_FDS];
  int n;
  double timer_at; /* now_s() when to act, < 0: none */
  int bad_fd;      /* a callback named a closed descriptor */
  int double_add;  /* a descriptor added twice */
  int adds, removes;
};

struct outcome {
  int completions;
  httpr_code code;
  int status;
};

static void on_socket(int fd, int what, void *ud) {
  struct my_loop *l = ud;
  if (fcntl(fd, F_GETFD) < 0 && errno == EBADF)
    l->bad_fd = 1;
  int i = 0;
  while (i < l->n && l->fds[i].fd != fd)
    i++;
  if (what & HTTPR_POLL_REMOVE) {
    if (i < l->n) {
      l->fds[i] = l->fds[--l->n];
      l->removes++;
    }
    return;
  }
  if (i == l->n) {
    if (l->n == MAX_FDS)
      return;
    l->fds[l->n++].fd = fd;
    l->adds++;
  }
  l->fds[i].events = (short)(((what & HTTPR_POLL_IN) ? POLLIN : 0) |
                             ((what & HTTPR_POLL_OUT) ? POLLOUT : 0));
}

static void on_timer(long ms, void *ud) {
  struct my_loop *l = ud;
  l->timer_at = ms < 0 ? -1 : now_s() + ms / 1000.0;
}

static void on_done(httpr_transfer *t, httpr_code code, httpr_response *resp,
                    const httpr_error *err, void *ud) {
  (void)t;
  (void)err;
  struct outcome *o = ud;
  o->completions++;
  o->code = code;
  o->status = resp ? httpr_response_status(resp) : 0;
  httpr_response_free(resp);
}

/* Runs the loop until nothing runs (or 30 s times the multiplier). */
static void run(httpr_loop *loop, struct my_loop *l) {
  size_t running = 1;
  double end = now_s() + 30 * test_timeout_factor();
  for (int rounds = 0; running && now_s() < end && rounds < 1000000;
       rounds++) {
    int wait = 1000;
    if (l->timer_at >= 0) {
      double left = l->timer_at - now_s();
      wait = left <= 0 ? 0 : left < 1 ? (int)(left * 1000) + 1 : 1000;
    }
    struct pollfd ready[MAX_FDS];
    int n = l->n;
    memcpy(ready, l->fds, sizeof(*ready) * (size_t)n);
    int got = poll(ready, (nfds_t)n, wait);
    for (int i = 0; got > 0 && i < n; i++) {
      if (!ready[i].revents)
        continue;
      int ev = ((ready[i].revents & (POLLIN | POLLHUP | POLLERR))
                    ? HTTPR_POLL_IN
                    : 0) |
               ((ready[i].revents & POLLOUT) ? HTTPR_POLL_OUT : 0);
      httpr_loop_act(loop, ready[i].fd, ev, &running);
    }
    if (l->timer_at >= 0 && now_s() >= l->timer_at) {
      l->timer_at = -1;
      httpr_loop_act(loop, HTTPR_LOOP_TIMER, 0, &running);
    }
  }
  assert_int_equal(running, 0);
}

#define EACH 20

static void loop_socket_mode_descriptors(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_max_connections_per_origin(cfg, 3), HTTPR_OK);
  httpr_client *client = client_of(cfg);
  httpr_config *h2cfg = cfg_new();
  assert_code(httpr_config_set_http_policy(h2cfg, HTTPR_HTTP2_ONLY), HTTPR_OK);
  httpr_client *h2client = client_of(h2cfg);
  struct my_loop l = {.timer_at = -1};
  httpr_loop *loop = NULL;
  assert_code(httpr_loop_new(&loop, NULL), HTTPR_OK);
  assert_code(httpr_loop_set_socket_cb(loop, on_socket, &l), HTTPR_OK);
  assert_code(httpr_loop_set_timer_cb(loop, on_timer, &l), HTTPR_OK);
  /* What each kind must give. */
  struct {
    httpr_client *client;
    const char *url;
    httpr_code code;
  } kinds[] = {
      {client, url_of(SRV_GOOD_ECDSA, NULL, "/bytes/70000"), HTTPR_OK},
      {h2client, url_of(SRV_H2, NULL, "/bytes/70000"), HTTPR_OK},
      {client, url_of(SRV_UNTRUSTED, NULL, "/"), HTTPR_E_CERT_UNTRUSTED},
      {client, url_of(SRV_PLAIN, NULL, "/bytes/10"), HTTPR_OK},
  };
  size_t nk = sizeof(kinds) / sizeof(kinds[0]);
  httpr_request *reqs[4];
  static struct outcome out[4][EACH];
  memset(out, 0, sizeof(out));
  for (size_t k = 0; k < nk; k++) {
    assert_code(httpr_request_new(&reqs[k], "GET", kinds[k].url, NULL),
                HTTPR_OK);
    for (int i = 0; i < EACH; i++)
      assert_code(httpr_loop_add(loop, kinds[k].client, reqs[k], on_done,
                                 &out[k][i], NULL, NULL),
                  HTTPR_OK);
  }
  run(loop, &l);
  for (size_t k = 0; k < nk; k++) {
    for (int i = 0; i < EACH; i++) {
      assert_int_equal(out[k][i].completions, 1);
      assert_code(out[k][i].code, kinds[k].code);
      if (kinds[k].code == HTTPR_OK)
        assert_int_equal(out[k][i].status, 200);
    }
  }
  assert_false(l.bad_fd);
  assert_int_equal(l.n, 0); /* every descriptor given back */
  assert_int_equal(l.adds, l.removes);
  assert_true(l.adds > 0);
  httpr_loop_free(loop);
  for (size_t k = 0; k < nk; k++)
    httpr_request_free(reqs[k]);
  httpr_client_free(client);
  httpr_client_free(h2client);
  httpr_config_free(cfg);
  httpr_config_free(h2cfg);
}

/* Cancelled transfers, and the loop freed with transfers running: each
 * gets its one completion, HTTPR_E_CANCELLED. */
static void loop_cancel_and_free(void **state) {
  (void)state;
  httpr_client *client = client_of(NULL);
  httpr_loop *loop = NULL;
  assert_code(httpr_loop_new(&loop, NULL), HTTPR_OK);
  httpr_request *req = NULL;
  assert_code(httpr_request_new(&req, "GET",
                                url_of(SRV_GOOD_ECDSA, NULL, delay_path(2000)),
                                NULL),
              HTTPR_OK);
  struct outcome a = {0}, b = {0}, c = {0};
  httpr_transfer *ta = NULL;
  assert_code(httpr_loop_add(loop, client, req, on_done, &a, &ta, NULL),
              HTTPR_OK);
  assert_code(httpr_loop_add(loop, client, req, on_done, &b, NULL, NULL),
              HTTPR_OK);
  assert_code(httpr_loop_add(loop, client, req, on_done, &c, NULL, NULL),
              HTTPR_OK);
  httpr_transfer_cancel(ta); /* before it ran: its completion comes now */
  assert_int_equal(a.completions, 1);
  assert_code(a.code, HTTPR_E_CANCELLED);
  size_t running = 0;
  assert_code(httpr_loop_perform(loop, 50, &running), HTTPR_OK);
  assert_int_equal(running, 2);
  /* A loop with a socket callback cannot be performed, nor a running
   * one be given callbacks. */
  assert_code(httpr_loop_set_socket_cb(loop, on_socket, NULL),
              HTTPR_E_INVALID);
  httpr_loop_free(loop); /* the two still running end here */
  assert_int_equal(b.completions, 1);
  assert_code(b.code, HTTPR_E_CANCELLED);
  assert_int_equal(c.completions, 1);
  assert_code(c.code, HTTPR_E_CANCELLED);
  httpr_request_free(req);
  httpr_client_free(client);
}

const struct CMUnitTest loop_tests[] = {
    cmocka_unit_test(loop_socket_mode_descriptors),
    cmocka_unit_test(loop_cancel_and_free),
};
const size_t loop_tests_count = COUNT_OF(loop_tests);
