/* SPDX-License-Identifier: MIT */
/*
 * identity.h - matching a host name or IP address against a certificate's
 * subject alternative names, one set of rules for every provider:
 * DNS names compare without regard to case, a wildcard is only a whole
 * leftmost label ("*.example.com") matching exactly one label and never an
 * IP address or a public-suffix-like two-label name ("*.com"); IP
 * addresses match iPAddress SANs byte for byte; the subject CN is never
 * used (every certificate a modern CA issues has SANs).
 * Providers whose TLS library lacks a check (IP identities in mbedTLS 2.28)
 * use these on the peer certificate's SANs.
 */
#ifndef HTTPR_IDENTITY_H
#define HTTPR_IDENTITY_H

#include <stddef.h>

/* Parses an IPv4 or IPv6 literal (no brackets) into addr; returns its
 * length (4 or 16), or 0 when host is not an IP literal. addr may be NULL
 * to only ask the question. */
size_t hr_ip_literal(const char *host, unsigned char addr[16]);

/* 1 when the DNS SAN pattern (possibly "*.x.y") matches host, else 0.
 * pattern is pattern_len bytes, not NUL-terminated (SANs are bytes). */
int hr_identity_match_dns(const char *host, const char *pattern,
                          size_t pattern_len);

/* The leaf's names, as a provider extracts them. */
struct hr_peer_names {
  const char *const *dns; /* DNS SANs (bytes; lengths in dns_len) */
  const size_t *dns_len;
  size_t dns_count;
  const unsigned char *const *ip; /* iPAddress SANs, 4 or 16 bytes each */
  const size_t *ip_len;
  size_t ip_count;
};

/* 1 when host (a DNS name or an IP literal) is one of the names. */
int hr_identity_check(const char *host, const struct hr_peer_names *names);

#endif
