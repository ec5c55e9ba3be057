/*
 * kex.c - (EC)DHE for the TLS key_share groups: X25519 (libsodium) and secp256r1/secp384r1
 * (Nettle), plus the public crypto_kex_* entry points. The finite-field groups are
 * dispatched to ffdhe.c, the ML-KEM groups (hybrids included) to kex_mlkem.c.
 *
 * RFC 8446 s.4.2.8.2: NIST public values are uncompressed points and must be validated;
 * s.7.4.2: the NIST shared secret is the x-coordinate. RFC 7748 s.6.1 / RFC 8446 s.7.4.2:
 * an all-zero X25519 result (a small-order peer value) must be rejected.
 */
#include "crypto/sodium_compat.h"
#include <string.h>

#include "crypto/ec.h"
#include "crypto/ffdhe.h"

int crypto_kex_supported(uint16_t group)
{
    const ffdhe_group *ff = ffdhe_group_find(group);
    return ff ? ff->named : crypto_kex_pub_len(group) != 0;
}

int crypto_kex_is_kem(uint16_t group)
{
    return kex_kem_find(group) != NULL;
}

int crypto_kex_is_ffdhe(uint16_t group)
{
    return ffdhe_group_find(group) != NULL;
}

size_t crypto_kex_pub_len(uint16_t group)
{
    const ffdhe_group *ff = ffdhe_group_find(group);
    if (ff != NULL)
        return ff->p_len;
    if (kex_kem_find(group))
        return kex_kem_client_share_len(group);
    switch (group) {
    case TLSM_GROUP_X25519: return 32;
    case TLSM_GROUP_SECP256R1: return 65;
    case TLSM_GROUP_SECP384R1: return 97;
    default: return 0;
    }
}

/* Size of the private key crypto_kex_keygen draws: X25519 keys, NIST scalars and FFDHE
 * exponents (sizes chosen in ffdhe_groups.c). */
static size_t kex_priv_len(uint16_t group);

size_t crypto_kex_priv_len(uint16_t group)
{
    if (kex_kem_find(group))
        return kex_kem_priv_len(group);
    return kex_priv_len(group);
}

static size_t kex_priv_len(uint16_t group)
{
    const ffdhe_group *ff = ffdhe_group_find(group);
    if (ff != NULL)
        return ff->exp_len;
    switch (group) {
    case TLSM_GROUP_X25519: return 32;
    case TLSM_GROUP_SECP256R1: return 32;
    case TLSM_GROUP_SECP384R1: return 48;
    default: return 0;
    }
}

static int nist_public(const ec_params *ec, const uint8_t *priv, uint8_t *pub)
{
    struct ecc_scalar k;
    struct ecc_point q;
    int rc;
    ecc_scalar_init(&k, ec->curve);
    if (ec_scalar_load(ec, &k, priv, ec->coord_len) != 0) {
        ec_scalar_wipe_clear(&k);
        return CRYPTO_ERR_RANGE;
    }
    ecc_point_init(&q, ec->curve);
    ecc_point_mul_g(&q, &k);
    rc = ec_point_encode(ec, &q, pub);
    ecc_point_clear(&q);
    ec_scalar_wipe_clear(&k);
    return rc;
}

int default_kex_public(uint16_t group, const uint8_t *priv, uint8_t *pub, size_t *pub_len)
{
    ec_params ec;
    const ffdhe_group *ff = ffdhe_group_find(group);
    if (ff != NULL)
        return ffdhe_public(ff, priv, pub, pub_len);
    if (group == TLSM_GROUP_X25519) {
        if (crypto_init() != 0 || crypto_scalarmult_base(pub, priv) != 0)
            return -1;
        *pub_len = 32;
        return 0;
    }
    if (ec_params_for_group(group, &ec) != 0)
        return -1;
    int rc = nist_public(&ec, priv, pub);
    if (rc == 0)
        *pub_len = 1 + 2 * ec.coord_len;
    return rc;
}

static int nist_shared(const ec_params *ec, const uint8_t *priv, const uint8_t *peer,
                       size_t peer_len, uint8_t *shared)
{
    struct ecc_scalar k;
    struct ecc_point p, r;
    uint8_t point[CRYPTO_EC_POINT_MAX];
    int rc = -1;
    ecc_scalar_init(&k, ec->curve);
    ecc_point_init(&p, ec->curve);
    ecc_point_init(&r, ec->curve);
    if (ec_scalar_load(ec, &k, priv, ec->coord_len) == 0 &&
        ec_point_decode(ec, &p, peer, peer_len) == 0) {
        /* The curves have cofactor 1 and 0 < k < q, so a valid p gives a finite result. */
        ecc_point_mul(&r, &k, &p);
        rc = ec_point_encode(ec, &r, point);
        if (rc == 0)
            memcpy(shared, point + 1, ec->coord_len);
        crypto_wipe(point, sizeof point);
    }
    /* The product is the shared secret: wipe both coordinates before Nettle frees them. */
    crypto_wipe(r.p, 2 * (size_t)ecc_size(ec->curve) * sizeof(mp_limb_t));
    ecc_point_clear(&r);
    ecc_point_clear(&p);
    ec_scalar_wipe_clear(&k);
    return rc;
}

int default_kex_shared(uint16_t group, const uint8_t *priv, const uint8_t *peer_pub,
                       size_t peer_len, uint8_t *shared, size_t *shared_len)
{
    ec_params ec;
    const ffdhe_group *ff = ffdhe_group_find(group);
    if (ff != NULL)
        return ffdhe_shared(ff, priv, peer_pub, peer_len, shared, shared_len);
    if (group == TLSM_GROUP_X25519) {
        if (peer_len != 32 || crypto_init() != 0)
            return -1;
        /* libsodium returns -1 when the result is all zeros (checked in constant time). */
        if (crypto_scalarmult(shared, priv, peer_pub) != 0) {
            crypto_wipe(shared, 32);
            return -1;
        }
        *shared_len = 32;
        return 0;
    }
    if (ec_params_for_group(group, &ec) != 0)
        return -1;
    if (nist_shared(&ec, priv, peer_pub, peer_len, shared) != 0)
        return -1;
    *shared_len = ec.coord_len;
    return 0;
}

/* Bounded so that a broken rng (e.g. stuck at all-ones) fails instead of looping forever;
 * for an honest source the chance of even one retry is below 2^-32. */
#define KEYGEN_ATTEMPTS 16

int crypto_kex_keygen(uint16_t group, const crypto_rng *rng, uint8_t *priv, uint8_t *pub,
                      size_t *pub_len)
{
    if (kex_kem_find(group))
        return kex_kem_keygen(group, rng, priv, pub, pub_len);
    size_t len = kex_priv_len(group);
    if (len == 0)
        return -1;
    for (int i = 0; i < KEYGEN_ATTEMPTS; i++) {
        if (crypto_random(rng, priv, len) != 0)
            break;
        int rc = crypto_provider_default()->kex_public(group, priv, pub, pub_len);
        if (rc == 0)
            return 0;
        if (rc != CRYPTO_ERR_RANGE)
            break;
    }
    crypto_wipe(priv, len);
    return -1;
}

int crypto_kex_shared(uint16_t group, const uint8_t *priv, const uint8_t *peer_pub,
                      size_t peer_len, uint8_t *shared, size_t *shared_len)
{
    if (kex_kem_find(group))
        return kex_kem_decaps(group, priv, peer_pub, peer_len, shared, shared_len);
    return crypto_provider_default()->kex_shared(group, priv, peer_pub, peer_len, shared,
                                                 shared_len);
}

int crypto_kex_respond(uint16_t group, const crypto_rng *rng, const uint8_t *peer_pub,
                       size_t peer_len, uint8_t *pub, size_t *pub_len, uint8_t *shared,
                       size_t *shared_len)
{
    /* The cheap check first: a share of the wrong length (TLS 1.3 shares have one exact
     * length per group, FFDHE ones padded to the prime, RFC 8446 s.4.2.8.1) costs no key
     * generation or encapsulation. */
    if (peer_len != crypto_kex_pub_len(group))
        return CRYPTO_KEX_BAD_SHARE;
    if (kex_kem_find(group))
        return kex_kem_encaps(group, rng, peer_pub, peer_len, pub, pub_len, shared,
                              shared_len);
    uint8_t priv[CRYPTO_KEX_PRIV_MAX];
    if (crypto_kex_keygen(group, rng, priv, pub, pub_len))
        return CRYPTO_KEX_FAILED;
    int rc = crypto_kex_shared(group, priv, peer_pub, peer_len, shared, shared_len);
    crypto_wipe(priv, kex_priv_len(group));
    return rc ? CRYPTO_KEX_BAD_SHARE : 0;
}
