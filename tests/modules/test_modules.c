/* SPDX-License-Identifier: MIT */
/*
 * test_modules.c - loading provider modules (backends/registry.c,
 * backends/module_load.c) with the fake modules of fake_module.c in
 * FAKE_MODULE_DIR, which HTTPR_PROVIDER_PATH names before the registry's
 * first use: a module of another interface version is refused naming the
 * file and both versions, a missing one gives HTTPR_E_PROVIDER with the
 * path and dlerror()'s text, two threads asking at once load a module
 * once, the list shows what loaded, and a module without the operations
 * public key pinning needs refuses a pin. The tests run in this order: the
 * first asks by name before anything lists the providers (listing loads
 * every module, and the list is then fixed).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backends/module_load.h"
#include "backends/provider.h"
#include "backends/provider_module.h"
#include "api/httpr.h"

#ifndef FAKE_MODULE_DIR
#error "FAKE_MODULE_DIR must name the fake modules' directory"
#endif

static const char ok_path[] = FAKE_MODULE_DIR "/httpr-fakeok.so";
static const char ver_path[] = FAKE_MODULE_DIR "/httpr-fakever.so";
static const char missing_path[] = FAKE_MODULE_DIR "/httpr-nosuch.so";

/* The fake module's counter, from the copy the registry loaded. */
static int module_counter(const char *path, const char *name) {
  void *h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
  assert_non_null(h);
  int *counter = dlsym(h, name);
  assert_non_null(counter);
  int value = *counter;
  dlclose(h); /* drops only this reference: the registry's stays */
  return value;
}

static void wrong_version_is_refused(void **state) {
  (void)state;
  char why[512], want[512];
  assert_null(hr_module_load(ver_path, "fakever", why, sizeof(why)));
  snprintf(want, sizeof(want),
           "%s: built for provider interface version 999, this library "
           "has version %u",
           ver_path, HR_PROVIDER_INTERFACE_VERSION);
  assert_string_equal(why, want);
}

/* Through the public API: the code and message of an unknown provider,
 * as before, and the reason in the detail. */
static void wrong_version_through_a_client(void **state) {
  (void)state;
  httpr_config *cfg = httpr_config_new();
  httpr_error *err = httpr_error_new();
  httpr_client *client = NULL;
  assert_non_null(cfg);
  assert_non_null(err);
  assert_int_equal(httpr_config_set_tls_provider(cfg, "fakever"), HTTPR_OK);
  assert_int_equal(httpr_client_new(&client, cfg, err), HTTPR_E_PROVIDER);
  assert_null(client);
  char want[512];
  snprintf(want, sizeof(want),
           "%s: built for provider interface version 999, this library "
           "has version %u",
           ver_path, HR_PROVIDER_INTERFACE_VERSION);
  assert_string_equal(httpr_error_detail(err), want);
  assert_string_equal(httpr_error_message(err),
                      "TLS provider 'fakever' is not installed (installed: "
                      "fakeok)");
  httpr_error_free(err);
  httpr_config_free(cfg);
}

static void missing_module_names_path_and_dlerror(void **state) {
  (void)state;
  /* dlerror()'s own words for this file, to compare with. */
  assert_null(dlopen(missing_path, RTLD_NOW | RTLD_LOCAL));
  char want[512];
  snprintf(want, sizeof(want), "%s", dlerror());
  assert_non_null(strstr(want, missing_path));

  char why[512];
  assert_null(hr_module_load(missing_path, "nosuch", why, sizeof(why)));
  assert_string_equal(why, want);

  assert_null(hr_provider_find("nosuch"));
  httpr_error err = {0};
  hr_provider_explain("nosuch", &err);
  assert_string_equal(err.detail, want);
  uint32_t features = 0;
  assert_int_equal(httpr_provider_features_by_name("nosuch", &features),
                   HTTPR_E_PROVIDER);
}

/* A name that is not a plain word is never turned into a path. */
static void odd_names_load_nothing(void **state) {
  (void)state;
  httpr_error err = {0};
  assert_null(hr_provider_find("../fakeok"));
  assert_null(hr_provider_find("fake/ok"));
  assert_null(hr_provider_find(""));
  hr_provider_explain("../fakeok", &err);
  assert_string_equal(err.detail, "");
}

struct racer {
  pthread_barrier_t *start;
  const struct hr_tls_provider *got;
  httpr_code acquired;
};

static void *race(void *arg) {
  struct racer *r = arg;
  httpr_error err = {0};
  pthread_barrier_wait(r->start);
  r->got = hr_provider_find("fakeok");
  r->acquired = r->got ? hr_provider_acquire(r->got, &err) : HTTPR_E_PROVIDER;
  return NULL;
}

static void two_threads_load_once(void **state) {
  (void)state;
  pthread_barrier_t start;
  struct racer r[2] = {{.start = &start}, {.start = &start}};
  pthread_t t[2];
  assert_int_equal(pthread_barrier_init(&start, NULL, 2), 0);
  for (int i = 0; i < 2; i++)
    assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
  for (int i = 0; i < 2; i++)
    assert_int_equal(pthread_join(t[i], NULL), 0);
  pthread_barrier_destroy(&start);
  assert_non_null(r[0].got);
  assert_ptr_equal(r[0].got, r[1].got);
  assert_string_equal(r[0].got->name, "fakeok");
  assert_int_equal(r[0].acquired, HTTPR_OK);
  assert_int_equal(r[1].acquired, HTTPR_OK);
  assert_int_equal(module_counter(ok_path, "fake_entry_calls"), 1);
  assert_int_equal(module_counter(ok_path, "fake_init_calls"), 1);
  hr_provider_release(r[0].got);
  hr_provider_release(r[1].got);
  /* Asked again, it is the same provider, not loaded again. */
  assert_ptr_equal(hr_provider_find("fakeok"), r[0].got);
  assert_int_equal(module_counter(ok_path, "fake_entry_calls"), 1);
}

/* The list is what loads from the directory: the refused module is not
 * in it, and the query answers from the module. */
static void the_list_is_what_loaded(void **state) {
  (void)state;
  assert_int_equal(httpr_provider_count(), 1);
  assert_string_equal(httpr_provider_name(0), "fakeok");
  assert_string_equal(httpr_provider_library_version(0), "fake 1.0");
  assert_int_equal(httpr_provider_features(0), HTTPR_FEATURE_TLS12);
  assert_null(httpr_provider_name(1));
  assert_string_equal(httpr_default_provider(), "fakeok");
  assert_null(hr_provider_find("fakever"));
}

/* A module without peer_certificate and sha256 cannot pin a public key:
 * the request says so before the provider sees any setting (nothing is
 * sent: the TLS context is built before connecting). */
static void pin_refused_without_the_operations(void **state) {
  (void)state;
  httpr_config *cfg = httpr_config_new();
  httpr_error *err = httpr_error_new();
  httpr_client *client = NULL;
  httpr_request *req = NULL;
  httpr_response *resp = NULL;
  assert_non_null(cfg);
  assert_non_null(err);
  assert_int_equal(httpr_config_set_tls_provider(cfg, "fakeok"), HTTPR_OK);
  assert_int_equal(
      httpr_config_set_pinned_public_key(
          cfg, "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
      HTTPR_OK);
  assert_int_equal(httpr_client_new(&client, cfg, err), HTTPR_OK);
  assert_int_equal(httpr_request_new(&req, "GET", "https://127.0.0.1:9/", err),
                   HTTPR_OK);
  assert_int_equal(httpr_client_send(client, req, &resp, err),
                   HTTPR_E_UNSUPPORTED);
  assert_null(resp);
  assert_string_equal(httpr_error_message(err),
                      "the fakeok provider does not support public key "
                      "pinning");
  httpr_request_free(req);
  httpr_client_free(client);
  httpr_error_free(err);
  httpr_config_free(cfg);
}

int main(void) {
  /* Before anything asks the registry: it reads the variable once. */
  if (setenv("HTTPR_PROVIDER_PATH", FAKE_MODULE_DIR, 1) != 0)
    return 1;
  unsetenv("HTTPR_TLS_PROVIDER");
  unsetenv("HTTPR_TLS_BACKEND");
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(two_threads_load_once),
      cmocka_unit_test(missing_module_names_path_and_dlerror),
      cmocka_unit_test(odd_names_load_nothing),
      cmocka_unit_test(wrong_version_is_refused),
      cmocka_unit_test(wrong_version_through_a_client),
      cmocka_unit_test(the_list_is_what_loaded),
      cmocka_unit_test(pin_refused_without_the_operations),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
