/* SPDX-License-Identifier: MIT */
/*
 * transfer.c - one hop of a request on one connection: gets a connection
 * (checkout.c), runs the exchange in the protocol it speaks
 * (h1_exchange.c, h2_exchange.c), and when a reused connection was lost
 * before any answer, runs it once more on a new connection if the request
 * is idempotent and its body can be sent again. Redirects are the
 * caller's (client.c).
 */
#include "api/transfer.h"

#include <string.h>

#include "api/checkout.h"
#include "api/h1_exchange.h"
#include "api/h2_exchange.h"

int hr_method_idempotent(const char *method) {
  static const char *const safe[] = {"GET",    "HEAD",    "PUT",
                                     "DELETE", "OPTIONS", "TRACE"};
  for (size_t i = 0; i < sizeof(safe) / sizeof(safe[0]); i++) {
    if (strcmp(method, safe[i]) == 0)
      return 1;
  }
  return 0;
}

static void reset_response(httpr_response *resp) {
  hr_headers_free(&resp->headers);
  hr_buf_reset(&resp->body);
  resp->body_bytes = 0;
  resp->status = 0;
}

httpr_code hr_transfer_run(httpr_client *client, struct hr_transfer *t,
                           httpr_error *err) {
  char key[512];
  if (hr_pool_key(key, sizeof(key), t->url->https, t->url->host,
                  t->url->port) != 0)
    return hr_fail(err, HTTPR_E_URL, "host name too long");
  struct hr_exchange x;
  hr_exchange_init(&x, client, t);
  int replayable = !(t->send_body && t->req->read_cb);
  int may_retry = replayable && hr_method_idempotent(t->method);
  unsigned share = t->url->https && client->cfg.http_policy != HTTPR_HTTP1_ONLY
                       ? HR_POOL_SHARE
                       : 0;
  if (!t->url->https && client->cfg.http_policy == HTTPR_HTTP2_ONLY) {
    hr_fail(err, HTTPR_E_PROTOCOL,
            "HTTP/2 is required but http:// URLs use HTTP/1.1 (h2c is not "
            "supported)");
    err->http2 = 1;
    return HTTPR_E_PROTOCOL;
  }
  httpr_code rc = HTTPR_OK;
  for (int attempt = 0; attempt < 2; attempt++) {
    int reused = 0, retry = 0;
    rc = hr_checkout(&x, key, share | (attempt ? HR_POOL_FRESH : 0), &reused,
                     err);
    if (rc != HTTPR_OK)
      return rc;
    hr_exchange_record_connection(&x, reused);
    hr_exchange_start_bounds(&x.bounds, client, t);
    x.bytes_in = 0;
    if (x.pc->h2)
      rc = hr_h2_exchange_run(&x, reused, &retry, err);
    else
      rc = hr_h1_exchange_run(&x, reused, &retry, err);
    x.pc = NULL;
    x.conn = NULL;
    if (rc == HTTPR_OK || !retry || !may_retry)
      break;
    hr_debugf(&x.debug, "The request was not answered on that connection; "
                        "retrying on a new connection");
    reset_response(t->resp);
  }
  return rc;
}
