"""A resumed connection reports the peer that the original handshake authenticated
(issue 16 item 5): the client sees the server's whole chain and signature scheme again,
the server the client's leaf and scheme, in TLS 1.3 (tickets) and TLS 1.2 (tickets and
session ids), and again when the resumed connection's own session is resumed."""

from __future__ import annotations

import ssl
from typing import List, Tuple

import pytest

import tlsm

from conftest import client_config, connected_pair, der, pki, server_config

V12, V13 = tlsm.TLSVersion.TLSv1_2, tlsm.TLSVersion.TLSv1_3

View = Tuple[List[bytes], int]


def view(conn: tlsm.Connection) -> View:
    """What a connection knows about its peer: the chain (DER, leaf first) and scheme."""
    return conn.peer_certificates, conn.peer_signature_scheme


@pytest.mark.parametrize(
    "version, tickets",
    [(V13, 1), (V12, 1), (V12, 0)],
    ids=["tls13-ticket", "tls12-ticket", "tls12-session-id"],
)
def test_resumed_connection_keeps_peer_identity(version: tlsm.TLSVersion, tickets: int) -> None:
    scfg = server_config(version=version, tickets=tickets, client_auth=ssl.CERT_REQUIRED,
                         client_trust=pki("ca.crt"))
    ccfg = client_config(version, certificate_chain=pki("client.chain.pem"), private_key=pki("client.key"))
    client, server = connected_pair(version, ccfg=ccfg, scfg=scfg)
    assert not client.resumed and not server.resumed
    server_seen, client_seen = view(client), view(server)
    # The test PKI: the server sends its leaf and the intermediate, the client too.
    assert server_seen[0] == [der("server-p256.crt"), der("intermediate.crt")]
    assert client_seen[0][0] == der("client.crt") and len(client_seen[0]) == 2
    assert server_seen[1] and client_seen[1]

    session = client.session
    for round in (1, 2):  # the second round resumes the session the first resumed one kept
        assert session, f"round {round}: no session"
        again, server2 = connected_pair(version, ccfg=ccfg, scfg=scfg, session=session)
        assert again.resumed and server2.resumed, f"round {round}"
        (done,) = [e for e in again.events() if isinstance(e, tlsm.HandshakeComplete)]
        assert done.resumed
        # The client keeps the server's whole chain; the server the client's leaf only.
        assert view(again) == server_seen, f"round {round}: client side"
        assert view(server2) == (client_seen[0][:1], client_seen[1]), f"round {round}: server side"
        assert again.peer_certificate == server_seen[0][0]
        assert server2.peer_certificate == der("client.crt")
        session = again.session
