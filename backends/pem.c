/* SPDX-License-Identifier: MIT */
/*
 * pem.c - reading credential files and splitting PEM text into typed
 * blocks, so every provider classifies a file (certificate, plain key,
 * encrypted key) the same way before its TLS library parses a block.
 * Splitting looks at the armour lines only; hr_pem_block_der decodes one
 * block's base64 for the shared checks that read DER (a key's KDF
 * parameters).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/wipe.h"
#include "backends/base64.h"
#include "backends/pem.h"

#define FILE_CAP ((size_t)64 * 1024 * 1024)

static const char begin_tag[] = "-----BEGIN ";
static const char end_tag[] = "-----END ";
static const char dashes[] = "-----";

#define TAG_LEN(t) (sizeof(t) - 1)

/* One line of text: [p, p + len) without its "\n" or "\r\n". */
struct line {
  const char *p;
  size_t len;
  const char *next; /* start of the following line */
};

static struct line line_at(const char *p, const char *end) {
  struct line l = {.p = p};
  const char *nl = memchr(p, '\n', (size_t)(end - p));
  const char *stop = nl ? nl : end;
  l.next = nl ? nl + 1 : end;
  if (stop > p && stop[-1] == '\r')
    stop--;
  l.len = (size_t)(stop - p);
  return l;
}

static int starts_with(const struct line *l, const char *s, size_t n) {
  return l->len >= n && memcmp(l->p, s, n) == 0;
}

/* The label of a "-----BEGIN X-----" or "-----END X-----" line, or 0. */
static size_t armour_label(const struct line *l, const char *tag,
                           size_t tag_len, const char **label) {
  if (!starts_with(l, tag, tag_len) || l->len < tag_len + TAG_LEN(dashes) + 1)
    return 0;
  size_t n = l->len - tag_len - TAG_LEN(dashes);
  if (memcmp(l->p + tag_len + n, dashes, TAG_LEN(dashes)) != 0)
    return 0;
  *label = l->p + tag_len;
  return n;
}

static int label_is(const struct hr_pem_block *b, const char *s) {
  return b->label_len == strlen(s) && memcmp(b->label, s, b->label_len) == 0;
}

/* Legacy PEM encryption announces itself in RFC 1421 header lines
 * ("Proc-Type: 4,ENCRYPTED") between the BEGIN line and the base64. */
static int has_encrypted_header(const char *body, const char *end) {
  for (int i = 0; i < 16 && body < end; i++) {
    struct line l = line_at(body, end);
    if (l.len == 0 || !memchr(l.p, ':', l.len))
      return 0;
    if (starts_with(&l, "Proc-Type:", 10)) {
      const char *v = l.p + 10;
      size_t vlen = l.len - 10;
      while (vlen > 0 && (*v == ' ' || *v == '\t')) {
        v++;
        vlen--;
      }
      return vlen >= 11 && memcmp(v, "4,ENCRYPTED", 11) == 0;
    }
    body = l.next;
  }
  return 0;
}

static enum hr_pem_kind classify(const struct hr_pem_block *b, const char *body,
                                 const char *end) {
  if (label_is(b, "CERTIFICATE") || label_is(b, "X509 CERTIFICATE") ||
      label_is(b, "TRUSTED CERTIFICATE"))
    return HR_PEM_CERTIFICATE;
  if (label_is(b, "ENCRYPTED PRIVATE KEY"))
    return HR_PEM_KEY_PKCS8_ENCRYPTED;
  if (label_is(b, "PRIVATE KEY") || label_is(b, "RSA PRIVATE KEY") ||
      label_is(b, "EC PRIVATE KEY") || label_is(b, "DSA PRIVATE KEY"))
    return has_encrypted_header(body, end) ? HR_PEM_KEY_LEGACY_ENCRYPTED
                                           : HR_PEM_KEY;
  if (label_is(b, "X509 CRL"))
    return HR_PEM_CRL;
  if (label_is(b, "PUBLIC KEY"))
    return HR_PEM_PUBLIC_KEY;
  return HR_PEM_OTHER;
}

/* Looks for the END line of the block whose BEGIN line is `begin`. Returns
 * the line after it, or NULL when another BEGIN line or the end of the text
 * comes first (a truncated block is never reported). */
static const char *find_end(const struct hr_pem_block *b, const char *p,
                            const char *end, const char **block_end) {
  while (p < end) {
    struct line l = line_at(p, end);
    const char *label;
    size_t n = armour_label(&l, end_tag, TAG_LEN(end_tag), &label);
    if (n == b->label_len && memcmp(label, b->label, n) == 0) {
      *block_end = l.p + l.len;
      return l.next;
    }
    if (starts_with(&l, begin_tag, TAG_LEN(begin_tag)))
      return NULL;
    p = l.next;
  }
  return NULL;
}

size_t hr_pem_each(const char *text, size_t len,
                   int (*cb)(const struct hr_pem_block *block, void *ud),
                   void *ud) {
  const char *p = text;
  const char *end = text ? text + len : NULL;
  size_t seen = 0;
  while (p && p < end) {
    struct line l = line_at(p, end);
    struct hr_pem_block b = {.begin = l.p};
    b.label_len = armour_label(&l, begin_tag, TAG_LEN(begin_tag), &b.label);
    p = l.next;
    if (b.label_len == 0)
      continue;
    const char *block_end = NULL;
    const char *after = find_end(&b, p, end, &block_end);
    if (!after)
      continue; /* resume at the line after this BEGIN */
    b.len = (size_t)(block_end - b.begin);
    b.kind = classify(&b, p, block_end);
    seen++;
    p = after;
    if (cb && cb(&b, ud))
      break;
  }
  return seen;
}

struct count_ud {
  enum hr_pem_kind kind;
  size_t n;
};

static int count_cb(const struct hr_pem_block *block, void *ud) {
  struct count_ud *c = ud;
  if (block->kind == c->kind)
    c->n++;
  return 0;
}

size_t hr_pem_count(const char *text, size_t len, enum hr_pem_kind kind) {
  struct count_ud c = {.kind = kind};
  hr_pem_each(text, len, count_cb, &c);
  return c.n;
}

/* A bigger copy of buf's first n bytes; the old buffer is wiped, not left
 * behind by realloc, since a credential file may hold a private key. */
static char *grow_wiped(char *buf, size_t n, size_t size) {
  char *bigger = malloc(size);
  if (!bigger)
    return NULL;
  memcpy(bigger, buf, n);
  hr_wipe_free(buf, n);
  return bigger;
}

int hr_pem_block_der(const struct hr_pem_block *b, unsigned char **der,
                     size_t *len) {
  const char *end = b->begin + b->len;
  struct line l = line_at(b->begin, end); /* the BEGIN line */
  const char *body = l.next;
  /* RFC 1421 headers: "Name: value" lines, then an empty line. */
  while (body < end) {
    l = line_at(body, end);
    if (!memchr(l.p, ':', l.len))
      break;
    body = l.next;
  }
  const char *stop = end;
  while (stop > body && stop[-1] != '\n')
    stop--; /* the END line */
  size_t cap = HR_BASE64_DECODED_MAX((size_t)(stop - body));
  unsigned char *out = malloc(cap);
  *der = NULL;
  *len = 0;
  if (!out) {
    errno = ENOMEM;
    return -1;
  }
  size_t n = 0;
  if (hr_base64_decode(body, (size_t)(stop - body), out, &n) != 0) {
    hr_wipe_free(out, cap);
    errno = EINVAL;
    return -1;
  }
  *der = out;
  *len = n;
  return 0;
}

/* Reads fd to its end into a NUL-terminated buffer; EFBIG past the cap. */
static int read_all(int fd, size_t hint, char **data, size_t *len) {
  size_t cap = hint < FILE_CAP ? hint + 1 : FILE_CAP + 1;
  size_t n = 0;
  char *buf = malloc(cap + 1);
  int rc = -1;
  if (!buf)
    goto done;
  for (;;) {
    if (n == cap) {
      if (cap > FILE_CAP) {
        errno = EFBIG;
        goto done;
      }
      size_t ncap = cap * 2 > FILE_CAP + 1 ? FILE_CAP + 1 : cap * 2;
      char *nbuf = grow_wiped(buf, n, ncap + 1);
      if (!nbuf)
        goto done;
      buf = nbuf;
      cap = ncap;
    }
    ssize_t got = read(fd, buf + n, cap - n);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0)
      goto done;
    if (got == 0)
      break;
    n += (size_t)got;
  }
  if (n > FILE_CAP) {
    errno = EFBIG;
    goto done;
  }
  buf[n] = '\0';
  *data = buf;
  *len = n;
  buf = NULL;
  rc = 0;
done:
  hr_wipe_free(buf, n);
  return rc;
}

int hr_file_read(const char *path, char **data, size_t *len) {
  *data = NULL;
  *len = 0;
  if (!path) {
    errno = EINVAL;
    return -1;
  }
  /* O_NONBLOCK: opening a FIFO must not hang; it is refused below. */
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0)
    return -1;
  struct stat st;
  int rc = -1;
  if (fstat(fd, &st) != 0)
    goto done;
  if (!S_ISREG(st.st_mode)) {
    errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
    goto done;
  }
  if ((uint64_t)st.st_size > FILE_CAP) {
    errno = EFBIG;
    goto done;
  }
  rc = read_all(fd, (size_t)st.st_size, data, len);
done:;
  int saved = errno;
  close(fd);
  errno = saved;
  return rc;
}
