//! tlsm against rustls (ring provider), both roles, TLS 1.2 and 1.3, in memory and over
//! TCP on 127.0.0.1; ALPN, client certificates, resumption, and failures with their reasons.
mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

use common::*;
use tlsm::{Alert, AlertSource, ClientAuth, Connection, Event, Version};

const VERSIONS: [Version; 2] = [Version::Tls12, Version::Tls13];

#[test]
fn tlsm_client_rustls_server_in_memory() {
    for v in VERSIONS {
        let cfg = tlsm_client().alpn_protocols(&[b"h2", b"http/1.1"]).build().unwrap();
        let t = Connection::client(&cfg, "localhost").unwrap();
        let mut m = Mixed::new(t, rustls_server_conn(rustls_server(v, &[b"http/1.1"], false)));
        m.pump().unwrap();
        assert!(m.t.handshake_done() && !m.r.is_handshaking(), "{v:?}");
        assert_eq!(m.t.version(), Some(v));
        assert_eq!(m.t.alpn_protocol(), Some(&b"http/1.1"[..]));
        assert_eq!(m.t.peer_certificates().len(), 2, "leaf + intermediate");
        assert!(m.t.cipher_suite().is_some());

        m.t.write_plaintext(b"ping from tlsm").unwrap();
        m.r.writer().write_all(b"pong from rustls").unwrap();
        m.pump().unwrap();
        assert_eq!(m.r_rx, b"ping from tlsm");
        assert_eq!(m.t_rx, b"pong from rustls");

        m.r.send_close_notify();
        m.pump().unwrap();
        assert!(m.t.events().any(|e| e == Event::PeerClosed), "{v:?}");
        assert!(m.t.status().closed());
    }
}

#[test]
fn rustls_client_tlsm_server_in_memory() {
    for v in VERSIONS {
        for key in ["server-p256", "server-rsa", "server-ed25519"] {
            let cfg = tlsm_server(key).alpn_protocols(&[b"h2"]).build().unwrap();
            let t = Connection::server(&cfg).unwrap();
            let mut m = Mixed::new(t, rustls_client_conn(rustls_client(v, &[b"h2"], false)));
            m.pump().unwrap();
            assert!(m.t.handshake_done() && !m.r.is_handshaking(), "{v:?} {key}");
            assert_eq!(m.t.version(), Some(v));
            assert_eq!(m.t.alpn_protocol(), Some(&b"h2"[..]));
            assert_eq!(m.t.server_name(), Some("localhost"));
            assert_eq!(m.r.protocol_version(), Some(rustls_version(v).version));

            m.r.writer().write_all(b"GET /").unwrap();
            m.pump().unwrap();
            assert_eq!(m.t_rx, b"GET /");
            m.t.write_plaintext(&[7u8; 40000][..16000]).unwrap();
            m.pump().unwrap();
            assert_eq!(m.r_rx.len(), 16000);

            m.t.close().unwrap();
            m.pump().unwrap();
        }
    }
}

#[test]
fn client_certificates_both_ways() {
    for v in VERSIONS {
        // tlsm client with a certificate, rustls server requiring one.
        let cfg = tlsm_client().identity_pem(&pki("client.chain.pem"), &pki("client.key")).build().unwrap();
        let mut m = Mixed::new(
            Connection::client(&cfg, "localhost").unwrap(),
            rustls_server_conn(rustls_server(v, &[], true)),
        );
        m.pump().unwrap();
        assert!(m.t.handshake_done() && !m.r.is_handshaking(), "{v:?}");
        assert!(m.r.peer_certificates().is_some_and(|c| !c.is_empty()));

        // rustls client with a certificate, tlsm server requiring one.
        let cfg = tlsm_server("server-p256").trust_pem(&pki("ca.crt")).client_auth(ClientAuth::Require).build().unwrap();
        let mut m = Mixed::new(Connection::server(&cfg).unwrap(), rustls_client_conn(rustls_client(v, &[], true)));
        m.pump().unwrap();
        m.r.writer().write_all(b"x").unwrap();
        m.pump().unwrap();
        assert!(m.t.handshake_done(), "{v:?}: {:?}", m.t.error());
        assert!(!m.t.peer_certificates().is_empty());
    }
}

#[test]
fn tlsm_server_requires_a_client_certificate() {
    let cfg = tlsm_server("server-p256").trust_pem(&pki("ca.crt")).client_auth(ClientAuth::Require).build().unwrap();
    let mut m = Mixed::new(
        Connection::server(&cfg).unwrap(),
        rustls_client_conn(rustls_client(Version::Tls13, &[], false)),
    );
    let _ = m.pump();
    // In TLS 1.3 the client thinks it is done before the server judged its (empty)
    // certificate; the failure shows on tlsm's side.
    let _ = m.r.writer().write_all(b"x");
    let _ = m.pump();
    let e = m.t.error().expect("handshake must fail");
    assert_eq!(m.r_err, Some(rustls::Error::AlertReceived(rustls::AlertDescription::CertificateRequired)));
    assert_eq!(e.alert(), Some((Alert::CERTIFICATE_REQUIRED, AlertSource::Local)), "{e}");
}

#[test]
fn resumption_with_a_rustls_server() {
    for v in VERSIONS {
        let cfg = tlsm_client().build().unwrap();
        let server = rustls_server(v, &[], false);
        let mut m = Mixed::new(Connection::client(&cfg, "localhost").unwrap(), rustls_server_conn(server.clone()));
        m.pump().unwrap();
        m.t.write_plaintext(b"hi").unwrap();
        m.pump().unwrap();
        if v == Version::Tls13 {
            assert!(m.t.events().any(|e| e == Event::NewTicket), "rustls sends TLS 1.3 tickets");
        }
        let blob = m.t.session().unwrap();
        assert!(!blob.is_empty());

        let mut t = Connection::client(&cfg, "localhost").unwrap();
        t.set_session(&blob).unwrap();
        let mut m = Mixed::new(t, rustls_server_conn(server));
        m.pump().unwrap();
        assert!(m.t.handshake_done(), "{v:?}");
        assert!(m.t.resumed(), "{v:?}: session resumed");
    }
}

#[test]
fn alpn_mismatch_fails_with_no_application_protocol() {
    // tlsm server: no protocol in common is fatal (RFC 7301 s.3.2).
    let cfg = tlsm_server("server-p256").alpn_protocols(&[b"h2"]).build().unwrap();
    let mut m = Mixed::new(
        Connection::server(&cfg).unwrap(),
        rustls_client_conn(rustls_client(Version::Tls13, &[b"http/1.1"], false)),
    );
    let err = m.pump().unwrap_err();
    let PumpError::Tlsm(e) = err else { panic!("{err:?}") };
    assert_eq!(Some(e), m.t.error(), "errors are sticky");
    assert_eq!(
        m.r_err,
        Some(rustls::Error::AlertReceived(rustls::AlertDescription::NoApplicationProtocol)),
        "the alert reached rustls"
    );
    assert_eq!(e.alert(), Some((Alert::NO_APPLICATION_PROTOCOL, AlertSource::Local)));
    assert_eq!(e.reason(), Some("ALPN_NO_OVERLAP"));
    assert_eq!(e.to_string(), format!("sent alert no_application_protocol (ALPN_NO_OVERLAP: {})", e.reason_text().unwrap()));

    // rustls server refusing tlsm's offer: tlsm reports the peer's alert.
    let cfg = tlsm_client().alpn_protocols(&[b"spdy/1"]).build().unwrap();
    let mut m = Mixed::new(
        Connection::client(&cfg, "localhost").unwrap(),
        rustls_server_conn(rustls_server(Version::Tls12, &[b"h2"], false)),
    );
    let err = m.pump().unwrap_err();
    assert!(matches!(err, PumpError::Rustls(rustls::Error::NoApplicationProtocol)), "{err:?}");
    let e = m.t.error().expect("tlsm received rustls' alert");
    assert_eq!(e.alert(), Some((Alert::NO_APPLICATION_PROTOCOL, AlertSource::Peer)));
    assert_eq!(e.to_string(), "peer sent alert no_application_protocol (PEER_ALERT)");
}

#[test]
fn verification_failure_reasons() {
    for v in VERSIONS {
        // Wrong host name: the chain is fine, the name is not in the certificate.
        let cfg = tlsm_client().build().unwrap();
        let mut m = Mixed::new(
            Connection::client(&cfg, "not-the-server.example").unwrap(),
            rustls_server_conn(rustls_server(v, &[], false)),
        );
        let err = m.pump().unwrap_err();
        let PumpError::Tlsm(e) = err else { panic!("{err:?}") };
        assert_eq!(e.certificate_error(), Some(tlsm::CertificateError::NotValidForName), "{v:?}: {e:?}");
        assert_eq!(e.kind(), tlsm::ErrorKind::Certificate(tlsm::CertificateError::NotValidForName));
        assert!(matches!(e.alert(), Some((_, AlertSource::Local))));
        assert_eq!(e.to_string().matches("certificate:").count(), 1, "{e}");
        assert_eq!(m.t.verify_error(), Some(tlsm::CertificateError::NotValidForName));

        // No path to a trust anchor: trust only an unrelated end-entity certificate.
        let cfg = tlsm::ClientConfig::builder().trust_pem(&pki("client.crt")).build().unwrap();
        let mut m = Mixed::new(
            Connection::client(&cfg, "localhost").unwrap(),
            rustls_server_conn(rustls_server(v, &[], false)),
        );
        let PumpError::Tlsm(e) = m.pump().unwrap_err() else { panic!() };
        assert_eq!(e.certificate_error(), Some(tlsm::CertificateError::UnknownIssuer), "{v:?}: {e:?}");
        assert_eq!(e.alert(), Some((Alert::UNKNOWN_CA, AlertSource::Local)));
    }
}

#[test]
fn version_mismatch_is_protocol_version() {
    // A TLS 1.3-only tlsm server and a TLS 1.2-only rustls client.
    let cfg = tlsm_server("server-p256").version(Version::Tls13).build().unwrap();
    let mut m = Mixed::new(
        Connection::server(&cfg).unwrap(),
        rustls_client_conn(rustls_client(Version::Tls12, &[], false)),
    );
    assert!(m.pump().is_err());
    let e = m.t.error().unwrap();
    assert_eq!(e.alert(), Some((Alert::PROTOCOL_VERSION, AlertSource::Local)), "{e:?}");
    assert_eq!(m.r_err, Some(rustls::Error::AlertReceived(rustls::AlertDescription::ProtocolVersion)));
}

fn rustls_tcp_server(v: Version) -> (u16, thread::JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let cfg = rustls_server(v, &[], false);
    let h = thread::spawn(move || {
        let (sock, _) = listener.accept().unwrap();
        let conn = rustls::ServerConnection::new(cfg).unwrap();
        let mut s = rustls::StreamOwned::new(conn, sock);
        let mut got = vec![0u8; 5];
        s.read_exact(&mut got).unwrap();
        s.write_all(b"echo:").unwrap();
        s.write_all(&got).unwrap();
        s.conn.send_close_notify();
        s.flush().unwrap();
        got
    });
    (port, h)
}

#[test]
fn tlsm_client_rustls_server_over_tcp() {
    for v in VERSIONS {
        let (port, server) = rustls_tcp_server(v);
        let cfg = tlsm_client().build().unwrap();
        let sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let mut s = tlsm::StreamOwned::new(Connection::client(&cfg, "localhost").unwrap(), sock);
        s.write_all(b"hello").unwrap();
        let mut reply = Vec::new();
        s.read_to_end(&mut reply).unwrap(); // ends cleanly at close_notify
        assert_eq!(reply, b"echo:hello");
        assert_eq!(s.conn.version(), Some(v));
        assert_eq!(server.join().unwrap(), b"hello");
    }
}

#[test]
fn rustls_client_tlsm_server_over_tcp() {
    for v in VERSIONS {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let cfg = tlsm_server("server-rsa").build().unwrap();
        let server = thread::spawn(move || {
            let (sock, _) = listener.accept().unwrap();
            let mut s = tlsm::StreamOwned::new(Connection::server(&cfg).unwrap(), sock);
            let mut got = [0u8; 5];
            s.read_exact(&mut got).unwrap();
            s.write_all(b"echo:").unwrap();
            s.write_all(&got).unwrap();
            s.conn.close().unwrap();
            s.flush().unwrap();
            s.conn.version()
        });
        let sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let conn = rustls::ClientConnection::new(rustls_client(v, &[], false), "localhost".try_into().unwrap()).unwrap();
        let mut s = rustls::StreamOwned::new(conn, sock);
        s.write_all(b"hello").unwrap();
        let mut reply = Vec::new();
        s.read_to_end(&mut reply).unwrap();
        assert_eq!(reply, b"echo:hello");
        assert_eq!(server.join().unwrap(), Some(v));
    }
}
