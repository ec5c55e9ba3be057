//! Raw FFI bindings to `tlsm.h`, the public header of the tlsm C core.
//!
//! Written by hand from `core/include/tlsm.h` and checked in; `tests/header_drift.rs` parses
//! the header that build.rs compiled or found (every function, function-pointer typedef,
//! struct field, `#define` and enum constant) and fails when these declarations differ from
//! it in name, arity, parameter or return types, or value, and `csrc/layout.c` lets the C
//! compiler confirm sizes and field offsets. Function-like macros of the header are the
//! `const fn`s at the end.
//!
//! Everything here is `unsafe` to call; the `tlsm` crate is the safe API. The rules of the
//! header apply: borrowed pointers live until the next call that changes the connection,
//! errors are sticky, a connection is single-threaded, a frozen config may be shared.
//!
//! Building: by default build.rs compiles the C core shipped in the crate (`core/`, in the
//! repository a symbolic link to `../../core` that `cargo package` follows; or
//! `TLSM_SYS_SOURCE_DIR`) with the `cc` crate; `TLSM_SYS_USE_PKG_CONFIG=1` links an
//! installed `tlsm` through pkg-config instead. It needs a C compiler, pkg-config and the
//! libsodium, Nettle and GMP development files.
#![no_std]
#![allow(non_camel_case_types, non_upper_case_globals, non_snake_case)]

use core::ffi::{c_char, c_int, c_uint, c_void};

// ------------------------------------------------------------------ versions, codes

pub const TLSM_VERSION_MAJOR: c_int = 0;
pub const TLSM_VERSION_MINOR: c_int = 1;

pub type tlsm_role = c_uint;
pub const TLSM_ROLE_CLIENT: tlsm_role = 0;
pub const TLSM_ROLE_SERVER: tlsm_role = 1;

pub const TLSM_TLS12: u16 = 0x0303;
pub const TLSM_TLS13: u16 = 0x0304;

pub const TLSM_TLS_AES_128_GCM_SHA256: u16 = 0x1301;
pub const TLSM_TLS_AES_256_GCM_SHA384: u16 = 0x1302;
pub const TLSM_TLS_CHACHA20_POLY1305_SHA256: u16 = 0x1303;
pub const TLSM_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: u16 = 0xc02b;
pub const TLSM_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: u16 = 0xc02c;
pub const TLSM_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: u16 = 0xcca9;
pub const TLSM_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: u16 = 0xc02f;
pub const TLSM_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: u16 = 0xc030;
pub const TLSM_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: u16 = 0xcca8;
pub const TLSM_TLS_DHE_RSA_WITH_AES_128_GCM_SHA256: u16 = 0x009e;
pub const TLSM_TLS_DHE_RSA_WITH_AES_256_GCM_SHA384: u16 = 0x009f;
pub const TLSM_TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256: u16 = 0xccaa;
pub const TLSM_TLS_RSA_WITH_AES_128_GCM_SHA256: u16 = 0x009c;
pub const TLSM_TLS_RSA_WITH_AES_256_GCM_SHA384: u16 = 0x009d;

pub const TLSM_GROUP_SECP256R1: u16 = 0x0017;
pub const TLSM_GROUP_SECP384R1: u16 = 0x0018;
pub const TLSM_GROUP_X25519: u16 = 0x001d;
pub const TLSM_GROUP_X25519MLKEM768: u16 = 0x11ec;
pub const TLSM_GROUP_SECP256R1MLKEM768: u16 = 0x11eb;
pub const TLSM_GROUP_SECP384R1MLKEM1024: u16 = 0x11ed;
pub const TLSM_GROUP_MLKEM768: u16 = 0x0201;
pub const TLSM_GROUP_MLKEM1024: u16 = 0x0202;
pub const TLSM_GROUP_FFDHE2048: u16 = 0x0100;
pub const TLSM_GROUP_FFDHE3072: u16 = 0x0101;
pub const TLSM_GROUP_MODP2048: u16 = 0xfe08;
pub const TLSM_GROUP_MODP3072: u16 = 0xfe0c;
pub const TLSM_GROUP_MODP4096: u16 = 0xfe10;
pub const TLSM_GROUP_MODP6144: u16 = 0xfe18;
pub const TLSM_GROUP_MODP8192: u16 = 0xfe20;

pub const TLSM_SIG_RSA_PKCS1_SHA256: u16 = 0x0401;
pub const TLSM_SIG_RSA_PKCS1_SHA384: u16 = 0x0501;
pub const TLSM_SIG_RSA_PKCS1_SHA512: u16 = 0x0601;
pub const TLSM_SIG_ECDSA_SECP256R1_SHA256: u16 = 0x0403;
pub const TLSM_SIG_ECDSA_SECP384R1_SHA384: u16 = 0x0503;
pub const TLSM_SIG_ECDSA_SECP521R1_SHA512: u16 = 0x0603;
pub const TLSM_SIG_RSA_PSS_RSAE_SHA256: u16 = 0x0804;
pub const TLSM_SIG_RSA_PSS_RSAE_SHA384: u16 = 0x0805;
pub const TLSM_SIG_RSA_PSS_RSAE_SHA512: u16 = 0x0806;
pub const TLSM_SIG_ED25519: u16 = 0x0807;
pub const TLSM_SIG_RSA_PSS_PSS_SHA256: u16 = 0x0809;
pub const TLSM_SIG_RSA_PSS_PSS_SHA384: u16 = 0x080a;
pub const TLSM_SIG_RSA_PSS_PSS_SHA512: u16 = 0x080b;

// ------------------------------------------------------------------ errors

pub const TLSM_OK: c_int = 0;
pub const TLSM_ERR_LOCAL_ALERT_BASE: c_int = 0x100;
pub const TLSM_ERR_PEER_ALERT_BASE: c_int = 0x200;

pub const TLSM_ALERT_CLOSE_NOTIFY: u8 = 0;
pub const TLSM_ALERT_UNEXPECTED_MESSAGE: u8 = 10;
pub const TLSM_ALERT_BAD_RECORD_MAC: u8 = 20;
pub const TLSM_ALERT_RECORD_OVERFLOW: u8 = 22;
pub const TLSM_ALERT_HANDSHAKE_FAILURE: u8 = 40;
pub const TLSM_ALERT_BAD_CERTIFICATE: u8 = 42;
pub const TLSM_ALERT_UNSUPPORTED_CERTIFICATE: u8 = 43;
pub const TLSM_ALERT_CERTIFICATE_REVOKED: u8 = 44;
pub const TLSM_ALERT_CERTIFICATE_EXPIRED: u8 = 45;
pub const TLSM_ALERT_CERTIFICATE_UNKNOWN: u8 = 46;
pub const TLSM_ALERT_ILLEGAL_PARAMETER: u8 = 47;
pub const TLSM_ALERT_UNKNOWN_CA: u8 = 48;
pub const TLSM_ALERT_ACCESS_DENIED: u8 = 49;
pub const TLSM_ALERT_DECODE_ERROR: u8 = 50;
pub const TLSM_ALERT_DECRYPT_ERROR: u8 = 51;
pub const TLSM_ALERT_PROTOCOL_VERSION: u8 = 70;
pub const TLSM_ALERT_INSUFFICIENT_SECURITY: u8 = 71;
pub const TLSM_ALERT_INTERNAL_ERROR: u8 = 80;
pub const TLSM_ALERT_INAPPROPRIATE_FALLBACK: u8 = 86;
pub const TLSM_ALERT_USER_CANCELED: u8 = 90;
pub const TLSM_ALERT_NO_RENEGOTIATION: u8 = 100;
pub const TLSM_ALERT_MISSING_EXTENSION: u8 = 109;
pub const TLSM_ALERT_UNSUPPORTED_EXTENSION: u8 = 110;
pub const TLSM_ALERT_UNRECOGNIZED_NAME: u8 = 112;
pub const TLSM_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE: u8 = 113;
pub const TLSM_ALERT_UNKNOWN_PSK_IDENTITY: u8 = 115;
pub const TLSM_ALERT_CERTIFICATE_REQUIRED: u8 = 116;
pub const TLSM_ALERT_NO_APPLICATION_PROTOCOL: u8 = 120;

pub const TLSM_ERR_NOMEM: c_int = -1;
pub const TLSM_ERR_ARG: c_int = -2;
pub const TLSM_ERR_STATE: c_int = -3;
pub const TLSM_ERR_CLOSED: c_int = -4;
pub const TLSM_ERR_FROZEN: c_int = -5;
pub const TLSM_ERR_BUFFER: c_int = -6;
pub const TLSM_ERR_PEM: c_int = -7;
pub const TLSM_ERR_KEY: c_int = -8;
pub const TLSM_ERR_KEY_MISMATCH: c_int = -9;
pub const TLSM_ERR_NO_CERT: c_int = -10;
pub const TLSM_ERR_RNG: c_int = -11;
pub const TLSM_ERR_CRYPTO: c_int = -12;
pub const TLSM_ERR_TRUNCATED: c_int = -13;
pub const TLSM_ERR_NO_SESSION: c_int = -14;
pub const TLSM_ERR_IO: c_int = -15;
pub const TLSM_ERR_NO_SERVER_NAME: c_int = -16;
pub const TLSM_ERR_CERT_PARSE: c_int = -0x400;
pub const TLSM_ERR_CERT_UNKNOWN_ISSUER: c_int = -0x401;
pub const TLSM_ERR_CERT_SIGNATURE: c_int = -0x402;
pub const TLSM_ERR_CERT_EXPIRED: c_int = -0x403;
pub const TLSM_ERR_CERT_NOT_YET_VALID: c_int = -0x404;
pub const TLSM_ERR_CERT_NOT_CA: c_int = -0x405;
pub const TLSM_ERR_CERT_PATH_LEN: c_int = -0x406;
pub const TLSM_ERR_CERT_USAGE: c_int = -0x407;
pub const TLSM_ERR_CERT_NAME_MISMATCH: c_int = -0x408;
pub const TLSM_ERR_CERT_UNSUPPORTED_ALG: c_int = -0x409;
pub const TLSM_ERR_CERT_CRITICAL_EXT: c_int = -0x40a;
pub const TLSM_ERR_CERT_WEAK_KEY: c_int = -0x40b;
pub const TLSM_ERR_CERT_NO_TRUST: c_int = -0x40c;
pub const TLSM_ERR_CERT_REJECTED: c_int = -0x40d;
pub const TLSM_ERR_CERT_NAME_CONSTRAINT: c_int = -0x40e;
pub const TLSM_ERR_CERT_BAD_SERIAL: c_int = -0x40f;
pub const TLSM_ERR_CERT_BAD_TIME: c_int = -0x410;
pub const TLSM_ERR_CERT_RSA_TOO_LARGE: c_int = -0x411;
pub const TLSM_ERR_CERT_RSA_EXPONENT: c_int = -0x412;
pub const TLSM_ERR_CERT_WORK_LIMIT: c_int = -0x413;
pub const TLSM_ERR_CERT_BAD_DNS_NAME: c_int = -0x414;
pub const TLSM_ERR_CERT_LEAF_NAME_CONSTRAINTS: c_int = -0x415;
pub const TLSM_ERR_CERT_BC_NOT_CRITICAL: c_int = -0x416;
pub const TLSM_ERR_CERT_LEAF_IS_CA: c_int = -0x417;
pub const TLSM_ERR_CERT_EMPTY_SUBJECT: c_int = -0x418;
pub const TLSM_ERR_CERT_NC_UNSUPPORTED_NAME: c_int = -0x419;

// ------------------------------------------------------------------ config, connection

/// Opaque configuration (reference counted, frozen by its first connection).
#[repr(C)]
pub struct tlsm_config {
    _opaque: [u8; 0],
    _not_send_sync_unpin: core::marker::PhantomData<(*mut u8, core::marker::PhantomPinned)>,
}

/// Opaque connection (single-threaded).
#[repr(C)]
pub struct tlsm_conn {
    _opaque: [u8; 0],
    _not_send_sync_unpin: core::marker::PhantomData<(*mut u8, core::marker::PhantomPinned)>,
}

pub type tlsm_rng_fn = Option<unsafe extern "C" fn(ctx: *mut c_void, out: *mut u8, len: usize) -> c_int>;
pub type tlsm_clock_fn = Option<unsafe extern "C" fn(ctx: *mut c_void) -> u64>;

pub const TLSM_TRUST_REPORT_MAX: usize = 16;

/// One rejected certificate or file of a trust load.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct tlsm_trust_reject {
    pub file: [c_char; 256],
    pub index: usize,
    pub code: c_int,
}

/// What a trust load took and what it did not (`tlsm_config_add_trust_file` and friends).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct tlsm_trust_report {
    pub accepted: usize,
    pub duplicates: usize,
    pub rejected: usize,
    pub files: usize,
    pub n_rejects: usize,
    pub rejects: [tlsm_trust_reject; TLSM_TRUST_REPORT_MAX],
}

// ------------------------------------------------------------------ certificate facts

/// What `tlsm_cert_info` reads from a certificate (names NUL-terminated, one line).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct tlsm_cert_facts {
    pub subject: [c_char; 512],
    pub issuer: [c_char; 512],
    pub not_before: i64,
    pub not_after: i64,
    pub serial: [u8; 20],
    pub serial_len: u32,
    pub is_ca: i32,
}

// ------------------------------------------------------------------ tlsm_verify_chain

pub const TLSM_PURPOSE_SERVER: c_int = 0;
pub const TLSM_PURPOSE_CLIENT: c_int = 1;
/// `time` argument of `tlsm_verify_chain`: the config's clock hook, else the system clock.
pub const TLSM_VERIFY_TIME_NOW: i64 = -0x7fffffffffffffff - 1;
pub const TLSM_VERIFY_DEFAULT_DEPTH: usize = 10;
pub const TLSM_VERIFY_MAX_PATH: usize = 32;
pub const TLSM_VERIFY_MAX_CERTS: usize = 4096;
pub const TLSM_VERIFY_FAULT_NONE: i32 = -1;
pub const TLSM_VERIFY_FAULT_ANCHOR: i32 = -2;

/// What `tlsm_verify_chain` found (see tlsm.h).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct tlsm_verify_result {
    pub error: i32,
    pub fault: i32,
    pub fault_anchor: i32,
    pub path_len: u32,
    pub path_input: [i32; TLSM_VERIFY_MAX_PATH],
    pub path_anchor: [i32; TLSM_VERIFY_MAX_PATH],
    pub time: i64,
}

// ------------------------------------------------------------------ verification cache

pub const TLSM_VERIFY_CACHE_DEFAULT: usize = 256;
pub const TLSM_VERIFY_CACHE_MAX: usize = 1048576;

/// What `tlsm_config_verify_cache_stats` reports (see tlsm.h).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct tlsm_verify_cache_stats {
    pub hits: u64,
    pub misses: u64,
    pub entries: u64,
    pub capacity: u64,
}

pub type tlsm_verify_mode = c_uint;
pub const TLSM_VERIFY_PEER: tlsm_verify_mode = 0;
pub const TLSM_VERIFY_INSECURE_NO_VERIFICATION: tlsm_verify_mode = 1;

pub const TLSM_STATUS_WANT_INPUT: c_uint = 0x01;
pub const TLSM_STATUS_HAS_OUTPUT: c_uint = 0x02;
pub const TLSM_STATUS_CAN_WRITE: c_uint = 0x04;
pub const TLSM_STATUS_HAS_PLAINTEXT: c_uint = 0x08;
pub const TLSM_STATUS_BLOCKED: c_uint = 0x10;
pub const TLSM_STATUS_CLOSED: c_uint = 0x20;
pub const TLSM_STATUS_HANDSHAKING: c_uint = 0x40;
pub const TLSM_STATUS_ERROR: c_uint = 0x80;

pub type tlsm_event_type = c_uint;
pub const TLSM_EV_NONE: tlsm_event_type = 0;
pub const TLSM_EV_HANDSHAKE_DONE: tlsm_event_type = 1;
pub const TLSM_EV_PEER_CLOSED: tlsm_event_type = 2;
pub const TLSM_EV_ALERT: tlsm_event_type = 3;
pub const TLSM_EV_NEW_TICKET: tlsm_event_type = 4;
pub const TLSM_EV_KEY_UPDATED: tlsm_event_type = 5;
pub const TLSM_EV_MESSAGE_SENT: tlsm_event_type = 6;
pub const TLSM_EV_MESSAGE_RECEIVED: tlsm_event_type = 7;
pub const TLSM_EV_SIGN: tlsm_event_type = 8;
pub const TLSM_EV_ERROR: tlsm_event_type = 9;
pub const TLSM_EV_VERIFY_PEER: tlsm_event_type = 10;
pub const TLSM_EV_KEYLOG: tlsm_event_type = 11;

#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct tlsm_event {
    pub type_: tlsm_event_type,
    pub code: c_int,
    pub alert: u8,
    pub fatal: u8,
    pub msg_type: u8,
    pub ccs: u8,
    pub hrr: u8,
}

extern "C" {
    pub fn tlsm_version_string() -> *const c_char;
    pub fn tlsm_suite_name(suite: u16) -> *const c_char;
    pub fn tlsm_group_name(group: u16) -> *const c_char;
    pub fn tlsm_sigalg_name(scheme: u16) -> *const c_char;
    pub fn tlsm_version_name(version: u16) -> *const c_char;
    pub fn tlsm_strerror(code: c_int) -> *const c_char;
    pub fn tlsm_alert_name(alert: u8) -> *const c_char;

    pub fn tlsm_config_new(role: tlsm_role) -> *mut tlsm_config;
    pub fn tlsm_config_ref(cfg: *mut tlsm_config) -> *mut tlsm_config;
    pub fn tlsm_config_free(cfg: *mut tlsm_config);
    pub fn tlsm_config_set_versions(cfg: *mut tlsm_config, min: u16, max: u16) -> c_int;
    pub fn tlsm_config_set_suites(cfg: *mut tlsm_config, suites: *const u16, n: usize) -> c_int;
    pub fn tlsm_config_set_groups(cfg: *mut tlsm_config, groups: *const u16, n: usize) -> c_int;
    pub fn tlsm_config_set_sigalgs(cfg: *mut tlsm_config, sigs: *const u16, n: usize) -> c_int;
    pub fn tlsm_config_set_alpn(cfg: *mut tlsm_config, list: *const u8, len: usize) -> c_int;
    pub fn tlsm_config_add_identity_pem(
        cfg: *mut tlsm_config,
        chain_pem: *const u8,
        chain_len: usize,
        key_pem: *const u8,
        key_len: usize,
    ) -> c_int;
    pub fn tlsm_config_add_identity_der(
        cfg: *mut tlsm_config,
        chain: *const *const u8,
        chain_lens: *const usize,
        n: usize,
        key: *const u8,
        key_len: usize,
    ) -> c_int;
    pub fn tlsm_config_add_trust_pem(
        cfg: *mut tlsm_config,
        pem: *const u8,
        len: usize,
        added: *mut usize,
    ) -> c_int;
    pub fn tlsm_config_add_trust_der(cfg: *mut tlsm_config, der: *const u8, len: usize) -> c_int;
    pub fn tlsm_config_load_system_trust(cfg: *mut tlsm_config, added: *mut usize) -> c_int;
    pub fn tlsm_config_add_trust_file(
        cfg: *mut tlsm_config,
        path: *const c_char,
        report: *mut tlsm_trust_report,
    ) -> c_int;
    pub fn tlsm_config_add_trust_dir(
        cfg: *mut tlsm_config,
        path: *const c_char,
        report: *mut tlsm_trust_report,
    ) -> c_int;
    pub fn tlsm_config_add_trust_system(cfg: *mut tlsm_config, report: *mut tlsm_trust_report) -> c_int;
    pub fn tlsm_verify_chain(
        trust: *const tlsm_config,
        certs: *const *const u8,
        lens: *const usize,
        n: usize,
        peer_name: *const c_char,
        purpose: c_int,
        time: i64,
        max_depth: usize,
        result: *mut tlsm_verify_result,
    ) -> c_int;
    pub fn tlsm_verify_chain_pem(
        trust: *const tlsm_config,
        pem: *const u8,
        pem_len: usize,
        peer_name: *const c_char,
        purpose: c_int,
        time: i64,
        max_depth: usize,
        result: *mut tlsm_verify_result,
    ) -> c_int;
    pub fn tlsm_cert_info(der: *const u8, len: usize, facts: *mut tlsm_cert_facts) -> c_int;
    pub fn tlsm_config_trust_count(cfg: *const tlsm_config) -> usize;
    pub fn tlsm_config_trust_cert(cfg: *const tlsm_config, index: usize, len: *mut usize) -> *const u8;
    pub fn tlsm_config_set_verify(cfg: *mut tlsm_config, mode: tlsm_verify_mode) -> c_int;
    pub fn tlsm_config_set_verify_external(cfg: *mut tlsm_config, on: c_int) -> c_int;
    pub fn tlsm_config_set_reverify_on_resume(cfg: *mut tlsm_config, on: c_int) -> c_int;
    pub fn tlsm_config_set_identity_ocsp(
        cfg: *mut tlsm_config,
        index: usize,
        der: *const u8,
        len: usize,
    ) -> c_int;
    pub fn tlsm_config_set_ocsp_request(cfg: *mut tlsm_config, on: c_int) -> c_int;
    pub fn tlsm_config_set_identity_sigalgs(
        cfg: *mut tlsm_config,
        index: usize,
        sigs: *const u16,
        n: usize,
    ) -> c_int;
    pub fn tlsm_config_set_identity_issuer_match(cfg: *mut tlsm_config, index: usize, on: c_int) -> c_int;
    pub fn tlsm_config_set_ca_names(cfg: *mut tlsm_config, names: *const u8, len: usize) -> c_int;
    pub fn tlsm_config_set_client_auth(cfg: *mut tlsm_config, mode: c_int) -> c_int;
    pub fn tlsm_config_set_tickets(cfg: *mut tlsm_config, n: c_uint) -> c_int;
    pub fn tlsm_config_set_ticket_key(cfg: *mut tlsm_config, key: *const u8, len: usize) -> c_int;
    pub fn tlsm_config_rotate_ticket_key(cfg: *mut tlsm_config, key: *const u8, len: usize) -> c_int;
    pub fn tlsm_config_set_require_ems(cfg: *mut tlsm_config, on: c_int) -> c_int;
    pub fn tlsm_config_set_session_cache(cfg: *mut tlsm_config, entries: usize) -> c_int;
    pub fn tlsm_config_set_verify_cache(cfg: *mut tlsm_config, entries: usize) -> c_int;
    pub fn tlsm_config_verify_cache_stats(
        cfg: *const tlsm_config,
        stats: *mut tlsm_verify_cache_stats,
    ) -> c_int;
    pub fn tlsm_config_set_ticket_lifetime(cfg: *mut tlsm_config, seconds: u32) -> c_int;
    pub fn tlsm_config_set_middlebox_compat(cfg: *mut tlsm_config, on: c_int) -> c_int;
    pub fn tlsm_config_set_require_cookie(cfg: *mut tlsm_config, on: c_int) -> c_int;
    pub fn tlsm_config_set_record_size_limit(cfg: *mut tlsm_config, limit: u16) -> c_int;
    pub fn tlsm_config_set_rng(cfg: *mut tlsm_config, fn_: tlsm_rng_fn, ctx: *mut c_void) -> c_int;
    pub fn tlsm_config_set_clock(cfg: *mut tlsm_config, fn_: tlsm_clock_fn, ctx: *mut c_void) -> c_int;
    pub fn tlsm_config_set_trace(cfg: *mut tlsm_config, on: c_int) -> c_int;
    pub fn tlsm_config_set_keylog(cfg: *mut tlsm_config, on: c_int) -> c_int;
    pub fn tlsm_conn_set_trace(conn: *mut tlsm_conn, on: c_int) -> c_int;
    pub fn tlsm_conn_set_keylog(conn: *mut tlsm_conn, on: c_int) -> c_int;
    pub fn tlsm_config_add_identity_external(
        cfg: *mut tlsm_config,
        chain_pem: *const u8,
        chain_len: usize,
    ) -> c_int;

    pub fn tlsm_conn_new(cfg: *mut tlsm_config, server_name: *const c_char) -> *mut tlsm_conn;
    pub fn tlsm_conn_free(conn: *mut tlsm_conn);
    pub fn tlsm_conn_start(conn: *mut tlsm_conn) -> c_int;
    pub fn tlsm_feed(conn: *mut tlsm_conn, in_: *const u8, len: usize, consumed: *mut usize) -> c_int;
    pub fn tlsm_input_buf(conn: *mut tlsm_conn, cap: *mut usize) -> *mut u8;
    pub fn tlsm_input_ack(conn: *mut tlsm_conn, n: usize) -> c_int;
    pub fn tlsm_feed_eof(conn: *mut tlsm_conn) -> c_int;
    pub fn tlsm_output_peek(conn: *mut tlsm_conn, len: *mut usize) -> *const u8;
    pub fn tlsm_output_consume(conn: *mut tlsm_conn, n: usize) -> c_int;
    pub fn tlsm_write(conn: *mut tlsm_conn, p: *const u8, len: usize, accepted: *mut usize) -> c_int;
    pub fn tlsm_read_peek(conn: *mut tlsm_conn, len: *mut usize) -> *const u8;
    pub fn tlsm_read_consume(conn: *mut tlsm_conn, n: usize) -> c_int;
    pub fn tlsm_status(conn: *mut tlsm_conn) -> c_uint;
    pub fn tlsm_next_event(conn: *mut tlsm_conn, ev: *mut tlsm_event) -> c_int;
    pub fn tlsm_event_name(type_: tlsm_event_type) -> *const c_char;
    pub fn tlsm_keylog_line(conn: *const tlsm_conn) -> *const c_char;
    pub fn tlsm_message_name(msg_type: u8) -> *const c_char;
    pub fn tlsm_sign_request(
        conn: *mut tlsm_conn,
        scheme: *mut u16,
        msg: *mut *const u8,
        len: *mut usize,
    ) -> c_int;
    pub fn tlsm_sign_done(conn: *mut tlsm_conn, sig: *const u8, len: usize) -> c_int;
    pub fn tlsm_verify_done(conn: *mut tlsm_conn, ok: c_int, alert: u8) -> c_int;
    pub fn tlsm_close(conn: *mut tlsm_conn) -> c_int;
    pub fn tlsm_conn_abort(conn: *mut tlsm_conn, alert: u8) -> c_int;
    pub fn tlsm_key_update(conn: *mut tlsm_conn, ask_peer: c_int) -> c_int;
    pub fn tlsm_export_keying_material(
        conn: *mut tlsm_conn,
        label: *const c_char,
        label_len: usize,
        context: *const u8,
        context_len: usize,
        out: *mut u8,
        out_len: usize,
    ) -> c_int;

    pub fn tlsm_conn_error(conn: *const tlsm_conn) -> c_int;
    pub fn tlsm_conn_error_detail(conn: *const tlsm_conn, detail: *mut tlsm_error_detail) -> c_int;
    pub fn tlsm_conn_verify_error(conn: *const tlsm_conn) -> c_int;
    pub fn tlsm_conn_handshake_done(conn: *const tlsm_conn) -> c_int;
    pub fn tlsm_conn_version(conn: *const tlsm_conn) -> u16;
    pub fn tlsm_conn_suite(conn: *const tlsm_conn) -> u16;
    pub fn tlsm_conn_group(conn: *const tlsm_conn) -> u16;
    pub fn tlsm_conn_peer_sigalg(conn: *const tlsm_conn) -> u16;
    pub fn tlsm_conn_resumed(conn: *const tlsm_conn) -> c_int;
    pub fn tlsm_conn_hrr(conn: *const tlsm_conn) -> c_int;
    pub fn tlsm_conn_alpn(conn: *const tlsm_conn, len: *mut usize) -> *const u8;
    pub fn tlsm_conn_server_name(conn: *const tlsm_conn) -> *const c_char;
    pub fn tlsm_conn_identity(conn: *const tlsm_conn) -> c_int;
    pub fn tlsm_conn_session_id(conn: *const tlsm_conn, len: *mut usize) -> *const u8;
    pub fn tlsm_conn_ocsp_response(conn: *const tlsm_conn, len: *mut usize) -> *const u8;
    pub fn tlsm_conn_peer_cert_count(conn: *const tlsm_conn) -> usize;
    pub fn tlsm_conn_peer_cert(conn: *const tlsm_conn, index: usize, len: *mut usize) -> *const u8;
    pub fn tlsm_conn_get_session(
        conn: *const tlsm_conn,
        buf: *mut u8,
        cap: usize,
        len: *mut usize,
    ) -> c_int;
    pub fn tlsm_conn_set_session(conn: *mut tlsm_conn, blob: *const u8, len: usize) -> c_int;
}

// ------------------------------------------------------------------ function-like macros

/// `TLSM_ERR_LOCAL_ALERT(a)`: the code of a fatal alert that tlsm sent.
pub const fn TLSM_ERR_LOCAL_ALERT(alert: u8) -> c_int {
    -(TLSM_ERR_LOCAL_ALERT_BASE | alert as c_int)
}
/// `TLSM_ERR_PEER_ALERT(a)`: the code of a fatal alert that the peer sent.
pub const fn TLSM_ERR_PEER_ALERT(alert: u8) -> c_int {
    -(TLSM_ERR_PEER_ALERT_BASE | alert as c_int)
}
/// `TLSM_ERR_IS_LOCAL_ALERT(e)`.
pub const fn TLSM_ERR_IS_LOCAL_ALERT(e: c_int) -> bool {
    e < 0 && ((-e) & 0xf00) == TLSM_ERR_LOCAL_ALERT_BASE
}
/// `TLSM_ERR_IS_PEER_ALERT(e)`.
pub const fn TLSM_ERR_IS_PEER_ALERT(e: c_int) -> bool {
    e < 0 && ((-e) & 0xf00) == TLSM_ERR_PEER_ALERT_BASE
}
/// `TLSM_ERR_ALERT(e)`: the alert description in a protocol error code.
pub const fn TLSM_ERR_ALERT(e: c_int) -> u8 {
    ((-e) & 0xff) as u8
}

// ---------------------------------------------------------------- in-memory testing kit

/// Opaque client/server pair of the testing kit.
#[repr(C)]
pub struct tlsm_pair {
    _private: [u8; 0],
}

pub const TLSM_PAIR_CLIENT: c_int = 0;
pub const TLSM_PAIR_SERVER: c_int = 1;
pub const TLSM_PAIR_C2S: c_int = 0;
pub const TLSM_PAIR_S2C: c_int = 1;
pub const TLSM_PAIR_MAX_STEPS: c_uint = 10000;
pub const TLSM_TRACE_LADDER: c_int = 0;
pub const TLSM_TRACE_MERMAID: c_int = 1;
pub const TLSM_TRACE_JSON: c_int = 2;

/// Why a connection failed (`tlsm_conn_error_detail`): `reason` names the check that
/// fired (a static string, "" while there is no error), `text` says it in words, `file`
/// and `line` say where in debug builds (else NULL and 0), `alert_sent` is the alert this
/// side sent because of it, or -1.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct tlsm_error_detail {
    pub code: c_int,
    pub reason: *const c_char,
    pub text: *const c_char,
    pub file: *const c_char,
    pub line: c_int,
    pub alert_sent: c_int,
}

/// What one side of a pair ended with (`tlsm_pair_get_report`); `reason` is the
/// `tlsm_error_detail` reason of its failure ("" if none).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct tlsm_pair_report {
    pub error: c_int,
    pub alert_sent: c_int,
    pub alert_received: c_int,
    pub handshake_done: c_int,
    pub peer_closed: c_int,
    pub version: u16,
    pub suite: u16,
    pub group: u16,
    pub resumed: c_int,
    pub hrr: c_int,
    pub app_bytes_received: u64,
    pub reason: *const c_char,
}

extern "C" {
    pub fn tlsm_pair_new(client: *mut tlsm_config, server: *mut tlsm_config,
                         server_name: *const c_char) -> *mut tlsm_pair;
    pub fn tlsm_pair_free(p: *mut tlsm_pair);
    pub fn tlsm_pair_client(p: *mut tlsm_pair) -> *mut tlsm_conn;
    pub fn tlsm_pair_server(p: *mut tlsm_pair) -> *mut tlsm_conn;
    pub fn tlsm_pair_seed(p: *mut tlsm_pair, seed: u64);
    pub fn tlsm_pair_add_fault(p: *mut tlsm_pair, spec: *const c_char) -> c_int;
    pub fn tlsm_pair_step(p: *mut tlsm_pair) -> c_int;
    pub fn tlsm_pair_run(p: *mut tlsm_pair) -> c_int;
    pub fn tlsm_pair_write(p: *mut tlsm_pair, side: c_int, data: *const u8, len: usize) -> c_int;
    pub fn tlsm_pair_read(p: *mut tlsm_pair, side: c_int, buf: *mut u8, cap: usize,
                          len: *mut usize) -> c_int;
    pub fn tlsm_pair_close(p: *mut tlsm_pair, side: c_int) -> c_int;
    pub fn tlsm_pair_eof(p: *mut tlsm_pair, dir: c_int) -> c_int;
    pub fn tlsm_pair_get_report(p: *const tlsm_pair, side: c_int, r: *mut tlsm_pair_report) -> c_int;
    pub fn tlsm_pair_event(p: *const tlsm_pair, side: c_int, index: usize, ev: *mut tlsm_event) -> c_int;
    pub fn tlsm_pair_trace(p: *mut tlsm_pair, format: c_int, buf: *mut c_char, cap: usize,
                           len: *mut usize) -> c_int;
    pub fn tlsm_pair_pcap(p: *mut tlsm_pair, buf: *mut u8, cap: usize, len: *mut usize) -> c_int;
    pub fn tlsm_pair_keylog(p: *mut tlsm_pair, buf: *mut c_char, cap: usize, len: *mut usize) -> c_int;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_macros() {
        let e = TLSM_ERR_LOCAL_ALERT(TLSM_ALERT_UNKNOWN_CA);
        assert_eq!(e, -(0x100 | 48));
        assert!(TLSM_ERR_IS_LOCAL_ALERT(e) && !TLSM_ERR_IS_PEER_ALERT(e));
        assert_eq!(TLSM_ERR_ALERT(e), TLSM_ALERT_UNKNOWN_CA);
        let p = TLSM_ERR_PEER_ALERT(TLSM_ALERT_HANDSHAKE_FAILURE);
        assert!(TLSM_ERR_IS_PEER_ALERT(p) && !TLSM_ERR_IS_LOCAL_ALERT(p));
        assert!(!TLSM_ERR_IS_LOCAL_ALERT(TLSM_ERR_CERT_PARSE));
        assert!(!TLSM_ERR_IS_PEER_ALERT(TLSM_ERR_ARG));
    }

    #[test]
    fn strerror_names_codes() {
        // SAFETY: tlsm_strerror returns a static NUL-terminated string for any code.
        let s = unsafe { core::ffi::CStr::from_ptr(tlsm_strerror(TLSM_ERR_ARG)) };
        assert!(!s.to_bytes().is_empty());
        // SAFETY: as above, static and never NULL.
        let v = unsafe { core::ffi::CStr::from_ptr(tlsm_version_string()) };
        assert!(v.to_bytes().starts_with(b"0."));
    }
}
