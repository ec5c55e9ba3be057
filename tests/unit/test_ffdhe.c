/*
 * test_ffdhe.c - unit tests of the TLS 1.2 key-exchange crypto: finite-field DHE over the
 * RFC 7919 groups (core/src/crypto/ffdhe*.c), RSAES-PKCS1-v1_5 encryption (rsa_encrypt.c)
 * and the server's implicit-rejection premaster decryption (rsa_premaster.c).
 *
 * The group primes are checked independently of the constants in the library: recomputed
 * from the RFC 7919 Appendix A formula with e evaluated in GMP, tested for primality and
 * safe-primality, and for the documented structure (top and bottom 64 bits set). Every
 * DH result is cross-checked against GMP's mpz_powm, and RSA encryption against Nettle's
 * rsa_encrypt fed the same random stream. The premaster tests use a recording rng so they
 * can check that a rejected ciphertext yields exactly the R drawn first; they also run
 * over every Wycheproof RSAES-PKCS1-v1_5 vector (../shared/vectors/wycheproof).
 */
#include <criterion/criterion.h>
#include <gmp.h>
#include <nettle/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "hex.h"
#include "json.h"
#include "pki/pki.h"

/* ------------------------------------------------------------------ helpers */

/* A deterministic rng (a 64-bit LCG's top bytes) that records the first 48 bytes it hands
 * out, and can be told to fail or to return only zeros. */
typedef struct {
    uint64_t state;
    size_t drawn;
    uint8_t first[48];
    int fail, zeros;
} test_rng;

static int test_rng_fn(void *ctx, uint8_t *out, size_t len)
{
    test_rng *t = ctx;
    if (t->fail)
        return -1;
    for (size_t i = 0; i < len; i++) {
        t->state = t->state * 6364136223846793005u + 1442695040888963407u;
        out[i] = t->zeros ? 0 : (uint8_t)(t->state >> 56);
        if (t->drawn < sizeof t->first)
            t->first[t->drawn] = out[i];
        t->drawn++;
    }
    return 0;
}

static crypto_rng rng_of(test_rng *t, uint64_t seed)
{
    memset(t, 0, sizeof *t);
    t->state = seed;
    crypto_rng r = { test_rng_fn, t };
    return r;
}

static void be_to_mpz(mpz_t x, const uint8_t *be, size_t len)
{
    if (len == 0)
        mpz_set_ui(x, 0);
    else
        mpz_import(x, len, 1, 1, 1, 0, be);
}

/* Writes x as exactly len big-endian bytes. */
static void mpz_to_be(const mpz_t x, uint8_t *out, size_t len)
{
    size_t n = 0;
    cr_assert_leq((mpz_sizeinbase(x, 2) + 7) / 8, len);
    memset(out, 0, len);
    if (mpz_sgn(x) != 0)
        mpz_export(out + len - (mpz_sizeinbase(x, 2) + 7) / 8, &n, 1, 1, 1, 0, x);
}

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    uint8_t *buf = malloc(1 << 20);
    cr_assert_not_null(buf);
    *len = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

static const uint16_t ffdhe_groups[] = { TLSM_GROUP_FFDHE2048, TLSM_GROUP_FFDHE3072 };

/* The group's prime as an mpz (through the public crypto_dh_params). */
static size_t group_prime(uint16_t group, mpz_t p)
{
    const uint8_t *pb, *gb;
    size_t pl, gl;
    cr_assert_eq(crypto_dh_params(group, &pb, &pl, &gb, &gl), 0);
    be_to_mpz(p, pb, pl);
    return pl;
}

/* ------------------------------------------------------------------ the RFC 7919 primes */

/* floor(2^bits * e), summing 2^(bits+64)/k! with each term truncated and dropping the 64
 * guard bits at the end. The few hundred truncations lose less than 2^10 in total, far
 * below the guard, so the result is exact unless 2^bits * e is within 2^-54 of an integer,
 * which the comparison with the library's constant would expose. */
static void e_scaled(mpz_t out, unsigned long bits)
{
    mpz_t term;
    mpz_init(term);
    mpz_set_ui(out, 0);
    mpz_setbit(term, bits + 64);
    for (unsigned long k = 1; mpz_sgn(term) > 0; k++) {
        mpz_add(out, out, term);
        mpz_tdiv_q_ui(term, term, k);
    }
    mpz_fdiv_q_2exp(out, out, 64);
    mpz_clear(term);
}

Test(ffdhe, primes_match_rfc7919_formula_and_structure)
{
    /* RFC 7919 Appendix A.1 / A.2: p = 2^b - 2^(b-64) + {[2^(b-130) e] + X} * 2^64 - 1. */
    const struct { uint16_t group; unsigned long bits, x; } rfc[] = {
        { TLSM_GROUP_FFDHE2048, 2048, 560316 },
        { TLSM_GROUP_FFDHE3072, 3072, 2625351 },
    };
    mpz_t p, want, t, q, ones;
    mpz_inits(p, want, t, q, ones, NULL);
    mpz_set_ui(ones, 0);
    mpz_setbit(ones, 64);
    mpz_sub_ui(ones, ones, 1);
    for (size_t i = 0; i < 2; i++) {
        unsigned long b = rfc[i].bits;
        size_t len = group_prime(rfc[i].group, p);
        cr_assert_eq(len, b / 8);
        cr_assert_eq(mpz_sizeinbase(p, 2), b);

        e_scaled(t, b - 130);
        mpz_add_ui(t, t, rfc[i].x);
        mpz_mul_2exp(want, t, 64);
        mpz_set_ui(t, 0);
        mpz_setbit(t, b);
        mpz_add(want, want, t);
        mpz_set_ui(t, 0);
        mpz_setbit(t, b - 64);
        mpz_sub(want, want, t);
        mpz_sub_ui(want, want, 1);
        cr_assert_eq(mpz_cmp(p, want), 0, "ffdhe%lu differs from the RFC 7919 formula", b);

        /* The top and bottom 64 bits are all ones. */
        mpz_fdiv_r_2exp(t, p, 64);
        cr_assert_eq(mpz_cmp(t, ones), 0);
        mpz_fdiv_q_2exp(t, p, b - 64);
        cr_assert_eq(mpz_cmp(t, ones), 0);

        /* A safe prime: p and q = (p-1)/2 prime. */
        cr_assert_gt(mpz_probab_prime_p(p, 24), 0, "ffdhe%lu: p is not prime", b);
        mpz_sub_ui(q, p, 1);
        mpz_fdiv_q_2exp(q, q, 1);
        cr_assert_gt(mpz_probab_prime_p(q, 24), 0, "ffdhe%lu: (p-1)/2 is not prime", b);

        /* p = 7 mod 8 makes 2 a quadratic residue, so g = 2 generates the subgroup of
         * prime order q: 2^q = 1 mod p. */
        cr_assert_eq(mpz_fdiv_ui(p, 8), 7);
        mpz_set_ui(t, 2);
        mpz_powm(t, t, q, p);
        cr_assert_eq(mpz_cmp_ui(t, 1), 0);
    }
    mpz_clears(p, want, t, q, ones, NULL);
}

/* ------------------------------------------------------------------ the RFC 3526 primes */

/* floor(2^bits * pi) by Machin's formula pi = 16 atan(1/5) - 4 atan(1/239), each series
 * summed in fixed point with 64 guard bits (the truncations lose far less than 2^64). */
static void atan_inv_scaled(mpz_t out, unsigned long x, unsigned long bits)
{
    mpz_t term, t;
    mpz_inits(term, t, NULL);
    mpz_set_ui(out, 0);
    mpz_setbit(term, bits);
    mpz_tdiv_q_ui(term, term, x); /* 2^bits / x */
    unsigned long x2 = x * x;
    for (unsigned long n = 0; mpz_sgn(term) > 0; n++) {
        mpz_tdiv_q_ui(t, term, 2 * n + 1);
        if (n % 2)
            mpz_sub(out, out, t);
        else
            mpz_add(out, out, t);
        mpz_tdiv_q_ui(term, term, x2);
    }
    mpz_clears(term, t, NULL);
}

static void pi_scaled(mpz_t out, unsigned long bits)
{
    mpz_t a, b;
    mpz_inits(a, b, NULL);
    atan_inv_scaled(a, 5, bits + 64);
    atan_inv_scaled(b, 239, bits + 64);
    mpz_mul_ui(a, a, 16);
    mpz_mul_ui(b, b, 4);
    mpz_sub(out, a, b);
    mpz_fdiv_q_2exp(out, out, 64);
    mpz_clears(a, b, NULL);
}

Test(ffdhe, modp_primes_match_rfc3526_formula)
{
    /* RFC 3526: p = 2^n - 2^(n-64) - 1 + 2^64 * ( [2^(n-130) pi] + k ). */
    const struct { uint16_t group; unsigned long bits, k; } rfc[] = {
        { TLSM_GROUP_MODP2048, 2048, 124476 },  { TLSM_GROUP_MODP3072, 3072, 1690314 },
        { TLSM_GROUP_MODP4096, 4096, 240904 },  { TLSM_GROUP_MODP6144, 6144, 929484 },
        { TLSM_GROUP_MODP8192, 8192, 4743158 },
    };
    mpz_t p, want, t, q;
    mpz_inits(p, want, t, q, NULL);
    for (size_t i = 0; i < sizeof rfc / sizeof rfc[0]; i++) {
        unsigned long n = rfc[i].bits;
        size_t len = group_prime(rfc[i].group, p);
        cr_assert_eq(len, n / 8);
        pi_scaled(t, n - 130);
        mpz_add_ui(t, t, rfc[i].k);
        mpz_mul_2exp(want, t, 64);
        mpz_set_ui(t, 0);
        mpz_setbit(t, n);
        mpz_add(want, want, t);
        mpz_set_ui(t, 0);
        mpz_setbit(t, n - 64);
        mpz_sub(want, want, t);
        mpz_sub_ui(want, want, 1);
        cr_assert_eq(mpz_cmp(p, want), 0, "modp%lu differs from the RFC 3526 formula", n);
        /* Safe primes (a few rounds: the formula match is the real check). */
        cr_assert_gt(mpz_probab_prime_p(p, 2), 0, "modp%lu: p is not prime", n);
        mpz_sub_ui(q, p, 1);
        mpz_fdiv_q_2exp(q, q, 1);
        cr_assert_gt(mpz_probab_prime_p(q, 2), 0, "modp%lu: (p-1)/2 is not prime", n);
        /* Recognised from explicit parameters, but never a group a peer may name. */
        uint8_t *be = malloc(len), g = 2;
        mpz_to_be(p, be, len);
        uint16_t found = 0;
        cr_assert_eq(crypto_dh_params_check(be, len, &g, 1, &found), 0);
        cr_assert_eq(found, rfc[i].group);
        cr_assert(crypto_kex_is_ffdhe(found));
        cr_assert_not(crypto_kex_supported(found));
        cr_assert_eq(crypto_kex_pub_len(found), len);
        /* One bit off is a custom prime: refused. */
        be[len - 1] ^= 2;
        cr_assert_neq(crypto_dh_params_check(be, len, &g, 1, &found), 0);
        free(be);
    }
    mpz_clears(p, want, t, q, NULL);
}

/* Key pairs and agreement in the RFC 3526 groups, against GMP; exponents twice RFC 3526
 * s.8's upper strength estimates (ffdhe_groups.c). */
Test(ffdhe, modp_agreement_matches_gmp)
{
    const struct { uint16_t group; size_t exp_len; } g[] = {
        { TLSM_GROUP_MODP2048, 40 }, { TLSM_GROUP_MODP3072, 53 }, { TLSM_GROUP_MODP4096, 60 },
        { TLSM_GROUP_MODP6144, 68 }, { TLSM_GROUP_MODP8192, 78 },
    };
    mpz_t p, x, y, z;
    mpz_inits(p, x, y, z, NULL);
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++) {
        size_t plen = group_prime(g[i].group, p);
        test_rng ta, tb;
        crypto_rng ra = rng_of(&ta, 7 + i), rb = rng_of(&tb, 70 + i);
        uint8_t a[CRYPTO_KEX_PRIV_MAX], b[CRYPTO_KEX_PRIV_MAX];
        static uint8_t pa[CRYPTO_KEX_PUB_MAX], pb[CRYPTO_KEX_PUB_MAX], sa[CRYPTO_KEX_SHARED_MAX],
            want[CRYPTO_KEX_SHARED_MAX];
        size_t la = 0, lb = 0, na = 0;
        cr_assert_eq(crypto_kex_keygen(g[i].group, &ra, a, pa, &la), 0);
        cr_assert_eq(crypto_kex_keygen(g[i].group, &rb, b, pb, &lb), 0);
        cr_assert_eq(ta.drawn, g[i].exp_len);
        cr_assert_eq(la, plen);
        be_to_mpz(x, a, g[i].exp_len);
        mpz_set_ui(y, 2);
        mpz_powm(y, y, x, p);
        mpz_to_be(y, want, plen);
        cr_assert_eq(memcmp(pa, want, plen), 0, "public value differs from GMP");
        cr_assert_eq(crypto_kex_shared_tls12(g[i].group, a, pb, lb, sa, &na), 0);
        be_to_mpz(y, pb, lb);
        mpz_powm(z, y, x, p);
        size_t zlen = (mpz_sizeinbase(z, 2) + 7) / 8;
        mpz_to_be(z, want, zlen);
        cr_assert_eq(na, zlen);
        cr_assert_eq(memcmp(sa, want, zlen), 0, "shared secret differs from GMP");
    }
    mpz_clears(p, x, y, z, NULL);
}

/* ------------------------------------------------------------------ key exchange */

Test(ffdhe, kex_api_sizes)
{
    cr_assert(crypto_kex_supported(TLSM_GROUP_FFDHE2048));
    cr_assert(crypto_kex_supported(TLSM_GROUP_FFDHE3072));
    cr_assert_not(crypto_kex_supported(0x0102)); /* ffdhe4096: not offered */
    cr_assert_eq(crypto_kex_pub_len(TLSM_GROUP_FFDHE2048), 256);
    cr_assert_eq(crypto_kex_pub_len(TLSM_GROUP_FFDHE3072), 384);
    cr_assert_geq(CRYPTO_KEX_PUB_MAX, 384);
    cr_assert_geq(CRYPTO_KEX_SHARED_MAX, 384);
    /* The X25519 / NIST sizes are unchanged. */
    cr_assert_eq(crypto_kex_pub_len(TLSM_GROUP_X25519), 32);
    cr_assert_eq(crypto_kex_pub_len(TLSM_GROUP_SECP256R1), 65);
    cr_assert_eq(crypto_kex_pub_len(TLSM_GROUP_SECP384R1), 97);
}

Test(ffdhe, keygen_and_agreement_match_gmp)
{
    const size_t exp_len[] = { 32, 40 }; /* 256 and 320 bits, see ffdhe_groups.c */
    mpz_t p, x, y, z;
    mpz_inits(p, x, y, z, NULL);
    for (size_t i = 0; i < 2; i++) {
        uint16_t grp = ffdhe_groups[i];
        size_t plen = group_prime(grp, p);
        test_rng ta, tb;
        crypto_rng ra = rng_of(&ta, 1 + i), rb = rng_of(&tb, 100 + i);
        uint8_t a[CRYPTO_KEX_PRIV_MAX], b[CRYPTO_KEX_PRIV_MAX];
        uint8_t pa[CRYPTO_KEX_PUB_MAX], pb[CRYPTO_KEX_PUB_MAX];
        uint8_t sa[CRYPTO_KEX_SHARED_MAX], sb[CRYPTO_KEX_SHARED_MAX], want[CRYPTO_KEX_SHARED_MAX];
        size_t la = 0, lb = 0, na = 0, nb = 0;
        cr_assert_eq(crypto_kex_keygen(grp, &ra, a, pa, &la), 0);
        cr_assert_eq(crypto_kex_keygen(grp, &rb, b, pb, &lb), 0);
        cr_assert_eq(ta.drawn, exp_len[i], "exponent size");
        cr_assert_eq(la, plen);
        cr_assert_eq(lb, plen);
        cr_assert_eq(memcmp(a, ta.first, exp_len[i]), 0, "the exponent is the drawn bytes");

        /* Y = 2^x mod p, left-padded to the prime's length. */
        be_to_mpz(x, a, exp_len[i]);
        mpz_set_ui(y, 2);
        mpz_powm(y, y, x, p);
        mpz_to_be(y, want, plen);
        cr_assert_eq(memcmp(pa, want, plen), 0, "public value differs from GMP");

        cr_assert_eq(crypto_kex_shared(grp, a, pb, lb, sa, &na), 0);
        cr_assert_eq(crypto_kex_shared(grp, b, pa, la, sb, &nb), 0);
        cr_assert_eq(na, plen);
        cr_assert_eq(nb, plen);
        cr_assert_eq(memcmp(sa, sb, plen), 0, "the two sides disagree");
        be_to_mpz(y, pb, lb);
        mpz_powm(z, y, x, p);
        mpz_to_be(z, want, plen);
        cr_assert_eq(memcmp(sa, want, plen), 0, "shared secret differs from GMP");

        /* Same rng seed, same key pair. */
        uint8_t a2[CRYPTO_KEX_PRIV_MAX], pa2[CRYPTO_KEX_PUB_MAX];
        size_t la2 = 0;
        ra = rng_of(&ta, 1 + i);
        cr_assert_eq(crypto_kex_keygen(grp, &ra, a2, pa2, &la2), 0);
        cr_assert_eq(memcmp(pa, pa2, plen), 0);

        /* TLS 1.2: same secret without leading zeros; the peer value may be unpadded or
         * carry extra leading zero bytes. */
        uint8_t s12[CRYPTO_KEX_SHARED_MAX], longer[CRYPTO_KEX_PUB_MAX + 1];
        size_t n12 = 0, skip = 0;
        while (skip < plen && sa[skip] == 0)
            skip++;
        cr_assert_eq(crypto_kex_shared_tls12(grp, a, pb, lb, s12, &n12), 0);
        cr_assert_eq(n12, plen - skip);
        cr_assert_eq(memcmp(s12, sa + skip, n12), 0);
        longer[0] = 0;
        memcpy(longer + 1, pb, lb);
        cr_assert_eq(crypto_kex_shared_tls12(grp, a, longer, lb + 1, s12, &n12), 0);
        cr_assert_eq(memcmp(s12, sa + skip, n12), 0);
        /* ...but TLS 1.3 requires exactly the prime's length (RFC 8446 s.4.2.8.1). */
        cr_assert_lt(crypto_kex_shared(grp, a, longer, lb + 1, sa, &na), 0);
    }
    mpz_clears(p, x, y, z, NULL);
}

Test(ffdhe, tls12_strips_leading_zeros)
{
    /* Find an exchange whose secret starts with a zero byte (1 in 256; the rng is fixed,
     * so the search is reproducible) and check the TLS 1.2 form drops exactly those. */
    uint16_t grp = TLSM_GROUP_FFDHE2048;
    test_rng tb, ta;
    crypto_rng rb = rng_of(&tb, 7), ra;
    uint8_t b[CRYPTO_KEX_PRIV_MAX], pb[CRYPTO_KEX_PUB_MAX], a[CRYPTO_KEX_PRIV_MAX],
        pa[CRYPTO_KEX_PUB_MAX];
    uint8_t s13[CRYPTO_KEX_SHARED_MAX], s12[CRYPTO_KEX_SHARED_MAX];
    size_t lb = 0, la = 0, n13 = 0, n12 = 0;
    cr_assert_eq(crypto_kex_keygen(grp, &rb, b, pb, &lb), 0);
    int found = 0;
    for (uint64_t seed = 1; seed < 8192 && !found; seed++) {
        ra = rng_of(&ta, seed);
        cr_assert_eq(crypto_kex_keygen(grp, &ra, a, pa, &la), 0);
        cr_assert_eq(crypto_kex_shared(grp, a, pb, lb, s13, &n13), 0);
        found = s13[0] == 0;
    }
    cr_assert(found, "no secret with a leading zero byte in 8191 tries");
    size_t skip = 0;
    while (s13[skip] == 0)
        skip++;
    cr_assert_eq(crypto_kex_shared_tls12(grp, a, pb, lb, s12, &n12), 0);
    cr_assert_eq(n12, n13 - skip);
    cr_assert_eq(memcmp(s12, s13 + skip, n12), 0);
    /* The other side computes the same TLS 1.2 secret. */
    cr_assert_eq(crypto_kex_shared_tls12(grp, b, pa, la, s13, &n13), 0);
    cr_assert_eq(n13, n12);
    cr_assert_eq(memcmp(s12, s13, n12), 0);
}

Test(ffdhe, peer_value_validation)
{
    mpz_t p, v;
    mpz_inits(p, v, NULL);
    for (size_t i = 0; i < 2; i++) {
        uint16_t grp = ffdhe_groups[i];
        size_t plen = group_prime(grp, p);
        test_rng t;
        crypto_rng r = rng_of(&t, 42);
        uint8_t a[CRYPTO_KEX_PRIV_MAX], pa[CRYPTO_KEX_PUB_MAX], peer[CRYPTO_KEX_PUB_MAX + 1];
        uint8_t s[CRYPTO_KEX_SHARED_MAX];
        size_t la = 0, n = 0;
        cr_assert_eq(crypto_kex_keygen(grp, &r, a, pa, &la), 0);

        /* RFC 7919 s.5.1: 1 < Y < p - 1. Rejected: 0, 1, p - 1, p, p + 1, 2^b - 1. */
        const long bad_offsets[] = { 0, 1 };
        for (size_t k = 0; k < 2; k++) {
            mpz_set_si(v, bad_offsets[k]);
            mpz_to_be(v, peer, plen);
            cr_assert_lt(crypto_kex_shared(grp, a, peer, plen, s, &n), 0, "Y = %ld", bad_offsets[k]);
            cr_assert_lt(crypto_kex_shared_tls12(grp, a, peer, plen, s, &n), 0);
        }
        const long near_p[] = { -1, 0, 1 };
        for (size_t k = 0; k < 3; k++) {
            mpz_set_si(v, near_p[k]);
            mpz_add(v, v, p);
            mpz_to_be(v, peer, plen);
            cr_assert_lt(crypto_kex_shared(grp, a, peer, plen, s, &n), 0, "Y = p%+ld", near_p[k]);
            cr_assert_lt(crypto_kex_shared_tls12(grp, a, peer, plen, s, &n), 0);
        }
        memset(peer, 0xff, plen);
        cr_assert_lt(crypto_kex_shared(grp, a, peer, plen, s, &n), 0);

        /* The extremes that are valid: 2 and p - 2. */
        mpz_set_ui(v, 2);
        mpz_to_be(v, peer, plen);
        cr_assert_eq(crypto_kex_shared(grp, a, peer, plen, s, &n), 0);
        mpz_sub_ui(v, p, 2);
        mpz_to_be(v, peer, plen);
        cr_assert_eq(crypto_kex_shared(grp, a, peer, plen, s, &n), 0);

        /* Lengths: TLS 1.3 wants exactly the prime's length. */
        cr_assert_lt(crypto_kex_shared(grp, a, pa, plen - 1, s, &n), 0);
        cr_assert_lt(crypto_kex_shared(grp, a, pa, 0, s, &n), 0);
        memcpy(peer, pa, plen);
        peer[plen] = 0;
        cr_assert_lt(crypto_kex_shared(grp, a, peer, plen + 1, s, &n), 0);
        /* TLS 1.2: a short encoding of a valid value is fine, an empty or too long one is
         * not (after leading zeros). */
        const uint8_t two[] = { 0x02 };
        uint8_t s2[CRYPTO_KEX_SHARED_MAX];
        size_t n2 = 0;
        mpz_set_ui(v, 2);
        mpz_to_be(v, peer, plen);
        cr_assert_eq(crypto_kex_shared(grp, a, peer, plen, s, &n), 0);
        cr_assert_eq(crypto_kex_shared_tls12(grp, a, two, 1, s2, &n2), 0);
        size_t skip = 0;
        while (s[skip] == 0)
            skip++;
        cr_assert_eq(n2, n - skip);
        cr_assert_eq(memcmp(s2, s + skip, n2), 0);
        cr_assert_lt(crypto_kex_shared_tls12(grp, a, two, 0, s2, &n2), 0);
        memset(peer, 0x01, plen + 1);
        cr_assert_lt(crypto_kex_shared_tls12(grp, a, peer, plen + 1, s2, &n2), 0);
    }
    mpz_clears(p, v, NULL);
}

static int zero_rng(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    memset(out, 0, len);
    return 0;
}

Test(ffdhe, degenerate_exponent_and_rng_failure)
{
    /* An exponent of 0 would give Y = 1: keygen keeps drawing, then gives up. */
    crypto_rng zeros = { zero_rng, NULL };
    uint8_t a[CRYPTO_KEX_PRIV_MAX], pa[CRYPTO_KEX_PUB_MAX];
    size_t la = 0;
    cr_assert_lt(crypto_kex_keygen(TLSM_GROUP_FFDHE2048, &zeros, a, pa, &la), 0);
    test_rng t;
    crypto_rng r = rng_of(&t, 1);
    t.fail = 1;
    cr_assert_lt(crypto_kex_keygen(TLSM_GROUP_FFDHE3072, &r, a, pa, &la), 0);
}

Test(ffdhe, explicit_parameters)
{
    uint16_t group = 0;
    const uint8_t *p, *g;
    size_t pl, gl;
    uint8_t buf[512], gbuf[4];
    for (size_t i = 0; i < 2; i++) {
        cr_assert_eq(crypto_dh_params(ffdhe_groups[i], &p, &pl, &g, &gl), 0);
        cr_assert_eq(gl, 1);
        cr_assert_eq(g[0], 2);
        cr_assert_eq(crypto_dh_params_check(p, pl, g, gl, &group), 0);
        cr_assert_eq(group, ffdhe_groups[i]);
        /* Leading zero bytes (e.g. a DER-style sign byte) do not change the values. */
        buf[0] = 0;
        memcpy(buf + 1, p, pl);
        gbuf[0] = 0;
        gbuf[1] = 2;
        group = 0;
        cr_assert_eq(crypto_dh_params_check(buf, pl + 1, gbuf, 2, &group), 0);
        cr_assert_eq(group, ffdhe_groups[i]);

        /* A modified prime, in the middle or in the low bits. */
        memcpy(buf, p, pl);
        buf[pl / 2] ^= 0x10;
        cr_assert_lt(crypto_dh_params_check(buf, pl, g, gl, &group), 0);
        memcpy(buf, p, pl);
        buf[pl - 1] ^= 0x02;
        cr_assert_lt(crypto_dh_params_check(buf, pl, g, gl, &group), 0);
        cr_assert_lt(crypto_dh_params_check(p, pl - 1, g, gl, &group), 0);
        /* Other generators: 5, 1, 0, 0x0102, empty. */
        const uint8_t five[] = { 5 }, one[] = { 1 }, zero[] = { 0 }, wide[] = { 1, 2 };
        cr_assert_lt(crypto_dh_params_check(p, pl, five, 1, &group), 0);
        cr_assert_lt(crypto_dh_params_check(p, pl, one, 1, &group), 0);
        cr_assert_lt(crypto_dh_params_check(p, pl, zero, 1, &group), 0);
        cr_assert_lt(crypto_dh_params_check(p, pl, wide, 2, &group), 0);
        cr_assert_lt(crypto_dh_params_check(p, pl, g, 0, &group), 0);
    }
    /* A 1024-bit prime (a real prime, but too small and not a named group). */
    mpz_t q;
    mpz_init(q);
    mpz_setbit(q, 1023);
    mpz_setbit(q, 1000);
    mpz_nextprime(q, q);
    mpz_to_be(q, buf, 128);
    const uint8_t two[] = { 2 };
    cr_assert_lt(crypto_dh_params_check(buf, 128, two, 1, &group), 0);
    mpz_clear(q);
    cr_assert_lt(crypto_dh_params_check(buf, 0, two, 1, &group), 0);
    /* Not FFDHE groups. */
    cr_assert_lt(crypto_dh_params(TLSM_GROUP_X25519, &p, &pl, &g, &gl), 0);
    cr_assert_lt(crypto_dh_params(0x0102, &p, &pl, &g, &gl), 0);
}

/* ------------------------------------------------------------------ RSA */

typedef struct {
    uint8_t *cert_der;
    pki_cert cert;
    crypto_privkey *key;
} rsa_identity;

static void load_identity(rsa_identity *id, const char *name)
{
    char path[1024];
    size_t len, pos = 0, der_len;
    snprintf(path, sizeof path, "%s/tests/data/pki/%s.crt", TLSM_SOURCE_DIR, name);
    uint8_t *pem = read_all(path, &len);
    cr_assert_eq(pki_pem_next(pem, len, &pos, "CERTIFICATE", NULL, &id->cert_der, &der_len), 0);
    cr_assert_eq(pki_cert_parse(&id->cert, id->cert_der, der_len), 0);
    free(pem);
    snprintf(path, sizeof path, "%s/tests/data/pki/%s.key", TLSM_SOURCE_DIR, name);
    pem = read_all(path, &len);
    cr_assert_eq(pki_privkey_pem(pem, len, &id->key), 0);
    free(pem);
}

static void free_identity(rsa_identity *id)
{
    crypto_privkey_free(id->key);
    free(id->cert_der);
}

Test(rsa, encrypt_round_trip_and_limits)
{
    rsa_identity id;
    load_identity(&id, "server-rsa");
    const crypto_pubkey *pk = &id.cert.pubkey;
    cr_assert_eq(pk->type, PK_RSA);
    size_t k = (crypto_pubkey_bits(pk) + 7) / 8;
    uint8_t msg[512], ct[512], ct2[512], dec[512];
    size_t ct_len = 0, ct2_len = 0;
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 7 + 3);

    const size_t lens[] = { 1, 48, 100, k - 11 };
    for (size_t i = 0; i < 4; i++) {
        test_rng t;
        crypto_rng r = rng_of(&t, 5 + i);
        cr_assert_eq(crypto_rsa_encrypt_pkcs1(pk, &r, msg, lens[i], ct, sizeof ct, &ct_len), 0);
        cr_assert_eq(ct_len, k, "output is exactly the modulus length");
        cr_assert_eq(t.drawn, k - lens[i] - 3, "one draw for the padding string");
        cr_assert_eq(crypto_rsa_decrypt_pkcs1(id.key, NULL, ct, ct_len, dec, lens[i]), 0,
                     "round trip, %zu bytes", lens[i]);
        cr_assert_eq(memcmp(dec, msg, lens[i]), 0);
    }
    /* Deterministic for a given rng stream, different for another. */
    test_rng t;
    crypto_rng r = rng_of(&t, 9);
    cr_assert_eq(crypto_rsa_encrypt_pkcs1(pk, &r, msg, 48, ct, sizeof ct, &ct_len), 0);
    r = rng_of(&t, 9);
    cr_assert_eq(crypto_rsa_encrypt_pkcs1(pk, &r, msg, 48, ct2, sizeof ct2, &ct2_len), 0);
    cr_assert_eq(memcmp(ct, ct2, k), 0);
    r = rng_of(&t, 10);
    cr_assert_eq(crypto_rsa_encrypt_pkcs1(pk, &r, msg, 48, ct2, sizeof ct2, &ct2_len), 0);
    cr_assert_neq(memcmp(ct, ct2, k), 0);
    cr_assert_eq(crypto_rsa_encrypt_pkcs1(pk, NULL, msg, 48, ct2, sizeof ct2, &ct2_len), 0,
                 "system randomness");
    cr_assert_eq(crypto_rsa_decrypt_pkcs1(id.key, NULL, ct2, ct2_len, dec, 48), 0);

    /* An rng that only gives zeros: every padding byte becomes non-zero (1), so the
     * message still decrypts at its exact length. */
    r = rng_of(&t, 11);
    t.zeros = 1;
    cr_assert_eq(crypto_rsa_encrypt_pkcs1(pk, &r, msg, 48, ct, sizeof ct, &ct_len), 0);
    cr_assert_eq(crypto_rsa_decrypt_pkcs1(id.key, NULL, ct, ct_len, dec, 48), 0);
    cr_assert_eq(memcmp(dec, msg, 48), 0);

    /* Limits: message too long (RFC 8017 s.7.2.1 step 1), output too small, rng failure,
     * a PSS-only key, an EC key. */
    cr_assert_lt(crypto_rsa_encrypt_pkcs1(pk, NULL, msg, k - 10, ct, sizeof ct, &ct_len), 0);
    cr_assert_lt(crypto_rsa_encrypt_pkcs1(pk, NULL, msg, 48, ct, k - 1, &ct_len), 0);
    r = rng_of(&t, 12);
    t.fail = 1;
    cr_assert_lt(crypto_rsa_encrypt_pkcs1(pk, &r, msg, 48, ct, sizeof ct, &ct_len), 0);
    crypto_pubkey pss = *pk;
    pss.type = PK_RSA_PSS;
    cr_assert_lt(crypto_rsa_encrypt_pkcs1(&pss, NULL, msg, 48, ct, sizeof ct, &ct_len), 0);
    rsa_identity ec;
    load_identity(&ec, "server-p256");
    cr_assert_lt(crypto_rsa_encrypt_pkcs1(&ec.cert.pubkey, NULL, msg, 48, ct, sizeof ct, &ct_len), 0);
    free_identity(&ec);
    free_identity(&id);
}

static void nettle_random_from_test_rng(void *ctx, size_t len, uint8_t *out)
{
    cr_assert_eq(test_rng_fn(ctx, out, len), 0);
}

Test(rsa, encrypt_matches_nettle)
{
    /* A second implementation of the same encoding: Nettle's rsa_encrypt, fed the same
     * random stream, must produce the same ciphertext byte for byte. */
    rsa_identity id;
    load_identity(&id, "server-rsa");
    const crypto_pubkey *pk = &id.cert.pubkey;
    struct rsa_public_key nk;
    rsa_public_key_init(&nk);
    be_to_mpz(nk.n, pk->n, pk->n_len);
    be_to_mpz(nk.e, pk->e, pk->e_len);
    cr_assert(rsa_public_key_prepare(&nk));
    uint8_t msg[48], ours[512], theirs[512];
    size_t len = 0;
    mpz_t c;
    mpz_init(c);
    for (uint64_t seed = 1; seed <= 8; seed++) {
        for (size_t i = 0; i < sizeof msg; i++)
            msg[i] = (uint8_t)(seed * 31 + i);
        test_rng t1, t2;
        crypto_rng r = rng_of(&t1, seed);
        rng_of(&t2, seed);
        cr_assert_eq(crypto_rsa_encrypt_pkcs1(pk, &r, msg, sizeof msg, ours, sizeof ours, &len), 0);
        cr_assert(rsa_encrypt(&nk, &t2, nettle_random_from_test_rng, sizeof msg, msg, c));
        mpz_to_be(c, theirs, nk.size);
        cr_assert_eq(len, nk.size);
        cr_assert_eq(memcmp(ours, theirs, len), 0, "seed %llu: differs from Nettle",
                     (unsigned long long)seed);
    }
    mpz_clear(c);
    rsa_public_key_clear(&nk);
    free_identity(&id);
}

/* ------------------------------------------------------------------ implicit rejection */

/* Runs crypto_rsa_premaster_decrypt with a fresh recording rng and returns 1 if the output
 * is the real premaster `want`, 0 if it is the R drawn first; fails on anything else. */
static int premaster_outcome(const crypto_privkey *key, const uint8_t *ct, size_t len,
                             uint16_t version, const uint8_t *want, uint64_t seed)
{
    test_rng t;
    crypto_rng r = rng_of(&t, seed);
    uint8_t out[48];
    memset(out, 0xcc, sizeof out);
    crypto_rsa_premaster_decrypt(key, &r, ct, len, version, out);
    cr_assert_geq(t.drawn, 48, "R is drawn in every case");
    int is_r = memcmp(out, t.first, 48) == 0;
    int is_real = want != NULL && memcmp(out, want, 48) == 0;
    cr_assert(is_r || is_real, "output is neither R nor the premaster secret");
    cr_assert_not(is_r && is_real);
    return is_real;
}

Test(rsa, premaster_implicit_rejection)
{
    rsa_identity id;
    load_identity(&id, "server-rsa");
    const crypto_pubkey *pk = &id.cert.pubkey;
    size_t k = (crypto_pubkey_bits(pk) + 7) / 8, len = 0;
    uint8_t pm[49], ct[520];
    test_rng t;
    crypto_rng r;
    for (size_t i = 0; i < sizeof pm; i++)
        pm[i] = (uint8_t)(0xa0 + i);
    pm[0] = 0x03;
    pm[1] = 0x03;

    /* A good ciphertext gives the client's premaster secret. */
    r = rng_of(&t, 1);
    cr_assert_eq(crypto_rsa_encrypt_pkcs1(pk, &r, pm, 48, ct, sizeof ct, &len), 0);
    cr_assert_eq(premaster_outcome(id.key, ct, len, 0x0303, pm, 50), 1);
    /* The same ciphertext with another ClientHello.client_version: R (rollback check). */
    cr_assert_eq(premaster_outcome(id.key, ct, len, 0x0301, pm, 51), 0);
    cr_assert_eq(premaster_outcome(id.key, ct, len, 0x0203, pm, 52), 0);
    cr_assert_eq(premaster_outcome(id.key, ct, len, 0x0302, pm, 53), 0);

    /* Padding valid but the message is not 48 bytes: R. */
    r = rng_of(&t, 2);
    cr_assert_eq(crypto_rsa_encrypt_pkcs1(pk, &r, pm, 47, ct, sizeof ct, &len), 0);
    cr_assert_eq(premaster_outcome(id.key, ct, len, 0x0303, pm, 54), 0);
    r = rng_of(&t, 3);
    cr_assert_eq(crypto_rsa_encrypt_pkcs1(pk, &r, pm, 49, ct, sizeof ct, &len), 0);
    cr_assert_eq(premaster_outcome(id.key, ct, len, 0x0303, pm, 55), 0);

    /* Bad padding: a good ciphertext with a flipped bit decrypts to garbage. */
    r = rng_of(&t, 4);
    cr_assert_eq(crypto_rsa_encrypt_pkcs1(pk, &r, pm, 48, ct, sizeof ct, &len), 0);
    ct[k / 2] ^= 0x01;
    cr_assert_eq(premaster_outcome(id.key, ct, len, 0x0303, pm, 56), 0);
    /* A failed decryption selects R by itself, not only through the version check: with
     * a client_version of 0x0000 (which no ClientHello carries) the zeroed message would
     * pass that check. */
    cr_assert_eq(premaster_outcome(id.key, ct, len, 0x0000, pm, 62), 0);
    ct[k / 2] ^= 0x01;
    /* Wrong lengths (public): R, still no error. */
    cr_assert_eq(premaster_outcome(id.key, ct, k - 1, 0x0303, pm, 57), 0);
    ct[k] = 0;
    cr_assert_eq(premaster_outcome(id.key, ct, k + 1, 0x0303, pm, 58), 0);
    cr_assert_eq(premaster_outcome(id.key, NULL, 0, 0x0303, pm, 59), 0);
    /* c >= n: R. */
    memset(ct, 0xff, k);
    cr_assert_eq(premaster_outcome(id.key, ct, k, 0x0303, pm, 60), 0);
    /* A non-RSA key: R. */
    rsa_identity ec;
    load_identity(&ec, "server-p256");
    r = rng_of(&t, 5);
    cr_assert_eq(crypto_rsa_encrypt_pkcs1(pk, &r, pm, 48, ct, sizeof ct, &len), 0);
    cr_assert_eq(premaster_outcome(ec.key, ct, len, 0x0303, pm, 61), 0);
    free_identity(&ec);

    /* A failing configured rng: the real premaster for a good ciphertext, and otherwise
     * an unpredictable R from the system source (two calls differ, never all zeros). */
    uint8_t out1[48], out2[48], zero[48] = { 0 };
    r = rng_of(&t, 6);
    t.fail = 1;
    crypto_rsa_premaster_decrypt(id.key, &r, ct, len, 0x0303, out1);
    cr_assert_eq(memcmp(out1, pm, 48), 0);
    crypto_rsa_premaster_decrypt(id.key, &r, ct, len, 0x0301, out1);
    crypto_rsa_premaster_decrypt(id.key, &r, ct, len, 0x0301, out2);
    cr_assert_neq(memcmp(out1, out2, 48), 0);
    cr_assert_neq(memcmp(out1, zero, 48), 0);
    cr_assert_neq(memcmp(out1, pm, 48), 0);
    free_identity(&id);
}

/* Decodes a hex member of obj into a new buffer. */
static uint8_t *hex_member(const json_value *obj, const char *key, size_t *len)
{
    const char *s = json_str(json_get(obj, key));
    cr_assert_not_null(s, "member %s missing", key);
    uint8_t *out = hex_decode(s, len);
    cr_assert_not_null(out, "member %s is not hex", key);
    return out;
}

Test(rsa, premaster_over_wycheproof_pkcs1)
{
    char path[512];
    snprintf(path, sizeof path, "%s/wycheproof/rsa_pkcs1_2048_test.json", TLSM_VECTORS_DIR);
    if (access(path, R_OK) != 0)
        cr_skip_test("Wycheproof vectors not found at %s (shared/vectors is absent)", path);
    json_value *doc = json_parse_file(path);
    cr_assert_not_null(doc, "cannot parse %s", path);

    size_t total = 0, real = 0, rejected_valid = 0, rejected_invalid = 0, synthesized = 0;
    uint64_t seed = 1000;
    const json_value *groups = json_get(doc, "testGroups");
    for (size_t gi = 0; gi < json_len(groups); gi++) {
        const json_value *grp = json_at(groups, gi), *k = json_get(grp, "privateKey");
        size_t l[8];
        uint8_t *n = hex_member(k, "modulus", &l[0]), *e = hex_member(k, "publicExponent", &l[1]),
                *d = hex_member(k, "privateExponent", &l[2]), *p = hex_member(k, "prime1", &l[3]),
                *q = hex_member(k, "prime2", &l[4]), *dp = hex_member(k, "exponent1", &l[5]),
                *dq = hex_member(k, "exponent2", &l[6]), *qi = hex_member(k, "coefficient", &l[7]);
        crypto_privkey *key = crypto_privkey_rsa(n, l[0], e, l[1], d, l[2], p, l[3], q, l[4],
                                                 dp, l[5], dq, l[6], qi, l[7]);
        cr_assert_not_null(key, "Wycheproof RSA key refused");

        const json_value *tests = json_get(grp, "tests");
        for (size_t ti = 0; ti < json_len(tests); ti++) {
            const json_value *tv = json_at(tests, ti);
            const char *result = json_str(json_get(tv, "result"));
            int id = (int)json_num(json_get(tv, "tcId"));
            size_t msg_len, ct_len;
            uint8_t *msg = hex_member(tv, "msg", &msg_len), *ct = hex_member(tv, "ct", &ct_len);
            int valid = strcmp(result, "valid") == 0;
            cr_assert(valid || strcmp(result, "invalid") == 0, "tcId %d: unexpected label %s",
                      id, result);
            /* A 48-byte valid message is a premaster secret whose first two bytes are the
             * version the client announced; anything else must come out as R. */
            uint16_t version = msg_len == 48 ? (uint16_t)(msg[0] << 8 | msg[1]) : 0x0303;
            int got = premaster_outcome(key, ct, ct_len, version, msg_len == 48 ? msg : NULL,
                                        seed++);
            if (valid && msg_len == 48) {
                cr_assert_eq(got, 1, "tcId %d: valid premaster not recovered", id);
                real++;
                /* The same ciphertext under another client_version: R. */
                cr_assert_eq(premaster_outcome(key, ct, ct_len, version ^ 0x0001, msg, seed++),
                             0, "tcId %d: version mismatch accepted", id);
            } else {
                cr_assert_eq(got, 0, "tcId %d: output is not R", id);
                if (valid)
                    rejected_valid++;
                else
                    rejected_invalid++;
            }
            total++;
            free(msg);
            free(ct);
        }

        /* The file has no 48-byte messages, so also encrypt premaster secrets under each of
         * its keys and check both outcomes of the selection. */
        crypto_pubkey pk = { .type = PK_RSA, .n = n, .n_len = l[0], .e = e, .e_len = l[1] };
        uint8_t pm[48], ct[512];
        size_t ct_len = 0;
        test_rng t;
        crypto_rng r = rng_of(&t, seed++);
        cr_assert_eq(crypto_random(&r, pm, sizeof pm), 0);
        pm[0] = 0x03;
        pm[1] = 0x03;
        cr_assert_eq(crypto_rsa_encrypt_pkcs1(&pk, &r, pm, sizeof pm, ct, sizeof ct, &ct_len), 0);
        cr_assert_eq(premaster_outcome(key, ct, ct_len, 0x0303, pm, seed++), 1);
        cr_assert_eq(premaster_outcome(key, ct, ct_len, 0x0302, pm, seed++), 0);
        synthesized++;

        crypto_privkey_free(key);
        free(n); free(e); free(d); free(p); free(q); free(dp); free(dq); free(qi);
    }
    json_free(doc);
    cr_assert_gt(total, 0);
    printf("rsa premaster over wycheproof rsa_pkcs1_2048_test.json: %zu vectors, %zu valid "
           "48-byte premasters recovered, %zu valid other-length messages -> R, %zu invalid "
           "-> R; %zu synthesized 48-byte ciphertexts (one per key) recovered, version "
           "mismatch -> R\n",
           total, real, rejected_valid, rejected_invalid, synthesized);
}
