/* SPDX-License-Identifier: MIT */
/*
 * tls_memory.c - a provider's client over memory against a test's own
 * server; see tls_memory.h. The server's library is reached only through
 * struct memory_test.
 */
#include "tests/provider/tls_memory.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backends/pem.h"
#include "tests/unit/pki_files.h"

#define THREADS 4
#define CONNS_PER_THREAD 3

const unsigned char alpn_h11[sizeof("\x08http/1.1")] = "\x08http/1.1";

static const struct memory_test *T;

void memory_test_use(const struct memory_test *t) { T = t; }

/* ------------------------------------------------------------------------ */
/* Byte queues.                                                             */

int queue_put(struct queue *q, const void *p, size_t n) {
  if (q->len + n > q->cap) {
    size_t cap = q->cap ? q->cap * 2 : 4096;
    while (cap < q->len + n)
      cap *= 2;
    unsigned char *data = realloc(q->data, cap);
    if (!data)
      return 0;
    q->data = data;
    q->cap = cap;
  }
  memcpy(q->data + q->len, p, n);
  q->len += n;
  return 1;
}

size_t queue_take(struct queue *q, void *p, size_t n) {
  if (n > q->len)
    n = q->len;
  memcpy(p, q->data, n);
  memmove(q->data, q->data + n, q->len - n);
  q->len -= n;
  return n;
}

/* ------------------------------------------------------------------------ */
/* The client's transport.                                                  */

static long link_send(void *ctx, const void *buf, size_t len) {
  struct link *l = ctx;
  l->send_calls++;
  if (l->send_errno) {
    errno = l->send_errno;
    return -1;
  }
  if (l->send_blocked || (l->trickle && (l->send_starved ^= 1))) {
    errno = EAGAIN;
    return -1;
  }
  size_t n = l->trickle ? 1 : len;
  if (!queue_put(&l->c2s, buf, n)) {
    errno = ENOMEM;
    return -1;
  }
  return (long)n;
}

static long link_recv(void *ctx, void *buf, size_t len) {
  struct link *l = ctx;
  l->recv_calls++;
  if (l->recv_errno) {
    errno = l->recv_errno;
    return -1;
  }
  if (l->s2c.len == 0) {
    if (l->s2c_eof)
      return 0;
    errno = EAGAIN;
    return -1;
  }
  if (l->trickle && (l->recv_starved ^= 1)) {
    errno = EAGAIN;
    return -1;
  }
  return (long)queue_take(&l->s2c, buf, l->trickle ? 1 : len);
}

static void link_reset(struct link *l) {
  memset(l, 0, sizeof(*l));
  l->server_alert = -1;
}

static httpr_code connect_client(struct link *l, void *cctx, const char *host) {
  struct hr_tls_io io = {.send = link_send, .recv = link_recv, .io_ctx = l};
  httpr_error err = {0};
  return T->provider->connection_new(cctx, host, &io, &l->conn, &err);
}

void link_open(struct link *l, void *cctx, void *server, const char *host) {
  link_reset(l);
  assert_true(T->server_open(l, server));
  assert_int_equal(connect_client(l, cctx, host), HTTPR_OK);
}

int link_try_open(struct link *l, void *cctx, void *server, const char *host) {
  link_reset(l);
  return T->server_open(l, server) && connect_client(l, cctx, host) == HTTPR_OK;
}

void link_close(struct link *l) {
  T->provider->connection_free(l->conn);
  T->server_close(l);
  free(l->c2s.data);
  free(l->s2c.data);
}

/* ------------------------------------------------------------------------ */
/* Driving the client.                                                      */

enum hr_tls_status handshake(struct link *l, httpr_error *err, int rounds) {
  enum hr_tls_status st = HR_TLS_ERROR;
  for (int i = 0; i < rounds; i++) {
    st = T->provider->handshake(l->conn, err);
    if (st != HR_TLS_WANT_READ && st != HR_TLS_WANT_WRITE)
      break;
    T->server_step(l);
  }
  for (int i = 0; i < 4 && l->server_state == 0; i++)
    T->server_step(l);
  return st;
}

void expect_handshake_ok(struct link *l) {
  httpr_error err = {0};
  enum hr_tls_status st = handshake(l, &err, ROUNDS);
  if (st != HR_TLS_DONE)
    print_error("handshake: %s (%s)\n", err.message, err.detail);
  assert_int_equal(st, HR_TLS_DONE);
  assert_int_equal(l->server_state, 1);
}

void expect_handshake_error(struct link *l, httpr_code code,
                            const char *message, httpr_error *err) {
  enum hr_tls_status st = handshake(l, err, ROUNDS);
  assert_int_equal(st, HR_TLS_ERROR);
  assert_int_equal(err->code, code);
  assert_string_equal(err->message, message);
  assert_true(strlen(err->detail) > 0);
  if (T->expect_clean)
    T->expect_clean();
}

void client_read_exact(struct link *l, unsigned char *buf, size_t want,
                       int rounds) {
  size_t total = 0;
  for (int i = 0; i < rounds && total < want; i++) {
    httpr_error err = {0};
    size_t got = 0;
    enum hr_tls_status st =
        T->provider->read(l->conn, buf + total, want - total, &got, &err);
    if (st == HR_TLS_DONE) {
      assert_true(got > 0);
      total += got;
    } else {
      assert_int_equal(st, HR_TLS_WANT_READ);
    }
  }
  assert_int_equal(total, want);
}

void client_write_all(struct link *l, const unsigned char *buf, size_t len,
                      int rounds) {
  size_t done = 0;
  for (int i = 0; i < rounds && done < len; i++) {
    httpr_error err = {0};
    size_t put = 0;
    enum hr_tls_status st =
        T->provider->write(l->conn, buf + done, len - done, &put, &err);
    if (st == HR_TLS_DONE)
      done += put;
    else
      assert_int_equal(st, HR_TLS_WANT_WRITE);
  }
  assert_int_equal(done, len);
}

void server_read_exact(struct link *l, unsigned char *buf, size_t want) {
  size_t total = 0;
  for (int i = 0; i < ROUNDS && total < want; i++) {
    long n = T->server_read(l, buf + total, want - total);
    if (n > 0)
      total += (size_t)n;
    else
      assert_int_equal(n, 0); /* nothing yet, not an error */
  }
  assert_int_equal(total, want);
}

/* ------------------------------------------------------------------------ */
/* Client settings and contexts.                                            */

struct hr_tls_settings client_settings(const char *ca_name) {
  struct hr_tls_settings s = {
      .verify = 1,
      .verify_hostname = 1,
      .min_version = 12,
      .max_version = 0,
      .alpn = alpn_h11,
      .alpn_len = sizeof(alpn_h11) - 1,
  };
  s.trust.ca_file = ca_name ? (char *)file_of(ca_name) : NULL;
  s.trust.origin = "config";
  return s;
}

struct hr_tls_settings cred(enum hr_cred_kind kind, const char *cert,
                            const char *key, const char *password) {
  struct hr_tls_settings s = client_settings("root-ca.pem");
  s.cred_kind = kind;
  s.cert_path = cert ? file_of(cert) : NULL;
  s.key_path = key ? file_of(key) : NULL;
  s.password = password;
  return s;
}

void *client_ctx(const struct hr_tls_settings *s) {
  httpr_error err = {0};
  void *ctx = NULL;
  httpr_code rc = T->provider->context_new(s, &ctx, &err);
  if (rc != HTTPR_OK)
    print_error("context_new: %s (%s)\n", err.message, err.detail);
  assert_int_equal(rc, HTTPR_OK);
  assert_non_null(ctx);
  return ctx;
}

void context_fails(const struct hr_tls_settings *s, httpr_code code,
                   const char *message, const char *hint) {
  httpr_error err = {0};
  void *ctx = (void *)&err;
  assert_int_equal(T->provider->context_new(s, &ctx, &err), code);
  assert_null(ctx);
  assert_int_equal(err.code, code);
  assert_string_equal(err.message, message);
  if (hint)
    assert_string_equal(err.hint, hint);
  if (T->expect_clean)
    T->expect_clean();
}

void cred_fails(struct hr_tls_settings s, const char *message) {
  context_fails(&s, HTTPR_E_CLIENT_CERT, message, NULL);
}

const char *msg(const char *fmt, ...) {
  static char buf[4][320];
  static int i;
  va_list ap;
  i = (i + 1) % 4;
  va_start(ap, fmt);
  vsnprintf(buf[i], sizeof(buf[i]), fmt, ap);
  va_end(ap);
  return buf[i];
}

/* ------------------------------------------------------------------------ */
/* Sessions.                                                                */

void session_begin(struct session *s, const struct hr_tls_settings *cs,
                   const void *opts, const char *host) {
  s->cctx = client_ctx(cs);
  s->server = opts ? T->server_new(opts) : T->good_server();
  link_open(&s->l, s->cctx, s->server, host);
}

void open_session(struct session *s, int max_version) {
  struct hr_tls_settings cs = client_settings("root-ca.pem");
  cs.max_version = max_version;
  session_begin(s, &cs, NULL, "localhost");
  expect_handshake_ok(&s->l);
}

void close_session(struct session *s) {
  link_close(&s->l);
  T->server_free(s->server);
  T->provider->context_free(s->cctx);
}

/* ------------------------------------------------------------------------ */
/* Shared checks.                                                           */

void good_chain(const char *ca_name, const void *opts, const char *host,
                int verify, int verify_hostname) {
  struct hr_tls_settings cs = client_settings(ca_name);
  cs.verify = verify;
  cs.verify_hostname = verify_hostname;
  struct session s;
  session_begin(&s, &cs, opts, host);
  expect_handshake_ok(&s.l);
  close_session(&s);
}

void bad_chain(const char *ca_name, const void *opts, const char *host,
               httpr_code code, const char *message, const char *detail,
               const char *hint, int alert) {
  struct hr_tls_settings cs = client_settings(ca_name);
  struct session s;
  httpr_error err = {0};
  session_begin(&s, &cs, opts, host);
  expect_handshake_error(&s.l, code, message, &err);
  assert_string_equal(err.detail, detail);
  if (hint)
    assert_string_equal(err.hint, hint);
  /* The client's alert ended the server's handshake. */
  assert_int_equal(s.l.server_state, -1);
  if (alert != ANY_ALERT) {
    assert_true(T->expect_alert != NULL);
    T->expect_alert(&s.l, alert);
  }
  close_session(&s);
}

void expect_hello_then_wait(struct link *l, httpr_error *err) {
  /* The ClientHello cannot leave: want write, nothing queued. */
  l->send_blocked = 1;
  assert_int_equal(T->provider->handshake(l->conn, err), HR_TLS_WANT_WRITE);
  assert_int_equal(l->c2s.len, 0);
  assert_true(l->send_calls >= 1);
  /* Now it leaves, and the client waits for the server. */
  l->send_blocked = 0;
  assert_int_equal(T->provider->handshake(l->conn, err), HR_TLS_WANT_READ);
  size_t hello = l->c2s.len;
  assert_true(hello > 0);
  /* No server answer yet: still want read, nothing more sent. */
  assert_int_equal(T->provider->handshake(l->conn, err), HR_TLS_WANT_READ);
  assert_int_equal(l->c2s.len, hello);
}

void expect_byte_at_a_time(void) {
  struct hr_tls_settings cs = client_settings("root-ca.pem");
  struct session s;
  httpr_error err = {0};
  session_begin(&s, &cs, NULL, "localhost");
  s.l.trickle = 1;
  enum hr_tls_status st = handshake(&s.l, &err, TRICKLE_ROUNDS);
  assert_int_equal(st, HR_TLS_DONE);
  assert_int_equal(s.l.server_state, 1);
  /* Each callback moved at most one byte, so there were many calls. */
  assert_true(s.l.send_calls > 200);
  assert_true(s.l.recv_calls > 1000);
  unsigned char out[3000], in[3000];
  for (size_t i = 0; i < sizeof(out); i++)
    out[i] = (unsigned char)(i * 7);
  client_write_all(&s.l, out, sizeof(out), TRICKLE_ROUNDS);
  server_read_exact(&s.l, in, sizeof(out));
  assert_memory_equal(in, out, sizeof(out));
  T->server_write(&s.l, out, sizeof(out));
  memset(in, 0, sizeof(in));
  client_read_exact(&s.l, in, sizeof(out), TRICKLE_ROUNDS);
  assert_memory_equal(in, out, sizeof(out));
  close_session(&s);
}

int read_key_log(const char *path, const unsigned char *random,
                 size_t secret_len, const char *const *labels, int *found,
                 size_t nlabels) {
  char hex[65];
  for (int i = 0; i < 32; i++)
    snprintf(hex + 2 * i, 3, "%02x", random[i]);
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  char line[512];
  int lines = 0;
  while (lines < 100 && fgets(line, sizeof(line), f)) {
    lines++;
    char label[64], crandom[80], secret[160];
    assert_int_equal(sscanf(line, "%63s %79s %159s", label, crandom, secret),
                     3);
    assert_string_equal(crandom, hex);
    assert_int_equal(strlen(secret), 2 * secret_len);
    for (size_t i = 0; i < nlabels; i++)
      found[i] += strcmp(label, labels[i]) == 0;
  }
  fclose(f);
  return lines;
}

struct worker {
  void *cctx;
  void *server;
  int ok; /* connections that completed and echoed */
};

/* Asserts nothing: a failure shows in ok. */
static void *worker_run(void *arg) {
  struct worker *w = arg;
  for (int c = 0; c < CONNS_PER_THREAD; c++) {
    struct link l;
    httpr_error err = {0};
    if (link_try_open(&l, w->cctx, w->server, "localhost") &&
        handshake(&l, &err, ROUNDS) == HR_TLS_DONE && l.server_state == 1) {
      size_t put = 0;
      char buf[8] = {0};
      if (T->provider->write(l.conn, "ping", 4, &put, &err) == HR_TLS_DONE &&
          T->server_read(&l, buf, 4) == 4 && memcmp(buf, "ping", 4) == 0)
        w->ok++;
    }
    link_close(&l);
  }
  return NULL;
}

void expect_shared_by_threads(void *cctx, void *server) {
  pthread_t tid[THREADS];
  struct worker w[THREADS];
  for (int t = 0; t < THREADS; t++) {
    w[t] = (struct worker){.cctx = cctx, .server = server};
    assert_int_equal(pthread_create(&tid[t], NULL, worker_run, &w[t]), 0);
  }
  for (int t = 0; t < THREADS; t++)
    pthread_join(tid[t], NULL);
  for (int t = 0; t < THREADS; t++)
    assert_int_equal(w[t].ok, CONNS_PER_THREAD);
}

/* ------------------------------------------------------------------------ */
/* Session resumption.                                                      */

static void expect_nothing_exported(struct link *l) {
  assert_null(T->provider->session_export(l->conn));
}

/* "ping" to the server and "pong" back: the client's read also takes
 * whatever came before the data (TLS 1.3 session tickets). */
static void ping_pong(struct link *l) {
  unsigned char buf[4];
  client_write_all(l, (const unsigned char *)"ping", 4, ROUNDS);
  server_read_exact(l, buf, 4);
  assert_memory_equal(buf, "ping", 4);
  T->server_write(l, "pong", 4);
  client_read_exact(l, buf, 4, ROUNDS);
  assert_memory_equal(buf, "pong", 4);
}

static int first_block(const struct hr_pem_block *b, void *ud) {
  *(struct hr_pem_block *)ud = *b;
  return 1;
}

void expect_peer_leaf(struct link *l, const char *cert_name) {
  size_t text_len = 0, want_len = 0, len = 0, again_len = 0;
  char *text = NULL;
  struct hr_pem_block block;
  assert_int_equal(hr_file_read(file_of(cert_name), &text, &text_len), 0);
  unsigned char *want = NULL;
  const unsigned char *der = NULL, *again = NULL;
  assert_int_equal(hr_pem_each(text, text_len, first_block, &block) > 0, 1);
  assert_int_equal(hr_pem_block_der(&block, &want, &want_len), 0);
  assert_non_null(T->provider->peer_certificate);
  assert_int_equal(T->provider->peer_certificate(l->conn, &der, &len), 0);
  assert_int_equal(len, want_len);
  assert_memory_equal(der, want, len);
  assert_int_equal(T->provider->peer_certificate(l->conn, &again, &again_len),
                   0);
  assert_ptr_equal(again, der);
  assert_int_equal(again_len, len);
  free(want);
  free(text);
}

static void expect_resumed(struct link *l, int resumed, const char *version) {
  struct hr_tls_info info;
  T->provider->info(l->conn, &info);
  assert_int_equal(info.resumed, resumed);
  if (T->server_resumed)
    assert_int_equal(T->server_resumed(l), resumed);
  if (version)
    assert_string_equal(info.version, version);
  /* Every provider keeps the server's certificate in the session, for
   * the public key pin too. */
  assert_string_equal(info.subject, "CN=localhost");
  assert_string_equal(info.issuer, "CN=httpr test intermediate");
  expect_peer_leaf(l, "good-ecdsa.crt");
}

static int is_tls13(struct link *l) {
  struct hr_tls_info info;
  T->provider->info(l->conn, &info);
  return strcmp(info.version, "TLSv1.3") == 0;
}

/* The version a client up to max_version gets from the test servers. */
static const char *version_up_to(int max_version) {
  int tls13 =
      (T->provider->features & HTTPR_FEATURE_TLS13) && max_version != 12;
  return tls13 ? "TLSv1.3" : "TLSv1.2";
}

/* A full handshake with cctx (up to max_version) and server, and the
 * session it exports once data went both ways. */
static void *first_session(void *cctx, void *server, int max_version) {
  struct link l;
  link_open(&l, cctx, server, "localhost");
  expect_nothing_exported(&l);
  expect_handshake_ok(&l);
  expect_resumed(&l, 0, version_up_to(max_version));
  if (is_tls13(&l)) {
    /* The server's tickets wait unread: nothing resumable yet. */
    assert_true(l.s2c.len > 0);
    expect_nothing_exported(&l);
  }
  ping_pong(&l);
  void *session = T->provider->session_export(l.conn);
  assert_non_null(session);
  link_close(&l);
  return session;
}

/* A connection that offers session and resumes; the session it exports
 * then. */
static void *resume_with(void *cctx, void *server, void *session,
                         int max_version) {
  struct link l;
  link_open(&l, cctx, server, "localhost");
  assert_int_equal(T->provider->session_import(l.conn, session), 0);
  expect_nothing_exported(&l); /* what was imported is not the connection's */
  expect_handshake_ok(&l);
  expect_resumed(&l, 1, version_up_to(max_version));
  if (is_tls13(&l))
    expect_nothing_exported(&l); /* not the ticket just used */
  ping_pong(&l);
  void *next = T->provider->session_export(l.conn);
  assert_non_null(next);
  link_close(&l);
  return next;
}

static void *resumption_ctx(int max_version) {
  struct hr_tls_settings cs = client_settings("root-ca.pem");
  cs.max_version = max_version;
  return client_ctx(&cs);
}

void expect_session_resumed(int max_version, const void *opts) {
  assert_true(T->provider->features & HTTPR_FEATURE_SESSION_RESUME);
  void *cctx = resumption_ctx(max_version);
  void *server = opts ? T->server_new(opts) : T->good_server();
  void *first = first_session(cctx, server, max_version);
  void *second = resume_with(cctx, server, first, max_version);
  void *third = resume_with(cctx, server, second, max_version);
  T->provider->session_free(first);
  T->provider->session_free(second);
  T->provider->session_free(third);
  T->server_free(server);
  T->provider->context_free(cctx);
}

void expect_session_refused(int max_version, const void *opts) {
  void *cctx = resumption_ctx(max_version);
  void *server = T->good_server();
  void *refusing = T->server_new(opts);
  void *session = first_session(cctx, server, max_version);
  struct link l;
  httpr_error err = {0};
  link_open(&l, cctx, refusing, "localhost");
  assert_int_equal(T->provider->session_import(l.conn, session), 0);
  assert_int_equal(handshake(&l, &err, ROUNDS), HR_TLS_DONE);
  assert_int_equal(err.code, HTTPR_OK);
  assert_int_equal(l.server_state, 1);
  expect_resumed(&l, 0, version_up_to(max_version));
  ping_pong(&l);
  link_close(&l);
  T->provider->session_free(session);
  T->server_free(refusing);
  T->server_free(server);
  T->provider->context_free(cctx);
}

/* One session offered to two connections: both resume. */
static void offer_twice(void *cctx, void *server, void *session) {
  struct link a, b;
  link_open(&a, cctx, server, "localhost");
  link_open(&b, cctx, server, "localhost");
  assert_int_equal(T->provider->session_import(a.conn, session), 0);
  assert_int_equal(T->provider->session_import(b.conn, session), 0);
  expect_handshake_ok(&a);
  expect_handshake_ok(&b);
  expect_resumed(&a, 1, "TLSv1.2");
  expect_resumed(&b, 1, "TLSv1.2");
  ping_pong(&a);
  ping_pong(&b);
  link_close(&a);
  link_close(&b);
}

/* A connection past its first handshake step refuses a session. */
static void refuse_late_offer(void *cctx, void *server, void *session) {
  struct link l;
  link_open(&l, cctx, server, "localhost");
  assert_int_equal(T->provider->session_import(l.conn, NULL), -1);
  expect_handshake_ok(&l);
  assert_int_equal(T->provider->session_import(l.conn, session), -1);
  if (T->expect_clean)
    T->expect_clean();
  expect_resumed(&l, 0, NULL);
  ping_pong(&l);
  link_close(&l);
}

void expect_session_offer_rules(void) {
  void *cctx = resumption_ctx(12);
  void *server = T->good_server();
  void *session = first_session(cctx, server, 12);
  offer_twice(cctx, server, session);
  refuse_late_offer(cctx, server, session);
  T->provider->session_free(session);
  T->server_free(server);
  T->provider->context_free(cctx);
}
