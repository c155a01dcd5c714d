/* SPDX-License-Identifier: MIT */
/*
 * provider_module.h - the contract between libhttpr and a TLS provider
 * built as a loadable module: the interface version, the table of core
 * services the library hands the module, and the module's one entry
 * point. This is the header installed for module authors, beside
 * provider.h and the headers provider_services.h lists.
 *
 * A module calls nothing of libhttpr by symbol: libhttpr exports only its
 * public API, and a module linked against its private functions could not
 * be loaded. Every core function a provider may call is a pointer in
 * `struct hr_provider_services`; provider_services.h, when
 * HTTPR_PROVIDER_MODULE is defined, turns the provider's ordinary calls
 * (hr_fail, hr_policy_check, ...) into calls through the table, so one
 * provider source builds both into the library and as a module.
 */
#ifndef HTTPR_PROVIDER_MODULE_H
#define HTTPR_PROVIDER_MODULE_H

#include <stddef.h>

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
#include "backends/provider.h"
#include "backends/tls_conn.h"
#include "backends/tls_errors.h"
#include "backends/trust.h"
#include "backends/verify_report.h"

/* The provider interface version: one number for everything a module and
 * the library share. A module is loaded only when it was built for
 * exactly this number; any other is refused, naming the file and both
 * numbers (docs/ARCHITECTURE.md, "Provider modules across releases").
 *
 * Rules for changing it: add 1 in the same commit as any change a module
 * built before it would get wrong, that is any change to
 *  - struct hr_tls_provider (provider.h): a member added, removed,
 *    reordered or retyped, or the meaning of one changed;
 *  - struct hr_provider_services below: an entry added, removed,
 *    reordered or retyped (HR_PROVIDER_SERVICES' order is the layout);
 *  - a struct or enum that crosses the boundary: hr_tls_settings,
 *    hr_tls_io, hr_tls_info, httpr_error, hr_tls_facts, hr_io_state,
 *    hr_tls_ctx_base, hr_cert_path, hr_policy_verdict, hr_check,
 *    httpr_verify_report, hr_peer_names,
 *    hr_pem_creds, hr_pem_block (and hr_pem_kind), hr_creds_loaders,
 *    hr_trust, hr_kdf_scan, hr_verify_reason, hr_kx, hr_ocsp_facts,
 *    hr_ocsp_verdict, hr_ocsp_reason, httpr_code's values,
 *    HTTPR_FEATURE_* bits;
 *  - the documented behaviour of a service or of a provider operation;
 *  - the inline helpers of the headers above (a module carries its own
 *    copy of them).
 * Wording changes inside a service (a message, a detail) need no new
 * number: the words are the core's, and every module gets the new ones.
 * Never reuse a number. */
#define HR_PROVIDER_INTERFACE_VERSION 6u

/* Every core function a provider may call, but the printf-like three,
 * as X(function, member): the member's type is the function's own, so
 * the table cannot drift from the declarations. Append only, and bump
 * HR_PROVIDER_INTERFACE_VERSION when this list changes in any way. */
#define HR_PROVIDER_SERVICES(X)                                                \
  X(hr_nomem, nomem)                                                           \
  X(hr_wipe, wipe)                                                             \
  X(hr_wipe_free, wipe_free)                                                   \
  X(hr_tls_decide, tls_decide)                                                 \
  X(hr_tls_with_detail, tls_with_detail)                                       \
  X(hr_tls_trust_load, tls_trust_load)                                         \
  X(hr_tls_alpn_check, tls_alpn_check)                                         \
  X(hr_tls_host_unusable, tls_host_unusable)                                   \
  X(hr_tls_conn_check, tls_conn_check)                                         \
  X(hr_tls_conn_names, tls_conn_names)                                         \
  X(hr_tls_versions, tls_versions)                                             \
  X(hr_copy_str, copy_str)                                                     \
  X(hr_verify_failed, verify_failed)                                           \
  X(hr_untrusted_chain_reason, untrusted_chain_reason)                         \
  X(hr_sent_chain_reason, sent_chain_reason)                                   \
  X(hr_alert_name, alert_name)                                                 \
  X(hr_version_mismatch, version_mismatch)                                     \
  X(hr_path_add, path_add)                                                     \
  X(hr_policy_check, policy_check)                                             \
  X(hr_policy_failed, policy_failed)                                           \
  X(hr_path_link, path_link)                                                   \
  X(hr_ip_literal, ip_literal)                                                 \
  X(hr_identity_check, identity_check)                                         \
  X(hr_creds_setup, creds_setup)                                               \
  X(hr_creds_read_pkcs12, creds_read_pkcs12)                                   \
  X(hr_creds_kdf_inner_key, creds_kdf_inner_key)                               \
  X(hr_creds_wrong_password, creds_wrong_password)                             \
  X(hr_creds_no_password, creds_no_password)                                   \
  X(hr_creds_key_mismatch, creds_key_mismatch)                                 \
  X(hr_creds_cert_unparsable, creds_cert_unparsable)                           \
  X(hr_creds_key_unparsable, creds_key_unparsable)                             \
  X(hr_creds_key_refused, creds_key_refused)                                   \
  X(hr_creds_pkcs12_unparsable, creds_pkcs12_unparsable)                       \
  X(hr_trust_load, trust_load)                                                 \
  X(hr_keylog_format, keylog_format)                                           \
  X(hr_keylog_write_line, keylog_write_line)                                   \
  X(hr_tls_groups, tls_groups)                                                 \
  X(hr_tls_group_unsupported, tls_group_unsupported)                           \
  X(hr_ocsp_judge, ocsp_judge)                                                 \
  X(hr_suite_by_id, suite_by_id)                                               \
  X(hr_tls_suites, tls_suites)                                                 \
  X(hr_tls_suites_would_add, tls_suites_would_add)                             \
  X(hr_report_path, report_path)                                               \
  X(hr_report_policy, report_policy)                                           \
  X(hr_report_identity, report_identity)                                       \
  X(hr_crl_load, crl_load)

#define HR_PROVIDER_SERVICE_MEMBER(fn, member) __typeof__(fn) *member;

/* The table the library hands a module at load. It is the library's,
 * static and read-only, valid for the life of the process. */
struct hr_provider_services {
  unsigned interface_version; /* HR_PROVIDER_INTERFACE_VERSION */
  size_t size;                /* sizeof(struct hr_provider_services) */
  /* hr_fail, hr_detail and hr_hint with their text already formatted:
   * a module formats into a buffer of the field's size (truncating as the
   * core does) and passes the result. */
  httpr_code (*fail_text)(httpr_error *err, httpr_code code, const char *msg);
  void (*detail_text)(httpr_error *err, const char *text);
  void (*hint_text)(httpr_error *err, const char *text);
  HR_PROVIDER_SERVICES(HR_PROVIDER_SERVICE_MEMBER)
};

#undef HR_PROVIDER_SERVICE_MEMBER

/* The one symbol a module exports, by this name. The library calls it
 * once, the first time the provider is asked for, with its own interface
 * version and its table. The module stores its interface version in
 * *module_version in every case; when core_version is its own and svc is
 * usable it keeps svc (for the life of the process) and returns its
 * provider, else it returns NULL and keeps nothing. The library refuses a
 * module whose *module_version is not its own even when it returned a
 * provider. Called under the library's loading lock: no other thread
 * calls it at the same time. */
#define HR_PROVIDER_ENTRY_NAME "httpr_provider_entry"
typedef const struct hr_tls_provider *
hr_provider_entry_fn(unsigned core_version,
                     const struct hr_provider_services *svc,
                     unsigned *module_version);

/* Defines a module's entry point for its provider (an object of type
 * struct hr_tls_provider), and hr_svc, the table the provider's calls go
 * through (provider_services.h). One line in one file of the module,
 * compiled with -fvisibility=hidden and HTTPR_PROVIDER_MODULE defined:
 * the entry point is then the module's only exported symbol. */
#define HR_PROVIDER_MODULE_ENTRY(provider)                                     \
  const struct hr_provider_services *hr_svc;                                   \
  __attribute__((visibility("default"))) hr_provider_entry_fn                  \
      httpr_provider_entry;                                                    \
  const struct hr_tls_provider *httpr_provider_entry(                          \
      unsigned core_version, const struct hr_provider_services *svc,           \
      unsigned *module_version) {                                              \
    if (module_version)                                                        \
      *module_version = HR_PROVIDER_INTERFACE_VERSION;                         \
    /* A table shorter than ours would be read past its end. */               \
    if (core_version != HR_PROVIDER_INTERFACE_VERSION || !svc ||               \
        svc->interface_version != HR_PROVIDER_INTERFACE_VERSION ||             \
        svc->size < sizeof(*svc))                                              \
      return NULL;                                                             \
    hr_svc = svc;                                                              \
    return &(provider);                                                        \
  }

/* The library's table (backends/module_services.c; not for modules). */
extern const struct hr_provider_services hr_provider_services_table;

#endif
