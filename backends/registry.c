/* SPDX-License-Identifier: MIT */
/*
 * registry.c - the providers this library can use, looked up by name,
 * and their lazy, reference-counted global initialisation.
 *
 * Built with --disable-modules the list is the providers compiled in.
 * Otherwise each provider is a module (provider_module.h) in the provider
 * directory: HTTPR_PROVIDER_PATH when set (read through common/env.h, so
 * never in a setuid or setgid program), else the configured
 * $(pkglibdir)/providers. A module is loaded the first time its provider
 * is asked for by name; listing the providers loads every httpr-NAME.so
 * of the directory, once, and the list is then fixed for the process, so
 * an index stays valid. Providers linked into the program itself (the
 * provider suite links their sources) come first and win over a module of
 * the same name. Everything here runs under one lock: two threads asking
 * for the same provider load it once.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "backends/provider.h"

#ifdef HTTPR_MODULES
#include <dirent.h>

#include "common/env.h"
#include "backends/module_load.h"
/* Weak: present only in a program that links the provider's sources.
 * Hidden: resolved when the program is linked, never at run time, so
 * libhttpr.so has no such symbol for another object to supply. */
#define HR_LINKED __attribute__((weak, visibility("hidden")))
#else
#define HR_LINKED
#endif

#ifdef HTTPR_HAVE_OPENSSL
extern const struct hr_tls_provider hr_provider_openssl HR_LINKED;
#endif
#ifdef HTTPR_HAVE_GNUTLS
extern const struct hr_tls_provider hr_provider_gnutls HR_LINKED;
#endif
#ifdef HTTPR_HAVE_MBEDTLS
extern const struct hr_tls_provider hr_provider_mbedtls HR_LINKED;
#endif

/* In preference order: a module's place in the list is its name's here,
 * and names not listed follow in the order of their names. */
static const struct hr_tls_provider *const linked[] = {
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

#define LINKED_COUNT (sizeof(linked) / sizeof(linked[0]) - 1)
#define PROVIDERS_MAX 16

struct slot {
  const struct hr_tls_provider *p;
  unsigned refs; /* successful acquires not yet released */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct slot slots[PROVIDERS_MAX];
static size_t slot_count;
static int started; /* the linked providers are in slots */

static void add(const struct hr_tls_provider *p) {
  if (slot_count < PROVIDERS_MAX)
    slots[slot_count++] = (struct slot){.p = p};
}

static struct slot *slot_named(const char *name) {
  for (size_t i = 0; name && i < slot_count; i++) {
    if (strcmp(slots[i].p->name, name) == 0)
      return &slots[i];
  }
  return NULL;
}

static void start(void) {
  if (started)
    return;
  started = 1;
  for (size_t i = 0; i < LINKED_COUNT; i++) {
    if (linked[i])
      add(linked[i]);
  }
}

#ifdef HTTPR_MODULES
#ifndef HTTPR_PROVIDER_DIR
#error "HTTPR_PROVIDER_DIR must name the installed provider directory"
#endif

static const char known_order[][16] = {"openssl", "gnutls", "mbedtls"};
#define KNOWN_COUNT (sizeof(known_order) / sizeof(known_order[0]))

static char dir[4096];
static int scanned; /* every module of dir was tried: the list is fixed */

/* A load that failed, by provider name, for hr_provider_explain. */
static struct failure {
  char name[32];
  char why[400];
} failures[PROVIDERS_MAX];
static size_t failure_count;

/* The directory is chosen once, at the first use of the registry. */
static void choose_dir(void) {
  if (dir[0])
    return;
  const char *path = hr_env_get(HR_ENV_HTTPR_PROVIDER_PATH);
  snprintf(dir, sizeof(dir), "%s", path ? path : HTTPR_PROVIDER_DIR);
}

/* A name that can become a file name in dir and nothing else. */
static int name_ok(const char *name) {
  size_t len = strlen(name);
  if (len == 0 || len >= sizeof(failures[0].name))
    return 0;
  for (size_t i = 0; i < len; i++) {
    char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return 0;
  }
  return 1;
}

static size_t rank(const char *name) {
  for (size_t i = 0; i < KNOWN_COUNT; i++) {
    if (strcmp(known_order[i], name) == 0)
      return i;
  }
  return KNOWN_COUNT;
}

static int before(const struct hr_tls_provider *a,
                  const struct hr_tls_provider *b) {
  size_t ra = rank(a->name), rb = rank(b->name);
  return ra != rb ? ra < rb : strcmp(a->name, b->name) < 0;
}

static int linked_here(const struct hr_tls_provider *p) {
  for (size_t i = 0; i < LINKED_COUNT; i++) {
    if (linked[i] == p)
      return 1;
  }
  return 0;
}

static void remember_failure(const char *name, const char *why) {
  struct failure *f = NULL;
  for (size_t i = 0; i < failure_count && !f; i++) {
    if (strcmp(failures[i].name, name) == 0)
      f = &failures[i];
  }
  if (!f && failure_count < PROVIDERS_MAX)
    f = &failures[failure_count++];
  if (f) {
    snprintf(f->name, sizeof(f->name), "%s", name);
    snprintf(f->why, sizeof(f->why), "%s", why);
  }
}

/* Loads httpr-NAME.so of dir into its place in the list (linked
 * providers keep theirs, at the front). */
static const struct hr_tls_provider *load(const char *name) {
  char path[sizeof(dir) + 64], why[sizeof(failures[0].why)];
  snprintf(path, sizeof(path), "%s/httpr-%s.so", dir, name);
  const struct hr_tls_provider *p = hr_module_load(path, name, why,
                                                   sizeof(why));
  if (!p) {
    remember_failure(name, why);
    return NULL;
  }
  if (slot_count == PROVIDERS_MAX)
    return NULL;
  size_t at = slot_count;
  while (at > 0 && !linked_here(slots[at - 1].p) &&
         before(p, slots[at - 1].p)) {
    slots[at] = slots[at - 1];
    at--;
  }
  slots[at] = (struct slot){.p = p};
  slot_count++;
  return p;
}

static void scan(void) {
  if (scanned)
    return;
  scanned = 1;
  DIR *d = opendir(dir);
  if (!d)
    return;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    char name[sizeof(failures[0].name)];
    size_t len = strlen(e->d_name);
    if (len <= 9 || strncmp(e->d_name, "httpr-", 6) != 0 ||
        strcmp(e->d_name + len - 3, ".so") != 0 || len - 9 >= sizeof(name))
      continue;
    memcpy(name, e->d_name + 6, len - 9);
    name[len - 9] = '\0';
    if (name_ok(name) && !slot_named(name))
      load(name);
  }
  closedir(d);
}
#endif

/* Every provider there is: after this the list does not change. */
static void complete(void) {
  start();
#ifdef HTTPR_MODULES
  choose_dir();
  scan();
#endif
}

size_t hr_provider_count(void) {
  pthread_mutex_lock(&lock);
  complete();
  size_t n = slot_count;
  pthread_mutex_unlock(&lock);
  return n;
}

const struct hr_tls_provider *hr_provider_at(size_t i) {
  pthread_mutex_lock(&lock);
  complete();
  const struct hr_tls_provider *p = i < slot_count ? slots[i].p : NULL;
  pthread_mutex_unlock(&lock);
  return p;
}

const struct hr_tls_provider *hr_provider_find(const char *name) {
  if (!name)
    return NULL;
  pthread_mutex_lock(&lock);
  start();
  struct slot *s = slot_named(name);
  const struct hr_tls_provider *p = s ? s->p : NULL;
#ifdef HTTPR_MODULES
  choose_dir();
  if (!p && !scanned && name_ok(name))
    p = load(name);
#endif
  pthread_mutex_unlock(&lock);
  return p;
}

void hr_provider_explain(const char *name, httpr_error *err) {
#ifdef HTTPR_MODULES
  pthread_mutex_lock(&lock);
  for (size_t i = 0; name && i < failure_count; i++) {
    if (strcmp(failures[i].name, name) == 0)
      hr_detail(err, "%s", failures[i].why);
  }
  pthread_mutex_unlock(&lock);
#else
  (void)name;
  (void)err;
#endif
}

/* A provider not in the list (a test's own) is counted in a slot of its
 * own, as it always was. */
static struct slot *slot_of(const struct hr_tls_provider *p) {
  static struct slot other;
  for (size_t i = 0; i < slot_count; i++) {
    if (slots[i].p == p)
      return &slots[i];
  }
  return &other;
}

httpr_code hr_provider_acquire(const struct hr_tls_provider *p,
                               httpr_error *err) {
  httpr_code rc = HTTPR_OK;
  pthread_mutex_lock(&lock);
  struct slot *s = slot_of(p);
  if (s->refs == 0)
    rc = p->global_init(err);
  if (rc == HTTPR_OK)
    s->refs++;
  pthread_mutex_unlock(&lock);
  return rc;
}

void hr_provider_release(const struct hr_tls_provider *p) {
  pthread_mutex_lock(&lock);
  struct slot *s = slot_of(p);
  if (s->refs > 0 && --s->refs == 0)
    p->global_cleanup();
  pthread_mutex_unlock(&lock);
}
