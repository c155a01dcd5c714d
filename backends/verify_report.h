/* SPDX-License-Identifier: MIT */
/*
 * verify_report.h - what one verification of a server's certificate did,
 * recorded for a caller who asked (httpr_config_set_verify_report_callback):
 * the path the provider built (as subject and issuer per certificate),
 * the shared checks that ran and which of them failed, and who decided a
 * refusal (a shared check, or the TLS library) with the verdict in the
 * shared wording. This struct is the public httpr_verify_report
 * (api/verify_report.c reads it), as httpr_error's is in common/error.h.
 *
 * Recording costs a copy of every subject and issuer, so nothing is
 * recorded unless the caller asked: the core gives a provider's
 * connection a report (set_report in provider.h) only then, and every
 * function here does nothing for a NULL report.
 */
#ifndef HTTPR_VERIFY_REPORT_H
#define HTTPR_VERIFY_REPORT_H

#include <stddef.h>

#include "backends/cert_policy.h"
#include "common/error.h"

/* A name as x509_name.h prints it, cut to this size. */
#define HR_REPORT_NAME_MAX 256

enum hr_decider {
  HR_DECIDED_NONE = 0, /* nothing refused the server */
  HR_DECIDED_LIBRARY,  /* the TLS library refused it itself */
  HR_DECIDED_CHECK     /* a shared check (deciding_check) refused it */
};

struct httpr_verify_report {
  int recorded; /* a verification ran and this says what it did */
  /* The path, leaf first, as far as the provider could give it: the one
   * its library verified, or the one it built before refusing. */
  struct {
    char subject[HR_REPORT_NAME_MAX];
    char issuer[HR_REPORT_NAME_MAX];
  } certs[HR_POLICY_MAX_PATH];
  size_t count;
  unsigned ran;    /* 1u << enum hr_check, for each check that ran */
  unsigned failed; /* the same, for each that refused */
  enum hr_decider decider;
  enum hr_check deciding_check; /* HR_DECIDED_CHECK */
  char result[256]; /* the refusal's message, "" while nothing refused */
  char detail[512]; /* why: the check's words, or the library's */
};

/* The path a provider verified or built: subject and issuer of each
 * certificate (those that cannot be read say so), replacing an earlier
 * one. */
void hr_report_path(struct httpr_verify_report *r,
                    const struct hr_cert_path *path);

/* The shared policy ran (hr_policy_check) and passed (refused 0: every
 * rule ran), or refused with verdict v: every rule before v->rule ran and
 * passed, v->rule failed and decided. */
void hr_report_policy(struct httpr_verify_report *r, int refused,
                      const struct hr_policy_verdict *v);

/* The identity check ran on the leaf: matched or not (then it decided). */
void hr_report_identity(struct httpr_verify_report *r, int matched);

/* A verification refused the server with the error verdict holds (its
 * message and detail, hr_tls_decide's wording): the report keeps both,
 * and names the library as the decider unless a shared check already
 * refused. (tls_conn.c, for hr_tls_decide; not a provider service.) */
void hr_report_refused(struct httpr_verify_report *r,
                       const httpr_error *verdict);

/* The name of a shared check ("name-constraints"), for the public API. */
const char *hr_check_name(enum hr_check c);

#endif
