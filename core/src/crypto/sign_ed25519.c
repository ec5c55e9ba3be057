/*
 * sign_ed25519.c - Ed25519 (RFC 8032) signing and verification via libsodium. The message
 * is signed as is: Ed25519 hashes internally and has no pre-hash in TLS.
 */
#include "crypto/sodium_compat.h"

#include "crypto/privkey.h"

int ed25519_sign_msg(const crypto_privkey *key, const uint8_t *msg, size_t msg_len,
                     uint8_t *sig, size_t sig_cap, size_t *sig_len)
{
    if (sig_cap < crypto_sign_BYTES || crypto_init() != 0)
        return -1;
    if (crypto_sign_detached(sig, NULL, msg, msg_len, key->u.ed.sk) != 0)
        return -1;
    *sig_len = crypto_sign_BYTES;
    return 0;
}

int ed25519_verify_msg(const crypto_pubkey *pk, const uint8_t *msg, size_t msg_len,
                       const uint8_t *sig, size_t sig_len)
{
    if (pk->point_len != crypto_sign_PUBLICKEYBYTES || sig_len != crypto_sign_BYTES ||
        crypto_init() != 0)
        return -1;
    return crypto_sign_verify_detached(sig, msg, msg_len, pk->point) == 0 ? 0 : -1;
}
