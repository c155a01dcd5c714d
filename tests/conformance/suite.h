/* SPDX-License-Identifier: MIT */
/*
 * suite.h - what every conformance test file shares: the provider under
 * test, the PKI, the test servers (started on first use), and helpers that
 * build configs and run requests. The suite never branches on a provider's
 * name: where a provider may lack a feature, tests ask its feature bits.
 */
#ifndef HTTPR_SUITE_H
#define HTTPR_SUITE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api/httpr.h"
#include "tests/test_timeout.h"

struct suite {
  const char *provider; /* provider under test */
  uint32_t features;
  const char *pki_dir;
  const char *server_bin;
  char tmp_dir[256]; /* a private scratch directory */
};
extern struct suite g_suite;

/* Server profiles (see server.c for what each runs). */
enum profile {
  SRV_GOOD_RSA,
  SRV_GOOD_ECDSA,
  SRV_EXPIRED,
  SRV_NOTYET,
  SRV_WRONGHOST,
  SRV_NOIP,
  SRV_SELFSIGNED,
  SRV_UNTRUSTED,
  SRV_MISSING_INTER,
  SRV_BAD_PURPOSE,
  SRV_CLIENT_AUTH,
  SRV_CLIENT_AUTH_TLS12,
  SRV_TLS12_ONLY,
  SRV_TLS13_ONLY,
  SRV_NO_ALPN,
  SRV_PLAIN,
  SRV_IPV6,
  SRV_NO_RESUME, /* good-ecdsa, no session cache or tickets */
  /* HTTP/2: good-ecdsa offering ALPN h2,http/1.1 (every profile above
   * offers http/1.1 only, so those tests stay HTTP/1.1). */
  SRV_H2,
  SRV_H2_CLIENT_AUTH,   /* requires a client certificate */
  SRV_H2_GOAWAY,        /* GOAWAY when a connection's 3rd stream arrives */
  SRV_H2_TINY_WINDOW,   /* SETTINGS_INITIAL_WINDOW_SIZE 16 */
  SRV_H2_MAX_STREAMS_2, /* SETTINGS_MAX_CONCURRENT_STREAMS 2 */
  /* The verification policy (test_policy.c): one profile per case of
   * tests/pki/make-pki.sh, named after it. */
  SRV_NC_PERMIT_VIOLATION,
  SRV_NC_CRITICAL_OK,
  SRV_NC_CRITICAL_VIOLATION,
  SRV_NC_EXCLUDE_DNS,
  SRV_NC_PERMIT_IP_VIOLATION,
  SRV_NC_EXCLUDE_IP,
  SRV_NC_PERMIT_DIRNAME_OK,
  SRV_NC_PERMIT_DIRNAME_VIOLATION,
  SRV_NC_EXCLUDE_DIRNAME,
  SRV_NC_UNSUPPORTED_RFC822,
  SRV_NC_UNSUPPORTED_URI,
  SRV_NC_ROOT_OK,        /* trust nc-root-ok-ca.pem */
  SRV_NC_ROOT_VIOLATION, /* trust nc-root-violation-ca.pem */
  SRV_RSA1024,           /* served at OpenSSL security level 0 */
  SRV_RSA1024_INTER,     /* level 0 */
  SRV_SHA1_LEAF,         /* level 0 */
  SRV_SHA1_INTER,        /* level 0 */
  SRV_SHA1_ROOT_OK,      /* trust sha1-root-ok-ca.pem */
  SRV_KU_ECDSA_NODIGSIG,
  SRV_KU_RSA_KEYENC_ECDHE, /* TLS 1.2, ECDHE-RSA suites only */
  SRV_KU_RSA_KEYENC_RSAKX, /* TLS 1.2, RSA key transport suites only */
  SRV_KU_RSA_DIGSIG_ECDHE, /* TLS 1.2, ECDHE-RSA suites only */
  SRV_KU_RSA_DIGSIG_RSAKX, /* TLS 1.2, RSA key transport suites only */
  SRV_CRIT_EXT_LEAF,
  SRV_CRIT_EXT_INTER,
  SRV_CHAIN_8,
  SRV_CHAIN_9,
  SRV_CHAIN_12,
  SRV_INTER_NOT_CA,
  SRV_INTER_NO_BC,
  SRV_INTER_NO_CERTSIGN,
  SRV_INTER_EKU_CLIENT,
  SRV_PATHLEN_EXCEEDED,
  SRV_BAD_LEAF_SIG,
  SRV_H2_ZERO_WINDOW, /* SETTINGS_INITIAL_WINDOW_SIZE 0, never opened */
  SRV_H2_OPEN_WINDOW, /* 16 MiB windows in the preface, never updated */
  SRV_HANG_UP,        /* 3 bytes, then closed with the hello unread */
  /* A client certificate asked for only after the handshake (test-server
   * --late-client-ca, routes /late-cert and /late-cert-anyway): TLS 1.3
   * post-handshake authentication or a TLS 1.2 renegotiation. */
  SRV_LATE_CERT,          /* TLS 1.2 and 1.3, HTTP/1.1 */
  SRV_LATE_CERT_TLS12,    /* TLS 1.2 only: renegotiation */
  SRV_LATE_CERT_H2,       /* h2,http/1.1; TLS 1.3 allowed */
  SRV_LATE_CERT_H2_TLS12, /* h2,http/1.1, TLS 1.2 only */
  SRV_GROUP_P384,         /* key exchange on secp384r1 only */
  SRV_GROUP_P384_TLS12,   /* the same, TLS 1.2 only */
  /* OCSP stapling (test_ocsp.c): openssl s_server -www stapling one
   * response of tests/pki/make-pki.sh (ocsp-*.der) for the leaf
   * ocsp-good, unless said otherwise. */
  SRV_OCSP_GOOD,
  SRV_OCSP_GOOD_DELEGATED, /* signed by a delegated responder */
  SRV_OCSP_REVOKED,        /* the leaf ocsp-revoked and its response */
  SRV_OCSP_UNKNOWN,
  SRV_OCSP_EXPIRED,
  SRV_OCSP_FUTURE,
  SRV_OCSP_BAD_SIGNATURE,
  SRV_OCSP_UNTRUSTED_SIGNER,
  SRV_OCSP_OTHER_CERT, /* the leaf ocsp-revoked, ocsp-good's response */
  SRV_OCSP_TRY_LATER,
  SRV_OCSP_MALFORMED,
  /* Revocation (test_revocation.c): make-pki.sh's leaves of the name. */
  SRV_REVOKED,       /* a leaf inter-ca's CRL lists */
  SRV_REVOKED_INTER, /* a leaf below an intermediate the root's CRL lists */
  SRV_COUNT
};

/* The port of a running server of that profile (started on first use). */
int server_port(enum profile p);
/* Stops every server started. */
void servers_stop_all(void);

/* "https://localhost:PORT/path" (or http:// for SRV_PLAIN); host may be
 * NULL for "localhost". Static storage, rotating among 8 buffers. */
const char *url_of(enum profile p, const char *host, const char *path);
/* "/delay/MS" with ms times HTTPR_TEST_TIMEOUT_MULTIPLIER: the server
 * holds its answer that long. Rotating static storage. */
const char *delay_path(long ms);
/* Path of a PKI file. Static storage, rotating among 8 buffers. */
const char *pki(const char *name);
/* Path in the suite's scratch directory. Rotating static storage. */
const char *tmp_path(const char *name);

/* The provider under test's index, for the capability query. */
size_t provider_index(void);
/* A config for the provider under test, trusting the test root, with
 * 15 s timeouts (times HTTPR_TEST_TIMEOUT_MULTIPLIER, tests/test_timeout.h)
 * so no test can hang. */
httpr_config *cfg_new(void);
/* The same without any CA setting (for trust-store tests). */
httpr_config *cfg_bare(void);

/* The "Trying ADDR:PORT..." lines of the debug callback, in order, each
 * followed by ';'. */
struct tries {
  char text[512];
};
/* A config (cfg_new) whose "localhost" at p's port is `addresses` (a pin:
 * a comma list), recording into *tries (when not NULL) the addresses
 * tried. (pinned.c) */
httpr_config *cfg_addresses(enum profile p, const char *addresses,
                         struct tries *tries);

/* Runs one request on a fresh client from cfg (cfg is not freed). On
 * HTTPR_OK *resp is set (caller frees). err may be NULL. */
httpr_code fetch(const httpr_config *cfg, const char *method, const char *url,
                 httpr_response **resp, httpr_error *err);
/* A client from cfg; fails the test when it cannot be made. */
httpr_client *client_of(const httpr_config *cfg);
/* fetch GET that expects `want`; on mismatch fails the test printing both
 * codes and the message. Returns the response (NULL unless HTTPR_OK). */
httpr_response *expect_get(const httpr_config *cfg, const char *url,
                           httpr_code want, httpr_error *err);
/* A GET of url with cfg must fail with exactly `want` and `message`, and
 * carry the provider's own text as a non-empty detail: one outcome,
 * whatever the provider. */
void expect_failure(const httpr_config *cfg, const char *url, httpr_code want,
                    const char *message);

/* What a test keeps of one exchange once the response is freed; filled
 * without asserting, so threads may use it. */
struct kept {
  httpr_code rc;
  int status;
  int http_version; /* httpr_http_version */
  long id;          /* the body as a number (a connection id), else -1 */
  int reused;       /* httpr_response_connection_reused */
  int resumed;      /* httpr_response_tls_session_resumed */
  char provider[16];
  char tls_version[16];
  char alpn[16];
  double done; /* now_s() when it returned */
};
void keep_response(struct kept *k, httpr_code rc, const httpr_response *resp);
/* Sends method url (with body when not NULL) on client and keeps the
 * outcome; never asserts. */
httpr_code send_kept(httpr_client *client, const char *method, const char *url,
                     const char *body, struct kept *out, httpr_error *err);
/* Two GETs of p's /conn-id through cfg's proxy share one connection; a
 * third to 127.0.0.1 (set as cfg's no-proxy list here) gets one of its
 * own, and a fourth through the proxy reuses the first. (kept.c) */
void expect_pooled_by_proxy(httpr_config *cfg, enum profile p);
/* GETs url per_thread times from each of `threads` threads (at most
 * MAX_SENDERS) sharing client; out[t * per_thread + k] is thread t's k-th. */
#define MAX_SENDERS 16
void get_from_threads(httpr_client *client, const char *url, int threads,
                      int per_thread, struct kept *out);
/* Sends req on client `runs` times; every run must fail with `want` and
 * the message given, or (message NULL) the first run's. Prints which run
 * differed. (main.c) */
void expect_every_run(httpr_client *client, const httpr_request *req, int runs,
                      httpr_code want, const char *message);
/* Monotonic seconds. */
double now_s(void);

/* Runs the httpr CLI ($HTTPR_CLI) with args (NULL-terminated, without
 * argv[0]) and env_name=env_value set in the child alone (env_name may be
 * NULL); stdout goes to /dev/null. At most 30 s, then the child is killed.
 * Fills err_out (cap bytes, NUL-terminated, truncated) with its stderr.
 * Returns the exit status, or -1 when it did not exit by itself. Skips the
 * test when HTTPR_CLI is unset. (run_cli.c) */
int run_cli(const char *const args[], const char *env_name,
            const char *env_value, char *err_out, size_t cap);
/* run_cli, which must exit with want_exit and write want_line first on
 * stderr ("" for nothing); prints all it wrote when the exit differs. */
void expect_cli(const char *const args[], const char *env_name,
                const char *env_value, int want_exit, const char *want_line);
/* The same with stdout written to the file out_path (created or
 * truncated). */
int run_cli_to(const char *const args[], const char *env_name,
               const char *env_value, const char *out_path, char *err_out,
               size_t cap);
/* expect_cli of a plain fetch of profile p: `httpr --tls-provider P
 * --cacert CA -sS --max-time 15 -o /dev/null EXTRA... URL`, extra
 * NULL-ended (at most 8) or NULL. */
void expect_fetch_cli(enum profile p, const char *const extra[],
                      const char *env_name, const char *env_value,
                      int want_exit, const char *want_line);
/* run_cli_to for the program at path `program` (curl, beside httpr). */
int run_program_to(const char *program, const char *const args[],
                   const char *env_name, const char *env_value,
                   const char *out_path, char *err_out, size_t cap);

/* Debian's curl and httpr with the same args (NULL-ended, at most 8;
 * both also get -sS and --cacert of the test root, httpr its
 * --tls-provider) and env_name=env_value: both must exit with want_exit
 * and write the same body. (run_cli.c) */
void expect_as_curl(const char *const args[], const char *env_name,
                    const char *env_value, int want_exit);

/* Assert two codes are equal, printing their names. */
#define assert_code(actual, expected)                                          \
  assert_code_impl((actual), (expected), NULL, __FILE__, __LINE__)
#define assert_code_err(actual, expected, err)                                 \
  assert_code_impl((actual), (expected), (err), __FILE__, __LINE__)
void assert_code_impl(httpr_code actual, httpr_code expected,
                      const httpr_error *err, const char *file, int line);

/* The body of a response as a NUL-terminated copy (caller frees). */
char *body_string(const httpr_response *resp);

/* Unsets every environment variable the library reads. */
void env_reset(void);
/* cmocka setup/teardown wrapper around env_reset. */
int env_clean(void **state);

/* Test lists, one per file. */
extern const struct CMUnitTest verify_tests[];
extern const size_t verify_tests_count;
extern const struct CMUnitTest trust_tests[];
extern const size_t trust_tests_count;
extern const struct CMUnitTest client_cert_tests[];
extern const size_t client_cert_tests_count;
extern const struct CMUnitTest tls_tests[];
extern const size_t tls_tests_count;
extern const struct CMUnitTest http_tests[];
extern const size_t http_tests_count;
extern const struct CMUnitTest connect_tests[];
extern const size_t connect_tests_count;
extern const struct CMUnitTest connect_choice_tests[];
extern const size_t connect_choice_tests_count;
extern const struct CMUnitTest api_tests[];
extern const size_t api_tests_count;
extern const struct CMUnitTest loop_tests[];
extern const size_t loop_tests_count;
extern const struct CMUnitTest pool_tests[];
extern const size_t pool_tests_count;
extern const struct CMUnitTest h2_tests[];
extern const size_t h2_tests_count;
extern const struct CMUnitTest late_cert_tests[];
extern const size_t late_cert_tests_count;
extern const struct CMUnitTest proxy_tests[];
extern const size_t proxy_tests_count;
extern const struct CMUnitTest https_proxy_tests[];
extern const size_t https_proxy_tests_count;
/* Stops the proxy group's squid, when it ran (test_proxy.c). */
void proxy_servers_stop(void);
extern const struct CMUnitTest socks_tests[];
extern const size_t socks_tests_count;
/* Stops the socks group's danteds, when they ran (test_socks.c). */
void socks_servers_stop(void);
extern const struct CMUnitTest ocsp_tests[];
extern const size_t ocsp_tests_count;
extern const struct CMUnitTest policy_tests[];
extern const size_t policy_tests_count;
extern const struct CMUnitTest system_policy_tests[];
extern const size_t system_policy_tests_count;
extern const struct CMUnitTest ciphers_tests[];
extern const size_t ciphers_tests_count;
extern const struct CMUnitTest bounds_tests[];
extern const size_t bounds_tests_count;
extern const struct CMUnitTest verify_report_tests[];
extern const size_t verify_report_tests_count;
extern const struct CMUnitTest revocation_tests[];
extern const size_t revocation_tests_count;
extern const struct CMUnitTest pinning_tests[];
extern const size_t pinning_tests_count;

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

#endif
