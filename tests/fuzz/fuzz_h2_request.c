/* SPDX-License-Identifier: MIT */
/*
 * fuzz_h2_request.c - libFuzzer target for the HTTP/2 request builder
 * (protocol/h2_request.c): a caller's method, URL, headers and body become
 * an HTTP/2 header list, which must follow the rules of RFC 9113 and be
 * accepted by a conforming server: here nghttp2's own server session,
 * whose HTTP messaging checks (field names and values, pseudo-headers,
 * content-length against the DATA sent) are on by default.
 *
 * Input: byte 0 chooses the body (bits 0-1: none, memory, a callback of
 * announced length, a callback of unknown length; byte 1 is then its
 * length); the rest is lines (LF-separated, each cut at a NUL, as a C
 * string would be): the method, the URL (the default below when it does
 * not parse), then headers as "name:value" (the value as written, spaces
 * included; a line without ':' is a name with an empty value).
 *
 * The builder may refuse a request (HTTPR_E_INVALID, with a message);
 * what it accepts must come out as: the four pseudo-headers first, in
 * order, with the method, the scheme, the authority (the caller's Host
 * header, else the URL's) and the target; then every other field in
 * lowercase, none of the connection-specific ones, TE only as
 * "trailers", content-length exactly when the body's length is known;
 * the caller's other headers in their order, their values without the
 * spaces and tabs around them; and a server session that takes the whole
 * request without finding anything invalid.
 *
 * Intended differences, skipped: a caller's Host header that is no
 * authority (RFC 3986 characters) goes out as :authority as given, as the
 * HTTP/1.1 writer sends it as given (a server may refuse it: the caller
 * asked for it); CONNECT, which HTTP/2 sends without :scheme and :path
 * (RFC 9113 8.5) and the library does not offer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nghttp2/nghttp2.h>

#include "protocol/h2_request.h"
#include "protocol/headers.h"
#include "protocol/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_CAP 8192
#define MAX_LINES 64
#define DEFAULT_URL "https://example.com:8443/a?b"

/* ---- the input as a request ---------------------------------------------- */

struct input {
  char *text; /* a NUL-terminated copy, cut into lines in place */
  char *lines[MAX_LINES];
  size_t count;
};

static void split_lines(struct input *in, const uint8_t *data, size_t size) {
  in->text = malloc(size + 1);
  if (!in->text)
    abort();
  memcpy(in->text, data, size);
  in->text[size] = '\0';
  in->count = 0;
  char *p = in->text, *end = in->text + size;
  while (p <= end && in->count < MAX_LINES) {
    char *nl = memchr(p, '\n', (size_t)(end - p));
    if (nl)
      *nl = '\0';
    in->lines[in->count++] = p; /* a NUL inside cuts it short */
    if (!nl)
      break;
    p = nl + 1;
  }
}

static int is_authority_char(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
      (c >= '0' && c <= '9'))
    return 1;
  return c && strchr("-._~!$&'()*+,;=:@[]%", c) != NULL;
}

static int is_authority(const char *s) {
  if (!*s)
    return 0;
  for (; *s; s++) {
    if (!is_authority_char((unsigned char)*s))
      return 0;
  }
  return 1;
}

/* ---- checks on the header list ------------------------------------------- */

static int nv_is(const nghttp2_nv *nv, const char *name, const char *value,
                 size_t value_len) {
  return nv->namelen == strlen(name) &&
         memcmp(nv->name, name, nv->namelen) == 0 &&
         nv->valuelen == value_len && memcmp(nv->value, value, value_len) == 0;
}

static int name_is(const nghttp2_nv *nv, const char *name) {
  return nv->namelen == strlen(name) &&
         memcmp(nv->name, name, nv->namelen) == 0;
}

static int same_name_nocase(const nghttp2_nv *nv, const char *name) {
  size_t n = strlen(name);
  if (nv->namelen != n)
    return 0;
  for (size_t i = 0; i < n; i++) {
    char c = name[i];
    if (c >= 'A' && c <= 'Z')
      c = (char)(c - 'A' + 'a');
    if (nv->name[i] != (uint8_t)c)
      return 0;
  }
  return 1;
}

/* RFC 9113 8.2.2: the fields of one HTTP/1.1 connection have no place in
 * HTTP/2; Host travels as :authority. */
static int connection_specific(const struct hr_header *h) {
  static const char *const names[] = {"connection", "keep-alive",
                                      "proxy-connection", "upgrade", "host"};
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    if (hr_strcaseeq(h->name, names[i]))
      return 1;
  }
  return hr_strcaseeq(h->name, "te") && strcmp(h->value, "trailers") != 0;
}

/* How many fields the list must have. */
static size_t expected_count(const struct hr_h2_request *rq, int64_t length) {
  size_t n = 4 + !hr_headers_has(rq->headers, "User-Agent") +
             !hr_headers_has(rq->headers, "Accept") + (length >= 0);
  for (size_t i = 0; i < rq->headers->count; i++)
    n += !connection_specific(&rq->headers->v[i]);
  return n;
}

static void check_fields(const struct hr_h2_fields *f,
                         const struct hr_h2_request *rq, int64_t length) {
  const struct hr_url *u = rq->url;
  size_t cap = strlen(u->host) + sizeof("[]:65535");
  char *authority = malloc(cap);
  const char *host = hr_headers_get(rq->headers, "Host", 0);
  if (!authority)
    abort();
  size_t alen = host ? strlen(host) : hr_url_authority(u, authority, cap);
  if (f->count != expected_count(rq, length) ||
      !nv_is(&f->nva[0], ":method", rq->method, strlen(rq->method)) ||
      !nv_is(&f->nva[1], ":scheme", u->https ? "https" : "http",
             u->https ? 5 : 4) ||
      !nv_is(&f->nva[2], ":authority", host ? host : authority, alen) ||
      !nv_is(&f->nva[3], ":path", u->target, strlen(u->target)))
    abort();
  size_t next_caller = 0, lengths = 0;
  for (size_t i = 4; i < f->count; i++) {
    const nghttp2_nv *nv = &f->nva[i];
    if (nv->namelen == 0 || nv->name[0] == ':')
      abort();
    for (size_t k = 0; k < nv->namelen; k++) {
      if (nv->name[k] >= 'A' && nv->name[k] <= 'Z')
        abort();
    }
    if (name_is(nv, "connection") || name_is(nv, "keep-alive") ||
        name_is(nv, "proxy-connection") || name_is(nv, "upgrade") ||
        name_is(nv, "host") || name_is(nv, "transfer-encoding") ||
        (name_is(nv, "te") && !nv_is(nv, "te", "trailers", 8)))
      abort();
    if (name_is(nv, "content-length")) {
      char digits[24];
      int n = snprintf(digits, sizeof(digits), "%lld", (long long)length);
      if (length < 0 || lengths++ ||
          !nv_is(nv, "content-length", digits, (size_t)n))
        abort();
      continue;
    }
    /* The caller's headers come in order, each once, with its value; the
     * ones left out are passed over. */
    while (next_caller < rq->headers->count &&
           (connection_specific(&rq->headers->v[next_caller]) ||
            !same_name_nocase(nv, rq->headers->v[next_caller].name)))
      next_caller++;
    if (next_caller == rq->headers->count) {
      /* Not the caller's: one of the two defaults. */
      if (!name_is(nv, "user-agent") && !name_is(nv, "accept"))
        abort();
      next_caller = 0;
      continue;
    }
    /* The value as the caller gave it, without surrounding whitespace. */
    const char *v = rq->headers->v[next_caller].value;
    size_t vlen = strlen(v);
    while (vlen && (*v == ' ' || *v == '\t')) {
      v++;
      vlen--;
    }
    while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
      vlen--;
    if (nv->valuelen != vlen || memcmp(nv->value, v, vlen) != 0)
      abort();
    next_caller++;
  }
  if ((length >= 0) != (lengths == 1))
    abort();
  free(authority);
}

/* ---- a server session takes the request ---------------------------------- */

struct server_view {
  size_t fields;
  int headers_done;
  uint64_t body;
};

static int srv_on_header(nghttp2_session *s, const nghttp2_frame *frame,
                         const uint8_t *name, size_t namelen,
                         const uint8_t *value, size_t valuelen, uint8_t flags,
                         void *ud) {
  (void)s;
  (void)frame;
  (void)name;
  (void)namelen;
  (void)value;
  (void)valuelen;
  (void)flags;
  ((struct server_view *)ud)->fields++;
  return 0;
}

static int srv_on_frame(nghttp2_session *s, const nghttp2_frame *frame,
                        void *ud) {
  (void)s;
  if (frame->hd.type == NGHTTP2_HEADERS && frame->hd.stream_id == 1)
    ((struct server_view *)ud)->headers_done = 1;
  return 0;
}

static int srv_on_data(nghttp2_session *s, uint8_t flags, int32_t stream_id,
                       const uint8_t *data, size_t len, void *ud) {
  (void)s;
  (void)flags;
  (void)stream_id;
  (void)data;
  ((struct server_view *)ud)->body += len;
  return 0;
}

/* Anything the server finds invalid is a request we should not send. */
static int srv_on_invalid_frame(nghttp2_session *s, const nghttp2_frame *frame,
                                int lib_error_code, void *ud) {
  (void)s;
  (void)frame;
  (void)lib_error_code;
  (void)ud;
  abort();
}

static int srv_on_invalid_header(nghttp2_session *s, const nghttp2_frame *frame,
                                 const uint8_t *name, size_t namelen,
                                 const uint8_t *value, size_t valuelen,
                                 uint8_t flags, void *ud) {
  (void)s;
  (void)frame;
  (void)name;
  (void)namelen;
  (void)value;
  (void)valuelen;
  (void)flags;
  (void)ud;
  abort();
}

static int srv_on_close(nghttp2_session *s, int32_t stream_id,
                        uint32_t error_code, void *ud) {
  (void)s;
  (void)stream_id;
  (void)ud;
  if (error_code != NGHTTP2_NO_ERROR)
    abort();
  return 0;
}

struct body_src {
  uint64_t left;
};

static ssize_t body_read(nghttp2_session *s, int32_t stream_id, uint8_t *buf,
                         size_t length, uint32_t *data_flags,
                         nghttp2_data_source *source, void *ud) {
  (void)s;
  (void)stream_id;
  (void)ud;
  struct body_src *b = source->ptr;
  size_t n = b->left < length ? (size_t)b->left : length;
  memset(buf, 'x', n);
  b->left -= n;
  if (b->left == 0)
    *data_flags |= NGHTTP2_DATA_FLAG_EOF;
  return (ssize_t)n;
}

static void server_takes(const struct hr_h2_fields *f, uint64_t body_bytes,
                         int has_body) {
  nghttp2_session_callbacks *cbs = NULL;
  nghttp2_session *client = NULL, *server = NULL;
  struct server_view view = {0};
  if (nghttp2_session_callbacks_new(&cbs) != 0)
    abort();
  if (nghttp2_session_client_new(&client, cbs, NULL) != 0)
    abort();
  nghttp2_session_callbacks_set_on_header_callback(cbs, srv_on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, srv_on_frame);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, srv_on_data);
  nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(
      cbs, srv_on_invalid_frame);
  nghttp2_session_callbacks_set_on_invalid_header_callback(
      cbs, srv_on_invalid_header);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, srv_on_close);
  if (nghttp2_session_server_new(&server, cbs, &view) != 0)
    abort();
  struct body_src src = {body_bytes};
  nghttp2_data_provider body = {.source.ptr = &src, .read_callback = body_read};
  if (nghttp2_submit_settings(client, NGHTTP2_FLAG_NONE, NULL, 0) != 0 ||
      nghttp2_submit_request(client, NULL, f->nva, f->count,
                             has_body ? &body : NULL, NULL) != 1)
    abort();
  for (int turns = 0; turns < 1000; turns++) {
    const uint8_t *out = NULL;
    ssize_t n = nghttp2_session_mem_send(client, &out);
    if (n < 0)
      abort();
    if (n == 0)
      break;
    if (nghttp2_session_mem_recv(server, out, (size_t)n) != n)
      abort();
  }
  if (!view.headers_done || view.fields != f->count || view.body != body_bytes)
    abort();
  nghttp2_session_del(server);
  nghttp2_session_del(client);
  nghttp2_session_callbacks_del(cbs);
}

/* ---- one run ------------------------------------------------------------- */

static long read_nothing(void *buf, size_t cap, void *ud) {
  (void)buf;
  (void)cap;
  (void)ud;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2 || size > INPUT_CAP)
    return 0;
  int body_kind = data[0] & 3;
  size_t body_len = data[1];
  struct input in;
  split_lines(&in, data + 2, size - 2);
  struct hr_url url;
  httpr_error err = {0};
  const char *method = in.count > 0 ? in.lines[0] : "GET";
  if (in.count < 2 || hr_url_parse(in.lines[1], &url, &err) != HTTPR_OK) {
    if (hr_url_parse(DEFAULT_URL, &url, &err) != HTTPR_OK)
      abort();
  }
  struct hr_headers headers = {0};
  for (size_t i = 2; i < in.count; i++) {
    char *colon = strchr(in.lines[i], ':');
    const char *name = in.lines[i], *value = "";
    size_t nlen = strlen(name);
    if (colon) {
      nlen = (size_t)(colon - name);
      value = colon + 1;
    }
    if (hr_headers_add(&headers, name, nlen, value, strlen(value)) != 0)
      abort();
  }
  struct hr_h2_request rq = {
      .method = method, .url = &url, .headers = &headers};
  int64_t length = -1;
  if (body_kind == 1) {
    rq.has_body = 1;
    rq.body = "";
    rq.body_len = body_len;
    length = (int64_t)body_len;
  } else if (body_kind >= 2) {
    rq.has_body = 1;
    rq.read_cb = read_nothing;
    rq.read_len = body_kind == 2 ? (int64_t)body_len : -1;
    length = rq.read_len;
  }
  struct hr_h2_fields f;
  httpr_code rc = hr_h2_fields_build(&f, &rq, &err);
  if (rc != HTTPR_OK) {
    if (rc != HTTPR_E_INVALID || err.message[0] == '\0' || f.nva)
      abort();
  } else {
    check_fields(&f, &rq, length);
    const char *host = hr_headers_get(&headers, "Host", 0);
    if (strcmp(method, "CONNECT") != 0 && (!host || is_authority(host)))
      server_takes(&f, length > 0 ? (uint64_t)length : 0, rq.has_body);
    hr_h2_fields_free(&f);
  }
  hr_headers_free(&headers);
  hr_url_free(&url);
  free(in.text);
  return 0;
}
