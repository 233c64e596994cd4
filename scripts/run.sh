#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds LeanSpec Desktop and starts it, on DIR if given, else on the bundled
# demo project (copied to a scratch folder so the demo in the tree stays clean).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
"$here/scripts/install-deps.sh"
[ -d "$here/_build" ] || meson setup "$here/_build" "$here"
ninja -C "$here/_build"

project="${1:-}"
if [ -z "$project" ]; then
  project="${XDG_CACHE_HOME:-$HOME/.cache}/leanspec-desktop/demo"
  if [ ! -d "$project" ]; then
    mkdir -p "$(dirname "$project")"
    cp -r "$here/demo" "$project"
  fi
fi

# The headless view of the same project, so the set-up can be checked from
# the terminal too.
"$here/_build/src/cli/leanspec-ctl" -C "$project" board

export GSETTINGS_SCHEMA_DIR="$here/_build/data"
exec "$here/_build/src/ui/leanspec-desktop" "$project"
