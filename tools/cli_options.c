/* SPDX-License-Identifier: MIT */
/*
 * cli_options.c - every option of `httpr`, in one table (see
 * cli_options.h), the lookups the parser makes in it, and --help printed
 * from it. Adding an option is adding a row here (and, when no setter
 * fits, a setter in cli_setters.c); its help cannot be forgotten.
 *
 * Rows are in the order --help shows them. Old names stay as rows of their
 * own that say which name replaced them, so scripts keep working and
 * --help still tells what they are.
 */
#include <limits.h>
#include <string.h>

#include "cli_args.h"
#include "cli_options.h"

#define F(name) offsetof(struct cli_options, name)

const struct cli_option cli_option_table[] = {
    /* ---- Output */
    {.long_name = "output",
     .short_name = 'o',
     .kind = CLI_VALUE,
     .set = cli_set_output,
     .section = CLI_HELP_OUTPUT,
     .value_name = "FILE",
     .help = "write the body to FILE ('-': stdout); the n-th -o goes with "
             "the n-th URL, URLs without one write to stdout"},
    {.long_name = "include",
     .short_name = 'i',
     .set = cli_set_flag,
     .field = F(include),
     .set_to = 1,
     .section = CLI_HELP_OUTPUT,
     .help = "print the status line and headers first"},
    {.long_name = "head",
     .short_name = 'I',
     .set = cli_set_flag,
     .field = F(head),
     .set_to = 1,
     .section = CLI_HELP_OUTPUT,
     .help = "send HEAD and print the headers"},
    {.long_name = "silent",
     .short_name = 's',
     .set = cli_set_flag,
     .field = F(silent),
     .set_to = 1,
     .section = CLI_HELP_OUTPUT,
     .help = "no error messages or warnings"},
    {.long_name = "show-error",
     .short_name = 'S',
     .set = cli_set_flag,
     .field = F(show_error),
     .set_to = 1,
     .section = CLI_HELP_OUTPUT,
     .help = "the error line even with -s"},
    {.long_name = "verbose",
     .short_name = 'v',
     .set = cli_set_flag,
     .field = F(verbose),
     .set_to = 1,
     .section = CLI_HELP_OUTPUT,
     .help = "connection, TLS and header details on stderr, incl. ALPN, the "
             "HTTP version and whether the TLS session was resumed"},
    {.long_name = "write-out",
     .short_name = 'w',
     .kind = CLI_VALUE,
     .set = cli_set_write_out,
     .section = CLI_HELP_OUTPUT,
     .value_name = "FORMAT",
     .help = "print FORMAT after each transfer (@FILE reads it); "
             "%{http_code}, %{http_version} (2, 1.1), %{time_total}, ... and "
             "%{ssl_session_resumed} (1 or 0)"},
    {.long_name = "parallel",
     .short_name = 'Z',
     .set = cli_set_flag,
     .field = F(parallel),
     .set_to = 1,
     .section = CLI_HELP_OUTPUT,
     .help = "run the transfers at once, up to --parallel-max; each one's "
             "output is still printed whole and in command-line order"},
    {.long_name = "parallel-max",
     .kind = CLI_VALUE,
     .set = cli_set_parallel_max,
     .expects = "expects a number of transfers",
     .section = CLI_HELP_OUTPUT,
     .value_name = "N",
     .help = "at most N transfers at once with -Z (default 50, up to the "
             "descriptor limit)"},

    /* ---- Request */
    {.long_name = "request",
     .short_name = 'X',
     .kind = CLI_VALUE,
     .set = cli_set_string,
     .field = F(method),
     .section = CLI_HELP_REQUEST,
     .value_name = "METHOD",
     .help = "the request method"},
    {.long_name = "header",
     .short_name = 'H',
     .kind = CLI_VALUE,
     .set = cli_set_header,
     .expects = "expects \"Name: value\"",
     .section = CLI_HELP_REQUEST,
     .value_name = "'N: V'",
     .help = "add a header ('N:' or 'N;' sends it empty)"},
    {.long_name = "data",
     .short_name = 'd',
     .kind = CLI_VALUE,
     .set = cli_set_data,
     .set_to = CLI_DATA_ASCII,
     .section = CLI_HELP_REQUEST,
     .value_name = "DATA",
     .help = "POST DATA (@FILE, @-: read it, dropping CR and LF); repeated "
             "-d are joined with '&'"},
    {.long_name = "data-ascii",
     .kind = CLI_VALUE,
     .set = cli_set_data,
     .set_to = CLI_DATA_ASCII,
     .section = CLI_HELP_REQUEST,
     .value_name = "DATA",
     .help = "the same as -d"},
    {.long_name = "data-binary",
     .kind = CLI_VALUE,
     .set = cli_set_data,
     .set_to = CLI_DATA_BINARY,
     .section = CLI_HELP_REQUEST,
     .value_name = "DATA",
     .help = "as -d, but file data is sent as it is"},
    {.long_name = "data-raw",
     .kind = CLI_VALUE,
     .set = cli_set_data,
     .set_to = CLI_DATA_RAW,
     .section = CLI_HELP_REQUEST,
     .value_name = "DATA",
     .help = "as -d, but '@' has no special meaning"},
    {.long_name = "location",
     .short_name = 'L',
     .set = cli_set_flag,
     .field = F(follow),
     .set_to = 1,
     .section = CLI_HELP_REQUEST,
     .help = "follow redirects"},
    {.long_name = "max-redirs",
     .kind = CLI_VALUE,
     .set = cli_set_int,
     .field = F(max_redirs),
     .min = -1,
     .max = INT_MAX,
     .expects = "expects a number of hops (-1: no limit)",
     .section = CLI_HELP_REQUEST,
     .value_name = "N",
     .help = "at most N redirects (default 50, -1: any)"},
    {.long_name = "max-time",
     .short_name = 'm',
     .kind = CLI_VALUE,
     .set = cli_set_seconds,
     .field = F(max_time_ms),
     .expects = "expects seconds",
     .section = CLI_HELP_REQUEST,
     .value_name = "SECONDS",
     .help = "time limit for the whole transfer"},
    {.long_name = "connect-timeout",
     .kind = CLI_VALUE,
     .set = cli_set_seconds,
     .field = F(connect_timeout_ms),
     .expects = "expects seconds",
     .section = CLI_HELP_REQUEST,
     .value_name = "SECONDS",
     .help = "time limit to connect (incl. TLS; default 30)"},
    {.long_name = "inactivity-timeout",
     .kind = CLI_VALUE,
     .set = cli_set_seconds,
     .field = F(inactivity_timeout_ms),
     .expects = "expects seconds (0: no limit)",
     .section = CLI_HELP_REQUEST,
     .value_name = "SECONDS",
     .help = "give up when nothing is sent or received for SECONDS (default "
             "30, the library's; 0: never)"},
    {.long_name = "speed-limit",
     .short_name = 'Y',
     .kind = CLI_VALUE,
     .set = cli_set_long,
     .field = F(speed_limit),
     .min = 0,
     .max = CLI_SPEED_LIMIT_MAX,
     .expects = "expects bytes per second",
     .section = CLI_HELP_REQUEST,
     .value_name = "BYTES",
     .help = "give up when slower than BYTES a second for --speed-time "
             "seconds (default 30)"},
    {.long_name = "speed-time",
     .short_name = 'y',
     .kind = CLI_VALUE,
     .set = cli_set_long,
     .field = F(speed_time),
     .min = 0,
     .max = CLI_SPEED_TIME_MAX,
     .expects = "expects whole seconds",
     .section = CLI_HELP_REQUEST,
     .value_name = "SECONDS",
     .help = "the span --speed-limit is judged over (alone: a limit of 1 "
             "byte a second)"},
    {.long_name = "max-filesize",
     .kind = CLI_VALUE,
     .set = cli_set_max_filesize,
     .expects = "expects bytes (suffix k, m or g allowed)",
     .section = CLI_HELP_REQUEST,
     .value_name = "BYTES",
     .help = "fail when the body is larger (k, m, g)"},
    {.long_name = "resolve",
     .kind = CLI_VALUE,
     .set = cli_set_resolve,
     .expects = "expects HOST:PORT:ADDR[,ADDR]...",
     .section = CLI_HELP_REQUEST,
     .value_name = "HOST:PORT:ADDR[,ADDR]",
     .help = "connect to ADDR (several: raced, RFC 8305) for HOST:PORT"},
    {.long_name = "ipv4",
     .short_name = '4',
     .set = cli_set_flag,
     .field = F(ip_family),
     .set_to = 4,
     .section = CLI_HELP_REQUEST,
     .help = "connect over IPv4 only (a name without an IPv4 address: exit "
             "6)"},
    {.long_name = "ipv6",
     .short_name = '6',
     .set = cli_set_flag,
     .field = F(ip_family),
     .set_to = 6,
     .section = CLI_HELP_REQUEST,
     .help = "connect over IPv6 only (a name without an IPv6 address: exit "
             "6)"},
    {.long_name = "interface",
     .kind = CLI_VALUE,
     .set = cli_set_string,
     .field = F(interface),
     .section = CLI_HELP_REQUEST,
     .value_name = "NAME|ADDRESS",
     .help = "bind the local end to an interface's address (lo, if!lo) or "
             "to an address (127.0.0.1, host!::1); failure: exit 45"},
    {.long_name = "unix-socket",
     .kind = CLI_VALUE,
     .set = cli_set_string,
     .field = F(unix_socket),
     .section = CLI_HELP_REQUEST,
     .value_name = "PATH",
     .help = "connect to the Unix domain socket PATH instead of the URL's "
             "host and port (https:// still checks the URL's host)"},
    {.long_name = "proxy",
     .short_name = 'x',
     .kind = CLI_VALUE,
     .set = cli_set_proxy,
     .section = CLI_HELP_REQUEST,
     .value_name = "[SCHEME://][USER:PASSWORD@]HOST[:PORT]",
     .help = "go through this proxy (port 1080 unless given): http:// (the "
             "default; CONNECT for https://, absolute URLs for http://), "
             "https:// (the same over TLS to the proxy), socks5:// (names "
             "resolved here) or socks5h:// (names resolved by the proxy); "
             "wins over the proxy variables"},
    {.long_name = "socks5",
     .kind = CLI_VALUE,
     .set = cli_set_proxy,
     .set_to = 1,
     .section = CLI_HELP_REQUEST,
     .value_name = "[USER:PASSWORD@]HOST[:PORT]",
     .help = "go through this SOCKS5 proxy, the origin's name resolved here "
             "(-x socks5://HOST[:PORT]); the last of -x, --socks5 and "
             "--socks5-hostname wins"},
    {.long_name = "socks5-hostname",
     .kind = CLI_VALUE,
     .set = cli_set_proxy,
     .set_to = 2,
     .section = CLI_HELP_REQUEST,
     .value_name = "[USER:PASSWORD@]HOST[:PORT]",
     .help = "go through this SOCKS5 proxy, which resolves the origin's name "
             "(-x socks5h://HOST[:PORT])"},
    {.long_name = "proxy-user",
     .short_name = 'U',
     .kind = CLI_SECRET_VALUE,
     .set = cli_set_secret,
     .field = F(proxy_user),
     .section = CLI_HELP_REQUEST,
     .value_name = "USER:PASSWORD",
     .help = "the proxy's credentials, sent to the proxy alone: Basic for an "
             "HTTP proxy, username/password (RFC 1929) for a SOCKS5 one"},
    {.long_name = "noproxy",
     .kind = CLI_VALUE,
     .set = cli_set_string,
     .field = F(noproxy),
     .section = CLI_HELP_REQUEST,
     .value_name = "LIST",
     .help = "hosts reached without the proxy: names (and their subdomains), "
             "addresses, ADDR/BITS, '*'; wins over NO_PROXY"},
    {.long_name = "proxy-cacert",
     .kind = CLI_VALUE,
     .set = cli_set_string,
     .field = F(proxy_cacert),
     .section = CLI_HELP_REQUEST,
     .value_name = "FILE",
     .help = "trust the CA certificates in FILE (PEM) for an HTTPS proxy "
             "(--cacert is the origin's)"},
    {.long_name = "proxy-insecure",
     .set = cli_set_flag,
     .field = F(proxy_insecure),
     .set_to = 1,
     .section = CLI_HELP_REQUEST,
     .help = "do not verify an HTTPS proxy's certificate (the origin's "
             "still is)"},
    {.long_name = "http2",
     .set = cli_set_http_version,
     .set_to = CLI_HTTP_ANY,
     .section = CLI_HELP_REQUEST,
     .help = "offer HTTP/2 and HTTP/1.1 over TLS, use what the server picks "
             "(the default; http:// URLs always use HTTP/1.1)"},
    {.long_name = "http1.1",
     .set = cli_set_http_version,
     .set_to = CLI_HTTP1_ONLY,
     .section = CLI_HELP_REQUEST,
     .help = "offer HTTP/1.1 only"},
    {.long_name = "http2-only",
     .set = cli_set_http_version,
     .set_to = CLI_HTTP2_ONLY,
     .section = CLI_HELP_REQUEST,
     .help = "offer HTTP/2 only; fail (exit 16) unless the server selects "
             "it"},
    {.long_name = "proto",
     .kind = CLI_VALUE,
     .set = cli_set_proto,
     .expects = "supports only \"=https\" (or \"-all,+https\"), "
                "or allowing both http and https",
     .section = CLI_HELP_REQUEST,
     .value_name = "=https",
     .help = "refuse http://, also in redirects"},

    /* ---- TLS */
    {.long_name = "cacert",
     .kind = CLI_VALUE,
     .set = cli_set_string,
     .field = F(cacert),
     .section = CLI_HELP_TLS,
     .value_name = "FILE",
     .help = "trust the CA certificates in FILE (PEM)"},
    {.long_name = "capath",
     .kind = CLI_VALUE,
     .set = cli_set_string,
     .field = F(capath),
     .section = CLI_HELP_TLS,
     .value_name = "DIR",
     .help = "trust the CA certificates in DIR"},
    {.long_name = "crlfile",
     .kind = CLI_VALUE,
     .set = cli_set_string,
     .field = F(crlfile),
     .section = CLI_HELP_TLS,
     .value_name = "FILE",
     .help = "refuse a certificate a CRL in FILE (PEM) revokes"},
    {.long_name = "pinnedpubkey",
     .kind = CLI_VALUE,
     .set = cli_set_string,
     .field = F(pinnedpubkey),
     .section = CLI_HELP_TLS,
     .value_name = "HASHES|FILE",
     .help = "require the server's public key: sha256//BASE64[;...] or a "
             "PEM/DER key file"},
    {.long_name = "cert",
     .short_name = 'E',
     .kind = CLI_SECRET_AFTER_COLON,
     .set = cli_set_cert,
     .section = CLI_HELP_TLS,
     .value_name = "FILE[:PASSWORD]",
     .help = "client certificate; the first ':' starts the password ('\\:' "
             "is a literal colon)"},
    {.long_name = "cert-type",
     .kind = CLI_VALUE,
     .set = cli_set_cert_type,
     .expects = "expects PEM or P12",
     .section = CLI_HELP_TLS,
     .value_name = "PEM|P12",
     .help = "the client certificate's format"},
    {.long_name = "key",
     .kind = CLI_VALUE,
     .set = cli_set_string,
     .field = F(key),
     .section = CLI_HELP_TLS,
     .value_name = "FILE",
     .help = "the client key, when not in --cert's file"},
    {.long_name = "pass",
     .kind = CLI_SECRET_VALUE,
     .set = cli_set_secret,
     .field = F(pass),
     .section = CLI_HELP_TLS,
     .value_name = "PASSWORD",
     .help = "the key password (if --cert gives none)"},
    {.long_name = "insecure",
     .short_name = 'k',
     .set = cli_set_flag,
     .field = F(insecure),
     .set_to = 1,
     .section = CLI_HELP_TLS,
     .help = "do not verify the server certificate"},
    {.long_name = "cert-status",
     .set = cli_set_flag,
     .field = F(cert_status),
     .set_to = 1,
     .section = CLI_HELP_TLS,
     .help = "require a good OCSP response stapled by the server for its "
             "certificate (exit 91 otherwise)"},
    {.long_name = "tlsv1.2",
     .set = cli_set_flag,
     .field = F(tls_min),
     .set_to = 12,
     .section = CLI_HELP_TLS,
     .help = "the lowest TLS version to use: 1.2"},
    {.long_name = "tlsv1.3",
     .set = cli_set_flag,
     .field = F(tls_min),
     .set_to = 13,
     .section = CLI_HELP_TLS,
     .help = "the lowest TLS version to use: 1.3"},
    {.long_name = "tls-max",
     .kind = CLI_VALUE,
     .set = cli_set_tls_max,
     .expects = "expects 1.2, 1.3 or default",
     .section = CLI_HELP_TLS,
     .value_name = "VERSION",
     .help = "the highest TLS version (1.2, 1.3)"},
    {.long_name = "tls-provider",
     .kind = CLI_VALUE,
     .set = cli_set_tls_provider,
     .field = F(tls_provider),
     .section = CLI_HELP_TLS,
     .value_name = "NAME",
     .help = "the TLS provider to use (see --list-providers)"},
    {.long_name = "tls-backend",
     .kind = CLI_VALUE,
     .set = cli_set_tls_provider,
     .field = F(tls_provider),
     .section = CLI_HELP_TLS,
     .value_name = "NAME",
     .help = "the old name of --tls-provider"},
    {.long_name = "keylog",
     .kind = CLI_VALUE,
     .set = cli_set_string,
     .field = F(keylog),
     .section = CLI_HELP_TLS,
     .value_name = "FILE",
     .help = "append TLS secrets to FILE (NSS key log)"},
    {.long_name = "curves",
     .kind = CLI_VALUE,
     .set = cli_set_string,
     .field = F(curves),
     .section = CLI_HELP_TLS,
     .value_name = "LIST",
     .help = "key exchange groups to offer, in order (x25519:secp256r1)"},
    {.long_name = "ciphers",
     .kind = CLI_VALUE,
     .set = cli_set_string,
     .field = F(ciphers),
     .section = CLI_HELP_TLS,
     .value_name = "LIST",
     .help = "TLS 1.2 cipher suites to offer, in order: IANA or OpenSSL "
             "names (see --list-ciphers)"},
    {.long_name = "tls13-ciphers",
     .kind = CLI_VALUE,
     .set = cli_set_string,
     .field = F(tls13_ciphers),
     .section = CLI_HELP_TLS,
     .value_name = "LIST",
     .help = "TLS 1.3 cipher suites to offer, in order (TLS_AES_128_GCM_"
             "SHA256)"},
    {.long_name = "no-sessionid",
     .set = cli_set_flag,
     .field = F(no_sessionid),
     .set_to = 1,
     .section = CLI_HELP_TLS,
     .help = "no TLS session resumption: every new connection makes a full "
             "handshake"},

    /* ---- Information */
    {.long_name = "list-providers",
     .set = cli_set_flag,
     .field = F(list_providers),
     .set_to = 1,
     .section = CLI_HELP_INFO,
     .help = "the TLS providers installed, with features, and where "
             "the default comes from"},
    {.long_name = "list-backends",
     .set = cli_set_flag,
     .field = F(list_providers),
     .set_to = 1,
     .section = CLI_HELP_INFO,
     .help = "the old name of --list-providers"},
    {.long_name = "list-ciphers",
     .set = cli_set_flag,
     .field = F(list_ciphers),
     .set_to = 1,
     .section = CLI_HELP_INFO,
     .help = "the cipher suites each provider (or the --tls-provider one) "
             "can offer, by IANA name"},
    {.long_name = "feature-table",
     .set = cli_set_flag,
     .field = F(feature_table),
     .set_to = 1,
     .section = CLI_HELP_INFO,
     .help = "the providers' features as a Markdown table"},
    {.long_name = "compare",
     .set = cli_set_flag,
     .field = F(compare),
     .set_to = 1,
     .section = CLI_HELP_INFO,
     .help = "the same request with every provider, one row each (outcome, "
             "TLS, cipher, ALPN, times)"},
    {.long_name = "verify-report",
     .set = cli_set_flag,
     .field = F(verify_report),
     .set_to = 1,
     .section = CLI_HELP_INFO,
     .help = "the handshake with every provider, one block each: the "
             "certificate path it built, the result, who decided, the "
             "shared checks that ran"},
    {.long_name = "version",
     .short_name = 'V',
     .set = cli_set_flag,
     .field = F(show_version),
     .set_to = 1,
     .section = CLI_HELP_INFO,
     .help = "versions of httpr and its TLS providers"},
    {.long_name = "help",
     .short_name = 'h',
     .set = cli_set_flag,
     .field = F(show_help),
     .set_to = 1,
     .section = CLI_HELP_INFO,
     .help = "this text"},
};

const size_t cli_option_count =
    sizeof(cli_option_table) / sizeof(cli_option_table[0]);

const struct cli_option *cli_option_long(const char *name) {
  for (size_t i = 0; i < cli_option_count; i++)
    if (strcmp(cli_option_table[i].long_name, name) == 0)
      return &cli_option_table[i];
  return NULL;
}

const struct cli_option *cli_option_short(char c) {
  for (size_t i = 0; c && i < cli_option_count; i++)
    if (cli_option_table[i].short_name == c)
      return &cli_option_table[i];
  return NULL;
}

/* ---- --help -------------------------------------------------------------- */

static const char usage_text[] =
    "Usage: httpr [options] URL...\n"
    "Fetches each URL in order, one after the other (with -Z several at\n"
    "once), with one client: connections and TLS sessions are reused from\n"
    "one URL to the next, and an HTTP/2 connection carries many at once.\n"
    "Every option applies to every URL, but -o pairs with URLs in order.\n"
    "A failed URL does not stop the next ones; the exit code is the last\n"
    "failed URL's in command-line order (0 when all succeeded).\n"
    "Options may come before or after URLs; '--' ends the options.\n";

static const char *const section_titles[CLI_HELP_SECTIONS] = {
    [CLI_HELP_OUTPUT] = "Output:",
    [CLI_HELP_REQUEST] = "Request:",
    [CLI_HELP_TLS] = "TLS:",
    [CLI_HELP_INFO] = "Information:",
};

/* Where the help texts start, and the widest line. */
#define HELP_COLUMN 27
#define HELP_WIDTH 79

/* Prints text from column `col` (the cursor is there), breaking at spaces
 * so no line passes HELP_WIDTH; continuation lines start at HELP_COLUMN. */
static void print_wrapped(FILE *out, const char *text, size_t col) {
  while (*text) {
    size_t word = strcspn(text, " ");
    if (col > HELP_COLUMN && col + 1 + word > HELP_WIDTH) {
      fprintf(out, "\n%*s", HELP_COLUMN, "");
      col = HELP_COLUMN;
    } else if (col > HELP_COLUMN) {
      fputc(' ', out);
      col++;
    }
    fwrite(text, 1, word, out);
    col += word;
    text += word;
    text += strspn(text, " ");
  }
  fputc('\n', out);
}

static void print_option(FILE *out, const struct cli_option *o) {
  char left[64];
  int n;
  if (o->short_name)
    n = snprintf(left, sizeof(left), "  -%c, --%s", o->short_name,
                 o->long_name);
  else
    n = snprintf(left, sizeof(left), "      --%s", o->long_name);
  if (o->value_name && n > 0 && (size_t)n < sizeof(left))
    snprintf(left + n, sizeof(left) - (size_t)n, " %s", o->value_name);
  fputs(left, out);
  n = (int)strlen(left);
  /* A long option name gets its text on the next line. */
  if (n >= HELP_COLUMN)
    fprintf(out, "\n%*s", HELP_COLUMN, "");
  else
    fprintf(out, "%*s", HELP_COLUMN - n, "");
  /* The cursor is at HELP_COLUMN: the first word goes there. */
  print_wrapped(out, o->help, HELP_COLUMN);
}

void cli_print_help(FILE *out) {
  fputs(usage_text, out);
  for (int s = 0; s < CLI_HELP_SECTIONS; s++) {
    fprintf(out, "\n%s\n", section_titles[s]);
    for (size_t i = 0; i < cli_option_count; i++)
      if ((int)cli_option_table[i].section == s)
        print_option(out, &cli_option_table[i]);
  }
}
