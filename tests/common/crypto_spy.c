/*
 * crypto_spy.c - the counting provider of crypto_spy.h: every entry forwards to
 * crypto_provider_builtin(); the interesting ones count first.
 */
#include "crypto_spy.h"

#include <string.h>

#include "crypto/provider.h"

spy_counts spy;
static crypto_provider table;

static int s_verify(sig_alg alg, const crypto_pubkey *pk, const uint8_t *msg, size_t msg_len,
                    const uint8_t *sig, size_t sig_len)
{
    spy.verify++;
    if (pk && (pk->type == PK_RSA || pk->type == PK_RSA_PSS)) {
        spy.verify_rsa++;
        /* Counted, but never computed: a test that catches a missing size check must
         * fail on the count, not spend a minute exponentiating. */
        if (crypto_pubkey_bits(pk) > CRYPTO_RSA_MAX_BITS)
            return -1;
    }
    return crypto_provider_builtin()->verify(alg, pk, msg, msg_len, sig, sig_len);
}

static int s_sign(const crypto_privkey *key, sig_alg alg, const crypto_rng *rng,
                  const uint8_t *msg, size_t msg_len, uint8_t *sig, size_t sig_cap,
                  size_t *sig_len)
{
    spy.sign++;
    return crypto_provider_builtin()->sign(key, alg, rng, msg, msg_len, sig, sig_cap, sig_len);
}

static int s_kex_public(uint16_t group, const uint8_t *priv, uint8_t *pub, size_t *pub_len)
{
    spy.kex_public++;
    return crypto_provider_builtin()->kex_public(group, priv, pub, pub_len);
}

static int s_kex_shared(uint16_t group, const uint8_t *priv, const uint8_t *peer_pub,
                        size_t peer_len, uint8_t *shared, size_t *shared_len)
{
    spy.kex_shared++;
    return crypto_provider_builtin()->kex_shared(group, priv, peer_pub, peer_len, shared,
                                                 shared_len);
}

static void s_aead_seal(crypto_aead_ctx *ctx, const uint8_t *nonce, const uint8_t *aad,
                        size_t aad_len, const uint8_t *in, size_t len, uint8_t *out)
{
    spy.aead_seal++;
    crypto_provider_builtin()->aead_seal(ctx, nonce, aad, aad_len, in, len, out);
}

static int s_aead_open(crypto_aead_ctx *ctx, const uint8_t *nonce, const uint8_t *aad,
                       size_t aad_len, const uint8_t *in, size_t len, uint8_t *out)
{
    spy.aead_open++;
    return crypto_provider_builtin()->aead_open(ctx, nonce, aad, aad_len, in, len, out);
}

void spy_install(void)
{
    memset(&spy, 0, sizeof spy);
    table = *crypto_provider_builtin();
    table.name = "test spy";
    table.verify = s_verify;
    table.sign = s_sign;
    table.kex_public = s_kex_public;
    table.kex_shared = s_kex_shared;
    table.aead_seal = s_aead_seal;
    table.aead_open = s_aead_open;
    crypto_provider_install(&table);
}

void spy_uninstall(void)
{
    crypto_provider_install(NULL);
}
