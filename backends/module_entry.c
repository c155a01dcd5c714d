/* SPDX-License-Identifier: MIT */
/*
 * module_entry.c - the entry point of each of httpr's own provider
 * modules (provider_module.h), compiled into each with
 * HTTPR_PROVIDER_MODULE defined and HR_MODULE_PROVIDER naming its
 * provider (hr_provider_openssl, ...). Never part of libhttpr itself.
 */
#include "backends/provider_services.h"

#ifndef HR_MODULE_PROVIDER
#error "HR_MODULE_PROVIDER must name the module's provider"
#endif

extern const struct hr_tls_provider HR_MODULE_PROVIDER;

HR_PROVIDER_MODULE_ENTRY(HR_MODULE_PROVIDER)
