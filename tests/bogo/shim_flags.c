/*
 * shim_flags.c - the shim's command line. One table lists every flag the shim acts on
 * (where its value goes in shim_opts), the flags it accepts because tlsm already behaves
 * as asked, and the flags it knows but cannot honour, each with the reason. A flag in none
 * of these lists, or in the last one, ends the test as unimplemented (exit 89), as the
 * runner's PORTING.md asks. The runner's flags and their types are listed in BoringSSL's
 * ssl/test/test_config.cc.
 *
 * Prefixes: -on-initial-X, -on-resume-X and -on-retry-X give X to one connection only;
 * without a prefix a flag applies to all of them. -on-shim-X applies X and -on-handshaker-X
 * is ignored (the shim has no split handshaker).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

typedef enum {
    F_BOOL,        /* sets an int to 1 */
    F_INT,         /* a decimal int */
    F_STR,         /* a string (argv is kept, so it is borrowed) */
    F_CODES,       /* a 16-bit code appended to a shim_codes list */
    F_CREDENTIAL,  /* no value: -new-x509-credential, a credential added to the list */
    F_CRED_FILE,   /* a value of the newest credential (off: in shim_credential) */
    F_CRED_CODES,  /* a 16-bit code appended to a list of the newest credential */
    F_CRED_BOOL,   /* no value: sets an int of the newest credential to 1 */
    F_ACCEPT,      /* no value: tlsm already does what the flag asks (see why) */
    F_NO,          /* no value: not implemented (why) */
    F_NO_PARAM     /* with a value: not implemented (why) */
} flag_kind;

typedef struct {
    const char *name;
    flag_kind kind;
    size_t off;          /* offset of the field in shim_opts (F_BOOL/F_INT/F_STR/F_CODES) */
    int shapes_config;   /* the value goes into the tlsm_config (not only the connection) */
    const char *why;     /* F_ACCEPT / F_NO / F_NO_PARAM */
} flag_def;

#define OPT(field) offsetof(shim_opts, field)
#define CFG 1
#define CONN 0

/* Reasons shared by several flags. */
#define NO_EARLY "0-RTT / early data is not implemented (DESIGN.md: later, off by default)"
#define NO_NPN "NPN is not implemented (superseded by ALPN)"
#define NO_ALPS "ALPS (application settings) is not implemented"
#define NO_CHANNEL_ID "Channel ID is not implemented"
#define NO_OCSP "tlsm staples a configured OCSP response: it has no per-connection OCSP callback"
#define NO_SCT "signed certificate timestamps are not implemented"
#define NO_CREDS "tlsm has no API to tell which of several credentials was used"
#define NO_PSK "external PSKs are not implemented"
#define NO_PAKE "PAKE credentials are not implemented"
#define NO_RPK "raw public keys (RFC 7250) are not implemented"
#define NO_RENEGO "renegotiation is refused by design"
#define NO_QUIC "QUIC is not implemented"
#define NO_DTLS "DTLS is not implemented"
#define NO_ECH "ECH is not implemented"
#define NO_CALLBACK "a BoringSSL callback API with no tlsm counterpart"
#define NO_TRUST_ANCHORS "trust anchor identifiers are not implemented"
#define NO_COMPRESS "certificate compression is not implemented"
#define NO_POLICY "BoringSSL compliance policies have no tlsm counterpart"

static const flag_def flags[] = {
    /* transport and role */
    {"-port", F_INT, OPT(port), CONN, NULL},
    {"-shim-id", F_STR, OPT(shim_id), CONN, NULL},
    {"-ipv6", F_BOOL, OPT(ipv6), CONN, NULL},
    {"-server", F_BOOL, OPT(is_server), CFG, NULL},
    {"-resume-count", F_INT, OPT(resume_count), CONN, NULL},
    {"-async", F_BOOL, OPT(async), CONN, NULL},
    {"-implicit-handshake", F_BOOL, OPT(implicit_handshake), CONN, NULL},
    /* versions */
    {"-min-version", F_INT, OPT(min_version), CFG, NULL},
    {"-max-version", F_INT, OPT(max_version), CFG, NULL},
    {"-no-tls13", F_BOOL, OPT(no_tls13), CFG, NULL},
    {"-no-tls12", F_BOOL, OPT(no_tls12), CFG, NULL},
    {"-no-tls11", F_ACCEPT, 0, CONN, "TLS 1.1 is never enabled"},
    {"-no-tls1", F_ACCEPT, 0, CONN, "TLS 1.0 is never enabled"},
    /* credentials, trust, verification */
    {"-new-x509-credential", F_CREDENTIAL, 0, CFG, NULL},
    {"-cert-file", F_CRED_FILE, offsetof(shim_credential, cert_file), CFG, NULL},
    {"-key-file", F_CRED_FILE, offsetof(shim_credential, key_file), CFG, NULL},
    /* The peer's root: the shim's verification hook decides, as in the reference shim, so
     * it only tells the peer's key type (shim_config.c). */
    {"-trust-cert", F_STR, OPT(trust_cert), CFG, NULL},
    {"-verify-peer", F_BOOL, OPT(verify_peer), CFG, NULL},
    {"-require-any-client-certificate", F_BOOL, OPT(require_any_client_certificate), CFG, NULL},
    {"-verify-fail", F_BOOL, OPT(verify_fail), CONN, NULL},
    {"-use-custom-verify-callback", F_BOOL, OPT(use_custom_verify_callback), CONN, NULL},
    {"-expect-verify-result", F_BOOL, OPT(expect_verify_result), CONN, NULL},
    /* algorithms */
    {"-curves", F_CODES, OPT(curves), CFG, NULL},
    {"-key-shares", F_CODES, OPT(key_shares), CFG, NULL},
    {"-signing-prefs", F_CRED_CODES, offsetof(shim_credential, signing_prefs), CFG, NULL},
    {"-verify-prefs", F_CODES, OPT(verify_prefs), CFG, NULL},
    {"-cipher", F_STR, OPT(cipher), CFG, NULL},
    /* ALPN, SNI */
    {"-advertise-alpn", F_STR, OPT(advertise_alpn), CFG, NULL},
    {"-select-alpn", F_STR, OPT(select_alpn), CFG, NULL},
    {"-decline-alpn", F_BOOL, OPT(decline_alpn), CFG, NULL},
    {"-expect-alpn", F_STR, OPT(expect_alpn), CONN, NULL},
    {"-host-name", F_STR, OPT(host_name), CONN, NULL},
    {"-expect-server-name", F_STR, OPT(expect_server_name), CONN, NULL},
    /* sessions */
    {"-no-ticket", F_BOOL, OPT(no_ticket), CFG, NULL},
    {"-resumption-delay", F_INT, OPT(resumption_delay), CONN, NULL},
    {"-expect-session-miss", F_BOOL, OPT(expect_session_miss), CONN, NULL},
    {"-expect-no-session", F_BOOL, OPT(expect_no_session), CONN, NULL},
    {"-expect-ticket-renewal", F_BOOL, OPT(expect_ticket_renewal), CONN, NULL},
    /* the data exchange */
    {"-shim-writes-first", F_BOOL, OPT(shim_writes_first), CONN, NULL},
    {"-shim-initial-write", F_STR, OPT(shim_initial_write), CONN, NULL},
    {"-repeat-shim-initial-write", F_INT, OPT(repeat_shim_initial_write), CONN, NULL},
    {"-shim-shuts-down", F_BOOL, OPT(shim_shuts_down), CONN, NULL},
    {"-check-close-notify", F_BOOL, OPT(check_close_notify), CONN, NULL},
    {"-key-update", F_BOOL, OPT(key_update), CONN, NULL},
    {"-key-update-before-read", F_BOOL, OPT(key_update_before_read), CONN, NULL},
    {"-read-size", F_INT, OPT(read_size), CONN, NULL},
    {"-write-different-record-sizes", F_BOOL, OPT(write_different_record_sizes), CONN, NULL},
    {"-export-keying-material", F_INT, OPT(export_keying_material), CONN, NULL},
    {"-export-label", F_STR, OPT(export_label), CONN, NULL},
    {"-export-context", F_STR, OPT(export_context), CONN, NULL},
    {"-use-export-context", F_BOOL, OPT(use_export_context), CONN, NULL},
    {"-partial-write", F_ACCEPT, 0, CONN, "tlsm_write always reports partial writes"},
    {"-peek-then-read", F_ACCEPT, 0, CONN,
     "tlsm_read_peek then tlsm_read_consume is how the shim always reads"},
    {"-use-old-client-cert-callback", F_ACCEPT, 0, CONN,
     "a client certificate given by a callback is one configured before the handshake"},
    /* expectations */
    {"-expect-version", F_INT, OPT(expect_version), CONN, NULL},
    {"-expect-curve-id", F_INT, OPT(expect_curve_id), CONN, NULL},
    {"-expect-cipher", F_INT, OPT(expect_cipher), CONN, NULL},
    {"-expect-peer-signature-algorithm", F_INT, OPT(expect_peer_signature_algorithm), CONN, NULL},
    {"-expect-hrr", F_BOOL, OPT(expect_hrr), CONN, NULL},
    {"-expect-no-hrr", F_BOOL, OPT(expect_no_hrr), CONN, NULL},
    {"-expect-peer-cert-file", F_STR, OPT(expect_peer_cert_file), CONN, NULL},
    {"-expect-no-peer-cert", F_BOOL, OPT(expect_no_peer_cert), CONN, NULL},
    /* Checked by making EMS required for that connection (shim_config.c). */
    {"-expect-extended-master-secret", F_BOOL, OPT(expect_extended_master_secret), CFG, NULL},

    /* Known flags tlsm cannot honour. */
    {"-enable-early-data", F_NO, 0, CONN, NO_EARLY},
    {"-expect-ticket-supports-early-data", F_NO, 0, CONN, NO_EARLY},
    {"-expect-accept-early-data", F_NO, 0, CONN, NO_EARLY},
    {"-expect-reject-early-data", F_NO, 0, CONN, NO_EARLY},
    {"-expect-no-offer-early-data", F_NO, 0, CONN, NO_EARLY},
    {"-expect-early-data-reason", F_NO_PARAM, 0, CONN, NO_EARLY},
    {"-early-write-after-message", F_NO_PARAM, 0, CONN, NO_EARLY},
    {"-quic-early-data-context", F_NO_PARAM, 0, CONN, NO_QUIC},
    {"-advertise-npn", F_NO_PARAM, 0, CONN, NO_NPN},
    {"-advertise-empty-npn", F_NO, 0, CONN, NO_NPN},
    {"-select-next-proto", F_NO_PARAM, 0, CONN, NO_NPN},
    {"-select-empty-next-proto", F_NO, 0, CONN, NO_NPN},
    {"-expect-next-proto", F_NO_PARAM, 0, CONN, NO_NPN},
    {"-expect-no-next-proto", F_NO, 0, CONN, NO_NPN},
    {"-false-start", F_NO, 0, CONN, "False Start is not implemented"},
    {"-allow-false-start-without-alpn", F_NO, 0, CONN, "False Start is not implemented"},
    {"-application-settings", F_NO_PARAM, 0, CONN, NO_ALPS},
    {"-expect-peer-application-settings", F_NO_PARAM, 0, CONN, NO_ALPS},
    {"-alps-use-new-codepoint", F_NO_PARAM, 0, CONN, NO_ALPS},
    {"-defer-alps", F_NO, 0, CONN, NO_ALPS},
    {"-enable-channel-id", F_NO, 0, CONN, NO_CHANNEL_ID},
    {"-send-channel-id", F_NO_PARAM, 0, CONN, NO_CHANNEL_ID},
    {"-expect-channel-id", F_NO_PARAM, 0, CONN, NO_CHANNEL_ID},
    {"-enable-ocsp-stapling", F_BOOL, OPT(enable_ocsp_stapling), CONN, NULL},
    {"-ocsp-response", F_CRED_FILE, offsetof(shim_credential, ocsp_b64), CFG, NULL},
    {"-expect-ocsp-response", F_STR, OPT(expect_ocsp_response), CONN, NULL},
    /* BoringSSL's status callback, emulated: it accepts (tlsm staples what is configured,
     * set in the callback or before), or declines (nothing stapled); failing is not. */
    {"-use-ocsp-callback", F_BOOL, OPT(use_ocsp_callback), CONN, NULL},
    {"-set-ocsp-in-callback", F_BOOL, OPT(set_ocsp_in_callback), CONN, NULL},
    {"-decline-ocsp-callback", F_BOOL, OPT(decline_ocsp_callback), CONN, NULL},
    {"-fail-ocsp-callback", F_NO, 0, CONN, NO_OCSP},
    {"-enable-signed-cert-timestamps", F_NO, 0, CONN, NO_SCT},
    {"-signed-cert-timestamps", F_NO_PARAM, 0, CONN, NO_SCT},
    {"-expect-signed-cert-timestamps", F_NO_PARAM, 0, CONN, NO_SCT},
    {"-new-delegated-credential", F_NO, 0, CONN, "delegated credentials are not implemented"},
    {"-delegated-credential", F_NO_PARAM, 0, CONN, "delegated credentials are not implemented"},
    {"-expect-selected-credential", F_STR, OPT(expect_selected_credential), CONN, NULL},
    {"-must-match-issuer", F_CRED_BOOL, offsetof(shim_credential, must_match_issuer), CFG, NULL},
    {"-cert-properties", F_NO_PARAM, 0, CONN, NO_CREDS},
    {"-new-psk-credential", F_NO, 0, CONN, NO_PSK},
    {"-psk", F_NO_PARAM, 0, CONN, NO_PSK},
    {"-psk-identity", F_NO_PARAM, 0, CONN, NO_PSK},
    {"-psk-importer-key", F_NO_PARAM, 0, CONN, NO_PSK},
    {"-psk-importer-identity", F_NO_PARAM, 0, CONN, NO_PSK},
    {"-psk-importer-context", F_NO_PARAM, 0, CONN, NO_PSK},
    {"-psk-importer-sha256", F_NO, 0, CONN, NO_PSK},
    {"-psk-importer-sha384", F_NO, 0, CONN, NO_PSK},
    {"-new-spake2plusv1-credential", F_NO, 0, CONN, NO_PAKE},
    {"-pake-context", F_NO_PARAM, 0, CONN, NO_PAKE},
    {"-pake-client-id", F_NO_PARAM, 0, CONN, NO_PAKE},
    {"-pake-server-id", F_NO_PARAM, 0, CONN, NO_PAKE},
    {"-pake-password", F_NO_PARAM, 0, CONN, NO_PAKE},
    {"-wrong-pake-role", F_NO, 0, CONN, NO_PAKE},
    {"-new-rpk-credential", F_NO, 0, CONN, NO_RPK},
    {"-accepted-peer-cert-types", F_NO_PARAM, 0, CONN, NO_RPK},
    {"-available-client-cert-types", F_NO_PARAM, 0, CONN, NO_RPK},
    {"-expect-peer-certificate-type", F_NO_PARAM, 0, CONN, NO_RPK},
    {"-expect-peer-rpk-sha256", F_NO_PARAM, 0, CONN, NO_RPK},
    {"-renegotiate-once", F_NO, 0, CONN, NO_RENEGO},
    {"-renegotiate-freely", F_NO, 0, CONN, NO_RENEGO},
    {"-renegotiate-ignore", F_NO, 0, CONN, NO_RENEGO},
    {"-renegotiate-explicit", F_NO, 0, CONN, NO_RENEGO},
    {"-expect-total-renegotiations", F_NO_PARAM, 0, CONN, NO_RENEGO},
    {"-forbid-renegotiation-after-handshake", F_NO, 0, CONN, NO_RENEGO},
    {"-expect-secure-renegotiation", F_NO, 0, CONN, "tlsm has no API to report RFC 5746 support"},
    {"-expect-no-secure-renegotiation", F_NO, 0, CONN, "tlsm has no API to report RFC 5746 support"},
    {"-quic", F_NO, 0, CONN, NO_QUIC},
    {"-quic-transport-params", F_NO_PARAM, 0, CONN, NO_QUIC},
    {"-expect-quic-transport-params", F_NO_PARAM, 0, CONN, NO_QUIC},
    {"-quic-use-legacy-codepoint", F_NO_PARAM, 0, CONN, NO_QUIC},
    {"-dtls", F_NO, 0, CONN, NO_DTLS},
    {"-mtu", F_NO_PARAM, 0, CONN, NO_DTLS},
    {"-initial-timeout-duration-ms", F_NO_PARAM, 0, CONN, NO_DTLS},
    {"-srtp-profiles", F_NO_PARAM, 0, CONN, "SRTP (DTLS) is not implemented"},
    {"-ech-config-list", F_NO_PARAM, 0, CONN, NO_ECH},
    {"-ech-server-config", F_NO_PARAM, 0, CONN, NO_ECH},
    {"-ech-server-key", F_NO_PARAM, 0, CONN, NO_ECH},
    {"-ech-is-retry-config", F_NO_PARAM, 0, CONN, NO_ECH},
    {"-expect-ech-accept", F_NO, 0, CONN, NO_ECH},
    {"-enable-ech-grease", F_NO, 0, CONN, NO_ECH},
    {"-expect-ech-retry-configs", F_NO_PARAM, 0, CONN, NO_ECH},
    {"-expect-no-ech-retry-configs", F_NO, 0, CONN, NO_ECH},
    {"-expect-ech-name-override", F_NO_PARAM, 0, CONN, NO_ECH},
    {"-expect-no-ech-name-override", F_NO, 0, CONN, NO_ECH},
    {"-reject-unusable-ech-config", F_NO, 0, CONN, NO_ECH},
    {"-install-cert-compression-algs", F_NO, 0, CONN, NO_COMPRESS},
    {"-install-one-cert-compression-alg", F_NO_PARAM, 0, CONN, NO_COMPRESS},
    {"-requested-trust-anchors", F_NO_PARAM, 0, CONN, NO_TRUST_ANCHORS},
    {"-available-trust-anchors", F_NO_PARAM, 0, CONN, NO_TRUST_ANCHORS},
    {"-expect-peer-match-trust-anchor", F_NO, 0, CONN, NO_TRUST_ANCHORS},
    {"-expect-no-peer-match-trust-anchor", F_NO, 0, CONN, NO_TRUST_ANCHORS},
    {"-expect-peer-available-trust-anchors", F_NO_PARAM, 0, CONN, NO_TRUST_ANCHORS},
    {"-fips-202205", F_NO, 0, CONN, NO_POLICY},
    {"-wpa-202304", F_NO, 0, CONN, NO_POLICY},
    {"-cnsa-202407", F_NO, 0, CONN, NO_POLICY},
    {"-cnsa1-202603", F_NO, 0, CONN, NO_POLICY},
    {"-cnsa2-202603", F_NO, 0, CONN, NO_POLICY},
    {"-use-early-callback", F_NO, 0, CONN, NO_CALLBACK},
    {"-fail-early-callback", F_NO, 0, CONN, NO_CALLBACK},
    {"-fail-early-callback-ech-rewind", F_NO, 0, CONN, NO_CALLBACK},
    {"-install-ddos-callback", F_NO, 0, CONN, NO_CALLBACK},
    {"-fail-ddos-callback", F_NO, 0, CONN, NO_CALLBACK},
    {"-fail-cert-callback", F_NO, 0, CONN, NO_CALLBACK},
    {"-use-ticket-callback", F_NO, 0, CONN, NO_CALLBACK},
    {"-use-ticket-aead-callback", F_NO, 0, CONN, NO_CALLBACK},
    {"-expect-msg-callback", F_NO_PARAM, 0, CONN, NO_CALLBACK},
    {"-reverify-on-resume", F_BOOL, OPT(reverify_on_resume), CONN, NULL},
    {"-retain-only-sha256-client-cert", F_NO, 0, CONN, "BoringSSL's SHA-256-only client cert API"},
    {"-expect-sha256-client-cert", F_NO, 0, CONN, "BoringSSL's SHA-256-only client cert API"},
    {"-handshake-twice", F_NO, 0, CONN, "BoringSSL's SSL_do_handshake API; tlsm has no handshake call"},
    {"-no-op-extra-handshake", F_NO, 0, CONN,
     "BoringSSL's SSL_do_handshake API; tlsm has no handshake call"},
    {"-handshake-never-done", F_NO, 0, CONN, "BoringSSL handshake API"},
    {"-read-with-unfinished-write", F_NO, 0, CONN, "BoringSSL's SSL_write retry semantics"},
    {"-use-exporter-between-reads", F_NO, 0, CONN, "renegotiation-time exporter check"},
    {"-export-traffic-secrets", F_NO, 0, CONN, "tlsm does not export traffic secrets"},
    {"-tls-unique", F_NO, 0, CONN, "tlsm has no tls-unique channel binding"},
    {"-send-alert", F_BOOL, OPT(send_alert), CONN, NULL},
    {"-max-send-fragment", F_NO_PARAM, 0, CONN, "tlsm has no API to cap the size of sent records"},
    {"-max-cert-list", F_NO_PARAM, 0, CONN, "tlsm has no API to cap the peer's certificate list"},
    {"-cbc-record-splitting", F_NO, 0, CONN, "CBC suites are not implemented"},
    {"-fallback-scsv", F_NO, 0, CONN, "tlsm clients do not send TLS_FALLBACK_SCSV"},
    {"-enable-grease", F_NO, 0, CONN, "tlsm does not send GREASE values"},
    {"-permute-extensions", F_NO, 0, CONN, "tlsm does not permute ClientHello extensions"},
    {"-jdk11-workaround", F_NO, 0, CONN, "BoringSSL's JDK 11 workaround"},
    {"-server-preference", F_NO, 0, CONN, "tlsm has no switch between server and client order"},
    {"-curves-flags", F_NO_PARAM, 0, CONN, "BoringSSL group flags"},
    {"-no-key-shares", F_NO, 0, CONN, "tlsm clients always send a key share"},
    {"-server-supported-groups-hint", F_NO_PARAM, 0, CONN, "BoringSSL key share hint API"},
    {"-expect-advertised-alpn", F_NO_PARAM, 0, CONN, "tlsm has no API for the client's ALPN list"},
    {"-reject-alpn", F_NO, 0, CONN, "tlsm has no ALPN selection callback"},
    {"-select-empty-alpn", F_NO, 0, CONN, "tlsm has no ALPN selection callback"},
    {"-allow-unknown-alpn-protos", F_NO, 0, CONN, "tlsm has no ALPN selection callback"},
    {"-expect-peer-verify-pref", F_NO_PARAM, 0, CONN, "tlsm has no API for the peer's sigalgs"},
    {"-expect-certificate-types", F_NO_PARAM, 0, CONN, "tlsm has no API for CertificateRequest"},
    {"-use-client-ca-list", F_STR, OPT(use_client_ca_list), CFG, NULL},
    {"-expect-client-ca-list", F_NO_PARAM, 0, CONN, "tlsm has no API for certificate_authorities"},
    {"-expect-session-id", F_BOOL, OPT(expect_session_id), CONN, NULL},
    {"-expect-no-session-id", F_BOOL, OPT(expect_no_session_id), CONN, NULL},
    {"-expect-ticket-age-skew", F_NO_PARAM, 0, CONN, "tlsm has no API for the ticket age skew"},
    {"-renew-ticket", F_NO, 0, CONN, NO_CALLBACK},
    {"-skip-ticket", F_NO, 0, CONN, NO_CALLBACK},
    {"-ticket-key", F_NO_PARAM, 0, CONN, "BoringSSL's 48-byte ticket keys"},
    {"-resumption-across-names-enabled", F_NO, 0, CONN, "BoringSSL cross-name resumption API"},
    {"-expect-resumable-across-names", F_NO, 0, CONN, "BoringSSL cross-name resumption API"},
    {"-expect-not-resumable-across-names", F_NO, 0, CONN, "BoringSSL cross-name resumption API"},
    {"-no-server-name-ack", F_NO, 0, CONN, "tlsm has no switch to omit the server_name ack"},
    {"-expect-no-server-name", F_NO, 0, CONN, "tlsm has no API for an unset SNI hook"},
    {"-no-legacy-server-connect", F_NO, 0, CONN, "tlsm has no legacy-server switch"},
    {"-expect-cipher-aes", F_NO_PARAM, 0, CONN, "tlsm has no AES hardware query"},
    {"-expect-cipher-no-aes", F_NO_PARAM, 0, CONN, "tlsm has no AES hardware query"},
    {"-request-server-padding", F_NO_PARAM, 0, CONN, "BoringSSL server padding extension"},
    {"-expect-server-sent-requested-padding", F_NO, 0, CONN, "BoringSSL server padding extension"},
    {"-server-supports-padding", F_NO, 0, CONN, "BoringSSL server padding extension"},
    {"-private-key-delay-ms", F_NO_PARAM, 0, CONN, NO_CALLBACK},
    {"-handshake-hints", F_NO, 0, CONN, "BoringSSL handshake hints"},
    {"-allow-hint-mismatch", F_NO, 0, CONN, "BoringSSL handshake hints"},
    {"-handshaker-resume", F_NO, 0, CONN, "BoringSSL split handshaker"},
    {"-handshaker-path", F_NO_PARAM, 0, CONN, "BoringSSL split handshaker"},
    {"-write-settings", F_NO_PARAM, 0, CONN, "BoringSSL fuzzer transcripts"},
    {"-wait-for-debugger", F_NO, 0, CONN, "no debugger hook"},
};

void shim_unimplemented(const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    fprintf(stderr, "shim: unimplemented: %s\n", reason);
    const char *log = getenv("TLSM_BOGO_UNIMPLEMENTED_LOG");
    FILE *f = log && *log ? fopen(log, "a") : NULL;
    if (f) {
        fprintf(f, "%s\n", reason); /* one short line: an atomic append */
        fclose(f);
    }
    exit(SHIM_EXIT_UNIMPLEMENTED);
}

static const flag_def *find_flag(const char *name)
{
    for (size_t i = 0; i < sizeof flags / sizeof *flags; i++)
        if (strcmp(flags[i].name, name) == 0)
            return &flags[i];
    return NULL;
}

static int parse_int(const char *s, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno || v < -0x7fffffffL || v > 0x7fffffffL)
        return -1;
    *out = (int)v;
    return 0;
}

/* Stores a flag's value into one option set. Returns 0, or -1 for a malformed value. */
static int set_value(shim_opts *o, const flag_def *f, const char *param)
{
    char *field = (char *)o + f->off;
    int v;
    switch (f->kind) {
    case F_BOOL:
        *(int *)field = 1;
        return 0;
    case F_INT:
        return parse_int(param, (int *)field);
    case F_STR:
        *(const char **)field = param;
        return 0;
    case F_CODES:
        if (parse_int(param, &v) != 0 || v < 0 || v > 0xffff)
            return -1;
        return shim_codes_push((shim_codes *)field, (uint16_t)v);
    case F_CREDENTIAL: {
        shim_credential *more =
            realloc(o->credentials, (o->n_credentials + 1) * sizeof *more);
        if (!more)
            return -1;
        o->credentials = more;
        o->credentials[o->n_credentials++] = (shim_credential){0};
        return 0;
    }
    case F_CRED_FILE:
    case F_CRED_CODES:
    case F_CRED_BOOL: {
        shim_credential *c = o->n_credentials ? &o->credentials[o->n_credentials - 1]
                                              : &o->default_credential;
        if (f->kind == F_CRED_BOOL) {
            *(int *)((char *)c + f->off) = 1;
            return 0;
        }
        if (f->kind == F_CRED_FILE) {
            *(const char **)((char *)c + f->off) = param;
            return 0;
        }
        if (parse_int(param, &v) != 0 || v < 0 || v > 0xffff)
            return -1;
        return shim_codes_push((shim_codes *)((char *)c + f->off), (uint16_t)v);
    }
    default:
        return 0;
    }
}

/* Strips prefix + "-" from *name (keeping the "-"): "-on-resume-x" -> "-x". */
static int strip_prefix(const char **name, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(*name, prefix, n) != 0 || (*name)[n] != '-')
        return 0;
    *name += n;
    return 1;
}

static void opts_init(shim_opts *o)
{
    memset(o, 0, sizeof *o);
    o->shim_initial_write = "hello";
    o->repeat_shim_initial_write = 1;
}

int shim_parse_args(int argc, char **argv, shim_args *out)
{
    memset(out, 0, sizeof *out);
    opts_init(&out->initial);
    opts_init(&out->resume);
    for (int i = 1; i < argc; i++) {
        const char *name = argv[i];
        if (strcmp(name, "-is-handshaker-supported") == 0) {
            out->handshaker_probe = 1;
            continue;
        }
        int skip = 0;
        if (!strip_prefix(&name, "-on-shim"))
            skip = strip_prefix(&name, "-on-handshaker");
        shim_opts *only = NULL;
        int retry_only = 0;
        if (strip_prefix(&name, "-on-initial"))
            only = &out->initial;
        else if (strip_prefix(&name, "-on-resume"))
            only = &out->resume;
        else
            retry_only = strip_prefix(&name, "-on-retry");

        const flag_def *f = find_flag(name);
        if (!f)
            shim_unimplemented("unknown flag %s", name);
        int has_param = f->kind == F_INT || f->kind == F_STR || f->kind == F_CODES ||
                        f->kind == F_CRED_FILE || f->kind == F_CRED_CODES ||
                        f->kind == F_NO_PARAM;
        const char *param = NULL;
        if (has_param) {
            if (i + 1 >= argc) {
                shim_fail("missing value for %s", argv[i]);
                exit(SHIM_EXIT_FAIL);
            }
            param = argv[++i];
        }
        /* A flag for the 0-RTT retry connection only cannot matter: there is no retry. */
        if (skip || retry_only)
            continue;
        if (f->kind == F_NO || f->kind == F_NO_PARAM)
            shim_unimplemented("%s: %s", name, f->why);
        if (only && f->shapes_config)
            out->config_differs = 1;
        shim_opts *targets[2] = {&out->initial, &out->resume};
        for (int t = 0; t < 2; t++) {
            if (only && targets[t] != only)
                continue;
            if (set_value(targets[t], f, param) != 0) {
                shim_fail("invalid value for %s: %s", name, param ? param : "(none)");
                exit(SHIM_EXIT_FAIL);
            }
        }
    }
    return 0;
}

static void opts_free(shim_opts *o)
{
    shim_codes_free(&o->curves);
    shim_codes_free(&o->key_shares);
    shim_codes_free(&o->verify_prefs);
    shim_codes_free(&o->default_credential.signing_prefs);
    for (size_t i = 0; i < o->n_credentials; i++)
        shim_codes_free(&o->credentials[i].signing_prefs);
    free(o->credentials);
}

void shim_args_free(shim_args *a)
{
    opts_free(&a->initial);
    opts_free(&a->resume);
}
