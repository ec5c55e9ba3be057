/*
 * post.c - messages after the handshake: in TLS 1.3 (RFC 8446 s.4.6) NewSessionTicket
 * (client side) and KeyUpdate (both sides); in TLS 1.2 the refusal of renegotiation.
 */
#include "handshake/handshake.h"

#include <string.h>

#include "mem.h"

int post_on_new_session_ticket(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    wire_reader r, nonce, ticket;
    ext_list exts;
    wire_init(&r, msg + HS_HEADER_LEN, len - HS_HEADER_LEN);
    uint32_t lifetime = wire_u32(&r);
    uint32_t age_add = wire_u32(&r);
    wire_block(&r, 1, 0, 255, &nonce);
    wire_block(&r, 2, 1, 0xffff, &ticket);
    int rc = ext_parse(&r, &exts);
    if (!rc && wire_end(&r))
        rc = FAIL(R_NST_DECODE);
    if (rc)
        return rc;
    /* s.4.6.1: "Servers MUST NOT use any value greater than 604800 seconds (7 days). The
     * value of zero indicates that the ticket should be discarded immediately." */
    if (lifetime > 604800)
        return FAIL(R_NST_LIFETIME);
    if (lifetime == 0)
        return 0;
    uint8_t secret[CRYPTO_HASH_MAX];
    if (ks_expand_label(c->hash, c->resumption_secret, "resumption", nonce.p, nonce.len,
                        secret, c->hash_len))
        return FAIL(R_KEY_SCHEDULE);
    uint8_t *copy = mem_alloc(ticket.len);
    if (!copy) {
        crypto_wipe(secret, sizeof secret);
        return FAIL(R_NOMEM);
    }
    memcpy(copy, ticket.p, ticket.len);
    session_renew(c, copy, ticket.len);
    tlsm_session *s = &c->session;
    memcpy(s->secret, secret, c->hash_len);
    crypto_wipe(secret, sizeof secret);
    s->secret_len = c->hash_len;
    s->version = TLSM_TLS13;
    s->suite = c->suite;
    s->age_add = age_add;
    s->lifetime = lifetime;
    s->received_ms = config_now_ms(c->cfg);
    s->valid = 1;
    conn_event(c, TLSM_EV_NEW_TICKET, 0, 0, 0, 0);
    return 0;
}

int hs_send_key_update(tlsm_conn *c, int ask_peer)
{
    uint8_t m[5] = {HS_KEY_UPDATE, 0, 0, 1, (uint8_t)(ask_peer ? 1 : 0)};
    conn_trace(c, TLSM_EV_MESSAGE_SENT, HS_KEY_UPDATE, 0, 0);
    int rc = rec_queue_handshake(&c->rec, m, sizeof m);
    if (rc)
        return rc;
    /* s.4.6.3: "After sending a KeyUpdate message, the sender SHALL send all its traffic
     * using the next generation of keys" */
    if (ks_update_secret(c->hash, c->wr_secret))
        return FAIL(R_KEY_SCHEDULE);
    rc = hs_install_secret(c, 1, c->wr_secret);
    c->wr_key_updated = 1;
    if (!rc)
        conn_event(c, TLSM_EV_KEY_UPDATED, 0, 0, 0, 0);
    return rc;
}

int post_on_key_update(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    if (len != HS_HEADER_LEN + 1)
        return FAIL(R_KU_DECODE);
    uint8_t request = msg[HS_HEADER_LEN];
    /* s.4.6.3: request_update: "If an implementation receives any other value, it MUST
     * terminate the connection with an "illegal_parameter" alert." */
    if (request > 1)
        return FAIL(R_KU_BAD_REQUEST);
    if (ks_update_secret(c->hash, c->rd_secret))
        return FAIL(R_KEY_SCHEDULE);
    int rc = hs_install_secret(c, 0, c->rd_secret);
    if (rc)
        return rc;
    conn_event(c, TLSM_EV_KEY_UPDATED, 0, 1, 0, 0);
    /* s.4.6.3: "If the request_update field is set to "update_requested", then the
     * receiver MUST send a KeyUpdate of its own with request_update set to
     * "update_not_requested" prior to sending its next Application Data record. This
     * mechanism allows either side to force an update to the entire connection, but causes
     * an implementation which receives multiple KeyUpdates while it is silent to respond
     * with a single update." Silent: our last KeyUpdate went out and no record has been
     * protected with its key since (the write sequence restarts at 0 with each key). Nor is
     * there anything to answer once we closed our side. */
    int silent_since_update = c->wr_key_updated && rec_write_seq(&c->rec) == 0;
    if (request && !c->local_closed && !silent_since_update)
        return hs_send_key_update(c, 0);
    return 0;
}

int post12_refuse_renegotiation(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    (void)msg;
    (void)len;
    /* RFC 5746 s.4.2 / s.4.4: we never renegotiate; a HelloRequest or a new ClientHello
     * is answered with a no_renegotiation warning and the connection goes on. */
    int rc = alert_count_warning(c);
    return rc ? rc : alert_send(c, 1, TLSM_ALERT_NO_RENEGOTIATION);
}
