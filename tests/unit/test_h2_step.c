/* SPDX-License-Identifier: MIT */
/*
 * test_h2_step.c - HTTP/2 streams stepped from one poll loop, as the
 * event-loop engine will (protocol/h2.h): three TLS connections (ALPN h2)
 * to the test server, 20 streams on each, all driven by one owner through
 * hr_h2_want / poll / hr_h2_turn, every body checked byte for byte; on
 * the same connections one stream is cancelled from its own body callback
 * mid-body and one times out (inactivity) while the others finish. The
 * owner alone never creates an eventfd. A second test shares a connection
 * between the loop and a thread running hr_h2_exchange, each an owner of
 * its own. Every provider built in; loopback only; every loop bounded.
 */
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/internal.h"
#include "api/tls_context.h"
#include "common/clock.h"
#include "protocol/h2.h"
#include "tests/h2_drive.h"
#include "tests/conformance/server.h"
#include "tests/test_timeout.h"

#define CONNS 3
#define PER_CONN 20
#define CANCEL_AFTER (100 * 1024) /* body bytes of /endless before cancel */
#define IDLE_MS 300               /* the timing-out stream's inactivity */

static struct {
  const char *pki_dir;
  pid_t pid;
  int port;
} g;

/* One request and what its callbacks saw. */
struct rq {
  struct hr_url url;
  struct hr_h2_request h2rq;
  struct hr_bounds bounds;
  struct hr_h2_stream *s;
  struct hr_h2 *h2; /* for the cancel from the callback */
  httpr_error err;
  size_t want_len; /* /bytes/N: N */
  int status;
  size_t got;
  int bad_byte; /* a body byte off the pattern */
  int cancel;   /* frees its own stream after CANCEL_AFTER bytes */
  int cancelled;
  int after_cancel; /* callbacks after the cancel: must stay 0 */
  int done;
  httpr_code rc;
};

static httpr_code on_status(void *ud, int version, int status,
                            const char *reason, size_t len, httpr_error *err) {
  (void)reason;
  (void)len;
  (void)err;
  struct rq *r = ud;
  r->after_cancel += r->cancelled;
  assert_int_equal(version, 20);
  r->status = status;
  return HTTPR_OK;
}

static httpr_code on_header(void *ud, const char *n, size_t nl, const char *v,
                            size_t vl, httpr_error *err) {
  (void)n;
  (void)nl;
  (void)v;
  (void)vl;
  (void)err;
  struct rq *r = ud;
  r->after_cancel += r->cancelled;
  return HTTPR_OK;
}

static httpr_code on_head_done(void *ud, httpr_error *err) {
  (void)err;
  struct rq *r = ud;
  r->after_cancel += r->cancelled;
  return HTTPR_OK;
}

static httpr_code on_body(void *ud, const char *data, size_t len,
                          httpr_error *err) {
  (void)err;
  struct rq *r = ud;
  r->after_cancel += r->cancelled;
  for (size_t i = 0; i < len; i++)
    if (data[i] != (char)('a' + (r->got + i) % 26))
      r->bad_byte = 1;
  r->got += len;
  if (r->cancel && !r->cancelled && r->got >= CANCEL_AFTER) {
    r->cancelled = 1;
    hr_h2_stream_free(r->h2, r->s); /* from its own callback */
    r->s = NULL;
  }
  return HTTPR_OK;
}

static const struct hr_h1_callbacks callbacks = {on_status, on_header,
                                                 on_head_done, on_body};

static void rq_init(struct rq *r, struct hr_h2 *h2, const char *path,
                    long inactivity_ms) {
  memset(r, 0, sizeof(*r));
  char url[128];
  snprintf(url, sizeof(url), "https://localhost:%d%s", g.port, path);
  httpr_error err;
  assert_int_equal(hr_url_parse(url, &r->url, &err), HTTPR_OK);
  r->h2rq = (struct hr_h2_request){.method = "GET", .url = &r->url};
  struct hr_limits lim = {.total_ms = test_timeout_ms(30000),
                          .inactivity_ms = inactivity_ms};
  hr_bounds_start(&r->bounds, &lim, hr_deadline_in(lim.total_ms));
  r->h2 = h2;
}

static void rq_start(struct rq *r, struct hr_h2_owner *owner) {
  r->s = hr_h2_stream_start(r->h2, owner, &r->h2rq, &callbacks, r, &r->bounds,
                            &r->err, NULL);
  assert_non_null(r->s);
}

/* Collects r once its stream is done (a cancelled one is gone already). */
static void rq_collect(struct rq *r) {
  if (r->done || !r->s)
    return;
  struct hr_h2_outcome out;
  if (!hr_h2_stream_done(r->s, &r->rc, &out, NULL))
    return;
  r->done = 1;
  if (r->rc == HTTPR_OK)
    assert_true(out.bytes_in >= r->got);
  hr_h2_stream_free(r->h2, r->s);
  r->s = NULL;
}

/* A TLS connection to the server with HTTP/2 on it. */
static struct hr_h2 *open_h2(httpr_client *client, struct hr_conn **conn) {
  void *ctx = NULL;
  httpr_error err;
  assert_int_equal(hr_client_tls_context(client, 0, &ctx, &err), HTTPR_OK);
  struct hr_connect_params p = {.host = "localhost",
                                .port = g.port,
                                .pin_address = "127.0.0.1",
                                .provider = client->provider,
                                .tls_ctx = ctx,
                                .connect_deadline =
                                    hr_deadline_in(test_timeout_ms(10000)),
                                .total_deadline = HR_NO_DEADLINE,
                                .connect_timeout_ms = test_timeout_ms(10000)};
  struct hr_conn_times times;
  httpr_code rc = hr_conn_open(&p, conn, &times, &err);
  if (rc != HTTPR_OK)
    fail_msg("%s: %s", client->provider->name, err.message);
  assert_string_equal((*conn)->info.alpn, "h2");
  struct hr_h2 *h2 = NULL;
  assert_int_equal(hr_h2_attach(*conn, 64 * 1024, NULL, NULL, &h2, &err),
                   HTTPR_OK);
  return h2;
}

static httpr_client *client_for(const char *provider) {
  httpr_config *cfg = httpr_config_new();
  assert_non_null(cfg);
  char ca[512];
  snprintf(ca, sizeof(ca), "%s/ca-bundle.pem", g.pki_dir);
  assert_int_equal(httpr_config_set_ca_file(cfg, ca), HTTPR_OK);
  assert_int_equal(httpr_config_set_tls_backend(cfg, provider), HTTPR_OK);
  httpr_client *client = NULL;
  httpr_error err;
  assert_int_equal(httpr_client_new(&client, cfg, &err), HTTPR_OK);
  httpr_config_free(cfg);
  return client;
}

/* Steps every request of rqs on conns from one poll loop until each is
 * done or cancelled (bounded in rounds and time). */
static void run_loop(struct hr_h2 **h2s, size_t nconns, struct rq *rqs,
                     size_t n, struct hr_h2_owner *owner) {
  int64_t end = hr_deadline_in(test_timeout_ms(30000));
  for (int round = 0; round < 100000; round++) {
    size_t left = 0;
    for (size_t i = 0; i < n; i++) {
      rq_collect(&rqs[i]);
      left += !rqs[i].done && !rqs[i].cancelled;
    }
    if (!left)
      return;
    assert_true(hr_now_ms() < end);
    struct pollfd fds[CONNS * HR_H2_MAX_FDS];
    size_t first[CONNS + 1], nfds = 0;
    int64_t wake = hr_deadline_in(1000);
    for (size_t c = 0; c < nconns; c++) {
      first[c] = nfds;
      nfds += hr_h2_want(h2s[c], owner, fds + nfds, &wake);
    }
    first[nconns] = nfds;
    int64_t left_ms = wake - hr_now_ms();
    assert_true(poll(fds, nfds, left_ms < 0 ? 0 : (int)left_ms) >= 0);
    int64_t now = hr_now_ms();
    for (size_t c = 0; c < nconns; c++)
      hr_h2_turn(h2s[c], owner, fds + first[c], first[c + 1] - first[c], now);
  }
  fail_msg("the loop did not end");
}

static void check_bytes(const struct rq *r) {
  assert_int_equal(r->rc, HTTPR_OK);
  assert_int_equal(r->status, 200);
  assert_int_equal(r->got, r->want_len);
  assert_false(r->bad_byte);
}

/* One more request on a connection, the blocking way: it still works. */
static void still_works(struct hr_h2 *h2) {
  struct rq r;
  rq_init(&r, h2, "/bytes/5", 0);
  r.want_len = 5;
  struct hr_h2_outcome out;
  r.rc = hr_h2_exchange(h2, &r.h2rq, &callbacks, &r, &r.bounds, &out, &r.err);
  check_bytes(&r);
  assert_int_equal(hr_h2_accepting(h2), 1);
  hr_url_free(&r.url);
}

static void many_streams_one_loop_on(const char *provider) {
  httpr_client *client = client_for(provider);
  struct hr_conn *conns[CONNS];
  struct hr_h2 *h2s[CONNS];
  for (size_t c = 0; c < CONNS; c++)
    h2s[c] = open_h2(client, &conns[c]);
  enum { N = CONNS * PER_CONN + 2 };
  static struct rq rqs[N];
  struct hr_h2_owner owner;
  hr_h2_owner_init(&owner);
  for (size_t i = 0; i < CONNS * PER_CONN; i++) {
    char path[64];
    size_t len = 1000 + 3797 * i; /* up to ~225 KB: several windows */
    snprintf(path, sizeof(path), "/bytes/%zu", len);
    rq_init(&rqs[i], h2s[i % CONNS], path, 0);
    rqs[i].want_len = len;
  }
  struct rq *cancelled = &rqs[N - 2], *silent = &rqs[N - 1];
  rq_init(cancelled, h2s[0], "/endless", 0);
  cancelled->cancel = 1;
  rq_init(silent, h2s[1], "/silent-after-head", test_timeout_ms(IDLE_MS));
  for (size_t i = 0; i < N; i++)
    rq_start(&rqs[i], &owner);

  run_loop(h2s, CONNS, rqs, N, &owner);

  for (size_t i = 0; i < CONNS * PER_CONN; i++)
    check_bytes(&rqs[i]);
  assert_true(cancelled->cancelled);
  assert_true(cancelled->got >= CANCEL_AFTER);
  assert_int_equal(cancelled->after_cancel, 0);
  assert_false(cancelled->bad_byte);
  assert_int_equal(silent->rc, HTTPR_E_TIMEOUT);
  char msg[128];
  snprintf(msg, sizeof(msg),
           "inactivity timeout: nothing sent or received for %ld "
           "milliseconds",
           test_timeout_ms(IDLE_MS));
  assert_string_equal(silent->err.message, msg);
  assert_int_equal(silent->status, 200); /* its head came, then nothing */
  /* Alone on its connections, the owner never needed an eventfd. */
  assert_int_equal(owner.wake_fd, -1);
  hr_h2_owner_clear(&owner);
  for (size_t c = 0; c < CONNS; c++) {
    still_works(h2s[c]); /* the cancel's connection too */
    hr_h2_free(h2s[c]);
    hr_conn_close(conns[c], 0);
  }
  for (size_t i = 0; i < N; i++)
    hr_url_free(&rqs[i].url);
  httpr_client_free(client);
}

static void many_streams_one_loop(void **state) {
  (void)state;
  for (size_t i = 0; i < httpr_provider_count(); i++)
    many_streams_one_loop_on(httpr_provider_name(i));
}

/* A thread running blocking requests on a connection the loop uses. */
struct blocking {
  struct hr_h2 *h2;
  int ok;
};

static void *blocking_requests(void *arg) {
  struct blocking *b = arg;
  for (int i = 0; i < 10; i++) {
    struct rq r;
    char path[32];
    snprintf(path, sizeof(path), "/bytes/%d", 20000 + i);
    rq_init(&r, b->h2, path, 0);
    struct hr_h2_outcome out;
    r.rc =
        hr_h2_exchange(b->h2, &r.h2rq, &callbacks, &r, &r.bounds, &out, &r.err);
    b->ok += r.rc == HTTPR_OK && r.status == 200 &&
             r.got == (size_t)(20000 + i) && !r.bad_byte;
    hr_url_free(&r.url);
  }
  return NULL;
}

static void two_owners_share_a_connection_on(const char *provider) {
  httpr_client *client = client_for(provider);
  struct hr_conn *conn;
  struct hr_h2 *h2 = open_h2(client, &conn);
  static struct rq rqs[PER_CONN];
  struct hr_h2_owner owner;
  hr_h2_owner_init(&owner);
  for (size_t i = 0; i < PER_CONN; i++) {
    char path[64];
    snprintf(path, sizeof(path), "/bytes/%zu", 50000 + 1000 * i);
    rq_init(&rqs[i], h2, path, 0);
    rqs[i].want_len = 50000 + 1000 * i;
    rq_start(&rqs[i], &owner);
  }
  struct blocking b = {.h2 = h2};
  pthread_t tid;
  assert_int_equal(pthread_create(&tid, NULL, blocking_requests, &b), 0);
  run_loop(&h2, 1, rqs, PER_CONN, &owner);
  assert_int_equal(pthread_join(tid, NULL), 0);
  for (size_t i = 0; i < PER_CONN; i++)
    check_bytes(&rqs[i]);
  assert_int_equal(b.ok, 10);
  hr_h2_owner_clear(&owner);
  still_works(h2);
  hr_h2_free(h2);
  hr_conn_close(conn, 0);
  for (size_t i = 0; i < PER_CONN; i++)
    hr_url_free(&rqs[i].url);
  httpr_client_free(client);
}

static void two_owners_share_a_connection(void **state) {
  (void)state;
  for (size_t i = 0; i < httpr_provider_count(); i++)
    two_owners_share_a_connection_on(httpr_provider_name(i));
}

static int start_server(void **state) {
  (void)state;
  g.pki_dir = getenv("PKI_DIR");
  const char *bin = getenv("TEST_SERVER");
  if (!g.pki_dir || !bin) {
    fprintf(stderr, "test_h2_step: PKI_DIR and TEST_SERVER must be set\n");
    return -1;
  }
  char cert[512], key[512], secs[32];
  snprintf(cert, sizeof(cert), "%s/good-ecdsa.crt", g.pki_dir);
  snprintf(key, sizeof(key), "%s/good-ecdsa.key", g.pki_dir);
  snprintf(secs, sizeof(secs), "%ld", test_timeout_ms(120000) / 1000);
  char *argv[] = {(char *)bin,   "--cert",        cert, "--key", key, "--alpn",
                  "h2,http/1.1", "--max-seconds", secs, NULL};
  g.port = spawn_server(bin, argv, &g.pid);
  return g.port > 0 ? 0 : -1;
}

static int stop(void **state) {
  (void)state;
  stop_server(g.pid);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(many_streams_one_loop),
      cmocka_unit_test(two_owners_share_a_connection),
  };
  return cmocka_run_group_tests(tests, start_server, stop);
}
