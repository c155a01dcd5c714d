/* SPDX-License-Identifier: MIT */
/*
 * bench_run.c - the scenarios of the benchmark contract, each doing what
 * curlbench does for it: an untimed warm-up request (connect, handshake,
 * trust store), then the timed part, in which every response is checked
 * and nothing is printed or allocated by this program. h2-multiplex and
 * soak share one client among threads; soak is ours, not the contract's.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
  const struct bench_pool pool = {.max_idle = fresh ? 0 : -1,
                                  .resumption = mode == RESUME,
                                  .http = HTTPR_HTTP1_ONLY};
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
  static const struct bench_pool pool = {
      .max_idle = -1, .resumption = 1, .http = HTTPR_HTTP1_ONLY};
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

/* The threaded scenarios: T threads share ONE client, each sending GETs of
 * the small resource one after the other; N in all.
 *
 * h2-multiplex (the contract's): T = -m streams against --h2-url. Each
 * thread has one request in flight at all times, so the one HTTP/2
 * connection carries M streams at all times, refilled as each completes,
 * as curlbench does with the multi API (PIPEWAIT, one connection). The
 * connection is the warm-up's: conns= counts any other one.
 *
 * soak (ours, not the shared contract's): many keep-alive GETs from
 * --threads threads, to show that the library's memory stays flat under
 * concurrent use. Besides the usual line it reports the resident set
 * twice: after the first 10% of the requests (rss_warm_kb, when the pool
 * and the allocator have warmed up) and at the end (rss_end_kb); the two
 * should be about equal however many requests ran.
 *
 * Each thread has its own request, sink and error object; only the client
 * is shared. The threads take request numbers from one counter, so N is
 * exact whatever the thread count, and stop at --max-seconds. Every loop
 * is bounded by N and by the time cap; each request by the client's
 * timeouts. */
#define SOAK_DEFAULT_N 100000
#define SOAK_WARM_PERCENT 10
#define H2_DEFAULT_N 20000

struct threaded {
  const struct bench_opts *o;
  const struct bench_client *shared;
  const char *base_url;
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
static int out_of_time(struct threaded *s, long mine) {
  if (mine % BENCH_CLOCK_EVERY != 0)
    return 0;
  if (bench_now_s() - s->t0 <= s->o->max_seconds)
    return 0;
  atomic_store(&s->truncated, 1);
  return 1;
}

static void *worker(void *arg) {
  struct threaded *s = arg;
  struct bench_client w;
  struct bench_counts counts = {0, 0};
  httpr_request *req = NULL;
  long mine = 0;
  if (bench_client_worker(&w, s->shared) != 0 ||
      !(req = bench_request(&w, s->base_url, s->o->small_path))) {
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

/* Runs `threads` workers on bc's client until s->n requests are done;
 * fills r's counts. 0, or -1 when a request or a thread failed. */
static int run_workers(struct threaded *s, long threads,
                       struct bench_result *r) {
  pthread_t tids[BENCH_MAX_THREADS];
  long started = 0;
  atomic_init(&s->next, 0);
  atomic_init(&s->done, 0);
  atomic_init(&s->conns, 0);
  atomic_init(&s->warm_rss, 0);
  atomic_init(&s->stop, 0);
  atomic_init(&s->failed, 0);
  atomic_init(&s->truncated, 0);
  double c0 = bench_cpu_s();
  s->t0 = bench_now_s();
  for (; started < threads; started++) {
    if (pthread_create(&tids[started], NULL, worker, s) != 0) {
      fprintf(stderr, "httpr-bench: %s: cannot start thread %ld\n", r->scenario,
              started + 1);
      atomic_store(&s->failed, 1);
      atomic_store(&s->stop, 1);
      break;
    }
  }
  for (long t = 0; t < started; t++)
    pthread_join(tids[t], NULL);
  long done = atomic_load(&s->done);
  bench_finish(r, done, atomic_load(&s->conns), s->t0, c0);
  if (atomic_load(&s->failed))
    return -1;
  r->value = r->secs > 0 ? (double)done / r->secs : 0;
  r->truncated = atomic_load(&s->truncated) && done < s->n;
  return 0;
}

/* The warm-up request of a threaded scenario: trust store, the first
 * connection, TLS details and protocol for the line. */
static int warm_up(struct bench_client *bc, const char *base_url,
                   const struct bench_opts *o, struct bench_result *r) {
  struct bench_counts warm = {0, 0};
  httpr_request *req = bench_request(bc, base_url, o->small_path);
  int rc = req ? bench_get(bc, req, &warm, r) : -1;
  httpr_request_free(req);
  return rc;
}

static int run_soak(const struct bench_opts *o, struct bench_result *r) {
  /* The library's default pool (8 connections per origin), HTTP/1.1. */
  static const struct bench_pool pool = {
      .max_idle = -1, .resumption = 1, .http = HTTPR_HTTP1_ONLY};
  long threads = o->threads > 0 ? o->threads : 8;
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

  struct threaded s = {.o = o, .shared = &bc, .base_url = o->url};
  s.n = o->n > 0 ? o->n : SOAK_DEFAULT_N;
  s.warm_at = s.n * SOAK_WARM_PERCENT / 100;
  if (s.warm_at < 1)
    s.warm_at = 1;
  int rc = warm_up(&bc, o->url, o, r);
  if (rc == 0)
    rc = run_workers(&s, threads, r);
  if (rc != 0)
    goto done;
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

/* h2-multiplex: httpr_client_send_all keeps M streams in flight on the
 * one HTTP/2 connection, refilled as each completes, from this thread
 * alone (the library's way to send many requests at once, as curlbench
 * uses libcurl's multi API). The N requests go in chunks of H2_CHUNK so
 * memory stays flat; the window drains only at the end of each chunk.
 * Every response is checked: 200 and exactly Content-Length body bytes
 * (kept in the response: one sink cannot tell interleaved streams apart). */
#define H2_CHUNK 1000

static int check_buffered(const char *scenario, httpr_code code,
                          const httpr_error *err, const httpr_response *resp) {
  if (code != HTTPR_OK) {
    fprintf(stderr, "httpr-bench: %s: request failed: %s (%s)\n", scenario,
            httpr_error_message(err), httpr_code_name(code));
    return -1;
  }
  const char *cl = httpr_response_header(resp, "Content-Length", 0);
  if (httpr_response_status(resp) != 200 || !cl ||
      strtoull(cl, NULL, 10) != httpr_response_body_bytes(resp)) {
    fprintf(stderr,
            "httpr-bench: %s: HTTP %d, %llu body bytes for "
            "Content-Length %s\n",
            scenario, httpr_response_status(resp),
            (unsigned long long)httpr_response_body_bytes(resp),
            cl ? cl : "(none)");
    return -1;
  }
  return 0;
}

/* Sends n GETs of req with `streams` in flight; counts new connections. */
static int send_in_chunks(struct bench_client *bc, const httpr_request *req,
                          long n, long streams, long *done, long *conns,
                          double t0, double max_seconds, int *truncated) {
  const httpr_request *reqs[H2_CHUNK];
  httpr_response *out[H2_CHUNK];
  httpr_code codes[H2_CHUNK];
  httpr_error *errs[H2_CHUNK];
  int rc = 0;
  for (size_t i = 0; i < H2_CHUNK; i++) {
    reqs[i] = req; /* requests are read-only: one serves them all */
    errs[i] = bc->err;
  }
  while (rc == 0 && *done < n) {
    if (bench_now_s() - t0 > max_seconds) {
      *truncated = 1;
      break;
    }
    size_t chunk = n - *done < H2_CHUNK ? (size_t)(n - *done) : H2_CHUNK;
    httpr_client_send_all(bc->client, reqs, chunk, (size_t)streams, out, codes,
                          errs);
    for (size_t i = 0; i < chunk; i++) {
      if (rc == 0 && check_buffered(bc->scenario, codes[i], bc->err, out[i]))
        rc = -1;
      if (out[i] && !httpr_response_connection_reused(out[i]))
        (*conns)++;
      httpr_response_free(out[i]);
    }
    *done += (long)chunk;
  }
  return rc;
}

static int run_h2_multiplex(const struct bench_opts *o,
                            struct bench_result *r) {
  /* ALPN offers h2 and http/1.1, as libcurl's CURL_HTTP_VERSION_2TLS; a
   * server that picks http/1.1 fails the scenario below. */
  static const struct bench_pool pool = {
      .max_idle = -1, .resumption = 1, .http = HTTPR_HTTP_ANY};
  long n = chosen_n(o, H2_DEFAULT_N);
  long streams = o->streams > 0 ? o->streams : 10;
  struct bench_client bc;
  if (streams > BENCH_MAX_THREADS) {
    fprintf(stderr, "httpr-bench: %s: at most %d streams\n", r->scenario,
            BENCH_MAX_THREADS);
    return -1;
  }
  if (streams > n)
    streams = n;
  if (bench_client_open(&bc, o, r->scenario, o->h2_url, &pool) != 0)
    return -1;
  snprintf(r->backend, sizeof(r->backend), "%s",
           httpr_client_provider(bc.client));
  int rc = warm_up(&bc, o->h2_url, o, r);
  if (rc == 0 && strcmp(r->proto, "h2") != 0) {
    fprintf(stderr,
            "httpr-bench: %s: %s negotiated %s, not h2 (is HTTP/2 on at "
            "that port?)\n",
            r->scenario, o->h2_url, r->proto);
    rc = -1;
  }
  httpr_request *req =
      rc == 0 ? bench_request(&bc, o->h2_url, o->small_path) : NULL;
  if (rc == 0 && (!req || httpr_request_set_body_sink(req, NULL, NULL)))
    rc = -1;
  if (rc == 0) {
    long done = 0, conns = 0;
    int truncated = 0;
    double c0 = bench_cpu_s(), t0 = bench_now_s();
    rc = send_in_chunks(&bc, req, n, streams, &done, &conns, t0, o->max_seconds,
                        &truncated);
    bench_finish(r, done, conns, t0, c0);
    r->value = r->secs > 0 ? (double)done / r->secs : 0;
    r->truncated = truncated;
    r->streams = streams;
    if (rc == 0 && r->conns != 0)
      fprintf(stderr,
              "httpr-bench: %s: warning: %ld new connections besides the "
              "warm-up's (the streams did not all share one)\n",
              r->scenario, r->conns);
  }
  httpr_request_free(req);
  bench_client_close(&bc);
  return rc;
}

const struct bench_scenario bench_scenarios[] = {
    {"keepalive", "req/s", run_keepalive, NULL},
    {"handshake", "handshakes/s", run_handshake, NULL},
    {"resume", "handshakes/s", run_resume, NULL},
    {"bulk", "MB/s", run_bulk, NULL},
    {"h2-multiplex", "req/s", run_h2_multiplex, NULL},
    {"soak", "req/s", run_soak, NULL},
    {"concurrent", "req/s", bench_run_concurrent, NULL},
    {NULL, NULL, NULL, NULL}};
