#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds LeanSpec Desktop and runs every test (core, CLI, interop with the real
# leanspec CLI, UI under Xvfb). Extra arguments go to `meson test`.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
"$here/scripts/install-deps.sh"
[ -d "$here/_build" ] || meson setup "$here/_build" "$here"
ninja -C "$here/_build"
# A private D-Bus session bus and an X server, so UI tests run headless.
exec xvfb-run -a -s "-screen 0 1600x1000x24" dbus-run-session -- \
  meson test -C "$here/_build" --print-errorlogs "$@"
