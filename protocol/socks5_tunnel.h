/* SPDX-License-Identifier: MIT */
/*
 * socks5_tunnel.h - a SOCKS5 proxy's negotiation as a tunnel (tunnel.h):
 * the codec of socks5.h stepped over the connection's socket until the
 * proxy has connected to the origin. Whether the origin's name or its
 * address is sent is the caller's choice (socks5h:// or socks5://);
 * resolving the name first is the opener's job, not this file's.
 */
#ifndef HTTPR_SOCKS5_TUNNEL_H
#define HTTPR_SOCKS5_TUNNEL_H

#include "protocol/socks5.h"
#include "protocol/transport.h"
#include "protocol/tunnel.h"

/* Makes t a SOCKS5 tunnel to p's origin (p as hr_socks5_init takes it:
 * its strings are copied). It says on debug what it asks for, "SOCKS5
 * connect to HOST:PORT (remotely resolved)" or "SOCKS5 connect to IPv4
 * ADDR:PORT (locally resolved)", as curl does, and "SOCKS5 request
 * granted" once the proxy connected. The tunnel's step fails with the
 * codec's HTTPR_E_PROXY (a refusal, no acceptable method, rejected
 * credentials, a broken reply or connection). HTTPR_OK, HTTPR_E_NOMEM,
 * or hr_socks5_init's HTTPR_E_INVALID and HTTPR_E_PROXY. */
httpr_code hr_socks5_tunnel(struct hr_tunnel *t,
                            const struct hr_socks5_params *p,
                            const struct hr_debug *debug, httpr_error *err);

#endif
