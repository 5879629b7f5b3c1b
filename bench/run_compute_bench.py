#!/usr/bin/env python3
"""Compute benchmarks: real programs (Lua 5.4 and SQLite 3.40 from Debian's sources) and the
interpreter benchmarks' C guests, each run natively, on node's WASI (V8) and on lunatic with
each --tier; checks that all print the same output and prints median wall and CPU times with
ratios to native and to node, side by side, plus the .wasm sizes.

Python 3 standard library only. Build first:
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DLUNATIC_BUILD_BENCH=ON
  ninja -C build -j2 lunatic lunatic_bench bench_programs
See docs/benchmarks.md ("Compute: real programs").
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The C guests, their sizes and the helpers are the interpreter benchmarks' own.
from run_interp_bench import BENCHMARKS as GUEST_BENCHMARKS  # noqa: E402
from run_interp_bench import BenchError, fmt_time  # noqa: E402

PROGRAMS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "programs")
# Where the wasm guests see the directory of their script (a --dir preopen).
GUEST_DIR = "/bench"
DEFAULT_TIERS = "interp,compiled,auto"
# --quick's: `compiled` would compile SQLite with LLVM first (minutes with a cold code cache).
QUICK_TIERS = "interp,auto"


class Benchmark:
    """One program: its native binary and .wasm, its arguments, and the directory its script
    lives in (None: no files), which wasm runtimes preopen at GUEST_DIR. '{dir}' in an
    argument or environment value becomes that directory as the runtime sees it."""

    def __init__(self, name, native, wasm, args, script_dir=None, env=None):
        self.name = name
        self.native = native
        self.wasm = wasm
        self.args = args
        self.script_dir = script_dir
        self.env = env or {}

    def args_for(self, where):
        return [a.replace("{dir}", where) for a in self.args]

    def env_for(self, where):
        return {k: v.replace("{dir}", where) for k, v in self.env.items()}


def quick_sql(build_dir):
    """compute.sql with 20,000 rows instead of 200,000, for --quick (written to the build dir)."""
    with open(os.path.join(PROGRAMS_DIR, "compute.sql"), encoding="utf-8") as f:
        text = f.read()
    if "200000" not in text:
        raise BenchError("compute.sql no longer says 200000: update quick_sql()")
    out_dir = os.path.join(build_dir, "bench", "programs", "quick")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "compute.sql"), "w", encoding="utf-8") as f:
        f.write(text.replace("200000", "20000"))
    return out_dir


def scaled(guest_args, factor):
    """A C guest's arguments with its repetitions (the second argument, 1 when absent)
    multiplied by `factor`: the same work `factor` times over, so start-up weighs less."""
    if factor == 1:
        return guest_args
    reps = int(guest_args[1]) if len(guest_args) > 1 else 1
    return [guest_args[0], str(reps * factor)] + guest_args[2:]


def make_benchmarks(args):
    """All benchmarks whose binaries exist (a missing one is skipped with a note, or is an
    error when --only names it)."""
    bench_dir = os.path.join(args.build_dir, "bench")
    programs = os.path.join(bench_dir, "programs")
    sql_dir = quick_sql(args.build_dir) if args.quick else PROGRAMS_DIR
    # The sqlite3 shell reads ~/.sqliterc: HOME is the script's directory, which has none.
    benchmarks = [
        Benchmark("lua", os.path.join(programs, "native", "lua"),
                  os.path.join(programs, "wasm", "lua.wasm"),
                  ["{dir}/compute.lua"] + (["0.1"] if args.quick else []), PROGRAMS_DIR),
        Benchmark("sqlite", os.path.join(programs, "native", "sqlite3"),
                  os.path.join(programs, "wasm", "sqlite3.wasm"),
                  ["-batch", "-bail", ":memory:", ".read {dir}/compute.sql"], sql_dir,
                  {"HOME": "{dir}"}),
    ]
    for name, full, quick, _ in GUEST_BENCHMARKS:
        benchmarks.append(Benchmark(name, os.path.join(bench_dir, "native", name),
                                    os.path.join(bench_dir, "guests", f"bench_{name}.wasm"),
                                    scaled(quick if args.quick else full, args.reps)))

    names = [b.name for b in benchmarks]
    wanted = args.only.split(",") if args.only else names
    unknown = set(wanted) - set(names)
    if unknown:
        raise BenchError(f"unknown benchmark(s): {', '.join(sorted(unknown))} "
                         f"(known: {', '.join(names)})")
    selected = []
    for bench in benchmarks:
        if bench.name not in wanted:
            continue
        missing = [p for p in (bench.native, bench.wasm) if not os.path.exists(p)]
        if not missing:
            selected.append(bench)
        elif args.only:
            raise BenchError(f"{bench.name}: missing {', '.join(missing)}")
        else:
            print(f"note: {bench.name} skipped, missing {', '.join(missing)} (build it: "
                  f"ninja -C {args.build_dir} lunatic_bench bench_programs)", file=sys.stderr)
    return selected


def lunatic_has_tiers(lunatic):
    """Whether this lunatic's `run` takes --tier (the compiled tier's option)."""
    try:
        probe = subprocess.run([lunatic, "run", "--help"], capture_output=True, text=True,
                               timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "--tier" in probe.stdout + probe.stderr


def make_runtimes(args):
    """Returns [(label, command builder)]; a builder takes a Benchmark and returns
    (argv, environment additions)."""

    def native(bench):
        where = bench.script_dir or ""
        return [bench.native] + bench.args_for(where), bench.env_for(where)

    runtimes = [("native", native)]

    def wasi_options(bench, env_option):
        """--dir and --env options, spelled the same by lunatic and wasi_run.mjs."""
        options = []
        if bench.script_dir:
            options += ["--dir", f"{bench.script_dir}:{GUEST_DIR}"]
        for key, value in bench.env_for(GUEST_DIR).items():
            options += [env_option, f"{key}={value}"]
        return options

    if not args.no_node and not shutil.which(args.node):
        print(f"note: {args.node} not found, node column skipped", file=sys.stderr)
    elif not args.no_node:
        launcher = os.path.join(PROGRAMS_DIR, "wasi_run.mjs")

        def node(bench):
            return ([args.node, "--no-warnings", "--experimental-wasi-unstable-preview1", launcher]
                    + wasi_options(bench, "--env") + [bench.wasm, "--"]
                    + bench.args_for(GUEST_DIR)), {}

        runtimes.append(("node", node))

    lunatic = args.lunatic or os.path.join(args.build_dir, "tools", "lunatic", "lunatic")
    if not os.access(lunatic, os.X_OK):
        raise BenchError(f"{lunatic} not found (ninja -C {args.build_dir} lunatic)")

    def lunatic_runtime(binary, tier):
        tier_option = ["--tier", tier] if tier else []

        def command(bench):
            return ([binary, "run"] + tier_option + wasi_options(bench, "--env") +
                    [bench.wasm, "--"] + bench.args_for(GUEST_DIR)), {}

        return command

    binaries = [("lunatic", lunatic)]
    if args.base:
        if not os.access(args.base, os.X_OK):
            raise BenchError(f"{args.base} not found")
        binaries.append(("lunatic-base", args.base))
    for name, binary in binaries:
        if lunatic_has_tiers(binary):
            for tier in args.tiers.split(","):
                runtimes.append((f"{name}-{tier}", lunatic_runtime(binary, tier)))
        else:
            print(f"note: {binary} has no --tier option: one column '{name}' (its only tier)",
                  file=sys.stderr)
            runtimes.append((name, lunatic_runtime(binary, None)))
    return runtimes


def run_once(command, extra_env, timeout, cold=False):
    """Runs one whole process; returns (stdout, wall seconds, cpu seconds of that child).
    os.wait4 gives the child's own user+sys time; output goes to files, not pipes, so
    nothing but the child is waited for. `cold`: LUNATIC_CACHE_DIR is a fresh empty directory,
    removed afterwards (a run from a cold code cache, compile time included)."""
    env = dict(os.environ, **extra_env)
    if cold:
        with tempfile.TemporaryDirectory(prefix="lunatic-cold-") as cache_dir:
            env["LUNATIC_CACHE_DIR"] = cache_dir
            return run_process(command, env, timeout)
    return run_process(command, env, timeout)


def run_process(command, env, timeout):
    """run_once's process, in the environment `env`."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                    env=env)
        except OSError as exc:
            raise BenchError(f"cannot run {' '.join(command)}: {exc}") from exc
        timed_out = threading.Event()
        timer = threading.Timer(timeout, lambda: (timed_out.set(), proc.kill()))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace").strip()
        stderr = err.read().decode(errors="replace").strip()
    if timed_out.is_set():
        raise BenchError(f"timed out after {timeout} s: {' '.join(command)}")
    if proc.returncode != 0:
        raise BenchError(f"exit status {proc.returncode}: {' '.join(command)}\n"
                         f"stdout: {stdout[-2000:]}\nstderr: {stderr[-2000:]}")
    return stdout, wall, usage.ru_utime + usage.ru_stime


def fmt_ratio(num, den):
    """Two digits below 1x: a fast runtime against a slow one (lunatic/node on short runs)."""
    if den <= 0:
        return "-"
    ratio = num / den
    return f"{ratio:.2f}x" if ratio < 1 else f"{ratio:.1f}x"


def ratio_columns(labels):
    """Every wasm runtime against native, and every lunatic column against node."""
    pairs = [(label, "native") for label in labels if label != "native"]
    if "node" in labels:
        pairs += [(label, "node") for label in labels if label.startswith("lunatic")]
    return pairs


def short_args(bench):
    text = " ".join(os.path.basename(a) if "/" in a else a for a in bench.args_for(""))
    return text.replace(".read ", "")


def print_table(rows, labels, key, title, markdown, runs=slice(None)):
    """One row per benchmark: the medians per runtime (of the runs `runs` selects), then the
    ratios."""
    ratios = ratio_columns(labels)
    header = ["benchmark", "args"] + labels + [f"{a}/{b}" for a, b in ratios]
    table = []
    for row in rows:
        med = {label: statistics.median(row[key][label][runs]) for label in labels}
        table.append([row["bench"].name, short_args(row["bench"])] +
                     [fmt_time(med[label]) for label in labels] +
                     [fmt_ratio(med[a], med[b]) for a, b in ratios])
    print_rows(title, header, table, markdown)


def print_rows(title, header, table, markdown):
    print(f"\n{title}")
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join("---" if i < 2 else "---:" for i in range(len(header))) + "|")
        for line in table:
            print("| " + " | ".join(line) + " |")
        return
    widths = [max(len(str(c)) for c in col) for col in zip(header, *table)]
    for line in [header] + table:
        print("  ".join(str(c).ljust(w) if i < 2 else str(c).rjust(w)
                        for i, (c, w) in enumerate(zip(line, widths))))


def print_cache_entries(rows, labels, cache_dirs, markdown):
    """--fresh-cache: what each lunatic column's runs left in the code cache, per benchmark."""
    header = ["benchmark"] + [label for label in labels if label.startswith("lunatic")]
    table = []
    for row in rows:
        cells = [row["bench"].name]
        for label in header[1:]:
            directory = cache_dirs[(label, row["bench"].name)]
            sizes = sorted(os.path.getsize(os.path.join(directory, f))
                           for f in os.listdir(directory) if f.endswith(".obj"))
            cells.append(" + ".join(f"{size / 1024:.1f} KiB" for size in sizes) or "none")
        table.append(cells)
    print_rows("code cache entries left by the runs (one directory per benchmark and column)",
               header, table, markdown)


def print_sizes(benchmarks, markdown):
    """The .wasm every wasm runtime loads, and the native binary for scale."""
    header = ["benchmark", "file", ".wasm", "native binary"]
    table = [[b.name, os.path.basename(b.wasm), f"{os.path.getsize(b.wasm) / 1024:.0f} KiB",
              f"{os.path.getsize(b.native) / 1024:.0f} KiB"] for b in benchmarks]
    print_rows("sizes (the .wasm is stripped of DWARF, keeps its name section)", header, table,
               markdown)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default="build", help="CMake build directory (default: build)")
    parser.add_argument("--runs", type=int, default=3, help="runs per program and runtime (default 3)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: small sizes, one run each (numbers are meaningless)")
    parser.add_argument("--only", help="comma-separated benchmarks: lua,sqlite,fib,sieve,crc,"
                                       "hash,matmul (default: all that are built)")
    parser.add_argument("--tiers",
                        help=f"lunatic --tier values, one column each (default {DEFAULT_TIERS}, "
                             f"with --quick {QUICK_TIERS}); ignored by a lunatic without --tier")
    parser.add_argument("--lunatic", help="lunatic binary (default: BUILD/tools/lunatic/lunatic)")
    parser.add_argument("--base", help="a second lunatic binary (e.g. main's, copied to /tmp), "
                                       "columns lunatic-base-TIER interleaved with the others")
    parser.add_argument("--node", default="node", help="node binary, 20 or later (default: node)")
    parser.add_argument("--no-node", action="store_true", help="skip the node column")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per run (default 600)")
    parser.add_argument("--reps", type=int, default=1,
                        help="multiply the C guests' repetitions (their second argument) by this: "
                             "the guests' default sizes run 30-160 ms natively, where start-up "
                             "weighs; e.g. --reps 10 measures the code more than the start")
    parser.add_argument("--markdown", action="store_true", help="print tables as Markdown")
    parser.add_argument("--fresh-cache", action="store_true",
                        help="each lunatic column starts with an empty code cache per benchmark "
                             "(LUNATIC_CACHE_DIR, kept across its runs): run 1 is cold, later runs "
                             "find what earlier ones stored; prints run 1 and the median of the "
                             "later runs apart, and the entries' sizes")
    parser.add_argument("--cold", action="store_true",
                        help="every lunatic run from a cold code cache: LUNATIC_CACHE_DIR a fresh "
                             "empty directory per run (default: the user's cache, warm after the "
                             "first run of `compiled` or `auto` that finishes LLVM's compile)")
    args = parser.parse_args()
    if args.tiers is None:
        args.tiers = QUICK_TIERS if args.quick else DEFAULT_TIERS
    runs = 1 if args.quick else args.runs
    if args.fresh_cache and args.cold:
        parser.error("--fresh-cache and --cold exclude each other")
    if args.fresh_cache and runs < 2:
        parser.error("--fresh-cache needs --runs 2 or more (run 1 cold, the others warm)")
    cache_root = tempfile.mkdtemp(prefix="lunatic-fresh-") if args.fresh_cache else None
    cache_dirs = {}

    try:
        benchmarks = make_benchmarks(args)
        if not benchmarks:
            raise BenchError("nothing to run")
        runtimes = make_runtimes(args)
        labels = [label for label, _ in runtimes]
        example = benchmarks[0]
        for label, command_for in runtimes:
            command, env = command_for(example)
            env_text = " ".join(f"{k}={v}" for k, v in env.items())
            print(f"{label:<17} {env_text + ' ' if env_text else ''}{' '.join(command)}")
        rows = [{"bench": b, "wall": {l: [] for l in labels}, "cpu": {l: [] for l in labels},
                 "output": None} for b in benchmarks]
        load_before = os.getloadavg()
        print(f"{len(rows)} benchmarks x {len(labels)} runtimes x {runs} runs, interleaved; "
              f"load average {load_before[0]:.2f}"
              f"{'; lunatic from a cold code cache every run' if args.cold else ''}")
        # Round-robin over runs, so a burst of machine noise hits every runtime alike.
        for run in range(runs):
            for row in rows:
                for label, command_for in runtimes:
                    command, env = command_for(row["bench"])
                    if cache_root and label.startswith("lunatic"):
                        key = (label, row["bench"].name)
                        if key not in cache_dirs:
                            cache_dirs[key] = os.path.join(cache_root, f"{label}-{key[1]}")
                            os.makedirs(cache_dirs[key])
                        env = dict(env, LUNATIC_CACHE_DIR=cache_dirs[key])
                    output, wall, cpu = run_once(command, env, args.timeout,
                                                 args.cold and label.startswith("lunatic"))
                    if row["output"] is None:
                        row["output"] = output
                    elif output != row["output"]:
                        raise BenchError(f"OUTPUT MISMATCH on {row['bench'].name} ({label}, run "
                                         f"{run + 1}):\n  expected: {row['output']}\n"
                                         f"  got:      {output}")
                    row["wall"][label].append(wall)
                    row["cpu"][label].append(cpu)
                    first_line = output.splitlines()[0] if output else ""
                    cache = ("cold " if run == 0 else "warm ") if cache_root else ""
                    print(f"  run {run + 1}/{runs} {cache}{row['bench'].name:<7} {label:<17} "
                          f"{fmt_time(wall):>9} {fmt_time(cpu):>9} cpu   {first_line[:70]}",
                          flush=True)
    except BenchError as exc:
        print(f"\nFAILED: {exc}", file=sys.stderr)
        if cache_root:
            shutil.rmtree(cache_root, ignore_errors=True)
        return 1

    load_after = os.getloadavg()
    print("\nall runtimes printed the same output for every benchmark")
    if cache_root:
        for key, what in (("wall", "wall time"), ("cpu", "CPU time (user+sys of the child)")):
            print_table(rows, labels, key, f"{what} of run 1 (lunatic: empty code cache)",
                        args.markdown, slice(0, 1))
            print_table(rows, labels, key, f"median {what} of runs 2-{runs} (lunatic: the code "
                        "cache as earlier runs left it)", args.markdown, slice(1, None))
        print_cache_entries(rows, labels, cache_dirs, args.markdown)
        shutil.rmtree(cache_root, ignore_errors=True)
    else:
        print_table(rows, labels, "wall", f"median wall time of the whole process over {runs} "
                    "run(s) (start-up, and for wasm loading and compiling, included)",
                    args.markdown)
        print_table(rows, labels, "cpu", "median CPU time (user+sys of the child) of the same "
                    "runs", args.markdown)
    print_sizes(benchmarks, args.markdown)
    print(f"\nload average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
          f"({os.cpu_count()} cores); a load above ~1 means others were using the machine")
    if args.quick:
        print("--quick: smoke test sizes, the times say nothing about performance")
    return 0


if __name__ == "__main__":
    sys.exit(main())
