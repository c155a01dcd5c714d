/* SPDX-License-Identifier: MIT */
/*
 * test_cli_args.c - the httpr command line parser (tools/cli_args.c, its
 * option table and setters in tools/cli_options.c and tools/cli_setters.c,
 * tools/cli_argvalue.c, tools/cli_data.c), without the library: every
 * test parses a real argv and asserts exact fields, exit codes and
 * messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tools/cli_args.h"
#include "tools/cli_argvalue.h"
#include "tools/cli_exit.h"
#include "tools/cli_options.h"

/* One parse: the options, the exit code, what went to stderr, and argv
 * as the parser left it (writable copies, as main's strings are). */
struct parsed {
  struct cli_options opts;
  int rc;
  char *err;
  size_t err_len;
  char *argv[64];
  int argc;
};

/* Parses the NULL-terminated words after "httpr"; `input` feeds "@-". */
static void parse_in(struct parsed *p, const char *input, const char **words) {
  char **argv = p->argv;
  int argc = 0;
  FILE *err, *in;
  argv[argc++] = strdup("httpr");
  while (*words && argc < 63)
    argv[argc++] = strdup(*words++);
  argv[argc] = NULL;
  p->argc = argc;
  for (int i = 0; i < argc; i++)
    assert_non_null(argv[i]);
  err = open_memstream(&p->err, &p->err_len);
  in = tmpfile();
  assert_non_null(err);
  assert_non_null(in);
  fputs(input, in);
  rewind(in);
  p->rc = cli_parse_args(&p->opts, argc, argv, in, err);
  fclose(err);
  fclose(in);
}

#define PARSE(p, ...)                                                          \
  do {                                                                         \
    const char *words_[] = {__VA_ARGS__, NULL};                                \
    parse_in((p), "", words_);                                                 \
  } while (0)

static void done(struct parsed *p) {
  cli_options_free(&p->opts);
  free(p->err);
  for (int i = 0; i < p->argc; i++)
    free(p->argv[i]);
}

/* Writes `content` (len bytes) to a new temp file; returns its path. */
static char *temp_file(const void *content, size_t len) {
  char *path = strdup("/tmp/httpr-test-args-XXXXXX");
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, content, len), (ssize_t)len);
  close(fd);
  return path;
}

/* ------------------------------------------------------------ bundling */

static void bundled_flags(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "-sSv", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.silent, 1);
  assert_int_equal(p.opts.show_error, 1);
  assert_int_equal(p.opts.verbose, 1);
  assert_int_equal(p.opts.include, 0);
  assert_int_equal(p.opts.url_count, 1);
  assert_string_equal(p.opts.urls[0], "https://a/");
  assert_int_equal(p.err_len, 0);
  done(&p);
}

static void bundled_flag_then_value_attached(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "-sLofile.out", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.silent, 1);
  assert_int_equal(p.opts.follow, 1);
  assert_int_equal(p.opts.output_count, 1);
  assert_string_equal(p.opts.outputs[0], "file.out");
  done(&p);
}

static void bundled_flag_then_value_separate(void **state) {
  struct parsed p;
  (void)state;
  /* The value may itself start with '-': "-o -" means stdout. */
  PARSE(&p, "-sio", "-", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.include, 1);
  assert_string_equal(p.opts.outputs[0], "-");
  assert_null(cli_output_for(&p.opts, 0));
  assert_int_equal(p.opts.url_count, 1);
  done(&p);
}

static void attached_and_separate_values(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "-XPOST", "-HX-A: 1", "https://a/", "-X", "PUT", "-H", "X-B:2");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_string_equal(p.opts.method, "PUT"); /* the last -X wins */
  assert_int_equal(p.opts.header_count, 2);
  assert_string_equal(p.opts.headers[0].name, "X-A");
  assert_string_equal(p.opts.headers[0].value, "1");
  assert_string_equal(p.opts.headers[1].name, "X-B");
  assert_string_equal(p.opts.headers[1].value, "2");
  done(&p);
}

static void options_after_urls_and_double_dash(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "https://a/", "-k", "https://b/", "--", "-v", "--cacert");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.insecure, 1);
  assert_int_equal(p.opts.verbose, 0);
  assert_int_equal(p.opts.url_count, 4);
  assert_string_equal(p.opts.urls[0], "https://a/");
  assert_string_equal(p.opts.urls[1], "https://b/");
  assert_string_equal(p.opts.urls[2], "-v");
  assert_string_equal(p.opts.urls[3], "--cacert");
  done(&p);
}

static void lone_dash_is_a_url(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "-");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.url_count, 1);
  assert_string_equal(p.opts.urls[0], "-");
  done(&p);
}

/* ---------------------------------------------------------- usage errors */

static void unknown_long_option(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "--foo", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_USAGE);
  assert_string_equal(p.err, "httpr: option --foo: is unknown\n"
                             "httpr: try 'httpr --help' for more "
                             "information\n");
  done(&p);
}

static void unknown_short_option_in_bundle(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "-sj", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_USAGE);
  assert_string_equal(p.err, "httpr: option -j: is unknown\n"
                             "httpr: try 'httpr --help' for more "
                             "information\n");
  done(&p);
}

static void curl_style_equals_is_unknown(void **state) {
  struct parsed p;
  (void)state;
  /* curl has no --opt=value form; neither do we. */
  PARSE(&p, "--cacert=x.pem", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_USAGE);
  assert_non_null(strstr(p.err, "option --cacert=x.pem: is unknown\n"));
  done(&p);
}

static void missing_argument_long(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "https://a/", "--cacert");
  assert_int_equal(p.rc, CLI_EXIT_USAGE);
  assert_string_equal(p.err, "httpr: option --cacert: requires an argument\n"
                             "httpr: try 'httpr --help' for more "
                             "information\n");
  done(&p);
}

static void missing_argument_short_in_bundle(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "https://a/", "-so");
  assert_int_equal(p.rc, CLI_EXIT_USAGE);
  assert_string_equal(p.err, "httpr: option -o: requires an argument\n"
                             "httpr: try 'httpr --help' for more "
                             "information\n");
  done(&p);
}

static void no_url(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "-s", "-v");
  assert_int_equal(p.rc, CLI_EXIT_USAGE);
  assert_string_equal(p.err, "httpr: no URL specified\n"
                             "httpr: try 'httpr --help' for more "
                             "information\n");
  done(&p);
}

static void info_actions_need_no_url(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "-V");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.show_version, 1);
  done(&p);
  PARSE(&p, "--list-providers");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.list_providers, 1);
  done(&p);
  PARSE(&p, "--list-backends");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.list_providers, 1);
  done(&p);
  PARSE(&p, "-h");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.show_help, 1);
  done(&p);
}

static void conflicting_options(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "-I", "-d", "x", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_USAGE);
  done(&p);
  PARSE(&p, "--key", "k.pem", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_USAGE);
  assert_non_null(strstr(p.err, "--key needs --cert"));
  done(&p);
  PARSE(&p, "--cert", "c.p12", "--cert-type", "P12", "--key", "k.pem",
        "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_USAGE);
  done(&p);
  PARSE(&p, "--tlsv1.3", "--tls-max", "1.2", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_USAGE);
  done(&p);
  PARSE(&p, "--cert-type", "DER", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_USAGE);
  assert_non_null(strstr(p.err, "option --cert-type: expects PEM or P12, "
                                "got 'DER'\n"));
  done(&p);
}

/* ---------------------------------------------------------------- --cert */

static void cert_split(const char *arg, const char *file,
                       const char *password) {
  struct parsed p;
  PARSE(&p, "--cert", arg, "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_string_equal(p.opts.cert, file);
  if (password)
    assert_string_equal(p.opts.cert_password, password);
  else
    assert_null(p.opts.cert_password);
  done(&p);
}

static void cert_splitting(void **state) {
  (void)state;
  cert_split("client.pem", "client.pem", NULL);
  cert_split("client.pem:secret", "client.pem", "secret");
  /* The first colon splits; the password keeps later ones verbatim. */
  cert_split("client.pem:a:b\\:c", "client.pem", "a:b\\:c");
  cert_split("client.pem:", "client.pem", "");
  /* "\:" is a literal colon in the file name; "\\" a backslash. */
  cert_split("dir\\:x/c.pem:pw", "dir:x/c.pem", "pw");
  cert_split("C\\:\\\\certs\\\\c.pem", "C:\\certs\\c.pem", NULL);
  /* Other backslashes are kept as they are. */
  cert_split("a\\b.pem:pw", "a\\b.pem", "pw");
  cert_split("trailing\\", "trailing\\", NULL);
}

static void cert_empty_file_is_usage_error(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "--cert", ":pw", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_USAGE);
  /* The message does not repeat the password, and argv lost it too. */
  assert_string_equal(p.err,
                      "httpr: option --cert: expects FILE[:PASSWORD], got no "
                      "FILE\nhttpr: try 'httpr --help' for more information\n");
  assert_string_equal(p.argv[2], ":**");
  done(&p);
}

/* ----------------------------------------------- secrets blanked in argv */

/* After parsing, the process list shows '*' where a password was: the
 * password part of --cert/-E (separate, attached or bundled; escaped
 * colons in FILE respected) and the whole --pass value. The options
 * hold the real values, and nothing else in argv changes. */
static void secrets_blanked_in_argv(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "--cert", "c.pem:hunter2", "--pass", "s3cr3t", "--cacert",
        "ca:x.pem", "https://u:p@a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_string_equal(p.opts.cert, "c.pem");
  assert_string_equal(p.opts.cert_password, "hunter2");
  assert_string_equal(p.opts.pass, "s3cr3t");
  assert_string_equal(p.argv[1], "--cert");
  assert_string_equal(p.argv[2], "c.pem:*******");
  assert_string_equal(p.argv[4], "******");
  assert_string_equal(p.argv[6], "ca:x.pem");
  assert_string_equal(p.argv[7], "https://u:p@a/");
  done(&p);
  PARSE(&p, "-E", "dir\\:x/c.pem:pw:more", "https://a/");
  assert_string_equal(p.opts.cert_password, "pw:more");
  assert_string_equal(p.argv[2], "dir\\:x/c.pem:*******");
  done(&p);
  PARSE(&p, "-sEc.p12:pw", "-Ed.pem", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_string_equal(p.opts.cert, "d.pem");
  assert_null(p.opts.cert_password);
  assert_string_equal(p.argv[1], "-sEc.p12:**");
  assert_string_equal(p.argv[2], "-Ed.pem");
  done(&p);
  /* An empty password leaves nothing to blank; a later option still is. */
  PARSE(&p, "--cert", "c.pem:", "--pass", "", "--pass", "x", "https://a/");
  assert_string_equal(p.argv[2], "c.pem:");
  assert_string_equal(p.argv[4], "");
  assert_string_equal(p.argv[6], "*");
  assert_string_equal(p.opts.pass, "x");
  done(&p);
}

/* Blanked even when the command line fails afterwards. */
static void secrets_blanked_on_usage_error(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "--pass", "s3cr3t", "--key", "k.pem");
  assert_int_equal(p.rc, CLI_EXIT_USAGE);
  assert_string_equal(p.argv[2], "******");
  done(&p);
}

static void cert_type_and_key(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "-E", "c.p12:pw", "--cert-type", "p12", "--pass", "kp",
        "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.cert_type, CLI_CERT_P12);
  assert_string_equal(p.opts.cert, "c.p12");
  assert_string_equal(p.opts.cert_password, "pw");
  assert_string_equal(p.opts.pass, "kp");
  done(&p);
  PARSE(&p, "--cert", "c.pem", "--key", "k.pem", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.cert_type, CLI_CERT_PEM);
  assert_string_equal(p.opts.key, "k.pem");
  done(&p);
}

/* ------------------------------------------------------------- --resolve */

static void resolve_ok(const char *arg, const char *host, int port,
                       const char *address) {
  struct cli_resolve r;
  assert_int_equal(cli_parse_resolve(arg, &r), CLI_VALUE_OK);
  assert_string_equal(r.host, host);
  assert_int_equal(r.port, port);
  assert_string_equal(r.address, address);
  free(r.host);
  free(r.address);
}

static void resolve_forms(void **state) {
  (void)state;
  resolve_ok("example.com:443:127.0.0.1", "example.com", 443, "127.0.0.1");
  resolve_ok("example.com:8443:[::1]", "example.com", 8443, "::1");
  resolve_ok("example.com:443:::1", "example.com", 443, "::1");
  resolve_ok("example.com:443:[2001:db8::7]", "example.com", 443,
             "2001:db8::7");
  resolve_ok("[::1]:443:127.0.0.1", "::1", 443, "127.0.0.1");
  resolve_ok("+h:80:10.0.0.1", "h", 80, "10.0.0.1");
  resolve_ok("h:65535:10.0.0.1", "h", 65535, "10.0.0.1");
  /* A list, as curl takes it: raced in this order (RFC 8305). */
  resolve_ok("h:443:[::1],127.0.0.1", "h", 443, "::1,127.0.0.1");
  resolve_ok("h:443:::1,[2001:db8::7],10.0.0.1", "h", 443,
             "::1,2001:db8::7,10.0.0.1");
}

static void resolve_bad_forms(void **state) {
  static const char *const bad[] = {"h",
                                    "h:443",
                                    "h:443:",
                                    ":443:1.2.3.4",
                                    "h::1.2.3.4",
                                    "h:0:1.2.3.4",
                                    "h:65536:1.2.3.4",
                                    "h:4x3:1.2.3.4",
                                    "h:443:1.2.3.4,",
                                    "h:443:,1.2.3.4",
                                    "h:443:[::1]x,1.2.3.4",
                                    "h:443:[::1",
                                    "[::1:443:1.2.3.4",
                                    "h:443:[]"};
  (void)state;
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct cli_resolve r;
    if (cli_parse_resolve(bad[i], &r) != CLI_VALUE_BAD)
      fail_msg("accepted --resolve '%s'", bad[i]);
    assert_null(r.host);
    assert_null(r.address);
  }
}

static void resolve_repeatable_on_command_line(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "--resolve", "a:443:127.0.0.1", "--resolve", "b:80:[::1]",
        "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.resolve_count, 2);
  assert_string_equal(p.opts.resolves[0].host, "a");
  assert_int_equal(p.opts.resolves[0].port, 443);
  assert_string_equal(p.opts.resolves[1].address, "::1");
  done(&p);
  PARSE(&p, "--resolve", "a:443", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_USAGE);
  assert_non_null(strstr(p.err, "httpr: option --resolve: expects "
                                "HOST:PORT:ADDR[,ADDR]..., got 'a:443'\n"));
  done(&p);
}

/* -------------------------------------------------------------- -d, -H */

static void data_joined_with_ampersand(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "-d", "a=1", "https://a/", "-db=2", "--data-binary", "c=3");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.has_data, 1);
  assert_int_equal(p.opts.data_len, strlen("a=1&b=2&c=3"));
  assert_memory_equal(p.opts.data, "a=1&b=2&c=3", p.opts.data_len);
  assert_string_equal(cli_effective_method(&p.opts), "POST");
  done(&p);
}

static void empty_data_is_still_a_post(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "-d", "", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.has_data, 1);
  assert_int_equal(p.opts.data_len, 0);
  assert_string_equal(cli_effective_method(&p.opts), "POST");
  done(&p);
  PARSE(&p, "-d", "", "-d", "", "https://a/");
  assert_int_equal(p.opts.data_len, 1);
  assert_memory_equal(p.opts.data, "&", 1);
  done(&p);
}

static void data_from_file_strips_newlines_but_binary_does_not(void **st) {
  static const char content[] = "a=1\r\nb=2\n";
  char *path = temp_file(content, sizeof(content) - 1);
  char *at = malloc(strlen(path) + 2);
  struct parsed p;
  (void)st;
  sprintf(at, "@%s", path);
  PARSE(&p, "-d", at, "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.data_len, 6);
  assert_memory_equal(p.opts.data, "a=1b=2", 6);
  done(&p);
  PARSE(&p, "--data-binary", at, "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.data_len, sizeof(content) - 1);
  assert_memory_equal(p.opts.data, content, sizeof(content) - 1);
  done(&p);
  /* --data-raw never reads a file. */
  PARSE(&p, "--data-raw", at, "https://a/");
  assert_string_equal((char *)p.opts.data, at);
  done(&p);
  unlink(path);
  free(path);
  free(at);
}

static void data_from_stdin(void **state) {
  struct parsed p;
  const char *words[] = {"-d", "x=1", "-d", "@-", "https://a/", NULL};
  (void)state;
  parse_in(&p, "y=2\nz=3\n", words);
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.data_len, strlen("x=1&y=2z=3"));
  assert_memory_equal(p.opts.data, "x=1&y=2z=3", p.opts.data_len);
  done(&p);
}

static void data_file_missing_is_read_error(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "-d", "@/nonexistent/httpr-data", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_READ);
  assert_string_equal(p.err, "httpr: (26) option -d: cannot read "
                             "'/nonexistent/httpr-data': No such file or "
                             "directory\n");
  done(&p);
}

static void header_forms(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "-H", "X-Empty:", "-H", "X-Semi;", "-H", "X-Sp:   v w ",
        "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.header_count, 3);
  assert_string_equal(p.opts.headers[0].name, "X-Empty");
  assert_string_equal(p.opts.headers[0].value, "");
  assert_string_equal(p.opts.headers[1].name, "X-Semi");
  assert_string_equal(p.opts.headers[1].value, "");
  assert_string_equal(p.opts.headers[2].value, "v w ");
  assert_int_equal(cli_has_header(&p.opts, "x-empty"), 1);
  assert_int_equal(cli_has_header(&p.opts, "Content-Type"), 0);
  done(&p);
  PARSE(&p, "-H", "NoColon", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_USAGE);
  done(&p);
  PARSE(&p, "-H", ": v", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_USAGE);
  done(&p);
}

static void method_choice(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "https://a/");
  assert_string_equal(cli_effective_method(&p.opts), "GET");
  done(&p);
  PARSE(&p, "-I", "https://a/");
  assert_string_equal(cli_effective_method(&p.opts), "HEAD");
  done(&p);
  PARSE(&p, "-X", "PATCH", "-d", "x", "https://a/");
  assert_string_equal(cli_effective_method(&p.opts), "PATCH");
  done(&p);
}

/* ------------------------------------------------------ other values */

static void proto_forms(void **state) {
  int only = -1;
  (void)state;
  assert_int_equal(cli_parse_proto("=https", &only), CLI_VALUE_OK);
  assert_int_equal(only, 1);
  only = -1;
  assert_int_equal(cli_parse_proto("-all,+https", &only), CLI_VALUE_OK);
  assert_int_equal(only, 1);
  only = -1;
  assert_int_equal(cli_parse_proto("-all,https", &only), CLI_VALUE_OK);
  assert_int_equal(only, 1);
  /* As in curl, a bare name adds to the default set: no restriction. */
  only = -1;
  assert_int_equal(cli_parse_proto("https", &only), CLI_VALUE_OK);
  assert_int_equal(only, 0);
  only = -1;
  assert_int_equal(cli_parse_proto("-http", &only), CLI_VALUE_OK);
  assert_int_equal(only, 1);
  assert_int_equal(cli_parse_proto("=http", &only), CLI_VALUE_BAD);
  assert_int_equal(cli_parse_proto("=ftp", &only), CLI_VALUE_BAD);
  assert_int_equal(cli_parse_proto("-all", &only), CLI_VALUE_BAD);
  assert_int_equal(cli_parse_proto("", &only), CLI_VALUE_BAD);
}

static void proto_on_command_line(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "--proto", "=https", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.https_only, 1);
  done(&p);
  PARSE(&p, "--proto", "=ftps", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_USAGE);
  assert_non_null(strstr(p.err, "option --proto: "));
  done(&p);
}

static void numbers_and_times(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "--max-time", "1.5", "--connect-timeout", "0.0001",
        "--max-filesize", "10k", "--max-redirs", "-1", "--tls-max", "1.2",
        "--tlsv1.2", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.max_time_ms, 1500);
  assert_int_equal(p.opts.connect_timeout_ms, 1); /* rounded up, not 0 */
  assert_int_equal(p.opts.has_max_filesize, 1);
  assert_int_equal(p.opts.max_filesize, 10240);
  assert_int_equal(p.opts.max_redirs, -1);
  assert_int_equal(p.opts.tls_max, 12);
  assert_int_equal(p.opts.tls_min, 12);
  done(&p);
  PARSE(&p, "https://a/");
  assert_int_equal(p.opts.max_time_ms, -1);
  assert_int_equal(p.opts.connect_timeout_ms, -1);
  assert_int_equal(p.opts.max_redirs, 50);
  assert_int_equal(p.opts.has_max_filesize, 0);
  done(&p);
}

/* --inactivity-timeout takes seconds as --max-time does; -Y/-y take
 * whole numbers as in curl. Not given: -1, the library's default. */
static void bound_options(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "--inactivity-timeout", "0.25", "--speed-limit", "1000",
        "--speed-time", "5", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.inactivity_timeout_ms, 250);
  assert_int_equal(p.opts.speed_limit, 1000);
  assert_int_equal(p.opts.speed_time, 5);
  done(&p);
  PARSE(&p, "-Y100", "-y", "2", "--inactivity-timeout", "0", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.speed_limit, 100);
  assert_int_equal(p.opts.speed_time, 2);
  assert_int_equal(p.opts.inactivity_timeout_ms, 0); /* off */
  done(&p);
  PARSE(&p, "https://a/");
  assert_int_equal(p.opts.inactivity_timeout_ms, -1);
  assert_int_equal(p.opts.speed_limit, -1);
  assert_int_equal(p.opts.speed_time, -1);
  done(&p);
  PARSE(&p, "--speed-time", "1.5", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_USAGE);
  assert_string_equal(p.err, "httpr: option --speed-time: expects whole "
                             "seconds, got '1.5'\n"
                             "httpr: try 'httpr --help' for more "
                             "information\n");
  done(&p);
  PARSE(&p, "-Y", "-5", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_USAGE);
  assert_string_equal(p.err, "httpr: option -Y: expects bytes per second, "
                             "got '-5'\n"
                             "httpr: try 'httpr --help' for more "
                             "information\n");
  done(&p);
}

static void bad_numbers(void **state) {
  static const char *const cases[][2] = {{"--max-time", "abc"},
                                         {"--max-time", "-1"},
                                         {"--max-time", "1s"},
                                         {"--connect-timeout", "nan"},
                                         {"--max-redirs", "-2"},
                                         {"--max-redirs", "1.5"},
                                         {"--max-filesize", "-1"},
                                         {"--max-filesize", "10kb"},
                                         {"--max-filesize", "x"},
                                         {"--tls-max", "1.1"},
                                         {"--inactivity-timeout", "-1"},
                                         {"--inactivity-timeout", "x"},
                                         {"--speed-limit", "1099511627777"},
                                         {"--speed-time", "86401"}};
  (void)state;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct parsed p;
    PARSE(&p, cases[i][0], cases[i][1], "https://a/");
    if (p.rc != CLI_EXIT_USAGE)
      fail_msg("%s %s gave %d", cases[i][0], cases[i][1], p.rc);
    done(&p);
  }
}

static void value_parsers_direct(void **state) {
  uint64_t bytes;
  long n;
  (void)state;
  assert_int_equal(cli_parse_size("3M", &bytes), CLI_VALUE_OK);
  assert_int_equal(bytes, 3u << 20);
  assert_int_equal(cli_parse_size("1g", &bytes), CLI_VALUE_OK);
  assert_int_equal(bytes, 1u << 30);
  assert_int_equal(cli_parse_size("18446744073709551615k", &bytes),
                   CLI_VALUE_BAD);
  assert_int_equal(cli_parse_seconds("0", &n), CLI_VALUE_OK);
  assert_int_equal(n, 0);
  assert_int_equal(cli_parse_seconds("2.0001", &n), CLI_VALUE_OK);
  assert_int_equal(n, 2001);
  assert_int_equal(cli_parse_long("", 0, 10, &n), CLI_VALUE_BAD);
  assert_int_equal(cli_parse_long("11", 0, 10, &n), CLI_VALUE_BAD);
  n = -7;
  assert_int_equal(cli_parse_parallel_max("1", &n), CLI_VALUE_OK);
  assert_int_equal(n, 1);
  assert_int_equal(cli_parse_parallel_max("300", &n), CLI_VALUE_OK);
  assert_int_equal(n, 300);
  assert_int_equal(cli_parse_parallel_max("5000", &n), CLI_VALUE_OK);
  assert_int_equal(n, 5000);
  assert_int_equal(cli_parse_parallel_max("100001", &n), CLI_VALUE_OK);
  assert_int_equal(n, 100000);
  assert_int_equal(cli_parse_parallel_max("0", &n), CLI_VALUE_OK);
  assert_int_equal(n, 50);
  n = -7; /* a refused value leaves *out alone */
  assert_int_equal(cli_parse_parallel_max("-0", &n), CLI_VALUE_BAD);
  assert_int_equal(n, -7);
}

static void outputs_pair_with_urls(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "-o", "one", "https://a/", "-o", "-", "https://b/", "https://c/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_string_equal(cli_output_for(&p.opts, 0), "one");
  assert_null(cli_output_for(&p.opts, 1)); /* "-" is stdout */
  assert_null(cli_output_for(&p.opts, 2)); /* no -o left */
  done(&p);
  PARSE(&p, "-o", "a", "-o", "b", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_string_equal(p.err, "httpr: warning: more -o options than URLs\n");
  done(&p);
}

static void write_out_from_file(void **state) {
  static const char fmt[] = "%{http_code}\\n\n";
  char *path = temp_file(fmt, sizeof(fmt) - 1);
  char *at = malloc(strlen(path) + 2);
  struct parsed p;
  (void)state;
  sprintf(at, "@%s", path);
  PARSE(&p, "-w", at, "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_string_equal(p.opts.write_out, fmt); /* newline kept */
  done(&p);
  PARSE(&p, "-w", "%{http_code}", "https://a/");
  assert_string_equal(p.opts.write_out, "%{http_code}");
  done(&p);
  unlink(path);
  free(path);
  free(at);
}

static void tls_and_misc_flags(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "--cacert", "ca.pem", "--capath", "dir", "--tls-backend", "gnutls",
        "--keylog", "k.log", "--http1.1", "--tlsv1.3", "-kiIL", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_string_equal(p.opts.cacert, "ca.pem");
  assert_string_equal(p.opts.capath, "dir");
  assert_string_equal(p.opts.tls_provider, "gnutls");
  assert_string_equal(p.opts.keylog, "k.log");
  assert_int_equal(p.opts.tls_min, 13);
  assert_int_equal(p.opts.insecure, 1);
  assert_int_equal(p.opts.include, 1);
  assert_int_equal(p.opts.head, 1);
  assert_int_equal(p.opts.follow, 1);
  done(&p);
}

/* --tls-provider and its old name --tls-backend fill the same field (the
 * last one given wins) and remember which name was used. */
static void provider_option_and_old_name(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "--tls-provider", "openssl", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_string_equal(p.opts.tls_provider, "openssl");
  assert_string_equal(p.opts.tls_provider_option, "tls-provider");
  done(&p);
  PARSE(&p, "--tls-provider", "openssl", "--tls-backend", "mbedtls",
        "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_string_equal(p.opts.tls_provider, "mbedtls");
  assert_string_equal(p.opts.tls_provider_option, "tls-backend");
  done(&p);
  PARSE(&p, "--tls-backend", "gnutls", "--tls-provider", "openssl",
        "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_string_equal(p.opts.tls_provider, "openssl");
  assert_string_equal(p.opts.tls_provider_option, "tls-provider");
  assert_int_equal(p.err_len, 0);
  done(&p);
  PARSE(&p, "https://a/", "--tls-provider");
  assert_int_equal(p.rc, CLI_EXIT_USAGE);
  assert_string_equal(p.err, "httpr: option --tls-provider: requires an "
                             "argument\n"
                             "httpr: try 'httpr --help' for more "
                             "information\n");
  done(&p);
}

/* The message names the option as it was typed: the old spelling keeps
 * its old message byte for byte. */
static void compare_conflict_names_the_option_given(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "--compare", "--tls-backend", "gnutls", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_USAGE);
  assert_string_equal(p.err, "httpr: --compare uses every provider: drop "
                             "--tls-backend\n"
                             "httpr: try 'httpr --help' for more "
                             "information\n");
  done(&p);
  PARSE(&p, "--compare", "--tls-provider", "gnutls", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_USAGE);
  assert_string_equal(p.err, "httpr: --compare uses every provider: drop "
                             "--tls-provider\n"
                             "httpr: try 'httpr --help' for more "
                             "information\n");
  done(&p);
}

/* --verify-report runs every provider, and is an action of its own. */
static void verify_report_conflicts(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "--verify-report", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.verify_report, 1);
  done(&p);
  PARSE(&p, "--verify-report", "--tls-provider", "gnutls", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_USAGE);
  assert_string_equal(p.err, "httpr: --verify-report uses every provider: "
                             "drop --tls-provider\n"
                             "httpr: try 'httpr --help' for more "
                             "information\n");
  done(&p);
  PARSE(&p, "--compare", "--verify-report", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_USAGE);
  assert_string_equal(p.err, "httpr: --compare and --verify-report cannot be "
                             "combined\n"
                             "httpr: try 'httpr --help' for more "
                             "information\n");
  done(&p);
  PARSE(&p, "--verify-report");
  assert_int_equal(p.rc, CLI_EXIT_USAGE);
  done(&p);
}

/* curl's --data-ascii is -d under another name. */
static void data_ascii_is_data(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "--data-ascii", "a=1", "-d", "b=2", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.has_data, 1);
  assert_int_equal(p.opts.data_len, 7);
  assert_memory_equal(p.opts.data, "a=1&b=2", 7);
  done(&p);
}

/* --help is printed from the option table: every row appears with its
 * names, its value's name and its text (the text compared with spaces
 * and line breaks squeezed, as it is wrapped), no line is wider than 79
 * columns, and every long name parses. */
static char *squeeze(const char *s) {
  char *out = malloc(strlen(s) + 1), *o = out;
  assert_non_null(out);
  for (; *s; s++) {
    int blank = *s == ' ' || *s == '\n';
    if (blank && o > out && o[-1] == ' ')
      continue;
    *o++ = blank ? ' ' : *s;
  }
  *o = '\0';
  return out;
}

static void help_lists_every_option(void **state) {
  char *text = NULL, *flat;
  size_t len = 0, shorts = 0;
  FILE *f = open_memstream(&text, &len);
  (void)state;
  assert_non_null(f);
  cli_print_help(f);
  assert_int_equal(fclose(f), 0);
  flat = squeeze(text);
  assert_true(cli_option_count >= 48); /* none lost: 48 when written */
  for (size_t i = 0; i < cli_option_count; i++) {
    const struct cli_option *o = &cli_option_table[i];
    char want[160];
    if (o->short_name) {
      snprintf(want, sizeof(want), " -%c, --%s%s%s ", o->short_name,
               o->long_name, o->value_name ? " " : "",
               o->value_name ? o->value_name : "");
      shorts++;
      assert_ptr_equal(cli_option_short(o->short_name), o);
    } else {
      snprintf(want, sizeof(want), " --%s%s%s ", o->long_name,
               o->value_name ? " " : "", o->value_name ? o->value_name : "");
    }
    if (!strstr(flat, want))
      fail_msg("--help lacks '%s'", want);
    char *help = squeeze(o->help);
    if (!strstr(flat, help))
      fail_msg("--help lacks the text of --%s: '%s'", o->long_name, help);
    free(help);
    /* A value takes a name in --help, a flag none. */
    assert_int_equal(o->kind != CLI_NO_VALUE, o->value_name != NULL);
    assert_ptr_equal(cli_option_long(o->long_name), o);
  }
  assert_true(shorts >= 19);
  for (const char *line = text; *line;) {
    size_t n = strcspn(line, "\n");
    if (n > 79)
      fail_msg("--help line wider than 79: '%.*s'", (int)n, line);
    line += n + (line[n] == '\n');
  }
  assert_null(cli_option_long("no-such-option"));
  assert_null(cli_option_short('q'));
  assert_null(cli_option_short(0));
  free(flat);
  free(text);
}

static void no_sessionid(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.no_sessionid, 0); /* resumption on by default */
  done(&p);
  PARSE(&p, "https://a/", "--no-sessionid", "https://a/x");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.no_sessionid, 1);
  assert_int_equal(p.opts.url_count, 2); /* a flag: takes no URL away */
  assert_string_equal(p.opts.urls[1], "https://a/x");
  assert_int_equal(p.err_len, 0);
  done(&p);
  /* curl has no short form and no value. */
  PARSE(&p, "--sessionid", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_USAGE);
  assert_string_equal(p.err, "httpr: option --sessionid: is unknown\n"
                             "httpr: try 'httpr --help' for more "
                             "information\n");
  done(&p);
}

/* Several URLs: every option applies to all of them (whatever its place
 * on the line), only -o pairs with them in order, and a URL repeated is
 * fetched again. */
static void several_urls_share_options(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "https://a/1", "-o", "f1", "-v", "https://a/1", "-w",
        "%{ssl_session_resumed}\\n", "-o", "f2", "https://b/", "--no-sessionid",
        "-H", "Connection: close");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.url_count, 3);
  assert_string_equal(p.opts.urls[0], "https://a/1");
  assert_string_equal(p.opts.urls[1], "https://a/1");
  assert_string_equal(p.opts.urls[2], "https://b/");
  assert_string_equal(cli_output_for(&p.opts, 0), "f1");
  assert_string_equal(cli_output_for(&p.opts, 1), "f2");
  assert_null(cli_output_for(&p.opts, 2));
  assert_null(cli_output_for(&p.opts, 3)); /* past the end: stdout */
  assert_int_equal(p.opts.verbose, 1);
  assert_int_equal(p.opts.no_sessionid, 1);
  assert_string_equal(p.opts.write_out, "%{ssl_session_resumed}\\n");
  assert_int_equal(p.opts.header_count, 1);
  assert_string_equal(p.opts.headers[0].name, "Connection");
  assert_string_equal(p.opts.headers[0].value, "close");
  assert_int_equal(p.err_len, 0);
  done(&p);
}

/* ------------------------------------------------- HTTP versions, -Z */

static void http_version_options(void **state) {
  static const struct {
    const char *words[3];
    enum cli_http_version want;
  } cases[] = {
      {{"https://a/", NULL, NULL}, CLI_HTTP_ANY}, /* the default */
      {{"--http1.1", "https://a/", NULL}, CLI_HTTP1_ONLY},
      {{"--http2", "https://a/", NULL}, CLI_HTTP_ANY},
      {{"--http2-only", "https://a/", NULL}, CLI_HTTP2_ONLY},
      /* The last one given wins, as curl's --http1.1 / --http2. */
      {{"--http2-only", "--http1.1", "https://a/"}, CLI_HTTP1_ONLY},
      {{"--http1.1", "--http2", "https://a/"}, CLI_HTTP_ANY},
      {{"--http1.1", "--http2-only", "https://a/"}, CLI_HTTP2_ONLY},
  };
  (void)state;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct parsed p;
    const char *words[4] = {cases[i].words[0], cases[i].words[1],
                            cases[i].words[2], NULL};
    parse_in(&p, "", words);
    assert_int_equal(p.rc, CLI_EXIT_OK);
    if (p.opts.http_version != cases[i].want)
      fail_msg("case %zu (%s %s): http_version %d, want %d", i, words[0],
               words[1] ? words[1] : "", (int)p.opts.http_version,
               (int)cases[i].want);
    /* A flag: the URL after it stays a URL. */
    assert_int_equal(p.opts.url_count, 1);
    assert_string_equal(p.opts.urls[0], "https://a/");
    assert_int_equal(p.err_len, 0);
    done(&p);
  }
}

static void http_version_unknown_forms(void **state) {
  struct parsed p;
  (void)state;
  /* curl's h2c option and an HTTP/3 one are not ours: usage errors. */
  PARSE(&p, "--http2-prior-knowledge", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_USAGE);
  assert_string_equal(p.err,
                      "httpr: option --http2-prior-knowledge: is unknown\n"
                      "httpr: try 'httpr --help' for more information\n");
  done(&p);
  PARSE(&p, "--http3", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_USAGE);
  done(&p);
}

static void parallel_options(void **state) {
  struct parsed p;
  (void)state;
  PARSE(&p, "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.parallel, 0);
  assert_int_equal(p.opts.parallel_max, CLI_PARALLEL_DEFAULT);
  assert_int_equal(CLI_PARALLEL_DEFAULT, 50); /* curl's */
  done(&p);
  PARSE(&p, "-Z", "https://a/", "https://b/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.parallel, 1);
  assert_int_equal(p.opts.url_count, 2);
  done(&p);
  PARSE(&p, "https://a/", "--parallel");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.parallel, 1);
  done(&p);
  /* -Z bundles like any flag. */
  PARSE(&p, "-sZv", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.parallel, 1);
  assert_int_equal(p.opts.silent, 1);
  assert_int_equal(p.opts.verbose, 1);
  done(&p);
  PARSE(&p, "-Z", "--parallel-max", "7", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.parallel_max, 7);
  done(&p);
  /* As curl: 0 means the default, above the ceiling means the ceiling
   * (curl's is 300, httpr's 100,000); last one wins. */
  PARSE(&p, "--parallel-max", "0", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.parallel_max, 50);
  done(&p);
  PARSE(&p, "--parallel-max", "1000000", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.parallel_max, CLI_PARALLEL_LIMIT);
  assert_int_equal(CLI_PARALLEL_LIMIT, 100000);
  done(&p);
  PARSE(&p, "--parallel-max", "3", "--parallel-max", "1", "https://a/");
  assert_int_equal(p.rc, CLI_EXIT_OK);
  assert_int_equal(p.opts.parallel_max, 1);
  done(&p);
}

static void parallel_max_bad_values(void **state) {
  static const char *const bad[] = {
      "-1", "x", "", "1.5", " 5", "+5", "5x", "99999999999999999999999"};
  struct parsed p;
  (void)state;
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    PARSE(&p, "--parallel-max", bad[i], "https://a/");
    if (p.rc != CLI_EXIT_USAGE)
      fail_msg("--parallel-max '%s' gave %d", bad[i], p.rc);
    done(&p);
  }
  PARSE(&p, "--parallel-max", "x", "https://a/");
  assert_string_equal(p.err, "httpr: option --parallel-max: expects a number "
                             "of transfers, got 'x'\n"
                             "httpr: try 'httpr --help' for more "
                             "information\n");
  done(&p);
  PARSE(&p, "https://a/", "--parallel-max");
  assert_int_equal(p.rc, CLI_EXIT_USAGE);
  assert_string_equal(p.err, "httpr: option --parallel-max: requires an "
                             "argument\n"
                             "httpr: try 'httpr --help' for more "
                             "information\n");
  done(&p);
}

/* -Z with 1000 URLs in one argv: every one kept, in order, each -o with
 * its URL. */
static void parallel_thousand_urls(void **state) {
  enum { URLS = 1000, OUTPUTS = 3 };
  char **argv = calloc(URLS + 2 * OUTPUTS + 3, sizeof(char *));
  struct cli_options opts;
  FILE *err;
  char *err_text = NULL;
  size_t err_len = 0;
  int argc = 0;
  (void)state;
  assert_non_null(argv);
  argv[argc++] = strdup("httpr");
  argv[argc++] = strdup("-Z");
  for (int i = 0; i < OUTPUTS; i++) {
    char name[32];
    snprintf(name, sizeof(name), "out%d", i);
    argv[argc++] = strdup("-o");
    argv[argc++] = strdup(name);
  }
  for (int i = 0; i < URLS; i++) {
    char url[64];
    snprintf(url, sizeof(url), "https://localhost:8443/small?%d", i);
    argv[argc++] = strdup(url);
  }
  for (int i = 0; i < argc; i++)
    assert_non_null(argv[i]);
  err = open_memstream(&err_text, &err_len);
  assert_non_null(err);
  assert_int_equal(cli_parse_args(&opts, argc, argv, stdin, err), CLI_EXIT_OK);
  fclose(err);
  assert_int_equal(err_len, 0);
  assert_int_equal(opts.parallel, 1);
  assert_int_equal(opts.url_count, URLS);
  assert_string_equal(opts.urls[0], "https://localhost:8443/small?0");
  assert_string_equal(opts.urls[URLS - 1], "https://localhost:8443/small?999");
  assert_string_equal(cli_output_for(&opts, 2), "out2");
  assert_null(cli_output_for(&opts, 3));
  cli_options_free(&opts);
  for (int i = 0; i < argc; i++)
    free(argv[i]);
  free(argv);
  free(err_text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(bundled_flags),
      cmocka_unit_test(bundled_flag_then_value_attached),
      cmocka_unit_test(bundled_flag_then_value_separate),
      cmocka_unit_test(attached_and_separate_values),
      cmocka_unit_test(options_after_urls_and_double_dash),
      cmocka_unit_test(lone_dash_is_a_url),
      cmocka_unit_test(unknown_long_option),
      cmocka_unit_test(unknown_short_option_in_bundle),
      cmocka_unit_test(curl_style_equals_is_unknown),
      cmocka_unit_test(missing_argument_long),
      cmocka_unit_test(missing_argument_short_in_bundle),
      cmocka_unit_test(no_url),
      cmocka_unit_test(info_actions_need_no_url),
      cmocka_unit_test(conflicting_options),
      cmocka_unit_test(cert_splitting),
      cmocka_unit_test(cert_empty_file_is_usage_error),
      cmocka_unit_test(secrets_blanked_in_argv),
      cmocka_unit_test(secrets_blanked_on_usage_error),
      cmocka_unit_test(cert_type_and_key),
      cmocka_unit_test(resolve_forms),
      cmocka_unit_test(resolve_bad_forms),
      cmocka_unit_test(resolve_repeatable_on_command_line),
      cmocka_unit_test(data_joined_with_ampersand),
      cmocka_unit_test(empty_data_is_still_a_post),
      cmocka_unit_test(data_from_file_strips_newlines_but_binary_does_not),
      cmocka_unit_test(data_from_stdin),
      cmocka_unit_test(data_file_missing_is_read_error),
      cmocka_unit_test(header_forms),
      cmocka_unit_test(method_choice),
      cmocka_unit_test(proto_forms),
      cmocka_unit_test(proto_on_command_line),
      cmocka_unit_test(numbers_and_times),
      cmocka_unit_test(bound_options),
      cmocka_unit_test(bad_numbers),
      cmocka_unit_test(value_parsers_direct),
      cmocka_unit_test(outputs_pair_with_urls),
      cmocka_unit_test(write_out_from_file),
      cmocka_unit_test(tls_and_misc_flags),
      cmocka_unit_test(provider_option_and_old_name),
      cmocka_unit_test(compare_conflict_names_the_option_given),
      cmocka_unit_test(verify_report_conflicts),
      cmocka_unit_test(data_ascii_is_data),
      cmocka_unit_test(help_lists_every_option),
      cmocka_unit_test(no_sessionid),
      cmocka_unit_test(several_urls_share_options),
      cmocka_unit_test(http_version_options),
      cmocka_unit_test(http_version_unknown_forms),
      cmocka_unit_test(parallel_options),
      cmocka_unit_test(parallel_max_bad_values),
      cmocka_unit_test(parallel_thousand_urls),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
