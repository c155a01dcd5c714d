/* SPDX-License-Identifier: MIT */
/*
 * cli_argvalue.c - parsers for the values of single options. Each takes a
 * string and fills plain values; none prints or touches the library.
 */
#include <errno.h>
#include <limits.h>
#include <math.h> /* isfinite: a macro, no -lm needed */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli_argvalue.h"

static char *dup_range(const char *s, size_t len) {
  char *d = malloc(len + 1);
  if (d) {
    memcpy(d, s, len);
    d[len] = '\0';
  }
  return d;
}

/* The end of FILE in a --cert argument: its first unescaped ':' or its
 * NUL. Only "\:" and "\\" are escapes, as in curl, so a path with other
 * backslashes needs no doubling. */
static const char *cert_file_end(const char *p) {
  for (; *p && *p != ':'; p++) {
    if (p[0] == '\\' && (p[1] == ':' || p[1] == '\\'))
      p++;
  }
  return p;
}

const char *cli_cert_password(const char *arg) {
  const char *colon = cert_file_end(arg);
  return *colon == ':' ? colon + 1 : NULL;
}

int cli_split_cert(const char *arg, char **file, char **password) {
  size_t n = strlen(arg);
  char *f = malloc(n + 1);
  size_t o = 0;
  const char *p = arg;
  const char *end = cert_file_end(arg);
  *file = NULL;
  *password = NULL;
  if (!f)
    return CLI_VALUE_NOMEM;
  for (; p < end; p++) {
    if (p[0] == '\\' && (p[1] == ':' || p[1] == '\\'))
      p++;
    f[o++] = *p;
  }
  f[o] = '\0';
  if (*p == ':') {
    *password = strdup(p + 1);
    if (!*password) {
      free(f);
      return CLI_VALUE_NOMEM;
    }
  }
  *file = f;
  return CLI_VALUE_OK;
}

/* A port: 1..65535, digits only. */
static int parse_port(const char *s, size_t len, int *port) {
  long v = 0;
  if (len == 0 || len > 5)
    return CLI_VALUE_BAD;
  for (size_t i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9')
      return CLI_VALUE_BAD;
    v = v * 10 + (s[i] - '0');
  }
  if (v < 1 || v > 65535)
    return CLI_VALUE_BAD;
  *port = (int)v;
  return CLI_VALUE_OK;
}

int cli_parse_resolve(const char *arg, struct cli_resolve *out) {
  const char *host = arg, *host_end, *port, *port_end, *addr;
  size_t addr_len;
  memset(out, 0, sizeof(*out));
  if (*host == '+')
    host++;
  if (*host == '[') {
    host_end = strchr(host, ']');
    if (!host_end || host_end[1] != ':')
      return CLI_VALUE_BAD;
    host++;
    port = host_end + 2;
  } else {
    host_end = strchr(host, ':');
    if (!host_end)
      return CLI_VALUE_BAD;
    port = host_end + 1;
  }
  port_end = strchr(port, ':');
  if (host_end == host || !port_end)
    return CLI_VALUE_BAD;
  if (parse_port(port, (size_t)(port_end - port), &out->port) != CLI_VALUE_OK)
    return CLI_VALUE_BAD;
  /* A comma list of addresses, as curl takes, each IPv6 one bare or in
   * brackets: passed on without the brackets, the library checking each
   * literal (httpr_config_add_resolve). */
  addr = port_end + 1;
  addr_len = strlen(addr);
  char *list = malloc(addr_len + 1);
  if (!list)
    return CLI_VALUE_NOMEM;
  size_t used = 0;
  for (const char *at = addr;;) {
    size_t len = strcspn(at, ",");
    const char *one = at;
    if (len >= 2 && one[0] == '[' && one[len - 1] == ']') {
      one++;
      len -= 2;
    }
    if (len == 0 || memchr(one, '[', len) || memchr(one, ']', len)) {
      free(list);
      return CLI_VALUE_BAD;
    }
    if (used)
      list[used++] = ',';
    memcpy(list + used, one, len);
    used += len;
    at += strcspn(at, ",");
    if (*at == '\0')
      break;
    at++;
  }
  list[used] = '\0';
  out->host = dup_range(host, (size_t)(host_end - host));
  out->address = list;
  if (!out->host) {
    free(out->host);
    free(out->address);
    out->host = out->address = NULL;
    return CLI_VALUE_NOMEM;
  }
  return CLI_VALUE_OK;
}

int cli_parse_header(const char *arg, struct cli_header *out) {
  const char *colon = strchr(arg, ':');
  const char *value;
  size_t name_len;
  memset(out, 0, sizeof(*out));
  if (colon) {
    name_len = (size_t)(colon - arg);
    value = colon + 1;
    while (*value == ' ' || *value == '\t')
      value++;
  } else {
    /* curl's way to send a header with no value: "Name;". */
    name_len = strlen(arg);
    if (name_len == 0 || arg[name_len - 1] != ';')
      return CLI_VALUE_BAD;
    name_len--;
    value = "";
  }
  if (name_len == 0)
    return CLI_VALUE_BAD;
  out->name = dup_range(arg, name_len);
  out->value = strdup(value);
  if (!out->name || !out->value) {
    free(out->name);
    free(out->value);
    out->name = out->value = NULL;
    return CLI_VALUE_NOMEM;
  }
  return CLI_VALUE_OK;
}

enum { PROTO_HTTP = 1, PROTO_HTTPS = 2, PROTO_ALL = 3 };

static int proto_bits(const char *name, size_t len) {
  if (len == 3 && strncasecmp(name, "all", 3) == 0)
    return PROTO_ALL;
  if (len == 4 && strncasecmp(name, "http", 4) == 0)
    return PROTO_HTTP;
  if (len == 5 && strncasecmp(name, "https", 5) == 0)
    return PROTO_HTTPS;
  return 0;
}

int cli_parse_proto(const char *arg, int *https_only) {
  int set = PROTO_ALL; /* curl starts from every protocol it has */
  const char *p = arg;
  if (*p == '\0')
    return CLI_VALUE_BAD;
  while (*p) {
    char action = '+';
    size_t len;
    int bits;
    if (*p == '=' || *p == '+' || *p == '-')
      action = *p++;
    len = strcspn(p, ",");
    bits = proto_bits(p, len);
    if (!bits)
      return CLI_VALUE_BAD;
    if (action == '=')
      set = bits;
    else if (action == '+')
      set |= bits;
    else
      set &= ~bits;
    p += len;
    if (*p == ',')
      p++;
  }
  /* Allowing http without https, or nothing, is not something the
   * library can do; only "https only" or "both" are. */
  if (set == PROTO_HTTPS)
    *https_only = 1;
  else if (set == PROTO_ALL)
    *https_only = 0;
  else
    return CLI_VALUE_BAD;
  return CLI_VALUE_OK;
}

int cli_parse_long(const char *arg, long min, long max, long *out) {
  char *end;
  long v;
  if (*arg == '\0')
    return CLI_VALUE_BAD;
  errno = 0;
  v = strtol(arg, &end, 10);
  if (errno || *end != '\0' || v < min || v > max)
    return CLI_VALUE_BAD;
  *out = v;
  return CLI_VALUE_OK;
}

int cli_parse_seconds(const char *arg, long *ms) {
  char *end;
  double s;
  if (*arg == '\0' || *arg == '-' || *arg == '+')
    return CLI_VALUE_BAD;
  errno = 0;
  s = strtod(arg, &end);
  /* About 24 days: a limit that fits a 32-bit long in milliseconds. */
  if (errno || *end != '\0' || !isfinite(s) || s < 0 || s > 2000000.0)
    return CLI_VALUE_BAD;
  s *= 1000.0;
  *ms = (long)s;
  if ((double)*ms < s) /* round up by hand: ceil() would need -lm */
    (*ms)++;
  return CLI_VALUE_OK;
}

int cli_parse_size(const char *arg, uint64_t *bytes) {
  char *end;
  unsigned long long v;
  unsigned shift = 0;
  if (*arg < '0' || *arg > '9') /* strtoull would accept "-1" */
    return CLI_VALUE_BAD;
  errno = 0;
  v = strtoull(arg, &end, 10);
  if (errno)
    return CLI_VALUE_BAD;
  switch (*end) {
  case '\0':
    break;
  case 'k':
  case 'K':
    shift = 10;
    break;
  case 'm':
  case 'M':
    shift = 20;
    break;
  case 'g':
  case 'G':
    shift = 30;
    break;
  default:
    return CLI_VALUE_BAD;
  }
  if (*end && end[1] != '\0')
    return CLI_VALUE_BAD;
  if (shift && v > (UINT64_MAX >> shift))
    return CLI_VALUE_BAD;
  *bytes = (uint64_t)v << shift;
  return CLI_VALUE_OK;
}

int cli_parse_tls_max(const char *arg, int *version) {
  if (strcmp(arg, "1.2") == 0)
    *version = 12;
  else if (strcmp(arg, "1.3") == 0)
    *version = 13;
  else if (strcmp(arg, "default") == 0)
    *version = 0;
  else
    return CLI_VALUE_BAD;
  return CLI_VALUE_OK;
}

int cli_parse_parallel_max(const char *arg, long *out) {
  long v;
  if (*arg < '0' || *arg > '9')
    return CLI_VALUE_BAD;
  if (cli_parse_long(arg, 0, LONG_MAX, &v) != CLI_VALUE_OK)
    return CLI_VALUE_BAD;
  if (v == 0)
    v = CLI_PARALLEL_DEFAULT;
  else if (v > CLI_PARALLEL_LIMIT)
    v = CLI_PARALLEL_LIMIT;
  *out = v;
  return CLI_VALUE_OK;
}
