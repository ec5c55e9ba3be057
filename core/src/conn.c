/*
 * conn.c - tlsm_conn: the public sans-IO API and the driver that wires the modules.
 *
 * The record engine (record/engine.c) frames and opens records; this driver hands each one
 * to its protocol: handshake bytes to the handshake (handshake/handshake.c), alerts to the
 * alert protocol (alert.c), application data to the host. Everything below returns a
 * reason (reason.h) on failure; only this file (and the host's calls in conn_host.c)
 * turns it into the sticky error and queues the alert (conn_fail), so every failure is
 * reported the same way.
 *
 * Backpressure (BearSSL-style): no further record is read while the host has unread
 * plaintext, too much unsent output, or too few free event slots; nothing is dropped.
 */
#include <stdlib.h>
#include <string.h>

#include "handshake/handshake.h"
#include "mem.h"
#include "internal.h"

/* RFC 8446 s.5.5: AES-GCM keys must change well before 2^24.5 records. */
#define KEY_UPDATE_AFTER (1ull << 24)

/* ------------------------------------------------------------------ the sticky error */

/* alert: the alert to send, or -2 for the one the reason's table row names. */
int conn_fail_alert(tlsm_conn *c, int rc, int alert)
{
    if (c->error)
        return c->error;
    reason r = reason_of(rc);
    int peer = r == R_PEER_ALERT;
    if (alert == -2)
        alert = reason_alert(r);
    c->error = peer ? TLSM_ERR_PEER_ALERT(c->peer_alert)
               : alert >= 0 && alert != reason_alert(r) ? TLSM_ERR_LOCAL_ALERT(alert)
                                                       : reason_code(r);
    c->fail_reason = r;
    reason_site(r, &c->fail_file, &c->fail_line);
    /* No alert goes back after the peer's fatal one or a cut stream (RFC 8446 s.6). */
    if (peer || r == R_TRUNCATED)
        c->local_closed = 1;
    c->fail_alert = -1;
    if (alert >= 0 && !c->local_closed) {
        c->local_closed = 1;
        /* The error stands whether or not the alert fits in the output. */
        if (alert_send(c, 2, (uint8_t)alert) == 0)
            c->fail_alert = alert;
    }
    rec_plaintext_drop(&c->rec);
    conn_event(c, TLSM_EV_ERROR, c->error, 0, 0, 0);
    return c->error;
}

int conn_fail(tlsm_conn *c, int rc)
{
    return conn_fail_alert(c, rc, -2);
}

/* ------------------------------------------------------------------ input */

static int dispatch(tlsm_conn *c, const rec_in *r)
{
    /* RFC 8446 s.5.1: "Handshake messages MUST NOT be interleaved with other record
     * types." */
    if (r->type != REC_HANDSHAKE && c->msg_len)
        return FAIL(R_REC_INTERLEAVED);
    switch (r->type) {
    case REC_CHANGE_CIPHER_SPEC:
        /* s.5: a protected change_cipher_spec record is unexpected_message; where an
         * unprotected one may come is the handshake table's (both versions). */
        return r->protected ? FAIL(R_CCS_UNEXPECTED) : hs_on_ccs(c, r->content, r->len);
    case REC_HANDSHAKE: {
        int rc = hs_feed(c, r->content, r->len);
        /* s.5.1: nothing comes between the fragments of a handshake message, skipped early
         * data included (s.4.2.10 skips it between messages only). */
        if (c->msg_len)
            c->rec.skip_early = 0;
        return rc;
    }
    case REC_ALERT:
        return alert_received(c, r->content, r->len, r->protected);
    case REC_APPLICATION_DATA:
        /* We accept no 0-RTT: before the handshake completes there is no app data. */
        if (!c->handshake_done)
            return FAIL(R_APPDATA_BEFORE_HANDSHAKE);
        rec_keep_plaintext(&c->rec, r);
        return 0;
    default:
        /* A TLS 1.3 inner content type no version defines (s.5: unexpected_message). */
        return FAIL(R_REC_UNKNOWN_TYPE);
    }
}

static int process_input(tlsm_conn *c)
{
    int rc = hs_process(c);
    while (!rc && !c->error) {
        /* Backpressure: the host must take our events and output before we read more (a
         * peer cannot make either grow without bound, e.g. with KeyUpdates). */
        if (hs_message_waiting(c) || c->blocked ||
            rec_output_pending(&c->rec) > REC_OUT_PENDING_MAX ||
            conn_event_room(c) < CONN_EVENTS_PER_STEP)
            return 0;
        rec_in r;
        /* s.6.1: data after close_notify is ignored. */
        rc = c->peer_closed ? rec_skip(&c->rec) : rec_next(&c->rec, &r);
        if (rc <= 0)
            break;
        rc = c->peer_closed ? 0 : dispatch(c, &r);
    }
    return rc;
}

/* Processes buffered input, then sends what the handshake produced. While an external
 * signature or verification is pending the flight stays together. */
int conn_process_and_flush(tlsm_conn *c)
{
    int rc = process_input(c);
    if (!rc && !c->blocked)
        rc = rec_flush_handshake(&c->rec);
    if (!rc && c->events_lost)
        rc = FAIL(R_NOMEM); /* an event found no queue: never dropped silently */
    return rc ? conn_fail(c, rc) : c->error;
}

/* The end of a host call that may have emptied a buffer: see rec_idle. */
int conn_idle(tlsm_conn *c, int rc)
{
    rec_idle(&c->rec);
    return rc;
}

/* ------------------------------------------------------------------ life cycle */

tlsm_conn *tlsm_conn_new(tlsm_config *cfg, const char *server_name)
{
    if (!cfg)
        return NULL;
    size_t name_len = server_name ? strlen(server_name) : 0;
    if (name_len > 255 || (cfg->role == TLSM_ROLE_SERVER && server_name))
        return NULL;
    if (cfg->role == TLSM_ROLE_SERVER && cfg->n_ids == 0)
        return NULL;
    if (config_freeze(cfg))
        return NULL;
    tlsm_conn *c = mem_calloc(1, sizeof *c);
    if (!c)
        return NULL;
    rec_init(&c->rec);
    c->server_name = (char *)conn_no_name;
    c->cfg = tlsm_config_ref(cfg);
    c->keylog_current = -1;
    c->own_identity = -1;
    c->role = cfg->role;
    c->trace = cfg->trace;
    c->keylog_on = cfg->keylog;
    c->rec.max_plaintext_in = cfg->record_size_limit;
    c->hash_len = crypto_hash_len(HASH_SHA256);
    if ((server_name && conn_set_server_name(c, (const uint8_t *)server_name, name_len)) ||
        hs_create(c)) {
        tlsm_conn_free(c);
        return NULL;
    }
    return c;
}

void tlsm_conn_free(tlsm_conn *c)
{
    if (!c)
        return;
    hs_free(c);
    rec_free(&c->rec);
    if (c->msg) {
        crypto_wipe(c->msg, c->msg_cap);
        mem_free(c->msg);
    }
    if (c->keylog) {
        crypto_wipe(c->keylog, KEYLOG_SLOTS * sizeof *c->keylog);
        mem_free(c->keylog);
    }
    session_clear(&c->session);
    mem_free(c->peer_chain);
    mem_free(c->ocsp);
    conn_events_free(c);
    conn_set_server_name(c, NULL, 0);
    tlsm_config_free(c->cfg);
    crypto_wipe(c, sizeof *c);
    mem_free(c);
}

int tlsm_conn_start(tlsm_conn *c)
{
    if (!c)
        return TLSM_ERR_ARG;
    if (c->error)
        return c->error;
    if (c->role != TLSM_ROLE_CLIENT || c->started)
        return 0;
    c->started = 1;
    /* Host name checking cannot be skipped by forgetting the name (DESIGN.md). */
    if (c->cfg->verify == TLSM_VERIFY_PEER && !c->cfg->verify_external && !c->server_name[0])
        return conn_fail(c, FAIL(R_NO_SERVER_NAME));
    int rc = hs_client_start(c);
    return rc ? conn_fail(c, rc) : conn_process_and_flush(c);
}

/* The client's first output or status query starts the handshake; a failure is sticky
 * and shows in the status. */
void conn_autostart(tlsm_conn *c)
{
    if (c->role == TLSM_ROLE_CLIENT && !c->started && !c->error) {
        int rc = tlsm_conn_start(c);
        (void)rc;
    }
}

/* ------------------------------------------------------------------ ciphertext */

/* Room for input (see rec_input_space); NULL when none (full, failed, closed). */
static uint8_t *input_space(tlsm_conn *c, const uint8_t *next, size_t next_len, size_t *cap)
{
    *cap = 0;
    if (c->error || c->eof)
        return NULL;
    int nomem;
    uint8_t *p = rec_input_space(&c->rec, next, next_len, cap, &nomem);
    if (nomem)
        conn_fail(c, FAIL(R_NOMEM));
    return p;
}

uint8_t *tlsm_input_buf(tlsm_conn *c, size_t *cap)
{
    if (!c || !cap)
        return NULL;
    return input_space(c, NULL, 0, cap);
}

/* n bytes were written into the room input_space gave: process them. */
static int input_ack(tlsm_conn *c, size_t n)
{
    conn_autostart(c);
    if (c->error)
        return c->error;
    if (rec_input_commit(&c->rec, n))
        return TLSM_ERR_ARG;
    return conn_process_and_flush(c);
}

int tlsm_input_ack(tlsm_conn *c, size_t n)
{
    if (!c)
        return TLSM_ERR_ARG;
    if (c->error)
        return c->error;
    if (n > c->rec.in_cap - c->rec.in_len)
        return TLSM_ERR_ARG;
    return conn_idle(c, input_ack(c, n));
}

int tlsm_feed(tlsm_conn *c, const uint8_t *in, size_t len, size_t *consumed)
{
    size_t done = 0;
    if (consumed)
        *consumed = 0;
    if (!c || (!in && len))
        return TLSM_ERR_ARG;
    if (c->error)
        return c->error;
    if (c->eof)
        return TLSM_ERR_STATE;
    /* Copy-in is input_space + input_ack, record by record: one path for both. */
    while (done < len) {
        size_t cap, pending;
        uint8_t *dst = input_space(c, in + done, len - done, &cap);
        if (!dst)
            break;
        size_t n = len - done < cap ? len - done : cap;
        memcpy(dst, in + done, n);
        done += n;
        if (consumed)
            *consumed = done;
        int rc = input_ack(c, n);
        if (rc)
            return conn_idle(c, rc);
        if (rec_plaintext(&c->rec, &pending) || c->blocked)
            break;
    }
    return conn_idle(c, c->error);
}

int tlsm_feed_eof(tlsm_conn *c)
{
    if (!c)
        return TLSM_ERR_ARG;
    c->eof = 1;
    if (c->error)
        return c->error;
    if (c->peer_closed)
        return 0;
    /* s.6.1: without close_notify the peer (or an attacker) cut the stream. */
    return conn_fail(c, FAIL(R_TRUNCATED));
}

const uint8_t *tlsm_output_peek(tlsm_conn *c, size_t *len)
{
    if (!c || !len)
        return NULL;
    conn_autostart(c);
    return rec_output(&c->rec, len);
}

int tlsm_output_consume(tlsm_conn *c, size_t n)
{
    if (!c || rec_output_consume(&c->rec, n))
        return TLSM_ERR_ARG;
    return conn_idle(c, 0);
}

/* ------------------------------------------------------------------ plaintext */

int tlsm_write(tlsm_conn *c, const uint8_t *p, size_t len, size_t *accepted)
{
    size_t done = 0, n = 0;
    if (accepted)
        *accepted = 0;
    if (!c || (!p && len))
        return TLSM_ERR_ARG;
    if (c->error)
        return c->error;
    if (!c->handshake_done)
        return TLSM_ERR_STATE;
    if (c->local_closed)
        return TLSM_ERR_CLOSED;
    while (done < len) {
        if (c->version == TLSM_TLS13 && rec_write_seq(&c->rec) >= KEY_UPDATE_AFTER) {
            int rc = hs_send_key_update(c, 0);
            if (!rc && c->events_lost)
                rc = FAIL(R_NOMEM);
            if (rc)
                return conn_fail(c, rc);
        }
        /* One record per round, so that the key update above comes in time. */
        size_t chunk = len - done < c->rec.peer_max_fragment ? len - done
                                                              : c->rec.peer_max_fragment;
        int rc = rec_write(&c->rec, p + done, chunk, &n);
        if (rc)
            return conn_fail(c, rc);
        done += n;
        if (accepted)
            *accepted = done;
        if (n < chunk)
            break;
    }
    return 0;
}

const uint8_t *tlsm_read_peek(tlsm_conn *c, size_t *len)
{
    if (!c || !len)
        return NULL;
    *len = 0;
    return c->error ? NULL : rec_plaintext(&c->rec, len);
}

int tlsm_read_consume(tlsm_conn *c, size_t n)
{
    if (!c)
        return TLSM_ERR_ARG;
    if (c->error)
        return c->error;
    if (rec_plaintext_consume(&c->rec, n))
        return TLSM_ERR_ARG;
    size_t left;
    return rec_plaintext(&c->rec, &left) ? 0 : conn_idle(c, conn_process_and_flush(c));
}
