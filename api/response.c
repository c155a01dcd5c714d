/* SPDX-License-Identifier: MIT */
/*
 * response.c - the read-only accessors of a response.
 */
#include <stdlib.h>

#include "api/internal.h"

void httpr_response_free(httpr_response *resp) {
  if (!resp)
    return;
  free(resp->reason);
  free(resp->url);
  hr_headers_free(&resp->headers);
  hr_buf_free(&resp->body);
  free(resp);
}

int httpr_response_status(const httpr_response *r) { return r ? r->status : 0; }

const char *httpr_response_reason(const httpr_response *r) {
  return r && r->reason ? r->reason : "";
}

httpr_http_version httpr_response_http_version(const httpr_response *r) {
  return r ? (httpr_http_version)r->version : HTTPR_HTTP_1_1;
}

const char *httpr_response_url(const httpr_response *r) {
  return r && r->url ? r->url : "";
}

int httpr_response_redirect_count(const httpr_response *r) {
  return r ? r->redirects : 0;
}

size_t httpr_response_header_count(const httpr_response *r) {
  return r ? r->headers.count : 0;
}

httpr_code httpr_response_header_at(const httpr_response *r, size_t i,
                                    const char **name, const char **value) {
  if (!r || i >= r->headers.count)
    return HTTPR_E_INVALID;
  if (name)
    *name = r->headers.v[i].name;
  if (value)
    *value = r->headers.v[i].value;
  return HTTPR_OK;
}

const char *httpr_response_header(const httpr_response *r, const char *name,
                                  size_t nth) {
  if (!r || !name)
    return NULL;
  return hr_headers_get(&r->headers, name, nth);
}

const unsigned char *httpr_response_body(const httpr_response *r, size_t *len) {
  static const unsigned char empty[1];
  if (len)
    *len = r ? r->body.len : 0;
  if (!r || !r->body.data)
    return empty;
  return (const unsigned char *)r->body.data;
}

uint64_t httpr_response_body_bytes(const httpr_response *r) {
  return r ? r->body_bytes : 0;
}

const char *httpr_response_tls_provider(const httpr_response *r) {
  return r ? r->tls_provider : "";
}

const char *httpr_response_tls_version(const httpr_response *r) {
  return r ? r->tls.version : "";
}

const char *httpr_response_tls_cipher(const httpr_response *r) {
  return r ? r->tls.cipher : "";
}

const char *httpr_response_tls_alpn(const httpr_response *r) {
  return r ? r->tls.alpn : "";
}

const char *httpr_response_tls_group(const httpr_response *r) {
  return r ? r->tls.group : "";
}

const char *httpr_response_peer_subject(const httpr_response *r) {
  return r ? r->tls.subject : "";
}

const char *httpr_response_peer_issuer(const httpr_response *r) {
  return r ? r->tls.issuer : "";
}

int httpr_response_tls_session_resumed(const httpr_response *r) {
  return r ? r->tls.resumed : 0;
}

int httpr_response_connection_reused(const httpr_response *r) {
  return r ? r->reused : 0;
}

const char *httpr_response_remote_ip(const httpr_response *r) {
  return r ? r->remote_ip : "";
}

int httpr_response_remote_port(const httpr_response *r) {
  return r ? r->remote_port : 0;
}

double httpr_response_time(const httpr_response *r, httpr_timing which) {
  if (!r || (unsigned)which > HTTPR_TIME_TOTAL)
    return 0.0;
  return r->times[which];
}
