/* SPDX-License-Identifier: MIT */
/*
 * h2.c - HTTP/2 requests on a shared connection, the callers' side (see
 * h2.h for the model, h2_internal.h for the locking rules): each request
 * is a stream whose caller hands over what arrived, reads more of a body
 * callback, and drives the connection when nobody does.
 */
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "protocol/h2_internal.h"

/* ---- the caller's side of a stream (lock held) ------------------------- */

/* Hands the head to the callbacks (lock released meanwhile). */
static httpr_code give_head(struct hr_h2 *h2, struct stream *s,
                            const struct hr_h1_callbacks *cb, void *ud,
                            struct hr_h2_outcome *out, httpr_error *err) {
  pthread_mutex_unlock(&h2->lock);
  /* The driver no longer touches the head once it is done. */
  httpr_code rc = cb->on_status(ud, 20, s->status, "", 0, err);
  for (size_t i = 0; rc == HTTPR_OK && i < s->head.count; i++) {
    const struct hr_header *h = &s->head.v[i];
    rc = cb->on_header(ud, h->name, strlen(h->name), h->value, strlen(h->value),
                       err);
  }
  if (rc == HTTPR_OK)
    rc = cb->on_head_done(ud, err);
  out->bytes_in += s->head_bytes + 1; /* +1: a head without fields counts */
  pthread_mutex_lock(&h2->lock);
  return rc;
}

/* Hands the body received so far to the callbacks, then gives the window
 * back to the server. */
static httpr_code give_body(struct hr_h2 *h2, struct stream *s,
                            struct hr_buf *spare,
                            const struct hr_h1_callbacks *cb, void *ud,
                            struct hr_h2_outcome *out, httpr_error *err) {
  struct hr_buf taken = s->body;
  s->body = *spare;
  hr_buf_reset(&s->body);
  pthread_mutex_unlock(&h2->lock);
  httpr_code rc = cb->on_body(ud, taken.data, taken.len, err);
  pthread_mutex_lock(&h2->lock);
  out->bytes_in += taken.len;
  if (s->id && !s->closed)
    nghttp2_session_consume(h2->ng, s->id, taken.len);
  else if (s->id)
    nghttp2_session_consume_connection(h2->ng, taken.len);
  hr_h2_wake_driver(h2); /* a window update to send */
  *spare = taken;
  return rc;
}

static httpr_code give_trailers(struct hr_h2 *h2, struct stream *s,
                                const struct hr_h1_callbacks *cb, void *ud,
                                httpr_error *err) {
  httpr_code rc = HTTPR_OK;
  pthread_mutex_unlock(&h2->lock);
  for (size_t i = 0; rc == HTTPR_OK && i < s->trailers.count; i++) {
    const struct hr_header *h = &s->trailers.v[i];
    rc = cb->on_header(ud, h->name, strlen(h->name), h->value, strlen(h->value),
                       err);
  }
  pthread_mutex_lock(&h2->lock);
  return rc;
}

/* Drops what nghttp2 already took from the front of the upload buffer.
 * read_body empties it only when it takes the last byte, which frames
 * smaller than a piece rarely do: without this the buffer grew with the
 * whole body. */
static void drop_sent(struct stream *s) {
  size_t left = s->up.len - s->up_off;
  if (s->up_off == 0)
    return;
  memmove(s->up.data, s->up.data + s->up_off, left);
  s->up.len = left;
  s->up.data[left] = '\0';
  s->up_off = 0;
}

/* Reads the next piece of a callback body (lock released meanwhile); the
 * buffer holds at most two pieces. */
static httpr_code read_upload(struct hr_h2 *h2, struct stream *s,
                              httpr_error *err) {
  const struct hr_h2_request *rq = s->rq;
  char *buf = malloc(UPLOAD_CHUNK);
  if (!buf)
    return hr_nomem(err);
  pthread_mutex_unlock(&h2->lock);
  long n = rq->read_cb(buf, UPLOAD_CHUNK, rq->read_ud);
  pthread_mutex_lock(&h2->lock);
  drop_sent(s);
  httpr_code rc = HTTPR_OK;
  if (n < 0 || n > UPLOAD_CHUNK)
    rc = hr_fail(err, HTTPR_E_READ, "the body read callback failed");
  else if (rq->read_len >= 0 &&
           s->up_total + (uint64_t)n > (uint64_t)rq->read_len)
    rc = hr_fail(err, HTTPR_E_READ,
                 "the body read callback gave more than the %lld bytes "
                 "announced",
                 (long long)rq->read_len);
  else if (n == 0 && rq->read_len >= 0 && s->up_total != (uint64_t)rq->read_len)
    rc = hr_fail(err, HTTPR_E_READ,
                 "the body read callback ended after %llu of %lld bytes",
                 (unsigned long long)s->up_total, (long long)rq->read_len);
  else if (n == 0)
    s->up_eof = 1;
  else if (hr_buf_append(&s->up, buf, (size_t)n) != 0)
    rc = hr_nomem(err);
  else
    s->up_total += (uint64_t)n;
  free(buf);
  if (rc == HTTPR_OK && s->up_deferred && s->id) {
    s->up_deferred = 0;
    nghttp2_session_resume_data(h2->ng, s->id);
    hr_h2_wake_driver(h2);
  }
  return rc;
}

static int upload_wants_more(const struct stream *s) {
  return s->rq->has_body && s->rq->read_cb && !s->up_eof && !s->closed &&
         s->up.len - s->up_off < UPLOAD_CHUNK;
}

/* The result of a stream that nghttp2 closed, once all was handed over. */
static httpr_code closed_result(const struct stream *s,
                                struct hr_h2_outcome *out, httpr_error *err) {
  if (s->failed) {
    *err = s->fail;
    return s->failed;
  }
  if (s->error_code == NGHTTP2_NO_ERROR && s->ended)
    return HTTPR_OK;
  if (s->refused) {
    out->refused = 1;
    return hr_fail(err, HTTPR_E_PROTOCOL,
                   "the server did not process the request (HTTP/2 stream "
                   "refused or above the last stream of its GOAWAY)");
  }
  return hr_fail(err, HTTPR_E_PROTOCOL,
                 "the server reset the HTTP/2 stream: %s (error %u)",
                 nghttp2_http2_strerror(s->error_code), s->error_code);
}

static void enqueue(struct hr_h2 *h2, struct stream *s) {
  if (h2->queue_tail)
    h2->queue_tail->next = s;
  else
    h2->queue = s;
  h2->queue_tail = s;
}

static void dequeue(struct hr_h2 *h2, struct stream *s) {
  struct stream **at = &h2->queue, *prev = NULL;
  while (*at && *at != s) {
    prev = *at;
    at = &(*at)->next;
  }
  if (!*at)
    return;
  *at = s->next;
  if (h2->queue_tail == s)
    h2->queue_tail = prev;
}

/* Leaves the stream: a stream still open is cancelled, and nghttp2 no
 * longer reaches it. */
static void stream_leave(struct hr_h2 *h2, struct stream *s) {
  if (!s->id) {
    dequeue(h2, s);
  } else if (!s->closed) {
    nghttp2_submit_rst_stream(h2->ng, NGHTTP2_FLAG_NONE, s->id, NGHTTP2_CANCEL);
    if (s->body.len)
      nghttp2_session_consume_connection(h2->ng, s->body.len);
    nghttp2_session_set_stream_user_data(h2->ng, s->id, NULL);
    hr_h2_wake_driver(h2);
  }
  h2->running--;
  if (s->prev_run)
    s->prev_run->next_run = s->next_run;
  else
    h2->runs = s->next_run;
  if (s->next_run)
    s->next_run->prev_run = s->prev_run;
  hr_h2_hand_over(h2);
}

/* Moves s on as far as it goes without waiting: hands over what arrived,
 * reads more of a callback body. Returns 1 once s is finished, with *rc
 * its result; 0 when it needs the connection to move. */
static int stream_step(struct hr_h2 *h2, struct stream *s, httpr_code *rc) {
  for (;;) {
    *rc = HTTPR_OK;
    if (s->failed && !s->closed) {
      *s->err = s->fail;
      *rc = s->failed;
      return 1;
    }
    if (s->head_done && !s->head_given) {
      s->head_given = 1;
      *rc = give_head(h2, s, s->cb, s->ud, s->out, s->err);
    } else if (s->body.len && s->head_given) {
      *rc = give_body(h2, s, &s->spare, s->cb, s->ud, s->out, s->err);
    } else if (upload_wants_more(s)) {
      *rc = read_upload(h2, s, s->err);
    } else {
      break;
    }
    if (*rc != HTTPR_OK)
      return 1;
    /* Time in the caller's callbacks is not the server's silence; and
     * while another thread drives, the body may never stop coming. */
    hr_bounds_resume(&s->bounds);
    if ((*rc = hr_bounds_check(&s->bounds, s->err)) != HTTPR_OK)
      return 1;
  }
  if (s->closed) {
    *rc = closed_result(s, s->out, s->err);
    if (*rc == HTTPR_OK && !s->head_given)
      *rc = hr_fail(s->err, HTTPR_E_PROTOCOL,
                    "the HTTP/2 stream ended without a response");
    if (*rc == HTTPR_OK)
      *rc = give_trailers(h2, s, s->cb, s->ud, s->err);
    return 1;
  }
  if (h2->broken) {
    *s->err = h2->broke;
    *rc = s->err->code;
    s->out->refused = !s->id;
    return 1;
  }
  /* Until its turn comes, the connection's bytes are its own. */
  if (!s->headers_sent)
    hr_bounds_wait_turn(&s->bounds, h2->last_io);
  *rc = hr_bounds_check(&s->bounds, s->err);
  return *rc != HTTPR_OK;
}

/* Until deadline (a stream's next wake-up): drives the connection when
 * nobody does, else waits for news of w's streams. */
static void progress(struct hr_h2 *h2, struct waiter *w, int64_t deadline) {
  if (!h2->driving) {
    hr_h2_drive(h2, deadline);
    return;
  }
  w->waiting = 1;
  if (deadline == HR_NO_DEADLINE) {
    pthread_cond_wait(&w->cond, &h2->lock);
  } else {
    struct timespec at = {.tv_sec = deadline / 1000,
                          .tv_nsec = (deadline % 1000) * 1000000};
    pthread_cond_timedwait(&w->cond, &h2->lock, &at);
  }
  w->waiting = 0;
}

static void waiter_init(struct waiter *w) {
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC); /* deadlines' clock */
  pthread_cond_init(&w->cond, &attr);
  pthread_condattr_destroy(&attr);
  w->waiting = 0;
}

/* A stream for one request, its fields built; NULL with *err set. */
static struct stream *stream_new(const struct hr_h2_request *rq,
                                 const struct hr_h1_callbacks *cb, void *ud,
                                 const struct hr_bounds *bounds,
                                 struct hr_h2_outcome *out, httpr_error *err) {
  memset(out, 0, sizeof(*out));
  struct stream *s = calloc(1, sizeof(*s));
  if (!s) {
    hr_nomem(err);
    return NULL;
  }
  s->rq = rq;
  s->cb = cb;
  s->ud = ud;
  s->bounds = *bounds;
  hr_bounds_resume(&s->bounds); /* a stream waits from its start */
  s->out = out;
  s->err = err;
  if (hr_h2_fields_build(&s->fields, rq, err) != HTTPR_OK) {
    free(s);
    return NULL;
  }
  return s;
}

static void stream_free(struct stream *s) {
  hr_h2_fields_free(&s->fields);
  hr_headers_free(&s->head);
  hr_headers_free(&s->trailers);
  hr_buf_free(&s->body);
  hr_buf_free(&s->up);
  hr_buf_free(&s->spare);
  free(s);
}

/* Lists s among the running streams and queues it for submission. */
static void stream_start(struct hr_h2 *h2, struct stream *s, struct waiter *w) {
  s->w = w;
  h2->running++;
  s->next_run = h2->runs;
  if (h2->runs)
    h2->runs->prev_run = s;
  h2->runs = s;
  enqueue(h2, s);
  hr_h2_wake_driver(h2);
}

/* ---- public -------------------------------------------------------------- */

httpr_code hr_h2_exchange(struct hr_h2 *h2, const struct hr_h2_request *rq,
                          const struct hr_h1_callbacks *cb, void *ud,
                          const struct hr_bounds *bounds,
                          struct hr_h2_outcome *out, httpr_error *err) {
  struct stream *s = stream_new(rq, cb, ud, bounds, out, err);
  if (!s)
    return err->code;
  struct waiter w;
  waiter_init(&w);
  httpr_code rc;
  pthread_mutex_lock(&h2->lock);
  stream_start(h2, s, &w);
  while (!stream_step(h2, s, &rc))
    progress(h2, &w, hr_bounds_wake(&s->bounds));
  stream_leave(h2, s);
  pthread_mutex_unlock(&h2->lock);
  pthread_cond_destroy(&w.cond);
  stream_free(s);
  return rc;
}

void hr_h2_run_jobs(struct hr_h2 *h2, struct hr_h2_job *jobs, size_t n,
                    size_t window) {
  struct stream **mine = calloc(window ? window : 1, sizeof(*mine));
  size_t next = 0, active = 0;
  struct waiter w;
  waiter_init(&w);
  pthread_mutex_lock(&h2->lock);
  for (;;) {
    /* Keep `window` streams in flight while jobs are left. */
    while (mine && active < window && next < n) {
      struct hr_h2_job *j = &jobs[next++];
      struct stream *s =
          stream_new(&j->rq, j->cb, j->ud, &j->bounds, &j->out, &j->err);
      if (!s) {
        j->rc = j->err.code;
        continue;
      }
      s->job = j;
      stream_start(h2, s, &w);
      mine[active++] = s;
    }
    if (active == 0)
      break;
    int finished = 0;
    int64_t soonest = HR_NO_DEADLINE;
    for (size_t i = 0; i < active;) {
      struct stream *s = mine[i];
      httpr_code rc;
      if (stream_step(h2, s, &rc)) {
        s->job->rc = rc;
        stream_leave(h2, s);
        stream_free(s);
        mine[i] = mine[--active];
        finished = 1;
        continue;
      }
      soonest = hr_deadline_min(soonest, hr_bounds_wake(&s->bounds));
      i++;
    }
    if (!finished)
      progress(h2, &w, soonest);
  }
  pthread_mutex_unlock(&h2->lock);
  for (; next < n; next++) /* no memory for the list of streams */
    jobs[next].rc = hr_nomem(&jobs[next].err);
  pthread_cond_destroy(&w.cond);
  free(mine);
}
