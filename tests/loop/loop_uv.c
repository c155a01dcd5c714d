/* SPDX-License-Identifier: MIT */
/*
 * loop_uv.c - the event-loop API driven by libuv, as a libuv program would
 * use it: a uv_poll_t per descriptor from the socket callback, one
 * uv_timer_t from the timer callback, httpr_loop_act from their callbacks.
 * Proves every case of loop_cases.c under libuv; `loop-uv --provider
 * NAME`.
 */
#include <stdlib.h>

#include <uv.h>

#include "tests/loop/loop_cases.h"

struct luv_state {
  struct lc_run *run;
  uv_loop_t loop;
  uv_timer_t timer; /* the library's */
  uv_timer_t tick;  /* ends each turn within its wait */
};

struct luv_watch {
  uv_poll_t poll;
  struct luv_state *st;
  int fd;
};

static void on_close_free(uv_handle_t *h) { free(h->data); }

static void on_poll(uv_poll_t *p, int status, int events) {
  struct luv_watch *w = p->data;
  int ev = (events & UV_READABLE ? HTTPR_POLL_IN : 0) |
           (events & UV_WRITABLE ? HTTPR_POLL_OUT : 0);
  /* An error on the descriptor: let the library find out which. */
  lc_act(w->st->run, w->fd, status < 0 ? 0 : ev);
}

static void on_timer(uv_timer_t *t) {
  struct luv_state *st = t->data;
  lc_act(st->run, HTTPR_LOOP_TIMER, 0);
}

static void on_tick(uv_timer_t *t) { uv_stop(t->loop); }

static void *luv_open(struct lc_run *run) {
  struct luv_state *st = calloc(1, sizeof(*st));
  if (!st)
    return NULL;
  st->run = run;
  if (uv_loop_init(&st->loop) != 0) {
    free(st);
    return NULL;
  }
  uv_timer_init(&st->loop, &st->timer);
  st->timer.data = st;
  uv_timer_init(&st->loop, &st->tick);
  st->tick.data = st;
  return st;
}

static void luv_watch(void *state, int fd, int events, void **slot) {
  struct luv_state *st = state;
  struct luv_watch *w = *slot;
  if (events & HTTPR_POLL_REMOVE) {
    if (w) {
      uv_poll_stop(&w->poll);
      w->poll.data = w;
      uv_close((uv_handle_t *)&w->poll, on_close_free);
    }
    *slot = NULL;
    return;
  }
  if (!w) {
    w = calloc(1, sizeof(*w));
    if (!w) {
      lc_fail(st->run, "out of memory");
      return;
    }
    w->st = st;
    w->fd = fd;
    int rc = uv_poll_init(&st->loop, &w->poll, fd);
    if (rc != 0) {
      lc_fail(st->run, "uv_poll_init(%d): %s", fd, uv_strerror(rc));
      free(w);
      return;
    }
    w->poll.data = w;
    *slot = w;
  }
  int uv_events = (events & HTTPR_POLL_IN ? UV_READABLE : 0) |
                  (events & HTTPR_POLL_OUT ? UV_WRITABLE : 0);
  int rc = uv_poll_start(&w->poll, uv_events, on_poll);
  if (rc != 0)
    lc_fail(st->run, "uv_poll_start(%d): %s", fd, uv_strerror(rc));
}

static void luv_timer(void *state, long ms) {
  struct luv_state *st = state;
  if (ms < 0)
    uv_timer_stop(&st->timer);
  else
    uv_timer_start(&st->timer, on_timer, (uint64_t)ms, 0);
}

/* One uv_run: it returns once the tick has fired, or earlier when events
 * came (UV_RUN_ONCE). */
static void luv_turn(void *state, long max_wait_ms) {
  struct luv_state *st = state;
  uv_timer_start(&st->tick, on_tick, (uint64_t)max_wait_ms, 0);
  uv_run(&st->loop, UV_RUN_ONCE);
  uv_timer_stop(&st->tick);
}

static void luv_close(void *state) {
  struct luv_state *st = state;
  uv_close((uv_handle_t *)&st->timer, NULL);
  uv_close((uv_handle_t *)&st->tick, NULL);
  /* The closes (and those of removed polls) finish in these turns. */
  for (int i = 0; i < 100 && uv_run(&st->loop, UV_RUN_NOWAIT) != 0; i++)
    ;
  if (uv_loop_close(&st->loop) != 0)
    lc_fail(st->run, "uv_loop_close: handles still open");
  free(st);
}

static const struct lc_driver luv_driver = {
    .name = "libuv",
    .open = luv_open,
    .watch = luv_watch,
    .timer = luv_timer,
    .turn = luv_turn,
    .close = luv_close,
};

int main(int argc, char **argv) {
  static const struct lc_driver *const drivers[] = {&luv_driver};
  return lc_main(argc, argv, "loop-uv", drivers, 1);
}
