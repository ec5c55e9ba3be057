/*
 * test_wire.c - the bounded cursor (core/src/wire): every read past the end fails and
 * poisons the reader, blocks are bounded by their enclosing block and by [min, max], the
 * writer refuses to overflow its buffer or a length prefix, and what the writer builds the
 * reader takes apart again.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/wire.h"

static const uint8_t seq9[9] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};

/* ------------------------------------------------------------------ reader: integers */

Test(wire_reader, integers_are_big_endian)
{
    wire_reader r;
    wire_init(&r, seq9, 9);
    cr_assert_eq(wire_u8(&r), 0x01);
    cr_assert_eq(wire_u16(&r), 0x0203);
    cr_assert_eq(wire_u24(&r), 0x040506);
    cr_assert_eq(wire_left(&r), 3);
    wire_init(&r, seq9, 9);
    cr_assert_eq(wire_u32(&r), 0x01020304u);
    wire_init(&r, seq9, 9);
    cr_assert_eq(wire_u64(&r), UINT64_C(0x0102030405060708));
    cr_assert_eq(wire_left(&r), 1);
    cr_assert_eq(wire_u8(&r), 0x09);
    cr_assert_eq(wire_end(&r), 0);
    cr_assert_eq(r.err, 0);
}

/* For each integer width, a buffer one byte short: the read returns 0, poisons the reader
 * and leaves nothing readable, even the bytes that were there. */
Test(wire_reader, every_integer_read_past_the_end_fails)
{
    static const size_t widths[] = {1, 2, 3, 4, 8};
    for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
        size_t w = widths[i];
        wire_reader r;
        uint64_t v = 1;
        wire_init(&r, seq9, w - 1);
        switch (w) {
        case 1: v = wire_u8(&r); break;
        case 2: v = wire_u16(&r); break;
        case 3: v = wire_u24(&r); break;
        case 4: v = wire_u32(&r); break;
        case 8: v = wire_u64(&r); break;
        }
        cr_assert_eq(v, 0, "width %zu: read past the end returned %llu", w,
                     (unsigned long long)v);
        cr_assert_eq(r.err, 1, "width %zu: reader not poisoned", w);
        cr_assert_eq(wire_left(&r), 0, "width %zu", w);
        cr_assert_eq(wire_end(&r), -1, "width %zu", w);
    }
}

Test(wire_reader, poisoned_reader_returns_zeros_for_bytes_that_exist)
{
    wire_reader r;
    wire_init(&r, seq9, 3);
    cr_assert_eq(wire_u32(&r), 0);
    /* Three bytes were in the buffer, but after the error nothing is readable. */
    cr_assert_eq(wire_u8(&r), 0);
    cr_assert_null(wire_bytes(&r, 0));
    cr_assert_eq(wire_left(&r), 0);
}

Test(wire_reader, empty_and_null_input)
{
    wire_reader r;
    wire_init(&r, NULL, 100);
    cr_assert_eq(wire_left(&r), 0, "a NULL buffer has no bytes whatever len says");
    cr_assert_eq(wire_end(&r), 0);
    cr_assert_eq(wire_u8(&r), 0);
    cr_assert_eq(r.err, 1);

    wire_init(&r, seq9, 0);
    cr_assert_eq(wire_end(&r), 0);
    cr_assert_eq(wire_u16(&r), 0);
    cr_assert_eq(r.err, 1);
}

/* ------------------------------------------------------------------ reader: bytes */

Test(wire_reader, bytes_borrow_exactly_what_is_there)
{
    wire_reader r;
    wire_init(&r, seq9, 9);
    const uint8_t *z = wire_bytes(&r, 0);
    cr_assert_eq(z, seq9, "n == 0 points at the current position");
    cr_assert_eq(wire_u8(&r), 0x01);
    const uint8_t *p = wire_bytes(&r, 8);
    cr_assert_eq(p, seq9 + 1);
    cr_assert_eq(wire_left(&r), 0);
    cr_assert_eq(wire_bytes(&r, 0), seq9 + 9, "n == 0 at the end is still valid");
    cr_assert_eq(r.err, 0);
    cr_assert_null(wire_bytes(&r, 1));
    cr_assert_eq(r.err, 1);
}

Test(wire_reader, huge_lengths_do_not_wrap)
{
    wire_reader r;
    wire_init(&r, seq9, 9);
    wire_u8(&r);
    cr_assert_null(wire_bytes(&r, SIZE_MAX));
    cr_assert_eq(r.err, 1);
    wire_init(&r, seq9, 9);
    cr_assert_null(wire_bytes(&r, SIZE_MAX - 7));
    cr_assert_eq(r.err, 1);
}

Test(wire_reader, copy_gives_zeros_on_error)
{
    wire_reader r;
    uint8_t out[4];
    wire_init(&r, seq9, 9);
    wire_copy(&r, out, 4);
    cr_assert_arr_eq(out, seq9, 4);
    memset(out, 0xaa, sizeof out);
    wire_init(&r, seq9, 3);
    wire_copy(&r, out, 4);
    static const uint8_t zeros[4] = {0};
    cr_assert_arr_eq(out, zeros, 4, "a failed copy must not leave stale data behind");
    cr_assert_eq(r.err, 1);
}

/* ------------------------------------------------------------------ reader: blocks */

Test(wire_block, prefixes_of_one_two_and_three_bytes)
{
    static const uint8_t one[] = {0x02, 0xaa, 0xbb, 0xcc};
    static const uint8_t two[] = {0x00, 0x02, 0xaa, 0xbb, 0xcc};
    static const uint8_t three[] = {0x00, 0x00, 0x02, 0xaa, 0xbb, 0xcc};
    const uint8_t *bufs[] = {one, two, three};
    size_t lens[] = {sizeof one, sizeof two, sizeof three};
    for (int prefix = 1; prefix <= 3; prefix++) {
        wire_reader r, sub;
        wire_init(&r, bufs[prefix - 1], lens[prefix - 1]);
        wire_block(&r, prefix, 0, 100, &sub);
        cr_assert_eq(r.err, 0, "prefix %d", prefix);
        cr_assert_eq(wire_left(&sub), 2, "prefix %d", prefix);
        cr_assert_eq(wire_u16(&sub), 0xaabb, "prefix %d", prefix);
        cr_assert_eq(wire_end(&sub), 0, "prefix %d", prefix);
        cr_assert_eq(wire_u8(&r), 0xcc, "prefix %d: parent continues after the block", prefix);
        cr_assert_eq(wire_end(&r), 0, "prefix %d", prefix);
    }
}

Test(wire_block, sub_reader_stops_at_its_own_end)
{
    static const uint8_t in[] = {0x01, 0xaa, 0xbb, 0xcc};
    wire_reader r, sub;
    wire_init(&r, in, sizeof in);
    wire_block(&r, 1, 0, 255, &sub);
    cr_assert_eq(wire_u8(&sub), 0xaa);
    /* The parent still has 0xbb 0xcc, but they are outside the block. */
    cr_assert_eq(wire_u16(&sub), 0);
    cr_assert_eq(sub.err, 1);
    cr_assert_eq(r.err, 0);
    cr_assert_eq(wire_u16(&r), 0xbbcc);
}

Test(wire_block, length_overrunning_the_input_poisons_both)
{
    static const uint8_t in[] = {0x00, 0x05, 0x01, 0x02, 0x03, 0x04};
    wire_reader r, sub;
    wire_init(&r, in, sizeof in);
    wire_block(&r, 2, 0, 0xffff, &sub);
    cr_assert_eq(r.err, 1);
    cr_assert_eq(sub.err, 1);
    cr_assert_eq(wire_left(&sub), 0);
    cr_assert_eq(wire_u8(&sub), 0);
    cr_assert_eq(wire_end(&sub), -1);
}

Test(wire_block, missing_length_bytes)
{
    static const uint8_t in[] = {0x00, 0x00};
    wire_reader r, sub;
    wire_init(&r, in, sizeof in);
    wire_block(&r, 3, 0, 100, &sub);
    cr_assert_eq(r.err, 1);
    cr_assert_eq(sub.err, 1);
}

/* A block inside a block claims more than its enclosing block holds, although the outer
 * input has enough bytes: the inner length is bounded by the block, not by the buffer. */
Test(wire_block, nested_block_overrunning_its_parent)
{
    static const uint8_t in[] = {0x00, 0x03, 0x03, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
    wire_reader r, outer, inner;
    wire_init(&r, in, sizeof in);
    wire_block(&r, 2, 0, 0xffff, &outer);
    cr_assert_eq(r.err, 0);
    cr_assert_eq(wire_left(&outer), 3);
    wire_block(&outer, 1, 0, 255, &inner);
    cr_assert_eq(outer.err, 1, "the enclosing block is poisoned");
    cr_assert_eq(inner.err, 1);
    cr_assert_eq(wire_u8(&inner), 0);
    cr_assert_eq(wire_end(&outer), -1);
    /* The top-level reader is unaffected: the outer block itself was well formed. */
    cr_assert_eq(r.err, 0);
    cr_assert_eq(wire_u8(&r), 0xcc);
}

Test(wire_block, nested_blocks_fitting_exactly)
{
    static const uint8_t in[] = {0x00, 0x06, 0x02, 0xaa, 0xbb, 0x01, 0xcc, 0x00};
    wire_reader r, outer, a, b, c;
    wire_init(&r, in, sizeof in);
    wire_block(&r, 2, 1, 100, &outer);
    wire_block(&outer, 1, 1, 2, &a);
    wire_block(&outer, 1, 1, 2, &b);
    wire_block(&outer, 1, 0, 2, &c);
    cr_assert_eq(wire_u16(&a), 0xaabb);
    cr_assert_eq(wire_u8(&b), 0xcc);
    cr_assert_eq(wire_left(&c), 0);
    cr_assert_eq(wire_end(&a), 0);
    cr_assert_eq(wire_end(&b), 0);
    cr_assert_eq(wire_end(&c), 0);
    cr_assert_eq(wire_end(&outer), 0);
    cr_assert_eq(wire_end(&r), 0);
}

Test(wire_block, min_and_max_are_inclusive_bounds)
{
    static const uint8_t in[] = {0x03, 0x01, 0x02, 0x03};
    struct {
        size_t min, max;
        int ok;
    } cases[] = {
        {3, 3, 1}, {0, 3, 1}, {3, 255, 1}, {4, 255, 0}, {0, 2, 0}, {4, 2, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wire_reader r, sub;
        wire_init(&r, in, sizeof in);
        wire_block(&r, 1, cases[i].min, cases[i].max, &sub);
        cr_assert_eq(r.err, !cases[i].ok, "[%zu, %zu]", cases[i].min, cases[i].max);
        cr_assert_eq(sub.err, !cases[i].ok, "[%zu, %zu]", cases[i].min, cases[i].max);
        cr_assert_eq(wire_left(&sub), cases[i].ok ? 3u : 0u);
    }
}

Test(wire_block, empty_block_allowed_only_when_min_is_zero)
{
    static const uint8_t in[] = {0x00, 0x00};
    wire_reader r, sub;
    wire_init(&r, in, sizeof in);
    wire_block(&r, 2, 0, 10, &sub);
    cr_assert_eq(r.err, 0);
    cr_assert_eq(wire_end(&sub), 0);
    wire_init(&r, in, sizeof in);
    wire_block(&r, 2, 1, 10, &sub);
    cr_assert_eq(r.err, 1);
    cr_assert_eq(sub.err, 1);
}

Test(wire_block, opening_a_block_on_a_poisoned_reader_fails)
{
    static const uint8_t in[] = {0x01, 0xaa};
    wire_reader r, sub;
    wire_init(&r, in, sizeof in);
    r.err = 1;
    wire_block(&r, 1, 0, 255, &sub);
    cr_assert_eq(sub.err, 1);
    cr_assert_eq(wire_left(&sub), 0);
}

/* ------------------------------------------------------------------ wire_end */

Test(wire_end, requires_everything_consumed)
{
    wire_reader r;
    wire_init(&r, seq9, 2);
    wire_u8(&r);
    cr_assert_eq(wire_end(&r), -1, "one byte left over");
    cr_assert_eq(r.err, 1, "trailing bytes poison the reader");
    cr_assert_eq(wire_u8(&r), 0, "and nothing can be read after that");

    wire_init(&r, seq9, 2);
    wire_u16(&r);
    cr_assert_eq(wire_end(&r), 0);
    cr_assert_eq(wire_end(&r), 0, "wire_end is repeatable");
}

/* ------------------------------------------------------------------ writer */

Test(wire_writer, integers_are_big_endian)
{
    uint8_t buf[18];
    wire_writer w;
    wire_writer_init(&w, buf, sizeof buf);
    wire_put_u8(&w, 0x01);
    wire_put_u16(&w, 0x0203);
    wire_put_u24(&w, 0x040506);
    wire_put_u32(&w, 0x0708090au);
    wire_put_u64(&w, UINT64_C(0x0b0c0d0e0f101112));
    cr_assert_eq(w.err, 0);
    cr_assert_eq(w.len, 18);
    for (size_t i = 0; i < 18; i++)
        cr_assert_eq(buf[i], i + 1, "byte %zu", i);
}

Test(wire_writer, u24_keeps_only_three_bytes)
{
    uint8_t buf[4] = {0xee, 0xee, 0xee, 0xee};
    wire_writer w;
    wire_writer_init(&w, buf, 3);
    wire_put_u24(&w, 0xff123456u);
    cr_assert_eq(w.err, 0);
    cr_assert_eq(buf[0], 0x12);
    cr_assert_eq(buf[2], 0x56);
    cr_assert_eq(buf[3], 0xee, "nothing written past the capacity");
}

Test(wire_writer, overflow_poisons_and_writes_nothing)
{
    uint8_t buf[8];
    memset(buf, 0xee, sizeof buf);
    wire_writer w;
    wire_writer_init(&w, buf, 3);
    wire_put_u32(&w, 0x01020304u);
    cr_assert_eq(w.err, 1);
    cr_assert_eq(w.len, 0);
    for (size_t i = 0; i < sizeof buf; i++)
        cr_assert_eq(buf[i], 0xee, "byte %zu touched by a refused write", i);
    /* A write that would fit is refused too: the writer stays poisoned. */
    wire_put_u8(&w, 0x01);
    cr_assert_eq(w.len, 0);
    cr_assert_eq(buf[0], 0xee);
}

Test(wire_writer, exact_fit_then_one_more)
{
    uint8_t buf[4];
    wire_writer w;
    wire_writer_init(&w, buf, sizeof buf);
    wire_put_u32(&w, 1);
    cr_assert_eq(w.err, 0);
    cr_assert_eq(w.len, 4);
    wire_put_bytes(&w, seq9, 0);
    cr_assert_eq(w.err, 0, "zero bytes always fit");
    wire_put_u8(&w, 1);
    cr_assert_eq(w.err, 1);
    cr_assert_eq(w.len, 4);
}

Test(wire_writer, reserve)
{
    uint8_t buf[4];
    wire_writer w;
    wire_writer_init(&w, buf, sizeof buf);
    uint8_t *p = wire_reserve(&w, 3);
    cr_assert_eq(p, buf);
    cr_assert_eq(wire_reserve(&w, 0), buf + 3);
    cr_assert_null(wire_reserve(&w, 2));
    cr_assert_eq(w.err, 1);
    wire_writer_init(&w, buf, sizeof buf);
    cr_assert_null(wire_reserve(&w, SIZE_MAX), "no wrap-around on huge sizes");
    cr_assert_eq(w.len, 0);
}

Test(wire_writer, null_buffer_has_no_capacity)
{
    wire_writer w;
    wire_writer_init(&w, NULL, 100);
    wire_put_u8(&w, 1);
    cr_assert_eq(w.err, 1);
    cr_assert_eq(w.len, 0);
}

Test(wire_writer, blocks_fill_their_length)
{
    uint8_t buf[32];
    wire_writer w;
    wire_writer_init(&w, buf, sizeof buf);
    size_t outer = wire_open(&w, 2);
    size_t inner = wire_open(&w, 1);
    wire_put_u16(&w, 0xaabb);
    wire_close(&w, inner);
    wire_put_block(&w, 3, seq9, 4);
    wire_close(&w, outer);
    cr_assert_eq(w.err, 0);
    static const uint8_t want[] = {0x00, 0x0a, 0x02, 0xaa, 0xbb, 0x00, 0x00, 0x04,
                                   0x01, 0x02, 0x03, 0x04};
    cr_assert_eq(w.len, sizeof want);
    cr_assert_arr_eq(buf, want, sizeof want);
}

/* Fills a block with n bytes under a `prefix`-byte length and reports whether it closed. */
static int close_block_of(uint8_t *buf, size_t cap, int prefix, size_t n)
{
    wire_writer w;
    wire_writer_init(&w, buf, cap);
    size_t m = wire_open(&w, prefix);
    cr_assert_not_null(wire_reserve(&w, n));
    wire_close(&w, m);
    return w.err == 0;
}

Test(wire_writer, block_length_must_fit_the_prefix)
{
    size_t cap = (size_t)1 << 24 | 3;
    uint8_t *buf = malloc(cap + 1);
    cr_assert_not_null(buf);
    memset(buf, 0, cap);

    cr_assert(close_block_of(buf, cap, 1, 255));
    cr_assert_eq(buf[0], 0xff);
    cr_assert_not(close_block_of(buf, cap, 1, 256), "256 bytes under a 1-byte length");

    cr_assert(close_block_of(buf, cap, 2, 65535));
    cr_assert_eq(buf[0], 0xff);
    cr_assert_eq(buf[1], 0xff);
    cr_assert_not(close_block_of(buf, cap, 2, 65536), "65536 bytes under a 2-byte length");

    cr_assert(close_block_of(buf, cap, 3, ((size_t)1 << 24) - 1));
    cr_assert_eq(buf[0], 0xff);
    cr_assert_not(close_block_of(buf, cap, 3, (size_t)1 << 24),
                  "2^24 bytes under a 3-byte length");
    free(buf);
}

Test(wire_writer, open_without_room_for_the_length)
{
    uint8_t buf[1];
    wire_writer w;
    wire_writer_init(&w, buf, sizeof buf);
    size_t m = wire_open(&w, 2);
    cr_assert_eq(w.err, 1);
    wire_close(&w, m);
    cr_assert_eq(w.err, 1);
    cr_assert_eq(w.len, 0);
}

Test(wire_writer, put_block_overflowing_the_buffer)
{
    uint8_t buf[4];
    wire_writer w;
    wire_writer_init(&w, buf, sizeof buf);
    wire_put_block(&w, 2, seq9, 3);
    cr_assert_eq(w.err, 1, "2 + 3 bytes do not fit in 4");
}

/* ------------------------------------------------------------------ round trips */

Test(wire_roundtrip, structure_written_then_read)
{
    uint8_t buf[64];
    wire_writer w;
    wire_writer_init(&w, buf, sizeof buf);
    wire_put_u8(&w, 0x16);
    size_t body = wire_open(&w, 3);
    wire_put_u16(&w, 0x0303);
    wire_put_block(&w, 1, seq9, 9);
    size_t list = wire_open(&w, 2);
    wire_put_u32(&w, 0xdeadbeefu);
    wire_put_u64(&w, UINT64_C(0x0123456789abcdef));
    wire_put_block(&w, 1, NULL, 0);
    wire_close(&w, list);
    wire_put_u24(&w, 0x00abcdef);
    wire_close(&w, body);
    cr_assert_eq(w.err, 0);

    wire_reader r, b, v, l, e;
    wire_init(&r, buf, w.len);
    cr_assert_eq(wire_u8(&r), 0x16);
    wire_block(&r, 3, 0, 1 << 14, &b);
    cr_assert_eq(wire_u16(&b), 0x0303);
    wire_block(&b, 1, 9, 9, &v);
    cr_assert_arr_eq(wire_bytes(&v, 9), seq9, 9);
    cr_assert_eq(wire_end(&v), 0);
    wire_block(&b, 2, 0, 0xffff, &l);
    cr_assert_eq(wire_u32(&l), 0xdeadbeefu);
    cr_assert_eq(wire_u64(&l), UINT64_C(0x0123456789abcdef));
    wire_block(&l, 1, 0, 0, &e);
    cr_assert_eq(wire_end(&e), 0);
    cr_assert_eq(wire_end(&l), 0);
    cr_assert_eq(wire_u24(&b), 0x00abcdef);
    cr_assert_eq(wire_end(&b), 0);
    cr_assert_eq(wire_end(&r), 0);
}

Test(wire_roundtrip, every_value_of_each_width_boundary)
{
    static const uint64_t values[] = {0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0xffffff,
                                      0x1000000, 0xffffffffu, UINT64_C(0x100000000),
                                      UINT64_MAX};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        uint64_t x = values[i];
        uint8_t buf[18];
        wire_writer w;
        wire_writer_init(&w, buf, sizeof buf);
        wire_put_u8(&w, (uint8_t)x);
        wire_put_u16(&w, (uint16_t)x);
        wire_put_u24(&w, (uint32_t)x & 0xffffff);
        wire_put_u32(&w, (uint32_t)x);
        wire_put_u64(&w, x);
        cr_assert_eq(w.err, 0);
        wire_reader r;
        wire_init(&r, buf, w.len);
        cr_assert_eq(wire_u8(&r), (uint8_t)x);
        cr_assert_eq(wire_u16(&r), (uint16_t)x);
        cr_assert_eq(wire_u24(&r), (uint32_t)x & 0xffffff);
        cr_assert_eq(wire_u32(&r), (uint32_t)x);
        cr_assert_eq(wire_u64(&r), x);
        cr_assert_eq(wire_end(&r), 0);
    }
}
