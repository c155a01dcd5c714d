/* SPDX-License-Identifier: MIT */
/*
 * cli_data.c - reading "@FILE" / "@-" option values and joining -d parts.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli_data.h"

/* Reads all of fp; the buffer gets one spare byte for a NUL. */
static int read_all(FILE *fp, unsigned char **out, size_t *len) {
  size_t cap = 4096, n = 0;
  unsigned char *buf = malloc(cap);
  if (!buf)
    return ENOMEM;
  for (;;) {
    size_t got;
    if (cap - n < 2) {
      unsigned char *bigger = realloc(buf, cap * 2);
      if (!bigger) {
        free(buf);
        return ENOMEM;
      }
      buf = bigger;
      cap *= 2;
    }
    got = fread(buf + n, 1, cap - n - 1, fp);
    n += got;
    if (got == 0)
      break;
  }
  if (ferror(fp)) {
    int e = errno ? errno : EIO;
    free(buf);
    return e;
  }
  buf[n] = '\0';
  *out = buf;
  *len = n;
  return 0;
}

static size_t drop_newlines(unsigned char *buf, size_t len) {
  size_t o = 0;
  for (size_t i = 0; i < len; i++)
    if (buf[i] != '\r' && buf[i] != '\n')
      buf[o++] = buf[i];
  buf[o] = '\0';
  return o;
}

int cli_load_value(const char *arg, FILE *in, int strip_newlines,
                   unsigned char **out, size_t *len) {
  FILE *fp;
  int rc;
  *out = NULL;
  *len = 0;
  if (arg[0] != '@') {
    size_t n = strlen(arg);
    *out = malloc(n + 1);
    if (!*out)
      return ENOMEM;
    memcpy(*out, arg, n + 1);
    *len = n;
    return 0;
  }
  if (strcmp(arg + 1, "-") == 0) {
    rc = read_all(in, out, len);
  } else {
    fp = fopen(arg + 1, "rb");
    if (!fp)
      return errno ? errno : ENOENT;
    rc = read_all(fp, out, len);
    fclose(fp);
  }
  if (rc == 0 && strip_newlines)
    *len = drop_newlines(*out, *len);
  return rc;
}

int cli_append_data(unsigned char **buf, size_t *len, int first,
                    const unsigned char *add, size_t add_len) {
  size_t sep = first ? 0 : 1;
  unsigned char *bigger;
  if (add_len > SIZE_MAX - *len - 2)
    return ENOMEM;
  bigger = realloc(*buf, *len + sep + add_len + 1);
  if (!bigger)
    return ENOMEM;
  if (sep)
    bigger[(*len)++] = '&';
  if (add_len)
    memcpy(bigger + *len, add, add_len);
  *len += add_len;
  bigger[*len] = '\0';
  *buf = bigger;
  return 0;
}
