//! The in-memory protocol testing kit (cargo feature `testing`): a client and a server
//! wired together without sockets ([`Pair`]), scripted faults between them, and a picture
//! of what happened: a [`Report`] per side, the events, traces (terminal ladder, Mermaid,
//! JSON), a pcap file and an NSS key log that Wireshark or `tshark` decrypt. It wraps the
//! C kit (`tlsm_pair_*`); the comment above `tlsm_pair_new` in `tlsm.h` documents the step
//! model and the fault grammar.
//!
//! ```
//! use tlsm::testing::{Pair, Side, TraceFormat};
//! use tlsm::{Alert, Version};
//!
//! // Default configs over the committed test PKI (tests/data/pki), deterministic.
//! let mut pair = Pair::with_test_pki(Some(Version::Tls12))?;
//! pair.add_fault("corrupt:-1@s2c:msg=Finished")?;
//! let err = pair.run().unwrap_err(); // the first error a side ended with
//! assert_eq!(err.alert().map(|(a, _)| a), Some(Alert::BAD_RECORD_MAC));
//! pair.expect_alert(Side::Client, Alert::BAD_RECORD_MAC); // sent by one, read by the other
//! println!("{}", pair.trace(TraceFormat::Ladder));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Configs: [`Pair::new`] turns on tracing and the key log in both configs if no connection
//! used them yet (the key log makes them unfit for production: build separate ones). A
//! config already used by a [`Connection`](crate::Connection) is used as it is, so its
//! traces lack the protected messages and its key log is empty. Pairs sharing configs share
//! the server's ticket key and session cache, so [`Pair::session`] from one pair and
//! [`Pair::set_session`] on the next resume. Configs asking for external verification or
//! signing cannot be used (the kit does not answer those events).
use std::cell::Cell;
use std::ffi::{c_char, c_int, CString};
use std::fmt;
use std::marker::PhantomData;
use std::path::PathBuf;
use std::ptr::NonNull;
use std::sync::Arc;

use tlsm_sys as sys;

use crate::config::RawConfig;
use crate::{Alert, CipherSuite, ClientConfig, Error, Event, NamedGroup, Result, ServerConfig, Version};

/// One end of a [`Pair`]; as a direction, the sending side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// The client.
    Client,
    /// The server.
    Server,
}

impl Side {
    /// The other side.
    pub fn peer(self) -> Side {
        match self {
            Side::Client => Side::Server,
            Side::Server => Side::Client,
        }
    }

    fn raw(self) -> c_int {
        match self {
            Side::Client => sys::TLSM_PAIR_CLIENT,
            Side::Server => sys::TLSM_PAIR_SERVER,
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Client => "client",
            Side::Server => "server",
        })
    }
}

/// The text [`Pair::trace`] produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TraceFormat {
    /// A ladder diagram for the terminal (plain ASCII).
    Ladder,
    /// Mermaid `sequenceDiagram` text.
    Mermaid,
    /// One JSON object: `{"records": [...], "client": {...}, "server": {...}}`.
    Json,
}

impl TraceFormat {
    fn raw(self) -> c_int {
        match self {
            TraceFormat::Ladder => sys::TLSM_TRACE_LADDER,
            TraceFormat::Mermaid => sys::TLSM_TRACE_MERMAID,
            TraceFormat::Json => sys::TLSM_TRACE_JSON,
        }
    }
}

/// How one side of a pair ended (or where it is).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Report {
    /// The connection's sticky error (with its certificate problem and its
    /// [`reason`](Error::reason)), if it failed.
    pub error: Option<Error>,
    /// Why this side failed: the check that fired ([`Error::reason`], e.g.
    /// `"REC_BAD_MAC"`; `"PEER_ALERT"` when the peer's alert ended it), `None` if it did
    /// not fail.
    pub reason: Option<&'static str>,
    /// The fatal alert this side sent.
    pub alert_sent: Option<Alert>,
    /// The fatal alert the peer sent and this side read.
    pub alert_received: Option<Alert>,
    /// The handshake finished on this side.
    pub handshake_done: bool,
    /// close_notify received.
    pub peer_closed: bool,
    /// The negotiated version, `None` before the handshake finished.
    pub version: Option<Version>,
    /// The negotiated cipher suite, `None` before.
    pub cipher_suite: Option<CipherSuite>,
    /// The key-exchange group, `None` before (or for psk_ke resumption).
    pub group: Option<NamedGroup>,
    /// The handshake resumed a session.
    pub resumed: bool,
    /// A HelloRetryRequest happened.
    pub hello_retry_request: bool,
    /// Application data received so far (read or not).
    pub app_bytes_received: u64,
}

/// The directory of the test PKI this crate was built with (`test-pki/` in the crate: the
/// tlsm repository's `tests/data/pki`, from `scripts/gen-test-pki.sh`): `ca.crt`, an
/// intermediate, servers with P-256, P-384, RSA, RSA-PSS and Ed25519 keys
/// (`server-KIND.chain.pem` / `.crt` / `.key`, names `localhost`, `server.tlsm.test`,
/// `127.0.0.1`, `::1`) and a client (`client.chain.pem`, `client.crt`, `client.key`). The
/// files are also compiled into the crate: see [`pki_file`].
pub fn test_pki_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/test-pki"))
}

macro_rules! pki_files {
    ($($name:literal),* $(,)?) => {
        /// The files of the test PKI compiled into the crate, by name.
        const PKI_FILES: &[(&str, &[u8])] = &[$(($name, include_bytes!(concat!("../test-pki/", $name)))),*];
    };
}
pki_files!(
    "ca.crt",
    "intermediate.crt",
    "client.crt",
    "client.chain.pem",
    "client.key",
    "server-ed25519.crt",
    "server-ed25519.chain.pem",
    "server-ed25519.key",
    "server-p256.crt",
    "server-p256.chain.pem",
    "server-p256.key",
    "server-p384.crt",
    "server-p384.chain.pem",
    "server-p384.key",
    "server-rsa.crt",
    "server-rsa.chain.pem",
    "server-rsa.key",
    "server-rsapss.crt",
    "server-rsapss.chain.pem",
    "server-rsapss.key",
);

/// A file of the test PKI (see [`test_pki_dir`]), compiled into the crate so that it needs
/// no file system: `pki_file("ca.crt")`. `None` for a name that is not part of it.
pub fn pki_file(name: &str) -> Option<&'static [u8]> {
    PKI_FILES.iter().find(|(n, _)| *n == name).map(|(_, data)| *data)
}

fn pki(name: &str) -> &'static [u8] {
    pki_file(name).unwrap_or_else(|| panic!("{name} is not a file of the test PKI"))
}

/// The clock of the default configs (2027-06-01T12:00:00Z, inside the PKI's validity), in
/// milliseconds since the Unix epoch.
pub const TEST_TIME_MS: u64 = 1_811_851_200_000;

/// The name the default client sends and verifies.
pub const TEST_SERVER_NAME: &str = "localhost";

/// A fresh client and server config over the test PKI, pinned to `version` (`None`
/// offers both, so TLS 1.3 is spoken): the server presents `server-p256`, the client
/// trusts `ca.crt`; both use a deterministic RNG and [`TEST_TIME_MS`], so runs replay
/// byte for byte.
pub fn test_configs(version: Option<Version>) -> Result<(ClientConfig, ServerConfig)> {
    let (min, max) = version.map_or((Version::Tls12, Version::Tls13), |v| (v, v));
    let client = ClientConfig::builder()
        .trust_pem(pki("ca.crt"))
        .versions(min, max)
        .insecure_deterministic_rng(1)
        .fixed_clock(TEST_TIME_MS)
        .build()?;
    let server = ServerConfig::builder()
        .identity_pem(pki("server-p256.chain.pem"), pki("server-p256.key"))
        .versions(min, max)
        .insecure_deterministic_rng(2)
        .fixed_clock(TEST_TIME_MS)
        .build()?;
    Ok((client, server))
}

/// A client and a server connected in memory, with the pump between them. Dropping it
/// frees the kit's C state. `Send`, not `Sync`.
pub struct Pair {
    raw: NonNull<sys::tlsm_pair>,
    // The C pair holds its own references to the configs; these keep the Rust-owned hook
    // contexts (RNG, clock) alive for as long as the connections may call them.
    _client: Arc<RawConfig>,
    _server: Arc<RawConfig>,
    _not_sync: PhantomData<Cell<()>>,
}

// SAFETY: the kit's state and its two connections have no thread affinity (no
// thread-local state, no locks held between calls); every call takes `&mut self` or is a
// read-only query, and `Pair` is not `Sync`. The configs are `Send + Sync`.
unsafe impl Send for Pair {}

impl Drop for Pair {
    fn drop(&mut self) {
        // SAFETY: `raw` came from tlsm_pair_new and is freed exactly once, here.
        unsafe { sys::tlsm_pair_free(self.raw.as_ptr()) }
    }
}

impl fmt::Debug for Pair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pair")
            .field("client", &self.report(Side::Client))
            .field("server", &self.report(Side::Server))
            .finish()
    }
}

impl Pair {
    /// Wires a client (connecting to `server_name`, sent as SNI and verified) to a server.
    /// Nothing is sent before the first [`step`](Self::step) or [`run`](Self::run).
    pub fn new(client: &ClientConfig, server: &ServerConfig, server_name: &str) -> Result<Pair> {
        let name = crate::conn::server_name_cstring(server_name, "pair_new")?;
        Pair::create(client, server, name.as_ptr())
    }

    /// A pair whose client sends no SNI and checks no name (only the chain).
    pub fn without_server_name(client: &ClientConfig, server: &ServerConfig) -> Result<Pair> {
        Pair::create(client, server, std::ptr::null())
    }

    /// A pair over [`test_configs`] connecting to [`TEST_SERVER_NAME`].
    pub fn with_test_pki(version: Option<Version>) -> Result<Pair> {
        let (client, server) = test_configs(version)?;
        Pair::new(&client, &server, TEST_SERVER_NAME)
    }

    fn create(client: &ClientConfig, server: &ServerConfig, name: *const c_char) -> Result<Pair> {
        let raw = RawConfig::with_unfrozen(&client.raw, &server.raw, |c, s| {
            // SAFETY: both configs are live (borrowed Arcs); the name is NULL or a
            // NUL-terminated string that outlives the call (copied by tlsm_conn_new); no
            // connection is being made from an unfrozen config meanwhile (with_unfrozen),
            // so tlsm_pair_new may switch on tracing and the key log.
            let p = unsafe { sys::tlsm_pair_new(c, s, name) };
            (p, !p.is_null())
        });
        let raw = NonNull::new(raw).ok_or_else(|| Error::from_code(sys::TLSM_ERR_ARG).with_context("pair_new"))?;
        Ok(Pair {
            raw,
            _client: Arc::clone(&client.raw),
            _server: Arc::clone(&server.raw),
            _not_sync: PhantomData,
        })
    }

    fn ptr(&self) -> *mut sys::tlsm_pair {
        self.raw.as_ptr()
    }

    /// What `tlsm_pair_run` (and the calls that run the pair) return, as a `Result`: the
    /// error of the connection that ended with it, with its reason.
    fn run_result(&self, rc: c_int) -> Result<()> {
        match rc {
            0 => Ok(()),
            sys::TLSM_ERR_STATE => Err(Error::from_code(rc).with_context("pair not idle after TLSM_PAIR_MAX_STEPS steps")),
            _ => {
                let failed = [Side::Client, Side::Server].into_iter().map(|s| self.conn(s)).find(|&c| {
                    // SAFETY: the pair's connections are live while it is; a const query.
                    let code = unsafe { sys::tlsm_conn_error(c) };
                    code == rc
                });
                // SAFETY: as above.
                Err(failed.map_or(Error::from_code(rc), |c| unsafe { Error::from_code(rc).of_conn(c) }))
            }
        }
    }

    fn conn(&self, side: Side) -> *mut sys::tlsm_conn {
        // SAFETY: live pair; returns a pointer borrowed from it (non-NULL after creation).
        unsafe {
            match side {
                Side::Client => sys::tlsm_pair_client(self.ptr()),
                Side::Server => sys::tlsm_pair_server(self.ptr()),
            }
        }
    }

    /// Seeds the faults' randomness (default 0): the same seed and faults replay the same
    /// run byte for byte (with deterministic configs).
    pub fn seed(&mut self, seed: u64) {
        // SAFETY: live pair, exclusive access.
        unsafe { sys::tlsm_pair_seed(self.ptr(), seed) }
    }

    /// Adds a fault `KIND[:ARG]@DIR[:SELECTOR]`, e.g. `"drop@c2s:msg=Finished"`,
    /// `"corrupt:-1@s2c:msg=Finished"`, `"fragment:1@c2s:all"`, `"delay:3@s2c"`.
    /// `TLSM_ERR_ARG` for a spec that does not parse.
    pub fn add_fault(&mut self, spec: &str) -> Result<()> {
        const GRAMMAR: &str = "bad fault spec (KIND[:ARG]@c2s|s2c[:rec=K|:msg=NAME|:all])";
        let spec = CString::new(spec)
            .map_err(|_| Error::refused(sys::TLSM_ERR_ARG, "add_fault", "the fault spec contains a NUL byte"))?;
        // SAFETY: live pair, exclusive access; the spec is NUL-terminated and only read.
        crate::error::check(unsafe { sys::tlsm_pair_add_fault(self.ptr(), spec.as_ptr()) }).map_err(|e| {
            if e.code() == sys::TLSM_ERR_ARG {
                Error::refused(sys::TLSM_ERR_ARG, "add_fault", GRAMMAR)
            } else {
                e.with_context("add_fault")
            }
        })
    }

    /// Moves one flight; `Ok(false)` when the pair is idle. Connection errors are not
    /// returned here: see [`report`](Self::report).
    pub fn step(&mut self) -> Result<bool> {
        // SAFETY: live pair, exclusive access.
        let rc = unsafe { sys::tlsm_pair_step(self.ptr()) };
        if rc < 0 {
            return Err(Error::from_code(rc));
        }
        Ok(rc == 1)
    }

    /// Steps until the pair is idle. `Err` carries the first error a connection ended
    /// with (its [`Error::alert`] tells which alert, and who sent it), or `TLSM_ERR_STATE`
    /// when the pair was not idle after `TLSM_PAIR_MAX_STEPS` steps. A handshake that
    /// stalled without an error (a dropped last record) is `Ok`: check the reports, or end
    /// the stream with [`eof`](Self::eof).
    pub fn run(&mut self) -> Result<()> {
        // SAFETY: live pair, exclusive access.
        self.run_result(unsafe { sys::tlsm_pair_run(self.ptr()) })
    }

    /// Writes all of `data` as application data from `from`, then runs the pair.
    /// `TLSM_ERR_STATE` before the handshake is done.
    pub fn write(&mut self, from: Side, data: &[u8]) -> Result<()> {
        // SAFETY: live pair, exclusive access; `data` is valid for its length and copied.
        let rc = unsafe { sys::tlsm_pair_write(self.ptr(), from.raw(), data.as_ptr(), data.len()) };
        if rc == sys::TLSM_ERR_STATE && !self.report(from).handshake_done {
            return Err(Error::from_code(rc).with_context("write before the handshake"));
        }
        self.run_result(rc)
    }

    /// How many bytes of application data `side` received and nobody read yet.
    pub fn buffered(&self, side: Side) -> usize {
        let mut n = 0;
        // SAFETY: live pair; with a NULL buffer the call only reports the size. The C
        // signature takes a mutable pair, but nothing is changed in this mode.
        let _ = unsafe { sys::tlsm_pair_read(self.ptr(), side.raw(), std::ptr::null_mut(), 0, &mut n) };
        n
    }

    /// Takes the application data `side` received so far (empty if none).
    pub fn read(&mut self, side: Side) -> Vec<u8> {
        let mut buf = vec![0u8; self.buffered(side)];
        if buf.is_empty() {
            return buf;
        }
        let mut n = 0;
        // SAFETY: live pair, exclusive access; `buf` is writable for its length.
        let rc = unsafe { sys::tlsm_pair_read(self.ptr(), side.raw(), buf.as_mut_ptr(), buf.len(), &mut n) };
        buf.truncate(if rc == 0 { n } else { 0 });
        buf
    }

    /// `from` sends close_notify and the pair runs (returns as [`run`](Self::run)).
    pub fn close(&mut self, from: Side) -> Result<()> {
        // SAFETY: live pair, exclusive access.
        self.run_result(unsafe { sys::tlsm_pair_close(self.ptr(), from.raw()) })
    }

    /// The transport from `from` ends: what is in transit arrives, then the receiver sees
    /// the end of the stream. `Ok` after a close_notify, else the receiver's error
    /// ([`Error::is_truncated`], reason `"TRUNCATED"`).
    pub fn eof(&mut self, from: Side) -> Result<()> {
        // SAFETY: live pair, exclusive access.
        let rc = unsafe { sys::tlsm_pair_eof(self.ptr(), from.raw()) };
        // SAFETY: the receiving connection is live while the pair is.
        crate::error::check(rc).map_err(|e| unsafe { e.of_conn(self.conn(from.peer())) })
    }

    /// How `side` ended, or where it is.
    pub fn report(&self, side: Side) -> Report {
        // SAFETY: tlsm_pair_report is plain data (ints); all-zero is a valid value.
        let mut r: sys::tlsm_pair_report = unsafe { std::mem::zeroed() };
        // SAFETY: live pair; a const query filling `r`.
        let rc = unsafe { sys::tlsm_pair_get_report(self.ptr(), side.raw(), &mut r) };
        if rc != 0 {
            return Report {
                error: Some(Error::from_code(rc)),
                reason: None,
                alert_sent: None,
                alert_received: None,
                handshake_done: false,
                peer_closed: false,
                version: None,
                cipher_suite: None,
                group: None,
                resumed: false,
                hello_retry_request: false,
                app_bytes_received: 0,
            };
        }
        // SAFETY: the connection is live while the pair is.
        let error = (r.error != 0).then(|| unsafe { Error::from_code(r.error).of_conn(self.conn(side)) });
        let alert = |a: c_int| u8::try_from(a).ok().map(Alert);
        Report {
            error,
            // SAFETY: the report's reason is a name from the core's static reason table.
            reason: Some(unsafe { crate::error::static_str(r.reason) }).filter(|r| !r.is_empty()),
            alert_sent: alert(r.alert_sent),
            alert_received: alert(r.alert_received),
            handshake_done: r.handshake_done != 0,
            peer_closed: r.peer_closed != 0,
            version: Version::from_wire(r.version),
            cipher_suite: (r.suite != 0).then_some(CipherSuite(r.suite)),
            group: (r.group != 0).then_some(NamedGroup(r.group)),
            resumed: r.resumed != 0,
            hello_retry_request: r.hrr != 0,
            app_bytes_received: r.app_bytes_received,
        }
    }

    /// The events the kit took from `side`, in order (handshake messages sent and
    /// received, alerts, tickets, key updates, the error, key log lines as `Other`).
    pub fn events(&self, side: Side) -> Vec<Event> {
        let mut out = Vec::new();
        for i in 0.. {
            // SAFETY: tlsm_event is plain data; all-zero is a valid value.
            let mut ev: sys::tlsm_event = unsafe { std::mem::zeroed() };
            // SAFETY: live pair; a const query filling `ev`.
            if unsafe { sys::tlsm_pair_event(self.ptr(), side.raw(), i, &mut ev) } != 1 {
                break;
            }
            out.push(match Event::from_raw(&ev) {
                // SAFETY: the connection is live while the pair is.
                Event::Error(e) => Event::Error(unsafe { e.of_conn(self.conn(side)) }),
                other => other,
            });
        }
        out
    }

    /// The client's resumable session (after a ticket arrived, or a TLS 1.2 handshake), to
    /// offer with [`set_session`](Self::set_session) on a pair sharing these configs. The
    /// blob holds a secret.
    pub fn session(&self) -> Result<Vec<u8>> {
        let conn = self.conn(Side::Client);
        let mut len = 0;
        // SAFETY: live connection; NULL buffer asks for the size.
        crate::error::check(unsafe { sys::tlsm_conn_get_session(conn, std::ptr::null_mut(), 0, &mut len) })?;
        let mut buf = vec![0u8; len];
        // SAFETY: `buf` is writable for `len` bytes.
        crate::error::check(unsafe { sys::tlsm_conn_get_session(conn, buf.as_mut_ptr(), buf.len(), &mut len) })?;
        buf.truncate(len);
        Ok(buf)
    }

    /// Makes the client offer `blob` (from [`session`](Self::session)); call it before the
    /// first step.
    pub fn set_session(&mut self, blob: &[u8]) -> Result<()> {
        // SAFETY: live connection, exclusive access through `&mut self`; the blob is
        // copied.
        crate::error::check(unsafe { sys::tlsm_conn_set_session(self.conn(Side::Client), blob.as_ptr(), blob.len()) })
    }

    /// Fetches one of the kit's size-then-copy outputs.
    fn fetch(&mut self, get: unsafe fn(*mut sys::tlsm_pair, *mut u8, usize, *mut usize) -> c_int) -> Vec<u8> {
        let mut len = 0;
        // SAFETY: live pair, exclusive access; a NULL buffer asks for the size.
        if unsafe { get(self.ptr(), std::ptr::null_mut(), 0, &mut len) } != 0 {
            return Vec::new();
        }
        let mut buf = vec![0u8; len];
        // SAFETY: `buf` is writable for `len` bytes.
        if unsafe { get(self.ptr(), buf.as_mut_ptr(), buf.len(), &mut len) } != 0 {
            return Vec::new();
        }
        buf.truncate(len);
        buf
    }

    /// The trace of every record so far: step, direction, content type, length, key
    /// epoch, the messages it carries (hellos decoded), what a fault did to it, and how
    /// each side ended.
    pub fn trace(&mut self, format: TraceFormat) -> String {
        let text = match format {
            TraceFormat::Ladder => self.fetch(trace_ladder),
            TraceFormat::Mermaid => self.fetch(trace_mermaid),
            TraceFormat::Json => self.fetch(trace_json),
        };
        String::from_utf8_lossy(&text).into_owned()
    }

    /// A libpcap file of the conversation over synthetic IPv4 + TCP (client
    /// 10.0.0.1:49152, server 10.0.0.2:443), every byte as each side sent it. With
    /// [`keylog`](Self::keylog): `tshark -r F -o tls.keylog_file:K` decrypts it.
    pub fn pcap(&mut self) -> Vec<u8> {
        self.fetch(pcap)
    }

    /// The NSS key log (SSLKEYLOGFILE lines, each ending in `\n`) of the handshakes.
    pub fn keylog(&mut self) -> String {
        String::from_utf8_lossy(&self.fetch(keylog)).into_owned()
    }

    /// Runs the pair and panics, with the ladder trace, unless both sides finished the
    /// handshake without an error.
    #[track_caller]
    pub fn handshake(&mut self) {
        let rc = self.run();
        let (c, s) = (self.report(Side::Client), self.report(Side::Server));
        if rc.is_err() || !c.handshake_done || !s.handshake_done {
            panic!(
                "handshake failed: {rc:?}\nclient: {c:?}\nserver: {s:?}\n{}",
                self.trace(TraceFormat::Ladder)
            );
        }
    }

    /// Panics, with the ladder trace, unless `detector` sent the fatal `alert` (a local
    /// alert error) and its peer received it (a peer alert error).
    #[track_caller]
    pub fn expect_alert(&mut self, detector: Side, alert: Alert) {
        let (d, p) = (self.report(detector), self.report(detector.peer()));
        let local = d.error.and_then(|e| e.alert()) == Some((alert, crate::AlertSource::Local));
        let peer = p.error.and_then(|e| e.alert()) == Some((alert, crate::AlertSource::Peer));
        if d.alert_sent != Some(alert) || p.alert_received != Some(alert) || !local || !peer {
            panic!(
                "expected the {detector} to send {alert} and the {} to receive it\n{detector}: {d:?}\n{}: {p:?}\n{}",
                detector.peer(),
                detector.peer(),
                self.trace(TraceFormat::Ladder)
            );
        }
    }
}

// The three formats through one signature (the C calls take `char *` for text).
unsafe fn trace_with(format: c_int, p: *mut sys::tlsm_pair, buf: *mut u8, cap: usize, len: *mut usize) -> c_int {
    // SAFETY: forwarded from `fetch`, which passes a live pair and a buffer of `cap` bytes.
    unsafe { sys::tlsm_pair_trace(p, format, buf as *mut c_char, cap, len) }
}
unsafe fn trace_ladder(p: *mut sys::tlsm_pair, buf: *mut u8, cap: usize, len: *mut usize) -> c_int {
    // SAFETY: as trace_with.
    unsafe { trace_with(TraceFormat::Ladder.raw(), p, buf, cap, len) }
}
unsafe fn trace_mermaid(p: *mut sys::tlsm_pair, buf: *mut u8, cap: usize, len: *mut usize) -> c_int {
    // SAFETY: as trace_with.
    unsafe { trace_with(TraceFormat::Mermaid.raw(), p, buf, cap, len) }
}
unsafe fn trace_json(p: *mut sys::tlsm_pair, buf: *mut u8, cap: usize, len: *mut usize) -> c_int {
    // SAFETY: as trace_with.
    unsafe { trace_with(TraceFormat::Json.raw(), p, buf, cap, len) }
}
unsafe fn pcap(p: *mut sys::tlsm_pair, buf: *mut u8, cap: usize, len: *mut usize) -> c_int {
    // SAFETY: as trace_with.
    unsafe { sys::tlsm_pair_pcap(p, buf, cap, len) }
}
unsafe fn keylog(p: *mut sys::tlsm_pair, buf: *mut u8, cap: usize, len: *mut usize) -> c_int {
    // SAFETY: as trace_with.
    unsafe { sys::tlsm_pair_keylog(p, buf as *mut c_char, cap, len) }
}
