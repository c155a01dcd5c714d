/* SPDX-License-Identifier: MIT */
/*
 * connect_race.c - RFC 8305 connection racing over a list of addresses
 * (connect_race.h): non-blocking connects started one after another, the
 * first to connect wins.
 */
#include "protocol/connect_race.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/fd_release.h"

void hr_race_init(struct hr_race *r) {
  memset(r, 0, sizeof(*r));
  for (size_t i = 0; i < HR_RACE_MAX; i++)
    r->fd[i] = -1;
  r->winner = -1;
  r->last_failed = -1;
  r->last_errno = ECONNREFUSED;
}

int hr_race_add(struct hr_race *r, const struct sockaddr *sa, socklen_t len) {
  if (r->count == HR_RACE_MAX || len > sizeof(r->addr[0].sa) ||
      (sa->sa_family != AF_INET && sa->sa_family != AF_INET6 &&
       sa->sa_family != AF_UNIX))
    return 0;
  memcpy(&r->addr[r->count].sa, sa, len);
  r->addr[r->count].len = len;
  r->count++;
  return 1;
}

void hr_race_bind_local(struct hr_race *r, const struct hr_local_addr *l) {
  r->local = *l;
  r->bind_local = 1;
}

static int family_of(const struct hr_race_addr *a) { return a->sa.ss_family; }

void hr_race_interleave(struct hr_race *r) {
  if (r->count < 3)
    return; /* two addresses alternate, or share a family, as they are */
  struct hr_race_addr first[HR_RACE_MAX], other[HR_RACE_MAX];
  size_t nfirst = 0, nother = 0;
  int fam = family_of(&r->addr[0]);
  for (size_t i = 0; i < r->count; i++) {
    if (family_of(&r->addr[i]) == fam)
      first[nfirst++] = r->addr[i];
    else
      other[nother++] = r->addr[i];
  }
  size_t out = 0;
  for (size_t i = 0; out < r->count; i++) {
    if (i < nfirst)
      r->addr[out++] = first[i];
    if (i < nother)
      r->addr[out++] = other[i];
  }
}

static size_t in_flight(const struct hr_race *r) {
  size_t n = 0;
  for (size_t i = 0; i < r->started; i++)
    n += r->fd[i] >= 0;
  return n;
}

static void failed(struct hr_race *r, size_t i, int why) {
  if (r->fd[i] >= 0) {
    hr_fd_release(r->fd[i]);
    close(r->fd[i]);
  }
  r->fd[i] = -1;
  r->last_errno = why;
  r->last_failed = (int)i;
  r->last_bind_failed = 0;
}

/* Starts the attempt for address i: connected at once (loopback can), in
 * progress, or failed. */
static void start(struct hr_race *r, size_t i) {
  const struct hr_race_addr *a = &r->addr[i];
  int fd = socket(a->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                  0);
  if (fd < 0) {
    failed(r, i, errno);
    return;
  }
  r->fd[i] = fd;
  int why = r->bind_local && a->sa.ss_family != AF_UNIX
                ? hr_local_addr_bind(&r->local, fd, a->sa.ss_family)
                : 0;
  if (why != 0) {
    failed(r, i, why);
    r->last_bind_failed = 1;
    return;
  }
  /* A Unix socket whose backlog is full says EAGAIN: a failure too. */
  if (connect(fd, (const struct sockaddr *)&a->sa, a->len) == 0)
    r->winner = (int)i;
  else if (errno != EINPROGRESS)
    failed(r, i, errno);
}

/* An attempt whose socket poll reported: connected, or failed. */
static void reap(struct hr_race *r, size_t i) {
  int soerr = 0;
  socklen_t len = sizeof(soerr);
  if (getsockopt(r->fd[i], SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
    soerr = errno;
  if (soerr == 0)
    r->winner = (int)i;
  else
    failed(r, i, soerr);
}

enum hr_race_state hr_race_step(struct hr_race *r,
                                const struct pollfd *ready, size_t nready,
                                int64_t now) {
  for (size_t k = 0; ready && k < nready && r->winner < 0; k++) {
    if (!(ready[k].revents & (POLLOUT | POLLERR | POLLHUP)))
      continue;
    for (size_t i = 0; i < r->started; i++) {
      if (r->fd[i] >= 0 && r->fd[i] == ready[k].fd)
        reap(r, i);
    }
  }
  /* A failure starts the next attempt at once (RFC 8305 section 5); so
   * does an empty field, or the delay running out. */
  while (r->winner < 0 && r->started < r->count &&
         (in_flight(r) == 0 || now >= r->next_due)) {
    start(r, r->started++);
    r->next_due = now + HR_RACE_DELAY_MS;
  }
  if (r->winner >= 0)
    return HR_RACE_CONNECTED;
  if (r->started == r->count && in_flight(r) == 0)
    return HR_RACE_FAILED;
  return HR_RACE_PENDING;
}

size_t hr_race_pollfds(const struct hr_race *r, struct pollfd *out) {
  size_t n = 0;
  for (size_t i = 0; i < r->started; i++) {
    if (r->fd[i] >= 0)
      out[n++] = (struct pollfd){.fd = r->fd[i], .events = POLLOUT};
  }
  return n;
}

int64_t hr_race_wake_at(const struct hr_race *r) {
  return r->started < r->count ? r->next_due : INT64_MAX;
}

int hr_race_take(struct hr_race *r, const struct hr_race_addr **addr) {
  if (r->winner < 0 || r->fd[r->winner] < 0)
    return -1;
  int fd = r->fd[r->winner];
  r->fd[r->winner] = -1;
  int one = 1;
  if (r->addr[r->winner].sa.ss_family != AF_UNIX)
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (addr)
    *addr = &r->addr[r->winner];
  return fd;
}

void hr_race_close(struct hr_race *r) {
  for (size_t i = 0; i < r->started; i++) {
    if (r->fd[i] >= 0) {
      hr_fd_release(r->fd[i]);
      close(r->fd[i]);
    }
    r->fd[i] = -1;
  }
  r->started = r->count;
}

void hr_race_addr_text(const struct hr_race_addr *a, char *ip, size_t size,
                       int *port) {
  if (a->sa.ss_family == AF_UNIX) {
    const struct sockaddr_un *su = (const void *)&a->sa;
    snprintf(ip, size, "%s", su->sun_path);
    *port = 0;
  } else if (a->sa.ss_family == AF_INET6) {
    const struct sockaddr_in6 *s6 = (const void *)&a->sa;
    inet_ntop(AF_INET6, &s6->sin6_addr, ip, (socklen_t)size);
    *port = ntohs(s6->sin6_port);
  } else {
    const struct sockaddr_in *s4 = (const void *)&a->sa;
    inet_ntop(AF_INET, &s4->sin_addr, ip, (socklen_t)size);
    *port = ntohs(s4->sin_port);
  }
}
