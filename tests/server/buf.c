/* SPDX-License-Identifier: MIT */
/* buf.c: a growable byte buffer for building responses. An allocation
 * failure sets `failed` and turns later appends into no-ops, so callers
 * check once before sending. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

static int reserve(struct ts_buf *b, size_t extra) {
  size_t cap;
  char *p;

  if (b->failed)
    return -1;
  if (b->len + extra < b->cap)
    return 0; /* keeps one byte spare for vsnprintf's NUL */
  cap = b->cap ? b->cap : 256;
  while (cap <= b->len + extra)
    cap *= 2;
  p = realloc(b->p, cap);
  if (!p) {
    b->failed = 1;
    return -1;
  }
  b->p = p;
  b->cap = cap;
  return 0;
}

void ts_buf_add(struct ts_buf *b, const void *data, size_t n) {
  if (n == 0)
    return; /* data may be NULL then, and memcpy must not see it */
  if (reserve(b, n) < 0)
    return;
  memcpy(b->p + b->len, data, n);
  b->len += n;
}

void ts_buf_adds(struct ts_buf *b, const char *s) {
  ts_buf_add(b, s, strlen(s));
}

void ts_buf_addf(struct ts_buf *b, const char *fmt, ...) {
  va_list ap;
  int n;

  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || reserve(b, (size_t)n) < 0) {
    b->failed = 1;
    return;
  }
  va_start(ap, fmt);
  vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void ts_buf_free(struct ts_buf *b) {
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
  b->failed = 0;
}
