#!/bin/sh
# SPDX-License-Identifier: MIT
#
# check-layers.sh - fails when a library file includes a header of a layer
# above its own. The layers, from the top: api, pool, protocol, backends,
# common. A file may include headers of its own layer and of the layers
# below it. The one header every layer may include is the public
# api/httpr.h: it is the vocabulary (httpr_code, the handle types) that the
# error helpers in common/ are written in, not a part of the api layer's
# machinery. tools/ and tests/ may include anything and are not checked.
#
# Usage: check-layers.sh [SRCDIR]. Run by `make check`, it first proves on
# a made-up tree that it catches a violation, then checks the real one.
set -eu
src=${1:-${top_srcdir:-.}}

rank() {
  case $1 in
  api) echo 4 ;;
  pool) echo 3 ;;
  protocol) echo 2 ;;
  backends) echo 1 ;;
  common) echo 0 ;;
  *) echo -1 ;;
  esac
}

check_tree() {
bad=0
checked=0
for dir in api pool protocol backends common; do
  own=$(rank "$dir")
  for file in "$src/$dir"/*.c "$src/$dir"/*.h; do
    [ -f "$file" ] || continue
    checked=$((checked + 1))
    # Quoted includes of the form "layer/name.h"; system headers and
    # config.h have no folder and are not ours.
    for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z_]*\/[^"]*\)".*/\1/p' "$file"); do
      [ "$inc" = "api/httpr.h" ] && continue
      layer=${inc%%/*}
      theirs=$(rank "$layer")
      if [ "$theirs" -lt 0 ]; then
        echo "$dir/${file##*/}: includes \"$inc\", which is in no layer" >&2
        bad=1
      elif [ "$theirs" -gt "$own" ]; then
        echo "$dir/${file##*/}: includes \"$inc\" from $layer, a layer above $dir" >&2
        bad=1
      fi
    done
  done
done
[ "$bad" -eq 0 ]
}

# The check must be able to fail: protocol/ including api/internal.h.
fake=$(mktemp -d)
trap 'rm -rf "$fake"' EXIT
mkdir "$fake/protocol" "$fake/api"
printf '#include "api/httpr.h"\n#include "common/buf.h"\n' >"$fake/protocol/ok.c"
printf '#include "api/internal.h"\n' >"$fake/protocol/wrong.c"
if (src=$fake; check_tree) 2>/dev/null; then
  echo "check-layers.sh: a protocol/ file including api/internal.h passed" >&2
  exit 1
fi

if ! check_tree "$src"; then
  echo "layers, from the top: api, pool, protocol, backends, common" >&2
  exit 1
fi
echo "layers hold: $checked library files include only their own layer or lower"
