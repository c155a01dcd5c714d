/* SPDX-License-Identifier: MIT */
/*
 * outer_tls.h - a connection's TLS to an https:// proxy as the layer
 * under everything else on it (transport.h's c->outer): the I/O
 * callbacks the origin's TLS runs over (TLS in TLS), and the bottom
 * reads and writes of the tunnel's exchange and of plain HTTP to the
 * proxy. Never waits; the socket is the same, so a want of this layer
 * is a want on the connection's fd.
 */
#ifndef HTTPR_OUTER_TLS_H
#define HTTPR_OUTER_TLS_H

#include "protocol/transport.h"

/* The callbacks for the inner TLS, over c->outer: "would block" sets
 * c->outer_want to what the outer layer waits for. */
struct hr_tls_io hr_outer_tls_io(struct hr_conn *c);

/* What the inner layer's st means on the fd: an inner want becomes the
 * outer layer's when that one is what blocked. */
enum hr_tls_status hr_outer_want(const struct hr_conn *c,
                                 enum hr_tls_status st);

/* Reads and writes of the outer layer itself (no inner TLS): the
 * provider's status, as hr_tls_provider's read and write. */
enum hr_tls_status hr_outer_read(struct hr_conn *c, void *buf, size_t cap,
                                 size_t *got, httpr_error *err);
enum hr_tls_status hr_outer_write(struct hr_conn *c, const void *buf,
                                  size_t len, size_t *put, httpr_error *err);

/* Ends the outer layer: close_notify when graceful (not waiting), then
 * frees it and the bytes it still held. */
void hr_outer_close(struct hr_conn *c, int graceful);

#endif
