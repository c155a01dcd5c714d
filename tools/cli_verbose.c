/* SPDX-License-Identifier: MIT */
/*
 * cli_verbose.c - the -v output. The request head arrives as one block of
 * CRLF lines and is split here; info and response lines arrive one per
 * call. Every line gets its prefix, an empty one too ("> " ends the
 * request head as in curl). With -Z the callback runs on several threads
 * at once: each call holds the stream's lock, so a block of lines from
 * one transfer is never cut by another's.
 */
#include <string.h>

#include "cli_verbose.h"

static void print_line(FILE *fp, const char *prefix, const char *line,
                       size_t len) {
  if (len && line[len - 1] == '\r')
    len--;
  fputs(prefix, fp);
  fwrite(line, 1, len, fp);
  fputc('\n', fp);
}

static void print_lines(FILE *fp, const char *prefix, const char *text,
                        size_t len) {
  const char *p = text, *end = text + len;
  if (len == 0) {
    print_line(fp, prefix, "", 0);
    return;
  }
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    print_line(fp, prefix, p, n);
    p += n + (nl ? 1 : 0);
  }
}

void cli_verbose_debug(httpr_debug_kind kind, const char *text, size_t len,
                       void *userdata) {
  FILE *fp = userdata;
  flockfile(fp);
  switch (kind) {
  case HTTPR_DEBUG_INFO:
    print_lines(fp, "* ", text, len);
    break;
  case HTTPR_DEBUG_HEADER_OUT:
    print_lines(fp, "> ", text, len);
    break;
  case HTTPR_DEBUG_HEADER_IN:
    print_lines(fp, "< ", text, len);
    break;
  }
  funlockfile(fp);
}

static const char *http_version_name(httpr_http_version v) {
  switch (v) {
  case HTTPR_HTTP_1_0:
    return "HTTP/1.0";
  case HTTPR_HTTP_1_1:
    return "HTTP/1.1";
  case HTTPR_HTTP_2:
    return "HTTP/2";
  }
  return "unknown";
}

void cli_verbose_summary(FILE *fp, const httpr_response *resp) {
  const char *provider = httpr_response_tls_provider(resp);
  const char *alpn = httpr_response_tls_alpn(resp);
  flockfile(fp);
  fprintf(fp, "* HTTP version: %s\n",
          http_version_name(httpr_response_http_version(resp)));
  if (!provider || !provider[0]) {
    funlockfile(fp);
    return;
  }
  fprintf(fp, "* TLS provider: %s\n", provider);
  const char *group = httpr_response_tls_group(resp);
  fprintf(fp, "* TLS: %s / %s / %s\n", httpr_response_tls_version(resp),
          httpr_response_tls_cipher(resp), group[0] ? group : "-");
  fprintf(fp, "* ALPN: %s\n", alpn && alpn[0] ? alpn : "none");
  fprintf(fp, "* Server certificate subject: %s\n",
          httpr_response_peer_subject(resp));
  fprintf(fp, "* issuer: %s\n", httpr_response_peer_issuer(resp));
  fprintf(fp, "* TLS session: %s\n",
          httpr_response_tls_session_resumed(resp) ? "resumed"
                                                   : "new (full handshake)");
  fprintf(fp, "* Connection reused: %s\n",
          httpr_response_connection_reused(resp) ? "yes" : "no");
  funlockfile(fp);
}
