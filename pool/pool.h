/* SPDX-License-Identifier: MIT */
/*
 * pool.h - the one owner of a client's connections and TLS sessions.
 *
 * Keys. A pool belongs to one client, and a client has exactly one provider
 * and one TLS context (trust store, verify flags, credentials, versions,
 * ALPN list), one set of address pins and one way of connecting (address
 * family, local end, Unix socket: a client with a Unix socket sends every
 * connection through it) for its whole life. So within a pool the key of
 * a connection is its origin ("https://host:port"): the provider, every
 * TLS setting, the pin and the way of connecting are the same for every
 * key, and two clients (even on the same provider) never share a
 * connection or a session. A session is kept per key too, so it is only
 * ever offered to the host it was verified for, with the settings it was
 * made with.
 *
 * Limits. Connections are counted per origin and in total, busy and idle
 * together. A request at a limit first makes room by closing an idle
 * connection that is in the way, else waits for one to be given back
 * until its deadline. Idle connections expire after idle_ms and at most
 * max_idle are kept.
 *
 * Threads. Every function is thread-safe. The lock is held only to look at
 * or change the tables; closing connections and the liveness check of an
 * idle connection (which may read) happen outside it.
 */
#ifndef HTTPR_POOL_H
#define HTTPR_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "protocol/transport.h"

struct hr_pool_limits {
  size_t max_idle;       /* idle connections kept; 0 keeps none */
  long idle_ms;          /* idle lifetime; 0: no limit */
  size_t max_per_origin; /* busy + idle per origin; 0: no limit */
  size_t max_total;      /* busy + idle in all; 0: no limit */
};

struct hr_pool;
struct hr_h2;

/* A connection as the pool keeps it: the transport, the HTTP/2 session
 * running on it, and the pool's bookkeeping, so that the transport
 * describes only a connection. Made once per connection (the origin's key
 * in the same allocation); borrowers use conn and h2 and leave the rest
 * to the pool. */
struct hr_pool_conn {
  struct hr_conn *conn; /* the transport (owned) */
  /* The HTTP/2 session on conn, freed before conn is closed; NULL for
   * HTTP/1.1. Set by the one who opened it, before hr_pool_opened. */
  struct hr_h2 *h2;
  struct hr_pool *pool;
  int session_saved; /* its TLS session went to the session cache */
  /* the pool's, under its lock */
  int64_t idle_since; /* hr_now_ms() when it last became idle */
  size_t users;       /* HTTP/2: requests using it now */
  int retired;        /* HTTP/2: takes no new requests */
  char key[];         /* its origin (hr_pool_key) */
};

/* NULL when out of memory. session_free frees the provider's session
 * objects (NULL when no session is ever kept). */
struct hr_pool *hr_pool_new(const struct hr_pool_limits *limits,
                            void (*session_free)(void *object));
/* Closes every idle connection (sending close_notify), drops every session
 * and frees the pool. Every borrowed connection must have come back. */
void hr_pool_free(struct hr_pool *pool);

/* Formats the key of an origin into out; returns 0, or -1 when too long. */
int hr_pool_key(char *out, size_t cap, int https, const char *host, int port);

/* How a request borrows (flags of hr_pool_acquire). */
#define HR_POOL_FRESH 1u /* no idle HTTP/1.1 connection (a retry after one
                            died); a shared HTTP/2 one that works is fine */
#define HR_POOL_SHARE 2u /* an HTTP/2 connection to key may be shared */

/* Borrows a connection for key. Either *reused is a live connection
 * (checked just now): an idle HTTP/1.1 one, now the caller's alone, or
 * with HR_POOL_SHARE an HTTP/2 one, shared; or *reused is NULL and the
 * caller holds a slot for a new connection, which it opens, wraps with
 * hr_pool_conn_new and reports with hr_pool_opened, or gives up with
 * hr_pool_cancel.
 *
 * With HR_POOL_SHARE, while another request is opening a connection to
 * key that may turn out to be HTTP/2, this waits to see (so that many
 * requests at once make one connection, not one each) unless key is known
 * to answer HTTP/1.1. At a limit this waits too. Waits end at deadline
 * (hr_now_ms clock): HTTPR_E_TIMEOUT then, naming wait_ms. HTTPR_E_NOMEM. */
httpr_code hr_pool_acquire(struct hr_pool *pool, const char *key,
                           unsigned flags, int64_t deadline, long wait_ms,
                           struct hr_pool_conn **reused, httpr_error *err);

/* hr_pool_acquire without waiting: *busy set when nothing can be had
 * now (a limit, or another request's connection that may be HTTP/2);
 * the caller tries again once the pool changed (hr_pool_watch) or gives
 * up at its deadline with hr_pool_no_slot. HTTPR_OK or HTTPR_E_NOMEM. */
httpr_code hr_pool_try_acquire(struct hr_pool *pool, const char *key,
                               unsigned flags, struct hr_pool_conn **reused,
                               int *busy, httpr_error *err);

/* The failure of a request that waited wait_ms for key in vain:
 * HTTPR_E_TIMEOUT, naming the limits. */
httpr_code hr_pool_no_slot(const struct hr_pool *pool, const char *key,
                           long wait_ms, httpr_error *err);

/* An engine that has requests waiting (hr_pool_try_acquire said busy):
 * while watching, every change that may let one go on (a slot freed, a
 * connection given back or opened) writes to fd, an eventfd. */
struct hr_pool_watch {
  int fd;
  struct hr_pool_watch *next, *prev; /* the pool's */
};
void hr_pool_watch(struct hr_pool *pool, struct hr_pool_watch *w);
void hr_pool_unwatch(struct hr_pool *pool, struct hr_pool_watch *w);

/* Wraps c, a new connection to key opened in a slot of hr_pool_acquire,
 * for the pool; NULL when out of memory (c is then still the caller's). */
struct hr_pool_conn *hr_pool_conn_new(struct hr_pool *pool, const char *key,
                                      struct hr_conn *c);

/* The caller's new connection is open. With pc->h2 set it is shared from
 * now on (the caller is its first user) and is given back with
 * hr_pool_release; otherwise its key answers HTTP/1.1 and pc is given
 * back with hr_pool_put or hr_pool_discard. */
void hr_pool_opened(struct hr_pool *pool, struct hr_pool_conn *pc);

/* Gives back the slot of a connection that could not be opened. */
void hr_pool_cancel(struct hr_pool *pool, const char *key);

/* One user of a shared (HTTP/2) connection is done. With usable 0 (a
 * GOAWAY or a broken connection) it takes no new requests; it is closed
 * when its last user leaves. */
void hr_pool_release(struct hr_pool *pool, struct hr_pool_conn *pc, int usable);

/* Gives a connection back for reuse under its key (idle from now). When
 * more than max_idle are idle the oldest is closed. */
void hr_pool_put(struct hr_pool *pool, struct hr_pool_conn *pc);

/* Closes a borrowed connection (close_notify when graceful) and frees its
 * slot. */
void hr_pool_discard(struct hr_pool *pool, struct hr_pool_conn *pc,
                     int graceful);

/* The session cache: the last resumable session seen for key, a
 * provider's session object (provider.h), shared by reference between
 * the connections that offer it. */
struct hr_pool_session {
  void *object;
  size_t refs; /* the cache's own + one per hr_pool_session_get */
};
/* A reference to key's session, or NULL; give it back with
 * hr_pool_session_release. */
struct hr_pool_session *hr_pool_session_get(struct hr_pool *pool,
                                            const char *key);
void hr_pool_session_release(struct hr_pool *pool, struct hr_pool_session *s);
/* Keeps object (taking ownership) as key's session, replacing the one
 * before; NULL drops key's session. */
void hr_pool_session_put(struct hr_pool *pool, const char *key, void *object);

/* Keeps pc's TLS session as its key's, once it has a resumable one (in
 * TLS 1.3 the ticket comes after the handshake, so the caller tries after
 * each response until this succeeds). Only the thread doing pc's I/O may
 * call it. */
void hr_pool_keep_session(struct hr_pool_conn *pc);

#endif
