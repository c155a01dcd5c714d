#!/bin/sh
# SPDX-License-Identifier: MIT
# Regenerates the build system (configure, Makefile.in) from a git checkout.
set -eu
cd "$(dirname "$0")"
mkdir -p m4
autoreconf --install --force --warnings=all
