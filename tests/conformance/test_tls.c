/* SPDX-License-Identifier: MIT */
/*
 * test_tls.c - TLS versions (servers limited to 1.2 or 1.3, client minimum
 * and maximum), ALPN, a server hanging up mid-handshake, and the key
 * log's one opt-in meaning.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/conformance/suite.h"

static int has_tls13(void) {
  return (g_suite.features & HTTPR_FEATURE_TLS13) != 0;
}

static void expect_version(httpr_config *cfg, enum profile p,
                           const char *version) {
  httpr_response *resp = expect_get(cfg, url_of(p, NULL, "/"), HTTPR_OK, NULL);
  assert_string_equal(httpr_response_tls_version(resp), version);
  assert_true(strlen(httpr_response_tls_cipher(resp)) > 0);
  httpr_response_free(resp);
}

static void tls12_only_server(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  expect_version(cfg, SRV_TLS12_ONLY, "TLSv1.2");
  httpr_config_free(cfg);
}

static void tls13_only_server(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  if (has_tls13())
    expect_version(cfg, SRV_TLS13_ONLY, "TLSv1.3");
  else
    expect_get(cfg, url_of(SRV_TLS13_ONLY, NULL, "/"), HTTPR_E_TLS_HANDSHAKE,
               NULL);
  httpr_config_free(cfg);
}

static void default_is_highest_version(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  expect_version(cfg, SRV_GOOD_ECDSA, has_tls13() ? "TLSv1.3" : "TLSv1.2");
  httpr_config_free(cfg);
}

static void minimum_above_server_maximum(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_config_set_min_tls_version(cfg, HTTPR_TLS_1_3);
  httpr_error *err = httpr_error_new();
  expect_get(cfg, url_of(SRV_TLS12_ONLY, NULL, "/"),
             has_tls13() ? HTTPR_E_TLS_HANDSHAKE : HTTPR_E_UNSUPPORTED, err);
  if (has_tls13())
    assert_non_null(strstr(httpr_error_message(err), "no TLS version"));
  httpr_error_free(err);
  httpr_config_free(cfg);
}

static void maximum_below_server_minimum(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_config_set_max_tls_version(cfg, HTTPR_TLS_1_2);
  expect_get(cfg, url_of(SRV_TLS13_ONLY, NULL, "/"), HTTPR_E_TLS_HANDSHAKE,
             NULL);
  expect_version(cfg, SRV_GOOD_ECDSA, "TLSv1.2");
  httpr_config_free(cfg);
}

static void minimum_above_maximum_is_invalid(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_config_set_min_tls_version(cfg, HTTPR_TLS_1_3);
  httpr_config_set_max_tls_version(cfg, HTTPR_TLS_1_2);
  expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"),
             has_tls13() ? HTTPR_E_INVALID : HTTPR_E_UNSUPPORTED, NULL);
  httpr_config_free(cfg);
}

/* The key exchange's group by its IANA name, the same on every provider
 * that can tell (HTTPR_FEATURE_TLS_GROUP); "" on one that cannot. */
static void key_exchange_group_reported(void **state) {
  (void)state;
  const enum profile profiles[] = {SRV_GROUP_P384, SRV_GROUP_P384_TLS12};
  const char *want =
      (g_suite.features & HTTPR_FEATURE_TLS_GROUP) ? "secp384r1" : "";
  for (size_t i = 0; i < COUNT_OF(profiles); i++) {
    httpr_config *cfg = cfg_new();
    httpr_response *resp =
        expect_get(cfg, url_of(profiles[i], NULL, "/"), HTTPR_OK, NULL);
    assert_string_equal(httpr_response_tls_group(resp), want);
    httpr_response_free(resp);
    httpr_config_free(cfg);
  }
  assert_string_equal(httpr_response_tls_group(NULL), "");
}

/* The groups offered are the ones configured, by IANA name, on every
 * provider. Against a server that takes secp384r1 only: with it in the
 * list the handshake uses it (secp256r1 stays for the ECDSA P-256
 * certificate, which TLS 1.2's supported groups govern too); without it
 * the server refuses; an unknown name is refused before any connection,
 * and a name the provider cannot use says which. */
static void configured_groups_offered(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  assert_code(httpr_config_set_groups(cfg, "secp384r1:secp256r1"), HTTPR_OK);
  httpr_response *resp =
      expect_get(cfg, url_of(SRV_GROUP_P384, NULL, "/"), HTTPR_OK, NULL);
  assert_string_equal(httpr_response_tls_group(resp),
                      (g_suite.features & HTTPR_FEATURE_TLS_GROUP)
                          ? "secp384r1"
                          : "");
  httpr_response_free(resp);
  httpr_error *err = httpr_error_new();
  assert_code(httpr_config_set_groups(cfg, "x25519"), HTTPR_OK);
  expect_get(cfg, url_of(SRV_GROUP_P384, NULL, "/"), HTTPR_E_TLS_HANDSHAKE,
             err);
  assert_string_equal(httpr_error_message(err),
                      "TLS handshake failed: server sent alert "
                      "handshake_failure");
  assert_code(httpr_config_set_groups(cfg, "x25519:brainpoolP256r1"),
              HTTPR_OK);
  expect_get(cfg, url_of(SRV_GROUP_P384, NULL, "/"), HTTPR_E_UNSUPPORTED,
             err);
  assert_string_equal(httpr_error_message(err),
                      "unknown key exchange group 'brainpoolP256r1'");
  assert_code(httpr_config_set_groups(cfg, ""), HTTPR_E_INVALID);
  assert_code(httpr_config_set_groups(cfg, "x25519\r\n"), HTTPR_E_INVALID);
  assert_code(httpr_config_set_groups(NULL, "x25519"), HTTPR_E_INVALID);
  httpr_error_free(err);
  httpr_config_free(cfg);
}

static int lists_group(size_t provider, const char *group) {
  for (size_t k = 0; httpr_provider_group(provider, k); k++)
    if (strcmp(httpr_provider_group(provider, k), group) == 0)
      return 1;
  return 0;
}

/* Every known group: one the capability query lists is used (the test
 * server's OpenSSL takes them all; alone at TLS 1.3, with secp256r1 for
 * the P-256 certificate at TLS 1.2), one it does not is refused with the
 * provider's name before any connection. */
static void every_group_as_the_capability_query_says(void **state) {
  (void)state;
  static const char *const known[] = {
      "x25519",    "x448",      "secp256r1", "secp384r1",
      "secp521r1", "ffdhe2048", "ffdhe3072", "ffdhe4096"};
  size_t me = provider_index();
  assert_null(httpr_provider_group(httpr_provider_count(), 0));
  for (size_t g = 0; g < COUNT_OF(known); g++) {
    char list[64], want[160];
    /* TLS 1.2 also needs secp256r1 for the P-256 certificate. */
    snprintf(list, sizeof(list), "%s%s", known[g],
             (g_suite.features & HTTPR_FEATURE_TLS13) ||
                     strcmp(known[g], "secp256r1") == 0
                 ? ""
                 : ":secp256r1");
    httpr_config *cfg = cfg_new();
    httpr_error *err = httpr_error_new();
    assert_code(httpr_config_set_groups(cfg, list), HTTPR_OK);
    if (!lists_group(me, known[g])) {
      expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_E_UNSUPPORTED,
                 err);
      snprintf(want, sizeof(want),
               "the %s provider does not support the key exchange group %s",
               g_suite.provider, known[g]);
      assert_string_equal(httpr_error_message(err), want);
    } else {
      httpr_response *resp =
          expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_OK, err);
      if (g_suite.features & HTTPR_FEATURE_TLS_GROUP)
        assert_string_equal(httpr_response_tls_group(resp), known[g]);
      httpr_response_free(resp);
    }
    httpr_error_free(err);
    httpr_config_free(cfg);
  }
}

/* A server that sends 3 bytes and hangs up with our hello unread: by the
 * timing the client's flight meets a closed or a reset connection, or its
 * read does. Any transport failure before the handshake completes is the
 * handshake's (35), and reads alike whichever came first, every time. */
#define HANG_UP_RUNS 200

static void server_hanging_up_in_handshake(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_client *client = client_of(cfg);
  httpr_request *req = NULL;
  assert_code(httpr_request_new(&req, "GET", url_of(SRV_HANG_UP, NULL, "/"),
                                NULL),
              HTTPR_OK);
  expect_every_run(client, req, HANG_UP_RUNS, HTTPR_E_TLS_HANDSHAKE,
                   "TLS handshake failed: the server closed the connection");
  httpr_request_free(req);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

static void alpn_selected(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_response *resp =
      expect_get(cfg, url_of(SRV_GOOD_ECDSA, NULL, "/"), HTTPR_OK, NULL);
  assert_string_equal(httpr_response_tls_alpn(resp), "http/1.1");
  httpr_response_free(resp);
  httpr_config_free(cfg);
}

static void server_without_alpn(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_response *resp =
      expect_get(cfg, url_of(SRV_NO_ALPN, NULL, "/"), HTTPR_OK, NULL);
  assert_string_equal(httpr_response_tls_alpn(resp), "");
  assert_int_equal(httpr_response_status(resp), 200);
  httpr_response_free(resp);
  httpr_config_free(cfg);
}

/* ---- key log ------------------------------------------------------------- */

static int is_hex(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++) {
    if (!isxdigit((unsigned char)s[i]))
      return 0;
  }
  return len > 0;
}

/* Counts valid NSS key log lines in path that carry `label`; fails the
 * test on any malformed line. */
static int count_keylog_lines(const char *path, const char *label) {
  FILE *f = fopen(path, "r");
  if (!f)
    return -1;
  char line[1024];
  int matching = 0;
  for (int n = 0; n < 1000 && fgets(line, sizeof(line), f); n++) {
    char *nl = strchr(line, '\n');
    assert_non_null(nl);
    *nl = '\0';
    char *sp1 = strchr(line, ' ');
    assert_non_null(sp1);
    char *sp2 = strchr(sp1 + 1, ' ');
    assert_non_null(sp2);
    assert_true(is_hex(sp1 + 1, (size_t)(sp2 - sp1 - 1)));
    assert_int_equal(sp2 - sp1 - 1, 64); /* 32-byte client random */
    assert_true(is_hex(sp2 + 1, strlen(sp2 + 1)));
    if ((size_t)(sp1 - line) == strlen(label) &&
        strncmp(line, label, strlen(label)) == 0)
      matching++;
  }
  fclose(f);
  return matching;
}

static httpr_code keylog_fetch(httpr_config *cfg, enum profile p) {
  httpr_response *resp = NULL;
  httpr_code rc = fetch(cfg, "GET", url_of(p, NULL, "/"), &resp, NULL);
  httpr_response_free(resp);
  return rc;
}

static int keylog_supported(void) {
  return (g_suite.features & HTTPR_FEATURE_KEYLOG) != 0;
}

static void keylog_from_config(void **state) {
  (void)state;
  const char *path = tmp_path("keys-config.log");
  unlink(path);
  httpr_config *cfg = cfg_new();
  httpr_config_set_keylog_file(cfg, path);
  if (!keylog_supported()) {
    assert_code(keylog_fetch(cfg, SRV_TLS12_ONLY), HTTPR_E_UNSUPPORTED);
    httpr_config_free(cfg);
    return;
  }
  assert_code(keylog_fetch(cfg, SRV_TLS12_ONLY), HTTPR_OK);
  assert_int_equal(count_keylog_lines(path, "CLIENT_RANDOM"), 1);
  if (has_tls13()) {
    assert_code(keylog_fetch(cfg, SRV_TLS13_ONLY), HTTPR_OK);
    assert_int_equal(
        count_keylog_lines(path, "CLIENT_HANDSHAKE_TRAFFIC_SECRET"), 1);
    assert_int_equal(count_keylog_lines(path, "CLIENT_TRAFFIC_SECRET_0"), 1);
  }
  httpr_config_free(cfg);
}

static void keylog_from_environment(void **state) {
  (void)state;
  const char *path = tmp_path("keys-env.log");
  unlink(path);
  setenv("SSLKEYLOGFILE", path, 1);
  httpr_config *cfg = cfg_new();
  httpr_code want = keylog_supported() ? HTTPR_OK : HTTPR_E_UNSUPPORTED;
  assert_code(keylog_fetch(cfg, SRV_TLS12_ONLY), want);
  if (keylog_supported())
    assert_int_equal(count_keylog_lines(path, "CLIENT_RANDOM"), 1);
  httpr_config_free(cfg);
}

/* The config's file wins: the variable's file is not written. */
static void keylog_config_beats_environment(void **state) {
  (void)state;
  if (!keylog_supported())
    return;
  const char *env_path = tmp_path("keys-env-unused.log");
  const char *cfg_path = tmp_path("keys-cfg-wins.log");
  unlink(env_path);
  unlink(cfg_path);
  setenv("SSLKEYLOGFILE", env_path, 1);
  httpr_config *cfg = cfg_new();
  httpr_config_set_keylog_file(cfg, cfg_path);
  assert_code(keylog_fetch(cfg, SRV_GOOD_ECDSA), HTTPR_OK);
  assert_true(count_keylog_lines(cfg_path, has_tls13()
                                               ? "CLIENT_TRAFFIC_SECRET_0"
                                               : "CLIENT_RANDOM") == 1);
  assert_int_equal(access(env_path, F_OK), -1);
  httpr_config_free(cfg);
}

/* Without a file in the config or the environment nothing is written, and
 * the variable is read once, when the client first needs TLS: one that
 * appears later does not start logging on that client. */
static void keylog_off_by_default(void **state) {
  (void)state;
  const char *path = tmp_path("keys-never.log");
  unlink(path);
  httpr_config *cfg = cfg_new();
  httpr_client *client = NULL;
  assert_code(httpr_client_new(&client, cfg, NULL), HTTPR_OK);
  httpr_request *req = NULL;
  assert_code(
      httpr_request_new(&req, "GET", url_of(SRV_GOOD_ECDSA, NULL, "/"), NULL),
      HTTPR_OK);
  httpr_response *resp = NULL;
  assert_code(httpr_client_send(client, req, &resp, NULL), HTTPR_OK);
  httpr_response_free(resp);
  /* The variable appearing later does not change a built client. */
  setenv("SSLKEYLOGFILE", path, 1);
  assert_code(httpr_client_send(client, req, &resp, NULL), HTTPR_OK);
  httpr_response_free(resp);
  httpr_request_free(req);
  httpr_client_free(client);
  assert_int_equal(access(path, F_OK), -1);
  httpr_config_free(cfg);
}

static void keylog_unwritable_config_file(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_config_set_keylog_file(cfg, "/nonexistent-dir/keys.log");
  assert_code(keylog_fetch(cfg, SRV_GOOD_ECDSA),
              keylog_supported() ? HTTPR_E_INVALID : HTTPR_E_UNSUPPORTED);
  httpr_config_free(cfg);
}

/* An empty file to be a symbolic link's target, and the link to it. */
static void make_link(const char *target, const char *link_path) {
  unlink(target);
  unlink(link_path);
  FILE *f = fopen(target, "w");
  assert_non_null(f);
  fclose(f);
  assert_int_equal(symlink(target, link_path), 0);
}

static long file_size(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Collects the debug callback's INFO lines. */
struct info_lines {
  char text[4096];
};

static void collect_info(httpr_debug_kind kind, const char *text, size_t len,
                         void *ud) {
  struct info_lines *l = ud;
  size_t used = strlen(l->text);
  if (kind != HTTPR_DEBUG_INFO || used + len + 2 > sizeof(l->text))
    return;
  memcpy(l->text + used, text, len);
  memcpy(l->text + used + len, "\n", 2);
}

/* A symbolic link in SSLKEYLOGFILE: the request works, its target gets no
 * secret (whatever the TLS library would do with the variable itself),
 * and the debug callback hears why. */
static void keylog_symlinked_variable_writes_nothing(void **state) {
  (void)state;
  const char *target = tmp_path("keys-link-target.log");
  const char *link_path = tmp_path("keys-link.log");
  make_link(target, link_path);
  setenv("SSLKEYLOGFILE", link_path, 1);
  httpr_config *cfg = cfg_new();
  struct info_lines lines = {{0}};
  httpr_config_set_debug_callback(cfg, collect_info, &lines);
  httpr_code want = keylog_supported() ? HTTPR_OK : HTTPR_E_UNSUPPORTED;
  assert_code(keylog_fetch(cfg, SRV_GOOD_ECDSA), want);
  assert_int_equal(file_size(target), 0);
  char line[700];
  snprintf(line, sizeof(line),
           "key log file '%s' (from SSLKEYLOGFILE) refused: it is a symbolic "
           "link; no key log is written\n",
           link_path);
  assert_non_null(strstr(lines.text, line));
  httpr_config_free(cfg);
}

/* The config's key log must not be a link either: the client fails at
 * once, saying so, and nothing reaches the target. */
static void keylog_symlinked_config_file_fails(void **state) {
  (void)state;
  const char *target = tmp_path("keys-cfg-target.log");
  const char *link_path = tmp_path("keys-cfg-link.log");
  make_link(target, link_path);
  httpr_config *cfg = cfg_new();
  httpr_config_set_keylog_file(cfg, link_path);
  httpr_error *err = httpr_error_new();
  httpr_response *resp = NULL;
  httpr_code rc =
      fetch(cfg, "GET", url_of(SRV_GOOD_ECDSA, NULL, "/"), &resp, err);
  httpr_response_free(resp);
  char message[600];
  snprintf(message, sizeof(message),
           "key log file '%s' refused: it is a symbolic link", link_path);
  assert_code_err(rc, HTTPR_E_INVALID, err);
  assert_string_equal(httpr_error_message(err), message);
  assert_int_equal(file_size(target), 0);
  httpr_error_free(err);
  httpr_config_free(cfg);
}

#define ENV_TEST(f) cmocka_unit_test_setup_teardown(f, env_clean, env_clean)

const struct CMUnitTest tls_tests[] = {
    cmocka_unit_test(tls12_only_server),
    cmocka_unit_test(tls13_only_server),
    cmocka_unit_test(default_is_highest_version),
    cmocka_unit_test(minimum_above_server_maximum),
    cmocka_unit_test(maximum_below_server_minimum),
    cmocka_unit_test(minimum_above_maximum_is_invalid),
    cmocka_unit_test(key_exchange_group_reported),
    cmocka_unit_test(configured_groups_offered),
    cmocka_unit_test(every_group_as_the_capability_query_says),
    cmocka_unit_test(server_hanging_up_in_handshake),
    cmocka_unit_test(alpn_selected),
    cmocka_unit_test(server_without_alpn),
    ENV_TEST(keylog_from_config),
    ENV_TEST(keylog_from_environment),
    ENV_TEST(keylog_config_beats_environment),
    ENV_TEST(keylog_off_by_default),
    ENV_TEST(keylog_unwritable_config_file),
    ENV_TEST(keylog_symlinked_variable_writes_nothing),
    ENV_TEST(keylog_symlinked_config_file_fails),
};
const size_t tls_tests_count = COUNT_OF(tls_tests);
