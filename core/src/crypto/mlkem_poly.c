/*
 * mlkem_poly.c - arithmetic in R_q = Z_q[X]/(X^256 + 1), q = 3329, for ML-KEM (FIPS 203
 * s.4.3): modular reductions, the NTT and its inverse (Algorithms 9 and 10) and the
 * product of NTT representations (Algorithms 11 and 12).
 *
 * Coefficients are int16_t. Products are reduced with Montgomery reduction (R = 2^16) and
 * sums with Barrett reduction; neither divides, branches or indexes a table by a
 * coefficient, so every function here runs in time independent of the (secret) values.
 * The twiddle factors are stored times R so that one Montgomery multiplication by them
 * gives the plain product.
 */
#include "crypto/mlkem.h"

#define QINV (-3327)     /* q^-1 mod 2^16, as a signed 16-bit value (62209) */
#define BARRETT_V 20159  /* round(2^26 / q) */
#define R2_MOD_Q 1353    /* R^2 mod q: Montgomery-multiplying by it multiplies by R */
#define INVNTT_F 1441    /* R^2 / 128 mod q: the 1/128 of NTT^-1, times R (see invntt) */

/* zetas[i] = 17^BitRev7(i) * R mod q, centred (FIPS 203 s.4.3: zeta = 17 is a primitive
 * 256th root of unity modulo q; Appendix A lists the plain values). Computed, not typed:
 *   [((pow(17, int(f'{i:07b}'[::-1], 2), 3329) << 16) % 3329 + 1664) % 3329 - 1664
 *    for i in range(128)]                                                    (Python) */
static const int16_t zetas[128] = {
    -1044, -758,  -359,  -1517, 1493,  1422,  287,   202,   -171,  622,   1577,  182,
    962,   -1202, -1474, 1468,  573,   -1325, 264,   383,   -829,  1458,  -1602, -130,
    -681,  1017,  732,   608,   -1542, 411,   -205,  -1571, 1223,  652,   -552,  1015,
    -1293, 1491,  -282,  -1544, 516,   -8,    -320,  -666,  -1618, -1162, 126,   1469,
    -853,  -90,   -271,  830,   107,   -1421, -247,  -951,  -398,  961,   -1508, -725,
    448,   -1065, 677,   -1275, -1103, 430,   555,   843,   -1251, 871,   1550,  105,
    422,   587,   177,   -235,  -291,  -460,  1574,  1653,  -246,  778,   1159,  -147,
    -777,  1483,  -602,  1119,  -1590, 644,   -872,  349,   418,   329,   -156,  -75,
    817,   1097,  603,   610,   1322,  -1285, -1465, 384,   -1215, -136,  1218,  -1335,
    -874,  220,   -1187, -1659, -1185, -1530, -1278, 794,   -1510, -854,  -870,  478,
    -108,  -308,  996,   991,   958,   -1460, 1522,  1628,
};

/* a * R^-1 mod q for |a| < q * 2^15; result in (-q, q). The low half is computed in
 * unsigned arithmetic (no signed overflow); the conversion back to int16_t wraps as on
 * every two's-complement compiler tlsm supports. */
static int16_t mont_reduce(int32_t a)
{
    int16_t t = (int16_t)(uint16_t)((uint32_t)a * (uint16_t)QINV);
    return (int16_t)((a - (int32_t)t * MLKEM_Q) >> 16);
}

/* a * b * R^-1 mod q. */
static int16_t fqmul(int16_t a, int16_t b)
{
    return mont_reduce((int32_t)a * b);
}

/* The centred representative of a mod q, for any int16_t a. */
static int16_t barrett_reduce(int16_t a)
{
    int16_t t = (int16_t)(((int32_t)BARRETT_V * a + (1 << 25)) >> 26);
    return (int16_t)(a - t * MLKEM_Q);
}

void mlkem_poly_reduce(mlkem_poly *a)
{
    for (int i = 0; i < MLKEM_N; i++)
        a->c[i] = barrett_reduce(a->c[i]);
}

void mlkem_poly_tomont(mlkem_poly *a)
{
    for (int i = 0; i < MLKEM_N; i++)
        a->c[i] = fqmul(a->c[i], R2_MOD_Q);
}

/* Algorithm 9: Cooley-Tukey butterflies, len = 128 .. 2, zeta index k = 1 .. 127. Each
 * layer grows the bound by at most q (|fqmul| < q), so 4095 + 7q < 2^15 holds to the end;
 * the final reduction brings the result back to centred form. */
void mlkem_poly_ntt(mlkem_poly *a)
{
    int16_t *f = a->c;
    int k = 1;
    for (int len = 128; len >= 2; len >>= 1) {
        for (int start = 0; start < MLKEM_N; start += 2 * len) {
            int16_t zeta = zetas[k++];
            for (int j = start; j < start + len; j++) {
                int16_t t = fqmul(zeta, f[j + len]);
                f[j + len] = (int16_t)(f[j] - t);
                f[j] = (int16_t)(f[j] + t);
            }
        }
    }
    mlkem_poly_reduce(a);
}

/* Algorithm 10: Gentleman-Sande butterflies, len = 2 .. 128, k = 127 .. 1. The sums are
 * Barrett-reduced at once and the differences Montgomery-multiplied, so nothing exceeds
 * 2^15. The final multiplication by INVNTT_F = R^2/128 is FIPS 203's "f <- f * 3303"
 * (3303 = 128^-1 mod q) times R. */
void mlkem_poly_invntt_tomont(mlkem_poly *a)
{
    int16_t *f = a->c;
    int k = 127;
    for (int len = 2; len <= 128; len <<= 1) {
        for (int start = 0; start < MLKEM_N; start += 2 * len) {
            int16_t zeta = zetas[k--];
            for (int j = start; j < start + len; j++) {
                int16_t t = f[j];
                f[j] = barrett_reduce((int16_t)(t + f[j + len]));
                f[j + len] = fqmul(zeta, (int16_t)(f[j + len] - t));
            }
        }
    }
    for (int j = 0; j < MLKEM_N; j++)
        f[j] = fqmul(f[j], INVNTT_F);
}

/* Algorithms 11 and 12 for one vector product: for each pair i (coefficients 2i, 2i+1),
 *   c0 = a0*b0 + a1*b1*gamma_i,  c1 = a0*b1 + a1*b0,  gamma_i = zeta^(2*BitRev7(i) + 1).
 * gamma_{2m} = zeta^BitRev7(64 + m) = zetas[64 + m] / R, and gamma_{2m+1} = -gamma_{2m}
 * (BitRev7(2m+1) = BitRev7(2m) + 64 and zeta^128 = -1), so the table above serves. The
 * sum over the k products is accumulated in 32 bits and reduced once per coefficient.
 * Every caller passes one operand with |x| <= 4095 (a ByteDecode_12 output or a sampled
 * matrix entry) and one centred NTT output (|x| <= (q-1)/2 = 1664); with k <= 4,
 * |c0| < 4 * (4095 * 1664 + q * 1664) and |c1| < 8 * 4095 * 1664, both below q * 2^15
 * as mont_reduce needs, which also puts the result below q. */
static inline __attribute__((always_inline)) void basemul_acc(mlkem_poly *r,
                                                              const mlkem_vec *a,
                                                              const mlkem_vec *b, unsigned k)
{
    for (int m = 0; m < MLKEM_N / 4; m++) {
        int16_t gamma = zetas[64 + m];
        for (int half = 0; half < 2; half++) {
            int i = 4 * m + 2 * half;
            int32_t c0 = 0, c1 = 0;
            for (unsigned v = 0; v < k; v++) {
                int16_t a0 = a->p[v].c[i], a1 = a->p[v].c[i + 1];
                int16_t b0 = b->p[v].c[i], b1 = b->p[v].c[i + 1];
                /* (a1 b1 R^-1) * (gamma R): one more R^-1 from the final reduction. */
                c0 += (int32_t)a0 * b0 + (int32_t)fqmul(a1, b1) * (half ? -gamma : gamma);
                c1 += (int32_t)a0 * b1 + (int32_t)a1 * b0;
            }
            r->c[i] = mont_reduce(c0);
            r->c[i + 1] = mont_reduce(c1);
        }
    }
}

/* One copy per k, each with its constant loop bound, keeps ML-KEM-768 as fast as when k
 * was a compile-time constant. k is public (the parameter set). */
void mlkem_vec_basemul_acc(mlkem_poly *r, const mlkem_vec *a, const mlkem_vec *b, unsigned k)
{
    if (k == 3)
        basemul_acc(r, a, b, 3);
    else
        basemul_acc(r, a, b, MLKEM_K_MAX);
}

void mlkem_poly_add(mlkem_poly *r, const mlkem_poly *a, const mlkem_poly *b)
{
    for (int i = 0; i < MLKEM_N; i++)
        r->c[i] = (int16_t)(a->c[i] + b->c[i]);
}

void mlkem_poly_sub(mlkem_poly *r, const mlkem_poly *a, const mlkem_poly *b)
{
    for (int i = 0; i < MLKEM_N; i++)
        r->c[i] = (int16_t)(a->c[i] - b->c[i]);
}
