/* SPDX-License-Identifier: MIT */
/*
 * h1_exchange.c - one HTTP/1.1 request and response on one connection:
 * writes the head and body (from memory, or streamed from a callback,
 * chunked when its length is unknown), feeds what arrives to the response
 * parser, and gives the connection back when it can carry another
 * request. Where the connection came from is checkout.c's business.
 */
#include "api/h1_exchange.h"

#include <stdlib.h>
#include <string.h>

#include "api/checkout.h"
#include "protocol/h1_writer.h"

#define IO_CHUNK (16 * 1024)

/* ---- sending ------------------------------------------------------------- */

static httpr_code send_bytes(struct hr_exchange *x, const void *data,
                             size_t len, httpr_error *err) {
  return hr_conn_write(x->conn, data, len, &x->bounds, err);
}

static int64_t body_length(const struct hr_transfer *t) {
  const httpr_request *req = t->req;
  if (!t->send_body || !req->has_body)
    return HR_H1_NO_BODY;
  if (req->read_cb)
    return req->read_len >= 0 ? req->read_len : HR_H1_CHUNKED;
  return (int64_t)req->body_len;
}

/* Streams a callback body, chunked or exactly read_len bytes. */
static httpr_code send_callback_body(struct hr_exchange *x, httpr_error *err) {
  const httpr_request *req = x->t->req;
  int chunked = req->read_len < 0;
  uint64_t sent = 0;
  struct hr_buf frame = {0};
  char *buf = malloc(IO_CHUNK);
  httpr_code rc = HTTPR_OK;
  if (!buf)
    return hr_nomem(err);
  for (;;) {
    long n = req->read_cb(buf, IO_CHUNK, req->read_ud);
    if (n < 0 || n > IO_CHUNK) {
      rc = hr_fail(err, HTTPR_E_READ, "the body read callback failed");
      break;
    }
    if (!chunked && sent + (uint64_t)n > (uint64_t)req->read_len) {
      rc = hr_fail(err, HTTPR_E_READ,
                   "the body read callback gave more than the %lld bytes "
                   "announced",
                   (long long)req->read_len);
      break;
    }
    if (n == 0) {
      if (chunked)
        rc = send_bytes(x, "0\r\n\r\n", 5, err);
      else if (sent != (uint64_t)req->read_len)
        rc = hr_fail(err, HTTPR_E_READ,
                     "the body read callback ended after %llu of %lld bytes",
                     (unsigned long long)sent, (long long)req->read_len);
      break;
    }
    hr_buf_reset(&frame);
    if (chunked && hr_h1_chunk_start(&frame, (size_t)n) != 0) {
      rc = hr_nomem(err);
      break;
    }
    if (hr_buf_append(&frame, buf, (size_t)n) != 0 ||
        (chunked && hr_buf_append(&frame, "\r\n", 2) != 0)) {
      rc = hr_nomem(err);
      break;
    }
    rc = send_bytes(x, frame.data, frame.len, err);
    if (rc != HTTPR_OK)
      break;
    sent += (uint64_t)n;
  }
  free(buf);
  hr_buf_free(&frame);
  return rc;
}

static httpr_code send_request(struct hr_exchange *x, httpr_error *err) {
  struct hr_transfer *t = x->t;
  struct hr_buf head = {0};
  httpr_code rc = hr_h1_write_head(&head, t->method, t->url, t->headers,
                                   body_length(t), err);
  if (rc != HTTPR_OK)
    goto done;
  hr_exchange_debug(x, HTTPR_DEBUG_HEADER_OUT, head.data, head.len);
  t->resp->times[HTTPR_TIME_PRETRANSFER] = hr_transfer_since(t);
  const httpr_request *req = t->req;
  int memory_body = t->send_body && req->has_body && !req->read_cb;
  /* A small body goes out with the head: one write, one TLS record. */
  if (memory_body && req->body_len <= IO_CHUNK) {
    if (hr_buf_append(&head, req->body, req->body_len) != 0) {
      rc = hr_nomem(err);
      goto done;
    }
    memory_body = 0;
  }
  rc = send_bytes(x, head.data, head.len, err);
  if (rc == HTTPR_OK && memory_body)
    rc = send_bytes(x, req->body, req->body_len, err);
  if (rc == HTTPR_OK && t->send_body && req->read_cb)
    rc = send_callback_body(x, err);
done:
  hr_buf_free(&head);
  return rc;
}

/* ---- receiving ----------------------------------------------------------- */

static httpr_code receive_response(struct hr_exchange *x, httpr_error *err) {
  struct hr_h1_parser parser;
  int head_only = strcmp(x->t->method, "HEAD") == 0;
  hr_h1_parser_init(&parser, x->client->cfg.max_header_bytes, head_only);
  httpr_code rc = HTTPR_OK;
  /* The buffer lives with the connection: one allocation, not one per
   * request. */
  if (!x->conn->read_buf && !(x->conn->read_buf = malloc(HR_READ_CHUNK))) {
    rc = hr_nomem(err);
    goto done;
  }
  char *buf = x->conn->read_buf;
  while (!parser.done) {
    size_t got = 0;
    rc = hr_conn_read(x->conn, buf, HR_READ_CHUNK, &got, &x->bounds, err);
    if (rc != HTTPR_OK) {
      /* An alert after response bytes is a broken transfer, not a
       * handshake failure (provider rule 8 covers only the first byte). */
      if (rc == HTTPR_E_TLS_HANDSHAKE && x->bytes_in > 0)
        err->code = rc = HTTPR_E_RECV;
      break;
    }
    if (got == 0) {
      rc = hr_h1_parser_eof(&parser, err);
      break;
    }
    if (x->bytes_in == 0)
      x->t->resp->times[HTTPR_TIME_STARTTRANSFER] = hr_transfer_since(x->t);
    x->bytes_in += got;
    size_t used = 0;
    rc = hr_h1_parser_feed(&parser, buf, got, &used, &hr_exchange_callbacks, x,
                           err);
    if (rc != HTTPR_OK)
      break;
    if (parser.done && used < got)
      parser.keep_alive = 0; /* bytes beyond the response: not reusable */
  }
  x->reusable = rc == HTTPR_OK && parser.done && parser.keep_alive;
done:
  hr_h1_parser_free(&parser);
  return rc;
}

#define ALERT_GRACE_MS 200

/* In TLS 1.3 a server that refuses the client's certificate sends its
 * alert after our Finished and closes; our request can then meet a closed
 * socket before we read anything. The alert is the real reason (provider rule
 * 8): if it is already here, report it instead of the broken pipe. */
static httpr_code alert_behind_send_failure(struct hr_exchange *x,
                                            httpr_error *err) {
  if (!x->conn->tls)
    return err->code;
  if (!x->conn->read_buf && !(x->conn->read_buf = malloc(HR_READ_CHUNK)))
    return err->code;
  httpr_error send_err = *err;
  size_t got = 0;
  struct hr_limits none = {.total_ms = ALERT_GRACE_MS};
  struct hr_bounds grace;
  hr_bounds_start(
      &grace, &none,
      hr_deadline_min(hr_now_ms() + ALERT_GRACE_MS, x->t->deadline));
  httpr_code rc = hr_conn_read(x->conn, x->conn->read_buf, HR_READ_CHUNK, &got,
                               &grace, err);
  if (rc == HTTPR_E_TLS_HANDSHAKE)
    return rc;
  *err = send_err;
  return err->code;
}

httpr_code hr_h1_exchange_run(struct hr_exchange *x, int reused, int *retry,
                              httpr_error *err) {
  struct hr_pool *pool = x->client->pool;
  httpr_code rc = send_request(x, err);
  if (rc == HTTPR_E_SEND)
    rc = alert_behind_send_failure(x, err);
  if (rc == HTTPR_OK)
    rc = receive_response(x, err);
  if (rc == HTTPR_OK) {
    x->t->resp->times[HTTPR_TIME_TOTAL] = hr_transfer_since(x->t);
    hr_checkout_keep_session(x->client, x->pc);
    if (x->reusable)
      hr_pool_put(pool, x->pc);
    else
      hr_pool_discard(pool, x->pc, 1);
    return HTTPR_OK;
  }
  hr_pool_discard(pool, x->pc, 0);
  *retry =
      reused && x->bytes_in == 0 && (rc == HTTPR_E_SEND || rc == HTTPR_E_RECV);
  return rc;
}
