/* SPDX-License-Identifier: MIT */
/*
 * cli_exit.c - httpr_code -> curl exit code, the exit code of several
 * transfers, and printing a failure.
 * The table is the README's ("Errors"); a code added to the enum later
 * falls to 1 until it is given a row here.
 */
#include "cli_exit.h"

int cli_exit_code(httpr_code code) {
  switch (code) {
  case HTTPR_OK:
    return 0;
  case HTTPR_E_URL:
    return 3;
  case HTTPR_E_UNSUPPORTED_PROTOCOL:
    return 1;
  case HTTPR_E_RESOLVE:
    return 6;
  case HTTPR_E_CONNECT:
    return 7;
  case HTTPR_E_TIMEOUT:
    return 28;
  case HTTPR_E_TLS_HANDSHAKE:
    return 35;
  case HTTPR_E_CERT_UNTRUSTED:
  case HTTPR_E_CERT_EXPIRED:
  case HTTPR_E_CERT_NOT_YET_VALID:
  case HTTPR_E_CERT_HOSTNAME:
  case HTTPR_E_CERT_OTHER:
    return 60;
  case HTTPR_E_CA_FILE:
    return 77;
  case HTTPR_E_CLIENT_CERT:
    return 58;
  case HTTPR_E_SEND:
    return 55;
  case HTTPR_E_RECV:
    return 56;
  case HTTPR_E_PARTIAL:
    return 18;
  case HTTPR_E_PROTOCOL:
    return 8; /* HTTP/1.x; cli_exit_code_http knows about HTTP/2 */
  case HTTPR_E_TOO_LARGE:
    return 63;
  case HTTPR_E_UNSUPPORTED:
  case HTTPR_E_PROVIDER:
    return 4;
  case HTTPR_E_INVALID:
    return 43;
  case HTTPR_E_NOMEM:
    return CLI_EXIT_NOMEM;
  case HTTPR_E_REDIRECT_LIMIT:
    return 47;
  case HTTPR_E_WRITE:
    return CLI_EXIT_WRITE;
  case HTTPR_E_READ:
    return CLI_EXIT_READ;
  case HTTPR_E_CANCELLED:
    return 42; /* curl's "aborted by callback" */
  case HTTPR_E_CERT_STATUS:
    return 91; /* curl's CURLE_SSL_INVALIDCERTSTATUS */
  case HTTPR_E_PINNED_KEY:
    return 90; /* curl's SSL_PINNEDPUBKEYNOTMATCH */
  case HTTPR_E_CRL_FILE:
    return 82; /* curl's SSL_CRL_BADFILE */
  case HTTPR_E_INTERFACE:
    return 45; /* curl's INTERFACE_FAILED */
  case HTTPR_E_PROXY:
    return 97; /* curl's CURLE_PROXY */
  case HTTPR_E_RESOLVE_PROXY:
    return 5; /* curl's COULDNT_RESOLVE_PROXY */
  case HTTPR_E_PROXY_CONNECT:
    return 56; /* curl's RECV_ERROR, its exit for a refused CONNECT */
  }
  return 1;
}

int cli_exit_code_http(httpr_code code, int http2) {
  if (code == HTTPR_E_PROTOCOL && http2)
    return 16;
  return cli_exit_code(code);
}

int cli_is_cert_failure(httpr_code code) {
  switch (code) {
  case HTTPR_E_CERT_UNTRUSTED:
  case HTTPR_E_CERT_EXPIRED:
  case HTTPR_E_CERT_NOT_YET_VALID:
  case HTTPR_E_CERT_HOSTNAME:
  case HTTPR_E_CERT_OTHER:
    return 1;
  default:
    return 0;
  }
}

int cli_exit_combine(int so_far, int transfer) {
  return transfer != CLI_EXIT_OK ? transfer : so_far;
}

int cli_exit_is_fatal(int exit_code) { return exit_code == CLI_EXIT_NOMEM; }

static int nonempty(const char *s) { return s != NULL && s[0] != '\0'; }

void cli_print_failure(FILE *err, const struct cli_noise *noise, int exit_code,
                       const char *message, const char *hint,
                       const char *detail) {
  if (noise->silent && !noise->show_error)
    return;
  flockfile(err); /* the lines stay together while -Z threads print -v */
  fprintf(err, "httpr: (%d) %s\n", exit_code, message ? message : "");
  if (!noise->silent && nonempty(hint))
    fprintf(err, "httpr: hint: %s\n", hint);
  /* The detail explains the error line, so it never comes without it. */
  if (noise->verbose && nonempty(detail))
    fprintf(err, "httpr: detail: %s\n", detail);
  funlockfile(err);
}
