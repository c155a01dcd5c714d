/* SPDX-License-Identifier: MIT */
/* headers.c - the ordered header list (see headers.h). */
#include "protocol/headers.h"

#include <stdlib.h>
#include <string.h>

static char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

int hr_strcaseeq(const char *a, const char *b) {
  while (*a && lower(*a) == lower(*b)) {
    a++;
    b++;
  }
  return *a == '\0' && *b == '\0';
}

static char *dup_bytes(const char *s, size_t n) {
  char *p = malloc(n + 1);
  if (p) {
    memcpy(p, s, n);
    p[n] = '\0';
  }
  return p;
}

int hr_headers_add(struct hr_headers *h, const char *name, size_t nlen,
                   const char *value, size_t vlen) {
  if (h->count == h->cap) {
    size_t cap = h->cap ? h->cap * 2 : 16;
    struct hr_header *v = realloc(h->v, cap * sizeof(*v));
    if (!v)
      return -1;
    h->v = v;
    h->cap = cap;
  }
  char *n = dup_bytes(name, nlen);
  char *val = dup_bytes(value, vlen);
  if (!n || !val) {
    free(n);
    free(val);
    return -1;
  }
  h->v[h->count].name = n;
  h->v[h->count].value = val;
  h->count++;
  return 0;
}

const char *hr_headers_get(const struct hr_headers *h, const char *name,
                           size_t nth) {
  for (size_t i = 0; i < h->count; i++) {
    if (hr_strcaseeq(h->v[i].name, name) && nth-- == 0)
      return h->v[i].value;
  }
  return NULL;
}

int hr_headers_has(const struct hr_headers *h, const char *name) {
  return hr_headers_get(h, name, 0) != NULL;
}

void hr_headers_remove(struct hr_headers *h, const char *name) {
  size_t kept = 0;
  for (size_t i = 0; i < h->count; i++) {
    if (hr_strcaseeq(h->v[i].name, name)) {
      free(h->v[i].name);
      free(h->v[i].value);
    } else {
      h->v[kept++] = h->v[i];
    }
  }
  h->count = kept;
}

int hr_headers_copy(struct hr_headers *dst, const struct hr_headers *src) {
  memset(dst, 0, sizeof(*dst));
  for (size_t i = 0; i < src->count; i++) {
    const struct hr_header *f = &src->v[i];
    if (hr_headers_add(dst, f->name, strlen(f->name), f->value,
                       strlen(f->value)) != 0) {
      hr_headers_free(dst);
      return -1;
    }
  }
  return 0;
}

void hr_headers_free(struct hr_headers *h) {
  for (size_t i = 0; i < h->count; i++) {
    free(h->v[i].name);
    free(h->v[i].value);
  }
  free(h->v);
  memset(h, 0, sizeof(*h));
}
