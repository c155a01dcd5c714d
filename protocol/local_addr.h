/* SPDX-License-Identifier: MIT */
/*
 * local_addr.h - where a connection's own end is bound before it connects
 * (curl's --interface): the setting names an interface ("lo", or
 * "if!lo") or a local address literal ("127.0.0.1", or "host!::1"), and
 * this finds, once per connection, the local address of each family to
 * bind a socket of that family to. An interface gives its addresses
 * (getifaddrs: the first of each family, a global IPv6 one before a
 * link-local one); binding to them leaves the route to the kernel, so the
 * device itself is not forced (no SO_BINDTODEVICE, which needs
 * CAP_NET_RAW). Host names are not resolved here: resolving would block.
 */
#ifndef HTTPR_LOCAL_ADDR_H
#define HTTPR_LOCAL_ADDR_H

#include <netinet/in.h>
#include <sys/socket.h>

#include "common/error.h"

struct hr_local_addr {
  int has_v4, has_v6;
  struct sockaddr_in v4; /* port 0 */
  struct sockaddr_in6 v6;
};

/* The local addresses the setting spec names, in *out. HTTPR_OK, or
 * HTTPR_E_INTERFACE "failed binding local connection end: ..." naming
 * spec when it is no interface and no address literal, or an interface
 * without an IPv4 or IPv6 address. */
httpr_code hr_local_addr_find(const char *spec, struct hr_local_addr *out,
                              httpr_error *err);

/* 1 when l has an address of family (AF_INET, AF_INET6), else 0. */
int hr_local_addr_has(const struct hr_local_addr *l, int family);

/* Binds fd, a socket of family, to l's address of that family: 0, or an
 * errno value (EAFNOSUPPORT when l has none of that family). */
int hr_local_addr_bind(const struct hr_local_addr *l, int fd, int family);

/* l's address of family as text, "" when it has none. */
void hr_local_addr_text(const struct hr_local_addr *l, int family, char *out,
                        size_t size);

#endif
