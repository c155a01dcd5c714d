/* SPDX-License-Identifier: MIT */
/*
 * env_probe.c - prints what the library makes of the environment, for
 * tests/check-secure-env.sh, which runs it once as a plain program and
 * once set-group-ID (the kernel then marks the process AT_SECURE): every
 * variable of the table as hr_env_get reads it beside the raw value (so
 * the output shows the variable did reach the process), and the decisions
 * the library takes from them: the default provider and the step that
 * chose it (httpr_default_provider_origin), the trust store's origin, whether a key log
 * was opened. One "key=value" line each. tests/check-default-provider.sh
 * runs it too, once per providers.conf, since the library reads that file
 * once per process.
 *
 * Usage: env-probe [PROVIDER]: with PROVIDER, also the provider of a
 * client whose config names it ("client provider=NAME", or the error's
 * code); without, that of a client whose config names none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/auxv.h>

#include "common/env.h"
#include "api/httpr.h"
#include "backends/keylog.h"
#include "backends/trust.h"

/* In a sanitizer build: LeakSanitizer cannot stop the threads of a
 * process the kernel made undumpable (set-group-ID), and the sanitizers
 * cannot read ASAN_OPTIONS from /proc/self/environ there, so the leak
 * check is turned off here, at build time. Unused otherwise. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "detect_leaks=0"; }

int main(int argc, char **argv) {
  printf("AT_SECURE=%lu\n", getauxval(AT_SECURE));
  for (size_t i = 0; i < HR_ENV_COUNT; i++) {
    const char *name = hr_env_at(i)->name;
    const char *raw = getenv(name); /* the probe's own look, not httpr's */
    const char *seen = hr_env_get((enum hr_env_id)i);
    printf("raw %s=%s\n", name, raw ? raw : "(unset)");
    printf("hr_env_get %s=%s\n", name, seen ? seen : "(unset)");
  }
  /* Ids outside the table read nothing, whatever the environment holds. */
  printf("outside the table=%s\n",
         hr_env_get(HR_ENV_COUNT) || hr_env_name((enum hr_env_id) - 1)
             ? "read"
             : "none");
  printf("providers=");
  for (size_t i = 0; i < httpr_provider_count(); i++)
    printf("%s%s", i ? " " : "", httpr_provider_name(i));
  printf("\ndefault provider=%s\n", httpr_default_provider());
  char from[5000];
  httpr_default_provider_origin(from, sizeof(from));
  printf("default from=%s\n", from);
  httpr_config *cfg = httpr_config_new();
  httpr_client *client = NULL;
  httpr_code rc = httpr_config_set_tls_provider(cfg, argc > 1 ? argv[1] : NULL);
  if (rc == HTTPR_OK)
    rc = httpr_client_new(&client, cfg, NULL);
  printf("client provider=%s\n",
         client ? httpr_client_provider(client) : httpr_code_name(rc));
  httpr_client_free(client);
  httpr_config_free(cfg);
  httpr_error err = {0};
  struct hr_trust trust;
  if (hr_trust_resolve(NULL, NULL, &trust, &err) == HTTPR_OK)
    printf("trust origin=%s\n", trust.origin);
  else
    printf("trust origin=none (%s)\n", err.message);
  hr_trust_free(&trust);
  struct hr_keylog *log = NULL;
  httpr_error warning = {0};
  hr_keylog_open(NULL, &log, &err, &warning);
  printf("key log=%s\n", log ? "open" : "none");
  hr_keylog_close(log);
  return 0;
}
