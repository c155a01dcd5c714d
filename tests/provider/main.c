/* SPDX-License-Identifier: MIT */
/*
 * main.c - the provider contract suite's runner: every scenario of
 * tests/provider/scenarios_*.c, and the provider's own tests, for every
 * provider built in (backends/registry.c), one cmocka group each, every
 * test named "PROVIDER/scenario"; then the shared wording once. The
 * server side is tests/provider/server.c over the PKI of
 * tests/pki/make-pki.sh ($PKI_DIR); the few certificates that PKI lacks
 * are made from its intermediate at start-up in a private directory,
 * removed at the end. Exit status: the number of failed tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/provider/scenarios.h"
#include "tests/unit/pki_files.h"

const struct hr_tls_provider *P;
const struct provider_expect *X;

/* Each provider's expectations, in its PROVIDER_only.c: linked only when
 * that provider is built in, so a missing one is NULL. */
extern const struct provider_expect openssl_expect __attribute__((weak));
extern const struct provider_expect gnutls_expect __attribute__((weak));
extern const struct provider_expect mbedtls_expect __attribute__((weak));

static const struct provider_expect *
expect_for(const struct hr_tls_provider *p) {
  const struct provider_expect *all[] = {&openssl_expect, &gnutls_expect,
                                         &mbedtls_expect};
  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
    if (all[i] && all[i]->provider == p)
      return all[i];
  }
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* The certificates the run's PKI lacks, signed by its intermediate.        */

static const char extensions[] =
    "[ server ]\n"
    "basicConstraints = critical, CA:FALSE\n"
    "keyUsage = critical, digitalSignature\n"
    "extendedKeyUsage = serverAuth\n"
    "subjectKeyIdentifier = hash\n"
    "authorityKeyIdentifier = keyid:always\n"
    "[ wildcard ]\n"
    "basicConstraints = critical, CA:FALSE\n"
    "keyUsage = critical, digitalSignature\n"
    "extendedKeyUsage = serverAuth\n"
    "subjectAltName = DNS:*.example.com\n"
    "subjectKeyIdentifier = hash\n"
    "authorityKeyIdentifier = keyid:always\n"
    "[ good_san ]\n"
    "basicConstraints = critical, CA:FALSE\n"
    "keyUsage = critical, digitalSignature\n"
    "extendedKeyUsage = serverAuth\n"
    "subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1\n"
    "subjectKeyIdentifier = hash\n"
    "authorityKeyIdentifier = keyid:always\n";

/* name.crt: a leaf for good-ecdsa.key with subject and the extensions of
 * section, then the intermediate (copied to inter.pem first). */
static int derived_leaf(const char *name, const char *subject,
                        const char *section, int serial) {
  char leaf[64], crt[64];
  snprintf(leaf, sizeof(leaf), "%s.leaf", name);
  snprintf(crt, sizeof(crt), "%s.crt", name);
  return openssl_cli("req -new -key '%s' -multivalue-rdn -subj '%s' "
                     "-out req.csr",
                     file_of("good-ecdsa.key"), subject) &&
         openssl_cli("x509 -req -in req.csr -CA '%s' -CAkey '%s' "
                     "-set_serial %d -days 30 -sha256 -extfile ext.cnf "
                     "-extensions %s -out %s",
                     file_of("inter-ca.pem"), file_of("inter-ca.key"), serial,
                     section, leaf) &&
         append_file(crt, leaf) && append_file(crt, "inter.pem");
}

static const char garbage[] = "-----BEGIN CERTIFICATE-----\nAAAA\n"
                              "-----END CERTIFICATE-----\n";

/* Also a CA file with a broken block, one with a broken block before the
 * root, and an empty CA directory. 1, or 0. */
static int derived_files(void) {
  return write_text("ext.cnf", extensions) &&
         openssl_cli("x509 -in '%s' -out inter.pem", file_of("inter-ca.pem")) &&
         openssl_cli("x509 -in '%s' -out root.pem", file_of("root-ca.pem")) &&
         derived_leaf("wildcard", "/CN=wildcard", "wildcard", 4001) &&
         derived_leaf("cn-only", "/CN=localhost", "server", 4002) &&
         derived_leaf("named", "/C=DE/O=httpr, tests/OU=a+OU=b/CN=localhost",
                      "good_san", 4003) &&
         write_text("garbage.pem", garbage) &&
         write_text("garbage-then-root.pem", garbage) &&
         append_file("garbage-then-root.pem", "root.pem") &&
         mkdir(path_of("emptydir"), 0700) == 0;
}

/* ------------------------------------------------------------------------ */
/* One group per provider.                                                  */

static int provider_setup(void **state) {
  (void)state;
  httpr_error err = {0};
  if (hr_provider_acquire(P, &err) != HTTPR_OK) {
    fprintf(stderr, "%s: %s\n", P->name, err.message);
    return -1;
  }
  return X->setup && !X->setup() ? -1 : 0;
}

static int provider_teardown(void **state) {
  (void)state;
  hr_provider_release(P);
  return 0;
}

/* Appends table's tests to out from *n on, named "prefix/name". */
static void add_tests(struct CMUnitTest *out, size_t *n, const char *prefix,
                      const struct CMUnitTest *tests, size_t count) {
  for (size_t i = 0; i < count; i++) {
    size_t len = strlen(prefix) + strlen(tests[i].name) + 2;
    char *name = malloc(len);
    if (!name)
      abort();
    snprintf(name, len, "%s/%s", prefix, tests[i].name);
    out[*n] = tests[i];
    out[(*n)++].name = name;
  }
}

static void free_names(struct CMUnitTest *tests, size_t n) {
  for (size_t i = 0; i < n; i++)
    free((char *)tests[i].name);
}

static const struct scenario_table *const tables[] = {
    &io_scenarios,         &verify_scenarios,  &config_scenarios,
    &credential_scenarios, &session_scenarios,
};

/* Every scenario and the provider's own tests for P: failures. */
static int run_provider(void) {
  size_t total = X->only_count, n = 0;
  for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
    total += tables[t]->count;
  struct CMUnitTest *tests = calloc(total, sizeof(*tests));
  if (!tests)
    abort();
  for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
    add_tests(tests, &n, P->name, tables[t]->tests, tables[t]->count);
  add_tests(tests, &n, P->name, X->only, X->only_count);
  struct memory_test hooks = server_hooks;
  hooks.provider = P;
  hooks.expect_clean = X->expect_clean;
  memory_test_use(&hooks);
  char group[64];
  snprintf(group, sizeof(group), "provider[%s]", P->name);
  int failed = _cmocka_run_group_tests(group, tests, n, provider_setup,
                                       provider_teardown);
  free_names(tests, n);
  free(tests);
  return failed;
}

int main(void) {
  int failed = 0;
  if (!getenv("PKI_DIR")) {
    fprintf(stderr, "provider-suite: PKI_DIR must name the test PKI "
                    "(tests/pki/make-pki.sh)\n");
    return 1;
  }
  if (!pki_dir_create("httpr-provider") || !derived_files() ||
      !server_global_init()) {
    fprintf(stderr, "provider-suite: the test files cannot be made\n");
    return 1;
  }
  /* Some libraries read this variable on their own: no scenario may ever
   * cause a line in it (no_key_log_without_opt_in checks). */
  setenv("SSLKEYLOGFILE", path_of("env-keys.log"), 1);
  for (size_t i = 0; i < hr_provider_count(); i++) {
    P = hr_provider_at(i);
    X = expect_for(P);
    if (!X) {
      fprintf(stderr, "provider-suite: no expectations for provider %s\n",
              P->name);
      failed++;
      continue;
    }
    failed += run_provider();
  }
  failed += _cmocka_run_group_tests("provider[shared]", shared_checks.tests,
                                    shared_checks.count, NULL, NULL);
  unsetenv("SSLKEYLOGFILE");
  server_global_cleanup();
  if (pki_dir_remove() != 0)
    failed++;
  return failed;
}
