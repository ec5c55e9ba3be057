"""tlsm.testing: the in-memory testing kit from Python (Pair, reports, faults, traces,
pcap and key log) and its pytest fixtures (loaded by conftest.py's pytest_plugins)."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import tlsm
from tlsm.testing import PCAP_MAGIC, TEST_HOST, LivelockError, Pair, Side, default_configs, find_test_pki

V12 = tlsm.TLSVersion.TLSv1_2
V13 = tlsm.TLSVersion.TLSv1_3
BOTH = pytest.mark.parametrize("tls_pair", [V12, V13], indirect=True, ids=["tls12", "tls13"])

KEYLOG_LABELS = {
    V13: {
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
        "SERVER_HANDSHAKE_TRAFFIC_SECRET",
        "CLIENT_TRAFFIC_SECRET_0",
        "SERVER_TRAFFIC_SECRET_0",
    },
    V12: {"CLIENT_RANDOM"},
}


def version_of(pair: Pair) -> tlsm.TLSVersion:
    v = pair.client_report.version
    assert v is not None
    return v


# ---------------------------------------------------------------- handshakes and data


@BOTH
def test_handshake_data_and_close(tls_pair: Pair) -> None:
    assert tls_pair.run(check=True) is None
    c, s = tls_pair.reports
    assert c.ok and s.ok and tls_pair.handshake_complete
    assert c.version == s.version and c.version in (V12, V13)
    assert c.suite == s.suite and c.suite and c.suite.startswith("TLS_")
    # TLS 1.3 takes the post-quantum hybrid by default; TLS 1.2 has no such group.
    assert c.group == s.group == ("X25519MLKEM768" if c.version == V13 else "x25519")
    assert not c.resumed and not c.hrr and c.alert_sent is None and c.error_name is None
    assert c.side is Side.CLIENT and s.side is Side.SERVER

    assert tls_pair.write("client", b"ping" * 5000) is None  # two records
    assert tls_pair.pending("server") == 20000
    assert tls_pair.read("server", 4) == b"ping"
    assert tls_pair.read("server") == b"ping" * 4999
    assert tls_pair.pending("server") == 0
    assert tls_pair.write(Side.SERVER, b"pong") is None
    assert tls_pair.read(Side.CLIENT) == b"pong"
    assert tls_pair.server_report.app_bytes_received == 20000

    assert tls_pair.close("client") is None
    assert tls_pair.server_report.peer_closed
    assert tls_pair.eof("c2s") is None  # after close_notify: a clean end
    assert tls_pair.peer_certificates("client")[0].startswith(b"\x30")
    assert tls_pair.peer_certificates("server") == ()


def test_default_pair_negotiates_tls13(tls_pair: Pair) -> None:
    tls_pair.run(check=True)
    assert tls_pair.client_report.version == V13
    assert tls_pair.client_report.suite == "TLS_AES_128_GCM_SHA256"


@pytest.mark.parametrize("key", ["ed25519", "p384", "rsa"])
def test_server_keys(tls_pair_factory, key: str) -> None:
    pair = tls_pair_factory(version=V12, key=key)
    pair.run(check=True)
    assert pair.handshake_complete


def test_client_auth_alpn_hrr(tlsm_test_pki: Path) -> None:
    ccfg, scfg = default_configs(
        V13,
        client_auth=True,
        client_kw={"alpn_protocols": ["h2", "http/1.1"], "groups": ["P-256", "x25519"]},
        server_kw={"alpn_protocols": ["http/1.1"], "groups": ["x25519"]},
    )
    with Pair(ccfg, scfg) as pair:
        pair.run(check=True)
        c, s = pair.reports
        assert c.hrr and s.hrr and c.group == "x25519"
        assert pair.alpn_protocol("client") == pair.alpn_protocol("server") == "http/1.1"
        assert pair.peer_certificates("server")  # the client's certificate arrived
        assert any(e.message == "ServerHello" and e.hrr for e in pair.events("client"))
    with pytest.raises(ValueError, match="freed"):
        pair.run()


@BOTH
def test_resumption_with_session(tls_pair_factory, tls_pair: Pair) -> None:
    version = tls_pair.client_report.version  # None: not started
    assert version is None
    tls_pair.run(check=True)
    session = tls_pair.session
    assert session
    v = version_of(tls_pair)
    again = tls_pair_factory(tls_pair.client_config, tls_pair.server_config, session=session)
    again.run(check=True)
    assert again.client_report.resumed and again.server_report.resumed
    assert again.client_report.version == v


def test_step_by_step(tls_pair: Pair) -> None:
    assert tls_pair.step()  # the ClientHello
    doc = tls_pair.trace_json()
    assert [m["name"] for r in doc["records"] for m in r["messages"]] == ["ClientHello"]
    assert not tls_pair.client_report.handshake_done
    moved = list(tls_pair.steps())
    assert moved and tls_pair.handshake_complete
    assert not tls_pair.step()  # idle


def test_events_trace_every_message(tls_pair_factory) -> None:
    pair = tls_pair_factory(version=V13)
    pair.run(check=True)
    events = pair.events("server")
    sent = [e.message for e in events if e.name == "message_sent"]
    assert sent == ["ServerHello", "ChangeCipherSpec", "EncryptedExtensions", "Certificate",
                    "CertificateVerify", "Finished", "NewSessionTicket"]
    received = [e.message for e in events if e.name == "message_received"]
    assert received == ["ClientHello", "Finished"]  # the client's CCS is dropped (s.5)
    assert [e.name for e in events].count("handshake_done") == 1
    assert sum(e.name == "keylog" for e in events) >= 4


# ---------------------------------------------------------------- faults


@pytest.mark.parametrize(
    "version, spec, client_error, server_error",
    [
        # RFC 8446 s.5.2 / RFC 5246 s.6.2.3: a changed byte fails record authentication.
        (V13, "corrupt:-1@c2s:msg=Finished", "peer:bad_record_mac", "local:bad_record_mac"),
        (V12, "corrupt:-1@s2c:msg=Finished", "local:bad_record_mac", "peer:bad_record_mac"),
        # A plaintext fatal alert injected before the ClientHello (the server reads it).
        (V13, "inject:15030300020228@c2s:msg=ClientHello", None, "peer:handshake_failure"),
        # A duplicate ChangeCipherSpec in TLS 1.2 arrives under protection: s.7.1.
        (V12, "dup@c2s:msg=ChangeCipherSpec", "peer:unexpected_message", "local:unexpected_message"),
        # Fragmenting into 1-byte feeds is just TCP: the handshake completes.
        (V13, "fragment:1@s2c:all", None, None),
    ],
)
def test_fault_ends_with_expected_alert(tls_pair_factory, version, spec, client_error, server_error) -> None:
    pair = tls_pair_factory(version=version, faults=[spec])
    err = pair.run()
    for report, want in ((pair.client_report, client_error), (pair.server_report, server_error)):
        if want is None:
            assert report.error == 0, f"{spec}: {report}"
            continue
        where, alert = want.split(":")
        if where == "local":
            assert report.alert_sent == alert, f"{spec}: {report}"
            assert isinstance(report.exception, tlsm.ProtocolError)
        else:
            assert report.alert_received == alert, f"{spec}: {report}"
            assert isinstance(report.exception, tlsm.PeerAlertError)
        assert report.exception.alert_name == alert
    if client_error or server_error:
        assert isinstance(err, tlsm.TLSError)
        with pytest.raises(type(err)):
            pair.run(check=True)
        # Fault and alert are in the trace.
        doc = pair.trace_json()
        assert any(r["fault"] for r in doc["records"])
    else:
        assert err is None and pair.handshake_complete


def test_certificate_failure_report(tls_pair_factory) -> None:
    pair = tls_pair_factory(server_name="wrong.name.test")
    err = pair.run()
    assert isinstance(err, tlsm.CertificateVerificationError)
    c, s = pair.reports
    assert c.verify_error == tlsm.capi.ERR_CERT_NAME_MISMATCH
    assert c.alert_sent is not None and s.alert_received == c.alert_sent
    assert isinstance(c.exception, tlsm.CertificateVerificationError)


def test_stall_then_truncation(tls_pair_factory) -> None:
    pair = tls_pair_factory(version=V13, faults=["drop@c2s:msg=ClientHello"])
    assert pair.run() is None
    assert not pair.client_report.handshake_done and pair.client_report.error == 0
    assert isinstance(pair.eof("c2s"), tlsm.TruncatedError)
    assert isinstance(pair.eof("s2c"), tlsm.TruncatedError)


def test_seed_makes_runs_reproducible(tlsm_test_pki: Path) -> None:
    def run(seed: int) -> bytes:
        with Pair(version=V13, seed=seed, faults=["corrupt@s2c:msg=Certificate"]) as pair:
            assert pair.seed == seed
            assert isinstance(pair.run(), tlsm.ProtocolError)
            assert pair.client_report.alert_sent == "bad_record_mac"
            return pair.pcap() + pair.trace("json").encode()

    assert run(7) == run(7)


def test_api_errors(tls_pair: Pair) -> None:
    with pytest.raises(ValueError, match="fault spec"):
        tls_pair.add_fault("explode@c2s")
    assert tls_pair.add_fault("dup@s2c:rec=99") is tls_pair  # chainable, never matches
    with pytest.raises(tlsm.StateError):
        tls_pair.write("client", b"too early")
    with pytest.raises(ValueError):
        tls_pair.trace("svg")
    with pytest.raises(ValueError):
        tls_pair.read("middle")
    with pytest.raises(ValueError):
        tls_pair.eof("up")
    with pytest.raises(ValueError):
        Pair(client_config=default_configs()[0])
    ccfg, scfg = default_configs()
    with pytest.raises(TypeError):
        Pair(scfg, ccfg)  # type: ignore[arg-type]
    assert LivelockError.__mro__[1] is RuntimeError


def test_key_update(tls_pair_factory) -> None:
    pair = tls_pair_factory(version=V13)
    pair.run(check=True)
    assert pair.key_update("client", request_peer=True) is None
    pair.write("server", b"after update")
    assert pair.read("client") == b"after update"
    epochs = {r["epoch"] for r in pair.trace_json()["records"]}
    assert "application 1" in epochs
    pair12 = tls_pair_factory(version=V12)
    pair12.run(check=True)
    with pytest.raises(tlsm.StateError):
        pair12.key_update("client")


# ---------------------------------------------------------------- traces, pcap, key log


@BOTH
def test_trace_formats(tls_pair: Pair) -> None:
    tls_pair.run(check=True)
    tls_pair.write("client", b"hello")
    ladder = tls_pair.trace()
    assert ladder == tls_pair.trace("ladder")
    assert "client" in ladder and "server" in ladder and "ClientHello" in ladder and "Finished" in ladder
    mermaid = tls_pair.trace("mermaid")
    assert mermaid.startswith("sequenceDiagram\n")
    assert "ClientHello" in mermaid
    text = tls_pair.trace("json")
    doc = json.loads(text)
    assert doc == tls_pair.trace_json()
    records = doc["records"]
    assert records[0]["dir"] == "c2s" and records[0]["messages"][0]["name"] == "ClientHello"
    hello = records[0]["messages"][0]
    assert "TLS 1.3" in hello["versions"] or version_of(tls_pair) == V12
    assert {r["dir"] for r in records} == {"c2s", "s2c"}
    assert any(r["type"] == "application_data" for r in records)
    assert all(isinstance(r["step"], int) and r["length"] > 0 for r in records)
    assert doc["client"]["error"] == 0 and doc["server"]["error_name"] == "none"
    assert doc["client"]["version"] == doc["server"]["version"] and doc["steps"] >= 4


@BOTH
def test_pcap_and_keylog(tls_pair: Pair, tmp_path: Path) -> None:
    tls_pair.run(check=True)
    tls_pair.write("client", b"GET / HTTP/1.0\r\n\r\n")
    pcap = tls_pair.pcap()
    assert pcap[:4] == PCAP_MAGIC
    magic, major, minor, _, _, snaplen, linktype = struct.unpack("<IHHiIII", pcap[:24])
    assert (major, minor, linktype) == (2, 4, 1)  # LINKTYPE_ETHERNET
    assert len(pcap) > 24 + 3 * 54
    keylog = tls_pair.keylog()
    lines = keylog.splitlines()
    assert lines and keylog.endswith("\n")
    labels = {line.split()[0] for line in lines}
    assert KEYLOG_LABELS[version_of(tls_pair)] <= labels
    for line in lines:
        label, client_random, secret = line.split(" ")
        assert len(client_random) == 64 and int(client_random, 16) >= 0
        assert len(secret) in (64, 96) and int(secret, 16) >= 0

    tls_pair.save_capture(tmp_path / "c.pcap", tmp_path / "c.keys")
    assert (tmp_path / "c.pcap").read_bytes() == pcap
    assert (tmp_path / "c.keys").read_text() == keylog


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed")
@BOTH
def test_tshark_decrypts_the_capture(tls_pair: Pair, tmp_path: Path) -> None:
    tls_pair.run(check=True)
    tls_pair.write("client", b"secret-marker-from-python")
    tls_pair.save_capture(tmp_path / "c.pcap", tmp_path / "c.keys")
    def tshark(*args: str) -> str:
        out = subprocess.run(
            ["tshark", "-r", str(tmp_path / "c.pcap"), "-o", f"tls.keylog_file:{tmp_path / 'c.keys'}",
             "-Y", "tls", *args],
            capture_output=True, text=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)},
        )
        assert out.returncode == 0, out.stderr
        return out.stdout

    fields = tshark("-T", "fields", "-e", "tls.handshake.type").split()
    types = {t for f in fields for t in f.split(",")}
    assert {"1", "2", "20"} <= types  # ClientHello, ServerHello and the encrypted Finished
    # The "Decrypted TLS" byte blocks of `tshark -x` carry the application data.
    decrypted = bytearray()
    block = False
    for line in tshark("-x").splitlines():
        if line.startswith("Decrypted TLS"):
            block = True
        elif not line.strip() or not line[:4].isalnum() or line.endswith(":"):
            block = False
        elif block:
            decrypted += bytes.fromhex(line[6:54])
    assert b"secret-marker-from-python" in decrypted


# ---------------------------------------------------------------- discovery and plugin


def test_find_test_pki(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = find_test_pki()
    assert (found / "ca.crt").is_file()
    # The copy installed with the package, whatever the current directory.
    assert found.parent == Path(tlsm.__file__).resolve().parent
    monkeypatch.chdir(tmp_path)
    assert find_test_pki() == found
    assert find_test_pki(found) == found
    with pytest.raises(FileNotFoundError, match="pki="):
        find_test_pki(tmp_path)
    monkeypatch.setenv("TLSM_TEST_PKI", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="TLSM_TEST_PKI"):
        find_test_pki()
    assert TEST_HOST == "localhost"


def test_missing_pki_is_an_error_not_a_skip(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["tlsm.testing"]\n')
    (tmp_path / "test_user.py").write_text("def test_x(tls_pair):\n    tls_pair.run(check=True)\n")
    env = {**os.environ, "TLSM_TEST_PKI": str(tmp_path / "nowhere")}
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120,
    )
    assert out.returncode != 0 and "1 error" in out.stdout, out.stdout + out.stderr
    assert "skipped" not in out.stdout and "nowhere" in out.stdout


def test_plugin_attaches_trace_to_failures(tmp_path: Path, tlsm_test_pki: Path) -> None:
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["tlsm.testing"]\n')
    (tmp_path / "test_user.py").write_text(
        textwrap.dedent(
            """
            def test_fails(tls_pair):
                tls_pair.run(check=True)
                assert tls_pair.client_report.resumed, "expected resumption"

            def test_passes(tls_pair):
                tls_pair.run(check=True)
                assert tls_pair.handshake_complete
            """
        )
    )
    env = {k: v for k, v in os.environ.items() if k != "TLSM_TEST_PKI"}  # the installed copy
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120,
    )
    assert "1 failed, 1 passed" in out.stdout, out.stdout + out.stderr
    assert "tlsm pair 0 trace" in out.stdout and "ClientHello" in out.stdout
