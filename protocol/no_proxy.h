/* SPDX-License-Identifier: MIT */
/*
 * no_proxy.h - curl's NO_PROXY rules: which hosts are reached directly
 * though a proxy is set. Pure: strings in, an answer out, no lookups
 * (a name is never resolved to compare it with an address).
 */
#ifndef HTTPR_NO_PROXY_H
#define HTTPR_NO_PROXY_H

#include <stddef.h>

/* Whether host (as in a URL, lowercased, an IPv6 literal without
 * brackets) is matched by list, entries separated by commas and
 * blanks: an entry "*" matches every host; a name matches itself and its
 * subdomains, with or without a leading dot ("example.com" and
 * ".example.com" both match "www.example.com" and "example.com"),
 * without regard to case; an IP address matches that address, and
 * ADDRESS/BITS (CIDR) the addresses of that network. A host's
 * trailing dot is ignored. Returns 1 and copies the matching entry
 * into entry (cap bytes, truncated), or 0. */
int hr_no_proxy_match(const char *list, const char *host, char *entry,
                      size_t cap);

#endif
