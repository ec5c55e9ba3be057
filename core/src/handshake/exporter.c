/*
 * exporter.c - keying material exporters beside the key schedules that feed them:
 * RFC 8446 s.7.5 for TLS 1.3 (from the exporter master secret) and RFC 5705 for TLS 1.2
 * (from the master secret and the randoms).
 */
#include <string.h>

#include "handshake/keysched.h"
#include "handshake/prf12.h"
#include "internal.h"

static int export12(tlsm_conn *c, const char *label, size_t label_len, const uint8_t *context,
                    size_t context_len, uint8_t *out, size_t out_len)
{
    /* RFC 5705 s.4: PRF(master, label, client_random || server_random
     * [|| context_length(2) || context]); the RFC 7627 s.5.4 caution applies to non-EMS
     * sessions, which are refused by default. */
    uint8_t seed[64 + 2 + 512];
    size_t seed_len = 64;
    if (context_len > 512 || label_len > 64 || memchr(label, 0, label_len))
        return TLSM_ERR_ARG;
    memcpy(seed, c->randoms, 64);
    if (context) {
        seed[64] = (uint8_t)(context_len >> 8);
        seed[65] = (uint8_t)context_len;
        memcpy(seed + 66, context, context_len);
        seed_len += 2 + context_len;
    }
    char lab[65];
    memcpy(lab, label, label_len);
    lab[label_len] = 0;
    int rc = prf12(c->hash, c->master12, sizeof c->master12, lab, seed, seed_len, NULL, 0, out,
                   out_len);
    return rc ? TLSM_ERR_ARG : 0;
}

static int export13(tlsm_conn *c, const char *label, size_t label_len, const uint8_t *context,
                    size_t context_len, uint8_t *out, size_t out_len)
{
    /* RFC 8446 s.7.5: HKDF-Expand-Label(Derive-Secret(exporter, label, ""), "exporter",
     * Hash(context), length); no context and empty context are the same in TLS 1.3. */
    uint8_t secret[CRYPTO_HASH_MAX], empty[CRYPTO_HASH_MAX], chash[CRYPTO_HASH_MAX];
    crypto_hash(c->hash, NULL, 0, empty);
    crypto_hash(c->hash, context, context_len, chash);
    int rc = ks_expand_label_n(c->hash, c->exporter_secret, (const uint8_t *)label, label_len,
                               empty, c->hash_len, secret, c->hash_len) ||
             ks_expand_label(c->hash, secret, "exporter", chash, c->hash_len, out, out_len);
    crypto_wipe(secret, sizeof secret);
    return rc ? TLSM_ERR_ARG : 0;
}

int tlsm_export_keying_material(tlsm_conn *c, const char *label, size_t label_len,
                                const uint8_t *context, size_t context_len, uint8_t *out,
                                size_t out_len)
{
    if (!c || !label || !out || (!context && context_len) || out_len == 0)
        return TLSM_ERR_ARG;
    if (c->error)
        return c->error;
    if (!c->handshake_done)
        return TLSM_ERR_STATE;
    return c->version == TLSM_TLS12
               ? export12(c, label, label_len, context, context_len, out, out_len)
               : export13(c, label, label_len, context, context_len, out, out_len);
}
