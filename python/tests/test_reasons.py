"""Failure reasons (issue 14): a failed connection's exception names the check that fired
(``reason``, ``reason_text``, ``alert_sent``, from ``tlsm_conn_error_detail``), so two
failures that send the same alert are told apart; the testing kit's reports carry it too."""

from __future__ import annotations

import pytest

import tlsm
from tlsm.testing import Pair

from conftest import HOST, client_config, connected_pair, handshake, pki, server_config

V12, V13 = tlsm.TLSVersion.TLSv1_2, tlsm.TLSVersion.TLSv1_3
BAD_CERTIFICATE = tlsm.capi.ALERT_BAD_CERTIFICATE
BAD_RECORD_MAC = tlsm.capi.ALERT_BAD_RECORD_MAC


def fail_handshake(client: tlsm.Connection, server: tlsm.Connection) -> tlsm.TLSError:
    with pytest.raises(tlsm.TLSError) as info:
        handshake(client, server)
    return info.value


@pytest.mark.parametrize("version", [V12, V13], ids=lambda v: v.name)
def test_same_alert_two_certificate_reasons(version: tlsm.TLSVersion) -> None:
    # A name the certificate does not cover, and a chain the host's own check rejects: both
    # send bad_certificate; only the reason says which check refused the server.
    wrong_name = fail_handshake(tlsm.Connection(client_config(version), "wrong.example"),
                                tlsm.Connection(server_config(version=version)))
    client = tlsm.Connection(client_config(version, external_verification=True), HOST)
    handshake(client, tlsm.Connection(server_config(version=version)))
    with pytest.raises(tlsm.CertificateVerificationError) as info:
        client.reject_peer()
    rejected = info.value
    for err in (wrong_name, rejected):
        assert isinstance(err, tlsm.CertificateVerificationError)
        assert err.alert == err.alert_sent == BAD_CERTIFICATE
    assert wrong_name.reason == "CERT_NAME_MISMATCH"
    assert rejected.reason == "CERT_REJECTED_BY_HOST"
    assert "CERT_NAME_MISMATCH" in str(wrong_name) and "CERT_REJECTED_BY_HOST" in str(rejected)
    assert wrong_name.reason_text and wrong_name.reason_text != rejected.reason_text
    # The certificate problem is said once in words, then named.
    assert str(wrong_name).count(wrong_name.verify_message) == 1
    assert wrong_name.reason_text not in str(wrong_name)


def test_untrusted_ca_has_its_own_reason() -> None:
    err = fail_handshake(tlsm.Connection(client_config(trust=pki("client.crt")), HOST),
                         tlsm.Connection(server_config()))
    assert err.reason == "CERT_UNKNOWN_ISSUER"
    assert err.alert_sent == tlsm.capi.ALERT_UNKNOWN_CA


@pytest.mark.parametrize("spec, reason", [
    ("corrupt:-1@c2s:msg=Finished", "REC_BAD_MAC"),
    ("truncate:3@c2s:msg=Finished", "REC_SHORTER_THAN_TAG"),
])
def test_same_alert_two_record_reasons_in_the_kit(tls_pair_factory, spec: str, reason: str) -> None:
    # RFC 8446 s.5.2: a changed byte, and a record cut below its tag, both end in
    # bad_record_mac on the server; the reports, run()'s error and the exceptions name which.
    pair: Pair = tls_pair_factory(version=V13, faults=[spec])
    err = pair.run()
    c, s = pair.reports
    assert s.alert_sent == c.alert_received == "bad_record_mac"
    assert s.reason == reason and s.reason_text
    assert c.reason == "PEER_ALERT" and c.alert_sent is None
    assert isinstance(err, tlsm.TLSError)
    by_side = {e.reason: e for e in (s.exception, c.exception)}
    assert set(by_side) == {reason, "PEER_ALERT"}
    assert err.reason in by_side and str(err) == str(by_side[err.reason])
    local = s.exception
    assert isinstance(local, tlsm.ProtocolError)
    assert local.alert_sent == BAD_RECORD_MAC and f"({reason}: {s.reason_text})" in str(local)
    peer = c.exception
    assert isinstance(peer, tlsm.PeerAlertError) and peer.alert == BAD_RECORD_MAC
    assert peer.alert_sent is None
    with pytest.raises(tlsm.TLSError) as info:
        pair.run(check=True)
    assert info.value.reason == err.reason


def test_tampered_record_reason_is_sticky() -> None:
    client, server = connected_pair()
    client.send_data(b"secret")
    rec = bytearray(client.data_to_send())
    rec[-1] ^= 1
    with pytest.raises(tlsm.ProtocolError) as info:
        server.receive_data(bytes(rec))
    err = info.value
    assert (err.reason, err.alert_sent) == ("REC_BAD_MAC", BAD_RECORD_MAC)
    assert "REC_BAD_MAC" in str(err)
    assert server.error is err
    with pytest.raises(tlsm.ProtocolError) as again:
        server.send_data(b"x")
    assert again.value.reason == "REC_BAD_MAC"
    # The peer reads the alert: its own reason is the peer's alert, and it sent none.
    with pytest.raises(tlsm.PeerAlertError) as peer:
        client.receive_data(server.data_to_send())
    assert (peer.value.reason, peer.value.alert_sent, peer.value.alert) == ("PEER_ALERT", None, BAD_RECORD_MAC)
    assert str(peer.value) == "peer sent alert bad_record_mac (PEER_ALERT)"


def test_truncation_reason() -> None:
    client, server = connected_pair()
    with pytest.raises(tlsm.TruncatedError) as info:
        server.receive_eof()
    assert info.value.reason == "TRUNCATED" and info.value.alert_sent is None


def test_errors_outside_a_connection_failure_have_no_reason() -> None:
    with pytest.raises(tlsm.ConfigError) as config:
        tlsm.Connection(client_config(), HOST, session=b"not a session")
    client = tlsm.Connection(client_config(), HOST)
    with pytest.raises(tlsm.StateError) as state:
        client.send_data(b"too early")  # misuse: not the connection's failure
    for err in (config.value, state.value):
        assert (err.reason, err.reason_text, err.alert_sent) == ("", "", None)
        assert str(err) == tlsm.strerror(err.code)
    assert client.error is None
