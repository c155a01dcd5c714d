/* SPDX-License-Identifier: MIT */
/*
 * tls_context.h - the client's TLS context: built from its config once,
 * on the first https request, under the client's lock; read-only after.
 */
#ifndef HTTPR_TLS_CONTEXT_H
#define HTTPR_TLS_CONTEXT_H

#include "api/internal.h"

/* The client's TLS context, built on first use (thread-safe). With
 * http1_only, the one whose ALPN offers http/1.1 alone, for a request an
 * HTTP/2 server sent back (HTTP_1_1_REQUIRED); built only when first
 * needed, and the same context when the client offers nothing else.
 * Errors: HTTPR_E_UNSUPPORTED (a setting the provider cannot honour),
 * HTTPR_E_INVALID, the key log's, the trust store's and the provider's
 * codes. A failed build is tried again by the next request. */
httpr_code hr_client_tls_context(httpr_client *client, int http1_only,
                                 void **ctx, httpr_error *err);

/* The client's TLS context to an https:// proxy, built on first use
 * (thread-safe) from the proxy's own trust settings alone (proxy_ca_file
 * else the system's, proxy_verify, the proxy's name checked), ALPN
 * http/1.1, no client certificate: the origin's settings are for the
 * origin. Errors: HTTPR_E_CA_FILE, the provider's codes. A failed build
 * is tried again by the next request. */
httpr_code hr_client_proxy_tls_context(httpr_client *client, void **ctx,
                                       httpr_error *err);

/* Frees what hr_client_tls_context built (the context and the key log). */
void hr_client_tls_free(httpr_client *client);

#endif
