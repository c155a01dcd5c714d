/* SPDX-License-Identifier: MIT */
/*
 * pem.h - reading credential files and splitting PEM text into blocks,
 * written once for every provider: which blocks a file holds (certificate,
 * plain key, encrypted key in PKCS#8 or legacy form, CRL, public key)
 * decides the message a failure gets, whatever TLS library parses the
 * block afterwards.
 */
#ifndef HTTPR_PEM_H
#define HTTPR_PEM_H

#include <stddef.h>

#include "common/error.h"

enum hr_pem_kind {
  HR_PEM_CERTIFICATE,         /* CERTIFICATE, X509 CERTIFICATE, TRUSTED ... */
  HR_PEM_KEY,                 /* PRIVATE KEY, RSA/EC PRIVATE KEY, unencrypted */
  HR_PEM_KEY_PKCS8_ENCRYPTED, /* ENCRYPTED PRIVATE KEY */
  HR_PEM_KEY_LEGACY_ENCRYPTED, /* RSA/EC PRIVATE KEY with Proc-Type ENCRYPTED */
  HR_PEM_CRL,                  /* X509 CRL */
  HR_PEM_PUBLIC_KEY,           /* PUBLIC KEY (a SubjectPublicKeyInfo) */
  HR_PEM_OTHER                 /* any other label */
};

struct hr_pem_block {
  enum hr_pem_kind kind;
  const char *label; /* points into the text, not NUL-terminated */
  size_t label_len;
  const char *begin; /* the whole block from "-----BEGIN" to the end of */
  size_t len;        /* its "-----END ...-----" line */
};

/* Calls cb for each complete PEM block in text[0..len), in order. Stops
 * when cb returns non-zero. Returns the number of blocks seen. Text outside
 * blocks is ignored; a block without its END line is not reported. */
size_t hr_pem_each(const char *text, size_t len,
                   int (*cb)(const struct hr_pem_block *block, void *ud),
                   void *ud);

/* The bytes a block's base64 encodes (between its armour lines; RFC 1421
 * header lines, such as legacy encryption's, are skipped), in a malloc'd
 * buffer to wipe and free (hr_wipe_free). 0, or -1 with errno EINVAL
 * (not base64) or ENOMEM. */
int hr_pem_block_der(const struct hr_pem_block *block, unsigned char **der,
                     size_t *len);

/* Counts blocks of one kind. */
size_t hr_pem_count(const char *text, size_t len, enum hr_pem_kind kind);

/* Reads a whole file (at most 64 MiB) into a NUL-terminated malloc'd
 * buffer. Returns 0, or -1 with errno set (EFBIG when too large). */
int hr_file_read(const char *path, char **data, size_t *len);

#endif
