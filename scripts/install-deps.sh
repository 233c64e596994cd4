#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages LeanSpec Desktop needs to build, run and test.
# Idempotent: installs only what is missing, so running it again is cheap.
set -euo pipefail

packages=(
  meson ninja-build pkg-config gcc gettext git
  libglib2.0-dev libglib2.0-bin libgtk-4-dev libadwaita-1-dev libvte-2.91-gtk4-dev
  libsoup-3.0-dev libjson-glib-dev libsqlite3-dev sqlite3 libgit2-dev libyaml-dev
  libcmark-gfm-dev libcmark-gfm-extensions-dev libsecret-1-dev
  # The Changes view colours diffs with GtkSourceView.
  libgtksourceview-5-dev
  xvfb xauth dbus-x11 desktop-file-utils appstream python3 curl
  # UI tests press real pointer buttons and keys through XTest.
  libx11-dev libxtst-dev
  # Spec bodies use emoji (the leanspec CLI writes "📅 Planned"); without a
  # colour emoji font they render as boxes in tests' screenshots.
  fonts-noto-color-emoji
  # The session export test plays a recording back with `asciinema cat`.
  asciinema
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm is needed by the interop tests (the real leanspec CLI comes from npm).
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
