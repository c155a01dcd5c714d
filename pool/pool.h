/*
 * pool.h - the one owner of a client's connections and TLS sessions.
 *
 * Keys. A pool belongs to one client, and a client has exactly one provider
 * and one TLS context (trust store, verify flags, credentials, versions,
 * ALPN list) and one set of address pins for its whole life. So within a
 * pool the key of a connection is its origin ("https://host:port"): the
 * provider, every TLS setting and the pin are the same for every key, and
 * two clients (even on the same provider) never share a connection or a
 * session. A session is kept per key too, so it is only ever offered to
 * the host it was verified for, with the settings it was made with.
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

#include "api/error_internal.h"
#include "protocol/transport.h"

struct hr_pool_limits {
  size_t max_idle;       /* idle connections kept; 0 keeps none */
  long idle_ms;          /* idle lifetime; 0: no limit */
  size_t max_per_origin; /* busy + idle per origin; 0: no limit */
  size_t max_total;      /* busy + idle in all; 0: no limit */
};

struct hr_pool;

/* NULL when out of memory. */
struct hr_pool *hr_pool_new(const struct hr_pool_limits *limits);
/* Closes every idle connection (sending close_notify), drops every session
 * and frees the pool. Every borrowed connection must have come back. */
void hr_pool_free(struct hr_pool *pool);

/* Formats the key of an origin into out; returns 0, or -1 when too long. */
int hr_pool_key(char *out, size_t cap, int https, const char *host, int port);

/* Borrows a connection for key. Either *reused is a live idle connection
 * (checked just now), or *reused is NULL and the caller holds a slot for a
 * new connection, which it opens and then hands to hr_pool_put or
 * hr_pool_discard, or gives up with hr_pool_cancel. With fresh, idle
 * connections are never taken (a retry after one died). At a limit this
 * waits until deadline (hr_now_ms clock): HTTPR_E_TIMEOUT then, naming
 * wait_ms. HTTPR_E_NOMEM. */
httpr_code hr_pool_acquire(struct hr_pool *pool, const char *key, int fresh,
                           int64_t deadline, long wait_ms,
                           struct hr_conn **reused, httpr_error *err);

/* Gives back the slot of a connection that could not be opened. */
void hr_pool_cancel(struct hr_pool *pool, const char *key);

/* Gives a connection back for reuse under key (idle from now). When more
 * than max_idle are idle the oldest is closed. */
void hr_pool_put(struct hr_pool *pool, const char *key, struct hr_conn *c);

/* Closes a borrowed connection (close_notify when graceful) and frees its
 * slot. */
void hr_pool_discard(struct hr_pool *pool, const char *key, struct hr_conn *c,
                     int graceful);

/* The session cache: the last resumable session seen for key, as the
 * provider's opaque blob. session_get copies it (malloc'd, caller frees)
 * or sets *blob to NULL; session_put takes ownership of blob (NULL drops
 * the key's session). */
void hr_pool_session_get(struct hr_pool *pool, const char *key,
                         unsigned char **blob, size_t *len);
void hr_pool_session_put(struct hr_pool *pool, const char *key,
                         unsigned char *blob, size_t len);

#endif
