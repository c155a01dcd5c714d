/*
 * bench_meter.c - what httpr-bench measures besides counting: wall time on
 * the monotonic clock, the process's CPU time and peak RSS from getrusage
 * (the same sources as curlbench, so the columns compare), and the TLS
 * library's version in the form curl prints.
 */
#include <string.h>
#include <sys/resource.h>
#include <time.h>

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
  /* Name and version number are the first two words; a build date or
   * other words after them are left out, as curl does. */
  size_t name_len = strcspn(v, " ");
  put_field(out, cap, &used, v, name_len);
  const char *num = v + name_len + strspn(v + name_len, " ");
  if (*num) {
    put_field(out, cap, &used, "/", 1);
    put_field(out, cap, &used, num, strcspn(num, " "));
  }
}
