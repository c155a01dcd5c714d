/* SPDX-License-Identifier: MIT */
/*
 * connect_race.h - connecting to one of several addresses of a name by
 * racing them, as RFC 8305 ("Happy Eyeballs v2") says: the addresses are
 * put in an order that alternates the address families, starting with the
 * family the resolver put first (IPv6 on most hosts); an attempt starts,
 * the next one starts HR_RACE_DELAY_MS later or as soon as the one before
 * fails, and the first socket to connect wins; the losers are closed.
 *
 * Non-blocking throughout: the race never waits. Its owner polls the
 * descriptors it lists for writability, tells it which are ready, and
 * calls it again when the next attempt is due.
 *
 * A race may also hold one AF_UNIX address (a Unix socket: the race of
 * one), and may bind each socket to a local address of its family
 * (local_addr.h) before it connects. transport.c drives it with
 * poll() for the blocking calls; an event loop can drive it the same way.
 */
#ifndef HTTPR_CONNECT_RACE_H
#define HTTPR_CONNECT_RACE_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "protocol/local_addr.h"

/* RFC 8305's recommended Connection Attempt Delay. */
#define HR_RACE_DELAY_MS 250
/* Addresses raced at most: the rest of a longer list is not tried. */
#define HR_RACE_MAX 16

struct hr_race_addr {
  struct sockaddr_storage sa;
  socklen_t len;
};

struct hr_race {
  struct hr_race_addr addr[HR_RACE_MAX];
  int fd[HR_RACE_MAX]; /* the attempt's socket, -1 before and after it */
  size_t count;        /* addresses, in the order they are tried */
  size_t started;      /* attempts started: addr[0 .. started-1] */
  int64_t next_due;    /* when the next attempt starts (ms, hr_now_ms) */
  int winner;          /* index of the address connected, or -1 */
  int last_errno;      /* why the last failed attempt failed */
  int last_failed;     /* its index, or -1 */
  int last_bind_failed; /* 1 when that attempt failed to bind locally */
  int bind_local;       /* bind each socket to local's address first */
  struct hr_local_addr local;
};

enum hr_race_state { HR_RACE_PENDING, HR_RACE_CONNECTED, HR_RACE_FAILED };

/* An empty race. */
void hr_race_init(struct hr_race *r);

/* Adds an address, in the resolver's order; beyond HR_RACE_MAX, or one
 * not AF_INET, AF_INET6 or AF_UNIX, it is left out. 1 when added, else
 * 0. */
int hr_race_add(struct hr_race *r, const struct sockaddr *sa, socklen_t len);

/* Binds every socket of an AF_INET or AF_INET6 attempt to l's address of
 * its family before it connects (l is copied). A bind that fails fails
 * the attempt, with last_bind_failed set. */
void hr_race_bind_local(struct hr_race *r, const struct hr_local_addr *l);

/* Reorders the addresses added so that the families alternate, starting
 * with the family of the first one, each family keeping its own order
 * (RFC 8305 section 4, with a First Address Family Count of 1). */
void hr_race_interleave(struct hr_race *r);

/* Moves the race on at time now (ms): reaps the attempts whose descriptor
 * `ready` lists as writable (or in error), then starts the next attempt
 * when it is due, or at once when none is in flight. ready may be NULL.
 * HR_RACE_CONNECTED: hr_race_take gives the socket. HR_RACE_FAILED: every
 * address failed (last_errno and last_failed say how the last did). */
enum hr_race_state hr_race_step(struct hr_race *r,
                                const struct pollfd *ready, size_t nready,
                                int64_t now);

/* The attempts in flight, as pollfds waiting for POLLOUT: at most
 * HR_RACE_MAX are written to out. Returns how many. */
size_t hr_race_pollfds(const struct hr_race *r, struct pollfd *out);

/* When hr_race_step must run again even if no descriptor is ready: the
 * next attempt's start, or INT64_MAX when every address is started. */
int64_t hr_race_wake_at(const struct hr_race *r);

/* The winner's socket (TCP_NODELAY set), the race keeping no hold on it;
 * its address in *addr. -1 when nothing connected. */
int hr_race_take(struct hr_race *r, const struct hr_race_addr **addr);

/* Closes every socket still open (the losers, or every attempt of a race
 * given up). The race may be stepped no more. */
void hr_race_close(struct hr_race *r);

/* The address i as text ("::1", "127.0.0.1") and its port; for a Unix
 * socket its path (cut to size, as curl's remote IP is) and port 0. */
void hr_race_addr_text(const struct hr_race_addr *a, char *ip, size_t size,
                       int *port);

#endif
