/* SPDX-License-Identifier: MIT */
/*
 * registry.c - the public view of the providers built in: names, library
 * versions, feature bits, and which one is the default (the environment,
 * the system's providers.conf, the build's default, the first present).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "common/env.h"
#include "api/internal.h"
#include "api/providers_conf.h"
#include "backends/cipher_suites.h"

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

const char *httpr_provider_group(size_t i, size_t k) {
  const struct hr_tls_provider *p = hr_provider_at(i);
  if (!p || !p->groups)
    return NULL;
  for (size_t j = 0; p->groups[j]; j++) {
    if (j == k)
      return p->groups[j];
  }
  return NULL;
}

const char *httpr_provider_cipher(size_t i, size_t k) {
  const struct hr_tls_provider *p = hr_provider_at(i);
  uint16_t ids[HR_SUITES_MAX];
  size_t n = p && p->cipher_suites ? p->cipher_suites(ids, HR_SUITES_MAX) : 0;
  /* Only suites httpr knows are listed: the names are its own. */
  for (size_t j = 0; j < n && j < HR_SUITES_MAX; j++) {
    const struct hr_suite *s = hr_suite_by_id(ids[j]);
    if (s && k-- == 0)
      return s->iana;
  }
  return NULL;
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
 * new name wins when both are set, even when it names no provider
 * present (then the steps below apply, as for an unknown old name). */
static const struct hr_tls_provider *from_env(const char **step) {
  const char *name = hr_env_get(HR_ENV_HTTPR_TLS_PROVIDER);
  *step = "HTTPR_TLS_PROVIDER";
  if (!name) {
    name = hr_env_get(HR_ENV_HTTPR_TLS_BACKEND);
    *step = "HTTPR_TLS_BACKEND";
  }
  return hr_provider_find(name);
}

/* The first name of the system file's order that is present. */
static const struct hr_tls_provider *
from_file(const struct hr_providers_conf *conf) {
  for (size_t i = 0; i < conf->count; i++) {
    const struct hr_tls_provider *p = hr_provider_find(conf->names[i]);
    if (p)
      return p;
  }
  return NULL;
}

/* Where the choice came from, for httpr_default_provider_origin: the step,
 * and what became of the system file when it had something to say. */
static void describe(char *from, size_t size, const char *step,
                     const struct hr_providers_conf *conf, int below_file) {
  if (!from || size == 0)
    return;
  if (conf->error[0])
    snprintf(from, size, "%s; %s ignored: %s", step, conf->path, conf->error);
  else if (below_file && conf->count > 0)
    snprintf(from, size, "%s; %s: no provider of its order is present", step,
             conf->path);
  else
    snprintf(from, size, "%s", step);
}

/* The precedence below the client's config, highest first: the
 * environment, the system file, the build's default, the first provider
 * present. */
const char *httpr_default_provider_origin(char *from, size_t size) {
  const struct hr_providers_conf *conf = hr_providers_conf_system();
  const char *step;
  int below_file = 0;
  const struct hr_tls_provider *p = from_env(&step);
  if (!p) {
    step = conf->path;
    p = from_file(conf);
  }
  if (!p) {
    below_file = 1;
    step = "build default";
    p = hr_provider_find(HTTPR_DEFAULT_TLS);
  }
  if (!p) {
    step = "first present";
    p = hr_provider_at(0);
  }
  if (!p)
    step = "none present";
  describe(from, size, step, conf, below_file);
  return p ? p->name : "";
}

const char *httpr_default_provider(void) {
  return httpr_default_provider_origin(NULL, 0);
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
    {HTTPR_FEATURE_POST_HANDSHAKE_AUTH, "post-handshake-auth"},
    {HTTPR_FEATURE_RENEGOTIATION, "renegotiation"},
    {HTTPR_FEATURE_TLS_GROUP, "tls-group"},
    {HTTPR_FEATURE_CERT_STATUS, "cert-status"},
    {HTTPR_FEATURE_EXACT_CIPHERS, "exact-cipher-suites"},
};

const char *httpr_feature_name(uint32_t bit) {
  for (size_t i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]);
       i++) {
    if (feature_names[i].bit == bit)
      return feature_names[i].name;
  }
  return NULL;
}
