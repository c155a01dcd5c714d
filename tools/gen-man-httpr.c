/* SPDX-License-Identifier: MIT */
/*
 * gen-man-httpr.c - writes the httpr(1) man page: it copies the template
 * (man/httpr.1.in) and replaces these lines of it with what the program's
 * own tables say, so the page cannot drift from the code:
 *   @OPTIONS@         every row of the option table (tools/cli_options.c)
 *   @EXIT_STATUS@     every httpr_code with the exit code cli_exit_code()
 *                     gives it, and the exit codes the CLI makes itself
 *   @ENVIRONMENT@     every variable of HR_ENV_TABLE (common/env.h)
 *   @PROVIDERS_CONF@  the system's providers.conf and the default provider
 *                     configure chose for this build (HTTPR_PROVIDERS_CONF,
 *                     config.h)
 *   @FILES@           the system trust store configure chose (config.h)
 * and @VERSION@ anywhere with the header's HTTPR_VERSION_STRING.
 * Run at build time (make), never installed; the CLI itself has no --man.
 *
 * Usage: gen-man-httpr TEMPLATE >httpr.1
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include "api/httpr.h"
#include "common/env.h"
#include "tools/cli_exit.h"
#include "tools/cli_options.h"

/* The --help section titles live in cli_options.c as static data; the
 * man page names the same sections in its own words. */
_Static_assert(CLI_HELP_SECTIONS == 4, "a --help section has no man title");
static const char *const section_titles[CLI_HELP_SECTIONS] = {
    [CLI_HELP_OUTPUT] = "Output",
    [CLI_HELP_REQUEST] = "Request",
    [CLI_HELP_TLS] = "TLS",
    [CLI_HELP_INFO] = "Information",
};

static int word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}

/* Writes text for roff: a backslash is \e, a line cannot start with a
 * control character (. or '), and the hyphens of an option name ("-o",
 * "--max-time") are \- so they stay ASCII minus signs when rendered, while
 * a hyphen inside a word ("command-line") stays a hyphen. With `md` on,
 * Markdown's `code` becomes bold (the environment table's texts are the
 * README's Markdown). */
static void roff_text(FILE *out, const char *s, int md) {
  int line_start = 1, in_option = 0, bold = 0;
  char prev = ' ';
  for (; *s; prev = *s++) {
    char c = *s;
    if (line_start && (c == '.' || c == '\''))
      fputs("\\&", out);
    line_start = 0;
    if (c == '-' && (in_option || !word_char(prev))) {
      in_option = 1;
      fputs("\\-", out);
      continue;
    }
    if (!word_char(c) && c != '-' && c != '.')
      in_option = 0;
    if (c == '\\')
      fputs("\\e", out);
    else if (md && c == '`')
      fputs((bold = !bold) ? "\\fB" : "\\fR", out);
    else
      fputc(c, out);
    if (c == '\n')
      line_start = 1;
  }
  if (bold)
    fputs("\\fR", out);
}

/* An option's name: every hyphen in it is a minus sign. */
static void roff_name(FILE *out, const char *s) {
  for (; *s; s++)
    if (*s == '-')
      fputs("\\-", out);
    else if (*s == '\\')
      fputs("\\e", out);
    else
      fputc(*s, out);
}

static void print_options(FILE *out) {
  for (int s = 0; s < CLI_HELP_SECTIONS; s++) {
    fprintf(out, ".SS %s\n", section_titles[s]);
    for (size_t i = 0; i < cli_option_count; i++) {
      const struct cli_option *o = &cli_option_table[i];
      if ((int)o->section != s)
        continue;
      fputs(".TP\n", out);
      if (o->short_name)
        fprintf(out, "\\fB\\-%c\\fR, ", o->short_name);
      fputs("\\fB\\-\\-", out);
      roff_name(out, o->long_name);
      fputs("\\fR", out);
      if (o->value_name) {
        fputs(" \\fI", out);
        roff_text(out, o->value_name, 0);
        fputs("\\fR", out);
      }
      fputc('\n', out);
      roff_text(out, o->help, 0);
      fputs(".\n", out);
    }
  }
}

/* What the CLI itself fails with, beside the library's codes (the
 * names of cli_exit.h). */
static const struct {
  int code;
  const char *what;
} cli_own_exits[] = {
    {CLI_EXIT_USAGE, "The command line is wrong: an unknown option, a missing "
                     "or bad value, options that cannot be combined, or no "
                     "URL."},
    {CLI_EXIT_WRITE, "Writing the body or the \\fB\\-w\\fR output failed."},
    {CLI_EXIT_READ, "Reading the file of \\fB\\-d @\\fR\\fIFILE\\fR or "
                    "\\fB\\-w @\\fR\\fIFILE\\fR failed."},
};

/* One entry per exit code, lowest first: what the CLI means by it, and
 * every httpr_code that gives it (HTTP/2 protocol failures are the one
 * case where the same code gives two exits). */
static void print_exit_status(FILE *out) {
  enum { MAX_EXIT = 256 };
  int last = 0;
  while (strcmp(httpr_code_name((httpr_code)(last + 1)), "HTTPR_E_UNKNOWN"))
    last++;
  fprintf(out, ".TP\n.B %d\nEvery URL was fetched (any HTTP status).\n",
          CLI_EXIT_OK);
  for (int exit_code = 1; exit_code < MAX_EXIT; exit_code++) {
    int any = 0;
    for (size_t i = 0; i < sizeof(cli_own_exits) / sizeof(cli_own_exits[0]);
         i++) {
      if (cli_own_exits[i].code != exit_code)
        continue;
      fprintf(out, ".TP\n.B %d\n%s\n", exit_code, cli_own_exits[i].what);
      any = 1;
    }
    for (int c = 1; c <= last; c++) {
      int h1 = cli_exit_code((httpr_code)c);
      int h2 = cli_exit_code_http((httpr_code)c, 1);
      if (h1 != exit_code && h2 != exit_code)
        continue;
      if (!any)
        fprintf(out, ".TP\n.B %d\n", exit_code);
      else
        fputs(".br\n", out);
      any = 1;
      fprintf(out, "\\fB%s\\fR: %s", httpr_code_name((httpr_code)c),
              httpr_code_description((httpr_code)c));
      if (h1 != h2)
        fprintf(out, " (%s)", h1 == exit_code ? "HTTP/1.x" : "HTTP/2");
      fputs("\n", out);
    }
  }
}

static void print_environment(FILE *out) {
  for (size_t i = 0; i < HR_ENV_COUNT; i++) {
    const struct hr_env_var *v = hr_env_at(i);
    fprintf(out, ".TP\n.B %s\n", v->name);
    roff_text(out, v->what, 1);
    fputc('\n', out);
  }
}

/* Found by configure, as backends/trust.c reads them; either may be
 * absent. */
#ifndef HTTPR_SYSTEM_CA_BUNDLE
#define HTTPR_SYSTEM_CA_BUNDLE ""
#endif
#ifndef HTTPR_SYSTEM_CA_PATH
#define HTTPR_SYSTEM_CA_PATH ""
#endif

static void print_files(FILE *out) {
  const char *bundle = HTTPR_SYSTEM_CA_BUNDLE, *dir = HTTPR_SYSTEM_CA_PATH;
  if (bundle[0]) {
    fputs(".TP\n.I ", out);
    roff_text(out, bundle, 0);
    fputs("\nThe system's CA bundle, this build's last source of trust "
          "anchors (configure's \\fB\\-\\-with\\-ca\\-bundle\\fR).\n",
          out);
  }
  if (dir[0]) {
    fputs(".TP\n.I ", out);
    roff_text(out, dir, 0);
    fprintf(out,
            "\nThe system's CA directory, used when %s "
            "(configure's \\fB\\-\\-with\\-ca\\-path\\fR).\n",
            bundle[0] ? "the bundle is missing" : "no variable names one");
  }
  if (!bundle[0] && !dir[0])
    fputs(".PP\nThis build knows no system trust store: without "
          "\\fB\\-\\-cacert\\fR, \\fB\\-\\-capath\\fR or a variable "
          "above, https fails with exit 77.\n",
          out);
}

#ifndef HTTPR_PROVIDERS_CONF
#error "HTTPR_PROVIDERS_CONF must name the system's providers.conf"
#endif

static void print_providers_conf(FILE *out) {
  fputs(".TP\n.I ", out);
  roff_text(out, HTTPR_PROVIDERS_CONF, 0);
  fputs("\nThe system's order of preference among the TLS providers "
        "(configure's \\fB\\-\\-with\\-providers\\-conf\\fR), a line such as\n"
        ".RS\n.PP\n.EX\norder = gnutls openssl mbedtls\n.EE\n.RE\n"
        ".IP\nThe first name present is the default; when none is, or the "
        "file is missing or ignored, the build's default, \\fB",
        out);
  roff_text(out, HTTPR_DEFAULT_TLS, 0);
  fputs("\\fR (configure's \\fB\\-\\-with\\-default\\-tls\\fR), else the "
        "first provider present.\n"
        "A file with an error is ignored as a whole, without a word; the "
        "format is in \\fBlibhttpr\\fR(3).\n",
        out);
}

/* A template line as it is, but for @VERSION@ (in .TH), the header's. */
static void put_line(FILE *out, const char *line) {
  const char *at = strstr(line, "@VERSION@");
  if (!at) {
    fputs(line, out);
    return;
  }
  fprintf(out, "%.*s%s%s", (int)(at - line), line, HTTPR_VERSION_STRING,
          at + strlen("@VERSION@"));
}

int main(int argc, char **argv) {
  char line[4096];
  FILE *in;
  if (argc != 2) {
    fputs("usage: gen-man-httpr TEMPLATE\n", stderr);
    return 2;
  }
  in = fopen(argv[1], "r");
  if (!in) {
    perror(argv[1]);
    return 1;
  }
  while (fgets(line, sizeof(line), in)) {
    if (strcmp(line, "@OPTIONS@\n") == 0)
      print_options(stdout);
    else if (strcmp(line, "@EXIT_STATUS@\n") == 0)
      print_exit_status(stdout);
    else if (strcmp(line, "@ENVIRONMENT@\n") == 0)
      print_environment(stdout);
    else if (strcmp(line, "@PROVIDERS_CONF@\n") == 0)
      print_providers_conf(stdout);
    else if (strcmp(line, "@FILES@\n") == 0)
      print_files(stdout);
    else
      put_line(stdout, line);
  }
  fclose(in);
  return ferror(stdout) || fflush(stdout) ? 1 : 0;
}
