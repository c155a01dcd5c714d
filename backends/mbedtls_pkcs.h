/* SPDX-License-Identifier: MIT */
/*
 * mbedtls_pkcs.h - the two client-credential formats mbedTLS 2.28 cannot
 * read by itself, read with its own primitives (ASN.1 parser, PBKDF2, the
 * cipher layer, the PKCS#12 key derivation, HMAC) and no other library:
 * PKCS#8 keys encrypted with PBES2 and AES (OpenSSL 3's default), and
 * PKCS#12 files. Part of the mbedTLS provider (backends/mbedtls.c); only
 * backends/ includes it.
 */
#ifndef HTTPR_MBEDTLS_PKCS_H
#define HTTPR_MBEDTLS_PKCS_H

#include <stddef.h>

#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "common/error.h"
#include "backends/kdf_params.h"

/* Parses a private key into pk (initialised by the caller): PEM (NUL-
 * terminated, len counting the NUL, as mbedtls_pk_parse_key wants) or DER,
 * plain or encrypted under password (NULL: none). mbedTLS's own parser
 * goes first; an encrypted PKCS#8 key it cannot decrypt (PBES2 with AES,
 * or PKCS#12 PBE under a non-ASCII password) is decrypted here and then
 * parsed. Returns 0 or an mbedTLS error code:
 * MBEDTLS_ERR_PK_PASSWORD_MISMATCH for a wrong password (also when the
 * decrypted bytes are not a key), MBEDTLS_ERR_PK_FEATURE_UNAVAILABLE for
 * an encryption neither can undo (RC2, RC4). */
int hr_mbed_parse_key(mbedtls_pk_context *pk, const unsigned char *key,
                      size_t len, const char *password);

/* The credentials of a PKCS#12 file. */
struct hr_mbed_pkcs12 {
  mbedtls_pk_context key;
  mbedtls_x509_crt certs; /* the key's certificate first, then the others
                             in file order */
};

void hr_mbed_pkcs12_init(struct hr_mbed_pkcs12 *p);
void hr_mbed_pkcs12_free(struct hr_mbed_pkcs12 *p);

/* Reads the PKCS#12 file at path (RFC 7292: password integrity mode, data
 * and encryptedData contents, key, shrouded key and certificate bags). The
 * MAC is checked first; without a password the empty one is tried, as
 * OpenSSL does. The leaf is the certificate whose public key is the key's.
 * Fills err with the shared wording, HTTPR_E_CLIENT_CERT: unreadable, not
 * a PKCS#12 file, wrong password, no password, an encryption the provider
 * cannot undo (RC2), no certificate for the key; or HTTPR_E_NOMEM. out
 * must have been initialised; free it in every case. */
httpr_code hr_mbed_pkcs12_load(const char *path, const char *password,
                               struct hr_mbed_pkcs12 *out, httpr_error *err);

/* What hr_mbed_pkcs12_load does once the file is read: data (len bytes,
 * only read) is the file, path names it in messages, scan holds the key
 * derivation counts already read from it (hr_creds_read_pkcs12), to which
 * keys found in encrypted parts add theirs. verify_mac 0 skips
 * the MAC: only the fuzz target (tests/fuzz/fuzz_mbedtls_pkcs12.c) passes
 * 0, so that mutated files reach the SafeContents walk, which a MAC
 * mismatch would otherwise keep every mutation from. */
httpr_code hr_mbed_pkcs12_parse(unsigned char *data, size_t len,
                                const char *path, const char *password,
                                int verify_mac, const struct hr_kdf_scan *scan,
                                struct hr_mbed_pkcs12 *out, httpr_error *err);

#endif
