#!/usr/bin/env python3
"""`lunatic run --observe` end to end, against the guest observe_target.wasm.
   observe.py LUNATIC OBSERVE_TARGET.wasm [SCREENSHOT.png]
Runs the guest with the observer on a loopback port and checks every endpoint against the
processes the guest reports (their ids, names, states, links, environments, the crash), the
page as headless Chromium renders it (a row per live process; a screenshot saved), hostile
requests (bad ids, unknown paths, wrong methods, a huge path, garbage, a foreign Host header,
a flood of clients), kills a worker and then the root through the API; then runs it again on a
non-loopback address and checks the token rule (401 without it, wrong or missing). Every wait
has a timeout, and lunatic is killed if it outlives the script."""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

TIMEOUT = 10


class Run:
    """lunatic run --observe ADDRESS GUEST, its stderr read on a thread."""

    def __init__(self, lunatic, guest, address, extra=()):
        self.proc = subprocess.Popen(
            [lunatic, "run", "--threads", "2", "--observe", address, *extra, guest],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.stderr = []
        self.url = None
        self.got_url = threading.Event()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        if not self.got_url.wait(TIMEOUT):
            self.fail("no 'observer at' line on stderr")
        self.ready = self.proc.stdout.readline().split()
        if not self.ready or self.ready[0] != "ready":
            self.fail(f"the guest did not get ready: {self.ready!r}")
        self.root, self.workers, self.sleeper, self.crasher = (
            int(self.ready[1]), [int(x) for x in self.ready[2:5]], int(self.ready[5]),
            int(self.ready[6]))
        match = re.match(r"http://([^/]+)/(\?token=(\w+))?", self.url)
        self.host = match.group(1)
        self.port = int(self.host.rsplit(":", 1)[1])
        self.token = match.group(3)

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.stderr.append(line)
            found = re.search(r"lunatic: observer at (\S+)", line)
            if found:
                self.url = found.group(1)
                self.got_url.set()

    def fail(self, why):
        self.proc.kill()
        raise AssertionError(why + "\nstderr:\n" + "".join(self.stderr))

    def request(self, path, method="GET", headers=None, token=True, data=None):
        """(status, headers, body) of one request to 127.0.0.1:PORT."""
        headers = dict(headers or {})
        if token and self.token:
            headers["Authorization"] = "Bearer " + self.token
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method,
                                     headers=headers, data=data)
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT) as res:
                return res.status, res.headers, res.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read().decode()

    def get_json(self, path):
        status, headers, body = self.request(path)
        check(status == 200, f"GET {path}: {status} {body}")
        check(headers["Content-Type"].startswith("application/json"), f"{path}: content type")
        return json.loads(body)

    def end(self):
        try:
            code = self.proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            self.fail("lunatic did not end")
        return code


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def raw(port, data):
    """Sends raw bytes, returns the status line the server answers (or '' if it closed)."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as s:
        s.sendall(data)
        reply = b""
        try:
            while b"\r\n" not in reply:
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
        except (ConnectionResetError, socket.timeout):
            pass
    return reply.split(b"\r\n", 1)[0].decode(errors="replace")


def wait_until(what, predicate):
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


def check_endpoints(run):
    ids = {run.root, *run.workers, run.sleeper}

    # The root printed "ready" just before its last receive: wait until it is parked there,
    # and until the crasher has ended (it leaves the listing before the count: its crash
    # report is written in between).
    def settled():
        listing = run.get_json("/api/processes")
        states = {p["id"]: p["state"] for p in listing["processes"]}
        return (states.get(run.root) == "receiving" and states.get(run.sleeper) == "sleeping"
                and listing["count"] == len(ids))
    wait_until("the processes to settle", settled)
    listing = run.get_json("/api/processes")
    by_id = {p["id"]: p for p in listing["processes"]}
    check(set(by_id) == ids, f"processes {sorted(by_id)} != {sorted(ids)}")
    check(listing["count"] == len(ids), "count")
    for i, w in enumerate(run.workers):
        p = by_id[w]
        check(p["names"] == [f"worker-{i}"], f"worker {w} names {p['names']}")
        check(p["state"] == "receiving", f"worker {w} state {p['state']}")
        check([l["process"] for l in p["links"]] == [run.root], f"worker {w} links")
        check(p["module"].endswith("observe_target.wasm"), f"module {p['module']}")
        check(p["entry"] == "worker", "entry")
        check(p["memory_bytes"] >= 65536 and p["memory_bytes"] % 65536 == 0, "memory")
        check(p["mailbox"] == {"messages": 0, "bytes": 0}, "mailbox")
    root = by_id[run.root]
    check(sorted(l["process"] for l in root["links"]) == sorted(run.workers), "root links")
    check(root["state"] == "receiving" and root["entry"] == "_start", "root state")
    check(not root["die_when_link_dies"], "root traps exits")
    # The crasher's LinkDied never came (not linked), but the workers' READY messages were all
    # taken; nothing waits in the root's mailbox.
    check(root["mailbox"]["messages"] == 0, "root mailbox")
    sleeper = by_id[run.sleeper]
    check(sleeper["state"] == "sleeping", f"sleeper state {sleeper['state']}")
    check(sleeper["environment"] != root["environment"], "sleeper in the sandbox")

    one = run.get_json(f"/api/processes/{run.workers[1]}")
    check(one["id"] == run.workers[1] and one["names"] == ["worker-1"], "one process")

    envs = run.get_json("/api/environments")["environments"]
    check(len(envs) == 2, f"environments: {envs}")
    top = [e for e in envs if e["id"] == root["environment"]][0]
    sandbox = [e for e in envs if e["id"] == sleeper["environment"]][0]
    check(top["parent"] is None and sandbox["parent"] == top["id"], "environment tree")
    check(top["usage"]["processes"] == len(ids), "processes counted up the tree")
    check(sandbox["usage"]["processes"] == 1, "sandbox usage")
    check(sandbox["limits"]["max_processes"] == 5, "sandbox limit")
    check(top["limits"]["max_processes"] is None, "unlimited is null")
    check(top["usage"]["names"] == 3, "three names")

    node = run.get_json("/api/node")
    check(node["processes"] == len(ids), "node processes")
    check(node["spawns_total"] == 6, f"spawns {node['spawns_total']}")  # root + 5
    check(node["messages_sent_total"] >= 4, "messages")
    check(node["crashes_total"] == 1, "one crash")
    check(len(node["workers"]) == 2, "two workers")

    crashes = run.get_json("/api/crashes")["crashes"]
    check(len(crashes) == 1 and crashes[0]["id"] == run.crasher, f"crashes {crashes}")
    crash = crashes[0]
    check(crash["reason"] == "trap: unreachable", crash["reason"])
    names = [f["function_name"] for f in crash["backtrace"]]
    check(names[:2] == ["crash_inner", "crasher"], f"backtrace {names}")
    gone = run.get_json(f"/api/processes/{run.crasher}")
    check(gone["state"] == "crashed" and gone["reason"] == "trap: unreachable", "crashed one")

    status, headers, metrics = run.request("/metrics")
    check(status == 200 and headers["Content-Type"].startswith("text/plain"), "metrics")
    values = {}
    for line in metrics.splitlines():
        if line.startswith("#"):
            check(re.match(r"# (HELP|TYPE) lunatic_\w+ ", line), f"comment line {line!r}")
            continue
        m = re.match(r'^(lunatic_\w+)(\{[^}]*\})? (\S+)$', line)
        check(m, f"metric line {line!r}")
        values[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    check(values["lunatic_processes"] == len(ids), "lunatic_processes")
    check(values["lunatic_spawns_total"] == 6, "lunatic_spawns_total")
    check(values["lunatic_messages_sent_total"] == node["messages_sent_total"] or
          values["lunatic_messages_sent_total"] >= node["messages_sent_total"], "messages")
    check(values["lunatic_process_crashes_total"] == 1, "crashes metric")
    check(values[f'lunatic_process_memory_bytes{{process="{run.workers[0]}",name="worker-0"}}']
          >= 65536, "per-process memory")
    check('lunatic_worker_busy_seconds_total{worker="1"}' in values, "worker busy time")

    status, headers, page = run.request("/")
    check(status == 200 and headers["Content-Type"].startswith("text/html"), "page")
    check("data-process-id" in page or "dataset.processId" in page, "rows carry the id")
    check("/api/processes" in page and "<canvas" in page and "/*OBSERVER_JS*/" not in page,
          "the page has its script and charts inlined")


def check_page_in_browser(run, screenshot):
    """The page as headless Chromium (Debian's) renders it: one row per live process."""
    chromium = shutil.which("chromium")
    check(chromium, "chromium is not installed (scripts/setup.sh installs it)")
    url = f"http://127.0.0.1:{run.port}/"
    with tempfile.TemporaryDirectory() as profile:
        common = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  f"--user-data-dir={profile}", "--virtual-time-budget=4000",
                  "--window-size=1400,1100"]
        dom = subprocess.run(common + ["--dump-dom", url], capture_output=True, text=True,
                             timeout=120).stdout
        rows = {int(x) for x in re.findall(r'<tr data-process-id="(\d+)"', dom)}
        want = {run.root, *run.workers, run.sleeper}
        check(rows == want, f"rendered rows {sorted(rows)} != live processes {sorted(want)}")
        check("worker-1" in dom and "sleeping" in dom and "crash_inner" in dom,
              "names, states and the crash's backtrace on the page")
        if screenshot:
            # An artifact for people, not a check: a slow or stuck browser only warns.
            try:
                subprocess.run(common + [f"--screenshot={screenshot}", url],
                               capture_output=True, timeout=60)
                print(f"screenshot: {screenshot} ({os.path.getsize(screenshot)} bytes)")
            except (subprocess.TimeoutExpired, OSError) as e:
                print(f"warning: no screenshot: {e}")


def check_hostile(run):
    expect = [
        ("/api/processes/abc", "GET", 400), ("/api/processes/-1", "GET", 400),
        ("/api/processes/007", "GET", 400), ("/api/processes/99999999999999999999999", "GET", 400),
        ("/api/processes/123456789", "GET", 404), ("/nope", "GET", 404),
        ("/api/processes/1/kill/more", "POST", 404), ("/api/node", "POST", 405),
        (f"/api/processes/{run.workers[0]}/kill", "GET", 405),
        ("/api/processes/123456789/kill", "POST", 404), ("/api/processes/x/kill", "POST", 400),
        ("/" + "a" * 100_000, "GET", 414),
    ]
    for path, method, want in expect:
        status, headers, body = run.request(path, method=method)
        check(status == want, f"{method} {path[:60]}: {status}, expected {want}")
        check("error" in json.loads(body), f"{path[:60]}: JSON error body")
    # A foreign Host header (DNS rebinding) on a loopback observer, and a cross-site POST.
    status, _, _ = run.request("/api/node", headers={"Host": "evil.example"})
    check(status == 403, f"foreign Host: {status}")
    status, _, _ = run.request(f"/api/processes/{run.workers[0]}/kill", method="POST",
                               headers={"Origin": "http://evil.example"})
    check(status == 403, f"cross-origin kill: {status}")
    check(raw(run.port, b"\x16\x03\x01garbage\r\n\r\n").startswith("HTTP/1.1 400"), "garbage")
    check(raw(run.port, b"GET / HTTP/1.1\r\nX: " + b"y" * 100_000 + b"\r\n\r\n") in
          ("", "HTTP/1.1 400 Bad Request", "HTTP/1.1 431 Request Header Fields Too Large"),
          "a huge header")
    # A flood of concurrent clients: each gets 200 or 503, never a hang or a reset server.
    results = []

    def client():
        try:
            results.append(run.request("/api/node")[0])
        except Exception as e:  # noqa: BLE001 - a refused or reset connection is a failure
            results.append(repr(e))

    threads = [threading.Thread(target=client) for _ in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT * 2)
    check(len(results) == 100 and all(r in (200, 503) for r in results), f"flood: {results}")
    check(results.count(200) > 0, "some of the flood answered")
    check(run.get_json("/api/node")["processes"] == 5, "the runtime is unaffected")


def check_kill(run):
    victim = run.workers[2]
    status, _, body = run.request(f"/api/processes/{victim}/kill", method="POST")
    check(status == 200 and json.loads(body) == {"killed": victim}, f"kill: {status} {body}")
    wait_until("the worker to go", lambda: victim not in
               {p["id"] for p in run.get_json("/api/processes")["processes"]})
    root = run.get_json(f"/api/processes/{run.root}")
    check(root["state"] == "receiving", "the root lives on (it traps exits)")
    check(victim not in [l["process"] for l in root["links"]], "the link went with it")
    killed = run.get_json(f"/api/processes/{victim}")
    check(killed["state"] == "killed" and killed["reason"] == "killed: by the observer",
          f"killed record: {killed}")
    check(run.get_json("/api/node")["kills_total"] >= 1, "kills counted")
    # Killing the root ends the run (as a killed root: exit 134), after answering.
    status, _, body = run.request(f"/api/processes/{run.root}/kill", method="POST")
    check(status == 200 and json.loads(body) == {"killed": run.root}, "kill the root")
    code = run.end()
    check(code == 134, f"exit code {code}")


def check_crash_report(run):
    # The crasher's report on stderr (LUNATIC_LOG's default, warn), with a UTC timestamp.
    text = "".join(run.stderr)
    line = re.search(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z lunatic: warning: process "
                     + str(run.crasher) + r" failed: trap: unreachable \(in crash_inner\)$",
                     text, re.M)
    check(line, "the crash report's first line:\n" + text)
    report = text[line.end():]
    check(re.search(r"^  module: \S*observe_target.wasm, entry crasher, environment \d+$",
                    report, re.M), "module line")
    check(re.search(r"^  links: none$", report, re.M), "links line")
    check(re.search(r"^     0: 0x[0-9a-f]{6} - func\[\d+\] crash_inner\n"
                    r"     1: 0x[0-9a-f]{6} - func\[\d+\] crasher$", report, re.M),
          "the backtrace with names:\n" + report)


def check_token(lunatic, guest):
    # Not loopback: a token is generated and printed, and every request needs it.
    run = Run(lunatic, guest, "0.0.0.0:0")
    try:
        check(run.token and len(run.token) == 32, f"generated token in {run.url}")
        for path in ("/", "/api/node", "/metrics", "/api/processes/1"):
            status, headers, _ = run.request(path, token=False)
            check(status == 401 and headers["WWW-Authenticate"] == "Bearer", f"{path}: {status}")
        status, _, _ = run.request("/api/node", token=False,
                                   headers={"Authorization": "Bearer " + "0" * 32})
        check(status == 401, "a wrong token")
        status, _, _ = run.request(f"/api/processes/{run.workers[0]}/kill", method="POST",
                                   token=False)
        check(status == 401, "kill without a token")
        check(run.request("/api/node")[0] == 200, "the Bearer token")
        check(run.request(f"/api/node?token={run.token}", token=False)[0] == 200, "?token=")
        check(run.get_json("/api/node")["processes"] == 5, "nothing was killed")
    finally:
        run.proc.kill()
        run.proc.wait(TIMEOUT)
    # A token given on the command line is the one required, on loopback too.
    run = Run(lunatic, guest, "127.0.0.1:0", ["--observe-token", "s3cret"])
    try:
        check(run.token == "s3cret", "the given token")
        check(run.request("/api/node", token=False)[0] == 401, "loopback with a token set")
        check(run.request("/api/node")[0] == 200, "with it")
    finally:
        run.proc.kill()
        run.proc.wait(TIMEOUT)


def main():
    lunatic, guest = sys.argv[1], sys.argv[2]
    run = Run(lunatic, guest, "127.0.0.1:0")
    try:
        check(run.token is None, "no token on loopback")
        check_endpoints(run)
        check_page_in_browser(run, sys.argv[3] if len(sys.argv) > 3 else None)
        check_hostile(run)
        check_kill(run)
        check_crash_report(run)
    finally:
        if run.proc.poll() is None:
            run.proc.kill()
    check_token(lunatic, guest)
    # A bad address or a port in use is a usage error.
    bad = subprocess.run([lunatic, "run", "--observe", "127.0.0.1:99999", guest],
                         capture_output=True, text=True, timeout=TIMEOUT)
    check(bad.returncode == 2 and "port" in bad.stderr, f"bad port: {bad.stderr}")
    print("ok observe")


if __name__ == "__main__":
    main()
