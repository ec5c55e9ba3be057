/*
 * privkey.h - the layout of crypto_privkey, shared by privkey.c and the sign_*.c files.
 */
#ifndef TLSM_CRYPTO_PRIVKEY_H
#define TLSM_CRYPTO_PRIVKEY_H

#include <nettle/ecc.h>
#include <nettle/rsa.h>

#include "crypto/backend.h"

struct crypto_privkey {
    pk_type type; /* PK_RSA, PK_EC_P256, PK_EC_P384 or PK_ED25519 */
    size_t bits;
    union {
        struct {
            struct rsa_public_key pub;
            struct rsa_private_key priv;
        } rsa;
        struct {
            struct ecc_scalar scalar;
            uint8_t scalar_be[48]; /* kept for the deterministic part of the nonce */
            uint8_t point[CRYPTO_EC_POINT_MAX]; /* uncompressed public point */
            size_t point_len;
        } ec;
        struct {
            uint8_t sk[64]; /* libsodium secret key: seed || public key */
            uint8_t pk[32];
        } ed;
    } u;
};

/* Signing per key family; the digest is already computed for RSA and ECDSA. */
int rsa_sign_digest(const crypto_privkey *key, sig_alg alg, const crypto_rng *rng,
                    const uint8_t *digest, uint8_t *sig, size_t sig_cap, size_t *sig_len);
int rsa_verify_digest(sig_alg alg, const crypto_pubkey *pk, const uint8_t *digest,
                      const uint8_t *sig, size_t sig_len);
int ecdsa_sign_digest(const crypto_privkey *key, const crypto_rng *rng, const uint8_t *digest,
                      size_t digest_len, uint8_t *sig, size_t sig_cap, size_t *sig_len);
int ecdsa_verify_digest(const crypto_pubkey *pk, const uint8_t *digest, size_t digest_len,
                        const uint8_t *sig, size_t sig_len);
int ed25519_sign_msg(const crypto_privkey *key, const uint8_t *msg, size_t msg_len,
                     uint8_t *sig, size_t sig_cap, size_t *sig_len);
int ed25519_verify_msg(const crypto_pubkey *pk, const uint8_t *msg, size_t msg_len,
                       const uint8_t *sig, size_t sig_len);

#endif
