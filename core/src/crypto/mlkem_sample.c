/*
 * mlkem_sample.c - ML-KEM's sampling and hash functions (FIPS 203 s.4.1, s.4.2.2):
 * SampleNTT (Algorithm 7) over SHAKE128, SamplePolyCBD_2 (Algorithm 8) over
 * PRF_2 = SHAKE256, and H = SHA3-256, G = SHA3-512, J = SHAKE256 from Nettle.
 *
 * SampleNTT is rejection sampling: its loop and stores depend on the bytes squeezed, which
 * come from rho, a public part of the encapsulation key. SamplePolyCBD works on secret
 * bytes (the noise of s, e, y, e1, e2) with additions and masks only. Hash states that
 * absorbed secrets are wiped.
 */
#include <nettle/sha3.h>

#include "crypto/crypto.h"
#include "crypto/mlkem.h"

/* Three blocks give 336 candidates, each accepted with probability q / 4096: enough for
 * 256 coefficients in all but 0.8% of the cases; more blocks are squeezed on demand. */
#define SAMPLE_NTT_FIRST_BLOCKS 3

void mlkem_sample_ntt(mlkem_poly *a, const uint8_t rho[32], uint8_t a_byte, uint8_t b_byte)
{
    mlkem_xof xof;
    uint8_t buf[SAMPLE_NTT_FIRST_BLOCKS * MLKEM_XOF_RATE];
    size_t len = sizeof buf, pos = 0;
    int n = 0;
    mlkem_xof_absorb(&xof, rho, a_byte, b_byte);
    mlkem_xof_squeeze_blocks(&xof, buf, SAMPLE_NTT_FIRST_BLOCKS);
    while (n < MLKEM_N) {
        if (pos == len) { /* the rate is a multiple of 3: no candidate spans two blocks */
            mlkem_xof_squeeze_blocks(&xof, buf, 1);
            len = MLKEM_XOF_RATE;
            pos = 0;
        }
        int d1 = buf[pos] | ((buf[pos + 1] & 0x0f) << 8);
        int d2 = (buf[pos + 1] >> 4) | (buf[pos + 2] << 4);
        pos += 3;
        if (d1 < MLKEM_Q)
            a->c[n++] = (int16_t)d1;
        if (d2 < MLKEM_Q && n < MLKEM_N)
            a->c[n++] = (int16_t)d2;
    }
}

/* PRF_2(sigma, n) = SHAKE256(sigma || n, 128 bytes); each coefficient is
 * (b[4i] + b[4i+1]) - (b[4i+2] + b[4i+3]) over the bits b of that output, computed for
 * eight coefficients at once: w & 0x55.. + (w >> 1) & 0x55.. adds neighbouring bits. */
void mlkem_sample_cbd2(mlkem_poly *a, const uint8_t sigma[32], uint8_t n)
{
    struct sha3_256_ctx ctx;
    uint8_t buf[MLKEM_CBD_BYTES];
    sha3_256_init(&ctx);
    sha3_256_update(&ctx, 32, sigma);
    sha3_256_update(&ctx, 1, &n);
    sha3_256_shake(&ctx, sizeof buf, buf);
    for (int i = 0; i < MLKEM_N / 8; i++) {
        const uint8_t *b = buf + 4 * i;
        uint32_t w = b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
        uint32_t d = (w & 0x55555555u) + ((w >> 1) & 0x55555555u);
        for (int j = 0; j < 8; j++) {
            int16_t x = (int16_t)((d >> (4 * j)) & 3), y = (int16_t)((d >> (4 * j + 2)) & 3);
            a->c[8 * i + j] = (int16_t)(x - y);
        }
    }
    crypto_wipe(&ctx, sizeof ctx);
    crypto_wipe(buf, sizeof buf);
}

void mlkem_hash_h(uint8_t out[32], const uint8_t *in, size_t len)
{
    struct sha3_256_ctx ctx;
    sha3_256_init(&ctx);
    sha3_256_update(&ctx, len, in);
    sha3_256_digest(&ctx, 32, out);
    crypto_wipe(&ctx, sizeof ctx);
}

void mlkem_hash_g(uint8_t out[64], const uint8_t *a, size_t a_len, const uint8_t *b,
                  size_t b_len)
{
    struct sha3_512_ctx ctx;
    sha3_512_init(&ctx);
    sha3_512_update(&ctx, a_len, a);
    sha3_512_update(&ctx, b_len, b);
    sha3_512_digest(&ctx, 64, out);
    crypto_wipe(&ctx, sizeof ctx);
}

void mlkem_hash_j(uint8_t out[32], const uint8_t z[32], const uint8_t *c, size_t c_len)
{
    struct sha3_256_ctx ctx;
    sha3_256_init(&ctx);
    sha3_256_update(&ctx, 32, z);
    sha3_256_update(&ctx, c_len, c);
    sha3_256_shake(&ctx, 32, out);
    crypto_wipe(&ctx, sizeof ctx);
}
