/* SPDX-License-Identifier: MIT */
/*
 * h2_request.c - a request's HTTP/2 header list (see h2_request.h).
 */
#include "protocol/h2_request.h"

#include <stdlib.h>
#include <string.h>

#include "protocol/h1_writer.h"

/* Headers that belong to one HTTP/1.1 connection and are malformed in
 * HTTP/2 (RFC 9113 8.2.2); Host becomes :authority. */
static int left_out(const struct hr_header *h) {
  static const char *const names[] = {"Connection", "Keep-Alive",
                                      "Proxy-Connection", "Upgrade", "Host"};
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    if (hr_strcaseeq(h->name, names[i]))
      return 1;
  }
  /* TE may only say "trailers". */
  return hr_strcaseeq(h->name, "TE") && strcmp(h->value, "trailers") != 0;
}

static int64_t body_length(const struct hr_h2_request *rq) {
  if (!rq->has_body)
    return HR_H1_NO_BODY;
  if (rq->read_cb)
    return rq->read_len >= 0 ? rq->read_len : HR_H1_CHUNKED;
  return (int64_t)rq->body_len;
}

/* Bytes of text the fields need: every caller name in lowercase, the
 * authority and the body length's digits. Reserved at once, so the
 * pointers into the buffer stay valid while it fills. */
static size_t text_size(const struct hr_h2_request *rq) {
  size_t n = strlen(rq->url->host) + sizeof("[]:65535") + 24;
  for (size_t i = 0; rq->headers && i < rq->headers->count; i++)
    n += strlen(rq->headers->v[i].name) + 1;
  return n;
}

/* Appends s (len bytes, lowercased when lower) to the text and returns
 * where it starts. */
static uint8_t *text_add(struct hr_buf *text, const char *s, size_t len,
                         int lower) {
  uint8_t *at = (uint8_t *)text->data + text->len;
  for (size_t i = 0; i < len; i++) {
    char ch = s[i];
    at[i] = (uint8_t)(lower && ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  }
  text->len += len;
  return at;
}

static void add(struct hr_h2_fields *f, const void *name, size_t nlen,
                const void *value, size_t vlen) {
  nghttp2_nv *nv = &f->nva[f->count++];
  nv->name = (uint8_t *)name;
  nv->namelen = nlen;
  nv->value = (uint8_t *)value;
  nv->valuelen = vlen;
  nv->flags = NGHTTP2_NV_FLAG_NONE; /* nghttp2 copies them on submit */
}

static void add_str(struct hr_h2_fields *f, const char *name,
                    const char *value) {
  add(f, name, strlen(name), value, strlen(value));
}

/* A caller's value without the spaces and tabs around it: they are no part
 * of a field value (RFC 9110 5.5), HTTP/1.1 drops them as it reads, and
 * HTTP/2 forbids them (RFC 9113 8.2.1: nghttp2-based servers reset such a
 * stream). Found by tests/fuzz/fuzz_h2_request.c. */
static void add_trimmed(struct hr_h2_fields *f, const void *name, size_t nlen,
                        const char *value) {
  size_t len = strlen(value);
  while (len > 0 && (*value == ' ' || *value == '\t')) {
    value++;
    len--;
  }
  while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t'))
    len--;
  add(f, name, nlen, value, len);
}

static int caller_has(const struct hr_h2_request *rq, const char *name) {
  return rq->headers && hr_headers_has(rq->headers, name);
}

httpr_code hr_h2_fields_build(struct hr_h2_fields *f,
                              const struct hr_h2_request *rq,
                              httpr_error *err) {
  memset(f, 0, sizeof(*f));
  int64_t length = body_length(rq);
  httpr_code rc =
      hr_h1_check_request(rq->method, rq->url, rq->headers, length, err);
  if (rc != HTTPR_OK)
    return rc;
  size_t caller = rq->headers ? rq->headers->count : 0;
  f->nva = calloc(caller + 8, sizeof(*f->nva));
  if (!f->nva || hr_buf_reserve(&f->text, text_size(rq)) != 0) {
    hr_h2_fields_free(f);
    return hr_nomem(err);
  }
  const char *host = caller_has(rq, "Host") ? hr_headers_get(rq->headers, "Host", 0) : NULL;
  add_str(f, ":method", rq->method);
  add_str(f, ":scheme", rq->url->https ? "https" : "http");
  if (host) {
    add_str(f, ":authority", host);
  } else {
    char *at = f->text.data + f->text.len;
    size_t n = hr_url_authority(rq->url, at, f->text.cap - f->text.len);
    f->text.len += n;
    add(f, ":authority", 10, at, n);
  }
  add_str(f, ":path", rq->url->target);
  if (!caller_has(rq, "User-Agent"))
    add_str(f, "user-agent", HR_USER_AGENT);
  if (!caller_has(rq, "Accept"))
    add_str(f, "accept", "*/*");
  for (size_t i = 0; i < caller; i++) {
    const struct hr_header *h = &rq->headers->v[i];
    if (left_out(h))
      continue;
    size_t nlen = strlen(h->name);
    add_trimmed(f, text_add(&f->text, h->name, nlen, 1), nlen, h->value);
  }
  if (length >= 0) {
    char digits[24];
    size_t n = hr_format_uint(digits, (unsigned long long)length, 10);
    add(f, "content-length", 14, text_add(&f->text, digits, n, 0), n);
  }
  return HTTPR_OK;
}

void hr_h2_fields_free(struct hr_h2_fields *f) {
  free(f->nva);
  hr_buf_free(&f->text);
  memset(f, 0, sizeof(*f));
}
