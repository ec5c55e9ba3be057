//! tlsm and rustls (aws-lc-rs provider, post-quantum preferred) negotiate X25519MLKEM768
//! with their default settings, in both roles, without a HelloRetryRequest; and a tlsm
//! side limited to the hybrid still meets a rustls side that offers it.
#[path = "../../tlsm/tests/common/mod.rs"]
mod common;

use std::io::Write;
use std::sync::Arc;

use common::{pki, tlsm_client, tlsm_server, Mixed};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tlsm::{Connection, NamedGroup, Version};

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

fn certs(file: &str) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_slice_iter(&pki(file)).collect::<Result<_, _>>().unwrap()
}

fn rustls_server() -> rustls::Connection {
    let cfg = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs("server-p256.chain.pem"), PrivateKeyDer::from_pem_slice(&pki("server-p256.key")).unwrap())
        .unwrap();
    rustls::ServerConnection::new(Arc::new(cfg)).unwrap().into()
}

fn rustls_client() -> rustls::Connection {
    let mut roots = rustls::RootCertStore::empty();
    for c in certs("ca.crt") {
        roots.add(c).unwrap();
    }
    let cfg = rustls::ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    rustls::ClientConnection::new(Arc::new(cfg), ServerName::try_from("localhost").unwrap()).unwrap().into()
}

fn rustls_group(m: &Mixed) -> Option<rustls::NamedGroup> {
    m.r.negotiated_key_exchange_group().map(|g| g.name())
}

/// The handshake ran, data flows, the hybrid was chosen on both sides, and no
/// HelloRetryRequest was needed (tlsm sends shares for X25519MLKEM768 and X25519).
fn check(mut m: Mixed, what: &str) {
    m.pump().unwrap();
    assert!(m.t.handshake_done() && !m.r.is_handshaking(), "{what}: {:?}", m.t.error());
    assert_eq!(m.t.version(), Some(Version::Tls13));
    assert_eq!(m.t.group(), Some(NamedGroup::X25519MLKEM768), "{what}");
    assert_eq!(rustls_group(&m), Some(rustls::NamedGroup::X25519MLKEM768), "{what}");
    assert!(!m.t.hello_retry_request(), "{what}: no HelloRetryRequest");
    m.t.write_plaintext(b"ping").unwrap();
    m.r.writer().write_all(b"pong").unwrap();
    m.pump().unwrap();
    assert_eq!(m.r_rx, b"ping", "{what}");
    assert_eq!(m.t_rx, b"pong", "{what}");
}

#[test]
fn rustls_offers_the_hybrid_first() {
    let p = rustls::crypto::aws_lc_rs::default_provider();
    assert_eq!(p.kx_groups[0].name(), rustls::NamedGroup::X25519MLKEM768, "the peer under test prefers the hybrid");
}

#[test]
fn tlsm_client_rustls_server() {
    let cfg = tlsm_client().build().unwrap();
    check(Mixed::new(Connection::client(&cfg, "localhost").unwrap(), rustls_server()), "tlsm client");
}

#[test]
fn rustls_client_tlsm_server() {
    let cfg = tlsm_server("server-p256").build().unwrap();
    check(Mixed::new(Connection::server(&cfg).unwrap(), rustls_client()), "tlsm server");
}

#[test]
fn hybrid_only_both_roles() {
    let only = [NamedGroup::X25519MLKEM768];
    let cfg = tlsm_client().groups(&only).build().unwrap();
    check(Mixed::new(Connection::client(&cfg, "localhost").unwrap(), rustls_server()), "tlsm client, hybrid only");
    let cfg = tlsm_server("server-p256").groups(&only).build().unwrap();
    check(Mixed::new(Connection::server(&cfg).unwrap(), rustls_client()), "tlsm server, hybrid only");
}
