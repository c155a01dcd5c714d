/* SPDX-License-Identifier: MIT */
/*
 * base64.h - base64 (RFC 4648, the standard alphabet), both ways: PEM
 * bodies and "sha256//" public key pins are decoded with it, and a pin is
 * shown with it. Nothing here allocates.
 */
#ifndef HTTPR_BASE64_H
#define HTTPR_BASE64_H

#include <stddef.h>

/* The room decoding len characters of base64 may need. */
#define HR_BASE64_DECODED_MAX(len) ((len) / 4 * 3 + 3)

/* Decodes text[0..len) into out (HR_BASE64_DECODED_MAX(len) bytes):
 * whitespace is skipped anywhere, '=' padding is allowed only at the end.
 * 0 with *out_len set, or -1 when the text is not base64. Intermediate
 * values are wiped: a PEM body may be a private key. */
int hr_base64_decode(const char *text, size_t len, unsigned char *out,
                     size_t *out_len);

/* The room encoding len bytes needs, its NUL included. */
#define HR_BASE64_ENCODED_SIZE(len) (((len) + 2) / 3 * 4 + 1)

/* Encodes data[0..len) with padding into out (HR_BASE64_ENCODED_SIZE(len)
 * bytes), NUL-terminated. */
void hr_base64_encode(const unsigned char *data, size_t len, char *out);

#endif
