/* SPDX-License-Identifier: MIT */
/*
 * cli_writeout_fill.c - fills struct cli_wo_values from an httpr_response.
 */
#include <string.h>
#include <strings.h>

#include "cli_exit.h"
#include "cli_writeout_fill.h"

/* curl 7.x (Debian 12's) prints %{scheme} in upper case. */
static const char *scheme_of(const char *url) {
  if (strncasecmp(url, "https://", 8) == 0)
    return "HTTPS";
  if (strncasecmp(url, "http://", 7) == 0)
    return "HTTP";
  return "";
}

void cli_writeout_fill(struct cli_wo_values *v, const char *url,
                       const httpr_response *resp, httpr_code code,
                       int exitcode, const char *errormsg) {
  static const httpr_timing timings[CLI_WO_TIME_COUNT] = {
      HTTPR_TIME_NAMELOOKUP,  HTTPR_TIME_CONNECT,       HTTPR_TIME_APPCONNECT,
      HTTPR_TIME_PRETRANSFER, HTTPR_TIME_STARTTRANSFER, HTTPR_TIME_TOTAL};
  memset(v, 0, sizeof(*v));
  v->url_effective = url;
  v->exitcode = exitcode;
  v->errormsg = errormsg;
  v->ssl_verify_result = cli_is_cert_failure(code);
  /* Known from the URL, so printed after a failure too, as curl does. */
  v->scheme = scheme_of(url);
  if (!resp)
    return;
  v->http_code = httpr_response_status(resp);
  v->http_version = (int)httpr_response_http_version(resp);
  for (int i = 0; i < CLI_WO_TIME_COUNT; i++)
    v->times[i] = httpr_response_time(resp, timings[i]);
  v->size_download = httpr_response_body_bytes(resp);
  v->num_redirects = httpr_response_redirect_count(resp);
  /* curl counts the connections a transfer opened; the library tells
   * whether the final response's connection was new. A redirect to
   * another origin that opened one more is not counted. */
  v->num_connects = httpr_response_connection_reused(resp) ? 0 : 1;
  v->url_effective = httpr_response_url(resp);
  v->remote_ip = httpr_response_remote_ip(resp);
  v->remote_port = httpr_response_remote_port(resp);
  v->scheme = scheme_of(v->url_effective ? v->url_effective : url);
  v->tls_version = httpr_response_tls_version(resp);
  v->tls_cipher = httpr_response_tls_cipher(resp);
  v->tls_group = httpr_response_tls_group(resp);
  v->tls_provider = httpr_response_tls_provider(resp);
  v->alpn = httpr_response_tls_alpn(resp);
  v->ssl_session_resumed = httpr_response_tls_session_resumed(resp) ? 1 : 0;
}
