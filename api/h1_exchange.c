/* SPDX-License-Identifier: MIT */
/*
 * h1_exchange.c - one HTTP/1.1 request and response on one connection,
 * as phases stepped by readiness (see h1_exchange.h): sends the head and
 * body (from memory, or streamed from a callback, chunked when its length
 * is unknown), feeds what arrives to the response parser, and gives the
 * connection back when it can carry another request. Where the
 * connection came from is the job's business (job.c).
 */
#include "api/h1_exchange.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "api/checkout.h"
#include "common/fd_release.h"
#include "protocol/h1_writer.h"

#define IO_CHUNK (16 * 1024)
/* How long a failed send waits for the TLS alert that may explain it. */
#define ALERT_GRACE_MS 200
/* Reads or writes per step before others get their turn. */
#define MOVES_PER_STEP 64

static int64_t body_length(const struct hr_transfer *t) {
  const httpr_request *req = t->req;
  if (!t->send_body || !req->has_body)
    return HR_H1_NO_BODY;
  if (req->read_cb)
    return req->read_len >= 0 ? req->read_len : HR_H1_CHUNKED;
  return (int64_t)req->body_len;
}

static int streams_body(const struct hr_transfer *t) {
  return t->send_body && t->req->has_body && t->req->read_cb;
}

httpr_code hr_h1_begin(struct hr_exchange *x, struct hr_h1_exchange *h,
                       httpr_error *err) {
  struct hr_transfer *t = x->t;
  memset(h, 0, sizeof(*h));
  hr_h1_parser_init(&h->parser, x->client->cfg.max_header_bytes,
                    strcmp(t->method, "HEAD") == 0);
  h->phase = HR_H1_DONE;
  /* The read buffer lives with the connection: one allocation, not one
   * per request. */
  if (!x->conn->read_buf && !(x->conn->read_buf = malloc(HR_READ_CHUNK)))
    return hr_nomem(err);
  /* An HTTP proxy takes http:// requests in absolute form; a SOCKS5
   * one is a TCP tunnel to the origin, which takes them as it would. */
  httpr_code rc = x->proxy && !t->url->https && !hr_proxy_is_socks(x->proxy)
                      ? hr_h1_write_proxy_head(&h->out, t->method, t->url,
                                               x->proxy->authorization,
                                               t->headers, body_length(t), err)
                      : hr_h1_write_head(&h->out, t->method, t->url, t->headers,
                                         body_length(t), err);
  if (rc != HTTPR_OK)
    return rc;
  hr_exchange_debug(x, HTTPR_DEBUG_HEADER_OUT, h->out.data, h->out.len);
  t->resp->times[HTTPR_TIME_PRETRANSFER] = hr_transfer_since(t);
  const httpr_request *req = t->req;
  if (t->send_body && req->has_body && !req->read_cb) {
    /* A small body goes out with the head: one write, one TLS record. */
    if (req->body_len <= IO_CHUNK) {
      if (hr_buf_append(&h->out, req->body, req->body_len) != 0)
        return hr_nomem(err);
    } else {
      h->body = req->body;
      h->body_len = req->body_len;
    }
  }
  h->phase = HR_H1_SENDING;
  return HTTPR_OK;
}

short hr_h1_want(const struct hr_exchange *x, const struct hr_h1_exchange *h,
                 int64_t *wake_at) {
  int64_t at = h->phase == HR_H1_GRACE ? h->grace_until
                                       : hr_bounds_wake(&x->bounds);
  if (!h->want)
    at = 0; /* it stopped to let others move, not to wait: at once */
  if (at < *wake_at)
    *wake_at = at;
  return h->want;
}

/* ---- sending ------------------------------------------------------------- */

/* Writes what it can of data[*off..len): 1 when all is out, 0 when the
 * connection must be ready first (h->want says for what). */
static int write_some(struct hr_exchange *x, struct hr_h1_exchange *h,
                      const char *data, size_t len, size_t *off,
                      httpr_code *rc, httpr_error *err) {
  while (*off < len) {
    if ((*rc = hr_bounds_check(&x->bounds, err)) != HTTPR_OK)
      return 0;
    size_t moved = 0;
    *rc = hr_conn_try_write(x->conn, data + *off, len - *off, &moved, &h->want,
                            err);
    if (*rc != HTTPR_OK || h->want)
      return 0;
    *off += moved;
    hr_bounds_count(&x->bounds, moved);
  }
  return 1;
}

/* The next piece of a callback body into h->out, framed when chunked. */
static httpr_code read_piece(struct hr_exchange *x, struct hr_h1_exchange *h,
                             httpr_error *err) {
  const httpr_request *req = x->t->req;
  int chunked = req->read_len < 0;
  hr_buf_reset(&h->out);
  h->out_off = 0;
  /* Room for the framing around the largest piece. */
  if (hr_buf_reserve(&h->out, IO_CHUNK + 32) != 0)
    return hr_nomem(err);
  char *piece = h->out.data + 16; /* after the longest chunk size line */
  long n = req->read_cb(piece, IO_CHUNK, req->read_ud);
  hr_bounds_resume(&x->bounds); /* the callback's time is not idleness */
  if (hr_exchange_is_cancelled(x))
    return hr_exchange_cancelled(err);
  if (n < 0 || n > IO_CHUNK)
    return hr_fail(err, HTTPR_E_READ, "the body read callback failed");
  if (!chunked && h->streamed + (uint64_t)n > (uint64_t)req->read_len)
    return hr_fail(err, HTTPR_E_READ,
                   "the body read callback gave more than the %lld bytes "
                   "announced",
                   (long long)req->read_len);
  if (n == 0) {
    h->body_ended = 1;
    if (!chunked && h->streamed != (uint64_t)req->read_len)
      return hr_fail(err, HTTPR_E_READ,
                     "the body read callback ended after %llu of %lld bytes",
                     (unsigned long long)h->streamed, (long long)req->read_len);
    if (chunked)
      hr_buf_append(&h->out, "0\r\n\r\n", 5); /* reserved above */
    return HTTPR_OK;
  }
  h->streamed += (uint64_t)n;
  if (!chunked) {
    memmove(h->out.data, piece, (size_t)n);
    h->out.len = (size_t)n;
    h->out.data[n] = '\0'; /* as every hr_buf is */
    return HTTPR_OK;
  }
  /* "<hex>\r\n" right before the data, "\r\n" after it. */
  struct hr_buf line = {0};
  if (hr_h1_chunk_start(&line, (size_t)n) != 0)
    return hr_nomem(err);
  h->out_off = 16 - line.len;
  memcpy(h->out.data + h->out_off, line.data, line.len);
  hr_buf_free(&line);
  h->out.len = 16 + (size_t)n;
  hr_buf_append(&h->out, "\r\n", 2); /* reserved above */
  return HTTPR_OK;
}

/* 1 when the request is all out (h moves to receiving), 0 to wait. */
static int send_step(struct hr_exchange *x, struct hr_h1_exchange *h,
                     httpr_code *rc, httpr_error *err) {
  for (int pieces = 0; pieces < MOVES_PER_STEP; pieces++) {
    if (!write_some(x, h, h->out.data, h->out.len, &h->out_off, rc, err))
      return 0;
    if (h->phase == HR_H1_SENDING && h->body &&
        !write_some(x, h, h->body, h->body_len, &h->body_off, rc, err))
      return 0;
    if (!streams_body(x->t) || h->body_ended) {
      h->phase = HR_H1_RECEIVING;
      return 1;
    }
    h->phase = HR_H1_STREAMING;
    if ((*rc = read_piece(x, h, err)) != HTTPR_OK)
      return 0;
  }
  return 0; /* a fast server: others get their turn, then more */
}

/* In TLS 1.3 a server that refuses the client's certificate sends its
 * alert after our Finished and closes; our request can then meet a closed
 * socket before we read anything. The alert is the real reason (provider
 * rule 8): wait a little for it before reporting the broken pipe. */
static void start_grace(struct hr_exchange *x, struct hr_h1_exchange *h,
                        const httpr_error *err) {
  h->send_err = *err;
  h->grace_until =
      hr_deadline_min(hr_now_ms() + ALERT_GRACE_MS, x->t->deadline);
  h->phase = HR_H1_GRACE;
}

static httpr_code grace_step(struct hr_exchange *x, struct hr_h1_exchange *h,
                             httpr_error *err) {
  size_t got = 0;
  httpr_error read_err = {0};
  httpr_code rc = hr_conn_try_read(x->conn, x->conn->read_buf, HR_READ_CHUNK,
                                   &got, &h->want, &read_err);
  if (rc == HTTPR_E_TLS_HANDSHAKE) {
    *err = read_err;
    return rc;
  }
  if (rc == HTTPR_OK && h->want && hr_now_ms() < h->grace_until)
    return HTTPR_OK;
  *err = h->send_err;
  return err->code;
}

/* ---- receiving ----------------------------------------------------------- */

static httpr_code receive_step(struct hr_exchange *x,
                               struct hr_h1_exchange *h, httpr_error *err) {
  struct hr_h1_parser *parser = &h->parser;
  char *buf = x->conn->read_buf;
  for (int reads = 0; reads < MOVES_PER_STEP && !parser->done; reads++) {
    httpr_code rc = hr_bounds_check(&x->bounds, err);
    size_t got = 0;
    if (rc == HTTPR_OK)
      rc = hr_conn_try_read(x->conn, buf, HR_READ_CHUNK, &got, &h->want, err);
    if (rc != HTTPR_OK) {
      /* An alert after response bytes is a broken transfer, not a
       * handshake failure (provider rule 8 covers only the first byte). */
      if (rc == HTTPR_E_TLS_HANDSHAKE && x->bytes_in > 0)
        err->code = rc = HTTPR_E_RECV;
      return rc;
    }
    if (h->want)
      return HTTPR_OK;
    hr_bounds_count(&x->bounds, got);
    if (got == 0)
      return hr_h1_parser_eof(parser, err);
    if (x->bytes_in == 0)
      x->t->resp->times[HTTPR_TIME_STARTTRANSFER] = hr_transfer_since(x->t);
    x->bytes_in += got;
    size_t used = 0;
    rc = hr_h1_parser_feed(parser, buf, got, &used, &hr_exchange_callbacks, x,
                           err);
    hr_bounds_resume(&x->bounds); /* the callbacks' time is not idleness */
    if (rc != HTTPR_OK)
      return rc;
    if (parser->done && used < got)
      parser->keep_alive = 0; /* bytes beyond the response: not reusable */
  }
  return HTTPR_OK;
}

/* Reads the response; once whole, h is done. */
static httpr_code receive(struct hr_exchange *x, struct hr_h1_exchange *h,
                          httpr_error *err) {
  httpr_code rc = receive_step(x, h, err);
  if (rc == HTTPR_OK && h->parser.done) {
    x->reusable = h->parser.keep_alive;
    h->phase = HR_H1_DONE;
  }
  return rc;
}

httpr_code hr_h1_step(struct hr_exchange *x, struct hr_h1_exchange *h,
                      httpr_error *err) {
  httpr_code rc = HTTPR_OK;
  h->want = 0;
  switch (h->phase) {
  case HR_H1_SENDING:
  case HR_H1_STREAMING:
    if (!send_step(x, h, &rc, err)) {
      if (rc == HTTPR_E_SEND && x->conn->tls) {
        start_grace(x, h, err);
        return grace_step(x, h, err);
      }
      return rc;
    }
    return receive(x, h, err); /* the answer may be here already */
  case HR_H1_RECEIVING:
    return receive(x, h, err);
  case HR_H1_GRACE:
    return grace_step(x, h, err);
  case HR_H1_DONE:
    break;
  }
  return HTTPR_OK;
}

int hr_h1_end(struct hr_exchange *x, struct hr_h1_exchange *h, int reused,
              httpr_code rc) {
  struct hr_pool *pool = x->client->pool;
  hr_h1_parser_free(&h->parser);
  hr_buf_free(&h->out);
  h->phase = HR_H1_DONE;
  if (rc == HTTPR_OK) {
    x->t->resp->times[HTTPR_TIME_TOTAL] = hr_transfer_since(x->t);
    hr_checkout_keep_session(x->client, x->pc);
    if (x->reusable) {
      hr_fd_release(x->conn->fd); /* the pool's from now on */
      hr_pool_put(pool, x->pc);
    }
    else
      hr_pool_discard(pool, x->pc, 1);
    return 0;
  }
  hr_pool_discard(pool, x->pc, 0);
  return reused && x->bytes_in == 0 &&
         (rc == HTTPR_E_SEND || rc == HTTPR_E_RECV);
}
