//! The blocking Stream over TCP on 127.0.0.1: close() sends close_notify, so the peer sees
//! a clean end of stream rather than truncation.
mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

use common::pki;
use tlsm::{ClientConfig, Connection, ServerConfig, StreamOwned};

#[test]
fn close_sends_close_notify() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let cfg = ServerConfig::builder()
            .identity_pem(&pki("server-p256.chain.pem"), &pki("server-p256.key"))
            .build()
            .unwrap();
        let (tcp, _) = listener.accept().unwrap();
        let mut tls = StreamOwned::new(Connection::server(&cfg).unwrap(), tcp);
        let mut got = Vec::new();
        tls.read_to_end(&mut got).unwrap(); // Ok at close_notify; truncation would be an error
        assert!(tls.conn.error().is_none(), "{:?}", tls.conn.error());
        got
    });
    let cfg = ClientConfig::builder().trust_pem(&pki("ca.crt")).build().unwrap();
    let tcp = TcpStream::connect(addr).unwrap();
    let mut tls = StreamOwned::new(Connection::client(&cfg, "localhost").unwrap(), tcp);
    tls.write_all(b"hello, then goodbye").unwrap();
    tls.close().unwrap();
    assert!(tls.write_all(b"more").is_err(), "writing after close");
    // Keep the TCP connection open until the server has read everything: its end of
    // stream must come from close_notify, not from TCP.
    assert_eq!(server.join().unwrap(), b"hello, then goodbye");
}
