/* SPDX-License-Identifier: MIT */
/*
 * dante.h - a real SOCKS5 proxy for the tests: Debian's danted
 * (dante-server) started on a free loopback port with a private
 * configuration, log and pid file in a directory of its own, and stopped by
 * its process id.
 */
#ifndef HTTPR_TESTS_DANTE_H
#define HTTPR_TESTS_DANTE_H

#include <stdio.h>
#include <sys/types.h>

/* The binary; DANTED in the environment overrides it. */
#define DANTE_DEFAULT_BIN "/usr/sbin/danted"

struct dante {
  pid_t pid;
  int port;     /* where it listens, on 127.0.0.1 */
  char dir[64]; /* its configuration, log and pid file */
  char log[128];
};

struct dante_options {
  /* "none" or "username" (dante checks a user name against the system's
   * users: the tests use it only to be refused). */
  const char *socksmethod;
  /* nonzero: CONNECTs to 127.0.0.1 on this port are blocked by a rule
   * (the "not allowed by ruleset" reply). */
  int blocked_port;
};

/* The danted binary when it can run, else NULL. */
const char *dante_binary(void);

/* Starts danted and waits until it accepts connections. 0, or -1 with a
 * line on stderr (and the log printed). */
int dante_start(struct dante *d, const struct dante_options *opt);

/* Stops it (SIGTERM, SIGKILL after a while), reaps it and removes its
 * files. Safe on a struct dante that did not start. */
void dante_stop(struct dante *d);

/* Copies danted's log to out, for a failure's report. */
void dante_print_log(const struct dante *d, FILE *out);

#endif
