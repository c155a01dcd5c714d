/* SPDX-License-Identifier: MIT */
/*
 * tls_conn.h - the connection plumbing every provider shares, so that no
 * provider codes it again: the bookkeeping around the transport callbacks
 * (would-block, end of stream, the errno of a failed send or recv), and the
 * one decision of which failure a failed TLS call reports (an alert
 * received against the broken pipe it causes, a verification failure
 * against the closed stream after it, ...). A provider only reads its
 * library's state into a plain struct of facts; hr_tls_decide() picks the
 * code, the message and the detail, the same way for every provider.
 * Also the rest a provider would otherwise write again: what its context
 * keeps of the settings, its library's words as a failure's detail (the
 * provider gives only the formatter), and the checks of the ALPN list,
 * the versions and the connection's arguments.
 *
 * No TLS library here: the facts are plain C.
 */
#ifndef HTTPR_TLS_CONN_H
#define HTTPR_TLS_CONN_H

#include <errno.h>
#include <stddef.h>

#include "common/error.h"
#include "backends/cert_policy.h"
#include "backends/cert_status.h"
#include "backends/provider.h"
#include "backends/tls_errors.h"
#include "backends/trust.h"
#include "backends/verify_report.h"

/* ---- the transport callbacks --------------------------------------------- */

enum hr_io_failure { HR_IO_OK, HR_IO_SEND_FAILED, HR_IO_RECV_FAILED };

/* A connection's transport and what its callbacks last saw. eof and
 * send_broken stay set once seen; the rest is per call (hr_io_begin). */
struct hr_io_state {
  struct hr_tls_io io;       /* the transport's callbacks, copied */
  int eof;                   /* recv returned 0 */
  int send_broken;           /* errno of a send the peer broke (EPIPE,
                                ECONNRESET), passed over: see hr_io_send */
  int blocked;               /* send or recv would have blocked */
  int err_no;                /* errno of the failed send or recv */
  enum hr_io_failure failed; /* which callback failed, if one did */
};

/* What one send or recv did. */
enum hr_io_result {
  HR_IO_MOVED,   /* bytes moved: *moved > 0 */
  HR_IO_BLOCKED, /* it would block: try again once the socket is ready */
  HR_IO_END,     /* recv: the end of the stream */
  HR_IO_BROKEN   /* it failed with err_no */
};

static inline int hr_io_would_block(int e) {
  return e == EAGAIN || e == EWOULDBLOCK || e == EINTR;
}

/* Each call into the TLS library starts from fresh I/O state. */
static inline void hr_io_begin(struct hr_io_state *s) {
  s->failed = HR_IO_OK;
  s->err_no = 0;
  s->blocked = 0;
}

/* Inline: these run for every record moved, and must cost no more than
 * the providers' own code did. A send that fails (END or BROKEN) is
 * recorded in s; errno is left as the transport set it.
 *
 * A send the peer broke (EPIPE, ECONNRESET: it closed, or reset the
 * connection) is passed over: its bytes count as sent and s->send_broken
 * keeps the errno. What the server sent before it went, its alert above
 * all, is already in our receive queue, and the alert is the real reason
 * (provider rule 8): a server that refuses our certificate alerts and
 * hangs up while our flight or request is still going out. Reporting the
 * send would leave the TLS library unable to read it (GnuTLS ends the
 * session on a failed push). So the library carries on and reads; a
 * handshake then fails with the alert or the end of the stream, and a
 * write the library completed fails with the broken send
 * (hr_tls_broken_send, provider_services.h), after which the caller may still read the
 * alert. */
static inline enum hr_io_result hr_io_send(struct hr_io_state *s,
                                           const void *buf, size_t len,
                                           size_t *moved) {
  long n = s->io.send(s->io.io_ctx, buf, len);
  *moved = 0;
  if (n > 0) {
    *moved = (size_t)n;
    return HR_IO_MOVED;
  }
  if (n < 0 && hr_io_would_block(errno)) {
    s->blocked = 1;
    return HR_IO_BLOCKED;
  }
  int e = n < 0 ? errno : EPIPE;
  if (e == EPIPE || e == ECONNRESET) {
    if (!s->send_broken)
      s->send_broken = e;
    *moved = len;
    return HR_IO_MOVED;
  }
  s->failed = HR_IO_SEND_FAILED;
  s->err_no = e;
  return HR_IO_BROKEN;
}

/* The end of the stream sets s->eof; a failure is recorded in s. */
static inline enum hr_io_result hr_io_recv(struct hr_io_state *s, void *buf,
                                           size_t len, size_t *moved) {
  long n = s->io.recv(s->io.io_ctx, buf, len);
  *moved = 0;
  if (n > 0) {
    *moved = (size_t)n;
    return HR_IO_MOVED;
  }
  if (n == 0) {
    s->eof = 1;
    return HR_IO_END;
  }
  if (hr_io_would_block(errno)) {
    s->blocked = 1;
    return HR_IO_BLOCKED;
  }
  s->failed = HR_IO_RECV_FAILED;
  s->err_no = errno;
  return HR_IO_BROKEN;
}

/* ---- which failure a failed call reports --------------------------------- */

enum hr_tls_op {
  HR_TLS_OP_HANDSHAKE,
  HR_TLS_OP_READ,
  HR_TLS_OP_WRITE,
  HR_TLS_OP_SHUTDOWN
};

/* What a provider knows after a TLS call failed, in its library's terms
 * turned into plain values. Zero-initialise it (alert = -1 for none) and
 * fill what applies; the strings need only live until hr_tls_decide()
 * returns. */
struct hr_tls_facts {
  enum hr_tls_op op;
  const char *host;            /* as given, for messages */
  int min_version;             /* as configured (12, 13), for messages */
  int max_version;             /* 0: the provider's highest */
  /* The transport, as the callbacks saw it in this call. */
  enum hr_io_failure io_failed;
  int io_errno;
  int io_with_detail;          /* the library's detail explains it too */
  int send_broken;             /* errno of a send that broke and was passed
                                * over so that the server's alert could
                                * still be read (hr_io_send); 0 */
  int peer_closed;             /* the stream ended without close_notify */
  /* Verification refused the server (a handshake only): its chain
   * (verify_failed, for verify_reason), its name (identity_mismatch), or
   * both. hr_tls_refused() files a reason under the right one. */
  int verify_failed;
  enum hr_verify_reason verify_reason; /* never HR_VERIFY_HOSTNAME */
  int identity_mismatch;
  const char *verify_text;     /* the library's words, for HR_VERIFY_OTHER */
  const struct hr_policy_verdict *policy; /* set when the policy decided */
  const char *verify_detail;   /* NULL or "": the shared detail */
  /* The certificate status check (cert_status.h) refused the server whose
   * chain and name passed (a handshake only); NULL: it did not. */
  const struct hr_ocsp_verdict *cert_status;
  struct httpr_verify_report *report; /* the connection's, or NULL: a
                                       * refusal is recorded in it */
  /* The library's error. */
  int alert;                   /* a fatal alert received; -1: none */
  const char *alert_name;      /* the library's name of it, named in the
                                * detail; NULL: not named */
  int version_failure;         /* the library found no version in common */
  int no_secure_renegotiation; /* the server lacks RFC 5746 support: the
                                * initial handshake is refused */
  int late_auth_on_h2;         /* a renegotiation or a TLS 1.3
                                * CertificateRequest after the handshake
                                * on a connection that selected h2 */
  const char *lib_reason;      /* its words: "TLS read failed: <words>" */
  const char *lib_detail;      /* its code and words; NULL or "": none */
};

/* Which failure hr_tls_decide() reported, for what a provider does after
 * (GnuTLS tells the server why). */
enum hr_tls_outcome {
  HR_TLS_OUT_IO,      /* HTTPR_E_SEND/RECV: the connection broke */
  HR_TLS_OUT_VERIFY,  /* HTTPR_E_CERT_*: the server was refused */
  HR_TLS_OUT_STATUS,  /* HTTPR_E_CERT_STATUS: its stapled OCSP response
                         was refused */
  HR_TLS_OUT_ALERT,   /* the server's alert (hr_alert_received) */
  HR_TLS_OUT_CLOSED,  /* the stream ended without close_notify */
  HR_TLS_OUT_VERSION, /* no TLS version in common */
  HR_TLS_OUT_FAILED   /* anything else, in the library's words */
};

/* Fills err from the facts; the first that applies wins (a refusal of
 * the server is recorded in f->report whichever wins):
 *   1. a send or recv that failed in this call: the connection broke
 *      (hr_io_broke; detail "errno N", or "errno N; <lib_detail>" with
 *      io_with_detail);
 *   2. in a handshake, verification refused the server: the chain's
 *      defect before a name that does not match (hr_policy_failed for a
 *      policy verdict, else hr_verify_failed; verify_detail); then the
 *      certificate status check (hr_cert_status_failed), which only
 *      runs once the chain and the name passed;
 *   3. a fatal alert received, even when it broke the pipe after it
 *      (hr_alert_received; protocol_version as a version mismatch;
 *      detail "<lib_detail>; alert N (<alert_name>)");
 *   4. a send broken during the handshake with no alert to explain it;
 *   5. the peer closed without close_notify (hr_closed_early);
 *   6. no version in common (hr_version_mismatch);
 *   7. "TLS handshake|read|write|shutdown failed: <lib_reason>".
 * Returns which. */
enum hr_tls_outcome hr_tls_decide(const struct hr_tls_facts *f,
                                  httpr_error *err);

/* Files a verification failure's reason in f: HR_VERIFY_HOSTNAME as an
 * identity mismatch, any other as the chain's defect. */
static inline void hr_tls_refused(struct hr_tls_facts *f,
                                  enum hr_verify_reason reason) {
  if (reason == HR_VERIFY_HOSTNAME) {
    f->identity_mismatch = 1;
  } else {
    f->verify_failed = 1;
    f->verify_reason = reason;
  }
}

/* What every provider's context keeps of its settings, for its
 * connections: the provider's context embeds it as `base`. */
struct hr_tls_ctx_base {
  struct hr_keylog *keylog; /* not owned: the client closes it */
  int verify;
  int verify_hostname;
  int min_version; /* offered (12, 13), for messages */
  int max_version; /* 0: the provider's highest */
};

/* Keeps verify, verify_hostname and keylog of s; the versions are the
 * provider's to set (hr_tls_versions). */
static inline void hr_tls_ctx_base_init(struct hr_tls_ctx_base *b,
                                        const struct hr_tls_settings *s) {
  b->verify = s->verify;
  b->verify_hostname = s->verify_hostname;
  b->keylog = s->keylog;
}

/* The facts every failure starts from: the operation, the connection's
 * host and its context's versions, and what its transport saw in this
 * call (io); the rest zero and no alert. Inline: a failure path, but no
 * reason to add a call to it. */
static inline void hr_tls_facts_init(struct hr_tls_facts *f, enum hr_tls_op op,
                                     const char *host,
                                     const struct hr_tls_ctx_base *ctx,
                                     const struct hr_io_state *io) {
  *f = (struct hr_tls_facts){
      .op = op,
      .host = host,
      .min_version = ctx->min_version,
      .max_version = ctx->max_version,
      .io_failed = io->failed,
      .io_errno = io->err_no,
      .send_broken = io->send_broken,
      .alert = -1,
  };
}


/* ---- the library's words as the detail ----------------------------------- */

/* A provider's words for one of its library's error codes, cut to cap
 * bytes: the detail of most of its failures ("gnutls: NAME (-n): text"). */
typedef void hr_detail_fn(char *out, size_t cap, int code);

/* Sets err's detail to words' text for code, after hr_fail set the rest;
 * returns err->code, so a provider can return it. */
httpr_code hr_tls_with_detail(httpr_error *err, hr_detail_fn *words, int code);

/* hr_trust_load (trust.h) for a provider that loads block by block: when
 * it fails without a detail of its own, the detail is words' text for the
 * last block the library refused (*last_error, which add sets; 0: none
 * refused). */
httpr_code hr_tls_trust_load(const struct hr_trust *t, hr_trust_add_fn add,
                             void *ud, const int *last_error,
                             hr_detail_fn *words, httpr_error *err);

/* ---- small helpers ------------------------------------------------------- */

/* connection_new's arguments: HTTPR_E_INVALID "TLS connection without a
 * host or I/O callbacks" unless there are a context, a host and both
 * callbacks. */
httpr_code hr_tls_conn_check(const void *ctx, const char *host,
                             const struct hr_tls_io *io, httpr_error *err);

/* Copies host as given (*given, for messages) and as a name without the
 * trailing dot of "example.com." (*name, for SNI and the identity check).
 * 0, or -1 out of memory; the caller frees both in every case. */
int hr_tls_conn_names(const char *host, char **given, char **name);

/* Key exchange groups by their IANA names (RFC 8446 4.2.7, RFC 7919). */
enum hr_group {
  HR_GROUP_X25519,
  HR_GROUP_X448,
  HR_GROUP_SECP256R1,
  HR_GROUP_SECP384R1,
  HR_GROUP_SECP521R1,
  HR_GROUP_FFDHE2048,
  HR_GROUP_FFDHE3072,
  HR_GROUP_FFDHE4096,
  HR_GROUP_COUNT
};
#define HR_GROUPS_MAX 16

/* s->groups in order into out, *n of them; *n 0 when it is unset (the
 * provider's own list). HTTPR_E_UNSUPPORTED "unknown key exchange group
 * 'NAME'", HTTPR_E_INVALID for an empty name, one listed twice or more
 * than HR_GROUPS_MAX. */
httpr_code hr_tls_groups(const struct hr_tls_settings *s,
                         enum hr_group out[HR_GROUPS_MAX], size_t *n,
                         httpr_error *err);
/* A group the provider cannot use: HTTPR_E_UNSUPPORTED, "the mbedtls
 * provider does not support the key exchange group x448". */
httpr_code hr_tls_group_unsupported(httpr_error *err, const char *provider,
                                    enum hr_group g);

/* What a TLS library's system configuration allows (OpenSSL's
 * MinProtocol/MaxProtocol, GnuTLS's system priority): versions as 10, 11,
 * 12, 13; 0 for no bound. `name` says where it comes from, for messages
 * ("the OpenSSL configuration"). */
struct hr_tls_policy {
  int min, max;
  const char *name;
};

/* The versions to offer, the same rule on every provider: what s asks
 * (*min 12 when unset, *max 0 for the provider's highest) within what the
 * system policy allows, which is a floor: httpr's default minimum yields
 * to a stricter one silently, an unset maximum to the policy's. A version
 * s sets explicitly that the policy forbids is refused, never offered:
 * HTTPR_E_UNSUPPORTED naming both. HTTPR_E_INVALID for an unknown version
 * or a minimum above the maximum. policy NULL: none (mbedTLS). */
httpr_code hr_tls_versions(const struct hr_tls_settings *s,
                           const struct hr_tls_policy *policy, int *min,
                           int *max, httpr_error *err);

/* The ALPN list of s (wire format) checked before a library sees it:
 * *count protocols, 0 when none is asked. HTTPR_E_INVALID "the ALPN
 * protocol list is invalid" for a list above 65535 bytes or a name that
 * is empty or runs past the end. A provider that leaves the check to its
 * library (OpenSSL) words its refusal the same. */
httpr_code hr_tls_alpn_check(const struct hr_tls_settings *s, size_t *count,
                             httpr_error *err);

/* HTTPR_E_INVALID "host name '<host>' cannot be used for TLS": the library
 * refused the name as SNI or as the identity to check. The provider adds
 * its detail. */
httpr_code hr_tls_host_unusable(httpr_error *err, const char *host);

/* Copies len bytes of src as a string into dst of cap bytes, cut to fit. */
void hr_copy_str(char *dst, size_t cap, const char *src, size_t len);

#endif
