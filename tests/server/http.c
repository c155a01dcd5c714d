/* SPDX-License-Identifier: MIT */
/* http.c: the HTTP/1.1 side of a connection: reads and checks requests
 * (head limited to TS_MAX_HEAD, body by Content-Length or chunked), runs the
 * keep-alive loop, and offers the response helpers routes use. What each
 * path answers is in routes.c. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server.h"

const char *ts_reason(int status) {
  static const struct {
    int code;
    const char *text;
  } reasons[] = {{100, "Continue"},
                 {200, "OK"},
                 {201, "Created"},
                 {202, "Accepted"},
                 {204, "No Content"},
                 {206, "Partial Content"},
                 {301, "Moved Permanently"},
                 {302, "Found"},
                 {303, "See Other"},
                 {304, "Not Modified"},
                 {307, "Temporary Redirect"},
                 {308, "Permanent Redirect"},
                 {400, "Bad Request"},
                 {401, "Unauthorized"},
                 {403, "Forbidden"},
                 {404, "Not Found"},
                 {405, "Method Not Allowed"},
                 {408, "Request Timeout"},
                 {413, "Content Too Large"},
                 {417, "Expectation Failed"},
                 {429, "Too Many Requests"},
                 {431, "Request Header Fields Too Large"},
                 {500, "Internal Server Error"},
                 {501, "Not Implemented"},
                 {502, "Bad Gateway"},
                 {503, "Service Unavailable"},
                 {505, "HTTP Version Not Supported"}};
  size_t i;

  for (i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
    if (reasons[i].code == status)
      return reasons[i].text;
  return "Status";
}

void ts_head_start(struct ts_buf *b, const struct ts_request *rq, int status) {
  ts_buf_addf(b, "HTTP/1.1 %d %s\r\n", status, ts_reason(status));
  if (rq->close)
    ts_buf_adds(b, "Connection: close\r\n");
}

/* Sends a complete response in one write. Adds Content-Length except for
 * 204 and 304, which have no body; a HEAD request gets the head only. */
int ts_respond(struct ts_conn *c, const struct ts_request *rq, int status,
               const char *headers, const void *body, size_t len) {
  int bodyless = status == 204 || status == 304;
  struct ts_buf b = {0};
  int rc = -1;

  ts_head_start(&b, rq, status);
  if (headers)
    ts_buf_adds(&b, headers);
  if (!bodyless)
    ts_buf_addf(&b, "Content-Length: %zu\r\n", len);
  ts_buf_adds(&b, "\r\n");
  if (!bodyless && !rq->is_head && len > 0)
    ts_buf_add(&b, body, len);
  if (!b.failed)
    rc = ts_conn_write(c, b.p, b.len);
  ts_buf_free(&b);
  return rc;
}

int ts_send_continue(struct ts_conn *c, struct ts_request *rq) {
  static const char line[] = "HTTP/1.1 100 Continue\r\n\r\n";

  if (rq->continue_sent)
    return 0;
  rq->continue_sent = 1;
  return ts_conn_write(c, line, sizeof line - 1);
}

/* Case-insensitive header-name test on a "Name: value" line. */
static int name_is(const char *line, size_t name_len, const char *name) {
  return strlen(name) == name_len && strncasecmp(line, name, name_len) == 0;
}

/* Does the comma-separated value contain the token (case-insensitive)? */
static int has_token(const char *value, const char *token) {
  size_t tlen = strlen(token);

  while (*value) {
    size_t n;

    value += strspn(value, " \t,");
    n = strcspn(value, ",");
    while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t'))
      n--;
    if (n == tlen && strncasecmp(value, token, n) == 0)
      return 1;
    value += strcspn(value, ",");
  }
  return 0;
}

/* Strict unsigned decimal: digits only, no sign, no overflow past max. */
static int parse_decimal(const char *s, unsigned long long max,
                         unsigned long long *out) {
  unsigned long long v = 0;

  if (!*s)
    return -1;
  for (; *s; s++) {
    if (*s < '0' || *s > '9')
      return -1;
    if (v > (max - (unsigned long long)(*s - '0')) / 10)
      return -1;
    v = v * 10 + (unsigned long long)(*s - '0');
  }
  *out = v;
  return 0;
}

/* What the header lines say about framing and the connection. */
struct framing {
  int chunked;
  int has_length;
  unsigned long long length;
  int expect_continue;
};

/* Checks one header line and records what matters. Returns 0 or an HTTP
 * error status. */
static int parse_header(const char *line, struct framing *f,
                        struct ts_request *rq) {
  const char *colon = strchr(line, ':');
  const char *value;
  size_t name_len;

  if (line[0] == ' ' || line[0] == '\t')
    return 400; /* obsolete line folding */
  if (!colon || colon == line || strcspn(line, " \t") < (size_t)(colon - line))
    return 400;
  name_len = (size_t)(colon - line);
  value = colon + 1 + strspn(colon + 1, " \t");
  if (name_is(line, name_len, "content-length")) {
    unsigned long long v;
    if (parse_decimal(value, ~0ULL, &v) < 0 ||
        (f->has_length && v != f->length))
      return 400;
    f->has_length = 1;
    f->length = v;
  } else if (name_is(line, name_len, "transfer-encoding")) {
    if (strcasecmp(value, "chunked") != 0)
      return 501;
    f->chunked = 1;
  } else if (name_is(line, name_len, "connection")) {
    if (has_token(value, "close"))
      rq->close = 1;
  } else if (name_is(line, name_len, "expect")) {
    if (strcasecmp(value, "100-continue") != 0)
      return 417;
    f->expect_continue = 1;
  }
  return 0;
}

/* Splits "METHOD SP target SP version" in place. Returns 0 or a status. */
static int parse_request_line(struct ts_request *rq) {
  char *sp1 = strchr(rq->head, ' ');
  char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;

  if (!sp1 || !sp2 || sp1 == rq->head || sp2 == sp1 + 1 || !sp2[1] ||
      strchr(sp2 + 1, ' '))
    return 400;
  *sp1 = *sp2 = '\0';
  rq->method = rq->head;
  rq->target = sp1 + 1;
  rq->version = sp2 + 1;
  rq->is_head = strcmp(rq->method, "HEAD") == 0;
  if (strcmp(rq->version, "HTTP/1.0") == 0)
    rq->close = 1; /* no keep-alive for HTTP/1.0 clients */
  else if (strcmp(rq->version, "HTTP/1.1") != 0)
    return strncmp(rq->version, "HTTP/", 5) == 0 ? 505 : 400;
  return 0;
}

/* Reads the request line and header lines into rq->head. Returns 1, 0 for
 * a clean EOF before a request, -1 for an I/O error, or an HTTP status. */
static int read_head(struct ts_conn *c, struct ts_request *rq) {
  size_t used = 0, len;
  int blank = 0;

  for (;;) {
    int r = ts_conn_read_line(c, rq->head + used, sizeof rq->head - used, &len);
    if (r == -2)
      return 431;
    if (r == 0 && used == 0)
      return 0;
    if (r <= 0)
      return -1;
    if (len == 0 && used == 0) {
      if (++blank > 8) /* a few stray CRLFs before a request are allowed */
        return 400;
      continue;
    }
    if (len == 0)
      break;
    if (used > 0 && rq->nlines++ == 0)
      rq->lines = rq->head + used;
    used += len + 1;
  }
  rq->head_len = used;
  return 1;
}

static int read_chunked_body(struct ts_conn *c, struct ts_request *rq) {
  char line[1024];
  size_t len;

  for (;;) {
    unsigned long long size = 0;
    const char *p;
    unsigned char *nb;

    if (ts_conn_read_line(c, line, sizeof line, &len) != 1)
      return -1;
    for (p = line; *p && *p != ';'; p++) {
      int d = (*p >= '0' && *p <= '9')   ? *p - '0'
              : (*p >= 'a' && *p <= 'f') ? *p - 'a' + 10
              : (*p >= 'A' && *p <= 'F') ? *p - 'A' + 10
                                         : -1;
      if (d < 0 || size > TS_MAX_BODY)
        return 400;
      size = size * 16 + (unsigned long long)d;
    }
    if (p == line)
      return 400;
    if (size == 0)
      break;
    if (size > TS_MAX_BODY - rq->body_len)
      return 413;
    nb = realloc(rq->body, rq->body_len + size);
    if (!nb)
      return 500;
    rq->body = nb;
    if (ts_conn_read_exact(c, rq->body + rq->body_len, size) < 0 ||
        ts_conn_read_line(c, line, sizeof line, &len) != 1)
      return -1;
    if (len != 0)
      return 400;
    rq->body_len += size;
  }
  do /* trailer fields, ignored */
    if (ts_conn_read_line(c, line, sizeof line, &len) != 1)
      return -1;
  while (len != 0);
  return 1;
}

static int read_body(struct ts_conn *c, struct ts_request *rq,
                     const struct framing *f) {
  /* Only HTTP/1.1 clients understand an interim 100 response. */
  if (f->expect_continue && (f->chunked || f->length > 0) &&
      strcmp(rq->version, "HTTP/1.1") == 0 && ts_send_continue(c, rq) < 0)
    return -1;
  if (f->chunked)
    return read_chunked_body(c, rq);
  if (!f->has_length || f->length == 0)
    return 1;
  if (f->length > TS_MAX_BODY)
    return 413;
  rq->body = malloc(f->length);
  if (!rq->body)
    return 500;
  if (ts_conn_read_exact(c, rq->body, f->length) < 0)
    return -1;
  rq->body_len = f->length;
  return 1;
}

static void reset_request(struct ts_request *rq) {
  free(rq->body);
  rq->body = NULL;
  rq->body_len = 0;
  rq->head_len = rq->nlines = 0;
  rq->lines = NULL;
  rq->method = rq->target = rq->version = "";
  rq->is_head = rq->close = rq->continue_sent = 0;
}

/* Reads one whole request. Returns 1, 0 at a clean EOF, -1 on an I/O
 * error, or the HTTP status to answer a bad request with. */
static int read_request(struct ts_conn *c, struct ts_request *rq) {
  struct framing f = {0};
  const char *line;
  size_t i;
  int r;

  reset_request(rq);
  r = read_head(c, rq);
  if (r != 1)
    return r;
  r = parse_request_line(rq);
  for (i = 0, line = rq->lines; r == 0 && i < rq->nlines; i++) {
    r = parse_header(line, &f, rq);
    line += strlen(line) + 1;
  }
  if (r == 0 && f.chunked && f.has_length)
    r = 400; /* request smuggling shape; our clients never send it */
  if (r != 0)
    return r;
  if (ts_route_reads_body(rq))
    return 1; /* the route takes the body as it comes, or leaves it */
  return read_body(c, rq, &f);
}

void ts_http_serve(struct ts_conn *c) {
  struct ts_request *rq = calloc(1, sizeof *rq);
  enum ts_after after = TS_CLOSE;

  while (rq) {
    int r = read_request(c, rq);

    if (r == 1 && c->drop_next) {
      /* Armed by /drop-next: the request came in whole, and the
       * connection ends without a byte of answer (close_notify, FIN). */
      ts_log("conn %lu from %s: dropping %s %s unanswered", c->id, c->peer,
             rq->method, rq->target);
      after = TS_CLOSE;
    } else if (r == 1) {
      after = ts_route(c, rq);
      if (after == TS_KEEP && !rq->close)
        continue;
    } else if (r >= 400) {
      static const char msg[] = "bad request\n";
      ts_log("conn %lu from %s: bad request, answering %d", c->id, c->peer, r);
      rq->close = 1;
      rq->is_head = 0;
      ts_respond(c, rq, r, "Content-Type: text/plain\r\n", msg, sizeof msg - 1);
    }
    break;
  }
  ts_conn_close(c, after != TS_CLOSE_NO_NOTIFY);
  if (rq)
    reset_request(rq);
  free(rq);
}
