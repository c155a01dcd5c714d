/* SPDX-License-Identifier: MIT */
/*
 * exchange.c - fills a response from what either protocol's parser
 * reports (see exchange.h): the status line and headers, with their debug
 * lines; whether a redirect will be followed (then its body is dropped);
 * the body limit, checked against the announced length before the first
 * byte and against the bytes as they come; the body into memory or the
 * request's sink. Also the per-exchange setup both protocols share.
 */
#include "api/exchange.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/redirect.h"

/* A body kept in memory: 16 MiB (see the README, "What bounds each
 * wait"). Bodies that may be larger go to a sink, or raise the limit. */
#define MAX_BUFFERED_BODY ((uint64_t)16 << 20)

static httpr_code on_status(void *ud, int version, int status,
                            const char *reason, size_t reason_len,
                            httpr_error *err) {
  struct hr_exchange *x = ud;
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
    resp->times[HTTPR_TIME_STARTTRANSFER] = hr_transfer_since(x->t);
  if (x->debug.fn) {
    char line[300];
    int n = version == 20 ? snprintf(line, sizeof(line), "HTTP/2 %d", status)
                          : snprintf(line, sizeof(line), "HTTP/1.%d %d %s",
                                     version % 10, status, copy);
    if (n > 0)
      hr_exchange_debug(x, HTTPR_DEBUG_HEADER_IN, line,
                        (size_t)n < sizeof(line) ? (size_t)n
                                                 : sizeof(line) - 1);
  }
  return HTTPR_OK;
}

static httpr_code on_header(void *ud, const char *name, size_t name_len,
                            const char *value, size_t value_len,
                            httpr_error *err) {
  struct hr_exchange *x = ud;
  if (hr_headers_add(&x->t->resp->headers, name, name_len, value, value_len))
    return hr_nomem(err);
  if (x->debug.fn) {
    struct hr_buf line = {0};
    if (hr_buf_append(&line, name, name_len) == 0 &&
        hr_buf_append(&line, ": ", 2) == 0 &&
        hr_buf_append(&line, value, value_len) == 0)
      hr_exchange_debug(x, HTTPR_DEBUG_HEADER_IN, line.data, line.len);
    hr_buf_free(&line);
  }
  return HTTPR_OK;
}

/* The one wording of the body limit, whether the body grew past it or
 * its announced length did. */
static httpr_code body_too_large(const struct hr_exchange *x,
                                 httpr_error *err) {
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
static httpr_code check_announced_body(const struct hr_exchange *x,
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
  struct hr_exchange *x = ud;
  x->t->redirect = hr_redirect_will_follow(x->t, x->t->resp->status);
  if (x->t->redirect)
    return HTTPR_OK; /* its body is not kept */
  return check_announced_body(x, err);
}

static httpr_code on_body(void *ud, const char *data, size_t len,
                          httpr_error *err) {
  struct hr_exchange *x = ud;
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
    return hr_exchange_is_cancelled(x) ? hr_exchange_cancelled(err)
                                       : HTTPR_OK;
  }
  if (hr_buf_append(&resp->body, data, len) != 0)
    return hr_nomem(err);
  return HTTPR_OK;
}

httpr_code hr_exchange_cancelled(httpr_error *err) {
  return hr_fail(err, HTTPR_E_CANCELLED, "the transfer was cancelled");
}

const struct hr_h1_callbacks hr_exchange_callbacks = {
    .on_status = on_status,
    .on_header = on_header,
    .on_head_done = on_head_done,
    .on_body = on_body,
};

void hr_exchange_init(struct hr_exchange *x, httpr_client *client,
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

/* strlcpy: the response's copies of connection facts. */
static void copy_text(char *dst, size_t cap, const char *src) {
  size_t n = strlen(src);
  if (n >= cap)
    n = cap - 1;
  memcpy(dst, src, n);
  dst[n] = '\0';
}

void hr_exchange_record_connection(struct hr_exchange *x, int reused) {
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
    double now = hr_transfer_since(x->t);
    for (int i = HTTPR_TIME_NAMELOOKUP; i <= HTTPR_TIME_APPCONNECT; i++)
      resp->times[i] = now;
  }
}

void hr_exchange_start_bounds(struct hr_bounds *b, const httpr_client *client,
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
