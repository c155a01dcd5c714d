/* SPDX-License-Identifier: MIT */
/*
 * cipher_suites.h - the TLS cipher suites httpr knows, by their IANA code
 * point and name (and, for TLS 1.2, OpenSSL's name, which curl users
 * type), and the one parser of a configured list, so that every provider
 * takes the same names with the same meaning. Each provider lists which
 * of them its library offers under the system's configuration
 * (struct hr_tls_provider's cipher_suites); a configured list chooses and
 * orders among those, and never adds to them.
 */
#ifndef HTTPR_CIPHER_SUITES_H
#define HTTPR_CIPHER_SUITES_H
#include "common/error.h"
#include <stddef.h>
#include <stdint.h>

struct hr_suite {
  uint16_t id;         /* IANA code point, 0xC02B */
  const char *iana;    /* "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" */
  const char *openssl; /* "ECDHE-ECDSA-AES128-GCM-SHA256"; NULL for TLS
                          1.3, where OpenSSL uses the IANA name */
  int version;         /* 12: TLS 1.2, 13: TLS 1.3 */
};

/* Room for every suite a provider lists, and a configured list's longest. */
#define HR_SUITES_MAX 64

/* The suite with that code point, or NULL when httpr does not know it. */
const struct hr_suite *hr_suite_by_id(uint16_t id);

/* The k-th suite httpr knows, NULL past the last (for tests). */
const struct hr_suite *hr_suite_at(size_t k);

/* A configured list for one TLS version (12 or 13): IANA names, or for
 * TLS 1.2 OpenSSL's, case-insensitive, with ':', ',' or ' ' between,
 * checked against what the provider offers (allowed, n_allowed), into
 * out in the configured order. *n 0 when list is NULL. Errors:
 * HTTPR_E_UNSUPPORTED for a name httpr does not know ("unknown cipher
 * suite 'X'") or one the provider does not offer ("the gnutls provider
 * does not support the cipher suite X"); HTTPR_E_INVALID for a suite of
 * the other version, one listed twice, an empty list or one longer than
 * HR_SUITES_MAX. */
httpr_code hr_tls_suites(const char *list, int version, const char *provider,
                         const uint16_t *allowed, size_t n_allowed,
                         const struct hr_suite *out[HR_SUITES_MAX], size_t *n,
                         httpr_error *err);

/* HTTPR_E_UNSUPPORTED "the NAME provider cannot offer exactly the
 * configured cipher suites: it would add S1, S2" (the names extra,
 * n_extra of them), for a library that enables suites as a cross product
 * (GnuTLS). */
httpr_code hr_tls_suites_would_add(httpr_error *err, const char *provider,
                                   const char *const *extra, size_t n_extra);

#endif
