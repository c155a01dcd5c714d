/* SPDX-License-Identifier: MIT */
/* squid.h - a squid HTTP proxy on loopback for the proxy group (squid.c). */
#ifndef HTTPR_TEST_SQUID_H
#define HTTPR_TEST_SQUID_H

#include <sys/types.h>

/* The one user the auth port knows. */
#define SQUID_USER "alice"
#define SQUID_PASSWORD "pw-s3cret"

struct squid_proxy {
  pid_t pid;
  int open_port; /* no credentials asked */
  int auth_port; /* Basic SQUID_USER:SQUID_PASSWORD, else 407 */
  int tls_port;  /* an HTTPS proxy (https_port), no credentials asked:
                    the PKI's proxy-leaf, for localhost under the root */
  char dir[64];  /* its config, passwd, logs and pid file */
};

/* Starts squid, refusing CONNECT to refused_port (403) on every port.
 * 0, or -1 when it did not start (squid missing, no port). */
int squid_start(struct squid_proxy *s, int refused_port);
/* Lines of its access log holding needle (squid logs each request as it
 * ends). */
int squid_log_count(const struct squid_proxy *s, const char *needle);
/* squid_log_count once the log has not grown for 100 ms (5 s at most):
 * squid logs a tunnel when it closes, a moment after the client. */
int squid_log_settled(const struct squid_proxy *s, const char *needle);
/* squid_log_count once it reaches want (3 s at most, times the
 * multiplier), a moment later, so a line too many would show. */
int squid_log_await(const struct squid_proxy *s, const char *needle, int want);
/* Stops it (at once: shutdown_lifetime 0) and removes its directory. */
void squid_stop(struct squid_proxy *s);

/* The one squid the proxy groups share, started on first use (refusing
 * CONNECT to SQUID_REFUSED_PORT), NULL when it did not start; stopped
 * by squid_shared_stop at the suite's end. */
#define SQUID_REFUSED_PORT 9
const struct squid_proxy *squid_shared(void);
void squid_shared_stop(void);

#endif
