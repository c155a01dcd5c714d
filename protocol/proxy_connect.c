/* SPDX-License-Identifier: MIT */
/*
 * proxy_connect.c - the HTTP CONNECT tunnel (proxy_connect.h): the
 * request, written in one piece; the reply head, gathered up to its
 * limit and then judged by its status line alone (a proxy's headers
 * say nothing the tunnel needs).
 */
#include "protocol/proxy_connect.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"

/* ---- the reply ----------------------------------------------------------- */

int hr_connect_reply_init(struct hr_connect_reply *r, size_t max) {
  memset(r, 0, sizeof(*r));
  r->max = max;
  r->head = malloc(max + 1);
  if (!r->head)
    return -1;
  r->head[0] = '\0';
  return 0;
}

void hr_connect_reply_free(struct hr_connect_reply *r) {
  free(r->head);
  r->head = NULL;
}

/* Where the head ends in r->head (just after its empty line), or 0,
 * looking at the bytes from `from` on (and the two before them), so that
 * a reply fed a byte at a time costs no more than one fed whole. A bare
 * LF ends lines too, as RFC 9112 section 2.2 lets a recipient. */
static size_t head_end(const struct hr_connect_reply *r, size_t from) {
  for (size_t i = from > 2 ? from - 2 : 1; i < r->len; i++) {
    if (r->head[i] != '\n')
      continue;
    if (r->head[i - 1] == '\n')
      return i + 1;
    if (i >= 2 && r->head[i - 1] == '\r' && r->head[i - 2] == '\n')
      return i + 1;
  }
  return 0;
}

/* "HTTP/1.x NNN" and a space or the line's end: the status, or -1. */
static int status_of(const char *line) {
  if (strncmp(line, "HTTP/1.", 7) != 0 || line[7] < '0' || line[7] > '9' ||
      line[8] != ' ')
    return -1;
  const char *s = line + 9;
  for (int i = 0; i < 3; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
  }
  if (s[3] != ' ' && s[3] != '\r' && s[3] != '\n')
    return -1;
  return (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
}

enum hr_connect_reply_state hr_connect_reply_feed(struct hr_connect_reply *r,
                                                  const char *data, size_t len,
                                                  size_t *used,
                                                  httpr_error *err) {
  size_t before = r->len;
  size_t room = r->max - r->len;
  size_t take = len < room ? len : room;
  memcpy(r->head + r->len, data, take);
  r->len += take;
  r->head[r->len] = '\0';
  size_t end = head_end(r, before);
  /* Only the head's bytes are judged: what follows it (a refusal's body)
   * may hold anything. */
  size_t head = end ? end : r->len;
  *used = head - before;
  if (memchr(r->head + before, '\0', head - before)) {
    hr_fail(err, HTTPR_E_PROTOCOL, "malformed CONNECT response: a NUL byte");
    return HR_CONNECT_REPLY_ERROR;
  }
  if (!end) {
    if (r->len < r->max)
      return HR_CONNECT_REPLY_MORE;
    hr_fail(err, HTTPR_E_TOO_LARGE,
            "CONNECT response head larger than %zu bytes", r->max);
    return HR_CONNECT_REPLY_ERROR;
  }
  r->len = end;
  r->head[end] = '\0';
  r->status = status_of(r->head);
  if (r->status < 0) {
    size_t line = strcspn(r->head, "\r\n");
    hr_fail(err, HTTPR_E_PROTOCOL,
            "malformed CONNECT response status line: '%.*s'",
            (int)(line > 64 ? 64 : line), r->head);
    return HR_CONNECT_REPLY_ERROR;
  }
  return HR_CONNECT_REPLY_DONE;
}

/* ---- the tunnel ---------------------------------------------------------- */

struct connect_state {
  struct hr_buf request;
  size_t sent;
  struct hr_connect_reply reply;
  const struct hr_debug *debug;
};

static void connect_free(void *state) {
  struct connect_state *s = state;
  if (!s)
    return;
  if (s->request.data)
    memset(s->request.data, 0, s->request.len); /* the credentials */
  hr_buf_free(&s->request);
  hr_connect_reply_free(&s->reply);
  free(s);
}

static httpr_code send_request(struct connect_state *s, struct hr_conn *c,
                               short *want, httpr_error *err) {
  while (s->sent < s->request.len) {
    size_t moved = 0;
    httpr_code rc =
        hr_conn_try_write(c, s->request.data + s->sent,
                          s->request.len - s->sent, &moved, want, err);
    if (rc != HTTPR_OK)
      return rc;
    if (*want)
      return HTTPR_OK;
    s->sent += moved;
  }
  *want = 0;
  return HTTPR_OK;
}

static httpr_code judge(struct connect_state *s, size_t extra,
                        httpr_error *err) {
  int status = s->reply.status;
  if (status < 200 || status > 299) {
    hr_fail(err, HTTPR_E_PROXY_CONNECT, "CONNECT tunnel failed, response %d", status);
    /* The status line as the proxy wrote it, for -v: a 407's reason. */
    size_t line = strcspn(s->reply.head, "\r\n");
    hr_detail(err, "the proxy answered '%.*s'", (int)(line > 200 ? 200 : line),
              s->reply.head);
    return HTTPR_E_PROXY_CONNECT;
  }
  if (extra)
    return hr_fail(err, HTTPR_E_PROXY_CONNECT,
                   "the proxy sent %zu bytes after its CONNECT response",
                   extra);
  hr_debugf(s->debug, "CONNECT tunnel established, response %d", status);
  return HTTPR_OK;
}

static httpr_code connect_step(void *state, struct hr_conn *c, short *want,
                               httpr_error *err) {
  struct connect_state *s = state;
  if (s->sent < s->request.len) {
    httpr_code rc = send_request(s, c, want, err);
    if (rc != HTTPR_OK || *want)
      return rc;
  }
  for (int reads = 0; reads < 64; reads++) {
    char buf[4096];
    size_t moved = 0;
    size_t room = s->reply.max - s->reply.len;
    httpr_code rc = hr_conn_try_read(
        c, buf, room < sizeof(buf) ? room + 1 : sizeof(buf), &moved, want, err);
    if (rc != HTTPR_OK)
      return rc;
    if (*want)
      return HTTPR_OK;
    if (moved == 0)
      return hr_fail(err, HTTPR_E_PROXY_CONNECT,
                     "the proxy closed the connection before its CONNECT "
                     "response ended");
    size_t used = 0;
    enum hr_connect_reply_state st =
        hr_connect_reply_feed(&s->reply, buf, moved, &used, err);
    if (st == HR_CONNECT_REPLY_ERROR)
      return err->code;
    if (st == HR_CONNECT_REPLY_DONE) {
      *want = 0;
      return judge(s, moved - used, err);
    }
  }
  *want = POLLIN; /* a proxy that trickles: poll again */
  return HTTPR_OK;
}

static const struct hr_tunnel_ops connect_ops = {.step = connect_step,
                                                 .free = connect_free};

httpr_code hr_proxy_connect_tunnel(struct hr_tunnel *t, const char *authority,
                                   const char *authorization, size_t max_head,
                                   const struct hr_debug *debug,
                                   httpr_error *err) {
  struct connect_state *s = calloc(1, sizeof(*s));
  if (!s || hr_connect_reply_init(&s->reply, max_head) != 0) {
    connect_free(s);
    return hr_nomem(err);
  }
  s->debug = debug;
  struct hr_buf *b = &s->request;
  if (hr_buf_append_str(b, "CONNECT ") || hr_buf_append_str(b, authority) ||
      hr_buf_append_str(b, " HTTP/1.1\r\nHost: ") ||
      hr_buf_append_str(b, authority) || hr_buf_append_str(b, "\r\n") ||
      (authorization &&
       (hr_buf_append_str(b, "Proxy-Authorization: ") ||
        hr_buf_append_str(b, authorization) || hr_buf_append_str(b, "\r\n"))) ||
      hr_buf_append_str(b, "User-Agent: httpr/" HTTPR_VERSION_STRING "\r\n") ||
      hr_buf_append_str(b, "Proxy-Connection: Keep-Alive\r\n\r\n")) {
    connect_free(s);
    return hr_nomem(err);
  }
  hr_debugf(debug, "Establish HTTP proxy tunnel to %s", authority);
  t->ops = &connect_ops;
  t->state = s;
  return HTTPR_OK;
}
