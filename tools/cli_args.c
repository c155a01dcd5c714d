/* SPDX-License-Identifier: MIT */
/*
 * cli_args.c - walks argv and fills struct cli_options: looks each option
 * up in the option table (cli_options.c) and calls the row's setter
 * (cli_setters.c), handles short-option bundles and "--", and makes the
 * checks that need the whole command line. Nothing here calls the library.
 *
 * Values that carry a secret (a password) are blanked in argv once copied,
 * as curl does, so other users do not read them in the process list
 * (/proc/PID/cmdline, ps). Blanking is the kind of a row of the table: an
 * option that carries credentials (curl's -u, -U) gets it where it is
 * added.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli_args.h"
#include "cli_argvalue.h"
#include "cli_exit.h"
#include "cli_options.h"
#include "cli_parser.h"

static int unknown(struct cli_parser *p, const char *shown) {
  return cli_usage_error(p, "option %s: is unknown", shown);
}

static int missing(struct cli_parser *p) {
  return cli_usage_error(p, "option %s: requires an argument", p->shown);
}

/* Overwrites the secret part of value (in argv itself) with '*'. */
static void blank_secret(enum cli_value_kind kind, char *value) {
  char *from = kind == CLI_SECRET_VALUE ? value
               : kind == CLI_SECRET_AFTER_COLON
                   ? (char *)cli_cert_password(value)
                   : NULL;
  if (from)
    memset(from, '*', strlen(from));
}

/* Applies an option's value, then blanks what of it is secret: the
 * options hold their own copy by then, whatever the setter returned. */
static int apply_value(struct cli_parser *p, const struct cli_option *def,
                       char *value) {
  int rc = def->set(p, def, value);
  blank_secret(def->kind, value);
  return rc;
}

/* "--name [value]"; *i moves past a separate value. */
static int long_option(struct cli_parser *p, int argc, char **argv, int *i) {
  const struct cli_option *def = cli_option_long(argv[*i] + 2);
  p->shown = argv[*i];
  if (!def)
    return unknown(p, argv[*i]);
  if (def->kind == CLI_NO_VALUE)
    return def->set(p, def, NULL);
  if (*i + 1 >= argc)
    return missing(p);
  return apply_value(p, def, argv[++*i]);
}

/* "-abc", "-ofile", "-o file": flags bundle until one takes a value, which
 * is the rest of the word or else the next word. */
static int short_options(struct cli_parser *p, int argc, char **argv, int *i) {
  char *word = argv[*i];
  char shown[3] = {'-', 0, 0};
  for (size_t j = 1; word[j]; j++) {
    const struct cli_option *def = cli_option_short(word[j]);
    int rc;
    shown[1] = word[j];
    p->shown = shown;
    if (!def)
      return unknown(p, shown);
    if (def->kind == CLI_NO_VALUE) {
      if ((rc = def->set(p, def, NULL)) != CLI_EXIT_OK)
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
static int check_combination(struct cli_parser *p) {
  struct cli_options *o = p->opts;
  if (o->show_help || o->show_version || o->list_providers ||
      o->list_ciphers || o->feature_table)
    return CLI_EXIT_OK;
  if (o->url_count == 0)
    return cli_usage_error(p, "no URL specified");
  if (o->head && o->has_data)
    return cli_usage_error(p, "-I (HEAD) and -d (POST) cannot be combined");
  if (o->key && !o->cert)
    return cli_usage_error(p, "--key needs --cert");
  if (o->key && o->cert_type == CLI_CERT_P12)
    return cli_usage_error(p, "--key cannot be used with --cert-type P12");
  if (o->tls_max && o->tls_min > o->tls_max)
    return cli_usage_error(p,
                           "--tls-max is lower than the minimum TLS version");
  if (o->compare && o->tls_provider)
    return cli_usage_error(p, "--compare uses every provider: drop --%s",
                           o->tls_provider_option);
  if (o->verify_report && o->tls_provider)
    return cli_usage_error(p,
                           "--verify-report uses every provider: drop --%s",
                           o->tls_provider_option);
  if (o->verify_report && o->compare)
    return cli_usage_error(p,
                           "--compare and --verify-report cannot be combined");
  if (o->output_count > o->url_count && !o->silent)
    fputs("httpr: warning: more -o options than URLs\n", p->err);
  return CLI_EXIT_OK;
}

int cli_parse_args(struct cli_options *opts, int argc, char **argv, FILE *in,
                   FILE *err) {
  struct cli_parser p = {opts, in, err, "", 0};
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
      rc = cli_push_string(&p, &opts->urls, &opts->url_count, a);
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
  cli_free_secret(opts->cert_password);
  free(opts->key);
  cli_free_secret(opts->pass);
  free(opts->tls_provider);
  free(opts->keylog);
  free(opts->curves);
  free(opts->interface);
  free(opts->unix_socket);
  free(opts->ciphers);
  free(opts->tls13_ciphers);
  free(opts->crlfile);
  free(opts->pinnedpubkey);
  free(opts->proxy);
  cli_free_secret(opts->proxy_user);
  free(opts->noproxy);
  free(opts->proxy_cacert);
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
