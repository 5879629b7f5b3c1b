#!/usr/bin/env python3
"""A process that floods a peer which does not read (docs/distribution.md "What a peer can and
cannot do to a node"):
   distributed_outgoing.py LUNATIC DIST_LINKS_WASM
A lunatic node runs dist_links (tests/guests/dist_links.cpp) under --max-memory-total 32MiB;
an Erlang node `sink` connects to it and is then stopped with SIGSTOP (its socket is no longer
read), and a process of the lunatic node sends the sink 256 binaries of 1 MiB. A frame the
socket does not take waits in the connection's queue charged to its sender's environment, so
the flooder is stopped by its budget (killed out of memory, or its send refused) long before
the 256th message, the node's peak resident memory grows by about the budget, not the flood,
and once the sink is gone the node answers again on another connection. Every wait is bounded
by events (lines of output, answers); the nodes and the private epmd are stopped at the end,
also when the test fails."""
import os
import re
import signal
import subprocess
import sys

from dist_support import (fail, free_port, start_links_node, status_mib, stop, stop_epmd,
                          wait_for_lines)

TIMEOUT = 30
COOKIE = "lunatic"
TAG = str(os.getpid())
NODE = f"lo{TAG}@127.0.0.1"
SINK = f"sink{TAG}@127.0.0.1"
FLOOD_MIB = 256
# The budget (32 MiB) plus the allocator's slack and the frame being built; without the
# charge the connection's queue alone held 64 MiB and more.
MAX_GROWTH_MIB = 56


def main():
    lunatic, guest = sys.argv[1], sys.argv[2]
    env = dict(os.environ, ERL_EPMD_PORT=str(free_port()), HOME=os.environ.get("HOME", "/tmp"))
    workdir = os.environ.get("TMPDIR", "/tmp")
    out_path, err_path = f"{workdir}/outgoing{TAG}.out", f"{workdir}/outgoing{TAG}.err"
    sink_path = f"{workdir}/outgoing{TAG}.sink"
    node = sink = None
    try:
        node = start_links_node(lunatic, guest, env, NODE, COOKIE, out_path, err_path,
                                "--max-memory-total", "32MiB")
        with open(sink_path, "w") as out:
            sink = subprocess.Popen(
                ["erl", "-name", SINK, "-setcookie", COOKIE, "-noshell", "-eval",
                 f"register(sink, self()), true = net_kernel:connect_node('{NODE}'), "
                 "io:format(\"sink ready ~s~n\", [os:getpid()]), "
                 "receive never -> ok end."],
                env=env, stdout=out, stderr=subprocess.STDOUT)
        text = wait_for_lines(sink_path, ["sink ready"], TIMEOUT)
        sink_os_pid = int(re.search(r"sink ready (\d+)", text).group(1))
        before = status_mib(node.pid, "VmHWM")
        # The flooder is a fresh process of the node, monitored; the sink is stopped before
        # the flood starts and killed after the verdict (its connection then ends, and its
        # queue with it), after which the node must answer `where`.
        code = (f"Node = '{NODE}', Sink = rpc:call('{SINK}', erlang, whereis, [sink]), "
                "{links, Node} ! {self(), spawn}, "
                "{spawned, C} = receive S -> S after 5000 -> exit(no_spawn) end, "
                "erlang:monitor(process, C), "
                f"os:cmd(\"kill -STOP {sink_os_pid}\"), "
                f"C ! {{self(), flood, Sink, {FLOOD_MIB}}}, "
                "flooding = receive F -> F after 5000 -> exit(no_flood) end, "
                "Collect = fun L(Last) -> receive "
                "  {flooded, I} -> L(I); "
                "  {flood_refused, I} -> {refused, I}; "
                "  {flood_done, I} -> {done, I}; "
                "  {'DOWN', _, process, C, Why} -> {killed, Last, Why} "
                f"  after {TIMEOUT * 1000} -> {{stalled, Last}} end end, "
                "io:format(\"verdict ~p~n\", [Collect(0)]), "
                f"os:cmd(\"kill -KILL {sink_os_pid}\"), "
                "{links, Node} ! {self(), where}, "
                "io:format(\"where ~p~n\", [receive W -> W after 20000 -> timeout end]), "
                "halt().")
        done = subprocess.run(["erl", "-name", f"flooder{TAG}@127.0.0.1", "-setcookie", COOKIE,
                               "-noshell", "-eval", code],
                              env=env, capture_output=True, text=True, timeout=3 * TIMEOUT)
        print(done.stdout, end="")
        verdict = re.search(r"verdict \{(\w+),(\d+)", done.stdout)
        if not verdict:
            fail(f"no verdict: {done.stdout!r} {done.stderr!r}")
        how, sent = verdict.group(1), int(verdict.group(2))
        if how not in ("killed", "refused"):
            fail(f"the flooder was not stopped by its budget: {how} after {sent} MiB")
        if sent >= 64:
            fail(f"{sent} messages of 1 MiB were accepted under a 32 MiB budget")
        if how == "killed" and "max_memory_total" not in done.stdout:
            fail(f"the flooder died, but not of its budget: {done.stdout!r}")
        if f"where '{NODE}'" not in done.stdout:
            fail(f"the node did not answer after the flood: {done.stdout!r}")
        if node.poll() is not None:
            fail(f"the node exited with {node.returncode}")
        growth = status_mib(node.pid, "VmHWM") - before
        print(f"peak resident memory grew by {growth:.1f} MiB for a flood of {FLOOD_MIB} MiB "
              f"({how} after {sent})")
        if growth > MAX_GROWTH_MIB:
            fail(f"the node's peak memory grew by {growth:.1f} MiB (at most {MAX_GROWTH_MIB})")
    finally:
        if sink is not None:
            if sink.poll() is None:
                sink.send_signal(signal.SIGCONT)
            stop(sink)
        if node is not None:
            stop(node)
        stop_epmd(env)
    print("ok distributed_outgoing")


main()
