/* SPDX-License-Identifier: MIT */
/*
 * registry.h - what api/registry.c offers the rest of the tree beside the
 * public API: the default provider together with where it came from.
 */
#ifndef HTTPR_API_REGISTRY_H
#define HTTPR_API_REGISTRY_H

#include <stddef.h>

/* httpr_default_provider(), and in from (size bytes, always terminated
 * when size > 0; NULL or 0: not wanted) the step that chose it:
 * "HTTPR_TLS_PROVIDER", "HTTPR_TLS_BACKEND", the system file's path,
 * "build default" or "first present"; then, when the system file was
 * ignored, "; PATH ignored: REASON", or when the choice fell below the
 * file, "; PATH: no provider of its order is present". Not public API:
 * for the tests, which must tell the steps apart. */
const char *hr_default_provider_from(char *from, size_t size);

#endif
