/* SPDX-License-Identifier: MIT */
/*
 * client.c - the client: picks the provider, keeps the config and the
 * pool, and sends a request as one job (job.c: its hops, their
 * connections) on an engine of the call's own (engine.c). Safe to
 * use from several threads: the only shared mutable state is the TLS
 * context (tls_context.c: built under a lock, then read-only) and the pool
 * (which locks itself).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/engine.h"
#include "api/proxy_route.h"
#include "api/tls_context.h"

static httpr_error *local_or(httpr_error *err, httpr_error *local) {
  return err ? err : local;
}

/* ---- provider ------------------------------------------------------------ */

/* How the providers a program can use got there: the modules installed,
 * or the providers compiled into a --disable-modules build. */
#ifdef HTTPR_MODULES
#define PRESENT "installed"
#else
#define PRESENT "built in"
#endif

static httpr_code unknown_backend(const char *name, httpr_error *err) {
  char list[128] = "";
  for (size_t i = 0; i < hr_provider_count(); i++) {
    size_t used = strlen(list);
    snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
             hr_provider_at(i)->name);
  }
  return hr_fail(err, HTTPR_E_BACKEND, "TLS provider '%s' is not %s (%s: %s)",
                 name, PRESENT, PRESENT, list);
}

static const char *chosen_backend(const struct httpr_config *cfg) {
  return cfg->backend ? cfg->backend : httpr_default_provider();
}

/* ---- client lifetime ----------------------------------------------------- */

httpr_code httpr_client_new(httpr_client **out, const httpr_config *cfg,
                            httpr_error *err) {
  httpr_error local;
  err = local_or(err, &local);
  if (!out)
    return hr_fail(err, HTTPR_E_INVALID, "no place for the client");
  *out = NULL;
  httpr_config *defaults = NULL;
  if (!cfg && !(cfg = defaults = httpr_config_new()))
    return hr_nomem(err);
  httpr_client *client = calloc(1, sizeof(*client));
  httpr_code rc = HTTPR_OK;
  if (!client) {
    rc = hr_nomem(err);
    goto done;
  }
  pthread_mutex_init(&client->tls_lock, NULL);
  const char *name = chosen_backend(cfg);
  client->provider = hr_provider_find(name);
  if (!client->provider) {
    rc = unknown_backend(name, err);
    hr_provider_explain(name, err); /* a module that failed to load */
    goto done;
  }
  rc = hr_provider_acquire(client->provider, err);
  if (rc != HTTPR_OK)
    goto done;
  client->provider_acquired = 1;
  rc = hr_config_copy(&client->cfg, cfg, err);
  if (rc != HTTPR_OK)
    goto done;
  /* A resumed handshake brings no certificate, so nothing to check the
   * status of: with the check required, every connection is a full
   * handshake. */
  if (client->cfg.cert_status)
    client->cfg.session_resumption = 0;
  struct hr_pool_limits limits = {
      .max_idle = client->cfg.max_idle,
      .idle_ms = client->cfg.idle_timeout_ms,
      .max_per_origin = client->cfg.max_per_origin,
      .max_total = client->cfg.max_connections,
  };
  client->pool = hr_pool_new(&limits, client->provider->session_free);
  if (!client->pool) {
    rc = hr_nomem(err);
    goto done;
  }
  rc = hr_proxy_route_new(&client->cfg, &client->proxies, err);
done:
  httpr_config_free(defaults);
  if (rc != HTTPR_OK) {
    httpr_client_free(client);
    return rc;
  }
  *out = client;
  return HTTPR_OK;
}

void httpr_client_free(httpr_client *client) {
  if (!client)
    return;
  hr_pool_free(client->pool);
  hr_proxy_route_free(client->proxies);
  hr_client_tls_free(client);
  if (client->provider_acquired)
    hr_provider_release(client->provider);
  hr_config_clear(&client->cfg);
  pthread_mutex_destroy(&client->tls_lock);
  free(client);
}

const char *httpr_client_provider(const httpr_client *client) {
  return client && client->provider ? client->provider->name : "";
}

/* ---- requests ------------------------------------------------------------ */

/* A job of httpr_client_send ended: its result is read after the loop. */
static void send_done(struct hr_job *j, void *ud) {
  (void)j;
  (void)ud;
}

httpr_code httpr_client_send(httpr_client *client, const httpr_request *req,
                             httpr_response **out, httpr_error *err) {
  httpr_error local;
  err = local_or(err, &local);
  if (!client || !req || !out)
    return hr_fail(err, HTTPR_E_INVALID, "missing client, request or out");
  *out = NULL;
  /* One job on an engine of this call's own, on the caller's thread. */
  struct hr_job job;
  struct hr_engine engine;
  hr_engine_init(&engine, send_done, NULL);
  hr_job_start(&job, client, req, &engine.h2_owner);
  if (job.phase != HR_JOB_DONE && hr_engine_add(&engine, &job) != 0)
    hr_job_cancel(&job, HTTPR_E_NOMEM, "out of memory");
  while (hr_engine_running(&engine))
    hr_engine_turn(&engine, -1);
  hr_engine_clear(&engine, HTTPR_E_NOMEM, "out of memory");
  return hr_job_finish(&job, out, err);
}
