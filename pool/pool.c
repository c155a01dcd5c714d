/*
 * pool.c - idle connections of one client (see pool.h). A small array in
 * most-recently-used order: a client talks to few origins at a time, and a
 * linear scan of a handful of entries beats any map.
 */
#include "pool/pool.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/buf.h"
#include "protocol/clock.h"

struct hr_pool {
  pthread_mutex_t lock;
  struct hr_conn **idle; /* oldest first */
  size_t count;
  size_t max_idle;
  long idle_ms;
};

struct hr_pool *hr_pool_new(size_t max_idle, long idle_ms) {
  struct hr_pool *pool = calloc(1, sizeof(*pool));
  if (!pool)
    return NULL;
  pool->idle = calloc(max_idle ? max_idle : 1, sizeof(*pool->idle));
  if (!pool->idle) {
    free(pool);
    return NULL;
  }
  pthread_mutex_init(&pool->lock, NULL);
  pool->max_idle = max_idle;
  pool->idle_ms = idle_ms;
  return pool;
}

void hr_pool_free(struct hr_pool *pool) {
  if (!pool)
    return;
  for (size_t i = 0; i < pool->count; i++)
    hr_conn_close(pool->idle[i], 1);
  pthread_mutex_destroy(&pool->lock);
  free(pool->idle);
  free(pool);
}

/* Built by hand: it runs for every request, where printf is costly. */
int hr_pool_key(char *out, size_t cap, int https, const char *host, int port) {
  const char *scheme = https ? "https://" : "http://";
  size_t slen = strlen(scheme), hlen = strlen(host);
  char digits[20];
  size_t nd = hr_format_uint(digits, port > 0 ? (unsigned)port : 0, 10);
  if (slen + hlen + 1 + nd + 1 > cap)
    return -1;
  memcpy(out, scheme, slen);
  memcpy(out + slen, host, hlen);
  out[slen + hlen] = ':';
  memcpy(out + slen + hlen + 1, digits, nd);
  out[slen + hlen + 1 + nd] = '\0';
  return 0;
}

static struct hr_conn *remove_at(struct hr_pool *pool, size_t i) {
  struct hr_conn *c = pool->idle[i];
  memmove(&pool->idle[i], &pool->idle[i + 1],
          (pool->count - i - 1) * sizeof(*pool->idle));
  pool->count--;
  return c;
}

struct hr_conn *hr_pool_take(struct hr_pool *pool, const char *key) {
  struct hr_conn *found = NULL;
  struct hr_conn *expired[16];
  size_t n_expired = 0;
  int64_t now = hr_now_ms();
  pthread_mutex_lock(&pool->lock);
  for (size_t i = pool->count; i-- > 0;) {
    struct hr_conn *c = pool->idle[i];
    int too_old = pool->idle_ms > 0 && now - c->idle_since > pool->idle_ms;
    if (too_old && n_expired < sizeof(expired) / sizeof(expired[0])) {
      expired[n_expired++] = remove_at(pool, i);
      continue;
    }
    if (!found && strcmp(c->pool_key, key) == 0)
      found = remove_at(pool, i);
  }
  pthread_mutex_unlock(&pool->lock);
  /* Closing and the liveness check do I/O: outside the lock. */
  for (size_t i = 0; i < n_expired; i++)
    hr_conn_close(expired[i], 1);
  if (found && !hr_conn_is_alive(found)) {
    hr_conn_close(found, 0);
    found = NULL;
  }
  return found;
}

void hr_pool_put(struct hr_pool *pool, const char *key, struct hr_conn *c) {
  struct hr_conn *evicted = NULL;
  if (pool->max_idle == 0) {
    hr_conn_close(c, 1);
    return;
  }
  if (!c->pool_key || strcmp(c->pool_key, key) != 0) {
    free(c->pool_key);
    c->pool_key = strdup(key);
    if (!c->pool_key) {
      hr_conn_close(c, 0);
      return;
    }
  }
  c->idle_since = hr_now_ms();
  pthread_mutex_lock(&pool->lock);
  if (pool->count == pool->max_idle)
    evicted = remove_at(pool, 0);
  pool->idle[pool->count++] = c;
  pthread_mutex_unlock(&pool->lock);
  hr_conn_close(evicted, 1);
}
