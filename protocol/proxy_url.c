/* SPDX-License-Identifier: MIT */
/*
 * proxy_url.c - parsing a proxy's URL (proxy_url.h). The host and port
 * are checked by url.c's parser, so a proxy's host obeys the same rules
 * as an origin's; this file adds the scheme, the credentials and the
 * proxy's default port.
 */
#include "protocol/proxy_url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backends/base64.h"
#include "common/wipe.h"
#include "protocol/url.h"

/* Longest user:password accepted, decoded. */
#define CREDENTIALS_MAX 1024

static int has_control(const char *s) {
  for (; *s; s++) {
    if ((unsigned char)*s < 0x20 || *s == 0x7f)
      return 1;
  }
  return 0;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Percent-decodes s[0..len) into out (cap bytes); the length, or -1 for a
 * bad escape, a decoded control byte or too long a result. */
static long percent_decode(const char *s, size_t len, char *out, size_t cap) {
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    int c = (unsigned char)s[i];
    if (c == '%') {
      if (i + 2 >= len)
        return -1;
      int hi = hex_value(s[i + 1]);
      int lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0)
        return -1;
      c = hi * 16 + lo;
      i += 2;
    }
    if (c < 0x20 || c == 0x7f || n + 1 >= cap)
      return -1;
    out[n++] = (char)c;
  }
  out[n] = '\0';
  return (long)n;
}

/* "Basic base64(credentials)" (malloc'd), or NULL when out of memory. */
static char *basic_value(const char *credentials, size_t len) {
  char *v = malloc(6 + HR_BASE64_ENCODED_SIZE(len));
  if (v) {
    memcpy(v, "Basic ", 6);
    hr_base64_encode((const unsigned char *)credentials, len, v + 6);
  }
  return v;
}

static httpr_code parse_scheme(const char **at, struct hr_proxy *out,
                               httpr_error *err) {
  const char *sep = strstr(*at, "://");
  if (!sep) {
    out->kind = HR_PROXY_HTTP; /* "host:port" is an HTTP proxy, as curl */
    return HTTPR_OK;
  }
  size_t len = (size_t)(sep - *at);
  static const struct {
    const char *name;
    enum hr_proxy_kind kind;
  } schemes[] = {{"http", HR_PROXY_HTTP},
                 {"https", HR_PROXY_HTTPS},
                 {"socks5", HR_PROXY_SOCKS5},
                 {"socks5h", HR_PROXY_SOCKS5H}};
  for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
    if (strlen(schemes[i].name) == len &&
        strncasecmp(*at, schemes[i].name, len) == 0) {
      out->kind = schemes[i].kind;
      *at = sep + 3;
      return HTTPR_OK;
    }
  }
  return hr_fail(err, HTTPR_E_UNSUPPORTED_PROTOCOL,
                 "unsupported proxy scheme '%.*s'", (int)(len > 16 ? 16 : len),
                 *at);
}

/* The host and port of authority[0..len), through url.c's parser. */
static httpr_code parse_host(const char *authority, size_t len,
                             struct hr_proxy *out, httpr_error *err) {
  char *url = malloc(len + 9);
  if (!url)
    return hr_nomem(err);
  snprintf(url, len + 9, "http://%.*s", (int)len, authority);
  struct hr_url u;
  httpr_code rc = hr_url_parse(url, &u, err);
  free(url);
  if (rc != HTTPR_OK) {
    if (rc == HTTPR_E_NOMEM)
      return rc;
    char why[sizeof(err->message)];
    snprintf(why, sizeof(why), "%s", err->message); /* hr_fail rewrites it */
    return hr_fail(err, HTTPR_E_URL, "malformed proxy URL: %s", why);
  }
  out->host = u.host;
  u.host = NULL;
  out->port = u.port_explicit ? u.port : 1080;
  hr_url_free(&u);
  return HTTPR_OK;
}

static void free_credentials(struct hr_proxy *p) {
  hr_wipe_free_string(p->authorization);
  hr_wipe_free_string(p->user);
  hr_wipe_free_string(p->password);
  p->authorization = p->user = p->password = NULL;
}

/* text[0..len) into out (cap bytes), percent-decoded when encoded: its
 * length, or -1 (a bad escape, a decoded control byte, too long). */
static long credential_part(const char *text, size_t len, int encoded,
                            char *out, size_t cap) {
  if (encoded)
    return percent_decode(text, len, out, cap);
  if (len >= cap)
    return -1;
  memcpy(out, text, len);
  out[len] = '\0';
  return (long)len;
}

/* "user[:password]": split at the first ':' before decoding, so that an
 * encoded %3A belongs to the user name (a SOCKS5 proxy gets the two
 * apart); Basic gets them joined again. */
static httpr_code set_credentials(struct hr_proxy *out, const char *text,
                                  size_t len, int encoded, httpr_error *err) {
  char plain[CREDENTIALS_MAX];
  const char *colon = memchr(text, ':', len);
  size_t user_len = colon ? (size_t)(colon - text) : len;
  long n = credential_part(text, user_len, encoded, plain, sizeof(plain));
  long user_n = n;
  if (n >= 0 && colon) {
    plain[n] = ':';
    long pn = credential_part(colon + 1, len - user_len - 1, encoded,
                              plain + n + 1, sizeof(plain) - (size_t)n - 1);
    n = pn < 0 ? -1 : n + 1 + pn;
  }
  if (n < 0) {
    hr_wipe(plain, sizeof(plain));
    return hr_fail(err, HTTPR_E_URL,
                   "malformed proxy credentials (bad escape, control byte "
                   "or over %d bytes)",
                   CREDENTIALS_MAX - 1);
  }
  free_credentials(out);
  out->authorization = basic_value(plain, (size_t)n);
  out->user = strndup(plain, (size_t)user_n);
  out->password = strdup(colon ? plain + user_n + 1 : "");
  hr_wipe(plain, sizeof(plain));
  return out->authorization && out->user && out->password ? HTTPR_OK
                                                          : hr_nomem(err);
}

httpr_code hr_proxy_parse(const char *text, const char *user_password,
                          struct hr_proxy *out, httpr_error *err) {
  memset(out, 0, sizeof(*out));
  if (!text || !text[0] || has_control(text) ||
      (user_password && has_control(user_password)))
    return hr_fail(err, HTTPR_E_URL,
                   "malformed proxy URL: empty, or a control byte in it");
  const char *at = text;
  httpr_code rc = parse_scheme(&at, out, err);
  if (rc != HTTPR_OK)
    return rc;
  size_t len = strcspn(at, "/?#");
  if (at[len] && strcmp(at + len, "/") != 0)
    return hr_fail(err, HTTPR_E_URL,
                   "malformed proxy URL: a path, query or fragment in it");
  const char *host = at;
  const char *user_end = memchr(at, '@', len);
  for (const char *p = user_end; p && p < at + len; p++)
    if (*p == '@')
      user_end = p; /* the last '@': a password may hold one, escaped */
  if (user_end) {
    host = user_end + 1;
    rc = set_credentials(out, at, (size_t)(user_end - at), 1, err);
  }
  if (rc == HTTPR_OK && user_password)
    rc = set_credentials(out, user_password, strlen(user_password), 0, err);
  if (rc == HTTPR_OK)
    rc = parse_host(host, (size_t)(at + len - host), out, err);
  if (rc != HTTPR_OK)
    hr_proxy_free(out);
  return rc;
}

void hr_proxy_free(struct hr_proxy *p) {
  if (!p)
    return;
  free(p->host);
  p->host = NULL;
  free_credentials(p);
}

int hr_proxy_name(const struct hr_proxy *p, char *out, size_t cap) {
  static const char *const schemes[] = {"http", "https", "socks5", "socks5h"};
  int ipv6 = strchr(p->host, ':') != NULL;
  int n = snprintf(out, cap, "%s://%s%s%s:%d", schemes[p->kind],
                   ipv6 ? "[" : "", p->host, ipv6 ? "]" : "", p->port);
  return n < 0 || (size_t)n >= cap ? -1 : 0;
}
