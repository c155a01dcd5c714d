/* SPDX-License-Identifier: MIT */
/*
 * gnutls.c - the GnuTLS provider: builds one certificate credential and one
 * priority cache per client (trust store parsed once, client credentials,
 * versions, ALPN), runs non-blocking client sessions over the transport's
 * I/O callbacks, verifies the server during the handshake with the shared
 * identity rules, and maps GnuTLS's results onto the shared error wording.
 * The only file of the library that includes GnuTLS headers.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/ocsp.h>
#include <gnutls/pkcs12.h>
#include <gnutls/x509.h>

#include "backends/provider.h"
#include "backends/provider_services.h"
#include "backends/gnutls_suites.h"

/* ---- types --------------------------------------------------------------- */

/* The client certificate chain (leaf first) and its key, as GnuTLS hands
 * them to the server. */
struct client_cred {
  gnutls_pcert_st *pcerts;
  unsigned count;
  gnutls_privkey_t key;
};

struct gt_ctx {
  gnutls_certificate_credentials_t creds; /* trust list */
  gnutls_priority_t priority;             /* the versions asked for */
  struct client_cred client;              /* count 0: none */
  gnutls_datum_t *alpn;                   /* protocols, pointing into */
  unsigned char *alpn_data;               /* this copy of the wire list */
  unsigned alpn_count;
  struct hr_tls_ctx_base base; /* verify, key log, versions */
  int cert_status;             /* a good stapled OCSP response required */
  /* Trust anchors' DER by subject, for the shared policy: GnuTLS hands
   * out a trusted certificate only as a copy, parsed again on every
   * lookup (a sixtieth of a handshake). The trust list never changes, so
   * an entry, once made, stays valid as long as the context. */
  pthread_mutex_t anchors_lock;
  struct {
    gnutls_datum_t dn, der;
  } anchors[16];
  size_t anchor_count;
  /* The CRL file's CRLs by issuer, with their dates: GnuTLS checks what
   * a CRL lists but not whether it is in date. */
  struct crl_date {
    gnutls_datum_t issuer; /* the issuer Name, DER */
    time_t this_update;
    time_t next_update; /* (time_t)-1: none */
  } *crls;
  size_t crl_count;
};

/* What the verify callback found wrong with the server's certificate. */
struct verdict {
  int failed;
  enum hr_verify_reason reason;
  int code;        /* a GnuTLS error when verification itself failed */
  unsigned status; /* gnutls_certificate_status_t bits otherwise */
  char text[192];  /* GnuTLS's words for it */
  int policy;      /* the shared policy decided the reason */
  char why[160];   /* and this is why */
};

struct gt_conn {
  const struct gt_ctx *ctx;
  gnutls_session_t session;
  struct hr_io_state io; /* the transport, and what it last did */
  char *host;            /* as given, for messages */
  char *name;            /* without a trailing dot: identity check */
  int handshaken;
  int h2;          /* ALPN selected h2 */
  int again;       /* the server asked to authenticate us again:
                      GNUTLS_E_REAUTH_REQUEST or GNUTLS_E_REHANDSHAKE until
                      that exchange is done; 0 */
  int failed;      /* a fatal error happened: no close_notify may follow */
  struct verdict verdict;
  int status_refused;            /* the certificate status check refused */
  struct hr_ocsp_verdict status; /* why, when it did */
  struct httpr_verify_report *report; /* the core's, when it asked */
};

/* ---- GnuTLS's words ------------------------------------------------------ */

/* "gnutls: GNUTLS_E_NAME (-n): text", the detail of most failures. */
static void detail_text(char *out, size_t cap, int code) {
  const char *name = gnutls_strerror_name(code);
  snprintf(out, cap, "gnutls: %s (%d): %s", name ? name : "GNUTLS_E_?", code,
           gnutls_strerror(code));
}

static httpr_code with_detail(httpr_error *err, int code) {
  return hr_tls_with_detail(err, detail_text, code);
}

/* ---- provider lifetime --------------------------------------------------- */

static pthread_once_t version_once = PTHREAD_ONCE_INIT;
static char version_text[64]; /* written once, then only read */

static void make_version_text(void) {
  const char *v = gnutls_check_version(NULL);
  snprintf(version_text, sizeof(version_text), "GnuTLS %s", v ? v : "?");
}

static const char *gt_library_version(void) {
  pthread_once(&version_once, make_version_text);
  return version_text;
}

/* gnutls_global_init is reference-counted by GnuTLS itself, so a host
 * program's own init and deinit stay balanced around ours. */
static httpr_code gt_global_init(httpr_error *err) {
  int ret = gnutls_global_init();
  if (ret < 0) {
    hr_fail(err, HTTPR_E_BACKEND, "the gnutls provider cannot be initialised");
    return with_detail(err, ret);
  }
  return HTTPR_OK;
}

static void gt_global_cleanup(void) { gnutls_global_deinit(); }

/* ---- trust store --------------------------------------------------------- */

struct trust_load {
  gnutls_certificate_credentials_t creds;
  int last_error; /* of a block GnuTLS refused, for the detail */
};

/* Block by block, so one bad block is skipped as OpenSSL skips it instead
 * of failing the whole file. */
static int add_cert_block(const struct hr_pem_block *b, void *ud) {
  struct trust_load *t = ud;
  /* hr_file_read bounds the length (64 MiB): it fits GnuTLS's unsigned. */
  gnutls_datum_t d = {(unsigned char *)b->begin, (unsigned)b->len};
  int n =
      gnutls_certificate_set_x509_trust_mem(t->creds, &d, GNUTLS_X509_FMT_PEM);
  if (n < 0)
    t->last_error = n;
  return n > 0;
}

/* Keeps a CRL's issuer and dates. */
static int keep_crl_date(struct gt_ctx *ctx, const gnutls_datum_t *pem) {
  gnutls_x509_crl_t crl = NULL;
  gnutls_datum_t issuer = {NULL, 0};
  int ret = gnutls_x509_crl_init(&crl);
  if (ret == 0)
    ret = gnutls_x509_crl_import(crl, pem, GNUTLS_X509_FMT_PEM);
  if (ret == 0)
    ret = gnutls_x509_crl_get_raw_issuer_dn(crl, &issuer);
  if (ret == 0) {
    struct crl_date *grown =
        realloc(ctx->crls, (ctx->crl_count + 1) * sizeof(*ctx->crls));
    if (grown) {
      ctx->crls = grown;
      ctx->crls[ctx->crl_count++] = (struct crl_date){
          issuer, gnutls_x509_crl_get_this_update(crl),
          gnutls_x509_crl_get_next_update(crl)};
      issuer.data = NULL;
    } else {
      ret = GNUTLS_E_MEMORY_ERROR;
    }
  }
  gnutls_free(issuer.data);
  if (crl)
    gnutls_x509_crl_deinit(crl);
  return ret;
}

/* hr_crl_add_fn: 0 when GnuTLS took the CRL. */
static int add_crl_block(const struct hr_pem_block *b, void *ud) {
  struct gt_ctx *ctx = ud;
  gnutls_datum_t d = {(unsigned char *)b->begin, (unsigned)b->len};
  int n = gnutls_certificate_set_x509_crl_mem(ctx->creds, &d,
                                              GNUTLS_X509_FMT_PEM);
  if (n < 0)
    return n;
  return n == 0 ? GNUTLS_E_PARSING_ERROR : keep_crl_date(ctx, &d);
}

/* The CRLs into the credential, read with verification off too (as curl
 * reads them), when verify_cb is not set and GnuTLS checks nothing. */
static httpr_code setup_crls(struct gt_ctx *ctx,
                             const struct hr_tls_settings *s,
                             httpr_error *err) {
  if (!s->crl_file)
    return HTTPR_OK;
  return hr_crl_load(s->crl_file, add_crl_block, ctx, detail_text, err);
}

static int verify_cb(gnutls_session_t session);

static httpr_code setup_verify(struct gt_ctx *ctx,
                               const struct hr_tls_settings *s,
                               httpr_error *err) {
  /* Without the callback GnuTLS verifies nothing: verify off is that. */
  if (!s->verify)
    return HTTPR_OK;
  struct trust_load l = {.creds = ctx->creds};
  httpr_code rc = hr_tls_trust_load(&s->trust, add_cert_block, &l,
                                    &l.last_error, detail_text, err);
  if (rc != HTTPR_OK)
    return rc;
  gnutls_certificate_set_verify_function(ctx->creds, verify_cb);
  /* GnuTLS takes the server's chain (leaf, the policy's intermediates, and
   * a root it may send) up to the depth; a longer one fails as too long.
   * The key sizes come with the priority (setup_priority). */
  gnutls_certificate_set_verify_limits(ctx->creds, 16384,
                                       HR_POLICY_MAX_INTERMEDIATES + 2);
  return HTTPR_OK;
}

/* ---- client credentials -------------------------------------------------- */

struct cert_list {
  gnutls_x509_crt_t *certs;
  unsigned count;
};

static void cert_list_clear(struct cert_list *l) {
  for (unsigned i = 0; i < l->count; i++)
    gnutls_x509_crt_deinit(l->certs[i]);
  free(l->certs);
  l->certs = NULL;
  l->count = 0;
}

static int import_cert(const struct hr_pem_block *b, gnutls_x509_crt_t *out) {
  gnutls_datum_t d = {(unsigned char *)b->begin, (unsigned)b->len};
  int ret = gnutls_x509_crt_init(out);
  if (ret < 0)
    return ret;
  ret = gnutls_x509_crt_import(*out, &d, GNUTLS_X509_FMT_PEM);
  if (ret < 0) {
    gnutls_x509_crt_deinit(*out);
    *out = NULL;
  }
  return ret;
}

/* The leaf and the certificates after it (its chain), in file order. */
static httpr_code parse_certs(const struct hr_pem_creds *pc,
                              struct cert_list *l, httpr_error *err) {
  if (!(l->certs = calloc(pc->cert_count, sizeof(*l->certs))))
    return hr_nomem(err);
  for (size_t i = 0; i < pc->cert_count; i++) {
    int ret = import_cert(&pc->certs[i], &l->certs[i]);
    if (ret < 0) {
      hr_creds_cert_unparsable(err, pc->cert_path, i);
      return with_detail(err, ret);
    }
    l->count++;
  }
  return HTTPR_OK;
}

/* import2 decrypts PKCS#8 (PBES2, PBES1) and OpenSSL's legacy
 * "Proc-Type: 4,ENCRYPTED" PEM alike. The password goes only with an
 * encrypted key: GnuTLS would otherwise try to decrypt a plain one. */
static httpr_code parse_key(const struct hr_pem_creds *pc, const char *password,
                            gnutls_x509_privkey_t *key, httpr_error *err) {
  gnutls_datum_t d = {(unsigned char *)pc->key.begin, (unsigned)pc->key.len};
  int ret = gnutls_x509_privkey_init(key);
  if (ret < 0)
    return hr_nomem(err);
  ret = gnutls_x509_privkey_import2(*key, &d, GNUTLS_X509_FMT_PEM,
                                    pc->key_encrypted ? password : NULL, 0);
  if (ret >= 0)
    return HTTPR_OK;
  hr_creds_key_refused(err, pc);
  return with_detail(err, ret);
}

/* 1 when key is the private half of the certificate's public key. */
static int key_matches(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key) {
  unsigned char a[64], b[64];
  size_t alen = sizeof(a), blen = sizeof(b);
  return gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA256, a, &alen) >=
             0 &&
         gnutls_x509_privkey_get_key_id(key, GNUTLS_KEYID_USE_SHA256, b,
                                        &blen) >= 0 &&
         alen == blen && memcmp(a, b, alen) == 0;
}

static void client_cred_clear(struct client_cred *cc) {
  for (unsigned i = 0; i < cc->count; i++)
    gnutls_pcert_deinit(&cc->pcerts[i]);
  free(cc->pcerts);
  if (cc->key)
    gnutls_privkey_deinit(cc->key);
  memset(cc, 0, sizeof(*cc));
}

static int retrieve_cb(gnutls_session_t session, const gnutls_datum_t *ca_rdn,
                       int nreqs, const gnutls_pk_algorithm_t *pk_algos,
                       int pk_algos_length, gnutls_pcert_st **pcert,
                       unsigned *pcert_length, gnutls_privkey_t *privkey);

/* Keeps a certificate list (leaf first) and its key for the handshake. */
static httpr_code use_credentials(struct gt_ctx *ctx, gnutls_x509_crt_t *certs,
                                  unsigned count, gnutls_x509_privkey_t key,
                                  httpr_error *err) {
  struct client_cred *cc = &ctx->client;
  unsigned n = count;
  if (!key_matches(certs[0], key)) {
    hr_creds_key_mismatch(err);
    return with_detail(err, GNUTLS_E_CERTIFICATE_KEY_MISMATCH);
  }
  if (!(cc->pcerts = calloc(count, sizeof(*cc->pcerts))))
    return hr_nomem(err);
  int ret = gnutls_pcert_import_x509_list(cc->pcerts, certs, &n, 0);
  if (ret >= 0) {
    cc->count = n;
    if ((ret = gnutls_privkey_init(&cc->key)) >= 0)
      ret =
          gnutls_privkey_import_x509(cc->key, key, GNUTLS_PRIVKEY_IMPORT_COPY);
  }
  if (ret < 0) {
    hr_fail(err, HTTPR_E_CLIENT_CERT,
            "the client certificate cannot be used: %s", gnutls_strerror(ret));
    return with_detail(err, ret);
  }
  /* Left to itself GnuTLS withholds a certificate whose issuer is not
   * among the CAs the server names; OpenSSL sends it and lets the server
   * decide. The callback sends it always, so every provider behaves
   * alike. */
  gnutls_certificate_set_retrieve_function2(ctx->creds, retrieve_cb);
  return HTTPR_OK;
}

static httpr_code load_pem_credentials(void *ctx, const struct hr_pem_creds *pc,
                                       const char *password, httpr_error *err) {
  struct cert_list l = {0};
  gnutls_x509_privkey_t key = NULL;
  httpr_code rc = parse_certs(pc, &l, err);
  if (rc == HTTPR_OK)
    rc = parse_key(pc, password, &key, err);
  if (rc == HTTPR_OK)
    rc = use_credentials(ctx, l.certs, l.count, key, err);
  gnutls_x509_privkey_deinit(key);
  cert_list_clear(&l);
  return rc;
}

/* A MAC that does not match, or encrypted content that does not open,
 * means a wrong or a missing password. */
static httpr_code pkcs12_password_failed(const struct hr_tls_settings *s,
                                         int code, httpr_error *err) {
  if (!s->password || !s->password[0])
    hr_creds_no_password(err, s->cert_path);
  else
    hr_creds_wrong_password(err);
  return with_detail(err, code);
}

static httpr_code pkcs12_unparsable(const struct hr_tls_settings *s, int code,
                                    httpr_error *err) {
  hr_creds_pkcs12_unparsable(err, s->cert_path, gnutls_strerror(code));
  return with_detail(err, code);
}

/* The MAC, when the file has one, is checked first. Without a password
 * the empty one is tried, as OpenSSL does. */
static httpr_code check_pkcs12_mac(gnutls_pkcs12_t p12,
                                   const struct hr_tls_settings *s,
                                   const char **pass, httpr_error *err) {
  unsigned char salt[64];
  unsigned mac = 0, salt_size = sizeof(salt), iterations = 0;
  *pass = s->password ? s->password : "";
  int ret =
      gnutls_pkcs12_mac_info(p12, &mac, salt, &salt_size, &iterations, NULL);
  if (ret < 0 && ret != GNUTLS_E_SHORT_MEMORY_BUFFER)
    return HTTPR_OK; /* no MAC: the decryption tells */
  ret = gnutls_pkcs12_verify_mac(p12, *pass);
  if (ret >= 0)
    return HTTPR_OK;
  if (ret == GNUTLS_E_MAC_VERIFY_FAILED)
    return pkcs12_password_failed(s, ret, err);
  return pkcs12_unparsable(s, ret, err);
}

struct pkcs12_parts {
  gnutls_x509_privkey_t key;
  gnutls_x509_crt_t *chain; /* leaf first */
  unsigned chain_len;
  gnutls_x509_crt_t *extra; /* other certificates in the file */
  unsigned extra_len;
};

static void pkcs12_parts_clear(struct pkcs12_parts *p) {
  for (unsigned i = 0; i < p->chain_len; i++)
    gnutls_x509_crt_deinit(p->chain[i]);
  for (unsigned i = 0; i < p->extra_len; i++)
    gnutls_x509_crt_deinit(p->extra[i]);
  gnutls_free(p->chain);
  gnutls_free(p->extra);
  gnutls_x509_privkey_deinit(p->key);
  memset(p, 0, sizeof(*p));
}

/* GnuTLS's code when an element of a bag does not import: a key under
 * pass (NULL for a plain one), or a certificate. */
static int import_bag_element(int type, const gnutls_datum_t *d,
                              const char *pass) {
  int ret;
  if (type == GNUTLS_BAG_CERTIFICATE) {
    gnutls_x509_crt_t crt = NULL;
    if ((ret = gnutls_x509_crt_init(&crt)) >= 0)
      ret = gnutls_x509_crt_import(crt, d, GNUTLS_X509_FMT_DER);
    gnutls_x509_crt_deinit(crt);
    return ret;
  }
  gnutls_x509_privkey_t key = NULL;
  if ((ret = gnutls_x509_privkey_init(&key)) >= 0)
    ret = gnutls_x509_privkey_import_pkcs8(key, d, GNUTLS_X509_FMT_DER, pass,
                                           pass ? 0 : GNUTLS_PKCS_PLAIN);
  gnutls_x509_privkey_deinit(key);
  return ret;
}

/* Opens one bag's encrypted parts under pass as gnutls_pkcs12_simple_parse
 * does (keys only up to the first one, *key_seen): GnuTLS's code for the
 * first part that does not decrypt to content that imports, else 0. A
 * part whose encryption GnuTLS cannot even describe is left to the
 * caller's "cannot be parsed": no password opens it. */
static int bag_open_failure(gnutls_pkcs12_bag_t bag, const char *pass,
                            int *key_seen) {
  int decrypted = 0;
  if (gnutls_pkcs12_bag_get_type(bag, 0) == GNUTLS_BAG_ENCRYPTED) {
    if (gnutls_pkcs12_bag_enc_info(bag, NULL, NULL, NULL, NULL, NULL, NULL) < 0)
      return 0;
    int ret = gnutls_pkcs12_bag_decrypt(bag, pass);
    if (ret < 0)
      return ret;
    decrypted = 1;
  }
  int count = gnutls_pkcs12_bag_get_count(bag);
  for (int i = 0; i < count; i++) {
    int type = gnutls_pkcs12_bag_get_type(bag, (unsigned)i);
    gnutls_datum_t d;
    int ret = 0;
    if (gnutls_pkcs12_bag_get_data(bag, (unsigned)i, &d) < 0)
      continue;
    if (type == GNUTLS_BAG_PKCS8_ENCRYPTED_KEY ||
        type == GNUTLS_BAG_PKCS8_KEY) {
      if (*key_seen)
        continue;
      *key_seen = 1;
      if (type == GNUTLS_BAG_PKCS8_ENCRYPTED_KEY &&
          gnutls_pkcs8_info(&d, GNUTLS_X509_FMT_DER, NULL, NULL, NULL, NULL,
                            NULL, NULL) >= 0)
        ret = import_bag_element(type, &d, pass);
      else if (type == GNUTLS_BAG_PKCS8_KEY && decrypted)
        ret = import_bag_element(type, &d, NULL);
    } else if (type == GNUTLS_BAG_CERTIFICATE && decrypted) {
      ret = import_bag_element(type, &d, NULL);
    }
    if (ret < 0)
      return ret;
  }
  return 0;
}

/* Why gnutls_pkcs12_simple_parse failed, when the password is the reason:
 * GnuTLS's code for the encrypted part that does not open under pass, or
 * 0 when every one opens (the file itself is at fault then). A CBC
 * padding check lets about one wrong password in 256 through, and the
 * garbage it lets by then fails whichever parser reads it next, with that
 * parser's code (an ASN.1 tag error, say). Without a MAC nothing else
 * tells a wrong password; with one, a part encrypted under another
 * password fails the same way. A right password always decrypts a valid
 * file to content that parses, so content that does not parse means a
 * wrong password, as in the other providers. */
static int pkcs12_open_failure(gnutls_pkcs12_t p12, const char *pass) {
  int failure = 0, key_seen = 0;
  for (int idx = 0; failure == 0; idx++) {
    gnutls_pkcs12_bag_t bag = NULL;
    if (gnutls_pkcs12_bag_init(&bag) < 0)
      break;
    if (gnutls_pkcs12_get_bag(p12, idx, bag) < 0) {
      gnutls_pkcs12_bag_deinit(bag);
      break; /* the last bag, or a structure no password changes */
    }
    failure = bag_open_failure(bag, pass, &key_seen);
    gnutls_pkcs12_bag_deinit(bag);
  }
  return failure == GNUTLS_E_MEMORY_ERROR ? 0 : failure;
}

/* Keys inside encrypted bags are out of hr_creds_read_pkcs12's sight:
 * each bag is opened here under pass and its keys counted before
 * gnutls_pkcs12_simple_parse derives anything from them. A bag that does
 * not open is left to simple_parse's own error. */
static httpr_code check_inner_keys(gnutls_pkcs12_t p12, const char *pass,
                                   const char *path, struct hr_kdf_scan *scan,
                                   httpr_error *err) {
  httpr_code rc = HTTPR_OK;
  for (int idx = 0; rc == HTTPR_OK; idx++) {
    gnutls_pkcs12_bag_t bag = NULL;
    if (gnutls_pkcs12_bag_init(&bag) < 0)
      return hr_nomem(err);
    if (gnutls_pkcs12_get_bag(p12, idx, bag) < 0) {
      gnutls_pkcs12_bag_deinit(bag);
      break; /* the last bag */
    }
    if (gnutls_pkcs12_bag_get_type(bag, 0) == GNUTLS_BAG_ENCRYPTED &&
        gnutls_pkcs12_bag_decrypt(bag, pass) >= 0) {
      int count = gnutls_pkcs12_bag_get_count(bag);
      for (int i = 0; rc == HTTPR_OK && i < count; i++) {
        gnutls_datum_t d;
        if (gnutls_pkcs12_bag_get_type(bag, (unsigned)i) ==
                GNUTLS_BAG_PKCS8_ENCRYPTED_KEY &&
            gnutls_pkcs12_bag_get_data(bag, (unsigned)i, &d) >= 0)
          rc = hr_creds_kdf_inner_key(path, d.data, d.size, scan, err);
      }
    }
    gnutls_pkcs12_bag_deinit(bag);
  }
  return rc;
}

static httpr_code parse_pkcs12(gnutls_pkcs12_t p12,
                               const struct hr_tls_settings *s,
                               struct hr_kdf_scan *scan,
                               struct pkcs12_parts *parts, httpr_error *err) {
  const char *pass = NULL;
  httpr_code rc = check_pkcs12_mac(p12, s, &pass, err);
  if (rc == HTTPR_OK)
    rc = check_inner_keys(p12, pass, s->cert_path, scan, err);
  if (rc != HTTPR_OK)
    return rc;
  /* The leaf is the certificate of the key, and its chain follows. */
  int ret = gnutls_pkcs12_simple_parse(p12, pass, &parts->key, &parts->chain,
                                       &parts->chain_len, &parts->extra,
                                       &parts->extra_len, NULL, 0);
  if (ret == GNUTLS_E_MEMORY_ERROR)
    return hr_nomem(err);
  if (ret < 0 && ret != GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
    int failure = ret == GNUTLS_E_DECRYPTION_FAILED
                      ? ret
                      : pkcs12_open_failure(p12, pass);
    if (failure < 0)
      return pkcs12_password_failed(s, failure, err);
    return pkcs12_unparsable(s, ret, err);
  }
  /* OpenSSL finds the certificate through the key: without a key there is
   * no certificate either. */
  if (parts->chain_len == 0)
    return hr_fail(err, HTTPR_E_CLIENT_CERT,
                   "client certificate file '%s' holds no certificate",
                   s->cert_path);
  if (!parts->key)
    return hr_fail(err, HTTPR_E_CLIENT_CERT, "no private key found in '%s'",
                   s->cert_path);
  return HTTPR_OK;
}

static httpr_code load_pkcs12_credentials(void *ctx,
                                          const struct hr_tls_settings *s,
                                          httpr_error *err) {
  char *data = NULL;
  size_t len = 0;
  gnutls_pkcs12_t p12 = NULL;
  struct pkcs12_parts parts = {0};
  struct hr_kdf_scan scan;
  httpr_code rc = hr_creds_read_pkcs12(s->cert_path, &data, &len, &scan, err);
  if (rc != HTTPR_OK)
    return rc;
  gnutls_datum_t d = {(unsigned char *)data, (unsigned)len};
  int ret = gnutls_pkcs12_init(&p12);
  if (ret < 0) {
    rc = hr_nomem(err);
  } else if ((ret = gnutls_pkcs12_import(p12, &d, GNUTLS_X509_FMT_DER, 0)) <
             0) {
    hr_fail(err, HTTPR_E_CLIENT_CERT,
            "client certificate file '%s' is not a PKCS#12 file", s->cert_path);
    rc = with_detail(err, ret);
  } else if ((rc = parse_pkcs12(p12, s, &scan, &parts, err)) == HTTPR_OK) {
    rc = use_credentials(ctx, parts.chain, parts.chain_len, parts.key, err);
  }
  pkcs12_parts_clear(&parts);
  if (p12)
    gnutls_pkcs12_deinit(p12);
  hr_wipe_free(data, len);
  return rc;
}

static const struct hr_creds_loaders credential_loaders = {
    .pem = load_pem_credentials,
    .pkcs12 = load_pkcs12_credentials,
};

/* ---- context ------------------------------------------------------------- */

/* What every priority of ours appends to the library's default (NORMAL,
 * or a system priority file's default-priority-string): only removals,
 * so a system policy stays the floor. %PROFILE_MEDIUM: the policy's key
 * sizes, 112-bit security as OpenSSL's level 2 (NORMAL alone takes
 * RSA-1024); a system-wide min-verification-profile may raise it, never
 * lower it. %SAFE_RENEGOTIATION: a server without RFC 5746 support fails
 * the first handshake, as with OpenSSL 3 (GnuTLS's default lets it
 * through and refuses only the renegotiation). The profile must come with the priority: GnuTLS ORs a
 * credential's profile number with the priority's, which gives a stricter
 * profile than either. */
#define PRIORITY_BASE                                                         \
  "%PROFILE_MEDIUM:%SAFE_RENEGOTIATION:-VERS-SSL3.0:-VERS-TLS1.0:"            \
  "-VERS-TLS1.1:-VERS-DTLS-ALL"

static int init_priority(gnutls_priority_t *out, const char *append) {
  const char *where = NULL;
  return gnutls_priority_init2(out, append, &where,
                               GNUTLS_PRIORITY_INIT_DEF_APPEND);
}

/* The TLS versions and cipher suites the system's default priority
 * leaves us: *allowed of them into suites (HR_SUITES_MAX). */
static httpr_code system_policy(struct hr_tls_policy *policy,
                                uint16_t *suites, size_t *allowed,
                                httpr_error *err) {
  gnutls_priority_t probe;
  int ret = init_priority(&probe, PRIORITY_BASE);
  *policy = (struct hr_tls_policy){.name = "the GnuTLS system priority"};
  *allowed = 0;
  if (ret < 0) {
    hr_fail(err, HTTPR_E_UNSUPPORTED,
            "%s allows neither TLS 1.2 nor TLS 1.3", policy->name);
    return with_detail(err, ret);
  }
  const unsigned int *list = NULL;
  int n = gnutls_priority_protocol_list(probe, &list);
  int has12 = 0, has13 = 0;
  for (int i = 0; i < n; i++) {
    has12 |= list[i] == GNUTLS_TLS1_2;
    has13 |= list[i] == GNUTLS_TLS1_3;
  }
  *allowed = gt_suites_of(probe, suites, HR_SUITES_MAX);
  gnutls_priority_deinit(probe);
  if (!has12 && !has13)
    return hr_fail(err, HTTPR_E_UNSUPPORTED,
                   "%s allows neither TLS 1.2 nor TLS 1.3", policy->name);
  policy->min = has12 ? 0 : 13;
  policy->max = has13 ? 0 : 12;
  return HTTPR_OK;
}

/* The configured groups as priority items, in their order (GnuTLS
 * offers them as listed): ":-GROUP-ALL:+GROUP-X25519...". */
static httpr_code append_groups(char *out, size_t cap,
                                const struct hr_tls_settings *s,
                                httpr_error *err) {
  static const char *const names[HR_GROUP_COUNT] = {
      [HR_GROUP_X25519] = "X25519",       [HR_GROUP_X448] = "X448",
      [HR_GROUP_SECP256R1] = "SECP256R1", [HR_GROUP_SECP384R1] = "SECP384R1",
      [HR_GROUP_SECP521R1] = "SECP521R1", [HR_GROUP_FFDHE2048] = "FFDHE2048",
      [HR_GROUP_FFDHE3072] = "FFDHE3072", [HR_GROUP_FFDHE4096] = "FFDHE4096",
  };
  enum hr_group want[HR_GROUPS_MAX];
  size_t n = 0;
  httpr_code rc = hr_tls_groups(s, want, &n, err);
  *out = '\0';
  if (rc != HTTPR_OK || n == 0)
    return rc;
  size_t used = (size_t)snprintf(out, cap, ":-GROUP-ALL");
  for (size_t i = 0; i < n && used < cap; i++)
    used += (size_t)snprintf(out + used, cap - used, ":+GROUP-%s",
                             names[want[i]]);
  return HTTPR_OK;
}

static size_t gt_cipher_suites(uint16_t *ids, size_t cap) {
  gnutls_priority_t probe;
  if (init_priority(&probe, PRIORITY_BASE) < 0)
    return 0;
  size_t n = gt_suites_of(probe, ids, cap);
  gnutls_priority_deinit(probe);
  return n;
}

/* The versions, groups and cipher suites become the priority, parsed
 * once here; the suites among those the system's priority enables. */
static httpr_code setup_priority(struct gt_ctx *ctx,
                                 const struct hr_tls_settings *s,
                                 httpr_error *err) {
  struct hr_tls_policy policy;
  uint16_t allowed[HR_SUITES_MAX];
  size_t n_allowed = 0;
  struct gt_suites want;
  httpr_code rc = system_policy(&policy, allowed, &n_allowed, err);
  if (rc == HTTPR_OK)
    rc = hr_tls_versions(s, &policy, &ctx->base.min_version,
                         &ctx->base.max_version, err);
  if (rc == HTTPR_OK)
    rc = hr_tls_suites(s->ciphers, 12, "gnutls", allowed, n_allowed, want.v12,
                       &want.n12, err);
  if (rc == HTTPR_OK)
    rc = hr_tls_suites(s->tls13_ciphers, 13, "gnutls", allowed, n_allowed,
                       want.v13, &want.n13, err);
  if (rc != HTTPR_OK)
    return rc;
  int min = ctx->base.min_version,
      max = ctx->base.max_version ? ctx->base.max_version : 13;
  char prio[256 + HR_GROUPS_MAX * 20 + HR_SUITES_MAX * 3 * 24];
  int used = snprintf(prio, sizeof(prio), "%s%s%s", PRIORITY_BASE,
                      max < 13 ? ":-VERS-TLS1.3" : "",
                      min > 12 ? ":-VERS-TLS1.2" : "");
  if ((rc = append_groups(prio + used, sizeof(prio) - (size_t)used, s,
                          err)) != HTTPR_OK)
    return rc;
  used = (int)strlen(prio);
  gt_suite_items(&want, prio + used, sizeof(prio) - (size_t)used);
  int ret = init_priority(&ctx->priority, prio);
  if (ret < 0) {
    ctx->priority = NULL;
    hr_fail(err, HTTPR_E_UNSUPPORTED,
            "the gnutls provider cannot use the TLS versions asked");
    return with_detail(err, ret);
  }
  return gt_suites_exact(ctx->priority, &want, min, max, err);
}

/* The wire-format list ("\x08http/1.1...") as GnuTLS's array of names. */
static httpr_code setup_alpn(struct gt_ctx *ctx,
                             const struct hr_tls_settings *s,
                             httpr_error *err) {
  size_t count = 0;
  httpr_code rc = hr_tls_alpn_check(s, &count, err);
  if (rc != HTTPR_OK || count == 0)
    return rc;
  if (!(ctx->alpn_data = malloc(s->alpn_len)) ||
      !(ctx->alpn = calloc(count, sizeof(*ctx->alpn))))
    return hr_nomem(err);
  memcpy(ctx->alpn_data, s->alpn, s->alpn_len);
  /* Checked: every length byte is followed by that many bytes. */
  for (size_t i = 0; i < s->alpn_len; i += ctx->alpn_data[i] + 1u) {
    ctx->alpn[ctx->alpn_count].data = ctx->alpn_data + i + 1;
    ctx->alpn[ctx->alpn_count].size = ctx->alpn_data[i];
    ctx->alpn_count++;
  }
  return HTTPR_OK;
}

static void gt_context_free(void *vctx) {
  struct gt_ctx *ctx = vctx;
  if (!ctx)
    return;
  if (ctx->creds)
    gnutls_certificate_free_credentials(ctx->creds);
  if (ctx->priority)
    gnutls_priority_deinit(ctx->priority);
  client_cred_clear(&ctx->client);
  free(ctx->alpn);
  free(ctx->alpn_data);
  for (size_t i = 0; i < ctx->anchor_count; i++) {
    free(ctx->anchors[i].dn.data);
    gnutls_free(ctx->anchors[i].der.data);
  }
  for (size_t i = 0; i < ctx->crl_count; i++)
    gnutls_free(ctx->crls[i].issuer.data);
  free(ctx->crls);
  pthread_mutex_destroy(&ctx->anchors_lock);
  free(ctx);
}

static httpr_code gt_context_new(const struct hr_tls_settings *s, void **out,
                                 httpr_error *err) {
  httpr_code rc = HTTPR_OK;
  *out = NULL;
  struct gt_ctx *ctx = calloc(1, sizeof(*ctx));
  if (ctx)
    pthread_mutex_init(&ctx->anchors_lock, NULL);
  if (!ctx || gnutls_certificate_allocate_credentials(&ctx->creds) < 0) {
    rc = hr_nomem(err);
    goto done;
  }
  hr_tls_ctx_base_init(&ctx->base, s);
  ctx->cert_status = s->cert_status;
  if ((rc = setup_priority(ctx, s, err)) == HTTPR_OK &&
      (rc = setup_verify(ctx, s, err)) == HTTPR_OK &&
      (rc = setup_crls(ctx, s, err)) == HTTPR_OK &&
      (rc = hr_creds_setup(s, &credential_loaders, ctx, err)) == HTTPR_OK)
    rc = setup_alpn(ctx, s, err);
done:
  if (rc != HTTPR_OK) {
    gt_context_free(ctx);
    return rc;
  }
  *out = ctx;
  return HTTPR_OK;
}

/* ---- verification, during the handshake ---------------------------------- */

/* The certificates the server sent, in its order. */
struct peer_chain {
  gnutls_x509_crt_t certs[HR_SENT_CHAIN_MAX]; /* as many as are linked */
  unsigned count;
};

static void peer_chain_load(gnutls_session_t session, struct peer_chain *pc) {
  unsigned n = 0;
  const gnutls_datum_t *der = gnutls_certificate_get_peers(session, &n);
  pc->count = 0;
  for (unsigned i = 0; der && i < n && i < HR_SENT_CHAIN_MAX; i++) {
    gnutls_x509_crt_t x = NULL;
    if (gnutls_x509_crt_init(&x) < 0)
      return;
    if (gnutls_x509_crt_import(x, &der[i], GNUTLS_X509_FMT_DER) < 0) {
      gnutls_x509_crt_deinit(x);
      return;
    }
    pc->certs[pc->count++] = x;
  }
}

static void peer_chain_clear(struct peer_chain *pc) {
  for (unsigned i = 0; i < pc->count; i++)
    gnutls_x509_crt_deinit(pc->certs[i]);
  pc->count = 0;
}

/* hr_issued_fn over a peer_chain: j is self-issued when issued(j, j). */
static int issued(void *ud, size_t child, size_t issuer) {
  const struct peer_chain *pc = ud;
  return gnutls_x509_crt_check_issuer(pc->certs[child], pc->certs[issuer]) == 1;
}

/* GnuTLS only says "issuer not found"; the chain the server sent tells
 * which of OpenSSL's three words fits. */
static enum hr_verify_reason untrusted_reason(gnutls_session_t session) {
  struct peer_chain pc;
  peer_chain_load(session, &pc);
  enum hr_verify_reason reason = hr_sent_chain_reason(pc.count, issued, &pc);
  peer_chain_clear(&pc);
  return reason;
}

#define VALIDITY_BITS (GNUTLS_CERT_EXPIRED | GNUTLS_CERT_NOT_ACTIVATED)

/* The defects that have a shared wording, in OpenSSL's order of checks. */
static enum hr_verify_reason defect_reason(unsigned status) {
  static const struct {
    unsigned bit;
    enum hr_verify_reason reason;
  } defects[] = {
      {GNUTLS_CERT_SIGNER_NOT_CA, HR_VERIFY_INVALID_CA},
      {GNUTLS_CERT_PURPOSE_MISMATCH, HR_VERIFY_BAD_PURPOSE},
      {GNUTLS_CERT_INSECURE_ALGORITHM, HR_VERIFY_INSECURE},
      {GNUTLS_CERT_REVOKED, HR_VERIFY_REVOKED},
      {GNUTLS_CERT_SIGNATURE_FAILURE, HR_VERIFY_BAD_SIGNATURE},
  };
  for (size_t i = 0; i < sizeof(defects) / sizeof(defects[0]); i++) {
    if (status & defects[i].bit)
      return defects[i].reason;
  }
  return HR_VERIFY_OTHER;
}

/* When several problems are found, the one OpenSSL reports: a chain that
 * leads nowhere first, then the certificates' other defects (OpenSSL
 * checks CA flags, purposes and extensions before any date), then the
 * validity period. */
static enum hr_verify_reason reason_of(gnutls_session_t session,
                                       unsigned status) {
  if (status & GNUTLS_CERT_SIGNER_NOT_FOUND)
    return untrusted_reason(session);
  if (status & ~(unsigned)(GNUTLS_CERT_INVALID | VALIDITY_BITS))
    return defect_reason(status);
  if (status & GNUTLS_CERT_EXPIRED)
    return HR_VERIFY_EXPIRED;
  if (status & GNUTLS_CERT_NOT_ACTIVATED)
    return HR_VERIFY_NOT_YET_VALID;
  return HR_VERIFY_OTHER;
}

/* Records a status with GnuTLS's own description of it. */
static void status_verdict(struct gt_conn *c, unsigned status,
                           enum hr_verify_reason reason) {
  gnutls_datum_t out = {NULL, 0};
  struct verdict *v = &c->verdict;
  v->failed = 1;
  v->reason = reason;
  v->status = status;
  if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509,
                                                   &out, 0) >= 0 &&
      out.data) {
    snprintf(v->text, sizeof(v->text), "%s", (const char *)out.data);
    gnutls_free(out.data);
  }
  /* GnuTLS ends each sentence with a space. */
  size_t len = strlen(v->text);
  while (len > 0 && v->text[len - 1] == ' ')
    v->text[--len] = '\0';
}

static int name_matches(const char *host, const char *san, size_t len,
                        int type) {
  const char *dns[1] = {san};
  const unsigned char *ip[1] = {(const unsigned char *)san};
  size_t lens[1] = {len};
  struct hr_peer_names one = {0};
  if (type == GNUTLS_SAN_DNSNAME)
    one = (struct hr_peer_names){.dns = dns, .dns_len = lens, .dns_count = 1};
  else if (type == GNUTLS_SAN_IPADDRESS)
    one = (struct hr_peer_names){.ip = ip, .ip_len = lens, .ip_count = 1};
  return hr_identity_check(host, &one);
}

#define MAX_SANS 4096

/* The shared identity rules (backends/identity.h) on the leaf's subject
 * alternative names, one name at a time: any one that matches will do. */
static int leaf_matches(gnutls_session_t session, const char *host) {
  unsigned n = 0;
  const gnutls_datum_t *der = gnutls_certificate_get_peers(session, &n);
  gnutls_x509_crt_t leaf = NULL;
  int match = 0;
  if (!der || n == 0 || gnutls_x509_crt_init(&leaf) < 0)
    return 0;
  if (gnutls_x509_crt_import(leaf, &der[0], GNUTLS_X509_FMT_DER) < 0)
    goto done;
  char buf[512];
  for (unsigned seq = 0; !match && seq < MAX_SANS; seq++) {
    size_t size = sizeof(buf);
    int type =
        gnutls_x509_crt_get_subject_alt_name(leaf, seq, buf, &size, NULL);
    if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
      break;
    /* A name longer than the buffer is longer than any host name. */
    if (type >= 0)
      match = name_matches(host, buf, size, type);
  }
done:
  gnutls_x509_crt_deinit(leaf);
  return match;
}

/* What the negotiated key exchange does with the server's key. */
static enum hr_kx key_exchange(gnutls_session_t session) {
  if (gnutls_protocol_get_version(session) == GNUTLS_TLS1_3)
    return HR_KX_SIGN;
  switch (gnutls_kx_get(session)) {
  case GNUTLS_KX_RSA:
    return HR_KX_RSA;
  case GNUTLS_KX_DHE_RSA:
  case GNUTLS_KX_DHE_DSS:
  case GNUTLS_KX_ECDHE_RSA:
  case GNUTLS_KX_ECDHE_ECDSA:
    return HR_KX_SIGN;
  default:
    return HR_KX_UNKNOWN;
  }
}

/* The trust anchors a path links to: the context's cache, and copies
 * made when it is full, kept until the path is judged. */
struct anchors {
  struct gt_ctx *ctx;
  gnutls_datum_t der[HR_POLICY_MAX_PATH];
  size_t count;
};

static int cached_anchor(struct gt_ctx *ctx, const gnutls_datum_t *dn,
                         struct hr_der *anchor) {
  int found = 0;
  pthread_mutex_lock(&ctx->anchors_lock);
  for (size_t i = 0; i < ctx->anchor_count && !found; i++) {
    if (ctx->anchors[i].dn.size == dn->size &&
        memcmp(ctx->anchors[i].dn.data, dn->data, dn->size) == 0) {
      anchor->p = ctx->anchors[i].der.data;
      anchor->len = ctx->anchors[i].der.size;
      found = 1;
    }
  }
  pthread_mutex_unlock(&ctx->anchors_lock);
  return found;
}

/* Keeps a fresh anchor in the cache; 0 when it is full (or another
 * thread cached the same one first), and the caller keeps it. */
static int cache_anchor(struct gt_ctx *ctx, const gnutls_datum_t *dn,
                        gnutls_datum_t *der) {
  int kept = 0;
  unsigned char *dn_copy = malloc(dn->size);
  if (!dn_copy)
    return 0;
  memcpy(dn_copy, dn->data, dn->size);
  pthread_mutex_lock(&ctx->anchors_lock);
  size_t n = ctx->anchor_count;
  int known = 0;
  for (size_t i = 0; i < n; i++)
    known |= ctx->anchors[i].dn.size == dn->size &&
             memcmp(ctx->anchors[i].dn.data, dn->data, dn->size) == 0;
  if (!known && n < sizeof(ctx->anchors) / sizeof(ctx->anchors[0])) {
    ctx->anchors[n].dn.data = dn_copy;
    ctx->anchors[n].dn.size = dn->size;
    ctx->anchors[n].der = *der;
    ctx->anchor_count = n + 1;
    kept = 1;
  }
  pthread_mutex_unlock(&ctx->anchors_lock);
  if (!kept)
    free(dn_copy);
  return kept;
}

/* hr_anchor_fn over the credential's trust list. */
static int find_anchor(void *ud, const struct hr_der *name,
                       struct hr_der *anchor) {
  struct anchors *a = ud;
  gnutls_datum_t dn = {(unsigned char *)name->p, (unsigned)name->len};
  gnutls_x509_trust_list_t list = NULL;
  gnutls_x509_crt_t issuer = NULL;
  gnutls_datum_t der = {NULL, 0};
  if (cached_anchor(a->ctx, &dn, anchor))
    return 1;
  gnutls_certificate_get_trust_list(a->ctx->creds, &list);
  if (a->count >= HR_POLICY_MAX_PATH ||
      gnutls_x509_trust_list_get_issuer_by_dn(list, &dn, &issuer, 0) < 0)
    return 0;
  int ret = gnutls_x509_crt_export2(issuer, GNUTLS_X509_FMT_DER, &der);
  gnutls_x509_crt_deinit(issuer);
  if (ret < 0)
    return 0;
  anchor->p = der.data;
  anchor->len = der.size;
  if (!cache_anchor(a->ctx, &dn, &der))
    a->der[a->count++] = der;
  return 1;
}

static void free_anchors(struct anchors *a) {
  for (size_t i = 0; i < a->count; i++)
    gnutls_free(a->der[i].data);
  a->count = 0;
}

/* The path from the server's leaf to a trust anchor by names
 * (cert_path.h): GnuTLS does not hand out the one it verified. It points
 * into GnuTLS's list of the server's certificates and into a, which the
 * caller frees with free_anchors. 1 when it ends at a trust anchor. */
static int link_path(gnutls_session_t session, struct anchors *a,
                     struct hr_cert_path *path) {
  unsigned n = 0;
  const gnutls_datum_t *peers = gnutls_certificate_get_peers(session, &n);
  struct hr_der sent[HR_POLICY_MAX_PATH * 2];
  path->count = 0;
  path->overflow = 0;
  if (!peers || n == 0)
    return 0;
  if (n > HR_POLICY_MAX_PATH * 2)
    n = HR_POLICY_MAX_PATH * 2;
  for (unsigned i = 0; i < n; i++) {
    sent[i].p = peers[i].data;
    sent[i].len = peers[i].size;
  }
  return hr_path_link(sent, n, find_anchor, a, path);
}

/* For the report: the path by names, as far as it links, of a chain
 * GnuTLS refused before the policy could judge it. */
static void report_path(struct gt_conn *c, gnutls_session_t session) {
  struct anchors a = {.ctx = (struct gt_ctx *)c->ctx};
  struct hr_cert_path path;
  if (!c->report)
    return;
  link_path(session, &a, &path);
  hr_report_path(c->report, &path);
  free_anchors(&a);
}

/* The shared policy on the path from the server's leaf to the trust
 * anchor GnuTLS verified it against: 0 when it passes (or no path to a
 * trust anchor can be made), -1 with the verdict recorded. */
static int policy_refuses(struct gt_conn *c, gnutls_session_t session) {
  struct anchors a = {.ctx = (struct gt_ctx *)c->ctx};
  struct hr_cert_path path;
  struct hr_policy_verdict verdict;
  int refused = 0;
  int linked = link_path(session, &a, &path);
  hr_report_path(c->report, &path);
  if (linked || path.overflow) {
    refused = hr_policy_check(&path, key_exchange(session), &verdict) != 0;
    hr_report_policy(c->report, refused, &verdict);
  }
  free_anchors(&a);
  if (refused) {
    c->verdict.failed = 1;
    c->verdict.policy = 1;
    c->verdict.reason = verdict.reason;
    snprintf(c->verdict.why, sizeof(c->verdict.why), "%s", verdict.why);
  }
  return refused ? -1 : 0;
}

/* What OpenSSL and mbedTLS find wrong with the dates of a CRL of the
 * issuer of a certificate the server sent: HR_VERIFY_CRL_NOT_YET_VALID
 * (before its thisUpdate) or HR_VERIFY_CRL_EXPIRED (past its nextUpdate),
 * HR_VERIFY_OTHER when every such CRL is in date. */
static enum hr_verify_reason crl_dates(const struct gt_ctx *ctx,
                                       gnutls_session_t session) {
  struct peer_chain pc;
  enum hr_verify_reason found = HR_VERIFY_OTHER;
  if (ctx->crl_count == 0)
    return found;
  time_t now = time(NULL);
  peer_chain_load(session, &pc);
  for (unsigned i = 0; i < pc.count && found == HR_VERIFY_OTHER; i++) {
    gnutls_datum_t issuer = {NULL, 0};
    if (gnutls_x509_crt_get_raw_issuer_dn(pc.certs[i], &issuer) < 0)
      continue;
    for (size_t k = 0; k < ctx->crl_count && found == HR_VERIFY_OTHER; k++) {
      const struct crl_date *d = &ctx->crls[k];
      if (d->issuer.size != issuer.size ||
          memcmp(d->issuer.data, issuer.data, issuer.size) != 0)
        continue;
      if (d->this_update > now)
        found = HR_VERIFY_CRL_NOT_YET_VALID;
      else if (d->next_update != (time_t)-1 && d->next_update < now)
        found = HR_VERIFY_CRL_EXPIRED;
    }
    gnutls_free(issuer.data);
  }
  peer_chain_clear(&pc);
  return found;
}

/* A status with a defect in a certificate (not only a missing issuer or
 * a date) is judged again by the shared policy, which names the defect as
 * every provider does ("path length constraint exceeded" where GnuTLS
 * only says "violates the signer's constraints"). */
static int has_defect(unsigned status) {
  return !(status & GNUTLS_CERT_SIGNER_NOT_FOUND) &&
         (status & ~(unsigned)(GNUTLS_CERT_INVALID | VALIDITY_BITS));
}

/* ---- certificate status (OCSP stapling) ---------------------------------- */

/* A stapled OCSP response for any certificate the server sent: GnuTLS
 * 3.7 asks every server for one, and verify_peers judges what comes. */
static int any_stapled(gnutls_session_t session) {
  unsigned n = 0;
  gnutls_datum_t d = {NULL, 0};
  (void)gnutls_certificate_get_peers(session, &n);
  for (unsigned i = 0; i < n; i++) {
    if (gnutls_ocsp_status_request_get2(session, i, &d) >= 0)
      return 1;
  }
  return 0;
}

/* The chain's status as verify_peers takes it (the same trust list,
 * flags and purpose) without the stapled responses, whose rules and
 * words are GnuTLS's own (GNUTLS_CERT_REVOKED,
 * GNUTLS_CERT_INVALID_OCSP_STATUS, ...): the status check is the shared
 * one, made only when asked (check_status). */
static int chain_status(gnutls_session_t session, const struct gt_ctx *ctx,
                        gnutls_typed_vdata_st *purpose, unsigned *status) {
  struct peer_chain pc;
  gnutls_x509_trust_list_t list = NULL;
  peer_chain_load(session, &pc);
  gnutls_certificate_get_trust_list(ctx->creds, &list);
  int ret = pc.count == 0 ? GNUTLS_E_NO_CERTIFICATE_FOUND
                          : gnutls_x509_trust_list_verify_crt2(
                                list, pc.certs, pc.count, purpose, 1,
                                gnutls_certificate_get_verify_flags(ctx->creds),
                                status, NULL);
  peer_chain_clear(&pc);
  return ret;
}

/* The bits of an OCSP verification status, by name, into out. */
static void ocsp_verify_text(char *out, size_t cap, unsigned verify) {
  static const struct {
    unsigned bit;
    const char *name;
  } bits[] = {
      {GNUTLS_OCSP_VERIFY_SIGNER_NOT_FOUND, "SIGNER_NOT_FOUND"},
      {GNUTLS_OCSP_VERIFY_SIGNER_KEYUSAGE_ERROR, "SIGNER_KEYUSAGE_ERROR"},
      {GNUTLS_OCSP_VERIFY_UNTRUSTED_SIGNER, "UNTRUSTED_SIGNER"},
      {GNUTLS_OCSP_VERIFY_INSECURE_ALGORITHM, "INSECURE_ALGORITHM"},
      {GNUTLS_OCSP_VERIFY_SIGNATURE_FAILURE, "SIGNATURE_FAILURE"},
      {GNUTLS_OCSP_VERIFY_CERT_NOT_ACTIVATED, "CERT_NOT_ACTIVATED"},
      {GNUTLS_OCSP_VERIFY_CERT_EXPIRED, "CERT_EXPIRED"},
  };
  size_t used =
      (size_t)snprintf(out, cap, "gnutls: OCSP verify status 0x%x", verify);
  for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]) && used < cap; i++) {
    if (verify & bits[i].bit)
      used += (size_t)snprintf(out + used, cap - used, " GNUTLS_OCSP_VERIFY_%s",
                               bits[i].name);
  }
}

/* The leaf's issuer: a certificate the server sent after it, else the
 * trust anchor of that name (*copy then set: the caller frees it). */
static gnutls_x509_crt_t leaf_issuer(const struct gt_ctx *ctx,
                                     const struct peer_chain *pc,
                                     gnutls_x509_crt_t *copy) {
  gnutls_x509_trust_list_t list = NULL;
  *copy = NULL;
  for (unsigned i = 1; i < pc->count; i++) {
    if (gnutls_x509_crt_check_issuer(pc->certs[0], pc->certs[i]) == 1)
      return pc->certs[i];
  }
  gnutls_certificate_get_trust_list(ctx->creds, &list);
  if (gnutls_x509_trust_list_get_issuer(list, pc->certs[0], copy,
                                        GNUTLS_TL_GET_COPY) < 0)
    *copy = NULL;
  return *copy;
}

/* The signature, by the issuer or a responder it delegated to. */
static void check_signer(gnutls_ocsp_resp_t resp, gnutls_x509_crt_t issuer,
                         struct hr_ocsp_verdict *v) {
  unsigned verify = 0;
  int ret = issuer ? gnutls_ocsp_resp_verify_direct(resp, issuer, &verify, 0)
                   : GNUTLS_E_CERTIFICATE_ERROR;
  if (ret < 0) {
    v->facts.signer_untrusted = 1;
    detail_text(v->words, sizeof(v->words), ret);
    return;
  }
  if (!verify)
    return;
  if (verify & (GNUTLS_OCSP_VERIFY_SIGNATURE_FAILURE |
                GNUTLS_OCSP_VERIFY_INSECURE_ALGORITHM))
    v->facts.signature_bad = 1;
  else
    v->facts.signer_untrusted = 1;
  ocsp_verify_text(v->words, sizeof(v->words), verify);
}

/* Entries of one response looked at: a stapled one has the leaf's, and
 * at most a few more. */
#define MAX_OCSP_ENTRIES 64

/* What the response's entry for the leaf says. */
static void entry_facts(gnutls_ocsp_resp_t resp, gnutls_x509_crt_t leaf,
                        struct hr_ocsp_facts *f) {
  for (unsigned i = 0; i < MAX_OCSP_ENTRIES; i++) {
    int ret = gnutls_ocsp_resp_check_crt(resp, i, leaf);
    if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
      return;
    unsigned status = 0;
    time_t this_update = 0, next_update = 0, revoked = 0;
    if (ret < 0 || gnutls_ocsp_resp_get_single(
                       resp, i, NULL, NULL, NULL, NULL, &status, &this_update,
                       &next_update, &revoked, NULL) < 0)
      continue;
    f->covers_cert = 1;
    f->cert_status = status == GNUTLS_OCSP_CERT_GOOD ? HR_OCSP_CERT_GOOD
                     : status == GNUTLS_OCSP_CERT_REVOKED
                         ? HR_OCSP_CERT_REVOKED
                         : HR_OCSP_CERT_UNKNOWN;
    f->this_update = (int64_t)this_update;
    f->has_next_update = next_update != (time_t)-1;
    f->next_update = (int64_t)next_update;
    return;
  }
}

#define OID_PKIX_OCSP_BASIC "1.3.6.1.5.5.7.48.1.1"

/* A basic response with the fields every one has (RFC 6960 4.2.1), as
 * OpenSSL's decoder requires: GnuTLS's takes an empty SEQUENCE for one. */
static int basic_complete(gnutls_ocsp_resp_t resp) {
  gnutls_datum_t type = {NULL, 0}, sig = {NULL, 0};
  int ok = gnutls_ocsp_resp_get_response(resp, &type, NULL) >= 0 && type.data &&
           strcmp((const char *)type.data, OID_PKIX_OCSP_BASIC) == 0 &&
           gnutls_ocsp_resp_get_produced(resp) != (time_t)-1 &&
           gnutls_ocsp_resp_get_signature(resp, &sig) >= 0;
  gnutls_free(type.data);
  gnutls_free(sig.data);
  return ok;
}

/* The facts of the leaf's stapled response, as far as they go. */
static void read_status(const struct gt_conn *c, gnutls_session_t session,
                        struct hr_ocsp_verdict *v) {
  struct hr_ocsp_facts *f = &v->facts;
  gnutls_datum_t der = {NULL, 0};
  gnutls_ocsp_resp_t resp = NULL;
  gnutls_x509_crt_t issuer_copy = NULL;
  struct peer_chain pc = {.count = 0};
  if (gnutls_ocsp_status_request_get2(session, 0, &der) < 0 || der.size == 0)
    return;
  f->stapled = 1;
  int ret = gnutls_ocsp_resp_init(&resp);
  if (ret >= 0)
    ret = gnutls_ocsp_resp_import(resp, &der);
  if (ret < 0) {
    detail_text(v->words, sizeof(v->words), ret);
    goto done;
  }
  if ((f->response_status = gnutls_ocsp_resp_get_status(resp)) < 0) {
    detail_text(v->words, sizeof(v->words), f->response_status);
    goto done;
  }
  if (f->response_status != GNUTLS_OCSP_RESP_SUCCESSFUL) {
    f->parsed = 1;
    goto done;
  }
  /* import decodes a basic response; any other type is left undecoded. */
  if (!(f->parsed = basic_complete(resp)))
    goto done;
  peer_chain_load(session, &pc);
  if (pc.count == 0) {
    f->signer_untrusted = 1;
    goto done;
  }
  check_signer(resp, leaf_issuer(c->ctx, &pc, &issuer_copy), v);
  if (!f->signature_bad && !f->signer_untrusted)
    entry_facts(resp, pc.certs[0], f);
done:
  if (issuer_copy)
    gnutls_x509_crt_deinit(issuer_copy);
  peer_chain_clear(&pc);
  if (resp)
    gnutls_ocsp_resp_deinit(resp);
}

/* 0 when the server's stapled response vouches for its certificate (or
 * the context does not ask); -1 with the verdict kept. */
static int check_status(struct gt_conn *c, gnutls_session_t session) {
  if (!c->ctx->cert_status)
    return 0;
  int64_t now = (int64_t)time(NULL);
  memset(&c->status, 0, sizeof(c->status));
  read_status(c, session, &c->status);
  if (hr_ocsp_judge(&c->status, now) == HR_OCSP_GOOD)
    return 0;
  c->status_refused = 1;
  return -1;
}

/* Runs when the server's Certificate (and in TLS 1.3 CertificateVerify)
 * has arrived; non-zero aborts the handshake, so a bad certificate never
 * gets to carry data. The chain is verified without a host name, then by
 * the shared policy, and the name by the shared rules, so every provider
 * judges chains and names alike. */
static int verify_cb(gnutls_session_t session) {
  struct gt_conn *c = gnutls_session_get_ptr(session);
  gnutls_typed_vdata_st purpose = {
      .type = GNUTLS_DT_KEY_PURPOSE_OID,
      .data = (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER};
  unsigned status = 0;
  if (!c)
    return -1;
  int ret = gnutls_certificate_verify_peers(session, &purpose, 1, &status);
  if (ret >= 0 && status && any_stapled(session))
    ret = chain_status(session, c->ctx, &purpose, &status);
  if (ret == GNUTLS_E_CONSTRAINT_ERROR) { /* more than the depth allows */
    c->verdict.failed = 1;
    c->verdict.reason = HR_VERIFY_CHAIN_TOO_LONG;
    c->verdict.code = ret;
    report_path(c, session);
    return -1;
  }
  if (ret < 0) {
    c->verdict.failed = 1;
    c->verdict.reason = HR_VERIFY_OTHER;
    c->verdict.code = ret;
    snprintf(c->verdict.text, sizeof(c->verdict.text), "%s",
             gnutls_strerror(ret));
    report_path(c, session);
    return -1;
  }
  if (status) {
    enum hr_verify_reason reason = reason_of(session, status);
    /* OpenSSL judges a CRL's dates before what it lists. */
    enum hr_verify_reason dates = crl_dates(c->ctx, session);
    if (reason == HR_VERIFY_REVOKED && dates != HR_VERIFY_OTHER)
      reason = dates;
    status_verdict(c, status, reason);
    if (has_defect(status))
      policy_refuses(c, session); /* its reason, if it finds one */
    else
      report_path(c, session);
    return -1;
  }
  if (policy_refuses(c, session) != 0)
    return -1;
  enum hr_verify_reason dates = crl_dates(c->ctx, session);
  if (dates != HR_VERIFY_OTHER) {
    status_verdict(c,
                   GNUTLS_CERT_INVALID |
                       (dates == HR_VERIFY_CRL_EXPIRED
                            ? GNUTLS_CERT_REVOCATION_DATA_SUPERSEDED
                            : GNUTLS_CERT_REVOCATION_DATA_ISSUED_IN_FUTURE),
                   dates);
    return -1;
  }
  if (c->ctx->base.verify_hostname) {
    int matched = leaf_matches(session, c->name);
    hr_report_identity(c->report, matched);
    if (!matched) {
      status_verdict(c, GNUTLS_CERT_INVALID | GNUTLS_CERT_UNEXPECTED_OWNER,
                     HR_VERIFY_HOSTNAME);
      return -1;
    }
  }
  return check_status(c, session);
}

/* ---- the transport ------------------------------------------------------- */

static ssize_t push(gnutls_transport_ptr_t ptr, const void *buf, size_t len) {
  struct gt_conn *c = ptr;
  size_t n = 0;
  enum hr_io_result r = hr_io_send(&c->io, buf, len, &n);
  if (r == HR_IO_MOVED)
    return (ssize_t)n;
  if (r == HR_IO_BLOCKED) {
    gnutls_transport_set_errno(c->session, EAGAIN);
    return -1;
  }
  gnutls_transport_set_errno(c->session, c->io.err_no);
  return -1;
}

static ssize_t pull(gnutls_transport_ptr_t ptr, void *buf, size_t len) {
  struct gt_conn *c = ptr;
  size_t n = 0;
  enum hr_io_result r = hr_io_recv(&c->io, buf, len, &n);
  if (r == HR_IO_MOVED || r == HR_IO_END)
    return (ssize_t)n;
  gnutls_transport_set_errno(c->session,
                             r == HR_IO_BLOCKED ? EAGAIN : c->io.err_no);
  return -1;
}

/* The transport cannot tell whether data waits without taking it: "maybe"
 * sends GnuTLS to pull, which answers EAGAIN. The transport's poll() owns
 * every wait. */
static int pull_timeout(gnutls_transport_ptr_t ptr, unsigned ms) {
  (void)ptr;
  (void)ms;
  return 1;
}

/* ---- client certificate, when the server asks for one -------------------- */

/* The same certificate whatever CAs and key types the server names; GnuTLS
 * neither frees nor changes what it gets. */
static int retrieve_cb(gnutls_session_t session, const gnutls_datum_t *ca_rdn,
                       int nreqs, const gnutls_pk_algorithm_t *pk_algos,
                       int pk_algos_length, gnutls_pcert_st **pcert,
                       unsigned *pcert_length, gnutls_privkey_t *privkey) {
  const struct gt_conn *c = gnutls_session_get_ptr(session);
  (void)ca_rdn;
  (void)nreqs;
  (void)pk_algos;
  (void)pk_algos_length;
  *pcert = NULL;
  *pcert_length = 0;
  *privkey = NULL;
  if (c && c->ctx->client.count) {
    *pcert = c->ctx->client.pcerts;
    *pcert_length = c->ctx->client.count;
    *privkey = c->ctx->client.key;
  }
  return 0;
}

/* ---- key log ------------------------------------------------------------- */

/* Installed on every session, so GnuTLS's own SSLKEYLOGFILE writer never
 * runs: lines go only where httpr's opt-in put a log (provider rule 7). */
static int keylog_cb(gnutls_session_t session, const char *label,
                     const gnutls_datum_t *secret) {
  const struct gt_conn *c = gnutls_session_get_ptr(session);
  gnutls_datum_t client_random = {NULL, 0}, server_random = {NULL, 0};
  char line[512];
  if (!c || !c->ctx->base.keylog)
    return 0;
  gnutls_session_get_random(session, &client_random, &server_random);
  if (hr_keylog_format(line, sizeof(line), label, client_random.data,
                       client_random.size, secret->data, secret->size))
    hr_keylog_write_line(c->ctx->base.keylog, line);
  hr_wipe(line, sizeof(line));
  return 0;
}

/* ---- connections --------------------------------------------------------- */

static void gt_connection_free(void *vconn) {
  struct gt_conn *c = vconn;
  if (!c)
    return;
  if (c->session)
    gnutls_deinit(c->session);
  free(c->host);
  free(c->name);
  free(c);
}

/* Session settings that cannot fail but for lack of memory. */
static int setup_session(struct gt_conn *c) {
  const struct gt_ctx *ctx = c->ctx;
  gnutls_session_t s = c->session;
  if (gnutls_priority_set(s, ctx->priority) < 0 ||
      gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, ctx->creds) < 0)
    return 0;
  gnutls_session_set_ptr(s, c);
  gnutls_transport_set_ptr(s, c);
  gnutls_transport_set_push_function(s, push);
  gnutls_transport_set_pull_function(s, pull);
  gnutls_transport_set_pull_timeout_function(s, pull_timeout);
  gnutls_session_set_keylog_function(s, keylog_cb);
  /* The transport owns every timeout. */
  gnutls_handshake_set_timeout(s, 0);
  /* GnuTLS 3.7 asks for the server's OCSP response anyway; said here for
   * the check that needs it (verify_cb). */
  if (ctx->cert_status &&
      gnutls_ocsp_status_request_enable_client(s, NULL, 0, NULL) < 0)
    return 0;
  return ctx->alpn_count == 0 ||
         gnutls_alpn_set_protocols(s, ctx->alpn, ctx->alpn_count, 0) >= 0;
}

static httpr_code gt_connection_new(void *vctx, const char *host,
                                    const struct hr_tls_io *io, void **out,
                                    httpr_error *err) {
  const struct gt_ctx *ctx = vctx;
  httpr_code rc = HTTPR_OK;
  *out = NULL;
  if ((rc = hr_tls_conn_check(ctx, host, io, err)) != HTTPR_OK)
    return rc;
  struct gt_conn *c = calloc(1, sizeof(*c));
  gnutls_session_t session = NULL;
  if (!c || hr_tls_conn_names(host, &c->host, &c->name) != 0 ||
      gnutls_init(&session, GNUTLS_CLIENT | GNUTLS_NONBLOCK |
                                GNUTLS_POST_HANDSHAKE_AUTH | GNUTLS_NO_TICKETS_TLS12) < 0) {
    rc = hr_nomem(err);
    goto done;
  }
  c->session = session; /* only once made: a failed init leaves nothing */
  c->ctx = ctx;
  c->io.io = *io;
  if (!setup_session(c)) {
    rc = hr_nomem(err);
    goto done;
  }
  /* RFC 6066: an IP literal is never sent as SNI. */
  int ret = 0;
  if (!hr_ip_literal(c->name, NULL))
    ret = gnutls_server_name_set(c->session, GNUTLS_NAME_DNS, c->name,
                                 strlen(c->name));
  if (ret < 0) {
    hr_tls_host_unusable(err, host);
    rc = with_detail(err, ret);
  }
done:
  if (rc != HTTPR_OK) {
    gt_connection_free(c);
    return rc;
  }
  *out = c;
  return HTTPR_OK;
}

/* ---- mapping results ----------------------------------------------------- */

/* The alert our side sends for a certificate it refused, as OpenSSL
 * chooses it. */
static int verify_alert(enum hr_verify_reason reason) {
  switch (reason) {
  case HR_VERIFY_EXPIRED:
  case HR_VERIFY_CRL_EXPIRED:
    return GNUTLS_A_CERTIFICATE_EXPIRED;
  case HR_VERIFY_REVOKED:
    return GNUTLS_A_CERTIFICATE_REVOKED;
  case HR_VERIFY_UNKNOWN_ISSUER:
  case HR_VERIFY_SELF_SIGNED:
  case HR_VERIFY_SELF_SIGNED_IN_CHAIN:
    return GNUTLS_A_UNKNOWN_CA;
  default:
    return GNUTLS_A_BAD_CERTIFICATE;
  }
}

/* The detail of a refused certificate, in GnuTLS's words and the
 * policy's. */
static void verify_detail(const struct verdict *v, char *out, size_t cap) {
  if (v->code)
    detail_text(out, cap, v->code);
  else if (v->status && v->policy)
    snprintf(out, cap, "gnutls: %s (status 0x%x); httpr policy: %s", v->text,
             v->status, v->why);
  else if (v->status)
    snprintf(out, cap, "gnutls: %s (status 0x%x)", v->text, v->status);
  else
    snprintf(out, cap, "httpr policy: %s", v->why);
}

static int is_version_failure(int code) {
  return code == GNUTLS_E_UNSUPPORTED_VERSION_PACKET ||
         code == GNUTLS_E_NO_PRIORITIES_WERE_SET;
}

/* The fatal alert the server sent, -1 when the failure is not one. */
static int received_alert(const struct gt_conn *c, int code) {
  if (code != GNUTLS_E_FATAL_ALERT_RECEIVED &&
      code != GNUTLS_E_CERTIFICATE_REQUIRED)
    return -1;
  return (int)gnutls_alert_get(c->session);
}

/* Maps a fatal GnuTLS error of one operation. */
static enum hr_tls_status failed(struct gt_conn *c, enum hr_tls_op op,
                                 int code, httpr_error *err) {
  char lib[sizeof(err->detail)], refused[sizeof(err->detail)];
  c->failed = 1;
  /* GnuTLS checks the leaf's keyUsage against the key exchange itself,
   * when the server signs (TLS 1.3: before the verify callback). */
  if (op == HR_TLS_OP_HANDSHAKE && !c->verdict.failed &&
      code == GNUTLS_E_KEY_USAGE_VIOLATION && c->ctx->base.verify) {
    c->verdict.failed = 1;
    c->verdict.reason = HR_VERIFY_BAD_PURPOSE;
    c->verdict.code = code;
    report_path(c, c->session);
  }
  int alert = received_alert(c, code);
  const char *alert_name =
      alert < 0 ? NULL
                : gnutls_alert_get_name((gnutls_alert_description_t)alert);
  detail_text(lib, sizeof(lib), code);
  if (c->verdict.failed)
    verify_detail(&c->verdict, refused, sizeof(refused));
  struct hr_tls_facts f;
  hr_tls_facts_init(&f, op, c->host, &c->ctx->base, &c->io);
  f.peer_closed = code == GNUTLS_E_PREMATURE_TERMINATION || c->io.eof;
  f.verify_text = c->verdict.text;
  f.verify_detail = refused;
  f.alert = alert;
  f.alert_name = alert < 0 ? NULL : alert_name ? alert_name : "unknown";
  f.version_failure = is_version_failure(code);
  f.no_secure_renegotiation = code == GNUTLS_E_SAFE_RENEGOTIATION_FAILED;
  f.lib_reason = gnutls_strerror(code);
  f.lib_detail = lib;
  f.report = c->report;
  if (c->verdict.failed)
    hr_tls_refused(&f, c->verdict.reason);
  if (op == HR_TLS_OP_HANDSHAKE && c->status_refused)
    f.cert_status = &c->status;
  /* Tells the server why, as OpenSSL does; best effort, the session is
   * over. */
  switch (hr_tls_decide(&f, err)) {
  case HR_TLS_OUT_VERIFY:
    gnutls_alert_send(
        c->session, GNUTLS_AL_FATAL,
        (gnutls_alert_description_t)verify_alert(c->verdict.reason));
    break;
  case HR_TLS_OUT_STATUS: /* GnuTLS has no name for it */
    gnutls_alert_send(
        c->session, GNUTLS_AL_FATAL,
        (gnutls_alert_description_t)HR_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE);
    break;
  case HR_TLS_OUT_VERSION:
  case HR_TLS_OUT_FAILED:
    if (op == HR_TLS_OP_HANDSHAKE || op == HR_TLS_OP_READ)
      gnutls_alert_send_appropriate(c->session, code);
    break;
  default:
    break;
  }
  return HR_TLS_ERROR;
}

/* Which way a call that would block was going. */
static enum hr_tls_status want(const struct gt_conn *c) {
  return gnutls_record_get_direction(c->session) ? HR_TLS_WANT_WRITE
                                                 : HR_TLS_WANT_READ;
}

static int is_retry(int code) {
  return code == GNUTLS_E_AGAIN || code == GNUTLS_E_INTERRUPTED;
}

/* Each call starts from fresh I/O state. */
static void begin_call(struct gt_conn *c) { hr_io_begin(&c->io); }

/* GnuTLS also answers "again" after a record without application data (a
 * TLS 1.3 session ticket) when the transport did not block: the call is
 * then repeated, so the caller only waits when the socket has nothing
 * more. Non-fatal results (a warning alert, a TLS 1.2 HelloRequest, which
 * is ignored as RFC 5246 allows) are passed over the same way. This many
 * times in one call at most, then the caller is asked to wait. */
#define MAX_REPEATS 32

/* Not a failure: "again", or a non-fatal result, with the transport
 * intact. */
static int not_failed(const struct gt_conn *c, int code) {
  return c->io.failed == HR_IO_OK && !c->io.eof &&
         (is_retry(code) || !gnutls_error_is_fatal(code));
}

/* Whether to repeat the call at once rather than wait. */
static int go_on(const struct gt_conn *c, int code) {
  return not_failed(c, code) && !(is_retry(code) && c->io.blocked);
}

static enum hr_tls_status gt_handshake(void *vconn, httpr_error *err) {
  struct gt_conn *c = vconn;
  if (c->handshaken)
    return HR_TLS_DONE;
  int ret = GNUTLS_E_AGAIN;
  for (int i = 0; i < MAX_REPEATS; i++) {
    begin_call(c);
    ret = gnutls_handshake(c->session);
    if (ret == GNUTLS_E_SUCCESS) {
      gnutls_datum_t alpn = {0};
      c->handshaken = 1;
      c->h2 = gnutls_alpn_get_selected_protocol(c->session, &alpn) == 0 &&
              alpn.size == 2 && memcmp(alpn.data, "h2", 2) == 0;
      return HR_TLS_DONE;
    }
    if (!go_on(c, ret))
      break;
  }
  if (not_failed(c, ret))
    return want(c);
  return failed(c, HR_TLS_OP_HANDSHAKE, ret, err);
}

/* The read that brought a forbidden request on HTTP/2 fails. */
static enum hr_tls_status late_auth_refused(struct gt_conn *c,
                                            httpr_error *err) {
  struct hr_tls_facts f;
  c->failed = 1;
  hr_tls_facts_init(&f, HR_TLS_OP_READ, c->host, &c->ctx->base, &c->io);
  f.late_auth_on_h2 = 1;
  hr_tls_decide(&f, err);
  return HR_TLS_ERROR;
}

/* The next step of a read: application data, or, while the server asks
 * to authenticate us again, that exchange (TLS 1.3 post-handshake
 * authentication: gnutls_reauth; TLS 1.2 renegotiation: a handshake). */
static ssize_t read_step(struct gt_conn *c, void *buf, size_t cap) {
  if (c->again == GNUTLS_E_REAUTH_REQUEST)
    return gnutls_reauth(c->session, 0);
  if (c->again == GNUTLS_E_REHANDSHAKE)
    return gnutls_handshake(c->session);
  return gnutls_record_recv(c->session, buf, cap);
}

static enum hr_tls_status gt_read(void *vconn, void *buf, size_t cap,
                                  size_t *got, httpr_error *err) {
  struct gt_conn *c = vconn;
  *got = 0;
  if (cap == 0)
    return HR_TLS_DONE;
  ssize_t n = GNUTLS_E_AGAIN;
  for (int i = 0; i < MAX_REPEATS; i++) {
    begin_call(c);
    n = read_step(c, buf, cap);
    if (c->again && n == GNUTLS_E_SUCCESS) {
      c->again = 0; /* authenticated again: back to the data */
      continue;
    }
    if (!c->again && n > 0) {
      *got = (size_t)n;
      return HR_TLS_DONE;
    }
    if (!c->again && n == 0)
      return HR_TLS_CLOSED;
    /* RFC 9113 9.2.1 and RFC 8740: never on HTTP/2. */
    if (!c->again &&
        (n == GNUTLS_E_REAUTH_REQUEST || n == GNUTLS_E_REHANDSHAKE)) {
      if (c->h2)
        return late_auth_refused(c, err);
      c->again = (int)n;
      continue;
    }
    if (!go_on(c, (int)n))
      break;
  }
  if (not_failed(c, (int)n))
    return want(c);
  return failed(c, HR_TLS_OP_READ, (int)n, err);
}

/* After a want-write GnuTLS keeps the record it made; the transport
 * repeats the call with the same buffer, and GnuTLS then only sends what
 * is left of it and reports the length of that first call. */
static enum hr_tls_status gt_write(void *vconn, const void *buf, size_t len,
                                   size_t *put, httpr_error *err) {
  struct gt_conn *c = vconn;
  *put = 0;
  if (len == 0)
    return HR_TLS_DONE;
  begin_call(c);
  ssize_t n = gnutls_record_send(c->session, buf, len);
  if (n > 0 && !c->io.send_broken) {
    *put = (size_t)n;
    return HR_TLS_DONE;
  }
  if (n > 0)
    return hr_tls_broken_send(c->host, &c->ctx->base, &c->io, err);
  if (is_retry((int)n))
    return want(c);
  return failed(c, HR_TLS_OP_WRITE, n == 0 ? GNUTLS_E_PUSH_ERROR : (int)n, err);
}

static enum hr_tls_status gt_shutdown(void *vconn, httpr_error *err) {
  struct gt_conn *c = vconn;
  /* Nothing to close after a fatal error or before a handshake. */
  if (!c->handshaken || c->failed)
    return HR_TLS_DONE;
  begin_call(c);
  int ret = gnutls_bye(c->session, GNUTLS_SHUT_WR);
  if (ret == GNUTLS_E_SUCCESS)
    return HR_TLS_DONE;
  if (is_retry(ret))
    return want(c);
  return failed(c, HR_TLS_OP_SHUTDOWN, ret, err);
}

/* ---- negotiated parameters ----------------------------------------------- */

/* GnuTLS's "TLS1.3" as OpenSSL names it, "TLSv1.3" ("TLSv1" for 1.0), the
 * name every provider reports. */
static void version_name(char *dst, size_t cap, gnutls_protocol_t v) {
  const char *name = gnutls_protocol_get_name(v);
  if (!name) {
    hr_copy_str(dst, cap, "", 0);
    return;
  }
  size_t letters = strcspn(name, "0123456789");
  const char *number = name + letters;
  size_t nlen = strlen(number);
  if (nlen > 2 && strcmp(number + nlen - 2, ".0") == 0)
    nlen -= 2;
  if (letters == 0 || nlen == 0) {
    hr_copy_str(dst, cap, name, strlen(name));
    return;
  }
  snprintf(dst, cap, "%.*sv%.*s", (int)letters, name, (int)nlen, number);
}

typedef int (*dn_getter)(gnutls_x509_crt_t, gnutls_datum_t *, unsigned);

/* RFC 4514: the same text as OpenSSL's RFC 2253 printing for names of
 * single-valued ASCII RDNs (multi-valued RDNs keep their DER order here,
 * and UTF-8 stays UTF-8). */
static void print_dn(char *dst, size_t cap, gnutls_x509_crt_t crt,
                     dn_getter get) {
  gnutls_datum_t dn = {NULL, 0};
  if (get(crt, &dn, 0) >= 0 && dn.data)
    hr_copy_str(dst, cap, (const char *)dn.data, dn.size);
  gnutls_free(dn.data);
}

static void leaf_names(gnutls_session_t session, struct hr_tls_info *out) {
  unsigned n = 0;
  const gnutls_datum_t *der = gnutls_certificate_get_peers(session, &n);
  gnutls_x509_crt_t leaf = NULL;
  if (!der || n == 0 || gnutls_x509_crt_init(&leaf) < 0)
    return;
  if (gnutls_x509_crt_import(leaf, &der[0], GNUTLS_X509_FMT_DER) >= 0) {
    print_dn(out->subject, sizeof(out->subject), leaf, gnutls_x509_crt_get_dn3);
    print_dn(out->issuer, sizeof(out->issuer), leaf,
             gnutls_x509_crt_get_issuer_dn3);
  }
  gnutls_x509_crt_deinit(leaf);
}

static void gt_info(void *vconn, struct hr_tls_info *out) {
  const struct gt_conn *c = vconn;
  gnutls_datum_t alpn = {NULL, 0};
  const char *s;
  memset(out, 0, sizeof(*out));
  version_name(out->version, sizeof(out->version),
               gnutls_protocol_get_version(c->session));
  /* The IANA name, which every provider can give. */
  if ((s = gnutls_ciphersuite_get(c->session)))
    hr_copy_str(out->cipher, sizeof(out->cipher), s, strlen(s));
  if (gnutls_alpn_get_selected_protocol(c->session, &alpn) == 0 && alpn.data)
    hr_copy_str(out->alpn, sizeof(out->alpn), (const char *)alpn.data, alpn.size);
  /* GnuTLS names groups in capitals ("SECP256R1"); the IANA names are in
   * lower case. */
  gnutls_group_t group = gnutls_group_get(c->session);
  if (group && (s = gnutls_group_get_name(group))) {
    hr_copy_str(out->group, sizeof(out->group), s, strlen(s));
    for (char *g = out->group; *g; g++)
      *g = (char)tolower((unsigned char)*g);
  }
  leaf_names(c->session, out);
  out->resumed = gnutls_session_is_resumed(c->session) != 0;
}

/* ---- for public key pinning --------------------------------------------- */

/* The session's own copy of the leaf, resumed sessions' too. */
static int gt_peer_certificate(void *vconn, const unsigned char **der,
                               size_t *len) {
  const struct gt_conn *c = vconn;
  unsigned n = 0;
  const gnutls_datum_t *peers = gnutls_certificate_get_peers(c->session, &n);
  if (!peers || n == 0)
    return -1;
  *der = peers[0].data;
  *len = peers[0].size;
  return 0;
}

static int gt_sha256(const void *data, size_t len, unsigned char out[32]) {
  return gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, out) == 0 ? 0 : -1;
}

/* ---- session resumption -------------------------------------------------- */

/* Whether the session holds something a server can resume. In TLS 1.3
 * only a ticket can be (GnuTLS's data before one would be a dummy, and
 * asking for it on a blocking session would wait for one); a resumed
 * connection's flags count only the tickets that came on it, so the one
 * just used is not offered again (RFC 8446 C.4). In TLS 1.2 a session id
 * or a ticket from the server. */
static int holds_resumable(gnutls_session_t s) {
  if (gnutls_session_get_flags(s) & GNUTLS_SFLAGS_SESSION_TICKET)
    return 1;
  if (gnutls_protocol_get_version(s) == GNUTLS_TLS1_3)
    return 0;
  gnutls_datum_t id = {NULL, 0};
  return gnutls_session_get_id2(s, &id) == 0 && id.size > 0;
}

/* The session is GnuTLS's session data, which never leaves the process
 * and is only ever given back whole (GnuTLS 3.7's gnutls_session_set_data
 * on data cut short leaves the session half-freed). */
static void *gt_session_export(void *vconn) {
  struct gt_conn *c = vconn;
  gnutls_datum_t d = {NULL, 0};
  if (!c->handshaken || c->failed || !holds_resumable(c->session))
    return NULL;
  /* GNUTLS_E_INVALID_SESSION: GnuTLS says it is not resumable after all. */
  int ret = gnutls_session_get_data2(c->session, &d);
  struct hr_session_blob *b =
      ret >= 0 && d.size > 0 ? hr_session_blob_new(d.size) : NULL;
  if (b)
    memcpy(b->data, d.data, d.size);
  if (d.data)
    gnutls_memset(d.data, 0, d.size); /* it holds the session's secrets */
  gnutls_free(d.data);
  return b;
}

static int gt_session_import(void *vconn, void *session) {
  struct gt_conn *c = vconn;
  const struct hr_session_blob *b = session;
  if (c->handshaken || !b || b->len == 0)
    return -1;
  return gnutls_session_set_data(c->session, b->data, b->len) < 0 ? -1 : 0;
}

static void gt_set_report(void *vconn, struct httpr_verify_report *r) {
  struct gt_conn *c = vconn;
  c->report = r;
}

/* ---- the provider -------------------------------------------------------- */

/* What setup_groups can offer, for the capability query. */
static const char *const offered_groups[] = {"x25519", "x448", "secp256r1", "secp384r1", "secp521r1", "ffdhe2048", "ffdhe3072", "ffdhe4096", NULL};

const struct hr_tls_provider hr_provider_gnutls = {
    .name = "gnutls",
    .features = HTTPR_FEATURE_TLS13 | HTTPR_FEATURE_TLS12 |
                HTTPR_FEATURE_CA_DIR | HTTPR_FEATURE_PKCS12 |
                HTTPR_FEATURE_ENCRYPTED_KEY | HTTPR_FEATURE_KEYLOG |
                HTTPR_FEATURE_ALPN | HTTPR_FEATURE_SYSTEM_STORE |
                HTTPR_FEATURE_SESSION_RESUME | HTTPR_FEATURE_PEER_CRITICAL_NC |
                HTTPR_FEATURE_POST_HANDSHAKE_AUTH | HTTPR_FEATURE_RENEGOTIATION |
                HTTPR_FEATURE_TLS_GROUP | HTTPR_FEATURE_CERT_STATUS,
    .library_version = gt_library_version,
    .global_init = gt_global_init,
    .global_cleanup = gt_global_cleanup,
    .context_new = gt_context_new,
    .context_free = gt_context_free,
    .connection_new = gt_connection_new,
    .connection_free = gt_connection_free,
    .handshake = gt_handshake,
    .read = gt_read,
    .write = gt_write,
    .shutdown = gt_shutdown,
    .info = gt_info,
    .session_export = gt_session_export,
    .session_import = gt_session_import,
    .session_free = hr_session_blob_free,
    .groups = offered_groups,
    .cipher_suites = gt_cipher_suites,
    .set_report = gt_set_report,
    .peer_certificate = gt_peer_certificate,
    .sha256 = gt_sha256,
};
