/* SPDX-License-Identifier: MIT */
/*
 * cli_parallel.c - the -Z scheduler, on the library's event loop
 * (httpr_loop) from the calling thread: at most --parallel-max transfers
 * run at once, taken in command-line order, a finished one replaced at
 * once; the transfers are finished in command-line order, each as soon
 * as it and the ones before it are done, so what a transfer prints comes
 * out whole and in order while later ones are still running.
 *
 * Concurrency is the library's: transfers to an HTTP/2 origin become
 * streams of the one connection the client shares, those to an HTTP/1.1
 * origin spread over its connections (up to the per-origin limit).
 * Nothing here touches the network or prints: cli_transfer.c does both.
 */
#include <stdlib.h>
#include <sys/resource.h>

#include "cli_exit.h"
#include "cli_transfer.h"

/* Descriptors kept free for everything else (files, the resolver). */
#define FD_RESERVE 64

struct sched {
  struct cli_run *run;
  httpr_loop *loop;
  struct cli_xfer *xfers; /* one per URL, zeroed until it starts */
  unsigned char *done;    /* done[i]: transfer i has been performed */
  size_t n;
  size_t next;     /* the next URL to start */
  size_t running;  /* started, not done */
  size_t at_once;  /* --parallel-max, as far as descriptors allow */
  int stop;        /* a fatal failure: start no more */
};

static void start_next(struct sched *s);

static void transfer_done(httpr_transfer *t, httpr_code code,
                          httpr_response *resp, const httpr_error *err,
                          void *userdata) {
  (void)t;
  struct cli_xfer *x = userdata;
  struct sched *s = x->sched;
  x->code = code;
  x->resp = resp;
  httpr_error_copy(x->err, err);
  s->done[x->index] = 1;
  s->running--;
  if (cli_exit_is_fatal(cli_exit_code(code)))
    s->stop = 1;
  start_next(s);
}

/* Starts URLs until at_once run (or none is left, or the run stops). A
 * transfer that cannot start is done at once: its finish reports it. */
static void start_next(struct sched *s) {
  while (!s->stop && s->next < s->n && s->running < s->at_once) {
    size_t i = s->next++;
    struct cli_xfer *x = &s->xfers[i];
    cli_xfer_start(x, s->run->opts, i);
    x->sched = s;
    if (x->code == HTTPR_OK)
      x->code = httpr_loop_add(s->loop, s->run->client, x->req,
                               transfer_done, x, NULL, x->err);
    if (x->code == HTTPR_OK)
      s->running++;
    else
      s->done[i] = 1;
  }
}

/* Runs the loop until transfer i has been performed (1) or will never
 * start (0: the run stopped before it). */
static int wait_for(struct sched *s, size_t i) {
  while (!s->done[i] && !(s->stop && i >= s->next) && s->running > 0)
    httpr_loop_perform(s->loop, -1, NULL);
  return s->done[i];
}

/* How many transfers may run at once: --parallel-max, as far as the
 * descriptor limit allows (raised to its hard limit when needed). */
static size_t allowed_at_once(long parallel_max) {
  size_t want = (size_t)parallel_max;
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
    return want;
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want + FD_RESERVE &&
      rl.rlim_cur < rl.rlim_max) {
    rlim_t cur = rl.rlim_cur;
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ||
                          rl.rlim_max > (rlim_t)(want + FD_RESERVE)
                      ? (rlim_t)(want + FD_RESERVE)
                      : rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
      rl.rlim_cur = cur;
  }
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want + FD_RESERVE)
    want = rl.rlim_cur > 2 * FD_RESERVE ? rl.rlim_cur - FD_RESERVE : 1;
  return want ? want : 1;
}

int cli_run_parallel(struct cli_run *run) {
  struct sched s = {.run = run, .n = run->opts->url_count};
  int rc = CLI_EXIT_OK;
  s.at_once = allowed_at_once(run->opts->parallel_max);
  s.xfers = calloc(s.n ? s.n : 1, sizeof(*s.xfers));
  s.done = calloc(s.n ? s.n : 1, 1);
  if (!s.xfers || !s.done || httpr_loop_new(&s.loop, NULL) != HTTPR_OK) {
    /* Out of memory: one after the other may still work. */
    free(s.done);
    free(s.xfers);
    return cli_run_serial(run);
  }
  start_next(&s);
  for (size_t i = 0; i < s.n && wait_for(&s, i); i++) {
    int one = cli_xfer_finish(&s.xfers[i], run);
    rc = cli_exit_combine(rc, one);
    if (cli_exit_is_fatal(one))
      s.stop = 1;
  }
  /* After a fatal failure: those already running end (and are finished
   * in order above); the loop frees nothing still running. */
  httpr_loop_free(s.loop);
  free(s.done);
  free(s.xfers);
  return rc;
}
