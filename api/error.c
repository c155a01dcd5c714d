/* SPDX-License-Identifier: MIT */
/*
 * error.c - the error object's public side: its accessors, and the names
 * and descriptions of the codes. The helpers every layer fills it with are
 * in common/error.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"

httpr_error *httpr_error_new(void) { return calloc(1, sizeof(httpr_error)); }

void httpr_error_free(httpr_error *err) { free(err); }

void httpr_error_clear(httpr_error *err) {
  if (err)
    memset(err, 0, sizeof(*err));
}

void httpr_error_copy(httpr_error *dst, const httpr_error *src) {
  if (dst && src)
    *dst = *src;
  else
    httpr_error_clear(dst);
}

httpr_code httpr_error_code(const httpr_error *err) {
  return err ? err->code : HTTPR_OK;
}

const char *httpr_error_message(const httpr_error *err) {
  return err ? err->message : "";
}

const char *httpr_error_detail(const httpr_error *err) {
  return err ? err->detail : "";
}

const char *httpr_error_hint(const httpr_error *err) {
  return err ? err->hint : "";
}

int httpr_error_is_http2(const httpr_error *err) { return err ? err->http2 : 0; }

struct code_text {
  const char *name;
  const char *description;
};

static const struct code_text code_texts[] = {
    [HTTPR_OK] = {"HTTPR_OK", "no error"},
    [HTTPR_E_URL] = {"HTTPR_E_URL", "malformed URL"},
    [HTTPR_E_UNSUPPORTED_PROTOCOL] = {"HTTPR_E_UNSUPPORTED_PROTOCOL",
                                      "protocol not supported or refused"},
    [HTTPR_E_RESOLVE] = {"HTTPR_E_RESOLVE", "host name not resolved"},
    [HTTPR_E_CONNECT] = {"HTTPR_E_CONNECT", "TCP connect failed"},
    [HTTPR_E_TIMEOUT] = {"HTTPR_E_TIMEOUT", "time limit reached"},
    [HTTPR_E_TLS_HANDSHAKE] = {"HTTPR_E_TLS_HANDSHAKE", "TLS handshake failed"},
    [HTTPR_E_CERT_UNTRUSTED] = {"HTTPR_E_CERT_UNTRUSTED",
                                "certificate chain not trusted"},
    [HTTPR_E_CERT_EXPIRED] = {"HTTPR_E_CERT_EXPIRED",
                              "certificate has expired"},
    [HTTPR_E_CERT_NOT_YET_VALID] = {"HTTPR_E_CERT_NOT_YET_VALID",
                                    "certificate is not yet valid"},
    [HTTPR_E_CERT_HOSTNAME] = {"HTTPR_E_CERT_HOSTNAME",
                               "certificate does not match the host"},
    [HTTPR_E_CERT_OTHER] = {"HTTPR_E_CERT_OTHER",
                            "certificate verification failed"},
    [HTTPR_E_CA_FILE] = {"HTTPR_E_CA_FILE", "CA file or directory unusable"},
    [HTTPR_E_CLIENT_CERT] = {"HTTPR_E_CLIENT_CERT",
                             "client certificate or key unusable"},
    [HTTPR_E_SEND] = {"HTTPR_E_SEND", "failed sending data"},
    [HTTPR_E_RECV] = {"HTTPR_E_RECV", "failed receiving data"},
    [HTTPR_E_PARTIAL] = {"HTTPR_E_PARTIAL", "body ended early"},
    [HTTPR_E_PROTOCOL] = {"HTTPR_E_PROTOCOL", "malformed HTTP"},
    [HTTPR_E_TOO_LARGE] = {"HTTPR_E_TOO_LARGE", "size limit exceeded"},
    [HTTPR_E_UNSUPPORTED] = {"HTTPR_E_UNSUPPORTED",
                             "feature not supported by the provider"},
    [HTTPR_E_PROVIDER] = {"HTTPR_E_PROVIDER", "TLS provider not available"},
    [HTTPR_E_INVALID] = {"HTTPR_E_INVALID", "invalid argument"},
    [HTTPR_E_NOMEM] = {"HTTPR_E_NOMEM", "out of memory"},
    [HTTPR_E_REDIRECT_LIMIT] = {"HTTPR_E_REDIRECT_LIMIT", "too many redirects"},
    [HTTPR_E_WRITE] = {"HTTPR_E_WRITE", "body write callback failed"},
    [HTTPR_E_READ] = {"HTTPR_E_READ", "body read callback failed"},
    [HTTPR_E_CANCELLED] = {"HTTPR_E_CANCELLED", "transfer cancelled"},
    [HTTPR_E_CERT_STATUS] = {"HTTPR_E_CERT_STATUS",
                             "certificate status check failed"},
    [HTTPR_E_PINNED_KEY] = {"HTTPR_E_PINNED_KEY",
                            "public key does not match the pinned key"},
    [HTTPR_E_CRL_FILE] = {"HTTPR_E_CRL_FILE", "CRL file unusable"},
    [HTTPR_E_INTERFACE] = {"HTTPR_E_INTERFACE",
                           "failed binding local connection end"},
    [HTTPR_E_PROXY] = {"HTTPR_E_PROXY", "proxy handshake failed"},
    [HTTPR_E_RESOLVE_PROXY] = {"HTTPR_E_RESOLVE_PROXY",
                               "could not resolve the proxy"},
    [HTTPR_E_PROXY_CONNECT] = {"HTTPR_E_PROXY_CONNECT",
                               "the proxy refused or broke the tunnel"},
};

static const struct code_text *code_text(httpr_code code) {
  if ((unsigned)code >= sizeof(code_texts) / sizeof(code_texts[0]) ||
      !code_texts[code].name)
    return NULL;
  return &code_texts[code];
}

const char *httpr_code_name(httpr_code code) {
  const struct code_text *t = code_text(code);
  return t ? t->name : "HTTPR_E_UNKNOWN";
}

const char *httpr_code_description(httpr_code code) {
  const struct code_text *t = code_text(code);
  return t ? t->description : "unknown error";
}
