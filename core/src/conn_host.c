/*
 * conn_host.c - what the host asks of a connection beside moving bytes: its status, its
 * answers to TLSM_EV_SIGN and TLSM_EV_VERIFY_PEER, close_notify and KeyUpdate. The
 * driver (conn.c) runs the input these answers unblock and keeps the sticky error.
 */
#include "handshake/handshake.h"
#include "internal.h"

/* ------------------------------------------------------------------ status */

unsigned tlsm_status(tlsm_conn *c)
{
    unsigned s = 0;
    size_t pt;
    if (!c)
        return TLSM_STATUS_CLOSED | TLSM_STATUS_ERROR;
    conn_autostart(c);
    rec_plaintext(&c->rec, &pt);
    if (rec_output_pending(&c->rec))
        s |= TLSM_STATUS_HAS_OUTPUT;
    if (pt && !c->error)
        s |= TLSM_STATUS_HAS_PLAINTEXT;
    if (c->blocked)
        s |= TLSM_STATUS_BLOCKED;
    if (!c->handshake_done)
        s |= TLSM_STATUS_HANDSHAKING;
    if (c->error)
        s |= TLSM_STATUS_ERROR | TLSM_STATUS_CLOSED;
    else if (c->peer_closed)
        s |= TLSM_STATUS_CLOSED;
    else if (!c->blocked && !pt && !c->eof)
        s |= TLSM_STATUS_WANT_INPUT;
    if (c->handshake_done && !c->error && !c->local_closed && rec_can_write(&c->rec))
        s |= TLSM_STATUS_CAN_WRITE;
    return s;
}

/* ------------------------------------------------------------------ the host's answers */

int tlsm_sign_request(tlsm_conn *c, uint16_t *scheme, const uint8_t **msg, size_t *len)
{
    if (!c || !scheme || !msg || !len)
        return TLSM_ERR_ARG;
    if (c->error)
        return c->error;
    return hs_sign_request(c, scheme, msg, len);
}

int tlsm_sign_done(tlsm_conn *c, const uint8_t *sig, size_t len)
{
    if (!c)
        return TLSM_ERR_ARG;
    if (c->error)
        return c->error;
    int rc = hs_sign_done(c, sig, len);
    /* Misuse is reported, not sticky; a failure is. */
    if (rc == TLSM_ERR_STATE || rc == TLSM_ERR_ARG)
        return rc;
    if (rc)
        return conn_fail(c, rc);
    return conn_idle(c, conn_process_and_flush(c)); /* what arrived while we waited */
}

int tlsm_verify_done(tlsm_conn *c, int ok, uint8_t alert)
{
    if (!c)
        return TLSM_ERR_ARG;
    if (c->error)
        return c->error;
    if (!c->awaiting_verify)
        return TLSM_ERR_STATE;
    c->awaiting_verify = 0;
    c->blocked = 0;
    if (!ok) {
        c->verify_error = TLSM_ERR_CERT_REJECTED;
        return conn_fail_alert(c, FAIL(R_CERT_REJECTED_BY_HOST),
                         alert ? alert : TLSM_ALERT_BAD_CERTIFICATE);
    }
    return conn_idle(c, conn_process_and_flush(c));
}

int tlsm_close(tlsm_conn *c)
{
    if (!c)
        return TLSM_ERR_ARG;
    if (c->error)
        return c->error;
    if (c->local_closed)
        return 0;
    c->local_closed = 1;
    int rc = alert_send(c, 1, TLSM_ALERT_CLOSE_NOTIFY);
    return rc ? conn_fail(c, rc) : 0;
}

int tlsm_key_update(tlsm_conn *c, int ask_peer)
{
    if (!c)
        return TLSM_ERR_ARG;
    if (c->error)
        return c->error;
    if (!c->handshake_done || c->version != TLSM_TLS13) /* KeyUpdate exists in TLS 1.3 only */
        return TLSM_ERR_STATE;
    if (c->local_closed)
        return TLSM_ERR_CLOSED;
    int rc = hs_send_key_update(c, ask_peer);
    if (!rc && c->events_lost)
        rc = FAIL(R_NOMEM);
    return rc ? conn_fail(c, rc) : 0;
}

int tlsm_conn_abort(tlsm_conn *c, uint8_t alert)
{
    if (!c || alert == TLSM_ALERT_CLOSE_NOTIFY)
        return TLSM_ERR_ARG;
    if (c->error)
        return c->error;
    /* RFC 8446 s.6.2 / RFC 5246 s.7.2.2: an error alert is fatal and closes the connection;
     * the sticky error records that the host chose it. */
    return conn_fail_alert(c, FAIL(R_HOST_ABORT), alert);
}
