/* SPDX-License-Identifier: MIT */
/*
 * cert_path.c - links a server's certificates into a path by names, as
 * cert_path.h says. Bounded by HR_POLICY_MAX_PATH: a longer path is
 * marked as overflowing, which the policy refuses as too long.
 */
#include <string.h>

#include "backends/cert_path.h"
#include "backends/x509_cert.h"

static int same_bytes(const struct hr_der *a, const struct hr_der *b) {
  return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

/* The index of an unused sent certificate whose subject is name, or
 * count when there is none. */
static size_t find_sent(const struct hr_der *sent, size_t count,
                        const int *used, const struct hr_der *name) {
  for (size_t i = 1; i < count; i++) {
    struct hr_cert c;
    if (!used[i] && hr_cert_parse(sent[i].p, sent[i].len, &c) == 0 &&
        same_bytes(&c.subject, name))
      return i;
  }
  return count;
}

int hr_path_link(const struct hr_der *sent, size_t count,
                 hr_anchor_fn find_anchor, void *ud,
                 struct hr_cert_path *path) {
  int used[HR_POLICY_MAX_PATH * 2] = {0};
  struct hr_der cur;
  path->count = 0;
  path->overflow = 0;
  if (count == 0)
    return 0;
  if (count > sizeof(used) / sizeof(used[0]))
    count = sizeof(used) / sizeof(used[0]);
  cur = sent[0];
  used[0] = 1;
  for (;;) {
    struct hr_cert c;
    struct hr_der anchor;
    hr_path_add(path, cur.p, cur.len);
    if (path->overflow || hr_cert_parse(cur.p, cur.len, &c) != 0)
      return 0;
    if (find_anchor(ud, &c.issuer, &anchor)) {
      if (same_bytes(&anchor, &cur))
        return 1; /* this one is trusted itself */
      hr_path_add(path, anchor.p, anchor.len);
      return !path->overflow;
    }
    if (hr_cert_self_issued(&c))
      return 0; /* a root nobody trusts */
    size_t next = find_sent(sent, count, used, &c.issuer);
    if (next == count)
      return 0;
    used[next] = 1;
    cur = sent[next];
  }
}
