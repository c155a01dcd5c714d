/* SPDX-License-Identifier: MIT */
/*
 * name_constraints.c - the rules of name_constraints.h. Names come from
 * the certificate's DER (struct hr_cert), constraints from its issuers'
 * DER; both are walked as they are, nothing is copied.
 */
#include <string.h>

#include "backends/name_constraints.h"

/* GeneralName tags (RFC 5280 4.2.1.6), as they appear in DER. */
enum {
  GN_DNS = HR_DER_CONTEXT | 2,
  GN_IP = HR_DER_CONTEXT | 7,
  GN_DIR = HR_DER_CONTEXT_CONS | 4
};

/* ---- the subtrees -------------------------------------------------------- */

/* One GeneralSubtree: its base, which must be a type handled here, with
 * neither minimum (other than 0) nor maximum. */
static enum hr_nc_result read_subtree(struct hr_der subtree,
                                      struct hr_der_elem *base) {
  struct hr_der seq, min;
  uint64_t v;
  if (hr_der_take(&subtree, HR_DER_SEQUENCE, &seq) != 0 || subtree.len != 0 ||
      hr_der_next(&seq, base) != 0)
    return HR_NC_MALFORMED;
  int r = hr_der_take_optional(&seq, HR_DER_CONTEXT | 0, &min);
  if (r < 0)
    return HR_NC_MALFORMED;
  if (r == 1 && (hr_der_uint(&min, &v) != 0 || v != 0))
    return HR_NC_UNSUPPORTED;
  if (seq.len != 0)
    return HR_NC_UNSUPPORTED; /* a maximum, or more */
  if (base->tag != GN_DNS && base->tag != GN_IP && base->tag != GN_DIR)
    return HR_NC_UNSUPPORTED;
  if (base->tag == GN_IP && base->value.len != 8 && base->value.len != 32)
    return HR_NC_MALFORMED;
  return HR_NC_OK;
}

/* The permitted ([0]) and excluded ([1]) GeneralSubtrees. */
static enum hr_nc_result split(const struct hr_der *constraints,
                               struct hr_der *permitted,
                               struct hr_der *excluded) {
  struct hr_der in = *constraints;
  permitted->p = excluded->p = NULL;
  permitted->len = excluded->len = 0;
  if (hr_der_take_optional(&in, HR_DER_CONTEXT_CONS | 0, permitted) < 0 ||
      hr_der_take_optional(&in, HR_DER_CONTEXT_CONS | 1, excluded) < 0 ||
      in.len != 0)
    return HR_NC_MALFORMED;
  return HR_NC_OK;
}

static enum hr_nc_result all_supported(struct hr_der subtrees) {
  while (subtrees.len > 0) {
    struct hr_der_elem one, base;
    if (hr_der_next(&subtrees, &one) != 0)
      return HR_NC_MALFORMED;
    enum hr_nc_result r = read_subtree(one.whole, &base);
    if (r != HR_NC_OK)
      return r;
  }
  return HR_NC_OK;
}

enum hr_nc_result hr_nc_supported(const struct hr_der *constraints) {
  struct hr_der permitted, excluded;
  enum hr_nc_result r = split(constraints, &permitted, &excluded);
  if (r == HR_NC_OK)
    r = all_supported(permitted);
  if (r == HR_NC_OK)
    r = all_supported(excluded);
  return r;
}

/* ---- matching one name --------------------------------------------------- */

static unsigned char lower(unsigned char c) {
  return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static int ends_with_nocase(const struct hr_der *s, const unsigned char *tail,
                            size_t tail_len) {
  if (tail_len > s->len)
    return 0;
  const unsigned char *p = s->p + s->len - tail_len;
  for (size_t i = 0; i < tail_len; i++) {
    if (lower(p[i]) != lower(tail[i]))
      return 0;
  }
  return 1;
}

/* RFC 5280: a name is within "example.org" when it is that name or has
 * labels added on the left; ".example.org" (the common extension of the
 * RFC) takes only names below it; an empty base takes every name. */
static int dns_within(const struct hr_der *name, const struct hr_der *base) {
  if (base->len == 0)
    return 1;
  if (base->p[0] == '.')
    return name->len > base->len &&
           ends_with_nocase(name, base->p, base->len);
  if (!ends_with_nocase(name, base->p, base->len))
    return 0;
  return name->len == base->len || name->p[name->len - base->len - 1] == '.';
}

/* A wildcard name "*.R" stands for every "x.R": for an excluded subtree it
 * is inside as soon as one such name would be, i.e. when the base is
 * within R or is itself one label added to R. */
static int dns_may_reach(const struct hr_der *name, const struct hr_der *base) {
  if (dns_within(name, base))
    return 1;
  if (name->len < 3 || name->p[0] != '*' || name->p[1] != '.')
    return 0;
  struct hr_der rest = {name->p + 2, name->len - 2};
  if (dns_within(&rest, base))
    return 1;
  if (base->len <= rest.len + 1 || !ends_with_nocase(base, rest.p, rest.len) ||
      base->p[base->len - rest.len - 1] != '.')
    return 0;
  size_t label = base->len - rest.len - 1;
  return memchr(base->p, '.', label) == NULL;
}

static int ip_within(const struct hr_der *addr, const struct hr_der *base) {
  size_t n = addr->len;
  if ((n != 4 && n != 16) || base->len != 2 * n)
    return 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char mask = base->p[n + i];
    if ((addr->p[i] & mask) != (base->p[i] & mask))
      return 0;
  }
  return 1;
}

/* ---- matching directory names -------------------------------------------- */

static int is_text(unsigned tag) {
  return tag == 0x0c || tag == 0x13 || tag == 0x14 || tag == 0x16 ||
         tag == 0x1a; /* UTF8, Printable, T61, IA5, Visible */
}

/* Text values compare as RFC 4518 prepares them, in short: whatever the
 * string type, without outer spaces, with inner runs of spaces as one,
 * and without regard to ASCII case. */
static int text_equal(struct hr_der a, struct hr_der b) {
  size_t i = 0, j = 0;
  while (i < a.len && a.p[i] == ' ')
    i++;
  while (j < b.len && b.p[j] == ' ')
    j++;
  while (a.len > i && a.p[a.len - 1] == ' ')
    a.len--;
  while (b.len > j && b.p[b.len - 1] == ' ')
    b.len--;
  while (i < a.len && j < b.len) {
    if (a.p[i] == ' ' && b.p[j] == ' ') {
      while (i < a.len && a.p[i] == ' ')
        i++;
      while (j < b.len && b.p[j] == ' ')
        j++;
      continue;
    }
    if (lower(a.p[i]) != lower(b.p[j]))
      return 0;
    i++;
    j++;
  }
  return i == a.len && j == b.len;
}

static int attribute_equal(struct hr_der a, struct hr_der b) {
  struct hr_der ta, tb;
  struct hr_der_elem va, vb;
  if (hr_der_take(&a, HR_DER_OID, &ta) != 0 ||
      hr_der_take(&b, HR_DER_OID, &tb) != 0 || hr_der_next(&a, &va) != 0 ||
      hr_der_next(&b, &vb) != 0 || ta.len != tb.len ||
      memcmp(ta.p, tb.p, ta.len) != 0)
    return 0;
  if (is_text(va.tag) && is_text(vb.tag))
    return text_equal(va.value, vb.value);
  return va.whole.len == vb.whole.len &&
         memcmp(va.whole.p, vb.whole.p, va.whole.len) == 0;
}

/* Two RelativeDistinguishedNames (SETs), attribute by attribute. */
static int rdn_equal(struct hr_der a, struct hr_der b) {
  while (a.len > 0 && b.len > 0) {
    struct hr_der x, y;
    if (hr_der_take(&a, HR_DER_SEQUENCE, &x) != 0 ||
        hr_der_take(&b, HR_DER_SEQUENCE, &y) != 0 || !attribute_equal(x, y))
      return 0;
  }
  return a.len == 0 && b.len == 0;
}

/* A Name is within a base when the base's RDNs begin it. Both are whole
 * Name encodings (SEQUENCE OF RDN). */
static int dir_within(const struct hr_der *name, const struct hr_der *base) {
  struct hr_der n = *name, b = *base, nr, br;
  if (hr_der_take(&n, HR_DER_SEQUENCE, &nr) != 0 ||
      hr_der_take(&b, HR_DER_SEQUENCE, &br) != 0)
    return 0;
  while (br.len > 0) {
    struct hr_der x, y;
    if (hr_der_take(&br, HR_DER_SET, &x) != 0 ||
        hr_der_take(&nr, HR_DER_SET, &y) != 0 || !rdn_equal(x, y))
      return 0;
  }
  return 1;
}

/* ---- a name against the subtrees ----------------------------------------- */

/* Whether name (of GeneralName tag `tag`; for directory names its whole
 * Name encoding) lies in base. excluded asks the wildcard question. */
static int within(unsigned tag, const struct hr_der *name,
                  const struct hr_der_elem *base, int excluded) {
  if (base->tag != tag)
    return 0;
  switch (tag) {
  case GN_DNS:
    return excluded ? dns_may_reach(name, &base->value)
                    : dns_within(name, &base->value);
  case GN_IP:
    return ip_within(name, &base->value);
  case GN_DIR:
    return dir_within(name, &base->value);
  default:
    return 0;
  }
}

/* 1 when some subtree of the list lies over the name; *has_type tells
 * whether the list has a subtree of the name's type at all. */
static int any_within(struct hr_der subtrees, unsigned tag,
                      const struct hr_der *name, int excluded, int *has_type) {
  *has_type = 0;
  while (subtrees.len > 0) {
    struct hr_der_elem one, base;
    if (hr_der_next(&subtrees, &one) != 0 ||
        read_subtree(one.whole, &base) != HR_NC_OK)
      return 0; /* hr_nc_supported ran first: cannot happen */
    if (base.tag != tag)
      continue;
    *has_type = 1;
    if (within(tag, name, &base, excluded))
      return 1;
  }
  return 0;
}

static enum hr_nc_result check_name(const struct hr_der *permitted,
                                    const struct hr_der *excluded,
                                    unsigned tag, const struct hr_der *name) {
  int has_type = 0;
  if (!any_within(*permitted, tag, name, 0, &has_type) && has_type)
    return HR_NC_PERMITTED;
  if (any_within(*excluded, tag, name, 1, &has_type))
    return HR_NC_EXCLUDED;
  return HR_NC_OK;
}

/* An empty subject (SEQUENCE of no RDN) names nothing. */
static int subject_empty(const struct hr_der *subject) {
  struct hr_der in = *subject, rdns;
  return hr_der_take(&in, HR_DER_SEQUENCE, &rdns) != 0 || rdns.len == 0;
}

enum hr_nc_result hr_nc_check(const struct hr_der *constraints,
                              const struct hr_cert *cert) {
  struct hr_der permitted, excluded;
  enum hr_nc_result r = hr_nc_supported(constraints);
  if (r != HR_NC_OK || split(constraints, &permitted, &excluded) != HR_NC_OK)
    return r != HR_NC_OK ? r : HR_NC_MALFORMED;
  if (!subject_empty(&cert->subject) &&
      (r = check_name(&permitted, &excluded, GN_DIR, &cert->subject)) !=
          HR_NC_OK)
    return r;
  struct hr_der sans = cert->san;
  while (sans.len > 0) {
    struct hr_der_elem gn;
    if (hr_der_next(&sans, &gn) != 0)
      return HR_NC_MALFORMED;
    if (gn.tag != GN_DNS && gn.tag != GN_IP && gn.tag != GN_DIR)
      continue; /* no subtree of another type can be here */
    /* A directoryName is [4] EXPLICIT: the Name is inside. */
    struct hr_der name = gn.value;
    if (gn.tag == GN_DIR) {
      struct hr_der inner = gn.value;
      struct hr_der_elem n;
      if (hr_der_next(&inner, &n) != 0 || n.tag != HR_DER_SEQUENCE ||
          inner.len != 0)
        return HR_NC_MALFORMED;
      name = n.whole;
    }
    if ((r = check_name(&permitted, &excluded, gn.tag, &name)) != HR_NC_OK)
      return r;
  }
  return HR_NC_OK;
}
