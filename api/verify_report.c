/* SPDX-License-Identifier: MIT */
/*
 * verify_report.c - the public side of a verification report
 * (backends/verify_report.h holds it and records it): read-only
 * accessors, each accepting NULL.
 */
#include "backends/verify_report.h"

size_t httpr_verify_report_cert_count(const httpr_verify_report *report) {
  return report ? report->count : 0;
}

const char *httpr_verify_report_cert_subject(const httpr_verify_report *report,
                                             size_t i) {
  return report && i < report->count ? report->certs[i].subject : NULL;
}

const char *httpr_verify_report_cert_issuer(const httpr_verify_report *report,
                                            size_t i) {
  return report && i < report->count ? report->certs[i].issuer : NULL;
}

const char *httpr_verify_report_result(const httpr_verify_report *report) {
  if (!report)
    return "";
  return report->result[0] ? report->result : "ok";
}

const char *httpr_verify_report_decided_by(const httpr_verify_report *report) {
  if (!report)
    return "";
  switch (report->decider) {
  case HR_DECIDED_LIBRARY:
    return "library";
  case HR_DECIDED_CHECK:
    return hr_check_name(report->deciding_check);
  case HR_DECIDED_NONE:
    break;
  }
  return "";
}

const char *httpr_verify_report_detail(const httpr_verify_report *report) {
  return report && report->decider != HR_DECIDED_NONE ? report->detail : "";
}

const char *httpr_verify_report_check(const httpr_verify_report *report,
                                      size_t k, int *passed) {
  if (!report)
    return NULL;
  for (unsigned c = 0; c < HR_CHECK_COUNT; c++) {
    if (!(report->ran & (1u << c)) || k-- > 0)
      continue;
    if (passed)
      *passed = !(report->failed & (1u << c));
    return hr_check_name((enum hr_check)c);
  }
  return NULL;
}
