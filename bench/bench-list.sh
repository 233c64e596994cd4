#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Times leanspec-ctl against the real LeanSpec CLI (0.3.0) on a generated
# project, in the same run, and prints both medians and the ratios:
#   leanspec-ctl list --json   vs  leanspec list -o json   (target <= 0.25x)
#   leanspec-ctl stats --json  vs  leanspec stats -o json  (target <= 0.05x)
# and `list --json` once more with the core's spec cache off (LEANSPEC_NO_CACHE=1),
# i.e. every file parsed again. The cache lives in the scratch folder
# (LEANSPEC_CACHE_DIR), never in ~/.cache.
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
export LEANSPEC_CACHE_DIR="$tmp/cache"
python3 "$gen" "$project" "$n"
echo "project: $project ($n specs, $(du -sh "$project/specs" | cut -f1) on disk)"

# Timing in Python: one fork+exec per run, output to /dev/null, wall-clock
# monotonic time plus the child's CPU time (user+sys, from wait4). Runs of the
# two tools alternate, so a busy machine slows both alike; the warm-up run
# fills the page cache for both, so we compare parsing, not the disk.
python3 - "$runs" "$project" "$ctl" "$leanspec" <<'PY'
import os, statistics, sys, time

runs, project, ctl, leanspec = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]

def once(argv, env=None):
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.chdir(project)
        if env:
            os.environ.update(env)
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        try:
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench-list: {' '.join(argv)} failed ({os.waitstatus_to_exitcode(status)}); "
                 "run it by hand to see why")
    return wall, usage.ru_utime + usage.ru_stime

def bench(ours_argv, theirs_argv, env):
    once(ours_argv, env); once(theirs_argv)
    o, t = [], []
    for _ in range(runs):
        o.append(once(ours_argv, env))
        t.append(once(theirs_argv))
    summary = lambda xs: (statistics.median(x[0] for x in xs), min(x[0] for x in xs),
                          max(x[0] for x in xs), statistics.median(x[1] for x in xs))
    return summary(o), summary(t)

no_cache = {"LEANSPEC_NO_CACHE": "1"}
pairs = [
    ("list", [ctl, "-C", project, "list", "--json"], [leanspec, "list", "-o", "json"], 0.25, None),
    ("stats", [ctl, "-C", project, "stats", "--json"], [leanspec, "stats", "-o", "json"], 0.05,
     None),
    ("list*", [ctl, "-C", project, "list", "--json"], [leanspec, "list", "-o", "json"], 0.25,
     no_cache),
]
missed = False
fmt = lambda m: f"{m[0]*1e3:7.1f} ({m[1]*1e3:.0f}-{m[2]*1e3:.0f})"
print(f"{'command':<8} {'leanspec-ctl':>22} {'leanspec 0.3.0':>22} {'ratio':>7} {'target':>7}"
      f" {'cpu ms ours/theirs':>20}")
print(f"{'':<8} {'median (min-max) ms':>22} {'median (min-max) ms':>22}")
for name, ours_argv, theirs_argv, target, env in pairs:
    o, t = bench(ours_argv, theirs_argv, env)
    ratio = o[0] / t[0]
    ok = ratio <= target
    if env is None:  # the no-cache row is for information
        missed |= not ok
    cpu = f"{o[3]*1e3:.0f}/{t[3]*1e3:.0f}"
    print(f"{name:<8} {fmt(o):>22} {fmt(t):>22} {ratio:6.3f}x {'<=' + str(target):>7}"
          f" {cpu:>20}  {'ok' if ok else 'MISSED'}")
print("list*: leanspec-ctl with LEANSPEC_NO_CACHE=1 (every file parsed again)")
print(f"runs: {runs} per command, alternating, after 1 warm-up each; {os.cpu_count()} CPUs; "
      f"load average {os.getloadavg()[0]:.2f}")
sys.exit(1 if missed else 0)
PY
