/* SPDX-License-Identifier: MIT */
/*
 * url.h - parsing http:// and https:// URLs and resolving redirect targets.
 * Pure: bytes in, struct out, no I/O and no name resolution.
 */
#ifndef HTTPR_URL_H
#define HTTPR_URL_H

#include "common/error.h"

struct hr_url {
  int https;       /* 1 for https, 0 for http */
  char *host;      /* lowercased; IPv6 literal without brackets */
  int host_is_ipv6;/* 1 when host came in brackets */
  int port;        /* explicit, else 443 / 80 */
  int port_explicit;
  char *target;    /* path and query as sent in the request line ("/" when
                      empty); the fragment is dropped */
};

/* Parses s. HTTPR_E_URL for: empty or over 8 KiB, no "scheme://", empty
 * host, userinfo ("user@host"), a bad port (not digits, 0, > 65535), an
 * unbalanced or invalid IPv6 literal, bytes <= 0x20 or >= 0x7f anywhere
 * (spaces, CR, LF, controls, non-ASCII) or a host with characters outside
 * letters, digits, '-', '.', '_', or starting with '.'.
 * HTTPR_E_UNSUPPORTED_PROTOCOL for a scheme other than http/https (matched
 * without regard to case). HTTPR_E_NOMEM.
 * On success out owns its strings (free with hr_url_free); on failure out is
 * left zeroed. */
httpr_code hr_url_parse(const char *s, struct hr_url *out, httpr_error *err);
void hr_url_free(struct hr_url *u);

/* Resolves a Location value against base (RFC 3986 section 5: absolute
 * URL, "//host/path", "/path", "relative", "?query"; dot segments
 * removed) and parses the result. Errors as hr_url_parse. */
httpr_code hr_url_resolve(const struct hr_url *base, const char *ref,
                          struct hr_url *out, httpr_error *err);

/* "https://host:port/target" (port only when not the scheme's default,
 * brackets around IPv6). malloc'd; NULL when out of memory. */
char *hr_url_to_string(const struct hr_url *u);

/* The Host header value: "host" or "host:port", brackets for IPv6.
 * Returns the length written, or 0 when it does not fit in cap. */
size_t hr_url_authority(const struct hr_url *u, char *out, size_t cap);

/* 1 when scheme, host and port are equal. */
int hr_url_same_origin(const struct hr_url *a, const struct hr_url *b);

/* Deep copy; HTTPR_OK or HTTPR_E_NOMEM. */
httpr_code hr_url_copy(struct hr_url *dst, const struct hr_url *src,
                       httpr_error *err);

#endif
