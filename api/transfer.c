/*
 * transfer.c - runs one HTTP/1.1 request and response on one connection:
 * takes a pooled connection or opens one, writes the head and body, feeds
 * what arrives to the response parser, fills the response, and gives the
 * connection back when it can carry another request. A request that fails
 * on a reused connection before any response byte is retried once on a new
 * connection when it is idempotent and its body can be sent again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/transfer.h"
#include "common/clock.h"
#include "protocol/h1_parser.h"
#include "protocol/h1_writer.h"
#include "protocol/h2.h"

#define IO_CHUNK (16 * 1024)
/* A body kept in memory: 16 MiB (see the README, "What bounds each
 * wait"). Bodies that may be larger go to a sink, or raise the limit. */
#define MAX_BUFFERED_BODY ((uint64_t)16 << 20)

struct exchange {
  httpr_client *client;
  struct hr_transfer *t;
  struct hr_conn *conn;
  struct hr_debug debug;
  struct hr_bounds bounds; /* time limits, from the connection's readiness */
  uint64_t bytes_in;       /* response bytes received on this connection */
  uint64_t body_limit;
  int default_body_limit; /* body_limit is MAX_BUFFERED_BODY, not the user's */
  int reusable;
};

int hr_is_redirect_status(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 ||
         status == 308;
}

static void debug_bytes(const struct hr_debug *d, httpr_debug_kind kind,
                        const char *text, size_t len) {
  if (d->fn)
    d->fn(kind, text, len, d->ud);
}

static double since(const struct hr_transfer *t) { return hr_now_s() - t->t0; }

/* ---- response parser callbacks ------------------------------------------- */

static httpr_code on_status(void *ud, int version, int status,
                            const char *reason, size_t reason_len,
                            httpr_error *err) {
  struct exchange *x = ud;
  httpr_response *resp = x->t->resp;
  char *copy = malloc(reason_len + 1);
  if (!copy)
    return hr_nomem(err);
  memcpy(copy, reason, reason_len);
  copy[reason_len] = '\0';
  free(resp->reason);
  resp->reason = copy;
  resp->status = status;
  resp->version = version == 10   ? HTTPR_HTTP_1_0
                  : version == 20 ? HTTPR_HTTP_2
                                  : HTTPR_HTTP_1_1;
  if (!resp->times[HTTPR_TIME_STARTTRANSFER])
    resp->times[HTTPR_TIME_STARTTRANSFER] = since(x->t);
  if (x->debug.fn) {
    char line[300];
    int n = version == 20
                ? snprintf(line, sizeof(line), "HTTP/2 %d", status)
                : snprintf(line, sizeof(line), "HTTP/1.%d %d %s", version % 10,
                           status, copy);
    if (n > 0)
      debug_bytes(&x->debug, HTTPR_DEBUG_HEADER_IN, line,
                  (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
  }
  return HTTPR_OK;
}

static httpr_code on_header(void *ud, const char *name, size_t name_len,
                            const char *value, size_t value_len,
                            httpr_error *err) {
  struct exchange *x = ud;
  if (hr_headers_add(&x->t->resp->headers, name, name_len, value, value_len))
    return hr_nomem(err);
  if (x->debug.fn) {
    struct hr_buf line = {0};
    if (hr_buf_append(&line, name, name_len) == 0 &&
        hr_buf_append(&line, ": ", 2) == 0 &&
        hr_buf_append(&line, value, value_len) == 0)
      debug_bytes(&x->debug, HTTPR_DEBUG_HEADER_IN, line.data, line.len);
    hr_buf_free(&line);
  }
  return HTTPR_OK;
}

/* A 307/308 must repeat the body; one from a callback cannot be read
 * twice, so that redirect is returned to the caller instead. */
static int will_follow(const struct hr_transfer *t, int status) {
  if (!t->follow || !hr_is_redirect_status(status))
    return 0;
  if (!hr_headers_get(&t->resp->headers, "Location", 0))
    return 0;
  int keeps_body = status == 307 || status == 308;
  if (keeps_body && t->send_body && t->req->read_cb)
    return 0;
  return 1;
}

/* The one wording of the body limit, whether the body grew past it or
 * its announced length did. */
static httpr_code body_too_large(const struct exchange *x, httpr_error *err) {
  hr_fail(err, HTTPR_E_TOO_LARGE,
          "response body exceeds the limit of %llu bytes",
          (unsigned long long)x->body_limit);
  if (x->default_body_limit)
    hr_hint(err, "stream the body to a sink (httpr_request_set_body_sink) or "
                 "raise the limit (httpr_config_set_max_body_bytes)");
  return HTTPR_E_TOO_LARGE;
}

/* Content-Length as a number; UINT64_MAX when it is too large for one
 * (the parsers have already refused malformed values). */
static uint64_t announced_length(const char *v) {
  uint64_t n = 0;
  for (; *v >= '0' && *v <= '9'; v++) {
    if (n > (UINT64_MAX - 9) / 10)
      return UINT64_MAX;
    n = n * 10 + (uint64_t)(*v - '0');
  }
  return n;
}

/* A body announced larger than the limit is refused before its first
 * byte, rather than once that much has arrived. HEAD, 204 and 304
 * announce a length without carrying a body. */
static httpr_code check_announced_body(const struct exchange *x,
                                       httpr_error *err) {
  const httpr_response *resp = x->t->resp;
  if (!x->body_limit || strcmp(x->t->method, "HEAD") == 0 ||
      resp->status == 204 || resp->status == 304)
    return HTTPR_OK;
  const char *cl = hr_headers_get(&resp->headers, "Content-Length", 0);
  if (!cl || announced_length(cl) <= x->body_limit)
    return HTTPR_OK;
  body_too_large(x, err);
  hr_detail(err, "the server announced %s bytes (Content-Length)", cl);
  return HTTPR_E_TOO_LARGE;
}

static httpr_code on_head_done(void *ud, httpr_error *err) {
  struct exchange *x = ud;
  x->t->redirect = will_follow(x->t, x->t->resp->status);
  if (x->t->redirect)
    return HTTPR_OK; /* its body is not kept */
  return check_announced_body(x, err);
}

static httpr_code on_body(void *ud, const char *data, size_t len,
                          httpr_error *err) {
  struct exchange *x = ud;
  httpr_response *resp = x->t->resp;
  if (x->t->redirect)
    return HTTPR_OK; /* the body of a redirect we follow is not kept */
  if (x->body_limit && resp->body_bytes + len > x->body_limit)
    return body_too_large(x, err);
  resp->body_bytes += len;
  const httpr_request *req = x->t->req;
  if (req->sink) {
    if (req->sink(data, len, req->sink_ud) != 0)
      return hr_fail(err, HTTPR_E_WRITE,
                     "the body write callback refused the data");
    return HTTPR_OK;
  }
  if (hr_buf_append(&resp->body, data, len) != 0)
    return hr_nomem(err);
  return HTTPR_OK;
}

static const struct hr_h1_callbacks parser_callbacks = {
    .on_status = on_status,
    .on_header = on_header,
    .on_head_done = on_head_done,
    .on_body = on_body,
};

/* ---- sending ------------------------------------------------------------- */

static httpr_code send_bytes(struct exchange *x, const void *data, size_t len,
                             httpr_error *err) {
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
static httpr_code send_callback_body(struct exchange *x, httpr_error *err) {
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

static httpr_code send_request(struct exchange *x, httpr_error *err) {
  struct hr_transfer *t = x->t;
  struct hr_buf head = {0};
  httpr_code rc = hr_h1_write_head(&head, t->method, t->url, t->headers,
                                   body_length(t), err);
  if (rc != HTTPR_OK)
    goto done;
  debug_bytes(&x->debug, HTTPR_DEBUG_HEADER_OUT, head.data, head.len);
  t->resp->times[HTTPR_TIME_PRETRANSFER] = since(t);
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

static httpr_code receive_response(struct exchange *x, httpr_error *err) {
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
       * handshake failure (DESIGN rule 8 covers only the first byte). */
      if (rc == HTTPR_E_TLS_HANDSHAKE && x->bytes_in > 0)
        err->code = rc = HTTPR_E_RECV;
      break;
    }
    if (got == 0) {
      rc = hr_h1_parser_eof(&parser, err);
      break;
    }
    if (x->bytes_in == 0)
      x->t->resp->times[HTTPR_TIME_STARTTRANSFER] = since(x->t);
    x->bytes_in += got;
    size_t used = 0;
    rc = hr_h1_parser_feed(&parser, buf, got, &used, &parser_callbacks, x, err);
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
 * socket before we read anything. The alert is the real reason (DESIGN rule
 * 8): if it is already here, report it instead of the broken pipe. */
static httpr_code alert_behind_send_failure(struct exchange *x,
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

/* ---- connections --------------------------------------------------------- */

/* The session kept for key when resumption is on, else NULL (released by
 * the caller). */
static struct hr_pool_session *saved_session(struct exchange *x,
                                             const char *key) {
  if (!x->client->cfg.session_resumption ||
      !x->client->provider->session_import)
    return NULL;
  return hr_pool_session_get(x->client->pool, key);
}

static httpr_code open_connection(struct exchange *x, const char *key,
                                  int64_t connect_deadline,
                                  httpr_error *err) {
  httpr_client *client = x->client;
  struct hr_transfer *t = x->t;
  void *tls_ctx = NULL;
  struct hr_pool_session *session = NULL;
  if (t->url->https) {
    httpr_code rc = hr_client_tls_context(client, &tls_ctx, err);
    if (rc != HTTPR_OK)
      return rc;
    session = saved_session(x, key);
  }
  struct hr_connect_params p = {
      .host = t->url->host,
      .port = t->url->port,
      .pin_address = hr_config_pin(&client->cfg, t->url->host, t->url->port),
      .provider = t->url->https ? client->provider : NULL,
      .tls_ctx = tls_ctx,
      .session = session ? session->object : NULL,
      .connect_deadline = connect_deadline,
      .total_deadline = t->deadline,
      .connect_timeout_ms = client->cfg.connect_timeout_ms,
      .total_timeout_ms = client->cfg.total_timeout_ms,
      .debug = &x->debug,
  };
  struct hr_conn_times times = {0};
  httpr_code rc = hr_conn_open(&p, &x->conn, &times, err);
  /* A session that went with a failed handshake is not offered again. */
  if (rc != HTTPR_OK && session)
    hr_pool_session_put(client->pool, key, NULL);
  if (session)
    hr_pool_session_release(client->pool, session);
  double *at = t->resp->times;
  at[HTTPR_TIME_NAMELOOKUP] = times.resolved ? times.resolved - t->t0 : 0;
  at[HTTPR_TIME_CONNECT] = times.connected ? times.connected - t->t0 : 0;
  at[HTTPR_TIME_APPCONNECT] = times.handshaken ? times.handshaken - t->t0 : 0;
  return rc;
}

/* Keeps c's session for the next new connection to key, once it has a
 * resumable one (in TLS 1.3 the ticket comes after the handshake, so this
 * is tried after each response until it succeeds). */
static void keep_session(httpr_client *client, struct hr_conn *c,
                         const char *key) {
  if (!c->tls || c->session_saved || !client->cfg.session_resumption ||
      !c->provider->session_export)
    return;
  void *session = c->provider->session_export(c->tls);
  if (!session)
    return;
  hr_pool_session_put(client->pool, key, session);
  c->session_saved = 1;
}

/* An HTTP/2 connection's hook: runs on the thread doing its I/O, the only
 * one touching the TLS connection then. */
static void h2_input(struct hr_conn *c, void *client) {
  keep_session(client, c, c->pool_key);
}

/* A new connection speaks what ALPN chose: HTTP/2 starts here, and a
 * client that requires it refuses anything else. */
static httpr_code start_protocol(struct exchange *x, httpr_error *err) {
  httpr_client *client = x->client;
  int h2 = x->conn->tls && strcmp(x->conn->info.alpn, "h2") == 0;
  if (client->cfg.http_policy == HTTPR_HTTP2_ONLY && !h2) {
    hr_fail(err, HTTPR_E_PROTOCOL,
            "HTTP/2 is required but the server did not select it (ALPN: %s)",
            x->conn->info.alpn[0] ? x->conn->info.alpn : "none");
    err->http2 = 1;
    return HTTPR_E_PROTOCOL;
  }
  if (!h2)
    return HTTPR_OK;
  return hr_h2_attach(x->conn, client->cfg.max_header_bytes, h2_input, client,
                      err);
}

/* Takes a pooled connection of key or opens a new one (HR_POOL_FRESH: no
 * idle HTTP/1.1 one). Waiting for a free slot, or for a connection being opened
 * that may be shared, counts against the connect timeout. *reused tells
 * which. */
static httpr_code borrow_connection(struct exchange *x, const char *key,
                                    unsigned flags, int *reused,
                                    httpr_error *err) {
  httpr_client *client = x->client;
  int64_t connect_deadline = hr_deadline_in(client->cfg.connect_timeout_ms);
  int64_t deadline = hr_deadline_min(connect_deadline, x->t->deadline);
  long wait_ms = deadline == connect_deadline ? client->cfg.connect_timeout_ms
                                              : client->cfg.total_timeout_ms;
  httpr_code rc = hr_pool_acquire(client->pool, key, flags, deadline, wait_ms,
                                  &x->conn, err);
  if (rc != HTTPR_OK)
    return rc;
  *reused = x->conn != NULL;
  if (*reused) {
    hr_debugf(&x->debug, "Re-using existing connection to %s port %d",
              x->t->url->host, x->t->url->port);
    return HTTPR_OK;
  }
  rc = open_connection(x, key, connect_deadline, err);
  if (rc == HTTPR_OK && (rc = start_protocol(x, err)) != HTTPR_OK) {
    hr_conn_close(x->conn, 1);
    x->conn = NULL;
  }
  if (rc != HTTPR_OK) {
    hr_pool_cancel(client->pool, key);
    return rc;
  }
  hr_pool_opened(client->pool, key, x->conn);
  return HTTPR_OK;
}

/* ---- HTTP/2 -------------------------------------------------------------- */

static void debug_h2_request(struct exchange *x) {
  if (!x->debug.fn)
    return;
  const struct hr_transfer *t = x->t;
  struct hr_buf text = {0};
  int bad = hr_buf_appendf(&text, "%s %s HTTP/2\r\n", t->method,
                           t->url->target);
  for (size_t i = 0; !bad && t->headers && i < t->headers->count; i++)
    bad = hr_buf_appendf(&text, "%s: %s\r\n", t->headers->v[i].name,
                         t->headers->v[i].value);
  if (!bad && !hr_buf_append(&text, "\r\n", 2))
    debug_bytes(&x->debug, HTTPR_DEBUG_HEADER_OUT, text.data, text.len);
  hr_buf_free(&text);
}

static struct hr_h2_request h2_request_of(const struct hr_transfer *t) {
  const httpr_request *req = t->req;
  int has_body = t->send_body && req->has_body;
  struct hr_h2_request rq = {
      .method = t->method,
      .url = t->url,
      .headers = t->headers,
      .has_body = has_body,
      .body = req->body,
      .body_len = req->body_len,
      .read_cb = has_body ? req->read_cb : NULL,
      .read_ud = req->read_ud,
      .read_len = req->read_len,
  };
  return rq;
}

/* One request as a stream of the connection's HTTP/2 session. */
static httpr_code h2_exchange(struct exchange *x, struct hr_h2_outcome *oc,
                              httpr_error *err) {
  const struct hr_transfer *t = x->t;
  struct hr_h2_request rq = h2_request_of(t);
  debug_h2_request(x);
  t->resp->times[HTTPR_TIME_PRETRANSFER] = since(t);
  httpr_code rc = hr_h2_exchange(x->conn->h2, &rq, &parser_callbacks, x,
                                 &x->bounds, oc, err);
  x->bytes_in = oc->bytes_in;
  return rc;
}

int hr_method_idempotent(const char *method) {
  static const char *const safe[] = {"GET",    "HEAD",    "PUT",
                                     "DELETE", "OPTIONS", "TRACE"};
  for (size_t i = 0; i < sizeof(safe) / sizeof(safe[0]); i++) {
    if (strcmp(method, safe[i]) == 0)
      return 1;
  }
  return 0;
}

static void reset_response(httpr_response *resp) {
  hr_headers_free(&resp->headers);
  hr_buf_reset(&resp->body);
  resp->body_bytes = 0;
  resp->status = 0;
}

/* strlcpy: the response's copies of connection facts. */
static void copy_text(char *dst, size_t cap, const char *src) {
  size_t n = strlen(src);
  if (n >= cap)
    n = cap - 1;
  memcpy(dst, src, n);
  dst[n] = '\0';
}

static void record_connection(struct exchange *x, int reused) {
  httpr_response *resp = x->t->resp;
  struct hr_conn *c = x->conn;
  resp->reused = reused;
  copy_text(resp->remote_ip, sizeof(resp->remote_ip), c->remote_ip);
  resp->remote_port = c->remote_port;
  if (c->tls) {
    resp->tls = c->info;
    copy_text(resp->tls_provider, sizeof(resp->tls_provider),
              c->provider->name);
  } else {
    memset(&resp->tls, 0, sizeof(resp->tls));
    resp->tls_provider[0] = '\0';
  }
  if (reused) {
    double now = since(x->t);
    for (int i = HTTPR_TIME_NAMELOOKUP; i <= HTTPR_TIME_APPCONNECT; i++)
      resp->times[i] = now;
  }
}

static void exchange_init(struct exchange *x, httpr_client *client,
                          struct hr_transfer *t) {
  memset(x, 0, sizeof(*x));
  x->client = client;
  x->t = t;
  x->debug.fn = client->cfg.debug_cb;
  x->debug.ud = client->cfg.debug_ud;
  x->body_limit = client->cfg.max_body_bytes;
  if (!x->body_limit && !t->req->sink) {
    x->body_limit = MAX_BUFFERED_BODY;
    x->default_body_limit = 1;
  }
}

/* The client's time limits for a transfer whose connection is ready now:
 * the request's total deadline goes on, the other clocks start. */
static void start_bounds(struct hr_bounds *b, const httpr_client *client,
                         const struct hr_transfer *t) {
  const struct httpr_config *cfg = &client->cfg;
  struct hr_limits lim = {
      .total_ms = cfg->total_timeout_ms,
      .inactivity_ms = cfg->inactivity_timeout_ms,
      .low_speed_bytes = cfg->low_speed_bytes,
      .low_speed_secs = cfg->low_speed_seconds,
  };
  hr_bounds_start(b, &lim, t->deadline);
}

/* One HTTP/1.1 exchange on x->conn, which goes back to the pool or is
 * closed. *retry: it died before any response byte, on a reused
 * connection (the server may have closed it while idle). */
static httpr_code run_h1(struct exchange *x, const char *key, int reused,
                         int *retry, httpr_error *err) {
  struct hr_pool *pool = x->client->pool;
  httpr_code rc = send_request(x, err);
  if (rc == HTTPR_E_SEND)
    rc = alert_behind_send_failure(x, err);
  if (rc == HTTPR_OK)
    rc = receive_response(x, err);
  if (rc == HTTPR_OK) {
    x->t->resp->times[HTTPR_TIME_TOTAL] = since(x->t);
    keep_session(x->client, x->conn, key);
    if (x->reusable)
      hr_pool_put(pool, key, x->conn);
    else
      hr_pool_discard(pool, key, x->conn, 1);
    return HTTPR_OK;
  }
  hr_pool_discard(pool, key, x->conn, 0);
  *retry = reused && x->bytes_in == 0 &&
           (rc == HTTPR_E_SEND || rc == HTTPR_E_RECV);
  return rc;
}

/* One stream on x->conn's HTTP/2 session; the connection stays shared.
 * *retry: the server never processed it (refused, or above a GOAWAY's
 * last stream), or a reused connection died before any response byte. */
static httpr_code run_h2(struct exchange *x, const char *key, int reused,
                         int *retry, httpr_error *err) {
  struct hr_h2_outcome oc;
  httpr_code rc = h2_exchange(x, &oc, err);
  if (rc == HTTPR_OK)
    x->t->resp->times[HTTPR_TIME_TOTAL] = since(x->t);
  else
    err->http2 = 1;
  hr_pool_release(x->client->pool, key, x->conn,
                  hr_h2_accepting(x->conn->h2));
  *retry = oc.refused || (reused && oc.bytes_in == 0 &&
                          (rc == HTTPR_E_SEND || rc == HTTPR_E_RECV));
  return rc;
}

httpr_code hr_transfer_run(httpr_client *client, struct hr_transfer *t,
                           httpr_error *err) {
  char key[512];
  if (hr_pool_key(key, sizeof(key), t->url->https, t->url->host,
                  t->url->port) != 0)
    return hr_fail(err, HTTPR_E_URL, "host name too long");
  struct exchange x;
  exchange_init(&x, client, t);
  int replayable = !(t->send_body && t->req->read_cb);
  int may_retry = replayable && hr_method_idempotent(t->method);
  unsigned share = t->url->https && client->cfg.http_policy != HTTPR_HTTP1_ONLY
                       ? HR_POOL_SHARE
                       : 0;
  if (!t->url->https && client->cfg.http_policy == HTTPR_HTTP2_ONLY) {
    hr_fail(err, HTTPR_E_PROTOCOL,
            "HTTP/2 is required but http:// URLs use HTTP/1.1 (h2c is not "
            "supported)");
    err->http2 = 1;
    return HTTPR_E_PROTOCOL;
  }
  httpr_code rc = HTTPR_OK;
  for (int attempt = 0; attempt < 2; attempt++) {
    int reused = 0, retry = 0;
    rc = borrow_connection(&x, key, share | (attempt ? HR_POOL_FRESH : 0),
                           &reused, err);
    if (rc != HTTPR_OK)
      return rc;
    record_connection(&x, reused);
    start_bounds(&x.bounds, client, t);
    x.bytes_in = 0;
    if (x.conn->h2)
      rc = run_h2(&x, key, reused, &retry, err);
    else
      rc = run_h1(&x, key, reused, &retry, err);
    x.conn = NULL;
    if (rc == HTTPR_OK || !retry || !may_retry)
      break;
    hr_debugf(&x.debug, "The request was not answered on that connection; "
                        "retrying on a new connection");
    reset_response(t->resp);
  }
  return rc;
}

void hr_transfer_run_batch(httpr_client *client, const char *key,
                           struct hr_conn *conn, struct hr_batch_item *items,
                           size_t n, size_t window) {
  struct exchange *xs = calloc(n, sizeof(*xs));
  struct hr_h2_job *jobs = calloc(n, sizeof(*jobs));
  for (size_t i = 0; xs && jobs && i < n; i++) {
    struct hr_transfer *t = &items[i].t;
    struct exchange *x = &xs[i];
    exchange_init(x, client, t);
    x->conn = conn;
    record_connection(x, 1);
    debug_h2_request(x);
    t->resp->times[HTTPR_TIME_PRETRANSFER] = since(t);
    jobs[i].rq = h2_request_of(t);
    jobs[i].cb = &parser_callbacks;
    jobs[i].ud = x;
    start_bounds(&jobs[i].bounds, client, t);
  }
  if (xs && jobs)
    hr_h2_run_jobs(conn->h2, jobs, n, window);
  for (size_t i = 0; i < n; i++) {
    struct hr_batch_item *it = &items[i];
    if (!xs || !jobs) {
      it->rc = hr_nomem(&it->err);
      it->retry = 1; /* the ordinary way may still have the memory */
      continue;
    }
    it->rc = jobs[i].rc;
    it->err = jobs[i].err;
    if (it->rc == HTTPR_OK) {
      it->t.resp->times[HTTPR_TIME_TOTAL] = since(&it->t);
      continue;
    }
    it->err.http2 = 1;
    it->retry = jobs[i].out.refused ||
                (jobs[i].out.bytes_in == 0 &&
                 (it->rc == HTTPR_E_SEND || it->rc == HTTPR_E_RECV));
  }
  hr_pool_release(client->pool, key, conn, hr_h2_accepting(conn->h2));
  free(xs);
  free(jobs);
}
