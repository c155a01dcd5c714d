/* SPDX-License-Identifier: MIT */
/*
 * get.c - fetches one URL and prints its status, TLS version, body size
 * and TLS provider. README.md shows this file byte for byte, and make
 * check builds it and runs it against the test server.
 *
 * Usage: get URL. Trust anchors come from the environment when set
 * (HTTPR_CA_BUNDLE=ca.pem, see README's Environment), else from the
 * system store; the provider from HTTPR_TLS_PROVIDER, else the system's
 * providers.conf, else the build's default. Exit 0 on any HTTP status, 1
 * on failure, 2 on bad usage.
 */
#include <stdio.h>

#include <httpr.h>

int main(int argc, char **argv) {
  httpr_config *cfg = NULL;
  httpr_error *err = NULL;
  httpr_client *client = NULL;
  httpr_request *req = NULL;
  httpr_response *resp = NULL;
  httpr_code rc;
  size_t len;
  int status = 1;

  if (argc != 2) {
    fprintf(stderr, "usage: %s URL\n", argv[0]);
    return 2;
  }
  /* Every *_free accepts NULL, so one exit frees whatever was made. */
  if (!(cfg = httpr_config_new()) || !(err = httpr_error_new())) {
    fputs("out of memory\n", stderr);
    goto out;
  }
  /* Setters take no error object: the code says what went wrong. */
  if ((rc = httpr_config_set_follow_redirects(cfg, 5)) != HTTPR_OK ||
      (rc = httpr_config_set_total_timeout_ms(cfg, 30000)) != HTTPR_OK) {
    fprintf(stderr, "config: %s\n", httpr_code_name(rc));
    goto out;
  }
  if (httpr_client_new(&client, cfg, err) != HTTPR_OK ||
      httpr_request_new(&req, "GET", argv[1], err) != HTTPR_OK ||
      httpr_client_send(client, req, &resp, err) != HTTPR_OK) {
    fprintf(stderr, "%s: %s\n", httpr_code_name(httpr_error_code(err)),
            httpr_error_message(err));
    goto out;
  }
  httpr_response_body(resp, &len);
  printf("%d %s, %zu bytes over %s\n", httpr_response_status(resp),
         httpr_response_tls_version(resp), len,
         httpr_response_tls_provider(resp));
  status = 0;
out:
  httpr_response_free(resp);
  httpr_request_free(req);
  httpr_client_free(client);
  httpr_error_free(err);
  httpr_config_free(cfg);
  return status;
}
