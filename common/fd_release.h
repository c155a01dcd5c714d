/* SPDX-License-Identifier: MIT */
/*
 * fd_release.h - telling whoever watches a descriptor that it is about to
 * be closed or given away. An event loop watching descriptors must stop
 * before the close: the number may come back at once for another socket,
 * and some loops (libuv) must not watch a closed one. The engine listens
 * while it steps its jobs in socket mode, on its own thread; everything
 * that closes a socket or eventfd a job may wait on calls
 * hr_fd_release first.
 */
#ifndef HTTPR_FD_RELEASE_H
#define HTTPR_FD_RELEASE_H

struct hr_fd_listener {
  void (*released)(int fd, void *ud);
  void *ud;
};

/* fd is about to be closed or handed to another owner (the pool). */
void hr_fd_release(int fd);

/* Makes l (NULL: none) this thread's listener; returns the one before,
 * for the caller to put back. */
struct hr_fd_listener *hr_fd_listen(struct hr_fd_listener *l);

#endif
