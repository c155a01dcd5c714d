/* SPDX-License-Identifier: MIT */
/*
 * env.c - the table of environment variables the library reads (see
 * env.h) and its one accessor. Nothing else in the library reads the
 * environment.
 */
#include "config.h"

#include <stdlib.h>
#include <unistd.h>

#include "common/env.h"

#define HR_ENV_ENTRY(name, what, reader) {#name, what, reader},
static const struct hr_env_var table[HR_ENV_COUNT] = {
    HR_ENV_TABLE(HR_ENV_ENTRY)};
#undef HR_ENV_ENTRY

/* glibc's secure_getenv answers NULL when the kernel marked the process
 * AT_SECURE (set-user-ID, set-group-ID, file capabilities). Elsewhere the
 * same rule is approximated with the real and effective IDs. */
static const char *read_secure(const char *name) {
#ifdef HAVE_SECURE_GETENV
  return secure_getenv(name);
#else
  if (getuid() != geteuid() || getgid() != getegid())
    return NULL;
  return getenv(name);
#endif
}

const char *hr_env_get(enum hr_env_id id) {
  const char *name = hr_env_name(id);
  const char *value = name ? read_secure(name) : NULL;
  return value && value[0] ? value : NULL;
}

const char *hr_env_name(enum hr_env_id id) {
  return (unsigned)id < HR_ENV_COUNT ? table[id].name : NULL;
}

const struct hr_env_var *hr_env_at(size_t i) {
  return i < HR_ENV_COUNT ? &table[i] : NULL;
}
