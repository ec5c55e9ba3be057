/*
 * privkey.c - private key objects: construction from raw integers (the PKI layer parses
 * PKCS#1 / SEC1 / PKCS#8 and hands the fields over), queries, matching a certificate's
 * public key, and wiping on free.
 *
 * Keys are checked when built, so a bad key fails at configuration time rather than in
 * the middle of a handshake: RSA requires n = p * q and a key Nettle accepts; EC requires
 * 0 < d < q and derives the public point; Ed25519 derives the key pair from the seed.
 */
#include "crypto/sodium_compat.h"
#include "mem.h"
#include <stdlib.h>
#include <string.h>

#include "crypto/ec.h"
#include "crypto/privkey.h"

static crypto_privkey *key_alloc(pk_type type)
{
    crypto_privkey *key = mem_calloc(1, sizeof *key);
    if (key != NULL)
        key->type = type;
    return key;
}

crypto_privkey *crypto_privkey_rsa(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len,
                                   const uint8_t *d, size_t d_len, const uint8_t *p, size_t p_len,
                                   const uint8_t *q, size_t q_len, const uint8_t *dp, size_t dp_len,
                                   const uint8_t *dq, size_t dq_len, const uint8_t *qinv,
                                   size_t qinv_len)
{
    crypto_privkey *key = key_alloc(PK_RSA);
    mpz_t pq;
    int ok;
    if (key == NULL)
        return NULL;
    rsa_public_key_init(&key->u.rsa.pub);
    rsa_private_key_init(&key->u.rsa.priv);
    bn_import(key->u.rsa.pub.n, n, n_len);
    bn_import(key->u.rsa.pub.e, e, e_len);
    bn_import(key->u.rsa.priv.d, d, d_len);
    bn_import(key->u.rsa.priv.p, p, p_len);
    bn_import(key->u.rsa.priv.q, q, q_len);
    bn_import(key->u.rsa.priv.a, dp, dp_len);
    bn_import(key->u.rsa.priv.b, dq, dq_len);
    bn_import(key->u.rsa.priv.c, qinv, qinv_len);

    mpz_init(pq);
    mpz_mul(pq, key->u.rsa.priv.p, key->u.rsa.priv.q);
    ok = mpz_cmp(pq, key->u.rsa.pub.n) == 0 && mpz_odd_p(key->u.rsa.pub.e) &&
         mpz_cmp_ui(key->u.rsa.pub.e, 3) >= 0 && rsa_public_key_prepare(&key->u.rsa.pub) &&
         rsa_private_key_prepare(&key->u.rsa.priv) &&
         key->u.rsa.priv.size == key->u.rsa.pub.size;
    mpz_clear(pq);
    key->bits = mpz_sizeinbase(key->u.rsa.pub.n, 2);
    if (!ok) {
        crypto_privkey_free(key);
        return NULL;
    }
    return key;
}

crypto_privkey *crypto_privkey_ec(pk_type curve, const uint8_t *scalar, size_t len)
{
    ec_params ec;
    crypto_privkey *key;
    struct ecc_point q;
    if (ec_params_for_key(curve, &ec) != 0)
        return NULL;
    /* SEC1 stores the scalar in coord_len bytes, but be lenient about leading zeros. */
    scalar = bn_strip(scalar, &len);
    if (len > ec.coord_len || (key = key_alloc(curve)) == NULL)
        return NULL;
    memcpy(key->u.ec.scalar_be + ec.coord_len - len, scalar, len);
    ecc_scalar_init(&key->u.ec.scalar, ec.curve);
    if (ec_scalar_load(&ec, &key->u.ec.scalar, key->u.ec.scalar_be, ec.coord_len) != 0) {
        crypto_privkey_free(key);
        return NULL;
    }
    ecc_point_init(&q, ec.curve);
    ecc_point_mul_g(&q, &key->u.ec.scalar);
    int rc = ec_point_encode(&ec, &q, key->u.ec.point);
    ecc_point_clear(&q);
    key->u.ec.point_len = 1 + 2 * ec.coord_len;
    key->bits = 8 * ec.coord_len;
    if (rc != 0) {
        crypto_privkey_free(key);
        return NULL;
    }
    return key;
}

crypto_privkey *crypto_privkey_ed25519(const uint8_t seed[32])
{
    crypto_privkey *key;
    if (crypto_init() != 0 || (key = key_alloc(PK_ED25519)) == NULL)
        return NULL;
    if (crypto_sign_seed_keypair(key->u.ed.pk, key->u.ed.sk, seed) != 0) {
        crypto_privkey_free(key);
        return NULL;
    }
    key->bits = 256;
    return key;
}

void crypto_privkey_free(crypto_privkey *key)
{
    if (key == NULL)
        return;
    switch (key->type) {
    case PK_RSA:
        bn_wipe_clear(key->u.rsa.priv.d);
        bn_wipe_clear(key->u.rsa.priv.p);
        bn_wipe_clear(key->u.rsa.priv.q);
        bn_wipe_clear(key->u.rsa.priv.a);
        bn_wipe_clear(key->u.rsa.priv.b);
        bn_wipe_clear(key->u.rsa.priv.c);
        rsa_public_key_clear(&key->u.rsa.pub);
        break;
    case PK_EC_P256:
    case PK_EC_P384:
        ec_scalar_wipe_clear(&key->u.ec.scalar);
        break;
    default:
        break;
    }
    crypto_wipe(key, sizeof *key);
    mem_free(key);
}

pk_type crypto_privkey_type(const crypto_privkey *key)
{
    return key->type;
}

size_t crypto_privkey_bits(const crypto_privkey *key)
{
    return key->bits;
}

size_t crypto_privkey_sig_max(const crypto_privkey *key)
{
    switch (key->type) {
    case PK_RSA: return key->u.rsa.pub.size;
    case PK_EC_P256: return 2 + 2 * (2 + 33); /* SEQUENCE of two INTEGERs with sign byte */
    case PK_EC_P384: return 2 + 2 * (2 + 49);
    case PK_ED25519: return 64;
    default: return 0;
    }
}

/* Compares a big-endian integer (leading zeros ignored) with an mpz. */
static int bytes_equal_mpz(const uint8_t *be, size_t len, const mpz_t x)
{
    uint8_t buf[1024];
    be = bn_strip(be, &len);
    if (len == 0 || len > sizeof buf || bn_to_be(x, buf, len) != 0 || buf[0] == 0)
        return 0;
    return memcmp(buf, be, len) == 0;
}

int crypto_privkey_matches(const crypto_privkey *key, const crypto_pubkey *pub)
{
    switch (key->type) {
    case PK_RSA:
        return (pub->type == PK_RSA || pub->type == PK_RSA_PSS) &&
               bytes_equal_mpz(pub->n, pub->n_len, key->u.rsa.pub.n) &&
               bytes_equal_mpz(pub->e, pub->e_len, key->u.rsa.pub.e);
    case PK_EC_P256:
    case PK_EC_P384:
        return pub->type == key->type && pub->point_len == key->u.ec.point_len &&
               memcmp(pub->point, key->u.ec.point, pub->point_len) == 0;
    case PK_ED25519:
        return pub->type == PK_ED25519 && pub->point_len == 32 &&
               memcmp(pub->point, key->u.ed.pk, 32) == 0;
    default:
        return 0;
    }
}
