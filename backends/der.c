/* SPDX-License-Identifier: MIT */
/*
 * der.c - the DER reader of der.h: one element at a time, bounds checked
 * against the enclosing span, nothing allocated. Fed bytes from servers
 * and files, so it trusts no length it reads (fuzzed by
 * tests/fuzz/fuzz_der.c).
 */
#include <stdio.h>
#include <string.h>

#include "backends/der.h"

/* Reads the length octets at in[*pos]: 0, HR_DER_NOT_DER, or -1. */
static int read_length(const struct hr_der *in, size_t *pos, size_t *len) {
  if (*pos >= in->len)
    return -1;
  unsigned char first = in->p[(*pos)++];
  if (first < 0x80) {
    *len = first;
    return 0;
  }
  size_t count = first & 0x7f;
  if (count == 0)
    return HR_DER_NOT_DER; /* BER's indefinite length */
  /* More than 4 octets is more than any buffer here holds. */
  if (count > 4 || in->len - *pos < count)
    return -1;
  size_t v = 0;
  for (size_t i = 0; i < count; i++)
    v = v << 8 | in->p[(*pos)++];
  /* The shortest form only: a long form for less than 128, or a leading
   * zero octet, is not DER. */
  if (v < 0x80 || in->p[*pos - count] == 0)
    return HR_DER_NOT_DER;
  *len = v;
  return 0;
}

int hr_der_next(struct hr_der *in, struct hr_der_elem *out) {
  size_t pos = 0, len = 0;
  if (!in->p || in->len < 2)
    return -1;
  unsigned tag = in->p[pos++];
  /* Tag numbers above 30 take more octets; nothing read here has one. */
  if ((tag & 0x1f) == 0x1f)
    return HR_DER_NOT_DER;
  int rc = read_length(in, &pos, &len);
  if (rc != 0)
    return rc;
  if (in->len - pos < len)
    return -1;
  out->tag = tag;
  out->value.p = in->p + pos;
  out->value.len = len;
  out->whole.p = in->p;
  out->whole.len = pos + len;
  in->p += pos + len;
  in->len -= pos + len;
  return 0;
}

int hr_der_take(struct hr_der *in, unsigned tag, struct hr_der *value) {
  struct hr_der rest = *in;
  struct hr_der_elem e;
  int rc = hr_der_next(&rest, &e);
  if (rc != 0)
    return rc;
  if (e.tag != tag)
    return -1;
  *in = rest;
  if (value)
    *value = e.value;
  return 0;
}

int hr_der_take_optional(struct hr_der *in, unsigned tag,
                         struct hr_der *value) {
  struct hr_der rest = *in;
  struct hr_der_elem e;
  if (in->len == 0)
    return 0;
  int rc = hr_der_next(&rest, &e);
  if (rc != 0)
    return rc;
  if (e.tag != tag)
    return 0;
  *in = rest;
  if (value)
    *value = e.value;
  return 1;
}

int hr_der_oid_is(const struct hr_der *oid, const char *enc, size_t enc_len) {
  return oid->len == enc_len && memcmp(oid->p, enc, enc_len) == 0;
}

int hr_der_uint(const struct hr_der *value, uint64_t *out) {
  const unsigned char *p = value->p;
  size_t n = value->len;
  if (n == 0 || (p[0] & 0x80))
    return -1; /* empty, or negative */
  if (n > 1 && p[0] == 0 && !(p[1] & 0x80))
    return -1; /* a needless leading zero */
  if (p[0] == 0) {
    p++;
    n--;
  }
  if (n > 8 || (n == 8 && (p[0] & 0x80)))
    return -1;
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++)
    v = v << 8 | p[i];
  *out = v;
  return 0;
}

int hr_der_bool(const struct hr_der *value) {
  if (value->len != 1 || (value->p[0] != 0 && value->p[0] != 0xff))
    return -1;
  return value->p[0] != 0;
}

int hr_der_bits(const struct hr_der *value, struct hr_der *bits,
                unsigned *unused) {
  if (value->len == 0 || value->p[0] > 7 ||
      (value->len == 1 && value->p[0] != 0))
    return -1;
  *unused = value->p[0];
  bits->p = value->p + 1;
  bits->len = value->len - 1;
  return 0;
}

size_t hr_der_uint_bits(const struct hr_der *value) {
  size_t i = 0;
  while (i < value->len && value->p[i] == 0)
    i++;
  if (i == value->len)
    return 0;
  size_t bits = (value->len - i) * 8;
  for (unsigned char top = value->p[i]; !(top & 0x80); top <<= 1)
    bits--;
  return bits;
}

void hr_der_oid_text(char *out, size_t cap, const struct hr_der *oid) {
  size_t used = 0;
  unsigned long long v = 0;
  if (cap == 0)
    return;
  out[0] = '\0';
  for (size_t i = 0; i < oid->len && used < cap; i++) {
    if (v > (~0ULL >> 7))
      return; /* an arc no certificate has */
    v = v << 7 | (oid->p[i] & 0x7f);
    if (oid->p[i] & 0x80)
      continue;
    int n;
    if (used == 0) /* the first octet holds two arcs */
      n = snprintf(out, cap, "%llu.%llu", v < 80 ? v / 40 : 2,
                   v < 80 ? v % 40 : v - 80);
    else
      n = snprintf(out + used, cap - used, ".%llu", v);
    if (n < 0)
      return;
    used += (size_t)n;
    v = 0;
  }
}
