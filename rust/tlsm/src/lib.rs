//! Safe Rust API for tlsm, a TLS 1.2 + 1.3 library whose C core is a sans-IO state
//! machine: ciphertext and plaintext go in, ciphertext, plaintext and events come out.
//!
//! * [`ClientConfig`] / [`ServerConfig`]: built once with a builder, shared by connections
//!   (`Clone + Send + Sync`).
//! * [`Connection`]: one TLS connection. Feed it ciphertext ([`Connection::feed`],
//!   [`Connection::read_tls`]), send its [`Connection::output`], write and read plaintext,
//!   and look at [`Connection::status`] and [`Connection::next_event`]. Borrowed buffers
//!   ([`Output`], [`Plaintext`], [`InputBuffer`]) hold a mutable borrow of the connection,
//!   so using one after the connection changed does not compile.
//! * [`Stream`] / [`StreamOwned`]: blocking `Read + Write` over any transport.
//! * [`Error`]: the core's code, its alert and who sent it, the certificate problem, and
//!   for a connection's failure the check that fired ([`Error::reason`]).
//! * [`verify_chain`] / [`verify_chain_pem`]: the handshake's certificate verifier on its
//!   own, against a config's trust anchors.
//! * [`testing`] (cargo feature `testing`): the in-memory testing kit, a client and a server
//!   wired together with scripted faults, traces, pcap and key log.
//! * [`tokio`] (cargo feature `tokio`): `TlsConnector`, `TlsAcceptor` and `TlsStream` over
//!   any `AsyncRead + AsyncWrite`, like `tokio-rustls`.
//!
//! # Example: a client and a server in memory
//!
//! ```
//! use tlsm::{ClientConfig, Connection, ServerConfig};
//! let pki = concat!(env!("CARGO_MANIFEST_DIR"), "/test-pki/");
//! let read = |f: &str| std::fs::read(format!("{pki}{f}")).unwrap();
//!
//! let server_cfg = ServerConfig::builder()
//!     .identity_pem(&read("server-p256.chain.pem"), &read("server-p256.key"))
//!     .build()?;
//! let client_cfg = ClientConfig::builder().trust_pem(&read("ca.crt")).build()?;
//! let mut client = Connection::client(&client_cfg, "localhost")?;
//! let mut server = Connection::server(&server_cfg)?;
//!
//! // The "network": move whatever one side has to send into the other.
//! fn pump(from: &mut Connection, to: &mut Connection) -> Result<(), tlsm::Error> {
//!     loop {
//!         let out = from.output();
//!         if out.is_empty() {
//!             return Ok(());
//!         }
//!         let used = to.feed(&out);
//!         out.consume(*used.as_ref().unwrap_or(&0))?;
//!         if used? == 0 {
//!             return Ok(()); // `to` wants its plaintext read first
//!         }
//!     }
//! }
//! while !client.handshake_done() || !server.handshake_done() {
//!     pump(&mut client, &mut server)?;
//!     pump(&mut server, &mut client)?;
//! }
//! client.write_plaintext(b"hello")?;
//! pump(&mut client, &mut server)?;
//! let got = server.plaintext();
//! assert_eq!(&*got, b"hello");
//! got.consume(5)?;
//! assert_eq!(server.version(), Some(tlsm::Version::Tls13));
//! # Ok::<(), tlsm::Error>(())
//! ```
//!
//! # Unsafe code and its invariants
//!
//! All `unsafe` is FFI into `tlsm-sys`; each block has a `SAFETY` comment. The design keeps
//! the argument local so it can be checked by reading, without Miri (which cannot run the
//! C core):
//!
//! 1. **Ownership.** A [`Connection`] owns exactly one `tlsm_conn*` (non-NULL, from
//!    `tlsm_conn_new`) and frees it once in `Drop`. A config's `tlsm_config*` is owned by a
//!    private `RawConfig` behind an `Arc`; each connection holds a clone of that `Arc`, and
//!    `RawConfig::drop` drops the last Rust reference with `tlsm_config_free` (the C side
//!    counts its own references too).
//! 2. **Hook contexts.** The deterministic RNG and the clock are `extern "C"` functions whose
//!    `ctx` points into a `Box` owned by the same `RawConfig`, so the context outlives the
//!    C config and every connection using it. The RNG counter is atomic and the clock
//!    closure is `Send + Sync`, because a shared config is used from many threads.
//!    Panics cannot unwind into C: both trampolines run the Rust code under
//!    `catch_unwind` (unwinding out of an `extern "C"` function is undefined behaviour
//!    before Rust 1.81, within this crate's `rust-version`) and turn a panic into a
//!    failure the core reports: a failed RNG, a clock at the Unix epoch.
//! 3. **Borrowed buffers.** The header says a lent pointer stays valid until the next call
//!    that changes that connection. Every changing call takes `&mut self`; every lent slice
//!    is returned in a guard ([`Output`], [`Plaintext`], [`InputBuffer`], [`SignRequest`])
//!    that holds `PhantomData<&'a mut Connection>`, or from a `&self` query (ALPN, SNI, peer
//!    certificates) whose result borrows `self`; so the borrow checker ends the slice's life
//!    before any changing call. `consume`/`commit` take the guard by value. NULL pointers
//!    become empty slices. The input buffer is memory inside the calloc'ed connection state,
//!    hence initialized, so exposing it as `&mut [u8]` is sound.
//! 4. **Threads.** `Connection` is `Send` but not `Sync` (`PhantomData<Cell<()>>`): the
//!    core's connections have no thread affinity, only no concurrent use. Configs are
//!    `Send + Sync`: after `build()` they are only read (freezing is an atomic CAS in the
//!    core) or rotated with `tlsm_config_rotate_ticket_key`, documented as thread-safe.
//! 5. **Strings.** Names from the core (`tlsm_strerror`, `tlsm_alert_name`, ...) are
//!    static; turning one into `&'static str` is an `unsafe fn` whose callers vouch for
//!    that. Strings passed in are `CString`s (a NUL inside is refused) or pointer + length.
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_debug_implementations)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod config;
mod conn;
mod error;
mod stream;
mod verify;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub mod tokio;

pub use config::{
    CipherSuite, ClientAuth, ClientConfig, ClientConfigBuilder, NamedGroup, ServerConfig, ServerConfigBuilder,
    SignatureScheme, Version, VerifyCacheStats, VERIFY_CACHE_DEFAULT,
};
pub use conn::{Connection, Event, InputBuffer, Output, Plaintext, SignRequest, Status};
pub use error::{Alert, AlertSource, CertificateError, Error, ErrorKind, Result};
pub use stream::{Stream, StreamOwned};
pub use verify::{
    verify_chain, verify_chain_pem, Fault, PathCert, Purpose, TrustAnchors, VerifiedChain, VerifyError, VerifyOptions,
};
pub use tlsm_sys as sys;

/// The C library's version string, e.g. `"0.1.0"`.
pub fn version_string() -> &'static str {
    // SAFETY: tlsm_version_string returns a static NUL-terminated string.
    unsafe { error::static_str(sys::tlsm_version_string()) }
}
