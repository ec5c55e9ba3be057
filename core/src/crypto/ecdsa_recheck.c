/*
 * ecdsa_recheck.c - second opinion for ECDSA signatures that Nettle rejects.
 *
 * Nettle's ecdsa_verify adds u1*G and u2*Q with a formula that cannot double a point, so it
 * rejects the rare signatures where u1*G == u2*Q (Wycheproof "PointDuplication"). Such a
 * signature is legitimate, though only the private key holder can make one. Rather than
 * reject valid signatures, a rejected one is recomputed here in affine coordinates, with
 * the doubling case handled. Everything here is public data, so plain GMP arithmetic is
 * fine; the cost is paid only on the failure path.
 */
#include <string.h>

#include "crypto/ec.h"

/* Field prime p and group order n (SEC 2, s.2.4.2 and s.2.5.1). */
static const char p256_p[] = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
static const char p256_n[] = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
static const char p384_p[] = "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe"
                             "ffffffff0000000000000000ffffffff";
static const char p384_n[] = "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf"
                             "581a0db248b0a77aecec196accc52973";

/* Multiplies base (or G when base is NULL) by u in [1, n) and returns affine x, y. */
static void mul_affine(const ec_params *ec, const struct ecc_point *base, const mpz_t u, mpz_t x,
                       mpz_t y)
{
    struct ecc_scalar k;
    struct ecc_point r;
    ecc_scalar_init(&k, ec->curve);
    ecc_point_init(&r, ec->curve);
    ecc_scalar_set(&k, u);
    if (base == NULL)
        ecc_point_mul_g(&r, &k);
    else
        ecc_point_mul(&r, &k, base);
    ecc_point_get(&r, x, y);
    ecc_point_clear(&r);
    ecc_scalar_clear(&k);
}

int ecdsa_recheck(const ec_params *ec, const struct ecc_point *q, const uint8_t *digest,
                  size_t digest_len, const mpz_t r, const mpz_t s)
{
    mpz_t p, n, e, w, u1, u2, x1, y1, x2, y2, l, t;
    int ok = 0;
    mpz_inits(p, n, e, w, u1, u2, x1, y1, x2, y2, l, t, NULL);
    mpz_set_str(p, ec->coord_len == 32 ? p256_p : p384_p, 16);
    mpz_set_str(n, ec->coord_len == 32 ? p256_n : p384_n, 16);
    if (mpz_sgn(r) <= 0 || mpz_cmp(r, n) >= 0 || mpz_sgn(s) <= 0 || mpz_cmp(s, n) >= 0)
        goto done;
    /* e = leftmost bits of the digest, as many as the order has (a whole number of bytes). */
    bn_import(e, digest, digest_len < ec->coord_len ? digest_len : ec->coord_len);
    mpz_invert(w, s, n);
    mpz_mul(u1, e, w);
    mpz_mod(u1, u1, n);
    mpz_mul(u2, r, w);
    mpz_mod(u2, u2, n);

    mul_affine(ec, q, u2, x2, y2); /* u2 != 0 because r and w are non-zero mod prime n */
    if (mpz_sgn(u1) == 0) {
        mpz_set(x1, x2); /* u1*G is the identity: the sum is u2*Q */
    } else {
        mul_affine(ec, NULL, u1, x1, y1);
        if (mpz_cmp(x1, x2) == 0) {
            if (mpz_cmp(y1, y2) != 0 || mpz_sgn(y1) == 0)
                goto done; /* P + (-P): the identity has no x */
            /* Doubling: lambda = (3x^2 - 3) / 2y, since a = -3 on both curves. */
            mpz_mul(l, x1, x1);
            mpz_sub_ui(l, l, 1);
            mpz_mul_ui(l, l, 3);
            mpz_mul_ui(t, y1, 2);
        } else {
            mpz_sub(l, y2, y1);
            mpz_sub(t, x2, x1);
        }
        mpz_mod(t, t, p);
        mpz_invert(t, t, p);
        mpz_mul(l, l, t);
        mpz_mod(l, l, p);
        /* x3 = lambda^2 - x1 - x2 */
        mpz_mul(t, l, l);
        mpz_sub(t, t, x1);
        mpz_sub(t, t, x2);
        mpz_mod(x1, t, p);
    }
    mpz_mod(x1, x1, n);
    ok = mpz_cmp(x1, r) == 0;
done:
    mpz_clears(p, n, e, w, u1, u2, x1, y1, x2, y2, l, t, NULL);
    return ok;
}
