#!/usr/bin/env python3
"""The two-node example (examples/distributed/distributed_ping.cpp), end to end:
   distributed_ping.py LUNATIC DISTRIBUTED_PING_WASM
Node B runs the example without arguments; node A runs it with B's name: it spawns its
worker on B, pings it 10,000 times, prints the median round trip, sends it 20,000 messages in a row
(all must arrive before its `done` is answered), links to the worker, halts
B, and must print the link's death as noconnection. B must end by itself (its root returned).
Private epmd, loopback only, bounded waits."""
import os
import select
import subprocess
import sys

from dist_support import free_port

TIMEOUT = 60
TAG = str(os.getpid())


def main():
    lunatic, guest = sys.argv[1], sys.argv[2]
    env = dict(os.environ, ERL_EPMD_PORT=str(free_port()))
    a, b = f"pa{TAG}@127.0.0.1", f"pb{TAG}@127.0.0.1"
    node_b = subprocess.Popen([lunatic, "run", "--name", b, "--cookie", "lunatic", guest],
                              env=env, stdout=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([node_b.stdout], [], [], TIMEOUT)
        first = node_b.stdout.readline().strip() if ready else "(nothing within the timeout)"
        if first != f"{b} waits for pings":
            raise SystemExit(f"FAIL: node B did not start: {first!r}")
        try:
            done = subprocess.run([lunatic, "run", "--name", a, "--cookie", "lunatic", guest, b],
                                  env=env, capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired as e:
            raise SystemExit(f"FAIL: node A did not end within {TIMEOUT} s; it printed "
                             f"{e.stdout!r}, {e.stderr!r}")
        print(done.stdout, end="", flush=True)
        lines = done.stdout.splitlines()
        if done.returncode != 0 or len(lines) != 4:
            raise SystemExit(f"FAIL: node A: {done.returncode} {done.stdout} {done.stderr}")
        if not lines[1].startswith("10000 pings, median round trip "):
            raise SystemExit(f"FAIL: {lines[1]!r}")
        if not lines[2].startswith("20000 messages one way, "):
            raise SystemExit(f"FAIL: {lines[2]!r}")
        if lines[3] != f"{b} went away; the link died: noconnection":
            raise SystemExit(f"FAIL: {lines[3]!r}")
        if node_b.wait(timeout=TIMEOUT) != 0:
            raise SystemExit(f"FAIL: node B exited with {node_b.returncode}")
    finally:
        if node_b.poll() is None:
            node_b.kill()
        try:
            node_b.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            print("node B's stdout stayed open after it ended", flush=True)
        subprocess.run(["epmd", "-kill"], env=env, capture_output=True, timeout=TIMEOUT)
    print("ok distributed_ping")


main()
