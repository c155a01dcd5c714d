/* SPDX-License-Identifier: MIT */
/*
 * x509_name.h - an X.509 Name (a certificate's subject or issuer) as the
 * text OpenSSL prints with XN_FLAG_RFC2253, written by shared code from
 * the DER, so that a path reported by any provider reads the same: the
 * most specific RDN first, "," between RDNs and "+" between the
 * attributes of one, OpenSSL's short names (CN, O, emailAddress, ...),
 * the dotted OID and "#" with the DER in hex for a type it has no name
 * for, and in values RFC 4514's escapes plus "\XX" for control
 * characters and for every byte of a non-ASCII character in UTF-8.
 */
#ifndef HTTPR_X509_NAME_H
#define HTTPR_X509_NAME_H

#include <stddef.h>

#include "backends/der.h"

/* Writes name (a whole Name encoding, as struct hr_cert holds it) into
 * out, cut to cap bytes (cap > 0), always terminated. Returns 0, or -1
 * when name is not a well-formed Name: out then holds what was read
 * before the fault, followed by "#malformed". */
int hr_name_text(const struct hr_der *name, char *out, size_t cap);

#endif
