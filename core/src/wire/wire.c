/*
 * wire.c - bounded reader and writer for TLS structures (see wire.h for the discipline).
 */
#include "wire/wire.h"

#include <string.h>

void wire_init(wire_reader *r, const uint8_t *p, size_t len)
{
    r->p = p;
    r->len = p ? len : 0;
    r->pos = 0;
    r->err = 0;
}

size_t wire_left(const wire_reader *r)
{
    return r->err ? 0 : r->len - r->pos;
}

static void poison(wire_reader *r)
{
    r->err = 1;
    r->pos = r->len;
}

const uint8_t *wire_bytes(wire_reader *r, size_t n)
{
    if (r->err || n > r->len - r->pos) {
        poison(r);
        return NULL;
    }
    const uint8_t *p = r->p + r->pos;
    r->pos += n;
    return p;
}

static uint64_t read_be(wire_reader *r, size_t n)
{
    const uint8_t *p = wire_bytes(r, n);
    uint64_t v = 0;
    if (!p)
        return 0;
    for (size_t i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

uint8_t wire_u8(wire_reader *r) { return (uint8_t)read_be(r, 1); }
uint16_t wire_u16(wire_reader *r) { return (uint16_t)read_be(r, 2); }
uint32_t wire_u24(wire_reader *r) { return (uint32_t)read_be(r, 3); }
uint32_t wire_u32(wire_reader *r) { return (uint32_t)read_be(r, 4); }
uint64_t wire_u64(wire_reader *r) { return read_be(r, 8); }

void wire_copy(wire_reader *r, uint8_t *out, size_t n)
{
    const uint8_t *p = wire_bytes(r, n);
    if (p)
        memcpy(out, p, n);
    else if (n)
        memset(out, 0, n);
}

void wire_block(wire_reader *r, int prefix, size_t min, size_t max, wire_reader *sub)
{
    size_t n = (size_t)read_be(r, (size_t)prefix);
    const uint8_t *p = NULL;
    if (!r->err && n >= min && n <= max)
        p = wire_bytes(r, n);
    else
        poison(r);
    wire_init(sub, p, p ? n : 0);
    if (!p)
        sub->err = 1;
}

int wire_end(wire_reader *r)
{
    if (r->err || r->pos != r->len) {
        poison(r);
        return -1;
    }
    return 0;
}

void wire_writer_init(wire_writer *w, uint8_t *buf, size_t cap)
{
    w->p = buf;
    w->cap = buf ? cap : 0;
    w->len = 0;
    w->err = 0;
}

uint8_t *wire_reserve(wire_writer *w, size_t n)
{
    if (w->err || n > w->cap - w->len) {
        w->err = 1;
        return NULL;
    }
    uint8_t *p = w->p + w->len;
    w->len += n;
    return p;
}

static void write_be(wire_writer *w, uint64_t v, size_t n)
{
    uint8_t *p = wire_reserve(w, n);
    if (!p)
        return;
    for (size_t i = n; i-- > 0; v >>= 8)
        p[i] = (uint8_t)v;
}

void wire_put_u8(wire_writer *w, uint8_t v) { write_be(w, v, 1); }
void wire_put_u16(wire_writer *w, uint16_t v) { write_be(w, v, 2); }
void wire_put_u24(wire_writer *w, uint32_t v) { write_be(w, v, 3); }
void wire_put_u32(wire_writer *w, uint32_t v) { write_be(w, v, 4); }
void wire_put_u64(wire_writer *w, uint64_t v) { write_be(w, v, 8); }

void wire_put_bytes(wire_writer *w, const uint8_t *p, size_t n)
{
    uint8_t *d = wire_reserve(w, n);
    if (d && n)
        memcpy(d, p, n);
}

/* The mark encodes the prefix size in the low 2 bits and the block start above them. */
size_t wire_open(wire_writer *w, int prefix)
{
    write_be(w, 0, (size_t)prefix);
    return (w->len << 2) | (size_t)prefix;
}

void wire_close(wire_writer *w, size_t mark)
{
    size_t prefix = mark & 3, start = mark >> 2;
    if (w->err)
        return;
    size_t n = w->len - start;
    if (prefix < 3 && n >> (8 * prefix)) {
        w->err = 1;
        return;
    }
    if (prefix == 3 && n >> 24) {
        w->err = 1;
        return;
    }
    for (size_t i = 0; i < prefix; i++)
        w->p[start - 1 - i] = (uint8_t)(n >> (8 * i));
}

void wire_put_block(wire_writer *w, int prefix, const uint8_t *p, size_t n)
{
    size_t m = wire_open(w, prefix);
    wire_put_bytes(w, p, n);
    wire_close(w, m);
}
