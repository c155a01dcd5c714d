/* SPDX-License-Identifier: MIT */
/*
 * test_verify_report.c - verification reports (issue 15, part 7): for a
 * good chain, an expired one, one for another host, an untrusted one, a
 * name constraint broken and a leaf for clients only, the report of the
 * provider under test holds the path as subject and issuer per
 * certificate, the same on every provider; the result, which is the
 * error's message; who decided (the library, or the shared check the
 * case belongs to) and the checks that ran. No report comes when nothing
 * was verified: verification off, plain HTTP, a reused connection, a
 * resumed session. Then `httpr --verify-report` against the same servers:
 * every provider's block shows the same path and result, the exit code is
 * --compare's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/conformance/suite.h"

/* ---- what a report said, kept past its callback ------------------------- */

#define MAX_REPORTS 4
#define MAX_CERTS 11

struct kept_report {
  char result[256];
  char decided_by[32];
  char detail[512];
  size_t certs;
  char path[MAX_CERTS * 2][256]; /* subject, issuer, subject, ... */
  char checks[512];              /* "name ok, name failed, ..." */
};

struct reports {
  int n;
  struct kept_report r[MAX_REPORTS];
};

static void copy(char *dst, size_t cap, const char *src) {
  snprintf(dst, cap, "%s", src ? src : "(null)");
}

static void keep(const httpr_verify_report *rep, void *ud) {
  struct reports *all = ud;
  if (all->n == MAX_REPORTS)
    return;
  struct kept_report *k = &all->r[all->n++];
  copy(k->result, sizeof(k->result), httpr_verify_report_result(rep));
  copy(k->decided_by, sizeof(k->decided_by),
       httpr_verify_report_decided_by(rep));
  copy(k->detail, sizeof(k->detail), httpr_verify_report_detail(rep));
  k->certs = httpr_verify_report_cert_count(rep);
  for (size_t i = 0; i < k->certs && i < MAX_CERTS; i++) {
    copy(k->path[2 * i], sizeof(k->path[0]),
         httpr_verify_report_cert_subject(rep, i));
    copy(k->path[2 * i + 1], sizeof(k->path[0]),
         httpr_verify_report_cert_issuer(rep, i));
  }
  size_t used = 0;
  int passed;
  const char *name;
  for (size_t c = 0; (name = httpr_verify_report_check(rep, c, &passed)); c++) {
    int n = snprintf(k->checks + used, sizeof(k->checks) - used, "%s%s %s",
                     c ? ", " : "", name, passed ? "ok" : "failed");
    if (n > 0 && (size_t)n < sizeof(k->checks) - used)
      used += (size_t)n;
  }
}

static httpr_config *reporting_cfg(struct reports *all) {
  httpr_config *cfg = cfg_new();
  memset(all, 0, sizeof(*all));
  assert_int_equal(httpr_config_set_verify_report_callback(cfg, keep, all),
                   HTTPR_OK);
  return cfg;
}

/* ---- the cases ----------------------------------------------------------- */

#define ROOT "CN=httpr test root"
#define INTER "CN=httpr test intermediate"

static const char all_checks[] =
    "chain-length ok, der ok, critical-extensions ok, ca ok, purpose ok, "
    "name-constraints ok, key-strength ok, signature-algorithm ok, "
    "key-usage ok, identity ok";

struct verify_case {
  enum profile p;
  int exit_code; /* the CLI's */
  const char *result;
  /* The shared check that refuses it, when one does; whether the library
   * may refuse it first (it then decides). */
  const char *check;
  int library_may_decide;
  const char *path[MAX_CERTS * 2 + 1]; /* subject, issuer, ...; NULL */
};

static const struct verify_case cases[] = {
    {SRV_GOOD_ECDSA,
     0,
     "ok",
     NULL,
     0,
     {"CN=localhost", INTER, INTER, ROOT, ROOT, ROOT, NULL}},
    {SRV_EXPIRED,
     60,
     "certificate verify failed: certificate has expired",
     NULL,
     1,
     {"CN=localhost", INTER, INTER, ROOT, ROOT, ROOT, NULL}},
    {SRV_WRONGHOST,
     60,
     "certificate verify failed: certificate does not match host name "
     "'localhost'",
     "identity",
     0,
     {"CN=wrong.example", INTER, INTER, ROOT, ROOT, ROOT, NULL}},
    {SRV_UNTRUSTED,
     60,
     "certificate verify failed: self-signed certificate in certificate "
     "chain",
     NULL,
     1,
     {"CN=localhost", "CN=httpr other root", "CN=httpr other root",
      "CN=httpr other root", NULL}},
    {SRV_NC_PERMIT_VIOLATION,
     60,
     "certificate verify failed: permitted subtree violation",
     "name-constraints",
     1,
     {"CN=localhost", "CN=httpr nc-permit-violation-ca",
      "CN=httpr nc-permit-violation-ca", ROOT, ROOT, ROOT, NULL}},
    {SRV_BAD_PURPOSE,
     60,
     "certificate verify failed: unsuitable certificate purpose",
     "purpose",
     1,
     {"CN=localhost", INTER, INTER, ROOT, ROOT, ROOT, NULL}},
};

static void expect_path(const struct kept_report *k,
                        const struct verify_case *c) {
  size_t n = 0;
  while (c->path[n])
    n++;
  if (k->certs != n / 2)
    print_error("%zu certificates in the path, expected %zu\n", k->certs,
                n / 2);
  assert_int_equal(k->certs, n / 2);
  for (size_t i = 0; i < n; i++)
    assert_string_equal(k->path[i], c->path[i]);
}

/* Who decided, and the checks, agree with the case: a refusal by the
 * library has the error's detail as its own and stops the shared checks;
 * one by the case's check ends the list with it. */
static void expect_decider(const struct kept_report *k,
                           const struct verify_case *c,
                           const httpr_error *err) {
  if (!c->check && !c->library_may_decide) {
    assert_string_equal(k->decided_by, "");
    assert_string_equal(k->detail, "");
    assert_string_equal(k->checks, all_checks);
    return;
  }
  if (strcmp(k->decided_by, "library") == 0) {
    if (!c->library_may_decide)
      print_error("the library decided, expected %s\n", c->check);
    assert_true(c->library_may_decide);
    assert_string_equal(k->detail, httpr_error_detail(err));
    assert_null(strstr(k->checks, "failed"));
    return;
  }
  assert_non_null(c->check);
  assert_string_equal(k->decided_by, c->check);
  assert_true(strlen(k->detail) > 0);
  char tail[64];
  snprintf(tail, sizeof(tail), "%s failed", c->check);
  size_t len = strlen(k->checks), tlen = strlen(tail);
  assert_true(len >= tlen);
  assert_string_equal(k->checks + len - tlen, tail);
}

/* A GET of case c gives one report, which says what the case says. */
static void report_of(const struct verify_case *c) {
  struct reports all;
  httpr_config *cfg = reporting_cfg(&all);
  httpr_error *err = httpr_error_new();
  httpr_response *resp = NULL;
  httpr_code rc = fetch(cfg, "GET", url_of(c->p, NULL, "/"), &resp, err);
  httpr_config_free(cfg);
  assert_int_equal(all.n, 1);
  const struct kept_report *k = &all.r[0];
  assert_string_equal(k->result, c->result);
  if (rc == HTTPR_OK) {
    assert_int_equal(c->exit_code, 0);
    assert_string_equal(k->path[0], httpr_response_peer_subject(resp));
    assert_string_equal(k->path[1], httpr_response_peer_issuer(resp));
  } else {
    assert_int_not_equal(c->exit_code, 0);
    assert_string_equal(k->result, httpr_error_message(err));
  }
  expect_path(k, c);
  expect_decider(k, c, err);
  httpr_response_free(resp);
  httpr_error_free(err);
}

static void report_of_a_good_chain(void **state) {
  (void)state;
  report_of(&cases[0]);
}

static void reports_of_refused_chains(void **state) {
  (void)state;
  for (size_t i = 1; i < COUNT_OF(cases); i++)
    report_of(&cases[i]);
}

/* Nothing verified, nothing reported. */
static void no_report_without_a_verification(void **state) {
  (void)state;
  struct reports all;
  httpr_config *cfg = reporting_cfg(&all);
  assert_int_equal(httpr_config_set_verify(cfg, 0), HTTPR_OK);
  httpr_response_free(
      expect_get(cfg, url_of(SRV_EXPIRED, NULL, "/"), HTTPR_OK, NULL));
  httpr_response_free(
      expect_get(cfg, url_of(SRV_PLAIN, NULL, "/"), HTTPR_OK, NULL));
  assert_int_equal(all.n, 0);
  httpr_config_free(cfg);
}

/* One handshake, one report: not again for a reused connection, nor for
 * a new connection that resumed the session (no certificate is sent). */
static void one_report_per_full_handshake(void **state) {
  (void)state;
  struct reports all;
  httpr_config *cfg = reporting_cfg(&all);
  httpr_client *client = client_of(cfg);
  httpr_request *fresh = NULL;
  const char *url = url_of(SRV_GOOD_ECDSA, NULL, "/");
  assert_int_equal(httpr_request_new(&fresh, "GET", url, NULL), HTTPR_OK);
  assert_int_equal(httpr_request_set_fresh_connection(fresh, 1), HTTPR_OK);
  struct kept k;
  assert_code(send_kept(client, "GET", url, NULL, &k, NULL), HTTPR_OK);
  assert_int_equal(all.n, 1);
  assert_code(send_kept(client, "GET", url, NULL, &k, NULL), HTTPR_OK);
  assert_int_equal(k.reused, 1);
  assert_int_equal(all.n, 1);
  if (g_suite.features & HTTPR_FEATURE_SESSION_RESUME) {
    httpr_response *resp = NULL;
    assert_code(httpr_client_send(client, fresh, &resp, NULL), HTTPR_OK);
    assert_int_equal(httpr_response_connection_reused(resp), 0);
    assert_int_equal(httpr_response_tls_session_resumed(resp), 1);
    httpr_response_free(resp);
    assert_int_equal(all.n, 1);
  }
  httpr_request_free(fresh);
  httpr_client_free(client);
  httpr_config_free(cfg);
}

/* ---- httpr --verify-report ----------------------------------------------- */

/* The lines of `provider`'s block in the CLI's output, those that must be
 * the same on every provider (result, path, outcome), into out; the
 * "decided by" line into decided. 0 when the block is missing. */
static int block_of(const char *output, const char *provider, char *out,
                    size_t cap, char *decided, size_t dcap) {
  char head[64];
  snprintf(head, sizeof(head), "\n%s\n", provider);
  const char *at = strstr(output, head);
  out[0] = decided[0] = '\0';
  if (!at)
    return 0;
  at += strlen(head);
  size_t used = 0;
  while (*at && *at != '\n') {
    size_t len = strcspn(at, "\n");
    if (strncmp(at, "  decided by  ", 14) == 0)
      snprintf(decided, dcap, "%.*s", (int)(len - 14), at + 14);
    else if (strncmp(at, "  checks ", 9) != 0 && used + len + 1 < cap) {
      memcpy(out + used, at, len);
      used += len;
      out[used++] = '\n';
      out[used] = '\0';
    }
    at += len + (at[len] == '\n');
  }
  return 1;
}

/* What the block of a case must hold, but for who decided. */
static void expected_block(const struct verify_case *c, char *out, size_t cap) {
  size_t used = (size_t)snprintf(out, cap, "  result      %s\n", c->result);
  for (size_t i = 0; c->path[i]; i += 2)
    used += (size_t)snprintf(out + used, cap - used,
                             "  cert %-6zu %s\n    issuer    %s\n", i / 2,
                             c->path[i], c->path[i + 1]);
  if (c->exit_code)
    snprintf(out + used, cap - used, "  outcome     error %d\n", c->exit_code);
  else
    snprintf(out + used, cap - used, "  outcome     200\n");
}

static char *cli_output(const char *url, const char *extra, int want_exit) {
  char ca[512], err[4096];
  snprintf(ca, sizeof(ca), "%s", pki("ca-bundle.pem"));
  const char *out_path = tmp_path("verify-report.out");
  const char *const args[] = {
      "--verify-report", "--cacert", ca, "--max-time", "15", url, extra, NULL};
  int rc = run_cli_to(args, NULL, NULL, out_path, err, sizeof(err));
  if (rc != want_exit)
    print_error("httpr exited with %d, expected %d; stderr: %s\n", rc,
                want_exit, err);
  assert_int_equal(rc, want_exit);
  FILE *f = fopen(out_path, "r");
  assert_non_null(f);
  static char text[32768];
  size_t n = fread(text, 1, sizeof(text) - 1, f);
  text[n] = '\0';
  fclose(f);
  return text;
}

static void cli_blocks_agree(void **state) {
  (void)state;
  for (size_t i = 0; i < COUNT_OF(cases); i++) {
    const struct verify_case *c = &cases[i];
    char url[512], want[2048], mine[2048], decided[640];
    snprintf(url, sizeof(url), "%s", url_of(c->p, NULL, "/"));
    const char *text = cli_output(url, NULL, c->exit_code);
    assert_true(strncmp(text, url, strlen(url)) == 0);
    expected_block(c, want, sizeof(want));
    if (!block_of(text, g_suite.provider, mine, sizeof(mine), decided,
                  sizeof(decided)))
      print_error("no block for %s in:\n%s\n", g_suite.provider, text);
    assert_string_equal(mine, want);
    if (c->check || c->library_may_decide) {
      char rule[64];
      snprintf(rule, sizeof(rule), "%s: ", c->check ? c->check : "library");
      assert_true(
          strncmp(decided, rule, strlen(rule)) == 0 ||
          (c->library_may_decide && strncmp(decided, "library: ", 9) == 0));
    } else {
      assert_string_equal(decided, "");
    }
    /* Every provider's block shows the same path and result. */
    for (size_t p = 0; p < httpr_provider_count(); p++) {
      char theirs[2048], their_decided[640];
      assert_true(block_of(text, httpr_provider_name(p), theirs, sizeof(theirs),
                           their_decided, sizeof(their_decided)));
      if (strcmp(theirs, want) != 0)
        print_error("%s's block differs:\n%s\n", httpr_provider_name(p), text);
      assert_string_equal(theirs, want);
    }
  }
}

/* -k: every provider's handshake runs, none verifies. */
static void cli_without_verification(void **state) {
  (void)state;
  char url[512], mine[1024], decided[64];
  snprintf(url, sizeof(url), "%s", url_of(SRV_EXPIRED, NULL, "/"));
  const char *text = cli_output(url, "-k", 0);
  for (size_t p = 0; p < httpr_provider_count(); p++) {
    assert_true(block_of(text, httpr_provider_name(p), mine, sizeof(mine),
                         decided, sizeof(decided)));
    assert_string_equal(mine, "  result      no certificate was verified\n"
                              "  outcome     200\n");
  }
}

const struct CMUnitTest verify_report_tests[] = {
    cmocka_unit_test_setup(report_of_a_good_chain, env_clean),
    cmocka_unit_test_setup(reports_of_refused_chains, env_clean),
    cmocka_unit_test_setup(no_report_without_a_verification, env_clean),
    cmocka_unit_test_setup(one_report_per_full_handshake, env_clean),
    cmocka_unit_test_setup(cli_blocks_agree, env_clean),
    cmocka_unit_test_setup(cli_without_verification, env_clean),
};
const size_t verify_report_tests_count = COUNT_OF(verify_report_tests);
