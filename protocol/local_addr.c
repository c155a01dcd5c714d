/* SPDX-License-Identifier: MIT */
/*
 * local_addr.c - the local addresses an --interface setting names
 * (local_addr.h): an address literal, or an interface's addresses read
 * with getifaddrs.
 */
#include "protocol/local_addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <string.h>

#define PREFIX_IF "if!"
#define PREFIX_HOST "host!"

/* text as an IPv4 or IPv6 literal in *out: 1, or 0 when it is none. */
static int from_literal(const char *text, struct hr_local_addr *out) {
  if (inet_pton(AF_INET, text, &out->v4.sin_addr) == 1) {
    out->v4.sin_family = AF_INET;
    out->has_v4 = 1;
    return 1;
  }
  if (inet_pton(AF_INET6, text, &out->v6.sin6_addr) == 1) {
    out->v6.sin6_family = AF_INET6;
    out->has_v6 = 1;
    return 1;
  }
  return 0;
}

static int link_local(const struct sockaddr_in6 *a) {
  return IN6_IS_ADDR_LINKLOCAL(&a->sin6_addr);
}

/* The first address of each family of the interface name (a global IPv6
 * one before a link-local one): 1 when the interface has any, else 0. */
static int from_interface(const char *name, struct hr_local_addr *out) {
  struct ifaddrs *list = NULL;
  if (getifaddrs(&list) != 0)
    return 0;
  for (const struct ifaddrs *i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr || strcmp(i->ifa_name, name) != 0)
      continue;
    if (i->ifa_addr->sa_family == AF_INET && !out->has_v4) {
      memcpy(&out->v4, i->ifa_addr, sizeof(out->v4));
      out->v4.sin_port = 0;
      out->has_v4 = 1;
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      const struct sockaddr_in6 *a = (const void *)i->ifa_addr;
      if (out->has_v6 && !(link_local(&out->v6) && !link_local(a)))
        continue;
      memcpy(&out->v6, a, sizeof(out->v6));
      out->v6.sin6_port = 0;
      out->has_v6 = 1;
    }
  }
  freeifaddrs(list);
  return out->has_v4 || out->has_v6;
}

httpr_code hr_local_addr_find(const char *spec, struct hr_local_addr *out,
                              httpr_error *err) {
  memset(out, 0, sizeof(*out));
  const char *name = spec;
  int interface_only = 0, address_only = 0;
  if (strncmp(spec, PREFIX_IF, strlen(PREFIX_IF)) == 0) {
    name += strlen(PREFIX_IF);
    interface_only = 1;
  } else if (strncmp(spec, PREFIX_HOST, strlen(PREFIX_HOST)) == 0) {
    name += strlen(PREFIX_HOST);
    address_only = 1;
  }
  if (!interface_only && from_literal(name, out))
    return HTTPR_OK;
  if (!address_only && from_interface(name, out))
    return HTTPR_OK;
  if (!address_only && if_nametoindex(name) != 0)
    hr_fail(err, HTTPR_E_INTERFACE,
            "failed binding local connection end: interface '%s' has no "
            "address",
            name);
  else if (interface_only)
    hr_fail(err, HTTPR_E_INTERFACE,
            "failed binding local connection end: no interface '%s'", name);
  else if (address_only)
    hr_fail(err, HTTPR_E_INTERFACE,
            "failed binding local connection end: '%s' is not a local "
            "address literal",
            name);
  else
    hr_fail(err, HTTPR_E_INTERFACE,
            "failed binding local connection end: no interface or address "
            "'%s'",
            name);
  hr_detail(err, "the local end setting: %s", spec);
  return HTTPR_E_INTERFACE;
}

int hr_local_addr_has(const struct hr_local_addr *l, int family) {
  return family == AF_INET ? l->has_v4 : family == AF_INET6 ? l->has_v6 : 0;
}

int hr_local_addr_bind(const struct hr_local_addr *l, int fd, int family) {
  if (!hr_local_addr_has(l, family))
    return EAFNOSUPPORT;
  const struct sockaddr *sa =
      family == AF_INET ? (const void *)&l->v4 : (const void *)&l->v6;
  socklen_t len = family == AF_INET ? sizeof(l->v4) : sizeof(l->v6);
  return bind(fd, sa, len) == 0 ? 0 : errno;
}

void hr_local_addr_text(const struct hr_local_addr *l, int family, char *out,
                        size_t size) {
  out[0] = '\0';
  if (family == AF_INET && l->has_v4)
    inet_ntop(AF_INET, &l->v4.sin_addr, out, (socklen_t)size);
  else if (family == AF_INET6 && l->has_v6)
    inet_ntop(AF_INET6, &l->v6.sin6_addr, out, (socklen_t)size);
}
