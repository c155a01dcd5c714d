/* SPDX-License-Identifier: MIT */
/*
 * openssl.c - the OpenSSL 3 provider: builds an SSL_CTX per client (trust
 * store parsed once, client credentials, versions, ALPN, key log), runs
 * non-blocking client connections over the transport's I/O callbacks
 * through a custom BIO, and maps OpenSSL's results onto the shared error
 * wording. The only file of the library that includes OpenSSL headers.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "backends/provider.h"
#include "backends/provider_services.h"

/* ---- types --------------------------------------------------------------- */

struct ossl_ctx {
  SSL_CTX *ssl_ctx;
  struct hr_tls_ctx_base base; /* verify, key log, versions */
};

struct ossl_conn {
  const struct ossl_ctx *ctx;
  SSL *ssl;
  struct hr_io_state io; /* the transport, and what it last did */
  char *host;            /* as given, for messages */
  char *name;            /* without a trailing dot: the identity checked
                          * after the chain (NULL: not checked) */
  int handshaken;
  int h2;              /* ALPN selected h2 */
  int late_auth_on_h2; /* the server asked to authenticate us again there */
  int failed; /* a fatal error happened: no close_notify may follow */
  int policy_refused;                /* the shared policy refused the chain */
  struct hr_policy_verdict verdict; /* why, when it did */
  int status_refused;               /* the certificate status check refused */
  struct hr_ocsp_verdict status;    /* why, when it did */
  struct httpr_verify_report *report; /* the core's, when it asked */
  unsigned char *peer_der; /* the server's leaf, once asked for */
  size_t peer_der_len;
};

/* ---- OpenSSL's error queue ----------------------------------------------- */

#define MAX_ERRORS 16

/* The thread's OpenSSL error queue, drained: the codes and their text. */
struct ossl_errors {
  unsigned long codes[MAX_ERRORS];
  int count;
  char text[448]; /* "openssl: error:...; error:..." or "" */
};

/* ERR_clear_error walks every slot of the queue (hundreds of
 * instructions) even when it is empty, which it nearly always is: look
 * first. */
static void clear_errors(void) {
  if (ERR_peek_error() != 0)
    ERR_clear_error();
}

/* Empties the queue into e, so no stale error ever reaches the next call
 * on this thread (SSL_get_error reads the same queue). */
static void drain_errors(struct ossl_errors *e) {
  size_t used = 0;
  unsigned long code;
  e->count = 0;
  e->text[0] = '\0';
  while (e->count < MAX_ERRORS && (code = ERR_get_error()) != 0) {
    char one[256];
    ERR_error_string_n(code, one, sizeof(one));
    e->codes[e->count++] = code;
    if (used < sizeof(e->text)) {
      int n = snprintf(e->text + used, sizeof(e->text) - used, "%s%s",
                       used ? "; " : "openssl: ", one);
      used += n > 0 ? (size_t)n : 0;
    }
  }
  ERR_clear_error();
}

/* The first error of the SSL library, else the first of any. */
static unsigned long main_error(const struct ossl_errors *e) {
  for (int i = 0; i < e->count; i++) {
    if (ERR_GET_LIB(e->codes[i]) == ERR_LIB_SSL)
      return e->codes[i];
  }
  return e->count ? e->codes[0] : 0;
}

static int has_error(const struct ossl_errors *e, int lib, int reason) {
  for (int i = 0; i < e->count; i++) {
    if (ERR_GET_LIB(e->codes[i]) == lib &&
        ERR_GET_REASON(e->codes[i]) == reason)
      return 1;
  }
  return 0;
}

static const char *reason_text(unsigned long code) {
  const char *s = code ? ERR_reason_error_string(code) : NULL;
  return s ? s : "unknown error";
}

/* Adds the drained queue as the detail of an error already recorded. */
static httpr_code with_detail(httpr_error *err, const struct ossl_errors *e) {
  if (e->text[0])
    hr_detail(err, "%s", e->text);
  return err->code;
}

/* ---- provider lifetime --------------------------------------------------- */

static const char *ossl_library_version(void) {
  return OpenSSL_version(OPENSSL_VERSION);
}

static httpr_code ossl_global_init(httpr_error *err) {
  if (OPENSSL_init_ssl(0, NULL) != 1) {
    struct ossl_errors e;
    drain_errors(&e);
    hr_fail(err, HTTPR_E_BACKEND,
            "the openssl provider cannot be "
            "initialised");
    return with_detail(err, &e);
  }
  return HTTPR_OK;
}

/* Never OPENSSL_cleanup(): the host program may still use OpenSSL, and
 * OpenSSL cannot be initialised again after it in the same process. */
static void ossl_global_cleanup(void) {}

/* ---- PEM parsing --------------------------------------------------------- */

/* Never lets OpenSSL prompt on a terminal: the password given, or a
 * failure when there is none. */
static int password_cb(char *buf, int size, int rwflag, void *ud) {
  const char *password = ud;
  (void)rwflag;
  if (!password || size < 0)
    return -1;
  size_t n = strlen(password);
  if (n > (size_t)size)
    return -1;
  memcpy(buf, password, n);
  return (int)n;
}

static X509 *cert_from_block(const struct hr_pem_block *b) {
  BIO *bio = BIO_new_mem_buf(b->begin, (int)b->len);
  X509 *x = bio ? PEM_read_bio_X509_AUX(bio, NULL, password_cb, NULL) : NULL;
  BIO_free(bio);
  return x;
}

static EVP_PKEY *key_from_block(const struct hr_pem_block *b,
                                const char *password) {
  BIO *bio = BIO_new_mem_buf(b->begin, (int)b->len);
  EVP_PKEY *k = bio ? PEM_read_bio_PrivateKey_ex(bio, NULL, password_cb,
                                                 (void *)password, NULL, NULL)
                    : NULL;
  BIO_free(bio);
  return k;
}

/* ---- verification -------------------------------------------------------- */

/* What the key exchange negotiated so far does with the server's key: in
 * TLS 1.2 the ServerHello, and with it the suite, came before the
 * certificate. */
static enum hr_kx key_exchange(const SSL *ssl) {
  if (SSL_version(ssl) >= TLS1_3_VERSION)
    return HR_KX_SIGN;
  const SSL_CIPHER *suite = SSL_get_pending_cipher(ssl);
  switch (suite ? SSL_CIPHER_get_kx_nid(suite) : NID_undef) {
  case NID_kx_rsa:
    return HR_KX_RSA;
  case NID_kx_ecdhe:
  case NID_kx_dhe:
    return HR_KX_SIGN;
  default:
    return HR_KX_UNKNOWN;
  }
}

static void free_ders(unsigned char *ders[HR_POLICY_MAX_PATH]) {
  for (size_t i = 0; i < HR_POLICY_MAX_PATH; i++)
    OPENSSL_free(ders[i]);
}

/* The chain OpenSSL built in sctx, leaf first (the one it verified, or as
 * far as it got before refusing), as a path pointing into ders, which the
 * caller frees with free_ders. Returns the depth of a certificate that
 * cannot be encoded (the path stops before it), else -1. */
static int chain_path(X509_STORE_CTX *sctx, struct hr_cert_path *path,
                      unsigned char *ders[HR_POLICY_MAX_PATH]) {
  STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(sctx);
  for (int i = 0; chain && i < sk_X509_num(chain); i++) {
    unsigned char *der = NULL;
    int len = i2d_X509(sk_X509_value(chain, i), &der);
    if (len <= 0) {
      OPENSSL_free(der);
      return i;
    }
    if (path->count < HR_POLICY_MAX_PATH)
      ders[path->count] = der;
    else
      OPENSSL_free(der);
    hr_path_add(path, der, (size_t)len);
  }
  return -1;
}

/* The shared policy on the chain OpenSSL verified (leaf first, the trust
 * anchor last). 0 when it passes; a chain that cannot be encoded fails. */
static int policy_refuses(struct ossl_conn *c, X509_STORE_CTX *sctx) {
  struct hr_cert_path path = {0};
  unsigned char *ders[HR_POLICY_MAX_PATH] = {0};
  int refused = 1;
  int bad = chain_path(sctx, &path, ders);
  hr_report_path(c->report, &path);
  if (bad >= 0) {
    c->verdict.reason = HR_VERIFY_MALFORMED;
    snprintf(c->verdict.why, sizeof(c->verdict.why),
             "depth %d: cannot be encoded", bad);
  } else {
    refused = hr_policy_check(&path, key_exchange(c->ssl), &c->verdict) != 0;
    hr_report_policy(c->report, refused, &c->verdict);
  }
  free_ders(ders);
  return refused;
}

/* For the report: the chain as far as OpenSSL built it before refusing. */
static void report_refused_chain(struct ossl_conn *c, X509_STORE_CTX *sctx) {
  struct hr_cert_path path = {0};
  unsigned char *ders[HR_POLICY_MAX_PATH] = {0};
  chain_path(sctx, &path, ders);
  hr_report_path(c->report, &path);
  free_ders(ders);
}

/* The leaf names the host (or IP literal) by the rules of
 * backends/identity.h: SANs only, whole-label wildcards only. Otherwise
 * files OpenSSL's mismatch code in sctx and returns 0. */
static int identity_holds(struct ossl_conn *c, X509_STORE_CTX *sctx) {
  X509 *leaf = X509_STORE_CTX_get0_cert(sctx);
  unsigned char addr[16];
  size_t alen = hr_ip_literal(c->name, addr);
  unsigned flags = X509_CHECK_FLAG_NEVER_CHECK_SUBJECT |
                   X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS;
  int match = alen ? X509_check_ip(leaf, addr, alen, flags)
                   : X509_check_host(leaf, c->name, 0, flags, NULL);
  hr_report_identity(c->report, match == 1);
  if (match == 1)
    return 1;
  X509_STORE_CTX_set_current_cert(sctx, leaf);
  X509_STORE_CTX_set_error_depth(sctx, 0);
  X509_STORE_CTX_set_error(sctx, alen ? X509_V_ERR_IP_ADDRESS_MISMATCH
                                      : X509_V_ERR_HOSTNAME_MISMATCH);
  return 0;
}

/* Replaces X509_verify_cert for the server's chain: OpenSSL's own
 * verification first, then the shared policy on what it built, then the
 * name. The name comes last, as on every provider: a certificate that is
 * both expired and for another host is reported as expired (OpenSSL's
 * own order would name the host first). */
static int verify_chain(X509_STORE_CTX *sctx, void *arg) {
  (void)arg;
  int ok = X509_verify_cert(sctx);
  SSL *ssl =
      X509_STORE_CTX_get_ex_data(sctx, SSL_get_ex_data_X509_STORE_CTX_idx());
  struct ossl_conn *c = ssl ? SSL_get_app_data(ssl) : NULL;
  if (ok <= 0) {
    if (c && c->report)
      report_refused_chain(c, sctx);
    return ok;
  }
  if (!c || policy_refuses(c, sctx)) {
    if (c)
      c->policy_refused = 1;
    X509_STORE_CTX_set_error(sctx, X509_V_ERR_APPLICATION_VERIFICATION);
    return 0;
  }
  return !c->name || identity_holds(c, sctx);
}

/* ---- certificate status (OCSP stapling) ---------------------------------- */

/* Seconds since the epoch of an ASN.1 time, from its distance to now
 * (OpenSSL 3.0 has no direct conversion). 0 when it cannot be read. */
static int epoch_of(const ASN1_GENERALIZEDTIME *t, int64_t now, int64_t *out) {
  int days = 0, secs = 0;
  if (!t || !ASN1_TIME_diff(&days, &secs, NULL, t))
    return 0;
  *out = now + (int64_t)days * 86400 + secs;
  return 1;
}

/* The response's entry for leaf (issued by issuer), whatever digest its
 * CertID was made with; NULL when it has none. */
static OCSP_SINGLERESP *entry_for(OCSP_BASICRESP *basic, X509 *leaf,
                                  X509 *issuer) {
  for (int i = 0; i < OCSP_resp_count(basic); i++) {
    OCSP_SINGLERESP *one = OCSP_resp_get0(basic, i);
    const OCSP_CERTID *id = one ? OCSP_SINGLERESP_get0_id(one) : NULL;
    ASN1_OBJECT *digest = NULL;
    if (!id || !OCSP_id_get0_info(NULL, &digest, NULL, NULL, (OCSP_CERTID *)id))
      continue;
    const EVP_MD *md = EVP_get_digestbyobj(digest);
    OCSP_CERTID *ours = md ? OCSP_cert_to_id(md, leaf, issuer) : NULL;
    int same = ours && OCSP_id_cmp(ours, id) == 0;
    OCSP_CERTID_free(ours);
    if (same)
      return one;
  }
  return NULL;
}

/* What the entry says, with its times; 0 when they cannot be read. */
static int entry_facts(OCSP_SINGLERESP *one, int64_t now,
                       struct hr_ocsp_facts *f) {
  ASN1_GENERALIZEDTIME *revoked = NULL, *this_update = NULL,
                       *next_update = NULL;
  int reason = 0;
  int status = OCSP_single_get0_status(one, &reason, &revoked, &this_update,
                                       &next_update);
  f->covers_cert = 1;
  f->cert_status = status == V_OCSP_CERTSTATUS_GOOD      ? HR_OCSP_CERT_GOOD
                   : status == V_OCSP_CERTSTATUS_REVOKED ? HR_OCSP_CERT_REVOKED
                                                         : HR_OCSP_CERT_UNKNOWN;
  f->has_next_update = next_update != NULL;
  return epoch_of(this_update, now, &f->this_update) &&
         (!next_update || epoch_of(next_update, now, &f->next_update));
}

/* The signature, by the issuer or a responder it delegated to, checked
 * against the chain the server sent and the trust store; an issuer in the
 * store counts as an anchor, as for the chain (OCSP_PARTIAL_CHAIN). */
static void check_signer(const struct ossl_conn *c, OCSP_BASICRESP *basic,
                         struct hr_ocsp_verdict *v) {
  STACK_OF(X509) *sent = SSL_get_peer_cert_chain(c->ssl);
  X509_STORE *store = SSL_CTX_get_cert_store(c->ctx->ssl_ctx);
  if (OCSP_basic_verify(basic, sent, store, OCSP_PARTIAL_CHAIN) == 1)
    return;
  struct ossl_errors e;
  drain_errors(&e);
  /* No entry at all is no signer's fault: covers_cert says it. */
  if (has_error(&e, ERR_LIB_OCSP, OCSP_R_RESPONSE_CONTAINS_NO_REVOCATION_DATA))
    return;
  if (has_error(&e, ERR_LIB_OCSP, OCSP_R_SIGNATURE_FAILURE))
    v->facts.signature_bad = 1;
  else
    v->facts.signer_untrusted = 1;
  hr_copy_str(v->words, sizeof(v->words), e.text, strlen(e.text));
}

/* The facts of the response the server stapled, as far as they go. */
static void read_status(const struct ossl_conn *c, int64_t now,
                        struct hr_ocsp_verdict *v) {
  struct hr_ocsp_facts *f = &v->facts;
  const unsigned char *der = NULL;
  long len = SSL_get_tlsext_status_ocsp_resp(c->ssl, &der);
  OCSP_RESPONSE *resp = NULL;
  OCSP_BASICRESP *basic = NULL;
  if (!der || len <= 0)
    return;
  f->stapled = 1;
  const unsigned char *p = der;
  if (!(resp = d2i_OCSP_RESPONSE(NULL, &p, len)))
    goto done;
  f->response_status = OCSP_response_status(resp);
  if (f->response_status != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
    f->parsed = 1;
    goto done;
  }
  if (!(basic = OCSP_response_get1_basic(resp)))
    goto done;
  f->parsed = 1;
  check_signer(c, basic, v);
  if (f->signature_bad || f->signer_untrusted)
    goto done;
  /* The chain verified: the leaf, then its issuer. */
  STACK_OF(X509) *chain = SSL_get0_verified_chain(c->ssl);
  OCSP_SINGLERESP *one =
      chain && sk_X509_num(chain) > 1
          ? entry_for(basic, sk_X509_value(chain, 0), sk_X509_value(chain, 1))
          : NULL;
  if (one && !entry_facts(one, now, f))
    f->parsed = 0; /* times that do not read */
done:
  if (!f->parsed && !v->words[0]) {
    struct ossl_errors e;
    drain_errors(&e);
    hr_copy_str(v->words, sizeof(v->words), e.text, strlen(e.text));
  }
  clear_errors();
  OCSP_BASICRESP_free(basic);
  OCSP_RESPONSE_free(resp);
}

/* OpenSSL's status callback: runs in the handshake once the chain is
 * verified, whether or not the server stapled anything. 0 fails the
 * handshake with a bad_certificate_status_response alert. */
static int status_cb(SSL *ssl, void *arg) {
  (void)arg;
  struct ossl_conn *c = SSL_get_app_data(ssl);
  if (!c)
    return -1;
  memset(&c->status, 0, sizeof(c->status));
  int64_t now = (int64_t)time(NULL);
  read_status(c, now, &c->status);
  if (hr_ocsp_judge(&c->status, now) == HR_OCSP_GOOD)
    return 1;
  c->status_refused = 1;
  return 0;
}

/* ---- trust store --------------------------------------------------------- */

/* hr_trust_add_fn: 1 when the certificate went into the store. */
static int add_cert_block(const struct hr_pem_block *b, void *ud) {
  X509_STORE *store = ud;
  X509 *x = cert_from_block(b);
  /* A duplicate (a hash link beside its file) is accepted by OpenSSL. */
  int added = x && X509_STORE_add_cert(store, x);
  X509_free(x);
  return added;
}

/* hr_crl_add_fn: 0 when the CRL went into the store. */
static int add_crl_block(const struct hr_pem_block *b, void *ud) {
  X509_STORE *store = ud;
  BIO *bio = BIO_new_mem_buf(b->begin, (int)b->len);
  X509_CRL *crl = bio ? PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL) : NULL;
  int added = crl && X509_STORE_add_crl(store, crl);
  X509_CRL_free(crl);
  BIO_free(bio);
  return added ? 0 : -1;
}

/* With CRLs OpenSSL wants one for every certificate of the chain
 * (CRL_CHECK_ALL); the rule on every provider is that a certificate whose
 * issuer has none passes, so that one error is forgiven. */
static int forgive_missing_crl(int ok, X509_STORE_CTX *sctx) {
  if (!ok && X509_STORE_CTX_get_error(sctx) == X509_V_ERR_UNABLE_TO_GET_CRL) {
    X509_STORE_CTX_set_error(sctx, X509_V_OK);
    return 1;
  }
  return ok;
}

/* The CRLs into the store (read with verification off too, as curl reads
 * them), and with verification the leaf and every intermediate checked
 * against them. */
static httpr_code setup_crls(struct ossl_ctx *ctx,
                             const struct hr_tls_settings *s,
                             httpr_error *err) {
  if (!s->crl_file)
    return HTTPR_OK;
  X509_STORE *store = SSL_CTX_get_cert_store(ctx->ssl_ctx);
  httpr_code rc = hr_crl_load(s->crl_file, add_crl_block, store, NULL, err);
  struct ossl_errors e;
  drain_errors(&e);
  if (rc != HTTPR_OK)
    return err->detail[0] ? rc : with_detail(err, &e);
  if (!s->verify)
    return HTTPR_OK;
  X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(ctx->ssl_ctx),
                              X509_V_FLAG_CRL_CHECK |
                                  X509_V_FLAG_CRL_CHECK_ALL);
  SSL_CTX_set_verify(ctx->ssl_ctx, SSL_VERIFY_PEER, forgive_missing_crl);
  return HTTPR_OK;
}

static httpr_code setup_verify(struct ossl_ctx *ctx,
                               const struct hr_tls_settings *s,
                               httpr_error *err) {
  if (!s->verify) {
    SSL_CTX_set_verify(ctx->ssl_ctx, SSL_VERIFY_NONE, NULL);
    return HTTPR_OK;
  }
  SSL_CTX_set_verify(ctx->ssl_ctx, SSL_VERIFY_PEER, NULL);
  SSL_CTX_set_cert_verify_callback(ctx->ssl_ctx, verify_chain, NULL);
  /* The policy's chain length: levels 1 to 8 are intermediates, the trust
   * anchor may be one more. */
  SSL_CTX_set_verify_depth(ctx->ssl_ctx, HR_POLICY_MAX_INTERMEDIATES);
  /* An intermediate in the trust store is a trust anchor, as in GnuTLS
   * and mbedTLS. */
  X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(ctx->ssl_ctx),
                              X509_V_FLAG_PARTIAL_CHAIN);
  X509_STORE *store = SSL_CTX_get_cert_store(ctx->ssl_ctx);
  httpr_code rc = hr_trust_load(&s->trust, add_cert_block, store, err);
  /* Blocks OpenSSL refused leave their reasons queued: the detail. */
  struct ossl_errors e;
  drain_errors(&e);
  if (rc != HTTPR_OK && !err->detail[0])
    with_detail(err, &e);
  return rc;
}

/* ---- client credentials -------------------------------------------------- */

/* STACK_OF() confuses clang-format; a plain name keeps the code readable. */
typedef STACK_OF(X509) x509_list;

static httpr_code wrong_password(httpr_error *err,
                                 const struct ossl_errors *e) {
  hr_creds_wrong_password(err);
  return with_detail(err, e);
}

/* Parses the sorted blocks: leaf, key (decrypted with password) and the
 * certificates after the leaf as its chain. */
static httpr_code parse_pem_creds(const struct hr_pem_creds *pc,
                                  const char *password, X509 **leaf,
                                  EVP_PKEY **key, x509_list *chain,
                                  httpr_error *err) {
  struct ossl_errors e;
  if (!(*leaf = cert_from_block(&pc->certs[0]))) {
    drain_errors(&e);
    hr_creds_cert_unparsable(err, pc->cert_path, 0);
    return with_detail(err, &e);
  }
  if (!(*key = key_from_block(&pc->key, password))) {
    drain_errors(&e);
    if (pc->key_encrypted)
      return wrong_password(err, &e);
    hr_creds_key_unparsable(err, pc->key_path);
    return with_detail(err, &e);
  }
  for (size_t i = 1; i < pc->cert_count; i++) {
    X509 *x = cert_from_block(&pc->certs[i]);
    if (!x || !sk_X509_push(chain, x)) {
      X509_free(x);
      drain_errors(&e);
      hr_creds_cert_unparsable(err, pc->cert_path, i);
      return with_detail(err, &e);
    }
  }
  return HTTPR_OK;
}

static httpr_code key_mismatch(httpr_error *err) {
  struct ossl_errors e;
  drain_errors(&e);
  hr_creds_key_mismatch(err);
  return with_detail(err, &e);
}

/* Installs a parsed certificate, key and extra chain certificates. */
static httpr_code use_credentials(SSL_CTX *ssl_ctx, X509 *leaf, EVP_PKEY *key,
                                  x509_list *chain, httpr_error *err) {
  struct ossl_errors e;
  if (X509_check_private_key(leaf, key) != 1)
    return key_mismatch(err);
  int ok = SSL_CTX_use_certificate(ssl_ctx, leaf) == 1 &&
           SSL_CTX_use_PrivateKey(ssl_ctx, key) == 1;
  for (int i = 0; ok && chain && i < sk_X509_num(chain); i++)
    ok = SSL_CTX_add1_chain_cert(ssl_ctx, sk_X509_value(chain, i)) == 1;
  if (ok && SSL_CTX_check_private_key(ssl_ctx) != 1)
    return key_mismatch(err);
  drain_errors(&e);
  if (!ok) {
    hr_fail(err, HTTPR_E_CLIENT_CERT,
            "the client certificate cannot be used: %s",
            reason_text(main_error(&e)));
    return with_detail(err, &e);
  }
  return HTTPR_OK;
}

static httpr_code load_pem_credentials(void *ssl_ctx,
                                       const struct hr_pem_creds *pc,
                                       const char *password, httpr_error *err) {
  X509 *leaf = NULL;
  EVP_PKEY *key = NULL;
  x509_list *chain = sk_X509_new_null();
  httpr_code rc = chain ? parse_pem_creds(pc, password, &leaf, &key, chain, err)
                        : hr_nomem(err);
  if (rc == HTTPR_OK)
    rc = use_credentials(ssl_ctx, leaf, key, chain, err);
  sk_X509_pop_free(chain, X509_free);
  EVP_PKEY_free(key);
  X509_free(leaf);
  return rc;
}

/* A password that does not open the file: a MAC that does not match, a
 * decryption whose padding check fails, or decrypted content that does not
 * decode (about one wrong password in 256 gets past the padding check, and
 * the garbage it lets by fails as "decode error"). A right password always
 * decrypts a valid file to content that parses, as in the other providers;
 * a file corrupted inside an encrypted part fails the same way. */
static int pkcs12_password_failed(const struct ossl_errors *e) {
  return has_error(e, ERR_LIB_PKCS12, PKCS12_R_MAC_VERIFY_FAILURE) ||
         has_error(e, ERR_LIB_PKCS12, PKCS12_R_PKCS12_CIPHERFINAL_ERROR) ||
         has_error(e, ERR_LIB_PKCS12, PKCS12_R_DECODE_ERROR);
}

static httpr_code pkcs12_unparsable(const struct hr_tls_settings *s,
                                    const struct ossl_errors *e,
                                    httpr_error *err) {
  hr_creds_pkcs12_unparsable(err, s->cert_path, reason_text(main_error(e)));
  return with_detail(err, e);
}

static httpr_code pkcs12_failed(const struct hr_tls_settings *s,
                                httpr_error *err) {
  struct ossl_errors e;
  drain_errors(&e);
  if (!pkcs12_password_failed(&e))
    return pkcs12_unparsable(s, &e, err);
  if (s->password && s->password[0])
    return wrong_password(err, &e);
  hr_creds_no_password(err, s->cert_path);
  return with_detail(err, &e);
}

/* OpenSSL 3.0's PKCS12_parse checks the MAC whenever a password is given,
 * even in a file that has none, and that check fails for every password.
 * Such a file gets a MAC here, under the password given, so that the
 * decryption alone tells whether the password is right. Without a
 * password PKCS12_parse skips the check itself. */
static int mac_for_parse(PKCS12 *p12, const char *password) {
  if (!password || PKCS12_mac_present(p12))
    return 1;
  return PKCS12_set_mac(p12, password, -1, NULL, 0, 1, NULL);
}

typedef STACK_OF(PKCS12_SAFEBAG) safebag_list;

/* Shrouded keys in bags (and bags of bags) from a decrypted part. */
static httpr_code count_inner_keys(const safebag_list *bags, const char *path,
                                   struct hr_kdf_scan *scan, int depth,
                                   httpr_error *err) {
  httpr_code rc = HTTPR_OK;
  for (int i = 0; rc == HTTPR_OK && i < sk_PKCS12_SAFEBAG_num(bags); i++) {
    const PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, i);
    int nid = PKCS12_SAFEBAG_get_nid(bag);
    if (nid == NID_safeContentsBag && depth < 8) {
      rc = count_inner_keys(PKCS12_SAFEBAG_get0_safes(bag), path, scan,
                            depth + 1, err);
    } else if (nid == NID_pkcs8ShroudedKeyBag) {
      unsigned char *der = NULL;
      int n = i2d_X509_SIG(PKCS12_SAFEBAG_get0_pkcs8(bag), &der);
      if (n > 0)
        rc = hr_creds_kdf_inner_key(path, der, (size_t)n, scan, err);
      OPENSSL_free(der);
    }
  }
  return rc;
}

/* Keys inside encrypted parts are out of hr_creds_read_pkcs12's sight:
 * each part is opened here, with the passwords PKCS12_parse tries, and
 * its keys counted before PKCS12_parse derives anything from them. A part
 * that does not open is left to PKCS12_parse's own error. */
static httpr_code check_inner_keys(PKCS12 *p12, const struct hr_tls_settings *s,
                                   struct hr_kdf_scan *scan, httpr_error *err) {
  /* PKCS12_parse's passwords: the one given, else none, then "". */
  const char *tries[2] = {NULL, ""};
  int n = 2;
  if (s->password && s->password[0]) {
    tries[0] = s->password;
    n = 1;
  }
  STACK_OF(PKCS7) *safes = PKCS12_unpack_authsafes(p12);
  httpr_code rc = HTTPR_OK;
  for (int i = 0; rc == HTTPR_OK && i < sk_PKCS7_num(safes); i++) {
    PKCS7 *p7 = sk_PKCS7_value(safes, i);
    if (OBJ_obj2nid(p7->type) != NID_pkcs7_encrypted)
      continue;
    safebag_list *bags = NULL;
    for (int t = 0; !bags && t < n; t++)
      bags = PKCS12_unpack_p7encdata(p7, tries[t], -1);
    rc = count_inner_keys(bags, s->cert_path, scan, 0, err);
    sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
  }
  sk_PKCS7_pop_free(safes, PKCS7_free);
  clear_errors();
  return rc;
}

/* Reads and parses a PKCS#12 file into its key, certificate and CAs. */
static httpr_code parse_pkcs12(const struct hr_tls_settings *s, EVP_PKEY **key,
                               X509 **leaf, x509_list **cas, httpr_error *err) {
  char *data = NULL;
  size_t len = 0;
  BIO *bio = NULL;
  PKCS12 *p12 = NULL;
  struct ossl_errors e;
  struct hr_kdf_scan scan;
  httpr_code rc = hr_creds_read_pkcs12(s->cert_path, &data, &len, &scan, err);
  if (rc != HTTPR_OK)
    return rc;
  if (!(bio = BIO_new_mem_buf(data, (int)len))) {
    rc = hr_nomem(err);
  } else if (!(p12 = d2i_PKCS12_bio(bio, NULL))) {
    drain_errors(&e);
    hr_fail(err, HTTPR_E_CLIENT_CERT,
            "client certificate file '%s' is not a PKCS#12 file", s->cert_path);
    rc = with_detail(err, &e);
  } else if ((rc = check_inner_keys(p12, s, &scan, err)) == HTTPR_OK) {
    if (!mac_for_parse(p12, s->password)) {
      drain_errors(&e); /* no MAC can be made: not the password's fault */
      rc = pkcs12_unparsable(s, &e, err);
    } else if (!PKCS12_parse(p12, s->password, key, leaf, cas)) {
      rc = pkcs12_failed(s, err);
    }
  }
  PKCS12_free(p12);
  BIO_free(bio);
  hr_wipe_free(data, len);
  return rc;
}

static httpr_code load_pkcs12_credentials(void *ssl_ctx,
                                          const struct hr_tls_settings *s,
                                          httpr_error *err) {
  EVP_PKEY *key = NULL;
  X509 *leaf = NULL;
  x509_list *cas = NULL;
  httpr_code rc = parse_pkcs12(s, &key, &leaf, &cas, err);
  if (rc != HTTPR_OK)
    goto done;
  if (!leaf)
    rc = hr_fail(err, HTTPR_E_CLIENT_CERT,
                 "client certificate file '%s' holds no certificate",
                 s->cert_path);
  else if (!key)
    rc = hr_fail(err, HTTPR_E_CLIENT_CERT, "no private key found in '%s'",
                 s->cert_path);
  else
    rc = use_credentials(ssl_ctx, leaf, key, cas, err);
done:
  sk_X509_pop_free(cas, X509_free);
  X509_free(leaf);
  EVP_PKEY_free(key);
  return rc;
}

static const struct hr_creds_loaders credential_loaders = {
    .pem = load_pem_credentials,
    .pkcs12 = load_pkcs12_credentials,
};

/* ---- context ------------------------------------------------------------- */

static int proto_version(int v) {
  return v == 12 ? TLS1_2_VERSION : v == 13 ? TLS1_3_VERSION : -1;
}

/* OpenSSL's protocol number as 10..13; 0 (no bound) stays 0. */
static int version_number(long proto) {
  return proto ? (int)(proto - TLS1_VERSION) + 10 : 0;
}

/* SSL_CTX_new applied the configuration's MinProtocol and MaxProtocol
 * (OPENSSL_CONF, the system_default section); they are the floor. */
static httpr_code setup_versions(struct ossl_ctx *ctx,
                                 const struct hr_tls_settings *s,
                                 httpr_error *err) {
  const struct hr_tls_policy policy = {
      .min = version_number(SSL_CTX_get_min_proto_version(ctx->ssl_ctx)),
      .max = version_number(SSL_CTX_get_max_proto_version(ctx->ssl_ctx)),
      .name = "the OpenSSL configuration",
  };
  httpr_code rc = hr_tls_versions(s, &policy, &ctx->base.min_version,
                                  &ctx->base.max_version, err);
  if (rc != HTTPR_OK)
    return rc;
  int min = proto_version(ctx->base.min_version);
  int max = ctx->base.max_version ? proto_version(ctx->base.max_version) : 0;
  if (SSL_CTX_set_min_proto_version(ctx->ssl_ctx, min) != 1 ||
      SSL_CTX_set_max_proto_version(ctx->ssl_ctx, max) != 1)
    return hr_fail(err, HTTPR_E_UNSUPPORTED,
                   "the openssl provider cannot use the TLS versions asked");
  return HTTPR_OK;
}

/* The configured groups, in their order; OpenSSL takes the IANA names. */
static httpr_code setup_groups(struct ossl_ctx *ctx,
                               const struct hr_tls_settings *s,
                               httpr_error *err) {
  enum hr_group want[HR_GROUPS_MAX];
  size_t n = 0;
  httpr_code rc = hr_tls_groups(s, want, &n, err);
  if (rc != HTTPR_OK || n == 0)
    return rc;
  static const char *const names[HR_GROUP_COUNT] = {
      [HR_GROUP_X25519] = "x25519",       [HR_GROUP_X448] = "x448",
      [HR_GROUP_SECP256R1] = "secp256r1", [HR_GROUP_SECP384R1] = "secp384r1",
      [HR_GROUP_SECP521R1] = "secp521r1", [HR_GROUP_FFDHE2048] = "ffdhe2048",
      [HR_GROUP_FFDHE3072] = "ffdhe3072", [HR_GROUP_FFDHE4096] = "ffdhe4096",
  };
  char list[HR_GROUPS_MAX * 12] = "";
  size_t used = 0;
  for (size_t i = 0; i < n; i++)
    used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
                             i ? ":" : "", names[want[i]]);
  if (SSL_CTX_set1_groups_list(ctx->ssl_ctx, list) != 1) {
    ERR_clear_error();
    return hr_tls_group_unsupported(err, "openssl", want[0]);
  }
  return HTTPR_OK;
}

/* Every handshake asks the server to staple its OCSP response, judged
 * by status_cb once the chain is verified. */
static void setup_cert_status(struct ossl_ctx *ctx,
                              const struct hr_tls_settings *s) {
  if (!s->cert_status)
    return;
  SSL_CTX_set_tlsext_status_type(ctx->ssl_ctx, TLSEXT_STATUSTYPE_ocsp);
  SSL_CTX_set_tlsext_status_cb(ctx->ssl_ctx, status_cb);
}

/* The suites of ssl_ctx by code point, in its order, up to cap. */
static size_t suites_of(SSL_CTX *ssl_ctx, uint16_t *ids, size_t cap) {
  STACK_OF(SSL_CIPHER) *list = SSL_CTX_get_ciphers(ssl_ctx);
  size_t n = 0;
  for (int i = 0; i < sk_SSL_CIPHER_num(list) && n < cap; i++)
    ids[n++] = SSL_CIPHER_get_protocol_id(sk_SSL_CIPHER_value(list, i));
  return n;
}

static size_t ossl_cipher_suites(uint16_t *ids, size_t cap) {
  SSL_CTX *probe = SSL_CTX_new(TLS_client_method());
  size_t n = probe ? suites_of(probe, ids, cap) : 0;
  SSL_CTX_free(probe);
  ERR_clear_error();
  return n;
}

/* names joined by ':' into out: OpenSSL's names at TLS 1.2, where
 * OpenSSL has its own, the IANA names at TLS 1.3, which it takes. */
static void suite_list(char *out, size_t cap,
                       const struct hr_suite *const *suites, size_t n) {
  size_t used = 0;
  out[0] = '\0';
  for (size_t i = 0; i < n && used < cap; i++)
    used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? ":" : "",
                             suites[i]->openssl ? suites[i]->openssl
                                                : suites[i]->iana);
}

/* The configured suites, in their order, among those SSL_CTX_new left
 * (the OpenSSL configuration's CipherString and Ciphersuites, or the
 * library's defaults): the system's choice is a floor. */
static httpr_code setup_ciphers(struct ossl_ctx *ctx,
                                const struct hr_tls_settings *s,
                                httpr_error *err) {
  uint16_t allowed[HR_SUITES_MAX];
  size_t n_allowed = suites_of(ctx->ssl_ctx, allowed, HR_SUITES_MAX);
  const struct hr_suite *v12[HR_SUITES_MAX], *v13[HR_SUITES_MAX];
  size_t n12 = 0, n13 = 0;
  httpr_code rc = hr_tls_suites(s->ciphers, 12, "openssl", allowed, n_allowed,
                                v12, &n12, err);
  if (rc == HTTPR_OK)
    rc = hr_tls_suites(s->tls13_ciphers, 13, "openssl", allowed, n_allowed,
                       v13, &n13, err);
  if (rc != HTTPR_OK)
    return rc;
  char list[HR_SUITES_MAX * 48];
  suite_list(list, sizeof(list), v12, n12);
  if (n12 && SSL_CTX_set_cipher_list(ctx->ssl_ctx, list) != 1)
    return hr_fail(err, HTTPR_E_UNSUPPORTED,
                   "the openssl provider cannot use the cipher suites asked");
  suite_list(list, sizeof(list), v13, n13);
  if (n13 && SSL_CTX_set_ciphersuites(ctx->ssl_ctx, list) != 1)
    return hr_fail(err, HTTPR_E_UNSUPPORTED,
                   "the openssl provider cannot use the cipher suites asked");
  return HTTPR_OK;
}

/* A renegotiation (TLS 1.2 HelloRequest) or a post-handshake
 * CertificateRequest (TLS 1.3) on an HTTP/2 connection, which RFC 9113
 * 9.2.1 and RFC 8740 forbid: noted here, and the read that brought it
 * fails. Called on state changes only, never per record. */
static void info_cb(const SSL *ssl, int where, int ret) {
  (void)ret;
  struct ossl_conn *c = SSL_get_app_data(ssl);
  if (!(where & SSL_CB_LOOP) || !c || !c->handshaken || !c->h2)
    return;
  OSSL_HANDSHAKE_STATE st = SSL_get_state(ssl);
  if (st == TLS_ST_CR_CERT_REQ || st == TLS_ST_CR_HELLO_REQ)
    c->late_auth_on_h2 = 1;
}

static void keylog_cb(const SSL *ssl, const char *line) {
  const struct ossl_ctx *ctx = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
  if (ctx && ctx->base.keylog)
    hr_keylog_write_line(ctx->base.keylog, line);
}

/* Client sessions are resumable (tickets stay on, the OpenSSL default) but
 * never stored in the SSL_CTX: the pool keeps one per host and settings,
 * and a context-wide store would only grow. Client caching on also makes
 * OpenSSL mark a TLS 1.3 session not resumable once a handshake used it:
 * a ticket is used once (RFC 8446 C.4), and a resumed connection exports
 * only the fresh ticket the server sends after it. */
static void setup_session_cache(SSL_CTX *ssl_ctx) {
  SSL_CTX_set_session_cache_mode(ssl_ctx, SSL_SESS_CACHE_CLIENT |
                                              SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_clear_options(ssl_ctx, SSL_OP_NO_TICKET);
}

static void ossl_context_free(void *vctx) {
  struct ossl_ctx *ctx = vctx;
  if (!ctx)
    return;
  SSL_CTX_free(ctx->ssl_ctx);
  free(ctx);
}

static httpr_code ossl_context_new(const struct hr_tls_settings *s, void **out,
                                   httpr_error *err) {
  struct ossl_errors e;
  httpr_code rc = HTTPR_OK;
  *out = NULL;
  ERR_clear_error();
  struct ossl_ctx *ctx = calloc(1, sizeof(*ctx));
  if (!ctx || !(ctx->ssl_ctx = SSL_CTX_new(TLS_client_method()))) {
    rc = hr_nomem(err);
    goto done;
  }
  hr_tls_ctx_base_init(&ctx->base, s);
  SSL_CTX_set_app_data(ctx->ssl_ctx, ctx);
  /* AUTO_RETRY stays on: with a non-blocking BIO it makes SSL_read go past
   * records without application data (TLS 1.3 session tickets) and
   * return WANT_READ only when the socket has nothing more. */
  SSL_CTX_set_mode(ctx->ssl_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
                                     SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                                     SSL_MODE_AUTO_RETRY);
  /* The system's configuration (OPENSSL_CONF) may raise the security
   * level, never lower it below the policy's level 2 (112-bit keys). */
  if (SSL_CTX_get_security_level(ctx->ssl_ctx) < 2)
    SSL_CTX_set_security_level(ctx->ssl_ctx, 2);
  if ((rc = setup_versions(ctx, s, err)) != HTTPR_OK ||
      (rc = setup_groups(ctx, s, err)) != HTTPR_OK ||
      (rc = setup_ciphers(ctx, s, err)) != HTTPR_OK ||
      (rc = setup_verify(ctx, s, err)) != HTTPR_OK ||
      (rc = setup_crls(ctx, s, err)) != HTTPR_OK ||
      (rc = hr_creds_setup(s, &credential_loaders, ctx->ssl_ctx, err)) !=
          HTTPR_OK)
    goto done;
  if (s->alpn && (s->alpn_len > 0xffff ||
                  SSL_CTX_set_alpn_protos(ctx->ssl_ctx, s->alpn,
                                          (unsigned)s->alpn_len) != 0)) {
    drain_errors(&e);
    hr_fail(err, HTTPR_E_INVALID, "the ALPN protocol list is invalid");
    rc = with_detail(err, &e);
    goto done;
  }
  if (s->keylog)
    SSL_CTX_set_keylog_callback(ctx->ssl_ctx, keylog_cb);
  setup_cert_status(ctx, s);
  setup_session_cache(ctx->ssl_ctx);
  /* A server may ask for our certificate after the handshake: TLS 1.3
   * post-handshake authentication, offered in every ClientHello (as curl
   * does), and TLS 1.2 renegotiation, which OpenSSL allows only with RFC
   * 5746 support (a server without it fails the first handshake). */
  SSL_CTX_set_post_handshake_auth(ctx->ssl_ctx, 1);
  SSL_CTX_set_info_callback(ctx->ssl_ctx, info_cb);
done:
  ERR_clear_error();
  if (rc != HTTPR_OK) {
    ossl_context_free(ctx);
    return rc;
  }
  *out = ctx;
  return HTTPR_OK;
}

/* ---- the transport BIO --------------------------------------------------- */

/* A failure is recorded in c->io for status_of; OpenSSL only sees 0. */
static int bio_write(BIO *b, const char *buf, size_t len, size_t *put) {
  struct ossl_conn *c = BIO_get_data(b);
  BIO_clear_retry_flags(b);
  enum hr_io_result r = hr_io_send(&c->io, buf, len, put);
  if (r == HR_IO_BLOCKED)
    BIO_set_retry_write(b);
  return r == HR_IO_MOVED;
}

static int bio_read(BIO *b, char *buf, size_t len, size_t *got) {
  struct ossl_conn *c = BIO_get_data(b);
  BIO_clear_retry_flags(b);
  enum hr_io_result r = hr_io_recv(&c->io, buf, len, got);
  if (r == HR_IO_BLOCKED)
    BIO_set_retry_read(b);
  return r == HR_IO_MOVED;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr) {
  struct ossl_conn *c = BIO_get_data(b);
  (void)num;
  (void)ptr;
  switch (cmd) {
  case BIO_CTRL_FLUSH:
    return 1; /* nothing is buffered here */
  case BIO_CTRL_EOF:
    /* Lets OpenSSL tell an end of stream without close_notify
     * (SSL_R_UNEXPECTED_EOF_WHILE_READING) from an I/O error. */
    return c && c->io.eof;
  default:
    return 0;
  }
}

static pthread_once_t bio_once = PTHREAD_ONCE_INIT;
static BIO_METHOD *bio_method; /* the only global: made once, never freed */

static void make_bio_method(void) {
  BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
                               "httpr transport");
  if (m && BIO_meth_set_write_ex(m, bio_write) &&
      BIO_meth_set_read_ex(m, bio_read) && BIO_meth_set_ctrl(m, bio_ctrl))
    bio_method = m;
  else
    BIO_meth_free(m);
}

/* ---- connections --------------------------------------------------------- */

static void ossl_connection_free(void *vconn) {
  struct ossl_conn *c = vconn;
  if (!c)
    return;
  SSL_free(c->ssl); /* frees the BIO */
  OPENSSL_free(c->peer_der);
  free(c->host);
  free(c->name);
  free(c);
}

/* SNI for one host; name has no trailing dot. The connection takes the
 * name for the identity check when verification asks for one. 0 when
 * OpenSSL refuses the name. */
static int set_identity(struct ossl_conn *c, char **name) {
  unsigned char addr[16];
  /* RFC 6066: an IP literal is never sent as SNI. */
  if (!hr_ip_literal(*name, addr) &&
      SSL_set_tlsext_host_name(c->ssl, *name) != 1)
    return 0;
  if (c->ctx->base.verify && c->ctx->base.verify_hostname) {
    c->name = *name;
    *name = NULL;
  }
  return 1;
}

/* Gives the connection its transport BIO; 0 when out of memory. */
static int attach_bio(struct ossl_conn *c) {
  BIO *bio = bio_method ? BIO_new(bio_method) : NULL;
  if (!bio)
    return 0;
  BIO_set_data(bio, c);
  BIO_set_init(bio, 1);
  SSL_set_bio(c->ssl, bio, bio); /* the SSL owns it from here */
  return 1;
}

static httpr_code ossl_connection_new(void *vctx, const char *host,
                                      const struct hr_tls_io *io, void **out,
                                      httpr_error *err) {
  const struct ossl_ctx *ctx = vctx;
  struct ossl_errors e;
  char *name = NULL;
  httpr_code rc = HTTPR_OK;
  *out = NULL;
  if ((rc = hr_tls_conn_check(ctx, host, io, err)) != HTTPR_OK)
    return rc;
  pthread_once(&bio_once, make_bio_method);
  clear_errors();
  struct ossl_conn *c = calloc(1, sizeof(*c));
  if (!c || hr_tls_conn_names(host, &c->host, &name) != 0 ||
      !(c->ssl = SSL_new(ctx->ssl_ctx)) || !attach_bio(c)) {
    rc = hr_nomem(err);
    goto done;
  }
  c->ctx = ctx;
  c->io.io = *io;
  SSL_set_app_data(c->ssl, c); /* for verify_chain */
  SSL_set_connect_state(c->ssl);
  if (!set_identity(c, &name)) {
    drain_errors(&e);
    hr_tls_host_unusable(err, host);
    rc = with_detail(err, &e);
  }
done:
  clear_errors();
  free(name);
  if (rc != HTTPR_OK) {
    ossl_connection_free(c);
    return rc;
  }
  *out = c;
  return HTTPR_OK;
}

/* ---- mapping results ----------------------------------------------------- */

struct verify_name {
  long code;
  const char *name;
  enum hr_verify_reason reason;
};

#define VERIFY(code, reason)                                                   \
  { code, #code, reason }

static const struct verify_name verify_names[] = {
    VERIFY(X509_V_ERR_CERT_HAS_EXPIRED, HR_VERIFY_EXPIRED),
    VERIFY(X509_V_ERR_CERT_NOT_YET_VALID, HR_VERIFY_NOT_YET_VALID),
    VERIFY(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
           HR_VERIFY_UNKNOWN_ISSUER),
    VERIFY(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, HR_VERIFY_UNKNOWN_ISSUER),
    VERIFY(X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE,
           HR_VERIFY_UNKNOWN_ISSUER),
    VERIFY(X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, HR_VERIFY_SELF_SIGNED),
    VERIFY(X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
           HR_VERIFY_SELF_SIGNED_IN_CHAIN),
    VERIFY(X509_V_ERR_HOSTNAME_MISMATCH, HR_VERIFY_HOSTNAME),
    VERIFY(X509_V_ERR_IP_ADDRESS_MISMATCH, HR_VERIFY_HOSTNAME),
    VERIFY(X509_V_ERR_INVALID_PURPOSE, HR_VERIFY_BAD_PURPOSE),
    VERIFY(X509_V_ERR_CERT_SIGNATURE_FAILURE, HR_VERIFY_BAD_SIGNATURE),
    VERIFY(X509_V_ERR_CERT_REVOKED, HR_VERIFY_REVOKED),
    VERIFY(X509_V_ERR_CRL_HAS_EXPIRED, HR_VERIFY_CRL_EXPIRED),
    VERIFY(X509_V_ERR_CRL_NOT_YET_VALID, HR_VERIFY_CRL_NOT_YET_VALID),
    VERIFY(X509_V_ERR_INVALID_CA, HR_VERIFY_INVALID_CA),
    VERIFY(X509_V_ERR_EE_KEY_TOO_SMALL, HR_VERIFY_INSECURE),
    VERIFY(X509_V_ERR_CA_KEY_TOO_SMALL, HR_VERIFY_INSECURE),
    VERIFY(X509_V_ERR_CA_MD_TOO_WEAK, HR_VERIFY_INSECURE),
    VERIFY(X509_V_ERR_EC_KEY_EXPLICIT_PARAMS, HR_VERIFY_INSECURE),
    VERIFY(X509_V_ERR_CERT_CHAIN_TOO_LONG, HR_VERIFY_CHAIN_TOO_LONG),
    VERIFY(X509_V_ERR_PATH_LENGTH_EXCEEDED, HR_VERIFY_PATH_LENGTH),
    VERIFY(X509_V_ERR_KEYUSAGE_NO_CERTSIGN, HR_VERIFY_INVALID_CA),
    VERIFY(X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION,
           HR_VERIFY_CRITICAL_EXTENSION),
    VERIFY(X509_V_ERR_PERMITTED_VIOLATION, HR_VERIFY_NC_PERMITTED),
    VERIFY(X509_V_ERR_EXCLUDED_VIOLATION, HR_VERIFY_NC_EXCLUDED),
    VERIFY(X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE, HR_VERIFY_NC_UNSUPPORTED),
    VERIFY(X509_V_ERR_UNSUPPORTED_CONSTRAINT_SYNTAX, HR_VERIFY_NC_UNSUPPORTED),
    VERIFY(X509_V_ERR_UNSUPPORTED_NAME_SYNTAX, HR_VERIFY_NC_UNSUPPORTED),
    VERIFY(X509_V_ERR_SUBTREE_MINMAX, HR_VERIFY_NC_UNSUPPORTED),
};

/* The verification facts: the shared policy's verdict, or OpenSSL's
 * result with its name (detail, cap bytes) in OpenSSL's words. */
static void verify_facts(const struct ossl_conn *c, long result,
                         struct hr_tls_facts *f, char *detail, size_t cap) {
  if (result == X509_V_ERR_APPLICATION_VERIFICATION && c->policy_refused) {
    f->verify_failed = 1;
    f->policy = &c->verdict;
    return;
  }
  const char *text = X509_verify_cert_error_string(result);
  const struct verify_name *known = NULL;
  for (size_t i = 0; i < sizeof(verify_names) / sizeof(verify_names[0]); i++) {
    if (verify_names[i].code == result)
      known = &verify_names[i];
  }
  hr_tls_refused(f, known ? known->reason : HR_VERIFY_OTHER);
  f->verify_text = text;
  f->verify_detail = detail;
  if (known)
    snprintf(detail, cap, "openssl: %s (%ld): %s", known->name, result, text);
  else
    snprintf(detail, cap, "openssl: verify error %ld: %s", result, text);
}

static int is_version_failure(int reason) {
  return reason == SSL_R_UNSUPPORTED_PROTOCOL ||
         reason == SSL_R_NO_PROTOCOLS_AVAILABLE ||
         reason == SSL_R_TLSV1_ALERT_PROTOCOL_VERSION;
}

/* A fatal alert received from the peer is recorded with the reason
 * SSL_AD_REASON_OFFSET + its number. */
static int received_alert(int reason) {
  if (reason >= SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256)
    return reason - SSL_AD_REASON_OFFSET;
  return -1;
}

/* Maps the result of an SSL call that did not complete. */
static enum hr_tls_status status_of(struct ossl_conn *c, int ret,
                                    enum hr_tls_op op, httpr_error *err) {
  int kind = SSL_get_error(c->ssl, ret);
  /* The common outcomes leave nothing in the queue (begin_call emptied
   * it): no need to drain it. */
  switch (kind) {
  case SSL_ERROR_WANT_READ:
    return HR_TLS_WANT_READ;
  case SSL_ERROR_WANT_WRITE:
    return HR_TLS_WANT_WRITE;
  case SSL_ERROR_ZERO_RETURN:
    clear_errors();
    return HR_TLS_CLOSED;
  default:
    break;
  }
  struct ossl_errors e;
  char verify_detail[sizeof(err->detail)];
  drain_errors(&e);
  c->failed = 1;
  unsigned long code = main_error(&e);
  int reason = ERR_GET_LIB(code) == ERR_LIB_SSL ? ERR_GET_REASON(code) : 0;
  /* OpenSSL's own word for an end without close_notify; else a stream
   * that ended when OpenSSL recorded no error of its own. */
  int closed = reason == SSL_R_UNEXPECTED_EOF_WHILE_READING ||
               (!(kind == SSL_ERROR_SSL && code) && c->io.eof);
  struct hr_tls_facts f;
  hr_tls_facts_init(&f, op, c->host, &c->ctx->base, &c->io);
  f.io_with_detail = 1; /* the queue says what OpenSSL made of it */
  f.peer_closed = closed;
  f.alert = closed ? -1 : received_alert(reason);
  f.version_failure = !closed && is_version_failure(reason);
  f.no_secure_renegotiation = reason == SSL_R_UNSAFE_LEGACY_RENEGOTIATION_DISABLED;
  f.late_auth_on_h2 = c->late_auth_on_h2;
  f.lib_reason = reason_text(code);
  f.lib_detail = e.text;
  f.report = c->report;
  long result = SSL_get_verify_result(c->ssl);
  if (op == HR_TLS_OP_HANDSHAKE && c->ctx->base.verify && result != X509_V_OK)
    verify_facts(c, result, &f, verify_detail, sizeof(verify_detail));
  if (op == HR_TLS_OP_HANDSHAKE && c->status_refused)
    f.cert_status = &c->status;
  hr_tls_decide(&f, err);
  return HR_TLS_ERROR;
}

/* Each call starts from an empty error queue and fresh I/O state, as
 * SSL_get_error requires. */
static void begin_call(struct ossl_conn *c) {
  clear_errors();
  hr_io_begin(&c->io);
}

static enum hr_tls_status ossl_handshake(void *vconn, httpr_error *err) {
  struct ossl_conn *c = vconn;
  begin_call(c);
  int ret = SSL_do_handshake(c->ssl);
  if (ret == 1) {
    c->handshaken = 1;
    const unsigned char *alpn = NULL;
    unsigned alpn_len = 0;
    SSL_get0_alpn_selected(c->ssl, &alpn, &alpn_len);
    c->h2 = alpn_len == 2 && memcmp(alpn, "h2", 2) == 0;
    if (c->h2) /* a HelloRequest is then declined, not followed */
      SSL_set_options(c->ssl, SSL_OP_NO_RENEGOTIATION);
    return HR_TLS_DONE;
  }
  return status_of(c, ret, HR_TLS_OP_HANDSHAKE, err);
}

/* The read that brought a forbidden request on HTTP/2 (info_cb) fails. */
static enum hr_tls_status late_auth_refused(struct ossl_conn *c,
                                            httpr_error *err) {
  struct hr_tls_facts f;
  c->failed = 1;
  hr_tls_facts_init(&f, HR_TLS_OP_READ, c->host, &c->ctx->base, &c->io);
  f.late_auth_on_h2 = 1;
  hr_tls_decide(&f, err);
  return HR_TLS_ERROR;
}

static enum hr_tls_status ossl_read(void *vconn, void *buf, size_t cap,
                                    size_t *got, httpr_error *err) {
  struct ossl_conn *c = vconn;
  *got = 0;
  if (cap == 0)
    return HR_TLS_DONE;
  begin_call(c);
  int ret = SSL_read_ex(c->ssl, buf, cap, got);
  if (ret == 1 && !c->late_auth_on_h2)
    return HR_TLS_DONE;
  *got = 0;
  if (c->late_auth_on_h2)
    return late_auth_refused(c, err);
  return status_of(c, ret, HR_TLS_OP_READ, err);
}

static enum hr_tls_status ossl_write(void *vconn, const void *buf, size_t len,
                                     size_t *put, httpr_error *err) {
  struct ossl_conn *c = vconn;
  *put = 0;
  if (len == 0)
    return HR_TLS_DONE;
  begin_call(c);
  int ret = SSL_write_ex(c->ssl, buf, len, put);
  if (ret == 1 && !c->io.send_broken)
    return HR_TLS_DONE;
  *put = 0;
  if (ret == 1)
    return hr_tls_broken_send(c->host, &c->ctx->base, &c->io, err);
  return status_of(c, ret, HR_TLS_OP_WRITE, err);
}

static enum hr_tls_status ossl_shutdown(void *vconn, httpr_error *err) {
  struct ossl_conn *c = vconn;
  /* Nothing to close after a fatal error or before a handshake; OpenSSL
   * forbids SSL_shutdown then. */
  if (!c->handshaken || c->failed)
    return HR_TLS_DONE;
  begin_call(c);
  int ret = SSL_shutdown(c->ssl);
  if (ret >= 0) { /* 0: ours sent; 1: the peer's received as well */
    clear_errors();
    return HR_TLS_DONE;
  }
  return status_of(c, ret, HR_TLS_OP_SHUTDOWN, err);
}

/* ---- negotiated parameters ----------------------------------------------- */

static void print_name(char *dst, size_t cap, const X509_NAME *name) {
  BIO *bio = BIO_new(BIO_s_mem());
  char *text = NULL;
  if (bio && X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0) {
    long n = BIO_get_mem_data(bio, &text);
    if (n > 0)
      hr_copy_str(dst, cap, text, (size_t)n);
  }
  BIO_free(bio);
}

static void ossl_info(void *vconn, struct hr_tls_info *out) {
  const struct ossl_conn *c = vconn;
  const unsigned char *alpn = NULL;
  unsigned alpn_len = 0;
  const char *s;
  memset(out, 0, sizeof(*out));
  if ((s = SSL_get_version(c->ssl)))
    hr_copy_str(out->version, sizeof(out->version), s, strlen(s));
  /* The IANA name, which every provider can give, not OpenSSL's own. */
  const SSL_CIPHER *cipher = SSL_get_current_cipher(c->ssl);
  if (cipher && (s = SSL_CIPHER_standard_name(cipher)))
    hr_copy_str(out->cipher, sizeof(out->cipher), s, strlen(s));
  SSL_get0_alpn_selected(c->ssl, &alpn, &alpn_len);
  if (alpn)
    hr_copy_str(out->alpn, sizeof(out->alpn), (const char *)alpn, alpn_len);
  /* SSL_group_to_name gives the IANA name ("secp256r1", not OpenSSL's
   * "prime256v1"). */
  int group = SSL_get_negotiated_group(c->ssl);
  if (group > 0 && (s = SSL_group_to_name(c->ssl, group)))
    hr_copy_str(out->group, sizeof(out->group), s, strlen(s));
  X509 *peer = SSL_get0_peer_certificate(c->ssl);
  if (peer) {
    print_name(out->subject, sizeof(out->subject), X509_get_subject_name(peer));
    print_name(out->issuer, sizeof(out->issuer), X509_get_issuer_name(peer));
  }
  out->resumed = SSL_session_reused(c->ssl) == 1;
  clear_errors();
}

/* ---- for public key pinning --------------------------------------------- */

/* OpenSSL hands out the certificate, not its DER: encoded once, kept with
 * the connection. */
static int ossl_peer_certificate(void *vconn, const unsigned char **der,
                                 size_t *len) {
  struct ossl_conn *c = vconn;
  if (!c->peer_der) {
    X509 *peer = SSL_get0_peer_certificate(c->ssl);
    unsigned char *out = NULL;
    int n = peer ? i2d_X509(peer, &out) : -1;
    if (n <= 0) {
      OPENSSL_free(out);
      clear_errors();
      return -1;
    }
    c->peer_der = out;
    c->peer_der_len = (size_t)n;
  }
  *der = c->peer_der;
  *len = c->peer_der_len;
  return 0;
}

static int ossl_sha256(const void *data, size_t len, unsigned char out[32]) {
  int ok = EVP_Digest(data, len, out, NULL, EVP_sha256(), NULL) == 1;
  clear_errors();
  return ok ? 0 : -1;
}

/* ---- session resumption -------------------------------------------------- */

/* A session is resumable once it holds a TLS 1.2 session id or ticket, or
 * a TLS 1.3 ticket: before one arrives, or once a handshake used it (see
 * setup_session_cache), OpenSSL says it is not. The SSL_SESSION object is
 * kept, not serialized: decoding a serialized one costs a decode of the
 * server's certificate and key (about 1.5 M instructions) on every
 * resumption. */
static void *ossl_session_export(void *vconn) {
  struct ossl_conn *c = vconn;
  /* Before the handshake the session is at most the imported one. */
  SSL_SESSION *s =
      c->handshaken && !c->failed ? SSL_get0_session(c->ssl) : NULL;
  if (!s || !SSL_SESSION_is_resumable(s))
    return NULL;
  /* A copy (the certificates in it are shared, not copied): OpenSSL marks
   * the connection's own session unresumable when the connection is freed
   * without close_notify, which must not take the saved one with it. */
  SSL_SESSION *copy = SSL_SESSION_dup(s);
  clear_errors();
  return copy;
}

static int ossl_session_import(void *vconn, void *session) {
  struct ossl_conn *c = vconn;
  SSL_SESSION *s = session;
  int offered = !c->handshaken && s && SSL_SESSION_is_resumable(s) &&
                SSL_set_session(c->ssl, s) == 1; /* takes its own reference */
  clear_errors();
  return offered ? 0 : -1;
}

static void ossl_session_free(void *session) { SSL_SESSION_free(session); }

static void ossl_set_report(void *vconn, struct httpr_verify_report *r) {
  struct ossl_conn *c = vconn;
  c->report = r;
}

/* ---- the provider -------------------------------------------------------- */

/* What setup_groups can offer, for the capability query. */
static const char *const offered_groups[] = {"x25519", "x448", "secp256r1", "secp384r1", "secp521r1", "ffdhe2048", "ffdhe3072", "ffdhe4096", NULL};

const struct hr_tls_provider hr_provider_openssl = {
    .name = "openssl",
    .features = HTTPR_FEATURE_TLS13 | HTTPR_FEATURE_TLS12 |
                HTTPR_FEATURE_CA_DIR | HTTPR_FEATURE_PKCS12 |
                HTTPR_FEATURE_ENCRYPTED_KEY | HTTPR_FEATURE_KEYLOG |
                HTTPR_FEATURE_ALPN | HTTPR_FEATURE_SYSTEM_STORE |
                HTTPR_FEATURE_SESSION_RESUME | HTTPR_FEATURE_PEER_CRITICAL_NC |
                HTTPR_FEATURE_POST_HANDSHAKE_AUTH | HTTPR_FEATURE_RENEGOTIATION |
                HTTPR_FEATURE_TLS_GROUP | HTTPR_FEATURE_CERT_STATUS |
                HTTPR_FEATURE_EXACT_CIPHERS,
    .library_version = ossl_library_version,
    .global_init = ossl_global_init,
    .global_cleanup = ossl_global_cleanup,
    .context_new = ossl_context_new,
    .context_free = ossl_context_free,
    .connection_new = ossl_connection_new,
    .connection_free = ossl_connection_free,
    .handshake = ossl_handshake,
    .read = ossl_read,
    .write = ossl_write,
    .shutdown = ossl_shutdown,
    .info = ossl_info,
    .session_export = ossl_session_export,
    .session_import = ossl_session_import,
    .session_free = ossl_session_free,
    .groups = offered_groups,
    .cipher_suites = ossl_cipher_suites,
    .set_report = ossl_set_report,
    .peer_certificate = ossl_peer_certificate,
    .sha256 = ossl_sha256,
};
