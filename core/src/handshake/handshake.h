/*
 * handshake.h - state shared by the TLS 1.3 client and server state machines. The
 * allowed (state, message) pairs are one table in handshake.c: anything not listed there is
 * an unexpected_message (RFC 8446 s.6.2 / DESIGN.md), so each handler can assume it was
 * called in the right state.
 */
#ifndef TLSM_HANDSHAKE_H
#define TLSM_HANDSHAKE_H

#include "handshake/keysched.h"
#include "handshake/suites.h"
#include "handshake/transcript.h"
#include "internal.h"
#include "wire/hs_codec.h"
#include "wire/wire.h"

typedef enum {
    HS_C_START = 0,
    HS_C_WAIT_SH,
    HS_C_WAIT_EE,
    HS_C_WAIT_CERT_CR,
    HS_C_WAIT_CERT,
    HS_C_WAIT_CV,
    HS_C_WAIT_FINISHED,
    HS_S_WAIT_CH,
    HS_S_WAIT_CH2,
    HS_S_WAIT_CERT,
    HS_S_WAIT_CV,
    HS_S_WAIT_FINISHED,
    /* TLS 1.2 (RFC 5246 s.7.3) */
    HS_C12_WAIT_CERT,
    HS_C12_WAIT_SKE,
    HS_C12_WAIT_CR_SHD,
    HS_C12_WAIT_SHD,
    HS_C12_WAIT_NST_CCS,   /* after our Finished (or an abbreviated ServerHello) */
    HS_C12_WAIT_FINISHED,
    HS_S12_WAIT_CERT,
    HS_S12_WAIT_CKE,
    HS_S12_WAIT_CV,
    HS_S12_WAIT_CCS,
    HS_S12_WAIT_FINISHED,
    HS_SIGNING,        /* blocked on an external signature */
    HS_DONE
} hs_state_id;

#define HS_TBS_MAX (64 + 34 + 1 + CRYPTO_HASH_MAX)

typedef int (*hs_emit_sig)(tlsm_conn *c, const uint8_t *sig, size_t len);
#define HS_SIG_MAX 1024

struct hs_state {
    hs_state_id state;
    transcript tr;
    uint8_t client_random[HS_RANDOM_LEN];
    uint8_t sid[32]; size_t sid_len;

    /* our key share (client: the one offered; server: the one answered with) */
    uint16_t kex_group;
    uint8_t kex_priv[CRYPTO_KEX_PRIV_MAX];
    uint8_t kex_pub[CRYPTO_KEX_PUB_MAX]; size_t kex_pub_len;

    /* HelloRetryRequest */
    uint16_t hrr_suite;
    uint8_t cookie[512]; size_t cookie_len;
    int ccs_sent;

    /* key schedule */
    uint8_t early[CRYPTO_HASH_MAX], hs_secret[CRYPTO_HASH_MAX], master[CRYPTO_HASH_MAX];
    uint8_t c_hs[CRYPTO_HASH_MAX], s_hs[CRYPTO_HASH_MAX];
    uint8_t c_ap[CRYPTO_HASH_MAX]; /* client application secret, installed after its Finished */

    /* PSK: client = session offered; server = ticket accepted */
    int psk_offered, psk_accepted;
    uint16_t psk_index;        /* server: the identity accepted */
    hash_alg psk_hash;
    uint8_t psk[CRYPTO_HASH_MAX]; size_t psk_len;

    /* peer authentication */
    pki_cert peer[TLSM_MAX_CHAIN]; size_t n_peer;
    int cert_requested;        /* client: server sent CertificateRequest; server: we sent it */
    uint8_t cr_context[255]; size_t cr_context_len;
    uint16_t peer_sigalgs[64]; size_t n_peer_sigalgs; /* for choosing our signature scheme */

    /* our authentication */
    const tlsm_identity *id;
    uint16_t sign_scheme;
    sig_alg sign_alg;
    uint8_t *tbs; size_t tbs_len;    /* what is being signed (owned) */
    hs_emit_sig emit_sig;            /* writes the message carrying the signature */
    int (*after_sign)(tlsm_conn *c); /* TLS 1.3: continuation once the CertificateVerify is sent */

    /* server: what the ClientHello asked for */
    int client_rsl;            /* client sent record_size_limit */
    int sni_accepted;

    /* TLS 1.2 */
    uint8_t server_random[HS_RANDOM_LEN];
    /* (the TLS 1.2 master secret lives in `master` above: 48 bytes either way) */
    int ems;                   /* extended master secret negotiated (RFC 7627) */
    int secure_reneg;          /* peer supports RFC 5746 */
    int abbreviated;           /* resuming a session: no key exchange */
    int ticket_expected;       /* client: the server will send a NewSessionTicket */
    int send_ticket;           /* server: issue a NewSessionTicket */
    int client_offered_ems, client_ticket_ext, client_point_formats;
    uint16_t client_version;   /* ClientHello.legacy_version, for the RSA premaster */
    const uint8_t *peer_kx; size_t peer_kx_len; /* server's key share, borrowed from msg copy */
    uint8_t peer_kx_buf[CRYPTO_KEX_PUB_MAX];
    uint8_t cert_types[8]; size_t n_cert_types;
    uint16_t peer_groups[64]; size_t n_peer_groups; int peer_groups_sent; /* server, 1.2 */
    int offered12;             /* client: offered a TLS 1.2 session (id or ticket) */
    uint8_t new_ticket[1024]; size_t new_ticket_len; uint32_t new_ticket_hint;
};

/* ---- helpers shared by client.c and server.c (handshake.c) */

/* Builds a handshake message: call hs_msg_begin, write the body to *w, then hs_msg_send,
 * which frames, adds to the transcript, traces and sends it. */
int hs_msg_begin(wire_writer *w, uint8_t type, size_t cap);
int hs_msg_send(tlsm_conn *c, wire_writer *w);
/* Drops a message being built (error paths): wiped and freed, never sent. */
void hs_msg_abort(wire_writer *w);
/* Adds a received message to the transcript. */
void hs_transcript_add(tlsm_conn *c, const uint8_t *msg, size_t len);

/* Suite facts. */
int hs_suite_params(uint16_t suite, hash_alg *h, aead_alg *a);
/* The algorithm a signature scheme means with a key of this type in this protocol
 * version, SIG_NONE when it cannot be used there. */
sig_alg hs_scheme_alg(uint16_t version, uint16_t scheme, pk_type key);
/* 1 if the group is in our configured list. */
int hs_group_offered(const tlsm_conn *c, uint16_t group);
/* Sends CertificateVerify with hs->sign_scheme and the signature (both versions). */
int hs_send_certificate_verify(tlsm_conn *c, const uint8_t *sig, size_t sig_len);
/* Chooses our identity and scheme for the peer's signature_algorithms (and, for TLS 1.2, a
 * key the suite allows; suite NULL otherwise). Returns 0 or -1. */
int hs_choose_identity(tlsm_conn *c, const uint16_t *peer, size_t n, const suite_info *suite);
/* Parses a signature_algorithms extension body into hs->peer_sigalgs. 0 or -alert. */
int hs_parse_sigalgs(tlsm_conn *c, const uint8_t *p, size_t len);

/* Signing: hs_set_tbs stores what to sign; hs_sign signs it with hs->id / hs->sign_alg,
 * or blocks for the external signer (TLSM_EV_SIGN), then calls emit with the signature. */
int hs_set_tbs(tlsm_conn *c, const uint8_t *p, size_t len);
int hs_sign(tlsm_conn *c, hs_emit_sig emit);
/* Verifies the peer's signature with its leaf key: 0, or the alert to send. */
int hs_check_signature(tlsm_conn *c, uint16_t scheme, const uint8_t *tbs, size_t tbs_len,
                       const uint8_t *sig, size_t sig_len);

/* Certificate / CertificateVerify / Finished, both directions. */
int hs_send_certificate(tlsm_conn *c, const tlsm_identity *id);
/* Builds the CertificateVerify input and signs (or blocks for the external signer); then
 * sends the CertificateVerify and calls after_sign. */
int hs_sign_and_continue(tlsm_conn *c, int (*after_sign)(tlsm_conn *c));
int hs_recv_certificate(tlsm_conn *c, const uint8_t *msg, size_t len);
/* Copies the peer's chain into the connection, parses and (unless insecure) verifies it
 * for our role; both versions' Certificate handlers end here. */
int hs_take_peer_chain(tlsm_conn *c, const uint8_t *const *certs, const size_t *lens, size_t n);
int hs_recv_certificate_verify(tlsm_conn *c, const uint8_t *msg, size_t len);
/* Sends our Finished computed from base_secret. */
int hs_send_finished(tlsm_conn *c, const uint8_t *base_secret);
/* Checks the peer's Finished against base_secret (decrypt_error on mismatch). */
int hs_recv_finished(tlsm_conn *c, const uint8_t *msg, size_t len, const uint8_t *base_secret);
/* From the (EC)DHE secret and the transcript up to the ServerHello: the handshake traffic
 * secrets (installed for both directions) and the master secret. */
int hs_derive_handshake(tlsm_conn *c, const uint8_t *shared, size_t shared_len);
/* From the transcript up to the server Finished: hs->c_ap, the server application secret
 * (s_ap) and the exporter secret. */
int hs_derive_application(tlsm_conn *c, uint8_t *s_ap);
/* Resumption master secret from the transcript up to the client Finished. */
int hs_derive_resumption(tlsm_conn *c);
/* Marks the handshake done, frees its state and reports it. */
int hs_finish(tlsm_conn *c);

/* ---- per role (client.c, server.c, post.c) */
int client_start(tlsm_conn *c);
int client_on_server_hello(tlsm_conn *c, const uint8_t *msg, size_t len);
int client_on_encrypted_extensions(tlsm_conn *c, const uint8_t *msg, size_t len);
int client_on_certificate_request(tlsm_conn *c, const uint8_t *msg, size_t len);
int client_on_certificate(tlsm_conn *c, const uint8_t *msg, size_t len);
int client_on_certificate_verify(tlsm_conn *c, const uint8_t *msg, size_t len);
int client_on_finished(tlsm_conn *c, const uint8_t *msg, size_t len);

int server_on_client_hello(tlsm_conn *c, const uint8_t *msg, size_t len);
int server_on_certificate(tlsm_conn *c, const uint8_t *msg, size_t len);
int server_on_certificate_verify(tlsm_conn *c, const uint8_t *msg, size_t len);
int server_on_finished(tlsm_conn *c, const uint8_t *msg, size_t len);
/* Sends the configured number of NewSessionTickets. */
int server_send_tickets(tlsm_conn *c);

int post_on_new_session_ticket(tlsm_conn *c, const uint8_t *msg, size_t len);
int post_on_key_update(tlsm_conn *c, const uint8_t *msg, size_t len);
/* TLS 1.2 after the handshake: renegotiation is refused (RFC 5746 is only indicated). */
int post12_refuse_renegotiation(tlsm_conn *c, const uint8_t *msg, size_t len);

/* ---- TLS 1.2 (client12.c, server12.c, tls12.c) */
int client12_on_server_hello(tlsm_conn *c, const sh_msg *sh, const uint8_t *msg, size_t len);
int client12_on_certificate(tlsm_conn *c, const uint8_t *msg, size_t len);
int client12_on_server_key_exchange(tlsm_conn *c, const uint8_t *msg, size_t len);
int client12_on_certificate_request(tlsm_conn *c, const uint8_t *msg, size_t len);
int client12_on_server_hello_done(tlsm_conn *c, const uint8_t *msg, size_t len);
int client12_on_new_session_ticket(tlsm_conn *c, const uint8_t *msg, size_t len);
int client12_on_finished(tlsm_conn *c, const uint8_t *msg, size_t len);

/* Server: the ClientHello chose TLS 1.2. */
int server12_on_client_hello(tlsm_conn *c, const ch_msg *ch, const uint8_t *msg, size_t len);
int server12_on_certificate(tlsm_conn *c, const uint8_t *msg, size_t len);
int server12_on_client_key_exchange(tlsm_conn *c, const uint8_t *msg, size_t len);
int server12_on_certificate_verify(tlsm_conn *c, const uint8_t *msg, size_t len);
int server12_on_finished(tlsm_conn *c, const uint8_t *msg, size_t len);

/* Sends CertificateRequest (if configured) and ServerHelloDone. */
int server12_finish_flight(tlsm_conn *c);
/* (EC)DHE shared secret as TLS 1.2 uses it: for finite-field groups without leading zero
 * bytes (RFC 5246 s.8.1.2). */
int tls12_kex_shared(uint16_t group, const uint8_t *priv, const uint8_t *peer, size_t peer_len,
                     uint8_t *out, size_t *out_len);

/* ChangeCipherSpec in TLS 1.2: allowed exactly once per direction, right before Finished. */
int hs12_on_ccs(tlsm_conn *c);
/* Shared pieces. */
int tls12_send_certificate(tlsm_conn *c, const tlsm_identity *id);
int tls12_recv_certificate(tlsm_conn *c, const uint8_t *msg, size_t len);
/* From the premaster: the master secret (EMS or not) then the keys. */
int tls12_derive_master(tlsm_conn *c, const uint8_t *pms, size_t pms_len);
/* Installs the read or write keys from hs->master. */
int tls12_install_keys(tlsm_conn *c, int is_write);
/* Sends CCS, switches write keys and sends Finished. */
int tls12_send_ccs_finished(tlsm_conn *c);
/* Checks the peer's Finished (decrypt_error on mismatch) and adds it to the transcript. */
int tls12_recv_finished(tlsm_conn *c, const uint8_t *msg, size_t len);
/* Keeps what a later connection needs to resume and what the exporter needs. */
void tls12_keep_session(tlsm_conn *c);

/* The RFC 8446 s.4.1.3 downgrade sentinel in the last 8 bytes of ServerHello.random. */
extern const uint8_t TLS12_DOWNGRADE_SENTINEL[8];

/* ---- tickets (ticket.c) and the session cache (session_cache.c) */
/* What a new session is bound to: whether the client authenticated, and the server name. */
void session_binding(const tlsm_conn *c, uint8_t *flags, uint8_t sni_hash[32]);
/* 1 if a stored session may be resumed on this connection (same server name; a client
 * certificate if the config requires one). */
int session_binding_ok(const tlsm_conn *c, uint8_t flags, const uint8_t sni_hash[32]);
int ticket12_seal(tlsm_conn *c, const tls12_session *st, uint8_t *out, size_t cap,
                  size_t *out_len);
int ticket12_open(tlsm_conn *c, const uint8_t *ticket, size_t len, tls12_session *st);
/* Server: seal/open the ticket that carries a resumption PSK. */
int ticket_seal(tlsm_conn *c, const uint8_t *psk, size_t psk_len, uint32_t age_add,
                uint8_t *out, size_t cap, size_t *out_len);
int ticket_open(tlsm_conn *c, const uint8_t *ticket, size_t len, uint32_t obfuscated_age,
                uint16_t *suite, uint8_t *psk, size_t *psk_len, uint8_t *session_flags);

#endif
