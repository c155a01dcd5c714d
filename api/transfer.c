/* SPDX-License-Identifier: MIT */
/*
 * transfer.c - what the hops of a request share: which methods may be
 * sent twice.
 */
#include "api/transfer.h"

#include <string.h>

int hr_method_idempotent(const char *method) {
  static const char *const safe[] = {"GET",    "HEAD",    "PUT",
                                     "DELETE", "OPTIONS", "TRACE"};
  for (size_t i = 0; i < sizeof(safe) / sizeof(safe[0]); i++) {
    if (strcmp(method, safe[i]) == 0)
      return 1;
  }
  return 0;
}
