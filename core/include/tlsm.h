/*
 * tlsm.h - the one public header of tlsm, a TLS 1.3 and 1.2 library whose core is a pure
 * state machine.
 *
 * The library never touches a socket, a thread, a file or the clock on its own. The host
 * feeds it ciphertext (tlsm_feed), takes ciphertext out (tlsm_output_peek/consume),
 * writes and reads plaintext (tlsm_write, tlsm_read_peek/consume) and asks what happened
 * (tlsm_status, tlsm_next_event).
 *
 * Rules that every caller can rely on:
 *  - A borrowed pointer (output, plaintext, peer certificate) stays valid until the next
 *    call that changes that connection.
 *  - Errors are sticky: after a fatal error every call returns the same code, and the alert
 *    that tells the peer why is already waiting in the output. Always drain the output,
 *    even after an error.
 *  - Errors are negative ints in one namespace. For protocol errors the low byte is the
 *    TLS alert description; TLSM_ERR_IS_LOCAL_ALERT / TLSM_ERR_IS_PEER_ALERT tell whether
 *    tlsm sent it or the peer did. tlsm_strerror() names every code.
 *  - Backpressure is a status bit, never an error. Nothing is dropped silently.
 *  - A connection is single-threaded. A config may be shared by connections on different
 *    threads once frozen (the first tlsm_conn_new or tlsm_verify_chain freezes it). Its
 *    setters may be called from several threads before that: they are serialised, and a
 *    setter that loses the race to a freeze returns TLSM_ERR_FROZEN without a change.
 */
#ifndef TLSM_H
#define TLSM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Only the functions declared here are exported from the shared library. */
#if defined(__GNUC__) && !defined(SWIG)
#pragma GCC visibility push(default)
#endif

#if defined(__GNUC__) && !defined(SWIG)
#define TLSM_MUST_CHECK __attribute__((warn_unused_result))
#else
#define TLSM_MUST_CHECK
#endif

/* ---------------------------------------------------------------- versions, codes */

#define TLSM_VERSION_MAJOR 0
#define TLSM_VERSION_MINOR 1
/* Returns the library version as a string, e.g. "0.1.0". */
const char *tlsm_version_string(void);

typedef enum { TLSM_ROLE_CLIENT = 0, TLSM_ROLE_SERVER = 1 } tlsm_role;

/* Protocol versions as on the wire. */
#define TLSM_TLS12 0x0303
#define TLSM_TLS13 0x0304

/* TLS 1.3 cipher suites (RFC 8446 B.4). */
#define TLSM_TLS_AES_128_GCM_SHA256       0x1301
#define TLSM_TLS_AES_256_GCM_SHA384       0x1302
#define TLSM_TLS_CHACHA20_POLY1305_SHA256 0x1303

/* TLS 1.2 AEAD cipher suites (RFC 5288, RFC 5289, RFC 7905). The RSA key-transport suites
 * (no forward secrecy) are not in the default list; add them with tlsm_config_set_suites. */
#define TLSM_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256       0xc02b
#define TLSM_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384       0xc02c
#define TLSM_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 0xcca9
#define TLSM_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256         0xc02f
#define TLSM_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384         0xc030
#define TLSM_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256   0xcca8
#define TLSM_TLS_DHE_RSA_WITH_AES_128_GCM_SHA256           0x009e
#define TLSM_TLS_DHE_RSA_WITH_AES_256_GCM_SHA384           0x009f
#define TLSM_TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256     0xccaa
#define TLSM_TLS_RSA_WITH_AES_128_GCM_SHA256               0x009c
#define TLSM_TLS_RSA_WITH_AES_256_GCM_SHA384               0x009d

/* The IANA name of a suite ("TLS_AES_128_GCM_SHA256"), "unknown" if not implemented. */
const char *tlsm_suite_name(uint16_t suite);
/* Names of groups ("x25519", "secp256r1", "ffdhe2048"), signature schemes
 * ("ecdsa_secp256r1_sha256", "rsa_pss_rsae_sha256", ...) and versions ("TLS 1.3");
 * "unknown" for codes tlsm does not implement. */
const char *tlsm_group_name(uint16_t group);
const char *tlsm_sigalg_name(uint16_t scheme);
const char *tlsm_version_name(uint16_t version);

/* Named groups (RFC 8446 s.4.2.7, RFC 7919). */
#define TLSM_GROUP_SECP256R1 0x0017
#define TLSM_GROUP_SECP384R1 0x0018
#define TLSM_GROUP_X25519    0x001d
#define TLSM_GROUP_FFDHE2048 0x0100
#define TLSM_GROUP_FFDHE3072 0x0101
/* ML-KEM groups (FIPS 203; draft-ietf-tls-ecdhe-mlkem for the hybrids, draft-ietf-tls-mlkem
 * for ML-KEM alone), TLS 1.3 only. The ML-KEM-768 hybrids are the default first choice
 * (see tlsm_config_set_groups); the others only when configured: pure ML-KEM-768, and the
 * ML-KEM-1024 groups (NIST category 5), whose key shares are larger (a client share of
 * 1568 bytes for MLKEM1024, 1665 for SecP384r1MLKEM1024; the server's the same size). */
#define TLSM_GROUP_X25519MLKEM768     0x11ec
#define TLSM_GROUP_SECP256R1MLKEM768  0x11eb
#define TLSM_GROUP_SECP384R1MLKEM1024 0x11ed
#define TLSM_GROUP_MLKEM768           0x0201
#define TLSM_GROUP_MLKEM1024          0x0202
/* The RFC 3526 MODP groups have no TLS code. A TLS 1.2 server may send them as explicit
 * DHE parameters (OpenSSL's s_server and Apache do by default); a tlsm client that enables
 * DHE (any FFDHE group in its groups) accepts them by exact match, and tlsm_conn_group()
 * then reports these values from the private-use range (RFC 8446 s.4.2.7). They are never
 * sent, never chosen by a tlsm server, and tlsm_config_set_groups refuses them. */
#define TLSM_GROUP_MODP2048  0xfe08
#define TLSM_GROUP_MODP3072  0xfe0c
#define TLSM_GROUP_MODP4096  0xfe10
#define TLSM_GROUP_MODP6144  0xfe18
#define TLSM_GROUP_MODP8192  0xfe20

/* Signature schemes (RFC 8446 s.4.2.3). */
#define TLSM_SIG_RSA_PKCS1_SHA256       0x0401
#define TLSM_SIG_RSA_PKCS1_SHA384       0x0501
#define TLSM_SIG_RSA_PKCS1_SHA512       0x0601
#define TLSM_SIG_ECDSA_SECP256R1_SHA256 0x0403
#define TLSM_SIG_ECDSA_SECP384R1_SHA384 0x0503
#define TLSM_SIG_ECDSA_SECP521R1_SHA512 0x0603 /* TLS 1.2: ECDSA with SHA-512, any curve */
#define TLSM_SIG_RSA_PSS_RSAE_SHA256    0x0804
#define TLSM_SIG_RSA_PSS_RSAE_SHA384    0x0805
#define TLSM_SIG_RSA_PSS_RSAE_SHA512    0x0806
#define TLSM_SIG_ED25519                0x0807
#define TLSM_SIG_RSA_PSS_PSS_SHA256     0x0809
#define TLSM_SIG_RSA_PSS_PSS_SHA384     0x080a
#define TLSM_SIG_RSA_PSS_PSS_SHA512     0x080b

/* ---------------------------------------------------------------- errors */

#define TLSM_OK 0
/* Protocol errors: -(TLSM_ERR_LOCAL_ALERT_BASE | alert) when tlsm detected the problem
 * and sent `alert`; -(TLSM_ERR_PEER_ALERT_BASE | alert) when the peer sent a fatal alert. */
#define TLSM_ERR_LOCAL_ALERT_BASE 0x100
#define TLSM_ERR_PEER_ALERT_BASE  0x200
#define TLSM_ERR_LOCAL_ALERT(a) (-(TLSM_ERR_LOCAL_ALERT_BASE | (int)(a)))
#define TLSM_ERR_PEER_ALERT(a)  (-(TLSM_ERR_PEER_ALERT_BASE | (int)(a)))
#define TLSM_ERR_IS_LOCAL_ALERT(e) ((e) < 0 && ((-(e)) & 0xf00) == TLSM_ERR_LOCAL_ALERT_BASE)
#define TLSM_ERR_IS_PEER_ALERT(e)  ((e) < 0 && ((-(e)) & 0xf00) == TLSM_ERR_PEER_ALERT_BASE)
#define TLSM_ERR_ALERT(e) ((uint8_t)((-(e)) & 0xff))

/* TLS alert descriptions (RFC 8446 s.6). */
enum {
    TLSM_ALERT_CLOSE_NOTIFY = 0,
    TLSM_ALERT_UNEXPECTED_MESSAGE = 10,
    TLSM_ALERT_BAD_RECORD_MAC = 20,
    TLSM_ALERT_RECORD_OVERFLOW = 22,
    TLSM_ALERT_HANDSHAKE_FAILURE = 40,
    TLSM_ALERT_BAD_CERTIFICATE = 42,
    TLSM_ALERT_UNSUPPORTED_CERTIFICATE = 43,
    TLSM_ALERT_CERTIFICATE_REVOKED = 44,
    TLSM_ALERT_CERTIFICATE_EXPIRED = 45,
    TLSM_ALERT_CERTIFICATE_UNKNOWN = 46,
    TLSM_ALERT_ILLEGAL_PARAMETER = 47,
    TLSM_ALERT_UNKNOWN_CA = 48,
    TLSM_ALERT_ACCESS_DENIED = 49,
    TLSM_ALERT_DECODE_ERROR = 50,
    TLSM_ALERT_DECRYPT_ERROR = 51,
    TLSM_ALERT_PROTOCOL_VERSION = 70,
    TLSM_ALERT_INSUFFICIENT_SECURITY = 71,
    TLSM_ALERT_INTERNAL_ERROR = 80,
    TLSM_ALERT_INAPPROPRIATE_FALLBACK = 86,
    TLSM_ALERT_USER_CANCELED = 90,
    TLSM_ALERT_NO_RENEGOTIATION = 100,
    TLSM_ALERT_MISSING_EXTENSION = 109,
    TLSM_ALERT_UNSUPPORTED_EXTENSION = 110,
    TLSM_ALERT_UNRECOGNIZED_NAME = 112,
    TLSM_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE = 113,
    TLSM_ALERT_UNKNOWN_PSK_IDENTITY = 115,
    TLSM_ALERT_CERTIFICATE_REQUIRED = 116,
    TLSM_ALERT_NO_APPLICATION_PROTOCOL = 120
};

/* Errors that are not alerts (API use, resources, configuration, certificates). */
enum {
    TLSM_ERR_NOMEM = -1,          /* allocation failed */
    TLSM_ERR_ARG = -2,            /* invalid argument (NULL, bad length, unknown code) */
    TLSM_ERR_STATE = -3,          /* call not allowed in this state (e.g. write before handshake) */
    TLSM_ERR_CLOSED = -4,         /* the connection was closed cleanly; no more data */
    TLSM_ERR_FROZEN = -5,         /* config is in use (a connection or tlsm_verify_chain) and
                                     can no longer change */
    TLSM_ERR_BUFFER = -6,         /* caller's buffer too small */
    TLSM_ERR_PEM = -7,            /* malformed PEM */
    TLSM_ERR_KEY = -8,            /* unsupported or malformed private key */
    TLSM_ERR_KEY_MISMATCH = -9,   /* private key does not match the certificate */
    TLSM_ERR_NO_CERT = -10,       /* no certificate found in input */
    TLSM_ERR_RNG = -11,           /* random generator failed */
    TLSM_ERR_CRYPTO = -12,        /* a crypto primitive failed unexpectedly */
    TLSM_ERR_TRUNCATED = -13,     /* transport closed without close_notify */
    TLSM_ERR_NO_SESSION = -14,    /* no resumable session available */
    TLSM_ERR_IO = -15,            /* file could not be read (config loaders only) */
    TLSM_ERR_NO_SERVER_NAME = -16,/* client verifies the server but was given no name to check
                                     (pass one to tlsm_conn_new, or choose external or no
                                     verification explicitly) */

    /* Certificate problems (a connection reports the alert; tlsm_conn_verify_error() gives
     * one of these). Also returned by the PKI functions. */
    TLSM_ERR_CERT_PARSE = -0x400,        /* DER/X.509 malformed */
    TLSM_ERR_CERT_UNKNOWN_ISSUER = -0x401, /* no path to a trust anchor */
    TLSM_ERR_CERT_SIGNATURE = -0x402,    /* a signature in the chain does not verify */
    TLSM_ERR_CERT_EXPIRED = -0x403,      /* now > notAfter */
    TLSM_ERR_CERT_NOT_YET_VALID = -0x404,/* now < notBefore */
    TLSM_ERR_CERT_NOT_CA = -0x405,       /* issuer lacks basicConstraints cA or keyCertSign */
    TLSM_ERR_CERT_PATH_LEN = -0x406,     /* pathLenConstraint exceeded / chain too deep */
    TLSM_ERR_CERT_USAGE = -0x407,        /* keyUsage / extendedKeyUsage forbids this use */
    TLSM_ERR_CERT_NAME_MISMATCH = -0x408,/* host name / IP not in subjectAltName */
    TLSM_ERR_CERT_UNSUPPORTED_ALG = -0x409, /* signature or key algorithm not supported/allowed */
    TLSM_ERR_CERT_CRITICAL_EXT = -0x40a, /* unknown critical extension */
    TLSM_ERR_CERT_WEAK_KEY = -0x40b,     /* key too small for policy */
    TLSM_ERR_CERT_NO_TRUST = -0x40c,     /* no trust anchors configured */
    TLSM_ERR_CERT_REJECTED = -0x40d,     /* rejected by the application (tlsm_verify_done) */
    TLSM_ERR_CERT_NAME_CONSTRAINT = -0x40e, /* a name is outside an issuer's nameConstraints */
    TLSM_ERR_CERT_BAD_SERIAL = -0x40f,   /* serialNumber negative, zero or over 20 octets */
    TLSM_ERR_CERT_BAD_TIME = -0x410,     /* validity time malformed or of the wrong ASN.1 type */
    TLSM_ERR_CERT_RSA_TOO_LARGE = -0x411,/* RSA modulus over 8192 bits */
    TLSM_ERR_CERT_RSA_EXPONENT = -0x412, /* RSA public exponent even, below 3 or over 32 bits */
    TLSM_ERR_CERT_WORK_LIMIT = -0x413,   /* verifying would take more signature checks (64)
                                            or name-constraint comparisons (2^20) than a
                                            chain is allowed */
    TLSM_ERR_CERT_BAD_DNS_NAME = -0x414, /* a dNSName (subjectAltName under DNS name
                                            constraints, or a constraint) outside the
                                            preferred name syntax */
    TLSM_ERR_CERT_LEAF_NAME_CONSTRAINTS = -0x415, /* nameConstraints in an end-entity cert */
    TLSM_ERR_CERT_BC_NOT_CRITICAL = -0x416, /* an issuing CA's basicConstraints not critical */
    TLSM_ERR_CERT_LEAF_IS_CA = -0x417,   /* the end-entity certificate asserts cA */
    TLSM_ERR_CERT_EMPTY_SUBJECT = -0x418,/* empty subject on a CA, or without a critical
                                            subjectAltName */
    TLSM_ERR_CERT_NC_UNSUPPORTED_NAME = -0x419 /* a name of a form that a critical
                                            nameConstraints restricts and tlsm does not
                                            check (otherName, directoryName incl. a
                                            non-empty subject, URI, ...) */
};

/* Returns a static, human-readable name for any tlsm code (never NULL). */
const char *tlsm_strerror(int code);
/* Returns the name of a TLS alert description, e.g. "handshake_failure" (never NULL). */
const char *tlsm_alert_name(uint8_t alert);

/* ---------------------------------------------------------------- config */

typedef struct tlsm_config tlsm_config;
typedef struct tlsm_conn tlsm_conn;

/* Random source: fill out[0..len) and return 0, or non-zero on failure. */
typedef int (*tlsm_rng_fn)(void *ctx, uint8_t *out, size_t len);
/* Clock: return the current time in milliseconds since the Unix epoch. */
typedef uint64_t (*tlsm_clock_fn)(void *ctx);

/* Creates a config for one role with secure defaults: TLS 1.2 and 1.3 (1.3 preferred), the
 * three TLS 1.3 suites and the forward-secret TLS 1.2 AEAD suites, X25519, P-256, P-384,
 * ffdhe2048, ffdhe3072, Extended Master Secret required, peer certificate verification on
 * (client side).
 * Returns NULL on allocation failure. The config is reference counted. */
TLSM_MUST_CHECK tlsm_config *tlsm_config_new(tlsm_role role);
/* Adds a reference (for hosts that share a config). Returns cfg. */
tlsm_config *tlsm_config_ref(tlsm_config *cfg);
/* Drops a reference; frees the config (wiping keys) when the last one goes. NULL is a no-op. */
void tlsm_config_free(tlsm_config *cfg);

/* Protocol versions to enable: (TLSM_TLS12, TLSM_TLS13) by default, TLS 1.3 preferred.
 * Anything below TLS 1.2 returns TLSM_ERR_ARG (RFC 8996). */
TLSM_MUST_CHECK int tlsm_config_set_versions(tlsm_config *cfg, uint16_t min, uint16_t max);
/* Cipher suites in preference order (TLSM_TLS_* codes), both versions in one list; each
 * version uses its own. Unknown codes: TLSM_ERR_ARG. */
TLSM_MUST_CHECK int tlsm_config_set_suites(tlsm_config *cfg, const uint16_t *suites, size_t n);
/* Key-exchange groups in preference order (TLSM_GROUP_*). Default: X25519MLKEM768,
 * SecP256r1MLKEM768, X25519, secp256r1, secp384r1, ffdhe2048, ffdhe3072. A client sends a
 * key share for the first group and one for the first group of the other kind (classical
 * or ML-KEM), so that a server with either needs no HelloRetryRequest; a server takes the
 * first of its groups the client sent a share for, else asks for its first common group.
 * The ML-KEM groups are TLS 1.3 only. Unknown codes: TLSM_ERR_ARG. */
TLSM_MUST_CHECK int tlsm_config_set_groups(tlsm_config *cfg, const uint16_t *groups, size_t n);
/* Signature schemes accepted from the peer and offered to it (signature_algorithms), in
 * preference order (TLSM_SIG_*); also the schemes our identities sign with, unless
 * tlsm_config_set_identity_sigalgs gives one its own. */
TLSM_MUST_CHECK int tlsm_config_set_sigalgs(tlsm_config *cfg, const uint16_t *sigs, size_t n);
/* ALPN protocols in preference order, as a wire-format list: each name prefixed by its
 * one-byte length (e.g. "\x02h2\x08http/1.1"). A server with ALPN configured and a client
 * offering none in common fails with no_application_protocol (RFC 7301 s.3.2). */
TLSM_MUST_CHECK int tlsm_config_set_alpn(tlsm_config *cfg, const uint8_t *list, size_t len);

/* Certificate chain (leaf first) and matching private key, PEM. PKCS#8 (RSA, EC, Ed25519),
 * SEC1 "EC PRIVATE KEY" and PKCS#1 "RSA PRIVATE KEY" keys are accepted. Several identities
 * may be added; the one matching the peer's signature algorithms is used. */
TLSM_MUST_CHECK int tlsm_config_add_identity_pem(tlsm_config *cfg, const uint8_t *chain_pem,
                                                 size_t chain_len, const uint8_t *key_pem,
                                                 size_t key_len);
/* Same with DER: `chain` is `n` certificates, leaf first; `key` is PKCS#8, SEC1 or PKCS#1. */
TLSM_MUST_CHECK int tlsm_config_add_identity_der(tlsm_config *cfg, const uint8_t *const *chain,
                                                 const size_t *chain_lens, size_t n,
                                                 const uint8_t *key, size_t key_len);
/* Adds trust anchors from PEM (any number of CERTIFICATE blocks). Sets *added (may be NULL)
 * to how many were accepted. Returns TLSM_ERR_NO_CERT when none was. */
TLSM_MUST_CHECK int tlsm_config_add_trust_pem(tlsm_config *cfg, const uint8_t *pem, size_t len,
                                              size_t *added);
/* Adds one DER trust anchor. */
TLSM_MUST_CHECK int tlsm_config_add_trust_der(tlsm_config *cfg, const uint8_t *der, size_t len);
/* Loads the system trust store (/etc/ssl/certs/ca-certificates.crt on Debian). */
TLSM_MUST_CHECK int tlsm_config_load_system_trust(tlsm_config *cfg, size_t *added);

/* Trust anchors from files, with a report of what was taken and what was not and why.
 * A file holds PEM (every CERTIFICATE block is read; blocks with other labels are
 * skipped) or one DER certificate. A certificate is rejected with the code of why (e.g.
 * TLSM_ERR_CERT_PARSE, TLSM_ERR_CERT_UNSUPPORTED_ALG, TLSM_ERR_CERT_CRITICAL_EXT); a file
 * is rejected as a whole when it cannot be read (TLSM_ERR_IO), its PEM is malformed
 * (TLSM_ERR_PEM: certificates before the bad block are kept) or it holds no certificate
 * (TLSM_ERR_NO_CERT). A certificate already in the config counts as a duplicate, neither
 * accepted nor rejected. The first TLSM_TRUST_REPORT_MAX rejections are itemized.
 * Returns 0 when at least one certificate was accepted or was already present,
 * TLSM_ERR_NO_CERT when none was, TLSM_ERR_IO when the file or directory cannot be opened,
 * TLSM_ERR_FROZEN once a connection uses the config, TLSM_ERR_NOMEM. `report` may be
 * NULL; it is cleared first. */
#define TLSM_TRUST_REPORT_MAX 16
typedef struct {
    char file[256];  /* file name (no directory), "" for the bytes of a single file */
    size_t index;    /* position of the certificate in its file (0-based), or of the PEM
                        block that failed; 0 for a file-level rejection */
    int code;        /* why: a TLSM_ERR_* code */
} tlsm_trust_reject;
typedef struct {
    size_t accepted;    /* certificates added as trust anchors */
    size_t duplicates;  /* certificates that were already trust anchors */
    size_t rejected;    /* certificates and files that could not be used */
    size_t files;       /* files read (directory loads; 1 for a file load) */
    size_t n_rejects;   /* entries of rejects[] filled: min(rejected, TLSM_TRUST_REPORT_MAX) */
    tlsm_trust_reject rejects[TLSM_TRUST_REPORT_MAX];
} tlsm_trust_report;
/* One file (PEM bundle or DER certificate). */
TLSM_MUST_CHECK int tlsm_config_add_trust_file(tlsm_config *cfg, const char *path,
                                               tlsm_trust_report *report);
/* Every regular file in a directory whose name ends in .pem, .crt or .cer or is an
 * OpenSSL hashed name (8 hex digits, '.', a number: "5ad8a5d6.0"), in name order. Other
 * files (keys, CRLs "*.r0", READMEs) are not read. Symbolic links are followed. */
TLSM_MUST_CHECK int tlsm_config_add_trust_dir(tlsm_config *cfg, const char *path,
                                              tlsm_trust_report *report);
/* The system store through the same loader: the first bundle file that exists among
 * /etc/ssl/certs/ca-certificates.crt (Debian, Ubuntu), /etc/pki/tls/certs/ca-bundle.crt
 * (Fedora, RHEL) and /etc/ssl/cert.pem (Alpine, macOS), else the directory /etc/ssl/certs.
 * TLSM_ERR_IO when none exists. */
TLSM_MUST_CHECK int tlsm_config_add_trust_system(tlsm_config *cfg, tlsm_trust_report *report);

/* Certificate verification without a handshake: the same parser and path builder (RFC
 * 5280 s.6, without policies and revocation) that checks a peer's Certificate message.
 *
 *     tlsm_verify_result r;
 *     int rc = tlsm_verify_chain(trust, certs, lens, n, "example.com", TLSM_PURPOSE_SERVER,
 *                                TLSM_VERIFY_TIME_NOW, 0, &r);
 *     if (rc != 0)   // tlsm_strerror(rc); certs[r.fault] is to blame (if r.fault >= 0)
 *         ...
 *     for (uint32_t i = 0; rc == 0 && i < r.path_len; i++) {  // leaf first, anchor last
 *         size_t len;
 *         const uint8_t *der = r.path_input[i] >= 0 ? certs[r.path_input[i]]
 *             : tlsm_config_trust_cert(trust, (size_t)r.path_anchor[i], &len);
 *     }
 *
 * trust: a config used as a trust store: its anchors (tlsm_config_add_trust_*) and its
 *   clock hook (for TLSM_VERIFY_TIME_NOW) are read; its role and verification mode are
 *   ignored (this always verifies). The call freezes it, as tlsm_conn_new does: setters
 *   called later (or racing it on another thread) return TLSM_ERR_FROZEN, so a shared
 *   config is never changed under a verification.
 * certs, lens, n: DER certificates, certs[0] the end-entity certificate, certs[1 .. n)
 *   untrusted intermediates in any order, extras allowed; 1 <= n <= TLSM_VERIFY_MAX_CERTS.
 *   Every one must parse, as in a handshake, even one the path does not use.
 * peer_name: DNS name or IPv4/IPv6 literal matched against the subjectAltName (RFC 6125:
 *   no CN fallback, "*" only as a whole left-most label, IPs only against iPAddress), as
 *   a client checks its server_name; NULL checks no name ("" is TLSM_ERR_ARG).
 * purpose: TLSM_PURPOSE_SERVER (what a client asks of its server: extendedKeyUsage, where
 *   present on the leaf or an issuer, must allow serverAuth) or TLSM_PURPOSE_CLIENT
 *   (clientAuth, what a server asks of client certificates).
 * time: validation time in seconds since the Unix epoch, or TLSM_VERIFY_TIME_NOW: the
 *   config's clock hook (tlsm_config_set_clock) if set, else the system's real-time clock,
 *   exactly as a handshake on that config would read it. The library reads no clock
 *   otherwise.
 * max_depth: most certificates on the path, leaf and anchor included; 0 means
 *   TLSM_VERIFY_DEFAULT_DEPTH (the handshake's), above TLSM_VERIFY_MAX_PATH counts as that.
 * result: always filled (may be NULL).
 *
 * Returns 0 when a path to an anchor was built and every check passed, else the code of
 * the failure, also in result->error; result->fault says which certificate caused it.
 * When several paths fail, the one that got closest to an anchor explains it. Codes:
 *   TLSM_ERR_ARG                 NULL trust/certs/lens or a NULL or empty certificate,
 *                                n > TLSM_VERIFY_MAX_CERTS, unknown purpose, empty name
 *   TLSM_ERR_NOMEM               out of memory
 *   TLSM_ERR_NO_CERT             n == 0 (PEM: no CERTIFICATE block)
 *   TLSM_ERR_PEM                 (PEM only) a malformed block; fault = its block index
 *   TLSM_ERR_CERT_NO_TRUST       the config holds no trust anchor
 *   TLSM_ERR_CERT_PARSE          not strict DER X.509 (the first such input is at fault)
 *   TLSM_ERR_CERT_BAD_SERIAL     serialNumber not positive or over 20 octets
 *   TLSM_ERR_CERT_BAD_TIME       validity times malformed or of the wrong ASN.1 type
 *   TLSM_ERR_CERT_UNSUPPORTED_ALG signature or key algorithm tlsm does not accept
 *   TLSM_ERR_CERT_CRITICAL_EXT   an unknown critical extension
 *   TLSM_ERR_CERT_UNKNOWN_ISSUER no issuer for a certificate (fault: the one left without)
 *   TLSM_ERR_CERT_SIGNATURE      a signature does not verify (fault: the signed one)
 *   TLSM_ERR_CERT_EXPIRED / _NOT_YET_VALID  time outside notBefore..notAfter
 *   TLSM_ERR_CERT_NOT_CA         an issuer without cA or keyCertSign
 *   TLSM_ERR_CERT_PATH_LEN       pathLenConstraint exceeded, or a path over max_depth
 *   TLSM_ERR_CERT_USAGE          keyUsage/extendedKeyUsage forbids the purpose
 *   TLSM_ERR_CERT_NAME_CONSTRAINT a name outside an issuer's nameConstraints
 *   TLSM_ERR_CERT_WEAK_KEY       an RSA key under 2048 bits
 *   TLSM_ERR_CERT_RSA_TOO_LARGE  an RSA modulus over 8192 bits (refused before any RSA
 *                                operation, on the leaf or on a certificate a path uses)
 *   TLSM_ERR_CERT_RSA_EXPONENT   an RSA public exponent even, below 3 or over 32 bits
 *   TLSM_ERR_CERT_WORK_LIMIT     the path search needed more than 64 signature checks or
 *                                2^20 name-constraint comparisons (fault: the certificate
 *                                whose issuer was being sought)
 *   TLSM_ERR_CERT_BAD_DNS_NAME   a dNSName constraint outside the DNS name syntax (fault:
 *                                the CA), or a malformed dNSName below a CA that constrains
 *                                DNS names (fault: its holder)
 *   TLSM_ERR_CERT_LEAF_NAME_CONSTRAINTS  nameConstraints in the end-entity certificate
 *   TLSM_ERR_CERT_BC_NOT_CRITICAL an intermediate CA whose basicConstraints is not critical
 *                                (trust anchors are exempt)
 *   TLSM_ERR_CERT_LEAF_IS_CA     the end-entity certificate asserts cA (unless it is itself
 *                                a trust anchor)
 *   TLSM_ERR_CERT_EMPTY_SUBJECT  an issuer with an empty subject, or a leaf with an empty
 *                                subject and no critical subjectAltName
 *   TLSM_ERR_CERT_NC_UNSUPPORTED_NAME a name of a form that an issuer's critical
 *                                nameConstraints restricts and tlsm does not check
 *                                (fault: the certificate holding the name)
 *   TLSM_ERR_CERT_NAME_MISMATCH  peer_name is not a name of the leaf (fault 0)
 * For the same chain, name, purpose and time, tlsm_conn_verify_error() reports the same
 * code (a client verifies with TLSM_PURPOSE_SERVER and its server_name, a server with
 * TLSM_PURPOSE_CLIENT and no name). A Certificate message may hold any number of
 * certificates (unused ones are ignored); the work limits above bound the path search.
 * Never TLSM_ERR_CERT_REJECTED. */
#define TLSM_PURPOSE_SERVER 0
#define TLSM_PURPOSE_CLIENT 1
#define TLSM_VERIFY_TIME_NOW (-0x7fffffffffffffffLL - 1) /* INT64_MIN */
#define TLSM_VERIFY_DEFAULT_DEPTH 10
#define TLSM_VERIFY_MAX_PATH 32
#define TLSM_VERIFY_MAX_CERTS 4096
/* result->fault when no single certificate is at fault (success, TLSM_ERR_ARG, _NOMEM,
 * _NO_CERT, _CERT_NO_TRUST), or when a trust anchor is (result->fault_anchor says which). */
#define TLSM_VERIFY_FAULT_NONE   (-1)
#define TLSM_VERIFY_FAULT_ANCHOR (-2)
typedef struct {
    int32_t error;         /* the return value: 0 or a code listed above */
    int32_t fault;         /* index in certs[] (PEM: block) of the certificate at fault, or
                              TLSM_VERIFY_FAULT_NONE / TLSM_VERIFY_FAULT_ANCHOR */
    int32_t fault_anchor;  /* with TLSM_VERIFY_FAULT_ANCHOR: the anchor's index (as for
                              tlsm_config_trust_cert), else -1 */
    uint32_t path_len;     /* on success: certificates on the built path, else 0 */
    /* Element i of the path (leaf first, anchor last): path_input[i] is its index in
     * certs[] (PEM: block), or -1 when it is a trust anchor not taken from the input;
     * path_anchor[i] is the anchor's index when it is one, else -1. A leaf that is itself
     * an anchor (pinned) is one element with both set. Entries past path_len are -1. */
    int32_t path_input[TLSM_VERIFY_MAX_PATH];
    int32_t path_anchor[TLSM_VERIFY_MAX_PATH];
    int64_t time;          /* the validation time used (TLSM_VERIFY_TIME_NOW resolved);
                              0 when trust, peer_name or purpose was refused */
} tlsm_verify_result;
TLSM_MUST_CHECK int tlsm_verify_chain(const tlsm_config *trust, const uint8_t *const *certs,
                                      const size_t *lens, size_t n, const char *peer_name,
                                      int purpose, int64_t time, size_t max_depth,
                                      tlsm_verify_result *result);
/* Same with PEM: every CERTIFICATE block of pem in order (the leaf first, then the
 * intermediates; blocks with other labels are skipped); indices in the result count
 * CERTIFICATE blocks from 0. */
TLSM_MUST_CHECK int tlsm_verify_chain_pem(const tlsm_config *trust, const uint8_t *pem,
                                          size_t pem_len, const char *peer_name, int purpose,
                                          int64_t time, size_t max_depth,
                                          tlsm_verify_result *result);
/* The config's trust anchors, in the order they were added (duplicates and rejected
 * certificates take no index): how many, and the DER of one (borrowed from the config,
 * valid until it is freed; NULL and *len 0 past the end). */
size_t tlsm_config_trust_count(const tlsm_config *cfg);
const uint8_t *tlsm_config_trust_cert(const tlsm_config *cfg, size_t index, size_t *len);

/* Peer verification mode. Clients verify the server by default. */
typedef enum {
    TLSM_VERIFY_PEER = 0,                  /* verify chain and (client) host name */
    TLSM_VERIFY_INSECURE_NO_VERIFICATION = 1 /* accept any certificate: testing only */
} tlsm_verify_mode;
TLSM_MUST_CHECK int tlsm_config_set_verify(tlsm_config *cfg, tlsm_verify_mode mode);

/* External verification: after the built-in checks pass (or are switched off with
 * TLSM_VERIFY_INSECURE_NO_VERIFICATION), the connection stops with TLSM_EV_VERIFY_PEER and
 * TLSM_STATUS_BLOCKED; the host examines tlsm_conn_peer_cert() and answers with
 * tlsm_verify_done(). Works for servers checking clients too. Default off. */
TLSM_MUST_CHECK int tlsm_config_set_verify_external(tlsm_config *cfg, int on);
/* Client: a resumed connection verifies the server's chain it kept from the original
 * handshake again, as a full handshake would (built-in verification, and the
 * TLSM_EV_VERIFY_PEER question with external verification), so that a certificate that
 * expired or a changed trust store takes effect on resumption too. Default off (a
 * resumption trusts the earlier verification, as RFC 8446 s.2.2 permits). */
TLSM_MUST_CHECK int tlsm_config_set_reverify_on_resume(tlsm_config *cfg, int on);

/* OCSP stapling (RFC 6066 s.8, RFC 8446 s.4.4.2.1), passed through: tlsm neither fetches
 * nor checks OCSP responses. A server staples `der` (an OCSPResponse) for its index-th
 * identity (in the order added, from 0; len 0 removes it) when a client asks; a client
 * with tlsm_config_set_ocsp_request asks, and tlsm_conn_ocsp_response gives what the server
 * stapled (also on a resumption of that session). TLSM_ERR_ARG for an index past the
 * identities. */
TLSM_MUST_CHECK int tlsm_config_set_identity_ocsp(tlsm_config *cfg, size_t index,
                                                 const uint8_t *der, size_t len);
TLSM_MUST_CHECK int tlsm_config_set_ocsp_request(tlsm_config *cfg, int on);

/* The signature schemes the index-th identity (in the order added, from 0) signs with, in
 * preference order (TLSM_SIG_*; n = 0 returns it to the tlsm_config_set_sigalgs list). The
 * list may hold schemes we do not accept from the peer, and changes nothing we accept or
 * offer. A handshake signs with the scheme the peer accepts that comes earliest in its
 * identity's list, and between identities by the order they were added; an identity none
 * of whose schemes the peer accepts is not used. TLSM_ERR_ARG for an index past the
 * identities, an unknown or repeated scheme, or more than 24. */
TLSM_MUST_CHECK int tlsm_config_set_identity_sigalgs(tlsm_config *cfg, size_t index,
                                                    const uint16_t *sigs, size_t n);
/* With on, the index-th identity is used only when the peer's certificate_authorities
 * (RFC 8446 s.4.2.4: in a ClientHello or a TLS 1.3 CertificateRequest; the list of a TLS 1.2
 * CertificateRequest, RFC 5246 s.7.4.4) holds the issuer name of one of the identity's
 * certificates; a peer that sends no list matches none. Another identity may still serve.
 * A server left with no identity fails with reason NO_MATCHING_ISSUER (handshake_failure);
 * a client sends an empty Certificate (RFC 8446 s.4.4.2). Default off. TLSM_ERR_ARG for
 * an index past the identities. */
TLSM_MUST_CHECK int tlsm_config_set_identity_issuer_match(tlsm_config *cfg, size_t index,
                                                         int on);
/* The certificate_authorities we send (RFC 8446 s.4.2.4): `names` is DER X.501 Names (e.g.
 * certificate subjects) one after the other. A server sends them in its CertificateRequest
 * (TLS 1.2: its certificate_authorities field, RFC 5246 s.7.4.4), a client offering TLS 1.3
 * in its ClientHello. len 0: none (a TLS 1.3 CertificateRequest then has no extension, a
 * TLS 1.2 one an empty list). Until this is called a server sends the subjects of its
 * trust anchors and a client sends none. TLSM_ERR_ARG when `names` is not whole DER
 * SEQUENCEs or the list would pass 65,535 bytes. */
TLSM_MUST_CHECK int tlsm_config_set_ca_names(tlsm_config *cfg, const uint8_t *names, size_t len);

/* Server: ask for a client certificate (0 = no, 1 = request, 2 = require). */
TLSM_MUST_CHECK int tlsm_config_set_client_auth(tlsm_config *cfg, int mode);

/* Server: number of NewSessionTickets sent after the handshake (default 1, 0 disables
 * resumption). Client: whether to offer stored sessions (any n > 0 enables). */
TLSM_MUST_CHECK int tlsm_config_set_tickets(tlsm_config *cfg, unsigned n);
/* Server: the 32-byte key that protects tickets (default: drawn from the config's RNG when
 * the first connection uses the config). Set the same
 * key on several configs/processes to resume across them. */
TLSM_MUST_CHECK int tlsm_config_set_ticket_key(tlsm_config *cfg, const uint8_t *key, size_t len);
/* Server: replaces the ticket key on a config that is already in use (thread-safe); tickets
 * sealed with the previous key are still accepted until the next rotation. */
TLSM_MUST_CHECK int tlsm_config_rotate_ticket_key(tlsm_config *cfg, const uint8_t *key,
                                                  size_t len);
/* TLS 1.2: require Extended Master Secret (RFC 7627) from the peer (default on). */
TLSM_MUST_CHECK int tlsm_config_set_require_ems(tlsm_config *cfg, int on);
/* Server, TLS 1.2: how many sessions the session-id cache keeps (default 256, 0 = none). */
TLSM_MUST_CHECK int tlsm_config_set_session_cache(tlsm_config *cfg, size_t entries);
/* Verification cache: certificate signatures this config has verified, so that a chain
 * seen again (a client reconnecting to the same servers, a server seeing the same client
 * CAs) does not cost the same public-key operations twice. An entry is the SHA-256 of the
 * signature algorithm and of the full DER encodings of both the signed certificate and its
 * issuer: a changed byte anywhere in either is a different entry. Only signatures that
 * verified are stored, and a hit skips that one signature check and nothing else:
 * validity times, names, constraints, key usage, the path itself and the handshake's
 * CertificateVerify are checked on every verification, and the result (error code,
 * certificate at fault) is the same with the cache on or off. It serves the handshakes of
 * every connection on the config and tlsm_verify_chain with the config as trust store;
 * it is thread-safe, bounded (4-way set associative, the oldest entry of a set replaced),
 * and allocated at its first entry (32 bytes per entry).
 * entries: the capacity (rounded up to a multiple of 4; default TLSM_VERIFY_CACHE_DEFAULT,
 * at most TLSM_VERIFY_CACHE_MAX, else TLSM_ERR_ARG); 0 turns the cache off. A host that
 * must not let the timing of a handshake reveal whether a chain was verified before on
 * this config turns it off. */
#define TLSM_VERIFY_CACHE_DEFAULT 256
#define TLSM_VERIFY_CACHE_MAX 1048576u /* 2^20 */
TLSM_MUST_CHECK int tlsm_config_set_verify_cache(tlsm_config *cfg, size_t entries);
typedef struct {
    uint64_t hits;     /* signature checks answered by the cache */
    uint64_t misses;   /* signature checks the cache did not hold (then verified) */
    uint64_t entries;  /* signatures held now */
    uint64_t capacity; /* most it holds (0: off) */
} tlsm_verify_cache_stats;
/* Fills *stats (thread-safe; any time). TLSM_ERR_ARG for NULL. */
TLSM_MUST_CHECK int tlsm_config_verify_cache_stats(const tlsm_config *cfg,
                                                   tlsm_verify_cache_stats *stats);
/* Ticket lifetime in seconds (default 7200, at most 604800: RFC 8446 s.4.6.1); also the
 * lifetime of cached TLS 1.2 sessions. */
TLSM_MUST_CHECK int tlsm_config_set_ticket_lifetime(tlsm_config *cfg, uint32_t seconds);

/* Client: send a legacy session ID and an early ChangeCipherSpec (RFC 8446 D.4) in
 * ClientHellos that offer TLS 1.3 (a client offering only TLS 1.2 has no such mode).
 * Default on. */
TLSM_MUST_CHECK int tlsm_config_set_middlebox_compat(tlsm_config *cfg, int on);
/* Server: always answer the first ClientHello with a HelloRetryRequest carrying a cookie
 * (a stateless-retry style address check). Default off. */
TLSM_MUST_CHECK int tlsm_config_set_require_cookie(tlsm_config *cfg, int on);
/* Maximum application bytes per record we are willing to receive (64..16384, default
 * 16384). It is advertised with record_size_limit (RFC 8449); in TLS 1.3 the advertised
 * value is this plus one, because there it also counts the inner content type byte. */
TLSM_MUST_CHECK int tlsm_config_set_record_size_limit(tlsm_config *cfg, uint16_t limit);

/* Deterministic hooks: replace the random source and the clock (tests, replays). */
TLSM_MUST_CHECK int tlsm_config_set_rng(tlsm_config *cfg, tlsm_rng_fn fn, void *ctx);
TLSM_MUST_CHECK int tlsm_config_set_clock(tlsm_config *cfg, tlsm_clock_fn fn, void *ctx);

/* Report every handshake message sent and received as TLSM_EV_MESSAGE_SENT/RECEIVED events
 * (for ladders and debugging). Default off. */
TLSM_MUST_CHECK int tlsm_config_set_trace(tlsm_config *cfg, int on);
/* DEBUGGING AID - exposes the connection's secrets: emit TLSM_EV_KEYLOG for every secret
 * as it is derived, so a host can write an NSS key log (SSLKEYLOGFILE) that lets Wireshark
 * decrypt the traffic. Default off; never enable it in production. */
TLSM_MUST_CHECK int tlsm_config_set_keylog(tlsm_config *cfg, int on);

/* The same two switches for one connection, overriding its config (e.g. to debug one
 * connection of a busy server). Call them before the handshake starts; the key log covers
 * the secrets derived after the call. TLSM_ERR_ARG for NULL. */
TLSM_MUST_CHECK int tlsm_conn_set_trace(tlsm_conn *conn, int on);
TLSM_MUST_CHECK int tlsm_conn_set_keylog(tlsm_conn *conn, int on);

/* External signing: instead of signing with a key held in the config, the connection emits
 * TLSM_EV_SIGN and waits for tlsm_sign_done(). Use with tlsm_config_add_identity_*_external. */
TLSM_MUST_CHECK int tlsm_config_add_identity_external(tlsm_config *cfg, const uint8_t *chain_pem,
                                                      size_t chain_len);

/* ---------------------------------------------------------------- certificate facts */

/* What tools print about a certificate. Names are one line, most significant RDN first
 * ("C=US, O=Example, CN=example.com"), non-printable bytes escaped as \XX; a name longer
 * than the field is cut (still NUL-terminated). */
typedef struct {
    char subject[512];
    char issuer[512];
    int64_t not_before, not_after; /* seconds since the epoch */
    uint8_t serial[20];
    uint32_t serial_len;
    int32_t is_ca;                  /* basicConstraints cA */
} tlsm_cert_facts;

/* Parses one DER certificate (strictly, as the handshake does) and fills *facts. Returns 0
 * or a TLSM_ERR_CERT_* code; a certificate refused on policy grounds (e.g. an unknown
 * critical extension) still gets its names and validity filled in, so tools can name it. */
TLSM_MUST_CHECK int tlsm_cert_info(const uint8_t *der, size_t len, tlsm_cert_facts *facts);

/* ---------------------------------------------------------------- connection */

/* Creates a connection. `server_name` (client only) is sent as SNI and checked against the
 * server certificate; an IP literal is checked against IP SANs and not sent. A client that
 * verifies the server needs it: without one the handshake fails with
 * TLSM_ERR_NO_SERVER_NAME, unless verification is TLSM_VERIFY_INSECURE_NO_VERIFICATION or
 * external (the host then checks the name itself). Freezes cfg. Returns NULL on
 * allocation failure or invalid arguments. */
TLSM_MUST_CHECK tlsm_conn *tlsm_conn_new(tlsm_config *cfg, const char *server_name);
/* Frees the connection, wiping every secret. NULL is a no-op. */
void tlsm_conn_free(tlsm_conn *conn);

/* Client: starts the handshake now (queues the ClientHello). Implied by the first
 * tlsm_status / tlsm_output_peek; returns the sticky error if any. */
TLSM_MUST_CHECK int tlsm_conn_start(tlsm_conn *conn);

/* Memory. An established connection holds only what it negotiated: its record keys
 * (about 4.4 KB per direction for AES-GCM, which keeps the expanded key and GHASH table;
 * the 32-byte key for ChaCha20-Poly1305), the peer's certificates (client), its session
 * and ticket (client), the server name, and about 1 KB of state: some 11 KB per side idle
 * with AES-GCM, 2.5 KB with ChaCha20-Poly1305. The handshake state is freed when the
 * handshake ends; the event queue exists while it holds events; the record buffers are
 * allocated when bytes must go in and released by the call that leaves them empty. One
 * exception avoids an allocation per record while data flows: a buffer that carried
 * application records of at most 4 KiB stays for the next one (a connection streaming
 * small records reuses it; one left idle after them keeps at most two such buffers). */

/* Ciphertext in. Copies up to len bytes, sets *consumed, and processes every complete
 * record. The bytes are taken record by record into an input buffer sized to the record
 * being received (at most one record of 16 KiB + 2 KiB and its header), released again
 * when the call leaves it empty. Fewer bytes are consumed when the engine must be drained
 * first: plaintext unread (a call takes at most the records up to the first that carries
 * application data, plus what fits in the buffer's free room), output pending beyond its
 * bound (128 KiB), or events not taken (drain tlsm_next_event after every call); offer the
 * rest again after draining. */
TLSM_MUST_CHECK int tlsm_feed(tlsm_conn *conn, const uint8_t *in, size_t len, size_t *consumed);
/* Zero-copy input: a pointer to free space in the input buffer and its size; write ciphertext
 * there and call tlsm_input_ack(n). The space is initialized memory (safe to expose as a
 * mutable byte slice). It is allocated by this call: while no record header is buffered
 * it offers at least 1 KiB, once a header is in, at least the rest of that record (up to
 * 16 KiB + 2 KiB and its header), plus any free room the buffer already has. A buffer
 * still empty at the end of a later tlsm_feed, tlsm_input_ack, tlsm_read_consume or
 * tlsm_output_consume is released (the pointer is invalid after any call that changes the
 * connection): a host waiting on a socket with the buffer lent holds 1 KiB, one that reads
 * into its own buffer and calls tlsm_feed holds none. Returns
 * NULL (cap 0) when the buffer is full, and on allocation failure (the connection then
 * fails with TLSM_ERR_NOMEM). */
uint8_t *tlsm_input_buf(tlsm_conn *conn, size_t *cap);
TLSM_MUST_CHECK int tlsm_input_ack(tlsm_conn *conn, size_t n);
/* The transport reached end of stream. Without a prior close_notify this is truncation
 * (TLSM_ERR_TRUNCATED). */
TLSM_MUST_CHECK int tlsm_feed_eof(tlsm_conn *conn);

/* Ciphertext out: borrow what is pending (NULL and *len 0 if nothing) ... */
const uint8_t *tlsm_output_peek(tlsm_conn *conn, size_t *len);
/* ... and drop the first n bytes once the transport took them. */
TLSM_MUST_CHECK int tlsm_output_consume(tlsm_conn *conn, size_t n);

/* Plaintext out: queue application data. Accepts what fits (*accepted): records are sealed
 * into the output while it holds less than two maximal records (33,290 bytes); the rest
 * must be offered again once tlsm_status has TLSM_STATUS_CAN_WRITE. Only after the
 * handshake. */
TLSM_MUST_CHECK int tlsm_write(tlsm_conn *conn, const uint8_t *p, size_t len, size_t *accepted);
/* Plaintext in: borrow the received application data available now ... */
const uint8_t *tlsm_read_peek(tlsm_conn *conn, size_t *len);
/* ... and mark n bytes of it as read. */
TLSM_MUST_CHECK int tlsm_read_consume(tlsm_conn *conn, size_t n);

/* Level-triggered status bits. */
#define TLSM_STATUS_WANT_INPUT    0x01u /* the engine needs more ciphertext */
#define TLSM_STATUS_HAS_OUTPUT    0x02u /* ciphertext is waiting for the transport */
#define TLSM_STATUS_CAN_WRITE     0x04u /* handshake done and room to accept plaintext */
#define TLSM_STATUS_HAS_PLAINTEXT 0x08u /* application data is waiting to be read */
#define TLSM_STATUS_BLOCKED       0x10u /* waiting for tlsm_verify_done / tlsm_sign_done */
#define TLSM_STATUS_CLOSED        0x20u /* no more plaintext will come (close or error) */
#define TLSM_STATUS_HANDSHAKING   0x40u /* the handshake has not finished */
#define TLSM_STATUS_ERROR         0x80u /* a fatal error happened: see tlsm_conn_error */
unsigned tlsm_status(tlsm_conn *conn);

/* One-shot events. */
typedef enum {
    TLSM_EV_NONE = 0,
    TLSM_EV_HANDSHAKE_DONE = 1,   /* keys are ready, tlsm_write allowed */
    TLSM_EV_PEER_CLOSED = 2,      /* close_notify received */
    TLSM_EV_ALERT = 3,            /* an alert was received (.alert, .fatal) */
    TLSM_EV_NEW_TICKET = 4,       /* client: a resumable session is available (tlsm_conn_get_session);
                                     in TLS 1.2 it comes just before HANDSHAKE_DONE */
    TLSM_EV_KEY_UPDATED = 5,      /* .fatal = 0; .alert = 1 if the peer updated its sending keys,
                                     0 if we updated ours */
    TLSM_EV_MESSAGE_SENT = 6,     /* trace: handshake message .msg_type sent (or CCS: 20 in .msg_type with .ccs) */
    TLSM_EV_MESSAGE_RECEIVED = 7, /* trace: handshake message .msg_type received */
    TLSM_EV_SIGN = 8,             /* external signing requested: see tlsm_sign_request */
    TLSM_EV_ERROR = 9,            /* the connection failed: .code */
    TLSM_EV_VERIFY_PEER = 10,     /* external verification requested: see tlsm_verify_done */
    TLSM_EV_KEYLOG = 11           /* a secret for the key log: see tlsm_keylog_line */
} tlsm_event_type;

typedef struct {
    tlsm_event_type type;
    int code;          /* TLSM_EV_ERROR: the error code */
    uint8_t alert;     /* TLSM_EV_ALERT: description */
    uint8_t fatal;     /* TLSM_EV_ALERT: 1 if fatal */
    uint8_t msg_type;  /* MESSAGE_*: handshake type (1 client_hello ... 24 key_update) */
    uint8_t ccs;       /* MESSAGE_*: 1 when the message is a ChangeCipherSpec */
    uint8_t hrr;       /* MESSAGE_*: 1 when the ServerHello is a HelloRetryRequest */
} tlsm_event;

/* Pops the next event into *ev. Returns 1 if an event was stored, 0 when there is none.
 * Any call that processes input (tlsm_feed, tlsm_input_ack, tlsm_read_consume,
 * tlsm_sign_done, tlsm_verify_done) can queue events: drain them after each. */
int tlsm_next_event(tlsm_conn *conn, tlsm_event *ev);
/* After popping a TLSM_EV_KEYLOG event: its NSS key log line, e.g.
 * "CLIENT_HANDSHAKE_TRAFFIC_SECRET <client_random> <secret>" (hex, no newline), valid until
 * the next call that changes the connection; NULL if the last event was not a key log one. */
const char *tlsm_keylog_line(const tlsm_conn *conn);
/* A static name for an event type or a handshake message type ("ClientHello", ...). */
const char *tlsm_event_name(tlsm_event_type type);
const char *tlsm_message_name(uint8_t msg_type);

/* External signing (TLSM_EV_SIGN): the scheme and the exact bytes to sign (borrowed). */
TLSM_MUST_CHECK int tlsm_sign_request(tlsm_conn *conn, uint16_t *scheme, const uint8_t **msg,
                                      size_t *len);
/* Supplies the signature; the handshake continues. */
TLSM_MUST_CHECK int tlsm_sign_done(tlsm_conn *conn, const uint8_t *sig, size_t len);

/* Answers TLSM_EV_VERIFY_PEER: ok = 1 accepts the peer's chain and the handshake goes on;
 * ok = 0 rejects it with `alert` (0 means bad_certificate), which is sent to the peer and
 * becomes the sticky error; tlsm_conn_verify_error() then reports TLSM_ERR_CERT_REJECTED. */
TLSM_MUST_CHECK int tlsm_verify_done(tlsm_conn *conn, int ok, uint8_t alert);

/* Sends close_notify; further writes fail with TLSM_ERR_CLOSED. */
TLSM_MUST_CHECK int tlsm_close(tlsm_conn *conn);
/* Ends the connection with a fatal alert the host chooses (e.g. TLSM_ALERT_ACCESS_DENIED when
 * an application policy refuses the peer): the alert is queued (take it with
 * tlsm_output_peek), nothing more is read or written, and the error is sticky (reason
 * HOST_ABORT; tlsm_conn_error gives TLSM_ERR_LOCAL_ALERT(alert), or the reason's code for
 * internal_error). TLSM_ERR_ARG for close_notify: tlsm_close sends that. Returns the
 * sticky error. */
int tlsm_conn_abort(tlsm_conn *conn, uint8_t alert);
/* Updates our sending keys (RFC 8446 s.4.6.3); ask_peer = 1 requests the peer to do the same. */
TLSM_MUST_CHECK int tlsm_key_update(tlsm_conn *conn, int ask_peer);
/* RFC 8446 s.7.5 exporter: out_len bytes for label and context. In TLS 1.3 a NULL
 * context (context_len 0) and an empty one give the same value, as the RFC defines. */
TLSM_MUST_CHECK int tlsm_export_keying_material(tlsm_conn *conn, const char *label,
                                                size_t label_len, const uint8_t *context,
                                                size_t context_len, uint8_t *out, size_t out_len);

/* ---------------------------------------------------------------- facts */

int tlsm_conn_error(const tlsm_conn *conn);           /* sticky error, 0 if none */
/* Why the connection failed, in more words than its error code: which check fired. Every
 * failure has a reason of its own, so two failures that send the same alert (say two
 * different decode_errors) can be told apart by a host, a log or a test. */
typedef struct {
    int code;           /* tlsm_conn_error() */
    const char *reason; /* the check, e.g. "SH_SESSION_ID_MISMATCH"; "" while no error.
                           Names are stable identifiers */
    const char *text;   /* one line, e.g. "the ServerHello does not echo our session id" */
    const char *file;   /* debug builds: where it was detected, else NULL. reason, text and
                           file are static strings, valid for the life of the program */
    int line;
    int alert_sent;     /* the fatal alert this side queued for the peer because of it (also
                           for errors that are not alert codes: internal_error for
                           TLSM_ERR_NOMEM), -1 if none (a peer's alert, a cut stream) */
} tlsm_error_detail;
/* Fills *detail (0), or TLSM_ERR_ARG. */
TLSM_MUST_CHECK int tlsm_conn_error_detail(const tlsm_conn *conn, tlsm_error_detail *detail);
int tlsm_conn_verify_error(const tlsm_conn *conn);    /* TLSM_ERR_CERT_* of a failed verification, or 0 */
int tlsm_conn_handshake_done(const tlsm_conn *conn);  /* 1 once the handshake finished */
uint16_t tlsm_conn_version(const tlsm_conn *conn);    /* negotiated version, 0 before */
uint16_t tlsm_conn_suite(const tlsm_conn *conn);      /* negotiated suite, 0 before */
uint16_t tlsm_conn_group(const tlsm_conn *conn);      /* key-exchange group, 0 if none (psk_ke) */
uint16_t tlsm_conn_peer_sigalg(const tlsm_conn *conn);/* scheme the peer signed with, 0 if none */
/* On a resumed connection the peer facts (signature scheme, certificates, and in TLS 1.2
 * the group) are those of the handshake that authenticated the session: a client keeps
 * the server's whole chain in its session, a server keeps the client's leaf only (in the
 * ticket or cache entry, which grows by the leaf's size). */
int tlsm_conn_resumed(const tlsm_conn *conn);         /* 1 if the handshake used a PSK */
int tlsm_conn_hrr(const tlsm_conn *conn);             /* 1 if a HelloRetryRequest happened */
/* Negotiated ALPN protocol (borrowed, not NUL-terminated), NULL if none. */
const uint8_t *tlsm_conn_alpn(const tlsm_conn *conn, size_t *len);
/* Server: SNI host name the client sent (NUL-terminated), NULL if none. */
const char *tlsm_conn_server_name(const tlsm_conn *conn);
/* Which of our identities this handshake sent: its index in the order they were added to
 * the config (tlsm_config_add_identity_*), from 0; -1 when we sent none (no certificate
 * requested, an empty client Certificate, a resumption). */
int tlsm_conn_identity(const tlsm_conn *conn);
/* TLS 1.2: the session's id (borrowed), NULL if it has none - a server gives one only when
 * it keeps the session in its cache, not when it issues a ticket instead; TLS 1.3 has no
 * session ids (legacy_session_id is only middlebox compatibility). */
const uint8_t *tlsm_conn_session_id(const tlsm_conn *conn, size_t *len);
/* Client: the OCSP response the server stapled for its leaf (borrowed), NULL if none. */
const uint8_t *tlsm_conn_ocsp_response(const tlsm_conn *conn, size_t *len);
/* Peer certificate chain as DER, index 0 = leaf; NULL past the end. */
size_t tlsm_conn_peer_cert_count(const tlsm_conn *conn);
const uint8_t *tlsm_conn_peer_cert(const tlsm_conn *conn, size_t index, size_t *len);

/* Client sessions for resumption: serialize the latest ticket (after TLSM_EV_NEW_TICKET),
 * and offer it on a new connection before its first output. The blob holds a secret:
 * keep it like a key; it also holds the server's certificate chain, so it is a few KB.
 * With buf == NULL, *len receives the needed size. tlsm_conn_set_session refuses a blob
 * that is malformed or from another tlsm version with TLSM_ERR_ARG: connect without it. */
TLSM_MUST_CHECK int tlsm_conn_get_session(const tlsm_conn *conn, uint8_t *buf, size_t cap,
                                          size_t *len);
TLSM_MUST_CHECK int tlsm_conn_set_session(tlsm_conn *conn, const uint8_t *blob, size_t len);

/* ---------------------------------------------------------------- in-memory testing kit */

/*
 * A client and a server wired together in memory, with scripted faults between them, a
 * trace of every record and message, and the files Wireshark needs (pcap + key log). The
 * kit is a host like any other: it only uses the functions above, never a socket, a file
 * or the clock; the caller writes the buffers it returns wherever it likes.
 *
 *     tlsm_pair *p = tlsm_pair_new(client_cfg, server_cfg, "example.test");
 *     int rc = tlsm_pair_add_fault(p, "corrupt:-1@s2c:msg=Finished");  // optional
 *     rc = tlsm_pair_run(p);                  // handshake (or the fault's alert)
 *     rc = tlsm_pair_write(p, TLSM_PAIR_CLIENT, (const uint8_t *)"ping", 4);
 *     tlsm_pair_report r; tlsm_pair_get_report(p, TLSM_PAIR_SERVER, &r);
 *     size_t n; rc = tlsm_pair_trace(p, TLSM_TRACE_LADDER, NULL, 0, &n);  // then a buffer
 *     tlsm_pair_free(p);
 *
 * Steps. Whatever a side outputs is captured right after the call that produced it. One
 * step moves everything one side has captured (sides alternate; a side with nothing to
 * send is skipped) through the faults and feeds it to the other side one record per
 * tlsm_feed, draining events and plaintext after each. Steps are numbered from 1; records
 * carry the step that moved them. A pair is idle when no output is waiting and nothing is
 * in transit.
 *
 * Faults. A spec is  KIND[:ARG]@DIR[:SELECTOR]  and applies once, to the first record of
 * direction DIR (c2s: client to server, s2c: server to client) that the selector matches:
 *   rec=K      the K-th record of that direction (from 0, every record counts, CCS too);
 *   msg=NAME   the first record carrying handshake message NAME ("ClientHello", "Certificate",
 *              "Finished", ... as tlsm_message_name spells them) or the pseudo types
 *              "ChangeCipherSpec", "ApplicationData", "Alert";
 *   all        every record of that direction (the fault applies again and again);
 *   (none)     rec=0.
 * Protected records are matched by the messages their sender reported while writing them.
 * KIND is one of
 *   drop             the record never arrives (a stream then misses bytes: the receiver
 *                    sees the next record instead, or waits);
 *   dup              it arrives twice;
 *   corrupt[:OFF]    one byte is XORed with a non-zero mask drawn from the seed; OFF counts
 *                    from the start of the record (header included), negative from its end;
 *                    without OFF the byte is drawn from the seed among the content bytes;
 *   truncate:N       the content is cut to N bytes and the header length fixed;
 *   split:N          the content is re-framed into records of at most N bytes each (fine for
 *                    plaintext handshake records; breaks protected ones);
 *   fragment[:N]     the record reaches the receiver N bytes per tlsm_feed (default 1);
 *   delay:N          the record, and everything after it in that direction, arrives N steps
 *                    later (stream order is kept);
 *   reorder          the record arrives after the next record of that direction;
 *   replace:HEX      the record (header included) is replaced by these bytes;
 *   inject:HEX       these bytes arrive just before the record.
 * The randomness of corrupt comes from tlsm_pair_seed: the same seed and faults replay the
 * same run byte for byte (with deterministic configs: tlsm_config_set_rng / _set_clock).
 *
 * Configs. The pair's own connections get traces and the key log (tlsm_conn_set_trace,
 * tlsm_conn_set_keylog); the configs are not changed, so later connections on them are not
 * traced or key-logged unless the configs say so.
 */
typedef struct tlsm_pair tlsm_pair;

#define TLSM_PAIR_CLIENT 0 /* side indexes */
#define TLSM_PAIR_SERVER 1
#define TLSM_PAIR_C2S 0    /* directions: the index of the sending side */
#define TLSM_PAIR_S2C 1
/* tlsm_pair_run gives up after this many steps (a livelock, not a slow case). */
#define TLSM_PAIR_MAX_STEPS 10000u

/* Creates the two connections: the client (with server_name, as tlsm_conn_new) and the
 * server. The pair holds a reference to each config. Nothing is sent before the first step,
 * so the caller may still prepare the connections (tlsm_conn_set_session on the client).
 * Returns NULL on allocation failure or when tlsm_conn_new refuses a config. */
TLSM_MUST_CHECK tlsm_pair *tlsm_pair_new(tlsm_config *client, tlsm_config *server,
                                         const char *server_name);
/* Frees the pair, its connections and everything it recorded. NULL is a no-op. */
void tlsm_pair_free(tlsm_pair *p);
/* The connections (borrowed, valid until tlsm_pair_free). Calls made on them directly are
 * seen at the next step; use tlsm_pair_write / _close so that their records are labelled. */
tlsm_conn *tlsm_pair_client(tlsm_pair *p);
tlsm_conn *tlsm_pair_server(tlsm_pair *p);
/* Seeds the fault randomness (default seed 0). */
void tlsm_pair_seed(tlsm_pair *p, uint64_t seed);
/* Adds a fault (grammar above). TLSM_ERR_ARG for a spec that does not parse. */
TLSM_MUST_CHECK int tlsm_pair_add_fault(tlsm_pair *p, const char *spec);

/* Moves one flight. Returns 1 if something moved (or delayed bytes came closer), 0 when the
 * pair is idle, TLSM_ERR_NOMEM if the kit ran out of memory. Connection errors are not
 * returned here: see tlsm_pair_get_report. */
TLSM_MUST_CHECK int tlsm_pair_step(tlsm_pair *p);
/* Steps until the pair is idle (a reorder fault still holding a record releases it then).
 * Returns 0 when neither connection failed, else the first error a connection ended with
 * (in time), TLSM_ERR_STATE if the pair was not idle after TLSM_PAIR_MAX_STEPS steps,
 * TLSM_ERR_NOMEM. An unfinished handshake with no error (a dropped last record) returns 0:
 * check the report, or end the stream with tlsm_pair_eof. */
TLSM_MUST_CHECK int tlsm_pair_run(tlsm_pair *p);
/* Writes all of data as application data from `side` and runs. Returns tlsm_write's error
 * (TLSM_ERR_STATE before the handshake), else what tlsm_pair_run returns. */
TLSM_MUST_CHECK int tlsm_pair_write(tlsm_pair *p, int side, const uint8_t *data, size_t len);
/* Application data `side` received: copies up to cap bytes and removes them. With
 * buf == NULL, *len gets how many bytes are waiting and nothing is removed. */
TLSM_MUST_CHECK int tlsm_pair_read(tlsm_pair *p, int side, uint8_t *buf, size_t cap, size_t *len);
/* `side` sends close_notify (tlsm_close) and the pair runs. Returns as tlsm_pair_run. */
TLSM_MUST_CHECK int tlsm_pair_close(tlsm_pair *p, int side);
/* The transport of direction `dir` ends: what is in transit arrives (delays ignored), then
 * the receiver gets tlsm_feed_eof. Returns the receiver's result (TLSM_ERR_TRUNCATED
 * without a close_notify). */
TLSM_MUST_CHECK int tlsm_pair_eof(tlsm_pair *p, int dir);

/* How one side ended. */
typedef struct {
    int error;           /* sticky error (tlsm_conn_error), 0 if none */
    int alert_sent;      /* fatal alert this side sent (seen on the wire, or, protected, the
                            one tlsm_conn_error_detail names), -1 if none */
    int alert_received;  /* fatal alert the peer sent and this side read, -1 if none */
    int handshake_done;  /* tlsm_conn_handshake_done */
    int peer_closed;     /* close_notify received */
    uint16_t version;    /* facts, 0 before the handshake finished: tlsm_conn_version ... */
    uint16_t suite;
    uint16_t group;
    int resumed;
    int hrr;
    uint64_t app_bytes_received; /* application data read so far */
    const char *reason;  /* why the side failed (tlsm_conn_error_detail), "" if it did not */
} tlsm_pair_report;
TLSM_MUST_CHECK int tlsm_pair_get_report(const tlsm_pair *p, int side, tlsm_pair_report *r);
/* The index-th event (from 0) the kit popped from `side`: 1 if stored in *ev, 0 past the end. */
int tlsm_pair_event(const tlsm_pair *p, int side, size_t index, tlsm_event *ev);

/* Trace of every record (both directions, in the order sent): step, direction, content
 * type, length, key epoch ("plaintext", "handshake", "application N"; TLS 1.2 has one set of
 * keys after ChangeCipherSpec, shown as application 0), the messages it carries (decoded
 * versions, suites and extensions for the hellos), what a fault did to it, and how each
 * side ended. Formats: */
#define TLSM_TRACE_LADDER  0 /* a ladder diagram for the terminal (plain ASCII) */
#define TLSM_TRACE_MERMAID 1 /* Mermaid "sequenceDiagram" text */
#define TLSM_TRACE_JSON    2 /* one JSON object: {"records": [...], "client": {...}, "server": {...}} */
/* Text, not NUL-terminated, length in *len. With buf == NULL, *len gets the size needed;
 * TLSM_ERR_BUFFER (and the size in *len) when cap is too small; TLSM_ERR_ARG for an unknown
 * format. */
TLSM_MUST_CHECK int tlsm_pair_trace(tlsm_pair *p, int format, char *buf, size_t cap, size_t *len);
/* A classic libpcap file (LINKTYPE_ETHERNET) of the conversation over synthetic IPv4 + TCP
 * (client 10.0.0.1:49152, server 10.0.0.2:443; nothing is ever contacted): the three-way
 * handshake, then every byte each side sent, in order, before any fault changed it; steps
 * are milliseconds apart. Same size convention as tlsm_pair_trace. */
TLSM_MUST_CHECK int tlsm_pair_pcap(tlsm_pair *p, uint8_t *buf, size_t cap, size_t *len);
/* The NSS key log (SSLKEYLOGFILE text, one line per secret, each ending in "\n") of the
 * pair's handshakes, for Wireshark's tls.keylog_file. Same size convention. */
TLSM_MUST_CHECK int tlsm_pair_keylog(tlsm_pair *p, char *buf, size_t cap, size_t *len);

#if defined(__GNUC__) && !defined(SWIG)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif
#endif /* TLSM_H */
