/* SPDX-License-Identifier: MIT */
/*
 * fuzz_h2_response.c - libFuzzer target for the HTTP/2 response path: the
 * input is what a server sends, fed into a real client session
 * (protocol/h2_session.c and protocol/h2.c: nghttp2 with the library's own
 * callbacks, one to four streams at once) and handed to the caller's
 * callbacks as a response.
 *
 * The seam is the TLS provider interface: the connection's "provider" is
 * this file, reading the input in pieces (sometimes first answering "want
 * read", so the driver polls and comes back) and swallowing what the
 * client writes. The transport's non-blocking steps already go through the
 * provider, so the library runs unchanged; the poll waits on /dev/null,
 * which is always ready, and the input's end is a clean close.
 *
 * Input: byte 0 chooses the header limit (bits 0-2: 64 << n bytes), the
 * number of streams (bits 3-4: 1 to 4; one stream runs through
 * hr_h2_exchange, more through hr_h2_run_jobs) and the request body
 * (bit 5: a memory body; else bit 6: a callback body, its length announced
 * when bit 7 is set); bytes 1-8, in turn, shape the reads (bit 7: first
 * "want read", which ends what the driver hands nghttp2 at once; bits
 * 0-6: one less than the bytes read), the rest is the server's. The
 * client sends its requests once the server's SETTINGS came, so a server
 * that answers them must let that be read alone first.
 *
 * Checks: the callbacks see one status (version 20) before any header,
 * the end of the head once, then body bytes; every name is lowercase and
 * no pseudo-header, no name or value holds CR, LF or NUL (nghttp2's
 * checks are on); all fields of a response, trailers included, fit the
 * limit as HTTP/1.1 would carry them ("name: value\r\n"); a stream that
 * succeeded had its head; a failure is one of the codes hr_h2_exchange
 * documents for a server's bytes, with a message; and nothing waits (the
 * input always ends, so a timeout means a stream that never finishes).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "protocol/bounds.h"
#include "protocol/h2.h"
#include "tests/h2_drive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SETTINGS_BYTES 1
#define SPLIT_BYTES 8
#define MAX_STREAMS 4
#define INPUT_CAP (256 * 1024)

/* ---- the connection: a provider over the input --------------------------- */

struct wire {
  const uint8_t *p;
  size_t left;
  const uint8_t *split;
  unsigned k;
  int wanted; /* the last read said "want read": this one reads */
};

static enum hr_tls_status wire_read(void *conn, void *buf, size_t cap,
                                    size_t *got, httpr_error *err) {
  struct wire *w = conn;
  (void)err;
  if (w->left == 0)
    return HR_TLS_CLOSED;
  uint8_t s = w->split[w->k++ % SPLIT_BYTES];
  if ((s & 0x80) && !w->wanted) {
    w->wanted = 1;
    return HR_TLS_WANT_READ;
  }
  w->wanted = 0;
  size_t n = (size_t)(s & 0x7f) + 1;
  if (n > cap)
    n = cap;
  if (n > w->left)
    n = w->left;
  memcpy(buf, w->p, n);
  w->p += n;
  w->left -= n;
  *got = n;
  return HR_TLS_DONE;
}

static enum hr_tls_status wire_write(void *conn, const void *buf, size_t len,
                                     size_t *put, httpr_error *err) {
  (void)conn;
  (void)buf;
  (void)err;
  *put = len; /* the client's frames go nowhere */
  return HR_TLS_DONE;
}

static enum hr_tls_status wire_shutdown(void *conn, httpr_error *err) {
  (void)conn;
  (void)err;
  return HR_TLS_DONE;
}

static void wire_free(void *conn) { (void)conn; }

static const struct hr_tls_provider wire_provider = {
    .name = "fuzz-wire",
    .read = wire_read,
    .write = wire_write,
    .shutdown = wire_shutdown,
    .connection_free = wire_free,
};

/* ---- what the callbacks saw ---------------------------------------------- */

struct seen {
  size_t limit; /* the header limit of the session */
  size_t max_body;
  int statuses;
  int head_done;
  size_t field_bytes; /* as HTTP/1.1 would carry them */
  uint64_t body;
};

static int has_ctl(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '\r' || s[i] == '\n' || s[i] == '\0')
      return 1;
  }
  return 0;
}

static httpr_code on_status(void *ud, int version, int status,
                            const char *reason, size_t reason_len,
                            httpr_error *err) {
  struct seen *s = ud;
  (void)reason;
  (void)err;
  if (version != 20 || status <= 0 || status > 999 || reason_len != 0 ||
      s->statuses++ != 0)
    abort();
  return HTTPR_OK;
}

static httpr_code on_header(void *ud, const char *name, size_t name_len,
                            const char *value, size_t value_len,
                            httpr_error *err) {
  struct seen *s = ud;
  (void)err;
  if (s->statuses != 1 || name_len == 0 || name[0] == ':' ||
      has_ctl(name, name_len) || has_ctl(value, value_len))
    abort();
  for (size_t i = 0; i < name_len; i++) {
    if (name[i] >= 'A' && name[i] <= 'Z')
      abort();
  }
  s->field_bytes += name_len + value_len + 4;
  if (s->field_bytes > s->limit)
    abort(); /* the limit let a header through */
  return HTTPR_OK;
}

static httpr_code on_head_done(void *ud, httpr_error *err) {
  struct seen *s = ud;
  (void)err;
  if (s->statuses != 1 || s->head_done++ != 0)
    abort();
  return HTTPR_OK;
}

static httpr_code on_body(void *ud, const char *data, size_t len,
                          httpr_error *err) {
  struct seen *s = ud;
  (void)data;
  (void)err;
  s->body += len;
  if (!s->head_done || len == 0 || s->body > s->max_body)
    abort();
  return HTTPR_OK;
}

static const struct hr_h1_callbacks callbacks = {on_status, on_header,
                                                 on_head_done, on_body};

/* A callback body: "abc", then the end. */
static long read_abc(void *buf, size_t cap, void *ud) {
  int *calls = ud;
  if ((*calls)++ > 0 || cap < 3)
    return 0;
  memcpy(buf, "abc", 3);
  return 3;
}

/* ---- one run ------------------------------------------------------------- */

static void check_result(httpr_code rc, const httpr_error *err,
                         const struct seen *s) {
  switch (rc) {
  case HTTPR_OK:
    if (s->head_done != 1)
      abort();
    return;
  case HTTPR_E_PROTOCOL:
  case HTTPR_E_TOO_LARGE:
  case HTTPR_E_RECV:
    if (err->code != rc || err->message[0] == '\0')
      abort();
    return;
  default:
    abort(); /* a timeout, or a code no server byte may cause */
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static struct hr_url url;
  static int null_fd = -1;
  httpr_error err = {0};
  if (null_fd < 0) {
    null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null_fd < 0 ||
        hr_url_parse("https://localhost/", &url, &err) != HTTPR_OK)
      abort();
  }
  if (size < SETTINGS_BYTES + SPLIT_BYTES || size > INPUT_CAP)
    return 0;
  uint8_t settings = data[0];
  size_t limit = (size_t)64 << (settings & 7);
  size_t streams = 1 + ((settings >> 3) & 3);
  struct wire w = {.p = data + SETTINGS_BYTES + SPLIT_BYTES,
                   .left = size - SETTINGS_BYTES - SPLIT_BYTES,
                   .split = data + SETTINGS_BYTES};

  struct hr_conn *c = calloc(1, sizeof(*c));
  if (!c)
    return 0;
  c->fd = dup(null_fd);
  c->provider = &wire_provider;
  c->tls = &w;
  struct hr_h2 *h2 = NULL;
  if (c->fd < 0 || hr_h2_attach(c, limit, NULL, NULL, &h2, &err) != HTTPR_OK)
    abort();

  struct hr_h2_job jobs[MAX_STREAMS];
  struct seen seen[MAX_STREAMS];
  int reads[MAX_STREAMS] = {0};
  memset(jobs, 0, sizeof(jobs));
  memset(seen, 0, sizeof(seen));
  /* A generous total limit: the target never waits (the fake provider
   * never blocks), but the streams check their bounds as always. */
  struct hr_limits limits = {.total_ms = 20000};
  struct hr_bounds bounds;
  hr_bounds_start(&bounds, &limits, hr_now_ms() + 20000);
  for (size_t i = 0; i < streams; i++) {
    struct hr_h2_request *rq = &jobs[i].rq;
    rq->method = "GET";
    rq->url = &url;
    if (settings & 0x20) {
      rq->method = "POST";
      rq->has_body = 1;
      rq->body = "hello";
      rq->body_len = 5;
    } else if (settings & 0x40) {
      rq->method = "POST";
      rq->has_body = 1;
      rq->read_cb = read_abc;
      rq->read_ud = &reads[i];
      rq->read_len = (settings & 0x80) ? 3 : -1;
    }
    seen[i].limit = limit;
    seen[i].max_body = w.left;
    jobs[i].cb = &callbacks;
    jobs[i].ud = &seen[i];
    jobs[i].bounds = bounds;
  }
  if (streams == 1) {
    jobs[0].rc = hr_h2_exchange(h2, &jobs[0].rq, &callbacks, &seen[0],
                                &jobs[0].bounds, &jobs[0].out, &jobs[0].err);
  } else {
    hr_h2_run_jobs(h2, jobs, streams, streams);
  }
  for (size_t i = 0; i < streams; i++) {
    check_result(jobs[i].rc, &jobs[i].err, &seen[i]);
    if (jobs[i].out.bytes_in < seen[i].body)
      abort();
  }
  /* What the pool asks of an idle connection: never blocks, never fails. */
  (void)hr_h2_accepting(h2);
  hr_h2_free(h2);
  hr_conn_close(c, 0);
  return 0;
}
