#!/usr/bin/env python3
"""Drives examples/chat with three scripted clients over loopback and checks what each sees.
   chat_clients.py LUNATIC CHAT.wasm
Starts the server on port 0 with --serve 3 (it ends once 3 clients have left); every wait has a
timeout, and the server is killed if it outlives the script."""
import socket
import subprocess
import sys

TIMEOUT = 10


class Client:
    def __init__(self, name, port):
        self.name = name
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.buffer = b""

    def send(self, line):
        self.sock.sendall(line.encode() + b"\n")

    def line(self):
        while b"\n" not in self.buffer:
            data = self.sock.recv(4096)
            if not data:
                raise AssertionError(f"{self.name}: connection closed, expected a line")
            self.buffer += data
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode()

    def expect(self, text):
        got = self.line()
        if got != text:
            raise AssertionError(f"{self.name}: got {got!r}, expected {text!r}")
        print(f"{self.name} sees: {got}")

    def expect_closed(self):
        data = self.sock.recv(4096)
        if data:
            raise AssertionError(f"{self.name}: expected the server to close, got {data!r}")
        self.sock.close()


def main():
    lunatic, wasm = sys.argv[1], sys.argv[2]
    server = subprocess.Popen([lunatic, "run", wasm, "0", "--serve", "3"], stdout=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, text=True)
    try:
        first = server.stdout.readline()
        print(first.rstrip())
        port = int(first.split("127.0.0.1:")[1].split()[0])
        a = Client("a", port)
        a.expect("* welcome guest1, 1 online (/nick NAME to rename, /quit to leave)")
        a.send("/nick ada")
        a.expect("* guest1 is now ada")
        b = Client("b", port)
        b.expect("* welcome guest2, 2 online (/nick NAME to rename, /quit to leave)")
        a.expect("* guest2 joined")
        b.send("/nick ada")
        b.expect("* that nick is taken")
        b.send("/nick bob")
        b.expect("* guest2 is now bob")
        a.expect("* guest2 is now bob")
        c = Client("c", port)
        c.send("/dance")  # at once: the answer still comes after the welcome
        c.expect("* welcome guest3, 3 online (/nick NAME to rename, /quit to leave)")
        c.expect("* unknown command (/nick NAME, /quit)")
        a.expect("* guest3 joined")
        b.expect("* guest3 joined")
        a.send("hello, room")
        b.expect("<ada> hello, room")
        c.expect("<ada> hello, room")
        # c hangs up without /quit: the others are told.
        c.sock.close()
        a.expect("* guest3 left")
        b.expect("* guest3 left")
        b.send("/quit")
        b.expect("* bye")
        b.expect_closed()
        a.expect("* bob left")
        a.send("/nick ada2\n/quit")  # one write, two commands: answered in order
        a.expect("* ada is now ada2")
        a.expect("* bye")
        a.expect_closed()
        out, _ = server.communicate(timeout=TIMEOUT)
        print(out.rstrip())
        if server.returncode != 0:
            raise AssertionError(f"server exited with {server.returncode}")
        for text in ["chat: guest1 joined from 127.0.0.1:", "chat: guest1 is now ada",
                     "chat: guest3 left", "chat: bob left", "chat: ada2 left",
                     "chat: 3 clients came and went, closing"]:
            if text not in out:
                raise AssertionError(f"server output lacks {text!r}")
        print("ok chat")
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


if __name__ == "__main__":
    try:
        main()
    except (AssertionError, OSError, ValueError, IndexError, subprocess.TimeoutExpired) as e:
        print(f"FAIL: {e}")
        sys.exit(1)
