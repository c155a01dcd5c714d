/* SPDX-License-Identifier: MIT */
/*
 * fake_module.c - a provider module that does nothing, for
 * tests/modules/test_modules.c: built twice, as httpr-fakeok.so (this
 * library's interface version) and httpr-fakever.so (FAKE_VERSION, another
 * one). Its provider is a name and feature bits; the operations are never
 * called, but global init and cleanup, which count. The entry point
 * counts its calls and takes its time, so that two threads loading the
 * module at once would both get in if the library did not serialise
 * them.
 */
#include <time.h>

#include "backends/provider_module.h"

#ifndef FAKE_VERSION
#define FAKE_VERSION HR_PROVIDER_INTERFACE_VERSION
#endif
#ifndef FAKE_NAME
#error "FAKE_NAME must be the provider's name"
#endif

/* Read by the test through dlsym. */
__attribute__((visibility("default"))) extern int fake_entry_calls;
__attribute__((visibility("default"))) extern int fake_init_calls;
int fake_entry_calls;
int fake_init_calls;

static const char *fake_library_version(void) { return "fake 1.0"; }

static httpr_code fake_global_init(httpr_error *err) {
  (void)err;
  fake_init_calls++;
  return HTTPR_OK;
}

static void fake_global_cleanup(void) {}

static const struct hr_tls_provider fake_provider = {
    .name = FAKE_NAME,
    .features = HTTPR_FEATURE_TLS12,
    .library_version = fake_library_version,
    .global_init = fake_global_init,
    .global_cleanup = fake_global_cleanup,
};

__attribute__((visibility("default"))) hr_provider_entry_fn
    httpr_provider_entry;

const struct hr_tls_provider *
httpr_provider_entry(unsigned core_version,
                     const struct hr_provider_services *svc,
                     unsigned *module_version) {
  fake_entry_calls++;
  struct timespec pause = {.tv_nsec = 50 * 1000 * 1000};
  nanosleep(&pause, NULL);
  *module_version = FAKE_VERSION;
  (void)core_version;
  (void)svc;
  return &fake_provider;
}
