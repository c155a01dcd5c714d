/* SPDX-License-Identifier: MIT */
/*
 * transport.h - one connection to a server: opening it (opener.h:
 * resolution, the RFC 8305 address race, the TLS handshake), TLS over it
 * through the provider interface, and reads and writes that never wait
 * (their owner polls). Knows nothing of HTTP.
 */
#ifndef HTTPR_TRANSPORT_H
#define HTTPR_TRANSPORT_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "backends/provider.h"
#include "backends/pubkey_pin.h"
#include "common/error.h"
#include "protocol/bounds.h"
#include "protocol/proxy_url.h"

/* Emits one debug event (see httpr_debug_cb); fn may be NULL. */
struct hr_debug {
  httpr_debug_cb fn;
  void *ud;
};
void hr_debugf(const struct hr_debug *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Where the report of a new connection's verification of the server
 * goes (httpr_verify_report_cb); without a sink nothing is recorded. */
struct hr_verify_sink {
  httpr_verify_report_cb fn;
  void *ud;
};

struct hr_conn {
  int fd;
  const struct hr_tls_provider *provider; /* NULL for plain HTTP */
  void *tls;                              /* the provider's connection */
  struct hr_tls_info info;                /* valid when tls != NULL */
  char remote_ip[INET6_ADDRSTRLEN];
  int remote_port;
  char *read_buf; /* HR_READ_CHUNK bytes, kept across requests */
  /* TLS to an https:// proxy (NULL: none), the provider's connection
   * under everything else: the tunnel's exchange, plain HTTP to the
   * proxy, and tls (the origin's TLS inside it) read and write through
   * it (hr_conn_socket_io). outer_want is what the outer layer last
   * waited for, HR_TLS_WANT_READ or _WRITE (0: nothing): the inner
   * layer, which only sees "would block", waits for that instead. */
  const struct hr_tls_provider *outer_provider;
  void *outer;
  enum hr_tls_status outer_want;
  char *outer_pending; /* inner bytes the outer layer still has to send */
  size_t outer_pending_len;
};

/* Size of a connection's read buffer (one TLS record's worth of data). */
#define HR_READ_CHUNK (16 * 1024)

struct hr_connect_params {
  const char *host; /* from the URL; SNI and identity use it */
  int port;
  const char *pin_address; /* connect here instead of resolving, or NULL */
  /* How to connect: only addresses of family (AF_UNSPEC: any, AF_INET,
   * AF_INET6) are raced; each socket is first bound to the local end
   * (protocol/local_addr.h) when it is not NULL; a Unix socket path, when
   * not NULL, replaces all of that and the address (host and port stay
   * the URL's, for TLS and the request). */
  int family;
  const char *local_end;
  const char *unix_path;
  const struct hr_tls_provider *provider; /* NULL: plain TCP */
  void *tls_ctx;
  void *session; /* a saved session to offer (provider object), or NULL */
  /* The public keys the server may have (backends/pubkey_pin.h), checked
   * once the handshake is done; NULL: any. */
  const struct hr_pubkey_pins *pubkey_pins;
  int64_t connect_deadline; /* for resolve + connect + handshake */
  int64_t total_deadline;
  long connect_timeout_ms; /* for messages */
  long total_timeout_ms;
  const struct hr_debug *debug;
  const struct hr_verify_sink *verify; /* NULL: no report */
  /* Through a proxy (NULL: direct): the socket goes to proxy's host and
   * port (pin_address, if any, is the proxy's). An HTTP proxy with
   * tunnel gets a CONNECT to host:port (a reply head of at most
   * tunnel_head_max bytes) before the TLS handshake with host; a SOCKS5
   * proxy always opens a tunnel, to host by name (socks5h://) or to its
   * address found here (socks5://: from origin_pin, host's pinned
   * addresses, when not NULL, else resolved, of the family asked for). */
  const struct hr_proxy *proxy;
  int tunnel;
  size_t tunnel_head_max;
  const char *origin_pin;
  /* For an https:// proxy: TLS to it, with this provider and context
   * (verified for proxy's host), comes first. NULL: none. */
  const struct hr_tls_provider *proxy_provider;
  void *proxy_tls_ctx;
};

/* Times (seconds, hr_now_s clock) at which each phase finished. */
struct hr_conn_times {
  double resolved, connected, handshaken;
};

/* Opens a connection, waiting on the caller's thread: a poll loop over one
 * opener (opener.h, where it is defined). Errors: HTTPR_E_RESOLVE,
 * HTTPR_E_CONNECT, HTTPR_E_INTERFACE, HTTPR_E_TIMEOUT, the provider's
 * handshake codes, HTTPR_E_NOMEM. */
httpr_code hr_conn_open(const struct hr_connect_params *p, struct hr_conn **out,
                        struct hr_conn_times *times, httpr_error *err);

/* The provider's I/O callbacks for the connection's TLS: over the TLS to
 * the proxy when there is one (c->outer), else over the socket. */
struct hr_tls_io hr_conn_socket_io(struct hr_conn *c);

/* Fails err with HTTPR_E_TIMEOUT, "WHAT timed out after MS milliseconds":
 * `what` names the phase, or "operation" for the total limit. */
httpr_code hr_timed_out(httpr_error *err, long timeout_ms, const char *what);

/* Reading and writing, never waiting: each moves what it can now,
 * *moved bytes, or 0 with *want set to the poll event to wait for
 * (POLLIN / POLLOUT). hr_conn_try_read reports a clean end of stream (TCP
 * EOF for plain HTTP, close_notify for TLS) as 0 bytes with *want 0.
 * Errors: HTTPR_E_SEND / HTTPR_E_RECV, the provider's codes, alerts as
 * HTTPR_E_TLS_HANDSHAKE. After a try_write that moved nothing, the next
 * one must pass the same bytes (TLS libraries require it). */
httpr_code hr_conn_try_read(struct hr_conn *c, void *buf, size_t cap,
                            size_t *moved, short *want, httpr_error *err);
httpr_code hr_conn_try_write(struct hr_conn *c, const void *buf, size_t len,
                             size_t *moved, short *want, httpr_error *err);

/* 1 when an idle connection can carry another request: the peer has not
 * closed it, sent close_notify or sent unexpected bytes. Never blocks. */
int hr_conn_is_alive(struct hr_conn *c);

/* Closes the connection; with graceful, first tries (without waiting) to
 * send close_notify. NULL is accepted. */
void hr_conn_close(struct hr_conn *c, int graceful);

#endif
