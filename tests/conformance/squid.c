/* SPDX-License-Identifier: MIT */
/*
 * squid.c - a squid from Debian on loopback for the proxy groups: one
 * process, three ports (one open, one asking Basic credentials of the user
 * in its passwd file, one an HTTPS proxy: TLS with the PKI's proxy-leaf,
 * which Debian's squid, a GnuTLS build, serves alone), CONNECT allowed to
 * every port but the refused one (403). Squid takes no port 0, so each port is
 * one the kernel just gave out to a socket here and closed; a squid that then
 * cannot bind exits, and is started again on other ports (three tries). It runs
 * in the foreground (-N) under timeout(1), so none outlives a suite that died,
 * with shutdown_lifetime 0 so that stopping it is at once. Started as
 * root, squid runs as its user `proxy`: its directory is that user's.
 */
#include "tests/conformance/squid.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/conformance/server.h"
#include "tests/conformance/suite.h"
#include "tests/test_timeout.h"

/* A loopback port nobody listens on now, or -1. */
static int free_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof(a);
  int port = -1;
  if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
      getsockname(fd, (struct sockaddr *)&a, &len) == 0)
    port = ntohs(a.sin_port);
  if (fd >= 0)
    close(fd);
  return port;
}

static int accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_port = htons((uint16_t)port),
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  int ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
  if (fd >= 0)
    close(fd);
  return ok;
}

static int write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (!f)
    return -1;
  int failed = fputs(text, f) < 0;
  failed |= fclose(f) != 0;
  return failed || chmod(path, 0644) != 0 ? -1 : 0;
}

/* The passwd file of basic_ncsa_auth: user:APR1 hash, made by openssl. */
static int write_passwd(const struct squid_proxy *s, const char *path) {
  char cmd[256], hash[128] = "";
  snprintf(cmd, sizeof(cmd), "openssl passwd -apr1 '%s'", SQUID_PASSWORD);
  FILE *p = popen(cmd, "r");
  if (!p)
    return -1;
  int got = fgets(hash, sizeof(hash), p) != NULL;
  if (pclose(p) != 0 || !got)
    return -1;
  char text[256];
  snprintf(text, sizeof(text), "%s:%s", SQUID_USER, hash);
  (void)s;
  return write_file(path, text);
}

/* A copy of the PKI file name in squid's directory (its user reads it
 * there; the PKI's keys are the suite's own): 0, or -1. */
static int copy_pki(const struct squid_proxy *s, const char *name) {
  char text[8192], path[128];
  FILE *f = fopen(pki(name), "r");
  if (!f)
    return -1;
  size_t n = fread(text, 1, sizeof(text) - 1, f);
  fclose(f);
  text[n] = '\0';
  snprintf(path, sizeof(path), "%s/%s", s->dir, name);
  return n > 0 && n < sizeof(text) - 1 ? write_file(path, text) : -1;
}

static int write_conf(const struct squid_proxy *s, int refused_port) {
  char path[128], text[2048];
  snprintf(path, sizeof(path), "%s/squid.conf", s->dir);
  snprintf(text, sizeof(text),
           "http_port 127.0.0.1:%d name=open\n"
           "http_port 127.0.0.1:%d name=auth\n"
           "https_port 127.0.0.1:%d name=tls tls-cert=%s/proxy-leaf.crt "
           "tls-key=%s/proxy-leaf.key\n"
           "pid_filename %s/squid.pid\n"
           "access_log stdio:%s/access.log\n"
           "cache_log %s/cache.log\n"
           "coredump_dir %s\n"
           "cache deny all\n"
           "cache_mem 1 MB\n"
           "shutdown_lifetime 0 seconds\n"
           "pinger_enable off\n"
           "netdb_filename none\n"
           "dns_nameservers 127.0.0.1\n"
           "auth_param basic program /usr/lib/squid/basic_ncsa_auth "
           "%s/passwd\n"
           "auth_param basic children 1 startup=1 idle=1\n"
           "auth_param basic realm httpr-test\n"
           "acl open_port myportname open tls\n"
           "acl auth_port myportname auth\n"
           "acl refused port %d\n"
           "acl authed proxy_auth REQUIRED\n"
           "http_access deny refused\n"
           "http_access allow open_port\n"
           "http_access allow auth_port authed\n"
           "http_access deny all\n",
           s->open_port, s->auth_port, s->tls_port, s->dir, s->dir, s->dir,
           s->dir, s->dir, s->dir, s->dir, refused_port);
  return write_file(path, text);
}

/* Squid started as root runs as `proxy`, which must own its files. */
static void give_to_squid_user(const char *dir) {
  struct passwd *pw = getuid() == 0 ? getpwnam("proxy") : NULL;
  if (!pw)
    return;
  char cmd[200];
  snprintf(cmd, sizeof(cmd), "chown -R proxy: '%s'", dir);
  if (system(cmd) != 0)
    fprintf(stderr, "squid: could not give %s to proxy\n", dir);
}

static pid_t run_squid(const struct squid_proxy *s) {
  char seconds[32], conf[128], out[128];
  snprintf(seconds, sizeof(seconds), "%ld", test_timeout_ms(300 * 1000) / 1000);
  snprintf(conf, sizeof(conf), "%s/squid.conf", s->dir);
  snprintf(out, sizeof(out), "%s/squid.out", s->dir);
  pid_t child = fork();
  if (child == 0) {
    if (!freopen(out, "w", stdout) || !freopen(out, "a", stderr))
      _exit(126);
    execlp("timeout", "timeout", seconds, "squid", "-N", "-f", conf,
           (char *)NULL);
    _exit(127);
  }
  return child;
}

/* Waits for every port (10 s times the multiplier): 0, or -1 when squid
 * ended first or did not listen in time. */
static int wait_listening(const struct squid_proxy *s) {
  long polls = test_timeout_ms(10000) / 20;
  for (long i = 0; i < polls; i++) {
    if (waitpid(s->pid, NULL, WNOHANG) == s->pid)
      return -1;
    if (accepts(s->open_port) && accepts(s->auth_port) && accepts(s->tls_port))
      return 0;
    struct timespec t = {0, 20 * 1000 * 1000};
    nanosleep(&t, NULL);
  }
  return -1;
}

int squid_start(struct squid_proxy *s, int refused_port) {
  memset(s, 0, sizeof(*s));
  snprintf(s->dir, sizeof(s->dir), "/tmp/httpr-squid-XXXXXX");
  if (!mkdtemp(s->dir) || chmod(s->dir, 0755) != 0)
    return -1;
  char passwd[128];
  snprintf(passwd, sizeof(passwd), "%s/passwd", s->dir);
  if (write_passwd(s, passwd) != 0 || copy_pki(s, "proxy-leaf.crt") != 0 ||
      copy_pki(s, "proxy-leaf.key") != 0)
    return -1;
  for (int tries = 0; tries < 3; tries++) {
    s->open_port = free_port();
    s->auth_port = free_port();
    s->tls_port = free_port();
    if (s->open_port <= 0 || s->auth_port <= 0 || s->tls_port <= 0 ||
        s->open_port == s->auth_port || s->tls_port == s->open_port ||
        s->tls_port == s->auth_port || write_conf(s, refused_port) != 0)
      continue;
    give_to_squid_user(s->dir);
    if ((s->pid = run_squid(s)) <= 0)
      return -1;
    if (wait_listening(s) == 0)
      return 0;
    stop_server(s->pid);
    s->pid = 0;
  }
  return -1;
}

int squid_log_count(const struct squid_proxy *s, const char *needle) {
  char path[128], line[1024];
  snprintf(path, sizeof(path), "%s/access.log", s->dir);
  FILE *f = fopen(path, "r");
  int n = 0;
  while (f && fgets(line, sizeof(line), f))
    n += strstr(line, needle) != NULL;
  if (f)
    fclose(f);
  return n;
}

static long log_size(const struct squid_proxy *s) {
  char path[128];
  snprintf(path, sizeof(path), "%s/access.log", s->dir);
  struct stat st;
  return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

static void nap_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000 * 1000};
  nanosleep(&t, NULL);
}

int squid_log_settled(const struct squid_proxy *s, const char *needle) {
  long size = log_size(s);
  for (int i = 0; i < 50; i++) {
    nap_ms(100);
    long now = log_size(s);
    if (now == size)
      break;
    size = now;
  }
  return squid_log_count(s, needle);
}

int squid_log_await(const struct squid_proxy *s, const char *needle, int want) {
  long polls = test_timeout_ms(3000) / 20;
  int n = squid_log_count(s, needle);
  for (long i = 0; i < polls && n < want; i++) {
    nap_ms(20);
    n = squid_log_count(s, needle);
  }
  nap_ms(50); /* one more line would show now */
  return squid_log_count(s, needle);
}

void squid_stop(struct squid_proxy *s) {
  if (s->pid > 0)
    stop_server(s->pid);
  s->pid = 0;
  if (s->dir[0]) {
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
    if (system(cmd) != 0)
      fprintf(stderr, "squid: could not remove %s\n", s->dir);
  }
  s->dir[0] = '\0';
}

static struct squid_proxy g_shared;

const struct squid_proxy *squid_shared(void) {
  if (!g_shared.pid && squid_start(&g_shared, SQUID_REFUSED_PORT) != 0)
    return NULL;
  return &g_shared;
}

void squid_shared_stop(void) { squid_stop(&g_shared); }
