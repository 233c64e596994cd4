#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Two builds of leanspec-ctl (say main and a branch) and the real LeanSpec
# CLI 0.3.0 on the same project, runs interleaved (old, new, leanspec, old,
# new, leanspec, ...) so a busy machine slows all three alike. For each of
#   leanspec-ctl list --json   / leanspec list -o json
#   leanspec-ctl stats --json  / leanspec stats -o json
# prints the median wall time, its spread (10th-90th percentile and min-max),
# the median CPU time (user+sys of the child), and the ratios to leanspec
# (of the medians, and the median of the per-round ratios, which a load
# swing during the run disturbs less). Each build has a spec cache folder of
# its own (the cache format may differ between them), warmed by one untimed
# run first; the page cache is warm for all three.
#
# usage: bench/bench-compare.sh [-r RUNS] [-p PROJECT | -n SPECS] OLD_CTL NEW_CTL
#   -r  timed rounds (default 21)
#   -p  an existing project folder (it is only read; its cache goes to a temp dir)
#   -n  generate a project of SPECS specs with ../shared/tools/gen-corpus.py
#       (default: the shared corpus ../shared/corpus/lean-spec, copied)
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
runs=21
project=""
n=""
while getopts "r:p:n:" opt; do
  case "$opt" in
    r) runs="$OPTARG" ;;
    p) project="$(cd "$OPTARG" && pwd)" ;;
    n) n="$OPTARG" ;;
    *) sed -n '2,20p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 2 ] || { sed -n '2,20p' "$0" >&2; exit 2; }
old="$(realpath "$1")"
new="$(realpath "$2")"
leanspec="$("$here/tests/interop/install-leanspec.sh")"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/leanspec-compare-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
if [ -n "$n" ]; then
  project="$tmp/project"
  python3 "$here/../shared/tools/gen-corpus.py" "$project" "$n" >/dev/null
elif [ -z "$project" ]; then
  project="$tmp/project"
  cp -a "$here/../shared/corpus/lean-spec" "$project"
fi
# Files copied a moment ago have "racy" times that no cache may trust yet;
# a person's project is older than two seconds.
sleep 3
echo "project: $project ($(find "$project" -name README.md | wc -l) READMEs)"

python3 - "$runs" "$project" "$old" "$new" "$leanspec" "$tmp" <<'PY'
import os, statistics, sys, time

runs, project, old, new, leanspec, tmp = (int(sys.argv[1]), *sys.argv[2:])

def once(argv, cache):
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.chdir(project)
        os.environ["LEANSPEC_CACHE_DIR"] = cache
        os.environ.pop("LEANSPEC_NO_CACHE", None)
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
        sys.exit(f"bench-compare: {' '.join(argv)} failed; run it by hand to see why")
    return wall, usage.ru_utime + usage.ru_stime

def pct(xs, p):
    xs = sorted(xs)
    k = (len(xs) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)

tools = {
    "old": (lambda cmd: [old, "-C", project, cmd, "--json"], os.path.join(tmp, "cache-old")),
    "new": (lambda cmd: [new, "-C", project, cmd, "--json"], os.path.join(tmp, "cache-new")),
    "leanspec": (lambda cmd: [leanspec, cmd, "-o", "json"], os.path.join(tmp, "cache-ref")),
}
print(f"runs: {runs} rounds of old, new, leanspec; {os.cpu_count()} CPUs; "
      f"load average at start {os.getloadavg()[0]:.1f}")
for cmd in ("list", "stats"):
    res = {name: [] for name in tools}
    for name, (argv, cache) in tools.items():
        once(argv(cmd), cache)  # warm-up: fills the cache and the page cache
    for _ in range(runs):
        for name, (argv, cache) in tools.items():
            res[name].append(once(argv(cmd), cache))
    ref = [w for w, _ in res["leanspec"]]
    print(f"\n{cmd}: wall ms p50 (p10-p90, min-max), CPU ms p50, ratio to leanspec "
          f"(of p50s / p50 of per-round ratios)")
    for name in tools:
        walls = [w for w, _ in res[name]]
        cpus = [c for _, c in res[name]]
        line = (f"  {name:<9} {statistics.median(walls)*1e3:7.1f} "
                f"({pct(walls, .1)*1e3:.0f}-{pct(walls, .9)*1e3:.0f}, "
                f"{min(walls)*1e3:.0f}-{max(walls)*1e3:.0f})  cpu {statistics.median(cpus)*1e3:6.1f}")
        if name != "leanspec":
            r50 = statistics.median(walls) / statistics.median(ref)
            rr = statistics.median(w / r for w, r in zip(walls, ref))
            cr = statistics.median(cpus) / statistics.median(c for _, c in res["leanspec"])
            line += f"  ratio {r50:.3f}x / {rr:.3f}x (cpu {cr:.3f}x)"
        print(line)
print(f"\nload average at end {os.getloadavg()[0]:.1f}")
PY
