/*
 * keylog.c - the NSS key log file, opened only when the config or
 * SSLKEYLOGFILE names one (the config wins), and appended to one whole
 * line per write() under a lock, so lines from concurrent connections and
 * from other processes appending to the same file never interleave.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/env.h"
#include "backends/keylog.h"

struct hr_keylog {
  int fd;
  pthread_mutex_t lock;
};

httpr_code hr_keylog_open(const char *cfg_path, struct hr_keylog **out,
                          httpr_error *err) {
  *out = NULL;
  const char *env = hr_env_get(HR_ENV_SSLKEYLOGFILE);
  const char *path = cfg_path ? cfg_path : env;
  if (!path)
    return HTTPR_OK;
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    int e = errno;
    if (!cfg_path)
      return HTTPR_OK; /* a stray SSLKEYLOGFILE never breaks a request */
    hr_fail(err, HTTPR_E_INVALID, "key log file '%s' cannot be opened: %s",
            path, strerror(e));
    hr_detail(err, "errno %d", e);
    return err->code;
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
