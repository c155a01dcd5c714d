/* SPDX-License-Identifier: MIT */
/*
 * fd_release.c - the thread's listener for descriptors about to be
 * released (see fd_release.h).
 */
#include "common/fd_release.h"

#include <stddef.h>

static __thread struct hr_fd_listener *listener;

void hr_fd_release(int fd) {
  if (listener && fd >= 0)
    listener->released(fd, listener->ud);
}

struct hr_fd_listener *hr_fd_listen(struct hr_fd_listener *l) {
  struct hr_fd_listener *before = listener;
  listener = l;
  return before;
}
