"""peers.py - processes for the CLI tests (tests/cli/run.py): `tlsm server`, `openssl
s_server` and clients, all on 127.0.0.1 with a port the system picks, each bounded in time
and stopped at the end, and the ok / FAIL / skip tally.

Output goes to files, never to pipes a test might forget to drain; a server's port is read
from what it prints ("listening on 127.0.0.1:PORT", "ACCEPT 127.0.0.1:PORT").
"""
import os
import re
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PKI = os.path.join(ROOT, "tests", "data", "pki")
SECONDS = 10  # any one process, and any one wait

tally = {"passed": 0, "failed": 0, "skipped": 0}


def ok(name, figures=""):
    print(f"ok {name}" + (f" ({figures})" if figures else ""), flush=True)
    tally["passed"] += 1


def fail(name, why):
    print(f"FAIL {name}: {why}", flush=True)
    tally["failed"] += 1


def skip(name, why):
    print(f"skip {name}: {why}", flush=True)
    tally["skipped"] += 1


def pki(name):
    return os.path.join(PKI, name)


class Proc:
    """A process with stdin a pipe and stdout, stderr in temporary files."""

    def __init__(self, args, env=None, preexec=None):
        self.out = tempfile.NamedTemporaryFile(prefix="tlsm-cli-", suffix=".out")
        self.err = tempfile.NamedTemporaryFile(prefix="tlsm-cli-", suffix=".err")
        full_env = dict(os.environ, **env) if env else None
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=self.out,
                                     stderr=self.err, env=full_env, preexec_fn=preexec)
        self.started = time.monotonic()

    def stdout(self):
        return read_text(self.out.name)

    def stderr(self):
        return read_text(self.err.name)

    def wait_for(self, pattern, seconds=SECONDS):
        """The first match of regex `pattern` in stdout, None if the process ended or the
        time ran out first."""
        end = time.monotonic() + seconds
        while True:
            m = re.search(pattern, self.stdout(), re.M)
            if m or self.proc.poll() is not None or time.monotonic() > end:
                return m or re.search(pattern, self.stdout(), re.M)
            time.sleep(0.02)

    def wait_count(self, needle, count=1, seconds=3.0):
        """Waits until `count` lines of stderr (the log) contain `needle`; returns how many
        there are."""
        end = time.monotonic() + seconds
        while True:
            n = sum(needle in line for line in self.stderr().splitlines())
            if n >= count or time.monotonic() > end:
                return n
            time.sleep(0.02)

    def send(self, data):
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass  # it ended already (a failed handshake): its exit status tells

    def close_stdin(self):
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass

    def wait(self, seconds=SECONDS):
        """The exit status; the process is killed (status None) if it outlives `seconds`."""
        try:
            return self.proc.wait(timeout=max(0.0, seconds))
        except subprocess.TimeoutExpired:
            self.stop()
            return None

    def stop(self):
        """Ends the process (SIGTERM, then SIGKILL after 3 s); returns its exit status."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.close_stdin()
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        self.out.close()
        self.err.close()


def read_text(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def tlsm_server(tlsm, key, *args, preexec=None):
    """`tlsm server` with the test PKI's KEY identity; .port is its port. `preexec` runs in
    the child before it starts (e.g. to lower a resource limit)."""
    p = Proc([tlsm, "server", "--cert", pki(f"server-{key}.chain.pem"),
              "--key", pki(f"server-{key}.key"), "--port", "0", *args], preexec=preexec)
    m = p.wait_for(r"^listening on 127\.0\.0\.1:(\d+)$")
    if not m:
        p.stop()
        raise RuntimeError(f"tlsm server did not start: {p.stderr()[-300:]!r}")
    p.port = int(m.group(1))
    return p


def openssl_server(key, *args, env=None):
    """`openssl s_server -rev` (one connection) with the test PKI's KEY identity."""
    p = Proc(["openssl", "s_server", "-accept", "127.0.0.1:0", "-naccept", "1", "-rev",
              "-cert", pki(f"server-{key}.crt"), "-key", pki(f"server-{key}.key"),
              "-cert_chain", pki("intermediate.crt"), *args], env=env)
    m = p.wait_for(r"^ACCEPT 127\.0\.0\.1:(\d+)")
    if not m:
        p.stop()
        raise RuntimeError(f"openssl s_server did not start: {p.stderr()[-300:]!r}")
    p.port = int(m.group(1))
    return p


def talk(args, message, reply=None, env=None):
    """Runs a client, sends `message` and waits for `reply` (default: the message) on its
    stdout, then closes its stdin. Returns (exit status, stdout, stderr, replied)."""
    with Proc(args, env=env) as p:
        p.send(message)
        want = (reply if reply is not None else message).decode()
        replied = p.wait_for(re.escape(want)) is not None
        p.close_stdin()
        rc = p.wait()
        return rc, p.stdout(), p.stderr(), replied


def last_line(text):
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"
