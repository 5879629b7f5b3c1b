#!/usr/bin/env python3
"""Warm code-cache runs, two builds side by side: CPU time (user + sys of the process, from
wait4) and wall time of `lunatic run --tier TIER` with the cache filled by `lunatic compile`
first (one cache directory per build: the key holds the build IDs). ROUNDS rounds, each build
once per case per round, interleaved (base, new, base, new...); medians printed.

    bench/run_warm_cache_bench.py BASE_DIR NEW_DIR BUILD_DIR [ROUNDS] [TIERS]

BASE_DIR and NEW_DIR each hold a `lunatic` (and its lunatic_llvm.so); BUILD_DIR has the bench
guests (bench/guests/*.wasm, bench/programs/wasm/lua.wasm). Cases: fib 1, fib 37, matmul 256 1,
Lua's compute.lua at 0.1 of its size.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def cases(build):
    guests = os.path.join(build, "bench", "guests")
    lua = os.path.join(build, "bench", "programs", "wasm", "lua.wasm")
    return [
        ("fib 1", os.path.join(guests, "bench_fib.wasm"), [], ["1"]),
        ("fib 37", os.path.join(guests, "bench_fib.wasm"), [], ["37"]),
        ("matmul", os.path.join(guests, "bench_matmul.wasm"), [], ["256", "1"]),
        ("lua", lua, ["--dir", os.path.join(HERE, "programs") + ":/bench"],
         ["/bench/compute.lua", "0.1"]),
    ]


def run(binary, tier, wasm, options, args, cache):
    env = dict(os.environ, LUNATIC_CACHE_DIR=cache)
    start = time.perf_counter()
    proc = subprocess.Popen([binary, "run", "--tier", tier] + options + [wasm, "--"] + args,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{binary} {wasm} {args}: exit status {status}")
    return (usage.ru_utime + usage.ru_stime) * 1000, wall * 1000


def main():
    base, new, build = sys.argv[1:4]
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    tiers = (sys.argv[5] if len(sys.argv) > 5 else "compiled,auto").split(",")
    work = tempfile.mkdtemp()
    builds = {"base": base, "new": new}
    for name, directory in builds.items():
        for _, wasm, _, _ in cases(build):
            subprocess.run([os.path.join(directory, "lunatic"), "compile", wasm], check=True,
                           stdout=subprocess.DEVNULL,
                           env=dict(os.environ, LUNATIC_CACHE_DIR=os.path.join(work, name)))
    results = {}
    for _ in range(rounds):
        for case, wasm, options, args in cases(build):
            for tier in tiers:
                for name, directory in builds.items():
                    cpu, wall = run(os.path.join(directory, "lunatic"), tier, wasm, options, args,
                                    os.path.join(work, name))
                    results.setdefault((case, tier, name), []).append((cpu, wall))
    print(f"{'case':8} {'tier':9} {'base cpu':>9} {'new cpu':>8} {'base wall':>10} {'new wall':>9}"
          "   (ms, medians of %d)" % rounds)
    for case, _, _, _ in cases(build):
        for tier in tiers:
            b = results[case, tier, "base"]
            n = results[case, tier, "new"]
            med = lambda runs, i: statistics.median(r[i] for r in runs)  # noqa: E731
            print(f"{case:8} {tier:9} {med(b, 0):9.1f} {med(n, 0):8.1f} {med(b, 1):10.1f} "
                  f"{med(n, 1):9.1f}")
    print(open("/proc/loadavg").read().strip())


if __name__ == "__main__":
    main()
