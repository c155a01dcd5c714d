/* SPDX-License-Identifier: MIT */
/*
 * bench_client.c - httpr-bench's use of the library: one client built from
 * the options, requests made once and sent many times, and the check every
 * response must pass (HTTP 200, exactly Content-Length body bytes), as the
 * benchmark contract asks of every client compared.
 *
 * Nothing here allocates per request: the request object is reused, the
 * body goes to a counting sink, the error object is reused. Whatever is
 * allocated per request is the library's own doing, which is the point of
 * measuring.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tools/bench/bench.h"

/* Connect limit per connection, as curlbench's CURLOPT_CONNECTTIMEOUT. */
#define CONNECT_TIMEOUT_MS 10000L
/* A request may run this much longer than --max-seconds before it counts
 * as hung, as curlbench's CURLOPT_TIMEOUT. */
#define REQUEST_GRACE_S 30.0

static int count_body(const void *data, size_t len, void *userdata) {
  (void)data;
  struct bench_sink *sink = userdata;
  sink->bytes += len;
  return 0;
}

/* A failed library call: message, code name and the provider's detail. */
static int report(const struct bench_client *bc, const char *what) {
  const char *detail = httpr_error_detail(bc->err);
  fprintf(stderr, "httpr-bench: %s: %s: %s (%s)%s%s\n", bc->scenario, what,
          httpr_error_message(bc->err),
          httpr_code_name(httpr_error_code(bc->err)), *detail ? "; " : "",
          detail);
  return -1;
}

/* A config setter refused a value (setters return a code only). */
static int refused(const char *scenario, const char *what, httpr_code rc) {
  fprintf(stderr, "httpr-bench: %s: %s refused: %s (%s)\n", scenario, what,
          httpr_code_description(rc), httpr_code_name(rc));
  return -1;
}

/* The host and port of an http(s) URL, for httpr_config_add_resolve: the
 * library parses URLs as well but keeps the result to itself. The host
 * comes without the brackets of an IPv6 literal, as the library keeps it. */
static int url_origin(const char *url, char *host, size_t cap, int *port) {
  const char *p;
  if (strncasecmp(url, "https://", 8) == 0) {
    p = url + 8;
    *port = 443;
  } else if (strncasecmp(url, "http://", 7) == 0) {
    p = url + 7;
    *port = 80;
  } else {
    return -1;
  }
  const char *name = p;
  size_t len;
  if (*p == '[') {
    const char *close = strchr(p, ']');
    if (!close)
      return -1;
    name = p + 1;
    len = (size_t)(close - name);
    p = close + 1;
  } else {
    len = strcspn(p, ":/?#");
    p += len;
  }
  if (len == 0 || len >= cap)
    return -1;
  memcpy(host, name, len);
  host[len] = '\0';
  if (*p == ':' && p[1] && !strchr("/?#", p[1])) {
    long v = 0;
    for (p++; *p >= '0' && *p <= '9' && v <= 65535; p++)
      v = v * 10 + (*p - '0');
    if (v < 1 || v > 65535)
      return -1;
    *port = (int)v;
  } else if (*p == ':') {
    p++; /* "host:/" means the scheme's port */
  }
  return *p == '\0' || strchr("/?#", *p) ? 0 : -1;
}

static int pin_address(httpr_config *cfg, const char *scenario,
                       const char *base_url, const char *ip) {
  char host[256];
  int port;
  if (url_origin(base_url, host, sizeof(host), &port) != 0) {
    fprintf(stderr,
            "httpr-bench: %s: --connect-ip: no host and port in '%s' "
            "(an http:// or https:// URL is needed)\n",
            scenario, base_url);
    return -1;
  }
  httpr_code rc = httpr_config_add_resolve(cfg, host, port, ip);
  return rc == HTTPR_OK ? 0 : refused(scenario, "--connect-ip", rc);
}

static int configure(httpr_config *cfg, const struct bench_opts *o,
                     const char *scenario, const char *base_url,
                     const struct bench_pool *pool) {
  httpr_code rc;
  if (o->backend && (rc = httpr_config_set_tls_backend(cfg, o->backend)))
    return refused(scenario, "--backend", rc);
  if (o->cacert && (rc = httpr_config_set_ca_file(cfg, o->cacert)))
    return refused(scenario, "--cacert", rc);
  if (o->insecure && (rc = httpr_config_set_verify(cfg, 0)))
    return refused(scenario, "--insecure", rc);
  if (o->connect_ip && pin_address(cfg, scenario, base_url, o->connect_ip))
    return -1;
  if (o->connect_ip && o->mix_url &&
      pin_address(cfg, scenario, o->mix_url, o->connect_ip))
    return -1;
  long connect_ms = pool->connect_timeout_ms > 0 ? pool->connect_timeout_ms
                                                 : CONNECT_TIMEOUT_MS;
  if ((rc = httpr_config_set_connect_timeout_ms(cfg, connect_ms)))
    return refused(scenario, "the connect timeout", rc);
  long total_ms = (long)((o->max_seconds + REQUEST_GRACE_S) * 1000.0);
  if ((rc = httpr_config_set_total_timeout_ms(cfg, total_ms)))
    return refused(scenario, "--max-seconds", rc);
  if (pool->max_idle >= 0 &&
      (rc = httpr_config_set_max_idle_connections(cfg, (size_t)pool->max_idle)))
    return refused(scenario, "the idle connection limit", rc);
  if (pool->max_connections &&
      ((rc = httpr_config_set_max_connections_per_origin(
            cfg, pool->max_connections)) ||
       (rc = httpr_config_set_max_connections(cfg, pool->max_connections))))
    return refused(scenario, "the connection limits", rc);
  if (pool->idle_ms > 0 &&
      (rc = httpr_config_set_idle_timeout_ms(cfg, pool->idle_ms)))
    return refused(scenario, "the idle timeout", rc);
  if ((rc = httpr_config_set_session_resumption(cfg, pool->resumption)))
    return refused(scenario, "the session resumption switch", rc);
  if ((rc = httpr_config_set_http_policy(cfg, pool->http)))
    return refused(scenario, "the HTTP version policy", rc);
  return 0;
}

int bench_client_open(struct bench_client *bc, const struct bench_opts *o,
                      const char *scenario, const char *base_url,
                      const struct bench_pool *pool) {
  memset(bc, 0, sizeof(*bc));
  bc->scenario = scenario;
  bc->owns_client = 1;
  httpr_config *cfg = httpr_config_new();
  bc->err = httpr_error_new();
  int rc = -1;
  if (!cfg || !bc->err)
    fprintf(stderr, "httpr-bench: %s: out of memory\n", scenario);
  else if (configure(cfg, o, scenario, base_url, pool) == 0)
    rc = httpr_client_new(&bc->client, cfg, bc->err) == HTTPR_OK
             ? 0
             : report(bc, "cannot make the client");
  httpr_config_free(cfg);
  if (rc != 0)
    bench_client_close(bc);
  return rc;
}

int bench_client_worker(struct bench_client *w,
                        const struct bench_client *shared) {
  memset(w, 0, sizeof(*w));
  w->client = shared->client;
  w->scenario = shared->scenario;
  if (!(w->err = httpr_error_new())) {
    fprintf(stderr, "httpr-bench: %s: out of memory\n", w->scenario);
    return -1;
  }
  return 0;
}

void bench_client_close(struct bench_client *bc) {
  if (bc->owns_client)
    httpr_client_free(bc->client);
  httpr_error_free(bc->err);
  bc->client = NULL;
  bc->err = NULL;
}

httpr_request *bench_request(struct bench_client *bc, const char *base_url,
                             const char *path) {
  /* base + path as curlbench joins them: one '/' between the two. */
  size_t base_len = strlen(base_url);
  while (base_len && base_url[base_len - 1] == '/')
    base_len--;
  size_t cap = base_len + strlen(path) + 2;
  char *url = malloc(cap);
  if (!url) {
    fprintf(stderr, "httpr-bench: %s: out of memory\n", bc->scenario);
    return NULL;
  }
  snprintf(url, cap, "%.*s%s%s", (int)base_len, base_url,
           path[0] == '/' ? "" : "/", path);
  httpr_request *req = NULL;
  if (httpr_request_new(&req, "GET", url, bc->err) != HTTPR_OK)
    report(bc, url);
  else if (httpr_request_set_body_sink(req, count_body, &bc->sink) !=
           HTTPR_OK) {
    fprintf(stderr, "httpr-bench: %s: cannot set the body sink\n",
            bc->scenario);
    httpr_request_free(req);
    req = NULL;
  }
  free(url);
  return req;
}

/* Content-Length as a number; -1 when absent or not a plain number. */
static int64_t content_length(const httpr_response *resp) {
  const char *v = httpr_response_header(resp, "Content-Length", 0);
  if (!v || !*v)
    return -1;
  int64_t n = 0;
  for (; *v >= '0' && *v <= '9'; v++) {
    if (n > (INT64_MAX - 9) / 10)
      return -1;
    n = n * 10 + (*v - '0');
  }
  return *v == '\0' ? n : -1;
}

static int check(const struct bench_client *bc, const httpr_response *resp) {
  int status = httpr_response_status(resp);
  if (status != 200) {
    fprintf(stderr, "httpr-bench: %s: HTTP %d from %s\n", bc->scenario, status,
            httpr_response_url(resp));
    return -1;
  }
  int64_t want = content_length(resp);
  if (want < 0) {
    fprintf(stderr, "httpr-bench: %s: no usable Content-Length from %s\n",
            bc->scenario, httpr_response_url(resp));
    return -1;
  }
  if (bc->sink.bytes != (uint64_t)want) {
    fprintf(stderr,
            "httpr-bench: %s: got %llu body bytes, Content-Length says %lld\n",
            bc->scenario, (unsigned long long)bc->sink.bytes, (long long)want);
    return -1;
  }
  return 0;
}

int64_t bench_check_response(const char *scenario, const httpr_response *resp) {
  int status = httpr_response_status(resp);
  int64_t want = content_length(resp);
  uint64_t got = httpr_response_body_bytes(resp);
  if (status == 200 && want >= 0 && got == (uint64_t)want)
    return want;
  if (status != 200)
    fprintf(stderr, "httpr-bench: %s: HTTP %d from %s\n", scenario, status,
            httpr_response_url(resp));
  else if (want < 0)
    fprintf(stderr, "httpr-bench: %s: no usable Content-Length from %s\n",
            scenario, httpr_response_url(resp));
  else
    fprintf(stderr,
            "httpr-bench: %s: got %llu body bytes, Content-Length says %lld\n",
            scenario, (unsigned long long)got, (long long)want);
  return -1;
}

/* Version and cipher of the TLS session, and the HTTP version, as the
 * output line's tls= and proto= fields. */
void bench_describe(const httpr_response *resp, struct bench_result *r) {
  const char *version = httpr_response_tls_version(resp);
  const char *cipher = httpr_response_tls_cipher(resp);
  if (*version)
    snprintf(r->tls, sizeof(r->tls), "%s/%s", version, cipher);
  else
    snprintf(r->tls, sizeof(r->tls), "none");
  for (char *c = r->tls; *c; c++) {
    if (*c <= 0x20 || *c >= 0x7f)
      *c = '?';
  }
  httpr_http_version v = httpr_response_http_version(resp);
  snprintf(r->proto, sizeof(r->proto), "%s",
           v == HTTPR_HTTP_2     ? "h2"
           : v == HTTPR_HTTP_1_0 ? "http/1.0"
                                 : "http/1.1");
}

int bench_get(struct bench_client *bc, const httpr_request *req,
              struct bench_counts *c, struct bench_result *r) {
  httpr_response *resp = NULL;
  bc->sink.bytes = 0;
  if (httpr_client_send(bc->client, req, &resp, bc->err) != HTTPR_OK)
    return report(bc, "request failed");
  int rc = check(bc, resp);
  if (rc == 0 && !httpr_response_connection_reused(resp)) {
    c->conns++;
    if (httpr_response_tls_session_resumed(resp))
      c->resumed++;
  }
  if (rc == 0 && r)
    bench_describe(resp, r);
  httpr_response_free(resp);
  return rc;
}
