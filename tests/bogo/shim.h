/*
 * shim.h - tlsm's shim for BoringSSL's TLS test runner (BoGo). The runner starts the shim
 * once per test with flags that describe one or more connections; the shim connects to
 * the runner over TCP on loopback, sends its 8-byte id, runs TLS with tlsm over that
 * socket and exits 0 (success), 1 (failure, reason on stderr) or 89 (the test needs
 * something the shim or tlsm does not implement).
 *
 * The shim is a host like the CLI: it only uses tlsm.h and sockets (and the CLI's PEM file
 * readers, cli/pki_files.c and cli/cert_files.c). Its files:
 *   shim_main.c    the sequence of connections (initial, resumptions) and the exit status
 *   shim_flags.c   the flag table: parsing, per-connection prefixes, unsupported flags
 *   shim_config.c  one tlsm_config from one connection's options
 *   shim_suites.c  BoringSSL cipher rules, groups, signature schemes and key types in
 *                  tlsm's terms
 *   shim_conn.c    one connection: socket, handshake, echo of the runner's data, shutdown
 *   shim_expect.c  the checks the flags ask for (-expect-*) after the handshake and at the end
 *   shim_report.c  failure lines on stderr, which the runner matches through the ErrorMap
 */
#ifndef TLSM_BOGO_SHIM_H
#define TLSM_BOGO_SHIM_H

#include <stddef.h>
#include <stdint.h>

#include "tlsm.h"

/* Exit statuses the runner understands (runner.go). */
#define SHIM_EXIT_OK 0
#define SHIM_EXIT_FAIL 1
#define SHIM_EXIT_UNIMPLEMENTED 89

/* A growable list of 16-bit codes given by repeated flags (-curves 29 -curves 23 ...). */
typedef struct {
    uint16_t *v;
    size_t n, cap;
} shim_codes;

/* A certificate chain and its private key, PEM files, its stapled OCSP response (base64,
 * NULL for none), the schemes it signs with (-signing-prefs after it; none given: the
 * default ones) and whether the peer must name its issuer (-must-match-issuer). */
typedef struct {
    const char *cert_file, *key_file, *ocsp_b64;
    shim_codes signing_prefs;
    int must_match_issuer;
} shim_credential;

/* The options of one connection. Strings point into argv. A string flag that was not
 * given is NULL; one given empty is "". */
typedef struct {
    /* transport and role */
    int port, ipv6, is_server, resume_count, async;
    const char *shim_id;
    /* versions (wire codes, 0 = not given) */
    int min_version, max_version, no_tls13, no_tls12;
    /* credentials: the default one (-cert-file, -key-file) and the ones added after each
     * -new-x509-credential, which are offered first, in order (as BoringSSL does) */
    shim_credential default_credential;
    shim_credential *credentials;
    size_t n_credentials;
    const char *expect_selected_credential; /* its index among the added ones, -1: default */
    int reverify_on_resume;
    /* OCSP stapling: a client asks; what it expects (base64) */
    int enable_ocsp_stapling, use_ocsp_callback, set_ocsp_in_callback, decline_ocsp_callback;
    const char *expect_ocsp_response;
    /* a TLS 1.2 server cached the session (a session id) or not (tickets) */
    int expect_session_id, expect_no_session_id;
    /* verification of the peer; trust_cert is the runner's root for its own credential */
    const char *trust_cert;
    int verify_peer, require_any_client_certificate, verify_fail, use_custom_verify_callback;
    /* algorithms */
    shim_codes curves, key_shares, verify_prefs;
    const char *cipher;
    const char *use_client_ca_list; /* hex DER names, comma-separated, or <NULL> / <EMPTY> */
    /* ALPN and SNI */
    const char *advertise_alpn, *select_alpn, *expect_alpn, *host_name, *expect_server_name;
    int decline_alpn;
    /* sessions */
    int no_ticket, resumption_delay;
    /* what the shim does with the connection */
    int implicit_handshake, shim_writes_first, repeat_shim_initial_write, shim_shuts_down;
    int send_alert; /* after the handshake, end with a fatal decompression_failure */
    const char *shim_initial_write;
    int check_close_notify, key_update, key_update_before_read, read_size;
    int write_different_record_sizes;
    int export_keying_material, use_export_context;
    const char *export_label, *export_context;
    /* expectations */
    int expect_version, expect_curve_id, expect_cipher, expect_peer_signature_algorithm;
    int expect_hrr, expect_no_hrr, expect_session_miss, expect_no_session;
    int expect_ticket_renewal, expect_verify_result, expect_no_peer_cert;
    int expect_extended_master_secret;
    const char *expect_peer_cert_file;
} shim_opts;

/* The option sets of the initial connection and of the resumptions: flags without a
 * prefix apply to both, -on-initial-X / -on-resume-X to one. (-on-retry-X is for the
 * retry after a rejected 0-RTT attempt, which the shim never makes: such flags are read
 * and dropped.) */
typedef struct {
    shim_opts initial, resume;
    int handshaker_probe;      /* -is-handshaker-supported */
    int config_differs;        /* a flag that shapes the tlsm_config had a prefix */
} shim_args;

/* ---- shim_flags.c */
/* Parses argv[1..argc). Returns 0, or exits: 89 for an unknown or unsupported flag, 1 for
 * a malformed value. */
int shim_parse_args(int argc, char **argv, shim_args *out);
void shim_args_free(shim_args *a);
/* Prints the reason, appends it to the file named by $TLSM_BOGO_UNIMPLEMENTED_LOG (one
 * line, so run.sh can count the reasons), and exits 89. */
void shim_unimplemented(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* ---- shim_suites.c */
/* Turns a BoringSSL cipher rule ("ALL", "TLS_AES_128_GCM_SHA256:AES128", "DEFAULT:!AES",
 * "4865") into tlsm suite codes in order. Suites tlsm lacks (CBC, 3DES, PSK...) are left
 * out. Returns 0, or -1 when a part is not understood (printed). */
int shim_cipher_rule(const char *rule, shim_codes *out);
/* Every suite tlsm implements, in BoringSSL's default ("ALL") order. */
int shim_all_suites(shim_codes *out);
/* 1 if tlsm implements this group / signature scheme. */
int shim_group_known(uint16_t group);
int shim_sigalg_known(uint16_t scheme);
int shim_codes_push(shim_codes *l, uint16_t v);
int shim_codes_has(const shim_codes *l, uint16_t v);
void shim_codes_free(shim_codes *l);
/* Decodes standard base64 (padding optional) into a malloc'ed buffer: 0, or -1. */
int shim_base64(const char *in, uint8_t **out, size_t *len);

/* ---- shim_config.c */
/* The clock every config uses: real time plus the -resumption-delay seconds so far. */
void shim_clock_advance(unsigned seconds);
/* Builds the config of one connection. The server ticket key is shared by every config of
 * the run so that sessions survive a config change between connections. Exits 89 when an
 * option asks for something tlsm does not do; NULL (reason printed) on other failures. */
tlsm_config *shim_build_config(const shim_opts *o, const uint8_t ticket_key[32]);

/* ---- shim_conn.c */
/* A client session carried from one connection to the next (tlsm_conn_get_session). */
typedef struct {
    uint8_t *blob;
    size_t len; /* 0: none */
    /* The verdict of the shim's verification hook on the connection that authenticated
     * the peer: a resumption does not call the hook again but reports that verdict, as
     * BoringSSL reports the verify result kept in its session. */
    int verify_failed;
} shim_session;
void shim_session_clear(shim_session *s);

/* What happened on a connection, for the checks. */
typedef struct {
    int handshake_done;
    int got_new_session;    /* client: a session (ticket) arrived */
    int new_session_at_handshake; /* ... and it arrived before the handshake finished */
    int peer_closed;        /* close_notify received */
    int verify_failed;      /* the shim's verification said no (-verify-fail) */
} shim_state;

/* Runs connection number `index` (0 = initial) with options o on cfg. For a client,
 * *session is offered when is_resume, and replaced by the newest session received.
 * Returns 0 on success; on failure prints why and returns -1. */
int shim_run_connection(const shim_opts *o, tlsm_config *cfg, int is_resume,
                        shim_session *session);

/* ---- shim_expect.c */
/* The checks right after the handshake (BoringSSL's CheckHandshakeProperties): version,
 * suite, group, peer signature, ALPN, SNI, resumption, HRR, peer certificates. Prints the
 * first mismatch and returns -1, else 0. */
int shim_check_handshake(const shim_opts *o, tlsm_conn *c, int is_resume, const shim_state *st);
/* The checks once the data exchange is over (a TLS 1.3 client must have got a ticket). */
int shim_check_end(const shim_opts *o, tlsm_conn *c, const shim_state *st);

/* ---- shim_report.c */
/* Prints why the connection failed: tlsm's name of the error (e.g. "sent alert
 * decode_error", "peer sent alert handshake_failure"), the alert number, and the
 * certificate verification error if any. These strings are what the ErrorMap of
 * tests/bogo/config.json matches. */
void shim_report_error(tlsm_conn *c, int code);
/* Prints "shim: <message>" on stderr. */
void shim_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
