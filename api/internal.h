/* SPDX-License-Identifier: MIT */
/*
 * internal.h - the layout of the objects a caller holds (config, request,
 * response, client). Only api/ includes this file.
 */
#ifndef HTTPR_API_INTERNAL_H
#define HTTPR_API_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include "api/httpr.h"
#include "backends/provider.h"
#include "pool/pool.h"
#include "common/buf.h"
#include "protocol/headers.h"
#include "protocol/transport.h"
#include "protocol/url.h"

struct hr_pin {
  char *host;
  int port;
  char *address;
};

struct httpr_config {
  int verify;
  int verify_hostname;
  int cert_status; /* a good stapled OCSP response is required */
  int https_only;
  char *ca_file;
  char *ca_dir;
  enum hr_cred_kind cred_kind;
  char *cert_path;
  char *key_path;
  char *password;
  int min_tls; /* httpr_tls_version values */
  int max_tls;
  long connect_timeout_ms;
  long total_timeout_ms;
  long inactivity_timeout_ms; /* 0: none */
  long low_speed_bytes;       /* bytes per second; 0: no low-speed limit */
  long low_speed_seconds;
  struct hr_pin *pins;
  size_t pin_count;
  int address_family;  /* AF_UNSPEC, AF_INET or AF_INET6 */
  char *local_end;     /* httpr_config_set_interface; NULL: none */
  char *unix_socket;   /* NULL: TCP */
  size_t max_header_bytes;
  uint64_t max_body_bytes; /* 0: the default for the body's destination */
  int max_redirects;
  size_t max_idle;
  long idle_timeout_ms;
  size_t max_per_origin;  /* 0: no limit */
  size_t max_connections; /* 0: no limit */
  int session_resumption;
  httpr_http_policy http_policy;
  char *backend;
  char *keylog_file;
  char *groups; /* key exchange groups, IANA names; NULL: the provider's */
  char *ciphers;       /* TLS 1.2 cipher suites; NULL: the provider's */
  char *tls13_ciphers; /* TLS 1.3 cipher suites; NULL: the provider's */
  char *crl_file;          /* PEM CRLs, NULL: none */
  char *pinned_public_key; /* as given: hashes or a file; NULL: none */
  char *proxy;             /* httpr_config_set_proxy, checked; NULL: none */
  char *proxy_credentials; /* "user:password"; NULL: the URL's */
  char *noproxy;           /* NULL: NO_PROXY's, when read */
  int proxy_from_env;
  char *proxy_ca_file; /* an https:// proxy's CAs; NULL: the system's */
  int proxy_verify;    /* 0: an https:// proxy's certificate is unchecked */
  httpr_debug_cb debug_cb;
  void *debug_ud;
  struct hr_verify_sink verify_report; /* fn NULL: no reports */
};

/* Deep copy for a client; HTTPR_OK or HTTPR_E_NOMEM. */
httpr_code hr_config_copy(struct httpr_config *dst,
                          const struct httpr_config *src, httpr_error *err);
/* Frees the strings of a config (not the struct itself). */
void hr_config_clear(struct httpr_config *cfg);
/* The pinned address for host:port, or NULL. */
const char *hr_config_pin(const struct httpr_config *cfg, const char *host,
                          int port);

struct httpr_request {
  char *method;
  struct hr_url url;
  struct hr_headers headers;
  /* body: from memory, from a callback, or none */
  int has_body;
  char *body;
  size_t body_len;
  httpr_read_cb read_cb;
  void *read_ud;
  int64_t read_len; /* -1: unknown (chunked) */
  httpr_write_cb sink;
  void *sink_ud;
  int fresh_connection; /* never a pooled connection */
};

struct httpr_response {
  int status;
  char *reason;
  int version; /* httpr_http_version */
  char *url;
  int redirects;
  struct hr_headers headers;
  struct hr_buf body;
  uint64_t body_bytes;
  char tls_provider[16];
  struct hr_tls_info tls;
  int reused;
  char remote_ip[64];
  int remote_port;
  double times[HTTPR_TIME_TOTAL + 1];
};

struct hr_proxy_route;

struct httpr_client {
  struct httpr_config cfg;
  const struct hr_tls_provider *provider;
  int provider_acquired;
  pthread_mutex_t tls_lock; /* guards the lazy build of tls_ctx */
  void *tls_ctx;
  void *tls_ctx_http1; /* ALPN http/1.1 alone (hr_client_tls_context) */
  void *tls_ctx_proxy; /* to an https:// proxy (hr_client_proxy_tls_context) */
  /* cfg.pinned_public_key read, with the TLS context (NULL: no pin). */
  struct hr_pubkey_pins *pubkey_pins;
  struct hr_keylog *keylog;
  struct hr_pool *pool;
  struct hr_proxy_route *proxies; /* proxy_route.h; NULL: none at all */
};

#endif
