#!/usr/bin/env python3
"""Drives tests/guests/wasi_sock.wasm: runs it with --tcplisten on a free loopback port,
connects when it says "ready", and checks what it sends back. Every wait has a timeout.
   wasi_sock.py LUNATIC WASI_SOCK_WASM [RUN OPTIONS...] [-- GUEST ARGS...]"""
import socket
import struct
import subprocess
import sys

TIMEOUT = 30


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def expect_line(proc, want):
    line = proc.stdout.readline()
    print(line, end="")
    if line.strip() != want:
        raise SystemExit(f"FAIL: expected {want!r}, got {line!r}")


def main():
    lunatic, guest, options = sys.argv[1], sys.argv[2], sys.argv[3:]
    guest_args = []
    if "--" in options:
        split = options.index("--")
        options, guest_args = options[:split], options[split + 1:]
    port = free_port()
    proc = subprocess.Popen([lunatic, "run", *options, "--tcplisten", f"127.0.0.1:{port}", guest, *guest_args],
                            stdout=subprocess.PIPE, text=True)
    try:
        expect_line(proc, "no client yet: EAGAIN, poll timed out")
        expect_line(proc, "ready")
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as c:
            c.settimeout(TIMEOUT)
            c.sendall(b"hello")
            expect_line(proc, "go")
            c.sendall(b"world")
            expect_line(proc, "go2")
            c.sendall(b"again")
            line = proc.stdout.readline()
            print(line, end="")
            if not line.startswith("full "):
                raise SystemExit(f"FAIL: expected 'full N', got {line!r}")
            want = b"HELLOWORLDbye\n" + b"z" * (int(line.split()[1]) + (8 << 20))
            got = bytearray()
            while len(got) < len(want):
                chunk = c.recv(1 << 16)
                if not chunk:
                    break
                got += chunk
            if got != want:
                raise SystemExit(f"FAIL: the guest sent {len(got)} bytes: {bytes(got[:32])!r}...")
            c.shutdown(socket.SHUT_WR)
            if c.recv(64) != b"":
                raise SystemExit("FAIL: no EOF after the guest's shutdown")
        expect_line(proc, "ready2")
        c = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()
        expect_line(proc, "ok")
        status = proc.wait(timeout=TIMEOUT)
        if status != 0:
            raise SystemExit(f"FAIL: exit status {status}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    print("client checks ok")


main()
