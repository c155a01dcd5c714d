/*
 * mixed_providers.c - every provider built in, at the same time, in one
 * process: one thread per provider, each with its own client, many
 * requests each; every request succeeds and every response names the
 * provider of the client that sent it. Also two clients on different
 * providers used alternately from one thread.
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

#define REQUESTS_PER_THREAD 40
#define MAX_PROVIDERS 8

static int g_port;
static char g_ca[512];

struct worker {
  const char *provider;
  int ok;          /* 200 with the right body */
  int right_label; /* the response names this provider */
};

static httpr_client *client_for(const char *provider) {
  httpr_config *cfg = httpr_config_new();
  httpr_client *client = NULL;
  httpr_config_set_tls_backend(cfg, provider);
  httpr_config_set_ca_file(cfg, g_ca);
  httpr_config_set_total_timeout_ms(cfg, 15000);
  httpr_client_new(&client, cfg, NULL);
  httpr_config_free(cfg);
  return client;
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
  char *argv[] = {(char *)bin, "--cert",        cert,  "--key",
                  key,         "--max-seconds", "120", NULL};
  pid_t pid;
  g_port = spawn_server(bin, argv, &pid);
  if (g_port <= 0) {
    fprintf(stderr, "mixed-providers: the test server did not start\n");
    return 1;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(one_thread_per_provider),
      cmocka_unit_test(alternating_clients_one_thread),
  };
  int failed =
      cmocka_run_group_tests_name("mixed-providers", tests, NULL, NULL);
  stop_server(pid);
  return failed ? 1 : 0;
}
