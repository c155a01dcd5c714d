/* SPDX-License-Identifier: MIT */
/*
 * cli_writeout.h - curl's -w/--write-out: renders a format with %{var},
 * "%%", the escapes \n \t \r, and %{stdout}/%{stderr} to switch streams.
 *
 * The renderer takes a plain struct of values, not an httpr_response, so
 * it is unit-tested without the library; cli_writeout_fill.c fills the
 * struct from a response.
 */
#ifndef HTTPR_TOOLS_CLI_WRITEOUT_H
#define HTTPR_TOOLS_CLI_WRITEOUT_H

#include <stdint.h>
#include <stdio.h>

/* Indexes of times[], in the order of httpr_timing. */
enum cli_wo_time {
  CLI_WO_NAMELOOKUP = 0,
  CLI_WO_CONNECT,
  CLI_WO_APPCONNECT,
  CLI_WO_PRETRANSFER,
  CLI_WO_STARTTRANSFER,
  CLI_WO_TOTAL,
  CLI_WO_TIME_COUNT
};

/* What one transfer produced. Zero values stand for "no response"
 * (a failed transfer prints zeros, as curl does). NULL strings print as
 * empty. */
struct cli_wo_values {
  int http_code;    /* 0: no response ("000") */
  int http_version; /* 10, 11, 20 (httpr_http_version); 0: no response */
  double times[CLI_WO_TIME_COUNT]; /* seconds */
  uint64_t size_download;
  int num_redirects;
  int num_connects; /* new connections the transfer made: 0 or 1 */
  const char *url_effective;
  const char *remote_ip;
  int remote_port;
  int exitcode;
  const char *errormsg;
  int ssl_verify_result; /* 0 verified (or no TLS), 1 verification failed */
  /* Ours, not curl's: 1 when the TLS handshake resumed an earlier session,
   * 0 for a full handshake, cleartext or no response. */
  int ssl_session_resumed;
  const char *scheme; /* "HTTPS", "HTTP" (curl 7.x prints upper case) */
  const char *tls_version;
  const char *tls_cipher;
  const char *tls_group;
  const char *tls_provider;
  const char *alpn;
};

/* Carried across the transfers of one run. */
struct cli_wo_state {
  int rendered; /* a render has happened: warnings are not repeated */
};

/* "1" (HTTP/1.0), "1.1", "2", or "0" for 0 / an unknown value: curl's
 * %{http_version}. Static storage. */
const char *cli_wo_http_version(int http_version);

/* Renders fmt with v. Output starts on `out`; %{stderr} switches to `err`
 * and %{stdout} back. An unknown variable prints nothing and, on the
 * first render of a run only, a warning on `err`:
 *   httpr: unknown --write-out variable: 'NAME'
 * Returns 0, or -1 when writing to out or err failed. */
int cli_writeout(const char *fmt, const struct cli_wo_values *v, FILE *out,
                 FILE *err, struct cli_wo_state *state);

#endif /* HTTPR_TOOLS_CLI_WRITEOUT_H */
