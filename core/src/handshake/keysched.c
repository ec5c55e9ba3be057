/*
 * keysched.c - TLS 1.3 key schedule primitives (RFC 8446 s.7.1).
 */
#include "handshake/keysched.h"

#include <string.h>

#include "wire/wire.h"

int ks_expand_label_n(hash_alg h, const uint8_t *secret, const uint8_t *label, size_t label_len,
                      const uint8_t *ctx, size_t ctx_len, uint8_t *out, size_t out_len)
{
    /* struct { uint16 length; opaque label<7..255>; opaque context<0..255>; } HkdfLabel */
    uint8_t info[2 + 1 + 255 + 1 + 255];
    wire_writer w;
    wire_writer_init(&w, info, sizeof info);
    wire_put_u16(&w, (uint16_t)out_len);
    size_t m = wire_open(&w, 1);
    wire_put_bytes(&w, (const uint8_t *)"tls13 ", 6);
    wire_put_bytes(&w, label, label_len);
    wire_close(&w, m);
    wire_put_block(&w, 1, ctx, ctx_len);
    if (w.err || out_len > 0xffff)
        return -1;
    size_t hl = crypto_hash_len(h);
    return crypto_hkdf_expand(h, secret, hl, info, w.len, out, out_len);
}

int ks_expand_label(hash_alg h, const uint8_t *secret, const char *label, const uint8_t *ctx,
                    size_t ctx_len, uint8_t *out, size_t out_len)
{
    return ks_expand_label_n(h, secret, (const uint8_t *)label, strlen(label), ctx, ctx_len, out,
                             out_len);
}

int ks_derive(hash_alg h, const uint8_t *secret, const char *label, const uint8_t *thash,
              uint8_t *out)
{
    size_t hl = crypto_hash_len(h);
    return ks_expand_label(h, secret, label, thash, hl, out, hl);
}

int ks_derive_empty(hash_alg h, const uint8_t *secret, const char *label, uint8_t *out)
{
    uint8_t empty[CRYPTO_HASH_MAX];
    crypto_hash(h, NULL, 0, empty);
    return ks_derive(h, secret, label, empty, out);
}

void ks_early_secret(hash_alg h, const uint8_t *psk, size_t psk_len, uint8_t *out)
{
    uint8_t zeros[CRYPTO_HASH_MAX] = {0};
    size_t hl = crypto_hash_len(h);
    if (!psk) {
        psk = zeros;
        psk_len = hl;
    }
    crypto_hkdf_extract(h, zeros, hl, psk, psk_len, out);
}

int ks_next_stage(hash_alg h, const uint8_t *prev, const uint8_t *ikm, size_t ikm_len,
                  uint8_t *out)
{
    uint8_t derived[CRYPTO_HASH_MAX], zeros[CRYPTO_HASH_MAX] = {0};
    size_t hl = crypto_hash_len(h);
    if (ks_derive_empty(h, prev, "derived", derived))
        return -1;
    if (!ikm) {
        ikm = zeros;
        ikm_len = hl;
    }
    crypto_hkdf_extract(h, derived, hl, ikm, ikm_len, out);
    crypto_wipe(derived, sizeof derived);
    return 0;
}

int ks_finished(hash_alg h, const uint8_t *base_secret, const uint8_t *thash, uint8_t *out)
{
    uint8_t key[CRYPTO_HASH_MAX];
    size_t hl = crypto_hash_len(h);
    if (ks_expand_label(h, base_secret, "finished", NULL, 0, key, hl))
        return -1;
    crypto_hmac(h, key, hl, thash, hl, out);
    crypto_wipe(key, sizeof key);
    return 0;
}

int ks_update_secret(hash_alg h, uint8_t *secret)
{
    uint8_t next[CRYPTO_HASH_MAX];
    size_t hl = crypto_hash_len(h);
    if (ks_expand_label(h, secret, "traffic upd", NULL, 0, next, hl))
        return -1;
    memcpy(secret, next, hl);
    crypto_wipe(next, sizeof next);
    return 0;
}
