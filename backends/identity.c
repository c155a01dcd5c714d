/* SPDX-License-Identifier: MIT */
/*
 * identity.c - the one set of host-name and IP-address matching rules
 * every provider follows (see identity.h). The rules mirror what OpenSSL's
 * X509_check_host does with X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS and
 * NEVER_CHECK_SUBJECT, so a provider whose library checks names itself and
 * one that relies on this file give the same answer.
 */
#include <arpa/inet.h>
#include <string.h>

#include "backends/identity.h"

size_t hr_ip_literal(const char *host, unsigned char addr[16]) {
  unsigned char tmp[16];
  unsigned char *dst = addr ? addr : tmp;
  if (!host)
    return 0;
  if (inet_pton(AF_INET, host, dst) == 1)
    return 4;
  if (inet_pton(AF_INET6, host, dst) == 1)
    return 16;
  return 0;
}

static unsigned char lower(unsigned char c) {
  return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static int equal_nocase(const char *a, const char *b, size_t len) {
  for (size_t i = 0; i < len; i++) {
    if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
      return 0;
  }
  return 1;
}

static int is_alnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z');
}

/* The part after "*." of a wildcard pattern must be a plain DNS name of at
 * least two labels: letters, digits and inner hyphens, no empty label.
 * Anything else ("*.com", "*.exa_mple.com", "*.example.com.") is not a
 * usable wildcard, as in OpenSSL. */
static int valid_wildcard_suffix(const char *s, size_t len) {
  size_t labels = 1, label_len = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '.') {
      if (label_len == 0 || s[i - 1] == '-')
        return 0;
      labels++;
      label_len = 0;
    } else if (is_alnum(c) || (c == '-' && label_len > 0)) {
      label_len++;
    } else {
      return 0;
    }
  }
  return label_len > 0 && s[len - 1] != '-' && labels >= 2;
}

/* host (host_len bytes) against "*.<suffix>": the wildcard stands for
 * exactly one non-empty label of letters, digits and hyphens. */
static int match_wildcard(const char *host, size_t host_len,
                          const char *pattern, size_t pattern_len) {
  const char *suffix = pattern + 1; /* ".example.com" */
  size_t suffix_len = pattern_len - 1;
  if (!valid_wildcard_suffix(suffix + 1, suffix_len - 1) ||
      host_len <= suffix_len)
    return 0;
  size_t first_len = host_len - suffix_len;
  for (size_t i = 0; i < first_len; i++) {
    if (!is_alnum((unsigned char)host[i]) && host[i] != '-')
      return 0;
  }
  return equal_nocase(host + first_len, suffix, suffix_len);
}

/* 1 when host[0..len) is an IP literal. */
static int is_ip_host(const char *host, size_t len) {
  char plain[64];
  if (len >= sizeof(plain))
    return 0; /* longer than any IPv6 literal */
  memcpy(plain, host, len);
  plain[len] = '\0';
  return hr_ip_literal(plain, NULL) != 0;
}

int hr_identity_match_dns(const char *host, const char *pattern,
                          size_t pattern_len) {
  if (!host || !pattern || pattern_len == 0 ||
      memchr(pattern, '\0', pattern_len))
    return 0;
  size_t host_len = strlen(host);
  if (host_len > 1 && host[host_len - 1] == '.')
    host_len--;
  /* An IP address is only ever matched against iPAddress SANs, and a host
   * holding '*' is no host name: neither can match a DNS pattern. */
  if (host_len == 0 || memchr(host, '*', host_len) ||
      is_ip_host(host, host_len))
    return 0;
  if (pattern_len >= 2 && pattern[0] == '*' && pattern[1] == '.')
    return match_wildcard(host, host_len, pattern, pattern_len);
  if (memchr(pattern, '*', pattern_len))
    return 0; /* partial or misplaced wildcards never match */
  return pattern_len == host_len && equal_nocase(host, pattern, host_len);
}

int hr_identity_check(const char *host, const struct hr_peer_names *names) {
  if (!host || !names)
    return 0;
  unsigned char addr[16];
  size_t alen = hr_ip_literal(host, addr);
  if (alen) {
    for (size_t i = 0; i < names->ip_count; i++) {
      if (names->ip_len[i] == alen && memcmp(names->ip[i], addr, alen) == 0)
        return 1;
    }
    return 0;
  }
  for (size_t i = 0; i < names->dns_count; i++) {
    if (hr_identity_match_dns(host, names->dns[i], names->dns_len[i]))
      return 1;
  }
  return 0;
}
