/* SPDX-License-Identifier: MIT */
/*
 * trust.c - decides where the trust anchors come from, once, in the README's
 * order (config > HTTPR_CA_BUNDLE > SSL_CERT_FILE / SSL_CERT_DIR > system),
 * checks that the choice can be read, and walks CA directories for the
 * providers. It never parses a certificate: providers load what it names.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/env.h"
#include "backends/pem.h"
#include "backends/trust.h"

/* Found by configure; either may be absent or empty. */
#ifndef HTTPR_SYSTEM_CA_BUNDLE
#define HTTPR_SYSTEM_CA_BUNDLE ""
#endif
#ifndef HTTPR_SYSTEM_CA_PATH
#define HTTPR_SYSTEM_CA_PATH ""
#endif

static const char origin_config[] = "config";
static const char origin_bundle[] = "HTTPR_CA_BUNDLE";
static const char origin_cert_file[] = "SSL_CERT_FILE";
static const char origin_cert_dir[] = "SSL_CERT_DIR";
static const char origin_system[] = "system";

/* With SSL_CERT_FILE and SSL_CERT_DIR both set the struct holds one origin
 * (the file's); the directory's messages still name its own variable. */
static const char *dir_origin(const struct hr_trust *t) {
  if (t->origin && strcmp(t->origin, origin_cert_file) == 0)
    return origin_cert_dir;
  return t->origin ? t->origin : origin_config;
}

static const char *file_origin(const struct hr_trust *t) {
  return t->origin ? t->origin : origin_config;
}

static void hint_for(httpr_error *err, const char *origin, int is_dir) {
  if (strcmp(origin, origin_config) == 0)
    hr_hint(err, "check the path given with %s",
            is_dir ? "--capath" : "--cacert");
  else if (strcmp(origin, origin_system) == 0)
    hr_hint(err, "the system trust store is missing: install "
                 "ca-certificates or give a CA file with --cacert");
  else
    hr_hint(err, "the variable %s names it: fix or unset it", origin);
}

static httpr_code check_file(const char *path, const char *origin,
                             httpr_error *err) {
  char *data = NULL;
  size_t len = 0;
  if (hr_file_read(path, &data, &len) != 0) {
    int e = errno;
    hr_fail(err, HTTPR_E_CA_FILE, "CA file '%s' (from %s) cannot be read: %s",
            path, origin, strerror(e));
    hr_detail(err, "errno %d", e);
    hint_for(err, origin, 0);
    return err->code;
  }
  size_t certs = hr_pem_count(data, len, HR_PEM_CERTIFICATE);
  free(data);
  if (certs == 0) {
    hr_fail(err, HTTPR_E_CA_FILE,
            "CA file '%s' (from %s) holds no PEM "
            "certificate",
            path, origin);
    hr_hint(err, "a CA file must hold PEM certificates "
                 "(\"-----BEGIN CERTIFICATE-----\")");
    return err->code;
  }
  return HTTPR_OK;
}

static httpr_code check_dir(const char *path, const char *origin,
                            httpr_error *err) {
  DIR *d = opendir(path);
  if (!d) {
    int e = errno;
    hr_fail(err, HTTPR_E_CA_FILE,
            "CA directory '%s' (from %s) cannot be read: %s", path, origin,
            strerror(e));
    hr_detail(err, "errno %d", e);
    hint_for(err, origin, 1);
    return err->code;
  }
  closedir(d);
  return HTTPR_OK;
}

static int is_regular(const char *path) {
  struct stat st;
  return path[0] && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int is_dir(const char *path) {
  struct stat st;
  return path[0] && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Picks the source without checking it; file/dir point to strings that
 * outlive the call (arguments, environment, literals). */
static int choose(const char *cfg_file, const char *cfg_dir, const char **file,
                  const char **dir, const char **origin) {
  *file = *dir = NULL;
  if (cfg_file || cfg_dir) {
    *file = cfg_file;
    *dir = cfg_dir;
    *origin = origin_config;
  } else if (hr_env_get(HR_ENV_HTTPR_CA_BUNDLE)) {
    *file = hr_env_get(HR_ENV_HTTPR_CA_BUNDLE);
    *origin = origin_bundle;
  } else if (hr_env_get(HR_ENV_SSL_CERT_FILE) ||
             hr_env_get(HR_ENV_SSL_CERT_DIR)) {
    *file = hr_env_get(HR_ENV_SSL_CERT_FILE);
    *dir = hr_env_get(HR_ENV_SSL_CERT_DIR);
    *origin = *file ? origin_cert_file : origin_cert_dir;
  } else if (is_regular(HTTPR_SYSTEM_CA_BUNDLE)) {
    /* The bundle is one read instead of hundreds of small files. */
    *file = HTTPR_SYSTEM_CA_BUNDLE;
    *origin = origin_system;
  } else if (is_dir(HTTPR_SYSTEM_CA_PATH)) {
    *dir = HTTPR_SYSTEM_CA_PATH;
    *origin = origin_system;
  } else {
    return 0;
  }
  return 1;
}

httpr_code hr_trust_resolve(const char *cfg_file, const char *cfg_dir,
                            struct hr_trust *out, httpr_error *err) {
  const char *file, *dir, *origin = NULL;
  httpr_code rc = HTTPR_OK;
  memset(out, 0, sizeof(*out));
  if (!choose(cfg_file, cfg_dir, &file, &dir, &origin)) {
    hr_fail(err, HTTPR_E_CA_FILE, "no CA certificates configured");
    hr_hint(err, "give a CA file with --cacert or SSL_CERT_FILE");
    return err->code;
  }
  out->origin = origin;
  if (file && (rc = check_file(file, origin, err)) != HTTPR_OK)
    goto done;
  if (dir && (rc = check_dir(dir, dir_origin(out), err)) != HTTPR_OK)
    goto done;
  if ((file && !(out->ca_file = strdup(file))) ||
      (dir && !(out->ca_dir = strdup(dir))))
    rc = hr_nomem(err);
done:
  if (rc != HTTPR_OK)
    hr_trust_free(out);
  return rc;
}

void hr_trust_free(struct hr_trust *t) {
  if (!t)
    return;
  free(t->ca_file);
  free(t->ca_dir);
  t->ca_file = t->ca_dir = NULL;
  t->origin = NULL;
}

static int skip_hidden(const struct dirent *d) { return d->d_name[0] != '.'; }

/* Byte order, not the locale's collation: the same order everywhere. */
static int by_name(const struct dirent **a, const struct dirent **b) {
  return strcmp((*a)->d_name, (*b)->d_name);
}

int hr_trust_each_file(const char *dir, int (*cb)(const char *path, void *ud),
                       void *ud) {
  struct dirent **list = NULL;
  int n = scandir(dir, &list, skip_hidden, by_name);
  if (n < 0)
    return -1;
  size_t dlen = strlen(dir);
  int sep = dlen > 0 && dir[dlen - 1] != '/';
  int rc = 0;
  for (int i = 0; i < n && rc == 0; i++) {
    size_t plen = dlen + (size_t)sep + strlen(list[i]->d_name) + 1;
    char *path = malloc(plen);
    if (!path) {
      rc = -1;
      errno = ENOMEM;
      break;
    }
    snprintf(path, plen, "%s%s%s", dir, sep ? "/" : "", list[i]->d_name);
    /* stat, not lstat: hash-named symlinks to certificates count. */
    if (is_regular(path))
      rc = cb(path, ud);
    free(path);
  }
  for (int j = 0; j < n; j++)
    free(list[j]);
  free(list);
  return rc;
}

/* ---- loading, for the providers ------------------------------------------ */

struct trust_load {
  hr_trust_add_fn add;
  void *ud;
  size_t added;
};

static int add_block(const struct hr_pem_block *b, void *ud) {
  struct trust_load *l = ud;
  if (b->kind == HR_PEM_CERTIFICATE && l->add(b, l->ud))
    l->added++;
  return 0;
}

/* Every certificate of one file; -1 with errno when it cannot be read. */
static int load_file(const char *path, void *ud) {
  char *data = NULL;
  size_t len = 0;
  if (hr_file_read(path, &data, &len) != 0)
    return -1;
  hr_pem_each(data, len, add_block, ud);
  free(data);
  return 0;
}

static int load_dir_file(const char *path, void *ud) {
  load_file(path, ud);
  return 0;
}

static httpr_code unreadable(httpr_error *err, const char *what,
                             const char *path, const char *origin) {
  int e = errno;
  hr_fail(err, HTTPR_E_CA_FILE, "%s '%s' (from %s) cannot be read: %s", what,
          path, origin, strerror(e));
  hr_detail(err, "errno %d", e);
  return err->code;
}

httpr_code hr_trust_load(const struct hr_trust *t, hr_trust_add_fn add,
                         void *ud, httpr_error *err) {
  struct trust_load l = {.add = add, .ud = ud};
  if (!t->ca_file && !t->ca_dir) {
    hr_fail(err, HTTPR_E_CA_FILE, "no CA certificates configured");
    hr_hint(err, "give a CA file with --cacert or SSL_CERT_FILE");
    return err->code;
  }
  if (t->ca_file) {
    if (load_file(t->ca_file, &l) != 0)
      return unreadable(err, "CA file", t->ca_file, file_origin(t));
    if (l.added == 0) {
      hr_fail(err, HTTPR_E_CA_FILE,
              "CA file '%s' (from %s) holds no PEM certificate", t->ca_file,
              file_origin(t));
      hr_hint(err, "a CA file must hold PEM certificates "
                   "(\"-----BEGIN CERTIFICATE-----\")");
      return err->code;
    }
  }
  if (t->ca_dir) {
    size_t before = l.added;
    if (hr_trust_each_file(t->ca_dir, load_dir_file, &l) != 0)
      return unreadable(err, "CA directory", t->ca_dir, dir_origin(t));
    if (l.added == before)
      return hr_trust_dir_empty(err, t);
  }
  return HTTPR_OK;
}

httpr_code hr_trust_dir_empty(httpr_error *err, const struct hr_trust *t) {
  hr_fail(err, HTTPR_E_CA_FILE,
          "CA directory '%s' (from %s) holds no PEM certificate",
          t->ca_dir ? t->ca_dir : "", dir_origin(t));
  hr_hint(err, "a CA directory must hold PEM files");
  return err->code;
}
