/* SPDX-License-Identifier: MIT */
/*
 * pubkey_pin.c - reads a public key pin (hashes, or a key file) once, and
 * checks a server's leaf against it on every new connection (see
 * pubkey_pin.h). Keys are compared as DER SubjectPublicKeyInfo, which the
 * DER reader finds in the certificate (x509_cert.h); the hash is the
 * provider's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backends/base64.h"
#include "backends/der.h"
#include "backends/pem.h"
#include "backends/pubkey_pin.h"
#include "backends/x509_cert.h"

struct hr_pubkey_pins {
  unsigned char (*hashes)[HR_SHA256_LEN]; /* sha256// pins */
  size_t count;
  unsigned char *spki; /* or the key of a file, DER */
  size_t spki_len;
};

static const char sha256_prefix[] = "sha256//";
#define PREFIX_LEN (sizeof(sha256_prefix) - 1)

static const char hint_forms[] =
    "give sha256// and the base64 of the key's SHA-256 (several separated "
    "by ';'), or a PEM or DER public key file";

void hr_pubkey_pins_free(struct hr_pubkey_pins *pins) {
  if (!pins)
    return;
  free(pins->hashes);
  free(pins->spki);
  free(pins);
}

/* ---- sha256// hashes ----------------------------------------------------- */

static httpr_code bad_entry(httpr_error *err, const char *what,
                            const char *entry, size_t len) {
  hr_fail(err, HTTPR_E_PINNED_KEY, "pinned public key '%.*s' %s",
          (int)(len > 80 ? 80 : len), entry, what);
  hr_hint(err, "%s", hint_forms);
  return err->code;
}

/* One "sha256//BASE64" of len bytes into out. */
static httpr_code read_hash(const char *entry, size_t len,
                            unsigned char out[HR_SHA256_LEN],
                            httpr_error *err) {
  unsigned char decoded[HR_BASE64_DECODED_MAX(64)];
  size_t n = 0;
  if (len < PREFIX_LEN || memcmp(entry, sha256_prefix, PREFIX_LEN) != 0)
    return bad_entry(err, "does not start with sha256//", entry, len);
  size_t b64_len = len - PREFIX_LEN;
  /* 44 characters encode 32 bytes; a longer text is no SHA-256 hash. */
  if (b64_len > 64 ||
      hr_base64_decode(entry + PREFIX_LEN, b64_len, decoded, &n) != 0 ||
      n != HR_SHA256_LEN)
    return bad_entry(err, "is not the base64 of a SHA-256 hash", entry, len);
  memcpy(out, decoded, HR_SHA256_LEN);
  return HTTPR_OK;
}

static httpr_code read_hashes(const char *value, struct hr_pubkey_pins *pins,
                              httpr_error *err) {
  size_t entries = 1;
  for (const char *p = value; *p; p++)
    entries += *p == ';';
  pins->hashes = calloc(entries, sizeof(*pins->hashes));
  if (!pins->hashes)
    return hr_nomem(err);
  for (const char *p = value;; p++) {
    size_t len = strcspn(p, ";");
    httpr_code rc = read_hash(p, len, pins->hashes[pins->count], err);
    if (rc != HTTPR_OK)
      return rc;
    pins->count++;
    p += len;
    if (!*p)
      return HTTPR_OK;
  }
}

/* ---- a key file ---------------------------------------------------------- */

struct find_key {
  struct hr_pem_block block;
  int found;
};

static int first_public_key(const struct hr_pem_block *b, void *ud) {
  struct find_key *f = ud;
  if (b->kind != HR_PEM_PUBLIC_KEY)
    return 0;
  f->block = *b;
  f->found = 1;
  return 1;
}

static httpr_code no_key(httpr_error *err, const char *path) {
  hr_fail(err, HTTPR_E_PINNED_KEY,
          "pinned public key file '%s' holds no public key", path);
  hr_hint(err, "the file must hold a SubjectPublicKeyInfo, PEM (\"-----BEGIN "
               "PUBLIC KEY-----\") or DER, as `openssl pkey -pubout` writes");
  return err->code;
}

/* The key of a file's first PUBLIC KEY block, or of the whole file as DER
 * when it holds no PEM block at all. */
static httpr_code read_key_file(const char *path, struct hr_pubkey_pins *pins,
                                httpr_error *err) {
  char *data = NULL;
  size_t len = 0;
  struct find_key f = {.found = 0};
  if (hr_file_read(path, &data, &len) != 0) {
    int e = errno;
    hr_fail(err, HTTPR_E_PINNED_KEY,
            "pinned public key file '%s' cannot be read: %s", path,
            strerror(e));
    hr_detail(err, "errno %d", e);
    hr_hint(err, "%s", hint_forms);
    return err->code;
  }
  httpr_code rc = HTTPR_OK;
  size_t blocks = hr_pem_each(data, len, first_public_key, &f);
  if (f.found) {
    if (hr_pem_block_der(&f.block, &pins->spki, &pins->spki_len) != 0)
      rc = errno == ENOMEM ? hr_nomem(err) : no_key(err, path);
  } else if (blocks == 0 && hr_spki_check((unsigned char *)data, len) == 0) {
    pins->spki = (unsigned char *)data; /* the DER itself */
    pins->spki_len = len;
    data = NULL;
  }
  free(data);
  if (rc == HTTPR_OK &&
      (!pins->spki || hr_spki_check(pins->spki, pins->spki_len) != 0))
    rc = no_key(err, path);
  return rc;
}

httpr_code hr_pubkey_pins_parse(const char *value, struct hr_pubkey_pins **out,
                                httpr_error *err) {
  *out = NULL;
  if (!value || !value[0])
    return hr_fail(err, HTTPR_E_PINNED_KEY, "the pinned public key is empty");
  struct hr_pubkey_pins *pins = calloc(1, sizeof(*pins));
  if (!pins)
    return hr_nomem(err);
  httpr_code rc = strncmp(value, sha256_prefix, PREFIX_LEN) == 0
                      ? read_hashes(value, pins, err)
                      : read_key_file(value, pins, err);
  if (rc != HTTPR_OK) {
    hr_pubkey_pins_free(pins);
    return rc;
  }
  *out = pins;
  return HTTPR_OK;
}

/* ---- the check ----------------------------------------------------------- */

static int matches(const struct hr_pubkey_pins *pins, const struct hr_der *spki,
                   const unsigned char *digest) {
  if (pins->spki)
    return spki->len == pins->spki_len &&
           memcmp(spki->p, pins->spki, spki->len) == 0;
  for (size_t i = 0; digest && i < pins->count; i++) {
    if (memcmp(pins->hashes[i], digest, HR_SHA256_LEN) == 0)
      return 1;
  }
  return 0;
}

httpr_code hr_pubkey_pins_check(const struct hr_pubkey_pins *pins,
                                const unsigned char *leaf, size_t len,
                                hr_sha256_fn *sha256, httpr_error *err) {
  static const char mismatch[] =
      "the server's public key does not match the pinned public key";
  struct hr_der spki;
  if (!leaf || hr_cert_spki(leaf, len, &spki) != 0) {
    hr_fail(err, HTTPR_E_PINNED_KEY, "%s", mismatch);
    hr_detail(err, "%s",
              leaf ? "the server's certificate cannot be read"
                   : "the server sent no certificate");
    return err->code;
  }
  unsigned char digest[HR_SHA256_LEN];
  int hashed = sha256 && sha256(spki.p, spki.len, digest) == 0;
  if (matches(pins, &spki, hashed ? digest : NULL))
    return HTTPR_OK;
  hr_fail(err, HTTPR_E_PINNED_KEY, "%s", mismatch);
  if (hashed) {
    char text[HR_BASE64_ENCODED_SIZE(HR_SHA256_LEN)];
    hr_base64_encode(digest, sizeof(digest), text);
    hr_detail(err, "the server's public key is %s%s", sha256_prefix, text);
  } else {
    hr_detail(err, "the SHA-256 of the server's public key could not be "
                   "computed");
  }
  return err->code;
}
