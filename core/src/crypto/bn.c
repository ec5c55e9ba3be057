/*
 * bn.c - conversions between big-endian byte strings and GMP numbers for the EC and RSA
 * code, written out by hand so that secrets can be read into stack limbs (which we wipe)
 * instead of GMP-allocated memory (which GMP frees without wiping).
 */
#include <string.h>

#include "crypto/backend.h"

int bn_from_be(mp_limb_t *limbs, size_t n, const uint8_t *be, size_t len)
{
    be = bn_strip(be, &len);
    if (len > n * sizeof(mp_limb_t))
        return -1;
    memset(limbs, 0, n * sizeof(mp_limb_t));
    for (size_t i = 0; i < len; i++) {
        size_t bit = 8 * i; /* position of byte be[len - 1 - i] */
        limbs[bit / GMP_NUMB_BITS] |= (mp_limb_t)be[len - 1 - i] << (bit % GMP_NUMB_BITS);
    }
    return 0;
}

int bn_to_be(const mpz_t x, uint8_t *out, size_t len)
{
    size_t n = mpz_size(x);
    const mp_limb_t *limbs = mpz_limbs_read(x);
    if (mpz_sgn(x) < 0 || (mpz_sgn(x) > 0 && (mpz_sizeinbase(x, 2) + 7) / 8 > len))
        return -1;
    for (size_t i = 0; i < len; i++) {
        size_t bit = 8 * i, k = bit / GMP_NUMB_BITS;
        out[len - 1 - i] = k < n ? (uint8_t)(limbs[k] >> (bit % GMP_NUMB_BITS)) : 0;
    }
    return 0;
}

void bn_import(mpz_t x, const uint8_t *be, size_t len)
{
    if (len == 0)
        mpz_set_ui(x, 0);
    else
        mpz_import(x, len, 1, 1, 1, 0, be);
}

void bn_wipe_clear(mpz_t x)
{
    size_t n = mpz_size(x);
    if (n > 0)
        crypto_wipe(mpz_limbs_modify(x, (mp_size_t)n), n * sizeof(mp_limb_t));
    mpz_clear(x);
}

const uint8_t *bn_strip(const uint8_t *be, size_t *len)
{
    while (*len > 0 && be[0] == 0) {
        be++;
        (*len)--;
    }
    return be;
}
