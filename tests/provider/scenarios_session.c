/* SPDX-License-Identifier: MIT */
/*
 * scenarios_session.c - what outlives one connection: the key log (the
 * TLS 1.3 secrets and the TLS 1.2 master secret, exactly what the server
 * holds, and never a line without the opt-in), a context shared by
 * threads, and session resumption by ticket or by the server's cache, its
 * refusal and the rules of offering a session.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/provider/scenarios.h"
#include "tests/unit/pki_files.h"

/* A session up to max_version with the key log at path; the client random
 * and the secret's length (TLS 1.3) or the master secret (TLS 1.2) the
 * server saw. */
static void key_log_session(int max_version, const char *path,
                            unsigned char random[32], size_t *secret_len,
                            unsigned char master[48]) {
  httpr_error err = {0};
  struct hr_keylog *log = NULL;
  assert_int_equal(hr_keylog_open(path, &log, &err, NULL), HTTPR_OK);
  struct hr_tls_settings cs = client_settings("root-ca.pem");
  cs.keylog = log;
  cs.max_version = max_version;
  struct session s;
  session_begin(&s, &cs, NULL, "localhost");
  expect_handshake_ok(&s.l);
  server_client_random(&s.l, random);
  /* Secrets are as long as the suite's hash (48 bytes for SHA-384). */
  if (max_version == 12)
    server_master_secret(&s.l, master);
  else
    *secret_len = server_secret_len(&s.l);
  close_session(&s);
  hr_keylog_close(log);
}

static void hex(char *out, const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static void key_log_lines(void **state) {
  (void)state;
  if (!(P->features & HTTPR_FEATURE_KEYLOG))
    skip(); /* the shared code refuses a key log before the provider */
  unsigned char random[32], master[48];
  size_t secret_len = 0;
  const char *path = path_of("keys.log");
  if (has_tls13()) {
    key_log_session(0, path, random, &secret_len, master);
    static const char *const labels[] = {
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
        "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0",
        "EXPORTER_SECRET"};
    int found[5] = {0};
    assert_int_equal(read_key_log(path, random, secret_len, labels, found, 5),
                     5);
    for (int i = 0; i < 5; i++)
      assert_int_equal(found[i], 1);
    unlink(path);
  }
  /* TLS 1.2: one line, the client random and the master secret, exactly
   * what the server holds. */
  key_log_session(12, path, random, &secret_len, master);
  char want[200] = "CLIENT_RANDOM ";
  hex(want + strlen(want), random, 32);
  strcat(want, " ");
  hex(want + strlen(want), master, 48);
  strcat(want, "\n");
  size_t len = 0;
  unsigned char *text = read_all("keys.log", &len, 1);
  assert_string_equal((const char *)text, want);
  free(text);
  unlink(path);
}

/* SSLKEYLOGFILE is set for the whole program (main.c), and some libraries
 * would write it on their own; with the provider no line ever went
 * there. */
static void no_key_log_without_opt_in(void **state) {
  (void)state;
  struct session s;
  open_session(&s, 0);
  close_session(&s);
  open_session(&s, 12);
  close_session(&s);
  assert_non_null(getenv("SSLKEYLOGFILE"));
  assert_int_equal(access(getenv("SSLKEYLOGFILE"), F_OK), -1);
}

/* The context's random generator, trust list and client key (signing in
 * every handshake) shared by all. */
static void context_shared_by_threads(void **state) {
  (void)state;
  struct hr_tls_settings cs = cred(HR_CRED_PEM, "client.pem", NULL, NULL);
  struct server_opts so = good_opts();
  so.require_client_cert = 1;
  void *cctx = client_ctx(&cs);
  void *server = server_hooks.server_new(&so);
  expect_shared_by_threads(cctx, server);
  server_hooks.server_free(server);
  P->context_free(cctx);
}

/* Without the feature bit a provider has none of the three calls
 * (backends/provider.h): 1 when it has them. */
static int resumable(void) {
  if (P->features & HTTPR_FEATURE_SESSION_RESUME)
    return 1;
  assert_null(P->session_export);
  assert_null(P->session_import);
  assert_null(P->session_free);
  return 0;
}

/* Tickets in TLS 1.3, tickets (with the random session id some clients
 * offer beside them) in TLS 1.2. */
static void session_resumed(void **state) {
  (void)state;
  if (!resumable())
    return;
  expect_session_resumed(12, NULL);
  expect_session_resumed(0, NULL);
}

/* A server that keeps sessions itself: TLS 1.2 resumes by session id,
 * TLS 1.3 by a ticket that only names the cached session. */
static void session_resumed_from_the_server_cache(void **state) {
  (void)state;
  if (!resumable())
    return;
  struct server_opts so = good_opts();
  so.no_tickets = 1;
  expect_session_resumed(12, &so);
  expect_session_resumed(0, &so);
}

static void session_refused_by_the_server(void **state) {
  (void)state;
  if (!resumable())
    return;
  struct server_opts so = good_opts();
  so.no_tickets = 1;
  so.no_cache = 1;
  expect_session_refused(12, &so);
  expect_session_refused(0, &so);
}

static void session_from_another_server(void **state) {
  (void)state;
  if (!resumable())
    return;
  /* A context of its own: other ticket keys, an empty cache. */
  struct server_opts so = good_opts();
  expect_session_refused(12, &so);
  expect_session_refused(0, &so);
}

static void session_offer_rules(void **state) {
  (void)state;
  if (!resumable())
    return;
  expect_session_offer_rules();
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(key_log_lines),
    cmocka_unit_test(no_key_log_without_opt_in),
    cmocka_unit_test(context_shared_by_threads),
    cmocka_unit_test(session_resumed),
    cmocka_unit_test(session_resumed_from_the_server_cache),
    cmocka_unit_test(session_refused_by_the_server),
    cmocka_unit_test(session_from_another_server),
    cmocka_unit_test(session_offer_rules),
};
const struct scenario_table session_scenarios = TABLE(tests);
