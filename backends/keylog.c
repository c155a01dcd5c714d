/* SPDX-License-Identifier: MIT */
/*
 * keylog.c - the NSS key log file, opened only when the config or
 * SSLKEYLOGFILE names one (the config wins), and appended to one whole
 * line per write() under a lock, so lines from concurrent connections and
 * from other processes appending to the same file never interleave.
 *
 * The file receives every session secret, so it must be the user's own:
 * opened without following a symbolic link (O_NOFOLLOW), then checked on
 * the descriptor (no race with a rename): a regular file with one link,
 * owned by the effective user, that neither group nor others may write.
 * Anything else is refused, not "fixed": a link planted where the user
 * expects a key log would otherwise make httpr append secrets to the
 * link's target.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/env.h"
#include "common/wipe.h"
#include "backends/keylog.h"

struct hr_keylog {
  int fd;
  pthread_mutex_t lock;
};

/* Where a path came from, for the messages. */
struct source {
  const char *path;
  const char *from; /* "" for the config, " (from SSLKEYLOGFILE)" */
};

static httpr_code refused(httpr_error *err, const struct source *src,
                          const char *why) {
  hr_fail(err, HTTPR_E_INVALID, "key log file '%s'%s refused: %s", src->path,
          src->from, why);
  hr_hint(err, "a key log holds session secrets: name a regular file of "
               "your own that only you can write (created 0600 when absent)");
  return err->code;
}

/* Why the descriptor's file is no place for secrets, or NULL. */
static const char *unsafe_file(const struct stat *st, char *why, size_t cap) {
  if (!S_ISREG(st->st_mode))
    return "it is not a regular file";
  if (st->st_nlink != 1) {
    snprintf(why, cap, "it has %lu hard links", (unsigned long)st->st_nlink);
    return why;
  }
  if (st->st_uid != geteuid()) {
    snprintf(why, cap, "it belongs to another user (uid %lu)",
             (unsigned long)st->st_uid);
    return why;
  }
  if (st->st_mode & (S_IWGRP | S_IWOTH)) {
    snprintf(why, cap, "group or others may write to it (mode %04o)",
             (unsigned)(st->st_mode & 07777));
    return why;
  }
  return NULL;
}

/* A failed open: the path itself tells a link or a special file apart
 * from a plain error (O_NOFOLLOW answers ELOOP for a link, a FIFO without
 * reader ENXIO, a directory EISDIR). */
static httpr_code open_failed(httpr_error *err, const struct source *src,
                              int e) {
  struct stat st;
  if (lstat(src->path, &st) == 0 && S_ISLNK(st.st_mode))
    return refused(err, src, "it is a symbolic link");
  if (e != ENOENT && lstat(src->path, &st) == 0 && !S_ISREG(st.st_mode))
    return refused(err, src, "it is not a regular file");
  hr_fail(err, HTTPR_E_INVALID, "key log file '%s'%s cannot be opened: %s",
          src->path, src->from, strerror(e));
  hr_detail(err, "errno %d", e);
  return err->code;
}

/* Opens for appending, creating the file 0600 (O_NONBLOCK: a FIFO must
 * not block the open; a regular file ignores the flag). */
static httpr_code open_private(const struct source *src, int *fd,
                               httpr_error *err) {
  int f = open(src->path,
               O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
                   O_NOCTTY | O_NONBLOCK,
               0600);
  if (f < 0)
    return open_failed(err, src, errno);
  struct stat st;
  char why[96];
  const char *unsafe = NULL;
  if (fstat(f, &st) != 0) {
    int e = errno;
    close(f);
    return open_failed(err, src, e);
  }
  if ((unsafe = unsafe_file(&st, why, sizeof(why)))) {
    close(f);
    return refused(err, src, unsafe);
  }
  *fd = f;
  return HTTPR_OK;
}

httpr_code hr_keylog_open(const char *cfg_path, struct hr_keylog **out,
                          httpr_error *err, httpr_error *warning) {
  *out = NULL;
  const char *env = hr_env_get(HR_ENV_SSLKEYLOGFILE);
  struct source src = {cfg_path, ""};
  if (!cfg_path) {
    src.path = env;
    src.from = " (from SSLKEYLOGFILE)";
  }
  if (!src.path)
    return HTTPR_OK;
  int fd = -1;
  httpr_error local = {0};
  if (open_private(&src, &fd, cfg_path ? err : &local) != HTTPR_OK) {
    if (cfg_path)
      return err->code;
    /* A stray SSLKEYLOGFILE never breaks a request: no key log, and the
     * reason for whoever listens. */
    if (warning) {
      *warning = local;
      snprintf(warning->message + strlen(warning->message),
               sizeof(warning->message) - strlen(warning->message),
               "; no key log is written");
    }
    return HTTPR_OK;
  }
  struct hr_keylog *log = calloc(1, sizeof(*log));
  if (!log) {
    close(fd);
    return hr_nomem(err);
  }
  log->fd = fd;
  pthread_mutex_init(&log->lock, NULL);
  *out = log;
  return HTTPR_OK;
}

void hr_keylog_close(struct hr_keylog *log) {
  if (!log)
    return;
  close(log->fd);
  pthread_mutex_destroy(&log->lock);
  free(log);
}

/* Writes all of buf; a short write (full disk, signal) is continued. */
static void write_all(int fd, const char *buf, size_t len) {
  for (int tries = 0; len > 0 && tries < 100; tries++) {
    ssize_t n = write(fd, buf, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return; /* best effort: key logging never fails a connection */
    buf += n;
    len -= (size_t)n;
  }
}

void hr_keylog_write_line(struct hr_keylog *log, const char *line) {
  if (!log || !line)
    return;
  size_t len = strlen(line);
  char small[512];
  char *buf = len + 1 <= sizeof(small) ? small : malloc(len + 1);
  if (!buf)
    return;
  memcpy(buf, line, len);
  buf[len] = '\n';
  pthread_mutex_lock(&log->lock);
  write_all(log->fd, buf, len + 1);
  pthread_mutex_unlock(&log->lock);
  /* The copy holds a session secret. */
  hr_wipe(buf, len + 1);
  if (buf != small)
    free(buf);
}

static char *hex(char *dst, const unsigned char *src, size_t len) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < len; i++) {
    *dst++ = digits[src[i] >> 4];
    *dst++ = digits[src[i] & 0x0f];
  }
  return dst;
}

size_t hr_keylog_format(char *out, size_t cap, const char *label,
                        const unsigned char *client_random, size_t random_len,
                        const unsigned char *secret, size_t secret_len) {
  size_t label_len = strlen(label);
  size_t need = label_len + 1 + 2 * random_len + 1 + 2 * secret_len;
  if (!out || need + 1 > cap) {
    if (out && cap > 0)
      out[0] = '\0';
    return 0;
  }
  char *p = out;
  memcpy(p, label, label_len);
  p += label_len;
  *p++ = ' ';
  p = hex(p, client_random, random_len);
  *p++ = ' ';
  p = hex(p, secret, secret_len);
  *p = '\0';
  return need;
}
