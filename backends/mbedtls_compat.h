/* SPDX-License-Identifier: MIT */
/*
 * mbedtls_compat.h - the places where mbedTLS versions differ, for
 * backends/mbedtls.c and backends/mbedtls_pkcs.c, so those files call one
 * name whatever the version. Only mbedTLS 2.28 (Debian 12) is built today;
 * 3.x gets its own section below when it is added (what it needs is listed
 * there). Nothing outside backends/ includes this file.
 */
#ifndef HTTPR_MBEDTLS_COMPAT_H
#define HTTPR_MBEDTLS_COMPAT_H

#include <stddef.h>

#include <mbedtls/cipher.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_ciphersuites.h>
#include <mbedtls/version.h>
#include <mbedtls/x509.h>

#if MBEDTLS_VERSION_MAJOR != 2 || MBEDTLS_VERSION_MINOR < 28
/* mbedTLS 3.x, when added, needs here: mbedtls_pk_parse_key and
 * mbedtls_pk_check_pair take an RNG; mbedtls_pkcs5_pbkdf2_hmac_ext takes a
 * digest type; private fields (in_msg, next_merged) through
 * MBEDTLS_PRIVATE() and cipher facts through mbedtls_cipher_info_get_*();
 * mbedtls_ssl_conf_groups with IANA group numbers
 * instead of mbedtls_ssl_conf_curves; mbedtls_ssl_conf_min_tls_version;
 * the key log through mbedtls_ssl_set_export_keys_cb (per connection,
 * TLS 1.3 secrets too); psa_crypto_init in global init; the session
 * fields (state, session_negotiate, id, ticket) through MBEDTLS_PRIVATE(),
 * and for TLS 1.3 a resumption test of its own (3.x can tell whether a
 * handshake resumed, and its TLS 1.3 sessions are tickets without an id). */
#error "the mbedtls provider is written for mbedTLS 2.28"
#endif

/* Threads share one context (its DRBG, its CA list, the client key with
 * its RSA blinding values): mbedTLS locks those itself only when built
 * with MBEDTLS_THREADING_C on pthreads, as Debian builds it. */
#if !defined(MBEDTLS_THREADING_C) || !defined(MBEDTLS_THREADING_PTHREAD)
#error "the mbedtls provider needs mbedTLS built with threading (pthread)"
#endif

/* ---- mbedTLS 2.28 -------------------------------------------------------- */

static inline int hr_mbed_pk_parse_key(mbedtls_pk_context *pk,
                                       const unsigned char *key, size_t len,
                                       const unsigned char *pwd,
                                       size_t pwd_len) {
  return mbedtls_pk_parse_key(pk, key, len, pwd, pwd_len);
}

static inline int hr_mbed_pk_check_pair(const mbedtls_pk_context *pub,
                                        const mbedtls_pk_context *prv) {
  return mbedtls_pk_check_pair(pub, prv);
}

/* PBKDF2 (RFC 8018) with HMAC over md. */
static inline int hr_mbed_pbkdf2(mbedtls_md_type_t md, const unsigned char *pwd,
                                 size_t pwd_len, const unsigned char *salt,
                                 size_t salt_len, unsigned iterations,
                                 unsigned char *key, size_t key_len) {
  const mbedtls_md_info_t *info = mbedtls_md_info_from_type(md);
  mbedtls_md_context_t ctx;
  int ret = MBEDTLS_ERR_MD_BAD_INPUT_DATA;
  if (!info || key_len > 0xffffffffu)
    return ret;
  mbedtls_md_init(&ctx);
  if ((ret = mbedtls_md_setup(&ctx, info, 1)) == 0)
    ret = mbedtls_pkcs5_pbkdf2_hmac(&ctx, pwd, pwd_len, salt, salt_len,
                                    iterations, (uint32_t)key_len, key);
  mbedtls_md_free(&ctx);
  return ret;
}

static inline size_t hr_mbed_cipher_key_len(const mbedtls_cipher_info_t *c) {
  return c->key_bitlen / 8;
}

static inline size_t hr_mbed_cipher_iv_len(const mbedtls_cipher_info_t *c) {
  return c->iv_size;
}

static inline size_t hr_mbed_cipher_block_len(const mbedtls_cipher_info_t *c) {
  return c->block_size;
}

/* The description byte of the alert record mbedTLS has just refused with
 * MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE: it is still in the input buffer. */
static inline int hr_mbed_received_alert(const mbedtls_ssl_context *ssl) {
  return ssl->in_msg ? ssl->in_msg[1] : -1;
}

/* The handshake's state, an mbedtls_ssl_states value. */
static inline int hr_mbed_state(const mbedtls_ssl_context *ssl) {
  return ssl->state;
}

/* The session being negotiated: after the ClientHello is written and
 * until the ServerHello is read, its id is the one the hello offered. */
static inline const mbedtls_ssl_session *
hr_mbed_session_negotiate(const mbedtls_ssl_context *ssl) {
  return ssl->session_negotiate;
}

/* A session's id (len 0: none). */
static inline const unsigned char *
hr_mbed_session_id(const mbedtls_ssl_session *s, size_t *len) {
  *len = s->id_len;
  return s->id;
}

/* Whether a server could resume the session: it has an id or a ticket. */
static inline int hr_mbed_session_resumable(const mbedtls_ssl_session *s) {
  return s->id_len > 0 || (s->ticket && s->ticket_len > 0);
}

/* The key exchange of the suite being negotiated (known once the
 * ServerHello is read, so when the server's certificate is verified). */
static inline mbedtls_key_exchange_type_t
hr_mbed_negotiating_kx(const mbedtls_ssl_context *ssl) {
  const mbedtls_ssl_ciphersuite_t *suite =
      ssl->session_negotiate
          ? mbedtls_ssl_ciphersuite_from_id(ssl->session_negotiate->ciphersuite)
          : NULL;
  return suite ? suite->key_exchange : MBEDTLS_KEY_EXCHANGE_NONE;
}

/* 1 when parent's key verifies child's signature. */
static inline int hr_mbed_signed_by(const mbedtls_x509_crt *child,
                                    const mbedtls_x509_crt *parent) {
  unsigned char hash[MBEDTLS_MD_MAX_SIZE];
  const mbedtls_md_info_t *md = mbedtls_md_info_from_type(child->sig_md);
  if (!md || mbedtls_md(md, child->tbs.p, child->tbs.len, hash) != 0)
    return 0;
  return mbedtls_pk_verify_ext(child->sig_pk, child->sig_opts,
                               (mbedtls_pk_context *)&parent->pk,
                               child->sig_md, hash, mbedtls_md_get_size(md),
                               child->sig.p, child->sig.len) == 0;
}

/* Whether a renegotiation has started on the connection (the server's
 * HelloRequest, followed because renegotiation is enabled): renego_status
 * leaves 0, MBEDTLS_SSL_INITIAL_HANDSHAKE of ssl_internal.h, which is not
 * a public header. */
static inline int hr_mbed_renegotiating(const mbedtls_ssl_context *ssl) {
  return ssl->renego_status != 0;
}

/* Whether the server's hello lacked RFC 5746 support. */
static inline int hr_mbed_legacy_server(const mbedtls_ssl_context *ssl) {
  return ssl->secure_renegotiation == MBEDTLS_SSL_LEGACY_RENEGOTIATION;
}

/* Whether the next attribute of a name belongs to the same RDN. */
static inline int hr_mbed_name_merged(const mbedtls_x509_name *n) {
  return n->next_merged != 0;
}

#endif
