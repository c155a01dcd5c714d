/* SPDX-License-Identifier: MIT */
/*
 * module_load.c - loads one provider module (provider_module.h) with
 * dlopen and checks what its entry point answers: the interface version
 * it was built for, and the provider's name. What fails is said in words
 * that name the file, for the registry to show. A module, once loaded, is
 * never closed: a client may hold its provider for the life of the
 * process, and TLS libraries register exit handlers that must find their
 * code still mapped. Only the registry (backends/registry.c) calls this,
 * under its lock.
 */
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "backends/module_load.h"
#include "backends/provider_module.h"

const struct hr_tls_provider *hr_module_load(const char *path,
                                             const char *name, char *why,
                                             size_t cap) {
  /* RTLD_LOCAL: a module's TLS library and symbols stay its own, so two
   * modules (or a host program) never bind to each other's. */
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *text = dlerror();
    snprintf(why, cap, "%s", text ? text : path);
    return NULL;
  }
  hr_provider_entry_fn *entry;
  /* POSIX's way to take a function from dlsym (ISO C has no cast from an
   * object pointer to a function pointer). */
  *(void **)&entry = dlsym(handle, HR_PROVIDER_ENTRY_NAME);
  if (!entry) {
    const char *text = dlerror();
    snprintf(why, cap, "%s", text ? text : HR_PROVIDER_ENTRY_NAME);
    return NULL;
  }
  unsigned module_version = 0;
  const struct hr_tls_provider *p = entry(
      HR_PROVIDER_INTERFACE_VERSION, &hr_provider_services_table,
      &module_version);
  if (module_version != HR_PROVIDER_INTERFACE_VERSION) {
    snprintf(why, cap,
             "%s: built for provider interface version %u, this library "
             "has version %u",
             path, module_version, HR_PROVIDER_INTERFACE_VERSION);
    return NULL;
  }
  if (!p) {
    snprintf(why, cap, "%s: its entry point refused this library", path);
    return NULL;
  }
  if (!p->name || strcmp(p->name, name) != 0) {
    snprintf(why, cap, "%s: holds the provider '%s', not '%s'", path,
             p->name ? p->name : "", name);
    return NULL;
  }
  return p;
}
