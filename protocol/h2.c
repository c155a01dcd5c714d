/*
 * h2.c - HTTP/2 on one shared connection (see h2.h for the model).
 *
 * Everything in struct hr_h2 and in the streams is guarded by h2->lock,
 * except the I/O buffers (out, in), which only the driving thread touches
 * and only while h2->driving is set. nghttp2's callbacks run inside
 * nghttp2_session_mem_recv / _mem_send, which the driver calls with the
 * lock held, so they may touch any stream. A caller waits on its own
 * stream's condition variable, woken only for its stream's news (or to
 * take over the I/O when the driver leaves).
 */
#include "protocol/h2.h"

#include <errno.h>
#include <fcntl.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "protocol/buf.h"
#include "protocol/clock.h"
#include "protocol/h2_request.h"

#define STREAM_WINDOW (1 << 20)      /* receive window per stream */
#define CONNECTION_WINDOW (16 << 20) /* receive window of the connection */
#define IN_CAP (64 * 1024)           /* bytes read per driving turn */
#define OUT_CAP (256 * 1024)         /* frames gathered per driving turn */
#define UPLOAD_CHUNK (64 * 1024)     /* bytes read from a body callback */

struct stream {
  const struct hr_h2_request *rq;
  struct hr_h2_fields fields; /* until submitted */
  int32_t id;                 /* 0 until submitted */
  struct stream *next;        /* in the queue waiting for SETTINGS */
  struct stream *prev_run, *next_run; /* h2->runs */
  struct waiter *w;           /* its caller's, woken when it has news */
  /* the caller's side */
  const struct hr_h1_callbacks *cb;
  void *ud;
  int64_t deadline;
  long timeout_ms;
  struct hr_h2_outcome *out;
  httpr_error *err;
  struct hr_buf spare;   /* body buffer swapped with the driver's */
  int head_given;
  struct hr_h2_job *job; /* in hr_h2_run_jobs */
  /* request body */
  size_t body_sent;    /* memory body: bytes given to nghttp2 */
  struct hr_buf up;    /* callback body: read, not yet given */
  size_t up_off;
  uint64_t up_total;   /* read from the callback so far */
  int up_eof;
  int up_deferred;     /* nghttp2 waits for more (resume_data) */
  /* response, filled by the driver */
  int status;
  int informational; /* inside a 1xx header block */
  int head_done;
  size_t head_bytes;
  struct hr_headers head, trailers;
  struct hr_buf body; /* received, not yet handed over */
  int ended;          /* END_STREAM received */
  int closed;         /* nghttp2 closed it */
  uint32_t error_code;
  int refused;
  httpr_code failed; /* found by the driver: too large, out of memory */
  httpr_error fail;
};

/* A thread waiting for news of its streams (one, or a batch of them). */
struct waiter {
  pthread_cond_t cond;
  int waiting;
};

struct hr_h2 {
  struct hr_conn *conn;
  nghttp2_session *ng;
  pthread_mutex_t lock;
  int wake[2];            /* a byte here ends the driver's poll */
  int driving;
  int got_settings;
  int goaway;
  int broken;
  httpr_error broke; /* why, once broken */
  char why[160];     /* nghttp2's reason for a protocol error */
  size_t running;    /* exchanges in progress */
  struct stream *runs; /* their streams */
  struct stream *queue, *queue_tail;
  size_t max_header_bytes;
  struct hr_buf out; /* frames to write (driver only) */
  size_t out_off;
  char *in; /* IN_CAP bytes (driver only) */
  void (*on_input)(struct hr_conn *c, void *ud);
  void *on_input_ud;
};

/* ---- helpers (lock held) ------------------------------------------------- */

static struct stream *stream_of(nghttp2_session *ng, int32_t id) {
  return nghttp2_session_get_stream_user_data(ng, id);
}

/* Wakes the caller of s if it waits. Only that caller: waking every
 * waiting thread for each frame would cost a context switch per thread. */
static void notify(struct stream *s) {
  if (s && s->w->waiting)
    pthread_cond_signal(&s->w->cond);
}

static void notify_all(struct hr_h2 *h2) {
  for (struct stream *s = h2->runs; s; s = s->next_run)
    notify(s);
}

/* The driver left: one waiting caller takes over the connection's I/O. */
static void hand_over(struct hr_h2 *h2) {
  for (struct stream *s = h2->runs; s; s = s->next_run) {
    if (s->w->waiting) {
      pthread_cond_signal(&s->w->cond);
      return;
    }
  }
}

static void wake_driver(struct hr_h2 *h2) {
  if (h2->driving) {
    char byte = 1;
    ssize_t n = write(h2->wake[1], &byte, 1);
    (void)n; /* a full pipe already wakes it */
  }
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

static void stream_fail(struct stream *s, httpr_code code, const char *what,
                        size_t limit) {
  if (s->failed)
    return;
  s->failed = code;
  if (code == HTTPR_E_TOO_LARGE)
    hr_fail(&s->fail, code, "%s the limit of %zu bytes", what, limit);
  else
    hr_nomem(&s->fail);
}

/* ---- nghttp2 callbacks (driver, lock held) ------------------------------- */

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

static int on_header(nghttp2_session *ng, const nghttp2_frame *frame,
                     const uint8_t *name, size_t namelen,
                     const uint8_t *value, size_t valuelen, uint8_t flags,
                     void *user_data) {
  (void)flags;
  struct hr_h2 *h2 = user_data;
  struct stream *s = stream_of(ng, frame->hd.stream_id);
  if (frame->hd.type != NGHTTP2_HEADERS || !s || s->failed)
    return 0;
  if (namelen == 7 && memcmp(name, ":status", 7) == 0) {
    int status = parse_status(value, valuelen);
    s->informational = status >= 100 && status < 200;
    if (!s->informational)
      s->status = status;
    return 0;
  }
  if (s->informational || name[0] == ':')
    return 0; /* 1xx heads are skipped; nghttp2 checks pseudo-headers */
  /* Counted as HTTP/1.1 would carry it: "name: value\r\n". */
  s->head_bytes += namelen + valuelen + 4;
  if (s->head_bytes > h2->max_header_bytes) {
    stream_fail(s, HTTPR_E_TOO_LARGE,
                s->head_done ? "response trailers exceed"
                             : "response headers exceed",
                h2->max_header_bytes);
    return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE; /* resets the stream */
  }
  struct hr_headers *to = s->head_done ? &s->trailers : &s->head;
  if (hr_headers_add(to, (const char *)name, namelen, (const char *)value,
                     valuelen) != 0) {
    stream_fail(s, HTTPR_E_NOMEM, NULL, 0);
    return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  }
  return 0;
}

static int on_frame_recv(nghttp2_session *ng, const nghttp2_frame *frame,
                         void *user_data) {
  struct hr_h2 *h2 = user_data;
  struct stream *s = frame->hd.stream_id ? stream_of(ng, frame->hd.stream_id)
                                         : NULL;
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
  notify(s);
  return 0;
}

static int on_data(nghttp2_session *ng, uint8_t flags, int32_t stream_id,
                   const uint8_t *data, size_t len, void *user_data) {
  (void)flags;
  (void)user_data;
  struct stream *s = stream_of(ng, stream_id);
  if (!s || s->failed || hr_buf_append(&s->body, data, len) != 0) {
    if (s)
      stream_fail(s, HTTPR_E_NOMEM, NULL, 0);
    /* Nobody takes these bytes: give the window back at once. */
    nghttp2_session_consume(ng, stream_id, len);
  }
  return 0;
}

static int on_stream_close(nghttp2_session *ng, int32_t stream_id,
                           uint32_t error_code, void *user_data) {
  (void)user_data;
  struct stream *s = stream_of(ng, stream_id);
  if (s) {
    s->closed = 1;
    s->error_code = error_code;
    s->refused = error_code == NGHTTP2_REFUSED_STREAM;
    notify(s);
  }
  return 0;
}

/* A request nghttp2 could not send (GOAWAY came first): never processed. */
static int on_not_sent(nghttp2_session *ng, const nghttp2_frame *frame,
                       int lib_error_code, void *user_data) {
  (void)lib_error_code;
  (void)user_data;
  struct stream *s = stream_of(ng, frame->hd.stream_id);
  if (frame->hd.type == NGHTTP2_HEADERS && s) {
    s->closed = 1;
    s->refused = 1;
    s->error_code = NGHTTP2_REFUSED_STREAM;
    notify(s);
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

/* Some protocol errors end the session with our GOAWAY and no other
 * callback: its debug data (or error code) is the reason. */
static int on_frame_sent(nghttp2_session *ng, const nghttp2_frame *frame,
                         void *user_data) {
  (void)ng;
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

/* The request body, from memory or from what the caller's thread read. */
static ssize_t read_body(nghttp2_session *ng, int32_t stream_id, uint8_t *buf,
                         size_t length, uint32_t *data_flags,
                         nghttp2_data_source *source, void *user_data) {
  (void)source;
  (void)user_data;
  struct stream *s = stream_of(ng, stream_id);
  if (!s)
    return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE; /* its caller left */
  const struct hr_h2_request *rq = s->rq;
  if (!rq->read_cb) {
    size_t n = rq->body_len - s->body_sent;
    if (n > length)
      n = length;
    memcpy(buf, rq->body + s->body_sent, n);
    s->body_sent += n;
    if (s->body_sent == rq->body_len)
      *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    return (ssize_t)n;
  }
  size_t n = s->up.len - s->up_off;
  if (n == 0 && !s->up_eof) {
    s->up_deferred = 1;
    notify(s); /* its caller reads more */
    return NGHTTP2_ERR_DEFERRED;
  }
  if (n > length)
    n = length;
  memcpy(buf, s->up.data + s->up_off, n);
  s->up_off += n;
  if (s->up_off == s->up.len) {
    hr_buf_reset(&s->up);
    s->up_off = 0;
    if (s->up_eof)
      *data_flags |= NGHTTP2_DATA_FLAG_EOF;
  }
  notify(s); /* room for more */
  return (ssize_t)n;
}

/* ---- the driver ------------------------------------------------------------ */

static void submit_queued(struct hr_h2 *h2) {
  /* The server's SETTINGS (its stream limit) come first. */
  while (h2->queue && h2->got_settings && !h2->goaway && !h2->broken) {
    struct stream *s = h2->queue;
    h2->queue = s->next;
    if (!h2->queue)
      h2->queue_tail = NULL;
    nghttp2_data_provider body = {.read_callback = read_body};
    int32_t id = nghttp2_submit_request(h2->ng, NULL, s->fields.nva,
                                        s->fields.count,
                                        s->rq->has_body ? &body : NULL, s);
    hr_h2_fields_free(&s->fields);
    if (id < 0) {
      s->closed = 1;
      s->refused = 1; /* out of stream ids: never sent */
      s->error_code = NGHTTP2_REFUSED_STREAM;
    } else {
      s->id = id;
    }
  }
}

/* Gathers the frames nghttp2 has to send (up to OUT_CAP waiting). */
static void gather_output(struct hr_h2 *h2) {
  if (h2->out_off == h2->out.len) {
    hr_buf_reset(&h2->out);
    h2->out_off = 0;
  }
  while (h2->out.len - h2->out_off < OUT_CAP) {
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

/* Writes what it can of the output without blocking; *want the event to
 * wait for when some is left. */
static httpr_code flush_some(struct hr_h2 *h2, short *want, httpr_error *err) {
  *want = 0;
  while (output_pending(h2)) {
    size_t put = 0;
    httpr_code rc =
        hr_conn_try_write(h2->conn, h2->out.data + h2->out_off,
                          h2->out.len - h2->out_off, &put, want, err);
    if (rc != HTTPR_OK || put == 0)
      return rc;
    h2->out_off += put;
  }
  return HTTPR_OK;
}

static void drain_wake(struct hr_h2 *h2) {
  char buf[64];
  while (read(h2->wake[0], buf, sizeof(buf)) > 0) {
  }
}

/* The driver's I/O, without the lock: writes what it can, reads what has
 * arrived (*got bytes in h2->in), and when neither moves waits for the
 * connection, a wake-up or the deadline (then returns with nothing). */
static httpr_code io_turn(struct hr_h2 *h2, int64_t deadline, size_t *got,
                          httpr_error *err) {
  *got = 0;
  for (int turns = 0; turns < 64; turns++) {
    short want_write = 0, want_read = 0;
    httpr_code rc = flush_some(h2, &want_write, err);
    if (rc != HTTPR_OK)
      return rc;
    while (*got < IN_CAP) {
      size_t n = 0;
      rc = hr_conn_try_read(h2->conn, h2->in + *got, IN_CAP - *got, &n,
                            &want_read, err);
      if (rc != HTTPR_OK)
        return rc;
      if (n == 0 && !want_read)
        return *got ? HTTPR_OK
                    : hr_fail(err, HTTPR_E_RECV,
                              "the server closed the HTTP/2 connection");
      if (n == 0)
        break;
      *got += n;
    }
    if (*got)
      return HTTPR_OK;
    short events = (short)(want_read | want_write);
    int ready = hr_conn_poll(h2->conn, events ? events : POLLIN, h2->wake[0],
                             deadline);
    if (ready == 0)
      return HTTPR_OK;
    if (ready < 0)
      return hr_fail(err, HTTPR_E_RECV, "poll failed: %s", strerror(errno));
    if (ready == 2) {
      drain_wake(h2);
      return HTTPR_OK; /* a stream wants something sent */
    }
  }
  return HTTPR_OK;
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

static void feed(struct hr_h2 *h2, size_t got) {
  ssize_t n = nghttp2_session_mem_recv(h2->ng, (const uint8_t *)h2->in, got);
  if (n < 0)
    protocol_error(h2, nghttp2_strerror((int)n));
  else
    check_ended(h2);
}

/* One turn of the connection's I/O for every stream. Called and returns
 * with the lock held; releases it while doing I/O. */
static void drive(struct hr_h2 *h2, int64_t deadline) {
  h2->driving = 1;
  submit_queued(h2);
  if (!h2->broken)
    gather_output(h2);
  pthread_mutex_unlock(&h2->lock);
  httpr_error ioerr = {0};
  size_t got = 0;
  httpr_code rc = HTTPR_OK;
  if (!h2->broken)
    rc = io_turn(h2, deadline, &got, &ioerr);
  pthread_mutex_lock(&h2->lock);
  if (rc != HTTPR_OK)
    break_connection(h2, &ioerr);
  else if (got)
    feed(h2, got);
  if (got && h2->on_input)
    h2->on_input(h2->conn, h2->on_input_ud);
  if (!h2->broken) {
    /* Answers to what came in (SETTINGS and PING acks, window updates)
     * leave now, even if no stream drives again soon. */
    gather_output(h2);
    check_ended(h2);
    pthread_mutex_unlock(&h2->lock);
    short want = 0;
    rc = flush_some(h2, &want, &ioerr);
    pthread_mutex_lock(&h2->lock);
    if (rc != HTTPR_OK)
      break_connection(h2, &ioerr);
  }
  h2->driving = 0;
}

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
    rc = cb->on_header(ud, h->name, strlen(h->name), h->value,
                       strlen(h->value), err);
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
  wake_driver(h2); /* a window update to send */
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
    rc = cb->on_header(ud, h->name, strlen(h->name), h->value,
                       strlen(h->value), err);
  }
  pthread_mutex_lock(&h2->lock);
  return rc;
}

/* Reads the next piece of a callback body (lock released meanwhile). */
static httpr_code read_upload(struct hr_h2 *h2, struct stream *s,
                              httpr_error *err) {
  const struct hr_h2_request *rq = s->rq;
  char *buf = malloc(UPLOAD_CHUNK);
  if (!buf)
    return hr_nomem(err);
  pthread_mutex_unlock(&h2->lock);
  long n = rq->read_cb(buf, UPLOAD_CHUNK, rq->read_ud);
  pthread_mutex_lock(&h2->lock);
  httpr_code rc = HTTPR_OK;
  if (n < 0 || n > UPLOAD_CHUNK)
    rc = hr_fail(err, HTTPR_E_READ, "the body read callback failed");
  else if (rq->read_len >= 0 && s->up_total + (uint64_t)n > (uint64_t)rq->read_len)
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
    wake_driver(h2);
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
    nghttp2_submit_rst_stream(h2->ng, NGHTTP2_FLAG_NONE, s->id,
                              NGHTTP2_CANCEL);
    if (s->body.len)
      nghttp2_session_consume_connection(h2->ng, s->body.len);
    nghttp2_session_set_stream_user_data(h2->ng, s->id, NULL);
    wake_driver(h2);
  }
  h2->running--;
  if (s->prev_run)
    s->prev_run->next_run = s->next_run;
  else
    h2->runs = s->next_run;
  if (s->next_run)
    s->next_run->prev_run = s->prev_run;
  hand_over(h2);
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
  if (hr_now_ms() >= s->deadline) {
    *rc = hr_fail(s->err, HTTPR_E_TIMEOUT,
                  "operation timed out after %ld milliseconds", s->timeout_ms);
    return 1;
  }
  return 0;
}

/* Until deadline: drives the connection when nobody does, else waits for
 * news of w's streams. */
static void progress(struct hr_h2 *h2, struct waiter *w, int64_t deadline) {
  if (!h2->driving) {
    drive(h2, deadline);
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
                                 int64_t deadline, long timeout_ms,
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
  s->deadline = deadline;
  s->timeout_ms = timeout_ms;
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
static void stream_start(struct hr_h2 *h2, struct stream *s,
                         struct waiter *w) {
  s->w = w;
  h2->running++;
  s->next_run = h2->runs;
  if (h2->runs)
    h2->runs->prev_run = s;
  h2->runs = s;
  enqueue(h2, s);
  wake_driver(h2);
}

/* ---- public -------------------------------------------------------------- */

httpr_code hr_h2_exchange(struct hr_h2 *h2, const struct hr_h2_request *rq,
                          const struct hr_h1_callbacks *cb, void *ud,
                          int64_t deadline, long timeout_ms,
                          struct hr_h2_outcome *out, httpr_error *err) {
  struct stream *s = stream_new(rq, cb, ud, deadline, timeout_ms, out, err);
  if (!s)
    return err->code;
  struct waiter w;
  waiter_init(&w);
  httpr_code rc;
  pthread_mutex_lock(&h2->lock);
  stream_start(h2, s, &w);
  while (!stream_step(h2, s, &rc))
    progress(h2, &w, deadline);
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
      struct stream *s = stream_new(&j->rq, j->cb, j->ud, j->deadline,
                                    j->timeout_ms, &j->out, &j->err);
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
      soonest = hr_deadline_min(soonest, s->deadline);
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

int hr_h2_accepting(struct hr_h2 *h2) {
  pthread_mutex_lock(&h2->lock);
  /* Idle: read a GOAWAY or a close that came meanwhile, without waiting. */
  if (!h2->running && !h2->driving && !h2->broken) {
    struct pollfd pfd = {.fd = h2->conn->fd, .events = POLLIN};
    if (poll(&pfd, 1, 0) > 0)
      drive(h2, hr_now_ms());
  }
  int ok = !h2->goaway && !h2->broken;
  pthread_mutex_unlock(&h2->lock);
  return ok;
}

static void h2_free(struct hr_h2 *h2) {
  if (!h2)
    return;
  nghttp2_session_del(h2->ng);
  pthread_mutex_destroy(&h2->lock);
  if (h2->wake[0] >= 0)
    close(h2->wake[0]);
  if (h2->wake[1] >= 0)
    close(h2->wake[1]);
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
                        void (*on_input)(struct hr_conn *c, void *ud),
                        void *ud, httpr_error *err) {
  struct hr_h2 *h2 = calloc(1, sizeof(*h2));
  if (!h2)
    return hr_nomem(err);
  h2->wake[0] = h2->wake[1] = -1;
  pthread_mutex_init(&h2->lock, NULL);
  h2->conn = c;
  h2->max_header_bytes = max_header_bytes;
  h2->on_input = on_input;
  h2->on_input_ud = ud;
  if (!(h2->in = malloc(IN_CAP)) ||
      pipe2(h2->wake, O_NONBLOCK | O_CLOEXEC) != 0 || session_new(h2) != 0) {
    h2_free(h2);
    return hr_nomem(err);
  }
  c->h2 = h2;
  c->h2_free = h2_free;
  return HTTPR_OK;
}
