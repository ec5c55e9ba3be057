/*
 * hash.c - SHA-256/384/512, HMAC and HKDF (RFC 5869) backed by Nettle.
 *
 * Nothing here allocates: hash state lives in the caller's crypto_hash_ctx and HMAC/HKDF
 * keep their Nettle context on the stack, wiped before returning because it holds keyed
 * state. The Nettle contexts contain no pointers, so a crypto_hash_ctx copied by
 * assignment (transcript snapshots) is an independent hash.
 */
#include <assert.h>
#include <nettle/hkdf.h>
#include <nettle/hmac.h>
#include <nettle/sha2.h>
#include <string.h>

#include "crypto/backend.h"

typedef union {
    struct sha256_ctx sha256;
    struct sha512_ctx sha512; /* also SHA-384 */
} sha2_state;

static_assert(sizeof(sha2_state) <= sizeof(((crypto_hash_ctx *)0)->state),
              "crypto_hash_ctx.state too small for Nettle SHA-2");
static_assert(_Alignof(sha2_state) <= 16, "crypto_hash_ctx.state under-aligned");

static sha2_state *state_of(crypto_hash_ctx *ctx)
{
    return (sha2_state *)(void *)ctx->state;
}

size_t crypto_hash_len(hash_alg alg)
{
    switch (alg) {
    case HASH_SHA256: return 32;
    case HASH_SHA384: return 48;
    case HASH_SHA512: return 64;
    }
    return 0;
}

int nettle_sha2_init(crypto_hash_ctx *ctx, hash_alg alg)
{
    ctx->alg = alg;
    switch (alg) {
    case HASH_SHA256: sha256_init(&state_of(ctx)->sha256); return 0;
    case HASH_SHA384: sha384_init(&state_of(ctx)->sha512); return 0;
    case HASH_SHA512: sha512_init(&state_of(ctx)->sha512); return 0;
    }
    return -1;
}

void nettle_sha2_update(crypto_hash_ctx *ctx, const uint8_t *data, size_t len)
{
    if (len == 0)
        return;
    switch (ctx->alg) {
    case HASH_SHA256: sha256_update(&state_of(ctx)->sha256, len, data); break;
    case HASH_SHA384: sha384_update(&state_of(ctx)->sha512, len, data); break;
    case HASH_SHA512: sha512_update(&state_of(ctx)->sha512, len, data); break;
    }
}

void nettle_sha2_final(crypto_hash_ctx *ctx, uint8_t *out)
{
    switch (ctx->alg) {
    case HASH_SHA256: sha256_digest(&state_of(ctx)->sha256, SHA256_DIGEST_SIZE, out); break;
    case HASH_SHA384: sha384_digest(&state_of(ctx)->sha512, SHA384_DIGEST_SIZE, out); break;
    case HASH_SHA512: sha512_digest(&state_of(ctx)->sha512, SHA512_DIGEST_SIZE, out); break;
    }
}

/* One keyed HMAC context of either width, with the Nettle entry points for its hash. */
typedef struct {
    union {
        struct hmac_sha256_ctx sha256;
        struct hmac_sha512_ctx sha512;
    } u;
    nettle_hash_update_func *update;
    nettle_hash_digest_func *digest;
    size_t len;
} hmac_state;

/* Exact-signature wrappers so the calls through Nettle's generic function types are
 * well-defined C. */
static void upd_sha256(void *c, size_t n, const uint8_t *d) { hmac_sha256_update(c, n, d); }
static void upd_sha512(void *c, size_t n, const uint8_t *d) { hmac_sha512_update(c, n, d); }
static void dig_sha256(void *c, size_t n, uint8_t *d) { hmac_sha256_digest(c, n, d); }
static void dig_sha384(void *c, size_t n, uint8_t *d) { hmac_sha384_digest(c, n, d); }
static void dig_sha512(void *c, size_t n, uint8_t *d) { hmac_sha512_digest(c, n, d); }

static int hmac_start(hmac_state *h, hash_alg alg, const uint8_t *key, size_t key_len)
{
    switch (alg) {
    case HASH_SHA256:
        hmac_sha256_set_key(&h->u.sha256, key_len, key);
        h->update = upd_sha256;
        h->digest = dig_sha256;
        h->len = SHA256_DIGEST_SIZE;
        return 0;
    case HASH_SHA384:
        hmac_sha384_set_key(&h->u.sha512, key_len, key);
        h->update = upd_sha512;
        h->digest = dig_sha384;
        h->len = SHA384_DIGEST_SIZE;
        return 0;
    case HASH_SHA512:
        hmac_sha512_set_key(&h->u.sha512, key_len, key);
        h->update = upd_sha512;
        h->digest = dig_sha512;
        h->len = SHA512_DIGEST_SIZE;
        return 0;
    }
    return -1;
}

int nettle_hmac_sha2(hash_alg alg, const uint8_t *key, size_t key_len, const uint8_t *data,
                     size_t len, uint8_t *out)
{
    hmac_state h;
    if (hmac_start(&h, alg, key, key_len) != 0)
        return -1;
    if (len > 0)
        h.update(&h.u, len, data);
    h.digest(&h.u, h.len, out);
    crypto_wipe(&h, sizeof h);
    return 0;
}

int nettle_hkdf_sha2_extract(hash_alg alg, const uint8_t *salt, size_t salt_len,
                             const uint8_t *ikm, size_t ikm_len, uint8_t *prk)
{
    /* RFC 5869 s.2.2: a missing salt is HashLen zero bytes. */
    static const uint8_t zeros[CRYPTO_HASH_MAX];
    if (salt == NULL) {
        salt = zeros;
        salt_len = crypto_hash_len(alg);
    }
    return nettle_hmac_sha2(alg, salt, salt_len, ikm, ikm_len, prk);
}

int nettle_hkdf_sha2_expand(hash_alg alg, const uint8_t *prk, size_t prk_len,
                            const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len)
{
    static const uint8_t empty[1];
    hmac_state h;
    if (hmac_start(&h, alg, prk, prk_len) != 0)
        return -1;
    /* RFC 5869 s.2.3: L <= 255 * HashLen. */
    if (out_len > 255 * h.len) {
        crypto_wipe(&h, sizeof h);
        return -1;
    }
    if (out_len > 0)
        hkdf_expand(&h.u, h.update, h.digest, h.len, info_len, info_len ? info : empty,
                    out_len, out);
    crypto_wipe(&h, sizeof h);
    return 0;
}
