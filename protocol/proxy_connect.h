/* SPDX-License-Identifier: MIT */
/*
 * proxy_connect.h - the HTTP CONNECT exchange with a proxy (RFC 9110
 * section 9.3.6) as a tunnel (tunnel.h): "CONNECT host:port HTTP/1.1"
 * with Host and, when the proxy has credentials, Proxy-Authorization;
 * then the proxy's reply head, read incrementally and bounded. A 2xx
 * opens the tunnel; anything else fails it, as curl words it.
 */
#ifndef HTTPR_PROXY_CONNECT_H
#define HTTPR_PROXY_CONNECT_H

#include <stddef.h>

#include "common/error.h"
#include "protocol/tunnel.h"

/* The reply head's parser, on its own so that it can be fed any split of
 * bytes (and fuzzed): no I/O. */
struct hr_connect_reply {
  char *head; /* what came so far, NUL-terminated */
  size_t len;
  size_t max; /* most bytes the head may take */
  int status; /* once done */
};

/* hr_connect_reply_feed's answers. */
enum hr_connect_reply_state {
  HR_CONNECT_REPLY_MORE, /* the head has not ended */
  HR_CONNECT_REPLY_DONE, /* r->status is the proxy's answer */
  HR_CONNECT_REPLY_ERROR /* err filled */
};

/* max: the head's limit (httpr_config_set_max_header_bytes). 0, or -1
 * when out of memory. */
int hr_connect_reply_init(struct hr_connect_reply *r, size_t max);
void hr_connect_reply_free(struct hr_connect_reply *r);

/* Takes data[0..len), of which *used bytes are the head's (the rest is
 * what the proxy sent after it). Errors: HTTPR_E_TOO_LARGE for a head
 * over max, HTTPR_E_PROTOCOL for one that is not an HTTP/1.x status
 * line and headers (a NUL byte, a bad status line). */
enum hr_connect_reply_state hr_connect_reply_feed(struct hr_connect_reply *r,
                                                  const char *data, size_t len,
                                                  size_t *used,
                                                  httpr_error *err);

/* Makes t a CONNECT tunnel to authority ("host:port", brackets for IPv6)
 * with authorization (a Proxy-Authorization value, or NULL) and a reply
 * head of at most max_head bytes; proxy names the proxy in messages and
 * debug, which goes to debug. The strings are copied. The tunnel's step
 * fails with HTTPR_E_PROXY_CONNECT "CONNECT tunnel failed, response N" for a
 * reply other than 2xx, HTTPR_E_PROXY_CONNECT when the proxy closes the
 * connection first or sends bytes after a 2xx head, the parser's codes,
 * and the connection's. HTTPR_OK or HTTPR_E_NOMEM. */
httpr_code hr_proxy_connect_tunnel(struct hr_tunnel *t, const char *authority,
                                   const char *authorization, size_t max_head,
                                   const struct hr_debug *debug,
                                   httpr_error *err);

#endif
