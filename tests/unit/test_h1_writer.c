/* SPDX-License-Identifier: MIT */
/*
 * test_h1_writer.c - unit tests of protocol/h1_writer.c: the exact bytes of
 * request heads and chunk framing, and every refusal of a method, header
 * name or value that could split a line or smuggle a request.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/h1_writer.h"
#include "tests/unit/request_parts.h"

#define UA "User-Agent: httpr/" HTTPR_VERSION_STRING "\r\n"
#define ACCEPT "Accept: */*\r\n"

static void expect_head(const char *method, const char *url,
                        const char *const *pairs, int64_t body_length,
                        const char *want) {
  struct hr_url u = parse(url);
  struct hr_headers h = {0};
  struct hr_buf out = {0};
  httpr_error err = {0};
  add_headers(&h, pairs);
  httpr_code rc = hr_h1_write_head(&out, method, &u, &h, body_length, &err);
  if (rc != HTTPR_OK)
    fail_msg("%s %s: %s (%s)", method, url, httpr_code_name(rc), err.message);
  assert_int_equal(out.len, strlen(want));
  assert_string_equal(out.data, want);
  hr_buf_free(&out);
  hr_headers_free(&h);
  hr_url_free(&u);
}

static void test_get_defaults(void **state) {
  (void)state;
  expect_head("GET", "http://example.com", NULL, HR_H1_NO_BODY,
              "GET / HTTP/1.1\r\n"
              "Host: example.com\r\n" UA ACCEPT "\r\n");
  expect_head("GET", "https://Example.com/a/b?x=1&y=2#frag", NULL,
              HR_H1_NO_BODY,
              "GET /a/b?x=1&y=2 HTTP/1.1\r\n"
              "Host: example.com\r\n" UA ACCEPT "\r\n");
}

static void test_host_port(void **state) {
  (void)state;
  expect_head("GET", "http://example.com:8080/", NULL, HR_H1_NO_BODY,
              "GET / HTTP/1.1\r\nHost: example.com:8080\r\n" UA ACCEPT "\r\n");
  expect_head("GET", "http://example.com:80/", NULL, HR_H1_NO_BODY,
              "GET / HTTP/1.1\r\nHost: example.com\r\n" UA ACCEPT "\r\n");
  expect_head("GET", "https://example.com:443/", NULL, HR_H1_NO_BODY,
              "GET / HTTP/1.1\r\nHost: example.com\r\n" UA ACCEPT "\r\n");
  expect_head("GET", "https://example.com:80/", NULL, HR_H1_NO_BODY,
              "GET / HTTP/1.1\r\nHost: example.com:80\r\n" UA ACCEPT "\r\n");
  expect_head("GET", "https://[::1]:8443/", NULL, HR_H1_NO_BODY,
              "GET / HTTP/1.1\r\nHost: [::1]:8443\r\n" UA ACCEPT "\r\n");
  expect_head("GET", "http://[2001:db8::1]/", NULL, HR_H1_NO_BODY,
              "GET / HTTP/1.1\r\nHost: [2001:db8::1]\r\n" UA ACCEPT "\r\n");
}

static void test_caller_headers_in_order(void **state) {
  (void)state;
  const char *const pairs[] = {"X-B",   "2", "X-A", "1",    "x-b", "3",
                               "Empty", "",  "Tab", "a\tb", NULL};
  expect_head("GET", "http://h/", pairs, HR_H1_NO_BODY,
              "GET / HTTP/1.1\r\nHost: h\r\n" UA ACCEPT
              "X-B: 2\r\nX-A: 1\r\nx-b: 3\r\nEmpty: \r\nTab: a\tb\r\n\r\n");
  /* obs-text (bytes >= 0x80) is allowed in a value. */
  const char *const latin[] = {"X-Name", "caf\xc3\xa9", NULL};
  expect_head("GET", "http://h/", latin, HR_H1_NO_BODY,
              "GET / HTTP/1.1\r\nHost: h\r\n" UA ACCEPT
              "X-Name: caf\xc3\xa9\r\n\r\n");
}

static void test_caller_replaces_defaults(void **state) {
  (void)state;
  const char *const host[] = {"X-A", "1", "host", "other:81", NULL};
  expect_head("GET", "http://h/", host, HR_H1_NO_BODY,
              "GET / HTTP/1.1\r\n" UA ACCEPT
              "X-A: 1\r\nhost: other:81\r\n\r\n");
  const char *const ua[] = {"USER-AGENT", "curl/8", NULL};
  expect_head("GET", "http://h/", ua, HR_H1_NO_BODY,
              "GET / HTTP/1.1\r\nHost: h\r\n" ACCEPT
              "USER-AGENT: curl/8\r\n\r\n");
  const char *const all[] = {"Accept", "text/html", "User-Agent", "u",
                             "Host",   "x",         NULL};
  expect_head("GET", "http://h/", all, HR_H1_NO_BODY,
              "GET / HTTP/1.1\r\n"
              "Accept: text/html\r\nUser-Agent: u\r\nHost: x\r\n\r\n");
}

static void test_body_framing(void **state) {
  (void)state;
  expect_head("POST", "http://h/p", NULL, 5,
              "POST /p HTTP/1.1\r\nHost: h\r\n" UA ACCEPT
              "Content-Length: 5\r\n\r\n");
  expect_head("POST", "http://h/p", NULL, HR_H1_NO_BODY,
              "POST /p HTTP/1.1\r\nHost: h\r\n" UA ACCEPT
              "Content-Length: 0\r\n\r\n");
  expect_head("PUT", "http://h/p", NULL, HR_H1_NO_BODY,
              "PUT /p HTTP/1.1\r\nHost: h\r\n" UA ACCEPT
              "Content-Length: 0\r\n\r\n");
  expect_head("DELETE", "http://h/p", NULL, HR_H1_NO_BODY,
              "DELETE /p HTTP/1.1\r\nHost: h\r\n" UA ACCEPT "\r\n");
  expect_head("PATCH", "http://h/p", NULL, 0,
              "PATCH /p HTTP/1.1\r\nHost: h\r\n" UA ACCEPT
              "Content-Length: 0\r\n\r\n");
  expect_head("POST", "http://h/p", NULL, HR_H1_CHUNKED,
              "POST /p HTTP/1.1\r\nHost: h\r\n" UA ACCEPT
              "Transfer-Encoding: chunked\r\n\r\n");
  expect_head("PUT", "http://h/p", NULL, INT64_C(1099511627776),
              "PUT /p HTTP/1.1\r\nHost: h\r\n" UA ACCEPT
              "Content-Length: 1099511627776\r\n\r\n");
  expect_head("PUT", "http://h/p", NULL, INT64_MAX,
              "PUT /p HTTP/1.1\r\nHost: h\r\n" UA ACCEPT
              "Content-Length: 9223372036854775807\r\n\r\n");
  /* Methods are case-sensitive: "post" is not POST. */
  expect_head("post", "http://h/p", NULL, HR_H1_NO_BODY,
              "post /p HTTP/1.1\r\nHost: h\r\n" UA ACCEPT "\r\n");
}

static void test_appends_to_buffer(void **state) {
  (void)state;
  struct hr_url u = parse("http://h/");
  struct hr_buf out = {0};
  httpr_error err = {0};
  assert_int_equal(hr_buf_append_str(&out, "previous"), 0);
  assert_int_equal(hr_h1_write_head(&out, "GET", &u, NULL, HR_H1_NO_BODY, &err),
                   HTTPR_OK);
  assert_string_equal(out.data,
                      "previousGET / HTTP/1.1\r\nHost: h\r\n" UA ACCEPT "\r\n");
  hr_buf_free(&out);
  hr_url_free(&u);
}

/* A refused request: the code, the message, and the buffer untouched. */
static void expect_refused(const char *method, const char *const *pairs,
                           int64_t body_length, const char *message) {
  struct hr_url u = parse("http://h/");
  struct hr_headers h = {0};
  struct hr_buf out = {0};
  httpr_error err = {0};
  add_headers(&h, pairs);
  assert_int_equal(hr_buf_append_str(&out, "keep"), 0);
  httpr_code rc = hr_h1_write_head(&out, method, &u, &h, body_length, &err);
  if (rc != HTTPR_E_INVALID)
    fail_msg("got %s, want HTTPR_E_INVALID (%s)", httpr_code_name(rc), message);
  assert_int_equal(err.code, HTTPR_E_INVALID);
  assert_string_equal(err.message, message);
  assert_int_equal(out.len, 4);
  assert_string_equal(out.data, "keep");
  hr_buf_free(&out);
  hr_headers_free(&h);
  hr_url_free(&u);
}

static void test_refuses_methods(void **state) {
  (void)state;
  expect_refused("G T", NULL, HR_H1_NO_BODY, "invalid method 'G T'");
  expect_refused("", NULL, HR_H1_NO_BODY, "invalid method ''");
  expect_refused("GET\r\nX: y", NULL, HR_H1_NO_BODY,
                 "invalid method 'GET??X: y'");
  expect_refused("GET /", NULL, HR_H1_NO_BODY, "invalid method 'GET /'");
  expect_refused("G\x01T", NULL, HR_H1_NO_BODY, "invalid method 'G?T'");
  expect_refused("G(T)", NULL, HR_H1_NO_BODY, "invalid method 'G(T)'");
  expect_refused(NULL, NULL, HR_H1_NO_BODY, "invalid method ''");
  expect_refused("GET", NULL, -3, "invalid body length -3");
}

static void test_refuses_headers(void **state) {
  (void)state;
  const char *const space[] = {"a b", "v", NULL};
  expect_refused("GET", space, HR_H1_NO_BODY, "invalid header name 'a b'");
  const char *const empty[] = {"", "v", NULL};
  expect_refused("GET", empty, HR_H1_NO_BODY, "invalid header name ''");
  const char *const colon[] = {"X:Y", "v", NULL};
  expect_refused("GET", colon, HR_H1_NO_BODY, "invalid header name 'X:Y'");
  const char *const crlf_name[] = {"X\r\nY", "v", NULL};
  expect_refused("GET", crlf_name, HR_H1_NO_BODY, "invalid header name 'X??Y'");
  const char *const cr[] = {"X-Ok", "1", "X-Foo", "a\rb", NULL};
  expect_refused("GET", cr, HR_H1_NO_BODY,
                 "header 'X-Foo' holds CR, LF or NUL");
  const char *const lf[] = {"X-Foo", "a\nb", NULL};
  expect_refused("GET", lf, HR_H1_NO_BODY,
                 "header 'X-Foo' holds CR, LF or NUL");
  const char *const smuggle[] = {"X-Foo", "1\r\n\r\nGET /evil HTTP/1.1", NULL};
  expect_refused("GET", smuggle, HR_H1_NO_BODY,
                 "header 'X-Foo' holds CR, LF or NUL");
  const char *const ctl[] = {"X-Foo", "a\x01", NULL};
  expect_refused("GET", ctl, HR_H1_NO_BODY,
                 "header 'X-Foo' holds a control character");
  const char *const del[] = {"X-Foo", "a\x7f", NULL};
  expect_refused("GET", del, HR_H1_NO_BODY,
                 "header 'X-Foo' holds a control character");
  const char *const cl[] = {"content-length", "5", NULL};
  expect_refused("POST", cl, 5,
                 "header 'content-length' is set by the library from the "
                 "body");
  const char *const te[] = {"Transfer-Encoding", "chunked", NULL};
  expect_refused("POST", te, HR_H1_CHUNKED,
                 "header 'Transfer-Encoding' is set by the library from "
                 "the body");
}

static void test_refuses_bad_url(void **state) {
  (void)state;
  struct hr_buf out = {0};
  httpr_error err = {0};
  assert_int_equal(
      hr_h1_write_head(&out, "GET", NULL, NULL, HR_H1_NO_BODY, &err),
      HTTPR_E_INVALID);
  /* A struct built by hand, not by hr_url_parse, is checked too. */
  struct hr_url u = {.host = "h", .port = 80, .target = "/a b"};
  assert_int_equal(hr_h1_write_head(&out, "GET", &u, NULL, HR_H1_NO_BODY, &err),
                   HTTPR_E_INVALID);
  assert_string_equal(err.message, "invalid request URL");
  assert_int_equal(out.len, 0);
  hr_buf_free(&out);
}

static void test_is_token(void **state) {
  (void)state;
  assert_int_equal(hr_h1_is_token("GET"), 1);
  assert_int_equal(hr_h1_is_token("X-Custom_Header.1"), 1);
  assert_int_equal(hr_h1_is_token("!#$%&'*+-.^_`|~09azAZ"), 1);
  assert_int_equal(hr_h1_is_token(""), 0);
  assert_int_equal(hr_h1_is_token(NULL), 0);
  static const char *const bad[] = {
      "a b", "a:b", "a\tb", "a\r", "a\n", "(",    ")",    "<",
      ">",   "@",   ",",    ";",   "\\",  "\"",   "/",    "[",
      "]",   "?",   "=",    "{",   "}",   "\x7f", "\x80", "caf\xc3\xa9"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    if (hr_h1_is_token(bad[i]))
      fail_msg("'%s' taken for a token", bad[i]);
  }
}

static void test_is_field_value(void **state) {
  (void)state;
  assert_int_equal(hr_h1_is_field_value(""), 1);
  assert_int_equal(hr_h1_is_field_value("text/html; q=0.9"), 1);
  assert_int_equal(hr_h1_is_field_value(" a\tb "), 1);
  assert_int_equal(hr_h1_is_field_value("caf\xc3\xa9"), 1);
  assert_int_equal(hr_h1_is_field_value("a\rb"), 0);
  assert_int_equal(hr_h1_is_field_value("a\nb"), 0);
  assert_int_equal(hr_h1_is_field_value("\x01"), 0);
  assert_int_equal(hr_h1_is_field_value("\x1f"), 0);
  assert_int_equal(hr_h1_is_field_value("\x7f"), 0);
  assert_int_equal(hr_h1_is_field_value(NULL), 0);
}

static void expect_chunk(size_t len, const char *want) {
  struct hr_buf out = {0};
  assert_int_equal(hr_h1_chunk_start(&out, len), 0);
  assert_int_equal(out.len, strlen(want));
  assert_string_equal(out.data, want);
  hr_buf_free(&out);
}

static void test_chunk_start(void **state) {
  (void)state;
  expect_chunk(1, "1\r\n");
  expect_chunk(10, "a\r\n");
  expect_chunk(255, "ff\r\n");
  expect_chunk(0x10000, "10000\r\n");
  if (SIZE_MAX == UINT64_MAX)
    expect_chunk(SIZE_MAX, "ffffffffffffffff\r\n");
  expect_chunk(0, "0\r\n\r\n");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_get_defaults),
      cmocka_unit_test(test_host_port),
      cmocka_unit_test(test_caller_headers_in_order),
      cmocka_unit_test(test_caller_replaces_defaults),
      cmocka_unit_test(test_body_framing),
      cmocka_unit_test(test_appends_to_buffer),
      cmocka_unit_test(test_refuses_methods),
      cmocka_unit_test(test_refuses_headers),
      cmocka_unit_test(test_refuses_bad_url),
      cmocka_unit_test(test_is_token),
      cmocka_unit_test(test_is_field_value),
      cmocka_unit_test(test_chunk_start),
  };
  return cmocka_run_group_tests_name("h1_writer", tests, NULL, NULL);
}
