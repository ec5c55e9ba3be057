//! [`Connection`]: one TLS connection over the sans-IO core, with borrow-checked access to
//! the buffers the core lends out.
use std::cell::Cell;
use std::ffi::{c_int, CString};
use std::fmt;
use std::io::{self, Read, Write};
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;
use std::sync::Arc;

use tlsm_sys as sys;

use crate::config::{CipherSuite, ClientConfig, NamedGroup, RawConfig, ServerConfig, SignatureScheme, Version};
use crate::error::{check, Alert, CertificateError, Error, Result};

/// Level-triggered status bits (`tlsm_status`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Status(u32);

impl Status {
    /// The engine needs more ciphertext.
    pub fn wants_input(self) -> bool {
        self.0 & sys::TLSM_STATUS_WANT_INPUT != 0
    }
    /// Ciphertext is waiting for the transport.
    pub fn has_output(self) -> bool {
        self.0 & sys::TLSM_STATUS_HAS_OUTPUT != 0
    }
    /// The handshake is done and plaintext can be written.
    pub fn can_write(self) -> bool {
        self.0 & sys::TLSM_STATUS_CAN_WRITE != 0
    }
    /// Received application data is waiting.
    pub fn has_plaintext(self) -> bool {
        self.0 & sys::TLSM_STATUS_HAS_PLAINTEXT != 0
    }
    /// Waiting for [`Connection::sign_done`] (external signing).
    pub fn blocked(self) -> bool {
        self.0 & sys::TLSM_STATUS_BLOCKED != 0
    }
    /// No more plaintext will come (close or error).
    pub fn closed(self) -> bool {
        self.0 & sys::TLSM_STATUS_CLOSED != 0
    }
    /// The handshake has not finished.
    pub fn handshaking(self) -> bool {
        self.0 & sys::TLSM_STATUS_HANDSHAKING != 0
    }
    /// A fatal error happened ([`Connection::error`]).
    pub fn error(self) -> bool {
        self.0 & sys::TLSM_STATUS_ERROR != 0
    }
    /// The raw bits.
    pub fn bits(self) -> u32 {
        self.0
    }
}

impl fmt::Debug for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (self.wants_input(), "WANT_INPUT"),
            (self.has_output(), "HAS_OUTPUT"),
            (self.can_write(), "CAN_WRITE"),
            (self.has_plaintext(), "HAS_PLAINTEXT"),
            (self.blocked(), "BLOCKED"),
            (self.closed(), "CLOSED"),
            (self.handshaking(), "HANDSHAKING"),
            (self.error(), "ERROR"),
        ];
        let set: Vec<&str> = names.iter().filter(|(on, _)| *on).map(|(_, n)| *n).collect();
        write!(f, "Status({})", set.join("|"))
    }
}

/// A one-shot event (`tlsm_next_event`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// Keys are ready; plaintext may be written.
    HandshakeDone,
    /// The peer sent close_notify.
    PeerClosed,
    /// An alert was received.
    Alert {
        /// Its description.
        alert: Alert,
        /// Whether it was fatal (the connection is over).
        fatal: bool,
    },
    /// Client: a resumable session is available ([`Connection::session`]).
    NewTicket,
    /// Keys were updated: by the peer (`by_peer`) or by us.
    KeyUpdated {
        /// The peer updated its sending keys (else we updated ours).
        by_peer: bool,
    },
    /// Trace: a handshake message was sent.
    MessageSent {
        /// The handshake message type ([`Event::message_name`]).
        msg_type: u8,
        /// The message is a ChangeCipherSpec.
        ccs: bool,
    },
    /// Trace: a handshake message was received.
    MessageReceived {
        /// The handshake message type ([`Event::message_name`]).
        msg_type: u8,
        /// The message is a ChangeCipherSpec.
        ccs: bool,
    },
    /// External signing requested: see [`Connection::sign_request`].
    SignRequested,
    /// External verification requested (`TLSM_EV_VERIFY_PEER`).
    VerifyPeer,
    /// The connection failed.
    Error(Error),
    /// An event type this crate does not know (a newer core).
    Other(u32),
}

impl Event {
    pub(crate) fn from_raw(ev: &sys::tlsm_event) -> Event {
        match ev.type_ {
            sys::TLSM_EV_HANDSHAKE_DONE => Event::HandshakeDone,
            sys::TLSM_EV_PEER_CLOSED => Event::PeerClosed,
            sys::TLSM_EV_ALERT => Event::Alert { alert: Alert(ev.alert), fatal: ev.fatal != 0 },
            sys::TLSM_EV_NEW_TICKET => Event::NewTicket,
            sys::TLSM_EV_KEY_UPDATED => Event::KeyUpdated { by_peer: ev.alert != 0 },
            sys::TLSM_EV_MESSAGE_SENT => Event::MessageSent { msg_type: ev.msg_type, ccs: ev.ccs != 0 },
            sys::TLSM_EV_MESSAGE_RECEIVED => Event::MessageReceived { msg_type: ev.msg_type, ccs: ev.ccs != 0 },
            sys::TLSM_EV_SIGN => Event::SignRequested,
            sys::TLSM_EV_VERIFY_PEER => Event::VerifyPeer,
            sys::TLSM_EV_ERROR => Event::Error(Error::from_code(ev.code)),
            other => Event::Other(other),
        }
    }

    /// Name of a handshake message type, e.g. `"ClientHello"` (`tlsm_message_name`).
    pub fn message_name(msg_type: u8) -> &'static str {
        // SAFETY: tlsm_message_name returns a static NUL-terminated string for any value.
        unsafe { crate::error::static_str(sys::tlsm_message_name(msg_type)) }
    }
}

/// A TLS connection (client or server).
///
/// It owns the C state (freed on drop) and keeps its config alive. It is `Send` (move it
/// to another thread) but not `Sync`: the core's connections are single-threaded.
/// Buffers lent by the core ([`output`](Self::output), [`plaintext`](Self::plaintext),
/// [`input_buffer`](Self::input_buffer)) borrow the connection mutably, so no other call
/// can change the connection while one is alive:
///
/// ```compile_fail
/// # fn f(conn: &mut tlsm::Connection) {
/// let out = conn.output();
/// conn.feed(b"...").unwrap(); // error: `conn` is already borrowed by `out`
/// out.consume(1).unwrap();
/// # }
/// ```
pub struct Connection {
    raw: NonNull<sys::tlsm_conn>,
    // Dropped after the connection (Drop frees `raw` first): the C connection holds a C
    // reference to the config, and the config's hook contexts live in RawConfig.
    _config: Arc<RawConfig>,
    _not_sync: PhantomData<Cell<()>>,
}

// SAFETY: a tlsm_conn has no thread affinity (no thread-local state, no locks owned by a
// thread); it must only not be used by two threads at once, which `!Sync` plus `&mut self`
// on every changing call guarantees. The config it points to is Send + Sync (RawConfig).
unsafe impl Send for Connection {}

impl Drop for Connection {
    fn drop(&mut self) {
        // SAFETY: `raw` came from tlsm_conn_new and is freed exactly once, here. No
        // borrowed buffer can outlive `self` (they borrow it).
        unsafe { sys::tlsm_conn_free(self.raw.as_ptr()) }
    }
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("handshake_done", &self.handshake_done())
            .field("version", &self.version())
            .field("error", &self.error())
            .finish()
    }
}

/// Ciphertext waiting for the transport, borrowed from the connection.
pub struct Output<'a> {
    conn: NonNull<sys::tlsm_conn>,
    data: &'a [u8],
    _conn: PhantomData<&'a mut Connection>,
}

impl Deref for Output<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.data
    }
}

impl Output<'_> {
    /// Drops the first `n` bytes (the transport took them). Not calling it leaves them
    /// pending.
    pub fn consume(self, n: usize) -> Result<()> {
        // SAFETY: the connection is live and exclusively borrowed for 'a; consume
        // invalidates `data`, which `self` (moved in) can no longer reach.
        unsafe { check_on(self.conn, sys::tlsm_output_consume(self.conn.as_ptr(), n)) }
    }
}

/// `check` for a call on `conn`: a failure of the connection carries its certificate
/// problem and its reason ([`Error::reason`]).
///
/// # Safety
/// `conn` must point to a live connection.
unsafe fn check_on(conn: NonNull<sys::tlsm_conn>, rc: c_int) -> Result<()> {
    // SAFETY: guaranteed by the caller.
    check(rc).map_err(|e| unsafe { e.of_conn(conn.as_ptr()) })
}

/// Received application data, borrowed from the connection.
pub struct Plaintext<'a> {
    conn: NonNull<sys::tlsm_conn>,
    data: &'a [u8],
    _conn: PhantomData<&'a mut Connection>,
}

impl Deref for Plaintext<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.data
    }
}

impl Plaintext<'_> {
    /// Marks the first `n` bytes as read.
    pub fn consume(self, n: usize) -> Result<()> {
        // SAFETY: as for Output::consume.
        unsafe { check_on(self.conn, sys::tlsm_read_consume(self.conn.as_ptr(), n)) }
    }
}

/// Free space in the engine's input buffer (zero-copy input): write ciphertext into it,
/// then [`commit`](Self::commit) how much was written.
pub struct InputBuffer<'a> {
    conn: NonNull<sys::tlsm_conn>,
    data: &'a mut [u8],
    _conn: PhantomData<&'a mut Connection>,
}

impl Deref for InputBuffer<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.data
    }
}

impl DerefMut for InputBuffer<'_> {
    fn deref_mut(&mut self) -> &mut [u8] {
        self.data
    }
}

impl InputBuffer<'_> {
    /// Hands the first `n` bytes to the engine, which processes every complete record.
    pub fn commit(self, n: usize) -> Result<()> {
        // SAFETY: the connection is live and exclusively borrowed; the core checks that
        // n does not exceed the space it lent.
        unsafe { check_on(self.conn, sys::tlsm_input_ack(self.conn.as_ptr(), n)) }
    }
}

/// An external-signing request ([`Event::SignRequested`]).
#[derive(Debug)]
pub struct SignRequest<'a> {
    /// The scheme to sign with.
    pub scheme: SignatureScheme,
    /// The exact bytes to sign.
    pub message: &'a [u8],
}

macro_rules! debug_len {
    ($($t:ident),*) => {$(
        impl fmt::Debug for $t<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($t)).field("len", &self.data.len()).finish()
            }
        }
    )*};
}
debug_len!(Output, Plaintext, InputBuffer);

/// A server name as C takes it: a NUL inside is refused, since C would read only what
/// comes before it ("localhost\0.attacker.example" checked as "localhost").
pub(crate) fn server_name_cstring(name: &str, context: &'static str) -> Result<CString> {
    CString::new(name).map_err(|_| Error::refused(sys::TLSM_ERR_ARG, context, "the server name contains a NUL byte"))
}

/// Builds a slice from a pointer/length pair lent by the core; NULL means empty.
///
/// # Safety
/// `p` must be NULL or valid for `len` bytes for `'a`, and nothing may write to them
/// during `'a` (the caller ties `'a` to a borrow of the connection).
unsafe fn lent<'a>(p: *const u8, len: usize) -> &'a [u8] {
    if p.is_null() || len == 0 {
        &[]
    } else {
        // SAFETY: guaranteed by the caller.
        unsafe { std::slice::from_raw_parts(p, len) }
    }
}

impl Connection {
    fn new(config: &Arc<RawConfig>, server_name: Option<&CString>) -> Result<Connection> {
        let name = server_name.map_or(std::ptr::null(), |n| n.as_ptr());
        // SAFETY: the config is live (Arc); the name is NUL-terminated and copied by the
        // core. NULL is returned for invalid arguments or allocation failure.
        let raw = unsafe { config.new_conn(name) };
        let raw = NonNull::new(raw).ok_or_else(|| {
            Error::refused(sys::TLSM_ERR_ARG, "conn_new", "tlsm_conn_new failed (a server name of more than 255 bytes, or out of memory)")
        })?;
        Ok(Connection { raw, _config: Arc::clone(config), _not_sync: PhantomData })
    }

    /// A client connection to `server_name` (sent as SNI and checked against the
    /// certificate; an IP literal is checked against IP SANs and not sent).
    pub fn client(config: &ClientConfig, server_name: &str) -> Result<Connection> {
        let name = server_name_cstring(server_name, "conn_new")?;
        Connection::new(&config.raw, Some(&name))
    }

    /// A client connection that sends no SNI and checks no name (only the chain).
    pub fn client_without_name(config: &ClientConfig) -> Result<Connection> {
        Connection::new(&config.raw, None)
    }

    /// A server connection (the config needs an identity).
    pub fn server(config: &ServerConfig) -> Result<Connection> {
        Connection::new(&config.raw, None)
    }

    fn ptr(&self) -> *mut sys::tlsm_conn {
        self.raw.as_ptr()
    }

    /// Adds the certificate problem and the reason to an error from this connection.
    fn annotate(&self, e: Error) -> Error {
        // SAFETY: the connection is live.
        unsafe { e.of_conn(self.ptr()) }
    }

    fn check(&self, rc: c_int) -> Result<()> {
        // SAFETY: the connection is live.
        unsafe { check_on(self.raw, rc) }
    }

    /// Ciphertext in: copies what it can and processes every complete record. Returns how
    /// many bytes were taken; fewer than offered means "drain the plaintext or output
    /// first" (see [`status`](Self::status)).
    pub fn feed(&mut self, data: &[u8]) -> Result<usize> {
        let mut used = 0;
        // SAFETY: live connection, exclusive access; `data` is valid for its length.
        let rc = unsafe { sys::tlsm_feed(self.ptr(), data.as_ptr(), data.len(), &mut used) };
        self.check(rc).map(|()| used)
    }

    /// Zero-copy input: the free part of the engine's input buffer (empty when full).
    pub fn input_buffer(&mut self) -> InputBuffer<'_> {
        let mut cap = 0;
        // SAFETY: live connection, exclusive access.
        let p = unsafe { sys::tlsm_input_buf(self.ptr(), &mut cap) };
        let data: &mut [u8] = if p.is_null() || cap == 0 {
            &mut []
        } else {
            // SAFETY: the core lends `cap` writable bytes inside its connection state (an
            // array in the calloc'ed tlsm_conn, so initialized memory) until the next call
            // that changes the connection; the returned borrow of `self` forbids such calls.
            unsafe { std::slice::from_raw_parts_mut(p, cap) }
        };
        InputBuffer { conn: self.raw, data, _conn: PhantomData }
    }

    /// Reads ciphertext from `rd` straight into the input buffer and processes it.
    /// Returns the number of bytes read; 0 means end of stream (call
    /// [`feed_eof`](Self::feed_eof)) or a full buffer (drain plaintext first).
    pub fn read_tls<R: Read + ?Sized>(&mut self, rd: &mut R) -> io::Result<usize> {
        let mut buf = self.input_buffer();
        if buf.is_empty() {
            return Ok(0);
        }
        let n = rd.read(&mut buf)?;
        if n > 0 {
            buf.commit(n)?; // with the connection's reason, if it failed
        }
        Ok(n)
    }

    /// The transport reached end of stream: clean after close_notify, otherwise
    /// [`Error::is_truncated`].
    pub fn feed_eof(&mut self) -> Result<()> {
        // SAFETY: live connection, exclusive access.
        let rc = unsafe { sys::tlsm_feed_eof(self.ptr()) };
        self.check(rc)
    }

    /// Ciphertext waiting to be sent (empty if none). Call
    /// [`Output::consume`] with what the transport took.
    pub fn output(&mut self) -> Output<'_> {
        let mut len = 0;
        // SAFETY: live connection, exclusive access; the pointer stays valid until the next
        // call that changes the connection, which the returned borrow forbids.
        let data = unsafe { lent(sys::tlsm_output_peek(self.ptr(), &mut len), len) };
        Output { conn: self.raw, data, _conn: PhantomData }
    }

    /// Writes pending ciphertext to `wr` (one `write` call) and consumes what it took.
    pub fn write_tls<W: Write + ?Sized>(&mut self, wr: &mut W) -> io::Result<usize> {
        let out = self.output();
        if out.is_empty() {
            return Ok(0);
        }
        let n = wr.write(&out)?;
        out.consume(n)?;
        Ok(n)
    }

    /// Queues application data; returns how much was accepted (the rest must be offered
    /// again once the output drained). Only after the handshake.
    pub fn write_plaintext(&mut self, data: &[u8]) -> Result<usize> {
        let mut accepted = 0;
        // SAFETY: live connection, exclusive access; `data` valid for its length.
        let rc = unsafe { sys::tlsm_write(self.ptr(), data.as_ptr(), data.len(), &mut accepted) };
        self.check(rc).map(|()| accepted)
    }

    /// Received application data (empty if none), to read and [`Plaintext::consume`].
    pub fn plaintext(&mut self) -> Plaintext<'_> {
        let mut len = 0;
        // SAFETY: as for `output`.
        let data = unsafe { lent(sys::tlsm_read_peek(self.ptr(), &mut len), len) };
        Plaintext { conn: self.raw, data, _conn: PhantomData }
    }

    /// Copies received application data into `buf` and marks it read.
    pub fn read_plaintext(&mut self, buf: &mut [u8]) -> Result<usize> {
        let pt = self.plaintext();
        let n = pt.len().min(buf.len());
        buf[..n].copy_from_slice(&pt[..n]);
        if n > 0 {
            pt.consume(n)?;
        }
        Ok(n)
    }

    /// What the connection waits for. A client's first call starts the handshake.
    pub fn status(&mut self) -> Status {
        // SAFETY: live connection, exclusive access.
        Status(unsafe { sys::tlsm_status(self.ptr()) })
    }

    /// Pops the next one-shot event.
    pub fn next_event(&mut self) -> Option<Event> {
        let mut ev = sys::tlsm_event::default();
        // SAFETY: live connection; `ev` is a valid tlsm_event to fill (layout checked by
        // tlsm-sys' drift test).
        let got = unsafe { sys::tlsm_next_event(self.ptr(), &mut ev) };
        (got == 1).then(|| match Event::from_raw(&ev) {
            Event::Error(e) => Event::Error(self.annotate(e)),
            other => other,
        })
    }

    /// Iterates over the pending events.
    pub fn events(&mut self) -> impl Iterator<Item = Event> + '_ {
        std::iter::from_fn(move || self.next_event())
    }

    /// Sends close_notify; later writes fail with [`Error::is_closed`].
    pub fn close(&mut self) -> Result<()> {
        // SAFETY: live connection, exclusive access.
        let rc = unsafe { sys::tlsm_close(self.ptr()) };
        self.check(rc)
    }

    /// TLS 1.3 KeyUpdate; `ask_peer` requests the peer to update too.
    pub fn key_update(&mut self, ask_peer: bool) -> Result<()> {
        // SAFETY: live connection, exclusive access.
        let rc = unsafe { sys::tlsm_key_update(self.ptr(), c_int::from(ask_peer)) };
        self.check(rc)
    }

    /// RFC 5705 / RFC 8446 s.7.5 exporter: fills `out`.
    pub fn export_keying_material(&mut self, out: &mut [u8], label: &[u8], context: Option<&[u8]>) -> Result<()> {
        let (ctx, ctx_len) = context.map_or((std::ptr::null(), 0), |c| (c.as_ptr(), c.len()));
        // SAFETY: live connection; every pointer/length pair comes from a live slice (the
        // label is passed with its length, so no NUL terminator is needed).
        let rc = unsafe {
            sys::tlsm_export_keying_material(
                self.ptr(),
                label.as_ptr().cast(),
                label.len(),
                ctx,
                ctx_len,
                out.as_mut_ptr(),
                out.len(),
            )
        };
        self.check(rc)
    }

    /// External signing: the scheme and the bytes to sign, after [`Event::SignRequested`].
    pub fn sign_request(&mut self) -> Result<SignRequest<'_>> {
        let (mut scheme, mut msg, mut len) = (0u16, std::ptr::null(), 0usize);
        // SAFETY: live connection, exclusive access; out-pointers are valid locals.
        let rc = unsafe { sys::tlsm_sign_request(self.ptr(), &mut scheme, &mut msg, &mut len) };
        self.check(rc)?;
        // SAFETY: the message is lent until the next changing call; the returned value
        // borrows `self` mutably.
        let message = unsafe { lent(msg, len) };
        Ok(SignRequest { scheme: SignatureScheme(scheme), message })
    }

    /// Supplies the signature for the pending request; the handshake continues.
    pub fn sign_done(&mut self, signature: &[u8]) -> Result<()> {
        // SAFETY: live connection, exclusive access; the signature is copied.
        let rc = unsafe { sys::tlsm_sign_done(self.ptr(), signature.as_ptr(), signature.len()) };
        self.check(rc)
    }

    /// Answers [`Event::VerifyPeer`]: `accept` lets the handshake go on; otherwise `alert`
    /// (0 means bad_certificate) is sent and becomes the sticky error, and
    /// [`verify_error`](Self::verify_error) reports
    /// [`CertificateError::ApplicationRejected`].
    pub fn verify_done(&mut self, accept: bool, alert: u8) -> Result<()> {
        // SAFETY: live connection, exclusive access; plain values only.
        let rc = unsafe { sys::tlsm_verify_done(self.ptr(), c_int::from(accept), alert) };
        self.check(rc)
    }

    /// The sticky error, with the certificate problem when verification failed.
    pub fn error(&self) -> Option<Error> {
        // SAFETY: live connection; const query.
        let code = unsafe { sys::tlsm_conn_error(self.ptr()) };
        (code != 0).then(|| self.annotate(Error::from_code(code)))
    }

    /// Why peer verification failed, if it did.
    pub fn verify_error(&self) -> Option<CertificateError> {
        // SAFETY: live connection; const query.
        CertificateError::from_code(unsafe { sys::tlsm_conn_verify_error(self.ptr()) })
    }

    /// Whether the handshake finished.
    pub fn handshake_done(&self) -> bool {
        // SAFETY: live connection; const query.
        unsafe { sys::tlsm_conn_handshake_done(self.ptr()) == 1 }
    }

    /// The negotiated version.
    pub fn version(&self) -> Option<Version> {
        // SAFETY: live connection; const query.
        Version::from_wire(unsafe { sys::tlsm_conn_version(self.ptr()) })
    }

    /// The negotiated cipher suite.
    pub fn cipher_suite(&self) -> Option<CipherSuite> {
        // SAFETY: live connection; const query.
        let s = unsafe { sys::tlsm_conn_suite(self.ptr()) };
        (s != 0).then_some(CipherSuite(s))
    }

    /// The key-exchange group (none for psk_ke resumption).
    pub fn group(&self) -> Option<NamedGroup> {
        // SAFETY: live connection; const query.
        let g = unsafe { sys::tlsm_conn_group(self.ptr()) };
        (g != 0).then_some(NamedGroup(g))
    }

    /// The scheme the peer signed with.
    pub fn peer_signature_scheme(&self) -> Option<SignatureScheme> {
        // SAFETY: live connection; const query.
        let s = unsafe { sys::tlsm_conn_peer_sigalg(self.ptr()) };
        (s != 0).then_some(SignatureScheme(s))
    }

    /// Whether the handshake resumed a session.
    pub fn resumed(&self) -> bool {
        // SAFETY: live connection; const query.
        unsafe { sys::tlsm_conn_resumed(self.ptr()) == 1 }
    }

    /// Whether a HelloRetryRequest happened.
    pub fn hello_retry_request(&self) -> bool {
        // SAFETY: live connection; const query.
        unsafe { sys::tlsm_conn_hrr(self.ptr()) == 1 }
    }

    /// The negotiated ALPN protocol.
    pub fn alpn_protocol(&self) -> Option<&[u8]> {
        let mut len = 0;
        // SAFETY: live connection; the bytes stay valid until a changing call, which needs
        // `&mut self` and so cannot happen while the returned borrow of `self` lives.
        let p = unsafe { sys::tlsm_conn_alpn(self.ptr(), &mut len) };
        // SAFETY: as above.
        (!p.is_null()).then(|| unsafe { lent(p, len) })
    }

    /// Server: the SNI host name the client sent.
    pub fn server_name(&self) -> Option<&str> {
        // SAFETY: live connection; NUL-terminated, lent like `alpn_protocol`.
        let p = unsafe { sys::tlsm_conn_server_name(self.ptr()) };
        if p.is_null() {
            return None;
        }
        // SAFETY: non-NULL, NUL-terminated, valid while `self` is borrowed.
        unsafe { std::ffi::CStr::from_ptr(p) }.to_str().ok()
    }

    /// The peer's certificate chain as DER, leaf first.
    pub fn peer_certificates(&self) -> Vec<&[u8]> {
        // SAFETY: live connection; const query.
        let n = unsafe { sys::tlsm_conn_peer_cert_count(self.ptr()) };
        (0..n)
            .map(|i| {
                let mut len = 0;
                // SAFETY: i < count; the DER is lent like `alpn_protocol`.
                unsafe { lent(sys::tlsm_conn_peer_cert(self.ptr(), i, &mut len), len) }
            })
            .collect()
    }

    /// Client: the latest resumable session as an opaque blob (after
    /// [`Event::NewTicket`]). It holds a secret: keep it like a key.
    pub fn session(&self) -> Result<Vec<u8>> {
        let mut len = 0;
        // SAFETY: live connection; NULL buffer asks for the size.
        let rc = unsafe { sys::tlsm_conn_get_session(self.ptr(), std::ptr::null_mut(), 0, &mut len) };
        self.check(rc)?;
        let mut blob = vec![0u8; len];
        // SAFETY: `blob` is writable for `len` bytes.
        let rc = unsafe { sys::tlsm_conn_get_session(self.ptr(), blob.as_mut_ptr(), blob.len(), &mut len) };
        self.check(rc)?;
        blob.truncate(len);
        Ok(blob)
    }

    /// Client: offers a session from [`session`](Self::session) on this new connection
    /// (before its first output).
    pub fn set_session(&mut self, blob: &[u8]) -> Result<()> {
        // SAFETY: live connection, exclusive access; the blob is copied.
        let rc = unsafe { sys::tlsm_conn_set_session(self.ptr(), blob.as_ptr(), blob.len()) };
        self.check(rc)
    }

    /// Drives I/O on a blocking transport: sends pending output, and while the handshake is
    /// running reads and processes input until it finishes. Returns (bytes read, bytes
    /// written).
    pub fn complete_io<T: Read + Write + ?Sized>(&mut self, io: &mut T) -> io::Result<(usize, usize)> {
        let (mut rd, mut wr) = (0, 0);
        loop {
            while self.status().has_output() {
                match self.write_tls(io)? {
                    0 => return Err(io::ErrorKind::WriteZero.into()),
                    n => wr += n,
                }
            }
            io.flush()?;
            if let Some(e) = self.error() {
                return Err(e.into());
            }
            let st = self.status();
            if !st.handshaking() || st.closed() {
                return Ok((rd, wr));
            }
            if st.blocked() {
                return Err(io::Error::new(io::ErrorKind::WouldBlock, "waiting for sign_done"));
            }
            match self.read_tls(io)? {
                0 => {
                    self.feed_eof()?;
                    return Ok((rd, wr));
                }
                n => rd += n,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_is_send() {
        fn assert_send<T: Send>() {}
        assert_send::<Connection>();
    }

    #[test]
    fn nul_in_server_name_fails() {
        let cfg = ClientConfig::builder().build().unwrap();
        let e = Connection::client(&cfg, "a\0b").unwrap_err();
        assert_eq!(e.to_string(), "conn_new: the server name contains a NUL byte");
    }

    #[test]
    fn client_starts_with_a_client_hello() {
        let cfg = ClientConfig::builder().build().unwrap();
        let mut c = Connection::client(&cfg, "localhost").unwrap();
        let st = c.status();
        assert!(st.handshaking() && st.has_output(), "{st:?}");
        let out = c.output();
        assert_eq!(out[0], 22, "a handshake record");
        let n = out.len();
        out.consume(n).unwrap();
        assert!(c.output().is_empty());
        assert!(c.write_plaintext(b"early").is_err(), "no write before the handshake");
    }
}
