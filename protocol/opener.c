/* SPDX-License-Identifier: MIT */
/*
 * opener.c - opening a connection without waiting (opener.h): resolving,
 * the address race, the proxy's tunnel (for socks5://, the origin's
 * address looked up first), the TLS handshake, each a phase that a step
 * moves on from what poll reported; and hr_conn_open, the blocking open,
 * a poll loop over one opener.
 */
#include "protocol/opener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "backends/tls_errors.h"
#include "backends/verify_report.h"
#include "common/clock.h"
#include "protocol/outer_tls.h"
#include "protocol/proxy_connect.h"
#include "protocol/socks5_tunnel.h"

/* ---- the addresses ------------------------------------------------------- */

static const char *family_name(int family) {
  return family == AF_INET6 ? "IPv6" : "IPv4";
}

/* Adds an address to the race unless the family setting or the local end
 * (which has no address of its family) rules it out: those are counted,
 * to say why when none is left. */
static void add_address(struct hr_opener *o, const struct sockaddr *sa,
                        socklen_t len) {
  int family = sa->sa_family;
  if (o->p.family != AF_UNSPEC && family != o->p.family)
    o->left_out_family++;
  else if (o->race.bind_local && !hr_local_addr_has(&o->race.local, family))
    o->left_out_local = family;
  else
    hr_race_add(&o->race, sa, len);
}

/* Where the socket goes: the proxy, when there is one, else the origin. */
static const char *peer_host(const struct hr_opener *o) {
  return o->p.proxy ? o->p.proxy->host : o->p.host;
}

static int peer_port(const struct hr_opener *o) {
  return o->p.proxy ? o->p.proxy->port : o->p.port;
}

/* "proxy " before the peer's name in messages when it is the proxy. */
static const char *peer_role(const struct hr_opener *o) {
  return o->p.proxy ? "proxy " : "";
}

static void add_list(struct hr_opener *o, const struct addrinfo *list) {
  for (const struct addrinfo *ai = list; ai; ai = ai->ai_next)
    add_address(o, ai->ai_addr, ai->ai_addrlen);
}

/* Adds an address literal to the race: 1, or 0 when text is none. */
static int add_literal(struct hr_opener *o, const char *text,
                       const char *port) {
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
                           .ai_family = AF_UNSPEC,
                           .ai_flags = AI_NUMERICHOST};
  struct addrinfo *list = NULL;
  if (getaddrinfo(text, port, &hints, &list) != 0)
    return 0;
  add_list(o, list);
  freeaddrinfo(list);
  return 1;
}

/* The next of the pinned addresses (a comma list of literals, checked by
 * the config) from *at into one (cap bytes; "" for one too long), *at
 * moved past it: 1, or 0 at the list's end. */
static int next_pin(const char **at, char *one, size_t cap) {
  if (!**at)
    return 0;
  size_t len = strcspn(*at, ",");
  one[0] = '\0';
  if (len < cap) {
    memcpy(one, *at, len);
    one[len] = '\0';
  }
  *at += len + ((*at)[len] == ',');
  return 1;
}

/* The pinned addresses in their order. */
static void add_pins(struct hr_opener *o, const char *pins, const char *port) {
  char one[INET6_ADDRSTRLEN + 2];
  for (const char *at = pins; next_pin(&at, one, sizeof(one));) {
    if (one[0])
      add_literal(o, one, port);
  }
}

/* The Unix socket that replaces every address: 1, or 0 when its path is
 * too long for one. */
static int add_unix_socket(struct hr_opener *o, const char *path) {
  struct sockaddr_un su = {.sun_family = AF_UNIX};
  size_t len = strlen(path);
  if (len >= sizeof(su.sun_path))
    return 0;
  memcpy(su.sun_path, path, len + 1);
  return hr_race_add(&o->race, (const struct sockaddr *)&su, sizeof(su));
}

/* ---- failing ------------------------------------------------------------- */

/* The handshake ended: the provider stops recording, and the report, when
 * it says something, goes to its sink (deliver) before it is freed. */
static void report_ended(struct hr_opener *o, int deliver) {
  struct httpr_verify_report *r = o->report;
  if (!r)
    return;
  o->report = NULL;
  if (o->conn && o->conn->tls)
    o->p.provider->set_report(o->conn->tls, NULL);
  if (deliver && r->recorded)
    o->p.verify->fn(r, o->p.verify->ud);
  free(r);
}

/* Gives back everything and fails with rc (err already set). */
static httpr_code failed(struct hr_opener *o, httpr_code rc) {
  report_ended(o, 1);
  hr_opener_abort(o);
  o->phase = HR_OPEN_FAILED;
  return rc;
}

/* The connect deadline, or the total one when it comes first, ran out in
 * the phase named `what`. */
static httpr_code out_of_time(struct hr_opener *o, const char *what,
                              httpr_error *err) {
  if (o->p.connect_deadline <= o->p.total_deadline)
    hr_timed_out(err, o->p.connect_timeout_ms, what);
  else
    hr_timed_out(err, o->p.total_timeout_ms, "operation");
  return failed(o, HTTPR_E_TIMEOUT);
}

static int64_t deadline_of(const struct hr_opener *o) {
  return hr_deadline_min(o->p.connect_deadline, o->p.total_deadline);
}

/* Every address of `name` was left out (add_address): the local end has
 * none of their family (curl's exit 45), or none is of the family asked
 * for, which fails a name as unresolved (as curl: exit 6) and a literal
 * as unreachable. */
static httpr_code none_left(struct hr_opener *o, const char *name, int literal,
                            httpr_error *err) {
  const char *wanted = family_name(o->p.family);
  if (o->left_out_local) {
    hr_fail(err, HTTPR_E_INTERFACE,
            "failed binding local connection end: %s has no %s address to "
            "connect to %s from",
            o->p.local_end, family_name(o->left_out_local), name);
    hr_detail(err, "%s has only %s addresses", name,
              family_name(o->left_out_local));
    return failed(o, HTTPR_E_INTERFACE);
  }
  if (literal) {
    hr_fail(err, HTTPR_E_CONNECT,
            "failed to connect to %s port %d: not an %s address, and only "
            "%s is allowed",
            name, o->p.port, wanted, wanted);
    hr_detail(err, "the address family setting: %s only", wanted);
    return failed(o, HTTPR_E_CONNECT);
  }
  hr_fail(err, HTTPR_E_RESOLVE, "could not resolve host: %s", name);
  hr_detail(err, "no %s address among the %d found", wanted,
            o->left_out_family);
  return failed(o, HTTPR_E_RESOLVE);
}

/* revents of fd in ready, 0 when it is not there. */
static short events_of(int fd, const struct pollfd *ready, size_t n) {
  for (size_t i = 0; ready && i < n; i++) {
    if (ready[i].fd == fd)
      return ready[i].revents;
  }
  return 0;
}

/* ---- the phases ---------------------------------------------------------- */

static void to_connecting(struct hr_opener *o) {
  o->times.resolved = hr_now_s();
  hr_race_interleave(&o->race);
  o->phase = HR_OPEN_CONNECTING;
}

static httpr_code step_resolving(struct hr_opener *o, int64_t now,
                                 httpr_error *err) {
  if (!hr_resolve_done(o->job))
    return now >= deadline_of(o) ? out_of_time(o, "resolving", err) : HTTPR_OK;
  struct addrinfo *list = NULL;
  int rc = hr_resolve_finish(o->job, &list);
  o->job = NULL;
  if (rc == 0) {
    add_list(o, list);
    freeaddrinfo(list);
  }
  if (o->race.count > 0) {
    to_connecting(o);
    return HTTPR_OK;
  }
  if (rc == 0 && (o->left_out_family || o->left_out_local))
    return none_left(o, o->p.host, 0, err);
  if (rc == EAI_MEMORY)
    return failed(o, hr_nomem(err));
  httpr_code code = o->p.proxy ? HTTPR_E_RESOLVE_PROXY : HTTPR_E_RESOLVE;
  hr_fail(err, code, "could not resolve %s: %s", o->p.proxy ? "proxy" : "host",
          peer_host(o));
  hr_detail(err, "getaddrinfo: %s", rc ? gai_strerror(rc) : "no address");
  return failed(o, code);
}

/* Logs each attempt the race started since `from`, "Trying ADDR:PORT...". */
static void log_started(const struct hr_opener *o, size_t from) {
  for (size_t i = from; i < o->race.started; i++) {
    char ip[INET6_ADDRSTRLEN];
    int port;
    hr_race_addr_text(&o->race.addr[i], ip, sizeof(ip), &port);
    hr_debugf(o->p.debug, "Trying %s:%d...", ip, port);
  }
}

/* The way to the origin is open: TLS starts over it, or plain HTTP is
 * open. */
static httpr_code to_handshaking(struct hr_opener *o, httpr_error *err) {
  struct hr_conn *c = o->conn;
  if (!o->p.provider) {
    o->times.handshaken = o->times.connected;
    o->phase = HR_OPEN_DONE;
    return HTTPR_OK;
  }
  struct hr_tls_io io = hr_conn_socket_io(c);
  httpr_code rc = o->p.provider->connection_new(o->p.tls_ctx, o->p.host, &io,
                                                &c->tls, err);
  if (rc != HTTPR_OK)
    return failed(o, rc);
  if (o->p.verify && o->p.verify->fn && o->p.provider->set_report) {
    if (!(o->report = calloc(1, sizeof(*o->report))))
      return failed(o, hr_nomem(err));
    o->p.provider->set_report(c->tls, o->report);
  }
  /* A session that cannot be offered only costs a full handshake. */
  if (o->p.session && o->p.provider->session_import &&
      o->p.provider->session_import(c->tls, o->p.session) == 0)
    hr_debugf(o->p.debug, "Offering the saved TLS session");
  o->phase = HR_OPEN_HANDSHAKING;
  o->want = HR_TLS_DONE; /* not asked yet: the first step asks */
  return HTTPR_OK;
}

/* The race's last attempt could not bind its socket to the local end. */
static httpr_code bind_failed(struct hr_opener *o, int why, httpr_error *err) {
  const struct hr_race_addr *a = &o->race.addr[o->race.last_failed];
  char local[INET6_ADDRSTRLEN];
  hr_local_addr_text(&o->race.local, a->sa.ss_family, local, sizeof(local));
  hr_fail(err, HTTPR_E_INTERFACE,
          "failed binding local connection end to %s: %s", local,
          strerror(why));
  hr_detail(err, "bind(%s) for the local end %s: %s (errno %d)", local,
            o->p.local_end, strerror(why), why);
  return failed(o, HTTPR_E_INTERFACE);
}

/* ---- through a SOCKS5 proxy ---------------------------------------------- */

/* The SOCKS5 negotiation begins, for the origin's name (socks5h://) or
 * for addr, the address found for it here (socks5://). */
static httpr_code socks_start(struct hr_opener *o, const struct sockaddr *addr,
                              httpr_error *err) {
  const struct hr_proxy *px = o->p.proxy;
  struct hr_socks5_params sp = {
      .host = o->p.host,
      .port = (uint16_t)o->p.port,
      .addr = addr,
      /* an empty user name offers no authentication, as none at all */
      .user = px->user && px->user[0] ? px->user : NULL,
      .password = px->password,
  };
  httpr_code rc = hr_socks5_tunnel(&o->tunnel, &sp, o->p.debug, err);
  return rc == HTTPR_OK ? HTTPR_OK : failed(o, rc);
}

/* socks5:// and no address of the origin's to send: its name failed to
 * resolve here, as it would without a proxy (exit 6). */
static httpr_code socks_unresolved(struct hr_opener *o, int found,
                                   const char *why, httpr_error *err) {
  hr_fail(err, HTTPR_E_RESOLVE, "could not resolve host: %s", o->p.host);
  if (found)
    hr_detail(err, "no %s address among the %d found", family_name(o->p.family),
              found);
  else
    hr_detail(err,
              "%s (a socks5:// proxy gets an address: socks5h:// sends "
              "the name)",
              why);
  return failed(o, HTTPR_E_RESOLVE);
}

static int family_wanted(const struct hr_opener *o, int family) {
  return o->p.family == AF_UNSPEC || family == o->p.family;
}

/* The first address in list of the family asked for, as curl picks, goes
 * to the proxy; why says what left none, when list is empty. */
static httpr_code socks_first(struct hr_opener *o, const struct addrinfo *list,
                              const char *why, httpr_error *err) {
  int found = 0;
  for (const struct addrinfo *ai = list; ai; ai = ai->ai_next, found++) {
    if (family_wanted(o, ai->ai_family))
      return socks_start(o, ai->ai_addr, err);
  }
  return socks_unresolved(o, found, why, err);
}

/* socks5://: the origin's address from a pin of its host and port, its
 * host as an address literal, or else the resolver, whose job runs in
 * the tunneling phase (socks_resolving). */
static httpr_code socks_lookup(struct hr_opener *o, httpr_error *err) {
  char port[16], one[INET6_ADDRSTRLEN + 2];
  snprintf(port, sizeof(port), "%d", o->p.port);
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
                           .ai_family = AF_UNSPEC,
                           .ai_flags = AI_NUMERICHOST};
  struct addrinfo *list = NULL;
  int found = 0;
  for (const char *at = o->p.origin_pin;
       at && next_pin(&at, one, sizeof(one));) {
    if (!one[0] || getaddrinfo(one, port, &hints, &list) != 0)
      continue;
    int wanted = family_wanted(o, list->ai_family);
    httpr_code rc = wanted ? socks_start(o, list->ai_addr, err) : HTTPR_OK;
    freeaddrinfo(list);
    if (wanted)
      return rc;
    found++;
  }
  if (o->p.origin_pin)
    return socks_unresolved(o, found, "no usable pinned address", err);
  if (getaddrinfo(o->p.host, port, &hints, &list) == 0) {
    httpr_code rc = socks_first(o, list, "", err);
    freeaddrinfo(list);
    return rc;
  }
  o->job = hr_resolve_start(o->p.host, port);
  return o->job ? HTTPR_OK : failed(o, hr_nomem(err));
}

static httpr_code socks_resolving(struct hr_opener *o, int64_t now,
                                  httpr_error *err) {
  if (!hr_resolve_done(o->job))
    return now >= deadline_of(o) ? out_of_time(o, "resolving", err) : HTTPR_OK;
  struct addrinfo *list = NULL;
  int rc = hr_resolve_finish(o->job, &list);
  o->job = NULL;
  if (rc == EAI_MEMORY)
    return failed(o, hr_nomem(err));
  char why[128];
  snprintf(why, sizeof(why), "getaddrinfo: %s",
           rc ? gai_strerror(rc) : "no address");
  httpr_code code = socks_first(o, rc == 0 ? list : NULL, why, err);
  if (rc == 0)
    freeaddrinfo(list);
  return code;
}

/* The origin's "host:port" as CONNECT names it, brackets for IPv6. */
static void origin_authority(const struct hr_opener *o, char *out, size_t cap) {
  int ipv6 = strchr(o->p.host, ':') != NULL;
  snprintf(out, cap, "%s%s%s:%d", ipv6 ? "[" : "", o->p.host, ipv6 ? "]" : "",
           o->p.port);
}

/* TLS to an https:// proxy starts, verified for the proxy's name by the
 * proxy's context; the origin's verification report, pins and session
 * are not the proxy's. Its connection is c->outer from the start (its
 * own callbacks are the socket's, taken before). */
static httpr_code to_proxy_tls(struct hr_opener *o, httpr_error *err) {
  struct hr_conn *c = o->conn;
  struct hr_tls_io io = hr_conn_socket_io(c);
  httpr_code rc = o->p.proxy_provider->connection_new(
      o->p.proxy_tls_ctx, o->p.proxy->host, &io, &c->outer, err);
  if (rc != HTTPR_OK)
    return failed(o, rc);
  c->outer_provider = o->p.proxy_provider;
  o->to_proxy = 1;
  o->phase = HR_OPEN_HANDSHAKING;
  o->want = HR_TLS_DONE;
  return HTTPR_OK;
}

static httpr_code start_tunnel(struct hr_opener *o, httpr_error *err);

/* The socket connected: to the origin, or to the proxy, which opens the
 * tunnel first when asked. */
static httpr_code to_tunneling(struct hr_opener *o, httpr_error *err) {
  struct hr_conn *c = o->conn;
  const struct hr_race_addr *won = NULL;
  c->fd = hr_race_take(&o->race, &won);
  hr_race_close(&o->race);
  hr_race_addr_text(won, c->remote_ip, sizeof(c->remote_ip), &c->remote_port);
  if (o->p.unix_path)
    c->remote_port = o->p.port; /* a socket has none: the URL's, as curl */
  hr_debugf(o->p.debug, "Connected to %s (%s) port %d", peer_host(o),
            c->remote_ip, c->remote_port);
  o->times.connected = hr_now_s();
  if (o->p.proxy_provider)
    return to_proxy_tls(o, err); /* then start_tunnel */
  return start_tunnel(o, err);
}

/* Connected to the proxy (through its TLS for an https:// one), or to
 * the origin: the tunnel starts, or the origin's TLS. */
static httpr_code start_tunnel(struct hr_opener *o, httpr_error *err) {
  if (!o->p.proxy)
    return to_handshaking(o, err);
  o->phase = HR_OPEN_TUNNELING;
  o->tunnel_want = 0; /* not asked yet: the first step writes */
  switch (o->p.proxy->kind) {
  case HR_PROXY_SOCKS5:
    return socks_lookup(o, err);
  case HR_PROXY_SOCKS5H:
    return socks_start(o, NULL, err);
  default:
    break;
  }
  if (!o->p.tunnel)
    return to_handshaking(o, err);
  char authority[300];
  origin_authority(o, authority, sizeof(authority));
  httpr_code rc =
      hr_proxy_connect_tunnel(&o->tunnel, authority, o->p.proxy->authorization,
                              o->p.tunnel_head_max, o->p.debug, err);
  return rc == HTTPR_OK ? HTTPR_OK : failed(o, rc);
}

/* What the tunnel's phase is called when its time runs out. */
static const char *tunnel_phase(const struct hr_opener *o) {
  if (o->job)
    return "resolving";
  return hr_proxy_is_socks(o->p.proxy) ? "SOCKS5 proxy negotiation"
                                       : "proxy CONNECT";
}

static httpr_code step_tunneling(struct hr_opener *o,
                                 const struct pollfd *ready, size_t n,
                                 int64_t now, httpr_error *err) {
  if (o->job) {
    httpr_code rc = socks_resolving(o, now, err);
    if (rc != HTTPR_OK || o->job)
      return rc;
  }
  if (o->tunnel_want && events_of(o->conn->fd, ready, n) == 0)
    return now >= deadline_of(o) ? out_of_time(o, tunnel_phase(o), err)
                                 : HTTPR_OK;
  httpr_code rc =
      o->tunnel.ops->step(o->tunnel.state, o->conn, &o->tunnel_want, err);
  if (rc != HTTPR_OK)
    return failed(o, rc);
  if (o->tunnel_want)
    return now >= deadline_of(o) ? out_of_time(o, tunnel_phase(o), err)
                                 : HTTPR_OK;
  hr_tunnel_free(&o->tunnel);
  return to_handshaking(o, err);
}

static httpr_code step_connecting(struct hr_opener *o,
                                  const struct pollfd *ready, size_t n,
                                  int64_t now, httpr_error *err) {
  size_t before = o->race.started;
  enum hr_race_state st = hr_race_step(&o->race, ready, n, now);
  log_started(o, before);
  if (st == HR_RACE_CONNECTED)
    return to_tunneling(o, err);
  if (st == HR_RACE_FAILED) {
    int why = o->race.last_errno;
    char ip[INET6_ADDRSTRLEN] = "";
    int port;
    if (o->race.last_failed >= 0)
      hr_race_addr_text(&o->race.addr[o->race.last_failed], ip, sizeof(ip),
                        &port);
    if (o->race.last_bind_failed)
      return bind_failed(o, why, err);
    if (o->p.unix_path)
      hr_fail(err, HTTPR_E_CONNECT,
              "failed to connect to %s port %d through the Unix socket %s: "
              "%s",
              o->p.host, o->p.port, o->p.unix_path, strerror(why));
    else
      hr_fail(err, HTTPR_E_CONNECT, "failed to connect to %s%s port %d: %s",
              peer_role(o), peer_host(o), peer_port(o), strerror(why));
    hr_detail(err, "connect(%s): %s (errno %d)", ip, strerror(why), why);
    return failed(o, HTTPR_E_CONNECT);
  }
  return now >= deadline_of(o) ? out_of_time(o, "connection", err) : HTTPR_OK;
}

/* The server's leaf carries a pinned key (curl's --pinnedpubkey): checked
 * after the provider verified the chain, or with verification off. */
static httpr_code check_pinned_key(struct hr_opener *o, httpr_error *err) {
  const struct hr_tls_provider *p = o->p.provider;
  const unsigned char *der = NULL;
  size_t len = 0;
  if (p->peer_certificate(o->conn->tls, &der, &len) != 0)
    der = NULL;
  httpr_code rc = hr_pubkey_pins_check(o->p.pubkey_pins, der, len, p->sha256,
                                       err);
  if (rc == HTTPR_OK)
    hr_debugf(o->p.debug, "Server public key matches the pinned key");
  return rc;
}

/* The proxy's handshake failed: its message says so ("proxy certificate
 * verify failed: ..."), its code stays what an origin's would be. */
static httpr_code proxy_failed(struct hr_opener *o, httpr_error *err) {
  return failed(o, hr_prefix_message(err, "proxy "));
}

/* TLS to the proxy is done: it is under everything else now, and the
 * tunnel or the request to the proxy comes next. */
static httpr_code proxy_tls_done(struct hr_opener *o, httpr_error *err) {
  struct hr_conn *c = o->conn;
  struct hr_tls_info info;
  o->p.proxy_provider->info(c->outer, &info);
  hr_debugf(o->p.debug, "TLS connection to the proxy using %s / %s (%s)",
            info.version, info.cipher, o->p.proxy_provider->name);
  if (info.subject[0])
    hr_debugf(o->p.debug, "Proxy certificate subject: %s; issuer: %s",
              info.subject, info.issuer);
  o->to_proxy = 0;
  return start_tunnel(o, err);
}

static httpr_code step_handshaking(struct hr_opener *o,
                                   const struct pollfd *ready, size_t n,
                                   int64_t now, httpr_error *err) {
  struct hr_conn *c = o->conn;
  const struct hr_tls_provider *p =
      o->to_proxy ? o->p.proxy_provider : o->p.provider;
  if (o->want != HR_TLS_DONE && events_of(c->fd, ready, n) == 0)
    return now >= deadline_of(o) ? out_of_time(o, "TLS handshake", err)
                                 : HTTPR_OK;
  c->outer_want = 0;
  void *tls = o->to_proxy ? c->outer : c->tls;
  enum hr_tls_status st = hr_outer_want(c, p->handshake(tls, err));
  if (st == HR_TLS_WANT_READ || st == HR_TLS_WANT_WRITE) {
    o->want = st;
    return now >= deadline_of(o) ? out_of_time(o, "TLS handshake", err)
                                 : HTTPR_OK;
  }
  if (st == HR_TLS_ERROR && !err->code)
    hr_fail(err, HTTPR_E_TLS_HANDSHAKE, "TLS handshake failed");
  if (st == HR_TLS_ERROR && o->to_proxy)
    return proxy_failed(o, err);
  if (st == HR_TLS_CLOSED && o->to_proxy) {
    hr_closed_early(err, 1);
    return proxy_failed(o, err);
  }
  if (st == HR_TLS_ERROR)
    return failed(o, err->code);
  if (st == HR_TLS_CLOSED)
    return failed(o, hr_closed_early(err, 1));
  if (o->to_proxy)
    return proxy_tls_done(o, err);
  report_ended(o, 1);
  o->p.provider->info(c->tls, &c->info);
  hr_debugf(o->p.debug, "TLS connection using %s / %s (%s)", c->info.version,
            c->info.cipher, o->p.provider->name);
  hr_debugf(o->p.debug, "ALPN: %s", c->info.alpn[0] ? c->info.alpn : "none");
  if (c->info.subject[0])
    hr_debugf(o->p.debug, "Server certificate subject: %s; issuer: %s",
              c->info.subject, c->info.issuer);
  httpr_code rc = o->p.pubkey_pins ? check_pinned_key(o, err) : HTTPR_OK;
  if (rc != HTTPR_OK)
    return failed(o, rc);
  o->times.handshaken = hr_now_s();
  o->phase = HR_OPEN_DONE;
  return HTTPR_OK;
}

/* ---- the opener ---------------------------------------------------------- */

httpr_code hr_opener_start(struct hr_opener *o,
                           const struct hr_connect_params *p,
                           httpr_error *err) {
  memset(o, 0, sizeof(*o));
  o->p = *p;
  hr_race_init(&o->race);
  o->phase = HR_OPEN_RESOLVING;
  o->conn = calloc(1, sizeof(*o->conn));
  if (!o->conn)
    return failed(o, hr_nomem(err));
  o->conn->fd = -1;
  o->conn->provider = p->provider;
  char port[16];
  snprintf(port, sizeof(port), "%d", peer_port(o));
  if (p->unix_path) {
    if (!add_unix_socket(o, p->unix_path))
      return failed(o, hr_fail(err, HTTPR_E_INVALID,
                               "the Unix socket path is too long: %s",
                               p->unix_path));
    to_connecting(o);
    return hr_opener_step(o, NULL, 0, hr_now_ms(), err);
  }
  if (p->local_end) {
    struct hr_local_addr local;
    httpr_code rc = hr_local_addr_find(p->local_end, &local, err);
    if (rc != HTTPR_OK)
      return failed(o, rc);
    hr_race_bind_local(&o->race, &local);
  }
  if (p->pin_address) {
    add_pins(o, p->pin_address, port);
    if (o->race.count == 0 && (o->left_out_family || o->left_out_local))
      return none_left(o, p->host, 0, err);
    if (o->race.count == 0) {
      hr_fail(err, HTTPR_E_RESOLVE, "could not resolve host: %s",
              p->pin_address);
      return failed(o, HTTPR_E_RESOLVE);
    }
    to_connecting(o);
  } else if (add_literal(o, peer_host(o), port)) {
    if (o->race.count == 0)
      return none_left(o, peer_host(o), 1, err);
    to_connecting(o); /* an address literal needs no lookup */
  } else {
    o->job = hr_resolve_start(peer_host(o), port);
    if (!o->job)
      return failed(o, hr_nomem(err));
  }
  return hr_opener_step(o, NULL, 0, hr_now_ms(), err);
}

size_t hr_opener_pollfds(const struct hr_opener *o, struct pollfd *out,
                         int64_t *wake_at) {
  *wake_at = deadline_of(o);
  switch (o->phase) {
  case HR_OPEN_RESOLVING:
    out[0] = (struct pollfd){.fd = hr_resolve_fd(o->job), .events = POLLIN};
    return 1;
  case HR_OPEN_CONNECTING:
    *wake_at = hr_deadline_min(*wake_at, hr_race_wake_at(&o->race));
    return hr_race_pollfds(&o->race, out);
  case HR_OPEN_TUNNELING:
    if (o->job) { /* socks5://: the origin's name */
      out[0] = (struct pollfd){.fd = hr_resolve_fd(o->job), .events = POLLIN};
      return 1;
    }
    out[0] = (struct pollfd){
        .fd = o->conn->fd, .events = o->tunnel_want ? o->tunnel_want : POLLOUT};
    return 1;
  case HR_OPEN_HANDSHAKING:
    out[0] = (struct pollfd){
        .fd = o->conn->fd,
        .events = o->want == HR_TLS_WANT_WRITE ? POLLOUT : POLLIN};
    return 1;
  default:
    return 0;
  }
}

httpr_code hr_opener_step(struct hr_opener *o, const struct pollfd *ready,
                          size_t n, int64_t now, httpr_error *err) {
  httpr_code rc = HTTPR_OK;
  /* Each phase that ends at once lets the next one start in this step. */
  for (int phases = 0; phases < 5 && rc == HTTPR_OK; phases++) {
    enum hr_open_phase was = o->phase;
    if (was == HR_OPEN_RESOLVING)
      rc = step_resolving(o, now, err);
    else if (was == HR_OPEN_CONNECTING)
      rc = step_connecting(o, ready, n, now, err);
    else if (was == HR_OPEN_TUNNELING)
      rc = step_tunneling(o, ready, n, now, err);
    else if (was == HR_OPEN_HANDSHAKING)
      rc = step_handshaking(o, ready, n, now, err);
    if (o->phase == was || o->phase == HR_OPEN_DONE)
      break;
    ready = NULL; /* what poll said was about the phase that ended */
    n = 0;
  }
  return rc;
}

struct hr_conn *hr_opener_take(struct hr_opener *o) {
  struct hr_conn *c = o->phase == HR_OPEN_DONE ? o->conn : NULL;
  if (c)
    o->conn = NULL;
  return c;
}

void hr_opener_abort(struct hr_opener *o) {
  report_ended(o, 0);
  if (o->job)
    hr_resolve_abandon(o->job);
  o->job = NULL;
  hr_race_close(&o->race);
  hr_tunnel_free(&o->tunnel);
  if (o->conn)
    hr_conn_close(o->conn, 0);
  o->conn = NULL;
}

/* ---- the blocking open --------------------------------------------------- */

httpr_code hr_conn_open(const struct hr_connect_params *p, struct hr_conn **out,
                        struct hr_conn_times *times, httpr_error *err) {
  struct hr_opener o;
  httpr_code rc = hr_opener_start(&o, p, err);
  for (int rounds = 0;
       rc == HTTPR_OK && o.phase != HR_OPEN_DONE && rounds < 1000000;
       rounds++) {
    struct pollfd fds[HR_OPEN_MAX_FDS];
    int64_t wake;
    size_t n = hr_opener_pollfds(&o, fds, &wake);
    int64_t left = wake - hr_now_ms();
    int got = poll(fds, n, left > 60000 ? 60000 : left < 0 ? 0 : (int)left);
    rc = hr_opener_step(&o, fds, got > 0 ? n : 0, hr_now_ms(), err);
  }
  if (rc != HTTPR_OK)
    return rc;
  if (o.phase != HR_OPEN_DONE) {
    hr_opener_abort(&o);
    return hr_fail(err, HTTPR_E_CONNECT, "the connection did not open");
  }
  *times = o.times;
  *out = hr_opener_take(&o);
  return HTTPR_OK;
}
