/* SPDX-License-Identifier: MIT */
/*
 * h2_session.c - an HTTP/2 connection's session: nghttp2's callbacks,
 * which file what arrives with its stream and mark its owner, and the
 * connection's non-blocking I/O, done by whichever owner turns (see
 * h2_internal.h for the locking rules). Nothing here waits.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "protocol/h2_internal.h"

#define STREAM_WINDOW (1 << 20)      /* receive window per stream */
#define CONNECTION_WINDOW (16 << 20) /* receive window of the connection */
#define IN_CAP (64 * 1024)           /* bytes read per turn */
#define OUT_CAP (256 * 1024)         /* frames gathered at once */
#define SEND_ROUNDS 4                /* gatherings of OUT_CAP per turn */

/* ---- helpers (lock held) ------------------------------------------------- */

struct hr_h2_stream *hr_h2_stream_of(nghttp2_session *ng, int32_t id) {
  return nghttp2_session_get_stream_user_data(ng, id);
}

void hr_h2_wake(struct h2_user *u) {
  u->news = 1;
  if (u->woken || u->owner->wake_fd < 0)
    return; /* no wake_fd: it is alone here, or polls the connection */
  uint64_t one = 1;
  ssize_t n = write(u->owner->wake_fd, &one, sizeof(one));
  (void)n; /* a full counter wakes it as well */
  u->woken = 1;
}

/* s has news for its owner: marked now, woken at the end of the I/O
 * (hr_h2_io) unless it is the owner doing it. */
static void notify(struct hr_h2 *h2, struct hr_h2_stream *s) {
  if (s && s->user != h2->turner)
    s->user->news = 1;
}

static void notify_all(struct hr_h2 *h2) {
  for (struct h2_user *u = h2->users; u; u = u->next)
    if (u != h2->turner)
      u->news = 1;
}

/* The connection can carry nothing more: every stream still waiting
 * fails with err. */
static void break_connection(struct hr_h2 *h2, const httpr_error *err) {
  if (h2->broken)
    return;
  h2->broken = 1;
  h2->broke = *err;
  notify_all(h2);
}

static void break_with(struct hr_h2 *h2, httpr_code code, const char *what) {
  httpr_error e = {0};
  hr_fail(&e, code, "%s", what);
  break_connection(h2, &e);
}

static void protocol_error(struct hr_h2 *h2, const char *what) {
  httpr_error e = {0};
  hr_fail(&e, HTTPR_E_PROTOCOL, "HTTP/2 protocol error: %s%s%s", what,
          h2->why[0] ? ": " : "", h2->why);
  break_connection(h2, &e);
}

/* Its owner words the failure (hr_h2_failure): a whole error object per
 * stream, zeroed with each, would cost more than the rest of it. */
static void stream_fail(struct hr_h2_stream *s, httpr_code code,
                        const char *what) {
  if (s->failed)
    return;
  s->failed = code;
  s->fail_what = what;
}

/* ---- nghttp2 callbacks (lock held) ------------------------------- */

static int parse_status(const uint8_t *v, size_t len) {
  if (len != 3)
    return 0;
  int n = 0;
  for (size_t i = 0; i < 3; i++) {
    if (v[i] < '0' || v[i] > '9')
      return 0;
    n = n * 10 + (v[i] - '0');
  }
  return n;
}

/* Counts a field against the head limit, as HTTP/1.1 would carry it:
 * "name: value\r\n". 1xx heads count too, all of them together with the
 * final head, so an endless series of them ends at the limit. */
static int count_field(struct hr_h2 *h2, struct hr_h2_stream *s, size_t namelen,
                       size_t valuelen) {
  s->head_bytes += namelen + valuelen + 4;
  if (s->head_bytes <= h2->max_header_bytes)
    return 0;
  stream_fail(s, HTTPR_E_TOO_LARGE,
              s->head_done ? "response trailers exceed"
                           : "response headers exceed");
  return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE; /* resets the stream */
}

static int on_header(nghttp2_session *ng, const nghttp2_frame *frame,
                     const uint8_t *name, size_t namelen, const uint8_t *value,
                     size_t valuelen, uint8_t flags, void *user_data) {
  (void)flags;
  struct hr_h2 *h2 = user_data;
  struct hr_h2_stream *s = hr_h2_stream_of(ng, frame->hd.stream_id);
  if (frame->hd.type != NGHTTP2_HEADERS || !s || s->failed)
    return 0;
  hr_bounds_count(&s->bounds, namelen + valuelen);
  if (namelen == 7 && memcmp(name, ":status", 7) == 0) {
    int status = parse_status(value, valuelen);
    s->informational = status >= 100 && status < 200;
    if (!s->informational)
      s->status = status;
    /* A 1xx head's status line is all some of them carry. */
    return s->informational ? count_field(h2, s, namelen, valuelen) : 0;
  }
  if (name[0] == ':')
    return 0; /* nghttp2 checks pseudo-headers */
  int rv = count_field(h2, s, namelen, valuelen);
  if (rv != 0 || s->informational)
    return rv; /* 1xx heads are not kept */
  struct hr_headers *to = s->head_done ? &s->trailers : &s->head;
  if (hr_headers_add(to, (const char *)name, namelen, (const char *)value,
                     valuelen) != 0) {
    stream_fail(s, HTTPR_E_NOMEM, NULL);
    return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  }
  return 0;
}

static int on_frame_recv(nghttp2_session *ng, const nghttp2_frame *frame,
                         void *user_data) {
  struct hr_h2 *h2 = user_data;
  struct hr_h2_stream *s =
      frame->hd.stream_id ? hr_h2_stream_of(ng, frame->hd.stream_id) : NULL;
  switch (frame->hd.type) {
  case NGHTTP2_SETTINGS:
    if (!(frame->hd.flags & NGHTTP2_FLAG_ACK))
      h2->got_settings = 1;
    break;
  case NGHTTP2_GOAWAY:
    /* Streams above its last id are closed as refused by nghttp2. */
    h2->goaway = 1;
    break;
  case NGHTTP2_HEADERS:
    if (s && s->informational)
      s->informational = 0;
    else if (s && s->status)
      s->head_done = 1;
    break;
  default:
    break;
  }
  if (s && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) &&
      (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA))
    s->ended = 1;
  if (s)
    hr_bounds_date(&s->bounds); /* its owner may be asleep until later */
  notify(h2, s);
  return 0;
}

static int on_data(nghttp2_session *ng, uint8_t flags, int32_t stream_id,
                   const uint8_t *data, size_t len, void *user_data) {
  (void)flags;
  struct hr_h2_stream *s = hr_h2_stream_of(ng, stream_id);
  if (s) {
    hr_bounds_count(&s->bounds, len);
    notify(user_data, s);
  }
  if (!s || s->failed || hr_buf_append(&s->body, data, len) != 0) {
    if (s)
      stream_fail(s, HTTPR_E_NOMEM, NULL);
    /* Nobody takes these bytes: give the window back at once. */
    nghttp2_session_consume(ng, stream_id, len);
  }
  return 0;
}

static int on_stream_close(nghttp2_session *ng, int32_t stream_id,
                           uint32_t error_code, void *user_data) {
  struct hr_h2_stream *s = hr_h2_stream_of(ng, stream_id);
  if (s) {
    s->closed = 1;
    s->error_code = error_code;
    s->refused = error_code == NGHTTP2_REFUSED_STREAM;
    notify(user_data, s);
  }
  return 0;
}

/* A request nghttp2 could not send (GOAWAY came first): never processed. */
static int on_not_sent(nghttp2_session *ng, const nghttp2_frame *frame,
                       int lib_error_code, void *user_data) {
  (void)lib_error_code;
  struct hr_h2_stream *s = hr_h2_stream_of(ng, frame->hd.stream_id);
  if (frame->hd.type == NGHTTP2_HEADERS && s) {
    s->closed = 1;
    s->refused = 1;
    s->error_code = NGHTTP2_REFUSED_STREAM;
    notify(user_data, s);
  }
  return 0;
}

static void remember_why(struct hr_h2 *h2, const char *msg, size_t len) {
  if (h2->why[0])
    return; /* the first reason is the real one */
  if (len >= sizeof(h2->why))
    len = sizeof(h2->why) - 1;
  memcpy(h2->why, msg, len);
  h2->why[len] = '\0';
}

static int on_error(nghttp2_session *ng, int lib_error_code, const char *msg,
                    size_t len, void *user_data) {
  (void)ng;
  (void)lib_error_code;
  remember_why(user_data, msg, len);
  return 0;
}

/* A stream's frame went out: it moved (see bounds.h). And some protocol
 * errors end the session with our GOAWAY and no other callback: its
 * debug data (or error code) is the reason. */
static int on_frame_sent(nghttp2_session *ng, const nghttp2_frame *frame,
                         void *user_data) {
  struct hr_h2_stream *s =
      frame->hd.stream_id ? hr_h2_stream_of(ng, frame->hd.stream_id) : NULL;
  if (s) {
    if (frame->hd.type == NGHTTP2_HEADERS && !s->headers_sent) {
      /* A request's turn came: from now on only its own bytes count. */
      s->headers_sent = 1;
      hr_bounds_count(&s->bounds, frame->hd.length + 9);
    }
    hr_bounds_date(&s->bounds); /* its HEADERS or DATA went out now */
    return 0;
  }
  if (frame->hd.type != NGHTTP2_GOAWAY ||
      frame->goaway.error_code == NGHTTP2_NO_ERROR)
    return 0;
  const char *why = frame->goaway.opaque_data_len
                        ? (const char *)frame->goaway.opaque_data
                        : nghttp2_http2_strerror(frame->goaway.error_code);
  size_t len = frame->goaway.opaque_data_len ? frame->goaway.opaque_data_len
                                             : strlen(why);
  remember_why(user_data, why, len);
  return 0;
}

static int on_invalid_frame(nghttp2_session *ng, const nghttp2_frame *frame,
                            int lib_error_code, void *user_data) {
  (void)ng;
  (void)frame;
  const char *msg = nghttp2_strerror(lib_error_code);
  remember_why(user_data, msg, strlen(msg));
  return 0;
}

/* The request body, from memory or from what its owner's thread read. */
static ssize_t read_body(nghttp2_session *ng, int32_t stream_id, uint8_t *buf,
                         size_t length, uint32_t *data_flags,
                         nghttp2_data_source *source, void *user_data) {
  (void)source;
  struct hr_h2_stream *s = hr_h2_stream_of(ng, stream_id);
  if (!s)
    return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE; /* its owner left */
  const struct hr_h2_request *rq = s->rq;
  if (!rq->read_cb) {
    size_t n = rq->body_len - s->body_sent;
    if (n > length)
      n = length;
    memcpy(buf, rq->body + s->body_sent, n);
    s->body_sent += n;
    hr_bounds_count(&s->bounds, n);
    if (s->body_sent == rq->body_len)
      *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    return (ssize_t)n;
  }
  size_t n = s->up.len - s->up_off;
  if (n == 0 && !s->up_eof) {
    s->up_deferred = 1;
    /* Its owner reads more, and must not wait for the server first: its
     * hr_h2_want says so (upload_wants_more in h2.c). */
    notify(user_data, s);
    return NGHTTP2_ERR_DEFERRED;
  }
  if (n > length)
    n = length;
  memcpy(buf, s->up.data + s->up_off, n);
  s->up_off += n;
  hr_bounds_count(&s->bounds, n);
  if (s->up_off == s->up.len) {
    hr_buf_reset(&s->up);
    s->up_off = 0;
    if (s->up_eof)
      *data_flags |= NGHTTP2_DATA_FLAG_EOF;
  }
  notify(user_data, s); /* room for more */
  return (ssize_t)n;
}

/* ---- the I/O (lock held) ------------------------------------------------ */

static void submit_queued(struct hr_h2 *h2) {
  /* The server's SETTINGS (its stream limit) come first. */
  while (h2->queue && h2->got_settings && !h2->goaway && !h2->broken) {
    struct hr_h2_stream *s = h2->queue;
    h2->queue = s->next;
    if (!h2->queue)
      h2->queue_tail = NULL;
    nghttp2_data_provider body = {.read_callback = read_body};
    int32_t id =
        nghttp2_submit_request(h2->ng, NULL, s->fields.nva, s->fields.count,
                               s->rq->has_body ? &body : NULL, s);
    hr_h2_fields_free(&s->fields);
    if (id < 0) {
      s->closed = 1;
      s->refused = 1; /* out of stream ids: never sent */
      s->error_code = NGHTTP2_REFUSED_STREAM;
      notify(h2, s);
    } else {
      s->id = id;
    }
  }
}

/* Gathers the frames nghttp2 has to send (up to OUT_CAP waiting); sets
 * more_to_send when it stopped at the cap (nghttp2 may hold more). */
static void gather_output(struct hr_h2 *h2) {
  if (h2->out_off == h2->out.len) {
    hr_buf_reset(&h2->out);
    h2->out_off = 0;
  }
  h2->more_to_send = 0;
  for (;;) {
    if (h2->out.len - h2->out_off >= OUT_CAP) {
      h2->more_to_send = 1;
      return;
    }
    const uint8_t *data = NULL;
    ssize_t n = nghttp2_session_mem_send(h2->ng, &data);
    if (n < 0) {
      protocol_error(h2, nghttp2_strerror((int)n));
      return;
    }
    if (n == 0)
      return;
    if (hr_buf_append(&h2->out, data, (size_t)n) != 0) {
      break_with(h2, HTTPR_E_NOMEM, "out of memory");
      return;
    }
  }
}

static int output_pending(const struct hr_h2 *h2) {
  return h2->out_off < h2->out.len;
}

/* A send the peer broke: what the server said before it went, already
 * here, explains it better (its alert: provider rule 8), as a server that
 * refuses our certificate after the TLS 1.3 handshake alerts and hangs up
 * while our preface goes out. Reads what is left (at most a few buffers,
 * into the input buffer: the connection is over) and keeps a TLS failure
 * found there. */
#define BREAK_READS 4

static void break_on_send_failure(struct hr_h2 *h2) {
  for (int i = 0; i < BREAK_READS && h2->ioerr.code == HTTPR_E_SEND; i++) {
    httpr_error why = {0};
    size_t n = 0;
    short want = 0;
    httpr_code rc = hr_conn_try_read(h2->conn, h2->in, IN_CAP, &n, &want,
                                     &why);
    if (rc == HTTPR_E_TLS_HANDSHAKE)
      h2->ioerr = why;
    if (rc != HTTPR_OK || n == 0)
      break;
  }
  break_connection(h2, &h2->ioerr);
}

/* Writes what it can of the output without blocking; h2->out_want the
 * event to wait for when some is left. 1 when bytes went out. */
static int flush_some(struct hr_h2 *h2) {
  int wrote = 0;
  h2->out_want = 0;
  while (output_pending(h2)) {
    size_t put = 0;
    httpr_code rc = hr_conn_try_write(h2->conn, h2->out.data + h2->out_off,
                                      h2->out.len - h2->out_off, &put,
                                      &h2->out_want, &h2->ioerr);
    if (rc != HTTPR_OK) {
      break_on_send_failure(h2);
      break;
    }
    if (put == 0)
      break;
    h2->out_off += put;
    wrote = 1;
  }
  return wrote;
}

/* nghttp2 stops reading once it ended the session: on a protocol error
 * (it then sends its GOAWAY), or after the server's GOAWAY when no stream
 * is left. */
static void check_ended(struct hr_h2 *h2) {
  if (h2->broken || nghttp2_session_want_read(h2->ng))
    return;
  if (h2->why[0])
    protocol_error(h2, "the connection was ended");
  else if (!nghttp2_session_want_write(h2->ng))
    break_with(h2, HTTPR_E_RECV, "the server ended the HTTP/2 connection");
}

/* Reads what has arrived, up to IN_CAP, and feeds it to nghttp2. 1 when
 * bytes came. */
static int read_some(struct hr_h2 *h2) {
  size_t got = 0;
  short want = 0;
  int eof = 0;
  httpr_code rc = HTTPR_OK;
  h2->in_more = 0;
  while (got < IN_CAP) {
    size_t n = 0;
    rc = hr_conn_try_read(h2->conn, h2->in + got, IN_CAP - got, &n, &want,
                          &h2->ioerr);
    if (rc != HTTPR_OK)
      break;
    if (n == 0) {
      eof = !want;
      break;
    }
    got += n;
  }
  h2->in_more = got == IN_CAP;
  if (got) {
    ssize_t n = nghttp2_session_mem_recv(h2->ng, (const uint8_t *)h2->in, got);
    if (n < 0)
      protocol_error(h2, nghttp2_strerror((int)n));
    else
      check_ended(h2);
    if (h2->on_input)
      h2->on_input(h2->conn, h2->on_input_ud);
  }
  if (rc != HTTPR_OK)
    break_connection(h2, &h2->ioerr);
  else if (eof)
    break_with(h2, HTTPR_E_RECV, "the server closed the HTTP/2 connection");
  return got > 0;
}

void hr_h2_send(struct hr_h2 *h2, int64_t now) {
  int moved = 0;
  for (int round = 0; round < SEND_ROUNDS && !h2->broken; round++) {
    submit_queued(h2);
    gather_output(h2);
    moved |= flush_some(h2);
    /* Stopped at the cap with all of it written: gather more now. */
    if (!h2->more_to_send || output_pending(h2))
      break;
  }
  if (moved)
    h2->last_io = now;
}

void hr_h2_io(struct hr_h2 *h2, int may_read, int64_t now) {
  if (!h2->broken) {
    if (h2->queue || output_pending(h2) || nghttp2_session_want_write(h2->ng))
      hr_h2_send(h2, now);
    if ((may_read || h2->in_more) && !h2->broken && read_some(h2)) {
      h2->last_io = now;
      /* Answers to what came in (SETTINGS and PING acks, window updates),
       * and the streams the server's SETTINGS let go. */
      hr_h2_send(h2, now);
      check_ended(h2);
    }
  }
  hr_h2_wake_news(h2);
}

void hr_h2_wake_news(struct hr_h2 *h2) {
  for (struct h2_user *u = h2->users; u; u = u->next)
    if (u->news && u != h2->turner)
      hr_h2_wake(u);
}

short hr_h2_io_events(const struct hr_h2 *h2, int watching) {
  short events = watching ? POLLIN : 0;
  if (output_pending(h2))
    events |= h2->out_want ? h2->out_want : POLLOUT;
  return events;
}

int hr_h2_accepting(struct hr_h2 *h2) {
  pthread_mutex_lock(&h2->lock);
  /* Idle: read a GOAWAY or a close that came meanwhile, without waiting. */
  if (!h2->running && !h2->broken) {
    struct pollfd pfd = {.fd = h2->conn->fd, .events = POLLIN};
    if (poll(&pfd, 1, 0) > 0) {
      h2->turner = NULL;
      hr_h2_io(h2, 1, hr_now_ms());
    }
  }
  int ok = !h2->goaway && !h2->broken;
  pthread_mutex_unlock(&h2->lock);
  return ok;
}

void hr_h2_free(struct hr_h2 *h2) {
  if (!h2)
    return;
  /* Resets of cancelled streams, if the socket takes them now. */
  if (h2->cancelled && !h2->broken) {
    h2->turner = NULL;
    hr_h2_send(h2, hr_now_ms());
  }
  nghttp2_session_del(h2->ng);
  pthread_mutex_destroy(&h2->lock);
  hr_buf_free(&h2->out);
  free(h2->in);
  free(h2);
}

static int session_new(struct hr_h2 *h2) {
  nghttp2_session_callbacks *cbs = NULL;
  nghttp2_option *opt = NULL;
  int rv = -1;
  if (nghttp2_session_callbacks_new(&cbs) != 0 || nghttp2_option_new(&opt) != 0)
    goto out;
  nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close);
  nghttp2_session_callbacks_set_on_frame_not_send_callback(cbs, on_not_sent);
  nghttp2_session_callbacks_set_error_callback2(cbs, on_error);
  nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(
      cbs, on_invalid_frame);
  nghttp2_session_callbacks_set_on_frame_send_callback(cbs, on_frame_sent);
  /* Window credit goes back as callers take their bytes (give_body). */
  nghttp2_option_set_no_auto_window_update(opt, 1);
  if (nghttp2_session_client_new2(&h2->ng, cbs, h2, opt) != 0)
    goto out;
  nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, STREAM_WINDOW},
  };
  if (nghttp2_submit_settings(h2->ng, NGHTTP2_FLAG_NONE, settings,
                              sizeof(settings) / sizeof(settings[0])) != 0 ||
      nghttp2_session_set_local_window_size(h2->ng, NGHTTP2_FLAG_NONE, 0,
                                            CONNECTION_WINDOW) != 0)
    goto out;
  rv = 0;
out:
  nghttp2_session_callbacks_del(cbs);
  nghttp2_option_del(opt);
  return rv;
}

httpr_code hr_h2_attach(struct hr_conn *c, size_t max_header_bytes,
                        void (*on_input)(struct hr_conn *c, void *ud), void *ud,
                        struct hr_h2 **out, httpr_error *err) {
  struct hr_h2 *h2 = calloc(1, sizeof(*h2));
  if (!h2)
    return hr_nomem(err);
  pthread_mutex_init(&h2->lock, NULL);
  h2->conn = c;
  h2->last_io = hr_now_ms();
  h2->max_header_bytes = max_header_bytes;
  h2->on_input = on_input;
  h2->on_input_ud = ud;
  /* The first turn reads without poll's word: the TLS library may hold
   * the server's SETTINGS already, read with the end of the handshake,
   * where poll cannot see it (mbedTLS does). */
  h2->in_more = 1;
  if (!(h2->in = malloc(IN_CAP)) || session_new(h2) != 0) {
    hr_h2_free(h2);
    return hr_nomem(err);
  }
  *out = h2;
  return HTTPR_OK;
}
