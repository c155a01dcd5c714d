/* SPDX-License-Identifier: MIT */
/*
 * test_pubkey_pin.c - what public key pinning is made of, without a
 * server: base64 both ways (RFC 4648's vectors and its refusals), the
 * SubjectPublicKeyInfo read out of a certificate and checked as a key
 * file, each way a pin can be unusable with its exact message, and the
 * check on a leaf with a stand-in SHA-256 (matching, not matching, no
 * certificate, a certificate that cannot be read, a digest that fails).
 * The files are the test PKI's (PKI_DIR) and the private directory's.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backends/base64.h"
#include "backends/pem.h"
#include "backends/pubkey_pin.h"
#include "backends/x509_cert.h"
#include "tests/unit/pki_files.h"

/* ---- base64 -------------------------------------------------------------- */

static const struct {
  const char *raw, *b64;
} rfc4648[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

static void base64_vectors(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
    char enc[HR_BASE64_ENCODED_SIZE(6)];
    unsigned char dec[HR_BASE64_DECODED_MAX(8)];
    size_t n = 99;
    size_t len = strlen(rfc4648[i].raw);
    hr_base64_encode((const unsigned char *)rfc4648[i].raw, len, enc);
    assert_string_equal(enc, rfc4648[i].b64);
    assert_int_equal(
        hr_base64_decode(rfc4648[i].b64, strlen(rfc4648[i].b64), dec, &n), 0);
    assert_int_equal(n, len);
    assert_memory_equal(dec, rfc4648[i].raw, len);
  }
}

static void base64_refusals(void **state) {
  (void)state;
  static const char *const bad[] = {"Zg=a",  "Z",    "Zm9v!",
                                    "Zg===", "Z===", "Zm=9"};
  unsigned char out[16];
  size_t n = 0;
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    if (hr_base64_decode(bad[i], strlen(bad[i]), out, &n) != -1)
      fail_msg("'%s' was decoded", bad[i]);
  }
  /* Whitespace anywhere is no error (PEM lines). */
  static const char lines[] = "Zm9v\r\n YmFy";
  assert_int_equal(hr_base64_decode(lines, strlen(lines), out, &n), 0);
  assert_int_equal(n, 6);
  assert_memory_equal(out, "foobar", 6);
}

/* ---- the key in a certificate -------------------------------------------- */

static int first_block(const struct hr_pem_block *b, void *ud) {
  *(struct hr_pem_block *)ud = *b;
  return 1;
}

/* The DER of the first PEM block of the PKI's file name (caller frees). */
static unsigned char *first_der(const char *name, size_t *len) {
  char *text = NULL;
  size_t text_len = 0;
  struct hr_pem_block b;
  unsigned char *der = NULL;
  assert_int_equal(hr_file_read(file_of(name), &text, &text_len), 0);
  assert_true(hr_pem_each(text, text_len, first_block, &b) > 0);
  assert_int_equal(hr_pem_block_der(&b, &der, len), 0);
  free(text);
  return der;
}

static unsigned char *file_bytes(const char *name, size_t *len) {
  char *data = NULL;
  assert_int_equal(hr_file_read(file_of(name), &data, len), 0);
  return (unsigned char *)data;
}

/* The span hr_cert_spki finds is exactly what `openssl pkey -pubout`
 * writes for the leaf's key, and a valid key file. */
static void spki_of_a_certificate(void **state) {
  (void)state;
  size_t cert_len = 0, key_len = 0;
  unsigned char *cert = first_der("good-ecdsa.crt", &cert_len);
  unsigned char *key = file_bytes("good-ecdsa-pubkey.der", &key_len);
  struct hr_der spki = {NULL, 0};
  assert_int_equal(hr_cert_spki(cert, cert_len, &spki), 0);
  assert_int_equal(spki.len, key_len);
  assert_memory_equal(spki.p, key, key_len);
  assert_true(spki.p > cert && spki.p + spki.len <= cert + cert_len);
  assert_int_equal(hr_spki_check(key, key_len), 0);
  /* An RSA key too. */
  free(cert);
  cert = first_der("good-rsa.crt", &cert_len);
  assert_int_equal(hr_cert_spki(cert, cert_len, &spki), 0);
  assert_int_equal(hr_spki_check(spki.p, spki.len), 0);
  /* Neither a certificate nor a cut key is a key; a cut certificate has
   * none. */
  assert_int_equal(hr_spki_check(cert, cert_len), -1);
  assert_int_equal(hr_spki_check(key, key_len - 1), -1);
  assert_int_equal(hr_spki_check(NULL, 0), -1);
  assert_int_equal(hr_cert_spki(cert, cert_len / 2, &spki), -1);
  assert_int_equal(hr_cert_spki(key, key_len, &spki), -1);
  free(cert);
  free(key);
}

/* ---- pins that cannot be used -------------------------------------------- */

static void expect_unusable(const char *pin, const char *message) {
  httpr_error err = {0};
  struct hr_pubkey_pins *pins = NULL;
  assert_int_equal(hr_pubkey_pins_parse(pin, &pins, &err), HTTPR_E_PINNED_KEY);
  assert_null(pins);
  assert_string_equal(err.message, message);
}

static void unusable_pins(void **state) {
  (void)state;
  char want[400];
  expect_unusable("", "the pinned public key is empty");
  expect_unusable(NULL, "the pinned public key is empty");
  expect_unusable("sha256//", "pinned public key 'sha256//' is not the base64 "
                              "of a SHA-256 hash");
  expect_unusable("sha256//Zm9vYmFy", "pinned public key 'sha256//Zm9vYmFy' is "
                                      "not the base64 of a SHA-256 hash");
  expect_unusable("sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=;x",
                  "pinned public key 'x' does not start with sha256//");
  expect_unusable("sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=;;",
                  "pinned public key '' does not start with sha256//");
  /* A long entry is cut in the message. */
  char long_pin[300] = "sha256//";
  memset(long_pin + 8, 'A', 200);
  long_pin[208] = '\0';
  snprintf(want, sizeof(want),
           "pinned public key '%.80s' is not the base64 of a SHA-256 hash",
           long_pin);
  expect_unusable(long_pin, want);
  snprintf(want, sizeof(want),
           "pinned public key file '%s' cannot be read: No such file or "
           "directory",
           path_of("none.pem"));
  expect_unusable(path_of("none.pem"), want);
  /* A directory, a certificate, a private key, a PUBLIC KEY block of no
   * key, and DER that is no key. */
  assert_int_equal(write_text("bad-block.pem", "-----BEGIN PUBLIC KEY-----\n"
                                               "Zm9vYmFy\n"
                                               "-----END PUBLIC KEY-----\n"),
                   1);
  assert_int_equal(write_data("junk.der", "\x30\x03\x02\x01\x01", 5, "wb"), 1);
  const char *files[] = {path_of("."), file_of("good-ecdsa.crt"),
                         file_of("good-ecdsa.key"), path_of("bad-block.pem"),
                         path_of("junk.der")};
  for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
    char path[300];
    snprintf(path, sizeof(path), "%s", files[i]);
    if (i == 0)
      snprintf(want, sizeof(want),
               "pinned public key file '%s' cannot be read: Is a directory",
               path);
    else
      snprintf(want, sizeof(want),
               "pinned public key file '%s' holds no public key", path);
    expect_unusable(path, want);
  }
}

/* ---- the check ----------------------------------------------------------- */

/* A stand-in SHA-256: the first 32 bytes of the data (a key is longer). */
static int prefix_digest(const void *data, size_t len, unsigned char out[32]) {
  if (len < 32)
    return -1;
  memcpy(out, data, 32);
  return 0;
}

static int failing_digest(const void *data, size_t len, unsigned char out[32]) {
  (void)data;
  (void)len;
  (void)out;
  return -1;
}

/* "sha256//" and the base64 of what prefix_digest makes of the leaf. */
static void pin_of(const unsigned char *cert, size_t len, char *out,
                   size_t cap) {
  struct hr_der spki;
  unsigned char digest[32];
  char b64[HR_BASE64_ENCODED_SIZE(32)];
  assert_int_equal(hr_cert_spki(cert, len, &spki), 0);
  assert_int_equal(prefix_digest(spki.p, spki.len, digest), 0);
  hr_base64_encode(digest, 32, b64);
  snprintf(out, cap, "sha256//%s", b64);
}

static struct hr_pubkey_pins *parsed(const char *pin) {
  struct hr_pubkey_pins *pins = NULL;
  httpr_error err = {0};
  assert_int_equal(hr_pubkey_pins_parse(pin, &pins, &err), HTTPR_OK);
  assert_non_null(pins);
  return pins;
}

static void check_against_a_leaf(void **state) {
  (void)state;
  size_t ec_len = 0, rsa_len = 0;
  unsigned char *ec = first_der("good-ecdsa.crt", &ec_len);
  unsigned char *rsa = first_der("good-rsa.crt", &rsa_len);
  char ec_pin[80], rsa_pin[80], list[200], detail[200];
  pin_of(ec, ec_len, ec_pin, sizeof(ec_pin));
  pin_of(rsa, rsa_len, rsa_pin, sizeof(rsa_pin));
  httpr_error err = {0};

  /* Hashes: one of the list is enough. */
  snprintf(list, sizeof(list), "%s;%s", rsa_pin, ec_pin);
  struct hr_pubkey_pins *pins = parsed(list);
  assert_int_equal(hr_pubkey_pins_check(pins, ec, ec_len, prefix_digest, &err),
                   HTTPR_OK);
  assert_int_equal(
      hr_pubkey_pins_check(pins, rsa, rsa_len, prefix_digest, &err), HTTPR_OK);
  hr_pubkey_pins_free(pins);
  pins = parsed(rsa_pin);
  assert_int_equal(hr_pubkey_pins_check(pins, ec, ec_len, prefix_digest, &err),
                   HTTPR_E_PINNED_KEY);
  assert_string_equal(err.message, "the server's public key does not match "
                                   "the pinned public key");
  snprintf(detail, sizeof(detail), "the server's public key is %s", ec_pin);
  assert_string_equal(err.detail, detail);
  /* No digest, no match; no certificate, or one that cannot be read. */
  assert_int_equal(
      hr_pubkey_pins_check(pins, rsa, rsa_len, failing_digest, &err),
      HTTPR_E_PINNED_KEY);
  assert_string_equal(err.detail, "the SHA-256 of the server's public key "
                                  "could not be computed");
  assert_int_equal(hr_pubkey_pins_check(pins, NULL, 0, prefix_digest, &err),
                   HTTPR_E_PINNED_KEY);
  assert_string_equal(err.detail, "the server sent no certificate");
  assert_int_equal(hr_pubkey_pins_check(pins, rsa, 40, prefix_digest, &err),
                   HTTPR_E_PINNED_KEY);
  assert_string_equal(err.detail, "the server's certificate cannot be read");
  hr_pubkey_pins_free(pins);

  /* Key files, PEM and DER, compared byte for byte (no digest needed). */
  const char *files[] = {"good-ecdsa-pubkey.pem", "good-ecdsa-pubkey.der"};
  for (size_t i = 0; i < 2; i++) {
    pins = parsed(file_of(files[i]));
    assert_int_equal(
        hr_pubkey_pins_check(pins, ec, ec_len, failing_digest, &err), HTTPR_OK);
    assert_int_equal(
        hr_pubkey_pins_check(pins, rsa, rsa_len, prefix_digest, &err),
        HTTPR_E_PINNED_KEY);
    snprintf(detail, sizeof(detail), "the server's public key is %s", rsa_pin);
    assert_string_equal(err.detail, detail);
    hr_pubkey_pins_free(pins);
  }
  hr_pubkey_pins_free(NULL);
  free(ec);
  free(rsa);
}

static int setup(void **state) {
  (void)state;
  return pki_dir_create("httpr-pin") ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  return pki_dir_remove();
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(base64_vectors),
      cmocka_unit_test(base64_refusals),
      cmocka_unit_test(spki_of_a_certificate),
      cmocka_unit_test(unusable_pins),
      cmocka_unit_test(check_against_a_leaf),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
