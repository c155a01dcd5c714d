/* SPDX-License-Identifier: MIT */
/*
 * cert_path.h - the path from the server's leaf to a trust anchor, linked
 * by names (each certificate's issuer is the next one's subject), for
 * providers whose library does not hand over the path it verified, or
 * says only "not trusted" when it verified none: the shared policy then
 * judges the path that a library would have taken.
 */
#ifndef HTTPR_CERT_PATH_H
#define HTTPR_CERT_PATH_H

#include "backends/cert_policy.h"
#include "backends/der.h"

/* Finds a trust anchor whose subject is issuer_name (a whole Name
 * encoding); sets *anchor to its DER, which stays valid as long as the
 * path is used (the provider owns it). Returns 1 when found, else 0. */
typedef int (*hr_anchor_fn)(void *ud, const struct hr_der *issuer_name,
                            struct hr_der *anchor);

/* Links the certificates the server sent (leaf first, the rest in any
 * order) from the leaf, issuer by issuer, into path. At every step a
 * trust anchor is preferred to a sent certificate; a certificate that is
 * itself a trust anchor ends the path. Returns 1 when the path ends at a
 * trust anchor, 0 when it ends elsewhere (no issuer found, or a
 * certificate that cannot be read). */
int hr_path_link(const struct hr_der *sent, size_t count,
                 hr_anchor_fn find_anchor, void *ud,
                 struct hr_cert_path *path);

#endif
