/* SPDX-License-Identifier: MIT */
/*
 * cert_policy.h - httpr's one certificate verification policy, judged by
 * shared code on the path a provider verified (leaf first, the trust
 * anchor last), so that every provider accepts and refuses the same
 * chains whatever its library checks by itself:
 *
 *  - at most HR_POLICY_MAX_INTERMEDIATES certificates between the leaf and
 *    the trust anchor;
 *  - no critical extension the policy does not know (x509_cert.c lists
 *    the known ones);
 *  - every issuer is a CA (basicConstraints cA, keyCertSign when it has a
 *    keyUsage) and its pathLenConstraint holds; a version 1 trust anchor
 *    is taken as a CA, as OpenSSL takes it;
 *  - an extendedKeyUsage, on the leaf or an intermediate, lists
 *    serverAuth;
 *  - name constraints of every CA, the trust anchor's included, hold for
 *    every certificate below it (name_constraints.h);
 *  - keys: RSA of at least 2048 bits, EC on P-256, P-384 or P-521, or
 *    EdDSA, on every certificate (the anchor's key signs too);
 *  - signatures with SHA-224 or stronger, or EdDSA, on every certificate
 *    but the trust anchor, whose own signature nobody relies on;
 *  - the leaf's keyUsage, when it has one, allows what the key exchange
 *    does with the key: digitalSignature for TLS 1.3 and (EC)DHE,
 *    keyEncipherment for RSA key transport.
 *
 * Dates, signatures and names for the identity check are the provider's
 * (and identity.h's) job; this never does cryptography.
 */
#ifndef HTTPR_CERT_POLICY_H
#define HTTPR_CERT_POLICY_H

#include <stddef.h>

#include "common/error.h"
#include "backends/der.h"
#include "backends/tls_errors.h"

/* mbedTLS 2.28's compiled-in limit, taken by every provider. */
#define HR_POLICY_MAX_INTERMEDIATES 8
/* Room for the longest path taken, and one more to see it is too long. */
#define HR_POLICY_MAX_PATH (HR_POLICY_MAX_INTERMEDIATES + 3)

/* What the key exchange does with the server's key. */
enum hr_kx {
  HR_KX_UNKNOWN = 0, /* not known: the leaf's keyUsage is not judged */
  HR_KX_SIGN,        /* TLS 1.3, (EC)DHE: the key signs */
  HR_KX_RSA          /* RSA key transport: the key decrypts */
};

/* A verified path, leaf first and the trust anchor last; the DER stays
 * the provider's. */
struct hr_cert_path {
  struct hr_der certs[HR_POLICY_MAX_PATH];
  size_t count;
  int overflow; /* more certificates were added than certs[] holds */
};

/* Appends a certificate (the path only points at der). */
void hr_path_add(struct hr_cert_path *path, const void *der, size_t len);

/* The shared checks, in the order they run: the policy's rules as
 * hr_policy_check applies them (each to the whole path before the next),
 * then the identity check (identity.h), which every provider makes last.
 * A verification report (verify_report.h) lists them by these. */
enum hr_check {
  HR_CHECK_CHAIN_LENGTH,        /* at most HR_POLICY_MAX_INTERMEDIATES */
  HR_CHECK_DER,                 /* every certificate readable */
  HR_CHECK_CRITICAL_EXTENSIONS, /* no unknown critical extension */
  HR_CHECK_CA,                  /* issuers are CAs; pathLenConstraint */
  HR_CHECK_PURPOSE,             /* extendedKeyUsage allows serverAuth */
  HR_CHECK_NAME_CONSTRAINTS,
  HR_CHECK_KEY_STRENGTH,
  HR_CHECK_SIGNATURE_ALGORITHM,
  HR_CHECK_KEY_USAGE, /* the leaf's keyUsage against the key exchange */
  HR_CHECK_IDENTITY,  /* the leaf names the host (not the policy's) */
  HR_CHECK_COUNT
};

struct hr_policy_verdict {
  enum hr_verify_reason reason;
  enum hr_check rule; /* the rule that refused the path */
  char why[160];      /* which certificate, and what is wrong with it */
};

/* Judges a path. Returns 0 when it passes, else -1 with the verdict:
 * every rule before verdict->rule passed. */
int hr_policy_check(const struct hr_cert_path *path, enum hr_kx kx,
                    struct hr_policy_verdict *verdict);

/* Fills err for a verdict: the shared message, and the verdict's why as
 * the detail ("httpr policy: ..."). Returns the code. */
httpr_code hr_policy_failed(httpr_error *err,
                            const struct hr_policy_verdict *verdict,
                            const char *host);

#endif
