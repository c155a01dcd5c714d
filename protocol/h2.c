/* SPDX-License-Identifier: MIT */
/*
 * h2.c - HTTP/2 streams on a shared connection, the owners' side (see
 * h2.h for the model, h2_internal.h for the locking rules): starting a
 * stream, what an owner waits for, its turn (the connection's I/O, then
 * its own streams' news handed to their callbacks and more of a body
 * callback read), and the blocking calls as poll loops over one owner.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/clock.h"
#include "protocol/h2_internal.h"

/* ---- the owner's side of a stream (lock held) ---------------------------- */

/* The body received so far, taken for the callbacks: s->body starts
 * again in the spare buffer. */
static struct hr_buf take_body(struct hr_h2_stream *s) {
  struct hr_buf taken = s->body;
  s->body = s->spare;
  s->spare = (struct hr_buf){0};
  hr_buf_reset(&s->body);
  return taken;
}

/* After the callbacks took a body: its window back to the server (sent
 * at the end of the turn), and the buffer kept as the spare. */
static void body_taken(struct hr_h2 *h2, struct hr_h2_stream *s,
                       struct hr_buf *taken) {
  s->out.bytes_in += taken->len;
  if (s->done) { /* freed by the callback: reset and released already */
    nghttp2_session_consume_connection(h2->ng, taken->len);
    hr_buf_free(taken);
    return;
  }
  if (s->id && !s->closed)
    nghttp2_session_consume(h2->ng, s->id, taken->len);
  else if (s->id)
    nghttp2_session_consume_connection(h2->ng, taken->len);
  s->spare = *taken;
}

/* Hands the head to the callbacks, and the body that came with it (lock
 * released meanwhile: nobody else touches the head once it is done). */
static httpr_code give_head(struct hr_h2 *h2, struct hr_h2_stream *s) {
  const struct hr_h1_callbacks *cb = s->cb;
  httpr_error *err = s->err;
  struct hr_buf taken = take_body(s);
  pthread_mutex_unlock(&h2->lock);
  httpr_code rc = cb->on_status(s->ud, 20, s->status, "", 0, err);
  for (size_t i = 0; rc == HTTPR_OK && i < s->head.count; i++) {
    const struct hr_header *h = &s->head.v[i];
    rc = cb->on_header(s->ud, h->name, strlen(h->name), h->value,
                       strlen(h->value), err);
  }
  if (rc == HTTPR_OK)
    rc = cb->on_head_done(s->ud, err);
  s->out.bytes_in += s->head_bytes + 1; /* +1: a head without fields counts */
  if (rc == HTTPR_OK && taken.len && !s->freed)
    rc = cb->on_body(s->ud, taken.data, taken.len, err);
  pthread_mutex_lock(&h2->lock);
  body_taken(h2, s, &taken);
  return rc;
}

/* Hands the body received so far to the callbacks (lock released
 * meanwhile). */
static httpr_code give_body(struct hr_h2 *h2, struct hr_h2_stream *s) {
  struct hr_buf taken = take_body(s);
  pthread_mutex_unlock(&h2->lock);
  httpr_code rc = s->cb->on_body(s->ud, taken.data, taken.len, s->err);
  pthread_mutex_lock(&h2->lock);
  body_taken(h2, s, &taken);
  return rc;
}

static httpr_code give_trailers(struct hr_h2 *h2, struct hr_h2_stream *s) {
  httpr_code rc = HTTPR_OK;
  if (!s->trailers.count)
    return rc;
  pthread_mutex_unlock(&h2->lock);
  for (size_t i = 0; rc == HTTPR_OK && i < s->trailers.count; i++) {
    const struct hr_header *h = &s->trailers.v[i];
    rc = s->cb->on_header(s->ud, h->name, strlen(h->name), h->value,
                          strlen(h->value), s->err);
  }
  pthread_mutex_lock(&h2->lock);
  return rc;
}

/* Drops what nghttp2 already took from the front of the upload buffer.
 * read_body empties it only when it takes the last byte, which frames
 * smaller than a piece rarely do: without this the buffer grew with the
 * whole body. */
static void drop_sent(struct hr_h2_stream *s) {
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
static httpr_code read_upload(struct hr_h2 *h2, struct hr_h2_stream *s) {
  httpr_error *err = s->err;
  const struct hr_h2_request *rq = s->rq;
  char *buf = malloc(UPLOAD_CHUNK);
  if (!buf)
    return hr_nomem(err);
  pthread_mutex_unlock(&h2->lock);
  long n = rq->read_cb(buf, UPLOAD_CHUNK, rq->read_ud);
  pthread_mutex_lock(&h2->lock);
  if (s->done) { /* freed by a callback meanwhile */
    free(buf);
    return HTTPR_OK;
  }
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
    nghttp2_session_resume_data(h2->ng, s->id); /* sent by the turn */
  }
  return rc;
}

/* The failure the I/O found for s (stream_fail), in words. */
static httpr_code io_failure(const struct hr_h2 *h2, struct hr_h2_stream *s) {
  if (s->failed == HTTPR_E_TOO_LARGE)
    return hr_fail(s->err, s->failed, "%s the limit of %zu bytes", s->fail_what,
                   h2->max_header_bytes);
  return hr_nomem(s->err);
}

/* The result of a stream that nghttp2 closed, once all was handed over. */
static httpr_code closed_result(const struct hr_h2 *h2,
                                struct hr_h2_stream *s) {
  struct hr_h2_outcome *out = &s->out;
  httpr_error *err = s->err;
  if (s->failed)
    return io_failure(h2, s);
  if (s->error_code == NGHTTP2_NO_ERROR && s->ended)
    return HTTPR_OK;
  out->http1_required = s->error_code == NGHTTP2_HTTP_1_1_REQUIRED;
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

/* ---- a stream's life (lock held) ----------------------------------------- */

static void enqueue(struct hr_h2 *h2, struct hr_h2_stream *s) {
  if (h2->queue_tail)
    h2->queue_tail->next = s;
  else
    h2->queue = s;
  h2->queue_tail = s;
}

static void dequeue(struct hr_h2 *h2, struct hr_h2_stream *s) {
  struct hr_h2_stream **at = &h2->queue, *prev = NULL;
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

static struct h2_user *user_of(const struct hr_h2 *h2,
                               const struct hr_h2_owner *o) {
  struct h2_user *u = h2->users;
  while (u && u->owner != o)
    u = u->next;
  return u;
}

/* What a stream holds besides its result. */
static void stream_release(struct hr_h2_stream *s) {
  hr_h2_fields_free(&s->fields);
  hr_headers_free(&s->head);
  hr_headers_free(&s->trailers);
  hr_buf_free(&s->body);
  hr_buf_free(&s->up);
  hr_buf_free(&s->spare);
}

/* The stream ended: nghttp2 no longer reaches it, one still open is
 * cancelled (the reset goes out with the next sending), and all but its
 * result is freed now rather than whenever its owner frees it. */
static void finish(struct hr_h2 *h2, struct hr_h2_stream *s) {
  s->done = 1;
  h2->running--;
  if (!s->id) {
    dequeue(h2, s);
  } else {
    if (s->body.len) /* never handed over: the connection's window back */
      nghttp2_session_consume_connection(h2->ng, s->body.len);
    if (!s->closed) {
      nghttp2_submit_rst_stream(h2->ng, NGHTTP2_FLAG_NONE, s->id,
                                NGHTTP2_CANCEL);
      nghttp2_session_set_stream_user_data(h2->ng, s->id, NULL);
      h2->cancelled = 1;
    }
  }
  stream_release(s);
}

/* Takes a done stream off its owner's list; an owner left without
 * streams leaves the connection, and if it was watching, another owner
 * is woken to take over. */
static void drop(struct hr_h2 *h2, struct hr_h2_stream *s) {
  struct h2_user *u = s->user;
  if (s->prev_mine)
    s->prev_mine->next_mine = s->next_mine;
  else
    u->streams = s->next_mine;
  if (s->next_mine)
    s->next_mine->prev_mine = s->prev_mine;
  if (u->streams)
    return;
  struct h2_user **at = &h2->users;
  while (*at != u)
    at = &(*at)->next;
  *at = u->next;
  h2->nusers--;
  if (h2->watcher == u) {
    h2->watcher = NULL;
    if (h2->users)
      hr_h2_wake(h2->users);
  }
  free(u);
}

static int upload_wants_more(const struct hr_h2_stream *s) {
  return s->rq->has_body && s->rq->read_cb && !s->up_eof && !s->closed &&
         s->up.len - s->up_off < UPLOAD_CHUNK;
}

/* Moves s on as far as it goes without waiting: hands over what arrived,
 * reads more of a callback body. Returns 1 once s is finished, with
 * s->rc its result; 0 when it needs the connection to move. */
static int stream_step(struct hr_h2 *h2, struct hr_h2_stream *s) {
  httpr_code *rc = &s->rc;
  for (;;) {
    *rc = HTTPR_OK;
    if (s->failed && !s->closed) {
      *rc = io_failure(h2, s);
      return 1;
    }
    if (s->head_done && !s->head_given) {
      s->head_given = 1;
      *rc = give_head(h2, s);
    } else if (s->body.len && s->head_given) {
      *rc = give_body(h2, s);
    } else if (upload_wants_more(s)) {
      *rc = read_upload(h2, s);
    } else {
      break;
    }
    if (*rc != HTTPR_OK || s->freed) /* freed by its own callback */
      return 1;
    /* Time in the owner's callbacks is not the server's silence; and
     * while other owners' turns read, the body may never stop coming. */
    hr_bounds_resume(&s->bounds);
    if ((*rc = hr_bounds_check(&s->bounds, s->err)) != HTTPR_OK)
      return 1;
  }
  if (s->closed) {
    *rc = closed_result(h2, s);
    if (*rc == HTTPR_OK && !s->head_given)
      *rc = hr_fail(s->err, HTTPR_E_PROTOCOL,
                    "the HTTP/2 stream ended without a response");
    if (*rc == HTTPR_OK)
      *rc = give_trailers(h2, s);
    return 1;
  }
  if (h2->broken) {
    *s->err = h2->broke;
    *rc = s->err->code;
    s->out.refused = !s->id;
    return 1;
  }
  /* Until its turn comes, the connection's bytes are its own. */
  if (!s->headers_sent)
    hr_bounds_wait_turn(&s->bounds, h2->last_io);
  *rc = hr_bounds_check(&s->bounds, s->err);
  return *rc != HTTPR_OK;
}

/* hr_h2_stream_start; *refused says whether a failure means the request
 * was never sent (the connection had already broken). */
static struct hr_h2_stream *
stream_open(struct hr_h2 *h2, struct hr_h2_owner *owner,
            const struct hr_h2_request *rq, const struct hr_h1_callbacks *cb,
            void *ud, const struct hr_bounds *bounds, httpr_error *err,
            int *refused) {
  *refused = 0;
  struct hr_h2_stream *s = calloc(1, sizeof(*s));
  if (!s) {
    hr_nomem(err);
    return NULL;
  }
  s->rq = rq;
  s->cb = cb;
  s->ud = ud;
  s->err = err;
  s->bounds = *bounds;
  hr_bounds_resume(&s->bounds); /* a stream waits from its start */
  if (hr_h2_fields_build(&s->fields, rq, err) != HTTPR_OK) {
    free(s);
    return NULL;
  }
  pthread_mutex_lock(&h2->lock);
  struct h2_user *u = user_of(h2, owner);
  if (h2->broken) {
    *err = h2->broke;
    *refused = 1;
  } else if (!u && (u = calloc(1, sizeof(*u))) != NULL) {
    u->owner = owner;
    u->next = h2->users;
    h2->users = u;
    h2->nusers++;
  } else if (!u) {
    hr_nomem(err);
  }
  if (h2->broken || !u) {
    pthread_mutex_unlock(&h2->lock);
    stream_release(s);
    free(s);
    return NULL;
  }
  s->user = u;
  s->next_mine = u->streams;
  if (u->streams)
    u->streams->prev_mine = s;
  u->streams = s;
  h2->running++;
  enqueue(h2, s);
  pthread_mutex_unlock(&h2->lock);
  return s;
}

/* ---- public -------------------------------------------------------------- */

void hr_h2_owner_init(struct hr_h2_owner *o) { o->wake_fd = -1; }

void hr_h2_owner_clear(struct hr_h2_owner *o) {
  if (o->wake_fd >= 0)
    close(o->wake_fd);
  o->wake_fd = -1;
}

struct hr_h2_stream *
hr_h2_stream_start(struct hr_h2 *h2, struct hr_h2_owner *owner,
                   const struct hr_h2_request *rq,
                   const struct hr_h1_callbacks *cb, void *ud,
                   const struct hr_bounds *bounds, httpr_error *err,
                   int *refused) {
  int never_sent;
  return stream_open(h2, owner, rq, cb, ud, bounds, err,
                     refused ? refused : &never_sent);
}

size_t hr_h2_want(struct hr_h2 *h2, struct hr_h2_owner *owner,
                  struct pollfd *out, int64_t *wake_at) {
  size_t n = 0;
  pthread_mutex_lock(&h2->lock);
  struct h2_user *u = user_of(h2, owner);
  if (!u) {
    pthread_mutex_unlock(&h2->lock);
    return 0;
  }
  if (!h2->watcher)
    h2->watcher = u;
  int watching = h2->watcher == u;
  short events = h2->broken ? 0 : hr_h2_io_events(h2, watching);
  if (events)
    out[n++] = (struct pollfd){.fd = h2->conn->fd, .events = events};
  if (h2->nusers > 1 && owner->wake_fd < 0)
    owner->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (h2->nusers > 1 && owner->wake_fd >= 0)
    out[n++] = (struct pollfd){.fd = owner->wake_fd, .events = POLLIN};
  int64_t at = *wake_at;
  /* No eventfd (out of descriptors): nobody can wake it, so it looks
   * again soon. */
  if (h2->nusers > 1 && owner->wake_fd < 0)
    at = hr_deadline_min(at, hr_now_ms() + 10);
  /* Work that needs no waiting: news another owner found, a read or a
   * gathering that stopped at its cap. */
  /* Frames nghttp2 would give now (our preface and SETTINGS at the start,
   * answers to what came) go out at once, not after the server speaks. */
  int to_send = !(events & POLLOUT) && (h2->more_to_send ||
                                        nghttp2_session_want_write(h2->ng));
  int now = u->news || h2->broken || (watching && (h2->in_more || to_send));
  for (struct hr_h2_stream *s = u->streams; s && !now; s = s->next_mine) {
    if (s->done)
      continue;
    /* Its HEADERS may go, or its body wants reading. */
    now = (!s->id && h2->got_settings && !h2->goaway) || upload_wants_more(s);
    at = hr_deadline_min(at, hr_bounds_wake(&s->bounds));
  }
  if (now)
    at = hr_deadline_min(at, hr_now_ms());
  *wake_at = at;
  pthread_mutex_unlock(&h2->lock);
  return n;
}

void hr_h2_turn(struct hr_h2 *h2, struct hr_h2_owner *owner,
                const struct pollfd *ready, size_t n, int64_t now) {
  int may_read = 0;
  for (size_t i = 0; i < n; i++) {
    if (!ready[i].revents)
      continue;
    if (ready[i].fd == h2->conn->fd) {
      may_read = 1; /* POLLIN, or an error or hang-up a read reports */
    } else if (ready[i].fd == owner->wake_fd && owner->wake_fd >= 0) {
      uint64_t count;
      ssize_t got = read(owner->wake_fd, &count, sizeof(count));
      (void)got; /* empty already: another turn of ours took it */
    }
  }
  pthread_mutex_lock(&h2->lock);
  struct h2_user *u = user_of(h2, owner);
  if (!u) {
    pthread_mutex_unlock(&h2->lock);
    return;
  }
  if (!h2->watcher)
    h2->watcher = u;
  u->news = 0;
  u->woken = 0;
  u->turning = 1;
  h2->turner = u;
  hr_h2_io(h2, may_read, now);
  int freed = 0;
  for (struct hr_h2_stream *s = u->streams, *next; s; s = next) {
    next = s->next_mine; /* streams a callback starts come first */
    if (!s->done && stream_step(h2, s) && !s->done)
      finish(h2, s); /* unless a callback freed it, which finished it */
    freed |= s->freed;
  }
  /* Window updates, body data, resets and new streams: out now. The
   * owners' callbacks ran with the lock released; this is the owner's
   * I/O again. */
  h2->turner = u;
  if (!h2->broken)
    hr_h2_send(h2, now);
  hr_h2_wake_news(h2);
  h2->turner = NULL;
  u->turning = 0;
  for (struct hr_h2_stream *s = u->streams, *next; freed && s; s = next) {
    next = s->next_mine;
    if (s->freed) {
      drop(h2, s); /* may free u: s was not its last if next is set */
      free(s);     /* released by finish */
    }
  }
  pthread_mutex_unlock(&h2->lock);
}

int hr_h2_stream_done(const struct hr_h2_stream *s, httpr_code *rc,
                      struct hr_h2_outcome *out, httpr_error *err) {
  if (!s->done)
    return 0;
  *rc = s->rc;
  if (out)
    *out = s->out;
  if (err && err != s->err && s->rc != HTTPR_OK)
    *err = *s->err;
  return 1;
}

void hr_h2_stream_free(struct hr_h2 *h2, struct hr_h2_stream *s) {
  if (!s)
    return;
  /* A done stream that is not its owner's last here: only the owner's
   * thread touches its list, so no lock. */
  if (s->done && !s->user->turning && (s->prev_mine || s->next_mine)) {
    drop(h2, s);
    free(s);
    return;
  }
  pthread_mutex_lock(&h2->lock);
  int cancel = !s->done;
  if (cancel)
    finish(h2, s); /* its err stays as it was: nothing failed */
  if (s->user->turning) {
    s->freed = 1; /* from a callback: its turn frees it */
    pthread_mutex_unlock(&h2->lock);
    return;
  }
  drop(h2, s);
  if (cancel && !h2->broken) {
    h2->turner = NULL;
    hr_h2_send(h2, hr_now_ms()); /* the reset, if the socket takes it */
    hr_h2_wake_news(h2);
  }
  pthread_mutex_unlock(&h2->lock);
  free(s); /* released by finish */
}
