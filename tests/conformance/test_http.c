/* SPDX-License-Identifier: MIT */
/*
 * test_http.c - HTTP/1.1 over each provider: bodies in every framing,
 * uploads, streaming, limits, connection reuse, redirects, and a server
 * that misbehaves on purpose (each misbehaviour has its exact code).
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tests/conformance/suite.h"

/* The test server's byte pattern: byte i is 'a' + i % 26. */
static int is_pattern(const unsigned char *p, size_t len, size_t offset) {
  for (size_t i = 0; i < len; i++) {
    if (p[i] != (unsigned char)('a' + (offset + i) % 26))
      return 0;
  }
  return 1;
}

static httpr_response *get_ok(const char *url) {
  httpr_config *cfg = cfg_new();
  httpr_response *resp = expect_get(cfg, url, HTTPR_OK, NULL);
  httpr_config_free(cfg);
  return resp;
}

static void expect_code(const char *url, httpr_code want) {
  httpr_config *cfg = cfg_new();
  httpr_response_free(expect_get(cfg, url, want, NULL));
  httpr_config_free(cfg);
}

static void expect_pattern_body(const char *url, size_t n) {
  httpr_response *resp = get_ok(url);
  size_t len = 0;
  const unsigned char *body = httpr_response_body(resp, &len);
  assert_int_equal(len, n);
  assert_int_equal(httpr_response_body_bytes(resp), n);
  assert_true(is_pattern(body, len, 0));
  httpr_response_free(resp);
}

/* ---- bodies -------------------------------------------------------------- */

static void content_length_body(void **state) {
  (void)state;
  expect_pattern_body(url_of(SRV_GOOD_ECDSA, NULL, "/bytes/1000000"), 1000000);
}

static void chunked_body_with_trailer(void **state) {
  (void)state;
  expect_pattern_body(url_of(SRV_GOOD_ECDSA, NULL, "/chunked/54321"), 54321);
}

static void close_delimited_body(void **state) {
  (void)state;
  expect_pattern_body(url_of(SRV_GOOD_ECDSA, NULL, "/close-delimited/70000"),
                      70000);
}

/* Over TLS only close_notify proves a close-delimited body complete. */
static void close_delimited_without_close_notify(void **state) {
  (void)state;
  expect_code(url_of(SRV_GOOD_ECDSA, NULL, "/close-no-notify/5000"),
              HTTPR_E_RECV);
}

/* Over cleartext HTTP the TCP close is the end of such a body. */
static void close_delimited_cleartext(void **state) {
  (void)state;
  expect_pattern_body(url_of(SRV_PLAIN, NULL, "/close-no-notify/5000"), 5000);
}

static void head_has_no_body(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_response *resp = NULL;
  assert_code(fetch(cfg, "HEAD", url_of(SRV_GOOD_ECDSA, NULL, "/bytes/500"),
                    &resp, NULL),
              HTTPR_OK);
  assert_int_equal(httpr_response_status(resp), 200);
  assert_string_equal(httpr_response_header(resp, "content-length", 0), "500");
  assert_int_equal(httpr_response_body_bytes(resp), 0);
  httpr_response_free(resp);
  httpr_config_free(cfg);
}

static void no_content_and_not_modified(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_client *client = NULL;
  assert_code(httpr_client_new(&client, cfg, NULL), HTTPR_OK);
  const char *paths[] = {"/status/204", "/status/304", "/"};
  int want[] = {204, 304, 200};
  for (size_t i = 0; i < COUNT_OF(paths); i++) {
    httpr_request *req = NULL;
    httpr_response *resp = NULL;
    assert_code(httpr_request_new(&req, "GET",
                                  url_of(SRV_GOOD_ECDSA, NULL, paths[i]), NULL),
                HTTPR_OK);
    assert_code(httpr_client_send(client, req, &resp, NULL), HTTPR_OK);
    assert_int_equal(httpr_response_status(resp), want[i]);
    /* The bodiless responses left the connection usable. */
    assert_int_equal(httpr_response_connection_reused(resp), i > 0);
    httpr_response_free(resp);
    httpr_request_free(req);
  }
  httpr_client_free(client);
  httpr_config_free(cfg);
}

static void informational_response_skipped(void **state) {
  (void)state;
  httpr_response *resp = get_ok(url_of(SRV_GOOD_ECDSA, NULL, "/continue"));
  assert_int_equal(httpr_response_status(resp), 200);
  char *body = body_string(resp);
  assert_string_equal(body, "after continue\n");
  free(body);
  httpr_response_free(resp);
}

static void http10_response(void **state) {
  (void)state;
  httpr_response *resp = get_ok(url_of(SRV_GOOD_ECDSA, NULL, "/http10"));
  assert_int_equal(httpr_response_http_version(resp), HTTPR_HTTP_1_0);
  assert_int_equal(httpr_response_status(resp), 200);
  httpr_response_free(resp);
}

static void headers_case_insensitive_and_ordered(void **state) {
  (void)state;
  httpr_response *resp = get_ok(url_of(SRV_GOOD_ECDSA, NULL, "/big-headers/3"));
  assert_string_equal(httpr_response_header(resp, "X-FILLER-1", 0),
                      httpr_response_header(resp, "x-filler-1", 0));
  assert_null(httpr_response_header(resp, "x-filler-1", 1));
  size_t n = httpr_response_header_count(resp);
  const char *name = NULL, *value = NULL;
  int fillers = 0;
  for (size_t i = 0; i < n; i++) {
    assert_code(httpr_response_header_at(resp, i, &name, &value), HTTPR_OK);
    if (strncmp(name, "X-Filler-", 9) == 0)
      assert_int_equal(name[9] - '0', ++fillers);
  }
  assert_int_equal(fillers, 3);
  assert_code(httpr_response_header_at(resp, n, &name, &value),
              HTTPR_E_INVALID);
  httpr_response_free(resp);
}

static void repeated_headers_kept(void **state) {
  (void)state;
  httpr_response *resp =
      get_ok(url_of(SRV_GOOD_ECDSA, NULL, "/repeat-headers"));
  assert_string_equal(httpr_response_header(resp, "X-REPEAT", 0), "one");
  assert_string_equal(httpr_response_header(resp, "x-Repeat", 1), "two");
  assert_null(httpr_response_header(resp, "x-repeat", 2));
  httpr_response_free(resp);
}

/* ---- streaming and limits ------------------------------------------------ */

struct sink {
  size_t bytes;
  int pattern_ok;
  size_t refuse_after;
};

static int sink_write(const void *data, size_t len, void *ud) {
  struct sink *s = ud;
  if (!is_pattern(data, len, s->bytes))
    s->pattern_ok = 0;
  s->bytes += len;
  return s->refuse_after && s->bytes > s->refuse_after;
}

static httpr_code send_with_sink(const char *url, struct sink *s,
                                 httpr_config *cfg) {
  httpr_client *client = NULL;
  httpr_request *req = NULL;
  httpr_response *resp = NULL;
  assert_code(httpr_client_new(&client, cfg, NULL), HTTPR_OK);
  assert_code(httpr_request_new(&req, "GET", url, NULL), HTTPR_OK);
  assert_code(httpr_request_set_body_sink(req, sink_write, s), HTTPR_OK);
  httpr_code rc = httpr_client_send(client, req, &resp, NULL);
  if (rc == HTTPR_OK) {
    size_t len = 1;
    httpr_response_body(resp, &len);
    assert_int_equal(len, 0); /* streamed, not buffered */
    assert_int_equal(httpr_response_body_bytes(resp), s->bytes);
  }
  httpr_response_free(resp);
  httpr_request_free(req);
  httpr_client_free(client);
  return rc;
}

static void streamed_body(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  struct sink s = {.pattern_ok = 1};
  assert_code(
      send_with_sink(url_of(SRV_GOOD_ECDSA, NULL, "/bytes/3000000"), &s, cfg),
      HTTPR_OK);
  assert_int_equal(s.bytes, 3000000);
  assert_true(s.pattern_ok);
  httpr_config_free(cfg);
}

static void sink_refusal_aborts(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  struct sink s = {.pattern_ok = 1, .refuse_after = 100000};
  assert_code(
      send_with_sink(url_of(SRV_GOOD_ECDSA, NULL, "/bytes/3000000"), &s, cfg),
      HTTPR_E_WRITE);
  httpr_config_free(cfg);
}

static void body_limit(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_config_set_max_body_bytes(cfg, 4096);
  httpr_response_free(expect_get(
      cfg, url_of(SRV_GOOD_ECDSA, NULL, "/bytes/4096"), HTTPR_OK, NULL));
  expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/bytes/4097"),
             HTTPR_E_TOO_LARGE, NULL);
  struct sink s = {.pattern_ok = 1};
  assert_code(
      send_with_sink(url_of(SRV_GOOD_ECDSA, NULL, "/chunked/5000"), &s, cfg),
      HTTPR_E_TOO_LARGE);
  httpr_config_free(cfg);
}

static void header_limit(void **state) {
  (void)state;
  /* 2000 lines of about 100 bytes: past the 100 KiB default. */
  const char *url = url_of(SRV_GOOD_ECDSA, NULL, "/big-headers/2000");
  httpr_config *cfg = cfg_new();
  httpr_error *err = httpr_error_new();
  expect_get(cfg, url, HTTPR_E_TOO_LARGE, err);
  assert_non_null(strstr(httpr_error_message(err), "102400"));
  httpr_config_set_max_header_bytes(cfg, 1024 * 1024);
  httpr_response_free(expect_get(cfg, url, HTTPR_OK, NULL));
  httpr_config_set_max_header_bytes(cfg, 1000);
  expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/big-headers/10"),
             HTTPR_E_TOO_LARGE, NULL);
  httpr_error_free(err);
  httpr_config_free(cfg);
}

/* ---- uploads ------------------------------------------------------------- */

struct source {
  const char *data;
  size_t len, pos, step;
};

static long source_read(void *buf, size_t cap, void *ud) {
  struct source *s = ud;
  size_t n = s->len - s->pos;
  if (n > cap)
    n = cap;
  if (n > s->step)
    n = s->step;
  memcpy(buf, s->data + s->pos, n);
  s->pos += n;
  return (long)n;
}

static char *echo(httpr_request *req) {
  httpr_config *cfg = cfg_new();
  httpr_client *client = NULL;
  httpr_response *resp = NULL;
  assert_code(httpr_client_new(&client, cfg, NULL), HTTPR_OK);
  assert_code(httpr_client_send(client, req, &resp, NULL), HTTPR_OK);
  assert_int_equal(httpr_response_status(resp), 200);
  char *body = body_string(resp);
  httpr_response_free(resp);
  httpr_client_free(client);
  httpr_config_free(cfg);
  return body;
}

static const char *echoed_body(const char *echo_text) {
  const char *sep = strstr(echo_text, "\n\n");
  assert_non_null(sep);
  return sep + 2;
}

static void post_from_memory(void **state) {
  (void)state;
  httpr_request *req = NULL;
  assert_code(httpr_request_new(&req, "POST",
                                url_of(SRV_GOOD_ECDSA, NULL, "/echo"), NULL),
              HTTPR_OK);
  assert_code(httpr_request_add_header(req, "X-Test", "one", NULL), HTTPR_OK);
  assert_code(httpr_request_set_body(req, "a=1&b=2", 7), HTTPR_OK);
  char *text = echo(req);
  assert_true(strncmp(text, "POST /echo\n", 11) == 0);
  assert_non_null(strstr(text, "\nContent-Length: 7\n"));
  assert_non_null(strstr(text, "\nX-Test: one\n"));
  assert_string_equal(echoed_body(text), "a=1&b=2");
  free(text);
  httpr_request_free(req);
}

static void upload_chunked_from_callback(void **state) {
  (void)state;
  static char data[200000];
  for (size_t i = 0; i < sizeof(data); i++)
    data[i] = (char)('A' + i % 23);
  struct source src = {.data = data, .len = sizeof(data), .step = 7000};
  httpr_request *req = NULL;
  assert_code(httpr_request_new(&req, "PUT",
                                url_of(SRV_GOOD_ECDSA, NULL, "/echo"), NULL),
              HTTPR_OK);
  assert_code(httpr_request_set_body_callback(req, source_read, &src, -1),
              HTTPR_OK);
  char *text = echo(req);
  assert_non_null(strstr(text, "\nTransfer-Encoding: chunked\n"));
  const char *body = echoed_body(text);
  assert_int_equal(strlen(body), sizeof(data));
  assert_memory_equal(body, data, sizeof(data));
  free(text);
  httpr_request_free(req);
}

static void upload_known_length_from_callback(void **state) {
  (void)state;
  const char *data = "exactly thirty-two bytes of body";
  struct source src = {.data = data, .len = 32, .step = 5};
  httpr_request *req = NULL;
  assert_code(
      httpr_request_new(&req, "POST", url_of(SRV_PLAIN, NULL, "/echo"), NULL),
      HTTPR_OK);
  assert_code(httpr_request_set_body_callback(req, source_read, &src, 32),
              HTTPR_OK);
  char *text = echo(req);
  assert_non_null(strstr(text, "\nContent-Length: 32\n"));
  assert_string_equal(echoed_body(text), data);
  free(text);
  httpr_request_free(req);
}

static void upload_shorter_than_announced(void **state) {
  (void)state;
  struct source src = {.data = "short", .len = 5, .step = 5};
  httpr_config *cfg = cfg_new();
  httpr_client *client = NULL;
  httpr_request *req = NULL;
  httpr_response *resp = NULL;
  assert_code(httpr_client_new(&client, cfg, NULL), HTTPR_OK);
  assert_code(httpr_request_new(&req, "POST",
                                url_of(SRV_GOOD_ECDSA, NULL, "/echo"), NULL),
              HTTPR_OK);
  httpr_request_set_body_callback(req, source_read, &src, 10);
  assert_code(httpr_client_send(client, req, &resp, NULL), HTTPR_E_READ);
  httpr_request_free(req);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* ---- caller input -------------------------------------------------------- */

static void crlf_in_header_refused(void **state) {
  (void)state;
  httpr_request *req = NULL;
  httpr_error *err = httpr_error_new();
  assert_code(
      httpr_request_new(&req, "GET", url_of(SRV_GOOD_ECDSA, NULL, "/"), NULL),
      HTTPR_OK);
  assert_code(httpr_request_add_header(req, "X-A", "1\r\nX-Injected: 1", err),
              HTTPR_E_INVALID);
  assert_code(httpr_request_add_header(req, "X-A", "1\nX: 2", err),
              HTTPR_E_INVALID);
  assert_code(httpr_request_add_header(req, "X-A\r\nB", "1", err),
              HTTPR_E_INVALID);
  assert_code(httpr_request_add_header(req, "Bad Name", "1", err),
              HTTPR_E_INVALID);
  assert_code(httpr_request_add_header(req, "Content-Length", "5", err),
              HTTPR_E_INVALID);
  httpr_request_free(req);
  assert_code(httpr_request_new(&req, "GET\r\n", "https://localhost/", err),
              HTTPR_E_INVALID);
  assert_null(req);
  httpr_error_free(err);
}

static void malformed_urls(void **state) {
  (void)state;
  static const struct {
    const char *url;
    httpr_code want;
  } cases[] = {
      {"https://", HTTPR_E_URL},
      {"localhost/", HTTPR_E_URL},
      {"https://localhost:99999/", HTTPR_E_URL},
      {"https://user:pw@localhost/", HTTPR_E_URL},
      {"https://local host/", HTTPR_E_URL},
      {"https://localhost/a\r\nb", HTTPR_E_URL},
      {"https://[::1/", HTTPR_E_URL},
      {"ftp://localhost/", HTTPR_E_UNSUPPORTED_PROTOCOL},
  };
  for (size_t i = 0; i < COUNT_OF(cases); i++) {
    httpr_request *req = NULL;
    assert_code(httpr_request_new(&req, "GET", cases[i].url, NULL),
                cases[i].want);
    assert_null(req);
  }
}

static void https_only_refuses_http(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_config_set_https_only(cfg, 1);
  expect_get(cfg, url_of(SRV_PLAIN, NULL, "/"), HTTPR_E_UNSUPPORTED_PROTOCOL,
             NULL);
  httpr_response_free(
      expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_OK, NULL));
  httpr_config_free(cfg);
}

static void connection_refused(void **state) {
  (void)state;
  /* A port that was just free: bind, learn it, close. */
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET,
                           .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof(sa);
  assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
  assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
  close(fd);
  char url[64];
  snprintf(url, sizeof(url), "https://127.0.0.1:%d/", ntohs(sa.sin_port));
  expect_code(url, HTTPR_E_CONNECT);
}

/* ---- misbehaving server -------------------------------------------------- */

static void malformed_status_line(void **state) {
  (void)state;
  expect_code(url_of(SRV_GOOD_ECDSA, NULL, "/bad-status"), HTTPR_E_PROTOCOL);
}

static void malformed_header(void **state) {
  (void)state;
  expect_code(url_of(SRV_GOOD_ECDSA, NULL, "/bad-header"), HTTPR_E_PROTOCOL);
}

static void bad_chunk_size(void **state) {
  (void)state;
  expect_code(url_of(SRV_GOOD_ECDSA, NULL, "/bad-chunk"), HTTPR_E_PROTOCOL);
}

static void conflicting_lengths(void **state) {
  (void)state;
  expect_code(url_of(SRV_GOOD_ECDSA, NULL, "/cl-conflict"), HTTPR_E_PROTOCOL);
  expect_code(url_of(SRV_GOOD_ECDSA, NULL, "/cl-and-chunked"),
              HTTPR_E_PROTOCOL);
}

static void truncated_body(void **state) {
  (void)state;
  expect_code(url_of(SRV_GOOD_ECDSA, NULL, "/truncated"), HTTPR_E_PARTIAL);
  expect_code(url_of(SRV_GOOD_ECDSA, NULL, "/truncated-chunked"),
              HTTPR_E_PARTIAL);
  expect_code(url_of(SRV_PLAIN, NULL, "/truncated"), HTTPR_E_PARTIAL);
}

static void closed_mid_headers(void **state) {
  (void)state;
  expect_code(url_of(SRV_GOOD_ECDSA, NULL, "/close-mid-headers"), HTTPR_E_RECV);
}

static void server_never_answers(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_config_set_total_timeout_ms(cfg, 800);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  httpr_error *err = httpr_error_new();
  expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/never"), HTTPR_E_TIMEOUT, err);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs =
      (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  /* Bounded by the limit, not by the server: a generous margin for slow
   * sanitizer runs, far below the server's 30 s. (The limit itself is what
   * is tested: not stretched.) */
  assert_true(secs >= 0.7 && secs < test_timeout_s(10.0));
  assert_non_null(strstr(httpr_error_message(err), "timed out"));
  httpr_error_free(err);
  httpr_config_free(cfg);
}

/* ---- connection reuse ---------------------------------------------------- */

static char *get_body(httpr_client *client, const char *url, int *reused) {
  httpr_request *req = NULL;
  httpr_response *resp = NULL;
  assert_code(httpr_request_new(&req, "GET", url, NULL), HTTPR_OK);
  assert_code(httpr_client_send(client, req, &resp, NULL), HTTPR_OK);
  char *body = body_string(resp);
  if (reused)
    *reused = httpr_response_connection_reused(resp);
  httpr_response_free(resp);
  httpr_request_free(req);
  return body;
}

static void two_requests_one_connection(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_client *client = NULL;
  assert_code(httpr_client_new(&client, cfg, NULL), HTTPR_OK);
  int reused1 = -1, reused2 = -1;
  const char *url = url_of(SRV_GOOD_ECDSA, NULL, "/conn-id");
  char *id1 = get_body(client, url, &reused1);
  char *id2 = get_body(client, url, &reused2);
  assert_string_equal(id1, id2); /* the server saw one connection */
  assert_int_equal(reused1, 0);
  assert_int_equal(reused2, 1);
  free(id1);
  free(id2);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

static void closed_connection_not_reused(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_client *client = NULL;
  assert_code(httpr_client_new(&client, cfg, NULL), HTTPR_OK);
  int reused = -1;
  free(get_body(client, url_of(SRV_GOOD_ECDSA, NULL, "/http10"), &reused));
  char *id1 =
      get_body(client, url_of(SRV_GOOD_ECDSA, NULL, "/conn-id"), &reused);
  assert_int_equal(reused, 0);
  char *id2 =
      get_body(client, url_of(SRV_GOOD_ECDSA, NULL, "/conn-id"), &reused);
  assert_int_equal(reused, 1);
  assert_string_equal(id1, id2);
  free(id1);
  free(id2);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

static void no_idle_connections_kept(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_max_idle_connections(cfg, 0), HTTPR_OK);
  httpr_client *client = NULL;
  assert_code(httpr_client_new(&client, cfg, NULL), HTTPR_OK);
  int reused1 = -1, reused2 = -1;
  const char *url = url_of(SRV_GOOD_ECDSA, NULL, "/conn-id");
  char *id1 = get_body(client, url, &reused1);
  char *id2 = get_body(client, url, &reused2);
  assert_true(strcmp(id1, id2) != 0); /* two connections */
  assert_int_equal(reused1, 0);
  assert_int_equal(reused2, 0);
  free(id1);
  free(id2);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* The server closed the pooled connection while it was idle: the next
 * request, a POST that must never be retried, goes on a new connection. */
static void server_closed_idle_connection(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_client *client = NULL;
  assert_code(httpr_client_new(&client, cfg, NULL), HTTPR_OK);
  free(get_body(client, url_of(SRV_GOOD_ECDSA, NULL, "/close-after-response"),
                NULL));
  long pause_ms = test_timeout_ms(200); /* let the close arrive */
  struct timespec pause = {pause_ms / 1000, (pause_ms % 1000) * 1000000};
  nanosleep(&pause, NULL);
  httpr_request *req = NULL;
  httpr_response *resp = NULL;
  assert_code(httpr_request_new(&req, "POST",
                                url_of(SRV_GOOD_ECDSA, NULL, "/echo"), NULL),
              HTTPR_OK);
  httpr_request_set_body(req, "x", 1);
  httpr_error *err = httpr_error_new();
  assert_code_err(httpr_client_send(client, req, &resp, err), HTTPR_OK, err);
  assert_int_equal(httpr_response_connection_reused(resp), 0);
  httpr_error_free(err);
  httpr_response_free(resp);
  httpr_request_free(req);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* ---- redirects ----------------------------------------------------------- */

static httpr_response *follow(int hops, const char *method, const char *url,
                              const char *body, httpr_code want) {
  httpr_config *cfg = cfg_new();
  httpr_config_set_follow_redirects(cfg, hops);
  httpr_client *client = NULL;
  httpr_request *req = NULL;
  httpr_response *resp = NULL;
  assert_code(httpr_client_new(&client, cfg, NULL), HTTPR_OK);
  assert_code(httpr_request_new(&req, method, url, NULL), HTTPR_OK);
  assert_code(httpr_request_add_header(req, "Authorization", "Bearer t", NULL),
              HTTPR_OK);
  if (body)
    httpr_request_set_body(req, body, strlen(body));
  httpr_error *err = httpr_error_new();
  assert_code_err(httpr_client_send(client, req, &resp, err), want, err);
  httpr_error_free(err);
  httpr_request_free(req);
  httpr_client_free(client);
  httpr_config_free(cfg);
  return resp;
}

static void redirect_followed(void **state) {
  (void)state;
  httpr_response *resp =
      follow(5, "GET", url_of(SRV_GOOD_ECDSA, NULL, "/redirect/302?to=/"), NULL,
             HTTPR_OK);
  assert_int_equal(httpr_response_status(resp), 200);
  assert_int_equal(httpr_response_redirect_count(resp), 1);
  assert_string_equal(httpr_response_url(resp),
                      url_of(SRV_GOOD_ECDSA, NULL, "/"));
  char *body = body_string(resp);
  assert_string_equal(body, "hello\n");
  free(body);
  httpr_response_free(resp);
}

static void redirect_not_followed_by_default(void **state) {
  (void)state;
  httpr_response *resp =
      get_ok(url_of(SRV_GOOD_ECDSA, NULL, "/redirect/301?to=/"));
  assert_int_equal(httpr_response_status(resp), 301);
  assert_string_equal(httpr_response_header(resp, "location", 0), "/");
  httpr_response_free(resp);
}

static void redirect_hop_limit(void **state) {
  (void)state;
  const char *two_hops = "/redirect/302?to=/redirect/302%3Fto%3D/";
  httpr_response *resp =
      follow(2, "GET", url_of(SRV_GOOD_ECDSA, NULL, two_hops), NULL, HTTPR_OK);
  assert_int_equal(httpr_response_redirect_count(resp), 2);
  httpr_response_free(resp);
  assert_null(follow(1, "GET", url_of(SRV_GOOD_ECDSA, NULL, two_hops), NULL,
                     HTTPR_E_REDIRECT_LIMIT));
}

static void see_other_becomes_get(void **state) {
  (void)state;
  httpr_response *resp =
      follow(5, "POST", url_of(SRV_GOOD_ECDSA, NULL, "/redirect/303?to=/echo"),
             "payload", HTTPR_OK);
  char *text = body_string(resp);
  assert_true(strncmp(text, "GET /echo\n", 10) == 0);
  assert_string_equal(echoed_body(text), "");
  free(text);
  httpr_response_free(resp);
}

static void temporary_redirect_keeps_method_and_body(void **state) {
  (void)state;
  httpr_response *resp =
      follow(5, "POST", url_of(SRV_GOOD_ECDSA, NULL, "/redirect/307?to=/echo"),
             "payload", HTTPR_OK);
  char *text = body_string(resp);
  assert_true(strncmp(text, "POST /echo\n", 11) == 0);
  assert_non_null(strstr(text, "\nAuthorization: Bearer t\n"));
  assert_string_equal(echoed_body(text), "payload");
  free(text);
  httpr_response_free(resp);
}

static void authorization_dropped_across_origins(void **state) {
  (void)state;
  char path[200];
  snprintf(path, sizeof(path), "/redirect/302?to=https://127.0.0.1:%d/echo",
           server_port(SRV_GOOD_ECDSA));
  httpr_response *resp =
      follow(5, "GET", url_of(SRV_GOOD_ECDSA, NULL, path), NULL, HTTPR_OK);
  char *text = body_string(resp);
  assert_true(strncmp(text, "GET /echo\n", 10) == 0);
  assert_null(strstr(text, "Authorization"));
  free(text);
  httpr_response_free(resp);
}

static void never_https_to_http(void **state) {
  (void)state;
  char path[200];
  snprintf(path, sizeof(path), "/redirect/302?to=http://127.0.0.1:%d/",
           server_port(SRV_PLAIN));
  assert_null(follow(5, "GET", url_of(SRV_GOOD_ECDSA, NULL, path), NULL,
                     HTTPR_E_UNSUPPORTED_PROTOCOL));
}

const struct CMUnitTest http_tests[] = {
    cmocka_unit_test(content_length_body),
    cmocka_unit_test(chunked_body_with_trailer),
    cmocka_unit_test(close_delimited_body),
    cmocka_unit_test(close_delimited_without_close_notify),
    cmocka_unit_test(close_delimited_cleartext),
    cmocka_unit_test(head_has_no_body),
    cmocka_unit_test(no_content_and_not_modified),
    cmocka_unit_test(informational_response_skipped),
    cmocka_unit_test(http10_response),
    cmocka_unit_test(headers_case_insensitive_and_ordered),
    cmocka_unit_test(repeated_headers_kept),
    cmocka_unit_test(streamed_body),
    cmocka_unit_test(sink_refusal_aborts),
    cmocka_unit_test(body_limit),
    cmocka_unit_test(header_limit),
    cmocka_unit_test(post_from_memory),
    cmocka_unit_test(upload_chunked_from_callback),
    cmocka_unit_test(upload_known_length_from_callback),
    cmocka_unit_test(upload_shorter_than_announced),
    cmocka_unit_test(crlf_in_header_refused),
    cmocka_unit_test(malformed_urls),
    cmocka_unit_test(https_only_refuses_http),
    cmocka_unit_test(connection_refused),
    cmocka_unit_test(malformed_status_line),
    cmocka_unit_test(malformed_header),
    cmocka_unit_test(bad_chunk_size),
    cmocka_unit_test(conflicting_lengths),
    cmocka_unit_test(truncated_body),
    cmocka_unit_test(closed_mid_headers),
    cmocka_unit_test(server_never_answers),
    cmocka_unit_test(two_requests_one_connection),
    cmocka_unit_test(closed_connection_not_reused),
    cmocka_unit_test(server_closed_idle_connection),
    cmocka_unit_test(no_idle_connections_kept),
    cmocka_unit_test(redirect_followed),
    cmocka_unit_test(redirect_not_followed_by_default),
    cmocka_unit_test(redirect_hop_limit),
    cmocka_unit_test(see_other_becomes_get),
    cmocka_unit_test(temporary_redirect_keeps_method_and_body),
    cmocka_unit_test(authorization_dropped_across_origins),
    cmocka_unit_test(never_https_to_http),
};
const size_t http_tests_count = COUNT_OF(http_tests);
