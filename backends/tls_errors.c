/* SPDX-License-Identifier: MIT */
/*
 * tls_errors.c - the shared wording of TLS failures: verification results,
 * alerts received from the server and version mismatches. Providers map
 * their library's codes onto these and add their own text as the detail,
 * so the message and hint never depend on the provider.
 */
#include <stddef.h>
#include <string.h>

#include "backends/tls_errors.h"

static const char hint_issuer[] =
    "the CA bundle lacks the issuer: give it with --cacert or SSL_CERT_FILE";
static const char hint_self_signed[] =
    "the server's certificate is self-signed: trust it with --cacert, or use "
    "-k for testing only";
static const char hint_hostname[] =
    "the certificate is for another name: check the URL, or use --resolve to "
    "reach this address under the certificate's name";

static httpr_code other(httpr_error *err, const char *why) {
  return hr_fail(err, HTTPR_E_CERT_OTHER, "certificate verify failed: %s", why);
}

httpr_code hr_verify_failed(httpr_error *err, enum hr_verify_reason reason,
                            const char *host, const char *other_text) {
  static const char prefix[] = "certificate verify failed";
  switch (reason) {
  case HR_VERIFY_EXPIRED:
    return hr_fail(err, HTTPR_E_CERT_EXPIRED, "%s: certificate has expired",
                   prefix);
  case HR_VERIFY_NOT_YET_VALID:
    return hr_fail(err, HTTPR_E_CERT_NOT_YET_VALID,
                   "%s: certificate is not yet valid", prefix);
  case HR_VERIFY_UNKNOWN_ISSUER:
    hr_fail(err, HTTPR_E_CERT_UNTRUSTED,
            "%s: unable to get local issuer certificate", prefix);
    hr_hint(err, "%s", hint_issuer);
    return err->code;
  case HR_VERIFY_SELF_SIGNED:
    hr_fail(err, HTTPR_E_CERT_UNTRUSTED, "%s: self-signed certificate", prefix);
    hr_hint(err, "%s", hint_self_signed);
    return err->code;
  case HR_VERIFY_SELF_SIGNED_IN_CHAIN:
    /* The chain ends in a root the trust store lacks: the same cure as a
     * missing issuer. */
    hr_fail(err, HTTPR_E_CERT_UNTRUSTED,
            "%s: self-signed certificate in certificate chain", prefix);
    hr_hint(err, "%s", hint_issuer);
    return err->code;
  case HR_VERIFY_HOSTNAME:
    hr_fail(err, HTTPR_E_CERT_HOSTNAME,
            "%s: certificate does not match host name '%s'", prefix,
            host ? host : "");
    hr_hint(err, "%s", hint_hostname);
    return err->code;
  case HR_VERIFY_BAD_PURPOSE:
    return other(err, "unsuitable certificate purpose");
  case HR_VERIFY_BAD_SIGNATURE:
    return other(err, "certificate signature failure");
  case HR_VERIFY_REVOKED:
    return other(err, "certificate revoked");
  case HR_VERIFY_CRL_EXPIRED:
    return other(err, "CRL has expired");
  case HR_VERIFY_CRL_NOT_YET_VALID:
    return other(err, "CRL is not yet valid");
  case HR_VERIFY_INVALID_CA:
    return other(err, "invalid CA certificate");
  case HR_VERIFY_INSECURE:
    return other(err, "certificate uses an insecure algorithm or key");
  case HR_VERIFY_CHAIN_TOO_LONG:
    return other(err, "certificate chain too long");
  case HR_VERIFY_PATH_LENGTH:
    return other(err, "path length constraint exceeded");
  case HR_VERIFY_CRITICAL_EXTENSION:
    return other(err, "unhandled critical extension");
  case HR_VERIFY_NC_PERMITTED:
    return other(err, "permitted subtree violation");
  case HR_VERIFY_NC_EXCLUDED:
    return other(err, "excluded subtree violation");
  case HR_VERIFY_NC_UNSUPPORTED:
    return other(err, "unsupported name constraint type");
  case HR_VERIFY_MALFORMED:
    return other(err, "certificate cannot be decoded");
  case HR_VERIFY_OTHER:
    break;
  }
  return hr_fail(err, HTTPR_E_CERT_OTHER, "%s: %s", prefix,
                 other_text && other_text[0] ? other_text : "unknown error");
}

static httpr_code broke(httpr_error *err, httpr_code code, const char *prefix,
                        int sending, int errnum) {
  hr_fail(err, code, "%sconnection broke while %s: %s", prefix,
          sending ? "sending" : "receiving", strerror(errnum));
  hr_detail(err, "errno %d", errnum);
  return err->code;
}

httpr_code hr_io_broke(httpr_error *err, int sending, int errnum) {
  return broke(err, sending ? HTTPR_E_SEND : HTTPR_E_RECV, "", sending,
               errnum);
}

httpr_code hr_handshake_io_broke(httpr_error *err, int sending, int errnum) {
  return broke(err, HTTPR_E_TLS_HANDSHAKE, "TLS handshake failed: ", sending,
               errnum);
}

httpr_code hr_closed_early(httpr_error *err, int in_handshake) {
  if (in_handshake)
    return hr_fail(err, HTTPR_E_TLS_HANDSHAKE,
                   "TLS handshake failed: the server closed the connection");
  return hr_fail(err, HTTPR_E_RECV,
                 "connection closed without TLS close_notify");
}

enum hr_verify_reason hr_untrusted_chain_reason(size_t chain_len,
                                                int ends_self_issued) {
  if (!ends_self_issued)
    return HR_VERIFY_UNKNOWN_ISSUER;
  return chain_len <= 1 ? HR_VERIFY_SELF_SIGNED
                        : HR_VERIFY_SELF_SIGNED_IN_CHAIN;
}

enum hr_verify_reason hr_sent_chain_reason(size_t count, hr_issued_fn issued,
                                           void *ud) {
  int used[HR_SENT_CHAIN_MAX] = {1};
  size_t len = 1, cur = 0;
  if (count == 0)
    return HR_VERIFY_UNKNOWN_ISSUER;
  if (count > HR_SENT_CHAIN_MAX)
    count = HR_SENT_CHAIN_MAX;
  while (!issued(ud, cur, cur)) {
    size_t next = count;
    for (size_t j = 0; j < count && next == count; j++) {
      if (!used[j] && issued(ud, cur, j))
        next = j;
    }
    if (next == count)
      break; /* no issuer among the rest */
    used[next] = 1;
    cur = next;
    len++;
  }
  return hr_untrusted_chain_reason(len, issued(ud, cur, cur));
}

struct alert_name {
  int alert;
  const char *name;
};

/* RFC 8446 section 6 and RFC 5246 section 7.2. */
static const struct alert_name alert_names[] = {
    {0, "close_notify"},
    {10, "unexpected_message"},
    {20, "bad_record_mac"},
    {21, "decryption_failed"},
    {22, "record_overflow"},
    {30, "decompression_failure"},
    {40, "handshake_failure"},
    {41, "no_certificate"},
    {42, "bad_certificate"},
    {43, "unsupported_certificate"},
    {44, "certificate_revoked"},
    {45, "certificate_expired"},
    {46, "certificate_unknown"},
    {47, "illegal_parameter"},
    {48, "unknown_ca"},
    {49, "access_denied"},
    {50, "decode_error"},
    {51, "decrypt_error"},
    {60, "export_restriction"},
    {70, "protocol_version"},
    {71, "insufficient_security"},
    {80, "internal_error"},
    {86, "inappropriate_fallback"},
    {90, "user_canceled"},
    {100, "no_renegotiation"},
    {109, "missing_extension"},
    {110, "unsupported_extension"},
    {111, "certificate_unobtainable"},
    {112, "unrecognized_name"},
    {113, "bad_certificate_status_response"},
    {114, "bad_certificate_hash_value"},
    {115, "unknown_psk_identity"},
    {116, "certificate_required"},
    {120, "no_application_protocol"},
};

const char *hr_alert_name(int alert) {
  for (size_t i = 0; i < sizeof(alert_names) / sizeof(alert_names[0]); i++) {
    if (alert_names[i].alert == alert)
      return alert_names[i].name;
  }
  return "unknown";
}

httpr_code hr_alert_received(httpr_error *err, int alert) {
  const char *name = hr_alert_name(alert);
  switch (alert) {
  case HR_ALERT_CERTIFICATE_REQUIRED:
    hr_fail(err, HTTPR_E_TLS_HANDSHAKE,
            "no client certificate presented (server sent alert %s)", name);
    hr_hint(err, "the server requires a client certificate: give one with "
                 "--cert");
    return err->code;
  case HR_ALERT_HANDSHAKE_FAILURE:
    return hr_fail(err, HTTPR_E_TLS_HANDSHAKE,
                   "TLS handshake failed: server sent alert %s", name);
  case HR_ALERT_BAD_CERTIFICATE:
  case HR_ALERT_CERTIFICATE_EXPIRED:
  case HR_ALERT_CERTIFICATE_UNKNOWN:
  case HR_ALERT_UNKNOWN_CA:
  case HR_ALERT_ACCESS_DENIED:
    return hr_fail(err, HTTPR_E_TLS_HANDSHAKE,
                   "server rejected the client certificate (alert %s)", name);
  case HR_ALERT_PROTOCOL_VERSION:
    return hr_fail(err, HTTPR_E_TLS_HANDSHAKE,
                   "no TLS version in common with the server (server sent "
                   "alert %s)",
                   name);
  case HR_ALERT_NO_APPLICATION_PROTOCOL:
    /* Only a client that offered h2 alone meets it: "h2 required but not
     * negotiated" in the README's error table. */
    hr_fail(err, HTTPR_E_PROTOCOL,
            "the server speaks none of the HTTP versions offered (server "
            "sent alert %s)",
            name);
    err->http2 = 1;
    return HTTPR_E_PROTOCOL;
  default:
    return hr_fail(err, HTTPR_E_TLS_HANDSHAKE,
                   "TLS handshake failed: server sent alert %s", name);
  }
}

static const char *version_name(int v, int fallback) {
  switch (v ? v : fallback) {
  case 12:
    return "TLSv1.2";
  case 13:
    return "TLSv1.3";
  default:
    return "TLSv1.?";
  }
}

httpr_code hr_version_mismatch(httpr_error *err, int min_version,
                               int max_version) {
  return hr_fail(err, HTTPR_E_TLS_HANDSHAKE,
                 "no TLS version in common with the server (offered %s to "
                 "%s)",
                 version_name(min_version, 12), version_name(max_version, 13));
}
