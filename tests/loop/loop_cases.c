/* SPDX-License-Identifier: MIT */
/*
 * loop_cases.c - the transfers every event-loop test runs, and the checks.
 * Proves, for the loop a driver brings (loop_cases.h), that the public
 * event-loop API runs 1,000 mixed transfers (100 under valgrind) on one
 * thread and ends each exactly once with the right outcome:
 *
 *  - HTTP/1.1 (TLS and cleartext) and HTTP/2 GETs of small and large
 *    bodies into memory and into a body sink, every byte compared with the
 *    test server's pattern; POSTs from memory and from a body callback
 *    (chunked and with a length), echoed back and compared (over HTTP/2 by
 *    the server's length and FNV-1a digest too);
 *  - failures on purpose, each with its exact code: an untrusted chain and
 *    a wrong host name (and their messages), a connection closed in the
 *    middle of a response head, an HTTP/2 stream reset, a total timeout
 *    against a /delay route (which only the loop's timer can end), and
 *    cancels: one before the transfer ran, one from inside another
 *    transfer's completion callback, one from inside its own body sink
 *    (each completing from inside httpr_transfer_cancel, as documented);
 *  - every callback (completion, socket, timer, sink, body read) on the
 *    test's thread and only inside a call into the library; the socket
 *    callback called only for a change, for open descriptors, and every
 *    watched descriptor removed by the time the loop is freed; the running
 *    count httpr_loop_act reports equal to the test's own;
 *  - several clients (one per server profile or option set) in one loop,
 *    at most 100 transfers in flight, new ones added from completion
 *    callbacks; every run bounded by a deadline (60 s times
 *    HTTPR_TEST_TIMEOUT_MULTIPLIER) and a count of turns, after which the
 *    test fails instead of hanging.
 *
 * The test servers are the conformance suite's (tests/conformance/server.c
 * and spawn.c, linked in), so this file defines the g_suite they read.
 */
#include "tests/loop/loop_cases.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/conformance/suite.h"
#include "tests/test_timeout.h"

struct suite g_suite;

#define MAX_IN_FLIGHT 100
#define MAX_FD 65536
#define MAX_TURNS 2000000UL
#define MAX_FAILURES_SHOWN 30
#define LARGE 262147 /* bytes: many reads, and not a whole period */
#define POST_MAX 70001
#define TURN_WAIT_MS 100

/* ---- the clients and cases ----------------------------------------------- */

enum lc_client {
  CL_H1,      /* good-ecdsa, HTTP/1.1 over TLS */
  CL_H2,      /* the h2 profile: HTTP/2 */
  CL_PLAIN,   /* cleartext HTTP/1.1 */
  CL_BADCERT, /* the untrusted and wrong-host profiles */
  CL_TIMEOUT, /* a short total timeout */
  CL_COUNT
};

enum lc_body { BODY_NONE, BODY_MEMORY, BODY_CALLBACK, BODY_CHUNKED };
enum lc_check { CHECK_NONE, CHECK_PATTERN, CHECK_ECHO_H1, CHECK_ECHO_H2 };
enum lc_cancel {
  CANCEL_NONE,
  CANCEL_BEFORE_RUN,
  CANCEL_FROM_OTHER,
  CANCEL_FROM_SINK
};

struct lc_case {
  const char *name;
  enum lc_client client;
  enum profile profile;
  const char *method;
  const char *path; /* ending in '/': arg follows */
  long arg;         /* body size, or a delay in ms (stretched) */
  int arg_is_delay;
  enum lc_body body;
  long body_len;
  int into_sink;
  enum lc_cancel cancel;
  httpr_code code;
  int status;  /* of a success */
  int version; /* httpr_http_version of a success */
  enum lc_check check;
  long check_len;      /* body bytes a success brings */
  const char *message; /* the exact error message, or NULL */
  int weight;          /* slots of the 50 in the schedule */
};

/* What the victims of a cancel would get if they were not cancelled: a
 * success after 4 s (stretched); the timeout cases a server answer well
 * after the client's total timeout. */
#define VICTIM_DELAY_MS 4000
#define TIMEOUT_MS 300
#define TIMEOUT_DELAY_MS 3000

static const struct lc_case cases[] = {
    {"h1 small GET", CL_H1, SRV_GOOD_ECDSA, "GET", "/bytes/", 100, 0, BODY_NONE,
     0, 0, CANCEL_NONE, HTTPR_OK, 200, HTTPR_HTTP_1_1, CHECK_PATTERN, 100, NULL,
     6},
    {"h1 large GET", CL_H1, SRV_GOOD_ECDSA, "GET", "/bytes/", LARGE, 0,
     BODY_NONE, 0, 0, CANCEL_NONE, HTTPR_OK, 200, HTTPR_HTTP_1_1, CHECK_PATTERN,
     LARGE, NULL, 3},
    {"h1 large GET to a sink", CL_H1, SRV_GOOD_ECDSA, "GET", "/bytes/", LARGE,
     0, BODY_NONE, 0, 1, CANCEL_NONE, HTTPR_OK, 200, HTTPR_HTTP_1_1,
     CHECK_PATTERN, LARGE, NULL, 3},
    {"h2 small GET", CL_H2, SRV_H2, "GET", "/bytes/", 1000, 0, BODY_NONE, 0, 0,
     CANCEL_NONE, HTTPR_OK, 200, HTTPR_HTTP_2, CHECK_PATTERN, 1000, NULL, 7},
    {"h2 large GET", CL_H2, SRV_H2, "GET", "/bytes/", LARGE, 0, BODY_NONE, 0, 0,
     CANCEL_NONE, HTTPR_OK, 200, HTTPR_HTTP_2, CHECK_PATTERN, LARGE, NULL, 3},
    {"h2 large GET to a sink", CL_H2, SRV_H2, "GET", "/bytes/", LARGE, 0,
     BODY_NONE, 0, 1, CANCEL_NONE, HTTPR_OK, 200, HTTPR_HTTP_2, CHECK_PATTERN,
     LARGE, NULL, 3},
    {"cleartext chunked GET", CL_PLAIN, SRV_PLAIN, "GET", "/chunked/", 54321, 0,
     BODY_NONE, 0, 0, CANCEL_NONE, HTTPR_OK, 200, HTTPR_HTTP_1_1, CHECK_PATTERN,
     54321, NULL, 4},
    {"h1 POST from memory", CL_H1, SRV_GOOD_ECDSA, "POST", "/echo", 0, 0,
     BODY_MEMORY, 3000, 0, CANCEL_NONE, HTTPR_OK, 200, HTTPR_HTTP_1_1,
     CHECK_ECHO_H1, 3000, NULL, 3},
    {"cleartext chunked POST from a callback", CL_PLAIN, SRV_PLAIN, "POST",
     "/echo", 0, 0, BODY_CHUNKED, POST_MAX, 0, CANCEL_NONE, HTTPR_OK, 200,
     HTTPR_HTTP_1_1, CHECK_ECHO_H1, POST_MAX, NULL, 2},
    {"h2 POST from memory", CL_H2, SRV_H2, "POST", "/echo", 0, 0, BODY_MEMORY,
     5000, 0, CANCEL_NONE, HTTPR_OK, 200, HTTPR_HTTP_2, CHECK_ECHO_H2, 5000,
     NULL, 3},
    {"h2 POST from a callback", CL_H2, SRV_H2, "POST", "/echo", 0, 0,
     BODY_CALLBACK, POST_MAX, 0, CANCEL_NONE, HTTPR_OK, 200, HTTPR_HTTP_2,
     CHECK_ECHO_H2, POST_MAX, NULL, 2},
    {"untrusted certificate", CL_BADCERT, SRV_UNTRUSTED, "GET", "/bytes/", 10,
     0, BODY_NONE, 0, 0, CANCEL_NONE, HTTPR_E_CERT_UNTRUSTED, 0, 0, CHECK_NONE,
     0,
     "certificate verify failed: self-signed certificate in certificate "
     "chain",
     1},
    {"wrong host certificate", CL_BADCERT, SRV_WRONGHOST, "GET", "/bytes/", 10,
     0, BODY_NONE, 0, 0, CANCEL_NONE, HTTPR_E_CERT_HOSTNAME, 0, 0, CHECK_NONE,
     0,
     "certificate verify failed: certificate does not match host name "
     "'localhost'",
     1},
    {"h1 connection closed mid-head", CL_H1, SRV_GOOD_ECDSA, "GET",
     "/close-mid-headers", 0, 0, BODY_NONE, 0, 0, CANCEL_NONE, HTTPR_E_RECV, 0,
     0, CHECK_NONE, 0, NULL, 1},
    {"h2 stream reset", CL_H2, SRV_H2, "GET", "/h2/rst", 0, 0, BODY_NONE, 0, 0,
     CANCEL_NONE, HTTPR_E_PROTOCOL, 0, 0, CHECK_NONE, 0, NULL, 1},
    {"h1 total timeout", CL_TIMEOUT, SRV_PLAIN, "GET", "/delay/",
     TIMEOUT_DELAY_MS, 1, BODY_NONE, 0, 0, CANCEL_NONE, HTTPR_E_TIMEOUT, 0, 0,
     CHECK_NONE, 0, NULL, 1},
    {"h2 total timeout", CL_TIMEOUT, SRV_H2, "GET", "/delay/", TIMEOUT_DELAY_MS,
     1, BODY_NONE, 0, 0, CANCEL_NONE, HTTPR_E_TIMEOUT, 0, 0, CHECK_NONE, 0,
     NULL, 1},
    {"cancelled before it ran", CL_H1, SRV_GOOD_ECDSA, "GET", "/bytes/", 100, 0,
     BODY_NONE, 0, 0, CANCEL_BEFORE_RUN, HTTPR_E_CANCELLED, 0, 0, CHECK_NONE, 0,
     NULL, 1},
    {"h1 cancelled from another's completion", CL_H1, SRV_GOOD_ECDSA, "GET",
     "/delay/", VICTIM_DELAY_MS, 1, BODY_NONE, 0, 0, CANCEL_FROM_OTHER,
     HTTPR_E_CANCELLED, 0, 0, CHECK_NONE, 0, NULL, 1},
    {"h2 cancelled from another's completion", CL_H2, SRV_H2, "GET", "/delay/",
     VICTIM_DELAY_MS, 1, BODY_NONE, 0, 0, CANCEL_FROM_OTHER, HTTPR_E_CANCELLED,
     0, 0, CHECK_NONE, 0, NULL, 1},
    {"h1 cancelled from its own sink", CL_H1, SRV_GOOD_ECDSA, "GET", "/bytes/",
     LARGE, 0, BODY_NONE, 0, 1, CANCEL_FROM_SINK, HTTPR_E_CANCELLED, 0, 0,
     CHECK_NONE, 0, NULL, 1},
    {"h2 cancelled from its own sink", CL_H2, SRV_H2, "GET", "/bytes/", LARGE,
     0, BODY_NONE, 0, 1, CANCEL_FROM_SINK, HTTPR_E_CANCELLED, 0, 0, CHECK_NONE,
     0, NULL, 1},
};
#define N_CASES (sizeof(cases) / sizeof(cases[0]))
#define SCHEDULE_SLOTS 50

/* ---- one transfer and one run -------------------------------------------- */

struct lc_xfer {
  struct lc_run *run;
  const struct lc_case *c;
  size_t index;
  httpr_request *req;
  httpr_transfer *handle;
  int done_count;
  int done_in_cancel; /* the completion ran inside its own cancel call */
  int cancel_called;
  int cancel_pending; /* cancelled from a callback, not yet ended */
  unsigned long turn_added;
  double started;
  uint64_t sink_bytes;
  int sink_bad; /* a sink byte differed from the pattern */
  int sink_after_done;
  int sink_in_add;           /* the sink ran inside httpr_loop_add */
  size_t posted;             /* body bytes handed out by the read callback */
  struct lc_xfer *next_free; /* requests to free once out of the library */
};

struct lc_watch {
  int events; /* 0: not watched */
  void *slot;
};

struct lc_run {
  const struct lc_driver *drv;
  const char *prog;
  void *state;
  httpr_loop *loop;
  httpr_client *const *clients;
  struct lc_xfer *xfers;
  size_t total, next, in_flight, completed;
  int in_lib;                 /* depth of calls into the library */
  int in_cb;                  /* depth of completion and body callbacks */
  size_t cancels_pending;     /* transfers with cancel_pending */
  int in_add;                 /* inside httpr_loop_add */
  int closing;                /* httpr_loop_free: no new transfers */
  struct lc_xfer *cancelling; /* the transfer whose cancel call runs */
  struct lc_xfer *to_free;
  pthread_t thread;
  struct lc_watch *watches;
  size_t watched;
  unsigned long turns, socket_calls, timer_calls;
  unsigned long failures;
};

static double now_s_(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void lc_fail(struct lc_run *run, const char *fmt, ...) {
  run->failures++;
  if (run->failures > MAX_FAILURES_SHOWN) {
    if (run->failures == MAX_FAILURES_SHOWN + 1)
      fprintf(stderr, "%s[%s] %s: more failures not shown\n", run->prog,
              g_suite.provider, run->drv->name);
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "%s[%s] %s: FAIL: ", run->prog, g_suite.provider,
          run->drv->name);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

/* Every callback: on the test's thread, inside a call into the library. */
static void check_callback(struct lc_run *run, const char *what) {
  if (!pthread_equal(pthread_self(), run->thread))
    lc_fail(run, "%s callback on another thread", what);
  if (run->in_lib <= 0)
    lc_fail(run, "%s callback outside any call into the library", what);
}

static void enter(struct lc_run *run) { run->in_lib++; }

/* Back from the library: the requests of finished transfers may go now
 * (a request must outlive its transfer, which lasts until its completion
 * callback returns). */
static void leave(struct lc_run *run) {
  if (--run->in_lib > 0)
    return;
  while (run->to_free) {
    struct lc_xfer *x = run->to_free;
    run->to_free = x->next_free;
    httpr_request_free(x->req);
    x->req = NULL;
  }
}

/* ---- bodies -------------------------------------------------------------- */

static unsigned char pattern_byte(uint64_t i) {
  return (unsigned char)('a' + i % 26);
}

static unsigned char post_byte(size_t i) {
  return (unsigned char)('A' + i % 23);
}

static unsigned char g_post[POST_MAX];

static uint64_t fnv1a64(const unsigned char *p, size_t n) {
  uint64_t v = 14695981039346656037ULL;
  for (size_t i = 0; i < n; i++) {
    v ^= p[i];
    v *= 1099511628211ULL;
  }
  return v;
}

/* Cancels x. From the test's own code its completion runs inside the
 * call; from a completion or body callback, once that callback has
 * returned and before the httpr_loop_act or httpr_loop_perform around it
 * returns (checked there: end_of_call). */
static void cancel_now(struct lc_run *run, struct lc_xfer *x) {
  struct lc_xfer *outer = run->cancelling;
  int from_callback = run->in_cb > 0;
  x->cancel_called = 1;
  run->cancelling = x;
  enter(run);
  httpr_transfer_cancel(x->handle);
  leave(run);
  run->cancelling = outer;
  if (!from_callback) {
    if (x->done_count != 1 || !x->done_in_cancel)
      lc_fail(run, "#%zu %s: not completed inside httpr_transfer_cancel",
              x->index, x->c->name);
  } else if (!x->done_count) {
    x->cancel_pending = 1;
    run->cancels_pending++;
  }
}

/* After an httpr_loop_act or httpr_loop_perform: every transfer cancelled
 * from one of its callbacks has ended. */
static void end_of_call(struct lc_run *run, const char *what) {
  if (run->in_lib > 0 || !run->cancels_pending)
    return;
  for (size_t i = 0; i < run->next; i++) {
    struct lc_xfer *x = &run->xfers[i];
    if (x->cancel_pending) {
      lc_fail(run,
              "#%zu %s: cancelled from a callback, still running when "
              "%s returned",
              x->index, x->c->name, what);
      x->cancel_pending = 0;
    }
  }
  run->cancels_pending = 0;
}

static int sink_cb(const void *data, size_t len, void *userdata) {
  struct lc_xfer *x = userdata;
  struct lc_run *run = x->run;
  check_callback(run, "body sink");
  x->sink_in_add |= run->in_add;
  if (x->done_count || x->cancel_called) {
    x->sink_after_done = 1;
    return 0;
  }
  const unsigned char *p = data;
  for (size_t i = 0; i < len && !x->sink_bad; i++)
    x->sink_bad = p[i] != pattern_byte(x->sink_bytes + i);
  x->sink_bytes += len;
  if (x->c->cancel == CANCEL_FROM_SINK) {
    run->in_cb++;
    cancel_now(run, x);
    run->in_cb--;
  }
  return 0;
}

static long read_cb(void *buf, size_t cap, void *userdata) {
  struct lc_xfer *x = userdata;
  check_callback(x->run, "body read");
  if (x->done_count) {
    lc_fail(x->run, "#%zu %s: body read after completion", x->index,
            x->c->name);
    return -1;
  }
  size_t left = (size_t)x->c->body_len - x->posted;
  size_t n = left < cap ? left : cap;
  /* Pieces of at most 7000 bytes, so a body takes several calls. */
  if (n > 7000)
    n = 7000;
  memcpy(buf, g_post + x->posted, n);
  x->posted += n;
  return (long)n;
}

/* ---- checking an outcome ------------------------------------------------- */

static void check_pattern(struct lc_xfer *x, const httpr_response *resp) {
  struct lc_run *run = x->run;
  size_t len = 0;
  const unsigned char *body = httpr_response_body(resp, &len);
  uint64_t want = (uint64_t)x->c->check_len;
  if (httpr_response_body_bytes(resp) != want)
    lc_fail(run, "#%zu %s: %llu body bytes, expected %llu", x->index,
            x->c->name, (unsigned long long)httpr_response_body_bytes(resp),
            (unsigned long long)want);
  if (x->c->into_sink) {
    if (len != 0 || x->sink_bytes != want || x->sink_bad)
      lc_fail(run, "#%zu %s: sink got %llu bytes%s (expected %llu), memory %zu",
              x->index, x->c->name, (unsigned long long)x->sink_bytes,
              x->sink_bad ? " not of the pattern" : "",
              (unsigned long long)want, len);
    return;
  }
  if (len != want) {
    lc_fail(run, "#%zu %s: body of %zu bytes, expected %llu", x->index,
            x->c->name, len, (unsigned long long)want);
    return;
  }
  for (size_t i = 0; i < len; i++) {
    if (body[i] != pattern_byte(i)) {
      lc_fail(run, "#%zu %s: body byte %zu is 0x%02x, expected 0x%02x",
              x->index, x->c->name, i, body[i], pattern_byte(i));
      return;
    }
  }
}

/* HTTP/1.1's /echo: "POST /echo\n", the header lines, a blank line, the
 * body as received. */
static void check_echo_h1(struct lc_xfer *x, const httpr_response *resp) {
  size_t len = 0;
  const char *text = (const char *)httpr_response_body(resp, &len);
  const char *sep = memmem(text, len, "\n\n", 2);
  size_t want = (size_t)x->c->body_len;
  if (len < 11 || memcmp(text, "POST /echo\n", 11) != 0 || !sep ||
      (size_t)(text + len - (sep + 2)) != want ||
      memcmp(sep + 2, g_post, want) != 0)
    lc_fail(x->run,
            "#%zu %s: the echo (%zu bytes) is not of the %zu bytes "
            "posted",
            x->index, x->c->name, len, want);
}

/* HTTP/2's /echo: the body back, its length and digest in headers. */
static void check_echo_h2(struct lc_xfer *x, const httpr_response *resp) {
  size_t len = 0;
  const unsigned char *body = httpr_response_body(resp, &len);
  size_t want = (size_t)x->c->body_len;
  char len_s[24], digest[24];
  snprintf(len_s, sizeof(len_s), "%zu", want);
  snprintf(digest, sizeof(digest), "%016llx",
           (unsigned long long)fnv1a64(g_post, want));
  const char *got_len = httpr_response_header(resp, "x-body-length", 0);
  const char *got_digest = httpr_response_header(resp, "x-body-fnv1a64", 0);
  const char *method = httpr_response_header(resp, "x-method", 0);
  if (len != want || memcmp(body, g_post, want) != 0 || !got_len ||
      strcmp(got_len, len_s) != 0 || !got_digest ||
      strcmp(got_digest, digest) != 0 || !method || strcmp(method, "POST"))
    lc_fail(x->run,
            "#%zu %s: echo of %zu bytes, length '%s' digest '%s' method "
            "'%s', expected %zu bytes, '%s' '%s' 'POST'",
            x->index, x->c->name, len, got_len ? got_len : "(none)",
            got_digest ? got_digest : "(none)", method ? method : "(none)",
            want, len_s, digest);
}

static void check_outcome(struct lc_xfer *x, httpr_code code,
                          const httpr_response *resp, const httpr_error *err) {
  struct lc_run *run = x->run;
  const struct lc_case *c = x->c;
  if (code != c->code) {
    lc_fail(run, "#%zu %s: %s (%s), expected %s", x->index, c->name,
            httpr_code_name(code), err ? httpr_error_message(err) : "no error",
            httpr_code_name(c->code));
    return;
  }
  if (code != HTTPR_OK) {
    if (resp)
      lc_fail(run, "#%zu %s: a response with %s", x->index, c->name,
              httpr_code_name(code));
    if (!err || httpr_error_code(err) != code || !*httpr_error_message(err))
      lc_fail(run, "#%zu %s: the error object does not say %s", x->index,
              c->name, httpr_code_name(code));
    else if (c->message && strcmp(httpr_error_message(err), c->message) != 0)
      lc_fail(run, "#%zu %s: message '%s', expected '%s'", x->index, c->name,
              httpr_error_message(err), c->message);
    if (code == HTTPR_E_TIMEOUT) {
      /* Only the timer can end it: the server answers much later. */
      double took = now_s_() - x->started;
      double limit = (double)test_timeout_ms(TIMEOUT_MS) / 1000.0;
      double answer = (double)test_timeout_ms(TIMEOUT_DELAY_MS) / 1000.0;
      if (took < limit - 0.01 || took >= answer)
        lc_fail(run, "#%zu %s: timed out after %.3f s, limit %.3f s", x->index,
                c->name, took, limit);
    }
    return;
  }
  if (!resp) {
    lc_fail(run, "#%zu %s: HTTPR_OK without a response", x->index, c->name);
    return;
  }
  if (httpr_response_status(resp) != c->status ||
      (int)httpr_response_http_version(resp) != c->version)
    lc_fail(run, "#%zu %s: status %d over version %d, expected %d over %d",
            x->index, c->name, httpr_response_status(resp),
            (int)httpr_response_http_version(resp), c->status, c->version);
  switch (c->check) {
  case CHECK_PATTERN:
    check_pattern(x, resp);
    break;
  case CHECK_ECHO_H1:
    check_echo_h1(x, resp);
    break;
  case CHECK_ECHO_H2:
    check_echo_h2(x, resp);
    break;
  case CHECK_NONE:
    break;
  }
}

/* ---- adding, completing, cancelling -------------------------------------- */

static void add_more(struct lc_run *run);

/* The first victim (cancel from another's completion) added in an earlier
 * turn and still running, or NULL. */
static struct lc_xfer *victim_ready(struct lc_run *run) {
  for (size_t i = 0; i < run->next; i++) {
    struct lc_xfer *v = &run->xfers[i];
    if (v->c->cancel == CANCEL_FROM_OTHER && !v->done_count &&
        !v->cancel_called && v->handle && v->turn_added < run->turns)
      return v;
  }
  return NULL;
}

static void done_cb(httpr_transfer *xfer, httpr_code code, httpr_response *resp,
                    const httpr_error *err, void *userdata) {
  struct lc_xfer *x = userdata;
  struct lc_run *run = x->run;
  check_callback(run, "completion");
  if (run->in_add)
    lc_fail(run, "#%zu %s: completed inside httpr_loop_add", x->index,
            x->c->name);
  if (xfer != x->handle)
    lc_fail(run, "#%zu %s: completion with another handle", x->index,
            x->c->name);
  if (++x->done_count > 1) {
    lc_fail(run, "#%zu %s: completed %d times", x->index, x->c->name,
            x->done_count);
    httpr_response_free(resp);
    return;
  }
  x->done_in_cancel = run->cancelling == x;
  if (x->cancel_pending) {
    x->cancel_pending = 0;
    run->cancels_pending--;
  }
  run->in_flight--;
  run->completed++;
  check_outcome(x, code, resp, err);
  httpr_response_free(resp);
  x->next_free = run->to_free;
  run->to_free = x;
  if (run->closing)
    return;
  run->in_cb++;
  if (x->c->cancel != CANCEL_FROM_OTHER) {
    struct lc_xfer *v = victim_ready(run);
    if (v)
      cancel_now(run, v);
  }
  add_more(run);
  run->in_cb--;
}

static httpr_code make_request(struct lc_xfer *x, httpr_error *err) {
  const struct lc_case *c = x->c;
  char path[64];
  long arg = c->arg_is_delay ? test_timeout_ms(c->arg) : c->arg;
  size_t plen = strlen(c->path);
  if (plen && c->path[plen - 1] == '/')
    snprintf(path, sizeof(path), "%s%ld", c->path, arg);
  else
    snprintf(path, sizeof(path), "%s", c->path);
  const char *scheme = c->profile == SRV_PLAIN ? "http" : "https";
  char url[128];
  snprintf(url, sizeof(url), "%s://localhost:%d%s", scheme,
           server_port(c->profile), path);
  httpr_code rc = httpr_request_new(&x->req, c->method, url, err);
  if (rc == HTTPR_OK && c->body == BODY_MEMORY)
    rc = httpr_request_set_body(x->req, g_post, (size_t)c->body_len);
  if (rc == HTTPR_OK && (c->body == BODY_CALLBACK || c->body == BODY_CHUNKED))
    rc = httpr_request_set_body_callback(
        x->req, read_cb, x, c->body == BODY_CHUNKED ? -1 : c->body_len);
  if (rc == HTTPR_OK && c->into_sink)
    rc = httpr_request_set_response_sink(x->req, sink_cb, x);
  return rc;
}

/* Case of transfer i: the schedule's slots visited with a stride prime to
 * 50, so the kinds mix and every 50 transfers hold each slot once. */
static const struct lc_case *case_of(size_t i) {
  static const struct lc_case *slots[SCHEDULE_SLOTS];
  static size_t filled;
  if (!filled) {
    int sum = 0;
    for (size_t k = 0; k < N_CASES; k++)
      sum += cases[k].weight;
    if (sum != SCHEDULE_SLOTS) {
      fprintf(stderr, "loop_cases: weights add up to %d, not %d\n", sum,
              SCHEDULE_SLOTS);
      exit(2);
    }
    for (size_t k = 0; k < N_CASES; k++)
      for (int w = 0; w < cases[k].weight; w++)
        slots[filled++] = &cases[k];
  }
  return slots[(i * 17 + 3) % SCHEDULE_SLOTS];
}

static void add_one(struct lc_run *run) {
  struct lc_xfer *x = &run->xfers[run->next];
  memset(x, 0, sizeof(*x));
  x->run = run;
  x->index = run->next++;
  x->c = case_of(x->index);
  x->turn_added = run->turns;
  x->started = now_s_();
  httpr_error *err = httpr_error_new();
  httpr_code rc = err ? make_request(x, err) : HTTPR_E_NOMEM;
  if (rc == HTTPR_OK) {
    enter(run);
    run->in_add = 1;
    rc = httpr_loop_add(run->loop, run->clients[x->c->client], x->req, done_cb,
                        x, &x->handle, err);
    run->in_add = 0;
    leave(run);
  }
  if (rc != HTTPR_OK) {
    lc_fail(run, "#%zu %s: httpr_loop_add: %s (%s)", x->index, x->c->name,
            httpr_code_name(rc), err ? httpr_error_message(err) : "");
    httpr_request_free(x->req);
    x->req = NULL;
    x->done_count = 1; /* never runs: counted as ended */
    run->completed++;
    httpr_error_free(err);
    return;
  }
  httpr_error_free(err);
  run->in_flight++;
  if (!x->handle)
    lc_fail(run, "#%zu %s: httpr_loop_add gave no handle", x->index,
            x->c->name);
  else if (x->c->cancel == CANCEL_BEFORE_RUN)
    cancel_now(run, x);
}

static void add_more(struct lc_run *run) {
  while (!run->closing && run->in_flight < MAX_IN_FLIGHT &&
         run->next < run->total)
    add_one(run);
}

/* ---- the loop's callbacks, checked, then handed to the driver ------------ */

static void socket_cb(int fd, int events, void *userdata) {
  struct lc_run *run = userdata;
  run->socket_calls++;
  check_callback(run, "socket");
  if (fd < 0 || fd >= MAX_FD) {
    lc_fail(run, "socket callback for fd %d", fd);
    return;
  }
  struct lc_watch *w = &run->watches[fd];
  if (events & HTTPR_POLL_REMOVE) {
    if (events != HTTPR_POLL_REMOVE)
      lc_fail(run, "socket callback: REMOVE with other events (%d)", events);
    if (!w->events) {
      lc_fail(run, "socket callback: REMOVE of fd %d, not watched", fd);
      return;
    }
    run->drv->watch(run->state, fd, HTTPR_POLL_REMOVE, &w->slot);
    w->events = 0;
    w->slot = NULL;
    run->watched--;
    return;
  }
  if (events == 0 || (events & ~(HTTPR_POLL_IN | HTTPR_POLL_OUT))) {
    lc_fail(run, "socket callback for fd %d with events %d", fd, events);
    return;
  }
  if (events == w->events)
    lc_fail(run, "socket callback for fd %d without a change (%d)", fd, events);
  if (fcntl(fd, F_GETFD) == -1)
    lc_fail(run, "socket callback for fd %d, which is not open", fd);
  if (!w->events)
    run->watched++;
  w->events = events;
  run->drv->watch(run->state, fd, events, &w->slot);
}

static void timer_cb(long timeout_ms, void *userdata) {
  struct lc_run *run = userdata;
  run->timer_calls++;
  check_callback(run, "timer");
  if (timeout_ms < -1) {
    lc_fail(run, "timer callback with %ld ms", timeout_ms);
    return;
  }
  run->drv->timer(run->state, timeout_ms);
}

static void check_running(struct lc_run *run, httpr_code rc, size_t running,
                          const char *what) {
  if (rc != HTTPR_OK)
    lc_fail(run, "%s: %s", what, httpr_code_name(rc));
  else if (running != run->in_flight)
    lc_fail(run, "%s says %zu running, the test counts %zu", what, running,
            run->in_flight);
}

void lc_act(struct lc_run *run, int fd, int events) {
  size_t running = 0;
  enter(run);
  httpr_code rc = httpr_loop_act(run->loop, fd, events, &running);
  leave(run);
  check_running(run, rc, running, "httpr_loop_act");
  end_of_call(run, "httpr_loop_act");
}

void lc_perform(struct lc_run *run, long max_wait_ms) {
  size_t running = 0;
  enter(run);
  httpr_code rc = httpr_loop_perform(run->loop, max_wait_ms, &running);
  leave(run);
  check_running(run, rc, running, "httpr_loop_perform");
  end_of_call(run, "httpr_loop_perform");
}

/* ---- one run: a driver, its loop, every transfer ------------------------- */

/* At the deadline: what is still running, to tell a hang's kind. */
static void report_unfinished(struct lc_run *run) {
  int shown = 0;
  for (size_t i = 0; i < run->next && shown < 10; i++) {
    struct lc_xfer *x = &run->xfers[i];
    if (x->done_count)
      continue;
    fprintf(stderr,
            "%s[%s] %s: still running: #%zu %s (added %.1f s ago, %llu "
            "sink bytes, %zu posted)\n",
            run->prog, g_suite.provider, run->drv->name, x->index, x->c->name,
            now_s_() - x->started, (unsigned long long)x->sink_bytes,
            x->posted);
    shown++;
  }
}

static int run_driver(const struct lc_driver *drv, const char *prog,
                      httpr_client *const *clients, size_t total) {
  struct lc_run run = {.drv = drv,
                       .prog = prog,
                       .clients = clients,
                       .total = total,
                       .thread = pthread_self()};
  run.xfers = calloc(total, sizeof(*run.xfers));
  run.watches = calloc(MAX_FD, sizeof(*run.watches));
  if (!run.xfers || !run.watches) {
    fprintf(stderr, "%s: out of memory\n", prog);
    free(run.xfers);
    free(run.watches);
    return 1;
  }
  double start = now_s_();
  double deadline = start + test_timeout_s(60.0);
  httpr_error *err = httpr_error_new();
  httpr_code rc = httpr_loop_new(&run.loop, err);
  if (rc != HTTPR_OK) {
    lc_fail(&run, "httpr_loop_new: %s", httpr_code_name(rc));
    goto out;
  }
  run.state = drv->open(&run);
  if (!run.state) {
    lc_fail(&run, "the %s loop could not be made", drv->name);
    goto out;
  }
  if (drv->watch) {
    rc = httpr_loop_set_socket_cb(run.loop, socket_cb, &run);
    if (rc == HTTPR_OK)
      rc = httpr_loop_set_timer_cb(run.loop, timer_cb, &run);
    if (rc != HTTPR_OK) {
      lc_fail(&run, "setting the callbacks: %s", httpr_code_name(rc));
      goto out;
    }
  }
  add_more(&run);
  while (run.completed < run.total) {
    if (now_s_() > deadline) {
      lc_fail(&run, "deadline: %zu of %zu transfers ended after %.0f s",
              run.completed, run.total, now_s_() - start);
      report_unfinished(&run);
      break;
    }
    if (run.turns >= MAX_TURNS) {
      lc_fail(&run, "%lu turns and %zu of %zu transfers ended", run.turns,
              run.completed, run.total);
      break;
    }
    run.turns++;
    drv->turn(run.state, TURN_WAIT_MS);
  }
  if (drv->watch && (run.socket_calls == 0 || run.timer_calls == 0))
    lc_fail(&run,
            "%lu socket and %lu timer callbacks: the loop was not "
            "driven through them",
            run.socket_calls, run.timer_calls);
out:
  run.closing = 1;
  enter(&run);
  httpr_loop_free(run.loop);
  leave(&run);
  /* Whatever httpr_loop_free cancelled has ended too; nothing may stay. */
  for (size_t i = 0; i < run.next; i++) {
    if (run.xfers[i].done_count != 1)
      lc_fail(&run, "#%zu %s: %d completions", i, run.xfers[i].c->name,
              run.xfers[i].done_count);
    if (run.xfers[i].sink_in_add)
      lc_fail(&run, "#%zu %s: body sink called inside httpr_loop_add", i,
              run.xfers[i].c->name);
    if (run.xfers[i].sink_after_done)
      lc_fail(&run, "#%zu %s: body sink called after its completion or cancel",
              i, run.xfers[i].c->name);
  }
  if (run.watched)
    lc_fail(&run, "%zu descriptors still watched after httpr_loop_free",
            run.watched);
  if (run.state) {
    for (int fd = 0; fd < MAX_FD && run.watched; fd++) {
      if (run.watches[fd].events) {
        drv->watch(run.state, fd, HTTPR_POLL_REMOVE, &run.watches[fd].slot);
        run.watches[fd].events = 0;
        run.watched--;
      }
    }
    drv->close(run.state);
  }
  fprintf(stderr,
          "%s[%s] %s: %zu transfers, %zu ended, %lu failures (%.2f s, %lu "
          "turns, %lu socket and %lu timer callbacks)\n",
          prog, g_suite.provider, drv->name, run.next, run.completed,
          run.failures, now_s_() - start, run.turns, run.socket_calls,
          run.timer_calls);
  httpr_error_free(err);
  free(run.xfers);
  free(run.watches);
  return run.failures ? 1 : 0;
}

/* ---- the clients and main ------------------------------------------------ */

static httpr_client *client_new(enum lc_client which) {
  httpr_config *cfg = httpr_config_new();
  httpr_client *client = NULL;
  httpr_error *err = httpr_error_new();
  char ca[512];
  snprintf(ca, sizeof(ca), "%s/ca-bundle.pem", g_suite.pki_dir);
  long total = which == CL_TIMEOUT ? test_timeout_ms(TIMEOUT_MS)
                                   : test_timeout_ms(30000);
  if (!cfg || !err ||
      httpr_config_set_tls_provider(cfg, g_suite.provider) != HTTPR_OK ||
      httpr_config_set_ca_file(cfg, ca) != HTTPR_OK ||
      httpr_config_set_connect_timeout_ms(cfg, test_timeout_ms(15000)) !=
          HTTPR_OK ||
      httpr_config_set_total_timeout_ms(cfg, total) != HTTPR_OK ||
      httpr_client_new(&client, cfg, err) != HTTPR_OK) {
    fprintf(stderr, "loop test: client %d: %s\n", (int)which,
            err ? httpr_error_message(err) : "out of memory");
    client = NULL;
  }
  httpr_error_free(err);
  httpr_config_free(cfg);
  return client;
}

static int usage(const char *prog) {
  fprintf(stderr,
          "usage: %s --provider NAME [--transfers N]\n"
          "  (PKI_DIR and TEST_SERVER must be set; N defaults to 1000, 100\n"
          "  when HTTPR_TEST_TIMEOUT_MULTIPLIER is above 1)\n",
          prog);
  return 2;
}

int lc_main(int argc, char **argv, const char *prog,
            const struct lc_driver *const *drivers, int n_drivers) {
  size_t total = test_timeout_factor() > 1.0 ? 100 : 1000;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--provider") == 0 && i + 1 < argc)
      g_suite.provider = argv[++i];
    else if (strcmp(argv[i], "--transfers") == 0 && i + 1 < argc)
      total = strtoul(argv[++i], NULL, 10);
    else
      return usage(prog);
  }
  g_suite.pki_dir = getenv("PKI_DIR");
  g_suite.server_bin = getenv("TEST_SERVER");
  if (!g_suite.provider || !g_suite.pki_dir || !g_suite.server_bin ||
      total == 0)
    return usage(prog);
  if (httpr_provider_features_by_name(g_suite.provider, &g_suite.features) !=
      HTTPR_OK) {
    fprintf(stderr, "%s: provider '%s' is not built in\n", prog,
            g_suite.provider);
    return 2;
  }
  for (size_t i = 0; i < POST_MAX; i++)
    g_post[i] = post_byte(i);
  httpr_client *clients[CL_COUNT] = {0};
  int failed = 0, passed = 0;
  for (int k = 0; k < CL_COUNT; k++) {
    clients[k] = client_new((enum lc_client)k);
    if (!clients[k])
      goto out;
  }
  for (int d = 0; d < n_drivers; d++) {
    if (run_driver(drivers[d], prog, clients, total) == 0)
      passed++;
    else
      failed++;
  }
out:
  for (int k = 0; k < CL_COUNT; k++)
    httpr_client_free(clients[k]);
  servers_stop_all();
  if (passed + failed < n_drivers)
    failed = n_drivers - passed;
  printf("%s[%s]: %d passed, %d failed\n", prog, g_suite.provider, passed,
         failed);
  return failed ? 1 : 0;
}
