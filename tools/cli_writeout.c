/* SPDX-License-Identifier: MIT */
/*
 * cli_writeout.c - the -w renderer, following curl's tool_writeout.c
 * rules: "%{" without a closing brace prints "%{", '%' before anything but
 * '%' or '{' prints both characters, and a backslash before anything but
 * n, r, t prints both characters.
 */
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "cli_writeout.h"

enum var_kind { V_STR, V_INT, V_CODE, V_TIME, V_U64, V_VERSION };

struct var {
  const char *name;
  enum var_kind kind;
  size_t offset; /* of the field in struct cli_wo_values */
};

#define FIELD(f) offsetof(struct cli_wo_values, f)
#define TIME(i) (FIELD(times) + (i) * sizeof(double))

static const struct var vars[] = {
    {"http_code", V_CODE, FIELD(http_code)},
    {"response_code", V_CODE, FIELD(http_code)},
    {"http_version", V_VERSION, FIELD(http_version)},
    {"time_namelookup", V_TIME, TIME(CLI_WO_NAMELOOKUP)},
    {"time_connect", V_TIME, TIME(CLI_WO_CONNECT)},
    {"time_appconnect", V_TIME, TIME(CLI_WO_APPCONNECT)},
    {"time_pretransfer", V_TIME, TIME(CLI_WO_PRETRANSFER)},
    {"time_starttransfer", V_TIME, TIME(CLI_WO_STARTTRANSFER)},
    {"time_total", V_TIME, TIME(CLI_WO_TOTAL)},
    {"size_download", V_U64, FIELD(size_download)},
    {"num_redirects", V_INT, FIELD(num_redirects)},
    {"num_connects", V_INT, FIELD(num_connects)},
    {"url_effective", V_STR, FIELD(url_effective)},
    {"remote_ip", V_STR, FIELD(remote_ip)},
    {"remote_port", V_INT, FIELD(remote_port)},
    {"exitcode", V_INT, FIELD(exitcode)},
    {"errormsg", V_STR, FIELD(errormsg)},
    {"ssl_verify_result", V_INT, FIELD(ssl_verify_result)},
    {"ssl_session_resumed", V_INT, FIELD(ssl_session_resumed)},
    {"scheme", V_STR, FIELD(scheme)},
    {"tls_version", V_STR, FIELD(tls_version)},
    {"tls_cipher", V_STR, FIELD(tls_cipher)},
    {"tls_group", V_STR, FIELD(tls_group)},
    {"tls_provider", V_STR, FIELD(tls_provider)},
    {"alpn", V_STR, FIELD(alpn)},
};

const char *cli_wo_http_version(int http_version) {
  switch (http_version) {
  case 10:
    return "1";
  case 11:
    return "1.1";
  case 20:
    return "2";
  default:
    return "0";
  }
}

static const struct var *find_var(const char *name, size_t len) {
  for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
    if (strlen(vars[i].name) == len && memcmp(vars[i].name, name, len) == 0)
      return &vars[i];
  return NULL;
}

static void print_var(FILE *fp, const struct var *var,
                      const struct cli_wo_values *v) {
  const char *base = (const char *)v + var->offset;
  const char *s;
  int i;
  double d;
  uint64_t u;
  switch (var->kind) {
  case V_STR:
    memcpy(&s, base, sizeof(s));
    fputs(s ? s : "", fp);
    break;
  case V_INT:
    memcpy(&i, base, sizeof(i));
    fprintf(fp, "%d", i);
    break;
  case V_CODE:
    memcpy(&i, base, sizeof(i));
    fprintf(fp, "%03d", i);
    break;
  case V_TIME:
    memcpy(&d, base, sizeof(d));
    fprintf(fp, "%.6f", d);
    break;
  case V_U64:
    memcpy(&u, base, sizeof(u));
    fprintf(fp, "%" PRIu64, u);
    break;
  case V_VERSION:
    memcpy(&i, base, sizeof(i));
    fputs(cli_wo_http_version(i), fp);
    break;
  }
}

/* Handles "%{name}" at p (p[0] == '%', p[1] == '{'); returns the text after
 * it. *fp may switch between out and err. */
static const char *variable(const char *p, const struct cli_wo_values *v,
                            FILE **fp, FILE *out, FILE *err, int warn) {
  const char *name = p + 2;
  const char *end = strchr(name, '}');
  size_t len;
  const struct var *var;
  if (!end) {
    fputs("%{", *fp);
    return name;
  }
  len = (size_t)(end - name);
  if (len == 6 && memcmp(name, "stdout", 6) == 0)
    *fp = out;
  else if (len == 6 && memcmp(name, "stderr", 6) == 0)
    *fp = err;
  else if ((var = find_var(name, len)) != NULL)
    print_var(*fp, var, v);
  else if (warn)
    fprintf(err, "httpr: unknown --write-out variable: '%.*s'\n", (int)len,
            name);
  return end + 1;
}

int cli_writeout(const char *fmt, const struct cli_wo_values *v, FILE *out,
                 FILE *err, struct cli_wo_state *state) {
  FILE *fp = out;
  const char *p = fmt;
  /* Several URLs render the same format; one warning per variable is
   * enough, so only the first render warns. */
  int warn = !state->rendered;
  state->rendered = 1;
  while (*p) {
    if (p[0] == '%' && p[1] == '%') {
      fputc('%', fp);
      p += 2;
    } else if (p[0] == '%' && p[1] == '{') {
      p = variable(p, v, &fp, out, err, warn);
    } else if (p[0] == '\\' && p[1] != '\0') {
      switch (p[1]) {
      case 'n':
        fputc('\n', fp);
        break;
      case 'r':
        fputc('\r', fp);
        break;
      case 't':
        fputc('\t', fp);
        break;
      default:
        fputc(p[0], fp);
        fputc(p[1], fp);
        break;
      }
      p += 2;
    } else {
      fputc(*p++, fp);
    }
  }
  /* Flush here so a full disk or closed pipe shows up as exit 23. */
  if (fflush(out) != 0 || ferror(out))
    return -1;
  if (fflush(err) != 0 || ferror(err))
    return -1;
  return 0;
}
