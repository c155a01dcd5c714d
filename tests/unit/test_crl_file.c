/* SPDX-License-Identifier: MIT */
/*
 * test_crl_file.c - hr_crl_load without a TLS library: which blocks a
 * provider is handed (CRL blocks only, in order), that the first one it
 * refuses stops the load and is named by its number with the provider's
 * words, and the messages and hints of a file that cannot be read or holds
 * no PEM CRL. The blocks hold dummy base64: no CRL is parsed here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "backends/crl_file.h"
#include "tests/unit/pki_files.h"

#define CRL(x) "-----BEGIN X509 CRL-----\n" x "\n-----END X509 CRL-----\n"
#define CERT "-----BEGIN CERTIFICATE-----\nQUFB\n-----END CERTIFICATE-----\n"

/* What the stand-in provider was handed; it refuses block `refuse`
 * (counting from 1; 0: none) with the code -7. */
struct taken {
  size_t n;
  char first_bytes[4][8];
  size_t refuse;
};

static int take(const struct hr_pem_block *b, void *ud) {
  struct taken *t = ud;
  size_t at = t->n++;
  assert_int_equal(b->kind, HR_PEM_CRL);
  if (at < 4) {
    const char *body = memchr(b->begin, '\n', b->len) + 1;
    snprintf(t->first_bytes[at], sizeof(t->first_bytes[at]), "%.4s", body);
  }
  return t->refuse == t->n ? -7 : 0;
}

static void words(char *out, size_t cap, int code) {
  snprintf(out, cap, "lib: code %d", code);
}

static void every_crl_in_order(void **state) {
  (void)state;
  assert_int_equal(
      write_text("two.pem", CERT CRL("QkJC") "text\n" CERT CRL("Q0ND")), 1);
  struct taken t = {0};
  httpr_error err = {0};
  assert_int_equal(hr_crl_load(path_of("two.pem"), take, &t, words, &err),
                   HTTPR_OK);
  assert_int_equal(t.n, 2);
  assert_string_equal(t.first_bytes[0], "QkJC");
  assert_string_equal(t.first_bytes[1], "Q0ND");
}

/* The second of three is refused: the third is never handed over. */
static void first_refusal_stops(void **state) {
  (void)state;
  assert_int_equal(write_text("three.pem", CRL("QUFB") CRL("QkJC") CRL("Q0ND")),
                   1);
  struct taken t = {.refuse = 2};
  httpr_error err = {0};
  char want[300];
  assert_int_equal(hr_crl_load(path_of("three.pem"), take, &t, words, &err),
                   HTTPR_E_CRL_FILE);
  assert_int_equal(t.n, 2);
  snprintf(want, sizeof(want), "CRL 2 of CRL file '%s' cannot be parsed",
           path_of("three.pem"));
  assert_string_equal(err.message, want);
  assert_string_equal(err.detail, "lib: code -7");
  /* Without words, the detail is the provider's to add. */
  t = (struct taken){.refuse = 1};
  assert_int_equal(hr_crl_load(path_of("three.pem"), take, &t, NULL, &err),
                   HTTPR_E_CRL_FILE);
  assert_string_equal(err.detail, "");
}

static void files_without_a_crl(void **state) {
  (void)state;
  assert_int_equal(write_text("certs.pem", CERT CERT), 1);
  assert_int_equal(write_text("empty.pem", ""), 1);
  const char *names[] = {"certs.pem", "empty.pem"};
  for (size_t i = 0; i < 2; i++) {
    struct taken t = {0};
    httpr_error err = {0};
    char want[300];
    assert_int_equal(hr_crl_load(path_of(names[i]), take, &t, words, &err),
                     HTTPR_E_CRL_FILE);
    assert_int_equal(t.n, 0);
    snprintf(want, sizeof(want), "CRL file '%s' holds no PEM CRL",
             path_of(names[i]));
    assert_string_equal(err.message, want);
    assert_string_equal(err.hint, "a CRL file must hold PEM CRLs (\"-----BEGIN "
                                  "X509 CRL-----\")");
  }
}

static void unreadable_files(void **state) {
  (void)state;
  const char *paths[] = {path_of("none.pem"), path_of(".")};
  const char *why[] = {"No such file or directory", "Is a directory"};
  for (size_t i = 0; i < 2; i++) {
    struct taken t = {0};
    httpr_error err = {0};
    char path[300], want[400];
    snprintf(path, sizeof(path), "%s", paths[i]);
    assert_int_equal(hr_crl_load(path, take, &t, words, &err),
                     HTTPR_E_CRL_FILE);
    snprintf(want, sizeof(want), "CRL file '%s' cannot be read: %s", path,
             why[i]);
    assert_string_equal(err.message, want);
    assert_string_equal(err.hint, "check the path given with --crlfile");
    assert_true(strncmp(err.detail, "errno ", 6) == 0);
  }
}

static int setup(void **state) {
  (void)state;
  return pki_dir_create("httpr-crl") ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  return pki_dir_remove();
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_crl_in_order),
      cmocka_unit_test(first_refusal_stops),
      cmocka_unit_test(files_without_a_crl),
      cmocka_unit_test(unreadable_files),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
