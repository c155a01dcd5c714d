/* SPDX-License-Identifier: MIT */
/*
 * opener.h - opening a connection as a state machine that never waits:
 * resolving (resolver.c, skipped for an address literal, a pin or a Unix
 * socket), then connecting (the RFC 8305 race of connect_race.c, over
 * the addresses of the family asked for, each socket bound to the local
 * end first when one is set), then, through a proxy, the tunnel
 * (tunnel.h: an HTTP CONNECT, or a SOCKS5 negotiation, which for
 * socks5:// first looks up the origin's address as resolving does),
 * then the TLS handshake through the provider. Its owner
 * polls the descriptors it
 * lists, steps it with what poll reported, and gets the connection once
 * it is open. Every limit is checked by the step itself: the connect
 * deadline, or the total one when it comes first.
 *
 * hr_conn_open (transport.h) is the blocking open: a poll loop over one
 * opener on the caller's thread. An event loop drives openers the same
 * way, many at once.
 */
#ifndef HTTPR_OPENER_H
#define HTTPR_OPENER_H

#include <poll.h>
#include <stdint.h>

#include "protocol/connect_race.h"
#include "protocol/resolver.h"
#include "protocol/transport.h"
#include "protocol/tunnel.h"

enum hr_open_phase {
  HR_OPEN_RESOLVING,
  HR_OPEN_CONNECTING,
  HR_OPEN_TUNNELING, /* through a proxy (tunnel.h) */
  HR_OPEN_HANDSHAKING,
  HR_OPEN_DONE,
  HR_OPEN_FAILED
};

/* Most descriptors an opener waits on at once (a race's attempts). */
#define HR_OPEN_MAX_FDS HR_RACE_MAX

struct hr_opener {
  struct hr_connect_params p; /* its strings stay the caller's */
  enum hr_open_phase phase;
  struct hr_resolve_job *job;   /* while resolving (the proxy's or the
                                   origin's name), or tunneling through a
                                   socks5:// proxy (the origin's) */
  struct hr_race race;          /* while connecting */
  /* Addresses left out of the race: how many by the family setting, and
   * the family of the last one the local end has no address for (0:
   * none). */
  int left_out_family;
  int left_out_local;
  struct hr_conn *conn;         /* from the start; the socket once won */
  enum hr_tls_status want;      /* while handshaking: what the TLS waits for */
  int to_proxy;                 /* handshaking with an https:// proxy */
  struct hr_tunnel tunnel;      /* while tunneling */
  short tunnel_want;            /* what the tunnel waits for (POLLIN...) */
  struct hr_conn_times times;   /* each phase's end (hr_now_s) */
  /* While handshaking, when p.verify asks for one: what the provider
   * records of its verification, handed to p.verify once the handshake
   * ends, either way. */
  struct httpr_verify_report *report;
};

/* Starts opening a connection with p (copied; the strings and objects it
 * points to must outlive the opener). It may already be done or failed
 * when this returns: see o->phase. HTTPR_OK, or the failure (then
 * o->phase is HR_OPEN_FAILED and nothing is left to clean up). */
httpr_code hr_opener_start(struct hr_opener *o,
                           const struct hr_connect_params *p,
                           httpr_error *err);

/* What the opener waits for now: at most HR_OPEN_MAX_FDS pollfds in out,
 * and in *wake_at (ms, hr_now_ms) when it must be stepped even if none is
 * ready (a deadline, the race's next attempt). Returns how many. */
size_t hr_opener_pollfds(const struct hr_opener *o, struct pollfd *out,
                         int64_t *wake_at);

/* Moves the opener on with what poll reported in ready[0..n-1] (which may
 * be empty) at time now: HTTPR_OK while it is open or still opening (see
 * o->phase), else the failure, with o->phase HR_OPEN_FAILED and every
 * resource given back. */
httpr_code hr_opener_step(struct hr_opener *o, const struct pollfd *ready,
                          size_t n, int64_t now, httpr_error *err);

/* The open connection, once o->phase is HR_OPEN_DONE; the opener keeps
 * nothing. */
struct hr_conn *hr_opener_take(struct hr_opener *o);

/* Gives up an opener that is not done: closes and frees what it holds. */
void hr_opener_abort(struct hr_opener *o);

#endif
