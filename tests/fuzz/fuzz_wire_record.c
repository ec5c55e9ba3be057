/*
 * fuzz_wire_record.c - libFuzzer target for the two layers that see raw network bytes
 * first: the bounded cursor (core/src/wire) and TLS 1.3 record protection
 * (core/src/record). Built and run by build.sh / run.sh in this folder.
 *
 * The first input byte picks a mode; the rest is the payload:
 *   0  open: the payload is one whole record (header + body) opened under a fixed key with
 *      each AEAD. Forged records must fail cleanly; the size checks see every length.
 *   1  seal/open: the payload is content sealed with a chosen type, padding and sequence
 *      number, then opened again; the round trip must give back exactly what went in.
 *   2  inner: the payload is an arbitrary TLSInnerPlaintext encrypted with the AEAD
 *      directly (no record_seal limits), then opened; the result is checked against an
 *      independent reading of s.5.4 (type = last non-zero octet, limits, all zeros).
 *   3  wire: the payload is a little program (first byte = its length) run by the reader
 *      over the remaining bytes: integer reads, borrows, copies, nested blocks, ends;
 *      every result is checked against a plain reference reading of the same bytes.
 * Any broken expectation aborts, which libFuzzer reports as a crash. Records are copied
 * into exactly-sized heap buffers so that AddressSanitizer sees any read past the end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/fuzz_support.h"
#include "crypto/crypto.h"
#include "reason.h"
#include "record/record.h"
#include "wire/wire.h"

static const aead_alg aeads[3] = {AEAD_AES128_GCM, AEAD_AES256_GCM, AEAD_CHACHA20_POLY1305};
static const uint8_t fixed_key[CRYPTO_AEAD_KEY_MAX] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};
static const uint8_t fixed_iv[CRYPTO_AEAD_NONCE_LEN] = {0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5,
                                                        0x96, 0x87, 0x78, 0x69, 0x5a, 0x4b};
/* Plaintext limits worth seeing: the protocol maximum, record_size_limit 512 and its
 * minimum 64 (RFC 8449 s.4), and a caller passing more than 2^14. */
static const size_t limits[4] = {REC_MAX_PLAINTEXT, 511, 63, SIZE_MAX};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    CHECK(crypto_init() == 0);
    return 0;
}

/* Every input starts from freshly initialised ciphers, so that no state leaks from one
 * input to the next (libFuzzer needs runs to be reproducible). */
static void fresh(record_cipher *c, int aead, uint64_t seq)
{
    CHECK(record_cipher_init(c, aeads[aead], fixed_key, fixed_iv) == 0);
    c->seq = seq;
}

static uint8_t *dup_exact(const uint8_t *p, size_t n)
{
    uint8_t *q = malloc(n ? n : 1);
    CHECK(q != NULL);
    if (n)
        memcpy(q, p, n);
    return q;
}

/* ------------------------------------------------------------------ mode 0: open */

static void fuzz_open(const uint8_t *p, size_t n)
{
    if (n < 1 + REC_HEADER_LEN)
        return;
    size_t limit = limits[p[0] & 3];
    p++;
    n--;
    for (int a = 0; a < 3; a++) {
        record_cipher c = {0};
        fresh(&c, a, 0);
        uint8_t *rec = dup_exact(p, n), type = 0, *content = NULL;
        size_t clen = 0, len = n - REC_HEADER_LEN;
        int rc = record_open(&c, rec, len, limit, &type, &content, &clen);
        if (len > REC_MAX_CIPHERTEXT_13)
            CHECK(rc == RC(R_REC_TOO_LONG));
        CHECK(rc == 0 || rc == RC(R_REC_BAD_MAC) || rc == RC(R_REC_SHORTER_THAN_TAG) ||
              rc == RC(R_REC_TOO_LONG) || rc == RC(R_REC_DECRYPTED_TOO_LONG) ||
              rc == RC(R_REC_NO_CONTENT_TYPE));
        /* The sequence number advances exactly when the record authenticated. */
        CHECK(c.seq == (rc == 0 || rc == RC(R_REC_NO_CONTENT_TYPE) ||
                                rc == RC(R_REC_DECRYPTED_TOO_LONG) ? 1u : 0u));
        if (rc == 0) {
            CHECK(type != 0);
            CHECK(content == rec + REC_HEADER_LEN);
            CHECK(clen < len);
        }
        free(rec);
        record_cipher_wipe(&c);
    }
}

/* ------------------------------------------------------------------ mode 1: seal/open */

/* Sequence numbers near 0 and near exhaustion, where the nonce and the limit live. */
static uint64_t pick_seq(uint8_t b)
{
    return b < 128 ? b : UINT64_MAX - (uint64_t)(b - 128);
}

static void fuzz_seal_open(const uint8_t *p, size_t n)
{
    if (n < 5)
        return;
    uint8_t type = p[0];
    size_t pad = (size_t)p[1] << 8 | p[2];
    uint64_t seq = pick_seq(p[3]);
    int aead = p[4] % 3;
    p += 5;
    n -= 5;

    record_cipher tx = {0}, rx = {0};
    fresh(&tx, aead, seq);
    fresh(&rx, aead, seq);
    size_t cap = record_sealed_len(n, pad);
    uint8_t *out = malloc(cap), *ctext, t = 0, *content = NULL;
    CHECK(out != NULL);
    size_t out_len = 0, clen = 0;
    int rc = record_seal(&tx, type, p, n, pad, out, cap, &out_len);
    int ok = type != 0 && n + pad <= REC_MAX_PLAINTEXT && seq != UINT64_MAX;
    CHECK((rc == 0) == ok);
    if (!ok) {
        CHECK(tx.seq == seq);
        free(out);
        record_cipher_wipe(&tx);
        record_cipher_wipe(&rx);
        return;
    }
    CHECK(out_len == cap && tx.seq == seq + 1);
    CHECK(out[0] == 0x17 && out[1] == 0x03 && out[2] == 0x03);
    CHECK(((size_t)out[3] << 8 | out[4]) == out_len - REC_HEADER_LEN);

    /* Open from an exactly-sized copy, so any over-read shows. */
    ctext = dup_exact(out, out_len);
    rc = record_open(&rx, ctext, out_len - REC_HEADER_LEN, REC_MAX_PLAINTEXT, &t, &content,
                     &clen);
    CHECK(rc == 0 && t == type && clen == n && rx.seq == seq + 1);
    CHECK(n == 0 || memcmp(content, p, n) == 0);

    /* Sealing the same content in place gives the same bytes. */
    record_cipher tx2 = {0};
    fresh(&tx2, aead, seq);
    memset(out, 0xee, cap);
    memcpy(out + REC_HEADER_LEN, p, n);
    size_t out_len2 = 0;
    CHECK(record_seal(&tx2, type, out + REC_HEADER_LEN, n, pad, out, cap, &out_len2) == 0);
    CHECK(out_len2 == out_len);
    free(ctext);
    ctext = dup_exact(out, out_len);
    record_cipher rx2 = {0};
    fresh(&rx2, aead, seq);
    CHECK(record_open(&rx2, ctext, out_len - REC_HEADER_LEN, REC_MAX_PLAINTEXT, &t, &content,
                      &clen) == 0);
    CHECK(clen == n && t == type);
    free(ctext);
    free(out);
    record_cipher_wipe(&tx);
    record_cipher_wipe(&rx);
    record_cipher_wipe(&tx2);
    record_cipher_wipe(&rx2);
}

/* ------------------------------------------------------------------ mode 2: inner */

static void fuzz_inner(const uint8_t *p, size_t n)
{
    if (n < 2)
        return;
    int aead = p[0] % 3;
    size_t limit = limits[(p[0] >> 2) & 3];
    uint64_t seq = pick_seq(p[1]);
    p += 2;
    n -= 2;
    if (n > REC_MAX_CIPHERTEXT_13 - CRYPTO_AEAD_TAG_LEN)
        return;

    /* The record built outside the record layer: nonce = iv XOR seq (RFC 8446 s.5.3). */
    uint8_t nonce[CRYPTO_AEAD_NONCE_LEN];
    memcpy(nonce, fixed_iv, sizeof nonce);
    for (int i = 0; i < 8; i++)
        nonce[4 + i] ^= (uint8_t)(seq >> (56 - 8 * i));
    size_t body = n + CRYPTO_AEAD_TAG_LEN, total = REC_HEADER_LEN + body;
    uint8_t *rec = malloc(total), t = 0, *content = NULL;
    CHECK(rec != NULL);
    rec[0] = 0x17;
    rec[1] = 0x03;
    rec[2] = 0x03;
    rec[3] = (uint8_t)(body >> 8);
    rec[4] = (uint8_t)body;
    if (n)
        memcpy(rec + REC_HEADER_LEN, p, n);
    crypto_aead_ctx *ctx = malloc(sizeof *ctx);
    CHECK(ctx != NULL);
    CHECK(crypto_aead_init(ctx, aeads[aead], fixed_key) == 0);
    crypto_aead_seal(ctx, nonce, rec, REC_HEADER_LEN, rec + REC_HEADER_LEN, n,
                     rec + REC_HEADER_LEN);
    crypto_aead_wipe(ctx);
    free(ctx);

    record_cipher rx = {0};
    fresh(&rx, aead, seq);
    size_t clen = 0;
    int rc = record_open(&rx, rec, body, limit, &t, &content, &clen);

    /* Reference reading of s.5.4 and s.5.3. */
    size_t eff = limit > REC_MAX_PLAINTEXT ? REC_MAX_PLAINTEXT : limit;
    size_t last = n;
    while (last > 0 && p[last - 1] == 0)
        last--;
    /* An exhausted sequence number cannot deprotect anything; the size of a record within
     * the s.5.2 bound is judged after authentication (s.5.2 wants bad_record_mac first). */
    int want;
    if (seq == UINT64_MAX)
        want = RC(R_REC_SEQ_EXHAUSTED);
    else if (n > eff + 1)
        want = RC(R_REC_DECRYPTED_TOO_LONG);
    else if (last == 0)
        want = RC(R_REC_NO_CONTENT_TYPE);
    else
        want = 0;
    CHECK(rc == want);
    if (rc == 0) {
        CHECK(t == p[last - 1] && clen == last - 1);
        CHECK(clen == 0 || memcmp(content, p, clen) == 0);
    }
    free(rec);
    record_cipher_wipe(&rx);
}

/* ------------------------------------------------------------------ mode 3: wire */

#define MAX_DEPTH 8

/* The reference view of a reader: which bytes of the input it covers and where it is. */
typedef struct {
    size_t start, end, pos;
    int err;
} ref_reader;

static uint64_t ref_be(const uint8_t *base, size_t at, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | base[at + i];
    return v;
}

/* Advances the reference by n bytes; returns 1 if they were there. */
static int ref_take(ref_reader *f, size_t n, size_t *at)
{
    if (f->err || n > f->end - f->pos) {
        f->err = 1;
        f->pos = f->end;
        return 0;
    }
    *at = f->pos;
    f->pos += n;
    return 1;
}

static void check_same(const wire_reader *r, const ref_reader *f, const uint8_t *base)
{
    CHECK(r->err == f->err);
    CHECK(wire_left(r) == (f->err ? 0 : f->end - f->pos));
    if (!f->err)
        CHECK(r->p + r->pos == base + f->pos);
}

static void fuzz_wire(const uint8_t *p, size_t n)
{
    if (n < 1)
        return;
    size_t prog_len = p[0];
    if (prog_len > n - 1)
        prog_len = n - 1;
    const uint8_t *prog = p + 1;
    size_t data_len = n - 1 - prog_len;
    uint8_t *data = dup_exact(p + 1 + prog_len, data_len);

    wire_reader stack[MAX_DEPTH];
    ref_reader ref[MAX_DEPTH];
    int depth = 0;
    wire_init(&stack[0], data, data_len);
    ref[0] = (ref_reader){0, data_len, 0, 0};

    for (size_t pc = 0; pc < prog_len; pc++) {
        wire_reader *r = &stack[depth];
        ref_reader *f = &ref[depth];
        uint8_t op = prog[pc], arg = pc + 1 < prog_len ? prog[pc + 1] : 0;
        size_t at = 0;
        static const size_t widths[5] = {1, 2, 3, 4, 8};
        switch (op % 9) {
        case 0: case 1: case 2: case 3: case 4: {
            size_t w = widths[op % 9];
            uint64_t v = 0;
            switch (w) {
            case 1: v = wire_u8(r); break;
            case 2: v = wire_u16(r); break;
            case 3: v = wire_u24(r); break;
            case 4: v = wire_u32(r); break;
            default: v = wire_u64(r); break;
            }
            CHECK(v == (ref_take(f, w, &at) ? ref_be(data, at, w) : 0));
            break;
        }
        case 5: {
            const uint8_t *b = wire_bytes(r, arg);
            CHECK(ref_take(f, arg, &at) ? b == data + at : b == NULL);
            pc++;
            break;
        }
        case 6: {
            uint8_t out[256];
            wire_copy(r, out, arg);
            if (ref_take(f, arg, &at)) {
                CHECK(arg == 0 || memcmp(out, data + at, arg) == 0);
            } else {
                for (size_t i = 0; i < arg; i++)
                    CHECK(out[i] == 0);
            }
            pc++;
            break;
        }
        case 7: {
            /* block: prefix 1-3 from the op, min and max from the argument byte */
            int prefix = 1 + (op / 9) % 3;
            size_t min = arg & 0x0f, max = (size_t)(arg >> 4) * 0x111;
            wire_reader sub;
            wire_block(r, prefix, min, max, &sub);
            ref_reader fs = {0, 0, 0, 1};
            if (ref_take(f, (size_t)prefix, &at)) {
                size_t len = (size_t)ref_be(data, at, (size_t)prefix);
                size_t body_at;
                if (len >= min && len <= max && ref_take(f, len, &body_at))
                    fs = (ref_reader){body_at, body_at + len, body_at, 0};
                else {
                    f->err = 1;
                    f->pos = f->end;
                }
            }
            check_same(r, f, data);
            CHECK(sub.err == fs.err);
            if (!fs.err) {
                CHECK(sub.p == data + fs.start && sub.len == fs.end - fs.start);
                /* A block lies inside its parent. */
                CHECK(fs.start >= f->start && fs.end <= f->end);
            }
            if (depth + 1 < MAX_DEPTH) {
                depth++;
                stack[depth] = sub;
                ref[depth] = fs;
            }
            pc++;
            break;
        }
        default: {
            int rc = wire_end(r);
            int want = f->err || f->pos != f->end ? -1 : 0;
            if (want) {
                f->err = 1;
                f->pos = f->end;
            }
            CHECK(rc == want);
            if (depth > 0)
                depth--;
            break;
        }
        }
        check_same(&stack[depth], &ref[depth], data);
    }
    free(data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    switch (data[0] & 3) {
    case 0: fuzz_open(data + 1, size - 1); break;
    case 1: fuzz_seal_open(data + 1, size - 1); break;
    case 2: fuzz_inner(data + 1, size - 1); break;
    default: fuzz_wire(data + 1, size - 1); break;
    }
    return 0;
}
