/* SPDX-License-Identifier: MIT */
/*
 * gnutls_suites.h - configured cipher suites as a GnuTLS priority. GnuTLS
 * enables suites as a cross product of the key exchanges, ciphers and
 * MACs a priority lists, and one cipher choice for TLS 1.2 and TLS 1.3
 * alike: a priority can offer more suites than those configured, and
 * then the gnutls provider refuses it, naming what it would add.
 */
#ifndef HTTPR_GNUTLS_SUITES_H
#define HTTPR_GNUTLS_SUITES_H
#include <stddef.h>
#include <stdint.h>

#include <gnutls/gnutls.h>

#include "backends/provider_services.h"

/* The configured suites of each version (hr_tls_suites). */
struct gt_suites {
  const struct hr_suite *v12[HR_SUITES_MAX], *v13[HR_SUITES_MAX];
  size_t n12, n13;
};

/* The suites prio enables, by code point, in its order, up to cap. */
size_t gt_suites_of(gnutls_priority_t prio, uint16_t *ids, size_t cap);

/* The priority items for the configured suites into out (cap bytes):
 * ":-KX-ALL:+ECDHE-RSA..." (key exchanges only when TLS 1.2 suites are
 * configured), then the ciphers and MACs of every configured suite; ""
 * when none is. */
void gt_suite_items(const struct gt_suites *want, char *out, size_t cap);

/* prio, built with those items, offers exactly the configured suites of
 * each configured version it enables (min..max, 12 or 13): HTTPR_OK, or
 * HTTPR_E_UNSUPPORTED naming the suites it would add. */
httpr_code gt_suites_exact(gnutls_priority_t prio, const struct gt_suites *want,
                           int min, int max, httpr_error *err);

#endif
