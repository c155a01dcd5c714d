/* SPDX-License-Identifier: MIT */
/* test-server.c: entry point of the httpr test server. Parses the command
 * line, listens, prints "PORT=<n>", accepts connections and hands each to a
 * detached thread, and stops cleanly on SIGTERM/SIGINT or after
 * --max-seconds. What a connection does lives in conn.c, http.c and
 * routes.c (HTTP/1.1) or h2.c and h2_routes.c (when ALPN selects "h2");
 * the TLS context in tls.c; the counters /stats reports in stats.c. */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "server.h"

#define MAX_LIVE 64

/* Set by the signal handler (on the main thread: workers block the
 * signals), read by every connection thread through ts_stopping(). A
 * volatile sig_atomic_t is only safe within one thread, so this is a C11
 * atomic, which a handler may store to when it is lock-free. */
static atomic_int g_signalled;
_Static_assert(ATOMIC_INT_LOCK_FREE == 2,
               "a signal handler may only store to a lock-free atomic");
static struct ts_options g_opts;
static SSL_CTX *g_ctx;

/* The live-connection table. The main thread shuts these sockets down when
 * the server stops so blocked threads wake up; a thread closes its fd only
 * under the lock, so the main thread never touches a reused descriptor. */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cond = PTHREAD_COND_INITIALIZER;
static int g_live_fd[MAX_LIVE];
static int g_live;
static _Atomic int g_stopping; /* read by connection threads */

int ts_stopping(void) { return g_stopping || g_signalled; }

void ts_log(const char *fmt, ...) {
  char line[1024];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  /* One fprintf per line: stdio locks the stream, so lines never mix. */
  fprintf(stderr, "test-server: %s\n", line);
}

static void usage(void) {
  fputs("usage: test-server [--plain] [--cert FILE --key FILE] "
        "[--client-ca FILE | --late-client-ca FILE]\n"
        "         [--tls-min 1.2|1.3] [--tls-max 1.2|1.3] "
        "[--alpn LIST | --no-alpn]\n"
        "         [--no-session-cache] [--seclevel N] [--ciphers LIST]\n"
        "         [--groups LIST]\n"
        "         [--host ADDR] [--port N] [--unix PATH] [--max-seconds S]\n"
        "         [--h2-goaway-after N] [--h2-window BYTES] "
        "[--h2-max-streams N]\n"
        "         [--h2-open-window BYTES] [--hang-up]\n"
        "\n"
        "--unix PATH listens on a new Unix domain socket at PATH instead\n"
        "  of TCP (PATH must not exist; removed at the end); it prints\n"
        "  PORT=0.\n"
        "ALPN offers http/1.1 only unless --alpn says otherwise; with\n"
        "--alpn h2,http/1.1 a client that offers h2 gets HTTP/2 (the\n"
        "client's preference decides). HTTP/2 options:\n"
        "  --h2-goaway-after N  when a connection's stream N+1 arrives, send\n"
        "                       GOAWAY (NO_ERROR) naming stream N as the\n"
        "                       last; later streams are never answered; the\n"
        "                       connection closes once the first N are\n"
        "  --h2-window BYTES    SETTINGS_INITIAL_WINDOW_SIZE (e.g. 16): the\n"
        "                       client's uploads must respect flow control\n"
        "  --h2-max-streams N   SETTINGS_MAX_CONCURRENT_STREAMS (default\n"
        "                       100); a stream over it is refused\n"
        "                       (REFUSED_STREAM) or, once the client has\n"
        "                       acknowledged it, a connection error; both\n"
        "                       are counted in /stats\n"
        "  --h2-open-window BYTES  the connection's and every stream's\n"
        "                       receive window are BYTES from the start\n"
        "                       (SETTINGS and a WINDOW_UPDATE in the\n"
        "                       preface, as h2o 2.2 does) and are never\n"
        "                       updated: the server says nothing while a\n"
        "                       body of up to BYTES arrives (a larger one\n"
        "                       waits for ever); overrides --h2-window\n"
        "--hang-up: every connection gets the first 3 bytes of a TLS record\n"
        "and is closed at once, with the client's hello unread (the kernel\n"
        "then resets it): a server that hangs up mid-handshake.\n"
        "--late-client-ca FILE trusts FILE for client certificates but asks\n"
        "for none in the handshake; only /late-cert asks, after it (as\n"
        "Apache httpd does for a <Location> with SSLVerifyClient require):\n"
        "  over TLS 1.3 by post-handshake authentication (a client that did\n"
        "  not offer post_handshake_auth gets 403), over TLS 1.2 by a\n"
        "  renegotiation the server requests (HelloRequest), only with a\n"
        "  client that supports secure renegotiation (RFC 5746; else\n"
        "  403). The client has 5 s to answer. A\n"
        "  verified certificate: 200 and its subject (RFC 2253, as\n"
        "  /client-cert); an empty Certificate, an unverified one or no\n"
        "  answer in time: 403, Connection: close, a body saying which. A\n"
        "  refused renegotiation (warning alert no_renegotiation) cannot be\n"
        "  answered: OpenSSL ends the connection with a fatal\n"
        "  handshake_failure alert. A connection that already has a\n"
        "  verified certificate is not asked again. Over HTTP/2 /late-cert\n"
        "  is reset with RST_STREAM HTTP_1_1_REQUIRED (RFC 9113 9.2.1, RFC\n"
        "  8740), and /late-cert-anyway asks all the same (a misbehaving\n"
        "  server), answers nothing and closes the connection 5 s later or\n"
        "  when the client does (403 at once if the client did not offer\n"
        "  post_handshake_auth). Without --late-client-ca they ask nothing:\n"
        "  200 for a certificate the handshake verified (--client-ca), else\n"
        "  403. Waits stretch with HTTPR_TEST_TIMEOUT_MULTIPLIER.\n"
        "  --late-client-ca also turns TLS session tickets off (TLS 1.2\n"
        "  resumes by session ID): GnuTLS 3.7.9 clients would wait for one\n"
        "  in the renegotiation.\n"
        "--seclevel N sets OpenSSL's security level (0 serves an RSA 1024\n"
        "or SHA-1 signed certificate); --ciphers LIST sets the TLS 1.2\n"
        "cipher list (OpenSSL syntax; TLS 1.3 suites are not affected);\n"
        "--groups LIST the key exchange groups it accepts (\"secp384r1\").\n"
        "HTTP/2 routes: / /bytes/N /conn-id /delay/MS /echo /trailers\n"
        "  /status/N /client-cert /late-cert /late-cert-anyway /tls\n"
        "  /resumed; /stats (handshakes,\n"
        "  connections, streams, max_open_streams, refused_streams,\n"
        "  connection_errors, data_frames_received) and /stats/conn/ID;\n"
        "  misbehaving per stream:\n"
        "  /h2/rst[/MS] (RST_STREAM INTERNAL_ERROR), /h2/big-headers/N (N\n"
        "  bytes of header fields), /h2/bad-frame (DATA on stream 0),\n"
        "  /h2/bad-frame-length (PING of 7 bytes).\n",
        stderr);
}

static int parse_count(const char *s, long max, long *out) {
  char *end;
  long v;

  errno = 0;
  v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < 0 || v > max)
    return -1;
  *out = v;
  return 0;
}

static int parse_tls_version(const char *s, int *out) {
  if (strcmp(s, "1.2") == 0)
    *out = TLS1_2_VERSION;
  else if (strcmp(s, "1.3") == 0)
    *out = TLS1_3_VERSION;
  else
    return -1;
  return 0;
}

static int parse_seconds(const char *s, long *out) {
  char *end;
  long v;

  errno = 0;
  v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < 0)
    return -1;
  *out = v;
  return 0;
}

/* Fills g_opts; returns 0, or -1 after printing why. */
static int parse_args(int argc, char **argv) {
  enum {
    O_PLAIN = 1,
    O_CERT,
    O_KEY,
    O_CLIENT_CA,
    O_LATE_CLIENT_CA,
    O_TLS_MIN,
    O_TLS_MAX,
    O_ALPN,
    O_NO_ALPN,
    O_NO_SESSION_CACHE,
    O_SECLEVEL,
    O_CIPHERS,
    O_GROUPS,
    O_HOST,
    O_PORT,
    O_MAX_SECONDS,
    O_H2_GOAWAY_AFTER,
    O_H2_WINDOW,
    O_H2_MAX_STREAMS,
    O_H2_OPEN_WINDOW,
    O_HANG_UP,
    O_UNIX
  };
  static const struct option longopts[] = {
      {"plain", no_argument, NULL, O_PLAIN},
      {"cert", required_argument, NULL, O_CERT},
      {"key", required_argument, NULL, O_KEY},
      {"client-ca", required_argument, NULL, O_CLIENT_CA},
      {"late-client-ca", required_argument, NULL, O_LATE_CLIENT_CA},
      {"tls-min", required_argument, NULL, O_TLS_MIN},
      {"tls-max", required_argument, NULL, O_TLS_MAX},
      {"alpn", required_argument, NULL, O_ALPN},
      {"no-alpn", no_argument, NULL, O_NO_ALPN},
      {"no-session-cache", no_argument, NULL, O_NO_SESSION_CACHE},
      {"seclevel", required_argument, NULL, O_SECLEVEL},
      {"ciphers", required_argument, NULL, O_CIPHERS},
      {"groups", required_argument, NULL, O_GROUPS},
      {"host", required_argument, NULL, O_HOST},
      {"port", required_argument, NULL, O_PORT},
      {"max-seconds", required_argument, NULL, O_MAX_SECONDS},
      {"h2-goaway-after", required_argument, NULL, O_H2_GOAWAY_AFTER},
      {"h2-window", required_argument, NULL, O_H2_WINDOW},
      {"h2-max-streams", required_argument, NULL, O_H2_MAX_STREAMS},
      {"h2-open-window", required_argument, NULL, O_H2_OPEN_WINDOW},
      {"hang-up", no_argument, NULL, O_HANG_UP},
      {"unix", required_argument, NULL, O_UNIX},
      {NULL, 0, NULL, 0}};
  const char *alpn = "http/1.1";
  int have_alpn = 0;
  long seclevel;
  int ch;

  g_opts.seclevel = -1;
  g_opts.host = "127.0.0.1";
  g_opts.port = "0";
  g_opts.max_seconds = 300;
  g_opts.h2_goaway_after = -1;
  g_opts.h2_window = -1;
  g_opts.h2_open_window = -1;
  g_opts.h2_max_streams = 100;
  while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
    switch (ch) {
    case O_PLAIN:
      g_opts.plain = 1;
      break;
    case O_CERT:
      g_opts.cert = optarg;
      break;
    case O_KEY:
      g_opts.key = optarg;
      break;
    case O_CLIENT_CA:
      g_opts.client_ca = optarg;
      break;
    case O_LATE_CLIENT_CA:
      g_opts.late_client_ca = optarg;
      break;
    case O_TLS_MIN:
      if (parse_tls_version(optarg, &g_opts.tls_min) < 0)
        goto bad;
      break;
    case O_TLS_MAX:
      if (parse_tls_version(optarg, &g_opts.tls_max) < 0)
        goto bad;
      break;
    case O_ALPN:
      alpn = optarg;
      have_alpn = 1;
      break;
    case O_NO_ALPN:
      g_opts.no_alpn = 1;
      break;
    case O_NO_SESSION_CACHE:
      g_opts.no_session_cache = 1;
      break;
    case O_SECLEVEL: /* OpenSSL defines levels 0 to 5 */
      if (parse_count(optarg, 5, &seclevel) < 0)
        goto bad;
      g_opts.seclevel = (int)seclevel;
      break;
    case O_GROUPS:
      g_opts.groups = optarg;
      break;
    case O_CIPHERS:
      g_opts.ciphers = optarg;
      break;
    case O_HOST:
      g_opts.host = optarg;
      break;
    case O_PORT:
      g_opts.port = optarg;
      break;
    case O_MAX_SECONDS:
      if (parse_seconds(optarg, &g_opts.max_seconds) < 0)
        goto bad;
      break;
    case O_H2_GOAWAY_AFTER:
      if (parse_count(optarg, 1000000, &g_opts.h2_goaway_after) < 0)
        goto bad;
      break;
    case O_H2_WINDOW: /* RFC 9113: at most 2^31-1 */
      if (parse_count(optarg, 0x7fffffffL, &g_opts.h2_window) < 0)
        goto bad;
      break;
    case O_H2_MAX_STREAMS:
      if (parse_count(optarg, 0x7fffffffL, &g_opts.h2_max_streams) < 0)
        goto bad;
      break;
    case O_H2_OPEN_WINDOW: /* RFC 9113: at most 2^31-1 */
      if (parse_count(optarg, 0x7fffffffL, &g_opts.h2_open_window) < 0)
        goto bad;
      break;
    case O_HANG_UP:
      g_opts.hang_up = 1;
      break;
    case O_UNIX:
      g_opts.unix_path = optarg;
      break;
    default:
      goto bad;
    }
  }
  if (optind != argc || (have_alpn && g_opts.no_alpn))
    goto bad;
  if (!g_opts.plain && !g_opts.cert) {
    fputs("test-server: --cert is required unless --plain\n", stderr);
    goto bad;
  }
  if (g_opts.client_ca && g_opts.late_client_ca) {
    fputs("test-server: --client-ca and --late-client-ca exclude each "
          "other\n",
          stderr);
    goto bad;
  }
  if (!g_opts.key)
    g_opts.key = g_opts.cert; /* one PEM holding chain and key */
  if (ts_alpn_parse(alpn, g_opts.alpn, sizeof g_opts.alpn, &g_opts.alpn_len) <
      0) {
    fprintf(stderr, "test-server: bad --alpn list '%s'\n", alpn);
    goto bad;
  }
  return 0;
bad:
  usage();
  return -1;
}

/* Binds and listens on the Unix socket --unix; returns the socket or -1. */
static int open_unix_listener(void) {
  struct sockaddr_un su = {.sun_family = AF_UNIX};
  int fd;

  if (strlen(g_opts.unix_path) >= sizeof su.sun_path) {
    ts_log("--unix path too long: %s", g_opts.unix_path);
    return -1;
  }
  strcpy(su.sun_path, g_opts.unix_path);
  fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || bind(fd, (struct sockaddr *)&su, sizeof su) < 0 ||
      listen(fd, 128) < 0) {
    ts_log("cannot listen on %s: %s", g_opts.unix_path, strerror(errno));
    if (fd >= 0)
      close(fd);
    return -1;
  }
  return fd;
}

/* Binds and listens on --host/--port (or --unix); returns the socket or
 * -1. */
static int open_listener(void) {
  struct addrinfo hints, *res = NULL;
  int fd = -1, one = 1, rc;

  if (g_opts.unix_path)
    return open_unix_listener();
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  rc = getaddrinfo(g_opts.host, g_opts.port, &hints, &res);
  if (rc != 0) {
    ts_log("cannot resolve %s: %s", g_opts.host, gai_strerror(rc));
    return -1;
  }
  fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    goto fail;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 128) < 0)
    goto fail;
  freeaddrinfo(res);
  return fd;
fail:
  ts_log("cannot listen on %s port %s: %s", g_opts.host, g_opts.port,
         strerror(errno));
  if (fd >= 0)
    close(fd);
  freeaddrinfo(res);
  return -1;
}

static int print_port(int fd) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  unsigned port;

  if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
    return -1;
  if (ss.ss_family == AF_UNIX)
    port = 0;
  else if (ss.ss_family == AF_INET6)
    port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
  else
    port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
  printf("PORT=%u\n", port);
  return fflush(stdout) == 0 ? 0 : -1;
}

/* Last act of a connection thread: forget the slot and close the socket
 * under the lock, so stop_all() never shuts down a reused descriptor. */
static void release_slot(int slot, int fd) {
  pthread_mutex_lock(&g_lock);
  g_live_fd[slot] = -1;
  close(fd);
  g_live--;
  pthread_cond_broadcast(&g_cond);
  pthread_mutex_unlock(&g_lock);
}

static void *conn_thread(void *arg) {
  struct ts_conn *c = arg;
  int slot = c->slot, fd = c->fd;

  ts_stats_connection();
  if (g_opts.hang_up) {
    static const char record_start[] = {0x16, 0x03, 0x01};
    if (write(fd, record_start, sizeof(record_start)) < 0)
      ts_log("conn %lu: hang-up write: %s", c->id, strerror(errno));
  } else if (g_ctx && ts_conn_handshake(c, g_ctx) < 0) {
    ts_conn_close_failed_handshake(c);
  } else {
    int h2 = 0;
    if (c->ssl) {
      const unsigned char *proto = NULL;
      unsigned proto_len = 0;
      ts_stats_handshake();
      SSL_get0_alpn_selected(c->ssl, &proto, &proto_len);
      h2 = proto_len == 2 && memcmp(proto, "h2", 2) == 0;
      ts_log("conn %lu from %s: %s %s alpn=%.*s%s", c->id, c->peer,
             SSL_get_version(c->ssl), SSL_get_cipher_name(c->ssl),
             (int)proto_len, proto ? (const char *)proto : "",
             proto ? "" : "none");
    } else {
      ts_log("conn %lu from %s: plain", c->id, c->peer);
    }
    if (h2)
      ts_h2_serve(c, &g_opts);
    else
      ts_http_serve(c);
  }
  SSL_free(c->ssl);
  free(c);
  /* Free this thread's OpenSSL state now, before the main thread may exit
   * and run OpenSSL's atexit cleanup. */
  OPENSSL_thread_stop();
  release_slot(slot, fd);
  return NULL;
}

static void set_conn_options(int fd) {
  long ms = TS_IO_TIMEOUT_MS;
  struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
  int one = 1;

  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  /* Heads and bodies go out in separate writes; without this, Nagle's
   * algorithm would add delayed-ACK stalls to keep-alive requests. */
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static int take_slot(int fd) {
  int i;

  pthread_mutex_lock(&g_lock);
  for (i = 0; i < MAX_LIVE && g_live_fd[i] >= 0; i++)
    ;
  g_live_fd[i] = fd; /* the caller made sure g_live < MAX_LIVE */
  g_live++;
  pthread_mutex_unlock(&g_lock);
  return i;
}

/* Starts a detached thread for an accepted socket. Worker threads block
 * SIGTERM/SIGINT so the signal reaches the main thread and never turns a
 * worker's blocking read into EINTR. */
static void start_conn(int fd, unsigned long id,
                       const struct sockaddr_storage *ss, socklen_t sslen) {
  char host[64] = "?", serv[16] = "?";
  struct ts_conn *c = calloc(1, sizeof *c);
  pthread_attr_t attr;
  pthread_t tid;
  sigset_t block, old;
  int rc;

  if (!c) {
    close(fd);
    return;
  }
  set_conn_options(fd);
  if (ss->ss_family == AF_UNIX)
    snprintf(host, sizeof host, "unix"); /* a client's end has no name */
  else
    getnameinfo((const struct sockaddr *)ss, sslen, host, sizeof host, serv,
                sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV);
  snprintf(c->peer, sizeof c->peer, "%s port %s", host, serv);
  c->fd = fd;
  c->id = id;
  c->slot = take_slot(fd);
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGINT);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  rc = pthread_create(&tid, &attr, conn_thread, c);
  pthread_attr_destroy(&attr);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (rc != 0) {
    int slot = c->slot;

    ts_log("pthread_create: %s", strerror(rc));
    free(c);
    release_slot(slot, fd);
  }
}

static double now_seconds(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits until fewer than MAX_LIVE connections are live, for at most 200 ms
 * so the caller keeps checking for a stop. Returns 1 if there is room. */
static int wait_for_room(void) {
  struct timespec ts;
  int room;

  pthread_mutex_lock(&g_lock);
  if (g_live >= MAX_LIVE) {
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 200 * 1000 * 1000;
    if (ts.tv_nsec >= 1000000000L) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&g_cond, &g_lock, &ts);
  }
  room = g_live < MAX_LIVE;
  pthread_mutex_unlock(&g_lock);
  return room;
}

/* Accepts until a signal or the time limit. Polls with a short timeout
 * because the stop conditions are flags, not file descriptors. */
static void accept_loop(int lfd) {
  double deadline = now_seconds() + (double)g_opts.max_seconds;
  unsigned long next_id = 1;

  while (!g_signalled) {
    struct pollfd p = {lfd, POLLIN, 0};
    struct sockaddr_storage ss;
    socklen_t sslen = sizeof ss;
    int fd;

    if (g_opts.max_seconds > 0 && now_seconds() >= deadline)
      break;
    if (!wait_for_room())
      continue;
    if (poll(&p, 1, 200) <= 0)
      continue;
    fd = accept4(lfd, (struct sockaddr *)&ss, &sslen, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
        ts_log("accept: %s", strerror(errno));
      continue;
    }
    start_conn(fd, next_id++, &ss, sslen);
  }
}

/* Wakes every connection thread by shutting its socket down, then waits up
 * to 5 s for them to finish. Returns 1 if all did. */
static int stop_all(void) {
  struct timespec ts;
  int i;

  pthread_mutex_lock(&g_lock);
  g_stopping = 1;
  for (i = 0; i < MAX_LIVE; i++)
    if (g_live_fd[i] >= 0)
      shutdown(g_live_fd[i], SHUT_RDWR);
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_sec += 5;
  while (g_live > 0)
    if (pthread_cond_timedwait(&g_cond, &g_lock, &ts) == ETIMEDOUT)
      break;
  i = g_live == 0;
  pthread_mutex_unlock(&g_lock);
  return i;
}

static void on_signal(int sig) {
  (void)sig;
  atomic_store(&g_signalled, 1);
}

static void install_signals(void) {
  struct sigaction sa;

  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal; /* no SA_RESTART: poll() must return */
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  /* A peer that closes early must cost us an EPIPE, not the process. */
  signal(SIGPIPE, SIG_IGN);
}

int main(int argc, char **argv) {
  int lfd, i;

  for (i = 0; i < MAX_LIVE; i++)
    g_live_fd[i] = -1;
  if (parse_args(argc, argv) < 0)
    return 2;
  install_signals();
  ts_routes_init();
  if (!g_opts.plain && !(g_ctx = ts_tls_ctx_new(&g_opts)))
    return 1;
  lfd = open_listener();
  if (lfd < 0 || print_port(lfd) < 0) {
    SSL_CTX_free(g_ctx);
    return 1;
  }
  accept_loop(lfd);
  close(lfd);
  if (g_opts.unix_path)
    unlink(g_opts.unix_path);
  if (!stop_all()) {
    /* A thread is stuck; exiting normally would race OpenSSL's atexit
     * cleanup against it. */
    ts_log("stopping with connections still open");
    fflush(NULL);
    _exit(0);
  }
  SSL_CTX_free(g_ctx);
  ts_log("stopped");
  return 0;
}
