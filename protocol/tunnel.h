/* SPDX-License-Identifier: MIT */
/*
 * tunnel.h - a tunnel through a proxy, as the opener runs it between
 * connecting and the origin's TLS handshake: an exchange with the proxy
 * over the connection (proxy_connect.c for HTTP CONNECT; SOCKS5 and a
 * TLS proxy are more kinds of the same), stepped without waiting until
 * the proxy has opened the way to the origin. After it, the connection
 * carries the origin's bytes and nothing of the proxy's.
 */
#ifndef HTTPR_TUNNEL_H
#define HTTPR_TUNNEL_H

#include "common/error.h"
#include "protocol/transport.h"

struct hr_tunnel_ops {
  /* Moves the exchange on over c as far as it can now: HTTPR_OK with
   * *want POLLIN or POLLOUT while it waits for the connection, 0 once
   * the tunnel is open; else the failure, err filled. */
  httpr_code (*step)(void *state, struct hr_conn *c, short *want,
                     httpr_error *err);
  void (*free)(void *state);
};

struct hr_tunnel {
  const struct hr_tunnel_ops *ops; /* NULL: no tunnel */
  void *state;
};

/* Frees what t holds; a tunnel without ops is accepted. */
static inline void hr_tunnel_free(struct hr_tunnel *t) {
  if (t->ops)
    t->ops->free(t->state);
  t->ops = NULL;
  t->state = NULL;
}

#endif
