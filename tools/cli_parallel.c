/* SPDX-License-Identifier: MIT */
/*
 * cli_parallel.c - the -Z scheduler. Worker threads, at most
 * --parallel-max of them, take the URLs in command-line order and run
 * each transfer's start and perform on the run's one client; the calling
 * thread finishes the transfers in command-line order, each as soon as it
 * is done, so what a transfer prints comes out whole and in order while
 * later ones are still running.
 *
 * Concurrency is the library's: transfers to an HTTP/2 origin become
 * streams of the one connection the client shares among threads, those
 * to an HTTP/1.1 origin spread over its connections (up to the per-origin
 * limit). Nothing here touches the network or prints: cli_transfer.c
 * does both.
 */
#include <pthread.h>
#include <stdlib.h>

#include "cli_exit.h"
#include "cli_transfer.h"

struct sched {
  struct cli_run *run;
  struct cli_xfer *xfers; /* one per URL, zeroed until a worker takes it */
  unsigned char *done;    /* done[i]: transfer i has been performed */
  size_t n;
  pthread_mutex_t lock;  /* guards next, stop and done[] */
  pthread_cond_t change; /* a transfer is done, or stop was set */
  size_t next;           /* the next URL a worker takes */
  int stop;              /* a fatal failure: take no more */
};

/* The next URL to run, or 0 when there is none (or the run stops). */
static int take(struct sched *s, size_t *i) {
  int more;
  pthread_mutex_lock(&s->lock);
  more = !s->stop && s->next < s->n;
  if (more)
    *i = s->next++;
  pthread_mutex_unlock(&s->lock);
  return more;
}

static void stop_taking(struct sched *s) {
  pthread_mutex_lock(&s->lock);
  s->stop = 1;
  pthread_cond_broadcast(&s->change);
  pthread_mutex_unlock(&s->lock);
}

static void *worker(void *arg) {
  struct sched *s = arg;
  size_t i;
  while (take(s, &i)) {
    struct cli_xfer *x = &s->xfers[i];
    cli_xfer_start(x, s->run->opts, i);
    cli_xfer_perform(x, s->run->client);
    pthread_mutex_lock(&s->lock);
    s->done[i] = 1;
    if (cli_exit_is_fatal(cli_exit_code(x->code)))
      s->stop = 1;
    pthread_cond_broadcast(&s->change);
    pthread_mutex_unlock(&s->lock);
  }
  return NULL;
}

/* Waits until transfer i has been performed (1) or will never start (0:
 * the run stopped before a worker took it). */
static int wait_for(struct sched *s, size_t i) {
  int done;
  pthread_mutex_lock(&s->lock);
  while (!s->done[i] && !(s->stop && i >= s->next))
    pthread_cond_wait(&s->change, &s->lock);
  done = s->done[i];
  pthread_mutex_unlock(&s->lock);
  return done;
}

int cli_run_parallel(struct cli_run *run) {
  struct sched s = {.run = run, .n = run->opts->url_count};
  size_t want = (size_t)run->opts->parallel_max;
  pthread_t *tids;
  size_t started = 0;
  int rc = CLI_EXIT_OK;

  if (want > s.n)
    want = s.n;
  s.xfers = calloc(s.n, sizeof(*s.xfers));
  s.done = calloc(s.n, 1);
  tids = calloc(want ? want : 1, sizeof(*tids));
  if (s.xfers && s.done && tids) {
    pthread_mutex_init(&s.lock, NULL);
    pthread_cond_init(&s.change, NULL);
    for (; started < want; started++) {
      if (pthread_create(&tids[started], NULL, worker, &s) != 0)
        break; /* fewer at once: every URL is still taken */
    }
  }
  if (started == 0) {
    /* Out of memory or threads: one after the other still works. */
    if (s.xfers && s.done && tids) {
      pthread_cond_destroy(&s.change);
      pthread_mutex_destroy(&s.lock);
    }
    free(tids);
    free(s.done);
    free(s.xfers);
    return cli_run_serial(run);
  }

  for (size_t i = 0; i < s.n && wait_for(&s, i); i++) {
    int one = cli_xfer_finish(&s.xfers[i], run);
    rc = cli_exit_combine(rc, one);
    if (cli_exit_is_fatal(one))
      stop_taking(&s);
  }
  for (size_t t = 0; t < started; t++)
    pthread_join(tids[t], NULL);
  pthread_cond_destroy(&s.change);
  pthread_mutex_destroy(&s.lock);
  free(tids);
  free(s.done);
  free(s.xfers);
  return rc;
}
