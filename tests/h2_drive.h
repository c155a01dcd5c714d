/* SPDX-License-Identifier: MIT */
/*
 * h2_drive.h - HTTP/2 streams run to their end from the calling thread,
 * for the tests that drive protocol/h2.h without the library's engine
 * (tests/unit/test_h2_step.c, tests/fuzz/fuzz_h2_response.c): poll loops
 * over the stream API with one owner each, as the engine does.
 */
#ifndef HTTPR_TESTS_H2_DRIVE_H
#define HTTPR_TESTS_H2_DRIVE_H

#include "protocol/h2.h"

/* Runs one request on the connection until its stream ends: the
 * callbacks get the final response's status (version 20), headers, end
 * of head, body, then any trailers as more headers. Each wait ends by
 * the bounds' next wake-up. Returns HTTPR_OK once the stream ended
 * cleanly, else the stream's failure (see hr_h2_stream_done); out tells
 * whether a retry elsewhere would be safe. */
httpr_code hr_h2_exchange(struct hr_h2 *h2, const struct hr_h2_request *rq,
                          const struct hr_h1_callbacks *cb, void *ud,
                          const struct hr_bounds *bounds,
                          struct hr_h2_outcome *out, httpr_error *err);

/* One request of a batch run by hr_h2_run_jobs: the same inputs as
 * hr_h2_exchange, and its result. */
struct hr_h2_job {
  struct hr_h2_request rq;
  const struct hr_h1_callbacks *cb;
  void *ud;
  struct hr_bounds bounds; /* started by the caller */
  httpr_code rc;
  struct hr_h2_outcome out;
  httpr_error err;
};

/* Runs the jobs as streams of the connection, keeping up to `window` in
 * flight (a finished one is replaced at once), as one owner polling once
 * for all of them. Each job's rc, out and err say how it went. */
void hr_h2_run_jobs(struct hr_h2 *h2, struct hr_h2_job *jobs, size_t n,
                    size_t window);

#endif
