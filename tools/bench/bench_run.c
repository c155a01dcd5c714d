/*
 * bench_run.c - the scenarios of the benchmark contract, each doing what
 * curlbench does for it: an untimed warm-up request (connect, handshake,
 * trust store), then the timed part, in which every response is checked
 * and nothing is printed or allocated by this program. Then soak, which
 * is ours, not the contract's.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "tools/bench/bench.h"

/* 1 when the provider declares TLS session resumption. */
static int provider_resumes(const char *provider) {
  uint32_t features = 0;
  return httpr_provider_features_by_name(provider, &features) == HTTPR_OK &&
         (features & HTTPR_FEATURE_SESSION_RESUME);
}

static long chosen_n(const struct bench_opts *o, long dflt) {
  return o->n > 0 ? o->n : dflt;
}

/* The sequential scenarios: one client, N GETs of the small resource, one
 * after the other. */
enum sequential {
  KEEPALIVE, /* all on the connection the warm-up opened */
  HANDSHAKE, /* each on a new connection with a full handshake: no idle
                connection is kept and no session is offered */
  RESUME     /* each on a new connection that offers the session of the
                one before (the warm-up's first), so the server may resume */
};

static int run_sequential(const struct bench_opts *o, struct bench_result *r,
                          enum sequential mode) {
  const int fresh = mode != KEEPALIVE;
  const struct bench_pool pool = {fresh ? 0 : -1, mode == RESUME};
  long n = chosen_n(o, fresh ? 500 : 5000);
  struct bench_client bc;
  if (bench_client_open(&bc, o, r->scenario, o->url, &pool) != 0)
    return -1;
  snprintf(r->backend, sizeof(r->backend), "%s",
           httpr_client_provider(bc.client));
  httpr_request *req = bench_request(&bc, o->url, o->small_path);
  struct bench_counts counts = {0, 0};
  long i = 0;
  int rc = req ? bench_get(&bc, req, &counts, r) : -1; /* warm-up */
  if (rc != 0)
    goto done;
  counts = (struct bench_counts){0, 0};
  double c0 = bench_cpu_s(), t0 = bench_now_s();
  for (i = 0; i < n; i++) {
    if (bench_get(&bc, req, &counts, NULL) != 0) {
      rc = -1;
      goto done;
    }
    if (i % BENCH_CLOCK_EVERY == BENCH_CLOCK_EVERY - 1 &&
        bench_now_s() - t0 > o->max_seconds) {
      i++;
      r->truncated = i < n;
      break;
    }
  }
  bench_finish(r, i, counts.conns, t0, c0);
  r->value = (double)i / r->secs;
  if (mode == RESUME) {
    r->has_resumed = 1;
    r->resumed = counts.resumed;
  }
  if (fresh && counts.conns != i)
    fprintf(stderr,
            "httpr-bench: %s: warning: %ld new connections for %ld "
            "requests\n",
            r->scenario, counts.conns, i);
  if (!fresh && counts.conns != 0)
    fprintf(stderr,
            "httpr-bench: %s: warning: the connection was not "
            "reused (%ld new connections)\n",
            r->scenario, counts.conns);
  if (mode == RESUME && counts.resumed != counts.conns)
    fprintf(stderr,
            "httpr-bench: %s: warning: %ld of %ld new connections resumed "
            "a session%s\n",
            r->scenario, counts.resumed, counts.conns,
            provider_resumes(r->backend) ? ""
                                         : " (the provider does not declare "
                                           "session-resume)");
  if (mode == HANDSHAKE && counts.resumed != 0)
    fprintf(stderr,
            "httpr-bench: %s: warning: %ld handshakes resumed a session, "
            "with resumption off\n",
            r->scenario, counts.resumed);
done:
  httpr_request_free(req);
  bench_client_close(&bc);
  return rc;
}

static int run_keepalive(const struct bench_opts *o, struct bench_result *r) {
  return run_sequential(o, r, KEEPALIVE);
}

static int run_handshake(const struct bench_opts *o, struct bench_result *r) {
  return run_sequential(o, r, HANDSHAKE);
}

static int run_resume(const struct bench_opts *o, struct bench_result *r) {
  return run_sequential(o, r, RESUME);
}

/* bulk: N downloads of the big resource on the connection a warm-up GET of
 * the small one opened; the value is body bytes per second. */
static int run_bulk(const struct bench_opts *o, struct bench_result *r) {
  static const struct bench_pool pool = {-1, 1};
  long n = chosen_n(o, 1);
  struct bench_client bc;
  if (bench_client_open(&bc, o, r->scenario, o->url, &pool) != 0)
    return -1;
  snprintf(r->backend, sizeof(r->backend), "%s",
           httpr_client_provider(bc.client));
  httpr_request *small = bench_request(&bc, o->url, o->small_path);
  httpr_request *big = small ? bench_request(&bc, o->url, o->big_path) : NULL;
  struct bench_counts counts = {0, 0};
  long i = 0;
  int rc = big ? bench_get(&bc, small, &counts, r) : -1; /* warm-up */
  if (rc != 0)
    goto done;
  counts = (struct bench_counts){0, 0};
  uint64_t total = 0;
  double c0 = bench_cpu_s(), t0 = bench_now_s();
  for (i = 0; i < n; i++) {
    if (bench_get(&bc, big, &counts, NULL) != 0) {
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
  bench_finish(r, i, counts.conns, t0, c0);
  r->value = (double)total / 1e6 / r->secs;
done:
  httpr_request_free(small);
  httpr_request_free(big);
  bench_client_close(&bc);
  return rc;
}

/* soak (ours, not the shared contract's): many keep-alive GETs of the
 * small resource from several threads on ONE client, to show that the
 * library's memory stays flat under concurrent use. Besides the usual line
 * it reports the resident set twice: after the first 10% of the requests
 * (rss_warm_kb, when the pool and the allocator have warmed up) and at the
 * end (rss_end_kb); the two should be about equal however many requests
 * ran.
 *
 * Each thread has its own request, sink and error object; only the client
 * is shared. The threads take request numbers from one counter, so N is
 * exact whatever the thread count, and stop at --max-seconds. Every loop
 * is bounded by N and by the time cap; each request by the client's
 * timeouts. */
#define SOAK_DEFAULT_N 100000
#define SOAK_WARM_PERCENT 10

struct soak {
  const struct bench_opts *o;
  const struct bench_client *shared;
  long n;               /* requests in the timed part */
  long warm_at;         /* completed requests at which rss_warm_kb is taken */
  double t0;            /* start of the timed part */
  atomic_long next;     /* request numbers handed out */
  atomic_long done;     /* requests completed and checked */
  atomic_long conns;    /* new connections */
  atomic_long warm_rss; /* 0 until taken */
  atomic_int stop;      /* a failure or the time cap: everyone stops */
  atomic_int failed;
  atomic_int truncated;
};

/* Whether the timed part must end; checked every BENCH_CLOCK_EVERY
 * requests of each thread, so the clock costs little. */
static int out_of_time(struct soak *s, long mine) {
  if (mine % BENCH_CLOCK_EVERY != 0)
    return 0;
  if (bench_now_s() - s->t0 <= s->o->max_seconds)
    return 0;
  atomic_store(&s->truncated, 1);
  return 1;
}

static void *worker(void *arg) {
  struct soak *s = arg;
  struct bench_client w;
  struct bench_counts counts = {0, 0};
  httpr_request *req = NULL;
  long mine = 0;
  if (bench_client_worker(&w, s->shared) != 0 ||
      !(req = bench_request(&w, s->o->url, s->o->small_path))) {
    atomic_store(&s->failed, 1);
    atomic_store(&s->stop, 1);
    goto out;
  }
  while (!atomic_load(&s->stop)) {
    if (atomic_fetch_add(&s->next, 1) >= s->n)
      break;
    if (bench_get(&w, req, &counts, NULL) != 0) {
      atomic_store(&s->failed, 1);
      atomic_store(&s->stop, 1);
      break;
    }
    long done = atomic_fetch_add(&s->done, 1) + 1;
    if (done == s->warm_at)
      atomic_store(&s->warm_rss, bench_rss_kb());
    if (out_of_time(s, ++mine))
      atomic_store(&s->stop, 1);
  }
out:
  atomic_fetch_add(&s->conns, counts.conns);
  httpr_request_free(req);
  bench_client_close(&w);
  return NULL;
}

static int run_soak(const struct bench_opts *o, struct bench_result *r) {
  static const struct bench_pool pool = {-1, 1}; /* the library's defaults */
  long threads = o->threads > 0 ? o->threads : 8;
  pthread_t tids[BENCH_MAX_THREADS];
  long started = 0;
  struct bench_client bc;
  if (threads > BENCH_MAX_THREADS) {
    fprintf(stderr, "httpr-bench: %s: at most %d threads\n", r->scenario,
            BENCH_MAX_THREADS);
    return -1;
  }
  if (bench_client_open(&bc, o, r->scenario, o->url, &pool) != 0)
    return -1;
  snprintf(r->backend, sizeof(r->backend), "%s",
           httpr_client_provider(bc.client));

  struct soak s = {.o = o, .shared = &bc};
  s.n = o->n > 0 ? o->n : SOAK_DEFAULT_N;
  s.warm_at = s.n * SOAK_WARM_PERCENT / 100;
  if (s.warm_at < 1)
    s.warm_at = 1;
  atomic_init(&s.next, 0);
  atomic_init(&s.done, 0);
  atomic_init(&s.conns, 0);
  atomic_init(&s.warm_rss, 0);
  atomic_init(&s.stop, 0);
  atomic_init(&s.failed, 0);
  atomic_init(&s.truncated, 0);

  /* The warm-up: trust store, first connection, TLS details for the line. */
  struct bench_counts warm = {0, 0};
  httpr_request *req = bench_request(&bc, o->url, o->small_path);
  int rc = req ? bench_get(&bc, req, &warm, r) : -1;
  httpr_request_free(req);
  if (rc != 0)
    goto done;

  double c0 = bench_cpu_s();
  s.t0 = bench_now_s();
  for (; started < threads; started++) {
    if (pthread_create(&tids[started], NULL, worker, &s) != 0) {
      fprintf(stderr, "httpr-bench: %s: cannot start thread %ld\n", r->scenario,
              started + 1);
      atomic_store(&s.failed, 1);
      atomic_store(&s.stop, 1);
      break;
    }
  }
  for (long t = 0; t < started; t++)
    pthread_join(tids[t], NULL);
  long done = atomic_load(&s.done);
  bench_finish(r, done, atomic_load(&s.conns), s.t0, c0);
  if (atomic_load(&s.failed)) {
    rc = -1;
    goto done;
  }
  r->value = r->secs > 0 ? (double)done / r->secs : 0;
  r->truncated = atomic_load(&s.truncated) && done < s.n;
  r->has_soak = 1;
  r->threads = threads;
  r->rss_end_kb = bench_rss_kb();
  /* A run cut short before the mark has no warm sample: the end's then. */
  r->rss_warm_kb = atomic_load(&s.warm_rss);
  if (r->rss_warm_kb == 0)
    r->rss_warm_kb = r->rss_end_kb;
done:
  bench_client_close(&bc);
  return rc;
}

const struct bench_scenario bench_scenarios[] = {
    {"keepalive", "req/s", run_keepalive, NULL},
    {"handshake", "handshakes/s", run_handshake, NULL},
    {"resume", "handshakes/s", run_resume, NULL},
    {"bulk", "MB/s", run_bulk, NULL},
    {"h2-multiplex", "req/s", NULL, "HTTP/2 is not in this release of httpr"},
    {"soak", "req/s", run_soak, NULL},
    {NULL, NULL, NULL, NULL}};
