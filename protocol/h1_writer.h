/* SPDX-License-Identifier: MIT */
/*
 * h1_writer.h - serializing an HTTP/1.1 request head, refusing anything a
 * caller could use to smuggle a second request or header (CR, LF, NUL).
 * Pure: writes into a buffer, no I/O.
 */
#ifndef HTTPR_H1_WRITER_H
#define HTTPR_H1_WRITER_H

#include <stdint.h>

#include "common/error.h"
#include "common/buf.h"
#include "protocol/headers.h"
#include "protocol/url.h"

/* 1 when s is a non-empty RFC 9110 token (method, header name). */
int hr_h1_is_token(const char *s);
/* 1 when s can be a header field value: no CR, LF or NUL (and no other
 * control characters except horizontal tab). */
int hr_h1_is_field_value(const char *s);

/* body_length for hr_h1_write_head: */
#define HR_H1_NO_BODY (-2)  /* no body, no framing header */
#define HR_H1_CHUNKED (-1)  /* Transfer-Encoding: chunked */

/* The checks every request passes before it is written, in HTTP/1.1 or
 * HTTP/2: method a token, a target, header names tokens and values
 * without CR, LF, NUL or other controls, no caller Content-Length or
 * Transfer-Encoding. HTTPR_OK or HTTPR_E_INVALID. */
httpr_code hr_h1_check_request(const char *method, const struct hr_url *url,
                               const struct hr_headers *headers,
                               int64_t body_length, httpr_error *err);

/* The User-Agent sent unless the caller gives one. */
#define HR_USER_AGENT "httpr/" HTTPR_VERSION_STRING

/* Appends "METHOD target HTTP/1.1\r\n", Host, User-Agent "httpr/VERSION"
 * and Accept ("*", "/", "*" written together) unless the caller's headers
 * give them, the caller's headers in order, Content-Length (body_length >= 0;
 * also "0" for POST and PUT without body) or Transfer-Encoding: chunked, and
 * the empty line.
 * Caller headers named Content-Length or Transfer-Encoding are refused
 * (HTTPR_E_INVALID): the library frames the body. HTTPR_E_INVALID when
 * method or a header fails the checks above; HTTPR_E_NOMEM. */
httpr_code hr_h1_write_head(struct hr_buf *out, const char *method,
                            const struct hr_url *url,
                            const struct hr_headers *headers,
                            int64_t body_length, httpr_error *err);

/* hr_h1_write_head for a request to an HTTP proxy (RFC 9112 section
 * 3.2.2): the target in absolute form ("http://host:port/path", the port
 * only when not 80), and "Proxy-Authorization: authorization" when that
 * is not NULL. Errors as hr_h1_write_head. */
httpr_code hr_h1_write_proxy_head(struct hr_buf *out, const char *method,
                                  const struct hr_url *url,
                                  const char *authorization,
                                  const struct hr_headers *headers,
                                  int64_t body_length, httpr_error *err);

/* Appends one chunk's framing: "<hex len>\r\n" before the data
 * (hr_h1_chunk_start), "\r\n" after it, and "0\r\n\r\n" at the end.
 * len 0 appends that end ("0\r\n\r\n"); the caller appends the "\r\n"
 * after each chunk's data. 0, or -1 when out of memory. */
int hr_h1_chunk_start(struct hr_buf *out, size_t len);

#endif
