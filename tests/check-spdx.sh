#!/bin/sh
# SPDX-License-Identifier: MIT
#
# check-spdx.sh - fails naming every source, script and build file that has
# no SPDX-License-Identifier line in its first 3 lines (line 1, or line 2
# after a #! line, is where they go). Checked: C sources and headers,
# shell and Python scripts, the automake, autoconf and pkg-config inputs,
# Makefile fragments, test scripts (*.test), suppression files, Markdown,
# configuration files (*.conf: etc/providers.conf), .clang-format, and any
# other file that starts with #!. Data (fuzz corpora, the symbol list,
# LICENSE, NEWS) needs none.
#
# Usage: check-spdx.sh [SRCDIR]. In a git checkout the files are the
# tracked ones and the new ones git does not ignore; in a `make dist`
# tarball there is no .git, so SRCDIR is walked instead, leaving out what
# the autotools and the builds make there. Run by `make check`, it first
# proves on a made-up tree that it catches a missing line.
set -eu
src=${1:-${top_srcdir:-.}}

# candidates DIR: every file of DIR, one path a line, relative to DIR.
candidates() {
  if [ -e "$1/.git" ] && command -v git >/dev/null 2>&1 &&
    git -C "$1" rev-parse --is-inside-work-tree >/dev/null 2>&1 &&
    [ "$(cd "$1" && pwd -P)" = "$(git -C "$1" rev-parse --show-toplevel)" ]
  then
    git -C "$1" ls-files --cached --others --exclude-standard
  else
    # The walk of a tarball: build trees (build*/, and distcheck's and
    # the Debian build's _build/ and _inst/), autotools output
    # directories, the fuzz corpora and debian/ (where a package build
    # leaves its own files; git's walk checks the packaging) are not
    # walked at all.
    (cd "$1" && find . \( -name .git -o -name 'build*' -o -name _build \
      -o -name _inst -o -name autom4te.cache -o -name .deps -o -name .libs \
      -o -path ./m4 -o -path ./build-aux -o -path ./tests/fuzz/corpus \
      -o -path ./debian \) \
      -prune -o -type f -print | sed 's|^\./||')
  fi
}

# wanted PATH: true when PATH is a file that must carry the line.
wanted() {
  case $1 in
  # autotools output, present in a tarball or after autogen.sh
  configure | Makefile.in | */Makefile.in | aclocal.m4 | config.h.in | \
    config.h | config.status | libtool | tests/fuzz/corpus/* | *~)
    return 1 ;;
  *.c | *.h | *.sh | *.py | *.am | *.ac | *.mk | *.test | *.supp | *.md | \
    *.pc.in | *.conf | .clang-format | */.clang-format)
    return 0 ;;
  esac
  # A script without a suffix (.ci/run, a tool): its first line says so.
  [ "$(head -c 2 "$dir/$1" 2>/dev/null)" = '#!' ]
}

# check_tree DIR: prints each file of DIR without the line; false if any.
check_tree() {
  dir=$1
  bad=0
  checked=0
  list=$(mktemp)
  candidates "$dir" >"$list"
  while IFS= read -r file; do
    [ -f "$dir/$file" ] || continue
    wanted "$file" || continue
    checked=$((checked + 1))
    if ! head -n 3 "$dir/$file" |
      grep -q 'SPDX-License-Identifier: [A-Za-z0-9]'; then
      echo "$file: no SPDX-License-Identifier line in its first 3 lines" >&2
      bad=1
    fi
  done <"$list"
  rm -f "$list"
  [ "$bad" -eq 0 ]
}

# The check must be able to fail: in a made-up tree (no .git, so walked as
# a tarball is), one C file without the line, one script with it too late,
# among files that are right or need none.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fake=$scratch/tree
errors=$scratch/errors
mkdir -p "$fake/api" "$fake/tools" "$fake/tests/fuzz/corpus/x" "$fake/build"
printf '/* SPDX-License-Identifier: MIT */\nint a;\n' >"$fake/api/good.c"
printf '#!/bin/sh\n# SPDX-License-Identifier: MIT\n' >"$fake/tools/good.sh"
printf '/*\n * missing.c - no line\n */\nint b;\n' >"$fake/api/missing.c"
printf '#!/bin/sh\n#\n#\n# SPDX-License-Identifier: MIT\n' >"$fake/tools/late"
printf 'GET / HTTP/1.1\r\n' >"$fake/tests/fuzz/corpus/x/seed"
printf 'int generated;\n' >"$fake/build/out.c"
printf '#! /bin/sh\n' >"$fake/configure"
if check_tree "$fake" 2>"$errors"; then
  echo "check-spdx.sh: a tree with api/missing.c and tools/late passed" >&2
  exit 1
fi
if [ "$(cut -d: -f1 "$errors" | sort | tr '\n' ' ')" != \
  "api/missing.c tools/late " ]; then
  echo "check-spdx.sh: the made-up tree should fail on api/missing.c and" \
    "tools/late alone; it said:" >&2
  cat "$errors" >&2
  exit 1
fi

if ! check_tree "$src"; then
  echo "add '/* SPDX-License-Identifier: MIT */' as line 1 (C), or" \
    "'# SPDX-License-Identifier: MIT' (scripts: after the #! line)" >&2
  exit 1
fi
echo "spdx: $checked files, each with an SPDX line in its first 3 lines"
