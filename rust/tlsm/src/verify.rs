//! Certificate verification without a handshake: [`verify_chain`] and
//! [`verify_chain_pem`], the verifier the handshake uses (`tlsm_verify_chain`).
use std::ffi::CString;
use std::fmt;

use tlsm_sys as sys;

use crate::{ClientConfig, Error, ServerConfig};

/// What the end-entity certificate is checked for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// A server certificate, as a client checks it (extendedKeyUsage must allow
    /// serverAuth where present, on the leaf or an issuer).
    #[default]
    Server,
    /// A client certificate, as a server checks it (clientAuth).
    Client,
}

/// The inputs of a verification besides the trust anchors and the certificates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VerifyOptions<'a> {
    /// DNS name or IPv4/IPv6 literal the leaf must carry (RFC 6125: no CN fallback,
    /// `*` only as a whole left-most label, IPs only against iPAddress); `None` checks no
    /// name.
    pub peer_name: Option<&'a str>,
    /// What the leaf is checked for (default: a server certificate).
    pub purpose: Purpose,
    /// Validation time in seconds since the Unix epoch; `None` is now: the config's clock
    /// (e.g. [`fixed_clock`](crate::ClientConfigBuilder::fixed_clock)) if it has one, else
    /// the system's, as a handshake on that config would read it.
    pub time: Option<i64>,
    /// Most certificates on the path, leaf and anchor included; 0 is the handshake's
    /// default (`TLSM_VERIFY_DEFAULT_DEPTH`).
    pub max_depth: usize,
}

/// A source of trust anchors: a built [`ClientConfig`] or [`ServerConfig`] (its `trust_*`
/// anchors and its clock).
pub trait TrustAnchors: private::Sealed {}

impl TrustAnchors for ClientConfig {}
impl TrustAnchors for ServerConfig {}

mod private {
    use tlsm_sys as sys;

    /// Not nameable outside the crate: only the crate's configs are trust anchors.
    pub trait Sealed {
        /// The C config, valid while `self` is borrowed.
        fn config_ptr(&self) -> *const sys::tlsm_config;
    }
    impl Sealed for crate::ClientConfig {
        fn config_ptr(&self) -> *const sys::tlsm_config {
            self.raw.as_ptr()
        }
    }
    impl Sealed for crate::ServerConfig {
        fn config_ptr(&self) -> *const sys::tlsm_config {
            self.raw.as_ptr()
        }
    }
}

/// One certificate of a verified path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathCert {
    /// Its index among the certificates given (PEM: the CERTIFICATE block), if it came
    /// from them.
    pub input: Option<usize>,
    /// Its index among the config's trust anchors, if it is one.
    pub anchor: Option<usize>,
    /// The DER certificate.
    pub der: Vec<u8>,
}

/// A chain that verified: the path from the leaf (first) to a trust anchor (last).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedChain {
    /// The certificates of the path, leaf first, trust anchor last.
    pub path: Vec<PathCert>,
    /// The validation time used, in seconds since the Unix epoch.
    pub time: i64,
}

/// Which certificate caused a verification failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fault {
    /// No single certificate (bad arguments, no trust anchor, out of memory).
    None,
    /// The certificate at this index of the input (PEM: CERTIFICATE block).
    Input(usize),
    /// The trust anchor at this index of the config's anchors.
    Anchor(usize),
}

/// A chain that did not verify: the reason (a `TLSM_ERR_CERT_*` code, or `TLSM_ERR_ARG`,
/// `_NO_CERT`, `_PEM`, `_NOMEM`) and the certificate at fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifyError {
    /// The reason ([`Error::certificate_error`] for certificate problems).
    pub error: Error,
    /// The certificate at fault.
    pub fault: Fault,
}

impl VerifyError {
    /// The raw code, e.g. `tlsm_sys::TLSM_ERR_CERT_EXPIRED`.
    pub fn code(&self) -> i32 {
        self.error.code()
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)?;
        match self.fault {
            Fault::None => Ok(()),
            Fault::Input(i) => write!(f, " (certificate {i})"),
            Fault::Anchor(i) => write!(f, " (trust anchor {i})"),
        }
    }
}

impl std::error::Error for VerifyError {}

impl From<VerifyError> for Error {
    fn from(e: VerifyError) -> Error {
        e.error
    }
}

/// Verifies `certs` (DER: `certs[0]` the end-entity certificate, then untrusted
/// intermediates in any order) against the trust anchors of `trust`, with the parser and
/// path builder the handshake uses: the same chain, name, purpose and time give the same
/// verdict and code as a handshake (`Connection` errors' `verify_error`).
///
/// See [`verify_chain_pem`] for an example.
pub fn verify_chain<T: TrustAnchors + ?Sized>(
    trust: &T,
    certs: &[&[u8]],
    options: &VerifyOptions<'_>,
) -> Result<VerifiedChain, VerifyError> {
    let ptrs: Vec<*const u8> = certs.iter().map(|c| c.as_ptr()).collect();
    let lens: Vec<usize> = certs.iter().map(|c| c.len()).collect();
    let inputs = |i: usize| certs.get(i).map(|c| c.to_vec());
    run(trust.config_ptr(), options, inputs, |cfg, name, purpose, time, depth, r| {
        // SAFETY: the config is live (`trust` is borrowed); `ptrs`/`lens` describe `certs`, borrowed
        // for the call; the name is NULL or NUL-terminated; `r` is writable. The core
        // only reads the config (no anchors are added to a built config).
        unsafe { sys::tlsm_verify_chain(cfg, ptrs.as_ptr(), lens.as_ptr(), certs.len(), name, purpose, time, depth, r) }
    })
}

/// [`verify_chain`] over PEM: every CERTIFICATE block of `pem` in order, the leaf first
/// (blocks with other labels are skipped); indices count CERTIFICATE blocks from 0.
///
/// ```
/// use tlsm::{verify_chain_pem, ClientConfig, Fault, VerifyOptions};
/// let pki = concat!(env!("CARGO_MANIFEST_DIR"), "/test-pki/");
/// let read = |f: &str| std::fs::read(format!("{pki}{f}")).unwrap();
///
/// let trust = ClientConfig::builder().trust_pem(&read("ca.crt")).build()?;
/// let chain = read("server-p256.chain.pem"); // leaf, intermediate
/// let opts = VerifyOptions { peer_name: Some("localhost"), time: Some(1_811_851_200), ..Default::default() };
/// let verified = verify_chain_pem(&trust, &chain, &opts)?;
/// assert_eq!(verified.path.len(), 3); // leaf, intermediate, root
/// assert_eq!(verified.path[2].anchor, Some(0));
///
/// let wrong = VerifyOptions { peer_name: Some("example.com"), ..opts };
/// let err = verify_chain_pem(&trust, &chain, &wrong).unwrap_err();
/// assert_eq!((err.code(), err.fault), (tlsm::sys::TLSM_ERR_CERT_NAME_MISMATCH, Fault::Input(0)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_chain_pem<T: TrustAnchors + ?Sized>(
    trust: &T,
    pem: &[u8],
    options: &VerifyOptions<'_>,
) -> Result<VerifiedChain, VerifyError> {
    let blocks = pem_certificates(pem);
    let inputs = |i: usize| blocks.get(i).cloned();
    run(trust.config_ptr(), options, inputs, |cfg, name, purpose, time, depth, r| {
        // SAFETY: as in verify_chain, with `pem` borrowed for the call.
        unsafe { sys::tlsm_verify_chain_pem(cfg, pem.as_ptr(), pem.len(), name, purpose, time, depth, r) }
    })
}

fn run(
    cfg: *const sys::tlsm_config,
    options: &VerifyOptions<'_>,
    input: impl Fn(usize) -> Option<Vec<u8>>,
    call: impl FnOnce(
        *const sys::tlsm_config,
        *const std::ffi::c_char,
        std::ffi::c_int,
        i64,
        usize,
        *mut sys::tlsm_verify_result,
    ) -> std::ffi::c_int,
) -> Result<VerifiedChain, VerifyError> {
    let arg_error = VerifyError { error: Error::from_code(sys::TLSM_ERR_ARG), fault: Fault::None };
    let name = match options.peer_name {
        Some(n) => Some(CString::new(n).map_err(|_| arg_error)?),
        None => None,
    };
    let purpose = match options.purpose {
        Purpose::Server => sys::TLSM_PURPOSE_SERVER,
        Purpose::Client => sys::TLSM_PURPOSE_CLIENT,
    };
    let time = options.time.unwrap_or(sys::TLSM_VERIFY_TIME_NOW);
    // SAFETY: plain data (integers); all-zero is a valid value, and the call fills it.
    let mut r: sys::tlsm_verify_result = unsafe { std::mem::zeroed() };
    let rc = call(
        cfg,
        name.as_ref().map_or(std::ptr::null(), |n| n.as_ptr()),
        purpose,
        time,
        options.max_depth,
        &mut r,
    );
    if rc != 0 {
        let fault = match r.fault {
            sys::TLSM_VERIFY_FAULT_ANCHOR => usize::try_from(r.fault_anchor).map_or(Fault::None, Fault::Anchor),
            f => usize::try_from(f).map_or(Fault::None, Fault::Input),
        };
        return Err(VerifyError { error: Error::from_code(rc), fault });
    }
    let n = (r.path_len as usize).min(sys::TLSM_VERIFY_MAX_PATH);
    let path = (0..n)
        .map(|i| {
            let input_index = usize::try_from(r.path_input[i]).ok();
            let anchor = usize::try_from(r.path_anchor[i]).ok();
            let der = match (input_index.and_then(&input), anchor) {
                (Some(der), _) => der,
                (None, Some(a)) => {
                    let mut len = 0;
                    // SAFETY: live config (`trust` is borrowed); `a` is an anchor index the core reported; the
                    // DER is borrowed from the config and copied before it can change.
                    let p = unsafe { sys::tlsm_config_trust_cert(cfg, a, &mut len) };
                    if p.is_null() {
                        Vec::new()
                    } else {
                        // SAFETY: non-NULL, `len` bytes owned by the live config.
                        unsafe { std::slice::from_raw_parts(p, len) }.to_vec()
                    }
                }
                (None, None) => Vec::new(),
            };
            PathCert { input: input_index, anchor, der }
        })
        .collect();
    Ok(VerifiedChain { path, time: r.time })
}

/// The DER of every CERTIFICATE block of a PEM text, in order (for the path's copies; the
/// core parses the PEM itself and reports errors).
fn pem_certificates(pem: &[u8]) -> Vec<Vec<u8>> {
    let text = String::from_utf8_lossy(pem);
    let mut out = Vec::new();
    let mut body: Option<String> = None;
    for line in text.lines() {
        let line = line.trim();
        if line == "-----BEGIN CERTIFICATE-----" {
            body = Some(String::new());
        } else if line == "-----END CERTIFICATE-----" {
            if let Some(b) = body.take() {
                out.push(base64_decode(&b));
            }
        } else if let Some(b) = body.as_mut() {
            b.push_str(line);
        }
    }
    out
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let digits: Vec<u32> = s.bytes().filter_map(val).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &d)| n | d << (18 - 6 * i));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64() {
        assert_eq!(base64_decode("aGVsbG8="), b"hello");
        assert_eq!(base64_decode("aGVsbG8h"), b"hello!");
        assert_eq!(base64_decode("aGk="), b"hi");
    }
}
