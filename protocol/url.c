/* SPDX-License-Identifier: MIT */
/*
 * url.c - parsing http:// and https:// URLs into struct hr_url and
 * resolving redirect targets against them (RFC 3986 section 5). Pure
 * string work: it never resolves a name or opens a connection.
 */
#include "protocol/url.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"

/* Longer URLs are refused: no server needs them and they bound the work. */
#define URL_MAX_LEN 8192

/* A URL split into RFC 3986 components, each a (pointer, length) view of
 * the input; a NULL pointer means the component is absent. */
struct url_parts {
  const char *scheme;
  size_t scheme_len;
  const char *authority;
  size_t authority_len;
  const char *path;
  size_t path_len;
  const char *query; /* without the '?' */
  size_t query_len;
};

static int is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

static int is_host_char(char c) {
  return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_';
}

static int is_scheme_char(char c) {
  return is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.';
}

/* Every byte must be printable ASCII: a space, CR or LF in a URL would let
 * it split the request line or smuggle a header. */
static int has_bad_byte(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c <= 0x20 || c >= 0x7f)
      return 1;
  }
  return 0;
}

static int bytes_caseeq(const char *a, size_t alen, const char *b) {
  size_t blen = strlen(b);
  if (alen != blen)
    return 0;
  for (size_t i = 0; i < alen; i++) {
    if (to_lower(a[i]) != b[i])
      return 0;
  }
  return 1;
}

/* Length of a leading "scheme:" (without the colon), 0 when s has none. */
static size_t scheme_length(const char *s, size_t len) {
  if (len == 0 || !is_alpha(s[0]))
    return 0;
  size_t i = 1;
  while (i < len && is_scheme_char(s[i]))
    i++;
  return (i < len && s[i] == ':') ? i : 0;
}

/* RFC 3986 appendix B, without the fragment (it never reaches the wire). */
static void split_parts(const char *s, size_t len, struct url_parts *p) {
  memset(p, 0, sizeof(*p));
  size_t i = scheme_length(s, len);
  if (i > 0) {
    p->scheme = s;
    p->scheme_len = i;
    i++;
  }
  if (len - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
    i += 2;
    p->authority = s + i;
    while (i < len && s[i] != '/' && s[i] != '?' && s[i] != '#')
      i++;
    p->authority_len = (size_t)(s + i - p->authority);
  }
  p->path = s + i;
  while (i < len && s[i] != '?' && s[i] != '#')
    i++;
  p->path_len = (size_t)(s + i - p->path);
  if (i < len && s[i] == '?') {
    p->query = s + ++i;
    while (i < len && s[i] != '#')
      i++;
    p->query_len = (size_t)(s + i - p->query);
  }
}

static httpr_code parse_scheme(const struct url_parts *p, struct hr_url *out,
                               httpr_error *err) {
  if (!p->scheme || !p->authority)
    return hr_fail(err, HTTPR_E_URL, "URL lacks scheme://");
  if (bytes_caseeq(p->scheme, p->scheme_len, "https"))
    out->https = 1;
  else if (!bytes_caseeq(p->scheme, p->scheme_len, "http"))
    return hr_fail(err, HTTPR_E_UNSUPPORTED_PROTOCOL,
                   "protocol '%.*s' is not supported",
                   (int)(p->scheme_len > 32 ? 32 : p->scheme_len), p->scheme);
  return HTTPR_OK;
}

static httpr_code parse_port(const char *s, size_t len, struct hr_url *out,
                             httpr_error *err) {
  long port = 0;
  if (len == 0)
    return hr_fail(err, HTTPR_E_URL, "URL has an empty port");
  for (size_t i = 0; i < len; i++) {
    if (!is_digit(s[i]))
      return hr_fail(err, HTTPR_E_URL, "URL port is not a number");
    port = port * 10 + (s[i] - '0');
    if (port > 65535)
      return hr_fail(err, HTTPR_E_URL, "URL port is over 65535");
  }
  if (port == 0)
    return hr_fail(err, HTTPR_E_URL, "URL port 0 is not allowed");
  out->port = (int)port;
  out->port_explicit = 1;
  return HTTPR_OK;
}

static char *lower_dup(const char *s, size_t len) {
  char *d = malloc(len + 1);
  if (!d)
    return NULL;
  for (size_t i = 0; i < len; i++)
    d[i] = to_lower(s[i]);
  d[len] = '\0';
  return d;
}

/* "[v6]" at the start of the authority; sets *end past the ']'. Zone ids
 * ("%25eth0") are refused: inet_pton does not take them and a scoped
 * address has no meaning in a Host header. */
static httpr_code parse_ipv6(const char *a, size_t len, size_t *end,
                             struct hr_url *out, httpr_error *err) {
  const char *close = memchr(a, ']', len);
  if (!close)
    return hr_fail(err, HTTPR_E_URL, "URL has an unbalanced '[' in the host");
  size_t n = (size_t)(close - a - 1);
  char lit[INET6_ADDRSTRLEN + 1];
  struct in6_addr addr;
  if (n == 0 || n >= sizeof(lit))
    return hr_fail(err, HTTPR_E_URL, "URL has an invalid IPv6 address");
  memcpy(lit, a + 1, n);
  lit[n] = '\0';
  if (inet_pton(AF_INET6, lit, &addr) != 1)
    return hr_fail(err, HTTPR_E_URL, "URL has an invalid IPv6 address");
  out->host = lower_dup(lit, n);
  if (!out->host)
    return hr_nomem(err);
  out->host_is_ipv6 = 1;
  *end = n + 2;
  return HTTPR_OK;
}

static httpr_code parse_name(const char *a, size_t len, size_t *end,
                             struct hr_url *out, httpr_error *err) {
  size_t n = 0;
  while (n < len && a[n] != ':') {
    if (!is_host_char(a[n]))
      return hr_fail(err, HTTPR_E_URL, "URL host holds '%c'", a[n]);
    n++;
  }
  if (n == 0)
    return hr_fail(err, HTTPR_E_URL, "URL has an empty host");
  /* No DNS name starts with a dot, and OpenSSL's host check would read
   * ".example.com" as "any name under example.com" (X509_check_host),
   * while every other provider matches it as written: found by
   * tests/fuzz/fuzz_identity.c. */
  if (a[0] == '.')
    return hr_fail(err, HTTPR_E_URL, "URL host starts with '.'");
  out->host = lower_dup(a, n);
  if (!out->host)
    return hr_nomem(err);
  *end = n;
  return HTTPR_OK;
}

static httpr_code parse_authority(const char *a, size_t len, struct hr_url *out,
                                  httpr_error *err) {
  if (memchr(a, '@', len))
    return hr_fail(err, HTTPR_E_URL,
                   "URL holds user information, which is not supported");
  if (len == 0)
    return hr_fail(err, HTTPR_E_URL, "URL has an empty host");
  size_t end = 0;
  httpr_code rc = a[0] == '[' ? parse_ipv6(a, len, &end, out, err)
                              : parse_name(a, len, &end, out, err);
  if (rc != HTTPR_OK)
    return rc;
  out->port = out->https ? 443 : 80;
  if (end == len)
    return HTTPR_OK;
  if (a[end] != ':')
    return hr_fail(err, HTTPR_E_URL, "URL has junk after the IPv6 address");
  return parse_port(a + end + 1, len - end - 1, out, err);
}

static httpr_code make_target(const struct url_parts *p, struct hr_url *out,
                              httpr_error *err) {
  struct hr_buf b = {0};
  int fail = p->path_len ? hr_buf_append(&b, p->path, p->path_len)
                         : hr_buf_append(&b, "/", 1);
  if (!fail && p->query) {
    fail =
        hr_buf_append(&b, "?", 1) || hr_buf_append(&b, p->query, p->query_len);
  }
  if (fail) {
    hr_buf_free(&b);
    return hr_nomem(err);
  }
  out->target = hr_buf_take(&b, NULL);
  return out->target ? HTTPR_OK : hr_nomem(err);
}

httpr_code hr_url_parse(const char *s, struct hr_url *out, httpr_error *err) {
  httpr_error scratch;
  struct url_parts p;
  if (!err)
    err = &scratch;
  memset(out, 0, sizeof(*out));
  size_t len = s ? strnlen(s, URL_MAX_LEN + 1) : 0;
  if (len == 0)
    return hr_fail(err, HTTPR_E_URL, "URL is empty");
  if (len > URL_MAX_LEN)
    return hr_fail(err, HTTPR_E_URL, "URL is longer than %d bytes",
                   URL_MAX_LEN);
  if (has_bad_byte(s, len))
    return hr_fail(err, HTTPR_E_URL,
                   "URL holds a space, control or non-ASCII byte");
  split_parts(s, len, &p);
  httpr_code rc = parse_scheme(&p, out, err);
  if (rc == HTTPR_OK)
    rc = parse_authority(p.authority, p.authority_len, out, err);
  if (rc == HTTPR_OK)
    rc = make_target(&p, out, err);
  if (rc != HTTPR_OK)
    hr_url_free(out);
  return rc;
}

void hr_url_free(struct hr_url *u) {
  if (!u)
    return;
  free(u->host);
  free(u->target);
  memset(u, 0, sizeof(*u));
}

/* Removes the last segment and the '/' before it, never going below
 * start (the bytes before the path). */
static void drop_last_segment(struct hr_buf *out, size_t start) {
  while (out->len > start && out->data[out->len - 1] != '/')
    out->len--;
  if (out->len > start)
    out->len--;
  if (out->data)
    out->data[out->len] = '\0';
}

/* RFC 3986 5.2.4. Works on a NUL-terminated copy so "/." and "/.." can be
 * turned into "/" in place; appends the result to out. */
static int remove_dot_segments(struct hr_buf *out, const char *path,
                               size_t len) {
  char *in = malloc(len + 1);
  if (!in)
    return -1;
  memcpy(in, path, len);
  in[len] = '\0';
  size_t start = out->len; /* never remove what the caller put before */
  char *s = in;
  int fail = 0;
  while (*s && !fail) {
    if (!strncmp(s, "../", 3)) {
      s += 3;
    } else if (!strncmp(s, "./", 2) || !strncmp(s, "/./", 3)) {
      s += 2;
    } else if (!strcmp(s, "/.")) {
      s[1] = '\0';
    } else if (!strncmp(s, "/../", 4)) {
      s += 3;
      drop_last_segment(out, start);
    } else if (!strcmp(s, "/..")) {
      s += 2;
      *s = '/';
      drop_last_segment(out, start);
    } else if (!strcmp(s, ".") || !strcmp(s, "..")) {
      s += strlen(s);
    } else {
      size_t n = 1 + strcspn(s + 1, "/");
      if (s[0] != '/')
        n = strcspn(s, "/");
      fail = hr_buf_append(out, s, n);
      s += n;
    }
  }
  free(in);
  return fail;
}

/* RFC 3986 5.2.3 for a base that always has an authority. */
static int merge_paths(struct hr_buf *out, const char *base_path,
                       size_t base_len, const char *ref, size_t ref_len) {
  struct hr_buf merged = {0};
  const char *slash = NULL;
  for (size_t i = 0; i < base_len; i++) {
    if (base_path[i] == '/')
      slash = base_path + i;
  }
  int fail =
      slash ? hr_buf_append(&merged, base_path, (size_t)(slash - base_path) + 1)
            : hr_buf_append(&merged, "/", 1);
  fail = fail || hr_buf_append(&merged, ref, ref_len);
  fail = fail || remove_dot_segments(out, merged.data, merged.len);
  hr_buf_free(&merged);
  return fail;
}

static int append_authority(struct hr_buf *b, const struct hr_url *u) {
  if (u->host_is_ipv6)
    return hr_buf_appendf(b, "[%s]", u->host);
  return hr_buf_append_str(b, u->host);
}

/* The base's own authority, with its port exactly as explicit as it was. */
static int append_base_authority(struct hr_buf *b, const struct hr_url *u) {
  if (append_authority(b, u))
    return -1;
  return u->port_explicit ? hr_buf_appendf(b, ":%d", u->port) : 0;
}

static int append_query(struct hr_buf *b, const char *q, size_t len) {
  if (!q)
    return 0;
  return hr_buf_append(b, "?", 1) || hr_buf_append(b, q, len);
}

/* The path and query part of RFC 3986 5.2.2 when ref has neither scheme
 * nor authority. */
static int resolve_relative(struct hr_buf *b, const struct url_parts *base,
                            const struct url_parts *ref) {
  if (ref->path_len == 0) {
    if (hr_buf_append(b, base->path, base->path_len))
      return -1;
    return ref->query ? append_query(b, ref->query, ref->query_len)
                      : append_query(b, base->query, base->query_len);
  }
  int fail = ref->path[0] == '/'
                 ? remove_dot_segments(b, ref->path, ref->path_len)
                 : merge_paths(b, base->path, base->path_len, ref->path,
                               ref->path_len);
  return fail || append_query(b, ref->query, ref->query_len);
}

/* Composes the target URI of RFC 3986 5.2.2 and 5.3 as a string. */
static int compose(struct hr_buf *b, const struct hr_url *base, const char *ref,
                   size_t len) {
  struct url_parts r, bp;
  split_parts(ref, len, &r);
  if (r.scheme) {
    return hr_buf_append(b, r.scheme, r.scheme_len) ||
           hr_buf_append(b, ":", 1) ||
           (r.authority && (hr_buf_append(b, "//", 2) ||
                            hr_buf_append(b, r.authority, r.authority_len))) ||
           remove_dot_segments(b, r.path, r.path_len) ||
           append_query(b, r.query, r.query_len);
  }
  if (hr_buf_append_str(b, base->https ? "https://" : "http://"))
    return -1;
  if (r.authority) {
    return hr_buf_append(b, r.authority, r.authority_len) ||
           remove_dot_segments(b, r.path, r.path_len) ||
           append_query(b, r.query, r.query_len);
  }
  if (append_base_authority(b, base))
    return -1;
  /* The base target is "path[?query]" with no scheme, so split_parts
   * finds no scheme in it as long as its path starts with '/'. */
  split_parts(base->target, strlen(base->target), &bp);
  return resolve_relative(b, &bp, &r);
}

httpr_code hr_url_resolve(const struct hr_url *base, const char *ref,
                          struct hr_url *out, httpr_error *err) {
  httpr_error scratch;
  if (!err)
    err = &scratch;
  memset(out, 0, sizeof(*out));
  if (!base || !base->host || !base->target || !ref)
    return hr_fail(err, HTTPR_E_URL, "no URL to resolve");
  size_t len = strnlen(ref, URL_MAX_LEN + 1);
  if (len > URL_MAX_LEN)
    return hr_fail(err, HTTPR_E_URL, "URL is longer than %d bytes",
                   URL_MAX_LEN);
  /* Checked here too because the fragment, dropped below, is never seen
   * by hr_url_parse. */
  if (has_bad_byte(ref, len))
    return hr_fail(err, HTTPR_E_URL,
                   "URL holds a space, control or non-ASCII byte");
  struct hr_buf b = {0};
  if (compose(&b, base, ref, len) || hr_buf_reserve(&b, 0)) {
    hr_buf_free(&b);
    return hr_nomem(err);
  }
  httpr_code rc = hr_url_parse(b.data, out, err);
  hr_buf_free(&b);
  return rc;
}

static int default_port(const struct hr_url *u) { return u->https ? 443 : 80; }

char *hr_url_to_string(const struct hr_url *u) {
  struct hr_buf b = {0};
  int fail = hr_buf_append_str(&b, u->https ? "https://" : "http://") ||
             append_authority(&b, u) ||
             (u->port != default_port(u) &&
              (hr_buf_append(&b, ":", 1) ||
               hr_buf_append_uint(&b, (unsigned)u->port, 10))) ||
             hr_buf_append_str(&b, u->target ? u->target : "/");
  if (fail) {
    hr_buf_free(&b);
    return NULL;
  }
  return hr_buf_take(&b, NULL);
}

size_t hr_url_authority(const struct hr_url *u, char *out, size_t cap) {
  /* Built by hand: it runs for every request, where printf is costly. */
  char port[20];
  size_t plen = 0;
  if (u->port != default_port(u))
    plen = hr_format_uint(port, (unsigned)u->port, 10);
  size_t hlen = strlen(u->host), brackets = u->host_is_ipv6 ? 2 : 0;
  size_t n = hlen + brackets + (plen ? plen + 1 : 0);
  if (n >= cap) {
    if (cap)
      out[0] = '\0';
    return 0;
  }
  char *p = out;
  if (brackets)
    *p++ = '[';
  memcpy(p, u->host, hlen);
  p += hlen;
  if (brackets)
    *p++ = ']';
  if (plen) {
    *p++ = ':';
    memcpy(p, port, plen);
    p += plen;
  }
  *p = '\0';
  return n;
}

int hr_url_same_origin(const struct hr_url *a, const struct hr_url *b) {
  return a->https == b->https && a->port == b->port &&
         strcmp(a->host, b->host) == 0;
}

httpr_code hr_url_copy(struct hr_url *dst, const struct hr_url *src,
                       httpr_error *err) {
  httpr_error scratch;
  if (!err)
    err = &scratch;
  *dst = *src;
  dst->host = src->host ? strdup(src->host) : NULL;
  dst->target = src->target ? strdup(src->target) : NULL;
  if ((src->host && !dst->host) || (src->target && !dst->target)) {
    hr_url_free(dst);
    return hr_nomem(err);
  }
  return HTTPR_OK;
}
