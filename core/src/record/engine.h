/*
 * engine.h - the record engine: framing of the byte streams in both directions, record
 * protection with the ciphers the handshake installs, and the buffers that hold input,
 * output and handshake messages waiting to be packed into records.
 *
 * Input: the host's ciphertext goes into `in`, which holds at most one maximal record
 * (header included) beyond what was processed. rec_next checks the next complete record's
 * header, decrypts it in place and lends its content out; the content stays valid until
 * the next rec_next (for application data, until the host has read all of it:
 * rec_plaintext / _consume).
 * Output: records are sealed into `out`; the host borrows and consumes them.
 *
 * Memory: neither buffer exists while it is empty. Each is allocated when bytes must go
 * in, grown to what they need (the input to the record being received, the output to
 * what the transport has not taken yet) and released by rec_idle, which the connection
 * calls at the end of every host call. rec_idle keeps a buffer that carried application
 * data and is small (REC_KEEP_MAX): a connection streaming small records reuses it
 * instead of allocating per record, while one that goes idle after large records (or
 * after the handshake) holds none.
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
/* Application data is accepted while the output holds less than this: two maximal TLS 1.3
 * records, so that a host can write one while the transport takes the other. */
#define REC_OUT_APP_MAX (2 * (REC_HEADER_LEN + REC_MAX_CIPHERTEXT_13))
/* The largest input buffer: one maximal record of either version with its header. */
#define REC_IN_MAX (REC_HEADER_LEN + REC_MAX_CIPHERTEXT_12)
/* Room the zero-copy input offers while no record header is buffered. */
#define REC_IN_FIRST 1024u
/* rec_idle keeps an empty buffer of application data up to this size (see above). */
#ifndef REC_KEEP_MAX
#define REC_KEEP_MAX 4096u
#endif

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

    /* ciphertext out: pending bytes are out[out_off .. out_len) (NULL when released) */
    uint8_t *out;
    size_t out_off, out_len, out_cap;
    int out_app;            /* application data went through it since it was allocated */
    /* handshake messages waiting to be packed into records */
    uint8_t *hs_out;
    size_t hs_out_len, hs_out_cap;

    /* ciphertext in (NULL when released): the first in_hold bytes are the record being
     * processed */
    uint8_t *in;
    size_t in_len, in_hold, in_cap;
    size_t in_init;         /* in[0 .. in_init) has been written (or zeroed) */
    int in_app;             /* application data went through it since it was allocated */
    /* application data lent to the host: in[pt_off .. pt_off + pt_len) */
    size_t pt_off, pt_len;
} rec_engine;

/* One record opened by rec_next. */
typedef struct {
    uint8_t type;
    uint8_t *content;
    size_t len;
    int protected; /* 0: it arrived in plaintext */
} rec_in;

/* Sets up an engine with no protection, maximal limits and no buffers. */
void rec_init(rec_engine *e);
/* Wipes every buffer and key and frees them. */
void rec_free(rec_engine *e);
/* The end of a host call: releases the buffers left empty (see "Memory" above). */
void rec_idle(rec_engine *e);
/* Heap bytes the engine holds now (buffers and cipher states), for tests and the bench. */
size_t rec_heap_bytes(const rec_engine *e);

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
/* Application data: accepts what fits below REC_OUT_APP_MAX pending bytes (*accepted). */
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
/* Room for the next input bytes, allocating or growing the buffer: enough for the rest of
 * the record being received once its header is known, plus whatever free room the buffer
 * has. `next` holds the next `next_len` bytes the caller will write (they are read for
 * the header when the buffer lacks it); with next NULL (zero-copy input, bytes unknown)
 * the room is at least REC_IN_FIRST while no header is buffered, and is initialized
 * memory. Returns NULL (*cap 0) when the buffer is full or, with *nomem set, when it
 * cannot be allocated. */
uint8_t *rec_input_space(rec_engine *e, const uint8_t *next, size_t next_len, size_t *cap,
                         int *nomem);
/* n bytes were written at the room rec_input_space returned. */
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
