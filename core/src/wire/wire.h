/*
 * wire.h - the bounded cursor every network byte is read through, and the writer that
 * builds TLS structures with length-prefixed blocks.
 *
 * Reader: once an error happens (a read past the end, a block length that overruns its
 * enclosing block) the reader is poisoned: every later read fails and returns zeros, so a
 * decoder can read a whole structure and check `r->err` once. A block opened with
 * wire_block() is a sub-reader that must be consumed exactly (wire_end()).
 *
 * Writer: writes into a caller buffer of fixed capacity; overflow poisons it. A block is
 * opened with wire_open() (reserving the length bytes) and closed with wire_close(), which
 * fills the length and fails if it does not fit the prefix.
 */
#ifndef TLSM_WIRE_H
#define TLSM_WIRE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const uint8_t *p;
    size_t len;
    size_t pos;
    int err;
} wire_reader;

void wire_init(wire_reader *r, const uint8_t *p, size_t len);
size_t wire_left(const wire_reader *r);
uint8_t wire_u8(wire_reader *r);
uint16_t wire_u16(wire_reader *r);
uint32_t wire_u24(wire_reader *r);
uint32_t wire_u32(wire_reader *r);
uint64_t wire_u64(wire_reader *r);
/* Borrows n bytes; returns NULL (and poisons) if fewer are left. n == 0 returns a valid
 * pointer to the current position. */
const uint8_t *wire_bytes(wire_reader *r, size_t n);
/* Copies n bytes into out (zeros on error). */
void wire_copy(wire_reader *r, uint8_t *out, size_t n);
/* Reads a `prefix`-byte (1, 2 or 3) length and opens a sub-reader over that many bytes.
 * The length must be within [min, max]; otherwise both readers are poisoned. */
void wire_block(wire_reader *r, int prefix, size_t min, size_t max, wire_reader *sub);
/* Returns 0 if r has no error and nothing left, else -1 (and poisons r). */
int wire_end(wire_reader *r);

typedef struct {
    uint8_t *p;
    size_t cap;
    size_t len;
    int err;
} wire_writer;

void wire_writer_init(wire_writer *w, uint8_t *buf, size_t cap);
void wire_put_u8(wire_writer *w, uint8_t v);
void wire_put_u16(wire_writer *w, uint16_t v);
void wire_put_u24(wire_writer *w, uint32_t v);
void wire_put_u32(wire_writer *w, uint32_t v);
void wire_put_u64(wire_writer *w, uint64_t v);
void wire_put_bytes(wire_writer *w, const uint8_t *p, size_t n);
/* Reserves n bytes and returns a pointer to them (NULL on overflow) for in-place filling. */
uint8_t *wire_reserve(wire_writer *w, size_t n);
/* Opens a block with a `prefix`-byte length; returns a mark for wire_close. */
size_t wire_open(wire_writer *w, int prefix);
void wire_close(wire_writer *w, size_t mark);
/* Writes a whole block: prefix length then the bytes. */
void wire_put_block(wire_writer *w, int prefix, const uint8_t *p, size_t n);

#endif
