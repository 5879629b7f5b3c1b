#!/usr/bin/env python3
"""Warm `auto` runs whose code cache holds only the module's hot entry (the hot functions an
earlier run compiled, docs/design.md "Hot functions first"), two builds side by side: CPU time
(user + sys, from wait4) and wall time. Each build's cache is filled by FILLS runs of each case
(`--tier auto`, waiting for their hot batch to be stored); every run, fill or measured, has
LUNATIC_LLVM_DELAY_MS=3600000 and LUNATIC_HOT_TICKS=100000, so the module's whole compile never starts and no whole-module
entry is made: a measured run loads the hot entry (through LLVM or without it) and compiles
nothing new unless a function the fills missed becomes hot. ROUNDS rounds, interleaved (base,
new, base, new...); medians printed, with the load average.

    bench/run_warm_hot_cache_bench.py BASE_DIR NEW_DIR BUILD_DIR [ROUNDS] [FILLS]

BASE_DIR and NEW_DIR each hold a `lunatic` (and its lunatic_llvm.so); BUILD_DIR has the guests
(tests/guests/simd_kernels.wasm, bench/guests/*.wasm).
"""
import os
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_warm_cache_bench import run  # noqa: E402

# A function is hot after 100,000 time stamp counter ticks in it (as integration.hot_cache):
# the default estimate leaves these short programs in the baseline.
ENV = {"LUNATIC_LLVM_DELAY_MS": "3600000", "LUNATIC_HOT_TICKS": "100000"}
FILL_ENV = dict(ENV, LUNATIC_HOT_WAIT_MS="60000")


def cases(build):
    guests = os.path.join(build, "bench", "guests")
    return [
        ("simd", os.path.join(build, "tests", "guests", "simd_kernels.wasm"), []),
        ("fib 30", os.path.join(guests, "bench_fib.wasm"), ["30"]),
        ("matmul", os.path.join(guests, "bench_matmul.wasm"), ["128", "1"]),
    ]


def main():
    base, new, build = sys.argv[1:4]
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 7
    fills = int(sys.argv[5]) if len(sys.argv) > 5 else 2
    work = tempfile.mkdtemp()
    builds = {"base": base, "new": new}
    for name, directory in builds.items():
        cache = os.path.join(work, name)
        for _ in range(fills):
            for _, wasm, args in cases(build):
                run(os.path.join(directory, "lunatic"), "auto", wasm, [], args, cache, FILL_ENV)
        entries = os.listdir(cache) if os.path.isdir(cache) else []
        print(f"{name}: {len(entries)} hot entries after {fills} fill runs per case")
    results = {}
    for _ in range(rounds):
        for case, wasm, args in cases(build):
            for name, directory in builds.items():
                results.setdefault((case, name), []).append(
                    run(os.path.join(directory, "lunatic"), "auto", wasm, [], args,
                        os.path.join(work, name), ENV))
    print(f"{'case':8} {'base cpu':>9} {'new cpu':>8} {'base wall':>10} {'new wall':>9}"
          "   (ms, medians of %d)" % rounds)
    for case, _, _ in cases(build):
        b, n = results[case, "base"], results[case, "new"]
        med = lambda runs, i: statistics.median(r[i] for r in runs)  # noqa: E731
        print(f"{case:8} {med(b, 0):9.1f} {med(n, 0):8.1f} {med(b, 1):10.1f} {med(n, 1):9.1f}")
    print(open("/proc/loadavg").read().strip())
    subprocess.run(["rm", "-rf", work], check=False)


if __name__ == "__main__":
    main()
