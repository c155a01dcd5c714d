/* SPDX-License-Identifier: MIT */
/*
 * httpr.h - the public API of libhttpr, an HTTP(S) client library whose TLS
 * stack is a swappable provider (OpenSSL, GnuTLS, mbedTLS).
 *
 * Conventions that hold for every function below:
 *  - Handles are opaque and created and freed only by the library. Every
 *    *_free function accepts NULL.
 *  - Strings passed in are copied; the library never keeps a caller's
 *    pointer unless a function says so.
 *  - Strings returned are owned by the object they come from and stay valid
 *    until that object is freed (or the same setter is called again).
 *  - A function that can fail returns an httpr_code (HTTPR_OK on success).
 *    Where it takes an `httpr_error *err`, a failure also fills it with a
 *    one-line message and the TLS provider's detail; err may be NULL.
 *  - No TLS library type appears here, so the ABI does not change when a
 *    TLS library does.
 */
#ifndef HTTPR_H
#define HTTPR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(HTTPR_BUILDING_LIBRARY) && defined(__GNUC__)
#define HTTPR_EXPORT __attribute__((visibility("default")))
#else
#define HTTPR_EXPORT
#endif

/* Library version of this header; httpr_version() and httpr_version_num()
 * give the linked one. HTTPR_VERSION_NUM is 0xMMmmpp (major, minor, patch,
 * one byte each, as nghttp2's), so a program can compare versions with <
 * at compile time: #if HTTPR_VERSION_NUM >= 0x000100. */
#define HTTPR_VERSION_MAJOR 0
#define HTTPR_VERSION_MINOR 1
#define HTTPR_VERSION_PATCH 0
#define HTTPR_VERSION_STRING "0.1.0"
#define HTTPR_VERSION_NUM                                                      \
  ((HTTPR_VERSION_MAJOR << 16) | (HTTPR_VERSION_MINOR << 8) |                  \
   HTTPR_VERSION_PATCH)

/* ------------------------------------------------------------------------ */
/* Error codes. Stable: values are never renumbered, new ones are appended. */

typedef enum httpr_code {
  HTTPR_OK = 0,
  HTTPR_E_URL = 1,                  /* malformed URL */
  HTTPR_E_UNSUPPORTED_PROTOCOL = 2, /* e.g. http:// while HTTPS-only */
  HTTPR_E_RESOLVE = 3,              /* host name not resolved */
  HTTPR_E_CONNECT = 4,              /* TCP connect failed */
  HTTPR_E_TIMEOUT = 5,              /* a time limit reached: connect, total,
                                       inactivity or low speed */
  HTTPR_E_TLS_HANDSHAKE = 6,        /* handshake failed, incl. server alerts */
  HTTPR_E_CERT_UNTRUSTED = 7,       /* chain does not lead to a trust anchor */
  HTTPR_E_CERT_EXPIRED = 8,         /* a certificate's validity has ended */
  HTTPR_E_CERT_NOT_YET_VALID = 9,   /* a certificate's validity not begun */
  HTTPR_E_CERT_HOSTNAME = 10,       /* certificate does not match host/IP */
  HTTPR_E_CERT_OTHER = 11,          /* any other verification failure */
  HTTPR_E_CA_FILE = 12,             /* CA file/directory missing, unreadable,
                                       or holding no certificate */
  HTTPR_E_CLIENT_CERT = 13,         /* client cert/key unusable, wrong
                                       password, or mismatched */
  HTTPR_E_SEND = 14,                /* connection broke while sending */
  HTTPR_E_RECV = 15,                /* connection broke while receiving */
  HTTPR_E_PARTIAL = 16,             /* body ended before its announced end */
  HTTPR_E_PROTOCOL = 17,            /* malformed HTTP from the server */
  HTTPR_E_TOO_LARGE = 18,           /* a configured size limit exceeded */
  HTTPR_E_UNSUPPORTED = 19,         /* feature missing in provider/build */
  HTTPR_E_PROVIDER = 20,            /* provider unknown or not built in */
  HTTPR_E_INVALID = 21,             /* bad argument from the caller */
  HTTPR_E_NOMEM = 22,               /* allocation failed */
  HTTPR_E_REDIRECT_LIMIT = 23,      /* more redirects than the hop limit */
  HTTPR_E_WRITE = 24,               /* the body write callback failed */
  HTTPR_E_READ = 25,                /* the request body read callback failed */
  HTTPR_E_CANCELLED = 26,           /* the caller cancelled the transfer */
  HTTPR_E_CERT_STATUS = 27,         /* the certificate status check (OCSP
                                       stapling) refused the server */
  HTTPR_E_PINNED_KEY = 28,          /* the server's public key is not the
                                       pinned one, or the pin is unusable */
  HTTPR_E_CRL_FILE = 29,            /* CRL file missing, unreadable, or
                                       holding no CRL or a malformed one */
  HTTPR_E_INTERFACE = 30,           /* the local end (interface, local
                                       address) could not be bound */
  HTTPR_E_PROXY = 31,               /* the proxy refused or failed the
                                       tunnel (SOCKS5 reply, method or
                                       authentication), or broke its
                                       protocol */
  HTTPR_E_RESOLVE_PROXY = 32,       /* the proxy's name did not resolve */
  HTTPR_E_PROXY_CONNECT = 33,       /* the HTTP proxy refused the tunnel
                                       (its CONNECT answer) or broke it */

  /* The old name of HTTPR_E_PROVIDER, the same value: kept so code written
   * against it still builds. httpr_code_name() answers "HTTPR_E_PROVIDER"
   * for either. */
  HTTPR_E_BACKEND = HTTPR_E_PROVIDER
} httpr_code;

/* The enum constant's name, e.g. "HTTPR_E_URL"; "HTTPR_E_UNKNOWN" for a value
 * outside the enum. Static storage, never NULL. */
HTTPR_EXPORT const char *httpr_code_name(httpr_code code);

/* A short English description of the code. Static storage, never NULL. */
HTTPR_EXPORT const char *httpr_code_description(httpr_code code);

/* ------------------------------------------------------------------------ */
/* Error object. One per call site; reusable (each failure overwrites it). */

typedef struct httpr_error httpr_error;

/* Returns a new, cleared error object, or NULL when out of memory. */
HTTPR_EXPORT httpr_error *httpr_error_new(void);
/* Frees the error object; NULL is accepted. */
HTTPR_EXPORT void httpr_error_free(httpr_error *err);
/* Resets to HTTPR_OK with empty texts. NULL is accepted. */
HTTPR_EXPORT void httpr_error_clear(httpr_error *err);
/* Copies src into dst (both allocated with httpr_error_new), e.g. to keep
 * the error an event loop's completion callback was given; src NULL
 * clears dst. NULL dst is accepted. */
HTTPR_EXPORT void httpr_error_copy(httpr_error *dst, const httpr_error *src);
/* The code of the last failure recorded, HTTPR_OK when none. */
HTTPR_EXPORT httpr_code httpr_error_code(const httpr_error *err);
/* One line for humans, the same whatever the provider, e.g.
 * "certificate verify failed: certificate has expired". Never NULL. */
HTTPR_EXPORT const char *httpr_error_message(const httpr_error *err);
/* The provider's (or the system's) own text and code, e.g.
 * "openssl: X509_V_ERR_CERT_HAS_EXPIRED (10): certificate has expired".
 * Empty string when there is none. Never NULL. */
HTTPR_EXPORT const char *httpr_error_detail(const httpr_error *err);
/* A short cure for a common cause, e.g. "the CA bundle lacks the issuer:
 * give it with --cacert or SSL_CERT_FILE". Empty string when none. */
HTTPR_EXPORT const char *httpr_error_hint(const httpr_error *err);
/* 1 when the failure belongs to HTTP/2: it happened on an HTTP/2
 * connection, or HTTP/2 was required and not negotiated (curl reports
 * HTTP/2 protocol errors as exit 16, HTTP/1.x ones as 8). */
HTTPR_EXPORT int httpr_error_is_http2(const httpr_error *err);

/* ------------------------------------------------------------------------ */
/* Library and provider registry. */

/* The linked library's version, e.g. "0.1.0". Static storage. */
HTTPR_EXPORT const char *httpr_version(void);
/* The linked library's version as a number, HTTPR_VERSION_NUM of the
 * header it was built with (0xMMmmpp, e.g. 0x000100 for 0.1.0): compare it
 * with the HTTPR_VERSION_NUM a program was compiled against to tell an
 * older library at run time. Cannot fail. */
HTTPR_EXPORT uint32_t httpr_version_num(void);

/* Feature bits a provider declares. Asking for a feature a provider lacks
 * fails with HTTPR_E_UNSUPPORTED, never silently. */
#define HTTPR_FEATURE_TLS13 (1u << 0)          /* TLS 1.3 */
#define HTTPR_FEATURE_TLS12 (1u << 1)          /* TLS 1.2 */
#define HTTPR_FEATURE_CA_DIR (1u << 2)         /* CA directory, hashed or not */
#define HTTPR_FEATURE_PKCS12 (1u << 3)         /* PKCS#12 client credentials */
#define HTTPR_FEATURE_ENCRYPTED_KEY (1u << 4)  /* password-protected keys */
#define HTTPR_FEATURE_KEYLOG (1u << 5)         /* NSS key log file */
#define HTTPR_FEATURE_ALPN (1u << 6)           /* ALPN */
#define HTTPR_FEATURE_SESSION_RESUME (1u << 7) /* TLS session resumption */
#define HTTPR_FEATURE_SYSTEM_STORE (1u << 8)   /* system trust store */
/* A CA certificate sent by the server may carry a critical nameConstraints
 * extension (mbedTLS 2.28 cannot parse one: such a chain fails with
 * HTTPR_E_CERT_OTHER "unhandled critical extension"). */
#define HTTPR_FEATURE_PEER_CRITICAL_NC (1u << 9)
/* A TLS 1.3 server may ask for the client certificate after the handshake
 * (post-handshake authentication, RFC 8446 4.6.2), as Apache does for one
 * path: the configured credential is sent, never on HTTP/2. */
#define HTTPR_FEATURE_POST_HANDSHAKE_AUTH (1u << 10)
/* A TLS 1.2 server may renegotiate (RFC 5746 secure renegotiation only),
 * for example to ask for the client certificate; never on HTTP/2. */
#define HTTPR_FEATURE_RENEGOTIATION (1u << 11)
/* The key exchange's group is reported (httpr_response_tls_group). */
#define HTTPR_FEATURE_TLS_GROUP (1u << 12)
/* The server's certificate status can be required: a good OCSP response
 * stapled in the handshake (httpr_config_set_cert_status). */
#define HTTPR_FEATURE_CERT_STATUS (1u << 13)
/* A configured cipher suite list is offered exactly, each TLS version's
 * on its own (httpr_config_set_ciphers): without it (gnutls) the library
 * enables suites as a cross product, and a list it cannot offer exactly
 * is refused. */
#define HTTPR_FEATURE_EXACT_CIPHERS (1u << 14)

/* Number of providers built in. */
HTTPR_EXPORT size_t httpr_provider_count(void);
/* Name ("openssl", ...) of provider i, NULL when i is out of range.
 * Static storage. */
HTTPR_EXPORT const char *httpr_provider_name(size_t i);
/* Human version of the TLS library provider i is linked with, e.g.
 * "OpenSSL 3.0.11 19 Sep 2023"; NULL when i is out of range. Static. */
HTTPR_EXPORT const char *httpr_provider_library_version(size_t i);
/* The k-th key exchange group (IANA name, "x25519") provider i can offer
 * (httpr_config_set_groups), counting from 0; NULL past the last one or
 * for i out of range. */
HTTPR_EXPORT const char *httpr_provider_group(size_t i, size_t k);
/* The k-th cipher suite (IANA name) provider i offers and a configured
 * list may choose (httpr_config_set_ciphers, ..._tls13_ciphers), in its
 * library's order, counting from 0; NULL past the last one or for i out
 * of range. Static storage. */
HTTPR_EXPORT const char *httpr_provider_cipher(size_t i, size_t k);
/* Feature bits of provider i, 0 when i is out of range. */
HTTPR_EXPORT uint32_t httpr_provider_features(size_t i);
/* Capability query by name: fills *features and returns HTTPR_OK, or
 * returns HTTPR_E_PROVIDER when no provider of that name is built in. */
HTTPR_EXPORT httpr_code httpr_provider_features_by_name(const char *name,
                                                        uint32_t *features);
/* The provider a config that names none uses, the first of: the one the
 * environment names (HTTPR_TLS_PROVIDER, or when that is unset its old
 * name HTTPR_TLS_BACKEND) when it is present; the first name of the
 * system's providers.conf (configure's --with-providers-conf, normally
 * /etc/httpr/providers.conf) that is present; the build's default
 * (configure's --with-default-tls); the first provider present. The file
 * is read once per process, at the first call (or the first
 * httpr_client_new naming no provider): a change to it counts in
 * processes started afterwards. A file with an error is ignored as a
 * whole: httpr_default_provider_origin says why. "" when no provider is
 * present. Static storage. */
HTTPR_EXPORT const char *httpr_default_provider(void);
/* httpr_default_provider(), and in buf (size bytes, always terminated when
 * size > 0; buf NULL or size 0: not wanted) where that choice came from,
 * for a person to read: "HTTPR_TLS_PROVIDER", "HTTPR_TLS_BACKEND", the
 * system file's path, "build default" or "first present"; then, when the
 * system file was ignored, "; PATH ignored: REASON" (e.g. "line 3: unknown
 * setting \"prefer\""), or when the choice fell below a valid file,
 * "; PATH: no provider of its order is present". A text longer than size
 * is cut. */
HTTPR_EXPORT const char *httpr_default_provider_origin(char *buf,
                                                       size_t size);
/* The name of one feature bit ("tls1.3", "ca-dir", ...), NULL for an
 * unknown bit. Static storage. */
HTTPR_EXPORT const char *httpr_feature_name(uint32_t feature_bit);

/* ------------------------------------------------------------------------ */
/* Verification reports: what verifying a server's certificate did, for
 * people comparing TLS stacks (httpr --verify-report) and for logs. A
 * client asked for them (httpr_config_set_verify_report_callback) hands
 * its callback one report per full handshake of a new connection, when
 * that handshake ends, whether the server was accepted or refused, before
 * the request's own result is known. There is none for a resumed session
 * (the server sends no certificate), with verification off, or when the
 * handshake ended before a certificate came. A report is read-only and
 * valid during the callback only; every string is the report's.
 *
 * It holds:
 *  - the path the provider built, leaf first, as subject and issuer per
 *    certificate, printed by httpr itself (RFC 2253 as OpenSSL prints
 *    it), so the same path reads the same from every provider: the path
 *    its TLS library verified, or the one it built before refusing (as
 *    far as the library gives it: empty when the library refused the
 *    chain before building one, as mbedtls does for a chain it cannot
 *    parse);
 *  - the result: "ok", or the message the failure's error has;
 *  - who decided a refusal: one of the shared checks every provider
 *    runs, or the TLS library itself;
 *  - the shared checks that ran, in order, each passed or failed. */

/* A report, and the callback a client hands one to. */
typedef struct httpr_verify_report httpr_verify_report;
typedef void (*httpr_verify_report_cb)(const httpr_verify_report *report,
                                       void *userdata);

/* The number of certificates of the path (at most 11: the leaf, eight
 * intermediates, a trust anchor and one more); 0 when the provider could
 * give none. */
HTTPR_EXPORT size_t
httpr_verify_report_cert_count(const httpr_verify_report *report);
/* Subject and issuer of certificate i of the path (0: the leaf), e.g.
 * "CN=localhost", "CN=httpr test intermediate"; NULL when i is out of
 * range. */
HTTPR_EXPORT const char *
httpr_verify_report_cert_subject(const httpr_verify_report *report, size_t i);
HTTPR_EXPORT const char *
httpr_verify_report_cert_issuer(const httpr_verify_report *report, size_t i);
/* "ok" when nothing refused the server, else the refusal's message as the
 * request's error has it, the same on every provider: "certificate verify
 * failed: certificate has expired". Never NULL. */
HTTPR_EXPORT const char *
httpr_verify_report_result(const httpr_verify_report *report);
/* Who refused the server: "" when nothing did; "library" when the
 * provider's TLS library refused it by its own checks; else the name of
 * the shared check that did (see httpr_verify_report_check). Never NULL. */
HTTPR_EXPORT const char *
httpr_verify_report_decided_by(const httpr_verify_report *report);
/* Why, in the decider's words: the shared check's ("depth 0: a name
 * outside the permitted subtrees of depth 1"), or the library's (the
 * error's detail, "openssl: X509_V_ERR_CERT_HAS_EXPIRED (10): ...").
 * "" when nothing refused. Never NULL. */
HTTPR_EXPORT const char *
httpr_verify_report_detail(const httpr_verify_report *report);
/* The k-th shared check that ran (from 0, in the order they ran), with
 * *passed (may be NULL) 1 when it passed and 0 when it refused; NULL past
 * the last. The checks, in their order: the policy's "chain-length",
 * "der" (every certificate readable), "critical-extensions", "ca" (the
 * issuers are CAs that may sign, path length constraints hold),
 * "purpose" (extendedKeyUsage), "name-constraints", "key-strength",
 * "signature-algorithm", "key-usage" (the leaf's, for the key exchange);
 * then "identity" (the leaf names the host). A check the library's own
 * refusal came before did not run. */
HTTPR_EXPORT const char *
httpr_verify_report_check(const httpr_verify_report *report, size_t k,
                          int *passed);

/* ------------------------------------------------------------------------ */
/* Config: every setting of a client. Not thread-safe by itself; a client
 * copies it, so a config may be freed or changed after httpr_client_new. */

typedef struct httpr_config httpr_config;

typedef enum httpr_tls_version {
  HTTPR_TLS_DEFAULT = 0, /* min: TLS 1.2 (or the system's); max: the
                            provider's highest (or the system's) */
  HTTPR_TLS_1_2 = 12,
  HTTPR_TLS_1_3 = 13
} httpr_tls_version;

/* Kinds of event the debug callback receives (the CLI's -v). */
typedef enum httpr_debug_kind {
  HTTPR_DEBUG_INFO = 0,       /* one line about the connection or TLS */
  HTTPR_DEBUG_HEADER_OUT = 1, /* the request head as sent (CRLF lines) */
  HTTPR_DEBUG_HEADER_IN = 2   /* one response header line, without CRLF */
} httpr_debug_kind;

/* Called from the thread running the request. `text` is valid only during
 * the call and is not NUL-terminated; `len` is its length. */
typedef void (*httpr_debug_cb)(httpr_debug_kind kind, const char *text,
                               size_t len, void *userdata);

/* Returns a config with the defaults documented on each setter, or NULL
 * when out of memory. */
HTTPR_EXPORT httpr_config *httpr_config_new(void);
/* Frees the config and the strings it copied; NULL is accepted. A client
 * made from it keeps its own copy, so the config may be freed at once. */
HTTPR_EXPORT void httpr_config_free(httpr_config *cfg);

/* Certificate verification; default on. Off means no check at all (for
 * development only). Returns HTTPR_OK, or HTTPR_E_INVALID for cfg NULL. */
HTTPR_EXPORT httpr_code httpr_config_set_verify(httpr_config *cfg, int on);
/* Host-name/IP identity check while verification is on; default on. With
 * it off the chain is still verified. HTTPR_OK or HTTPR_E_INVALID. */
HTTPR_EXPORT httpr_code httpr_config_set_verify_hostname(httpr_config *cfg,
                                                         int on);
/* Require the server's certificate status, as curl's --cert-status does:
 * every handshake asks the server to staple an OCSP response (the TLS
 * status_request extension, RFC 6066 section 8) and fails unless one came
 * that is signed by the certificate's issuer or a responder the issuer
 * delegated to (id-kp-OCSPSigning, RFC 6960 4.2.2.2), names the server's
 * certificate, is current (thisUpdate not after now, nextUpdate not
 * before it, 5 minutes' leeway either way) and says "good". Anything else
 * fails the request with HTTPR_E_CERT_STATUS, the same message on every
 * provider: "certificate status check failed: " then "no OCSP response
 * was stapled", "the OCSP response cannot be parsed", "the OCSP responder
 * answered tryLater" (or its other statuses), "the OCSP response's
 * signature is invalid", "the OCSP response is not signed by the
 * certificate's issuer or its delegated responder", "the OCSP response is
 * for another certificate", "the OCSP response is not yet valid", "the
 * OCSP response has expired", "the OCSP response says the certificate is
 * revoked" or "the OCSP response says the certificate's status is
 * unknown"; the error's detail has the library's words and what the
 * response said. The response is judged after the chain and the name,
 * whose failures come first. It needs verification: with
 * httpr_config_set_verify off the request fails with HTTPR_E_INVALID. A
 * resumed handshake carries no certificate to check, so with this on no
 * session is resumed. A provider without HTTPR_FEATURE_CERT_STATUS
 * (mbedtls: mbedTLS 2.28 has no OCSP) fails the request with
 * HTTPR_E_UNSUPPORTED. Default off: a stapled response is then ignored.
 * HTTPR_OK, or HTTPR_E_INVALID for cfg NULL. */
HTTPR_EXPORT httpr_code httpr_config_set_cert_status(httpr_config *cfg, int on);
/* A PEM file of trust anchors (roots or intermediates). Overrides the
 * environment and the system store. NULL unsets. HTTPR_OK, HTTPR_E_INVALID
 * or HTTPR_E_NOMEM. The file is read when the client first needs TLS. */
HTTPR_EXPORT httpr_code httpr_config_set_ca_file(httpr_config *cfg,
                                                 const char *path);
/* A directory of PEM certificates, with or without OpenSSL hash names.
 * NULL unsets. HTTPR_OK, HTTPR_E_INVALID or HTTPR_E_NOMEM. */
HTTPR_EXPORT httpr_code httpr_config_set_ca_dir(httpr_config *cfg,
                                                const char *path);
/* A PEM file of CRLs (one or more "X509 CRL" blocks) that the server's
 * chain is checked against while verification is on, as curl's
 * --crlfile: the leaf and every intermediate. A certificate its issuer's
 * CRL lists fails with HTTPR_E_CERT_OTHER "certificate verify failed:
 * certificate revoked"; a CRL past its nextUpdate that applies to the
 * chain fails with "certificate verify failed: CRL has expired" (one
 * whose thisUpdate is ahead: "... CRL is not yet valid"); a certificate
 * whose issuer has no CRL in the file passes. The same on
 * every provider. The file is read when the client first needs TLS, with
 * verification off too (as curl reads it; nothing is checked then): one
 * that cannot be read, holds no PEM CRL or one that cannot be parsed
 * fails that request with HTTPR_E_CRL_FILE naming it. NULL unsets.
 * HTTPR_OK, HTTPR_E_INVALID (empty, CR or LF) or HTTPR_E_NOMEM. */
HTTPR_EXPORT httpr_code httpr_config_set_crl_file(httpr_config *cfg,
                                                  const char *path);
/* Public key pinning, as curl's --pinnedpubkey: the server's certificate
 * must carry one of these public keys, compared on its
 * SubjectPublicKeyInfo once the handshake is done (after the chain was
 * verified, and with verification off too). The value is one or more
 * "sha256//BASE64" (the base64 of the SHA-256 of the DER
 * SubjectPublicKeyInfo) separated by ';', or else the path of a file
 * holding one public key in PEM ("-----BEGIN PUBLIC KEY-----") or DER.
 * Another key fails the request with HTTPR_E_PINNED_KEY "the server's
 * public key does not match the pinned public key" (the detail gives the
 * server's key as sha256//BASE64). The value is read when the client
 * first needs TLS: a hash that is not the base64 of 32 bytes, a list
 * entry without "sha256//", a file that cannot be read or holds no public
 * key fail that request with HTTPR_E_PINNED_KEY saying which. The same on
 * every provider. NULL unsets. HTTPR_OK, HTTPR_E_INVALID (empty, CR or
 * LF) or HTTPR_E_NOMEM. */
HTTPR_EXPORT httpr_code httpr_config_set_pinned_public_key(httpr_config *cfg,
                                                           const char *pin);
/* The proxy every request goes through (README "Proxies"):
 * "SCHEME://[user:password@]host[:port]" (no scheme means http://, the
 * port defaults to 1080, the credentials are percent-decoded and go to
 * the proxy alone).
 * - http://: an http:// URL goes to the proxy in absolute form, an
 *   https:// one through a CONNECT tunnel, TLS with the origin inside it
 *   as without a proxy (HTTP/2 too); the credentials are sent as
 *   Proxy-Authorization Basic.
 * - https://: the same over TLS to the proxy first (ALPN http/1.1,
 *   verified for the proxy's name with the proxy's own trust settings:
 *   httpr_config_set_proxy_ca_file, httpr_config_set_proxy_verify), so
 *   an https:// origin's TLS runs inside the proxy's (TLS in TLS).
 * - socks5:// and socks5h:// (RFC 1928): a TCP tunnel for every URL,
 *   https:// (TLS inside it) and http:// (in origin form). socks5://
 *   resolves the origin's name here (a pin, httpr_config_add_resolve, is
 *   its resolution; httpr_config_set_address_family chooses the family)
 *   and sends the first address; socks5h:// sends the name. The
 *   credentials, split at the first ':', are offered as username and
 *   password (RFC 1929). A refusal fails the request with HTTPR_E_PROXY
 *   naming the proxy's reply; for socks5://, an origin whose name does
 *   not resolve fails with HTTPR_E_RESOLVE, as without a proxy.
 * It wins over the proxy variables; httpr_config_set_noproxy and
 * NO_PROXY still apply. "" means no proxy, whatever the variables say
 * (curl's -x ""). The string is copied. NULL unsets. HTTPR_OK;
 * HTTPR_E_URL for a malformed URL (CR, LF, a path);
 * HTTPR_E_UNSUPPORTED_PROTOCOL for another scheme (socks4://, ftp://);
 * HTTPR_E_NOMEM. Failures leave the setting as it was. */
HTTPR_EXPORT httpr_code httpr_config_set_proxy(httpr_config *cfg,
                                               const char *url);
/* The proxy's credentials, "user:password" taken as given (not
 * percent-decoded); they replace those of the proxy's URL, whether it
 * comes from httpr_config_set_proxy or a variable: Basic for an HTTP
 * proxy, username/password for a SOCKS5 one (split at the first ':'; no
 * ':' is an empty password; an empty user name offers no
 * authentication). Copied. NULL unsets.
 * HTTPR_OK, HTTPR_E_INVALID (CR, LF or other controls), HTTPR_E_NOMEM. */
HTTPR_EXPORT httpr_code httpr_config_set_proxy_credentials(
    httpr_config *cfg, const char *user_password);
/* The CA certificates (PEM) an https:// proxy's certificate is verified
 * against, as curl's --proxy-cacert; NULL (the default): the system's
 * trust store, as for an origin without httpr_config_set_ca_file. The
 * origin's settings never apply to the proxy, nor these to the origin.
 * Copied; read when the first request through the proxy needs it, which
 * fails with HTTPR_E_CA_FILE when it is missing or holds no
 * certificate. HTTPR_OK, HTTPR_E_INVALID (CR or LF), HTTPR_E_NOMEM. */
HTTPR_EXPORT httpr_code httpr_config_set_proxy_ca_file(httpr_config *cfg,
                                                       const char *path);
/* on 0: an https:// proxy's certificate is not verified at all, as
 * curl's --proxy-insecure; the origin's still is, by its own settings.
 * On by default. A proxy certificate that fails verification fails the
 * request with the HTTPR_E_CERT_* code an origin's would get, its
 * message starting "proxy " ("proxy certificate verify failed: ...").
 * HTTPR_OK or HTTPR_E_INVALID (cfg NULL). */
HTTPR_EXPORT httpr_code httpr_config_set_proxy_verify(httpr_config *cfg,
                                                      int on);
/* Hosts reached directly though a proxy is set, as curl's --noproxy and
 * NO_PROXY: entries separated by commas or blanks, "*" for every host,
 * a name for itself and its subdomains (a leading dot changes nothing),
 * an IP address, or an address/bits network; names are never resolved
 * to compare them with addresses. It wins over NO_PROXY/no_proxy; ""
 * means no host. Copied. NULL unsets. HTTPR_OK, HTTPR_E_INVALID (CR or
 * LF), HTTPR_E_NOMEM. */
HTTPR_EXPORT httpr_code httpr_config_set_noproxy(httpr_config *cfg,
                                                 const char *list);
/* on non-zero: a client made from cfg reads the proxy variables when it
 * is made (httpr_client_new), as curl reads them: http_proxy (lower case
 * only) for http:// URLs, https_proxy then HTTPS_PROXY for https://,
 * all_proxy then ALL_PROXY for either when that is unset, and no_proxy
 * then NO_PROXY, through the library's table (a set-user-ID program reads
 * none). A variable that is set but not used is explained through the
 * debug callback. Off by default (the CLI turns it on, as curl).
 * httpr_client_new fails with HTTPR_E_URL naming a variable whose value
 * is malformed. HTTPR_OK or HTTPR_E_INVALID (cfg NULL). */
HTTPR_EXPORT httpr_code httpr_config_set_proxy_from_environment(
    httpr_config *cfg, int on);
/* Client credentials as one PEM file holding certificate and key. password
 * may be NULL (unencrypted key). Replaces any other client credential.
 * NULL path unsets. HTTPR_OK, HTTPR_E_INVALID or HTTPR_E_NOMEM. */
HTTPR_EXPORT httpr_code httpr_config_set_client_pem(httpr_config *cfg,
                                                    const char *path,
                                                    const char *password);
/* Client credentials as a certificate file and a key file (PEM), with an
 * optional key password (PKCS#8 or legacy PEM encryption). Replaces any
 * other client credential. NULL cert_path unsets. */
HTTPR_EXPORT httpr_code httpr_config_set_client_cert(httpr_config *cfg,
                                                     const char *cert_path,
                                                     const char *key_path,
                                                     const char *password);
/* Client credentials as a PKCS#12 file and its password (may be NULL for
 * none). Replaces any other client credential. NULL path unsets. */
HTTPR_EXPORT httpr_code httpr_config_set_client_pkcs12(httpr_config *cfg,
                                                       const char *path,
                                                       const char *password);
/* Refuse http:// URLs (HTTPR_E_UNSUPPORTED_PROTOCOL), also in redirects.
 * Default off. */
HTTPR_EXPORT httpr_code httpr_config_set_https_only(httpr_config *cfg, int on);
/* Lowest TLS version offered. The default, HTTPR_TLS_DEFAULT, is TLS 1.2,
 * or the system's minimum when that is stricter: each provider starts from
 * its TLS library's system configuration (OpenSSL's MinProtocol, GnuTLS's
 * system priority file; mbedTLS has none) and only makes it stricter. A
 * version set here that the system's policy forbids, or one the provider
 * lacks, fails the request with HTTPR_E_UNSUPPORTED saying why. */
HTTPR_EXPORT httpr_code httpr_config_set_min_tls_version(httpr_config *cfg,
                                                         httpr_tls_version v);
/* Highest TLS version offered; default the provider's highest, lowered
 * to the system's maximum when it has one. */
HTTPR_EXPORT httpr_code httpr_config_set_max_tls_version(httpr_config *cfg,
                                                         httpr_tls_version v);
/* Time allowed for name resolution, TCP connect and TLS handshake of one
 * connection, in milliseconds; default 30000; 0 means no limit. */
HTTPR_EXPORT httpr_code httpr_config_set_connect_timeout_ms(httpr_config *cfg,
                                                            long ms);
/* Time allowed for a whole request including redirects, in milliseconds;
 * default 0 (no limit). Checked in every send and receive loop, also
 * when data never stops coming: HTTPR_E_TIMEOUT ("operation timed out
 * after N milliseconds"). */
HTTPR_EXPORT httpr_code httpr_config_set_total_timeout_ms(httpr_config *cfg,
                                                          long ms);
/* Time a transfer may go on without moving a byte in either direction,
 * in milliseconds, once its connection is ready: a silent server, a
 * request body the server stops taking (also an HTTP/2 flow-control
 * window it never opens), a response that does not start. Default 30000;
 * 0 means no limit. Running out gives HTTPR_E_TIMEOUT ("inactivity
 * timeout: nothing sent or received for N milliseconds"). A request
 * waiting for its turn on a shared HTTP/2 connection counts the
 * connection's bytes, not only its own. Time spent in the caller's own
 * callbacks does not count. HTTPR_OK or HTTPR_E_INVALID (ms < 0). */
HTTPR_EXPORT httpr_code
httpr_config_set_inactivity_timeout_ms(httpr_config *cfg, long ms);
/* A low-speed limit, as curl's --speed-limit / --speed-time: a transfer
 * that moves fewer than bytes_per_second * seconds bytes (both directions
 * together) in a span of `seconds` fails with HTTPR_E_TIMEOUT ("operation
 * too slow: less than B bytes/sec transferred the last S seconds"). The
 * spans start when the connection is ready and follow each other, so a
 * transfer that turns slow fails within 2 * seconds. Either value 0 turns
 * the limit off (the default). HTTPR_OK, or HTTPR_E_INVALID for a negative
 * value, seconds above 86400 or bytes_per_second above 2^40. */
HTTPR_EXPORT httpr_code httpr_config_set_low_speed(httpr_config *cfg,
                                                   long bytes_per_second,
                                                   long seconds);
/* Pin host:port to addresses (as curl's --resolve): connections to that
 * origin go to `address` while SNI and identity checks keep using `host`.
 * `address` is one IPv4 or IPv6 literal, or a comma list of up to 16
 * ("[::1],127.0.0.1": IPv6 ones bare or in brackets), raced as resolved
 * addresses are (RFC 8305: the families alternate from the first one's,
 * each attempt 250 ms after the one before or as soon as it fails, the
 * first connected wins). May be called several times; a later pin for
 * the same host:port replaces the earlier one. HTTPR_E_INVALID for a bad
 * address, an empty element or port. */
HTTPR_EXPORT httpr_code httpr_config_add_resolve(httpr_config *cfg,
                                                 const char *host, int port,
                                                 const char *address);
/* The address families a client connects over, as curl's -4 / -6. */
typedef enum httpr_address_family {
  HTTPR_FAMILY_ANY = 0,  /* IPv6 and IPv4, raced (the default) */
  HTTPR_FAMILY_IPV4 = 4, /* IPv4 only */
  HTTPR_FAMILY_IPV6 = 6  /* IPv6 only */
} httpr_address_family;
/* Connect over one address family only: the addresses of a name (and of
 * a pin, httpr_config_add_resolve) of the other family are not tried. A
 * name with no address of that family fails with HTTPR_E_RESOLVE "could
 * not resolve host: NAME" (the detail says none was of that family); an
 * address literal of the other family in the URL fails with
 * HTTPR_E_CONNECT "failed to connect to ADDR port N: not an IPv6
 * address, and only IPv6 is allowed". No effect with a Unix socket.
 * HTTPR_OK, or HTTPR_E_INVALID for another value. */
HTTPR_EXPORT httpr_code
httpr_config_set_address_family(httpr_config *cfg, httpr_address_family f);
/* Bind the local end of each connection before it connects, as curl's
 * --interface: `local` is an IPv4 or IPv6 address literal, or else an
 * interface name ("lo": its first IPv4 and IPv6 addresses, a global IPv6
 * one before a link-local one); "if!NAME" is an interface only,
 * "host!ADDRESS" an address only (a literal, without a %scope: host names
 * are not resolved). Only addresses of a family the local end has are connected
 * to; the kernel picks the route from the local address (the device is
 * not forced). A request fails with HTTPR_E_INTERFACE "failed binding
 * local connection end: ..." when `local` is no interface and no
 * address, when the interface has no address, when the server has no
 * address of a family the local end has, or when bind() fails (an
 * address not of this host). No effect with a Unix socket. The string is
 * copied; NULL unsets. HTTPR_OK, HTTPR_E_INVALID (empty, CR or LF) or
 * HTTPR_E_NOMEM. */
HTTPR_EXPORT httpr_code httpr_config_set_interface(httpr_config *cfg,
                                                   const char *local);
/* Connect to this Unix domain socket instead of the URL's host and port,
 * as curl's --unix-socket: the request, TLS for https:// (SNI and the
 * server's identity checked against the URL's host) and everything else
 * stay the URL's. A client's connections all go through the socket, and
 * are pooled by origin as usual, so a client with a Unix socket never
 * shares one with a client without (pools are per client). A missing
 * path, a file that is not a socket, a socket no one listens on or one
 * the process may not write to fail with HTTPR_E_CONNECT "failed to
 * connect to HOST port N through the Unix socket PATH: REASON". The
 * address family, the local end and the pins do not apply. The path is
 * copied; NULL unsets. HTTPR_OK, HTTPR_E_INVALID (empty, CR or LF, or
 * longer than 107 bytes, the limit of sockaddr_un) or HTTPR_E_NOMEM. */
HTTPR_EXPORT httpr_code httpr_config_set_unix_socket(httpr_config *cfg,
                                                     const char *path);
/* Limit on the response head (status line plus header lines, each with
 * its CRLF), every interim (1xx) head before it counted with it; default
 * 102400 bytes. Exceeding it gives HTTPR_E_TOO_LARGE ("response headers
 * exceed the limit of N bytes"). It bounds a proxy's answer to CONNECT
 * too ("CONNECT response head larger than N bytes"). */
HTTPR_EXPORT httpr_code httpr_config_set_max_header_bytes(httpr_config *cfg,
                                                          size_t bytes);
/* Limit on a response body; default 0: no limit for a body streamed to a
 * sink, 16 MiB (16777216 bytes) for one kept in memory. Exceeding it gives
 * HTTPR_E_TOO_LARGE ("response body exceeds the limit of N bytes"), at
 * once when the server announces a larger Content-Length, before any body
 * byte reaches the sink or memory. HTTPR_OK or HTTPR_E_INVALID. */
HTTPR_EXPORT httpr_code httpr_config_set_max_body_bytes(httpr_config *cfg,
                                                        uint64_t bytes);
/* Follow redirects (301, 302, 303, 307, 308) up to max_hops; 0 (default)
 * does not follow. More hops give HTTPR_E_REDIRECT_LIMIT. 303 (and 301/302
 * after POST) become GET; https never redirects to http; Authorization is
 * dropped when the origin changes. */
HTTPR_EXPORT httpr_code httpr_config_set_follow_redirects(httpr_config *cfg,
                                                          int max_hops);
/* TLS provider by name ("openssl", "gnutls", "mbedtls"; see
 * httpr_provider_name); NULL means the default (httpr_default_provider(),
 * decided when the client is made). The name is copied; a later call
 * replaces it. An unknown name is accepted here and fails httpr_client_new
 * with HTTPR_E_PROVIDER. Returns HTTPR_OK, HTTPR_E_INVALID for cfg NULL or
 * HTTPR_E_NOMEM. */
HTTPR_EXPORT httpr_code httpr_config_set_tls_provider(httpr_config *cfg,
                                                      const char *name);
/* The old name of httpr_config_set_tls_provider: the same function, kept
 * for programs written against it. */
HTTPR_EXPORT httpr_code httpr_config_set_tls_backend(httpr_config *cfg,
                                                     const char *name);
/* Write TLS secrets in the NSS key log format to this file (appended).
 * Overrides SSLKEYLOGFILE; without either nothing is written. NULL unsets.
 */
HTTPR_EXPORT httpr_code httpr_config_set_keylog_file(httpr_config *cfg,
                                                     const char *path);
/* The key exchange groups offered, in order of preference, by their IANA
 * names with ':' (or ',') between: "x25519:secp256r1". Known names:
 * x25519, x448, secp256r1, secp384r1, secp521r1, ffdhe2048, ffdhe3072,
 * ffdhe4096 (case does not matter). A name that is unknown, or that the
 * provider cannot use (mbedtls: x448 on some builds, no ffdhe*), fails
 * the request with HTTPR_E_UNSUPPORTED naming it; nothing else is
 * offered in its place. At TLS 1.2 the list also bounds the curve of an
 * ECDSA server certificate (RFC 8422), so keep secp256r1 for a P-256 one.
 * NULL: the provider's own list. HTTPR_OK,
 * HTTPR_E_INVALID (empty, CR or LF) or HTTPR_E_NOMEM. */
HTTPR_EXPORT httpr_code httpr_config_set_groups(httpr_config *cfg,
                                                const char *groups);
/* The TLS 1.2 cipher suites offered, in order of preference, by their
 * IANA names ("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256") or OpenSSL's
 * ("ECDHE-ECDSA-AES128-GCM-SHA256"), case-insensitive, with ':', ',' or
 * ' ' between. Each must be one the provider offers
 * (httpr_provider_cipher: its TLS library's default list, under the
 * system's configuration, which a list only chooses among); nothing else
 * is offered at TLS 1.2. TLS 1.3 keeps its own list
 * (httpr_config_set_tls13_ciphers), except on gnutls, where GnuTLS
 * chooses ciphers for both versions at once: there a TLS 1.2 list also
 * limits TLS 1.3 to suites of the same ciphers, and a provider that would
 * offer a suite not configured (GnuTLS enables every combination of the
 * key exchanges, ciphers and MACs of the suites listed) refuses the list
 * with HTTPR_E_UNSUPPORTED naming the suites it would add. A request
 * fails with HTTPR_E_UNSUPPORTED for a name httpr does not know or the
 * provider does not offer, naming it and the provider, and with
 * HTTPR_E_INVALID for a TLS 1.3 suite or one listed twice. NULL: the provider's own list. HTTPR_OK, HTTPR_E_INVALID (empty,
 * CR or LF) or HTTPR_E_NOMEM. */
HTTPR_EXPORT httpr_code httpr_config_set_ciphers(httpr_config *cfg,
                                                 const char *ciphers);
/* The TLS 1.3 cipher suites offered, in order of preference, by their
 * IANA names ("TLS_AES_256_GCM_SHA384"), as httpr_config_set_ciphers
 * takes the TLS 1.2 ones. mbedtls has no TLS 1.3: any list fails there
 * with HTTPR_E_UNSUPPORTED. */
HTTPR_EXPORT httpr_code httpr_config_set_tls13_ciphers(httpr_config *cfg,
                                                       const char *ciphers);
/* Idle connections a client keeps for reuse; default 16. 0 closes each
 * connection after its response, so every request opens a new connection
 * with a full handshake. HTTPR_OK, or HTTPR_E_INVALID above 65536 (the
 * limit of every connection count here; each connection is also a
 * descriptor, so RLIMIT_NOFILE is usually the real bound). */
HTTPR_EXPORT httpr_code httpr_config_set_max_idle_connections(httpr_config *cfg,
                                                              size_t count);
/* How long an idle connection is kept, in milliseconds; default 60000.
 * 0 means no limit. HTTPR_OK or HTTPR_E_INVALID. */
HTTPR_EXPORT httpr_code httpr_config_set_idle_timeout_ms(httpr_config *cfg,
                                                         long ms);
/* Connections a client may have open to one origin (scheme, host, port),
 * busy and idle together; default 8, 0 means no limit. A request that
 * finds the limit reached waits for one of them to be given back, at most
 * the connect timeout (then HTTPR_E_TIMEOUT). HTTPR_OK, or
 * HTTPR_E_INVALID above 65536. */
HTTPR_EXPORT httpr_code
httpr_config_set_max_connections_per_origin(httpr_config *cfg, size_t count);
/* Connections a client may have open in total, busy and idle together;
 * default 64, 0 means no limit. At the limit an idle connection to another
 * origin is closed to make room; when none is idle the request waits as
 * above. HTTPR_OK, or HTTPR_E_INVALID above 65536. */
HTTPR_EXPORT httpr_code httpr_config_set_max_connections(httpr_config *cfg,
                                                         size_t count);
/* TLS session resumption; on by default. A client keeps the last session
 * of each connection key (origin, address pin; its provider and TLS
 * settings are the client's own) and offers it on the next new connection
 * with that key, which saves most of a handshake. A server that refuses it
 * costs a full handshake, never an error. Off: every handshake is full. */
HTTPR_EXPORT httpr_code httpr_config_set_session_resumption(httpr_config *cfg,
                                                            int on);
/* Which HTTP versions a client offers for https:// URLs (by ALPN).
 * http:// URLs always use HTTP/1.1 (no h2c). */
typedef enum httpr_http_policy {
  HTTPR_HTTP_ANY = 0,     /* offer h2 and http/1.1; use what the server picks
                             (the default) */
  HTTPR_HTTP1_ONLY = 1,   /* offer http/1.1 only */
  HTTPR_HTTP2_ONLY = 2    /* offer h2 only; a server that does not select it
                             (or an http:// URL) fails with HTTPR_E_PROTOCOL */
} httpr_http_policy;
/* HTTPR_OK or HTTPR_E_INVALID. */
HTTPR_EXPORT httpr_code httpr_config_set_http_policy(httpr_config *cfg,
                                                     httpr_http_policy p);
/* Receive connection, TLS and header events (see httpr_debug_cb). The
 * library keeps `userdata` and passes it back; NULL cb unsets. */
HTTPR_EXPORT httpr_code httpr_config_set_debug_callback(httpr_config *cfg,
                                                        httpr_debug_cb cb,
                                                        void *userdata);
/* Ask for a verification report of every full handshake the client's new
 * connections make (see httpr_verify_report): cb runs with it on the
 * thread opening the connection, from inside the call that opens it, and
 * must not use the client. The library keeps `userdata` and passes it
 * back; NULL cb (the default) unsets, and then nothing is recorded: a
 * report costs a copy of every subject and issuer of the path.
 * HTTPR_OK, or HTTPR_E_INVALID for cfg NULL. */
HTTPR_EXPORT httpr_code httpr_config_set_verify_report_callback(
    httpr_config *cfg, httpr_verify_report_cb cb, void *userdata);

/* ------------------------------------------------------------------------ */
/* Request. */

typedef struct httpr_request httpr_request;

/* Supplies request body bytes: copy up to `cap` bytes into buf and return
 * the count, 0 at the end of the body, or -1 to abort the request
 * (HTTPR_E_READ). */
typedef long (*httpr_read_cb)(void *buf, size_t cap, void *userdata);
/* Receives response body bytes; return 0 to go on, non-zero to abort the
 * request (HTTPR_E_WRITE). */
typedef int (*httpr_write_cb)(const void *data, size_t len, void *userdata);

/* Creates a request for `method` (e.g. "GET") and `url` (http:// or
 * https://). The URL is parsed here: HTTPR_E_URL for a malformed one or one
 * with userinfo, HTTPR_E_INVALID for a method with characters outside an
 * HTTP token, HTTPR_E_NOMEM. On success *out owns a new request. */
HTTPR_EXPORT httpr_code httpr_request_new(httpr_request **out,
                                          const char *method, const char *url,
                                          httpr_error *err);
/* Frees the request; NULL is accepted. It must not be in use by a
 * running httpr_client_send. */
HTTPR_EXPORT void httpr_request_free(httpr_request *req);
/* Adds a header line, kept in order; a name given by the caller replaces
 * the library's default for Host, User-Agent and Accept. HTTPR_E_INVALID
 * when the name is not an HTTP token or either holds CR, LF or NUL. */
HTTPR_EXPORT httpr_code httpr_request_add_header(httpr_request *req,
                                                 const char *name,
                                                 const char *value,
                                                 httpr_error *err);
/* A body from memory; the bytes are copied. Sent with Content-Length. */
HTTPR_EXPORT httpr_code httpr_request_set_body(httpr_request *req,
                                               const void *data, size_t len);
/* A body from a read callback: sent with Content-Length when length >= 0,
 * chunked when length is -1. The library keeps cb and userdata until the
 * request is freed. A request with a callback body cannot be replayed, so
 * a 307/308 redirect of it is returned to the caller, not followed. */
HTTPR_EXPORT httpr_code httpr_request_set_body_callback(httpr_request *req,
                                                        httpr_read_cb cb,
                                                        void *userdata,
                                                        int64_t length);
/* Stream the RESPONSE body to cb instead of buffering it in the response
 * (the request body is set with httpr_request_set_body or
 * httpr_request_set_body_callback). cb receives the body of the response
 * httpr_client_send returns, as it arrives (the bodies of redirects the
 * library follows are dropped); httpr_response_body is then empty and
 * httpr_response_body_bytes counts what cb received. A non-zero return
 * from cb aborts the request with HTTPR_E_WRITE. The library keeps cb and
 * userdata (it never frees userdata) until the request is freed or the
 * sink is set again; cb NULL goes back to buffering. Returns HTTPR_OK, or
 * HTTPR_E_INVALID for req NULL. */
HTTPR_EXPORT httpr_code httpr_request_set_response_sink(httpr_request *req,
                                                        httpr_write_cb cb,
                                                        void *userdata);
/* The old name of httpr_request_set_response_sink: the same function, kept
 * for programs written against it. */
HTTPR_EXPORT httpr_code httpr_request_set_body_sink(httpr_request *req,
                                                    httpr_write_cb cb,
                                                    void *userdata);
/* on 1: the request never uses a connection the pool already has (not an
 * idle one, not a shared HTTP/2 one) and opens its own, which the pool
 * keeps afterwards as usual (libcurl's CURLOPT_FRESH_CONNECT). A redirect
 * or a retry of the request opens a new one too. Returns HTTPR_OK, or
 * HTTPR_E_INVALID for req NULL. */
HTTPR_EXPORT httpr_code httpr_request_set_fresh_connection(httpr_request *req,
                                                           int on);

/* ------------------------------------------------------------------------ */
/* Client: built from a config, reused for many requests; safe to use from
 * several threads at once. Keeps idle connections for reuse. */

typedef struct httpr_client httpr_client;
typedef struct httpr_response httpr_response;

/* Creates a client from a copy of cfg (NULL: all defaults). Returns
 * HTTPR_E_PROVIDER when the config names a provider not built in (the
 * message lists those built in), HTTPR_E_NOMEM. The TLS context (trust
 * store, client credentials) is built once, on the client's first https
 * request, and kept for its lifetime. */
HTTPR_EXPORT httpr_code httpr_client_new(httpr_client **out,
                                         const httpr_config *cfg,
                                         httpr_error *err);
/* Closes idle connections and frees the client. No request may be running
 * on it. */
HTTPR_EXPORT void httpr_client_free(httpr_client *client);
/* The provider name this client uses. Static storage. */
HTTPR_EXPORT const char *httpr_client_provider(const httpr_client *client);

/* Sends req and receives the response. On HTTPR_OK *out owns a new
 * response (any HTTP status is a success here). On failure *out is NULL and
 * err holds the code, message and detail. May block up to the configured
 * timeouts. Any code of httpr_code except HTTPR_E_PROVIDER can be returned.
 */
HTTPR_EXPORT httpr_code httpr_client_send(httpr_client *client,
                                          const httpr_request *req,
                                          httpr_response **out,
                                          httpr_error *err);

/* Sends n requests at once and waits for all of them. Requests to an
 * origin that speaks HTTP/2 go as concurrent streams on one connection
 * (shared with every other thread using the client); to an HTTP/1.1
 * origin they spread over up to the per-origin connection limit. At most
 * `parallel` requests are in flight at a time (0: 50, as curl's
 * --parallel-max).
 *
 * Each request has its own result: out[i] is its response (caller frees)
 * or NULL, codes[i] its code, and when errs is not NULL errs[i] (an error
 * object of the caller's, or NULL) its error. One failure does not stop
 * the others. Returns HTTPR_OK when every request succeeded, else the code
 * of the first request (in array order) that failed; HTTPR_E_INVALID for
 * bad arguments (then nothing was sent).
 *
 * Everything runs on the calling thread: the library starts no thread for
 * it (only its resolver threads look up names), and every body sink and
 * body callback runs on the calling thread. The first request goes alone
 * and shows the origin's version. If it is HTTP/2, the other idempotent
 * requests to that origin without a body callback go as its streams; the
 * rest wait for the pool's limits in turn. */
HTTPR_EXPORT httpr_code httpr_client_send_all(httpr_client *client,
                                              const httpr_request *const *reqs,
                                              size_t n, size_t parallel,
                                              httpr_response **out,
                                              httpr_code *codes,
                                              httpr_error *const *errs);

/* ------------------------------------------------------------------------ */
/* Event loops: many requests on one thread, driven by the caller's loop.
 *
 * A loop runs transfers (a request of a client, with a completion
 * callback) without blocking: it says which descriptors it waits on and
 * when it must be called back, and the caller's event loop (libuv,
 * libevent, epoll, a GUI toolkit's) tells it what became ready. Two ways:
 *
 *  - callbacks, as with libcurl's multi_socket: the socket callback says
 *    which descriptor wants which events (and when one is done with), the
 *    timer callback when to act on the timer; the caller calls
 *    httpr_loop_act for every ready descriptor and when its timer fires;
 *  - the simple way, for programs without a loop of their own:
 *    httpr_loop_perform waits (poll) up to a given time and acts.
 *
 * A loop is used from one thread at a time: every call on it, and every
 * callback it makes, happens on the thread calling into it, inside those
 * calls. Threads that each want a loop make their own; they may share
 * clients (connections to HTTP/1.1 origins are then shared through the
 * client's pool). Every transfer ends with exactly one call of its
 * completion callback, whatever happens (its timeouts, a cancel, the loop
 * freed). Requests and clients must outlive their transfers. */

typedef struct httpr_loop httpr_loop;
typedef struct httpr_transfer httpr_transfer;

/* A transfer ended. On HTTPR_OK resp is its response, the callee's to
 * free with httpr_response_free; otherwise resp is NULL and err (valid
 * during the call) says why; HTTPR_E_CANCELLED after
 * httpr_transfer_cancel or httpr_loop_free. The transfer handle is
 * freed when this returns. The callback may add and cancel transfers. */
typedef void (*httpr_done_cb)(httpr_transfer *xfer, httpr_code code,
                              httpr_response *resp, const httpr_error *err,
                              void *userdata);

/* Events of a descriptor, in the socket callback and httpr_loop_act. */
#define HTTPR_POLL_IN 1
#define HTTPR_POLL_OUT 2
#define HTTPR_POLL_REMOVE 4 /* socket callback: no longer watched */

/* The loop now waits for `events` (HTTPR_POLL_IN | HTTPR_POLL_OUT) on fd,
 * or no longer watches it (HTTPR_POLL_REMOVE; it may be closed after).
 * Called only when that changes. */
typedef void (*httpr_socket_cb)(int fd, int events, void *userdata);
/* Call httpr_loop_act(loop, HTTPR_LOOP_TIMER, 0, ...) in timeout_ms
 * milliseconds (0: as soon as possible), replacing any earlier timer; -1
 * removes the timer. */
typedef void (*httpr_timer_cb)(long timeout_ms, void *userdata);

/* The fd of httpr_loop_act for "the timer fired". */
#define HTTPR_LOOP_TIMER (-1)

/* A new loop without transfers. HTTPR_OK, HTTPR_E_INVALID (out NULL) or
 * HTTPR_E_NOMEM. */
HTTPR_EXPORT httpr_code httpr_loop_new(httpr_loop **out, httpr_error *err);
/* Ends every transfer still running (HTTPR_E_CANCELLED) and frees the
 * loop; NULL is accepted. Not from one of the loop's callbacks. */
HTTPR_EXPORT void httpr_loop_free(httpr_loop *loop);

/* Sets the loop's socket and timer callbacks, before the first transfer
 * is added (HTTPR_E_INVALID after). Without them, use
 * httpr_loop_perform. */
HTTPR_EXPORT httpr_code httpr_loop_set_socket_cb(httpr_loop *loop,
                                                 httpr_socket_cb cb,
                                                 void *userdata);
HTTPR_EXPORT httpr_code httpr_loop_set_timer_cb(httpr_loop *loop,
                                                httpr_timer_cb cb,
                                                void *userdata);

/* Starts req on client in the loop; done runs when it ends (never from
 * inside this call: a transfer that fails at once ends at the next act or
 * perform). *out (may be NULL) is its handle, valid until done returns.
 * The request is read during the transfer: do not change or free it
 * before. HTTPR_OK, HTTPR_E_INVALID or HTTPR_E_NOMEM (then done never
 * runs). */
HTTPR_EXPORT httpr_code httpr_loop_add(httpr_loop *loop, httpr_client *client,
                                       const httpr_request *req,
                                       httpr_done_cb done, void *userdata,
                                       httpr_transfer **out, httpr_error *err);

/* Ends a running transfer: its connection is closed and its completion
 * callback runs with HTTPR_E_CANCELLED, from inside this call. Called from
 * a callback of the loop (a completion, a body callback), it ends the
 * transfer as soon as that callback returns, before httpr_loop_act or
 * httpr_loop_perform returns; a transfer that already ended is left
 * alone. */
HTTPR_EXPORT void httpr_transfer_cancel(httpr_transfer *xfer);

/* Acts on what the caller's loop saw: fd became ready for events
 * (HTTPR_POLL_IN | HTTPR_POLL_OUT; 0 when unknown), or fd is
 * HTTPR_LOOP_TIMER and the timer fired. Moves on every transfer that can
 * go on, runs completion callbacks, and makes the socket and timer
 * callbacks for what changed. *running (may be NULL): transfers still
 * running. HTTPR_OK, or HTTPR_E_INVALID. */
HTTPR_EXPORT httpr_code httpr_loop_act(httpr_loop *loop, int fd, int events,
                                       size_t *running);

/* The simple way: waits up to max_wait_ms (-1: until something can move)
 * for the loop's descriptors with poll(), then acts on what is ready and
 * on the timer. *running as for httpr_loop_act. Loops with socket or
 * timer callbacks get HTTPR_E_INVALID. */
HTTPR_EXPORT httpr_code httpr_loop_perform(httpr_loop *loop, long max_wait_ms,
                                           size_t *running);

/* ------------------------------------------------------------------------ */
/* Response. Read-only; every string is owned by the response. */

typedef enum httpr_http_version {
  HTTPR_HTTP_1_0 = 10,
  HTTPR_HTTP_1_1 = 11,
  HTTPR_HTTP_2 = 20
} httpr_http_version;

/* Frees the response and its body and headers; NULL is accepted. */
HTTPR_EXPORT void httpr_response_free(httpr_response *resp);
/* The final status code (after redirects), e.g. 200. */
HTTPR_EXPORT int httpr_response_status(const httpr_response *resp);
/* The reason phrase as sent (may be empty). */
HTTPR_EXPORT const char *httpr_response_reason(const httpr_response *resp);
/* The HTTP version the response came in: HTTPR_HTTP_1_0, HTTPR_HTTP_1_1 or
 * HTTPR_HTTP_2. */
HTTPR_EXPORT httpr_http_version
httpr_response_http_version(const httpr_response *resp);
/* The URL of the final response (differs from the request after
 * redirects), and the number of redirects followed. */
HTTPR_EXPORT const char *httpr_response_url(const httpr_response *resp);
HTTPR_EXPORT int httpr_response_redirect_count(const httpr_response *resp);

/* Number of header lines of the final response (repeats counted). */
HTTPR_EXPORT size_t httpr_response_header_count(const httpr_response *resp);
/* Header line i in arrival order: fills *name and *value and returns
 * HTTPR_OK, or HTTPR_E_INVALID when i is out of range. */
HTTPR_EXPORT httpr_code httpr_response_header_at(const httpr_response *resp,
                                                 size_t i, const char **name,
                                                 const char **value);
/* The value of the nth (from 0) header called `name`, matched without
 * regard to case; NULL when there is none. */
HTTPR_EXPORT const char *httpr_response_header(const httpr_response *resp,
                                               const char *name, size_t nth);
/* The buffered body and its length (*len may be NULL). Empty (never NULL)
 * when the body was streamed to a sink or there was none. */
HTTPR_EXPORT const unsigned char *
httpr_response_body(const httpr_response *resp, size_t *len);
/* Bytes of body received for the final response, buffered or streamed. */
HTTPR_EXPORT uint64_t httpr_response_body_bytes(const httpr_response *resp);

/* TLS details of the connection that served the final response; each is
 * an empty string for http://.
 *  - provider: "openssl", ...
 *  - version: "TLSv1.2" or "TLSv1.3"
 *  - cipher: the suite's IANA name, the same whatever the provider
 *    ("TLS_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384")
 *  - ALPN: the negotiated protocol, or empty
 *  - group: the key exchange's group by its IANA name ("x25519",
 *    "secp256r1", "ffdhe2048"), or empty when the provider cannot tell
 *    (no HTTPR_FEATURE_TLS_GROUP: mbedtls) or there was none (RSA key
 *    transport)
 *  - subject, issuer: of the peer's leaf certificate, RFC 2253 order
 *    ("CN=localhost,O=...") */
HTTPR_EXPORT const char *httpr_response_tls_provider(const httpr_response *r);
HTTPR_EXPORT const char *httpr_response_tls_version(const httpr_response *r);
HTTPR_EXPORT const char *httpr_response_tls_cipher(const httpr_response *r);
HTTPR_EXPORT const char *httpr_response_tls_alpn(const httpr_response *r);
HTTPR_EXPORT const char *httpr_response_tls_group(const httpr_response *r);
HTTPR_EXPORT const char *httpr_response_peer_subject(const httpr_response *r);
HTTPR_EXPORT const char *httpr_response_peer_issuer(const httpr_response *r);

/* Whether the TLS handshake of the final response's connection resumed an
 * earlier session (1) or was a full handshake (0; also for cleartext). A
 * reused connection reports what its handshake did. */
HTTPR_EXPORT int httpr_response_tls_session_resumed(const httpr_response *r);

/* Whether the final response came on a connection reused from an earlier
 * request (1) or a new one (0). */
HTTPR_EXPORT int httpr_response_connection_reused(const httpr_response *r);
/* Remote address ("127.0.0.1", "::1") and port of that connection. */
HTTPR_EXPORT const char *httpr_response_remote_ip(const httpr_response *r);
HTTPR_EXPORT int httpr_response_remote_port(const httpr_response *r);

/* Timings of the whole request in seconds from its start, as curl's -w
 * variables: name lookup done, TCP connected, TLS handshake done,
 * request about to be sent, first response byte, all done. A phase that did
 * not happen (e.g. a reused connection) reports the time of the one before.
 */
typedef enum httpr_timing {
  HTTPR_TIME_NAMELOOKUP = 0,
  HTTPR_TIME_CONNECT = 1,
  HTTPR_TIME_APPCONNECT = 2,
  HTTPR_TIME_PRETRANSFER = 3,
  HTTPR_TIME_STARTTRANSFER = 4,
  HTTPR_TIME_TOTAL = 5
} httpr_timing;
HTTPR_EXPORT double httpr_response_time(const httpr_response *r,
                                        httpr_timing which);

#ifdef __cplusplus
}
#endif

#endif /* HTTPR_H */
