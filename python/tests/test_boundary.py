"""Misuse at the Python/C boundary, the way a user could do it: threads sharing a config,
queries racing calls on one connection, a NUL inside a name, a buffer kept after the
connection is gone. Each must end in a Python exception (or a well-defined result), never
in memory corruption; scripts/test-python.sh also runs this file against an ASan build of
the extension, where a use after free aborts the run."""

from __future__ import annotations

import gc
import ssl
import threading

import pytest

import tlsm
from conftest import HOST, NOW, client_config, connected_pair, der, pki, pump, server_config

# Distinct certificates to add as trust anchors: each grows the config's store.
ANCHORS = [
    der(name)
    for name in (
        "intermediate.crt",
        "server-p256.crt",
        "server-p384.crt",
        "server-ed25519.crt",
        "server-rsa.crt",
        "server-rsapss.crt",
        "client.crt",
    )
]
CHAIN = [der("server-p256.crt"), der("intermediate.crt")]


def run_threads(*targets) -> None:
    start = threading.Barrier(len(targets))
    failures: list = []

    def wrap(fn):
        def run():
            start.wait()
            try:
                fn()
            except BaseException as exc:  # reported below
                failures.append(exc)

        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
        assert not t.is_alive(), "thread hung"
    if failures:
        raise failures[0]


# ---------------------------------------------------------------- a config shared by threads


def many_anchors() -> list:
    """Distinct certificates to add one by one, so the store is reallocated several times:
    the system bundle when there is one, else the test PKI's certificates."""
    try:
        with open("/etc/ssl/certs/ca-certificates.crt") as f:
            text = f.read()
    except OSError:
        return ANCHORS
    blocks = text.split("-----END CERTIFICATE-----")[:-1]
    return [ssl.PEM_cert_to_DER_cert(b[b.index("-----BEGIN"):] + "-----END CERTIFICATE-----\n") for b in blocks]


@pytest.mark.parametrize("round_", range(10))
def test_verify_chain_while_another_thread_adds_anchors(round_):
    # Without the config lock, add_trust grows (reallocates) the store that verify_chain
    # walks with the GIL released: a use after free (ASan: heap-use-after-free). With it,
    # every add either lands before the first verification froze the config or is refused
    # as FROZEN.
    anchors = many_anchors()
    cfg = tlsm.ClientConfig(pki("ca.crt"), fixed_time=NOW)
    added, refused, verdicts = [], [], []
    done = threading.Event()

    def adder():
        try:
            for anchor in anchors:
                try:
                    cfg.add_trust_der(anchor)
                    added.append(1)
                except tlsm.ConfigError as exc:
                    # FROZEN once verification started; before that, a system root tlsm
                    # cannot parse (Debian ships two ECDSA roots whose signature algorithm
                    # carries NULL parameters, which RFC 5758 s.3.2 forbids) is refused as
                    # malformed, whichever thread gets there first.
                    assert exc.code in (tlsm.capi.ERR_FROZEN, tlsm.capi.ERR_CERT_PARSE), exc
                    refused.append(1)
        finally:
            done.set()

    def verifier():
        while not done.is_set() and len(verdicts) < 500:
            verdicts.append(tlsm.verify_chain(CHAIN, cfg, hostname=HOST).ok)

    run_threads(adder, verifier)
    assert verdicts and all(verdicts)
    assert len(added) + len(refused) == len(anchors)
    assert cfg.frozen
    with pytest.raises(tlsm.ConfigError) as info:
        cfg.add_trust_der(ANCHORS[0])
    assert info.value.code == tlsm.capi.ERR_FROZEN


def test_connections_while_another_thread_adds_anchors():
    # The first connection freezes the config; a setter racing it is either before the
    # freeze (and used by the connection) or refused, never half-applied.
    for _ in range(10):
        cfg = tlsm.ClientConfig(pki("ca.crt"), fixed_time=NOW, rng_seed=1)
        outcomes = []

        def adder():
            for anchor in ANCHORS:
                try:
                    cfg.add_trust_der(anchor)
                    outcomes.append("added")
                except tlsm.ConfigError:
                    outcomes.append("frozen")

        def connector():
            for _ in range(3):
                tlsm.Connection(cfg, HOST)

        run_threads(adder, connector)
        # Once refused, always refused: the freeze is a single point in time.
        assert outcomes == sorted(outcomes), outcomes
    c, s = connected_pair(ccfg=cfg)
    assert c.handshake_complete


def test_verify_chain_freezes_its_config():
    cfg = tlsm.ClientConfig(pki("ca.crt"), fixed_time=NOW)
    assert not cfg.frozen
    assert tlsm.verify_chain(CHAIN, cfg, hostname=HOST)
    assert cfg.frozen
    with pytest.raises(tlsm.ConfigError, match="in use"):
        cfg.add_trust(pki("ca.crt"))


def test_pair_and_setter_race_is_serialised():
    from tlsm.testing import Pair, default_configs

    for _ in range(5):
        ccfg, scfg = default_configs()
        refused = []

        def adder():
            for anchor in ANCHORS:
                try:
                    ccfg.add_trust_der(anchor)
                except tlsm.ConfigError:
                    refused.append(1)

        def pairer():
            with Pair(ccfg, scfg) as pair:
                pair.run(check=True)

        run_threads(adder, pairer)


# ---------------------------------------------------------------- one connection, two threads


def test_properties_take_the_one_thread_guard():
    client, _ = connected_pair()
    names = [
        "error", "handshake_complete", "version", "cipher", "cipher_suite", "group",
        "peer_signature_scheme", "alpn_protocol", "server_hostname", "peer_certificates",
        "peer_certificate", "resumed", "hello_retry", "session", "verify_error",
        "wants_input", "closed",
    ]
    client._guard.__enter__()  # as if another thread were inside a call
    try:
        for name in names:
            with pytest.raises(RuntimeError, match="two threads"):
                getattr(client, name)
        assert "busy" in repr(client)
    finally:
        client._guard.__exit__()
    assert client.peer_certificates and client.session is not None
    assert "established" in repr(client)


def test_queries_racing_sends_raise_or_answer():
    client, server = connected_pair()
    refused = []

    def sender():
        for _ in range(300):
            try:
                client.send_data(b"y" * 4000)
            except RuntimeError:
                refused.append("send")

    def querier():
        for _ in range(300):
            try:
                assert client.peer_certificates[0] == der("server-p256.crt")
                assert client.version == tlsm.TLSVersion.TLSv1_3
                _ = client.session, client.closed, client.wants_input
            except RuntimeError:
                refused.append("query")

    run_threads(sender, querier)
    sent = 300 - refused.count("send")
    pump(client, server)
    got = b"".join(e.data for e in server.events() if isinstance(e, tlsm.ApplicationData))
    assert got == b"y" * 4000 * sent


def test_pair_free_while_in_use_is_refused():
    from tlsm.testing import Pair

    pair = Pair()
    pair._guard.__enter__()
    try:
        with pytest.raises(RuntimeError):
            pair.free()
    finally:
        pair._guard.__exit__()
    pair.free()
    with pytest.raises(ValueError, match="freed"):
        pair.run()


# ---------------------------------------------------------------- NUL inside strings

EVIL = "localhost\x00.attacker.example"


def test_nul_in_server_hostname_is_refused():
    with pytest.raises(ValueError, match="NUL"):
        tlsm.Connection(client_config(), EVIL)


def test_nul_in_verify_chain_hostname_is_refused():
    with pytest.raises(ValueError, match="NUL"):
        tlsm.verify_chain(CHAIN, tlsm.ClientConfig(pki("ca.crt"), fixed_time=NOW), hostname=EVIL)


def test_nul_in_pair_server_name_is_refused():
    from tlsm.testing import Pair

    with pytest.raises(ValueError, match="NUL"):
        Pair(server_name=EVIL)


def test_nul_in_fault_spec_is_refused():
    from tlsm.testing import Pair

    with Pair() as pair, pytest.raises(ValueError):
        pair.add_fault("drop@s2c\x00:msg=Finished")


def test_nul_in_file_paths_is_refused():
    path = str(pki("ca.crt")) + "\x00.ignored"
    with pytest.raises(ValueError):
        tlsm.ClientConfig(path)
    with pytest.raises(ValueError):
        tlsm.ServerConfig(path, pki("server-p256.key"))


def test_the_raw_module_refuses_nul_too():
    # The SWIG layer's string typemap: the backstop under the checks above.
    cfg = tlsm.capi.config_new(tlsm.capi.ROLE_CLIENT)
    try:
        with pytest.raises(ValueError, match="NUL"):
            tlsm.capi.conn_new(cfg, EVIL)
        with pytest.raises(TypeError):
            tlsm.capi.conn_new(cfg, b"localhost")
        conn = tlsm.capi.conn_new(cfg, "localhost")
        assert conn is not None
        tlsm.capi.conn_free(conn)
    finally:
        tlsm.capi.config_free(cfg)


# ---------------------------------------------------------------- buffers outliving the connection


def test_no_view_into_the_engine_is_handed_out():
    # A writable view into the connection's input buffer would outlive the next call and
    # the connection itself; the module offers none.
    assert not hasattr(tlsm.capi, "input_buffer")
    assert not hasattr(tlsm.capi, "input_ack")


def test_everything_returned_outlives_the_connection():
    client, server = connected_pair()
    client.send_data(b"kept")
    wire = client.data_to_send()
    server.receive_data(wire)
    events = server.events()
    certs = client.peer_certificates
    session = client.session
    exported = client.export_keying_material("label", 32)
    del client, server
    gc.collect()
    # Overwrite freed memory with fresh connections, then read what was returned.
    for _ in range(5):
        connected_pair()
    assert events[-1] == tlsm.ApplicationData(b"kept")
    assert certs[0] == der("server-p256.crt")
    assert session and len(exported) == 32 and len(wire) > 4
    assert ssl.DER_cert_to_PEM_cert(certs[0]).startswith("-----BEGIN CERTIFICATE-----")
