//! The tokio adapters over TCP on 127.0.0.1: tlsm against tlsm, against tokio-rustls in
//! both roles, both versions; close_notify on shutdown, truncation, handshake failures.
mod common;

use std::io;

use common::{pki, rustls_client, rustls_server};
use rustls::pki_types::ServerName;
use tlsm::tokio::{TlsAcceptor, TlsConnector};
use tlsm::{CertificateError, ClientConfig, Error, ErrorKind, ServerConfig, Version};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const VERSIONS: [Version; 2] = [Version::Tls12, Version::Tls13];

fn server_config(v: Version) -> ServerConfig {
    ServerConfig::builder()
        .identity_pem(&pki("server-p256.chain.pem"), &pki("server-p256.key"))
        .version(v)
        .build()
        .unwrap()
}

fn client_config(v: Version) -> ClientConfig {
    ClientConfig::builder().trust_pem(&pki("ca.crt")).version(v).build().unwrap()
}

async fn tcp() -> (TcpListener, String) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap().to_string();
    (l, addr)
}

/// 200 KiB, several records, not a multiple of anything.
fn payload() -> Vec<u8> {
    (0..200 * 1024 + 7).map(|i| (i * 7 % 251) as u8).collect()
}

#[tokio::test]
async fn tlsm_to_tlsm_echo_and_close_notify() {
    for v in VERSIONS {
        let (listener, addr) = tcp().await;
        let acceptor = TlsAcceptor::new(server_config(v));
        let server = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut tls = acceptor.accept(tcp).await.unwrap();
            let mut got = Vec::new();
            tls.read_to_end(&mut got).await.unwrap(); // ends at the client's close_notify
            tls.write_all(&got).await.unwrap();
            tls.shutdown().await.unwrap();
            got.len()
        });
        let tcp = TcpStream::connect(&addr).await.unwrap();
        let mut tls = TlsConnector::new(client_config(v)).connect("localhost", tcp).await.unwrap();
        assert_eq!(tls.connection().version(), Some(v));
        let data = payload();
        tls.write_all(&data).await.unwrap();
        tls.shutdown().await.unwrap(); // close_notify: the server's read_to_end returns
        let mut back = Vec::new();
        tls.read_to_end(&mut back).await.unwrap(); // and the server's close_notify ends ours
        assert_eq!(back, data, "{v:?}");
        assert_eq!(server.await.unwrap(), data.len());
    }
}

#[tokio::test]
async fn tlsm_client_against_rustls_server() {
    for v in VERSIONS {
        let (listener, addr) = tcp().await;
        let acceptor = tokio_rustls::TlsAcceptor::from(rustls_server(v, &[], false));
        let server = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut tls = acceptor.accept(tcp).await.unwrap();
            let mut got = Vec::new();
            tls.read_to_end(&mut got).await.unwrap();
            tls.write_all(b"bye").await.unwrap();
            tls.shutdown().await.unwrap();
            got
        });
        let tcp = TcpStream::connect(&addr).await.unwrap();
        let mut tls = TlsConnector::new(client_config(v)).connect("localhost", tcp).await.unwrap();
        tls.write_all(&payload()).await.unwrap();
        tls.shutdown().await.unwrap();
        let mut back = Vec::new();
        tls.read_to_end(&mut back).await.unwrap();
        assert_eq!(back, b"bye");
        assert_eq!(server.await.unwrap(), payload(), "{v:?}: rustls saw a clean close after all the data");
    }
}

#[tokio::test]
async fn rustls_client_against_tlsm_server() {
    for v in VERSIONS {
        let (listener, addr) = tcp().await;
        let acceptor = TlsAcceptor::new(server_config(v));
        let server = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut tls = acceptor.accept(tcp).await.unwrap();
            let mut got = Vec::new();
            tls.read_to_end(&mut got).await.unwrap();
            tls.write_all(&got).await.unwrap();
            tls.shutdown().await.unwrap();
        });
        let connector = tokio_rustls::TlsConnector::from(rustls_client(v, &[], false));
        let tcp = TcpStream::connect(&addr).await.unwrap();
        let mut tls = connector.connect(ServerName::try_from("localhost").unwrap(), tcp).await.unwrap();
        tls.write_all(&payload()).await.unwrap();
        tls.shutdown().await.unwrap();
        let mut back = Vec::new();
        tls.read_to_end(&mut back).await.unwrap(); // rustls errors on a missing close_notify
        assert_eq!(back, payload(), "{v:?}");
        server.await.unwrap();
    }
}

#[tokio::test]
async fn truncation_is_unexpected_eof() {
    let (listener, addr) = tcp().await;
    let acceptor = TlsAcceptor::new(server_config(Version::Tls13));
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut tls = acceptor.accept(tcp).await.unwrap();
        tls.write_all(b"partial").await.unwrap();
        tls.flush().await.unwrap();
        let (mut tcp, _) = tls.into_inner();
        tcp.shutdown().await.unwrap(); // TCP FIN without close_notify
    });
    let tcp = TcpStream::connect(&addr).await.unwrap();
    let mut tls = TlsConnector::new(client_config(Version::Tls13)).connect("localhost", tcp).await.unwrap();
    let mut got = Vec::new();
    let err = tls.read_to_end(&mut got).await.unwrap_err();
    assert_eq!(got, b"partial");
    assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    assert_eq!(Error::from_io(&err).map(Error::kind), Some(ErrorKind::Truncated));
    server.await.unwrap();
}

#[tokio::test]
async fn handshake_failures_say_why() {
    let (listener, addr) = tcp().await;
    let acceptor = TlsAcceptor::new(server_config(Version::Tls13));
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        acceptor.accept(tcp).await.unwrap_err()
    });
    let tcp = TcpStream::connect(&addr).await.unwrap();
    let err = TlsConnector::new(client_config(Version::Tls13)).connect("wrong.example", tcp).await.unwrap_err();
    let tlsm_err = Error::from_io(&err).expect("a tlsm error inside");
    assert_eq!(tlsm_err.kind(), ErrorKind::Certificate(CertificateError::NotValidForName));
    let server_err = server.await.unwrap();
    assert!(matches!(Error::from_io(&server_err).map(Error::kind), Some(ErrorKind::AlertReceived(_))), "{server_err}");
}
