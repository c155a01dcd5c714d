/* SPDX-License-Identifier: MIT */
/*
 * kdf_params.h - how much password-based key derivation a credential file
 * asks for, read before any TLS library derives a key from it. The
 * iteration counts of a PKCS#12 file (its MAC, every encrypted part, every
 * encrypted key in a part that is not encrypted) and of an encrypted PKCS#8
 * key come from the file, and a library runs whatever count it finds: a
 * file asking for 2^31 iterations costs minutes. Shared code adds them up
 * here and refuses a file above HR_KDF_MAX_ITERATIONS (credentials.c), so
 * the rule and its message are the same on every provider.
 *
 * A self-contained reader of only these structures (RFC 7292, RFC 8018,
 * RFC 5958, RFC 7914 for scrypt), strict DER: definite lengths in their
 * shortest form, single-byte tags. A file that is the structure but not
 * DER is unreadable here and refused, so no library reads counts that
 * httpr did not see. Reads bytes only: no allocation, no I/O.
 */
#ifndef HTTPR_KDF_PARAMS_H
#define HTTPR_KDF_PARAMS_H

#include <stddef.h>
#include <stdint.h>

/* The most iterations one credential file may ask for, all derivations
 * added up. OWASP's 2023 figures are 600,000 for PBKDF2-HMAC-SHA256 and
 * 1,300,000 for HMAC-SHA1: a file using the larger one for its MAC, its
 * certificates and its key (3.9 million) passes. About 2.5 s of SHA-256
 * on the machine this was measured on, against about 9 minutes for each
 * count of 2^31. scrypt counts N * r * p. */
#define HR_KDF_MAX_ITERATIONS 10000000u

/* What was seen; zero it before the first scan, later scans add to it. */
struct hr_kdf_scan {
  uint64_t iterations;  /* the sum of every count (saturates) */
  unsigned derivations; /* how many counts were added */
  const char *why;      /* HR_KDF_UNREADABLE: what could not be read */
};

enum hr_kdf_result {
  HR_KDF_NOT_FOUND = 0, /* not this structure: the library's own parser
                           will refuse it and say why */
  HR_KDF_READ = 1,      /* read to its end; counts added to the scan */
  HR_KDF_UNREADABLE = 2 /* the structure, but not all of it readable (not
                           DER, malformed inside, a negative count,
                           nested too deep): to be refused */
};

/* A PKCS#12 file (a PFX): the MAC's count, each encryptedData part's
 * PBES2/PBKDF2, PKCS#12 PBE or PBES1 parameters, and every shrouded key
 * bag of the parts that are not encrypted. Keys inside an encrypted part
 * can only be seen once it is decrypted: each provider scans those with
 * hr_kdf_scan_pkcs8 before a library opens them. */
enum hr_kdf_result hr_kdf_scan_pkcs12(const unsigned char *der, size_t len,
                                      struct hr_kdf_scan *scan);

/* An EncryptedPrivateKeyInfo (the DER of an "ENCRYPTED PRIVATE KEY" PEM
 * block, or of a PKCS#12 shrouded key bag). */
enum hr_kdf_result hr_kdf_scan_pkcs8(const unsigned char *der, size_t len,
                                     struct hr_kdf_scan *scan);

#endif
