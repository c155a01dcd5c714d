#!/bin/sh
# SPDX-License-Identifier: MIT
# check-readme-env.sh - the library reads the environment through one
# table (common/env.h) and nowhere else: README.md's Environment section is
# exactly what tests/env/env-table prints from that table (regenerate with
# `make readme-env`), and no library source but common/env.c calls getenv or
# secure_getenv.
set -eu
src=${top_srcdir:-.}
build=${top_builddir:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

sed -n '/<!-- env-table:begin -->/,/<!-- env-table:end -->/p' \
  "$src/README.md" | sed '1d;$d' >"$tmp/readme"
"$build/tests/env/env-table" >"$tmp/table"
if ! cmp -s "$tmp/readme" "$tmp/table"; then
  echo "README.md's Environment section differs from common/env.h's table:" >&2
  diff -u "$tmp/readme" "$tmp/table" >&2 || true
  echo "run 'make readme-env' in the build directory" >&2
  exit 1
fi

# Every read goes through hr_env_get: a direct call elsewhere would
# bypass both the table and secure_getenv.
(cd "$src" && grep -n -E '(secure_)?getenv[[:space:]]*\(' \
  api/*.c api/*.h backends/*.c backends/*.h protocol/*.c protocol/*.h \
  pool/*.c pool/*.h common/*.c common/*.h 2>/dev/null | grep -v '^common/env\.c:') >"$tmp/reads" || true
if [ -s "$tmp/reads" ]; then
  echo "the library reads the environment outside common/env.c:" >&2
  sed 's/^/  /' "$tmp/reads" >&2
  echo "add the variable to HR_ENV_TABLE (common/env.h), read it with hr_env_get" >&2
  exit 1
fi
echo "README environment table matches common/env.h ($(grep -c '^| `' "$tmp/table") variables); no other reads"
