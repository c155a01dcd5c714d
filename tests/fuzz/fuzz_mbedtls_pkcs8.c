/* SPDX-License-Identifier: MIT */
/*
 * fuzz_mbedtls_pkcs8.c - libFuzzer target for the mbedtls provider's own
 * key reading (backends/mbedtls_pkcs.c, hr_mbed_parse_key): mbedTLS's
 * parser first, then our PBES2/AES and PKCS#12-PBE decryption of an
 * encrypted PKCS#8 key that mbedTLS cannot undo, then mbedTLS's parser on
 * what came out.
 *
 * Input: byte 0 chooses the password (bits 0-1: none, "", "secret" (the
 * test PKI's), a non-ASCII UTF-8 one) and the form (bit 2: PEM, given
 * NUL-terminated as mbedTLS wants it; else DER); the rest is the key.
 *
 * Checks: the result is 0 or a negative mbedTLS code; a key that parsed
 * is a key; nothing leaks, nothing reads out of bounds. A KDF asked for
 * more iterations than a fuzz run can afford fails (kdf_cap.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backends/mbedtls_pkcs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_CAP (16 * 1024)

static const char *const passwords[] = {NULL, "", "secret",
                                        "s\xc3\xa9"
                                        "cret"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > INPUT_CAP)
    return 0;
  const char *password = passwords[data[0] & 3];
  int pem = data[0] & 4;
  size_t len = size - 1 + (pem ? 1 : 0);
  unsigned char *key = malloc(len ? len : 1);
  if (!key)
    abort();
  memcpy(key, data + 1, size - 1);
  if (pem)
    key[len - 1] = '\0';
  mbedtls_pk_context pk;
  mbedtls_pk_init(&pk);
  int ret = hr_mbed_parse_key(&pk, key, len, password);
  if (ret > 0 || (ret == 0 && mbedtls_pk_get_type(&pk) == MBEDTLS_PK_NONE))
    abort();
  mbedtls_pk_free(&pk);
  free(key);
  return 0;
}
