/* SPDX-License-Identifier: MIT */
/*
 * run_cli.c - runs the httpr command-line program ($HTTPR_CLI, which make
 * check sets), or another program such as curl, as a child process, with one
 * extra environment variable of its own, and keeps its exit status, what it
 * wrote on stderr and, when asked, its stdout in a file. For settings a TLS
 * library reads once per process, at its first initialisation (OPENSSL_CONF):
 * the suite's own process initialised every provider long ago.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/conformance/suite.h"

#define CLI_LIMIT_S 30.0 /* the CLI's own --max-time is well below */
#define CLI_MAX_ARGS 32

static void child(const char *cli, const char *const args[],
                  const char *env_name, const char *env_value,
                  const char *out_path, int err_fd) {
  char *argv[CLI_MAX_ARGS + 2] = {(char *)cli};
  size_t n = 1;
  int null_fd = open("/dev/null", O_RDWR);
  int out_fd =
      out_path ? open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600) : null_fd;

  for (size_t i = 0; args[i] && n <= CLI_MAX_ARGS; i++)
    argv[n++] = (char *)args[i];
  argv[n] = NULL;
  if (null_fd < 0 || out_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 ||
      dup2(out_fd, STDOUT_FILENO) < 0 || dup2(err_fd, STDERR_FILENO) < 0)
    _exit(126);
  if (env_name && setenv(env_name, env_value, 1) != 0)
    _exit(126);
  execv(cli, argv);
  _exit(127);
}

/* Reads fd until EOF or the deadline; returns 0 at EOF, -1 otherwise. */
static int read_all(int fd, double deadline, char *out, size_t cap) {
  size_t used = 0;

  while (now_s() < deadline) {
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int ready = poll(&pfd, 1, 100);
    if (ready < 0 && errno != EINTR)
      return -1;
    if (ready <= 0)
      continue;
    char buf[512];
    ssize_t got = read(fd, buf, sizeof(buf));
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      return got == 0 ? 0 : -1;
    size_t keep = (size_t)got < cap - 1 - used ? (size_t)got : cap - 1 - used;
    memcpy(out + used, buf, keep);
    used += keep;
    out[used] = '\0';
  }
  return -1;
}

/* Waits for pid until the deadline; returns its wait status, -1 when it
 * still runs at the deadline, -2 when waitpid fails. */
static int reap(pid_t pid, double deadline) {
  int status = 0;

  while (now_s() < deadline) {
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid)
      return status;
    if (done < 0 && errno != EINTR)
      return -2;
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  return -1;
}

int run_cli(const char *const args[], const char *env_name,
            const char *env_value, char *err_out, size_t cap) {
  return run_cli_to(args, env_name, env_value, NULL, err_out, cap);
}

int run_cli_to(const char *const args[], const char *env_name,
               const char *env_value, const char *out_path, char *err_out,
               size_t cap) {
  const char *cli = getenv("HTTPR_CLI");
  if (!cli || !*cli) {
    print_message("HTTPR_CLI is not set (make check sets it): skipped\n");
    skip();
  }
  return run_program_to(cli, args, env_name, env_value, out_path, err_out, cap);
}

int run_program_to(const char *program, const char *const args[],
                   const char *env_name, const char *env_value,
                   const char *out_path, char *err_out, size_t cap) {
  const char *cli = program;
  int fds[2];

  assert_true(cap > 0);
  err_out[0] = '\0';
  if (pipe(fds) != 0)
    return -1;
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  if (pid == 0) {
    close(fds[0]);
    child(cli, args, env_name, env_value, out_path, fds[1]);
  }
  close(fds[1]);
  double deadline = now_s() + CLI_LIMIT_S;
  int eof = read_all(fds[0], deadline, err_out, cap);
  close(fds[0]);
  int status = eof == 0 ? reap(pid, deadline) : -1;
  if (status == -1) { /* still running: our own child, killed by its pid */
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
  }
  if (status < 0)
    return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#define FETCH_MAX_EXTRA 8

void expect_fetch_cli(enum profile p, const char *const extra[],
                      const char *env_name, const char *env_value,
                      int want_exit, const char *want_line) {
  char url[512], ca[512];
  snprintf(url, sizeof(url), "%s", url_of(p, NULL, "/"));
  snprintf(ca, sizeof(ca), "%s", pki("ca-bundle.pem"));
  const char *args[FETCH_MAX_EXTRA + 12] = {"--tls-provider",
                                            g_suite.provider,
                                            "--cacert",
                                            ca,
                                            "-sS",
                                            "--max-time",
                                            "15",
                                            "-o",
                                            "/dev/null"};
  size_t n = 9;
  for (size_t i = 0; extra && extra[i]; i++) {
    assert_true(i < FETCH_MAX_EXTRA);
    args[n++] = extra[i];
  }
  args[n++] = url;
  args[n] = NULL;
  expect_cli(args, env_name, env_value, want_exit, want_line);
}

void expect_cli(const char *const args[], const char *env_name,
                const char *env_value, int want_exit, const char *want_line) {
  char err[2048];
  int rc = run_cli(args, env_name, env_value, err, sizeof(err));
  if (rc != want_exit)
    print_error("httpr exited with %d, stderr: %s\n", rc, err);
  assert_int_equal(rc, want_exit);
  char *nl = strchr(err, '\n');
  if (nl)
    *nl = '\0';
  assert_string_equal(err, want_line);
}

/* Whole contents of path (at most cap - 1 bytes) into out. */
static void read_text(const char *path, char *out, size_t cap) {
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  size_t n = fread(out, 1, cap - 1, f);
  out[n] = '\0';
  fclose(f);
}

#define AS_CURL_MAX_ARGS 8

void expect_as_curl(const char *const args[], const char *env_name,
                    const char *env_value, int want_exit) {
  const char *curl = "/usr/bin/curl";
  if (access(curl, X_OK) != 0)
    fail_msg("%s is missing (tools/install-deps.sh installs curl)", curl);
  char err[4096], body_curl[1024], body_httpr[1024], ca[512];
  snprintf(ca, sizeof(ca), "%s", pki("root-ca.pem"));
  const char *curl_args[AS_CURL_MAX_ARGS + 4] = {"-sS", "--cacert", ca};
  const char *httpr_args[AS_CURL_MAX_ARGS + 6] = {
      "-sS", "--cacert", ca, "--tls-provider", g_suite.provider};
  size_t n = 0;
  for (; args[n]; n++) {
    assert_true(n < AS_CURL_MAX_ARGS);
    curl_args[3 + n] = httpr_args[5 + n] = args[n];
  }
  curl_args[3 + n] = httpr_args[5 + n] = NULL;
  int rc_curl = run_program_to(curl, curl_args, env_name, env_value,
                               tmp_path("curl.out"), err, sizeof(err));
  if (rc_curl != want_exit)
    fail_msg("curl exit %d, not %d: %s", rc_curl, want_exit, err);
  int rc_httpr = run_cli_to(httpr_args, env_name, env_value,
                            tmp_path("httpr.out"), err, sizeof(err));
  if (rc_httpr != rc_curl)
    fail_msg("httpr exit %d, curl's %d: %s", rc_httpr, rc_curl, err);
  read_text(tmp_path("curl.out"), body_curl, sizeof(body_curl));
  read_text(tmp_path("httpr.out"), body_httpr, sizeof(body_httpr));
  assert_string_equal(body_httpr, body_curl);
}
