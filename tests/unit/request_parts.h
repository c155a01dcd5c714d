/* SPDX-License-Identifier: MIT */
/*
 * request_parts.h - what the request tests (test_h1_writer.c,
 * test_h2_request.c) build their requests from: a parsed URL and a header
 * list, each failing the test when it cannot be made. Include after
 * <cmocka.h>.
 */
#ifndef HTTPR_TESTS_UNIT_REQUEST_PARTS_H
#define HTTPR_TESTS_UNIT_REQUEST_PARTS_H

#include <string.h>

#include "protocol/headers.h"
#include "protocol/url.h"

static inline struct hr_url parse(const char *s) {
  struct hr_url u;
  httpr_error err = {0};
  if (hr_url_parse(s, &u, &err) != HTTPR_OK)
    fail_msg("'%s': %s", s, err.message);
  return u;
}

/* pairs: NULL-terminated name, value pairs. */
static inline void add_headers(struct hr_headers *h,
                               const char *const *pairs) {
  for (; pairs && pairs[0]; pairs += 2) {
    if (hr_headers_add(h, pairs[0], strlen(pairs[0]), pairs[1],
                       strlen(pairs[1])) != 0)
      fail_msg("out of memory");
  }
}

#endif
