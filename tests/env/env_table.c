/* SPDX-License-Identifier: MIT */
/*
 * env_table.c - prints the table of environment variables the library
 * reads (common/env.h) as the Markdown of README.md's Environment section.
 * `make readme-env` puts it there; tests/check-readme-env.sh fails when
 * the two differ.
 */
#include <stdio.h>

#include "common/env.h"

int main(void) {
  puts("| variable | what it does | read by, when |");
  puts("|---|---|---|");
  for (size_t i = 0; i < HR_ENV_COUNT; i++) {
    const struct hr_env_var *v = hr_env_at(i);
    printf("| `%s` | %s | %s |\n", v->name, v->what, v->reader);
  }
  return 0;
}
