/* SPDX-License-Identifier: MIT */
/*
 * test_cli_writeout.c - the -w renderer (tools/cli_writeout.c) and the
 * exit-code mapping and error lines it reports (tools/cli_exit.c), without
 * the library: values are given as a plain struct, output captured from
 * memory streams and compared byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tools/cli_exit.h"
#include "tools/cli_writeout.h"

/* One render into two memory streams. */
struct rendered {
  char *out;
  size_t out_len;
  char *err;
  size_t err_len;
  int rc;
};

static void render_with(struct rendered *r, const char *fmt,
                        const struct cli_wo_values *v,
                        struct cli_wo_state *st) {
  FILE *out = open_memstream(&r->out, &r->out_len);
  FILE *err = open_memstream(&r->err, &r->err_len);
  assert_non_null(out);
  assert_non_null(err);
  r->rc = cli_writeout(fmt, v, out, err, st);
  fclose(out);
  fclose(err);
}

static void render(struct rendered *r, const char *fmt,
                   const struct cli_wo_values *v) {
  struct cli_wo_state st = {0};
  render_with(r, fmt, v, &st);
}

static void release(struct rendered *r) {
  free(r->out);
  free(r->err);
}

/* A successful https transfer. */
static struct cli_wo_values sample(void) {
  struct cli_wo_values v;
  memset(&v, 0, sizeof(v));
  v.http_code = 200;
  v.http_version = 11;
  v.times[CLI_WO_NAMELOOKUP] = 0.001;
  v.times[CLI_WO_CONNECT] = 0.0123456;
  v.times[CLI_WO_APPCONNECT] = 0.05;
  v.times[CLI_WO_PRETRANSFER] = 0.0500001;
  v.times[CLI_WO_STARTTRANSFER] = 0.25;
  v.times[CLI_WO_TOTAL] = 1.5;
  v.size_download = 1234567890123ULL;
  v.num_redirects = 2;
  v.num_connects = 1;
  v.url_effective = "https://localhost:8443/final";
  v.remote_ip = "127.0.0.1";
  v.remote_port = 8443;
  v.exitcode = 0;
  v.errormsg = "";
  v.ssl_verify_result = 0;
  v.scheme = "HTTPS";
  v.tls_version = "TLSv1.3";
  v.tls_cipher = "TLS_AES_256_GCM_SHA384";
  v.tls_provider = "openssl";
  v.alpn = "http/1.1";
  v.ssl_session_resumed = 1;
  return v;
}

static void expect_out(const char *fmt, const struct cli_wo_values *v,
                       const char *expected) {
  struct rendered r;
  render(&r, fmt, v);
  assert_int_equal(r.rc, 0);
  assert_int_equal(r.out_len, strlen(expected));
  assert_memory_equal(r.out, expected, r.out_len);
  assert_int_equal(r.err_len, 0);
  release(&r);
}

/* ------------------------------------------------------------ syntax */

static void plain_text_and_escapes(void **state) {
  struct cli_wo_values v = sample();
  (void)state;
  expect_out("", &v, "");
  expect_out("code\\n", &v, "code\n");
  expect_out("a\\tb\\rc\\n", &v, "a\tb\rc\n");
  /* Unknown escapes print both characters; a final backslash itself. */
  expect_out("x\\qy\\\\z\\", &v, "x\\qy\\\\z\\");
  /* A real newline in the format is kept. */
  expect_out("a\nb", &v, "a\nb");
}

static void percent_forms(void **state) {
  struct cli_wo_values v = sample();
  (void)state;
  expect_out("100%%", &v, "100%");
  expect_out("%%{http_code}", &v, "%{http_code}");
  /* '%' before anything else prints both, as curl does. */
  expect_out("%x%", &v, "%x%");
  /* An unclosed "%{" prints as it is and the rest goes on. */
  expect_out("a%{http_code", &v, "a%{http_code");
}

static void stream_switching(void **state) {
  struct cli_wo_values v = sample();
  struct rendered r;
  (void)state;
  render(&r, "A%{stderr}B%{http_code}%{stdout}C\\n%{stderr}D", &v);
  assert_int_equal(r.rc, 0);
  assert_string_equal(r.out, "AC\n");
  assert_string_equal(r.err, "B200D");
  release(&r);
}

/* ----------------------------------------------------------- variables */

static void every_variable_of_a_success(void **state) {
  struct cli_wo_values v = sample();
  (void)state;
  expect_out("%{http_code} %{response_code} %{http_version}", &v,
             "200 200 1.1");
  expect_out("%{time_namelookup} %{time_connect} %{time_appconnect} "
             "%{time_pretransfer} %{time_starttransfer} %{time_total}",
             &v, "0.001000 0.012346 0.050000 0.050000 0.250000 1.500000");
  expect_out("%{size_download} %{num_redirects} %{num_connects}", &v,
             "1234567890123 2 1");
  expect_out("%{url_effective} %{remote_ip} %{remote_port} %{scheme}", &v,
             "https://localhost:8443/final 127.0.0.1 8443 HTTPS");
  expect_out("[%{exitcode}][%{errormsg}][%{ssl_verify_result}]", &v,
             "[0][][0]");
  expect_out("%{tls_version} %{tls_cipher} %{tls_provider} %{alpn}", &v,
             "TLSv1.3 TLS_AES_256_GCM_SHA384 openssl http/1.1");
  expect_out("%{ssl_session_resumed}", &v, "1");
}

/* An HTTP/2 transfer on a connection another one opened: "2" and no new
 * connection, as curl prints them. */
static void http2_on_a_shared_connection(void **state) {
  struct cli_wo_values v = sample();
  (void)state;
  v.http_version = 20;
  v.num_connects = 0;
  v.alpn = "h2";
  expect_out("%{http_version} %{num_connects} %{alpn}\\n", &v, "2 0 h2\n");
}

/* Ours, not curl's: 1 for a resumed session, 0 for a full handshake. */
static void ssl_session_resumed_variable(void **state) {
  struct cli_wo_values v = sample();
  struct rendered r;
  (void)state;
  expect_out("[%{ssl_session_resumed}]", &v, "[1]");
  v.ssl_session_resumed = 0;
  expect_out("[%{ssl_session_resumed}]\\n", &v, "[0]\n");
  /* A known name: no warning, even on the first render of a run. */
  render(&r, "%{ssl_session_resumed}", &v);
  assert_int_equal(r.err_len, 0);
  assert_string_equal(r.out, "0");
  release(&r);
  /* Near misses are unknown variables. */
  render(&r, "%{ssl_session_resume}%{ssl_session_resumed_}", &v);
  assert_string_equal(r.out, "");
  assert_string_equal(r.err, "httpr: unknown --write-out variable: "
                             "'ssl_session_resume'\n"
                             "httpr: unknown --write-out variable: "
                             "'ssl_session_resumed_'\n");
  release(&r);
}

static void http_version_formatting(void **state) {
  struct cli_wo_values v = sample();
  (void)state;
  assert_string_equal(cli_wo_http_version(10), "1");
  assert_string_equal(cli_wo_http_version(11), "1.1");
  assert_string_equal(cli_wo_http_version(20), "2");
  assert_string_equal(cli_wo_http_version(0), "0");
  assert_string_equal(cli_wo_http_version(30), "0");
  v.http_version = 10;
  expect_out("%{http_version}", &v, "1");
  v.http_version = 20;
  expect_out("%{http_version}", &v, "2");
}

static void http_code_is_three_digits(void **state) {
  struct cli_wo_values v = sample();
  (void)state;
  v.http_code = 0;
  expect_out("%{http_code}", &v, "000");
  v.http_code = 404;
  expect_out("%{response_code}", &v, "404");
  v.http_code = 99; /* a broken server's status still prints 3 digits */
  expect_out("%{http_code}", &v, "099");
}

static void timings_round_to_microseconds(void **state) {
  struct cli_wo_values v = sample();
  (void)state;
  v.times[CLI_WO_TOTAL] = 0.1234564;
  expect_out("%{time_total}", &v, "0.123456");
  v.times[CLI_WO_TOTAL] = 0.1234566;
  expect_out("%{time_total}", &v, "0.123457");
  v.times[CLI_WO_TOTAL] = 12.0;
  expect_out("%{time_total}", &v, "12.000000");
}

static void failed_transfer_prints_zero_values(void **state) {
  struct cli_wo_values v;
  (void)state;
  memset(&v, 0, sizeof(v));
  v.url_effective = "https://localhost:1/";
  v.exitcode = 60;
  v.errormsg = "certificate verify failed: certificate has expired";
  v.ssl_verify_result = 1;
  /* NULL strings (remote_ip, scheme, TLS) print as nothing. */
  expect_out("%{http_code}|%{http_version}|%{time_total}|%{size_download}|"
             "%{remote_ip}|%{remote_port}|%{scheme}|%{tls_version}|"
             "%{url_effective}|%{exitcode}|%{ssl_verify_result}|"
             "%{ssl_session_resumed}|%{num_connects}|%{errormsg}",
             &v,
             "000|0|0.000000|0||0|||https://localhost:1/|60|1|0|0|"
             "certificate verify failed: certificate has expired");
}

static void unknown_variable_warns_once_per_run(void **state) {
  struct cli_wo_values v = sample();
  struct cli_wo_state st = {0};
  struct rendered r;
  (void)state;
  render_with(&r, "[%{nope}][%{http_code}][%{}]", &v, &st);
  assert_int_equal(r.rc, 0);
  assert_string_equal(r.out, "[][200][]");
  assert_string_equal(r.err, "httpr: unknown --write-out variable: 'nope'\n"
                             "httpr: unknown --write-out variable: ''\n");
  release(&r);
  /* The next URL of the same run renders without repeating them. */
  render_with(&r, "[%{nope}][%{http_code}]", &v, &st);
  assert_string_equal(r.out, "[][200]");
  assert_int_equal(r.err_len, 0);
  release(&r);
}

static void variable_names_are_exact(void **state) {
  struct cli_wo_values v = sample();
  struct rendered r;
  (void)state;
  /* Prefixes and case variants are unknown, not near matches. */
  render(&r, "%{http_cod}%{HTTP_CODE}%{http_code }", &v);
  assert_int_equal(r.out_len, 0);
  assert_string_equal(r.err,
                      "httpr: unknown --write-out variable: 'http_cod'\n"
                      "httpr: unknown --write-out variable: 'HTTP_CODE'\n"
                      "httpr: unknown --write-out variable: 'http_code '\n");
  release(&r);
}

static void write_failure_is_reported(void **state) {
  struct cli_wo_values v = sample();
  struct cli_wo_state st = {0};
  FILE *full = fopen("/dev/full", "w");
  FILE *err = tmpfile();
  (void)state;
  if (!full)
    skip();
  assert_non_null(err);
  assert_int_equal(cli_writeout("%{http_code}\\n", &v, full, err, &st), -1);
  fclose(full);
  fclose(err);
}

/* -------------------------------------------------- exit codes, errors */

static void exit_code_table(void **state) {
  static const struct {
    httpr_code code;
    int exit_code;
  } table[] = {
      {HTTPR_OK, 0},
      {HTTPR_E_URL, 3},
      {HTTPR_E_UNSUPPORTED_PROTOCOL, 1},
      {HTTPR_E_RESOLVE, 6},
      {HTTPR_E_CONNECT, 7},
      {HTTPR_E_TIMEOUT, 28},
      {HTTPR_E_TLS_HANDSHAKE, 35},
      {HTTPR_E_CERT_UNTRUSTED, 60},
      {HTTPR_E_CERT_EXPIRED, 60},
      {HTTPR_E_CERT_NOT_YET_VALID, 60},
      {HTTPR_E_CERT_HOSTNAME, 60},
      {HTTPR_E_CERT_OTHER, 60},
      {HTTPR_E_CA_FILE, 77},
      {HTTPR_E_CLIENT_CERT, 58},
      {HTTPR_E_SEND, 55},
      {HTTPR_E_RECV, 56},
      {HTTPR_E_PARTIAL, 18},
      {HTTPR_E_PROTOCOL, 8},
      {HTTPR_E_TOO_LARGE, 63},
      {HTTPR_E_UNSUPPORTED, 4},
      {HTTPR_E_PROVIDER, 4},
      {HTTPR_E_BACKEND, 4}, /* the old name, the same code */
      {HTTPR_E_INVALID, 43},
      {HTTPR_E_NOMEM, 27},
      {HTTPR_E_REDIRECT_LIMIT, 47},
      {HTTPR_E_WRITE, 23},
      {HTTPR_E_READ, 26},
      {HTTPR_E_CANCELLED, 42},
      {HTTPR_E_CERT_STATUS, 91},
      {HTTPR_E_PINNED_KEY, 90},
      {HTTPR_E_CRL_FILE, 82},
      {HTTPR_E_INTERFACE, 45},
      {HTTPR_E_PROXY, 97},
      {HTTPR_E_RESOLVE_PROXY, 5},
      {HTTPR_E_PROXY_CONNECT, 56},
      {(httpr_code)999, 1},
  };
  (void)state;
  for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
    if (cli_exit_code(table[i].code) != table[i].exit_code)
      fail_msg("code %d: exit %d, expected %d", (int)table[i].code,
               cli_exit_code(table[i].code), table[i].exit_code);
}

/* On HTTP/2 (or with --http2-only) a protocol failure is curl's 16; every
 * other code keeps its exit code. */
static void exit_code_on_http2(void **state) {
  (void)state;
  assert_int_equal(cli_exit_code_http(HTTPR_E_PROTOCOL, 1), 16);
  assert_int_equal(cli_exit_code_http(HTTPR_E_PROTOCOL, 0), 8);
  for (int c = HTTPR_OK; c <= HTTPR_E_PROXY_CONNECT + 1; c++) {
    if (c == HTTPR_E_PROTOCOL)
      continue;
    if (cli_exit_code_http((httpr_code)c, 1) != cli_exit_code((httpr_code)c) ||
        cli_exit_code_http((httpr_code)c, 0) != cli_exit_code((httpr_code)c))
      fail_msg("code %d: exit %d on h2, %d on h1, want %d", c,
               cli_exit_code_http((httpr_code)c, 1),
               cli_exit_code_http((httpr_code)c, 0),
               cli_exit_code((httpr_code)c));
  }
}

static void cert_failures_set_ssl_verify_result(void **state) {
  (void)state;
  for (int c = HTTPR_OK; c <= HTTPR_E_PROXY_CONNECT; c++) {
    int expected = c >= HTTPR_E_CERT_UNTRUSTED && c <= HTTPR_E_CERT_OTHER;
    if (cli_is_cert_failure((httpr_code)c) != expected)
      fail_msg("code %d: cert failure %d", c,
               cli_is_cert_failure((httpr_code)c));
  }
}

/* Several URLs: the last failure's code, 0 only when all succeeded. */
static void exit_code_of_several_transfers(void **state) {
  static const struct {
    int codes[4];
    size_t n;
    int expected;
  } runs[] = {
      {{0}, 1, 0},           {{0, 0, 0}, 3, 0},   {{6}, 1, 6},
      {{6, 0}, 2, 6}, /* a later success does not hide a failure */
      {{0, 60}, 2, 60},      {{6, 60, 0}, 3, 60}, /* the last failure wins, not
                                                     the first */
      {{60, 6, 0, 0}, 4, 6}, {{23, 0}, 2, 23},
  };
  (void)state;
  for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
    int rc = CLI_EXIT_OK;
    for (size_t j = 0; j < runs[i].n; j++)
      rc = cli_exit_combine(rc, runs[i].codes[j]);
    if (rc != runs[i].expected)
      fail_msg("run %zu: exit %d, expected %d", i, rc, runs[i].expected);
  }
  /* Only running out of memory stops the URLs after it. */
  assert_int_equal(cli_exit_is_fatal(CLI_EXIT_NOMEM), 1);
  assert_int_equal(cli_exit_is_fatal(0), 0);
  assert_int_equal(cli_exit_is_fatal(6), 0);
  assert_int_equal(cli_exit_is_fatal(60), 0);
  assert_int_equal(cli_exit_is_fatal(CLI_EXIT_WRITE), 0);
}

static char *failure_text(int silent, int show_error, int verbose,
                          const char *hint, const char *detail) {
  const struct cli_noise noise = {silent, show_error, verbose};
  char *text = NULL;
  size_t len;
  FILE *fp = open_memstream(&text, &len);
  assert_non_null(fp);
  cli_print_failure(fp, &noise, 60,
                    "certificate verify failed: certificate has expired", hint,
                    detail);
  fclose(fp);
  return text;
}

#define LINE1 "httpr: (60) certificate verify failed: certificate has expired\n"
#define HINT "the CA bundle lacks the issuer: give it with --cacert"
#define DETAIL "openssl: X509_V_ERR_CERT_HAS_EXPIRED (10)"

static void error_lines(void **state) {
  char *t;
  (void)state;
  t = failure_text(0, 0, 0, "", "");
  assert_string_equal(t, LINE1);
  free(t);
  t = failure_text(0, 0, 0, HINT, DETAIL); /* detail only with -v */
  assert_string_equal(t, LINE1 "httpr: hint: " HINT "\n");
  free(t);
  t = failure_text(0, 0, 1, HINT, DETAIL);
  assert_string_equal(t, LINE1 "httpr: hint: " HINT "\n"
                               "httpr: detail: " DETAIL "\n");
  free(t);
  t = failure_text(1, 0, 0, HINT, DETAIL); /* -s: nothing */
  assert_string_equal(t, "");
  free(t);
  t = failure_text(1, 1, 0, HINT, DETAIL); /* -sS: the line, no hint */
  assert_string_equal(t, LINE1);
  free(t);
  t = failure_text(1, 0, 1, HINT, DETAIL); /* -sv: no line, no detail */
  assert_string_equal(t, "");
  free(t);
  t = failure_text(1, 1, 1, HINT, DETAIL); /* -sSv: line and detail */
  assert_string_equal(t, LINE1 "httpr: detail: " DETAIL "\n");
  free(t);
  t = failure_text(0, 0, 1, NULL, NULL);
  assert_string_equal(t, LINE1);
  free(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(plain_text_and_escapes),
      cmocka_unit_test(percent_forms),
      cmocka_unit_test(stream_switching),
      cmocka_unit_test(every_variable_of_a_success),
      cmocka_unit_test(ssl_session_resumed_variable),
      cmocka_unit_test(http_version_formatting),
      cmocka_unit_test(http_code_is_three_digits),
      cmocka_unit_test(timings_round_to_microseconds),
      cmocka_unit_test(failed_transfer_prints_zero_values),
      cmocka_unit_test(unknown_variable_warns_once_per_run),
      cmocka_unit_test(variable_names_are_exact),
      cmocka_unit_test(write_failure_is_reported),
      cmocka_unit_test(exit_code_table),
      cmocka_unit_test(exit_code_on_http2),
      cmocka_unit_test(http2_on_a_shared_connection),
      cmocka_unit_test(cert_failures_set_ssl_verify_result),
      cmocka_unit_test(exit_code_of_several_transfers),
      cmocka_unit_test(error_lines),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
