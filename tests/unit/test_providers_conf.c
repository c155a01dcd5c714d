/* SPDX-License-Identifier: MIT */
/*
 * test_providers_conf.c - the parser and reader of the system's
 * providers.conf (api/providers_conf.c): the names of `order` exactly, in
 * order, with every separator and comment the format allows; each way a
 * file is refused, with its exact message and no names left behind; the
 * line and file size limits at their edges; and the files the reader
 * refuses before parsing (a directory, a FIFO, one too large, one it
 * cannot open: under a file, or of mode 0 when not run as root), and a
 * missing one, which is no error. Which provider wins
 * is tested by tests/check-default-provider.sh, one process per file.
 */
#include <fcntl.h>
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

#include "api/providers_conf.h"
#include "tests/unit/pki_files.h"

/* Parses a NUL-terminated text; the result's names, space-separated, in
 * names (or its error) for one exact comparison. */
static int parse(const char *text, struct hr_providers_conf *c) {
  memset(c, 0x5a, sizeof(*c)); /* nothing is left from before */
  return hr_providers_conf_parse(text, strlen(text), c);
}

static const char *joined(const struct hr_providers_conf *c) {
  static char buf[HR_CONF_MAX_NAMES * HR_CONF_NAME_SIZE];
  buf[0] = '\0';
  for (size_t i = 0; i < c->count; i++) {
    if (i)
      strcat(buf, " ");
    strcat(buf, c->names[i]);
  }
  return buf;
}

static void expect_names(const char *text, size_t count, const char *names) {
  struct hr_providers_conf c;
  assert_int_equal(parse(text, &c), 0);
  assert_string_equal(c.error, "");
  assert_int_equal(c.count, count);
  assert_string_equal(joined(&c), names);
}

static void expect_refused(const char *text, const char *error) {
  struct hr_providers_conf c;
  assert_int_equal(parse(text, &c), -1);
  assert_string_equal(c.error, error);
  assert_int_equal(c.count, 0);
}

static void order_in_order(void **state) {
  (void)state;
  expect_names("order = gnutls openssl mbedtls\n", 3, "gnutls openssl mbedtls");
  expect_names("order=mbedtls", 1, "mbedtls"); /* no spaces, no newline */
  expect_names("order = gnutls,openssl, mbedtls ,wolf_ssl2\n", 4,
               "gnutls openssl mbedtls wolf_ssl2");
  expect_names("\t order\t=\t,,gnutls\t\topenssl,,\t\n", 2, "gnutls openssl");
  expect_names("order = gnutls openssl\r\n", 2, "gnutls openssl"); /* CRLF */
  /* Unknown names are kept: which are present is the registry's call. */
  expect_names("order = nosuch mbedtls gnutls\n", 3, "nosuch mbedtls gnutls");
}

static void comments_and_blank_lines(void **state) {
  (void)state;
  expect_names("", 0, "");
  expect_names("\n\n   \n\t\n", 0, "");
  expect_names("# SPDX-License-Identifier: MIT\n# order = gnutls\n", 0, "");
  expect_names("# head\n\norder = gnutls # then openssl\n  # tail\n", 1,
               "gnutls");
  expect_names("order = openssl#gnutls\n", 1, "openssl");
}

/* The example make install puts in place sets nothing. */
static void installed_example_sets_nothing(void **state) {
  (void)state;
  struct hr_providers_conf c;
  char path[4096];
  snprintf(path, sizeof(path), "%s/etc/providers.conf", SRCDIR);
  assert_int_equal(hr_providers_conf_read(path, &c), 0);
  assert_string_equal(c.error, "");
  assert_int_equal(c.count, 0);
  assert_string_equal(c.path, path);
}

static void refused_settings(void **state) {
  (void)state;
  expect_refused("order = gnutls\n\nfoo = openssl\n",
                 "line 3: unknown setting \"foo\"");
  expect_refused("Order = gnutls\n", "line 1: unknown setting \"Order\"");
  expect_refused("orders = gnutls\n", "line 1: unknown setting \"orders\"");
  expect_refused("= gnutls\n", "line 1: unknown setting \"\"");
  expect_refused("gnutls\n", "line 1: unknown setting \"gnutls\"");
  expect_refused("order gnutls\n", "line 1: \"=\" expected after \"order\"");
  expect_refused("order\n", "line 1: \"=\" expected after \"order\"");
  expect_refused("order =\n", "line 1: order names no provider");
  expect_refused("order = , # none\n", "line 1: order names no provider");
  expect_refused("order = gnutls\norder = openssl\n",
                 "line 2: order given twice");
}

static void refused_names(void **state) {
  (void)state;
  expect_refused("order = GnuTLS\n", "line 1: bad provider name \"GnuTLS\"");
  expect_refused("order = gnutls ../x\n", "line 1: bad provider name \"../x\"");
  expect_refused("order = open-ssl\n",
                 "line 1: bad provider name \"open-ssl\"");
  expect_refused("order = gnutls = openssl\n",
                 "line 1: bad provider name \"=\"");
  /* 31 bytes is the longest name; 32 is refused. */
  expect_names("order = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", 1,
               "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  expect_refused("order = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
                 "line 1: provider name longer than 31 bytes");
  /* 16 names at most. */
  expect_names("order = a b c d e f g h i j k l m n o p\n", 16,
               "a b c d e f g h i j k l m n o p");
  expect_refused("order = a b c d e f g h i j k l m n o p q\n",
                 "line 1: more than 16 names");
}

/* What a message shows of the file: 32 bytes at most, unprintable bytes
 * as '?', a NUL byte included. */
static void messages_show_little(void **state) {
  (void)state;
  struct hr_providers_conf c;
  static const char nul[] = "order = gnu\0tls\n";
  assert_int_equal(hr_providers_conf_parse(nul, sizeof(nul) - 1, &c), -1);
  assert_string_equal(c.error, "line 1: bad provider name \"gnu?tls\"");
  expect_refused("\x1b[31mkey = x\n", "line 1: unknown setting \"?[31mkey\"");
  expect_refused("abcdefghijklmnopqrstuvwxyzabcdefghijklmnop = x\n",
                 "line 1: unknown setting "
                 "\"abcdefghijklmnopqrstuvwxyzabcdef...\"");
}

/* A line of 512 bytes (not counting its newline) is read; 513 refuse the
 * whole file, whatever came before, also as the last line. */
static void line_length_limit(void **state) {
  (void)state;
  char text[2048];
  const char head[] = "order = gnutls";
  memcpy(text, head, sizeof(head) - 1);
  memset(text + sizeof(head) - 1, ' ', HR_CONF_MAX_LINE - (sizeof(head) - 1));
  strcpy(text + HR_CONF_MAX_LINE, "\n");
  expect_names(text, 1, "gnutls");
  text[HR_CONF_MAX_LINE] = '\0'; /* no newline at the end */
  expect_names(text, 1, "gnutls");

  char longer[2048];
  snprintf(longer, sizeof(longer), "# fine\n%s \n", text);
  expect_refused(longer, "line 2: longer than 512 bytes");
  snprintf(longer, sizeof(longer), "# fine\n%s ", text);
  expect_refused(longer, "line 2: longer than 512 bytes");
  /* A comment line is a line too. */
  memset(longer, '#', 600);
  strcpy(longer + 600, "\norder = gnutls\n");
  expect_refused(longer, "line 1: longer than 512 bytes");
}

static void reads_a_file(void **state) {
  (void)state;
  struct hr_providers_conf c;
  const char *path = path_of("ok.conf");
  assert_true(write_text("ok.conf", "order = mbedtls gnutls\n"));
  assert_int_equal(hr_providers_conf_read(path, &c), 0);
  assert_string_equal(c.path, path);
  assert_string_equal(joined(&c), "mbedtls gnutls");
  assert_string_equal(c.error, "");
  /* The parse error of a file, through the reader. */
  assert_true(write_text("ok.conf", "foo = bar\n"));
  assert_int_equal(hr_providers_conf_read(path, &c), -1);
  assert_string_equal(c.error, "line 1: unknown setting \"foo\"");
  assert_int_equal(c.count, 0);
  unlink(path);
}

static void missing_file_is_no_error(void **state) {
  (void)state;
  struct hr_providers_conf c;
  const char *path = path_of("missing.conf");
  assert_int_equal(hr_providers_conf_read(path, &c), 0);
  assert_string_equal(c.path, path);
  assert_int_equal(c.count, 0);
  assert_string_equal(c.error, "");
}

static void not_a_regular_file(void **state) {
  (void)state;
  struct hr_providers_conf c;
  assert_int_equal(hr_providers_conf_read(path_of("."), &c), -1);
  assert_string_equal(c.error, "not a regular file");
  assert_int_equal(c.count, 0);
  /* A FIFO with no writer: refused at once, never waited on. */
  const char *fifo = path_of("fifo.conf");
  assert_int_equal(mkfifo(fifo, 0600), 0);
  assert_int_equal(hr_providers_conf_read(fifo, &c), -1);
  assert_string_equal(c.error, "not a regular file");
  unlink(fifo);
}

/* 65536 bytes are read; one more refuses the file before it is parsed. */
static void file_size_limit(void **state) {
  (void)state;
  struct hr_providers_conf c;
  size_t size = HR_CONF_MAX_SIZE + 1;
  char *text = malloc(size + 64);
  assert_non_null(text);
  for (size_t i = 0; i < size; i += 64) { /* comment lines of 64 bytes */
    memset(text + i, '#', 63);
    text[i + 63] = '\n';
  }
  const char order[] = "order = gnutls\n";
  memcpy(text, order, sizeof(order) - 1);
  const char *path = path_of("big.conf");
  assert_true(write_data("big.conf", text, HR_CONF_MAX_SIZE, "wb"));
  assert_int_equal(hr_providers_conf_read(path, &c), 0);
  assert_string_equal(joined(&c), "gnutls");
  text[HR_CONF_MAX_SIZE] = '\n';
  assert_true(write_data("big.conf", text, size, "wb"));
  assert_int_equal(hr_providers_conf_read(path, &c), -1);
  assert_string_equal(c.error, "larger than 65536 bytes");
  assert_int_equal(c.count, 0);
  unlink(path);
  free(text);
}

static void unopenable_file(void **state) {
  (void)state;
  struct hr_providers_conf c;
  const char *path = path_of("locked.conf");
  assert_true(write_text("locked.conf", "order = gnutls\n"));
  /* A path through a file: not missing, and it cannot be opened. */
  char below[256];
  snprintf(below, sizeof(below), "%s/x", path);
  assert_int_equal(hr_providers_conf_read(below, &c), -1);
  assert_string_equal(c.error, "cannot be opened: Not a directory");
  assert_int_equal(c.count, 0);
  /* Mode 0, for anyone but root (who reads it all the same). */
  assert_int_equal(chmod(path, 0), 0);
  if (geteuid() != 0) {
    assert_int_equal(hr_providers_conf_read(path, &c), -1);
    assert_string_equal(c.error, "cannot be opened: Permission denied");
    assert_int_equal(c.count, 0);
  }
  unlink(path);
}

int main(void) {
  if (!pki_dir_create("httpr-conf"))
    return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(order_in_order),
      cmocka_unit_test(comments_and_blank_lines),
      cmocka_unit_test(installed_example_sets_nothing),
      cmocka_unit_test(refused_settings),
      cmocka_unit_test(refused_names),
      cmocka_unit_test(messages_show_little),
      cmocka_unit_test(line_length_limit),
      cmocka_unit_test(reads_a_file),
      cmocka_unit_test(missing_file_is_no_error),
      cmocka_unit_test(not_a_regular_file),
      cmocka_unit_test(file_size_limit),
      cmocka_unit_test(unopenable_file),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  pki_dir_remove();
  return failed;
}
