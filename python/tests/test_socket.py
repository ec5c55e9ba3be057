"""The blocking wrapper (tlsm.connect / tlsm.wrap_socket) against Python's ssl module on
127.0.0.1."""

from __future__ import annotations

import socket
import ssl

import pytest

import tlsm
from conftest import VERSIONS, client_config, der, server_config, ssl_client_context, ssl_server_context

ids = lambda v: v.name  # noqa: E731
NAMES = {0x0303: "TLSv1.2", 0x0304: "TLSv1.3"}


def ssl_echo(ctx):
    def handler(raw):
        with ctx.wrap_socket(raw, server_side=True) as s:
            while True:
                data = s.recv(65536)
                if not data:
                    break
                s.sendall(data)
            return s.version()

    return handler


@pytest.mark.parametrize("version", VERSIONS, ids=ids)
def test_connect_three_lines(thread_server, version):
    srv = thread_server(ssl_echo(ssl_server_context(version)))
    ccfg = client_config(version, rng_seed=None, fixed_time=None)
    with tlsm.connect(("127.0.0.1", srv.port), ccfg, server_hostname="localhost", timeout=10) as s:
        s.sendall(b"hello")
        assert s.recv(100) == b"hello"
        assert s.version() == NAMES[int(version)]
        assert s.cipher()[0] in tlsm.CIPHER_SUITES
        assert s.getpeercert() == der("server-p256.crt")
        big = bytes(range(256)) * 2000
        s.sendall(big)
        got = bytearray()
        while len(got) < len(big):
            got += s.recv(65536)
        assert bytes(got) == big
    assert srv.join() == NAMES[int(version)]


def test_connect_default_hostname_is_checked(thread_server):
    srv = thread_server(ssl_echo(ssl_server_context()))
    ccfg = client_config(rng_seed=None, fixed_time=None)
    # 127.0.0.1 is an IP SAN of the test certificate: the default name is the address.
    with tlsm.connect(("127.0.0.1", srv.port), ccfg, timeout=10) as s:
        s.sendall(b"x")
        assert s.recv(10) == b"x"
    srv.join()


def test_connect_verification_failure(thread_server):
    def handler(raw):
        with pytest.raises(ssl.SSLError):
            ssl_server_context().wrap_socket(raw, server_side=True)

    srv = thread_server(handler)
    ccfg = client_config(rng_seed=None, fixed_time=None)
    with pytest.raises(tlsm.CertificateVerificationError) as info:
        tlsm.connect(("127.0.0.1", srv.port), ccfg, server_hostname="elsewhere.example", timeout=10)
    assert info.value.verify_code == tlsm.capi.ERR_CERT_NAME_MISMATCH
    srv.join()


@pytest.mark.parametrize("version", VERSIONS, ids=ids)
def test_wrap_socket_server_with_ssl_client(thread_server, version):
    scfg = server_config(version=version, rng_seed=None, fixed_time=None)

    def handler(raw):
        with tlsm.wrap_socket(raw, scfg) as s:
            line = b""
            while not line.endswith(b"\n"):
                chunk = s.recv(100)
                assert chunk
                line += chunk
            s.sendall(line.upper())
            assert s.recv(100) == b""  # the client's close_notify
            return s.version(), s.server_hostname

    srv = thread_server(handler)
    ctx = ssl_client_context(version)
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as raw:
        s = ctx.wrap_socket(raw, server_hostname="localhost")
        s.sendall(b"shout\n")
        assert s.recv(100) == b"SHOUT\n"
        s.unwrap()
    assert srv.join() == (NAMES[int(version)], "localhost")


def test_session_resumption_over_sockets(thread_server):
    scfg = server_config(version=tlsm.TLSVersion.TLSv1_3, rng_seed=None, fixed_time=None)
    ccfg = client_config(tlsm.TLSVersion.TLSv1_3, rng_seed=None, fixed_time=None)

    def serve_once():
        def handler(raw):
            with tlsm.wrap_socket(raw, scfg) as s:
                s.sendall(b"hi")
                s.recv(10)
                return s.session_reused

        return thread_server(handler)

    srv = serve_once()
    with tlsm.connect(("127.0.0.1", srv.port), ccfg, server_hostname="localhost", timeout=10) as s:
        assert s.recv(10) == b"hi"  # the ticket came before or with the data
        session = s.session
    assert session and srv.join() is False
    srv = serve_once()
    with tlsm.connect(("127.0.0.1", srv.port), ccfg, server_hostname="localhost", timeout=10, session=session) as s:
        assert s.session_reused
        assert s.recv(10) == b"hi"
    assert srv.join() is True


def test_ragged_eof(thread_server):
    def handler(raw):
        s = ssl_server_context().wrap_socket(raw, server_side=True)
        s.sendall(b"bye")
        s.shutdown(socket.SHUT_RDWR)  # TCP close without close_notify
        s.close()

    srv = thread_server(handler)
    ccfg = client_config(rng_seed=None, fixed_time=None)
    s = tlsm.connect(("127.0.0.1", srv.port), ccfg, server_hostname="localhost", timeout=10)
    assert s.recv(10) == b"bye"
    assert s.recv(10) == b""  # suppress_ragged_eofs, as ssl does by default
    assert isinstance(s.connection.error, tlsm.TruncatedError)
    s.close()
    srv.join()
