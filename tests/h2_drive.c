/* SPDX-License-Identifier: MIT */
/*
 * h2_drive.c - HTTP/2 streams run to their end from the calling thread
 * (see h2_drive.h): poll, turn, look whether the streams ended.
 */
#include "tests/h2_drive.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"

/* Waits for fds until wake_at (ms); revents are 0 where nothing came. */
static void wait_for(struct pollfd *fds, size_t n, int64_t wake_at) {
  int timeout = 60000;
  if (wake_at != HR_NO_DEADLINE) {
    int64_t left = wake_at - hr_now_ms();
    timeout = left <= 0 ? 0 : left > 60000 ? 60000 : (int)left;
  }
  if (poll(fds, n, timeout) < 0)
    for (size_t i = 0; i < n; i++)
      fds[i].revents = 0; /* EINTR: turn, then wait again */
}

httpr_code hr_h2_exchange(struct hr_h2 *h2, const struct hr_h2_request *rq,
                          const struct hr_h1_callbacks *cb, void *ud,
                          const struct hr_bounds *bounds,
                          struct hr_h2_outcome *out, httpr_error *err) {
  memset(out, 0, sizeof(*out));
  struct hr_h2_owner owner;
  hr_h2_owner_init(&owner);
  int refused;
  struct hr_h2_stream *s =
      hr_h2_stream_start(h2, &owner, rq, cb, ud, bounds, err, &refused);
  if (!s) {
    out->refused = refused;
    return err->code;
  }
  struct pollfd fds[HR_H2_MAX_FDS];
  size_t n = 0;
  httpr_code rc;
  /* The first turn sends the request; each next one follows a wait. A
   * stream always ends: by its bounds at the latest. */
  for (;;) {
    hr_h2_turn(h2, &owner, fds, n, hr_now_ms());
    if (hr_h2_stream_done(s, &rc, out, err))
      break;
    int64_t wake_at = HR_NO_DEADLINE;
    n = hr_h2_want(h2, &owner, fds, &wake_at);
    wait_for(fds, n, wake_at);
  }
  hr_h2_stream_free(h2, s);
  hr_h2_owner_clear(&owner);
  return rc;
}

void hr_h2_run_jobs(struct hr_h2 *h2, struct hr_h2_job *jobs, size_t n,
                    size_t window) {
  struct hr_h2_stream **mine = calloc(window ? window : 1, sizeof(*mine));
  struct hr_h2_job **job_of = calloc(window ? window : 1, sizeof(*job_of));
  size_t next = 0, active = 0;
  struct hr_h2_owner owner;
  hr_h2_owner_init(&owner);
  struct pollfd fds[HR_H2_MAX_FDS];
  size_t nfds = 0;
  for (;;) {
    /* Keep `window` streams in flight while jobs are left. */
    while (mine && job_of && active < window && next < n) {
      struct hr_h2_job *j = &jobs[next++];
      int refused;
      memset(&j->out, 0, sizeof(j->out));
      struct hr_h2_stream *s = hr_h2_stream_start(
          h2, &owner, &j->rq, j->cb, j->ud, &j->bounds, &j->err, &refused);
      if (!s) {
        j->rc = j->err.code;
        j->out.refused = refused;
        continue;
      }
      mine[active] = s;
      job_of[active++] = j;
    }
    if (active == 0)
      break;
    hr_h2_turn(h2, &owner, fds, nfds, hr_now_ms());
    nfds = 0;
    int finished = 0;
    for (size_t i = 0; i < active;) {
      struct hr_h2_job *j = job_of[i];
      if (!hr_h2_stream_done(mine[i], &j->rc, &j->out, &j->err)) {
        i++;
        continue;
      }
      hr_h2_stream_free(h2, mine[i]);
      mine[i] = mine[--active];
      job_of[i] = job_of[active];
      finished = 1;
    }
    if (finished)
      continue; /* start the next ones first */
    int64_t wake_at = HR_NO_DEADLINE;
    nfds = hr_h2_want(h2, &owner, fds, &wake_at);
    wait_for(fds, nfds, wake_at);
  }
  for (; next < n; next++) /* no memory for the list of streams */
    jobs[next].rc = hr_nomem(&jobs[next].err);
  hr_h2_owner_clear(&owner);
  free(mine);
  free(job_of);
}
