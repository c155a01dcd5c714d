/* SPDX-License-Identifier: MIT */
/*
 * crl_file.h - the CRL file (httpr_config_set_crl_file, --crlfile), read
 * for every provider the same way: the file once per TLS context, each
 * "X509 CRL" PEM block handed to the provider, which parses it with its
 * library, and one wording for every failure. What a CRL then means (a
 * revoked certificate; a CRL past its nextUpdate; a certificate whose
 * issuer has no CRL, which passes) is the rule each provider makes its
 * library keep (README, "Revocation").
 */
#ifndef HTTPR_CRL_FILE_H
#define HTTPR_CRL_FILE_H

#include "backends/pem.h"
#include "backends/tls_conn.h"
#include "common/error.h"

/* A provider's way to take one CRL: 0 when its library took it, else the
 * library's error code (for words). */
typedef int (*hr_crl_add_fn)(const struct hr_pem_block *crl, void *ud);

/* Calls add for every CRL block of the file at path, in order.
 * HTTPR_E_CRL_FILE "CRL file 'F' cannot be read: <strerror>", "... holds
 * no PEM CRL", or "CRL N of CRL file 'F' cannot be parsed" (N from 1;
 * the detail is words' text for add's code, unless words is NULL: the
 * provider then adds its own). HTTPR_OK once every block was taken. */
httpr_code hr_crl_load(const char *path, hr_crl_add_fn add, void *ud,
                       hr_detail_fn *words, httpr_error *err);

#endif
