/* SPDX-License-Identifier: MIT */
/*
 * pki_files.c - the unit tests' private PKI directory and the files in it,
 * and the run's PKI beside it; see pki_files.h. Knows nothing of any TLS
 * library.
 */
#include "tests/unit/pki_files.h"

#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

static char dir[64];

int pki_dir_create(const char *prefix) {
  snprintf(dir, sizeof(dir), "/tmp/%s-XXXXXX", prefix);
  return mkdtemp(dir) != NULL;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path);
}

int pki_dir_remove(void) {
  return nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

const char *path_of(const char *name) {
  static char buf[16][160];
  static int i;
  i = (i + 1) % 16;
  snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
  return buf[i];
}

const char *file_of(const char *name) {
  static char buf[16][256];
  static int i;
  struct stat st;
  const char *pki = getenv("PKI_DIR");
  const char *mine = path_of(name);
  assert_non_null(pki);
  i = (i + 1) % 16;
  if (stat(mine, &st) == 0)
    snprintf(buf[i], sizeof(buf[i]), "%s", mine);
  else
    snprintf(buf[i], sizeof(buf[i]), "%s/%s", pki, name);
  return buf[i];
}

int write_data(const char *name, const void *data, size_t len,
               const char *mode) {
  FILE *f = fopen(path_of(name), mode);
  if (!f)
    return 0;
  int ok = fwrite(data, 1, len, f) == len;
  return fclose(f) == 0 && ok;
}

int write_text(const char *name, const char *text) {
  return write_data(name, text, strlen(text), "w");
}

int append_file(const char *dst, const char *src) {
  char buf[4096];
  size_t n;
  FILE *in = fopen(path_of(src), "rb"), *out = fopen(path_of(dst), "ab");
  int ok = in && out;
  while (ok && (n = fread(buf, 1, sizeof(buf), in)) > 0)
    ok = fwrite(buf, 1, n, out) == n;
  if (in)
    fclose(in);
  if (out && fclose(out) != 0)
    ok = 0;
  return ok;
}

unsigned char *read_all(const char *name, size_t *len, int nul) {
  FILE *f = fopen(path_of(name), "rb");
  assert_non_null(f);
  unsigned char *data = malloc(1 << 16);
  assert_non_null(data);
  *len = fread(data, 1, (1 << 16) - 1, f);
  fclose(f);
  if (nul)
    data[(*len)++] = '\0';
  return data;
}

int openssl_cli(const char *fmt, ...) {
  char args[768], cmd[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(args, sizeof(args), fmt, ap);
  va_end(ap);
  snprintf(cmd, sizeof(cmd), "cd '%s' && openssl %s >cli.log 2>&1", dir, args);
  if (system(cmd) == 0)
    return 1;
  fprintf(stderr, "failed: openssl %s\n", args);
  return 0;
}
