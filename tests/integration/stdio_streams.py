#!/usr/bin/env python3
"""Drives tests/guests/stdio_streams.wasm with pipes for stdin and stdout (docs/design.md,
"Stdio"): a process waiting on stdio parks, so kills, sleeps and the end of the run are not
held up by a pipe nobody writes or reads; output arrives whole and in order. Every wait has a
timeout: a run that hangs (a worker blocked in read or write) fails instead.
   stdio_streams.py LUNATIC STDIO_STREAMS_WASM CASE"""
import os
import re
import subprocess
import queue
import select
import sys
import threading
import time

TIMEOUT = 20


def fail(message):
    raise SystemExit(f"FAIL: {message}")


class Run:
    """`lunatic run [OPTIONS] GUEST MODE`; a thread reads its stderr line by line (so that the
    driver can wait for a line with a timeout), another its stdout when it is a pipe."""

    def __init__(self, lunatic, guest, mode, stdin=None, stdout=None, options=()):
        self.started = time.monotonic()
        self.proc = subprocess.Popen([lunatic, "run", *options, guest, mode], stdin=stdin,
                                     stdout=stdout if stdout is not None else subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.lines = queue.Queue()
        self.err = []
        self.out = b""
        self.readers = [threading.Thread(target=self._read_stderr, daemon=True)]
        if self.proc.stdout is not None:
            self.readers.append(threading.Thread(target=self._read_stdout, daemon=True))
        for reader in self.readers:
            reader.start()

    def _read_stderr(self):
        for raw in self.proc.stderr:
            line = raw.decode(errors="replace")
            sys.stdout.write(line)
            self.err.append(line)
            self.lines.put(line)

    def _read_stdout(self):
        self.out = self.proc.stdout.read()

    def expect_stderr_line(self, want):
        try:
            line = self.lines.get(timeout=TIMEOUT)
        except queue.Empty:
            self.proc.kill()
            fail(f"no line {want!r} on stderr within {TIMEOUT} s")
        if not line.startswith(want):
            fail(f"expected a line starting {want!r} on stderr, got {line!r}")

    def finish(self):
        """Waits for the run; returns (exit code, stdout or b"", stderr, seconds it took)."""
        try:
            self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            fail(f"the run did not end within {TIMEOUT} s")
        elapsed = time.monotonic() - self.started
        for reader in self.readers:
            reader.join(TIMEOUT)
        return self.proc.returncode, self.out, "".join(self.err), elapsed


def drain(fd):
    """Everything the pipe `fd` gives until end of file (all writers closed), then closes it."""
    deadline = time.monotonic() + TIMEOUT
    data = bytearray()
    while True:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            fail(f"stdout did not end within {TIMEOUT} s ({len(data)} bytes read)")
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            os.close(fd)
            return bytes(data)
        data += chunk


def pattern(size):
    """The guest's big block: byte i is 'a' + (7 i + i / 4096) mod 26."""
    return bytes(ord("a") + (i * 7 + i // 4096) % 26 for i in range(size))


def case_read_killed(lunatic, guest):
    read_end, write_end = os.pipe()  # we keep the writer and never write
    run = Run(lunatic, guest, "read_killed", stdin=read_end)
    os.close(read_end)
    code, out, _, elapsed = run.finish()
    os.close(write_end)
    if code != 0 or b"ok read_killed" not in out:
        fail(f"exit {code}, stdout {out!r}")
    if elapsed > 10:
        fail(f"the run took {elapsed:.1f} s")


def case_read_left(lunatic, guest):
    read_end, write_end = os.pipe()  # we keep the writer and never write
    run = Run(lunatic, guest, "read_left", stdin=read_end)
    os.close(read_end)
    code, _, err, elapsed = run.finish()
    os.close(write_end)
    if code != 0 or "root done" not in err:
        fail(f"exit {code}")
    # Generous: this is whether the run ends at all while a reader waits, not a speed target.
    if elapsed > 10:
        fail(f"the run took {elapsed:.1f} s to end after its root")


def case_flood(lunatic, guest):
    read_end, write_end = os.pipe()  # read_end is kept open and never read
    run = Run(lunatic, guest, "flood", stdout=write_end, options=["--threads", "2"])
    os.close(write_end)
    code, _, err, _ = run.finish()
    os.close(read_end)
    slept = [line for line in err.splitlines() if line.startswith("slept ")]
    if code != 0 or not slept:
        fail(f"exit {code}, no 'slept N ms' line")
    ms = int(slept[0].split()[1])
    # Generous (CI is noisy): a worker blocked in write(2) would hold the sleeper for ever.
    if ms >= 1000:
        fail(f"a 100 ms sleep took {ms} ms while two processes wrote to a stalled pipe")


def crash_flood(lunatic, guest, count):
    """Runs crash_flood with `count` crashers, stderr read only once stdout has the result;
    checks that the sleeper was not held and returns stderr's text."""
    err_read, err_write = os.pipe()
    proc = subprocess.Popen([lunatic, "run", "--threads", "2", guest, "crash_flood", str(count)],
                            stdout=subprocess.PIPE, stderr=err_write)
    os.close(err_write)
    ready, _, _ = select.select([proc.stdout], [], [], TIMEOUT)
    if not ready:
        proc.kill()
        fail(f"no result on stdout within {TIMEOUT} s while stderr was not read")
    line = proc.stdout.readline().decode()
    err = drain(err_read).decode(errors="replace")
    try:
        code = proc.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        fail(f"the run did not end within {TIMEOUT} s once stderr was read")
    if code != 0 or not line.startswith("slept "):
        fail(f"exit {code}, stdout {line!r}")
    ms = int(line.split()[1])
    # Generous (CI is noisy): a worker blocked writing a crash report would hold the sleeper
    # until the driver reads stderr.
    if ms >= 1000:
        fail(f"a 100 ms sleep took {ms} ms while crash reports filled a stalled stderr")
    return err


def case_crash_flood(lunatic, guest):
    # Every report arrives once stderr is read: the log's queue (1,024 lines) holds them all.
    err = crash_flood(lunatic, guest, 800)
    reports = err.count(" failed: trap")
    if reports != 800 or "dropped" in err:
        fail(f"{reports} crash reports on stderr, 800 expected (and no drops)")


def case_crash_flood_drops(lunatic, guest):
    # 3,000 reports do not fit the queue and the pipe: the oldest waiting are dropped, and the
    # run's end says how many, so what arrived and what was dropped add up to every crash.
    count = 3000
    err = crash_flood(lunatic, guest, count)
    reports = err.count(" failed: trap")
    found = re.search(r"warning: (\d+) log lines were dropped", err)
    if not found:
        fail(f"{reports} of {count} reports arrived and no drops were reported")
    if reports + int(found.group(1)) != count:
        fail(f"{reports} reports arrived and {found.group(1)} were dropped: {count} expected")


def case_big(lunatic, guest):
    read_end, write_end = os.pipe()
    run = Run(lunatic, guest, "big", stdout=write_end)
    os.close(write_end)
    time.sleep(0.3)  # the pipe fills: the 1 MiB write goes in parts, parked in between
    out = drain(read_end)
    code, _, err, _ = run.finish()
    want = pattern(1 << 20) + b"".join(b"line %d\n" % i for i in range(2000))
    if code != 0 or "big write returned 1048576" not in err or "done" not in err:
        fail(f"exit {code}")
    if out != want:
        same = next((i for i, (a, b) in enumerate(zip(out, want)) if a != b), min(len(out), len(want)))
        fail(f"stdout differs: {len(out)} bytes, {len(want)} expected, first difference at {same}")


def case_nonblock_write(lunatic, guest):
    read_end, write_end = os.pipe()  # read only once the guest saw the pipe full
    run = Run(lunatic, guest, "nonblock_write", stdout=write_end)
    os.close(write_end)
    run.expect_stderr_line("nonblock: first write partial, then EAGAIN")  # the pipe is full
    out = drain(read_end)
    code, _, err, _ = run.finish()
    if code != 0 or "ok nonblock_write" not in err:
        fail(f"exit {code}")
    if out != pattern(1 << 20):
        fail(f"stdout differs: {len(out)} bytes, 1048576 expected")


def case_stdin_waits(lunatic, guest):
    read_end, write_end = os.pipe()
    run = Run(lunatic, guest, "stdin_waits", stdin=read_end)
    os.close(read_end)
    run.expect_stderr_line("waiting")
    time.sleep(0.1)
    os.write(write_end, b"hello")
    run.expect_stderr_line("got hello")
    time.sleep(0.2)  # the guest's poll waits meanwhile
    os.write(write_end, b"world")
    time.sleep(0.1)
    os.close(write_end)  # end of file
    code, out, err, _ = run.finish()
    if code != 0 or "ok stdin_waits" not in err:
        fail(f"exit {code}, stdout {out!r}")


CASES = {
    "read_killed": case_read_killed,
    "read_left": case_read_left,
    "flood": case_flood,
    "crash_flood": case_crash_flood,
    "crash_flood_drops": case_crash_flood_drops,
    "big": case_big,
    "nonblock_write": case_nonblock_write,
    "stdin_waits": case_stdin_waits,
}


def main():
    lunatic, guest, case = sys.argv[1:4]
    CASES[case](lunatic, guest)
    print(f"ok {case}")


if __name__ == "__main__":
    main()
