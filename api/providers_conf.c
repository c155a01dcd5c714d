/* SPDX-License-Identifier: MIT */
/*
 * providers_conf.c - reads and parses the system's providers.conf (the
 * format is in providers_conf.h), once per process. It decides nothing
 * about which provider wins (api/registry.c does) and prints nothing: a
 * file it ignores keeps the reason in its result.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/providers_conf.h"
#include "common/env.h"

#ifndef HTTPR_PROVIDERS_CONF
#error "HTTPR_PROVIDERS_CONF must name the system's providers.conf"
#endif

__attribute__((format(printf, 2, 3))) static int
ignored(struct hr_providers_conf *out, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(out->error, sizeof(out->error), fmt, ap);
  va_end(ap);
  out->count = 0;
  return -1;
}

static int blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

static int name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* A word of the file as it may be shown in a message: at most 32 bytes,
 * anything unprintable as '?'. */
static const char *shown(const char *s, size_t n, char buf[36]) {
  size_t i;
  for (i = 0; i < n && i < 32; i++)
    buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
  if (n > 32)
    memcpy(buf + i, "...", 4);
  else
    buf[i] = '\0';
  return buf;
}

/* The names after "order =": s[0..n) is the rest of the line. */
static int parse_order(const char *s, size_t n, size_t line,
                       struct hr_providers_conf *out) {
  char buf[36];
  size_t at = 0;
  out->count = 0;
  while (at < n) {
    if (blank(s[at]) || s[at] == ',') {
      at++;
      continue;
    }
    size_t start = at;
    while (at < n && !blank(s[at]) && s[at] != ',')
      at++;
    size_t len = at - start;
    for (size_t i = start; i < at; i++) {
      if (!name_char(s[i]))
        return ignored(out, "line %zu: bad provider name \"%s\"", line,
                       shown(s + start, len, buf));
    }
    if (len >= HR_CONF_NAME_SIZE)
      return ignored(out, "line %zu: provider name longer than %d bytes", line,
                     HR_CONF_NAME_SIZE - 1);
    if (out->count == HR_CONF_MAX_NAMES)
      return ignored(out, "line %zu: more than %d names", line,
                     HR_CONF_MAX_NAMES);
    memcpy(out->names[out->count], s + start, len);
    out->names[out->count][len] = '\0';
    out->count++;
  }
  if (out->count == 0)
    return ignored(out, "line %zu: order names no provider", line);
  return 0;
}

/* One line, without its newline. *seen counts the order lines so far. */
static int parse_line(const char *s, size_t n, size_t line, int *seen,
                      struct hr_providers_conf *out) {
  static const char key[] = "order";
  char buf[36];
  const char *hash = memchr(s, '#', n);
  if (hash)
    n = (size_t)(hash - s);
  size_t at = 0;
  while (at < n && blank(s[at]))
    at++;
  if (at == n)
    return 0;
  size_t start = at;
  while (at < n && !blank(s[at]) && s[at] != '=')
    at++;
  if (at - start != sizeof(key) - 1 || memcmp(s + start, key, at - start))
    return ignored(out, "line %zu: unknown setting \"%s\"", line,
                   shown(s + start, at - start, buf));
  while (at < n && blank(s[at]))
    at++;
  if (at == n || s[at] != '=')
    return ignored(out, "line %zu: \"=\" expected after \"order\"", line);
  if ((*seen)++)
    return ignored(out, "line %zu: order given twice", line);
  return parse_order(s + at + 1, n - at - 1, line, out);
}

int hr_providers_conf_parse(const char *text, size_t len,
                            struct hr_providers_conf *out) {
  size_t at = 0, line = 0;
  int seen = 0;
  out->count = 0;
  out->error[0] = '\0';
  while (at < len) {
    const char *nl = memchr(text + at, '\n', len - at);
    size_t end = nl ? (size_t)(nl - text) : len;
    line++;
    if (end - at > HR_CONF_MAX_LINE)
      return ignored(out, "line %zu: longer than %d bytes", line,
                     HR_CONF_MAX_LINE);
    if (parse_line(text + at, end - at, line, &seen, out) != 0)
      return -1;
    at = end + 1;
  }
  return 0;
}

int hr_providers_conf_read(const char *path, struct hr_providers_conf *out) {
  int rc = -1;
  char *text = NULL;
  size_t len = 0;
  struct stat st;
  memset(out, 0, sizeof(*out));
  snprintf(out->path, sizeof(out->path), "%s", path);
  /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT)
      return 0;
    return ignored(out, "cannot be opened: %s", strerror(errno));
  }
  if (fstat(fd, &st) != 0) {
    ignored(out, "cannot be read: %s", strerror(errno));
    goto done;
  }
  if (!S_ISREG(st.st_mode)) {
    ignored(out, "not a regular file");
    goto done;
  }
  if (st.st_size > HR_CONF_MAX_SIZE) {
    ignored(out, "larger than %d bytes", HR_CONF_MAX_SIZE);
    goto done;
  }
  text = malloc(HR_CONF_MAX_SIZE + 1);
  if (!text) {
    ignored(out, "cannot be read: %s", strerror(ENOMEM));
    goto done;
  }
  /* Up to one byte more than allowed: a file that grew since fstat. */
  while (len <= HR_CONF_MAX_SIZE) {
    ssize_t got = read(fd, text + len, HR_CONF_MAX_SIZE + 1 - len);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      ignored(out, "cannot be read: %s", strerror(errno));
      goto done;
    }
    if (got == 0)
      break;
    len += (size_t)got;
  }
  if (len > HR_CONF_MAX_SIZE) {
    ignored(out, "larger than %d bytes", HR_CONF_MAX_SIZE);
    goto done;
  }
  rc = hr_providers_conf_parse(text, len, out);
done:
  free(text);
  close(fd);
  return rc;
}

static struct hr_providers_conf system_conf;
static pthread_once_t system_once = PTHREAD_ONCE_INIT;

static void read_system(void) {
  const char *path = hr_env_get(HR_ENV_HTTPR_PROVIDERS_CONF);
  hr_providers_conf_read(path ? path : HTTPR_PROVIDERS_CONF, &system_conf);
}

const struct hr_providers_conf *hr_providers_conf_system(void) {
  pthread_once(&system_once, read_system);
  return &system_conf;
}
