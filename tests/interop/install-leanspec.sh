#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the real LeanSpec CLI (@leanspec/cli-linux-x64, pinned) with npm into
# a per-user cache folder and prints the path of its `leanspec` binary; with the
# argument `http`, LeanSpec's HTTP server (@leanspec/http-linux-x64, binary
# `leanspec-http`) instead, into a folder of its own (an npm install into one
# prefix removes the packages it was not asked for).
#
# usage: install-leanspec.sh [cli|http]
#
# Idempotent and offline-friendly: when the pinned version is already in the
# cache nothing touches the network. npm does not run the package's install
# script here, so the binary may arrive without its run bit; we set it ourselves.
# --prefer-offline lets npm reuse its own download cache when the prefix was wiped.
#
# Environment:
#   LEANSPEC_NPM_CACHE  cache folder (default: $XDG_CACHE_HOME/leanspec-desktop-tests/npm)
#   LEANSPEC_VERSION    version to install (default: 0.3.0)
set -euo pipefail

version="${LEANSPEC_VERSION:-0.3.0}"
prefix="${LEANSPEC_NPM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/leanspec-desktop-tests/npm}"
case "${1:-cli}" in
  cli)
    package="@leanspec/cli-linux-x64"
    binary=leanspec
    ;;
  http)
    package="@leanspec/http-linux-x64"
    binary=leanspec-http
    prefix="$prefix-http"
    ;;
  *)
    echo "usage: install-leanspec.sh [cli|http]" >&2
    exit 2
    ;;
esac
pkgdir="$prefix/node_modules/$package"

die ()
{
  echo "install-leanspec: $*" >&2
  exit 1
}

installed_version ()
{
  [ -f "$pkgdir/package.json" ] || return 1
  sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$pkgdir/package.json" | head -n1
}

find_binary ()
{
  # The layout is bin/leanspec (CLI) and leanspec-http (server) in 0.3.0;
  # search so a moved file still works.
  local candidate
  for candidate in "$pkgdir/bin/$binary" "$pkgdir/$binary"; do
    [ -f "$candidate" ] && { echo "$candidate"; return 0; }
  done
  find "$pkgdir" -maxdepth 3 -type f -name "$binary" -print -quit 2>/dev/null
}

if [ "$(installed_version || true)" != "$version" ]; then
  command -v npm >/dev/null 2>&1 ||
    die "npm is not installed; run scripts/install-deps.sh (apt-get install npm)"
  mkdir -p "$prefix"
  # A lock keeps two test programs started at once from installing over each other.
  exec 9>"$prefix/.install.lock"
  flock 9
  if [ "$(installed_version || true)" != "$version" ]; then
    echo "install-leanspec: installing $package@$version into $prefix" >&2
    # --ignore-scripts: the same as npm's default behaviour here, said out loud.
    if ! npm install --prefix "$prefix" --no-save --no-audit --no-fund --prefer-offline \
         --ignore-scripts --loglevel=error "$package@$version" >&2; then
      die "npm install $package@$version failed (offline? registry unreachable?)"
    fi
  fi
  flock -u 9
fi

bin="$(find_binary)"
[ -n "$bin" ] || die "no $binary binary found under $pkgdir"
[ -x "$bin" ] || chmod +x "$bin"
"$bin" --version >/dev/null 2>&1 || die "$bin does not run on this machine"
echo "$bin"
