/* SPDX-License-Identifier: MIT */
/*
 * socks5_tunnel.c - the SOCKS5 tunnel (socks5_tunnel.h): the codec does
 * the protocol; this file gives it the socket and turns its status into
 * what the opener polls for.
 */
#include "protocol/socks5_tunnel.h"

#include <arpa/inet.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

struct socks5_state {
  struct hr_socks5 codec;
  const struct hr_debug *debug;
};

static void socks5_free(void *state) {
  struct socks5_state *s = state;
  if (!s)
    return;
  hr_socks5_clear(&s->codec); /* the password */
  free(s);
}

static httpr_code socks5_step(void *state, struct hr_conn *c, short *want,
                              httpr_error *err) {
  struct socks5_state *s = state;
  struct hr_tls_io io = hr_conn_socket_io(c);
  switch (hr_socks5_step(&s->codec, &io, err)) {
  case HR_SOCKS5_DONE:
    *want = 0;
    hr_debugf(s->debug, "SOCKS5 request granted");
    return HTTPR_OK;
  case HR_SOCKS5_WANT_READ:
    *want = POLLIN;
    return HTTPR_OK;
  case HR_SOCKS5_WANT_WRITE:
    *want = POLLOUT;
    return HTTPR_OK;
  default:
    return err->code ? err->code : HTTPR_E_PROXY;
  }
}

static const struct hr_tunnel_ops socks5_ops = {.step = socks5_step,
                                                .free = socks5_free};

/* The debug line of what is asked for: the name, or the address. */
static void say_request(const struct hr_socks5_params *p,
                        const struct hr_debug *debug) {
  if (!p->addr) {
    int v6 = strchr(p->host, ':') != NULL;
    hr_debugf(debug, "SOCKS5 connect to %s%s%s:%u (remotely resolved)",
              v6 ? "[" : "", p->host, v6 ? "]" : "", (unsigned)p->port);
    return;
  }
  char ip[INET6_ADDRSTRLEN] = "";
  int v6 = p->addr->sa_family == AF_INET6;
  const void *sa = p->addr;
  const void *bytes =
      v6 ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
         : (const void *)&((const struct sockaddr_in *)sa)->sin_addr;
  inet_ntop(p->addr->sa_family, bytes, ip, sizeof(ip));
  hr_debugf(debug, "SOCKS5 connect to %s %s%s%s:%u (locally resolved)",
            v6 ? "IPv6" : "IPv4", v6 ? "[" : "", ip, v6 ? "]" : "",
            (unsigned)p->port);
}

httpr_code hr_socks5_tunnel(struct hr_tunnel *t,
                            const struct hr_socks5_params *p,
                            const struct hr_debug *debug, httpr_error *err) {
  struct socks5_state *s = calloc(1, sizeof(*s));
  if (!s)
    return hr_nomem(err);
  httpr_code rc = hr_socks5_init(&s->codec, p, err);
  if (rc != HTTPR_OK) {
    socks5_free(s);
    return rc;
  }
  s->debug = debug;
  say_request(p, debug);
  t->ops = &socks5_ops;
  t->state = s;
  return HTTPR_OK;
}
