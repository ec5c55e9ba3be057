"""Shared fixtures: the committed test PKI (tests/data/pki), configs, and an in-memory
pump between two tlsm connections."""

from __future__ import annotations

import socket
import ssl
import threading
from pathlib import Path
from typing import Callable, List, Optional

import pytest

import tlsm

# The testing kit's fixtures (tls_pair, tls_pair_factory, tlsm_test_pki), as users load them.
pytest_plugins = ["tlsm.testing"]

PKI = Path(__file__).resolve().parents[2] / "tests" / "data" / "pki"
#: 2027-06-01T00:00:00Z, inside the validity of the test PKI (as the C harness uses).
NOW = 1811808000.0
HOST = "server.tlsm.test"
VERSIONS = [tlsm.TLSVersion.TLSv1_2, tlsm.TLSVersion.TLSv1_3]
KEYS = ["ed25519", "p256", "p384", "rsa", "rsapss"]


def pki(name: str) -> Path:
    return PKI / name


def der(name: str) -> bytes:
    return ssl.PEM_cert_to_DER_cert(pki(name).read_text())


def server_config(key: str = "p256", version: Optional[tlsm.TLSVersion] = None, **kw) -> tlsm.ServerConfig:
    if version is not None:
        kw.setdefault("minimum_version", version)
        kw.setdefault("maximum_version", version)
    kw.setdefault("rng_seed", 2)
    kw.setdefault("fixed_time", NOW)
    return tlsm.ServerConfig(pki(f"server-{key}.chain.pem"), pki(f"server-{key}.key"), **kw)


def client_config(version: Optional[tlsm.TLSVersion] = None, **kw) -> tlsm.ClientConfig:
    if version is not None:
        kw.setdefault("minimum_version", version)
        kw.setdefault("maximum_version", version)
    kw.setdefault("rng_seed", 1)
    kw.setdefault("fixed_time", NOW)
    if "trust" not in kw and not kw.get("insecure_no_verification"):
        kw["trust"] = pki("ca.crt")
    return tlsm.ClientConfig(**kw)


def pump(a: tlsm.Connection, b: tlsm.Connection, record: Optional[List[bytes]] = None) -> bool:
    """Moves a's output into b. Returns True if anything moved."""
    data = a.data_to_send()
    if record is not None and data:
        record.append(data)
    if data:
        b.receive_data(data)
    return bool(data)


def handshake(client: tlsm.Connection, server: tlsm.Connection, record: Optional[List[bytes]] = None) -> None:
    """Shuttles bytes until neither side has anything to send."""
    for _ in range(50):
        moved = pump(client, server, record)
        moved = pump(server, client, record) or moved
        if not moved:
            return
    raise AssertionError("handshake did not settle")


def connected_pair(version=None, key="p256", ccfg=None, scfg=None, hostname=HOST, session=None):
    scfg = scfg or server_config(key, version)
    ccfg = ccfg or client_config(version)
    client = tlsm.Connection(ccfg, hostname, session=session)
    server = tlsm.Connection(scfg)
    handshake(client, server)
    return client, server


# ---------------------------------------------------------------- real sockets for interop


def ssl_server_context(version=None, key="p256", client_auth=False) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki(f"server-{key}.chain.pem"), pki(f"server-{key}.key"))
    if version is not None:
        ctx.minimum_version = ctx.maximum_version = version
    if client_auth:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(pki("ca.crt"))
    return ctx


def ssl_client_context(version=None, client_cert=False) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(pki("ca.crt")))
    if version is not None:
        ctx.minimum_version = ctx.maximum_version = version
    if client_cert:
        ctx.load_cert_chain(pki("client.chain.pem"), pki("client.key"))
    return ctx


class ThreadServer:
    """A one-connection TCP server on 127.0.0.1 (free port) whose handler runs in a
    thread; .result / .error hold what the handler returned or raised."""

    def __init__(self, handler: Callable[[socket.socket], object]) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.listener.settimeout(10)
        self.port = self.listener.getsockname()[1]
        self.result: object = None
        self.error: Optional[BaseException] = None
        self.thread = threading.Thread(target=self._run, args=(handler,), daemon=True)
        self.thread.start()

    def _run(self, handler) -> None:
        try:
            conn, _ = self.listener.accept()
            conn.settimeout(10)
            with conn:
                self.result = handler(conn)
        except BaseException as exc:  # reported by join()
            self.error = exc
        finally:
            self.listener.close()

    def join(self):
        self.thread.join(20)
        assert not self.thread.is_alive(), "server thread hung"
        if self.error is not None:
            raise self.error
        return self.result


@pytest.fixture
def thread_server():
    servers: List[ThreadServer] = []

    def start(handler):
        s = ThreadServer(handler)
        servers.append(s)
        return s

    yield start
    for s in servers:
        s.thread.join(5)
