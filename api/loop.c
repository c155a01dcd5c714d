/* SPDX-License-Identifier: MIT */
/*
 * loop.c - the public event-loop API (httpr.h, "Event loops"): a loop is
 * an engine (engine.h) whose jobs are the caller's transfers; its socket
 * and timer callbacks put the engine in socket mode, httpr_loop_perform
 * runs its poll mode.
 */
#include <stdlib.h>
#include <string.h>

#include "api/engine.h"

struct httpr_transfer {
  struct hr_job job; /* first: the engine hands back its job */
  httpr_loop *loop;
  httpr_done_cb done;
  void *userdata;
};

struct httpr_loop {
  struct hr_engine engine;
  struct hr_engine_events events;
  httpr_socket_cb socket_cb;
  void *socket_ud;
  httpr_timer_cb timer_cb;
  void *timer_ud;
  int started; /* a transfer was added: the mode is chosen */
};

/* ---- the engine's callbacks ---------------------------------------------- */

static void transfer_done(struct hr_job *j, void *ud) {
  (void)ud;
  httpr_transfer *xfer = (httpr_transfer *)j;
  httpr_response *resp = NULL;
  httpr_error err;
  httpr_code rc = hr_job_finish(j, &resp, &err);
  xfer->done(xfer, rc, resp, rc == HTTPR_OK ? NULL : &err, xfer->userdata);
  free(xfer);
}

static void socket_event(int fd, short events, void *ud) {
  httpr_loop *loop = ud;
  int what = events ? ((events & POLLIN) ? HTTPR_POLL_IN : 0) |
                          ((events & POLLOUT) ? HTTPR_POLL_OUT : 0)
                    : HTTPR_POLL_REMOVE;
  loop->socket_cb(fd, what, loop->socket_ud);
}

static void timer_event(int64_t at, void *ud) {
  httpr_loop *loop = ud;
  long ms = -1;
  if (at != HR_NO_DEADLINE) {
    int64_t left = at - hr_now_ms();
    ms = left <= 0 ? 0 : left > 86400000 ? 86400000 : (long)left;
  }
  loop->timer_cb(ms, loop->timer_ud);
}

/* ---- the loop ------------------------------------------------------------ */

httpr_code httpr_loop_new(httpr_loop **out, httpr_error *err) {
  httpr_error local;
  err = err ? err : &local;
  if (!out)
    return hr_fail(err, HTTPR_E_INVALID, "no place for the loop");
  *out = calloc(1, sizeof(**out));
  if (!*out)
    return hr_nomem(err);
  hr_engine_init(&(*out)->engine, transfer_done, *out);
  return HTTPR_OK;
}

void httpr_loop_free(httpr_loop *loop) {
  if (!loop)
    return;
  hr_engine_clear(&loop->engine, HTTPR_E_CANCELLED,
                  "the transfer was cancelled: its loop was freed");
  free(loop);
}

httpr_code httpr_loop_set_socket_cb(httpr_loop *loop, httpr_socket_cb cb,
                                    void *userdata) {
  if (!loop || loop->started)
    return HTTPR_E_INVALID;
  loop->socket_cb = cb;
  loop->socket_ud = userdata;
  return HTTPR_OK;
}

httpr_code httpr_loop_set_timer_cb(httpr_loop *loop, httpr_timer_cb cb,
                                   void *userdata) {
  if (!loop || loop->started)
    return HTTPR_E_INVALID;
  loop->timer_cb = cb;
  loop->timer_ud = userdata;
  return HTTPR_OK;
}

/* The mode is chosen with the first transfer: the socket mode needs both
 * callbacks. */
static httpr_code choose_mode(httpr_loop *loop, httpr_error *err) {
  if (loop->started)
    return HTTPR_OK;
  if (!loop->socket_cb != !loop->timer_cb)
    return hr_fail(err, HTTPR_E_INVALID,
                   "a loop needs both a socket and a timer callback, or "
                   "neither (httpr_loop_perform)");
  if (loop->socket_cb) {
    loop->events = (struct hr_engine_events){
        .socket = socket_event, .timer = timer_event, .ud = loop};
    hr_engine_use_events(&loop->engine, &loop->events);
  }
  loop->started = 1;
  return HTTPR_OK;
}

httpr_code httpr_loop_add(httpr_loop *loop, httpr_client *client,
                          const httpr_request *req, httpr_done_cb done,
                          void *userdata, httpr_transfer **out,
                          httpr_error *err) {
  httpr_error local;
  err = err ? err : &local;
  if (out)
    *out = NULL;
  if (!loop || !client || !req || !done)
    return hr_fail(err, HTTPR_E_INVALID,
                   "missing loop, client, request or callback");
  httpr_code rc = choose_mode(loop, err);
  if (rc != HTTPR_OK)
    return rc;
  httpr_transfer *xfer = malloc(sizeof(*xfer));
  if (!xfer)
    return hr_nomem(err);
  xfer->loop = loop;
  xfer->done = done;
  xfer->userdata = userdata;
  hr_job_init(&xfer->job, client, req, &loop->engine.h2_owner);
  if (hr_engine_add(&loop->engine, &xfer->job) != 0) {
    hr_job_cancel(&xfer->job, HTTPR_E_NOMEM, "out of memory");
    httpr_response *resp = NULL;
    hr_job_finish(&xfer->job, &resp, NULL);
    free(xfer);
    return hr_nomem(err);
  }
  if (out)
    *out = xfer;
  return HTTPR_OK;
}

void httpr_transfer_cancel(httpr_transfer *xfer) {
  if (xfer)
    hr_engine_cancel(&xfer->loop->engine, &xfer->job, HTTPR_E_CANCELLED,
                     "the transfer was cancelled");
}

static short poll_events(int events) {
  return (short)(((events & HTTPR_POLL_IN) ? POLLIN : 0) |
                 ((events & HTTPR_POLL_OUT) ? POLLOUT : 0));
}

httpr_code httpr_loop_act(httpr_loop *loop, int fd, int events,
                          size_t *running) {
  if (!loop || !loop->engine.events)
    return HTTPR_E_INVALID;
  hr_engine_act(&loop->engine, fd < 0 ? -1 : fd, poll_events(events));
  if (running)
    *running = hr_engine_running(&loop->engine);
  return HTTPR_OK;
}

httpr_code httpr_loop_perform(httpr_loop *loop, long max_wait_ms,
                              size_t *running) {
  if (!loop || loop->socket_cb || loop->timer_cb)
    return HTTPR_E_INVALID;
  loop->started = 1;
  if (hr_engine_running(&loop->engine))
    hr_engine_turn(&loop->engine, max_wait_ms);
  if (running)
    *running = hr_engine_running(&loop->engine);
  return HTTPR_OK;
}
