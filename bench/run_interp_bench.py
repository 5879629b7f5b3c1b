#!/usr/bin/env python3
"""Interpreter benchmarks: runs each guest program natively, on wabt's interpreter and on
lunatic, checks that all print the same checksum, and prints median wall times and ratios.

Python 3 standard library only. Build first:
  cmake -S . -B build -G Ninja -DLUNATIC_BUILD_BENCH=ON && ninja -C build lunatic_bench
See docs/benchmarks.md.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

# name, arguments for the measured run, arguments for --quick, integer-only?
# Sizes: native takes ~0.05-0.15 s, wabt's interpreter 10-25 s (see docs/benchmarks.md).
BENCHMARKS = [
    ("fib", ["37"], ["25"], True),
    ("sieve", ["16777216", "1"], ["1048576", "1"], True),
    ("crc", ["16777216", "2"], ["1048576", "1"], True),
    ("hash", ["16777216", "4"], ["1048576", "1"], True),
    ("matmul", ["256", "3"], ["64", "1"], False),
]

# Targets from the issue: lunatic at least 10x faster than wabt's interpreter everywhere,
# and within 10x of native on the integer benchmarks.
TARGET_VS_WABT = 10.0
TARGET_VS_NATIVE = 10.0


class BenchError(Exception):
    """A failed run or a checksum mismatch: the script stops and says why."""


def wasm_interp_has_wasi(wasm_file):
    """Debian's wasm-interp is built without uvwasi; `--wasi` then fails at once."""
    try:
        probe = subprocess.run(["wasm-interp", "--wasi", wasm_file, "1"], capture_output=True,
                               text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "not compiled in" not in probe.stderr + probe.stdout


def make_runtimes(args):
    """Returns [(label, command builder)] for the runtimes that are available."""
    bench_dir = os.path.join(args.build_dir, "bench")
    native_dir = os.path.join(bench_dir, "native")
    wasm_dir = os.path.join(bench_dir, "guests")
    runtimes = [("native", lambda name, a: [os.path.join(native_dir, name)] + a)]

    wabt_runner = os.path.join(bench_dir, "wabt_wasi_run")
    if args.wabt == "wasm-interp" or (args.wabt == "auto" and
                                     wasm_interp_has_wasi(os.path.join(wasm_dir, "bench_fib.wasm"))):
        runtimes.append(("wasm-interp",
                         lambda name, a: ["wasm-interp", "--wasi",
                                          os.path.join(wasm_dir, "bench_" + name + ".wasm")] + a))
    elif os.access(wabt_runner, os.X_OK):
        runtimes.append(("wasm-interp",
                         lambda name, a: [wabt_runner, os.path.join(wasm_dir, "bench_" + name + ".wasm")] + a))
    else:
        raise BenchError(f"no wabt runner: build {wabt_runner} (ninja -C build lunatic_bench)")

    lunatic = args.lunatic or os.path.join(args.build_dir, "tools", "lunatic", "lunatic")
    if args.no_lunatic:
        pass
    elif os.access(lunatic, os.X_OK):
        runtimes.append(("lunatic",
                         lambda name, a: [lunatic, "run", os.path.join(wasm_dir, "bench_" + name + ".wasm"),
                                          "--"] + a))
    else:
        print(f"note: {lunatic} not found, lunatic column skipped", file=sys.stderr)
    return runtimes


def run_once(command, timeout):
    """Runs one whole process; returns (stdout, wall seconds, cpu seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"timed out after {timeout} s: {' '.join(command)}") from exc
    except OSError as exc:
        raise BenchError(f"cannot run {' '.join(command)}: {exc}") from exc
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise BenchError(f"exit status {proc.returncode}: {' '.join(command)}\n"
                         f"stdout: {proc.stdout.strip()}\nstderr: {proc.stderr.strip()}")
    return proc.stdout.strip(), wall, cpu


def fmt_time(seconds):
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def fmt_ratio(num, den):
    return f"{num / den:.1f}x" if den > 0 else "-"


def print_table(rows, labels, key, title, markdown):
    """One row per benchmark: medians per runtime, then the three ratios."""
    ratios = [("lunatic", "native"), ("wasm-interp", "native"), ("wasm-interp", "lunatic")]
    ratios = [r for r in ratios if r[0] in labels and r[1] in labels]
    header = ["benchmark", "args"] + labels + [f"{a}/{b}" for a, b in ratios]
    table = []
    for row in rows:
        med = {label: statistics.median(row[key][label]) for label in labels}
        table.append([row["name"], " ".join(row["args"])] + [fmt_time(med[l]) for l in labels] +
                     [fmt_ratio(med[a], med[b]) for a, b in ratios])
    print(f"\n{title}")
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join("---" for _ in header) + "|")
        for line in table:
            print("| " + " | ".join(line) + " |")
        return
    widths = [max(len(str(c)) for c in col) for col in zip(header, *table)]
    for line in [header] + table:
        print("  ".join(str(c).ljust(w) if i < 2 else str(c).rjust(w)
                        for i, (c, w) in enumerate(zip(line, widths))))


def check_targets(rows, labels):
    """Prints whether lunatic meets the issue's targets; returns False if one is missed."""
    if "lunatic" not in labels:
        return True
    ok = True
    print("\ntargets: lunatic >= %.0fx faster than wasm-interp on every benchmark, "
          "within %.0fx of native on integer ones" % (TARGET_VS_WABT, TARGET_VS_NATIVE))
    for row in rows:
        med = {label: statistics.median(row["wall"][label]) for label in labels}
        vs_wabt = med["wasm-interp"] / med["lunatic"]
        vs_native = med["lunatic"] / med["native"]
        good = vs_wabt >= TARGET_VS_WABT and (not row["integer"] or vs_native <= TARGET_VS_NATIVE)
        ok = ok and good
        print(f"  {row['name']:<7} {'met' if good else 'MISSED':<7} "
              f"{vs_wabt:.1f}x faster than wasm-interp, {vs_native:.1f}x native"
              f"{'' if row['integer'] else ' (float: native target not applied)'}")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default="build", help="CMake build directory (default: build)")
    parser.add_argument("--runs", type=int, default=5, help="runs per program and runtime (default 5)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: small sizes, one run each (numbers are meaningless)")
    parser.add_argument("--only", help="comma-separated benchmark names (default: all)")
    parser.add_argument("--lunatic", help="lunatic binary (default: BUILD/tools/lunatic/lunatic)")
    parser.add_argument("--no-lunatic", action="store_true", help="skip the lunatic column")
    parser.add_argument("--wabt", choices=["auto", "wasm-interp", "runner"], default="auto",
                        help="wasm-interp --wasi if it supports WASI, else bench/wabt_wasi_run")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per run (default 300)")
    parser.add_argument("--markdown", action="store_true", help="print tables as Markdown")
    args = parser.parse_args()

    runs = 1 if args.quick else args.runs
    selected = BENCHMARKS
    if args.only:
        wanted = args.only.split(",")
        unknown = set(wanted) - {b[0] for b in BENCHMARKS}
        if unknown:
            parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
        selected = [b for b in BENCHMARKS if b[0] in wanted]

    try:
        runtimes = make_runtimes(args)
        labels = [label for label, _ in runtimes]
        for label, command_for in runtimes:
            print(f"{label:<12} {' '.join(command_for('NAME', ['ARGS...']))}")
        rows = [{"name": name, "args": quick if args.quick else full, "integer": integer,
                 "wall": {l: [] for l in labels}, "cpu": {l: [] for l in labels}, "output": None}
                for name, full, quick, integer in selected]
        load_before = os.getloadavg()
        print(f"{len(rows)} benchmarks x {len(labels)} runtimes x {runs} runs, interleaved; "
              f"load average {load_before[0]:.2f}")
        # Round-robin over runs, so a burst of machine noise hits every runtime alike.
        for run in range(runs):
            for row in rows:
                for label, command_for in runtimes:
                    command = command_for(row["name"], row["args"])
                    output, wall, cpu = run_once(command, args.timeout)
                    if row["output"] is None:
                        row["output"] = output
                    elif output != row["output"]:
                        raise BenchError(f"CHECKSUM MISMATCH on {row['name']} ({label}, run "
                                         f"{run + 1}):\n  expected: {row['output']}\n"
                                         f"  got:      {output}")
                    row["wall"][label].append(wall)
                    row["cpu"][label].append(cpu)
                    print(f"  run {run + 1}/{runs} {row['name']:<7} {label:<12} {fmt_time(wall):>9}"
                          f"   {output}", flush=True)
    except BenchError as exc:
        print(f"\nFAILED: {exc}", file=sys.stderr)
        return 1

    load_after = os.getloadavg()
    print("\nall runtimes printed the same checksum for every benchmark")
    note = ("median wall time of the whole process over %d run(s): start-up, decoding, "
            "validation and lowering included" % runs)
    print_table(rows, labels, "wall", note, args.markdown)
    print_table(rows, labels, "cpu", "median CPU time (user+sys) of the same runs", args.markdown)
    print(f"\nload average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
          f"({os.cpu_count()} cores); a load above ~1 means others were using the machine")
    if args.quick:
        print("--quick: smoke test sizes, the times say nothing about performance")
        return 0
    check_targets(rows, labels)
    return 0


if __name__ == "__main__":
    sys.exit(main())
