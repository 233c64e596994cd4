#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the real agent CLIs the product starts (Claude Code, Codex, Gemini
# CLI, GitHub Copilot CLI), pinned, with npm into a per-user cache folder and
# prints the folder holding their commands (node_modules/.bin).
#
# Tests put that folder first in PATH to see what a new user sees: the CLIs
# run here without an API key or network and fail the way they fail for
# someone who has not logged in yet.
#
# Idempotent and fast when cached: when every pinned version is installed
# nothing touches the network. --prefer-offline lets npm reuse its own
# download cache when the prefix was wiped. Unlike the leanspec binary, the
# agents need their install scripts (Codex and Copilot pick their native
# binary in them), so scripts are not ignored here.
#
# Environment:
#   LEANSPEC_AGENTS_CACHE  cache folder
#                          (default: $XDG_CACHE_HOME/leanspec-desktop-tests/agents)
set -euo pipefail

# Versions checked to run on Debian 12 (node 20) on 2026-11-26. The Claude Code
# and Codex versions are the ones in shared/corpus/agent-transcripts.
packages=(
  "@anthropic-ai/claude-code@2.1.197"
  "@openai/codex@0.169.0"
  "@google/gemini-cli@0.61.0"
  "@github/copilot@1.0.102"
)
commands=(claude codex gemini copilot)

prefix="${LEANSPEC_AGENTS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/leanspec-desktop-tests/agents}"
bindir="$prefix/node_modules/.bin"

die ()
{
  echo "install-agents: $*" >&2
  exit 1
}

installed_version ()
{
  local json="$prefix/node_modules/$1/package.json"

  [ -f "$json" ] || return 1
  sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$json" | head -n1
}

missing ()
{
  local spec name version

  for spec in "${packages[@]}"; do
    name="${spec%@*}"
    version="${spec##*@}"
    [ "$(installed_version "$name" || true)" = "$version" ] || { echo "$spec"; }
  done
  for name in "${commands[@]}"; do
    [ -x "$bindir/$name" ] || echo "$name"
  done
}

if [ -n "$(missing)" ]; then
  command -v npm >/dev/null 2>&1 ||
    die "npm is not installed; run scripts/install-deps.sh (apt-get install npm)"
  mkdir -p "$prefix"
  # A lock keeps two test programs started at once from installing over each other.
  exec 9>"$prefix/.install.lock"
  flock 9
  if [ -n "$(missing)" ]; then
    echo "install-agents: installing ${packages[*]} into $prefix" >&2
    if ! npm install --prefix "$prefix" --no-save --no-audit --no-fund --prefer-offline \
         --loglevel=error "${packages[@]}" >&2; then
      die "npm install of the agent CLIs failed (offline? registry unreachable?)"
    fi
  fi
  flock -u 9
  [ -z "$(missing)" ] || die "still missing after npm install: $(missing | tr '\n' ' ')"
fi

echo "$bindir"
