//! A resumed connection reports the peer that the original handshake authenticated (issue
//! 16 item 5): the client sees the server's whole chain and signature scheme again, the
//! server the client's leaf and scheme, in TLS 1.3 (tickets) and TLS 1.2 (tickets and
//! session ids), and again when the resumed connection's own session is resumed.
mod common;

use common::*;
use tlsm::{ClientAuth, Connection, SignatureScheme, Version};

/// What a connection knows about its peer: its chain (DER, leaf first) and scheme.
fn view(c: &Connection) -> (Vec<Vec<u8>>, Option<SignatureScheme>) {
    (c.peer_certificates().into_iter().map(<[u8]>::to_vec).collect(), c.peer_signature_scheme())
}

#[test]
fn resumed_connection_keeps_peer_identity() {
    // (version, tickets): TLS 1.2 without tickets resumes by session id.
    for (v, tickets) in [(Version::Tls13, 1), (Version::Tls12, 1), (Version::Tls12, 0)] {
        let what = format!("{v:?} tickets={tickets}");
        let scfg = tlsm_server("server-p256")
            .version(v)
            .trust_pem(&pki("ca.crt"))
            .client_auth(ClientAuth::Require)
            .tickets(tickets)
            .build()
            .unwrap();
        let ccfg = tlsm_client().version(v).identity_pem(&pki("client.chain.pem"), &pki("client.key")).build().unwrap();
        let mut c = Connection::client(&ccfg, "localhost").unwrap();
        let mut s = Connection::server(&scfg).unwrap();
        handshake(&mut c, &mut s);
        assert!(!c.resumed() && !s.resumed(), "{what}");
        let (server_seen, client_seen) = (view(&c), view(&s));
        // The test PKI: each side sends its leaf and the intermediate.
        assert_eq!(server_seen.0.len(), 2, "{what}");
        assert_eq!(client_seen.0.len(), 2, "{what}");
        assert!(server_seen.1.is_some() && client_seen.1.is_some(), "{what}");

        let mut prev = c;
        // The second round resumes the session the first resumed connection kept.
        for round in 1..=2 {
            let blob = prev.session().unwrap_or_else(|e| panic!("{what} round {round}: {e}"));
            let mut c = Connection::client(&ccfg, "localhost").unwrap();
            c.set_session(&blob).unwrap();
            let mut s = Connection::server(&scfg).unwrap();
            handshake(&mut c, &mut s);
            assert!(c.resumed() && s.resumed(), "{what} round {round}: not resumed");
            // The client keeps the server's whole chain, the server the client's leaf.
            assert_eq!(view(&c), server_seen, "{what} round {round}: client side");
            assert_eq!(view(&s), (client_seen.0[..1].to_vec(), client_seen.1), "{what} round {round}: server side");
            prev = c;
        }
    }
}
