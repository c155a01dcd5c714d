/* SPDX-License-Identifier: MIT */
/*
 * httpr-bench.c - main() of httpr-bench: runs the benchmark scenarios named
 * on the command line, one after the other, and prints one line per
 * completed scenario on stdout, in the output contract shared with the
 * libcurl reference program (curlbench):
 *
 *   scenario=keepalive backend=openssl value=9512.3 unit=req/s rss_kb=9120
 *     n=5000 secs=0.526 cpu_s=0.301 conns=0 proto=http/1.1
 *     tls=TLSv1.3/TLS_AES_256_GCM_SHA384 client=httpr/0.1.0
 *     tlslib=OpenSSL/3.0.11 truncated=0                     (one line)
 *
 * resume adds resumed=<new connections that resumed a session>;
 * h2-multiplex adds streams=<streams in flight>; soak adds threads=,
 * rss_warm_kb= and rss_end_kb=; concurrent adds the contract's
 * connections=, api=, rss_base_kb=, rss_idle_kb=, rss_end_kb=,
 * rss_per_conn_kb=, peak_idle_kb=, peak_run_kb= and warmup_s=.
 *
 * Everything else (failures, warnings) goes to stderr, so a caller can
 * take stdout as data.
 */
#include <stdio.h>
#include <string.h>

#include "tools/bench/bench.h"

static const struct bench_scenario *find_scenario(const char *name) {
  for (const struct bench_scenario *s = bench_scenarios; s->name; s++) {
    if (strcmp(s->name, name) == 0)
      return s;
  }
  return NULL;
}

static void print_result(const struct bench_result *r) {
  char tlslib[64];
  bench_tlslib(r->backend, tlslib, sizeof(tlslib));
  printf("scenario=%s backend=%s value=%.1f unit=%s rss_kb=%ld n=%ld "
         "secs=%.3f cpu_s=%.3f conns=%ld proto=%s tls=%s client=httpr/%s "
         "tlslib=%s truncated=%d",
         r->scenario, r->backend, r->value, r->unit, bench_peak_rss_kb(),
         r->n_done, r->secs, r->cpu_s, r->conns, r->proto, r->tls,
         httpr_version(), tlslib, r->truncated);
  /* Keys of our own, after the contract's: parsers ignore unknown keys. */
  if (r->has_resumed)
    printf(" resumed=%ld", r->resumed);
  if (r->streams > 0)
    printf(" streams=%ld", r->streams);
  if (r->has_soak)
    printf(" threads=%ld rss_warm_kb=%ld rss_end_kb=%ld", r->threads,
           r->rss_warm_kb, r->rss_end_kb);
  /* The contract's keys for concurrent, in curlbench's order. */
  if (r->has_concurrent)
    printf(" connections=%ld api=%s rss_base_kb=%ld rss_idle_kb=%ld "
           "rss_end_kb=%ld rss_per_conn_kb=%.1f peak_idle_kb=%ld "
           "peak_run_kb=%ld warmup_s=%.3f",
           r->connections, r->api, r->rss_base_kb, r->rss_idle_kb,
           r->rss_end_kb,
           (double)(r->rss_idle_kb - r->rss_base_kb) / (double)r->connections,
           r->peak_idle_kb, r->peak_run_kb, r->warmup_s);
  putchar('\n');
  fflush(stdout);
}

/* --version: the library, the provider the options choose and its TLS
 * library, and every provider built in. */
static int print_version(const struct bench_opts *o) {
  const char *backend = o->backend ? o->backend : httpr_default_provider();
  uint32_t features;
  if (httpr_provider_features_by_name(backend, &features) != HTTPR_OK) {
    fprintf(stderr, "httpr-bench: TLS provider '%s' is not built in\n",
            backend);
    return BENCH_EXIT_FAILED;
  }
  char tlslib[64];
  bench_tlslib(backend, tlslib, sizeof(tlslib));
  printf("client=httpr/%s tlslib=%s backend=%s providers=", httpr_version(),
         tlslib, backend);
  for (size_t i = 0; i < httpr_provider_count(); i++)
    printf("%s%s", i ? "," : "", httpr_provider_name(i));
  putchar('\n');
  return BENCH_EXIT_OK;
}

/* Runs one scenario; returns its exit code. */
static int run_one(const struct bench_opts *o, const struct bench_scenario *s) {
  if (!s->run) {
    fprintf(stderr, "httpr-bench: %s: not supported: %s\n", s->name,
            s->why_not);
    return BENCH_EXIT_UNSUPPORTED;
  }
  struct bench_result r;
  memset(&r, 0, sizeof(r));
  r.scenario = s->name;
  r.unit = s->unit;
  if (s->run(o, &r) != 0)
    return BENCH_EXIT_FAILED;
  print_result(&r);
  return BENCH_EXIT_OK;
}

int main(int argc, char **argv) {
  struct bench_opts o;
  int first = bench_parse_args(argc, argv, &o);
  if (first < 0)
    return BENCH_EXIT_USAGE;
  if (o.show_help) {
    bench_usage(stdout);
    return BENCH_EXIT_OK;
  }
  if (o.show_version)
    return print_version(&o);
  if (first >= argc) {
    fputs("httpr-bench: no scenario given\n", stderr);
    bench_usage(stderr);
    return BENCH_EXIT_USAGE;
  }
  /* Every name is checked before anything runs: a typo in the third
   * scenario should not cost the minutes of the first two. */
  for (int a = first; a < argc; a++) {
    if (!find_scenario(argv[a])) {
      fprintf(stderr, "httpr-bench: unknown scenario '%s' (see --help)\n",
              argv[a]);
      return BENCH_EXIT_USAGE;
    }
  }
  int status = BENCH_EXIT_OK;
  for (int a = first; a < argc; a++) {
    int rc = run_one(&o, find_scenario(argv[a]));
    if (rc == BENCH_EXIT_FAILED ||
        (rc != BENCH_EXIT_OK && status == BENCH_EXIT_OK))
      status = rc;
  }
  return status;
}
