/* SPDX-License-Identifier: MIT */
/*
 * h1_parser.h - an incremental HTTP/1.x response parser. Pure: it takes
 * bytes and their length in any split (one byte at a time works), calls
 * back for the status line, each header, and body data, and never does I/O.
 *
 * It enforces framing strictly: Content-Length (repeats must agree),
 * chunked with extensions and trailers, read until close; 1xx responses
 * are skipped (not reported) but count, all of them together with the
 * final head, against the head limit; HEAD, 204 and 304 have no body;
 * conflicting Content-Length values, Content-Length with
 * Transfer-Encoding, a malformed status line, header line or chunk size
 * are HTTPR_E_PROTOCOL; a head larger than the limit is
 * HTTPR_E_TOO_LARGE.
 */
#ifndef HTTPR_H1_PARSER_H
#define HTTPR_H1_PARSER_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/buf.h"

/* Each callback returns HTTPR_OK to go on; any other code stops the parse
 * and is returned by hr_h1_parser_feed (the callback fills err). Any may be
 * NULL. Pointers are valid only during the call. */
struct hr_h1_callbacks {
  /* The final (non-1xx) status line: version 10 or 11, status 200..599
   * (also 100..199 are never passed; 101 is HTTPR_E_PROTOCOL). */
  httpr_code (*on_status)(void *ud, int version, int status,
                          const char *reason, size_t reason_len,
                          httpr_error *err);
  /* One header of the final response (value trimmed of surrounding
   * whitespace). Trailers of a chunked body are not reported. */
  httpr_code (*on_header)(void *ud, const char *name, size_t name_len,
                          const char *value, size_t value_len,
                          httpr_error *err);
  /* The head is complete; body bytes (if any) follow. */
  httpr_code (*on_head_done)(void *ud, httpr_error *err);
  /* Body bytes, de-chunked. */
  httpr_code (*on_body)(void *ud, const char *data, size_t len,
                        httpr_error *err);
};

enum hr_h1_framing {
  HR_H1_FRAMING_NONE = 0,     /* no body (HEAD, 204, 304) */
  HR_H1_FRAMING_LENGTH,       /* Content-Length */
  HR_H1_FRAMING_CHUNKED,      /* Transfer-Encoding: chunked */
  HR_H1_FRAMING_CLOSE         /* read until the connection closes */
};

struct hr_h1_parser {
  /* configuration */
  size_t max_head_bytes;  /* limit on the response head, all 1xx heads
                             before it included, and on the trailer
                             section */
  int no_body;            /* 1 for a HEAD request */
  /* results, readable once the head is done */
  int version;            /* 10 or 11 */
  int status;
  enum hr_h1_framing framing;
  uint64_t content_length;
  int keep_alive;         /* connection reusable after this response */
  int head_done;
  int done;               /* message complete */
  /* private state */
  int state;
  size_t head_bytes;
  uint64_t remaining;     /* body or chunk bytes left */
  struct hr_buf line;     /* the line being assembled */
  int saw_content_length;
  int saw_transfer_encoding;
  int connection_close;
  int connection_keep_alive;
};

void hr_h1_parser_init(struct hr_h1_parser *p, size_t max_head_bytes,
                       int no_body);
void hr_h1_parser_free(struct hr_h1_parser *p);

/* Feeds len bytes. Sets *consumed to the bytes used; it is less than len
 * only when the message completed (p->done) before the end of data (the
 * rest belongs to no response: the caller must not reuse the connection).
 * Returns HTTPR_OK, a callback's code, HTTPR_E_PROTOCOL, HTTPR_E_TOO_LARGE
 * or HTTPR_E_NOMEM. After an error the parser must not be fed again. */
httpr_code hr_h1_parser_feed(struct hr_h1_parser *p, const char *data,
                             size_t len, size_t *consumed,
                             const struct hr_h1_callbacks *cb, void *ud,
                             httpr_error *err);

/* The connection ended cleanly (EOF / close_notify). HTTPR_OK when that
 * completes the message (a close-delimited body; sets p->done);
 * HTTPR_E_PARTIAL when a body with Content-Length or chunked framing is
 * short; HTTPR_E_RECV when the head was incomplete ("connection closed
 * before the response was complete"). */
httpr_code hr_h1_parser_eof(struct hr_h1_parser *p, httpr_error *err);

#endif
