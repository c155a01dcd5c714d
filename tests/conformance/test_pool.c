/* SPDX-License-Identifier: MIT */
/*
 * test_pool.c - the connection pool and TLS session resumption over each
 * provider: one connection for sequential requests, the per-origin and
 * total limits (shared by threads, waiting, timing out), idle expiry, idle
 * connections the server closed or drops at their next use (retried only
 * when idempotent), session resumption with TLS 1.3 and 1.2, a server that
 * refuses it, the switch that turns it off, and clients that must share
 * neither connections nor sessions. Server truth comes from the test
 * server's /conn-id (which connection) and /resumed (did it resume).
 *
 * Worker threads never call cmocka asserts (they longjmp); they record
 * what they saw and the main thread checks it.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/conformance/suite.h"
#include "tests/test_timeout.h"

/* What one request saw. id: the body as a number (/conn-id, /delay/N,
 * /drop-next, /resumed), -1 when the body is not one. */
static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000 * 1000};
  nanosleep(&ts, NULL);
}

/* GET that must succeed with 200 and a numeric body. */
static struct kept get_ok(httpr_client *client, const char *url) {
  struct kept s;
  httpr_error *err = httpr_error_new();
  assert_code_err(send_kept(client, "GET", url, NULL, &s, err), HTTPR_OK, err);
  assert_int_equal(s.status, 200);
  assert_true(s.id >= 0);
  httpr_error_free(err);
  return s;
}

/* 1 when the provider under test resumes sessions; a provider without the
 * feature must still succeed, with every handshake full. */
static int can_resume(void) {
  return (g_suite.features & HTTPR_FEATURE_SESSION_RESUME) != 0;
}

/* ---- reuse --------------------------------------------------------------- */

static void sequential_requests_one_connection(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_client *client = client_of(cfg);
  const char *url = url_of(SRV_GOOD_ECDSA, NULL, "/conn-id");
  long first = -1;
  for (int i = 0; i < 10; i++) {
    struct kept s = get_ok(client, url);
    if (i == 0)
      first = s.id;
    assert_int_equal(s.id, first);
    assert_int_equal(s.reused, i > 0);
  }
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* A request asking for a fresh connection never gets a pooled one; the
 * one it opened is pooled for the next ordinary request. */
static void fresh_connection_never_reused(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_client *client = client_of(cfg);
  const char *url = url_of(SRV_GOOD_ECDSA, NULL, "/conn-id");
  struct kept first = get_ok(client, url);
  httpr_request *req = NULL;
  httpr_response *resp = NULL;
  assert_code(httpr_request_new(&req, "GET", url, NULL), HTTPR_OK);
  assert_code(httpr_request_set_fresh_connection(req, 1), HTTPR_OK);
  long ids[3] = {first.id, 0, 0};
  for (int i = 1; i < 3; i++) {
    assert_code(httpr_client_send(client, req, &resp, NULL), HTTPR_OK);
    size_t len = 0;
    const unsigned char *body = httpr_response_body(resp, &len);
    ids[i] = strtol((const char *)body, NULL, 10);
    assert_false(httpr_response_connection_reused(resp));
    httpr_response_free(resp);
    assert_true(ids[i] != ids[i - 1] && ids[i] != ids[0]);
  }
  /* An ordinary request takes one of the pooled connections. */
  struct kept after = get_ok(client, url);
  assert_true(after.reused);
  assert_true(after.id == ids[0] || after.id == ids[1] || after.id == ids[2]);
  assert_code(httpr_request_set_fresh_connection(NULL, 1), HTTPR_E_INVALID);
  httpr_request_free(req);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* Every connection count takes up to 65536, and no more. */
static void connection_counts_bounded(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_code (*set[])(httpr_config *, size_t) = {
      httpr_config_set_max_idle_connections,
      httpr_config_set_max_connections_per_origin,
      httpr_config_set_max_connections};
  for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++) {
    assert_code(set[i](cfg, 65536), HTTPR_OK);
    assert_code(set[i](cfg, 65537), HTTPR_E_INVALID);
    assert_code(set[i](NULL, 1), HTTPR_E_INVALID);
  }
  httpr_config_free(cfg);
}

/* ---- per-origin limit ---------------------------------------------------- */

#define LIMIT_THREADS 8
#define LIMIT_REQUESTS 3

/* 8 threads, one client, a limit of 2 connections to the origin: every
 * request succeeds (waiting its turn), on at most 2 connections. */
static void per_origin_limit_shared_by_threads(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_max_connections_per_origin(cfg, 2), HTTPR_OK);
  httpr_client *client = client_of(cfg);
  static struct kept seen[LIMIT_THREADS * LIMIT_REQUESTS];
  get_from_threads(client, url_of(SRV_GOOD_ECDSA, NULL, delay_path(100)),
                   LIMIT_THREADS, LIMIT_REQUESTS, seen);
  long ids[LIMIT_THREADS * LIMIT_REQUESTS];
  size_t distinct = 0, reused = 0;
  for (int i = 0; i < LIMIT_THREADS * LIMIT_REQUESTS; i++) {
    const struct kept *s = &seen[i];
    assert_code(s->rc, HTTPR_OK);
    assert_int_equal(s->status, 200);
    assert_true(s->id > 0);
    reused += (size_t)s->reused;
    size_t j = 0;
    while (j < distinct && ids[j] != s->id)
      j++;
    if (j == distinct)
      ids[distinct++] = s->id;
  }
  print_message("per-origin limit 2: %zu connection(s) for %d requests\n",
                distinct, LIMIT_THREADS * LIMIT_REQUESTS);
  assert_in_range(distinct, 1, 2);
  /* Every request but the first on each connection came on a reused one. */
  assert_int_equal(reused, LIMIT_THREADS * LIMIT_REQUESTS - distinct);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* ---- many requests from one thread -------------------------------------- */

/* What the body sink of one request of a batch saw. */
struct batch_seen {
  pthread_t caller;
  int other_thread; /* a callback ran on another thread */
  long id;          /* the /conn-id body as a number */
};

static int batch_sink(const void *bytes, size_t len, void *ud) {
  struct batch_seen *s = ud;
  const char *data = bytes;
  if (!pthread_equal(pthread_self(), s->caller))
    s->other_thread = 1;
  for (size_t i = 0; i < len; i++) {
    if (data[i] >= '0' && data[i] <= '9')
      s->id = (s->id < 0 ? 0 : s->id * 10) + (data[i] - '0');
  }
  return 0;
}

/* Threads of this process now (/proc/self/status), -1 when unknown. */
static int thread_count(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[128];
  int n = -1;
  while (f && fgets(line, sizeof(line), f)) {
    if (sscanf(line, "Threads: %d", &n) == 1)
      break;
  }
  if (f)
    fclose(f);
  return n;
}

/* 1,000 requests (100 under a timeout multiplier: valgrind) to an
 * HTTP/1.1 origin in one send_all, 100 at a time, with a limit of 4
 * connections: every one succeeds, on at most 4 connections, every
 * callback on the calling thread, and no thread is started but the
 * resolver's. */
static void send_all_h1_one_thread_per_origin_limit(void **state) {
  (void)state;
  size_t n = test_timeout_factor() > 1 ? 100 : 1000;
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_max_connections_per_origin(cfg, 4), HTTPR_OK);
  httpr_client *client = client_of(cfg);
  httpr_request **reqs = calloc(n, sizeof(*reqs));
  httpr_response **out = calloc(n, sizeof(*out));
  httpr_code *codes = calloc(n, sizeof(*codes));
  struct batch_seen *seen = calloc(n, sizeof(*seen));
  assert_non_null(reqs && out && codes && seen);
  const char *url = url_of(SRV_GOOD_ECDSA, NULL, "/conn-id");
  for (size_t i = 0; i < n; i++) {
    seen[i] = (struct batch_seen){.caller = pthread_self(), .id = -1};
    assert_code(httpr_request_new(&reqs[i], "GET", url, NULL), HTTPR_OK);
    assert_code(httpr_request_set_body_sink(reqs[i], batch_sink, &seen[i]),
                HTTPR_OK);
  }
  int threads_before = thread_count();
  httpr_code rc = httpr_client_send_all(
      client, (const httpr_request *const *)reqs, n, 100, out, codes, NULL);
  int threads_after = thread_count();
  long ids[4];
  size_t distinct = 0;
  for (size_t i = 0; i < n; i++) {
    assert_code(codes[i], HTTPR_OK);
    assert_int_equal(httpr_response_status(out[i]), 200);
    assert_false(seen[i].other_thread);
    assert_true(seen[i].id > 0);
    size_t k = 0;
    while (k < distinct && ids[k] != seen[i].id)
      k++;
    if (k == distinct) {
      assert_true(distinct < 4); /* a fifth connection */
      ids[distinct++] = seen[i].id;
    }
    httpr_response_free(out[i]);
    httpr_request_free(reqs[i]);
  }
  assert_code(rc, HTTPR_OK);
  print_message("send_all: %zu requests on %zu connection(s); threads %d "
                "before, %d after\n",
                n, distinct, threads_before, threads_after);
  /* The resolver's threads (at most 4) are the only ones allowed. */
  assert_in_range(threads_after - threads_before, 0, 4);
  free(reqs);
  free(out);
  free(codes);
  free(seen);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

struct busy_worker {
  httpr_client *client;
  char url[128];
  double started; /* monotonic seconds before the thread was created */
  struct kept seen;
};

static void *busy_worker_run(void *arg) {
  struct busy_worker *w = arg;
  send_kept(w->client, "GET", w->url, NULL, &w->seen, NULL);
  return NULL;
}

/* Starts a thread that holds the client's (already open) connection busy
 * on `path` of profile p; returns once it has had time to take it. */
static void start_busy(struct busy_worker *w, pthread_t *t,
                       httpr_client *client, enum profile p, const char *path) {
  memset(w, 0, sizeof(*w));
  w->client = client;
  snprintf(w->url, sizeof(w->url), "%s", url_of(p, NULL, path));
  w->started = now_s();
  assert_int_equal(pthread_create(t, NULL, busy_worker_run, w), 0);
  /* It reuses the idle connection: no handshake to wait for. */
  sleep_ms(test_timeout_ms(300));
}

/* Limit 1, the one connection busy for 4 s: a second request waits at most
 * the connect timeout (1 s: short, yet room for a handshake under
 * valgrind), then fails with HTTPR_E_TIMEOUT, long before the busy one is
 * given back. */
static void per_origin_limit_wait_times_out(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_max_connections_per_origin(cfg, 1), HTTPR_OK);
  assert_code(httpr_config_set_connect_timeout_ms(cfg, test_timeout_ms(1000)),
              HTTPR_OK);
  httpr_client *client = client_of(cfg);
  struct kept warm = get_ok(client, url_of(SRV_GOOD_ECDSA, NULL, "/conn-id"));

  static struct busy_worker w;
  pthread_t t;
  const char *url = url_of(SRV_GOOD_ECDSA, NULL, "/conn-id");
  httpr_error *err = httpr_error_new();
  struct kept s;
  start_busy(&w, &t, client, SRV_GOOD_ECDSA, delay_path(4000));
  double t0 = now_s();
  httpr_code rc = send_kept(client, "GET", url, NULL, &s, err);
  pthread_join(t, NULL); /* before any assert can leave this function */
  assert_code_err(rc, HTTPR_E_TIMEOUT, err);
  double waited = s.done - t0;
  print_message("waited %.2f s for a connection\n", waited);
  assert_true(waited >= test_timeout_s(0.9) && waited < test_timeout_s(3.0));
  assert_true(*httpr_error_message(err) != '\0');

  /* The busy request itself was not disturbed, and its connection is
   * usable again afterwards. */
  assert_code(w.seen.rc, HTTPR_OK);
  assert_int_equal(w.seen.status, 200);
  assert_int_equal(w.seen.reused, 1);
  assert_int_equal(w.seen.id, warm.id);
  struct kept after = get_ok(client, url_of(SRV_GOOD_ECDSA, NULL, "/conn-id"));
  assert_int_equal(after.id, warm.id);
  assert_int_equal(after.reused, 1);
  httpr_error_free(err);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* ---- total limit --------------------------------------------------------- */

/* One connection in all, two origins used in turn: each switch closes the
 * idle connection to the other origin to make room; same-origin requests
 * in a row still reuse. */
static void total_limit_closes_idle_other_origin(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_max_connections(cfg, 1), HTTPR_OK);
  httpr_client *client = client_of(cfg);
  const char *a = url_of(SRV_GOOD_ECDSA, NULL, "/conn-id");
  const char *b = url_of(SRV_GOOD_RSA, NULL, "/conn-id");
  static const struct {
    int to_b;
    int reused;
  } steps[] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}, {0, 0}, {1, 0}, {0, 0}};
  long last_id[2] = {-1, -1};
  for (size_t i = 0; i < COUNT_OF(steps); i++) {
    struct kept s = get_ok(client, steps[i].to_b ? b : a);
    assert_int_equal(s.reused, steps[i].reused);
    if (steps[i].reused)
      assert_int_equal(s.id, last_id[steps[i].to_b]);
    else
      assert_true(s.id != last_id[steps[i].to_b]);
    last_id[steps[i].to_b] = s.id;
  }
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* One connection in all and it is busy: a request to another origin waits
 * for it to be given back (then closes it to make room), not fails. */
static void total_limit_waits_for_busy_connection(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_max_connections(cfg, 1), HTTPR_OK);
  httpr_client *client = client_of(cfg);
  get_ok(client, url_of(SRV_GOOD_ECDSA, NULL, "/conn-id"));
  static struct busy_worker w;
  pthread_t t;
  const char *url = url_of(SRV_GOOD_RSA, NULL, "/conn-id");
  httpr_error *err = httpr_error_new();
  struct kept s;
  start_busy(&w, &t, client, SRV_GOOD_ECDSA, delay_path(1000));
  httpr_code rc = send_kept(client, "GET", url, NULL, &s, err);
  pthread_join(t, NULL); /* before any assert can leave this function */
  assert_code_err(rc, HTTPR_OK, err);
  httpr_error_free(err);
  assert_int_equal(s.status, 200);
  assert_code(w.seen.rc, HTTPR_OK);
  assert_int_equal(w.seen.reused, 1);
  assert_int_equal(s.reused, 0);
  /* It got room only once the busy request had its delayed answer. */
  assert_true(s.done - w.started >= test_timeout_s(1.0));
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* ---- idle connections that go away --------------------------------------- */

static void idle_connection_expires(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_idle_timeout_ms(cfg, test_timeout_ms(200)),
              HTTPR_OK);
  httpr_client *client = client_of(cfg);
  const char *url = url_of(SRV_GOOD_ECDSA, NULL, "/conn-id");
  struct kept s1 = get_ok(client, url);
  struct kept s2 = get_ok(client, url); /* well within the 200 ms */
  assert_int_equal(s2.reused, 1);
  assert_int_equal(s2.id, s1.id);
  sleep_ms(test_timeout_ms(500));
  struct kept s3 = get_ok(client, url);
  assert_int_equal(s3.reused, 0);
  assert_true(s3.id != s1.id);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* The server closed the idle connection right after its response, and the
 * next request (a GET) follows at once: the liveness check catches the
 * close, or the request dies unanswered and is retried; either way it
 * succeeds on a new connection. (With a pause and a POST, which must not be
 * retried: server_closed_idle_connection in test_http.c.) */
static void server_closed_idle_connection_get(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_client *client = client_of(cfg);
  httpr_error *err = httpr_error_new();
  struct kept s;
  assert_code_err(
      send_kept(client, "GET",
                url_of(SRV_GOOD_ECDSA, NULL, "/close-after-response"), NULL, &s,
                err),
      HTTPR_OK, err);
  struct kept next = get_ok(client, url_of(SRV_GOOD_ECDSA, NULL, "/conn-id"));
  assert_int_equal(next.reused, 0);
  httpr_error_free(err);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* The idle connection is alive when taken and dies unanswered once used:
 * a GET is retried once on a new connection, which is then kept. */
static void dropped_get_retried(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_client *client = client_of(cfg);
  const char *url = url_of(SRV_GOOD_ECDSA, NULL, "/conn-id");
  struct kept armed =
      get_ok(client, url_of(SRV_GOOD_ECDSA, NULL, "/drop-next"));
  struct kept s = get_ok(client, url);
  assert_int_equal(s.reused, 0);
  assert_true(s.id != armed.id);
  struct kept again = get_ok(client, url);
  assert_int_equal(again.reused, 1);
  assert_int_equal(again.id, s.id);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* The same with a POST: not idempotent, so never retried; the broken
 * connection surfaces as HTTPR_E_RECV, and is not kept. */
static void dropped_post_not_retried(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_client *client = client_of(cfg);
  struct kept armed =
      get_ok(client, url_of(SRV_GOOD_ECDSA, NULL, "/drop-next"));
  httpr_error *err = httpr_error_new();
  struct kept s;
  assert_code_err(send_kept(client, "POST",
                            url_of(SRV_GOOD_ECDSA, NULL, "/echo"), "x=1", &s,
                            err),
                  HTTPR_E_RECV, err);
  struct kept next = get_ok(client, url_of(SRV_GOOD_ECDSA, NULL, "/conn-id"));
  assert_int_equal(next.reused, 0);
  assert_true(next.id != armed.id);
  httpr_error_free(err);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* ---- session resumption -------------------------------------------------- */

/* n requests of /resumed on a client that keeps no idle connection (so
 * each opens a new one); checks the client's flag and the server's view
 * against want[i]. Copies the TLS version of the last response. */
static void expect_resumed(httpr_config *cfg, enum profile p, const int *want,
                           size_t n, char *version, size_t version_cap) {
  assert_code(httpr_config_set_max_idle_connections(cfg, 0), HTTPR_OK);
  httpr_client *client = client_of(cfg);
  const char *url = url_of(p, NULL, "/resumed");
  for (size_t i = 0; i < n; i++) {
    struct kept s = get_ok(client, url);
    assert_int_equal(s.reused, 0);
    assert_int_equal(s.resumed, want[i]);
    assert_int_equal(s.id, want[i]); /* the server agrees */
    snprintf(version, version_cap, "%s", s.tls_version);
  }
  httpr_client_free(client);
}

static void session_resumed_on_new_connections(void **state) {
  (void)state;
  int r = can_resume();
  const int want[] = {0, r, r};
  char version[16];
  httpr_config *cfg = cfg_new();
  expect_resumed(cfg, SRV_GOOD_ECDSA, want, COUNT_OF(want), version,
                 sizeof(version));
  print_message("resumption over %s: %s\n", version, r ? "yes" : "no feature");
  httpr_config_free(cfg);
}

static void session_resumed_tls12(void **state) {
  (void)state;
  int r = can_resume();
  const int want[] = {0, r, r};
  char version[16];
  httpr_config *cfg = cfg_new();
  expect_resumed(cfg, SRV_TLS12_ONLY, want, COUNT_OF(want), version,
                 sizeof(version));
  assert_string_equal(version, "TLSv1.2");
  httpr_config_free(cfg);
}

/* A server that keeps no sessions: every handshake full, never an error. */
static void server_refusing_resumption(void **state) {
  (void)state;
  const int want[] = {0, 0, 0};
  char version[16];
  httpr_config *cfg = cfg_new();
  expect_resumed(cfg, SRV_NO_RESUME, want, COUNT_OF(want), version,
                 sizeof(version));
  httpr_config_free(cfg);
}

static void resumption_switched_off(void **state) {
  (void)state;
  const int want[] = {0, 0, 0};
  char version[16];
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_session_resumption(cfg, 0), HTTPR_OK);
  expect_resumed(cfg, SRV_GOOD_ECDSA, want, COUNT_OF(want), version,
                 sizeof(version));
  httpr_config_free(cfg);
}

/* Cleartext has no handshake to resume. */
static void cleartext_never_resumed(void **state) {
  (void)state;
  const int want[] = {0, 0};
  char version[16];
  httpr_config *cfg = cfg_new();
  expect_resumed(cfg, SRV_PLAIN, want, COUNT_OF(want), version,
                 sizeof(version));
  assert_string_equal(version, "");
  httpr_config_free(cfg);
}

/* A kept connection reports what its own handshake did, every time it is
 * reused: full first, then (after the server closed it) resumed. */
static void reused_connection_keeps_resumed_flag(void **state) {
  (void)state;
  int r = can_resume();
  httpr_config *cfg = cfg_new();
  httpr_client *client = client_of(cfg);
  const char *url = url_of(SRV_GOOD_ECDSA, NULL, "/resumed");
  struct kept s = get_ok(client, url);
  assert_int_equal(s.reused, 0);
  assert_int_equal(s.resumed, 0);
  s = get_ok(client, url);
  assert_int_equal(s.reused, 1);
  assert_int_equal(s.resumed, 0);
  assert_int_equal(s.id, 0);
  /* An HTTP/1.0 answer ends the connection; the session stays. */
  struct kept end;
  assert_code(send_kept(client, "GET", url_of(SRV_GOOD_ECDSA, NULL, "/http10"),
                        NULL, &end, NULL),
              HTTPR_OK);
  assert_int_equal(end.reused, 1);
  s = get_ok(client, url);
  assert_int_equal(s.reused, 0);
  assert_int_equal(s.resumed, r);
  assert_int_equal(s.id, r);
  s = get_ok(client, url);
  assert_int_equal(s.reused, 1);
  assert_int_equal(s.resumed, r);
  assert_int_equal(s.id, r);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* A session made with localhost is never a way around the identity check:
 * the same server by IP, whose certificate does not name the IP, still
 * fails with HTTPR_E_CERT_HOSTNAME, before and after a resumption. */
static void resumption_keeps_identity_check(void **state) {
  (void)state;
  int r = can_resume();
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_max_idle_connections(cfg, 0), HTTPR_OK);
  httpr_client *client = client_of(cfg);
  const char *by_name = url_of(SRV_NOIP, NULL, "/resumed");
  const char *by_ip = url_of(SRV_NOIP, "127.0.0.1", "/resumed");
  httpr_error *err = httpr_error_new();
  struct kept s = get_ok(client, by_name);
  assert_int_equal(s.resumed, 0);
  for (int round = 0; round < 2; round++) {
    struct kept bad;
    assert_code_err(send_kept(client, "GET", by_ip, NULL, &bad, err),
                    HTTPR_E_CERT_HOSTNAME, err);
    s = get_ok(client, by_name);
    assert_int_equal(s.resumed, r);
    assert_int_equal(s.id, r);
  }
  httpr_error_free(err);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* A certificate for another name fails the same way on every connection,
 * never "passes" on a second one. */
static void wrong_host_fails_every_time(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_client *client = client_of(cfg);
  const char *url = url_of(SRV_WRONGHOST, NULL, "/resumed");
  httpr_error *err = httpr_error_new();
  for (int i = 0; i < 3; i++) {
    struct kept s;
    assert_code_err(send_kept(client, "GET", url, NULL, &s, err),
                    HTTPR_E_CERT_HOSTNAME, err);
  }
  httpr_error_free(err);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* ---- clients share nothing ----------------------------------------------- */

/* Two clients, the provider under test (a) and `other` (b), against one
 * server: neither takes the other's connection nor its session. */
static void clients_share_nothing(const char *other) {
  uint32_t other_features = 0;
  assert_code(httpr_provider_features_by_name(other, &other_features),
              HTTPR_OK);
  const int resumes[2] = {can_resume(),
                          (other_features & HTTPR_FEATURE_SESSION_RESUME) != 0};
  const char *names[2] = {g_suite.provider, other};
  httpr_config *cfg[2] = {cfg_new(), cfg_new()};
  assert_code(httpr_config_set_tls_backend(cfg[1], other), HTTPR_OK);

  /* Connections: each client opens its own and then reuses it. */
  httpr_client *c[2] = {client_of(cfg[0]), client_of(cfg[1])};
  const char *url = url_of(SRV_GOOD_ECDSA, NULL, "/conn-id");
  long ids[2];
  for (int round = 0; round < 2; round++) {
    for (int k = 0; k < 2; k++) {
      struct kept s = get_ok(c[k], url);
      assert_string_equal(s.provider, names[k]);
      assert_int_equal(s.reused, round);
      if (round == 0)
        ids[k] = s.id;
      else
        assert_int_equal(s.id, ids[k]);
    }
    assert_true(ids[0] != ids[1]);
  }
  httpr_client_free(c[0]);
  httpr_client_free(c[1]);

  /* Sessions: new connections only; each client's first one is full even
   * though the other client already holds a session for the server. */
  url = url_of(SRV_GOOD_ECDSA, NULL, "/resumed");
  for (int k = 0; k < 2; k++) {
    assert_code(httpr_config_set_max_idle_connections(cfg[k], 0), HTTPR_OK);
    c[k] = client_of(cfg[k]);
  }
  for (int round = 0; round < 2; round++) {
    for (int k = 0; k < 2; k++) {
      struct kept s = get_ok(c[k], url);
      int want = round == 0 ? 0 : resumes[k];
      assert_int_equal(s.reused, 0);
      assert_int_equal(s.resumed, want);
      assert_int_equal(s.id, want);
    }
  }
  for (int k = 0; k < 2; k++) {
    httpr_client_free(c[k]);
    httpr_config_free(cfg[k]);
  }
}

static void providers_share_nothing(void **state) {
  (void)state;
  const char *other = NULL;
  for (size_t i = 0; i < httpr_provider_count() && !other; i++) {
    if (strcmp(httpr_provider_name(i), g_suite.provider) != 0)
      other = httpr_provider_name(i);
  }
  if (!other) {
    print_message("only one provider built in\n");
    skip();
  }
  clients_share_nothing(other);
}

/* Two clients on the same provider are as separate as on two. */
static void same_provider_clients_share_nothing(void **state) {
  (void)state;
  clients_share_nothing(g_suite.provider);
}

const struct CMUnitTest pool_tests[] = {
    cmocka_unit_test(sequential_requests_one_connection),
    cmocka_unit_test(fresh_connection_never_reused),
    cmocka_unit_test(connection_counts_bounded),
    cmocka_unit_test(per_origin_limit_shared_by_threads),
    cmocka_unit_test(send_all_h1_one_thread_per_origin_limit),
    cmocka_unit_test(per_origin_limit_wait_times_out),
    cmocka_unit_test(total_limit_closes_idle_other_origin),
    cmocka_unit_test(total_limit_waits_for_busy_connection),
    cmocka_unit_test(idle_connection_expires),
    cmocka_unit_test(server_closed_idle_connection_get),
    cmocka_unit_test(dropped_get_retried),
    cmocka_unit_test(dropped_post_not_retried),
    cmocka_unit_test(session_resumed_on_new_connections),
    cmocka_unit_test(session_resumed_tls12),
    cmocka_unit_test(server_refusing_resumption),
    cmocka_unit_test(resumption_switched_off),
    cmocka_unit_test(cleartext_never_resumed),
    cmocka_unit_test(reused_connection_keeps_resumed_flag),
    cmocka_unit_test(resumption_keeps_identity_check),
    cmocka_unit_test(wrong_host_fails_every_time),
    cmocka_unit_test(providers_share_nothing),
    cmocka_unit_test(same_provider_clients_share_nothing),
};
const size_t pool_tests_count = COUNT_OF(pool_tests);
