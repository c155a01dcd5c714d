/* SPDX-License-Identifier: MIT */
/*
 * fuzz_connect_reply.c - libFuzzer target for the CONNECT reply parser
 * (protocol/proxy_connect.c). The first byte chooses the size of the
 * pieces the rest is fed in (1 to 256) and, with the second, the head's
 * limit; the parser must never take more than its limit, count each
 * byte once, end with a status of three digits or a clear error, and
 * give the same answer in every split.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/proxy_connect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT 70000

/* Feeds data in pieces of step: the final state, status and head length. */
static enum hr_connect_reply_state run(const char *data, size_t size,
                                       size_t step, size_t max, int *status,
                                       size_t *head) {
  struct hr_connect_reply r;
  httpr_error err;
  if (hr_connect_reply_init(&r, max) != 0)
    abort();
  enum hr_connect_reply_state st = HR_CONNECT_REPLY_MORE;
  size_t taken = 0;
  for (size_t at = 0; at < size && st == HR_CONNECT_REPLY_MORE;) {
    size_t n = size - at < step ? size - at : step;
    size_t used = 0;
    st = hr_connect_reply_feed(&r, data + at, n, &used, &err);
    if (st != HR_CONNECT_REPLY_ERROR && used > n)
      abort();
    taken += st == HR_CONNECT_REPLY_ERROR ? 0 : used;
    at += n;
  }
  if (r.len > max || (st != HR_CONNECT_REPLY_ERROR && r.len != taken))
    abort();
  if (st == HR_CONNECT_REPLY_DONE && (r.status < 0 || r.status > 999))
    abort();
  if (st == HR_CONNECT_REPLY_ERROR && (!err.code || !err.message[0]))
    abort();
  *status = r.status;
  *head = r.len;
  hr_connect_reply_free(&r);
  return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2 || size > MAX_INPUT)
    return 0;
  size_t step = (size_t)data[0] + 1;
  size_t max = 16 + (size_t)data[1] * 64;
  const char *text = (const char *)data + 2;
  size -= 2;
  int status_a, status_b;
  size_t head_a, head_b;
  enum hr_connect_reply_state a =
      run(text, size, step, max, &status_a, &head_a);
  enum hr_connect_reply_state b =
      run(text, size, size ? size : 1, max, &status_b, &head_b);
  if (a != b || (a == HR_CONNECT_REPLY_DONE &&
                 (status_a != status_b || head_a != head_b)))
    abort();
  return 0;
}
