/* SPDX-License-Identifier: MIT */
/*
 * registry.c - the providers built into this library, looked up by name,
 * and their lazy, reference-counted global initialisation. The list is a
 * table of pointers so that a provider loaded from a module later can be
 * added without any other code knowing how it arrived.
 */
#include "config.h"

#include <pthread.h>
#include <string.h>

#include "backends/provider.h"

#ifdef HTTPR_HAVE_OPENSSL
extern const struct hr_tls_provider hr_provider_openssl;
#endif
#ifdef HTTPR_HAVE_GNUTLS
extern const struct hr_tls_provider hr_provider_gnutls;
#endif
#ifdef HTTPR_HAVE_MBEDTLS
extern const struct hr_tls_provider hr_provider_mbedtls;
#endif

static const struct hr_tls_provider *const providers[] = {
#ifdef HTTPR_HAVE_OPENSSL
    &hr_provider_openssl,
#endif
#ifdef HTTPR_HAVE_GNUTLS
    &hr_provider_gnutls,
#endif
#ifdef HTTPR_HAVE_MBEDTLS
    &hr_provider_mbedtls,
#endif
    NULL};

#define PROVIDER_COUNT (sizeof(providers) / sizeof(providers[0]) - 1)

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned init_refs[PROVIDER_COUNT + 1];

size_t hr_provider_count(void) { return PROVIDER_COUNT; }

const struct hr_tls_provider *hr_provider_at(size_t i) {
  return i < PROVIDER_COUNT ? providers[i] : NULL;
}

const struct hr_tls_provider *hr_provider_find(const char *name) {
  for (size_t i = 0; name && i < PROVIDER_COUNT; i++) {
    if (strcmp(providers[i]->name, name) == 0)
      return providers[i];
  }
  return NULL;
}

static size_t index_of(const struct hr_tls_provider *p) {
  for (size_t i = 0; i < PROVIDER_COUNT; i++) {
    if (providers[i] == p)
      return i;
  }
  return PROVIDER_COUNT;
}

httpr_code hr_provider_acquire(const struct hr_tls_provider *p,
                               httpr_error *err) {
  size_t i = index_of(p);
  httpr_code rc = HTTPR_OK;
  pthread_mutex_lock(&init_lock);
  if (init_refs[i] == 0)
    rc = p->global_init(err);
  if (rc == HTTPR_OK)
    init_refs[i]++;
  pthread_mutex_unlock(&init_lock);
  return rc;
}

void hr_provider_release(const struct hr_tls_provider *p) {
  size_t i = index_of(p);
  pthread_mutex_lock(&init_lock);
  if (init_refs[i] > 0 && --init_refs[i] == 0)
    p->global_cleanup();
  pthread_mutex_unlock(&init_lock);
}
