/*
 * mlkem_xof.c - SHAKE128 (FIPS 202 s.6.2), the XOF of ML-KEM (FIPS 203 s.4.1), built on
 * Nettle's Keccak-f[1600] permutation (sha3_permute): Nettle 3.8 offers SHAKE256 but not
 * SHAKE128.
 *
 * SHAKE128 is the sponge over Keccak-f[1600] with a rate of 168 bytes and the domain
 * suffix 1111 (FIPS 202 s.6.2), padded with pad10*1 (s.5.1): the byte 0x1F after the
 * message and the bit 0x80 in the last byte of the block. ML-KEM absorbs only the 34
 * bytes rho || i || j, which fit in one block, so absorbing is one XOR into a zero state.
 * Byte n of the state is byte n % 8 (little-endian) of lane n / 8, as in Nettle.
 * Only public data goes through here (rho comes from the encapsulation key).
 */
#include <string.h>

#include "crypto/mlkem.h"

void mlkem_xof_absorb(mlkem_xof *x, const uint8_t rho[32], uint8_t a, uint8_t b)
{
    uint8_t block[MLKEM_XOF_RATE] = {0};
    memcpy(block, rho, 32);
    block[32] = a;
    block[33] = b;
    block[34] = 0x1f;
    block[MLKEM_XOF_RATE - 1] |= 0x80;
    memset(&x->state, 0, sizeof x->state);
    for (int i = 0; i < MLKEM_XOF_RATE / 8; i++) {
        uint64_t lane = 0;
        for (int j = 7; j >= 0; j--)
            lane = (lane << 8) | block[8 * i + j];
        x->state.a[i] = lane;
    }
}

void mlkem_xof_squeeze_blocks(mlkem_xof *x, uint8_t *out, size_t n)
{
    for (; n > 0; n--, out += MLKEM_XOF_RATE) {
        sha3_permute(&x->state);
        for (int i = 0; i < MLKEM_XOF_RATE / 8; i++) {
            uint64_t lane = x->state.a[i];
            for (int j = 0; j < 8; j++)
                out[8 * i + j] = (uint8_t)(lane >> (8 * j));
        }
    }
}
