/* SPDX-License-Identifier: MIT */
/*
 * test_h2_request.c - unit tests of protocol/h2_request.c: the exact
 * HTTP/2 header list of a request (pseudo-headers, lowercase names, the
 * connection-specific fields left out, values without surrounding
 * whitespace, content-length from the body) and its refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/h1_writer.h"
#include "protocol/h2_request.h"
#include "tests/unit/request_parts.h"

/* The fields as "name: value\n" lines, to compare in one assertion. */
static char *fields_text(const struct hr_h2_fields *f) {
  size_t cap = 1;
  for (size_t i = 0; i < f->count; i++)
    cap += f->nva[i].namelen + f->nva[i].valuelen + 3;
  char *s = malloc(cap), *p = s;
  assert_non_null(s);
  for (size_t i = 0; i < f->count; i++) {
    p += sprintf(p, "%.*s: %.*s\n", (int)f->nva[i].namelen,
                 (const char *)f->nva[i].name, (int)f->nva[i].valuelen,
                 (const char *)f->nva[i].value);
  }
  return s;
}

static void expect_fields(const char *method, const char *url,
                          const char *const *pairs, int has_body,
                          size_t body_len, const char *want) {
  struct hr_url u = parse(url);
  struct hr_headers h = {0};
  add_headers(&h, pairs);
  struct hr_h2_request rq = {.method = method,
                             .url = &u,
                             .headers = &h,
                             .has_body = has_body,
                             .body = "",
                             .body_len = body_len};
  struct hr_h2_fields f;
  httpr_error err = {0};
  assert_int_equal(hr_h2_fields_build(&f, &rq, &err), HTTPR_OK);
  char *got = fields_text(&f);
  assert_string_equal(got, want);
  free(got);
  hr_h2_fields_free(&f);
  hr_headers_free(&h);
  hr_url_free(&u);
}

#define UA "user-agent: " HR_USER_AGENT "\n"

static void pseudo_headers_and_defaults(void **state) {
  (void)state;
  expect_fields("GET", "https://Example.COM:8443/p?q", NULL, 0, 0,
                ":method: GET\n"
                ":scheme: https\n"
                ":authority: example.com:8443\n"
                ":path: /p?q\n" UA "accept: */*\n");
  expect_fields("HEAD", "http://[::1]/", NULL, 0, 0,
                ":method: HEAD\n"
                ":scheme: http\n"
                ":authority: [::1]\n"
                ":path: /\n" UA "accept: */*\n");
}

/* Caller headers in order and lowercase; Host becomes :authority; the
 * fields of one HTTP/1.1 connection are left out, TE but for "trailers";
 * content-length from the body. */
static void caller_headers(void **state) {
  (void)state;
  static const char *const pairs[] = {
      "Host",       "other.example:9", "X-Mixed-Case", "A",
      "Connection", "close",           "Keep-Alive",   "5",
      "TE",         "trailers",        "Upgrade",      "h2c",
      "Accept",     "text/html",       "te",           "gzip",
      NULL};
  expect_fields("POST", "https://example.com/up", pairs, 1, 5,
                ":method: POST\n"
                ":scheme: https\n"
                ":authority: other.example:9\n"
                ":path: /up\n" UA "x-mixed-case: A\n"
                "te: trailers\n"
                "accept: text/html\n"
                "content-length: 5\n");
}

/* Spaces and tabs around a value are no part of it (RFC 9110 5.5) and
 * HTTP/2 forbids them (RFC 9113 8.2.1): they are left out, the inner ones
 * kept. (An nghttp2 server drops or refuses a field that has them; found
 * by tests/fuzz/fuzz_h2_request.c.) */
static void values_trimmed(void **state) {
  (void)state;
  static const char *const pairs[] = {
      "X-Spaced", " \tpadded  value\t ", "X-Blank", " \t ", "X-Inner", "a\tb",
      NULL};
  expect_fields("GET", "https://example.com/", pairs, 0, 0,
                ":method: GET\n"
                ":scheme: https\n"
                ":authority: example.com\n"
                ":path: /\n" UA "accept: */*\n"
                "x-spaced: padded  value\n"
                "x-blank: \n"
                "x-inner: a\tb\n");
}

static void refusals(void **state) {
  (void)state;
  static const struct {
    const char *method, *name, *value;
  } bad[] = {
      {"G ET", "X", "1"},
      {"GET", "X Y", "1"},
      {"GET", "X", "a\r\nb"},
      {"GET", "Content-Length", "3"},
      {"GET", "Transfer-Encoding", "chunked"},
  };
  struct hr_url u = parse("https://example.com/");
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct hr_headers h = {0};
    const char *const pairs[] = {bad[i].name, bad[i].value, NULL};
    add_headers(&h, pairs);
    struct hr_h2_request rq = {
        .method = bad[i].method, .url = &u, .headers = &h};
    struct hr_h2_fields f;
    httpr_error err = {0};
    assert_int_equal(hr_h2_fields_build(&f, &rq, &err), HTTPR_E_INVALID);
    assert_null(f.nva);
    assert_true(err.message[0] != '\0');
    hr_headers_free(&h);
  }
  hr_url_free(&u);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(pseudo_headers_and_defaults),
      cmocka_unit_test(caller_headers),
      cmocka_unit_test(values_trimmed),
      cmocka_unit_test(refusals),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
