#!/usr/bin/env python3
"""load.py - `tlsm server` under load, on 127.0.0.1 only, each case bounded to seconds
(run by tests/cli/run.py):
  idle-200          200 idle TCP connections, 20 that sent half a ClientHello and 10 that
                    sent a whole one and never answered the server's flight are all held
                    open, and a new client still completes its handshake and echo (a fixed
                    table of 64 slots locked it out)
  handshake-timeout with --handshake-timeout 0.5, stalled connections are closed after
                    about half a second, while a client whose handshake is done stays
  idle-timeout      with --idle-timeout 0.5, an idle client gets close_notify, then EOF
  max-conns         with --max-conns 5, a sixth client is accepted and closed at once
                    (with a log line); once one of the five leaves, a new client is served
  fd-limit          with 64 file descriptors and 100 clients, the server waits (not spins)
                    while accept() fails with EMFILE, and serves a client once they leave
  stop-on-sigterm   SIGTERM with 55 connections open: all freed, exit status 143
Only the standard library: the ClientHellos come from the ssl module over memory BIOs.
"""
import os
import resource
import select
import socket
import ssl
import time

from peers import SECONDS, fail, ok, pki, tlsm_server


def server(tlsm, *args, preexec=None):
    return tlsm_server(tlsm, "p256", *args, preexec=preexec)


def cpu_seconds(pid):
    """User + system CPU time a process used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def client_context():
    ctx = ssl.create_default_context(cafile=pki("ca.crt"))
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def client_hello():
    """The bytes of a ClientHello for localhost, made by the ssl module in memory."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = client_context().wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def connect(port):
    return socket.create_connection(("127.0.0.1", port), timeout=SECONDS)


def tls_echo(port, message=b"ping\n"):
    """A new client: (handshake seconds, echo seconds); raises on any failure."""
    raw = connect(port)
    t0 = time.monotonic()
    tls = client_context().wrap_socket(raw, server_hostname="localhost")
    t1 = time.monotonic()
    tls.sendall(message)
    got = b""
    while len(got) < len(message):
        chunk = tls.recv(len(message) - len(got))
        if not chunk:
            break
        got += chunk
    t2 = time.monotonic()
    tls.close()
    if got != message:
        raise RuntimeError(f"echo returned {got!r}")
    return t1 - t0, t2 - t1


def is_open(sock):
    """True while the peer has not closed: no EOF and no reset waiting to be read."""
    sock.setblocking(False)
    try:
        while sock.recv(65536):
            pass  # the server's flight, for the stalled whole-ClientHello connections
        return False
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        sock.setblocking(True)


def wait_closed(socks, seconds):
    """When the peer closed each socket (EOF or reset; monotonic time), None if it did not
    within `seconds`."""
    closed = [None] * len(socks)
    end = time.monotonic() + seconds
    while None in closed and time.monotonic() < end:
        waiting = [s for s, c in zip(socks, closed) if c is None]
        readable, _, _ = select.select(waiting, [], [], max(0.0, end - time.monotonic()))
        now = time.monotonic()
        for s in readable:
            try:
                if s.recv(65536):
                    continue  # the server's flight, for a whole ClientHello
            except OSError:
                pass
            closed[socks.index(s)] = now
    return closed


def stalled(port, hello, whole):
    """A connection that sent half of a ClientHello (or all of it) and then nothing."""
    s = connect(port)
    s.sendall(hello if whole else hello[: len(hello) // 2])
    return s


def case_idle_200(tlsm):
    name = "idle-200"
    hello = client_hello()
    with server(tlsm, "--handshake-timeout", "30", "--idle-timeout", "30") as srv:
        alone, _ = tls_echo(srv.port)
        socks = [connect(srv.port) for _ in range(200)]
        socks += [stalled(srv.port, hello, whole=False) for _ in range(20)]
        socks += [stalled(srv.port, hello, whole=True) for _ in range(10)]
        held = srv.wait_count(": connected", count=231)  # and the first client
        t0 = time.monotonic()
        try:
            hs, echo = tls_echo(srv.port)
        except Exception as e:  # noqa: BLE001 - any failure is the finding
            fail(name, f"a new client failed with {len(socks)} connections open: {e!r}")
            return
        total = time.monotonic() - t0
        still = sum(is_open(s) for s in socks)
        for s in socks:
            s.close()
        if held < 231 or still != len(socks):
            fail(name, f"server accepted {held - 1} of {len(socks)}, {still} still open")
            return
        ok(name, f"{len(socks)} connections held; new client: handshake {hs * 1000:.1f} ms, "
                 f"echo {echo * 1000:.1f} ms, connect to echo {total * 1000:.1f} ms; "
                 f"handshake with no load {alone * 1000:.1f} ms")


def case_handshake_timeout(tlsm):
    name = "handshake-timeout"
    hello = client_hello()
    with server(tlsm, "--handshake-timeout", "0.5", "--idle-timeout", "30") as srv:
        done = client_context().wrap_socket(connect(srv.port), server_hostname="localhost")
        opened = time.monotonic()
        socks = [connect(srv.port) for _ in range(5)]
        socks += [stalled(srv.port, hello, whole=False) for _ in range(5)]
        socks += [stalled(srv.port, hello, whole=True) for _ in range(5)]
        closed = wait_closed(socks, 3.0)
        waits = [None if c is None else c - opened for c in closed]
        timed_out = srv.wait_count("handshake timed out", count=len(socks))
        for s in socks:
            s.close()
        try:
            done.sendall(b"still here\n")
            echoed = done.recv(100)
        except OSError as e:
            echoed = repr(e).encode()
        done.close()
        if None in waits:
            fail(name, f"{waits.count(None)} of {len(socks)} stalled connections still open")
        elif not 0.4 <= min(waits) <= max(waits) <= 2.5:
            fail(name, f"closed after {min(waits):.2f} to {max(waits):.2f} s, expected 0.5 s")
        elif timed_out != len(socks):
            fail(name, f"{timed_out} 'handshake timed out' log lines, expected {len(socks)}")
        elif echoed != b"still here\n":
            fail(name, f"the client whose handshake was done got {echoed!r}")
        else:
            ok(name, f"{len(socks)} stalled connections closed after {min(waits):.2f} to "
                     f"{max(waits):.2f} s; the finished client still echoed")


def case_idle_timeout(tlsm):
    name = "idle-timeout"
    with server(tlsm, "--idle-timeout", "0.5") as srv:
        tls = client_context().wrap_socket(connect(srv.port), server_hostname="localhost")
        tls.sendall(b"one\n")
        first = tls.recv(100)
        t0 = time.monotonic()
        tls.settimeout(3.0)
        try:
            last = tls.recv(100)  # b"" on close_notify
        except (OSError, ssl.SSLError) as e:
            last = repr(e).encode()
        waited = time.monotonic() - t0
        tls.close()
        logged = srv.wait_count("idle timeout", count=1)
        if first != b"one\n":
            fail(name, f"echo returned {first!r}")
        elif last != b"":
            fail(name, f"expected close_notify after the idle time, got {last!r}")
        elif not 0.4 <= waited <= 2.5:
            fail(name, f"closed after {waited:.2f} s, expected about 0.5 s")
        elif not logged:
            fail(name, "no 'idle timeout' log line")
        else:
            ok(name, f"close_notify after {waited:.2f} s idle")


def case_max_conns(tlsm):
    name = "max-conns"
    with server(tlsm, "--max-conns", "5") as srv:
        socks = [connect(srv.port) for _ in range(5)]
        srv.wait_count(": connected", count=5)
        t0 = time.monotonic()
        extra = connect(srv.port)
        closed = wait_closed([extra], 2.0)[0]
        refused_after = None if closed is None else closed - t0
        extra.close()
        refused_log = srv.wait_count("refused: 5 connections open", count=1)
        socks.pop().close()
        srv.wait_count("without close_notify", count=1)
        try:
            tls_echo(srv.port)
            served = None
        except Exception as e:  # noqa: BLE001
            served = repr(e)
        for s in socks:
            s.close()
        if refused_after is None:
            fail(name, "the sixth connection was left open")
        elif not refused_log:
            fail(name, "no 'refused' log line")
        elif served is not None:
            fail(name, f"after one of the five left, a new client failed: {served}")
        else:
            ok(name, f"sixth client closed after {refused_after * 1000:.1f} ms; "
                     "served again once one left")


def case_stop_on_sigterm(tlsm):
    """SIGTERM ends the loop: every connection is freed (a sanitizer build checks for
    leaks at exit) and the status is 128 + 15, as if the signal had ended the process."""
    name = "stop-on-sigterm"
    with server(tlsm) as srv:
        socks = [connect(srv.port) for _ in range(50)]
        done = [client_context().wrap_socket(connect(srv.port), server_hostname="localhost")
                for _ in range(5)]
        srv.wait_count("handshake done", count=5)
        status = srv.stop()
        for s in socks + done:
            s.close()
        if status != 128 + 15:
            fail(name, f"exit status {status}, expected 143: {srv.stderr()[-300:]!r}")
        elif "stopping on signal 15 (55 connections open)" not in srv.stderr():
            fail(name, f"no 'stopping' log line: {srv.stderr()[-200:]!r}")
        else:
            ok(name)


def case_fd_limit(tlsm):
    """With only 64 file descriptors, clients past them wait in the backlog: the server
    pauses accepting instead of spinning on EMFILE, and serves them once others leave."""
    name = "fd-limit"

    def limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))

    with server(tlsm, preexec=limit) as srv:
        socks = [connect(srv.port) for _ in range(100)]
        srv.wait_count("Too many open files", count=1)
        cpu0, t0 = cpu_seconds(srv.proc.pid), time.monotonic()
        time.sleep(1.0)
        busy = (cpu_seconds(srv.proc.pid) - cpu0) / (time.monotonic() - t0)
        warned = "the limit on open files (64) is below" in srv.stderr()
        for s in socks:
            s.close()
        try:
            tls_echo(srv.port)
            served = None
        except Exception as e:  # noqa: BLE001
            served = repr(e)
        if not warned:
            fail(name, "no warning that the file limit is below --max-conns")
        elif srv.wait_count("Too many open files", count=1, seconds=0) == 0:
            fail(name, "accept never hit the file limit")
        elif busy > 0.3:
            fail(name, f"the server used {busy:.0%} of a CPU while out of descriptors")
        elif served is not None:
            fail(name, f"no client served once the others left: {served}")
        else:
            ok(name, f"{busy:.1%} of a CPU while out of descriptors; served afterwards")


CASES = (case_idle_200, case_handshake_timeout, case_idle_timeout, case_max_conns,
         case_fd_limit, case_stop_on_sigterm)


def available():
    """Why these cases cannot run here, or None."""
    return None
