/*
 * engine.h - the record engine: framing of the byte streams in both directions, record
 * protection with the ciphers the handshake installs, and the buffers that hold input,
 * output and handshake messages waiting to be packed into records.
 *
 * Input: the host's ciphertext goes into `in`, which holds at most one maximal record
 * beyond what was processed. rec_next checks the next complete record's header, decrypts
 * it in place and lends its content out; the content stays valid until rec_release (for
 * application data, until the host has read all of it: rec_plaintext / _consume).
 * Output: records are sealed into `out`; the host borrows and consumes them.
 *
 * The engine knows nothing of the handshake or the connection: it is driven by conn.c and
 * by handshake/, which set its protection and limits. Failures are FAIL(R_...) reasons.
 */
#ifndef TLSM_RECORD_ENGINE_H
#define TLSM_RECORD_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "record/record.h"

/* The most 0-RTT data a server skips before it gives up (RFC 8446 s.4.2.10). */
#define REC_EARLY_SKIP_MAX 16384u
/* Input is not processed while more than this is waiting to be sent. */
#define REC_OUT_PENDING_MAX (1u << 17)
/* A handshake flight may grow the output up to this. */
#define REC_OUT_HANDSHAKE_MAX (1u << 20)

typedef struct {
    record_cipher rd, wr;
    int tls12;              /* TLS 1.2 framing (record bounds, sealing) once chosen */
    int hello_version_0301; /* client: plaintext handshake records say 0x0301 (s.5.1) */
    int rd_changed;         /* set when the read protection changes */
    int plain_alert_ok;     /* a plaintext alert is read even after read keys are set */
    int handshake_over;     /* no handshake output buffer is kept between messages */
    /* Server that refused the client's 0-RTT: how many more bytes of early data it skips
     * (RFC 8446 s.4.2.10), 0 when not skipping. */
    size_t skip_early;

    size_t peer_max_fragment; /* largest plaintext per record we send */
    size_t max_plaintext_in;  /* largest plaintext per record we accept, once negotiated */
    int rsl_negotiated;       /* record_size_limit agreed (RFC 8449 s.4) */

    /* ciphertext out: pending bytes are out[out_off .. out_len) */
    uint8_t *out;
    size_t out_off, out_len, out_cap;
    /* handshake messages waiting to be packed into records */
    uint8_t *hs_out;
    size_t hs_out_len, hs_out_cap;

    /* ciphertext in: the first in_hold bytes are the record being processed */
    size_t in_len, in_hold;
    /* application data lent to the host: in[pt_off .. pt_off + pt_len) */
    size_t pt_off, pt_len;
    uint8_t in[REC_HEADER_LEN + REC_MAX_CIPHERTEXT_12]; /* the larger of the two bounds */
} rec_engine;

/* One record opened by rec_next. */
typedef struct {
    uint8_t type;
    uint8_t *content;
    size_t len;
    int protected; /* 0: it arrived in plaintext */
} rec_in;

/* Sets up an engine with no protection and maximal limits. Returns 0 or FAIL(R_NOMEM). */
int rec_init(rec_engine *e);
/* Wipes every buffer and key and frees them. */
void rec_free(rec_engine *e);

/* ---- protection (the handshake's) */
/* Installs a TLS 1.3 traffic key and iv for reading or writing. Handshake bytes queued
 * for the old write keys are packed first. */
int rec_set_cipher13(rec_engine *e, int is_write, aead_alg aead, const uint8_t *key,
                     const uint8_t *iv);
/* The same for TLS 1.2: key and the write IV (salt or full IV) from the key block. */
int rec_set_cipher12(rec_engine *e, int is_write, aead_alg aead, const uint8_t *key,
                     const uint8_t *iv);

/* ---- output */
/* Sends records of any type with the current write protection, cut to the peer's
 * fragment size; handshake bytes queued before go out first. */
int rec_send(rec_engine *e, uint8_t type, const uint8_t *p, size_t len);
/* Queues a handshake message (with its header); flights are packed into as few records as
 * possible when flushed (before anything else is written and before keys change). */
int rec_queue_handshake(rec_engine *e, const uint8_t *msg, size_t len);
int rec_flush_handshake(rec_engine *e);
/* An unprotected ChangeCipherSpec record (TLS 1.2, or the TLS 1.3 compatibility one). */
int rec_send_ccs(rec_engine *e);
/* Application data: accepts what fits (*accepted), never grows the buffer. */
int rec_write(rec_engine *e, const uint8_t *p, size_t len, size_t *accepted);
size_t rec_output_pending(const rec_engine *e);
const uint8_t *rec_output(const rec_engine *e, size_t *len);
int rec_output_consume(rec_engine *e, size_t n);
/* 1 when a record of application data of at least one byte fits in the output now. */
int rec_can_write(const rec_engine *e);
/* The write sequence number (TLS 1.3 key update policy). */
uint64_t rec_write_seq(const rec_engine *e);
/* The handshake is over: plaintext alerts are no longer read, the handshake output
 * buffer is freed (and freed after each later message). */
void rec_handshake_over(rec_engine *e);

/* ---- input */
/* Free space at the end of the input buffer (NULL and 0 when full). */
uint8_t *rec_input_space(rec_engine *e, size_t *cap);
int rec_input_commit(rec_engine *e, size_t n);
/* Opens the next complete record. Returns 1 with *r filled, 0 when more input is needed
 * (or plaintext lent to the host is still unread), or FAIL(R_...). The content stays
 * valid until the next rec_next call. */
int rec_next(rec_engine *e, rec_in *r);
/* Frames the next complete record and drops it unopened (data after close_notify). Returns
 * 1, 0 for more input, or FAIL(R_...) for a bad header. */
int rec_skip(rec_engine *e);
/* Lends the content of the record rec_next just returned to the host as plaintext
 * (application data): rec_next returns 0 until it has all been consumed. */
void rec_keep_plaintext(rec_engine *e, const rec_in *r);
const uint8_t *rec_plaintext(const rec_engine *e, size_t *len);
int rec_plaintext_consume(rec_engine *e, size_t n);
/* Drops unread plaintext (after a fatal error). */
void rec_plaintext_drop(rec_engine *e);

#endif
