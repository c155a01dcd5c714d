/* SPDX-License-Identifier: MIT */
/*
 * pki_files.h - the private temporary directory a unit test keeps its test
 * PKI in: made at start-up, files named, written, appended to, read back
 * and made by the openssl command inside it, and the whole tree removed at
 * the end; and the files of the test run's PKI (tests/pki/make-pki.sh, in
 * $PKI_DIR), found by name beside the private ones. Library-independent
 * test support: how the certificates and keys are made stays each test's
 * own. One directory per program; not for use from several threads while
 * it is being made or removed.
 */
#ifndef HTTPR_TESTS_UNIT_PKI_FILES_H
#define HTTPR_TESTS_UNIT_PKI_FILES_H

#include <stddef.h>

/* The password of every encrypted key and PKCS#12 file the tests make. */
#define PASSWORD "secret"

/* Makes the directory /tmp/PREFIX-XXXXXX (mode 0700). 1, or 0 when it
 * cannot be made. */
int pki_dir_create(const char *prefix);

/* Removes the directory and everything below it: 0, or -1. */
int pki_dir_remove(void);

/* The path of name inside the directory. Rotating static storage: valid
 * for the next 15 calls. */
const char *path_of(const char *name);

/* The path of name in the private directory when a file (or directory)
 * of that name is there, else in $PKI_DIR (also for a name in neither,
 * the tests' missing files). Rotating static storage: valid for the next
 * 15 calls. Asserts that PKI_DIR is set. */
const char *file_of(const char *name);

/* Writes len bytes to the file name, opened with mode ("w", "a", "wb"):
 * 1, or 0 on any error. */
int write_data(const char *name, const void *data, size_t len,
               const char *mode);

/* Writes text to the file name, replacing it: 1, or 0. */
int write_text(const char *name, const char *text);

/* Appends the file src to the file dst: 1, or 0. */
int append_file(const char *dst, const char *src);

/* The file name's contents (at most 64 KiB - 1 bytes), with a NUL added
 * after them when nul is set (counted in *len). The caller frees it.
 * Asserts that the file can be read. */
unsigned char *read_all(const char *name, size_t *len, int nul);

/* Runs `openssl ARGS` in the directory, its output to cli.log there: 1, or
 * 0 (and the command on stderr) when it fails. */
int openssl_cli(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
