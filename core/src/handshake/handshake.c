/*
 * handshake.c - the handshake driver: the table of allowed (state, message) pairs with the
 * states each handler may move to, the reassembly of handshake messages from records, and
 * the life cycle of the handshake state.
 *
 * RFC 8446 s.6.2 / RFC 5246 s.7.2.2: a message in a state where no row takes it is
 * unexpected_message ("An inappropriate message (e.g., the wrong handshake message,
 * premature Application Data, etc.) was received."). After a handler returns, the state it
 * left must be one its row lists, so a slip in a handler cannot move the handshake
 * somewhere the table does not allow (R_HS_BAD_TRANSITION). docs/handshake-states.md is
 * drawn from this table (tests/handshake/test_hs_table.c checks both the drawing and
 * properties of the table).
 */
#include "handshake/handshake.h"
#include "mem.h"

#include <stdlib.h>
#include <string.h>

#define ROW(st, msg, fn, ...) {st, msg, fn, #fn, {__VA_ARGS__}}

/* The states after the first ServerHello: TLS 1.3 goes on, or TLS 1.2 (full or resumed), or
 * a HelloRetryRequest leaves the state as it was. */
#define AFTER_SH HS_C_WAIT_EE, HS_C_WAIT_SH, HS_C12_WAIT_CERT, HS_C12_WAIT_NST_CCS
/* Where a ClientHello leads: TLS 1.3 (HelloRetryRequest, waiting for the client's
 * certificate or Finished, or our external signer) or TLS 1.2 (full, with client auth,
 * resumed, or waiting for our signer). */
#define AFTER_CH13 HS_S_WAIT_CH2, HS_S_WAIT_CERT, HS_S_WAIT_FINISHED, HS_SIGNING
#define AFTER_CH12 HS_S12_WAIT_CKE, HS_S12_WAIT_CERT, HS_S12_WAIT_CCS

static int on_signed(tlsm_conn *c, const uint8_t *sig, size_t len);

static const hs_row table[] = {
    /* TLS 1.3 client, RFC 8446 s.2 */
    ROW(HS_C_WAIT_SH, HS_SERVER_HELLO, client_on_server_hello, AFTER_SH),
    ROW(HS_C_WAIT_EE, HS_ENCRYPTED_EXTENSIONS, client_on_encrypted_extensions,
        HS_C_WAIT_CERT_CR, HS_C_WAIT_FINISHED),
    ROW(HS_C_WAIT_CERT_CR, HS_CERTIFICATE_REQUEST, client_on_certificate_request,
        HS_C_WAIT_CERT),
    ROW(HS_C_WAIT_CERT_CR, HS_CERTIFICATE, client_on_certificate, HS_C_WAIT_CV),
    ROW(HS_C_WAIT_CERT, HS_CERTIFICATE, client_on_certificate, HS_C_WAIT_CV),
    ROW(HS_C_WAIT_CV, HS_CERTIFICATE_VERIFY, client_on_certificate_verify, HS_C_WAIT_FINISHED),
    ROW(HS_C_WAIT_FINISHED, HS_FINISHED, client_on_finished, HS_DONE, HS_SIGNING),
    /* s.5: the compatibility ChangeCipherSpec "at any time after the first ClientHello
     * message has been sent or received and before the peer's Finished message has been
     * received" is dropped. */
    ROW(HS_C_WAIT_SH, HS_MSG_CCS, hs_drop_compat_ccs, HS_C_WAIT_SH),
    ROW(HS_C_WAIT_EE, HS_MSG_CCS, hs_drop_compat_ccs, HS_C_WAIT_EE),
    ROW(HS_C_WAIT_CERT_CR, HS_MSG_CCS, hs_drop_compat_ccs, HS_C_WAIT_CERT_CR),
    ROW(HS_C_WAIT_CERT, HS_MSG_CCS, hs_drop_compat_ccs, HS_C_WAIT_CERT),
    ROW(HS_C_WAIT_CV, HS_MSG_CCS, hs_drop_compat_ccs, HS_C_WAIT_CV),
    ROW(HS_C_WAIT_FINISHED, HS_MSG_CCS, hs_drop_compat_ccs, HS_C_WAIT_FINISHED),
    /* TLS 1.3 server; the second ClientHello answers our HelloRetryRequest (s.4.1.4) */
    ROW(HS_S_WAIT_CH, HS_CLIENT_HELLO, server_on_client_hello, AFTER_CH13, AFTER_CH12),
    ROW(HS_S_WAIT_CH2, HS_CLIENT_HELLO, server_on_client_hello, HS_S_WAIT_CERT,
        HS_S_WAIT_FINISHED, HS_SIGNING),
    ROW(HS_S_WAIT_CERT, HS_CERTIFICATE, server_on_certificate, HS_S_WAIT_CV,
        HS_S_WAIT_FINISHED),
    ROW(HS_S_WAIT_CV, HS_CERTIFICATE_VERIFY, server_on_certificate_verify, HS_S_WAIT_FINISHED),
    ROW(HS_S_WAIT_FINISHED, HS_FINISHED, server_on_finished, HS_DONE),
    ROW(HS_S_WAIT_CH2, HS_MSG_CCS, hs_drop_compat_ccs, HS_S_WAIT_CH2),
    ROW(HS_S_WAIT_CERT, HS_MSG_CCS, hs_drop_compat_ccs, HS_S_WAIT_CERT),
    ROW(HS_S_WAIT_CV, HS_MSG_CCS, hs_drop_compat_ccs, HS_S_WAIT_CV),
    ROW(HS_S_WAIT_FINISHED, HS_MSG_CCS, hs_drop_compat_ccs, HS_S_WAIT_FINISHED),
    /* TLS 1.2 client, RFC 5246 s.7.3 */
    ROW(HS_C12_WAIT_CERT, HS_CERTIFICATE, client12_on_certificate, HS_C12_WAIT_SKE,
        HS_C12_WAIT_CR_SHD),
    ROW(HS_C12_WAIT_SKE, HS_SERVER_KEY_EXCHANGE, client12_on_server_key_exchange,
        HS_C12_WAIT_CR_SHD),
    /* RFC 6066 s.8: right after Certificate when the ServerHello announced it (the handler
     * refuses it anywhere else); the state does not change. */
    ROW(HS_C12_WAIT_SKE, HS_CERTIFICATE_STATUS, client12_on_certificate_status, HS_C12_WAIT_SKE),
    ROW(HS_C12_WAIT_CR_SHD, HS_CERTIFICATE_STATUS, client12_on_certificate_status,
        HS_C12_WAIT_CR_SHD),
    ROW(HS_C12_WAIT_CR_SHD, HS_CERTIFICATE_REQUEST, client12_on_certificate_request,
        HS_C12_WAIT_SHD),
    ROW(HS_C12_WAIT_CR_SHD, HS_SERVER_HELLO_DONE, client12_on_server_hello_done,
        HS_C12_WAIT_NST_CCS, HS_SIGNING),
    ROW(HS_C12_WAIT_SHD, HS_SERVER_HELLO_DONE, client12_on_server_hello_done,
        HS_C12_WAIT_NST_CCS, HS_SIGNING),
    ROW(HS_C12_WAIT_NST_CCS, HS_NEW_SESSION_TICKET, client12_on_new_session_ticket,
        HS_C12_WAIT_NST_CCS),
    ROW(HS_C12_WAIT_NST_CCS, HS_MSG_CCS, hs12_on_ccs, HS_C12_WAIT_FINISHED),
    ROW(HS_C12_WAIT_FINISHED, HS_FINISHED, client12_on_finished, HS_DONE),
    /* TLS 1.2 server */
    ROW(HS_S12_WAIT_CERT, HS_CERTIFICATE, server12_on_certificate, HS_S12_WAIT_CKE),
    ROW(HS_S12_WAIT_CKE, HS_CLIENT_KEY_EXCHANGE, server12_on_client_key_exchange,
        HS_S12_WAIT_CV, HS_S12_WAIT_CCS),
    ROW(HS_S12_WAIT_CV, HS_CERTIFICATE_VERIFY, server12_on_certificate_verify, HS_S12_WAIT_CCS),
    ROW(HS_S12_WAIT_CCS, HS_MSG_CCS, hs12_on_ccs, HS_S12_WAIT_FINISHED),
    ROW(HS_S12_WAIT_FINISHED, HS_FINISHED, server12_on_finished, HS_DONE),
    /* The external signer's answer: the flight continues where it stopped. */
    ROW(HS_SIGNING, HS_MSG_SIGNED, on_signed, HS_DONE, HS_S_WAIT_CERT, HS_S_WAIT_FINISHED,
        HS_C12_WAIT_NST_CCS, HS_S12_WAIT_CKE, HS_S12_WAIT_CERT),
};

/* After the handshake: in TLS 1.3 (s.4.6) the client takes tickets and both take
 * KeyUpdate; in TLS 1.2 a renegotiation request is answered with a refusal. */
static const struct {
    uint16_t version;
    tlsm_role role;
    uint8_t type;
    hs_handler fn;
} post_table[] = {
    {TLSM_TLS13, TLSM_ROLE_CLIENT, HS_NEW_SESSION_TICKET, post_on_new_session_ticket},
    {TLSM_TLS13, TLSM_ROLE_CLIENT, HS_KEY_UPDATE, post_on_key_update},
    {TLSM_TLS13, TLSM_ROLE_SERVER, HS_KEY_UPDATE, post_on_key_update},
    {TLSM_TLS12, TLSM_ROLE_CLIENT, HS_HELLO_REQUEST, post12_refuse_renegotiation},
    {TLSM_TLS12, TLSM_ROLE_SERVER, HS_CLIENT_HELLO, post12_refuse_renegotiation},
};

const hs_row *hs_table(size_t *n)
{
    *n = sizeof table / sizeof *table;
    return table;
}

const char *hs_state_name(hs_state_id s)
{
    static const char *const names[HS_STATE_COUNT] = {
        "C_START", "C_WAIT_SH", "C_WAIT_EE", "C_WAIT_CERT_CR", "C_WAIT_CERT", "C_WAIT_CV",
        "C_WAIT_FINISHED", "S_WAIT_CH", "S_WAIT_CH2", "S_WAIT_CERT", "S_WAIT_CV",
        "S_WAIT_FINISHED", "C12_WAIT_CERT", "C12_WAIT_SKE", "C12_WAIT_CR_SHD", "C12_WAIT_SHD",
        "C12_WAIT_NST_CCS", "C12_WAIT_FINISHED", "S12_WAIT_CERT", "S12_WAIT_CKE",
        "S12_WAIT_CV", "S12_WAIT_CCS", "S12_WAIT_FINISHED", "SIGNING", "DONE"};
    return s < HS_STATE_COUNT ? names[s] : "?";
}

/* ------------------------------------------------------------------ life cycle */

int hs_create(tlsm_conn *c)
{
    c->hs = mem_calloc(1, sizeof *c->hs);
    if (!c->hs)
        return FAIL(R_NOMEM);
    transcript_init(&c->hs->tr);
    c->hs->state = c->role == TLSM_ROLE_CLIENT ? HS_C_START : HS_S_WAIT_CH;
    return 0;
}

int hs_share_new(tlsm_conn *c, hs_key_share *k, uint16_t group)
{
    hs_share_free(k);
    k->group = group;
    size_t priv_len = crypto_kex_priv_len(group), pub_cap = crypto_kex_pub_len(group);
    if (!priv_len || !pub_cap)
        return FAIL(R_KEY_SCHEDULE);
    if (!(k->priv = mem_alloc(priv_len + pub_cap)))
        return FAIL(R_NOMEM);
    k->priv_len = priv_len;
    k->pub = k->priv + priv_len;
    if (crypto_kex_keygen(group, &c->cfg->rng, k->priv, k->pub, &k->pub_len))
        return FAIL(R_RNG);
    return 0;
}

void hs_share_free(hs_key_share *k)
{
    if (k->priv) {
        crypto_wipe(k->priv, k->priv_len);
        mem_free(k->priv);
    }
    k->priv = k->pub = NULL;
    k->priv_len = k->pub_len = 0;
}

void hs_free(tlsm_conn *c)
{
    if (!c->hs)
        return;
    hs_share_free(&c->hs->kex);
    hs_share_free(&c->hs->kex2);
    transcript_free(&c->hs->tr);
    mem_free(c->hs->own.tbs);
    mem_free(c->hs->peer.certs);
    mem_free(c->hs->hrr.cookie);
    mem_free(c->hs->t12.new_ticket);
    crypto_wipe(c->hs, sizeof *c->hs);
    mem_free(c->hs);
    c->hs = NULL;
}

int hs_client_start(tlsm_conn *c)
{
    return client_start(c);
}

void hs_set_version(tlsm_conn *c, uint16_t version)
{
    c->version = version;
    c->rec.tls12 = version == TLSM_TLS12;
}

int hs_finish(tlsm_conn *c)
{
    c->handshake_done = 1;
    c->accept_plain_ccs = 0;
    hs_free(c);
    rec_handshake_over(&c->rec);
    conn_event(c, TLSM_EV_HANDSHAKE_DONE, 0, 0, 0, 0);
    return 0;
}

/* ------------------------------------------------------------------ dispatch */

static int allowed_next(const hs_row *row, hs_state_id s)
{
    for (size_t i = 0; i < HS_MAX_NEXT && (i == 0 || row->next[i] != HS_C_START); i++)
        if (row->next[i] == s)
            return 1;
    return 0;
}

/* Runs the row for (current state, msg), then checks where its handler went. */
static int run_row(tlsm_conn *c, uint16_t msg, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
        const hs_row *row = &table[i];
        if (row->state != c->hs->state || row->msg != msg)
            continue;
        int rc = row->fn(c, p, len);
        if (rc)
            return rc;
        hs_state_id now = c->hs ? c->hs->state : HS_DONE;
        return allowed_next(row, now) ? 0 : FAIL(R_HS_BAD_TRANSITION);
    }
    return FAIL(msg == HS_MSG_CCS ? R_CCS_UNEXPECTED : R_HS_UNEXPECTED_MESSAGE);
}

/* One complete handshake message (header included). */
static int on_message(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    uint8_t type = msg[0];
    conn_trace(c, TLSM_EV_MESSAGE_RECEIVED, type, 0,
               type == HS_SERVER_HELLO && len >= HS_HEADER_LEN + 2 + HS_RANDOM_LEN &&
                   !memcmp(msg + HS_HEADER_LEN + 2, HS_HRR_RANDOM, HS_RANDOM_LEN));
    if (c->hs)
        return run_row(c, type, msg, len);
    for (size_t i = 0; i < sizeof post_table / sizeof *post_table; i++)
        if (post_table[i].version == c->version && post_table[i].role == c->role &&
            post_table[i].type == type)
            return post_table[i].fn(c, msg, len);
    return FAIL(R_HS_UNEXPECTED_MESSAGE);
}

int hs_on_ccs(tlsm_conn *c, const uint8_t *content, size_t len)
{
    /* RFC 5246 s.7.1: "The message consists of a single byte of value 1"; in TLS 1.2 a
     * malformed one is decode_error wherever it comes - except once read keys are on,
     * when any ChangeCipherSpec is out of place (there is no renegotiation). */
    if (c->version == TLSM_TLS12 && c->rec.rd.active)
        return FAIL(R_CCS_UNEXPECTED);
    if (c->version == TLSM_TLS12 && (len != 1 || content[0] != 1))
        return FAIL(R_CCS_MALFORMED);
    if (!c->hs)
        return FAIL(R_CCS_UNEXPECTED);
    return run_row(c, HS_MSG_CCS, content, len);
}

static int on_signed(tlsm_conn *c, const uint8_t *sig, size_t len)
{
    return hs_signed(c, sig, len);
}

int hs_drop_compat_ccs(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    /* RFC 8446 s.5: "An implementation which receives any other change_cipher_spec value
     * or which receives a protected change_cipher_spec record MUST abort the handshake
     * with an "unexpected_message" alert." A client that offered only TLS 1.2 takes none. */
    if (len != 1 || msg[0] != 1 || !c->accept_plain_ccs)
        return FAIL(R_CCS_UNEXPECTED);
    return 0;
}

int hs_sign_done(tlsm_conn *c, const uint8_t *sig, size_t len)
{
    if (!c->hs || c->hs->state != HS_SIGNING)
        return TLSM_ERR_STATE;
    if (!sig || len == 0 || len > HS_SIG_MAX)
        return TLSM_ERR_ARG;
    return run_row(c, HS_MSG_SIGNED, sig, len);
}

/* ------------------------------------------------------------------ reassembly */

static size_t waiting_body(const tlsm_conn *c)
{
    return (size_t)c->msg[1] << 16 | (size_t)c->msg[2] << 8 | c->msg[3];
}

int hs_message_waiting(const tlsm_conn *c)
{
    return c->msg_len >= HS_HEADER_LEN && c->msg_len >= HS_HEADER_LEN + waiting_body(c);
}

int hs_process(tlsm_conn *c)
{
    /* Messages wait in the buffer while the host has not taken the events of earlier ones
     * (many tickets in one record, say): events are never dropped. */
    while (c->msg_len >= HS_HEADER_LEN && !c->error && !c->blocked &&
           conn_event_room(c) >= CONN_EVENTS_PER_STEP) {
        size_t body = waiting_body(c);
        if (body > TLSM_MAX_HS_MESSAGE)
            return FAIL(R_HS_MESSAGE_TOO_LARGE);
        if (c->msg_len < HS_HEADER_LEN + body)
            break;
        c->rec.rd_changed = 0;
        int rc = on_message(c, c->msg, HS_HEADER_LEN + body);
        memmove(c->msg, c->msg + HS_HEADER_LEN + body, c->msg_len - HS_HEADER_LEN - body);
        c->msg_len -= HS_HEADER_LEN + body;
        if (rc)
            return rc;
        /* RFC 8446 s.5.1: "Handshake messages MUST NOT span key changes." */
        if (c->rec.rd_changed && c->msg_len)
            return FAIL(R_HS_SPANS_KEY_CHANGE);
    }
    if (c->msg_len == 0 && c->handshake_done && c->msg) {
        crypto_wipe(c->msg, c->msg_cap);
        mem_free(c->msg);
        c->msg = NULL;
        c->msg_cap = 0;
    }
    return 0;
}

int hs_feed(tlsm_conn *c, const uint8_t *p, size_t len)
{
    /* s.5.1: "Implementations MUST NOT send zero-length fragments of Handshake types". */
    if (len == 0)
        return FAIL(R_HS_EMPTY_FRAGMENT);
    if (c->msg_len + len > c->msg_cap) {
        size_t limit = TLSM_MAX_HS_MESSAGE + HS_HEADER_LEN + REC_MAX_PLAINTEXT;
        size_t cap = c->msg_cap ? c->msg_cap : 4096;
        while (cap < c->msg_len + len)
            cap *= 2;
        if (cap > limit)
            cap = limit;
        if (c->msg_len + len > cap)
            return FAIL(R_HS_MESSAGE_TOO_LARGE);
        uint8_t *m = mem_realloc(c->msg, cap);
        if (!m)
            return FAIL(R_NOMEM);
        c->msg = m;
        c->msg_cap = cap;
    }
    memcpy(c->msg + c->msg_len, p, len);
    c->msg_len += len;
    return hs_process(c);
}
