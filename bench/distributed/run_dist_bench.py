#!/usr/bin/env python3
"""Distribution round trip and messages per second, lunatic and Erlang side by side in one run:
   bench/distributed/run_dist_bench.py [--rounds N] [--build DIR] [LUNATIC...]
Rows (each a pair of nodes on 127.0.0.1, a private epmd; 10,000 round trips of {Self, I},
median, then 20,000 messages one way and {Self, done}, per second):
  lunatic<->lunatic  distributed_ping.wasm pinging the worker it spawned on a lunatic node
  erlang<->erlang    dist_ping:run, the same between two Erlang nodes (worker spawned there)
  erlang->lunatic    dist_ping:run_echo on an Erlang node, to {echo, N} on a lunatic node
                     running distributed_echo.wasm (name sends)
  erlang->erlang-echo  the same to an Erlang node's registered echo process
Every round runs every row once, in order (A B C D A B C D ...), so the machine's load falls on
all alike; the table gives each row's median of the rounds, its ratio to erlang<->erlang's and
the load average. LUNATIC: one or more binaries (default BUILD/tools/lunatic/lunatic), for A/B
runs; each gets its own lunatic rows."""
import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
COOKIE = "bench"
TIMEOUT = 120


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(path, text, within=30):
    deadline = time.time() + within
    while time.time() < deadline:
        with open(path) as f:
            if text in f.read():
                return
        time.sleep(0.02)
    raise SystemExit(f"{path} never said {text!r}")


def parse(out):
    rtt = re.search(r"median round trip ([0-9.]+) us", out)
    rate = re.search(r"messages one way, ([0-9.]+) per second", out)
    if not rtt or not rate:
        raise SystemExit(f"no figures in:\n{out}")
    return float(rtt.group(1)), float(rate.group(1))


class Bench:
    def __init__(self, build, env, beam_dir, workdir):
        self.build, self.env, self.beam, self.workdir = build, env, beam_dir, workdir

    def server(self, argv, ready):
        """Starts a node, returns it once `ready` is in its output."""
        path = os.path.join(self.workdir, "server.out")
        with open(path, "w") as out:
            node = subprocess.Popen(argv, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        if ready:
            wait_for(path, ready)
        return node

    def erl(self, name, code):
        return ["erl", "-pa", self.beam, "-name", name, "-setcookie", COOKIE, "-noshell",
                "-eval", code]

    def client(self, argv):
        done = subprocess.run(argv, env=self.env, capture_output=True, text=True,
                              timeout=TIMEOUT)
        if done.returncode != 0:
            raise SystemExit(f"{argv} failed: {done.stdout}{done.stderr}")
        return parse(done.stdout)

    @staticmethod
    def stop(node):
        if node.poll() is None:
            node.terminate()
        try:
            node.wait(timeout=10)
        except subprocess.TimeoutExpired:
            node.kill()
            node.wait()

    def lunatic_pair(self, lunatic):
        ping = os.path.join(self.build, "examples", "distributed_ping.wasm")
        b = self.server([lunatic, "run", "--name", "pb@127.0.0.1", "--cookie", COOKIE, ping],
                        "waits for pings")
        try:
            return self.client([lunatic, "run", "--name", "pa@127.0.0.1", "--cookie", COOKIE,
                                ping, "pb@127.0.0.1"])
        finally:
            self.stop(b)

    def erlang_pair(self):
        b = self.server(self.erl("pb@127.0.0.1", "receive after 120000 -> halt() end."), None)
        try:
            return self.client(self.erl("pa@127.0.0.1",
                                        "dist_ping:run('pb@127.0.0.1'), halt()."))
        finally:
            self.stop(b)

    def echo(self, server_argv, ready):
        b = self.server(server_argv, ready)
        try:
            return self.client(self.erl("pa@127.0.0.1",
                                        "dist_ping:run_echo('pb@127.0.0.1'), halt()."))
        finally:
            self.stop(b)

    def lunatic_echo(self, lunatic):
        wasm = os.path.join(self.build, "examples", "distributed_echo.wasm")
        return self.echo([lunatic, "run", "--name", "pb@127.0.0.1", "--cookie", COOKIE, wasm],
                         "echo is ready")

    def erlang_echo(self):
        return self.echo(self.erl("pb@127.0.0.1",
                                  "io:format(\"echo is ready~n\"), dist_ping:echo()."),
                         "echo is ready")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--build", default="build")
    parser.add_argument("lunatic", nargs="*")
    args = parser.parse_args()
    lunatics = args.lunatic or [os.path.join(args.build, "tools", "lunatic", "lunatic")]
    env = dict(os.environ, ERL_EPMD_PORT=str(free_port()))
    with tempfile.TemporaryDirectory() as workdir:
        subprocess.run(["erlc", "-o", workdir, os.path.join(HERE, "dist_ping.erl")], check=True)
        bench = Bench(args.build, env, workdir, workdir)
        subprocess.run(["epmd", "-daemon"], env=env, check=True)
        rows = []
        for i, lunatic in enumerate(lunatics):
            tag = f" [{i}]" if len(lunatics) > 1 else ""
            rows.append((f"lunatic<->lunatic{tag}", lambda l=lunatic: bench.lunatic_pair(l)))
        rows.append(("erlang<->erlang", bench.erlang_pair))
        for i, lunatic in enumerate(lunatics):
            tag = f" [{i}]" if len(lunatics) > 1 else ""
            rows.append((f"erlang->lunatic echo{tag}", lambda l=lunatic: bench.lunatic_echo(l)))
        rows.append(("erlang->erlang echo", bench.erlang_echo))
        results = {name: [] for name, _ in rows}
        loads = []
        try:
            for r in range(args.rounds):
                loads.append(os.getloadavg()[0])
                for name, run in rows:
                    rtt, rate = run()
                    results[name].append((rtt, rate))
                    print(f"round {r + 1} {name}: {rtt:.1f} us, {rate:.0f} messages/s",
                          flush=True)
        finally:
            subprocess.run(["epmd", "-kill"], env=env, capture_output=True)
    base = statistics.median(x[0] for x in results["erlang<->erlang"])
    print(f"\n{'row':28} {'rtt us':>8} {'x erlang':>9} {'messages/s':>11}   rtt of each round")
    for name, _ in rows:
        rtt = statistics.median(x[0] for x in results[name])
        rate = statistics.median(x[1] for x in results[name])
        each = " ".join(f"{x[0]:.1f}" for x in results[name])
        print(f"{name:28} {rtt:8.1f} {rtt / base:9.2f} {rate:11.0f}   {each}")
    for i, lunatic in enumerate(lunatics):
        print(f"[{i}] {lunatic}")
    print(f"load average (1 min) at each round's start: "
          f"{' '.join(f'{x:.1f}' for x in loads)}; {args.rounds} rounds")


if __name__ == "__main__":
    sys.exit(main())
