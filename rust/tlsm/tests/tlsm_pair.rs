//! tlsm against itself in memory: determinism, exporters, key update, events, resumption,
//! truncation through the Stream adapter.
mod common;

use std::io::{self, Read, Write};

use common::*;
use tlsm::{Connection, Event, Version};

fn first_flight(seed: u64) -> Vec<u8> {
    let cfg = tlsm_client().insecure_deterministic_rng(seed).fixed_clock(1_800_000_000_000).build().unwrap();
    let mut c = Connection::client(&cfg, "localhost").unwrap();
    let out = c.output();
    out.to_vec()
}

#[test]
fn deterministic_rng_reproduces_the_client_hello() {
    assert_eq!(first_flight(1), first_flight(1));
    assert_ne!(first_flight(1), first_flight(2));
}

#[test]
fn exporter_keyupdate_and_trace_events() {
    for v in [Version::Tls12, Version::Tls13] {
        let scfg = tlsm_server("server-ed25519").version(v).trace(true).build().unwrap();
        let ccfg = tlsm_client().version(v).build().unwrap();
        let mut c = Connection::client(&ccfg, "localhost").unwrap();
        let mut s = Connection::server(&scfg).unwrap();
        handshake(&mut c, &mut s);
        let events: Vec<Event> = s.events().collect();
        assert!(events.contains(&Event::HandshakeDone), "{events:?}");
        assert!(
            events.iter().any(|e| matches!(e, Event::MessageReceived { msg_type: 1, .. })),
            "trace has the ClientHello: {events:?}"
        );
        assert_eq!(Event::message_name(1), "ClientHello");

        let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
        c.export_keying_material(&mut a, b"EXPORTER-test", Some(b"ctx")).unwrap();
        s.export_keying_material(&mut b, b"EXPORTER-test", Some(b"ctx")).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, [0u8; 32]);

        if v == Version::Tls13 {
            c.key_update(true).unwrap();
            pump(&mut c, &mut s).unwrap();
            pump(&mut s, &mut c).unwrap();
            assert!(s.events().any(|e| e == Event::KeyUpdated { by_peer: true }));
            c.write_plaintext(b"after update").unwrap();
            pump(&mut c, &mut s).unwrap();
            let mut buf = [0u8; 64];
            let n = s.read_plaintext(&mut buf).unwrap();
            assert_eq!(&buf[..n], b"after update");
        }
    }
}

#[test]
fn session_export_and_import() {
    let scfg = tlsm_server("server-p256").ticket_key([9; 32]).build().unwrap();
    let ccfg = tlsm_client().build().unwrap();
    let mut c = Connection::client(&ccfg, "localhost").unwrap();
    let mut s = Connection::server(&scfg).unwrap();
    handshake(&mut c, &mut s);
    assert!(c.events().any(|e| e == Event::NewTicket));
    let blob = c.session().unwrap();

    let mut c2 = Connection::client(&ccfg, "localhost").unwrap();
    c2.set_session(&blob).unwrap();
    let mut s2 = Connection::server(&scfg).unwrap();
    handshake(&mut c2, &mut s2);
    assert!(c2.resumed() && s2.resumed());
    assert!(c2.set_session(b"garbage").is_err(), "too late and malformed");
}

#[test]
fn connection_moves_between_threads() {
    let scfg = tlsm_server("server-p256").build().unwrap();
    let ccfg = tlsm_client().build().unwrap();
    let mut c = Connection::client(&ccfg, "localhost").unwrap();
    let s = std::thread::spawn(move || Connection::server(&scfg).unwrap()).join().unwrap();
    let mut s = std::thread::spawn(move || s).join().unwrap();
    handshake(&mut c, &mut s);
    assert!(c.handshake_done());
}

/// A transport made of two byte queues.
struct Pipe<'a> {
    rx: &'a mut io::Cursor<Vec<u8>>,
    tx: &'a mut Vec<u8>,
}
impl Read for Pipe<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.rx.read(buf)
    }
}
impl Write for Pipe<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tx.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn stream_reports_truncation() {
    let scfg = tlsm_server("server-p256").build().unwrap();
    let ccfg = tlsm_client().build().unwrap();
    let mut c = Connection::client(&ccfg, "localhost").unwrap();
    let mut s = Connection::server(&scfg).unwrap();
    handshake(&mut c, &mut s);
    s.write_plaintext(b"partial").unwrap();
    // The server's records, then the transport ends without close_notify.
    let mut wire = Vec::new();
    while s.status().has_output() {
        s.write_tls(&mut wire).unwrap();
    }
    let (mut rx, mut tx) = (io::Cursor::new(wire), Vec::new());
    let mut pipe = Pipe { rx: &mut rx, tx: &mut tx };
    let mut stream = tlsm::Stream::new(&mut c, &mut pipe);
    let mut got = Vec::new();
    let err = stream.read_to_end(&mut got).unwrap_err();
    assert_eq!(got, b"partial");
    assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    let inner = err.get_ref().and_then(|e| e.downcast_ref::<tlsm::Error>()).unwrap();
    assert!(inner.is_truncated(), "{inner}");
}

/// External verification: the client stops at VerifyPeer, sees the server's chain, and
/// either accepts (the handshake completes) or rejects it (its alert reaches the server).
#[test]
fn external_verification_accepts_and_rejects() {
    for accept in [true, false] {
        let ccfg = tlsm_client().verify_external(true).build().unwrap();
        let scfg = tlsm_server("server-p256").build().unwrap();
        let mut c = Connection::client(&ccfg, "localhost").unwrap();
        let mut s = Connection::server(&scfg).unwrap();
        let mut asked = 0;
        for _ in 0..20 {
            let _ = pump(&mut c, &mut s);
            let _ = pump(&mut s, &mut c);
            let events: Vec<Event> = c.events().collect();
            if events.iter().any(|e| matches!(e, Event::VerifyPeer)) {
                asked += 1;
                assert!(!c.peer_certificates().is_empty());
                let r = c.verify_done(accept, if accept { 0 } else { 49 });
                assert_eq!(r.is_ok(), accept);
            }
        }
        assert_eq!(asked, 1);
        if accept {
            assert!(c.handshake_done() && s.handshake_done());
        } else {
            assert!(!c.handshake_done());
            assert_eq!(c.verify_error(), Some(tlsm::CertificateError::ApplicationRejected));
            assert!(s.error().is_some(), "the server saw the access_denied alert");
        }
    }
}
