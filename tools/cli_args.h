/* SPDX-License-Identifier: MIT */
/*
 * cli_args.h - the httpr command line as a plain struct. Parsing needs no
 * library call (only files named by @FILE are read), so it is unit-tested
 * without libhttpr; turning the struct into a config is cli_config.c's job.
 */
#ifndef HTTPR_TOOLS_CLI_ARGS_H
#define HTTPR_TOOLS_CLI_ARGS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum cli_cert_type { CLI_CERT_PEM = 0, CLI_CERT_P12 = 1 };

/* Which HTTP versions are offered for https:// (--http1.1, --http2,
 * --http2-only; the last one given wins). cli_config.c maps them to the
 * library's httpr_http_policy. */
enum cli_http_version {
  CLI_HTTP_ANY = 0,   /* --http2 or nothing: h2 when the server picks it */
  CLI_HTTP1_ONLY = 1, /* --http1.1 */
  CLI_HTTP2_ONLY = 2  /* --http2-only: fail unless h2 is negotiated */
};

/* --speed-limit and --speed-time: the largest values the library takes
 * (httpr_config_set_low_speed). */
#define CLI_SPEED_LIMIT_MAX (1L << 40)
#define CLI_SPEED_TIME_MAX 86400L

/* --parallel-max: curl's default, and a ceiling (larger values are
 * lowered to it, 0 means the default, as in curl). curl stops at 300
 * because each transfer costs it more; httpr runs them on one event loop,
 * as many as the descriptor limit allows (cli_parallel.c lowers the value
 * to that). */
#define CLI_PARALLEL_DEFAULT 50
#define CLI_PARALLEL_LIMIT 100000

/* One -H. An empty value sends an empty header ("Name:" or "Name;"). */
struct cli_header {
  char *name;
  char *value;
};

/* One --resolve HOST:PORT:ADDR; address without brackets. */
struct cli_resolve {
  char *host;
  int port;
  char *address;
};

/* Every string is owned by the struct (cli_options_free frees it). */
struct cli_options {
  /* What to fetch: URLs in order, all with one client; -o paths pair
   * with them in order (a URL without one goes to stdout). */
  char **urls;
  size_t url_count;
  char **outputs; /* "-" means stdout */
  size_t output_count;

  /* The request. */
  char *method; /* -X; NULL: see cli_effective_method */
  int head;     /* -I */
  struct cli_header *headers;
  size_t header_count;
  int has_data;        /* some -d/--data-binary given (the data may be empty) */
  unsigned char *data; /* joined with '&'; NUL-terminated for convenience */
  size_t data_len;
  int follow;     /* -L */
  int max_redirs; /* default 50; --max-redirs -1: no practical limit */
  enum cli_http_version http_version;

  /* How the URLs are scheduled: one after the other, or with -Z up to
   * parallel_max at a time (1..CLI_PARALLEL_LIMIT, default 50). */
  int parallel;
  long parallel_max;

  /* Limits; -1 when not given (the library's default then applies). */
  long max_time_ms;
  long connect_timeout_ms;
  long inactivity_timeout_ms; /* --inactivity-timeout; 0: none */
  long speed_limit;           /* -Y bytes per second */
  long speed_time;            /* -y seconds */
  int has_max_filesize;
  uint64_t max_filesize;
  struct cli_resolve *resolves;
  size_t resolve_count;
  char *proxy;              /* -x, --socks5 or --socks5-hostname, as a URL */
  const char *proxy_option; /* which of them set it, without "--" */
  char *proxy_user; /* -U: USER:PASSWORD (wiped when freed) */
  char *noproxy;    /* --noproxy */
  char *proxy_cacert; /* --proxy-cacert */
  int proxy_insecure; /* --proxy-insecure */

  /* How to connect. */
  int ip_family;     /* -4 / -6: 4 or 6; 0: either */
  char *interface;   /* --interface */
  char *unix_socket; /* --unix-socket */

  /* TLS. tls_min/tls_max hold httpr_tls_version values: 0, 12 or 13. */
  char *cacert;
  char *capath;
  char *crlfile;      /* --crlfile: PEM CRLs */
  char *pinnedpubkey; /* --pinnedpubkey: sha256// hashes or a key file */
  char *cert;          /* file part of --cert */
  char *cert_password; /* password part of --cert, NULL when none (wiped
                          when freed, as pass is) */
  enum cli_cert_type cert_type;
  char *key;
  char *pass; /* --pass */
  int insecure;
  int cert_status; /* --cert-status: require a good stapled OCSP response */
  int https_only;
  int tls_min;
  int tls_max;
  char *tls_provider; /* --tls-provider (or its old name --tls-backend) */
  const char *tls_provider_option; /* the name it was given by, without
                                      "--", for messages; static storage */
  char *keylog;
  char *curves; /* --curves: key exchange groups, IANA names */
  char *ciphers;       /* --ciphers: TLS 1.2 cipher suites */
  char *tls13_ciphers; /* --tls13-ciphers */
  int no_sessionid; /* --no-sessionid: no TLS session resumption */

  /* What is shown. */
  int silent;
  int show_error;
  int verbose;
  int include;
  char *write_out; /* -w format, already read when given as @FILE */

  /* Actions that replace fetching. */
  int show_help;
  int show_version;
  int list_providers; /* --list-providers (old name --list-backends) */
  int list_ciphers;   /* --list-ciphers */
  int compare; /* --compare: the same request with every provider */
  int verify_report; /* --verify-report: each provider's verification */
  int feature_table; /* --feature-table: Markdown capability table */
};

/* Parses argv[1..argc-1] into *opts, which it first resets to defaults.
 * Options and URLs may be mixed; "--" ends options; short options bundle
 * ("-sSv") and take values attached ("-ofile") or separate ("-o file").
 * `in` is read for "@-" values (stdin in the program); usage errors and
 * read errors are printed on `err`. The secret part of a value (the
 * PASSWORD of --cert FILE:PASSWORD, the whole of --pass) is overwritten
 * with '*' in argv once copied, so the process list does not show it;
 * argv's strings must be writable, as main's are. Returns CLI_EXIT_OK (0),
 * CLI_EXIT_USAGE (2), CLI_EXIT_READ (26, a @FILE could not be read) or
 * CLI_EXIT_NOMEM (27). *opts must be freed with cli_options_free whatever
 * the result. */
int cli_parse_args(struct cli_options *opts, int argc, char **argv, FILE *in,
                   FILE *err);

void cli_options_free(struct cli_options *opts);

/* -X when given, else HEAD for -I, POST when there is data, else GET. */
const char *cli_effective_method(const struct cli_options *opts);

/* 1 when a -H names `name` (compared without regard to case). */
int cli_has_header(const struct cli_options *opts, const char *name);

/* The -o path for URL number i, NULL when its body goes to stdout. */
const char *cli_output_for(const struct cli_options *opts, size_t i);

#endif /* HTTPR_TOOLS_CLI_ARGS_H */
