/* SPDX-License-Identifier: MIT */
/*
 * bench.h - the parts of httpr-bench, the benchmark program of the README
 * ("Benchmarks"). It follows the command line and output contract of the
 * libcurl reference program (curlbench) so both run side by side, and does
 * the same work per operation: the same requests, the same checks of each
 * response, one untimed warm-up, the same counting.
 *
 * Only the public header is used: what this program measures is what an
 * application of libhttpr would get.
 */
#ifndef HTTPR_BENCH_H
#define HTTPR_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "api/httpr.h"

/* Exit codes. A failed scenario wins over an unsupported one; 4 is the
 * httpr CLI's exit code for HTTPR_E_UNSUPPORTED. */
#define BENCH_EXIT_OK 0
#define BENCH_EXIT_FAILED 1      /* a request or a check failed */
#define BENCH_EXIT_USAGE 2       /* bad command line */
#define BENCH_EXIT_UNSUPPORTED 4 /* not in this release */

/* soak: the most threads --threads accepts; h2-multiplex: the most
 * streams -m accepts (one thread each). */
#define BENCH_MAX_THREADS 256
/* concurrent: the most connections -c accepts (each a descriptor; the
 * program raises its own limit to C + 256). */
#define BENCH_MAX_CONNECTIONS 1000000

/* The command line. Strings point into argv. */
struct bench_opts {
  const char *url;        /* base URL of keepalive, handshake, bulk */
  const char *h2_url;     /* base URL of h2-multiplex */
  const char *cacert;     /* trust exactly this file; NULL: system store */
  const char *connect_ip; /* connect here for the URL's host and port */
  const char *small_path; /* keepalive, handshake, warm-ups */
  const char *big_path;   /* bulk */
  const char *backend;    /* NULL: HTTPR_TLS_BACKEND, else build default */
  long n;                 /* operations; 0: the scenario's default */
  long streams;           /* h2-multiplex streams in flight */
  long threads;           /* soak: threads sharing the one client */
  long connections;       /* concurrent: connections open at once */
  const char *mix_url;    /* concurrent: a second origin, or NULL */
  long mix_connections;   /* concurrent: connections open to mix_url */
  long rss_every;         /* concurrent: an RSS line every K requests; 0 */
  double max_seconds;     /* cap of each timed part */
  int insecure;           /* no certificate verification */
  int show_version;
  int show_help;
};

/* Parses argv (options before or after the scenarios; the last occurrence
 * of an option wins). Returns the argv index of the first scenario name,
 * argc when there is none, or -1 after printing a usage error. */
int bench_parse_args(int argc, char **argv, struct bench_opts *o);
void bench_usage(FILE *f);

/* What one completed scenario reports. */
struct bench_result {
  const char *scenario;
  const char *unit;
  double value;
  long n_done;   /* operations completed in the timed part */
  double secs;   /* timed wall seconds */
  double cpu_s;  /* user+sys CPU seconds in the timed part */
  long conns;    /* new connections in the timed part */
  int truncated; /* --max-seconds cut the run short */
  /* Extra keys, printed only by the scenarios that set has_*: */
  int has_resumed;
  long resumed; /* resume: new connections whose handshake resumed */
  long streams; /* h2-multiplex: streams in flight (one thread each); 0
                   for the other scenarios */
  int has_soak;
  long threads;     /* soak: threads sharing the client */
  long rss_warm_kb; /* soak: resident set after the first 10% */
  long rss_end_kb;  /* soak, concurrent: resident set at the end */
  /* concurrent (see bench_concurrent.c), with rss_end_kb: */
  int has_concurrent;
  long connections;  /* C */
  const char *api;   /* how the loop was driven */
  long rss_base_kb;  /* resident before any connection or transfer */
  long rss_idle_kb;  /* resident with the C connections open and idle */
  long peak_idle_kb; /* ru_maxrss then */
  long peak_run_kb;  /* ru_maxrss after the timed part */
  double warmup_s;   /* seconds to open the C connections */
  char backend[32];
  char proto[16];
  char tls[128];
};

/* A scenario runner: 0 with r filled, or -1 after a message on stderr. */
typedef int (*bench_run_fn)(const struct bench_opts *o, struct bench_result *r);

/* The scenarios of the contract, NULL-terminated by name. `run` is NULL
 * for one this release cannot run; `why_not` then says why. */
struct bench_scenario {
  const char *name;
  const char *unit;
  bench_run_fn run;
  const char *why_not;
};
extern const struct bench_scenario bench_scenarios[];

/* ---- the client and one checked GET (bench_client.c) ---- */

/* Counts the body bytes the library delivers and throws them away, as
 * curlbench's write callback does: no copy, no buffer. */
struct bench_sink {
  uint64_t bytes;
};

/* One thread's use of a client: the client may be shared (it is
 * thread-safe), the error object and the sink are the thread's own. */
struct bench_client {
  httpr_client *client;
  int owns_client;        /* 0 for a worker sharing another's client */
  httpr_error *err;       /* reused by every call */
  const char *scenario;   /* for messages */
  struct bench_sink sink; /* the body sink of every request made here */
};

/* How a scenario wants its connections made. */
struct bench_pool {
  long max_idle;  /* < 0: the library's default pool; 0: every connection
                     is closed after its response, so each request makes a
                     new one (the trust store is still parsed once, by the
                     one client) */
  int resumption; /* offer the last TLS session on a new connection */
  httpr_http_policy http; /* what ALPN offers: HTTP/1.1 only, as curlbench
                             forces for every scenario but h2-multiplex,
                             which offers h2 and http/1.1 as libcurl's
                             CURL_HTTP_VERSION_2TLS */
  /* 0 for each of these: the library's default. */
  size_t max_connections;  /* per origin and in total (concurrent: C) */
  long idle_ms;            /* how long an idle connection is kept */
  long connect_timeout_ms; /* 0: the bench's own (10 s) */
};

/* Builds a client from the options for requests to base_url. */
int bench_client_open(struct bench_client *bc, const struct bench_opts *o,
                      const char *scenario, const char *base_url,
                      const struct bench_pool *pool);
/* A worker on `shared`'s client with its own error object and sink, for
 * another thread. 0, or -1 after a message. */
int bench_client_worker(struct bench_client *w,
                        const struct bench_client *shared);
/* Frees the error object, and the client when bc owns it. */
void bench_client_close(struct bench_client *bc);

/* A GET of base_url + path whose body goes to bc's sink; NULL after a
 * message. Made once per scenario and sent many times. */
httpr_request *bench_request(struct bench_client *bc, const char *base_url,
                             const char *path);

/* What the responses of a timed part came on. */
struct bench_counts {
  long conns;   /* new connections */
  long resumed; /* new connections whose TLS handshake resumed a session */
};

/* Sends req and checks the response: HTTP 200 and exactly Content-Length
 * body bytes. Counts its connection in *c, and describes the TLS session
 * and protocol in r when r is not NULL (the warm-up). Returns 0, or -1
 * after a message on stderr. */
int bench_get(struct bench_client *bc, const httpr_request *req,
              struct bench_counts *c, struct bench_result *r);

/* The same check for a response whose body went to a sink shared by many
 * transfers: HTTP 200 and httpr_response_body_bytes equal to its
 * Content-Length. Returns the Content-Length, or -1 after a message. */
int64_t bench_check_response(const char *scenario, const httpr_response *resp);

/* Fills r's tls= and proto= from the response's connection. */
void bench_describe(const httpr_response *resp, struct bench_result *r);

/* ---- concurrent (bench_concurrent.c) ---- */

/* C keep-alive HTTP/1.1 connections at once on the event-loop API. */
int bench_run_concurrent(const struct bench_opts *o, struct bench_result *r);

/* ---- measuring (bench_meter.c) ---- */

/* Within a timed loop the clock is read every BENCH_CLOCK_EVERY
 * operations, as curlbench does, so the --max-seconds check costs the
 * same in both programs. */
#define BENCH_CLOCK_EVERY 16

/* Fills the parts of a result every scenario fills the same way: n_done,
 * conns, and secs and cpu_s since the marks t0 (bench_now_s) and c0
 * (bench_cpu_s) taken when the timed part began. */
void bench_finish(struct bench_result *r, long done, long conns, double t0,
                  double c0);

double bench_now_s(void);
double bench_cpu_s(void); /* user + system CPU of the process so far */
long bench_peak_rss_kb(void);
/* The resident set now (not the peak), kB; 0 when it cannot be read. */
long bench_rss_kb(void);
/* "OpenSSL 3.0.11 19 Sep 2023" -> "OpenSSL/3.0.11": the provider's library
 * version in curl's form, without spaces. */
void bench_tlslib(const char *provider, char *out, size_t cap);

#endif
