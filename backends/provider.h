/* SPDX-License-Identifier: MIT */
/*
 * provider.h - the TLS provider interface: the only contract between the
 * shared library and a TLS library. One `struct hr_tls_provider` per TLS
 * library (backends/openssl.c, ...), filled with designated initializers.
 *
 * A provider never touches HTTP or sockets: it does I/O through the two
 * callbacks of `struct hr_tls_io`, which the transport implements over a
 * non-blocking socket (or a test over memory). Every operation is
 * non-blocking and reports "want read / want write"; the transport waits
 * with poll() and owns every timeout.
 */
#ifndef HTTPR_PROVIDER_H
#define HTTPR_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "backends/keylog.h"
#include "backends/trust.h"

struct httpr_verify_report; /* backends/verify_report.h */

enum hr_tls_status {
  HR_TLS_DONE = 0,   /* the operation completed (bytes moved) */
  HR_TLS_WANT_READ,  /* call again once the socket is readable */
  HR_TLS_WANT_WRITE, /* call again once the socket is writable */
  HR_TLS_CLOSED,     /* the peer sent close_notify (clean end) */
  HR_TLS_ERROR       /* failed; err holds the normalized code */
};

/* Transport callbacks. Both return the count of bytes moved (> 0); recv
 * returns 0 at end of stream; both return -1 with errno set otherwise,
 * errno EAGAIN meaning "would block". */
struct hr_tls_io {
  long (*send)(void *io_ctx, const void *buf, size_t len);
  long (*recv)(void *io_ctx, void *buf, size_t len);
  void *io_ctx;
};

enum hr_cred_kind {
  HR_CRED_NONE = 0,
  HR_CRED_PEM,   /* cert_path holds certificate and key */
  HR_CRED_FILES, /* cert_path + key_path */
  HR_CRED_PKCS12 /* cert_path is a PKCS#12 file */
};

/* Everything a provider needs to build a context, already resolved by
 * shared code (trust order, key log opt-in). Strings stay valid for the
 * duration of context_new only: a provider copies what it keeps. */
struct hr_tls_settings {
  int verify;            /* 0: no verification at all */
  int verify_hostname;   /* 0: chain only (only meaningful when verify) */
  int cert_status;       /* 1: require a good stapled OCSP response for the
                            server's certificate (backends/cert_status.h);
                            only with verify, and only a provider with
                            HTTPR_FEATURE_CERT_STATUS is given it */
  struct hr_trust trust; /* CA file/dir to load when verify */
  enum hr_cred_kind cred_kind;
  const char *cert_path;     /* PEM, cert or PKCS#12 file */
  const char *key_path;      /* HR_CRED_FILES only */
  const char *password;      /* key or PKCS#12 password, may be NULL */
  int min_version;           /* 12 or 13 (httpr_tls_version values) */
  int max_version;           /* 12 or 13; 0 means the provider's highest */
  const unsigned char *alpn; /* ALPN list in wire format, NULL for none */
  const char *groups; /* key exchange groups by IANA name, in order, ':'
                         between (hr_tls_groups); NULL: the provider's */
  const char *ciphers;       /* TLS 1.2 cipher suites, as configured (parsed
                                by hr_tls_suites); NULL: the provider's */
  const char *tls13_ciphers; /* TLS 1.3 cipher suites, likewise */
  size_t alpn_len;
  struct hr_keylog *keylog; /* NULL: key logging off. Not owned. */
  /* PEM CRLs the chain is checked against when verify (hr_crl_load),
   * NULL for none; read with verify off too, as curl reads them, so a bad
   * file is an error either way. The rule, the same on every provider: a
   * certificate of the chain (the leaf, the intermediates) that its
   * issuer's CRL lists is HR_VERIFY_REVOKED; a CRL that applies is
   * HR_VERIFY_CRL_NOT_YET_VALID before its thisUpdate and
   * HR_VERIFY_CRL_EXPIRED past its nextUpdate, even when it lists the
   * certificate too; a certificate whose issuer has no CRL in the file
   * passes. */
  const char *crl_file;
};

/* What a connection negotiated; filled by info() after the handshake. */
struct hr_tls_info {
  char version[16];  /* "TLSv1.2", "TLSv1.3" */
  char cipher[96];   /* the suite's IANA name, e.g. "TLS_AES_128_GCM_SHA256" */
  char alpn[32];     /* negotiated protocol, "" when none */
  char group[32];    /* the key exchange's group by its IANA name, e.g.
                        "x25519", "secp256r1"; "" when the provider cannot
                        tell (no HTTPR_FEATURE_TLS_GROUP) or there is none */
  char subject[256]; /* peer leaf subject, RFC 2253, "" when none */
  char issuer[256];  /* peer leaf issuer, RFC 2253 */
  int resumed;       /* 1 when the session was resumed */
};

struct hr_tls_provider {
  const char *name;  /* "openssl", "gnutls", "mbedtls" */
  uint32_t features; /* HTTPR_FEATURE_* bits */
  /* Human version of the linked TLS library. Static storage. */
  const char *(*library_version)(void);

  /* Process-wide setup and teardown. The registry calls them lazily,
   * reference-counted and under its lock: a provider does not count. */
  httpr_code (*global_init)(httpr_error *err);
  void (*global_cleanup)(void);

  /* A context per client: trust store, credentials, versions, ALPN, key
   * log. Loading the trust store happens here, once. Errors:
   * HTTPR_E_CA_FILE, HTTPR_E_CLIENT_CERT, HTTPR_E_UNSUPPORTED (a setting
   * the provider cannot honour), HTTPR_E_NOMEM. Thread-safe to use from
   * several connections at once once built. */
  httpr_code (*context_new)(const struct hr_tls_settings *settings, void **out,
                            httpr_error *err);
  void (*context_free)(void *ctx);

  /* A connection for one host (SNI unless host is an IP literal; identity
   * checked against host when the context verifies host names). io is
   * copied. */
  httpr_code (*connection_new)(void *ctx, const char *host,
                               const struct hr_tls_io *io, void **out,
                               httpr_error *err);
  void (*connection_free)(void *conn);

  /* Drives the handshake. HR_TLS_ERROR codes: HTTPR_E_TLS_HANDSHAKE,
   * HTTPR_E_CERT_*, HTTPR_E_SEND, HTTPR_E_RECV. */
  enum hr_tls_status (*handshake)(void *conn, httpr_error *err);
  /* Reads up to cap bytes; *got is set on HR_TLS_DONE. An alert from the
   * server is HTTPR_E_TLS_HANDSHAKE naming the alert (the caller turns it
   * into HTTPR_E_RECV once response bytes have arrived); a broken stream
   * without close_notify is HTTPR_E_RECV. */
  enum hr_tls_status (*read)(void *conn, void *buf, size_t cap, size_t *got,
                             httpr_error *err);
  /* Writes up to len bytes; *put is set on HR_TLS_DONE. After a
   * HR_TLS_WANT_* the caller repeats the call with the same buffer. */
  enum hr_tls_status (*write)(void *conn, const void *buf, size_t len,
                              size_t *put, httpr_error *err);
  /* Sends close_notify; HR_TLS_DONE once sent. Best effort. */
  enum hr_tls_status (*shutdown)(void *conn, httpr_error *err);
  /* Negotiated parameters; valid after a completed handshake. info.resumed
   * is 1 when the handshake resumed an imported session. */
  void (*info)(void *conn, struct hr_tls_info *out);

  /* Session resumption (HTTPR_FEATURE_SESSION_RESUME; all three NULL
   * without it). A session is an opaque object of the provider's, kept by
   * the pool (one per connection key) and offered on the next new
   * connection with that key. It is never serialized: keeping the
   * library's own object spares re-parsing the server's certificate on
   * every resumption.
   *
   * session_export: once the connection holds a resumable session (after
   * the handshake for TLS 1.2; for TLS 1.3 once a ticket has arrived, which
   * the pool checks after each response), a new reference to it (or a
   * copy); NULL when there is nothing resumable yet (call again later) or
   * memory ran out. Never does I/O.
   *
   * session_import: offers a session exported from a connection of the
   * same context, before the new connection's first handshake call. The
   * session stays the caller's; the same session may be offered to several
   * connections, from several threads at once. Returns 0, or -1 when it
   * cannot be offered (the handshake is then full). A server that refuses
   * the session also leads to a full handshake, never an error.
   *
   * session_free: drops what session_export returned. */
  void *(*session_export)(void *conn);
  int (*session_import)(void *conn, void *session);
  void (*session_free)(void *session);

  /* The key exchange groups it can offer, by IANA name (the names of
   * hr_tls_groups), NULL-ended: what the capability query lists. */
  const char *const *groups;
  /* The cipher suites it can offer under the system's configuration (its
   * library's default list, which a configured list chooses among), by
   * IANA code point, in its library's order: up to cap of them into ids;
   * returns how many there are. Never fails; needs no global_init. */
  size_t (*cipher_suites)(uint16_t *ids, size_t cap);

  /* From this call on, the connection records what its verification of
   * the server does into r (verify_report.h): the path with
   * hr_report_path, the policy's outcome with hr_report_policy, the name
   * with hr_report_identity, and r as the report of its failure facts.
   * NULL stops it. The core calls it before the first handshake call
   * when the caller asked for a report, and with NULL once that
   * handshake ended; r stays the core's. */
  void (*set_report)(void *conn, struct httpr_verify_report *r);

  /* For public key pinning, which the core checks after the handshake
   * (backends/pubkey_pin.h); both NULL in a provider that cannot pin.
   * peer_certificate: the server's certificate (its leaf) as DER once the
   * handshake is done, resumed or not: 0 with *der and *len set, valid
   * until connection_free; -1 when there is none. sha256: the SHA-256 of
   * len bytes of data into out, with the provider's library: 0, or -1. */
  int (*peer_certificate)(void *conn, const unsigned char **der, size_t *len);
  int (*sha256)(const void *data, size_t len, unsigned char out[32]);
};

/* The providers there are (built in, or the modules of the provider
 * directory), in preference order, and lookup by name, which loads the
 * provider's module the first time it is asked for. Thread-safe; a
 * provider returned stays valid for the life of the process.
 * (backends/registry.c) */
size_t hr_provider_count(void);
const struct hr_tls_provider *hr_provider_at(size_t i);
const struct hr_tls_provider *hr_provider_find(const char *name);

/* After hr_provider_find(name) returned NULL: sets err's detail to why
 * name's module could not be used (its path and dlerror()'s text, or the
 * interface versions), when a load was tried; leaves err alone else. */
void hr_provider_explain(const char *name, httpr_error *err);

/* Lazy, reference-counted, thread-safe global init of a provider. Every
 * successful acquire is paired with one release. */
httpr_code hr_provider_acquire(const struct hr_tls_provider *p,
                               httpr_error *err);
void hr_provider_release(const struct hr_tls_provider *p);

#endif
