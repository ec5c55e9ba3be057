/*
 * sign_rsa.c - RSA signatures (Nettle + GMP): RSASSA-PSS with MGF1 and salt length equal to
 * the hash length (RFC 8446 s.4.2.3), and RSASSA-PKCS1-v1_5 (TLS 1.2 and certificates).
 *
 * Signing uses Nettle's timing-resistant *_tr functions, which blind with randomness from
 * crypto_rng and check the result against the public key before releasing it (so a fault
 * cannot leak the factors). Verification requires the signature to be exactly as long as
 * the modulus (RFC 8017 s.8.1.2 step 1, s.8.2.2 step 1) and rebuilds the PKCS#1 v1.5
 * encoding instead of parsing it.
 */
#include <string.h>

#include "crypto/privkey.h"

/* RFC 8017 s.9.2 note 1: DER of DigestInfo up to the digest bytes. */
static const uint8_t digest_info_sha256[] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
    0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20 };
static const uint8_t digest_info_sha384[] = { 0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60,
    0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30 };
static const uint8_t digest_info_sha512[] = { 0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60,
    0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40 };

#define DIGEST_INFO_MAX (sizeof digest_info_sha512 + 64)

/* Builds DigestInfo for a PKCS#1 v1.5 algorithm; returns its length or 0. */
static size_t digest_info(sig_alg alg, const uint8_t *digest, uint8_t *out)
{
    const uint8_t *prefix;
    size_t prefix_len, hlen;
    switch (alg) {
    case SIG_RSA_PKCS1_SHA256: prefix = digest_info_sha256; prefix_len = sizeof digest_info_sha256; hlen = 32; break;
    case SIG_RSA_PKCS1_SHA384: prefix = digest_info_sha384; prefix_len = sizeof digest_info_sha384; hlen = 48; break;
    case SIG_RSA_PKCS1_SHA512: prefix = digest_info_sha512; prefix_len = sizeof digest_info_sha512; hlen = 64; break;
    default: return 0;
    }
    memcpy(out, prefix, prefix_len);
    memcpy(out + prefix_len, digest, hlen);
    return prefix_len + hlen;
}

static int is_pss(sig_alg alg)
{
    return alg == SIG_RSA_PSS_SHA256 || alg == SIG_RSA_PSS_SHA384 || alg == SIG_RSA_PSS_SHA512;
}

/* Loads n and e, rejecting values no honest key has (even modulus, e < 3 or even e) and
 * sizes that would make the exponentiation a denial of service (crypto_rsa_pubkey_check);
 * pki/ refuses such certificates earlier with a precise code, this is the last guard. */
static int load_public(struct rsa_public_key *key, const crypto_pubkey *pk)
{
    if (crypto_rsa_pubkey_check(pk) != 0)
        return -1;
    size_t n_len = pk->n_len, e_len = pk->e_len;
    const uint8_t *n = bn_strip(pk->n, &n_len), *e = bn_strip(pk->e, &e_len);
    bn_import(key->n, n, n_len);
    bn_import(key->e, e, e_len);
    return rsa_public_key_prepare(key) == 1 ? 0 : -1;
}

int rsa_verify_digest(sig_alg alg, const crypto_pubkey *pk, const uint8_t *digest,
                      const uint8_t *sig, size_t sig_len)
{
    struct rsa_public_key key;
    uint8_t info[DIGEST_INFO_MAX];
    mpz_t s;
    int ok = 0;

    if (pk->type != PK_RSA && !(pk->type == PK_RSA_PSS && is_pss(alg)))
        return -1;
    rsa_public_key_init(&key);
    mpz_init(s);
    if (load_public(&key, pk) == 0 && sig_len == key.size) {
        bn_import(s, sig, sig_len);
        switch (alg) {
        case SIG_RSA_PSS_SHA256: ok = rsa_pss_sha256_verify_digest(&key, 32, digest, s); break;
        case SIG_RSA_PSS_SHA384: ok = rsa_pss_sha384_verify_digest(&key, 48, digest, s); break;
        case SIG_RSA_PSS_SHA512: ok = rsa_pss_sha512_verify_digest(&key, 64, digest, s); break;
        default: {
            size_t info_len = digest_info(alg, digest, info);
            ok = info_len != 0 && rsa_pkcs1_verify(&key, info_len, info, s);
        }
        }
    }
    mpz_clear(s);
    rsa_public_key_clear(&key);
    return ok ? 0 : -1;
}

int rsa_sign_digest(const crypto_privkey *key, sig_alg alg, const crypto_rng *rng,
                    const uint8_t *digest, uint8_t *sig, size_t sig_cap, size_t *sig_len)
{
    const struct rsa_public_key *pub = &key->u.rsa.pub;
    const struct rsa_private_key *priv = &key->u.rsa.priv;
    nettle_rng_adapter rnd = { .rng = rng, .failed = 0 };
    uint8_t salt[64], info[DIGEST_INFO_MAX];
    size_t hlen = crypto_hash_len(alg == SIG_RSA_PSS_SHA256 ? HASH_SHA256
                                  : alg == SIG_RSA_PSS_SHA384 ? HASH_SHA384 : HASH_SHA512);
    mpz_t s;
    int ok = 0;

    if (sig_cap < pub->size)
        return -1;
    if (is_pss(alg) && crypto_random(rng, salt, hlen) != 0)
        return -1;
    mpz_init(s);
    switch (alg) {
    case SIG_RSA_PSS_SHA256:
        ok = rsa_pss_sha256_sign_digest_tr(pub, priv, &rnd, nettle_rng_adapter_fn, hlen, salt, digest, s);
        break;
    case SIG_RSA_PSS_SHA384:
        ok = rsa_pss_sha384_sign_digest_tr(pub, priv, &rnd, nettle_rng_adapter_fn, hlen, salt, digest, s);
        break;
    case SIG_RSA_PSS_SHA512:
        ok = rsa_pss_sha512_sign_digest_tr(pub, priv, &rnd, nettle_rng_adapter_fn, hlen, salt, digest, s);
        break;
    default: {
        size_t info_len = digest_info(alg, digest, info);
        ok = info_len != 0 &&
             rsa_pkcs1_sign_tr(pub, priv, &rnd, nettle_rng_adapter_fn, info_len, info, s);
    }
    }
    ok = ok && !rnd.failed && bn_to_be(s, sig, pub->size) == 0;
    if (ok)
        *sig_len = pub->size;
    bn_wipe_clear(s);
    return ok ? 0 : -1;
}
