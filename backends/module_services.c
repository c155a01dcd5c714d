/* SPDX-License-Identifier: MIT */
/*
 * module_services.c - the table of core services the library hands each
 * provider module it loads (provider_module.h): the address of every
 * function a provider may call, and the three printf-like helpers taking
 * text the module has already formatted. Built-in providers call the
 * functions directly and never read it.
 */
#include "backends/provider_module.h"

static httpr_code fail_text(httpr_error *err, httpr_code code,
                            const char *msg) {
  return hr_fail(err, code, "%s", msg);
}

static void detail_text(httpr_error *err, const char *text) {
  hr_detail(err, "%s", text);
}

static void hint_text(httpr_error *err, const char *text) {
  hr_hint(err, "%s", text);
}

#define HR_SERVICE_ENTRY(fn, member) .member = fn,

const struct hr_provider_services hr_provider_services_table = {
    .interface_version = HR_PROVIDER_INTERFACE_VERSION,
    .size = sizeof(struct hr_provider_services),
    .fail_text = fail_text,
    .detail_text = detail_text,
    .hint_text = hint_text,
    HR_PROVIDER_SERVICES(HR_SERVICE_ENTRY)};
