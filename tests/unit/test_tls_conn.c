/* SPDX-License-Identifier: MIT */
/*
 * test_tls_conn.c - the one decision of which failure a failed TLS call
 * reports (hr_tls_decide), case by case of precedence: an alert against
 * the broken pipe it causes, a broken connection against everything, a
 * chain defect against a name mismatch, a close during the handshake and
 * after it, versions, and the library's own words last. Each asserts the
 * exact code, message and detail every provider gives; the small helpers
 * of backends/tls_conn.h come last.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backends/tls_conn.h"

/* The facts of a handshake with nothing wrong yet. */
static struct hr_tls_facts handshake(void) {
  struct hr_tls_facts f = {.op = HR_TLS_OP_HANDSHAKE,
                           .host = "example.com",
                           .min_version = 12,
                           .alert = -1,
                           .lib_reason = "lib words",
                           .lib_detail = "lib: E_X (-1): lib words"};
  return f;
}

static void assert_error(const httpr_error *err, httpr_code code,
                         const char *message, const char *detail) {
  assert_int_equal(err->code, code);
  assert_string_equal(err->message, message);
  assert_string_equal(err->detail, detail);
}

static void alert_beats_the_broken_pipe_it_causes(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_tls_facts f = handshake();
  f.send_broken = EPIPE;
  f.peer_closed = 1;
  f.alert = HR_ALERT_CERTIFICATE_REQUIRED;
  f.alert_name = "Certificate is required";
  assert_int_equal(hr_tls_decide(&f, &err), HR_TLS_OUT_ALERT);
  assert_error(&err, HTTPR_E_TLS_HANDSHAKE,
               "no client certificate presented (server sent alert "
               "certificate_required)",
               "lib: E_X (-1): lib words; alert 116 (Certificate is required)");
  assert_string_equal(err.hint, "the server requires a client certificate: "
                                "give one with --cert");
}

static void broken_pipe_without_alert(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_tls_facts f = handshake();
  f.send_broken = EPIPE;
  f.peer_closed = 1;
  assert_int_equal(hr_tls_decide(&f, &err), HR_TLS_OUT_IO);
  assert_error(&err, HTTPR_E_SEND, "connection broke while sending: Broken pipe",
               "errno 32");
}

static void alert_without_its_name_in_the_detail(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_tls_facts f = handshake();
  f.alert = HR_ALERT_UNKNOWN_CA;
  assert_int_equal(hr_tls_decide(&f, &err), HR_TLS_OUT_ALERT);
  assert_error(&err, HTTPR_E_TLS_HANDSHAKE,
               "server rejected the client certificate (alert unknown_ca)",
               "lib: E_X (-1): lib words");
}

static void protocol_version_alert_is_a_version_mismatch(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_tls_facts f = handshake();
  f.min_version = 13;
  f.max_version = 13;
  f.alert = HR_ALERT_PROTOCOL_VERSION;
  f.alert_name = "protocol_version";
  assert_int_equal(hr_tls_decide(&f, &err), HR_TLS_OUT_ALERT);
  assert_error(&err, HTTPR_E_TLS_HANDSHAKE,
               "no TLS version in common with the server (offered TLSv1.3 to "
               "TLSv1.3)",
               "lib: E_X (-1): lib words; alert 70 (protocol_version)");
}

static void io_failure_beats_everything(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_tls_facts f = handshake();
  f.io_failed = HR_IO_RECV_FAILED;
  f.io_errno = ECONNRESET;
  f.verify_failed = 1;
  f.verify_reason = HR_VERIFY_EXPIRED;
  f.alert = HR_ALERT_HANDSHAKE_FAILURE;
  f.peer_closed = 1;
  f.version_failure = 1;
  f.send_broken = EPIPE;
  assert_int_equal(hr_tls_decide(&f, &err), HR_TLS_OUT_IO);
  assert_error(&err, HTTPR_E_RECV,
               "connection broke while receiving: Connection reset by peer",
               "errno 104");
}

static void io_failure_with_the_library_detail(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_tls_facts f = handshake();
  f.op = HR_TLS_OP_WRITE;
  f.io_failed = HR_IO_SEND_FAILED;
  f.io_errno = EPIPE;
  f.io_with_detail = 1;
  f.lib_detail = "openssl: error:1";
  assert_int_equal(hr_tls_decide(&f, &err), HR_TLS_OUT_IO);
  assert_error(&err, HTTPR_E_SEND, "connection broke while sending: Broken pipe",
               "errno 32; openssl: error:1");
  /* Without the library's words, errno alone. */
  f.lib_detail = "";
  hr_tls_decide(&f, &err);
  assert_string_equal(err.detail, "errno 32");
}

static void verify_beats_alert_and_close(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_tls_facts f = handshake();
  f.verify_failed = 1;
  f.verify_reason = HR_VERIFY_EXPIRED;
  f.verify_detail = "lib: certificate expired (flags 0x1)";
  f.alert = HR_ALERT_BAD_CERTIFICATE;
  f.peer_closed = 1;
  assert_int_equal(hr_tls_decide(&f, &err), HR_TLS_OUT_VERIFY);
  assert_error(&err, HTTPR_E_CERT_EXPIRED,
               "certificate verify failed: certificate has expired",
               "lib: certificate expired (flags 0x1)");
}

static void chain_defect_beats_identity_mismatch(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_tls_facts f = handshake();
  hr_tls_refused(&f, HR_VERIFY_HOSTNAME);
  hr_tls_refused(&f, HR_VERIFY_UNKNOWN_ISSUER);
  f.verify_detail = "lib: issuer";
  assert_int_equal(hr_tls_decide(&f, &err), HR_TLS_OUT_VERIFY);
  assert_error(&err, HTTPR_E_CERT_UNTRUSTED,
               "certificate verify failed: unable to get local issuer "
               "certificate",
               "lib: issuer");
}

static void identity_mismatch_alone(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_tls_facts f = handshake();
  hr_tls_refused(&f, HR_VERIFY_HOSTNAME);
  assert_int_equal(f.verify_failed, 0);
  assert_int_equal(f.identity_mismatch, 1);
  f.verify_detail = "lib: name";
  f.peer_closed = 1;
  assert_int_equal(hr_tls_decide(&f, &err), HR_TLS_OUT_VERIFY);
  assert_error(&err, HTTPR_E_CERT_HOSTNAME,
               "certificate verify failed: certificate does not match host "
               "name 'example.com'",
               "lib: name");
}

static void policy_verdict_names_its_reason(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_policy_verdict v = {.reason = HR_VERIFY_PATH_LENGTH};
  strcpy(v.why, "depth 2: pathLenConstraint 0 exceeded");
  struct hr_tls_facts f = handshake();
  f.verify_failed = 1;
  f.policy = &v;
  assert_int_equal(hr_tls_decide(&f, &err), HR_TLS_OUT_VERIFY);
  assert_error(&err, HTTPR_E_CERT_OTHER,
               "certificate verify failed: path length constraint exceeded",
               "httpr policy: depth 2: pathLenConstraint 0 exceeded");
  /* The library's findings, when it had some, replace the detail. */
  f.verify_detail = "lib: flags; httpr policy: depth 2";
  hr_tls_decide(&f, &err);
  assert_string_equal(err.detail, "lib: flags; httpr policy: depth 2");
}

static void verification_only_fails_a_handshake(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_tls_facts f = handshake();
  f.op = HR_TLS_OP_READ;
  f.verify_failed = 1;
  f.verify_reason = HR_VERIFY_EXPIRED;
  assert_int_equal(hr_tls_decide(&f, &err), HR_TLS_OUT_FAILED);
  assert_error(&err, HTTPR_E_RECV, "TLS read failed: lib words",
               "lib: E_X (-1): lib words");
}

static void closed_during_the_handshake(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_tls_facts f = handshake();
  f.peer_closed = 1;
  f.version_failure = 1;
  assert_int_equal(hr_tls_decide(&f, &err), HR_TLS_OUT_CLOSED);
  assert_error(&err, HTTPR_E_TLS_HANDSHAKE,
               "TLS handshake failed: the server closed the connection",
               "lib: E_X (-1): lib words");
}

static void closed_after_the_handshake(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_tls_facts f = handshake();
  f.op = HR_TLS_OP_READ;
  f.peer_closed = 1;
  f.lib_detail = NULL;
  assert_int_equal(hr_tls_decide(&f, &err), HR_TLS_OUT_CLOSED);
  assert_error(&err, HTTPR_E_RECV, "connection closed without TLS close_notify",
               "");
}

static void version_failure(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_tls_facts f = handshake();
  f.version_failure = 1;
  assert_int_equal(hr_tls_decide(&f, &err), HR_TLS_OUT_VERSION);
  assert_error(&err, HTTPR_E_TLS_HANDSHAKE,
               "no TLS version in common with the server (offered TLSv1.2 to "
               "TLSv1.3)",
               "lib: E_X (-1): lib words");
}

static void the_library_words_last(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_tls_facts f = handshake();
  assert_int_equal(hr_tls_decide(&f, &err), HR_TLS_OUT_FAILED);
  assert_error(&err, HTTPR_E_TLS_HANDSHAKE, "TLS handshake failed: lib words",
               "lib: E_X (-1): lib words");
  f.op = HR_TLS_OP_WRITE;
  hr_tls_decide(&f, &err);
  assert_error(&err, HTTPR_E_SEND, "TLS write failed: lib words",
               "lib: E_X (-1): lib words");
  f.op = HR_TLS_OP_SHUTDOWN;
  f.lib_reason = NULL;
  hr_tls_decide(&f, &err);
  assert_error(&err, HTTPR_E_SEND, "TLS shutdown failed: unknown error",
               "lib: E_X (-1): lib words");
}

static void no_application_protocol_is_http2s(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_tls_facts f = handshake();
  f.alert = HR_ALERT_NO_APPLICATION_PROTOCOL;
  assert_int_equal(hr_tls_decide(&f, &err), HR_TLS_OUT_ALERT);
  assert_error(&err, HTTPR_E_PROTOCOL,
               "the server speaks none of the HTTP versions offered (server "
               "sent alert no_application_protocol)",
               "lib: E_X (-1): lib words");
  assert_int_equal(err.http2, 1);
}

/* ---- the transport bookkeeping ------------------------------------------- */

struct fake_io {
  long result; /* what the callback returns */
  int errnum;  /* errno it leaves with -1 */
};

static long fake_send(void *ctx, const void *buf, size_t len) {
  struct fake_io *io = ctx;
  (void)buf;
  (void)len;
  errno = io->errnum;
  return io->result;
}

static long fake_recv(void *ctx, void *buf, size_t len) {
  return fake_send(ctx, buf, len);
}

static void io_bookkeeping(void **state) {
  (void)state;
  struct fake_io fake = {.result = 5};
  struct hr_io_state s = {.io = {fake_send, fake_recv, &fake}};
  char buf[8];
  size_t moved = 99;
  assert_int_equal(hr_io_send(&s, buf, 8, &moved), HR_IO_MOVED);
  assert_int_equal(moved, 5);
  fake = (struct fake_io){.result = -1, .errnum = EAGAIN};
  assert_int_equal(hr_io_recv(&s, buf, 8, &moved), HR_IO_BLOCKED);
  assert_int_equal(moved, 0);
  assert_int_equal(s.blocked, 1);
  assert_int_equal(s.failed, HR_IO_OK);
  fake = (struct fake_io){.result = -1, .errnum = ECONNRESET};
  assert_int_equal(hr_io_send(&s, buf, 8, &moved), HR_IO_BROKEN);
  assert_int_equal(s.failed, HR_IO_SEND_FAILED);
  assert_int_equal(s.err_no, ECONNRESET);
  /* A send that takes nothing without an errno is a broken pipe. */
  hr_io_begin(&s);
  assert_int_equal(s.blocked, 0);
  assert_int_equal(s.failed, HR_IO_OK);
  fake = (struct fake_io){.result = 0};
  assert_int_equal(hr_io_send(&s, buf, 8, &moved), HR_IO_END);
  assert_int_equal(s.err_no, EPIPE);
  /* The end of the stream stays seen. */
  hr_io_begin(&s);
  assert_int_equal(hr_io_recv(&s, buf, 8, &moved), HR_IO_END);
  assert_int_equal(s.eof, 1);
  assert_int_equal(s.failed, HR_IO_OK);
  hr_io_begin(&s);
  assert_int_equal(s.eof, 1);
}

/* ---- small helpers ------------------------------------------------------- */

static void conn_arguments_and_names(void **state) {
  (void)state;
  httpr_error err = {0};
  struct fake_io fake = {0};
  struct hr_tls_io io = {fake_send, fake_recv, &fake};
  struct hr_tls_io half = {fake_send, NULL, &fake};
  int ctx = 0;
  assert_int_equal(hr_tls_conn_check(&ctx, "h", &io, &err), HTTPR_OK);
  assert_int_equal(hr_tls_conn_check(&ctx, "", &io, &err), HTTPR_E_INVALID);
  assert_string_equal(err.message,
                      "TLS connection without a host or I/O callbacks");
  assert_int_equal(hr_tls_conn_check(&ctx, "h", &half, &err),
                   HTTPR_E_INVALID);
  assert_int_equal(hr_tls_conn_check(NULL, "h", &io, &err), HTTPR_E_INVALID);
  char *given = NULL, *name = NULL;
  assert_int_equal(hr_tls_conn_names("example.com.", &given, &name), 0);
  assert_string_equal(given, "example.com.");
  assert_string_equal(name, "example.com");
  free(given);
  free(name);
  assert_int_equal(hr_tls_conn_names(".", &given, &name), 0);
  assert_string_equal(name, ".");
  free(given);
  free(name);
}

static void versions(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_tls_settings s = {0};
  int min = 0, max = 0;
  assert_int_equal(hr_tls_versions(&s, &min, &max, &err), HTTPR_OK);
  assert_int_equal(min, 12);
  assert_int_equal(max, 0);
  s.min_version = 13;
  s.max_version = 12;
  assert_int_equal(hr_tls_versions(&s, &min, &max, &err), HTTPR_E_INVALID);
  assert_string_equal(err.message, "minimum TLS version is above the maximum");
  s.min_version = 11;
  s.max_version = 14;
  hr_tls_versions(&s, &min, &max, &err);
  assert_string_equal(err.message, "unknown TLS version 11");
  s.min_version = 12;
  hr_tls_versions(&s, &min, &max, &err);
  assert_string_equal(err.message, "unknown TLS version 14");
}

static void copy_str_cuts_to_fit(void **state) {
  (void)state;
  char small[4];
  hr_copy_str(small, sizeof(small), "abcdef", 6);
  assert_string_equal(small, "abc");
  hr_copy_str(small, sizeof(small), "xyz!", 2);
  assert_string_equal(small, "xy");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(alert_beats_the_broken_pipe_it_causes),
      cmocka_unit_test(broken_pipe_without_alert),
      cmocka_unit_test(alert_without_its_name_in_the_detail),
      cmocka_unit_test(protocol_version_alert_is_a_version_mismatch),
      cmocka_unit_test(io_failure_beats_everything),
      cmocka_unit_test(io_failure_with_the_library_detail),
      cmocka_unit_test(verify_beats_alert_and_close),
      cmocka_unit_test(chain_defect_beats_identity_mismatch),
      cmocka_unit_test(identity_mismatch_alone),
      cmocka_unit_test(policy_verdict_names_its_reason),
      cmocka_unit_test(verification_only_fails_a_handshake),
      cmocka_unit_test(closed_during_the_handshake),
      cmocka_unit_test(closed_after_the_handshake),
      cmocka_unit_test(version_failure),
      cmocka_unit_test(the_library_words_last),
      cmocka_unit_test(no_application_protocol_is_http2s),
      cmocka_unit_test(io_bookkeeping),
      cmocka_unit_test(conn_arguments_and_names),
      cmocka_unit_test(versions),
      cmocka_unit_test(copy_str_cuts_to_fit),
  };
  return cmocka_run_group_tests_name("tls_conn", tests, NULL, NULL);
}
