"""tlsm.aio streams against asyncio's own TLS (the ssl module) on 127.0.0.1."""

from __future__ import annotations

import asyncio
import ssl

import pytest

import tlsm
import tlsm.aio
from conftest import VERSIONS, client_config, der, server_config, ssl_client_context, ssl_server_context

ids = lambda v: v.name  # noqa: E731


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 20))


async def ssl_echo_server(ctx):
    async def handle(reader, writer):
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=ctx)
    return server, server.sockets[0].getsockname()[1]


@pytest.mark.parametrize("version", VERSIONS, ids=ids)
def test_open_connection_against_asyncio_ssl_server(version):
    async def main():
        server, port = await ssl_echo_server(ssl_server_context(version))
        async with server:
            ccfg = client_config(version, rng_seed=None, fixed_time=None, alpn_protocols=None)
            reader, writer = await tlsm.aio.open_connection("127.0.0.1", port, config=ccfg, server_hostname="localhost")
            conn = writer.get_extra_info("tlsm")
            assert conn.version == version
            assert writer.get_extra_info("peercert") == der("server-p256.crt")
            writer.write(b"hello async")
            await writer.drain()
            assert await reader.readexactly(11) == b"hello async"
            big = b"z" * 300_000
            writer.write(big)
            assert await reader.readexactly(len(big)) == big
            writer.close()
            await writer.wait_closed()

    run(main())


def test_open_connection_verification_failure():
    async def main():
        server, port = await ssl_echo_server(ssl_server_context())
        async with server:
            ccfg = client_config(rng_seed=None, fixed_time=None)
            with pytest.raises(tlsm.CertificateVerificationError) as info:
                await tlsm.aio.open_connection("127.0.0.1", port, config=ccfg, server_hostname="nope.example")
            assert info.value.verify_code == tlsm.capi.ERR_CERT_NAME_MISMATCH

    run(main())


@pytest.mark.parametrize("version", VERSIONS, ids=ids)
def test_start_server_with_asyncio_ssl_client(version):
    async def main():
        scfg = server_config(version=version, rng_seed=None, fixed_time=None)
        seen = []

        async def handle(reader, writer):
            seen.append(writer.get_extra_info("tlsm").server_hostname)
            line = await reader.readline()
            writer.write(line[::-1])
            await writer.drain()
            writer.close()

        server = await tlsm.aio.start_server(handle, "127.0.0.1", 0, config=scfg)
        port = server.sockets[0].getsockname()[1]
        async with server:
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", port, ssl=ssl_client_context(version), server_hostname="localhost"
            )
            assert writer.get_extra_info("ssl_object").version() == {0x0303: "TLSv1.2", 0x0304: "TLSv1.3"}[int(version)]
            writer.write(b"abc\n")
            assert await reader.read() == b"\ncba"  # then EOF from the server's close_notify
            writer.close()
            await writer.wait_closed()
        assert seen == ["localhost"]

    run(main())


def test_tlsm_to_tlsm_over_asyncio():
    async def main():
        scfg = server_config(version=tlsm.TLSVersion.TLSv1_3, rng_seed=None, fixed_time=None)

        async def handle(reader, writer):
            writer.write((await reader.readexactly(4)) * 2)
            await writer.drain()
            writer.close()

        server = await tlsm.aio.start_server(handle, "127.0.0.1", 0, config=scfg)
        port = server.sockets[0].getsockname()[1]
        async with server:
            ccfg = client_config(rng_seed=None, fixed_time=None)
            reader, writer = await tlsm.aio.open_connection("127.0.0.1", port, config=ccfg, server_hostname="localhost")
            writer.write(b"tick")
            assert await reader.read() == b"ticktick"
            writer.close()
            await writer.wait_closed()

    run(main())
