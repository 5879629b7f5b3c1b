#!/usr/bin/env python3
"""Links, monitors and node events across nodes (docs/distribution.md "Links and monitors"):
   distributed_links.py LUNATIC DIST_LINKS_WASM
Two lunatic nodes A and B run dist_links (tests/guests/dist_links.cpp) and Erlang nodes drive
them with terms:
1. with an Erlang node: a BEAM process linked to a lunatic process gets its EXIT (both ways of
   making the link), a lunatic process trapping exits gets a BEAM process's exit reason, a
   normal exit does not propagate, unlink holds, exit/2 kills, a lunatic process that does not
   trap exits dies with its linked BEAM process and the BEAM side hears of it;
2. between the two lunatic nodes (the link or monitor travels A -> B while the Erlang node's
   command travels Erlang -> B: each case first has the signal's sender relay a `where` to its
   target, whose answer means that the signal arrived): monitors both ways (a process's end,
   noproc, demonitor), links both ways, node lists; remote spawn of A's own module on B (twice: the module travels
   and compiles once), refused by C (--no-remote-spawn) and by an Erlang node;
3. the Erlang node is killed: A's process linked to and monitoring its processes gets
   `noconnection` for both, and A's node watcher gets nodedown (and nodeup for the next);
4. node B is killed: a BEAM process linked to a B process gets {'EXIT', _, noconnection}, and
   A's processes linked to / monitoring B's get noconnection.
Every wait is bounded; every node and the private epmd are stopped at the end."""
import os
import signal
import subprocess
import sys
import time

from dist_support import fail, free_port, stop, stop_epmd, wait_for_lines

TIMEOUT = 20
COOKIE = "lunatic"
TAG = str(os.getpid())
A = f"la{TAG}@127.0.0.1"
B = f"lb{TAG}@127.0.0.1"
C = f"lc{TAG}@127.0.0.1"  # refuses remote spawns


def erl_args(name, code):
    prelude = ("W = fun() -> receive M -> M after 5000 -> timeout end end, "
               "Out = fun(K, V) -> io:format(\"~s ~s~n\", [K, io_lib:print(V, 1, 100000, -1)]) end, ")
    return ["erl", "-name", f"{name}{TAG}@127.0.0.1", "-setcookie", COOKIE, "-noshell",
            "-eval", prelude + code + " halt()."]


def erl(env, name, code):
    """Runs `code` in a fresh Erlang node; returns {key: value-text} of its Out lines."""
    done = subprocess.run(erl_args(name, code), env=env, capture_output=True, text=True,
                          timeout=2 * TIMEOUT)
    print(done.stdout, end="")
    if done.returncode != 0:
        fail(f"erl {name} failed: {done.stdout} {done.stderr}")
    return dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)


def expect(got, key, want):
    if got.get(key, "").strip() != want:
        fail(f"{key}: expected {want!r}, got {got.get(key)!r}")


def start_node(lunatic, guest, env, name, out_path, *flags):
    out = open(out_path, "w")
    node = subprocess.Popen([lunatic, "run", "--name", name, "--cookie", COOKIE, *flags, guest],
                            env=dict(env, LUNATIC_LOG="info"), stdout=out,
                            stderr=subprocess.PIPE, text=True)
    wait_for_lines(out_path, [f"links is ready on {name}"])
    return node


def main():
    lunatic, guest = sys.argv[1], sys.argv[2]
    env = dict(os.environ, ERL_EPMD_PORT=str(free_port()), HOME=os.environ.get("HOME", "/tmp"))
    workdir = os.environ.get("TMPDIR", "/tmp")
    a_out, b_out = f"{workdir}/links_a{TAG}.out", f"{workdir}/links_b{TAG}.out"
    nodes = []
    victim = None
    try:
        nodes.append(start_node(lunatic, guest, env, A, a_out))
        nodes.append(start_node(lunatic, guest, env, B, b_out))
        nodes.append(start_node(lunatic, guest, env, C, f"{workdir}/links_c{TAG}.out",
                                "--no-remote-spawn"))
        spawn = "{links, '%s'} ! {self(), spawn}, {spawned, %s} = W(), "

        def relay(by, to):
            # `to` answers only after every signal `by` sent it before (Erlang orders them):
            # the link or monitor `by` just made has arrived, without a sleep.
            return f"{by} ! {{self(), relay, {to}}}, true = is_atom(W()), "

        # 1. With an Erlang node.
        got = erl(env, "t", "process_flag(trap_exit, true), " +
                  spawn % (A, "C1") + "C1 ! {self(), link, self()}, linked = W(), "
                  "C1 ! {self(), crash}, Out(\"lunatic_made_link\", W()), " +
                  spawn % (A, "C2") + "link(C2), C2 ! {self(), crash}, "
                  "Out(\"beam_made_link\", W()), " +
                  spawn % (A, "C3") + "C3 ! {self(), report}, reporting = W(), "
                  "C3 ! {self(), trap_exits}, trapping = W(), "
                  "P1 = spawn(fun() -> receive go -> exit(boom) end end), "
                  "C3 ! {self(), link, P1}, linked = W(), P1 ! go, "
                  "{link_died, P1, R1} = W(), Out(\"trapped\", R1), "
                  "P2 = spawn(fun() -> receive go -> exit(normal) end end), "
                  "C3 ! {self(), link, P2}, linked = W(), P2 ! go, Out(\"normal\", W()), "
                  "P3 = spawn(fun() -> receive go -> exit(boom) end end), "
                  "C3 ! {self(), link, P3}, linked = W(), C3 ! {self(), unlink, P3}, "
                  "unlinked = W(), P3 ! go, Out(\"unlinked\", W()), " +
                  spawn % (A, "C4") + "link(C4), exit(C4, boom), Out(\"exit2\", W()), " +
                  spawn % (A, "C5") + "link(C5), "
                  "P4 = spawn(fun() -> receive go -> exit(boom) end end), "
                  "C5 ! {self(), link, P4}, linked = W(), P4 ! go, "
                  "{'EXIT', C5, R5} = W(), Out(\"not_trapping\", R5), " +
                  spawn % (A, "C6") + "link(C6), unlink(C6), C6 ! {self(), crash}, "
                  "Out(\"beam_unlinked\", W()), " +
                  # Monitors with Erlang's semantics, both ways (the handshake offers
                  # DIST_MONITOR and DIST_MONITOR_NAME).
                  spawn % (A, "M1") + "MR1 = monitor(process, M1), M1 ! {self(), crash}, "
                  "receive {'DOWN', MR1, process, M1, MD1} -> Out(\"beam_monitor\", MD1) "
                  "after 5000 -> Out(\"beam_monitor\", timeout) end, " +
                  spawn % (A, "M2") + "MR2 = monitor(process, M2), demonitor(MR2), "
                  "M2 ! {self(), crash}, receive {'DOWN', MR2, _, _, _} = D2 -> "
                  "Out(\"beam_demonitor\", D2) after 500 -> Out(\"beam_demonitor\", timeout) end, "
                  f"MR3 = monitor(process, {{links, '{A}'}}), "
                  "receive {'DOWN', MR3, _, _, _} = D3 -> Out(\"beam_name_monitor\", D3) "
                  "after 300 -> Out(\"beam_name_monitor\", up) end, demonitor(MR3), "
                  f"MR4 = monitor(process, {{nobody, '{A}'}}), "
                  "receive {'DOWN', MR4, process, MN4, MD4} -> Out(\"beam_name_noproc\", {MN4, MD4}) "
                  "after 5000 -> Out(\"beam_name_noproc\", timeout) end, " +
                  spawn % (A, "M5") + "M5 ! {self(), report}, reporting = W(), "
                  "Q1 = spawn(fun() -> receive go -> exit(boom) end end), "
                  "M5 ! {self(), monitor, Q1}, monitoring = W(), Q1 ! go, "
                  "Out(\"lunatic_monitors_beam\", W()), "
                  "Q2 = spawn(fun() -> ok end), QR2 = monitor(process, Q2), "
                  "receive {'DOWN', QR2, process, Q2, _} -> ok end, "
                  "M5 ! {self(), monitor, Q2}, monitoring = W(), Out(\"lunatic_monitors_dead\", W()), "
                  "Q3 = spawn(fun() -> receive go -> exit(boom) end end), "
                  "M5 ! {self(), monitor, Q3}, monitoring = W(), M5 ! {self(), demonitor, Q3}, "
                  "demonitored = W(), Q3 ! go, Out(\"lunatic_demonitors_beam\", W()),")
        expect(got, "beam_monitor", '<<"trap: unreachable">>')
        expect(got, "beam_demonitor", "timeout")
        expect(got, "beam_name_monitor", "up")
        expect(got, "beam_name_noproc", f"{{{{nobody,'{A}'}},noproc}}")
        if not got.get("lunatic_monitors_beam", "").startswith("{down,<") or \
                not got["lunatic_monitors_beam"].strip().endswith(',<<"boom">>}'):
            fail(f"lunatic_monitors_beam: {got.get('lunatic_monitors_beam')!r}")
        if not got.get("lunatic_monitors_dead", "").strip().endswith(',<<"noproc">>}'):
            fail(f"lunatic_monitors_dead: {got.get('lunatic_monitors_dead')!r}")
        expect(got, "lunatic_demonitors_beam", "timeout")
        for key, want in [("trapped", '<<"boom">>'), ("normal", "timeout"),
                          ("unlinked", "timeout"), ("beam_unlinked", "timeout")]:
            expect(got, key, want)
        for key, want in [("lunatic_made_link", '<<"trap: unreachable">>}'),
                          ("beam_made_link", '<<"trap: unreachable">>}'),
                          ("exit2", "<<\"killed: exit signal from node")]:
            if want not in got.get(key, ""):
                fail(f"{key}: expected {want!r} in {got.get(key)!r}")
        if "linked process" not in got.get("not_trapping", ""):
            fail(f"not_trapping: {got.get('not_trapping')!r}")

        # 2. Between the lunatic nodes (A's processes watch B's; the Erlang node relays).
        got = erl(env, "u", spawn % (A, "CA") + spawn % (B, "CB") +
                  "CA ! {self(), report}, reporting = W(), "
                  "CA ! {self(), monitor, CB}, monitoring = W(), " + relay("CA", "CB") + "CB ! {self(), exit}, "
                  "{down, CB, RA} = W(), Out(\"lunatic_monitor\", RA), "
                  "CA ! {self(), monitor, CB}, monitoring = W(), {down, CB, RB} = W(), "
                  "Out(\"lunatic_noproc\", RB), " + spawn % (B, "CB2") +
                  "CA ! {self(), monitor, CB2}, monitoring = W(), "
                  "CA ! {self(), demonitor, CB2}, demonitored = W(), " + relay("CA", "CB2") +
                  "CB2 ! {self(), exit}, "
                  "Out(\"lunatic_demonitor\", W()), " + spawn % (B, "CB3") +
                  "CB3 ! {self(), report}, reporting = W(), CB3 ! {self(), trap_exits}, "
                  "trapping = W(), CB3 ! {self(), link, CA}, linked = W(), " + relay("CB3", "CA") +
                  "CA ! {self(), crash}, {link_died, CA, RC} = W(), Out(\"lunatic_link\", RC), "
                  "CB3 ! {self(), nodes}, Out(\"nodes_b\", lists:sort(W())), "
                  # Remote spawn: A runs its own module's remote_worker on B, twice (the
                  # module travels once); C refuses, and so does an Erlang node.
                  f"{{links, '{A}'}} ! {{self(), spawn_on, '{B}'}}, {{spawned_on, SP}} = W(), "
                  "Out(\"spawned_node\", node(SP)), SP ! {self(), where}, "
                  "Out(\"worker_where\", W()), "
                  f"{{links, '{A}'}} ! {{self(), spawn_on, '{B}'}}, "
                  "{spawned_on, SP2} = W(), SP2 ! {self(), where}, Out(\"again\", W()), "
                  f"{{links, '{A}'}} ! {{self(), spawn_on, '{C}'}}, Out(\"refused\", W()), "
                  f"{{links, '{A}'}} ! {{self(), spawn_on, node()}}, Out(\"erlang\", W()), "
                  # Spawns from Erlang: A's own module by its file's stem, with a monitor;
                  # wrong arguments, another module, and C (no remote spawns) refuse.
                  f"ER = spawn_request('{A}', dist_links, remote_worker, [42], [monitor]), "
                  "receive {spawn_reply, ER, ok, EP} -> EP ! {self(), where}, "
                  "Out(\"from_erlang\", {node(EP), W()}), EP ! {self(), crash}, "
                  "receive {'DOWN', ER, process, EP, ED} -> Out(\"from_erlang_down\", ED) "
                  "after 5000 -> Out(\"from_erlang_down\", timeout) end; "
                  "Other -> Out(\"from_erlang\", Other) after 5000 -> Out(\"from_erlang\", timeout) end, "
                  "Reply = fun(R) -> receive {spawn_reply, R, E, V} -> {E, V} after 5000 -> timeout end end, "
                  f"Out(\"from_erlang_bad_arg\", Reply(spawn_request('{A}', dist_links, remote_worker, [x], []))), "
                  f"Out(\"from_erlang_arity\", Reply(spawn_request('{A}', dist_links, remote_worker, [1, 2], []))), "
                  f"Out(\"from_erlang_other\", Reply(spawn_request('{A}', lists, reverse, [[]], []))), "
                  f"Out(\"from_erlang_refused\", Reply(spawn_request('{C}', dist_links, remote_worker, [42], []))),")
        # A message that is not a term, between the lunatic nodes (it arrives as sent: tag
        # past 32 bits, bytes) and to Erlang (as {'$lunatic', Tag, <<Data>>}).
        raw = (spawn % (A, "TA") + spawn % (B, "TB") +
               "TB ! {self(), expect_tagged}, expecting = W(), TA ! {self(), tagged, TB}, "
               "receive sent_tagged -> ok after 5000 -> ok end, "
               "receive {got_tagged, _, _} = G -> Out(\"tagged_lunatic\", G) "
               "after 5000 -> Out(\"tagged_lunatic\", timeout) end, "
               "TA ! {self(), tagged, self()}, receive sent_tagged -> ok after 5000 -> ok end, "
               "receive {'$lunatic', _, _} = L -> Out(\"tagged_erlang\", L) "
               "after 5000 -> Out(\"tagged_erlang\", timeout) end,")
        got_raw = erl(env, "r", raw)
        expect(got_raw, "tagged_lunatic", "{got_tagged,78187493520,<<0,1,2,131,255,120>>}")
        expect(got_raw, "tagged_erlang", "{'$lunatic',78187493520,<<0,1,2,131,255,120>>}")
        # Remote kill (EXIT2 with reason kill) and spawn_on with link and monitor (spawn_opt).
        got2 = erl(env, "k", "process_flag(trap_exit, true), " + spawn % (A, "KA") + spawn % (B, "KB") +
                   "KA ! {self(), report}, reporting = W(), KA ! {self(), trap_exits}, trapping = W(), "
                   # kill of an Erlang pid: its monitor says killed
                   "P = spawn(fun() -> receive after infinity -> ok end end), MR = monitor(process, P), "
                   "KA ! {self(), kill, P}, receive killed -> ok after 5000 -> ok end, "
                   "receive {'DOWN', MR, process, P, KR} -> Out(\"kill_beam\", KR) after 5000 -> Out(\"kill_beam\", timeout) end, "
                   # kill of a lunatic process on another node: its link says killed
                   # (KB answers `where` only after the link, sent before on the same
                   # connection, arrived: else A's kill can reach B first and the link noproc)
                   "link(KB), KB ! {self(), where}, true = is_atom(W()), "
                   "KA ! {self(), kill, KB}, KX = W(), KY = W(), "
                   "Out(\"kill_lunatic\", lists:sort([KX, KY])), "
                   # spawn_on with link and monitor: the worker's crash reaches both
                   f"KA ! {{self(), spawn_on, '{B}', both, 42}}, {{spawned_on, S1}} = W(), "
                   "S1 ! {self(), crash}, R1 = W(), R2 = W(), Out(\"spawn_both\", lists:sort([R1, R2])), "
                   # a worker that dies at once: link and monitor were there before it ran
                   f"KA ! {{self(), spawn_on, '{B}', both, 0}}, {{spawned_on, S2}} = W(), "
                   "R3 = W(), R4 = W(), Out(\"spawn_at_once\", lists:sort([R3, R4])), "
                   f"KA ! {{self(), spawn_on, '{B}', monitor, 0}}, {{spawned_on, S3}} = W(), "
                   "Out(\"spawn_monitor_only\", W()), Out(\"spawn_monitor_only_more\", W()),")
        expect(got2, "kill_beam", "killed")
        # KA's answer and KB's exit race (two nodes): both, in either order.
        if not got2.get("kill_lunatic", "").startswith("[killed,{'EXIT',") or \
                not got2["kill_lunatic"].strip().endswith(",killed}]"):
            fail(f"kill_lunatic: {got2.get('kill_lunatic')!r}")
        crash = '<<"trap: unreachable">>'
        for key in ("spawn_both", "spawn_at_once"):
            text = got2.get(key, "")
            if text.count(crash) != 2 or "{down," not in text or "{link_died," not in text:
                fail(f"{key}: expected a down and a link_died with {crash}, got {text!r}")
        if not got2.get("spawn_monitor_only", "").startswith("{down,") or crash not in got2["spawn_monitor_only"]:
            fail(f"spawn_monitor_only: {got2.get('spawn_monitor_only')!r}")
        expect(got2, "spawn_monitor_only_more", "timeout")

        expect(got, "lunatic_monitor", '<<"normal">>')
        expect(got, "lunatic_noproc", '<<"noproc">>')
        expect(got, "lunatic_demonitor", "timeout")
        expect(got, "lunatic_link", '<<"trap: unreachable">>')
        expect(got, "nodes_b", f"['{A}','u{TAG}@127.0.0.1']")
        expect(got, "spawned_node", f"'{B}'")
        expect(got, "worker_where", f"'{B}'")
        expect(got, "again", f"'{B}'")
        expect(got, "refused", '{spawn_failed,<<"notsup">>}')
        if not got.get("erlang", "").startswith("{spawn_failed,"):
            fail(f"an Erlang node answered a lunatic spawn with {got.get('erlang')!r}")
        expect(got, "from_erlang", f"{{'{A}','{A}'}}")
        expect(got, "from_erlang_down", '<<"trap: unreachable">>')
        expect(got, "from_erlang_bad_arg", "{error,badarg}")
        expect(got, "from_erlang_arity", "{error,badarg}")
        expect(got, "from_erlang_other", "{error,notsup}")
        expect(got, "from_erlang_refused", "{error,notsup}")

        # 3. The Erlang node dies: noconnection for links and monitors, nodedown.
        victim = subprocess.Popen(erl_args("v", spawn % (A, "CV") +
                                           "CV ! {self(), trap_exits}, trapping = W(), "
                                           "CV ! {self(), monitor_nodes}, watching = W(), "
                                           "P = spawn(fun() -> receive _ -> ok end end), "
                                           "CV ! {self(), link, P}, linked = W(), "
                                           "CV ! {self(), monitor, P}, monitoring = W(), "
                                           "io:format(\"ready~n\"), timer:sleep(60000),"),
                                  env=env, stdout=subprocess.PIPE, text=True)
        if victim.stdout.readline().strip() != "ready":
            fail("the victim Erlang node did not start")
        victim.send_signal(signal.SIGKILL)
        victim.communicate(timeout=TIMEOUT)
        print(wait_for_lines(a_out, ["link_died noconnection", "down noconnection",
                                     f"nodedown v{TAG}@127.0.0.1"]), end="")

        # 4. Lunatic node B dies: the Erlang side and node A both hear noconnection.
        watcher = subprocess.Popen(
            erl_args("w", "process_flag(trap_exit, true), " + spawn % (B, "CW") +
                     "link(CW), " + spawn % (A, "CX") + "CX ! {self(), trap_exits}, "
                     "trapping = W(), CX ! {self(), link, CW}, linked = W(), "
                     "io:format(\"ready~n\"), Out(\"beam_saw\", W()),"),
            env=env, stdout=subprocess.PIPE, text=True)
        if watcher.stdout.readline().strip() != "ready":
            fail("the watching Erlang node did not start")
        before = open(a_out).read().count("link_died noconnection")
        nodes[1].send_signal(signal.SIGKILL)
        _, b_err = nodes[1].communicate(timeout=TIMEOUT)
        if b_err.count("compiled a module of") != 1:
            fail(f"B did not compile A's module exactly once:\n{b_err}")
        out, _ = watcher.communicate(timeout=TIMEOUT)
        print(out, end="")
        if "beam_saw {'EXIT'," not in out or "noconnection}" not in out:
            fail(f"the Erlang process linked to B's did not get noconnection: {out!r}")
        deadline = time.time() + TIMEOUT
        while open(a_out).read().count("link_died noconnection") == before:
            if time.time() > deadline:
                fail("A's process linked to B's did not get noconnection")
            time.sleep(0.1)
        # The watching Erlang node connected to A after CV asked for node events.
        wait_for_lines(a_out, [f"nodeup w{TAG}@127.0.0.1"])
        if nodes[0].poll() is not None:
            fail(f"node A exited with {nodes[0].returncode}")
    finally:
        if victim and victim.poll() is None:
            victim.kill()
            victim.communicate()
        for node in nodes:
            stop(node)
        stop_epmd(env)
    print("ok distributed_links")


main()
