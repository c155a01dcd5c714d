/* SPDX-License-Identifier: MIT */
/*
 * socks5.c - the SOCKS5 client negotiation (RFC 1928, RFC 1929) as a
 * codec: messages out, replies parsed as they arrive, no I/O but through
 * the caller's callbacks in hr_socks5_step. See socks5.h.
 */
#include "protocol/socks5.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "common/wipe.h"

#define SOCKS_VERSION 0x05
#define AUTH_VERSION 0x01 /* RFC 1929's sub-negotiation version */
#define METHOD_NONE 0x00
#define METHOD_USERPASS 0x02
#define METHOD_NO_ACCEPTABLE 0xff
#define CMD_CONNECT 0x01
#define ATYP_IPV4 0x01
#define ATYP_NAME 0x03
#define ATYP_IPV6 0x04

static const char *reply_text(int code) {
  switch (code) {
  case HR_SOCKS5_GENERAL_FAILURE:
    return "general SOCKS server failure";
  case HR_SOCKS5_NOT_ALLOWED:
    return "connection not allowed by ruleset";
  case HR_SOCKS5_NETWORK_UNREACHABLE:
    return "network unreachable";
  case HR_SOCKS5_HOST_UNREACHABLE:
    return "host unreachable";
  case HR_SOCKS5_CONNECTION_REFUSED:
    return "connection refused";
  case HR_SOCKS5_TTL_EXPIRED:
    return "TTL expired";
  case HR_SOCKS5_COMMAND_NOT_SUPPORTED:
    return "command not supported";
  case HR_SOCKS5_ADDRESS_TYPE_NOT_SUPPORTED:
    return "address type not supported";
  default:
    return "unknown reply code";
  }
}

/* Messages name the origin as a URL's authority would: [v6]:port. */
static httpr_code fail_to(struct hr_socks5 *s, httpr_error *err,
                          const char *what, int value) {
  int v6 = strchr(s->host, ':') != NULL;
  s->phase = HR_SOCKS5_FAILED;
  return hr_fail(err, HTTPR_E_PROXY,
                 "Can't complete SOCKS5 connection to %s%s%s:%u: %s (%d)",
                 v6 ? "[" : "", s->host, v6 ? "]" : "", (unsigned)s->port, what,
                 value);
}

/* A failure of the negotiation itself; a macro so printf checks the
 * format. */
#define fail_plain(s, err, ...)                                                \
  ((s)->phase = HR_SOCKS5_FAILED, hr_fail((err), HTTPR_E_PROXY, __VA_ARGS__))

static int has_byte_below_space(const char *str, int also_del) {
  for (const unsigned char *c = (const unsigned char *)str; *c; c++)
    if (*c < 0x20 || (also_del && *c == 0x7f))
      return 1;
  return 0;
}

static httpr_code check_credentials(const struct hr_socks5_params *p,
                                    httpr_error *err) {
  if (!p->user)
    return HTTPR_OK;
  const char *pass = p->password ? p->password : "";
  if (!p->user[0])
    return hr_fail(err, HTTPR_E_INVALID, "SOCKS5 proxy user name is empty");
  if (strpbrk(p->user, "\r\n") || strpbrk(pass, "\r\n"))
    return hr_fail(err, HTTPR_E_INVALID,
                   "SOCKS5 proxy user name or password contains CR or LF");
  if (strlen(p->user) > HR_SOCKS5_MAX_NAME)
    return hr_fail(err, HTTPR_E_PROXY,
                   "SOCKS5 proxy user name of %zu bytes is too long (at "
                   "most %d)",
                   strlen(p->user), HR_SOCKS5_MAX_NAME);
  if (strlen(pass) > HR_SOCKS5_MAX_NAME)
    return hr_fail(err, HTTPR_E_PROXY,
                   "SOCKS5 proxy password of %zu bytes is too long (at most "
                   "%d)",
                   strlen(pass), HR_SOCKS5_MAX_NAME);
  return HTTPR_OK;
}

static size_t put_port(uint8_t *at, uint16_t port) {
  at[0] = (uint8_t)(port >> 8);
  at[1] = (uint8_t)(port & 0xff);
  return 2;
}

/* The CONNECT request: VER CMD RSV ATYP DST.ADDR DST.PORT. */
static httpr_code build_connect(struct hr_socks5 *s,
                                const struct hr_socks5_params *p,
                                httpr_error *err) {
  uint8_t *r = s->connect_req;
  size_t n = 0;
  struct in_addr v4;
  struct in6_addr v6;
  r[n++] = SOCKS_VERSION;
  r[n++] = CMD_CONNECT;
  r[n++] = 0x00;
  if (p->addr && p->addr->sa_family == AF_INET) {
    v4 = ((const struct sockaddr_in *)(const void *)p->addr)->sin_addr;
  } else if (p->addr && p->addr->sa_family == AF_INET6) {
    v6 = ((const struct sockaddr_in6 *)(const void *)p->addr)->sin6_addr;
  } else if (p->addr) {
    return hr_fail(err, HTTPR_E_INVALID,
                   "SOCKS5 can connect only to an IPv4 or IPv6 address");
  }
  /* socks5h with an address literal: the proxy has nothing to resolve,
   * and a name type would make it try. */
  int is_v4 = p->addr ? p->addr->sa_family == AF_INET
                      : inet_pton(AF_INET, p->host, &v4) == 1;
  int is_v6 = !is_v4 && (p->addr ? p->addr->sa_family == AF_INET6
                                 : inet_pton(AF_INET6, p->host, &v6) == 1);
  if (is_v4) {
    r[n++] = ATYP_IPV4;
    memcpy(r + n, &v4, 4);
    n += 4;
  } else if (is_v6) {
    r[n++] = ATYP_IPV6;
    memcpy(r + n, &v6, 16);
    n += 16;
  } else {
    size_t len = strlen(p->host);
    if (len > HR_SOCKS5_MAX_NAME)
      return hr_fail(err, HTTPR_E_PROXY,
                     "host name of %zu bytes is too long for a SOCKS5 proxy "
                     "to resolve (at most %d)",
                     len, HR_SOCKS5_MAX_NAME);
    r[n++] = ATYP_NAME;
    r[n++] = (uint8_t)len;
    memcpy(r + n, p->host, len);
    n += len;
  }
  n += put_port(r + n, p->port);
  s->connect_len = n;
  return HTTPR_OK;
}

static void load_output(struct hr_socks5 *s, const uint8_t *msg, size_t len) {
  memcpy(s->out, msg, len);
  s->out_len = len;
  s->out_sent = 0;
}

httpr_code hr_socks5_init(struct hr_socks5 *s, const struct hr_socks5_params *p,
                          httpr_error *err) {
  memset(s, 0, sizeof(*s));
  s->phase = HR_SOCKS5_FAILED;
  s->reply = -1;
  if (!p || !p->host || !p->host[0])
    return hr_fail(err, HTTPR_E_INVALID, "SOCKS5 destination host is empty");
  if (has_byte_below_space(p->host, 1))
    return hr_fail(err, HTTPR_E_INVALID,
                   "SOCKS5 destination host contains a control character");
  if (p->port == 0)
    return hr_fail(err, HTTPR_E_INVALID, "SOCKS5 destination port is 0");
  httpr_code rc = check_credentials(p, err);
  if (rc == HTTPR_OK)
    rc = build_connect(s, p, err);
  if (rc != HTTPR_OK)
    return rc;
  /* Kept for messages only; a longer literal cannot reach here. */
  snprintf(s->host, sizeof(s->host), "%s", p->host);
  s->port = p->port;
  if (p->user) {
    s->with_auth = 1;
    snprintf(s->user, sizeof(s->user), "%s", p->user);
    snprintf(s->password, sizeof(s->password), "%s",
             p->password ? p->password : "");
  }
  /* Username/password first: a proxy that takes both picks by its own
   * order, and one that requires credentials must be able to ask. */
  const uint8_t greet_auth[] = {SOCKS_VERSION, 2, METHOD_NONE, METHOD_USERPASS};
  const uint8_t greet_none[] = {SOCKS_VERSION, 1, METHOD_NONE};
  if (s->with_auth)
    load_output(s, greet_auth, sizeof(greet_auth));
  else
    load_output(s, greet_none, sizeof(greet_none));
  s->phase = HR_SOCKS5_SEND_GREETING;
  return HTTPR_OK;
}

void hr_socks5_clear(struct hr_socks5 *s) {
  if (s)
    hr_wipe(s, sizeof(*s));
}

const uint8_t *hr_socks5_output(const struct hr_socks5 *s, size_t *len) {
  int sending = s->phase == HR_SOCKS5_SEND_GREETING ||
                s->phase == HR_SOCKS5_SEND_AUTH ||
                s->phase == HR_SOCKS5_SEND_CONNECT;
  *len = sending ? s->out_len - s->out_sent : 0;
  return s->out + s->out_sent;
}

void hr_socks5_sent(struct hr_socks5 *s, size_t n) {
  size_t left;
  hr_socks5_output(s, &left);
  if (left == 0)
    return; /* nothing was being sent */
  if (n > left)
    n = left;
  s->out_sent += n;
  if (s->out_sent < s->out_len)
    return;
  /* The auth request holds the password: gone once it is on the wire. */
  hr_wipe(s->out, sizeof(s->out));
  s->out_len = s->out_sent = 0;
  s->in_have = 0;
  if (s->phase == HR_SOCKS5_SEND_GREETING)
    s->phase = HR_SOCKS5_RECV_METHOD;
  else if (s->phase == HR_SOCKS5_SEND_AUTH)
    s->phase = HR_SOCKS5_RECV_AUTH;
  else if (s->phase == HR_SOCKS5_SEND_CONNECT)
    s->phase = HR_SOCKS5_RECV_CONNECT;
}

/* The CONNECT reply's length once its fourth byte (ATYP) and, for a name,
 * its fifth (the name's length) are known; 0 while it is not known. */
static size_t connect_reply_len(const struct hr_socks5 *s) {
  if (s->in_have < 4)
    return 0;
  switch (s->in[3]) {
  case ATYP_IPV4:
    return 4 + 4 + 2;
  case ATYP_IPV6:
    return 4 + 16 + 2;
  case ATYP_NAME:
    return s->in_have < 5 ? 0 : 4 + 1 + (size_t)s->in[4] + 2;
  default:
    return 0;
  }
}

size_t hr_socks5_need(const struct hr_socks5 *s) {
  switch (s->phase) {
  case HR_SOCKS5_RECV_METHOD:
  case HR_SOCKS5_RECV_AUTH:
    return 2 - s->in_have;
  case HR_SOCKS5_RECV_CONNECT: {
    size_t total = connect_reply_len(s);
    if (total)
      return total - s->in_have;
    return s->in_have < 4 ? 4 - s->in_have : 1;
  }
  default:
    return 0;
  }
}

static httpr_code start_auth(struct hr_socks5 *s) {
  size_t ulen = strlen(s->user), plen = strlen(s->password), n = 0;
  s->out[n++] = AUTH_VERSION;
  s->out[n++] = (uint8_t)ulen;
  memcpy(s->out + n, s->user, ulen);
  n += ulen;
  s->out[n++] = (uint8_t)plen;
  memcpy(s->out + n, s->password, plen);
  n += plen;
  s->out_len = n;
  s->out_sent = 0;
  /* The copies are needed only for this message. */
  hr_wipe(s->password, sizeof(s->password));
  s->phase = HR_SOCKS5_SEND_AUTH;
  return HTTPR_OK;
}

static void start_connect(struct hr_socks5 *s) {
  load_output(s, s->connect_req, s->connect_len);
  s->phase = HR_SOCKS5_SEND_CONNECT;
}

static httpr_code method_reply(struct hr_socks5 *s, httpr_error *err) {
  if (s->in[0] != SOCKS_VERSION)
    return fail_plain(s, err,
                      "SOCKS5 proxy answered the greeting with version %u, "
                      "not 5",
                      s->in[0]);
  if (s->in[1] == METHOD_NONE) {
    start_connect(s);
    return HTTPR_OK;
  }
  if (s->in[1] == METHOD_USERPASS && s->with_auth)
    return start_auth(s);
  if (s->in[1] == METHOD_NO_ACCEPTABLE) {
    s->phase = HR_SOCKS5_FAILED;
    return hr_fail(err, HTTPR_E_PROXY,
                   "SOCKS5 proxy accepted none of the offered "
                   "authentication methods (%s)",
                   s->with_auth ? "none, username/password"
                                : "none; it may want a user name and "
                                  "password");
  }
  return fail_plain(s, err,
                    "SOCKS5 proxy chose authentication method 0x%02x, which "
                    "was not offered",
                    s->in[1]);
}

static httpr_code auth_reply(struct hr_socks5 *s, httpr_error *err) {
  /* RFC 1929 says version 1; some servers echo SOCKS's 5 there, and the
   * status byte means the same either way (curl accepts them too). */
  if (s->in[0] != AUTH_VERSION && s->in[0] != SOCKS_VERSION)
    return fail_plain(s, err,
                      "SOCKS5 proxy answered the authentication with "
                      "version %u, not 1",
                      s->in[0]);
  if (s->in[1] != 0)
    return fail_plain(s, err,
                      "SOCKS5 proxy rejected the user name and password "
                      "(status %u)",
                      s->in[1]);
  start_connect(s);
  return HTTPR_OK;
}

static void read_bound(struct hr_socks5 *s) {
  struct hr_socks5_bound *b = &s->bound;
  const uint8_t *a = s->in + 4;
  size_t alen;
  memset(b, 0, sizeof(*b));
  if (s->in[3] == ATYP_IPV4) {
    b->family = AF_INET;
    alen = 4;
    memcpy(b->addr, a, alen);
  } else if (s->in[3] == ATYP_IPV6) {
    b->family = AF_INET6;
    alen = 16;
    memcpy(b->addr, a, alen);
  } else {
    alen = 1 + (size_t)a[0];
    memcpy(b->name, a + 1, a[0]);
  }
  b->port = (uint16_t)((a[alen] << 8) | a[alen + 1]);
}

/* Judged as early as each byte allows: a failing proxy may close after
 * the reply code without the address. */
static httpr_code connect_reply(struct hr_socks5 *s, httpr_error *err) {
  if (s->in_have >= 1 && s->in[0] != SOCKS_VERSION)
    return fail_plain(s, err,
                      "SOCKS5 proxy answered the CONNECT request with "
                      "version %u, not 5",
                      s->in[0]);
  if (s->in_have >= 2 && s->in[1] != HR_SOCKS5_SUCCEEDED) {
    s->reply = s->in[1];
    return fail_to(s, err, reply_text(s->in[1]), s->in[1]);
  }
  if (s->in_have >= 4 && s->in[3] != ATYP_IPV4 && s->in[3] != ATYP_IPV6 &&
      s->in[3] != ATYP_NAME)
    return fail_plain(s, err,
                      "SOCKS5 proxy replied with unknown address type 0x%02x",
                      s->in[3]);
  size_t total = connect_reply_len(s);
  if (total && s->in_have == total) {
    s->reply = HR_SOCKS5_SUCCEEDED;
    read_bound(s);
    s->phase = HR_SOCKS5_CONNECTED;
  }
  return HTTPR_OK;
}

static enum hr_socks5_status status_of(const struct hr_socks5 *s) {
  switch (s->phase) {
  case HR_SOCKS5_CONNECTED:
    return HR_SOCKS5_DONE;
  case HR_SOCKS5_FAILED:
    return HR_SOCKS5_ERROR;
  case HR_SOCKS5_SEND_GREETING:
  case HR_SOCKS5_SEND_AUTH:
  case HR_SOCKS5_SEND_CONNECT:
    return HR_SOCKS5_WANT_WRITE;
  default:
    return HR_SOCKS5_WANT_READ;
  }
}

enum hr_socks5_status hr_socks5_feed(struct hr_socks5 *s, const uint8_t *data,
                                     size_t len, size_t *used,
                                     httpr_error *err) {
  size_t taken = 0;
  httpr_code rc = HTTPR_OK;
  if (s->phase == HR_SOCKS5_FAILED) {
    *used = 0;
    hr_fail(err, HTTPR_E_PROXY, "SOCKS5 negotiation already failed");
    return HR_SOCKS5_ERROR;
  }
  /* One byte at a time: each reply is judged at the byte that decides it,
   * and at most 262 bytes make a reply, so the loop is short. */
  while (taken < len && rc == HTTPR_OK && hr_socks5_need(s) > 0) {
    s->in[s->in_have++] = data[taken++];
    if (s->phase == HR_SOCKS5_RECV_METHOD && s->in_have == 2)
      rc = method_reply(s, err);
    else if (s->phase == HR_SOCKS5_RECV_AUTH && s->in_have == 2)
      rc = auth_reply(s, err);
    else if (s->phase == HR_SOCKS5_RECV_CONNECT)
      rc = connect_reply(s, err);
  }
  *used = taken;
  return status_of(s);
}

static const char *phase_name(const struct hr_socks5 *s) {
  switch (s->phase) {
  case HR_SOCKS5_SEND_GREETING:
  case HR_SOCKS5_RECV_METHOD:
    return "greeting";
  case HR_SOCKS5_SEND_AUTH:
  case HR_SOCKS5_RECV_AUTH:
    return "authentication";
  default:
    return "CONNECT request";
  }
}

static enum hr_socks5_status io_failed(struct hr_socks5 *s, httpr_error *err,
                                       const char *doing, int e) {
  const char *phase = phase_name(s);
  s->phase = HR_SOCKS5_FAILED;
  hr_fail(err, HTTPR_E_PROXY, "SOCKS5 proxy connection %s during the %s", doing,
          phase);
  if (e)
    hr_detail(err, "%s", strerror(e));
  return HR_SOCKS5_ERROR;
}

enum hr_socks5_status hr_socks5_step(struct hr_socks5 *s,
                                     const struct hr_tls_io *io,
                                     httpr_error *err) {
  /* Each turn moves bytes or returns: the messages are a few hundred bytes
   * in all, so the loop ends when the socket would block or they are
   * through. */
  if (s->phase == HR_SOCKS5_FAILED) {
    hr_fail(err, HTTPR_E_PROXY, "SOCKS5 negotiation already failed");
    return HR_SOCKS5_ERROR;
  }
  for (;;) {
    enum hr_socks5_status st = status_of(s);
    if (st == HR_SOCKS5_DONE)
      return st;
    if (st == HR_SOCKS5_WANT_WRITE) {
      size_t len;
      const uint8_t *out = hr_socks5_output(s, &len);
      long n = io->send(io->io_ctx, out, len);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return HR_SOCKS5_WANT_WRITE;
      if (n <= 0)
        return io_failed(s, err, "broke", n < 0 ? errno : 0);
      hr_socks5_sent(s, (size_t)n);
      continue;
    }
    uint8_t buf[HR_SOCKS5_IN_MAX];
    size_t used;
    long n = io->recv(io->io_ctx, buf, hr_socks5_need(s));
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
      return HR_SOCKS5_WANT_READ;
    if (n < 0)
      return io_failed(s, err, "broke", errno);
    if (n == 0)
      return io_failed(s, err, "closed by the proxy", 0);
    if (hr_socks5_feed(s, buf, (size_t)n, &used, err) == HR_SOCKS5_ERROR)
      return HR_SOCKS5_ERROR;
  }
}

const struct hr_socks5_bound *hr_socks5_bound(const struct hr_socks5 *s) {
  return s->phase == HR_SOCKS5_CONNECTED ? &s->bound : NULL;
}
