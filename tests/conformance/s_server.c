/* SPDX-License-Identifier: MIT */
/*
 * s_server.c - `openssl s_server -www` processes, for what the test server
 * does not do: stapling an OCSP response (-status_file). s_server picks a
 * free loopback port itself (-accept 127.0.0.1:0) and says which on its
 * standard output ("ACCEPT 127.0.0.1:PORT"), which goes to an unlinked
 * temporary file read here until the line comes, so no port is guessed
 * and none raced for. Each runs under timeout(1), so none outlives a
 * suite that died; stop_server (spawn.c) ends it, timeout passing the
 * signal on.
 */
#include "tests/conformance/server.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/test_timeout.h"

#define MAX_OPTIONS 24

/* The port of the ACCEPT line s_server wrote to fd so far, 0 while
 * there is none. */
static int accepted_port(int fd) {
  char text[1024];
  ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
  if (n <= 0)
    return 0;
  text[n] = '\0';
  const char *line = strstr(text, "ACCEPT 127.0.0.1:");
  int port = 0;
  if (!line || sscanf(line, "ACCEPT 127.0.0.1:%d", &port) != 1)
    return 0;
  return port;
}

int spawn_s_server(char *const options[], pid_t *pid) {
  char seconds[32];
  char *argv[MAX_OPTIONS + 10] = {"timeout",    seconds, "openssl",
                                  "s_server",   "-www",  "-accept",
                                  "127.0.0.1:0"};
  size_t n = 7;
  for (size_t i = 0; options[i]; i++) {
    if (i == MAX_OPTIONS)
      return -1;
    argv[n++] = options[i];
  }
  argv[n] = NULL;
  snprintf(seconds, sizeof(seconds), "%ld", test_timeout_ms(300 * 1000) / 1000);
  /* Its output, in a file nobody else can open: unlinked at once. */
  char path[] = "/tmp/httpr-s_server-XXXXXX";
  int out = mkstemp(path);
  if (out < 0)
    return -1;
  unlink(path);
  pid_t child = fork();
  if (child < 0) {
    close(out);
    return -1;
  }
  if (child == 0) {
    int null = open("/dev/null", O_RDONLY);
    dup2(null, STDIN_FILENO);
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
    execvp(argv[0], argv);
    _exit(127);
  }
  int port = -1;
  long polls = test_timeout_ms(10000) / 10;
  for (long i = 0; i < polls && port < 0; i++) {
    int seen = accepted_port(out);
    if (seen > 0)
      port = seen;
    else if (waitpid(child, NULL, WNOHANG) == child)
      break; /* it could not start */
    else
      nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
  }
  close(out);
  if (port < 0) {
    if (waitpid(child, NULL, WNOHANG) == 0)
      stop_server(child);
    return -1;
  }
  *pid = child;
  return port;
}
