/*
 * pair_records.c - byte buffers and records for the test pair's hooks and injected bytes:
 * record headers, handshake messages inside a plaintext record, and the extensions of a
 * ClientHello or ServerHello (see pair.h). Every offset is checked against the record.
 */
#include "pair.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- buffers */

void pair_buf_append(pair_buf *b, const void *p, size_t n)
{
    kit_buf_put(b, p, n);
    if (b->failed)
        abort();
}

void pair_buf_set(pair_buf *b, const void *p, size_t n)
{
    b->len = 0;
    pair_buf_append(b, p, n);
}

void pair_buf_drop_front(pair_buf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}

void pair_buf_free(pair_buf *b)
{
    kit_buf_free(b);
}

/* ---------------------------------------------------------------- records */

uint8_t pair_record_type(const pair_buf *rec)
{
    return rec->len >= 1 ? rec->data[0] : 0;
}

size_t pair_record_body_len(const pair_buf *rec)
{
    return rec->len >= 5 ? (((size_t)rec->data[3] << 8) | rec->data[4]) : 0;
}

void pair_make_record(pair_buf *out, uint8_t type, uint16_t version, const void *body, size_t n)
{
    uint8_t hdr[5] = {type, (uint8_t)(version >> 8), (uint8_t)version, (uint8_t)(n >> 8),
                      (uint8_t)n};
    pair_buf_set(out, hdr, sizeof hdr);
    pair_buf_append(out, body, n);
}

static size_t get24(const uint8_t *p)
{
    return (size_t)p[0] << 16 | (size_t)p[1] << 8 | p[2];
}

size_t pair_hs_find(const pair_buf *rec, uint8_t msg_type, size_t *msg_len)
{
    if (pair_record_type(rec) != 22)
        return PAIR_NONE;
    size_t end = 5 + pair_record_body_len(rec);
    if (end > rec->len)
        end = rec->len;
    for (size_t off = 5; off + 4 <= end;) {
        size_t n = 4 + get24(rec->data + off + 1);
        if (off + n > end)
            break;
        if (rec->data[off] == msg_type) {
            *msg_len = n;
            return off;
        }
        off += n;
    }
    return PAIR_NONE;
}

/* Offset of the extensions block's 2-byte length in the hello that starts the record. */
static size_t hello_extensions(const pair_buf *rec)
{
    if (pair_record_type(rec) != 22 || rec->len < 9 || (rec->data[5] != 1 && rec->data[5] != 2))
        return PAIR_NONE;
    int client = rec->data[5] == 1;
    size_t end = 9 + get24(rec->data + 6);
    if (end > rec->len)
        return PAIR_NONE;
    size_t off = 9 + 2 + 32; /* version, random */
    if (off >= end)
        return PAIR_NONE;
    off += 1 + rec->data[off]; /* session id */
    if (client) {
        if (off + 2 > end)
            return PAIR_NONE;
        off += 2 + ((size_t)rec->data[off] << 8 | rec->data[off + 1]); /* suites */
        if (off >= end)
            return PAIR_NONE;
        off += 1 + rec->data[off]; /* compressions */
    } else {
        off += 2 + 1; /* suite, compression */
    }
    return off + 2 <= end ? off : PAIR_NONE;
}

size_t pair_hello_find_ext(const pair_buf *rec, uint16_t ext_type, size_t *ext_len)
{
    size_t at = hello_extensions(rec);
    if (at == PAIR_NONE)
        return PAIR_NONE;
    size_t end = at + 2 + ((size_t)rec->data[at] << 8 | rec->data[at + 1]);
    if (end > rec->len)
        return PAIR_NONE;
    for (size_t off = at + 2; off + 4 <= end;) {
        uint16_t type = (uint16_t)(rec->data[off] << 8 | rec->data[off + 1]);
        size_t n = (size_t)rec->data[off + 2] << 8 | rec->data[off + 3];
        if (off + 4 + n > end)
            break;
        if (type == ext_type) {
            *ext_len = n;
            return off + 4;
        }
        off += 4 + n;
    }
    return PAIR_NONE;
}

static void put16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

int pair_hello_strip_ext(pair_buf *rec, uint16_t ext_type)
{
    size_t n = 0;
    size_t data = pair_hello_find_ext(rec, ext_type, &n);
    if (data == PAIR_NONE)
        return 0;
    size_t cut = 4 + n, from = data - 4;
    size_t at = hello_extensions(rec);
    memmove(rec->data + from, rec->data + from + cut, rec->len - from - cut);
    rec->len -= cut;
    put16(rec->data + at, ((size_t)rec->data[at] << 8 | rec->data[at + 1]) - cut);
    size_t hs = get24(rec->data + 6) - cut;
    rec->data[6] = (uint8_t)(hs >> 16);
    put16(rec->data + 7, hs);
    put16(rec->data + 3, pair_record_body_len(rec) - cut);
    return 1;
}
