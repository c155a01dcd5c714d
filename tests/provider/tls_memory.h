/* SPDX-License-Identifier: MIT */
/*
 * tls_memory.h - drives a provider's client over memory against a test's
 * own server and checks the outcome. Two byte queues join them; the
 * client's hr_tls_io callbacks have knobs for every "would block" and
 * broken transport; a loop pumps client and server in turn until both are
 * done. Also the client settings every memory test starts from and the
 * checks the provider tests share (a chain accepted or refused, a context
 * refused, data a byte at a time, a context shared by threads, session
 * resumption).
 *
 * The server stays the suite's own, in its own TLS library
 * (tests/provider/server.c): it plugs in through struct memory_test.
 * Nothing here includes a TLS library's
 * header. Test support only: it asserts with cmocka, from the thread that
 * runs the test (threads get only the calls documented as asserting
 * nothing).
 */
#ifndef HTTPR_TESTS_PROVIDER_TLS_MEMORY_H
#define HTTPR_TESTS_PROVIDER_TLS_MEMORY_H

#include <stddef.h>

#include "backends/provider.h"

#define ROUNDS 200           /* plenty for a handshake in whole flights */
#define TRICKLE_ROUNDS 40000 /* one byte per call in each direction */

/* The ALPN list the clients offer and the test servers choose from. */
extern const unsigned char alpn_h11[sizeof("\x08http/1.1")];

/* ------------------------------------------------------------------------ */
/* Byte queues.                                                             */

struct queue {
  unsigned char *data;
  size_t len, cap;
};

/* Appends n bytes: 1, or 0 (q unchanged) when memory runs out. Asserts
 * nothing. */
int queue_put(struct queue *q, const void *p, size_t n);

/* Takes up to n bytes from the front into p: how many. */
size_t queue_take(struct queue *q, void *p, size_t n);

/* ------------------------------------------------------------------------ */
/* The link: c2s carries client bytes to the server, s2c server bytes to    */
/* the client. The client reads and writes them through hr_tls_io, the     */
/* test's server through its library's transport hooks.                    */

struct link {
  struct queue c2s, s2c;
  void *server;     /* the test server's session (server.c: an SSL *) */
  void *conn;       /* the provider's connection */
  int server_state; /* 0 running, 1 handshake done, -1 failed */
  int server_error; /* the server library's error that failed it, if kept */
  int server_alert; /* the client's alert that failed it, if kept, or -1 */
  /* Knobs of the client's callbacks. */
  int send_blocked; /* every send would block */
  int trickle;      /* one byte per call, every other call would block */
  int send_errno;   /* send fails with this errno */
  int recv_errno;   /* recv fails with this errno */
  int s2c_eof;      /* recv returns 0 once s2c is empty */
  int send_starved, recv_starved;
  unsigned long send_calls, recv_calls;
};

/* What a test plugs in: its provider and its server. opts is always the
 * test's own struct server_opts, server what server_new made. */
struct memory_test {
  const struct hr_tls_provider *provider;
  /* A server (an SSL_CTX, credentials) from opts, and the test's usual
   * one (the leaf with its intermediate). They assert. */
  void *(*server_new)(const void *opts);
  void *(*good_server)(void);
  void (*server_free)(void *server);
  /* A session of server over l's queues, into l->server: 1, or 0 when it
   * cannot be made. Asserts nothing: threads call it. */
  int (*server_open)(struct link *l, void *server);
  /* Frees l->server, which may be NULL. */
  void (*server_close)(struct link *l);
  /* One step of the server's handshake when l->server_state is 0: sets
   * it, and server_error or server_alert where the test keeps them. */
  void (*server_step)(struct link *l);
  /* Reads up to len bytes the client sent: how many, 0 when none has come
   * yet, -1 on anything else. Asserts nothing: threads call it. */
  long (*server_read)(struct link *l, void *buf, size_t len);
  /* Sends all of len bytes to the client; asserts. */
  void (*server_write)(struct link *l, const void *buf, size_t len);
  /* Optional: asserts that the client's alert ended the server's
   * handshake; bad_chain calls it unless told ANY_ALERT. */
  void (*expect_alert)(const struct link *l, int alert);
  /* Optional: asserts that the provider left nothing behind after a
   * failure it reported (OpenSSL: its thread's error queue is empty). */
  void (*expect_clean)(void);
  /* Optional: 1 when the server resumed l's session, by its own account.
   * The resumption checks below compare it with the client's. */
  int (*server_resumed)(const struct link *l);
};

/* The test's setup, kept (not copied) until the program ends. Call it
 * before anything below. */
void memory_test_use(const struct memory_test *t);

/* Opens l: fresh queues, a server session and a client connection to
 * host; asserts both are made. link_close frees it. */
void link_open(struct link *l, void *cctx, void *server, const char *host);

/* The same without asserting, for threads: 1, or 0 when the session or the
 * connection cannot be made. link_close frees l either way. */
int link_try_open(struct link *l, void *cctx, void *server, const char *host);

void link_close(struct link *l);

/* Runs client and server in turn until the client's handshake ends (at
 * most rounds client calls), then lets the server take the client's last
 * flight. The client's last status; err holds its error. */
enum hr_tls_status handshake(struct link *l, httpr_error *err, int rounds);

/* Asserts that both sides finish the handshake. */
void expect_handshake_ok(struct link *l);

/* Asserts that the client's handshake fails with code and message and a
 * detail; err keeps the error for further checks. */
void expect_handshake_error(struct link *l, httpr_code code,
                            const char *message, httpr_error *err);

/* Reads exactly want bytes from the client side in at most rounds calls;
 * every call reads or wants to read. */
void client_read_exact(struct link *l, unsigned char *buf, size_t want,
                       int rounds);

/* Writes all of len bytes from the client side in at most rounds calls,
 * repeating on want-write. */
void client_write_all(struct link *l, const unsigned char *buf, size_t len,
                      int rounds);

/* Reads exactly want bytes on the server side in at most ROUNDS calls;
 * every call reads or has nothing yet. */
void server_read_exact(struct link *l, unsigned char *buf, size_t want);

/* ------------------------------------------------------------------------ */
/* Client settings and contexts.                                            */

/* Settings trusting ca_name (a file of the PKI, found by file_of; NULL:
 * none):
 * peer and host verified, TLS 1.2 and up, ALPN http/1.1. */
struct hr_tls_settings client_settings(const char *ca_name);

/* client_settings("root-ca.pem") with a client credential of kind: cert
 * and key files of the PKI (file_of; NULL: none), password (NULL: none). */
struct hr_tls_settings cred(enum hr_cred_kind kind, const char *cert,
                            const char *key, const char *password);

/* A client context for s; asserts it is made. Free it with the provider's
 * context_free. */
void *client_ctx(const struct hr_tls_settings *s);

/* Asserts that s makes no context: code, message, and hint (NULL: any). */
void context_fails(const struct hr_tls_settings *s, httpr_code code,
                   const char *message, const char *hint);

/* context_fails(&s, HTTPR_E_CLIENT_CERT, message, NULL). */
void cred_fails(struct hr_tls_settings s, const char *message);

/* A message with one path in it. Rotating static storage: valid for the
 * next 3 calls. */
const char *msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ------------------------------------------------------------------------ */
/* A client context, a server and a link between them.                      */

struct session {
  void *cctx;
  void *server;
  struct link l;
};

/* A context for cs, a server from opts (NULL: the usual one) and a link to
 * host; no handshake yet. */
void session_begin(struct session *s, const struct hr_tls_settings *cs,
                   const void *opts, const char *host);

/* client_settings("root-ca.pem") up to max_version (0: the newest) against
 * the usual server for "localhost", the handshake done. */
void open_session(struct session *s, int max_version);

/* Frees what session_begin or open_session made. */
void close_session(struct session *s);

/* ------------------------------------------------------------------------ */
/* Checks the provider tests share.                                         */

/* bad_chain's alert when the test's server does not tell which it got. */
#define ANY_ALERT (-2)

/* A handshake trusting ca_name against a server from opts, to host,
 * expected to succeed with verify and verify_hostname as given. */
void good_chain(const char *ca_name, const void *opts, const char *host,
                int verify, int verify_hostname);

/* The same with verification on, expected to fail with code, message,
 * detail and hint (NULL: any), the client's alert ending the server's
 * handshake (alert checked by expect_alert unless ANY_ALERT). */
void bad_chain(const char *ca_name, const void *opts, const char *host,
               httpr_code code, const char *message, const char *detail,
               const char *hint, int alert);

/* The ClientHello meets a full socket, then leaves: want-write with
 * nothing queued, then want-read with the hello queued, and want-read
 * again with nothing more sent while the server is silent. The calls'
 * errors go to err, for the caller to check. */
void expect_hello_then_wait(struct link *l, httpr_error *err);

/* The provider's peer_certificate on l, done with its handshake, gives
 * the DER of the first certificate of the PKI's file cert_name (the
 * server's leaf), twice alike. */
void expect_peer_leaf(struct link *l, const char *cert_name);

/* One byte per callback in each direction, every other call would block:
 * the handshake and 3000 bytes each way still complete, in many calls. */
void expect_byte_at_a_time(void);

/* Reads the key log at path: every line's client random must be random's
 * hex and its secret secret_len bytes; counts the lines of each label in
 * found. The number of lines. */
int read_key_log(const char *path, const unsigned char *random,
                 size_t secret_len, const char *const *labels, int *found,
                 size_t nlabels);

/* Four threads with three connections each on cctx and server at once:
 * every handshake completes and every "ping" reaches the server. */
void expect_shared_by_threads(void *cctx, void *server);

/* Session resumption up to max_version (12, or 0: the provider's newest,
 * checked to be what is negotiated) against a server from opts (NULL: the
 * usual one), for "localhost". Nothing is exported before the handshake,
 * nor in TLS 1.3 before a ticket came; once data went both ways a session
 * is. A second connection importing it (and exporting nothing before its
 * handshake) resumes, by both sides' account, with the server's subject
 * and issuer still known, and data flows; it exports again once data went
 * both ways, and that session resumes a third. In TLS 1.3 the ticket a
 * connection resumed with is never exported again: the new session is
 * a fresh ticket. */
void expect_session_resumed(int max_version, const void *opts);

/* A session from the usual server offered to a server made from opts, which
 * does not resume it: the import succeeds, the handshake is full and
 * without error, and data flows. */
void expect_session_refused(int max_version, const void *opts);

/* TLS 1.2: one session offered to two connections resumes both (the pool
 * shares a session by reference); a connection refuses NULL, and a session
 * once its handshake began, and then goes on with a full handshake. */
void expect_session_offer_rules(void);

#endif
