/* SPDX-License-Identifier: MIT */
/*
 * test_bounds.c - every wait and every buffer has a bound, the same on
 * each provider and over HTTP/1.1 and HTTP/2: the total timeout holds
 * against a body that never pauses (and an upload that never ends), the
 * inactivity timeout against a silent server, an upload the server never
 * reads and an HTTP/2 window it never opens, the low-speed limit and the
 * total timeout (never the inactivity timeout) against a drip, the head
 * limit against an endless flood of 1xx responses, and the body limit
 * against an announced Content-Length, refused before any body byte.
 *
 * Each timed request runs on a connection that an earlier request
 * warmed up, so the time measured is the transfer's alone, not the
 * handshake's; limits are a few hundred milliseconds so the suite stays
 * fast, and a limit must hold to within SLACK_MS.
 *
 * Worker threads never call cmocka asserts; they record what they saw.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/conformance/suite.h"
#include "tests/test_timeout.h"

/* The wording of each limit, asserted exactly. */
#define TOTAL_MSG "operation timed out after %ld milliseconds"
#define IDLE_MSG                                                               \
  "inactivity timeout: nothing sent or received for %ld "                      \
  "milliseconds"
#define SLOW_MSG                                                               \
  "operation too slow: less than %ld bytes/sec transferred "                   \
  "the last %ld seconds"
#define HEAD_MSG "response headers exceed the limit of %ld bytes"
#define BODY_MSG "response body exceeds the limit of %ld bytes"

#define DEFAULT_HEAD_LIMIT 102400L
#define DEFAULT_BODY_LIMIT (16L * 1024 * 1024)

/* HTTPR_TEST_TIMEOUT_MULTIPLIER (tests/test_timeout.h) stretches every
 * limit below and the slack allowed, for slow runs. */
static long scaled(long ms) { return test_timeout_ms(ms); }

/* The multiplier as whole seconds, for the low-speed span. */
static long whole_factor(void) {
  return (long)(test_timeout_factor() + 0.999);
}

/* How late a limit may fire: 100 ms, as the issue asks (scaled). */
static double slack_ms(void) { return (double)scaled(100); }

/* ---- one timed request --------------------------------------------------- */

enum {
  SINK = 1,           /* the body goes to a counting sink */
  UPLOAD_ENDLESS = 2, /* a chunked request body that never ends */
  UPLOAD_100K = 4     /* a 100 KiB request body from memory */
};

struct run {
  httpr_code rc;
  char message[256];
  double ms;     /* around httpr_client_send */
  uint64_t sunk; /* body bytes the sink took */
  int status;
};

static int count_body(const void *data, size_t len, void *userdata) {
  (void)data;
  *(uint64_t *)userdata += len;
  return 0;
}

static long endless_read(void *buf, size_t cap, void *userdata) {
  (void)userdata;
  memset(buf, 'u', cap);
  return (long)cap;
}

static char upload_100k[100 * 1024];

/* Sends one request and keeps its outcome; never asserts. */
static void timed(httpr_client *client, const char *method, const char *url,
                  unsigned flags, struct run *out) {
  httpr_request *req = NULL;
  httpr_response *resp = NULL;
  httpr_error *err = httpr_error_new();
  memset(out, 0, sizeof(*out));
  httpr_code rc = httpr_request_new(&req, method, url, err);
  if (rc == HTTPR_OK && (flags & SINK))
    rc = httpr_request_set_body_sink(req, count_body, &out->sunk);
  if (rc == HTTPR_OK && (flags & UPLOAD_ENDLESS))
    rc = httpr_request_set_body_callback(req, endless_read, NULL, -1);
  if (rc == HTTPR_OK && (flags & UPLOAD_100K))
    rc = httpr_request_set_body(req, upload_100k, sizeof(upload_100k));
  double t0 = now_s();
  if (rc == HTTPR_OK)
    rc = httpr_client_send(client, req, &resp, err);
  out->ms = (now_s() - t0) * 1000.0;
  out->rc = rc;
  snprintf(out->message, sizeof(out->message), "%s",
           rc == HTTPR_OK ? "" : httpr_error_message(err));
  out->status = resp ? httpr_response_status(resp) : 0;
  httpr_response_free(resp);
  httpr_request_free(req);
  httpr_error_free(err);
}

/* The outcome must be `code` with exactly `message`. */
static void expect_run_failure(const struct run *r, httpr_code code,
                           const char *message) {
  if (r->rc != code || strcmp(r->message, message) != 0)
    fail_msg("got %s \"%s\" after %.0f ms, expected %s \"%s\"",
             httpr_code_name(r->rc), r->message, r->ms, httpr_code_name(code),
             message);
}

/* It failed when `limit_ms` ran out: not before, and at most the slack
 * (plus `extra_ms`) after. */
static void expect_late(const struct run *r, double limit_ms, double extra_ms) {
  double late = slack_ms() + extra_ms;
  if (r->ms < limit_ms - 5 || r->ms > limit_ms + late)
    fail_msg("ended after %.1f ms; the limit was %.0f ms (+%.0f allowed)",
             r->ms, limit_ms, late);
}

static void expect_at(const struct run *r, double limit_ms) {
  expect_late(r, limit_ms, 0);
}

/* The outcome must be HTTPR_E_TIMEOUT with the message formatted from
 * the arguments, at_ms after the request began. */
#define EXPECT_TIMEOUT(r, at_ms, ...)                                          \
  do {                                                                         \
    char want_[256];                                                           \
    snprintf(want_, sizeof(want_), __VA_ARGS__);                               \
    expect_run_failure((r), HTTPR_E_TIMEOUT, want_);                               \
    expect_at((r), (at_ms));                                                   \
  } while (0)

#define EXPECT_TOO_LARGE(r, ...)                                               \
  do {                                                                         \
    char want_[256];                                                           \
    snprintf(want_, sizeof(want_), __VA_ARGS__);                               \
    expect_run_failure((r), HTTPR_E_TOO_LARGE, want_);                             \
  } while (0)

/* ---- clients ------------------------------------------------------------- */

/* A config whose only bounds are those given (0: off), with a 10 s total
 * timeout when none is given so that no test can hang. */
static httpr_config *cfg_bounds(long total_ms, long idle_ms) {
  httpr_config *cfg = cfg_new();
  assert_code(
      httpr_config_set_total_timeout_ms(cfg, total_ms ? total_ms : 10000),
      HTTPR_OK);
  assert_code(httpr_config_set_inactivity_timeout_ms(cfg, idle_ms), HTTPR_OK);
  return cfg;
}

/* One plain GET, so the next request reuses a ready connection. */
static void warm(httpr_client *client, enum profile p, int http_version) {
  struct kept k;
  httpr_error *err = httpr_error_new();
  assert_code_err(send_kept(client, "GET", url_of(p, NULL, "/"), NULL, &k, err),
                  HTTPR_OK, err);
  assert_int_equal(k.status, 200);
  assert_int_equal(k.http_version, http_version);
  httpr_error_free(err);
}

/* A client of cfg, warmed up on p (HTTP/1.1 or HTTP/2 as p offers). */
static httpr_client *warm_client(const httpr_config *cfg, enum profile p) {
  httpr_client *client = client_of(cfg);
  warm(client, p, p == SRV_GOOD_ECDSA ? HTTPR_HTTP_1_1 : HTTPR_HTTP_2);
  return client;
}

/* One timed request on a fresh warm client of cfg. */
static void run_once(const httpr_config *cfg, enum profile p,
                     const char *method, const char *path, unsigned flags,
                     struct run *out) {
  httpr_client *client = warm_client(cfg, p);
  timed(client, method, url_of(p, NULL, path), flags, out);
  httpr_client_free(client);
}

/* ---- an endless body: the total timeout holds ---------------------------- */

static void endless_body_total_timeout(enum profile p) {
  long total = scaled(700);
  httpr_config *cfg = cfg_bounds(total, 0);
  struct run r;
  run_once(cfg, p, "GET", "/endless", SINK, &r);
  EXPECT_TIMEOUT(&r, total, TOTAL_MSG, total);
  assert_true(r.sunk > 0);
  httpr_config_free(cfg);
}

static void bounds_h1_endless_body_total_timeout(void **state) {
  (void)state;
  endless_body_total_timeout(SRV_GOOD_ECDSA);
}

static void bounds_h2_endless_body_total_timeout(void **state) {
  (void)state;
  endless_body_total_timeout(SRV_H2);
}

/* The same without a sink: the body does not fill memory meanwhile
 * either (the default limit on a buffered body stops it first, or the
 * total timeout does). */
static void bounds_h1_endless_body_buffered_bounded(void **state) {
  (void)state;
  long total = scaled(700);
  httpr_config *cfg = cfg_bounds(total, 0);
  struct run r;
  run_once(cfg, SRV_GOOD_ECDSA, "GET", "/endless", 0, &r);
  if (r.rc == HTTPR_E_TOO_LARGE)
    EXPECT_TOO_LARGE(&r, BODY_MSG, DEFAULT_BODY_LIMIT);
  else
    EXPECT_TIMEOUT(&r, total, TOTAL_MSG, total);
  httpr_config_free(cfg);
}

/* ---- an endless upload: the total timeout holds -------------------------- */

static void bounds_h1_endless_upload_total_timeout(void **state) {
  (void)state;
  long total = scaled(700);
  httpr_config *cfg = cfg_bounds(total, 0);
  struct run r;
  run_once(cfg, SRV_GOOD_ECDSA, "POST", "/upload-sink", UPLOAD_ENDLESS, &r);
  EXPECT_TIMEOUT(&r, total, TOTAL_MSG, total);
  httpr_config_free(cfg);
}

static void bounds_h2_endless_upload_total_timeout(void **state) {
  (void)state;
  long total = scaled(700);
  httpr_config *cfg = cfg_bounds(total, 0);
  struct run r;
  run_once(cfg, SRV_H2, "POST", "/echo", UPLOAD_ENDLESS, &r);
  EXPECT_TIMEOUT(&r, total, TOTAL_MSG, total);
  httpr_config_free(cfg);
}

/* ---- silence: the inactivity timeout ------------------------------------- */

static void silent(enum profile p, const char *path) {
  long idle = scaled(400);
  httpr_config *cfg = cfg_bounds(0, idle);
  struct run r;
  run_once(cfg, p, "GET", path, 0, &r);
  EXPECT_TIMEOUT(&r, idle, IDLE_MSG, idle);
  httpr_config_free(cfg);
}

static void bounds_h1_silent_before_head_inactivity(void **state) {
  (void)state;
  silent(SRV_GOOD_ECDSA, "/never");
}

static void bounds_h1_silent_after_head_inactivity(void **state) {
  (void)state;
  silent(SRV_GOOD_ECDSA, "/silent-after-head");
}

static void bounds_h2_silent_after_head_inactivity(void **state) {
  (void)state;
  silent(SRV_H2, "/silent-after-head");
}

/* An upload the server never reads: the writes stop once the socket
 * buffers are full, and nothing moves after that. Filling them (a few MB
 * on loopback) is activity, so it may add up to 100 ms (scaled). */
static void bounds_h1_upload_never_read_inactivity(void **state) {
  (void)state;
  long idle = scaled(400);
  httpr_config *cfg = cfg_bounds(0, idle);
  httpr_client *client = warm_client(cfg, SRV_GOOD_ECDSA);
  struct run r;
  timed(client, "POST", url_of(SRV_GOOD_ECDSA, NULL, "/upload-stall"),
        UPLOAD_ENDLESS, &r);
  char want[256];
  snprintf(want, sizeof(want), IDLE_MSG, idle);
  expect_run_failure(&r, HTTPR_E_TIMEOUT, want);
  expect_late(&r, (double)idle, (double)scaled(100));
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* An HTTP/2 server whose initial window is 0 and never grows: the
 * request's HEADERS go out, none of its DATA can. */
static void bounds_h2_zero_window_upload_inactivity(void **state) {
  (void)state;
  long idle = scaled(400);
  httpr_config *cfg = cfg_bounds(0, idle);
  struct run r;
  run_once(cfg, SRV_H2_ZERO_WINDOW, "POST", "/echo", UPLOAD_100K, &r);
  EXPECT_TIMEOUT(&r, idle, IDLE_MSG, idle);
  httpr_config_free(cfg);
}

/* Threads sharing one HTTP/2 connection, all on silent streams: the one
 * driving the connection and those waiting for it are all bounded. */
#define SILENT_THREADS 3

struct silent_job {
  httpr_client *client;
  struct run r;
};

static void *silent_thread(void *arg) {
  struct silent_job *j = arg;
  timed(j->client, "GET", url_of(SRV_H2, NULL, "/silent-after-head"), 0, &j->r);
  return NULL;
}

static void bounds_h2_threads_on_silent_streams_inactivity(void **state) {
  (void)state;
  long idle = scaled(400);
  httpr_config *cfg = cfg_bounds(0, idle);
  httpr_client *client = warm_client(cfg, SRV_H2);
  struct silent_job jobs[SILENT_THREADS];
  pthread_t tid[SILENT_THREADS];
  for (int i = 0; i < SILENT_THREADS; i++) {
    jobs[i].client = client;
    assert_int_equal(pthread_create(&tid[i], NULL, silent_thread, &jobs[i]), 0);
  }
  for (int i = 0; i < SILENT_THREADS; i++)
    pthread_join(tid[i], NULL);
  for (int i = 0; i < SILENT_THREADS; i++)
    EXPECT_TIMEOUT(&jobs[i].r, idle, IDLE_MSG, idle);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* Streams of httpr_client_send_all, run by one thread: each is bounded. */
static void bounds_h2_send_all_silent_streams_inactivity(void **state) {
  (void)state;
  long idle = scaled(400);
  httpr_config *cfg = cfg_bounds(0, idle);
  httpr_client *client = warm_client(cfg, SRV_H2);
  enum { N = 4 };
  httpr_request *reqs[N];
  httpr_response *out[N];
  httpr_code codes[N];
  httpr_error *errs[N];
  for (int i = 0; i < N; i++) {
    const char *path = i == 0 ? "/" : "/silent-after-head";
    assert_code(
        httpr_request_new(&reqs[i], "GET", url_of(SRV_H2, NULL, path), NULL),
        HTTPR_OK);
    errs[i] = httpr_error_new();
  }
  double t0 = now_s();
  httpr_client_send_all(client, (const httpr_request *const *)reqs, N, N, out,
                        codes, errs);
  struct run all = {.ms = (now_s() - t0) * 1000.0};
  assert_code(codes[0], HTTPR_OK);
  httpr_response_free(out[0]);
  char want[256];
  snprintf(want, sizeof(want), IDLE_MSG, idle);
  for (int i = 1; i < N; i++) {
    assert_code_err(codes[i], HTTPR_E_TIMEOUT, errs[i]);
    assert_string_equal(httpr_error_message(errs[i]), want);
    assert_null(out[i]);
  }
  expect_at(&all, (double)idle);
  for (int i = 0; i < N; i++) {
    httpr_request_free(reqs[i]);
    httpr_error_free(errs[i]);
  }
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* ---- a drip: the total timeout or the low-speed limit, not inactivity ---- */

/* "/drip/MS" for a byte every 100 ms (scaled). */
static const char *drip_path(void) {
  static char path[32];
  snprintf(path, sizeof(path), "/drip/%ld", scaled(100));
  return path;
}

/* A byte every 100 ms never leaves the connection idle for 400 ms. */
static void drip_total_timeout(enum profile p) {
  long total = scaled(1200), idle = scaled(400);
  httpr_config *cfg = cfg_bounds(total, idle);
  struct run r;
  run_once(cfg, p, "GET", drip_path(), 0, &r);
  EXPECT_TIMEOUT(&r, total, TOTAL_MSG, total);
  httpr_config_free(cfg);
}

static void bounds_h1_drip_total_timeout(void **state) {
  (void)state;
  drip_total_timeout(SRV_GOOD_ECDSA);
}

static void bounds_h2_drip_total_timeout(void **state) {
  (void)state;
  drip_total_timeout(SRV_H2);
}

/* 10 bytes a second against a limit of 1000 bytes a second over 1 s
 * (the span scaled, the drip slowed as much). */
static void drip_low_speed(enum profile p) {
  long secs = whole_factor();
  httpr_config *cfg = cfg_bounds(scaled(5000), scaled(400));
  assert_code(httpr_config_set_low_speed(cfg, 1000, secs), HTTPR_OK);
  struct run r;
  run_once(cfg, p, "GET", drip_path(), 0, &r);
  EXPECT_TIMEOUT(&r, secs * 1000, SLOW_MSG, 1000L, secs);
  httpr_config_free(cfg);
}

static void bounds_h1_drip_low_speed(void **state) {
  (void)state;
  drip_low_speed(SRV_GOOD_ECDSA);
}

static void bounds_h2_drip_low_speed(void **state) {
  (void)state;
  drip_low_speed(SRV_H2);
}

/* A fast transfer passes a low-speed limit. */
static void bounds_low_speed_fast_transfer_passes(void **state) {
  (void)state;
  httpr_config *cfg = cfg_bounds(0, 0);
  assert_code(httpr_config_set_low_speed(cfg, 1000, 1), HTTPR_OK);
  struct run r;
  run_once(cfg, SRV_GOOD_ECDSA, "GET", "/bytes/2000000", SINK, &r);
  assert_code(r.rc, HTTPR_OK);
  assert_int_equal(r.sunk, 2000000);
  httpr_config_free(cfg);
}

/* ---- a 1xx flood: the head limit ----------------------------------------- */

static void flood(enum profile p) {
  httpr_config *cfg = cfg_bounds(0, 0);
  struct run r;
  run_once(cfg, p, "GET", "/1xx-flood", 0, &r);
  EXPECT_TOO_LARGE(&r, HEAD_MSG, DEFAULT_HEAD_LIMIT);
  httpr_config_free(cfg);
}

static void bounds_h1_1xx_flood_head_limit(void **state) {
  (void)state;
  flood(SRV_GOOD_ECDSA);
}

static void bounds_h2_1xx_flood_head_limit(void **state) {
  (void)state;
  flood(SRV_H2);
}

/* ---- an announced length over the body limit: refused at once ----------- */

/* Buffered, against the default limit: one byte over it. */
static void huge_length_default_limit(enum profile p) {
  httpr_config *cfg = cfg_bounds(0, 0);
  struct run r;
  run_once(cfg, p, "GET", "/bytes/16777217", 0, &r);
  EXPECT_TOO_LARGE(&r, BODY_MSG, DEFAULT_BODY_LIMIT);
  httpr_config_free(cfg);
}

static void bounds_h1_huge_length_default_limit(void **state) {
  (void)state;
  huge_length_default_limit(SRV_GOOD_ECDSA);
}

static void bounds_h2_huge_length_default_limit(void **state) {
  (void)state;
  huge_length_default_limit(SRV_H2);
}

/* Streamed, against a set limit: refused as soon as the head is in, and
 * the sink never sees a byte. The server announces 1000 bytes and sends
 * none, so only a refusal of the announced length can end it at once. */
static void huge_length_set_limit(enum profile p) {
  httpr_config *cfg = cfg_bounds(0, 0);
  assert_code(httpr_config_set_max_body_bytes(cfg, 999), HTTPR_OK);
  struct run r;
  run_once(cfg, p, "GET", "/silent-after-head", SINK, &r);
  EXPECT_TOO_LARGE(&r, BODY_MSG, 999L);
  assert_int_equal(r.sunk, 0);
  expect_at(&r, 0);
  run_once(cfg, p, "GET", "/bytes/1000000000", SINK, &r);
  EXPECT_TOO_LARGE(&r, BODY_MSG, 999L);
  assert_int_equal(r.sunk, 0);
  /* At the limit exactly it goes through. */
  run_once(cfg, p, "GET", "/bytes/999", SINK, &r);
  assert_code(r.rc, HTTPR_OK);
  assert_int_equal(r.sunk, 999);
  httpr_config_free(cfg);
}

static void bounds_h1_huge_length_set_limit(void **state) {
  (void)state;
  huge_length_set_limit(SRV_GOOD_ECDSA);
}

static void bounds_h2_huge_length_set_limit(void **state) {
  (void)state;
  huge_length_set_limit(SRV_H2);
}

/* A HEAD response announces the length of a body it does not carry. */
static void bounds_h1_head_of_huge_body_passes(void **state) {
  (void)state;
  httpr_config *cfg = cfg_bounds(0, 0);
  assert_code(httpr_config_set_max_body_bytes(cfg, 1000), HTTPR_OK);
  struct run r;
  run_once(cfg, SRV_GOOD_ECDSA, "HEAD", "/bytes/1000000000", 0, &r);
  assert_code(r.rc, HTTPR_OK);
  assert_int_equal(r.status, 200);
  httpr_config_free(cfg);
}

/* ---- the setters --------------------------------------------------------- */

static void bounds_setters_check_values(void **state) {
  (void)state;
  httpr_config *cfg = httpr_config_new();
  assert_code(httpr_config_set_inactivity_timeout_ms(cfg, -1), HTTPR_E_INVALID);
  assert_code(httpr_config_set_inactivity_timeout_ms(NULL, 1), HTTPR_E_INVALID);
  assert_code(httpr_config_set_inactivity_timeout_ms(cfg, 0), HTTPR_OK);
  assert_code(httpr_config_set_low_speed(cfg, -1, 1), HTTPR_E_INVALID);
  assert_code(httpr_config_set_low_speed(cfg, 1, -1), HTTPR_E_INVALID);
  assert_code(httpr_config_set_low_speed(cfg, 1, 86401), HTTPR_E_INVALID);
  assert_code(httpr_config_set_low_speed(NULL, 1, 1), HTTPR_E_INVALID);
  assert_code(httpr_config_set_low_speed(cfg, 0, 30), HTTPR_OK);
  assert_code(httpr_config_set_low_speed(cfg, 1, 86400), HTTPR_OK);
  httpr_config_free(cfg);
}

const struct CMUnitTest bounds_tests[] = {
    cmocka_unit_test(bounds_h1_endless_body_total_timeout),
    cmocka_unit_test(bounds_h2_endless_body_total_timeout),
    cmocka_unit_test(bounds_h1_endless_body_buffered_bounded),
    cmocka_unit_test(bounds_h1_endless_upload_total_timeout),
    cmocka_unit_test(bounds_h2_endless_upload_total_timeout),
    cmocka_unit_test(bounds_h1_silent_before_head_inactivity),
    cmocka_unit_test(bounds_h1_silent_after_head_inactivity),
    cmocka_unit_test(bounds_h2_silent_after_head_inactivity),
    cmocka_unit_test(bounds_h1_upload_never_read_inactivity),
    cmocka_unit_test(bounds_h2_zero_window_upload_inactivity),
    cmocka_unit_test(bounds_h2_threads_on_silent_streams_inactivity),
    cmocka_unit_test(bounds_h2_send_all_silent_streams_inactivity),
    cmocka_unit_test(bounds_h1_drip_total_timeout),
    cmocka_unit_test(bounds_h2_drip_total_timeout),
    cmocka_unit_test(bounds_h1_drip_low_speed),
    cmocka_unit_test(bounds_h2_drip_low_speed),
    cmocka_unit_test(bounds_low_speed_fast_transfer_passes),
    cmocka_unit_test(bounds_h1_1xx_flood_head_limit),
    cmocka_unit_test(bounds_h2_1xx_flood_head_limit),
    cmocka_unit_test(bounds_h1_huge_length_default_limit),
    cmocka_unit_test(bounds_h2_huge_length_default_limit),
    cmocka_unit_test(bounds_h1_huge_length_set_limit),
    cmocka_unit_test(bounds_h2_huge_length_set_limit),
    cmocka_unit_test(bounds_h1_head_of_huge_body_passes),
    cmocka_unit_test(bounds_setters_check_values),
};
const size_t bounds_tests_count = COUNT_OF(bounds_tests);
