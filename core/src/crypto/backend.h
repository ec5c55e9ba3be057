/*
 * backend.h - helpers shared by the library-backed implementations in core/src/crypto/.
 *
 * Only files in this folder include it (it pulls in Nettle/GMP types). It holds the adapter
 * that lets Nettle draw randomness from a crypto_rng, the big-endian <-> GMP conversions
 * used by the EC and RSA code, and the function names the provider tables point at.
 */
#ifndef TLSM_CRYPTO_BACKEND_H
#define TLSM_CRYPTO_BACKEND_H

#include <nettle/bignum.h>
#include <nettle/nettle-types.h>

#include "crypto/provider.h"

/* Returned by a provider's kex_public when the drawn private scalar is out of range, so
 * that crypto_kex_keygen draws again. */
#define CRYPTO_ERR_RANGE (-2)

/* ---- randomness for Nettle ---- */

/* Nettle's random callbacks cannot fail, and some of its loops (RSA blinding) would spin
 * forever on a source stuck at zero. So on a crypto_rng failure the adapter records the
 * failure and falls back to the system source; the caller then discards the result and
 * reports the error. */
typedef struct {
    const crypto_rng *rng;
    int failed;
} nettle_rng_adapter;

void nettle_rng_adapter_fn(void *ctx, size_t len, uint8_t *out);

/* ---- big numbers ---- */

/* Largest integer the EC code reads into stack limbs: a P-384 coordinate or scalar. */
#define BN_EC_LIMBS ((48 + sizeof(mp_limb_t) - 1) / sizeof(mp_limb_t))

/* Writes the big-endian bytes into limbs (least significant first), zero-padded. Fails if
 * the value does not fit in n limbs. */
int bn_from_be(mp_limb_t *limbs, size_t n, const uint8_t *be, size_t len);
/* Writes the value of mpz x as exactly len big-endian bytes. Fails if it does not fit. */
int bn_to_be(const mpz_t x, uint8_t *out, size_t len);
/* Imports big-endian bytes into an initialised mpz (allocating as GMP does). */
void bn_import(mpz_t x, const uint8_t *be, size_t len);
/* Overwrites the limbs of x before it is cleared, so secrets do not linger in freed
 * memory, then clears it. */
void bn_wipe_clear(mpz_t x);
/* Skips leading zero bytes of a big-endian integer. */
const uint8_t *bn_strip(const uint8_t *be, size_t *len);

/* ---- DER for ECDSA (r, s) ---- */

/* Encodes SEQUENCE { INTEGER r, INTEGER s } from two big-endian unsigned values. */
int ecdsa_der_encode(const uint8_t *r, size_t r_len, const uint8_t *s, size_t s_len,
                     uint8_t *out, size_t cap, size_t *out_len);
/* Strict DER decode: minimal lengths, positive minimal INTEGERs, no trailing bytes. On
 * success *r and *s point into der at the value bytes (without a sign byte). */
int ecdsa_der_decode(const uint8_t *der, size_t len, const uint8_t **r, size_t *r_len,
                     const uint8_t **s, size_t *s_len);

/* ---- implementations the provider tables point at ---- */

int sodium_random(uint8_t *out, size_t len);

int nettle_sha2_init(crypto_hash_ctx *ctx, hash_alg alg);
void nettle_sha2_update(crypto_hash_ctx *ctx, const uint8_t *data, size_t len);
void nettle_sha2_final(crypto_hash_ctx *ctx, uint8_t *out);
int nettle_hmac_sha2(hash_alg alg, const uint8_t *key, size_t key_len, const uint8_t *data,
                     size_t len, uint8_t *out);
int nettle_hkdf_sha2_extract(hash_alg alg, const uint8_t *salt, size_t salt_len,
                             const uint8_t *ikm, size_t ikm_len, uint8_t *prk);
int nettle_hkdf_sha2_expand(hash_alg alg, const uint8_t *prk, size_t prk_len,
                            const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len);

int default_aead_init(crypto_aead_ctx *ctx, aead_alg alg, const uint8_t *key);
size_t default_aead_ctx_size(aead_alg alg);
void default_aead_seal(crypto_aead_ctx *ctx, const uint8_t *nonce, const uint8_t *aad,
                       size_t aad_len, const uint8_t *in, size_t len, uint8_t *out);
int default_aead_open(crypto_aead_ctx *ctx, const uint8_t *nonce, const uint8_t *aad,
                      size_t aad_len, const uint8_t *in, size_t len, uint8_t *out);

int default_kex_public(uint16_t group, const uint8_t *priv, uint8_t *pub, size_t *pub_len);
int default_kex_shared(uint16_t group, const uint8_t *priv, const uint8_t *peer_pub,
                       size_t peer_len, uint8_t *shared, size_t *shared_len);

/* The ML-KEM groups (kex_mlkem.c), behind crypto_kex_*: kex_kem_find is non-NULL for
 * them; the sizes of our share and of our private part; keygen (client), decaps (client,
 * the server's share), encaps (server). */
const void *kex_kem_find(uint16_t group);
size_t kex_kem_client_share_len(uint16_t group);
size_t kex_kem_priv_len(uint16_t group);
int kex_kem_keygen(uint16_t group, const crypto_rng *rng, uint8_t *priv, uint8_t *pub,
                   size_t *pub_len);
int kex_kem_decaps(uint16_t group, const uint8_t *priv, const uint8_t *peer, size_t peer_len,
                   uint8_t *shared, size_t *shared_len);
int kex_kem_encaps(uint16_t group, const crypto_rng *rng, const uint8_t *peer, size_t peer_len,
                   uint8_t *pub, size_t *pub_len, uint8_t *shared, size_t *shared_len);

/* ML-KEM (mlkem_backend.c): ML-KEM-768 is libsodium's or tlsm's own, chosen at build time,
 * ML-KEM-1024 tlsm's own; default_kem_name says which. */
const char *default_kem_name(crypto_mlkem_set set);
int default_kem_keygen(crypto_mlkem_set set, const uint8_t *seed, uint8_t *ek, uint8_t *dk);
int default_kem_encaps(crypto_mlkem_set set, const uint8_t *ek, const uint8_t *m, uint8_t *ct,
                       uint8_t *ss);
int default_kem_decaps(crypto_mlkem_set set, const uint8_t *dk, const uint8_t *ct,
                       uint8_t *ss);

int default_verify(sig_alg alg, const crypto_pubkey *pk, const uint8_t *msg, size_t msg_len,
                   const uint8_t *sig, size_t sig_len);
int default_sign(const crypto_privkey *key, sig_alg alg, const crypto_rng *rng,
                 const uint8_t *msg, size_t msg_len, uint8_t *sig, size_t sig_cap,
                 size_t *sig_len);

#endif
