/* SPDX-License-Identifier: MIT */
/*
 * proxy_url.h - a proxy as configured ("http://[user:password@]host[:port]",
 * from httpr_config_set_proxy or a proxy variable): its parsed parts and
 * its credentials, as the Proxy-Authorization value an HTTP or HTTPS
 * proxy gets and as the user name and password a SOCKS5 proxy gets (RFC
 * 1929). Pure: no I/O. http://, https://, socks5:// and socks5h://
 * proxies are opened.
 */
#ifndef HTTPR_PROXY_URL_H
#define HTTPR_PROXY_URL_H

#include "common/error.h"

/* SOCKS5 resolves the origin's name here and sends its address;
 * SOCKS5H sends the name for the proxy to resolve. */
enum hr_proxy_kind {
  HR_PROXY_HTTP,
  HR_PROXY_HTTPS,
  HR_PROXY_SOCKS5,
  HR_PROXY_SOCKS5H
};

struct hr_proxy {
  enum hr_proxy_kind kind;
  char *host; /* lowercased; an IPv6 literal without brackets */
  int port;   /* given, else 1080 as curl */
  /* "Basic base64(user:password)" when credentials were given, else
   * NULL: sent as Proxy-Authorization, to the proxy alone. */
  char *authorization;
  /* The same credentials split at their first ':' (no ':': the password
   * is empty), for a SOCKS5 proxy; both NULL when none were given. */
  char *user, *password;
};

/* A SOCKS5 proxy is a plain TCP tunnel: every request goes through it to
 * its origin, http:// ones too, in origin form. */
static inline int hr_proxy_is_socks(const struct hr_proxy *p) {
  return p->kind == HR_PROXY_SOCKS5 || p->kind == HR_PROXY_SOCKS5H;
}

/* Parses text: a scheme (http, https, socks5, socks5h; none means
 * http, as curl), optional "user:password@" (percent-encoded as in a
 * URL), a host and an optional port; a path of "/" alone is allowed.
 * user_password, when not NULL, replaces the URL's credentials
 * ("user:password", taken as given). On success out owns its strings
 * (hr_proxy_free). HTTPR_E_URL for a malformed URL or CR, LF or other
 * control bytes in either string; HTTPR_E_UNSUPPORTED_PROTOCOL for
 * another scheme; HTTPR_E_NOMEM. */
httpr_code hr_proxy_parse(const char *text, const char *user_password,
                          struct hr_proxy *out, httpr_error *err);
void hr_proxy_free(struct hr_proxy *p);

/* "SCHEME://host:port" (brackets for IPv6) into out, for messages and
 * the pool key; 0, or -1 when it does not fit. */
int hr_proxy_name(const struct hr_proxy *p, char *out, size_t cap);

#endif
