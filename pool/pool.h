/*
 * pool.h - the idle connections of one client, kept for reuse. A
 * connection is keyed by origin (scheme, host, port); the client's TLS
 * context, provider and address pins are fixed for the client's lifetime,
 * so they are part of every key implicitly. Thread-safe: the lock is held
 * only to take or put, never across network I/O.
 *
 * This is the keep-alive reuse of the first release; limits per origin,
 * session resumption and HTTP/2 sharing come with the pool issue.
 */
#ifndef HTTPR_POOL_H
#define HTTPR_POOL_H

#include <stddef.h>

#include "protocol/transport.h"

struct hr_pool;

/* A pool keeping at most max_idle idle connections, each for at most
 * idle_ms milliseconds. NULL when out of memory. */
struct hr_pool *hr_pool_new(size_t max_idle, long idle_ms);
/* Closes every idle connection (sending close_notify) and frees the pool. */
void hr_pool_free(struct hr_pool *pool);

/* Formats the key of an origin into out; returns 0, or -1 when too long. */
int hr_pool_key(char *out, size_t cap, int https, const char *host, int port);

/* Takes the most recently used live idle connection for key, or NULL.
 * Dead or expired ones met on the way are closed. */
struct hr_conn *hr_pool_take(struct hr_pool *pool, const char *key);

/* Gives a connection back for reuse under key. When the pool is full the
 * oldest idle connection is closed. On allocation failure the connection
 * is closed. */
void hr_pool_put(struct hr_pool *pool, const char *key, struct hr_conn *c);

#endif
