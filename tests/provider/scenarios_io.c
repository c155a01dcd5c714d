/* SPDX-License-Identifier: MIT */
/*
 * scenarios_io.c - the non-blocking contract of a provider's connection:
 * want-write, want-read and byte-at-a-time progress through a handshake,
 * its info, application data both ways, writes repeated after
 * want-write, close_notify in both directions, EOF without it, and broken
 * transports, with the shared wording of each error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/provider/scenarios.h"

static void want_write_then_want_read_then_done(void **state) {
  (void)state;
  struct hr_tls_settings cs = client_settings("root-ca.pem");
  struct session s;
  httpr_error err = {0};
  session_begin(&s, &cs, NULL, "localhost");
  expect_hello_then_wait(&s.l, &err);
  if (!has_tls13()) {
    /* TLS 1.2: the server's flight comes; the client's whole answer (key
     * exchange, change cipher spec, Finished) leaves in one send. */
    server_hooks.server_step(&s.l);
    unsigned long sends = s.l.send_calls;
    assert_int_equal(P->handshake(s.l.conn, &err), HR_TLS_WANT_READ);
    assert_int_equal(s.l.send_calls, sends + 1);
  }
  expect_handshake_ok(&s.l);
  /* Once done, done again. */
  assert_int_equal(P->handshake(s.l.conn, &err), HR_TLS_DONE);
  assert_int_equal(err.code, HTTPR_OK);

  struct hr_tls_info info;
  memset(&info, 0x55, sizeof(info));
  P->info(s.l.conn, &info);
  assert_string_equal(info.version, newest_version(0));
  assert_string_equal(info.cipher, server_cipher(&s.l));
  assert_memory_equal(info.cipher, "TLS_", 4);
  if (X->cipher)
    assert_string_equal(info.cipher, X->cipher);
  assert_string_equal(info.alpn, "http/1.1");
  assert_string_equal(info.subject, "CN=localhost");
  assert_string_equal(info.issuer, "CN=httpr test intermediate");
  assert_int_equal(info.resumed, 0);
  /* SNI carried the name; X25519 was the group. */
  assert_string_equal(server_sni(&s.l), "localhost");
  if (X->x25519)
    assert_true(server_group_is_x25519(&s.l));
  close_session(&s);
}

static void byte_at_a_time(void **state) {
  (void)state;
  expect_byte_at_a_time();
}

static void application_data_both_ways(void **state) {
  (void)state;
  struct session s;
  open_session(&s, 0);
  httpr_error err = {0};
  size_t got = 7;
  unsigned char byte;
  if (has_tls13()) {
    /* Only session tickets are queued: they are taken, and the read wants
     * more instead of reporting zero bytes. */
    assert_true(s.l.s2c.len > 0);
  } else {
    /* A TLS 1.2 session ticket comes within the handshake: nothing
     * waits. */
    assert_int_equal(s.l.s2c.len, 0);
  }
  assert_int_equal(P->read(s.l.conn, &byte, 1, &got, &err), HR_TLS_WANT_READ);
  assert_int_equal(got, 0);
  assert_int_equal(s.l.s2c.len, 0);

  static const char request[] = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
  size_t put = 0;
  assert_int_equal(P->write(s.l.conn, request, strlen(request), &put, &err),
                   HR_TLS_DONE);
  assert_int_equal(put, strlen(request));
  char seen[64] = {0};
  server_read_exact(&s.l, (unsigned char *)seen, strlen(request));
  assert_string_equal(seen, request);

  /* 100 KB: several records, read in pieces of at most 1000 bytes. */
  size_t n = 100 * 1024;
  unsigned char *out = malloc(n), *in = calloc(1, n);
  assert_non_null(out);
  assert_non_null(in);
  for (size_t i = 0; i < n; i++)
    out[i] = (unsigned char)(i % 251);
  server_hooks.server_write(&s.l, out, n);
  size_t total = 0;
  for (int i = 0; i < 1000 && total < n; i++) {
    size_t cap = n - total < 1000 ? n - total : 1000;
    assert_int_equal(P->read(s.l.conn, in + total, cap, &got, &err),
                     HR_TLS_DONE);
    assert_true(got > 0 && got <= cap);
    total += got;
  }
  assert_int_equal(total, n);
  assert_memory_equal(in, out, n);
  assert_int_equal(P->read(s.l.conn, in, n, &got, &err), HR_TLS_WANT_READ);
  /* A large write goes out record by record, all of it in the end. */
  client_write_all(&s.l, out, n, ROUNDS);
  memset(in, 0, n);
  server_read_exact(&s.l, in, n);
  assert_memory_equal(in, out, n);
  /* Zero-length calls move nothing. */
  assert_int_equal(P->read(s.l.conn, in, 0, &got, &err), HR_TLS_DONE);
  assert_int_equal(got, 0);
  assert_int_equal(P->write(s.l.conn, out, 0, &put, &err), HR_TLS_DONE);
  assert_int_equal(put, 0);
  assert_int_equal(err.code, HTTPR_OK);
  free(out);
  free(in);
  close_session(&s);
}

static void write_wants_write_then_completes(void **state) {
  (void)state;
  struct session s;
  open_session(&s, 0);
  httpr_error err = {0};
  static const char msg[] = "hello over a full socket";
  size_t put = 99;
  s.l.send_blocked = 1;
  assert_int_equal(P->write(s.l.conn, msg, strlen(msg), &put, &err),
                   HR_TLS_WANT_WRITE);
  assert_int_equal(put, 0);
  assert_int_equal(P->write(s.l.conn, msg, strlen(msg), &put, &err),
                   HR_TLS_WANT_WRITE);
  s.l.send_blocked = 0;
  /* The same call again, as the contract asks: done, every byte once. */
  assert_int_equal(P->write(s.l.conn, msg, strlen(msg), &put, &err),
                   HR_TLS_DONE);
  assert_int_equal(put, strlen(msg));
  char seen[64] = {0};
  server_read_exact(&s.l, (unsigned char *)seen, strlen(msg));
  assert_string_equal(seen, msg);
  assert_int_equal(s.l.c2s.len, 0);
  /* A record half sent when the socket filled up is finished later. */
  s.l.trickle = 1;
  client_write_all(&s.l, (const unsigned char *)msg, strlen(msg), ROUNDS * 10);
  memset(seen, 0, sizeof(seen));
  server_read_exact(&s.l, (unsigned char *)seen, strlen(msg));
  assert_string_equal(seen, msg);
  close_session(&s);
}

static void close_notify_is_closed(void **state) {
  (void)state;
  struct session s;
  open_session(&s, 0);
  httpr_error err = {0};
  unsigned char buf[16];
  size_t got = 0;
  server_hooks.server_write(&s.l, "bye", 3);
  server_shutdown(&s.l);
  assert_int_equal(P->read(s.l.conn, buf, sizeof(buf), &got, &err),
                   HR_TLS_DONE);
  assert_int_equal(got, 3);
  assert_memory_equal(buf, "bye", 3);
  assert_int_equal(P->read(s.l.conn, buf, sizeof(buf), &got, &err),
                   HR_TLS_CLOSED);
  assert_int_equal(got, 0);
  assert_int_equal(err.code, HTTPR_OK);
  /* Our close_notify answers it. */
  assert_int_equal(P->shutdown(s.l.conn, &err), HR_TLS_DONE);
  server_expect_close_notify(&s.l);
  close_session(&s);
}

static void client_shutdown_sends_close_notify(void **state) {
  (void)state;
  struct session s;
  open_session(&s, 12);
  httpr_error err = {0};
  s.l.send_blocked = 1;
  assert_int_equal(P->shutdown(s.l.conn, &err), HR_TLS_WANT_WRITE);
  s.l.send_blocked = 0;
  assert_int_equal(P->shutdown(s.l.conn, &err), HR_TLS_DONE);
  server_expect_close_notify(&s.l);
  close_session(&s);
}

static void eof_without_close_notify(void **state) {
  (void)state;
  struct session s;
  open_session(&s, 0);
  httpr_error err = {0};
  unsigned char buf[16];
  size_t got = 9;
  s.l.s2c_eof = 1;
  assert_int_equal(P->read(s.l.conn, buf, sizeof(buf), &got, &err),
                   HR_TLS_ERROR);
  assert_int_equal(got, 0);
  assert_int_equal(err.code, HTTPR_E_RECV);
  assert_string_equal(err.message,
                      "connection closed without TLS close_notify");
  expect_detail(err.detail, X->eof);
  if (X->expect_clean)
    X->expect_clean();
  /* After a fatal error there is nothing to close. */
  size_t before = s.l.c2s.len;
  assert_int_equal(P->shutdown(s.l.conn, &err), HR_TLS_DONE);
  assert_int_equal(s.l.c2s.len, before);
  close_session(&s);
}

static void transport_errors(void **state) {
  (void)state;
  struct session s;
  open_session(&s, 0);
  httpr_error err = {0};
  unsigned char buf[16];
  size_t n = 0;
  /* A broken pipe is passed over under the library (hr_io_send) and the
   * write it completed reports it. */
  s.l.send_errno = EPIPE;
  assert_int_equal(P->write(s.l.conn, "x", 1, &n, &err), HR_TLS_ERROR);
  assert_int_equal(err.code, HTTPR_E_SEND);
  assert_string_equal(err.message, "connection broke while sending: Broken "
                                   "pipe");
  assert_string_equal(err.detail, "errno 32");
  close_session(&s);

  open_session(&s, 0);
  memset(&err, 0, sizeof(err));
  s.l.recv_errno = ECONNRESET;
  assert_int_equal(P->read(s.l.conn, buf, sizeof(buf), &n, &err), HR_TLS_ERROR);
  assert_int_equal(err.code, HTTPR_E_RECV);
  assert_string_equal(err.message, "connection broke while receiving: "
                                   "Connection reset by peer");
  assert_string_equal(err.detail, "errno 104");
  if (X->expect_clean)
    X->expect_clean();
  close_session(&s);

  /* And during the handshake, where any broken transport is the
   * handshake's failure. */
  struct hr_tls_settings cs = client_settings("root-ca.pem");
  memset(&err, 0, sizeof(err));
  session_begin(&s, &cs, NULL, "localhost");
  s.l.send_errno = ECONNREFUSED;
  assert_int_equal(P->handshake(s.l.conn, &err), HR_TLS_ERROR);
  assert_int_equal(err.code, HTTPR_E_TLS_HANDSHAKE);
  assert_string_equal(err.message, "TLS handshake failed: connection broke "
                                   "while sending: Connection refused");
  close_session(&s);
}

static void handshake_ended_by_server(void **state) {
  (void)state;
  struct hr_tls_settings cs = client_settings("root-ca.pem");
  struct session s;
  httpr_error err = {0};
  session_begin(&s, &cs, NULL, "localhost");
  s.l.s2c_eof = 1; /* the server closes without a word */
  assert_int_equal(P->handshake(s.l.conn, &err), HR_TLS_ERROR);
  assert_int_equal(err.code, HTTPR_E_TLS_HANDSHAKE);
  assert_string_equal(err.message,
                      "TLS handshake failed: the server closed the connection");
  expect_detail(err.detail, X->server_closed);
  close_session(&s);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(want_write_then_want_read_then_done),
    cmocka_unit_test(byte_at_a_time),
    cmocka_unit_test(application_data_both_ways),
    cmocka_unit_test(write_wants_write_then_completes),
    cmocka_unit_test(close_notify_is_closed),
    cmocka_unit_test(client_shutdown_sends_close_notify),
    cmocka_unit_test(eof_without_close_notify),
    cmocka_unit_test(transport_errors),
    cmocka_unit_test(handshake_ended_by_server),
};
const struct scenario_table io_scenarios = TABLE(tests);
