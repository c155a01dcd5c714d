/* SPDX-License-Identifier: MIT */
/*
 * h2_internal.h - what the two halves of the HTTP/2 code share: the
 * session and its I/O (h2_session.c) and the callers' streams (h2.c).
 *
 * Everything in struct hr_h2 and in the streams is guarded by h2->lock,
 * except the I/O buffers (out, in), which only the driving thread touches
 * and only while h2->driving is set. nghttp2's callbacks run inside
 * nghttp2_session_mem_recv / _mem_send, which the driver calls with the
 * lock held, so they may touch any stream. A caller waits on its own
 * waiter, woken only for its streams' news (or to take over the I/O when
 * the driver leaves).
 */
#ifndef HTTPR_H2_INTERNAL_H
#define HTTPR_H2_INTERNAL_H

#include <nghttp2/nghttp2.h>
#include <pthread.h>

#include "common/buf.h"
#include "protocol/h2.h"
#include "protocol/h2_request.h"

#define UPLOAD_CHUNK (64 * 1024) /* bytes read from a body callback */

struct stream {
  const struct hr_h2_request *rq;
  struct hr_h2_fields fields;         /* until submitted */
  int32_t id;                         /* 0 until submitted */
  struct stream *next;                /* in the queue waiting for SETTINGS */
  struct stream *prev_run, *next_run; /* h2->runs */
  struct waiter *w;                   /* its caller's, woken when it has news */
  /* the caller's side */
  const struct hr_h1_callbacks *cb;
  void *ud;
  struct hr_bounds bounds; /* its time limits; its own bytes count */
  int headers_sent;        /* its turn came: its HEADERS went out */
  struct hr_h2_outcome *out;
  httpr_error *err;
  struct hr_buf spare; /* body buffer swapped with the driver's */
  int head_given;
  struct hr_h2_job *job; /* in hr_h2_run_jobs */
  /* request body */
  size_t body_sent; /* memory body: bytes given to nghttp2 */
  struct hr_buf up; /* callback body: read, not yet given */
  size_t up_off;
  uint64_t up_total; /* read from the callback so far */
  int up_eof;
  int up_deferred; /* nghttp2 waits for more (resume_data) */
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
  int wake[2]; /* a byte here ends the driver's poll */
  int driving;
  int got_settings;
  int goaway;
  int broken;
  int64_t last_io;     /* hr_now_ms() when a byte last moved either way */
  httpr_error broke;   /* why, once broken */
  char why[160];       /* nghttp2's reason for a protocol error */
  size_t running;      /* exchanges in progress */
  struct stream *runs; /* their streams */
  struct stream *queue, *queue_tail;
  size_t max_header_bytes;
  struct hr_buf out; /* frames to write (driver only) */
  size_t out_off;
  /* (driver only) The last gathering left frames to send, or a callback
   * body waits for its caller to read more: once out is written the
   * driver ends its turn rather than wait for the server, which may say
   * nothing until the body is whole (issue 14). */
  int more_to_send;
  char *in; /* IN_CAP bytes (driver only) */
  void (*on_input)(struct hr_conn *c, void *ud);
  void *on_input_ud;
};

/* Lock held. The stream nghttp2 knows by id, or NULL. */
struct stream *hr_h2_stream_of(nghttp2_session *ng, int32_t id);
/* Ends the driver's poll so it sends what was queued. */
void hr_h2_wake_driver(struct hr_h2 *h2);
/* The driver left: one waiting caller takes over the I/O. */
void hr_h2_hand_over(struct hr_h2 *h2);
/* One turn of the connection's I/O for every stream, until deadline at
 * the latest; called and returns with the lock held. */
void hr_h2_drive(struct hr_h2 *h2, int64_t deadline);

#endif
