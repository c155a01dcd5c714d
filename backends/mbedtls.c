/* SPDX-License-Identifier: MIT */
/*
 * mbedtls.c - the mbedTLS 2.28 provider: builds one SSL configuration per
 * client (a DRBG seeded once, the trust store parsed once, client
 * credentials, TLS 1.2, ALPN, key log, session tickets), runs non-blocking
 * client connections over the transport's I/O callbacks, verifies the
 * server during the handshake with the shared identity rules (mbedTLS 2.28
 * has no IP identities and would send an IP literal as SNI), tells a
 * resumed handshake from a full one, and maps mbedTLS's results onto the
 * shared error wording. mbedTLS 2.28 has no TLS 1.3: the feature bits say
 * so. PKCS#8 keys under AES and PKCS#12 files, which mbedTLS cannot read
 * by itself, are read in backends/mbedtls_pkcs.c; the differences between
 * mbedTLS versions live in backends/mbedtls_compat.h.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/md.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crl.h>
#include <mbedtls/x509_crt.h>

#include "backends/mbedtls_compat.h"
#include "backends/mbedtls_pkcs.h"
#include "backends/provider.h"
#include "backends/provider_services.h"

/* ---- types --------------------------------------------------------------- */

struct mt_ctx {
  mbedtls_ssl_config conf; /* shared, read-only, by every connection */
  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg; /* locks itself (MBEDTLS_THREADING_C) */
  mbedtls_x509_crt ca;           /* trust anchors */
  mbedtls_x509_crl crls;         /* the CRL file's, checked with ca */
  mbedtls_x509_crt own_certs;    /* client certificate, then its chain */
  mbedtls_pk_context own_key;
  mbedtls_ecp_group_id groups[HR_GROUPS_MAX + 1]; /* when configured */
  int suites[HR_SUITES_MAX + 1];                  /* when configured */
  const char **alpn;        /* NULL-ended names, pointing into */
  char *alpn_data;          /* this copy of the wire list */
  struct hr_tls_ctx_base base; /* verify, key log, versions (12 only) */
};

struct mt_conn {
  const struct mt_ctx *ctx;
  mbedtls_ssl_context ssl;
  struct hr_io_state io; /* the transport, and what it last did */
  char *host;            /* as given, for messages */
  char *name;            /* without a trailing dot: identity check */
  int handshaken;
  int h2;     /* ALPN selected h2 */
  int failed; /* a fatal error happened: no close_notify may follow */
  unsigned char *flight; /* handshake records not yet sent (see bio_send) */
  size_t flight_len, flight_cap;
  uint32_t issuers; /* flags the verify callback saw above the leaf */
  enum hr_verify_reason untrusted; /* what an untrusted chain is called */
  /* The verified chain as the verify callback saw it, leaf first. */
  const mbedtls_x509_crt *chain[HR_POLICY_MAX_PATH];
  size_t chain_len;
  int policy_refused;               /* the shared policy refused it */
  struct hr_policy_verdict verdict; /* why, when it did */
  struct httpr_verify_report *report; /* the core's, when it asked */
  int offering; /* a session was imported; its ClientHello is not out yet */
  unsigned char offered_id[32]; /* the session id that ClientHello carried */
  size_t offered_len;           /* 0: none */
  int resumed;
};

/* ---- mbedTLS's words ----------------------------------------------------- */

/* "mbedtls: -0x7780: SSL - A fatal alert ...", the detail of most
 * failures. */
static void detail_text(char *out, size_t cap, int code) {
  char text[200];
  mbedtls_strerror(code, text, sizeof(text));
  snprintf(out, cap, "mbedtls: -0x%04X: %s", (unsigned)-code, text);
}

static httpr_code with_detail(httpr_error *err, int code) {
  return hr_tls_with_detail(err, detail_text, code);
}

/* ---- provider lifetime --------------------------------------------------- */

static pthread_once_t version_once = PTHREAD_ONCE_INIT;
static char version_text[32]; /* written once, then only read */

static void make_version_text(void) {
  mbedtls_version_get_string_full(version_text); /* "mbed TLS 2.28.3" */
}

static const char *mt_library_version(void) {
  pthread_once(&version_once, make_version_text);
  return version_text;
}

/* mbedTLS 2.28 has no process-wide state to set up: every context seeds
 * its own DRBG. */
static httpr_code mt_global_init(httpr_error *err) {
  (void)err;
  return HTTPR_OK;
}

static void mt_global_cleanup(void) {}

/* ---- PEM blocks ---------------------------------------------------------- */

/* Decodes one block (which points into NUL-terminated text, as
 * hr_file_read makes it) into pem->buf. */
static int pem_decode(const struct hr_pem_block *b, mbedtls_pem_context *pem) {
  char header[96], footer[96];
  size_t used = 0;
  if (b->label_len > 64)
    return MBEDTLS_ERR_PEM_INVALID_DATA;
  snprintf(header, sizeof(header), "-----BEGIN %.*s-----", (int)b->label_len,
           b->label);
  snprintf(footer, sizeof(footer), "-----END %.*s-----", (int)b->label_len,
           b->label);
  return mbedtls_pem_read_buffer(
      pem, header, footer, (const unsigned char *)b->begin, NULL, 0, &used);
}

/* mbedTLS 2.28 knows no nameConstraints extension: a trust anchor with a
 * critical one is accepted here, and its constraints are the shared
 * policy's to enforce. Every other unknown critical extension still makes
 * the certificate unusable. */
static int accept_name_constraints(void *ud, mbedtls_x509_crt const *crt,
                                   mbedtls_x509_buf const *oid, int critical,
                                   const unsigned char *p,
                                   const unsigned char *end) {
  (void)ud;
  (void)crt;
  (void)critical;
  (void)p;
  (void)end;
  return MBEDTLS_OID_CMP(MBEDTLS_OID_NAME_CONSTRAINTS, oid) == 0 ? 0 : -1;
}

/* Adds the certificate of one block to chain; a trust anchor may carry a
 * critical nameConstraints. */
static int parse_cert_block(mbedtls_x509_crt *chain,
                            const struct hr_pem_block *b, int anchor) {
  mbedtls_pem_context pem;
  mbedtls_pem_init(&pem);
  int ret = pem_decode(b, &pem);
  if (ret == 0 && anchor)
    ret = mbedtls_x509_crt_parse_der_with_ext_cb(
        chain, pem.buf, pem.buflen, 1, accept_name_constraints, NULL);
  else if (ret == 0)
    ret = mbedtls_x509_crt_parse_der(chain, pem.buf, pem.buflen);
  mbedtls_pem_free(&pem);
  return ret;
}

/* ---- trust store --------------------------------------------------------- */

struct trust_load {
  mbedtls_x509_crt *ca;
  int last_error; /* of a block mbedTLS refused, for the detail */
};

/* A certificate already in the list (a hash link beside its file): added
 * once, so the issuer search does not walk it twice. */
static int already_trusted(const mbedtls_x509_crt *ca,
                           const mbedtls_x509_crt *fresh) {
  for (const mbedtls_x509_crt *c = ca; c && c != fresh; c = c->next) {
    if (c->raw.len == fresh->raw.len &&
        memcmp(c->raw.p, fresh->raw.p, c->raw.len) == 0)
      return 1;
  }
  return 0;
}

/* Drops the last certificate of the list (a duplicate just added). */
static void drop_last(mbedtls_x509_crt *ca) {
  mbedtls_x509_crt *prev = ca;
  while (prev->next && prev->next->next)
    prev = prev->next;
  if (prev->next) {
    mbedtls_x509_crt_free(prev->next);
    mbedtls_free(prev->next);
    prev->next = NULL;
  }
}

/* Block by block, so one bad block is skipped as OpenSSL skips it instead
 * of failing the whole file. */
static int add_cert_block(const struct hr_pem_block *b, void *ud) {
  struct trust_load *t = ud;
  int ret = parse_cert_block(t->ca, b, 1);
  if (ret != 0) {
    t->last_error = ret;
    return 0;
  }
  const mbedtls_x509_crt *last = t->ca;
  while (last->next)
    last = last->next;
  if (last != t->ca && already_trusted(t->ca, last))
    drop_last(t->ca);
  return 1;
}

/* hr_crl_add_fn: 0 when mbedTLS parsed the CRL into the list. */
static int add_crl_block(const struct hr_pem_block *b, void *ud) {
  mbedtls_pem_context pem;
  mbedtls_pem_init(&pem);
  int ret = pem_decode(b, &pem);
  if (ret == 0)
    ret = mbedtls_x509_crl_parse_der(ud, pem.buf, pem.buflen);
  mbedtls_pem_free(&pem);
  return ret;
}

/* The CRLs, read with verification off too (as curl reads them); with
 * it, mbedTLS checks each certificate of the chain against its issuer's
 * CRLs, when there are any, and their dates too. */
static httpr_code setup_crls(struct mt_ctx *ctx,
                             const struct hr_tls_settings *s,
                             httpr_error *err) {
  if (!s->crl_file)
    return HTTPR_OK;
  httpr_code rc =
      hr_crl_load(s->crl_file, add_crl_block, &ctx->crls, detail_text, err);
  if (rc == HTTPR_OK && s->verify)
    mbedtls_ssl_conf_ca_chain(&ctx->conf, &ctx->ca, &ctx->crls);
  return rc;
}

static httpr_code setup_verify(struct mt_ctx *ctx,
                               const struct hr_tls_settings *s,
                               httpr_error *err) {
  if (!s->verify) {
    mbedtls_ssl_conf_authmode(&ctx->conf, MBEDTLS_SSL_VERIFY_NONE);
    return HTTPR_OK;
  }
  struct trust_load l = {.ca = &ctx->ca};
  httpr_code rc = hr_tls_trust_load(&s->trust, add_cert_block, &l,
                                    &l.last_error, detail_text, err);
  if (rc != HTTPR_OK)
    return rc;
  /* Every certificate in the list is a trust anchor to mbedTLS, an
   * intermediate too, as with the other providers. */
  mbedtls_ssl_conf_ca_chain(&ctx->conf, &ctx->ca, NULL);
  mbedtls_ssl_conf_authmode(&ctx->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
  return HTTPR_OK;
}

/* ---- client credentials -------------------------------------------------- */

/* The leaf and the certificates after it (its chain), in file order. */
static httpr_code parse_certs(const struct hr_pem_creds *pc,
                              mbedtls_x509_crt *certs, httpr_error *err) {
  for (size_t i = 0; i < pc->cert_count; i++) {
    int ret = parse_cert_block(certs, &pc->certs[i], 0);
    if (ret == MBEDTLS_ERR_X509_ALLOC_FAILED)
      return hr_nomem(err);
    if (ret != 0) {
      hr_creds_cert_unparsable(err, pc->cert_path, i);
      return with_detail(err, ret);
    }
  }
  return HTTPR_OK;
}

/* mbedtls_pk_parse_key wants PEM NUL-terminated, with the NUL counted;
 * the password goes only with an encrypted key. */
static httpr_code parse_key(const struct hr_pem_creds *pc, const char *password,
                            mbedtls_pk_context *key, httpr_error *err) {
  unsigned char *text = malloc(pc->key.len + 1);
  if (!text)
    return hr_nomem(err);
  memcpy(text, pc->key.begin, pc->key.len);
  text[pc->key.len] = '\0';
  int ret = hr_mbed_parse_key(key, text, pc->key.len + 1,
                              pc->key_encrypted ? password : NULL);
  mbedtls_platform_zeroize(text, pc->key.len + 1);
  free(text);
  if (ret == 0)
    return HTTPR_OK;
  if (ret == MBEDTLS_ERR_PK_ALLOC_FAILED)
    return hr_nomem(err);
  if (pc->key_encrypted && ret == MBEDTLS_ERR_PK_FEATURE_UNAVAILABLE)
    hr_fail(err, HTTPR_E_CLIENT_CERT,
            "the key in '%s' uses an encryption the mbedtls provider cannot "
            "decrypt",
            pc->key_path);
  else
    hr_creds_key_refused(err, pc);
  return with_detail(err, ret);
}

/* Offers the certificate list (leaf first) and its key to servers that
 * ask. mbedTLS sends it whatever CAs the server names, as OpenSSL does. */
static httpr_code use_credentials(struct mt_ctx *ctx, httpr_error *err) {
  int ret = hr_mbed_pk_check_pair(&ctx->own_certs.pk, &ctx->own_key);
  if (ret != 0) {
    hr_creds_key_mismatch(err);
    return with_detail(err, ret);
  }
  ret = mbedtls_ssl_conf_own_cert(&ctx->conf, &ctx->own_certs, &ctx->own_key);
  if (ret != 0) {
    hr_fail(err, HTTPR_E_CLIENT_CERT, "the client certificate cannot be used");
    return with_detail(err, ret);
  }
  return HTTPR_OK;
}

static httpr_code load_pem_credentials(void *vctx, const struct hr_pem_creds *pc,
                                       const char *password, httpr_error *err) {
  struct mt_ctx *ctx = vctx;
  httpr_code rc = parse_certs(pc, &ctx->own_certs, err);
  if (rc == HTTPR_OK)
    rc = parse_key(pc, password, &ctx->own_key, err);
  if (rc == HTTPR_OK)
    rc = use_credentials(ctx, err);
  return rc;
}

/* The certificates and key move from the PKCS#12 parts into the context
 * (both are plain structs whose owner is whoever holds them). */
static httpr_code load_pkcs12_credentials(void *vctx,
                                          const struct hr_tls_settings *s,
                                          httpr_error *err) {
  struct mt_ctx *ctx = vctx;
  struct hr_mbed_pkcs12 p12;
  hr_mbed_pkcs12_init(&p12);
  httpr_code rc = hr_mbed_pkcs12_load(s->cert_path, s->password, &p12, err);
  if (rc == HTTPR_OK) {
    ctx->own_certs = p12.certs;
    ctx->own_key = p12.key;
    hr_mbed_pkcs12_init(&p12);
    rc = use_credentials(ctx, err);
  }
  hr_mbed_pkcs12_free(&p12);
  return rc;
}

static const struct hr_creds_loaders credential_loaders = {
    .pem = load_pem_credentials,
    .pkcs12 = load_pkcs12_credentials,
};

/* ---- context ------------------------------------------------------------- */

/* What the client offers, cheapest first, because nginx and OpenSSL
 * servers follow the client's order: ECDHE with ChaCha20-Poly1305, which
 * in mbedTLS 2.28 costs 3.8 M instructions per 100 KiB received against
 * 5.3 M for AES-128-GCM and 5.4 M for AES-256-GCM (callgrind, same
 * handshake cost within 0.3%), then AES-GCM, then CBC and RSA key
 * exchange for old servers. */
static const int ciphersuites[] = {
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
    MBEDTLS_TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_RSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_RSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_RSA_WITH_AES_128_CBC_SHA,
    MBEDTLS_TLS_RSA_WITH_AES_256_CBC_SHA,
    0};

#define SUITE_COUNT (sizeof(ciphersuites) / sizeof(ciphersuites[0]) - 1)

/* Its suites are the ones it offers by default: it has no system
 * configuration to make a floor of. */
static size_t mt_cipher_suites(uint16_t *ids, size_t cap) {
  size_t n = 0;
  for (; n < SUITE_COUNT && n < cap; n++)
    ids[n] = (uint16_t)ciphersuites[n];
  return n;
}

/* The configured TLS 1.2 suites, in their order. mbedTLS 2.28 has no
 * TLS 1.3: a TLS 1.3 list names suites it does not support. */
static httpr_code setup_ciphers(struct mt_ctx *ctx,
                                const struct hr_tls_settings *s,
                                httpr_error *err) {
  uint16_t allowed[SUITE_COUNT];
  size_t n_allowed = mt_cipher_suites(allowed, SUITE_COUNT);
  const struct hr_suite *want[HR_SUITES_MAX];
  size_t n = 0;
  httpr_code rc = hr_tls_suites(s->tls13_ciphers, 13, "mbedtls", NULL, 0,
                                want, &n, err);
  if (rc == HTTPR_OK)
    rc = hr_tls_suites(s->ciphers, 12, "mbedtls", allowed, n_allowed, want,
                       &n, err);
  if (rc != HTTPR_OK || n == 0)
    return rc;
  for (size_t i = 0; i < n; i++)
    ctx->suites[i] = want[i]->id;
  ctx->suites[n] = 0;
  mbedtls_ssl_conf_ciphersuites(&ctx->conf, ctx->suites);
  return HTTPR_OK;
}

/* Key exchange groups, cheapest first. In mbedTLS 2.28 an ECDHE key
 * pair and shared secret cost about 17 M instructions over X25519 and
 * 18 M over secp256r1 (NIST_OPTIM), 30 M over secp384r1; the server's
 * ECDSA signatures (about 19 M each to verify) are the rest of a
 * handshake. The list is also the curves accepted in the server's
 * certificate. */
static const mbedtls_ecp_group_id curves[] = {
    MBEDTLS_ECP_DP_CURVE25519, MBEDTLS_ECP_DP_SECP256R1,
    MBEDTLS_ECP_DP_SECP384R1, MBEDTLS_ECP_DP_SECP521R1, MBEDTLS_ECP_DP_NONE};

/* The configured groups, in their order; mbedTLS 2.28 negotiates no
 * finite-field (RFC 7919) group. */
static httpr_code setup_groups(struct mt_ctx *ctx,
                               const struct hr_tls_settings *s,
                               httpr_error *err) {
  static const mbedtls_ecp_group_id ids[HR_GROUP_COUNT] = {
      [HR_GROUP_X25519] = MBEDTLS_ECP_DP_CURVE25519,
      [HR_GROUP_X448] = MBEDTLS_ECP_DP_CURVE448,
      [HR_GROUP_SECP256R1] = MBEDTLS_ECP_DP_SECP256R1,
      [HR_GROUP_SECP384R1] = MBEDTLS_ECP_DP_SECP384R1,
      [HR_GROUP_SECP521R1] = MBEDTLS_ECP_DP_SECP521R1,
  };
  enum hr_group want[HR_GROUPS_MAX];
  size_t n = 0;
  httpr_code rc = hr_tls_groups(s, want, &n, err);
  if (rc != HTTPR_OK || n == 0)
    return rc;
  for (size_t i = 0; i < n; i++) {
    if (ids[want[i]] == MBEDTLS_ECP_DP_NONE)
      return hr_tls_group_unsupported(err, "mbedtls", want[i]);
    ctx->groups[i] = ids[want[i]];
  }
  ctx->groups[n] = MBEDTLS_ECP_DP_NONE;
  mbedtls_ssl_conf_curves(&ctx->conf, ctx->groups);
  return HTTPR_OK;
}

/* Signature hashes offered: SHA-256 first, nothing weaker. */
static const int sig_hashes[] = {MBEDTLS_MD_SHA256, MBEDTLS_MD_SHA384,
                                 MBEDTLS_MD_SHA512, MBEDTLS_MD_NONE};

/* mbedTLS 2.28 has TLS 1.2 only: a minimum or maximum of 1.3 cannot be
 * honoured (the client refuses it earlier, from the feature bits). It has
 * no system configuration either, so no policy to keep. */
static httpr_code setup_versions(struct mt_ctx *ctx,
                                 const struct hr_tls_settings *s,
                                 httpr_error *err) {
  int min = 0, max = 0;
  httpr_code rc = hr_tls_versions(s, NULL, &min, &max, err);
  if (rc != HTTPR_OK)
    return rc;
  if (min == 13 || max == 13)
    return hr_fail(err, HTTPR_E_UNSUPPORTED,
                   "the mbedtls provider does not support TLS 1.3");
  ctx->base.min_version = 12;
  ctx->base.max_version = 12;
  mbedtls_ssl_conf_min_version(&ctx->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                               MBEDTLS_SSL_MINOR_VERSION_3);
  mbedtls_ssl_conf_max_version(&ctx->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                               MBEDTLS_SSL_MINOR_VERSION_3);
  return HTTPR_OK;
}

/* One DRBG per context, seeded once here from the system's entropy; it
 * serves every connection of the context, from any thread. */
static httpr_code setup_rng(struct mt_ctx *ctx, httpr_error *err) {
  static const unsigned char personal[] = "httpr mbedtls provider";
  int ret = mbedtls_ctr_drbg_seed(&ctx->drbg, mbedtls_entropy_func,
                                  &ctx->entropy, personal, sizeof(personal));
  if (ret != 0) {
    hr_fail(err, HTTPR_E_BACKEND,
            "the mbedtls provider cannot seed its random generator");
    return with_detail(err, ret);
  }
  mbedtls_ssl_conf_rng(&ctx->conf, mbedtls_ctr_drbg_random, &ctx->drbg);
  return HTTPR_OK;
}

/* What every connection negotiates, and nothing it does not need: session
 * tickets (RFC 5077) for resumption, which servers prefer to a session
 * cache; renegotiation when the server asks for it (to ask for our
 * certificate for one path only, as Apache does), with RFC 5746 support
 * only: a server without it fails the first handshake. */
static httpr_code setup_options(struct mt_ctx *ctx, httpr_error *err) {
  int ret = mbedtls_ssl_config_defaults(&ctx->conf, MBEDTLS_SSL_IS_CLIENT,
                                        MBEDTLS_SSL_TRANSPORT_STREAM,
                                        MBEDTLS_SSL_PRESET_DEFAULT);
  if (ret != 0) {
    hr_fail(err, HTTPR_E_BACKEND, "the mbedtls provider cannot be set up");
    return with_detail(err, ret);
  }
  mbedtls_ssl_conf_ciphersuites(&ctx->conf, ciphersuites);
  mbedtls_ssl_conf_curves(&ctx->conf, curves);
  mbedtls_ssl_conf_sig_hashes(&ctx->conf, sig_hashes);
  mbedtls_ssl_conf_session_tickets(&ctx->conf,
                                   MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
  mbedtls_ssl_conf_renegotiation(&ctx->conf,
                                 MBEDTLS_SSL_RENEGOTIATION_ENABLED);
  mbedtls_ssl_conf_legacy_renegotiation(&ctx->conf,
                                        MBEDTLS_SSL_LEGACY_BREAK_HANDSHAKE);
  return HTTPR_OK;
}

/* The wire-format list ("\x08http/1.1...") as mbedTLS's NULL-ended array
 * of C strings; the names are the wire list with each length byte turned
 * into the previous name's NUL. */
static httpr_code setup_alpn(struct mt_ctx *ctx,
                             const struct hr_tls_settings *s,
                             httpr_error *err) {
  size_t count = 0;
  httpr_code rc = hr_tls_alpn_check(s, &count, err);
  if (rc != HTTPR_OK || count == 0)
    return rc;
  if (!(ctx->alpn_data = malloc(s->alpn_len + 1)) ||
      !(ctx->alpn = calloc(count + 1, sizeof(*ctx->alpn))))
    return hr_nomem(err);
  /* Checked: every length byte is followed by that many bytes. */
  size_t k = 0;
  for (size_t i = 0; i < s->alpn_len; i += s->alpn[i] + 1u) {
    size_t n = s->alpn[i];
    memcpy(ctx->alpn_data + i, s->alpn + i + 1, n);
    ctx->alpn_data[i + n] = '\0';
    ctx->alpn[k++] = ctx->alpn_data + i;
  }
  int ret = mbedtls_ssl_conf_alpn_protocols(&ctx->conf, ctx->alpn);
  if (ret != 0) {
    hr_fail(err, HTTPR_E_INVALID, "the ALPN protocol list is invalid");
    return with_detail(err, ret);
  }
  return HTTPR_OK;
}

/* ---- key log (mbedTLS 2.28: TLS 1.2, per configuration) ------------------ */

/* mbedTLS never writes a key log itself: lines go only where httpr's
 * opt-in put one (provider rule 7). The NSS line for TLS 1.2 is the client
 * random and the 48-byte master secret. */
static int keylog_cb(void *p, const unsigned char *master,
                     const unsigned char *key_block, size_t mac_len,
                     size_t key_len, size_t iv_len,
                     const unsigned char client_random[32],
                     const unsigned char server_random[32],
                     mbedtls_tls_prf_types prf) {
  const struct mt_ctx *ctx = p;
  char line[256];
  (void)key_block;
  (void)mac_len;
  (void)key_len;
  (void)iv_len;
  (void)server_random;
  (void)prf;
  if (ctx->base.keylog && hr_keylog_format(line, sizeof(line), "CLIENT_RANDOM",
                                           client_random, 32, master, 48))
    hr_keylog_write_line(ctx->base.keylog, line);
  hr_wipe(line, sizeof(line));
  return 0;
}

static void mt_context_free(void *vctx) {
  struct mt_ctx *ctx = vctx;
  if (!ctx)
    return;
  mbedtls_ssl_config_free(&ctx->conf);
  mbedtls_x509_crt_free(&ctx->ca);
  mbedtls_x509_crl_free(&ctx->crls);
  mbedtls_x509_crt_free(&ctx->own_certs);
  mbedtls_pk_free(&ctx->own_key);
  mbedtls_ctr_drbg_free(&ctx->drbg);
  mbedtls_entropy_free(&ctx->entropy);
  free(ctx->alpn);
  free(ctx->alpn_data);
  free(ctx);
}

/* mbedTLS 2.28 can neither send the status_request extension nor read
 * an OCSP response: the certificate status check cannot be made (the
 * client refuses it earlier, from the feature bits). */
static httpr_code refuse_cert_status(const struct hr_tls_settings *s,
                                     httpr_error *err) {
  if (!s->cert_status)
    return HTTPR_OK;
  hr_fail(err, HTTPR_E_UNSUPPORTED,
          "the mbedtls provider does not support certificate status "
          "requests (OCSP stapling)");
  hr_detail(err, "mbedTLS 2.28 has no OCSP");
  return HTTPR_E_UNSUPPORTED;
}

static httpr_code mt_context_new(const struct hr_tls_settings *s, void **out,
                                 httpr_error *err) {
  httpr_code rc = HTTPR_OK;
  *out = NULL;
  if ((rc = refuse_cert_status(s, err)) != HTTPR_OK)
    return rc;
  struct mt_ctx *ctx = calloc(1, sizeof(*ctx));
  if (!ctx)
    return hr_nomem(err);
  /* Everything initialised first, so that freeing undoes any step. */
  mbedtls_ssl_config_init(&ctx->conf);
  mbedtls_entropy_init(&ctx->entropy);
  mbedtls_ctr_drbg_init(&ctx->drbg);
  mbedtls_x509_crt_init(&ctx->ca);
  mbedtls_x509_crl_init(&ctx->crls);
  mbedtls_x509_crt_init(&ctx->own_certs);
  mbedtls_pk_init(&ctx->own_key);
  hr_tls_ctx_base_init(&ctx->base, s);
  if ((rc = setup_options(ctx, err)) == HTTPR_OK &&
      (rc = setup_versions(ctx, s, err)) == HTTPR_OK &&
      (rc = setup_groups(ctx, s, err)) == HTTPR_OK &&
      (rc = setup_ciphers(ctx, s, err)) == HTTPR_OK &&
      (rc = setup_rng(ctx, err)) == HTTPR_OK &&
      (rc = setup_verify(ctx, s, err)) == HTTPR_OK &&
      (rc = setup_crls(ctx, s, err)) == HTTPR_OK &&
      (rc = hr_creds_setup(s, &credential_loaders, ctx, err)) == HTTPR_OK)
    rc = setup_alpn(ctx, s, err);
  if (rc == HTTPR_OK && ctx->base.keylog)
    mbedtls_ssl_conf_export_keys_ext_cb(&ctx->conf, keylog_cb, ctx);
  if (rc != HTTPR_OK) {
    mt_context_free(ctx);
    return rc;
  }
  *out = ctx;
  return HTTPR_OK;
}

/* ---- verification, during the handshake ---------------------------------- */

/* hr_issued_fn over an array of certificates, by names: issued(i, i)
 * when i names itself as its issuer (a root, or a self-signed leaf). */
static int issued(void *ud, size_t child, size_t issuer) {
  const mbedtls_x509_crt *const *sent = ud;
  const mbedtls_x509_buf *name = &sent[child]->issuer_raw;
  const mbedtls_x509_buf *subject = &sent[issuer]->subject_raw;
  return name->len == subject->len &&
         memcmp(name->p, subject->p, name->len) == 0;
}

/* mbedTLS only says "not trusted"; the chain the server sent (the leaf
 * and what follows it) tells which of OpenSSL's three words fits. */
static enum hr_verify_reason untrusted_reason(const mbedtls_x509_crt *leaf) {
  const mbedtls_x509_crt *sent[HR_SENT_CHAIN_MAX]; /* as many as are linked */
  size_t count = 0;
  for (const mbedtls_x509_crt *c = leaf;
       c && c->raw.p && count < HR_SENT_CHAIN_MAX; c = c->next)
    sent[count++] = c;
  return hr_sent_chain_reason(count, issued, sent);
}

static int name_matches(const char *host, const mbedtls_x509_buf *san) {
  const char *dns[1] = {(const char *)san->p};
  const unsigned char *ip[1] = {san->p};
  size_t lens[1] = {san->len};
  struct hr_peer_names one = {0};
  if (san->tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2)) /* dNSName */
    one = (struct hr_peer_names){.dns = dns, .dns_len = lens, .dns_count = 1};
  else if (san->tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7)) /* iPAddress */
    one = (struct hr_peer_names){.ip = ip, .ip_len = lens, .ip_count = 1};
  return hr_identity_check(host, &one);
}

/* The shared identity rules (backends/identity.h) on the leaf's subject
 * alternative names, one name at a time: any one that matches will do.
 * mbedTLS 2.28 lists iPAddress entries too, raw. */
static int leaf_matches(const mbedtls_x509_crt *leaf, const char *host) {
  for (const mbedtls_x509_sequence *s = &leaf->subject_alt_names; s && s->buf.p;
       s = s->next) {
    if (name_matches(host, &s->buf))
      return 1;
  }
  return 0;
}

/* What the negotiated key exchange does with the server's key. */
static enum hr_kx key_exchange(const mbedtls_ssl_context *ssl) {
  switch (hr_mbed_negotiating_kx(ssl)) {
  case MBEDTLS_KEY_EXCHANGE_RSA:
    return HR_KX_RSA;
  case MBEDTLS_KEY_EXCHANGE_DHE_RSA:
  case MBEDTLS_KEY_EXCHANGE_ECDHE_RSA:
  case MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA:
    return HR_KX_SIGN;
  default:
    return HR_KX_UNKNOWN;
  }
}

/* hr_anchor_fn over the context's trust anchors. */
static int find_anchor(void *ud, const struct hr_der *name,
                       struct hr_der *anchor) {
  const mbedtls_x509_crt *ca = ud;
  for (const mbedtls_x509_crt *t = ca; t && t->raw.p; t = t->next) {
    if (t->subject_raw.len == name->len &&
        memcmp(t->subject_raw.p, name->p, name->len) == 0) {
      anchor->p = t->raw.p;
      anchor->len = t->raw.len;
      return 1;
    }
  }
  return 0;
}

/* The certificate (of the server's list or the trust anchors) whose DER
 * is at der. */
static const mbedtls_x509_crt *cert_at(const mbedtls_x509_crt *lists[2],
                                       const unsigned char *der) {
  for (int i = 0; i < 2; i++) {
    for (const mbedtls_x509_crt *t = lists[i]; t && t->raw.p; t = t->next) {
      if (t->raw.p == der)
        return t;
    }
  }
  return NULL;
}

static void refuse(struct mt_conn *c, const struct hr_policy_verdict *v) {
  c->policy_refused = 1;
  c->verdict = *v;
}

/* mbedTLS says only "not trusted" when no issuer it accepts is found: a
 * parent that is no CA, lacks keyCertSign, breaks a path length or does
 * not verify the signature is passed over without a word. The path by
 * names from the leaf to a trust anchor, judged by the shared policy and
 * its signatures checked here, tells which, as the other providers do. */
static void diagnose_untrusted(struct mt_conn *c, const mbedtls_x509_crt *leaf) {
  struct hr_der sent[HR_POLICY_MAX_PATH * 2];
  struct hr_cert_path path;
  struct hr_policy_verdict v;
  size_t n = 0;
  for (const mbedtls_x509_crt *t = leaf; t && t->raw.p && n < HR_POLICY_MAX_PATH * 2;
       t = t->next) {
    sent[n].p = t->raw.p;
    sent[n].len = t->raw.len;
    n++;
  }
  int refused;
  if (!hr_path_link(sent, n, find_anchor, (void *)&c->ctx->ca, &path)) {
    if (path.overflow) {
      refused = hr_policy_check(&path, HR_KX_UNKNOWN, &v) != 0;
      hr_report_path(c->report, &path); /* the path judged */
      hr_report_policy(c->report, refused, &v);
      if (refused)
        refuse(c, &v);
    }
    return;
  }
  refused = hr_policy_check(&path, key_exchange(&c->ssl), &v) != 0;
  hr_report_path(c->report, &path); /* the path judged */
  hr_report_policy(c->report, refused, &v);
  if (refused) {
    refuse(c, &v);
    return;
  }
  const mbedtls_x509_crt *lists[2] = {leaf, &c->ctx->ca};
  for (size_t i = 0; i + 1 < path.count; i++) {
    const mbedtls_x509_crt *child = cert_at(lists, path.certs[i].p);
    const mbedtls_x509_crt *parent = cert_at(lists, path.certs[i + 1].p);
    if (child && parent && !hr_mbed_signed_by(child, parent)) {
      v.reason = HR_VERIFY_BAD_SIGNATURE;
      snprintf(v.why, sizeof(v.why),
               "depth %zu: the signature does not verify with the key of "
               "depth %zu",
               i, i + 1);
      refuse(c, &v);
      return;
    }
  }
}

/* The chain mbedTLS built (verified or not), leaf first. */
static void chain_path(const struct mt_conn *c, struct hr_cert_path *path) {
  *path = (struct hr_cert_path){0};
  for (size_t i = 0; i < c->chain_len; i++)
    hr_path_add(path, c->chain[i]->raw.p, c->chain[i]->raw.len);
}

/* The shared policy on the chain mbedTLS verified. */
static void judge_chain(struct mt_conn *c) {
  struct hr_cert_path path;
  struct hr_policy_verdict v;
  chain_path(c, &path);
  int refused = hr_policy_check(&path, key_exchange(&c->ssl), &v) != 0;
  hr_report_policy(c->report, refused, &v);
  if (refused)
    refuse(c, &v);
}

/* Called for each certificate of the verified chain, the trust anchor
 * first and the leaf (depth 0) last. mbedTLS's own name check (with its
 * CN fallback, and no IP addresses) never decides: the shared rules do,
 * and only for a chain that is otherwise sound, as in the other
 * providers; the chain is judged by the shared policy too. A flag set
 * here fails the handshake with MBEDTLS_ERR_X509_CERT_VERIFY_FAILED and
 * the alert mbedTLS chooses for it. */
static int verify_cb(void *p, mbedtls_x509_crt *crt, int depth,
                     uint32_t *flags) {
  struct mt_conn *c = p;
  *flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_CN_MISMATCH;
  if (depth >= 0 && depth < HR_POLICY_MAX_PATH) {
    c->chain[depth] = crt;
    if ((size_t)depth + 1 > c->chain_len)
      c->chain_len = (size_t)depth + 1;
  }
  if (depth > 0) {
    c->issuers |= *flags;
    return 0;
  }
  c->untrusted = untrusted_reason(crt);
  /* mbedTLS checks the extended key usage only after the chain; here it
   * counts as one of the chain's defects, which come before the name. */
  if (mbedtls_x509_crt_check_extended_key_usage(
          crt, MBEDTLS_OID_SERVER_AUTH,
          MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)) != 0)
    *flags |= MBEDTLS_X509_BADCERT_EXT_KEY_USAGE;
  if (c->report) {
    struct hr_cert_path path;
    chain_path(c, &path);
    hr_report_path(c->report, &path);
  }
  if ((c->issuers | *flags) & MBEDTLS_X509_BADCERT_NOT_TRUSTED)
    diagnose_untrusted(c, crt);
  else
    judge_chain(c);
  /* A flag fails the handshake; mbedTLS's own, when it found something,
   * also chooses the alert. */
  if (c->policy_refused && !(c->issuers | *flags))
    *flags |= MBEDTLS_X509_BADCERT_OTHER;
  if (c->ctx->base.verify_hostname && !(c->issuers | *flags)) {
    int matched = leaf_matches(crt, c->name);
    hr_report_identity(c->report, matched);
    if (!matched)
      *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
  }
  return 0;
}

/* ---- the transport ------------------------------------------------------- */

/* Sends what the handshake queued: 0 once all of it is gone,
 * MBEDTLS_ERR_SSL_WANT_WRITE when the transport would block (the rest
 * stays queued), MBEDTLS_ERR_NET_SEND_FAILED when it failed. */
static int flush_flight(struct mt_conn *c) {
  size_t sent = 0;
  int ret = 0;
  while (sent < c->flight_len) {
    size_t n = 0;
    enum hr_io_result r =
        hr_io_send(&c->io, c->flight + sent, c->flight_len - sent, &n);
    sent += n;
    if (r != HR_IO_MOVED) {
      ret = r == HR_IO_BLOCKED ? MBEDTLS_ERR_SSL_WANT_WRITE
                               : MBEDTLS_ERR_NET_SEND_FAILED;
      break;
    }
  }
  memmove(c->flight, c->flight + sent, c->flight_len - sent);
  c->flight_len -= sent;
  return ret;
}

/* Queues a handshake record; 0 when out of memory. */
static int queue_record(struct mt_conn *c, const unsigned char *buf,
                        size_t len) {
  if (c->flight_len + len > c->flight_cap) {
    size_t cap = c->flight_cap ? c->flight_cap : 4096;
    while (cap < c->flight_len + len)
      cap *= 2;
    unsigned char *grown = realloc(c->flight, cap);
    if (!grown)
      return 0;
    c->flight = grown;
    c->flight_cap = cap;
  }
  memcpy(c->flight + c->flight_len, buf, len);
  c->flight_len += len;
  return 1;
}

/* mbedTLS 2.28 sends each handshake message on its own, and computes its
 * key exchange between two of them. During the handshake the records of
 * a flight are queued here and leave together when mbedTLS next waits for
 * the server (bio_recv) or the call ends, as OpenSSL and GnuTLS send
 * them: one write per flight, and a server that refuses the client's
 * first message (an empty certificate) and hangs up does not break the
 * pipe under the rest before its alert is read. */
static int bio_send(void *p, const unsigned char *buf, size_t len) {
  struct mt_conn *c = p;
  if (!c->handshaken)
    return queue_record(c, buf, len) ? (int)len : MBEDTLS_ERR_SSL_ALLOC_FAILED;
  size_t n = 0;
  switch (hr_io_send(&c->io, buf, len, &n)) {
  case HR_IO_MOVED:
    return (int)n; /* mbedTLS sends at most one record at a time */
  case HR_IO_BLOCKED:
    return MBEDTLS_ERR_SSL_WANT_WRITE;
  default:
    return MBEDTLS_ERR_NET_SEND_FAILED;
  }
}

/* 0 at the end of the stream: mbedTLS then reports
 * MBEDTLS_ERR_SSL_CONN_EOF, or 0 from mbedtls_ssl_read. */
static int bio_recv(void *p, unsigned char *buf, size_t len) {
  struct mt_conn *c = p;
  int ret = c->flight_len ? flush_flight(c) : 0;
  if (ret != 0)
    return ret;
  size_t n = 0;
  switch (hr_io_recv(&c->io, buf, len, &n)) {
  case HR_IO_MOVED:
  case HR_IO_END:
    return (int)n;
  case HR_IO_BLOCKED:
    return MBEDTLS_ERR_SSL_WANT_READ;
  default:
    return MBEDTLS_ERR_NET_RECV_FAILED;
  }
}

/* ---- connections --------------------------------------------------------- */

static void mt_connection_free(void *vconn) {
  struct mt_conn *c = vconn;
  if (!c)
    return;
  mbedtls_ssl_free(&c->ssl);
  free(c->flight);
  free(c->host);
  free(c->name);
  free(c);
}

static httpr_code mt_connection_new(void *vctx, const char *host,
                                    const struct hr_tls_io *io, void **out,
                                    httpr_error *err) {
  const struct mt_ctx *ctx = vctx;
  httpr_code rc = HTTPR_OK;
  *out = NULL;
  if ((rc = hr_tls_conn_check(ctx, host, io, err)) != HTTPR_OK)
    return rc;
  struct mt_conn *c = calloc(1, sizeof(*c));
  if (!c)
    return hr_nomem(err);
  mbedtls_ssl_init(&c->ssl);
  if (hr_tls_conn_names(host, &c->host, &c->name) != 0) {
    rc = hr_nomem(err);
    goto done;
  }
  c->ctx = ctx;
  c->io.io = *io;
  c->untrusted = HR_VERIFY_UNKNOWN_ISSUER;
  int ret = mbedtls_ssl_setup(&c->ssl, &ctx->conf);
  if (ret != 0) {
    rc = ret == MBEDTLS_ERR_SSL_ALLOC_FAILED ? hr_nomem(err)
                                             : hr_fail(err, HTTPR_E_BACKEND,
                                                       "the TLS connection "
                                                       "cannot be set up");
    with_detail(err, ret);
    goto done;
  }
  mbedtls_ssl_set_bio(&c->ssl, c, bio_send, bio_recv, NULL);
  if (ctx->base.verify)
    mbedtls_ssl_set_verify(&c->ssl, verify_cb, c);
  /* RFC 6066: an IP literal is never sent as SNI. Without a name mbedTLS
   * checks none either: verify_cb does. */
  if (!hr_ip_literal(c->name, NULL) &&
      (ret = mbedtls_ssl_set_hostname(&c->ssl, c->name)) != 0) {
    hr_tls_host_unusable(err, host);
    rc = with_detail(err, ret);
  }
done:
  if (rc != HTTPR_OK) {
    mt_connection_free(c);
    return rc;
  }
  *out = c;
  return HTTPR_OK;
}

/* ---- mapping results ----------------------------------------------------- */

#define PURPOSE_FLAGS                                                          \
  (MBEDTLS_X509_BADCERT_KEY_USAGE | MBEDTLS_X509_BADCERT_EXT_KEY_USAGE |       \
   MBEDTLS_X509_BADCERT_NS_CERT_TYPE)
#define WEAK_FLAGS                                                             \
  (MBEDTLS_X509_BADCERT_BAD_MD | MBEDTLS_X509_BADCERT_BAD_PK |                 \
   MBEDTLS_X509_BADCERT_BAD_KEY)
#define LATE_FLAGS                                                             \
  (MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE |                \
   MBEDTLS_X509_BADCERT_CN_MISMATCH)

/* When several problems are found, the one OpenSSL reports: a chain that
 * leads nowhere first, then the certificates' other defects (OpenSSL
 * checks purposes and extensions before any date), then the validity
 * period, then the name. */
static enum hr_verify_reason reason_of(const struct mt_conn *c,
                                       uint32_t flags) {
  if (flags == (uint32_t)-1) /* verification itself failed */
    return HR_VERIFY_OTHER;
  if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED)
    return c->untrusted;
  if (flags & PURPOSE_FLAGS)
    return HR_VERIFY_BAD_PURPOSE;
  if (flags & WEAK_FLAGS)
    return HR_VERIFY_INSECURE;
  /* OpenSSL judges a CRL's dates before what it lists, thisUpdate first. */
  if (flags & MBEDTLS_X509_BADCRL_FUTURE)
    return HR_VERIFY_CRL_NOT_YET_VALID;
  if (flags & MBEDTLS_X509_BADCRL_EXPIRED)
    return HR_VERIFY_CRL_EXPIRED;
  if (flags & MBEDTLS_X509_BADCERT_REVOKED)
    return HR_VERIFY_REVOKED;
  if (flags & ~(uint32_t)LATE_FLAGS)
    return HR_VERIFY_OTHER;
  if (flags & MBEDTLS_X509_BADCERT_EXPIRED)
    return HR_VERIFY_EXPIRED;
  if (flags & MBEDTLS_X509_BADCERT_FUTURE)
    return HR_VERIFY_NOT_YET_VALID;
  if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH)
    return HR_VERIFY_HOSTNAME;
  return HR_VERIFY_OTHER;
}

/* mbedTLS's description of the flags, one line each, as one line. */
static void flags_text(char *out, size_t cap, uint32_t flags) {
  int n = mbedtls_x509_crt_verify_info(out, cap, "", flags);
  if (n <= 0) {
    snprintf(out, cap, "verification failed");
    return;
  }
  size_t len = strlen(out);
  while (len > 0 && out[len - 1] == '\n')
    out[--len] = '\0';
  for (char *nl; (nl = strchr(out, '\n')) != NULL;)
    *nl = ';'; /* "a;b": short enough for the detail */
}

/* Room for the words of a refused certificate: mbedTLS's description of
 * the flags, and the detail made of them, whole (hr_detail cuts it to
 * fit, as it always did). */
struct refusal {
  char flags[400];
  char detail[640];
};

/* The verification facts: the shared policy's verdict (mbedTLS's own
 * findings stay in the detail), or mbedTLS's flags. */
static void verify_facts(const struct mt_conn *c, struct hr_tls_facts *f,
                         struct refusal *r) {
  uint32_t flags = mbedtls_ssl_get_verify_result(&c->ssl);
  if (c->policy_refused) {
    f->verify_failed = 1;
    flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_OTHER;
    f->policy = &c->verdict;
    if (flags != 0 && flags != (uint32_t)-1) {
      flags_text(r->flags, sizeof(r->flags), flags);
      snprintf(r->detail, sizeof(r->detail),
               "mbedtls: %s (flags 0x%x); httpr policy: %s", r->flags,
               (unsigned)flags, c->verdict.why);
      f->verify_detail = r->detail;
    }
    return;
  }
  flags_text(r->flags, sizeof(r->flags), flags);
  hr_tls_refused(f, reason_of(c, flags));
  f->verify_text = r->flags;
  f->verify_detail = f->lib_detail;
  if (flags != (uint32_t)-1) {
    snprintf(r->detail, sizeof(r->detail), "mbedtls: %s (flags 0x%x)",
             r->flags, (unsigned)flags);
    f->verify_detail = r->detail;
  }
}

/* The chain verified, and the checks mbedTLS makes after it found the
 * leaf unfit for a server (its key usage, extended key usage, a curve not
 * offered): mbedTLS then fails with BAD_HS_CERTIFICATE, the flags say
 * why. */
static int refused_certificate(const struct mt_conn *c, int code) {
  if (code == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED)
    return 1;
  uint32_t flags = mbedtls_ssl_get_verify_result(&c->ssl);
  return c->ctx->base.verify && code == MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE &&
         flags != (uint32_t)-1 && (flags & (PURPOSE_FLAGS | WEAK_FLAGS));
}

static int is_version_failure(int code) {
  return code == MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION;
}

/* Two ways mbedTLS refuses a chain before any verdict: more certificates
 * than its compiled-in limit (MBEDTLS_X509_MAX_INTERMEDIATE_CA, the
 * policy's limit too), and a certificate it cannot parse because of a
 * critical extension it does not know (mbedTLS 2.28 knows no
 * nameConstraints: see README, "What a provider cannot do"). Both are
 * reported as the other providers report them. */
static void unusable_chain(int code, struct hr_tls_facts *f) {
  if (code == MBEDTLS_ERR_X509_FATAL_ERROR)
    f->verify_reason = HR_VERIFY_CHAIN_TOO_LONG;
  else if (code ==
           MBEDTLS_ERR_X509_INVALID_EXTENSIONS + MBEDTLS_ERR_ASN1_UNEXPECTED_TAG)
    f->verify_reason = HR_VERIFY_CRITICAL_EXTENSION;
  else
    return;
  f->verify_failed = 1;
  f->verify_detail = f->lib_detail;
}

/* Maps a fatal mbedTLS error of one operation. */
static enum hr_tls_status failed(struct mt_conn *c, enum hr_tls_op op,
                                 int code, httpr_error *err) {
  char text[200], lib[sizeof(err->detail)];
  struct refusal refusal;
  c->failed = 1;
  mbedtls_strerror(code, text, sizeof(text));
  detail_text(lib, sizeof(lib), code);
  int alert = code == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE
                  ? hr_mbed_received_alert(&c->ssl)
                  : -1;
  struct hr_tls_facts f;
  hr_tls_facts_init(&f, op, c->host, &c->ctx->base, &c->io);
  f.peer_closed = code == MBEDTLS_ERR_SSL_CONN_EOF ||
                  code == MBEDTLS_ERR_NET_CONN_RESET || c->io.eof;
  f.alert = alert;
  f.alert_name = alert < 0 ? NULL : hr_alert_name(alert);
  f.version_failure = is_version_failure(code);
  f.no_secure_renegotiation = op == HR_TLS_OP_HANDSHAKE &&
                              code == MBEDTLS_ERR_SSL_BAD_HS_SERVER_HELLO &&
                              hr_mbed_legacy_server(&c->ssl);
  f.late_auth_on_h2 = c->h2 && hr_mbed_renegotiating(&c->ssl);
  f.lib_reason = text;
  f.lib_detail = lib;
  f.report = c->report;
  if (op == HR_TLS_OP_HANDSHAKE && refused_certificate(c, code))
    verify_facts(c, &f, &refusal);
  else if (op == HR_TLS_OP_HANDSHAKE && c->ctx->base.verify)
    unusable_chain(code, &f);
  hr_tls_decide(&f, err);
  return HR_TLS_ERROR;
}

/* A close_notify before the handshake ends is the server hanging up. */
static enum hr_tls_status hung_up(struct mt_conn *c, int code,
                                  httpr_error *err) {
  char lib[sizeof(err->detail)];
  detail_text(lib, sizeof(lib), code);
  struct hr_tls_facts f = {
      .op = HR_TLS_OP_HANDSHAKE, .alert = -1, .peer_closed = 1, .lib_detail = lib};
  c->failed = 1;
  hr_tls_decide(&f, err);
  return HR_TLS_ERROR;
}

static int is_want(int code) {
  return code == MBEDTLS_ERR_SSL_WANT_READ ||
         code == MBEDTLS_ERR_SSL_WANT_WRITE;
}

static enum hr_tls_status want(int code) {
  return code == MBEDTLS_ERR_SSL_WANT_WRITE ? HR_TLS_WANT_WRITE
                                            : HR_TLS_WANT_READ;
}

/* Each call starts from fresh I/O state. */
static void begin_call(struct mt_conn *c) { hr_io_begin(&c->io); }

/* mbedTLS also answers "want read" after a record it consumed without
 * handing anything over (a refused HelloRequest) when the transport did
 * not block: the call is then repeated, so the caller only waits when the
 * socket has nothing more. This many times in one call at most. */
#define MAX_REPEATS 32

static int go_on(const struct mt_conn *c, int code) {
  return is_want(code) && !c->io.blocked && c->io.failed == HR_IO_OK;
}

/* The alert mbedTLS queued for a failed handshake goes out if the socket
 * takes it at once; the failure being reported stays the one recorded. */
static void send_last_words(struct mt_conn *c) {
  enum hr_io_failure failed_io = c->io.failed;
  int saved = c->io.err_no;
  if (failed_io == HR_IO_OK && c->flight_len)
    flush_flight(c);
  c->io.failed = failed_io;
  c->io.err_no = saved;
}

/* The handshake is over once its last flight has left. */
static enum hr_tls_status finish_handshake(struct mt_conn *c,
                                           httpr_error *err) {
  int ret = c->flight_len ? flush_flight(c) : 0;
  if (ret == MBEDTLS_ERR_SSL_WANT_WRITE)
    return HR_TLS_WANT_WRITE;
  if (ret != 0)
    return failed(c, HR_TLS_OP_HANDSHAKE, ret, err);
  free(c->flight);
  c->flight = NULL;
  c->flight_cap = 0;
  return HR_TLS_DONE;
}

/* Writes the ClientHello of a connection offering a session on its own,
 * and notes the session id it carries: the saved one, or with a ticket
 * the random one mbedTLS draws then (RFC 5077 3.4). */
static int write_offer(struct mt_conn *c) {
  int ret = 0;
  while (ret == 0 && hr_mbed_state(&c->ssl) < MBEDTLS_SSL_SERVER_HELLO)
    ret = mbedtls_ssl_handshake_step(&c->ssl);
  if (ret != 0)
    return ret;
  size_t len = 0;
  const unsigned char *id =
      hr_mbed_session_id(hr_mbed_session_negotiate(&c->ssl), &len);
  c->offered_len = len <= sizeof(c->offered_id) ? len : 0;
  memcpy(c->offered_id, id, c->offered_len);
  c->offering = 0;
  return 0;
}

static int run_handshake(struct mt_conn *c) {
  int ret = c->offering ? write_offer(c) : 0;
  return ret != 0 ? ret : mbedtls_ssl_handshake(&c->ssl);
}

/* mbedTLS 2.28 cannot say whether a handshake resumed. Its client resumes
 * when the ServerHello echoes the session id offered (with the session's
 * suite), and the session then keeps that id; a full handshake takes the
 * server's new id instead. The same test here. */
static int echoed_offer(const struct mt_conn *c) {
  const mbedtls_ssl_session *s = mbedtls_ssl_get_session_pointer(&c->ssl);
  size_t len = 0;
  const unsigned char *id = s ? hr_mbed_session_id(s, &len) : NULL;
  return c->offered_len > 0 && id && len == c->offered_len &&
         memcmp(id, c->offered_id, len) == 0;
}

static enum hr_tls_status mt_handshake(void *vconn, httpr_error *err) {
  struct mt_conn *c = vconn;
  if (c->handshaken) {
    begin_call(c);
    return finish_handshake(c, err);
  }
  int ret = MBEDTLS_ERR_SSL_WANT_READ;
  for (int i = 0; i < MAX_REPEATS; i++) {
    begin_call(c);
    ret = run_handshake(c);
    if (ret == 0) {
      const char *alpn = mbedtls_ssl_get_alpn_protocol(&c->ssl);
      c->handshaken = 1;
      c->h2 = alpn && strcmp(alpn, "h2") == 0;
      c->resumed = echoed_offer(c);
      return finish_handshake(c, err);
    }
    if (!go_on(c, ret))
      break;
  }
  /* Waiting for the server: what is queued must be on its way first. */
  if (ret == MBEDTLS_ERR_SSL_WANT_READ && c->flight_len) {
    int sent = flush_flight(c);
    if (sent != 0)
      ret = sent;
  }
  if (is_want(ret))
    return want(ret);
  send_last_words(c);
  if (ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY)
    return hung_up(c, ret, err);
  return failed(c, HR_TLS_OP_HANDSHAKE, ret, err);
}

/* The read that brought a forbidden renegotiation on HTTP/2 fails. */
static enum hr_tls_status late_auth_refused(struct mt_conn *c,
                                            httpr_error *err) {
  struct hr_tls_facts f;
  c->failed = 1;
  hr_tls_facts_init(&f, HR_TLS_OP_READ, c->host, &c->ctx->base, &c->io);
  f.late_auth_on_h2 = 1;
  hr_tls_decide(&f, err);
  return HR_TLS_ERROR;
}

static enum hr_tls_status mt_read(void *vconn, void *buf, size_t cap,
                                  size_t *got, httpr_error *err) {
  struct mt_conn *c = vconn;
  *got = 0;
  if (cap == 0)
    return HR_TLS_DONE;
  int ret = MBEDTLS_ERR_SSL_WANT_READ;
  for (int i = 0; i < MAX_REPEATS; i++) {
    begin_call(c);
    ret = mbedtls_ssl_read(&c->ssl, buf, cap);
    /* RFC 9113 9.2.1: no renegotiation on HTTP/2. */
    if (c->h2 && hr_mbed_renegotiating(&c->ssl))
      return late_auth_refused(c, err);
    if (ret > 0) {
      *got = (size_t)ret;
      return HR_TLS_DONE;
    }
    if (!go_on(c, ret))
      break;
  }
  if (is_want(ret))
    return want(ret);
  if (ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY)
    return HR_TLS_CLOSED;
  /* 0: the stream ended without close_notify. */
  return failed(c, HR_TLS_OP_READ, ret == 0 ? MBEDTLS_ERR_SSL_CONN_EOF : ret, err);
}

/* After a want-write mbedTLS keeps the record it made; the transport
 * repeats the call with the same buffer, and mbedTLS then only sends what
 * is left of it and reports the length of that first call. */
static enum hr_tls_status mt_write(void *vconn, const void *buf, size_t len,
                                   size_t *put, httpr_error *err) {
  struct mt_conn *c = vconn;
  *put = 0;
  if (len == 0)
    return HR_TLS_DONE;
  begin_call(c);
  int ret = mbedtls_ssl_write(&c->ssl, buf, len);
  if (ret > 0 && !c->io.send_broken) {
    *put = (size_t)ret;
    return HR_TLS_DONE;
  }
  if (ret > 0)
    return hr_tls_broken_send(c->host, &c->ctx->base, &c->io, err);
  if (is_want(ret))
    return want(ret);
  return failed(c, HR_TLS_OP_WRITE, ret == 0 ? MBEDTLS_ERR_NET_SEND_FAILED : ret, err);
}

static enum hr_tls_status mt_shutdown(void *vconn, httpr_error *err) {
  struct mt_conn *c = vconn;
  /* Nothing to close after a fatal error or before a handshake. */
  if (!c->handshaken || c->failed)
    return HR_TLS_DONE;
  begin_call(c);
  int ret = mbedtls_ssl_close_notify(&c->ssl);
  if (ret == 0)
    return HR_TLS_DONE;
  if (is_want(ret))
    return want(ret);
  return failed(c, HR_TLS_OP_SHUTDOWN, ret, err);
}

/* ---- negotiated parameters ----------------------------------------------- */

/* A bounded writer for the names below. */
struct out {
  char *p;
  size_t cap, len;
};

static void put_char(struct out *o, char ch) {
  if (o->len + 1 < o->cap)
    o->p[o->len++] = ch;
  o->p[o->len < o->cap ? o->len : o->cap - 1] = '\0';
}

static void put_hex(struct out *o, unsigned char byte, const char *prefix) {
  static const char digits[] = "0123456789ABCDEF";
  for (; *prefix; prefix++)
    put_char(o, *prefix);
  put_char(o, digits[byte >> 4]);
  put_char(o, digits[byte & 15]);
}

/* One attribute value escaped as RFC 2253 and OpenSSL's printing do:
 * the special characters with a backslash, a leading '#' or space and a
 * trailing space too, control and non-ASCII bytes as \XX. A BMPString
 * becomes UTF-8 first. */
static void put_value(struct out *o, const mbedtls_x509_buf *v) {
  unsigned char utf8[256];
  const unsigned char *s = v->p;
  size_t n = v->len;
  if (v->tag == MBEDTLS_ASN1_BMP_STRING) {
    size_t k = 0;
    for (size_t i = 0; i + 1 < v->len && k + 3 <= sizeof(utf8); i += 2) {
      unsigned u = (unsigned)v->p[i] << 8 | v->p[i + 1];
      if (u < 0x80) {
        utf8[k++] = (unsigned char)u;
      } else if (u < 0x800) {
        utf8[k++] = (unsigned char)(0xc0 | u >> 6);
        utf8[k++] = (unsigned char)(0x80 | (u & 0x3f));
      } else {
        utf8[k++] = (unsigned char)(0xe0 | u >> 12);
        utf8[k++] = (unsigned char)(0x80 | ((u >> 6) & 0x3f));
        utf8[k++] = (unsigned char)(0x80 | (u & 0x3f));
      }
    }
    s = utf8;
    n = k;
  }
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = s[i];
    if (ch < 0x20 || ch >= 0x7f) {
      put_hex(o, ch, "\\");
      continue;
    }
    if (strchr(",+\"\\<>;", ch) || (i == 0 && (ch == '#' || ch == ' ')) ||
        (i == n - 1 && ch == ' '))
      put_char(o, '\\');
    put_char(o, (char)ch);
  }
}

/* An attribute type without a short name, and its value, as OpenSSL
 * dumps them: the dotted OID, '=', '#' and the value's DER in hex. */
static void put_unknown(struct out *o, const mbedtls_x509_name *a) {
  char oid[64];
  if (mbedtls_oid_get_numeric_string(oid, sizeof(oid), &a->oid) < 0)
    snprintf(oid, sizeof(oid), "?");
  for (const char *t = oid; *t; t++)
    put_char(o, *t);
  put_char(o, '=');
  put_hex(o, (unsigned char)a->val.tag, "#");
  if (a->val.len < 0x80) {
    put_hex(o, (unsigned char)a->val.len, "");
  } else {
    put_hex(o, a->val.len < 0x100 ? 0x81 : 0x82, "");
    if (a->val.len >= 0x100)
      put_hex(o, (unsigned char)(a->val.len >> 8), "");
    put_hex(o, (unsigned char)a->val.len, "");
  }
  for (size_t i = 0; i < a->val.len; i++)
    put_hex(o, a->val.p[i], "");
}

#define MAX_ATTRIBUTES 64

/* RFC 2253, as OpenSSL prints it: the most specific RDN first, ","
 * between RDNs, "+" between the attributes of one (in reverse too). */
static void print_dn(char *dst, size_t cap, const mbedtls_x509_name *name) {
  const mbedtls_x509_name *attrs[MAX_ATTRIBUTES];
  size_t count = 0;
  struct out o = {dst, cap, 0};
  dst[0] = '\0';
  for (const mbedtls_x509_name *a = name;
       a && a->oid.p && count < MAX_ATTRIBUTES; a = a->next)
    attrs[count++] = a;
  for (size_t i = count; i-- > 0;) {
    const mbedtls_x509_name *a = attrs[i];
    const char *short_name = NULL;
    if (i + 1 < count)
      put_char(&o, hr_mbed_name_merged(a) ? '+' : ',');
    if (mbedtls_oid_get_attr_short_name(&a->oid, &short_name) != 0) {
      put_unknown(&o, a);
      continue;
    }
    for (const char *t = short_name; *t; t++)
      put_char(&o, *t);
    put_char(&o, '=');
    put_value(&o, &a->val);
  }
}

/* mbedTLS's "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256" is the IANA name
 * with '-' for '_': the name every provider reports. */
static void cipher_name(char *dst, size_t cap, const char *name) {
  hr_copy_str(dst, cap, name, strlen(name));
  for (char *p = dst; *p; p++) {
    if (*p == '-')
      *p = '_';
  }
}

static void mt_info(void *vconn, struct hr_tls_info *out) {
  const struct mt_conn *c = vconn;
  const char *s;
  memset(out, 0, sizeof(*out));
  if ((s = mbedtls_ssl_get_version(&c->ssl)))
    hr_copy_str(out->version, sizeof(out->version), s, strlen(s));
  if ((s = mbedtls_ssl_get_ciphersuite(&c->ssl)))
    cipher_name(out->cipher, sizeof(out->cipher), s);
  if ((s = mbedtls_ssl_get_alpn_protocol(&c->ssl)))
    hr_copy_str(out->alpn, sizeof(out->alpn), s, strlen(s));
  const mbedtls_x509_crt *peer = mbedtls_ssl_get_peer_cert(&c->ssl);
  if (peer) {
    print_dn(out->subject, sizeof(out->subject), &peer->subject);
    print_dn(out->issuer, sizeof(out->issuer), &peer->issuer);
  }
  out->resumed = c->resumed;
}

/* ---- for public key pinning --------------------------------------------- */

/* The session's parsed leaf, resumed sessions' too (a saved session
 * carries it). */
static int mt_peer_certificate(void *vconn, const unsigned char **der,
                               size_t *len) {
  const struct mt_conn *c = vconn;
  const mbedtls_x509_crt *peer = mbedtls_ssl_get_peer_cert(&c->ssl);
  if (!peer || !peer->raw.p)
    return -1;
  *der = peer->raw.p;
  *len = peer->raw.len;
  return 0;
}

static int mt_sha256(const void *data, size_t len, unsigned char out[32]) {
  const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
  return md && mbedtls_md(md, data, len, out) == 0 ? 0 : -1;
}

/* ---- session resumption (TLS 1.2: a session id or a ticket) -------------- */

/* The session is final once the handshake is done and resumable at once
 * (a TLS 1.2 ticket comes within the handshake): the first call gives it.
 * It is serialized in place: mbedtls_ssl_get_session would copy it first,
 * parsing the server's certificate again. */
static void *mt_session_export(void *vconn) {
  struct mt_conn *c = vconn;
  const mbedtls_ssl_session *s = c->handshaken && !c->failed
                                     ? mbedtls_ssl_get_session_pointer(&c->ssl)
                                     : NULL;
  size_t need = 0;
  if (!s || !hr_mbed_session_resumable(s) ||
      mbedtls_ssl_session_save(s, NULL, 0, &need) !=
          MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL ||
      need == 0)
    return NULL;
  struct hr_session_blob *b = hr_session_blob_new(need);
  if (b && mbedtls_ssl_session_save(s, b->data, need, &b->len) != 0) {
    hr_session_blob_free(b);
    b = NULL;
  }
  return b;
}

/* Only before the first handshake call: the ClientHello must carry it. */
static int mt_session_import(void *vconn, void *session) {
  struct mt_conn *c = vconn;
  const struct hr_session_blob *b = session;
  mbedtls_ssl_session s;
  if (c->offering || hr_mbed_state(&c->ssl) != MBEDTLS_SSL_HELLO_REQUEST ||
      !b || b->len == 0)
    return -1;
  mbedtls_ssl_session_init(&s);
  c->offering = mbedtls_ssl_session_load(&s, b->data, b->len) == 0 &&
                hr_mbed_session_resumable(&s) &&
                mbedtls_ssl_set_session(&c->ssl, &s) == 0;
  mbedtls_ssl_session_free(&s); /* zeroized; the connection has a copy */
  return c->offering ? 0 : -1;
}

static void mt_set_report(void *vconn, struct httpr_verify_report *r) {
  struct mt_conn *c = vconn;
  c->report = r;
}

/* ---- the provider -------------------------------------------------------- */

/* What setup_groups can offer, for the capability query. */
static const char *const offered_groups[] = {"x25519", "x448", "secp256r1", "secp384r1", "secp521r1", NULL};

const struct hr_tls_provider hr_provider_mbedtls = {
    .name = "mbedtls",
    .features = HTTPR_FEATURE_TLS12 | HTTPR_FEATURE_CA_DIR |
                HTTPR_FEATURE_PKCS12 | HTTPR_FEATURE_ENCRYPTED_KEY |
                HTTPR_FEATURE_KEYLOG | HTTPR_FEATURE_ALPN |
                HTTPR_FEATURE_SYSTEM_STORE | HTTPR_FEATURE_SESSION_RESUME |
                HTTPR_FEATURE_RENEGOTIATION | HTTPR_FEATURE_EXACT_CIPHERS,
    .library_version = mt_library_version,
    .global_init = mt_global_init,
    .global_cleanup = mt_global_cleanup,
    .context_new = mt_context_new,
    .context_free = mt_context_free,
    .connection_new = mt_connection_new,
    .connection_free = mt_connection_free,
    .handshake = mt_handshake,
    .read = mt_read,
    .write = mt_write,
    .shutdown = mt_shutdown,
    .info = mt_info,
    .session_export = mt_session_export,
    .session_import = mt_session_import,
    .session_free = hr_session_blob_free,
    .groups = offered_groups,
    .cipher_suites = mt_cipher_suites,
    .set_report = mt_set_report,
    .peer_certificate = mt_peer_certificate,
    .sha256 = mt_sha256,
};
