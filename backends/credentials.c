/* SPDX-License-Identifier: MIT */
/*
 * credentials.c - reading and sorting client credential files, and the
 * wording of their failures (see credentials.h). No TLS library here.
 */
#include "backends/credentials.h"
#include "backends/provider.h"
#include "common/wipe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int collect_cert(const struct hr_pem_block *b, void *ud) {
  struct hr_pem_creds *pc = ud;
  if (b->kind != HR_PEM_CERTIFICATE)
    return 0;
  if (pc->cert_count == pc->cert_cap) {
    size_t cap = pc->cert_cap ? pc->cert_cap * 2 : 4;
    struct hr_pem_block *v = realloc(pc->certs, cap * sizeof(*v));
    if (!v) {
      pc->nomem = 1;
      return 1;
    }
    pc->certs = v;
    pc->cert_cap = cap;
  }
  pc->certs[pc->cert_count++] = *b;
  return 0;
}

static int collect_key(const struct hr_pem_block *b, void *ud) {
  struct hr_pem_creds *pc = ud;
  if (b->kind != HR_PEM_KEY && b->kind != HR_PEM_KEY_PKCS8_ENCRYPTED &&
      b->kind != HR_PEM_KEY_LEGACY_ENCRYPTED)
    return 0; /* certificates, CRLs, public keys, the rest */
  pc->key = *b;
  pc->key_encrypted = b->kind == HR_PEM_KEY_PKCS8_ENCRYPTED ||
                      b->kind == HR_PEM_KEY_LEGACY_ENCRYPTED;
  return 1; /* the first key is the one */
}

/* The one message for a file above the cap, on every provider. */
static httpr_code kdf_check(const char *path, const struct hr_kdf_scan *scan,
                            httpr_error *err) {
  if (scan->iterations <= HR_KDF_MAX_ITERATIONS)
    return HTTPR_OK;
  hr_fail(err, HTTPR_E_CLIENT_CERT,
          "client credential file '%s' asks for %llu key derivation "
          "iterations, above the cap of %u",
          path, (unsigned long long)scan->iterations, HR_KDF_MAX_ITERATIONS);
  hr_detail(err,
            "httpr: %u password-based derivations (PKCS#12 MAC, PBKDF2, "
            "PKCS#12 PBE, scrypt) counted before any was run",
            scan->derivations);
  hr_hint(err, "re-encrypt the file with fewer iterations (OpenSSL's "
               "default is 2048)");
  return err->code;
}

/* An encrypted PKCS#8 key: its KDF parameters, before a library runs
 * them. */
static httpr_code check_key_kdf(const struct hr_pem_creds *pc,
                                httpr_error *err) {
  unsigned char *der = NULL;
  size_t len = 0;
  struct hr_kdf_scan scan = {0};
  if (hr_pem_block_der(&pc->key, &der, &len) != 0) {
    if (errno == ENOMEM)
      return hr_nomem(err);
    hr_creds_key_unparsable(err, pc->key_path);
    hr_detail(err, "httpr: the PEM block is not base64");
    return err->code;
  }
  enum hr_kdf_result r = hr_kdf_scan_pkcs8(der, len, &scan);
  hr_wipe_free(der, len);
  if (r != HR_KDF_READ) {
    hr_creds_key_unparsable(err, pc->key_path);
    hr_detail(err, "httpr: encrypted PKCS#8: %s",
              scan.why ? scan.why : "not an EncryptedPrivateKeyInfo");
    return err->code;
  }
  return kdf_check(pc->key_path, &scan, err);
}

httpr_code hr_pem_creds_read(const char *cert_path, const char *key_path,
                             const char *password, struct hr_pem_creds *pc,
                             httpr_error *err) {
  size_t key_len = 0;
  memset(pc, 0, sizeof(*pc));
  pc->cert_path = cert_path;
  pc->key_path = key_path ? key_path : cert_path;
  if (hr_file_read(cert_path, &pc->cert_text, &pc->cert_len) != 0)
    return hr_creds_unreadable(err, "client certificate file", cert_path,
                               errno);
  hr_pem_each(pc->cert_text, pc->cert_len, collect_cert, pc);
  if (pc->nomem)
    return hr_nomem(err);
  if (pc->cert_count == 0)
    return hr_fail(err, HTTPR_E_CLIENT_CERT,
                   "client certificate file '%s' holds no PEM certificate",
                   cert_path);
  const char *key_text = pc->cert_text;
  if (key_path) {
    if (hr_file_read(key_path, &pc->key_text, &pc->key_len) != 0)
      return hr_creds_unreadable(err, "client key file", key_path, errno);
    key_text = pc->key_text;
    key_len = pc->key_len;
  } else {
    key_len = pc->cert_len;
  }
  hr_pem_each(key_text, key_len, collect_key, pc);
  if (!pc->key.begin)
    return hr_fail(err, HTTPR_E_CLIENT_CERT, "no private key found in '%s'",
                   pc->key_path);
  httpr_code rc;
  if (pc->key.kind == HR_PEM_KEY_PKCS8_ENCRYPTED &&
      (rc = check_key_kdf(pc, err)) != HTTPR_OK)
    return rc;
  if (pc->key_encrypted && !password)
    return hr_creds_no_password(err, pc->key_path);
  return HTTPR_OK;
}

/* Either text may hold the private key (one PEM holds both). */
void hr_pem_creds_clear(struct hr_pem_creds *pc) {
  free(pc->certs);
  hr_wipe_free(pc->cert_text, pc->cert_len);
  hr_wipe_free(pc->key_text, pc->key_len);
  memset(pc, 0, sizeof(*pc));
}

httpr_code hr_creds_read_pkcs12(const char *path, char **data, size_t *len,
                                struct hr_kdf_scan *scan, httpr_error *err) {
  memset(scan, 0, sizeof(*scan));
  if (hr_file_read(path, data, len) != 0)
    return hr_creds_unreadable(err, "client certificate file", path, errno);
  httpr_code rc = HTTPR_OK;
  enum hr_kdf_result r =
      hr_kdf_scan_pkcs12((const unsigned char *)*data, *len, scan);
  if (r == HR_KDF_UNREADABLE) {
    rc = hr_creds_pkcs12_unparsable(err, path, scan->why);
    hr_detail(err, "httpr reads a PKCS#12 file's key derivation parameters "
                   "before any TLS library does, and reads DER only");
  } else {
    rc = kdf_check(path, scan, err);
  }
  if (rc != HTTPR_OK) {
    hr_wipe_free(*data, *len);
    *data = NULL;
    *len = 0;
  }
  return rc;
}

httpr_code hr_creds_kdf_inner_key(const char *path, const unsigned char *der,
                                  size_t len, struct hr_kdf_scan *scan,
                                  httpr_error *err) {
  if (hr_kdf_scan_pkcs8(der, len, scan) == HR_KDF_UNREADABLE)
    return hr_creds_pkcs12_unparsable(err, path, scan->why);
  return kdf_check(path, scan, err);
}

httpr_code hr_creds_setup(const struct hr_tls_settings *s,
                          const struct hr_creds_loaders *load, void *ud,
                          httpr_error *err) {
  struct hr_pem_creds pc;
  httpr_code rc;
  if (s->cred_kind == HR_CRED_NONE)
    return HTTPR_OK;
  if (!s->cert_path)
    return hr_fail(err, HTTPR_E_INVALID, "no client certificate file given");
  switch (s->cred_kind) {
  case HR_CRED_PEM:
  case HR_CRED_FILES:
    rc = hr_pem_creds_read(s->cert_path,
                           s->cred_kind == HR_CRED_FILES ? s->key_path : NULL,
                           s->password, &pc, err);
    if (rc == HTTPR_OK)
      rc = load->pem(ud, &pc, s->password, err);
    hr_pem_creds_clear(&pc);
    return rc;
  case HR_CRED_PKCS12:
    return load->pkcs12(ud, s, err);
  default:
    return hr_fail(err, HTTPR_E_INVALID, "unknown client credential kind");
  }
}

httpr_code hr_creds_unreadable(httpr_error *err, const char *what,
                               const char *path, int errnum) {
  hr_fail(err, HTTPR_E_CLIENT_CERT, "%s '%s' cannot be read: %s", what, path,
          strerror(errnum));
  hr_detail(err, "errno %d", errnum);
  return err->code;
}

httpr_code hr_creds_wrong_password(httpr_error *err) {
  hr_fail(err, HTTPR_E_CLIENT_CERT, "wrong key password");
  hr_hint(err, "check the password given with --pass or after --cert FILE:");
  return err->code;
}

httpr_code hr_creds_no_password(httpr_error *err, const char *path) {
  hr_fail(err, HTTPR_E_CLIENT_CERT,
          "the key in '%s' is encrypted and no password was given", path);
  hr_hint(err, "give the password with --pass or after --cert FILE:");
  return err->code;
}

httpr_code hr_creds_key_mismatch(httpr_error *err) {
  return hr_fail(err, HTTPR_E_CLIENT_CERT,
                 "client key does not match the certificate");
}

httpr_code hr_creds_cert_unparsable(httpr_error *err, const char *path,
                                    size_t index) {
  if (index == 0)
    return hr_fail(err, HTTPR_E_CLIENT_CERT,
                   "client certificate in '%s' cannot be parsed", path);
  return hr_fail(err, HTTPR_E_CLIENT_CERT,
                 "certificate %zu in '%s' cannot be parsed", index + 1, path);
}

httpr_code hr_creds_key_unparsable(httpr_error *err, const char *path) {
  return hr_fail(err, HTTPR_E_CLIENT_CERT, "the key in '%s' cannot be parsed",
                 path);
}

httpr_code hr_creds_key_refused(httpr_error *err,
                                const struct hr_pem_creds *pc) {
  if (pc->key_encrypted)
    return hr_creds_wrong_password(err);
  return hr_creds_key_unparsable(err, pc->key_path);
}

httpr_code hr_creds_pkcs12_unparsable(httpr_error *err, const char *path,
                                      const char *why) {
  return hr_fail(err, HTTPR_E_CLIENT_CERT,
                 "client certificate file '%s' cannot be parsed as PKCS#12: "
                 "%s",
                 path, why);
}
