/* SPDX-License-Identifier: MIT */
/*
 * test_proxy_parts.c - unit tests of the pure parts of proxying: proxy
 * URLs and their credentials (protocol/proxy_url.c), curl's NO_PROXY
 * rules (protocol/no_proxy.c), the CONNECT reply parser in every split
 * (protocol/proxy_connect.c) and the absolute-form request head
 * (protocol/h1_writer.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/buf.h"
#include "protocol/h1_writer.h"
#include "protocol/no_proxy.h"
#include "protocol/proxy_connect.h"
#include "protocol/proxy_url.h"

/* ---- proxy URLs ---------------------------------------------------------- */

static void proxy_urls(void **state) {
  (void)state;
  static const struct {
    const char *in, *user_password;
    enum hr_proxy_kind kind;
    const char *host;
    int port;
    const char *authorization; /* NULL: none */
  } good[] = {
      {"http://proxy.example:3128", NULL, HR_PROXY_HTTP, "proxy.example", 3128,
       NULL},
      {"proxy.example", NULL, HR_PROXY_HTTP, "proxy.example", 1080, NULL},
      {"HTTP://Proxy.Example:8080/", NULL, HR_PROXY_HTTP, "proxy.example", 8080,
       NULL},
      {"http://[::1]:3128", NULL, HR_PROXY_HTTP, "::1", 3128, NULL},
      /* RFC 7617's example: Aladdin:open sesame */
      {"http://Aladdin:open%20sesame@10.0.0.1:3128", NULL, HR_PROXY_HTTP,
       "10.0.0.1", 3128, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="},
      /* the last '@' ends the credentials; the setting replaces them */
      {"http://a:b@c@h:1", NULL, HR_PROXY_HTTP, "h", 1, "Basic YTpiQGM="},
      {"http://x:y@h:1", "Aladdin:open sesame", HR_PROXY_HTTP, "h", 1,
       "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="},
      {"https://h:443", NULL, HR_PROXY_HTTPS, "h", 443, NULL},
      {"socks5h://h", NULL, HR_PROXY_SOCKS5H, "h", 1080, NULL},
      {"SOCKS5://h:1081", NULL, HR_PROXY_SOCKS5, "h", 1081, NULL},
  };
  for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
    struct hr_proxy p;
    httpr_error err;
    print_message("%s\n", good[i].in);
    assert_int_equal(
        hr_proxy_parse(good[i].in, good[i].user_password, &p, &err), HTTPR_OK);
    assert_int_equal(p.kind, good[i].kind);
    assert_string_equal(p.host, good[i].host);
    assert_int_equal(p.port, good[i].port);
    if (good[i].authorization)
      assert_string_equal(p.authorization, good[i].authorization);
    else
      assert_null(p.authorization);
    hr_proxy_free(&p);
  }
  static const struct {
    const char *in;
    httpr_code code;
    const char *message;
  } bad[] = {
      {"", HTTPR_E_URL, "malformed proxy URL: empty, or a control byte in it"},
      {"http://h:1\r\n", HTTPR_E_URL,
       "malformed proxy URL: empty, or a control byte in it"},
      {"http://h:1/path", HTTPR_E_URL,
       "malformed proxy URL: a path, query or fragment in it"},
      {"http://h:1?q", HTTPR_E_URL,
       "malformed proxy URL: a path, query or fragment in it"},
      {"http://u:%0a@h:1", HTTPR_E_URL,
       "malformed proxy credentials (bad escape, control byte or over 1023 "
       "bytes)"},
      {"http://u:%4@h:1", HTTPR_E_URL,
       "malformed proxy credentials (bad escape, control byte or over 1023 "
       "bytes)"},
      {"http://h:99999", HTTPR_E_URL, NULL},
      {"http://", HTTPR_E_URL, NULL},
      {"ftp://h:1", HTTPR_E_UNSUPPORTED_PROTOCOL,
       "unsupported proxy scheme 'ftp'"},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct hr_proxy p;
    httpr_error err;
    print_message("%s\n", bad[i].in);
    assert_int_equal(hr_proxy_parse(bad[i].in, NULL, &p, &err), bad[i].code);
    if (bad[i].message)
      assert_string_equal(err.message, bad[i].message);
    assert_null(p.host);
    assert_null(p.authorization);
  }
  struct hr_proxy p;
  httpr_error err;
  assert_int_equal(hr_proxy_parse("h:1", "a\rb", &p, &err), HTTPR_E_URL);
  /* SOCKS5 gets the user and the password apart: split at the first ':'
   * before decoding, so an escaped one is the user's. */
  static const struct {
    const char *in, *user_password, *user, *password;
  } split[] = {
      {"socks5://u%3Ax:p%40ss:w@h", NULL, "u:x", "p@ss:w"},
      {"socks5h://alone@h", NULL, "alone", ""},
      {"socks5h://:pw@h", NULL, "", "pw"},
      {"socks5://u:p@h", "given:pa:ss", "given", "pa:ss"},
      {"socks5://u:p@h", "only", "only", ""},
  };
  for (size_t i = 0; i < sizeof(split) / sizeof(split[0]); i++) {
    print_message("%s %s\n", split[i].in,
                  split[i].user_password ? split[i].user_password : "");
    assert_int_equal(
        hr_proxy_parse(split[i].in, split[i].user_password, &p, &err),
        HTTPR_OK);
    assert_string_equal(p.user, split[i].user);
    assert_string_equal(p.password, split[i].password);
    hr_proxy_free(&p);
  }
  assert_int_equal(hr_proxy_parse("socks5h://h", NULL, &p, &err), HTTPR_OK);
  assert_null(p.user);
  assert_null(p.password);
  assert_true(hr_proxy_is_socks(&p));
  char name[64];
  assert_int_equal(hr_proxy_name(&p, name, sizeof(name)), 0);
  assert_string_equal(name, "socks5h://h:1080");
  hr_proxy_free(&p);
  assert_int_equal(hr_proxy_parse("socks5://u:%zz@h", NULL, &p, &err),
                   HTTPR_E_URL);
  assert_null(p.user);
  assert_int_equal(hr_proxy_parse("u:p@[::1]:3128", NULL, &p, &err), HTTPR_OK);
  assert_false(hr_proxy_is_socks(&p));
  assert_int_equal(hr_proxy_name(&p, name, sizeof(name)), 0);
  assert_string_equal(name, "http://[::1]:3128");
  assert_int_equal(hr_proxy_name(&p, name, 10), -1);
  hr_proxy_free(&p);
}

/* ---- NO_PROXY ------------------------------------------------------------ */

static void no_proxy_rules(void **state) {
  (void)state;
  static const struct {
    const char *list, *host, *entry; /* entry NULL: no match */
  } cases[] = {
      {"*", "anything.example", "*"},
      {"example.com", "example.com", "example.com"},
      {"example.com", "www.example.com", "example.com"},
      {".example.com", "example.com", ".example.com"},
      {".example.com", "a.b.example.com", ".example.com"},
      {"example.com", "notexample.com", NULL},
      {"example.com", "example.com.evil", NULL},
      {"EXAMPLE.com", "www.example.com", "EXAMPLE.com"},
      {"example.com", "www.example.com.", "example.com"},
      {"a.test, b.test", "x.b.test", "b.test"},
      {"a.test b.test\tc.test", "c.test", "c.test"},
      {"127.0.0.1", "127.0.0.1", "127.0.0.1"},
      {"127.0.0.1", "127.0.0.2", NULL},
      {"127.0.0.0/8", "127.9.8.7", "127.0.0.0/8"},
      {"10.0.0.0/9", "10.128.0.1", NULL},
      {"10.0.0.0/33", "10.0.0.1", NULL},
      {"10.0.0.0/x", "10.0.0.1", NULL},
      {"::1", "::1", "::1"},
      {"fd00::/8", "fd12::1", "fd00::/8"},
      {"fd00::/8", "fe12::1", NULL},
      {"127.0.0.1", "localhost", NULL}, /* never resolved */
      {"localhost", "127.0.0.1", NULL},
      {"", "example.com", NULL},
      {",,", "example.com", NULL},
      {".", "example.com", NULL},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char entry[64] = "";
    print_message("'%s' vs %s\n", cases[i].list, cases[i].host);
    int matched =
        hr_no_proxy_match(cases[i].list, cases[i].host, entry, sizeof(entry));
    assert_int_equal(matched, cases[i].entry != NULL);
    if (cases[i].entry)
      assert_string_equal(entry, cases[i].entry);
  }
  char entry[4];
  assert_int_equal(hr_no_proxy_match(NULL, "h", entry, sizeof(entry)), 0);
  assert_int_equal(
      hr_no_proxy_match("long.example", "long.example", entry, sizeof(entry)),
      1);
  assert_string_equal(entry, "lon"); /* truncated, terminated */
}

/* ---- the CONNECT reply --------------------------------------------------- */

/* Feeds text in pieces of `step` bytes: the state at the end, *used the
 * head's bytes of the last piece. */
static enum hr_connect_reply_state feed_in_steps(struct hr_connect_reply *r,
                                                 const char *text, size_t step,
                                                 size_t *consumed,
                                                 httpr_error *err) {
  size_t len = strlen(text);
  enum hr_connect_reply_state st = HR_CONNECT_REPLY_MORE;
  *consumed = 0;
  for (size_t at = 0; at < len && st == HR_CONNECT_REPLY_MORE;) {
    size_t n = len - at < step ? len - at : step;
    size_t used = 0;
    st = hr_connect_reply_feed(r, text + at, n, &used, err);
    *consumed += used;
    at += n;
  }
  return st;
}

static void connect_replies(void **state) {
  (void)state;
  static const struct {
    const char *text;
    enum hr_connect_reply_state st;
    int status;
    size_t head; /* bytes of the head */
    const char *message;
  } cases[] = {
      {"HTTP/1.1 200 Connection established\r\n\r\n", HR_CONNECT_REPLY_DONE,
       200, 39, NULL},
      {"HTTP/1.0 200\r\n\r\n", HR_CONNECT_REPLY_DONE, 200, 16, NULL},
      {"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: "
       "Basic realm=\"x\"\r\nContent-Length: 5\r\n\r\nhello",
       HR_CONNECT_REPLY_DONE, 407, 102, NULL},
      {"HTTP/1.1 200 OK\n\n", HR_CONNECT_REPLY_DONE, 200, 17, NULL},
      {"HTTP/1.1 200 OK\r\nX: y\r\n\r\nTLS", HR_CONNECT_REPLY_DONE, 200, 25,
       NULL},
      {"HTTP/1.1 200 OK\r\n", HR_CONNECT_REPLY_MORE, 0, 17, NULL},
      {"HTTP/1.1 200 OK\r\n\n", HR_CONNECT_REPLY_DONE, 200, 18, NULL},
      {"HTTP/1.1 200 OK\n\r\n", HR_CONNECT_REPLY_DONE, 200, 18, NULL},
      {"HTTP/2 200\r\n\r\n", HR_CONNECT_REPLY_ERROR, 0, 0,
       "malformed CONNECT response status line: 'HTTP/2 200'"},
      {"HTTP/1.1 20 OK\r\n\r\n", HR_CONNECT_REPLY_ERROR, 0, 0,
       "malformed CONNECT response status line: 'HTTP/1.1 20 OK'"},
      {"HTTP/1.1 2000\r\n\r\n", HR_CONNECT_REPLY_ERROR, 0, 0,
       "malformed CONNECT response status line: 'HTTP/1.1 2000'"},
      {"\r\n\r\n", HR_CONNECT_REPLY_ERROR, 0, 0,
       "malformed CONNECT response status line: ''"},
  };
  static const size_t steps[] = {1, 2, 7, 4096};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
      struct hr_connect_reply r;
      httpr_error err;
      size_t used = 0;
      print_message("case %zu, pieces of %zu\n", i, steps[s]);
      assert_int_equal(hr_connect_reply_init(&r, 1024), 0);
      enum hr_connect_reply_state st =
          feed_in_steps(&r, cases[i].text, steps[s], &used, &err);
      assert_int_equal(st, cases[i].st);
      if (st == HR_CONNECT_REPLY_DONE) {
        assert_int_equal(r.status, cases[i].status);
        assert_int_equal(used, cases[i].head);
        assert_int_equal(r.len, cases[i].head);
      }
      if (st == HR_CONNECT_REPLY_ERROR) {
        assert_int_equal(err.code, HTTPR_E_PROTOCOL);
        assert_string_equal(err.message, cases[i].message);
      }
      hr_connect_reply_free(&r);
    }
  }
}

static void connect_reply_limits(void **state) {
  (void)state;
  struct hr_connect_reply r;
  httpr_error err;
  size_t used = 0;
  /* A head of exactly the limit is fine; one byte more is not. */
  static const char head[] = "HTTP/1.1 200 OK\r\nX: 12\r\n\r\n"; /* 26 */
  assert_int_equal(hr_connect_reply_init(&r, 26), 0);
  assert_int_equal(hr_connect_reply_feed(&r, head, 26, &used, &err),
                   HR_CONNECT_REPLY_DONE);
  hr_connect_reply_free(&r);
  static const char longer[] = "HTTP/1.1 200 OK\r\nX: 123\r\n\r\n"; /* 27 */
  assert_int_equal(hr_connect_reply_init(&r, 26), 0);
  assert_int_equal(hr_connect_reply_feed(&r, longer, 27, &used, &err),
                   HR_CONNECT_REPLY_ERROR);
  assert_int_equal(err.code, HTTPR_E_TOO_LARGE);
  assert_string_equal(err.message,
                      "CONNECT response head larger than 26 bytes");
  hr_connect_reply_free(&r);
  /* A NUL after the head is the body's, not the head's. */
  static const char body_nul[] = "HTTP/1.1 407 No\r\n\r\n\0\0";
  assert_int_equal(hr_connect_reply_init(&r, 1024), 0);
  assert_int_equal(
      hr_connect_reply_feed(&r, body_nul, sizeof(body_nul) - 1, &used, &err),
      HR_CONNECT_REPLY_DONE);
  assert_int_equal(r.status, 407);
  assert_int_equal(used, 19);
  hr_connect_reply_free(&r);
  static const char nul[] = "HTTP/1.1 200 OK\r\nX: \0\r\n\r\n";
  assert_int_equal(hr_connect_reply_init(&r, 1024), 0);
  assert_int_equal(hr_connect_reply_feed(&r, nul, sizeof(nul) - 1, &used, &err),
                   HR_CONNECT_REPLY_ERROR);
  assert_int_equal(err.code, HTTPR_E_PROTOCOL);
  assert_string_equal(err.message, "malformed CONNECT response: a NUL byte");
  hr_connect_reply_free(&r);
}

/* ---- the absolute form --------------------------------------------------- */

static void absolute_form_head(void **state) {
  (void)state;
  struct hr_url u;
  httpr_error err;
  struct hr_buf out = {0};
  assert_int_equal(hr_url_parse("http://Example.com:8080/a?b#c", &u, &err),
                   HTTPR_OK);
  assert_int_equal(hr_h1_write_proxy_head(&out, "GET", &u, "Basic eDp5", NULL,
                                          HR_H1_NO_BODY, &err),
                   HTTPR_OK);
  assert_string_equal(out.data, "GET http://example.com:8080/a?b HTTP/1.1\r\n"
                                "Host: example.com:8080\r\n"
                                "Proxy-Authorization: Basic eDp5\r\n"
                                "User-Agent: " HR_USER_AGENT "\r\n"
                                "Accept: */*\r\n\r\n");
  hr_buf_reset(&out);
  assert_int_equal(hr_h1_write_proxy_head(&out, "GET", &u, "a\r\nb", NULL,
                                          HR_H1_NO_BODY, &err),
                   HTTPR_E_INVALID);
  assert_int_equal(out.len, 0);
  hr_buf_free(&out);
  hr_url_free(&u);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(proxy_urls),
      cmocka_unit_test(no_proxy_rules),
      cmocka_unit_test(connect_replies),
      cmocka_unit_test(connect_reply_limits),
      cmocka_unit_test(absolute_form_head),
  };
  return cmocka_run_group_tests_name("proxy_parts", tests, NULL, NULL);
}
