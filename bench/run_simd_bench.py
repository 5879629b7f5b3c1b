#!/usr/bin/env python3
"""The SIMD benchmark: bench/guests/simd.c (an i16 dot product and a byte scan) run natively and
in lunatic's tiers (--tiers: interp, baseline, compiled; compiled runs warm: the code cache holds
its code after a first unmeasured run), built for wasm32-wasi as scalar code and with -msimd128 (both
-O3). Runs the variants interleaved, checks that all print the same checksum and prints median
wall and CPU times (user + system of the child) with ratios to native; on a loaded machine the
CPU times are the steadier ones.

Python 3 standard library only. Build first:
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DLUNATIC_BUILD_BENCH=ON
  ninja -C build -j2 lunatic bench_native_simd guest_bench_simd_scalar guest_bench_simd_simd128
See docs/benchmarks.md ("SIMD").
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time


def cpu_of_children():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command, timeout):
    """Wall time, CPU time and stdout of one run; exits with a message when it fails."""
    cpu_before = cpu_of_children()
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)}: exit {done.returncode}\n{done.stderr}")
    return wall, cpu_of_children() - cpu_before, done.stdout.strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", default="build", help="CMake build directory (default: build)")
    parser.add_argument("--runs", type=int, default=5, help="runs per variant (default 5)")
    parser.add_argument("--lunatic", help="lunatic binary (default: BUILD/tools/lunatic/lunatic)")
    parser.add_argument("--args", default="1048576 16", help="guest arguments (default: '1048576 16')")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per run (default 600)")
    parser.add_argument("--tiers", default="interp,compiled",
                        help="comma-separated lunatic tiers: interp, baseline, compiled, auto "
                             "(default: interp,compiled)")
    args = parser.parse_args()
    bench = os.path.join(args.build_dir, "bench")
    lunatic = args.lunatic or os.path.join(args.build_dir, "tools", "lunatic", "lunatic")
    guest_args = args.args.split()
    guests = {"scalar": os.path.join(bench, "guests", "bench_simd_scalar.wasm"),
              "-msimd128": os.path.join(bench, "guests", "bench_simd_simd128.wasm")}
    variants = [("native -O3", [os.path.join(bench, "native", "simd")] + guest_args)]
    for tier in args.tiers.split(","):
        for build, wasm in guests.items():
            variants.append((f"{tier}, {build} wasm", [lunatic, "run", "--tier", tier, wasm] + guest_args))
    for label, command in variants:  # warm-up: fills the code cache for the compiled tier
        if "compiled" in label:
            run(command, args.timeout)
    outputs = set()
    walls = {label: [] for label, _ in variants}
    cpus = {label: [] for label, _ in variants}
    for _ in range(args.runs):  # interleaved: a load change hits every variant alike
        for label, command in variants:
            wall, cpu, out = run(command, args.timeout)
            walls[label].append(wall)
            cpus[label].append(cpu)
            outputs.add(out)
    medians = [(label, statistics.median(walls[label]), statistics.median(cpus[label]))
               for label, _ in variants]
    if len(outputs) != 1:
        sys.exit("outputs differ: " + " | ".join(sorted(outputs)))
    print(f"simd {args.args}: {outputs.pop()}  (median of {args.runs} runs; "
          f"load average {os.getloadavg()[0]:.1f})")
    _, native_wall, native_cpu = medians[0]
    print(f"  {'variant':<24} {'wall':>8}    {'':>13} {'cpu':>8}")
    for label, wall, cpu in medians:
        print(f"  {label:<24} {wall:8.3f} s  {wall / native_wall:7.1f}x native"
              f" {cpu:8.3f} s  {cpu / native_cpu:7.1f}x native")
    # The target: the interpreter runs the -msimd128 build at least 2x faster.
    by_label = {label: (wall, cpu) for label, wall, cpu in medians}
    scalar, vector = by_label.get("interp, scalar wasm"), by_label.get("interp, -msimd128 wasm")
    if scalar and vector:
        print(f"  interp scalar / -msimd128: {scalar[0] / vector[0]:.2f}x wall, "
              f"{scalar[1] / vector[1]:.2f}x cpu (target 2x)")


if __name__ == "__main__":
    main()
