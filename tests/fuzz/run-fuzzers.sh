#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds the libFuzzer targets with AddressSanitizer (and UBSan) and runs
# each for a fixed time. Not part of `meson test`: it takes minutes.
#
#   tests/fuzz/run-fuzzers.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Needs clang (Debian: apt-get install clang). Work files go to
# $FUZZ_DIR (default: _build/fuzz); crashes are written there as
# crash-<hash> and make the script exit non-zero.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${1:-60}
[ $# -gt 0 ] && shift
out=${FUZZ_DIR:-$root/_build/fuzz}
cc=${CC_FUZZ:-clang}
mkdir -p "$out"

# The core sources each target needs, built into it with instrumentation.
base="$root/src/core/base/lean-error.c $root/src/core/base/lean-json.c $root/src/core/base/lean-text.c"
sources_frontmatter="$base $root/src/core/specs/lean-frontmatter.c"
sources_json="$base"
sources_relay_message="$base $root/src/core/runners/lean-relay-message.c"
sources_stream_parser="$base $root/src/core/agents/lean-stream-parser.c"

cat > "$out/config.h" <<'H'
#define GETTEXT_PACKAGE "leanspec-desktop"
#define APP_VERSION "fuzz"
H

flags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -I$out -I$root/src/core/base -I$root/src/core/specs -I$root/src/core/agents
       -I$root/src/core/runners
       $(pkg-config --cflags glib-2.0 gobject-2.0 gio-2.0 json-glib-1.0 yaml-0.1)"
libs="$(pkg-config --libs glib-2.0 gobject-2.0 gio-2.0 json-glib-1.0 yaml-0.1)"

targets=${*:-"frontmatter json relay_message stream_parser"}
status=0
for t in $targets; do
  name=$(echo "$t" | tr _ -)
  eval "srcs=\$sources_$t"
  # shellcheck disable=SC2086
  $cc $flags -o "$out/fuzz-$name" "$here/fuzz-$name.c" $srcs $libs
  mkdir -p "$out/corpus-$name"
  if [ -d "$here/seeds/$name" ]; then
    cp -n "$here/seeds/$name"/* "$out/corpus-$name/" 2>/dev/null || true
  fi
  echo "== fuzz-$name for ${seconds}s"
  # Stack overflows show as ASan "stack-overflow"; a small stack finds
  # unbounded recursion quickly. The RSS limit catches unbounded memory.
  if ! (cd "$out" && ASAN_OPTIONS=detect_leaks=0 "./fuzz-$name" \
          -max_total_time="$seconds" -max_len=262144 -rss_limit_mb=1024 \
          -artifact_prefix="$out/$name-" "$out/corpus-$name" 2>&1 | tail -n 12); then
    status=1
  fi
  if ls "$out/$name-"crash-* "$out/$name-"oom-* "$out/$name-"timeout-* >/dev/null 2>&1; then
    echo "fuzz-$name: found inputs that fail, see $out/$name-*"
    status=1
  fi
done
exit $status
