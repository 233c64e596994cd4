#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Times leanspec-ctl against the real LeanSpec CLI (0.3.0) on a generated
# project, in the same run, and prints both medians and the ratios:
#   leanspec-ctl list --json   vs  leanspec list -o json   (target <= 0.25x)
#   leanspec-ctl stats --json  vs  leanspec stats -o json  (target <= 0.05x)
#
# usage: bench/bench-list.sh [-n SPECS] [-r RUNS] [-b BUILD_DIR] [-k]
#   -n  number of specs to generate (default 5000)
#   -r  timed runs per command, after one untimed warm-up (default 9)
#   -b  meson build dir holding src/cli/leanspec-ctl (default _build)
#   -k  keep the generated project (its path is printed)
# Exit status: 0 when both targets are met, 1 when one is missed.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
n=5000
runs=9
build="$here/_build"
keep=0
while getopts "n:r:b:k" opt; do
  case "$opt" in
    n) n="$OPTARG" ;;
    r) runs="$OPTARG" ;;
    b) build="$(cd "$OPTARG" && pwd)" ;;
    k) keep=1 ;;
    *) sed -n '2,16p' "$0" >&2; exit 2 ;;
  esac
done

ctl="$build/src/cli/leanspec-ctl"
gen="$here/../shared/tools/gen-corpus.py"
[ -x "$ctl" ] || { echo "bench-list: $ctl not built (ninja -C $build)" >&2; exit 2; }
[ -f "$gen" ] || { echo "bench-list: $gen not found (shared/ must sit beside the repo)" >&2; exit 2; }
leanspec="$("$here/tests/interop/install-leanspec.sh")"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/leanspec-bench-XXXXXX")"
[ "$keep" = 1 ] || trap 'rm -rf "$tmp"' EXIT
project="$tmp/project"
python3 "$gen" "$project" "$n"
echo "project: $project ($n specs, $(du -sh "$project/specs" | cut -f1) on disk)"

# Timing in Python: one fork+exec per run for both tools, output to
# /dev/null, wall-clock monotonic time, median of the runs. The warm-up run
# fills the page cache for both, so we compare parsing, not the disk.
python3 - "$runs" "$project" "$ctl" "$leanspec" <<'PY'
import os, statistics, subprocess, sys, time

runs, project, ctl, leanspec = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]

def bench(argv):
    def once():
        t0 = time.perf_counter()
        p = subprocess.run(argv, cwd=project, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE)
        t = time.perf_counter() - t0
        if p.returncode != 0:
            sys.exit(f"bench-list: {' '.join(argv)} exited {p.returncode}: "
                     f"{p.stderr.decode(errors='replace')}")
        return t
    once()
    times = [once() for _ in range(runs)]
    return statistics.median(times), min(times), max(times)

pairs = [
    ("list", [ctl, "-C", project, "list", "--json"], [leanspec, "list", "-o", "json"], 0.25),
    ("stats", [ctl, "-C", project, "stats", "--json"], [leanspec, "stats", "-o", "json"], 0.05),
]
missed = False
print(f"{'command':<8} {'leanspec-ctl':>22} {'leanspec 0.3.0':>22} {'ratio':>7} {'target':>7}")
print(f"{'':<8} {'median (min-max) ms':>22} {'median (min-max) ms':>22}")
for name, ours_argv, theirs_argv, target in pairs:
    o = bench(ours_argv)
    t = bench(theirs_argv)
    ratio = o[0] / t[0]
    ok = ratio <= target
    missed |= not ok
    fmt = lambda m: f"{m[0]*1e3:7.1f} ({m[1]*1e3:.0f}-{m[2]*1e3:.0f})"
    print(f"{name:<8} {fmt(o):>22} {fmt(t):>22} {ratio:6.3f}x {'<=' + str(target):>7} "
          f"{'ok' if ok else 'MISSED'}")
print(f"runs: {runs} per command after 1 warm-up; {os.cpu_count()} CPUs")
sys.exit(1 if missed else 0)
PY
