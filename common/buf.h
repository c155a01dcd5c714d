/* SPDX-License-Identifier: MIT */
/*
 * buf.h - a growable byte buffer, the one the library uses everywhere it
 * assembles bytes (request heads, buffered bodies, header storage).
 */
#ifndef HTTPR_BUF_H
#define HTTPR_BUF_H

#include <stddef.h>

struct hr_buf {
  char *data; /* NUL-terminated when len > 0 or after any append */
  size_t len;
  size_t cap;
};

/* All return 0, or -1 when out of memory (the buffer is unchanged). */
int hr_buf_append(struct hr_buf *b, const void *data, size_t len);
int hr_buf_append_str(struct hr_buf *b, const char *s);
int hr_buf_appendf(struct hr_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Writes v in decimal (base 10) or lowercase hexadecimal (base 16) into
 * out, which must hold 20 bytes; returns the length (no NUL is written).
 * Used instead of printf on the per-request path, where printf costs. */
size_t hr_format_uint(char out[20], unsigned long long v, int base);
/* Appends v as hr_format_uint writes it. */
int hr_buf_append_uint(struct hr_buf *b, unsigned long long v, int base);
/* Makes room for `extra` more bytes without changing len. */
int hr_buf_reserve(struct hr_buf *b, size_t extra);
void hr_buf_reset(struct hr_buf *b); /* len = 0, memory kept */
void hr_buf_free(struct hr_buf *b);
/* Hands the data over to the caller (malloc'd, NUL-terminated, never NULL
 * on success) and resets the buffer; NULL when out of memory. */
char *hr_buf_take(struct hr_buf *b, size_t *len);

#endif
