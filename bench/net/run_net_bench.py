#!/usr/bin/env python3
"""Load test of lunatic's networking: wrk against the keep-alive HTTP server of http_guest.c
(lunatic, a process per connection), the same server natively (http_native.cpp, epoll) and,
when escript is installed, in Erlang with gen_tcp (bench/erlang/http_server.erl, a process
per connection), in one run, interleaved, medians of --runs. Prints a markdown table for docs/benchmarks.md.

Needs a build with -DLUNATIC_BUILD_BENCH=ON (target lunatic_bench_net) and wrk."""
import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time


def start(cmd, env=None):
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=None if env is None else {**os.environ, **env})
    line = p.stdout.readline()
    m = re.search(r"listening on (\d+)", line)
    if not m:
        p.kill()
        sys.exit(f"server did not start: {cmd}: {line!r} {p.stderr.read()}")
    return p, int(m.group(1))


def to_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    v = float(m.group(1))
    return v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v


def cpu_seconds(pid):
    """User + system CPU time of a process so far (from /proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(port, connections, duration, threads):
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
         f"http://127.0.0.1:{port}/"], capture_output=True, text=True, check=True).stdout
    found = [re.search(pattern, out) for pattern in
             (r"Requests/sec:\s+([\d.]+)", r"50%\s+([\d.]+(?:us|ms|s))", r"99%\s+([\d.]+(?:us|ms|s))")]
    if not all(found):
        sys.exit(f"unexpected wrk output:\n{out}")
    rps = float(found[0].group(1))
    p50 = to_ms(found[1].group(1))
    p99 = to_ms(found[2].group(1))
    errors = re.search(r"Socket errors: (.*)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p50, p99, (errors.group(1) if errors else "") + (
        f" non-2xx {non2xx.group(1)}" if non2xx else "")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", default="build")
    ap.add_argument("--connections", type=int, default=1000)
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count(),
                    help="server threads (lunatic workers, native epoll threads)")
    ap.add_argument("--wrk-threads", type=int, default=2)
    args = ap.parse_args()
    b = args.build_dir
    lunatic = os.path.join(b, "tools/lunatic/lunatic")
    guest = os.path.join(b, "bench/net/bench_http_guest.wasm")
    native = os.path.join(b, "bench/net/http_native")
    servers = [
        (f"native C++ epoll, {args.threads} thread(s)", [native, "0", str(args.threads)]),
        (f"lunatic guest, process per connection, {args.threads} worker(s)",
         [lunatic, "run", "--threads", str(args.threads), guest, "0"]),
    ]
    erlang = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../erlang/http_server.erl")
    if shutil.which("escript"):
        servers.append((f"Erlang/OTP gen_tcp, process per connection, {args.threads} scheduler(s)",
                        ["escript", erlang, "0"]))
    erl_env = {"ERL_FLAGS": f"+S {args.threads}:{args.threads}"}
    results = {name: [] for name, _ in servers}
    for run in range(args.runs):
        for name, cmd in servers:
            if cmd[0] == native:
                # The native server needs a fixed port for SO_REUSEPORT threads: pick one free.
                s = socket.socket()
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
                s.close()
                cmd = [native, str(port), str(args.threads)]
            p, port = start(cmd, erl_env if cmd[0] == "escript" else None)
            time.sleep(0.2)
            try:
                cpu0 = cpu_seconds(p.pid)
                r = wrk(port, args.connections, args.duration, args.wrk_threads)
                # Server CPU per 1,000 requests: the fair figure when the machine (wrk
                # included) is saturated and req/s says more about wrk than the server.
                cpu_per_k = (cpu_seconds(p.pid) - cpu0) * 1000 / (r[0] * args.duration) * 1000
                r = r + (cpu_per_k,)
            finally:
                p.kill()
                p.wait()
            results[name].append(r)
            print(f"run {run + 1} {name}: {r[0]:.0f} req/s, p50 {r[1]:.2f} ms, "
                  f"p99 {r[2]:.2f} ms, server CPU {r[4]:.1f} ms per 1k requests {r[3]}",
                  file=sys.stderr)
    print(f"| server ({args.connections} connections, wrk -t{args.wrk_threads}, "
          f"{args.duration} s x {args.runs}) | req/s (median) | p50 latency | p99 latency "
          f"| server CPU per 1k requests |")
    print("|---|---|---|---|---|")
    medians = {}
    for name, rs in results.items():
        rps = statistics.median(r[0] for r in rs)
        cpu = statistics.median(r[4] for r in rs)
        medians[name] = (rps, cpu)
        print(f"| {name} | {rps:,.0f} | {statistics.median(r[1] for r in rs):.2f} ms "
              f"| {statistics.median(r[2] for r in rs):.2f} ms | {cpu:.1f} ms |")
    (n_rps, n_cpu), (l_rps, l_cpu) = list(medians.values())[:2]
    print(f"\nlunatic / native: throughput {l_rps / n_rps:.2f}, "
          f"server CPU per request {l_cpu / n_cpu:.2f}")
    if len(medians) > 2:
        e_rps, e_cpu = list(medians.values())[2]
        print(f"lunatic / Erlang: throughput {l_rps / e_rps:.2f}, "
              f"server CPU per request {l_cpu / e_cpu:.2f}")


if __name__ == "__main__":
    main()
