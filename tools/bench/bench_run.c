/*
 * bench_run.c - the scenarios of the benchmark contract, each doing what
 * curlbench does for it: an untimed warm-up request (connect, handshake,
 * trust store), then the timed part, in which every response is checked
 * and nothing is printed or allocated by this program.
 */
#include <stdio.h>

#include "tools/bench/bench.h"

/* Within a timed loop the clock is read every 16 operations, as curlbench
 * does, so the --max-seconds check costs the same in both programs. */
#define CLOCK_EVERY 16

static long chosen_n(const struct bench_opts *o, long dflt) {
  return o->n > 0 ? o->n : dflt;
}

/* The parts of a result every scenario fills the same way. */
static void finish(struct bench_result *r, long done, long conns, double t0,
                   double c0) {
  r->secs = bench_now_s() - t0;
  r->cpu_s = bench_cpu_s() - c0;
  r->n_done = done;
  r->conns = conns;
}

/* keepalive (fresh == 0): N GETs of the small resource on the connection
 * the warm-up opened. handshake (fresh == 1): N GETs, each on a new
 * connection with a full handshake: the client keeps no idle connection,
 * and offers no session to resume (this release has no resumption). */
static int run_sequential(const struct bench_opts *o, struct bench_result *r,
                          int fresh) {
  long n = chosen_n(o, fresh ? 500 : 5000);
  struct bench_client bc;
  if (bench_client_open(&bc, o, r->scenario, o->url, fresh ? 0 : -1) != 0)
    return -1;
  snprintf(r->backend, sizeof(r->backend), "%s",
           httpr_client_provider(bc.client));
  httpr_request *req = bench_request(&bc, o->url, o->small_path);
  long conns = 0, i = 0;
  int rc = req ? bench_get(&bc, req, &conns, r) : -1; /* warm-up */
  if (rc != 0)
    goto done;
  conns = 0;
  double c0 = bench_cpu_s(), t0 = bench_now_s();
  for (i = 0; i < n; i++) {
    if (bench_get(&bc, req, &conns, NULL) != 0) {
      rc = -1;
      goto done;
    }
    if (i % CLOCK_EVERY == CLOCK_EVERY - 1 &&
        bench_now_s() - t0 > o->max_seconds) {
      i++;
      r->truncated = i < n;
      break;
    }
  }
  finish(r, i, conns, t0, c0);
  r->value = (double)i / r->secs;
  if (fresh && conns != i)
    fprintf(stderr,
            "httpr-bench: %s: warning: %ld new connections for %ld "
            "requests\n",
            r->scenario, conns, i);
  if (!fresh && conns != 0)
    fprintf(stderr,
            "httpr-bench: %s: warning: the connection was not "
            "reused (%ld new connections)\n",
            r->scenario, conns);
done:
  httpr_request_free(req);
  bench_client_close(&bc);
  return rc;
}

static int run_keepalive(const struct bench_opts *o, struct bench_result *r) {
  return run_sequential(o, r, 0);
}

static int run_handshake(const struct bench_opts *o, struct bench_result *r) {
  return run_sequential(o, r, 1);
}

/* bulk: N downloads of the big resource on the connection a warm-up GET of
 * the small one opened; the value is body bytes per second. */
static int run_bulk(const struct bench_opts *o, struct bench_result *r) {
  long n = chosen_n(o, 1);
  struct bench_client bc;
  if (bench_client_open(&bc, o, r->scenario, o->url, -1) != 0)
    return -1;
  snprintf(r->backend, sizeof(r->backend), "%s",
           httpr_client_provider(bc.client));
  httpr_request *small = bench_request(&bc, o->url, o->small_path);
  httpr_request *big = small ? bench_request(&bc, o->url, o->big_path) : NULL;
  long conns = 0, i = 0;
  int rc = big ? bench_get(&bc, small, &conns, r) : -1; /* warm-up */
  if (rc != 0)
    goto done;
  conns = 0;
  uint64_t total = 0;
  double c0 = bench_cpu_s(), t0 = bench_now_s();
  for (i = 0; i < n; i++) {
    if (bench_get(&bc, big, &conns, NULL) != 0) {
      rc = -1;
      goto done;
    }
    if (bc.sink.bytes == 0) {
      fprintf(stderr, "httpr-bench: %s: %s is empty\n", r->scenario,
              o->big_path);
      rc = -1;
      goto done;
    }
    total += bc.sink.bytes;
    if (bench_now_s() - t0 > o->max_seconds) {
      i++;
      r->truncated = i < n;
      break;
    }
  }
  finish(r, i, conns, t0, c0);
  r->value = (double)total / 1e6 / r->secs;
done:
  httpr_request_free(small);
  httpr_request_free(big);
  bench_client_close(&bc);
  return rc;
}

const struct bench_scenario bench_scenarios[] = {
    {"keepalive", "req/s", run_keepalive, NULL},
    {"handshake", "handshakes/s", run_handshake, NULL},
    {"resume", "handshakes/s", NULL,
     "TLS session resumption is not in this release of httpr"},
    {"bulk", "MB/s", run_bulk, NULL},
    {"h2-multiplex", "req/s", NULL, "HTTP/2 is not in this release of httpr"},
    {NULL, NULL, NULL, NULL}};
