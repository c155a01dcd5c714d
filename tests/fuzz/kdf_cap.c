/* SPDX-License-Identifier: MIT */
/*
 * kdf_cap.c - linked into the fuzz targets of password-based files
 * (PKCS#8, PKCS#12): a file names its own KDF iteration count, and a
 * mutated 2^31 takes minutes per input, which a fuzz run cannot afford.
 * Bounding that is the parsers' business (an iteration cap), so here
 * mbedTLS's two key derivations, PBKDF2 and the PKCS#12 KDF, are taken
 * over for the fuzz run: above FUZZ_MAX_ITERATIONS they fail as mbedTLS
 * fails on bad input, below they are mbedTLS's own (found with
 * dlsym(RTLD_NEXT)). Our code and mbedTLS's own key parsing (which calls
 * them through the PLT) both reach these. Seeds use 2048 iterations.
 */
#include <dlfcn.h>
#include <stdlib.h>

#include <mbedtls/pkcs12.h>
#include <mbedtls/pkcs5.h>

#define FUZZ_MAX_ITERATIONS 10000

static void *real_symbol(const char *name) {
  void *p = dlsym(RTLD_NEXT, name);
  if (!p)
    abort();
  return p;
}

int mbedtls_pkcs5_pbkdf2_hmac(mbedtls_md_context_t *ctx,
                              const unsigned char *password, size_t plen,
                              const unsigned char *salt, size_t slen,
                              unsigned int iteration_count, uint32_t key_length,
                              unsigned char *output) {
  static int (*real)(mbedtls_md_context_t *, const unsigned char *, size_t,
                     const unsigned char *, size_t, unsigned int, uint32_t,
                     unsigned char *);
  if (iteration_count > FUZZ_MAX_ITERATIONS)
    return MBEDTLS_ERR_PKCS5_BAD_INPUT_DATA;
  if (!real)
    *(void **)&real = real_symbol("mbedtls_pkcs5_pbkdf2_hmac");
  return real(ctx, password, plen, salt, slen, iteration_count, key_length,
              output);
}

int mbedtls_pkcs12_derivation(unsigned char *data, size_t datalen,
                              const unsigned char *pwd, size_t pwdlen,
                              const unsigned char *salt, size_t saltlen,
                              mbedtls_md_type_t mbedtls_md, int id,
                              int iterations) {
  static int (*real)(unsigned char *, size_t, const unsigned char *, size_t,
                     const unsigned char *, size_t, mbedtls_md_type_t, int,
                     int);
  if (iterations > FUZZ_MAX_ITERATIONS)
    return MBEDTLS_ERR_PKCS12_BAD_INPUT_DATA;
  if (!real)
    *(void **)&real = real_symbol("mbedtls_pkcs12_derivation");
  return real(data, datalen, pwd, pwdlen, salt, saltlen, mbedtls_md, id,
              iterations);
}
