/*
 * cli_args.c - walks argv and fills struct cli_options: the option table,
 * short-option bundles, "--", and the checks that need the whole command
 * line. Value syntax lives in cli_argvalue.c, @FILE reading in cli_data.c.
 * Nothing here calls the library.
 *
 * Values that carry a secret (a password) are blanked in argv once copied,
 * as curl does, so other users do not read them in the process list
 * (/proc/PID/cmdline, ps). Blanking is a flag of the option table: an
 * option that carries credentials (curl's -u, -U) gets it where it is
 * added.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli_args.h"
#include "cli_argvalue.h"
#include "cli_data.h"
#include "cli_exit.h"

enum opt_id {
  OPT_CACERT,
  OPT_CAPATH,
  OPT_CERT,
  OPT_CERT_TYPE,
  OPT_KEY,
  OPT_PASS,
  OPT_INSECURE,
  OPT_HTTP11,
  OPT_HTTP2,
  OPT_HTTP2_ONLY,
  OPT_PARALLEL,
  OPT_PARALLEL_MAX,
  OPT_PROTO,
  OPT_OUTPUT,
  OPT_SILENT,
  OPT_SHOW_ERROR,
  OPT_VERBOSE,
  OPT_INCLUDE,
  OPT_HEAD,
  OPT_LOCATION,
  OPT_MAX_REDIRS,
  OPT_REQUEST,
  OPT_HEADER,
  OPT_DATA,
  OPT_DATA_RAW,
  OPT_DATA_BINARY,
  OPT_WRITE_OUT,
  OPT_MAX_TIME,
  OPT_CONNECT_TIMEOUT,
  OPT_INACTIVITY_TIMEOUT,
  OPT_SPEED_LIMIT,
  OPT_SPEED_TIME,
  OPT_RESOLVE,
  OPT_VERSION,
  OPT_TLS_BACKEND,
  OPT_LIST_BACKENDS,
  OPT_COMPARE,
  OPT_FEATURE_TABLE,
  OPT_TLSV12,
  OPT_TLSV13,
  OPT_TLS_MAX,
  OPT_MAX_FILESIZE,
  OPT_KEYLOG,
  OPT_NO_SESSIONID,
  OPT_HELP
};

/* Whether an option takes a value (non-zero), and what of the value is a
 * secret, to blank in argv once parsed. */
enum value_kind {
  NO_VALUE = 0,
  VALUE = 1,
  SECRET_VALUE = 2,      /* the whole value is one (--pass) */
  SECRET_AFTER_COLON = 3 /* the PASSWORD of FILE:PASSWORD is (--cert) */
};

struct opt_def {
  const char *long_name;
  char short_name;             /* 0: none */
  enum value_kind takes_value; /* 0 and 1 in most rows */
  enum opt_id id;
};

static const struct opt_def options[] = {
    {"cacert", 0, 1, OPT_CACERT},
    {"capath", 0, 1, OPT_CAPATH},
    {"cert", 'E', SECRET_AFTER_COLON, OPT_CERT},
    {"cert-type", 0, 1, OPT_CERT_TYPE},
    {"key", 0, 1, OPT_KEY},
    {"pass", 0, SECRET_VALUE, OPT_PASS},
    {"insecure", 'k', 0, OPT_INSECURE},
    {"http1.1", 0, 0, OPT_HTTP11},
    {"http2", 0, 0, OPT_HTTP2},
    {"http2-only", 0, 0, OPT_HTTP2_ONLY},
    {"parallel", 'Z', 0, OPT_PARALLEL},
    {"parallel-max", 0, 1, OPT_PARALLEL_MAX},
    {"proto", 0, 1, OPT_PROTO},
    {"output", 'o', 1, OPT_OUTPUT},
    {"silent", 's', 0, OPT_SILENT},
    {"show-error", 'S', 0, OPT_SHOW_ERROR},
    {"verbose", 'v', 0, OPT_VERBOSE},
    {"include", 'i', 0, OPT_INCLUDE},
    {"head", 'I', 0, OPT_HEAD},
    {"location", 'L', 0, OPT_LOCATION},
    {"max-redirs", 0, 1, OPT_MAX_REDIRS},
    {"request", 'X', 1, OPT_REQUEST},
    {"header", 'H', 1, OPT_HEADER},
    {"data", 'd', 1, OPT_DATA},
    {"data-ascii", 0, 1, OPT_DATA},
    {"data-raw", 0, 1, OPT_DATA_RAW},
    {"data-binary", 0, 1, OPT_DATA_BINARY},
    {"write-out", 'w', 1, OPT_WRITE_OUT},
    {"max-time", 'm', 1, OPT_MAX_TIME},
    {"connect-timeout", 0, 1, OPT_CONNECT_TIMEOUT},
    {"inactivity-timeout", 0, 1, OPT_INACTIVITY_TIMEOUT},
    {"speed-limit", 'Y', 1, OPT_SPEED_LIMIT},
    {"speed-time", 'y', 1, OPT_SPEED_TIME},
    {"resolve", 0, 1, OPT_RESOLVE},
    {"version", 'V', 0, OPT_VERSION},
    {"tls-backend", 0, 1, OPT_TLS_BACKEND},
    {"list-backends", 0, 0, OPT_LIST_BACKENDS},
    {"compare", 0, 0, OPT_COMPARE},
    {"feature-table", 0, 0, OPT_FEATURE_TABLE},
    {"tlsv1.2", 0, 0, OPT_TLSV12},
    {"tlsv1.3", 0, 0, OPT_TLSV13},
    {"tls-max", 0, 1, OPT_TLS_MAX},
    {"max-filesize", 0, 1, OPT_MAX_FILESIZE},
    {"keylog", 0, 1, OPT_KEYLOG},
    {"no-sessionid", 0, 0, OPT_NO_SESSIONID},
    {"help", 'h', 0, OPT_HELP},
};

#define OPTION_COUNT (sizeof(options) / sizeof(options[0]))

/* The walk's state: what the error messages and @- need. */
struct parser {
  struct cli_options *opts;
  FILE *in;
  FILE *err;
  const char *shown; /* the option as typed, for messages: "-o", "--cert" */
  int data_parts;    /* -d/--data-binary seen so far, for '&' joining */
};

static const char try_help[] =
    "httpr: try 'httpr --help' for more information\n";

__attribute__((format(printf, 2, 3))) static int
usage_error(struct parser *p, const char *fmt, ...) {
  va_list ap;
  fputs("httpr: ", p->err);
  va_start(ap, fmt);
  vfprintf(p->err, fmt, ap);
  va_end(ap);
  fputc('\n', p->err);
  fputs(try_help, p->err);
  return CLI_EXIT_USAGE;
}

static int bad_value(struct parser *p, const char *what, const char *value) {
  return usage_error(p, "option %s: %s, got '%s'", p->shown, what, value);
}

static int nomem(struct parser *p) {
  fputs("httpr: out of memory\n", p->err);
  return CLI_EXIT_NOMEM;
}

/* Maps a parser's result to an exit code, printing on failure. */
static int value_result(struct parser *p, int rc, const char *what,
                        const char *value) {
  if (rc == CLI_VALUE_NOMEM)
    return nomem(p);
  if (rc != CLI_VALUE_OK)
    return bad_value(p, what, value);
  return CLI_EXIT_OK;
}

/* Replaces *slot with a copy of value (later options win, as in curl). */
static int set_string(struct parser *p, char **slot, const char *value) {
  char *copy = strdup(value);
  if (!copy)
    return nomem(p);
  free(*slot);
  *slot = copy;
  return CLI_EXIT_OK;
}

/* Appends one element to a growing array of `size`-byte elements. */
static void *grow(void *array, size_t count, size_t size) {
  if (count > SIZE_MAX / size - 1)
    return NULL;
  return realloc(array, (count + 1) * size);
}

static int push_string(struct parser *p, char ***list, size_t *count,
                       const char *value) {
  char **bigger = grow(*list, *count, sizeof(char *));
  if (!bigger)
    return nomem(p);
  *list = bigger;
  if (!(bigger[*count] = strdup(value)))
    return nomem(p);
  (*count)++;
  return CLI_EXIT_OK;
}

static int read_failed(struct parser *p, const char *arg, int e) {
  if (e == ENOMEM)
    return nomem(p);
  fprintf(p->err, "httpr: (%d) option %s: cannot read '%s': %s\n",
          CLI_EXIT_READ, p->shown, arg + 1, strerror(e));
  return CLI_EXIT_READ;
}

/* -d (strip CR/LF from files), --data-binary (as is), --data-raw (no @). */
static int add_data(struct parser *p, const char *value, enum opt_id id) {
  struct cli_options *o = p->opts;
  unsigned char *part;
  size_t len;
  int e;
  if (id == OPT_DATA_RAW)
    e = cli_append_data(&o->data, &o->data_len, p->data_parts == 0,
                        (const unsigned char *)value, strlen(value));
  else {
    e = cli_load_value(value, p->in, id == OPT_DATA, &part, &len);
    if (e)
      return read_failed(p, value, e);
    e = cli_append_data(&o->data, &o->data_len, p->data_parts == 0, part, len);
    free(part);
  }
  if (e)
    return nomem(p);
  p->data_parts++;
  o->has_data = 1;
  return CLI_EXIT_OK;
}

/* Frees a copy of a secret, wiped first. */
static void free_secret(char *s) {
  if (s)
    explicit_bzero(s, strlen(s));
  free(s);
}

static int set_secret(struct parser *p, char **slot, const char *value) {
  char *copy = strdup(value);
  if (!copy)
    return nomem(p);
  free_secret(*slot);
  *slot = copy;
  return CLI_EXIT_OK;
}

static int set_cert(struct parser *p, const char *value) {
  struct cli_options *o = p->opts;
  char *file, *password;
  if (cli_split_cert(value, &file, &password) != CLI_VALUE_OK)
    return nomem(p);
  free(o->cert);
  free_secret(o->cert_password);
  o->cert = file;
  o->cert_password = password;
  /* The message shows no password. */
  if (o->cert[0] == '\0')
    return usage_error(p, "option %s: expects FILE[:PASSWORD], got no FILE",
                       p->shown);
  return CLI_EXIT_OK;
}

static int add_header(struct parser *p, const char *value) {
  struct cli_options *o = p->opts;
  struct cli_header h;
  struct cli_header *bigger;
  int rc = cli_parse_header(value, &h);
  if (rc != CLI_VALUE_OK)
    return value_result(p, rc, "expects \"Name: value\"", value);
  bigger = grow(o->headers, o->header_count, sizeof(*bigger));
  if (!bigger) {
    free(h.name);
    free(h.value);
    return nomem(p);
  }
  o->headers = bigger;
  o->headers[o->header_count++] = h;
  return CLI_EXIT_OK;
}

static int add_resolve(struct parser *p, const char *value) {
  struct cli_options *o = p->opts;
  struct cli_resolve r;
  struct cli_resolve *bigger;
  int rc = cli_parse_resolve(value, &r);
  if (rc != CLI_VALUE_OK)
    return value_result(p, rc, "expects HOST:PORT:ADDR", value);
  bigger = grow(o->resolves, o->resolve_count, sizeof(*bigger));
  if (!bigger) {
    free(r.host);
    free(r.address);
    return nomem(p);
  }
  o->resolves = bigger;
  o->resolves[o->resolve_count++] = r;
  return CLI_EXIT_OK;
}

static int set_write_out(struct parser *p, const char *value) {
  unsigned char *fmt;
  size_t len;
  int e = cli_load_value(value, p->in, 0, &fmt, &len);
  if (e)
    return read_failed(p, value, e);
  free(p->opts->write_out);
  p->opts->write_out = (char *)fmt;
  return CLI_EXIT_OK;
}

static int apply(struct parser *p, enum opt_id id, const char *value) {
  struct cli_options *o = p->opts;
  long n;
  int rc;
  switch (id) {
  case OPT_CACERT:
    return set_string(p, &o->cacert, value);
  case OPT_CAPATH:
    return set_string(p, &o->capath, value);
  case OPT_CERT:
    return set_cert(p, value);
  case OPT_CERT_TYPE:
    if (strcasecmp(value, "PEM") == 0)
      o->cert_type = CLI_CERT_PEM;
    else if (strcasecmp(value, "P12") == 0)
      o->cert_type = CLI_CERT_P12;
    else
      return bad_value(p, "expects PEM or P12", value);
    return CLI_EXIT_OK;
  case OPT_KEY:
    return set_string(p, &o->key, value);
  case OPT_PASS:
    return set_secret(p, &o->pass, value);
  case OPT_INSECURE:
    o->insecure = 1;
    return CLI_EXIT_OK;
  case OPT_HTTP11:
    o->http_version = CLI_HTTP1_ONLY;
    return CLI_EXIT_OK;
  case OPT_HTTP2:
    o->http_version = CLI_HTTP_ANY;
    return CLI_EXIT_OK;
  case OPT_HTTP2_ONLY:
    o->http_version = CLI_HTTP2_ONLY;
    return CLI_EXIT_OK;
  case OPT_PARALLEL:
    o->parallel = 1;
    return CLI_EXIT_OK;
  case OPT_PARALLEL_MAX:
    return value_result(p, cli_parse_parallel_max(value, &o->parallel_max),
                        "expects a number of transfers", value);
  case OPT_PROTO:
    return value_result(p, cli_parse_proto(value, &o->https_only),
                        "supports only \"=https\" (or \"-all,+https\"), "
                        "or allowing both http and https",
                        value);
  case OPT_OUTPUT:
    return push_string(p, &o->outputs, &o->output_count, value);
  case OPT_SILENT:
    o->silent = 1;
    return CLI_EXIT_OK;
  case OPT_SHOW_ERROR:
    o->show_error = 1;
    return CLI_EXIT_OK;
  case OPT_VERBOSE:
    o->verbose = 1;
    return CLI_EXIT_OK;
  case OPT_INCLUDE:
    o->include = 1;
    return CLI_EXIT_OK;
  case OPT_HEAD:
    o->head = 1;
    return CLI_EXIT_OK;
  case OPT_LOCATION:
    o->follow = 1;
    return CLI_EXIT_OK;
  case OPT_MAX_REDIRS:
    rc = cli_parse_long(value, -1, INT_MAX, &n);
    if (rc != CLI_VALUE_OK)
      return bad_value(p, "expects a number of hops (-1: no limit)", value);
    o->max_redirs = (int)n;
    return CLI_EXIT_OK;
  case OPT_REQUEST:
    return set_string(p, &o->method, value);
  case OPT_HEADER:
    return add_header(p, value);
  case OPT_DATA:
  case OPT_DATA_RAW:
  case OPT_DATA_BINARY:
    return add_data(p, value, id);
  case OPT_WRITE_OUT:
    return set_write_out(p, value);
  case OPT_MAX_TIME:
    return value_result(p, cli_parse_seconds(value, &o->max_time_ms),
                        "expects seconds", value);
  case OPT_CONNECT_TIMEOUT:
    return value_result(p, cli_parse_seconds(value, &o->connect_timeout_ms),
                        "expects seconds", value);
  case OPT_INACTIVITY_TIMEOUT:
    return value_result(p, cli_parse_seconds(value, &o->inactivity_timeout_ms),
                        "expects seconds (0: no limit)", value);
  case OPT_SPEED_LIMIT:
    return value_result(
        p, cli_parse_long(value, 0, CLI_SPEED_LIMIT_MAX, &o->speed_limit),
        "expects bytes per second", value);
  case OPT_SPEED_TIME:
    return value_result(
        p, cli_parse_long(value, 0, CLI_SPEED_TIME_MAX, &o->speed_time),
        "expects whole seconds", value);
  case OPT_RESOLVE:
    return add_resolve(p, value);
  case OPT_VERSION:
    o->show_version = 1;
    return CLI_EXIT_OK;
  case OPT_TLS_BACKEND:
    return set_string(p, &o->tls_backend, value);
  case OPT_LIST_BACKENDS:
    o->list_backends = 1;
    return CLI_EXIT_OK;
  case OPT_COMPARE:
    o->compare = 1;
    return CLI_EXIT_OK;
  case OPT_FEATURE_TABLE:
    o->feature_table = 1;
    return CLI_EXIT_OK;
  case OPT_TLSV12:
    o->tls_min = 12;
    return CLI_EXIT_OK;
  case OPT_TLSV13:
    o->tls_min = 13;
    return CLI_EXIT_OK;
  case OPT_TLS_MAX:
    return value_result(p, cli_parse_tls_max(value, &o->tls_max),
                        "expects 1.2, 1.3 or default", value);
  case OPT_MAX_FILESIZE:
    rc = cli_parse_size(value, &o->max_filesize);
    o->has_max_filesize = rc == CLI_VALUE_OK;
    return value_result(p, rc, "expects bytes (suffix k, m or g allowed)",
                        value);
  case OPT_KEYLOG:
    return set_string(p, &o->keylog, value);
  case OPT_NO_SESSIONID:
    o->no_sessionid = 1;
    return CLI_EXIT_OK;
  case OPT_HELP:
    o->show_help = 1;
    return CLI_EXIT_OK;
  }
  return CLI_EXIT_OK;
}

static const struct opt_def *find_long(const char *name) {
  for (size_t i = 0; i < OPTION_COUNT; i++)
    if (strcmp(options[i].long_name, name) == 0)
      return &options[i];
  return NULL;
}

static const struct opt_def *find_short(char c) {
  for (size_t i = 0; i < OPTION_COUNT; i++)
    if (options[i].short_name == c)
      return &options[i];
  return NULL;
}

static int unknown(struct parser *p, const char *shown) {
  return usage_error(p, "option %s: is unknown", shown);
}

static int missing(struct parser *p) {
  return usage_error(p, "option %s: requires an argument", p->shown);
}

/* Overwrites the secret part of value (in argv itself) with '*'. */
static void blank_secret(enum value_kind kind, char *value) {
  char *from = kind == SECRET_VALUE         ? value
               : kind == SECRET_AFTER_COLON ? (char *)cli_cert_password(value)
                                            : NULL;
  if (from)
    memset(from, '*', strlen(from));
}

/* Applies an option's value, then blanks what of it is secret: the
 * options hold their own copy by then, whatever apply returned. */
static int apply_value(struct parser *p, const struct opt_def *def,
                       char *value) {
  int rc = apply(p, def->id, value);
  blank_secret(def->takes_value, value);
  return rc;
}

/* "--name [value]"; *i moves past a separate value. */
static int long_option(struct parser *p, int argc, char **argv, int *i) {
  const struct opt_def *def = find_long(argv[*i] + 2);
  p->shown = argv[*i];
  if (!def)
    return unknown(p, argv[*i]);
  if (!def->takes_value)
    return apply(p, def->id, NULL);
  if (*i + 1 >= argc)
    return missing(p);
  return apply_value(p, def, argv[++*i]);
}

/* "-abc", "-ofile", "-o file": flags bundle until one takes a value, which
 * is the rest of the word or else the next word. */
static int short_options(struct parser *p, int argc, char **argv, int *i) {
  char *word = argv[*i];
  char shown[3] = {'-', 0, 0};
  for (size_t j = 1; word[j]; j++) {
    const struct opt_def *def = find_short(word[j]);
    int rc;
    shown[1] = word[j];
    p->shown = shown;
    if (!def)
      return unknown(p, shown);
    if (!def->takes_value) {
      if ((rc = apply(p, def->id, NULL)) != CLI_EXIT_OK)
        return rc;
      continue;
    }
    if (word[j + 1])
      return apply_value(p, def, word + j + 1);
    if (*i + 1 >= argc)
      return missing(p);
    return apply_value(p, def, argv[++*i]);
  }
  return CLI_EXIT_OK;
}

/* Checks that need the whole command line. */
static int check_combination(struct parser *p) {
  struct cli_options *o = p->opts;
  if (o->show_help || o->show_version || o->list_backends || o->feature_table)
    return CLI_EXIT_OK;
  if (o->url_count == 0)
    return usage_error(p, "no URL specified");
  if (o->head && o->has_data)
    return usage_error(p, "-I (HEAD) and -d (POST) cannot be combined");
  if (o->key && !o->cert)
    return usage_error(p, "--key needs --cert");
  if (o->key && o->cert_type == CLI_CERT_P12)
    return usage_error(p, "--key cannot be used with --cert-type P12");
  if (o->tls_max && o->tls_min > o->tls_max)
    return usage_error(p, "--tls-max is lower than the minimum TLS version");
  if (o->compare && o->tls_backend)
    return usage_error(p, "--compare uses every provider: drop --tls-backend");
  if (o->output_count > o->url_count && !o->silent)
    fputs("httpr: warning: more -o options than URLs\n", p->err);
  return CLI_EXIT_OK;
}

int cli_parse_args(struct cli_options *opts, int argc, char **argv, FILE *in,
                   FILE *err) {
  struct parser p = {opts, in, err, "", 0};
  int options_done = 0;
  memset(opts, 0, sizeof(*opts));
  opts->max_redirs = 50;
  opts->max_time_ms = -1;
  opts->connect_timeout_ms = -1;
  opts->inactivity_timeout_ms = -1;
  opts->speed_limit = -1;
  opts->speed_time = -1;
  opts->parallel_max = CLI_PARALLEL_DEFAULT;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int rc;
    if (!options_done && strcmp(a, "--") == 0) {
      options_done = 1;
      continue;
    }
    /* A lone "-" is not an option; it fails later as a URL. */
    if (options_done || a[0] != '-' || a[1] == '\0')
      rc = push_string(&p, &opts->urls, &opts->url_count, a);
    else if (a[1] == '-')
      rc = long_option(&p, argc, argv, &i);
    else
      rc = short_options(&p, argc, argv, &i);
    if (rc != CLI_EXIT_OK)
      return rc;
  }
  return check_combination(&p);
}

static void free_list(char **list, size_t count) {
  for (size_t i = 0; i < count; i++)
    free(list[i]);
  free(list);
}

void cli_options_free(struct cli_options *opts) {
  if (!opts)
    return;
  free_list(opts->urls, opts->url_count);
  free_list(opts->outputs, opts->output_count);
  for (size_t i = 0; i < opts->header_count; i++) {
    free(opts->headers[i].name);
    free(opts->headers[i].value);
  }
  free(opts->headers);
  for (size_t i = 0; i < opts->resolve_count; i++) {
    free(opts->resolves[i].host);
    free(opts->resolves[i].address);
  }
  free(opts->resolves);
  free(opts->method);
  free(opts->data);
  free(opts->cacert);
  free(opts->capath);
  free(opts->cert);
  free_secret(opts->cert_password);
  free(opts->key);
  free_secret(opts->pass);
  free(opts->tls_backend);
  free(opts->keylog);
  free(opts->write_out);
  memset(opts, 0, sizeof(*opts));
}

const char *cli_effective_method(const struct cli_options *opts) {
  if (opts->method)
    return opts->method;
  if (opts->head)
    return "HEAD";
  if (opts->has_data)
    return "POST";
  return "GET";
}

int cli_has_header(const struct cli_options *opts, const char *name) {
  for (size_t i = 0; i < opts->header_count; i++)
    if (strcasecmp(opts->headers[i].name, name) == 0)
      return 1;
  return 0;
}

const char *cli_output_for(const struct cli_options *opts, size_t i) {
  if (i >= opts->output_count || strcmp(opts->outputs[i], "-") == 0)
    return NULL;
  return opts->outputs[i];
}
