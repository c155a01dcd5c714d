/* SPDX-License-Identifier: MIT */
/*
 * fuzz_identity.c - libFuzzer target for the shared identity check
 * (backends/identity.c), differentially against OpenSSL: the same host
 * and the same subject alternative names must match in httpr exactly when
 * OpenSSL's X509_check_host (with X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS
 * and NEVER_CHECK_SUBJECT, as the OpenSSL provider asks) or, for an IP
 * literal, X509_check_ip match them in a certificate built here with
 * those SANs. The OpenSSL provider relies on OpenSSL's answer and mbedTLS
 * on ours, so any other disagreement is a bug (abort).
 *
 * Input: lines (LF-separated). The first is the host (cut at a NUL, as a
 * C string); each other line is a SAN: "@" and an IPv4 or IPv6 literal is
 * an iPAddress, anything else a dNSName of those bytes (NULs included).
 *
 * Intended differences, skipped (see backends/identity.h for the rules):
 *  - a trailing dot: httpr takes "host." as "host" (the same name in the
 *    DNS); OpenSSL compares the dot;
 *  - a leading dot: OpenSSL reads ".example.com" as "any name under
 *    example.com"; httpr matches it as written, and its URL parser
 *    refuses such a host, so no provider is ever asked;
 *  - an IP literal host is matched against iPAddress SANs only (both do
 *    that), but which strings are IP literals is httpr's inet_pton; hosts
 *    that OpenSSL would read as an IP and inet_pton does not are left out;
 *  - a host holding '*' is no host name for httpr and never matches;
 *    OpenSSL compares it as text to a pattern without a wildcard;
 *  - a host or pattern byte outside printable ASCII (0x21-0x7e): OpenSSL
 *    compares such bytes as text (and skips some patterns holding them),
 *    httpr compares without regard to ASCII case only; the URL parser
 *    lets no such host reach the check.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "backends/identity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_CAP 4096
#define MAX_SANS 16

static int printable(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x21 || c > 0x7e)
      return 0;
  }
  return 1;
}

/* A certificate with only the SANs (no key or signature is needed to ask
 * X509_check_host). */
static X509 *cert_with(GENERAL_NAMES *gens) {
  X509 *x = X509_new();
  if (!x || !X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, 0))
    abort();
  return x;
}

static GENERAL_NAME *dns_name(const char *p, size_t n) {
  GENERAL_NAME *g = GENERAL_NAME_new();
  ASN1_IA5STRING *s = ASN1_IA5STRING_new();
  if (!g || !s || !ASN1_STRING_set(s, p, (int)n))
    abort();
  GENERAL_NAME_set0_value(g, GEN_DNS, s);
  return g;
}

static GENERAL_NAME *ip_name(const unsigned char *addr, size_t n) {
  GENERAL_NAME *g = GENERAL_NAME_new();
  ASN1_OCTET_STRING *s = ASN1_OCTET_STRING_new();
  if (!g || !s || !ASN1_OCTET_STRING_set(s, addr, (int)n))
    abort();
  GENERAL_NAME_set0_value(g, GEN_IPADD, s);
  return g;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0 || size > INPUT_CAP)
    return 0;
  char *text = malloc(size + 1);
  if (!text)
    abort();
  memcpy(text, data, size);
  text[size] = '\0';
  char *end = text + size;
  char *nl = memchr(text, '\n', size);
  char *host = text;
  if (nl)
    *nl = '\0';
  size_t host_len = strlen(host);

  const char *dns[MAX_SANS];
  size_t dns_len[MAX_SANS];
  unsigned char ip_bytes[MAX_SANS][16];
  const unsigned char *ip[MAX_SANS];
  size_t ip_len[MAX_SANS];
  size_t dns_count = 0, ip_count = 0;
  int skip = !printable(host, host_len) || memchr(host, '*', host_len) ||
             host[0] == '.' || (host_len > 1 && host[host_len - 1] == '.');
  GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
  if (!gens)
    abort();
  for (char *p = nl ? nl + 1 : end;
       p < end && dns_count + ip_count < MAX_SANS;) {
    char *e = memchr(p, '\n', (size_t)(end - p));
    size_t n = (size_t)((e ? e : end) - p);
    if (e)
      *e = '\0';
    size_t alen = 0;
    if (n > 1 && p[0] == '@' && !memchr(p, '\0', n) &&
        (alen = hr_ip_literal(p + 1, ip_bytes[ip_count])) != 0) {
      ip[ip_count] = ip_bytes[ip_count];
      ip_len[ip_count] = alen;
      sk_GENERAL_NAME_push(gens, ip_name(ip_bytes[ip_count], alen));
      ip_count++;
    } else if (n > 0) {
      if (!printable(p, n))
        skip = 1;
      dns[dns_count] = p;
      dns_len[dns_count] = n;
      sk_GENERAL_NAME_push(gens, dns_name(p, n));
      dns_count++;
    }
    p = e ? e + 1 : end;
  }

  unsigned char addr[16];
  size_t addr_len = hr_ip_literal(host, addr);
  /* Strings OpenSSL reads as an IP address and inet_pton does not. */
  ASN1_OCTET_STRING *as_ip = host_len ? a2i_IPADDRESS(host) : NULL;
  if (as_ip && !addr_len)
    skip = 1;
  ASN1_OCTET_STRING_free(as_ip);

  if (!skip && host_len > 0) {
    struct hr_peer_names names = {dns, dns_len, dns_count,
                                  ip,  ip_len,  ip_count};
    int ours = hr_identity_check(host, &names);
    X509 *x = cert_with(gens);
    int theirs = addr_len
                     ? X509_check_ip(x, addr, addr_len, 0)
                     : X509_check_host(x, host, host_len,
                                       X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS |
                                           X509_CHECK_FLAG_NEVER_CHECK_SUBJECT,
                                       NULL);
    if (theirs < 0 || ours != theirs)
      abort();
    /* One name at a time must agree with the whole list's answer. */
    int any = 0;
    for (size_t i = 0; i < dns_count && !addr_len; i++)
      any |= hr_identity_match_dns(host, dns[i], dns_len[i]);
    if (!addr_len && any != ours)
      abort();
    X509_free(x);
  }
  GENERAL_NAMES_free(gens);
  free(text);
  return 0;
}
