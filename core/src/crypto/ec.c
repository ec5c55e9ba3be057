/*
 * ec.c - curve lookup, point validation and scalar handling for P-256 and P-384.
 *
 * Every public value that reaches ECDH or ECDSA passes ec_point_decode, so invalid-curve
 * and twist attacks are stopped in one place. Scalars are read through stack limbs that are
 * wiped, and the scalar's own limbs are wiped before Nettle frees them.
 */
#include <string.h>

#include "crypto/ec.h"

int ec_params_for_key(pk_type type, ec_params *out)
{
    switch (type) {
    case PK_EC_P256: out->curve = nettle_get_secp_256r1(); out->coord_len = 32; return 0;
    case PK_EC_P384: out->curve = nettle_get_secp_384r1(); out->coord_len = 48; return 0;
    default: return -1;
    }
}

int ec_params_for_group(uint16_t group, ec_params *out)
{
    switch (group) {
    case TLSM_GROUP_SECP256R1: return ec_params_for_key(PK_EC_P256, out);
    case TLSM_GROUP_SECP384R1: return ec_params_for_key(PK_EC_P384, out);
    default: return -1;
    }
}

int ec_point_decode(const ec_params *ec, struct ecc_point *p, const uint8_t *in, size_t len)
{
    mp_limb_t xl[BN_EC_LIMBS], yl[BN_EC_LIMBS];
    mpz_t x, y;
    if (len != 1 + 2 * ec->coord_len || in[0] != 0x04)
        return -1;
    if (bn_from_be(xl, BN_EC_LIMBS, in + 1, ec->coord_len) != 0 ||
        bn_from_be(yl, BN_EC_LIMBS, in + 1 + ec->coord_len, ec->coord_len) != 0)
        return -1;
    /* Read-only views over the stack limbs: no allocation, nothing to clear. */
    mpz_roinit_n(x, xl, (mp_size_t)BN_EC_LIMBS);
    mpz_roinit_n(y, yl, (mp_size_t)BN_EC_LIMBS);
    return ecc_point_set(p, x, y) == 1 ? 0 : -1;
}

int ec_point_encode(const ec_params *ec, const struct ecc_point *p, uint8_t *out)
{
    mpz_t x, y;
    int rc;
    mpz_init(x);
    mpz_init(y);
    ecc_point_get(p, x, y);
    out[0] = 0x04;
    rc = bn_to_be(x, out + 1, ec->coord_len) | bn_to_be(y, out + 1 + ec->coord_len, ec->coord_len);
    bn_wipe_clear(x);
    bn_wipe_clear(y);
    return rc == 0 ? 0 : -1;
}

int ec_scalar_load(const ec_params *ec, struct ecc_scalar *s, const uint8_t *be, size_t len)
{
    mp_limb_t kl[BN_EC_LIMBS];
    mpz_t k;
    int rc = -1;
    if (len == ec->coord_len && bn_from_be(kl, BN_EC_LIMBS, be, len) == 0) {
        mpz_roinit_n(k, kl, (mp_size_t)BN_EC_LIMBS);
        /* ecc_scalar_set accepts exactly 0 < k < q. */
        rc = ecc_scalar_set(s, k) == 1 ? 0 : -1;
    }
    crypto_wipe(kl, sizeof kl);
    return rc;
}

void ec_scalar_wipe_clear(struct ecc_scalar *s)
{
    /* For the NIST curves the scalar has as many limbs as a field element (ecc_size). */
    crypto_wipe(s->p, (size_t)ecc_size(s->ecc) * sizeof(mp_limb_t));
    ecc_scalar_clear(s);
}
