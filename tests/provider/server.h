/* SPDX-License-Identifier: MIT */
/*
 * server.h - the one in-memory TLS server every provider's client meets in
 * the provider suite: OpenSSL, over the two byte queues of a struct link
 * (tests/provider/tls_memory.h), serving the PEM files of the test PKI
 * (tests/pki/make-pki.sh, found with file_of). OpenSSL serves because it is
 * what clients meet in the field (nginx, s_server) and because it can be a
 * TLS 1.3-only server. Besides the hooks of struct memory_test it answers
 * the questions the scenarios ask of the server's side (what SNI came,
 * which suite, which client certificate), so that no scenario includes a
 * TLS library's header. Test support: it asserts with cmocka.
 */
#ifndef HTTPR_TESTS_PROVIDER_SERVER_H
#define HTTPR_TESTS_PROVIDER_SERVER_H

#include <stddef.h>

#include "tests/provider/tls_memory.h"

/* What a server is made from. Names are files of the PKI (file_of). */
struct server_opts {
  const char *cert;        /* the leaf, then the chain the server sends */
  const char *key;         /* the leaf's key */
  const char *extra;       /* one more certificate sent after those, or NULL */
  int min, max;            /* 12 or 13; 0: no bound */
  int require_client_cert; /* trusted: client-ca.pem */
  int no_alpn;             /* chooses no protocol */
  int no_tickets; /* TLS 1.2: session ids only; TLS 1.3: stateful tickets */
  int no_cache;   /* no session cache (and no tickets sent in TLS 1.3) */
};

/* The server's half of struct memory_test; the caller sets provider and
 * expect_clean. Call server_global_init first. */
extern const struct memory_test server_hooks;

/* OpenSSL's queue BIO: 1, or 0 when it cannot be made. */
int server_global_init(void);
void server_global_cleanup(void);

/* The usual server's options: good-ecdsa.crt (leaf and intermediate). */
struct server_opts good_opts(void);

/* The host name the client sent as SNI, or NULL for none. */
const char *server_sni(const struct link *l);

/* The IANA name of the suite the server negotiated. */
const char *server_cipher(const struct link *l);

/* 1 when the key exchange used X25519. */
int server_group_is_x25519(const struct link *l);

/* Sends the server's close_notify; asserts. */
void server_shutdown(struct link *l);

/* Asserts that the next server read meets the client's close_notify. */
void server_expect_close_notify(struct link *l);

/* The client random the server saw. */
void server_client_random(const struct link *l, unsigned char out[32]);

/* The length of the suite's handshake hash (the TLS 1.3 secrets' length). */
size_t server_secret_len(const struct link *l);

/* The TLS 1.2 master secret. */
void server_master_secret(const struct link *l, unsigned char out[48]);

/* 1 when the client's certificate is the first one in the PEM file name
 * and the server verified it. */
int server_peer_is(const struct link *l, const char *name);

/* 1 when the client sent a certificate, trusted or not. */
int server_got_peer_cert(const struct link *l);

/* How many certificates the client sent after its own. */
int server_peer_chain_len(const struct link *l);

/* The RFC 2253 subject of the first certificate in the PEM file name;
 * static storage, valid until the next call. */
const char *cert_subject(const char *name);

#endif
