/* SPDX-License-Identifier: MIT */
/*
 * provider_services.h - everything a TLS provider may call in the core,
 * in one place. A provider file (backends/openssl.c, gnutls.c, mbedtls.c
 * and the mbedtls_* helpers) includes this header and provider.h from the
 * core, nothing else of ours: its own library's headers, and its own
 * compat header, are its business.
 *
 * Why one header: a provider built as a dlopen'ed module cannot link
 * against the core's hidden symbols, so each function below is also an
 * entry of the table the core hands the module at load time
 * (provider_module.h, HR_PROVIDER_SERVICES). A provider that needs
 * another core function adds it to the list below and to that table (a
 * new interface version) first.
 *
 * The services, by header (each declares and documents its own):
 *
 *   common/error.h        hr_fail, hr_detail, hr_hint, hr_nomem
 *   common/wipe.h         hr_wipe, hr_wipe_free
 *   backends/tls_conn.h   hr_tls_decide (which failure a call reports),
 *                         hr_tls_facts_init (inline: the facts it starts
 *                         from), hr_io_begin, hr_io_send, hr_io_recv,
 *                         hr_io_would_block (inline: the transport's
 *                         bookkeeping; hr_tls_broken_send, inline here,
 *                         for a write over a passed-over send), struct hr_tls_ctx_base and
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
 *   backends/cert_status.h  hr_ocsp_judge (a stapled OCSP response's
 *                         facts judged; hr_cert_status_failed only through
 *                         hr_tls_decide)
 *   backends/cipher_suites.h  hr_suite_by_id, hr_tls_suites,
 *                         hr_tls_suites_would_add
 *   backends/verify_report.h  hr_report_path, hr_report_policy,
 *                         hr_report_identity (a verification report, when
 *                         the core gave the connection one)
 *   backends/identity.h   hr_ip_literal, hr_identity_check
 *   backends/credentials.h  hr_creds_setup, hr_creds_read_pkcs12,
 *                         hr_creds_kdf_inner_key, hr_creds_wrong_password,
 *                         hr_creds_no_password, hr_creds_key_mismatch,
 *                         hr_creds_cert_unparsable, hr_creds_key_unparsable,
 *                         hr_creds_key_refused, hr_creds_pkcs12_unparsable
 *                         (the shared wording of credential failures)
 *   backends/trust.h      hr_trust_load (via provider.h; GnuTLS and
 *                         mbedTLS through hr_tls_trust_load)
 *   backends/crl_file.h   hr_crl_load (the CRL file, block by block)
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
#include "backends/cert_status.h"
#include "backends/cipher_suites.h"
#include "backends/credentials.h"
#include "backends/crl_file.h"
#include "backends/identity.h"
#include "backends/keylog.h"
#include "backends/pem.h"
#include "backends/provider.h"
#include "backends/session_blob.h"
#include "backends/tls_conn.h"
#include "backends/tls_errors.h"
#include "backends/trust.h"
#include "backends/verify_report.h"

#ifdef HTTPR_PROVIDER_MODULE
/* In a module (provider_module.h) every service is a call through the
 * table the library handed the entry point, kept in hr_svc by
 * backends/module_entry.c before any provider function runs. The macros
 * come after every declaration above, so the provider's calls read the
 * same in both builds; built in, none of this exists and the calls stay
 * direct. */
#include <stdarg.h>
#include <stdio.h>

#include "backends/provider_module.h"

extern const struct hr_provider_services *hr_svc;

/* The printf-like three format here, into a buffer of the field's size:
 * vsnprintf cuts the text exactly where the core's own would. */
__attribute__((format(printf, 3, 4))) static inline httpr_code
hr_module_fail(httpr_error *err, httpr_code code, const char *fmt, ...) {
  char msg[sizeof(err->message)];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  return hr_svc->fail_text(err, code, msg);
}

__attribute__((format(printf, 2, 3))) static inline void
hr_module_detail(httpr_error *err, const char *fmt, ...) {
  char text[sizeof(err->detail)];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  hr_svc->detail_text(err, text);
}

__attribute__((format(printf, 2, 3))) static inline void
hr_module_hint(httpr_error *err, const char *fmt, ...) {
  char text[sizeof(err->hint)];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  hr_svc->hint_text(err, text);
}

#define hr_fail hr_module_fail
#define hr_detail hr_module_detail
#define hr_hint hr_module_hint
/* One line per entry of HR_PROVIDER_SERVICES, in its order. */
#define hr_nomem (hr_svc->nomem)
#define hr_wipe (hr_svc->wipe)
#define hr_wipe_free (hr_svc->wipe_free)
#define hr_tls_decide (hr_svc->tls_decide)
#define hr_tls_with_detail (hr_svc->tls_with_detail)
#define hr_tls_trust_load (hr_svc->tls_trust_load)
#define hr_tls_alpn_check (hr_svc->tls_alpn_check)
#define hr_tls_host_unusable (hr_svc->tls_host_unusable)
#define hr_tls_conn_check (hr_svc->tls_conn_check)
#define hr_tls_conn_names (hr_svc->tls_conn_names)
#define hr_tls_versions (hr_svc->tls_versions)
#define hr_copy_str (hr_svc->copy_str)
#define hr_verify_failed (hr_svc->verify_failed)
#define hr_untrusted_chain_reason (hr_svc->untrusted_chain_reason)
#define hr_sent_chain_reason (hr_svc->sent_chain_reason)
#define hr_alert_name (hr_svc->alert_name)
#define hr_version_mismatch (hr_svc->version_mismatch)
#define hr_path_add (hr_svc->path_add)
#define hr_policy_check (hr_svc->policy_check)
#define hr_policy_failed (hr_svc->policy_failed)
#define hr_path_link (hr_svc->path_link)
#define hr_ip_literal (hr_svc->ip_literal)
#define hr_identity_check (hr_svc->identity_check)
#define hr_creds_setup (hr_svc->creds_setup)
#define hr_creds_read_pkcs12 (hr_svc->creds_read_pkcs12)
#define hr_creds_kdf_inner_key (hr_svc->creds_kdf_inner_key)
#define hr_creds_wrong_password (hr_svc->creds_wrong_password)
#define hr_creds_no_password (hr_svc->creds_no_password)
#define hr_creds_key_mismatch (hr_svc->creds_key_mismatch)
#define hr_creds_cert_unparsable (hr_svc->creds_cert_unparsable)
#define hr_creds_key_unparsable (hr_svc->creds_key_unparsable)
#define hr_creds_key_refused (hr_svc->creds_key_refused)
#define hr_creds_pkcs12_unparsable (hr_svc->creds_pkcs12_unparsable)
#define hr_trust_load (hr_svc->trust_load)
#define hr_keylog_format (hr_svc->keylog_format)
#define hr_keylog_write_line (hr_svc->keylog_write_line)
#define hr_tls_groups (hr_svc->tls_groups)
#define hr_tls_group_unsupported (hr_svc->tls_group_unsupported)
#define hr_ocsp_judge (hr_svc->ocsp_judge)
#define hr_suite_by_id (hr_svc->suite_by_id)
#define hr_tls_suites (hr_svc->tls_suites)
#define hr_tls_suites_would_add (hr_svc->tls_suites_would_add)
#define hr_report_path (hr_svc->report_path)
#define hr_report_policy (hr_svc->report_policy)
#define hr_report_identity (hr_svc->report_identity)
#define hr_crl_load (hr_svc->crl_load)
#endif

/* A write the TLS library completed over a send that was passed over
 * (hr_io_send) fails with the broken send, as hr_tls_decide words it:
 * HR_TLS_ERROR. Here, after the service macros, so that a module calls
 * hr_tls_decide through its table. */
static inline enum hr_tls_status
hr_tls_broken_send(const char *host, const struct hr_tls_ctx_base *ctx,
                   const struct hr_io_state *io, httpr_error *err) {
  struct hr_tls_facts f;
  hr_tls_facts_init(&f, HR_TLS_OP_WRITE, host, ctx, io);
  hr_tls_decide(&f, err);
  return HR_TLS_ERROR;
}

#endif
