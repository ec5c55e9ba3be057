/*
 * aead.c - the record-layer AEADs: AES-128/256-GCM (Nettle) and ChaCha20-Poly1305
 * (libsodium, RFC 8439 with a 96-bit nonce).
 *
 * crypto_aead_init expands the key once (AES round keys and the GHASH table), so sealing
 * or opening a record only sets the nonce and runs the data through: no allocation and no
 * key schedule per record. Tags are checked in constant time before any plaintext is
 * released to the caller; on failure the output is wiped.
 */
#include <assert.h>
#include <nettle/gcm.h>
#include "crypto/sodium_compat.h"
#include <stddef.h>
#include <string.h>

#include "crypto/backend.h"

typedef union {
    struct gcm_aes128_ctx aes128;
    struct gcm_aes256_ctx aes256;
    uint8_t chacha_key[crypto_aead_chacha20poly1305_ietf_KEYBYTES];
} aead_state;

static_assert(sizeof(aead_state) <= sizeof(((crypto_aead_ctx *)0)->state),
              "crypto_aead_ctx.state too small");
static_assert(_Alignof(aead_state) <= 16, "crypto_aead_ctx.state under-aligned");
static_assert(crypto_aead_chacha20poly1305_ietf_NPUBBYTES == CRYPTO_AEAD_NONCE_LEN,
              "ChaCha20-Poly1305 nonce length");
static_assert(crypto_aead_chacha20poly1305_ietf_ABYTES == CRYPTO_AEAD_TAG_LEN,
              "ChaCha20-Poly1305 tag length");

static aead_state *state_of(crypto_aead_ctx *ctx)
{
    return (aead_state *)(void *)ctx->state;
}

size_t crypto_aead_key_len(aead_alg alg)
{
    switch (alg) {
    case AEAD_AES128_GCM: return 16;
    case AEAD_AES256_GCM: return 32;
    case AEAD_CHACHA20_POLY1305: return 32;
    }
    return 0;
}

size_t default_aead_ctx_size(aead_alg alg)
{
    size_t head = offsetof(crypto_aead_ctx, state);
    switch (alg) {
    case AEAD_AES128_GCM: return head + sizeof(struct gcm_aes128_ctx);
    case AEAD_AES256_GCM: return head + sizeof(struct gcm_aes256_ctx);
    case AEAD_CHACHA20_POLY1305: return head + crypto_aead_chacha20poly1305_ietf_KEYBYTES;
    }
    return 0;
}

int default_aead_init(crypto_aead_ctx *ctx, aead_alg alg, const uint8_t *key)
{
    aead_state *st = state_of(ctx);
    ctx->alg = alg;
    switch (alg) {
    case AEAD_AES128_GCM: gcm_aes128_set_key(&st->aes128, key); return 0;
    case AEAD_AES256_GCM: gcm_aes256_set_key(&st->aes256, key); return 0;
    case AEAD_CHACHA20_POLY1305:
        memcpy(st->chacha_key, key, sizeof st->chacha_key);
        return crypto_init();
    }
    return -1;
}

/* Runs GCM over aad and len bytes (encrypting or decrypting) and writes the tag. */
static void gcm_run(crypto_aead_ctx *ctx, int encrypt, const uint8_t *nonce, const uint8_t *aad,
                    size_t aad_len, const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag)
{
    aead_state *st = state_of(ctx);
    if (ctx->alg == AEAD_AES128_GCM) {
        gcm_aes128_set_iv(&st->aes128, CRYPTO_AEAD_NONCE_LEN, nonce);
        if (aad_len > 0)
            gcm_aes128_update(&st->aes128, aad_len, aad);
        if (len > 0) {
            if (encrypt)
                gcm_aes128_encrypt(&st->aes128, len, out, in);
            else
                gcm_aes128_decrypt(&st->aes128, len, out, in);
        }
        gcm_aes128_digest(&st->aes128, CRYPTO_AEAD_TAG_LEN, tag);
    } else {
        gcm_aes256_set_iv(&st->aes256, CRYPTO_AEAD_NONCE_LEN, nonce);
        if (aad_len > 0)
            gcm_aes256_update(&st->aes256, aad_len, aad);
        if (len > 0) {
            if (encrypt)
                gcm_aes256_encrypt(&st->aes256, len, out, in);
            else
                gcm_aes256_decrypt(&st->aes256, len, out, in);
        }
        gcm_aes256_digest(&st->aes256, CRYPTO_AEAD_TAG_LEN, tag);
    }
}

void default_aead_seal(crypto_aead_ctx *ctx, const uint8_t *nonce, const uint8_t *aad,
                       size_t aad_len, const uint8_t *in, size_t len, uint8_t *out)
{
    if (ctx->alg == AEAD_CHACHA20_POLY1305) {
        crypto_aead_chacha20poly1305_ietf_encrypt_detached(
            out, out + len, NULL, in, len, aad, aad_len, NULL, nonce, state_of(ctx)->chacha_key);
        return;
    }
    gcm_run(ctx, 1, nonce, aad, aad_len, in, len, out, out + len);
}

int default_aead_open(crypto_aead_ctx *ctx, const uint8_t *nonce, const uint8_t *aad,
                      size_t aad_len, const uint8_t *in, size_t len, uint8_t *out)
{
    if (len < CRYPTO_AEAD_TAG_LEN)
        return -1;
    size_t plain_len = len - CRYPTO_AEAD_TAG_LEN;
    const uint8_t *tag = in + plain_len;

    if (ctx->alg == AEAD_CHACHA20_POLY1305) {
        /* libsodium checks the tag before decrypting anything. */
        if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(
                out, NULL, in, plain_len, tag, aad, aad_len, nonce, state_of(ctx)->chacha_key) != 0) {
            crypto_wipe(out, plain_len);
            return -1;
        }
        return 0;
    }

    /* GCM decrypts and authenticates in one pass; the plaintext is wiped if the tag is
     * wrong, so the caller never sees unauthenticated bytes. The tag is copied first because
     * with in == out the decryption stops short of it but the caller may reuse the buffer. */
    uint8_t expected[CRYPTO_AEAD_TAG_LEN], received[CRYPTO_AEAD_TAG_LEN];
    memcpy(received, tag, sizeof received);
    gcm_run(ctx, 0, nonce, aad, aad_len, in, plain_len, out, expected);
    int ok = crypto_ct_equal(expected, received, CRYPTO_AEAD_TAG_LEN);
    crypto_wipe(expected, sizeof expected);
    if (!ok) {
        crypto_wipe(out, plain_len);
        return -1;
    }
    return 0;
}
