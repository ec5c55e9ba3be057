/*
 * der.h - the strict DER reader every certificate and key byte goes through.
 *
 * Same discipline as wire.h: once anything is wrong (a length that overruns its enclosing
 * element, an unexpected tag, a non-minimal length or integer, a malformed OID or time)
 * the reader is poisoned, every later read fails and returns NULL/0, so a decoder can read
 * a whole structure and check the error once. der_enter() opens a sub-reader over the
 * contents of a constructed element; it must be consumed exactly, which der_leave()
 * checks and reports to the parent.
 *
 * Only DER is accepted (X.690 s.10/11): single-byte tags (numbers below 31), definite
 * lengths in the minimal form, minimal INTEGERs, BOOLEAN 0x00/0xFF, BIT STRINGs whose
 * unused bits are zero, and times in the exact forms RFC 5280 s.4.1.2.5 allows.
 */
#ifndef TLSM_PKI_DER_H
#define TLSM_PKI_DER_H

#include <stddef.h>
#include <stdint.h>

#define DER_BOOLEAN          0x01
#define DER_INTEGER          0x02
#define DER_BIT_STRING       0x03
#define DER_OCTET_STRING     0x04
#define DER_NULL             0x05
#define DER_OID              0x06
#define DER_UTC_TIME         0x17
#define DER_GENERALIZED_TIME 0x18
#define DER_SEQUENCE         0x30
#define DER_SET              0x31
#define DER_CTX(n)           (0x80 | (n)) /* context-specific, primitive */
#define DER_CTX_CONS(n)      (0xa0 | (n)) /* context-specific, constructed */

typedef struct {
    const uint8_t *p;
    size_t len;
    size_t pos;
    int err;
} der_reader;

void der_init(der_reader *r, const uint8_t *p, size_t len);
/* Bytes left (0 once poisoned). */
size_t der_left(const der_reader *r);
/* Tag of the next element, or -1 at the end or after an error (does not poison). */
int der_peek(const der_reader *r);
/* Reads one element with the given tag and returns its contents (*len bytes); NULL and
 * poisoned on any mismatch. A zero-length element returns a valid, non-dereferenceable
 * pointer. */
const uint8_t *der_get(der_reader *r, uint8_t tag, size_t *len);
/* Like der_get but returns the whole encoding (tag, length and contents). */
const uint8_t *der_get_raw(der_reader *r, uint8_t tag, size_t *len);
/* Reads one element of any tag: *tag receives it, returns the contents. */
const uint8_t *der_get_any(der_reader *r, uint8_t *tag, size_t *len);
/* Opens a sub-reader over the contents of the next element, which must have `tag`. */
void der_enter(der_reader *r, uint8_t tag, der_reader *sub);
/* Returns 0 if r has no error and nothing left, else -1 (and poisons r). */
int der_end(der_reader *r);
/* Closes a sub-reader opened with der_enter on parent: sub must be consumed exactly and
 * error-free, otherwise parent is poisoned too. Returns 0 or -1. */
int der_leave(der_reader *parent, der_reader *sub);
/* Marks r as failed (for semantic errors found by the caller). */
void der_fail(der_reader *r);

/* INTEGER as two's-complement contents, checked minimal (X.690 s.8.3.2). */
const uint8_t *der_integer(der_reader *r, size_t *len);
/* Non-negative INTEGER as its big-endian magnitude (sign byte removed; zero is "\0"). */
const uint8_t *der_uint(der_reader *r, size_t *len);
/* Non-negative INTEGER no larger than max. */
uint32_t der_small_uint(der_reader *r, uint32_t max);
/* BOOLEAN: DER allows only 0x00 and 0xFF (X.690 s.11.1). */
int der_bool(der_reader *r);
void der_null(der_reader *r);
/* BIT STRING: returns the bytes after the unused-bits count, which goes to *unused. */
const uint8_t *der_bits(der_reader *r, size_t *len, unsigned *unused);
/* OBJECT IDENTIFIER contents, checked well-formed (minimal base-128 arcs). */
const uint8_t *der_oid(der_reader *r, size_t *len);
/* UTCTime or GeneralizedTime as seconds since the epoch. */
int64_t der_time(der_reader *r);

/* 1 if the OID contents (oid, len) equal ref (a byte array of ref_len bytes). */
int der_oid_is(const uint8_t *oid, size_t len, const uint8_t *ref, size_t ref_len);
#define DER_OID_IS(oid, len, ref) der_oid_is((oid), (len), (ref), sizeof(ref))

#endif
