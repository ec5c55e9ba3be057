/*
 * ffdhe.c - finite-field Diffie-Hellman over the RFC 7919 groups (ffdhe_groups.c): key
 * pairs, the shared secret with peer validation, the TLS 1.2 form of the premaster secret,
 * and recognising the groups when a TLS 1.2 server sends them as explicit parameters.
 *
 * Arithmetic: GMP's mpn_sec_powm, the side-channel silent exponentiation that mpz_powm_sec
 * is built on. Its time and memory access pattern depend only on the operand sizes and on
 * the exponent's declared bit count (always 8 * exp_len here), never on the exponent's or
 * the base's value. Calling the mpn layer directly means every copy of the exponent, of
 * the intermediate powers and of the result lives in a buffer this file owns and wipes:
 * the private exponent and the peer value are read into stack limbs, and the scratch space
 * is allocated here and wiped before it is freed.
 *
 * Validation: RFC 7919 s.5.1 and RFC 8446 s.4.2.8.1 require 1 < Y < p - 1 for the peer's
 * value. With a safe prime that leaves only elements of order q or 2q, so Y^x is never 1
 * for 1 < x < q and no further check of the result is needed; the full subgroup check
 * (Y^q = 1) that RFC 7919 s.5.1 allows is not done, because exponents are never reused:
 * the caller draws a fresh one for every handshake and wipes it after one use.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/ffdhe.h"
#include "mem.h"

#define LIMB_BYTES sizeof(mp_limb_t)
#define FFDHE_LIMBS ((FFDHE_P_MAX + LIMB_BYTES - 1) / LIMB_BYTES)
#define EXP_LIMBS ((CRYPTO_KEX_PRIV_MAX + LIMB_BYTES - 1) / LIMB_BYTES)

/* Writes the n limbs (least significant first) as exactly len big-endian bytes; the
 * caller guarantees the value fits. */
static void limbs_to_be(const mp_limb_t *limbs, size_t n, uint8_t *out, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        size_t bit = 8 * i, k = bit / GMP_NUMB_BITS;
        out[len - 1 - i] = k < n ? (uint8_t)(limbs[k] >> (bit % GMP_NUMB_BITS)) : 0;
    }
}

/* Reads len big-endian bytes into n limbs (least significant first), zero-padded; the
 * caller guarantees len <= n * LIMB_BYTES. Unlike bn_from_be it does not skip leading zero
 * bytes, so the loop does not depend on the value (the exponent and the result are
 * secret). */
static void limbs_from_be(mp_limb_t *limbs, size_t n, const uint8_t *be, size_t len)
{
    memset(limbs, 0, n * LIMB_BYTES);
    for (size_t i = 0; i < len; i++) {
        size_t bit = 8 * i; /* position of byte be[len - 1 - i] */
        limbs[bit / GMP_NUMB_BITS] |= (mp_limb_t)be[len - 1 - i] << (bit % GMP_NUMB_BITS);
    }
}

/* r = base^x mod p in constant time, x being the exp_len-byte big-endian priv. The base
 * (bn limbs, 0 < base < p) may be secret too. Returns 0 or -1 (allocation failure). */
static int sec_powm(const ffdhe_group *g, mp_limb_t *r, const mp_limb_t *base, size_t bn,
                    const uint8_t *priv)
{
    mp_limb_t p[FFDHE_LIMBS], x[EXP_LIMBS];
    size_t n = (g->p_len + LIMB_BYTES - 1) / LIMB_BYTES;
    mp_bitcnt_t enb = 8 * (mp_bitcnt_t)g->exp_len;
    limbs_from_be(p, n, g->p, g->p_len);
    limbs_from_be(x, EXP_LIMBS, priv, g->exp_len);
    size_t scratch_len = (size_t)mpn_sec_powm_itch((mp_size_t)bn, enb, (mp_size_t)n);
    mp_limb_t *scratch = mem_alloc(scratch_len * LIMB_BYTES);
    if (scratch == NULL) {
        crypto_wipe(x, sizeof x);
        return -1;
    }
    mpn_sec_powm(r, base, (mp_size_t)bn, x, enb, p, (mp_size_t)n, scratch);
    crypto_wipe(scratch, scratch_len * LIMB_BYTES);
    mem_free(scratch);
    crypto_wipe(x, sizeof x);
    return 0;
}

/* 1 if the exponent is 0 or 1. A drawn exponent is that small with probability 2^-255 at
 * most; rejecting it keeps the public value away from 1 and 2 = g. The bytes are combined
 * without branches; only the final answer is branched on, and a rejected exponent is
 * discarded, so that branch reveals nothing about an exponent in use. */
static int exponent_too_small(const uint8_t *priv, size_t len)
{
    unsigned acc = priv[len - 1] >> 1;
    for (size_t i = 0; i + 1 < len; i++)
        acc |= priv[i];
    return (int)(((acc - 1) >> 8) & 1); /* acc is 0..255: 1 iff acc == 0 */
}

int ffdhe_public(const ffdhe_group *g, const uint8_t *priv, uint8_t *pub, size_t *pub_len)
{
    mp_limb_t r[FFDHE_LIMBS];
    const mp_limb_t two = 2;
    size_t n = (g->p_len + LIMB_BYTES - 1) / LIMB_BYTES;
    if (exponent_too_small(priv, g->exp_len))
        return CRYPTO_ERR_RANGE;
    if (sec_powm(g, r, &two, 1, priv) != 0)
        return -1;
    /* RFC 8446 s.4.2.8.1: Y is left-padded with zeros to the size of p (also fine for TLS
     * 1.2, whose dh_Ys is an opaque byte string). */
    limbs_to_be(r, n, pub, g->p_len);
    crypto_wipe(r, sizeof r);
    *pub_len = g->p_len;
    return 0;
}

/* Reads a peer value into n limbs and checks 1 < Y < p - 1 (RFC 7919 s.5.1: "Peers MUST
 * validate each other's public key Y by ensuring that 1 < Y < p-1"; RFC 8446 s.4.2.8.1).
 * Y and p are public, so ordinary comparisons are fine. */
static int load_peer(const ffdhe_group *g, const uint8_t *peer, size_t peer_len, mp_limb_t *y,
                     size_t n)
{
    mp_limb_t p_minus_1[FFDHE_LIMBS];
    if (bn_from_be(y, n, peer, peer_len) != 0 || bn_from_be(p_minus_1, n, g->p, g->p_len) != 0)
        return -1;
    p_minus_1[0] -= 1; /* p is odd: no borrow */
    int high_zero = 1;
    for (size_t i = 1; i < n; i++)
        if (y[i] != 0)
            high_zero = 0;
    if (high_zero && y[0] <= 1)
        return -1;
    if (mpn_cmp(y, p_minus_1, (mp_size_t)n) >= 0)
        return -1;
    return 0;
}

int ffdhe_shared(const ffdhe_group *g, const uint8_t *priv, const uint8_t *peer, size_t peer_len,
                 uint8_t *shared, size_t *shared_len)
{
    mp_limb_t y[FFDHE_LIMBS], z[FFDHE_LIMBS];
    size_t n = (g->p_len + LIMB_BYTES - 1) / LIMB_BYTES;
    /* RFC 8446 s.4.2.8.1: the key_exchange value is Y left-padded to the size of p. */
    if (peer_len != g->p_len || load_peer(g, peer, peer_len, y, n) != 0)
        return -1;
    if (sec_powm(g, z, y, n, priv) != 0)
        return -1;
    /* RFC 8446 s.7.4.1: Z keeps its leading zeros (the size of p) in TLS 1.3. */
    limbs_to_be(z, n, shared, g->p_len);
    crypto_wipe(z, sizeof z);
    *shared_len = g->p_len;
    return 0;
}

/* Removes the leading zero bytes of the len-byte secret in place, returning the new
 * length. The count is computed without data-dependent branches; the resulting length is
 * what RFC 5246 s.8.1.2 feeds to the PRF, so it is inherently visible to timing there (the
 * "Raccoon" attack, CVE-2020-1968). That leak is only exploitable when a DH exponent is
 * reused across connections, which tlsm never does. */
static size_t strip_leading_zeros(uint8_t *s, size_t len)
{
    size_t zeros = 0;
    unsigned leading = 1; /* 1 while every byte so far was zero */
    for (size_t i = 0; i < len; i++) {
        leading &= ((unsigned)s[i] - 1) >> 8; /* 1 iff s[i] == 0 (s[i] is 0..255) */
        zeros += leading;
    }
    memmove(s, s + zeros, len - zeros);
    crypto_wipe(s + len - zeros, zeros);
    return len - zeros;
}

int crypto_kex_shared_tls12(uint16_t group, const uint8_t *priv, const uint8_t *peer_pub,
                            size_t peer_len, uint8_t *shared, size_t *shared_len)
{
    const ffdhe_group *g = ffdhe_group_find(group);
    if (g == NULL)
        return crypto_kex_shared(group, priv, peer_pub, peer_len, shared, shared_len);
    /* TLS 1.2's dh_Yc / dh_Ys is the integer's big-endian bytes; peers differ on whether
     * they pad it to the size of p (RFC 7919 does not require it in TLS 1.2), so accept any
     * length that holds a value below p and pad it here. */
    uint8_t padded[FFDHE_P_MAX];
    const uint8_t *y = bn_strip(peer_pub, &peer_len);
    if (peer_len > g->p_len)
        return -1;
    memset(padded, 0, g->p_len - peer_len);
    if (peer_len > 0)
        memcpy(padded + g->p_len - peer_len, y, peer_len);
    if (crypto_kex_shared(group, priv, padded, g->p_len, shared, shared_len) != 0)
        return -1;
    /* RFC 5246 s.8.1.2: "Leading bytes of Z that contain all zero bits are stripped before
     * it is used as the pre_master_secret." */
    *shared_len = strip_leading_zeros(shared, *shared_len);
    return 0;
}

int crypto_dh_params_check(const uint8_t *p, size_t p_len, const uint8_t *g, size_t g_len,
                           uint16_t *group)
{
    if (p == NULL || g == NULL || group == NULL)
        return -1;
    p = bn_strip(p, &p_len);
    g = bn_strip(g, &g_len);
    /* Only the exact RFC 7919 parameters are accepted: a prime we have not checked could
     * be composite, too small or have small subgroups, and a different generator may not
     * generate the prime-order subgroup. Both values are public, so memcmp is fine. */
    if (g_len != sizeof ffdhe_generator || memcmp(g, ffdhe_generator, g_len) != 0)
        return -1;
    for (size_t i = 0; ffdhe_group_at(i) != NULL; i++) {
        const ffdhe_group *known = ffdhe_group_at(i);
        if (p_len == known->p_len && memcmp(p, known->p, p_len) == 0) {
            *group = known->group;
            return 0;
        }
    }
    return -1;
}

int crypto_dh_params(uint16_t group, const uint8_t **p, size_t *p_len, const uint8_t **g,
                     size_t *g_len)
{
    const ffdhe_group *known = ffdhe_group_find(group);
    if (known == NULL)
        return -1;
    *p = known->p;
    *p_len = known->p_len;
    *g = ffdhe_generator;
    *g_len = sizeof ffdhe_generator;
    return 0;
}
