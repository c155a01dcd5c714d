/* SPDX-License-Identifier: MIT */
/*
 * bench_meter.c - what httpr-bench measures besides counting: wall time on
 * the monotonic clock, the process's CPU time and peak RSS from getrusage
 * (the same sources as curlbench, so the columns compare), the resident
 * set of the moment from /proc (soak), and the TLS library's version in
 * the form curl prints.
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "tools/bench/bench.h"

double bench_now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double seconds(struct timeval tv) {
  return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

double bench_cpu_s(void) {
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0)
    return 0.0;
  return seconds(ru.ru_utime) + seconds(ru.ru_stime);
}

long bench_peak_rss_kb(void) {
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0)
    return 0;
  return ru.ru_maxrss; /* kilobytes on Linux */
}

long bench_rss_kb(void) {
  /* statm's second field is the resident set in pages. */
  FILE *f = fopen("/proc/self/statm", "r");
  unsigned long size = 0, resident = 0;
  int ok = 0;
  if (f) {
    ok = fscanf(f, "%lu %lu", &size, &resident) == 2;
    fclose(f);
  }
  long page = sysconf(_SC_PAGESIZE);
  return ok && page > 0 ? (long)(resident * (unsigned long)page / 1024) : 0;
}

/* Copies at most `len` bytes of src to out[*used...], turning what would
 * break a key=value field (spaces, controls) into '?'. */
static void put_field(char *out, size_t cap, size_t *used, const char *src,
                      size_t len) {
  for (size_t i = 0; i < len && *used + 1 < cap; i++) {
    unsigned char c = (unsigned char)src[i];
    out[(*used)++] = c > 0x20 && c < 0x7f ? (char)c : '?';
  }
  out[*used] = '\0';
}

void bench_tlslib(const char *provider, char *out, size_t cap) {
  const char *v = NULL;
  for (size_t i = 0; i < httpr_provider_count(); i++) {
    if (strcmp(httpr_provider_name(i), provider) == 0)
      v = httpr_provider_library_version(i);
  }
  size_t used = 0;
  out[0] = '\0';
  if (!v || !*v) {
    put_field(out, cap, &used, "unknown", 7);
    return;
  }
  /* The name is the words before the first that starts with a digit,
   * joined ("mbed TLS 2.28.3" -> "mbedTLS"); the version number is that
   * word; a build date or other words after it are left out, as curl
   * does. */
  const char *num = v;
  while (*num && !(*num >= '0' && *num <= '9')) {
    size_t word = strcspn(num, " ");
    put_field(out, cap, &used, num, word);
    num += word;
    num += strspn(num, " ");
  }
  if (*num) {
    put_field(out, cap, &used, "/", 1);
    put_field(out, cap, &used, num, strcspn(num, " "));
  }
}

/* The parts of a result every scenario fills the same way. */
void bench_finish(struct bench_result *r, long done, long conns, double t0,
                  double c0) {
  r->secs = bench_now_s() - t0;
  r->cpu_s = bench_cpu_s() - c0;
  r->n_done = done;
  r->conns = conns;
}
