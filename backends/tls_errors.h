/* SPDX-License-Identifier: MIT */
/*
 * tls_errors.h - the shared wording of TLS failures. Providers map their
 * own verification results and alerts onto these reasons; the message (and
 * hint) is then the same whatever the provider. Providers add their own
 * text with hr_detail() afterwards.
 */
#ifndef HTTPR_TLS_ERRORS_H
#define HTTPR_TLS_ERRORS_H

#include <stddef.h>

#include "common/error.h"

enum hr_verify_reason {
  HR_VERIFY_EXPIRED,              /* HTTPR_E_CERT_EXPIRED */
  HR_VERIFY_NOT_YET_VALID,        /* HTTPR_E_CERT_NOT_YET_VALID */
  HR_VERIFY_UNKNOWN_ISSUER,       /* HTTPR_E_CERT_UNTRUSTED */
  HR_VERIFY_SELF_SIGNED,          /* HTTPR_E_CERT_UNTRUSTED, leaf self-signed */
  HR_VERIFY_SELF_SIGNED_IN_CHAIN, /* HTTPR_E_CERT_UNTRUSTED, root not trusted */
  HR_VERIFY_HOSTNAME,             /* HTTPR_E_CERT_HOSTNAME */
  /* HTTPR_E_CERT_OTHER, each with its own shared wording: */
  HR_VERIFY_BAD_PURPOSE,   /* key usage does not allow a server */
  HR_VERIFY_BAD_SIGNATURE, /* a signature in the chain is wrong */
  HR_VERIFY_REVOKED,       /* revoked (a CRL lists it) */
  HR_VERIFY_CRL_EXPIRED,   /* the CRL of a certificate's issuer is past its
                              nextUpdate */
  HR_VERIFY_CRL_NOT_YET_VALID, /* ... or before its thisUpdate */
  HR_VERIFY_INVALID_CA,    /* an issuer is not a CA, or may not sign */
  HR_VERIFY_INSECURE,      /* too weak an algorithm or key */
  HR_VERIFY_CHAIN_TOO_LONG,     /* more intermediates than the policy takes */
  HR_VERIFY_PATH_LENGTH,        /* a CA's pathLenConstraint exceeded */
  HR_VERIFY_CRITICAL_EXTENSION, /* a critical extension nobody handles */
  HR_VERIFY_NC_PERMITTED,       /* a name outside a permitted subtree */
  HR_VERIFY_NC_EXCLUDED,        /* a name inside an excluded subtree */
  HR_VERIFY_NC_UNSUPPORTED,     /* a name constraint that is not checked */
  HR_VERIFY_MALFORMED,          /* a certificate the policy cannot read */
  HR_VERIFY_OTHER               /* anything else: the provider's own text */
};

/* Fills err for a verification failure: "certificate verify failed:
 * certificate has expired", "... unable to get local issuer certificate",
 * "... self-signed certificate", "... self-signed certificate in
 * certificate chain", "... certificate does not match host name 'x'", or
 * for OTHER "... <other_text>". host names the host for HOSTNAME. Returns
 * the code. */
httpr_code hr_verify_failed(httpr_error *err, enum hr_verify_reason reason,
                            const char *host, const char *other_text);

/* The reason for a chain that leads to no trust anchor, decided as
 * OpenSSL decides it, for providers whose library only says "issuer not
 * found". The provider follows the server's certificates from the leaf,
 * issuer by issuer, as far as they link: chain_len is how many it linked
 * (1: the leaf alone), ends_self_issued whether the last one names itself
 * as its issuer. A lone self-issued leaf is SELF_SIGNED, a longer chain
 * ending in a self-issued root SELF_SIGNED_IN_CHAIN, anything else
 * UNKNOWN_ISSUER. */
enum hr_verify_reason hr_untrusted_chain_reason(size_t chain_len,
                                                int ends_self_issued);

/* The same reason from the certificates the server sent (count of them,
 * the leaf at index 0, the rest in any order), for a provider that can
 * only tell which issued which: issued(ud, child, issuer) is 1 when
 * issuer's subject is child's issuer name, so issued(ud, i, i) means i is
 * self-issued. They are linked from the leaf, issuer by issuer, each used
 * once, as OpenSSL builds its chain; the first HR_SENT_CHAIN_MAX at most.
 * UNKNOWN_ISSUER when count is 0. */
#define HR_SENT_CHAIN_MAX 16
typedef int (*hr_issued_fn)(void *ud, size_t child, size_t issuer);
enum hr_verify_reason hr_sent_chain_reason(size_t count, hr_issued_fn issued,
                                           void *ud);

/* The connection broke: HTTPR_E_SEND or HTTPR_E_RECV, "connection broke
 * while sending: <strerror>", detail "errno N". Returns the code. */
httpr_code hr_io_broke(httpr_error *err, int sending, int errnum);
/* The same during the handshake: HTTPR_E_TLS_HANDSHAKE, "TLS handshake
 * failed: connection broke while sending: Broken pipe". */
httpr_code hr_handshake_io_broke(httpr_error *err, int sending, int errnum);

/* The peer ended the stream without close_notify: during the handshake
 * HTTPR_E_TLS_HANDSHAKE "TLS handshake failed: the server closed the
 * connection", later HTTPR_E_RECV "connection closed without TLS
 * close_notify". Returns the code. */
httpr_code hr_closed_early(httpr_error *err, int in_handshake);

/* TLS alert numbers as in the RFCs (the ones with their own wording). */
enum {
  HR_ALERT_HANDSHAKE_FAILURE = 40,
  HR_ALERT_BAD_CERTIFICATE = 42,
  HR_ALERT_CERTIFICATE_EXPIRED = 45,
  HR_ALERT_CERTIFICATE_UNKNOWN = 46,
  HR_ALERT_UNKNOWN_CA = 48,
  HR_ALERT_ACCESS_DENIED = 49,
  HR_ALERT_PROTOCOL_VERSION = 70,
  HR_ALERT_INSUFFICIENT_SECURITY = 71,
  HR_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE = 113,
  HR_ALERT_CERTIFICATE_REQUIRED = 116,
  HR_ALERT_NO_APPLICATION_PROTOCOL = 120
};

/* The RFC name of an alert ("certificate_required"), "unknown" else. */
const char *hr_alert_name(int alert);

/* Fills err for a fatal alert received from the server: always
 * HTTPR_E_TLS_HANDSHAKE (provider rule 8), message naming the alert, e.g.
 * "no client certificate presented (server sent alert
 * certificate_required)". */
httpr_code hr_alert_received(httpr_error *err, int alert);

/* The message for a handshake that failed on versions:
 * "no TLS version in common with the server (offered TLSv1.3 to TLSv1.3)"
 * min/max are 12 or 13. */
httpr_code hr_version_mismatch(httpr_error *err, int min_version,
                               int max_version);

#endif
