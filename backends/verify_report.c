/* SPDX-License-Identifier: MIT */
/*
 * verify_report.c - records a verification as verify_report.h says. The
 * names are printed here from the DER (x509_name.c), never by a TLS
 * library, so the same path reads the same from every provider.
 */
#include <stdio.h>
#include <string.h>

#include "backends/verify_report.h"
#include "backends/x509_cert.h"
#include "backends/x509_name.h"

static const char *const check_names[HR_CHECK_COUNT] = {
    [HR_CHECK_CHAIN_LENGTH] = "chain-length",
    [HR_CHECK_DER] = "der",
    [HR_CHECK_CRITICAL_EXTENSIONS] = "critical-extensions",
    [HR_CHECK_CA] = "ca",
    [HR_CHECK_PURPOSE] = "purpose",
    [HR_CHECK_NAME_CONSTRAINTS] = "name-constraints",
    [HR_CHECK_KEY_STRENGTH] = "key-strength",
    [HR_CHECK_SIGNATURE_ALGORITHM] = "signature-algorithm",
    [HR_CHECK_KEY_USAGE] = "key-usage",
    [HR_CHECK_IDENTITY] = "identity",
};

const char *hr_check_name(enum hr_check c) {
  return (unsigned)c < HR_CHECK_COUNT ? check_names[c] : "";
}

void hr_report_path(struct httpr_verify_report *r,
                    const struct hr_cert_path *path) {
  if (!r)
    return;
  r->recorded = 1;
  r->count = 0;
  for (size_t i = 0; i < path->count && i < HR_POLICY_MAX_PATH; i++) {
    struct hr_cert c;
    char *subject = r->certs[i].subject, *issuer = r->certs[i].issuer;
    if (hr_cert_parse(path->certs[i].p, path->certs[i].len, &c) != 0) {
      snprintf(subject, HR_REPORT_NAME_MAX, "(not a readable certificate)");
      snprintf(issuer, HR_REPORT_NAME_MAX, "(not a readable certificate)");
    } else {
      hr_name_text(&c.subject, subject, HR_REPORT_NAME_MAX);
      hr_name_text(&c.issuer, issuer, HR_REPORT_NAME_MAX);
    }
    r->count++;
  }
}

/* A shared check refused: it decided, unless one refused before it. */
static void check_refused(struct httpr_verify_report *r, enum hr_check c,
                          const char *why) {
  r->failed |= 1u << c;
  if (r->decider != HR_DECIDED_NONE)
    return;
  r->decider = HR_DECIDED_CHECK;
  r->deciding_check = c;
  snprintf(r->detail, sizeof(r->detail), "%s", why);
}

void hr_report_policy(struct httpr_verify_report *r, int refused,
                      const struct hr_policy_verdict *v) {
  if (!r)
    return;
  r->recorded = 1;
  /* The policy's rules run in the order of enum hr_check, each over the
   * whole path: those before the refusing one all passed. */
  enum hr_check last = refused ? v->rule : HR_CHECK_KEY_USAGE;
  for (unsigned c = 0; c <= (unsigned)last && c < HR_CHECK_IDENTITY; c++)
    r->ran |= 1u << c;
  if (refused)
    check_refused(r, v->rule, v->why);
}

void hr_report_identity(struct httpr_verify_report *r, int matched) {
  if (!r)
    return;
  r->recorded = 1;
  r->ran |= 1u << HR_CHECK_IDENTITY;
  if (!matched)
    check_refused(r, HR_CHECK_IDENTITY,
                  "no subject alternative name of the leaf matches the host");
}

void hr_report_refused(struct httpr_verify_report *r,
                       const httpr_error *verdict) {
  if (!r)
    return;
  r->recorded = 1;
  snprintf(r->result, sizeof(r->result), "%s", verdict->message);
  if (r->decider != HR_DECIDED_NONE)
    return;
  r->decider = HR_DECIDED_LIBRARY;
  snprintf(r->detail, sizeof(r->detail), "%s", verdict->detail);
}
