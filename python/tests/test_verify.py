"""tlsm.verify_chain: certificate chains of the test PKI checked without a handshake, and
the same verdict as a handshake for the same chain, name, purpose and time."""

from __future__ import annotations

import datetime
import ssl

import pytest
from conftest import HOST, NOW, der, pki

import tlsm
from tlsm import capi
from tlsm.testing import Pair, default_configs

CA = pki("ca.crt")
CHAIN = pki("server-p256.chain.pem")


def test_ok_from_pem_file() -> None:
    r = tlsm.verify_chain(CHAIN, CA, hostname=HOST, time=NOW)
    assert r.ok and bool(r) and r.error == 0 and r.error_name is None
    assert r.fault is None and r.fault_anchor is None and r.exception is None
    assert r.chain == (der("server-p256.crt"), der("intermediate.crt"), der("ca.crt"))
    assert r.path == ((0, None), (1, None), (None, 0))
    assert r.time == int(NOW)
    r.raise_for_error()


def test_ok_from_der_list_in_any_order_with_extras() -> None:
    certs = [der("server-rsa.crt"), der("client.crt"), der("intermediate.crt")]
    r = tlsm.verify_chain(certs, CA.read_bytes(), hostname="localhost", time=NOW)
    assert r.ok, r
    assert r.path == ((0, None), (2, None), (None, 0))
    assert r.chain[1] == der("intermediate.crt")


@pytest.mark.parametrize("name", ["127.0.0.1", "::1", "[::1]", "server.tlsm.test."])
def test_ip_and_dns_names(name: str) -> None:
    assert tlsm.verify_chain(CHAIN, CA, hostname=name, time=NOW).ok


def test_client_certificate_purpose() -> None:
    assert tlsm.verify_chain(pki("client.chain.pem"), CA, purpose="client", time=NOW).ok
    r = tlsm.verify_chain(pki("client.chain.pem"), CA, purpose="server", time=NOW)
    assert r.error == capi.ERR_CERT_USAGE and r.fault == 0
    r = tlsm.verify_chain(CHAIN, CA, purpose="client", time=NOW)
    assert r.error == capi.ERR_CERT_USAGE


@pytest.mark.parametrize(
    "kwargs, certs, error, fault",
    [
        ({"hostname": "other.test"}, CHAIN, capi.ERR_CERT_NAME_MISMATCH, 0),
        ({}, pki("server-p256.crt"), capi.ERR_CERT_UNKNOWN_ISSUER, 0),
        ({"time": 4102444800 * 2}, CHAIN, capi.ERR_CERT_EXPIRED, 0),
        ({"time": datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)}, CHAIN,
         capi.ERR_CERT_NOT_YET_VALID, 0),
        ({"max_depth": 2}, CHAIN, capi.ERR_CERT_PATH_LEN, None),
        ({}, [b"\x30\x03\x02\x01\x01"], capi.ERR_CERT_PARSE, 0),
        ({}, [der("server-p256.crt"), b"\x30\x00"], capi.ERR_CERT_PARSE, 1),
    ],
)
def test_failures_name_the_certificate_at_fault(kwargs, certs, error, fault) -> None:
    kwargs.setdefault("time", NOW)
    r = tlsm.verify_chain(certs, CA, **kwargs)
    assert not r and r.error == error, r
    assert r.error_name == tlsm.strerror(error)
    assert r.fault == fault
    assert r.chain == () and r.path == ()
    exc = r.exception
    assert isinstance(exc, tlsm.CertificateVerificationError)
    assert isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_code == error
    with pytest.raises(tlsm.CertificateVerificationError):
        r.raise_for_error()


def test_trust_config_and_its_clock() -> None:
    cfg = tlsm.ClientConfig(CA, fixed_time=NOW)
    r = tlsm.verify_chain(CHAIN, cfg, hostname=HOST)  # time from the config's clock
    assert r.ok and r.time == int(NOW)
    cfg.set_time(NOW * 3)
    assert tlsm.verify_chain(CHAIN, cfg).error == capi.ERR_CERT_EXPIRED
    empty = tlsm.ClientConfig(insecure_no_verification=True)
    r = tlsm.verify_chain(CHAIN, empty, time=NOW)
    assert r.error == capi.ERR_CERT_NO_TRUST and r.fault is None
    # A config used by a connection (frozen) still serves as a trust store.
    used = tlsm.ClientConfig(CA, fixed_time=NOW)
    tlsm.Connection(used, HOST)
    assert tlsm.verify_chain(CHAIN, used).ok


def test_pinned_leaf_is_its_own_anchor() -> None:
    r = tlsm.verify_chain([der("server-p256.crt")], tlsm.ClientConfig(pki("server-p256.crt")), time=NOW)
    assert r.ok, r  # a leaf that is itself an anchor: one element with both indices
    assert r.path == ((0, 0),) and r.chain == (der("server-p256.crt"),)


def test_pem_text_and_bytes_inputs() -> None:
    text = CHAIN.read_text()
    assert tlsm.verify_chain(text, CA.read_text(), time=NOW).ok
    assert tlsm.verify_chain(text.encode(), [CA], time=NOW).ok
    # One DER certificate (the intermediate is missing); the root itself may not be a leaf.
    assert tlsm.verify_chain(der("server-p256.crt"), CA, time=NOW).error == capi.ERR_CERT_UNKNOWN_ISSUER
    assert tlsm.verify_chain(der("ca.crt"), CA, time=NOW).error == capi.ERR_CERT_USAGE
    r = tlsm.verify_chain(b"-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n", CA, time=NOW)
    assert not r.ok and r.error in (capi.ERR_PEM, capi.ERR_NO_CERT, capi.ERR_CERT_PARSE)
    r = tlsm.verify_chain(b"-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n", CA, time=NOW)
    assert r.error == capi.ERR_NO_CERT


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError):
        tlsm.verify_chain(CHAIN, CA, purpose="email")
    with pytest.raises(ValueError):
        tlsm.verify_chain(CHAIN, CA, hostname="", time=NOW)
    with pytest.raises(ValueError):
        tlsm.verify_chain(CHAIN, CA, time=datetime.datetime(2027, 1, 1))  # naive
    with pytest.raises(ValueError):
        tlsm.verify_chain([b""], CA, time=NOW)
    with pytest.raises(TypeError):
        tlsm.verify_chain(42, CA)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "server_name, fixed_time, key",
    [
        (HOST, NOW, "p256"),
        ("127.0.0.1", NOW, "rsa"),
        ("wrong.tlsm.test", NOW, "p256"),
        (HOST, NOW * 3, "ed25519"),  # expired at the clock of both
        (HOST, 1577836800.0, "p384"),  # 2020: not yet valid
    ],
)
def test_same_verdict_as_a_handshake(server_name: str, fixed_time: float, key: str) -> None:
    ccfg, scfg = default_configs(key=key, fixed_time=fixed_time)
    with Pair(ccfg, scfg, server_name) as pair:
        pair.run()
        handshake = pair.client_report.verify_error
        chain = pair.peer_certificates("client")
        assert chain  # what the server sent
    r = tlsm.verify_chain(list(chain), CA, hostname=server_name, time=fixed_time)
    assert r.error == handshake, (r, tlsm.strerror(handshake))
    assert r.ok == (handshake == 0)
