/* SPDX-License-Identifier: MIT */
/*
 * gnutls_suites.c - configured cipher suites as a GnuTLS priority
 * (gnutls_suites.h).
 */
#include "backends/gnutls_suites.h"

#include <stdio.h>
#include <string.h>

/* GnuTLS's table has a few hundred suites; a bound for every walk. */
#define TABLE_MAX 1024

struct parts {
  gnutls_kx_algorithm_t kx;
  gnutls_cipher_algorithm_t cipher;
  gnutls_mac_algorithm_t mac;
  gnutls_protocol_t min_version;
};

static uint16_t code_point(const unsigned char id[2]) {
  return (uint16_t)(id[0] << 8 | id[1]);
}

/* The library's table entry for a code point: its name, or NULL when it
 * has none. */
static const char *parts_of(uint16_t want, struct parts *p) {
  unsigned char id[2];
  for (size_t i = 0; i < TABLE_MAX; i++) {
    const char *name = gnutls_cipher_suite_info(i, id, &p->kx, &p->cipher,
                                                &p->mac, &p->min_version);
    if (!name || code_point(id) == want)
      return name;
  }
  return NULL;
}

size_t gt_suites_of(gnutls_priority_t prio, uint16_t *ids, size_t cap) {
  size_t n = 0;
  for (unsigned i = 0; i < TABLE_MAX && n < cap; i++) {
    unsigned idx;
    int ret = gnutls_priority_get_cipher_suite_index(prio, i, &idx);
    if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
      break;
    struct parts p;
    unsigned char id[2];
    if (ret == 0 && gnutls_cipher_suite_info(idx, id, &p.kx, &p.cipher, &p.mac,
                                             &p.min_version))
      ids[n++] = code_point(id);
  }
  return n;
}

/* Appends ":+NAME" unless names[] has it already. */
static void add_item(char *out, size_t cap, const char *name,
                     const char **names, size_t *count) {
  if (!name)
    return;
  for (size_t i = 0; i < *count; i++) {
    if (strcmp(names[i], name) == 0)
      return;
  }
  names[(*count)++] = name;
  size_t used = strlen(out);
  snprintf(out + used, cap - used, ":+%s", name);
}

enum part { PART_KX, PART_CIPHER, PART_MAC };

/* The items of one part for the configured suites, in their order. */
static void add_part(char *out, size_t cap, const struct gt_suites *want,
                     enum part part) {
  static const char *const clear[] = {
      [PART_KX] = ":-KX-ALL",
      [PART_CIPHER] = ":-CIPHER-ALL",
      [PART_MAC] = ":-MAC-ALL",
  };
  const char *names[2 * HR_SUITES_MAX];
  size_t count = 0, used = strlen(out);
  snprintf(out + used, cap - used, "%s", clear[part]);
  for (size_t i = 0; i < want->n12 + want->n13; i++) {
    const struct hr_suite *s =
        i < want->n12 ? want->v12[i] : want->v13[i - want->n12];
    struct parts p;
    if (!parts_of(s->id, &p))
      continue; /* not offered: hr_tls_suites refused it already */
    const char *name = part == PART_KX       ? gnutls_kx_get_name(p.kx)
                       : part == PART_CIPHER ? gnutls_cipher_get_name(p.cipher)
                                             : gnutls_mac_get_name(p.mac);
    if (part != PART_KX || s->version == 12)
      add_item(out, cap, name, names, &count);
  }
}

void gt_suite_items(const struct gt_suites *want, char *out, size_t cap) {
  out[0] = '\0';
  if (want->n12 + want->n13 == 0)
    return;
  if (want->n12)
    add_part(out, cap, want, PART_KX);
  add_part(out, cap, want, PART_CIPHER);
  add_part(out, cap, want, PART_MAC);
}

static int configured(uint16_t id, const struct hr_suite *const *list,
                      size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (list[i]->id == id)
      return 1;
  }
  return 0;
}

httpr_code gt_suites_exact(gnutls_priority_t prio, const struct gt_suites *want,
                           int min, int max, httpr_error *err) {
  uint16_t ids[HR_SUITES_MAX * 2];
  size_t n = gt_suites_of(prio, ids, HR_SUITES_MAX * 2);
  const char *extra[HR_SUITES_MAX * 2];
  size_t n_extra = 0;
  int check12 = want->n12 && min <= 12, check13 = want->n13 && max >= 13;
  for (size_t i = 0; i < n; i++) {
    struct parts p;
    const char *own_name = parts_of(ids[i], &p);
    if (!own_name)
      continue;
    int tls13 = p.min_version == GNUTLS_TLS1_3;
    if (tls13 ? !check13 || configured(ids[i], want->v13, want->n13)
              : !check12 || configured(ids[i], want->v12, want->n12))
      continue;
    const struct hr_suite *known = hr_suite_by_id(ids[i]);
    /* A suite httpr does not know goes by GnuTLS's own name. */
    extra[n_extra++] = known ? known->iana : own_name;
  }
  return n_extra ? hr_tls_suites_would_add(err, "gnutls", extra, n_extra)
                 : HTTPR_OK;
}
