/* SPDX-License-Identifier: MIT */
/* server.h - starting and stopping server processes: the test server
 * (spawn.c) and openssl s_server (s_server.c). */
#ifndef HTTPR_TEST_SERVER_H
#define HTTPR_TEST_SERVER_H

#include <sys/types.h>

/* Starts `bin` with argv (NULL-terminated, argv[0] included), waits up to
 * 10 s (times HTTPR_TEST_TIMEOUT_MULTIPLIER) for its "PORT=<n>" line.
 * Returns the port (and *pid; 0 for a server on a Unix socket), or -1. */
int spawn_server(const char *bin, char *const argv[], pid_t *pid);
/* Starts `openssl s_server -www` on a loopback port of its choosing with
 * options (NULL-terminated) and waits up to 10 s (times
 * HTTPR_TEST_TIMEOUT_MULTIPLIER) for it to listen. Returns the port (and
 * *pid), or -1. (s_server.c) */
int spawn_s_server(char *const options[], pid_t *pid);
/* SIGTERM, then SIGKILL after 3 s (times the multiplier); reaps the
 * process. */
void stop_server(pid_t pid);

#endif
