/*
 * api_sym.c - the public hash, HMAC, HKDF and AEAD functions of crypto.h, forwarded through
 * the default provider table.
 */
#include "crypto/backend.h"

void crypto_hash_init(crypto_hash_ctx *ctx, hash_alg alg)
{
    (void)crypto_provider_default()->hash_init(ctx, alg);
}

void crypto_hash_update(crypto_hash_ctx *ctx, const uint8_t *data, size_t len)
{
    crypto_provider_default()->hash_update(ctx, data, len);
}

void crypto_hash_final(crypto_hash_ctx *ctx, uint8_t *out)
{
    crypto_provider_default()->hash_final(ctx, out);
}

void crypto_hash(hash_alg alg, const uint8_t *data, size_t len, uint8_t *out)
{
    crypto_hash_ctx ctx;
    crypto_hash_init(&ctx, alg);
    crypto_hash_update(&ctx, data, len);
    crypto_hash_final(&ctx, out);
}

void crypto_hmac(hash_alg alg, const uint8_t *key, size_t key_len, const uint8_t *data,
                 size_t len, uint8_t *out)
{
    (void)crypto_provider_default()->hmac(alg, key, key_len, data, len, out);
}

void crypto_hkdf_extract(hash_alg alg, const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
                         size_t ikm_len, uint8_t *prk)
{
    (void)crypto_provider_default()->hkdf_extract(alg, salt, salt_len, ikm, ikm_len, prk);
}

int crypto_hkdf_expand(hash_alg alg, const uint8_t *prk, size_t prk_len, const uint8_t *info,
                       size_t info_len, uint8_t *out, size_t out_len)
{
    return crypto_provider_default()->hkdf_expand(alg, prk, prk_len, info, info_len, out,
                                                  out_len);
}

int crypto_aead_init(crypto_aead_ctx *ctx, aead_alg alg, const uint8_t *key)
{
    return crypto_provider_default()->aead_init(ctx, alg, key);
}

void crypto_aead_seal(crypto_aead_ctx *ctx, const uint8_t nonce[CRYPTO_AEAD_NONCE_LEN],
                      const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                      uint8_t *out)
{
    crypto_provider_default()->aead_seal(ctx, nonce, aad, aad_len, in, len, out);
}

int crypto_aead_open(crypto_aead_ctx *ctx, const uint8_t nonce[CRYPTO_AEAD_NONCE_LEN],
                     const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                     uint8_t *out)
{
    return crypto_provider_default()->aead_open(ctx, nonce, aad, aad_len, in, len, out);
}

size_t crypto_aead_ctx_size(aead_alg alg)
{
    const crypto_provider *p = crypto_provider_default();
    return p->aead_ctx_size ? p->aead_ctx_size(alg) : sizeof(crypto_aead_ctx);
}

void crypto_aead_wipe(crypto_aead_ctx *ctx)
{
    crypto_wipe(ctx, sizeof *ctx);
}

void crypto_aead_wipe_size(crypto_aead_ctx *ctx, size_t size)
{
    crypto_wipe(ctx, size);
}
