/* SPDX-License-Identifier: MIT */
/*
 * x509_cert.h - the fields of one X.509 certificate (RFC 5280) that the
 * shared verification policy judges, read from its DER with der.h: the
 * names, the public key's type and size, the signature algorithm, and the
 * extensions the policy knows. Nothing is verified here and nothing is
 * allocated: spans point into the caller's DER.
 */
#ifndef HTTPR_X509_CERT_H
#define HTTPR_X509_CERT_H

#include <stddef.h>
#include <stdint.h>

#include "backends/der.h"

enum hr_key_type {
  HR_KEY_OTHER = 0, /* an algorithm the policy does not accept */
  HR_KEY_RSA,       /* rsaEncryption or RSASSA-PSS */
  HR_KEY_EC,        /* id-ecPublicKey on a named curve */
  HR_KEY_EDDSA      /* Ed25519, Ed448 */
};

enum hr_ec_curve {
  HR_CURVE_OTHER = 0,
  HR_CURVE_P256,
  HR_CURVE_P384,
  HR_CURVE_P521
};

/* How strong the hash under the certificate's signature is. */
enum hr_sig_strength {
  HR_SIG_UNKNOWN = 0, /* an algorithm the policy does not know */
  HR_SIG_WEAK,        /* MD2, MD4, MD5, SHA-1 (also DSA) */
  HR_SIG_STRONG       /* SHA-224 and up, Ed25519, Ed448 */
};

/* keyUsage bits, numbered as in RFC 5280 4.2.1.3. */
enum {
  HR_KU_DIGITAL_SIGNATURE = 1u << 0,
  HR_KU_KEY_ENCIPHERMENT = 1u << 2,
  HR_KU_KEY_AGREEMENT = 1u << 4,
  HR_KU_KEY_CERT_SIGN = 1u << 5
};

struct hr_cert {
  int version;            /* 1, 2 or 3 */
  struct hr_der issuer;   /* the issuer Name, whole encoding */
  struct hr_der subject;  /* the subject Name, whole encoding */
  enum hr_key_type key_type;
  size_t key_bits;        /* RSA: the modulus's size */
  enum hr_ec_curve curve; /* EC keys */
  enum hr_sig_strength sig;

  int has_basic_constraints;
  int is_ca;
  int64_t path_len; /* -1: no pathLenConstraint */
  int has_key_usage;
  unsigned key_usage; /* HR_KU_* bits */
  int has_eku;
  int eku_server_auth; /* id-kp-serverAuth listed */
  int eku_any;         /* anyExtendedKeyUsage listed */
  struct hr_der san;   /* GeneralNames' content; p NULL when absent */
  struct hr_der name_constraints; /* NameConstraints' content, or p NULL */
  /* The OID of the first critical extension the policy does not know;
   * p NULL when there is none. */
  struct hr_der unknown_critical;
};

/* Reads a certificate. Returns 0, or -1 when der is not a certificate
 * whose structure and known extensions are well-formed DER (a known
 * extension given twice is malformed too). */
int hr_cert_parse(const unsigned char *der, size_t len, struct hr_cert *out);

/* The certificate's subjectPublicKeyInfo, whole (tag and length too),
 * as a span of der: what a public key pin is compared with. Reads only
 * as far as it, so a certificate with extensions the policy would call
 * malformed still has its key read. 0, or -1 when der is not a
 * certificate up to there. */
int hr_cert_spki(const unsigned char *der, size_t len, struct hr_der *spki);

/* 0 when der is exactly one DER SubjectPublicKeyInfo (RFC 5280 4.1:
 * an algorithm and a BIT STRING; an RSA key's is read too), else -1. */
int hr_spki_check(const unsigned char *der, size_t len);

/* 1 when the certificate names itself as its issuer. */
int hr_cert_self_issued(const struct hr_cert *c);

#endif
