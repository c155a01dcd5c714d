/* SPDX-License-Identifier: MIT */
/*
 * fuzz_der.c - libFuzzer target for the shared DER reader and what reads
 * certificates with it (backends/der.c, x509_cert.c, name_constraints.c,
 * cert_policy.c, cert_path.c, x509_name.c, verify_report.c): bytes from
 * a server's Certificate message meet these before any library has judged
 * them on the mbedtls path.
 *
 * The input is walked four ways: element by element to a bounded depth
 * (the bare reader), as a Name printed as text, as one certificate
 * (fields, its subject as text, its public key for a pin, and its own
 * name constraints against its own names), as a public key file's
 * SubjectPublicKeyInfo, and cut into up to four certificates that form a
 * path for the policy, a verification report and the path linker. A
 * crash or a sanitizer report is the only failure.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "backends/cert_path.h"
#include "backends/cert_policy.h"
#include "backends/der.h"
#include "backends/name_constraints.h"
#include "backends/verify_report.h"
#include "backends/x509_cert.h"
#include "backends/x509_name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every element, and those inside constructed ones, to depth 8. */
static size_t walk(struct hr_der in, int depth) {
  size_t seen = 0;
  struct hr_der_elem e;
  while (hr_der_next(&in, &e) == 0) {
    seen++;
    if ((e.tag & 0x20) && depth < 8)
      seen += walk(e.value, depth + 1);
    uint64_t v;
    struct hr_der bits;
    unsigned unused;
    if (e.tag == HR_DER_INTEGER)
      (void)hr_der_uint(&e.value, &v);
    if (e.tag == HR_DER_BIT_STRING)
      (void)hr_der_bits(&e.value, &bits, &unused);
    if (e.tag == HR_DER_BOOLEAN)
      (void)hr_der_bool(&e.value);
  }
  return seen;
}

/* The last certificates of the path act as trust anchors. */
struct anchors {
  const struct hr_der *certs;
  size_t first, count;
};

static int find_anchor(void *ud, const struct hr_der *name,
                       struct hr_der *anchor) {
  const struct anchors *a = ud;
  for (size_t i = a->first; i < a->count; i++) {
    struct hr_cert c;
    if (hr_cert_parse(a->certs[i].p, a->certs[i].len, &c) == 0 &&
        c.subject.len == name->len &&
        memcmp(c.subject.p, name->p, name->len) == 0) {
      *anchor = a->certs[i];
      return 1;
    }
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct hr_der all = {data, size};
  (void)walk(all, 0);
  /* The input as a Name, printed into a buffer it may overflow. */
  char name[96];
  (void)hr_name_text(&all, name, sizeof(name));

  /* The key a public key pin is compared with, and a pin file's check. */
  struct hr_der spki;
  if (hr_cert_spki(data, size, &spki) == 0) {
    if (spki.p < data || spki.p + spki.len > data + size)
      __builtin_trap();
    (void)hr_spki_check(spki.p, spki.len);
  }
  (void)hr_spki_check(data, size);

  struct hr_cert c;
  if (hr_cert_parse(data, size, &c) == 0) {
    (void)hr_cert_self_issued(&c);
    (void)hr_name_text(&c.subject, name, sizeof(name));
    if (c.name_constraints.p) {
      (void)hr_nc_supported(&c.name_constraints);
      (void)hr_nc_check(&c.name_constraints, &c);
    }
  }

  /* A path: the elements at the top level are its certificates (a
   * Certificate message's list, in effect). */
  struct hr_cert_path path = {0};
  struct hr_der in = all;
  struct hr_der_elem e;
  while (path.count < HR_POLICY_MAX_PATH && hr_der_next(&in, &e) == 0)
    hr_path_add(&path, e.whole.p, e.whole.len);
  if (path.count == 0)
    return 0;
  struct hr_policy_verdict v;
  for (int kx = HR_KX_UNKNOWN; kx <= HR_KX_RSA; kx++)
    (void)hr_policy_check(&path, (enum hr_kx)kx, &v);
  /* What a verification report makes of the path and the verdict. */
  static struct httpr_verify_report report;
  memset(&report, 0, sizeof(report));
  hr_report_path(&report, &path);
  hr_report_policy(&report, hr_policy_check(&path, HR_KX_SIGN, &v) != 0, &v);
  struct anchors a = {path.certs, path.count > 1 ? path.count - 1 : 1,
                      path.count};
  struct hr_cert_path linked;
  (void)hr_path_link(path.certs, path.count, find_anchor, &a, &linked);
  if (linked.count > 0)
    (void)hr_policy_check(&linked, HR_KX_SIGN, &v);
  return 0;
}
