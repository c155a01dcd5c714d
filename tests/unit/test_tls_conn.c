/* SPDX-License-Identifier: MIT */
/*
 * test_tls_conn.c - the one decision of which failure a failed TLS call
 * reports (hr_tls_decide), case by case of precedence: an alert against
 * the broken pipe it causes, a broken connection against everything, a
 * chain defect against a name mismatch, a close during the handshake and
 * after it, versions, and the library's own words last. Each asserts the
 * exact code, message and detail every provider gives; the small helpers
 * of backends/tls_conn.h (the facts initialiser, the library's words as
 * detail, the trust-load detail, the ALPN check, the untrusted-chain
 * linking of tls_errors.h) come last.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* In the handshake a broken send without an alert is the server closing
 * the connection (35); after it, the broken send. */
static void broken_pipe_without_alert(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_tls_facts f = handshake();
  f.send_broken = EPIPE;
  f.peer_closed = 1;
  assert_int_equal(hr_tls_decide(&f, &err), HR_TLS_OUT_CLOSED);
  assert_error(&err, HTTPR_E_TLS_HANDSHAKE,
               "TLS handshake failed: the server closed the connection",
               "lib: E_X (-1): lib words");
  memset(&err, 0, sizeof(err));
  f.op = HR_TLS_OP_READ;
  assert_int_equal(hr_tls_decide(&f, &err), HR_TLS_OUT_IO);
  assert_error(&err, HTTPR_E_SEND,
               "connection broke while sending: Broken pipe", "errno 32");
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
  /* In the handshake a reset is the server closing the connection. */
  assert_error(&err, HTTPR_E_TLS_HANDSHAKE,
               "TLS handshake failed: the server closed the connection",
               "errno 104 (Connection reset by peer)");
  memset(&err, 0, sizeof(err));
  f.io_errno = ETIMEDOUT;
  assert_int_equal(hr_tls_decide(&f, &err), HR_TLS_OUT_IO);
  assert_error(&err, HTTPR_E_TLS_HANDSHAKE,
               "TLS handshake failed: connection broke while receiving: "
               "Connection timed out",
               "errno 110");
  memset(&err, 0, sizeof(err));
  f.op = HR_TLS_OP_READ;
  f.io_errno = ECONNRESET;
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
  assert_error(&err, HTTPR_E_SEND,
               "connection broke while sending: Broken pipe",
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

/* The status check runs once the chain and the name passed, and is
 * reported before the alert that follows it (ours) and the close. */
static void cert_status_after_verification(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_ocsp_verdict v = {.reason = HR_OCSP_NOT_STAPLED};
  struct hr_tls_facts f = handshake();
  f.cert_status = &v;
  f.alert = HR_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE;
  f.peer_closed = 1;
  assert_int_equal(hr_tls_decide(&f, &err), HR_TLS_OUT_STATUS);
  assert_error(&err, HTTPR_E_CERT_STATUS,
               "certificate status check failed: no OCSP response was "
               "stapled",
               "the server sent no OCSP response");
  f.verify_failed = 1;
  f.verify_reason = HR_VERIFY_EXPIRED;
  assert_int_equal(hr_tls_decide(&f, &err), HR_TLS_OUT_VERIFY);
  assert_int_equal(err.code, HTTPR_E_CERT_EXPIRED);
  f = handshake();
  f.cert_status = &v;
  f.io_failed = HR_IO_RECV_FAILED;
  f.io_errno = ECONNRESET;
  assert_int_equal(hr_tls_decide(&f, &err), HR_TLS_OUT_IO);
  f = handshake();
  f.op = HR_TLS_OP_READ;
  f.cert_status = &v;
  assert_int_equal(hr_tls_decide(&f, &err), HR_TLS_OUT_FAILED);
  assert_int_equal(err.code, HTTPR_E_RECV);
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
  char buf[8] = "abcdefg";
  size_t moved = 99;
  assert_int_equal(hr_io_send(&s, buf, 8, &moved), HR_IO_MOVED);
  assert_int_equal(moved, 5);
  fake = (struct fake_io){.result = -1, .errnum = EAGAIN};
  assert_int_equal(hr_io_recv(&s, buf, 8, &moved), HR_IO_BLOCKED);
  assert_int_equal(moved, 0);
  assert_int_equal(s.blocked, 1);
  assert_int_equal(s.failed, HR_IO_OK);
  fake = (struct fake_io){.result = -1, .errnum = EIO};
  assert_int_equal(hr_io_send(&s, buf, 8, &moved), HR_IO_BROKEN);
  assert_int_equal(s.failed, HR_IO_SEND_FAILED);
  assert_int_equal(s.err_no, EIO);
  /* A send the peer broke is passed over: taken whole, and kept (the
   * first errno) for the call to report. */
  hr_io_begin(&s);
  assert_int_equal(s.blocked, 0);
  assert_int_equal(s.failed, HR_IO_OK);
  fake = (struct fake_io){.result = -1, .errnum = ECONNRESET};
  assert_int_equal(hr_io_send(&s, buf, 8, &moved), HR_IO_MOVED);
  assert_int_equal(moved, 8);
  assert_int_equal(s.failed, HR_IO_OK);
  assert_int_equal(s.send_broken, ECONNRESET);
  /* So is one that takes nothing without an errno (a broken pipe). */
  fake = (struct fake_io){.result = 0};
  assert_int_equal(hr_io_send(&s, buf, 8, &moved), HR_IO_MOVED);
  hr_io_begin(&s);
  assert_int_equal(s.send_broken, ECONNRESET); /* stays */
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
  assert_int_equal(hr_tls_conn_check(&ctx, "h", &half, &err), HTTPR_E_INVALID);
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
  assert_int_equal(hr_tls_versions(&s, NULL, &min, &max, &err), HTTPR_OK);
  assert_int_equal(min, 12);
  assert_int_equal(max, 0);
  s.min_version = 13;
  s.max_version = 12;
  assert_int_equal(hr_tls_versions(&s, NULL, &min, &max, &err),
                   HTTPR_E_INVALID);
  assert_string_equal(err.message, "minimum TLS version is above the maximum");
  s.min_version = 11;
  s.max_version = 14;
  hr_tls_versions(&s, NULL, &min, &max, &err);
  assert_string_equal(err.message, "unknown TLS version 11");
  s.min_version = 12;
  hr_tls_versions(&s, NULL, &min, &max, &err);
  assert_string_equal(err.message, "unknown TLS version 14");
}

/* The system's range is a floor: httpr's defaults yield to it, explicit
 * versions it forbids are refused. */
static void versions_within_system_policy(void **state) {
  (void)state;
  httpr_error err = {0};
  struct hr_tls_settings s = {0};
  int min = 0, max = 0;
  struct hr_tls_policy looser = {.min = 10, .name = "P"};
  assert_int_equal(hr_tls_versions(&s, &looser, &min, &max, &err), HTTPR_OK);
  assert_int_equal(min, 12); /* ours is stricter */
  assert_int_equal(max, 0);
  struct hr_tls_policy only13 = {.min = 13, .name = "P"};
  assert_int_equal(hr_tls_versions(&s, &only13, &min, &max, &err), HTTPR_OK);
  assert_int_equal(min, 13);
  s.min_version = 12;
  assert_int_equal(hr_tls_versions(&s, &only13, &min, &max, &err),
                   HTTPR_E_UNSUPPORTED);
  assert_string_equal(err.message,
                      "TLS 1.2 was asked for as the lowest TLS version, but P "
                      "allows TLS 1.3 at least");
  s.min_version = 0;
  s.max_version = 12;
  assert_int_equal(hr_tls_versions(&s, &only13, &min, &max, &err),
                   HTTPR_E_UNSUPPORTED);
  assert_string_equal(err.message,
                      "no TLS version is left: P allows TLS 1.3 to TLS 1.3, "
                      "and TLS 1.2 to TLS 1.2 were asked for");
  struct hr_tls_policy upto12 = {.max = 12, .name = "P"};
  s.max_version = 13;
  assert_int_equal(hr_tls_versions(&s, &upto12, &min, &max, &err), HTTPR_OK);
  assert_int_equal(min, 12);
  assert_int_equal(max, 12); /* an upper bound only narrows */
  s.min_version = 13;
  assert_int_equal(hr_tls_versions(&s, &upto12, &min, &max, &err),
                   HTTPR_E_UNSUPPORTED);
}

/* Groups by IANA name, in order, ':' or ',' between, any case. */
static void groups_parsed(void **state) {
  (void)state;
  httpr_error err = {0};
  enum hr_group g[HR_GROUPS_MAX];
  size_t n = 99;
  struct hr_tls_settings s = {0};
  assert_int_equal(hr_tls_groups(&s, g, &n, &err), HTTPR_OK);
  assert_int_equal(n, 0);
  s.groups = "X25519,secp384r1:ffdhe2048";
  assert_int_equal(hr_tls_groups(&s, g, &n, &err), HTTPR_OK);
  assert_int_equal(n, 3);
  assert_int_equal(g[0], HR_GROUP_X25519);
  assert_int_equal(g[1], HR_GROUP_SECP384R1);
  assert_int_equal(g[2], HR_GROUP_FFDHE2048);
  s.groups = "x25519:prime256v1";
  assert_int_equal(hr_tls_groups(&s, g, &n, &err), HTTPR_E_UNSUPPORTED);
  assert_string_equal(err.message, "unknown key exchange group 'prime256v1'");
  s.groups = "x25519::secp256r1";
  assert_int_equal(hr_tls_groups(&s, g, &n, &err), HTTPR_E_INVALID);
  s.groups = "x25519:secp256r1:X25519";
  assert_int_equal(hr_tls_groups(&s, g, &n, &err), HTTPR_E_INVALID);
  assert_string_equal(err.message,
                      "the key exchange group x25519 is listed twice");
  assert_int_equal(hr_tls_group_unsupported(&err, "p", HR_GROUP_X448),
                   HTTPR_E_UNSUPPORTED);
  assert_string_equal(err.message,
                      "the p provider does not support the key exchange "
                      "group x448");
}

static void copy_str_cuts_to_fit(void **state) {
  (void)state;
  char small[4];
  hr_copy_str(small, sizeof(small), "abcdef", 6);
  assert_string_equal(small, "abc");
  hr_copy_str(small, sizeof(small), "xyz!", 2);
  assert_string_equal(small, "xy");
}

static void facts_start_from_the_connection(void **state) {
  (void)state;
  struct hr_tls_ctx_base ctx = {.min_version = 12, .max_version = 13};
  struct hr_io_state io = {.failed = HR_IO_RECV_FAILED, .err_no = ECONNRESET};
  struct hr_tls_facts f;
  memset(&f, 0x5a, sizeof(f)); /* whatever was there before */
  hr_tls_facts_init(&f, HR_TLS_OP_READ, "example.com", &ctx, &io);
  assert_int_equal(f.op, HR_TLS_OP_READ);
  assert_string_equal(f.host, "example.com");
  assert_int_equal(f.min_version, 12);
  assert_int_equal(f.max_version, 13);
  assert_int_equal(f.io_failed, HR_IO_RECV_FAILED);
  assert_int_equal(f.io_errno, ECONNRESET);
  assert_int_equal(f.alert, -1);
  assert_int_equal(f.io_with_detail, 0);
  assert_int_equal(f.send_broken, 0);
  assert_int_equal(f.peer_closed, 0);
  assert_int_equal(f.verify_failed, 0);
  assert_int_equal(f.identity_mismatch, 0);
  assert_int_equal(f.version_failure, 0);
  assert_null(f.policy);
  assert_null(f.alert_name);
  assert_null(f.lib_reason);
  assert_null(f.lib_detail);
  struct hr_tls_settings s = {.verify = 1, .verify_hostname = 0};
  struct hr_tls_ctx_base b = {.min_version = 13};
  hr_tls_ctx_base_init(&b, &s);
  assert_int_equal(b.verify, 1);
  assert_int_equal(b.verify_hostname, 0);
  assert_null(b.keylog);
  assert_int_equal(b.min_version, 13); /* the versions are the provider's */
}

/* A library's words: "lib: <code>", or a text longer than any detail. */
static void fake_words(char *out, size_t cap, int code) {
  snprintf(out, cap, "lib: %d", code);
}

static void long_words(char *out, size_t cap, int code) {
  (void)code;
  memset(out, 'w', cap - 1);
  out[cap - 1] = '\0';
}

static void library_words_as_the_detail(void **state) {
  (void)state;
  httpr_error err = {0};
  hr_fail(&err, HTTPR_E_CLIENT_CERT, "some failure");
  assert_int_equal(hr_tls_with_detail(&err, fake_words, -42),
                   HTTPR_E_CLIENT_CERT);
  assert_error(&err, HTTPR_E_CLIENT_CERT, "some failure", "lib: -42");
  hr_tls_with_detail(&err, long_words, 0);
  assert_int_equal(strlen(err.detail), sizeof(err.detail) - 1);
}

/* A trust block the library refuses, with its error. */
static int refuse_block(const struct hr_pem_block *b, void *ud) {
  (void)b;
  *(int *)ud = -7;
  return 0;
}

static void trust_load_names_the_refused_block(void **state) {
  (void)state;
  httpr_error err = {0};
  char path[] = "/tmp/test_tls_conn_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  static const char pem[] = "-----BEGIN CERTIFICATE-----\nAAAA\n"
                            "-----END CERTIFICATE-----\n";
  assert_int_equal(write(fd, pem, sizeof(pem) - 1), (ssize_t)sizeof(pem) - 1);
  close(fd);
  struct hr_trust t = {.ca_file = path, .origin = "config"};
  int last = 0;
  assert_int_equal(
      hr_tls_trust_load(&t, refuse_block, &last, &last, fake_words, &err),
      HTTPR_E_CA_FILE);
  assert_string_equal(err.detail, "lib: -7");
  /* A failure with a detail of its own keeps it, even after a refused
   * block; with none refused, there is none. */
  unlink(path);
  last = -7;
  assert_int_equal(
      hr_tls_trust_load(&t, refuse_block, &last, &last, fake_words, &err),
      HTTPR_E_CA_FILE);
  char errno_detail[32];
  snprintf(errno_detail, sizeof(errno_detail), "errno %d", ENOENT);
  assert_string_equal(err.detail, errno_detail);
  last = 0;
  struct hr_trust none = {.origin = "config"};
  assert_int_equal(
      hr_tls_trust_load(&none, refuse_block, &last, &last, fake_words, &err),
      HTTPR_E_CA_FILE);
  assert_string_equal(err.detail, "");
}

static void alpn_list_checked_once(void **state) {
  (void)state;
  httpr_error err = {0};
  size_t count = 9;
  struct hr_tls_settings s = {0};
  assert_int_equal(hr_tls_alpn_check(&s, &count, &err), HTTPR_OK);
  assert_int_equal(count, 0);
  s.alpn = (const unsigned char *)"\x02h2\x08http/1.1";
  s.alpn_len = 12;
  assert_int_equal(hr_tls_alpn_check(&s, &count, &err), HTTPR_OK);
  assert_int_equal(count, 2);
  s.alpn_len = 0;
  assert_int_equal(hr_tls_alpn_check(&s, &count, &err), HTTPR_OK);
  assert_int_equal(count, 0);
  static const struct {
    const char *list;
    size_t len;
  } bad[] = {
      {"\x00", 1},           /* an empty name */
      {"\x02h2\x00", 4},     /* an empty name after a good one */
      {"\x05h2", 3},         /* runs past the end */
      {"\x02h2\x08http", 7}, /* the last runs past the end */
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    s.alpn = (const unsigned char *)bad[i].list;
    s.alpn_len = bad[i].len;
    memset(&err, 0, sizeof(err));
    assert_int_equal(hr_tls_alpn_check(&s, &count, &err), HTTPR_E_INVALID);
    assert_error(&err, HTTPR_E_INVALID, "the ALPN protocol list is invalid",
                 "");
  }
  unsigned char *big = calloc(1, 0x10000);
  assert_non_null(big);
  s.alpn = big;
  s.alpn_len = 0x10000;
  assert_int_equal(hr_tls_alpn_check(&s, &count, &err), HTTPR_E_INVALID);
  assert_string_equal(err.message, "the ALPN protocol list is invalid");
  free(big);
}

static void host_refused_by_the_library(void **state) {
  (void)state;
  httpr_error err = {0};
  assert_int_equal(hr_tls_host_unusable(&err, "bad_host."), HTTPR_E_INVALID);
  assert_error(&err, HTTPR_E_INVALID,
               "host name 'bad_host.' cannot be used for TLS", "");
}

/* Certificates as (subject, issuer) names; issued() as a provider would
 * answer it. */
struct fake_chain {
  char subject[HR_SENT_CHAIN_MAX + 4], issuer[HR_SENT_CHAIN_MAX + 4];
  int asked; /* how often issued() ran: the linking is bounded */
};

static int fake_issued(void *ud, size_t child, size_t issuer) {
  struct fake_chain *c = ud;
  c->asked++;
  return c->issuer[child] == c->subject[issuer];
}

static enum hr_verify_reason chain_reason(const char *subjects,
                                          const char *issuers) {
  struct fake_chain c = {0};
  size_t n = strlen(subjects);
  memcpy(c.subject, subjects, n);
  memcpy(c.issuer, issuers, n);
  return hr_sent_chain_reason(n, fake_issued, &c);
}

static void sent_chain_linked_from_the_leaf(void **state) {
  (void)state;
  assert_int_equal(chain_reason("", ""), HR_VERIFY_UNKNOWN_ISSUER);
  /* A self-signed leaf alone, and with unrelated certificates after. */
  assert_int_equal(chain_reason("a", "a"), HR_VERIFY_SELF_SIGNED);
  assert_int_equal(chain_reason("ax", "ay"), HR_VERIFY_SELF_SIGNED);
  /* leaf a <- b <- root c, sent out of order. */
  assert_int_equal(chain_reason("acb", "bcc"), HR_VERIFY_SELF_SIGNED_IN_CHAIN);
  /* The issuer of b was not sent. */
  assert_int_equal(chain_reason("ab", "bz"), HR_VERIFY_UNKNOWN_ISSUER);
  /* a and b issue each other: each is used once, so it ends. */
  assert_int_equal(chain_reason("ab", "ba"), HR_VERIFY_UNKNOWN_ISSUER);
  /* Past HR_SENT_CHAIN_MAX the rest is not looked at: the root at the
   * end is not reached. */
  struct fake_chain c = {0};
  size_t n = HR_SENT_CHAIN_MAX + 1;
  for (size_t i = 0; i < n; i++) {
    c.subject[i] = (char)('A' + i);
    c.issuer[i] = (char)('A' + i + 1);
  }
  c.issuer[n - 1] = c.subject[n - 1];
  assert_int_equal(hr_sent_chain_reason(n, fake_issued, &c),
                   HR_VERIFY_UNKNOWN_ISSUER);
  assert_true(c.asked <= (int)(HR_SENT_CHAIN_MAX * (HR_SENT_CHAIN_MAX + 2)));
  c.asked = 0;
  assert_int_equal(hr_sent_chain_reason(n - 1, fake_issued, &c),
                   HR_VERIFY_UNKNOWN_ISSUER);
  c.issuer[n - 2] = c.subject[n - 2];
  assert_int_equal(hr_sent_chain_reason(n - 1, fake_issued, &c),
                   HR_VERIFY_SELF_SIGNED_IN_CHAIN);
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
      cmocka_unit_test(cert_status_after_verification),
      cmocka_unit_test(verification_only_fails_a_handshake),
      cmocka_unit_test(closed_during_the_handshake),
      cmocka_unit_test(closed_after_the_handshake),
      cmocka_unit_test(version_failure),
      cmocka_unit_test(the_library_words_last),
      cmocka_unit_test(no_application_protocol_is_http2s),
      cmocka_unit_test(io_bookkeeping),
      cmocka_unit_test(conn_arguments_and_names),
      cmocka_unit_test(versions),
      cmocka_unit_test(versions_within_system_policy),
      cmocka_unit_test(groups_parsed),
      cmocka_unit_test(copy_str_cuts_to_fit),
      cmocka_unit_test(facts_start_from_the_connection),
      cmocka_unit_test(library_words_as_the_detail),
      cmocka_unit_test(trust_load_names_the_refused_block),
      cmocka_unit_test(alpn_list_checked_once),
      cmocka_unit_test(host_refused_by_the_library),
      cmocka_unit_test(sent_chain_linked_from_the_leaf),
  };
  return cmocka_run_group_tests_name("tls_conn", tests, NULL, NULL);
}
