/* SPDX-License-Identifier: MIT */
/*
 * loop_poll.c - the event-loop API without an event-loop library. Proves
 * both ways a program without libuv or libevent drives httpr: the simple
 * mode (httpr_loop_perform, no callbacks: the library polls) and the
 * callback mode under a plain poll() loop of this test's own (the socket
 * callback keeps a pollfd table, the timer callback a deadline). Each mode
 * runs every case of loop_cases.c; `loop-poll --provider NAME`.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "tests/loop/loop_cases.h"

/* ---- the simple mode ----------------------------------------------------- */

static void *perform_open(struct lc_run *run) { return run; }

static void perform_turn(void *state, long max_wait_ms) {
  lc_perform(state, max_wait_ms);
}

static void perform_close(void *state) { (void)state; }

static const struct lc_driver perform_driver = {
    .name = "perform",
    .open = perform_open,
    .turn = perform_turn,
    .close = perform_close,
};

/* ---- the callback mode under poll() -------------------------------------- */

#define MAX_POLLFDS 4096

struct poll_loop {
  struct lc_run *run;
  struct pollfd fds[MAX_POLLFDS];
  unsigned gen[MAX_POLLFDS]; /* changes when an entry is reused */
  size_t n;
  int timer_on;
  struct timespec timer_at;
};

static void *poll_open(struct lc_run *run) {
  struct poll_loop *pl = calloc(1, sizeof(*pl));
  if (pl)
    pl->run = run;
  return pl;
}

static short poll_events(int events) {
  return (short)((events & HTTPR_POLL_IN ? POLLIN : 0) |
                 (events & HTTPR_POLL_OUT ? POLLOUT : 0));
}

/* *slot holds the entry's index + 1, so NULL is "no entry". A removed
 * entry keeps its place with fd -1 (poll skips it) until it is reused, so
 * no entry ever moves. */
static void poll_watch(void *state, int fd, int events, void **slot) {
  struct poll_loop *pl = state;
  size_t i = (size_t)(uintptr_t)*slot;
  if (events & HTTPR_POLL_REMOVE) {
    if (i) {
      pl->fds[i - 1] = (struct pollfd){.fd = -1};
      pl->gen[i - 1]++;
    }
    *slot = NULL;
    return;
  }
  if (!i) {
    while (i < pl->n && pl->fds[i].fd >= 0)
      i++;
    if (i == MAX_POLLFDS) {
      lc_fail(pl->run, "more than %d descriptors", MAX_POLLFDS);
      return;
    }
    if (i == pl->n)
      pl->n++;
    pl->gen[i]++;
    *slot = (void *)(uintptr_t)++i;
  }
  pl->fds[i - 1] = (struct pollfd){.fd = fd, .events = poll_events(events)};
}

static void poll_timer(void *state, long ms) {
  struct poll_loop *pl = state;
  pl->timer_on = ms >= 0;
  if (!pl->timer_on)
    return;
  clock_gettime(CLOCK_MONOTONIC, &pl->timer_at);
  pl->timer_at.tv_sec += ms / 1000;
  pl->timer_at.tv_nsec += (ms % 1000) * 1000000L;
  if (pl->timer_at.tv_nsec >= 1000000000L) {
    pl->timer_at.tv_sec++;
    pl->timer_at.tv_nsec -= 1000000000L;
  }
}

/* Milliseconds until the timer is due (0 when it is), -1 without one. */
static long poll_timer_left(const struct poll_loop *pl) {
  if (!pl->timer_on)
    return -1;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  long ms = (long)(pl->timer_at.tv_sec - now.tv_sec) * 1000 +
            (pl->timer_at.tv_nsec - now.tv_nsec) / 1000000L;
  return ms < 0 ? 0 : ms;
}

static void poll_turn(void *state, long max_wait_ms) {
  struct poll_loop *pl = state;
  long wait = poll_timer_left(pl);
  if (wait < 0 || wait > max_wait_ms)
    wait = max_wait_ms;
  int n = poll(pl->fds, pl->n, (int)wait);
  if (n < 0 && errno != EINTR) {
    lc_fail(pl->run, "poll: errno %d", errno);
    return;
  }
  /* What was ready, taken before acting: an act may add, remove and move
   * entries, so each is acted on only while its entry is unchanged. */
  static struct {
    int fd, events;
    size_t i;
    unsigned gen;
  } ready[MAX_POLLFDS];
  size_t n_ready = 0;
  for (size_t i = 0; n > 0 && i < pl->n; i++) {
    short re = pl->fds[i].revents;
    if (!re)
      continue;
    int ev =
        (re & POLLIN ? HTTPR_POLL_IN : 0) | (re & POLLOUT ? HTTPR_POLL_OUT : 0);
    if (re & (POLLERR | POLLHUP | POLLNVAL)) /* let the library read why */
      ev |= pl->fds[i].events & POLLOUT ? HTTPR_POLL_OUT : HTTPR_POLL_IN;
    ready[n_ready].fd = pl->fds[i].fd;
    ready[n_ready].events = ev;
    ready[n_ready].i = i;
    ready[n_ready].gen = pl->gen[i];
    n_ready++;
  }
  for (size_t k = 0; k < n_ready; k++) {
    size_t i = ready[k].i;
    if (i < pl->n && pl->gen[i] == ready[k].gen && pl->fds[i].fd == ready[k].fd)
      lc_act(pl->run, ready[k].fd, ready[k].events);
  }
  if (poll_timer_left(pl) == 0) {
    pl->timer_on = 0; /* the act may set it again */
    lc_act(pl->run, HTTPR_LOOP_TIMER, 0);
  }
}

static void poll_close(void *state) { free(state); }

static const struct lc_driver poll_driver = {
    .name = "poll",
    .open = poll_open,
    .watch = poll_watch,
    .timer = poll_timer,
    .turn = poll_turn,
    .close = poll_close,
};

int main(int argc, char **argv) {
  static const struct lc_driver *const drivers[] = {&perform_driver,
                                                    &poll_driver};
  return lc_main(argc, argv, "loop-poll", drivers, 2);
}
