/* SPDX-License-Identifier: MIT */
/*
 * fuzz_pem.c - libFuzzer target for the PEM reader every provider shares:
 * backends/pem.c, which splits a file into typed blocks, and
 * backends/credentials.c, which reads credential files through it and
 * sorts their blocks (certificates in order, the first key).
 *
 * Input: byte 0 chooses the password (bit 0: one given) and whether the
 * rest is one file holding certificate and key (bit 1 clear) or, split at
 * the first NUL, a certificate file and a key file. The files are memfds,
 * read through their /proc/self/fd path as any file would be.
 *
 * Checks, for hr_pem_each on the text: blocks come in order without
 * overlapping, inside the text, each from a "-----BEGIN L-----" line to
 * the matching "-----END L-----", L being the label reported, and of the
 * kind its label (and a Proc-Type header) gives; a callback that stops
 * the walk stops it; hr_pem_count agrees with the walk. For
 * hr_pem_creds_read: exactly the outcome the walk predicts (no
 * certificate, no key, or an encrypted key without a password is
 * HTTPR_E_CLIENT_CERT with a message), and on success the certificate
 * blocks of the certificate file in order and the first key block of the
 * key file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backends/credentials.h"
#include "backends/kdf_params.h"
#include "backends/pem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_CAP (64 * 1024)

/* ---- the walk ------------------------------------------------------------ */

struct walk {
  const char *text;
  size_t len;
  const char *last_end; /* where the previous block ended */
  size_t seen;
  size_t by_kind[HR_PEM_OTHER + 1];
  size_t stop_after; /* return 1 after this many blocks; 0 never */
};

static int starts(const char *p, size_t n, const char *s) {
  size_t k = strlen(s);
  return n >= k && memcmp(p, s, k) == 0;
}

static int label_is(const struct hr_pem_block *b, const char *s) {
  return b->label_len == strlen(s) && memcmp(b->label, s, b->label_len) == 0;
}

/* The kind the label says, the Proc-Type header aside. */
static int kind_fits(const struct hr_pem_block *b) {
  if (label_is(b, "CERTIFICATE") || label_is(b, "X509 CERTIFICATE") ||
      label_is(b, "TRUSTED CERTIFICATE"))
    return b->kind == HR_PEM_CERTIFICATE;
  if (label_is(b, "ENCRYPTED PRIVATE KEY"))
    return b->kind == HR_PEM_KEY_PKCS8_ENCRYPTED;
  if (label_is(b, "PRIVATE KEY") || label_is(b, "RSA PRIVATE KEY") ||
      label_is(b, "EC PRIVATE KEY") || label_is(b, "DSA PRIVATE KEY")) {
    if (b->kind == HR_PEM_KEY)
      return 1;
    /* Legacy encryption is announced in the block's header lines. */
    return b->kind == HR_PEM_KEY_LEGACY_ENCRYPTED &&
           memmem(b->begin, b->len, "Proc-Type:", 10) != NULL;
  }
  if (label_is(b, "X509 CRL"))
    return b->kind == HR_PEM_CRL;
  if (label_is(b, "PUBLIC KEY"))
    return b->kind == HR_PEM_PUBLIC_KEY;
  return b->kind == HR_PEM_OTHER;
}

static int on_block(const struct hr_pem_block *b, void *ud) {
  struct walk *w = ud;
  const char *text_end = w->text + w->len;
  if (b->begin < w->last_end || b->begin + b->len > text_end)
    abort();
  /* "-----BEGIN " label "-----" opens it, at the start of a line. */
  if (b->begin != w->text && b->begin[-1] != '\n')
    abort();
  size_t head = 11 + b->label_len + 5, tail = 9 + b->label_len + 5;
  if (b->label_len == 0 || b->len < head + tail ||
      !starts(b->begin, b->len, "-----BEGIN ") || b->label != b->begin + 11 ||
      memcmp(b->label + b->label_len, "-----", 5) != 0)
    abort();
  /* "-----END " label "-----" closes it. */
  const char *close = b->begin + b->len - tail;
  if (!starts(close, tail, "-----END ") ||
      memcmp(close + 9, b->label, b->label_len) != 0 ||
      memcmp(close + 9 + b->label_len, "-----", 5) != 0)
    abort();
  if (b->kind > HR_PEM_OTHER || !kind_fits(b))
    abort();
  w->last_end = b->begin + b->len;
  w->seen++;
  w->by_kind[b->kind]++;
  return w->stop_after && w->seen == w->stop_after;
}

static void check_walk(const char *text, size_t len) {
  struct walk w = {.text = text, .len = len, .last_end = text};
  size_t n = hr_pem_each(text, len, on_block, &w);
  if (n != w.seen)
    abort();
  size_t sum = 0;
  for (int k = 0; k <= HR_PEM_OTHER; k++) {
    if (hr_pem_count(text, len, (enum hr_pem_kind)k) != w.by_kind[k])
      abort();
    sum += w.by_kind[k];
  }
  if (sum != n || hr_pem_each(text, len, NULL, NULL) != n)
    abort();
  if (n > 1) {
    struct walk stop = {
        .text = text, .len = len, .last_end = text, .stop_after = 1};
    if (hr_pem_each(text, len, on_block, &stop) != 1 || stop.seen != 1)
      abort();
  }
}

/* ---- reading credentials ------------------------------------------------- */

/* A memfd holding bytes, and its path. */
struct memfile {
  int fd;
  char path[64];
};

static void memfile_fill(struct memfile *m, const char *name, const char *p,
                         size_t n) {
  if (m->fd < 0) {
    m->fd = memfd_create(name, MFD_CLOEXEC);
    if (m->fd < 0)
      abort();
    snprintf(m->path, sizeof(m->path), "/proc/self/fd/%d", m->fd);
  }
  if (ftruncate(m->fd, 0) != 0 || pwrite(m->fd, p, n, 0) != (ssize_t)n)
    abort();
}

/* Where the blocks of a text are, found by a walk of our own. */
struct sorted {
  const char *text;
  size_t *certs; /* offsets of the certificate blocks */
  size_t cert_count, cert_cap;
  long key; /* offset of the first key block, -1 when none */
  int key_encrypted;
  struct hr_pem_block key_block; /* that block */
};

static int sort_block(const struct hr_pem_block *b, void *ud) {
  struct sorted *s = ud;
  size_t off = (size_t)(b->begin - s->text);
  if (b->kind == HR_PEM_CERTIFICATE) {
    if (s->cert_count == s->cert_cap) {
      s->cert_cap = s->cert_cap ? s->cert_cap * 2 : 8;
      s->certs = realloc(s->certs, s->cert_cap * sizeof(*s->certs));
      if (!s->certs)
        abort();
    }
    s->certs[s->cert_count++] = off;
  } else if ((b->kind == HR_PEM_KEY || b->kind == HR_PEM_KEY_PKCS8_ENCRYPTED ||
              b->kind == HR_PEM_KEY_LEGACY_ENCRYPTED) &&
             s->key < 0) {
    /* CRLs and public keys are not a client's key. */
    s->key = (long)off;
    s->key_encrypted = b->kind != HR_PEM_KEY;
    s->key_block = *b;
  }
  return 0;
}

static void sort_text(struct sorted *s, const char *text, size_t len) {
  memset(s, 0, sizeof(*s));
  s->text = text;
  s->key = -1;
  hr_pem_each(text, len, sort_block, s);
}

/* An encrypted PKCS#8 block is refused before any password is looked at
 * unless its DER is an EncryptedPrivateKeyInfo whose key derivation stays
 * within the cap (backends/credentials.c). */
static int kdf_acceptable(const struct hr_pem_block *b) {
  unsigned char *der = NULL;
  size_t len = 0;
  struct hr_kdf_scan scan = {0};
  if (hr_pem_block_der(b, &der, &len) != 0)
    return 0;
  enum hr_kdf_result r = hr_kdf_scan_pkcs8(der, len, &scan);
  free(der);
  return r == HR_KDF_READ && scan.iterations <= HR_KDF_MAX_ITERATIONS;
}

/* hr_pem_creds_read on the files must find what our walks found. key is
 * NULL for one file holding both. */
static void check_creds(const struct memfile *cert, const char *cert_text,
                        size_t cert_len, const struct memfile *key,
                        const char *key_text, size_t key_len,
                        const char *password) {
  struct sorted want_certs, want_key;
  sort_text(&want_certs, cert_text, cert_len);
  sort_text(&want_key, key_text, key_len);
  httpr_code want = HTTPR_OK;
  if (want_certs.cert_count == 0 || want_key.key < 0 ||
      (want_key.key_encrypted && !password) ||
      (want_key.key_block.kind == HR_PEM_KEY_PKCS8_ENCRYPTED &&
       !kdf_acceptable(&want_key.key_block)))
    want = HTTPR_E_CLIENT_CERT;
  struct hr_pem_creds pc;
  httpr_error err = {0};
  httpr_code rc = hr_pem_creds_read(cert->path, key ? key->path : NULL,
                                    password, &pc, &err);
  if (rc != want || (rc != HTTPR_OK && err.message[0] == '\0'))
    abort();
  if (rc == HTTPR_OK) {
    const char *got_key_text = key ? pc.key_text : pc.cert_text;
    if (pc.cert_count != want_certs.cert_count ||
        pc.key.begin - got_key_text != want_key.key ||
        pc.key_encrypted != want_key.key_encrypted)
      abort();
    for (size_t i = 0; i < pc.cert_count; i++) {
      if (pc.certs[i].begin - pc.cert_text != (long)want_certs.certs[i])
        abort();
    }
  }
  hr_pem_creds_clear(&pc);
  free(want_certs.certs);
  free(want_key.certs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static struct memfile cert = {-1, ""}, key = {-1, ""};
  if (size < 1 || size > INPUT_CAP)
    return 0;
  int two_files = data[0] & 2;
  const char *password = (data[0] & 1) ? "secret" : NULL;
  const char *text = (const char *)data + 1;
  size_t len = size - 1;
  check_walk(text, len);
  const char *nul = memchr(text, '\0', len);
  if (two_files && nul) {
    size_t first = (size_t)(nul - text);
    memfile_fill(&cert, "cert", text, first);
    memfile_fill(&key, "key", nul + 1, len - first - 1);
    check_creds(&cert, text, first, &key, nul + 1, len - first - 1, password);
  } else {
    memfile_fill(&cert, "cert", text, len);
    check_creds(&cert, text, len, NULL, text, len, password);
  }
  return 0;
}
