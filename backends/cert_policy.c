/* SPDX-License-Identifier: MIT */
/*
 * cert_policy.c - the rules of cert_policy.h, in the order OpenSSL checks
 * the same things (chain length, extensions, CA flags and path length,
 * purpose, name constraints, then key and signature strength), so that a
 * chain with several faults is refused for the same one everywhere.
 */
#include <stdarg.h>
#include <stdio.h>

#include "backends/cert_policy.h"
#include "backends/name_constraints.h"
#include "backends/x509_cert.h"

void hr_path_add(struct hr_cert_path *path, const void *der, size_t len) {
  if (path->count >= HR_POLICY_MAX_PATH) {
    path->overflow = 1;
    return;
  }
  path->certs[path->count].p = der;
  path->certs[path->count].len = len;
  path->count++;
}

static int refuse(struct hr_policy_verdict *v, enum hr_check rule,
                  enum hr_verify_reason reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int refuse(struct hr_policy_verdict *v, enum hr_check rule,
                  enum hr_verify_reason reason, const char *fmt, ...) {
  va_list ap;
  v->reason = reason;
  v->rule = rule;
  va_start(ap, fmt);
  vsnprintf(v->why, sizeof(v->why), fmt, ap);
  va_end(ap);
  return -1;
}

/* ---- one rule each ------------------------------------------------------- */

static int check_length(const struct hr_cert_path *path,
                        struct hr_policy_verdict *v) {
  size_t intermediates = path->count > 2 ? path->count - 2 : 0;
  if (path->overflow || intermediates > HR_POLICY_MAX_INTERMEDIATES)
    return refuse(v, HR_CHECK_CHAIN_LENGTH, HR_VERIFY_CHAIN_TOO_LONG,
                  "more than %d intermediate certificates",
                  HR_POLICY_MAX_INTERMEDIATES);
  return 0;
}

static int check_extensions(const struct hr_cert *c, size_t depth,
                            struct hr_policy_verdict *v) {
  char oid[96];
  if (!c->unknown_critical.p)
    return 0;
  hr_der_oid_text(oid, sizeof(oid), &c->unknown_critical);
  return refuse(v, HR_CHECK_CRITICAL_EXTENSIONS, HR_VERIFY_CRITICAL_EXTENSION,
                "depth %zu: critical extension %s is unknown", depth, oid);
}

/* certs[depth] issued certs[depth - 1]; below counts the intermediates
 * between it and the leaf that are not self-issued (RFC 5280 6.1.4 l). */
static int check_issuer(const struct hr_cert *c, size_t depth, size_t below,
                        int is_anchor, struct hr_policy_verdict *v) {
  if (is_anchor && c->version == 1)
    return 0;
  if (!c->has_basic_constraints || !c->is_ca)
    return refuse(v, HR_CHECK_CA, HR_VERIFY_INVALID_CA,
                  "depth %zu: not a CA (%s)", depth,
                  c->has_basic_constraints ? "basicConstraints cA is false"
                                           : "no basicConstraints");
  /* OpenSSL names this "invalid CA certificate" too. */
  if (c->has_key_usage && !(c->key_usage & HR_KU_KEY_CERT_SIGN))
    return refuse(v, HR_CHECK_CA, HR_VERIFY_INVALID_CA,
                  "depth %zu: not a CA (keyUsage lacks keyCertSign)", depth);
  if (c->path_len >= 0 && below > (size_t)c->path_len)
    return refuse(v, HR_CHECK_CA, HR_VERIFY_PATH_LENGTH,
                  "depth %zu: pathLenConstraint %lld, %zu intermediates "
                  "below",
                  depth, (long long)c->path_len, below);
  return 0;
}

static int check_purpose(const struct hr_cert *c, size_t depth,
                         struct hr_policy_verdict *v) {
  if (c->has_eku && !c->eku_server_auth)
    return refuse(v, HR_CHECK_PURPOSE, HR_VERIFY_BAD_PURPOSE,
                  "depth %zu: extendedKeyUsage lacks serverAuth", depth);
  return 0;
}

static int check_names(const struct hr_cert *certs, size_t count,
                       struct hr_policy_verdict *v) {
  static const struct {
    enum hr_verify_reason reason;
    const char *what;
  } results[] = {
      [HR_NC_PERMITTED] = {HR_VERIFY_NC_PERMITTED,
                           "a name outside the permitted subtrees"},
      [HR_NC_EXCLUDED] = {HR_VERIFY_NC_EXCLUDED,
                          "a name inside an excluded subtree"},
      [HR_NC_UNSUPPORTED] = {HR_VERIFY_NC_UNSUPPORTED,
                             "a subtree of a type not checked"},
      [HR_NC_MALFORMED] = {HR_VERIFY_MALFORMED, "malformed name constraints"},
  };
  for (size_t i = count; i-- > 1;) {
    if (!certs[i].name_constraints.p)
      continue;
    for (size_t j = i; j-- > 0;) {
      /* Self-issued intermediates are exempt (RFC 5280 6.1.3 b). */
      if (j > 0 && hr_cert_self_issued(&certs[j]))
        continue;
      enum hr_nc_result r = hr_nc_check(&certs[i].name_constraints, &certs[j]);
      if (r != HR_NC_OK)
        return refuse(v, HR_CHECK_NAME_CONSTRAINTS, results[r].reason,
                      "depth %zu: %s of depth %zu", j, results[r].what, i);
    }
  }
  return 0;
}

static int check_key(const struct hr_cert *c, size_t depth,
                     struct hr_policy_verdict *v) {
  switch (c->key_type) {
  case HR_KEY_RSA:
    if (c->key_bits < 2048)
      return refuse(v, HR_CHECK_KEY_STRENGTH, HR_VERIFY_INSECURE,
                    "depth %zu: RSA key of %zu bits, below 2048", depth,
                    c->key_bits);
    return 0;
  case HR_KEY_EC:
    if (c->curve == HR_CURVE_OTHER)
      return refuse(v, HR_CHECK_KEY_STRENGTH, HR_VERIFY_INSECURE,
                    "depth %zu: EC key not on P-256, P-384 or P-521", depth);
    return 0;
  case HR_KEY_EDDSA:
    return 0;
  case HR_KEY_OTHER:
    break;
  }
  return refuse(v, HR_CHECK_KEY_STRENGTH, HR_VERIFY_INSECURE,
                "depth %zu: a public key type the policy does not accept",
                depth);
}

static int check_signature(const struct hr_cert *c, size_t depth,
                           struct hr_policy_verdict *v) {
  if (c->sig == HR_SIG_STRONG)
    return 0;
  return refuse(v, HR_CHECK_SIGNATURE_ALGORITHM, HR_VERIFY_INSECURE,
                "depth %zu: %s", depth,
                c->sig == HR_SIG_WEAK
                    ? "signed with MD5 or SHA-1"
                    : "signed with an algorithm the policy does not accept");
}

static int check_leaf_usage(const struct hr_cert *leaf, enum hr_kx kx,
                            struct hr_policy_verdict *v) {
  if (!leaf->has_key_usage || kx == HR_KX_UNKNOWN)
    return 0;
  if (kx == HR_KX_SIGN && !(leaf->key_usage & HR_KU_DIGITAL_SIGNATURE))
    return refuse(v, HR_CHECK_KEY_USAGE, HR_VERIFY_BAD_PURPOSE,
                  "depth 0: keyUsage lacks digitalSignature, which the key "
                  "exchange needs");
  if (kx == HR_KX_RSA && !(leaf->key_usage & HR_KU_KEY_ENCIPHERMENT))
    return refuse(v, HR_CHECK_KEY_USAGE, HR_VERIFY_BAD_PURPOSE,
                  "depth 0: keyUsage lacks keyEncipherment, which RSA key "
                  "transport needs");
  return 0;
}

/* ---- the path ------------------------------------------------------------ */

static int check_chain(const struct hr_cert *certs, size_t n,
                       struct hr_policy_verdict *v) {
  size_t below = 0;
  for (size_t i = 0; i < n; i++) {
    if (check_extensions(&certs[i], i, v) != 0)
      return -1;
  }
  for (size_t i = 1; i < n; i++) {
    if (check_issuer(&certs[i], i, below, i == n - 1, v) != 0)
      return -1;
    if (!hr_cert_self_issued(&certs[i]))
      below++;
  }
  /* The trust anchor's purposes are its trust settings', not checked. */
  for (size_t i = 0; i < n; i++) {
    if ((i == 0 || i < n - 1) && check_purpose(&certs[i], i, v) != 0)
      return -1;
  }
  if (check_names(certs, n, v) != 0)
    return -1;
  for (size_t i = 0; i < n; i++) {
    if (check_key(&certs[i], i, v) != 0)
      return -1;
  }
  for (size_t i = 0; i + 1 < n; i++) {
    if (check_signature(&certs[i], i, v) != 0)
      return -1;
  }
  return 0;
}

int hr_policy_check(const struct hr_cert_path *path, enum hr_kx kx,
                    struct hr_policy_verdict *v) {
  struct hr_cert certs[HR_POLICY_MAX_PATH];
  v->why[0] = '\0';
  if (check_length(path, v) != 0)
    return -1;
  if (path->count == 0)
    return refuse(v, HR_CHECK_DER, HR_VERIFY_MALFORMED, "no certificate");
  for (size_t i = 0; i < path->count; i++) {
    if (hr_cert_parse(path->certs[i].p, path->certs[i].len, &certs[i]) != 0)
      return refuse(v, HR_CHECK_DER, HR_VERIFY_MALFORMED,
                    "depth %zu: not valid DER", i);
  }
  if (check_chain(certs, path->count, v) != 0)
    return -1;
  return check_leaf_usage(&certs[0], kx, v);
}

httpr_code hr_policy_failed(httpr_error *err,
                            const struct hr_policy_verdict *verdict,
                            const char *host) {
  hr_verify_failed(err, verdict->reason, host, verdict->why);
  hr_detail(err, "httpr policy: %s", verdict->why);
  return err->code;
}
