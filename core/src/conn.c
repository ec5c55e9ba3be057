/*
 * conn.c - tlsm_conn: the public sans-IO API and the record engine under it.
 *
 * Input: the host's ciphertext is copied into (or written directly to) c->in, which holds
 * at most one maximal record beyond what was processed. Each complete record is checked,
 * decrypted in place and dispatched: handshake bytes go to the reassembly buffer c->msg,
 * alerts are handled here, application data stays in c->in where tlsm_read_peek lends it
 * out; until it is consumed no further record is processed (backpressure, BearSSL-style).
 *
 * Output: records are sealed into c->out; the host borrows and consumes them.
 *
 * Errors are sticky: conn_fail records the first one, queues the alert (if we detected
 * the problem) and every later call returns it.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handshake/handshake.h"
#include "handshake/keysched.h"
#include "handshake/prf12.h"
#include "handshake/suites.h"
#include "internal.h"
#include "record/record.h"
#include "wire/hs_codec.h"
#include "wire/wire.h"

#define OUT_INITIAL (2 * (REC_HEADER_LEN + REC_MAX_CIPHERTEXT_13))
#define OUT_HANDSHAKE_MAX (1u << 20)
/* Input is not processed while more than this is waiting to be sent. */
#define OUT_PENDING_MAX (1u << 17)
/* Room kept in the event queue before a record is processed: a record can add a few
 * events (messages traced, a key update, an alert, the error). */
#define EVENTS_PER_RECORD 8
/* RFC 8446 s.5.5: AES-GCM keys must change well before 2^24.5 records. */
#define KEY_UPDATE_AFTER (1ull << 24)

/* ------------------------------------------------------------------ events, errors */

void conn_event(tlsm_conn *c, tlsm_event_type type, int code, uint8_t alert, uint8_t fatal,
                uint8_t msg_type)
{
    int trace = type == TLSM_EV_MESSAGE_SENT || type == TLSM_EV_MESSAGE_RECEIVED;
    if (c->ev_count == TLSM_EVENT_QUEUE) {
        /* Trace events are best effort; others must not be lost, so they replace the
         * oldest trace event (the queue holds far more than one flight needs). */
        if (trace)
            return;
        size_t i;
        for (i = 0; i < c->ev_count; i++) {
            tlsm_event_type t = c->events[(c->ev_head + i) % TLSM_EVENT_QUEUE].type;
            if (t == TLSM_EV_MESSAGE_SENT || t == TLSM_EV_MESSAGE_RECEIVED)
                break;
        }
        if (i == c->ev_count) {
            /* Only the error must never be lost: it replaces the newest event. */
            if (type != TLSM_EV_ERROR)
                return;
            i = c->ev_count - 1;
        }
        for (; i + 1 < c->ev_count; i++)
            c->events[(c->ev_head + i) % TLSM_EVENT_QUEUE] =
                c->events[(c->ev_head + i + 1) % TLSM_EVENT_QUEUE];
        c->ev_count--;
    }
    tlsm_event *ev = &c->events[(c->ev_head + c->ev_count) % TLSM_EVENT_QUEUE];
    memset(ev, 0, sizeof *ev);
    ev->type = type;
    ev->code = code;
    ev->alert = alert;
    ev->fatal = fatal;
    ev->msg_type = msg_type;
    c->ev_count++;
}

static int flush_handshake(tlsm_conn *c);

void conn_keylog(tlsm_conn *c, const char *label, const uint8_t *client_random,
                 const uint8_t *secret, size_t secret_len)
{
    static const char hex[] = "0123456789abcdef";
    if (!c->cfg->keylog)
        return;
    if (!c->keylog) {
        c->keylog = calloc(KEYLOG_SLOTS, sizeof *c->keylog);
        if (!c->keylog)
            return; /* a debugging aid: losing a line is not a connection failure */
    }
    unsigned slot = c->keylog_next++ % KEYLOG_SLOTS;
    char *o = c->keylog[slot];
    size_t n = strlen(label);
    memcpy(o, label, n);
    o += n;
    *o++ = ' ';
    for (size_t i = 0; i < 32; i++) {
        *o++ = hex[client_random[i] >> 4];
        *o++ = hex[client_random[i] & 15];
    }
    *o++ = ' ';
    for (size_t i = 0; i < secret_len; i++) {
        *o++ = hex[secret[i] >> 4];
        *o++ = hex[secret[i] & 15];
    }
    *o = 0;
    conn_event(c, TLSM_EV_KEYLOG, (int)slot, 0, 0, 0);
}

const char *tlsm_keylog_line(const tlsm_conn *c)
{
    if (!c || !c->keylog || c->keylog_current < 0)
        return NULL;
    return c->keylog[c->keylog_current];
}

void conn_trace_ccs(tlsm_conn *c, tlsm_event_type type)
{
    if (!c->cfg->trace)
        return;
    size_t before = c->ev_count;
    conn_event(c, type, 0, 0, 0, REC_CHANGE_CIPHER_SPEC);
    if (c->ev_count > before)
        c->events[(c->ev_head + c->ev_count - 1) % TLSM_EVENT_QUEUE].ccs = 1;
}

static int send_alert(tlsm_conn *c, uint8_t level, uint8_t desc)
{
    uint8_t a[2] = {level, desc};
    flush_handshake(c);
    return conn_send_records(c, REC_ALERT, a, sizeof a);
}

int conn_send_warning(tlsm_conn *c, uint8_t desc)
{
    int rc = send_alert(c, 1, desc);
    return rc ? conn_fail(c, rc) : 0;
}

int conn_fail(tlsm_conn *c, int code)
{
    if (c->error)
        return c->error;
    c->error = code;
    /* Tell the peer: the alert we chose, or internal_error for our own failures (memory,
     * RNG, buffers). A truncated or peer-closed stream gets nothing back. */
    int silent = TLSM_ERR_IS_PEER_ALERT(code) || code == TLSM_ERR_TRUNCATED ||
                 code == TLSM_ERR_NO_SERVER_NAME; /* the last before anything is sent */
    int alert = TLSM_ERR_IS_LOCAL_ALERT(code) ? TLSM_ERR_ALERT(code)
                : silent                      ? -1
                                              : TLSM_ALERT_INTERNAL_ERROR;
    if (alert >= 0 && !c->local_closed) {
        c->local_closed = 1;
        send_alert(c, 2, (uint8_t)alert);
    }
    c->pt_len = 0;
    conn_event(c, TLSM_EV_ERROR, code, 0, 0, 0);
    return code;
}

int conn_alert(tlsm_conn *c, uint8_t alert)
{
    return conn_fail(c, TLSM_ERR_LOCAL_ALERT(alert));
}

uint64_t conn_now_ms(const tlsm_conn *c)
{
    if (c->cfg->clock)
        return c->cfg->clock(c->cfg->clock_ctx);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------ output */

static int is12(const tlsm_conn *c)
{
    return c->version == TLSM_TLS12;
}

/* An alert that came unprotected although read keys are in place (only accepted, as
 * fatal, during the handshake: see on_record). */
static int plaintext_after_keys(const tlsm_conn *c, int plaintext)
{
    return plaintext && c->rd.cipher.active;
}

/* Bytes a protected record of n content bytes takes on the wire. */
static size_t sealed_len(const tlsm_conn *c, size_t n)
{
    return is12(c) ? record12_sealed_len(c->aead, n) : record_sealed_len(n, 0);
}

/* Makes room for n more bytes; beyond the initial size only for handshake flights. */
static int out_reserve(tlsm_conn *c, size_t n, int may_grow)
{
    if (c->out_off && c->out_off == c->out_len)
        c->out_off = c->out_len = 0;
    if (c->out_cap - c->out_len >= n)
        return 0;
    if (c->out_off) {
        memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
        c->out_len -= c->out_off;
        c->out_off = 0;
        if (c->out_cap - c->out_len >= n)
            return 0;
    }
    if (!may_grow || c->out_len + n > OUT_HANDSHAKE_MAX)
        return TLSM_ERR_BUFFER;
    size_t cap = c->out_cap;
    while (cap - c->out_len < n)
        cap *= 2;
    uint8_t *p = realloc(c->out, cap);
    if (!p)
        return TLSM_ERR_NOMEM;
    c->out = p;
    c->out_cap = cap;
    return 0;
}

/* Seals one fragment into the output. */
static int put_record(tlsm_conn *c, uint8_t type, const uint8_t *p, size_t n, int may_grow)
{
    size_t need = c->wr.cipher.active ? sealed_len(c, n) : REC_HEADER_LEN + n;
    int rc = out_reserve(c, need, may_grow);
    if (rc)
        return rc;
    uint8_t *dst = c->out + c->out_len;
    if (!c->wr.cipher.active) {
        /* s.5.1: legacy_record_version is 0x0303 except for an initial ClientHello, which
         * may use 0x0301 for compatibility with old middleboxes. */
        uint16_t ver = type == REC_HANDSHAKE && c->role == TLSM_ROLE_CLIENT && c->hs &&
                               c->hs->state == HS_C_WAIT_SH && !c->hrr ? 0x0301 : 0x0303;
        dst[0] = type;
        dst[1] = (uint8_t)(ver >> 8);
        dst[2] = (uint8_t)ver;
        dst[3] = (uint8_t)(n >> 8);
        dst[4] = (uint8_t)n;
        memcpy(dst + REC_HEADER_LEN, p, n);
        c->out_len += REC_HEADER_LEN + n;
        return 0;
    }
    size_t written;
    int rc12 = 0;
    if (is12(c)) {
        /* Sealed in place at the offset the TLS 1.2 record wants its content. */
        size_t off = record12_content_offset(c->aead);
        memcpy(dst + off, p, n);
        rc12 = record12_seal(&c->wr.cipher, type, dst + off, n, dst, need, &written);
    } else {
        memcpy(dst + REC_HEADER_LEN, p, n);
        rc12 = record_seal(&c->wr.cipher, type, dst + REC_HEADER_LEN, n, 0, dst, need, &written);
    }
    if (rc12)
        return TLSM_ERR_CRYPTO;
    c->out_len += written;
    return 0;
}

int conn_send_records(tlsm_conn *c, uint8_t type, const uint8_t *p, size_t len)
{
    size_t max = c->peer_max_fragment;
    int grow = type != REC_APPLICATION_DATA;
    do {
        size_t n = len < max ? len : max;
        int rc = put_record(c, type, p, n, grow);
        if (rc)
            return rc;
        p += n;
        len -= n;
    } while (len > 0);
    return 0;
}

/* Handshake messages are collected and sent together, so that a flight (e.g. the server's
 * EncryptedExtensions..Finished) fills as few records as possible. The collection is
 * flushed before anything else is written and before the write keys change. */
int conn_send_handshake(tlsm_conn *c, const uint8_t *msg, size_t len)
{
    if (c->hs_out_len + len > c->hs_out_cap) {
        size_t cap = c->hs_out_cap ? c->hs_out_cap : 4096;
        while (cap < c->hs_out_len + len)
            cap *= 2;
        if (cap > OUT_HANDSHAKE_MAX)
            return conn_alert(c, TLSM_ALERT_INTERNAL_ERROR);
        uint8_t *p = realloc(c->hs_out, cap);
        if (!p)
            return conn_fail(c, TLSM_ERR_NOMEM);
        c->hs_out = p;
        c->hs_out_cap = cap;
    }
    memcpy(c->hs_out + c->hs_out_len, msg, len);
    c->hs_out_len += len;
    return 0;
}

static int flush_handshake(tlsm_conn *c)
{
    if (!c->hs_out_len)
        return 0;
    int rc = conn_send_records(c, REC_HANDSHAKE, c->hs_out, c->hs_out_len);
    crypto_wipe(c->hs_out, c->hs_out_len);
    c->hs_out_len = 0;
    if (c->handshake_done) {
        free(c->hs_out);
        c->hs_out = NULL;
        c->hs_out_cap = 0;
    }
    return rc;
}

int conn_send_ccs(tlsm_conn *c)
{
    /* The compatibility CCS is never encrypted (RFC 8446 D.4, s.5). */
    size_t need = REC_HEADER_LEN + 1;
    int rc = flush_handshake(c);
    if (!rc)
        rc = out_reserve(c, need, 1);
    if (rc)
        return conn_fail(c, rc);
    uint8_t *dst = c->out + c->out_len;
    dst[0] = REC_CHANGE_CIPHER_SPEC;
    dst[1] = 3;
    dst[2] = 3;
    dst[3] = 0;
    dst[4] = 1;
    dst[5] = 1;
    c->out_len += need;
    conn_trace_ccs(c, TLSM_EV_MESSAGE_SENT);
    return 0;
}

int conn_set_keys(tlsm_conn *c, int is_write, const uint8_t *secret)
{
    traffic_dir *d = is_write ? &c->wr : &c->rd;
    uint8_t key[CRYPTO_AEAD_KEY_MAX], iv[CRYPTO_AEAD_NONCE_LEN];
    if (is_write) {
        int frc = flush_handshake(c);
        if (frc)
            return conn_fail(c, frc);
    }
    size_t key_len = crypto_aead_key_len(c->aead);
    int rc = ks_expand_label(c->hash, secret, "key", NULL, 0, key, key_len) ||
             ks_expand_label(c->hash, secret, "iv", NULL, 0, iv, sizeof iv) ||
             record_cipher_init(&d->cipher, c->aead, key, iv);
    crypto_wipe(key, sizeof key);
    crypto_wipe(iv, sizeof iv);
    if (rc)
        return conn_alert(c, TLSM_ALERT_INTERNAL_ERROR);
    if (d->secret != secret)
        memcpy(d->secret, secret, c->hash_len);
    if (!is_write)
        c->rd_changed = 1;
    return 0;
}

int conn_set_keys12(tlsm_conn *c, int is_write, const uint8_t *key, const uint8_t *iv)
{
    traffic_dir *d = is_write ? &c->wr : &c->rd;
    if (is_write) {
        int frc = flush_handshake(c);
        if (frc)
            return conn_fail(c, frc);
    }
    if (record_cipher_init12(&d->cipher, c->aead, key, iv))
        return conn_alert(c, TLSM_ALERT_INTERNAL_ERROR);
    if (!is_write)
        c->rd_changed = 1;
    return 0;
}

/* ------------------------------------------------------------------ input */

/* A peer that sends warnings without end (or keeps asking to renegotiate) is cut off. */
#define MAX_WARNINGS 16

int conn_count_warning(tlsm_conn *c)
{
    if (++c->warnings > MAX_WARNINGS)
        return conn_alert(c, TLSM_ALERT_UNEXPECTED_MESSAGE);
    return 0;
}

static int on_alert(tlsm_conn *c, const uint8_t *p, size_t len, int plaintext)
{
    /* s.5.1: alerts are never fragmented: exactly one per record. */
    if (len != 2)
        return conn_alert(c, TLSM_ALERT_DECODE_ERROR);
    uint8_t level = p[0], desc = p[1];
    if (desc == TLSM_ALERT_CLOSE_NOTIFY && c->handshake_done) {
        c->peer_closed = 1;
        conn_event(c, TLSM_EV_PEER_CLOSED, 0, desc, 0, 0);
        return 0;
    }
    /* Warnings: TLS 1.2 ones (e.g. no_renegotiation, or unrecognized_name from a 1.2 server
     * before its ServerHello) inform; in TLS 1.3 only user_canceled may be a warning. An
     * unprotected warning after keys are in place is not trusted. */
    int can_warn = is12(c) || (!c->version && c->cfg->min_version <= TLSM_TLS12);
    if (level == 1 && desc != TLSM_ALERT_CLOSE_NOTIFY && !plaintext_after_keys(c, plaintext) &&
        (desc == TLSM_ALERT_USER_CANCELED || can_warn)) {
        conn_event(c, TLSM_EV_ALERT, 0, desc, 0, 0);
        return conn_count_warning(c);
    }
    /* s.6: in TLS 1.3 every other alert is fatal whatever its level says; a close_notify
     * before the handshake finished ends it unfinished. */
    conn_event(c, TLSM_EV_ALERT, 0, desc, 1, 0);
    c->local_closed = 1; /* no alert goes back after a fatal one */
    return conn_fail(c, TLSM_ERR_PEER_ALERT(desc));
}

static int process_messages(tlsm_conn *c);

static int on_handshake_data(tlsm_conn *c, const uint8_t *p, size_t len)
{
    /* s.5.1: zero-length handshake fragments are not allowed. */
    if (len == 0)
        return conn_alert(c, TLSM_ALERT_UNEXPECTED_MESSAGE);
    if (c->msg_len + len > c->msg_cap) {
        size_t limit = TLSM_MAX_HS_MESSAGE + HS_HEADER_LEN + REC_MAX_PLAINTEXT;
        size_t cap = c->msg_cap ? c->msg_cap : 4096;
        while (cap < c->msg_len + len)
            cap *= 2;
        if (cap > limit)
            cap = limit;
        if (c->msg_len + len > cap)
            return conn_alert(c, TLSM_ALERT_DECODE_ERROR);
        uint8_t *m = realloc(c->msg, cap);
        if (!m)
            return conn_fail(c, TLSM_ERR_NOMEM);
        c->msg = m;
        c->msg_cap = cap;
    }
    memcpy(c->msg + c->msg_len, p, len);
    c->msg_len += len;
    return process_messages(c);
}

/* Runs every complete handshake message in the reassembly buffer. */
static int process_messages(tlsm_conn *c)
{
    /* Messages wait in the buffer while the host has not taken the events of earlier ones
     * (many tickets in one record, say): events are never dropped. */
    while (c->msg_len >= HS_HEADER_LEN && !c->error && !c->blocked &&
           c->ev_count <= TLSM_EVENT_QUEUE - EVENTS_PER_RECORD) {
        size_t body = (size_t)c->msg[1] << 16 | (size_t)c->msg[2] << 8 | c->msg[3];
        if (body > TLSM_MAX_HS_MESSAGE)
            return conn_alert(c, TLSM_ALERT_DECODE_ERROR);
        if (c->msg_len < HS_HEADER_LEN + body)
            break;
        c->rd_changed = 0;
        int rc = hs_on_message(c, c->msg, HS_HEADER_LEN + body);
        memmove(c->msg, c->msg + HS_HEADER_LEN + body, c->msg_len - HS_HEADER_LEN - body);
        c->msg_len -= HS_HEADER_LEN + body;
        if (rc)
            return rc;
        /* s.5.1: handshake messages must not span a key change. */
        if (c->rd_changed && c->msg_len)
            return conn_alert(c, TLSM_ALERT_UNEXPECTED_MESSAGE);
    }
    if (c->msg_len == 0 && c->handshake_done && c->msg) {
        crypto_wipe(c->msg, c->msg_cap);
        free(c->msg);
        c->msg = NULL;
        c->msg_cap = 0;
    }
    return c->error;
}

/* RFC 8449 s.4: our limit binds the peer only once the extension was negotiated. */
static size_t max_plaintext_in(const tlsm_conn *c)
{
    return c->rsl_negotiated ? c->max_plaintext_in : REC_MAX_PLAINTEXT;
}

/* Processes the record at the start of c->in (complete, header checked). */
static int on_record(tlsm_conn *c, size_t body_len)
{
    uint8_t *rec = c->in;
    uint8_t type = rec[0];
    uint8_t *content = rec + REC_HEADER_LEN;
    size_t len = body_len;
    int decrypted = 0;

    /* Data after close_notify is ignored (s.6.1). */
    if (c->peer_closed)
        return 0;
    if (type == REC_CHANGE_CIPHER_SPEC && is12(c)) {
        /* RFC 5246 s.7.1: one byte 0x01, between whole handshake messages, where the
         * handshake expects it; it is never encrypted in the initial handshake. */
        if (c->rd.cipher.active || c->msg_len)
            return conn_alert(c, TLSM_ALERT_UNEXPECTED_MESSAGE);
        if (len != 1 || content[0] != 1)
            return conn_alert(c, TLSM_ALERT_DECODE_ERROR);
        return hs12_on_ccs(c);
    }
    if (type == REC_CHANGE_CIPHER_SPEC) {
        /* s.5: a plaintext CCS of one 0x01 byte may arrive between the first ClientHello
         * and the peer's Finished and is dropped; any other is unexpected_message. */
        if (len == 1 && content[0] == 1 && c->accept_plain_ccs && c->msg_len == 0)
            return 0;
        return conn_alert(c, TLSM_ALERT_UNEXPECTED_MESSAGE);
    }
    if (c->rd.cipher.active && is12(c)) {
        /* TLS 1.2: the record type is the header's; everything after CCS is protected. */
        int rc = record12_open(&c->rd.cipher, rec, len, max_plaintext_in(c), &content, &len);
        if (rc)
            return conn_alert(c, (uint8_t)-rc);
        decrypted = 1;
    } else if (c->rd.cipher.active && type == REC_ALERT && !c->handshake_done) {
        /* A peer that failed before it had keys (e.g. on our ServerHello) rightly sends its
         * alert in plaintext (s.6); read it rather than misreport its reason. */
        if (len > REC_MAX_PLAINTEXT)
            return conn_alert(c, TLSM_ALERT_RECORD_OVERFLOW);
    } else if (c->rd.cipher.active) {
        if (type != REC_APPLICATION_DATA)
            return conn_alert(c, TLSM_ALERT_UNEXPECTED_MESSAGE);
        int rc = record_open(&c->rd.cipher, rec, len, max_plaintext_in(c), &type, &content, &len);
        if (rc)
            return conn_alert(c, (uint8_t)-rc);
        decrypted = 1;
    } else {
        if (type == REC_APPLICATION_DATA)
            return conn_alert(c, TLSM_ALERT_UNEXPECTED_MESSAGE);
        if (len > REC_MAX_PLAINTEXT)
            return conn_alert(c, TLSM_ALERT_RECORD_OVERFLOW);
    }
    /* s.5.1: handshake messages may not be interleaved with other record types. */
    if (type != REC_HANDSHAKE && c->msg_len)
        return conn_alert(c, TLSM_ALERT_UNEXPECTED_MESSAGE);
    switch (type) {
    case REC_HANDSHAKE:
        return on_handshake_data(c, content, len);
    case REC_ALERT:
        return on_alert(c, content, len, !decrypted);
    case REC_APPLICATION_DATA:
        /* Before the handshake completes (we accept no 0-RTT) there is no app data. */
        if (!c->handshake_done)
            return conn_alert(c, TLSM_ALERT_UNEXPECTED_MESSAGE);
        c->pt_off = (size_t)(content - c->in);
        c->pt_len = len;
        return 0;
    default:
        return conn_alert(c, TLSM_ALERT_UNEXPECTED_MESSAGE);
    }
}

static int process_input(tlsm_conn *c)
{
    int mrc = process_messages(c);
    if (mrc)
        return mrc;
    while (!c->error) {
        if (c->msg_len >= HS_HEADER_LEN &&
            c->msg_len >= HS_HEADER_LEN + ((size_t)c->msg[1] << 16 | (size_t)c->msg[2] << 8 | c->msg[3]))
            return 0; /* whole messages still wait for the host to take events */
        if (c->in_hold) {
            if (c->pt_len)
                return 0; /* the host must read the plaintext first */
            memmove(c->in, c->in + c->in_hold, c->in_len - c->in_hold);
            c->in_len -= c->in_hold;
            c->in_hold = 0;
        }
        /* Backpressure: the host must take our output and our events before we read
         * more (a peer cannot make either grow without bound, e.g. with KeyUpdates). */
        if (c->blocked || c->in_len < REC_HEADER_LEN || c->out_len - c->out_off > OUT_PENDING_MAX ||
            c->ev_count > TLSM_EVENT_QUEUE - EVENTS_PER_RECORD)
            return 0;
        uint8_t type = c->in[0];
        size_t len = (size_t)c->in[3] << 8 | c->in[4];
        /* s.5: unknown record types are unexpected_message; s.5.2: ciphertext above
         * 2^14 + 256 is record_overflow. */
        if (type < REC_CHANGE_CIPHER_SPEC || type > REC_APPLICATION_DATA)
            return conn_alert(c, TLSM_ALERT_UNEXPECTED_MESSAGE);
        /* RFC 5246 s.6.2.3 allows 2^14 + 2048 in TLS 1.2. */
        if (len > (is12(c) ? REC_MAX_CIPHERTEXT_12 : REC_MAX_CIPHERTEXT_13))
            return conn_alert(c, TLSM_ALERT_RECORD_OVERFLOW);
        if (c->in_len < REC_HEADER_LEN + len)
            return 0;
        c->in_hold = REC_HEADER_LEN + len;
        int rc = on_record(c, len);
        if (rc)
            return rc;
    }
    return c->error;
}

/* Processes buffered input, then sends what the handshake produced. While an external
 * signature is pending the flight stays together: it goes out whole after tlsm_sign_done. */
static int process_and_flush(tlsm_conn *c)
{
    int rc = process_input(c);
    if (rc || c->blocked)
        return rc;
    rc = flush_handshake(c);
    /* Handshake-only memory goes once the handshake is over (DESIGN.md). */
    if (c->handshake_done && c->hs_out && !c->hs_out_len) {
        free(c->hs_out);
        c->hs_out = NULL;
        c->hs_out_cap = 0;
    }
    return rc ? conn_fail(c, rc) : 0;
}

/* ------------------------------------------------------------------ public API */

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
    tlsm_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->out = malloc(OUT_INITIAL);
    if (!c->out) {
        free(c);
        return NULL;
    }
    c->out_cap = OUT_INITIAL;
    c->cfg = tlsm_config_ref(cfg);
    c->keylog_current = -1;
    c->role = cfg->role;
    c->peer_max_fragment = REC_MAX_PLAINTEXT;
    c->max_plaintext_in = cfg->record_size_limit;
    c->hash_len = crypto_hash_len(HASH_SHA256);
    if (server_name) {
        memcpy(c->server_name, server_name, name_len);
        c->server_name[name_len] = 0;
    }
    if (hs_create(c)) {
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
    record_cipher_wipe(&c->rd.cipher);
    record_cipher_wipe(&c->wr.cipher);
    if (c->msg) {
        crypto_wipe(c->msg, c->msg_cap);
        free(c->msg);
    }
    if (c->out) {
        crypto_wipe(c->out, c->out_cap);
        free(c->out);
    }
    if (c->hs_out) {
        crypto_wipe(c->hs_out, c->hs_out_cap);
        free(c->hs_out);
    }
    if (c->keylog) {
        crypto_wipe(c->keylog, KEYLOG_SLOTS * sizeof *c->keylog);
        free(c->keylog);
    }
    free(c->peer_chain);
    tlsm_config_free(c->cfg);
    crypto_wipe(c, sizeof *c);
    free(c);
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
        return conn_fail(c, TLSM_ERR_NO_SERVER_NAME);
    /* RFC 8446 s.5: a TLS 1.3 client drops a compatibility CCS; one that offered only
     * TLS 1.2 has no such rule (RFC 5246 s.7.1). */
    c->accept_plain_ccs = c->cfg->max_version >= TLSM_TLS13;
    int rc = hs_client_start(c);
    return rc ? rc : process_and_flush(c);
}

uint8_t *tlsm_input_buf(tlsm_conn *c, size_t *cap)
{
    if (!c || !cap)
        return NULL;
    *cap = 0;
    if (c->error || c->eof)
        return NULL;
    *cap = sizeof c->in - c->in_len;
    return *cap ? c->in + c->in_len : NULL;
}

int tlsm_input_ack(tlsm_conn *c, size_t n)
{
    if (!c)
        return TLSM_ERR_ARG;
    if (c->error)
        return c->error;
    if (n > sizeof c->in - c->in_len)
        return TLSM_ERR_ARG;
    if (c->role == TLSM_ROLE_CLIENT && !c->started) {
        int rc = tlsm_conn_start(c);
        if (rc)
            return rc;
    }
    c->in_len += n;
    return process_and_flush(c);
}

int tlsm_feed(tlsm_conn *c, const uint8_t *in, size_t len, size_t *consumed)
{
    size_t done = 0;
    int rc = 0;
    if (consumed)
        *consumed = 0;
    if (!c || (!in && len))
        return TLSM_ERR_ARG;
    if (c->error)
        return c->error;
    if (c->eof)
        return TLSM_ERR_STATE;
    /* Copy-in is input_buf + input_ack: one path for both. */
    while (done < len) {
        size_t cap;
        uint8_t *dst = tlsm_input_buf(c, &cap);
        if (!dst)
            break;
        size_t n = len - done < cap ? len - done : cap;
        memcpy(dst, in + done, n);
        done += n;
        if (consumed)
            *consumed = done;
        rc = tlsm_input_ack(c, n);
        if (rc)
            return rc;
        if (c->pt_len || c->blocked)
            break;
    }
    return c->error;
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
    /* No close_notify: the peer (or an attacker) cut the stream (s.6.1). */
    c->local_closed = 1;
    return conn_fail(c, TLSM_ERR_TRUNCATED);
}

/* The client's first output or status query starts the handshake; a failure is sticky
 * and shows in the status. */
static void autostart(tlsm_conn *c)
{
    if (c->role == TLSM_ROLE_CLIENT && !c->started && !c->error) {
        int rc = tlsm_conn_start(c);
        (void)rc;
    }
}

const uint8_t *tlsm_output_peek(tlsm_conn *c, size_t *len)
{
    if (!c || !len)
        return NULL;
    autostart(c);
    *len = c->out_len - c->out_off;
    return *len ? c->out + c->out_off : NULL;
}

int tlsm_output_consume(tlsm_conn *c, size_t n)
{
    if (!c || n > c->out_len - c->out_off)
        return TLSM_ERR_ARG;
    c->out_off += n;
    if (c->out_off == c->out_len)
        c->out_off = c->out_len = 0;
    return 0;
}

int tlsm_write(tlsm_conn *c, const uint8_t *p, size_t len, size_t *accepted)
{
    size_t done = 0;
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
        if (!is12(c) && c->wr.cipher.seq >= KEY_UPDATE_AFTER) {
            int rc = hs_send_key_update(c, 0);
            if (rc)
                return rc;
        }
        size_t n = len - done;
        if (n > c->peer_max_fragment)
            n = c->peer_max_fragment;
        /* Shrink the last record to the room left rather than refusing it. */
        out_reserve(c, 0, 0);
        size_t room = c->out_cap - (c->out_len - c->out_off);
        size_t overhead = sealed_len(c, 0);
        if (room <= overhead)
            break;
        if (sealed_len(c, n) > room)
            n = room - overhead;
        int rc = put_record(c, REC_APPLICATION_DATA, p + done, n, 0);
        if (rc == TLSM_ERR_BUFFER)
            break;
        if (rc)
            return conn_fail(c, rc);
        done += n;
        if (accepted)
            *accepted = done;
    }
    return 0;
}

const uint8_t *tlsm_read_peek(tlsm_conn *c, size_t *len)
{
    if (!c || !len)
        return NULL;
    *len = c->error ? 0 : c->pt_len;
    return *len ? c->in + c->pt_off : NULL;
}

int tlsm_read_consume(tlsm_conn *c, size_t n)
{
    if (!c)
        return TLSM_ERR_ARG;
    if (c->error)
        return c->error;
    if (n > c->pt_len)
        return TLSM_ERR_ARG;
    c->pt_off += n;
    c->pt_len -= n;
    if (c->pt_len)
        return 0;
    return process_and_flush(c);
}

unsigned tlsm_status(tlsm_conn *c)
{
    unsigned s = 0;
    if (!c)
        return TLSM_STATUS_CLOSED | TLSM_STATUS_ERROR;
    autostart(c);
    if (c->out_len > c->out_off)
        s |= TLSM_STATUS_HAS_OUTPUT;
    if (c->pt_len && !c->error)
        s |= TLSM_STATUS_HAS_PLAINTEXT;
    if (c->blocked)
        s |= TLSM_STATUS_BLOCKED;
    if (!c->handshake_done)
        s |= TLSM_STATUS_HANDSHAKING;
    if (c->error)
        s |= TLSM_STATUS_ERROR | TLSM_STATUS_CLOSED;
    else if (c->peer_closed)
        s |= TLSM_STATUS_CLOSED;
    else if (!c->blocked && !c->pt_len && !c->eof)
        s |= TLSM_STATUS_WANT_INPUT;
    if (c->handshake_done && !c->error && !c->local_closed &&
        c->out_cap - (c->out_len - c->out_off) > sealed_len(c, 0))
        s |= TLSM_STATUS_CAN_WRITE;
    return s;
}

int tlsm_next_event(tlsm_conn *c, tlsm_event *ev)
{
    if (!c || !ev || c->ev_count == 0)
        return 0;
    *ev = c->events[c->ev_head];
    c->ev_head = (c->ev_head + 1) % TLSM_EVENT_QUEUE;
    c->ev_count--;
    c->keylog_current = ev->type == TLSM_EV_KEYLOG ? ev->code : -1;
    return 1;
}

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
    if (rc)
        return rc;
    /* Messages and records that arrived while we were blocked. */
    rc = process_messages(c);
    return rc ? rc : process_and_flush(c);
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
        return conn_alert(c, alert ? alert : TLSM_ALERT_BAD_CERTIFICATE);
    }
    int rc = process_messages(c);
    return rc ? rc : process_and_flush(c);
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
    int rc = send_alert(c, 1, TLSM_ALERT_CLOSE_NOTIFY);
    return rc ? conn_fail(c, rc) : 0;
}

int tlsm_key_update(tlsm_conn *c, int ask_peer)
{
    if (!c)
        return TLSM_ERR_ARG;
    if (c->error)
        return c->error;
    if (!c->handshake_done || is12(c)) /* KeyUpdate exists in TLS 1.3 only */
        return TLSM_ERR_STATE;
    if (c->local_closed)
        return TLSM_ERR_CLOSED;
    return hs_send_key_update(c, ask_peer);
}

int tlsm_export_keying_material(tlsm_conn *c, const char *label, size_t label_len,
                                const uint8_t *context, size_t context_len, uint8_t *out,
                                size_t out_len)
{
    if (!c || !label || !out || (!context && context_len) || out_len == 0)
        return TLSM_ERR_ARG;
    if (c->error)
        return c->error;
    if (!c->handshake_done)
        return TLSM_ERR_STATE;
    if (is12(c)) {
        /* RFC 5705 s.4: PRF(master, label, client_random || server_random
         * [|| context_length(2) || context]); the RFC 7627 s.5.4 caution applies to
         * non-EMS sessions, which are refused by default. */
        uint8_t seed[64 + 2 + 512];
        size_t seed_len = 64;
        if (context_len > 512 || label_len > 64)
            return TLSM_ERR_ARG;
        memcpy(seed, c->randoms, 64);
        if (context) {
            seed[64] = (uint8_t)(context_len >> 8);
            seed[65] = (uint8_t)context_len;
            memcpy(seed + 66, context, context_len);
            seed_len += 2 + context_len;
        }
        char lab[65];
        memcpy(lab, label, label_len);
        lab[label_len] = 0;
        if (memchr(label, 0, label_len))
            return TLSM_ERR_ARG;
        int prc = prf12(c->hash, c->master12, sizeof c->master12, lab, seed, seed_len, NULL, 0,
                        out, out_len);
        return prc ? TLSM_ERR_ARG : 0;
    }
    /* RFC 8446 s.7.5: HKDF-Expand-Label(Derive-Secret(exporter, label, ""), "exporter",
     * Hash(context), length); no context and empty context are the same in TLS 1.3. */
    uint8_t secret[CRYPTO_HASH_MAX], empty[CRYPTO_HASH_MAX], chash[CRYPTO_HASH_MAX];
    crypto_hash(c->hash, NULL, 0, empty);
    crypto_hash(c->hash, context, context_len, chash);
    int rc = ks_expand_label_n(c->hash, c->exporter_secret, (const uint8_t *)label, label_len,
                               empty, c->hash_len, secret, c->hash_len) ||
             ks_expand_label(c->hash, secret, "exporter", chash, c->hash_len, out, out_len);
    crypto_wipe(secret, sizeof secret);
    return rc ? TLSM_ERR_ARG : 0;
}

/* ------------------------------------------------------------------ facts */

int tlsm_conn_error(const tlsm_conn *c) { return c ? c->error : TLSM_ERR_ARG; }
int tlsm_conn_verify_error(const tlsm_conn *c) { return c ? c->verify_error : 0; }
int tlsm_conn_handshake_done(const tlsm_conn *c) { return c && c->handshake_done; }
uint16_t tlsm_conn_version(const tlsm_conn *c) { return c && c->handshake_done ? c->version : 0; }
uint16_t tlsm_conn_suite(const tlsm_conn *c) { return c && c->handshake_done ? c->suite : 0; }
uint16_t tlsm_conn_group(const tlsm_conn *c) { return c && c->handshake_done ? c->group : 0; }
uint16_t tlsm_conn_peer_sigalg(const tlsm_conn *c) { return c ? c->peer_sigalg : 0; }
int tlsm_conn_resumed(const tlsm_conn *c) { return c && c->resumed; }
int tlsm_conn_hrr(const tlsm_conn *c) { return c && c->hrr; }

const uint8_t *tlsm_conn_alpn(const tlsm_conn *c, size_t *len)
{
    if (len)
        *len = c ? c->alpn_len : 0;
    return c && c->alpn_len ? c->alpn : NULL;
}

const char *tlsm_conn_server_name(const tlsm_conn *c)
{
    return c && c->server_name[0] ? c->server_name : NULL;
}

size_t tlsm_conn_peer_cert_count(const tlsm_conn *c) { return c ? c->peer_cert_n : 0; }

const uint8_t *tlsm_conn_peer_cert(const tlsm_conn *c, size_t index, size_t *len)
{
    if (!c || index >= c->peer_cert_n) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = c->peer_cert_len[index];
    return c->peer_chain + c->peer_cert_off[index];
}

/* Session blob (version 2): 'T' 2 | protocol u16 | suite u16 | age_add u32 | lifetime u32 |
 * received_ms u64 | ems u8 | secret<1> | ticket<2> | session_id<1> | server_name<1>. The
 * secret is the TLS 1.3 PSK or the TLS 1.2 master secret. */
int tlsm_conn_get_session(const tlsm_conn *c, uint8_t *buf, size_t cap, size_t *len)
{
    if (!c || !len)
        return TLSM_ERR_ARG;
    /* RFC 5246 s.7.2.2: a failed connection's session is forgotten. */
    if (c->error)
        return c->error;
    if (!c->session.valid)
        return TLSM_ERR_NO_SESSION;
    const tlsm_session *s = &c->session;
    size_t name_len = strlen(s->server_name);
    size_t need = 2 + 2 + 2 + 4 + 4 + 8 + 1 + 1 + s->secret_len + 2 + s->ticket_len + 1 +
                  s->sid_len + 1 + name_len;
    *len = need;
    if (!buf)
        return 0;
    if (cap < need)
        return TLSM_ERR_BUFFER;
    wire_writer w;
    wire_writer_init(&w, buf, cap);
    wire_put_u8(&w, 'T');
    wire_put_u8(&w, 2);
    wire_put_u16(&w, s->version);
    wire_put_u16(&w, s->suite);
    wire_put_u32(&w, s->age_add);
    wire_put_u32(&w, s->lifetime);
    wire_put_u64(&w, s->received_ms);
    wire_put_u8(&w, s->ems);
    wire_put_block(&w, 1, s->secret, s->secret_len);
    wire_put_block(&w, 2, s->ticket, s->ticket_len);
    wire_put_block(&w, 1, s->sid, s->sid_len);
    wire_put_block(&w, 1, (const uint8_t *)s->server_name, name_len);
    return w.err ? TLSM_ERR_BUFFER : 0;
}

int tlsm_conn_set_session(tlsm_conn *c, const uint8_t *blob, size_t len)
{
    if (!c || !blob)
        return TLSM_ERR_ARG;
    if (c->role != TLSM_ROLE_CLIENT || c->started)
        return TLSM_ERR_STATE;
    tlsm_session s;
    memset(&s, 0, sizeof s);
    wire_reader r, secret, ticket, sid, name;
    wire_init(&r, blob, len);
    uint8_t magic = wire_u8(&r), format = wire_u8(&r);
    s.version = wire_u16(&r);
    s.suite = wire_u16(&r);
    s.age_add = wire_u32(&r);
    s.lifetime = wire_u32(&r);
    s.received_ms = wire_u64(&r);
    s.ems = wire_u8(&r);
    wire_block(&r, 1, 32, CRYPTO_HASH_MAX, &secret);
    wire_block(&r, 2, 0, sizeof s.ticket, &ticket);
    wire_block(&r, 1, 0, sizeof s.sid, &sid);
    wire_block(&r, 1, 0, sizeof s.server_name - 1, &name);
    const suite_info *si = suite_find(s.suite);
    int ok = !wire_end(&r) && magic == 'T' && format == 2 && si && si->version == s.version &&
             s.ems <= 1;
    /* A 1.3 session carries a PSK of the suite's hash length and a ticket; a 1.2 session a
     * 48-byte master secret and a session id or a ticket. */
    if (ok && s.version == TLSM_TLS13)
        ok = secret.len == crypto_hash_len(si->hash) && ticket.len > 0;
    else if (ok)
        ok = secret.len == 48 && (ticket.len > 0 || sid.len > 0);
    if (ok && name.len && memchr(name.p, 0, name.len))
        ok = 0;
    if (!ok)
        return TLSM_ERR_ARG;
    memcpy(s.secret, secret.p, secret.len);
    s.secret_len = secret.len;
    memcpy(s.ticket, ticket.p, ticket.len);
    s.ticket_len = ticket.len;
    memcpy(s.sid, sid.p, sid.len);
    s.sid_len = sid.len;
    memcpy(s.server_name, name.p, name.len);
    s.server_name[name.len] = 0;
    s.valid = 1;
    c->session = s;
    c->offer_session = 1;
    crypto_wipe(&s, sizeof s);
    return 0;
}
