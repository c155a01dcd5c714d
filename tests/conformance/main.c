/* SPDX-License-Identifier: MIT */
/*
 * main.c - the conformance suite's entry: `conformance --provider NAME`
 * runs every scenario against that provider, as one cmocka group, so each
 * provider gets one summary. PKI_DIR and TEST_SERVER come from the
 * environment (make check sets them). HTTPR_TEST_GROUPS=pool,h2 runs only
 * those groups (one per test file: verify, trust, client_cert, tls, http,
 * connect, connect_choice, api, loop, pool, h2, ocsp, ciphers,
 * verify_report, revocation, pinning, proxy, socks, ...),
 * HTTPR_TEST_FILTER only the tests matching a cmocka pattern.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/env.h"
#include "tests/conformance/suite.h"

struct suite g_suite;

/* ---- paths and URLs ------------------------------------------------------ */

static char *rotating(void) {
  static char bufs[8][512];
  static unsigned next;
  return bufs[next++ % 8];
}

const char *pki(const char *name) {
  char *b = rotating();
  snprintf(b, 512, "%s/%s", g_suite.pki_dir, name);
  return b;
}

const char *tmp_path(const char *name) {
  char *b = rotating();
  snprintf(b, 512, "%s/%s", g_suite.tmp_dir, name);
  return b;
}

const char *url_of(enum profile p, const char *host, const char *path) {
  char *b = rotating();
  int port = server_port(p);
  const char *scheme = p == SRV_PLAIN ? "http" : "https";
  snprintf(b, 512, "%s://%s:%d%s", scheme, host ? host : "localhost", port,
           path);
  return b;
}

const char *delay_path(long ms) {
  char *b = rotating();
  snprintf(b, 512, "/delay/%ld", test_timeout_ms(ms));
  return b;
}

/* ---- configs and requests ------------------------------------------------ */

httpr_config *cfg_bare(void) {
  httpr_config *cfg = httpr_config_new();
  assert_non_null(cfg);
  assert_int_equal(httpr_config_set_tls_backend(cfg, g_suite.provider),
                   HTTPR_OK);
  assert_int_equal(
      httpr_config_set_connect_timeout_ms(cfg, test_timeout_ms(15000)),
      HTTPR_OK);
  assert_int_equal(
      httpr_config_set_total_timeout_ms(cfg, test_timeout_ms(15000)), HTTPR_OK);
  return cfg;
}

size_t provider_index(void) {
  size_t i = 0;
  while (i < httpr_provider_count() &&
         strcmp(httpr_provider_name(i), g_suite.provider) != 0)
    i++;
  assert_true(i < httpr_provider_count());
  return i;
}

httpr_config *cfg_new(void) {
  httpr_config *cfg = cfg_bare();
  assert_int_equal(httpr_config_set_ca_file(cfg, pki("ca-bundle.pem")),
                   HTTPR_OK);
  return cfg;
}

httpr_code fetch(const httpr_config *cfg, const char *method, const char *url,
                 httpr_response **resp, httpr_error *err) {
  httpr_client *client = NULL;
  httpr_request *req = NULL;
  *resp = NULL;
  httpr_code rc = httpr_client_new(&client, cfg, err);
  if (rc == HTTPR_OK)
    rc = httpr_request_new(&req, method, url, err);
  if (rc == HTTPR_OK)
    rc = httpr_client_send(client, req, resp, err);
  httpr_request_free(req);
  httpr_client_free(client);
  return rc;
}

void assert_code_impl(httpr_code actual, httpr_code expected,
                      const httpr_error *err, const char *file, int line) {
  if (actual == expected)
    return;
  print_error("%s:%d: got %s, expected %s%s%s%s%s\n", file, line,
              httpr_code_name(actual), httpr_code_name(expected),
              err ? " (message: " : "", err ? httpr_error_message(err) : "",
              err && *httpr_error_detail(err) ? "; detail: " : "",
              err ? httpr_error_detail(err) : "");
  _fail(file, line);
}

httpr_client *client_of(const httpr_config *cfg) {
  httpr_client *client = NULL;
  httpr_error *err = httpr_error_new();
  assert_code_err(httpr_client_new(&client, cfg, err), HTTPR_OK, err);
  httpr_error_free(err);
  return client;
}

void expect_every_run(httpr_client *client, const httpr_request *req,
                      int runs, httpr_code want, const char *message) {
  httpr_error *err = httpr_error_new();
  char first[512] = "";
  for (int i = 0; i < runs; i++) {
    httpr_response *resp = NULL;
    httpr_code rc = httpr_client_send(client, req, &resp, err);
    httpr_response_free(resp);
    if (rc != want)
      print_error("run %d of %d\n", i + 1, runs);
    assert_code_err(rc, want, err);
    if (i == 0)
      snprintf(first, sizeof(first), "%s", httpr_error_message(err));
    assert_string_equal(httpr_error_message(err), message ? message : first);
  }
  httpr_error_free(err);
}

httpr_response *expect_get(const httpr_config *cfg, const char *url,
                           httpr_code want, httpr_error *err) {
  httpr_error *local = err ? NULL : httpr_error_new();
  httpr_response *resp = NULL;
  httpr_code rc = fetch(cfg, "GET", url, &resp, err ? err : local);
  assert_code_err(rc, want, err ? err : local);
  httpr_error_free(local);
  return resp;
}

void expect_failure(const httpr_config *cfg, const char *url, httpr_code want,
                    const char *message) {
  httpr_error *err = httpr_error_new();
  httpr_response *resp = expect_get(cfg, url, want, err);
  assert_null(resp);
  assert_string_equal(httpr_error_message(err), message);
  assert_true(strlen(httpr_error_detail(err)) > 0);
  httpr_error_free(err);
}

char *body_string(const httpr_response *resp) {
  size_t len = 0;
  const unsigned char *body = httpr_response_body(resp, &len);
  char *s = malloc(len + 1);
  assert_non_null(s);
  memcpy(s, body, len);
  s[len] = '\0';
  return s;
}

/* ---- environment --------------------------------------------------------- */

/* The library's own table (common/env.h) names every variable it reads; the
 * suite links only the public library, so it takes the names from the
 * table's macro rather than from the library. Two stay, being no setting
 * under test: HTTPR_PROVIDER_PATH is how the build tree's programs (the
 * CLI the suite runs) find the provider modules, and HTTPR_PROVIDERS_CONF
 * (make check names a file that does not exist) keeps the machine's
 * providers.conf from changing the default the scenarios expect. */
#define ENV_NAME(name, what, reader) #name,
void env_reset(void) {
  static const char *const vars[] = {HR_ENV_TABLE(ENV_NAME)};
  for (size_t i = 0; i < COUNT_OF(vars); i++) {
    if (strcmp(vars[i], "HTTPR_PROVIDER_PATH") != 0 &&
        strcmp(vars[i], "HTTPR_PROVIDERS_CONF") != 0)
      unsetenv(vars[i]);
  }
}
#undef ENV_NAME

int env_clean(void **state) {
  (void)state;
  env_reset();
  return 0;
}

static int suite_teardown(void **state) {
  (void)state;
  servers_stop_all();
  proxy_servers_stop();
  socks_servers_stop();
  return 0;
}

/* ---- main ---------------------------------------------------------------- */

static int usage(void) {
  fprintf(stderr, "usage: conformance --provider NAME\n"
                  "  (PKI_DIR and TEST_SERVER must be set)\n");
  return 2;
}

/* 1 when name is one of the comma-separated groups (NULL or "": all). */
static int group_chosen(const char *groups, const char *name) {
  if (!groups || !*groups)
    return 1;
  size_t n = strlen(name);
  for (const char *p = groups; *p;) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    if (len == n && strncmp(p, name, n) == 0)
      return 1;
    p += len + (comma ? 1 : 0);
  }
  return 0;
}

/* Every scenario of the groups HTTPR_TEST_GROUPS names ("pool,h2"; unset:
 * all), one group per test file. -1 for an unknown group or no memory. */
static int collect_tests(struct CMUnitTest **out) {
  static const struct {
    const char *group;
    const struct CMUnitTest *tests;
    const size_t *count;
  } lists[] = {
      {"verify", verify_tests, &verify_tests_count},
      {"trust", trust_tests, &trust_tests_count},
      {"client_cert", client_cert_tests, &client_cert_tests_count},
      {"late_cert", late_cert_tests, &late_cert_tests_count},
      {"ocsp", ocsp_tests, &ocsp_tests_count},
      {"tls", tls_tests, &tls_tests_count},
      {"http", http_tests, &http_tests_count},
      {"connect", connect_tests, &connect_tests_count},
      {"connect_choice", connect_choice_tests, &connect_choice_tests_count},
      {"api", api_tests, &api_tests_count},
      {"loop", loop_tests, &loop_tests_count},
      {"pool", pool_tests, &pool_tests_count},
      {"h2", h2_tests, &h2_tests_count},
      {"policy", policy_tests, &policy_tests_count},
      {"system_policy", system_policy_tests, &system_policy_tests_count},
      {"ciphers", ciphers_tests, &ciphers_tests_count},
      {"bounds", bounds_tests, &bounds_tests_count},
      {"verify_report", verify_report_tests, &verify_report_tests_count},
      {"revocation", revocation_tests, &revocation_tests_count},
      {"pinning", pinning_tests, &pinning_tests_count},
      {"proxy", proxy_tests, &proxy_tests_count},
      {"socks", socks_tests, &socks_tests_count},
      {"https_proxy", https_proxy_tests, &https_proxy_tests_count},
  };
  const char *groups = getenv("HTTPR_TEST_GROUPS");
  for (const char *p = groups; p && *p;) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    int known = 0;
    for (size_t i = 0; i < COUNT_OF(lists); i++)
      known |=
          strlen(lists[i].group) == len && strncmp(lists[i].group, p, len) == 0;
    if (!known) {
      fprintf(stderr, "conformance: HTTPR_TEST_GROUPS: unknown group '%.*s'\n",
              (int)len, p);
      return -1;
    }
    p += len + (comma ? 1 : 0);
  }
  size_t total = 0;
  for (size_t i = 0; i < COUNT_OF(lists); i++) {
    if (group_chosen(groups, lists[i].group))
      total += *lists[i].count;
  }
  struct CMUnitTest *all = calloc(total ? total : 1, sizeof(*all));
  if (!all)
    return -1;
  size_t n = 0;
  for (size_t i = 0; i < COUNT_OF(lists); i++) {
    if (!group_chosen(groups, lists[i].group))
      continue;
    memcpy(all + n, lists[i].tests, *lists[i].count * sizeof(*all));
    n += *lists[i].count;
  }
  *out = all;
  return (int)total;
}

int main(int argc, char **argv) {
  const char *provider = getenv("HTTPR_TEST_PROVIDER");
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--provider") == 0 && i + 1 < argc)
      provider = argv[++i];
    else
      return usage();
  }
  g_suite.provider = provider;
  g_suite.pki_dir = getenv("PKI_DIR");
  g_suite.server_bin = getenv("TEST_SERVER");
  if (!provider || !g_suite.pki_dir || !g_suite.server_bin)
    return usage();
  if (httpr_provider_features_by_name(provider, &g_suite.features) !=
      HTTPR_OK) {
    fprintf(stderr, "conformance: provider '%s' is not built in\n", provider);
    return 2;
  }
  snprintf(g_suite.tmp_dir, sizeof(g_suite.tmp_dir), "/tmp/httpr-conf-XXXXXX");
  if (!mkdtemp(g_suite.tmp_dir)) {
    perror("mkdtemp");
    return 1;
  }
  env_reset();
  struct CMUnitTest *tests = NULL;
  int count = collect_tests(&tests);
  if (count < 0)
    return 1;
  /* HTTPR_TEST_FILTER=pattern runs only the matching tests (cmocka's
   * wildcards), to repeat one scenario while working on it. */
  if (getenv("HTTPR_TEST_FILTER"))
    cmocka_set_test_filter(getenv("HTTPR_TEST_FILTER"));
  char group[64];
  snprintf(group, sizeof(group), "conformance[%s]", provider);
  int failed = _cmocka_run_group_tests(group, tests, (size_t)count, NULL,
                                       suite_teardown);
  free(tests);
  char cmd[300];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_suite.tmp_dir);
  if (system(cmd) != 0)
    fprintf(stderr, "conformance: could not remove %s\n", g_suite.tmp_dir);
  return failed ? 1 : 0;
}
