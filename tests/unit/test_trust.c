/* SPDX-License-Identifier: MIT */
/*
 * test_trust.c - trust-source resolution in the README's order (config >
 * HTTPR_CA_BUNDLE > SSL_CERT_FILE / SSL_CERT_DIR > system), empty variables
 * counting as unset, the exact messages for unreadable or certificate-less
 * sources, and the CA directory walk (sorted, hidden files and
 * subdirectories skipped, symlinks followed). The files hold dummy PEM
 * armour only: trust.c never parses a certificate.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "backends/trust.h"

#ifndef HTTPR_SYSTEM_CA_BUNDLE
#define HTTPR_SYSTEM_CA_BUNDLE ""
#endif
#ifndef HTTPR_SYSTEM_CA_PATH
#define HTTPR_SYSTEM_CA_PATH ""
#endif

#define PEM_CERT                                                               \
  "-----BEGIN CERTIFICATE-----\nMIIBdummy\n-----END CERTIFICATE-----\n"

static char tmpdir[64];

static const char *tmp_path(const char *name) {
  static char buf[8][160];
  static int i;
  i = (i + 1) % 8;
  snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
  return buf[i];
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  assert_int_equal(fclose(f), 0);
}

static const char *const files[] = {
    "ca.pem",       "other.pem",       "not-pem.txt",    "dir/b.pem",
    "dir/a.pem",    "dir/.hidden.pem", "dir/c-link.pem", "dir/sub/x.pem",
    "dir/dangling", "dir/README.txt",
};

static int setup(void **state) {
  (void)state;
  snprintf(tmpdir, sizeof(tmpdir), "/tmp/httpr-trust-XXXXXX");
  if (!mkdtemp(tmpdir))
    return -1;
  if (mkdir(tmp_path("dir"), 0700) || mkdir(tmp_path("dir/sub"), 0700) ||
      mkdir(tmp_path("empty"), 0700))
    return -1;
  write_file(tmp_path("ca.pem"), "# bundle\n" PEM_CERT);
  write_file(tmp_path("other.pem"), PEM_CERT PEM_CERT);
  write_file(tmp_path("not-pem.txt"), "no PEM block here\n");
  write_file(tmp_path("dir/b.pem"), PEM_CERT);
  write_file(tmp_path("dir/a.pem"), PEM_CERT);
  write_file(tmp_path("dir/.hidden.pem"), PEM_CERT);
  write_file(tmp_path("dir/README.txt"), "not a certificate\n");
  write_file(tmp_path("dir/sub/x.pem"), PEM_CERT);
  if (symlink("a.pem", tmp_path("dir/c-link.pem")) ||
      symlink("missing", tmp_path("dir/dangling")))
    return -1;
  return 0;
}

static int teardown(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
    unlink(tmp_path(files[i]));
  rmdir(tmp_path("dir/sub"));
  rmdir(tmp_path("dir"));
  rmdir(tmp_path("empty"));
  return rmdir(tmpdir);
}

static int clear_env(void **state) {
  (void)state;
  unsetenv("HTTPR_CA_BUNDLE");
  unsetenv("SSL_CERT_FILE");
  unsetenv("SSL_CERT_DIR");
  return 0;
}

/* Resolves and expects success with exactly these fields. */
static void expect_source(const char *cfg_file, const char *cfg_dir,
                          const char *file, const char *dir,
                          const char *origin) {
  struct hr_trust t;
  httpr_error err = {0};
  assert_int_equal(hr_trust_resolve(cfg_file, cfg_dir, &t, &err), HTTPR_OK);
  if (file)
    assert_string_equal(t.ca_file, file);
  else
    assert_null(t.ca_file);
  if (dir)
    assert_string_equal(t.ca_dir, dir);
  else
    assert_null(t.ca_dir);
  assert_string_equal(t.origin, origin);
  hr_trust_free(&t);
  assert_null(t.ca_file);
  assert_null(t.ca_dir);
  hr_trust_free(&t); /* twice is harmless */
}

/* Resolves and expects HTTPR_E_CA_FILE with this message and hint. */
static void expect_failure(const char *cfg_file, const char *cfg_dir,
                           const char *message, const char *hint) {
  struct hr_trust t;
  httpr_error err = {0};
  assert_int_equal(hr_trust_resolve(cfg_file, cfg_dir, &t, &err),
                   HTTPR_E_CA_FILE);
  assert_int_equal(err.code, HTTPR_E_CA_FILE);
  assert_string_equal(err.message, message);
  if (hint)
    assert_string_equal(err.hint, hint);
  assert_null(t.ca_file);
  assert_null(t.ca_dir);
}

static void config_file(void **state) {
  (void)state;
  expect_source(tmp_path("ca.pem"), NULL, tmp_path("ca.pem"), NULL, "config");
}

static void config_dir(void **state) {
  (void)state;
  expect_source(NULL, tmp_path("dir"), NULL, tmp_path("dir"), "config");
}

static void config_file_and_dir(void **state) {
  (void)state;
  expect_source(tmp_path("ca.pem"), tmp_path("dir"), tmp_path("ca.pem"),
                tmp_path("dir"), "config");
}

static void config_wins_over_environment(void **state) {
  (void)state;
  setenv("HTTPR_CA_BUNDLE", tmp_path("other.pem"), 1);
  setenv("SSL_CERT_FILE", tmp_path("other.pem"), 1);
  setenv("SSL_CERT_DIR", tmp_path("dir"), 1);
  expect_source(tmp_path("ca.pem"), NULL, tmp_path("ca.pem"), NULL, "config");
}

static void bundle_variable_wins_over_ssl_cert(void **state) {
  (void)state;
  setenv("HTTPR_CA_BUNDLE", tmp_path("ca.pem"), 1);
  setenv("SSL_CERT_FILE", tmp_path("other.pem"), 1);
  setenv("SSL_CERT_DIR", tmp_path("dir"), 1);
  expect_source(NULL, NULL, tmp_path("ca.pem"), NULL, "HTTPR_CA_BUNDLE");
}

static void ssl_cert_file_and_dir_together(void **state) {
  (void)state;
  setenv("SSL_CERT_FILE", tmp_path("other.pem"), 1);
  setenv("SSL_CERT_DIR", tmp_path("dir"), 1);
  expect_source(NULL, NULL, tmp_path("other.pem"), tmp_path("dir"),
                "SSL_CERT_FILE");
}

static void ssl_cert_dir_alone(void **state) {
  (void)state;
  setenv("SSL_CERT_DIR", tmp_path("dir"), 1);
  expect_source(NULL, NULL, NULL, tmp_path("dir"), "SSL_CERT_DIR");
}

static void empty_variables_are_unset(void **state) {
  (void)state;
  setenv("HTTPR_CA_BUNDLE", "", 1);
  setenv("SSL_CERT_FILE", "", 1);
  setenv("SSL_CERT_DIR", tmp_path("dir"), 1);
  expect_source(NULL, NULL, NULL, tmp_path("dir"), "SSL_CERT_DIR");
}

static void missing_file(void **state) {
  (void)state;
  char want[320];
  const char *path = tmp_path("missing.pem");
  snprintf(want, sizeof(want),
           "CA file '%s' (from config) cannot be read: No such file or "
           "directory",
           path);
  expect_failure(path, NULL, want, "check the path given with --cacert");
  setenv("SSL_CERT_FILE", path, 1);
  snprintf(want, sizeof(want),
           "CA file '%s' (from SSL_CERT_FILE) cannot be read: No such file "
           "or directory",
           path);
  expect_failure(NULL, NULL, want,
                 "the variable SSL_CERT_FILE names it: fix or unset it");
}

static void directory_given_as_file(void **state) {
  (void)state;
  char want[320];
  setenv("HTTPR_CA_BUNDLE", tmp_path("dir"), 1);
  snprintf(want, sizeof(want),
           "CA file '%s' (from HTTPR_CA_BUNDLE) cannot be read: Is a "
           "directory",
           tmp_path("dir"));
  expect_failure(NULL, NULL, want, NULL);
}

static void file_without_certificate(void **state) {
  (void)state;
  char want[320];
  setenv("SSL_CERT_FILE", tmp_path("not-pem.txt"), 1);
  snprintf(want, sizeof(want),
           "CA file '%s' (from SSL_CERT_FILE) holds no PEM certificate",
           tmp_path("not-pem.txt"));
  expect_failure(NULL, NULL, want,
                 "a CA file must hold PEM certificates "
                 "(\"-----BEGIN CERTIFICATE-----\")");
}

static void missing_dir(void **state) {
  (void)state;
  char want[320];
  setenv("SSL_CERT_FILE", tmp_path("ca.pem"), 1);
  setenv("SSL_CERT_DIR", tmp_path("nodir"), 1);
  /* The directory's message names its own variable. */
  snprintf(want, sizeof(want),
           "CA directory '%s' (from SSL_CERT_DIR) cannot be read: No such "
           "file or directory",
           tmp_path("nodir"));
  expect_failure(NULL, NULL, want,
                 "the variable SSL_CERT_DIR names it: fix or unset it");
  clear_env(NULL);
  snprintf(want, sizeof(want),
           "CA directory '%s' (from config) cannot be read: Not a directory",
           tmp_path("ca.pem"));
  expect_failure(NULL, tmp_path("ca.pem"), want,
                 "check the path given with --capath");
}

static void dir_empty_message(void **state) {
  (void)state;
  char want[320];
  httpr_error err = {0};
  struct hr_trust t = {.ca_dir = (char *)tmp_path("empty"), .origin = "config"};
  snprintf(want, sizeof(want),
           "CA directory '%s' (from config) holds no PEM certificate",
           tmp_path("empty"));
  assert_int_equal(hr_trust_dir_empty(&err, &t), HTTPR_E_CA_FILE);
  assert_int_equal(err.code, HTTPR_E_CA_FILE);
  assert_string_equal(err.message, want);
  assert_string_equal(err.hint, "a CA directory must hold PEM files");
  /* With SSL_CERT_FILE and SSL_CERT_DIR both set, the directory came from
   * SSL_CERT_DIR. */
  t.origin = "SSL_CERT_FILE";
  snprintf(want, sizeof(want),
           "CA directory '%s' (from SSL_CERT_DIR) holds no PEM certificate",
           tmp_path("empty"));
  hr_trust_dir_empty(&err, &t);
  assert_string_equal(err.message, want);
}

static int is_regular(const char *path) {
  struct stat st;
  return path[0] && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int is_dir(const char *path) {
  struct stat st;
  return path[0] && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Without any setting the system store found at configure time is used,
 * the bundle before the directory; without one there is no source. */
static void system_store_or_nothing(void **state) {
  (void)state;
  if (is_regular(HTTPR_SYSTEM_CA_BUNDLE)) {
    expect_source(NULL, NULL, HTTPR_SYSTEM_CA_BUNDLE, NULL, "system");
  } else if (is_dir(HTTPR_SYSTEM_CA_PATH)) {
    expect_source(NULL, NULL, NULL, HTTPR_SYSTEM_CA_PATH, "system");
  } else {
    expect_failure(NULL, NULL, "no CA certificates configured",
                   "give a CA file with --cacert or SSL_CERT_FILE");
  }
}

/* ---- hr_trust_each_file -------------------------------------------------- */

struct walk {
  char names[8][64];
  int n;
  int stop_at; /* return 7 on this call (1-based); 0: never */
};

static int visit(const char *path, void *ud) {
  struct walk *w = ud;
  size_t dlen = strlen(tmpdir) + strlen("/dir/");
  assert_true(strlen(path) > dlen);
  assert_memory_equal(path, tmp_path("dir/"), dlen);
  if (w->n < 8)
    snprintf(w->names[w->n], sizeof(w->names[0]), "%s", path + dlen);
  w->n++;
  return w->stop_at && w->n == w->stop_at ? 7 : 0;
}

static void each_file_sorted_regular_visible(void **state) {
  (void)state;
  struct walk w = {0};
  assert_int_equal(hr_trust_each_file(tmp_path("dir"), visit, &w), 0);
  /* Byte order: uppercase before lowercase; no hidden file, no
   * subdirectory, no dangling link; a link to a file counts. */
  assert_int_equal(w.n, 4);
  assert_string_equal(w.names[0], "README.txt");
  assert_string_equal(w.names[1], "a.pem");
  assert_string_equal(w.names[2], "b.pem");
  assert_string_equal(w.names[3], "c-link.pem");
}

static void each_file_trailing_slash(void **state) {
  (void)state;
  struct walk w = {0};
  assert_int_equal(hr_trust_each_file(tmp_path("dir/"), visit, &w), 0);
  assert_int_equal(w.n, 4);
  assert_string_equal(w.names[1], "a.pem");
}

static void each_file_stops_early(void **state) {
  (void)state;
  struct walk w = {.stop_at = 2};
  assert_int_equal(hr_trust_each_file(tmp_path("dir"), visit, &w), 7);
  assert_int_equal(w.n, 2);
}

static void each_file_missing_dir(void **state) {
  (void)state;
  struct walk w = {0};
  errno = 0;
  assert_int_equal(hr_trust_each_file(tmp_path("nodir"), visit, &w), -1);
  assert_int_equal(errno, ENOENT);
  assert_int_equal(w.n, 0);
  struct walk e = {0};
  assert_int_equal(hr_trust_each_file(tmp_path("empty"), visit, &e), 0);
  assert_int_equal(e.n, 0);
}

#define T(f) cmocka_unit_test_setup(f, clear_env)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(config_file),
      T(config_dir),
      T(config_file_and_dir),
      T(config_wins_over_environment),
      T(bundle_variable_wins_over_ssl_cert),
      T(ssl_cert_file_and_dir_together),
      T(ssl_cert_dir_alone),
      T(empty_variables_are_unset),
      T(missing_file),
      T(directory_given_as_file),
      T(file_without_certificate),
      T(missing_dir),
      T(dir_empty_message),
      T(system_store_or_nothing),
      T(each_file_sorted_regular_visible),
      T(each_file_trailing_slash),
      T(each_file_stops_early),
      T(each_file_missing_dir),
  };
  return cmocka_run_group_tests_name("trust", tests, setup, teardown);
}
