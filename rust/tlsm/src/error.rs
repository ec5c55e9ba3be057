//! Errors: one integer namespace from the C core, wrapped in [`Error`].
use std::ffi::{c_int, CStr};
use std::fmt;
use std::io;

use tlsm_sys as sys;

/// A TLS alert description (RFC 8446 s.6), e.g. [`Alert::UNKNOWN_CA`].
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Alert(pub u8);

impl Alert {
    /// `close_notify`.
    pub const CLOSE_NOTIFY: Alert = Alert(sys::TLSM_ALERT_CLOSE_NOTIFY);
    /// `unexpected_message`.
    pub const UNEXPECTED_MESSAGE: Alert = Alert(sys::TLSM_ALERT_UNEXPECTED_MESSAGE);
    /// `bad_record_mac`.
    pub const BAD_RECORD_MAC: Alert = Alert(sys::TLSM_ALERT_BAD_RECORD_MAC);
    /// `record_overflow`.
    pub const RECORD_OVERFLOW: Alert = Alert(sys::TLSM_ALERT_RECORD_OVERFLOW);
    /// `handshake_failure`.
    pub const HANDSHAKE_FAILURE: Alert = Alert(sys::TLSM_ALERT_HANDSHAKE_FAILURE);
    /// `bad_certificate`.
    pub const BAD_CERTIFICATE: Alert = Alert(sys::TLSM_ALERT_BAD_CERTIFICATE);
    /// `unsupported_certificate`.
    pub const UNSUPPORTED_CERTIFICATE: Alert = Alert(sys::TLSM_ALERT_UNSUPPORTED_CERTIFICATE);
    /// `certificate_revoked`.
    pub const CERTIFICATE_REVOKED: Alert = Alert(sys::TLSM_ALERT_CERTIFICATE_REVOKED);
    /// `certificate_expired`.
    pub const CERTIFICATE_EXPIRED: Alert = Alert(sys::TLSM_ALERT_CERTIFICATE_EXPIRED);
    /// `certificate_unknown`.
    pub const CERTIFICATE_UNKNOWN: Alert = Alert(sys::TLSM_ALERT_CERTIFICATE_UNKNOWN);
    /// `illegal_parameter`.
    pub const ILLEGAL_PARAMETER: Alert = Alert(sys::TLSM_ALERT_ILLEGAL_PARAMETER);
    /// `unknown_ca`.
    pub const UNKNOWN_CA: Alert = Alert(sys::TLSM_ALERT_UNKNOWN_CA);
    /// `access_denied`.
    pub const ACCESS_DENIED: Alert = Alert(sys::TLSM_ALERT_ACCESS_DENIED);
    /// `decode_error`.
    pub const DECODE_ERROR: Alert = Alert(sys::TLSM_ALERT_DECODE_ERROR);
    /// `decrypt_error`.
    pub const DECRYPT_ERROR: Alert = Alert(sys::TLSM_ALERT_DECRYPT_ERROR);
    /// `protocol_version`.
    pub const PROTOCOL_VERSION: Alert = Alert(sys::TLSM_ALERT_PROTOCOL_VERSION);
    /// `insufficient_security`.
    pub const INSUFFICIENT_SECURITY: Alert = Alert(sys::TLSM_ALERT_INSUFFICIENT_SECURITY);
    /// `internal_error`.
    pub const INTERNAL_ERROR: Alert = Alert(sys::TLSM_ALERT_INTERNAL_ERROR);
    /// `inappropriate_fallback`.
    pub const INAPPROPRIATE_FALLBACK: Alert = Alert(sys::TLSM_ALERT_INAPPROPRIATE_FALLBACK);
    /// `user_canceled`.
    pub const USER_CANCELED: Alert = Alert(sys::TLSM_ALERT_USER_CANCELED);
    /// `no_renegotiation`.
    pub const NO_RENEGOTIATION: Alert = Alert(sys::TLSM_ALERT_NO_RENEGOTIATION);
    /// `missing_extension`.
    pub const MISSING_EXTENSION: Alert = Alert(sys::TLSM_ALERT_MISSING_EXTENSION);
    /// `unsupported_extension`.
    pub const UNSUPPORTED_EXTENSION: Alert = Alert(sys::TLSM_ALERT_UNSUPPORTED_EXTENSION);
    /// `unrecognized_name`.
    pub const UNRECOGNIZED_NAME: Alert = Alert(sys::TLSM_ALERT_UNRECOGNIZED_NAME);
    /// `bad_certificate_status_response`.
    pub const BAD_CERTIFICATE_STATUS_RESPONSE: Alert = Alert(sys::TLSM_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE);
    /// `unknown_psk_identity`.
    pub const UNKNOWN_PSK_IDENTITY: Alert = Alert(sys::TLSM_ALERT_UNKNOWN_PSK_IDENTITY);
    /// `certificate_required`.
    pub const CERTIFICATE_REQUIRED: Alert = Alert(sys::TLSM_ALERT_CERTIFICATE_REQUIRED);
    /// `no_application_protocol`.
    pub const NO_APPLICATION_PROTOCOL: Alert = Alert(sys::TLSM_ALERT_NO_APPLICATION_PROTOCOL);

    /// The RFC name, e.g. `"unknown_ca"` (`tlsm_alert_name`).
    pub fn name(self) -> &'static str {
        // SAFETY: tlsm_alert_name returns a static NUL-terminated string for any value.
        unsafe { static_str(sys::tlsm_alert_name(self.0)) }
    }
}

impl fmt::Debug for Alert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Alert({}: {})", self.0, self.name())
    }
}

impl fmt::Display for Alert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Converts a static C string from the core into `&'static str` (NULL gives "").
///
/// # Safety
/// `p` must be NULL or point to a NUL-terminated string that is never freed nor changed:
/// the names the header documents as static (strerror, alert, suite, event and message
/// names, the version string). Any other pointer would give a `'static` borrow of memory
/// that does not live that long.
pub(crate) unsafe fn static_str(p: *const std::ffi::c_char) -> &'static str {
    if p.is_null() {
        return "";
    }
    // SAFETY: guaranteed by the caller.
    unsafe { CStr::from_ptr(p) }.to_str().unwrap_or("?")
}

/// Who sent the alert carried by a protocol error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlertSource {
    /// tlsm detected the problem and sent the alert (it is waiting in the output).
    Local,
    /// The peer sent a fatal alert.
    Peer,
}

/// Why a certificate (chain) did not verify: the `TLSM_ERR_CERT_*` codes of `tlsm.h`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CertificateError {
    /// The DER or X.509 structure is malformed.
    BadEncoding,
    /// No path to a trust anchor.
    UnknownIssuer,
    /// A signature in the chain does not verify.
    BadSignature,
    /// The time is after a certificate's notAfter.
    Expired,
    /// The time is before a certificate's notBefore.
    NotValidYet,
    /// An issuer lacks basicConstraints cA or keyCertSign.
    NotCa,
    /// A pathLenConstraint is exceeded or the chain is too deep.
    PathLenExceeded,
    /// keyUsage or extendedKeyUsage forbids this use.
    InvalidPurpose,
    /// The host name or IP address is not in the leaf's subjectAltName.
    NotValidForName,
    /// A signature or key algorithm is not supported or not allowed.
    UnsupportedAlgorithm,
    /// An unknown extension is marked critical.
    UnknownCriticalExtension,
    /// A key is too small for the policy.
    WeakKey,
    /// No trust anchors are configured.
    NoTrustAnchors,
    /// The application rejected the chain ([`Connection::verify_done`](crate::Connection::verify_done)).
    ApplicationRejected,
    /// A name is outside an issuer's nameConstraints.
    NameConstraintViolation,
    /// A serialNumber is negative, zero or longer than 20 octets.
    BadSerialNumber,
    /// A validity time is malformed or of the wrong ASN.1 type.
    BadValidityTime,
    /// A code this crate does not know (a newer core).
    Other(i32),
}

impl CertificateError {
    const TABLE: [(i32, CertificateError); 17] = [
        (sys::TLSM_ERR_CERT_PARSE, CertificateError::BadEncoding),
        (sys::TLSM_ERR_CERT_UNKNOWN_ISSUER, CertificateError::UnknownIssuer),
        (sys::TLSM_ERR_CERT_SIGNATURE, CertificateError::BadSignature),
        (sys::TLSM_ERR_CERT_EXPIRED, CertificateError::Expired),
        (sys::TLSM_ERR_CERT_NOT_YET_VALID, CertificateError::NotValidYet),
        (sys::TLSM_ERR_CERT_NOT_CA, CertificateError::NotCa),
        (sys::TLSM_ERR_CERT_PATH_LEN, CertificateError::PathLenExceeded),
        (sys::TLSM_ERR_CERT_USAGE, CertificateError::InvalidPurpose),
        (sys::TLSM_ERR_CERT_NAME_MISMATCH, CertificateError::NotValidForName),
        (sys::TLSM_ERR_CERT_UNSUPPORTED_ALG, CertificateError::UnsupportedAlgorithm),
        (sys::TLSM_ERR_CERT_CRITICAL_EXT, CertificateError::UnknownCriticalExtension),
        (sys::TLSM_ERR_CERT_WEAK_KEY, CertificateError::WeakKey),
        (sys::TLSM_ERR_CERT_NO_TRUST, CertificateError::NoTrustAnchors),
        (sys::TLSM_ERR_CERT_REJECTED, CertificateError::ApplicationRejected),
        (sys::TLSM_ERR_CERT_NAME_CONSTRAINT, CertificateError::NameConstraintViolation),
        (sys::TLSM_ERR_CERT_BAD_SERIAL, CertificateError::BadSerialNumber),
        (sys::TLSM_ERR_CERT_BAD_TIME, CertificateError::BadValidityTime),
    ];

    /// The certificate problem behind a `TLSM_ERR_CERT_*` code; `None` for other codes.
    pub fn from_code(code: i32) -> Option<CertificateError> {
        if !is_cert_code(code) {
            return None;
        }
        Some(
            CertificateError::TABLE
                .iter()
                .find(|(c, _)| *c == code)
                .map_or(CertificateError::Other(code), |(_, e)| *e),
        )
    }

    /// The `TLSM_ERR_CERT_*` code.
    pub fn code(self) -> i32 {
        match self {
            CertificateError::Other(code) => code,
            known => CertificateError::TABLE.iter().find(|(_, e)| *e == known).map_or(0, |(c, _)| *c),
        }
    }
}

/// Certificate codes: the 0x400 block of the namespace.
fn is_cert_code(code: i32) -> bool {
    code < 0 && (-code) & 0xf00 == 0x400
}

impl fmt::Display for CertificateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Error::describe(self.code()))
    }
}

impl std::error::Error for CertificateError {}

/// What kind of failure an [`Error`] is, for code that reacts to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The peer's certificate chain did not verify (the alert has been sent).
    Certificate(CertificateError),
    /// tlsm detected a protocol violation and sent this alert.
    AlertSent(Alert),
    /// The peer sent this fatal alert.
    AlertReceived(Alert),
    /// The transport ended without close_notify: the data may have been cut.
    Truncated,
    /// The connection was closed cleanly (close_notify): no more data can be sent.
    Closed,
    /// The call is not allowed now (writing before the handshake, a KeyUpdate on TLS 1.2).
    State,
    /// A configuration was refused (malformed PEM or key, a key not matching its
    /// certificate, a bad combination of settings, a config already in use).
    Config,
    /// An invalid argument (a NUL in a name, a length out of range, an unknown code).
    InvalidArgument,
    /// No resumable session is available.
    NoSession,
    /// An allocation failed.
    OutOfMemory,
    /// Anything else (the random generator or a crypto primitive failed).
    Other,
}

/// An error from tlsm: the core's code (see `tlsm.h`), what kind of failure it is
/// ([`kind`](Self::kind)), the alert and who sent it for protocol errors, the
/// certificate problem when verification failed, the check that ended the connection
/// ([`reason`](Self::reason)) for a connection's failure, and the API step that failed
/// for configuration errors. `Display` uses `tlsm_strerror` and then names the reason:
/// `sent alert bad_record_mac (REC_BAD_MAC: a record does not authenticate)`.
///
/// Two failures that send the same alert differ in their reason:
///
/// ```
/// # fn demo(err: tlsm::Error) {
/// match err.reason() {
///     Some("CERT_NAME_MISMATCH") => eprintln!("the certificate is for another name"),
///     Some(other) => eprintln!("TLS failed: {other}: {err}"),
///     None => eprintln!("{err}"), // not a connection's failure (a config, a misuse)
/// }
/// # }
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Error {
    code: c_int,
    verify: c_int,
    context: Option<&'static str>,
    detail: Option<&'static str>,
    failure: Option<Failure>,
}

/// Why a connection failed (`tlsm_conn_error_detail`).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Failure {
    reason: &'static str,
    text: &'static str,
    alert_sent: Option<Alert>,
}

impl Error {
    /// Wraps a raw (negative) tlsm code.
    pub fn from_code(code: i32) -> Error {
        Error { code, verify: 0, context: None, detail: None, failure: None }
    }

    #[cfg(test)]
    pub(crate) fn with_verify(mut self, verify: c_int) -> Error {
        self.verify = verify;
        self
    }

    /// Adds what `conn` knows about this error when it is the connection's sticky error:
    /// the certificate problem and the reason (`tlsm_conn_verify_error`,
    /// `tlsm_conn_error_detail`). Other codes (a call made at the wrong time) are left as
    /// they are.
    ///
    /// # Safety
    /// `conn` must point to a live connection.
    pub(crate) unsafe fn of_conn(mut self, conn: *const sys::tlsm_conn) -> Error {
        // SAFETY: guaranteed by the caller; const queries.
        if unsafe { sys::tlsm_conn_error(conn) } != self.code {
            return self;
        }
        // SAFETY: as above.
        self.verify = unsafe { sys::tlsm_conn_verify_error(conn) };
        // SAFETY: tlsm_error_detail is plain data (ints and pointers); all-zero is valid.
        let mut d: sys::tlsm_error_detail = unsafe { std::mem::zeroed() };
        // SAFETY: live connection (caller); fills `d`.
        if unsafe { sys::tlsm_conn_error_detail(conn, &mut d) } != 0 {
            return self;
        }
        // SAFETY: the reason and its text are entries of the core's static reason table
        // (reason.h documents the names as static strings; the texts sit beside them),
        // never freed nor changed.
        let (reason, text) = unsafe { (static_str(d.reason), static_str(d.text)) };
        if !reason.is_empty() {
            let alert_sent = u8::try_from(d.alert_sent).ok().map(Alert);
            self.failure = Some(Failure { reason, text, alert_sent });
        }
        self
    }

    pub(crate) fn with_context(mut self, context: &'static str) -> Error {
        self.context = Some(context);
        self
    }

    /// A refusal by this crate (not the core), explained in words.
    pub(crate) fn refused(code: c_int, context: &'static str, detail: &'static str) -> Error {
        Error { code, verify: 0, context: Some(context), detail: Some(detail), failure: None }
    }

    /// The raw code, e.g. `tlsm_sys::TLSM_ERR_PEM` or `-(0x100 | 48)`.
    pub fn code(&self) -> i32 {
        self.code
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        if let Some(cert) = self.certificate_error() {
            return ErrorKind::Certificate(cert);
        }
        if let Some((alert, source)) = self.alert() {
            return match source {
                AlertSource::Local => ErrorKind::AlertSent(alert),
                AlertSource::Peer => ErrorKind::AlertReceived(alert),
            };
        }
        match self.code {
            sys::TLSM_ERR_TRUNCATED => ErrorKind::Truncated,
            sys::TLSM_ERR_CLOSED => ErrorKind::Closed,
            sys::TLSM_ERR_STATE => ErrorKind::State,
            sys::TLSM_ERR_ARG => ErrorKind::InvalidArgument,
            sys::TLSM_ERR_NO_SESSION => ErrorKind::NoSession,
            sys::TLSM_ERR_NOMEM => ErrorKind::OutOfMemory,
            sys::TLSM_ERR_FROZEN
            | sys::TLSM_ERR_PEM
            | sys::TLSM_ERR_KEY
            | sys::TLSM_ERR_KEY_MISMATCH
            | sys::TLSM_ERR_NO_CERT
            | sys::TLSM_ERR_IO
            | sys::TLSM_ERR_NO_SERVER_NAME => ErrorKind::Config,
            _ => ErrorKind::Other,
        }
    }

    /// The alert of a protocol error and who sent it; `None` for other errors.
    pub fn alert(&self) -> Option<(Alert, AlertSource)> {
        if sys::TLSM_ERR_IS_LOCAL_ALERT(self.code) {
            Some((Alert(sys::TLSM_ERR_ALERT(self.code)), AlertSource::Local))
        } else if sys::TLSM_ERR_IS_PEER_ALERT(self.code) {
            Some((Alert(sys::TLSM_ERR_ALERT(self.code)), AlertSource::Peer))
        } else {
            None
        }
    }

    /// Why certificate verification failed, if it did: the reason a connection recorded
    /// with its alert, or the code itself when it is a certificate code (the PKI
    /// functions, [`verify_chain`](crate::verify_chain)).
    pub fn certificate_error(&self) -> Option<CertificateError> {
        CertificateError::from_code(self.verify).or_else(|| CertificateError::from_code(self.code))
    }

    /// For an error that ended a connection, the name of the check that fired
    /// (`tlsm_conn_error_detail`): a stable identifier such as `"CERT_NAME_MISMATCH"`,
    /// `"REC_BAD_MAC"`, `"TRUNCATED"`, or `"PEER_ALERT"` when the peer's alert ended it.
    /// Two failures that send the same alert have different reasons. `None` for errors
    /// that are not a connection's failure (a configuration refused, a call made at the
    /// wrong time).
    pub fn reason(&self) -> Option<&'static str> {
        self.failure.map(|f| f.reason)
    }

    /// The [`reason`](Self::reason) in one line of words, e.g. `"a record does not
    /// authenticate"`.
    pub fn reason_text(&self) -> Option<&'static str> {
        self.failure.map(|f| f.text)
    }

    /// The fatal alert this side sent because of the failure (also for codes that are not
    /// alerts: `internal_error` when out of memory); `None` when it sent none (the peer's
    /// alert, a cut stream) or the error is not a connection's failure.
    pub fn alert_sent(&self) -> Option<Alert> {
        self.failure.and_then(|f| f.alert_sent)
    }

    /// The configuration step that failed (e.g. `"add_identity_pem"`), if any.
    pub fn context(&self) -> Option<&'static str> {
        self.context
    }

    /// The transport ended without close_notify (`TLSM_ERR_TRUNCATED`).
    pub fn is_truncated(&self) -> bool {
        self.code == sys::TLSM_ERR_TRUNCATED
    }

    /// The connection was closed cleanly (`TLSM_ERR_CLOSED`).
    pub fn is_closed(&self) -> bool {
        self.code == sys::TLSM_ERR_CLOSED
    }

    /// The tlsm error inside an `io::Error` from [`Stream`](crate::Stream) or the tokio
    /// adapters: the error it wraps, or one found along its source chain.
    pub fn from_io(e: &io::Error) -> Option<&Error> {
        let mut next: Option<&(dyn std::error::Error + 'static)> = e.get_ref().map(|inner| inner as _);
        while let Some(err) = next {
            if let Some(found) = err.downcast_ref::<Error>() {
                return Some(found);
            }
            next = err.source();
        }
        None
    }

    /// The name of a tlsm code (`tlsm_strerror`).
    pub fn describe(code: i32) -> &'static str {
        // SAFETY: tlsm_strerror returns a static NUL-terminated string for any code.
        unsafe { static_str(sys::tlsm_strerror(code)) }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(ctx) = self.context {
            write!(f, "{ctx}: ")?;
        }
        if let Some(detail) = self.detail {
            return f.write_str(detail);
        }
        // A failed verification reads as the certificate's problem, then the alert sent:
        // "certificate: unknown issuer (no path to a trust anchor); sent alert unknown_ca".
        let said = self.verify != 0 && self.verify != self.code;
        if said {
            write!(f, "{}; ", Error::describe(self.verify))?;
        }
        f.write_str(Error::describe(self.code))?;
        // The reason's name; its text too unless the message said it in words already (the
        // certificate problem, or "peer sent alert ...").
        let in_words = said || sys::TLSM_ERR_IS_PEER_ALERT(self.code);
        match self.failure {
            Some(r) if in_words || r.text.is_empty() => write!(f, " ({})", r.reason),
            Some(r) => write!(f, " ({}: {})", r.reason, r.text),
            None => Ok(()),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("code", &self.code).field("kind", &self.kind());
        if let Some(r) = self.failure {
            d.field("reason", &r.reason).field("alert_sent", &r.alert_sent);
        }
        d.field("message", &self.to_string());
        d.finish()
    }
}

impl std::error::Error for Error {}

impl From<Error> for io::Error {
    fn from(e: Error) -> io::Error {
        let kind = match e.kind() {
            ErrorKind::Truncated => io::ErrorKind::UnexpectedEof,
            ErrorKind::Closed => io::ErrorKind::BrokenPipe,
            ErrorKind::OutOfMemory => io::ErrorKind::OutOfMemory,
            ErrorKind::InvalidArgument | ErrorKind::State | ErrorKind::Config => io::ErrorKind::InvalidInput,
            _ => io::ErrorKind::InvalidData,
        };
        io::Error::new(kind, e)
    }
}

/// `Result` with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Turns a C return code into a `Result`.
pub(crate) fn check(rc: c_int) -> Result<()> {
    if rc == 0 {
        Ok(())
    } else {
        Err(Error::from_code(rc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_error_carries_alert() {
        let e = Error::from_code(sys::TLSM_ERR_LOCAL_ALERT(sys::TLSM_ALERT_UNKNOWN_CA));
        assert_eq!(e.alert(), Some((Alert::UNKNOWN_CA, AlertSource::Local)));
        assert_eq!(e.kind(), ErrorKind::AlertSent(Alert::UNKNOWN_CA));
        assert_eq!(e.to_string(), "sent alert unknown_ca");
        let p = Error::from_code(sys::TLSM_ERR_PEER_ALERT(40));
        assert_eq!(p.alert(), Some((Alert::HANDSHAKE_FAILURE, AlertSource::Peer)));
        assert_eq!(p.kind(), ErrorKind::AlertReceived(Alert::HANDSHAKE_FAILURE));
        assert_eq!(p.to_string(), "peer sent alert handshake_failure");
    }

    #[test]
    fn certificate_errors_are_typed_and_said_once() {
        let e = Error::from_code(sys::TLSM_ERR_LOCAL_ALERT(sys::TLSM_ALERT_UNKNOWN_CA))
            .with_verify(sys::TLSM_ERR_CERT_UNKNOWN_ISSUER);
        assert_eq!(e.kind(), ErrorKind::Certificate(CertificateError::UnknownIssuer));
        let text = e.to_string();
        assert_eq!(text.matches("certificate:").count(), 1, "{text}");
        assert!(text.ends_with("; sent alert unknown_ca"), "{text}");
        for (code, err) in CertificateError::TABLE {
            assert_eq!(CertificateError::from_code(code), Some(err));
            assert_eq!(err.code(), code);
            assert_eq!(Error::from_code(code).kind(), ErrorKind::Certificate(err));
        }
        assert_eq!(CertificateError::from_code(-0x4ff), Some(CertificateError::Other(-0x4ff)));
        assert_eq!(CertificateError::from_code(sys::TLSM_ERR_PEM), None);
    }

    #[test]
    fn other_errors_have_no_alert() {
        let e = Error::from_code(sys::TLSM_ERR_PEM).with_context("add_trust_pem");
        assert_eq!(e.alert(), None);
        assert_eq!(e.kind(), ErrorKind::Config);
        assert!(e.to_string().starts_with("add_trust_pem: "));
        let io: io::Error = Error::from_code(sys::TLSM_ERR_TRUNCATED).into();
        assert_eq!(io.kind(), io::ErrorKind::UnexpectedEof);
        assert!(Error::from_io(&io).unwrap().is_truncated());
        let wrapped = io::Error::other(Wrapper(Error::from_code(sys::TLSM_ERR_CLOSED)));
        assert_eq!(Error::from_io(&wrapped).map(Error::kind), Some(ErrorKind::Closed));
        assert!(Error::from_io(&io::Error::other("x")).is_none());
    }

    #[derive(Debug)]
    struct Wrapper(Error);
    impl fmt::Display for Wrapper {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "wrapped: {}", self.0)
        }
    }
    impl std::error::Error for Wrapper {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn alert_names() {
        assert_eq!(Alert::NO_APPLICATION_PROTOCOL.name(), "no_application_protocol");
        assert_eq!(format!("{:?}", Alert(48)), "Alert(48: unknown_ca)");
    }
}
