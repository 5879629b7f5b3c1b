#!/usr/bin/env python3
"""Erlang distribution end to end (docs/distribution.md), on loopback with a private epmd:
   distributed.py LUNATIC DISTRIBUTED_ECHO_WASM
1. `lunatic run --name` publishes the node (starting epmd itself) and runs distributed_echo;
2. an Erlang node sends {self(), Term} to {echo, Node} and must get Term back (several terms),
   and the echo reaches a pid on a third node the lunatic node connects to itself (and not one
   on a node with another cookie: the node's own handshake fails and logs why);
3. an Erlang node with the wrong cookie is refused (pang) and the refusal is logged;
4. hostile peers: garbage instead of a handshake, a stalled handshake, malformed send_names
   (the pre-OTP 23 form, a wrong name length, a name without '@', required flags missing), an
   oversized handshake packet, a wrong digest; and after a good
   handshake a truncated frame, an oversized frame, an unknown control message and a LINK
   from a pid of a third node: each is disconnected (a LINK to no process is answered with
   EXIT noproc first), and the echo still answers afterwards.
Every wait is bounded; the node, the Erlang nodes and the private epmd are stopped at the end."""
import hashlib
import os
import socket
import struct
import subprocess
import sys
import time

from dist_support import fail, free_port, stop, stop_epmd

TIMEOUT = 20
COOKIE = "lunatic"
TAG = str(os.getpid())
NODE = f"echo{TAG}@127.0.0.1"


def erl(env, name, cookie, code):
    """Runs `code` in a fresh Erlang node; returns its stdout."""
    args = ["erl", "-name", f"{name}{TAG}@127.0.0.1", "-setcookie", cookie, "-noshell",
            "-eval", code + " halt()."]
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    return done.stdout


def epmd_port_of(env, alive):
    """Asks the private epmd for the node's distribution port (PORT_PLEASE2_REQ)."""
    with socket.create_connection(("127.0.0.1", int(env["ERL_EPMD_PORT"])), timeout=5) as s:
        request = b"z" + alive.encode()
        s.sendall(struct.pack(">H", len(request)) + request)
        reply = s.recv(64)
    if len(reply) < 4 or reply[0] != 119 or reply[1] != 0:
        fail(f"epmd does not know {alive}: {reply!r}")
    return struct.unpack(">H", reply[2:4])[0]


def closed_by_peer(sock, within):
    """True if the node closes `sock` within `within` seconds (whatever it sends first)."""
    sock.settimeout(within)
    deadline = time.time() + within
    try:
        while time.time() < deadline:
            if sock.recv(4096) == b"":
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False
    return False


def handshake(port):
    """The OTP 23+ handshake as a node named hostile<TAG>@127.0.0.1; returns the socket."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    flags = (0x4 | 0x10 | 0x80 | 0x100 | 0x200 | 0x400 | 0x800 | 0x4000 | 0x10000 | 0x20000 |
             0x40000 | 0x1000000 | 0x2000000 | (1 << 34))
    name = f"hostile{TAG}@127.0.0.1".encode()
    body = b"N" + struct.pack(">QIH", flags, 1, len(name)) + name
    s.sendall(struct.pack(">H", len(body)) + body)

    def packet():
        header = s.recv(2, socket.MSG_WAITALL)
        (n,) = struct.unpack(">H", header)
        return s.recv(n, socket.MSG_WAITALL)

    status = packet()
    if status[:3] != b"sok":
        fail(f"handshake status {status!r}")
    challenge_packet = packet()
    if challenge_packet[:1] != b"N":
        fail(f"handshake challenge {challenge_packet!r}")
    (challenge,) = struct.unpack(">I", challenge_packet[9:13])
    digest = hashlib.md5((COOKIE + str(challenge)).encode()).digest()
    reply = b"r" + struct.pack(">I", 12345) + digest
    s.sendall(struct.pack(">H", len(reply)) + reply)
    ack = packet()
    if ack[:1] != b"a":
        fail(f"handshake ack {ack!r}")
    return s


def main():
    lunatic, guest = sys.argv[1], sys.argv[2]
    env = dict(os.environ, ERL_EPMD_PORT=str(free_port()), HOME=os.environ.get("HOME", "/tmp"))
    node = subprocess.Popen([lunatic, "run", "--name", NODE, "--cookie", COOKIE, guest],
                            env=dict(env, LUNATIC_LOG="info"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = node.stdout.readline()
        print(line, end="")
        if line.strip() != f"echo is ready on {NODE}":
            fail(f"the node did not start: {line!r}")

        # 2. Echo: the exchange, then terms of every kind the SDK's codec holds.
        terms = ['<<"hello">>', "{ok, [1,2,3], #{a => 1.5}, -5000000000, 'caf\u00e9', []}",
                 "[self(), <<>>, {}]"]
        code = "".join(
            f"{{echo, '{NODE}'}} ! {{self(), {t}}}, receive R{i} -> io:format(\"~p~n\", "
            f"[R{i} =:= {t}]) after 5000 -> io:format(\"timeout~n\") end, "
            for i, t in enumerate(terms))
        code = f"{{echo, '{NODE}'}} ! {{self(), <<\"hello\">>}}, receive R -> io:format(\"~p~n\", [R]) after 5000 -> io:format(\"timeout~n\") end, " + code
        out = erl(env, "t", COOKIE, code)
        print(out, end="")
        if out.split() != ['<<"hello">>', "true", "true", "true"]:
            fail(f"echo answered {out!r}")

        # 2b. A pid of a node the lunatic node has no connection to: the node connects to it.
        receiver = subprocess.Popen(
            ["erl", "-name", f"r{TAG}@127.0.0.1", "-setcookie", COOKIE, "-noshell", "-eval",
             "register(recv, self()), io:format(\"ready~n\"), receive M -> io:format(\"~p~n\", [M]) "
             "after 15000 -> io:format(\"timeout~n\") end, halt()."],
            env=env, stdout=subprocess.PIPE, text=True)
        try:
            if receiver.stdout.readline().strip() != "ready":
                fail("the receiving Erlang node did not start")
            erl(env, "s", COOKIE,
                f"Pid = rpc:call('r{TAG}@127.0.0.1', erlang, whereis, [recv]), "
                f"{{echo, '{NODE}'}} ! {{Pid, {{via, lunatic}}}}, timer:sleep(200),")
            got, _ = receiver.communicate(timeout=TIMEOUT)
        finally:
            if receiver.poll() is None:
                receiver.kill()
                receiver.communicate()
        print("echoed to a third node:", got, end="")
        if got.strip() != "{via,lunatic}":
            fail(f"the third node got {got!r}")

        # 2c. The same toward a node with another cookie: the lunatic node's handshake fails
        # (the peer never acknowledges its digest) and says so; nothing arrives. The other
        # node's 3 s wait starts at `go`, sent just before the echo is asked: not while this
        # Erlang node boots (on a loaded machine that alone took the 3 s, and the lunatic node
        # had not yet connected when the other node gave up).
        other = subprocess.Popen(
            ["erl", "-name", f"x{TAG}@127.0.0.1", "-setcookie", "other", "-noshell", "-eval",
             "register(recv, self()), io:format(\"ready~n\"), "
             "receive go -> ok after 10000 -> ok end, "
             "receive M -> io:format(\"~p~n\", [M]) after 3000 -> io:format(\"timeout~n\") end, "
             "halt()."],
            env=env, stdout=subprocess.PIPE, text=True)
        try:
            if other.stdout.readline().strip() != "ready":
                fail("the Erlang node with another cookie did not start")
            erl(env, "s2", COOKIE,
                f"erlang:set_cookie('x{TAG}@127.0.0.1', other), "
                f"Pid = rpc:call('x{TAG}@127.0.0.1', erlang, whereis, [recv]), Pid ! go, "
                f"{{echo, '{NODE}'}} ! {{Pid, {{via, lunatic}}}}, timer:sleep(200),")
            got, _ = other.communicate(timeout=TIMEOUT)
        finally:
            if other.poll() is None:
                other.kill()
                other.communicate()
        print("echoed to a node with another cookie:", got, end="")
        # Erlang logs the refusal itself ("Invalid challenge reply"), then times out.
        if got.strip().splitlines()[-1:] != ["timeout"] or "Invalid challenge reply" not in got:
            fail(f"the node with another cookie got {got!r}")

        # 3. The wrong cookie.
        out = erl(env, "w", "not" + COOKIE, f"io:format(\"~p~n\", [net_adm:ping('{NODE}')]),")
        print("wrong cookie:", out, end="")
        if out.strip() != "pang":
            fail(f"a node with the wrong cookie got {out!r}")

        # 4. Hostile peers.
        port = epmd_port_of(env, f"echo{TAG}")
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"GET / HTTP/1.0\r\n\r\n" + bytes(range(256)))
            if not closed_by_peer(s, 10):
                fail("garbage instead of a handshake was not disconnected")
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"\x00\x40N")  # a handshake packet that never ends
            if not closed_by_peer(s, 12):
                fail("a stalled handshake was not disconnected")
        # The handshake's own checks (src/dist/handshake.cpp): each is refused with a reason.
        good_flags = 0x4 | 0x8 | 0x100 | 0x10000 | 0x40000 | 0x1000000
        me = f"hostile{TAG}@127.0.0.1".encode()
        bad_hellos = [
            b"n" + struct.pack(">HI", 5, good_flags) + me,  # the pre-OTP 23 send_name
            b"N" + struct.pack(">QIH", good_flags, 1, len(me) + 7) + me,  # a wrong name length
            b"N" + struct.pack(">QIH", good_flags, 1, 9) + b"no-at-all",  # not alive@host
            b"N" + struct.pack(">QIH", 0x4, 1, len(me)) + me,  # flags this node needs missing
        ]
        for hello in bad_hellos:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(struct.pack(">H", len(hello)) + hello)
                if not closed_by_peer(s, 10):
                    fail(f"a malformed send_name {hello!r} was not refused")
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(struct.pack(">H", 0xFFFF) + b"N" * 100)  # longer than any handshake
            if not closed_by_peer(s, 10):
                fail("an oversized handshake packet was not refused")
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            # A good send_name, then a reply whose digest is not of the cookie.
            hello = b"N" + struct.pack(">QIH", good_flags, 1, len(me)) + me
            s.sendall(struct.pack(">H", len(hello)) + hello)
            reply = b"r" + struct.pack(">I", 1) + bytes(16)
            s.sendall(struct.pack(">H", len(reply)) + reply)
            if not closed_by_peer(s, 10):
                fail("a challenge reply with a wrong digest was not refused")
        with handshake(port) as s:
            s.sendall(struct.pack(">I", 1000) + b"p\x83h\x03a\x02")  # and then nothing
            if not closed_by_peer(s, 12):
                fail("a truncated frame was not disconnected")
        with handshake(port) as s:
            s.sendall(struct.pack(">I", 0x7FFFFFFF) + b"p")
            if not closed_by_peer(s, 5):
                fail("an oversized frame was not disconnected")
        with handshake(port) as s:
            s.sendall(struct.pack(">I", 0) * 3)  # ticks are answered, and are harmless
            control = b"p\x83h\x01a\x63"  # {99}
            s.sendall(struct.pack(">I", len(control)) + control)
            if not closed_by_peer(s, 5):
                fail("an unknown control message was not disconnected")
        with handshake(port) as s:
            # LINK to a pid that names no process is answered with EXIT noproc, as Erlang
            # does; then a LINK from a pid of a third node is a forgery: disconnected.
            def pid(node, n):
                return bytes([88, 119, len(node)]) + node + struct.pack(">III", n, 0, 1)
            me, them = f"hostile{TAG}@127.0.0.1".encode(), NODE.encode()
            control = b"p\x83h\x03a\x01" + pid(me, 5) + pid(them, 999999)
            s.sendall(struct.pack(">I", len(control)) + control)
            s.settimeout(5)
            answer = b""
            while not answer:  # ticks (empty frames) may come first
                (n,) = struct.unpack(">I", s.recv(4, socket.MSG_WAITALL))
                answer = s.recv(n, socket.MSG_WAITALL) if n else b""
            if not answer.startswith(b"p\x83h\x04a\x03") or b"noproc" not in answer:
                fail(f"a LINK to no process was answered with {answer!r}")
            control = b"p\x83h\x03a\x01" + pid(b"other@127.0.0.1", 5) + pid(them, 1)
            s.sendall(struct.pack(">I", len(control)) + control)
            if not closed_by_peer(s, 5):
                fail("a LINK from another node's pid was not disconnected")
        out = erl(env, "t2", COOKIE,
                  f"{{echo, '{NODE}'}} ! {{self(), still_here}}, receive R -> io:format(\"~p~n\", [R]) after 5000 -> io:format(\"timeout~n\") end,")
        print("after the hostile peers:", out, end="")
        if out.strip() != "still_here":
            fail(f"the node no longer answers: {out!r}")
        if node.poll() is not None:
            fail(f"the node exited with {node.returncode}")
    finally:
        err = stop(node)
        stop_epmd(env)
    print(err, end="")
    for want in ["handshake failed", "frame stalled", "larger than the most",
                 "older than OTP 23", "a malformed handshake", "a malformed node name",
                 "without the distribution flags", "a handshake packet of 65535 bytes",
                 "handshake failed: wrong cookie",
                 f"cannot connect to node x{TAG}@127.0.0.1 (no answer to the challenge reply (wrong cookie?)",
                 "unknown control message 99", "a signal from another node's pid"]:
        if want not in err:
            fail(f"the node's log does not say {want!r}")
    print("ok distributed")


main()
