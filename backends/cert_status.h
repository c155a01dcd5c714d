/* SPDX-License-Identifier: MIT */
/*
 * cert_status.h - the certificate status check (OCSP stapling: RFC 6066
 * section 8, RFC 6960) every provider makes alike. A provider reads the
 * response its server stapled with its own library (decoding, signature,
 * signer, the entry for the server's certificate) into plain facts;
 * hr_ocsp_judge() decides from them, in one order, whether the response
 * vouches for the certificate, and hr_cert_status_failed() words each
 * reason, so that one response fails alike on every provider.
 *
 * No TLS library here, and no cryptography: the signature is the
 * provider's library's to check.
 */
#ifndef HTTPR_CERT_STATUS_H
#define HTTPR_CERT_STATUS_H

#include <stdint.h>

#include "common/error.h"

/* Why a stapled response does not vouch for the server's certificate, in
 * the order hr_ocsp_judge() looks: first what makes the response
 * worthless (none, unreadable, not an answer, not from whom it must be,
 * not about this certificate, not current), then what it says. */
enum hr_ocsp_reason {
  HR_OCSP_GOOD = 0,          /* it vouches for the certificate */
  HR_OCSP_NOT_STAPLED,       /* the server sent none */
  HR_OCSP_MALFORMED,         /* not an OCSPResponse, or a successful one
                                without a BasicOCSPResponse */
  HR_OCSP_UNSUCCESSFUL,      /* its responseStatus is not successful */
  HR_OCSP_BAD_SIGNATURE,     /* the signer's key does not verify it */
  HR_OCSP_UNTRUSTED_SIGNER,  /* signed by neither the issuer nor a
                                responder the issuer delegated to */
  HR_OCSP_OTHER_CERTIFICATE, /* no entry for the server's certificate */
  HR_OCSP_NOT_YET_VALID,     /* its thisUpdate is in the future */
  HR_OCSP_EXPIRED,           /* its nextUpdate has passed */
  HR_OCSP_REVOKED,           /* it says the certificate is revoked */
  HR_OCSP_UNKNOWN            /* it says the certificate is unknown */
};

/* RFC 6960 CertStatus. */
enum hr_ocsp_cert_status {
  HR_OCSP_CERT_GOOD,
  HR_OCSP_CERT_REVOKED,
  HR_OCSP_CERT_UNKNOWN
};

/* What a provider found in the stapled response. Zero-initialised, then
 * filled as far as the provider got: what comes after a step that failed
 * is never looked at. */
struct hr_ocsp_facts {
  int stapled;          /* the server stapled a response */
  int parsed;           /* it decodes as an OCSPResponse and, when it is
                           successful, holds a BasicOCSPResponse */
  int response_status;  /* its responseStatus (RFC 6960 4.2.1): 0
                           successful, 1 malformedRequest, 2 internalError,
                           3 tryLater, 5 sigRequired, 6 unauthorized */
  int signature_bad;    /* the signer's key does not verify its signature */
  int signer_untrusted; /* the signer is neither the certificate's issuer
                           nor a certificate the issuer signed for OCSP
                           signing (id-kp-OCSPSigning), or it cannot be
                           found or verified */
  int covers_cert;      /* an entry (SingleResponse) names the server's
                           certificate: its issuer and serial number */
  enum hr_ocsp_cert_status cert_status; /* that entry's status */
  int64_t this_update; /* its thisUpdate, seconds since the epoch (UTC) */
  int has_next_update; /* it has a nextUpdate (without one, newer status
                          is always available: it never expires) */
  int64_t next_update; /* its nextUpdate */
};

/* How far a response's times may be off our clock either way: 5 minutes,
 * as curl allows. */
#define HR_OCSP_LEEWAY_S 300

/* A connection's check, kept until its failure is reported. */
struct hr_ocsp_verdict {
  enum hr_ocsp_reason reason;
  struct hr_ocsp_facts facts; /* what it was judged on */
  int64_t now;                /* when */
  char words[256]; /* the provider's library's words when it refused the
                      response ("openssl: error:...:signature failure"),
                      set by the provider; "" when it did not */
};

/* Judges v->facts at `now` (seconds since the epoch, UTC) and sets
 * v->reason and v->now: the first reason of the enum's order that
 * applies, else HR_OCSP_GOOD. Not yet valid means a thisUpdate after now
 * plus the leeway, expired a nextUpdate before now minus it. Returns
 * v->reason. */
enum hr_ocsp_reason hr_ocsp_judge(struct hr_ocsp_verdict *v, int64_t now);

/* Fills err for a verdict other than GOOD: HTTPR_E_CERT_STATUS,
 * "certificate status check failed: <why>", why one of "no OCSP response
 * was stapled", "the OCSP response cannot be parsed", "the OCSP responder
 * answered <status>" (tryLater, ...), "the OCSP response's signature is
 * invalid", "the OCSP response is not signed by the certificate's issuer
 * or its delegated responder", "the OCSP response is for another
 * certificate", "the OCSP response is not yet valid", "the OCSP response
 * has expired", "the OCSP response says the certificate is revoked", "the
 * OCSP response says the certificate's status is unknown". The detail is
 * the library's words, if any, then what the response said ("OCSP
 * response: certStatus good, thisUpdate 2026-12-01 10:00:00 UTC,
 * nextUpdate 2026-12-02 10:00:00 UTC, now 2026-12-03 10:00:00 UTC").
 * Returns the code. */
httpr_code hr_cert_status_failed(httpr_error *err,
                                 const struct hr_ocsp_verdict *v);

#endif
