/* SPDX-License-Identifier: MIT */
/*
 * test_socks5.c - unit tests of protocol/socks5.c: the exact bytes of the
 * greeting, the authentication and the CONNECT request for socks5 (an
 * address) and socks5h (a name); every reply fed in every split, one byte
 * at a time included; every reply code, method and authentication
 * outcome with its exact message; bad input; garbage; and hr_socks5_step
 * over a scripted peer that moves a byte at a time and would block
 * between.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cmocka.h>

#include "protocol/socks5.h"

static const struct hr_socks5_params name_params = {.host = "example.com",
                                                    .port = 443};

static void init_ok(struct hr_socks5 *s, const struct hr_socks5_params *p) {
  httpr_error err;
  httpr_code rc = hr_socks5_init(s, p, &err);
  if (rc != HTTPR_OK)
    fail_msg("init: %s (%s)", httpr_code_name(rc), err.message);
}

static void expect_output(struct hr_socks5 *s, const uint8_t *want,
                          size_t want_len) {
  size_t len;
  const uint8_t *out = hr_socks5_output(s, &len);
  assert_int_equal(len, want_len);
  assert_memory_equal(out, want, want_len);
}

/* Sends everything pending; returns 1 if there was something. */
static int flush(struct hr_socks5 *s) {
  size_t len;
  hr_socks5_output(s, &len);
  hr_socks5_sent(s, len);
  return len > 0;
}

/* Plays the server's bytes to s in chunks of `chunk` (the first chunk
 * `first` long when nonzero), sending whatever s wants between. Returns
 * the last status; *consumed counts the bytes s took. */
static enum hr_socks5_status play(struct hr_socks5 *s, const uint8_t *script,
                                  size_t len, size_t first, size_t chunk,
                                  size_t *consumed, httpr_error *err) {
  size_t at = 0;
  enum hr_socks5_status st = HR_SOCKS5_WANT_WRITE;
  for (int turns = 0; turns < 4096; turns++) {
    flush(s);
    if (at >= len)
      return st;
    size_t n = (at == 0 && first) ? first : chunk;
    if (n > len - at)
      n = len - at;
    size_t used = 0;
    st = hr_socks5_feed(s, script + at, n, &used, err);
    assert_true(used <= n);
    at += used;
    *consumed = at;
    if (st == HR_SOCKS5_DONE || st == HR_SOCKS5_ERROR)
      return st;
    if (used < n && st == HR_SOCKS5_WANT_READ)
      fail_msg("took %zu of %zu bytes and wants more", used, n);
  }
  fail_msg("no end after 4096 turns");
  return st;
}

/* ---- the bytes sent -------------------------------------------------------
 */

static void greeting_without_credentials(void **state) {
  (void)state;
  struct hr_socks5 s;
  init_ok(&s, &name_params);
  const uint8_t want[] = {0x05, 0x01, 0x00};
  expect_output(&s, want, sizeof(want));
  assert_int_equal(hr_socks5_need(&s), 0);
}

static void greeting_with_credentials(void **state) {
  (void)state;
  struct hr_socks5 s;
  struct hr_socks5_params p = name_params;
  p.user = "user";
  p.password = "secret";
  init_ok(&s, &p);
  const uint8_t want[] = {0x05, 0x02, 0x00, 0x02};
  expect_output(&s, want, sizeof(want));
}

/* Reaches the CONNECT request through a "no authentication" choice. */
static void to_connect_request(struct hr_socks5 *s) {
  const uint8_t choose_none[] = {0x05, 0x00};
  size_t used;
  httpr_error err;
  assert_true(flush(s));
  assert_int_equal(hr_socks5_need(s), 2);
  assert_int_equal(hr_socks5_feed(s, choose_none, 2, &used, &err),
                   HR_SOCKS5_WANT_WRITE);
  assert_int_equal(used, 2);
}

static void connect_request_ipv4_socks5(void **state) {
  (void)state;
  struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(9)};
  inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
  struct hr_socks5_params p = {
      .host = "origin.test", .port = 8443, .addr = (struct sockaddr *)&sin};
  struct hr_socks5 s;
  init_ok(&s, &p);
  to_connect_request(&s);
  /* the port is the parameter's (0x20fb), not the address's */
  const uint8_t want[] = {0x05, 0x01, 0x00, 0x01, 127, 0, 0, 1, 0x20, 0xfb};
  expect_output(&s, want, sizeof(want));
}

static void connect_request_ipv6_socks5(void **state) {
  (void)state;
  struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6};
  inet_pton(AF_INET6, "2001:db8::1", &sin6.sin6_addr);
  struct hr_socks5_params p = {
      .host = "origin.test", .port = 443, .addr = (struct sockaddr *)&sin6};
  struct hr_socks5 s;
  init_ok(&s, &p);
  to_connect_request(&s);
  const uint8_t want[] = {0x05, 0x01, 0x00, 0x04, 0x20, 0x01, 0x0d, 0xb8,
                          0,    0,    0,    0,    0,    0,    0,    0,
                          0,    0,    0,    1,    0x01, 0xbb};
  expect_output(&s, want, sizeof(want));
}

static void connect_request_name_socks5h(void **state) {
  (void)state;
  struct hr_socks5_params p = {.host = "localhost", .port = 80};
  struct hr_socks5 s;
  init_ok(&s, &p);
  to_connect_request(&s);
  const uint8_t want[] = {0x05, 0x01, 0x00, 0x03, 9,   'l', 'o', 'c',
                          'a',  'l',  'h',  'o',  's', 't', 0,   80};
  expect_output(&s, want, sizeof(want));
}

/* socks5h with an address literal sends the address, as curl does. */
static void connect_request_literals_socks5h(void **state) {
  (void)state;
  struct hr_socks5 s;
  struct hr_socks5_params p4 = {.host = "10.1.2.3", .port = 1};
  init_ok(&s, &p4);
  to_connect_request(&s);
  const uint8_t want4[] = {0x05, 0x01, 0x00, 0x01, 10, 1, 2, 3, 0, 1};
  expect_output(&s, want4, sizeof(want4));

  struct hr_socks5_params p6 = {.host = "::1", .port = 65535};
  init_ok(&s, &p6);
  to_connect_request(&s);
  const uint8_t want6[] = {0x05, 0x01, 0x00, 0x04, 0, 0, 0, 0, 0, 0,    0,
                           0,    0,    0,    0,    0, 0, 0, 0, 1, 0xff, 0xff};
  expect_output(&s, want6, sizeof(want6));
}

static void name_of_255_bytes_and_256(void **state) {
  (void)state;
  char name[300];
  struct hr_socks5 s;
  httpr_error err;
  memset(name, 'a', sizeof(name));
  name[255] = '\0';
  struct hr_socks5_params p = {.host = name, .port = 443};
  init_ok(&s, &p);
  to_connect_request(&s);
  size_t len;
  const uint8_t *out = hr_socks5_output(&s, &len);
  assert_int_equal(len, 4 + 1 + 255 + 2);
  assert_int_equal(out[3], 0x03);
  assert_int_equal(out[4], 255);

  name[255] = 'a';
  name[256] = '\0';
  assert_int_equal(hr_socks5_init(&s, &p, &err), HTTPR_E_PROXY);
  assert_string_equal(err.message,
                      "host name of 256 bytes is too long for a SOCKS5 "
                      "proxy to resolve (at most 255)");
}

static void auth_request_bytes_and_wipe(void **state) {
  (void)state;
  struct hr_socks5 s;
  httpr_error err;
  size_t used;
  struct hr_socks5_params p = name_params;
  p.user = "user";
  p.password = "secret";
  init_ok(&s, &p);
  assert_true(flush(&s));
  const uint8_t choose_auth[] = {0x05, 0x02};
  assert_int_equal(hr_socks5_feed(&s, choose_auth, 2, &used, &err),
                   HR_SOCKS5_WANT_WRITE);
  const uint8_t want[] = {0x01, 4,   'u', 's', 'e', 'r', 6,
                          's',  'e', 'c', 'r', 'e', 't'};
  expect_output(&s, want, sizeof(want));
  /* sent in two pieces; then no copy of the password is left */
  hr_socks5_sent(&s, 5);
  expect_output(&s, want + 5, sizeof(want) - 5);
  hr_socks5_sent(&s, sizeof(want) - 5);
  assert_int_equal(hr_socks5_need(&s), 2);
  assert_null(memmem(&s, sizeof(s), "secret", 6));
}

static void empty_password_is_sent_empty(void **state) {
  (void)state;
  struct hr_socks5 s;
  httpr_error err;
  size_t used;
  struct hr_socks5_params p = name_params;
  p.user = "u";
  init_ok(&s, &p);
  flush(&s);
  const uint8_t choose_auth[] = {0x05, 0x02};
  hr_socks5_feed(&s, choose_auth, 2, &used, &err);
  const uint8_t want[] = {0x01, 1, 'u', 0};
  expect_output(&s, want, sizeof(want));
}

/* ---- bad input ------------------------------------------------------------
 */

static void bad_parameters(void **state) {
  (void)state;
  char long_user[300];
  memset(long_user, 'u', sizeof(long_user));
  long_user[256] = '\0';
  struct sockaddr_un sun = {.sun_family = AF_UNIX};
  static const struct {
    struct hr_socks5_params p;
    httpr_code code;
    const char *message;
  } cases[] = {
      {{.host = NULL, .port = 1},
       HTTPR_E_INVALID,
       "SOCKS5 destination host is empty"},
      {{.host = "", .port = 1},
       HTTPR_E_INVALID,
       "SOCKS5 destination host is empty"},
      {{.host = "a\r\nb", .port = 1},
       HTTPR_E_INVALID,
       "SOCKS5 destination host contains a control character"},
      {{.host = "a\x7f", .port = 1},
       HTTPR_E_INVALID,
       "SOCKS5 destination host contains a control character"},
      {{.host = "a", .port = 0},
       HTTPR_E_INVALID,
       "SOCKS5 destination port is 0"},
      {{.host = "a", .port = 1, .user = ""},
       HTTPR_E_INVALID,
       "SOCKS5 proxy user name is empty"},
      {{.host = "a", .port = 1, .user = "u\n"},
       HTTPR_E_INVALID,
       "SOCKS5 proxy user name or password contains CR or LF"},
      {{.host = "a", .port = 1, .user = "u", .password = "p\r"},
       HTTPR_E_INVALID,
       "SOCKS5 proxy user name or password contains CR or LF"},
  };
  struct hr_socks5 s;
  httpr_error err;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    httpr_code rc = hr_socks5_init(&s, &cases[i].p, &err);
    if (rc != cases[i].code || strcmp(err.message, cases[i].message) != 0)
      fail_msg("case %zu: %s '%s'", i, httpr_code_name(rc), err.message);
    assert_int_equal(s.phase, HR_SOCKS5_FAILED);
  }
  struct hr_socks5_params p = {.host = "a", .port = 1, .user = long_user};
  assert_int_equal(hr_socks5_init(&s, &p, &err), HTTPR_E_PROXY);
  assert_string_equal(err.message, "SOCKS5 proxy user name of 256 bytes is "
                                   "too long (at most 255)");
  p.user = "u";
  p.password = long_user;
  assert_int_equal(hr_socks5_init(&s, &p, &err), HTTPR_E_PROXY);
  assert_string_equal(err.message, "SOCKS5 proxy password of 256 bytes is too "
                                   "long (at most 255)");
  struct hr_socks5_params pu = {
      .host = "a", .port = 1, .addr = (struct sockaddr *)&sun};
  assert_int_equal(hr_socks5_init(&s, &pu, &err), HTTPR_E_INVALID);
  assert_string_equal(err.message,
                      "SOCKS5 can connect only to an IPv4 or IPv6 address");
}

/* ---- replies in every split ---------------------------------------------- */

/* The method choice, the CONNECT reply with an IPv4 bound address, then
 * the tunnel's first bytes, which must stay unread. */
static const uint8_t reply_none_v4[] = {0x05, 0x00, 0x05, 0x00, 0x00,
                                        0x01, 192,  0,    2,    7,
                                        0x1f, 0x90, 'T',  'L',  'S'};
#define REPLY_NONE_V4_LEN 12

static void check_bound_v4(const struct hr_socks5 *s) {
  const struct hr_socks5_bound *b = hr_socks5_bound(s);
  assert_non_null(b);
  assert_int_equal(b->family, AF_INET);
  const uint8_t want[] = {192, 0, 2, 7};
  assert_memory_equal(b->addr, want, 4);
  assert_int_equal(b->port, 8080);
  assert_int_equal(s->reply, 0);
}

static void success_in_every_chunk_size(void **state) {
  (void)state;
  for (size_t chunk = 1; chunk <= sizeof(reply_none_v4); chunk++) {
    struct hr_socks5 s;
    httpr_error err;
    size_t consumed = 0;
    init_ok(&s, &name_params);
    assert_int_equal(play(&s, reply_none_v4, sizeof(reply_none_v4), 0, chunk,
                          &consumed, &err),
                     HR_SOCKS5_DONE);
    assert_int_equal(consumed, REPLY_NONE_V4_LEN);
    check_bound_v4(&s);
    size_t len;
    hr_socks5_output(&s, &len);
    assert_int_equal(len, 0);
    assert_int_equal(hr_socks5_need(&s), 0);
  }
}

static void success_in_every_two_part_split(void **state) {
  (void)state;
  for (size_t first = 1; first < REPLY_NONE_V4_LEN; first++) {
    struct hr_socks5 s;
    httpr_error err;
    size_t consumed = 0;
    init_ok(&s, &name_params);
    assert_int_equal(play(&s, reply_none_v4, sizeof(reply_none_v4), first,
                          sizeof(reply_none_v4), &consumed, &err),
                     HR_SOCKS5_DONE);
    assert_int_equal(consumed, REPLY_NONE_V4_LEN);
    check_bound_v4(&s);
  }
}

static void success_with_auth_every_split(void **state) {
  (void)state;
  const uint8_t script[] = {0x05, 0x02, 0x01, 0x00, 0x05, 0x00, 0x00, 0x03,
                            4,    'p',  'r',  'x',  'y',  0x04, 0x38, 'x'};
  for (size_t chunk = 1; chunk <= sizeof(script); chunk++) {
    struct hr_socks5 s;
    httpr_error err;
    size_t consumed = 0;
    struct hr_socks5_params p = name_params;
    p.user = "user";
    p.password = "pw";
    init_ok(&s, &p);
    assert_int_equal(
        play(&s, script, sizeof(script), 0, chunk, &consumed, &err),
        HR_SOCKS5_DONE);
    assert_int_equal(consumed, sizeof(script) - 1);
    const struct hr_socks5_bound *b = hr_socks5_bound(&s);
    assert_int_equal(b->family, 0);
    assert_string_equal(b->name, "prxy");
    assert_int_equal(b->port, 1080);
  }
}

/* RFC 1929 says version 1 in the auth reply; version 5 there is a known
 * server quirk and accepted; anything else is not. */
static void auth_reply_versions(void **state) {
  (void)state;
  const uint8_t quirk[] = {0x05, 0x02, 0x05, 0x00, 0x05, 0x00, 0x00,
                           0x01, 1,    2,    3,    4,    0,    1};
  const uint8_t wrong[] = {0x05, 0x02, 0x02, 0x00};
  struct hr_socks5_params p = name_params;
  p.user = "user";
  p.password = "pw";
  struct hr_socks5 s;
  httpr_error err;
  size_t consumed;
  init_ok(&s, &p);
  assert_int_equal(play(&s, quirk, sizeof(quirk), 0, 1, &consumed, &err),
                   HR_SOCKS5_DONE);
  init_ok(&s, &p);
  assert_int_equal(play(&s, wrong, sizeof(wrong), 0, 1, &consumed, &err),
                   HR_SOCKS5_ERROR);
  assert_int_equal(err.code, HTTPR_E_PROXY);
  assert_string_equal(err.message, "SOCKS5 proxy answered the authentication "
                                   "with version 2, not 1");
}

static void bound_ipv6_and_empty_name(void **state) {
  (void)state;
  const uint8_t v6[] = {0x05, 0x00, 0x05, 0x00, 0x00, 0x04, 0, 0, 0, 0, 0, 0,
                        0,    0,    0,    0,    0,    0,    0, 0, 0, 1, 0, 2};
  const uint8_t empty[] = {0x05, 0x00, 0x05, 0x00, 0x00, 0x03, 0, 0, 3};
  struct hr_socks5 s;
  httpr_error err;
  size_t consumed;
  init_ok(&s, &name_params);
  assert_int_equal(play(&s, v6, sizeof(v6), 0, 3, &consumed, &err),
                   HR_SOCKS5_DONE);
  assert_int_equal(hr_socks5_bound(&s)->family, AF_INET6);
  assert_int_equal(hr_socks5_bound(&s)->addr[15], 1);
  assert_int_equal(hr_socks5_bound(&s)->port, 2);
  init_ok(&s, &name_params);
  assert_int_equal(play(&s, empty, sizeof(empty), 0, 1, &consumed, &err),
                   HR_SOCKS5_DONE);
  assert_string_equal(hr_socks5_bound(&s)->name, "");
  assert_int_equal(hr_socks5_bound(&s)->port, 3);
}

/* ---- failures, each with its message --------------------------------------
 */

struct failing_script {
  const char *what;
  int with_auth;
  uint8_t bytes[16];
  size_t len;
  size_t consumed; /* where the failure is decided */
  const char *message;
};

static const struct failing_script failures[] = {
    {"greeting version",
     0,
     {0x04, 0x00},
     2,
     2,
     "SOCKS5 proxy answered the greeting with version 4, not 5"},
    {"no acceptable methods",
     0,
     {0x05, 0xff},
     2,
     2,
     "SOCKS5 proxy accepted none of the offered authentication methods "
     "(none; it may want a user name and password)"},
    {"no acceptable methods with auth",
     1,
     {0x05, 0xff},
     2,
     2,
     "SOCKS5 proxy accepted none of the offered authentication methods "
     "(none, username/password)"},
    {"username/password not offered",
     0,
     {0x05, 0x02},
     2,
     2,
     "SOCKS5 proxy chose authentication method 0x02, which was not offered"},
    {"GSSAPI not offered",
     1,
     {0x05, 0x01},
     2,
     2,
     "SOCKS5 proxy chose authentication method 0x01, which was not offered"},
    {"auth rejected",
     1,
     {0x05, 0x02, 0x01, 0x01},
     4,
     4,
     "SOCKS5 proxy rejected the user name and password (status 1)"},
    {"auth rejected 0xff",
     1,
     {0x05, 0x02, 0x01, 0xff},
     4,
     4,
     "SOCKS5 proxy rejected the user name and password (status 255)"},
    {"connect reply version",
     0,
     {0x05, 0x00, 0x00, 0x00},
     4,
     3,
     "SOCKS5 proxy answered the CONNECT request with version 0, not 5"},
    {"unknown address type",
     0,
     {0x05, 0x00, 0x05, 0x00, 0x00, 0x02, 0, 0},
     8,
     6,
     "SOCKS5 proxy replied with unknown address type 0x02"},
};

static void each_failure_in_every_chunk_size(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(failures) / sizeof(failures[0]); i++) {
    const struct failing_script *f = &failures[i];
    for (size_t chunk = 1; chunk <= f->len; chunk++) {
      struct hr_socks5 s;
      httpr_error err;
      size_t consumed = 0;
      struct hr_socks5_params p = name_params;
      if (f->with_auth) {
        p.user = "user";
        p.password = "pw";
      }
      init_ok(&s, &p);
      enum hr_socks5_status st =
          play(&s, f->bytes, f->len, 0, chunk, &consumed, &err);
      if (st != HR_SOCKS5_ERROR || err.code != HTTPR_E_PROXY ||
          strcmp(err.message, f->message) != 0 || consumed != f->consumed)
        fail_msg("%s, chunk %zu: status %d, %s '%s', consumed %zu", f->what,
                 chunk, (int)st, httpr_code_name(err.code), err.message,
                 consumed);
      assert_null(hr_socks5_bound(&s));
      /* and it stays failed */
      size_t used = 1;
      assert_int_equal(hr_socks5_feed(&s, f->bytes, f->len, &used, &err),
                       HR_SOCKS5_ERROR);
      assert_int_equal(used, 0);
    }
  }
}

static void every_reply_code(void **state) {
  (void)state;
  static const struct {
    int code;
    const char *text;
  } codes[] = {
      {1, "general SOCKS server failure"},
      {2, "connection not allowed by ruleset"},
      {3, "network unreachable"},
      {4, "host unreachable"},
      {5, "connection refused"},
      {6, "TTL expired"},
      {7, "command not supported"},
      {8, "address type not supported"},
      {9, "unknown reply code"},
      {0x7f, "unknown reply code"},
      {0xff, "unknown reply code"},
  };
  for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
    for (size_t chunk = 1; chunk <= 12; chunk += 11) {
      const uint8_t script[] = {
          0x05, 0x00, 0x05, (uint8_t)codes[i].code, 0, 1, 0, 0, 0, 0, 0, 0};
      struct hr_socks5 s;
      httpr_error err;
      size_t consumed;
      char want[200];
      init_ok(&s, &name_params);
      assert_int_equal(
          play(&s, script, sizeof(script), 0, chunk, &consumed, &err),
          HR_SOCKS5_ERROR);
      assert_int_equal(err.code, HTTPR_E_PROXY);
      snprintf(want, sizeof(want),
               "Can't complete SOCKS5 connection to example.com:443: %s (%d)",
               codes[i].text, codes[i].code);
      assert_string_equal(err.message, want);
      /* decided at the reply code: a failing proxy may send no more */
      assert_int_equal(consumed, 4);
      assert_int_equal(s.reply, codes[i].code);
    }
  }
}

static void ipv6_origin_is_bracketed_in_messages(void **state) {
  (void)state;
  const uint8_t script[] = {0x05, 0x00, 0x05, 0x04};
  struct hr_socks5_params p = {.host = "2001:db8::2", .port = 8443};
  struct hr_socks5 s;
  httpr_error err;
  size_t consumed;
  init_ok(&s, &p);
  assert_int_equal(play(&s, script, sizeof(script), 0, 4, &consumed, &err),
                   HR_SOCKS5_ERROR);
  assert_string_equal(err.message, "Can't complete SOCKS5 connection to "
                                   "[2001:db8::2]:8443: host unreachable (4)");
}

/* Random bytes in random chunks: every run ends, never takes more than it
 * is given, never reads past a reply, and the bound address of a success
 * is the reply's. */
static void garbage(void **state) {
  (void)state;
  uint32_t x = 12345;
  for (int run = 0; run < 3000; run++) {
    uint8_t script[300];
    size_t len = 1 + (x % sizeof(script));
    for (size_t i = 0; i < len; i++) {
      x = x * 1103515245u + 12345u;
      script[i] = (uint8_t)(x >> 16);
    }
    /* mostly valid starts, so the later phases are reached too */
    if (run % 2) {
      script[0] = 0x05;
      if (len > 1)
        script[1] = (uint8_t)(run % 3 == 0 ? 0x02 : 0x00);
      if (len > 2 && run % 3 != 0)
        script[2] = 0x05;
    }
    struct hr_socks5 s;
    httpr_error err;
    size_t consumed = 0;
    struct hr_socks5_params p = name_params;
    if (run % 3 == 0) {
      p.user = "u";
      p.password = "p";
    }
    init_ok(&s, &p);
    enum hr_socks5_status st =
        play(&s, script, len, 0, 1 + x % 7, &consumed, &err);
    assert_true(consumed <= len);
    if (st == HR_SOCKS5_ERROR)
      assert_int_equal(err.code, HTTPR_E_PROXY);
    else if (st == HR_SOCKS5_DONE)
      assert_non_null(hr_socks5_bound(&s));
    else
      assert_int_equal(consumed, len);
  }
}

/* ---- hr_socks5_step over a scripted peer ----------------------------------
 */

struct peer {
  const uint8_t *script; /* what the server says */
  size_t len, at;
  uint8_t got[600]; /* what the client sent */
  size_t got_len;
  int would_block; /* alternate EAGAIN with one-byte moves */
  int send_errno;  /* nonzero: send fails so */
  size_t max_recv; /* the largest read asked for */
};

static long peer_send(void *ctx, const void *buf, size_t len) {
  struct peer *p = ctx;
  if (p->send_errno) {
    errno = p->send_errno;
    return -1;
  }
  if (p->would_block && (p->would_block++ % 2) == 0) {
    errno = EAGAIN;
    return -1;
  }
  size_t n = p->would_block ? 1 : len;
  assert_true(p->got_len + n <= sizeof(p->got));
  memcpy(p->got + p->got_len, buf, n);
  p->got_len += n;
  return (long)n;
}

static long peer_recv(void *ctx, void *buf, size_t len) {
  struct peer *p = ctx;
  if (len > p->max_recv)
    p->max_recv = len;
  if (p->would_block && (p->would_block++ % 2) == 0) {
    errno = EAGAIN;
    return -1;
  }
  if (p->at == p->len)
    return 0; /* the server closed */
  size_t n = p->would_block ? 1 : len;
  if (n > p->len - p->at)
    n = p->len - p->at;
  memcpy(buf, p->script + p->at, n);
  p->at += n;
  return (long)n;
}

static enum hr_socks5_status step_until_end(struct hr_socks5 *s,
                                            struct peer *peer, httpr_error *err,
                                            int *waits) {
  struct hr_tls_io io = {.send = peer_send, .recv = peer_recv, .io_ctx = peer};
  enum hr_socks5_status st;
  *waits = 0;
  for (int i = 0; i < 2000; i++) {
    st = hr_socks5_step(s, &io, err);
    if (st == HR_SOCKS5_DONE || st == HR_SOCKS5_ERROR)
      return st;
    (*waits)++;
  }
  fail_msg("no end after 2000 steps");
  return st;
}

static void step_through_a_peer_that_blocks(void **state) {
  (void)state;
  struct peer peer = {
      .script = reply_none_v4, .len = sizeof(reply_none_v4), .would_block = 1};
  struct hr_socks5 s;
  httpr_error err;
  int waits;
  struct hr_socks5_params p = {.host = "localhost", .port = 80};
  init_ok(&s, &p);
  assert_int_equal(step_until_end(&s, &peer, &err, &waits), HR_SOCKS5_DONE);
  assert_true(waits > 10);
  check_bound_v4(&s);
  /* the tunnel's bytes are the caller's, unread */
  assert_int_equal(peer.at, REPLY_NONE_V4_LEN);
  assert_true(peer.max_recv <= 10);
  const uint8_t sent[] = {0x05, 0x01, 0x00, 0x05, 0x01, 0x00, 0x03, 9, 'l', 'o',
                          'c',  'a',  'l',  'h',  'o',  's',  't',  0, 80};
  assert_int_equal(peer.got_len, sizeof(sent));
  assert_memory_equal(peer.got, sent, sizeof(sent));
}

static void step_with_auth_at_full_speed(void **state) {
  (void)state;
  const uint8_t script[] = {0x05, 0x02, 0x01, 0x00, 0x05, 0x00, 0x00, 0x01,
                            1,    2,    3,    4,    0,    5,    'X'};
  struct peer peer = {.script = script, .len = sizeof(script)};
  struct hr_socks5 s;
  httpr_error err;
  int waits;
  struct hr_socks5_params p = {
      .host = "h", .port = 2, .user = "ab", .password = "cd"};
  init_ok(&s, &p);
  assert_int_equal(step_until_end(&s, &peer, &err, &waits), HR_SOCKS5_DONE);
  assert_int_equal(waits, 0);
  assert_int_equal(peer.at, sizeof(script) - 1);
  const uint8_t sent[] = {0x05, 0x02, 0x00, 0x02, 0x01, 2, 'a', 'b', 2, 'c',
                          'd',  0x05, 0x01, 0x00, 3,    1, 'h', 0,   2};
  assert_int_equal(peer.got_len, sizeof(sent));
  assert_memory_equal(peer.got, sent, sizeof(sent));
}

static void step_when_the_proxy_closes_or_breaks(void **state) {
  (void)state;
  const uint8_t script[] = {0x05, 0x00, 0x05};
  struct peer peer = {.script = script, .len = sizeof(script)};
  struct hr_socks5 s;
  httpr_error err;
  int waits;
  init_ok(&s, &name_params);
  assert_int_equal(step_until_end(&s, &peer, &err, &waits), HR_SOCKS5_ERROR);
  assert_int_equal(err.code, HTTPR_E_PROXY);
  assert_string_equal(err.message, "SOCKS5 proxy connection closed by the "
                                   "proxy during the CONNECT request");
  /* called again: still failed */
  assert_int_equal(step_until_end(&s, &peer, &err, &waits), HR_SOCKS5_ERROR);

  struct peer broken = {.script = script, .len = 0, .send_errno = ECONNRESET};
  init_ok(&s, &name_params);
  assert_int_equal(step_until_end(&s, &broken, &err, &waits), HR_SOCKS5_ERROR);
  assert_int_equal(err.code, HTTPR_E_PROXY);
  assert_string_equal(err.message,
                      "SOCKS5 proxy connection broke during the greeting");
  assert_string_equal(err.detail, strerror(ECONNRESET));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(greeting_without_credentials),
      cmocka_unit_test(greeting_with_credentials),
      cmocka_unit_test(connect_request_ipv4_socks5),
      cmocka_unit_test(connect_request_ipv6_socks5),
      cmocka_unit_test(connect_request_name_socks5h),
      cmocka_unit_test(connect_request_literals_socks5h),
      cmocka_unit_test(name_of_255_bytes_and_256),
      cmocka_unit_test(auth_request_bytes_and_wipe),
      cmocka_unit_test(empty_password_is_sent_empty),
      cmocka_unit_test(bad_parameters),
      cmocka_unit_test(success_in_every_chunk_size),
      cmocka_unit_test(success_in_every_two_part_split),
      cmocka_unit_test(success_with_auth_every_split),
      cmocka_unit_test(auth_reply_versions),
      cmocka_unit_test(bound_ipv6_and_empty_name),
      cmocka_unit_test(each_failure_in_every_chunk_size),
      cmocka_unit_test(every_reply_code),
      cmocka_unit_test(ipv6_origin_is_bracketed_in_messages),
      cmocka_unit_test(garbage),
      cmocka_unit_test(step_through_a_peer_that_blocks),
      cmocka_unit_test(step_with_auth_at_full_speed),
      cmocka_unit_test(step_when_the_proxy_closes_or_breaks),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
