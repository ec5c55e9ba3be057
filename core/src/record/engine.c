/*
 * engine.c - the record engine of engine.h: output sealing and handshake packing, input
 * framing and opening, the buffers behind both. RFC 8446 s.5 and RFC 5246 s.6.2 rules
 * that concern the framing of the stream live here; which record types are allowed when
 * is the connection's and the handshake's business.
 */
#include "record/engine.h"
#include "mem.h"

#include <stdlib.h>
#include <string.h>

#include "reason.h"

void rec_init(rec_engine *e)
{
    memset(e, 0, sizeof *e);
    e->peer_max_fragment = REC_MAX_PLAINTEXT;
    e->max_plaintext_in = REC_MAX_PLAINTEXT;
    e->plain_alert_ok = 1;
}

static void free_wiped(uint8_t **p, size_t len)
{
    if (*p) {
        crypto_wipe(*p, len);
        mem_free(*p);
        *p = NULL;
    }
}

/* The input buffer holds decrypted application data: wiped before it goes. */
static void in_release(rec_engine *e)
{
    free_wiped(&e->in, e->in_init);
    e->in_len = e->in_hold = e->in_cap = e->in_init = 0;
    e->pt_off = e->pt_len = 0;
    e->in_app = 0;
}

/* The output buffer holds only bytes as they go on the wire (a record whose sealing fails
 * is wiped at once): nothing to wipe. */
static void out_release(rec_engine *e)
{
    mem_free(e->out);
    e->out = NULL;
    e->out_off = e->out_len = e->out_cap = 0;
    e->out_app = 0;
}

void rec_free(rec_engine *e)
{
    record_cipher_wipe(&e->rd);
    record_cipher_wipe(&e->wr);
    out_release(e);
    free_wiped(&e->hs_out, e->hs_out_cap);
    in_release(e);
}

/* Reuse, not churn: a buffer of small application records stays for the next record.
 * Releasing one costs an allocation, a free and (input) a wipe per record, a few percent of
 * the time of a 1 KiB record; keeping it costs at most REC_KEEP_MAX bytes while idle. A
 * large buffer, or one that carried only handshake records, goes as soon as it is empty. */
static int keep(int app, size_t cap)
{
    return app && cap <= REC_KEEP_MAX;
}

void rec_idle(rec_engine *e)
{
    if (e->in && !e->pt_len && e->in_len == e->in_hold) {
        e->in_len = e->in_hold = 0;
        if (!keep(e->in_app, e->in_cap))
            in_release(e);
    }
    if (e->out && e->out_off == e->out_len) {
        e->out_off = e->out_len = 0;
        if (!keep(e->out_app, e->out_cap))
            out_release(e);
    }
}

size_t rec_heap_bytes(const rec_engine *e)
{
    return e->in_cap + e->out_cap + e->hs_out_cap + e->rd.aead_size + e->wr.aead_size;
}

/* ------------------------------------------------------------------ protection */

static int write_is12(const rec_engine *e)
{
    return e->wr.active && e->wr.nonce_style != REC_NONCE_TLS13;
}

static int read_is12(const rec_engine *e)
{
    return e->rd.active && e->rd.nonce_style != REC_NONCE_TLS13;
}

int rec_set_cipher13(rec_engine *e, int is_write, aead_alg aead, const uint8_t *key,
                     const uint8_t *iv)
{
    if (is_write) {
        int rc = rec_flush_handshake(e);
        if (rc)
            return rc;
    }
    record_cipher *c = is_write ? &e->wr : &e->rd;
    int rc = record_cipher_init(c, aead, key, iv);
    if (rc)
        return rc == -1 ? FAIL(R_KEY_SCHEDULE) : rc;
    if (!is_write)
        e->rd_changed = 1;
    return 0;
}

int rec_set_cipher12(rec_engine *e, int is_write, aead_alg aead, const uint8_t *key,
                     const uint8_t *iv)
{
    if (is_write) {
        int rc = rec_flush_handshake(e);
        if (rc)
            return rc;
    }
    record_cipher *c = is_write ? &e->wr : &e->rd;
    int rc = record_cipher_init12(c, aead, key, iv);
    if (rc)
        return rc == -1 ? FAIL(R_KEY_SCHEDULE) : rc;
    if (!is_write)
        e->rd_changed = 1;
    return 0;
}

/* ------------------------------------------------------------------ output */

/* Bytes a record of n content bytes takes on the wire with the current write keys. */
static size_t sealed_len(const rec_engine *e, size_t n)
{
    if (!e->wr.active)
        return REC_HEADER_LEN + n;
    return write_is12(e) ? record12_sealed_len(e->wr.alg, n) : record_sealed_len(n, 0);
}

/* Makes room for n more bytes, allocating or growing the buffer so that it holds at most
 * `limit` bytes: REC_OUT_APP_MAX for application data, REC_OUT_HANDSHAKE_MAX otherwise. */
static int out_reserve(rec_engine *e, size_t n, size_t limit)
{
    if (e->out_off && e->out_off == e->out_len)
        e->out_off = e->out_len = 0;
    if (e->out_cap - e->out_len >= n)
        return 0;
    if (e->out_off) {
        memmove(e->out, e->out + e->out_off, e->out_len - e->out_off);
        e->out_len -= e->out_off;
        e->out_off = 0;
        if (e->out_cap - e->out_len >= n)
            return 0;
    }
    if (e->out_len + n > limit)
        return limit < REC_OUT_HANDSHAKE_MAX ? FAIL(R_OUTPUT_FULL) : FAIL(R_HS_FLIGHT_TOO_LARGE);
    /* The first allocation is exact (one record, or one flight's first record); growth
     * doubles, so a flight of many records moves its bytes a few times only. */
    size_t cap = e->out_cap ? e->out_cap : n;
    while (cap - e->out_len < n)
        cap *= 2;
    if (cap > limit)
        cap = limit;
    uint8_t *p = mem_realloc(e->out, cap);
    if (!p)
        return FAIL(R_NOMEM);
    e->out = p;
    e->out_cap = cap;
    return 0;
}

/* Seals one fragment into the output. */
static int put_record(rec_engine *e, uint8_t type, const uint8_t *p, size_t n)
{
    size_t need = sealed_len(e, n);
    int rc = out_reserve(e, need,
                         type == REC_APPLICATION_DATA ? REC_OUT_APP_MAX : REC_OUT_HANDSHAKE_MAX);
    if (rc)
        return rc;
    uint8_t *dst = e->out + e->out_len;
    if (!e->wr.active) {
        /* RFC 8446 s.5.1: "legacy_record_version: MUST be set to 0x0303 for all records
         * generated by a TLS 1.3 implementation other than an initial ClientHello (i.e.,
         * one not generated after a HelloRetryRequest), where it MAY also be 0x0301 for
         * compatibility purposes." */
        uint16_t ver = type == REC_HANDSHAKE && e->hello_version_0301 ? 0x0301 : 0x0303;
        dst[0] = type;
        dst[1] = (uint8_t)(ver >> 8);
        dst[2] = (uint8_t)ver;
        dst[3] = (uint8_t)(n >> 8);
        dst[4] = (uint8_t)n;
        memcpy(dst + REC_HEADER_LEN, p, n);
        e->out_len += REC_HEADER_LEN + n;
        return 0;
    }
    size_t written;
    if (write_is12(e)) {
        /* Sealed in place at the offset the TLS 1.2 record wants its content. */
        size_t off = record12_content_offset(e->wr.alg);
        memmove(dst + off, p, n);
        rc = record12_seal(&e->wr, type, dst + off, n, dst, need, &written);
    } else {
        memmove(dst + REC_HEADER_LEN, p, n);
        rc = record_seal(&e->wr, type, dst + REC_HEADER_LEN, n, 0, dst, need, &written);
    }
    if (rc) {
        crypto_wipe(dst, need); /* the plaintext moved in for sealing in place */
        return FAIL(R_CRYPTO);
    }
    if (type == REC_APPLICATION_DATA)
        e->out_app = 1;
    e->out_len += written;
    return 0;
}

static int send_fragments(rec_engine *e, uint8_t type, const uint8_t *p, size_t len)
{
    size_t max = e->peer_max_fragment;
    do {
        size_t n = len < max ? len : max;
        int rc = put_record(e, type, p, n);
        if (rc)
            return rc;
        p += n;
        len -= n;
    } while (len > 0);
    return 0;
}

int rec_send(rec_engine *e, uint8_t type, const uint8_t *p, size_t len)
{
    int rc = rec_flush_handshake(e);
    return rc ? rc : send_fragments(e, type, p, len);
}

int rec_queue_handshake(rec_engine *e, const uint8_t *msg, size_t len)
{
    if (e->hs_out_len + len > e->hs_out_cap) {
        size_t cap = e->hs_out_cap ? e->hs_out_cap : 4096;
        while (cap < e->hs_out_len + len)
            cap *= 2;
        if (cap > REC_OUT_HANDSHAKE_MAX)
            return FAIL(R_HS_FLIGHT_TOO_LARGE);
        uint8_t *p = mem_realloc(e->hs_out, cap);
        if (!p)
            return FAIL(R_NOMEM);
        e->hs_out = p;
        e->hs_out_cap = cap;
    }
    memcpy(e->hs_out + e->hs_out_len, msg, len);
    e->hs_out_len += len;
    return 0;
}

int rec_flush_handshake(rec_engine *e)
{
    if (!e->hs_out_len)
        return 0;
    int rc = send_fragments(e, REC_HANDSHAKE, e->hs_out, e->hs_out_len);
    crypto_wipe(e->hs_out, e->hs_out_len);
    e->hs_out_len = 0;
    /* After the handshake a message (KeyUpdate, a ticket) is rare: no buffer is kept. */
    if (e->handshake_over) {
        free_wiped(&e->hs_out, e->hs_out_cap);
        e->hs_out_cap = 0;
    }
    return rc;
}

void rec_handshake_over(rec_engine *e)
{
    e->handshake_over = 1;
    e->hello_version_0301 = 0;
    e->plain_alert_ok = 0;
    if (!e->hs_out_len) {
        free_wiped(&e->hs_out, e->hs_out_cap);
        e->hs_out_cap = 0;
    }
}

int rec_send_ccs(rec_engine *e)
{
    /* The ChangeCipherSpec is never protected (RFC 5246 s.7.1; RFC 8446 D.4, s.5). */
    static const uint8_t ccs[REC_HEADER_LEN + 1] = {REC_CHANGE_CIPHER_SPEC, 3, 3, 0, 1, 1};
    int rc = rec_flush_handshake(e);
    if (!rc)
        rc = out_reserve(e, sizeof ccs, REC_OUT_HANDSHAKE_MAX);
    if (rc)
        return rc;
    memcpy(e->out + e->out_len, ccs, sizeof ccs);
    e->out_len += sizeof ccs;
    return 0;
}

/* Room left for application records under the backpressure bound; pending output beyond
 * it (a large handshake flight, many KeyUpdates) leaves none rather than wrapping. */
static size_t app_room(const rec_engine *e)
{
    size_t pending = e->out_len - e->out_off;
    return REC_OUT_APP_MAX > pending ? REC_OUT_APP_MAX - pending : 0;
}

int rec_write(rec_engine *e, const uint8_t *p, size_t len, size_t *accepted)
{
    size_t done = 0;
    *accepted = 0;
    while (done < len) {
        size_t n = len - done;
        if (n > e->peer_max_fragment)
            n = e->peer_max_fragment;
        /* Shrink the last record to the room left rather than refusing it. */
        size_t room = app_room(e);
        size_t overhead = sealed_len(e, 0);
        if (room <= overhead)
            break;
        if (sealed_len(e, n) > room)
            n = room - overhead;
        int rc = put_record(e, REC_APPLICATION_DATA, p + done, n);
        if (rc == RC(R_OUTPUT_FULL))
            break;
        if (rc)
            return rc;
        done += n;
        *accepted = done;
    }
    return 0;
}

size_t rec_output_pending(const rec_engine *e)
{
    return e->out_len - e->out_off;
}

const uint8_t *rec_output(const rec_engine *e, size_t *len)
{
    *len = e->out_len - e->out_off;
    return *len ? e->out + e->out_off : NULL;
}

int rec_output_consume(rec_engine *e, size_t n)
{
    if (n > e->out_len - e->out_off)
        return -1;
    e->out_off += n;
    if (e->out_off == e->out_len)
        e->out_off = e->out_len = 0;
    return 0;
}

int rec_can_write(const rec_engine *e)
{
    return app_room(e) > sealed_len(e, 0);
}

uint64_t rec_write_seq(const rec_engine *e)
{
    return e->wr.seq;
}

/* ------------------------------------------------------------------ input */

/* Drops the record already processed from the front, unless its plaintext is lent out. */
static void in_compact(rec_engine *e)
{
    if (e->in_hold && !e->pt_len) {
        if (e->in_len > e->in_hold)
            memmove(e->in, e->in + e->in_hold, e->in_len - e->in_hold);
        e->in_len -= e->in_hold;
        e->in_hold = 0;
    }
}

/* The buffer size the record being received needs (its end), or 0 while its header is
 * not known. The header is read from the buffer, completed from next. */
static size_t record_end(const rec_engine *e, const uint8_t *next, size_t next_len)
{
    size_t have = e->in_len - e->in_hold;
    uint8_t both[REC_HEADER_LEN];
    const uint8_t *h;
    if (have >= REC_HEADER_LEN) {
        h = e->in + e->in_hold;
    } else {
        /* No arithmetic on e->in here: it is NULL while the buffer is released. */
        if (have + next_len < REC_HEADER_LEN)
            return 0;
        h = next;
        if (have) {
            memcpy(both, e->in + e->in_hold, have);
            memcpy(both + have, next, REC_HEADER_LEN - have);
            h = both;
        }
    }
    return e->in_hold + REC_HEADER_LEN + ((size_t)h[3] << 8 | h[4]);
}

/* Grows the input buffer to cap bytes. A new block, not realloc: the old one may hold
 * decrypted data, which is wiped. */
static int in_grow(rec_engine *e, size_t cap)
{
    uint8_t *p = mem_alloc(cap);
    if (!p)
        return -1;
    if (e->in) {
        memcpy(p, e->in, e->in_len);
        crypto_wipe(e->in, e->in_init);
        mem_free(e->in);
    }
    e->in = p;
    e->in_cap = cap;
    e->in_init = e->in_len;
    return 0;
}

uint8_t *rec_input_space(rec_engine *e, const uint8_t *next, size_t next_len, size_t *cap,
                         int *nomem)
{
    *cap = 0;
    *nomem = 0;
    in_compact(e);
    size_t want = record_end(e, next, next_len);
    if (!want)
        want = next ? e->in_len + next_len : e->in_hold + REC_IN_FIRST;
    if (want > REC_IN_MAX)
        want = REC_IN_MAX; /* a longer record is refused once its header is framed */
    /* While plaintext is lent to the host (tlsm_read_peek) the buffer must not move: only
     * the room it already has is offered until the host has read it. */
    if (want > e->in_cap && !e->pt_len && in_grow(e, want)) {
        *nomem = 1;
        return NULL;
    }
    *cap = e->in_cap - e->in_len;
    if (!*cap)
        return NULL;
    if (!next && e->in_init < e->in_cap) {
        /* Zero-copy: the host may read the room before writing it. */
        memset(e->in + e->in_init, 0, e->in_cap - e->in_init);
        e->in_init = e->in_cap;
    }
    return e->in + e->in_len;
}

int rec_input_commit(rec_engine *e, size_t n)
{
    if (n > e->in_cap - e->in_len)
        return -1;
    e->in_len += n;
    if (e->in_init < e->in_len)
        e->in_init = e->in_len;
    return 0;
}

/* RFC 8449 s.4: our limit binds the peer only once the extension was negotiated. */
static size_t max_plaintext_in(const rec_engine *e)
{
    return e->rsl_negotiated ? e->max_plaintext_in : REC_MAX_PLAINTEXT;
}

/* open_record's answer for a record that was skipped: frame the next one. */
#define REC_SKIPPED 1

/* RFC 8446 s.4.2.10: a server that refused 0-RTT "skips past early data" - encrypted
 * records it cannot read - "up to the configured max_early_data_size". Beyond it: s.4.6.1
 * "SHOULD terminate the connection with an "unexpected_message" alert". */
static int skip_early_record(rec_engine *e, size_t body_len)
{
    if (body_len > e->skip_early)
        return FAIL(R_REC_EARLY_DATA_TOO_MUCH);
    e->skip_early -= body_len;
    return REC_SKIPPED;
}

/* Decrypts (or passes through) the complete record at the start of e->in. Returns 0,
 * REC_SKIPPED or FAIL(R_...). */
static int open_record(rec_engine *e, size_t body_len, rec_in *r)
{
    uint8_t *rec = e->in;
    r->type = rec[0];
    r->content = rec + REC_HEADER_LEN;
    r->len = body_len;
    r->protected = 0;
    if (e->skip_early && r->type == REC_APPLICATION_DATA && !read_is12(e)) {
        /* Without read keys (after a HelloRetryRequest, s.4.2.10: "skipping all records
         * with an external content type of "application_data""), or one that does not
         * deprotect with the handshake key ("discarding records which fail
         * deprotection"). The first that deprotects ends the early data. */
        if (!e->rd.active)
            return skip_early_record(e, body_len);
        int rc = record_open(&e->rd, rec, body_len, max_plaintext_in(e), &r->type, &r->content,
                             &r->len);
        if (rc == RC(R_REC_BAD_MAC) || rc == RC(R_REC_SHORTER_THAN_TAG))
            return skip_early_record(e, body_len);
        e->skip_early = 0;
        if (rc)
            return rc;
        r->protected = 1;
        return 0;
    }
    /* The ChangeCipherSpec is never protected; whether one may come is the caller's. */
    if (r->type == REC_CHANGE_CIPHER_SPEC)
        return 0;
    if (read_is12(e)) {
        /* RFC 5246: the record type is the header's; everything after CCS is protected. */
        int rc = record12_open(&e->rd, rec, body_len, max_plaintext_in(e), &r->content, &r->len);
        if (rc)
            return rc;
        r->protected = 1;
        return 0;
    }
    if (e->rd.active && r->type == REC_ALERT && e->plain_alert_ok) {
        /* A peer that failed before it had keys (on our ServerHello, say) rightly sends its
         * alert in plaintext (RFC 8446 s.6): read it rather than misreport its reason. */
        return body_len > REC_MAX_PLAINTEXT ? FAIL(R_REC_PLAINTEXT_TOO_LONG) : 0;
    }
    if (e->rd.active) {
        /* s.5: "All encrypted TLS records" have the outer type application_data. */
        if (r->type != REC_APPLICATION_DATA)
            return FAIL(R_REC_NOT_PROTECTED);
        int rc = record_open(&e->rd, rec, body_len, max_plaintext_in(e), &r->type, &r->content,
                             &r->len);
        if (rc)
            return rc;
        r->protected = 1;
        return 0;
    }
    if (r->type == REC_APPLICATION_DATA)
        return FAIL(R_REC_APPDATA_UNPROTECTED);
    /* s.5.1: "The length MUST NOT exceed 2^14 bytes." */
    if (body_len > REC_MAX_PLAINTEXT)
        return FAIL(R_REC_PLAINTEXT_TOO_LONG);
    return 0;
}

/* Frames the next record: releases the previous one, checks the header and waits for the
 * whole body. Returns 1 with *body_len set, 0 for more input, or FAIL(R_...). */
static int frame(rec_engine *e, size_t *body_len)
{
    if (e->pt_len)
        return 0; /* the host must read the plaintext first */
    in_compact(e);
    if (e->in_len < REC_HEADER_LEN)
        return 0;
    uint8_t type = e->in[0];
    size_t len = (size_t)e->in[3] << 8 | e->in[4];
    /* s.5: "If a TLS implementation receives an unexpected record type, it MUST terminate
     * the connection with an "unexpected_message" alert." */
    if (type < REC_CHANGE_CIPHER_SPEC || type > REC_APPLICATION_DATA)
        return FAIL(R_REC_UNKNOWN_TYPE);
    /* s.5.2: ciphertext above 2^14 + 256 is record_overflow; RFC 5246 s.6.2.3 allows
     * 2^14 + 2048 in TLS 1.2. */
    if (len > (e->tls12 ? REC_MAX_CIPHERTEXT_12 : REC_MAX_CIPHERTEXT_13))
        return FAIL(R_REC_TOO_LONG);
    if (e->in_len < REC_HEADER_LEN + len)
        return 0;
    e->in_hold = REC_HEADER_LEN + len;
    *body_len = len;
    return 1;
}

int rec_next(rec_engine *e, rec_in *r)
{
    for (;;) {
        size_t len = 0;
        int rc = frame(e, &len);
        if (rc <= 0)
            return rc;
        rc = open_record(e, len, r);
        if (rc != REC_SKIPPED)
            return rc ? rc : 1;
    }
}

int rec_skip(rec_engine *e)
{
    size_t len = 0;
    return frame(e, &len);
}

void rec_keep_plaintext(rec_engine *e, const rec_in *r)
{
    e->pt_off = (size_t)(r->content - e->in);
    e->pt_len = r->len;
    e->in_app = 1;
}

const uint8_t *rec_plaintext(const rec_engine *e, size_t *len)
{
    *len = e->pt_len;
    return e->pt_len ? e->in + e->pt_off : NULL;
}

int rec_plaintext_consume(rec_engine *e, size_t n)
{
    if (n > e->pt_len)
        return -1;
    e->pt_off += n;
    e->pt_len -= n;
    return 0;
}

void rec_plaintext_drop(rec_engine *e)
{
    e->pt_len = 0;
}
