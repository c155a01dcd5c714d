/* SPDX-License-Identifier: MIT */
/*
 * config.c - the config object: defaults, one typed setter per option,
 * and the deep copy a client keeps.
 */
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/internal.h"
#include "common/wipe.h"
#include "protocol/proxy_url.h"

#define DEFAULT_CONNECT_TIMEOUT_MS 30000
#define DEFAULT_INACTIVITY_TIMEOUT_MS 30000
#define DEFAULT_MAX_HEADER_BYTES (100 * 1024)
#define DEFAULT_MAX_IDLE 16
#define DEFAULT_IDLE_TIMEOUT_MS 60000
#define DEFAULT_MAX_PER_ORIGIN 8
#define DEFAULT_MAX_CONNECTIONS 64
/* The most a connection count may be set to, idle or in use: far above
 * what a process's descriptor limit allows (the header says so). */
#define MAX_CONNECTIONS_LIMIT 65536

httpr_config *httpr_config_new(void) {
  httpr_config *cfg = calloc(1, sizeof(*cfg));
  if (!cfg)
    return NULL;
  cfg->verify = 1;
  cfg->verify_hostname = 1;
  cfg->proxy_verify = 1;
  cfg->min_tls = HTTPR_TLS_DEFAULT; /* TLS 1.2, or the system's stricter */
  cfg->max_tls = HTTPR_TLS_DEFAULT;
  cfg->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
  cfg->inactivity_timeout_ms = DEFAULT_INACTIVITY_TIMEOUT_MS;
  cfg->max_header_bytes = DEFAULT_MAX_HEADER_BYTES;
  cfg->max_idle = DEFAULT_MAX_IDLE;
  cfg->idle_timeout_ms = DEFAULT_IDLE_TIMEOUT_MS;
  cfg->max_per_origin = DEFAULT_MAX_PER_ORIGIN;
  cfg->max_connections = DEFAULT_MAX_CONNECTIONS;
  cfg->session_resumption = 1;
  return cfg;
}

void hr_config_clear(struct httpr_config *cfg) {
  free(cfg->ca_file);
  free(cfg->ca_dir);
  free(cfg->cert_path);
  free(cfg->key_path);
  hr_wipe_free_string(cfg->password); /* not left in freed memory */
  for (size_t i = 0; i < cfg->pin_count; i++) {
    free(cfg->pins[i].host);
    free(cfg->pins[i].address);
  }
  free(cfg->pins);
  free(cfg->backend);
  free(cfg->keylog_file);
  free(cfg->groups);
  free(cfg->ciphers);
  free(cfg->tls13_ciphers);
  free(cfg->crl_file);
  free(cfg->pinned_public_key);
  free(cfg->local_end);
  free(cfg->unix_socket);
  hr_wipe_free_string(cfg->proxy); /* it may hold a password */
  hr_wipe_free_string(cfg->proxy_credentials);
  free(cfg->noproxy);
  free(cfg->proxy_ca_file);
  memset(cfg, 0, sizeof(*cfg));
}

void httpr_config_free(httpr_config *cfg) {
  if (!cfg)
    return;
  hr_config_clear(cfg);
  free(cfg);
}

/* Replaces *slot with a copy of value (NULL unsets). */
static httpr_code set_string(char **slot, const char *value) {
  char *copy = NULL;
  if (value && !(copy = strdup(value)))
    return HTTPR_E_NOMEM;
  free(*slot);
  *slot = copy;
  return HTTPR_OK;
}

httpr_code httpr_config_set_verify(httpr_config *cfg, int on) {
  if (!cfg)
    return HTTPR_E_INVALID;
  cfg->verify = on != 0;
  return HTTPR_OK;
}

httpr_code httpr_config_set_verify_hostname(httpr_config *cfg, int on) {
  if (!cfg)
    return HTTPR_E_INVALID;
  cfg->verify_hostname = on != 0;
  return HTTPR_OK;
}

httpr_code httpr_config_set_cert_status(httpr_config *cfg, int on) {
  if (!cfg)
    return HTTPR_E_INVALID;
  cfg->cert_status = on != 0;
  return HTTPR_OK;
}

httpr_code httpr_config_set_ca_file(httpr_config *cfg, const char *path) {
  return cfg ? set_string(&cfg->ca_file, path) : HTTPR_E_INVALID;
}

httpr_code httpr_config_set_ca_dir(httpr_config *cfg, const char *path) {
  return cfg ? set_string(&cfg->ca_dir, path) : HTTPR_E_INVALID;
}

/* Sets every client-credential field at once, so one form replaces any
 * other and a failure leaves the old credentials untouched. */
static httpr_code set_credentials(httpr_config *cfg, enum hr_cred_kind kind,
                                  const char *cert, const char *key,
                                  const char *password) {
  if (!cfg)
    return HTTPR_E_INVALID;
  struct httpr_config tmp = {0};
  if (cert && (set_string(&tmp.cert_path, cert) != HTTPR_OK ||
               set_string(&tmp.key_path, key) != HTTPR_OK ||
               set_string(&tmp.password, password) != HTTPR_OK)) {
    hr_config_clear(&tmp);
    return HTTPR_E_NOMEM;
  }
  free(cfg->cert_path);
  free(cfg->key_path);
  hr_wipe_free_string(cfg->password);
  cfg->cert_path = tmp.cert_path;
  cfg->key_path = tmp.key_path;
  cfg->password = tmp.password;
  cfg->cred_kind = cert ? kind : HR_CRED_NONE;
  return HTTPR_OK;
}

httpr_code httpr_config_set_client_pem(httpr_config *cfg, const char *path,
                                       const char *password) {
  return set_credentials(cfg, HR_CRED_PEM, path, NULL, password);
}

httpr_code httpr_config_set_client_cert(httpr_config *cfg,
                                        const char *cert_path,
                                        const char *key_path,
                                        const char *password) {
  if (cert_path && !key_path)
    return set_credentials(cfg, HR_CRED_PEM, cert_path, NULL, password);
  return set_credentials(cfg, HR_CRED_FILES, cert_path, key_path, password);
}

httpr_code httpr_config_set_client_pkcs12(httpr_config *cfg, const char *path,
                                          const char *password) {
  return set_credentials(cfg, HR_CRED_PKCS12, path, NULL, password);
}

httpr_code httpr_config_set_https_only(httpr_config *cfg, int on) {
  if (!cfg)
    return HTTPR_E_INVALID;
  cfg->https_only = on != 0;
  return HTTPR_OK;
}

static int valid_version(httpr_tls_version v) {
  return v == HTTPR_TLS_DEFAULT || v == HTTPR_TLS_1_2 || v == HTTPR_TLS_1_3;
}

httpr_code httpr_config_set_min_tls_version(httpr_config *cfg,
                                            httpr_tls_version v) {
  if (!cfg || !valid_version(v))
    return HTTPR_E_INVALID;
  cfg->min_tls = (int)v;
  return HTTPR_OK;
}

httpr_code httpr_config_set_max_tls_version(httpr_config *cfg,
                                            httpr_tls_version v) {
  if (!cfg || !valid_version(v))
    return HTTPR_E_INVALID;
  cfg->max_tls = (int)v;
  return HTTPR_OK;
}

httpr_code httpr_config_set_connect_timeout_ms(httpr_config *cfg, long ms) {
  if (!cfg || ms < 0)
    return HTTPR_E_INVALID;
  cfg->connect_timeout_ms = ms;
  return HTTPR_OK;
}

httpr_code httpr_config_set_total_timeout_ms(httpr_config *cfg, long ms) {
  if (!cfg || ms < 0)
    return HTTPR_E_INVALID;
  cfg->total_timeout_ms = ms;
  return HTTPR_OK;
}

httpr_code httpr_config_set_inactivity_timeout_ms(httpr_config *cfg,
                                                 long ms) {
  if (!cfg || ms < 0)
    return HTTPR_E_INVALID;
  cfg->inactivity_timeout_ms = ms;
  return HTTPR_OK;
}

/* Limits that could not be multiplied into bytes per window are refused
 * here rather than overflowing later. */
#define MAX_LOW_SPEED_SECONDS (24L * 3600)
#define MAX_LOW_SPEED_BYTES (1L << 40)

httpr_code httpr_config_set_low_speed(httpr_config *cfg, long bytes_per_second,
                                      long seconds) {
  if (!cfg || bytes_per_second < 0 || seconds < 0 ||
      bytes_per_second > MAX_LOW_SPEED_BYTES || seconds > MAX_LOW_SPEED_SECONDS)
    return HTTPR_E_INVALID;
  int off = bytes_per_second == 0 || seconds == 0;
  cfg->low_speed_bytes = off ? 0 : bytes_per_second;
  cfg->low_speed_seconds = off ? 0 : seconds;
  return HTTPR_OK;
}

/* Most addresses one pin holds (protocol/connect_race.h races 16). */
#define PIN_ADDRESSES_MAX 16

/* address as a pin: a comma list of IPv4 and IPv6 literals, each IPv6 one
 * bare or in brackets, written to *out without the brackets ("::1,
 * 127.0.0.1"). HTTPR_OK, HTTPR_E_INVALID for an empty list, an empty or
 * bad element or more than PIN_ADDRESSES_MAX, HTTPR_E_NOMEM. */
static httpr_code pin_list(const char *address, char **out) {
  size_t cap = strlen(address) + 1, used = 0, count = 0;
  char *list = malloc(cap);
  if (!list)
    return HTTPR_E_NOMEM;
  for (const char *at = address;; count++) {
    size_t len = strcspn(at, ",");
    const char *one = at;
    if (len >= 2 && one[0] == '[' && one[len - 1] == ']') {
      one++;
      len -= 2;
    }
    char text[INET6_ADDRSTRLEN];
    unsigned char bin[16];
    if (len == 0 || len >= sizeof(text) || count == PIN_ADDRESSES_MAX)
      goto bad;
    memcpy(text, one, len);
    text[len] = '\0';
    int v6 = strchr(text, ':') != NULL;
    if (inet_pton(v6 ? AF_INET6 : AF_INET, text, bin) != 1)
      goto bad;
    used += (size_t)snprintf(list + used, cap - used, "%s%s", used ? "," : "",
                             text);
    at += strcspn(at, ",");
    if (*at == '\0')
      break;
    at++;
  }
  *out = list;
  return HTTPR_OK;
bad:
  free(list);
  return HTTPR_E_INVALID;
}

httpr_code httpr_config_add_resolve(httpr_config *cfg, const char *host,
                                    int port, const char *address) {
  if (!cfg || !host || !*host || !address || port < 1 || port > 65535)
    return HTTPR_E_INVALID;
  char *list = NULL;
  httpr_code rc = pin_list(address, &list);
  if (rc != HTTPR_OK)
    return rc;
  for (size_t i = 0; i < cfg->pin_count; i++) {
    struct hr_pin *pin = &cfg->pins[i];
    if (pin->port == port && hr_strcaseeq(pin->host, host)) {
      free(pin->address);
      pin->address = list;
      return HTTPR_OK;
    }
  }
  struct hr_pin *pins =
      realloc(cfg->pins, (cfg->pin_count + 1) * sizeof(*pins));
  if (!pins) {
    free(list);
    return HTTPR_E_NOMEM;
  }
  cfg->pins = pins;
  struct hr_pin *pin = &pins[cfg->pin_count];
  pin->host = strdup(host);
  pin->address = list;
  pin->port = port;
  if (!pin->host) {
    free(list);
    return HTTPR_E_NOMEM;
  }
  cfg->pin_count++;
  return HTTPR_OK;
}

const char *hr_config_pin(const struct httpr_config *cfg, const char *host,
                          int port) {
  for (size_t i = 0; i < cfg->pin_count; i++) {
    if (cfg->pins[i].port == port && hr_strcaseeq(cfg->pins[i].host, host))
      return cfg->pins[i].address;
  }
  return NULL;
}

httpr_code httpr_config_set_address_family(httpr_config *cfg,
                                           httpr_address_family f) {
  if (!cfg || (f != HTTPR_FAMILY_ANY && f != HTTPR_FAMILY_IPV4 &&
               f != HTTPR_FAMILY_IPV6))
    return HTTPR_E_INVALID;
  cfg->address_family = f == HTTPR_FAMILY_IPV4   ? AF_INET
                        : f == HTTPR_FAMILY_IPV6 ? AF_INET6
                                                 : AF_UNSPEC;
  return HTTPR_OK;
}

httpr_code httpr_config_set_max_header_bytes(httpr_config *cfg, size_t bytes) {
  if (!cfg || bytes < 64)
    return HTTPR_E_INVALID;
  cfg->max_header_bytes = bytes;
  return HTTPR_OK;
}

httpr_code httpr_config_set_max_body_bytes(httpr_config *cfg, uint64_t bytes) {
  if (!cfg)
    return HTTPR_E_INVALID;
  cfg->max_body_bytes = bytes;
  return HTTPR_OK;
}

httpr_code httpr_config_set_follow_redirects(httpr_config *cfg, int max_hops) {
  if (!cfg || max_hops < 0)
    return HTTPR_E_INVALID;
  cfg->max_redirects = max_hops;
  return HTTPR_OK;
}

httpr_code httpr_config_set_max_idle_connections(httpr_config *cfg,
                                                 size_t count) {
  if (!cfg || count > MAX_CONNECTIONS_LIMIT)
    return HTTPR_E_INVALID;
  cfg->max_idle = count;
  return HTTPR_OK;
}

httpr_code httpr_config_set_idle_timeout_ms(httpr_config *cfg, long ms) {
  if (!cfg || ms < 0)
    return HTTPR_E_INVALID;
  cfg->idle_timeout_ms = ms;
  return HTTPR_OK;
}

httpr_code httpr_config_set_max_connections_per_origin(httpr_config *cfg,
                                                       size_t count) {
  if (!cfg || count > MAX_CONNECTIONS_LIMIT)
    return HTTPR_E_INVALID;
  cfg->max_per_origin = count;
  return HTTPR_OK;
}

httpr_code httpr_config_set_max_connections(httpr_config *cfg, size_t count) {
  if (!cfg || count > MAX_CONNECTIONS_LIMIT)
    return HTTPR_E_INVALID;
  cfg->max_connections = count;
  return HTTPR_OK;
}

httpr_code httpr_config_set_session_resumption(httpr_config *cfg, int on) {
  if (!cfg)
    return HTTPR_E_INVALID;
  cfg->session_resumption = on != 0;
  return HTTPR_OK;
}

httpr_code httpr_config_set_http_policy(httpr_config *cfg,
                                       httpr_http_policy p) {
  if (!cfg || (p != HTTPR_HTTP_ANY && p != HTTPR_HTTP1_ONLY &&
               p != HTTPR_HTTP2_ONLY))
    return HTTPR_E_INVALID;
  cfg->http_policy = p;
  return HTTPR_OK;
}

httpr_code httpr_config_set_tls_provider(httpr_config *cfg, const char *name) {
  return cfg ? set_string(&cfg->backend, name) : HTTPR_E_INVALID;
}

/* The old name: the same body rather than a call of the new one, so
 * neither name costs an extra call. */
httpr_code httpr_config_set_tls_backend(httpr_config *cfg, const char *name) {
  return cfg ? set_string(&cfg->backend, name) : HTTPR_E_INVALID;
}

httpr_code httpr_config_set_keylog_file(httpr_config *cfg, const char *path) {
  return cfg ? set_string(&cfg->keylog_file, path) : HTTPR_E_INVALID;
}

/* A list of names, checked by the provider when a client is built: here
 * only what no name can hold. */
static httpr_code set_name_list(char **slot, const char *list) {
  if (list && (!list[0] || strpbrk(list, "\r\n")))
    return HTTPR_E_INVALID;
  return set_string(slot, list);
}

httpr_code httpr_config_set_groups(httpr_config *cfg, const char *groups) {
  return cfg ? set_name_list(&cfg->groups, groups) : HTTPR_E_INVALID;
}

httpr_code httpr_config_set_ciphers(httpr_config *cfg, const char *ciphers) {
  return cfg ? set_name_list(&cfg->ciphers, ciphers) : HTTPR_E_INVALID;
}

httpr_code httpr_config_set_tls13_ciphers(httpr_config *cfg,
                                          const char *ciphers) {
  return cfg ? set_name_list(&cfg->tls13_ciphers, ciphers) : HTTPR_E_INVALID;
}

httpr_code httpr_config_set_crl_file(httpr_config *cfg, const char *path) {
  return cfg ? set_name_list(&cfg->crl_file, path) : HTTPR_E_INVALID;
}

httpr_code httpr_config_set_pinned_public_key(httpr_config *cfg,
                                              const char *pin) {
  return cfg ? set_name_list(&cfg->pinned_public_key, pin) : HTTPR_E_INVALID;
}

/* The local end and the Unix socket: names, as far as this can tell. */
httpr_code httpr_config_set_interface(httpr_config *cfg, const char *local) {
  return cfg ? set_name_list(&cfg->local_end, local) : HTTPR_E_INVALID;
}

httpr_code httpr_config_set_unix_socket(httpr_config *cfg, const char *path) {
  if (!cfg ||
      (path && strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)))
    return HTTPR_E_INVALID;
  return set_name_list(&cfg->unix_socket, path);
}

httpr_code httpr_config_set_proxy(httpr_config *cfg, const char *url) {
  if (!cfg)
    return HTTPR_E_INVALID;
  if (url && url[0]) { /* "" is curl's -x "": no proxy, not even a variable */
    struct hr_proxy p;
    httpr_error err;
    httpr_code rc = hr_proxy_parse(url, NULL, &p, &err);
    if (rc != HTTPR_OK)
      return rc;
    hr_proxy_free(&p);
  }
  return set_string(&cfg->proxy, url);
}

httpr_code httpr_config_set_proxy_credentials(httpr_config *cfg,
                                              const char *user_password) {
  if (!cfg)
    return HTTPR_E_INVALID;
  for (const char *c = user_password; c && *c; c++) {
    if ((unsigned char)*c < 0x20 || *c == 0x7f)
      return HTTPR_E_INVALID;
  }
  return set_string(&cfg->proxy_credentials, user_password);
}

httpr_code httpr_config_set_proxy_ca_file(httpr_config *cfg, const char *path) {
  if (!cfg || (path && strpbrk(path, "\r\n")))
    return HTTPR_E_INVALID;
  return set_string(&cfg->proxy_ca_file, path);
}

httpr_code httpr_config_set_proxy_verify(httpr_config *cfg, int on) {
  if (!cfg)
    return HTTPR_E_INVALID;
  cfg->proxy_verify = on != 0;
  return HTTPR_OK;
}

httpr_code httpr_config_set_noproxy(httpr_config *cfg, const char *list) {
  if (!cfg || (list && strpbrk(list, "\r\n")))
    return HTTPR_E_INVALID;
  return set_string(&cfg->noproxy, list);
}

httpr_code httpr_config_set_proxy_from_environment(httpr_config *cfg, int on) {
  if (!cfg)
    return HTTPR_E_INVALID;
  cfg->proxy_from_env = on != 0;
  return HTTPR_OK;
}

httpr_code httpr_config_set_debug_callback(httpr_config *cfg, httpr_debug_cb cb,
                                           void *userdata) {
  if (!cfg)
    return HTTPR_E_INVALID;
  cfg->debug_cb = cb;
  cfg->debug_ud = cb ? userdata : NULL;
  return HTTPR_OK;
}

httpr_code httpr_config_set_verify_report_callback(httpr_config *cfg,
                                                   httpr_verify_report_cb cb,
                                                   void *userdata) {
  if (!cfg)
    return HTTPR_E_INVALID;
  cfg->verify_report.fn = cb;
  cfg->verify_report.ud = cb ? userdata : NULL;
  return HTTPR_OK;
}

httpr_code hr_config_copy(struct httpr_config *dst,
                          const struct httpr_config *src, httpr_error *err) {
  *dst = *src;
  dst->ca_file = dst->ca_dir = dst->cert_path = dst->key_path = NULL;
  dst->password = dst->backend = dst->keylog_file = dst->groups = NULL;
  dst->ciphers = dst->tls13_ciphers = NULL;
  dst->crl_file = dst->pinned_public_key = NULL;
  dst->local_end = dst->unix_socket = NULL;
  dst->proxy = dst->proxy_credentials = dst->noproxy = NULL;
  dst->proxy_ca_file = NULL;
  dst->pins = NULL;
  dst->pin_count = 0;
  if (set_string(&dst->ca_file, src->ca_file) ||
      set_string(&dst->ca_dir, src->ca_dir) ||
      set_string(&dst->cert_path, src->cert_path) ||
      set_string(&dst->key_path, src->key_path) ||
      set_string(&dst->password, src->password) ||
      set_string(&dst->backend, src->backend) ||
      set_string(&dst->keylog_file, src->keylog_file) ||
      set_string(&dst->groups, src->groups) ||
      set_string(&dst->ciphers, src->ciphers) ||
      set_string(&dst->tls13_ciphers, src->tls13_ciphers) ||
      set_string(&dst->crl_file, src->crl_file) ||
      set_string(&dst->pinned_public_key, src->pinned_public_key) ||
      set_string(&dst->local_end, src->local_end) ||
      set_string(&dst->unix_socket, src->unix_socket) ||
      set_string(&dst->proxy, src->proxy) ||
      set_string(&dst->proxy_credentials, src->proxy_credentials) ||
      set_string(&dst->noproxy, src->noproxy) ||
      set_string(&dst->proxy_ca_file, src->proxy_ca_file))
    goto nomem;
  for (size_t i = 0; i < src->pin_count; i++) {
    const struct hr_pin *pin = &src->pins[i];
    if (httpr_config_add_resolve(dst, pin->host, pin->port, pin->address))
      goto nomem;
  }
  return HTTPR_OK;
nomem:
  hr_config_clear(dst);
  return hr_nomem(err);
}
