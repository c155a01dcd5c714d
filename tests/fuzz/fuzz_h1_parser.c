/* SPDX-License-Identifier: MIT */
/*
 * fuzz_h1_parser.c - libFuzzer target for protocol/h1_parser.c. The first
 * bytes choose the parser's settings and how the rest is split; the rest
 * is fed once whole and once in those pieces, and both runs must agree
 * (same code, callbacks, body, byte count), which is the parser's promise
 * that TCP segmentation never changes a result.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/h1_parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SETTINGS_BYTES 1
#define SPLIT_BYTES 8

/* What one run saw, reduced to hashes so runs can be compared. */
struct seen {
  uint64_t events;
  uint64_t body;
  uint64_t body_len;
};

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++)
    h = (h ^ b[i]) * 0x100000001b3ULL;
  return h;
}

static httpr_code on_status(void *ud, int version, int status,
                            const char *reason, size_t reason_len,
                            httpr_error *err) {
  struct seen *s = ud;
  (void)err;
  if (status < 200 || status > 599 || (version != 10 && version != 11))
    abort();
  int v[2] = {version, status};
  s->events = fnv(s->events, v, sizeof(v));
  s->events = fnv(s->events, reason, reason_len);
  return HTTPR_OK;
}

static httpr_code on_header(void *ud, const char *name, size_t name_len,
                            const char *value, size_t value_len,
                            httpr_error *err) {
  struct seen *s = ud;
  (void)err;
  if (name_len == 0)
    abort();
  s->events = fnv(s->events, name, name_len);
  s->events = fnv(s->events, ":", 1);
  s->events = fnv(s->events, value, value_len);
  s->events = fnv(s->events, "\n", 1);
  return HTTPR_OK;
}

static httpr_code on_head_done(void *ud, httpr_error *err) {
  struct seen *s = ud;
  (void)err;
  s->events = fnv(s->events, "D", 1);
  return HTTPR_OK;
}

static httpr_code on_body(void *ud, const char *data, size_t len,
                          httpr_error *err) {
  struct seen *s = ud;
  (void)err;
  if (len == 0)
    abort();
  s->body = fnv(s->body, data, len);
  s->body_len += len;
  return HTTPR_OK;
}

static const struct hr_h1_callbacks callbacks = {on_status, on_header,
                                                 on_head_done, on_body};

struct run {
  httpr_code rc;
  httpr_code eof_rc;
  size_t consumed;
  int done, keep_alive;
  struct seen seen;
};

static void run_parser(const char *in, size_t len, size_t limit, int no_body,
                       const uint8_t *split, struct run *r) {
  struct hr_h1_parser p;
  httpr_error err;
  size_t pos = 0, k = 0;
  memset(r, 0, sizeof(*r));
  hr_h1_parser_init(&p, limit, no_body);
  while (pos < len) {
    size_t n = split ? (size_t)split[k++ % SPLIT_BYTES] + 1 : len - pos;
    if (n > len - pos)
      n = len - pos;
    size_t used = 0;
    r->rc =
        hr_h1_parser_feed(&p, in + pos, n, &used, &callbacks, &r->seen, &err);
    if (used > n || p.line.len > limit || p.head_bytes > limit)
      abort();
    pos += used;
    if (r->rc != HTTPR_OK || used < n)
      break;
    if (p.done && pos < len) {
      /* A complete message takes nothing more. */
      if (hr_h1_parser_feed(&p, in + pos, 1, &used, &callbacks, &r->seen,
                            &err) != HTTPR_OK ||
          used != 0)
        abort();
      break;
    }
  }
  r->consumed = pos;
  if (r->rc == HTTPR_OK)
    r->eof_rc = hr_h1_parser_eof(&p, &err);
  r->done = p.done;
  r->keep_alive = p.keep_alive;
  if (r->keep_alive && p.framing == HR_H1_FRAMING_CLOSE)
    abort();
  hr_h1_parser_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < SETTINGS_BYTES + SPLIT_BYTES)
    return 0;
  int no_body = data[0] & 1;
  size_t limit = (size_t)32 << ((data[0] >> 1) & 7); /* 32 .. 4096 */
  const uint8_t *split = data + SETTINGS_BYTES;
  const char *in = (const char *)data + SETTINGS_BYTES + SPLIT_BYTES;
  size_t len = size - SETTINGS_BYTES - SPLIT_BYTES;
  struct run whole, pieces;
  run_parser(in, len, limit, no_body, NULL, &whole);
  run_parser(in, len, limit, no_body, split, &pieces);
  if (whole.rc != pieces.rc || whole.seen.events != pieces.seen.events ||
      whole.seen.body != pieces.seen.body ||
      whole.seen.body_len != pieces.seen.body_len)
    abort();
  if (whole.rc == HTTPR_OK &&
      (whole.consumed != pieces.consumed || whole.eof_rc != pieces.eof_rc ||
       whole.done != pieces.done || whole.keep_alive != pieces.keep_alive))
    abort();
  return 0;
}
