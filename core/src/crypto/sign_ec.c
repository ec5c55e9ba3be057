/*
 * sign_ec.c - ECDSA on P-256 and P-384 (Nettle) with DER-encoded signatures.
 *
 * Nonces are hedged: Nettle's ecdsa_sign asks a random function for k, and ours derives it
 * with HKDF-SHA-512 from the private key, the digest and 32 fresh bytes of crypto_rng. A
 * weak or replayed rng therefore cannot repeat k across different messages (the failure
 * that leaks ECDSA keys), and a deterministic test rng still gives a secret k.
 */
#include <nettle/dsa.h>
#include <nettle/ecdsa.h>
#include <string.h>

#include "crypto/ec.h"
#include "crypto/privkey.h"

typedef struct {
    uint8_t prk[CRYPTO_HASH_MAX];
    uint32_t counter;
    int failed; /* a nonce could not be derived: the signature must not be used */
} nonce_source;

static void nonce_fn(void *ctx, size_t len, uint8_t *out)
{
    static const char label[] = "tlsm ecdsa nonce";
    nonce_source *ns = ctx;
    uint8_t info[sizeof label - 1 + 4];
    memcpy(info, label, sizeof label - 1);
    for (int i = 0; i < 4; i++)
        info[sizeof label - 1 + (size_t)i] = (uint8_t)(ns->counter >> (24 - 8 * i));
    ns->counter++;
    /* Nettle asks for at most a scalar's worth (48 bytes) per call, far below HKDF's limit.
     * Its callback cannot fail, so a failure is remembered and the signature discarded. */
    if (crypto_hkdf_expand(HASH_SHA512, ns->prk, sizeof ns->prk, info, sizeof info, out, len)) {
        memset(out, 0, len);
        ns->failed = 1;
    }
}

int ecdsa_sign_digest(const crypto_privkey *key, const crypto_rng *rng, const uint8_t *digest,
                      size_t digest_len, uint8_t *sig, size_t sig_cap, size_t *sig_len)
{
    ec_params ec;
    nonce_source ns = { .counter = 0 };
    uint8_t fresh[32 + CRYPTO_HASH_MAX], r[48], s[48];
    struct dsa_signature rs;
    int rc = -1;

    if (ec_params_for_key(key->type, &ec) != 0 || digest_len > CRYPTO_HASH_MAX)
        return -1;
    if (crypto_random(rng, fresh, 32) != 0)
        return -1;
    memcpy(fresh + 32, digest, digest_len);
    crypto_hkdf_extract(HASH_SHA512, key->u.ec.scalar_be, ec.coord_len, fresh, 32 + digest_len,
                        ns.prk);

    dsa_signature_init(&rs);
    ecdsa_sign(&key->u.ec.scalar, &ns, nonce_fn, digest_len, digest, &rs);
    if (!ns.failed && bn_to_be(rs.r, r, ec.coord_len) == 0 &&
        bn_to_be(rs.s, s, ec.coord_len) == 0)
        rc = ecdsa_der_encode(r, ec.coord_len, s, ec.coord_len, sig, sig_cap, sig_len);
    dsa_signature_clear(&rs);
    crypto_wipe(&ns, sizeof ns);
    crypto_wipe(fresh, sizeof fresh);
    return rc;
}

int ecdsa_verify_digest(const crypto_pubkey *pk, const uint8_t *digest, size_t digest_len,
                        const uint8_t *sig, size_t sig_len)
{
    ec_params ec;
    const uint8_t *r, *s;
    size_t r_len, s_len;
    mp_limb_t rl[BN_EC_LIMBS], sl[BN_EC_LIMBS];
    struct dsa_signature rs;
    struct ecc_point q;
    int rc = -1;

    if (ec_params_for_key(pk->type, &ec) != 0)
        return -1;
    if (ecdsa_der_decode(sig, sig_len, &r, &r_len, &s, &s_len) != 0)
        return -1;
    /* Values wider than the group order cannot be valid; ecdsa_verify checks 0 < r, s < q. */
    if (bn_from_be(rl, BN_EC_LIMBS, r, r_len) != 0 || bn_from_be(sl, BN_EC_LIMBS, s, s_len) != 0)
        return -1;
    mpz_roinit_n(rs.r, rl, (mp_size_t)BN_EC_LIMBS);
    mpz_roinit_n(rs.s, sl, (mp_size_t)BN_EC_LIMBS);

    ecc_point_init(&q, ec.curve);
    if (ec_point_decode(&ec, &q, pk->point, pk->point_len) == 0 &&
        (ecdsa_verify(&q, digest_len, digest, &rs) == 1 ||
         ecdsa_recheck(&ec, &q, digest, digest_len, rs.r, rs.s)))
        rc = 0;
    ecc_point_clear(&q);
    return rc;
}
