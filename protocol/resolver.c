/* SPDX-License-Identifier: MIT */
/*
 * resolver.c - getaddrinfo on a small pool of threads (resolver.h). One
 * lock guards the queue, the threads' slots and every job's state; a job
 * has two owners, its caller and the pool, and whichever lets go last
 * frees it. Threads are joinable: one that ended idle is joined by the
 * next start, and at exit every idle one is woken and joined, so that
 * nothing a thread holds (glibc's per-thread resolver state, its stack)
 * is left for a leak checker.
 */
#include "protocol/resolver.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "common/fd_release.h"

struct hr_resolve_job {
  struct hr_resolve_job *next; /* in the queue */
  char *name, *port;
  int fd;        /* eventfd, written once the answer is in */
  int done;      /* the answer is in */
  int abandoned; /* the caller let go first */
  int rc;
  struct addrinfo *list;
};

/* A worker's slot: free, running, or ended and waiting to be joined. */
enum slot_state { SLOT_FREE, SLOT_RUNNING, SLOT_ENDED };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER;
static struct hr_resolve_job *head, *tail;
static int threads, idle, stopping;
static pthread_t slot_id[HR_RESOLVER_THREADS];
static enum slot_state slot[HR_RESOLVER_THREADS];
static hr_lookup_fn lookup = getaddrinfo;
static int idle_ms = HR_RESOLVER_IDLE_MS;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void job_free(struct hr_resolve_job *job) {
  if (job->list)
    freeaddrinfo(job->list);
  if (job->fd >= 0) {
    hr_fd_release(job->fd);
    close(job->fd);
  }
  free(job->name);
  free(job->port);
  free(job);
}

/* fork() happens with the lock held, so the child's copy of the pool is
 * whole. The child has none of the parent's threads, and no caller of the
 * parent's jobs: it starts with an empty pool (their memory is lost to
 * it, once) and a new condition variable, whose old one still counts the
 * parent's waiters. */
static void before_fork(void) { pthread_mutex_lock(&lock); }

static void after_fork_in_parent(void) { pthread_mutex_unlock(&lock); }

static void after_fork_in_child(void) {
  pthread_cond_init(&work, NULL);
  head = tail = NULL;
  threads = idle = stopping = 0;
  memset(slot, 0, sizeof(slot));
  pthread_mutex_unlock(&lock);
}

static void register_fork_handler(void) {
  pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
}

static int resolve_now(hr_lookup_fn fn, const struct hr_resolve_job *job,
                       struct addrinfo **list) {
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
                           .ai_family = AF_UNSPEC,
                           .ai_flags = AI_ADDRCONFIG};
  int rc = fn(job->name, job->port, &hints, list);
  if (rc == EAI_ADDRFAMILY || rc == EAI_NONAME) {
    hints.ai_flags = 0;
    rc = fn(job->name, job->port, &hints, list);
  }
  return rc;
}

static void complete(struct hr_resolve_job *job, int rc,
                     struct addrinfo *list) {
  pthread_mutex_lock(&lock);
  job->rc = rc;
  job->list = rc == 0 ? list : NULL;
  job->done = 1;
  int mine = job->abandoned;
  if (!mine) {
    uint64_t one = 1;
    ssize_t n = write(job->fd, &one, sizeof(one));
    (void)n; /* an eventfd takes 8 bytes unless it overflows: never here */
  }
  pthread_mutex_unlock(&lock);
  if (mine)
    job_free(job);
}

/* The wall-clock time ms from now, as pthread's timed waits take it. */
static struct timespec realtime_in(long ms) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  t.tv_sec += ms / 1000;
  t.tv_nsec += (ms % 1000) * 1000000L;
  if (t.tv_nsec >= 1000000000L) {
    t.tv_sec++;
    t.tv_nsec -= 1000000000L;
  }
  return t;
}

/* Takes the next job, or waits for one until the idle time runs out (or
 * the process exits): NULL then, and the thread is counted out. Called
 * with the lock held. */
static struct hr_resolve_job *next_job(int me) {
  struct timespec until = realtime_in(idle_ms);
  while (!head) {
    int rc = stopping ? ETIMEDOUT : 0;
    if (!stopping) {
      idle++;
      rc = pthread_cond_timedwait(&work, &lock, &until);
      idle--;
    }
    if ((rc == ETIMEDOUT || stopping) && !head) {
      threads--;
      slot[me] = SLOT_ENDED;
      return NULL;
    }
  }
  struct hr_resolve_job *job = head;
  head = job->next;
  if (!head)
    tail = NULL;
  return job;
}

static void *worker(void *arg) {
  int me = (int)(intptr_t)arg;
  pthread_mutex_lock(&lock);
  struct hr_resolve_job *job;
  while ((job = next_job(me)) != NULL) {
    if (job->abandoned) { /* given up before it started */
      pthread_mutex_unlock(&lock);
      job_free(job);
      pthread_mutex_lock(&lock);
      continue;
    }
    hr_lookup_fn fn = lookup;
    pthread_mutex_unlock(&lock);
    struct addrinfo *list = NULL;
    int rc = resolve_now(fn, job, &list);
    complete(job, rc, list);
    pthread_mutex_lock(&lock);
  }
  pthread_mutex_unlock(&lock);
  return NULL;
}

/* Joins the threads that ended idle (at once: they have returned).
 * Called with the lock held. */
static void join_ended(void) {
  for (int i = 0; i < HR_RESOLVER_THREADS; i++) {
    if (slot[i] == SLOT_ENDED) {
      pthread_join(slot_id[i], NULL);
      slot[i] = SLOT_FREE;
    }
  }
}

/* A thread in a free slot, taking no signal: they stay the program's.
 * Called with the lock held. 0, or an errno value. */
static int start_thread(void) {
  join_ended();
  int me = 0;
  while (me < HR_RESOLVER_THREADS && slot[me] != SLOT_FREE)
    me++;
  if (me == HR_RESOLVER_THREADS)
    return EAGAIN;
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int rc = pthread_create(&slot_id[me], NULL, worker, (void *)(intptr_t)me);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (rc == 0) {
    slot[me] = SLOT_RUNNING;
    threads++;
  }
  return rc;
}

/* At exit (or when libhttpr is unloaded): idle threads are woken and
 * joined; one still inside getaddrinfo is given EXIT_WAIT_MS, then left
 * behind, so that exit is never held up by a hanging lookup. */
#define EXIT_WAIT_MS 100

__attribute__((destructor)) static void drain_at_exit(void) {
  pthread_mutex_lock(&lock);
  stopping = 1;
  pthread_cond_broadcast(&work);
  pthread_t ids[HR_RESOLVER_THREADS];
  int n = 0;
  for (int i = 0; i < HR_RESOLVER_THREADS; i++) {
    if (slot[i] != SLOT_FREE) {
      ids[n++] = slot_id[i];
      slot[i] = SLOT_FREE;
    }
  }
  pthread_mutex_unlock(&lock);
  struct timespec until = realtime_in(EXIT_WAIT_MS);
  for (int i = 0; i < n; i++)
    pthread_timedjoin_np(ids[i], NULL, &until);
}

struct hr_resolve_job *hr_resolve_start(const char *name, const char *port) {
  pthread_once(&once, register_fork_handler);
  struct hr_resolve_job *job = calloc(1, sizeof(*job));
  if (!job)
    return NULL;
  job->name = strdup(name);
  job->port = strdup(port);
  job->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (!job->name || !job->port || job->fd < 0) {
    job_free(job);
    return NULL;
  }
  pthread_mutex_lock(&lock);
  int queued = 1;
  if (idle == 0 && threads < HR_RESOLVER_THREADS && start_thread() != 0 &&
      threads == 0)
    queued = 0; /* no thread at all to run it */
  if (queued) {
    if (tail)
      tail->next = job;
    else
      head = job;
    tail = job;
    pthread_cond_signal(&work);
  }
  pthread_mutex_unlock(&lock);
  if (!queued) {
    job_free(job);
    return NULL;
  }
  return job;
}

int hr_resolve_fd(const struct hr_resolve_job *job) { return job->fd; }

int hr_resolve_done(struct hr_resolve_job *job) {
  pthread_mutex_lock(&lock);
  int done = job->done;
  pthread_mutex_unlock(&lock);
  return done;
}

int hr_resolve_finish(struct hr_resolve_job *job, struct addrinfo **list) {
  pthread_mutex_lock(&lock);
  int rc = job->rc;
  *list = job->list;
  job->list = NULL;
  pthread_mutex_unlock(&lock);
  job_free(job);
  return rc;
}

void hr_resolve_abandon(struct hr_resolve_job *job) {
  pthread_mutex_lock(&lock);
  int mine = job->done;
  job->abandoned = 1;
  pthread_mutex_unlock(&lock);
  if (mine)
    job_free(job);
}

void hr_resolver_testing(hr_lookup_fn fn, int ms) {
  pthread_mutex_lock(&lock);
  lookup = fn ? fn : getaddrinfo;
  idle_ms = ms > 0 ? ms : HR_RESOLVER_IDLE_MS;
  pthread_mutex_unlock(&lock);
}

int hr_resolver_threads(void) {
  pthread_mutex_lock(&lock);
  join_ended();
  int n = threads;
  pthread_mutex_unlock(&lock);
  return n;
}
