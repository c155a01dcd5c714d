/* SPDX-License-Identifier: MIT */
/*
 * spawn.c - starting and stopping test-server processes: fork, exec, read
 * the "PORT=<n>" line the server prints once it listens, and at the end
 * SIGTERM (then SIGKILL) and reap. Shared by every test program that needs
 * a server.
 */
#include "tests/conformance/server.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/test_timeout.h"

static int read_port(int fd) {
  char line[64];
  size_t used = 0;
  long limit_ms = test_timeout_ms(10000);
  for (int waited_ms = 0; waited_ms < limit_ms && used < sizeof(line) - 1;) {
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int n = poll(&pfd, 1, 100);
    if (n == 0) {
      waited_ms += 100;
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    ssize_t got = read(fd, line + used, 1);
    if (got <= 0)
      return -1;
    if (line[used] == '\n') {
      line[used] = '\0';
      int port = -1;
      return sscanf(line, "PORT=%d", &port) == 1 ? port : -1;
    }
    used++;
  }
  return -1;
}

int spawn_server(const char *bin, char *const argv[], pid_t *pid) {
  int fds[2];
  if (pipe(fds) != 0)
    return -1;
  pid_t child = fork();
  if (child < 0) {
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  if (child == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execv(bin, argv);
    _exit(127);
  }
  close(fds[1]);
  int port = read_port(fds[0]);
  close(fds[0]);
  if (port < 0) { /* 0: a server on a Unix socket (test-server --unix) */
    stop_server(child);
    return -1;
  }
  *pid = child;
  return port;
}

void stop_server(pid_t pid) {
  kill(pid, SIGTERM);
  long polls = test_timeout_ms(3000) / 10;
  for (long i = 0; i < polls; i++) {
    if (waitpid(pid, NULL, WNOHANG) == pid)
      return;
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
}
