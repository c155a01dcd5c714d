/* SPDX-License-Identifier: MIT */
/*
 * module_entry.c - the entry point of a provider module (provider_module.h),
 * compiled into each module with HTTPR_PROVIDER_MODULE defined and
 * HR_MODULE_PROVIDER naming the module's provider (hr_provider_openssl,
 * ...). It keeps the library's service table for the provider's calls
 * (provider_services.h) and answers with the provider, or refuses a
 * library of another interface version. Never part of libhttpr itself.
 */
#include "backends/provider_services.h"

#ifndef HR_MODULE_PROVIDER
#error "HR_MODULE_PROVIDER must name the module's provider"
#endif

extern const struct hr_tls_provider HR_MODULE_PROVIDER;

/* Hidden, as everything of the module but its entry point is. */
const struct hr_provider_services *hr_svc;

__attribute__((visibility("default"))) hr_provider_entry_fn
    httpr_provider_entry;

const struct hr_tls_provider *
httpr_provider_entry(unsigned core_version,
                     const struct hr_provider_services *svc,
                     unsigned *module_version) {
  if (module_version)
    *module_version = HR_PROVIDER_INTERFACE_VERSION;
  /* A table shorter than ours would be read past its end. */
  if (core_version != HR_PROVIDER_INTERFACE_VERSION || !svc ||
      svc->interface_version != HR_PROVIDER_INTERFACE_VERSION ||
      svc->size < sizeof(*svc))
    return NULL;
  hr_svc = svc;
  return &HR_MODULE_PROVIDER;
}
