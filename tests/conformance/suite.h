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

/* A config for the provider under test, trusting the test root, with
 * 15 s timeouts (times HTTPR_TEST_TIMEOUT_MULTIPLIER, tests/test_timeout.h)
 * so no test can hang. */
httpr_config *cfg_new(void);
/* The same without any CA setting (for trust-store tests). */
httpr_config *cfg_bare(void);

/* Runs one request on a fresh client from cfg (cfg is not freed). On
 * HTTPR_OK *resp is set (caller frees). err may be NULL. */
httpr_code fetch(const httpr_config *cfg, const char *method, const char *url,
                 httpr_response **resp, httpr_error *err);
/* fetch GET that expects `want`; on mismatch fails the test printing both
 * codes and the message. Returns the response (NULL unless HTTPR_OK). */
httpr_response *expect_get(const httpr_config *cfg, const char *url,
                           httpr_code want, httpr_error *err);

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
httpr_code send_kept(httpr_client *client, const char *method,
                     const char *url, const char *body, struct kept *out,
                     httpr_error *err);
/* GETs url per_thread times from each of `threads` threads (at most
 * MAX_SENDERS) sharing client; out[t * per_thread + k] is thread t's k-th. */
#define MAX_SENDERS 16
void get_from_threads(httpr_client *client, const char *url, int threads,
                      int per_thread, struct kept *out);
/* Monotonic seconds. */
double now_s(void);

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
extern const struct CMUnitTest api_tests[];
extern const size_t api_tests_count;
extern const struct CMUnitTest pool_tests[];
extern const size_t pool_tests_count;
extern const struct CMUnitTest h2_tests[];
extern const size_t h2_tests_count;

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

#endif
