/* SPDX-License-Identifier: MIT */
/*
 * h2_internal.h - what the two halves of the HTTP/2 code share: the
 * session and its I/O (h2_session.c) and the owners' streams (h2.c).
 *
 * Everything in struct hr_h2, its users and their streams is guarded by
 * h2->lock, which is never held across a wait: every I/O under it is
 * non-blocking. nghttp2's callbacks run inside nghttp2_session_mem_recv
 * / _mem_send, which the turning owner calls with the lock held, so they
 * may touch any stream; what they find for another owner's stream marks
 * that owner's user and, at the end of the I/O, writes its wake_fd.
 * A stream's callbacks run on its owner's thread with the lock released;
 * the stream stays listed meanwhile (h2_user.turning defers its free).
 */
#ifndef HTTPR_H2_INTERNAL_H
#define HTTPR_H2_INTERNAL_H

#include <nghttp2/nghttp2.h>
#include <pthread.h>

#include "common/buf.h"
#include "protocol/h2.h"
#include "protocol/h2_request.h"

#define UPLOAD_CHUNK (64 * 1024) /* bytes read from a body callback */

struct h2_user;

struct hr_h2_stream {
  const struct hr_h2_request *rq;
  struct hr_h2_fields fields;                 /* until submitted */
  int32_t id;                                 /* 0 until submitted */
  struct hr_h2_stream *next;                  /* in the queue for SETTINGS */
  struct hr_h2_stream *prev_mine, *next_mine; /* user->streams */
  struct h2_user *user;                       /* its owner on this connection */
  /* the owner's side */
  const struct hr_h1_callbacks *cb;
  void *ud;
  struct hr_bounds bounds; /* its time limits; its own bytes count */
  int headers_sent;        /* its turn came: its HEADERS went out */
  struct hr_h2_outcome out;
  httpr_error *err; /* the owner's, for the stream's failure */
  httpr_code rc;    /* once done */
  int done;         /* ended (rc, out, err final); nghttp2 no longer knows it */
  int freed;        /* freed from a callback: free once the turn ends */
  struct hr_buf spare; /* body buffer swapped with the one being filled */
  int head_given;
  /* request body */
  size_t body_sent; /* memory body: bytes given to nghttp2 */
  struct hr_buf up; /* callback body: read, not yet given */
  size_t up_off;
  uint64_t up_total; /* read from the callback so far */
  int up_eof;
  int up_deferred; /* nghttp2 waits for more (resume_data) */
  /* response, filled by whoever does the I/O */
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
  httpr_code failed;     /* found during I/O: too large, out of memory */
  const char *fail_what; /* for HTTPR_E_TOO_LARGE: what exceeded */
};

/* An owner with streams on this connection. */
struct h2_user {
  struct hr_h2_owner *owner;
  struct h2_user *next;         /* h2->users */
  struct hr_h2_stream *streams; /* its streams, done or not */
  int news;    /* another owner's I/O found something for its streams */
  int woken;   /* its wake_fd written since its last turn */
  int turning; /* inside hr_h2_turn: hr_h2_stream_free defers */
};

struct hr_h2 {
  struct hr_conn *conn;
  nghttp2_session *ng;
  pthread_mutex_t lock;
  struct h2_user *users; /* owners with streams here */
  size_t nusers;
  struct h2_user *watcher; /* the one polling for input, or NULL */
  struct h2_user *turner;  /* whose I/O this is (NULL: nobody's) */
  int got_settings;
  int goaway;
  int broken;
  int64_t last_io;   /* hr_now_ms() when a byte last moved either way */
  httpr_error broke; /* why, once broken */
  httpr_error ioerr; /* scratch for the I/O's failures */
  char why[160];     /* nghttp2's reason for a protocol error */
  size_t running;    /* streams not done */
  struct hr_h2_stream *queue, *queue_tail;
  size_t max_header_bytes;
  struct hr_buf out; /* frames to write */
  size_t out_off;
  short out_want; /* what the last write that stopped waits for */
  /* The last gathering stopped at its cap: there is more to send once
   * out is written, without waiting for the server, which may say
   * nothing until a body is whole (issue 14). */
  int more_to_send;
  int cancelled; /* a stream was reset: hr_h2_free sends what is left */
  int in_more;   /* the last read stopped at IN_CAP: read again at once */
  char *in;      /* IN_CAP bytes */
  void (*on_input)(struct hr_conn *c, void *ud);
  void *on_input_ud;
};

/* Lock held. The stream nghttp2 knows by id, or NULL. */
struct hr_h2_stream *hr_h2_stream_of(nghttp2_session *ng, int32_t id);
/* Lock held. The connection's I/O, never waiting: sends what is queued,
 * reads (when may_read, or the last read stopped at its cap) and feeds
 * nghttp2, sends the answers; then wakes the owners whose streams got
 * news. h2->turner is the owner doing it (its own news need no wake). */
void hr_h2_io(struct hr_h2 *h2, int may_read, int64_t now);
/* Lock held. Sends what nghttp2 has now (window updates, resets, body
 * data), never waiting. */
void hr_h2_send(struct hr_h2 *h2, int64_t now);
/* Lock held. Marks u as having news and writes its wake_fd once. */
void hr_h2_wake(struct h2_user *u);
/* Lock held. Wakes every owner but h2->turner whose streams got news. */
void hr_h2_wake_news(struct hr_h2 *h2);
/* Lock held. The events to poll the connection for: POLLIN when
 * watching, and what pending output waits for. */
short hr_h2_io_events(const struct hr_h2 *h2, int watching);

#endif
