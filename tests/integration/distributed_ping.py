#!/usr/bin/env python3
"""The two-node example (examples/distributed/distributed_ping.cpp), end to end:
   distributed_ping.py LUNATIC DISTRIBUTED_PING_WASM
Node B runs the example without arguments; node A runs it with B's name: it spawns its
worker on B, pings it 10,000 times, prints the median round trip, sends it 20,000 messages in a row
(all must arrive before its `done` is answered), links to the worker, halts
B, and must print the link's death as noconnection. B must end by itself (its root returned).
Private epmd, loopback only, bounded waits."""
import os
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
        if node_b.stdout.readline().strip() != f"{b} waits for pings":
            raise SystemExit("FAIL: node B did not start")
        done = subprocess.run([lunatic, "run", "--name", a, "--cookie", "lunatic", guest, b],
                              env=env, capture_output=True, text=True, timeout=TIMEOUT)
        print(done.stdout, end="")
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
        node_b.communicate()
        subprocess.run(["epmd", "-kill"], env=env, capture_output=True, timeout=TIMEOUT)
    print("ok distributed_ping")


main()
