/* SPDX-License-Identifier: MIT */
/*
 * pubkey_pin.h - public key pinning as curl's --pinnedpubkey does it, the
 * same on every provider: the server's leaf must carry one of the pinned
 * keys, compared on its SubjectPublicKeyInfo, after the chain was verified
 * (and with verification off too). A pin is read once, when the client's
 * TLS context is built; the check runs once per new connection (the
 * opener, protocol/opener.c). The only cryptography, SHA-256, is the
 * provider's (its sha256 member): shared code does none itself.
 */
#ifndef HTTPR_PUBKEY_PIN_H
#define HTTPR_PUBKEY_PIN_H

#include <stddef.h>

#include "common/error.h"

#define HR_SHA256_LEN 32

/* The keys a server may have; opaque. */
struct hr_pubkey_pins;

/* Reads a pin as curl takes it: one or more "sha256//BASE64" (the base64
 * of the SHA-256 of a DER SubjectPublicKeyInfo) separated by ';', or else
 * the path of a file holding one public key, PEM ("PUBLIC KEY", the first
 * such block) or DER. HTTPR_E_PINNED_KEY, with a message naming what is
 * wrong, for a hash that is not 32 bytes of base64, an entry of a hash
 * list without "sha256//", a file that cannot be read or that holds no
 * public key; HTTPR_E_NOMEM. *out, freed with hr_pubkey_pins_free, on
 * success. */
httpr_code hr_pubkey_pins_parse(const char *value, struct hr_pubkey_pins **out,
                                httpr_error *err);
void hr_pubkey_pins_free(struct hr_pubkey_pins *pins);

/* A provider's SHA-256 (with its TLS library): 0 with out filled, or -1. */
typedef int hr_sha256_fn(const void *data, size_t len,
                         unsigned char out[HR_SHA256_LEN]);

/* Whether the server's leaf (DER; NULL when the connection has none)
 * carries a pinned key: the hash of its SubjectPublicKeyInfo is one of
 * the pinned hashes, or it is the pinned file's key byte for byte.
 * HTTPR_OK, else HTTPR_E_PINNED_KEY "the server's public key does not
 * match the pinned public key", the detail giving the server's key as
 * "sha256//BASE64" (or saying that there is no certificate to read). */
httpr_code hr_pubkey_pins_check(const struct hr_pubkey_pins *pins,
                                const unsigned char *leaf, size_t len,
                                hr_sha256_fn *sha256, httpr_error *err);

#endif
