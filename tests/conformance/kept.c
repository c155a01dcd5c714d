/* SPDX-License-Identifier: MIT */
/*
 * kept.c - what the pool and HTTP/2 tests keep of an exchange (see
 * suite.h): they send from several threads, where cmocka must not assert,
 * and compare the results afterwards.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/conformance/suite.h"

double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The body as a number (the test server's connection id), else -1. */
static long body_number(const httpr_response *resp) {
  size_t len = 0;
  const unsigned char *b = httpr_response_body(resp, &len);
  char num[32];
  if (len == 0 || len >= sizeof(num))
    return -1;
  memcpy(num, b, len);
  num[len] = '\0';
  char *end = NULL;
  long v = strtol(num, &end, 10);
  return end && *end == '\0' ? v : -1;
}

void keep_response(struct kept *k, httpr_code rc, const httpr_response *resp) {
  memset(k, 0, sizeof(*k));
  k->rc = rc;
  k->id = -1;
  k->done = now_s();
  if (rc != HTTPR_OK || !resp)
    return;
  k->status = httpr_response_status(resp);
  k->http_version = (int)httpr_response_http_version(resp);
  k->reused = httpr_response_connection_reused(resp);
  k->resumed = httpr_response_tls_session_resumed(resp);
  k->id = body_number(resp);
  snprintf(k->provider, sizeof(k->provider), "%s",
           httpr_response_tls_provider(resp));
  snprintf(k->tls_version, sizeof(k->tls_version), "%s",
           httpr_response_tls_version(resp));
  snprintf(k->alpn, sizeof(k->alpn), "%s", httpr_response_tls_alpn(resp));
}

httpr_code send_kept(httpr_client *client, const char *method, const char *url,
                     const char *body, struct kept *out, httpr_error *err) {
  httpr_request *req = NULL;
  httpr_response *resp = NULL;
  httpr_code rc = httpr_request_new(&req, method, url, err);
  if (rc == HTTPR_OK && body)
    rc = httpr_request_set_body(req, body, strlen(body));
  if (rc == HTTPR_OK)
    rc = httpr_client_send(client, req, &resp, err);
  keep_response(out, rc, resp);
  httpr_response_free(resp);
  httpr_request_free(req);
  return rc;
}

struct sender {
  httpr_client *client;
  const char *url;
  struct kept *out;
  int count;
};

static void *sender_run(void *arg) {
  struct sender *snd = arg;
  for (int i = 0; i < snd->count; i++)
    send_kept(snd->client, "GET", snd->url, NULL, &snd->out[i], NULL);
  return NULL;
}

void get_from_threads(httpr_client *client, const char *url, int threads,
                      int per_thread, struct kept *out) {
  pthread_t tid[MAX_SENDERS];
  struct sender snd[MAX_SENDERS];
  assert_in_range(threads, 1, MAX_SENDERS);
  for (int i = 0; i < threads; i++) {
    snd[i] = (struct sender){client, url, out + i * per_thread, per_thread};
    assert_int_equal(pthread_create(&tid[i], NULL, sender_run, &snd[i]), 0);
  }
  for (int i = 0; i < threads; i++)
    pthread_join(tid[i], NULL);
}

void expect_pooled_by_proxy(httpr_config *cfg, enum profile p) {
  assert_code(httpr_config_set_noproxy(cfg, "127.0.0.1"), HTTPR_OK);
  httpr_client *client = client_of(cfg);
  struct kept k[4];
  const char *proxied = url_of(p, NULL, "/conn-id");
  const char *direct = url_of(p, "127.0.0.1", "/conn-id");
  assert_code(send_kept(client, "GET", proxied, NULL, &k[0], NULL), HTTPR_OK);
  assert_code(send_kept(client, "GET", proxied, NULL, &k[1], NULL), HTTPR_OK);
  assert_code(send_kept(client, "GET", direct, NULL, &k[2], NULL), HTTPR_OK);
  assert_code(send_kept(client, "GET", proxied, NULL, &k[3], NULL), HTTPR_OK);
  assert_int_equal(k[0].reused, 0);
  assert_int_equal(k[1].reused, 1);
  assert_int_equal(k[2].reused, 0);
  assert_int_equal(k[3].reused, 1);
  assert_int_equal(k[1].id, k[0].id);
  assert_int_equal(k[3].id, k[0].id);
  assert_true(k[2].id != k[0].id);
  httpr_client_free(client);
}
