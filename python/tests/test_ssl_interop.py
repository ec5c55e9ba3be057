"""Interop with Python's own ssl module (OpenSSL): tlsm client against an ssl server and
the reverse, TLS 1.2 and 1.3, in memory over ssl.MemoryBIO and over real loopback sockets
driven by the sans-IO Connection directly."""

from __future__ import annotations

import socket
import ssl

import pytest

import tlsm
from conftest import HOST, VERSIONS, client_config, der, pki, server_config, ssl_client_context, ssl_server_context

ids = lambda v: v.name  # noqa: E731


# ---------------------------------------------------------------- ssl.MemoryBIO


def bio_pump_client(obj: ssl.SSLObject, incoming: ssl.MemoryBIO, outgoing: ssl.MemoryBIO, server: tlsm.Connection):
    """Handshake an ssl client SSLObject with a tlsm server connection."""
    for _ in range(20):
        try:
            obj.do_handshake()
            done = True
        except ssl.SSLWantReadError:
            done = False
        data = outgoing.read()
        if data:
            server.receive_data(data)
        reply = server.data_to_send()
        if reply:
            incoming.write(reply)
        if done and not reply and server.handshake_complete:
            return
    raise AssertionError("no progress")


@pytest.mark.parametrize("version", VERSIONS, ids=ids)
def test_ssl_client_tlsm_server_memory_bio(version):
    ctx = ssl_client_context(version)
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname=HOST)
    server = tlsm.Connection(server_config(version=version, rng_seed=None, fixed_time=None))
    bio_pump_client(obj, incoming, outgoing, server)
    assert obj.version() == {0x0303: "TLSv1.2", 0x0304: "TLSv1.3"}[int(version)]
    assert server.version == version
    assert obj.cipher()[0] and server.cipher
    obj.write(b"hello from ssl")
    server.receive_data(outgoing.read())
    assert tlsm.ApplicationData(b"hello from ssl") in server.events()
    server.send_data(b"hello from tlsm")
    incoming.write(server.data_to_send())
    assert obj.read(100) == b"hello from tlsm"
    assert obj.getpeercert(binary_form=True) == der("server-p256.crt")
    # ssl's exporter is not public; compare session facts instead.
    assert server.server_hostname == HOST


@pytest.mark.parametrize("version", VERSIONS, ids=ids)
def test_tlsm_client_ssl_server_memory_bio(version):
    ctx = ssl_server_context(version, key="rsa")
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_side=True)
    client = tlsm.Connection(client_config(version, rng_seed=None, fixed_time=None), HOST)
    for _ in range(20):
        data = client.data_to_send()
        if data:
            incoming.write(data)
        try:
            obj.do_handshake()
        except ssl.SSLWantReadError:
            pass
        reply = outgoing.read()
        if reply:
            client.receive_data(reply)
        if client.handshake_complete and not reply:
            break
    assert client.handshake_complete and client.version == version
    assert client.peer_certificate == der("server-rsa.crt")
    client.send_data(b"ping")
    incoming.write(client.data_to_send())
    assert obj.read(100) == b"ping"
    obj.write(b"pong")
    client.receive_data(outgoing.read())
    assert tlsm.ApplicationData(b"pong") in client.events()
    # Clean close both ways.
    client.close()
    incoming.write(client.data_to_send())
    assert obj.read(100) == b""  # ssl's answer to a close_notify
    assert obj.get_channel_binding() is not None
    try:
        obj.unwrap()
    except ssl.SSLWantReadError:
        pass
    client.receive_data(outgoing.read())
    assert tlsm.ConnectionClosed() in client.events()


def test_ssl_rejects_tlsm_client_without_cert():
    ctx = ssl_server_context(tlsm.TLSVersion.TLSv1_2, client_auth=True)
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_side=True)
    client = tlsm.Connection(client_config(tlsm.TLSVersion.TLSv1_2, rng_seed=None, fixed_time=None), HOST)
    with pytest.raises(tlsm.PeerAlertError) as info:
        for _ in range(10):
            incoming.write(client.data_to_send())
            try:
                obj.do_handshake()
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLError:
                pass
            client.receive_data(outgoing.read())
    assert info.value.alert is not None


# ---------------------------------------------------------------- loopback sockets


def sock_loop(sock: socket.socket, conn: tlsm.Connection, until) -> None:
    """Drives conn over sock until until() is true."""
    while not until():
        out = conn.data_to_send()
        if out:
            sock.sendall(out)
            continue
        data = sock.recv(65536)
        if not data:
            conn.receive_eof()
        conn.receive_data(data)
    out = conn.data_to_send()
    if out:
        sock.sendall(out)


@pytest.mark.parametrize("version", VERSIONS, ids=ids)
@pytest.mark.parametrize("client_cert", [False, True], ids=["anon", "client-cert"])
def test_tlsm_client_against_ssl_server(thread_server, version, client_cert):
    ctx = ssl_server_context(version, client_auth=client_cert)

    def handler(raw):
        with ctx.wrap_socket(raw, server_side=True) as s:
            data = s.recv(1000)
            s.sendall(data.upper())
            peer = s.getpeercert(binary_form=True)
            return s.version(), peer

    srv = thread_server(handler)
    kw = {"certificate_chain": pki("client.chain.pem"), "private_key": pki("client.key")} if client_cert else {}
    conn = tlsm.Connection(client_config(version, rng_seed=None, fixed_time=None, **kw), "localhost")
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
        sock_loop(sock, conn, lambda: conn.handshake_complete)
        conn.send_data(b"hello openssl")
        got = b""
        while got != b"HELLO OPENSSL":
            sock_loop(sock, conn, lambda: True)
            conn.receive_data(sock.recv(65536))
            got += b"".join(e.data for e in conn.events() if isinstance(e, tlsm.ApplicationData))
    version_name, peer = srv.join()
    assert version_name == {0x0303: "TLSv1.2", 0x0304: "TLSv1.3"}[int(version)]
    assert peer == (der("client.crt") if client_cert else None)


@pytest.mark.parametrize("version", VERSIONS, ids=ids)
@pytest.mark.parametrize("key", ["p256", "rsa", "ed25519"])
def test_ssl_client_against_tlsm_server(thread_server, version, key):
    scfg = server_config(key, version, rng_seed=None, fixed_time=None)

    def handler(raw):
        conn = tlsm.Connection(scfg)
        sock_loop(raw, conn, lambda: conn.handshake_complete)
        data = b""
        while not data.endswith(b"\n"):
            conn.receive_data(raw.recv(65536))
            data += b"".join(e.data for e in conn.events() if isinstance(e, tlsm.ApplicationData))
        conn.send_data(data[::-1])
        conn.close()
        raw.sendall(conn.data_to_send())
        return conn.version, conn.server_hostname

    srv = thread_server(handler)
    ctx = ssl_client_context(version)
    if key == "ed25519":
        ctx.set_ciphers("DEFAULT")  # OpenSSL offers ed25519 by default; nothing to change
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            assert s.version() == {0x0303: "TLSv1.2", 0x0304: "TLSv1.3"}[int(version)]
            s.sendall(b"abc\n")
            assert s.recv(100) == b"\ncba"
            assert s.recv(100) == b""  # close_notify
    assert srv.join() == (version, "localhost")


def test_ssl_client_refuses_wrong_name_from_tlsm_server(thread_server):
    def handler(raw):
        conn = tlsm.Connection(server_config(rng_seed=None, fixed_time=None))
        with pytest.raises(tlsm.PeerAlertError) as info:
            sock_loop(raw, conn, lambda: conn.handshake_complete)
        return info.value.alert_name

    srv = thread_server(handler)
    ctx = ssl_client_context()
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as raw:
        with pytest.raises(ssl.SSLCertVerificationError):
            ctx.wrap_socket(raw, server_hostname="not-the-server.example")
    assert srv.join() in ("bad_certificate", "certificate_unknown")
