"""Memory of a Python asyncio TLS echo server under load: tlsm.aio.start_server against
asyncio.start_server with the ssl module, same handler, same certificate (the test PKI's
server-p256), same clients. bench/load-bindings.sh runs it.

Usage: python load_py.py --impl tlsm|ssl [--conns 500] [--rounds 4] [--msgs 4] [--size 1024]

This process is the server (127.0.0.1, a free port); it starts a copy of this script
(--client) as a separate process, so the clients' memory is not counted. The clients use
asyncio + ssl (TLS 1.3, no certificate check: only the server is measured). Each round:
every client connects, handshakes, does --msgs echo round trips of --size bytes and holds
its connection until all are up; the server reads its RSS (VmRSS; the peak is VmHWM), the
clients close, the server waits until every handler has returned, runs gc.collect() and
reads its RSS again. Output, one line per round:
"py IMPL round R peak_kb K held_kb K after_kb K". Bounded: loopback, --conns connections,
--timeout seconds.
"""

import argparse
import asyncio
import gc
import os
import ssl
import subprocess
import sys


def proc_kb(name: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    return -1


async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            data = await reader.read(4096)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def server(args: argparse.Namespace) -> None:
    import tlsm
    import tlsm.aio
    from tlsm.testing import TEST_TIME, find_test_pki

    pki = find_test_pki()
    chain, key = pki / "server-p256.chain.pem", pki / "server-p256.key"
    active = 0
    idle = asyncio.Event()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal active
        active += 1
        idle.clear()
        try:
            await echo(reader, writer)
        finally:
            active -= 1
            if active == 0:
                idle.set()

    if args.impl == "tlsm":
        cfg = tlsm.ServerConfig(chain, key, minimum_version=tlsm.TLSVersion.TLSv1_3, fixed_time=TEST_TIME)
        srv = await tlsm.aio.start_server(handler, "127.0.0.1", 0, config=cfg, backlog=1024)
    elif args.impl == "ssl":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        ctx.load_cert_chain(chain, key)
        srv = await asyncio.start_server(handler, "127.0.0.1", 0, ssl=ctx, backlog=1024)
    else:
        raise SystemExit(f"unknown --impl {args.impl}")
    port = srv.sockets[0].getsockname()[1]
    child = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--client", str(port), "--conns", str(args.conns),
        "--rounds", str(args.rounds), "--msgs", str(args.msgs), "--size", str(args.size),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
    )
    assert child.stdin is not None and child.stdout is not None

    async def expect(word: bytes) -> None:
        line = await child.stdout.readline()
        if line.strip() != word:
            raise SystemExit(f"load_py: the clients said {line!r}, not {word!r}")

    for r in range(1, args.rounds + 1):
        child.stdin.write(b"connect\n")
        await expect(b"held")
        peak, held = proc_kb("VmHWM"), proc_kb("VmRSS")
        child.stdin.write(b"close\n")
        await expect(b"closed")
        await idle.wait()
        await asyncio.sleep(0.2)  # let the transports' connection_lost callbacks run
        gc.collect()
        print(f"py {args.impl} round {r} peak_kb {peak} held_kb {held} after_kb {proc_kb('VmRSS')}", flush=True)
    child.stdin.close()
    if await child.wait() != 0:
        raise SystemExit("load_py: the clients failed")
    srv.close()
    await srv.wait_closed()


async def clients(args: argparse.Namespace) -> None:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    msg = (b"0123456789abcdef" * (args.size // 16 + 1))[: args.size]
    sem = asyncio.Semaphore(64)  # handshakes in flight

    async def one() -> asyncio.StreamWriter:
        async with sem:
            reader, writer = await asyncio.open_connection("127.0.0.1", args.client, ssl=ctx)
        for _ in range(args.msgs):
            writer.write(msg)
            if await reader.readexactly(len(msg)) != msg:
                raise RuntimeError("echo mismatch")
        return writer

    for _ in range(args.rounds):
        if (await stdin.readline()).strip() != b"connect":
            raise SystemExit("no connect from the server")
        writers = await asyncio.gather(*(one() for _ in range(args.conns)))
        print("held", flush=True)
        if (await stdin.readline()).strip() != b"close":
            raise SystemExit("no close from the server")
        for w in writers:
            w.close()
        await asyncio.gather(*(w.wait_closed() for w in writers), return_exceptions=True)
        del writers
        print("closed", flush=True)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--impl", default="tlsm", choices=["tlsm", "ssl"])
    p.add_argument("--conns", type=int, default=500)
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--msgs", type=int, default=4)
    p.add_argument("--size", type=int, default=1024)
    p.add_argument("--timeout", type=float, default=120.0)
    p.add_argument("--client", type=int, default=0, help=argparse.SUPPRESS)
    args = p.parse_args()
    if not (1 <= args.conns <= 5000 and 1 <= args.rounds <= 20 and 1 <= args.size <= 65536):
        raise SystemExit("conns must be 1..5000, rounds 1..20, size 1..65536")
    coro = clients(args) if args.client else server(args)
    try:
        asyncio.run(asyncio.wait_for(coro, args.timeout))
    except asyncio.TimeoutError:
        raise SystemExit(f"load_py: timed out after {args.timeout}s")


if __name__ == "__main__":
    main()
