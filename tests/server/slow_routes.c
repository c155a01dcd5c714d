/* SPDX-License-Identifier: MIT */
/* slow_routes.c: the HTTP/1.1 routes that test a client's time and size
 * bounds: a body that never ends and never pauses, silence after the head,
 * a drip of one byte at a time, an endless flood of 1xx responses, and two
 * uploads, one never read and one read forever. Each of them ends when the
 * client goes away (a write fails, or its FIN arrives) and at the latest
 * after SLOW_SECONDS, so no test can leave a thread behind for long. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "server.h"

#define SLOW_SECONDS 30
#define ENDLESS_CHUNKS 10000 /* 1-byte chunks per write */
#define FLOOD_HEADS 256      /* 1xx heads per write (about 15 KiB) */
#define MAX_DRIP_MS 5000
#define DRIP_BYTES 100

static time_t give_up_at(void) { return time(NULL) + SLOW_SECONDS; }

static int go_on(time_t end) { return !ts_stopping() && time(NULL) < end; }

/* Sleeps ms in naps of at most 20 ms, so a server stop is noticed. */
static void nap_ms(long ms) {
  while (ms > 0 && !ts_stopping()) {
    long nap = ms < 20 ? ms : 20;
    struct timespec ts = {0, nap * 1000 * 1000};

    nanosleep(&ts, NULL);
    ms -= nap;
  }
}

/* 1 once the client has closed its side (FIN, reset or error). Never
 * reads, so a request body still unread stays where it is. */
static int client_gone(const struct ts_conn *c, int ms) {
  struct pollfd p = {c->fd, POLLRDHUP, 0};

  if (poll(&p, 1, ms) <= 0)
    return 0;
  return (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

/* /endless: a chunked body of 1-byte chunks, ENDLESS_CHUNKS of them in
 * every write and no pause between writes: every read the client makes
 * returns data at once, so only a limit checked in its read loop ends it. */
enum ts_after ts_r_endless(struct ts_conn *c, struct ts_request *rq,
                           const char *arg) {
  char batch[ENDLESS_CHUNKS * 6];
  static const char head[] = "HTTP/1.1 200 OK\r\n"
                             "Content-Type: application/octet-stream\r\n"
                             "Transfer-Encoding: chunked\r\n\r\n";
  time_t end = give_up_at();

  (void)arg;
  for (size_t i = 0; i < ENDLESS_CHUNKS; i++)
    memcpy(batch + i * 6, "1\r\nx\r\n", 6);
  if (ts_conn_write(c, head, sizeof head - 1) < 0 || rq->is_head)
    return TS_CLOSE;
  while (go_on(end) && ts_conn_write(c, batch, sizeof batch) == 0) {
  }
  return TS_CLOSE;
}

/* /silent-after-head: a head announcing 1000 bytes, then nothing. */
enum ts_after ts_r_silent_after_head(struct ts_conn *c, struct ts_request *rq,
                                     const char *arg) {
  static const char head[] = "HTTP/1.1 200 OK\r\n"
                             "Content-Type: application/octet-stream\r\n"
                             "Content-Length: 1000\r\n\r\n";
  time_t end = give_up_at();

  (void)rq;
  (void)arg;
  if (ts_conn_write(c, head, sizeof head - 1) < 0)
    return TS_CLOSE;
  while (go_on(end) && !client_gone(c, 200)) {
  }
  return TS_CLOSE;
}

/* /drip/MS: a head announcing DRIP_BYTES bytes, then one byte every MS
 * milliseconds (1..MAX_DRIP_MS): never silent for long, always slow. */
enum ts_after ts_r_drip(struct ts_conn *c, struct ts_request *rq,
                        const char *arg) {
  static const char head[] = "HTTP/1.1 200 OK\r\n"
                             "Content-Type: application/octet-stream\r\n"
                             "Content-Length: 100\r\n\r\n";
  long ms = 0;
  char *end = (char *)arg;

  if (*arg >= '1' && *arg <= '9')
    ms = strtol(arg, &end, 10);
  if (ms < 1 || ms > MAX_DRIP_MS || *end) {
    static const char bad[] = "HTTP/1.1 400 Bad Request\r\n"
                              "Content-Length: 0\r\n\r\n";
    ts_conn_write(c, bad, sizeof bad - 1);
    return TS_CLOSE;
  }
  if (ts_conn_write(c, head, sizeof head - 1) < 0 || rq->is_head)
    return TS_CLOSE;
  for (int i = 0; i < DRIP_BYTES && !ts_stopping(); i++) {
    char byte = (char)('a' + i % 26);

    nap_ms(ms);
    if (client_gone(c, 0) || ts_conn_write(c, &byte, 1) < 0)
      break;
  }
  return TS_CLOSE;
}

/* /1xx-flood: 103 Early Hints heads, FLOOD_HEADS per write, without end
 * and without a final response: only the client's head limit stops it. */
enum ts_after ts_r_1xx_flood(struct ts_conn *c, struct ts_request *rq,
                             const char *arg) {
  static const char one[] = "HTTP/1.1 103 Early Hints\r\n"
                            "Link: </style.css>; rel=preload\r\n\r\n";
  char batch[FLOOD_HEADS * (sizeof one - 1)];
  time_t end = give_up_at();

  (void)rq;
  (void)arg;
  for (size_t i = 0; i < FLOOD_HEADS; i++)
    memcpy(batch + i * (sizeof one - 1), one, sizeof one - 1);
  while (go_on(end) && ts_conn_write(c, batch, sizeof batch) == 0) {
  }
  return TS_CLOSE;
}

/* /upload-stall (any method): the request body is never read, so the
 * client's writes stop once the socket buffers are full; no answer. */
enum ts_after ts_r_upload_stall(struct ts_conn *c, struct ts_request *rq,
                                const char *arg) {
  time_t end = give_up_at();

  (void)rq;
  (void)arg;
  while (go_on(end) && !client_gone(c, 200)) {
  }
  return TS_CLOSE_NO_NOTIFY; /* the body still unread: no TLS shutdown */
}

/* /upload-sink (any method): reads and drops whatever the client sends,
 * as fast as it comes, until it closes; no answer. */
enum ts_after ts_r_upload_sink(struct ts_conn *c, struct ts_request *rq,
                               const char *arg) {
  char junk[16384];
  time_t end = give_up_at();

  (void)rq;
  (void)arg;
  while (go_on(end)) {
    int r = ts_conn_wait_readable(c, 200);
    if (r < 0 || (r > 0 && ts_conn_read(c, junk, sizeof junk) <= 0))
      break;
  }
  return TS_CLOSE;
}

int ts_route_reads_body(const struct ts_request *rq) {
  size_t plen = strcspn(rq->target, "?");

  return (plen == 13 && strncmp(rq->target, "/upload-stall", plen) == 0) ||
         (plen == 12 && strncmp(rq->target, "/upload-sink", plen) == 0);
}
