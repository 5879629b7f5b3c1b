"""What the distribution tests (distributed*.py) share: free ports, failing, and stopping the
nodes they started, so that a test that fails still leaves no node or epmd behind."""
import socket
import subprocess
import time

TIMEOUT = 20


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fail(message):
    raise SystemExit("FAIL: " + message)


def stop(node):
    """Terminates `node` (a Popen) if it still runs, killing it if it does not end in time;
    returns its stderr when it was a pipe (else None)."""
    if node.poll() is None:
        node.terminate()
    try:
        return node.communicate(timeout=TIMEOUT)[1]
    except subprocess.TimeoutExpired:
        node.kill()
        return node.communicate()[1]


def stop_epmd(env):
    """Stops the epmd of env's ERL_EPMD_PORT (only the test's own)."""
    subprocess.run(["epmd", "-kill"], env=env, capture_output=True, timeout=TIMEOUT)


def wait_for_lines(path, wanted, within=TIMEOUT):
    """The text of the file `path` once it holds every string of `wanted` (polled every 50 ms);
    fails, showing the text, if it does not within `within` seconds."""
    deadline = time.time() + within
    text = ""
    while time.time() < deadline:
        with open(path) as f:
            text = f.read()
        if all(w in text for w in wanted):
            return text
        time.sleep(0.05)
    fail(f"{path} never said {wanted!r}; it says:\n{text}")
