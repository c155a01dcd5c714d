/* SPDX-License-Identifier: MIT */
/*
 * no_proxy.c - matching a host against a NO_PROXY list (no_proxy.h):
 * names by suffix on a label boundary, addresses by prefix bits.
 */
#include "protocol/no_proxy.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* An entry longer than this cannot name a host (253 bytes at most, an
 * address with its prefix far less). */
#define ENTRY_MAX 256

/* An address as bytes: 4 for IPv4, 16 for IPv6, 0 when text is none. */
static size_t parse_address(const char *text, unsigned char out[16]) {
  if (inet_pton(AF_INET, text, out) == 1)
    return 4;
  if (inet_pton(AF_INET6, text, out) == 1)
    return 16;
  return 0;
}

/* Whether the first bits of a and b are equal. */
static int same_prefix(const unsigned char *a, const unsigned char *b,
                       unsigned bits) {
  size_t whole = bits / 8;
  if (memcmp(a, b, whole) != 0)
    return 0;
  unsigned rest = bits % 8;
  if (!rest)
    return 1;
  unsigned char mask = (unsigned char)(0xff << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

/* entry (an address, maybe with /bits) against the host's address. */
static int address_matches(char *entry, const unsigned char *host,
                           size_t host_len) {
  char *slash = strchr(entry, '/');
  unsigned bits = (unsigned)host_len * 8;
  if (slash) {
    char *end;
    long b = strtol(slash + 1, &end, 10);
    if (end == slash + 1 || *end || b < 0 || b > (long)bits)
      return 0;
    bits = (unsigned)b;
    *slash = '\0';
  }
  unsigned char want[16];
  size_t len = parse_address(entry, want);
  if (slash)
    *slash = '/';
  return len == host_len && same_prefix(want, host, bits);
}

/* entry (a name, maybe with a leading dot) against the host name. */
static int name_matches(const char *entry, const char *host, size_t len) {
  if (entry[0] == '.')
    entry++;
  size_t elen = strlen(entry);
  while (elen && entry[elen - 1] == '.')
    elen--;
  if (!elen || elen > len)
    return 0;
  if (strncasecmp(host + len - elen, entry, elen) != 0)
    return 0;
  return elen == len || host[len - elen - 1] == '.';
}

int hr_no_proxy_match(const char *list, const char *host, char *entry,
                      size_t cap) {
  if (!list || !host)
    return 0;
  size_t hlen = strlen(host);
  while (hlen && host[hlen - 1] == '.')
    hlen--;
  unsigned char addr[16];
  char bare[ENTRY_MAX];
  size_t addr_len = 0;
  if (hlen < sizeof(bare)) {
    memcpy(bare, host, hlen);
    bare[hlen] = '\0';
    addr_len = parse_address(bare, addr);
  }
  static const char separators[] = ", \t";
  for (const char *at = list + strspn(list, separators); *at;
       at += strspn(at, separators)) {
    size_t len = strcspn(at, separators);
    char one[ENTRY_MAX];
    int matched = 0;
    if (len < sizeof(one)) {
      memcpy(one, at, len);
      one[len] = '\0';
      if (strcmp(one, "*") == 0)
        matched = 1;
      else if (addr_len)
        matched = address_matches(one, addr, addr_len);
      else
        matched = name_matches(one, host, hlen);
    }
    if (matched) {
      snprintf(entry, cap, "%s", one);
      return 1;
    }
    at += len;
  }
  return 0;
}
