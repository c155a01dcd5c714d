/* SPDX-License-Identifier: MIT */
/*
 * fuzz_mbedtls_pkcs12.c - libFuzzer target for the mbedtls provider's own
 * PKCS#12 reader (backends/mbedtls_pkcs.c): the PFX, the MAC, the
 * AuthenticatedSafe, encrypted contents, SafeContents and their bags
 * (keys, shrouded keys, certificates, nested SafeContents).
 *
 * Input: byte 0 chooses the password (bits 0-1: none, "", "secret" (the
 * test PKI's), a non-ASCII UTF-8 one) and whether the MAC is checked
 * (bit 2): without it (hr_mbed_pkcs12_parse's verify_mac 0, which only
 * this target passes) mutated files get past the MAC to the walk through
 * the contents. The rest is the file.
 *
 * Checks: HTTPR_OK or HTTPR_E_CLIENT_CERT with a message; on success the
 * first certificate is the key's. A KDF asked for more iterations than a
 * fuzz run can afford fails (kdf_cap.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backends/mbedtls_compat.h"
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
  int verify_mac = (data[0] & 4) != 0;
  size_t len = size - 1;
  unsigned char *file = malloc(len ? len : 1);
  if (!file)
    abort();
  memcpy(file, data + 1, len);
  struct hr_mbed_pkcs12 out;
  httpr_error err = {0};
  hr_mbed_pkcs12_init(&out);
  struct hr_kdf_scan scan = {0};
  httpr_code rc = hr_mbed_pkcs12_parse(file, len, "fuzz.p12", password,
                                       verify_mac, &scan, &out, &err);
  if (rc == HTTPR_OK) {
    if (!out.certs.raw.p || mbedtls_pk_get_type(&out.key) == MBEDTLS_PK_NONE ||
        hr_mbed_pk_check_pair(&out.certs.pk, &out.key) != 0)
      abort();
  } else if (rc != HTTPR_E_CLIENT_CERT || err.message[0] == '\0') {
    abort();
  }
  hr_mbed_pkcs12_free(&out);
  free(file);
  return 0;
}
