/* SPDX-License-Identifier: MIT */
/*
 * cli_setters.c - the setters the option table (cli_options.c) names: each
 * stores one option's value in struct cli_options, at the row's field,
 * and prints the usage error when the value is bad. Value syntax lives in
 * cli_argvalue.c, @FILE reading in cli_data.c; the walk over argv in
 * cli_args.c. Nothing here calls the library.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli_argvalue.h"
#include "cli_data.h"
#include "cli_exit.h"
#include "cli_options.h"
#include "cli_parser.h"

static const char try_help[] =
    "httpr: try 'httpr --help' for more information\n";

int cli_usage_error(struct cli_parser *p, const char *fmt, ...) {
  va_list ap;
  fputs("httpr: ", p->err);
  va_start(ap, fmt);
  vfprintf(p->err, fmt, ap);
  va_end(ap);
  fputc('\n', p->err);
  fputs(try_help, p->err);
  return CLI_EXIT_USAGE;
}

int cli_bad_value(struct cli_parser *p, const char *what, const char *value) {
  return cli_usage_error(p, "option %s: %s, got '%s'", p->shown, what, value);
}

int cli_nomem(struct cli_parser *p) {
  fputs("httpr: out of memory\n", p->err);
  return CLI_EXIT_NOMEM;
}

/* Maps a value parser's result to an exit code, printing on failure. */
static int value_result(struct cli_parser *p, int rc, const char *what,
                        const char *value) {
  if (rc == CLI_VALUE_NOMEM)
    return cli_nomem(p);
  if (rc != CLI_VALUE_OK)
    return cli_bad_value(p, what, value);
  return CLI_EXIT_OK;
}

/* The row's field in the options being filled. */
#define FIELD(p, opt, type) ((type *)((char *)(p)->opts + (opt)->field))

/* Appends one element to a growing array of `size`-byte elements. */
static void *grow(void *array, size_t count, size_t size) {
  if (count > SIZE_MAX / size - 1)
    return NULL;
  return realloc(array, (count + 1) * size);
}

int cli_push_string(struct cli_parser *p, char ***list, size_t *count,
                    const char *value) {
  char **bigger = grow(*list, *count, sizeof(char *));
  if (!bigger)
    return cli_nomem(p);
  *list = bigger;
  if (!(bigger[*count] = strdup(value)))
    return cli_nomem(p);
  (*count)++;
  return CLI_EXIT_OK;
}

void cli_free_secret(char *s) {
  if (s)
    explicit_bzero(s, strlen(s));
  free(s);
}

int cli_set_flag(struct cli_parser *p, const struct cli_option *opt,
                 const char *value) {
  (void)value;
  *FIELD(p, opt, int) = (int)opt->set_to;
  return CLI_EXIT_OK;
}

/* Replaces the field with a copy of value (later options win, as in
 * curl). */
int cli_set_string(struct cli_parser *p, const struct cli_option *opt,
                   const char *value) {
  char **slot = FIELD(p, opt, char *);
  char *copy = strdup(value);
  if (!copy)
    return cli_nomem(p);
  free(*slot);
  *slot = copy;
  return CLI_EXIT_OK;
}

int cli_set_secret(struct cli_parser *p, const struct cli_option *opt,
                   const char *value) {
  char **slot = FIELD(p, opt, char *);
  char *copy = strdup(value);
  if (!copy)
    return cli_nomem(p);
  cli_free_secret(*slot);
  *slot = copy;
  return CLI_EXIT_OK;
}

int cli_set_seconds(struct cli_parser *p, const struct cli_option *opt,
                    const char *value) {
  return value_result(p, cli_parse_seconds(value, FIELD(p, opt, long)),
                      opt->expects, value);
}

int cli_set_long(struct cli_parser *p, const struct cli_option *opt,
                 const char *value) {
  return value_result(
      p, cli_parse_long(value, opt->min, opt->max, FIELD(p, opt, long)),
      opt->expects, value);
}

int cli_set_int(struct cli_parser *p, const struct cli_option *opt,
                const char *value) {
  long n;
  if (cli_parse_long(value, opt->min, opt->max, &n) != CLI_VALUE_OK)
    return cli_bad_value(p, opt->expects, value);
  *FIELD(p, opt, int) = (int)n;
  return CLI_EXIT_OK;
}

/* The name as typed is kept for the messages that name the option, so
 * the old --tls-backend reads as it always did. */
int cli_set_tls_provider(struct cli_parser *p, const struct cli_option *opt,
                         const char *value) {
  int rc = cli_set_string(p, opt, value);
  if (rc == CLI_EXIT_OK)
    p->opts->tls_provider_option = opt->long_name;
  return rc;
}

/* -x, --socks5 and --socks5-hostname set one proxy, so the last given
 * wins, as curl (they are mutually exclusive there). The SOCKS options
 * take HOST[:PORT] and make it a socks5:// or socks5h:// URL (set_to 1
 * or 2); a value with a scheme of its own keeps it, as curl's proxy
 * string wins over its proxy type. */
int cli_set_proxy(struct cli_parser *p, const struct cli_option *opt,
                  const char *value) {
  static const char *const schemes[] = {"", "socks5://", "socks5h://"};
  const char *scheme = strstr(value, "://") ? "" : schemes[opt->set_to];
  size_t len = strlen(scheme) + strlen(value) + 1;
  char *url = malloc(len);
  if (!url)
    return cli_nomem(p);
  snprintf(url, len, "%s%s", scheme, value);
  free(p->opts->proxy);
  p->opts->proxy = url;
  p->opts->proxy_option = opt->long_name;
  return CLI_EXIT_OK;
}

int cli_set_http_version(struct cli_parser *p, const struct cli_option *opt,
                         const char *value) {
  (void)value;
  p->opts->http_version = (enum cli_http_version)opt->set_to;
  return CLI_EXIT_OK;
}

int cli_set_cert(struct cli_parser *p, const struct cli_option *opt,
                 const char *value) {
  struct cli_options *o = p->opts;
  char *file, *password;
  (void)opt;
  if (cli_split_cert(value, &file, &password) != CLI_VALUE_OK)
    return cli_nomem(p);
  free(o->cert);
  cli_free_secret(o->cert_password);
  o->cert = file;
  o->cert_password = password;
  /* The message shows no password. */
  if (o->cert[0] == '\0')
    return cli_usage_error(p, "option %s: expects FILE[:PASSWORD], got no FILE",
                           p->shown);
  return CLI_EXIT_OK;
}

int cli_set_cert_type(struct cli_parser *p, const struct cli_option *opt,
                      const char *value) {
  if (strcasecmp(value, "PEM") == 0)
    p->opts->cert_type = CLI_CERT_PEM;
  else if (strcasecmp(value, "P12") == 0)
    p->opts->cert_type = CLI_CERT_P12;
  else
    return cli_bad_value(p, opt->expects, value);
  return CLI_EXIT_OK;
}

int cli_set_output(struct cli_parser *p, const struct cli_option *opt,
                   const char *value) {
  (void)opt;
  return cli_push_string(p, &p->opts->outputs, &p->opts->output_count, value);
}

int cli_set_header(struct cli_parser *p, const struct cli_option *opt,
                   const char *value) {
  struct cli_options *o = p->opts;
  struct cli_header h;
  struct cli_header *bigger;
  int rc = cli_parse_header(value, &h);
  if (rc != CLI_VALUE_OK)
    return value_result(p, rc, opt->expects, value);
  bigger = grow(o->headers, o->header_count, sizeof(*bigger));
  if (!bigger) {
    free(h.name);
    free(h.value);
    return cli_nomem(p);
  }
  o->headers = bigger;
  o->headers[o->header_count++] = h;
  return CLI_EXIT_OK;
}

int cli_set_resolve(struct cli_parser *p, const struct cli_option *opt,
                    const char *value) {
  struct cli_options *o = p->opts;
  struct cli_resolve r;
  struct cli_resolve *bigger;
  int rc = cli_parse_resolve(value, &r);
  if (rc != CLI_VALUE_OK)
    return value_result(p, rc, opt->expects, value);
  bigger = grow(o->resolves, o->resolve_count, sizeof(*bigger));
  if (!bigger) {
    free(r.host);
    free(r.address);
    return cli_nomem(p);
  }
  o->resolves = bigger;
  o->resolves[o->resolve_count++] = r;
  return CLI_EXIT_OK;
}

static int read_failed(struct cli_parser *p, const char *arg, int e) {
  if (e == ENOMEM)
    return cli_nomem(p);
  fprintf(p->err, "httpr: (%d) option %s: cannot read '%s': %s\n",
          CLI_EXIT_READ, p->shown, arg + 1, strerror(e));
  return CLI_EXIT_READ;
}

/* -d (strip CR/LF from files), --data-binary (as is), --data-raw (no @). */
int cli_set_data(struct cli_parser *p, const struct cli_option *opt,
                 const char *value) {
  struct cli_options *o = p->opts;
  unsigned char *part;
  size_t len;
  int e;
  if (opt->set_to == CLI_DATA_RAW)
    e = cli_append_data(&o->data, &o->data_len, p->data_parts == 0,
                        (const unsigned char *)value, strlen(value));
  else {
    e = cli_load_value(value, p->in, opt->set_to == CLI_DATA_ASCII, &part,
                       &len);
    if (e)
      return read_failed(p, value, e);
    e = cli_append_data(&o->data, &o->data_len, p->data_parts == 0, part, len);
    free(part);
  }
  if (e)
    return cli_nomem(p);
  p->data_parts++;
  o->has_data = 1;
  return CLI_EXIT_OK;
}

int cli_set_write_out(struct cli_parser *p, const struct cli_option *opt,
                      const char *value) {
  unsigned char *fmt;
  size_t len;
  int e = cli_load_value(value, p->in, 0, &fmt, &len);
  (void)opt;
  if (e)
    return read_failed(p, value, e);
  free(p->opts->write_out);
  p->opts->write_out = (char *)fmt;
  return CLI_EXIT_OK;
}

int cli_set_parallel_max(struct cli_parser *p, const struct cli_option *opt,
                         const char *value) {
  return value_result(p, cli_parse_parallel_max(value, &p->opts->parallel_max),
                      opt->expects, value);
}

int cli_set_proto(struct cli_parser *p, const struct cli_option *opt,
                  const char *value) {
  return value_result(p, cli_parse_proto(value, &p->opts->https_only),
                      opt->expects, value);
}

int cli_set_tls_max(struct cli_parser *p, const struct cli_option *opt,
                    const char *value) {
  return value_result(p, cli_parse_tls_max(value, &p->opts->tls_max),
                      opt->expects, value);
}

int cli_set_max_filesize(struct cli_parser *p, const struct cli_option *opt,
                         const char *value) {
  int rc = cli_parse_size(value, &p->opts->max_filesize);
  p->opts->has_max_filesize = rc == CLI_VALUE_OK;
  return value_result(p, rc, opt->expects, value);
}
