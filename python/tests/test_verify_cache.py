"""The verification cache through the Python API (issue 18): a client that connects again
answers the chain's certificate signatures from its config's cache, counted by
``verify_cache_stats()``; ``verify_cache=0`` turns it off; an out-of-range size is a
:class:`tlsm.ConfigError`."""

from __future__ import annotations

import pytest

import tlsm

from conftest import client_config, connected_pair

V12, V13 = tlsm.TLSVersion.TLSv1_2, tlsm.TLSVersion.TLSv1_3


@pytest.mark.parametrize("version", [V13, V12], ids=["tls13", "tls12"])
def test_second_handshake_hits_the_cache(version: tlsm.TLSVersion) -> None:
    ccfg = client_config(version)
    assert ccfg.verify_cache_stats() == tlsm.VerifyCacheStats(0, 0, 0, 256)
    client, _ = connected_pair(version, ccfg=ccfg)
    assert not client.resumed
    first = ccfg.verify_cache_stats()
    assert first.misses > 0 and first.hits == 0 and first.entries == first.misses
    client, _ = connected_pair(version, ccfg=ccfg)
    assert not client.resumed
    second = ccfg.verify_cache_stats()
    # The same chain again: every certificate signature is a hit, none verified anew.
    assert second.hits == first.misses and second.misses == first.misses


def test_off_switch_and_bounds() -> None:
    ccfg = client_config(V13, verify_cache=0)
    connected_pair(V13, ccfg=ccfg)
    connected_pair(V13, ccfg=ccfg)
    stats = ccfg.verify_cache_stats()
    assert (stats.hits, stats.entries, stats.capacity) == (0, 0, 0)
    with pytest.raises(tlsm.ConfigError):
        client_config(V13, verify_cache=(1 << 20) + 1)
    with pytest.raises(TypeError):
        client_config(V13, verify_cache="big")
