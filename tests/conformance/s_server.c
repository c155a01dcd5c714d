/* SPDX-License-Identifier: MIT */
/*
 * s_server.c - `openssl s_server -www` processes, for what the test server
 * does not do: stapling an OCSP response (-status_file). s_server picks a
 * free loopback port itself (-accept 127.0.0.1:0) and says which on its
 * standard output ("ACCEPT 127.0.0.1:PORT"), which goes to a log file
 * read here until the line comes, so no port is guessed and none raced
 * for. Each runs under timeout(1), so none outlives a suite that died;
 * stop_server (spawn.c) ends it, timeout passing the signal on.
 */
#include "tests/conformance/server.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/test_timeout.h"

#define MAX_OPTIONS 24

/* The port of the log's ACCEPT line, 0 while there is none. */
static int accepted_port(const char *log_path) {
  char text[512];
  FILE *f = fopen(log_path, "r");
  int port = 0;
  if (!f)
    return 0;
  while (!port && fgets(text, sizeof(text), f)) {
    if (sscanf(text, "ACCEPT 127.0.0.1:%d", &port) != 1)
      port = 0;
  }
  fclose(f);
  return port;
}

int spawn_s_server(char *const options[], const char *log_path, pid_t *pid) {
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
  int log = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (log < 0)
    return -1;
  pid_t child = fork();
  if (child < 0) {
    close(log);
    return -1;
  }
  if (child == 0) {
    int null = open("/dev/null", O_RDONLY);
    dup2(null, STDIN_FILENO);
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    execvp(argv[0], argv);
    _exit(127);
  }
  close(log);
  long polls = test_timeout_ms(10000) / 10;
  for (long i = 0; i < polls; i++) {
    int port = accepted_port(log_path);
    if (port > 0) {
      *pid = child;
      return port;
    }
    if (waitpid(child, NULL, WNOHANG) == child)
      return -1; /* it failed to start: the log says why */
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  stop_server(child);
  return -1;
}
