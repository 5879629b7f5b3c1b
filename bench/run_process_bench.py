#!/usr/bin/env python3
"""Process benchmarks, lunatic next to Erlang in one run (docs/benchmarks.md, "Processes").

Runs build/bench/processes/bench_processes and bench/erlang/processes.erl alternately
(--runs times each, so load from elsewhere hits both alike), takes the median of each
benchmark's samples and prints them with the ratio lunatic / Erlang (for a rate such as the
ring, Erlang / lunatic, so that above 1 always means lunatic is slower or bigger).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

ROWS = [  # name, what it measures, unit, higher is better
    ("spawn", "spawn + first run + exit of a minimal process, N = 100,000", "us", False),
    ("spawn_guest_module", "the same, guest-like module (1-page memory, 5 imports)", "us", False),
    ("spawn_join", "spawned by a process, child sends 1 back, parent receives all (C guest)",
     "us", False),
    ("spawn_sdk_guest", "a C++ SDK guest spawns children that each reply (the demo's act 1), "
     "vs spawn_join", "us", False),
    ("ring_1k", "messages per second around a ring of 1,000 processes (C guest)", "M msg/s", True),
    ("ring_10k", "the same, 10,000 processes (C guest)", "M msg/s", True),
    ("ring_100k", "the same, 100,000 processes (C guest)", "M msg/s", True),
    ("pingpong", "ping-pong round trip of an i64 between two processes (C guest)", "us", False),
    ("payload_8", "round trip of an 8-byte payload (C guest; Erlang: a binary)", "us", False),
    ("payload_1k", "the same, 1 KiB", "us", False),
    ("payload_64k", "the same, 64 KiB (Erlang passes binaries over 64 B by reference)", "us",
     False),
    ("payload_1m", "the same, 1 MiB", "us", False),
    ("spawn_join_floor", "spawn_join, WAT guest on the benchmark-only namespace: the runtime's "
     "floor", "us", False),
    ("ring_floor", "ring of 10,000, WAT guest on the benchmark-only namespace: the floor",
     "M msg/s", True),
    ("pingpong_floor", "pingpong, WAT guest on the benchmark-only namespace: the floor", "us",
     False),
    ("idle_memory", "resident memory per idle process (N = 100,000 in receive)", "bytes", False),
    ("link_kill", "a failure kills 100,000 linked idle processes, until all are dead", "ms", False),
    ("monitor_kill", "the same, each of the 100,000 monitoring one live process", "ms", False),
]


def samples(cmd, timeout):
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({out.returncode}):\n{out.stderr}")
    found = {}
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0] == "SAMPLE":
            found.setdefault(parts[1], []).append(float(parts[2]))
    return found


# The rows bench_processes measures with its WAT guest on the benchmark-only "bench" namespace
# (one host call to send or receive an integer): shown as the runtime's floor, under their own
# names, next to the same rows of the C guest on the real ABI.
FLOOR_ROWS = {"spawn_join": "spawn_join_floor", "ring": "ring_floor", "pingpong": "pingpong_floor"}
# The Erlang row each floor row is compared with (Erlang's ring of 10,000 is ring_10k).
FLOOR_ERLANG = {"spawn_join_floor": "spawn_join", "ring_floor": "ring_10k",
                "pingpong_floor": "pingpong"}

# What the real-ABI C guest (bench/processes/guests/messages.c) runs: its arguments at scale 1.
MESSAGE_RUNS = [
    ["ring", 1000], ["ring", 10000], ["ring", 100000], ["pingpong", 100000],
    ["spawn_join", 100000], ["payload", 8, 100000], ["payload", 1024, 100000],
    ["payload", 65536, 10000], ["payload", 1048576, 1000],
]


def message_samples(build_dir, scale, timeout, tier):
    """One run of every real-ABI message benchmark: `lunatic run bench_messages.wasm`."""
    lunatic = os.path.join(build_dir, "tools", "lunatic", "lunatic")
    guest = os.path.join(build_dir, "bench", "guests", "bench_messages.wasm")
    if not os.path.exists(guest):
        sys.exit(f"{guest} not found: ninja guest_bench_messages")
    found = {}
    for what, *ns in MESSAGE_RUNS:
        # The ring's size names its row, so it is not scaled (nor is Erlang's); nor a payload's.
        keep = {"ring": 1, "payload": 1}.get(what, 0)
        scaled = ns[:keep] + [max(1, n // scale) for n in ns[keep:]]
        cmd = [lunatic, "run", "--threads", "2", "--tier", tier, guest, "--", what] + \
            [str(n) for n in scaled]
        for k, v in samples(cmd, timeout).items():
            found.setdefault(k, []).extend(v)
    return found


def loadavg():
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--build-dir", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--scale", type=int, default=1, help="divide every N (smoke test)")
    ap.add_argument("--no-erlang", action="store_true")
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--messages-only", action="store_true",
                    help="only the real-ABI message rows (and Erlang's)")
    ap.add_argument("--tier", default="auto", choices=["auto", "interp", "baseline", "compiled"],
                    help="the tier every lunatic guest runs in (default auto, as lunatic run)")
    ap.add_argument("--alive", default="",
                    help="also spawn_sdk_guest with K idle processes alive, e.g. 10000,100000")
    args = ap.parse_args()

    lunatic = os.path.join(args.build_dir, "bench", "processes", "bench_processes")
    if not os.path.exists(lunatic):
        sys.exit(f"{lunatic} not found: configure with -DLUNATIC_BUILD_BENCH=ON, "
                 "ninja bench_processes")
    escript = None if args.no_erlang else shutil.which("escript")
    if escript is None and not args.no_erlang:
        print("escript not found (apt-get install erlang-base): lunatic only", file=sys.stderr)

    load_before = loadavg()
    lun, erl = {}, {}
    erl_script = os.path.join(HERE, "erlang", "processes.erl")
    for _ in range(args.runs):
        if not args.messages_only:
            for k, v in samples([lunatic, "--runs", "1", "--scale", str(args.scale),
                                 "--tier", args.tier], args.timeout).items():
                lun.setdefault(FLOOR_ROWS.get(k, k), []).extend(v)
        for k, v in message_samples(args.build_dir, args.scale, args.timeout,
                                    args.tier).items():
            lun.setdefault(k, []).extend(v)
        if escript:
            # Without "messages" the script runs every row, the message rows included.
            cmd = [escript, erl_script, "1", str(args.scale)]
            if args.messages_only:
                cmd.append("messages")
            for k, v in samples(cmd, args.timeout).items():
                erl.setdefault(k, []).extend(v)

    print(f"| benchmark | lunatic | Erlang/OTP | ratio | runs |")
    print(f"|---|---:|---:|---:|---:|")
    # compared with Erlang's plain spawn, and its spawn_join
    erlang_row = {"spawn_guest_module": "spawn", "spawn_sdk_guest": "spawn_join"}
    erlang_row.update(FLOOR_ERLANG)
    for name, what, unit, higher_better in ROWS:
        if name not in lun:
            continue
        l = statistics.median(lun[name])
        e_samples = erl.get(erlang_row.get(name, name))
        if e_samples:
            e = statistics.median(e_samples)
            ratio = (e / l) if higher_better else (l / e)
            e_text, r_text = f"{e:.3f} {unit}", f"{ratio:.2f}x"
        else:
            e_text, r_text = "-", "-"
        print(f"| {name}: {what} | {l:.3f} {unit} | {e_text} | {r_text} | {len(lun[name])} |")
    if args.alive:
        alive_rows(args, lunatic, escript)
    print(f"\nlunatic's guests in tier {args.tier}; load average: {load_before:.1f} before, "
          f"{loadavg():.1f} after; ratio > 1 = lunatic slower (or bigger)")


def alive_rows(args, lunatic, escript):
    """Spawn cost with K processes alive: spawn_sdk_guest with K idle SDK guests parked in
    receive, next to Erlang's spawn_join with K idle processes (bench/erlang/spawn_alive.erl)."""
    lun, erl = {}, {}
    for _ in range(args.runs):
        cmd = [lunatic, "--runs", "1", "--scale", str(args.scale), "--tier", args.tier,
               "--only", "spawn_sdk_guest_alive", "--alive", args.alive]
        for k, v in samples(cmd, args.timeout).items():
            lun.setdefault(k, []).extend(v)
        if escript:
            cmd = [escript, os.path.join(HERE, "erlang", "spawn_alive.erl"), "1", args.alive,
                   str(args.scale)]
            for k, v in samples(cmd, args.timeout).items():
                erl.setdefault(k, []).extend(v)
    print("\n| processes alive | spawn_sdk_guest | Erlang spawn_join | ratio |")
    print("|---:|---:|---:|---:|")
    for k in args.alive.split(","):
        l = lun.get(f"spawn_sdk_guest_alive_{k}")
        e = erl.get(f"spawn_join_alive_{k}")
        if not l:
            continue
        lm = statistics.median(l)
        e_text, r_text = "-", "-"
        if e:
            em = statistics.median(e)
            e_text, r_text = f"{em:.3f} us", f"{lm / em:.2f}x"
        print(f"| {int(k):,} | {lm:.3f} us | {e_text} | {r_text} |")


if __name__ == "__main__":
    main()
