/* SPDX-License-Identifier: MIT */
/*
 * pool.c - a client's connections and TLS sessions (see pool.h).
 *
 * Two small arrays under one lock: the origins (key, connections open,
 * last session) and the idle connections, oldest first. A client talks to
 * few origins at a time, and a linear scan of a handful of entries beats
 * any map. Whatever must be closed is first taken out of the tables under
 * the lock, then closed after it is released. Each connection is kept as
 * an entry (struct hr_pool_conn) holding the transport, its HTTP/2
 * session and the pool's own fields.
 */
#include "pool/pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/clock.h"
#include "protocol/h2.h"

/* Origins remembered without an open connection (for their session)
 * before the oldest such is forgotten. */
#define MAX_ORIGINS 256
/* Connections closed per pass; more wait for the next pass. */
#define CLOSE_BATCH 8

struct origin {
  char *key;
  size_t open; /* busy + idle */
  struct hr_pool_session *session;
  int probing; /* a new connection may turn out HTTP/2: others wait */
  int h1;      /* a connection answered HTTP/1.1: nobody waits */
};

struct hr_pool {
  pthread_mutex_t lock;
  pthread_cond_t freed; /* a slot or an idle connection came back */
  struct hr_pool_limits limits;
  void (*session_free)(void *object);
  struct origin *origins;
  size_t n_origins, cap_origins;
  struct hr_pool_conn **idle; /* HTTP/1.1, oldest first */
  size_t n_idle, cap_idle;
  struct hr_pool_conn **shared; /* HTTP/2, in use or not */
  size_t n_shared, cap_shared;
  size_t open; /* busy + idle, all origins */
  struct hr_pool_watch *watches; /* engines with requests waiting */
};

/* Connections taken out of the tables under the lock, closed after it. */
struct closing {
  struct hr_pool_conn *conn[CLOSE_BATCH];
  size_t n;
};

/* Closes the connection of an entry: the HTTP/2 session first, since it
 * may still write through the TLS connection. */
static void entry_shut(struct hr_pool_conn *pc, int graceful) {
  hr_h2_free(pc->h2);
  hr_conn_close(pc->conn, graceful);
}

static void entry_close(struct hr_pool_conn *pc, int graceful) {
  entry_shut(pc, graceful);
  free(pc);
}

static void close_all(struct closing *cl) {
  for (size_t i = 0; i < cl->n; i++)
    entry_close(cl->conn[i], 1);
  cl->n = 0;
}

/* ---- sessions (under the lock) ------------------------------------------- */

/* Drops a reference; returns the object to free (outside the lock) when
 * it was the last. */
static void *session_unref(struct hr_pool_session *s) {
  if (!s || --s->refs > 0)
    return NULL;
  void *object = s->object;
  free(s);
  return object;
}

static void free_object(struct hr_pool *pool, void *object) {
  if (object && pool->session_free)
    pool->session_free(object);
}

struct hr_pool *hr_pool_new(const struct hr_pool_limits *limits,
                            void (*session_free)(void *object)) {
  struct hr_pool *pool = calloc(1, sizeof(*pool));
  if (!pool)
    return NULL;
  pool->limits = *limits;
  pool->session_free = session_free;
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  /* Deadlines are on the monotonic clock (common/clock.h). */
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&pool->freed, &attr);
  pthread_condattr_destroy(&attr);
  pthread_mutex_init(&pool->lock, NULL);
  return pool;
}

void hr_pool_free(struct hr_pool *pool) {
  if (!pool)
    return;
  for (size_t i = 0; i < pool->n_idle; i++)
    entry_close(pool->idle[i], 1);
  for (size_t i = 0; i < pool->n_shared; i++)
    entry_close(pool->shared[i], 1);
  free(pool->shared);
  for (size_t i = 0; i < pool->n_origins; i++) {
    free(pool->origins[i].key);
    free_object(pool, session_unref(pool->origins[i].session));
  }
  pthread_cond_destroy(&pool->freed);
  pthread_mutex_destroy(&pool->lock);
  free(pool->idle);
  free(pool->origins);
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

/* ---- origins (under the lock) -------------------------------------------- */

static struct origin *origin_find(struct hr_pool *pool, const char *key) {
  for (size_t i = 0; i < pool->n_origins; i++) {
    if (strcmp(pool->origins[i].key, key) == 0)
      return &pool->origins[i];
  }
  return NULL;
}

static void origin_remove(struct hr_pool *pool, struct origin *o) {
  size_t i = (size_t)(o - pool->origins);
  free(o->key);
  /* Freeing a session object is memory only: fine under the lock. */
  free_object(pool, session_unref(o->session));
  memmove(o, o + 1, (pool->n_origins - i - 1) * sizeof(*o));
  pool->n_origins--;
}

/* Forgets an origin kept only for its session when there are many. */
static void origins_trim(struct hr_pool *pool) {
  if (pool->n_origins < MAX_ORIGINS)
    return;
  for (size_t i = 0; i < pool->n_origins; i++) {
    if (pool->origins[i].open == 0) {
      origin_remove(pool, &pool->origins[i]);
      return;
    }
  }
}

static struct origin *origin_get(struct hr_pool *pool, const char *key) {
  struct origin *o = origin_find(pool, key);
  if (o)
    return o;
  origins_trim(pool);
  if (pool->n_origins == pool->cap_origins) {
    size_t cap = pool->cap_origins ? pool->cap_origins * 2 : 4;
    struct origin *grown = realloc(pool->origins, cap * sizeof(*grown));
    if (!grown)
      return NULL;
    pool->origins = grown;
    pool->cap_origins = cap;
  }
  o = &pool->origins[pool->n_origins];
  memset(o, 0, sizeof(*o));
  if (!(o->key = strdup(key)))
    return NULL;
  pool->n_origins++;
  return o;
}

/* Something a waiting request may want came back: wakes the threads
 * blocked in hr_pool_acquire and the engines watching (an 8-byte write
 * on each one's eventfd, which never blocks). */
static void changed(struct hr_pool *pool) {
  pthread_cond_broadcast(&pool->freed);
  static const uint64_t one = 1;
  for (struct hr_pool_watch *w = pool->watches; w; w = w->next) {
    if (write(w->fd, &one, sizeof(one)) < 0) {
      /* a full counter has already woken it */
    }
  }
}

/* One connection of key is gone: its slot is free. */
static void slot_release(struct hr_pool *pool, const char *key) {
  struct origin *o = origin_find(pool, key);
  if (o && o->open > 0) {
    o->open--;
    if (o->open == 0 && !o->session)
      origin_remove(pool, o);
  }
  if (pool->open > 0)
    pool->open--;
  changed(pool);
}

/* ---- idle connections (under the lock) ----------------------------------- */

static struct hr_pool_conn *list_remove_at(struct hr_pool_conn **list,
                                           size_t *n, size_t i) {
  struct hr_pool_conn *c = list[i];
  memmove(&list[i], &list[i + 1], (*n - i - 1) * sizeof(*list));
  (*n)--;
  return c;
}

static int list_append(struct hr_pool_conn ***list, size_t *n, size_t *cap,
                       struct hr_pool_conn *c) {
  if (*n == *cap) {
    size_t grown_cap = *cap ? *cap * 2 : 4;
    struct hr_pool_conn **grown = realloc(*list, grown_cap * sizeof(*grown));
    if (!grown)
      return -1;
    *list = grown;
    *cap = grown_cap;
  }
  (*list)[(*n)++] = c;
  return 0;
}

static struct hr_pool_conn *idle_remove_at(struct hr_pool *pool, size_t i) {
  return list_remove_at(pool->idle, &pool->n_idle, i);
}

/* Takes an idle connection out to be closed, freeing its slot; 0 when the
 * batch is full. */
static int idle_evict_at(struct hr_pool *pool, size_t i, struct closing *cl) {
  if (cl->n == CLOSE_BATCH)
    return 0;
  struct hr_pool_conn *c = idle_remove_at(pool, i);
  slot_release(pool, c->key);
  cl->conn[cl->n++] = c;
  return 1;
}

/* Takes a shared connection nobody uses out to be closed. */
static int shared_evict_at(struct hr_pool *pool, size_t i,
                           struct closing *cl) {
  if (cl->n == CLOSE_BATCH)
    return 0;
  struct hr_pool_conn *c = list_remove_at(pool->shared, &pool->n_shared, i);
  slot_release(pool, c->key);
  cl->conn[cl->n++] = c;
  return 1;
}

static void idle_expire(struct hr_pool *pool, struct closing *cl) {
  if (pool->limits.idle_ms <= 0)
    return;
  int64_t oldest_allowed = hr_now_ms() - pool->limits.idle_ms;
  /* Oldest first: stop at the first one still young enough. */
  while (pool->n_idle > 0 && pool->idle[0]->idle_since < oldest_allowed &&
         idle_evict_at(pool, 0, cl)) {
  }
  for (size_t i = pool->n_shared; i-- > 0;) {
    struct hr_pool_conn *c = pool->shared[i];
    if (c->users == 0 && c->idle_since < oldest_allowed &&
        !shared_evict_at(pool, i, cl))
      break;
  }
}

/* A shared connection to key that takes new requests, with one more user;
 * NULL when there is none. */
static struct hr_pool_conn *shared_take(struct hr_pool *pool, const char *key) {
  for (size_t i = 0; i < pool->n_shared; i++) {
    struct hr_pool_conn *c = pool->shared[i];
    if (!c->retired && strcmp(c->key, key) == 0) {
      c->users++;
      return c;
    }
  }
  return NULL;
}

/* The most recently used idle connection of key, taken out of the list
 * (its slot stays taken: it is busy now). */
static struct hr_pool_conn *idle_take(struct hr_pool *pool, const char *key) {
  for (size_t i = pool->n_idle; i-- > 0;) {
    if (strcmp(pool->idle[i]->key, key) == 0)
      return idle_remove_at(pool, i);
  }
  return NULL;
}

/* ---- limits (under the lock) --------------------------------------------- */

static int origin_full(const struct hr_pool *pool, const struct origin *o) {
  return pool->limits.max_per_origin &&
         o->open >= pool->limits.max_per_origin;
}

static int total_full(const struct hr_pool *pool) {
  return pool->limits.max_total && pool->open >= pool->limits.max_total;
}

/* Closes the oldest idle connection standing in the way of a new one for
 * key: of key itself when its origin is full, else of any origin when the
 * total is. Returns 1 when one was evicted. */
static int make_room(struct hr_pool *pool, const char *key,
                     const struct origin *o, struct closing *cl) {
  int same_origin_only = origin_full(pool, o);
  for (size_t i = 0; i < pool->n_idle; i++) {
    if (!same_origin_only || strcmp(pool->idle[i]->key, key) == 0)
      return idle_evict_at(pool, i, cl);
  }
  for (size_t i = 0; i < pool->n_shared; i++) {
    struct hr_pool_conn *c = pool->shared[i];
    if (c->users == 0 && (!same_origin_only || strcmp(c->key, key) == 0))
      return shared_evict_at(pool, i, cl);
  }
  return 0;
}

/* 1: a slot for key is taken; 0: at a limit; -1: out of memory. */
static int slot_take(struct hr_pool *pool, const char *key,
                     struct closing *cl) {
  for (;;) {
    /* Looked up each time: an eviction may move or drop entries. */
    struct origin *o = origin_get(pool, key);
    if (!o)
      return -1;
    if (!origin_full(pool, o) && !total_full(pool)) {
      o->open++;
      pool->open++;
      return 1;
    }
    if (!make_room(pool, key, o, cl))
      return 0;
  }
}

static void wait_until(struct hr_pool *pool, int64_t deadline) {
  if (deadline == HR_NO_DEADLINE) {
    pthread_cond_wait(&pool->freed, &pool->lock);
    return;
  }
  struct timespec at = {.tv_sec = deadline / 1000,
                        .tv_nsec = (deadline % 1000) * 1000000};
  pthread_cond_timedwait(&pool->freed, &pool->lock, &at);
}

httpr_code hr_pool_no_slot(const struct hr_pool *pool, const char *key,
                           long wait_ms, httpr_error *err) {
  return hr_fail(err, HTTPR_E_TIMEOUT,
                 "no connection to %s became free within %ld ms (limits: "
                 "%zu per origin, %zu in total; 0 is none)",
                 key, wait_ms, pool->limits.max_per_origin,
                 pool->limits.max_total);
}

/* ---- borrowing and giving back ------------------------------------------- */

static int probing(struct hr_pool *pool, const char *key) {
  struct origin *o = origin_find(pool, key);
  return o && o->probing;
}

/* The caller's new connection may turn out HTTP/2: others wait for it,
 * unless key answered HTTP/1.1 before. */
static void start_probing(struct hr_pool *pool, const char *key) {
  struct origin *o = origin_find(pool, key);
  if (o && !o->h1)
    o->probing = 1;
}

/* One look at the tables for key (see hr_pool_acquire): a connection
 * to check (*c), a slot (returns 1), nothing now (*stuck), or out of
 * memory (-1). With deadline set and nothing to be had, waits for a
 * change until then (*timed_out once it passed). */
static int acquire_pass(struct hr_pool *pool, const char *key, unsigned flags,
                        int64_t deadline, int wait, struct hr_pool_conn **c,
                        int *stuck, int *timed_out) {
  int fresh = flags & HR_POOL_FRESH, share = flags & HR_POOL_SHARE;
  struct closing cl = {.n = 0};
  int got_slot = 0, must_wait = 0;
  pthread_mutex_lock(&pool->lock);
  idle_expire(pool, &cl);
  /* A retry (fresh) may still share: a connection that failed it is
   * retired and never handed out again. */
  *c = share ? shared_take(pool, key) : NULL;
  if (!*c && !fresh)
    *c = idle_take(pool, key);
  if (!*c && share && probing(pool, key))
    must_wait = 1;
  else if (!*c && (got_slot = slot_take(pool, key, &cl)) > 0 && share)
    start_probing(pool, key);
  *stuck = !*c && (must_wait || got_slot == 0) && cl.n == 0;
  *timed_out = wait && *stuck && hr_now_ms() >= deadline;
  if (wait && *stuck && !*timed_out)
    wait_until(pool, deadline);
  pthread_mutex_unlock(&pool->lock);
  close_all(&cl);
  return got_slot;
}

/* A connection taken from the tables can carry a request: checked
 * outside the lock, since the check may read (a late ticket, a
 * GOAWAY). Gives it back when it cannot. */
static int still_usable(struct hr_pool *pool, struct hr_pool_conn *c) {
  if (c->h2 ? hr_h2_accepting(c->h2) : hr_conn_is_alive(c->conn))
    return 1;
  if (c->h2)
    hr_pool_release(pool, c, 0);
  else
    hr_pool_discard(pool, c, 0);
  return 0;
}

httpr_code hr_pool_acquire(struct hr_pool *pool, const char *key,
                           unsigned flags, int64_t deadline, long wait_ms,
                           struct hr_pool_conn **reused, httpr_error *err) {
  *reused = NULL;
  for (;;) {
    struct hr_pool_conn *c;
    int stuck, timed_out;
    int got_slot =
        acquire_pass(pool, key, flags, deadline, 1, &c, &stuck, &timed_out);
    if (got_slot < 0)
      return hr_nomem(err);
    if (got_slot > 0)
      return HTTPR_OK;
    if (timed_out)
      return hr_pool_no_slot(pool, key, wait_ms, err);
    if (c && still_usable(pool, c)) {
      *reused = c;
      return HTTPR_OK;
    }
  }
}

httpr_code hr_pool_try_acquire(struct hr_pool *pool, const char *key,
                               unsigned flags, struct hr_pool_conn **reused,
                               int *busy, httpr_error *err) {
  *reused = NULL;
  *busy = 0;
  /* Bounded: each pass that finds nothing usable closed a dead
   * connection or made room. */
  for (int passes = 0; passes < 64; passes++) {
    struct hr_pool_conn *c;
    int stuck, timed_out;
    int got_slot =
        acquire_pass(pool, key, flags, 0, 0, &c, &stuck, &timed_out);
    if (got_slot < 0)
      return hr_nomem(err);
    if (got_slot > 0)
      return HTTPR_OK;
    if (stuck)
      break;
    if (c && still_usable(pool, c)) {
      *reused = c;
      return HTTPR_OK;
    }
  }
  *busy = 1;
  return HTTPR_OK;
}

void hr_pool_watch(struct hr_pool *pool, struct hr_pool_watch *w) {
  pthread_mutex_lock(&pool->lock);
  w->prev = NULL;
  w->next = pool->watches;
  if (w->next)
    w->next->prev = w;
  pool->watches = w;
  pthread_mutex_unlock(&pool->lock);
}

void hr_pool_unwatch(struct hr_pool *pool, struct hr_pool_watch *w) {
  pthread_mutex_lock(&pool->lock);
  if (w->prev)
    w->prev->next = w->next;
  else if (pool->watches == w)
    pool->watches = w->next;
  if (w->next)
    w->next->prev = w->prev;
  w->next = w->prev = NULL;
  pthread_mutex_unlock(&pool->lock);
}

struct hr_pool_conn *hr_pool_conn_new(struct hr_pool *pool, const char *key,
                                      struct hr_conn *c) {
  size_t len = strlen(key);
  struct hr_pool_conn *pc = malloc(sizeof(*pc) + len + 1);
  if (!pc)
    return NULL;
  memset(pc, 0, sizeof(*pc));
  pc->conn = c;
  pc->pool = pool;
  memcpy(pc->key, key, len + 1);
  return pc;
}

void hr_pool_opened(struct hr_pool *pool, struct hr_pool_conn *c) {
  pthread_mutex_lock(&pool->lock);
  struct origin *o = origin_find(pool, c->key);
  if (o) {
    o->probing = 0;
    o->h1 = !c->h2;
  }
  if (c->h2) {
    c->users = 1;
    /* Not listed (out of memory): it serves this request only. */
    if (list_append(&pool->shared, &pool->n_shared, &pool->cap_shared, c) != 0)
      c->retired = 1;
  }
  changed(pool);
  pthread_mutex_unlock(&pool->lock);
}

void hr_pool_release(struct hr_pool *pool, struct hr_pool_conn *c, int usable) {
  pthread_mutex_lock(&pool->lock);
  if (!usable)
    c->retired = 1;
  if (c->users > 0)
    c->users--;
  int last = c->users == 0 && c->retired;
  if (last) {
    for (size_t i = 0; i < pool->n_shared; i++) {
      if (pool->shared[i] == c) {
        list_remove_at(pool->shared, &pool->n_shared, i);
        break;
      }
    }
    slot_release(pool, c->key);
  } else if (c->users == 0) {
    c->idle_since = hr_now_ms();
  }
  changed(pool);
  pthread_mutex_unlock(&pool->lock);
  if (last)
    entry_close(c, 1);
}

void hr_pool_cancel(struct hr_pool *pool, const char *key) {
  pthread_mutex_lock(&pool->lock);
  struct origin *o = origin_find(pool, key);
  if (o)
    o->probing = 0; /* waiters try for themselves */
  slot_release(pool, key);
  pthread_mutex_unlock(&pool->lock);
}

void hr_pool_discard(struct hr_pool *pool, struct hr_pool_conn *c,
                     int graceful) {
  entry_shut(c, graceful);
  hr_pool_cancel(pool, c->key); /* the key is the entry's: free it after */
  free(c);
}

void hr_pool_put(struct hr_pool *pool, struct hr_pool_conn *c) {
  if (pool->limits.max_idle == 0) {
    hr_pool_discard(pool, c, 1);
    return;
  }
  c->idle_since = hr_now_ms();
  struct closing cl = {.n = 0};
  pthread_mutex_lock(&pool->lock);
  int kept = list_append(&pool->idle, &pool->n_idle, &pool->cap_idle, c) == 0;
  if (kept) {
    while (pool->n_idle > pool->limits.max_idle && idle_evict_at(pool, 0, &cl)) {
    }
    changed(pool);
  }
  pthread_mutex_unlock(&pool->lock);
  close_all(&cl);
  if (!kept)
    hr_pool_discard(pool, c, 1);
}

/* ---- sessions ------------------------------------------------------------ */

struct hr_pool_session *hr_pool_session_get(struct hr_pool *pool,
                                            const char *key) {
  pthread_mutex_lock(&pool->lock);
  struct origin *o = origin_find(pool, key);
  struct hr_pool_session *s = o ? o->session : NULL;
  if (s)
    s->refs++;
  pthread_mutex_unlock(&pool->lock);
  return s;
}

void hr_pool_session_release(struct hr_pool *pool, struct hr_pool_session *s) {
  pthread_mutex_lock(&pool->lock);
  void *object = session_unref(s);
  pthread_mutex_unlock(&pool->lock);
  free_object(pool, object);
}

void hr_pool_session_put(struct hr_pool *pool, const char *key, void *object) {
  struct hr_pool_session *fresh = NULL;
  if (object && (fresh = malloc(sizeof(*fresh)))) {
    fresh->object = object;
    fresh->refs = 1;
  }
  void *unused = object && !fresh ? object : NULL; /* out of memory */
  pthread_mutex_lock(&pool->lock);
  struct origin *o = fresh ? origin_get(pool, key) : origin_find(pool, key);
  void *replaced = NULL;
  if (o) {
    replaced = session_unref(o->session);
    o->session = fresh;
    if (!fresh && o->open == 0)
      origin_remove(pool, o);
  } else if (fresh) {
    unused = session_unref(fresh);
  }
  pthread_mutex_unlock(&pool->lock);
  free_object(pool, replaced);
  free_object(pool, unused);
}

void hr_pool_keep_session(struct hr_pool_conn *pc) {
  struct hr_conn *c = pc->conn;
  if (!c->tls || pc->session_saved || !c->provider->session_export)
    return;
  void *session = c->provider->session_export(c->tls);
  if (!session)
    return;
  hr_pool_session_put(pc->pool, pc->key, session);
  pc->session_saved = 1;
}
