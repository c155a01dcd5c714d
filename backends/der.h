/* SPDX-License-Identifier: MIT */
/*
 * der.h - a reader of DER (ITU-T X.690) for the structures shared code
 * must read without a TLS library: certificates for the verification
 * policy (backends/x509_cert.h), and credential files for their KDF
 * parameters. It never allocates and never copies: every value is a span
 * of the caller's buffer, valid as long as that buffer is.
 *
 * Strict where a certificate is strict: definite lengths only, in their
 * shortest form, single-byte tags, and no element running past its
 * parent. Anything else is malformed (-1), never guessed at.
 */
#ifndef HTTPR_DER_H
#define HTTPR_DER_H

#include <stddef.h>
#include <stdint.h>

/* Tags (the identifier octet) the readers use. */
enum {
  HR_DER_BOOLEAN = 0x01,
  HR_DER_INTEGER = 0x02,
  HR_DER_BIT_STRING = 0x03,
  HR_DER_OCTET_STRING = 0x04,
  HR_DER_NULL = 0x05,
  HR_DER_OID = 0x06,
  HR_DER_SEQUENCE = 0x30,
  HR_DER_SET = 0x31,
  HR_DER_CONTEXT = 0x80,     /* | n: [n] IMPLICIT, primitive */
  HR_DER_CONTEXT_CONS = 0xa0 /* | n: [n], constructed */
};

/* A span of bytes: a buffer still to read, or one element's value. */
struct hr_der {
  const unsigned char *p;
  size_t len;
};

/* One element: its tag, its value, and its whole encoding (tag and length
 * included, for comparing names byte for byte). */
struct hr_der_elem {
  unsigned tag;
  struct hr_der value;
  struct hr_der whole;
};

/* Takes the next element off the front of in, which moves past it.
 * Returns 0; HR_DER_NOT_DER when the element is BER but not DER (an
 * indefinite or longer than needed length, a multi-octet tag); -1 when in
 * is empty or the element is otherwise malformed. in is unchanged on
 * failure. */
#define HR_DER_NOT_DER (-2)
int hr_der_next(struct hr_der *in, struct hr_der_elem *out);

/* Takes the next element, which must carry tag; its value goes to value
 * (may be NULL). -1 when it is missing, malformed or of another tag,
 * HR_DER_NOT_DER as hr_der_next says. */
int hr_der_take(struct hr_der *in, unsigned tag, struct hr_der *value);

/* For OPTIONAL and DEFAULT fields: takes the next element when it carries
 * tag. Returns 1 when taken, 0 when the next element is another one (or
 * in is empty), -1 or HR_DER_NOT_DER when what comes next is malformed. */
int hr_der_take_optional(struct hr_der *in, unsigned tag,
                         struct hr_der *value);

/* 1 when an OBJECT IDENTIFIER's value is the encoded OID enc (its content
 * octets, e.g. "\x55\x1d\x13" for 2.5.29.19), else 0. */
int hr_der_oid_is(const struct hr_der *oid, const char *enc, size_t enc_len);
#define HR_DER_OID_IS(oid, lit) hr_der_oid_is((oid), (lit), sizeof(lit) - 1)

/* An OBJECT IDENTIFIER's value in its dotted form ("1.3.6.1.4.1.55555.1"),
 * cut to cap bytes; what was read before an arc too large for 64 bits
 * when there is one. */
void hr_der_oid_text(char *out, size_t cap, const struct hr_der *oid);

/* An INTEGER's value as a non-negative number below 2^63. Returns 0, or
 * -1 when it is negative, too large or not minimally encoded. */
int hr_der_uint(const struct hr_der *value, uint64_t *out);

/* A BOOLEAN's value: 0 or 1, -1 when malformed (DER wants 0x00 or 0xff). */
int hr_der_bool(const struct hr_der *value);

/* A BIT STRING's value: the bits without the leading unused-bits octet.
 * Returns 0, or -1 when malformed. *unused gets the count of unused bits
 * in the last octet. */
int hr_der_bits(const struct hr_der *value, struct hr_der *bits,
                unsigned *unused);

/* The length in bits of an unsigned big-endian number (leading zero
 * octets ignored): an RSA modulus's size. */
size_t hr_der_uint_bits(const struct hr_der *value);

#endif
