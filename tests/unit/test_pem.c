/* SPDX-License-Identifier: MIT */
/*
 * test_pem.c - PEM block splitting and classification (certificates, plain
 * keys, PKCS#8 and legacy encrypted keys, CRLF files, truncated and
 * mismatched blocks) and hr_file_read's refusals. The blocks hold dummy
 * base64: only the armour matters here, no key material is involved.
 */
#include <errno.h>
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

#include "backends/pem.h"

#define CERT_BLOCK                                                             \
  "-----BEGIN CERTIFICATE-----\n"                                              \
  "MIIBdummyCERT\n"                                                            \
  "-----END CERTIFICATE-----"
#define KEY_BLOCK                                                              \
  "-----BEGIN PRIVATE KEY-----\n"                                              \
  "MIGHdummyKEY\n"                                                             \
  "-----END PRIVATE KEY-----"
#define PKCS8_ENC_BLOCK                                                        \
  "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"                                    \
  "MIHsdummyENC\n"                                                             \
  "-----END ENCRYPTED PRIVATE KEY-----"
#define LEGACY_ENC_BLOCK                                                       \
  "-----BEGIN EC PRIVATE KEY-----\n"                                           \
  "Proc-Type: 4,ENCRYPTED\n"                                                   \
  "DEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\n"                   \
  "\n"                                                                         \
  "dummyLEGACY\n"                                                              \
  "-----END EC PRIVATE KEY-----"

#define MAX_SEEN 8

struct seen {
  size_t n;
  enum hr_pem_kind kind[MAX_SEEN];
  char label[MAX_SEEN][64];
  const char *begin[MAX_SEEN];
  size_t len[MAX_SEEN];
  size_t stop_after; /* return non-zero after this many; 0: never */
};

static int record(const struct hr_pem_block *b, void *ud) {
  struct seen *s = ud;
  if (s->n < MAX_SEEN) {
    s->kind[s->n] = b->kind;
    snprintf(s->label[s->n], sizeof(s->label[0]), "%.*s", (int)b->label_len,
             b->label);
    s->begin[s->n] = b->begin;
    s->len[s->n] = b->len;
  }
  s->n++;
  return s->stop_after && s->n >= s->stop_after;
}

static size_t each(const char *text, struct seen *s) {
  return hr_pem_each(text, strlen(text), record, s);
}

static void one_certificate(void **state) {
  (void)state;
  const char *text = "leading text\n" CERT_BLOCK "\ntrailing text\n";
  struct seen s = {0};
  assert_int_equal(each(text, &s), 1);
  assert_int_equal(s.n, 1);
  assert_int_equal(s.kind[0], HR_PEM_CERTIFICATE);
  assert_string_equal(s.label[0], "CERTIFICATE");
  assert_ptr_equal(s.begin[0], text + strlen("leading text\n"));
  assert_int_equal(s.len[0], strlen(CERT_BLOCK));
}

static void certificate_then_key_in_order(void **state) {
  (void)state;
  const char *text = CERT_BLOCK "\n" CERT_BLOCK "\n" KEY_BLOCK "\n";
  struct seen s = {0};
  assert_int_equal(each(text, &s), 3);
  assert_int_equal(s.kind[0], HR_PEM_CERTIFICATE);
  assert_int_equal(s.kind[1], HR_PEM_CERTIFICATE);
  assert_int_equal(s.kind[2], HR_PEM_KEY);
  assert_string_equal(s.label[2], "PRIVATE KEY");
  assert_ptr_equal(s.begin[1], text + strlen(CERT_BLOCK "\n"));
  assert_int_equal(s.len[2], strlen(KEY_BLOCK));
}

static void callback_stops_early(void **state) {
  (void)state;
  const char *text = CERT_BLOCK "\n" KEY_BLOCK "\n" CERT_BLOCK "\n";
  struct seen s = {.stop_after = 2};
  assert_int_equal(each(text, &s), 2);
  assert_int_equal(s.n, 2);
}

static void labels_and_kinds(void **state) {
  (void)state;
  static const struct {
    const char *label;
    enum hr_pem_kind kind;
  } cases[] = {
      {"CERTIFICATE", HR_PEM_CERTIFICATE},
      {"X509 CERTIFICATE", HR_PEM_CERTIFICATE},
      {"TRUSTED CERTIFICATE", HR_PEM_CERTIFICATE},
      {"PRIVATE KEY", HR_PEM_KEY},
      {"RSA PRIVATE KEY", HR_PEM_KEY},
      {"EC PRIVATE KEY", HR_PEM_KEY},
      {"DSA PRIVATE KEY", HR_PEM_KEY},
      {"ENCRYPTED PRIVATE KEY", HR_PEM_KEY_PKCS8_ENCRYPTED},
      {"PUBLIC KEY", HR_PEM_PUBLIC_KEY},
      {"X509 CRL", HR_PEM_CRL},
      {"CERTIFICATE REQUEST", HR_PEM_OTHER},
      {"certificate", HR_PEM_OTHER},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char text[256];
    snprintf(text, sizeof(text), "-----BEGIN %s-----\nAAAA\n-----END %s-----\n",
             cases[i].label, cases[i].label);
    struct seen s = {0};
    assert_int_equal(each(text, &s), 1);
    assert_string_equal(s.label[0], cases[i].label);
    assert_int_equal(s.kind[0], cases[i].kind);
  }
}

static void legacy_encryption_header(void **state) {
  (void)state;
  struct seen s = {0};
  assert_int_equal(each(LEGACY_ENC_BLOCK "\n" PKCS8_ENC_BLOCK "\n", &s), 2);
  assert_int_equal(s.kind[0], HR_PEM_KEY_LEGACY_ENCRYPTED);
  assert_string_equal(s.label[0], "EC PRIVATE KEY");
  assert_int_equal(s.kind[1], HR_PEM_KEY_PKCS8_ENCRYPTED);
  /* The same label with other headers only is a plain key. */
  const char *other = "-----BEGIN RSA PRIVATE KEY-----\n"
                      "Comment: not encrypted\n\nAAAA\n"
                      "-----END RSA PRIVATE KEY-----\n";
  struct seen o = {0};
  assert_int_equal(each(other, &o), 1);
  assert_int_equal(o.kind[0], HR_PEM_KEY);
  /* A Proc-Type in the base64 part (after the headers) is not a header. */
  const char *late = "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n"
                     "Proc-Type: 4,ENCRYPTED\n"
                     "-----END RSA PRIVATE KEY-----\n";
  struct seen l = {0};
  assert_int_equal(each(late, &l), 1);
  assert_int_equal(l.kind[0], HR_PEM_KEY);
}

static void crlf_line_endings(void **state) {
  (void)state;
  const char *text =
      "-----BEGIN CERTIFICATE-----\r\nAAAA\r\n"
      "-----END CERTIFICATE-----\r\n"
      "-----BEGIN RSA PRIVATE KEY-----\r\n"
      "Proc-Type: 4,ENCRYPTED\r\n"
      "DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\r\n"
      "\r\nBBBB\r\n"
      "-----END RSA PRIVATE KEY-----\r\n";
  struct seen s = {0};
  assert_int_equal(each(text, &s), 2);
  assert_int_equal(s.kind[0], HR_PEM_CERTIFICATE);
  assert_string_equal(s.label[0], "CERTIFICATE");
  /* The block ends at the END line's dashes, before its "\r\n". */
  assert_int_equal(s.len[0], strlen("-----BEGIN CERTIFICATE-----\r\nAAAA\r\n"
                                    "-----END CERTIFICATE-----"));
  assert_int_equal(s.kind[1], HR_PEM_KEY_LEGACY_ENCRYPTED);
}

static void truncated_block_is_skipped(void **state) {
  (void)state;
  const char *text = "-----BEGIN CERTIFICATE-----\nAAAA\n" CERT_BLOCK "\n"
                     "-----BEGIN PRIVATE KEY-----\nBBBB\n";
  struct seen s = {0};
  assert_int_equal(each(text, &s), 1);
  assert_int_equal(s.kind[0], HR_PEM_CERTIFICATE);
  assert_ptr_equal(s.begin[0],
                   text + strlen("-----BEGIN CERTIFICATE-----\nAAAA\n"));
  assert_int_equal(s.len[0], strlen(CERT_BLOCK));
}

static void mismatched_end_is_skipped(void **state) {
  (void)state;
  const char *text = "-----BEGIN CERTIFICATE-----\nAAAA\n"
                     "-----END PRIVATE KEY-----\n";
  assert_int_equal(hr_pem_each(text, strlen(text), NULL, NULL), 0);
  /* No END line at all, and an END without its dashes. */
  const char *no_dashes = "-----BEGIN CERTIFICATE-----\nAAAA\n"
                          "-----END CERTIFICATE\n";
  assert_int_equal(hr_pem_each(no_dashes, strlen(no_dashes), NULL, NULL), 0);
}

static void last_block_without_newline(void **state) {
  (void)state;
  struct seen s = {0};
  assert_int_equal(each(CERT_BLOCK, &s), 1);
  assert_int_equal(s.len[0], strlen(CERT_BLOCK));
}

static void length_bounds_the_text(void **state) {
  (void)state;
  const char *text = CERT_BLOCK "\n" KEY_BLOCK "\n";
  /* Cut inside the key's END line: only the certificate is complete. */
  size_t cut = strlen(CERT_BLOCK "\n" KEY_BLOCK) - 3;
  assert_int_equal(hr_pem_each(text, cut, NULL, NULL), 1);
  assert_int_equal(hr_pem_each(text, 0, NULL, NULL), 0);
  assert_int_equal(hr_pem_each(NULL, 0, NULL, NULL), 0);
}

static void no_blocks(void **state) {
  (void)state;
  const char *text = "This file has a .pem name but holds no PEM block.\n"
                     "----BEGIN CERTIFICATE-----\nAAAA\n"
                     "-----END CERTIFICATE-----\n";
  assert_int_equal(hr_pem_each(text, strlen(text), NULL, NULL), 0);
  assert_int_equal(hr_pem_count(text, strlen(text), HR_PEM_CERTIFICATE), 0);
}

static void count_by_kind(void **state) {
  (void)state;
  const char *text = CERT_BLOCK "\n" KEY_BLOCK "\n" CERT_BLOCK
                                "\n" PKCS8_ENC_BLOCK "\n" CERT_BLOCK "\n";
  size_t len = strlen(text);
  assert_int_equal(hr_pem_count(text, len, HR_PEM_CERTIFICATE), 3);
  assert_int_equal(hr_pem_count(text, len, HR_PEM_KEY), 1);
  assert_int_equal(hr_pem_count(text, len, HR_PEM_KEY_PKCS8_ENCRYPTED), 1);
  assert_int_equal(hr_pem_count(text, len, HR_PEM_KEY_LEGACY_ENCRYPTED), 0);
  assert_int_equal(hr_pem_count(text, len, HR_PEM_OTHER), 0);
}

/* ---- hr_file_read -------------------------------------------------------- */

static char tmpdir[64];

static int make_tmpdir(void **state) {
  (void)state;
  snprintf(tmpdir, sizeof(tmpdir), "/tmp/httpr-pem-XXXXXX");
  return mkdtemp(tmpdir) ? 0 : -1;
}

static const char *tmp_path(const char *name) {
  static char buf[4][128];
  static int i;
  i = (i + 1) % 4;
  snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
  return buf[i];
}

static void write_file(const char *path, const char *data, size_t len) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, len, f), len);
  assert_int_equal(fclose(f), 0);
}

static int remove_tmpdir(void **state) {
  (void)state;
  const char *names[] = {"plain.pem", "empty", "big", "fifo", "binary"};
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    unlink(tmp_path(names[i]));
  rmdir(tmp_path("dir"));
  return rmdir(tmpdir);
}

static void file_read_whole(void **state) {
  (void)state;
  const char *path = tmp_path("plain.pem");
  write_file(path, CERT_BLOCK "\n", strlen(CERT_BLOCK "\n"));
  char *data = NULL;
  size_t len = 0;
  assert_int_equal(hr_file_read(path, &data, &len), 0);
  assert_int_equal(len, strlen(CERT_BLOCK "\n"));
  assert_memory_equal(data, CERT_BLOCK "\n", len);
  assert_int_equal(data[len], '\0');
  free(data);
}

static void file_read_binary_and_empty(void **state) {
  (void)state;
  const char bytes[] = {'a', '\0', 'b', '\n', '\xff'};
  write_file(tmp_path("binary"), bytes, sizeof(bytes));
  char *data = NULL;
  size_t len = 0;
  assert_int_equal(hr_file_read(tmp_path("binary"), &data, &len), 0);
  assert_int_equal(len, sizeof(bytes));
  assert_memory_equal(data, bytes, sizeof(bytes));
  free(data);
  write_file(tmp_path("empty"), "", 0);
  assert_int_equal(hr_file_read(tmp_path("empty"), &data, &len), 0);
  assert_non_null(data);
  assert_int_equal(len, 0);
  assert_int_equal(data[0], '\0');
  free(data);
}

static void file_read_refusals(void **state) {
  (void)state;
  char *data = (char *)"untouched";
  size_t len = 7;
  errno = 0;
  assert_int_equal(hr_file_read(tmp_path("missing"), &data, &len), -1);
  assert_int_equal(errno, ENOENT);
  assert_null(data);
  assert_int_equal(len, 0);
  assert_int_equal(mkdir(tmp_path("dir"), 0700), 0);
  errno = 0;
  assert_int_equal(hr_file_read(tmp_path("dir"), &data, &len), -1);
  assert_int_equal(errno, EISDIR);
  /* A FIFO without a writer must neither hang nor be read. */
  assert_int_equal(mkfifo(tmp_path("fifo"), 0600), 0);
  errno = 0;
  assert_int_equal(hr_file_read(tmp_path("fifo"), &data, &len), -1);
  assert_int_equal(errno, EINVAL);
  errno = 0;
  assert_int_equal(hr_file_read(NULL, &data, &len), -1);
  assert_int_equal(errno, EINVAL);
}

static void file_read_size_cap(void **state) {
  (void)state;
  const char *path = tmp_path("big");
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  assert_true(fd >= 0);
  /* Sparse: 64 MiB + 1 byte without writing them. */
  assert_int_equal(ftruncate(fd, (off_t)64 * 1024 * 1024 + 1), 0);
  close(fd);
  char *data = NULL;
  size_t len = 0;
  errno = 0;
  assert_int_equal(hr_file_read(path, &data, &len), -1);
  assert_int_equal(errno, EFBIG);
  assert_null(data);
  unlink(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(one_certificate),
      cmocka_unit_test(certificate_then_key_in_order),
      cmocka_unit_test(callback_stops_early),
      cmocka_unit_test(labels_and_kinds),
      cmocka_unit_test(legacy_encryption_header),
      cmocka_unit_test(crlf_line_endings),
      cmocka_unit_test(truncated_block_is_skipped),
      cmocka_unit_test(mismatched_end_is_skipped),
      cmocka_unit_test(last_block_without_newline),
      cmocka_unit_test(length_bounds_the_text),
      cmocka_unit_test(no_blocks),
      cmocka_unit_test(count_by_kind),
      cmocka_unit_test(file_read_whole),
      cmocka_unit_test(file_read_binary_and_empty),
      cmocka_unit_test(file_read_refusals),
      cmocka_unit_test(file_read_size_cap),
  };
  return cmocka_run_group_tests_name("pem", tests, make_tmpdir, remove_tmpdir);
}
