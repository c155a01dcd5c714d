/* SPDX-License-Identifier: MIT */
/*
 * socks5.h - a SOCKS5 client (RFC 1928) with username/password
 * authentication (RFC 1929) as a non-blocking codec: it makes the bytes of
 * the greeting, the authentication and the CONNECT request, and parses
 * each reply incrementally as bytes arrive, in any split. It never
 * consumes a byte past the CONNECT reply, so what follows belongs to the
 * tunnel (the origin's TLS). It never waits and does no I/O of its own:
 * either the caller moves the bytes (hr_socks5_output, hr_socks5_sent,
 * hr_socks5_feed), or hr_socks5_step moves them through the send/recv
 * callbacks of a struct hr_tls_io over a non-blocking socket and says
 * what it waits for.
 *
 * Every failure is HTTPR_E_PROXY with one line naming what went wrong, as
 * curl's CURLE_PROXY (its messages "Can't complete SOCKS5 connection to
 * ..."); bad caller strings (CR, LF, empty) are HTTPR_E_INVALID.
 */
#ifndef HTTPR_SOCKS5_H
#define HTTPR_SOCKS5_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "backends/provider.h" /* struct hr_tls_io */
#include "common/error.h"

/* RFC 1928 limits: a name (and RFC 1929 a username or password) has a
 * one-byte length. */
#define HR_SOCKS5_MAX_NAME 255

/* The reply codes of RFC 1928 section 6. */
enum hr_socks5_reply {
  HR_SOCKS5_SUCCEEDED = 0,
  HR_SOCKS5_GENERAL_FAILURE = 1,
  HR_SOCKS5_NOT_ALLOWED = 2,
  HR_SOCKS5_NETWORK_UNREACHABLE = 3,
  HR_SOCKS5_HOST_UNREACHABLE = 4,
  HR_SOCKS5_CONNECTION_REFUSED = 5,
  HR_SOCKS5_TTL_EXPIRED = 6,
  HR_SOCKS5_COMMAND_NOT_SUPPORTED = 7,
  HR_SOCKS5_ADDRESS_TYPE_NOT_SUPPORTED = 8
};

/* What to connect to and how. Strings are copied by hr_socks5_init. */
struct hr_socks5_params {
  /* The origin's host, no brackets around an IPv6 literal: the name sent
   * for proxy-side resolution (socks5h), and the name in messages. */
  const char *host;
  uint16_t port;
  /* socks5:// (resolved here): the origin's address, AF_INET or AF_INET6
   * (its port is ignored; `port` is sent). NULL for socks5h://: the proxy
   * resolves `host`, except that an address literal is sent as an address,
   * as curl does. */
  const struct sockaddr *addr;
  /* NULL: offer "no authentication" only. Otherwise also offer
   * username/password: user 1..255 bytes, password 0..255. */
  const char *user;
  const char *password;
};

enum hr_socks5_phase {
  HR_SOCKS5_SEND_GREETING = 0,
  HR_SOCKS5_RECV_METHOD,
  HR_SOCKS5_SEND_AUTH,
  HR_SOCKS5_RECV_AUTH,
  HR_SOCKS5_SEND_CONNECT,
  HR_SOCKS5_RECV_CONNECT,
  HR_SOCKS5_CONNECTED,
  HR_SOCKS5_FAILED
};

enum hr_socks5_status {
  HR_SOCKS5_DONE = 0,   /* the tunnel is open (hr_socks5_bound says where) */
  HR_SOCKS5_WANT_READ,  /* call again once the socket is readable */
  HR_SOCKS5_WANT_WRITE, /* call again once the socket is writable */
  HR_SOCKS5_ERROR       /* failed; err says why */
};

/* The address the proxy reports it connected from (BND.ADDR/BND.PORT). */
struct hr_socks5_bound {
  int family; /* AF_INET, AF_INET6, or 0 for a name */
  uint8_t addr[16];
  char name[HR_SOCKS5_MAX_NAME + 1];
  uint16_t port;
};

/* The longest messages: the auth request (1 + 1 + 255 + 1 + 255) and the
 * CONNECT reply (4 + 1 + 255 + 2). */
#define HR_SOCKS5_OUT_MAX 513
#define HR_SOCKS5_IN_MAX 262

/* One negotiation. Plain data: no allocation, nothing to free, but
 * hr_socks5_clear wipes the password. */
struct hr_socks5 {
  enum hr_socks5_phase phase;
  char host[HR_SOCKS5_MAX_NAME + 1];
  uint16_t port;
  int with_auth;
  uint8_t out[HR_SOCKS5_OUT_MAX]; /* the message being sent */
  size_t out_len, out_sent;
  uint8_t in[HR_SOCKS5_IN_MAX]; /* the reply being read */
  size_t in_have;
  uint8_t connect_req[4 + 1 + HR_SOCKS5_MAX_NAME + 2];
  size_t connect_len;
  char user[HR_SOCKS5_MAX_NAME + 1];
  char password[HR_SOCKS5_MAX_NAME + 1];
  int reply; /* the CONNECT reply's code, -1 before it */
  struct hr_socks5_bound bound;
};

/* Checks p and prepares the greeting. HTTPR_OK; HTTPR_E_INVALID for a NULL
 * or empty host, port 0, an address neither IPv4 nor IPv6, a control byte
 * in host, an empty user, or CR or LF in user or password; HTTPR_E_PROXY
 * for a name, user or password longer than 255 bytes (curl's
 * CURLPX_LONG_HOSTNAME and friends). */
httpr_code hr_socks5_init(struct hr_socks5 *s, const struct hr_socks5_params *p,
                          httpr_error *err);

/* Wipes the credentials and the messages holding them. */
void hr_socks5_clear(struct hr_socks5 *s);

/* The bytes to send now (*len 0: none; read a reply instead). Valid until
 * the next call on s. */
const uint8_t *hr_socks5_output(const struct hr_socks5 *s, size_t *len);

/* n bytes of hr_socks5_output were sent. */
void hr_socks5_sent(struct hr_socks5 *s, size_t n);

/* How many more bytes the reply being read needs at least (0 when nothing
 * is to be read now). Reading no more than this never takes the tunnel's
 * first bytes. */
size_t hr_socks5_need(const struct hr_socks5 *s);

/* Feeds bytes of the server's replies; *used says how many were taken (it
 * stops at the CONNECT reply's end). DONE once connected, WANT_READ when
 * more is needed, WANT_WRITE when a message is to be sent (output), ERROR
 * with err filled. */
enum hr_socks5_status hr_socks5_feed(struct hr_socks5 *s, const uint8_t *data,
                                     size_t len, size_t *used,
                                     httpr_error *err);

/* Moves the negotiation on through io, as far as the socket allows. */
enum hr_socks5_status hr_socks5_step(struct hr_socks5 *s,
                                     const struct hr_tls_io *io,
                                     httpr_error *err);

/* Once DONE: where the proxy connected from. */
const struct hr_socks5_bound *hr_socks5_bound(const struct hr_socks5 *s);

#endif
