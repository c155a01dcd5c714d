/* SPDX-License-Identifier: MIT */
/*
 * bench_concurrent.c - the contract's `concurrent` scenario: C keep-alive
 * HTTP/1.1 connections open at once on ONE thread, driven through the
 * library's event-loop API in socket mode (socket and timer callbacks)
 * with this program's own epoll set, as curlbench drives libcurl's
 * curl_multi_socket_action. Steps, as the contract numbers them:
 *
 *  1. rss_base_kb: the resident set once the client (its trust store) and
 *     the loop exist, before any connection or transfer;
 *  2. warm-up (untimed): C new connections, each with one checked GET of
 *     the small resource, at most RAMP set-ups in flight, left idle;
 *  3. rss_idle_kb and peak_idle_kb with the C connections idle;
 *  4. timed part: min(C, N) GETs in flight at all times on those
 *     connections (a finished transfer is replaced from its completion
 *     callback) until N completed; conns= counts new connections (0);
 *  5. RLIMIT_NOFILE raised to C + 256 first.
 *
 * Not in the contract: --mix-url with --mix-connections C2 adds a second
 * origin on the same client and loop (C2 more connections, warmed up
 * after the first C; each finished transfer is replaced by one to its
 * own origin), for a soak of cleartext and TLS together; --rss-every K
 * prints the resident set every K timed requests (the soak's curve).
 *
 * Fresh connections in the warm-up: its transfers ask for one each
 * (httpr_request_set_fresh_connection, libcurl's CURLOPT_FRESH_CONNECT),
 * RAMP at a time, and the pool keeps every one afterwards (max_idle C).
 *
 * Every response is checked: HTTP 200, the body bytes the library counted
 * equal to Content-Length, and the same length as the first response's;
 * the one body sink (shared by every transfer, one request object for
 * all) must have seen every byte at the end. Every wait is bounded: epoll
 * by at most 1 s, the warm-up by --max-seconds + 60 + C / 5 s, the timed
 * part by --max-seconds (then no new transfers; truncated=1) + 60 s.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#include "tools/bench/bench.h"

/* At most this many connection set-ups in flight during the warm-up, as
 * curlbench's CONC_RAMP. */
#define RAMP 128
/* Connect timeout of the scenario: C set-ups under valgrind take long. */
#define CONNECT_TIMEOUT_MS 300000L
/* Idle connections are kept a day, far beyond any run (libcurl's
 * CURLOPT_MAXAGE_CONN raised in curlbench). */
#define IDLE_MS 86400000L
/* Descriptors beyond C for everything else (as curlbench). */
#define SPARE_FDS 256
#define EPOLL_BATCH 512

struct conc;

/* The connections to one origin and the requests made for them: every
 * transfer's userdata, so that a finished one is replaced by its kind. */
struct group {
  struct conc *s;
  httpr_request *req;   /* the timed GET */
  httpr_request *fresh; /* the warm-up's: a new connection each */
  long c;               /* connections to open and keep */
  int warming;
};

struct conc {
  const char *scenario;
  httpr_client *client;
  httpr_loop *loop;
  httpr_error *err;
  int epfd;
  /* the library's timer: due at timer_at (bench_now_s) when armed */
  int timer_armed;
  double timer_at;
  /* counting, from the completion callback */
  long wants; /* socket callbacks asking for events, ever */
  int failed;
  long done;      /* transfers completed and checked in this part */
  long conns;     /* of them, on a new connection */
  int64_t length; /* the first response's Content-Length; -1 before */
  uint64_t body;  /* Content-Length summed over every checked response */
  /* the timed part: replace each finished transfer while refill */
  int refill;
  long started, target;
  long rss_every, rss_next; /* print the resident set at done = rss_next */
  struct bench_result *describe; /* the first response fills tls=, proto= */
};

/* ---- the library's callbacks into our epoll set -------------------------- */

static void on_socket(int fd, int events, void *ud) {
  struct conc *s = ud;
  if (events & HTTPR_POLL_REMOVE) {
    /* ENOENT when it was never added: fine. */
    epoll_ctl(s->epfd, EPOLL_CTL_DEL, fd, NULL);
    return;
  }
  s->wants++;
  struct epoll_event ev;
  memset(&ev, 0, sizeof(ev));
  ev.events = ((events & HTTPR_POLL_IN) ? EPOLLIN : 0u) |
              ((events & HTTPR_POLL_OUT) ? EPOLLOUT : 0u);
  ev.data.fd = fd;
  if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, fd, &ev) != 0 &&
      (errno != ENOENT || epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)) {
    fprintf(stderr, "httpr-bench: %s: epoll_ctl(fd %d): %s\n", s->scenario, fd,
            strerror(errno));
    s->failed = 1;
  }
}

static void on_timer(long timeout_ms, void *ud) {
  struct conc *s = ud;
  s->timer_armed = timeout_ms >= 0;
  s->timer_at = bench_now_s() + (double)timeout_ms / 1e3;
}

static int add_transfer(struct group *g);

static void on_done(httpr_transfer *xfer, httpr_code code, httpr_response *resp,
                    const httpr_error *err, void *ud) {
  (void)xfer;
  struct group *g = ud;
  struct conc *s = g->s;
  if (code != HTTPR_OK) {
    if (!s->failed)
      fprintf(stderr, "httpr-bench: %s: request failed: %s (%s)\n", s->scenario,
              httpr_error_message(err), httpr_code_name(code));
    s->failed = 1;
    return;
  }
  int64_t len = bench_check_response(s->scenario, resp);
  if (len >= 0 && s->length >= 0 && len != s->length) {
    fprintf(stderr,
            "httpr-bench: %s: Content-Length %lld, the first response "
            "had %lld\n",
            s->scenario, (long long)len, (long long)s->length);
    len = -1;
  }
  if (len < 0) {
    s->failed = 1;
  } else {
    s->length = len;
    s->body += (uint64_t)len;
    s->done++;
    if (!httpr_response_connection_reused(resp))
      s->conns++;
    if (s->describe) {
      bench_describe(resp, s->describe);
      s->describe = NULL;
    }
  }
  httpr_response_free(resp);
  if (s->rss_every && s->done == s->rss_next) {
    fprintf(stderr, "rss_curve done=%ld rss_kb=%ld\n", s->done, bench_rss_kb());
    s->rss_next += s->rss_every;
  }
  if (s->refill && !s->failed && s->started < s->target)
    add_transfer(g);
}

static int count_body(const void *data, size_t len, void *ud) {
  (void)data;
  struct bench_sink *sink = ud;
  sink->bytes += len;
  return 0;
}

static int add_transfer(struct group *g) {
  struct conc *s = g->s;
  const httpr_request *req = g->warming ? g->fresh : g->req;
  if (httpr_loop_add(s->loop, s->client, req, on_done, g, NULL, s->err) !=
      HTTPR_OK) {
    fprintf(stderr, "httpr-bench: %s: cannot add a transfer: %s (%s)\n",
            s->scenario, httpr_error_message(s->err),
            httpr_code_name(httpr_error_code(s->err)));
    s->failed = 1;
    return -1;
  }
  s->started++;
  return 0;
}

/* ---- driving ------------------------------------------------------------- */

/* Waits at most 1 s for a descriptor or the timer, then lets the loop act
 * on what is ready. *running: transfers still running. */
static void drive(struct conc *s, size_t *running) {
  struct epoll_event ev[EPOLL_BATCH];
  int wait = 1000;
  if (s->timer_armed) {
    double left = s->timer_at - bench_now_s();
    wait = left <= 0 ? 0 : left >= 1 ? 1000 : (int)(left * 1e3) + 1;
  }
  int n = epoll_wait(s->epfd, ev, EPOLL_BATCH, wait);
  if (n < 0 && errno != EINTR) {
    fprintf(stderr, "httpr-bench: %s: epoll_wait: %s\n", s->scenario,
            strerror(errno));
    s->failed = 1;
    return;
  }
  for (int i = 0; i < n; i++) {
    /* An error or hang-up: "unknown", the loop looks at what it waits
     * for. */
    int what = (ev[i].events & (EPOLLERR | EPOLLHUP))
                   ? 0
                   : ((ev[i].events & EPOLLIN) ? HTTPR_POLL_IN : 0) |
                         ((ev[i].events & EPOLLOUT) ? HTTPR_POLL_OUT : 0);
    httpr_loop_act(s->loop, ev[i].data.fd, what, running);
  }
  /* One-shot: the loop tells the timer again whenever it acted on it. */
  if (s->timer_armed && bench_now_s() >= s->timer_at) {
    s->timer_armed = 0;
    httpr_loop_act(s->loop, HTTPR_LOOP_TIMER, 0, running);
  }
}

/* After transfers were added: they start at the loop's next act, and
 * this one also says how many are running. */
static void kick(struct conc *s, size_t *running) {
  httpr_loop_act(s->loop, HTTPR_LOOP_TIMER, 0, running);
}

/* Drives the transfers just added until none runs, s fails, or `limit`
 * (bench_now_s) has passed; -1 (after a message) on failure or at the
 * limit. */
static int drive_until_idle(struct conc *s, double limit, const char *what) {
  size_t running;
  kick(s, &running);
  while (running > 0 && !s->failed) {
    drive(s, &running);
    if (running > 0 && bench_now_s() > limit) {
      fprintf(stderr,
              "httpr-bench: %s: %s: %zu transfers still running "
              "at the time limit\n",
              s->scenario, what, running);
      return -1;
    }
  }
  return s->failed ? -1 : 0;
}

/* ---- the scenario -------------------------------------------------------- */

static int raise_nofile(const char *scenario, long need) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
    fprintf(stderr, "httpr-bench: %s: getrlimit: %s\n", scenario,
            strerror(errno));
    return -1;
  }
  if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= (rlim_t)need)
    return 0;
  rlim_t hard = rl.rlim_max;
  rl.rlim_cur = (rlim_t)need;
  if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < (rlim_t)need)
    rl.rlim_max = (rlim_t)need; /* works only with the privilege */
  if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
    fprintf(stderr,
            "httpr-bench: %s: cannot raise RLIMIT_NOFILE to %ld (hard "
            "limit %llu): %s\n",
            scenario, need, (unsigned long long)hard, strerror(errno));
    return -1;
  }
  return 0;
}

/* The warm-up of one group: g->c new connections, RAMP set-ups at a
 * time, each with one checked GET; a wave is driven to its end before the
 * next is added. */
static int warm_up(struct group *g, double limit) {
  struct conc *s = g->s;
  long conns_before = s->conns;
  int rc = 0;
  g->warming = 1;
  for (long opened = 0; opened < g->c && rc == 0;) {
    long wave = g->c - opened < RAMP ? g->c - opened : RAMP;
    for (long k = 0; k < wave && rc == 0; k++)
      rc = add_transfer(g);
    if (rc == 0)
      rc = drive_until_idle(s, limit, "warm-up");
    opened += wave;
  }
  g->warming = 0;
  if (rc == 0 && s->conns - conns_before != g->c) {
    fprintf(stderr, "httpr-bench: %s: warm-up: %ld new connections, not %ld\n",
            s->scenario, s->conns - conns_before, g->c);
    rc = -1;
  }
  return rc;
}

/* The timed part: min(C, N) transfers in flight, each replaced from its
 * completion callback until N were started; fills r's counts and times.
 * Its own function, so that valgrind --toggle-collect=timed_part counts
 * it alone. */
__attribute__((noinline)) static int timed_part(struct conc *s,
                                                struct group *groups,
                                                int n_groups, long n,
                                                double max_seconds,
                                                struct bench_result *r) {
  s->done = s->conns = s->started = 0;
  s->target = n;
  s->refill = 1;
  s->rss_next = s->rss_every;
  double c0 = bench_cpu_s(), t0 = bench_now_s();
  for (int i = 0; i < n_groups; i++) {
    for (long k = 0; k < groups[i].c && s->started < n; k++) {
      if (add_transfer(&groups[i]) != 0)
        return -1;
    }
  }
  size_t running;
  kick(s, &running);
  while (running > 0 && !s->failed) {
    drive(s, &running);
    double el = bench_now_s() - t0;
    if (s->refill && el > max_seconds) {
      s->refill = 0;
      r->truncated = s->started < n;
    }
    if (running > 0 && el > max_seconds + 60) {
      fprintf(stderr,
              "httpr-bench: %s: %zu transfers still running 60 s after the "
              "time cap\n",
              s->scenario, running);
      return -1;
    }
  }
  bench_finish(r, s->done, s->conns, t0, c0);
  return 0;
}

/* The two requests of a group, to base_url; their sink (shared by all)
 * counts every body byte. 0, or -1 after a message. */
static int group_requests(struct group *g, struct bench_client *bc,
                          const char *base_url, const char *path) {
  g->req = bench_request(bc, base_url, path);
  g->fresh = g->req ? bench_request(bc, base_url, path) : NULL;
  if (!g->fresh ||
      httpr_request_set_response_sink(g->req, count_body, &bc->sink) ||
      httpr_request_set_response_sink(g->fresh, count_body, &bc->sink) ||
      httpr_request_set_fresh_connection(g->fresh, 1)) {
    fprintf(stderr, "httpr-bench: %s: cannot make the requests\n",
            bc->scenario);
    return -1;
  }
  return 0;
}

int bench_run_concurrent(const struct bench_opts *o, struct bench_result *r) {
  struct group groups[2] = {
      {.c = o->connections > 0 ? o->connections : 1000},
      {.c = o->mix_url ? o->mix_connections : 0},
  };
  const int n_groups = o->mix_url ? 2 : 1;
  const long c = groups[0].c + groups[1].c;
  const long n = o->n > 0 ? o->n : 20 * c;
  const struct bench_pool pool = {
      .max_idle = c,
      .resumption = 0, /* nginx does full handshakes anyway */
      .http = HTTPR_HTTP1_ONLY,
      .max_connections = (size_t)c,
      .idle_ms = IDLE_MS,
      .connect_timeout_ms = CONNECT_TIMEOUT_MS,
  };
  struct conc s = {.scenario = r->scenario,
                   .epfd = -1,
                   .length = -1,
                   .rss_every = o->rss_every};
  struct bench_client bc;
  int rc = -1;
  if (raise_nofile(r->scenario, c + SPARE_FDS) != 0)
    return -1;
  if (bench_client_open(&bc, o, r->scenario, o->url, &pool) != 0)
    return -1;
  snprintf(r->backend, sizeof(r->backend), "%s",
           httpr_client_provider(bc.client));
  s.client = bc.client;
  s.err = bc.err;
  const char *urls[2] = {o->url, o->mix_url};
  for (int i = 0; i < n_groups; i++) {
    groups[i].s = &s;
    if (group_requests(&groups[i], &bc, urls[i], o->small_path) != 0)
      goto done;
  }
  if ((s.epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
    fprintf(stderr, "httpr-bench: %s: epoll_create1: %s\n", r->scenario,
            strerror(errno));
    goto done;
  }
  if (httpr_loop_new(&s.loop, bc.err) != HTTPR_OK ||
      httpr_loop_set_socket_cb(s.loop, on_socket, &s) != HTTPR_OK ||
      httpr_loop_set_timer_cb(s.loop, on_timer, &s) != HTTPR_OK) {
    fprintf(stderr, "httpr-bench: %s: cannot make the loop\n", r->scenario);
    goto done;
  }

  /* 1. before any connection and any transfer */
  r->rss_base_kb = bench_rss_kb();

  /* 2. warm-up; the first response (to --url) describes the run */
  s.describe = r;
  double tw = bench_now_s();
  double limit = tw + o->max_seconds + 60 + 0.2 * (double)c;
  for (int i = 0; i < n_groups; i++) {
    if (warm_up(&groups[i], limit) != 0)
      goto done;
  }
  r->warmup_s = bench_now_s() - tw;

  /* 3. idle */
  r->rss_idle_kb = bench_rss_kb();
  r->peak_idle_kb = bench_peak_rss_kb();

  /* 4. timed part */
  if (timed_part(&s, groups, n_groups, n, o->max_seconds, r) != 0)
    goto done;
  if (s.failed)
    goto done;
  r->value = r->secs > 0 ? (double)s.done / r->secs : 0;
  r->rss_end_kb = bench_rss_kb();
  r->peak_run_kb = bench_peak_rss_kb();
  if (bc.sink.bytes != s.body) {
    fprintf(stderr,
            "httpr-bench: %s: the body sink saw %llu bytes, the responses "
            "say %llu\n",
            r->scenario, (unsigned long long)bc.sink.bytes,
            (unsigned long long)s.body);
    goto done;
  }
  if (s.conns != 0)
    fprintf(stderr,
            "httpr-bench: %s: warning: %ld new connections in the timed "
            "part\n",
            r->scenario, s.conns);
  r->has_concurrent = 1;
  r->connections = c;
  r->api = "httpr_loop_act+epoll";
  rc = 0;
done:
  /* Ends any transfer left (after a failure) without replacing it. */
  s.refill = 0;
  s.failed = 1;
  httpr_loop_free(s.loop);
  if (s.epfd >= 0)
    close(s.epfd);
  for (int i = 0; i < n_groups; i++) {
    httpr_request_free(groups[i].fresh);
    httpr_request_free(groups[i].req);
  }
  bench_client_close(&bc);
  return rc;
}
