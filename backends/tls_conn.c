/* SPDX-License-Identifier: MIT */
/*
 * tls_conn.c - which failure a failed TLS call reports, decided once for
 * every provider from the facts it gathered (see tls_conn.h), and the small
 * checks every provider's connection and context setup makes alike. The
 * wording itself lives in tls_errors.c, cert_policy.c and cert_status.c;
 * this file only chooses among them. No TLS library here.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backends/tls_conn.h"

static int has_text(const char *s) { return s && s[0]; }

static void lib_detail(httpr_error *err, const struct hr_tls_facts *f) {
  if (has_text(f->lib_detail))
    hr_detail(err, "%s", f->lib_detail);
}

/* The transport broke under the call. Before the handshake completed it
 * is the handshake that failed (35), whatever the timing made break
 * first; and a reset then is the server closing the connection, as the
 * end of the stream is, so both timings read alike. */
static void io_broke(const struct hr_tls_facts *f, int sending, int errnum,
                     httpr_error *err) {
  if (f->op != HR_TLS_OP_HANDSHAKE) {
    hr_io_broke(err, sending, errnum);
  } else if (errnum == ECONNRESET || errnum == EPIPE) {
    hr_closed_early(err, 1);
    hr_detail(err, "errno %d (%s)", errnum, strerror(errnum));
  } else {
    hr_handshake_io_broke(err, sending, errnum);
  }
  if (f->io_with_detail && has_text(f->lib_detail) && f->io_failed)
    hr_detail(err, "errno %d; %s", errnum, f->lib_detail);
}

static void verify_failed(const struct hr_tls_facts *f, httpr_error *err) {
  if (f->verify_failed && f->policy)
    hr_policy_failed(err, f->policy, f->host);
  else if (f->verify_failed)
    hr_verify_failed(err, f->verify_reason, f->host, f->verify_text);
  else
    hr_verify_failed(err, HR_VERIFY_HOSTNAME, f->host, f->verify_text);
  if (has_text(f->verify_detail))
    hr_detail(err, "%s", f->verify_detail);
}

/* A protocol_version alert says what a version failure says. */
static void alert_received(const struct hr_tls_facts *f, httpr_error *err) {
  if (f->alert == HR_ALERT_PROTOCOL_VERSION)
    hr_version_mismatch(err, f->min_version, f->max_version);
  else
    hr_alert_received(err, f->alert);
  if (f->alert_name)
    hr_detail(err, "%s; alert %d (%s)", f->lib_detail ? f->lib_detail : "",
              f->alert, f->alert_name);
  else
    lib_detail(err, f);
}

static void op_failed(const struct hr_tls_facts *f, httpr_error *err) {
  const char *why = f->lib_reason ? f->lib_reason : "unknown error";
  switch (f->op) {
  case HR_TLS_OP_HANDSHAKE:
    hr_fail(err, HTTPR_E_TLS_HANDSHAKE, "TLS handshake failed: %s", why);
    break;
  case HR_TLS_OP_READ:
    hr_fail(err, HTTPR_E_RECV, "TLS read failed: %s", why);
    break;
  default:
    hr_fail(err, HTTPR_E_SEND, "TLS %s failed: %s",
            f->op == HR_TLS_OP_WRITE ? "write" : "shutdown", why);
    break;
  }
  lib_detail(err, f);
}

enum hr_tls_outcome hr_tls_decide(const struct hr_tls_facts *f,
                                  httpr_error *err) {
  int in_handshake = f->op == HR_TLS_OP_HANDSHAKE;
  /* What verification said, even when something else is the error. */
  if (f->report && in_handshake && (f->verify_failed || f->identity_mismatch)) {
    httpr_error verdict = {0};
    verify_failed(f, &verdict);
    hr_report_refused(f->report, &verdict);
  }
  /* HTTP/2 forbids both (RFC 9113 9.2.1, RFC 8740): the server's request
   * is the failure, whatever the transport did after it. */
  if (f->late_auth_on_h2) {
    hr_fail(err, HTTPR_E_PROTOCOL,
            "the server asked for a renegotiation or a client "
            "certificate after the TLS handshake on an HTTP/2 connection, "
            "which HTTP/2 forbids");
    lib_detail(err, f);
    return HR_TLS_OUT_FAILED;
  }
  /* Our library refused it (RFC 5746 section 4.1), whatever the server
   * did next. */
  if (f->no_secure_renegotiation) {
    hr_fail(err, HTTPR_E_TLS_HANDSHAKE,
            "TLS handshake failed: the server does not support secure "
            "renegotiation (RFC 5746)");
    lib_detail(err, f);
    return HR_TLS_OUT_FAILED;
  }
  if (f->io_failed != HR_IO_OK) {
    io_broke(f, f->io_failed == HR_IO_SEND_FAILED, f->io_errno, err);
    return HR_TLS_OUT_IO;
  }
  if (in_handshake && (f->verify_failed || f->identity_mismatch)) {
    verify_failed(f, err);
    return HR_TLS_OUT_VERIFY;
  }
  /* Refused as a chain is: the alert that follows is our own. */
  if (in_handshake && f->cert_status) {
    hr_cert_status_failed(err, f->cert_status);
    return HR_TLS_OUT_STATUS;
  }
  /* The alert is the real reason (provider rule 8): a server that refuses
   * the client alerts and hangs up, which breaks the pipe under the rest
   * of the client's flight. */
  if (f->alert >= 0) {
    alert_received(f, err);
    return HR_TLS_OUT_ALERT;
  }
  if (f->send_broken && !in_handshake) {
    io_broke(f, 1, f->send_broken, err);
    return HR_TLS_OUT_IO;
  }
  if (f->peer_closed) {
    hr_closed_early(err, in_handshake);
    lib_detail(err, f);
    return HR_TLS_OUT_CLOSED;
  }
  if (f->version_failure) {
    hr_version_mismatch(err, f->min_version, f->max_version);
    lib_detail(err, f);
    return HR_TLS_OUT_VERSION;
  }
  op_failed(f, err);
  return HR_TLS_OUT_FAILED;
}

httpr_code hr_tls_conn_check(const void *ctx, const char *host,
                             const struct hr_tls_io *io, httpr_error *err) {
  if (!ctx || !host || !host[0] || !io || !io->send || !io->recv)
    return hr_fail(err, HTTPR_E_INVALID,
                   "TLS connection without a host or I/O callbacks");
  return HTTPR_OK;
}

int hr_tls_conn_names(const char *host, char **given, char **name) {
  size_t len = strlen(host);
  if (len > 1 && host[len - 1] == '.')
    len--; /* "example.com." names the same host as "example.com" */
  *given = strdup(host);
  *name = *given ? strndup(host, len) : NULL;
  return *name ? 0 : -1;
}

static const char *version_name(int v) {
  switch (v) {
  case 10:
    return "TLS 1.0";
  case 11:
    return "TLS 1.1";
  case 12:
    return "TLS 1.2";
  default:
    return "TLS 1.3";
  }
}

httpr_code hr_tls_versions(const struct hr_tls_settings *s,
                           const struct hr_tls_policy *policy, int *min,
                           int *max, httpr_error *err) {
  *min = s->min_version ? s->min_version : 12;
  *max = s->max_version;
  if (*min != 12 && *min != 13)
    return hr_fail(err, HTTPR_E_INVALID, "unknown TLS version %d", *min);
  if (*max && *max != 12 && *max != 13)
    return hr_fail(err, HTTPR_E_INVALID, "unknown TLS version %d", *max);
  if (*max && *min > *max)
    return hr_fail(err, HTTPR_E_INVALID,
                   "minimum TLS version is above the maximum");
  if (!policy)
    return HTTPR_OK;
  if (policy->min > *min) {
    if (s->min_version)
      return hr_fail(err, HTTPR_E_UNSUPPORTED,
                     "%s was asked for as the lowest TLS version, but %s "
                     "allows %s at least",
                     version_name(*min), policy->name,
                     version_name(policy->min));
    *min = policy->min;
  }
  if (policy->max && (!*max || *max > policy->max))
    *max = policy->max;
  if (*max && *min > *max)
    return hr_fail(err, HTTPR_E_UNSUPPORTED,
                   "no TLS version is left: %s allows %s to %s, and "
                   "%s to %s were asked for",
                   policy->name,
                   version_name(policy->min > 10 ? policy->min : 10),
                   version_name(policy->max ? policy->max : 13),
                   version_name(s->min_version ? s->min_version : 12),
                   version_name(s->max_version ? s->max_version : 13));
  return HTTPR_OK;
}

static const char *const group_names[HR_GROUP_COUNT] = {
    [HR_GROUP_X25519] = "x25519",       [HR_GROUP_X448] = "x448",
    [HR_GROUP_SECP256R1] = "secp256r1", [HR_GROUP_SECP384R1] = "secp384r1",
    [HR_GROUP_SECP521R1] = "secp521r1", [HR_GROUP_FFDHE2048] = "ffdhe2048",
    [HR_GROUP_FFDHE3072] = "ffdhe3072", [HR_GROUP_FFDHE4096] = "ffdhe4096",
};

httpr_code hr_tls_groups(const struct hr_tls_settings *s,
                         enum hr_group out[HR_GROUPS_MAX], size_t *n,
                         httpr_error *err) {
  *n = 0;
  for (const char *p = s->groups; p && *p;) {
    size_t len = strcspn(p, ":,");
    if (len == 0 || *n == HR_GROUPS_MAX)
      return hr_fail(err, HTTPR_E_INVALID,
                     "the key exchange group list is invalid (empty name or "
                     "more than %d)",
                     HR_GROUPS_MAX);
    size_t g = 0;
    while (g < HR_GROUP_COUNT && (strlen(group_names[g]) != len ||
                                  strncasecmp(group_names[g], p, len) != 0))
      g++;
    if (g == HR_GROUP_COUNT)
      return hr_fail(err, HTTPR_E_UNSUPPORTED,
                     "unknown key exchange group '%.*s'", (int)len, p);
    for (size_t i = 0; i < *n; i++) {
      if (out[i] == (enum hr_group)g)
        return hr_fail(err, HTTPR_E_INVALID,
                       "the key exchange group %s is listed twice",
                       group_names[g]);
    }
    out[(*n)++] = (enum hr_group)g;
    p += len;
    if (*p)
      p++;
  }
  return HTTPR_OK;
}

httpr_code hr_tls_group_unsupported(httpr_error *err, const char *provider,
                                    enum hr_group g) {
  return hr_fail(err, HTTPR_E_UNSUPPORTED,
                 "the %s provider does not support the key exchange group %s",
                 provider, group_names[g]);
}

httpr_code hr_tls_with_detail(httpr_error *err, hr_detail_fn *words, int code) {
  char text[sizeof(err->detail)];
  words(text, sizeof(text), code);
  hr_detail(err, "%s", text);
  return err->code;
}

httpr_code hr_tls_trust_load(const struct hr_trust *t, hr_trust_add_fn add,
                             void *ud, const int *last_error,
                             hr_detail_fn *words, httpr_error *err) {
  httpr_code rc = hr_trust_load(t, add, ud, err);
  if (rc != HTTPR_OK && !err->detail[0] && *last_error)
    hr_tls_with_detail(err, words, *last_error);
  return rc;
}

httpr_code hr_tls_alpn_check(const struct hr_tls_settings *s, size_t *count,
                             httpr_error *err) {
  *count = 0;
  if (!s->alpn || s->alpn_len == 0)
    return HTTPR_OK;
  if (s->alpn_len > 0xffff)
    return hr_fail(err, HTTPR_E_INVALID, "the ALPN protocol list is invalid");
  for (size_t i = 0; i < s->alpn_len;) {
    size_t n = s->alpn[i];
    if (n == 0 || n > s->alpn_len - i - 1)
      return hr_fail(err, HTTPR_E_INVALID, "the ALPN protocol list is invalid");
    (*count)++;
    i += n + 1;
  }
  return HTTPR_OK;
}

httpr_code hr_tls_host_unusable(httpr_error *err, const char *host) {
  return hr_fail(err, HTTPR_E_INVALID, "host name '%s' cannot be used for TLS",
                 host);
}

void hr_copy_str(char *dst, size_t cap, const char *src, size_t len) {
  if (len >= cap)
    len = cap - 1;
  memcpy(dst, src, len);
  dst[len] = '\0';
}
