//! Shared test helpers: the committed test PKI and rustls configurations (ring provider).
#![allow(dead_code)]
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};

pub fn pki(file: &str) -> Vec<u8> {
    let path = format!("{}/test-pki/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn rustls_version(v: tlsm::Version) -> &'static rustls::SupportedProtocolVersion {
    match v {
        tlsm::Version::Tls12 => &rustls::version::TLS12,
        tlsm::Version::Tls13 => &rustls::version::TLS13,
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn certs(file: &str) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_slice_iter(&pki(file)).collect::<Result<_, _>>().unwrap()
}

fn key(file: &str) -> PrivateKeyDer<'static> {
    PrivateKeyDer::from_pem_slice(&pki(file)).unwrap()
}

fn roots() -> rustls::RootCertStore {
    let mut roots = rustls::RootCertStore::empty();
    for c in certs("ca.crt") {
        roots.add(c).unwrap();
    }
    roots
}

/// A rustls server with the P-256 chain; `alpn` and `require_client_cert` as asked.
pub fn rustls_server(v: tlsm::Version, alpn: &[&[u8]], require_client_cert: bool) -> Arc<rustls::ServerConfig> {
    let b = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[rustls_version(v)])
        .unwrap();
    let b = if require_client_cert {
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots()), provider())
            .build()
            .unwrap();
        b.with_client_cert_verifier(verifier)
    } else {
        b.with_no_client_auth()
    };
    let mut cfg = b.with_single_cert(certs("server-p256.chain.pem"), key("server-p256.key")).unwrap();
    cfg.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Arc::new(cfg)
}

/// A rustls client trusting the test CA; with the client identity when `client_cert`.
pub fn rustls_client(v: tlsm::Version, alpn: &[&[u8]], client_cert: bool) -> Arc<rustls::ClientConfig> {
    let b = rustls::ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[rustls_version(v)])
        .unwrap()
        .with_root_certificates(roots());
    let mut cfg = if client_cert {
        b.with_client_auth_cert(certs("client.chain.pem"), key("client.key")).unwrap()
    } else {
        b.with_no_client_auth()
    };
    cfg.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Arc::new(cfg)
}

pub fn rustls_client_conn(cfg: Arc<rustls::ClientConfig>) -> rustls::Connection {
    let name = ServerName::try_from("localhost").unwrap();
    rustls::ClientConnection::new(cfg, name).unwrap().into()
}

pub fn rustls_server_conn(cfg: Arc<rustls::ServerConfig>) -> rustls::Connection {
    rustls::ServerConnection::new(cfg).unwrap().into()
}

pub fn tlsm_server(server_key: &str) -> tlsm::ServerConfigBuilder {
    tlsm::ServerConfig::builder()
        .identity_pem(&pki(&format!("{server_key}.chain.pem")), &pki(&format!("{server_key}.key")))
}

pub fn tlsm_client() -> tlsm::ClientConfigBuilder {
    tlsm::ClientConfig::builder().trust_pem(&pki("ca.crt"))
}

/// Moves `from`'s output into `to` until there is none (or `to` takes no more): the bytes
/// moved, or the first error (`to`'s from feeding, `from`'s from consuming).
pub fn pump(from: &mut tlsm::Connection, to: &mut tlsm::Connection) -> tlsm::Result<usize> {
    let mut moved = 0;
    loop {
        let out = from.output();
        if out.is_empty() {
            return Ok(moved);
        }
        let used = to.feed(&out)?;
        out.consume(used)?;
        moved += used;
        if used == 0 {
            return Ok(moved);
        }
    }
}

/// Moves bytes both ways between two tlsm connections until nothing moves: `Ok` when they
/// settled (the handshake done, or one side waiting for an answer such as
/// `verify_done`), else the first error, after the failing side's alert reached its peer
/// (which fails too).
pub fn try_handshake(c: &mut tlsm::Connection, s: &mut tlsm::Connection) -> tlsm::Result<()> {
    for _ in 0..50 {
        let to_server = pump(c, s).map_err(|e| {
            let _ = pump(s, c);
            e
        })?;
        let to_client = pump(s, c).map_err(|e| {
            let _ = pump(c, s);
            e
        })?;
        if to_server == 0 && to_client == 0 {
            return Ok(());
        }
    }
    panic!("the connections never settled: client {:?}, server {:?}", c.error(), s.error());
}

/// [`try_handshake`] that must complete the handshake on both sides.
pub fn handshake(c: &mut tlsm::Connection, s: &mut tlsm::Connection) {
    let r = try_handshake(c, s);
    if r.is_err() || !c.handshake_done() || !s.handshake_done() {
        panic!("no handshake: {r:?}: client {:?}, server {:?}", c.error(), s.error());
    }
}

/// A tlsm connection and a rustls connection joined in memory.
pub struct Mixed {
    pub t: tlsm::Connection,
    pub r: rustls::Connection,
    /// Plaintext tlsm received.
    pub t_rx: Vec<u8>,
    /// Plaintext rustls received.
    pub r_rx: Vec<u8>,
    /// What rustls said about the alert tlsm sent when tlsm failed.
    pub r_err: Option<rustls::Error>,
}

#[derive(Debug)]
pub enum PumpError {
    Tlsm(tlsm::Error),
    Rustls(rustls::Error),
}

impl Mixed {
    pub fn new(t: tlsm::Connection, r: rustls::Connection) -> Mixed {
        Mixed { t, r, t_rx: Vec::new(), r_rx: Vec::new(), r_err: None }
    }

    fn drain_tlsm_plaintext(&mut self) -> Result<(), PumpError> {
        let pt = self.t.plaintext();
        let n = pt.len();
        self.t_rx.extend_from_slice(&pt);
        pt.consume(n).map_err(PumpError::Tlsm)
    }

    /// Moves bytes both ways until neither side has anything to send. When tlsm fails, the
    /// alert it queued is still delivered to rustls (always drain the output), and rustls'
    /// reaction is kept in `r_err`.
    pub fn pump(&mut self) -> Result<(), PumpError> {
        let r = self.pump_once();
        if let Err(PumpError::Tlsm(_)) = r {
            let mut wire = Vec::new();
            while self.t.status().has_output() {
                self.t.write_tls(&mut wire).unwrap();
            }
            let mut rd = &wire[..];
            while !rd.is_empty() && self.r_err.is_none() {
                self.r.read_tls(&mut rd).unwrap();
                self.r_err = self.r.process_new_packets().err();
            }
        }
        if let Err(PumpError::Rustls(_)) = r {
            // rustls queued its alert: tlsm learns why (its sticky error).
            let mut wire = Vec::new();
            while self.r.wants_write() {
                self.r.write_tls(&mut wire).unwrap();
            }
            let _ = self.t.feed(&wire);
        }
        r
    }

    fn pump_once(&mut self) -> Result<(), PumpError> {
        for _ in 0..200 {
            let mut moved = false;
            // tlsm -> rustls
            let mut wire = Vec::new();
            while self.t.status().has_output() {
                self.t.write_tls(&mut wire).unwrap();
            }
            let mut rd = &wire[..];
            moved |= !rd.is_empty();
            while !rd.is_empty() {
                self.r.read_tls(&mut rd).unwrap();
                let state = self.r.process_new_packets().map_err(PumpError::Rustls)?;
                let n = state.plaintext_bytes_to_read();
                if n > 0 {
                    let mut buf = vec![0; n];
                    std::io::Read::read_exact(&mut self.r.reader(), &mut buf).unwrap();
                    self.r_rx.extend_from_slice(&buf);
                }
            }
            // rustls -> tlsm
            let mut wire = Vec::new();
            while self.r.wants_write() {
                self.r.write_tls(&mut wire).unwrap();
            }
            moved |= !wire.is_empty();
            let mut off = 0;
            while off < wire.len() {
                let n = self.t.feed(&wire[off..]).map_err(PumpError::Tlsm)?;
                off += n;
                self.drain_tlsm_plaintext()?;
            }
            self.drain_tlsm_plaintext()?;
            if !moved {
                return Ok(());
            }
        }
        panic!("the peers kept talking for 200 rounds");
    }
}
