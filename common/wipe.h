/* SPDX-License-Identifier: MIT */
/*
 * wipe.h - erasing secrets (private-key text, passwords, PKCS#12 files,
 * key-log lines) before their memory is reused. A plain memset before
 * free() is a dead store the compiler may remove; these calls are not.
 */
#ifndef HTTPR_WIPE_H
#define HTTPR_WIPE_H

#include <stddef.h>

/* Overwrites len bytes at p with zeros (p may be NULL when len is 0). */
void hr_wipe(void *p, size_t len);

/* Wipes len bytes at p, then frees p (NULL is fine). */
void hr_wipe_free(void *p, size_t len);

/* Wipes a NUL-terminated string up to its NUL, then frees it. */
void hr_wipe_free_string(char *s);

#endif
