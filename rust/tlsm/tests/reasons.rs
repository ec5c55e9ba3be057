//! Failure reasons (issue 14): an error that ended a connection names the check that fired
//! (`Error::reason`, `reason_text`, `alert_sent`, from `tlsm_conn_error_detail`), so two
//! failures that send the same alert are told apart; the testing kit's reports carry it.
mod common;

use std::io::{self, Read};

use common::*;
use tlsm::testing::{Pair, Side};
use tlsm::{Alert, AlertSource, Connection, Error, ErrorKind, Version};

const VERSIONS: [Version; 2] = [Version::Tls12, Version::Tls13];

/// A name the certificate does not cover, and a chain the host rejects: both send
/// bad_certificate; only the reason says which check refused the server.
#[test]
fn same_alert_two_certificate_reasons() {
    for v in VERSIONS {
        let scfg = tlsm_server("server-p256").version(v).build().unwrap();
        let mut c = Connection::client(&tlsm_client().version(v).build().unwrap(), "wrong.example").unwrap();
        let mut s = Connection::server(&scfg).unwrap();
        let wrong_name = try_handshake(&mut c, &mut s).unwrap_err();
        let peer = s.error().expect("the server read the alert");

        let mut c = Connection::client(&tlsm_client().version(v).verify_external(true).build().unwrap(), "localhost").unwrap();
        let mut s = Connection::server(&scfg).unwrap();
        try_handshake(&mut c, &mut s).unwrap(); // stops at the verification question
        let rejected = c.verify_done(false, 0).unwrap_err();

        for e in [wrong_name, rejected] {
            assert_eq!(e.alert(), Some((Alert::BAD_CERTIFICATE, AlertSource::Local)), "{e}");
            assert_eq!(e.alert_sent(), Some(Alert::BAD_CERTIFICATE), "{e}");
            let reason = e.reason().expect("a connection's failure has a reason");
            assert!(e.to_string().ends_with(&format!(" ({reason})")), "{e}");
            assert!(!e.reason_text().unwrap_or("").is_empty());
        }
        assert_eq!(wrong_name.reason(), Some("CERT_NAME_MISMATCH"));
        assert_eq!(rejected.reason(), Some("CERT_REJECTED_BY_HOST"));
        assert_ne!(wrong_name.reason_text(), rejected.reason_text());
        // The server read the alert: the peer's alert is its reason, and it sent none.
        assert_eq!(peer.reason(), Some("PEER_ALERT"));
        assert_eq!(peer.alert_sent(), None);
        assert_eq!(peer.to_string(), "peer sent alert bad_certificate (PEER_ALERT)");
        assert_eq!(peer.kind(), ErrorKind::AlertReceived(Alert::BAD_CERTIFICATE));
    }
}

#[test]
fn untrusted_ca_has_its_own_reason() {
    let ccfg = tlsm::ClientConfig::builder().trust_pem(&pki("client.crt")).build().unwrap();
    let mut c = Connection::client(&ccfg, "localhost").unwrap();
    let mut s = Connection::server(&tlsm_server("server-p256").build().unwrap()).unwrap();
    let e = try_handshake(&mut c, &mut s).unwrap_err();
    assert_eq!((e.reason(), e.alert_sent()), (Some("CERT_UNKNOWN_ISSUER"), Some(Alert::UNKNOWN_CA)), "{e}");
    // The sticky error and the error event say the same.
    assert_eq!(c.error(), Some(e));
    assert!(c.events().any(|ev| ev == tlsm::Event::Error(e)));
}

#[test]
fn tampered_record_is_rec_bad_mac() {
    let mut c = Connection::client(&tlsm_client().build().unwrap(), "localhost").unwrap();
    let mut s = Connection::server(&tlsm_server("server-p256").build().unwrap()).unwrap();
    handshake(&mut c, &mut s);
    c.write_plaintext(b"secret").unwrap();
    let mut rec = c.output().to_vec();
    *rec.last_mut().unwrap() ^= 1;
    let e = s.feed(&rec).unwrap_err();
    assert_eq!(e.reason(), Some("REC_BAD_MAC"));
    assert_eq!(e.alert_sent(), Some(Alert::BAD_RECORD_MAC));
    assert_eq!(e.to_string(), format!("sent alert bad_record_mac (REC_BAD_MAC: {})", e.reason_text().unwrap()));
    assert!(format!("{e:?}").contains("REC_BAD_MAC"));
    // Sticky: the next call fails the same way.
    assert_eq!(s.write_plaintext(b"x").unwrap_err(), e);
}

/// RFC 8446 s.5.2: a changed byte and a record cut below its tag both end in
/// bad_record_mac; the kit's reports and `run`'s error name which check fired.
#[test]
fn kit_reports_tell_apart_two_bad_record_macs() {
    for (spec, reason) in [("corrupt:-1@c2s:msg=Finished", "REC_BAD_MAC"), ("truncate:3@c2s:msg=Finished", "REC_SHORTER_THAN_TAG")] {
        let mut p = Pair::with_test_pki(Some(Version::Tls13)).unwrap();
        p.add_fault(spec).unwrap();
        let err = p.run().unwrap_err();
        p.expect_alert(Side::Server, Alert::BAD_RECORD_MAC);
        let (s, c) = (p.report(Side::Server), p.report(Side::Client));
        assert_eq!(s.reason, Some(reason), "{spec}");
        assert_eq!(c.reason, Some("PEER_ALERT"), "{spec}");
        let (se, ce) = (s.error.unwrap(), c.error.unwrap());
        assert_eq!((se.reason(), se.alert_sent()), (Some(reason), Some(Alert::BAD_RECORD_MAC)));
        assert_eq!((ce.reason(), ce.alert_sent()), (Some("PEER_ALERT"), None));
        assert!(err == se || err == ce, "run returned {err:?}");
        assert!(p.events(Side::Server).contains(&tlsm::Event::Error(se)), "{spec}: error event");
        // EOF to the failed server returns its sticky error, with the reason.
        assert_eq!(p.eof(Side::Client).unwrap_err(), se);
    }
}

/// Through the Stream adapter: the io::Error holds the tlsm error with its reason.
#[test]
fn truncation_reason_through_stream() {
    let mut c = Connection::client(&tlsm_client().build().unwrap(), "localhost").unwrap();
    let mut s = Connection::server(&tlsm_server("server-p256").build().unwrap()).unwrap();
    handshake(&mut c, &mut s);
    let mut rx = io::Cursor::new(Vec::new()); // the transport ends at once
    let mut transport = Duplex { rx: &mut rx };
    let err = tlsm::Stream::new(&mut c, &mut transport).read(&mut [0u8; 16]).unwrap_err();
    let inner = Error::from_io(&err).expect("a tlsm error inside");
    assert_eq!((inner.reason(), inner.alert_sent()), (Some("TRUNCATED"), None));
    assert!(err.to_string().contains("TRUNCATED"), "{err}");
}

#[test]
fn errors_outside_a_connection_failure_have_no_reason() {
    let mut c = Connection::client(&tlsm_client().build().unwrap(), "localhost").unwrap();
    let misuse = c.write_plaintext(b"too early").unwrap_err();
    let config = tlsm::ServerConfig::builder().identity_pem(b"not pem", b"not pem").build().unwrap_err();
    for e in [misuse, config] {
        assert_eq!((e.reason(), e.reason_text(), e.alert_sent()), (None, None, None), "{e}");
        assert!(!e.to_string().contains('('), "{e}");
    }
    assert_eq!(c.error(), None);
}

/// A transport that only reads (from a cursor) and accepts every write.
struct Duplex<'a> {
    rx: &'a mut io::Cursor<Vec<u8>>,
}
impl Read for Duplex<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.rx.read(buf)
    }
}
impl io::Write for Duplex<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
