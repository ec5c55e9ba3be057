/*
 * message.c - building and sending handshake messages: the 4-byte header, the transcript,
 * the trace event, and the queue the record engine packs into records; the
 * ChangeCipherSpec the handshake sends.
 */
#include "handshake/handshake.h"
#include "mem.h"

#include <stdlib.h>
#include <string.h>

int hs_msg_begin(wire_writer *w, uint8_t type, size_t cap)
{
    uint8_t *buf = mem_alloc(cap);
    wire_writer_init(w, buf, buf ? cap : 0);
    if (!buf)
        return FAIL(R_NOMEM);
    wire_put_u8(w, type);
    wire_put_u24(w, 0);
    return 0;
}

void hs_msg_abort(wire_writer *w)
{
    if (w->p) {
        crypto_wipe(w->p, w->cap);
        mem_free(w->p);
    }
    w->p = NULL;
}

/* A ServerHello whose random is the HelloRetryRequest marker (RFC 8446 s.4.1.3). */
static int is_hrr(const uint8_t *msg, size_t len)
{
    return msg[0] == HS_SERVER_HELLO && len >= HS_HEADER_LEN + 2 + HS_RANDOM_LEN &&
           !memcmp(msg + HS_HEADER_LEN + 2, HS_HRR_RANDOM, HS_RANDOM_LEN);
}

int hs_msg_send(tlsm_conn *c, wire_writer *w)
{
    int rc = 0;
    if (w->err || w->len < HS_HEADER_LEN) {
        rc = FAIL(R_MESSAGE_ENCODE);
    } else {
        size_t body = w->len - HS_HEADER_LEN;
        w->p[1] = (uint8_t)(body >> 16);
        w->p[2] = (uint8_t)(body >> 8);
        w->p[3] = (uint8_t)body;
        if (c->hs)
            transcript_add(&c->hs->tr, w->p, w->len);
        conn_trace(c, TLSM_EV_MESSAGE_SENT, w->p[0], 0, is_hrr(w->p, w->len));
        rc = rec_queue_handshake(&c->rec, w->p, w->len);
    }
    hs_msg_abort(w);
    return rc;
}

void hs_transcript_add(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    transcript_add(&c->hs->tr, msg, len);
}

int hs_send_ccs(tlsm_conn *c)
{
    int rc = rec_send_ccs(&c->rec);
    if (!rc)
        conn_trace(c, TLSM_EV_MESSAGE_SENT, REC_CHANGE_CIPHER_SPEC, 1, 0);
    return rc;
}
