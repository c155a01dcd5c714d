/* SPDX-License-Identifier: MIT */
/*
 * headers.h - an ordered list of header fields (name, value), as a request
 * carries them and a response receives them. Repeats are kept; lookup is
 * without regard to case.
 */
#ifndef HTTPR_HEADERS_H
#define HTTPR_HEADERS_H

#include <stddef.h>

struct hr_header {
  char *name;
  char *value;
};

struct hr_headers {
  struct hr_header *v;
  size_t count;
  size_t cap;
};

/* Appends copies of name[0..nlen) and value[0..vlen). 0, or -1 when out
 * of memory. */
int hr_headers_add(struct hr_headers *h, const char *name, size_t nlen,
                   const char *value, size_t vlen);
/* The value of the nth header called name (no regard to case), or NULL. */
const char *hr_headers_get(const struct hr_headers *h, const char *name,
                           size_t nth);
/* 1 when a header called name exists. */
int hr_headers_has(const struct hr_headers *h, const char *name);
/* Removes every header called name. */
void hr_headers_remove(struct hr_headers *h, const char *name);
/* Deep copy; 0 or -1 when out of memory (dst left empty). */
int hr_headers_copy(struct hr_headers *dst, const struct hr_headers *src);
void hr_headers_free(struct hr_headers *h);

/* ASCII case-insensitive comparison of two NUL-terminated strings. */
int hr_strcaseeq(const char *a, const char *b);

#endif
