"""Sans-IO tests: a tlsm client and a tlsm server in one process, bytes copied between
them, with the deterministic RNG and clock."""

from __future__ import annotations

import base64
import ssl
import threading

import pytest

import tlsm
from conftest import HOST, KEYS, NOW, VERSIONS, client_config, connected_pair, der, handshake, pki, pump, server_config


def names(events):
    return [type(e).__name__ for e in events]


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.name)
@pytest.mark.parametrize("key", KEYS)
def test_handshake(version, key):
    client, server = connected_pair(version, key)
    (cdone,) = [e for e in client.events() if isinstance(e, tlsm.HandshakeComplete)]
    (sdone,) = [e for e in server.events() if isinstance(e, tlsm.HandshakeComplete)]
    assert cdone.version == sdone.version == version
    assert client.version == server.version == version
    assert client.cipher == server.cipher == cdone.cipher
    assert client.cipher in tlsm.CIPHER_SUITES
    assert not client.resumed and not cdone.resumed
    assert client.peer_certificate == der(f"server-{key}.crt")
    assert client.peer_certificates[1] == der("intermediate.crt")
    assert server.peer_certificates == []
    assert server.server_hostname == HOST and client.server_hostname == HOST
    assert client.group != 0 and client.peer_signature_scheme != 0


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.name)
def test_data_both_ways_and_large(version):
    client, server = connected_pair(version)
    client.events(), server.events()
    client.send_data(b"ping")
    pump(client, server)
    assert server.events() == [tlsm.ApplicationData(b"ping")]
    blob = bytes(range(256)) * 1000  # 256 kB: many records, output moved out while writing
    server.send_data(blob)
    pump(server, client)
    got = b"".join(e.data for e in client.events() if isinstance(e, tlsm.ApplicationData))
    assert got == blob


def test_receive_data_byte_by_byte():
    client = tlsm.Connection(client_config(), HOST)
    server = tlsm.Connection(server_config())
    for _ in range(10):
        for a, b in ((client, server), (server, client)):
            for i, byte in enumerate(a.data_to_send()):
                b.receive_data(bytes([byte]))
    assert client.handshake_complete and server.handshake_complete
    client.send_data(bytearray(b"abc"))
    data = client.data_to_send()
    for i in range(len(data)):
        server.receive_data(memoryview(data)[i : i + 1])
    assert [e for e in server.events() if isinstance(e, tlsm.ApplicationData)] == [tlsm.ApplicationData(b"abc")]


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.name)
def test_close(version):
    client, server = connected_pair(version)
    client.send_data(b"last words")
    client.close()
    pump(client, server)
    ev = [e for e in server.events() if not isinstance(e, tlsm.HandshakeComplete)]
    assert ev == [tlsm.ApplicationData(b"last words"), tlsm.ConnectionClosed()]
    with pytest.raises(tlsm.ClosedError) as info:
        client.send_data(b"more")
    assert isinstance(info.value, ssl.SSLZeroReturnError)
    server.send_data(b"reply after the client's close")
    server.close()
    pump(server, client)
    assert tlsm.ConnectionClosed() in client.events()
    client.receive_eof()  # after close_notify: clean
    server.receive_eof()
    assert client.closed and server.closed


def test_truncation_is_an_error():
    client, server = connected_pair()
    with pytest.raises(tlsm.TruncatedError) as info:
        client.receive_eof()
    assert isinstance(info.value, ssl.SSLEOFError)
    assert info.value.code == tlsm.capi.ERR_TRUNCATED


def test_key_update():
    client, server = connected_pair(tlsm.TLSVersion.TLSv1_3)
    client.events(), server.events()
    client.key_update(request_peer=True)
    client.send_data(b"after update")
    pump(client, server)
    sev = server.events()
    assert tlsm.KeyUpdated(peer=True) in sev and tlsm.ApplicationData(b"after update") in sev
    assert tlsm.KeyUpdated(peer=False) in sev  # the server answered the request
    pump(server, client)
    cev = client.events()
    assert tlsm.KeyUpdated(peer=False) in cev and tlsm.KeyUpdated(peer=True) in cev
    server.send_data(b"still here")
    pump(server, client)
    assert client.events() == [tlsm.ApplicationData(b"still here")]


def test_key_update_is_tls13_only():
    client, server = connected_pair(tlsm.TLSVersion.TLSv1_2)
    with pytest.raises(tlsm.StateError):
        client.key_update()
    client.send_data(b"fine")  # not sticky: a refused call leaves the connection usable


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.name)
def test_resumption(version):
    scfg = server_config(version=version)
    ccfg = client_config(version)
    client, server = connected_pair(version, ccfg=ccfg, scfg=scfg)
    client.send_data(b"x")
    pump(client, server)
    pump(server, client)
    tickets = [e for e in client.events() if isinstance(e, tlsm.NewSessionTicket)]
    session = client.session
    assert session and (not tickets or tickets[-1].session == session)
    assert "session" not in repr(tickets[-1] if tickets else tlsm.NewSessionTicket(b"s"))
    again, server2 = connected_pair(version, ccfg=ccfg, scfg=scfg, session=session)
    assert again.resumed and server2.resumed
    (hc,) = [e for e in again.events() if isinstance(e, tlsm.HandshakeComplete)]
    assert hc.resumed


def test_expired_ticket_is_not_used():
    scfg = server_config(version=tlsm.TLSVersion.TLSv1_3, ticket_lifetime=60)
    ccfg = client_config(tlsm.TLSVersion.TLSv1_3)
    client, server = connected_pair(ccfg=ccfg, scfg=scfg)
    session = client.session
    assert session
    scfg.set_time(NOW + 3600)
    ccfg.set_time(NOW + 3600)
    again, _ = connected_pair(ccfg=ccfg, scfg=scfg, session=session)
    assert again.handshake_complete and not again.resumed


def test_bad_session_blob():
    with pytest.raises(tlsm.ConfigError):
        tlsm.Connection(client_config(), HOST, session=b"not a session")


def test_alpn_and_sni():
    scfg = server_config(alpn_protocols=["h2", "http/1.1"])
    ccfg = client_config(alpn_protocols=[b"http/1.1"])
    client, server = connected_pair(ccfg=ccfg, scfg=scfg, hostname="localhost")
    assert client.alpn_protocol == server.alpn_protocol == "http/1.1"
    assert client.events()[0].alpn_protocol == "http/1.1"
    assert server.server_hostname == "localhost"


def test_alpn_mismatch_fails():
    scfg = server_config(alpn_protocols=["h2"])
    ccfg = client_config(alpn_protocols=["http/1.1"])
    client = tlsm.Connection(ccfg, HOST)
    server = tlsm.Connection(scfg)
    with pytest.raises(tlsm.ProtocolError) as info:
        handshake(client, server)
    assert info.value.alert_name == "no_application_protocol"
    with pytest.raises(tlsm.PeerAlertError) as peer:
        pump(server, client)
    assert peer.value.alert == tlsm.capi.ALERT_NO_APPLICATION_PROTOCOL


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.name)
def test_client_auth(version):
    scfg = server_config(version=version, client_auth=ssl.CERT_REQUIRED, client_trust=pki("ca.crt"))
    ccfg = client_config(version, certificate_chain=pki("client.chain.pem"), private_key=pki("client.key"))
    client, server = connected_pair(version, ccfg=ccfg, scfg=scfg)
    assert server.handshake_complete and client.handshake_complete
    assert server.peer_certificate == der("client.crt")


def test_client_auth_required_but_missing():
    scfg = server_config(version=tlsm.TLSVersion.TLSv1_3, client_auth=ssl.CERT_REQUIRED, client_trust=pki("ca.crt"))
    client = tlsm.Connection(client_config(tlsm.TLSVersion.TLSv1_3), HOST)
    server = tlsm.Connection(scfg)
    with pytest.raises(tlsm.ProtocolError) as info:
        handshake(client, server)
    assert info.value.alert_name == "certificate_required"


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.name)
def test_verification_failure_carries_the_reason(version):
    client = tlsm.Connection(client_config(version), "wrong.example")
    server = tlsm.Connection(server_config(version=version))
    with pytest.raises(tlsm.CertificateVerificationError) as info:
        handshake(client, server)
    err = info.value
    assert isinstance(err, ssl.SSLCertVerificationError) and isinstance(err, ssl.SSLError)
    assert err.verify_code == tlsm.capi.ERR_CERT_NAME_MISMATCH == client.verify_error
    assert err.verify_message == tlsm.strerror(tlsm.capi.ERR_CERT_NAME_MISMATCH)
    assert err.verify_message in str(err)
    assert err.alert is not None  # the alert we sent
    alert = client.data_to_send()
    assert alert  # the alert that tells the server why
    with pytest.raises(tlsm.PeerAlertError) as peer:
        server.receive_data(alert)
    assert peer.value.alert == err.alert
    assert any(isinstance(e, tlsm.AlertReceived) and e.fatal for e in server.events())


def test_unknown_issuer():
    ccfg = client_config(trust=pki("client.crt"))  # not the CA of the server's chain
    client = tlsm.Connection(ccfg, HOST)
    server = tlsm.Connection(server_config())
    with pytest.raises(tlsm.CertificateVerificationError) as info:
        handshake(client, server)
    assert info.value.verify_code == tlsm.capi.ERR_CERT_UNKNOWN_ISSUER
    assert "issuer" in info.value.verify_message


def test_expired_certificate_by_clock():
    ccfg = client_config(fixed_time=NOW + 200 * 365 * 86400)
    client = tlsm.Connection(ccfg, HOST)
    server = tlsm.Connection(server_config())
    with pytest.raises(tlsm.CertificateVerificationError) as info:
        handshake(client, server)
    assert info.value.verify_code == tlsm.capi.ERR_CERT_EXPIRED


def test_insecure_mode_skips_verification():
    ccfg = client_config(insecure_no_verification=True)
    client, server = connected_pair(ccfg=ccfg, hostname=None)
    assert client.handshake_complete


def test_errors_are_sticky():
    client = tlsm.Connection(client_config(), "wrong.example")
    server = tlsm.Connection(server_config())
    with pytest.raises(tlsm.CertificateVerificationError) as first:
        handshake(client, server)
    for call in (lambda: client.receive_data(b"\x17\x03\x03\x00\x01x"), lambda: client.send_data(b"x"),
                 lambda: client.key_update(), lambda: client.export_keying_material("x", 8)):
        with pytest.raises(tlsm.CertificateVerificationError) as again:
            call()
        assert again.value is first.value
    assert client.error is first.value
    client.close()  # a no-op on a failed connection
    client.data_to_send()
    assert client.data_to_send() == b""


def test_garbage_input():
    server = tlsm.Connection(server_config())
    with pytest.raises(tlsm.ProtocolError) as info:
        server.receive_data(b"\x16\x03\x01\x00\x05hello" + b"\x00" * 20)
    assert info.value.alert is not None
    out = server.data_to_send()
    assert out[:1] == b"\x15"  # an alert record
    assert server.closed


def test_tampered_record_is_bad_record_mac():
    client, server = connected_pair()
    client.send_data(b"secret")
    rec = bytearray(client.data_to_send())
    rec[-1] ^= 1
    with pytest.raises(tlsm.ProtocolError) as info:
        server.receive_data(bytes(rec))
    assert info.value.alert_name == "bad_record_mac"


def test_use_before_handshake_is_a_state_error():
    client = tlsm.Connection(client_config(), HOST)
    with pytest.raises(tlsm.StateError):
        client.send_data(b"too early")
    with pytest.raises(tlsm.StateError):
        client.export_keying_material("label", 16)
    server = tlsm.Connection(server_config())
    handshake(client, server)  # not sticky
    assert client.handshake_complete


def test_data_after_eof_is_refused():
    client, server = connected_pair()
    client.close()
    pump(client, server)
    server.receive_eof()
    with pytest.raises(tlsm.StateError):
        server.receive_data(b"\x17\x03\x03")


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.name)
def test_exporter(version):
    client, server = connected_pair(version)
    a = client.export_keying_material("EXPORTER-test", 32, b"ctx")
    assert a == server.export_keying_material(b"EXPORTER-test", 32, b"ctx")
    assert len(a) == 32 and a != client.export_keying_material("EXPORTER-test", 32, b"other")


def test_deterministic_bytes():
    def run():
        record = []
        client = tlsm.Connection(client_config(), HOST)
        server = tlsm.Connection(server_config())
        handshake(client, server, record)
        return record

    assert run() == run()


def test_trace_events():
    ccfg = client_config(tlsm.TLSVersion.TLSv1_3, trace=True)
    client, _ = connected_pair(ccfg=ccfg)
    msgs = [e for e in client.events() if isinstance(e, tlsm.HandshakeMessage)]
    assert msgs[0] == tlsm.HandshakeMessage(True, 1, "ClientHello", False)
    assert any(m.name == "ServerHello" and not m.sent for m in msgs)
    assert any(m.ccs for m in msgs)


def test_hello_retry_request():
    ccfg = client_config(tlsm.TLSVersion.TLSv1_3, groups=["P-256", "x25519"])
    scfg = server_config(version=tlsm.TLSVersion.TLSv1_3, groups=["x25519"])
    client, server = connected_pair(ccfg=ccfg, scfg=scfg)
    assert client.hello_retry and server.hello_retry
    assert client.group == tlsm.GROUPS["x25519"]


@pytest.mark.parametrize("group", ["MLKEM1024", "SecP384r1MLKEM1024"])
def test_mlkem1024_groups_when_configured(group):
    # Opt-in TLS 1.3 groups: both ends must list them.
    ccfg = client_config(tlsm.TLSVersion.TLSv1_3, groups=[group])
    scfg = server_config(version=tlsm.TLSVersion.TLSv1_3, groups=[group])
    client, server = connected_pair(ccfg=ccfg, scfg=scfg)
    assert client.group == server.group == tlsm.GROUPS[group]
    assert not client.hello_retry


def test_cipher_suite_choice():
    ccfg = client_config(tlsm.TLSVersion.TLSv1_3, cipher_suites=["TLS_CHACHA20_POLY1305_SHA256"])
    client, _ = connected_pair(ccfg=ccfg)
    assert client.cipher == "TLS_CHACHA20_POLY1305_SHA256"
    assert client.cipher_suite == tlsm.CIPHER_SUITES["TLS_CHACHA20_POLY1305_SHA256"]


def test_external_verification():
    ccfg = client_config(external_verification=True)
    client = tlsm.Connection(ccfg, HOST)
    server = tlsm.Connection(server_config())
    handshake(client, server)
    ev = [e for e in client.events() if isinstance(e, tlsm.PeerVerificationRequested)]
    assert ev and ev[0].certificates[0] == der("server-p256.crt")
    assert not client.handshake_complete
    client.accept_peer()
    handshake(client, server)
    assert client.handshake_complete and server.handshake_complete

    client = tlsm.Connection(ccfg, HOST)
    server = tlsm.Connection(server_config())
    handshake(client, server)
    with pytest.raises(tlsm.CertificateVerificationError) as info:
        client.reject_peer()
    assert info.value.verify_code == tlsm.capi.ERR_CERT_REJECTED


def test_config_errors():
    with pytest.raises(tlsm.ConfigError) as info:
        tlsm.ServerConfig(b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n", pki("server-p256.key"))
    assert isinstance(info.value, ValueError) and isinstance(info.value, ssl.SSLError)
    with pytest.raises(tlsm.ConfigError) as info:
        tlsm.ServerConfig(pki("server-p256.chain.pem"), pki("server-rsa.key"))
    assert info.value.code == tlsm.capi.ERR_KEY_MISMATCH
    with pytest.raises(tlsm.ConfigError):
        tlsm.ClientConfig(trust=b"no certificate here")
    with pytest.raises(tlsm.ConfigError):
        tlsm.ClientConfig(trust=pki("ca.crt"), groups=["no-such-group"])
    with pytest.raises(tlsm.ConfigError):
        tlsm.ClientConfig(trust=pki("ca.crt"), minimum_version=tlsm.TLSVersion.TLSv1_1)
    with pytest.raises(FileNotFoundError):
        tlsm.ClientConfig(trust="/nonexistent/ca.pem")
    with pytest.raises(ValueError):
        tlsm.Connection(tlsm.ServerConfig())  # a server needs an identity
    with pytest.raises(ValueError):
        tlsm.Connection(client_config())  # a verifying client needs a host name
    with pytest.raises(TypeError):
        tlsm.Connection(object())  # type: ignore[arg-type]


def test_frozen_config():
    ccfg = client_config()
    tlsm.Connection(ccfg, HOST)
    with pytest.raises(tlsm.ConfigError) as info:
        ccfg.add_trust(pki("ca.crt"))
    assert info.value.code == tlsm.capi.ERR_FROZEN


def test_pem_from_text_and_der_identity():
    chain = pki("server-p256.chain.pem").read_text()
    scfg = tlsm.ServerConfig(chain, pki("server-p256.key").read_bytes(), rng_seed=3, fixed_time=NOW)
    client, server = connected_pair(scfg=scfg)
    assert server.handshake_complete
    key_b64 = "".join(l for l in pki("server-p256.key").read_text().splitlines() if not l.startswith("-----"))
    scfg2 = tlsm.ServerConfig([der("server-p256.crt"), der("intermediate.crt")], base64.b64decode(key_b64),
                              rng_seed=4, fixed_time=NOW)
    client, server = connected_pair(scfg=scfg2)
    assert client.peer_certificate == der("server-p256.crt")


def test_concurrent_use_is_refused_not_crashing():
    client, server = connected_pair()
    errors = []
    start = threading.Barrier(4)

    def hammer():
        start.wait()
        for _ in range(200):
            try:
                client.send_data(b"x" * 1000)
            except RuntimeError:
                errors.append(1)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Whatever interleaving happened, the engine is intact and nothing was lost.
    client.send_data(b"end")
    pump(client, server)
    got = b"".join(e.data for e in server.events() if isinstance(e, tlsm.ApplicationData))
    assert got == b"x" * 1000 * (800 - len(errors)) + b"end"


def test_parallel_handshakes_in_threads():
    # The system RNG: the seeded test generator is not meant for concurrent use.
    scfg = server_config(rng_seed=None, fixed_time=None)
    ccfg = client_config(rng_seed=None, fixed_time=None)
    done = []

    def one():
        for _ in range(20):
            c, s = connected_pair(ccfg=ccfg, scfg=scfg)
            done.append(c.handshake_complete and s.handshake_complete)

    threads = [threading.Thread(target=one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(done) == 80 and all(done)


def test_readme_sans_io_example():
    # The example of python/README.md, with the repository's PKI path.
    pki_dir = str(pki("x"))[:-1]
    server = tlsm.Connection(tlsm.ServerConfig(pki_dir + "server-p256.chain.pem", pki_dir + "server-p256.key"))
    client = tlsm.Connection(tlsm.ClientConfig(trust=pki_dir + "ca.crt"), server_hostname="localhost")
    while not (client.handshake_complete and server.handshake_complete):
        server.receive_data(client.data_to_send())  # b"" is a no-op, never EOF
        client.receive_data(server.data_to_send())
    client.send_data(b"hello")
    server.receive_data(client.data_to_send())
    events = server.events()
    assert isinstance(events[0], tlsm.HandshakeComplete) and events[-1] == tlsm.ApplicationData(b"hello")


def test_gil_is_released_during_crypto():
    # With a huge switch interval the interpreter only changes threads when the running
    # one releases the GIL itself. The ticker thread sleeps (releasing it) and counts;
    # it can count while the main thread is busy only if the C calls release the GIL.
    import sys
    import time

    scfg = server_config("rsa", rng_seed=None, fixed_time=None)  # RSA signing: about a millisecond
    ccfg = client_config(rng_seed=None, fixed_time=None)
    connected_pair(ccfg=ccfg, scfg=scfg)  # warm-up
    ticks = [0]
    active = threading.Event()
    stop = threading.Event()

    def ticker():
        active.wait()
        while not stop.is_set():
            ticks[0] += 1
            time.sleep(0.00005)

    old = sys.getswitchinterval()
    t = threading.Thread(target=ticker)
    t.start()
    try:
        sys.setswitchinterval(100)
        active.set()
        for _ in range(20):
            connected_pair(ccfg=ccfg, scfg=scfg)
        busy_ticks = ticks[0]
    finally:
        stop.set()
        sys.setswitchinterval(old)
        t.join()
    print("ticks while busy:", busy_ticks)
    assert busy_ticks > 0
