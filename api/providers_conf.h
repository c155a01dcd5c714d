/* SPDX-License-Identifier: MIT */
/*
 * providers_conf.h - the system's order of preference among TLS providers,
 * from a small file a distribution or an administrator writes
 * (HTTPR_PROVIDERS_CONF at build time, configure's --with-providers-conf,
 * normally /etc/httpr/providers.conf; the variable of the same name for
 * tests). This file reads and parses it and nothing else: which provider
 * wins is api/registry.c's business.
 *
 * The format (etc/providers.conf is the commented example):
 *
 *   # a comment, from '#' to the end of the line
 *   order = gnutls openssl mbedtls
 *
 * One setting, `order`, given once: provider names ([a-z0-9_], at most 31
 * characters, at most HR_CONF_MAX_NAMES), separated by spaces, tabs or
 * commas. Blank lines and comments anywhere. A file that breaks a rule (an
 * unknown setting, a line longer than HR_CONF_MAX_LINE bytes, a file larger
 * than HR_CONF_MAX_SIZE bytes, one that cannot be read or is not a regular
 * file, ...) is ignored as a whole, and the reason kept for whoever wants
 * to show it; nothing is printed. A missing file is no error: it sets
 * nothing.
 */
#ifndef HTTPR_API_PROVIDERS_CONF_H
#define HTTPR_API_PROVIDERS_CONF_H

#include <stddef.h>

#define HR_CONF_MAX_LINE 512   /* bytes of a line, without its newline */
#define HR_CONF_MAX_SIZE 65536 /* bytes of the whole file */
#define HR_CONF_MAX_NAMES 16   /* names in `order` */
#define HR_CONF_NAME_SIZE 32   /* a name and its NUL */

struct hr_providers_conf {
  char path[4096]; /* the file read (hr_providers_conf_system) */
  char names[HR_CONF_MAX_NAMES][HR_CONF_NAME_SIZE]; /* `order`, in order */
  size_t count;    /* 0: the file sets no order, is missing or ignored */
  char error[160]; /* why the file is ignored; "" when it is not */
};

/* Parses len bytes of text (need not end in NUL) into *out (its path is
 * left as it is). Returns 0, or -1 with out->count 0 and out->error
 * saying why, e.g. `line 3: unknown setting "foo"`. */
int hr_providers_conf_parse(const char *text, size_t len,
                            struct hr_providers_conf *out);

/* Reads and parses the file at path into *out, out->path a copy of path.
 * A missing file (ENOENT) gives 0 and no names; a file that cannot be
 * opened or read, is not a regular file (a FIFO is never waited on) or is
 * larger than HR_CONF_MAX_SIZE gives -1 and the reason in out->error, as
 * a parse error does. */
int hr_providers_conf_read(const char *path, struct hr_providers_conf *out);

/* The system's file, read once per process at the first call (later
 * changes to the file count in processes started after them):
 * HTTPR_PROVIDERS_CONF from the environment (common/env.h, so never in a
 * set-user-ID or set-group-ID program), else the configured path. Thread
 * safe; the result stays valid for the life of the process. */
const struct hr_providers_conf *hr_providers_conf_system(void);

#endif
