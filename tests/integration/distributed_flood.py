#!/usr/bin/env python3
"""A peer that floods a process which never receives (docs/distribution.md "What a peer can and
cannot do to a node"):
   distributed_flood.py LUNATIC DIST_LINKS_WASM
A lunatic node runs dist_links (tests/guests/dist_links.cpp) under --max-memory-total 64MiB;
an Erlang node makes one of its processes stall ({From, stall}: it never receives again) and
sends it 256 binaries of 1 MiB. Messages from peers are charged to the receiver's environment
while queued, so past the budget they are dropped with a warning: the node stays up, answers
afterwards on the same connection, and its resident memory grows by far less than the flood.
Every wait is bounded; the node and the private epmd (on a port of this test's) are stopped
at the end, also when the test fails."""
import os
import subprocess
import sys

from dist_support import (fail, free_port, start_links_node, status_mib, stop, stop_epmd,
                          wait_for_lines)

TIMEOUT = 30
COOKIE = "lunatic"
TAG = str(os.getpid())
NODE = f"lf{TAG}@127.0.0.1"
FLOOD_MIB = 256
# The budget (64 MiB) plus room for the allocator and the frame being read: without the
# charge the node held the whole flood (256 MiB and more).
MAX_GROWTH_MIB = 140


def main():
    lunatic, guest = sys.argv[1], sys.argv[2]
    env = dict(os.environ, ERL_EPMD_PORT=str(free_port()), HOME=os.environ.get("HOME", "/tmp"))
    workdir = os.environ.get("TMPDIR", "/tmp")
    out_path, err_path = f"{workdir}/flood{TAG}.out", f"{workdir}/flood{TAG}.err"
    node = None
    try:
        node = start_links_node(lunatic, guest, env, NODE, COOKIE, out_path, err_path,
                                "--max-memory-total", "64MiB")
        before = status_mib(node.pid, "VmRSS")
        # `where` after the flood travels the same connection: its answer means every frame
        # before it was read and delivered or dropped.
        code = (f"{{links, '{NODE}'}} ! {{self(), spawn}}, "
                "{spawned, C} = receive S -> S after 5000 -> timeout end, "
                "C ! {self(), stall}, stalling = receive T -> T after 5000 -> timeout end, "
                "Bin = binary:copy(<<7>>, 1048576), "
                f"lists:foreach(fun(_) -> C ! Bin end, lists:seq(1, {FLOOD_MIB})), "
                f"{{links, '{NODE}'}} ! {{self(), where}}, "
                "io:format(\"~p~n\", [receive W -> W after 20000 -> timeout end]), halt().")
        done = subprocess.run(["erl", "-name", f"flooder{TAG}@127.0.0.1", "-setcookie", COOKIE,
                               "-noshell", "-eval", code],
                              env=env, capture_output=True, text=True, timeout=2 * TIMEOUT)
        print(done.stdout, end="")
        if done.stdout.strip() != f"'{NODE}'":
            fail(f"the node did not answer after the flood: {done.stdout!r} {done.stderr!r}")
        if node.poll() is not None:
            fail(f"the node exited with {node.returncode}")
        growth = status_mib(node.pid, "VmRSS") - before
        print(f"resident memory grew by {growth:.1f} MiB for a flood of {FLOOD_MIB} MiB")
        if growth > MAX_GROWTH_MIB:
            fail(f"the node's memory grew by {growth:.1f} MiB (at most {MAX_GROWTH_MIB})")
        log = wait_for_lines(err_path, ["dropped so far"], TIMEOUT)
        if "its receiver's environment is out of memory" not in log:
            fail(f"the drops were not logged with their reason:\n{log}")
    finally:
        if node is not None:
            stop(node)
        stop_epmd(env)
    print("ok distributed_flood")


main()
