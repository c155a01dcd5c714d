/* SPDX-License-Identifier: MIT */
/*
 * error.c - the helpers every layer fills an error with (hr_fail, hr_detail,
 * hr_hint, hr_nomem). The public accessors are api/error.c's.
 */
#include <stdarg.h>
#include <stdio.h>

#include "common/error.h"

__attribute__((format(printf, 3, 0))) static void
vformat(char *dst, size_t cap, const char *fmt, va_list ap) {
  vsnprintf(dst, cap, fmt, ap);
}

httpr_code hr_fail(httpr_error *err, httpr_code code, const char *fmt, ...) {
  va_list ap;
  err->code = code;
  va_start(ap, fmt);
  vformat(err->message, sizeof(err->message), fmt, ap);
  va_end(ap);
  err->detail[0] = '\0';
  err->hint[0] = '\0';
  err->http2 = 0;
  return code;
}

void hr_detail(httpr_error *err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vformat(err->detail, sizeof(err->detail), fmt, ap);
  va_end(ap);
}

void hr_hint(httpr_error *err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vformat(err->hint, sizeof(err->hint), fmt, ap);
  va_end(ap);
}

httpr_code hr_prefix_message(httpr_error *err, const char *prefix) {
  char was[sizeof(err->message)];
  snprintf(was, sizeof(was), "%s", err->message); /* not read as written */
  snprintf(err->message, sizeof(err->message), "%s%s", prefix, was);
  return err->code;
}

httpr_code hr_nomem(httpr_error *err) {
  return hr_fail(err, HTTPR_E_NOMEM, "out of memory");
}

