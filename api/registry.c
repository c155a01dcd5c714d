/* SPDX-License-Identifier: MIT */
/*
 * registry.c - the public view of the providers built in: names, library
 * versions, feature bits, and which one is the default.
 */
#include "config.h"

#include <stdlib.h>

#include "common/env.h"
#include "api/internal.h"

const char *httpr_version(void) { return PACKAGE_VERSION; }

uint32_t httpr_version_num(void) { return HTTPR_VERSION_NUM; }

size_t httpr_provider_count(void) { return hr_provider_count(); }

const char *httpr_provider_name(size_t i) {
  const struct hr_tls_provider *p = hr_provider_at(i);
  return p ? p->name : NULL;
}

const char *httpr_provider_library_version(size_t i) {
  const struct hr_tls_provider *p = hr_provider_at(i);
  return p ? p->library_version() : NULL;
}

uint32_t httpr_provider_features(size_t i) {
  const struct hr_tls_provider *p = hr_provider_at(i);
  return p ? p->features : 0;
}

httpr_code httpr_provider_features_by_name(const char *name,
                                           uint32_t *features) {
  const struct hr_tls_provider *p = hr_provider_find(name);
  if (!p)
    return HTTPR_E_PROVIDER;
  if (features)
    *features = p->features;
  return HTTPR_OK;
}

/* HTTPR_TLS_PROVIDER when set, else its old name HTTPR_TLS_BACKEND: the
 * new name wins when both are set, even when it names no provider built
 * in (then the build's default applies, as for an unknown old name). */
const char *httpr_default_provider(void) {
  const char *name = hr_env_get(HR_ENV_HTTPR_TLS_PROVIDER);
  if (!name)
    name = hr_env_get(HR_ENV_HTTPR_TLS_BACKEND);
  const struct hr_tls_provider *p = hr_provider_find(name);
  if (!p)
    p = hr_provider_find(HTTPR_DEFAULT_TLS);
  if (!p)
    p = hr_provider_at(0);
  return p ? p->name : "";
}

static const struct {
  uint32_t bit;
  const char *name;
} feature_names[] = {
    {HTTPR_FEATURE_TLS13, "tls1.3"},
    {HTTPR_FEATURE_TLS12, "tls1.2"},
    {HTTPR_FEATURE_CA_DIR, "ca-dir"},
    {HTTPR_FEATURE_PKCS12, "pkcs12"},
    {HTTPR_FEATURE_ENCRYPTED_KEY, "encrypted-key"},
    {HTTPR_FEATURE_KEYLOG, "keylog"},
    {HTTPR_FEATURE_ALPN, "alpn"},
    {HTTPR_FEATURE_SESSION_RESUME, "session-resume"},
    {HTTPR_FEATURE_SYSTEM_STORE, "system-store"},
    {HTTPR_FEATURE_PEER_CRITICAL_NC, "peer-critical-nc"},
};

const char *httpr_feature_name(uint32_t bit) {
  for (size_t i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]);
       i++) {
    if (feature_names[i].bit == bit)
      return feature_names[i].name;
  }
  return NULL;
}
