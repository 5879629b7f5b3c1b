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


def status_mib(pid, field):
    """A size field of /proc/PID/status (VmRSS, VmHWM) in MiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    fail(f"no {field} for {pid}")


def start_links_node(lunatic, guest, env, name, cookie, out_path, err_path, *flags):
    """Starts `lunatic run --name NAME` of the dist_links guest (LUNATIC_LOG=info, stdout and
    stderr to the files) and returns it once it says it is ready."""
    with open(out_path, "w") as out, open(err_path, "w") as err:
        node = subprocess.Popen([lunatic, "run", "--name", name, "--cookie", cookie, *flags, guest],
                                env=dict(env, LUNATIC_LOG="info"), stdout=out, stderr=err)
    try:
        wait_for_lines(out_path, [f"links is ready on {name}"])
    except SystemExit:
        stop(node)  # the caller never gets it to stop
        raise
    return node
