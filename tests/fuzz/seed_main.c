/* SPDX-License-Identifier: MIT */
/*
 * seed_main.c - the main() of the fuzz targets in a build without
 * libFuzzer: runs LLVMFuzzerTestOneInput once on each file given, or on
 * each file of a directory given, so that `make check` builds every target
 * with the project's compiler and warnings and replays its seeds
 * (tests/fuzz/run-seeds.sh). A target's abort() fails the run; a kept
 * crash input added to a seed directory stays a regression test.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_SEED (1024 * 1024)

/* Runs the target on one file; 0, or -1 when it cannot be read. */
static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    return -1;
  }
  uint8_t *buf = malloc(MAX_SEED);
  size_t n = buf ? fread(buf, 1, MAX_SEED, f) : 0;
  int bad = !buf || ferror(f) || !feof(f);
  fclose(f);
  if (bad) {
    fprintf(stderr, "%s: unreadable or over %d bytes\n", path, MAX_SEED);
    free(buf);
    return -1;
  }
  /* A copy of exactly n bytes, so that ASan sees reads past the end. */
  uint8_t *data = malloc(n ? n : 1);
  if (!data) {
    free(buf);
    return -1;
  }
  memcpy(data, buf, n);
  free(buf);
  LLVMFuzzerTestOneInput(data, n);
  free(data);
  return 0;
}

/* Runs every regular file of dir; the count run, or -1. */
static long run_dir(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) {
    perror(dir);
    return -1;
  }
  long count = 0;
  struct dirent *e;
  while (count >= 0 && (e = readdir(d)) != NULL) {
    char path[4096];
    struct stat st;
    if (e->d_name[0] == '.')
      continue;
    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
      continue;
    count = run_file(path) == 0 ? count + 1 : -1;
  }
  closedir(d);
  return count;
}

int main(int argc, char **argv) {
  long total = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    long n = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)
                 ? run_dir(argv[i])
                 : (run_file(argv[i]) == 0 ? 1 : -1);
    if (n < 0)
      return 1;
    total += n;
  }
  printf("%s: %ld input(s) run\n", argc > 0 ? argv[0] : "fuzz", total);
  return 0;
}
