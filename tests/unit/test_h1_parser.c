/* SPDX-License-Identifier: MIT */
/*
 * test_h1_parser.c - unit tests of protocol/h1_parser.c. Every case is fed
 * three ways, whole, one byte at a time, and in random-sized pieces from
 * fixed seeds, and must give the same callbacks, body, code, message and
 * byte count each way: the parser may not depend on how TCP splits bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/h1_parser.h"

#define DEFAULT_LIMIT 4096
#define RANDOM_SEEDS 24

/* One case: the input, the parser's settings and everything expected. */
struct pcase {
  const char *name;
  const char *in;
  size_t len;
  size_t limit; /* 0: DEFAULT_LIMIT */
  int no_body;
  const char *stop; /* a callback fails at this event (see rec_stop) */
  /* expected from the feeding */
  httpr_code rc;
  const char *msg;    /* NULL: not checked */
  const char *events; /* NULL: none */
  const char *body;   /* NULL: none */
  size_t body_len;    /* 0: strlen(body) */
  size_t consumed;    /* 0: all of len (checked only when rc is HTTPR_OK) */
  int done, keep_alive;
  enum hr_h1_framing framing;
  /* expected from hr_h1_parser_eof, called after the feeding when set */
  int eof;
  httpr_code eof_rc;
  const char *eof_msg;
};

#define IN(s) .in = (s), .len = sizeof(s) - 1

/* ---- recording callbacks ------------------------------------------------- */

struct rec {
  struct hr_buf events;
  struct hr_buf body;
  const char *stop; /* "status", "head", "body" or a header name */
};

static httpr_code rec_stop(httpr_error *err) {
  return hr_fail(err, HTTPR_E_WRITE, "stopped by the test");
}

static httpr_code rec_status(void *ud, int version, int status,
                             const char *reason, size_t reason_len,
                             httpr_error *err) {
  struct rec *r = ud;
  if (r->stop && !strcmp(r->stop, "status"))
    return rec_stop(err);
  hr_buf_appendf(&r->events, "S %d %d [%.*s]\n", version, status,
                 (int)reason_len, reason);
  return HTTPR_OK;
}

static httpr_code rec_header(void *ud, const char *name, size_t name_len,
                             const char *value, size_t value_len,
                             httpr_error *err) {
  struct rec *r = ud;
  if (r->stop && strlen(r->stop) == name_len &&
      !memcmp(r->stop, name, name_len))
    return rec_stop(err);
  hr_buf_appendf(&r->events, "H [%.*s] [%.*s]\n", (int)name_len, name,
                 (int)value_len, value);
  return HTTPR_OK;
}

static httpr_code rec_head_done(void *ud, httpr_error *err) {
  struct rec *r = ud;
  if (r->stop && !strcmp(r->stop, "head"))
    return rec_stop(err);
  hr_buf_append_str(&r->events, "D\n");
  return HTTPR_OK;
}

static httpr_code rec_body(void *ud, const char *data, size_t len,
                           httpr_error *err) {
  struct rec *r = ud;
  if (len == 0)
    fail_msg("on_body called with no bytes");
  if (r->stop && !strcmp(r->stop, "body"))
    return rec_stop(err);
  hr_buf_append(&r->body, data, len);
  return HTTPR_OK;
}

static const struct hr_h1_callbacks rec_callbacks = {rec_status, rec_header,
                                                     rec_head_done, rec_body};

/* ---- feeding ------------------------------------------------------------- */

enum mode { WHOLE, BYTES, RANDOM };

static uint32_t next_random(uint32_t *s) {
  /* xorshift32: the same pieces on every machine and run */
  *s ^= *s << 13;
  *s ^= *s >> 17;
  *s ^= *s << 5;
  return *s;
}

static size_t piece_size(enum mode m, uint32_t *rng, size_t left) {
  if (m == WHOLE)
    return left;
  if (m == BYTES)
    return 1;
  /* Mostly small pieces, which split lines and CRLFs, some large ones. */
  uint32_t r = next_random(rng);
  size_t n = (r & 3) ? 1 + (r >> 8) % 7 : 1 + (r >> 8) % (left + 1);
  return n < left ? n : left;
}

struct outcome {
  httpr_code rc;
  char msg[256];
  size_t consumed;
  httpr_code eof_rc;
  char eof_msg[256];
};

static void describe(char *d, size_t cap, const struct pcase *c, enum mode m,
                     uint32_t seed) {
  static const char *const names[] = {"whole", "bytes", "random"};
  snprintf(d, cap, "case '%s', fed %s (seed %u)", c->name, names[m],
           (unsigned)seed);
}

/* Feeds the whole input as mode says; stops at an error or once a feed
 * consumes less than it was given (the message is complete). */
static void feed_all(struct hr_h1_parser *p, const struct pcase *c, enum mode m,
                     uint32_t seed, struct rec *r, struct outcome *o,
                     httpr_error *err) {
  size_t limit = c->limit ? c->limit : DEFAULT_LIMIT;
  uint32_t rng = seed;
  size_t pos = 0;
  o->rc = HTTPR_OK;
  while (pos < c->len) {
    size_t n = piece_size(m, &rng, c->len - pos), used = (size_t)-1;
    o->rc = hr_h1_parser_feed(p, c->in + pos, n, &used, &rec_callbacks, r, err);
    assert_true(used <= n);
    /* Never more than one line is held, and never over the limit. */
    assert_true(p->line.len <= limit);
    assert_true(p->head_bytes <= limit);
    pos += used;
    if (o->rc != HTTPR_OK || used < n)
      break;
  }
  o->consumed = pos;
}

static void run_case(const struct pcase *c, enum mode m, uint32_t seed,
                     struct rec *r, struct hr_h1_parser *p, struct outcome *o) {
  httpr_error err = {0};
  memset(r, 0, sizeof(*r));
  memset(o, 0, sizeof(*o));
  r->stop = c->stop;
  hr_h1_parser_init(p, c->limit ? c->limit : DEFAULT_LIMIT, c->no_body);
  feed_all(p, c, m, seed, r, o, &err);
  snprintf(o->msg, sizeof(o->msg), "%s", o->rc ? err.message : "");
  if (c->eof && o->rc == HTTPR_OK) {
    httpr_error eof_err = {0};
    o->eof_rc = hr_h1_parser_eof(p, &eof_err);
    snprintf(o->eof_msg, sizeof(o->eof_msg), "%s", eof_err.message);
  }
}

static const char *or_empty(const char *s) { return s ? s : ""; }

static void check_code(const char *d, const char *what, httpr_code got,
                       httpr_code want) {
  if (got != want)
    fail_msg("%s: %s %s, want %s", d, what, httpr_code_name(got),
             httpr_code_name(want));
}

static void check_results(const struct pcase *c, const char *d,
                          const struct hr_h1_parser *p) {
  if (p->done != c->done || p->keep_alive != c->keep_alive)
    fail_msg("%s: done %d keep_alive %d, want %d %d", d, p->done, p->keep_alive,
             c->done, c->keep_alive);
  if (p->head_done && p->framing != c->framing)
    fail_msg("%s: framing %d, want %d", d, (int)p->framing, (int)c->framing);
}

static void check_outcome(const struct pcase *c, const char *d,
                          const struct rec *r, const struct hr_h1_parser *p,
                          const struct outcome *o) {
  check_code(d, "feed gave", o->rc, c->rc);
  if (c->msg && strcmp(o->msg, c->msg) != 0)
    fail_msg("%s: message '%s', want '%s'", d, o->msg, c->msg);
  if (strcmp(or_empty(r->events.data), or_empty(c->events)) != 0)
    fail_msg("%s: events\n%s\nwant\n%s", d, or_empty(r->events.data),
             or_empty(c->events));
  size_t blen = c->body_len ? c->body_len : strlen(or_empty(c->body));
  if (r->body.len != blen || (blen && memcmp(r->body.data, c->body, blen) != 0))
    fail_msg("%s: body of %zu bytes '%.*s', want %zu", d, r->body.len,
             (int)r->body.len, or_empty(r->body.data), blen);
  if (c->rc != HTTPR_OK)
    return;
  size_t want_consumed = c->consumed ? c->consumed : c->len;
  if (o->consumed != want_consumed)
    fail_msg("%s: consumed %zu, want %zu", d, o->consumed, want_consumed);
  if (c->eof) {
    check_code(d, "eof gave", o->eof_rc, c->eof_rc);
    if (c->eof_msg && strcmp(o->eof_msg, c->eof_msg) != 0)
      fail_msg("%s: eof message '%s', want '%s'", d, o->eof_msg, c->eof_msg);
  }
  check_results(c, d, p);
}

static void check_case_mode(const struct pcase *c, enum mode m, uint32_t seed) {
  struct rec r;
  struct hr_h1_parser p;
  struct outcome o;
  char d[160];
  describe(d, sizeof(d), c, m, seed);
  run_case(c, m, seed, &r, &p, &o);
  check_outcome(c, d, &r, &p, &o);
  hr_h1_parser_free(&p);
  hr_buf_free(&r.events);
  hr_buf_free(&r.body);
}

static void check_case(const struct pcase *c) {
  check_case_mode(c, WHOLE, 0);
  check_case_mode(c, BYTES, 0);
  for (uint32_t seed = 1; seed <= RANDOM_SEEDS; seed++)
    check_case_mode(c, RANDOM, seed * 2654435761u);
}

static void check_cases(const struct pcase *cases, size_t n) {
  for (size_t i = 0; i < n; i++)
    check_case(&cases[i]);
}

#define CHECK_CASES(a) check_cases((a), sizeof(a) / sizeof((a)[0]))

/* ---- framing and bodies -------------------------------------------------- */

/* The tables keep one case per paragraph. */
/* clang-format off */
static const struct pcase length_cases[] = {
    {.name = "content-length body",
     IN("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A:  v w \t\r\n\r\n"
        "hello"),
     .events = "S 11 200 [OK]\nH [Content-Length] [5]\nH [X-A] [v w]\nD\n",
     .body = "hello", .done = 1, .keep_alive = 1,
     .framing = HR_H1_FRAMING_LENGTH, .eof = 1, .eof_rc = HTTPR_OK},
    {.name = "content-length zero",
     IN("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
     .events = "S 11 200 [OK]\nH [Content-Length] [0]\nD\n",
     .done = 1, .keep_alive = 1, .framing = HR_H1_FRAMING_LENGTH},
    {.name = "binary body with NULs and CRLFs",
     IN("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n\0\r\n\0\n\r"),
     .events = "S 11 200 [OK]\nH [Content-Length] [6]\nD\n",
     .body = "\0\r\n\0\n\r", .body_len = 6, .done = 1, .keep_alive = 1,
     .framing = HR_H1_FRAMING_LENGTH},
    {.name = "data after the end of the message",
     IN("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n"),
     .events = "S 11 200 [OK]\nH [Content-Length] [2]\nD\n",
     .body = "ok", .consumed = 40, .done = 1, .keep_alive = 1,
     .framing = HR_H1_FRAMING_LENGTH},
    {.name = "repeated agreeing content-length",
     IN("HTTP/1.1 200 OK\r\nContent-Length: 3\r\ncontent-length: 003\r\n"
        "CONTENT-LENGTH: 3 , 3,3\r\n\r\nabc"),
     .events = "S 11 200 [OK]\nH [Content-Length] [3]\n"
               "H [content-length] [003]\nH [CONTENT-LENGTH] [3 , 3,3]\nD\n",
     .body = "abc", .done = 1, .keep_alive = 1,
     .framing = HR_H1_FRAMING_LENGTH},
    {.name = "largest content-length",
     IN("HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775807\r\n\r\nab"),
     .events = "S 11 200 [OK]\nH [Content-Length] [9223372036854775807]\n"
               "D\n",
     .body = "ab", .done = 0, .keep_alive = 1, .framing = HR_H1_FRAMING_LENGTH,
     .eof = 1, .eof_rc = HTTPR_E_PARTIAL,
     .eof_msg = "transfer closed with 9223372036854775805 bytes remaining "
                "to read"},
    {.name = "short content-length body at eof",
     IN("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhe"),
     .events = "S 11 200 [OK]\nH [Content-Length] [5]\nD\n",
     .body = "he", .done = 0, .keep_alive = 1, .framing = HR_H1_FRAMING_LENGTH,
     .eof = 1, .eof_rc = HTTPR_E_PARTIAL,
     .eof_msg = "transfer closed with 3 bytes remaining to read"},
    {.name = "bare LF line endings",
     IN("HTTP/1.1 200 OK\nContent-Length: 2\nX: y\r\n\nok"),
     .events = "S 11 200 [OK]\nH [Content-Length] [2]\nH [X] [y]\nD\n",
     .body = "ok", .done = 1, .keep_alive = 1, .framing = HR_H1_FRAMING_LENGTH},
};
/* clang-format on */

static void test_content_length(void **state) {
  (void)state;
  CHECK_CASES(length_cases);
}

#define CHUNKED_HEAD "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
#define CHUNKED_EVENTS "S 11 200 [OK]\nH [Transfer-Encoding] [chunked]\nD\n"

/* clang-format off */
static const struct pcase chunked_cases[] = {
    {.name = "chunked with extensions and trailers",
     IN(CHUNKED_HEAD "5;name=value\r\nhello\r\n6 ; ext\r\n world\r\n"
                     "A\t;a=\"q;x\";b\r\n0123456789\r\n0;last\r\n"
                     "Expires: never\r\nX-Trailer: 1\r\n\r\n"),
     .events = CHUNKED_EVENTS, .body = "hello world0123456789", .done = 1,
     .keep_alive = 1, .framing = HR_H1_FRAMING_CHUNKED, .eof = 1,
     .eof_rc = HTTPR_OK},
    {.name = "chunked, hex case and leading zeros",
     IN(CHUNKED_HEAD "000a\r\n0123456789\r\nB\r\nabcdefghijk\r\n"
                     "0000000000000000\r\n\r\n"),
     .events = CHUNKED_EVENTS, .body = "0123456789abcdefghijk", .done = 1,
     .keep_alive = 1, .framing = HR_H1_FRAMING_CHUNKED},
    {.name = "chunked with bare LF",
     IN("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n"),
     .events = CHUNKED_EVENTS, .body = "abc", .done = 1, .keep_alive = 1,
     .framing = HR_H1_FRAMING_CHUNKED},
    {.name = "chunked with data after the end",
     IN(CHUNKED_HEAD "2\r\nok\r\n0\r\n\r\nextra"),
     .events = CHUNKED_EVENTS, .body = "ok", .consumed = 59, .done = 1,
     .keep_alive = 1, .framing = HR_H1_FRAMING_CHUNKED},
    {.name = "chunk data holding CRLF and NUL",
     IN(CHUNKED_HEAD "4\r\n\r\n\0\n\r\n0\r\n\r\n"),
     .events = CHUNKED_EVENTS, .body = "\r\n\0\n", .body_len = 4, .done = 1,
     .keep_alive = 1, .framing = HR_H1_FRAMING_CHUNKED},
    {.name = "final coding chunked in a list",
     IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, CHUNKED\r\n\r\n"
        "1\r\nx\r\n0\r\n\r\n"),
     .events = "S 11 200 [OK]\nH [Transfer-Encoding] [gzip, CHUNKED]\nD\n",
     .body = "x", .done = 1, .keep_alive = 1,
     .framing = HR_H1_FRAMING_CHUNKED},
    {.name = "final coding chunked over two headers",
     IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n"
        "transfer-encoding: Chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n"),
     .events = "S 11 200 [OK]\nH [Transfer-Encoding] [gzip]\n"
               "H [transfer-encoding] [Chunked]\nD\n",
     .body = "x", .done = 1, .keep_alive = 1,
     .framing = HR_H1_FRAMING_CHUNKED},
    {.name = "chunked not final: read until close",
     IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"
        "1\r\nx\r\n0\r\n\r\n"),
     .events = "S 11 200 [OK]\nH [Transfer-Encoding] [chunked, gzip]\nD\n",
     .body = "1\r\nx\r\n0\r\n\r\n", .done = 1, .keep_alive = 0,
     .framing = HR_H1_FRAMING_CLOSE, .eof = 1, .eof_rc = HTTPR_OK},
    {.name = "chunked then gzip over two headers: read until close",
     IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
        "Transfer-Encoding: gzip\r\n\r\nzz"),
     .events = "S 11 200 [OK]\nH [Transfer-Encoding] [chunked]\n"
               "H [Transfer-Encoding] [gzip]\nD\n",
     .body = "zz", .done = 1, .keep_alive = 0,
     .framing = HR_H1_FRAMING_CLOSE, .eof = 1, .eof_rc = HTTPR_OK},
    {.name = "largest chunk size",
     IN(CHUNKED_HEAD "ffffffffffffffff\r\nab"),
     .events = CHUNKED_EVENTS, .body = "ab", .done = 0, .keep_alive = 1,
     .framing = HR_H1_FRAMING_CHUNKED, .eof = 1, .eof_rc = HTTPR_E_PARTIAL,
     .eof_msg = "transfer closed before the last chunk"},
    {.name = "eof inside chunk data",
     IN(CHUNKED_HEAD "5\r\nhel"),
     .events = CHUNKED_EVENTS, .body = "hel", .done = 0, .keep_alive = 1,
     .framing = HR_H1_FRAMING_CHUNKED, .eof = 1, .eof_rc = HTTPR_E_PARTIAL,
     .eof_msg = "transfer closed before the last chunk"},
    {.name = "eof before the CRLF after chunk data",
     IN(CHUNKED_HEAD "5\r\nhello\r"),
     .events = CHUNKED_EVENTS, .body = "hello", .done = 0, .keep_alive = 1,
     .framing = HR_H1_FRAMING_CHUNKED, .eof = 1, .eof_rc = HTTPR_E_PARTIAL,
     .eof_msg = "transfer closed before the last chunk"},
    {.name = "eof in the trailer section",
     IN(CHUNKED_HEAD "0\r\nX: 1\r\n"),
     .events = CHUNKED_EVENTS, .done = 0, .keep_alive = 1,
     .framing = HR_H1_FRAMING_CHUNKED, .eof = 1, .eof_rc = HTTPR_E_PARTIAL,
     .eof_msg = "transfer closed before the last chunk"},
};
/* clang-format on */

static void test_chunked(void **state) {
  (void)state;
  CHECK_CASES(chunked_cases);
}

/* clang-format off */
static const struct pcase close_cases[] = {
    {.name = "close-delimited body",
     IN("HTTP/1.1 200 OK\r\nX: 1\r\n\r\nsome\r\nbytes"),
     .events = "S 11 200 [OK]\nH [X] [1]\nD\n", .body = "some\r\nbytes",
     .done = 1, .keep_alive = 0, .framing = HR_H1_FRAMING_CLOSE, .eof = 1,
     .eof_rc = HTTPR_OK},
    {.name = "close-delimited empty body",
     IN("HTTP/1.1 200 OK\r\n\r\n"),
     .events = "S 11 200 [OK]\nD\n", .done = 1, .keep_alive = 0,
     .framing = HR_H1_FRAMING_CLOSE, .eof = 1, .eof_rc = HTTPR_OK},
    {.name = "close-delimited before eof is not done",
     IN("HTTP/1.1 200 OK\r\n\r\nabc"),
     .events = "S 11 200 [OK]\nD\n", .body = "abc", .done = 0,
     .keep_alive = 0, .framing = HR_H1_FRAMING_CLOSE},
    {.name = "close-delimited HTTP/1.0 keep-alive is not kept",
     IN("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\nabc"),
     .events = "S 10 200 [OK]\nH [Connection] [keep-alive]\nD\n",
     .body = "abc", .done = 1, .keep_alive = 0,
     .framing = HR_H1_FRAMING_CLOSE, .eof = 1, .eof_rc = HTTPR_OK},
};
/* clang-format on */

static void test_close_delimited(void **state) {
  (void)state;
  CHECK_CASES(close_cases);
}

/* ---- status codes and methods without a body ----------------------------- */

/* clang-format off */
static const struct pcase no_body_cases[] = {
    {.name = "100-continue then 200",
     IN("HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\n"
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
     .events = "S 11 200 [OK]\nH [Content-Length] [2]\nD\n", .body = "ok",
     .done = 1, .keep_alive = 1, .framing = HR_H1_FRAMING_LENGTH},
    {.name = "several 1xx, their framing headers ignored",
     IN("HTTP/1.1 100 Continue\r\n\r\n"
        "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n"
        "Content-Length: 99\r\nConnection: close\r\n\r\n"
        "HTTP/1.1 102\r\n\r\n"
        "HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\nx"),
     .events = "S 11 404 [Not Found]\nH [Content-Length] [1]\nD\n",
     .body = "x", .done = 1, .keep_alive = 1,
     .framing = HR_H1_FRAMING_LENGTH},
    {.name = "HEAD with content-length",
     IN("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"), .no_body = 1,
     .events = "S 11 200 [OK]\nH [Content-Length] [1000]\nD\n", .done = 1,
     .keep_alive = 1, .framing = HR_H1_FRAMING_NONE, .eof = 1,
     .eof_rc = HTTPR_OK},
    {.name = "HEAD with chunked and data after",
     IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
     .no_body = 1, .events = CHUNKED_EVENTS, .consumed = 47, .done = 1,
     .keep_alive = 1, .framing = HR_H1_FRAMING_NONE},
    {.name = "HEAD without framing keeps the connection",
     IN("HTTP/1.1 200 OK\r\n\r\n"), .no_body = 1,
     .events = "S 11 200 [OK]\nD\n", .done = 1, .keep_alive = 1,
     .framing = HR_H1_FRAMING_NONE},
    {.name = "204 with content-length",
     IN("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n0123456789"),
     .events = "S 11 204 [No Content]\nH [Content-Length] [10]\nD\n",
     .consumed = 47, .done = 1, .keep_alive = 1,
     .framing = HR_H1_FRAMING_NONE},
    {.name = "304 with content-length",
     IN("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n"),
     .events = "S 11 304 [Not Modified]\nH [Content-Length] [10]\nD\n",
     .done = 1, .keep_alive = 1, .framing = HR_H1_FRAMING_NONE},
    {.name = "304 without framing is not close-delimited",
     IN("HTTP/1.1 304 Not Modified\r\n\r\n"),
     .events = "S 11 304 [Not Modified]\nD\n", .done = 1, .keep_alive = 1,
     .framing = HR_H1_FRAMING_NONE},
    {.name = "status line without reason",
     IN("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n"),
     .events = "S 11 200 []\nH [Content-Length] [0]\nD\n", .done = 1,
     .keep_alive = 1, .framing = HR_H1_FRAMING_LENGTH},
    {.name = "status line with empty reason",
     IN("HTTP/1.1 599 \r\nContent-Length: 0\r\n\r\n"),
     .events = "S 11 599 []\nH [Content-Length] [0]\nD\n", .done = 1,
     .keep_alive = 1, .framing = HR_H1_FRAMING_LENGTH},
    {.name = "reason with spaces, tab and obs-text",
     IN("HTTP/1.1 451 Not \tHere \xc3\xa9 \r\nContent-Length: 0\r\n\r\n"),
     .events = "S 11 451 [Not \tHere \xc3\xa9 ]\nH [Content-Length] [0]\nD\n",
     .done = 1, .keep_alive = 1, .framing = HR_H1_FRAMING_LENGTH},
    {.name = "empty header value and odd token names",
     IN("HTTP/1.1 200 OK\r\nX-E:\r\nX-F: \t \r\n!#$%&'*+-.^_`|~:v\r\n"
        "Content-Length: 0\r\n\r\n"),
     .events = "S 11 200 [OK]\nH [X-E] []\nH [X-F] []\n"
               "H [!#$%&'*+-.^_`|~] [v]\nH [Content-Length] [0]\nD\n",
     .done = 1, .keep_alive = 1, .framing = HR_H1_FRAMING_LENGTH},
};
/* clang-format on */

static void test_no_body_and_status(void **state) {
  (void)state;
  CHECK_CASES(no_body_cases);
}

/* ---- connection reuse ---------------------------------------------------- */

#define CL0 "Content-Length: 0\r\n"
#define CL0_EVENT "H [Content-Length] [0]\n"

/* clang-format off */
static const struct pcase keep_alive_cases[] = {
    {.name = "HTTP/1.0 closes by default",
     IN("HTTP/1.0 200 OK\r\n" CL0 "\r\n"),
     .events = "S 10 200 [OK]\n" CL0_EVENT "D\n", .done = 1,
     .keep_alive = 0, .framing = HR_H1_FRAMING_LENGTH},
    {.name = "HTTP/1.0 with keep-alive",
     IN("HTTP/1.0 200 OK\r\n" CL0 "Connection: Keep-Alive\r\n\r\n"),
     .events = "S 10 200 [OK]\n" CL0_EVENT "H [Connection] [Keep-Alive]\nD\n",
     .done = 1, .keep_alive = 1, .framing = HR_H1_FRAMING_LENGTH},
    {.name = "HTTP/1.0 with keep-alive and close",
     IN("HTTP/1.0 200 OK\r\n" CL0 "Connection: keep-alive, close\r\n\r\n"),
     .events = "S 10 200 [OK]\n" CL0_EVENT
               "H [Connection] [keep-alive, close]\nD\n",
     .done = 1, .keep_alive = 0, .framing = HR_H1_FRAMING_LENGTH},
    {.name = "HTTP/1.0 keep-alive with chunked is not kept",
     IN("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n"
        "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
     .events = "S 10 200 [OK]\nH [Connection] [keep-alive]\n"
               "H [Transfer-Encoding] [chunked]\nD\n",
     .done = 1, .keep_alive = 0, .framing = HR_H1_FRAMING_CHUNKED},
    {.name = "HTTP/1.1 Connection: close",
     IN("HTTP/1.1 200 OK\r\n" CL0 "Connection: close\r\n\r\n"),
     .events = "S 11 200 [OK]\n" CL0_EVENT "H [Connection] [close]\nD\n",
     .done = 1, .keep_alive = 0, .framing = HR_H1_FRAMING_LENGTH},
    {.name = "HTTP/1.1 close in a list, any case, second header",
     IN("HTTP/1.1 200 OK\r\n" CL0 "Connection: keep-alive\r\n"
        "connection: Upgrade ,  CLOSE \r\n\r\n"),
     .events = "S 11 200 [OK]\n" CL0_EVENT "H [Connection] [keep-alive]\n"
               "H [connection] [Upgrade ,  CLOSE]\nD\n",
     .done = 1, .keep_alive = 0, .framing = HR_H1_FRAMING_LENGTH},
    {.name = "HTTP/1.1 'closed' is not 'close'",
     IN("HTTP/1.1 200 OK\r\n" CL0 "Connection: closed, xclose\r\n\r\n"),
     .events = "S 11 200 [OK]\n" CL0_EVENT
               "H [Connection] [closed, xclose]\nD\n",
     .done = 1, .keep_alive = 1, .framing = HR_H1_FRAMING_LENGTH},
    {.name = "HTTP/1.1 chunked keeps the connection",
     IN(CHUNKED_HEAD "0\r\n\r\n"),
     .events = CHUNKED_EVENTS, .done = 1, .keep_alive = 1,
     .framing = HR_H1_FRAMING_CHUNKED},
    {.name = "HTTP/1.1 Connection: close on a 204",
     IN("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"),
     .events = "S 11 204 [No Content]\nH [Connection] [close]\nD\n",
     .done = 1, .keep_alive = 0, .framing = HR_H1_FRAMING_NONE},
};
/* clang-format on */

static void test_keep_alive(void **state) {
  (void)state;
  CHECK_CASES(keep_alive_cases);
}

/* ---- malformed responses ------------------------------------------------- */

#define BAD_STATUS(n, s)                                                       \
  {                                                                            \
    .name = n, IN(s "\r\nContent-Length: 0\r\n\r\n"), .rc = HTTPR_E_PROTOCOL,  \
    .msg = "malformed status line"                                             \
  }

/* clang-format off */
static const struct pcase status_errors[] = {
    BAD_STATUS("HTTP/1.2", "HTTP/1.2 200 OK"),
    BAD_STATUS("HTTP/2", "HTTP/2 200 OK"),
    BAD_STATUS("HTTP/2.0", "HTTP/2.0 200 OK"),
    BAD_STATUS("lower case", "http/1.1 200 OK"),
    BAD_STATUS("two digits", "HTTP/1.1 20 OK"),
    BAD_STATUS("two digits only", "HTTP/1.1 20"),
    BAD_STATUS("four digits", "HTTP/1.1 2000 OK"),
    BAD_STATUS("two spaces", "HTTP/1.1  200 OK"),
    BAD_STATUS("tab separator", "HTTP/1.1\t200 OK"),
    BAD_STATUS("no space before reason", "HTTP/1.1 200OK"),
    BAD_STATUS("status 099", "HTTP/1.1 099 Low"),
    BAD_STATUS("status 600", "HTTP/1.1 600 High"),
    BAD_STATUS("letters", "HTTP/1.1 abc OK"),
    BAD_STATUS("ICY", "ICY 200 OK"),
    BAD_STATUS("leading space", " HTTP/1.1 200 OK"),
    BAD_STATUS("control in reason", "HTTP/1.1 200 O\x01K"),
    BAD_STATUS("bare CR in reason", "HTTP/1.1 200 O\rK"),
    BAD_STATUS("NUL in reason", "HTTP/1.1 200 O\0K"),
    BAD_STATUS("empty line", ""),
    BAD_STATUS("bad status after 1xx", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1"),
    {.name = "101 switching protocols",
     IN("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n"),
     .rc = HTTPR_E_PROTOCOL, .msg = "unexpected 101 Switching Protocols"},
};
/* clang-format on */

static void test_status_errors(void **state) {
  (void)state;
  CHECK_CASES(status_errors);
}

#define OK_EVENT "S 11 200 [OK]\n"

#define BAD_HEADER(n, line, m)                                                 \
  {                                                                            \
    .name = n, IN("HTTP/1.1 200 OK\r\n" line "\r\n\r\n"),                      \
    .rc = HTTPR_E_PROTOCOL, .msg = m, .events = OK_EVENT                       \
  }

/* clang-format off */
static const struct pcase header_errors[] = {
    BAD_HEADER("no colon", "NoColon", "malformed header line"),
    BAD_HEADER("space in name", "Bad Name: x", "malformed header line"),
    BAD_HEADER("space before colon", "Name : x", "malformed header line"),
    BAD_HEADER("tab before colon", "Name\t: x", "malformed header line"),
    BAD_HEADER("empty name", ": x", "malformed header line"),
    BAD_HEADER("control in name", "X\x01: y", "malformed header line"),
    BAD_HEADER("non-ASCII name", "X\xc3\xa9: y", "malformed header line"),
    BAD_HEADER("NUL in value", "X: a\0b", "malformed header line"),
    BAD_HEADER("bare CR in value", "X: a\rb", "malformed header line"),
    BAD_HEADER("control in value", "X: a\x1b[1m", "malformed header line"),
    BAD_HEADER("DEL in value", "X: a\x7f", "malformed header line"),
    BAD_HEADER("CR CR LF", "X: a\r", "malformed header line"),
    BAD_HEADER("obs-fold first", " folded: x",
               "obsolete line folding in a header is not supported"),
    {.name = "obs-fold continuation",
     IN("HTTP/1.1 200 OK\r\nX: a\r\n\tb\r\n\r\n"), .rc = HTTPR_E_PROTOCOL,
     .msg = "obsolete line folding in a header is not supported",
     .events = OK_EVENT "H [X] [a]\n"},
    {.name = "malformed header in a 1xx",
     IN("HTTP/1.1 100 Continue\r\nBad Header\r\n\r\n"
        "HTTP/1.1 200 OK\r\n\r\n"),
     .rc = HTTPR_E_PROTOCOL, .msg = "malformed header line"},
};
/* clang-format on */

static void test_header_errors(void **state) {
  (void)state;
  CHECK_CASES(header_errors);
}

#define BAD_CL(n, v)                                                           \
  {                                                                            \
    .name = n, IN("HTTP/1.1 200 OK\r\nContent-Length: " v "\r\n\r\n"),         \
    .rc = HTTPR_E_PROTOCOL, .msg = "malformed Content-Length",                 \
    .events = OK_EVENT                                                         \
  }

/* clang-format off */
static const struct pcase framing_errors[] = {
    BAD_CL("letters", "abc"),
    BAD_CL("empty", ""),
    BAD_CL("negative", "-1"),
    BAD_CL("plus sign", "+5"),
    BAD_CL("two numbers", "5 5"),
    BAD_CL("hex", "0x10"),
    BAD_CL("fraction", "1.5"),
    BAD_CL("empty list element", "3,"),
    BAD_CL("empty list elements", ", ,"),
    BAD_CL("2^63", "9223372036854775808"),
    BAD_CL("2^64", "18446744073709551616"),
    BAD_CL("very long", "99999999999999999999999999999999999999"),
    {.name = "conflicting content-length in a list",
     IN("HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\nabcd"),
     .rc = HTTPR_E_PROTOCOL, .msg = "conflicting Content-Length",
     .events = OK_EVENT},
    {.name = "conflicting content-length headers",
     IN("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n"),
     .rc = HTTPR_E_PROTOCOL, .msg = "conflicting Content-Length",
     .events = OK_EVENT "H [Content-Length] [3]\n"},
    {.name = "content-length then transfer-encoding",
     IN("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"),
     .rc = HTTPR_E_PROTOCOL,
     .msg = "Content-Length together with Transfer-Encoding",
     .events = OK_EVENT "H [Content-Length] [3]\n"},
    {.name = "transfer-encoding then content-length",
     IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n"
        "Content-Length: 3\r\n\r\n"),
     .rc = HTTPR_E_PROTOCOL,
     .msg = "Content-Length together with Transfer-Encoding",
     .events = OK_EVENT "H [Transfer-Encoding] [gzip]\n"},
    {.name = "content-length and transfer-encoding on HEAD",
     IN("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
        "Content-Length: 3\r\n\r\n"),
     .no_body = 1, .rc = HTTPR_E_PROTOCOL,
     .msg = "Content-Length together with Transfer-Encoding",
     .events = OK_EVENT "H [Transfer-Encoding] [chunked]\n"},
};
/* clang-format on */

static void test_framing_errors(void **state) {
  (void)state;
  CHECK_CASES(framing_errors);
}

#define BAD_CHUNK(n, size)                                                     \
  {                                                                            \
    .name = n, IN(CHUNKED_HEAD size "\r\nabcdef\r\n0\r\n\r\n"),                \
    .rc = HTTPR_E_PROTOCOL, .msg = "bad chunk size", .events = CHUNKED_EVENTS  \
  }

/* clang-format off */
static const struct pcase chunk_errors[] = {
    BAD_CHUNK("not hex", "g"),
    BAD_CHUNK("empty", ""),
    BAD_CHUNK("leading space", " 5"),
    BAD_CHUNK("trailing space without extension", "5 "),
    BAD_CHUNK("negative", "-1"),
    BAD_CHUNK("0x prefix", "0x5"),
    BAD_CHUNK("plus sign", "+5"),
    BAD_CHUNK("17 hex digits", "10000000000000000"),
    BAD_CHUNK("17 digits with leading zero", "00000000000000001"),
    BAD_CHUNK("junk after size", "5x"),
    BAD_CHUNK("semicolon only after junk", "5 x;a"),
    BAD_CHUNK("control in extension", "5;a\x01"),
    BAD_CHUNK("bare CR", "5\r"),
    {.name = "no CRLF after chunk data",
     IN(CHUNKED_HEAD "5\r\nhelloX\r\n0\r\n\r\n"), .rc = HTTPR_E_PROTOCOL,
     .msg = "malformed chunk", .events = CHUNKED_EVENTS, .body = "hello"},
    {.name = "CR then junk after chunk data",
     IN(CHUNKED_HEAD "5\r\nhello\rX\n0\r\n\r\n"), .rc = HTTPR_E_PROTOCOL,
     .msg = "malformed chunk", .events = CHUNKED_EVENTS, .body = "hello"},
    {.name = "CR CR LF after chunk data",
     IN(CHUNKED_HEAD "5\r\nhello\r\r\n0\r\n\r\n"), .rc = HTTPR_E_PROTOCOL,
     .msg = "malformed chunk", .events = CHUNKED_EVENTS, .body = "hello"},
    {.name = "chunk longer than its size",
     IN(CHUNKED_HEAD "3\r\nhello\r\n0\r\n\r\n"), .rc = HTTPR_E_PROTOCOL,
     .msg = "malformed chunk", .events = CHUNKED_EVENTS, .body = "hel"},
    {.name = "malformed trailer",
     IN(CHUNKED_HEAD "1\r\nx\r\n0\r\nBad Trailer\r\n\r\n"),
     .rc = HTTPR_E_PROTOCOL, .msg = "malformed header line",
     .events = CHUNKED_EVENTS, .body = "x"},
    {.name = "folded trailer",
     IN(CHUNKED_HEAD "1\r\nx\r\n0\r\nA: 1\r\n b\r\n\r\n"),
     .rc = HTTPR_E_PROTOCOL,
     .msg = "obsolete line folding in a header is not supported",
     .events = CHUNKED_EVENTS, .body = "x"},
};
/* clang-format on */

static void test_chunk_errors(void **state) {
  (void)state;
  CHECK_CASES(chunk_errors);
}

/* ---- eof ----------------------------------------------------------------- */

/* clang-format off */
static const struct pcase eof_cases[] = {
    {.name = "eof before any byte", .in = "", .len = 0, .eof = 1,
     .eof_rc = HTTPR_E_RECV,
     .eof_msg = "connection closed before the response was complete"},
    {.name = "eof in the status line", IN("HTTP/1.1 20"), .eof = 1,
     .eof_rc = HTTPR_E_RECV,
     .eof_msg = "connection closed before the response was complete"},
    {.name = "eof in the headers", IN("HTTP/1.1 200 OK\r\nX: 1\r\n"),
     .events = OK_EVENT "H [X] [1]\n", .eof = 1, .eof_rc = HTTPR_E_RECV,
     .eof_msg = "connection closed before the response was complete"},
    {.name = "eof after a 1xx", IN("HTTP/1.1 100 Continue\r\n\r\n"),
     .eof = 1, .eof_rc = HTTPR_E_RECV,
     .eof_msg = "connection closed before the response was complete"},
    {.name = "eof after the message",
     IN("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"),
     .events = OK_EVENT "H [Content-Length] [1]\nD\n", .body = "x",
     .done = 1, .keep_alive = 1, .framing = HR_H1_FRAMING_LENGTH, .eof = 1,
     .eof_rc = HTTPR_OK},
};
/* clang-format on */

static void test_eof(void **state) {
  (void)state;
  CHECK_CASES(eof_cases);
}

/* ---- callbacks stopping the parse ---------------------------------------- */

#define STOP_INPUT                                                             \
  "HTTP/1.1 200 OK\r\nX-A: 1\r\nX-Stop: 2\r\nX-B: 3\r\n"                       \
  "Content-Length: 4\r\n\r\nbody"

/* clang-format off */
static const struct pcase stop_cases[] = {
    {.name = "on_status stops", IN(STOP_INPUT), .stop = "status",
     .rc = HTTPR_E_WRITE, .msg = "stopped by the test"},
    {.name = "on_header stops", IN(STOP_INPUT), .stop = "X-Stop",
     .rc = HTTPR_E_WRITE, .msg = "stopped by the test",
     .events = OK_EVENT "H [X-A] [1]\n"},
    {.name = "on_head_done stops", IN(STOP_INPUT), .stop = "head",
     .rc = HTTPR_E_WRITE, .msg = "stopped by the test",
     .events = OK_EVENT "H [X-A] [1]\nH [X-Stop] [2]\nH [X-B] [3]\n"
                        "H [Content-Length] [4]\n"},
    {.name = "on_body stops", IN(STOP_INPUT), .stop = "body",
     .rc = HTTPR_E_WRITE, .msg = "stopped by the test",
     .events = OK_EVENT "H [X-A] [1]\nH [X-Stop] [2]\nH [X-B] [3]\n"
                        "H [Content-Length] [4]\nD\n"},
    {.name = "on_body stops a chunked body",
     IN(CHUNKED_HEAD "4\r\nbody\r\n0\r\n\r\n"), .stop = "body",
     .rc = HTTPR_E_WRITE, .msg = "stopped by the test",
     .events = CHUNKED_EVENTS},
};
/* clang-format on */

static void test_callback_stops(void **state) {
  (void)state;
  CHECK_CASES(stop_cases);
}

/* ---- size limits --------------------------------------------------------- */

#define LIMIT_HEAD "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" /* 38 */
#define LIMIT_EVENTS OK_EVENT "H [Content-Length] [0]\nD\n"
#define TOO_LARGE_38 "response headers exceed the limit of 38 bytes"

/* clang-format off */
static const struct pcase limit_cases[] = {
    {.name = "head exactly at the limit", IN(LIMIT_HEAD), .limit = 38,
     .events = LIMIT_EVENTS, .done = 1, .keep_alive = 1,
     .framing = HR_H1_FRAMING_LENGTH},
    {.name = "head one byte over the limit", IN(LIMIT_HEAD), .limit = 37,
     .rc = HTTPR_E_TOO_LARGE,
     .msg = "response headers exceed the limit of 37 bytes",
     .events = OK_EVENT "H [Content-Length] [0]\n"},
    {.name = "bare LF head at the limit",
     IN("HTTP/1.1 200 OK\nContent-Length: 0\n\n"), .limit = 35,
     .events = LIMIT_EVENTS, .done = 1, .keep_alive = 1,
     .framing = HR_H1_FRAMING_LENGTH},
    {.name = "body bytes do not count",
     IN("HTTP/1.1 200 OK\r\nContent-Length: 60\r\n\r\n"
        "0123456789012345678901234567890123456789012345678901234567890"),
     .limit = 39, .events = OK_EVENT "H [Content-Length] [60]\nD\n",
     .body = "012345678901234567890123456789012345678901234567890123456789",
     .consumed = 99, .done = 1, .keep_alive = 1,
     .framing = HR_H1_FRAMING_LENGTH},
    /* 1xx heads and the final head count together: 38 + 38 bytes. */
    {.name = "1xx heads count with the final head, at the limit",
     IN("HTTP/1.1 100 Continue\r\nX-Pad: 0123\r\n\r\n" LIMIT_HEAD),
     .limit = 76, .events = LIMIT_EVENTS, .done = 1, .keep_alive = 1,
     .framing = HR_H1_FRAMING_LENGTH},
    {.name = "1xx heads count with the final head, one byte over",
     IN("HTTP/1.1 100 Continue\r\nX-Pad: 0123\r\n\r\n" LIMIT_HEAD),
     .limit = 75, .rc = HTTPR_E_TOO_LARGE,
     .msg = "response headers exceed the limit of 75 bytes",
     .events = OK_EVENT "H [Content-Length] [0]\n"},
    {.name = "a 1xx head over the limit",
     IN("HTTP/1.1 100 Continue\r\nX-Pad: 01234\r\n\r\n" LIMIT_HEAD),
     .limit = 38, .rc = HTTPR_E_TOO_LARGE, .msg = TOO_LARGE_38},
    {.name = "endless 1xx heads end at the limit",
     IN("HTTP/1.1 103 Early Hints\r\n\r\nHTTP/1.1 103 Early Hints\r\n\r\n"
        "HTTP/1.1 103 Early Hints\r\n\r\nHTTP/1.1 103 Early Hints\r\n\r\n"),
     .limit = 100, .rc = HTTPR_E_TOO_LARGE,
     .msg = "response headers exceed the limit of 100 bytes"},
    {.name = "a long line never ends",
     IN("HTTP/1.1 200 OK\r\nX-Long: "
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
     .limit = 38, .rc = HTTPR_E_TOO_LARGE, .msg = TOO_LARGE_38,
     .events = OK_EVENT},
    {.name = "trailers at the limit",
     IN(CHUNKED_HEAD "1\r\nx\r\n0\r\n"
                     "X-T: 01234567890123456789012345678901234567\r\n\r\n"),
     .limit = 47,
     .events = CHUNKED_EVENTS, .body = "x", .done = 1, .keep_alive = 1,
     .framing = HR_H1_FRAMING_CHUNKED},
    {.name = "trailers over the limit",
     IN(CHUNKED_HEAD "1\r\nx\r\n0\r\n"
                     "X-T: 012345678901234567890123456789012345678\r\n\r\n"),
     .limit = 47, .rc = HTTPR_E_TOO_LARGE,
     .msg = "response trailers exceed the limit of 47 bytes",
     .events = CHUNKED_EVENTS, .body = "x"},
    {.name = "chunk size line over the limit",
     IN(CHUNKED_HEAD "1;ext=0123456789012345678901234567890123456789012"
                     "\r\nx\r\n0\r\n\r\n"),
     .limit = 47, .rc = HTTPR_E_TOO_LARGE,
     .msg = "chunk size line exceeds the limit of 47 bytes",
     .events = CHUNKED_EVENTS},
};
/* clang-format on */

static void test_limits(void **state) {
  (void)state;
  CHECK_CASES(limit_cases);
}

/* A megabyte of header with no line end: refused once past the limit,
 * with at most the limit held, whatever the split. */
static void test_limit_huge_line(void **state) {
  (void)state;
  size_t len = 1 << 20;
  char *in = malloc(len);
  assert_non_null(in);
  memcpy(in, "HTTP/1.1 200 OK\r\nX: ", 20);
  memset(in + 20, 'a', len - 20);
  struct pcase c = {.name = "huge line",
                    .in = in,
                    .len = len,
                    .limit = 1000,
                    .rc = HTTPR_E_TOO_LARGE,
                    .msg = "response headers exceed the limit of 1000 bytes",
                    .events = OK_EVENT};
  check_case_mode(&c, WHOLE, 0);
  check_case_mode(&c, RANDOM, 7);
  c.len = 2000; /* byte by byte over a megabyte would only be slow */
  check_case_mode(&c, BYTES, 0);
  free(in);
}

/* ---- use of the API ------------------------------------------------------ */

static void test_feed_after_done_and_error(void **state) {
  (void)state;
  struct hr_h1_parser p;
  httpr_error err = {0};
  size_t used = 99;
  const char *msg = "HTTP/1.1 204 No Content\r\n\r\n";
  hr_h1_parser_init(&p, 100, 0);
  assert_int_equal(
      hr_h1_parser_feed(&p, msg, strlen(msg), &used, NULL, NULL, &err),
      HTTPR_OK);
  assert_int_equal(used, strlen(msg));
  assert_int_equal(p.done, 1);
  assert_int_equal(p.status, 204);
  assert_int_equal(p.version, 11);
  assert_int_equal(p.head_done, 1);
  /* A complete message takes no more bytes. */
  assert_int_equal(hr_h1_parser_feed(&p, "x", 1, &used, NULL, NULL, &err),
                   HTTPR_OK);
  assert_int_equal(used, 0);
  assert_int_equal(hr_h1_parser_eof(&p, &err), HTTPR_OK);
  hr_h1_parser_free(&p);

  hr_h1_parser_init(&p, 100, 0);
  assert_int_equal(
      hr_h1_parser_feed(&p, "junk\r\n", 6, &used, NULL, NULL, &err),
      HTTPR_E_PROTOCOL);
  assert_int_equal(
      hr_h1_parser_feed(&p, "HTTP/1.1 200 OK\r\n", 17, &used, NULL, NULL, &err),
      HTTPR_E_INVALID);
  assert_int_equal(used, 0);
  assert_int_equal(hr_h1_parser_eof(&p, &err), HTTPR_E_INVALID);
  assert_int_equal(p.done, 0);
  assert_int_equal(p.keep_alive, 0);
  hr_h1_parser_free(&p);
  hr_h1_parser_free(NULL);
}

static void test_results_and_empty_feed(void **state) {
  (void)state;
  struct hr_h1_parser p;
  httpr_error err = {0};
  size_t used = 99;
  const char *msg = "HTTP/1.0 200 OK\r\nContent-Length: 123\r\n\r\n";
  hr_h1_parser_init(&p, 100, 1);
  assert_int_equal(hr_h1_parser_feed(&p, msg, 0, &used, NULL, NULL, &err),
                   HTTPR_OK);
  assert_int_equal(used, 0);
  assert_int_equal(p.head_done, 0);
  /* err and consumed may be NULL. */
  assert_int_equal(
      hr_h1_parser_feed(&p, msg, strlen(msg), NULL, NULL, NULL, NULL),
      HTTPR_OK);
  assert_int_equal(p.version, 10);
  assert_int_equal(p.status, 200);
  assert_int_equal(p.framing, HR_H1_FRAMING_NONE);
  assert_int_equal(p.content_length, 123);
  assert_int_equal(p.keep_alive, 0);
  assert_int_equal(p.done, 1);
  hr_h1_parser_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_content_length),
      cmocka_unit_test(test_chunked),
      cmocka_unit_test(test_close_delimited),
      cmocka_unit_test(test_no_body_and_status),
      cmocka_unit_test(test_keep_alive),
      cmocka_unit_test(test_status_errors),
      cmocka_unit_test(test_header_errors),
      cmocka_unit_test(test_framing_errors),
      cmocka_unit_test(test_chunk_errors),
      cmocka_unit_test(test_eof),
      cmocka_unit_test(test_callback_stops),
      cmocka_unit_test(test_limits),
      cmocka_unit_test(test_limit_huge_line),
      cmocka_unit_test(test_feed_after_done_and_error),
      cmocka_unit_test(test_results_and_empty_feed),
  };
  return cmocka_run_group_tests_name("h1_parser", tests, NULL, NULL);
}
