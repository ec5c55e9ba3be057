//! Misuse at the Rust/C boundary, as a user could write it: a clock closure that panics
//! (the panic must not unwind through the C core; the handshake fails instead) and a NUL
//! inside a server name (refused, not cut short).
use tlsm::testing::{test_pki_dir, Pair, Side, TEST_TIME_MS};
use tlsm::{CertificateError, ClientConfig, Connection, ErrorKind, ServerConfig};

fn read(f: &str) -> Vec<u8> {
    std::fs::read(test_pki_dir().join(f)).unwrap()
}

fn server() -> ServerConfig {
    ServerConfig::builder()
        .identity_pem(&read("server-p256.chain.pem"), &read("server-p256.key"))
        .fixed_clock(TEST_TIME_MS)
        .build()
        .unwrap()
}

#[test]
fn panicking_clock_fails_the_handshake_without_unwinding_into_c() {
    let client = ClientConfig::builder()
        .trust_pem(&read("ca.crt"))
        .clock(|| panic!("the clock is broken"))
        .build()
        .unwrap();
    let mut pair = Pair::new(&client, &server(), "localhost").unwrap();
    let err = pair.run().unwrap_err();
    let report = pair.report(Side::Client);
    assert!(!report.handshake_done);
    // The clock read as the Unix epoch: the server's certificate is not yet valid then.
    assert_eq!(report.error.unwrap().kind(), ErrorKind::Certificate(CertificateError::NotValidYet), "{err}");
}

#[test]
fn panicking_clock_on_a_connection_is_an_error() {
    let client = ClientConfig::builder()
        .trust_pem(&read("ca.crt"))
        .clock(|| panic!("the clock is broken"))
        .build()
        .unwrap();
    let mut c = Connection::client(&client, "localhost").unwrap();
    let mut s = Connection::server(&server()).unwrap();
    let mut failed = None;
    for _ in 0..10 {
        let out = c.output().to_vec();
        c.output().consume(out.len()).unwrap();
        if let Err(e) = s.feed(&out) {
            failed = Some(e);
            break;
        }
        let back = s.output().to_vec();
        s.output().consume(back.len()).unwrap();
        if let Err(e) = c.feed(&back) {
            failed = Some(e);
            break;
        }
    }
    assert!(failed.is_some() && c.error().is_some(), "the handshake went through");
}

#[test]
fn nul_in_server_name_is_refused() {
    let client = ClientConfig::builder().trust_pem(&read("ca.crt")).build().unwrap();
    let err = Connection::client(&client, "localhost\0.attacker.example").unwrap_err();
    assert_eq!(err.code(), tlsm::sys::TLSM_ERR_ARG);
    let err = Pair::new(&client, &server(), "localhost\0.attacker.example").unwrap_err();
    assert_eq!(err.code(), tlsm::sys::TLSM_ERR_ARG);
}
