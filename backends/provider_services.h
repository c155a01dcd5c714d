/* SPDX-License-Identifier: MIT */
/*
 * provider_services.h - everything a TLS provider may call in the core,
 * in one place. A provider file (backends/openssl.c, gnutls.c, mbedtls.c
 * and the mbedtls_* helpers) includes this header and provider.h from the
 * core, nothing else of ours: its own library's headers, and its own
 * compat header, are its business.
 *
 * Why one header: the next step loads providers as dlopen'ed modules, and
 * a module cannot link against the core's hidden symbols. This list then
 * becomes a table of function pointers the core hands the module at load
 * time; keeping every core function a provider calls listed here, and
 * only here, makes that change a mechanical one. A provider that needs
 * another core function adds it to the list below first.
 *
 * The services, by header (each declares and documents its own):
 *
 *   common/error.h        hr_fail, hr_detail, hr_hint, hr_nomem
 *   common/wipe.h         hr_wipe, hr_wipe_free
 *   backends/tls_conn.h   hr_tls_decide (which failure a call reports),
 *                         hr_tls_facts_init (inline: the facts it starts
 *                         from), hr_io_begin, hr_io_send, hr_io_recv,
 *                         hr_io_would_block (inline: the transport's
 *                         bookkeeping), struct hr_tls_ctx_base and
 *                         hr_tls_ctx_base_init (inline: what every
 *                         context keeps), hr_tls_with_detail (the
 *                         library's words, from the provider's
 *                         hr_detail_fn), hr_tls_trust_load (hr_trust_load
 *                         with the refused block's words), hr_tls_alpn_check,
 *                         hr_tls_host_unusable, hr_tls_conn_check,
 *                         hr_tls_conn_names, hr_tls_versions, hr_copy_str
 *   backends/tls_errors.h hr_verify_failed, hr_untrusted_chain_reason,
 *                         hr_sent_chain_reason (the sent chain linked from
 *                         the leaf), hr_alert_name, hr_version_mismatch
 *                         (hr_io_broke, hr_closed_early and
 *                         hr_alert_received only through hr_tls_decide)
 *   backends/cert_policy.h  hr_path_add, hr_policy_check, hr_policy_failed
 *   backends/cert_path.h  hr_path_link
 *   backends/identity.h   hr_ip_literal, hr_identity_check
 *   backends/credentials.h  hr_creds_setup, hr_creds_read_pkcs12,
 *                         hr_creds_kdf_inner_key, hr_creds_wrong_password,
 *                         hr_creds_no_password, hr_creds_key_mismatch,
 *                         hr_creds_cert_unparsable, hr_creds_key_unparsable,
 *                         hr_creds_key_refused, hr_creds_pkcs12_unparsable
 *                         (the shared wording of credential failures)
 *   backends/trust.h      hr_trust_load (via provider.h; GnuTLS and
 *                         mbedTLS through hr_tls_trust_load)
 *   backends/keylog.h     hr_keylog_format, hr_keylog_write_line
 *                         (via provider.h)
 *   backends/pem.h        struct hr_pem_block (data only)
 *   backends/session_blob.h  hr_session_blob_new, hr_session_blob_free
 *                         (inline)
 */
#ifndef HTTPR_PROVIDER_SERVICES_H
#define HTTPR_PROVIDER_SERVICES_H

#include "common/error.h"
#include "common/wipe.h"
#include "backends/cert_path.h"
#include "backends/cert_policy.h"
#include "backends/credentials.h"
#include "backends/identity.h"
#include "backends/keylog.h"
#include "backends/pem.h"
#include "backends/provider.h"
#include "backends/session_blob.h"
#include "backends/tls_conn.h"
#include "backends/tls_errors.h"
#include "backends/trust.h"

#endif
