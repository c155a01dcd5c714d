/* SPDX-License-Identifier: MIT */
/*
 * resolver.h - name resolution off the caller's thread: getaddrinfo (so
 * /etc/nsswitch.conf and /etc/hosts count, as for Debian's libcurl) runs
 * on a small pool of threads, and the caller waits for the answer on a
 * descriptor, with poll and its own deadline. So a resolution is bounded
 * by the connect timeout, and an event loop is never blocked by one.
 *
 * The pool starts a thread only when a job finds none idle, at most
 * HR_RESOLVER_THREADS of them, and a thread ends after HR_RESOLVER_IDLE_MS
 * without work: a program that stops resolving keeps no thread. They are
 * the only threads the library starts for itself. A job its caller gives
 * up (a deadline passed) is abandoned: the pool frees it, and its answer,
 * when getaddrinfo returns. After fork() the child starts with an empty
 * pool.
 */
#ifndef HTTPR_RESOLVER_H
#define HTTPR_RESOLVER_H

#include <netdb.h>

#define HR_RESOLVER_THREADS 4
#define HR_RESOLVER_IDLE_MS 10000

struct hr_resolve_job;

/* Starts resolving name and port (a number) for SOCK_STREAM, with
 * AI_ADDRCONFIG and, when that finds nothing, again without it (it hides
 * ::1 and 127.0.0.1 on a host with only loopback). NULL when out of
 * memory or no descriptor or thread could be had. */
struct hr_resolve_job *hr_resolve_start(const char *name, const char *port);

/* The descriptor that becomes readable when the answer is in. */
int hr_resolve_fd(const struct hr_resolve_job *job);

/* 1 once the answer is in (the descriptor was readable), else 0. */
int hr_resolve_done(struct hr_resolve_job *job);

/* The answer of a job that is done (never before): getaddrinfo's code, and on 0 its list
 * in *list (the caller's, for freeaddrinfo). Frees the job. */
int hr_resolve_finish(struct hr_resolve_job *job, struct addrinfo **list);

/* Gives up a job, done or not: it is freed now or when its answer comes. */
void hr_resolve_abandon(struct hr_resolve_job *job);

/* For the tests: the lookup the pool calls instead of getaddrinfo (NULL:
 * getaddrinfo again), and the idle time after which a thread ends (0:
 * HR_RESOLVER_IDLE_MS). Set before any job is started. */
typedef int (*hr_lookup_fn)(const char *name, const char *port,
                            const struct addrinfo *hints,
                            struct addrinfo **list);
void hr_resolver_testing(hr_lookup_fn lookup, int idle_ms);

/* The pool's threads now, for the tests. */
int hr_resolver_threads(void);

#endif
