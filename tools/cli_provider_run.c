/* SPDX-License-Identifier: MIT */
/*
 * cli_provider_run.c - one request with one provider (cli_provider_run.h).
 */
#include "cli_provider_run.h"

#include <stdio.h>

#include "cli_config.h"
#include "cli_exit.h"
#include "cli_transfer.h"

static int discard(const void *data, size_t len, void *ud) {
  (void)data;
  (void)len;
  (void)ud;
  return 0;
}

int cli_provider_run(const struct cli_options *opts, const char *url,
                     const char *provider,
                     httpr_code (*adjust)(httpr_config *cfg, void *ud),
                     void *adjust_ud, struct cli_provider_run *r) {
  httpr_config *cfg = NULL;
  httpr_client *client = NULL;
  httpr_request *req = NULL;
  *r =
      (struct cli_provider_run){.provider = provider, .err = httpr_error_new()};
  if (!r->err) {
    r->exit_code = CLI_EXIT_NOMEM;
    return -1;
  }
  r->exit_code = cli_make_config(opts, &cfg, stderr);
  if (r->exit_code != CLI_EXIT_OK)
    goto done;
  r->code = httpr_config_set_tls_provider(cfg, provider);
  if (r->code == HTTPR_OK && adjust)
    r->code = adjust(cfg, adjust_ud);
  if (r->code == HTTPR_OK)
    r->code = httpr_client_new(&client, cfg, r->err);
  if (r->code == HTTPR_OK)
    r->code = cli_build_request(opts, url, &req, r->err);
  if (r->code == HTTPR_OK)
    r->code = httpr_request_set_body_sink(req, discard, NULL);
  if (r->code == HTTPR_OK)
    r->code = httpr_client_send(client, req, &r->resp, r->err);
  r->exit_code =
      cli_exit_code_http(r->code, opts->http_version == CLI_HTTP2_ONLY);
done:
  httpr_request_free(req);
  httpr_client_free(client);
  httpr_config_free(cfg);
  return 0;
}

void cli_provider_run_print_failure(const struct cli_options *opts,
                                    const struct cli_provider_run *r) {
  if (r->exit_code == CLI_EXIT_OK)
    return;
  fprintf(stderr, "httpr: %s: (%d) %s\n", r->provider, r->exit_code,
          httpr_error_message(r->err));
  if (opts->verbose && *httpr_error_detail(r->err))
    fprintf(stderr, "httpr: %s: detail: %s\n", r->provider,
            httpr_error_detail(r->err));
}

void cli_provider_run_free(struct cli_provider_run *r) {
  httpr_response_free(r->resp);
  httpr_error_free(r->err);
  r->resp = NULL;
  r->err = NULL;
}
