/* SPDX-License-Identifier: MIT */
/*
 * scenarios.h - the provider suite's scenarios, written once and run for
 * every provider built in (tests/provider/main.c). Each file holds one
 * part of the contract of backends/provider.h and exports its table:
 * scenarios_io.c (the non-blocking contract, data, close_notify, broken
 * transports), scenarios_verify.c (chains, validity, identity),
 * scenarios_config.c (trust stores, versions, ALPN),
 * scenarios_credentials.c (client credentials and client certificates),
 * scenarios_session.c (key log, threads, resumption); shared.c the
 * checks of the shared helpers, run once.
 */
#ifndef HTTPR_TESTS_PROVIDER_SCENARIOS_H
#define HTTPR_TESTS_PROVIDER_SCENARIOS_H

#include "tests/provider/expect.h"
#include "tests/provider/server.h"
#include "tests/provider/tls_memory.h"
#include "tests/unit/pki_files.h"

struct scenario_table {
  const struct CMUnitTest *tests;
  size_t count;
};

extern const struct scenario_table io_scenarios, verify_scenarios,
    config_scenarios, credential_scenarios, session_scenarios, shared_checks;

#define TABLE(t)                                                               \
  { t, sizeof(t) / sizeof((t)[0]) }

/* The version a client up to max_version (0: the newest) gets from the
 * test server: "TLSv1.3" or "TLSv1.2". */
const char *newest_version(int max_version);

/* 1 when the provider has TLS 1.3. */
int has_tls13(void);

/* A server of the usual leaf, and key, with its options changed. */
struct server_opts opts_with(const char *cert, const char *key);

#endif
