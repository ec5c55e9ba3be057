/*
 * sign.c - signature dispatch: checks that the algorithm fits the key type, hashes the
 * message where the scheme signs a digest, and calls the per-family code. Also the public
 * crypto_verify / crypto_sign entry points and crypto_pubkey_bits.
 */
#include "crypto/privkey.h"

/* Hash used by a signature algorithm; -1 for Ed25519 (no pre-hash) or unknown. */
static int sig_hash(sig_alg alg, hash_alg *out)
{
    switch (alg) {
    case SIG_ECDSA_SHA256: case SIG_RSA_PSS_SHA256: case SIG_RSA_PKCS1_SHA256:
        *out = HASH_SHA256; return 0;
    case SIG_ECDSA_SHA384: case SIG_RSA_PSS_SHA384: case SIG_RSA_PKCS1_SHA384:
        *out = HASH_SHA384; return 0;
    case SIG_ECDSA_SHA512: case SIG_RSA_PSS_SHA512: case SIG_RSA_PKCS1_SHA512:
        *out = HASH_SHA512; return 0;
    default:
        return -1;
    }
}

static int is_ecdsa(sig_alg alg)
{
    return alg == SIG_ECDSA_SHA256 || alg == SIG_ECDSA_SHA384 || alg == SIG_ECDSA_SHA512;
}

int default_verify(sig_alg alg, const crypto_pubkey *pk, const uint8_t *msg, size_t msg_len,
                   const uint8_t *sig, size_t sig_len)
{
    uint8_t digest[CRYPTO_HASH_MAX];
    hash_alg h;
    if (alg == SIG_ED25519)
        return pk->type == PK_ED25519 ? ed25519_verify_msg(pk, msg, msg_len, sig, sig_len) : -1;
    if (sig_hash(alg, &h) != 0)
        return -1;
    crypto_hash(h, msg, msg_len, digest);
    if (is_ecdsa(alg)) {
        if (pk->type != PK_EC_P256 && pk->type != PK_EC_P384)
            return -1;
        return ecdsa_verify_digest(pk, digest, crypto_hash_len(h), sig, sig_len);
    }
    return rsa_verify_digest(alg, pk, digest, sig, sig_len);
}

int default_sign(const crypto_privkey *key, sig_alg alg, const crypto_rng *rng,
                 const uint8_t *msg, size_t msg_len, uint8_t *sig, size_t sig_cap,
                 size_t *sig_len)
{
    uint8_t digest[CRYPTO_HASH_MAX];
    hash_alg h;
    int rc;
    if (alg == SIG_ED25519)
        return key->type == PK_ED25519 ? ed25519_sign_msg(key, msg, msg_len, sig, sig_cap, sig_len)
                                       : -1;
    if (sig_hash(alg, &h) != 0)
        return -1;
    if (is_ecdsa(alg) ? (key->type != PK_EC_P256 && key->type != PK_EC_P384)
                      : key->type != PK_RSA)
        return -1;
    crypto_hash(h, msg, msg_len, digest);
    if (is_ecdsa(alg))
        rc = ecdsa_sign_digest(key, rng, digest, crypto_hash_len(h), sig, sig_cap, sig_len);
    else
        rc = rsa_sign_digest(key, alg, rng, digest, sig, sig_cap, sig_len);
    crypto_wipe(digest, sizeof digest);
    return rc;
}

size_t crypto_pubkey_bits(const crypto_pubkey *pk)
{
    if (pk->type != PK_RSA && pk->type != PK_RSA_PSS)
        return 0;
    size_t len = pk->n_len;
    const uint8_t *n = bn_strip(pk->n, &len);
    if (len == 0)
        return 0;
    size_t bits = 8 * len;
    for (uint8_t top = n[0]; !(top & 0x80); top <<= 1)
        bits--;
    return bits;
}

int crypto_sig_fits_key(sig_alg alg, const crypto_pubkey *pk)
{
    hash_alg h;
    size_t bits = crypto_pubkey_bits(pk);
    if (!bits || sig_hash(alg, &h) != 0 || is_ecdsa(alg))
        return 1;
    size_t hlen = crypto_hash_len(h), em_len = (bits - 1 + 7) / 8;
    if (alg == SIG_RSA_PSS_SHA256 || alg == SIG_RSA_PSS_SHA384 || alg == SIG_RSA_PSS_SHA512)
        /* RFC 8017 s.9.1.1 step 3: "If emLen < hLen + sLen + 2, output "encoding
         * error" and stop", with sLen = hLen (RFC 8446 s.4.2.3). */
        return em_len >= 2 * hlen + 2;
    /* RFC 8017 s.9.2 step 3: "If emLen < tLen + 11, output "intended encoded message
     * length too short" and stop"; tLen is the DigestInfo, 19 bytes of prefix for the
     * SHA-2 hashes plus the digest (emLen is the modulus' length in bytes here). */
    return (bits + 7) / 8 >= 19 + hlen + 11;
}

int crypto_rsa_pubkey_check(const crypto_pubkey *pk)
{
    if (pk->type != PK_RSA && pk->type != PK_RSA_PSS)
        return -1;
    size_t n_len = pk->n_len, e_len = pk->e_len;
    const uint8_t *n = bn_strip(pk->n, &n_len), *e = bn_strip(pk->e, &e_len);
    if (n_len == 0 || !(n[n_len - 1] & 1))
        return -1;
    if (crypto_pubkey_bits(pk) > CRYPTO_RSA_MAX_BITS)
        return CRYPTO_RSA_TOO_LARGE;
    if (e_len == 0 || e_len > CRYPTO_RSA_MAX_EXPONENT_BYTES || !(e[e_len - 1] & 1) ||
        (e_len == 1 && e[0] < 3))
        return CRYPTO_RSA_BAD_EXPONENT;
    return 0;
}

int crypto_verify(sig_alg alg, const crypto_pubkey *pk, const uint8_t *msg, size_t msg_len,
                  const uint8_t *sig, size_t sig_len)
{
    return crypto_provider_default()->verify(alg, pk, msg, msg_len, sig, sig_len);
}

int crypto_sign(const crypto_privkey *key, sig_alg alg, const crypto_rng *rng,
                const uint8_t *msg, size_t msg_len, uint8_t *sig, size_t sig_cap,
                size_t *sig_len)
{
    return crypto_provider_default()->sign(key, alg, rng, msg, msg_len, sig, sig_cap, sig_len);
}
