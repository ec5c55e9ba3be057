//! Configurations: [`ClientConfig`] and [`ServerConfig`], built once and shared (cheap
//! `Clone`, `Send + Sync`) by any number of connections.
use std::ffi::{c_char, c_int, c_void};
use std::panic::{self, AssertUnwindSafe};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tlsm_sys as sys;

use crate::error::{check, static_str, Error, Result};

/// A protocol version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    /// TLS 1.2 (RFC 5246).
    Tls12,
    /// TLS 1.3 (RFC 8446).
    Tls13,
}

impl Version {
    /// The wire value (0x0303, 0x0304).
    pub fn wire(self) -> u16 {
        match self {
            Version::Tls12 => sys::TLSM_TLS12,
            Version::Tls13 => sys::TLSM_TLS13,
        }
    }

    pub(crate) fn from_wire(v: u16) -> Option<Version> {
        match v {
            sys::TLSM_TLS12 => Some(Version::Tls12),
            sys::TLSM_TLS13 => Some(Version::Tls13),
            _ => None,
        }
    }
}

/// A cipher suite code (`TLSM_TLS_*`), e.g. [`CipherSuite::TLS13_AES_128_GCM_SHA256`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CipherSuite(pub u16);

impl CipherSuite {
    /// The cipher suite `TLS_AES_128_GCM_SHA256`.
    pub const TLS13_AES_128_GCM_SHA256: CipherSuite = CipherSuite(sys::TLSM_TLS_AES_128_GCM_SHA256);
    /// The cipher suite `TLS_AES_256_GCM_SHA384`.
    pub const TLS13_AES_256_GCM_SHA384: CipherSuite = CipherSuite(sys::TLSM_TLS_AES_256_GCM_SHA384);
    /// The cipher suite `TLS_CHACHA20_POLY1305_SHA256`.
    pub const TLS13_CHACHA20_POLY1305_SHA256: CipherSuite =
        CipherSuite(sys::TLSM_TLS_CHACHA20_POLY1305_SHA256);
    /// The cipher suite `TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256`.
    pub const ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: CipherSuite =
        CipherSuite(sys::TLSM_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    /// The cipher suite `TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384`.
    pub const ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: CipherSuite =
        CipherSuite(sys::TLSM_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384);
    /// The cipher suite `TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256`.
    pub const ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: CipherSuite =
        CipherSuite(sys::TLSM_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256);
    /// The cipher suite `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`.
    pub const ECDHE_RSA_WITH_AES_128_GCM_SHA256: CipherSuite =
        CipherSuite(sys::TLSM_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    /// The cipher suite `TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384`.
    pub const ECDHE_RSA_WITH_AES_256_GCM_SHA384: CipherSuite =
        CipherSuite(sys::TLSM_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384);
    /// The cipher suite `TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256`.
    pub const ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: CipherSuite =
        CipherSuite(sys::TLSM_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256);

    /// The IANA name, e.g. `"TLS_AES_128_GCM_SHA256"`.
    pub fn name(self) -> &'static str {
        // SAFETY: tlsm_suite_name returns a static NUL-terminated string for any code.
        unsafe { static_str(sys::tlsm_suite_name(self.0)) }
    }
}

/// A key-exchange group code (`TLSM_GROUP_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NamedGroup(pub u16);

impl NamedGroup {
    /// The group `secp256r1`.
    pub const SECP256R1: NamedGroup = NamedGroup(sys::TLSM_GROUP_SECP256R1);
    /// The group `secp384r1`.
    pub const SECP384R1: NamedGroup = NamedGroup(sys::TLSM_GROUP_SECP384R1);
    /// The group `x25519`.
    pub const X25519: NamedGroup = NamedGroup(sys::TLSM_GROUP_X25519);
    /// The hybrid `X25519MLKEM768` (TLS 1.3; the default first choice).
    pub const X25519MLKEM768: NamedGroup = NamedGroup(sys::TLSM_GROUP_X25519MLKEM768);
    /// The hybrid `SecP256r1MLKEM768` (TLS 1.3).
    pub const SECP256R1MLKEM768: NamedGroup = NamedGroup(sys::TLSM_GROUP_SECP256R1MLKEM768);
    /// Pure ML-KEM-768 (`MLKEM768`, TLS 1.3; only when configured).
    pub const MLKEM768: NamedGroup = NamedGroup(sys::TLSM_GROUP_MLKEM768);
    /// The hybrid `SecP384r1MLKEM1024` (TLS 1.3; only when configured).
    pub const SECP384R1MLKEM1024: NamedGroup = NamedGroup(sys::TLSM_GROUP_SECP384R1MLKEM1024);
    /// Pure ML-KEM-1024 (`MLKEM1024`, TLS 1.3; only when configured).
    pub const MLKEM1024: NamedGroup = NamedGroup(sys::TLSM_GROUP_MLKEM1024);
    /// The group `ffdhe2048`.
    pub const FFDHE2048: NamedGroup = NamedGroup(sys::TLSM_GROUP_FFDHE2048);
    /// The group `ffdhe3072`.
    pub const FFDHE3072: NamedGroup = NamedGroup(sys::TLSM_GROUP_FFDHE3072);
    /// RFC 3526 2048-bit MODP parameters from a TLS 1.2 server: reported by
    /// `Connection::group`, never configurable (likewise the four below).
    pub const MODP2048: NamedGroup = NamedGroup(sys::TLSM_GROUP_MODP2048);
    /// RFC 3526 3072-bit MODP parameters.
    pub const MODP3072: NamedGroup = NamedGroup(sys::TLSM_GROUP_MODP3072);
    /// RFC 3526 4096-bit MODP parameters.
    pub const MODP4096: NamedGroup = NamedGroup(sys::TLSM_GROUP_MODP4096);
    /// RFC 3526 6144-bit MODP parameters.
    pub const MODP6144: NamedGroup = NamedGroup(sys::TLSM_GROUP_MODP6144);
    /// RFC 3526 8192-bit MODP parameters.
    pub const MODP8192: NamedGroup = NamedGroup(sys::TLSM_GROUP_MODP8192);
}

/// A signature scheme code (`TLSM_SIG_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SignatureScheme(pub u16);

impl SignatureScheme {
    /// The signature scheme `ecdsa_secp256r1_sha256`.
    pub const ECDSA_SECP256R1_SHA256: SignatureScheme = SignatureScheme(sys::TLSM_SIG_ECDSA_SECP256R1_SHA256);
    /// The signature scheme `ecdsa_secp384r1_sha384`.
    pub const ECDSA_SECP384R1_SHA384: SignatureScheme = SignatureScheme(sys::TLSM_SIG_ECDSA_SECP384R1_SHA384);
    /// The signature scheme `ecdsa_secp521r1_sha512` (TLS 1.2 only in tlsm: ECDSA with
    /// SHA-512 on any curve).
    pub const ECDSA_SECP521R1_SHA512: SignatureScheme = SignatureScheme(sys::TLSM_SIG_ECDSA_SECP521R1_SHA512);
    /// The signature scheme `rsa_pss_rsae_sha256`.
    pub const RSA_PSS_RSAE_SHA256: SignatureScheme = SignatureScheme(sys::TLSM_SIG_RSA_PSS_RSAE_SHA256);
    /// The signature scheme `rsa_pkcs1_sha256`.
    pub const RSA_PKCS1_SHA256: SignatureScheme = SignatureScheme(sys::TLSM_SIG_RSA_PKCS1_SHA256);
    /// The signature scheme `ed25519`.
    pub const ED25519: SignatureScheme = SignatureScheme(sys::TLSM_SIG_ED25519);
}

/// Server: whether to ask the client for a certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ClientAuth {
    /// Do not ask (default).
    #[default]
    None,
    /// Ask; a client without a certificate is still accepted.
    Request,
    /// Ask and fail the handshake (certificate_required) without one.
    Require,
}

/// Deterministic random bytes for tests: SplitMix64 over (seed, counter). The counter is
/// atomic because the C core may call the hook from every thread that drives a
/// connection of the config.
struct DeterministicRng {
    seed: u64,
    counter: AtomicU64,
}

impl DeterministicRng {
    fn next(&self) -> u64 {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let mut z = self.seed.wrapping_add(n.wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

unsafe extern "C" fn deterministic_rng(ctx: *mut c_void, out: *mut u8, len: usize) -> c_int {
    if ctx.is_null() || (out.is_null() && len != 0) {
        return -1;
    }
    // SAFETY: ctx is the Box<DeterministicRng> registered with tlsm_config_set_rng; the
    // box is owned by the RawConfig that owns the C config, so it outlives every call.
    let rng = unsafe { &*(ctx as *const DeterministicRng) };
    if len == 0 {
        return 0;
    }
    // SAFETY: the core passes a writable buffer of `len` bytes (tlsm_rng_fn contract).
    let out = unsafe { std::slice::from_raw_parts_mut(out, len) };
    // No panic may unwind into C (undefined behaviour before Rust 1.81, an abort since):
    // a panic is a failed generator, which the core reports as TLSM_ERR_RNG.
    let filled = panic::catch_unwind(AssertUnwindSafe(|| {
        for chunk in out.chunks_mut(8) {
            chunk.copy_from_slice(&rng.next().to_le_bytes()[..chunk.len()]);
        }
    }));
    if filled.is_ok() {
        0
    } else {
        -1
    }
}

type ClockFn = dyn Fn() -> u64 + Send + Sync;

/// What a clock reads when its closure panicked: the Unix epoch, before the validity of
/// any certificate, so the handshake fails (certificate not yet valid) instead of
/// trusting a made-up time.
const PANICKED_CLOCK_MS: u64 = 0;

unsafe extern "C" fn clock_trampoline(ctx: *mut c_void) -> u64 {
    // SAFETY: ctx is the Box<Box<ClockFn>> registered with tlsm_config_set_clock and owned
    // by the RawConfig that owns the C config.
    let f = unsafe { &*(ctx as *const Box<ClockFn>) };
    // A panic must not unwind through the C core (see deterministic_rng); the panic hook
    // has printed its message by the time catch_unwind returns.
    panic::catch_unwind(AssertUnwindSafe(f)).unwrap_or(PANICKED_CLOCK_MS)
}

/// Serializes the first connection made from a config (which freezes it) with the changes
/// the testing kit may still make to an unfrozen config (`tlsm_pair_new` turns on tracing
/// and the key log): the core allows changes only before the first connection and does
/// not lock them. Frozen configs skip the lock.
static FREEZE: Mutex<()> = Mutex::new(());

/// The C config and the Rust-owned contexts its hooks point to.
pub(crate) struct RawConfig {
    ptr: NonNull<sys::tlsm_config>,
    /// Set once a connection was made from the config (it is frozen from then on).
    frozen: AtomicBool,
    // Declared after `ptr` and dropped after Drop::drop freed the C config: the hooks must
    // outlive every connection (each holds an Arc<RawConfig>).
    _rng: Option<Box<DeterministicRng>>,
    _clock: Option<Box<Box<ClockFn>>>,
}

// SAFETY: after build() the Rust side never mutates the config except through
// tlsm_config_rotate_ticket_key, which the header documents as thread-safe, and through
// tlsm_pair_new (feature `testing`), which changes an unfrozen config only while holding
// FREEZE, the lock every first connection of an unfrozen config takes; freezing (the
// first tlsm_conn_new) is an atomic compare-and-swap and the reference count is atomic
// (config.c). The hook contexts are Sync (atomic counter, Send + Sync closure).
unsafe impl Send for RawConfig {}
// SAFETY: as above: shared use is what the header allows for a config ("may be shared by
// connections on different threads once frozen"), and freezing itself is atomic.
unsafe impl Sync for RawConfig {}

impl RawConfig {
    pub(crate) fn as_ptr(&self) -> *mut sys::tlsm_config {
        self.ptr.as_ptr()
    }

    /// `tlsm_conn_new` on this config (server_name may be NULL), under [`FREEZE`] until
    /// the config is known to be frozen.
    ///
    /// # Safety
    /// `server_name` is NULL or a NUL-terminated string valid for the call.
    pub(crate) unsafe fn new_conn(&self, server_name: *const c_char) -> *mut sys::tlsm_conn {
        if self.frozen.load(Ordering::Acquire) {
            // SAFETY: live config; the caller vouches for the name.
            return unsafe { sys::tlsm_conn_new(self.as_ptr(), server_name) };
        }
        let _guard = FREEZE.lock().unwrap_or_else(|e| e.into_inner());
        // SAFETY: as above; no unfrozen config is changed while FREEZE is held elsewhere.
        let conn = unsafe { sys::tlsm_conn_new(self.as_ptr(), server_name) };
        if !conn.is_null() {
            self.frozen.store(true, Ordering::Release);
        }
        conn
    }

    /// Runs `f` with the C configs of a client and a server while no connection of this
    /// process can be freezing them, so `f` may still change them if no connection used
    /// them yet. `f` reports whether it made connections from both (freezing them).
    #[cfg(feature = "testing")]
    pub(crate) fn with_unfrozen<T>(
        client: &RawConfig,
        server: &RawConfig,
        f: impl FnOnce(*mut sys::tlsm_config, *mut sys::tlsm_config) -> (T, bool),
    ) -> T {
        let _guard = FREEZE.lock().unwrap_or_else(|e| e.into_inner());
        let (out, frozen) = f(client.as_ptr(), server.as_ptr());
        if frozen {
            client.frozen.store(true, Ordering::Release);
            server.frozen.store(true, Ordering::Release);
        }
        out
    }
}

/// Default capacity of the verification cache (entries).
pub const VERIFY_CACHE_DEFAULT: usize = sys::TLSM_VERIFY_CACHE_DEFAULT;

/// What a config's verification cache did so far (`tlsm_config_verify_cache_stats`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VerifyCacheStats {
    /// Signature checks answered by the cache.
    pub hits: u64,
    /// Signature checks the cache did not hold (then verified).
    pub misses: u64,
    /// Signatures held now.
    pub entries: u64,
    /// The most it holds (0: off).
    pub capacity: u64,
}

impl RawConfig {
    fn verify_cache_stats(&self) -> VerifyCacheStats {
        let mut st = sys::tlsm_verify_cache_stats::default();
        // SAFETY: live config; the header documents the call as thread-safe at any time;
        // `st` is a valid out-pointer. It fails only for NULL arguments.
        let rc = unsafe { sys::tlsm_config_verify_cache_stats(self.as_ptr(), &mut st) };
        debug_assert_eq!(rc, 0);
        VerifyCacheStats { hits: st.hits, misses: st.misses, entries: st.entries, capacity: st.capacity }
    }
}

impl Drop for RawConfig {
    fn drop(&mut self) {
        // SAFETY: we own one reference, taken by tlsm_config_new; connections hold their
        // own C reference and an Arc to us, so they are already gone.
        unsafe { sys::tlsm_config_free(self.ptr.as_ptr()) }
    }
}

/// One recorded builder call, applied in order by `build()`.
enum Op {
    Versions(Version, Version),
    Suites(Vec<u16>),
    Groups(Vec<u16>),
    Sigalgs(Vec<u16>),
    Alpn(Vec<u8>),
    IdentityPem(Vec<u8>, Vec<u8>),
    IdentityDer(Vec<Vec<u8>>, Vec<u8>),
    TrustPem(Vec<u8>),
    TrustDer(Vec<u8>),
    SystemTrust,
    NoVerification,
    ClientAuth(ClientAuth),
    Tickets(u32),
    TicketKey([u8; 32]),
    TicketLifetime(u32),
    SessionCache(usize),
    VerifyCache(usize),
    RequireEms(bool),
    MiddleboxCompat(bool),
    RequireCookie(bool),
    RecordSizeLimit(u16),
    Trace(bool),
    VerifyExternal(bool),
}

struct Settings {
    ops: Vec<Op>,
    rng_seed: Option<u64>,
    clock: Option<Box<ClockFn>>,
    /// An ALPN name outside 1..=255 bytes, reported by build().
    bad_alpn: bool,
}

impl Settings {
    fn new() -> Settings {
        Settings { ops: Vec::new(), rng_seed: None, clock: None, bad_alpn: false }
    }

    /// What build() refuses before the core sees anything: checks worded as the other
    /// bindings word them.
    fn check(&self, role: sys::tlsm_role) -> Result<()> {
        if self.bad_alpn {
            return Err(Error::refused(sys::TLSM_ERR_ARG, "alpn_protocols", "a protocol name is not 1 to 255 bytes long"));
        }
        for op in &self.ops {
            if let Op::Versions(Version::Tls13, Version::Tls12) = op {
                return Err(Error::refused(sys::TLSM_ERR_ARG, "versions", "min TLS 1.3 is above max TLS 1.2"));
            }
        }
        let has_identity = self.ops.iter().any(|op| matches!(op, Op::IdentityPem(..) | Op::IdentityDer(..)));
        if role == sys::TLSM_ROLE_SERVER && !has_identity {
            return Err(Error::refused(
                sys::TLSM_ERR_NO_CERT,
                "build",
                "a ServerConfig needs an identity: call identity_pem or identity_der",
            ));
        }
        Ok(())
    }

    fn build(self, role: sys::tlsm_role) -> Result<Arc<RawConfig>> {
        self.check(role)?;
        // SAFETY: plain constructor; NULL (allocation failure) is handled below.
        let ptr = NonNull::new(unsafe { sys::tlsm_config_new(role) })
            .ok_or_else(|| Error::from_code(sys::TLSM_ERR_NOMEM).with_context("config_new"))?;
        let mut raw = RawConfig { ptr, frozen: AtomicBool::new(false), _rng: None, _clock: None };
        let cfg = raw.as_ptr();
        if let Some(seed) = self.rng_seed {
            let rng = Box::new(DeterministicRng { seed, counter: AtomicU64::new(0) });
            let ctx = &*rng as *const DeterministicRng as *mut c_void;
            // SAFETY: cfg is live; ctx points into a heap box that `raw` keeps until after
            // tlsm_config_free (see RawConfig).
            check(unsafe { sys::tlsm_config_set_rng(cfg, Some(deterministic_rng), ctx) })
                .map_err(|e| e.with_context("set_rng"))?;
            raw._rng = Some(rng);
        }
        if let Some(clock) = self.clock {
            let clock = Box::new(clock);
            let ctx = &*clock as *const Box<ClockFn> as *mut c_void;
            // SAFETY: as for the RNG: the box lives as long as the C config.
            check(unsafe { sys::tlsm_config_set_clock(cfg, Some(clock_trampoline), ctx) })
                .map_err(|e| e.with_context("set_clock"))?;
            raw._clock = Some(clock);
        }
        for op in &self.ops {
            apply(cfg, op)?;
        }
        Ok(Arc::new(raw))
    }
}

fn apply(cfg: *mut sys::tlsm_config, op: &Op) -> Result<()> {
    // SAFETY (every call below): cfg is a live, not yet shared config owned by the caller;
    // each pointer/length pair comes from a Rust slice that outlives the call, and the core
    // copies what it keeps (tlsm.h: setters copy their inputs).
    let (rc, what) = unsafe {
        match op {
            Op::Versions(min, max) => (sys::tlsm_config_set_versions(cfg, min.wire(), max.wire()), "versions"),
            Op::Suites(v) => (sys::tlsm_config_set_suites(cfg, v.as_ptr(), v.len()), "cipher_suites"),
            Op::Groups(v) => (sys::tlsm_config_set_groups(cfg, v.as_ptr(), v.len()), "groups"),
            Op::Sigalgs(v) => (sys::tlsm_config_set_sigalgs(cfg, v.as_ptr(), v.len()), "signature_schemes"),
            Op::Alpn(v) => (sys::tlsm_config_set_alpn(cfg, v.as_ptr(), v.len()), "alpn_protocols"),
            Op::IdentityPem(chain, key) => (
                sys::tlsm_config_add_identity_pem(cfg, chain.as_ptr(), chain.len(), key.as_ptr(), key.len()),
                "add_identity_pem",
            ),
            Op::IdentityDer(chain, key) => {
                let ptrs: Vec<*const u8> = chain.iter().map(|c| c.as_ptr()).collect();
                let lens: Vec<usize> = chain.iter().map(Vec::len).collect();
                (
                    sys::tlsm_config_add_identity_der(cfg, ptrs.as_ptr(), lens.as_ptr(), chain.len(), key.as_ptr(), key.len()),
                    "add_identity_der",
                )
            }
            Op::TrustPem(pem) => (
                sys::tlsm_config_add_trust_pem(cfg, pem.as_ptr(), pem.len(), std::ptr::null_mut()),
                "add_trust_pem",
            ),
            Op::TrustDer(der) => (sys::tlsm_config_add_trust_der(cfg, der.as_ptr(), der.len()), "add_trust_der"),
            Op::SystemTrust => (sys::tlsm_config_load_system_trust(cfg, std::ptr::null_mut()), "load_system_trust"),
            Op::NoVerification => (
                sys::tlsm_config_set_verify(cfg, sys::TLSM_VERIFY_INSECURE_NO_VERIFICATION),
                "set_verify",
            ),
            Op::ClientAuth(mode) => {
                let m = match mode {
                    ClientAuth::None => 0,
                    ClientAuth::Request => 1,
                    ClientAuth::Require => 2,
                };
                (sys::tlsm_config_set_client_auth(cfg, m), "client_auth")
            }
            Op::Tickets(n) => (sys::tlsm_config_set_tickets(cfg, *n), "tickets"),
            Op::TicketKey(k) => (sys::tlsm_config_set_ticket_key(cfg, k.as_ptr(), k.len()), "ticket_key"),
            Op::TicketLifetime(s) => (sys::tlsm_config_set_ticket_lifetime(cfg, *s), "ticket_lifetime"),
            Op::SessionCache(n) => (sys::tlsm_config_set_session_cache(cfg, *n), "session_cache"),
            Op::VerifyCache(n) => (sys::tlsm_config_set_verify_cache(cfg, *n), "verify_cache"),
            Op::RequireEms(on) => (sys::tlsm_config_set_require_ems(cfg, c_int::from(*on)), "require_ems"),
            Op::MiddleboxCompat(on) => (sys::tlsm_config_set_middlebox_compat(cfg, c_int::from(*on)), "middlebox_compat"),
            Op::RequireCookie(on) => (sys::tlsm_config_set_require_cookie(cfg, c_int::from(*on)), "require_cookie"),
            Op::RecordSizeLimit(n) => (sys::tlsm_config_set_record_size_limit(cfg, *n), "record_size_limit"),
            Op::Trace(on) => (sys::tlsm_config_set_trace(cfg, c_int::from(*on)), "trace"),
            Op::VerifyExternal(on) => (
                sys::tlsm_config_set_verify_external(cfg, c_int::from(*on)),
                "verify_external",
            ),
        }
    };
    check(rc).map_err(|e| e.with_context(what))
}

fn alpn_wire(protocols: &[&[u8]], bad: &mut bool) -> Vec<u8> {
    let mut wire = Vec::new();
    for p in protocols {
        match u8::try_from(p.len()) {
            Ok(n) if n > 0 => {
                wire.push(n);
                wire.extend_from_slice(p);
            }
            _ => *bad = true,
        }
    }
    wire
}

/// Builder methods shared by both roles.
macro_rules! common_builder_methods {
    () => {
        /// Enables the versions from `min` to `max` (default TLS 1.2 to 1.3, 1.3 preferred).
        pub fn versions(mut self, min: Version, max: Version) -> Self {
            self.s.ops.push(Op::Versions(min, max));
            self
        }

        /// Only this version.
        pub fn version(self, v: Version) -> Self {
            self.versions(v, v)
        }

        /// Cipher suites in preference order (both versions in one list).
        pub fn cipher_suites(mut self, suites: &[CipherSuite]) -> Self {
            self.s.ops.push(Op::Suites(suites.iter().map(|s| s.0).collect()));
            self
        }

        /// Key-exchange groups in preference order.
        pub fn groups(mut self, groups: &[NamedGroup]) -> Self {
            self.s.ops.push(Op::Groups(groups.iter().map(|g| g.0).collect()));
            self
        }

        /// Signature schemes accepted and offered, in preference order.
        pub fn signature_schemes(mut self, schemes: &[SignatureScheme]) -> Self {
            self.s.ops.push(Op::Sigalgs(schemes.iter().map(|s| s.0).collect()));
            self
        }

        /// ALPN protocols in preference order, e.g. `&[b"h2", b"http/1.1"]`.
        pub fn alpn_protocols(mut self, protocols: &[&[u8]]) -> Self {
            let wire = alpn_wire(protocols, &mut self.s.bad_alpn);
            self.s.ops.push(Op::Alpn(wire));
            self
        }

        /// A certificate chain (PEM, leaf first) and its private key (PEM: PKCS#8, SEC1 or
        /// PKCS#1). Several identities may be added.
        pub fn identity_pem(mut self, chain_pem: &[u8], key_pem: &[u8]) -> Self {
            self.s.ops.push(Op::IdentityPem(chain_pem.to_vec(), key_pem.to_vec()));
            self
        }

        /// Same with DER: certificates leaf first, key PKCS#8, SEC1 or PKCS#1.
        pub fn identity_der(mut self, chain: &[&[u8]], key: &[u8]) -> Self {
            self.s.ops.push(Op::IdentityDer(chain.iter().map(|c| c.to_vec()).collect(), key.to_vec()));
            self
        }

        /// Trust anchors from PEM (any number of CERTIFICATE blocks).
        pub fn trust_pem(mut self, pem: &[u8]) -> Self {
            self.s.ops.push(Op::TrustPem(pem.to_vec()));
            self
        }

        /// One DER trust anchor.
        pub fn trust_der(mut self, der: &[u8]) -> Self {
            self.s.ops.push(Op::TrustDer(der.to_vec()));
            self
        }

        /// The system trust store (`/etc/ssl/certs/ca-certificates.crt` on Debian).
        pub fn system_trust(mut self) -> Self {
            self.s.ops.push(Op::SystemTrust);
            self
        }

        /// Accepts any peer certificate. For tests only: it removes all authentication.
        pub fn dangerous_no_certificate_verification(mut self) -> Self {
            self.s.ops.push(Op::NoVerification);
            self
        }

        /// Capacity of the verification cache: certificate signatures this config has
        /// verified, so that a chain seen again costs no public-key operation for them (a
        /// hit skips that one signature check and nothing else). Default
        /// [`VERIFY_CACHE_DEFAULT`] entries; 0 turns it off, e.g. for a host that must not
        /// let handshake timing reveal whether a chain was seen before. At most
        /// `tlsm_sys::TLSM_VERIFY_CACHE_MAX`, else `build()` fails.
        pub fn verify_cache(mut self, entries: usize) -> Self {
            self.s.ops.push(Op::VerifyCache(entries));
            self
        }

        /// TLS 1.2: require Extended Master Secret from the peer (default on).
        pub fn require_extended_master_secret(mut self, on: bool) -> Self {
            self.s.ops.push(Op::RequireEms(on));
            self
        }

        /// Largest record plaintext we accept (64..=16384), advertised with RFC 8449.
        pub fn record_size_limit(mut self, limit: u16) -> Self {
            self.s.ops.push(Op::RecordSizeLimit(limit));
            self
        }

        /// Report every handshake message as [`Event::MessageSent`](crate::Event::MessageSent)
        /// / `MessageReceived`.
        pub fn trace(mut self, on: bool) -> Self {
            self.s.ops.push(Op::Trace(on));
            self
        }

        /// After the built-in checks pass, stop at [`Event::VerifyPeer`](crate::Event::VerifyPeer)
        /// and let the application decide with
        /// [`Connection::verify_done`](crate::Connection::verify_done).
        pub fn verify_external(mut self, on: bool) -> Self {
            self.s.ops.push(Op::VerifyExternal(on));
            self
        }

        /// Replaces the random source by a deterministic stream derived from `seed`, so a
        /// handshake is reproducible byte for byte. Never use it outside tests: keys and
        /// nonces become predictable.
        pub fn insecure_deterministic_rng(mut self, seed: u64) -> Self {
            self.s.rng_seed = Some(seed);
            self
        }

        /// Replaces the clock (milliseconds since the Unix epoch), e.g. for certificate
        /// validity and ticket ages in tests. The closure may be called from any thread
        /// using the config. A panic in it does not cross into the C core: the clock then
        /// reads as the Unix epoch, so certificate checks fail (not yet valid) and the
        /// handshake ends with that error.
        pub fn clock(mut self, now_ms: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
            self.s.clock = Some(Box::new(now_ms));
            self
        }

        /// A clock that always reads `unix_ms`.
        pub fn fixed_clock(self, unix_ms: u64) -> Self {
            self.clock(move || unix_ms)
        }
    };
}

/// Builds a [`ClientConfig`]. Every call is recorded and applied by [`build`](Self::build),
/// which reports the first failure with the step's name in [`Error::context`].
pub struct ClientConfigBuilder {
    s: Settings,
}

impl ClientConfigBuilder {
    common_builder_methods!();

    /// Offer stored sessions for resumption (default on; `false` disables).
    pub fn resumption(mut self, on: bool) -> Self {
        self.s.ops.push(Op::Tickets(u32::from(on)));
        self
    }

    /// TLS 1.3 middlebox compatibility mode (RFC 8446 D.4), default on.
    pub fn middlebox_compat(mut self, on: bool) -> Self {
        self.s.ops.push(Op::MiddleboxCompat(on));
        self
    }

    /// Creates the C config and applies every setting.
    pub fn build(self) -> Result<ClientConfig> {
        Ok(ClientConfig { raw: self.s.build(sys::TLSM_ROLE_CLIENT)? })
    }
}

/// A client configuration, shared by connections (`Clone` shares it).
///
/// ```
/// let ca = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/test-pki/ca.crt"))?;
/// let config = tlsm::ClientConfig::builder()
///     .trust_pem(&ca)
///     .alpn_protocols(&[b"h2", b"http/1.1"])
///     .build()?;
/// let conn = tlsm::Connection::client(&config, "localhost")?;
/// assert!(!conn.handshake_done());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct ClientConfig {
    pub(crate) raw: Arc<RawConfig>,
}

impl ClientConfig {
    /// Starts a builder with the core's secure defaults (TLS 1.2 + 1.3, verification on).
    pub fn builder() -> ClientConfigBuilder {
        ClientConfigBuilder { s: Settings::new() }
    }

    /// The verification cache's counters (see [`ClientConfigBuilder::verify_cache`]).
    pub fn verify_cache_stats(&self) -> VerifyCacheStats {
        self.raw.verify_cache_stats()
    }
}

/// Builds a [`ServerConfig`]; see [`ClientConfigBuilder`].
pub struct ServerConfigBuilder {
    s: Settings,
}

impl ServerConfigBuilder {
    common_builder_methods!();

    /// Ask for (or require) a client certificate, verified against the trust anchors.
    pub fn client_auth(mut self, mode: ClientAuth) -> Self {
        self.s.ops.push(Op::ClientAuth(mode));
        self
    }

    /// Number of TLS 1.3 NewSessionTickets after the handshake (default 1; 0 disables
    /// resumption by ticket).
    pub fn tickets(mut self, n: u32) -> Self {
        self.s.ops.push(Op::Tickets(n));
        self
    }

    /// The 32-byte ticket protection key (default: drawn from the RNG on first use).
    pub fn ticket_key(mut self, key: [u8; 32]) -> Self {
        self.s.ops.push(Op::TicketKey(key));
        self
    }

    /// Ticket and TLS 1.2 session lifetime in seconds (default 7200, at most 604800).
    pub fn ticket_lifetime(mut self, seconds: u32) -> Self {
        self.s.ops.push(Op::TicketLifetime(seconds));
        self
    }

    /// TLS 1.2 session-id cache size (default 256, 0 = none).
    pub fn session_cache(mut self, entries: usize) -> Self {
        self.s.ops.push(Op::SessionCache(entries));
        self
    }

    /// Always answer the first ClientHello with a cookie HelloRetryRequest.
    pub fn require_cookie(mut self, on: bool) -> Self {
        self.s.ops.push(Op::RequireCookie(on));
        self
    }

    /// Creates the C config and applies every setting.
    pub fn build(self) -> Result<ServerConfig> {
        Ok(ServerConfig { raw: self.s.build(sys::TLSM_ROLE_SERVER)? })
    }
}

/// A server configuration, shared by connections (`Clone` shares it).
#[derive(Clone)]
pub struct ServerConfig {
    pub(crate) raw: Arc<RawConfig>,
}

impl ServerConfig {
    /// Starts a builder with the core's secure defaults.
    pub fn builder() -> ServerConfigBuilder {
        ServerConfigBuilder { s: Settings::new() }
    }

    /// The verification cache's counters (client certificates' chains; see
    /// [`ServerConfigBuilder::verify_cache`]).
    pub fn verify_cache_stats(&self) -> VerifyCacheStats {
        self.raw.verify_cache_stats()
    }

    /// Replaces the ticket key while connections use the config; tickets sealed with the
    /// previous key stay valid until the next rotation.
    pub fn rotate_ticket_key(&self, key: &[u8; 32]) -> Result<()> {
        // SAFETY: the config is live (we hold an Arc); the header documents this call as
        // thread-safe on a config in use; the key is copied.
        check(unsafe { sys::tlsm_config_rotate_ticket_key(self.raw.as_ptr(), key.as_ptr(), key.len()) })
            .map_err(|e| e.with_context("rotate_ticket_key"))
    }
}

macro_rules! opaque_debug {
    ($($t:ident),*) => {$(
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($t)).finish_non_exhaustive()
            }
        }
    )*};
}
opaque_debug!(ClientConfigBuilder, ClientConfig, ServerConfigBuilder, ServerConfig);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_rng_is_deterministic() {
        let a = DeterministicRng { seed: 7, counter: AtomicU64::new(0) };
        let b = DeterministicRng { seed: 7, counter: AtomicU64::new(0) };
        let c = DeterministicRng { seed: 8, counter: AtomicU64::new(0) };
        let (mut x, mut y, mut z) = ([0u8; 21], [0u8; 21], [0u8; 21]);
        for (r, buf) in [(&a, &mut x), (&b, &mut y), (&c, &mut z)] {
            // SAFETY: ctx is a live DeterministicRng and buf a writable 21-byte buffer.
            let rc = unsafe { deterministic_rng(r as *const _ as *mut c_void, buf.as_mut_ptr(), buf.len()) };
            assert_eq!(rc, 0);
        }
        assert_eq!(x, y);
        assert_ne!(x, z);
        assert_ne!(x, [0u8; 21]);
    }

    #[test]
    fn bad_alpn_is_reported_by_build() {
        let long = [b'a'; 256];
        let e = ClientConfig::builder().alpn_protocols(&[b"h2", &long]).build().err().unwrap();
        assert_eq!(e.code(), sys::TLSM_ERR_ARG);
        assert_eq!(e.context(), Some("alpn_protocols"));
    }

    #[test]
    fn builders_refuse_what_cannot_work() {
        let e = ServerConfig::builder().build().unwrap_err();
        assert_eq!(e.to_string(), "build: a ServerConfig needs an identity: call identity_pem or identity_der");
        assert_eq!(e.kind(), crate::ErrorKind::Config);
        let e = ClientConfig::builder().versions(Version::Tls13, Version::Tls12).build().unwrap_err();
        assert_eq!(e.to_string(), "versions: min TLS 1.3 is above max TLS 1.2");
        assert_eq!(e.kind(), crate::ErrorKind::InvalidArgument);
    }

    #[test]
    fn bad_pem_names_the_step() {
        let e = ServerConfig::builder().identity_pem(b"not pem", b"nor this").build().err().unwrap();
        assert_eq!(e.context(), Some("add_identity_pem"));
        assert!(e.alert().is_none());
    }

    #[test]
    fn suite_names() {
        assert_eq!(CipherSuite::TLS13_AES_128_GCM_SHA256.name(), "TLS_AES_128_GCM_SHA256");
    }

    #[test]
    fn config_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<ClientConfig>();
        assert_send_sync::<ServerConfig>();
    }
}
