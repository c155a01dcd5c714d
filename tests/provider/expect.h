/* SPDX-License-Identifier: MIT */
/*
 * expect.h - what differs by TLS library in the provider suite, as data:
 * the library's own words in an error's detail, the alert its client
 * sends for each verification failure, exact suite names, and the tests
 * only that library can have. One struct per provider, filled in
 * tests/provider/PROVIDER_only.c and nowhere else; the scenarios read it
 * (and the provider's feature bits), never a provider's name.
 */
#ifndef HTTPR_TESTS_PROVIDER_EXPECT_H
#define HTTPR_TESTS_PROVIDER_EXPECT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "backends/provider.h"

/* How a detail is checked: not at all (beyond being there), whole, as a
 * substring or as a prefix. */
enum match { MATCH_ANY = 0, MATCH_EXACT, MATCH_CONTAINS, MATCH_PREFIX };

struct detail {
  enum match how;
  const char *text;
};

#define ANY_DETAIL                                                             \
  { MATCH_ANY, NULL }
#define EXACT(s)                                                               \
  { MATCH_EXACT, s }
#define CONTAINS(s)                                                            \
  { MATCH_CONTAINS, s }
#define PREFIX(s)                                                              \
  { MATCH_PREFIX, s }

/* A verification failure: the detail and the alert the client sends
 * (ANY_ALERT, tls_memory.h: not checked). */
struct verdict {
  struct detail detail;
  int alert;
};

/* The detail of an error. Asserts that got matches want. */
void expect_detail(const char *got, struct detail want);

/* The wrong-password forms every provider reads (scenarios_credentials.c
 * lists them, in this order). */
#define WRONG_FORMS 5

struct provider_expect {
  const struct hr_tls_provider *provider;
  /* Optional: asserts that the provider left nothing behind after a
   * failure it reported. */
  void (*expect_clean)(void);
  /* Optional: makes the files the provider's own tests need in the
   * private directory; 1, or 0 when they cannot be made. */
  int (*setup)(void);

  /* Exact IANA suite names: against the usual (ECDSA) server, an RSA one
   * and in TLS 1.2 (NULL: any "TLS_" name, the server's). */
  const char *cipher, *rsa_cipher, *tls12_cipher;

  /* 1 when the key exchange with the usual server is X25519 (0: not
   * checked). */
  int x25519;
  /* The subject of named.crt (one multi-valued RDN) as info() gives it;
   * NULL: as OpenSSL prints it in RFC 2253 form. */
  const char *named_subject;
  /* Certificates the client sends after a lone certificate of its own
   * (some libraries add the issuers from their trust store). */
  int client_chain;

  /* Details of the transport's ends. */
  struct detail eof;           /* a read meets EOF without close_notify */
  struct detail server_closed; /* the handshake meets EOF */

  /* Verification failures (scenarios_verify.c names each case). */
  struct verdict self_signed, wrong_anchor, root_sent, unrelated_root;
  struct verdict missing_inter, expired, not_yet_valid, expired_untrusted;
  struct verdict purpose, hostname, ip_address;

  /* What a server's records and alerts come out as. */
  struct detail protocol_version; /* alert 70 during the handshake */
  struct detail internal_error;   /* alert 80 during the handshake */
  struct detail old_hello;        /* a TLS 1.1 ServerHello */
  struct detail tls12_hello;      /* a TLS 1.2 one to a TLS 1.3-only client */
  struct detail version_refused;  /* a TLS 1.3-only server, client 1.2 */

  /* Client credentials. */
  struct detail bad_key; /* a key that does not parse */
  struct detail wrong_password[WRONG_FORMS];

  /* Alerts about the client's certificate. */
  struct detail unknown_ca;           /* TLS 1.2 */
  struct detail handshake_failure;    /* TLS 1.2, no certificate */
  struct detail certificate_required; /* TLS 1.3, no certificate */

  /* Tests only this provider has. */
  const struct CMUnitTest *only;
  size_t only_count;
};

/* The provider under test and its expectations: set by main.c before a
 * provider's tests run. */
extern const struct hr_tls_provider *P;
extern const struct provider_expect *X;

#endif
