/* SPDX-License-Identifier: MIT */
/*
 * cli_info.c - -V, --list-providers, --feature-table and --list-ciphers,
 * from the provider registry.
 */
#include <string.h>

#include "api/httpr.h"
#include "cli_exit.h"
#include "cli_info.h"

static int finish(FILE *out) {
  return (fflush(out) != 0 || ferror(out)) ? CLI_EXIT_WRITE : CLI_EXIT_OK;
}

static const char *text_or_dash(const char *s) { return s && s[0] ? s : "-"; }

int cli_print_version(FILE *out) {
  size_t n = httpr_provider_count();
  fprintf(out, "httpr %s\n", httpr_version());
  for (size_t i = 0; i < n; i++)
    fprintf(out, "  %s: %s\n", httpr_provider_name(i),
            text_or_dash(httpr_provider_library_version(i)));
  fprintf(out, "  default: %s\n", text_or_dash(httpr_default_provider()));
  return finish(out);
}

static void print_features(FILE *out, uint32_t features) {
  int first = 1;
  for (int bit = 0; bit < 32; bit++) {
    uint32_t b = (uint32_t)1 << bit;
    const char *name;
    if (!(features & b))
      continue;
    name = httpr_feature_name(b);
    /* A bit this program is too old to name is still worth showing. */
    if (name)
      fprintf(out, "%s%s", first ? "" : ",", name);
    else
      fprintf(out, "%sbit%d", first ? "" : ",", bit);
    first = 0;
  }
  fputs(first ? "-\n" : "\n", out);
}

static int width(int w, const char *s) {
  int len = (int)strlen(text_or_dash(s));
  return len > w ? len : w;
}

int cli_print_feature_table(FILE *out) {
  size_t n = httpr_provider_count();
  fputs("| feature |", out);
  for (size_t i = 0; i < n; i++)
    fprintf(out, " %s |", text_or_dash(httpr_provider_name(i)));
  fputs("\n|---|", out);
  for (size_t i = 0; i < n; i++)
    fputs("---|", out);
  fputs("\n| library |", out);
  for (size_t i = 0; i < n; i++)
    fprintf(out, " %s |", text_or_dash(httpr_provider_library_version(i)));
  fputc('\n', out);
  for (int bit = 0; bit < 32; bit++) {
    uint32_t b = (uint32_t)1 << bit;
    const char *name = httpr_feature_name(b);
    if (!name)
      continue;
    fprintf(out, "| %s |", name);
    for (size_t i = 0; i < n; i++)
      fputs((httpr_provider_features(i) & b) ? " yes |" : " no |", out);
    fputc('\n', out);
  }
  fputs("| key exchange groups |", out);
  for (size_t i = 0; i < n; i++) {
    for (size_t k = 0; httpr_provider_group(i, k); k++)
      fprintf(out, "%s%s", k ? ", " : " ", httpr_provider_group(i, k));
    fputs(httpr_provider_group(i, 0) ? " |" : " - |", out);
  }
  /* The names are many: the table counts them, --list-ciphers names them. */
  fputs("\n| cipher suites (--list-ciphers) |", out);
  for (size_t i = 0; i < n; i++) {
    size_t k = 0;
    while (httpr_provider_cipher(i, k))
      k++;
    fprintf(out, " %zu |", k);
  }
  fputc('\n', out);
  return finish(out);
}

int cli_print_ciphers(FILE *out, FILE *err_out, const char *provider) {
  size_t n = httpr_provider_count(), shown = 0;
  for (size_t i = 0; i < n; i++) {
    const char *name = httpr_provider_name(i);
    if (provider && strcmp(provider, name) != 0)
      continue;
    shown++;
    for (size_t k = 0; httpr_provider_cipher(i, k); k++)
      fprintf(out, "%s%s%s\n", provider ? "" : name, provider ? "" : " ",
              httpr_provider_cipher(i, k));
  }
  if (provider && !shown) {
    fprintf(err_out, "httpr: no TLS provider named '%s' (see "
                     "--list-providers)\n", provider);
    return cli_exit_code(HTTPR_E_PROVIDER);
  }
  return finish(out);
}

int cli_print_providers(FILE *out) {
  size_t n = httpr_provider_count();
  char origin[512];
  const char *def = httpr_default_provider_origin(origin, sizeof(origin));
  int name_w = (int)strlen("NAME"), lib_w = (int)strlen("LIBRARY");
  for (size_t i = 0; i < n; i++) {
    name_w = width(name_w, httpr_provider_name(i));
    lib_w = width(lib_w, httpr_provider_library_version(i));
  }
  fprintf(out, "%-*s  %-7s  %-*s  %s\n", name_w, "NAME", "DEFAULT", lib_w,
          "LIBRARY", "FEATURES");
  for (size_t i = 0; i < n; i++) {
    const char *name = httpr_provider_name(i);
    int is_default = def && name && strcmp(def, name) == 0;
    fprintf(out, "%-*s  %-7s  %-*s  ", name_w, text_or_dash(name),
            is_default ? "yes" : "no", lib_w,
            text_or_dash(httpr_provider_library_version(i)));
    print_features(out, httpr_provider_features(i));
  }
  /* Where the default comes from, and why a system file was ignored: what
   * an administrator who edited providers.conf needs to see. */
  fprintf(out, "default: %s (%s)\n", def && *def ? def : "-", origin);
  return finish(out);
}
