/* SPDX-License-Identifier: MIT */
/*
 * wipe.c - erasing secrets with a store the compiler must keep: glibc's
 * explicit_bzero where configure found it, else a memset called through
 * a volatile pointer, which the compiler cannot prove is memset.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/wipe.h"

#ifndef HAVE_EXPLICIT_BZERO
static void *(*volatile memset_fn)(void *, int, size_t) = memset;
#endif

void hr_wipe(void *p, size_t len) {
  if (!p || len == 0)
    return;
#ifdef HAVE_EXPLICIT_BZERO
  explicit_bzero(p, len);
#else
  memset_fn(p, 0, len);
#endif
}

void hr_wipe_free(void *p, size_t len) {
  hr_wipe(p, len);
  free(p);
}

void hr_wipe_free_string(char *s) {
  if (s)
    hr_wipe(s, strlen(s));
  free(s);
}
