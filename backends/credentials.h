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

#include "api/error_internal.h"
#include "backends/pem.h"

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
 * HTTPR_E_CLIENT_CERT for an unreadable file, no certificate, no key, or
 * an encrypted key without password; HTTPR_E_NOMEM. Free out with
 * hr_pem_creds_clear in every case. */
httpr_code hr_pem_creds_read(const char *cert_path, const char *key_path,
                             const char *password, struct hr_pem_creds *out,
                             httpr_error *err);
void hr_pem_creds_clear(struct hr_pem_creds *pc);

/* Shared messages; each fills err with HTTPR_E_CLIENT_CERT (and a hint)
 * and returns it. Providers add their own text with hr_detail(). */
httpr_code hr_creds_unreadable(httpr_error *err, const char *what,
                               const char *path, int errnum);
httpr_code hr_creds_wrong_password(httpr_error *err);
httpr_code hr_creds_no_password(httpr_error *err, const char *path);
httpr_code hr_creds_key_mismatch(httpr_error *err);

#endif
