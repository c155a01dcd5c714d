/* SPDX-License-Identifier: MIT */
/* h2_slow_routes.c: the HTTP/2 routes that test a client's time and size
 * bounds, on the same paths as over HTTP/1.1 (slow_routes.c): a body that
 * never ends, silence after the head, a drip, and an endless flood of 1xx
 * heads. Each is a stream of the connection's poll loop (timers, never a
 * sleep), so other streams go on; each ends when the client resets the
 * stream or the connection goes. */
#include <stdlib.h>

#include "h2.h"

#define ENDLESS_BYTES (1ULL << 60) /* more than any test will read */
#define SILENT_BYTES 1000
#define DRIP_BYTES 100
#define MAX_DRIP_MS 5000
#define FLOOD_BATCH 32            /* interim heads queued per timer turn */
#define FLOOD_MAX_HEADS 1000000UL /* then the stream is reset */

/* /endless: as fast as flow control lets it, for ever. */
void ts_h2_r_endless(struct ts_h2 *h, struct ts_h2_stream *st,
                     const char *arg) {
  (void)arg;
  ts_h2_respond_pattern(h, st, ENDLESS_BYTES);
}

/* /silent-after-head: a head announcing SILENT_BYTES, and no DATA. */
void ts_h2_r_silent_after_head(struct ts_h2 *h, struct ts_h2_stream *st,
                               const char *arg) {
  (void)arg;
  ts_h2_respond_paced(h, st, SILENT_BYTES);
}

static void drip_one(struct ts_h2 *h, struct ts_h2_stream *st) {
  ts_h2_release(h, st, 1);
  if (++st->arg < DRIP_BYTES)
    ts_h2_after(h, st, (long long)st->every_ms, drip_one);
}

/* /drip/MS: a head announcing DRIP_BYTES, then one byte every MS ms. */
void ts_h2_r_drip(struct ts_h2 *h, struct ts_h2_stream *st, const char *arg) {
  char *end = (char *)arg;
  long ms = 0;

  if (*arg >= '1' && *arg <= '9')
    ms = strtol(arg, &end, 10);
  if (ms < 1 || ms > MAX_DRIP_MS || *end) {
    static const nghttp2_nv type[] = {{(uint8_t *)"content-type",
                                       (uint8_t *)"text/plain", 12, 10,
                                       NGHTTP2_NV_FLAG_NONE}};
    ts_h2_respond(h, st, 400, type, 1, "bad number in path\n", 19);
    return;
  }
  if (ts_h2_respond_paced(h, st, DRIP_BYTES) != 0)
    return;
  st->arg = 0;
  st->every_ms = ms;
  ts_h2_after(h, st, ms, drip_one);
}

/* Queues FLOOD_BATCH more 103 heads whenever nghttp2's queue runs low. */
static void flood_more(struct ts_h2 *h, struct ts_h2_stream *st) {
  nghttp2_nv hint[] = {ts_h2_nv(":status", "103"),
                       ts_h2_nv("link", "</style.css>; rel=preload")};

  if (st->arg >= FLOOD_MAX_HEADS) {
    ts_h2_reset(h, st, NGHTTP2_INTERNAL_ERROR);
    return;
  }
  if (nghttp2_session_get_outbound_queue_size(h->s) < FLOOD_BATCH) {
    for (int i = 0; i < FLOOD_BATCH; i++) {
      if (ts_h2_interim(h, st, hint, 2) != 0) {
        ts_h2_reset(h, st, NGHTTP2_INTERNAL_ERROR);
        return;
      }
    }
    st->arg += FLOOD_BATCH;
  }
  ts_h2_after(h, st, 1, flood_more);
}

/* /1xx-flood: 103 heads without end and no final response. */
void ts_h2_r_1xx_flood(struct ts_h2 *h, struct ts_h2_stream *st,
                       const char *arg) {
  (void)arg;
  st->responded = 1; /* what it sends instead of a response */
  st->arg = 0;
  flood_more(h, st);
}
