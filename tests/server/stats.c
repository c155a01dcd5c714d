/* SPDX-License-Identifier: MIT */
/* stats.c: what the server process has seen, for tests that must assert
 * counts the client cannot report: TLS handshakes completed (did a client
 * share one connection?), and per HTTP/2 connection the streams opened,
 * the most open at once, streams refused and connection errors sent (did
 * a client respect SETTINGS_MAX_CONCURRENT_STREAMS?), and DATA frames
 * received (did a tiny window cut an upload into tiny frames?). Counters
 * only grow;
 * a test reads them before and after. Every function is thread-safe. */
#include <stdatomic.h>

#include "server.h"

/* Connections with a larger id are counted in the totals only. */
#define MAX_TRACKED 8192

struct counters {
  atomic_ulong streams;  /* streams opened */
  atomic_ulong max_open; /* most streams open at once on one connection */
  atomic_ulong refused;  /* RST_STREAM REFUSED_STREAM sent */
  atomic_ulong errors;   /* GOAWAY with an error code sent */
  atomic_ulong data_in;  /* DATA frames received (flow control at work) */
};

static atomic_ulong g_connections, g_handshakes, g_h2_connections;
static struct counters g_total;
static struct counters g_conn[MAX_TRACKED + 1]; /* by connection id */
static atomic_int g_is_h2[MAX_TRACKED + 1];

static void raise_to(atomic_ulong *v, unsigned long n) {
  unsigned long cur = atomic_load(v);

  while (cur < n && !atomic_compare_exchange_weak(v, &cur, n))
    ;
}

static struct counters *of(unsigned long id) {
  return id <= MAX_TRACKED ? &g_conn[id] : NULL;
}

void ts_stats_connection(void) { atomic_fetch_add(&g_connections, 1); }

void ts_stats_handshake(void) { atomic_fetch_add(&g_handshakes, 1); }

void ts_stats_h2_connection(unsigned long id) {
  atomic_fetch_add(&g_h2_connections, 1);
  if (id <= MAX_TRACKED)
    atomic_store(&g_is_h2[id], 1);
}

void ts_stats_stream_opened(unsigned long id, size_t open_now) {
  struct counters *c = of(id);

  atomic_fetch_add(&g_total.streams, 1);
  raise_to(&g_total.max_open, open_now);
  if (c) {
    atomic_fetch_add(&c->streams, 1);
    raise_to(&c->max_open, open_now);
  }
}

void ts_stats_refused(unsigned long id) {
  struct counters *c = of(id);

  atomic_fetch_add(&g_total.refused, 1);
  if (c)
    atomic_fetch_add(&c->refused, 1);
}

void ts_stats_data_frame(unsigned long id) {
  struct counters *c = of(id);

  atomic_fetch_add(&g_total.data_in, 1);
  if (c)
    atomic_fetch_add(&c->data_in, 1);
}

void ts_stats_conn_error(unsigned long id) {
  struct counters *c = of(id);

  atomic_fetch_add(&g_total.errors, 1);
  if (c)
    atomic_fetch_add(&c->errors, 1);
}

static void add_counters(struct ts_buf *b, struct counters *c) {
  ts_buf_addf(b,
              "streams=%lu\nmax_open_streams=%lu\nrefused_streams=%lu\n"
              "connection_errors=%lu\ndata_frames_received=%lu\n",
              atomic_load(&c->streams), atomic_load(&c->max_open),
              atomic_load(&c->refused), atomic_load(&c->errors),
              atomic_load(&c->data_in));
}

void ts_stats_format(struct ts_buf *b) {
  ts_buf_addf(b, "handshakes=%lu\nconnections=%lu\nh2_connections=%lu\n",
              atomic_load(&g_handshakes), atomic_load(&g_connections),
              atomic_load(&g_h2_connections));
  add_counters(b, &g_total);
}

int ts_stats_format_conn(struct ts_buf *b, unsigned long id) {
  if (id == 0 || id > MAX_TRACKED || id > atomic_load(&g_connections))
    return -1;
  ts_buf_addf(b, "h2=%d\n", atomic_load(&g_is_h2[id]));
  add_counters(b, &g_conn[id]);
  return 0;
}
