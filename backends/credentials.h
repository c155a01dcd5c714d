/* SPDX-License-Identifier: MIT */
/*
 * credentials.h - reading client credentials before a TLS library parses
 * them, written once for every provider: the files are read and their PEM
 * blocks sorted (certificates in order, the first private key), so a
 * missing file, certificate, key or password gets the same message
 * whatever the provider. Also the shared wording of credential failures.
 */
#ifndef HTTPR_CREDENTIALS_H
#define HTTPR_CREDENTIALS_H

#include <stddef.h>

#include "common/error.h"
#include "backends/kdf_params.h"
#include "backends/pem.h"

struct hr_tls_settings; /* backends/provider.h */

/* A PEM credential as read from its file(s): the certificate blocks in
 * order and the first private-key block, pointing into the texts. */
struct hr_pem_creds {
  const char *cert_path;
  const char *key_path; /* == cert_path for one PEM holding both */
  char *cert_text;      /* wiped when cleared: it may hold the key */
  size_t cert_len;
  char *key_text;
  size_t key_len;
  struct hr_pem_block *certs;
  size_t cert_count;
  size_t cert_cap;
  struct hr_pem_block key;
  int key_encrypted; /* PKCS#8 or legacy PEM encryption */
  int nomem;         /* the certificate list could not grow */
};

/* Reads cert_path (and key_path, when not NULL) and sorts the blocks.
 * HTTPR_E_CLIENT_CERT for an unreadable file, no certificate, no key, an
 * encrypted PKCS#8 key whose KDF parameters cannot be read or ask for
 * more than HR_KDF_MAX_ITERATIONS, or an encrypted key without password;
 * HTTPR_E_NOMEM. Free out with hr_pem_creds_clear in every case (the
 * texts are wiped). */
httpr_code hr_pem_creds_read(const char *cert_path, const char *key_path,
                             const char *password, struct hr_pem_creds *out,
                             httpr_error *err);
void hr_pem_creds_clear(struct hr_pem_creds *pc);

/* Reads a PKCS#12 file for a provider to parse, after adding up its key
 * derivations (kdf_params.h): *data (wipe it with hr_wipe_free) and the
 * scan, which the provider extends with the keys it finds inside
 * encrypted parts (hr_creds_kdf_inner_key). HTTPR_E_CLIENT_CERT for an
 * unreadable file, a PFX that is not DER or malformed, or one above the
 * cap, with the shared messages; *data is NULL then. A file that is no
 * PFX at all is returned, for the provider's own "not a PKCS#12 file". */
httpr_code hr_creds_read_pkcs12(const char *path, char **data, size_t *len,
                                struct hr_kdf_scan *scan, httpr_error *err);

/* Adds a key found inside a decrypted part of the PKCS#12 file at path
 * (the DER of its EncryptedPrivateKeyInfo) to scan, before any library
 * decrypts it: HTTPR_E_CLIENT_CERT when the sum passes the cap or the key
 * cannot be read. */
httpr_code hr_creds_kdf_inner_key(const char *path, const unsigned char *der,
                                  size_t len, struct hr_kdf_scan *scan,
                                  httpr_error *err);

/* A provider's two ways of installing client credentials in its context
 * (ud). pem gets the files already read and sorted; pkcs12 reads its file
 * itself (hr_creds_read_pkcs12), its library parsing the inside. */
struct hr_creds_loaders {
  httpr_code (*pem)(void *ud, const struct hr_pem_creds *pc,
                    const char *password, httpr_error *err);
  httpr_code (*pkcs12)(void *ud, const struct hr_tls_settings *s,
                       httpr_error *err);
};

/* The credentials of s, dispatched on their kind, alike for every
 * provider: HTTPR_OK without any; HTTPR_E_INVALID without a certificate
 * file or for an unknown kind; else what hr_pem_creds_read or the loader
 * returns. The PEM texts are wiped before it returns. */
httpr_code hr_creds_setup(const struct hr_tls_settings *s,
                          const struct hr_creds_loaders *load, void *ud,
                          httpr_error *err);

/* Shared messages; each fills err with HTTPR_E_CLIENT_CERT (and a hint)
 * and returns it. Providers add their own text with hr_detail(). */
httpr_code hr_creds_unreadable(httpr_error *err, const char *what,
                               const char *path, int errnum);
httpr_code hr_creds_wrong_password(httpr_error *err);
httpr_code hr_creds_no_password(httpr_error *err, const char *path);
httpr_code hr_creds_key_mismatch(httpr_error *err);

/* The library could not parse a certificate of the PEM file at path:
 * "client certificate in '<path>' cannot be parsed" for the leaf
 * (index 0), "certificate <index + 1> in '<path>' cannot be parsed" for
 * one after it. No hint. */
httpr_code hr_creds_cert_unparsable(httpr_error *err, const char *path,
                                    size_t index);

/* "the key in '<path>' cannot be parsed". No hint. */
httpr_code hr_creds_key_unparsable(httpr_error *err, const char *path);

/* The library refused the key of pc: an encrypted one is taken as a wrong
 * password (hr_creds_wrong_password), a plain one as unparsable
 * (hr_creds_key_unparsable). */
httpr_code hr_creds_key_refused(httpr_error *err,
                                const struct hr_pem_creds *pc);

/* "client certificate file '<path>' cannot be parsed as PKCS#12: <why>".
 * No hint. */
httpr_code hr_creds_pkcs12_unparsable(httpr_error *err, const char *path,
                                      const char *why);

#endif
