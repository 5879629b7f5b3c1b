"""What the distribution tests (distributed*.py) share: free ports, failing, and stopping the
nodes they started, so that a test that fails still leaves no node or epmd behind."""
import socket
import subprocess

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
