/*
 * alert.c - the alert protocol (RFC 8446 s.6, RFC 5246 s.7.2): what a received alert
 * means for the connection, and sending one. A fatal alert from the peer ends the
 * connection with TLSM_ERR_PEER_ALERT; close_notify after the handshake is an orderly
 * close; the warnings TLS 1.2 allows are reported and counted, so that a peer cannot
 * keep the connection busy with them.
 */
#include <string.h>

#include "internal.h"

/* A peer that sends warnings without end (or keeps asking to renegotiate) is cut off. */
#define MAX_WARNINGS 16

int alert_count_warning(tlsm_conn *c)
{
    return ++c->warnings > MAX_WARNINGS ? FAIL(R_WARNING_FLOOD) : 0;
}

int alert_send(tlsm_conn *c, uint8_t level, uint8_t desc)
{
    uint8_t a[2] = {level, desc};
    return rec_send(&c->rec, REC_ALERT, a, sizeof a);
}

/* 1 for the alert descriptions IANA has assigned: those tlsm names (errors.c) and the ones
 * only older versions use (decryption_failed 21, decompression_failure 30, no_certificate
 * 41, export_restriction 60, certificate_unobtainable 111, bad_certificate_hash_value 114),
 * which a TLS 1.2 peer may still send as warnings. */
static int alert_assigned(uint8_t desc)
{
    static const uint8_t legacy[] = {21, 30, 41, 60, 111, 114};
    for (size_t i = 0; i < sizeof legacy; i++)
        if (desc == legacy[i])
            return 1;
    return strcmp(tlsm_alert_name(desc), "unknown_alert") != 0;
}

int alert_received(tlsm_conn *c, const uint8_t *p, size_t len, int protected)
{
    /* RFC 8446 s.5.1: "Alert messages (Section 6) MUST NOT be fragmented across records,
     * and multiple alert messages MUST NOT be coalesced into a single TLSPlaintext record.
     * In other words, a record with an Alert type MUST contain exactly one message." An
     * empty one is not a malformed alert but no alert at all: s.5.1 "Zero-length fragments
     * of Alert ... MUST NOT be sent", unexpected_message as for empty handshake records
     * (issue 16 item 9; OpenSSL answers the same). */
    if (len == 0)
        return FAIL(R_ALERT_EMPTY);
    if (len != 2)
        return FAIL(R_ALERT_MALFORMED);
    uint8_t level = p[0], desc = p[1];
    if (desc == TLSM_ALERT_CLOSE_NOTIFY && c->handshake_done) {
        c->peer_closed = 1;
        conn_event(c, TLSM_EV_PEER_CLOSED, 0, desc, 0, 0);
        return 0;
    }
    /* Warnings: TLS 1.2 ones (e.g. no_renegotiation, or unrecognized_name from a 1.2 server
     * before its ServerHello) inform; in TLS 1.3 only user_canceled may be a warning. An
     * unprotected warning after keys are in place is not trusted. RFC 8446 s.6: "Unknown
     * Alert types MUST be treated as error alerts" - in every version (RFC 5246 says
     * nothing, and a warning nobody can interpret is no information). */
    int can_warn = c->version == TLSM_TLS12 || (!c->version && c->cfg->min_version <= TLSM_TLS12);
    int plaintext_after_keys = !protected && c->rec.rd.active;
    if (level == 1 && desc != TLSM_ALERT_CLOSE_NOTIFY && !plaintext_after_keys &&
        alert_assigned(desc) &&
        (desc == TLSM_ALERT_USER_CANCELED || can_warn)) {
        conn_event(c, TLSM_EV_ALERT, 0, desc, 0, 0);
        return alert_count_warning(c);
    }
    /* s.6: in TLS 1.3 every other alert is fatal whatever its level says; a close_notify
     * before the handshake finished ends it unfinished. */
    conn_event(c, TLSM_EV_ALERT, 0, desc, 1, 0);
    c->peer_alert = desc;
    return FAIL(R_PEER_ALERT);
}
