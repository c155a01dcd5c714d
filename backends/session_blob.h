/* SPDX-License-Identifier: MIT */
/*
 * session_blob.h - a serialized TLS session as a provider's session object
 * (see session_export in provider.h), for libraries whose sessions are
 * easiest kept as bytes (GnuTLS, mbedTLS). The bytes hold the session's
 * secrets: they are wiped when freed.
 */
#ifndef HTTPR_SESSION_BLOB_H
#define HTTPR_SESSION_BLOB_H

#include <stdlib.h>
#include <string.h>

struct hr_session_blob {
  size_t len;
  unsigned char data[];
};

/* A blob with room for len bytes (len set), or NULL. */
static inline struct hr_session_blob *hr_session_blob_new(size_t len) {
  struct hr_session_blob *b = malloc(sizeof(*b) + len);
  if (b)
    b->len = len;
  return b;
}

static inline void hr_session_blob_free(void *session) {
  struct hr_session_blob *b = session;
  if (!b)
    return;
  explicit_bzero(b->data, b->len);
  free(b);
}

#endif
