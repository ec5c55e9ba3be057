/*
 * handshake.h - the handshake state machines of both versions and roles.
 *
 * The driver (handshake.c) owns the table of allowed (state, message) pairs and, for each,
 * the states its handler may move to: anything not listed is unexpected_message (RFC 8446
 * s.6.2 / DESIGN.md), and a handler that moves elsewhere is caught. Handlers return 0 or
 * FAIL(R_...) (reason.h) and never set the connection's error themselves.
 *
 * struct hs_state lives from the connection's start to the end of the handshake; it is
 * grouped by what each part is for, so that what a stage needs is visible together.
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
    HS_DONE,           /* the handshake is over (the state is freed) */
    HS_STATE_COUNT
} hs_state_id;

/* The message a table row takes: a handshake type (0..255), or a ChangeCipherSpec record,
 * or the external signer's answer (tlsm_sign_done) while blocked. */
#define HS_MSG_CCS 0x100
#define HS_MSG_SIGNED 0x101

typedef int (*hs_handler)(tlsm_conn *c, const uint8_t *msg, size_t len);

#define HS_MAX_NEXT 8
typedef struct {
    hs_state_id state;
    uint16_t msg;
    hs_handler fn;
    const char *name;                 /* the handler, for diagrams */
    hs_state_id next[HS_MAX_NEXT];    /* where it may go; HS_C_START ends the list */
} hs_row;

/* The driver's table, for property tests and the generated diagram. */
const hs_row *hs_table(size_t *n);
const char *hs_state_name(hs_state_id s);

#define HS_TBS_MAX (64 + 34 + 1 + CRYPTO_HASH_MAX)

typedef int (*hs_emit_sig)(tlsm_conn *c, const uint8_t *sig, size_t len);
#define HS_SIG_MAX 1024

/* One of our key shares, sized to its group (hs_share_new; freed and wiped by hs_free or
 * hs_share_free): an ML-KEM share is 3.6 KB, an X25519 one 64 bytes. */
typedef struct {
    uint16_t group;
    uint8_t *priv; size_t priv_len;  /* owned: priv_len + pub space in one allocation */
    uint8_t *pub; size_t pub_len;
} hs_key_share;
/* Allocates k for group (after wiping whatever it held) and generates the key pair. */
int hs_share_new(tlsm_conn *c, hs_key_share *k, uint16_t group);
/* Wipes and frees k's keys (k->group stays). */
void hs_share_free(hs_key_share *k);

struct hs_state {
    hs_state_id state;
    transcript tr;

    struct {                           /* the hellos */
        uint8_t client_random[HS_RANDOM_LEN];
        uint8_t server_random[HS_RANDOM_LEN]; /* TLS 1.2 */
        uint8_t sid[32]; size_t sid_len;
        int ccs_sent;                  /* the one compatibility or TLS 1.2 CCS is out */
        int client_rsl;                /* server: the client sent record_size_limit */
        int sni_accepted;              /* server: we answer server_name */
        int ocsp_requested;            /* server: the client asked for a stapled OCSP response */
        uint8_t ch1_fixed[32];         /* server, after a retry: SHA-256 of what the second
                                          ClientHello must repeat (server.c hello_fixed_digest) */
    } hello;

    /* Our key share; a client sends a second one (kex2, group 0 when none) for its first
     * group of the other kind (classical or ML-KEM), so that neither server needs a retry. */
    hs_key_share kex, kex2;

    struct {                           /* HelloRetryRequest (TLS 1.3) */
        uint16_t suite;
        uint8_t *cookie; size_t cookie_len; /* owned */
    } hrr;

    struct {                           /* the key schedule */
        uint8_t early[CRYPTO_HASH_MAX], hs_secret[CRYPTO_HASH_MAX];
        uint8_t master[CRYPTO_HASH_MAX]; /* TLS 1.3 Master Secret, or the 48-byte TLS 1.2 one */
        uint8_t c_hs[CRYPTO_HASH_MAX], s_hs[CRYPTO_HASH_MAX];
        uint8_t c_ap[CRYPTO_HASH_MAX]; /* client application secret, set after its Finished */
    } ks;

    struct {                           /* PSK: client = session offered; server = accepted */
        int offered, accepted;
        int first_usable;              /* server: the first ClientHello's PSK was acceptable */
        int client_dhe;                /* server: the client lists psk_dhe_ke (s.4.2.9) */
        uint16_t index;                /* server: the identity accepted */
        hash_alg hash;
        uint8_t key[CRYPTO_HASH_MAX]; size_t key_len;
    } psk;

    struct {                           /* the peer's authentication */
        pki_cert *certs; size_t n;     /* parsed peer chain (owned array) */
        int cert_requested;            /* client: CertificateRequest seen; server: sent */
        uint8_t cr_context[255]; size_t cr_context_len;
        uint16_t sigalgs[TLSM_MAX_SIGALGS]; size_t n_sigalgs; /* its signature_algorithms that
                                                                 we implement, its order */
        uint32_t issuer_named;         /* bit j: its certificate_authorities name an issuer
                                          of our identity j's chain (issuer_match ones) */
        int issuer_mismatch;           /* an identity was passed over for that reason */
    } peer;

    struct {                           /* our authentication */
        const tlsm_identity *id;
        uint16_t scheme;
        sig_alg alg;
        uint8_t *tbs; size_t tbs_len;  /* what is being signed (owned) */
        hs_emit_sig emit;              /* writes the message carrying the signature */
        int (*after)(tlsm_conn *c);    /* TLS 1.3: continuation once CertificateVerify is out */
    } own;

    struct {                           /* TLS 1.2 only */
        int ems;                       /* extended master secret negotiated (RFC 7627) */
        int secure_reneg;              /* peer supports RFC 5746 */
        int abbreviated;               /* resuming a session: no key exchange */
        int ticket_expected;           /* client: the server will send a NewSessionTicket */
        int status_expected;           /* client: a CertificateStatus may come next */
        int send_status;               /* server: we answered status_request, one follows */
        int send_ticket;               /* server: issue a NewSessionTicket */
        int client_offered_ems, client_point_formats;
        uint16_t client_version;       /* ClientHello.legacy_version, for the RSA premaster */
        uint8_t peer_kx[CRYPTO_KEX_DH_PUB_MAX]; size_t peer_kx_len; /* server's key share */
        int cr_rsa_sign, cr_ecdsa_sign; /* client: CertificateRequest certificate_types */
        uint16_t peer_groups[TLSM_MAX_GROUPS]; size_t n_peer_groups; int peer_groups_sent;
        int offered;                   /* client: offered a TLS 1.2 session (id or ticket) */
        uint8_t *new_ticket; size_t new_ticket_len; uint32_t new_ticket_hint; /* owned */
    } t12;
};

/* ---- the driver (handshake.c) */
int hs_create(tlsm_conn *c);
void hs_free(tlsm_conn *c);
/* Chooses the protocol version: records and keys follow it from here on. */
void hs_set_version(tlsm_conn *c, uint16_t version);
/* Marks the handshake done, frees its state and reports it. */
int hs_finish(tlsm_conn *c);

/* ---- building and sending messages (message.c) */
/* Builds a handshake message: call hs_msg_begin, write the body to *w, then hs_msg_send,
 * which frames, adds to the transcript, traces and queues it. */
int hs_msg_begin(wire_writer *w, uint8_t type, size_t cap);
int hs_msg_send(tlsm_conn *c, wire_writer *w);
/* Drops a message being built (error paths): wiped and freed, never sent. */
void hs_msg_abort(wire_writer *w);
/* Adds a received message to the transcript. */
void hs_transcript_add(tlsm_conn *c, const uint8_t *msg, size_t len);
/* Sends a ChangeCipherSpec (TLS 1.2, or the compatibility one of RFC 8446 D.4). */
int hs_send_ccs(tlsm_conn *c);

/* ---- algorithms, identities and signatures, both versions (auth.c) */
int hs_suite_params(uint16_t suite, hash_alg *h, aead_alg *a);
/* The algorithm a signature scheme means with a key of this type in this protocol
 * version, SIG_NONE when it cannot be used there. */
sig_alg hs_scheme_alg(uint16_t version, uint16_t scheme, pk_type key);
/* The supported_groups code of an ECDSA key's curve, 0 for other keys. */
uint16_t hs_key_curve(pk_type key);
/* 1 if the group is in our configured list. */
int hs_group_offered(const tlsm_conn *c, uint16_t group);
/* Chooses our identity and scheme for the peer's signature_algorithms (and, for TLS 1.2, a
 * key the suite allows; suite NULL otherwise). Returns 0 or -1. */
int hs_choose_identity(tlsm_conn *c, const uint16_t *peer, size_t n, const suite_info *suite);
/* Reads a certificate_authorities list (RFC 8446 s.4.2.4 extension body, or the field of a
 * TLS 1.2 CertificateRequest, RFC 5246 s.7.4.4): the vector of DistinguishedNames at p,
 * at least `min` bytes long, exactly covering len. Notes which of our issuer-matched
 * identities it names. Returns 0 or FAIL(R_CA_NAMES_DECODE). */
int hs_parse_ca_names(tlsm_conn *c, const uint8_t *p, size_t len, size_t min);
/* The bytes of the certificate_authorities list we send (without its 2-byte length; 0:
 * none): tlsm_config_set_ca_names, or for a server until then its trust anchors' subjects. */
size_t hs_ca_names_len(const tlsm_conn *c);
/* Writes that list with its 2-byte length. */
void hs_put_ca_names(const tlsm_conn *c, wire_writer *w);
/* Parses a signature_algorithms extension body into hs->peer.sigalgs. */
int hs_parse_sigalgs(tlsm_conn *c, const uint8_t *p, size_t len);
/* Copies the peer's chain into the connection, parses and (unless insecure) verifies it
 * for our role; both versions' Certificate handlers end here. */
int hs_take_peer_chain(tlsm_conn *c, const uint8_t *const *certs, const size_t *lens, size_t n);
/* The same from a Certificate message's list (either version's layout). */
int hs_take_cert_list(tlsm_conn *c, const cert_msg *m);
/* Signing: hs_set_tbs stores what to sign; hs_sign signs it with hs->own, or blocks for
 * the external signer (TLSM_EV_SIGN), then calls emit with the signature. */
int hs_set_tbs(tlsm_conn *c, const uint8_t *p, size_t len);
int hs_sign(tlsm_conn *c, hs_emit_sig emit);
/* The external signer's signature (tlsm_sign_done, through the driver): checked, then
 * emitted as hs_sign would have. */
int hs_signed(tlsm_conn *c, const uint8_t *sig, size_t len);
/* Verifies the peer's signature with its leaf key. */
/* ---- OCSP stapling, passed through (ocsp.c) */
/* Writes our status_request extension (type and empty request). */
void ocsp_put_request(wire_writer *w);
/* A ClientHello's status_request: 1 if it asks for OCSP, 0 for another type, or FAIL. */
int ocsp_parse_request(const ext_entry *e);
/* Writes a CertificateStatus body for id's stapled response. */
void ocsp_put_status(wire_writer *w, const tlsm_identity *id);
/* Reads a CertificateStatus body and keeps its response in c->ocsp. */
int ocsp_take_status(tlsm_conn *c, const uint8_t *p, size_t len);

/* Client with tlsm_config_set_reverify_on_resume: verifies the resumed session's chain
 * again (may block on the host's answer as hs_take_peer_chain does). */
int hs_reverify_on_resume(tlsm_conn *c);
/* 1 if the peer's leaf may be used so: no keyUsage extension, or the bit (PKI_KU_*) set. */
int hs_leaf_allows(const tlsm_conn *c, unsigned key_usage);
int hs_check_signature(tlsm_conn *c, uint16_t scheme, const uint8_t *tbs, size_t tbs_len,
                       const uint8_t *sig, size_t sig_len);
/* Sends CertificateVerify with hs->own.scheme and the signature (both versions). */
int hs_send_certificate_verify(tlsm_conn *c, const uint8_t *sig, size_t sig_len);

/* ---- TLS 1.3 pieces both roles share (tls13.c) */
int hs_send_certificate(tlsm_conn *c, const tlsm_identity *id);
int hs_recv_certificate(tlsm_conn *c, const uint8_t *msg, size_t len);
/* Builds the CertificateVerify input and signs (or blocks for the external signer); then
 * sends the CertificateVerify and calls after. */
int hs_sign_and_continue(tlsm_conn *c, int (*after)(tlsm_conn *c));
int hs_recv_certificate_verify(tlsm_conn *c, const uint8_t *msg, size_t len);
/* Sends our Finished computed from base_secret. */
int hs_send_finished(tlsm_conn *c, const uint8_t *base_secret);
/* Checks the peer's Finished against base_secret. */
int hs_recv_finished(tlsm_conn *c, const uint8_t *msg, size_t len, const uint8_t *base_secret);
/* Installs the traffic keys of a TLS 1.3 secret for one direction (and keeps the secret
 * for KeyUpdate). */
int hs_install_secret(tlsm_conn *c, int is_write, const uint8_t *secret);
/* From the (EC)DHE secret and the transcript up to the ServerHello: the handshake traffic
 * secrets (installed for both directions) and the master secret. */
int hs_derive_handshake(tlsm_conn *c, const uint8_t *shared, size_t shared_len);
/* From the transcript up to the server Finished: hs->ks.c_ap, the server application secret
 * (s_ap) and the exporter secret. */
int hs_derive_application(tlsm_conn *c, uint8_t *s_ap);
/* Resumption master secret from the transcript up to the client Finished. */
int hs_derive_resumption(tlsm_conn *c);

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

/* A TLS 1.3 compatibility ChangeCipherSpec (RFC 8446 s.5): dropped. */
int hs_drop_compat_ccs(tlsm_conn *c, const uint8_t *msg, size_t len);

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
int client12_on_certificate_status(tlsm_conn *c, const uint8_t *msg, size_t len);
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
int hs12_on_ccs(tlsm_conn *c, const uint8_t *msg, size_t len);
/* Shared pieces. */
int tls12_send_certificate(tlsm_conn *c, const tlsm_identity *id);
int tls12_recv_certificate(tlsm_conn *c, const uint8_t *msg, size_t len);
/* From the premaster: the master secret (EMS or not) then the keys. */
int tls12_derive_master(tlsm_conn *c, const uint8_t *pms, size_t pms_len);
/* Installs the read or write keys from hs->ks.master. */
int tls12_install_keys(tlsm_conn *c, int is_write);
/* Sends CCS, switches write keys and sends Finished. */
int tls12_send_ccs_finished(tlsm_conn *c);
/* Checks the peer's Finished and adds it to the transcript. */
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

/* What a server keeps of a session to resume it (ticket.c): one encoding for tickets of
 * both versions and the TLS 1.2 session-id cache. */
#define SRV_SESSION_TLS13 1
#define SRV_SESSION_TLS12 2
typedef struct {
    uint8_t kind;                 /* SRV_SESSION_* */
    uint16_t suite;
    uint64_t issued_ms;
    uint32_t lifetime, age_add;   /* age_add: TLS 1.3 */
    uint8_t ems;                  /* TLS 1.2 */
    uint8_t flags;                /* SESSION_CLIENT_AUTH */
    uint8_t sni_hash[32];         /* SHA-256 of the server name it was made for */
    uint8_t secret[CRYPTO_HASH_MAX]; size_t secret_len; /* 1.3 PSK or 1.2 master secret */
    uint16_t group, peer_sigalg;  /* of the handshake that authenticated the client */
    const uint8_t *peer_leaf; size_t peer_leaf_len; /* the client's leaf DER */
    uint8_t *store; size_t store_len; /* what peer_leaf points into, if owned (ticket_open) */
} srv_session;
/* The state of this connection's session (kind, and the secret to resume it with). */
void srv_session_of(const tlsm_conn *c, int kind, const uint8_t *secret, size_t secret_len,
                    srv_session *s);
int srv_session_encode(const srv_session *s, uint8_t **out, size_t *out_len);
int srv_session_decode(const uint8_t *p, size_t len, srv_session *s);
/* 1 while within its lifetime. */
int srv_session_fresh(const tlsm_conn *c, const srv_session *s);
/* A resumed connection reports the original handshake's client identity. */
int srv_session_restore(tlsm_conn *c, const srv_session *s);
/* 1 if its ticket fits the 2^16-1 bytes a ticket may have. */
int srv_session_sealable(const srv_session *s);
/* A ticket: the encoded state sealed with the config's ticket key (*out owned). */
int ticket_seal(tlsm_conn *c, const srv_session *s, uint8_t **out, size_t *out_len);
/* Opens and decodes a ticket: 0 with *s holding the opened state (release it with
 * srv_session_release), or -1 for a ticket that is not ours or not intact. */
int ticket_open(tlsm_conn *c, const uint8_t *ticket, size_t len, srv_session *s);
/* The TLS 1.2 session-id cache: finds (0, release *s after use) or stores a session. */
int srv_session_cached(tlsm_conn *c, const uint8_t *sid, size_t sid_len, srv_session *s);
void srv_session_cache(tlsm_conn *c, const uint8_t *sid, size_t sid_len, const srv_session *s);
/* Wipes *s and frees what it owns. */
void srv_session_release(srv_session *s);

#endif
