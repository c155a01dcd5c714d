/* SPDX-License-Identifier: MIT */
/* buf.c - the growable byte buffer (see buf.h). */
#include "common/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hr_buf_reserve(struct hr_buf *b, size_t extra) {
  if (extra >= (size_t)-1 - b->len - 1)
    return -1;
  size_t need = b->len + extra + 1; /* room for the NUL */
  if (need <= b->cap)
    return 0;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < need)
    cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
  char *p = realloc(b->data, cap);
  if (!p)
    return -1;
  b->data = p;
  b->cap = cap;
  return 0;
}

int hr_buf_append(struct hr_buf *b, const void *data, size_t len) {
  if (hr_buf_reserve(b, len) != 0)
    return -1;
  if (len)
    memcpy(b->data + b->len, data, len);
  b->len += len;
  b->data[b->len] = '\0';
  return 0;
}

int hr_buf_append_str(struct hr_buf *b, const char *s) {
  return hr_buf_append(b, s, strlen(s));
}

int hr_buf_appendf(struct hr_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || hr_buf_reserve(b, (size_t)n) != 0)
    return -1;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return 0;
}

size_t hr_format_uint(char out[20], unsigned long long v, int base) {
  static const char digits[] = "0123456789abcdef";
  char tmp[20];
  size_t n = 0;
  do {
    tmp[n++] = digits[v % (unsigned)base];
    v /= (unsigned)base;
  } while (v && n < sizeof(tmp));
  for (size_t i = 0; i < n; i++)
    out[i] = tmp[n - 1 - i];
  return n;
}

int hr_buf_append_uint(struct hr_buf *b, unsigned long long v, int base) {
  char tmp[20];
  return hr_buf_append(b, tmp, hr_format_uint(tmp, v, base));
}

void hr_buf_reset(struct hr_buf *b) {
  b->len = 0;
  if (b->data)
    b->data[0] = '\0';
}

void hr_buf_free(struct hr_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

char *hr_buf_take(struct hr_buf *b, size_t *len) {
  if (!b->data && hr_buf_reserve(b, 0) != 0)
    return NULL;
  b->data[b->len] = '\0';
  char *p = b->data;
  if (len)
    *len = b->len;
  b->data = NULL;
  b->len = b->cap = 0;
  return p;
}
