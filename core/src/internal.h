/*
 * internal.h - the state behind tlsm_config and tlsm_conn, shared by the public API
 * (config.c, conn.c) and the handshake state machines (handshake/). Nothing here is
 * visible to library users.
 *
 * Memory: an established connection is struct tlsm_conn (about 1 KB) plus what it
 * negotiated, each sized to it: its two record ciphers (record/record.h: 4.4 KB each for
 * AES-GCM, the keys for ChaCha20-Poly1305), the peer's certificates (client), the session
 * and its ticket (client), the server name. Everything else exists only while in use: the
 * handshake state (struct hs_state, freed when the handshake ends), the handshake-message
 * reassembly buffer, the record buffers (record/engine.h: allocated when bytes must go in,
 * released when a call leaves them empty), the event queue (events.c: while it holds
 * events) and the key log ring (only with the key log on).
 */
#ifndef TLSM_INTERNAL_H
#define TLSM_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "crypto/crypto.h"
#include "pki/pki.h"
#include "reason.h"
#include "record/engine.h"
#include "record/record.h"
#include "tlsm.h"

#define TLSM_MAX_SUITES 16
#define TLSM_MAX_GROUPS 16
#define TLSM_MAX_SIGALGS 24
#define TLSM_MAX_IDENTITIES 8
#define TLSM_MAX_ALPN 256
/* Largest handshake message we accept: 128 KiB, and at least the largest ClientHello the
 * length fields allow (hs_codec.h: 131,396 bytes). */
#define TLSM_MAX_HS_MESSAGE (131396u > (1u << 17) ? 131396u : (1u << 17))
#define TLSM_EVENT_QUEUE 64
/* Room kept in the event queue before a record or a message is processed: one can add a
 * few events (messages traced, a key update, an alert, the error). */
#define CONN_EVENTS_PER_STEP 8
#define KEYLOG_SLOTS 8
#define KEYLOG_LINE_MAX (32 + 1 + 64 + 1 + 2 * 64 + 1)

/* A certificate chain with the key that signs for it (NULL key = external signer). */
typedef struct {
    uint8_t *ocsp; size_t ocsp_len; /* stapled OCSP response for the leaf, owned, or NULL */
    uint8_t **der;     /* the chain, leaf first (each owned) */
    size_t *der_len;
    size_t n, cap;
    pki_cert leaf;
    crypto_privkey *key;
    /* tlsm_config_set_identity_sigalgs: the schemes this identity signs with, in
     * preference order; none = the config's signature_algorithms list. */
    uint16_t sigalgs[TLSM_MAX_SIGALGS]; size_t n_sigalgs;
    int issuer_match; /* used only when the peer names an issuer of the chain (s.4.2.4) */
} tlsm_identity;

/* Internal knobs that let the RFC 8448 replay reproduce another implementation's
 * ClientHello and EncryptedExtensions byte for byte; tests set cfg->shape directly. */
typedef struct {
    const uint16_t *adv_groups; size_t n_adv_groups;   /* supported_groups as sent */
    const uint16_t *adv_sigalgs; size_t n_adv_sigalgs; /* signature_algorithms as sent */
    int send_renegotiation_info;                       /* empty renegotiation_info in CH */
    int send_session_ticket;                           /* empty session_ticket in CH */
    int ee_supported_groups;                           /* server lists its groups in EE */
    uint8_t ticket_nonce_len;                          /* server ticket_nonce size */
    int binder_extra;     /* client: each PSK binder one byte longer than its hash (the HMAC,
                             then a zero), computed over the hello as sent: for the test that
                             the server judges a binder's length, not only its first bytes */
    int send_early_data;  /* client: early_data in the first ClientHello, for tests of a
                             server that skips 0-RTT (no early data is ever sent) */
    uint16_t dhe_group;   /* server: the TLS 1.2 DHE group sent (tests of RFC 3526 groups) */
    const uint8_t *psk_modes; size_t n_psk_modes; /* client: psk_key_exchange_modes as sent,
                             for tests of a server's ticket policy (set with n 0: none) */
} tlsm_shape;

#define SESSION_CLIENT_AUTH 0x01 /* the client presented a verified certificate */

struct session_cache; /* session_cache.c */

struct tlsm_config {
    int refs;       /* atomic */
    int frozen;     /* atomic; written only under edit_lock */
    pthread_mutex_t edit_lock;    /* held by a setter from its frozen check to its last
                                     write, and by config_freeze (see CONFIG_EDIT) */
    tlsm_role role;
    uint16_t min_version, max_version;
    uint16_t suites[TLSM_MAX_SUITES]; size_t n_suites;
    uint16_t groups[TLSM_MAX_GROUPS]; size_t n_groups;
    uint16_t sigalgs[TLSM_MAX_SIGALGS]; size_t n_sigalgs;
    uint8_t alpn[TLSM_MAX_ALPN]; size_t alpn_len;
    /* tlsm_config_set_ca_names: the DistinguishedNames we send, each with its 2-byte length
     * (owned); before the call a server sends its trust anchors' subjects */
    uint8_t *ca_names; size_t ca_names_len; int ca_names_set;
    tlsm_identity ids[TLSM_MAX_IDENTITIES]; size_t n_ids;
    pki_store trust;
    tlsm_verify_mode verify;
    int verify_external;
    int reverify_on_resume;      /* client: verify the session's chain again on resumption */
    int ocsp_request;            /* client: ask for a stapled OCSP response (status_request) */
    int client_auth;
    unsigned tickets;
    uint8_t ticket_key[32];
    uint8_t ticket_key_prev[32];  /* still accepted after a rotation */
    int ticket_key_set, has_prev_ticket_key;
    int require_ems;
    size_t session_cache_size;
    struct session_cache *cache;
    pki_sig_cache verify_cache;   /* certificate signatures verified (pki/sigcache.c) */
    pthread_mutex_t lock;         /* ticket keys and the session cache (handshakes only) */
    uint32_t ticket_lifetime;
    int middlebox_compat;
    int require_cookie;
    uint16_t record_size_limit;
    crypto_rng rng;
    tlsm_clock_fn clock; void *clock_ctx;
    int trace;
    int keylog;
    tlsm_shape shape;
};

/* A resumable session as the client stores it (client_session.c): TLS 1.3 (ticket + PSK)
 * or TLS 1.2 (session id and/or ticket + master secret), with what the original handshake
 * established about the server, which a resumed connection reports again. */
typedef struct {
    int valid;
    uint16_t version;
    uint16_t suite;
    uint8_t secret[CRYPTO_HASH_MAX]; size_t secret_len; /* 1.3 PSK or 1.2 master secret */
    uint8_t *ticket; size_t ticket_len;                 /* owned */
    uint8_t sid[32]; size_t sid_len;                    /* 1.2 */
    uint8_t ems;                                        /* 1.2 */
    uint32_t age_add, lifetime;
    uint64_t received_ms;
    uint16_t group, peer_sigalg;                        /* of the original handshake */
    /* The server's chain (the conn's peer_chain format) and stapled OCSP response. A
     * session made on this connection uses the connection's (chain_is_conn); one set from
     * a blob owns copies, which a resumption hands over to the connection. */
    int chain_is_conn;
    uint8_t *peer_chain; size_t peer_chain_len, peer_cert_n;
    uint8_t *ocsp; size_t ocsp_len;
    /* The name it was made for (only resumed for the same name): the connection's own
     * server_name, or a copy (name_owned) when a blob named another host. */
    char *server_name;
    int name_owned;
} tlsm_session;
/* Replaces the client's session by a new one made on this connection, with ticket
 * (allocated, taken over; may be NULL). The caller fills in the rest and sets valid. */
void session_renew(tlsm_conn *c, uint8_t *ticket, size_t ticket_len);
/* The offered session was resumed: the connection reports its server identity. */
void session_resumed(tlsm_conn *c);
void session_clear(tlsm_session *s);

struct hs_state; /* handshake/handshake.h */

struct tlsm_conn {
    tlsm_config *cfg;
    tlsm_role role;
    int error;            /* sticky, 0 if none */
    reason fail_reason;   /* why (tlsm_conn_error_detail) */
    const char *fail_file; int fail_line; /* where it was detected (debug builds) */
    uint8_t peer_alert;   /* with R_PEER_ALERT: the peer's fatal alert */
    int fail_alert;       /* the fatal alert we sent for the error, -1 if none */
    int verify_error;
    int started;
    int handshake_done;
    int peer_closed;      /* close_notify received */
    int local_closed;     /* close_notify sent */
    int eof;
    int blocked;          /* waiting for tlsm_sign_done or tlsm_verify_done */
    int awaiting_verify;  /* waiting for tlsm_verify_done */
    unsigned warnings;    /* warning alerts and refused renegotiations received */
    int accept_plain_ccs; /* TLS 1.3: a compatibility CCS is dropped until the peer's Finished */
    int trace;            /* MESSAGE_* events (from the config, or tlsm_conn_set_trace) */
    int keylog_on;        /* KEYLOG events (from the config, or tlsm_conn_set_keylog) */

    /* negotiated facts */
    uint16_t version, suite, group, peer_sigalg;
    hash_alg hash; size_t hash_len; aead_alg aead;
    int resumed, hrr;
    uint8_t resumed_flags;   /* server: SESSION_* of the session resumed */
    const uint8_t *alpn; size_t alpn_len; /* the protocol, inside cfg->alpn (conn_alpn_select) */
    /* SNI: the client's own, or the one a server received; "" (conn_no_name, not
     * allocated) when none. Set with conn_set_server_name. */
    char *server_name;
    /* The peer's certificates (tlsm_conn_peer_cert), each as a 3-byte length and its DER,
     * as many as it sent (no count limit: the Certificate message bounds the bytes). */
    uint8_t *peer_chain; size_t peer_chain_len, peer_cert_n;
    int own_identity;     /* index in cfg->ids of the identity we sent, -1 if none */
    uint8_t session_id[32]; size_t session_id_len; /* TLS 1.2: the session's id, if any */
    uint8_t *ocsp; size_t ocsp_len; /* client: the OCSP response the server stapled (owned) */

    /* secrets that outlive the handshake */
    uint8_t rd_secret[CRYPTO_HASH_MAX], wr_secret[CRYPTO_HASH_MAX]; /* TLS 1.3 traffic */
    int wr_key_updated;          /* TLS 1.3: our write key comes from a KeyUpdate of ours */
    uint8_t exporter_secret[CRYPTO_HASH_MAX];
    uint8_t resumption_secret[CRYPTO_HASH_MAX];
    uint8_t master12[48];          /* TLS 1.2: for the RFC 5705 exporter */
    uint8_t randoms[64];           /* TLS 1.2: client_random || server_random */
    int ems;
    uint64_t ticket_counter;
    tlsm_session session;                         /* client: latest ticket; or offered one */
    int offer_session;

    struct hs_state *hs;

    /* handshake-message reassembly (also used for post-handshake messages) */
    uint8_t *msg; size_t msg_len, msg_cap;

    /* events: a ring of TLSM_EVENT_QUEUE, allocated while it holds any (events.c) */
    tlsm_event *events;
    size_t ev_head, ev_count;
    int events_lost;          /* an event found no memory: the driver fails with NOMEM */
    int error_event_lost;     /* the error event found none: tlsm_next_event makes it */

    /* key log lines (only with tlsm_config_set_keylog): a ring, indexed by the event code */
    char (*keylog)[KEYLOG_LINE_MAX];
    int keylog_current;       /* slot of the last popped KEYLOG event, -1 if none */
    unsigned keylog_next;
    int keylog12_done;

    rec_engine rec;           /* records in and out (record/engine.h) */
};

/* ---- config.c, trust.c, session_cache.c */
/* Freezes cfg for use by connections and verifications (thread-safe; lock-free once
 * frozen); draws the ticket key if unset. */
int config_freeze(tlsm_config *cfg);
/* 1 for a signature scheme tlsm implements (TLSM_SIG_*). */
int config_sigalg_known(uint16_t s);

/* Every setter begins with CONFIG_EDIT(cfg): it returns TLSM_ERR_ARG for NULL and
 * TLSM_ERR_FROZEN once frozen, and otherwise holds cfg->edit_lock until the setter
 * returns (a cleanup attribute releases it on every path). config_freeze takes the same
 * lock, so a config is never frozen half-way through a write: a thread adding trust
 * anchors while another starts a connection or a verification either finishes first or
 * gets TLSM_ERR_FROZEN, never a store reallocated under a reader. Setters must not call
 * other public setters (the lock is not recursive); they share internal helpers. */
typedef struct {
    tlsm_config *cfg;
} config_edit;
config_edit config_edit_begin(tlsm_config *cfg);
void config_edit_end(config_edit *e);
#define CONFIG_EDIT(c)                                                                       \
    if (!(c))                                                                                \
        return TLSM_ERR_ARG;                                                                 \
    config_edit config_edit_guard_ __attribute__((cleanup(config_edit_end))) =               \
        config_edit_begin(c);                                                                \
    if (__atomic_load_n(&(c)->frozen, __ATOMIC_ACQUIRE))                                     \
    return TLSM_ERR_FROZEN
/* tlsm_config_add_trust_der without the lock (the caller holds CONFIG_EDIT). */
int config_add_trust_der(tlsm_config *cfg, const uint8_t *der, size_t len);
/* Copies the current (and, if prev is not NULL, the previous) ticket key; returns how
 * many keys are valid (1 or 2). */
int config_ticket_keys(tlsm_config *cfg, uint8_t cur[32], uint8_t prev[32]);
/* Server-side TLS 1.2 session cache, bounded, shared by the config's connections: it maps
 * a session id to the encoded session state (handshake/ticket.c). cache_get hands out a
 * copy (*state owned by the caller). */
int cache_get(tlsm_config *cfg, const uint8_t *id, size_t len, uint64_t now_ms,
              uint8_t **state, size_t *state_len);
void cache_put(tlsm_config *cfg, const uint8_t *id, size_t len, uint64_t now_ms,
               const uint8_t *state, size_t state_len);
void cache_free(tlsm_config *cfg);

/* The clock of a config: its hook, else the real-time clock, in milliseconds. */
uint64_t config_now_ms(const tlsm_config *cfg);

/* ---- events.c: the event queue */
void conn_event(tlsm_conn *c, tlsm_event_type type, int code, uint8_t alert, uint8_t fatal,
                uint8_t msg_type);
/* Trace: a handshake message (or, with ccs, a ChangeCipherSpec) sent or received; a
 * HelloRetryRequest is marked as such. Only with tlsm_config_set_trace. */
void conn_trace(tlsm_conn *c, tlsm_event_type type, uint8_t msg_type, int ccs, int hrr);
/* Room left in the event queue. */
size_t conn_event_room(const tlsm_conn *c);
void conn_events_free(tlsm_conn *c);

/* ---- conn_facts.c: negotiated facts stored to size */
/* The empty server name every connection starts with (never freed). */
extern const char conn_no_name[1];
/* Sets the connection's server name to the len bytes at name (no NUL among them, len <=
 * 255), or back to none with name NULL. Returns 0 or FAIL(R_NOMEM). */
int conn_set_server_name(tlsm_conn *c, const uint8_t *name, size_t len);
/* Makes the protocol name (len bytes) the negotiated ALPN if the config lists it.
 * Returns 1 if so, 0 when it is not one of ours. */
int conn_alpn_select(tlsm_conn *c, const uint8_t *name, size_t len);

/* ---- keylog.c: key log (debugging aid): records "LABEL <client_random> <secret>" and
 * emits TLSM_EV_KEYLOG, if the config asked for it. */
void conn_keylog(tlsm_conn *c, const char *label, const uint8_t *client_random,
                 const uint8_t *secret, size_t secret_len);

/* ---- alert.c: the alert protocol (RFC 8446 s.6, RFC 5246 s.7.2) */
/* A received alert record: 0 (close_notify, a tolerated warning) or FAIL(R_...); a fatal
 * alert is FAIL(R_PEER_ALERT) with c->peer_alert set. */
int alert_received(tlsm_conn *c, const uint8_t *p, size_t len, int protected);
/* Counts a received warning or refused renegotiation; too many is FAIL(R_WARNING_FLOOD). */
int alert_count_warning(tlsm_conn *c);
/* Sends an alert record (level 1 warning, 2 fatal) with the current write protection. */
int alert_send(tlsm_conn *c, uint8_t level, uint8_t desc);

/* ---- conn.c: the driver */
/* Makes rc (a FAIL(R_...) reason or a TLSM_ERR_* code) the sticky error: records the
 * reason, queues the alert it sends (or internal_error) and an error event. Only the
 * connection's driver and API calls use it; everything below returns reasons. Returns
 * the sticky error. */
int conn_fail(tlsm_conn *c, int rc);
/* conn_fail with another alert than the reason's (alert -2: the reason's own). */
int conn_fail_alert(tlsm_conn *c, int rc, int alert);
/* Processes buffered input, then sends what the handshake produced; returns the sticky
 * error (0 if none). */
int conn_process_and_flush(tlsm_conn *c);
/* The end of a host call that may have emptied a buffer (rec_idle); returns rc. */
int conn_idle(tlsm_conn *c, int rc);
/* A client's first output or status query starts its handshake. */
void conn_autostart(tlsm_conn *c);

/* ---- handshake entry points (handshake/handshake.c) */
int hs_create(tlsm_conn *c);
void hs_free(tlsm_conn *c);
/* Client: queue the first ClientHello. */
int hs_client_start(tlsm_conn *c);
/* Handshake bytes from a record: reassembled into messages, which are run (as far as the
 * event queue has room and nothing blocks). */
int hs_feed(tlsm_conn *c, const uint8_t *p, size_t len);
/* Runs the complete messages waiting in the reassembly buffer. */
int hs_process(tlsm_conn *c);
/* 1 while a complete message waits for room in the event queue. */
int hs_message_waiting(const tlsm_conn *c);
/* An unprotected ChangeCipherSpec record: a TLS 1.2 one, or a TLS 1.3 compatibility one,
 * where the table allows it. */
int hs_on_ccs(tlsm_conn *c, const uint8_t *content, size_t len);
/* External signature supplied. */
int hs_sign_done(tlsm_conn *c, const uint8_t *sig, size_t len);
int hs_sign_request(tlsm_conn *c, uint16_t *scheme, const uint8_t **msg, size_t *len);
/* Post-handshake: key update. */
int hs_send_key_update(tlsm_conn *c, int ask_peer);


#endif
