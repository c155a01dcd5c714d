/* SPDX-License-Identifier: MIT */
/*
 * cert_status.c - the one judgement of a stapled OCSP response (see
 * cert_status.h) and the wording of its failures, for every provider.
 * What the response's signature and signer are worth is the provider's
 * library's to say; this file only orders what it was told.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "backends/cert_status.h"

enum hr_ocsp_reason hr_ocsp_judge(struct hr_ocsp_verdict *v, int64_t now) {
  const struct hr_ocsp_facts *f = &v->facts;
  enum hr_ocsp_reason r = HR_OCSP_GOOD;
  v->now = now;
  if (!f->stapled)
    r = HR_OCSP_NOT_STAPLED;
  else if (!f->parsed)
    r = HR_OCSP_MALFORMED;
  else if (f->response_status != 0)
    r = HR_OCSP_UNSUCCESSFUL;
  else if (f->signature_bad)
    r = HR_OCSP_BAD_SIGNATURE;
  else if (f->signer_untrusted)
    r = HR_OCSP_UNTRUSTED_SIGNER;
  else if (!f->covers_cert)
    r = HR_OCSP_OTHER_CERTIFICATE;
  /* RFC 6960 3.2: a response from the future, or past its nextUpdate,
   * is unreliable, whatever it says. */
  else if (f->this_update > now + HR_OCSP_LEEWAY_S)
    r = HR_OCSP_NOT_YET_VALID;
  else if (f->has_next_update && f->next_update < now - HR_OCSP_LEEWAY_S)
    r = HR_OCSP_EXPIRED;
  else if (f->cert_status == HR_OCSP_CERT_REVOKED)
    r = HR_OCSP_REVOKED;
  else if (f->cert_status != HR_OCSP_CERT_GOOD)
    r = HR_OCSP_UNKNOWN;
  v->reason = r;
  return r;
}

/* RFC 6960 4.2.1's names; 4 is unused. */
static const char *response_status_name(int status) {
  static const char *const names[] = {
      "successful", "malformedRequest", "internalError", "tryLater",
      NULL,         "sigRequired",      "unauthorized"};
  if (status < 0 || (size_t)status >= sizeof(names) / sizeof(names[0]))
    return NULL;
  return names[status];
}

static const char *cert_status_name(enum hr_ocsp_cert_status s) {
  switch (s) {
  case HR_OCSP_CERT_GOOD:
    return "good";
  case HR_OCSP_CERT_REVOKED:
    return "revoked";
  default:
    return "unknown";
  }
}

/* "2026-12-03 10:00:00 UTC" into out (cap bytes). */
static void utc_text(char *out, size_t cap, int64_t t) {
  struct tm tm;
  time_t tt = (time_t)t;
  if (!gmtime_r(&tt, &tm) || !strftime(out, cap, "%Y-%m-%d %H:%M:%S UTC", &tm))
    snprintf(out, cap, "%lld", (long long)t);
}

/* What the response said, as far as the verdict looked at it. */
static void describe(char *out, size_t cap, const struct hr_ocsp_verdict *v) {
  const struct hr_ocsp_facts *f = &v->facts;
  char this_update[40], next_update[40], now[40];
  switch (v->reason) {
  case HR_OCSP_NOT_STAPLED:
    snprintf(out, cap, "the server sent no OCSP response");
    return;
  case HR_OCSP_MALFORMED:
    snprintf(out, cap,
             "OCSP response: not DER of an OCSPResponse with a "
             "BasicOCSPResponse");
    return;
  case HR_OCSP_UNSUCCESSFUL:
    snprintf(out, cap, "OCSP response: responseStatus %d (%s)",
             f->response_status,
             response_status_name(f->response_status)
                 ? response_status_name(f->response_status)
                 : "unassigned");
    return;
  case HR_OCSP_BAD_SIGNATURE:
  case HR_OCSP_UNTRUSTED_SIGNER:
    snprintf(out, cap, "OCSP response: signed by %s",
             f->signature_bad ? "a key that does not verify it"
                              : "an untrusted responder");
    return;
  case HR_OCSP_OTHER_CERTIFICATE:
    snprintf(out, cap,
             "OCSP response: no entry for the server's "
             "certificate");
    return;
  default:
    break;
  }
  utc_text(this_update, sizeof(this_update), f->this_update);
  utc_text(now, sizeof(now), v->now);
  if (f->has_next_update)
    utc_text(next_update, sizeof(next_update), f->next_update);
  else
    snprintf(next_update, sizeof(next_update), "none");
  snprintf(out, cap,
           "OCSP response: certStatus %s, thisUpdate %s, nextUpdate %s, now "
           "%s",
           cert_status_name(f->cert_status), this_update, next_update, now);
}

httpr_code hr_cert_status_failed(httpr_error *err,
                                 const struct hr_ocsp_verdict *v) {
  static const char prefix[] = "certificate status check failed";
  const char *status = response_status_name(v->facts.response_status);
  char said[sizeof(err->detail)];
  switch (v->reason) {
  case HR_OCSP_NOT_STAPLED:
    hr_fail(err, HTTPR_E_CERT_STATUS, "%s: no OCSP response was stapled",
            prefix);
    break;
  case HR_OCSP_MALFORMED:
    hr_fail(err, HTTPR_E_CERT_STATUS, "%s: the OCSP response cannot be parsed",
            prefix);
    break;
  case HR_OCSP_UNSUCCESSFUL:
    if (status)
      hr_fail(err, HTTPR_E_CERT_STATUS, "%s: the OCSP responder answered %s",
              prefix, status);
    else
      hr_fail(err, HTTPR_E_CERT_STATUS,
              "%s: the OCSP responder answered status %d", prefix,
              v->facts.response_status);
    break;
  case HR_OCSP_BAD_SIGNATURE:
    hr_fail(err, HTTPR_E_CERT_STATUS,
            "%s: the OCSP response's signature is invalid", prefix);
    break;
  case HR_OCSP_UNTRUSTED_SIGNER:
    hr_fail(err, HTTPR_E_CERT_STATUS,
            "%s: the OCSP response is not signed by the certificate's issuer "
            "or its delegated responder",
            prefix);
    break;
  case HR_OCSP_OTHER_CERTIFICATE:
    hr_fail(err, HTTPR_E_CERT_STATUS,
            "%s: the OCSP response is for another certificate", prefix);
    break;
  case HR_OCSP_NOT_YET_VALID:
    hr_fail(err, HTTPR_E_CERT_STATUS, "%s: the OCSP response is not yet valid",
            prefix);
    break;
  case HR_OCSP_EXPIRED:
    hr_fail(err, HTTPR_E_CERT_STATUS, "%s: the OCSP response has expired",
            prefix);
    break;
  case HR_OCSP_REVOKED:
    hr_fail(err, HTTPR_E_CERT_STATUS,
            "%s: the OCSP response says the certificate is revoked", prefix);
    break;
  default:
    hr_fail(err, HTTPR_E_CERT_STATUS,
            "%s: the OCSP response says the certificate's status is unknown",
            prefix);
    break;
  }
  describe(said, sizeof(said), v);
  if (v->words[0])
    hr_detail(err, "%s; %s", v->words, said);
  else
    hr_detail(err, "%s", said);
  return HTTPR_E_CERT_STATUS;
}
