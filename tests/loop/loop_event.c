/* SPDX-License-Identifier: MIT */
/*
 * loop_event.c - the event-loop API driven by libevent 2, as a libevent
 * program would use it: one struct event per descriptor (EV_READ and/or
 * EV_WRITE, EV_PERSIST) from the socket callback, an evtimer from the
 * timer callback, httpr_loop_act from their callbacks. Proves every case
 * of loop_cases.c under libevent; `loop-event --provider NAME`.
 */
#include <stdlib.h>

#include <event2/event.h>

#include "tests/loop/loop_cases.h"

struct lev_state {
  struct lc_run *run;
  struct event_base *base;
  struct event *timer; /* the library's */
  struct event *tick;  /* ends each turn within its wait */
};

struct lev_watch {
  struct event *ev;
  struct lev_state *st;
};

static void on_fd(evutil_socket_t fd, short what, void *arg) {
  struct lev_watch *w = arg;
  int ev = (what & EV_READ ? HTTPR_POLL_IN : 0) |
           (what & EV_WRITE ? HTTPR_POLL_OUT : 0);
  lc_act(w->st->run, (int)fd, ev);
}

static void on_timer(evutil_socket_t fd, short what, void *arg) {
  struct lev_state *st = arg;
  (void)fd;
  (void)what;
  lc_act(st->run, HTTPR_LOOP_TIMER, 0);
}

static void on_tick(evutil_socket_t fd, short what, void *arg) {
  struct lev_state *st = arg;
  (void)fd;
  (void)what;
  event_base_loopbreak(st->base);
}

static void *lev_open(struct lc_run *run) {
  struct lev_state *st = calloc(1, sizeof(*st));
  if (!st)
    return NULL;
  st->run = run;
  st->base = event_base_new();
  if (st->base) {
    st->timer = evtimer_new(st->base, on_timer, st);
    st->tick = evtimer_new(st->base, on_tick, st);
  }
  if (!st->base || !st->timer || !st->tick) {
    if (st->timer)
      event_free(st->timer);
    if (st->tick)
      event_free(st->tick);
    if (st->base)
      event_base_free(st->base);
    free(st);
    return NULL;
  }
  return st;
}

static void lev_watch(void *state, int fd, int events, void **slot) {
  struct lev_state *st = state;
  struct lev_watch *w = *slot;
  if (w) { /* a change: the event is made anew with the new events */
    event_free(w->ev);
    w->ev = NULL;
  }
  if (events & HTTPR_POLL_REMOVE) {
    free(w);
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
    *slot = w;
  }
  short what = (short)((events & HTTPR_POLL_IN ? EV_READ : 0) |
                       (events & HTTPR_POLL_OUT ? EV_WRITE : 0) | EV_PERSIST);
  w->ev = event_new(st->base, fd, what, on_fd, w);
  if (!w->ev || event_add(w->ev, NULL) != 0)
    lc_fail(st->run, "event_new/event_add for fd %d failed", fd);
}

static void lev_timer(void *state, long ms) {
  struct lev_state *st = state;
  if (ms < 0) {
    evtimer_del(st->timer);
    return;
  }
  struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
  evtimer_add(st->timer, &tv);
}

/* One pass of the loop: it returns once events were handled
 * (EVLOOP_ONCE), or when the tick breaks it. */
static void lev_turn(void *state, long max_wait_ms) {
  struct lev_state *st = state;
  struct timeval tv = {.tv_sec = max_wait_ms / 1000,
                       .tv_usec = (max_wait_ms % 1000) * 1000};
  evtimer_add(st->tick, &tv);
  if (event_base_loop(st->base, EVLOOP_ONCE) < 0)
    lc_fail(st->run, "event_base_loop failed");
  evtimer_del(st->tick);
}

static void lev_close(void *state) {
  struct lev_state *st = state;
  event_free(st->timer);
  event_free(st->tick);
  event_base_free(st->base);
  free(st);
}

static const struct lc_driver lev_driver = {
    .name = "libevent",
    .open = lev_open,
    .watch = lev_watch,
    .timer = lev_timer,
    .turn = lev_turn,
    .close = lev_close,
};

int main(int argc, char **argv) {
  static const struct lc_driver *const drivers[] = {&lev_driver};
  return lc_main(argc, argv, "loop-event", drivers, 1);
}
