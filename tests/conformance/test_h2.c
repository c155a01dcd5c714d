/* SPDX-License-Identifier: MIT */
/*
 * test_h2.c - HTTP/2 over each provider: the version policy (ALPN h2 or
 * http/1.1, and h2 required), many streams on one shared connection (from
 * httpr_client_send_all and from threads), large bodies both ways with
 * flow control, trailers, and a server that misbehaves: GOAWAY after N
 * streams, RST_STREAM, a 16-byte window, 16 MiB windows that are never
 * updated, a limit of 2 concurrent streams, an oversized header block,
 * malformed frames. Client certificates in
 * every form work over HTTP/2 too.
 *
 * Server truth comes from the test server's HTTP/2 routes: /conn-id and
 * /delay/MS (which connection), /stats (TLS handshakes and stream counts
 * of the whole server) and /stats/conn/ID (one connection's streams, the
 * most open at once, streams refused, connection errors). Counters only
 * grow, so tests read them before and after; reading them costs one
 * handshake of its own.
 *
 * Worker threads never call cmocka asserts (they longjmp); they record
 * what they saw and the main thread checks it.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/conformance/suite.h"

#define PASSWORD "secret"

/* ---- helpers ------------------------------------------------------------- */

/* What one request saw. id: the body as a number (/conn-id, /delay/MS),
 * -1 when the body is not one. */
/* GET that must succeed with 200 over HTTP/2. */
static struct kept get_h2(httpr_client *client, const char *url) {
  struct kept g;
  httpr_error *err = httpr_error_new();
  assert_code_err(send_kept(client, "GET", url, NULL, &g, err), HTTPR_OK, err);
  assert_int_equal(g.status, 200);
  assert_int_equal(g.http_version, HTTPR_HTTP_2);
  httpr_error_free(err);
  return g;
}

static httpr_config *cfg_policy(httpr_http_policy policy) {
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_http_policy(cfg, policy), HTTPR_OK);
  return cfg;
}

/* The server's counters (see the file comment). */
struct srv_stats {
  long handshakes, streams, max_open, refused, errors, data_frames;
};

/* The value of a "key=value" line. */
static long stat_value(const char *body, const char *key) {
  size_t klen = strlen(key);
  const char *line = body;
  while (line && *line) {
    if (strncmp(line, key, klen) == 0 && line[klen] == '=')
      return strtol(line + klen + 1, NULL, 10);
    line = strchr(line, '\n');
    if (line)
      line++;
  }
  fail_msg("no '%s' in the server's stats:\n%s", key, body);
  return -1;
}

/* Reads /stats or /stats/conn/ID with a client of its own (so the pool
 * of the client under test is not touched). */
static struct srv_stats read_stats(enum profile p, const char *path) {
  httpr_config *cfg = cfg_policy(HTTPR_HTTP2_ONLY);
  httpr_response *resp = expect_get(cfg, url_of(p, NULL, path), HTTPR_OK, NULL);
  assert_int_equal(httpr_response_status(resp), 200);
  char *body = body_string(resp);
  struct srv_stats s = {
      .handshakes = strncmp(path, "/stats/conn/", 12) == 0
                        ? 0
                        : stat_value(body, "handshakes"),
      .streams = stat_value(body, "streams"),
      .max_open = stat_value(body, "max_open_streams"),
      .refused = stat_value(body, "refused_streams"),
      .errors = stat_value(body, "connection_errors"),
      .data_frames = stat_value(body, "data_frames_received"),
  };
  free(body);
  httpr_response_free(resp);
  httpr_config_free(cfg);
  return s;
}

static struct srv_stats server_stats(enum profile p) {
  return read_stats(p, "/stats");
}

static struct srv_stats conn_stats(enum profile p, long id) {
  char path[64];
  snprintf(path, sizeof(path), "/stats/conn/%ld", id);
  return read_stats(p, path);
}

/* Handshakes the server completed between two readings, not counting the
 * second reading's own. */
static long handshakes_between(const struct srv_stats *before,
                               const struct srv_stats *after) {
  return after->handshakes - before->handshakes - 1;
}

/* n GET requests of one URL. */
static httpr_request **requests_of(const char *url, size_t n) {
  httpr_request **reqs = calloc(n, sizeof(*reqs));
  assert_non_null(reqs);
  for (size_t i = 0; i < n; i++)
    assert_code(httpr_request_new(&reqs[i], "GET", url, NULL), HTTPR_OK);
  return reqs;
}

/* Runs httpr_client_send_all and records each result in got[i]. */
static httpr_code send_all_got(httpr_client *client, httpr_request **reqs,
                               size_t n, size_t parallel, struct kept *got,
                               httpr_error **errs) {
  httpr_response **out = calloc(n, sizeof(*out));
  httpr_code *codes = calloc(n, sizeof(*codes));
  assert_non_null(out);
  assert_non_null(codes);
  for (size_t i = 0; i < n; i++) {
    errs[i] = httpr_error_new();
    assert_non_null(errs[i]);
  }
  httpr_code rc =
      httpr_client_send_all(client, (const httpr_request *const *)reqs, n,
                            parallel, out, codes, (httpr_error *const *)errs);
  for (size_t i = 0; i < n; i++) {
    keep_response(&got[i], codes[i], out[i]);
    httpr_response_free(out[i]);
  }
  free(out);
  free(codes);
  return rc;
}

static void free_all(httpr_request **reqs, httpr_error **errs, size_t n) {
  for (size_t i = 0; i < n; i++) {
    httpr_request_free(reqs[i]);
    httpr_error_free(errs[i]);
  }
  free(reqs);
}

/* Body bytes the test server sends on /bytes/N: 'a' + offset % 26. */
struct pattern_check {
  uint64_t off;
  int bad;
  uint64_t bad_at;
};

static int check_pattern(const void *data, size_t len, void *userdata) {
  struct pattern_check *pc = userdata;
  const unsigned char *p = data;
  unsigned r = (unsigned)(pc->off % 26);
  for (size_t i = 0; i < len; i++) {
    if (p[i] != 'a' + r) {
      pc->bad = 1;
      pc->bad_at = pc->off + i;
      return 1;
    }
    if (++r == 26)
      r = 0;
  }
  pc->off += len;
  return 0;
}

/* A reproducible byte stream for uploads (xorshift64*). */
struct gen {
  uint64_t state;
  uint64_t left;
};

static unsigned char gen_byte(struct gen *g) {
  g->state ^= g->state >> 12;
  g->state ^= g->state << 25;
  g->state ^= g->state >> 27;
  return (unsigned char)((g->state * 2685821657736338717ULL) >> 56);
}

static long gen_read(void *buf, size_t cap, void *userdata) {
  struct gen *g = userdata;
  unsigned char *p = buf;
  size_t n = g->left < cap ? (size_t)g->left : cap;
  for (size_t i = 0; i < n; i++)
    p[i] = gen_byte(g);
  g->left -= n;
  return (long)n;
}

/* FNV-1a 64, the digest /echo returns in x-body-fnv1a64. */
static uint64_t fnv1a64_add(uint64_t v, const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    v ^= p[i];
    v *= 1099511628211ULL;
  }
  return v;
}
#define FNV_START 14695981039346656037ULL

/* Checks an echoed body against the generator that made the upload. */
struct echo_check {
  struct gen expect;
  uint64_t got;
  uint64_t fnv;
  int bad;
  uint64_t bad_at;
};

static int check_echo(const void *data, size_t len, void *userdata) {
  struct echo_check *ec = userdata;
  const unsigned char *p = data;
  for (size_t i = 0; i < len; i++) {
    if (p[i] != gen_byte(&ec->expect)) {
      ec->bad = 1;
      ec->bad_at = ec->got + i;
      return 1;
    }
  }
  ec->fnv = fnv1a64_add(ec->fnv, p, len);
  ec->got += len;
  return 0;
}

/* Where an upload's bytes come from. */
enum upload_from {
  FROM_CALLBACK,         /* a body callback, its length announced */
  FROM_CALLBACK_UNKNOWN, /* a body callback of unknown length */
  FROM_MEMORY            /* httpr_request_set_body */
};

/* Uploads `size` generated bytes to /echo of profile p (from `from`) and
 * checks the echo byte for byte, its length and the server's digest. */
static void upload_and_check(enum profile p, uint64_t size,
                             enum upload_from from) {
  httpr_config *cfg = cfg_new();
  httpr_client *client = client_of(cfg);
  httpr_request *req = NULL;
  httpr_response *resp = NULL;
  httpr_error *err = httpr_error_new();
  struct gen up = {0x9e3779b97f4a7c15ULL, size};
  struct echo_check ec = {{0x9e3779b97f4a7c15ULL, size}, 0, FNV_START, 0, 0};
  unsigned char *data = NULL;
  assert_code(httpr_request_new(&req, "POST", url_of(p, NULL, "/echo"), err),
              HTTPR_OK);
  if (from == FROM_MEMORY) {
    assert_non_null(data = malloc(size));
    assert_int_equal(gen_read(data, size, &up), size);
    assert_code(httpr_request_set_body(req, data, size), HTTPR_OK);
  } else {
    int64_t len = from == FROM_CALLBACK ? (int64_t)size : -1;
    assert_code(httpr_request_set_body_callback(req, gen_read, &up, len),
                HTTPR_OK);
  }
  assert_code(httpr_request_set_body_sink(req, check_echo, &ec), HTTPR_OK);
  assert_code_err(httpr_client_send(client, req, &resp, err), HTTPR_OK, err);
  assert_int_equal(httpr_response_status(resp), 200);
  assert_int_equal(httpr_response_http_version(resp), HTTPR_HTTP_2);
  if (ec.bad)
    fail_msg("echo differs at byte %llu", (unsigned long long)ec.bad_at);
  assert_int_equal(up.left, 0);
  assert_int_equal(ec.got, size);
  assert_int_equal(httpr_response_body_bytes(resp), size);
  char want[24];
  snprintf(want, sizeof(want), "%llu", (unsigned long long)size);
  assert_non_null(httpr_response_header(resp, "x-body-length", 0));
  assert_string_equal(httpr_response_header(resp, "x-body-length", 0), want);
  snprintf(want, sizeof(want), "%016llx", (unsigned long long)ec.fnv);
  assert_non_null(httpr_response_header(resp, "x-body-fnv1a64", 0));
  assert_string_equal(httpr_response_header(resp, "x-body-fnv1a64", 0), want);
  httpr_response_free(resp);
  httpr_request_free(req);
  free(data);
  httpr_error_free(err);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* Downloads /bytes/size of profile p through a sink and checks every byte. */
static void download_and_check(enum profile p, uint64_t size) {
  httpr_config *cfg = cfg_new();
  httpr_client *client = client_of(cfg);
  httpr_request *req = NULL;
  httpr_response *resp = NULL;
  httpr_error *err = httpr_error_new();
  struct pattern_check pc = {0};
  char path[64];
  snprintf(path, sizeof(path), "/bytes/%llu", (unsigned long long)size);
  assert_code(httpr_request_new(&req, "GET", url_of(p, NULL, path), err),
              HTTPR_OK);
  assert_code(httpr_request_set_body_sink(req, check_pattern, &pc), HTTPR_OK);
  assert_code_err(httpr_client_send(client, req, &resp, err), HTTPR_OK, err);
  assert_int_equal(httpr_response_status(resp), 200);
  assert_int_equal(httpr_response_http_version(resp), HTTPR_HTTP_2);
  if (pc.bad)
    fail_msg("body differs at byte %llu", (unsigned long long)pc.bad_at);
  assert_int_equal(pc.off, size);
  assert_int_equal(httpr_response_body_bytes(resp), size);
  size_t buffered = 1;
  httpr_response_body(resp, &buffered);
  assert_int_equal(buffered, 0); /* streamed, not buffered */
  httpr_response_free(resp);
  httpr_request_free(req);
  httpr_error_free(err);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* ---- version policy ------------------------------------------------------ */

static void h2_default_policy_negotiates_h2(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_response *resp =
      expect_get(cfg, url_of(SRV_H2, NULL, "/"), HTTPR_OK, NULL);
  assert_int_equal(httpr_response_status(resp), 200);
  assert_int_equal(httpr_response_http_version(resp), HTTPR_HTTP_2);
  assert_string_equal(httpr_response_tls_alpn(resp), "h2");
  char *body = body_string(resp);
  assert_string_equal(body, "hello\n");
  free(body);
  httpr_response_free(resp);
  httpr_config_free(cfg);
}

/* Servers that do not select h2 get HTTP/1.1 under the default policy:
 * one that selects http/1.1, one without ALPN, and cleartext. */
static void h2_default_policy_falls_back_to_h1(void **state) {
  (void)state;
  static const struct {
    enum profile p;
    const char *alpn;
  } cases[] = {
      {SRV_GOOD_ECDSA, "http/1.1"}, {SRV_NO_ALPN, ""}, {SRV_PLAIN, ""}};
  httpr_config *cfg = cfg_new();
  for (size_t i = 0; i < COUNT_OF(cases); i++) {
    httpr_response *resp =
        expect_get(cfg, url_of(cases[i].p, NULL, "/"), HTTPR_OK, NULL);
    assert_int_equal(httpr_response_status(resp), 200);
    assert_int_equal(httpr_response_http_version(resp), HTTPR_HTTP_1_1);
    assert_string_equal(httpr_response_tls_alpn(resp), cases[i].alpn);
    httpr_response_free(resp);
  }
  httpr_config_free(cfg);
}

static void h2_h1_only_policy_against_h2_server(void **state) {
  (void)state;
  httpr_config *cfg = cfg_policy(HTTPR_HTTP1_ONLY);
  httpr_response *resp =
      expect_get(cfg, url_of(SRV_H2, NULL, "/"), HTTPR_OK, NULL);
  assert_int_equal(httpr_response_status(resp), 200);
  assert_int_equal(httpr_response_http_version(resp), HTTPR_HTTP_1_1);
  assert_string_equal(httpr_response_tls_alpn(resp), "http/1.1");
  httpr_response_free(resp);
  httpr_config_free(cfg);
}

static void h2_only_policy_against_h2_server(void **state) {
  (void)state;
  httpr_config *cfg = cfg_policy(HTTPR_HTTP2_ONLY);
  httpr_response *resp =
      expect_get(cfg, url_of(SRV_H2, NULL, "/"), HTTPR_OK, NULL);
  assert_int_equal(httpr_response_http_version(resp), HTTPR_HTTP_2);
  assert_string_equal(httpr_response_tls_alpn(resp), "h2");
  httpr_response_free(resp);
  httpr_config_free(cfg);
}

/* h2 required, not negotiated: an http/1.1-only server, one without ALPN,
 * and an http:// URL (no h2c) all fail with HTTPR_E_PROTOCOL. */
static void h2_only_policy_fails_without_h2(void **state) {
  (void)state;
  static const enum profile servers[] = {SRV_GOOD_ECDSA, SRV_NO_ALPN,
                                         SRV_PLAIN};
  httpr_config *cfg = cfg_policy(HTTPR_HTTP2_ONLY);
  httpr_error *err = httpr_error_new();
  for (size_t i = 0; i < COUNT_OF(servers); i++) {
    httpr_response *resp =
        expect_get(cfg, url_of(servers[i], NULL, "/"), HTTPR_E_PROTOCOL, err);
    assert_null(resp);
    assert_true(*httpr_error_message(err) != '\0');
  }
  httpr_error_free(err);
  httpr_config_free(cfg);
}

/* ---- one connection, many streams ---------------------------------------- */

static void h2_sequential_requests_reuse_h2_connection(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_client *client = client_of(cfg);
  const char *url = url_of(SRV_H2, NULL, "/conn-id");
  struct kept first = get_h2(client, url);
  assert_int_equal(first.reused, 0);
  for (int i = 0; i < 4; i++) {
    struct kept g = get_h2(client, url);
    assert_int_equal(g.id, first.id);
    assert_int_equal(g.reused, 1);
  }
  httpr_client_free(client);
  httpr_config_free(cfg);
}

#define MANY 100

/* 100 requests at once: all on one connection, after exactly one TLS
 * handshake, as concurrent streams (each holds its stream 500 ms, so a
 * client that sends them one by one would never have many open). */
static void h2_send_all_100_streams_one_connection(void **state) {
  (void)state;
  struct srv_stats before = server_stats(SRV_H2);
  httpr_config *cfg = cfg_new();
  httpr_client *client = client_of(cfg);
  httpr_request **reqs =
      requests_of(url_of(SRV_H2, NULL, delay_path(500)), MANY);
  static struct kept got[MANY];
  httpr_error *errs[MANY];
  httpr_code rc = send_all_got(client, reqs, MANY, MANY, got, errs);
  for (size_t i = 0; i < MANY; i++) {
    assert_code_err(got[i].rc, HTTPR_OK, errs[i]);
    assert_int_equal(got[i].status, 200);
    assert_int_equal(got[i].http_version, HTTPR_HTTP_2);
    assert_true(got[i].id > 0);
    assert_int_equal(got[i].id, got[0].id);
  }
  assert_code(rc, HTTPR_OK);
  struct srv_stats after = server_stats(SRV_H2);
  assert_int_equal(handshakes_between(&before, &after), 1);
  struct srv_stats conn = conn_stats(SRV_H2, got[0].id);
  print_message("%d streams on one connection, at most %ld open at once\n",
                MANY, conn.max_open);
  assert_int_equal(conn.streams, MANY);
  assert_in_range(conn.max_open, MANY / 2, MANY);
  assert_int_equal(conn.refused, 0);
  assert_int_equal(conn.errors, 0);
  free_all(reqs, errs, MANY);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

#define THREADS 8
#define PER_THREAD 4

/* 8 threads sending on one client share its one HTTP/2 connection. */
static void h2_threads_share_one_connection(void **state) {
  (void)state;
  struct srv_stats before = server_stats(SRV_H2);
  httpr_config *cfg = cfg_new();
  httpr_client *client = client_of(cfg);
  static struct kept got[THREADS * PER_THREAD];
  get_from_threads(client, url_of(SRV_H2, NULL, delay_path(200)), THREADS,
                   PER_THREAD, got);
  long id = got[0].id;
  for (int i = 0; i < THREADS * PER_THREAD; i++) {
    const struct kept *g = &got[i];
    assert_code(g->rc, HTTPR_OK);
    assert_int_equal(g->status, 200);
    assert_int_equal(g->http_version, HTTPR_HTTP_2);
    assert_true(g->id > 0);
    assert_int_equal(g->id, id);
  }
  struct srv_stats after = server_stats(SRV_H2);
  assert_int_equal(handshakes_between(&before, &after), 1);
  struct srv_stats conn = conn_stats(SRV_H2, id);
  print_message("%d threads: one connection, at most %ld streams open\n",
                THREADS, conn.max_open);
  assert_int_equal(conn.streams, THREADS * PER_THREAD);
  assert_in_range(conn.max_open, 2, THREADS);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* ---- bodies -------------------------------------------------------------- */

static void h2_download_64mib_streamed(void **state) {
  (void)state;
  download_and_check(SRV_H2, 64ULL * 1024 * 1024);
}

static void h2_upload_16mib_callback_body(void **state) {
  (void)state;
  upload_and_check(SRV_H2, 16ULL * 1024 * 1024, FROM_CALLBACK);
}

/* A callback body of unknown length: over HTTP/2 it simply ends with the
 * stream (no chunked encoding). */
static void h2_upload_unknown_length(void **state) {
  (void)state;
  upload_and_check(SRV_H2, 1024 * 1024 + 7, FROM_CALLBACK_UNKNOWN);
}

/* A server whose windows are open (16 MiB from its preface, as h2o 2.2.5
 * opens them) says nothing while the body comes: nothing wakes the
 * client but its own wish to send. Issue 14: the client sent what it had
 * gathered in a turn (256 KiB of frames; from a callback, the two pieces
 * it had read) and then waited for the server until the time limit. */
static void h2_open_window_upload_memory_body(void **state) {
  (void)state;
  upload_and_check(SRV_H2_OPEN_WINDOW, 8ULL * 1024 * 1024 + 5, FROM_MEMORY);
}

static void h2_open_window_upload_callback_body(void **state) {
  (void)state;
  upload_and_check(SRV_H2_OPEN_WINDOW, 8ULL * 1024 * 1024 + 5, FROM_CALLBACK);
}

/* Trailer fields after the body are found like header fields (the
 * library keeps them with the response's headers). */
static void h2_trailers_received(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_response *resp =
      expect_get(cfg, url_of(SRV_H2, NULL, "/trailers"), HTTPR_OK, NULL);
  assert_int_equal(httpr_response_status(resp), 200);
  assert_int_equal(httpr_response_http_version(resp), HTTPR_HTTP_2);
  char *body = body_string(resp);
  assert_string_equal(body, "hello\n");
  free(body);
  assert_non_null(httpr_response_header(resp, "content-type", 0));
  assert_non_null(httpr_response_header(resp, "X-Trailer", 0));
  assert_string_equal(httpr_response_header(resp, "X-Trailer", 0), "yes");
  assert_non_null(httpr_response_header(resp, "x-trailer-2", 0));
  assert_string_equal(httpr_response_header(resp, "x-trailer-2", 0), "two");
  httpr_response_free(resp);
  httpr_config_free(cfg);
}

/* ---- GOAWAY -------------------------------------------------------------- */

/* The server answers 2 streams per connection; a 3rd gets GOAWAY naming
 * the 2nd as the last and no answer. GETs one after another: the 3rd and
 * 5th are retried on a new connection, which then serves the next. */
static void h2_goaway_get_retried_on_new_connection(void **state) {
  (void)state;
  static const int reused[] = {0, 1, 0, 1, 0};
  httpr_config *cfg = cfg_new();
  httpr_client *client = client_of(cfg);
  const char *url = url_of(SRV_H2_GOAWAY, NULL, "/conn-id");
  long ids[COUNT_OF(reused)];
  for (size_t i = 0; i < COUNT_OF(reused); i++) {
    struct kept g = get_h2(client, url);
    ids[i] = g.id;
    assert_true(g.id > 0);
    assert_int_equal(g.reused, reused[i]);
  }
  assert_int_equal(ids[1], ids[0]);
  assert_true(ids[2] != ids[1]);
  assert_int_equal(ids[3], ids[2]);
  assert_true(ids[4] != ids[3]);
  assert_true(ids[4] != ids[0]);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* Concurrent GETs: whatever their spread over connections, each
 * connection answers at most 2 and every request succeeds. */
static void h2_goaway_concurrent_gets_succeed(void **state) {
  (void)state;
  enum { N = 4 };
  httpr_config *cfg = cfg_new();
  httpr_client *client = client_of(cfg);
  httpr_request **reqs =
      requests_of(url_of(SRV_H2_GOAWAY, NULL, delay_path(300)), N);
  struct kept got[N];
  httpr_error *errs[N];
  assert_code(send_all_got(client, reqs, N, N, got, errs), HTTPR_OK);
  for (size_t i = 0; i < N; i++) {
    assert_code_err(got[i].rc, HTTPR_OK, errs[i]);
    assert_int_equal(got[i].status, 200);
    assert_int_equal(got[i].http_version, HTTPR_HTTP_2);
    size_t same = 0;
    for (size_t k = 0; k < N; k++)
      same += got[k].id == got[i].id;
    assert_in_range(same, 1, 2);
  }
  size_t distinct = 0;
  for (size_t i = 0; i < N; i++) {
    size_t k = 0;
    while (got[k].id != got[i].id)
      k++;
    distinct += k == i;
  }
  print_message("%d GETs after GOAWAY: %zu connection(s)\n", N, distinct);
  free_all(reqs, errs, N);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* A POST left unanswered by GOAWAY is not retried: HTTPR_E_PROTOCOL. The
 * client goes on with a new connection. */
static void h2_goaway_post_fails(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_client *client = client_of(cfg);
  const char *url = url_of(SRV_H2_GOAWAY, NULL, "/conn-id");
  struct kept a = get_h2(client, url);
  struct kept b = get_h2(client, url);
  assert_int_equal(b.id, a.id);
  httpr_error *err = httpr_error_new();
  struct kept post;
  assert_code_err(send_kept(client, "POST",
                            url_of(SRV_H2_GOAWAY, NULL, "/echo"), "x=1", &post,
                            err),
                  HTTPR_E_PROTOCOL, err);
  struct kept next = get_h2(client, url);
  assert_true(next.id != a.id);
  assert_int_equal(next.reused, 0);
  httpr_error_free(err);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* ---- RST_STREAM ---------------------------------------------------------- */

/* One stream reset by the server fails with HTTPR_E_PROTOCOL; the others
 * in flight on the same connection succeed, and the connection stays. */
static void h2_rst_stream_fails_only_that_request(void **state) {
  (void)state;
  enum { N = 4, RST = 1 };
  httpr_config *cfg = cfg_new();
  httpr_client *client = client_of(cfg);
  struct kept warm = get_h2(client, url_of(SRV_H2, NULL, "/conn-id"));
  httpr_request **reqs = requests_of(url_of(SRV_H2, NULL, delay_path(400)), N);
  httpr_request_free(reqs[RST]);
  assert_code(httpr_request_new(&reqs[RST], "GET",
                                url_of(SRV_H2, NULL, "/h2/rst/100"), NULL),
              HTTPR_OK);
  struct kept got[N];
  httpr_error *errs[N];
  httpr_code rc = send_all_got(client, reqs, N, N, got, errs);
  assert_code(rc, HTTPR_E_PROTOCOL);
  for (size_t i = 0; i < N; i++) {
    if (i == RST) {
      assert_code_err(got[i].rc, HTTPR_E_PROTOCOL, errs[i]);
      continue;
    }
    assert_code_err(got[i].rc, HTTPR_OK, errs[i]);
    assert_int_equal(got[i].status, 200);
    assert_int_equal(got[i].http_version, HTTPR_HTTP_2);
    assert_int_equal(got[i].id, warm.id);
  }
  struct kept after = get_h2(client, url_of(SRV_H2, NULL, "/conn-id"));
  assert_int_equal(after.id, warm.id);
  assert_int_equal(after.reused, 1);
  free_all(reqs, errs, N);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* ---- flow control and the stream limit ----------------------------------- */

/* A 16-byte initial window: the upload goes in DATA frames of 16 bytes,
 * each waiting for a WINDOW_UPDATE (a client that ignores the window gets
 * FLOW_CONTROL_ERROR, counted as a connection error), and a download
 * still arrives whole. */
static void h2_tiny_window_upload_and_download(void **state) {
  (void)state;
  struct srv_stats before = server_stats(SRV_H2_TINY_WINDOW);
  httpr_config *cfg = cfg_new();
  httpr_client *client = client_of(cfg);
  /* First a request, so the upload goes on a connection whose SETTINGS
   * the client has (otherwise most of it fits the default 65535 window it
   * may use before they arrive). */
  struct kept warm =
      get_h2(client, url_of(SRV_H2_TINY_WINDOW, NULL, "/conn-id"));
  enum { SIZE = 64 * 1024 + 3 };
  unsigned char *data = malloc(SIZE);
  assert_non_null(data);
  struct gen g = {12345, SIZE};
  assert_int_equal(gen_read(data, SIZE, &g), SIZE);
  httpr_request *req = NULL;
  httpr_response *resp = NULL;
  httpr_error *err = httpr_error_new();
  assert_code(httpr_request_new(&req, "PUT",
                                url_of(SRV_H2_TINY_WINDOW, NULL, "/echo"), err),
              HTTPR_OK);
  assert_code(httpr_request_set_body(req, data, SIZE), HTTPR_OK);
  assert_code_err(httpr_client_send(client, req, &resp, err), HTTPR_OK, err);
  assert_int_equal(httpr_response_status(resp), 200);
  assert_int_equal(httpr_response_http_version(resp), HTTPR_HTTP_2);
  size_t len = 0;
  const unsigned char *body = httpr_response_body(resp, &len);
  assert_int_equal(len, SIZE);
  assert_memory_equal(body, data, SIZE);
  assert_string_equal(httpr_response_header(resp, "x-method", 0), "PUT");
  assert_int_equal(httpr_response_connection_reused(resp), 1);
  httpr_response_free(resp);
  struct kept same =
      get_h2(client, url_of(SRV_H2_TINY_WINDOW, NULL, "/conn-id"));
  assert_int_equal(same.id, warm.id);
  struct srv_stats conn = conn_stats(SRV_H2_TINY_WINDOW, warm.id);
  print_message("%d bytes uploaded in %ld DATA frames\n", SIZE,
                conn.data_frames);
  assert_true(conn.data_frames >= SIZE / 16);
  httpr_request_free(req);
  httpr_error_free(err);
  free(data);
  httpr_client_free(client);
  httpr_config_free(cfg);
  download_and_check(SRV_H2_TINY_WINDOW, 4 * 1024 * 1024 + 5);
  struct srv_stats after = server_stats(SRV_H2_TINY_WINDOW);
  assert_int_equal(after.errors, before.errors); /* no FLOW_CONTROL_ERROR */
}

enum { LIMITED = 20 };

/* Sends LIMITED requests of /delay/100 at once on `client`; all must
 * succeed. Fills ids[] with the connections they came on. */
static void limited_burst(httpr_client *client, long *ids) {
  httpr_request **reqs =
      requests_of(url_of(SRV_H2_MAX_STREAMS_2, NULL, delay_path(100)), LIMITED);
  struct kept got[LIMITED];
  httpr_error *errs[LIMITED];
  httpr_code rc = send_all_got(client, reqs, LIMITED, LIMITED, got, errs);
  for (size_t i = 0; i < LIMITED; i++) {
    assert_code_err(got[i].rc, HTTPR_OK, errs[i]);
    assert_int_equal(got[i].status, 200);
    assert_int_equal(got[i].http_version, HTTPR_HTTP_2);
    assert_true(got[i].id > 0);
    ids[i] = got[i].id;
  }
  assert_code(rc, HTTPR_OK);
  free_all(reqs, errs, LIMITED);
}

/* SETTINGS_MAX_CONCURRENT_STREAMS 2, already known to the client (one
 * request went first): 20 requests at once all succeed, and the server
 * never had to refuse a stream or fail the connection; every connection
 * they used had at most 2 streams open, and the limit was used. */
static void h2_max_concurrent_streams_respected(void **state) {
  (void)state;
  struct srv_stats before = server_stats(SRV_H2_MAX_STREAMS_2);
  httpr_config *cfg = cfg_new();
  httpr_client *client = client_of(cfg);
  get_h2(client, url_of(SRV_H2_MAX_STREAMS_2, NULL, "/conn-id"));
  long ids[LIMITED];
  limited_burst(client, ids);
  struct srv_stats after = server_stats(SRV_H2_MAX_STREAMS_2);
  assert_int_equal(after.refused - before.refused, 0);
  assert_int_equal(after.errors - before.errors, 0);
  long most = 0;
  for (size_t i = 0; i < LIMITED; i++) {
    size_t first = 0;
    while (ids[first] != ids[i])
      first++;
    if (first < i)
      continue; /* that connection is checked already */
    struct srv_stats conn = conn_stats(SRV_H2_MAX_STREAMS_2, ids[i]);
    assert_in_range(conn.max_open, 1, 2);
    assert_int_equal(conn.refused, 0);
    assert_int_equal(conn.errors, 0);
    if (conn.max_open > most)
      most = conn.max_open;
  }
  assert_int_equal(most, 2);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* The same from a cold start: requests sent before the server's SETTINGS
 * arrived may be refused (REFUSED_STREAM: not processed, so retried), but
 * all succeed and the connection is never failed for exceeding the limit
 * once the client knows it. */
static void h2_max_concurrent_streams_cold_start(void **state) {
  (void)state;
  struct srv_stats before = server_stats(SRV_H2_MAX_STREAMS_2);
  httpr_config *cfg = cfg_new();
  httpr_client *client = client_of(cfg);
  long ids[LIMITED];
  limited_burst(client, ids);
  struct srv_stats after = server_stats(SRV_H2_MAX_STREAMS_2);
  print_message("cold start: %ld stream(s) refused before SETTINGS\n",
                after.refused - before.refused);
  assert_int_equal(after.errors - before.errors, 0);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* ---- header block size --------------------------------------------------- */

/* A header block of 32 KiB against a limit of 8 KiB: HTTPR_E_TOO_LARGE;
 * the client stays usable. */
static void h2_header_block_over_limit(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_max_header_bytes(cfg, 8192), HTTPR_OK);
  httpr_client *client = client_of(cfg);
  httpr_error *err = httpr_error_new();
  struct kept g;
  assert_code_err(send_kept(client, "GET",
                            url_of(SRV_H2, NULL, "/h2/big-headers/32768"), NULL,
                            &g, err),
                  HTTPR_E_TOO_LARGE, err);
  get_h2(client, url_of(SRV_H2, NULL, "/conn-id"));
  httpr_error_free(err);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* 16 KiB of header fields (128 fields of 128 bytes) within a 64 KiB
 * limit: all of them arrive. */
static void h2_header_block_within_limit(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_max_header_bytes(cfg, 65536), HTTPR_OK);
  httpr_response *resp = expect_get(
      cfg, url_of(SRV_H2, NULL, "/h2/big-headers/16384"), HTTPR_OK, NULL);
  assert_int_equal(httpr_response_status(resp), 200);
  assert_int_equal(httpr_response_http_version(resp), HTTPR_HTTP_2);
  size_t fillers = 0;
  for (size_t i = 0; i < httpr_response_header_count(resp); i++) {
    const char *name = NULL, *value = NULL;
    assert_code(httpr_response_header_at(resp, i, &name, &value), HTTPR_OK);
    if (strncmp(name, "x-filler-", 9) == 0) {
      assert_int_equal(strlen(name) + strlen(value), 128);
      fillers++;
    }
  }
  assert_int_equal(fillers, 128);
  assert_non_null(httpr_response_header(resp, "x-filler-000128", 0));
  httpr_response_free(resp);
  httpr_config_free(cfg);
}

/* ---- malformed frames ---------------------------------------------------- */

/* The server writes a malformed frame instead of an answer and keeps the
 * connection open: the client must see the connection error itself. */
static void expect_bad_frame(const char *path) {
  httpr_config *cfg = cfg_new();
  httpr_error *err = httpr_error_new();
  httpr_response *resp =
      expect_get(cfg, url_of(SRV_H2, NULL, path), HTTPR_E_PROTOCOL, err);
  assert_null(resp);
  httpr_error_free(err);
  httpr_config_free(cfg);
}

/* DATA on stream 0: a connection error of type PROTOCOL_ERROR. */
static void h2_invalid_frame_data_on_stream_0(void **state) {
  (void)state;
  expect_bad_frame("/h2/bad-frame");
}

/* PING with 7 bytes of payload: a connection error FRAME_SIZE_ERROR. */
static void h2_invalid_frame_bad_length(void **state) {
  (void)state;
  expect_bad_frame("/h2/bad-frame-length");
}

/* ---- client certificates ------------------------------------------------- */

/* The server requires a certificate and saw ours, over HTTP/2. */
static void expect_cert_over_h2(httpr_config *cfg) {
  httpr_response *resp = expect_get(
      cfg, url_of(SRV_H2_CLIENT_AUTH, NULL, "/client-cert"), HTTPR_OK, NULL);
  assert_int_equal(httpr_response_http_version(resp), HTTPR_HTTP_2);
  assert_string_equal(httpr_response_tls_alpn(resp), "h2");
  char *body = body_string(resp);
  assert_non_null(strstr(body, "CN=httpr test client"));
  free(body);
  httpr_response_free(resp);
}

static void h2_client_cert_absent(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  expect_get(cfg, url_of(SRV_H2_CLIENT_AUTH, NULL, "/client-cert"),
             HTTPR_E_TLS_HANDSHAKE, NULL);
  httpr_config_free(cfg);
}

static void h2_client_cert_one_pem(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_client_pem(cfg, pki("client.pem"), NULL),
              HTTPR_OK);
  expect_cert_over_h2(cfg);
  httpr_config_free(cfg);
}

static void h2_client_cert_separate_files(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_client_cert(cfg, pki("client.crt"),
                                           pki("client.key"), NULL),
              HTTPR_OK);
  expect_cert_over_h2(cfg);
  httpr_config_free(cfg);
}

static void h2_client_cert_encrypted_key(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_client_cert(cfg, pki("client.crt"),
                                           pki("client-key-pkcs8-enc.pem"),
                                           PASSWORD),
              HTTPR_OK);
  if (g_suite.features & HTTPR_FEATURE_ENCRYPTED_KEY)
    expect_cert_over_h2(cfg);
  else
    expect_get(cfg, url_of(SRV_H2_CLIENT_AUTH, NULL, "/client-cert"),
               HTTPR_E_UNSUPPORTED, NULL);
  httpr_config_free(cfg);
}

static void h2_client_cert_pkcs12(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_client_pkcs12(cfg, pki("client.p12"), PASSWORD),
              HTTPR_OK);
  if (g_suite.features & HTTPR_FEATURE_PKCS12)
    expect_cert_over_h2(cfg);
  else
    expect_get(cfg, url_of(SRV_H2_CLIENT_AUTH, NULL, "/client-cert"),
               HTTPR_E_UNSUPPORTED, NULL);
  httpr_config_free(cfg);
}

/* The server's connection count, read with our client certificate. */
static long connections_of_client_auth_server(void) {
  httpr_config *cfg = cfg_policy(HTTPR_HTTP2_ONLY);
  assert_code(httpr_config_set_client_pem(cfg, pki("client.pem"), NULL),
              HTTPR_OK);
  httpr_response *resp = expect_get(
      cfg, url_of(SRV_H2_CLIENT_AUTH, NULL, "/stats"), HTTPR_OK, NULL);
  char *body = body_string(resp);
  long n = stat_value(body, "connections");
  free(body);
  httpr_response_free(resp);
  httpr_config_free(cfg);
  return n;
}

/* A server that refuses the missing certificate after the TLS 1.3
 * handshake alerts while our preface goes out: the alert is the error
 * every time (never the broken pipe), and a new connection's failure is
 * not retried on another one. */
#define H2_REFUSED_RUNS 100

static void h2_client_cert_absent_alert_not_retried(void **state) {
  (void)state;
  httpr_config *cfg = cfg_policy(HTTPR_HTTP_ANY);
  httpr_client *client = client_of(cfg);
  httpr_request *req = NULL;
  assert_code(httpr_request_new(&req, "GET",
                                url_of(SRV_H2_CLIENT_AUTH, NULL, "/"), NULL),
              HTTPR_OK);
  long before = connections_of_client_auth_server();
  expect_every_run(client, req, H2_REFUSED_RUNS, HTTPR_E_TLS_HANDSHAKE,
                   (g_suite.features & HTTPR_FEATURE_TLS13)
                       ? "no client certificate presented (server sent "
                         "alert certificate_required)"
                       : NULL);
  long after = connections_of_client_auth_server();
  assert_int_equal(after - before, H2_REFUSED_RUNS + 1); /* + the reading */
  httpr_request_free(req);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

const struct CMUnitTest h2_tests[] = {
    cmocka_unit_test(h2_default_policy_negotiates_h2),
    cmocka_unit_test(h2_default_policy_falls_back_to_h1),
    cmocka_unit_test(h2_h1_only_policy_against_h2_server),
    cmocka_unit_test(h2_only_policy_against_h2_server),
    cmocka_unit_test(h2_only_policy_fails_without_h2),
    cmocka_unit_test(h2_sequential_requests_reuse_h2_connection),
    cmocka_unit_test(h2_send_all_100_streams_one_connection),
    cmocka_unit_test(h2_threads_share_one_connection),
    cmocka_unit_test(h2_download_64mib_streamed),
    cmocka_unit_test(h2_upload_16mib_callback_body),
    cmocka_unit_test(h2_upload_unknown_length),
    cmocka_unit_test(h2_open_window_upload_memory_body),
    cmocka_unit_test(h2_open_window_upload_callback_body),
    cmocka_unit_test(h2_trailers_received),
    cmocka_unit_test(h2_goaway_get_retried_on_new_connection),
    cmocka_unit_test(h2_goaway_concurrent_gets_succeed),
    cmocka_unit_test(h2_goaway_post_fails),
    cmocka_unit_test(h2_rst_stream_fails_only_that_request),
    cmocka_unit_test(h2_tiny_window_upload_and_download),
    cmocka_unit_test(h2_max_concurrent_streams_respected),
    cmocka_unit_test(h2_max_concurrent_streams_cold_start),
    cmocka_unit_test(h2_header_block_over_limit),
    cmocka_unit_test(h2_header_block_within_limit),
    cmocka_unit_test(h2_invalid_frame_data_on_stream_0),
    cmocka_unit_test(h2_invalid_frame_bad_length),
    cmocka_unit_test(h2_client_cert_absent),
    cmocka_unit_test(h2_client_cert_absent_alert_not_retried),
    cmocka_unit_test(h2_client_cert_one_pem),
    cmocka_unit_test(h2_client_cert_separate_files),
    cmocka_unit_test(h2_client_cert_encrypted_key),
    cmocka_unit_test(h2_client_cert_pkcs12),
};
const size_t h2_tests_count = COUNT_OF(h2_tests);
