/* SPDX-License-Identifier: MIT */
/*
 * test_keylog.c - the NSS key log: line formatting (lowercase hex, exact
 * buffer bounds), the opt-in rules (config file > SSLKEYLOGFILE > nothing,
 * empty variable unset, unopenable variable ignored with a warning,
 * unopenable config file an error), append mode and 0600 creation, the
 * files refused (a symbolic link, not a regular file, other hard links,
 * writable by group or others, another user's) with their messages and
 * nothing written anywhere, and whole lines from many threads at once.
 */
#include <errno.h>
#include <pthread.h>
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

#include "backends/keylog.h"

static char tmpdir[64];

static const char *tmp_path(const char *name) {
  static char buf[4][128];
  static int i;
  i = (i + 1) % 4;
  snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
  return buf[i];
}

static const char *const file_names[] = {
    "a.log",      "b.log",     "env.log",    "threads.log", "mode.log",
    "target.log", "link.log",  "dangle.log", "gone.log",    "fifo.log",
    "other.log",  "group.log", "world.log",  "hard.log",    "hard2.log"};

static int setup(void **state) {
  (void)state;
  snprintf(tmpdir, sizeof(tmpdir), "/tmp/httpr-keylog-XXXXXX");
  return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(file_names) / sizeof(file_names[0]); i++)
    unlink(tmp_path(file_names[i]));
  rmdir(tmp_path("dir.log"));
  return rmdir(tmpdir);
}

/* Every test starts without SSLKEYLOGFILE and without leftover files. */
static int clean(void **state) {
  (void)state;
  unsetenv("SSLKEYLOGFILE");
  for (size_t i = 0; i < sizeof(file_names) / sizeof(file_names[0]); i++)
    unlink(tmp_path(file_names[i]));
  rmdir(tmp_path("dir.log"));
  return 0;
}

/* The file's contents (NUL-terminated, malloc'd), or NULL when absent. */
static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 1 << 20;
  char *buf = malloc(cap + 1);
  assert_non_null(buf);
  size_t n = fread(buf, 1, cap, f);
  fclose(f);
  buf[n] = '\0';
  return buf;
}

static void format_line(void **state) {
  (void)state;
  unsigned char random[32], secret[48];
  for (size_t i = 0; i < sizeof(random); i++)
    random[i] = (unsigned char)i;
  for (size_t i = 0; i < sizeof(secret); i++)
    secret[i] = (unsigned char)(0xff - i);
  char out[256];
  size_t n = hr_keylog_format(out, sizeof(out), "CLIENT_TRAFFIC_SECRET_0",
                              random, sizeof(random), secret, sizeof(secret));
  const char *want =
      "CLIENT_TRAFFIC_SECRET_0 "
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f "
      "fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0efeeedecebeae9e8e7e6e5e4e3e2e1e0"
      "dfdedddcdbdad9d8d7d6d5d4d3d2d1d0";
  assert_string_equal(out, want);
  assert_int_equal(n, strlen(want));
}

static void format_bounds(void **state) {
  (void)state;
  const unsigned char r[2] = {0xab, 0xcd};
  const unsigned char s[1] = {0x0f};
  /* "L abcd 0f" is 9 bytes: 10 with the NUL fit, 9 do not. */
  char out[16];
  memset(out, 'x', sizeof(out));
  assert_int_equal(hr_keylog_format(out, 10, "L", r, 2, s, 1), 9);
  assert_string_equal(out, "L abcd 0f");
  memset(out, 'x', sizeof(out));
  assert_int_equal(hr_keylog_format(out, 9, "L", r, 2, s, 1), 0);
  assert_int_equal(out[0], '\0');
  assert_int_equal(out[1], 'x');
  assert_int_equal(hr_keylog_format(out, 0, "L", r, 2, s, 1), 0);
  assert_int_equal(out[1], 'x');
}

static void nothing_without_opt_in(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_keylog *log = (struct hr_keylog *)&err; /* must be reset */
  assert_int_equal(hr_keylog_open(NULL, &log, &err, NULL), HTTPR_OK);
  assert_null(log);
  setenv("SSLKEYLOGFILE", "", 1);
  log = (struct hr_keylog *)&err;
  assert_int_equal(hr_keylog_open(NULL, &log, &err, NULL), HTTPR_OK);
  assert_null(log);
  /* A NULL log takes lines and does nothing. */
  hr_keylog_write_line(NULL, "CLIENT_RANDOM 00 00");
  hr_keylog_close(NULL);
}

static void config_file_appends_lines(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_keylog *log = NULL;
  const char *path = tmp_path("a.log");
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("# earlier\n", f);
  fclose(f);
  assert_int_equal(hr_keylog_open(path, &log, &err, NULL), HTTPR_OK);
  assert_non_null(log);
  hr_keylog_write_line(log, "CLIENT_RANDOM 0a0b 0c0d");
  hr_keylog_write_line(log, "SERVER_TRAFFIC_SECRET_0 01 02");
  hr_keylog_close(log);
  char *data = slurp(path);
  assert_string_equal(data, "# earlier\n"
                            "CLIENT_RANDOM 0a0b 0c0d\n"
                            "SERVER_TRAFFIC_SECRET_0 01 02\n");
  free(data);
}

static void created_private(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_keylog *log = NULL;
  mode_t old = umask(0);
  httpr_code rc = hr_keylog_open(tmp_path("mode.log"), &log, &err, NULL);
  umask(old);
  assert_int_equal(rc, HTTPR_OK);
  hr_keylog_close(log);
  struct stat st;
  assert_int_equal(stat(tmp_path("mode.log"), &st), 0);
  assert_int_equal(st.st_mode & 07777, 0600);
}

static void config_wins_over_variable(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_keylog *log = NULL;
  setenv("SSLKEYLOGFILE", tmp_path("env.log"), 1);
  assert_int_equal(hr_keylog_open(tmp_path("b.log"), &log, &err, NULL),
                   HTTPR_OK);
  hr_keylog_write_line(log, "X 00 11");
  hr_keylog_close(log);
  char *data = slurp(tmp_path("b.log"));
  assert_string_equal(data, "X 00 11\n");
  free(data);
  assert_null(slurp(tmp_path("env.log")));
}

static void variable_used_without_config(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_keylog *log = NULL;
  setenv("SSLKEYLOGFILE", tmp_path("env.log"), 1);
  assert_int_equal(hr_keylog_open(NULL, &log, &err, NULL), HTTPR_OK);
  assert_non_null(log);
  hr_keylog_write_line(log, "Y 22 33");
  hr_keylog_close(log);
  char *data = slurp(tmp_path("env.log"));
  assert_string_equal(data, "Y 22 33\n");
  free(data);
}

static void unopenable_variable_is_ignored(void **state) {
  (void)state;
  httpr_error err = {0}, warning = {0};
  struct hr_keylog *log = (struct hr_keylog *)&err;
  const char *path = tmp_path("no-such-dir/k.log");
  setenv("SSLKEYLOGFILE", path, 1);
  assert_int_equal(hr_keylog_open(NULL, &log, &err, NULL), HTTPR_OK);
  assert_null(log);
  assert_int_equal(err.code, HTTPR_OK);
  /* The reason goes to whoever asks for it. */
  log = (struct hr_keylog *)&err;
  assert_int_equal(hr_keylog_open(NULL, &log, &err, &warning), HTTPR_OK);
  assert_null(log);
  assert_int_equal(err.code, HTTPR_OK);
  char want[256];
  snprintf(want, sizeof(want),
           "key log file '%s' (from SSLKEYLOGFILE) cannot be opened: No such "
           "file or directory; no key log is written",
           path);
  assert_int_equal(warning.code, HTTPR_E_INVALID);
  assert_string_equal(warning.message, want);
}

static void unopenable_config_file_fails(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_keylog *log = (struct hr_keylog *)&err;
  const char *path = tmp_path("no-such-dir/k.log");
  char want[256];
  snprintf(want, sizeof(want),
           "key log file '%s' cannot be opened: No such file or directory",
           path);
  assert_int_equal(hr_keylog_open(path, &log, &err, NULL), HTTPR_E_INVALID);
  assert_null(log);
  assert_int_equal(err.code, HTTPR_E_INVALID);
  assert_string_equal(err.message, want);
  assert_string_equal(err.detail, "errno 2");
}

/* ---- files refused ------------------------------------------------------ */

static void make_file(const char *name, mode_t mode) {
  FILE *f = fopen(tmp_path(name), "w");
  assert_non_null(f);
  fclose(f);
  assert_int_equal(chmod(tmp_path(name), mode), 0);
}

static off_t size_of(const char *name) {
  struct stat st;
  return lstat(tmp_path(name), &st) == 0 ? st.st_size : -1;
}

/* The config's file is refused with HTTPR_E_INVALID and why. */
static void expect_refused(const char *name, const char *why) {
  httpr_error err = {0};
  struct hr_keylog *log = (struct hr_keylog *)&err;
  char want[256];
  snprintf(want, sizeof(want), "key log file '%s' refused: %s", tmp_path(name),
           why);
  assert_int_equal(hr_keylog_open(tmp_path(name), &log, &err, NULL),
                   HTTPR_E_INVALID);
  assert_null(log);
  assert_string_equal(err.message, want);
  assert_string_equal(err.hint,
                      "a key log holds session secrets: name a regular file "
                      "of your own that only you can write (created 0600 when "
                      "absent)");
}

/* A link to an existing file: the target is never appended to. */
static void symlink_refused(void **state) {
  (void)state;
  make_file("target.log", 0600);
  assert_int_equal(symlink(tmp_path("target.log"), tmp_path("link.log")), 0);
  expect_refused("link.log", "it is a symbolic link");
  assert_int_equal(size_of("target.log"), 0);
}

/* A dangling link: its target is not created (O_CREAT alone would). */
static void dangling_symlink_refused(void **state) {
  (void)state;
  assert_int_equal(symlink(tmp_path("gone.log"), tmp_path("dangle.log")), 0);
  expect_refused("dangle.log", "it is a symbolic link");
  assert_int_equal(size_of("gone.log"), -1);
}

/* The variable's link: no failure, no key log, a warning, the target
 * untouched. */
static void symlink_variable_warns(void **state) {
  (void)state;
  httpr_error err = {0}, warning = {0};
  struct hr_keylog *log = (struct hr_keylog *)&err;
  make_file("target.log", 0600);
  assert_int_equal(symlink(tmp_path("target.log"), tmp_path("link.log")), 0);
  setenv("SSLKEYLOGFILE", tmp_path("link.log"), 1);
  assert_int_equal(hr_keylog_open(NULL, &log, &err, &warning), HTTPR_OK);
  assert_null(log);
  assert_int_equal(err.code, HTTPR_OK);
  char want[256];
  snprintf(want, sizeof(want),
           "key log file '%s' (from SSLKEYLOGFILE) refused: it is a symbolic "
           "link; no key log is written",
           tmp_path("link.log"));
  assert_int_equal(warning.code, HTTPR_E_INVALID);
  assert_string_equal(warning.message, want);
  assert_int_equal(size_of("target.log"), 0);
}

/* A FIFO is opened without blocking, then refused; a directory too. */
static void not_regular_refused(void **state) {
  (void)state;
  assert_int_equal(mkfifo(tmp_path("fifo.log"), 0600), 0);
  expect_refused("fifo.log", "it is not a regular file");
  assert_int_equal(mkdir(tmp_path("dir.log"), 0700), 0);
  expect_refused("dir.log", "it is not a regular file");
}

static void writable_by_others_refused(void **state) {
  (void)state;
  make_file("group.log", 0620);
  expect_refused("group.log", "group or others may write to it (mode 0620)");
  make_file("world.log", 0606);
  expect_refused("world.log", "group or others may write to it (mode 0606)");
  assert_int_equal(size_of("group.log"), 0);
  /* Readable by others is the user's choice (a 0644 file works). */
  make_file("a.log", 0644);
  httpr_error err = {0};
  struct hr_keylog *log = NULL;
  assert_int_equal(hr_keylog_open(tmp_path("a.log"), &log, &err, NULL),
                   HTTPR_OK);
  hr_keylog_close(log);
}

/* A second name for a file elsewhere would receive the secrets there. */
static void hard_link_refused(void **state) {
  (void)state;
  make_file("hard.log", 0600);
  assert_int_equal(link(tmp_path("hard.log"), tmp_path("hard2.log")), 0);
  expect_refused("hard2.log", "it has 2 hard links");
}

/* Another user's file (needs root to make one; skipped otherwise). */
static void other_users_file_refused(void **state) {
  (void)state;
  make_file("other.log", 0600);
  if (geteuid() != 0 || chown(tmp_path("other.log"), 65534, 65534) != 0) {
    skip();
    return;
  }
  expect_refused("other.log", "it belongs to another user (uid 65534)");
  assert_int_equal(size_of("other.log"), 0);
}

/* ---- many threads, one file ---------------------------------------------- */

#define THREADS 8
#define LINES_PER_THREAD 200

struct writer {
  struct hr_keylog *log;
  int id;
};

static void *write_lines(void *arg) {
  struct writer *w = arg;
  unsigned char random[32], secret[32];
  char line[256];
  for (int i = 0; i < LINES_PER_THREAD; i++) {
    memset(random, w->id, sizeof(random));
    memset(secret, i, sizeof(secret));
    hr_keylog_format(line, sizeof(line), "CLIENT_RANDOM", random,
                     sizeof(random), secret, sizeof(secret));
    hr_keylog_write_line(w->log, line);
  }
  return NULL;
}

/* A whole line as write_lines makes it: the label, 32 equal random
 * bytes and 32 equal secret bytes in hex. */
static int line_is_valid(const char *line, size_t len) {
  static const char prefix[] = "CLIENT_RANDOM ";
  if (len != strlen(prefix) + 64 + 1 + 64 ||
      memcmp(line, prefix, strlen(prefix)) != 0)
    return 0;
  const char *r = line + strlen(prefix);
  const char *s = r + 65;
  for (int i = 2; i < 64; i++) {
    if (r[i] != r[i % 2] || s[i] != s[i % 2])
      return 0;
  }
  return r[64] == ' ';
}

static void whole_lines_from_threads(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_keylog *log = NULL;
  assert_int_equal(hr_keylog_open(tmp_path("threads.log"), &log, &err, NULL),
                   HTTPR_OK);
  pthread_t tid[THREADS];
  struct writer w[THREADS];
  for (int t = 0; t < THREADS; t++) {
    w[t] = (struct writer){.log = log, .id = t + 1};
    assert_int_equal(pthread_create(&tid[t], NULL, write_lines, &w[t]), 0);
  }
  for (int t = 0; t < THREADS; t++)
    pthread_join(tid[t], NULL);
  hr_keylog_close(log);
  char *data = slurp(tmp_path("threads.log"));
  assert_non_null(data);
  int per_thread[THREADS] = {0};
  size_t lines = 0;
  for (char *p = data, *nl; (nl = strchr(p, '\n')); p = nl + 1) {
    assert_true(line_is_valid(p, (size_t)(nl - p)));
    int id = (p[14] - '0') * 16 + (p[15] - '0');
    assert_in_range(id, 1, THREADS);
    per_thread[id - 1]++;
    lines++;
  }
  assert_int_equal(lines, THREADS * LINES_PER_THREAD);
  assert_int_equal(strlen(data), lines * (14 + 64 + 1 + 64 + 1));
  for (int t = 0; t < THREADS; t++)
    assert_int_equal(per_thread[t], LINES_PER_THREAD);
  free(data);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(format_line, clean),
      cmocka_unit_test_setup(format_bounds, clean),
      cmocka_unit_test_setup(nothing_without_opt_in, clean),
      cmocka_unit_test_setup(config_file_appends_lines, clean),
      cmocka_unit_test_setup(created_private, clean),
      cmocka_unit_test_setup(config_wins_over_variable, clean),
      cmocka_unit_test_setup(variable_used_without_config, clean),
      cmocka_unit_test_setup(unopenable_variable_is_ignored, clean),
      cmocka_unit_test_setup(unopenable_config_file_fails, clean),
      cmocka_unit_test_setup(symlink_refused, clean),
      cmocka_unit_test_setup(dangling_symlink_refused, clean),
      cmocka_unit_test_setup(symlink_variable_warns, clean),
      cmocka_unit_test_setup(not_regular_refused, clean),
      cmocka_unit_test_setup(writable_by_others_refused, clean),
      cmocka_unit_test_setup(hard_link_refused, clean),
      cmocka_unit_test_setup(other_users_file_refused, clean),
      cmocka_unit_test_setup(whole_lines_from_threads, clean),
  };
  return cmocka_run_group_tests_name("keylog", tests, setup, teardown);
}
