"""The public API as a user meets it: every public name documented, wrong argument types
refused at the call with TypeError, invalid version ranges and missing identities named in
the error, the suite table behind cipher(), the same exception from a closed socket for
every call, and asyncio handshake failures reported and bounded in time."""

from __future__ import annotations

import asyncio
import inspect
import logging
import socket
import ssl
import threading
import typing

import pytest

import tlsm
import tlsm.aio
import tlsm.testing
from conftest import HOST, client_config, connected_pair, der, pki, server_config, ssl_server_context


# ---------------------------------------------------------------- docstrings


def public_members(module):
    for name in module.__all__:
        obj = getattr(module, name)
        yield f"{module.__name__}.{name}", obj
        if inspect.isclass(obj) and obj.__module__.startswith("tlsm"):
            for attr, member in vars(obj).items():
                if attr.startswith("_") or not (inspect.isfunction(member) or isinstance(member, property)):
                    continue
                yield f"{module.__name__}.{name}.{attr}", member


def test_every_public_name_has_a_docstring():
    missing = []
    for module in (tlsm, tlsm.aio, tlsm.testing):
        for qualname, obj in public_members(module):
            if obj is tlsm.capi or isinstance(obj, (str, int, float, bytes, dict, tuple)):
                continue  # the raw SWIG module; constants are documented with #: comments
            if typing.get_origin(obj) is not None:
                continue  # a type alias (PEMSource): documented with a #: comment
            doc = obj.fget.__doc__ if isinstance(obj, property) else getattr(obj, "__doc__", None)
            if not doc or not doc.strip():
                missing.append(qualname)
    assert not missing, "no docstring: " + ", ".join(missing)


# ---------------------------------------------------------------- argument types


@pytest.mark.parametrize(
    "call",
    [
        lambda: tlsm.Connection(client_config(), 123),
        lambda: tlsm.Connection(client_config(), b"localhost"),
        lambda: tlsm.Connection("not a config", "localhost"),
        lambda: tlsm.ClientConfig(pki("ca.crt"), alpn_protocols=[1]),
        lambda: tlsm.ClientConfig(pki("ca.crt"), alpn_protocols="h2"),
        lambda: tlsm.ClientConfig(pki("ca.crt"), cipher_suites=[1.5]),
        lambda: tlsm.ClientConfig(pki("ca.crt"), groups="x25519"),
        lambda: tlsm.ClientConfig(pki("ca.crt"), minimum_version="TLSv1_2"),
        lambda: tlsm.ClientConfig(pki("ca.crt"), record_size_limit="512"),
        lambda: tlsm.ClientConfig(trust=42),
        lambda: tlsm.ClientConfig(trust=[pki("ca.crt"), 42]),
        lambda: tlsm.ServerConfig(42, pki("server-p256.key")),
        lambda: tlsm.ServerConfig(pki("server-p256.chain.pem"), pki("server-p256.key"), tickets="2"),
        lambda: tlsm.ServerConfig(pki("server-p256.chain.pem"), pki("server-p256.key"), ticket_key="k" * 32),
        lambda: tlsm.ServerConfig(pki("server-p256.chain.pem"), pki("server-p256.key"), client_auth="required"),
        lambda: tlsm.verify_chain(12, None),
    ],
)
def test_wrong_types_raise_type_error_at_the_call(call):
    with pytest.raises(TypeError):
        call()


def test_trust_takes_a_path_pem_bytes_or_pem_text():
    text = pki("ca.crt").read_text()
    for trust in (pki("ca.crt"), str(pki("ca.crt")), text, text.encode(), [text, pki("intermediate.crt")]):
        client, server = connected_pair(ccfg=client_config(trust=trust))
        assert client.handshake_complete
    with pytest.raises(TypeError, match="file path.*PEM bytes.*PEM string"):
        tlsm.ClientConfig(trust=3.14)


# ---------------------------------------------------------------- versions and identities


def test_version_range_errors_say_what_is_wrong():
    V = tlsm.TLSVersion
    with pytest.raises(tlsm.ConfigError, match="minimum_version TLS 1.3 is above maximum_version TLS 1.2"):
        tlsm.ClientConfig(pki("ca.crt"), minimum_version=V.TLSv1_3, maximum_version=V.TLSv1_2)
    with pytest.raises(tlsm.ConfigError, match="minimum_version: TLS 1.1 is not supported"):
        tlsm.ClientConfig(pki("ca.crt"), minimum_version=V.TLSv1_1)
    with pytest.raises(tlsm.ConfigError, match="maximum_version: TLS 1.0 is not supported"):
        tlsm.ServerConfig(pki("server-p256.chain.pem"), pki("server-p256.key"), maximum_version=V.TLSv1)
    # ssl's MINIMUM_SUPPORTED / MAXIMUM_SUPPORTED mean TLS 1.2 and 1.3.
    cfg = client_config(minimum_version=V.MINIMUM_SUPPORTED, maximum_version=V.MAXIMUM_SUPPORTED)
    client, _ = connected_pair(ccfg=cfg)
    assert client.version == V.TLSv1_3


def test_server_config_without_identity_fails_when_built():
    with pytest.raises(tlsm.ConfigError, match="needs an identity"):
        tlsm.ServerConfig()
    with pytest.raises(ValueError, match="go together"):
        tlsm.ServerConfig(pki("server-p256.chain.pem"))


def test_server_identity_from_der():
    import base64

    key = base64.b64decode("".join(l for l in pki("server-p256.key").read_text().splitlines() if not l.startswith("-----")))
    scfg = tlsm.ServerConfig([der("server-p256.crt"), der("intermediate.crt")], key, rng_seed=3)
    client, server = connected_pair(scfg=scfg)
    assert client.peer_certificate == der("server-p256.crt")


# ---------------------------------------------------------------- sockets


def socket_pair_tls():
    """A TLSSocket client connected to an ssl server on 127.0.0.1 (echo)."""
    ctx = ssl_server_context()
    listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        sock, _ = listener.accept()
        with ctx.wrap_socket(sock, server_side=True) as tls:
            try:
                while data := tls.recv(4096):
                    tls.sendall(data)
            except (ssl.SSLError, OSError):
                pass

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    tls = tlsm.connect(listener.getsockname(), client_config(rng_seed=None, fixed_time=None), server_hostname=HOST)
    listener.close()
    return tls, t


@pytest.mark.parametrize(
    "suite,bits",
    [("TLS_AES_128_GCM_SHA256", 128), ("TLS_AES_256_GCM_SHA384", 256), ("TLS_CHACHA20_POLY1305_SHA256", 256)],
)
def test_cipher_bits_come_from_the_suite_table(suite, bits):
    client, _ = connected_pair(ccfg=client_config(cipher_suites=[suite]))
    assert client.cipher == suite
    assert tlsm.cipher_key_bits(client.cipher_suite) == bits


def test_socket_cipher_reports_128_bits_for_aes_128():
    tls, t = socket_pair_tls()
    with tls:
        name, version, bits = tls.cipher()
        assert version == "TLSv1.3"
        assert bits == tlsm.cipher_key_bits(tlsm.CIPHER_SUITES[name])
        assert (name != "TLS_AES_128_GCM_SHA256") or bits == 128
    t.join(5)


def test_recv_and_sendall_after_close_raise_the_same():
    tls, t = socket_pair_tls()
    tls.sendall(b"x")
    assert tls.recv(10) == b"x"
    tls.close()
    errors = []
    for call in (lambda: tls.recv(10), lambda: tls.sendall(b"y"), lambda: tls.send(b"y"), lambda: tls.recv_into(bytearray(4))):
        with pytest.raises(OSError) as info:
            call()
        errors.append((type(info.value), info.value.errno))
    assert len(set(errors)) == 1, errors
    t.join(5)


# ---------------------------------------------------------------- asyncio


def test_start_server_reports_failed_handshakes(caplog):
    seen = []

    async def main():
        server = await tlsm.aio.start_server(
            lambda r, w: None, "127.0.0.1", 0, config=server_config(),
            handshake_error_callback=lambda exc, peer: seen.append((exc, peer)),
        )
        port = server.sockets[0].getsockname()[1]
        # A client that does not trust the server's CA: the server's handshake fails.
        bad = tlsm.ClientConfig(pki("server-rsa.crt"), fixed_time=1811808000.0)
        with pytest.raises(tlsm.CertificateVerificationError):
            await tlsm.aio.open_connection("127.0.0.1", port, config=bad, server_hostname=HOST)
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.01)
        server.close()
        await server.wait_closed()

    with caplog.at_level(logging.WARNING, logger="tlsm.aio"):
        asyncio.run(main())
    assert seen and isinstance(seen[0][0], tlsm.PeerAlertError)
    assert seen[0][1][0] == "127.0.0.1"
    assert any("TLS handshake with" in r.getMessage() and r.name == "tlsm.aio" for r in caplog.records)


def test_handshakes_time_out_on_both_sides():
    async def main():
        failures = []
        server = await tlsm.aio.start_server(
            lambda r, w: None, "127.0.0.1", 0, config=server_config(),
            ssl_handshake_timeout=0.2, handshake_error_callback=lambda exc, peer: failures.append(exc),
        )
        port = server.sockets[0].getsockname()[1]
        # A TCP client that never speaks TLS: the server gives up.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        assert await asyncio.wait_for(reader.read(), 5) == b""
        writer.close()
        assert failures and isinstance(failures[0], ConnectionAbortedError)

        # A TCP server that never answers: the client gives up.
        async def silent(r, w):
            await asyncio.sleep(5)

        mute = await asyncio.start_server(silent, "127.0.0.1", 0)
        mport = mute.sockets[0].getsockname()[1]
        with pytest.raises(ConnectionAbortedError, match="longer than 0.2 seconds"):
            await tlsm.aio.open_connection("127.0.0.1", mport, config=client_config(), server_hostname=HOST,
                                           ssl_handshake_timeout=0.2)
        for s in (server, mute):
            s.close()
        mute.close()

    asyncio.run(main())
    assert tlsm.aio.HANDSHAKE_TIMEOUT == 60.0
