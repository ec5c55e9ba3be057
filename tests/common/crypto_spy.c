/*
 * crypto_spy.c - the counting provider of crypto_spy.h: every entry forwards to
 * crypto_provider_builtin(); the interesting ones count first.
 */
#include "crypto_spy.h"

#include <string.h>

#include "crypto/provider.h"

spy_counts spy;
static crypto_provider table;
static unsigned long fail_nth, fallible;

void spy_fail_at(unsigned long nth)
{
    fail_nth = nth;
}

unsigned long spy_fallible_calls(void)
{
    return fallible;
}

const char *spy_injected_in = "";

/* Counts a fallible call; 1 when it must fail. */
#define injected() injected_at(__func__)
static int injected_at(const char *where)
{
    if (++fallible != fail_nth)
        return 0;
    spy_injected_in = where;
    return 1;
}

static uint64_t rng_state;

void spy_rng_reset(void)
{
    rng_state = 0x5eed;
}

int spy_rng(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    if (injected())
        return -1;
    while (len) { /* splitmix64 */
        uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        for (int i = 0; i < 8 && len; i++, len--)
            *out++ = (uint8_t)(z >> (8 * i));
    }
    return 0;
}

static int s_random(uint8_t *out, size_t len)
{
    return injected() ? -1 : crypto_provider_builtin()->random(out, len);
}

static int s_hkdf_expand(hash_alg alg, const uint8_t *prk, size_t prk_len, const uint8_t *info,
                         size_t info_len, uint8_t *out, size_t out_len)
{
    return injected() ? -1
                      : crypto_provider_builtin()->hkdf_expand(alg, prk, prk_len, info, info_len,
                                                              out, out_len);
}

static int s_aead_init(crypto_aead_ctx *ctx, aead_alg alg, const uint8_t *key)
{
    return injected() ? -1 : crypto_provider_builtin()->aead_init(ctx, alg, key);
}

static int s_verify(sig_alg alg, const crypto_pubkey *pk, const uint8_t *msg, size_t msg_len,
                    const uint8_t *sig, size_t sig_len)
{
    if (injected())
        return -1;
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
    if (injected())
        return -1;
    spy.sign++;
    return crypto_provider_builtin()->sign(key, alg, rng, msg, msg_len, sig, sig_cap, sig_len);
}

static int s_kex_public(uint16_t group, const uint8_t *priv, uint8_t *pub, size_t *pub_len)
{
    if (injected())
        return -1;
    spy.kex_public++;
    return crypto_provider_builtin()->kex_public(group, priv, pub, pub_len);
}

static int s_kex_shared(uint16_t group, const uint8_t *priv, const uint8_t *peer_pub,
                        size_t peer_len, uint8_t *shared, size_t *shared_len)
{
    if (injected())
        return -1;
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
    if (injected())
        return -1;
    spy.aead_open++;
    return crypto_provider_builtin()->aead_open(ctx, nonce, aad, aad_len, in, len, out);
}

void spy_install(void)
{
    memset(&spy, 0, sizeof spy);
    fail_nth = fallible = 0;
    table = *crypto_provider_builtin();
    table.random = s_random;
    table.hkdf_expand = s_hkdf_expand;
    table.aead_init = s_aead_init;
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
