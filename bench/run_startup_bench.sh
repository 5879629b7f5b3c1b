#!/usr/bin/env bash
# Start-up cost of the `lunatic` executable, two builds side by side: task-clock (CPU time) of
# short runs of WASM (fib 1) in every tier and of `lunatic --version`, `perf stat -r REPS`,
# ROUNDS rounds interleaved (base, new, base, new...), the median of the rounds printed.
# `compiled` and `auto` run with a warm code cache: one cache directory per build, filled by
# `lunatic compile` first (docs/benchmarks.md, "Start-up: the LLVM tier loaded when needed").
#   bench/run_startup_bench.sh BASE_DIR NEW_DIR WASM [ROUNDS] [REPS]
# Each directory holds a `lunatic` (and, for a build that loads it, its lunatic_llvm.so).
set -euo pipefail
base=$1
new=$2
wasm=$3
rounds=${4:-5}
reps=${5:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for build in base new; do
  dir=${!build}
  mkdir -p "$work/cache-$build"
  LUNATIC_CACHE_DIR="$work/cache-$build" "$dir/lunatic" compile "$wasm" >/dev/null
done

cases=(interp baseline compiled auto version)
args_of() {
  if [[ $1 == version ]]; then echo "--version"; else echo "run --tier $1 $wasm 1"; fi
}
for _ in $(seq "$rounds"); do
  for c in "${cases[@]}"; do
    for build in base new; do
      dir=${!build}
      # shellcheck disable=SC2046
      ms=$(LUNATIC_CACHE_DIR="$work/cache-$build" perf stat -x, -e task-clock -r "$reps" \
           "$dir/lunatic" $(args_of "$c") 2>&1 >/dev/null | grep task-clock | cut -d, -f1)
      echo "$c $build $ms" >>"$work/results"
    done
  done
done
python3 - "$work/results" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    case, build, ms = line.split()
    runs[case, build].append(float(ms))
print(f"{'case':10} {'base ms':>8} {'new ms':>8} {'new/base':>9}")
for case in ["interp", "baseline", "compiled", "auto", "version"]:
    b, n = statistics.median(runs[case, "base"]), statistics.median(runs[case, "new"])
    print(f"{case:10} {b:8.1f} {n:8.1f} {n / b:8.2f}x")
PY
uptime
