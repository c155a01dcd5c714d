/* SPDX-License-Identifier: MIT */
/*
 * name_constraints.h - RFC 5280 name constraints (4.2.1.10, 6.1.3 b-c),
 * one set of rules for every provider: a CA's permitted and excluded
 * subtrees of dNSName, iPAddress and directoryName, applied to the
 * subject and subjectAltName of every certificate below it. A subtree of
 * any other name type (rfc822Name, URI, otherName, ...), or one with a
 * minimum or maximum, is not handled: the chain is refused rather than
 * trusted on a rule nobody checked (fail closed).
 */
#ifndef HTTPR_NAME_CONSTRAINTS_H
#define HTTPR_NAME_CONSTRAINTS_H

#include "backends/der.h"
#include "backends/x509_cert.h"

enum hr_nc_result {
  HR_NC_OK = 0,
  HR_NC_PERMITTED,   /* a name lies outside every permitted subtree */
  HR_NC_EXCLUDED,    /* a name lies inside an excluded subtree */
  HR_NC_UNSUPPORTED, /* a subtree of a type, or with a limit, not handled */
  HR_NC_MALFORMED    /* not a NameConstraints structure */
};

/* Whether every subtree of the NameConstraints (the content of a CA's
 * extension, struct hr_cert's name_constraints) can be checked. */
enum hr_nc_result hr_nc_supported(const struct hr_der *constraints);

/* Checks the names of cert against the constraints: per type with a
 * permitted subtree, each name of that type must lie in one; no name may
 * lie in an excluded subtree. The subject is checked as a directoryName
 * when it is not empty. */
enum hr_nc_result hr_nc_check(const struct hr_der *constraints,
                              const struct hr_cert *cert);

#endif
