/* SPDX-License-Identifier: MIT */
/*
 * test_api.c - the public API around the requests: provider selection and
 * the registry, the error object, NULL handling, and one client used by
 * several threads at once.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tests/conformance/suite.h"

static void unknown_provider(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_config_set_tls_backend(cfg, "no-such-tls");
  httpr_client *client = NULL;
  httpr_error *err = httpr_error_new();
  assert_code_err(httpr_client_new(&client, cfg, err), HTTPR_E_BACKEND, err);
  assert_null(client);
  /* The message lists what is built in, the provider under test among
   * them. */
  assert_non_null(strstr(httpr_error_message(err), "no-such-tls"));
  assert_non_null(strstr(httpr_error_message(err), g_suite.provider));
  httpr_error_free(err);
  httpr_config_free(cfg);
}

static void environment_picks_default_provider(void **state) {
  (void)state;
  setenv("HTTPR_TLS_BACKEND", g_suite.provider, 1);
  assert_string_equal(httpr_default_provider(), g_suite.provider);
  httpr_config *cfg = cfg_new();
  httpr_config_set_tls_backend(cfg, NULL);
  httpr_client *client = NULL;
  assert_code(httpr_client_new(&client, cfg, NULL), HTTPR_OK);
  assert_string_equal(httpr_client_provider(client), g_suite.provider);
  httpr_client_free(client);
  httpr_config_free(cfg);
  /* A name not built in is ignored for the default. */
  setenv("HTTPR_TLS_BACKEND", "no-such-tls", 1);
  assert_non_null(httpr_default_provider());
  assert_true(strcmp(httpr_default_provider(), "no-such-tls") != 0);
}

static void registry_lists_provider(void **state) {
  (void)state;
  size_t n = httpr_provider_count();
  int found = 0;
  for (size_t i = 0; i < n; i++) {
    if (strcmp(httpr_provider_name(i), g_suite.provider) == 0) {
      found = 1;
      assert_int_equal(httpr_provider_features(i), g_suite.features);
      assert_true(strlen(httpr_provider_library_version(i)) > 0);
    }
  }
  assert_true(found);
  assert_null(httpr_provider_name(n));
  assert_null(httpr_provider_library_version(n));
  assert_int_equal(httpr_provider_features(n), 0);
  uint32_t f = 0;
  assert_code(httpr_provider_features_by_name("no-such-tls", &f),
              HTTPR_E_BACKEND);
  assert_string_equal(httpr_feature_name(HTTPR_FEATURE_TLS13), "tls1.3");
  assert_null(httpr_feature_name(1u << 31));
}

static void error_names_and_null_handling(void **state) {
  (void)state;
  assert_string_equal(httpr_code_name(HTTPR_E_CERT_EXPIRED),
                      "HTTPR_E_CERT_EXPIRED");
  assert_string_equal(httpr_code_name((httpr_code)999), "HTTPR_E_UNKNOWN");
  httpr_error_free(NULL);
  httpr_config_free(NULL);
  httpr_client_free(NULL);
  httpr_request_free(NULL);
  httpr_response_free(NULL);
  assert_string_equal(httpr_error_message(NULL), "");
  assert_code(httpr_config_set_verify(NULL, 1), HTTPR_E_INVALID);
  httpr_config *cfg = httpr_config_new();
  assert_code(httpr_config_add_resolve(cfg, "h", 443, "not-an-ip"),
              HTTPR_E_INVALID);
  assert_code(httpr_config_add_resolve(cfg, "h", 0, "127.0.0.1"),
              HTTPR_E_INVALID);
  /* A list of literals, bare or bracketed; any bad element refuses it. */
  assert_code(httpr_config_add_resolve(cfg, "h", 443, "[::1],127.0.0.1"),
              HTTPR_OK);
  assert_code(httpr_config_add_resolve(cfg, "h", 443, "::1,x"),
              HTTPR_E_INVALID);
  assert_code(httpr_config_add_resolve(cfg, "h", 443, "127.0.0.1,"),
              HTTPR_E_INVALID);
  assert_code(httpr_config_add_resolve(cfg, "h", 443, ""), HTTPR_E_INVALID);
  assert_code(httpr_config_add_resolve(cfg, "h", 443, "[127.0.0.1"),
              HTTPR_E_INVALID);
  assert_code(httpr_config_add_resolve(
                  cfg, "h", 443,
                  "1.1.1.1,1.1.1.2,1.1.1.3,1.1.1.4,1.1.1.5,1.1.1.6,1.1.1.7,"
                  "1.1.1.8,1.1.1.9,1.1.1.10,1.1.1.11,1.1.1.12,1.1.1.13,"
                  "1.1.1.14,1.1.1.15,1.1.1.16,1.1.1.17"),
              HTTPR_E_INVALID);
  assert_code(httpr_config_set_min_tls_version(cfg, (httpr_tls_version)11),
              HTTPR_E_INVALID);
  httpr_config_free(cfg);
}

/* A config freed right after the client is built does not matter: the
 * client keeps its own copy. */
static void client_copies_config(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_client *client = NULL;
  assert_code(httpr_client_new(&client, cfg, NULL), HTTPR_OK);
  httpr_config_free(cfg);
  httpr_request *req = NULL;
  httpr_response *resp = NULL;
  assert_code(
      httpr_request_new(&req, "GET", url_of(SRV_GOOD_ECDSA, NULL, "/"), NULL),
      HTTPR_OK);
  assert_code(httpr_client_send(client, req, &resp, NULL), HTTPR_OK);
  httpr_response_free(resp);
  httpr_request_free(req);
  httpr_client_free(client);
}

#define THREADS 4
#define REQUESTS_PER_THREAD 25

struct worker {
  httpr_client *client;
  const char *url;
  int ok;
};

static void *worker_run(void *arg) {
  struct worker *w = arg;
  httpr_request *req = NULL;
  if (httpr_request_new(&req, "GET", w->url, NULL) != HTTPR_OK)
    return NULL;
  for (int i = 0; i < REQUESTS_PER_THREAD; i++) {
    httpr_response *resp = NULL;
    if (httpr_client_send(w->client, req, &resp, NULL) == HTTPR_OK &&
        httpr_response_status(resp) == 200 &&
        httpr_response_body_bytes(resp) == 2000)
      w->ok++;
    httpr_response_free(resp);
  }
  httpr_request_free(req);
  return NULL;
}

static void one_client_many_threads(void **state) {
  (void)state;
  httpr_config *cfg = cfg_new();
  httpr_client *client = NULL;
  assert_code(httpr_client_new(&client, cfg, NULL), HTTPR_OK);
  pthread_t threads[THREADS];
  struct worker workers[THREADS];
  for (int i = 0; i < THREADS; i++) {
    workers[i] = (struct worker){
        .client = client, .url = url_of(SRV_GOOD_ECDSA, NULL, "/bytes/2000")};
    assert_int_equal(pthread_create(&threads[i], NULL, worker_run, &workers[i]),
                     0);
  }
  for (int i = 0; i < THREADS; i++)
    pthread_join(threads[i], NULL);
  for (int i = 0; i < THREADS; i++)
    assert_int_equal(workers[i].ok, REQUESTS_PER_THREAD);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

#define ENV_TEST(f) cmocka_unit_test_setup_teardown(f, env_clean, env_clean)

const struct CMUnitTest api_tests[] = {
    cmocka_unit_test(unknown_provider),
    ENV_TEST(environment_picks_default_provider),
    cmocka_unit_test(registry_lists_provider),
    cmocka_unit_test(error_names_and_null_handling),
    cmocka_unit_test(client_copies_config),
    cmocka_unit_test(one_client_many_threads),
};
const size_t api_tests_count = COUNT_OF(api_tests);
