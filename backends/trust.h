/* SPDX-License-Identifier: MIT */
/*
 * trust.h - where the trust anchors come from, decided once for every
 * provider in the README's order: the config's CA file and/or directory >
 * HTTPR_CA_BUNDLE > SSL_CERT_FILE / SSL_CERT_DIR > the system store found
 * at configure time. Also checks that what was chosen can be read, so every
 * provider reports a missing CA file the same way.
 */
#ifndef HTTPR_TRUST_H
#define HTTPR_TRUST_H

#include "common/error.h"
#include "backends/pem.h"

struct hr_trust {
  char *ca_file;      /* PEM bundle to load, or NULL */
  char *ca_dir;       /* directory of PEM files to load, or NULL */
  const char *origin; /* "config", "HTTPR_CA_BUNDLE", "SSL_CERT_FILE",
                         "SSL_CERT_DIR", "system": for messages. Static. */
};

/* Resolves the trust source from the config's file and directory (either
 * may be NULL) and the environment, and checks it: HTTPR_E_CA_FILE when a
 * chosen file or directory is missing or unreadable, or a file holds no
 * PEM certificate; HTTPR_E_NOMEM. On success out owns copies; free them
 * with hr_trust_free. */
httpr_code hr_trust_resolve(const char *cfg_file, const char *cfg_dir,
                            struct hr_trust *out, httpr_error *err);
void hr_trust_free(struct hr_trust *t);

/* Calls cb for each regular file in dir (sorted by name, hidden files
 * skipped) with its full path. Stops early and returns cb's value when it
 * returns non-zero; returns 0 after the last file, -1 (errno set) when the
 * directory cannot be read. Used by providers to load a CA directory whose
 * files may not carry OpenSSL hash names. */
int hr_trust_each_file(const char *dir, int (*cb)(const char *path, void *ud),
                       void *ud);

/* A provider's way to take one certificate: 1 when it added the block to
 * its trust store, 0 when it could not parse it (it is then skipped, as
 * OpenSSL skips it). */
typedef int (*hr_trust_add_fn)(const struct hr_pem_block *cert, void *ud);

/* Loads the trust source for a provider: calls add for every certificate
 * block of the CA file and of every file of the CA directory (a file in
 * the directory that cannot be read or holds no certificate is skipped).
 * HTTPR_E_CA_FILE, with the shared wording, when the file or directory
 * cannot be read, when either yields no certificate, or when there is no
 * source at all. */
httpr_code hr_trust_load(const struct hr_trust *t, hr_trust_add_fn add,
                         void *ud, httpr_error *err);

/* Messages for a directory that yielded no certificate; sets
 * HTTPR_E_CA_FILE with the hint "a CA directory must hold PEM files". */
httpr_code hr_trust_dir_empty(httpr_error *err, const struct hr_trust *t);

#endif
