/* SPDX-License-Identifier: MIT */
/*
 * request.c - the request object: method, parsed URL, caller headers
 * (checked here, so a bad one fails where the caller added it), body from
 * memory or a read callback, and an optional sink for the response body.
 */
#include <stdlib.h>
#include <string.h>

#include "api/internal.h"
#include "protocol/h1_writer.h"

static httpr_error *local_or(httpr_error *err, httpr_error *local) {
  return err ? err : local;
}

httpr_code httpr_request_new(httpr_request **out, const char *method,
                             const char *url, httpr_error *err) {
  httpr_error local;
  err = local_or(err, &local);
  if (!out)
    return hr_fail(err, HTTPR_E_INVALID, "no place for the request");
  *out = NULL;
  if (!method || !hr_h1_is_token(method))
    return hr_fail(err, HTTPR_E_INVALID, "invalid method '%s'",
                   method ? method : "(null)");
  if (!url)
    return hr_fail(err, HTTPR_E_URL, "no URL given");
  httpr_request *req = calloc(1, sizeof(*req));
  if (!req)
    return hr_nomem(err);
  req->method = strdup(method);
  if (!req->method) {
    free(req);
    return hr_nomem(err);
  }
  httpr_code rc = hr_url_parse(url, &req->url, err);
  if (rc != HTTPR_OK) {
    httpr_request_free(req);
    return rc;
  }
  *out = req;
  return HTTPR_OK;
}

void httpr_request_free(httpr_request *req) {
  if (!req)
    return;
  free(req->method);
  hr_url_free(&req->url);
  hr_headers_free(&req->headers);
  free(req->body);
  free(req);
}

httpr_code httpr_request_add_header(httpr_request *req, const char *name,
                                    const char *value, httpr_error *err) {
  httpr_error local;
  err = local_or(err, &local);
  if (!req || !name || !value)
    return hr_fail(err, HTTPR_E_INVALID, "missing header name or value");
  if (!hr_h1_is_token(name))
    return hr_fail(err, HTTPR_E_INVALID, "invalid header name '%s'", name);
  if (!hr_h1_is_field_value(value))
    return hr_fail(err, HTTPR_E_INVALID,
                   "header '%s' holds CR, LF or another control character",
                   name);
  if (hr_strcaseeq(name, "Content-Length") ||
      hr_strcaseeq(name, "Transfer-Encoding"))
    return hr_fail(err, HTTPR_E_INVALID,
                   "header '%s' is set by the library from the body", name);
  if (hr_headers_add(&req->headers, name, strlen(name), value, strlen(value)) !=
      0)
    return hr_nomem(err);
  return HTTPR_OK;
}

static void drop_body(httpr_request *req) {
  free(req->body);
  req->body = NULL;
  req->body_len = 0;
  req->read_cb = NULL;
  req->read_ud = NULL;
  req->has_body = 0;
}

httpr_code httpr_request_set_body(httpr_request *req, const void *data,
                                  size_t len) {
  if (!req || (!data && len))
    return HTTPR_E_INVALID;
  char *copy = malloc(len ? len : 1);
  if (!copy)
    return HTTPR_E_NOMEM;
  if (len)
    memcpy(copy, data, len);
  drop_body(req);
  req->body = copy;
  req->body_len = len;
  req->has_body = 1;
  return HTTPR_OK;
}

httpr_code httpr_request_set_body_callback(httpr_request *req, httpr_read_cb cb,
                                           void *userdata, int64_t length) {
  if (!req || !cb || length < -1)
    return HTTPR_E_INVALID;
  drop_body(req);
  req->read_cb = cb;
  req->read_ud = userdata;
  req->read_len = length;
  req->has_body = 1;
  return HTTPR_OK;
}

/* Both names of the response sink setter share this body; inlined into
 * each, so the old name costs no extra call per request. */
static inline httpr_code set_response_sink(httpr_request *req,
                                           httpr_write_cb cb, void *userdata) {
  if (!req)
    return HTTPR_E_INVALID;
  req->sink = cb;
  req->sink_ud = cb ? userdata : NULL;
  return HTTPR_OK;
}

httpr_code httpr_request_set_response_sink(httpr_request *req,
                                           httpr_write_cb cb, void *userdata) {
  return set_response_sink(req, cb, userdata);
}

httpr_code httpr_request_set_body_sink(httpr_request *req, httpr_write_cb cb,
                                       void *userdata) {
  return set_response_sink(req, cb, userdata);
}

httpr_code httpr_request_set_fresh_connection(httpr_request *req, int on) {
  if (!req)
    return HTTPR_E_INVALID;
  req->fresh_connection = on != 0;
  return HTTPR_OK;
}
