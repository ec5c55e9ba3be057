//! Errors: one integer namespace from the C core, wrapped in [`Error`].
use std::ffi::{c_int, CStr};
use std::fmt;
use std::io;

use tlsm_sys as sys;

/// A TLS alert description (RFC 8446 s.6), e.g. [`Alert::UNKNOWN_CA`].
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Alert(pub u8);

impl Alert {
    pub const CLOSE_NOTIFY: Alert = Alert(sys::TLSM_ALERT_CLOSE_NOTIFY);
    pub const UNEXPECTED_MESSAGE: Alert = Alert(sys::TLSM_ALERT_UNEXPECTED_MESSAGE);
    pub const BAD_RECORD_MAC: Alert = Alert(sys::TLSM_ALERT_BAD_RECORD_MAC);
    pub const HANDSHAKE_FAILURE: Alert = Alert(sys::TLSM_ALERT_HANDSHAKE_FAILURE);
    pub const BAD_CERTIFICATE: Alert = Alert(sys::TLSM_ALERT_BAD_CERTIFICATE);
    pub const CERTIFICATE_EXPIRED: Alert = Alert(sys::TLSM_ALERT_CERTIFICATE_EXPIRED);
    pub const CERTIFICATE_UNKNOWN: Alert = Alert(sys::TLSM_ALERT_CERTIFICATE_UNKNOWN);
    pub const ILLEGAL_PARAMETER: Alert = Alert(sys::TLSM_ALERT_ILLEGAL_PARAMETER);
    pub const UNKNOWN_CA: Alert = Alert(sys::TLSM_ALERT_UNKNOWN_CA);
    pub const DECODE_ERROR: Alert = Alert(sys::TLSM_ALERT_DECODE_ERROR);
    pub const DECRYPT_ERROR: Alert = Alert(sys::TLSM_ALERT_DECRYPT_ERROR);
    pub const PROTOCOL_VERSION: Alert = Alert(sys::TLSM_ALERT_PROTOCOL_VERSION);
    pub const INTERNAL_ERROR: Alert = Alert(sys::TLSM_ALERT_INTERNAL_ERROR);
    pub const MISSING_EXTENSION: Alert = Alert(sys::TLSM_ALERT_MISSING_EXTENSION);
    pub const CERTIFICATE_REQUIRED: Alert = Alert(sys::TLSM_ALERT_CERTIFICATE_REQUIRED);
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

/// An error from tlsm: the core's code (see `tlsm.h`), the alert when it is a protocol
/// error, the certificate problem when verification failed, and the API step that failed
/// for configuration errors. `Display` uses `tlsm_strerror`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Error {
    code: c_int,
    verify: c_int,
    context: Option<&'static str>,
}

impl Error {
    /// Wraps a raw (negative) tlsm code.
    pub fn from_code(code: i32) -> Error {
        Error { code, verify: 0, context: None }
    }

    pub(crate) fn with_verify(mut self, verify: c_int) -> Error {
        self.verify = verify;
        self
    }

    pub(crate) fn with_context(mut self, context: &'static str) -> Error {
        self.context = Some(context);
        self
    }

    /// The raw code, e.g. `tlsm_sys::TLSM_ERR_PEM` or `-(0x100 | 48)`.
    pub fn code(&self) -> i32 {
        self.code
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

    /// Why certificate verification failed (a `TLSM_ERR_CERT_*` code), if it did.
    pub fn verify_error(&self) -> Option<i32> {
        (self.verify != 0).then_some(self.verify)
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
        f.write_str(Error::describe(self.code))?;
        if self.verify != 0 {
            write!(f, " (certificate: {})", Error::describe(self.verify))?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("code", &self.code).field("name", &Error::describe(self.code));
        if let Some(a) = self.alert() {
            d.field("alert", &a);
        }
        if self.verify != 0 {
            d.field("verify", &Error::describe(self.verify));
        }
        if let Some(c) = self.context {
            d.field("context", &c);
        }
        d.finish()
    }
}

impl std::error::Error for Error {}

impl From<Error> for io::Error {
    fn from(e: Error) -> io::Error {
        let kind = match e.code {
            sys::TLSM_ERR_TRUNCATED => io::ErrorKind::UnexpectedEof,
            sys::TLSM_ERR_CLOSED => io::ErrorKind::BrokenPipe,
            sys::TLSM_ERR_NOMEM => io::ErrorKind::OutOfMemory,
            sys::TLSM_ERR_ARG | sys::TLSM_ERR_STATE => io::ErrorKind::InvalidInput,
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
        assert_eq!(e.to_string(), "sent alert unknown_ca");
        let p = Error::from_code(sys::TLSM_ERR_PEER_ALERT(40));
        assert_eq!(p.alert(), Some((Alert::HANDSHAKE_FAILURE, AlertSource::Peer)));
        assert_eq!(p.to_string(), "peer sent alert handshake_failure");
    }

    #[test]
    fn other_errors_have_no_alert() {
        let e = Error::from_code(sys::TLSM_ERR_PEM).with_context("add_trust_pem");
        assert_eq!(e.alert(), None);
        assert!(e.to_string().starts_with("add_trust_pem: "));
        let io: io::Error = Error::from_code(sys::TLSM_ERR_TRUNCATED).into();
        assert_eq!(io.kind(), io::ErrorKind::UnexpectedEof);
        let inner = io.get_ref().and_then(|e| e.downcast_ref::<Error>()).unwrap();
        assert!(inner.is_truncated());
    }

    #[test]
    fn alert_names() {
        assert_eq!(Alert::NO_APPLICATION_PROTOCOL.name(), "no_application_protocol");
        assert_eq!(format!("{:?}", Alert(48)), "Alert(48: unknown_ca)");
    }
}
