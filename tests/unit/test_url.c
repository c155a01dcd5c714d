/* SPDX-License-Identifier: MIT */
/*
 * test_url.c - unit tests of protocol/url.c: every URL form hr_url_parse
 * accepts or refuses, the helpers built on struct hr_url, and
 * hr_url_resolve against the examples of RFC 3986 section 5.4.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/url.h"

static int is_zeroed(const struct hr_url *u) {
  static const struct hr_url zero;
  return memcmp(u, &zero, sizeof(zero)) == 0;
}

/* ---- accepted forms ------------------------------------------------------ */

struct good_url {
  const char *in;
  int https;
  const char *host;
  int ipv6;
  int port;
  int port_explicit;
  const char *target;
};

static const struct good_url good_urls[] = {
    {"http://example.com", 0, "example.com", 0, 80, 0, "/"},
    {"https://example.com", 1, "example.com", 0, 443, 0, "/"},
    {"https://example.com/", 1, "example.com", 0, 443, 0, "/"},
    {"HTTPS://Example.COM/Path/A?Q=1#Frag", 1, "example.com", 0, 443, 0,
     "/Path/A?Q=1"},
    {"hTtP://A.b.C/x", 0, "a.b.c", 0, 80, 0, "/x"},
    {"http://example.com:8080/x", 0, "example.com", 0, 8080, 1, "/x"},
    {"https://example.com:443/", 1, "example.com", 0, 443, 1, "/"},
    {"http://example.com:443/", 0, "example.com", 0, 443, 1, "/"},
    {"http://h:1", 0, "h", 0, 1, 1, "/"},
    {"http://h:65535/", 0, "h", 0, 65535, 1, "/"},
    {"http://h:00080/", 0, "h", 0, 80, 1, "/"},
    {"http://h?x=1", 0, "h", 0, 80, 0, "/?x=1"},
    {"http://h:81?x=1", 0, "h", 0, 81, 1, "/?x=1"},
    {"http://h#frag", 0, "h", 0, 80, 0, "/"},
    {"http://h/#frag", 0, "h", 0, 80, 0, "/"},
    {"http://h/p?#f", 0, "h", 0, 80, 0, "/p?"},
    {"http://h/p?a=b?c#f?g", 0, "h", 0, 80, 0, "/p?a=b?c"},
    {"http://h/a%20b/%2F", 0, "h", 0, 80, 0, "/a%20b/%2F"},
    {"http://h/a/../b/./c", 0, "h", 0, 80, 0, "/a/../b/./c"},
    {"http://h//double", 0, "h", 0, 80, 0, "//double"},
    {"http://my_host-1.example./", 0, "my_host-1.example.", 0, 80, 0, "/"},
    {"http://127.0.0.1:8443/a", 0, "127.0.0.1", 0, 8443, 1, "/a"},
    {"http://[::1]/", 0, "::1", 1, 80, 0, "/"},
    {"http://[::1]", 0, "::1", 1, 80, 0, "/"},
    {"https://[2001:DB8::A]:8443/x?y", 1, "2001:db8::a", 1, 8443, 1, "/x?y"},
    {"http://[::ffff:192.0.2.1]/", 0, "::ffff:192.0.2.1", 1, 80, 0, "/"},
    {"http://[1:2:3:4:5:6:7:8]:1/", 0, "1:2:3:4:5:6:7:8", 1, 1, 1, "/"},
};

static void test_parse_accepts(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(good_urls) / sizeof(good_urls[0]); i++) {
    const struct good_url *g = &good_urls[i];
    struct hr_url u;
    httpr_error err = {0};
    httpr_code rc = hr_url_parse(g->in, &u, &err);
    if (rc != HTTPR_OK)
      fail_msg("'%s': %s (%s)", g->in, httpr_code_name(rc), err.message);
    assert_int_equal(u.https, g->https);
    assert_string_equal(u.host, g->host);
    assert_int_equal(u.host_is_ipv6, g->ipv6);
    assert_int_equal(u.port, g->port);
    assert_int_equal(u.port_explicit, g->port_explicit);
    assert_string_equal(u.target, g->target);
    hr_url_free(&u);
    assert_true(is_zeroed(&u));
  }
}

/* ---- refused forms ------------------------------------------------------- */

struct bad_url {
  const char *in;
  httpr_code code;
};

static const struct bad_url bad_urls[] = {
    {"", HTTPR_E_URL},
    {"example.com", HTTPR_E_URL},
    {"example.com:80/x", HTTPR_E_URL},
    {"//example.com/", HTTPR_E_URL},
    {"/path", HTTPR_E_URL},
    {"http:/example.com", HTTPR_E_URL},
    {"http:example.com", HTTPR_E_URL},
    {"http//example.com", HTTPR_E_URL},
    {"1http://example.com", HTTPR_E_URL},
    {"mailto:a@example.com", HTTPR_E_URL},
    {"://example.com", HTTPR_E_URL},
    /* empty host */
    {"http://", HTTPR_E_URL},
    {"http:///path", HTTPR_E_URL},
    {"http://:80/", HTTPR_E_URL},
    {"http://?q", HTTPR_E_URL},
    {"http://#f", HTTPR_E_URL},
    /* a leading dot, which OpenSSL's host check reads as "any subdomain" */
    {"https://.com/", HTTPR_E_URL},
    {"https://.example.com:8443/", HTTPR_E_URL},
    /* userinfo */
    {"http://user@h/", HTTPR_E_URL},
    {"http://user:pw@h/", HTTPR_E_URL},
    {"http://@h/", HTTPR_E_URL},
    {"https://u@[::1]/", HTTPR_E_URL},
    /* ports */
    {"http://h:/", HTTPR_E_URL},
    {"http://h:", HTTPR_E_URL},
    {"http://h:abc/", HTTPR_E_URL},
    {"http://h:8a/", HTTPR_E_URL},
    {"http://h:0/", HTTPR_E_URL},
    {"http://h:000/", HTTPR_E_URL},
    {"http://h:65536/", HTTPR_E_URL},
    {"http://h:99999999999999999999999/", HTTPR_E_URL},
    {"http://h:-1/", HTTPR_E_URL},
    {"http://h:+80/", HTTPR_E_URL},
    {"http://h:80:81/", HTTPR_E_URL},
    /* IPv6 literals */
    {"http://[::1/", HTTPR_E_URL},
    {"http://[::1", HTTPR_E_URL},
    {"http://::1]/", HTTPR_E_URL},
    {"http://::1/", HTTPR_E_URL},
    {"http://[::1]x/", HTTPR_E_URL},
    {"http://[::1]:/", HTTPR_E_URL},
    {"http://[::1]:0/", HTTPR_E_URL},
    {"http://[::1]]/", HTTPR_E_URL},
    {"http://[]/", HTTPR_E_URL},
    {"http://[zz::1]/", HTTPR_E_URL},
    {"http://[1.2.3.4]/", HTTPR_E_URL},
    {"http://[::1%25eth0]/", HTTPR_E_URL},
    {"http://[fe80::1%eth0]/", HTTPR_E_URL},
    {"http://[v1.fe]/", HTTPR_E_URL},
    {"http://[1:2:3:4:5:6:7:8:9]/", HTTPR_E_URL},
    {"http://[0000:0000:0000:0000:0000:0000:0000:0000:0]/", HTTPR_E_URL},
    {"http://a[::1]/", HTTPR_E_URL},
    /* bytes <= 0x20 or >= 0x7f anywhere */
    {"http://exa mple.com/", HTTPR_E_URL},
    {"http://h/a b", HTTPR_E_URL},
    {"http://h/\r\nX-Injected: 1", HTTPR_E_URL},
    {"http://h/\n", HTTPR_E_URL},
    {"http://h/\r", HTTPR_E_URL},
    {"http://h/\t", HTTPR_E_URL},
    {"http://h/\x01", HTTPR_E_URL},
    {"http://h/\x7f", HTTPR_E_URL},
    {"http://h/caf\xc3\xa9", HTTPR_E_URL},
    {"http://h\xc3\xa9.example/", HTTPR_E_URL},
    {" http://h/", HTTPR_E_URL},
    {"http://h/ ", HTTPR_E_URL},
    {"http://h/#a b", HTTPR_E_URL},
    /* host characters */
    {"http://ex%41mple.com/", HTTPR_E_URL},
    {"http://ex!ample/", HTTPR_E_URL},
    {"http://h[/", HTTPR_E_URL},
    {"http://h]/", HTTPR_E_URL},
    {"http://h\\evil/", HTTPR_E_URL},
    {"http://a,b/", HTTPR_E_URL},
    /* other schemes */
    {"ftp://h/", HTTPR_E_UNSUPPORTED_PROTOCOL},
    {"file:///etc/passwd", HTTPR_E_UNSUPPORTED_PROTOCOL},
    {"httpx://h/", HTTPR_E_UNSUPPORTED_PROTOCOL},
    {"ws://h/", HTTPR_E_UNSUPPORTED_PROTOCOL},
    {"htt://h/", HTTPR_E_UNSUPPORTED_PROTOCOL},
    {"h+t.t-p://h/", HTTPR_E_UNSUPPORTED_PROTOCOL},
};

static void test_parse_refuses(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(bad_urls) / sizeof(bad_urls[0]); i++) {
    const struct bad_url *b = &bad_urls[i];
    struct hr_url u;
    memset(&u, 0xa5, sizeof(u)); /* must come back zeroed */
    httpr_error err = {0};
    httpr_code rc = hr_url_parse(b->in, &u, &err);
    if (rc != b->code)
      fail_msg("'%s': got %s, want %s", b->in, httpr_code_name(rc),
               httpr_code_name(b->code));
    assert_int_equal(err.code, b->code);
    assert_true(err.message[0] != '\0');
    assert_true(is_zeroed(&u));
  }
}

static void test_parse_messages(void **state) {
  (void)state;
  struct hr_url u;
  httpr_error err = {0};
  assert_int_equal(hr_url_parse("http://u:p@h/", &u, &err), HTTPR_E_URL);
  assert_string_equal(err.message,
                      "URL holds user information, which is not supported");
  assert_int_equal(hr_url_parse("ftp://h/", &u, &err),
                   HTTPR_E_UNSUPPORTED_PROTOCOL);
  assert_string_equal(err.message, "protocol 'ftp' is not supported");
  assert_int_equal(hr_url_parse("http://h:70000/", &u, &err), HTTPR_E_URL);
  assert_string_equal(err.message, "URL port is over 65535");
  assert_int_equal(hr_url_parse("http://[::1%25lo]/", &u, &err), HTTPR_E_URL);
  assert_string_equal(err.message, "URL has an invalid IPv6 address");
}

static void test_parse_null_and_no_err(void **state) {
  (void)state;
  struct hr_url u;
  httpr_error err = {0};
  assert_int_equal(hr_url_parse(NULL, &u, &err), HTTPR_E_URL);
  assert_true(is_zeroed(&u));
  /* err may be NULL: the code alone still comes back. */
  assert_int_equal(hr_url_parse("http://h:0/", &u, NULL), HTTPR_E_URL);
  assert_int_equal(hr_url_parse("http://h/", &u, NULL), HTTPR_OK);
  hr_url_free(&u);
  hr_url_free(NULL);
}

static void test_parse_length_limit(void **state) {
  (void)state;
  const char *prefix = "http://h/";
  size_t plen = strlen(prefix);
  char *s = malloc(8194);
  assert_non_null(s);
  memcpy(s, prefix, plen);
  memset(s + plen, 'a', 8192 - plen);
  s[8192] = '\0';
  struct hr_url u;
  httpr_error err = {0};
  assert_int_equal(hr_url_parse(s, &u, &err), HTTPR_OK);
  assert_int_equal(strlen(u.target), 8192 - plen + 1);
  hr_url_free(&u);
  s[8192] = 'a';
  s[8193] = '\0';
  assert_int_equal(hr_url_parse(s, &u, &err), HTTPR_E_URL);
  assert_string_equal(err.message, "URL is longer than 8192 bytes");
  assert_true(is_zeroed(&u));
  free(s);
}

/* ---- helpers on struct hr_url -------------------------------------------- */

static struct hr_url parse(const char *s) {
  struct hr_url u;
  httpr_error err = {0};
  if (hr_url_parse(s, &u, &err) != HTTPR_OK)
    fail_msg("'%s': %s", s, err.message);
  return u;
}

static void check_to_string(const char *in, const char *want) {
  struct hr_url u = parse(in);
  char *s = hr_url_to_string(&u);
  assert_non_null(s);
  assert_string_equal(s, want);
  free(s);
  hr_url_free(&u);
}

static void test_to_string(void **state) {
  (void)state;
  check_to_string("http://example.com", "http://example.com/");
  check_to_string("http://example.com:80/a?b#c", "http://example.com/a?b");
  check_to_string("https://example.com:443/", "https://example.com/");
  check_to_string("http://example.com:443/", "http://example.com:443/");
  check_to_string("https://example.com:80/", "https://example.com:80/");
  check_to_string("HTTPS://[::1]:8443/x?y", "https://[::1]:8443/x?y");
  check_to_string("http://[::1]/", "http://[::1]/");
}

static void expect_authority(const char *in, const char *want) {
  struct hr_url u = parse(in);
  char buf[64];
  size_t n = hr_url_authority(&u, buf, sizeof(buf));
  assert_int_equal(n, strlen(want));
  assert_string_equal(buf, want);
  /* Exactly enough room (with the NUL) works, one byte less does not. */
  assert_int_equal(hr_url_authority(&u, buf, n + 1), n);
  assert_string_equal(buf, want);
  assert_int_equal(hr_url_authority(&u, buf, n), 0);
  assert_int_equal(hr_url_authority(&u, buf, 0), 0);
  hr_url_free(&u);
}

static void test_authority(void **state) {
  (void)state;
  expect_authority("http://Example.com/", "example.com");
  expect_authority("http://example.com:80/", "example.com");
  expect_authority("https://example.com:443/", "example.com");
  expect_authority("http://example.com:8080/", "example.com:8080");
  expect_authority("https://example.com:80/", "example.com:80");
  expect_authority("http://[::1]/", "[::1]");
  expect_authority("https://[::1]:8443/", "[::1]:8443");
}

static void expect_same_origin(const char *a, const char *b, int want) {
  struct hr_url ua = parse(a), ub = parse(b);
  assert_int_equal(hr_url_same_origin(&ua, &ub), want);
  assert_int_equal(hr_url_same_origin(&ub, &ua), want);
  hr_url_free(&ua);
  hr_url_free(&ub);
}

static void test_same_origin(void **state) {
  (void)state;
  expect_same_origin("http://a/x", "http://a:80/y?z", 1);
  expect_same_origin("http://A.example/", "http://a.EXAMPLE/", 1);
  expect_same_origin("https://a/", "https://a:443/", 1);
  expect_same_origin("http://a/", "https://a/", 0);
  expect_same_origin("http://a:80/", "https://a:80/", 0);
  expect_same_origin("http://a/", "http://a:8080/", 0);
  expect_same_origin("http://a/", "http://b/", 0);
  expect_same_origin("http://[::1]/", "http://[::1]:80/", 1);
}

static void test_copy(void **state) {
  (void)state;
  struct hr_url src = parse("https://[::1]:8443/a?b");
  struct hr_url dst;
  httpr_error err = {0};
  assert_int_equal(hr_url_copy(&dst, &src, &err), HTTPR_OK);
  assert_ptr_not_equal(dst.host, src.host);
  assert_ptr_not_equal(dst.target, src.target);
  assert_string_equal(dst.host, "::1");
  assert_string_equal(dst.target, "/a?b");
  assert_int_equal(dst.https, 1);
  assert_int_equal(dst.host_is_ipv6, 1);
  assert_int_equal(dst.port, 8443);
  assert_int_equal(dst.port_explicit, 1);
  hr_url_free(&src);
  assert_string_equal(dst.target, "/a?b"); /* independent of src */
  hr_url_free(&dst);
}

/* ---- resolve ------------------------------------------------------------- */

struct resolve_case {
  const char *ref;
  const char *want; /* NULL: refused with code */
  httpr_code code;
};

/* RFC 3986 5.4.1 and 5.4.2 against "http://a/b/c/d;p?q". The fragment is
 * dropped, so "#s" results lose it; "g:h" and "http:g" have no "//" and so
 * are refused (strict parsing, 5.4.2 allows it). */
static const struct resolve_case rfc_cases[] = {
    /* 5.4.1 normal examples */
    {"g:h", NULL, HTTPR_E_URL},
    {"g", "http://a/b/c/g", HTTPR_OK},
    {"./g", "http://a/b/c/g", HTTPR_OK},
    {"g/", "http://a/b/c/g/", HTTPR_OK},
    {"/g", "http://a/g", HTTPR_OK},
    {"//g", "http://g/", HTTPR_OK},
    {"?y", "http://a/b/c/d;p?y", HTTPR_OK},
    {"g?y", "http://a/b/c/g?y", HTTPR_OK},
    {"#s", "http://a/b/c/d;p?q", HTTPR_OK},
    {"g#s", "http://a/b/c/g", HTTPR_OK},
    {"g?y#s", "http://a/b/c/g?y", HTTPR_OK},
    {";x", "http://a/b/c/;x", HTTPR_OK},
    {"g;x", "http://a/b/c/g;x", HTTPR_OK},
    {"g;x?y#s", "http://a/b/c/g;x?y", HTTPR_OK},
    {"", "http://a/b/c/d;p?q", HTTPR_OK},
    {".", "http://a/b/c/", HTTPR_OK},
    {"./", "http://a/b/c/", HTTPR_OK},
    {"..", "http://a/b/", HTTPR_OK},
    {"../", "http://a/b/", HTTPR_OK},
    {"../g", "http://a/b/g", HTTPR_OK},
    {"../..", "http://a/", HTTPR_OK},
    {"../../", "http://a/", HTTPR_OK},
    {"../../g", "http://a/g", HTTPR_OK},
    /* 5.4.2 abnormal examples */
    {"../../../g", "http://a/g", HTTPR_OK},
    {"../../../../g", "http://a/g", HTTPR_OK},
    {"/./g", "http://a/g", HTTPR_OK},
    {"/../g", "http://a/g", HTTPR_OK},
    {"g.", "http://a/b/c/g.", HTTPR_OK},
    {".g", "http://a/b/c/.g", HTTPR_OK},
    {"g..", "http://a/b/c/g..", HTTPR_OK},
    {"..g", "http://a/b/c/..g", HTTPR_OK},
    {"./../g", "http://a/b/g", HTTPR_OK},
    {"./g/.", "http://a/b/c/g/", HTTPR_OK},
    {"g/./h", "http://a/b/c/g/h", HTTPR_OK},
    {"g/../h", "http://a/b/c/h", HTTPR_OK},
    {"g;x=1/./y", "http://a/b/c/g;x=1/y", HTTPR_OK},
    {"g;x=1/../y", "http://a/b/c/y", HTTPR_OK},
    {"g?y/./x", "http://a/b/c/g?y/./x", HTTPR_OK},
    {"g?y/../x", "http://a/b/c/g?y/../x", HTTPR_OK},
    {"g#s/./x", "http://a/b/c/g", HTTPR_OK},
    {"g#s/../x", "http://a/b/c/g", HTTPR_OK},
    {"http:g", NULL, HTTPR_E_URL},
};

static void check_resolve(const char *base_s, const struct resolve_case *c) {
  struct hr_url base = parse(base_s), out;
  httpr_error err = {0};
  memset(&out, 0xa5, sizeof(out));
  httpr_code rc = hr_url_resolve(&base, c->ref, &out, &err);
  httpr_code want = c->want ? HTTPR_OK : c->code;
  if (rc != want)
    fail_msg("'%s' + '%s': got %s (%s), want %s", base_s, c->ref,
             httpr_code_name(rc), err.message, httpr_code_name(want));
  if (c->want) {
    char *s = hr_url_to_string(&out);
    assert_non_null(s);
    if (strcmp(s, c->want) != 0)
      fail_msg("'%s' + '%s': got '%s', want '%s'", base_s, c->ref, s, c->want);
    free(s);
  } else {
    assert_true(is_zeroed(&out));
  }
  hr_url_free(&out);
  hr_url_free(&base);
}

static void test_resolve_rfc3986(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(rfc_cases) / sizeof(rfc_cases[0]); i++)
    check_resolve("http://a/b/c/d;p?q", &rfc_cases[i]);
}

static void test_resolve_more(void **state) {
  (void)state;
  static const struct {
    const char *base;
    struct resolve_case c;
  } cases[] = {
      {"http://a/b",
       {"https://other.example:8443/x", "https://other.example:8443/x", 0}},
      {"http://a/b", {"HTTP://X.Example/Y/../Z", "http://x.example/Z", 0}},
      {"https://a/b", {"//g", "https://g/", 0}},
      {"https://a/b", {"//g:8080/x/../y?q", "https://g:8080/y?q", 0}},
      {"http://a:8080/b/c", {"/d", "http://a:8080/d", 0}},
      {"http://a:80/b/c", {"d", "http://a/b/d", 0}},
      {"http://[::1]:8080/a/b", {"c", "http://[::1]:8080/a/c", 0}},
      {"http://[::1]/a/b", {"?x", "http://[::1]/a/b?x", 0}},
      {"http://a/b?q#f", {"", "http://a/b?q", 0}},
      {"http://a/", {"?y", "http://a/?y", 0}},
      {"http://a", {"g", "http://a/g", 0}},
      {"http://a/b/c", {"../../../..", "http://a/", 0}},
      {"http://a/b/c", {"/..", "http://a/", 0}},
      {"http://a/b/c", {"/.", "http://a/", 0}},
      {"http://a/b/c", {"/a/b/..", "http://a/a/", 0}},
      {"http://a/b/c", {"/a/./b/../../c/", "http://a/c/", 0}},
      {"http://a/b/c", {"ftp://x/", NULL, HTTPR_E_UNSUPPORTED_PROTOCOL}},
      {"http://a/b/c", {"//user@h/", NULL, HTTPR_E_URL}},
      {"http://a/b/c", {"//", NULL, HTTPR_E_URL}},
      {"http://a/b/c", {"//h:0/", NULL, HTTPR_E_URL}},
      {"http://a/b/c", {"g h", NULL, HTTPR_E_URL}},
      {"http://a/b/c", {"g\r\nX-Injected: 1", NULL, HTTPR_E_URL}},
      {"http://a/b/c", {"g#a b", NULL, HTTPR_E_URL}},
      {"http://a/b/c", {" /g", NULL, HTTPR_E_URL}},
      {"http://a/b/c", {"/caf\xc3\xa9", NULL, HTTPR_E_URL}},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    check_resolve(cases[i].base, &cases[i].c);
}

static void test_resolve_length_limit(void **state) {
  (void)state;
  struct hr_url base = parse("http://a/b"), out;
  httpr_error err = {0};
  char *ref = malloc(8194);
  assert_non_null(ref);
  /* 8183 + "http://a/" is 8192: at the limit. */
  memset(ref, 'x', 8183);
  ref[8183] = '\0';
  assert_int_equal(hr_url_resolve(&base, ref, &out, &err), HTTPR_OK);
  assert_int_equal(strlen(out.target), 8184);
  hr_url_free(&out);
  ref[8183] = 'x';
  ref[8184] = '\0';
  assert_int_equal(hr_url_resolve(&base, ref, &out, &err), HTTPR_E_URL);
  assert_string_equal(err.message, "URL is longer than 8192 bytes");
  /* An over-long reference is refused before any work. */
  memset(ref, 'x', 8193);
  ref[8193] = '\0';
  assert_int_equal(hr_url_resolve(&base, ref, &out, &err), HTTPR_E_URL);
  assert_true(is_zeroed(&out));
  free(ref);
  hr_url_free(&base);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_accepts),
      cmocka_unit_test(test_parse_refuses),
      cmocka_unit_test(test_parse_messages),
      cmocka_unit_test(test_parse_null_and_no_err),
      cmocka_unit_test(test_parse_length_limit),
      cmocka_unit_test(test_to_string),
      cmocka_unit_test(test_authority),
      cmocka_unit_test(test_same_origin),
      cmocka_unit_test(test_copy),
      cmocka_unit_test(test_resolve_rfc3986),
      cmocka_unit_test(test_resolve_more),
      cmocka_unit_test(test_resolve_length_limit),
  };
  return cmocka_run_group_tests_name("url", tests, NULL, NULL);
}
