/* SPDX-License-Identifier: MIT */
/*
 * h1_parser.c - the incremental HTTP/1.x response parser: status line,
 * headers, framing (Content-Length, chunked, until close) and trailers,
 * fed any split of the bytes. It decides where a response ends and
 * whether the connection may be reused; it never does I/O and never
 * buffers more than one line, itself bounded by max_head_bytes.
 */
#include "protocol/h1_parser.h"

#include <string.h>

enum {
  ST_STATUS = 0,
  ST_HEADER,
  ST_BODY_LENGTH,
  ST_BODY_CLOSE,
  ST_CHUNK_SIZE,
  ST_CHUNK_DATA,
  ST_CHUNK_CR,
  ST_CHUNK_LF,
  ST_TRAILER,
  ST_DONE,
  ST_ERROR
};

/* Values of saw_transfer_encoding: only the final coding decides whether
 * the body is chunked, so the verdict is kept per header seen. */
enum { TE_NONE = 0, TE_OTHER, TE_CHUNKED };

/* Largest Content-Length accepted: 2^63-1, what an off_t can hold. */
#define MAX_CONTENT_LENGTH 0x7fffffffffffffffULL

void hr_h1_parser_init(struct hr_h1_parser *p, size_t max_head_bytes,
                       int no_body) {
  memset(p, 0, sizeof(*p));
  p->max_head_bytes = max_head_bytes;
  p->no_body = no_body ? 1 : 0;
  p->state = ST_STATUS;
}

void hr_h1_parser_free(struct hr_h1_parser *p) {
  if (p)
    hr_buf_free(&p->line);
}

/* ASCII only, whatever the locale: strncasecmp would let a Turkish locale
 * decide whether "KEEP-ALIVE" matches. */
static int bytes_caseeq(const char *s, size_t n, const char *lit) {
  size_t i = 0;
  for (; i < n && lit[i]; i++) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z')
      c = (char)(c + 32);
    if (c != lit[i])
      return 0;
  }
  return i == n && lit[i] == '\0';
}

static int is_ows(char c) { return c == ' ' || c == '\t'; }

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int is_tchar(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit((char)c))
    return 1;
  return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Field values and reason phrases may hold SP, HT, visible ASCII and
 * obs-text; a NUL or bare CR in them is how responses get smuggled. */
static int has_ctl(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c < 0x20 && c != '\t') || c == 0x7f)
      return 1;
  }
  return 0;
}

static int interim(const struct hr_h1_parser *p) { return p->status < 200; }

static void finish(struct hr_h1_parser *p) {
  p->state = ST_DONE;
  p->done = 1;
}

/* ---- lines --------------------------------------------------------------- */

static httpr_code line_too_large(const struct hr_h1_parser *p,
                                 httpr_error *err) {
  const char *what = "response headers exceed";
  if (p->state == ST_TRAILER)
    what = "response trailers exceed";
  else if (p->state == ST_CHUNK_SIZE)
    what = "chunk size line exceeds";
  return hr_fail(err, HTTPR_E_TOO_LARGE, "%s the limit of %zu bytes", what,
                 p->max_head_bytes);
}

/* Takes bytes up to and including the next LF into p->line, counting them
 * in head_bytes so an oversized head fails as soon as the limit is passed
 * rather than once it has been buffered. *complete is 1 when p->line holds
 * a whole line, without its LF and without one CR before it. */
static httpr_code read_line(struct hr_h1_parser *p, const char *data,
                            size_t len, size_t *used, int *complete,
                            httpr_error *err) {
  const char *lf = memchr(data, '\n', len);
  size_t n = lf ? (size_t)(lf - data) + 1 : len;
  if (n > p->max_head_bytes - p->head_bytes)
    return line_too_large(p, err);
  p->head_bytes += n;
  *used = n;
  *complete = lf != NULL;
  if (hr_buf_append(&p->line, data, lf ? n - 1 : n) != 0)
    return hr_nomem(err);
  if (lf && p->line.len > 0 && p->line.data[p->line.len - 1] == '\r')
    p->line.data[--p->line.len] = '\0';
  return HTTPR_OK;
}

/* ---- status line --------------------------------------------------------- */

/* "HTTP/1.<0|1> <3 digits>[ <reason>]"; sets *reason to the phrase. */
static int parse_status_line(struct hr_h1_parser *p, const char *s, size_t n,
                             const char **reason, size_t *reason_len) {
  if (n < 12 || memcmp(s, "HTTP/1.", 7) != 0 || (s[7] != '0' && s[7] != '1'))
    return -1;
  if (s[8] != ' ' || !is_digit(s[9]) || !is_digit(s[10]) || !is_digit(s[11]))
    return -1;
  if (n > 12 && s[12] != ' ')
    return -1;
  int status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
  if (status < 100 || status > 599)
    return -1;
  *reason = n > 12 ? s + 13 : s + 12;
  *reason_len = n > 12 ? n - 13 : 0;
  if (has_ctl(*reason, *reason_len))
    return -1;
  p->version = s[7] == '1' ? 11 : 10;
  p->status = status;
  return 0;
}

static httpr_code on_status_line(struct hr_h1_parser *p, const char *s,
                                 size_t n, const struct hr_h1_callbacks *cb,
                                 void *ud, httpr_error *err) {
  const char *reason;
  size_t reason_len;
  if (parse_status_line(p, s, n, &reason, &reason_len) != 0)
    return hr_fail(err, HTTPR_E_PROTOCOL, "malformed status line");
  /* After 101 the bytes are another protocol, which no caller asked for. */
  if (p->status == 101)
    return hr_fail(err, HTTPR_E_PROTOCOL, "unexpected 101 Switching Protocols");
  p->state = ST_HEADER;
  if (interim(p) || !cb->on_status)
    return HTTPR_OK;
  return cb->on_status(ud, p->version, p->status, reason, reason_len, err);
}

/* ---- header lines -------------------------------------------------------- */

struct field {
  const char *name;
  size_t name_len;
  const char *value;
  size_t value_len;
};

/* "name:[OWS]value[OWS]" with a token name and nothing between it and the
 * colon; a leading SP/HT is an obs-fold continuation, refused because
 * joining lines is where parsers disagree. */
static httpr_code parse_field(const char *s, size_t n, struct field *f,
                              httpr_error *err) {
  if (is_ows(s[0]))
    return hr_fail(err, HTTPR_E_PROTOCOL,
                   "obsolete line folding in a header is not supported");
  const char *colon = memchr(s, ':', n);
  if (!colon || colon == s)
    return hr_fail(err, HTTPR_E_PROTOCOL, "malformed header line");
  f->name = s;
  f->name_len = (size_t)(colon - s);
  for (size_t i = 0; i < f->name_len; i++) {
    if (!is_tchar((unsigned char)s[i]))
      return hr_fail(err, HTTPR_E_PROTOCOL, "malformed header line");
  }
  const char *v = colon + 1, *end = s + n;
  while (v < end && is_ows(*v))
    v++;
  while (end > v && is_ows(end[-1]))
    end--;
  f->value = v;
  f->value_len = (size_t)(end - v);
  if (has_ctl(f->value, f->value_len))
    return hr_fail(err, HTTPR_E_PROTOCOL, "malformed header line");
  return HTTPR_OK;
}

/* Calls fn on each element of a comma list, trimmed of OWS; empty
 * elements included (some headers refuse them). Stops at fn's error. */
static httpr_code each_element(const char *s, size_t n,
                               httpr_code (*fn)(struct hr_h1_parser *,
                                                const char *, size_t,
                                                httpr_error *),
                               struct hr_h1_parser *p, httpr_error *err) {
  size_t i = 0;
  for (;;) {
    size_t start = i;
    while (i < n && s[i] != ',')
      i++;
    size_t a = start, b = i;
    while (a < b && is_ows(s[a]))
      a++;
    while (b > a && is_ows(s[b - 1]))
      b--;
    httpr_code rc = fn(p, s + a, b - a, err);
    if (rc != HTTPR_OK || i == n)
      return rc;
    i++;
  }
}

static httpr_code cl_and_te(httpr_error *err) {
  return hr_fail(err, HTTPR_E_PROTOCOL,
                 "Content-Length together with Transfer-Encoding");
}

static httpr_code content_length_element(struct hr_h1_parser *p, const char *s,
                                         size_t n, httpr_error *err) {
  uint64_t v = 0;
  if (n == 0)
    return hr_fail(err, HTTPR_E_PROTOCOL, "malformed Content-Length");
  for (size_t i = 0; i < n; i++) {
    if (!is_digit(s[i]) ||
        v > (MAX_CONTENT_LENGTH - (uint64_t)(s[i] - '0')) / 10)
      return hr_fail(err, HTTPR_E_PROTOCOL, "malformed Content-Length");
    v = v * 10 + (uint64_t)(s[i] - '0');
  }
  /* Two lengths that differ mean two framings: a smuggling vector. */
  if (p->saw_content_length && v != p->content_length)
    return hr_fail(err, HTTPR_E_PROTOCOL, "conflicting Content-Length");
  p->saw_content_length = 1;
  p->content_length = v;
  return HTTPR_OK;
}

static httpr_code te_element(struct hr_h1_parser *p, const char *s, size_t n,
                             httpr_error *err) {
  (void)err;
  if (n == 0)
    return HTTPR_OK;
  p->saw_transfer_encoding =
      bytes_caseeq(s, n, "chunked") ? TE_CHUNKED : TE_OTHER;
  return HTTPR_OK;
}

static httpr_code connection_element(struct hr_h1_parser *p, const char *s,
                                     size_t n, httpr_error *err) {
  (void)err;
  if (bytes_caseeq(s, n, "close"))
    p->connection_close = 1;
  else if (bytes_caseeq(s, n, "keep-alive"))
    p->connection_keep_alive = 1;
  return HTTPR_OK;
}

static int name_is(const struct field *f, const char *name) {
  return bytes_caseeq(f->name, f->name_len, name);
}

/* The headers that decide framing and connection reuse. */
static httpr_code note_field(struct hr_h1_parser *p, const struct field *f,
                             httpr_error *err) {
  httpr_code rc = HTTPR_OK;
  if (name_is(f, "content-length")) {
    rc = each_element(f->value, f->value_len, content_length_element, p, err);
    if (rc == HTTPR_OK && p->saw_transfer_encoding)
      rc = cl_and_te(err);
  } else if (name_is(f, "transfer-encoding")) {
    if (p->saw_content_length)
      return cl_and_te(err);
    if (!p->saw_transfer_encoding)
      p->saw_transfer_encoding = TE_OTHER;
    rc = each_element(f->value, f->value_len, te_element, p, err);
  } else if (name_is(f, "connection")) {
    rc = each_element(f->value, f->value_len, connection_element, p, err);
  }
  return rc;
}

/* ---- end of head --------------------------------------------------------- */

static void decide_framing(struct hr_h1_parser *p) {
  if (p->no_body || p->status == 204 || p->status == 304)
    p->framing = HR_H1_FRAMING_NONE;
  else if (p->saw_transfer_encoding == TE_CHUNKED)
    p->framing = HR_H1_FRAMING_CHUNKED;
  else if (p->saw_transfer_encoding)
    p->framing = HR_H1_FRAMING_CLOSE;
  else if (p->saw_content_length)
    p->framing = HR_H1_FRAMING_LENGTH;
  else
    p->framing = HR_H1_FRAMING_CLOSE;
}

static int decide_keep_alive(const struct hr_h1_parser *p) {
  if (p->framing == HR_H1_FRAMING_CLOSE || p->connection_close)
    return 0;
  if (p->version == 11)
    return 1;
  /* RFC 9112 6.1: Transfer-Encoding in an HTTP/1.0 message means its
   * framing cannot be trusted, so the connection ends with it. */
  return p->connection_keep_alive && !p->saw_transfer_encoding;
}

static void start_body(struct hr_h1_parser *p) {
  p->head_bytes = 0;
  switch (p->framing) {
  case HR_H1_FRAMING_LENGTH:
    p->remaining = p->content_length;
    if (p->remaining == 0)
      finish(p);
    else
      p->state = ST_BODY_LENGTH;
    break;
  case HR_H1_FRAMING_CHUNKED:
    p->state = ST_CHUNK_SIZE;
    break;
  case HR_H1_FRAMING_CLOSE:
    p->state = ST_BODY_CLOSE;
    break;
  default:
    finish(p);
  }
}

static httpr_code end_of_head(struct hr_h1_parser *p,
                              const struct hr_h1_callbacks *cb, void *ud,
                              httpr_error *err) {
  if (interim(p)) {
    /* The final head follows. Its bytes add to those of every 1xx head
     * before it, so an endless series of 1xx heads ends at the limit. */
    p->state = ST_STATUS;
    return HTTPR_OK;
  }
  decide_framing(p);
  p->keep_alive = decide_keep_alive(p);
  p->head_done = 1;
  if (cb->on_head_done) {
    httpr_code rc = cb->on_head_done(ud, err);
    if (rc != HTTPR_OK)
      return rc;
  }
  start_body(p);
  return HTTPR_OK;
}

static httpr_code on_header_line(struct hr_h1_parser *p, const char *s,
                                 size_t n, const struct hr_h1_callbacks *cb,
                                 void *ud, httpr_error *err) {
  struct field f;
  if (n == 0)
    return end_of_head(p, cb, ud, err);
  httpr_code rc = parse_field(s, n, &f, err);
  if (rc != HTTPR_OK || interim(p))
    return rc;
  rc = note_field(p, &f, err);
  if (rc != HTTPR_OK || !cb->on_header)
    return rc;
  return cb->on_header(ud, f.name, f.name_len, f.value, f.value_len, err);
}

/* ---- chunked body -------------------------------------------------------- */

static int hex_value(char c) {
  if (is_digit(c))
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* "<1..16 hex digits>[OWS;ext]": 16 digits always fit in 64 bits, so the
 * digit limit is the overflow check. */
static int parse_chunk_size(const char *s, size_t n, uint64_t *size) {
  size_t i = 0;
  uint64_t v = 0;
  for (; i < n && hex_value(s[i]) >= 0; i++) {
    if (i == 16)
      return -1;
    v = v << 4 | (uint64_t)hex_value(s[i]);
  }
  if (i == 0)
    return -1;
  size_t j = i;
  while (j < n && is_ows(s[j]))
    j++;
  if (j < n && s[j] == ';') {
    if (has_ctl(s + j, n - j))
      return -1;
  } else if (i != n) {
    return -1;
  }
  *size = v;
  return 0;
}

static httpr_code on_chunk_size_line(struct hr_h1_parser *p, const char *s,
                                     size_t n, httpr_error *err) {
  uint64_t size;
  if (parse_chunk_size(s, n, &size) != 0)
    return hr_fail(err, HTTPR_E_PROTOCOL, "bad chunk size");
  p->head_bytes = 0; /* the trailer section gets the whole limit */
  p->remaining = size;
  p->state = size ? ST_CHUNK_DATA : ST_TRAILER;
  return HTTPR_OK;
}

/* Trailers are checked like headers, so a malformed one is still an error,
 * but they are not reported: nothing above the parser uses them. */
static httpr_code on_trailer_line(struct hr_h1_parser *p, const char *s,
                                  size_t n, httpr_error *err) {
  struct field f;
  if (n == 0) {
    finish(p);
    return HTTPR_OK;
  }
  return parse_field(s, n, &f, err);
}

/* The CRLF (or bare LF) that must follow each chunk's data. */
static httpr_code chunk_end_byte(struct hr_h1_parser *p, char c,
                                 httpr_error *err) {
  if (c == '\r' && p->state == ST_CHUNK_CR) {
    p->state = ST_CHUNK_LF;
    return HTTPR_OK;
  }
  if (c != '\n')
    return hr_fail(err, HTTPR_E_PROTOCOL, "malformed chunk");
  p->state = ST_CHUNK_SIZE;
  p->head_bytes = 0;
  return HTTPR_OK;
}

/* ---- dispatch ------------------------------------------------------------ */

static httpr_code on_line(struct hr_h1_parser *p,
                          const struct hr_h1_callbacks *cb, void *ud,
                          httpr_error *err) {
  const char *s = p->line.data;
  size_t n = p->line.len;
  switch (p->state) {
  case ST_STATUS:
    return on_status_line(p, s, n, cb, ud, err);
  case ST_HEADER:
    return on_header_line(p, s, n, cb, ud, err);
  case ST_CHUNK_SIZE:
    return on_chunk_size_line(p, s, n, err);
  default:
    return on_trailer_line(p, s, n, err);
  }
}

static httpr_code line_step(struct hr_h1_parser *p, const char *data,
                            size_t len, size_t *used,
                            const struct hr_h1_callbacks *cb, void *ud,
                            httpr_error *err) {
  int complete = 0;
  httpr_code rc = read_line(p, data, len, used, &complete, err);
  if (rc != HTTPR_OK || !complete)
    return rc;
  rc = on_line(p, cb, ud, err);
  hr_buf_reset(&p->line);
  return rc;
}

/* Body bytes of a Content-Length body or of one chunk. */
static httpr_code counted_step(struct hr_h1_parser *p, const char *data,
                               size_t len, size_t *used,
                               const struct hr_h1_callbacks *cb, void *ud,
                               httpr_error *err) {
  size_t n = p->remaining < len ? (size_t)p->remaining : len;
  *used = n;
  p->remaining -= n;
  if (p->remaining == 0) {
    if (p->state == ST_BODY_LENGTH)
      finish(p);
    else
      p->state = ST_CHUNK_CR;
  }
  return cb->on_body ? cb->on_body(ud, data, n, err) : HTTPR_OK;
}

static httpr_code step(struct hr_h1_parser *p, const char *data, size_t len,
                       size_t *used, const struct hr_h1_callbacks *cb, void *ud,
                       httpr_error *err) {
  switch (p->state) {
  case ST_BODY_LENGTH:
  case ST_CHUNK_DATA:
    return counted_step(p, data, len, used, cb, ud, err);
  case ST_BODY_CLOSE:
    *used = len;
    return cb->on_body ? cb->on_body(ud, data, len, err) : HTTPR_OK;
  case ST_CHUNK_CR:
  case ST_CHUNK_LF:
    *used = 1;
    return chunk_end_byte(p, data[0], err);
  default:
    return line_step(p, data, len, used, cb, ud, err);
  }
}

httpr_code hr_h1_parser_feed(struct hr_h1_parser *p, const char *data,
                             size_t len, size_t *consumed,
                             const struct hr_h1_callbacks *cb, void *ud,
                             httpr_error *err) {
  static const struct hr_h1_callbacks no_callbacks;
  httpr_error scratch;
  httpr_code rc = HTTPR_OK;
  size_t pos = 0;
  if (!err)
    err = &scratch;
  if (!cb)
    cb = &no_callbacks;
  if (p->state == ST_ERROR)
    rc = hr_fail(err, HTTPR_E_INVALID, "response parser used after an error");
  while (rc == HTTPR_OK && pos < len && p->state != ST_DONE) {
    size_t used = 0;
    rc = step(p, data + pos, len - pos, &used, cb, ud, err);
    pos += used;
  }
  if (rc != HTTPR_OK) {
    p->state = ST_ERROR;
    p->done = 0;
    p->keep_alive = 0;
  }
  if (consumed)
    *consumed = pos;
  return rc;
}

httpr_code hr_h1_parser_eof(struct hr_h1_parser *p, httpr_error *err) {
  httpr_error scratch;
  if (!err)
    err = &scratch;
  switch (p->state) {
  case ST_DONE:
    return HTTPR_OK;
  case ST_BODY_CLOSE:
    finish(p);
    return HTTPR_OK;
  case ST_STATUS:
  case ST_HEADER:
    return hr_fail(err, HTTPR_E_RECV,
                   "connection closed before the response was complete");
  case ST_BODY_LENGTH:
    return hr_fail(err, HTTPR_E_PARTIAL,
                   "transfer closed with %llu bytes remaining to read",
                   (unsigned long long)p->remaining);
  case ST_ERROR:
    return hr_fail(err, HTTPR_E_INVALID, "response parser used after an error");
  default:
    return hr_fail(err, HTTPR_E_PARTIAL,
                   "transfer closed before the last chunk");
  }
}
