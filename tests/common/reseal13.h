/*
 * reseal13.h - white-box surgery on TLS 1.3 handshake messages inside protected records in
 * flight: a pair hook that opens each protected handshake record of one direction with the
 * sender's handshake traffic key, lets the test edit one handshake message (change bytes,
 * grow or shrink it), and seals the record again with the same key and sequence number, as
 * the sender would have. The receiver then sees an authentic record carrying a wrong
 * Finished or CertificateVerify, so the check under test is the handshake's, not the
 * record layer's MAC.
 *
 * Protected records that do not open with the key before the first one that does (a
 * client's early data, which a server that refused 0-RTT skips) pass unchanged.
 *
 * The handshake traffic secrets are read from the server's handshake state, which holds
 * both (s.7.1) from its ServerHello until the client's Finished has been processed: at
 * any moment a protected handshake record is in flight in either direction. White box:
 * the test links the core's key schedule and record layer (core/src).
 */
#ifndef TLSM_TEST_RESEAL13_H
#define TLSM_TEST_RESEAL13_H

#include "pair.h"
#include "record/record.h"

/* Edits one handshake message (4-byte header included) in place; the header's length is
 * fixed up after the call, whatever the new size. */
typedef void (*reseal13_edit_fn)(pair_buf *msg, void *ctx);

typedef struct {
    pair_dir dir;           /* the direction whose protected handshake records are opened */
    uint8_t msg_type;       /* the message to edit (e.g. 20 Finished, 15 CertificateVerify) */
    reseal13_edit_fn edit;
    void *ctx;
    /* state */
    int started, opened;    /* the key is derived; a record opened with it */
    int done;               /* the message was edited, or the handshake records are over */
    size_t skip;            /* bytes of a message that continues from the previous record */
    record_cipher cipher;   /* the sender's handshake traffic key */
} reseal13;

/* The pair hook; ctx is a reseal13 (zeroed but for dir, msg_type, edit, ctx). */
void reseal13_hook(pair *p, pair_dir dir, size_t index, pair_buf *rec, void *ctx);
/* Wipes the key the hook derived. */
void reseal13_free(reseal13 *r);

/* Editors: flip the last byte of the message (a Finished's verify_data, a signature). */
void reseal13_flip_last(pair_buf *msg, void *ctx);
/* Append one zero byte to the message body. */
void reseal13_append_byte(pair_buf *msg, void *ctx);

#endif
