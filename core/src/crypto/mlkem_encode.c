/*
 * mlkem_encode.c - ML-KEM's byte encodings and compression (FIPS 203 s.4.2.1):
 * ByteEncode_d / ByteDecode_d (Algorithms 5 and 6) for d = 12 (keys), du = 10 or 11 and
 * dv = 4 or 5 (ciphertext: ML-KEM-768 or ML-KEM-1024) and 1 (message), Compress_d /
 * Decompress_d, and the modulus check that FIPS 203 s.7.2 requires of an encapsulation
 * key. Each d has its own packing code (bits of consecutive coefficients, least
 * significant first, ByteEncode_d's order); which one runs depends on the public
 * parameter set only.
 *
 * Compress_d(x) = round(2^d * x / q) mod 2^d runs on secret coefficients during
 * encryption and decryption. A division by q there is the KyberSlash timing leak (the
 * compiler may emit a variable-time div instruction), so the quotient is computed with a
 * multiplication by a fixed-point reciprocal instead: for 0 <= x < q and d in {1, 4, 5, 10, 11}
 *   round(2^d x / q) = floor((2^d x + 1664) / q) = ((2^d x + 1664) * 1290168) >> 32
 * (the first step because 2^(d+1) x is never an odd multiple of q, so there is no tie;
 * the second checked for every x and d by test_mlkem's compress test).
 */
#include "crypto/mlkem.h"

#define COMPRESS_MUL 1290168u /* ceil(2^32 / q) */

/* The representative in [0, q) of a centred coefficient (|a| < q), without a branch:
 * a >> 15 is all ones exactly when a is negative. */
static uint32_t to_unsigned(int16_t a)
{
    return (uint32_t)(int32_t)(a + ((a >> 15) & MLKEM_Q));
}

/* Compress_d of a centred coefficient, d <= 11 (see the top of the file). */
static uint32_t compress(int16_t a, unsigned d)
{
    uint64_t x = ((uint64_t)to_unsigned(a) << d) + 1664;
    return (uint32_t)((x * COMPRESS_MUL) >> 32) & ((1u << d) - 1);
}

/* Decompress_d(y) = round(q * y / 2^d), rounding halves up as FIPS 203 s.2.3 does. */
static int16_t decompress(uint32_t y, unsigned d)
{
    return (int16_t)((y * MLKEM_Q + (1u << (d - 1))) >> d);
}

void mlkem_poly_tobytes(uint8_t out[MLKEM_POLY_BYTES], const mlkem_poly *a)
{
    for (int i = 0; i < MLKEM_N / 2; i++) {
        uint32_t t0 = to_unsigned(a->c[2 * i]), t1 = to_unsigned(a->c[2 * i + 1]);
        out[3 * i] = (uint8_t)t0;
        out[3 * i + 1] = (uint8_t)((t0 >> 8) | (t1 << 4));
        out[3 * i + 2] = (uint8_t)(t1 >> 4);
    }
}

void mlkem_poly_frombytes(mlkem_poly *a, const uint8_t in[MLKEM_POLY_BYTES])
{
    for (int i = 0; i < MLKEM_N / 2; i++) {
        const uint8_t *b = in + 3 * i;
        a->c[2 * i] = (int16_t)(b[0] | ((b[1] & 0x0f) << 8));
        a->c[2 * i + 1] = (int16_t)((b[1] >> 4) | (b[2] << 4));
    }
}

/* FIPS 203 s.7.2: "(Modulus check) Perform the computation
 * test <- ByteEncode_12(ByteDecode_12(ek[0 : 384k])). If test != ek[0 : 384k], the input
 * checking has failed." ByteDecode_12 reduces each 12-bit value modulo q, so the round
 * trip changes the bytes exactly when some value is q or more: that is what is checked. */
int mlkem_bytes12_reduced(const uint8_t *in, size_t len)
{
    uint32_t bad = 0;
    for (size_t i = 0; i + 3 <= len; i += 3) {
        int32_t v0 = in[i] | ((in[i + 1] & 0x0f) << 8);
        int32_t v1 = (in[i + 1] >> 4) | (in[i + 2] << 4);
        bad |= (uint32_t)((MLKEM_Q - 1 - v0) | (MLKEM_Q - 1 - v1)) >> 31;
    }
    return bad == 0;
}

/* du = 10: four coefficients in five bytes. */
static void compress_10(uint8_t *out, const mlkem_poly *a)
{
    for (int i = 0; i < MLKEM_N / 4; i++) {
        uint32_t t[4];
        for (int j = 0; j < 4; j++)
            t[j] = compress(a->c[4 * i + j], 10);
        uint8_t *o = out + 5 * i;
        o[0] = (uint8_t)t[0];
        o[1] = (uint8_t)((t[0] >> 8) | (t[1] << 2));
        o[2] = (uint8_t)((t[1] >> 6) | (t[2] << 4));
        o[3] = (uint8_t)((t[2] >> 4) | (t[3] << 6));
        o[4] = (uint8_t)(t[3] >> 2);
    }
}

static void decompress_10(mlkem_poly *a, const uint8_t *in)
{
    for (int i = 0; i < MLKEM_N / 4; i++) {
        const uint8_t *b = in + 5 * i;
        uint32_t t[4] = {
            (b[0] | ((uint32_t)b[1] << 8)) & 0x3ff,
            ((b[1] >> 2) | ((uint32_t)b[2] << 6)) & 0x3ff,
            ((b[2] >> 4) | ((uint32_t)b[3] << 4)) & 0x3ff,
            ((b[3] >> 6) | ((uint32_t)b[4] << 2)) & 0x3ff,
        };
        for (int j = 0; j < 4; j++)
            a->c[4 * i + j] = decompress(t[j], 10);
    }
}

/* du = 11: eight coefficients in eleven bytes. */
static void compress_11(uint8_t *out, const mlkem_poly *a)
{
    for (int i = 0; i < MLKEM_N / 8; i++) {
        uint32_t t[8];
        for (int j = 0; j < 8; j++)
            t[j] = compress(a->c[8 * i + j], 11);
        uint8_t *o = out + 11 * i;
        o[0] = (uint8_t)t[0];
        o[1] = (uint8_t)((t[0] >> 8) | (t[1] << 3));
        o[2] = (uint8_t)((t[1] >> 5) | (t[2] << 6));
        o[3] = (uint8_t)(t[2] >> 2);
        o[4] = (uint8_t)((t[2] >> 10) | (t[3] << 1));
        o[5] = (uint8_t)((t[3] >> 7) | (t[4] << 4));
        o[6] = (uint8_t)((t[4] >> 4) | (t[5] << 7));
        o[7] = (uint8_t)(t[5] >> 1);
        o[8] = (uint8_t)((t[5] >> 9) | (t[6] << 2));
        o[9] = (uint8_t)((t[6] >> 6) | (t[7] << 5));
        o[10] = (uint8_t)(t[7] >> 3);
    }
}

static void decompress_11(mlkem_poly *a, const uint8_t *in)
{
    for (int i = 0; i < MLKEM_N / 8; i++) {
        const uint8_t *b = in + 11 * i;
        uint32_t t[8] = {
            (b[0] | ((uint32_t)b[1] << 8)) & 0x7ff,
            ((b[1] >> 3) | ((uint32_t)b[2] << 5)) & 0x7ff,
            ((b[2] >> 6) | ((uint32_t)b[3] << 2) | ((uint32_t)b[4] << 10)) & 0x7ff,
            ((b[4] >> 1) | ((uint32_t)b[5] << 7)) & 0x7ff,
            ((b[5] >> 4) | ((uint32_t)b[6] << 4)) & 0x7ff,
            ((b[6] >> 7) | ((uint32_t)b[7] << 1) | ((uint32_t)b[8] << 9)) & 0x7ff,
            ((b[8] >> 2) | ((uint32_t)b[9] << 6)) & 0x7ff,
            ((b[9] >> 5) | ((uint32_t)b[10] << 3)) & 0x7ff,
        };
        for (int j = 0; j < 8; j++)
            a->c[8 * i + j] = decompress(t[j], 11);
    }
}

void mlkem_poly_compress_du(uint8_t *out, const mlkem_poly *a, unsigned du)
{
    if (du == 10)
        compress_10(out, a);
    else
        compress_11(out, a);
}

void mlkem_poly_decompress_du(mlkem_poly *a, const uint8_t *in, unsigned du)
{
    if (du == 10)
        decompress_10(a, in);
    else
        decompress_11(a, in);
}

/* dv = 4: two coefficients in a byte. */
static void compress_4(uint8_t *out, const mlkem_poly *a)
{
    for (int i = 0; i < MLKEM_N / 2; i++)
        out[i] = (uint8_t)(compress(a->c[2 * i], 4) | (compress(a->c[2 * i + 1], 4) << 4));
}

static void decompress_4(mlkem_poly *a, const uint8_t *in)
{
    for (int i = 0; i < MLKEM_N / 2; i++) {
        a->c[2 * i] = decompress(in[i] & 0x0f, 4);
        a->c[2 * i + 1] = decompress(in[i] >> 4, 4);
    }
}

/* dv = 5: eight coefficients in five bytes. */
static void compress_5(uint8_t *out, const mlkem_poly *a)
{
    for (int i = 0; i < MLKEM_N / 8; i++) {
        uint32_t t[8];
        for (int j = 0; j < 8; j++)
            t[j] = compress(a->c[8 * i + j], 5);
        uint8_t *o = out + 5 * i;
        o[0] = (uint8_t)(t[0] | (t[1] << 5));
        o[1] = (uint8_t)((t[1] >> 3) | (t[2] << 2) | (t[3] << 7));
        o[2] = (uint8_t)((t[3] >> 1) | (t[4] << 4));
        o[3] = (uint8_t)((t[4] >> 4) | (t[5] << 1) | (t[6] << 6));
        o[4] = (uint8_t)((t[6] >> 2) | (t[7] << 3));
    }
}

static void decompress_5(mlkem_poly *a, const uint8_t *in)
{
    for (int i = 0; i < MLKEM_N / 8; i++) {
        const uint8_t *b = in + 5 * i;
        uint32_t t[8] = {
            b[0] & 0x1fu,
            ((b[0] >> 5) | ((uint32_t)b[1] << 3)) & 0x1f,
            (b[1] >> 2) & 0x1fu,
            ((b[1] >> 7) | ((uint32_t)b[2] << 1)) & 0x1f,
            ((b[2] >> 4) | ((uint32_t)b[3] << 4)) & 0x1f,
            (b[3] >> 1) & 0x1fu,
            ((b[3] >> 6) | ((uint32_t)b[4] << 2)) & 0x1f,
            (uint32_t)b[4] >> 3,
        };
        for (int j = 0; j < 8; j++)
            a->c[8 * i + j] = decompress(t[j], 5);
    }
}

void mlkem_poly_compress_dv(uint8_t *out, const mlkem_poly *a, unsigned dv)
{
    if (dv == 4)
        compress_4(out, a);
    else
        compress_5(out, a);
}

void mlkem_poly_decompress_dv(mlkem_poly *a, const uint8_t *in, unsigned dv)
{
    if (dv == 4)
        decompress_4(a, in);
    else
        decompress_5(a, in);
}

/* Decompress_1 of each message bit: 0 or round(q/2) = 1665, selected by a mask. */
void mlkem_poly_frommsg(mlkem_poly *a, const uint8_t msg[MLKEM_MSG_BYTES])
{
    for (int i = 0; i < MLKEM_MSG_BYTES; i++)
        for (int j = 0; j < 8; j++) {
            int16_t mask = (int16_t)-(int16_t)((msg[i] >> j) & 1);
            a->c[8 * i + j] = (int16_t)(mask & ((MLKEM_Q + 1) / 2));
        }
}

void mlkem_poly_tomsg(uint8_t msg[MLKEM_MSG_BYTES], const mlkem_poly *a)
{
    for (int i = 0; i < MLKEM_MSG_BYTES; i++) {
        uint32_t byte = 0;
        for (int j = 0; j < 8; j++)
            byte |= compress(a->c[8 * i + j], 1) << j;
        msg[i] = (uint8_t)byte;
    }
}
