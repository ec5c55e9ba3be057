/*
 * provider.h - the internal provider table behind the public crypto_* functions.
 *
 * crypto.h is the stable API the rest of tlsm uses; every primitive there is forwarded
 * through one const table of function pointers (crypto_provider). The default table wires
 * each primitive to the library DESIGN.md picked for it. Keeping the seam explicit lets a
 * later backend replace a primitive without touching record or handshake code, and lets
 * tests run the same vectors through a second table to cross-check two implementations.
 * A NULL entry in a table means "not provided by this backend"; the default table fills
 * every entry.
 */
#ifndef TLSM_CRYPTO_PROVIDER_H
#define TLSM_CRYPTO_PROVIDER_H

#include "crypto/crypto.h"

typedef struct crypto_provider {
    const char *name;

    /* System randomness (used when no crypto_rng function is configured). */
    int (*random)(uint8_t *out, size_t len);

    /* Hashes: the context layout belongs to the provider that initialised it. */
    int (*hash_init)(crypto_hash_ctx *ctx, hash_alg alg);
    void (*hash_update)(crypto_hash_ctx *ctx, const uint8_t *data, size_t len);
    void (*hash_final)(crypto_hash_ctx *ctx, uint8_t *out);
    int (*hmac)(hash_alg alg, const uint8_t *key, size_t key_len, const uint8_t *data,
                size_t len, uint8_t *out);
    int (*hkdf_extract)(hash_alg alg, const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
                        size_t ikm_len, uint8_t *prk);
    int (*hkdf_expand)(hash_alg alg, const uint8_t *prk, size_t prk_len, const uint8_t *info,
                       size_t info_len, uint8_t *out, size_t out_len);

    /* AEAD: init returns -1 for an algorithm this provider does not implement. ctx_size
     * says how many bytes of the context init, seal and open touch for alg (NULL: all of
     * sizeof(crypto_aead_ctx)). */
    int (*aead_init)(crypto_aead_ctx *ctx, aead_alg alg, const uint8_t *key);
    size_t (*aead_ctx_size)(aead_alg alg);
    void (*aead_seal)(crypto_aead_ctx *ctx, const uint8_t *nonce, const uint8_t *aad,
                      size_t aad_len, const uint8_t *in, size_t len, uint8_t *out);
    int (*aead_open)(crypto_aead_ctx *ctx, const uint8_t *nonce, const uint8_t *aad,
                     size_t aad_len, const uint8_t *in, size_t len, uint8_t *out);

    /* Key exchange; the private key bytes are already drawn by the caller for keygen. */
    int (*kex_public)(uint16_t group, const uint8_t *priv, uint8_t *pub, size_t *pub_len);
    int (*kex_shared)(uint16_t group, const uint8_t *priv, const uint8_t *peer_pub,
                      size_t peer_len, uint8_t *shared, size_t *shared_len);

    /* ML-KEM (FIPS 203) in the parameter set set, with every input of that set's fixed
     * size (CRYPTO_MLKEM*_LEN) and the randomness already drawn: keygen is
     * ML-KEM.KeyGen_internal from the 64-byte seed d || z, encaps is
     * ML-KEM.Encaps_internal with the 32-byte message m, decaps is ML-KEM.Decaps_internal
     * (implicit rejection: an invalid ciphertext still gives a key). Each returns -1 for a
     * set it does not implement. crypto_mlkem_* check lengths, the encapsulation key
     * (FIPS 203 s.7.2) and the decapsulation key (s.7.3) before calling these. kem_name
     * names the implementation of a set ("libsodium", "tlsm ..."): the default table's
     * ML-KEM-768 may be libsodium's while its ML-KEM-1024 is always tlsm's. */
    const char *(*kem_name)(crypto_mlkem_set set);
    int (*kem_keygen)(crypto_mlkem_set set, const uint8_t *seed, uint8_t *ek, uint8_t *dk);
    int (*kem_encaps)(crypto_mlkem_set set, const uint8_t *ek, const uint8_t *m, uint8_t *ct,
                      uint8_t *ss);
    int (*kem_decaps)(crypto_mlkem_set set, const uint8_t *dk, const uint8_t *ct,
                      uint8_t *ss);

    /* Signatures. */
    int (*verify)(sig_alg alg, const crypto_pubkey *pk, const uint8_t *msg, size_t msg_len,
                  const uint8_t *sig, size_t sig_len);
    int (*sign)(const crypto_privkey *key, sig_alg alg, const crypto_rng *rng,
                const uint8_t *msg, size_t msg_len, uint8_t *sig, size_t sig_cap,
                size_t *sig_len);
} crypto_provider;

/* The provider that the public crypto_* functions dispatch through: the built-in table
 * unless crypto_provider_install replaced it. */
const crypto_provider *crypto_provider_default(void);

/* For benchmarks and tests only (bench/ counts and times every primitive through a
 * wrapping table): the built-in table, and a way to make every crypto_* call go through
 * another table (NULL restores the built-in one). Process-wide and not synchronised:
 * call it only while no connection or config is in use on any thread. Nothing in the
 * library calls it, so without such a call behaviour is unchanged. */
const crypto_provider *crypto_provider_builtin(void);
void crypto_provider_install(const crypto_provider *p);

#endif
