/* SPDX-License-Identifier: MIT */
/*
 * module_load.h - loading one provider module (backends/module_load.c),
 * for the registry.
 */
#ifndef HTTPR_MODULE_LOAD_H
#define HTTPR_MODULE_LOAD_H

#include <stddef.h>

#include "backends/provider.h"

/* Loads the module at path, which must hold the provider called name,
 * and returns the provider, valid for the life of the process. NULL when
 * the file cannot be loaded (why: dlerror()'s text, which names the
 * file), has no entry point, was built for another interface version
 * (why names the file and both versions), refuses this library or holds
 * another provider. why is always a string of at most cap bytes. */
const struct hr_tls_provider *hr_module_load(const char *path,
                                             const char *name, char *why,
                                             size_t cap);

#endif
