/* SPDX-License-Identifier: MIT */
/*
 * mixed_providers.c - every provider built in, at the same time, in one
 * process: one thread per provider, each with its own client, many
 * requests each; every request succeeds and every response names the
 * provider of the client that sent it. Also two clients on different
 * providers used alternately from one thread, and clients on every
 * provider that must share neither a connection nor a TLS session.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/httpr.h"
#include "tests/conformance/server.h"
#include "tests/test_timeout.h"

#define REQUESTS_PER_THREAD 40
#define MAX_PROVIDERS 8

static int g_port;
static char g_ca[512];

struct worker {
  const char *provider;
  int ok;          /* 200 with the right body */
  int right_label; /* the response names this provider */
};

/* max_idle: idle connections kept, or -1 for the default. */
static httpr_client *client_with(const char *provider, long max_idle) {
  httpr_config *cfg = httpr_config_new();
  httpr_client *client = NULL;
  httpr_config_set_tls_backend(cfg, provider);
  httpr_config_set_ca_file(cfg, g_ca);
  httpr_config_set_total_timeout_ms(cfg, test_timeout_ms(15000));
  if (max_idle >= 0)
    httpr_config_set_max_idle_connections(cfg, (size_t)max_idle);
  httpr_client_new(&client, cfg, NULL);
  httpr_config_free(cfg);
  return client;
}

static httpr_client *client_for(const char *provider) {
  return client_with(provider, -1);
}

/* One request; 1 when it got 200 and 2000 pattern bytes over `provider`. */
static int fetch_once(httpr_client *client, httpr_request *req,
                      const char *provider, int *right_label) {
  httpr_response *resp = NULL;
  int ok = httpr_client_send(client, req, &resp, NULL) == HTTPR_OK &&
           httpr_response_status(resp) == 200 &&
           httpr_response_body_bytes(resp) == 2000;
  if (ok && strcmp(httpr_response_tls_provider(resp), provider) == 0)
    (*right_label)++;
  httpr_response_free(resp);
  return ok;
}

static void *worker_run(void *arg) {
  struct worker *w = arg;
  char url[128];
  snprintf(url, sizeof(url), "https://localhost:%d/bytes/2000", g_port);
  httpr_client *client = client_for(w->provider);
  httpr_request *req = NULL;
  if (client && httpr_request_new(&req, "GET", url, NULL) == HTTPR_OK) {
    for (int i = 0; i < REQUESTS_PER_THREAD; i++)
      w->ok += fetch_once(client, req, w->provider, &w->right_label);
  }
  httpr_request_free(req);
  httpr_client_free(client);
  return NULL;
}

static void one_thread_per_provider(void **state) {
  (void)state;
  size_t n = httpr_provider_count();
  assert_true(n >= 1 && n <= MAX_PROVIDERS);
  pthread_t threads[MAX_PROVIDERS];
  struct worker workers[MAX_PROVIDERS];
  for (size_t i = 0; i < n; i++) {
    workers[i] = (struct worker){.provider = httpr_provider_name(i)};
    assert_int_equal(pthread_create(&threads[i], NULL, worker_run, &workers[i]),
                     0);
  }
  for (size_t i = 0; i < n; i++)
    pthread_join(threads[i], NULL);
  for (size_t i = 0; i < n; i++) {
    print_message("%s: %d of %d requests\n", workers[i].provider, workers[i].ok,
                  REQUESTS_PER_THREAD);
    assert_int_equal(workers[i].ok, REQUESTS_PER_THREAD);
    assert_int_equal(workers[i].right_label, REQUESTS_PER_THREAD);
  }
}

/* Clients on every provider, used in turn: no state leaks between them. */
static void alternating_clients_one_thread(void **state) {
  (void)state;
  size_t n = httpr_provider_count();
  httpr_client *clients[MAX_PROVIDERS];
  char url[128];
  snprintf(url, sizeof(url), "https://localhost:%d/bytes/2000", g_port);
  httpr_request *req = NULL;
  assert_int_equal(httpr_request_new(&req, "GET", url, NULL), HTTPR_OK);
  for (size_t i = 0; i < n; i++)
    assert_non_null(clients[i] = client_for(httpr_provider_name(i)));
  for (int round = 0; round < 10; round++) {
    for (size_t i = 0; i < n; i++) {
      int right = 0;
      assert_true(fetch_once(clients[i], req, httpr_provider_name(i), &right));
      assert_int_equal(right, 1);
    }
  }
  for (size_t i = 0; i < n; i++)
    httpr_client_free(clients[i]);
  httpr_request_free(req);
}

/* GET path on client; asserts 200 and returns the numeric body (the test
 * server's /conn-id or /resumed), with the reused and resumed flags. */
static long get_number(httpr_client *client, const char *path, int *reused,
                       int *resumed) {
  char url[128];
  httpr_request *req = NULL;
  httpr_response *resp = NULL;
  httpr_error *err = httpr_error_new();
  snprintf(url, sizeof(url), "https://localhost:%d%s", g_port, path);
  assert_int_equal(httpr_request_new(&req, "GET", url, NULL), HTTPR_OK);
  httpr_code rc = httpr_client_send(client, req, &resp, err);
  if (rc != HTTPR_OK)
    fail_msg("GET %s: %s: %s", path, httpr_code_name(rc),
             httpr_error_message(err));
  assert_int_equal(httpr_response_status(resp), 200);
  size_t len = 0;
  const unsigned char *body = httpr_response_body(resp, &len);
  char num[32];
  assert_in_range(len, 1, sizeof(num) - 1);
  memcpy(num, body, len);
  num[len] = '\0';
  *reused = httpr_response_connection_reused(resp);
  *resumed = httpr_response_tls_session_resumed(resp);
  httpr_response_free(resp);
  httpr_request_free(req);
  httpr_error_free(err);
  return strtol(num, NULL, 10);
}

/* One client per provider, all against one server, requests interleaved:
 * each opens its own connection and then reuses only that one; with no
 * idle connections kept, each one's first handshake is full although the
 * others hold sessions for the server, and its second resumes (when its
 * provider has the feature). */
static void clients_share_no_connection_or_session(void **state) {
  (void)state;
  size_t n = httpr_provider_count();
  httpr_client *clients[MAX_PROVIDERS];
  long ids[MAX_PROVIDERS];
  int reused, resumed;
  for (size_t i = 0; i < n; i++)
    assert_non_null(clients[i] = client_for(httpr_provider_name(i)));
  for (int round = 0; round < 2; round++) {
    for (size_t i = 0; i < n; i++) {
      long id = get_number(clients[i], "/conn-id", &reused, &resumed);
      assert_int_equal(reused, round);
      if (round == 0) {
        for (size_t k = 0; k < i; k++)
          assert_true(ids[k] != id);
        ids[i] = id;
      } else {
        assert_int_equal(id, ids[i]);
      }
    }
  }
  for (size_t i = 0; i < n; i++) {
    httpr_client_free(clients[i]);
    assert_non_null(clients[i] = client_with(httpr_provider_name(i), 0));
  }
  for (int round = 0; round < 2; round++) {
    for (size_t i = 0; i < n; i++) {
      int want = round > 0 && (httpr_provider_features(i) &
                               HTTPR_FEATURE_SESSION_RESUME) != 0;
      long server_saw = get_number(clients[i], "/resumed", &reused, &resumed);
      print_message("%s round %d: resumed %d (server %ld)\n",
                    httpr_provider_name(i), round, resumed, server_saw);
      assert_int_equal(reused, 0);
      assert_int_equal(resumed, want);
      assert_int_equal(server_saw, want);
    }
  }
  for (size_t i = 0; i < n; i++)
    httpr_client_free(clients[i]);
}

int main(void) {
  const char *pki = getenv("PKI_DIR"), *bin = getenv("TEST_SERVER");
  if (!pki || !bin) {
    fprintf(stderr, "mixed-providers: PKI_DIR and TEST_SERVER must be set\n");
    return 2;
  }
  char cert[512], key[512];
  snprintf(cert, sizeof(cert), "%s/good-ecdsa.crt", pki);
  snprintf(key, sizeof(key), "%s/good-ecdsa.key", pki);
  snprintf(g_ca, sizeof(g_ca), "%s/ca-bundle.pem", pki);
  char max_seconds[32];
  snprintf(max_seconds, sizeof(max_seconds), "%ld",
           test_timeout_ms(120 * 1000) / 1000);
  char *argv[] = {(char *)bin, "--cert",        cert,        "--key",
                  key,         "--max-seconds", max_seconds, NULL};
  pid_t pid;
  g_port = spawn_server(bin, argv, &pid);
  if (g_port <= 0) {
    fprintf(stderr, "mixed-providers: the test server did not start\n");
    return 1;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(one_thread_per_provider),
      cmocka_unit_test(alternating_clients_one_thread),
      cmocka_unit_test(clients_share_no_connection_or_session),
  };
  int failed =
      cmocka_run_group_tests_name("mixed-providers", tests, NULL, NULL);
  stop_server(pid);
  return failed ? 1 : 0;
}
