/* SPDX-License-Identifier: MIT */
/*
 * crl_file.c - reads the CRL file for a provider (see crl_file.h): finds
 * its PEM CRLs, hands each to the provider's library, and words what goes
 * wrong. It never parses a CRL itself.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backends/crl_file.h"

struct crl_load {
  hr_crl_add_fn add;
  void *ud;
  size_t seen;     /* CRL blocks so far */
  int failed_code; /* add's code for the block that failed; 0: none */
};

static int add_block(const struct hr_pem_block *b, void *ud) {
  struct crl_load *l = ud;
  if (b->kind != HR_PEM_CRL)
    return 0;
  l->seen++;
  l->failed_code = l->add(b, l->ud);
  return l->failed_code != 0; /* the first CRL refused stops the load */
}

httpr_code hr_crl_load(const char *path, hr_crl_add_fn add, void *ud,
                       hr_detail_fn *words, httpr_error *err) {
  char *data = NULL;
  size_t len = 0;
  struct crl_load l = {.add = add, .ud = ud};
  if (hr_file_read(path, &data, &len) != 0) {
    int e = errno;
    hr_fail(err, HTTPR_E_CRL_FILE, "CRL file '%s' cannot be read: %s", path,
            strerror(e));
    hr_detail(err, "errno %d", e);
    hr_hint(err, "check the path given with --crlfile");
    return err->code;
  }
  hr_pem_each(data, len, add_block, &l);
  free(data);
  if (l.failed_code != 0) {
    hr_fail(err, HTTPR_E_CRL_FILE, "CRL %zu of CRL file '%s' cannot be parsed",
            l.seen, path);
    if (words)
      hr_tls_with_detail(err, words, l.failed_code);
    return err->code;
  }
  if (l.seen == 0) {
    hr_fail(err, HTTPR_E_CRL_FILE, "CRL file '%s' holds no PEM CRL", path);
    hr_hint(err, "a CRL file must hold PEM CRLs (\"-----BEGIN X509 "
                 "CRL-----\")");
    return err->code;
  }
  return HTTPR_OK;
}
