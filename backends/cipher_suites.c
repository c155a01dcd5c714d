/* SPDX-License-Identifier: MIT */
/*
 * cipher_suites.c - the cipher suites httpr knows and the parser of a
 * configured list (cipher_suites.h).
 */
#include "backends/cipher_suites.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The AEAD and AES-CBC suites with (EC)DHE or RSA key exchange that at
 * least one provider's library offers, with the code points and names of
 * the IANA TLS registry and OpenSSL's names for TLS 1.2. Anonymous, PSK,
 * SRP, DSS, export and NULL suites, 3DES, RC4, Camellia, ARIA and SEED
 * are left out: no provider offers them by default. One suite a line. */
/* clang-format off */
static const struct hr_suite suites[] = {
    {0x1301, "TLS_AES_128_GCM_SHA256", NULL, 13},
    {0x1302, "TLS_AES_256_GCM_SHA384", NULL, 13},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256", NULL, 13},
    {0x1304, "TLS_AES_128_CCM_SHA256", NULL, 13},
    {0x1305, "TLS_AES_128_CCM_8_SHA256", NULL, 13},
    {0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA", 12},
    {0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "DHE-RSA-AES128-SHA", 12},
    {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA", 12},
    {0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "DHE-RSA-AES256-SHA", 12},
    {0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256", 12},
    {0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256", "AES256-SHA256", 12},
    {0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", "DHE-RSA-AES128-SHA256", 12},
    {0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", "DHE-RSA-AES256-SHA256", 12},
    {0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256", 12},
    {0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384", 12},
    {0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "DHE-RSA-AES128-GCM-SHA256", 12},
    {0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "DHE-RSA-AES256-GCM-SHA384", 12},
    {0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA", 12},
    {0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA", 12},
    {0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA", 12},
    {0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA", 12},
    {0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA-AES128-SHA256", 12},
    {0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "ECDHE-ECDSA-AES256-SHA384", 12},
    {0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256", 12},
    {0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "ECDHE-RSA-AES256-SHA384", 12},
    {0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", 12},
    {0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384", 12},
    {0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", 12},
    {0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384", 12},
    {0xC09C, "TLS_RSA_WITH_AES_128_CCM", "AES128-CCM", 12},
    {0xC09D, "TLS_RSA_WITH_AES_256_CCM", "AES256-CCM", 12},
    {0xC09E, "TLS_DHE_RSA_WITH_AES_128_CCM", "DHE-RSA-AES128-CCM", 12},
    {0xC09F, "TLS_DHE_RSA_WITH_AES_256_CCM", "DHE-RSA-AES256-CCM", 12},
    {0xC0A0, "TLS_RSA_WITH_AES_128_CCM_8", "AES128-CCM8", 12},
    {0xC0A1, "TLS_RSA_WITH_AES_256_CCM_8", "AES256-CCM8", 12},
    {0xC0A2, "TLS_DHE_RSA_WITH_AES_128_CCM_8", "DHE-RSA-AES128-CCM8", 12},
    {0xC0A3, "TLS_DHE_RSA_WITH_AES_256_CCM_8", "DHE-RSA-AES256-CCM8", 12},
    {0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", "ECDHE-ECDSA-AES128-CCM", 12},
    {0xC0AD, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM", "ECDHE-ECDSA-AES256-CCM", 12},
    {0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", "ECDHE-ECDSA-AES128-CCM8", 12},
    {0xC0AF, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8", "ECDHE-ECDSA-AES256-CCM8", 12},
    {0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305", 12},
    {0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305", 12},
    {0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "DHE-RSA-CHACHA20-POLY1305", 12},
};
/* clang-format on */
#define SUITE_COUNT (sizeof(suites) / sizeof(suites[0]))

const struct hr_suite *hr_suite_by_id(uint16_t id) {
  for (size_t k = 0; k < SUITE_COUNT; k++) {
    if (suites[k].id == id)
      return &suites[k];
  }
  return NULL;
}

const struct hr_suite *hr_suite_at(size_t k) {
  return k < SUITE_COUNT ? &suites[k] : NULL;
}

static int same_name(const char *name, const char *p, size_t len) {
  return name && strlen(name) == len && strncasecmp(name, p, len) == 0;
}

static const struct hr_suite *by_name(const char *p, size_t len) {
  for (size_t k = 0; k < SUITE_COUNT; k++) {
    if (same_name(suites[k].iana, p, len) ||
        same_name(suites[k].openssl, p, len))
      return &suites[k];
  }
  return NULL;
}

static int listed(uint16_t id, const uint16_t *ids, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (ids[i] == id)
      return 1;
  }
  return 0;
}

httpr_code hr_tls_suites(const char *list, int version, const char *provider,
                         const uint16_t *allowed, size_t n_allowed,
                         const struct hr_suite *out[HR_SUITES_MAX], size_t *n,
                         httpr_error *err) {
  static const char separators[] = ":, ";
  *n = 0;
  if (!list)
    return HTTPR_OK;
  const char *p = list + strspn(list, separators);
  if (!*p)
    return hr_fail(err, HTTPR_E_INVALID, "the cipher suite list is empty");
  while (*p) {
    size_t len = strcspn(p, separators);
    const struct hr_suite *s = by_name(p, len);
    if (!s)
      return hr_fail(err, HTTPR_E_UNSUPPORTED, "unknown cipher suite '%.*s'",
                     (int)len, p);
    if (s->version != version)
      return hr_fail(err, HTTPR_E_INVALID,
                     "the cipher suite %s is for TLS 1.%d, not TLS 1.%d",
                     s->iana, s->version - 10, version - 10);
    for (size_t i = 0; i < *n; i++) {
      if (out[i] == s)
        return hr_fail(err, HTTPR_E_INVALID,
                       "the cipher suite %s is listed twice", s->iana);
    }
    if (!listed(s->id, allowed, n_allowed)) {
      hr_fail(err, HTTPR_E_UNSUPPORTED,
              "the %s provider does not support the cipher suite %s", provider,
              s->iana);
      hr_hint(err,
              "it offers what its TLS library enables by default, under the "
              "system's configuration: httpr --list-ciphers --tls-provider "
              "%s lists them",
              provider);
      return err->code;
    }
    if (*n == HR_SUITES_MAX)
      return hr_fail(err, HTTPR_E_INVALID,
                     "the cipher suite list has more than %d suites",
                     HR_SUITES_MAX);
    out[(*n)++] = s;
    p += len;
    p += strspn(p, separators);
  }
  return HTTPR_OK;
}

httpr_code hr_tls_suites_would_add(httpr_error *err, const char *provider,
                                   const char *const *extra, size_t n_extra) {
  char names[sizeof(err->message)] = "";
  size_t used = 0;
  for (size_t i = 0; i < n_extra && used < sizeof(names); i++)
    used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
                             i ? ", " : "", extra[i]);
  return hr_fail(err, HTTPR_E_UNSUPPORTED,
                 "the %s provider cannot offer exactly the configured cipher "
                 "suites: it would add %s",
                 provider, names);
}
