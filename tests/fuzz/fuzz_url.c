/* SPDX-License-Identifier: MIT */
/*
 * fuzz_url.c - libFuzzer target for protocol/url.c. The input, up to its
 * first newline, is parsed as a URL; what follows is resolved against it
 * (or against the RFC 3986 example base when the first part is refused).
 * Every URL accepted must print back to a string that parses to the same
 * origin and target.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT 20000

/* to_string of u must parse again to the same URL: what the library sends
 * or follows is what it parsed. */
static void check_round_trip(const struct hr_url *u) {
  char *s = hr_url_to_string(u);
  struct hr_url again;
  httpr_error err;
  if (!s)
    abort();
  if (strlen(s) <= 8192) {
    if (hr_url_parse(s, &again, &err) != HTTPR_OK)
      abort();
    if (again.https != u->https || again.port != u->port ||
        again.host_is_ipv6 != u->host_is_ipv6 ||
        strcmp(again.host, u->host) != 0 ||
        strcmp(again.target, u->target) != 0 || !hr_url_same_origin(&again, u))
      abort();
    hr_url_free(&again);
  }
  free(s);
}

static void check_url(const struct hr_url *u) {
  char auth[64];
  struct hr_url copy;
  httpr_error err;
  if (!u->host[0] || u->target[0] != '/' || u->port < 1 || u->port > 65535)
    abort();
  for (const char *t = u->target; *t; t++) {
    if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7f || *t == '#')
      abort();
  }
  size_t n = hr_url_authority(u, auth, sizeof(auth));
  if (n >= sizeof(auth) || (n && strlen(auth) != n))
    abort();
  if (hr_url_copy(&copy, u, &err) != HTTPR_OK || !hr_url_same_origin(&copy, u))
    abort();
  hr_url_free(&copy);
  check_round_trip(u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > MAX_INPUT)
    return 0;
  char *s = malloc(size + 1);
  if (!s)
    return 0;
  memcpy(s, data, size);
  s[size] = '\0';
  char *ref = strchr(s, '\n');
  if (ref)
    *ref++ = '\0';
  struct hr_url base, out;
  httpr_error err;
  if (hr_url_parse(s, &base, &err) == HTTPR_OK)
    check_url(&base);
  else if (hr_url_parse("http://a/b/c/d;p?q", &base, &err) != HTTPR_OK)
    abort();
  if (ref && hr_url_resolve(&base, ref, &out, &err) == HTTPR_OK) {
    check_url(&out);
    hr_url_free(&out);
  }
  hr_url_free(&base);
  free(s);
  return 0;
}
