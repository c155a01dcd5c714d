/* SPDX-License-Identifier: MIT */
/*
 * h1_writer.c - serializing an HTTP/1.1 request head and chunk framing
 * into a buffer. Every caller-supplied byte is checked before anything is
 * written, so a refused request leaves the buffer as it was and nothing a
 * caller passes can end a line early (request smuggling).
 */
#include "protocol/h1_writer.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>


static int is_tchar(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
      (c >= '0' && c <= '9'))
    return 1;
  return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

int hr_h1_is_token(const char *s) {
  if (!s || !*s)
    return 0;
  for (; *s; s++) {
    if (!is_tchar((unsigned char)*s))
      return 0;
  }
  return 1;
}

static int is_ctl(unsigned char c) { return c < 0x20 || c == 0x7f; }

int hr_h1_is_field_value(const char *s) {
  if (!s)
    return 0;
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (is_ctl(c) && c != '\t')
      return 0;
  }
  return 1;
}

/* A caller's string made safe for a one-line message: non-printable bytes
 * become '?', long ones are cut. */
static const char *printable(char *dst, size_t cap, const char *s) {
  size_t n = 0;
  for (; s && *s && n + 4 < cap; s++)
    dst[n++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
  if (s && *s) {
    memcpy(dst + n, "...", 3);
    n += 3;
  }
  dst[n] = '\0';
  return dst;
}

/* The target comes from hr_url_parse, which already refuses these bytes;
 * checked again because a stray space here would split the request line. */
static int is_valid_target(const char *t) {
  if (!t || !*t)
    return 0;
  for (; *t; t++) {
    unsigned char c = (unsigned char)*t;
    if (c <= 0x20 || c >= 0x7f)
      return 0;
  }
  return 1;
}

static httpr_code check_header(const struct hr_header *h, httpr_error *err) {
  char shown[64];
  if (!hr_h1_is_token(h->name))
    return hr_fail(err, HTTPR_E_INVALID, "invalid header name '%s'",
                   printable(shown, sizeof(shown), h->name));
  if (hr_strcaseeq(h->name, "Content-Length") ||
      hr_strcaseeq(h->name, "Transfer-Encoding"))
    return hr_fail(err, HTTPR_E_INVALID,
                   "header '%s' is set by the library from the body", h->name);
  if (!h->value || strpbrk(h->value, "\r\n"))
    return hr_fail(err, HTTPR_E_INVALID, "header '%s' holds CR, LF or NUL",
                   printable(shown, sizeof(shown), h->name));
  if (!hr_h1_is_field_value(h->value))
    return hr_fail(err, HTTPR_E_INVALID,
                   "header '%s' holds a control character",
                   printable(shown, sizeof(shown), h->name));
  return HTTPR_OK;
}

httpr_code hr_h1_check_request(const char *method, const struct hr_url *url,
                                const struct hr_headers *headers,
                                int64_t body_length, httpr_error *err) {
  char shown[64];
  if (!hr_h1_is_token(method))
    return hr_fail(err, HTTPR_E_INVALID, "invalid method '%s'",
                   printable(shown, sizeof(shown), method));
  if (!url || !url->host || !is_valid_target(url->target))
    return hr_fail(err, HTTPR_E_INVALID, "invalid request URL");
  if (body_length < HR_H1_NO_BODY)
    return hr_fail(err, HTTPR_E_INVALID, "invalid body length %" PRId64,
                   body_length);
  for (size_t i = 0; headers && i < headers->count; i++) {
    httpr_code rc = check_header(&headers->v[i], err);
    if (rc != HTTPR_OK)
      return rc;
  }
  return HTTPR_OK;
}

static int caller_has(const struct hr_headers *headers, const char *name) {
  return headers && hr_headers_has(headers, name);
}

/* "Host: authority\r\n", written straight into out. */
static int write_host(struct hr_buf *out, const struct hr_url *url) {
  size_t cap = strlen(url->host) + sizeof("[]:65535");
  if (hr_buf_append_str(out, "Host: ") || hr_buf_reserve(out, cap))
    return -1;
  size_t n = hr_url_authority(url, out->data + out->len, cap);
  if (n == 0)
    return -1;
  out->len += n;
  return hr_buf_append(out, "\r\n", 2);
}

static int write_framing(struct hr_buf *out, const char *method,
                         int64_t body_length) {
  if (body_length >= 0)
    return hr_buf_append_str(out, "Content-Length: ") ||
           hr_buf_append_uint(out, (unsigned long long)body_length, 10) ||
           hr_buf_append(out, "\r\n", 2);
  if (body_length == HR_H1_CHUNKED)
    return hr_buf_append_str(out, "Transfer-Encoding: chunked\r\n");
  /* Servers may wait for a body or answer 411 when POST or PUT come
   * without any framing, so an empty body is said explicitly. */
  if (!strcmp(method, "POST") || !strcmp(method, "PUT"))
    return hr_buf_append_str(out, "Content-Length: 0\r\n");
  return 0;
}

/* target: url's, or its absolute form for a proxy; authorization: the
 * proxy's Proxy-Authorization value, or NULL. */
static int write_head(struct hr_buf *out, const char *method,
                      const struct hr_url *url, const char *target,
                      const char *authorization,
                      const struct hr_headers *headers, int64_t body_length) {
  if (hr_buf_append_str(out, method) || hr_buf_append(out, " ", 1) ||
      hr_buf_append_str(out, target) || hr_buf_append(out, " HTTP/1.1\r\n", 11))
    return -1;
  if (!caller_has(headers, "Host") && write_host(out, url))
    return -1;
  if (authorization &&
      (hr_buf_append_str(out, "Proxy-Authorization: ") ||
       hr_buf_append_str(out, authorization) || hr_buf_append(out, "\r\n", 2)))
    return -1;
  if (!caller_has(headers, "User-Agent") &&
      hr_buf_append_str(out, "User-Agent: " HR_USER_AGENT "\r\n"))
    return -1;
  if (!caller_has(headers, "Accept") &&
      hr_buf_append_str(out, "Accept: */*\r\n"))
    return -1;
  for (size_t i = 0; headers && i < headers->count; i++) {
    const struct hr_header *h = &headers->v[i];
    if (hr_buf_append_str(out, h->name) || hr_buf_append(out, ": ", 2) ||
        hr_buf_append_str(out, h->value) || hr_buf_append(out, "\r\n", 2))
      return -1;
  }
  if (write_framing(out, method, body_length))
    return -1;
  return hr_buf_append(out, "\r\n", 2);
}

/* Both forms: the checks, then the head, or nothing of it. */
static httpr_code write_checked(struct hr_buf *out, const char *method,
                                const struct hr_url *url, int absolute,
                                const char *authorization,
                                const struct hr_headers *headers,
                                int64_t body_length, httpr_error *err) {
  httpr_error scratch;
  if (!err)
    err = &scratch;
  httpr_code rc = hr_h1_check_request(method, url, headers, body_length, err);
  if (rc != HTTPR_OK)
    return rc;
  if (authorization && !hr_h1_is_field_value(authorization))
    return hr_fail(err, HTTPR_E_INVALID, "invalid Proxy-Authorization value");
  char *full = absolute ? hr_url_to_string(url) : NULL;
  if (absolute && !full)
    return hr_nomem(err);
  size_t mark = out->len;
  int failed = write_head(out, method, url, full ? full : url->target,
                          authorization, headers, body_length);
  free(full);
  if (failed) {
    out->len = mark;
    if (out->data)
      out->data[mark] = '\0';
    return hr_nomem(err);
  }
  return HTTPR_OK;
}

httpr_code hr_h1_write_head(struct hr_buf *out, const char *method,
                            const struct hr_url *url,
                            const struct hr_headers *headers,
                            int64_t body_length, httpr_error *err) {
  return write_checked(out, method, url, 0, NULL, headers, body_length, err);
}

httpr_code hr_h1_write_proxy_head(struct hr_buf *out, const char *method,
                                  const struct hr_url *url,
                                  const char *authorization,
                                  const struct hr_headers *headers,
                                  int64_t body_length, httpr_error *err) {
  return write_checked(out, method, url, 1, authorization, headers, body_length,
                       err);
}

/* A zero-length chunk is the last one, so it comes with the empty trailer
 * section that ends the body: a caller never sends one by accident. */
int hr_h1_chunk_start(struct hr_buf *out, size_t len) {
  if (len == 0)
    return hr_buf_append_str(out, "0\r\n\r\n");
  return hr_buf_append_uint(out, len, 16) || hr_buf_append(out, "\r\n", 2);
}
