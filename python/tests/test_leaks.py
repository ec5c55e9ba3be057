"""Memory stays flat over many handshakes (successful and failing), so neither the C side
(RSS) nor the Python side (tracemalloc) leaks per connection.

TLSM_LEAK_HANDSHAKES sets the rounds (default 600; each is two connection pairs)."""

from __future__ import annotations

import gc
import os
import tracemalloc

import pytest

import tlsm
from conftest import HOST, client_config, handshake, pump, server_config

COUNT = int(os.environ.get("TLSM_LEAK_HANDSHAKES", "600"))


def rss_kib() -> int:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def one_round(scfg, ccfg, bad_ccfg) -> None:
    client = tlsm.Connection(ccfg, HOST)
    server = tlsm.Connection(scfg)
    handshake(client, server)
    client.send_data(b"x" * 3000)
    pump(client, server)
    server.events(), client.events()
    _ = client.session, client.peer_certificates, client.export_keying_material("l", 16)
    client.close()
    pump(client, server)
    # A failing handshake: exceptions and sticky errors must not leak either.
    client = tlsm.Connection(bad_ccfg, "wrong.example")
    server = tlsm.Connection(scfg)
    with pytest.raises(tlsm.CertificateVerificationError):
        handshake(client, server)
    with pytest.raises(tlsm.PeerAlertError):
        server.receive_data(client.data_to_send())


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc")
def test_memory_is_flat_over_many_handshakes():
    scfg = server_config("ed25519")
    ccfg = client_config()
    bad_ccfg = client_config()
    for _ in range(1000):  # warm-up: allocator pools and caches reach their size
        one_round(scfg, ccfg, bad_ccfg)
    # C side: the process's resident size, measured without tracemalloc (whose own tables
    # grow while it traces) at five checkpoints. A leak grows every segment; the allocator
    # may step up once (a new arena), so the median segment is what must stay flat.
    steps = []
    for _ in range(5):
        gc.collect()
        before = rss_kib()
        for _ in range(max(COUNT // 5, 1)):
            one_round(scfg, ccfg, bad_ccfg)
        gc.collect()
        steps.append(rss_kib() - before)
    grown_rss = sorted(steps)[2]
    # Python side: objects still allocated after the rounds.
    tracemalloc.start()
    before_py = tracemalloc.get_traced_memory()[0]
    for _ in range(min(COUNT, 300)):
        one_round(scfg, ccfg, bad_ccfg)
    gc.collect()
    grown_py = tracemalloc.get_traced_memory()[0] - before_py
    tracemalloc.stop()
    print(f"{2 * COUNT} handshakes: RSS per segment {steps} KiB; Python heap over {2 * min(COUNT, 300)}: {grown_py:+d} bytes")
    # A leaked connection costs tens of KiB, so the 240 connections of a default segment
    # would add megabytes; allocator noise is a few hundred KiB either way.
    assert grown_rss < 1024
    assert grown_py < 64 * 1024
