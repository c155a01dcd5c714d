/* SPDX-License-Identifier: MIT */
/*
 * dante.c - starting and stopping danted for the tests (dante.h). The
 * configuration listens and connects on 127.0.0.1 only and lets only
 * loopback clients reach loopback destinations, so nothing leaves the
 * machine. Started as root, danted drops to "nobody"; its directory and
 * files are made readable by that user.
 */
#include "tests/conformance/dante.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/conformance/server.h"
#include "tests/test_timeout.h"

const char *dante_binary(void) {
  const char *bin = getenv("DANTED");
  if (!bin || !*bin)
    bin = DANTE_DEFAULT_BIN;
  return access(bin, X_OK) == 0 ? bin : NULL;
}

/* A port nobody listens on now: the kernel's pick for a socket closed at
 * once. danted binds it a moment later. */
static int free_port(void) {
  struct sockaddr_in sin = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof(sin);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return -1;
  int port = -1;
  if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
      getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
    port = ntohs(sin.sin_port);
  close(fd);
  return port;
}

static int write_config(const struct dante *d, const char *path,
                        const struct dante_options *opt) {
  FILE *f = fopen(path, "w");
  if (!f)
    return -1;
  fprintf(f, "logoutput: %s\n", d->log);
  fprintf(f, "internal: 127.0.0.1 port = %d\n", d->port);
  fprintf(f, "external: 127.0.0.1\n");
  fprintf(f, "clientmethod: none\n");
  fprintf(f, "socksmethod: %s\n", opt->socksmethod);
  if (geteuid() == 0)
    fprintf(f, "user.privileged: root\nuser.unprivileged: nobody\n");
  fprintf(f, "client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }\n");
  if (opt->blocked_port)
    fprintf(f, "socks block { from: 0.0.0.0/0 to: 127.0.0.1/32 port = %d }\n",
            opt->blocked_port);
  fprintf(f, "socks pass { from: 127.0.0.0/8 to: 127.0.0.0/8 }\n");
  /* a name (socks5h) is matched before danted resolves it */
  fprintf(f, "socks pass { from: 127.0.0.0/8 to: localhost }\n");
  return fclose(f) == 0 ? 0 : -1;
}

static int accepts(int port) {
  struct sockaddr_in sin = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return 0;
  int ok = connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
  close(fd);
  return ok;
}

/* Until it listens, or it exits, or the time is up. */
static int wait_ready(struct dante *d) {
  long polls = test_timeout_ms(10000) / 20;
  for (long i = 0; i < polls; i++) {
    if (accepts(d->port))
      return 0;
    if (waitpid(d->pid, NULL, WNOHANG) == d->pid) {
      d->pid = 0;
      fprintf(stderr, "danted exited at start\n");
      return -1;
    }
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  fprintf(stderr, "danted did not listen on port %d in time\n", d->port);
  return -1;
}

static void spawn(struct dante *d, const char *bin, const char *conf,
                  const char *pidfile, const char *out) {
  d->pid = fork();
  if (d->pid != 0)
    return;
  int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
  }
  /* In the foreground (no -D), one process serving clients (-N 1). */
  execl(bin, bin, "-f", conf, "-p", pidfile, "-N", "1", (char *)NULL);
  _exit(127);
}

int dante_start(struct dante *d, const struct dante_options *opt) {
  char conf[160], pidfile[160], out[160];
  const char *bin = dante_binary();
  memset(d, 0, sizeof(*d));
  if (!bin) {
    fprintf(stderr, "danted not found\n");
    return -1;
  }
  snprintf(d->dir, sizeof(d->dir), "/tmp/httpr-dante-XXXXXX");
  if (!mkdtemp(d->dir)) {
    d->dir[0] = '\0';
    fprintf(stderr, "mkdtemp: %s\n", strerror(errno));
    return -1;
  }
  chmod(d->dir, 0755); /* for the unprivileged user danted becomes */
  snprintf(d->log, sizeof(d->log), "%s/danted.log", d->dir);
  snprintf(conf, sizeof(conf), "%s/danted.conf", d->dir);
  snprintf(pidfile, sizeof(pidfile), "%s/danted.pid", d->dir);
  snprintf(out, sizeof(out), "%s/danted.out", d->dir);
  d->port = free_port();
  if (d->port <= 0 || write_config(d, conf, opt) != 0) {
    fprintf(stderr, "danted: no port or configuration\n");
    return -1;
  }
  spawn(d, bin, conf, pidfile, out);
  if (d->pid < 0) {
    d->pid = 0;
    fprintf(stderr, "fork: %s\n", strerror(errno));
    return -1;
  }
  if (wait_ready(d) != 0) {
    dante_print_log(d, stderr);
    return -1;
  }
  return 0;
}

static void copy_file(const char *path, FILE *out) {
  char buf[512];
  size_t n;
  FILE *f = fopen(path, "r");
  if (!f)
    return;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
    fwrite(buf, 1, n, out);
  fclose(f);
}

void dante_print_log(const struct dante *d, FILE *out) {
  char path[160];
  fprintf(out, "--- danted's log (%s)\n", d->log);
  copy_file(d->log, out);
  snprintf(path, sizeof(path), "%s/danted.out", d->dir);
  copy_file(path, out);
  fprintf(out, "---\n");
}

void dante_stop(struct dante *d) {
  static const char *const files[] = {"danted.conf", "danted.pid", "danted.log",
                                      "danted.out"};
  char path[160];
  if (d->pid > 0)
    stop_server(d->pid);
  d->pid = 0;
  if (!d->dir[0])
    return;
  for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
    snprintf(path, sizeof(path), "%s/%s", d->dir, files[i]);
    unlink(path);
  }
  rmdir(d->dir);
  d->dir[0] = '\0';
}
